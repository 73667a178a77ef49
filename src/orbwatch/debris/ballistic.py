"""Effective area-to-mass ratio (A/m, Cd = 2.2) for the lifetime model.

The lifetime model (:mod:`orbwatch.debris.lifetime`) needs Cd A/m with the
NRLMSIS 2.1 density it uses.  Two estimates, both *effective* values that
absorb the model's errors (global-mean density, Ap, attitude, Cd):

* :func:`estimate_am` -- **from observed decay**.  The semi-major axis of an
  element-set history is fitted by a Theil-Sen slope (median of pairwise
  slopes, robust to outliers) on the longest stretch without a rise of a
  above ``jump_km`` (a manoeuvre), and the model's own mean da/dt over the
  same span (same density table, same space weather) is scaled to it:
  A/m = A/m_ref * observed / model(A/m_ref), iterated once.  sigma is the
  1-sigma of the Theil-Sen slope (its 68% interval) carried to A/m: the
  statistical part only -- on the ISS in 2021 the A/m fitted on different
  reboost-free stretches differs by up to 2x (density-model error: Ap is
  held at 15, the density is a global mean), so out of sample expect a
  factor ~2 (``benchmarks/lifetime.py``).  With one element set (or too
  short a history) it falls back to the B* estimate.
* :func:`am_from_bstar` -- **from one element set's B***.  B* is fitted by
  the catalogue to the decay that SGP4 predicts with its own fixed
  power-law atmosphere (Hoots & Roehrich, Spacetrack Report #3, 1980;
  Vallado et al., "Revisiting Spacetrack Report #3", AIAA 2006-6753):
  rho(r) = rho0 ((q0 - s) / (r - s))^4 with q0 = 120 km, s = 78 km altitude
  (s = perigee - 78 km for perigees of 98..156 km, 20 km below 98 km) and
  rho0 such that B* = Cd (A/m) rho0 R_E / 2 with rho0 R_E = 0.15696615
  kg/m^2 (2.461e-8 kg/m^3 at 120 km).  SGP4's secular decay for that B* is
  da/dt = -2 a C1, C1 = B* C2 (Hoots & Roehrich eq. for C2, the WGS-72
  constants of SGP4).  The A/m returned makes the lifetime model's da/dt
  at the set's epoch (NRLMSIS, the given space weather) equal to SGP4's:
  the plain B* / (Cd rho0 R_E / 2) rescaled by SGP4's implicit density over
  NRLMSIS's, orbit-averaged by both models' own perigee weighting.
  Above ~500 km SGP4's power law is far denser than the real thermosphere
  (at 850 km ~1e-13 kg/m^3 against 1e-14 .. 5e-14), which is why the
  plain conversion gives A/m many times too small there.
"""

from __future__ import annotations

import numpy as np

from orbwatch.debris.lifetime import (
    DAY_US,
    RE_KM,
    decay_rates,
    fit_decay_rate,
    model_decay_rate,
    quiet_stretches,
)
from orbwatch.propagate.atmosphere import ALT_GRID_KM, SpaceWeather, month_index
from orbwatch.propagate.drag import (
    BSTAR_RHO0_RE,
    SGP4_Q0_KM,
    SGP4_S_KM,
    sgp4_decay_rate,
    sgp4_density,
)

__all__ = ["estimate_am", "am_from_bstar", "sgp4_density", "sgp4_decay_rate", "hindcast",
           "observed_rate",
           "theil_sen", "BSTAR_RHO0_RE", "SGP4_Q0_KM", "SGP4_S_KM"]

def am_from_bstar(sets, space_weather: SpaceWeather | None = None) -> np.ndarray:
    """Effective A/m (m^2/kg) per element set from its B* (module text);
    NaN where B* <= 0 (no usable drag information)."""
    sets = list(sets)
    sw = space_weather if space_weather is not None else SpaceWeather.fallback()
    n = np.array([s.mean_motion for s in sets])
    e = np.array([s.eccentricity for s in sets])
    inc = np.radians([s.inclination for s in sets])
    bstar = np.array([s.bstar for s in sets])
    a = np.array([s.semi_major_axis_km for s in sets])
    sgp4 = sgp4_decay_rate(n, e, inc, bstar)
    months = month_index([s.epoch_us for s in sets])
    table = sw.table(months)
    hp = a * (1.0 - e) - RE_KM
    rho = np.empty(len(sets))
    h = np.empty(len(sets))
    for m in np.unique(months):
        k = months == m
        rho[k] = np.exp(np.interp(hp[k], ALT_GRID_KM, table.row(int(m))))
        h[k] = table.scale_height(hp[k], int(m))
    model, _ = decay_rates(a, e, inc, 1.0, rho, h)
    return np.where(bstar > 0, sgp4 / model, np.nan)


def theil_sen(t_days, y) -> tuple[float, float, float]:
    """(slope, low, high): Theil-Sen slope and its ~68% interval (Sen 1968)."""
    from scipy.stats import theilslopes

    res = theilslopes(np.asarray(y, float), np.asarray(t_days, float), alpha=0.68)
    return float(res[0]), float(res[2]), float(res[3])


def _history(history):
    sets = sorted(history, key=lambda s: s.epoch_us)
    t = np.array([s.epoch_us for s in sets], np.int64)
    a = np.array([s.semi_major_axis_km for s in sets])
    return sets, t, a


def estimate_am(history, space_weather: SpaceWeather | None = None, *,
                span: tuple[int, int] | None = None, jump_km: float = 0.2,
                min_days: float = 10.0, min_sets: int = 5) -> tuple[float, float]:
    """(A/m m^2/kg, 1-sigma) fitting the model's da/dt to the history's decay
    (module text).  ``span`` (start_us, stop_us) picks the stretch; by
    default the longest quiet one.  Too few sets: the B* estimate of the
    newest set, sigma = that A/m (a factor ~2: single ISS sets' B* give
    0.45..1.6x the decay, see ``benchmarks/lifetime.py``)."""
    sets, t, a = _history(history)
    if span is None:
        st = quiet_stretches(t, a, jump_km=jump_km, min_days=min_days, margin_days=0.5)
        span = max(st, key=lambda x: x[1] - x[0]) if st else None
    m = (t >= span[0]) & (t <= span[1]) if span is not None else np.zeros(len(t), bool)
    if m.sum() < min_sets:
        am = float(am_from_bstar(sets[-1:], space_weather)[0])
        return am, am
    idx = np.flatnonzero(m)
    days = (t[idx] - t[idx[0]]) / DAY_US
    obs, lo, hi = theil_sen(days, a[idx])
    if obs >= 0:
        raise ValueError("the history does not decay over the stretch: no drag to fit")
    s0 = sets[idx[0]]
    am = 0.005
    for _ in range(2):
        mod = model_decay_rate(s0.semi_major_axis_km, s0.eccentricity,
                               np.radians(s0.inclination), am, int(t[idx[0]]),
                               int(t[idx[-1]]), space_weather=space_weather)
        am *= obs / mod
    sigma = am * 0.5 * (hi - lo) / abs(obs)
    return float(am), float(sigma)


def observed_rate(history, start_us: int, stop_us: int) -> float:
    """Least-squares da/dt (km/day) of the history's sets in [start, stop]."""
    _, t, a = _history(history)
    m = (t >= start_us) & (t <= stop_us)
    return fit_decay_rate(t[m], a[m])


def hindcast(old_sets, new_sets, space_weather: SpaceWeather | None = None, *,
             am=None, step_days: float = 2.0) -> dict:
    """Evolve each of ``old_sets`` (one per object) from their median epoch
    to the median epoch of ``new_sets`` and compare with the objects found
    there.  ``am``: per-object A/m (default :func:`am_from_bstar`; objects
    without a usable B* are left out).  Returns the counts and, for objects
    predicted alive and seen, the predicted and observed changes (km) of
    perigee and apogee height (``dper_p``, ``dper_o``, ``dapo_p``, ``dapo_o``)."""
    from orbwatch.debris.lifetime import evolve

    sw = space_weather if space_weather is not None else SpaceWeather.fallback()
    old = sorted(old_sets, key=lambda s: s.norad)
    new = {s.norad: s for s in new_sets}
    am = am_from_bstar(old, sw) if am is None else np.asarray(am, float)
    keep = np.flatnonzero(np.isfinite(am) & (am > 0))
    old, am = [old[k] for k in keep], am[keep]
    t0 = int(np.median([s.epoch_us for s in old]))
    t1 = int(np.median([s.epoch_us for s in new.values()]))
    ev = evolve(np.array([s.semi_major_axis_km for s in old]),
                np.array([s.eccentricity for s in old]),
                np.radians([s.inclination for s in old]), 0.0, 0.0, am, t0,
                (t1 - t0) / DAY_US / 365.25, step_days=step_days, space_weather=sw)
    alive = ev.alive[-1]
    seen = np.array([s.norad in new for s in old])
    both = np.flatnonzero(alive & seen)
    per0 = np.array([old[k].perigee_km for k in both])
    apo0 = np.array([old[k].apogee_km for k in both])
    return {
        "objects": len(old), "start_us": t0, "stop_us": t1, "space_weather": sw.label,
        "am": am, "predicted_alive": int(alive.sum()), "observed_alive": int(seen.sum()),
        "predicted_decayed_but_seen": int((~alive & seen).sum()),
        "predicted_alive_but_missing": int((alive & ~seen).sum()),
        "dper_p": ev.perigee_alt[-1, both] - per0,
        "dper_o": np.array([new[old[k].norad].perigee_km for k in both]) - per0,
        "dapo_p": ev.apogee_alt[-1, both] - apo0,
        "dapo_o": np.array([new[old[k].norad].apogee_km for k in both]) - apo0,
    }
