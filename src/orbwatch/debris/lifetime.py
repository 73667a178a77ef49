"""Orbit lifetime of many objects: averaged drag (King-Hele) and J2, for years.

Method (per object, vectorised over objects, fixed steps of ``step_days``):

* **Drag**: King-Hele's averaged decay of a and e per revolution, density
  and scale height at perigee height from the NRLMSIS 2.1 monthly table
  (:mod:`orbwatch.propagate.drag`, :mod:`orbwatch.propagate.atmosphere`);
  one explicit Euler step per ``step_days`` (a step's error matters only in
  the last days of a life, which end within one step of the true decay).
* **J2** secular rates of RAAN and argument of perigee (Vallado eq. 9-41).
* An object has **decayed** once its perigee height is below 100 km; it
  then stays so.  Altitudes are above a spherical Earth of 6378.137 km.
* Not modelled: solar radiation pressure, luni-solar perturbations, J2's
  (zero) secular effect on a and e, density dependence on latitude and local
  time (a global mean), e > ~0.2 (the series is truncated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbwatch.propagate.atmosphere import ALT_GRID_KM, SpaceWeather, month_index
from orbwatch.propagate.drag import CD, J2, MU_KM3_S2, RE_KM, decay_rates
from orbwatch.propagate.drag import j2_rates as _j2_rates

__all__ = ["Evolution", "evolve", "decay_rates", "band_crossings", "remaining_after",
           "quiet_stretches", "fit_decay_rate", "model_decay_rate",
           "CD", "DECAY_ALT_KM", "BANDS_KM", "RE_KM", "MU_KM3_S2", "J2"]

DECAY_ALT_KM = 100.0
DAY_US = 86_400_000_000
#: altitude bands (km) reported by default
BANDS_KM = {
    "ISS (400-430 km)": (400.0, 430.0),
    "CSS (380-400 km)": (380.0, 400.0),
    "Starlink low shell (340-360 km)": (340.0, 360.0),
    "Starlink shells (540-570 km)": (540.0, 570.0),
    "dense band (700-900 km)": (700.0, 900.0),
}


@dataclass(frozen=True, eq=False)
class Evolution:
    """States recorded every ``record_days`` (T records x N objects).

    ``perigee_min_alt`` is the lowest perigee height each object reached at
    any step (not only the recorded ones); ``decay_us`` the time it decayed
    (-1 if it did not)."""

    times_us: np.ndarray  # (T,)
    a: np.ndarray  # (T, N) km
    e: np.ndarray  # (T, N)
    raan: np.ndarray  # (T, N) rad
    argp: np.ndarray  # (T, N) rad
    alive: np.ndarray  # (T, N) bool
    i: np.ndarray  # (N,) rad
    am_m2_kg: np.ndarray  # (N,)
    perigee_min_alt: np.ndarray  # (N,) km
    decay_us: np.ndarray  # (N,) int64
    space_weather: str  # SpaceWeather.label: "file", "NOAA monthly table", ...

    @property
    def perigee_alt(self) -> np.ndarray:
        return self.a * (1.0 - self.e) - RE_KM

    @property
    def apogee_alt(self) -> np.ndarray:
        return self.a * (1.0 + self.e) - RE_KM

    @property
    def period_min(self) -> np.ndarray:
        return 2.0 * np.pi * np.sqrt(self.a ** 3 / MU_KM3_S2) / 60.0

    @property
    def count(self) -> np.ndarray:
        """Objects in orbit at each record."""
        return self.alive.sum(axis=1)

    def __len__(self) -> int:
        return self.a.shape[1]


def evolve(a_km, e, i_rad, raan, argp, am_m2_kg, start_us: int, years: float, *,
           step_days: float = 2.0, record_days: float = 30.0,
           space_weather: SpaceWeather | None = None) -> Evolution:
    """Evolve N orbits (arrays or scalars; km, rad, m^2/kg) from ``start_us``
    for ``years``.  See the module text for the model."""
    a, e, i, raan, argp, am = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, float))
                                                    for x in (a_km, e, i_rad, raan, argp,
                                                              am_m2_kg)))
    a, e, raan, argp = a.copy(), np.clip(e, 0.0, 0.99), raan.copy(), argp.copy()
    sw = space_weather if space_weather is not None else SpaceWeather.fallback()
    dt_us = int(round(step_days * DAY_US))
    n_steps = max(int(np.ceil(years * 365.25 / step_days)), 1)
    times = start_us + dt_us * np.arange(n_steps + 1, dtype=np.int64)
    months = month_index(times)
    table = sw.table(months)
    every = max(int(round(record_days / step_days)), 1)
    rec = sorted(set(range(0, n_steps + 1, every)) | {n_steps})
    out = {k: np.empty((len(rec), len(a))) for k in ("a", "e", "raan", "argp")}
    alive_rec = np.empty((len(rec), len(a)), bool)
    alive = a * (1.0 - e) - RE_KM >= DECAY_ALT_KM
    per_min = a * (1.0 - e) - RE_KM
    decay_us = np.full(len(a), -1, np.int64)
    decay_us[~alive] = start_us
    dt = dt_us / 1e6
    r = 0
    for s in range(n_steps + 1):
        if r < len(rec) and rec[r] == s:
            for k, v in (("a", a), ("e", e), ("raan", raan), ("argp", argp)):
                out[k][r] = v
            alive_rec[r] = alive
            r += 1
        if s == n_steps:
            break
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            continue
        hp = a[idx] * (1.0 - e[idx]) - RE_KM
        row = table.row(int(months[s]))
        rho = np.exp(np.interp(hp, ALT_GRID_KM, row))
        h = table.scale_height(hp, int(months[s]))
        da, de = decay_rates(a[idx], e[idx], i[idx], am[idx], rho, h)
        dr, dw = _j2_rates(a[idx], e[idx], i[idx])
        a[idx] = np.maximum(a[idx] + da * dt, RE_KM)  # an overshoot on the last step
        e[idx] = np.clip(e[idx] + de * dt, 0.0, 0.99)
        raan[idx] = np.mod(raan[idx] + dr * dt, 2 * np.pi)
        argp[idx] = np.mod(argp[idx] + dw * dt, 2 * np.pi)
        hp = a[idx] * (1.0 - e[idx]) - RE_KM
        per_min[idx] = np.minimum(per_min[idx], hp)
        dead = idx[hp < DECAY_ALT_KM]
        alive[dead] = False
        decay_us[dead] = times[s + 1]
    return Evolution(times_us=times[rec], a=out["a"], e=out["e"], raan=out["raan"],
                     argp=out["argp"], alive=alive_rec, i=i.copy(), am_m2_kg=am.copy(),
                     perigee_min_alt=per_min, decay_us=decay_us, space_weather=sw.label)


def remaining_after(evolution: Evolution, years) -> dict[str, int]:
    """Objects still in orbit ``years`` after the start (keys: the years as text)."""
    start = int(evolution.times_us[0])
    out = {}
    for y in np.atleast_1d(years):
        t = start + int(round(float(y) * 365.25 * DAY_US))
        out[f"{y:g}"] = int(np.count_nonzero((evolution.decay_us < 0)
                                             | (evolution.decay_us > t)))
    return out


def band_crossings(evolution: Evolution, bands: dict | None = None) -> dict[str, int]:
    """Objects whose orbit reaches each altitude band at some time in the run.

    Drag only lowers perigee and apogee, so an orbit overlaps [lo, hi] at
    some time iff its initial apogee is >= lo and its lowest perigee is
    <= hi (when the apogee falls through lo the perigee is below it)."""
    bands = BANDS_KM if bands is None else bands
    apo0 = evolution.apogee_alt[0]
    return {name: int(np.count_nonzero((apo0 >= lo) & (evolution.perigee_min_alt <= hi)))
            for name, (lo, hi) in bands.items()}


def quiet_stretches(times_us, a_km, *, jump_km: float = 0.2, min_days: float = 30.0,
                    margin_days: float = 1.0) -> list[tuple[int, int]]:
    """(start_us, stop_us) of stretches of an element-set history with no rise
    of the semi-major axis above ``jump_km`` (no reboost), at least
    ``min_days`` long after trimming ``margin_days`` at both ends."""
    t, a = np.asarray(times_us, np.int64), np.asarray(a_km, float)
    order = np.argsort(t)
    t, a = t[order], a[order]
    cuts = np.concatenate([[0], np.flatnonzero(np.abs(np.diff(a)) > jump_km) + 1, [len(t)]])
    m = int(margin_days * DAY_US)
    out = []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        if hi - lo >= 2 and (t[hi - 1] - t[lo] - 2 * m) >= min_days * DAY_US:
            out.append((int(t[lo] + m), int(t[hi - 1] - m)))
    return out


def fit_decay_rate(times_us, a_km) -> float:
    """Least-squares slope of a (km) over time: km/day."""
    t = (np.asarray(times_us, np.int64) - int(np.min(times_us))) / DAY_US
    return float(np.polyfit(t, np.asarray(a_km, float), 1)[0])


def model_decay_rate(a_km: float, e: float, i_rad: float, am_m2_kg: float, start_us: int,
                     stop_us: int, *, space_weather: SpaceWeather | None = None) -> float:
    """Mean da/dt (km/day) the model predicts over [start, stop]."""
    days = (stop_us - start_us) / DAY_US
    ev = evolve(a_km, e, i_rad, 0.0, 0.0, am_m2_kg, start_us, days / 365.25, step_days=1.0,
                record_days=1.0, space_weather=space_weather)
    return fit_decay_rate(ev.times_us, ev.a[:, 0])
