"""How orbwatch opens its databases: one URL rule and one set of SQLite
settings for the catalogue store and the hotline log alike.

A location with ``://`` is an SQLAlchemy URL (``postgresql+psycopg://...``);
anything else is an SQLite file path.  SQLite runs in WAL mode with
``synchronous=FULL`` (an acknowledged commit survives power loss) and waits
up to 30 s for a lock held by another process.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["database_url", "sqlite_pragmas"]


def database_url(db: str | os.PathLike) -> str:
    """A SQLAlchemy URL from a URL or an SQLite file path."""
    text_db = os.fspath(db)
    if "://" in text_db:
        return text_db
    return f"sqlite:///{Path(text_db).expanduser()}"


def sqlite_pragmas(dbapi_conn, *, foreign_keys: bool = False) -> None:
    """Apply the durability and locking settings to a new SQLite connection."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    if foreign_keys:
        cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
