"""The main job, end to end on a scenario whose truth is known.

``run_demo`` builds the "all" scenario (an inspector, a release, an
interception, station keeping and a close conjunction over a background
catalogue), ingests it like real data, runs every detector over the stored
history (manoeuvres, conjunction screening day by day, proximity operations,
origin of new objects, breakup forensics) and scores what they found against
the planted truth.  Until the code-of-conduct engine and the report exist,
this is what ``orbwatch demo`` runs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.events import Event

__all__ = ["DemoResult", "run_demo", "score"]

#: a detection matches a planted event of the same kind and objects this close in time (s)
MATCH_S = {"maneuver": 86_400, "conjunction": 60, "release": 3 * 86_400,
           "breakup": 86_400, "proximity": None}


@dataclass
class DemoResult:
    out_dir: Path
    truth: list[Event]
    detections: list[Event]
    findings: list = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def _say(progress, text: str) -> None:
    if progress is not None:
        progress(text)


def _conjunctions(history, start_us: int, stop_us: int, objects, threshold_km: float):
    """Screen day by day, each object with its set nearest the middle of the day."""
    from orbwatch.propagate import nearest_sets
    from orbwatch.screen import assess, screen

    out = []
    day = 86_400_000_000
    for t0 in range(start_us, stop_us, day):
        t1 = min(t0 + day, stop_us)
        sets = [s for s in nearest_sets(history, (t0 + t1) // 2)
                if abs(s.epoch_us - (t0 + t1) // 2) < 7 * day]
        res = screen(sets, t0, t1, threshold_km=threshold_km, workers=1)
        res.proximities = []  # co-moving pairs are the proximity detector's business
        out += [e for e in assess(res, sets, threshold_km=threshold_km, objects=objects).events
                if e.kind == "conjunction"]
    return out


def _forensics(history, start_us: int):
    """Origin of objects first catalogued inside the window, and the breakup
    of any cloud of new objects from one event (fragments numbered 800000+)."""
    from orbwatch.forensics import estimate_breakup, find_origin

    by = defaultdict(list)
    for s in history:
        by[s.norad].append(s)
    new = [n for n, sets in by.items() if min(s.epoch_us for s in sets) > start_us + 86_400e6]
    fragments = [n for n in new if n >= 800_000]
    singles = [n for n in new if n < 800_000]
    events = []
    catalog = [s for n, sets in by.items() if n not in new for s in sets]
    for n in singles:
        res = find_origin(by[n], catalog)
        if res.best is not None:
            events.append(res.to_event())
    if len(fragments) >= 10:
        frag_sets = [s for n in fragments for s in by[n]]
        parent = _parent_of(frag_sets, by, fragments)
        res = estimate_breakup(frag_sets, parent=parent)
        events.append(res.to_event())
    return events


def _parent_of(frag_sets, by, fragments):
    """The catalogued object of the fragments' launch (same international
    designator prefix), with its last set before the first fragment appeared."""
    prefixes = {s.intldes[:8] for s in frag_sets if s.intldes}
    if len(prefixes) != 1:
        return None
    prefix = prefixes.pop()
    first = min(s.epoch_us for s in frag_sets)
    for n, sets in by.items():
        if n in fragments or not any((s.intldes or "").startswith(prefix) for s in sets):
            continue
        before = [s for s in sets if s.epoch_us < first]
        if before:
            return max(before, key=lambda s: s.epoch_us)
    return None


def score(truth: list[Event], detections: list[Event]) -> list[dict]:
    """For every planted event, the detection that matches it (same kind, same
    objects, close in time), if any."""
    rows = []
    for t in truth:
        best, best_dt = None, None
        for d in detections:
            if d.kind != t.kind:
                continue
            if t.kind == "breakup":
                same = True
            elif t.kind in ("maneuver",):
                same = d.objects[:1] == t.objects[:1]
            elif t.kind == "release":
                same = set(d.objects[:2]) == set(t.objects[:2])
            else:
                same = set(d.objects[:2]) == set(t.objects[:2])
            if not same:
                continue
            if t.kind == "proximity":
                overlap = (d.start_us or d.epoch_us) <= (t.end_us or t.epoch_us) and \
                    (d.end_us or d.epoch_us) >= (t.start_us or t.epoch_us)
                dt = 0.0 if overlap else None
            else:
                dt = abs(d.epoch_us - t.epoch_us) / 1e6
                if dt > MATCH_S[t.kind]:
                    dt = None
            if dt is not None and (best_dt is None or dt < best_dt):
                best, best_dt = d, dt
        rows.append({"kind": t.kind, "objects": list(t.objects), "truth_epoch": t.to_dict()["epoch"],
                     "found": best is not None, "time_error_s": best_dt,
                     "detection_id": best.id if best is not None else None,
                     "what": t.evidence.get("what")})
    return rows


def run_demo(out_dir: str | Path, *, seed: int = 0, days: float = 30.0,
             background_size: int = 300, threshold_km: float = 5.0,
             progress: Callable[[str], None] | None = None) -> DemoResult:
    """Build, ingest, detect, judge, report, score.  Writes ``scenario/``,
    ``demo.db``, ``events.json`` (every detection), ``findings.json`` (the
    default code of conduct applied to them), ``report/index.html`` (the
    self-contained evidence report) and ``score.json`` into ``out_dir``."""
    from orbwatch.detect.maneuvers import maneuver_events
    from orbwatch.detect.proximity import detect_proximity
    from orbwatch.scenario import DEFAULT_START_US, build_scenario
    from orbwatch.store import Store, ingest_path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start_us = DEFAULT_START_US
    stop_us = start_us + int(days * 86_400e6)
    _say(progress, "building the scenario (planted truth over a background catalogue)")
    scen = build_scenario("all", out / "scenario", start_us=start_us, days=days, seed=seed,
                          background_size=background_size)
    db = out / "demo.db"
    if db.exists():
        db.unlink()
    store = Store(db)
    for key in ("elements", "satcat"):
        rep = ingest_path(store, scen.paths[key])
        _say(progress, f"ingested {scen.paths[key].name}: {rep.added} added, "
                       f"{rep.rejected} rejected")
    history = store.element_sets()
    objects = {o["norad"]: o for o in store.objects()}
    by = defaultdict(list)
    for s in history:
        by[s.norad].append(s)
    _say(progress, "detecting manoeuvres")
    detections: list[Event] = []
    for _n, sets in by.items():
        if len(sets) >= 12:
            detections += maneuver_events(sets)
    _say(progress, "screening for conjunctions, day by day")
    detections += _conjunctions(history, start_us, stop_us, objects, threshold_km)
    _say(progress, "looking for proximity operations")
    detections += detect_proximity(history, start_us, stop_us, objects=objects).events
    _say(progress, "forensics of new objects")
    detections += _forensics(history, start_us)
    detections.sort(key=lambda e: (e.epoch_us, e.kind))
    _say(progress, "judging the events against the default code of conduct")
    from orbwatch.norms import findings_to_json, judge

    findings = judge(detections, store.objects())
    (out / "findings.json").write_text(findings_to_json(findings))
    _say(progress, "writing the evidence report")
    from orbwatch.report import write_report

    write_report(out / "report", detections, findings, store=store,
                 title="orbwatch demo: planted scenario")
    rows = score(scen.truth_events, detections)
    planted = {n for t in scen.truth_events for n in t.objects}
    stats = {"objects": scen.n_objects, "element_sets": scen.n_sets,
             "planted_events": len(rows), "found": sum(r["found"] for r in rows),
             "detections": len(detections),
             "detections_on_planted_objects": sum(
                 1 for d in detections if set(d.objects[:2]) & planted),
             "findings": len(findings),
             "breaches": sum(1 for f in findings if f.verdict == "breach")}
    (out / "events.json").write_text(json.dumps([e.to_dict() for e in detections], indent=1))
    (out / "score.json").write_text(json.dumps({"stats": stats, "planted": rows}, indent=1))
    return DemoResult(out, scen.truth_events, detections, findings, rows, stats)
