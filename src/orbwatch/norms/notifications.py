"""Declared intentions (notifications) and their matching to events.

A notifications file is a JSON list of records::

    {"id": "N-1", "party": "RED", "type": "maneuver", "objects": [99001],
     "start": "2023-04-15T00:00:00Z", "end": "2023-04-16T00:00:00Z",
     "delta_v_mps": 2.0, "min_distance_km": 5.0,
     "issued": "2023-04-10T00:00:00Z", "signature": "..."}

``type`` is ``maneuver``, ``proximity`` or ``launch``; ``id``,
``delta_v_mps``, ``min_distance_km`` and ``issued`` are optional.
A notifications *file* is taken at its word (its ``signature`` is kept, not
checked: this stage knows no keys).  Signed notifications come from the
hotline's log: :func:`orbwatch.hotline.bridge.notifications_from_log`
verifies each entry against the key its author held at that point of the
log and yields the same :class:`Notification` records, which the monitor
(``orbwatch watch --hotline URL``) passes to :func:`~orbwatch.norms.judge`.

A notification covers an event when its party is among the parties of the
event's subject, it names the subject (and, for approaches naming two or
more objects, the other object too), its type fits the event's kind
(:data:`COVERS`), and its window holds the event (a manoeuvre's bracket
overlaps it; any other event's epoch lies in it, widened by the epoch
uncertainty).  A covering notification is *late* when issued after the
event began and *exceeded* when the event went beyond what it declared
(delta-v above, or closest range below, the declared value by more than
:data:`TOLERANCE`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.events import Event
from orbwatch.norms.errors import NotificationError
from orbwatch.time import parse_iso

__all__ = ["Notification", "NotificationMatch", "COVERS", "TOLERANCE", "load_notifications",
           "parse_notifications", "match_notifications"]

#: notification type -> event kinds it covers
COVERS = {"maneuver": ("maneuver",), "proximity": ("proximity", "inspection"),
          "launch": ("launch", "release")}
#: relative slack before a declared delta-v or minimum distance counts as exceeded
TOLERANCE = 0.5


@dataclass(frozen=True)
class Notification:
    id: str
    party: str
    type: str
    objects: tuple[int, ...]
    start_us: int
    end_us: int
    delta_v_mps: float | None = None
    min_distance_km: float | None = None
    issued_us: int | None = None
    signature: str | None = None  # verified by the hotline bridge; a file's is kept as given


@dataclass
class NotificationMatch:
    """``status``: notified | late | exceeded | none; ``ids`` of the covering
    notifications; ``notes`` say why a covering one does not count."""

    status: str = "none"
    ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def notified(self) -> bool:
        return self.status == "notified"


def _req(rec: dict, key: str, i: int, path: str | None, kind, expected: str):
    if key not in rec:
        raise NotificationError("missing field", path=path, record=i, field=key,
                                expected=expected)
    v = rec[key]
    if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
        raise NotificationError("wrong type", path=path, record=i, field=key,
                                expected=expected, found=repr(v))
    return v


def _time(rec: dict, key: str, i: int, path: str | None, required: bool = True) -> int | None:
    if not required and rec.get(key) is None:
        return None
    text = _req(rec, key, i, path, str, "an ISO 8601 UTC time")
    try:
        return parse_iso(text)
    except ValueError:
        raise NotificationError("not a time", path=path, record=i, field=key,
                                expected="an ISO 8601 UTC time", found=text) from None


def _num(rec: dict, key: str, i: int, path: str | None) -> float | None:
    if rec.get(key) is None:
        return None
    v = _req(rec, key, i, path, (int, float), "a positive number")
    if v <= 0:
        raise NotificationError("not positive", path=path, record=i, field=key,
                                expected="a positive number", found=repr(v))
    return float(v)


def parse_notifications(data, path: str | None = None) -> list[Notification]:
    """Validate decoded JSON (a list of records) into notifications."""
    if isinstance(data, dict):
        data = data.get("notifications", [data])
    if not isinstance(data, list):
        raise NotificationError("not a list of notifications", path=path,
                                expected="a JSON list", found=type(data).__name__)
    out = []
    for i, rec in enumerate(data, 1):
        if not isinstance(rec, dict):
            raise NotificationError("not an object", path=path, record=i,
                                    expected="a JSON object", found=type(rec).__name__)
        kind = _req(rec, "type", i, path, str, " | ".join(COVERS))
        if kind not in COVERS:
            raise NotificationError("unknown type", path=path, record=i, field="type",
                                    expected=" | ".join(COVERS), found=kind)
        objs = _req(rec, "objects", i, path, list, "a list of catalogue numbers")
        if not objs or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0
                               for o in objs):
            raise NotificationError("bad objects", path=path, record=i, field="objects",
                                    expected="a non-empty list of catalogue numbers",
                                    found=repr(objs))
        start, end = _time(rec, "start", i, path), _time(rec, "end", i, path)
        if end < start:
            raise NotificationError("window ends before it starts", path=path, record=i,
                                    field="end", expected=f"at or after {rec['start']}",
                                    found=rec["end"])
        sig = rec.get("signature")
        out.append(Notification(
            id=str(rec.get("id") or f"notification-{i}"),
            party=_req(rec, "party", i, path, str, "a SATCAT owner code").strip().upper(),
            type=kind, objects=tuple(objs), start_us=start, end_us=end,
            delta_v_mps=_num(rec, "delta_v_mps", i, path),
            min_distance_km=_num(rec, "min_distance_km", i, path),
            issued_us=_time(rec, "issued", i, path, required=False),
            signature=None if sig is None else str(sig)))
    return out


def load_notifications(path: str | Path) -> list[Notification]:
    """Read and validate a notifications JSON file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NotificationError(f"cannot read: {exc.strerror or exc}", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise NotificationError(f"not JSON: {exc.msg}", path=str(p), line=exc.lineno) from None
    return parse_notifications(data, str(p))


def _covers_time(n: Notification, ev: Event) -> bool:
    if ev.kind == "maneuver" and ev.start_us is not None and ev.end_us is not None:
        return ev.start_us <= n.end_us and ev.end_us >= n.start_us
    slack = int(float(ev.uncertainty.get("epoch_s") or 0.0) * 1e6)
    return n.start_us - slack <= ev.epoch_us <= n.end_us + slack


def _exceeded(n: Notification, ev: Event) -> str | None:
    m = ev.metrics
    dv = m.get("delta_v_mps")
    if dv is None and m.get("dv_kms") is not None:
        dv = 1e3 * m["dv_kms"]
    if n.delta_v_mps is not None and dv is not None and dv > n.delta_v_mps * (1 + TOLERANCE):
        return f"{n.id}: delta-v {dv:.3g} m/s above the declared {n.delta_v_mps:.3g} m/s"
    rng = m.get("min_range_km", m.get("miss_km"))
    if n.min_distance_km is not None and rng is not None and \
            rng < n.min_distance_km * (1 - TOLERANCE):
        return f"{n.id}: closest range {rng:.3g} km below the declared {n.min_distance_km:.3g} km"
    return None


def match_notifications(ev: Event, parties: Iterable[str],
                        notifications: Iterable[Notification]) -> NotificationMatch:
    """How ``notifications`` cover ``ev``, whose subject answers to ``parties``."""
    parties = {p.upper() for p in parties}
    subject, others = ev.objects[0], set(ev.objects[1:2])
    out = NotificationMatch()
    for n in notifications:
        if ev.kind not in COVERS[n.type] or subject not in n.objects or not _covers_time(n, ev):
            continue
        if len(n.objects) > 1 and others and not others <= set(n.objects):
            continue
        if n.party not in parties:
            out.notes.append(f"{n.id}: notified by {n.party}, not by the subject's "
                             f"party ({', '.join(sorted(parties))})")
            continue
        out.ids.append(n.id)
        start = ev.start_us if ev.start_us is not None else ev.epoch_us
        if n.issued_us is not None and n.issued_us > start:
            out.notes.append(f"{n.id}: issued after the event began")
            out.status = out.status if out.status == "notified" else "late"
            continue
        why = _exceeded(n, ev)
        if why:
            out.notes.append(why)
            out.status = out.status if out.status == "notified" else "exceeded"
            continue
        out.status = "notified"
    return out
