"""The one event model every detector emits, with a stable JSON schema.

An event in JSON::

    {"schema": "orbwatch.event/1", "kind": "conjunction", "objects": [25544, 44797],
     "epoch": "2020-07-15T06:43:12.345Z", "start": ..., "end": ...,
     "metrics": {"miss_km": 0.41, ...}, "uncertainty": {...}, "confidence": 0.9,
     "evidence": {...}, "id": "<content hash>"}

The subject of a one-sided event (the manoeuvring object, the inspector,
the parent) comes first in ``objects``.  Times are ISO 8601 UTC with a
``Z``; inside Python they are integer microseconds since 1970.  ``id`` is a
digest of kind, objects and epoch (to the second) so that a detector run
twice over the same data yields the same ids.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from orbwatch.time import format_iso, parse_iso

__all__ = ["Event", "EVENT_KINDS", "SCHEMA", "EVENT_JSON_SCHEMA", "events_to_json",
           "events_from_json"]

SCHEMA = "orbwatch.event/1"

EVENT_KINDS = ("conjunction", "proximity", "maneuver", "release", "breakup", "decay",
               "launch", "inspection")

#: JSON Schema (draft 2020-12) of one serialised event
EVENT_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://orbwatch.example/schema/event-1.json",
    "title": "orbwatch event",
    "type": "object",
    "required": ["schema", "id", "kind", "objects", "epoch", "metrics", "confidence"],
    "properties": {
        "schema": {"const": SCHEMA},
        "id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        "kind": {"enum": list(EVENT_KINDS)},
        "objects": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "epoch": {"type": "string", "format": "date-time"},
        "start": {"type": ["string", "null"], "format": "date-time"},
        "end": {"type": ["string", "null"], "format": "date-time"},
        "metrics": {"type": "object"},
        "uncertainty": {"type": "object"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "evidence": {"type": "object"},
    },
    "additionalProperties": False,
}


def _clean(value: Any) -> Any:
    """JSON-safe values: NaN/inf become None, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Event:
    """Something a detector found: who, when, how much, how sure, and why."""

    kind: str
    objects: tuple[int, ...]
    epoch_us: int
    start_us: int | None = None
    end_us: int | None = None
    metrics: dict = field(default_factory=dict)
    uncertainty: dict = field(default_factory=dict)
    confidence: float = 1.0
    evidence: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; expected one of "
                             f"{', '.join(EVENT_KINDS)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")
        object.__setattr__(self, "objects", tuple(int(o) for o in self.objects))

    @property
    def id(self) -> str:
        # the epoch enters at the precision JSON carries (ms), so an event read
        # back from its JSON has the same id
        second = ((self.epoch_us + 500) // 1000) // 1000
        key = f"{self.kind}|{','.join(map(str, self.objects))}|{second}"
        return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "kind": self.kind,
            "objects": list(self.objects),
            "epoch": format_iso(self.epoch_us, 3),
            "start": None if self.start_us is None else format_iso(self.start_us, 3),
            "end": None if self.end_us is None else format_iso(self.end_us, 3),
            "metrics": _clean(self.metrics),
            "uncertainty": _clean(self.uncertainty),
            "confidence": float(self.confidence),
            "evidence": _clean(self.evidence),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False)

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        if d.get("schema", SCHEMA) != SCHEMA:
            raise ValueError(f"unsupported event schema {d.get('schema')!r}; expected {SCHEMA}")
        return cls(
            kind=d["kind"],
            objects=tuple(d["objects"]),
            epoch_us=parse_iso(d["epoch"]),
            start_us=parse_iso(d["start"]) if d.get("start") else None,
            end_us=parse_iso(d["end"]) if d.get("end") else None,
            metrics=dict(d.get("metrics", {})),
            uncertainty=dict(d.get("uncertainty", {})),
            confidence=float(d.get("confidence", 1.0)),
            evidence=dict(d.get("evidence", {})),
        )


def events_to_json(events) -> str:
    return json.dumps([e.to_dict() for e in events], indent=2)


def events_from_json(text: str) -> list[Event]:
    data = json.loads(text)
    if isinstance(data, dict):
        data = [data]
    return [Event.from_dict(d) for d in data]
