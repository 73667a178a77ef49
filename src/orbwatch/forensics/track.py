"""Each fragment's orbit carried back in time under drag and J2 (old clouds).

The node of a fragment drifts at the J2 rate, which goes as a^-3.5; over
the 10-15 years since an old breakup drag has lowered a by tens of km, by
an amount set by the fragment's area-to-mass ratio (A/m) and the solar
cycle.  So each fragment's semi-major axis and eccentricity are integrated
**backward** from its set, with King-Hele's averaged drag
(:func:`orbwatch.propagate.drag.decay_rates`) in the NRLMSIS 2.1 monthly
density with observed F10.7 (:mod:`orbwatch.propagate.atmosphere`, NOAA
table 2007-01..2025-04), and the node and the argument of perigee are
accumulated along that history (:class:`Track`) at SGP4's own secular
rates (J2, J2^2, J4 with the Brouwer mean motion: the catalogue's mean
elements are SGP4's).  The inclination moves too: the Sun's and Moon's pull
(:func:`_third_body`; on Fengyun-1C's near-Sun-synchronous debris it moves
i by up to 0.15 deg in 3.4 years, and the node rate with it by ~1%; the
model reproduces the change seen between the 2021 and 2025 snapshots with
correlation 0.92) and the rotating atmosphere's drag.  Vectorised over
fragments: Heun steps of ``step_days`` on a common time grid.

A/m per fragment (:func:`area_to_mass`):

* **two sets** far apart (e.g. the 2021 and 2025 snapshots of a cloud): the
  A/m whose integration from the first set to the second reproduces the
  observed change of a (secant iterations).  This *measures* the decay over
  a known stretch of the solar cycle and absorbs the density model's
  overall bias (a density scaled by k gives A/m / k and the same history);
* **one set**: the A/m that makes the model's da/dt at the set's epoch equal
  to the decay the set states: its ndot field (dn/dt = 2 ndot/2), or, where
  that is not positive, SGP4's decay for its B*
  (:func:`orbwatch.propagate.drag.sgp4_decay_rate`).  One epoch's drag:
  noisy per fragment and, through that day's space weather, common to all.

``rho_scale`` multiplies the density before each fragment's first set (the
back-integrated stretch, relative to the fitted one) and ``am_scale`` the
A/m: the systematic variants behind the stated interval.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from orbwatch.errors import OrbwatchError
from orbwatch.forensics.orbit import MU, RE, Elements, sgp4_secular_rates, wrap_pi
from orbwatch.propagate.atmosphere import ALT_GRID_KM, SpaceWeather, month_index
from orbwatch.propagate.drag import OMEGA_EARTH, decay_rates, sgp4_decay_rate

__all__ = ["Track", "TrackError", "DragFit", "area_to_mass", "track_back", "default_weather",
           "STEP_DAYS"]

DAY_US = 86_400_000_000
STEP_DAYS = 12.0
#: semi-major axis floor (km): a fragment integrated back never goes below it
_A_MIN = RE + 120.0


class TrackError(OrbwatchError):
    """A back-integration that cannot be set up (no time span, no fragments)."""


@functools.lru_cache(maxsize=1)
def default_weather() -> SpaceWeather:
    """NOAA observed monthly F10.7 (one instance: its density tables are cached)."""
    return SpaceWeather.noaa_table("monthly")


@dataclass(frozen=True, eq=False)
class Track:
    """Per fragment (rows) on a common time grid (columns): node and argument
    of perigee (rad, unwrapped) and semi-major axis (km).  Before a
    fragment's set epoch the values are integrated; after it, carried
    forward at the epoch's J2 rates."""

    t_us: np.ndarray  # (T,) float, uniform, increasing
    raan: np.ndarray  # (N, T)
    argp: np.ndarray  # (N, T)
    a: np.ndarray  # (N, T)
    am: np.ndarray  # (N,) m^2/kg used

    def take(self, idx) -> Track:
        return Track(self.t_us, self.raan[idx], self.argp[idx], self.a[idx], self.am[idx])

    def _at(self, arr: np.ndarray, t_us):
        """Linear interpolation in time (linear extrapolation outside the
        grid); scalar t gives (N,), 1-D t gives (N, Q)."""
        t = np.asarray(t_us, float)
        scalar = t.ndim == 0
        t = np.atleast_1d(t)
        step = self.t_us[1] - self.t_us[0]
        x = (t - self.t_us[0]) / step
        k = np.clip(np.floor(x).astype(np.int64), 0, len(self.t_us) - 2)
        w = x - k
        out = arr[:, k] * (1.0 - w) + arr[:, k + 1] * w
        return out[:, 0] if scalar else out

    def raan_at(self, t_us):
        return self._at(self.raan, t_us)

    def argp_at(self, t_us):
        return self._at(self.argp, t_us)

    def a_at(self, t_us):
        return self._at(self.a, t_us)


class _Air:
    """log density and its altitude gradient per month, gathered per fragment."""

    def __init__(self, lo_us: float, hi_us: float, sw: SpaceWeather):
        months = np.arange(int(month_index(int(lo_us))) - 1, int(month_index(int(hi_us))) + 2)
        table = sw.table(months)
        self.starts = ((np.datetime64("1970-01", "M") + months).astype("datetime64[us]")
                       .astype(np.int64).astype(float))
        self.log_rho = table.log_rho
        self.grad = np.gradient(table.log_rho, ALT_GRID_KM, axis=1)
        self.last = len(months) - 1

    def __call__(self, h_km, t_us):
        """Density (kg/m^3) and scale height (km) at heights and times (N,)."""
        m = np.clip(np.searchsorted(self.starts, t_us, "right") - 1, 0, self.last)
        h = np.clip(h_km, ALT_GRID_KM[0], ALT_GRID_KM[-1])
        j = np.clip(np.searchsorted(ALT_GRID_KM, h) - 1, 0, len(ALT_GRID_KM) - 2)
        w = (h - ALT_GRID_KM[j]) / (ALT_GRID_KM[j + 1] - ALT_GRID_KM[j])
        lr = self.log_rho[m, j] * (1 - w) + self.log_rho[m, j + 1] * w
        g = self.grad[m, j] * (1 - w) + self.grad[m, j + 1] * w
        return np.exp(lr), -1.0 / np.minimum(g, -1e-6)


#: mu / r^3 of the Sun (its mean motion squared) and of the Moon, s^-2
_SUN_N2 = (2 * np.pi / (365.25636 * 86400.0)) ** 2
_MOON_N2 = 4902.80 / 384400.0 ** 3
_OBLIQUITY = np.radians(23.439)
_J2000_US = 946_728_000_000_000  # 2000-01-01 12:00 UTC


def _third_body(node, inc, n, t_us):
    """Rates (rad/s) of inclination and node from the Sun (its direction at
    ``t_us``, low-precision ephemeris) and the Moon (averaged over its month:
    precession about its orbit pole, which regresses in 18.6 years), for
    near-circular orbits: dh/dt = -(3 mu / 2 n r^3) (h.s)(h x s), h the orbit
    pole (torque of the third body's tidal field on the orbit-averaged ring).
    On near-Sun-synchronous orbits (Fengyun-1C) the solar term moves the
    inclination by ~0.03 deg/yr and so the J2 node rate by ~0.3%."""
    d = (t_us - _J2000_US) / 8.64e10
    g = np.radians(357.528 + 0.9856003 * d)
    lam = np.radians(280.460 + 0.9856474 * d) + np.radians(1.915) * np.sin(g) \
        + np.radians(0.020) * np.sin(2 * g)
    ce, se = np.cos(_OBLIQUITY), np.sin(_OBLIQUITY)
    sun = np.stack([np.cos(lam), ce * np.sin(lam), se * np.sin(lam)])
    om = np.radians(125.04 - 0.0529538 * d)
    im = np.radians(5.145)
    k = np.stack([np.sin(im) * np.sin(om), -np.sin(im) * np.cos(om), np.full_like(om, np.cos(im))])
    k = np.stack([k[0], ce * k[1] - se * k[2], se * k[1] + ce * k[2]])
    si, ci = np.sin(inc), np.cos(inc)
    h = np.stack([si * np.sin(node), -si * np.cos(node), ci])
    hs, hk = np.sum(h * sun, 0), np.sum(h * k, 0)
    dh = (-1.5 * _SUN_N2 / n * hs * np.cross(h, sun, axis=0)
          + 0.75 * _MOON_N2 / n * hk * np.cross(h, k, axis=0))
    di = -dh[2] / np.maximum(si, 1e-9)
    dnode = (-h[1] * dh[0] + h[0] * dh[1]) / np.maximum(h[0] ** 2 + h[1] ** 2, 1e-18)
    return di, dnode


def _rates(y, t_us, am, air: _Air, rho_scale, scales=(1.0, 1.0), third_body=True):
    """d/dt of (a, e, node, argp, i) per fragment (km/s, 1/s, rad/s)."""
    a, e, i = np.maximum(y[0], _A_MIN), np.clip(y[1], 0.0, 0.5), y[4]
    rho, h = air(a * (1 - e) - RE, t_us)
    da, de = decay_rates(a, e, i, am, rho * rho_scale, h)
    n = np.sqrt(MU / a ** 3)
    node, argp = sgp4_secular_rates(n, e, i)
    di, dnode = _third_body(y[2], i, n, t_us) if third_body else (0.0 * n, 0.0 * n)
    # the rotating atmosphere turns the drag force a little: di/dt = w_E sin i
    # / (4 n) da/dt / a (King-Hele 1987, circular orbits)
    di = di + 0.25 * OMEGA_EARTH * np.sin(i) / n * da / a
    return np.stack([da, de, node * scales[0] + dnode, argp * scales[1], di])


def _heun(y, t_us, dt_s, am, air, rho_scale, scales=(1.0, 1.0), third_body=True):
    k1 = _rates(y, t_us, am, air, rho_scale, scales, third_body)
    y1 = y + k1 * dt_s
    k2 = _rates(y1, t_us + dt_s * 1e6, am, air, rho_scale, scales, third_body)
    return y + 0.5 * (k1 + k2) * dt_s


def _state(el: Elements) -> np.ndarray:
    return np.stack([el.a, el.e, el.raan, el.argp, el.i]).astype(float)


def _forward(el: Elements, am, t_end_us, air, steps: int = 120) -> np.ndarray:
    """State (4, N) of every fragment integrated from its epoch to ``t_end_us`` (N,)."""
    y = _state(el)
    t = el.epoch_us.astype(float)
    dt = (np.asarray(t_end_us, float) - t) / 1e6 / steps
    for _ in range(steps):
        y = _heun(y, t, dt, am, air, 1.0)
        t = t + dt * 1e6
    return y


@dataclass(frozen=True, eq=False)
class DragFit:
    """Per fragment: A/m (m^2/kg), whether it was measured from two sets, and
    the ratios of the node and perigee-argument changes seen between the two
    sets to the modelled ones (1 where not measured)."""

    am: np.ndarray
    measured: np.ndarray
    node_scale: np.ndarray
    argp_scale: np.ndarray


def area_to_mass(first: Elements, last: Elements | None = None, *,
                 space_weather: SpaceWeather | None = None, min_days: float = 200.0,
                 max_scale_dev: float = 0.02) -> DragFit:
    """A/m per fragment (module text).  ``last``: the same fragments' newest
    sets (rows aligned with ``first``); pairs less than ``min_days`` apart,
    or whose a did not decrease, fall back to the one-set estimate.  With
    two sets the node (and perigee argument) change seen between them over
    the modelled one is each fragment's rate calibration, kept when within
    ``max_scale_dev`` of 1."""
    sw = space_weather or default_weather()
    a = first.a
    # one set: the stated decay, da/dt = -(2/3) a / n dn/dt
    da_field = -(2.0 / 3.0) * a / first.n * first.ndot
    bstar_rate = np.full(len(first), np.nan) if first.bstar is None else \
        sgp4_decay_rate(first.n * 86400 / (2 * np.pi), first.e, first.i, first.bstar)
    da_obs = np.where(da_field < 0, da_field, bstar_rate)
    air = _Air(float(first.epoch_us.min()) - DAY_US,
               float((last if last is not None else first).epoch_us.max()) + DAY_US, sw)
    rho, h = air(a * (1 - first.e) - RE, first.epoch_us.astype(float))
    unit, _ = decay_rates(a, first.e, first.i, 1.0, rho, h)
    am = np.where(np.isfinite(da_obs) & (da_obs < 0), da_obs / unit, np.nan)
    measured = np.zeros(len(first), bool)
    scales = np.ones((2, len(first)))
    if last is not None:
        span = (last.epoch_us - first.epoch_us) / DAY_US
        d_obs = last.a - a
        ok = (span >= min_days) & (d_obs < 0)
        if ok.any():
            idx = np.flatnonzero(ok)
            sub = first.take(idx)
            guess = np.where(np.isfinite(am[idx]), am[idx], 0.01)
            for _ in range(4):
                y = _forward(sub, guess, last.epoch_us[idx], air)
                d_mod = y[0] - sub.a
                guess = guess * np.where(d_mod < 0, d_obs[idx] / np.minimum(d_mod, -1e-9), 1.0)
            am[idx] = guess
            measured[idx] = True
            for row, (k, seen) in enumerate(((2, last.raan[idx]), (3, last.argp[idx]))):
                model = y[k] - _state(sub)[k]
                obs = model + wrap_pi(seen - y[k])
                r = obs / np.where(np.abs(model) > 1e-6, model, np.nan)
                good = np.isfinite(r) & (np.abs(r - 1) < max_scale_dev)
                scales[row, idx[good]] = r[good]
    return DragFit(am=am, measured=measured, node_scale=scales[0], argp_scale=scales[1])


def track_back(el: Elements, am, lo_us: float, *, step_days: float = STEP_DAYS,
               rho_scale: float = 1.0, am_scale: float = 1.0, scales=(1.0, 1.0),
               third_body: bool = True, space_weather: SpaceWeather | None = None) -> Track:
    """Integrate every fragment of ``el`` (A/m ``am``) from its set epoch back
    to ``lo_us`` on a common grid ending at the newest epoch (module text).
    Fragments without an A/m (NaN) get the cloud's median.  ``third_body``:
    the Sun's and Moon's pull on the inclination and node (off only for sets
    made by SGP4 itself, which has none, e.g. synthetic clouds)."""
    if len(el) == 0:
        raise TrackError("no fragments to carry back (expected at least one element set)")
    hi = float(el.epoch_us.max())
    if hi - lo_us < 2 * step_days * DAY_US:
        raise TrackError(f"look-back of {(hi - lo_us) / DAY_US:.1f} d is shorter than two "
                         f"{step_days:g}-day steps")
    sw = space_weather or default_weather()
    am = np.asarray(am, float)
    med = np.nanmedian(am) if np.isfinite(am).any() else 0.0
    am = np.where(np.isfinite(am), am, med) * am_scale
    n_steps = int(np.ceil((hi - lo_us) / (step_days * DAY_US)))
    grid = hi - np.arange(n_steps + 1) * step_days * DAY_US  # descending
    air = _Air(grid[-1], hi, sw)
    ep = el.epoch_us.astype(float)
    y = _state(el)
    y0 = y.copy()
    rate0 = _rates(y0, ep, am, air, 1.0, scales, third_body)
    tau = ep.copy()
    rec = np.empty((3, len(el), len(grid)))
    for k, tk in enumerate(grid):
        dt = np.minimum(tk - tau, 0.0) / 1e6
        if np.any(dt < 0):
            y = _heun(y, tau, dt, am, air, rho_scale, scales, third_body)
            tau = np.minimum(tau, tk)
        started = ep > tk
        after = (tk - ep) / 1e6
        rec[0, :, k] = np.where(started, y[2], y0[2] + rate0[2] * after)
        rec[1, :, k] = np.where(started, y[3], y0[3] + rate0[3] * after)
        rec[2, :, k] = np.where(started, y[0], y0[0])
    rev = slice(None, None, -1)
    return Track(t_us=grid[rev], raan=rec[0][:, rev], argp=rec[1][:, rev], a=rec[2][:, rev],
                 am=am)
