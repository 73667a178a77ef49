"""Averaged drag on an orbit (King-Hele) and the secular J2 rates.

Shared by the forensics (fragments carried back to a breakup) and the debris
stage (lifetimes, :mod:`orbwatch.debris.lifetime`, which re-exports these).

**Drag** changes a and e once per revolution by King-Hele's averages for an
atmosphere that is locally exponential about perigee, density rho_p and
scale height H at perigee height, c = a e / H, to O(e^2) (D. King-Hele,
*Satellite Orbits in an Atmosphere*, Blackie 1987, ch. 4; Vallado,
*Fundamentals of Astrodynamics*, 4th ed., sec. 9.6):

    Da = -2 pi delta a^2 rho_p [I0 + 2e I1 + 3/4 e^2 (I0 + I2)] exp(-c)
    De = -2 pi delta a   rho_p [I1 + e/2 (I0 + I2) - e^2/8 (5 I1 - I3)] exp(-c)

with I_n = I_n(c) (``scipy.special.ive`` gives I_n(c) exp(-c)), delta = F B,
B = Cd A/m (Cd = 2.2) and F = (1 - r_p w_E cos i / v_p)^2 the atmosphere's
rotation factor; rates are Da, De divided by the period.

**J2**: secular rates of the node and of the argument of perigee
(Vallado eq. 9-41).

**SGP4's own drag** (:func:`sgp4_decay_rate`): B* is fitted by the catalogue
to the decay SGP4 predicts with its fixed power-law atmosphere (Hoots &
Roehrich, Spacetrack Report #3, 1980; Vallado et al., AIAA 2006-6753):
rho(r) = rho0 ((q0 - s) / (r - s))^4, q0 = 120 km, s = 78 km altitude, and
B* = Cd (A/m) rho0 R_E / 2 with rho0 R_E = 0.15696615 kg/m^2; its secular
decay is da/dt = -2 a C1, C1 = B* C2.  (Moved here from
:mod:`orbwatch.debris.ballistic`, which re-exports it.)
"""

from __future__ import annotations

import numpy as np
from scipy.special import ive

__all__ = ["decay_rates", "j2_rates", "sgp4_density", "sgp4_decay_rate", "CD", "RE_KM",
           "MU_KM3_S2", "J2", "OMEGA_EARTH", "BSTAR_RHO0_RE", "SGP4_Q0_KM", "SGP4_S_KM"]

CD = 2.2
RE_KM = 6378.137
MU_KM3_S2 = 398600.4418
J2 = 1.08262668e-3
OMEGA_EARTH = 7.2921159e-5  # rad/s


def decay_rates(a_km, e, i_rad, am_m2_kg, rho_p, h_km) -> tuple[np.ndarray, np.ndarray]:
    """da/dt (km/s) and de/dt (1/s) from King-Hele's averages (module text);
    ``rho_p`` density at perigee (kg/m^3), ``h_km`` scale height there."""
    a, e = np.asarray(a_km, float), np.asarray(e, float)
    rp = a * (1.0 - e)
    vp = np.sqrt(MU_KM3_S2 * (1.0 + e) / rp)
    f_rot = (1.0 - rp * OMEGA_EARTH * np.cos(i_rad) / vp) ** 2
    delta = f_rot * CD * np.asarray(am_m2_kg, float)  # m^2/kg
    c = a * e / h_km
    i0, i1, i2, i3 = (ive(n, c) for n in range(4))
    a_m = a * 1e3
    k = 2.0 * np.pi * delta * rho_p
    da_rev = -k * a_m ** 2 * (i0 + 2 * e * i1 + 0.75 * e * e * (i0 + i2))  # m
    de_rev = -k * a_m * (i1 + 0.5 * e * (i0 + i2) - e * e / 8.0 * (5 * i1 - i3))
    period = 2.0 * np.pi * np.sqrt(a ** 3 / MU_KM3_S2)
    return da_rev / 1e3 / period, de_rev / period


def j2_rates(a_km, e, i_rad) -> tuple[np.ndarray, np.ndarray]:
    """Secular J2 rates (rad/s) of the node and of the argument of perigee."""
    a, e = np.asarray(a_km, float), np.asarray(e, float)
    n = np.sqrt(MU_KM3_S2 / a ** 3)
    k = n * J2 * (RE_KM / (a * (1.0 - e * e))) ** 2
    return -1.5 * k * np.cos(i_rad), 0.75 * k * (5.0 * np.cos(i_rad) ** 2 - 1.0)


#: rho0 * R_E (kg/m^2): B* = Cd (A/m) BSTAR_RHO0_RE / 2 (Vallado 2006, sec. on B*)
BSTAR_RHO0_RE = 0.15696615
SGP4_Q0_KM = 120.0
SGP4_S_KM = 78.0
# WGS-72, as SGP4 uses them (Vallado et al. 2006)
_RE72 = 6378.135
_MU72 = 398600.8
_J2_72 = 0.001082616
_XKE = 60.0 / np.sqrt(_RE72 ** 3 / _MU72)


def _sgp4_s(perigee_km):
    """SGP4's s parameter (km altitude) for a perigee height (km)."""
    hp = np.asarray(perigee_km, float)
    return np.where(hp >= 156.0, SGP4_S_KM, np.where(hp >= 98.0, hp - SGP4_S_KM, 20.0))


def sgp4_density(alt_km, perigee_km=None) -> np.ndarray:
    """SGP4's implicit density (kg/m^3) at altitudes (km, above 6378.135 km):
    rho0 ((q0 - s)/(r - s))^4, rho0 = BSTAR_RHO0_RE / R_E = 2.461e-8 kg/m^3."""
    h = np.asarray(alt_km, float)
    s = _sgp4_s(h if perigee_km is None else perigee_km)
    return BSTAR_RHO0_RE / (_RE72 * 1e3) * ((SGP4_Q0_KM - s) / (h - s)) ** 4


def sgp4_decay_rate(n_kozai_rev_day, e, i_rad, bstar) -> np.ndarray:
    """SGP4's secular da/dt (km/s) at epoch, -2 a C1 (near-Earth branch)."""
    n0 = np.asarray(n_kozai_rev_day, float) * 2 * np.pi / 1440.0  # rad/min
    e, cosi = np.asarray(e, float), np.cos(np.asarray(i_rad, float))
    k2 = 0.5 * _J2_72
    a1 = (_XKE / n0) ** (2.0 / 3.0)
    beta2 = 1.0 - e * e
    x3 = 3.0 * cosi ** 2 - 1.0
    d1 = 1.5 * k2 * x3 / (a1 * a1 * np.sqrt(beta2) * beta2)
    ao = a1 * (1.0 - d1 / 3.0 - d1 ** 2 - 134.0 / 81.0 * d1 ** 3)
    d0 = 1.5 * k2 * x3 / (ao * ao * np.sqrt(beta2) * beta2)
    n = n0 / (1.0 + d0)
    a = ao / (1.0 - d0)  # ER
    s_km = _sgp4_s((a * (1.0 - e) - 1.0) * _RE72)
    s = 1.0 + s_km / _RE72
    q0ms4 = ((SGP4_Q0_KM - s_km) / _RE72) ** 4
    xi = 1.0 / (a - s)
    eta = a * e * xi
    psisq = np.abs(1.0 - eta * eta)
    c2 = q0ms4 * xi ** 4 / psisq ** 3.5 * n * (
        a * (1.0 + 1.5 * eta ** 2 + e * eta * (4.0 + eta ** 2))
        + 0.375 * _J2_72 * xi / psisq * x3 * (8.0 + 3.0 * eta ** 2 * (8.0 + eta ** 2)))
    return -2.0 * a * np.asarray(bstar, float) * c2 * _RE72 / 60.0
