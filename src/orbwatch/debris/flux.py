"""Extra collision rate a debris cloud brings to other satellites (kinetic gas theory).

Method (D. J. Kessler, "Derivation of the collision probability between
orbiting objects: the lifetimes of Jupiter's outer moons", Icarus 48, 39-48
(1981); Kessler & Cour-Palais, JGR 83, 2637 (1978)): the rate of impacts on
a target is  flux x cross-section = n v_rel sigma, with n the fragments'
spatial density (per km^3) where the target flies.

* **Spatial density per altitude shell.**  Each fragment spends the fraction
  (M(r2) - M(r1)) / pi of its period between radii r1 and r2 (mean anomaly
  M from Kepler's equation, r = a (1 - e cos E)); the sum over fragments,
  divided by the shell volume 4/3 pi (r2^3 - r1^3), is the shell's density,
  **averaged over latitude and longitude** (a cloud really concentrates
  near latitudes +-i; for a target of very different inclination the true
  rate differs by up to a factor of ~2 either way).
* **Target** in the shells by the same time fractions, its orbit kept fixed
  (operational satellites hold their altitude).
* **Relative speed** one constant, default 10 km/s (the usual mean for LEO
  debris on satellites, e.g. ESA MASTER and NASA ORDEM mean impact speeds of
  ~10 km/s for LEO); the rate is proportional to it.
* **Cross-section** sigma: the target's area (m^2; default 10 m^2, give the
  real one per target), fragments' own size neglected.
* The density is evaluated at the evolution's records and integrated over
  time by the trapezoid rule; fragments that decayed no longer count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from orbwatch.debris.lifetime import DECAY_ALT_KM, RE_KM, Evolution

__all__ = ["CollisionRate", "collision_rate_increase", "shell_fractions", "spatial_density",
           "DEFAULT_V_REL_KMS", "DEFAULT_AREA_M2"]

DEFAULT_V_REL_KMS = 10.0
DEFAULT_AREA_M2 = 10.0
YEAR_S = 365.25 * 86400.0


@dataclass(frozen=True)
class CollisionRate:
    norad: int
    name: str | None
    cross_section_m2: float
    v_rel_kms: float
    mean_rate_per_year: float  # mean over the run
    first_year_rate_per_year: float
    peak_rate_per_year: float
    expected_collisions: float  # integrated over the run

    def to_dict(self) -> dict:
        return asdict(self)


def _edges(shell_km: float) -> np.ndarray:
    return RE_KM + np.arange(DECAY_ALT_KM, 2100.0 + shell_km, shell_km)


def shell_fractions(a_km, e, r_edges_km) -> np.ndarray:
    """(N, K-1) fraction of each orbit's period spent in each shell between
    consecutive radii ``r_edges_km`` (K)."""
    a = np.atleast_1d(np.asarray(a_km, float))[:, None]
    e = np.atleast_1d(np.asarray(e, float))[:, None]
    r = np.asarray(r_edges_km, float)[None, :]
    rp, ra = a * (1.0 - e), a * (1.0 + e)
    circ = e < 1e-9
    es = np.where(circ, 1.0, e)
    cos_e = np.clip((1.0 - np.clip(r, rp, ra) / a) / es, -1.0, 1.0)
    big_e = np.arccos(cos_e)
    cum = (big_e - es * np.sin(big_e)) / np.pi  # fraction of time below r
    cum = np.where(circ, (r >= a).astype(float), cum)
    return np.diff(cum, axis=1)


def spatial_density(evolution: Evolution, record: int, r_edges_km) -> np.ndarray:
    """Fragments per km^3 in each shell at one record of the evolution."""
    alive = evolution.alive[record]
    frac = shell_fractions(evolution.a[record, alive], evolution.e[record, alive], r_edges_km)
    vol = 4.0 / 3.0 * np.pi * np.diff(np.asarray(r_edges_km, float) ** 3)
    return frac.sum(axis=0) / vol


def collision_rate_increase(evolution: Evolution, targets: list, *,
                            cross_section_m2: float | dict = DEFAULT_AREA_M2,
                            v_rel_kms: float = DEFAULT_V_REL_KMS,
                            shell_km: float = 10.0) -> list[CollisionRate]:
    """Expected extra collisions per year on each target (ElementSet) from the
    evolving cloud; see the module text for the method and its assumptions."""
    edges = _edges(shell_km)
    dens = np.stack([spatial_density(evolution, k, edges)
                     for k in range(len(evolution.times_us))])  # (T, K)
    t_s = (evolution.times_us - evolution.times_us[0]) / 1e6
    out = []
    for tgt in targets:
        area = (cross_section_m2.get(tgt.norad, DEFAULT_AREA_M2)
                if isinstance(cross_section_m2, dict) else float(cross_section_m2))
        g = shell_fractions(tgt.semi_major_axis_km, tgt.eccentricity, edges)[0]
        rate = v_rel_kms * area * 1e-6 * (dens @ g) * YEAR_S  # per year, at each record
        total = float(np.trapezoid(rate, t_s) / YEAR_S) if len(t_s) > 1 else 0.0
        span = t_s[-1] / YEAR_S if len(t_s) > 1 else 0.0
        first = t_s <= YEAR_S
        out.append(CollisionRate(
            norad=tgt.norad, name=tgt.name, cross_section_m2=area, v_rel_kms=v_rel_kms,
            mean_rate_per_year=total / span if span > 0 else float(rate[0]),
            first_year_rate_per_year=float(rate[first].mean()),
            peak_rate_per_year=float(rate.max()), expected_collisions=total))
    return out
