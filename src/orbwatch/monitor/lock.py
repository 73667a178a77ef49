"""One monitor run at a time: an exclusive lock on a file next to the database.

``flock`` locks belong to the open file: the kernel drops them when the
process ends, however it ends (SIGKILL included), so a killed run never
leaves a stale lock behind.  The file keeps the holder's pid and start time
for the message the next run prints.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from orbwatch.errors import OrbwatchError
from orbwatch.time import format_iso, now_us

__all__ = ["MonitorBusyError", "RunLock", "lock_path"]


class MonitorBusyError(OrbwatchError):
    """Another monitor run holds the lock of this database."""


def lock_path(store, out_dir: str | os.PathLike) -> Path:
    """``<db>.monitor.lock`` for a SQLite file, else ``<out_dir>/.monitor.lock``."""
    if store.is_sqlite:
        db = Path(str(store.engine.url.database))
        return db.with_name(db.name + ".monitor.lock")
    return Path(out_dir) / ".monitor.lock"


class RunLock:
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
            raise MonitorBusyError(
                f"another monitor run is working on this database (lock {self.path} held by "
                f"{holder}); this run did nothing - try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {format_iso(now_us(), 0)}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
