"""The main job, end to end on a scenario whose truth is known.

``run_demo`` builds the "all" scenario (an inspector, a release, an
interception, station keeping and a close conjunction over a background
catalogue), ingests it like real data, runs the monitor over it
(:func:`orbwatch.monitor.run_monitor`: every detector, the default code of
conduct, the evidence report) and scores what was found against the
planted truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.events import Event

__all__ = ["DemoResult", "run_demo", "score", "score_findings", "expected_rules", "MATCH_S",
           "UNPLANTED_CONFIDENCE"]

#: a detection matches a planted event of the same kind and objects this close in time (s)
MATCH_S = {"maneuver": 86_400, "conjunction": 60, "release": 3 * 86_400,
           "breakup": 86_400, "proximity": None}


#: no breach of the code may rest only on unplanted objects at or above this confidence
UNPLANTED_CONFIDENCE = 0.6


def expected_rules(truth: list[Event], objects) -> dict[str, list[str]]:
    """The rules of the default code each planted event breaches, by its id:
    the code applied to the truth itself (what a perfect detector would give)."""
    from orbwatch.norms import judge

    out: dict[str, set[str]] = {t.id: set() for t in truth}
    for f in judge(truth, objects):
        if f.verdict == "breach" and f.events and f.events[0] in out:
            out[f.events[0]].add(f.rule_id)  # the event judged (the rest are context)
    return {k: sorted(v) for k, v in out.items()}


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


def score_findings(rows: list[dict], truth: list[Event], findings: list[dict],
                   expected: dict[str, list[str]]) -> dict:
    """Adds to each score row the rules it must breach (``expected``, from
    :func:`expected_rules`) and the breaches resting on its detection; returns
    the breaches resting only on unplanted objects."""
    breaches = [f for f in findings if f.get("verdict") == "breach"]
    for row, t in zip(rows, truth, strict=True):
        row["expected_rules"] = expected.get(t.id, [])
        row["breaches"] = sorted({f["rule_id"] for f in breaches
                                  if f.get("events", [])[:1] == [row["detection_id"]]})
        row["right_finding"] = row["found"] and set(row["expected_rules"]) <= set(
            row["breaches"])
    planted = {n for t in truth for n in t.objects}
    for t in truth:
        planted.update(t.evidence.get("fragment_norads", []))
    unplanted = [f for f in breaches if not set(f.get("objects", [])) & planted]
    return {"unplanted_breaches": len(unplanted),
            "unplanted_breaches_confident": sum(
                1 for f in unplanted if f.get("confidence", 0) >= UNPLANTED_CONFIDENCE),
            "unplanted_max_confidence": max((f.get("confidence", 0) for f in unplanted),
                                            default=None)}


def run_demo(out_dir: str | Path, *, seed: int = 0, days: float = 30.0,
             background_size: int = 300, threshold_km: float = 5.0,
             progress: Callable[[str], None] | None = None) -> DemoResult:
    """Build, ingest, monitor (detect, judge, report), score.  Writes
    ``scenario/``, ``demo.db``, ``report/`` (``index.html``, ``report.json``),
    ``events.json`` (every detection), ``findings.json`` (the default code of
    conduct applied to them) and ``score.json`` into ``out_dir``."""
    from orbwatch.monitor import run_monitor
    from orbwatch.scenario import DEFAULT_START_US, build_scenario
    from orbwatch.store import Store, ingest_path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _say(progress, "building the scenario (planted truth over a background catalogue)")
    scen = build_scenario("all", out / "scenario", start_us=DEFAULT_START_US, days=days,
                          seed=seed, background_size=background_size)
    db = out / "demo.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = Store(db)
    for key in ("elements", "satcat"):
        rep = ingest_path(store, scen.paths[key])
        _say(progress, f"ingested {scen.paths[key].name}: {rep.added} added, "
                       f"{rep.rejected} rejected")
    mon = run_monitor(store, out / "report", threshold_km=threshold_km,
                      title="orbwatch demo: planted scenario", progress=progress)
    from orbwatch.monitor import MonitorState

    state = MonitorState(store)
    detections = state.events()
    findings = state.findings()
    (out / "findings.json").write_text(json.dumps(findings, indent=2))
    rows = score(scen.truth_events, detections)
    judged = score_findings(rows, scen.truth_events, findings,
                            expected_rules(scen.truth_events, store.objects()))
    planted = {n for t in scen.truth_events for n in t.objects}
    stats = {"objects": scen.n_objects, "element_sets": scen.n_sets,
             "planted_events": len(rows), "found": sum(r["found"] for r in rows),
             "detections": len(detections),
             "detections_on_planted_objects": sum(
                 1 for d in detections if set(d.objects[:2]) & planted),
             "findings": len(findings),
             "breaches": sum(1 for f in findings if f["verdict"] == "breach"),
             "right_findings": sum(r["right_finding"] for r in rows), **judged,
             "monitor_seconds": mon.to_dict()["seconds"]}
    (out / "events.json").write_text(json.dumps([e.to_dict() for e in detections], indent=1))
    (out / "score.json").write_text(json.dumps({"stats": stats, "planted": rows}, indent=1))
    store.close()
    return DemoResult(out, scen.truth_events, detections, findings, rows, stats)
