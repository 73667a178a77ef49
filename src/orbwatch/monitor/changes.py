"""What arrived since the last run: the element sets past a high-water mark.

The ingest log gives every stored element set an increasing row id, so
"new since the last run" is ``from_set_id < id <= to_set_id``, whatever
the epochs of the sets (a late file can carry old epochs).  A
:class:`ChangeSet` says which objects got sets, the span of their epochs,
and which objects were *catalogued* in it: their first set is new and
comes a day after the catalogue was already being watched.  That time is the
newest epoch of the sets processed before (a later run), or, on a first run,
the 10th percentile of the first epochs of objects with a history (three
sets or more).  A single snapshot has no histories, so nothing in it counts
as newly catalogued: absence cannot be seen before something was looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from orbwatch.store.schema import element_sets, ingest_batches

__all__ = ["ChangeSet", "high_water", "changes_between", "NEW_OBJECT_MARGIN_US"]

#: an object is newly catalogued when its first set is this much later than the
#: start of the catalogue (objects present when watching began are not) ...
NEW_OBJECT_MARGIN_US = 86_400_000_000
#: ... on a first run, this percentile of the first epochs of objects with at
#: least HISTORY_SETS sets (robust to a few very old sets, and to a cloud of new
#: objects outnumbering the old ones)
START_PERCENTILE = 10
HISTORY_SETS = 3


@dataclass
class ChangeSet:
    """Element sets with ``from_set_id < id <= to_set_id`` (and epoch >= ``since_us``)."""

    from_set_id: int
    to_set_id: int
    n_sets: int = 0
    norads: set[int] = field(default_factory=set)
    first_us: int | None = None
    last_us: int | None = None
    new_objects: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.n_sets == 0

    def to_dict(self) -> dict:
        from orbwatch.time import format_iso

        return {"from_set_id": self.from_set_id, "to_set_id": self.to_set_id,
                "element_sets": self.n_sets, "objects": len(self.norads),
                "first_epoch": None if self.first_us is None else format_iso(self.first_us, 0),
                "last_epoch": None if self.last_us is None else format_iso(self.last_us, 0),
                "new_objects": len(self.new_objects)}


def high_water(store) -> tuple[int, int]:
    """(largest element_sets.id, largest ingest_batches.id) in the store (0 when empty)."""
    with store.engine.connect() as conn:
        s = conn.execute(select(func.max(element_sets.c.id))).scalar() or 0
        b = conn.execute(select(func.max(ingest_batches.c.id))).scalar() or 0
    return int(s), int(b)


def changes_between(store, from_set_id: int, to_set_id: int,
                    since_us: int | None = None) -> ChangeSet:
    """The :class:`ChangeSet` of the sets with ids in ``(from_set_id, to_set_id]``."""
    cs = ChangeSet(from_set_id, to_set_id)
    c = element_sets.c
    q = select(c.norad, c.epoch_us).where(c.id > from_set_id, c.id <= to_set_id)
    if since_us is not None:
        q = q.where(c.epoch_us >= since_us)
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        if not rows:
            return cs
        firsts = conn.execute(select(c.norad, func.min(c.id), func.min(c.epoch_us),
                                     func.count()).where(c.id <= to_set_id)
                              .group_by(c.norad)).all()
        watched = (conn.execute(select(func.max(c.epoch_us)).where(c.id <= from_set_id))
                   .scalar() if from_set_id > 0 else None)
    epochs = np.fromiter((r[1] for r in rows), np.int64, len(rows))
    cs.n_sets = len(rows)
    cs.norads = {int(r[0]) for r in rows}
    cs.first_us, cs.last_us = int(epochs.min()), int(epochs.max())
    if watched is None:
        histories = [f[2] for f in firsts if f[3] >= HISTORY_SETS]
        if not histories:
            return cs
        watched = float(np.percentile(histories, START_PERCENTILE))
    cs.new_objects = sorted(int(n) for n, first_id, first_us, _count in firsts
                            if first_id > from_set_id and first_us > watched + NEW_OBJECT_MARGIN_US
                            and (since_us is None or first_us >= since_us))
    return cs
