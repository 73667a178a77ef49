"""Scoring detected manoeuvre times against truth (operator logs, planted burns).

One-to-one matching, greedy by time difference; burns closer than the set
cadence merged into one event first.  :func:`step_truth` reads burns from a
history's steps of ``a`` beyond drag, for objects without a log (the ISS).  Used
by ``benchmarks/maneuvers.py``, the tests against the operator logs and the demo's
score.
"""

from __future__ import annotations

import numpy as np

from orbwatch.detect.maneuver_features import history_arrays, prepare_history, rolling_nanmedian

__all__ = ["close_runs", "merge_close_times", "per_event", "match_times", "score_matches", "scored",
           "reliability", "epoch_coverage", "step_truth"]


def close_runs(times_us, within_us: int) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ``times_us`` and, per sorted time, the index of its run:
    times each closer than ``within_us`` to their predecessor share one."""
    t = np.asarray(times_us, dtype=np.int64)
    order = np.argsort(t, kind="stable")
    run = np.concatenate([[0], np.cumsum(np.diff(t[order]) > within_us)]) if t.size \
        else np.zeros(0, dtype=np.int64)
    return order, run


def merge_close_times(times_us, within_us: int) -> np.ndarray:
    """Sorted times with every run closer than ``within_us`` to its predecessor merged
    into its first time (burns of one campaign within the set cadence = one event)."""
    t = np.asarray(times_us, dtype=np.int64)
    order, run = close_runs(t, within_us)
    first = np.concatenate([[True], np.diff(run) > 0]) if run.size else run.astype(bool)
    return t[order][first]


def per_event(starts_us, values, times_us, within_us: int) -> tuple[np.ndarray, np.ndarray]:
    """Per merged event (the runs :func:`merge_close_times` merges) starting at each of
    ``times_us``: the sum of its entries' ``values`` (NaN as 0) and the start of its
    last entry (us)."""
    starts = np.asarray(starts_us, dtype=np.int64)
    order, run = close_runs(starts, within_us)
    total = np.bincount(run, weights=np.nan_to_num(np.asarray(values, dtype=float)[order]))
    last = np.zeros(total.size, dtype=np.int64)
    np.maximum.at(last, run, starts[order])
    of = run[np.searchsorted(starts[order], np.asarray(times_us, dtype=np.int64))]
    return total[of], last[of]


def match_times(detected_us, truth_us, tol_us: int) -> list[tuple[int, int]]:
    """One-to-one matching, greedy by time difference, pairs within ``tol_us``."""
    d = np.asarray(detected_us, dtype=np.int64)
    t = np.asarray(truth_us, dtype=np.int64)
    if d.size == 0 or t.size == 0:
        return []
    diff = np.abs(d[:, None] - t[None, :])
    i, j = np.nonzero(diff <= tol_us)
    order = np.argsort(diff[i, j], kind="stable")
    used_d, used_t, pairs = set(), set(), []
    for a, b in zip(i[order], j[order], strict=True):
        if a not in used_d and b not in used_t:
            used_d.add(int(a))
            used_t.add(int(b))
            pairs.append((int(a), int(b)))
    return pairs


def score_matches(detected_us, truth_us, tol_us: int) -> dict:
    """Counts, precision, recall and F1 of a one-to-one matching."""
    tp = len(match_times(detected_us, truth_us, tol_us))
    nd, nt = len(detected_us), len(truth_us)
    p = tp / nd if nd else (1.0 if nt == 0 else 0.0)
    r = tp / nt if nt else 1.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return {"tp": tp, "detected": nd, "truth": nt, "precision": p, "recall": r, "f1": f1}


def epoch_coverage(error_s, sigma_s, bracketed) -> dict:
    """How well stated epoch uncertainties cover the truth, over matched detections:
    ``error_s`` |detected - true epoch|, ``sigma_s`` the stated 1-sigma (s) and
    ``bracketed`` whether the true epoch lies between the detection's bracketing sets.
    Shares within 1, 2 and 3 sigma (a Gaussian would give 0.68, 0.95, 0.997), the share
    bracketed and the median sigma (hours)."""
    err = np.asarray(error_s, dtype=float)
    sig = np.asarray(sigma_s, dtype=float)
    inside = np.asarray(bracketed, dtype=bool)
    if not err.shape == sig.shape == inside.shape:
        raise ValueError(f"epoch_coverage needs one error, sigma and bracket flag per "
                         f"detection; got {err.shape}, {sig.shape}, {inside.shape}")
    ok = np.isfinite(err) & np.isfinite(sig)  # a detection without a sigma is not scored
    err, sig, inside = err[ok], np.maximum(sig[ok], 1.0), inside[ok]
    if err.size == 0:
        return {"n": 0, "within_1": float("nan"), "within_2": float("nan"),
                "within_3": float("nan"), "bracketed": float("nan"),
                "median_sigma_h": float("nan")}
    r = err / sig
    return {"n": int(err.size), "within_1": float(np.mean(r <= 1.0)),
            "within_2": float(np.mean(r <= 2.0)), "within_3": float(np.mean(r <= 3.0)),
            "bracketed": float(np.mean(inside)),
            "median_sigma_h": float(np.median(sig) / 3600.0)}


def scored(det_us: np.ndarray, truth: np.ndarray, unobservable: np.ndarray,
           tol_us: int) -> np.ndarray:
    """Which detections are scored: all but those that match (within ``tol_us``, one to
    one, after the matching against ``truth``) a true burn left out of the scored truth
    as ``unobservable`` (times, us).  Such a burn is neither a miss nor, where it was
    found, a false alarm: Fengyun-4A's burn of 2021-10-18 08:16 UTC (16:16 CST in the
    log), with the next set 3.6 days later, is placed by its phase kink 67 minutes
    before the log (``benchmarks/maneuvers.py``)."""
    keep = np.ones(det_us.size, dtype=bool)
    if unobservable.size == 0 or det_us.size == 0:
        return keep
    hit = {a for a, _ in match_times(det_us, truth, tol_us)}
    rest = np.array([i for i in range(det_us.size) if i not in hit], dtype=int)
    for a, _ in match_times(det_us[rest], unobservable, tol_us):
        keep[rest[a]] = False
    return keep


def reliability(conf, edges=(0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)) -> list[dict]:
    """Per confidence bin: detections, mean confidence, fraction matching truth, from
    ``conf``, (confidence, matched) per detection."""
    c = np.array([x for x, _ in conf], dtype=float)
    ok = np.array([y for _, y in conf], dtype=bool)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sel = (c >= lo) & (c < hi)
        if sel.any():
            out.append({"bin": (lo, min(hi, 1.0)), "n": int(sel.sum()),
                        "mean_confidence": float(c[sel].mean()), "matched": float(ok[sel].mean())})
    return out


def step_truth(sets, step_km: float, *, sets_a_side: int = 3, drag_half: int = 15) -> np.ndarray:
    """Burn times (us) read from a history by a rule anyone can check, with none of the
    detector's statistics: drag lowers the semi-major axis smoothly, so where the median
    ``a`` of the ``sets_a_side`` sets after an interval differs from the median of the
    ``sets_a_side`` sets up to it by more than ``step_km`` beyond the local drag (the
    median one-interval rate over ``drag_half`` intervals either side), the interval
    holds a burn.  The flagged intervals of a run (closer than half a day) are one burn,
    placed at the middle of the run's interval with the largest one-interval change."""
    day_us = 86_400_000_000
    h = history_arrays(prepare_history(sets))
    t, a, m = h.epoch_us, h.a_km, sets_a_side
    if h.n < 2 * m + 1:
        return np.zeros(0, dtype=np.int64)
    pad = np.concatenate([np.full(m - 1, np.nan), a, np.full(m - 1, np.nan)])
    med = np.nanmedian(np.lib.stride_tricks.sliding_window_view(pad, m), axis=1)
    before, after = med[:h.n - 1], med[m:m + h.n - 1]  # sets k-m+1..k, k+1..k+m
    dt = np.diff(t) / day_us
    rate = rolling_nanmedian(np.where(dt > 0.05, np.diff(a) / np.maximum(dt, 1e-9), np.nan),
                             drag_half)
    ks = np.arange(h.n - 1)
    span = (t[np.clip(ks + 1 + (m - 1) // 2, 0, h.n - 1)]
            - t[np.clip(ks - (m - 1) // 2, 0, h.n - 1)]) / day_us
    flagged = np.flatnonzero(np.abs(after - before - rate * span) > step_km)
    if flagged.size == 0:
        return np.zeros(0, dtype=np.int64)
    new_run = np.concatenate([[True], t[flagged[1:]] - t[flagged[:-1] + 1] > day_us // 2])
    runs = np.split(flagged, np.flatnonzero(new_run)[1:])
    # the run's burn is in its interval of the largest one-interval change beyond drag
    # (the medians either side see it from the interval before to the one after)
    own = np.abs(np.diff(a) - rate * dt)
    best = np.array([r[np.argmax(own[r])] for r in runs])
    return (t[best] + t[best + 1]) // 2
