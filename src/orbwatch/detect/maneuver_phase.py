"""Along-track phase kinks: the most sensitive trace an in-plane burn leaves in
an element-set history.

An along-track burn ``dv`` changes the mean motion by ``dn = -3 n dv / v``
at the burn time ``t_b``, while the position (the mean argument of latitude
``u = M + omega``; the mean longitude ``M + omega + Omega`` near GEO, where
``omega`` and ``Omega`` are ill defined) stays continuous.  So the unwrapped
phase ``phi(t)`` of the history, smooth under drag (LEO: a slowly varying
decay) or the longitude acceleration of a GEO slot (a parabola), gets a
*kink*: a change of slope ``dn`` at ``t_b``.  A 1 cm/s burn in LEO moves the
phase by several km per day while a TLE's phase is good to about a km, so
the kink shows far above the noise of the mean motion itself, and the phase
of the sets right after the burn is nearly right even where their mean
motion still carries the old orbit.

Method (the same settings for every object):

* *Unwrapping*: consecutive phases differ by the secular rate of ``u``
  (mean motion with SGP4's J2 terms) times the gap plus whole turns; the
  turn count is the rounding of the predicted advance.  Where the two sets'
  own rates disagree on it (long gaps) the history is cut into segments.
* *Kink test*: for each interval ``k`` (between sets ``k`` and ``k+1``) the
  ``2 * SIDE`` sets around it (same segment) are fitted, by a robust
  (Tukey biweight, a few reweighting passes) batched least-squares fit, with
  a common parabola plus a change of slope at the middle of the interval.
  The z-score is that change over its standard error, the noise level being
  the rolling median of the fits' own residual scales (the object's quiet
  phase noise), and then over the rolling median absolute z of the object;
  the smaller of the z-scores over ``SIDE`` and ``SIDE - 1`` sets a side is
  kept, so a bad set at a window's edge does not pose as a kink.
* *Placement*: :func:`kink_epoch` moves the kink over a fine grid around a
  detected interval and keeps the time of the smallest robust misfit.
"""

from __future__ import annotations

import warnings

import numpy as np

from orbwatch.detect.maneuver_features import MU_KM3_S2, is_geo_like, rolling_nanmedian

__all__ = ["SIDE", "PhaseSeries", "phase_series", "kink_statistics", "kink_epoch", "robust_lstsq"]

SIDE = 6
J2 = 1.082616e-3  # WGS72, as SGP4
RE_KM = 6378.135
#: the two sets' own rates may disagree on the turn count by this much (rev) before a cut
AMBIGUOUS_REV = 0.2
_TUKEY = 4.685
_MAD = 1.4826
_PASSES = 3
_SCALE_HALF = 45


class PhaseSeries:
    """Unwrapped phase ``phi`` (rad) at days ``t`` from the first set, its segment
    ids, the mean motion ``n`` (rad/day) and ``a`` (km) of every set."""

    def __init__(self, t, phi, segment, n, a_km, geo):
        self.t, self.phi, self.segment, self.n, self.a_km, self.geo = t, phi, segment, n, a_km, geo


def phase_series(sets) -> PhaseSeries:
    """The phase of a sorted, duplicate-free history (see the module docstring)."""
    ep = np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=len(sets))
    el = np.array([(s.mean_motion, s.eccentricity, s.inclination, s.raan, s.arg_perigee,
                    s.mean_anomaly) for s in sets], dtype=float).reshape(-1, 6)
    n = el[:, 0] * 2 * np.pi
    e, inc = el[:, 1], np.radians(el[:, 2])
    geo = bool(len(sets)) and is_geo_like(float(np.median(el[:, 0])))
    u = np.radians(el[:, 4] + el[:, 5] + (el[:, 3] if geo else 0.0))
    a = (MU_KM3_S2 / (n / 86400.0) ** 2) ** (1.0 / 3.0)
    k2 = 0.75 * J2 * (RE_KM / (a * (1 - e**2))) ** 2
    c2 = np.cos(inc) ** 2
    rate = n * (1 + k2 * (np.sqrt(1 - e**2) * (3 * c2 - 1) + (5 * c2 - 1)))
    if geo:
        rate = rate - 2.0 * k2 * np.cos(inc) * n  # the node's regression
    t = (ep - ep[0]) / 86_400e6
    dt = np.diff(t)
    pred = 0.5 * (rate[1:] + rate[:-1]) * dt
    du = np.diff(u)
    turns = np.round((pred - du) / (2 * np.pi))
    cut = np.abs(rate[1:] - rate[:-1]) * dt / (2 * np.pi) > AMBIGUOUS_REV
    phi = np.concatenate([[0.0], np.cumsum(du + 2 * np.pi * turns)])
    seg = np.concatenate([[0], np.cumsum(cut)])
    return PhaseSeries(t, phi, seg, n, a, geo)


def robust_lstsq(X: np.ndarray, y: np.ndarray, valid: np.ndarray):
    """Batched Tukey-reweighted least squares ``y = X beta`` over the last two axes
    (``X``: (..., N, P); rows of the leading axes independent).  Returns beta (..., P),
    the unscaled variance of the last coefficient, the robust residual scale (...) and
    the residuals (..., N)."""
    p = X.shape[-1]
    w = valid.astype(float)
    ridge = 1e-12 * np.eye(p)
    for _ in range(_PASSES):
        Xw = X * w[..., None]
        A = np.einsum("...ni,...nj->...ij", Xw, X) + ridge
        beta = np.linalg.solve(A, np.einsum("...ni,...n->...i", Xw, y)[..., None])[..., 0]
        r = y - np.einsum("...ni,...i->...n", X, beta)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # windows without a valid set
            s = _MAD * np.nanmedian(np.where(w > 0, np.abs(r), np.nan), axis=-1)
        s = np.maximum(np.nan_to_num(s, nan=1e-9), 1e-9)
        w = np.where(valid, np.clip(1 - (r / (_TUKEY * s[..., None])) ** 2, 0, None) ** 2, 0.0)
    A = np.einsum("...ni,...nj->...ij", X * w[..., None], X) + ridge
    var_last = np.linalg.inv(A)[..., p - 1, p - 1]
    return beta, var_last, s, r


def _robust_fit(x, y, valid, after):
    """:func:`robust_lstsq` of ``y = c0 + c1 x + c2 x^2 + b * x * after`` (rows
    independent): coefficients (K, 4), the variance factor of ``b``, the robust scale
    and the residuals."""
    X = np.stack([np.ones_like(x), x, x**2, np.where(after, x, 0.0)], axis=-1)
    return robust_lstsq(X, y, valid)


def _windows(ps: PhaseSeries, centre: np.ndarray, side: int):
    """Indices of the ``2 side`` sets around each interval ``centre`` and their validity."""
    n = ps.t.size
    off = np.arange(-side + 1, side + 1)
    idx = centre[:, None] + off[None, :]
    idc = np.clip(idx, 0, n - 1)
    seg = ps.segment[np.clip(centre, 0, n - 1)]
    valid = (idx >= 0) & (idx < n) & (ps.segment[idc] == seg[:, None])
    valid &= (ps.segment[np.clip(centre + 1, 0, n - 1)] == seg)[:, None]
    return idc, valid, np.broadcast_to(off > 0, idx.shape)


def _kink_z(ps: PhaseSeries, side: int) -> tuple[np.ndarray, np.ndarray]:
    n = ps.t.size
    ks = np.arange(n - 1)
    idc, valid, after = _windows(ps, ks, side)
    enough = ((valid & after).sum(1) >= 3) & ((valid & ~after).sum(1) >= 3)
    tau = 0.5 * (ps.t[ks] + ps.t[ks + 1])
    x = ps.t[idc] - tau[:, None]
    y = np.where(valid, ps.phi[idc] - ps.phi[ks][:, None], 0.0)
    beta, var_b, s, _ = _robust_fit(x, y, valid, after)
    noise = rolling_nanmedian(np.where(enough, s, np.nan), _SCALE_HALF)
    glob = np.nanmedian(np.where(enough, s, np.nan)) if enough.any() else 1.0
    noise = np.where(np.isfinite(noise), noise, glob)
    z = np.where(enough, beta[:, 3] / (noise * np.sqrt(var_b)), 0.0)
    spread = _MAD * rolling_nanmedian(np.where(enough, np.abs(z), np.nan), _SCALE_HALF)
    spread = np.where(np.isfinite(spread), spread, 1.0)
    # unit-variance noise has a scaled MAD of 1: never inflate beyond it
    z = z / np.maximum(spread, 1.0)
    return np.where(enough, beta[:, 3], 0.0), np.nan_to_num(z)


def kink_statistics(ps: PhaseSeries, side: int = SIDE) -> tuple[np.ndarray, np.ndarray]:
    """Per interval (N-1): the change of phase rate (rad/day, + = faster = lower orbit)
    and its robust z-score (0 where fewer than 3 sets lie on either side).

    A bad set at the edge of a window has the leverage to pose as a kink there; so
    the z-score is the smaller of the fits over ``side`` and ``side - 1`` sets a side
    (0 where they disagree in sign): a real kink shows in both, an edge outlier in one.
    """
    if ps.t.size < 2:
        return np.zeros(0), np.zeros(0)
    rate, z_wide = _kink_z(ps, side)
    _, z_narrow = _kink_z(ps, max(3, side - 1))
    same = np.sign(z_wide) == np.sign(z_narrow)
    z = np.where(same, np.sign(z_wide) * np.minimum(np.abs(z_wide), np.abs(z_narrow)), 0.0)
    return rate, z


def kink_epoch(ps: PhaseSeries, k: int, *, reach: int = 2, grid: int = 97,
               side: int = SIDE, upto: int | None = None,
               span: tuple[int, int] | None = None) -> tuple[float, float] | None:
    """Best kink time (days from the first set) near interval ``k``, searched from set
    ``k - reach`` to set ``k + 1 + reach`` (not past set ``upto``), and the rate change
    there; None where the window is too thin.

    ``span`` (first, last set) bounds the fit to the sets between two other burns: one
    kink fitted across a second one is pulled towards it (a 0.12 m/s burn 3 days after
    a 1 m/s one was placed 1.4 days early)."""
    n = ps.t.size
    first, last = (0, n - 1) if span is None else (max(0, span[0]), min(n - 1, span[1]))
    lo, hi = max(first, k - reach), min(last, k + 1 + reach)
    if upto is not None:
        hi = max(lo + 1, min(hi, upto))
    if hi <= lo or hi > last:
        return None
    taus = np.linspace(ps.t[lo], ps.t[hi], grid)
    sel = np.arange(max(first, lo - side + 1), min(last + 1, hi + side))
    sel = sel[ps.segment[sel] == ps.segment[k]]
    if sel.size < 7:
        return None
    x = ps.t[sel][None, :] - taus[:, None]
    y = np.broadcast_to(ps.phi[sel] - ps.phi[sel[0]], x.shape)
    after = x > 0
    valid = np.ones_like(x, dtype=bool)
    enough = (after.sum(1) >= 3) & ((~after).sum(1) >= 3)
    if not enough.all():
        # too few sets on one side of part of the range (a history's or a span's end):
        # the fit could only place the kink where it has enough, wherever the burn is
        return None
    beta, _, s, r = _robust_fit(x, y, valid, after)
    # misfit under one common scale (the best window's), so the grid points compare
    s0 = float(np.min(s))
    rho = np.minimum((r / (_TUKEY * s0)) ** 2, 1.0).sum(1)
    j = int(np.argmin(rho))
    return float(taus[j]), float(beta[j, 3])
