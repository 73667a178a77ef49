"""Robust per-object statistics of mean-element changes, for manoeuvre detection.

Everything here is computed from one object's own history, with the same
settings for every object:

1. *Differences* between consecutive element sets of the quantities a burn
   changes: semi-major axis ``a`` (km, from the Kozai mean motion),
   inclination ``i`` and the node ``sin(i)*Omega`` (rad; together the
   direction of the orbit normal; near GEO the inclination vector instead,
   the normal's equatorial components ``hx = sin i sin Omega``,
   ``hy = -sin i cos Omega``, which drift steadily under lunisolar forces and
   stay defined at any inclination, where ``i`` and ``Omega`` of a
   near-equatorial orbit swing with every set's cross-track error) and the
   eccentricity vector ``(ex, ey)``
   (referred to the node in LEO, to the vernal equinox — ``omega + Omega`` —
   near GEO, where ``Omega`` is ill defined) and its magnitude ``e``.
2. *Detrending*: the natural change (drag decay, J2 and lunisolar drift) is the
   rolling median of each difference per day over the neighbouring
   intervals, times the interval's length; what is left is the residual
   ``e_k`` of interval ``k``.  Uneven gaps are handled because the trend is a
   rate.
3. *Steps*: the cumulative residual ``X`` is a detrended series per set.  The
   step at interval ``k`` (between sets ``k`` and ``k+1``) is the median of
   ``X`` over ``m`` sets after the next ``g`` minus the median over the previous
   ``m`` (the ``g`` skipped sets allow for element sets fitted partly to
   pre-manoeuvre tracking, which converge over a few sets).  A
   single bad set (an outlier that reverts at the next set) moves one value
   of ``X`` and so neither median, whereas a manoeuvre moves every later value.
4. *Scale*: each step is divided by 1.4826 x the rolling median absolute step
   (the MAD of a zero-centred series) of the same object, so the thresholds
   are in robust standard deviations of that object's own element-set noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["FEATURES", "GEO_FEATURES", "feature_names", "normal_vectors", "HistoryArrays",
           "prepare_history",
           "StepStatistics", "history_arrays", "rolling_nanmedian", "rolling_low_scale",
           "step_statistics", "is_geo_like", "LOW_QUANTILE", "LOW_NORMAL", "rolling_rate"]

#: the quantities whose steps are tested, in this order
FEATURES = ("a_km", "i_rad", "node_rad", "ex", "ey", "e")
#: the same near GEO: the plane as the inclination vector (the orbit normal's x, y)
GEO_FEATURES = ("a_km", "hx", "hy", "ex", "ey", "e")


def feature_names(geo: bool) -> tuple[str, ...]:
    """The names of the step columns of a history (GEO-like or not)."""
    return GEO_FEATURES if geo else FEATURES


def normal_vectors(inc_rad, raan_rad) -> np.ndarray:
    """Unit orbit normals (..., 3) in the frame of the elements."""
    inc, raan = np.asarray(inc_rad), np.asarray(raan_rad)
    return np.stack([np.sin(inc) * np.sin(raan), -np.sin(inc) * np.cos(raan), np.cos(inc)],
                    axis=-1)
MU_KM3_S2 = 398600.8  # WGS72, as SGP4
_MAD = 1.4826


@dataclass(frozen=True)
class HistoryArrays:
    """Element sets of one object as arrays (N sets, sorted, no duplicate epochs)."""

    epoch_us: np.ndarray  # (N,) int64
    a_km: np.ndarray
    inc_rad: np.ndarray
    raan_rad: np.ndarray
    ecc_vec: np.ndarray  # (N, 2)
    mean_motion: np.ndarray  # rev/day
    geo: bool

    @property
    def n(self) -> int:
        return self.epoch_us.size


def is_geo_like(mean_motion_rev_day: float) -> bool:
    """Near-synchronous (0.9-1.1 rev/day): station keeping terms apply."""
    return 0.9 <= mean_motion_rev_day <= 1.1


def prepare_history(history) -> list:
    """Sorted by epoch, exact duplicates removed (one set per epoch, the first seen)."""
    out, seen = [], set()
    for s in sorted(history, key=lambda s: s.epoch_us):
        if s.epoch_us in seen:
            continue
        seen.add(s.epoch_us)
        out.append(s)
    return out


def history_arrays(sets) -> HistoryArrays:
    """Arrays of a sorted, duplicate-free history (see ``orbwatch.detect.maneuvers``)."""
    ep = np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=len(sets))
    el = np.array([(s.mean_motion, s.eccentricity, s.inclination, s.raan, s.arg_perigee)
                   for s in sets], dtype=float).reshape(-1, 5)
    n_rev, ecc = el[:, 0], el[:, 1]
    inc, raan, argp = np.radians(el[:, 2]), np.radians(el[:, 3]), np.radians(el[:, 4])
    n_rad_s = n_rev * 2 * np.pi / 86400.0
    a = (MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
    geo = bool(len(sets)) and is_geo_like(float(np.median(n_rev)))
    phase = argp + raan if geo else argp
    evec = np.column_stack([ecc * np.cos(phase), ecc * np.sin(phase)])
    return HistoryArrays(ep, a, inc, raan, evec, n_rev, geo)


def rolling_nanmedian(x: np.ndarray, half: int, *, exclude_centre: bool = False) -> np.ndarray:
    """Centred rolling median over ``2*half+1`` values, ignoring NaN (edges shrink);
    with ``exclude_centre`` over the ``2*half`` neighbours only."""
    pad = np.concatenate([np.full(half, np.nan), x, np.full(half, np.nan)])
    win = sliding_window_view(pad, 2 * half + 1)
    if exclude_centre:
        win = np.delete(win, half, axis=1)
    out = np.full(x.size, np.nan)
    ok = ~np.all(np.isnan(win), axis=1)
    out[ok] = np.nanmedian(win[ok], axis=1)
    return out


def rolling_rate(rate: np.ndarray, t_days: np.ndarray, half: int) -> np.ndarray:
    """The local drift rate at each interval: the median of the ``2*half`` neighbouring
    rates (:func:`rolling_nanmedian`, centre excluded) where the window is whole.  Within
    ``half`` of either end the window is one-sided and its median is the rate at its
    median time, up to ``half`` intervals away: there it is moved to the interval's own
    time ``t_days`` by the window's Theil-Sen slope (the median of the pairwise slopes).
    An object re-entering decays faster every day: a median of the days before would
    leave each of its last intervals a step of "lowering"."""
    out = rolling_nanmedian(rate, half, exclude_centre=True)
    n = rate.size
    for k in np.unique(np.r_[0:min(half, n), max(half, n - half):n]):
        idx = np.r_[max(0, k - half):k, k + 1:min(n, k + half + 1)]
        idx = idx[np.isfinite(rate[idx])]
        i, j = np.triu_indices(idx.size, 1)
        dt = t_days[idx[j]] - t_days[idx[i]]
        if np.count_nonzero(dt > 0) < 6:
            continue
        slope = np.median((rate[idx[j]] - rate[idx[i]])[dt > 0] / dt[dt > 0])
        out[k] += slope * (t_days[k] - np.median(t_days[idx]))
    return out


#: the quantile of |x| behind :func:`rolling_low_scale`, and that quantile of |N(0, 1)|
LOW_QUANTILE = 0.25
LOW_NORMAL = 0.31864


def rolling_low_scale(x: np.ndarray, half: int) -> np.ndarray:
    """Centred rolling robust scale of a zero-centred series from a *low* quantile of
    ``|x|`` (the 25th percentile over ``2*half+1`` values, ignoring NaN, divided by its
    value for a unit normal).  Manoeuvres every few weeks put a quarter or more of a
    window's values in the tail, which inflates a median-based scale; the lower
    quartile is inflated less (a third of the values in the tail: x1.6 against x1.7;
    a half: x2.1 against x15), at the price of a noisier estimate on quiet data."""
    ax = np.abs(x)
    pad = np.concatenate([np.full(half, np.nan), ax, np.full(half, np.nan)])
    win = sliding_window_view(pad, 2 * half + 1)
    out = np.full(x.size, np.nan)
    ok = np.sum(np.isfinite(win), axis=1) >= 4
    out[ok] = np.nanquantile(win[ok], LOW_QUANTILE, axis=1) / LOW_NORMAL
    return out


def _windowed_median(x: np.ndarray, start: np.ndarray, m: int) -> np.ndarray:
    """``nanmedian(x[s:s+m])`` for every s in ``start`` (out-of-range values are NaN)."""
    pad = np.concatenate([np.full(m, np.nan), x, np.full(m, np.nan)])
    idx = start[:, None] + m + np.arange(m)[None, :]
    vals = pad[np.clip(idx, 0, pad.size - 1)]
    with np.errstate(all="ignore"):
        cnt = np.sum(~np.isnan(vals), axis=1)
        med = np.full(start.size, np.nan)
        ok = cnt >= min(2, m)
        med[ok] = np.nanmedian(vals[ok], axis=1)
    return med


@dataclass(frozen=True)
class StepStatistics:
    """Per interval k (between sets k and k+1), per feature f (columns in FEATURES order)."""

    dt_days: np.ndarray  # (K,)
    residual: np.ndarray  # (K, F) one-interval residual after the trend
    step: np.ndarray  # (K, F) robust step across the interval
    z_step: np.ndarray  # (K, F) step / robust scale
    z_residual: np.ndarray  # (K, F) residual / robust scale
    trend_per_day: np.ndarray  # (K, F)


def _differences(h: HistoryArrays) -> np.ndarray:
    da = np.diff(h.a_km)
    if h.geo:
        w = normal_vectors(h.inc_rad, h.raan_rad)
        di, dnode = np.diff(w[:, 0]), np.diff(w[:, 1])
    else:
        draan = np.angle(np.exp(1j * np.diff(h.raan_rad)))
        di = np.diff(h.inc_rad)
        dnode = np.sin(0.5 * (h.inc_rad[1:] + h.inc_rad[:-1])) * draan
    de = np.diff(h.ecc_vec, axis=0)
    dmag = np.diff(np.hypot(h.ecc_vec[:, 0], h.ecc_vec[:, 1]))
    return np.column_stack([da, di, dnode, de[:, 0], de[:, 1], dmag])


def _robust_scale(x: np.ndarray, half: int) -> np.ndarray:
    """1.4826 x rolling median |x| (x is zero-centred), floored at a tenth of the global one."""
    ax = np.abs(x)
    local = _MAD * rolling_nanmedian(ax, half)
    glob = _MAD * np.nanmedian(ax) if np.any(~np.isnan(ax)) else np.nan
    floor = 0.1 * glob if np.isfinite(glob) and glob > 0 else 1e-300
    return np.where(np.isfinite(local), np.maximum(local, floor), max(glob, floor))


def step_statistics(h: HistoryArrays, *, trend_half: int = 10, step_sets: int = 3,
                    skip_sets: int = 2, scale_half: int = 45) -> StepStatistics:
    """Residuals, steps and their robust z-scores for every interval of a history."""
    k = h.n - 1
    dt = np.diff(h.epoch_us) / 86_400e6
    d = _differences(h)
    rate = np.column_stack([rolling_nanmedian(d[:, j] / dt, trend_half, exclude_centre=True)
                            for j in range(d.shape[1])])
    if not h.geo:  # drag: the decay of a may speed up to the last set (re-entry); MEO/HEO
        # drift little, and a near-zero slope leaves their median as it was
        t_mid = 0.5 * (h.epoch_us[1:] + h.epoch_us[:-1]) / 86_400e6
        rate[:, 0] = rolling_rate(d[:, 0] / dt, t_mid, trend_half)
    resid = d - rate * dt[:, None]
    x = np.vstack([np.zeros((1, d.shape[1])), np.cumsum(resid, axis=0)])  # (N, F)
    ks = np.arange(k)
    step = np.column_stack([
        _windowed_median(x[:, j], ks + 1 + skip_sets, step_sets) - _windowed_median(x[:, j], ks - step_sets + 1,
                                                                        step_sets)
        for j in range(d.shape[1])])
    z_step = np.column_stack([step[:, j] / _robust_scale(step[:, j], scale_half)
                              for j in range(d.shape[1])])
    z_res = np.column_stack([resid[:, j] / _robust_scale(resid[:, j], scale_half)
                             for j in range(d.shape[1])])
    return StepStatistics(dt, resid, step, np.nan_to_num(z_step), np.nan_to_num(z_res), rate)
