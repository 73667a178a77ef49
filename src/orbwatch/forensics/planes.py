"""Dating and locating a common origin from orbit planes and from positions.

Two estimators shared by :mod:`orbwatch.forensics.breakup` (many fragments)
and :mod:`orbwatch.forensics.origin` (one child and one parent):

* :func:`plane_epoch` -- orbit planes sharing a point drift apart under
  differential J2 precession (dRAAN/dt = -1.5 n J2 (Re/p)^2 cos i, with the
  mean motion decaying linearly under drag).  Each node is carried back in
  time; the epoch that minimises a robust circular spread of the nodes, then
  a linear regression of node residual on node rate around it, dates the
  event with a standard error.
* :func:`convergence_epoch` -- SGP4 positions propagated back: the time at
  which the cloud (median distance to the median position) is smallest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbwatch.forensics.orbit import (
    Elements,
    argp_at,
    coe_to_rv,
    raan_at,
    sgp4_states,
    wrap_pi,
)

__all__ = ["PlaneFit", "Convergence", "EpochInterval", "plane_epoch", "plane_interval",
           "convergence_epoch", "plane_point", "robust_spread", "intersection_spread",
           "node_spread", "MODEL_FLOOR"]

DAY_US = 86_400_000_000


def _circ_centre(a, axis=0, weights=None):
    z = np.exp(1j * a)
    if weights is not None:
        z = z * weights
    return np.angle(np.nansum(z, axis=axis))


def robust_spread(nodes, axis=0):
    """Median absolute circular deviation (rad) of angles along ``axis``,
    about a centre recomputed from the better half (robust to outliers)."""
    c = _circ_centre(nodes, axis)
    d = np.abs(wrap_pi(nodes - np.expand_dims(c, axis)))
    med = np.nanmedian(d, axis=axis, keepdims=True)
    c = _circ_centre(nodes, axis, weights=(d <= med))
    return np.nanmedian(np.abs(wrap_pi(nodes - np.expand_dims(c, axis))), axis=axis), c


@dataclass(frozen=True)
class PlaneFit:
    epoch_us: int
    sigma_s: float  # half-width of ``interval_us``
    interval_us: tuple[int, int]  # where the spread is under twice its minimum
    spread_deg: float  # robust angle of the planes from their common line at the epoch
    rate_spread_deg_day: float  # spread of node rates: what makes the clock tick
    inliers: np.ndarray  # bool (N,)
    curve_t_us: np.ndarray
    curve_deg: np.ndarray


def _normals(el: Elements, t_us):
    node = raan_at(el, t_us)  # (N,) or (N, T)
    si = np.sin(el.i) if np.ndim(node) == 1 else np.sin(el.i)[:, None]
    ci = np.cos(el.i) if np.ndim(node) == 1 else np.cos(el.i)[:, None]
    ci = np.broadcast_to(ci, node.shape)
    return np.stack([si * np.sin(node), -si * np.cos(node), ci], -1)


def _line_spread(h, weights=None):
    """Planes with normals h (N, ..., 3): their common line d (..., 3) and
    the robust angle (rad) of each plane from it, |asin(h.d)| (N, ...)."""
    w = np.ones(h.shape[:-1]) if weights is None else weights
    m = np.einsum("n...i,n...j,n...->...ij", h, h, w)
    _, vecs = np.linalg.eigh(m)
    d = vecs[..., :, 0]
    return d, np.abs(np.arcsin(np.clip(np.einsum("n...i,...i->n...", h, d), -1, 1)))


def intersection_spread(el: Elements, t_us):
    """Robust spread (rad) of the planes about their common line at each
    time of ``t_us`` (T,): median angle, after re-fitting the line to the
    better half of the planes."""
    return _h_spread(_normals(el, np.atleast_1d(np.asarray(t_us, float))))


def _h_spread(h):
    _, ang = _line_spread(h)
    keep = (ang <= np.median(ang, axis=0, keepdims=True)).astype(float)
    d, ang = _line_spread(h, keep)
    return np.median(ang, axis=0), d


def node_spread(el: Elements, t_us):
    """Robust circular spread (rad) of the nodes at each time of ``t_us``."""
    return robust_spread(raan_at(el, np.atleast_1d(np.asarray(t_us, float))), 0)[0]


def plane_epoch(el: Elements, lo_us: int, hi_us: int, *, points: int = 600,
                metric: str = "line") -> PlaneFit:
    """Epoch in [lo_us, hi_us] where the planes of ``el`` share a line best
    (``metric="line"``) or where their nodes agree best (``"node"``: blind to
    out-of-plane delta-v, but without the line metric's near-degeneracy at
    the planes' vertex over long look-backs)."""
    spread_fn = intersection_spread if metric == "line" else (
        lambda e, t: (node_spread(e, t), None))
    curve_t = np.linspace(float(lo_us), float(hi_us), points)
    curve = np.degrees(spread_fn(el, curve_t)[0])
    t, k = curve_t, int(np.argmin(curve))
    width = 2 * (t[1] - t[0])
    for _ in range(3):  # zoom in
        step = t[1] - t[0]
        t = np.linspace(max(float(lo_us), t[k] - 2 * step), min(float(hi_us), t[k] + 2 * step),
                        61)
        k = int(np.argmin(spread_fn(el, t)[0]))
    t_star = float(t[k])
    smin = spread_fn(el, [t_star])[0]
    d = intersection_spread(el, [t_star])[1]
    # uncertainty: the interval where the spread stays under twice its minimum
    # (the noise floor of mean elements against the clock of differential drift)
    tw = np.linspace(max(float(lo_us), t_star - width), min(float(hi_us), t_star + width), 401)
    sw = spread_fn(el, tw)[0]
    ok = np.flatnonzero(sw <= 2 * smin[0])
    i0, i1 = (ok.min(), ok.max()) if ok.size else (k, k)
    interval = (int(tw[max(i0 - 1, 0)]), int(tw[min(i1 + 1, len(tw) - 1)]))
    theta = np.arcsin(np.clip(_normals(el, t_star) @ d[0], -1, 1))
    inl = np.abs(theta) < 3 * 1.4826 * np.median(np.abs(theta)) + 1e-12
    node_rate = (raan_at(el, t_star + 86400e6) - raan_at(el, t_star)) / 86400.0
    return PlaneFit(epoch_us=int(round(t_star)),
                    sigma_s=max(interval[1] - t_star, t_star - interval[0]) / 1e6,
                    interval_us=interval, spread_deg=float(np.degrees(smin[0])),
                    rate_spread_deg_day=float(np.degrees(np.std(node_rate[inl])) * 86400),
                    inliers=inl, curve_t_us=curve_t.astype(np.int64), curve_deg=curve)


#: model-error floor of the plane clock, as a fraction of the look-back, for
#: the one-child clock of :mod:`orbwatch.forensics.origin` (secular J2 with a
#: linearly decaying mean motion).  The breakup clock no longer uses it: its
#: interval propagates the drag model's own uncertainty
#: (:func:`plane_interval` ``variants``) instead.
MODEL_FLOOR = 0.015


@dataclass(frozen=True)
class EpochInterval:
    """Honest uncertainty of a plane-clock epoch."""

    interval_us: tuple[int, int]
    sigma_s: float  # half-width of ``interval_us``
    bootstrap_s: tuple[float, float]  # 16th and 84th percentile epochs minus the estimate
    bootstrap_far: float  # share of resamples whose minimum left the local window
    systematic_s: dict  # model variant group -> largest shift of the epoch (s)
    terms: str

    @property
    def dateable(self) -> bool:
        return not self.terms.startswith("NO DATE")

    def as_dict(self) -> dict:
        return {"sigma_s": round(self.sigma_s, 1),
                "bootstrap_16_84_s": [round(x, 1) for x in self.bootstrap_s],
                "bootstrap_far": self.bootstrap_far,
                "systematic_s": {k: round(v, 1) for k, v in self.systematic_s.items()},
                "dateable": self.dateable, "terms": self.terms}


def _curve_fn(el: Elements, t, metric: str):
    """Spread curve over times ``t`` of any resample of rows ``idx``."""
    if metric == "line":
        h = _normals(el, t)
        return lambda idx: _h_spread(h[idx])[0]
    nodes = raan_at(el, t)
    return lambda idx: robust_spread(nodes[idx], 0)[0]


def plane_interval(el: Elements, epoch_us: int, lo_us: int, hi_us: int, *, ref_us: float,
                   metric: str = "node", n_boot: int = 30, variants: dict | None = None,
                   max_far: float = 0.2, seed: int = 0) -> EpochInterval:
    """Uncertainty of a plane-clock ``epoch_us`` found in [lo_us, hi_us]:

    * statistical: the fragments resampled with replacement (``n_boot``
      times), the minimum searched again over the whole window (coarse) and
      near the estimate (fine); 16th-84th percentile of the epochs;
    * systematic: ``variants`` maps a label (one model assumption, e.g. the
      density before the first sets scaled by 0.8 and 1.2) to the fragments
      under each alternative (:class:`Elements` with their own tracks); the
      epoch is found again under each (within 30 days or 30% of the age,
      ``ref_us`` - epoch) and the largest shift is that assumption's term.

    All terms are added in quadrature on each side.  When more than
    ``max_far`` of the resamples find their minimum away from the estimate
    the clock has no single minimum and the interval is the whole window."""
    lo, hi, ep = float(lo_us), float(hi_us), float(epoch_us)
    age = max(float(ref_us) - ep, 0.0)
    coarse_t = np.linspace(lo, hi, 240)
    step = coarse_t[1] - coarse_t[0]
    half = max(3 * step, 0.1 * age, 2 * DAY_US)
    fine_t = np.linspace(max(lo, ep - half), min(hi, ep + half), 161)
    fc, ff = _curve_fn(el, coarse_t, metric), _curve_fn(el, fine_t, metric)
    rng = np.random.default_rng(seed)
    n, boots, far = len(el), [], 0
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        tc = float(coarse_t[int(np.argmin(fc(idx)))])
        if fine_t[0] + step <= tc <= fine_t[-1] - step or fine_t[-1] - fine_t[0] < 4 * step:
            boots.append(float(fine_t[int(np.argmin(ff(idx)))]))
        else:
            boots.append(tc)
            far += 1
    b16, b84 = (np.percentile(np.array(boots) - ep, [16, 84]) / 1e6).tolist()
    win = max(30 * DAY_US, 0.3 * age)
    sys_s = {}
    for label, alts in (variants or {}).items():
        sys_s[label] = max(abs(plane_epoch(e2, int(max(lo, ep - win)), int(min(hi, ep + win)),
                                           points=200, metric=metric).epoch_us - ep) / 1e6
                           for e2 in alts)
    syst = float(np.sqrt(sum(v * v for v in sys_s.values())))
    down = float(np.hypot(max(-b16, 0.0), syst))
    up = float(np.hypot(max(b84, 0.0), syst))
    interval = (int(max(lo, ep - down * 1e6)), int(min(hi, ep + up * 1e6)))
    unidentified = far > max_far * n_boot
    if unidentified:  # the planes do not single out one epoch: the whole window
        interval = (int(lo), int(hi))
    terms = (f"bootstrap over {n} fragments ({n_boot} resamples) {b16 / 86400:+.2f}/"
             f"{b84 / 86400:+.2f} d ({far} of {n_boot} minima elsewhere in the window)"
             + "".join(f"; {k}: {v / 86400:.2f} d" for k, v in sys_s.items()))
    if unidentified:
        terms = ("NO DATE: resampled fragments put the minimum elsewhere in the window "
                 f"{far} times in {n_boot}, so the interval is the whole window; " + terms)
    return EpochInterval(interval_us=interval, sigma_s=(interval[1] - interval[0]) / 2e6,
                         bootstrap_s=(b16, b84), bootstrap_far=far / n_boot, systematic_s=sys_s,
                         terms=terms)


@dataclass(frozen=True)
class Convergence:
    epoch_us: int
    sigma_s: float
    min_spread_km: float
    centre_teme: np.ndarray  # (3,)
    velocity_teme: np.ndarray  # (N, 3) of every fragment at the epoch
    position_teme: np.ndarray  # (N, 3)
    curve_t_us: np.ndarray
    curve_km: np.ndarray


def _cloud_spread(pos):
    """(N, T, 3) -> (T,) median distance to the median position, and centres."""
    centre = np.nanmedian(pos, axis=0)
    return np.nanmedian(np.linalg.norm(pos - centre[None], axis=-1), axis=0), centre


def convergence_epoch(sets, lo_us: int, hi_us: int, *, step_s: float = 60.0) -> Convergence:
    """Time in [lo_us, hi_us] of the tightest cloud of SGP4 positions."""
    t = np.arange(int(lo_us), int(hi_us) + 1, int(step_s * 1e6), dtype=np.int64)
    pos, _ = sgp4_states(sets, t)
    curve, _ = _cloud_spread(pos)
    k = int(np.nanargmin(curve))
    fine = np.arange(t[k] - int(2 * step_s * 1e6), t[k] + int(2 * step_s * 1e6) + 1, 500_000,
                     dtype=np.int64)
    pf, _ = sgp4_states(sets, fine)
    sf, _ = _cloud_spread(pf)
    j = int(np.nanargmin(sf))
    t0 = int(fine[j])
    if 0 < j < len(sf) - 1:  # parabola through the three samples around the minimum
        a, b, c = sf[j - 1], sf[j], sf[j + 1]
        den = a - 2 * b + c
        if den > 0:
            t0 += int(round(0.5 * (a - c) / den * 0.5e6))
    p0, v0 = sgp4_states(sets, [t0])
    p0, v0 = p0[:, 0], v0[:, 0]
    centre = np.nanmedian(p0, axis=0)
    smin = float(np.nanmedian(np.linalg.norm(p0 - centre, axis=-1)))
    vspread = float(np.nanmedian(np.linalg.norm(v0 - np.nanmedian(v0, axis=0), axis=-1)))
    sigma = float(np.hypot(smin / max(vspread, 1e-6), 0.5))
    return Convergence(epoch_us=t0, sigma_s=sigma, min_spread_km=smin, centre_teme=centre,
                       velocity_teme=v0, position_teme=p0, curve_t_us=t, curve_km=curve)


def plane_point(el: Elements, t_us: int, inliers=None, direction=None):
    """Where the planes of ``el`` at ``t_us`` meet: the direction common to
    all planes (smallest eigenvector of the sum of normal outer products),
    signed by where the fragments' radii agree best; returns the TEME
    position (3,), each fragment's two-body velocity there (N, 3), the
    angular scatter of the planes about that line (rad) and the radius MAD (km)."""
    inl = np.ones(len(el), bool) if inliers is None else inliers
    node = raan_at(el, t_us)
    h = np.stack([np.sin(el.i) * np.sin(node), -np.sin(el.i) * np.cos(node), np.cos(el.i)], -1)
    m = h[inl].T @ h[inl]
    w, vecs = np.linalg.eigh(m)
    if direction is not None:  # a given point (e.g. a parent's velocity there)
        vecs = np.asarray(direction, float)[:, None] / np.linalg.norm(direction)
    best = None
    n_t = el.n_at(t_us)
    a = (398600.8 / n_t ** 2) ** (1 / 3)
    argp = argp_at(el, t_us)
    for sign in ((1.0,) if direction is not None else (1.0, -1.0)):
        d = sign * vecs[:, 0]
        nodevec = np.stack([np.cos(node), np.sin(node), np.zeros_like(node)], -1)
        wvec = np.cross(h, nodevec)
        u = np.arctan2(wvec @ d, nodevec @ d)
        nu = u - argp
        r_i = a * (1 - el.e ** 2) / (1 + el.e * np.cos(nu))
        rmed = float(np.median(r_i[inl]))
        mad = float(np.median(np.abs(r_i[inl] - rmed)))
        if best is None or mad < best[3]:
            _, v = coe_to_rv(a, el.e, el.i, node, argp, nu)
            best = (d * rmed, v, float(np.sqrt(max(w[0], 0) / max(inl.sum(), 1))), mad)
    return best
