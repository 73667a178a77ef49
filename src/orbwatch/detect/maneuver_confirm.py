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

A turn of the orbit plane is confirmed the same way by the cross-track
residuals: a real turn by the angle ``theta`` displaces a later set from an
earlier one's plane by ``r theta |sin(phase)|`` (RMS ``r theta / sqrt 2`` over
the random phases of the sets' epochs), a refit of ``i`` or the node alone
does not (:func:`cross_confirmation`).
"""

from __future__ import annotations

import math

import numpy as np

from orbwatch.detect.maneuver_features import HistoryArrays, StepStatistics
from orbwatch.detect.maneuver_residuals import PredictionResiduals

__all__ = ["CONFIRM_Z", "AMPLITUDE", "NOISE_STEP_Z", "along_confirmation", "confirmed_steps",
           "cross_confirmation", "confirmed_plane_steps", "plane_confirmed", "passes"]

#: significance of the along-track drift a step must cause
CONFIRM_Z = 12.0
#: the drift's fitted amplitude must lie within these factors of the step's prediction
AMPLITUDE = (0.5, 2.0)
#: one-interval steps of a above this robust z are kept out of the noise pairs
NOISE_STEP_Z = 5.0
#: later sets further than this (days) from the interval are not used
REACH_DAYS = 3.0
#: a turn's cross-track sine is fitted from this many spanning pairs up, where the
#: phases of their later sets condition the fit this well (singular-value ratio)
MIN_SINE_PAIRS = 4
MAX_SINE_CONDITION = 10.0
_MAD = 1.4826


def _lag_scales(values: np.ndarray, quiet_pair: np.ndarray) -> np.ndarray:
    """Robust scale (km) per lag of residuals ``values`` from the pairs spanning no step."""
    out = np.full(values.shape[1], np.nan)
    for ell in range(values.shape[1]):
        x = values[:, ell][quiet_pair[:, ell] & np.isfinite(values[:, ell])]
        if x.size >= 5:
            out[ell] = _MAD * float(np.median(np.abs(x - np.median(x))))
    if np.all(np.isnan(out)):
        # a short history: every lag's quiet pairs pooled (the longer lags' larger
        # residuals make the short ones' scale conservative)
        x = values[quiet_pair & np.isfinite(values)]
        if x.size >= 5:
            out[:] = _MAD * float(np.median(np.abs(x - np.median(x))))
        return out
    # a lag with too few quiet pairs takes the next longer lag's scale (noise grows with it)
    for ell in range(out.size - 2, -1, -1):
        if np.isnan(out[ell]):
            out[ell] = out[ell + 1]
    for ell in range(1, out.size):
        if np.isnan(out[ell]):
            out[ell] = out[ell - 1]
    return out


def _pairs(n_sets: int, lags: int, step_z: np.ndarray, candidates: list[int]):
    """Quiet-pair mask (pairs spanning no step of ``|z| >= NOISE_STEP_Z``) and, per
    candidate, the spanning pairs ``(i, lag)`` that span no other candidate."""
    is_cand = np.zeros(max(n_sets - 1, 0), dtype=bool)
    is_cand[candidates] = True
    cum = np.concatenate([[0], np.cumsum(np.abs(step_z) >= NOISE_STEP_Z)])
    cum_c = np.concatenate([[0], np.cumsum(is_cand)])
    i = np.arange(n_sets)[:, None]
    jj = i + np.arange(1, lags + 1)[None, :]
    inside = jj < n_sets
    j = np.minimum(jj, n_sets - 1)
    quiet_pair = inside & ((cum[j] - cum[i]) == 0)
    spans = {}
    for k in candidates:
        ii, ll = np.nonzero(inside & (i <= k) & (jj > k) & ((cum_c[j] - cum_c[i]) == 1))
        spans[k] = (ii, ll)
    return quiet_pair, spans


def along_confirmation(h: HistoryArrays, st: StepStatistics, res: PredictionResiduals,
                       candidates: list[int]) -> dict[int, tuple[float, float]]:
    """For each candidate interval: (amplitude c, significance) of the along-track drift
    its semi-major-axis step predicts (see the module docstring); absent where no pair
    can test it."""
    quiet_pair, spans = _pairs(h.n, res.along.shape[1], st.z_residual[:, 0], candidates)
    scale = _lag_scales(res.along, quiet_pair)
    t = (h.epoch_us - h.epoch_us[0]) / 86_400e6
    out: dict[int, tuple[float, float]] = {}
    for k in candidates:
        ii, ll = spans[k]
        jj = ii + ll + 1
        keep = (jj > k + 1) & (t[np.minimum(jj, h.n - 1)] - t[k + 1] <= REACH_DAYS)
        ii, ll, jj = ii[keep], ll[keep], jj[keep]
        obs, s = res.along[ii, ll], scale[ll]
        ok = np.isfinite(obs) & np.isfinite(s) & (s > 0)
        if not ok.any():
            continue
        e = 1.5 * 2.0 * math.pi * float(h.mean_motion[k]) * float(st.residual[k, 0]) \
            * (t[jj] - 0.5 * (t[k] + t[k + 1]))
        num = float(np.sum((obs * e / s**2)[ok]))
        den = float(np.sum((e * e / s**2)[ok]))
        if den > 0:
            out[k] = (num / den, num / math.sqrt(den))
    return out


def cross_confirmation(h: HistoryArrays, res: PredictionResiduals, step_z: np.ndarray,
                       candidates: list[int]) -> dict[int, tuple[float, float]]:
    """For each candidate interval of a plane step (``step_z``: its one-interval robust
    z): (ratio of the RMS cross-track residual to the RMS the sets' plane angle
    predicts, significance of that residual over the quiet cross-track scale)."""
    quiet_pair, spans = _pairs(h.n, res.cross.shape[1], step_z, candidates)
    scale = _lag_scales(res.cross, quiet_pair)
    out: dict[int, tuple[float, float]] = {}
    for k in candidates:
        ii, ll = spans[k]
        obs, plane, s = res.cross[ii, ll], res.plane[ii, ll], scale[ll]
        ok = np.isfinite(obs) & np.isfinite(plane) & np.isfinite(s) & (s > 0)
        if ok.sum() < 2:
            continue
        expected = math.sqrt(float(np.mean(plane[ok] ** 2)) / 2.0)
        if expected <= 0:
            continue
        days = (h.epoch_us[ii + ll + 1][ok] - h.epoch_us[k]) / 86_400e6
        amp = _sine_amplitude(obs[ok], s[ok], 2.0 * math.pi * float(h.mean_motion[k]) * days)
        ratio = math.sqrt(float(np.mean(obs[ok] ** 2))) / expected if amp is None \
            else amp / float(np.median(plane[ok]))
        out[k] = (ratio, math.sqrt(float(np.sum((obs[ok] / s[ok]) ** 2))))
    return out


def _sine_amplitude(obs: np.ndarray, sigma: np.ndarray, phase: np.ndarray) -> float | None:
    """Amplitude of ``a sin(phase) + b cos(phase)`` fitted to ``obs`` (weights
    ``1/sigma``): a turn of the plane displaces the later set by ``r theta sin(u - u_b)``,
    a sine of its orbital phase from the burn.  None where the phases cannot tell the
    two terms apart (fewer than 4 pairs, or phases bunched: the sets of a 1-set-a-day
    or 2-a-day GEO history fall at a few phases, and their RMS would read the
    amplitude at those phases, near zero next to the turn's nodes)."""
    if obs.size < MIN_SINE_PAIRS:
        return None
    x = np.column_stack([np.sin(phase), np.cos(phase)]) / sigma[:, None]
    sv = np.linalg.svd(x, compute_uv=False)
    if sv[-1] <= 0 or sv[0] / sv[-1] > MAX_SINE_CONDITION:
        return None
    coef = np.linalg.lstsq(x, obs / sigma, rcond=None)[0]
    return float(np.hypot(*coef))


def passes(conf: tuple[float, float] | None) -> bool:
    """Whether an (amplitude, significance) confirmation holds: the amplitude within
    ``AMPLITUDE`` and the significance at least ``CONFIRM_Z``."""
    return conf is not None and AMPLITUDE[0] <= conf[0] <= AMPLITUDE[1] \
        and conf[1] >= CONFIRM_Z


def confirmed_steps(h: HistoryArrays, st: StepStatistics, res: PredictionResiduals,
                    steps: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The ``(interval, strength)`` steps whose along-track drift confirms them."""
    conf = along_confirmation(h, st, res, [k for k, _ in steps])
    return [(k, z) for k, z in steps if passes(conf.get(k))]


def confirmed_plane_steps(h: HistoryArrays, res: PredictionResiduals, step_z: np.ndarray,
                          steps: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The ``(interval, strength)`` plane steps whose cross-track displacement confirms them."""
    conf = cross_confirmation(h, res, step_z, [k for k, _ in steps])
    return [(k, z) for k, z in steps if passes(conf.get(k))]


def plane_confirmed(h: HistoryArrays, st: StepStatistics, res: PredictionResiduals,
                    k: int) -> bool:
    """Whether the cross-track motion of the set pairs spanning interval ``k`` confirms a
    turn of the plane there (:func:`cross_confirmation`; the plane columns of ``st`` mark
    the steps)."""
    zp = np.max(np.abs(st.z_residual[:, 1:3]), axis=1)
    return passes(cross_confirmation(h, res, zp, [k]).get(k))
