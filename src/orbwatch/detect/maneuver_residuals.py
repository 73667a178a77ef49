"""SGP4 prediction residuals of one object's element-set history.

Each set ``i`` is propagated (SGP4) to the epochs of the next ``LAGS`` sets
``j`` (over the time that passed: leap seconds counted, see
:mod:`orbwatch.detect.maneuver_leap`) and compared with set ``j``'s own position there, in the radial /
along-track / cross-track frame of set ``j``.  A change of the semi-major axis
of a few metres makes the along-track residual grow by ``3 pi da`` per
revolution, far more than element differences show.

Natural change is modelled from the object's own residuals, with the same
settings for every object:

* the *scale* of a residual grows with the propagation gap ``g`` (drag and
  element-set errors): ``s(g) = sqrt(c0 + c2 g^4)``, i.e. a constant part and
  a part quadratic in ``g``, fitted to the median squared along-track
  residual of the whole history by least squares on robust bin statistics;
* the slow change of the mean residual (a B* that is persistently off) is a
  rolling median over the neighbouring sets, the slow change of the scale
  (solar activity, attitude) a rolling *lower-quartile* scale
  (:func:`~orbwatch.detect.maneuver_features.rolling_low_scale`), which
  burns every few weeks (CryoSat-2 at solar maximum) do not inflate.

The z-score of a pair is its along-track residual minus the local median,
divided by the local robust scale.  Two interval scores:

* :func:`crossing_scores` (used near GEO): the predictions *from* set ``k``
  and those *into* set ``k+1`` (``SIDE`` each) must agree;
* :func:`pair_median_scores` (used elsewhere): the median z over every pair
  that spans the interval (``i <= k < j``, ``j - i <= LAGS``, ten pairs).
  One bad set enters at most four of them, a burn moves all of them, and
  sets that take the new orbit over a few days (Jason) still leave most of
  them displaced, where the *into* side of :func:`crossing_scores` is not.

:func:`drag_curvature` is the object's typical along-track curvature of a
prediction (km/day^2), the prior scale of drag in
:mod:`orbwatch.detect.maneuver_onset`.
"""

from __future__ import annotations

import warnings

import numpy as np

from orbwatch.detect.maneuver_features import rolling_low_scale, rolling_nanmedian
from orbwatch.detect.maneuver_leap import leap_shift_us
from orbwatch.time import jd_fr

__all__ = ["LAGS", "SIDE", "PredictionResiduals", "prediction_residuals", "along_z",
           "crossing_scores", "pair_median_scores", "cross_track_scores", "drag_curvature"]

LAGS = 4
#: plane differences are compared over pairs at most this many sets apart (the node
#: drift SGP4 does not model grows with the gap)
PLANE_LAGS = 3
SIDE = 3
_MAD = 1.4826


class PredictionResiduals:
    """``along[i, l]`` etc.: set ``i`` propagated to the epoch of set ``i + l + 1`` (km);
    ``plane``: the angle between the two orbit normals there times the radius (km, the
    cross-track amplitude of the plane difference, whatever the phase)."""

    def __init__(self, along, radial, cross, gap_days, plane=None):
        self.along, self.radial, self.cross, self.gap_days = along, radial, cross, gap_days
        self.plane = np.abs(cross) if plane is None else plane


def _rtn_unit(r, v):
    rn = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    nn = h / np.linalg.norm(h, axis=-1, keepdims=True)
    tn = np.cross(nn, rn)
    return rn, tn, nn


def prediction_residuals(sets, lags: int = LAGS) -> PredictionResiduals:
    """Residuals of every set propagated to the next ``lags`` sets (NaN where SGP4 fails)."""
    n = len(sets)
    ep = np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=n)
    sats = [s.satrec() for s in sets]
    jd, fr = jd_fr(ep)
    own_r, own_v = np.full((n, 3), np.nan), np.full((n, 3), np.nan)
    for k, sat in enumerate(sats):
        e, r, v = sat.sgp4(float(jd[k]), float(fr[k]))
        if e == 0:
            own_r[k], own_v[k] = r, v
    rn, tn, nn = _rtn_unit(own_r, own_v)
    shape = (n, lags)
    along, radial, cross = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    gap, plane = np.full(shape, np.nan), np.full(shape, np.nan)
    leap = leap_shift_us(ep[0], ep)  # propagate over the time that passed
    for i, sat in enumerate(sats[:-1]):
        j = np.arange(i + 1, min(n, i + lags + 1))
        shift = leap[j] - leap[i]
        e, r, v = sat.sgp4_array(*jd_fr(ep[j] + shift)) if shift.any() else \
            sat.sgp4_array(jd[j], fr[j])
        d = np.asarray(r) - own_r[j]
        h = np.cross(np.asarray(r), np.asarray(v))
        h /= np.linalg.norm(h, axis=1, keepdims=True)
        bad = np.asarray(e) != 0
        li = j - i - 1
        along[i, li] = np.where(bad, np.nan, np.einsum("ij,ij->i", d, tn[j]))
        radial[i, li] = np.where(bad, np.nan, np.einsum("ij,ij->i", d, rn[j]))
        cross[i, li] = np.where(bad, np.nan, np.einsum("ij,ij->i", d, nn[j]))
        gap[i, li] = (ep[j] - ep[i]) / 86_400e6
        turn = np.linalg.norm(np.cross(h, nn[j]), axis=1) * np.linalg.norm(own_r[j], axis=1)
        plane[i, li] = np.where(bad, np.nan, turn)
    return PredictionResiduals(along, radial, cross, gap, plane)


def _gap_fit(x: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """Coefficients ``(c0, c2)`` of the robust ``s(g)^2 = c0 + c2 g^4`` (None: too few)."""
    ok = np.isfinite(x) & np.isfinite(g) & (g > 0)
    if ok.sum() < 10:
        return None
    xs, gs = x[ok], g[ok]
    edges = np.unique(np.quantile(gs, np.linspace(0, 1, 13)))
    gm, m2 = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sel = (gs >= lo) & (gs <= hi)
        if sel.sum() >= 5:
            gm.append(np.median(gs[sel]))
            m2.append((_MAD * np.median(np.abs(xs[sel] - np.median(xs[sel])))) ** 2)
    gm, m2 = np.array(gm), np.array(m2)
    if gm.size < 2:
        c = np.array([np.mean(m2) if m2.size else 1e-12, 0.0])
    else:
        A = np.column_stack([np.ones_like(gm), gm**4])
        c, *_ = np.linalg.lstsq(A / m2[:, None] ** 0.5, m2 / m2**0.5, rcond=None)
        c = np.maximum(c, 0.0)
        if c[0] <= 0:
            c[0] = 0.25 * np.min(m2)
    return c


def _gap_scale(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Robust ``s(g) = sqrt(c0 + c2 g^4)`` fitted to ``x`` (residuals) over gaps ``g``."""
    c = _gap_fit(x, g)
    if c is None:
        return np.full(g.shape, np.nanmedian(np.abs(x)) * _MAD + 1e-12)
    return np.sqrt(c[0] + c[1] * np.nan_to_num(g, nan=1.0) ** 4)


def drag_curvature(res: PredictionResiduals) -> float:
    """The object's typical along-track prediction curvature (km/day^2): ``sqrt(c2)`` of
    the gap scale ``s(g) = sqrt(c0 + c2 g^4)`` at the longest lag (drag and B* errors)."""
    c = _gap_fit(res.along[:, -1], res.gap_days[:, -1])
    return float(np.sqrt(c[1])) if c is not None else 0.0


def along_z(res: PredictionResiduals, *, local_half: int = 30) -> np.ndarray:
    """(N, LAGS) z-scores of the along-track residuals (see the module docstring)."""
    z = np.full(res.along.shape, np.nan)
    for li in range(res.along.shape[1]):
        x, g = res.along[:, li], res.gap_days[:, li]
        u = x / _gap_scale(x, g)
        centre = rolling_nanmedian(u, local_half)
        dev = u - centre
        spread = rolling_low_scale(dev, 3 * local_half)
        floor = 0.2 * _MAD * np.nanmedian(np.abs(dev)) if np.any(np.isfinite(dev)) else 1.0
        if not floor > 0:  # no spread at all (identical sets): nothing departs
            floor = 1.0
        z[:, li] = dev / np.maximum(np.nan_to_num(spread, nan=floor), floor)
    return z


def pair_median_scores(z: np.ndarray) -> np.ndarray:
    """Per interval k (N-1): the median z over every pair (i, j) that spans it
    (``i <= k < j``, ``j - i <= LAGS``)."""
    n, lags = z.shape
    k = np.arange(n - 1)
    cols = []
    for ell in range(lags):
        for back in range(ell + 1):
            i = k - back
            ok = i >= 0
            c = np.full(n - 1, np.nan)
            c[ok] = z[i[ok], ell]
            cols.append(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmedian(np.column_stack(cols), axis=1))


def cross_track_scores(res: PredictionResiduals) -> np.ndarray:
    """Per interval (N-1): the median, over the pairs of sets spanning it (at most
    ``PLANE_LAGS`` apart), of the plane difference (``res.plane``, the cross-track
    amplitude) in units of its own typical value per lag.  A plane change moves the satellite cross-track around the whole
    orbit; a turn of the mean elements that moves nothing does not."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmedian(res.plane, axis=0)
    u = res.plane / np.where(scale > 0, scale, np.inf)
    return pair_median_scores(np.nan_to_num(u[:, :PLANE_LAGS], nan=0.0))


def crossing_scores(z: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Per interval k (N-1): the agreement of predictions *from* set k across the interval
    (median of z[k, 0:side]) and predictions *into* set k+1 (median of z[k-l, l], l < side):
    the smaller magnitude when both have the same sign, else 0.  A bad set k (or k+1)
    moves only one of the two; a manoeuvre in (k, k+1) moves both."""
    n, lags = z.shape
    side = min(side, lags)
    k = np.arange(n - 1)
    into = np.full((n - 1, side), np.nan)
    for ell in range(side):
        ok = k - ell >= 0
        into[ok, ell] = z[k[ok] - ell, ell]
    with warnings.catch_warnings():  # all-NaN rows (SGP4 failures) give NaN, set to 0 below
        warnings.simplefilter("ignore", RuntimeWarning)
        fwd = np.nanmedian(z[:-1, :side], axis=1)
        back = np.nanmedian(into, axis=1)
    fwd, back = np.nan_to_num(fwd), np.nan_to_num(back)
    same = np.sign(fwd) == np.sign(back)
    return np.where(same, np.sign(fwd) * np.minimum(np.abs(fwd), np.abs(back)), 0.0)
