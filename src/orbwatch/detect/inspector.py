"""The inspector pattern: one object that relocates and parks near a sequence of
different (foreign-owned) objects, reported as one ``inspection`` event with
its sequence of targets.

Input is the proximity events of :func:`orbwatch.detect.proximity.detect_proximity`
over a stored history or over several catalogue snapshots (one window per
snapshot: :func:`inspect_snapshots`).  For each object:

1. Its *visits* are the proximity events labelled as approaches (not docked
   stacks, formations, constellations, same-owner clusters, passive debris or
   natural drift-throughs) with a minimum range within ``park_km``.
2. Visits that overlap in time (by more than ``overlap_s``) form one *stop*; the stop's target is the
   nearest object there (the others are listed as also near: a GEO inspector
   parked at a slot is within range of the slot's whole fleet).
3. Consecutive stops at the same target merge (parked across snapshots).  A
   stop at a new target counts only when the object itself moved there: in
   GEO its longitude changed by ``relocation_deg`` or more since the previous
   stop (a neighbour arriving at a parked object does not make the parked
   one an inspector); elsewhere its element-set history shows a manoeuvre
   before the visit.
4. ``min_targets`` or more targets make one inspection.
5. Over catalogue snapshots, :func:`assess_mobility` adds the GEO inspector's
   longitude track and how often it moved between controlled positions: a
   roving inspector (Luch/Olymp, GSSAP) keeps moving; a satellite moved once
   to a new operational slot reads as a two-target sequence too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from orbwatch.elements.model import ElementSet
from orbwatch.events import Event
from orbwatch.time import format_iso

__all__ = ["APPROACH_LABELS", "DEFAULT_PARK_KM", "assess_mobility", "detect_inspections",
           "inspect_history", "inspect_snapshots", "median_epoch"]

#: proximity labels that count as a visit
APPROACH_LABELS = ("foreign approach", "unattributed approach")
#: largest minimum range of a visit, per regime (see docs/proximity_findings.md)
DEFAULT_PARK_KM = {"leo": 50.0, "meo": 100.0, "heo": 50.0, "geo": 120.0}
_SIDEREAL_REV_DAY = 1.00273791  # geostationary mean motion


def _side(ev: Event, norad: int) -> int:
    return 0 if ev.objects[0] == norad else 1


def _longitude(ev: Event, norad: int) -> float | None:
    lons = ev.evidence.get("longitudes_deg")
    return None if not lons else lons[_side(ev, norad)]


def _moved(ev: Event, norad: int) -> bool:
    m = ev.evidence.get("manoeuvre")
    return bool(m and m.get("norad") == norad)


def _stops(x: int, visits: list[Event], overlap_s: float) -> list[list[Event]]:
    """Visits that overlap in time (by more than ``overlap_s``) grouped into stops."""
    visits = sorted(visits, key=lambda e: (e.start_us, e.end_us))
    stops: list[list[Event]] = []
    for ev in visits:
        if stops and ev.start_us < max(e.end_us for e in stops[-1]) - int(overlap_s * 1e6):
            stops[-1].append(ev)
        else:
            stops.append([ev])
    return stops


def _nearest(stop: list[Event]) -> Event:
    return min(stop, key=lambda e: (e.metrics.get("min_range_km", float("inf")), e.start_us))


def detect_inspections(events: Sequence[Event], *, min_targets: int = 2,
                       labels: Sequence[str] = APPROACH_LABELS,
                       park_km: dict[str, float] | None = None,
                       relocation_deg: float = 0.5,
                       overlap_s: float = 3600.0) -> list[Event]:
    """One ``inspection`` event per object that visits ``min_targets`` or more
    different objects in turn, moving from one to the next (see the module
    docstring)."""
    park = {**DEFAULT_PARK_KM, **(park_km or {})}
    visits: dict[int, list[Event]] = defaultdict(list)
    for ev in events:
        if ev.kind != "proximity" or ev.evidence.get("label") not in labels:
            continue
        if ev.metrics.get("min_range_km", float("inf")) > park.get(ev.evidence.get("regime"),
                                                                    float("inf")):
            continue
        for n in ev.objects[:2]:
            visits[n].append(ev)
    out = []
    for x, vs in sorted(visits.items()):
        seq: list[dict] = []
        for stop in _stops(x, vs, overlap_s):
            best = _nearest(stop)
            target = best.objects[1 - _side(best, x)]
            lon = _longitude(best, x)
            if seq and seq[-1]["target"] == target:
                seq[-1]["events"] += stop
                seq[-1]["lon_last"] = lon
                continue
            if seq:
                prev = seq[-1]["lon_last"]
                if lon is not None and prev is not None:
                    moved = abs((lon - prev + 180.0) % 360.0 - 180.0) >= relocation_deg
                else:
                    moved = any(_moved(e, x) for e in stop)
                if not moved:
                    continue
            if any(s["target"] == target for s in seq):
                continue  # a return visit: kept with the first one
            seq.append({"target": target, "events": list(stop), "lon_first": lon,
                        "lon_last": lon, "moved": bool(seq)})
        if len(seq) >= min_targets:
            out.append(_inspection(x, seq))
    out.sort(key=lambda e: (e.epoch_us, e.objects))
    return out


def _inspection(x: int, seq: list[dict]) -> Event:
    targets = []
    inspector_name = inspector_owner = None
    for stop in seq:
        evs = stop["events"]
        mine = [e for e in evs if stop["target"] in e.objects]
        best = _nearest(mine)
        k = _side(best, x)
        inspector_name = inspector_name or best.evidence.get("names", [None, None])[k]
        inspector_owner = inspector_owner or best.evidence.get("owners", [None, None])[k]
        near = {}
        for e in evs:
            other = e.objects[1 - _side(e, x)]
            if other != stop["target"]:
                near[other] = e.evidence.get("names", [None, None])[1 - _side(e, x)]
        targets.append({
            "norad": stop["target"],
            "name": best.evidence.get("names", [None, None])[1 - k],
            "owner": best.evidence.get("owners", [None, None])[1 - k],
            "start": format_iso(min(e.start_us for e in mine), 0),
            "end": format_iso(max(e.end_us for e in mine), 0),
            "min_range_km": best.metrics.get("min_range_km"),
            # 1 sigma of that minimum (the proximity event's error bar; None unknown)
            "min_range_sigma_km": (best.uncertainty or {}).get("min_range_km"),
            "closest": format_iso(best.epoch_us, 0),
            "longitude_deg": stop["lon_first"],
            "relocated_here": stop["moved"],
            "inspector_manoeuvred": any(_moved(e, x) for e in mine),
            "also_near": [{"norad": n, "name": nm} for n, nm in sorted(near.items())],
            "proximity_event_ids": [e.id for e in mine],
        })
    foreign = [t["owner"] is not None and inspector_owner is not None
               and t["owner"] != inspector_owner for t in targets]
    all_evs = [e for s in seq for e in s["events"] if s["target"] in e.objects]
    nearest = min(targets, key=lambda t: t["min_range_km"])
    return Event(
        kind="inspection",
        objects=(x, *(s["target"] for s in seq)),
        epoch_us=min(e.start_us for e in all_evs),
        start_us=min(e.start_us for e in all_evs),
        end_us=max(e.end_us for e in all_evs),
        metrics={"targets": len(seq),
                 "min_range_km": nearest["min_range_km"],
                 "duration_s": sum(e.metrics.get("duration_s", 0.0) for e in all_evs),
                 "relocations_seen": sum(s["moved"] for s in seq)},
        # the nearest stop's error bar goes with the inspection's minimum range
        uncertainty={"start_end_s": 60.0, "min_range_km": nearest["min_range_sigma_km"]},
        confidence=0.9 if sum(foreign) >= 2 else 0.6,
        evidence={"inspector": {"norad": x, "name": inspector_name, "owner": inspector_owner},
                  "targets": targets, "foreign_targets": sum(foreign),
                  "method": "nearest approach per stop; a new target counts when the "
                            "inspector moved there (GEO longitude change, else a manoeuvre)"},
    )


def inspect_history(history: Sequence[ElementSet], start_us: int, stop_us: int,
                    **kwargs) -> tuple[list[Event], list[Event]]:
    """Proximity events over a history window and the inspections they form.
    Keyword arguments go to :func:`orbwatch.detect.proximity.detect_proximity`."""
    from orbwatch.detect.proximity import detect_proximity

    report = detect_proximity(history, start_us, stop_us, **kwargs)
    return report.events, detect_inspections(report.events)


def median_epoch(sets: Sequence[ElementSet]) -> int:
    """The median epoch (us) of a catalogue snapshot's sets."""
    epochs = sorted(s.epoch_us for s in sets)
    return epochs[len(epochs) // 2]


def assess_mobility(inspections: Sequence[Event], snapshots: Sequence[Sequence[ElementSet]],
                    *, relocation_deg: float = 0.5, roving: float = 0.6, min_snapshots: int = 4,
                    max_drift_deg_day: float = 2.0, max_inclination_deg: float = 1.0
                    ) -> list[Event]:
    """GEO inspections with the inspector's longitude track over the snapshots
    (at each snapshot's median epoch) and its ``mobility``: the share of
    intervals between consecutive *controlled* snapshots in which it moved
    ``relocation_deg`` or more.  A snapshot counts as controlled when the
    object drifts slower than ``max_drift_deg_day`` (a graveyard orbit ~300 km
    up drifts 3-6 deg/day) with an inclination below ``max_inclination_deg``
    (a dead satellite's grows ~0.8 deg a year); retired and broken-up
    satellites drifting through the belt would otherwise read as roving.

    An object seen controlled in ``min_snapshots`` or more snapshots with
    ``mobility >= roving`` is a roving inspector (confidence 0.9 when two or more
    of its targets are foreign-owned, else 0.6: it roves among its own or
    unattributed objects); otherwise the sequence may be a move to a new
    operational slot (0.5).  Inspections outside GEO are returned unchanged."""
    from orbwatch.detect.proximity import longitude_deg

    mids = sorted(((median_epoch(s), {x.norad: x for x in s}) for s in snapshots if s),
                  key=lambda p: p[0])
    out = []
    for ev in inspections:
        x = ev.objects[0]
        if all(t.get("longitude_deg") is None for t in ev.evidence.get("targets", [])):
            out.append(ev)
            continue
        track = [{"date": format_iso(t, 0)[:10], "lon": round(longitude_deg(by[x], t), 2),
                  "drift_deg_day": round((by[x].mean_motion - _SIDEREAL_REV_DAY) * 360.0, 3),
                  "inclination": round(by[x].inclination, 3)} for t, by in mids if x in by]
        kept = [p["lon"] for p in track if abs(p["drift_deg_day"]) < max_drift_deg_day
                and p["inclination"] < max_inclination_deg]
        moves = sum(abs((b - a + 180.0) % 360.0 - 180.0) >= relocation_deg
                    for a, b in zip(kept, kept[1:], strict=False))
        mobility = moves / (len(kept) - 1) if len(kept) > 1 else 0.0
        strong = len(kept) >= min_snapshots and mobility >= roving
        foreign = ev.evidence.get("foreign_targets", 0) >= 2
        out.append(replace(
            ev, confidence=(0.9 if foreign else 0.6) if strong else 0.5,
            metrics={**ev.metrics, "mobility": round(mobility, 3),
                     "controlled_snapshots": len(kept), "snapshots_seen": len(track)},
            evidence={**ev.evidence, "longitude_track": track,
                      "assessment": "roving inspector" if strong else
                      "few relocations: a move to a new operational slot reads the same"}))
    return out


def inspect_snapshots(snapshots: Sequence[Sequence[ElementSet]], *, days: float = 1.0,
                      **kwargs) -> tuple[list[Event], list[Event]]:
    """Proximity events of each catalogue snapshot (a window of ``days`` centred
    on its median epoch, its own sets only) and the inspections across them,
    assessed by :func:`assess_mobility`.  Keyword arguments go to
    :func:`orbwatch.detect.proximity.detect_proximity`."""
    from orbwatch.detect.proximity import detect_proximity

    events: list[Event] = []
    half = int(days * 43_200e6)
    for sets in snapshots:
        if sets:
            mid = median_epoch(sets)
            events += detect_proximity(sets, mid - half, mid + half, **kwargs).events
    return events, assess_mobility(detect_inspections(events), snapshots)
