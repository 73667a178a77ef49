"""The inspector pattern: one object that relocates and parks near a sequence of
different (foreign-owned) objects, reported as one ``inspection`` event.

Input is the proximity events of :func:`orbwatch.detect.proximity.detect_proximity`
over a stored history (or several catalogue snapshots).  For each object, its
visits (proximity events labelled as approaches, not docked stacks,
formations, constellations, same-owner clusters, passive debris or natural
drift-throughs) are ordered by start; the targets it reaches one after the
other (each visit starting after the previous target's visit ended, within
``overlap_s``) form its sequence.  Two or more targets make an inspection.
The common object of the sequence is the subject; a target seen once is not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from orbwatch.elements.model import ElementSet
from orbwatch.events import Event
from orbwatch.time import format_iso

__all__ = ["APPROACH_LABELS", "detect_inspections", "inspect_history"]

#: proximity labels that count as a visit
APPROACH_LABELS = ("foreign approach", "unattributed approach")


def detect_inspections(events: Sequence[Event], *, min_targets: int = 2,
                       labels: Sequence[str] = APPROACH_LABELS,
                       overlap_s: float = 3600.0) -> list[Event]:
    """One ``inspection`` event per object that visits ``min_targets`` or more
    different objects in sequence (see the module docstring)."""
    visits: dict[int, list[tuple[int, Event]]] = defaultdict(list)
    for ev in events:
        if ev.kind != "proximity" or ev.evidence.get("label") not in labels:
            continue
        a, b = ev.objects[:2]
        visits[a].append((b, ev))
        visits[b].append((a, ev))
    out = []
    for x, vs in sorted(visits.items()):
        vs.sort(key=lambda v: (v[1].start_us, v[0]))
        seq: list[tuple[int, list[Event]]] = []
        for target, ev in vs:
            if seq and seq[-1][0] == target:
                seq[-1][1].append(ev)
                continue
            if any(t == target for t, _ in seq):
                continue  # a return visit: kept with the first one
            prev_end = max(e.end_us for e in seq[-1][1]) if seq else None
            if prev_end is not None and ev.start_us < prev_end - int(overlap_s * 1e6):
                continue  # simultaneous neighbours are not a sequence
            seq.append((target, [ev]))
        if len(seq) < min_targets:
            continue
        out.append(_inspection(x, seq))
    out.sort(key=lambda e: (e.epoch_us, e.objects))
    return out


def _side(ev: Event, norad: int) -> int:
    return 0 if ev.objects[0] == norad else 1


def _inspection(x: int, seq: list[tuple[int, list[Event]]]) -> Event:
    targets = []
    moved = 0
    inspector_name = inspector_owner = None
    for target, evs in seq:
        best = min(evs, key=lambda e: e.metrics.get("min_range_km", float("inf")))
        k = _side(best, x)
        inspector_name = inspector_name or best.evidence.get("names", [None, None])[k]
        inspector_owner = inspector_owner or best.evidence.get("owners", [None, None])[k]
        subject_here = any(e.objects[0] == x and e.evidence.get("manoeuvre") for e in evs)
        moved += subject_here
        targets.append({
            "norad": target,
            "name": best.evidence.get("names", [None, None])[1 - k],
            "owner": best.evidence.get("owners", [None, None])[1 - k],
            "start": format_iso(min(e.start_us for e in evs), 0),
            "end": format_iso(max(e.end_us for e in evs), 0),
            "min_range_km": best.metrics.get("min_range_km"),
            "closest": format_iso(best.epoch_us, 0),
            "inspector_manoeuvred": subject_here,
            "proximity_event_ids": [e.id for e in evs],
        })
    foreign = [t["owner"] is not None and inspector_owner is not None
               and t["owner"] != inspector_owner for t in targets]
    all_evs = [e for _, evs in seq for e in evs]
    return Event(
        kind="inspection",
        objects=(x, *(t for t, _ in seq)),
        epoch_us=min(e.start_us for e in all_evs),
        start_us=min(e.start_us for e in all_evs),
        end_us=max(e.end_us for e in all_evs),
        metrics={"targets": len(seq),
                 "min_range_km": min(t["min_range_km"] for t in targets),
                 "duration_s": sum(e.metrics.get("duration_s", 0.0) for e in all_evs),
                 "relocations_seen": moved},
        uncertainty={"start_end_s": 60.0},
        confidence=0.9 if moved else 0.6,
        evidence={"inspector": {"norad": x, "name": inspector_name, "owner": inspector_owner},
                  "targets": targets, "foreign_targets": sum(foreign),
                  "method": "sequence of proximity approaches to different objects"},
    )


def inspect_history(history: Sequence[ElementSet], start_us: int, stop_us: int,
                    **kwargs) -> tuple[list[Event], list[Event]]:
    """Proximity events over a history window and the inspections they form.
    Keyword arguments go to :func:`orbwatch.detect.proximity.detect_proximity`."""
    from orbwatch.detect.proximity import detect_proximity

    report = detect_proximity(history, start_us, stop_us, **kwargs)
    return report.events, detect_inspections(report.events)
