"""Manoeuvre detection against operator logs (Shorten et al. TLE benchmark) and ISS.

    python benchmarks/maneuvers.py [--data ../shared/data] [--json OUT]

Truth: the RAW operator logs (``raw_manoeuvres``; the benchmark YAML files are
late by 1 day / 8 h).  Burns closer than ``MERGE_DAYS`` (1 day, about the TLE
cadence) are merged into one event at the first burn's start.  Only truth
inside the span of the TLE history (first to last epoch) and *observable* is
scored: a set within ``OBSERVABLE_DAYS`` before and after it (TOPEX has years
without a single set; nothing can date a burn there), and not *orbit-neutral*:
burns that cancel, at one argument of latitude, leave the orbit as it was
(:func:`neutral_truth`; Jason-2's cross-track pairs of 2018-2019).  The excluded events
are counted and the pooled scores with them are printed too.  A detection
that matches such an excluded burn (and no scored one) is neither true nor
false: it is left out of the detections and counted as *ignored* (:func:`scored`).
A detection's time is its estimated epoch; matching is one-to-one, greedy by
time difference, within +-1 day and +-12 h.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from orbwatch.detect.maneuver_features import history_arrays
from orbwatch.detect.maneuver_net import net_change_delta_v
from orbwatch.detect.maneuver_scoring import (
    epoch_coverage,
    per_event,
    reliability,
    scored,
    step_truth,
)
from orbwatch.detect.maneuver_types import (
    CONFIDENCE_BIAS,
    CONFIDENCE_CAP_LOG,
    CONFIDENCE_SLOPE,
    fit_confidence,
    log_ratio,
)
from orbwatch.detect.maneuvers import (
    DEFAULT_THRESHOLD,
    detect_maneuvers,
    match_times,
    merge_close_times,
    prepare_history,
    score_matches,
)
from orbwatch.elements.maneuver_logs import load_operator_log, neutral_residual, orbit_neutral
from orbwatch.elements.readers import read_path
from orbwatch.time import format_iso, us_from_datetime64

__all__ = ["SATELLITES", "MERGE_DAYS", "OBSERVABLE_DAYS", "operator_log", "load_case",
           "evaluate", "scored",
           "unobservable_truth", "neutral_entries", "neutral_truth",
           "leave_one_out", "reliability", "iss_truth", "evaluate_iss",
           "false_alarms_in_log_gaps", "case_detections", "recall_by_delta_v",
           "delta_v_against_logs", "epoch_against_logs", "calibration_check",
           "logs_against_sets", "main"]

DAY_US = 86_400_000_000
MERGE_DAYS = 1.0
OBSERVABLE_DAYS = 3.0
#: TLE file stem -> (raw log, regime)
SATELLITES = {
    "CryoSat-2": ("cs2man.txt", "LEO"), "Jason-1": ("ja1man.txt", "LEO"),
    "Jason-2": ("ja2man.txt", "LEO"), "TOPEX": ("topman.txt", "LEO"),
    "Sentinel-3A": ("s3aman.txt", "LEO"), "Sentinel-6A": ("s6aman.txt", "LEO"),
    "Fengyun-2D": ("manFY2D.txt.fy", "GEO"), "Fengyun-2E": ("manFY2E.txt.fy", "GEO"),
    "Fengyun-2F": ("manFY2F.txt.fy", "GEO"), "Fengyun-4A": ("manFY4A.txt.fy", "GEO"),
}
TOLERANCES = {"1d": DAY_US, "12h": DAY_US // 2}
THRESHOLDS = (4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 16.0, 24.0)


def default_data() -> Path:
    env = os.environ.get("ORBWATCH_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


@functools.cache
def unobservable_truth(data: Path, name: str) -> np.ndarray:
    """The logged burns (merged, within the history) that ``load_case`` leaves out."""
    _, everything = load_case(data, name, observable_only=False)
    _, observable = load_case(data, name)
    return np.setdiff1d(everything, observable)


@functools.cache
def operator_log(data: Path, name: str):
    """The raw operator log of one benchmark satellite (read once)."""
    return load_operator_log(Path(data) / "maneuvers" / "shorten_tle_benchmark" / "raw_manoeuvres"
                             / SATELLITES[name][0])


def load_case(data: Path, name: str, *, observable_only: bool = True):
    """(element sets, merged truth start times in us within the history span and, with
    ``observable_only``, with a set within ``OBSERVABLE_DAYS`` on either side and not
    orbit-neutral, :func:`neutral_truth`)."""
    sets = read_path(Path(data) / "maneuvers" / "shorten_tle_benchmark" / "processed_files"
                     / f"{name}.tle").sets
    log = operator_log(data, name)
    truth = merge_close_times(us_from_datetime64(log.starts()), int(MERGE_DAYS * DAY_US))
    ep = np.sort(np.array([s.epoch_us for s in sets]))
    truth = truth[(truth >= ep.min()) & (truth <= ep.max())]
    if observable_only:
        k = np.searchsorted(ep, truth)
        before = truth - ep[np.maximum(k - 1, 0)]
        after = ep[np.minimum(k, ep.size - 1)] - truth
        reach = int(OBSERVABLE_DAYS * DAY_US)
        truth = truth[(before <= reach) & (after <= reach)]
        truth = np.setdiff1d(truth, neutral_truth(data, name))
    return sets, truth


@functools.cache
def _neutral(data: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per entry of the operator log (in its order): whether it leaves the orbit as it
    was, and what its burns leave (m/s; NaN without RSW burns), the period of the
    argument of latitude (SGP4's secular ``mdot + argpdot``; the period from the Kozai
    mean motion is 0.66 s shorter for Jason-2) from the set nearest in time
    (:func:`~orbwatch.elements.maneuver_logs.orbit_neutral`)."""
    sets, _ = load_case(data, name, observable_only=False)
    ep = np.array([s.epoch_us for s in sets], dtype=np.int64)
    period = np.array([120.0 * np.pi / (r.mdot + r.argpdot) for r in (s.satrec() for s in sets)])
    log = operator_log(data, name)
    near = [float(period[np.argmin(np.abs(ep - t))]) for t in us_from_datetime64(log.starts())]
    return (np.array([orbit_neutral(m, p) for m, p in zip(log.maneuvers, near, strict=True)],
                     dtype=bool),
            np.array([neutral_residual(m, p) for m, p in zip(log.maneuvers, near, strict=True)]))


def neutral_entries(data: Path, name: str) -> np.ndarray:
    """Per entry of the operator log: whether it is orbit-neutral (:func:`_neutral`)."""
    return _neutral(data, name)[0]


@functools.cache
def neutral_truth(data: Path, name: str) -> np.ndarray:
    """The merged logged events (start times, us) every entry of which is orbit-neutral
    (:func:`neutral_entries`): burns that cancel, leaving no lasting change for an
    element set to show."""
    starts = us_from_datetime64(operator_log(data, name).starts())
    events = merge_close_times(starts, int(MERGE_DAYS * DAY_US))
    other, _ = per_event(starts, ~neutral_entries(data, name), events, int(MERGE_DAYS * DAY_US))
    return events[other == 0]


@functools.cache
def case_detections(data: Path, name: str, threshold: float) -> tuple:
    """The detections on one benchmark satellite's whole history, computed once per
    threshold (the scores, the curve and the diagnostics all read them)."""
    sets, _ = load_case(data, name, observable_only=False)
    return tuple(detect_maneuvers(sets, threshold=threshold))


def _pooled(rows) -> dict:
    tp = sum(row["tp"] for row in rows)
    nd = sum(row["detected"] for row in rows)
    nt = sum(row["truth"] for row in rows)
    p = tp / nd if nd else 0.0
    r = tp / nt if nt else 0.0
    return {"tp": tp, "detected": nd, "truth": nt, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "ignored": sum(row.get("ignored", 0) for row in rows)}


def evaluate(data: Path, names=None, threshold: float = DEFAULT_THRESHOLD, *,
             observable_only: bool = True, neutral_false: bool = False) -> dict:
    """Per-satellite and pooled scores at one threshold; ``confidence`` holds
    (confidence, matched within 1 day) of every detection.  With ``neutral_false`` a
    detection of an orbit-neutral event (:func:`neutral_truth`) is a false alarm (the
    orbit did not change) rather than neither true nor false."""
    per, conf = {}, []
    for name in names or SATELLITES:
        sets, truth = load_case(data, name, observable_only=observable_only)
        found = case_detections(data, name, threshold)
        det = np.array([m.epoch_us for m in found], dtype=np.int64)
        hidden = unobservable_truth(data, name) if observable_only else np.zeros(0, np.int64)
        if neutral_false:
            hidden = np.setdiff1d(hidden, neutral_truth(data, name))
        keep = {tol: scored(det, truth, hidden, us) for tol, us in TOLERANCES.items()}
        per[name] = {tol: {**score_matches(det[keep[tol]], truth, us),
                           "ignored": int(np.count_nonzero(~keep[tol]))}
                     for tol, us in TOLERANCES.items()}
        hit = {a for a, _ in match_times(det, truth, DAY_US)}
        conf += [(m.confidence, i in hit) for i, m in enumerate(found) if keep["1d"][i]]
    pooled = {}
    for group in ("LEO", "GEO", "ALL"):
        members = [n for n in per if group in ("ALL", SATELLITES[n][1])]
        if members:
            pooled[group] = {tol: _pooled([per[n][tol] for n in members]) for tol in TOLERANCES}
    return {"threshold": threshold, "satellites": per, "pooled": pooled, "confidence": conf}


def epoch_against_logs(data: Path, names=None) -> dict:
    """Per satellite: how the stated epoch uncertainty of the detections matching a
    logged burn (+-1 day) covers the log's time (:func:`epoch_coverage`)."""
    out = {}
    for name in names or SATELLITES:
        _, truth = load_case(data, name)
        found = case_detections(data, name, DEFAULT_THRESHOLD)
        det = np.array([m.epoch_us for m in found], dtype=np.int64)
        pairs = match_times(det, truth, DAY_US)
        out[name] = epoch_coverage(
            [abs(int(det[i]) - int(truth[j])) / 1e6 for i, j in pairs],
            [found[i].epoch_sigma_s for i, _ in pairs],
            [found[i].start_us <= truth[j] <= found[i].end_us for i, j in pairs])
    return out


def calibration_check(data: Path, names=None) -> dict:
    """The confidence logistic refitted (:func:`fit_confidence`) to the pooled
    detections at the default threshold, beside the shipped constants, and the
    calibration table with each satellite's detections scored by a fit to the others'
    (leave one satellite out)."""
    rows = {n: evaluate(data, [n])["confidence"] for n in names or SATELLITES}
    x = {n: log_ratio([c for c, _ in r]) for n, r in rows.items()}
    y = {n: np.array([m for _, m in r], dtype=bool) for n, r in rows.items()}
    pooled = fit_confidence(np.concatenate(list(x.values())), np.concatenate(list(y.values())))
    held = []
    for n in rows:
        bias, slope = fit_confidence(np.concatenate([x[o] for o in rows if o != n]),
                                     np.concatenate([y[o] for o in rows if o != n]))
        q = 1.0 / (1.0 + np.exp(-(bias + slope * x[n])))
        held += list(zip(q, y[n], strict=True))
    return {"shipped": (CONFIDENCE_BIAS, CONFIDENCE_SLOPE), "refit": pooled,
            "cap": CONFIDENCE_CAP_LOG, "held_out": reliability(held)}


def leave_one_out(curve_rows: dict) -> dict:
    """For each satellite: the threshold that maximises the pooled F1 (+-1 d) of the
    *other* satellites, and the held-out satellite's F1 at it.  ``curve_rows`` maps
    threshold -> evaluate() result."""
    out = {}
    for name in SATELLITES:
        def others_f1(thr, name=name):
            rows = [v["1d"] for n, v in curve_rows[thr]["satellites"].items() if n != name]
            return _pooled(rows)["f1"]
        best = max(curve_rows, key=others_f1)
        out[name] = {"threshold": best, "f1": curve_rows[best]["satellites"][name]["1d"]["f1"]}
    return out


def _row(label: str, s: dict, width: int = 13) -> str:
    a, b = s["1d"], s["12h"]
    return (f"{label:<{width}}{a['truth']:>6}{a['detected']:>6}  {a['precision']:5.2f} {a['recall']:5.2f} "
            f"{a['f1']:5.2f}   {b['precision']:5.2f} {b['recall']:5.2f} {b['f1']:5.2f}")


#: ISS truth from its own sets: a change of the semi-major axis beyond the drag of this
#: many km across an interval is a burn (:func:`iss_truth`)
ISS_STEP_KM = 0.3
ISS_STEP_SETS = 3
#: the drag rate is the median one-interval rate over this many intervals either side
ISS_DRAG_HALF = 15


def iss_truth(sets) -> np.ndarray:
    """Burn times (us) of the ISS read from its sets by a rule anyone can check, with none
    of the detector's statistics (:func:`~orbwatch.detect.maneuver_scoring.step_truth`
    with ``ISS_STEP_KM``, ``ISS_STEP_SETS`` and ``ISS_DRAG_HALF``): reboosts raise ``a``
    by 1-20 km, debris avoidance by 0.5-2 km; 0.3 km is 0.17 m/s.  Burns below 0.17 m/s
    or out of the plane are not in this truth."""
    return step_truth(sets, ISS_STEP_KM, sets_a_side=ISS_STEP_SETS, drag_half=ISS_DRAG_HALF)


def evaluate_iss(data: Path) -> dict:
    """Scores (+-1 day, +-12 h) of the two ISS histories against :func:`iss_truth`.  The
    precision is a lower bound: a detected burn below 0.17 m/s or out of plane is not in
    that truth.  ``in_scope`` scores only detections that changed ``a`` by at least
    ``ISS_STEP_KM`` (what the truth can see)."""
    out = {}
    for f in sorted((Path(data) / "maneuvers" / "iss_history").iterdir()):
        sets = read_path(f).sets
        truth = iss_truth(sets)
        found = detect_maneuvers(sets)
        det = np.array([m.epoch_us for m in found], dtype=np.int64)
        big = np.array([m.epoch_us for m in found if abs(m.delta_a_km) >= ISS_STEP_KM],
                       dtype=np.int64)
        years = Counter(format_iso(m.epoch_us)[:4] for m in found)
        out[f.name] = {"sets": len(sets), **{tol: score_matches(det, truth, us)
                                             for tol, us in TOLERANCES.items()},
                       "in_scope": score_matches(big, truth, DAY_US),
                       "kinds": dict(Counter(m.kind for m in found)),
                       "per_year": dict(sorted(years.items()))}
    return out


def _logged_delta_v(data: Path, name: str):
    """(truth, delta-v per truth event in m/s, start of each event's last burn) of an IDS
    log (an event's delta-v is the sum of the magnitudes of the burns merged into it: a
    run of burns each within ``MERGE_DAYS`` of the one before; an orbit-neutral entry,
    :func:`neutral_entries`, adds what its burns leave,
    :func:`~orbwatch.elements.maneuver_logs.neutral_residual`; a burn logged without a
    delta-v adds 0, so an event of such burns only counts as below any split: two
    Jason-2 burns of 2019-10-03/04); None for logs without delta-v."""
    sets, truth = load_case(data, name)
    log = operator_log(data, name)
    starts = us_from_datetime64(log.starts())
    neutral, residual = _neutral(data, name)
    dvs = np.array([np.nan if m.delta_v_mps is None else m.delta_v_mps for m in log.maneuvers])
    dvs = np.where(neutral, residual, dvs)
    if np.all(np.isnan(dvs)) or truth.size == 0:
        return None
    return (truth, *per_event(starts, np.abs(dvs), truth, int(MERGE_DAYS * DAY_US)))


def _logged_cases(data: Path):
    """(name, truth, logged delta-v per event, detections, their epochs, start of each
    event's last burn) of each satellite whose log gives delta-v, at the default
    threshold."""
    for name in SATELLITES:
        logged = _logged_delta_v(data, name)
        if logged is not None:
            found = case_detections(data, name, DEFAULT_THRESHOLD)
            yield (name, *logged[:2], found,
                   np.array([m.epoch_us for m in found], dtype=np.int64), logged[2])


def recall_by_delta_v(data: Path, split_mps: float = 0.01) -> dict:
    """Recall (+-1 day) of truth events with logged delta-v above / below ``split_mps``
    (IDS logs only; an event's delta-v is the sum over the burns merged into it)."""
    out = {}
    for name, truth, ev, _, det, _ in _logged_cases(data):
        hit = np.zeros(truth.size, dtype=bool)
        for _, j in match_times(det, truth, DAY_US):
            hit[j] = True
        big = ev >= split_mps
        out[name] = {"above": (int(hit[big].sum()), int(big.sum())),
                     "below": (int(hit[~big].sum()), int((~big).sum()))}
    return out


#: :func:`logs_against_sets`: logged events of at least this delta-v (m/s) are checked, and
#: one whose logged delta-v exceeds this many times the sets' net change has no trace
TRACE_MIN_MPS = 0.1
NO_TRACE_RATIO = 10.0
#: the floor of the net-change measure: taken every this many days, at least this far
#: from any logged burn
QUIET_STEP_DAYS = 5.0
QUIET_DAYS = 25.0


def logs_against_sets(data: Path) -> dict:
    """Per IDS satellite: the logged events of at least ``TRACE_MIN_MPS`` whose net change
    of the sets can be measured, and those whose logged delta-v is more than
    ``NO_TRACE_RATIO`` times that change (no trace: not flown as logged, or flown as
    burns that cancel), with how many of each the detector found (+-1 day); and, as
    ``neutral``, the orbit-neutral events left out of the truth (:func:`neutral_truth`)
    with the burns' summed delta-v against the sets' net change.  An outside check of
    the logs and of the element-change physics: Sentinel-3A's inclination burns come
    out at the logged delta-v."""
    out = {}
    for name, truth, ev, _, det, last in _logged_cases(data):
        sets, _ = load_case(data, name, observable_only=False)
        sets = prepare_history(sets)
        h = history_arrays(sets)
        hit = {j for _, j in match_times(det, truth, DAY_US)}
        rows = []
        for j in np.flatnonzero(ev >= TRACE_MIN_MPS):
            net = net_change_delta_v(sets, h, int(truth[j]), int(last[j]))
            if np.isfinite(net):
                rows.append({"epoch": format_iso(int(truth[j]), 0), "logged_mps": float(ev[j]),
                             "net_mps": net, "found": j in hit})
        none = [r for r in rows if r["logged_mps"] > NO_TRACE_RATIO * r["net_mps"]]
        # the floor: the same measure every QUIET_STEP_DAYS at least QUIET_DAYS from any
        # logged burn (an event of no trace holds more than ten times its own noise)
        log = operator_log(data, name)
        starts = us_from_datetime64(log.starts())
        quiet = [net_change_delta_v(sets, h, int(t), int(t)) for t in np.arange(
            h.epoch_us[0], h.epoch_us[-1], QUIET_STEP_DAYS * DAY_US)
            if np.min(np.abs(starts - t)) >= QUIET_DAYS * DAY_US]
        quiet = np.array([q for q in quiet if np.isfinite(q)])
        # the orbit-neutral events left out of the truth: what the sets show across each
        # (the burns' summed magnitude against the net change; they should show none)
        events = neutral_truth(data, name)
        flown, lasts = per_event(starts, [m.delta_v_mps for m in log.maneuvers], events,
                                 int(MERGE_DAYS * DAY_US))
        neutral = []
        for t, dv, t1 in zip(events, flown, lasts, strict=True):
            net = net_change_delta_v(sets, h, int(t), int(t1))
            if np.isfinite(net) and dv >= TRACE_MIN_MPS:
                neutral.append({"epoch": format_iso(int(t), 0), "logged_mps": float(dv),
                                "net_mps": net})
        out[name] = {"checked": len(rows), "no_trace": none, "neutral": neutral,
                     "quiet_median_mps": float(np.median(quiet)) if quiet.size else float("nan"),
                     "quiet_n": int(quiet.size),
                     "found": sum(r["found"] for r in rows),
                     "found_no_trace": sum(r["found"] for r in none), "events": rows}
    return out


#: a detection's delta-v "agrees" with the log within this share (:func:`delta_v_against_logs`)
DV_AGREE = 0.25


def delta_v_against_logs(data: Path, split_mps: float = 0.01) -> dict:
    """Per IDS satellite, the detections matched (+-1 day) to a logged event with a
    delta-v: how many, the median ratio detected / logged, and the share within
    ``DV_AGREE`` of the log; the same for events of at least ``split_mps``."""
    out = {}
    for name, truth, ev, found, det, _ in _logged_cases(data):
        pairs = [(found[a].delta_v * 1e3, ev[b]) for a, b in match_times(det, truth, DAY_US)
                 if ev[b] > 0]
        ratio = np.array([d / e for d, e in pairs])
        big = np.array([e >= split_mps for _, e in pairs], dtype=bool)

        def _row(r):
            return {"n": int(r.size), "median_ratio": float(np.median(r)) if r.size else float("nan"),
                    "agree": float(np.mean(np.abs(r - 1) <= DV_AGREE)) if r.size else float("nan")}

        out[name] = {"all": _row(ratio), "above": _row(ratio[big])}
    return out


#: a log gap this many times the satellite's median spacing of logged burns is a gap in
#: the log (:func:`false_alarms_in_log_gaps`) ...
GAP_FACTOR = 1.5
#: ... for detections this many days from both logged burns around it
GAP_MARGIN_DAYS = 10.0


def false_alarms_in_log_gaps(data: Path, names=None) -> dict:
    """Per satellite: the detections matching no logged burn (+-1 day), and how many of
    them sit inside a gap of the log longer than ``GAP_FACTOR`` times its median
    spacing, at least ``GAP_MARGIN_DAYS`` from the burns either side: where a station
    keeper's regular burn is missing from the log, not necessarily from the sky.  A
    diagnostic of the truth, not a correction of the scores."""
    out = {}
    for name in names or SATELLITES:
        sets, truth = load_case(data, name)
        if truth.size < 3:
            continue
        found = case_detections(data, name, DEFAULT_THRESHOLD)
        det = np.array([m.epoch_us for m in found], dtype=np.int64)
        hit = {a for a, _ in match_times(det, truth, DAY_US)}
        keep = scored(det, truth, unobservable_truth(data, name), DAY_US)
        spacing = float(np.median(np.diff(truth))) / DAY_US
        alarms, in_gap = [], []
        for i, m in enumerate(found):
            if i in hit or not keep[i]:
                continue
            alarms.append(m.confidence)
            k = int(np.searchsorted(truth, m.epoch_us))
            if 0 < k < truth.size:
                before = (m.epoch_us - truth[k - 1]) / DAY_US
                after = (truth[k] - m.epoch_us) / DAY_US
                if before + after > GAP_FACTOR * spacing \
                        and min(before, after) >= GAP_MARGIN_DAYS:
                    in_gap.append(m.confidence)
        out[name] = {"spacing_days": spacing, "false_alarms": len(alarms),
                     "in_log_gaps": len(in_gap),
                     "confidence_in_gaps": float(np.mean(in_gap)) if in_gap else float("nan"),
                     "confidence_all": float(np.mean(alarms)) if alarms else float("nan")}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = evaluate(args.data)
    print(f"threshold {res['threshold']} (same for every satellite); truth burns within "
          f"{MERGE_DAYS:g} d merged\n")
    print(f"{'satellite':<13}{'truth':>6}{'det':>6}  {'P±1d':>5} {'R±1d':>5} {'F1±1d':>5}   "
          f"{'P±12h':>5} {'R±12h':>5} {'F1±12h':>5}  {'ignored±1d':>10}")
    for n, s in res["satellites"].items():
        print(_row(n, s) + f"  {s['1d']['ignored']:>10}")
    for g, s in res["pooled"].items():
        print(_row(f"[{g}]", s) + f"  {s['1d']['ignored']:>10}")
    neutral = {n: neutral_truth(args.data, n).size for n in SATELLITES}
    print("(ignored: detections of logged burns left out as unobservable, no set within "
          f"{OBSERVABLE_DAYS:g} d on a side or orbit-neutral (burns that cancel: "
          + ", ".join(f"{n} {k}" for n, k in neutral.items() if k)
          + "); neither true nor false)")
    print(f"\n({time.perf_counter() - t0:.1f} s)\n\nprecision/recall over threshold (pooled, ±1 day)")
    print(f"{'thr':>6} {'LEO P':>6} {'LEO R':>6} {'LEO F1':>6} {'GEO P':>6} {'GEO R':>6} {'GEO F1':>6}"
          f" {'ALL F1':>6}")
    curve, rows = [], {}
    for thr in THRESHOLDS:
        rows[thr] = evaluate(args.data, threshold=thr)
        r = rows[thr]["pooled"]
        curve.append({"threshold": thr, **{g: r[g]["1d"] for g in r}})
        print(f"{thr:6.1f} {r['LEO']['1d']['precision']:6.2f} {r['LEO']['1d']['recall']:6.2f} "
              f"{r['LEO']['1d']['f1']:6.2f} {r['GEO']['1d']['precision']:6.2f} "
              f"{r['GEO']['1d']['recall']:6.2f} {r['GEO']['1d']['f1']:6.2f} {r['ALL']['1d']['f1']:6.2f}")
    loo = leave_one_out(rows)
    held = [v["f1"] for v in loo.values()]
    print("\nleave-one-satellite-out threshold (chosen on the other 9, F1 ±1 d of the one left out):")
    print("  " + ", ".join(f"{n} {v['threshold']:g}: {v['f1']:.2f}" for n, v in loo.items()))
    print(f"  mean held-out F1 {np.mean(held):.2f}")
    print("\nconfidence calibration (default threshold, all satellites): bin, detections, "
          "mean confidence, fraction matching truth ±1 d")
    cal = calibration_check(args.data)
    def _bins(rows):
        for b in rows:
            print(f"  [{b['bin'][0]:.2f}, {b['bin'][1]:.2f})  {b['n']:>4}  "
                  f"{b['mean_confidence']:.2f}  {b['matched']:.2f}")

    _bins(reliability(res["confidence"]))
    print(f"  logistic in min(log(score/threshold), {cal['cap']:g}): shipped bias "
          f"{cal['shipped'][0]:.2f} slope {cal['shipped'][1]:.2f}, refitted here "
          f"{cal['refit'][0]:.2f} {cal['refit'][1]:.2f}; each satellite scored by a fit to "
          "the other nine:")
    _bins(cal["held_out"])
    full = evaluate(args.data, observable_only=False)["pooled"]
    strict = evaluate(args.data, neutral_false=True)
    print("\nwith detections of orbit-neutral events counted as false alarms: " + ", ".join(
        f"{n} F1 ±1 d {strict['satellites'][n]['1d']['f1']:.2f}"
        for n in SATELLITES if neutral_truth(args.data, n).size) + ", " + ", ".join(
        f"{g} {strict['pooled'][g]['1d']['f1']:.2f}" for g in strict["pooled"]))
    print("\nwith unobservable truth counted too (no set within "
          f"{OBSERVABLE_DAYS:g} d on a side, orbit-neutral): " + ", ".join(
              f"{g} {full[g]['1d']['truth'] - res['pooled'][g]['1d']['truth']} more events, "
              f"F1 ±1 d {full[g]['1d']['f1']:.2f}" for g in full))
    print("\nrecall (±1 d) by logged delta-v (IDS logs): found/total")
    for n, v in recall_by_delta_v(args.data).items():
        print(f"  {n:<13} >= 1 cm/s {v['above'][0]:>4}/{v['above'][1]:<4}  < 1 cm/s "
              f"{v['below'][0]:>4}/{v['below'][1]}")
    print(f"\ndelta-v of detections matching a logged event (IDS logs): n, median detected/logged, "
          f"share within {DV_AGREE:.0%} (all; events >= 1 cm/s)")
    for n, v in delta_v_against_logs(args.data).items():
        a, b = v["all"], v["above"]
        print(f"  {n:<13} {a['n']:>4}  {a['median_ratio']:.2f}  {a['agree']:.2f}   "
              f"{b['n']:>4}  {b['median_ratio']:.2f}  {b['agree']:.2f}")
    print(f"\nlogged events of {TRACE_MIN_MPS:g} m/s or more against the net change of the sets "
          f"(as one burn): checked, found; median net change at quiet times (m/s); with no "
          f"trace (logged > {NO_TRACE_RATIO:g} x net), found among them")
    audit = logs_against_sets(args.data)
    for n, v in audit.items():
        print(f"  {n:<13} {v['checked']:>4} {v['found']:>4}  {v['quiet_median_mps']:5.3f}  "
              f"{len(v['no_trace']):>3} "
              f"{v['found_no_trace']:>3}  " + ", ".join(
                  f"{r['epoch'][:10]} {r['logged_mps']:.1f}/{r['net_mps']:.2f}"
                  for r in v["no_trace"][:6]) + (" ..." if len(v["no_trace"]) > 6 else ""))
    for n, v in audit.items():
        if v["neutral"]:
            ratio = [r["net_mps"] / r["logged_mps"] for r in v["neutral"]]
            print(f"  {n:<13} orbit-neutral events (left out of the truth) of {TRACE_MIN_MPS:g} "
                  "m/s or more: "
                  f"{len(ratio)}, the sets show {min(ratio):.2f}-{max(ratio):.2f} of the "
                  "burns' summed delta-v")
    print("\nepoch of detections matching a logged event (±1 d) against their stated 1-sigma: "
          "n, median sigma, share within 1/2/3 sigma of the log (Gaussian 0.68/0.95/1.00), "
          "share with the log between the bracketing sets")
    epochs = epoch_against_logs(args.data)
    for n, v in epochs.items():
        print(f"  {n:<13} {v['n']:>4}  {v['median_sigma_h']:5.1f} h  {v['within_1']:.2f}/"
              f"{v['within_2']:.2f}/{v['within_3']:.2f}  {v['bracketed']:.2f}")
    print("\nfalse alarms (±1 d) inside gaps of the log (> "
          f"{GAP_FACTOR:g} x the median spacing of logged burns, >= {GAP_MARGIN_DAYS:g} d "
          "from both ends): count, mean confidence there / of all false alarms")
    def _c(x: float) -> str:
        return f"{x:.2f}" if np.isfinite(x) else "   -"

    for n, v in false_alarms_in_log_gaps(args.data).items():
        print(f"  {n:<13} spacing {v['spacing_days']:5.1f} d  {v['in_log_gaps']:>3}/"
              f"{v['false_alarms']:<3}  confidence {_c(v['confidence_in_gaps'])} / "
              f"{_c(v['confidence_all'])}")
    iss = evaluate_iss(args.data)
    print("\nISS: truth = steps of a beyond drag > "
          f"{ISS_STEP_KM:g} km (iss_truth; precision is a lower bound)")
    print(f"{'history':<44}{'truth':>6}{'det':>6}  {'P±1d':>5} {'R±1d':>5} {'F1±1d':>5}   "
          f"{'P±12h':>5} {'R±12h':>5} {'F1±12h':>5}   in scope P/R/F1")
    for f, v in iss.items():
        c = v["in_scope"]
        print(_row(f, v, 44) + f"   {c['precision']:.2f}/{c['recall']:.2f}/{c['f1']:.2f}")
        print(f"{'':<4}types: {v['kinds']}")
    if args.json:
        args.json.write_text(json.dumps({"result": res, "curve": curve, "leave_one_out": loo,
                                         "calibration": cal, "epochs": epochs,
                                         "logs_against_sets": audit,
                                         "iss": iss}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
