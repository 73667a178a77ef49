"""SGP4 mean element sets from states: one state, or a trajectory by least squares.

The classic approach (Vallado & Crawford 2008, "SGP4 orbit determination"):

1. *Initial guess*: the osculating two-body elements of a state are taken as
   Kozai mean elements, propagated with SGP4 to the same epoch, and the
   difference between the target's osculating elements and SGP4's is added
   back (a fixed-point iteration that removes SGP4's short-period terms;
   it converges by a factor ~J2 per step).  :func:`states_to_element_sets`
   does this for many states at once with one ``SatrecArray`` call per
   iteration; :func:`state_to_element_set` for one.
2. *Fit*: :func:`fit_element_set` then minimises the position (and, when
   given, velocity) residuals of SGP4 itself over the whole span with
   ``scipy.optimize.least_squares`` in equinoctial elements (non-singular at
   e = 0 and i = 0), B* fixed or fitted.

Elements are carried as ``x = (n [rev/day], h, k, p, q, lambda [rad])`` with
h + ik = e exp(i(omega + Omega)), p + iq = tan(i/2) exp(i Omega) and
lambda = M + omega + Omega.  Units km, km/s, s; TEME; WGS72 as SGP4.
The mean-motion derivatives of a fitted set are 0 (SGP4 does not use them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from sgp4.api import WGS72, Satrec, SatrecArray

from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import SGP4_EPOCH_JD, XPDOTP
from orbwatch.time import jd_fr

__all__ = ["FitResult", "fit_element_set", "state_to_element_set", "states_to_element_sets",
           "osculating_equinoctial", "MU_WGS72"]

MU_WGS72 = 398600.8  # km^3/s^2, as SGP4
_REV_DAY = 2 * np.pi / 86400.0  # rad/s per rev/day
_MAX_E = 0.999


@dataclass(frozen=True)
class FitResult:
    """A fitted element set and how well SGP4 with it reproduces the states."""

    element_set: ElementSet
    rms_km: float  # RMS position residual over the span
    max_km: float  # largest position residual
    iterations: int  # residual evaluations of the least-squares fit


# ----------------------------------------------------------------- conversions
def osculating_equinoctial(r, v) -> np.ndarray:
    """Two-body equinoctial elements ``(..., 6)``: (n rev/day, h, k, p, q,
    lambda rad) of TEME states ``r``, ``v`` (..., 3) km, km/s (WGS72 mu)."""
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    rn = np.linalg.norm(r, axis=-1)
    hvec = np.cross(r, v)
    w = hvec / np.linalg.norm(hvec, axis=-1, keepdims=True)
    # p, q from the orbit normal (retrograde direct set: singular only at i = 180)
    p = w[..., 0] / (1 + w[..., 2])
    q = -w[..., 1] / (1 + w[..., 2])
    # equinoctial frame f, g
    d = 1 + p * p + q * q
    f = np.stack([1 - p * p + q * q, 2 * p * q, -2 * p], -1) / d[..., None]
    g = np.stack([2 * p * q, 1 + p * p - q * q, 2 * q], -1) / d[..., None]
    evec = np.cross(v, hvec) / MU_WGS72 - r / rn[..., None]
    k = np.sum(evec * f, -1)
    h = np.sum(evec * g, -1)
    energy = 0.5 * np.sum(v * v, -1) - MU_WGS72 / rn
    a = -MU_WGS72 / (2 * energy)
    # true longitude -> eccentric longitude -> mean longitude
    lv = np.arctan2(np.sum(r * g, -1), np.sum(r * f, -1))
    e = np.hypot(h, k)
    lp = np.arctan2(h, k)
    nu = lv - lp
    ea = 2 * np.arctan2(np.sqrt(1 - e) * np.sin(nu / 2), np.sqrt(1 + e) * np.cos(nu / 2))
    lam = lp + ea - e * np.sin(ea)
    n = np.sqrt(MU_WGS72 / np.abs(a) ** 3) / _REV_DAY
    return np.stack([n, h, k, p, q, lam], -1)


def _classical(x):
    """(n rev/day, e, i, raan, argp, M) in rad from equinoctial ``x`` (..., 6)."""
    n, h, k, p, q, lam = np.moveaxis(np.asarray(x, float), -1, 0)
    e = np.minimum(np.hypot(h, k), _MAX_E)
    lp = np.arctan2(h, k)
    raan = np.arctan2(p, q)
    inc = 2 * np.arctan(np.hypot(p, q))
    tau = 2 * np.pi
    return n, e, inc, np.mod(raan, tau), np.mod(lp - raan, tau), np.mod(lam - lp, tau)


def _wrap(x):
    return np.pi - np.mod(np.pi - x, 2 * np.pi)


# ----------------------------------------------------------------- SGP4 access
def _satrec(x, bstar: float, epoch_us: int) -> Satrec:
    n, e, inc, raan, argp, m = (float(c) for c in _classical(x))
    jd, fr = jd_fr(int(epoch_us))
    sat = Satrec()
    sat.sgp4init(WGS72, "i", 0, (jd + fr) - SGP4_EPOCH_JD, float(bstar), 0.0, 0.0,
                 e, argp, inc, m, n / XPDOTP, raan)
    sat.jdsatepoch, sat.jdsatepochF = jd, fr
    return sat


def _states(sats: list[Satrec], times_us) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    jd, fr = jd_fr(np.asarray(times_us, np.int64))
    err, r, v = SatrecArray(sats).sgp4(np.atleast_1d(jd), np.atleast_1d(fr))
    return err, r, v


def _element_set(x, bstar, epoch_us, norad, template: ElementSet | None, name) -> ElementSet:
    n, e, inc, raan, argp, m = (float(c) for c in _classical(x))
    deg = np.degrees
    fields = dict(norad=int(norad), epoch_us=int(epoch_us), mean_motion=n, eccentricity=e,
                  inclination=float(deg(inc)), raan=float(deg(raan)) % 360.0,
                  arg_perigee=float(deg(argp)) % 360.0, mean_anomaly=float(deg(m)) % 360.0,
                  bstar=float(bstar), mean_motion_dot=0.0, mean_motion_ddot=0.0,
                  source="fit", extra={})
    if name is not None:
        fields["name"] = name
    if template is not None:
        return dataclasses.replace(template, **fields)
    return ElementSet(**fields)


# ------------------------------------------------------- state -> element set
def _mean_equinoctial(r, v, epoch_us: int, bstar, *, iterations: int, tol_km: float):
    """Fixed-point osculating -> SGP4 mean equinoctial elements of (N, 3) states."""
    target = osculating_equinoctial(r, v)
    x = target.copy()
    bstar = np.broadcast_to(np.asarray(bstar, float), (len(x),))
    for _ in range(iterations):
        sats = [_satrec(xi, b, epoch_us) for xi, b in zip(x, bstar, strict=True)]
        err, rr, vv = _states(sats, [epoch_us])
        got = osculating_equinoctial(rr[:, 0], vv[:, 0])
        d = target - got
        d[:, 5] = _wrap(d[:, 5])
        ok = err[:, 0] == 0
        x[ok] += d[ok]
        miss = np.linalg.norm(rr[:, 0] - r, axis=-1)
        if np.all(~ok | (miss < tol_km)):
            break
    return x


def states_to_element_sets(r, v, epoch_us: int, norads, *, bstar=0.0,
                           template: ElementSet | None = None, names=None,
                           iterations: int = 12, tol_km: float = 1e-6) -> list[ElementSet]:
    """SGP4 mean element sets whose states at ``epoch_us`` are ``r``, ``v``
    ((N, 3) TEME km, km/s), to ``tol_km`` (1 mm) where SGP4 allows it.

    ``bstar`` (scalar or (N,)) is kept as given; ``template`` supplies the
    other fields (name, designator, ...); ``names`` (N,) overrides names."""
    r = np.atleast_2d(np.asarray(r, float))
    v = np.atleast_2d(np.asarray(v, float))
    norads = np.broadcast_to(np.asarray(norads, np.int64), (len(r),))
    bstars = np.broadcast_to(np.asarray(bstar, float), (len(r),))
    x = _mean_equinoctial(r, v, epoch_us, bstars, iterations=iterations, tol_km=tol_km)
    names = [None] * len(r) if names is None else list(names)
    return [_element_set(xi, b, epoch_us, k, template, nm)
            for xi, b, k, nm in zip(x, bstars, norads, names, strict=True)]


def state_to_element_set(r, v, epoch_us: int, norad: int, *, bstar: float = 0.0,
                         name: str | None = None) -> ElementSet:
    """The SGP4 mean element set whose state at ``epoch_us`` is (``r``, ``v``)."""
    return states_to_element_sets(np.reshape(r, (1, 3)), np.reshape(v, (1, 3)), epoch_us,
                                  [norad], bstar=bstar, names=[name])[0]


# ------------------------------------------------------------ trajectory fit
# typical size of a correction per parameter (n rev/day, h, k, p, q, lambda, B*):
# the unknowns are z = correction / scale, differenced with steps of 1e-3 z
_SCALE = np.array([1e-4, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-4])


def fit_element_set(times_us, r_teme_km, v_teme_km_s=None, *, norad: int,
                    epoch_us: int | None = None, name: str | None = None,
                    bstar: float = 0.0, fit_bstar: bool = True,
                    velocity_weight_s: float | None = None,
                    max_evaluations: int = 200) -> FitResult:
    """Least-squares SGP4 mean element set reproducing TEME states over a span.

    ``times_us`` (T,) int64; ``r_teme_km`` (T, 3); ``v_teme_km_s`` (T, 3) or
    None (positions only).  ``epoch_us`` defaults to the time nearest the
    middle of the span.  The start is the osculating -> mean conversion of
    the state nearest the epoch (SGP4 reproducing it exactly; with
    positions only, the velocity there comes from a spline of the
    positions).  B* starts at ``bstar`` and is fitted when ``fit_bstar``.
    Velocity residuals are weighted by ``velocity_weight_s`` (default 1/n,
    so 1 m/s counts as the orbit's own position scale of that error).
    """
    t = np.asarray(times_us, np.int64).reshape(-1)
    r = np.asarray(r_teme_km, float).reshape(-1, 3)
    v = None if v_teme_km_s is None else np.asarray(v_teme_km_s, float).reshape(-1, 3)
    if len(t) != len(r) or (v is not None and len(v) != len(t)) or len(t) == 0:
        raise ValueError("times, positions and velocities must have the same length > 0")
    if v is None and len(t) < 4:
        raise ValueError("a position-only fit needs at least 4 states")
    if epoch_us is None:
        epoch_us = int(t[np.argmin(np.abs(t - (t.min() + (t.max() - t.min()) // 2)))])
    j = int(np.argmin(np.abs(t - epoch_us)))
    v0 = v[j] if v is not None else _spline_velocity(t, r, j)
    x0 = _mean_equinoctial(r[j:j + 1], v0[None], int(t[j]), [bstar], iterations=12,
                           tol_km=1e-6)[0]
    if t[j] != epoch_us:  # re-epoch the guess with SGP4 itself
        _, rr, vv = _states([_satrec(x0, bstar, int(t[j]))], [epoch_us])
        x0 = _mean_equinoctial(rr[:, 0], vv[:, 0], epoch_us, [bstar], iterations=12,
                               tol_km=1e-6)[0]
    w = velocity_weight_s if velocity_weight_s is not None else 1.0 / (x0[0] * _REV_DAY)
    nfree = 7 if fit_bstar else 6
    scale = _SCALE[:nfree]

    def unpack(z):
        x = x0 + z[:6] * scale[:6]
        b = bstar + z[6] * scale[6] if fit_bstar else bstar
        return x, b

    def residuals(z):
        x, b = unpack(z)
        err, rr, vv = _states([_satrec(x, b, epoch_us)], t)
        dr = np.where(err[0][:, None] == 0, rr[0] - r, 1e3)
        if v is None:
            return dr.ravel()
        dv = np.where(err[0][:, None] == 0, vv[0] - v, 1.0) * w
        return np.concatenate([dr.ravel(), dv.ravel()])

    sol = least_squares(residuals, np.zeros(nfree), method="trf", x_scale=1.0, diff_step=1e-3,
                        max_nfev=max_evaluations, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    x, b = unpack(sol.x)
    es = _element_set(x, b, epoch_us, norad, None, name)
    err, rr, _ = _states([_satrec(x, b, epoch_us)], t)
    d = np.linalg.norm(rr[0] - r, axis=-1)
    d = np.where(err[0] == 0, d, np.inf)
    return FitResult(element_set=es, rms_km=float(np.sqrt(np.mean(d * d))),
                     max_km=float(d.max()), iterations=int(sol.nfev))


def _spline_velocity(t, r, j):
    from scipy.interpolate import CubicSpline

    ts = (t - t[0]) / 1e6
    return CubicSpline(ts, r, axis=0)(ts[j], 1)
