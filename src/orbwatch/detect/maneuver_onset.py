"""Manoeuvre epoch from the onset of the along-track departure from the old orbit.

Element sets published after a small burn converge to the new orbit over
days (Jason-1: the mean motion ramps over 5-7 sets), so the interval where a
detector's statistic peaks is often one to three sets after the burn.  The
sets' *positions* follow the new trajectory sooner than their mean motion,
and the along-track distance of each later set from an old orbit is the
integral of the change of mean motion the sets carry:

* zero (up to the old orbit's own slow drift) before the burn ``t_b``;
* growing as ``(t - t_b)^2 / (2 W)`` while the published sets ramp to the
  new mean motion over ``W`` days, then linearly.

Method (same settings for every object): ``N_REFERENCE`` sets well before the
detected interval are each propagated (SGP4) to the epochs of every set from
``REFERENCE_DAYS`` before to ``AFTER_DAYS`` after it, the misses taken
along track in each target set's own frame.  For each reference a batched
robust (Tukey-reweighted) fit of ``c0 + c1 t + c2 t^2 + A * ramp(t; t_b, W)``
over a grid of onsets ``t_b`` and widths ``W`` (``WIDTHS_DAYS``) keeps the
pair of least robust chi-square; ``c2`` (drag on the reference) has the prior
``N(0, curvature^2)`` with the object's own typical curvature
(:func:`~orbwatch.detect.maneuver_residuals.drag_curvature`), and a ramp
(``W > 0``) pays the BIC price ``log(n)`` over a step, since where no set
falls inside the ramp the two fit alike.  The epoch is the median onset over
the references, used when they agree within ``MAX_SPREAD_DAYS`` and chose a
ramp: a step (``W = 0``) is placed better by the bracket of the detected
interval itself.
"""

from __future__ import annotations

import numpy as np

from orbwatch.detect.maneuver_epoch import own_frames
from orbwatch.detect.maneuver_leap import leap_shift_us
from orbwatch.time import jd_fr

__all__ = ["WIDTHS_DAYS", "onset_epoch"]

N_REFERENCE = 3
#: references are the last sets at least this long before the detected interval (days)
REFERENCE_DAYS = 4.0
#: the fit runs to this long after the detected interval (days)
AFTER_DAYS = 5.0
#: ramp widths tried (days; 0 = the sets take the new mean motion at once)
WIDTHS_DAYS = (0.0, 1.0, 2.0, 3.0, 4.0)
GRID_DAYS = 0.05
MAX_SPREAD_DAYS = 1.0
#: sets the fit needs (days from the references to after the detection)
MIN_TARGETS = 8
_TUKEY = 4.685
_MAD = 1.4826
_PASSES = 3
_DAY_US = 86_400e6


def _ramp_integral(x: np.ndarray, width: np.ndarray) -> np.ndarray:
    """``integral_0^x ramp`` for a unit ramp of ``width`` starting at 0 (width 0: a step)."""
    xp = np.maximum(x, 0.0)
    w = np.maximum(width, 1e-9)
    return np.where(xp < w, 0.5 * xp**2 / w, xp - 0.5 * w)


def _best_onset(t: np.ndarray, d: np.ndarray, lo: float, hi: float,
                curvature: float) -> tuple[float, float]:
    """Onset (days) of least robust misfit of ``d(t) = c0 + c1 t + c2 t^2 + A ramp_int(t -
    t_b, W)``, with the prior ``c2 ~ N(0, curvature^2)`` (km/day^2: the object's own drag)."""
    tb = np.arange(lo, hi + 1e-9, GRID_DAYS)
    TB, W = (g.ravel() for g in np.meshgrid(tb, np.asarray(WIDTHS_DAYS), indexing="ij"))
    x = t[None, :] - TB[:, None]
    tt = np.broadcast_to(t, x.shape)
    X = np.stack([np.ones_like(x), tt, tt**2, _ramp_integral(x, W[:, None])], axis=-1)
    y = np.broadcast_to(d, x.shape)
    w = np.ones_like(x)
    ridge = 1e-12 * np.eye(4)
    s = np.full(x.shape[0], _MAD * float(np.median(np.abs(d - np.median(d)))) + 1e-6)
    for _ in range(_PASSES):
        prior = np.zeros((x.shape[0], 4, 4))
        prior[:, 2, 2] = (s / max(curvature, 1e-9)) ** 2
        A = np.einsum("kni,knj->kij", X * w[..., None], X) + ridge + prior
        beta = np.linalg.solve(A, np.einsum("kni,kn->ki", X * w[..., None], y)[..., None])[..., 0]
        r = y - np.einsum("kni,ki->kn", X, beta)
        s = np.maximum(_MAD * np.median(np.abs(r), axis=1), 1e-6)
        w = np.clip(1 - (r / (_TUKEY * s[:, None])) ** 2, 0, None) ** 2
    s0 = float(np.min(s))
    # robust chi-square, plus the BIC price of the width (a ramp must beat a step by it:
    # where no set falls inside the ramp, the two fit alike and the step is kept)
    chi2 = _TUKEY**2 * np.minimum((r / (_TUKEY * s0)) ** 2, 1.0).sum(1)
    j = int(np.argmin(chi2 + np.where(W > 0, np.log(t.size), 0.0)))
    return float(TB[j]), float(W[j])


def onset_epoch(sets, k: int, curvature: float, *, back_sets: int = 3) -> int | None:
    """Burn time (us) for a detection in interval ``(k, k+1)`` of the sorted,
    duplicate-free history ``sets``, searched from set ``k - back_sets`` to set
    ``k + 1``; ``curvature`` (km/day^2) is the object's typical along-track drag
    curvature (the prior of the quadratic term).  None where the references disagree,
    choose a step, or the history is too thin."""
    ep = np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=len(sets))
    if k + 1 >= ep.size:
        return None
    lo_us, hi_us = ep[max(0, k - back_sets)], ep[k + 1]
    refs = np.flatnonzero(ep <= lo_us - REFERENCE_DAYS * _DAY_US)[-N_REFERENCE:]
    if refs.size < N_REFERENCE:
        return None
    targets = np.flatnonzero((ep > ep[refs[-1]]) & (ep <= hi_us + AFTER_DAYS * _DAY_US))
    if targets.size < MIN_TARGETS:
        return None
    r_own, t_hat = own_frames(sets, targets)
    t = (ep[targets] - hi_us) / _DAY_US
    lo, hi = (lo_us - hi_us) / _DAY_US, 0.0
    fits = []
    for p in refs:
        shift = leap_shift_us(ep[p], ep[targets])
        e, r, _ = sets[p].satrec().sgp4_array(*jd_fr(ep[targets] + shift))
        d = np.einsum("ij,ij->i", np.asarray(r) - r_own, t_hat)
        ok = (np.asarray(e) == 0) & np.isfinite(d)
        if ok.sum() >= MIN_TARGETS:
            fits.append(_best_onset(t[ok], d[ok], lo, hi, curvature))
    if len(fits) < 2:
        return None
    onsets, widths = np.array(fits).T
    if np.median(widths) <= 0.0 or np.ptp(onsets) > MAX_SPREAD_DAYS:
        return None
    return int(hi_us + float(np.median(onsets)) * _DAY_US)
