"""Replay protection: every (author, nonce) pair is accepted once.

:class:`ReplayGuard` records the pairs in the ``hotline_nonces`` table
(:mod:`orbwatch.hotline.storage`) until the entry expires, so a captured
entry cannot be replayed, not even after a restart; entries past
``expires`` are refused outright, and lifetimes are capped so the table
stays bounded.  Inside the log the nonce is recorded in the same
transaction as the entry, under the append lock: both are committed or
neither.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine

from orbwatch.hotline.entries import (
    CLOCK_SKEW,
    MAX_LIFETIME,
    check_entry_shape,
    format_time,
    parse_time,
)
from orbwatch.hotline.errors import (
    ExpiredEntryError,
    MalformedEntryError,
    NotYetValidError,
    ReplayError,
)
from orbwatch.hotline.storage import (
    append_transaction,
    nonces,
    open_engine,
    read_nonces,
    read_transaction,
)

__all__ = ["ReplayGuard", "ReadNonces", "check_window"]


def _micros(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


def check_window(entry: dict, now: datetime, *, max_lifetime: timedelta = MAX_LIFETIME,
                 skew: timedelta = CLOCK_SKEW) -> None:
    """Refuse an entry outside its validity window or with too long a lifetime."""
    created = parse_time(entry["created"], "created")
    expires = parse_time(entry["expires"], "expires")
    if expires - created > max_lifetime:
        raise MalformedEntryError(f"entry lifetime {expires - created} exceeds {max_lifetime}")
    if now > expires + skew:
        raise ExpiredEntryError(f"entry expired at {entry['expires']} (now {format_time(now)})")
    if created > now + skew:
        raise NotYetValidError(f"entry created {entry['created']} lies in the future "
                               f"(now {format_time(now)})")


class ReplayGuard:
    """Refuses an (author, nonce) pair seen before; remembered in the database.

    ``ReplayGuard(path_or_url)`` opens (or creates) the database;
    ``ReplayGuard(engine)`` shares an engine (the log's).
    """

    def __init__(self, db: str | os.PathLike | Engine, *,
                 max_lifetime: timedelta = MAX_LIFETIME, skew: timedelta = CLOCK_SKEW) -> None:
        self._owns = not isinstance(db, Engine)
        self.engine = open_engine(db)
        self.max_lifetime = max_lifetime
        self.skew = skew

    def check(self, entry: dict, now: datetime | None = None,
              conn: Connection | None = None) -> None:
        """Record the entry's nonce, or raise :class:`ReplayError` (seen),
        :class:`ExpiredEntryError`, :class:`NotYetValidError` or
        :class:`MalformedEntryError` (lifetime above ``max_lifetime``).
        With ``conn`` (a transaction holding the append lock) the nonce is
        recorded in it; otherwise in a transaction of its own."""
        check_entry_shape(entry)
        now = (now or datetime.now(UTC)).astimezone(UTC)
        check_window(entry, now, max_lifetime=self.max_lifetime, skew=self.skew)
        if conn is None:
            with append_transaction(self.engine) as own:
                self._record(own, entry, now)
        else:
            self._record(conn, entry, now)

    def _record(self, conn: Connection, entry: dict, now: datetime) -> None:
        seen = conn.execute(select(nonces.c.seen).where(
            nonces.c.author == entry["author"], nonces.c.nonce == entry["nonce"])).scalar()
        if seen is not None:
            raise ReplayError(f"nonce {entry['nonce']} from {entry['author']!r} was already "
                              f"accepted at {seen}")
        keep_until = parse_time(entry["expires"], "expires") + self.skew
        conn.execute(insert(nonces).values(author=entry["author"], nonce=entry["nonce"],
                                           expires_us=_micros(keep_until),
                                           seen=format_time(now)))

    def seen(self, author: str, nonce: str) -> bool:
        with read_transaction(self.engine) as conn:
            return conn.execute(select(nonces.c.seen).where(
                nonces.c.author == author, nonces.c.nonce == nonce)).first() is not None

    def prune(self, now: datetime | None = None) -> int:
        """Forget nonces of entries that have expired (they are refused anyway)."""
        cutoff = _micros((now or datetime.now(UTC)).astimezone(UTC))
        with append_transaction(self.engine) as conn:
            return conn.execute(delete(nonces).where(nonces.c.expires_us < cutoff)).rowcount

    def close(self) -> None:
        if self._owns:
            self.engine.dispose()

    def __enter__(self) -> ReplayGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReadNonces:
    """The nonces of signed read requests, in the database
    (``hotline_read_nonces``): :meth:`remember` is True for a pair not seen
    before and False for a replay, across restarts and server processes.
    Pairs are forgotten once their request could no longer pass the time
    check (``keep_until``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember(self, party: str, nonce: str, keep_until: datetime, now: datetime) -> bool:
        with append_transaction(self.engine) as conn:
            conn.execute(delete(read_nonces).where(read_nonces.c.expires_us < _micros(now)))
            seen = conn.execute(select(read_nonces.c.party).where(
                read_nonces.c.party == party, read_nonces.c.nonce == nonce)).first()
            if seen is not None:
                return False
            conn.execute(insert(read_nonces).values(party=party, nonce=nonce,
                                                    expires_us=_micros(keep_until)))
            return True
