"""Where the hotline keeps its log: SQLAlchemy Core tables on SQLite or PostgreSQL.

* SQLite (default; a file path or ``sqlite:///...`` URL) runs in WAL mode
  with ``synchronous=FULL``, so a committed append survives a crash of the
  process or of the machine; appends take the write lock up front
  (``BEGIN IMMEDIATE``) so two writers never compute the same leaf index.
* PostgreSQL (``postgresql+psycopg://...``; ``?options=-csearch_path%3DNAME``
  selects a schema) serialises appends with a transaction-scoped advisory
  lock.

:func:`append_transaction` is the one way to write: it yields a connection
inside a transaction that holds the append lock and commits on exit, so a
caller that returns after it has its row on disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine

from orbwatch.hotline.errors import HotlineError
from orbwatch.store.engine import database_url, sqlite_pragmas

__all__ = ["metadata", "parties", "keys", "entries", "recipients", "checkpoints", "nonces",
           "acks", "meta", "database_url", "open_engine", "append_transaction",
           "read_transaction", "StorageError"]

#: PostgreSQL advisory-lock key of the append lock ("orbwatch" in ASCII)
APPEND_LOCK_KEY = 0x6F72627761746368

metadata = MetaData()

parties = Table(
    "hotline_parties", metadata,
    Column("name", String(64), primary_key=True),
    Column("registered_idx", Integer, nullable=False),
    Column("registered", String(40), nullable=False),
)

#: key history: each key a party held, from the log index that introduced it
#: until the index that rotated it away or revoked it (NULL: still valid)
keys = Table(
    "hotline_keys", metadata,
    Column("public_key", String(64), primary_key=True),
    Column("party", String(64), nullable=False, index=True),
    Column("valid_from", Integer, nullable=False),
    Column("valid_until", Integer, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
)

entries = Table(
    "hotline_entries", metadata,
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("entry_id", String(64), nullable=False, unique=True),
    Column("author", String(64), nullable=False, index=True),
    Column("type", String(40), nullable=False, index=True),
    Column("public", Boolean, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("expires_us", BigInteger, nullable=False),
    Column("ack_by_us", BigInteger, nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("appended", String(40), nullable=False),
)

recipients = Table(
    "hotline_recipients", metadata,
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("party", String(64), primary_key=True, index=True),
)

checkpoints = Table(
    "hotline_checkpoints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", Integer, nullable=False),
    Column("body", Text, nullable=False),
)

nonces = Table(
    "hotline_nonces", metadata,
    Column("author", String(64), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("expires_us", BigInteger, nullable=False, index=True),
    Column("seen", String(40), nullable=False),
)

#: nonces of signed read requests, kept for twice the request skew: a captured
#: request cannot be replayed, not even after a restart or on another worker
read_nonces = Table(
    "hotline_read_nonces", metadata,
    Column("party", String(64), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("expires_us", BigInteger, nullable=False, index=True),
)

acks = Table(
    "hotline_acks", metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("party", String(64), primary_key=True),
    Column("ack_idx", Integer, nullable=False),
    Column("acked", String(40), nullable=False),
    UniqueConstraint("ack_idx"),
)

meta = Table(
    "hotline_meta", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

class StorageError(HotlineError):
    """The hotline database cannot be opened or written."""


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
    sqlite_pragmas(dbapi_conn)


def _sqlite_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("hotline_append") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def open_engine(db: str | os.PathLike | Engine) -> Engine:
    """An engine on ``db`` with the hotline's tables created."""
    if isinstance(db, Engine):
        engine = db
    else:
        url = database_url(db)
        try:
            engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        except Exception as exc:  # bad URL, missing driver
            raise StorageError(f"cannot open hotline database {url!r}: {exc}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
    except Exception as exc:
        raise StorageError(f"cannot create the hotline tables in {engine.url!r}: {exc}") from None
    return engine


@contextmanager
def append_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the append lock; commits on normal exit."""
    with engine.connect() as conn:
        conn.execution_options(hotline_append=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK_KEY})
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only (deferred) transaction."""
    with engine.connect() as conn, conn.begin():
        yield conn
