"""Single-interval steps confirmed by the motion a real burn must cause.

Near GEO the windowed step test (:mod:`orbwatch.detect.maneuvers`) keeps one
candidate per step window and scales each object's steps by its own spread, so
burns a day or two apart (an inspector's phasing, plane match, approach and
parking burns) hide behind each other: the smaller one is never selected.  The
one-interval change of the semi-major axis sees each of them on its own, but
real GEO histories also carry dozens of persistent one-interval shifts of the
*fitted* mean motion per year (robust z 12-40) with no burn behind them.

What separates the two is the along-track motion.  A burn that changes the
semi-major axis by ``da`` at ``t_b`` makes every earlier set, propagated to a
later set's epoch, miss it along-track by

    ``1.5 * n * da * (t_j - t_b)``   (km; n in rad/day, times in days)

(the drift of the mean longitude), whatever the element sets' fitted values.
A shift of the fitted mean motion alone leaves the positions where they were.
So a step is *confirmed* when the along-track SGP4 residuals of the set pairs
that span it (and no other candidate step) follow that line:

* the pairs are those of :func:`~orbwatch.detect.maneuver_residuals.prediction_residuals`
  (``i <= k < j``, at most ``LAGS`` sets apart), without ``j = k + 1`` (where in
  the interval the burn fell is unknown) and without pairs spanning another
  candidate step;
* the noise of a pair is the object's own robust along-track scale at that lag,
  from the pairs that span no candidate step (no burns in it);
* the fitted amplitude ``c = sum(O E / s^2) / sum(E^2 / s^2)`` of the observed
  residuals ``O`` on the expected ones ``E`` (``t_b`` at the interval's middle)
  must lie within ``AMPLITUDE`` of 1, and its significance
  ``sum(O E / s^2) / sqrt(sum(E^2 / s^2))`` must reach ``CONFIRM_Z``.
"""

from __future__ import annotations

import math

import numpy as np

from orbwatch.detect.maneuver_features import HistoryArrays, StepStatistics
from orbwatch.detect.maneuver_residuals import PredictionResiduals

__all__ = ["CONFIRM_Z", "AMPLITUDE", "NOISE_STEP_Z", "along_confirmation", "confirmed_steps"]

#: significance of the along-track drift a step must cause
CONFIRM_Z = 12.0
#: the drift's fitted amplitude must lie within these factors of the step's prediction
AMPLITUDE = (0.5, 2.0)
#: one-interval steps of a above this robust z are kept out of the noise pairs
NOISE_STEP_Z = 5.0
#: later sets further than this (days) from the interval are not used
REACH_DAYS = 3.0
_MAD = 1.4826


def _lag_scales(res: PredictionResiduals, quiet_pair: np.ndarray) -> np.ndarray:
    """Robust along-track scale (km) per lag from the pairs spanning no step."""
    out = np.full(res.along.shape[1], np.nan)
    for ell in range(res.along.shape[1]):
        x = res.along[:, ell][quiet_pair[:, ell] & np.isfinite(res.along[:, ell])]
        if x.size >= 5:
            out[ell] = _MAD * float(np.median(np.abs(x - np.median(x))))
    if np.all(np.isnan(out)):
        return out
    # a lag with too few quiet pairs takes the next longer lag's scale (noise grows with it)
    for ell in range(out.size - 2, -1, -1):
        if np.isnan(out[ell]):
            out[ell] = out[ell + 1]
    for ell in range(1, out.size):
        if np.isnan(out[ell]):
            out[ell] = out[ell - 1]
    return out


def along_confirmation(h: HistoryArrays, st: StepStatistics, res: PredictionResiduals,
                       candidates: list[int]) -> dict[int, tuple[float, float]]:
    """For each candidate interval: (amplitude c, significance) of the along-track drift
    its semi-major-axis step predicts (see the module docstring); absent where no pair
    can test it."""
    n_sets, lags = h.n, res.along.shape[1]
    is_cand = np.zeros(max(n_sets - 1, 0), dtype=bool)
    is_cand[candidates] = True
    steps = np.abs(st.z_residual[:, 0]) >= NOISE_STEP_Z
    # pair (i, i + l + 1) spans intervals i .. i + l
    cum = np.concatenate([[0], np.cumsum(steps)])
    cum_c = np.concatenate([[0], np.cumsum(is_cand)])
    i = np.arange(n_sets)[:, None]
    j = np.minimum(i + np.arange(1, lags + 1)[None, :], n_sets - 1)
    quiet_pair = (cum[np.minimum(j, cum.size - 1)] - cum[i]) == 0
    quiet_pair &= (i + np.arange(1, lags + 1)[None, :]) < n_sets
    scale = _lag_scales(res, quiet_pair)
    t = (h.epoch_us - h.epoch_us[0]) / 86_400e6
    out: dict[int, tuple[float, float]] = {}
    for k in candidates:
        da = float(st.residual[k, 0])
        n_rad_day = 2.0 * math.pi * float(h.mean_motion[k])
        t_b = 0.5 * (t[k] + t[k + 1])
        num = den = 0.0
        for ii in range(max(0, k - lags + 1), k + 1):
            for ell in range(lags):
                jj = ii + ell + 1
                if jj <= k + 1 or jj >= n_sets or t[jj] - t[k + 1] > REACH_DAYS:
                    continue
                if cum_c[jj] - cum_c[ii] != 1 or not np.isfinite(res.along[ii, ell]):
                    continue  # spans another candidate step
                s = scale[ell]
                if not np.isfinite(s) or s <= 0:
                    continue
                e = 1.5 * n_rad_day * da * (t[jj] - t_b)
                num += res.along[ii, ell] * e / s**2
                den += e * e / s**2
        if den > 0:
            out[k] = (num / den, num / math.sqrt(den))
    return out


def confirmed_steps(h: HistoryArrays, st: StepStatistics, res: PredictionResiduals,
                    steps: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The ``(interval, strength)`` steps whose along-track drift confirms them."""
    conf = along_confirmation(h, st, res, [k for k, _ in steps])
    lo, hi = AMPLITUDE
    return [(k, z) for k, z in steps
            if k in conf and lo <= conf[k][0] <= hi and conf[k][1] >= CONFIRM_Z]
