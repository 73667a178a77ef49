"""One monitor run at a time per database.

* SQLite: an exclusive ``flock`` on a file next to the database.  ``flock``
  locks belong to the open file: the kernel drops them when the process ends,
  however it ends (SIGKILL included), so a killed run never leaves a stale
  lock behind.  The file keeps the holder's pid and start time for the
  message the next run prints.
* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on
  a connection of its own for the whole run, so monitors on different
  machines or with different report folders exclude each other too; the
  server drops it when that connection ends, however the run ends.  The
  holder's pid is read back from ``pg_locks`` / ``pg_stat_activity``.

:func:`run_lock` picks the right one for a store.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from orbwatch.errors import OrbwatchError
from orbwatch.time import format_iso, now_us

__all__ = ["MonitorBusyError", "RunLock", "PgRunLock", "run_lock", "lock_path", "PG_LOCK_KEY"]

#: the advisory-lock key of monitor runs (the hotline's append lock uses its own)
PG_LOCK_KEY = 0x6F72_6277_6D6F_6E  # "orbwmon"


class MonitorBusyError(OrbwatchError):
    """Another monitor run holds the lock of this database."""


def lock_path(store, out_dir: str | os.PathLike) -> Path:
    """``<db>.monitor.lock`` for a SQLite file, else ``<out_dir>/.monitor.lock``."""
    if store.is_sqlite:
        db = Path(str(store.engine.url.database))
        return db.with_name(db.name + ".monitor.lock")
    return Path(out_dir) / ".monitor.lock"


class _Lock:
    """``with lock:`` acquires and releases; :meth:`busy` is the refusal all locks give."""

    def acquire(self) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    @staticmethod
    def busy(lock: str, holder: str) -> MonitorBusyError:
        return MonitorBusyError(
            f"another monitor run is working on this database ({lock} held by {holder}); "
            f"this run did nothing - try again when it has finished")

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class RunLock(_Lock):
    """``with RunLock(path):`` holds the lock or raises :class:`MonitorBusyError`."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise self.busy(f"lock {self.path}", holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {format_iso(now_us(), 0)}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class PgRunLock(_Lock):
    """``with PgRunLock(engine):`` holds the PostgreSQL advisory lock of monitor runs on
    a connection of its own, or raises :class:`MonitorBusyError`."""

    def __init__(self, engine, key: int = PG_LOCK_KEY) -> None:
        self.engine, self.key = engine, int(key)
        self._conn = None

    def acquire(self) -> None:
        from sqlalchemy import text

        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        conn.commit()
        if not got:
            holder = conn.execute(text(
                "SELECT a.pid, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = :k "
                "LIMIT 1"), {"k": self.key}).first()
            conn.close()
            who = "unknown" if holder is None else \
                f"server pid {holder[0]} since {holder[1]:%Y-%m-%dT%H:%M:%S}"
            raise self.busy(f"PostgreSQL advisory lock {self.key}", who)
        self._conn = conn

    def release(self) -> None:
        from sqlalchemy import text

        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None


def run_lock(store, out_dir: str | os.PathLike):
    """The lock of monitor runs on ``store``: a file lock next to a SQLite database,
    the advisory lock of a PostgreSQL one (a file lock in ``out_dir`` otherwise)."""
    if not store.is_sqlite and store.engine.dialect.name == "postgresql":
        return PgRunLock(store.engine)
    return RunLock(lock_path(store, out_dir))
