"""NASA Standard Breakup Model (EVOLVE 4.0), vectorised.

References: N. L. Johnson, P. H. Krisko, J.-C. Liou, P. D. Anz-Meador,
"NASA's new breakup model of EVOLVE 4.0", Adv. Space Res. 28(9), 1377-1384
(2001); P. H. Krisko, "Proper implementation of the 1998 NASA breakup
model", Orbital Debris Quarterly News 15(4), 4-5 (2011).

What is implemented (Lc characteristic length in m, masses in kg):

* **Collision regime.**  E* = 1/2 m_p v^2 / m_t (J/g, v the impact speed,
  m_p the lighter body, m_t the heavier) >= 40 J/g is catastrophic: both
  bodies fragment and the mass in the count law is M = m_t + m_p.  Below,
  only ejecta from the crater: M = m_p v^2 with **v in km/s** (Johnson's
  eq. 4 as corrected for the missing square, see Krisko 2011); the rest of
  the target stays one cratered remnant.
* **Counts.**  Explosions N(>Lc) = 6 S Lc^-1.6 (S = 1 by default: the
  reference rocket-body value; published S for other classes, e.g. smaller
  for some upper stages and for spacecraft batteries, go in ``scale``).
  Collisions N(>Lc) = 0.1 M^0.75 Lc^-1.71.  The simulated count is
  round(N(>Lc_min) - N(>Lc_max)) (not Poisson), Lc drawn from that
  truncated power law.
* **Area-to-mass ratio** A/M: for Lc > 11 cm the bimodal mixture
  alpha N(mu1, s1) + (1 - alpha) N(mu2, s2) in chi = log10(A/M) with the
  spacecraft or rocket-body coefficients as functions of lambda =
  log10(Lc); for Lc < 8 cm the one normal N(mu_soc, s_soc); between 8 and
  11 cm the bridge: a fragment follows the large-fragment law with
  probability (Lc - 0.08)/0.03 and the small-fragment law otherwise (a
  mixture, so each fragment has a value drawn from a published law).
  Area A = 0.540424 Lc^2 (Lc < 1.67 mm) else 0.556945 Lc^2.0047077;
  mass = A / (A/M).
* **Delta-v.**  log10(dv [m/s]) ~ N(mu, 0.4) with mu = 0.2 chi + 1.85
  (explosions) or 0.9 chi + 2.9 (collisions); directions isotropic.  The
  cloud holds dv in km/s.

**Mass.**  The model does not conserve mass.  As the published
implementations do (e.g. ESA/TUM NASA-breakup-model-cpp), fragments are
drawn in random order and, when their total exceeds the budget (target
mass for explosions, M for collisions), the last drawn are removed until it
does not.  A deficit is *not* filled by default: with Lc_min = 10 cm most of
the missing mass is in fragments below Lc_min, which are not simulated;
``unassigned_mass_kg`` reports it.  ``mass_policy="fill"`` instead keeps
drawing fragments until the budget is reached (the cpp implementation's
option); ``"none"`` returns the raw count law.  Trimming matters: with
Lc_max of metres, the heaviest draws exceed a catastrophic collision's
budget in most runs and trimming removes ~1/3 of the >= 10 cm fragments.
A non-catastrophic collision adds one remnant (target + projectile - M,
``remnant`` True, dv 0).

Known biases: the collision law under-predicts catalogued counts for
hypervelocity ASAT intercepts of compact payloads (FY-1C by ~3x) and the
count is a mean, not a distribution; see ``benchmarks/breakup_model.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from orbwatch.errors import UserError
from orbwatch.propagate import SatelliteBatch
from orbwatch.propagate.fit import MU_WGS72, states_to_element_sets

__all__ = [
    "FragmentCloud", "simulate_breakup", "fragments_to_element_sets", "energy_to_mass_j_g",
    "is_catastrophic", "collision_mass_kg", "fragment_count", "area_from_lc", "am_params",
    "small_am_params", "dv_mean_log10", "CATASTROPHIC_J_G", "PARENT_DENSITY", "BSTAR_PER_AM",
    "BreakupModelError",
]

CATASTROPHIC_J_G = 40.0
DV_SIGMA = 0.4
_BRIDGE_LO, _BRIDGE_HI = 0.08, 0.11
_MATERIALS = ("spacecraft", "rocket body")
_EVENTS = ("collision", "explosion")
#: bulk density (kg/m^3) assumed to size an intact parent when no
#: ``max_size_m`` is given: Lc_max = diameter of a sphere of that density.
PARENT_DENSITY = 100.0
#: B* = 1/2 Cd (A/M) rho0 with Cd = 2.2, rho0 = 0.15696615 kg/m^2/ER (Vallado).
BSTAR_PER_AM = 0.5 * 2.2 * 0.15696615


class BreakupModelError(UserError):
    """Invalid input to the breakup model."""


@dataclass(frozen=True, eq=False)
class FragmentCloud:
    """Fragments of one event (N of them); arrays of length N, ``dv_kms`` (N, 3)."""

    lc_m: np.ndarray
    am_m2_kg: np.ndarray
    area_m2: np.ndarray
    mass_kg: np.ndarray
    dv_kms: np.ndarray
    remnant: np.ndarray  # True for the cratered remnant of a non-catastrophic collision
    event: str
    catastrophic: bool | None  # None for explosions
    energy_j_g: float | None  # E* of a collision
    mass_budget_kg: float  # mass the count law was evaluated with
    unassigned_mass_kg: float  # budget not carried by simulated fragments (>= 0)
    min_size_m: float
    max_size_m: float

    def __len__(self) -> int:
        return len(self.lc_m)

    def count_at_least(self, size_m: float) -> int:
        """Fragments (remnant excluded) with Lc >= ``size_m``."""
        return int(np.count_nonzero((self.lc_m >= size_m) & ~self.remnant))


# ------------------------------------------------------------- model formulae
def energy_to_mass_j_g(mass_a_kg: float, mass_b_kg: float, speed_kms: float) -> float:
    """E* = 1/2 m_p v^2 / m_t in J/g, m_p the lighter and m_t the heavier body."""
    mp, mt = sorted((float(mass_a_kg), float(mass_b_kg)))
    return 0.5 * mp * (speed_kms * 1e3) ** 2 / (mt * 1e3)


def is_catastrophic(mass_a_kg: float, mass_b_kg: float, speed_kms: float) -> bool:
    """E* >= 40 J/g."""
    return energy_to_mass_j_g(mass_a_kg, mass_b_kg, speed_kms) >= CATASTROPHIC_J_G


def collision_mass_kg(mass_a_kg: float, mass_b_kg: float, speed_kms: float) -> float:
    """M of the collision count law: m_t + m_p if catastrophic, else m_p v^2 (v km/s)."""
    if is_catastrophic(mass_a_kg, mass_b_kg, speed_kms):
        return float(mass_a_kg) + float(mass_b_kg)
    return min(float(mass_a_kg), float(mass_b_kg)) * float(speed_kms) ** 2


def fragment_count(event: str, lc_m, *, mass_kg: float | None = None,
                   scale: float = 1.0):
    """Mean cumulative count N(>= Lc): 6 S Lc^-1.6 (explosion) or
    0.1 M^0.75 Lc^-1.71 (collision, ``mass_kg`` = M)."""
    lc = np.asarray(lc_m, float)
    if event == "explosion":
        return 6.0 * scale * lc ** -1.6
    if mass_kg is None:
        raise BreakupModelError("a collision count needs the mass M")
    return 0.1 * float(mass_kg) ** 0.75 * lc ** -1.71


def area_from_lc(lc_m):
    """Average cross-section (m^2) of fragments of characteristic length Lc."""
    lc = np.asarray(lc_m, float)
    return np.where(lc < 0.00167, 0.540424 * lc ** 2, 0.556945 * lc ** 2.0047077)


def _ramp(lam, lo, hi, v_lo, v_hi, slope=None):
    """v_lo for lam <= lo, v_hi for lam >= hi, linear between (with ``slope``
    as published: v_lo + slope (lam - lo) where given)."""
    lam = np.asarray(lam, float)
    s = (v_hi - v_lo) / (hi - lo) if slope is None else slope
    return np.where(lam <= lo, v_lo, np.where(lam >= hi, v_hi, v_lo + s * (lam - lo)))


def am_params(lam, material: str = "spacecraft"):
    """(alpha, mu1, sigma1, mu2, sigma2) of the Lc > 11 cm A/M mixture in
    chi = log10(A/M [m^2/kg]) at lam = log10(Lc [m]) (Johnson et al. 2001)."""
    lam = np.asarray(lam, float)
    one = np.ones_like(lam)
    if material == "rocket body":
        alpha = _ramp(lam, -1.4, 0.0, 1.0, 0.5, slope=-0.3571)
        mu1 = _ramp(lam, -0.5, 0.0, -0.45, -0.9, slope=-0.9)
        s1 = 0.55 * one
        mu2 = -0.9 * one
        s2 = _ramp(lam, -1.0, 0.1, 0.28, 0.1, slope=-0.1636)
    elif material == "spacecraft":
        alpha = _ramp(lam, -1.95, 0.55, 0.0, 1.0, slope=0.4)
        mu1 = _ramp(lam, -1.1, 0.0, -0.6, -0.95, slope=-0.318)
        s1 = _ramp(lam, -1.3, -0.3, 0.1, 0.3, slope=0.2)
        mu2 = _ramp(lam, -0.7, -0.1, -1.2, -2.0, slope=-1.333)
        s2 = _ramp(lam, -0.5, -0.3, 0.5, 0.3, slope=-1.0)
    else:
        raise BreakupModelError(f"unknown material {material!r}; expected one of {_MATERIALS}")
    return alpha, mu1, s1, mu2, s2


def small_am_params(lam):
    """(mu, sigma) of the Lc < 8 cm A/M normal in chi at lam = log10(Lc)."""
    lam = np.asarray(lam, float)
    mu = _ramp(lam, -1.75, -1.25, -0.3, -1.0, slope=-1.4)
    sigma = np.where(lam <= -3.5, 0.2, 0.2 + 0.1333 * (lam + 3.5))
    return mu, sigma


def dv_mean_log10(chi, event: str):
    """Mean of log10(dv [m/s]) at chi = log10(A/M)."""
    chi = np.asarray(chi, float)
    return 0.2 * chi + 1.85 if event == "explosion" else 0.9 * chi + 2.9


# ------------------------------------------------------------------ sampling
def _sample_lc(rng, n, lo, hi, exponent):
    u = rng.random(n)
    a, b = lo ** -exponent, hi ** -exponent
    return (a - u * (a - b)) ** (-1.0 / exponent)


def _sample_am(rng, lc, material):
    lam = np.log10(lc)
    n = len(lc)
    u_mix, u_bridge = rng.random(n), rng.random(n)
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    alpha, mu1, s1, mu2, s2 = am_params(lam, material)
    first = u_mix < alpha
    chi_large = np.where(first, mu1 + s1 * z1, mu2 + s2 * z2)
    mu_s, s_s = small_am_params(lam)
    chi_small = mu_s + s_s * z1
    w_large = np.clip((lc - _BRIDGE_LO) / (_BRIDGE_HI - _BRIDGE_LO), 0.0, 1.0)
    chi = np.where(u_bridge < w_large, chi_large, chi_small)
    return 10.0 ** chi


def _sample_dv(rng, am, event):
    n = len(am)
    speed = 10.0 ** (dv_mean_log10(np.log10(am), event) + DV_SIGMA * rng.standard_normal(n))
    u = 2.0 * rng.random(n) - 1.0
    phi = 2.0 * np.pi * rng.random(n)
    s = np.sqrt(1.0 - u * u)
    return (speed * 1e-3)[:, None] * np.stack([s * np.cos(phi), s * np.sin(phi), u], -1)


def _draw(rng, n, lo, hi, exponent, material):
    lc = _sample_lc(rng, n, lo, hi, exponent)
    am = _sample_am(rng, lc, material)
    return lc, am, area_from_lc(lc) / am


def _check(event, material, target_mass_kg, impactor_mass_kg, impact_speed_kms, min_size_m):
    if event not in _EVENTS:
        raise BreakupModelError(f"unknown event {event!r}; expected one of {_EVENTS}")
    if material not in _MATERIALS:
        raise BreakupModelError(f"unknown material {material!r}; expected one of {_MATERIALS}")
    if not target_mass_kg > 0 or not min_size_m > 0:
        raise BreakupModelError("target mass and minimum size must be positive")
    if event == "collision" and (impactor_mass_kg is None or impact_speed_kms is None
                                 or not impactor_mass_kg > 0 or not impact_speed_kms > 0):
        raise BreakupModelError("a collision needs a positive impactor mass and impact speed")


def simulate_breakup(event: str, target_mass_kg: float, *, impactor_mass_kg: float | None = None,
                     impact_speed_kms: float | None = None, min_size_m: float = 0.1,
                     max_size_m: float | None = None, material: str = "spacecraft",
                     scale: float = 1.0, mass_policy: str = "trim",
                     seed=None) -> FragmentCloud:
    """Fragments of an explosion of ``target_mass_kg`` or of its collision
    with ``impactor_mass_kg`` at ``impact_speed_kms``, down to ``min_size_m``.

    ``max_size_m`` caps Lc (default: the diameter of a sphere of the whole
    colliding mass at ``PARENT_DENSITY``).  ``scale`` is the explosion S.
    The same ``seed`` gives the same cloud.  See the module text for the
    model and the mass budget; ``mass_policy`` is "trim" (default: remove
    the last-drawn fragments while the budget is exceeded), "fill" (trim,
    and also draw more fragments while it is not reached) or "none" (the
    raw count law).
    """
    if mass_policy not in ("trim", "fill", "none"):
        raise BreakupModelError(f"unknown mass_policy {mass_policy!r}; "
                                "expected 'trim', 'fill' or 'none'")
    _check(event, material, target_mass_kg, impactor_mass_kg, impact_speed_kms, min_size_m)
    rng = np.random.default_rng(seed)
    total = float(target_mass_kg) + (float(impactor_mass_kg) if event == "collision" else 0.0)
    if max_size_m is None:
        max_size_m = (6.0 * total / (np.pi * PARENT_DENSITY)) ** (1.0 / 3.0)
    if not max_size_m > min_size_m:
        raise BreakupModelError("max_size_m must exceed min_size_m")
    energy = catastrophic = None
    if event == "explosion":
        budget, exponent = float(target_mass_kg), 1.6
        mean = fragment_count(event, [min_size_m, max_size_m], scale=scale)
    else:
        energy = energy_to_mass_j_g(target_mass_kg, impactor_mass_kg, impact_speed_kms)
        catastrophic = energy >= CATASTROPHIC_J_G
        budget, exponent = collision_mass_kg(target_mass_kg, impactor_mass_kg,
                                             impact_speed_kms), 1.71
        mean = fragment_count(event, [min_size_m, max_size_m], mass_kg=budget)
    n = int(round(mean[0] - mean[1]))
    lc, am, mass = _draw(rng, n, min_size_m, max_size_m, exponent, material)
    if mass_policy == "fill":
        while mass.sum() < budget:  # draw another batch of the same size; trim below
            more = _draw(rng, max(n, 16), min_size_m, max_size_m, exponent, material)
            lc, am, mass = (np.concatenate([a, b]) for a, b in zip((lc, am, mass), more,
                                                                   strict=True))
    if mass_policy != "none":
        keep = int(np.searchsorted(np.cumsum(mass), budget, side="right"))
        lc, am, mass = lc[:keep], am[:keep], mass[:keep]
    dv = _sample_dv(rng, am, event)
    remnant = np.zeros(len(lc), bool)
    unassigned = max(budget - float(mass.sum()), 0.0)
    if event == "collision" and not catastrophic:
        rest = total - budget
        lc_r = (6.0 * rest / (np.pi * PARENT_DENSITY)) ** (1.0 / 3.0)
        area_r = float(area_from_lc(lc_r))
        lc = np.append(lc, lc_r)
        mass = np.append(mass, rest)
        am = np.append(am, area_r / rest)
        dv = np.vstack([dv, np.zeros((1, 3))])
        remnant = np.append(remnant, True)
    return FragmentCloud(lc_m=lc, am_m2_kg=am, area_m2=area_from_lc(lc), mass_kg=mass,
                         dv_kms=dv, remnant=remnant, event=event, catastrophic=catastrophic,
                         energy_j_g=energy, mass_budget_kg=budget,
                         unassigned_mass_kg=unassigned, min_size_m=float(min_size_m),
                         max_size_m=float(max_size_m))


# ------------------------------------------------------------ element sets
def fragments_to_element_sets(cloud: FragmentCloud, parent, epoch_us: int, *,
                              first_norad: int = 900000, bstar=None,
                              intldes: str | None = None) -> list:
    """One SGP4 element set per fragment at ``epoch_us``: the parent's SGP4
    TEME state there plus the fragment's dv, converted to mean elements
    (:func:`orbwatch.propagate.fit.states_to_element_sets`).

    ``bstar`` (scalar or (N,)) defaults to 1/2 Cd (A/M) rho0 with Cd 2.2
    (``BSTAR_PER_AM`` times A/M): a physical estimate; B* fitted to real
    tracking is usually smaller, as SGP4's density profile is fixed.
    Fragment i gets catalogue number ``first_norad + i``; fragments thrown
    onto escape orbits (no element set exists) are left out.
    """
    eph = SatelliteBatch.from_element_sets([parent]).propagate(
        np.array([epoch_us], np.int64), sticky_decay=False)
    if eph.error[0, 0] != 0:
        raise BreakupModelError(f"parent {parent.norad} cannot be propagated to the epoch "
                                f"(SGP4 error {int(eph.error[0, 0])})")
    r0, v0 = eph.position[0, 0], eph.velocity[0, 0]
    n = len(cloud)
    b = BSTAR_PER_AM * cloud.am_m2_kg if bstar is None else np.broadcast_to(bstar, (n,))
    v = v0[None] + cloud.dv_kms
    bound = 0.5 * np.sum(v * v, -1) < MU_WGS72 / np.linalg.norm(r0)
    idx = np.flatnonzero(bound)
    template = dataclasses.replace(parent, intldes=intldes or parent.intldes,
                                   name=f"{parent.name or parent.norad} DEB")
    return states_to_element_sets(np.repeat(r0[None], len(idx), 0), v[idx], epoch_us,
                                  first_norad + idx, bstar=b[idx], template=template)
