"""What a party may read from the log: visible entries, its inbox, acknowledgements.

A party sees the public entries (no ``to``), the ones addressed to it and
the ones it wrote; an anonymous reader sees public entries only.  An entry
with ``ack_by`` expects an ``acknowledgement`` entry from each addressee;
the ones missing are *pending*, and *overdue* once ``ack_by`` has passed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.engine import Engine

from orbwatch.hotline.storage import acks, entries, read_transaction, recipients

__all__ = ["visible", "list_entries", "entry_row", "pending_acks", "MAX_PAGE"]

MAX_PAGE = 500


def visible(viewer: str | None):
    """SQL condition: the entry is visible to ``viewer`` (None: anonymous)."""
    if viewer is None:
        return entries.c.public.is_(True)
    addressed = exists().where(recipients.c.idx == entries.c.idx, recipients.c.party == viewer)
    return or_(entries.c.public.is_(True), entries.c.author == viewer, addressed)


def _recipients(conn, indices: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if indices:
        for idx, party in conn.execute(select(recipients.c.idx, recipients.c.party)
                                       .where(recipients.c.idx.in_(indices))):
            out.setdefault(idx, []).append(party)
    return out


def _record(row) -> dict:
    return {"index": row.idx, "entry_id": row.entry_id, "entry": json.loads(bytes(row.body))}


def list_entries(engine: Engine, viewer: str | None, *, kind: str | None = None,
                 author: str | None = None, addressed_to: str | None = None,
                 after: int = -1, limit: int = 100) -> list[dict]:
    """Visible entries with index above ``after``, oldest first."""
    query = select(entries.c.idx, entries.c.entry_id, entries.c.body).where(
        visible(viewer), entries.c.idx > after)
    if kind:
        query = query.where(entries.c.type == kind)
    if author:
        query = query.where(entries.c.author == author)
    if addressed_to:
        query = query.where(exists().where(recipients.c.idx == entries.c.idx,
                                           recipients.c.party == addressed_to))
    query = query.order_by(entries.c.idx).limit(max(1, min(limit, MAX_PAGE)))
    with read_transaction(engine) as conn:
        return [_record(r) for r in conn.execute(query)]


def entry_row(engine: Engine, viewer: str | None, *, index: int | None = None,
              entry_id: str | None = None) -> dict | None:
    """One visible entry by index or id (None: absent or not visible)."""
    query = select(entries.c.idx, entries.c.entry_id, entries.c.body).where(visible(viewer))
    query = query.where(entries.c.idx == index if index is not None
                        else entries.c.entry_id == entry_id)
    with read_transaction(engine) as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def pending_acks(engine: Engine, party: str, now: datetime | None = None) -> dict:
    """Acknowledgements ``party`` owes (``owed``) and is owed (``awaited``),
    each ``{index, entry_id, author, party, ack_by, overdue}``."""
    now_us = int((now or datetime.now(UTC)).timestamp() * 1_000_000)
    acked = exists().where(acks.c.entry_id == entries.c.entry_id,
                           acks.c.party == recipients.c.party)
    query = (select(entries.c.idx, entries.c.entry_id, entries.c.author, entries.c.ack_by_us,
                    recipients.c.party)
             .join(recipients, recipients.c.idx == entries.c.idx)
             .where(entries.c.ack_by_us.is_not(None), not_(acked),
                    or_(recipients.c.party == party,
                        and_(entries.c.author == party)))
             .order_by(entries.c.idx))
    owed, awaited = [], []
    with read_transaction(engine) as conn:
        for idx, eid, author, ack_by_us, who in conn.execute(query):
            item = {"index": idx, "entry_id": eid, "author": author, "party": who,
                    "ack_by": datetime.fromtimestamp(ack_by_us / 1e6, UTC)
                    .strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "overdue": now_us > ack_by_us}
            (owed if who == party else awaited).append(item)
    return {"party": party, "owed": owed, "awaited": awaited}


def recipients_of(engine: Engine, index: int) -> list[str]:
    with read_transaction(engine) as conn:
        return _recipients(conn, [index]).get(index, [])
