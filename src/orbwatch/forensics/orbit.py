"""Orbit helpers shared by the forensics detectors (vectorised, km/s/rad inside).

* mean elements of many element sets as arrays (:class:`Elements`);
* secular J2 rates of the node and of the argument of latitude, and the
  node extrapolated in time with the mean motion decaying linearly
  (drag-aware, :func:`raan_at`);
* two-body conversions (classical elements <-> state), RTN frames;
* geodetic coordinates of TEME positions;
* :func:`fit_element_set`: the SGP4 mean elements whose state at epoch is a
  given osculating state (a few fixed-point iterations in equinoctial
  elements), used to build synthetic fragments and re-epoch element sets.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.propagate import SatelliteBatch
from orbwatch.propagate.frames import itrf_to_geodetic, rtn_axes, teme_to_itrf

__all__ = ["MU", "RE", "J2", "Elements", "secular_rates", "sgp4_secular_rates", "raan_at", "argp_at", "coe_to_rv",
           "rv_to_coe", "rtn_basis", "geodetic", "sgp4_states", "fit_element_set",
           "wrap_pi", "same_launch"]

MU = 398600.8  # km^3/s^2 (WGS72, as SGP4)
RE = 6378.135  # km
J2 = 0.001082616
_REV_DAY = 2 * np.pi / 86400.0  # rad/s per rev/day
_DEG = np.pi / 180.0


def wrap_pi(x):
    """Angles wrapped to (-pi, pi]."""
    return np.pi - np.mod(np.pi - np.asarray(x, float), 2 * np.pi)


def same_launch(a: str | None, b: str | None) -> bool:
    """Same international designator year-number (``2019-079A`` ~ ``2019-079D``)."""
    return bool(a and b and len(a) >= 8 and a[:8] == b[:8])


@dataclass(frozen=True, eq=False)
class Elements:
    """Mean elements of N element sets as arrays (rad, rad/s, km, s)."""

    norad: np.ndarray
    epoch_us: np.ndarray
    n: np.ndarray  # rad/s
    ndot: np.ndarray  # rad/s^2 (d n / d t, i.e. twice the TLE field)
    e: np.ndarray
    i: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    m: np.ndarray
    #: measured node rate at epoch (rad/s, e.g. from two snapshots); NaN or
    #: None: the secular J2 rate is used
    raan_rate: np.ndarray | None = None
    bstar: np.ndarray | None = None  # 1/earth radii
    #: drag-integrated history (:class:`orbwatch.forensics.track.Track`):
    #: when set, :func:`raan_at`, :func:`argp_at` and :meth:`n_at` read it
    track: object | None = None

    @classmethod
    def from_sets(cls, sets, ndot_rev_day2=None) -> Elements:
        def arr(f):
            return np.array([f(s) for s in sets], float)

        ndot = (2 * arr(lambda s: s.mean_motion_dot) if ndot_rev_day2 is None
                else np.asarray(ndot_rev_day2, float))
        return cls(norad=np.array([s.norad for s in sets], np.int64),
                   epoch_us=np.array([s.epoch_us for s in sets], np.int64),
                   n=arr(lambda s: s.mean_motion) * _REV_DAY,
                   ndot=ndot * _REV_DAY / 86400.0,
                   e=arr(lambda s: s.eccentricity), i=arr(lambda s: s.inclination) * _DEG,
                   raan=arr(lambda s: s.raan) * _DEG, argp=arr(lambda s: s.arg_perigee) * _DEG,
                   m=arr(lambda s: s.mean_anomaly) * _DEG, bstar=arr(lambda s: s.bstar))

    def __len__(self) -> int:
        return len(self.norad)

    def take(self, idx) -> Elements:
        def pick(v):
            return None if v is None else v[idx] if isinstance(v, np.ndarray) else v.take(idx)

        return Elements(**{f.name: pick(getattr(self, f.name)) for f in dataclasses.fields(self)})

    @property
    def a(self) -> np.ndarray:
        return (MU / self.n ** 2) ** (1 / 3)

    def n_at(self, t_us) -> np.ndarray:
        """Mean motion at ``t_us`` (broadcast), decaying linearly with ``ndot``;
        kept within 0.7..1.3 of its epoch value (drag fields are noisy); from
        the semi-major axis of :attr:`track` when there is one."""
        if self.track is not None:
            return np.sqrt(MU / self.track.a_at(t_us) ** 3)
        dt = (np.asarray(t_us, float) - self.epoch_us[..., None]) / 1e6 \
            if np.ndim(t_us) else (float(t_us) - self.epoch_us) / 1e6
        nd = self.ndot[..., None] if np.ndim(t_us) else self.ndot
        n0 = self.n[..., None] if np.ndim(t_us) else self.n
        return np.clip(n0 + nd * dt, 0.7 * n0, 1.3 * n0)


def secular_rates(n, e, i):
    """Secular J2 rates (rad/s) of the node and of the argument of latitude
    (argument of perigee plus mean anomaly) for mean motion ``n`` (rad/s)."""
    a = (MU / n ** 2) ** (1 / 3)
    p = a * (1 - e ** 2)
    k = 1.5 * n * J2 * (RE / p) ** 2
    c = np.cos(i)
    raan_dot = -k * c
    argp_dot = 0.5 * k * (5 * c ** 2 - 1)
    m_dot = n + 0.5 * k * np.sqrt(1 - e ** 2) * (3 * c ** 2 - 1)
    return raan_dot, argp_dot + m_dot


J4 = -1.65597e-6  # WGS72, as SGP4
_XKE = 60.0 / np.sqrt(RE ** 3 / MU)  # earth radii^1.5 / min


def sgp4_secular_rates(n, e, i):
    """SGP4's own secular rates (rad/s) of the node and of the argument of
    perigee for Kozai mean motion ``n`` (rad/s): Brouwer mean motion, J2^2
    and J4 terms (sgp4init, Vallado et al. 2006).  The catalogue's mean
    elements are SGP4's, so these are the rates their nodes follow (about
    0.15% off the first-order J2 rate for Fengyun-1C's debris)."""
    no = np.asarray(n, float) * 60.0  # rad/min
    e, c = np.asarray(e, float), np.cos(i)
    th2 = c * c
    b2 = 1.0 - e * e
    b0 = np.sqrt(b2)
    k2 = 0.5 * J2
    a1 = (_XKE / no) ** (2.0 / 3.0)
    d1 = 1.5 * k2 * (3 * th2 - 1) / (a1 * a1 * b0 * b2)
    ao = a1 * (1 - d1 / 3 - d1 * d1 - 134.0 / 81.0 * d1 ** 3)
    do = 1.5 * k2 * (3 * th2 - 1) / (ao * ao * b0 * b2)
    nu = no / (1 + do)
    ao = (_XKE / nu) ** (2.0 / 3.0)
    pinvsq = 1.0 / (ao * ao * b2 * b2)
    t1 = 1.5 * J2 * pinvsq * nu
    t2 = 0.5 * t1 * J2 * pinvsq
    t3 = -0.46875 * J4 * pinvsq * pinvsq * nu
    node = -t1 * c + (0.5 * t2 * (4 - 19 * th2) + 2 * t3 * (3 - 7 * th2)) * c
    argp = (-0.5 * t1 * (1 - 5 * th2) + 0.0625 * t2 * (7 - 114 * th2 + 395 * th2 * th2)
            + t3 * (3 - 36 * th2 + 49 * th2 * th2))
    return node / 60.0, argp / 60.0


def raan_at(el: Elements, t_us, *, drag: bool = True):
    """Node (rad, unwrapped from the epoch value) of every set at ``t_us``.

    ``t_us`` scalar gives (N,), a 1-D array (N, T).  With ``drag`` the mean
    motion varies linearly (``ndot``) and the J2 rate, proportional to
    n^(7/3), is integrated exactly; otherwise the epoch rate is used."""
    if el.track is not None:
        return el.track.raan_at(t_us)
    t = np.asarray(t_us, float)
    scalar = t.ndim == 0
    tt = t[None, :] if not scalar else t
    ep = el.epoch_us if scalar else el.epoch_us[:, None]
    dt = (tt - ep) / 1e6
    col = (lambda x: x) if scalar else (lambda x: x[:, None])
    rate0, _ = secular_rates(el.n, el.e, el.i)
    if el.raan_rate is not None:
        rate0 = np.where(np.isfinite(el.raan_rate), el.raan_rate, rate0)
    if not drag:
        return col(el.raan) + col(rate0) * dt
    n0, nd = col(el.n), col(el.ndot)
    n1 = el.n_at(t_us)
    # integral of rate0 (n/n0)^(7/3) dt with n = n0 + nd t, n held once clipped
    small = np.abs(nd * dt) < 1e-9 * n0
    safe_nd = np.where(small, 1.0, nd)
    dt_c = np.where(small, dt, (n1 - n0) / safe_nd)
    integ = np.where(small, dt, n0 / (10 / 3 * safe_nd) * ((n1 / n0) ** (10 / 3) - 1.0))
    integ = integ + (dt - dt_c) * (n1 / n0) ** (7 / 3)
    return col(el.raan) + col(rate0) * integ


def argp_at(el: Elements, t_us):
    """Argument of perigee (rad, unwrapped) of every set at ``t_us`` (shapes
    as :func:`raan_at`): from :attr:`Elements.track`, else the epoch's
    secular J2 rate."""
    if el.track is not None:
        return el.track.argp_at(t_us)
    t = np.asarray(t_us, float)
    dt = (t - el.epoch_us) / 1e6 if t.ndim == 0 else (t[None, :] - el.epoch_us[:, None]) / 1e6
    a = el.a
    k = 1.5 * el.n * J2 * (RE / (a * (1 - el.e ** 2))) ** 2
    rate = 0.5 * k * (5 * np.cos(el.i) ** 2 - 1)
    return (el.argp + rate * dt) if t.ndim == 0 else el.argp[:, None] + rate[:, None] * dt


def coe_to_rv(a, e, i, raan, argp, nu):
    """Two-body state (TEME-like inertial, km, km/s) from classical elements;
    every argument broadcasts, angles in rad."""
    a, e, i, raan, argp, nu = np.broadcast_arrays(*(np.asarray(x, float)
                                                     for x in (a, e, i, raan, argp, nu)))
    p = a * (1 - e ** 2)
    r = p / (1 + e * np.cos(nu))
    u = argp + nu
    cO, sO, ci, si, cu, su = np.cos(raan), np.sin(raan), np.cos(i), np.sin(i), np.cos(u), np.sin(u)
    rhat = np.stack([cO * cu - sO * su * ci, sO * cu + cO * su * ci, su * si], -1)
    that = np.stack([-cO * su - sO * cu * ci, -sO * su + cO * cu * ci, cu * si], -1)
    vr = np.sqrt(MU / p) * e * np.sin(nu)
    vt = np.sqrt(MU / p) * (1 + e * np.cos(nu))
    return r[..., None] * rhat, vr[..., None] * rhat + vt[..., None] * that


def rv_to_coe(r, v):
    """Classical two-body elements (a, e, i, raan, argp, mean anomaly; rad)
    of states (..., 3)."""
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    nvec = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], -1)
    nn = np.linalg.norm(nvec, axis=-1)
    ev = (np.cross(v, h) / MU) - r / rn[..., None]
    e = np.linalg.norm(ev, axis=-1)
    energy = 0.5 * np.sum(v * v, -1) - MU / rn
    a = -MU / (2 * energy)
    i = np.arccos(np.clip(h[..., 2] / hn, -1, 1))
    raan = np.arctan2(nvec[..., 1], nvec[..., 0])
    # argument of latitude and of perigee measured in the orbit plane
    nhat = nvec / np.where(nn > 0, nn, 1)[..., None]
    w_hat = np.cross(h / hn[..., None], nhat)
    u = np.arctan2(np.sum(r * w_hat, -1), np.sum(r * nhat, -1))
    argp = np.arctan2(np.sum(ev * w_hat, -1), np.sum(ev * nhat, -1))
    nu = u - argp
    ea = 2 * np.arctan2(np.sqrt(1 - e) * np.sin(nu / 2), np.sqrt(1 + e) * np.cos(nu / 2))
    m = ea - e * np.sin(ea)
    return a, e, i, np.mod(raan, 2 * np.pi), np.mod(argp, 2 * np.pi), np.mod(m, 2 * np.pi)


def rtn_basis(r, v) -> np.ndarray:
    """(..., 3, 3) rows R (radial), T (along-track), N (orbit normal)."""
    return rtn_axes(r, v)


def geodetic(r_teme, t_us) -> tuple[float, float, float]:
    """WGS84 latitude, longitude (deg) and altitude (km) of one TEME position."""
    r = np.asarray(r_teme, float).reshape(1, 3)
    st = teme_to_itrf(r, np.zeros_like(r), np.array([int(t_us)], np.int64))
    g = itrf_to_geodetic(np.asarray(st.position).reshape(1, 3))
    return (float(np.ravel(g.lat_deg)[0]), float(np.ravel(g.lon_deg)[0]),
            float(np.ravel(g.alt_km)[0]))


def sgp4_states(sets, times_us):
    """SGP4 TEME positions and velocities (N, T, 3) of ``sets`` at ``times_us``
    (NaN where SGP4 fails)."""
    eph = SatelliteBatch.from_element_sets(list(sets)).propagate(
        np.asarray(times_us, np.int64), sticky_decay=False)
    return eph.position, eph.velocity


def fit_element_set(r, v, epoch_us: int, template: ElementSet, *, norads=None) -> list[ElementSet]:
    """SGP4 mean element sets whose states at ``epoch_us`` reproduce the TEME
    states ``r``, ``v`` (N, 3); drag terms, names and designators come from
    ``template``, ``norads`` numbers the sets (see
    :func:`orbwatch.propagate.fit.states_to_element_sets`)."""
    from orbwatch.propagate.fit import states_to_element_sets

    r = np.atleast_2d(np.asarray(r, float))
    norads = list(norads) if norads is not None else [template.norad] * len(r)
    return states_to_element_sets(r, np.atleast_2d(np.asarray(v, float)), epoch_us, norads,
                                  bstar=template.bstar, template=template)
