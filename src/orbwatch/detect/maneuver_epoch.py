"""Manoeuvre epoch from the along-track ramp of converged post-manoeuvre sets.

The element sets published right after a manoeuvre are often fitted partly
(or wholly) to pre-manoeuvre tracking: their mean motion keeps the old value
for a day or more, so the largest step or prediction residual of a history
comes one to three sets *after* the burn.  After an impulsive burn the
satellite's along-track distance from the pre-burn orbit grows linearly in
time, ``gamma * (t - t_b)``, and sets fitted wholly to post-burn tracking
(a day or more after the detected jump) sit on that line.  So:

* reference sets ``P``: the last ``N_REFERENCE`` sets at least ``BACK_DAYS``
  before the first set after the detected jump (pre-burn, or stale, which
  is the same orbit);
* each ``P`` is propagated (SGP4) to the epochs of the converged sets
  ``FIT_FROM_DAYS`` to ``FIT_TO_DAYS`` after that first set, the along-track
  misses (in each target set's own frame) are fitted with a straight line,
  and the line's zero is ``P``'s estimate of ``t_b`` (kept when it lies
  between ``P`` and the detected interval);
* ``t_b`` is the median over the references, used only when at least two
  agree within ``MAX_SPREAD_DAYS``.

The same rules apply to every object; in GEO the along-track miss is the
mean-longitude drift an east-west burn starts.
"""

from __future__ import annotations

import math

import numpy as np

from orbwatch.time import jd_fr

__all__ = ["ramp_epoch", "own_frames", "closest_approach_epoch"]

BACK_DAYS = 4.0
FIT_FROM_DAYS = 1.0
FIT_TO_DAYS = 4.0
N_REFERENCE = 3
MIN_ROOTS = 3
MAX_SPREAD_DAYS = 0.5
#: a zero crossing may lie this far (days) after the first post-jump set (noise)
_SLACK_DAYS = 0.5
_DAY_US = 86_400e6


def own_frames(sets, idx) -> tuple[np.ndarray, np.ndarray]:
    """Positions and along-track unit vectors of ``sets[idx]`` at their own epochs."""
    jd, fr = jd_fr(np.array([sets[i].epoch_us for i in idx], dtype=np.int64))
    r_own = np.full((len(idx), 3), np.nan)
    t_hat = np.full((len(idx), 3), np.nan)
    for k, i in enumerate(idx):
        e, r, v = sets[i].satrec().sgp4(float(jd[k]), float(fr[k]))
        if e != 0:
            continue
        r, v = np.asarray(r), np.asarray(v)
        rn = r / np.linalg.norm(r)
        h = np.cross(r, v)
        r_own[k] = r
        t_hat[k] = np.cross(h / np.linalg.norm(h), rn)
    return r_own, t_hat


def _along(ref, epochs, r_own, t_hat) -> tuple[np.ndarray, np.ndarray]:
    """Along-track miss (km) of ``ref`` propagated to ``epochs``, and where it is valid."""
    if epochs.size == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    jd, fr = jd_fr(epochs)
    e, r, _ = ref.satrec().sgp4_array(jd, fr)
    along = np.einsum("ij,ij->i", np.asarray(r) - r_own, t_hat)
    return along, (np.asarray(e) == 0) & np.isfinite(along)


def ramp_epoch(sets, j: int) -> int | None:
    """Burn time (us) for a jump detected in interval ``(j, j+1)`` of the sorted,
    duplicate-free history ``sets``; None where the references do not agree."""
    ep = np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=len(sets))
    if j + 1 >= ep.size:
        return None
    t1 = ep[j + 1]
    refs = np.flatnonzero(ep <= t1 - BACK_DAYS * _DAY_US)[-N_REFERENCE:]
    targets = np.flatnonzero((ep >= t1 + FIT_FROM_DAYS * _DAY_US)
                             & (ep <= t1 + FIT_TO_DAYS * _DAY_US))
    if refs.size < MIN_ROOTS or targets.size < 2:
        return None
    before = np.flatnonzero((ep >= ep[refs[0]] - BACK_DAYS * _DAY_US) & (ep < ep[refs[0]]))
    r_own, t_hat = own_frames(sets, targets)
    rb_own, tb_hat = own_frames(sets, before)
    t = (ep[targets] - t1) / _DAY_US
    roots = []
    for p in refs:
        along, ok = _along(sets[p], ep[targets], r_own, t_hat)
        if ok.sum() < 2 or np.ptp(t[ok]) <= 0:
            continue
        # the reference's own along-track drift (SGP4 mean-motion error), from the sets
        # before it, is natural change: removed before the ramp is fitted
        back, okb = _along(sets[p], ep[before], rb_own, tb_hat)
        dtb = (ep[before][okb] - ep[p]) / _DAY_US
        drift = float(dtb @ back[okb] / (dtb @ dtb)) if okb.sum() >= 2 else 0.0
        along = along - drift * (ep[targets] - ep[p]) / _DAY_US
        slope, icpt = np.polyfit(t[ok], along[ok], 1)
        if slope == 0:
            continue
        root = -icpt / slope
        if (ep[p] - t1) / _DAY_US <= root <= _SLACK_DAYS:
            roots.append(min(root, 0.0))
    if len(roots) < MIN_ROOTS or np.ptp(roots) > MAX_SPREAD_DAYS:
        return None
    return int(t1 + float(np.median(roots)) * _DAY_US)


#: propagation grid over the bracket of :func:`closest_approach_epoch`
_GRID = 193


def closest_approach_epoch(pre, post) -> tuple[int, float]:
    """Time in [pre.epoch, post.epoch] where the two orbits (SGP4) come closest, and a sigma (s)."""
    t0, t1 = pre.epoch_us, post.epoch_us
    times = np.linspace(t0, t1, _GRID).astype(np.int64)
    jd, fr = jd_fr(times)
    e1, r1, _ = pre.satrec().sgp4_array(jd, fr)
    e2, r2, _ = post.satrec().sgp4_array(jd, fr)
    dist = np.linalg.norm(np.asarray(r1) - np.asarray(r2), axis=1)
    dist[(e1 != 0) | (e2 != 0)] = np.nan
    width_s = (t1 - t0) / 1e6
    if not np.any(np.isfinite(dist)):
        return (t0 + t1) // 2, width_s / math.sqrt(12.0)
    j = int(np.nanargmin(dist))
    if j in (0, _GRID - 1):
        # closest at a bracketing set: the burn may lie beyond it (a set still fitted to
        # the old orbit); no narrower than the whole bracket
        return int(times[j]), width_s / math.sqrt(12.0)
    lo, hi = np.nanmin(dist), np.nanmax(dist)
    near = times[dist <= lo + 0.25 * (hi - lo)]
    sigma = max(float(np.std(near)) / 1e6, width_s / (_GRID - 1))
    return int(times[j]), min(sigma, width_s / math.sqrt(12.0))
