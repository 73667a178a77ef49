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
"""

from __future__ import annotations

import numpy as np
from scipy.special import ive

__all__ = ["decay_rates", "j2_rates", "CD", "RE_KM", "MU_KM3_S2", "J2", "OMEGA_EARTH"]

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
