"""Observed monthly-mean F10.7 solar radio flux, 2007-01 .. 2025-04 (offline table).

Source: NOAA Space Weather Prediction Center, "Observed Solar Cycle Indices"
(https://services.swpc.noaa.gov/json/solar-cycle/observed-solar-cycle-indices.json,
field ``f10.7``: "mean monthly Penticton, B.C. 10.7 cm radio flux values (sfu)",
i.e. the observed, not the 1-AU-adjusted, flux, which is what NRLMSIS takes),
transcribed from a copy of that file retrieved in 2025 (last month 2025-04).
Values are the monthly means of the daily Penticton (DRAO) noon flux; NOAA
NCEI and NRCan publish the same series.

Yearly means (:func:`yearly_means`) are the plain means of the months.
No geomagnetic index is tabulated here: users of the table keep the
fallback daily Ap (see :mod:`orbwatch.propagate.atmosphere`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["FIRST_YEAR", "MONTHLY_F107", "monthly_f107", "yearly_means", "covered"]

FIRST_YEAR = 2007

#: sfu; one row per year from 2007, January first; 2025 has January..April.
MONTHLY_F107: tuple[tuple[float, ...], ...] = (
    (83.76, 77.65, 72.24, 72.36, 74.36, 74.07, 71.48, 69.03, 66.98, 67.69, 69.39, 78.21),
    (74.02, 71.03, 72.99, 70.15, 68.32, 65.85, 65.67, 66.17, 67.00, 68.21, 68.53, 69.05),
    (69.70, 69.85, 69.10, 69.61, 70.35, 68.57, 68.19, 67.36, 70.32, 72.14, 73.66, 76.84),
    (81.31, 84.74, 82.96, 75.72, 73.63, 72.38, 79.60, 79.16, 80.95, 81.42, 82.56, 84.19),
    (83.39, 94.55, 124.26, 112.85, 95.68, 95.86, 94.34, 101.61, 135.27, 137.40, 153.50,
     141.46),
    (134.79, 106.86, 115.71, 113.26, 121.40, 120.40, 137.61, 115.86, 123.40, 123.07, 121.15,
     108.26),
    (126.83, 104.41, 111.36, 124.95, 131.43, 110.74, 115.53, 114.90, 102.83, 132.86, 148.78,
     148.10),
    (162.69, 170.13, 150.50, 143.94, 130.11, 122.37, 137.85, 124.56, 146.57, 154.99, 155.74,
     159.02),
    (142.00, 128.92, 126.89, 129.05, 120.05, 128.54, 107.00, 105.93, 101.99, 104.00, 109.68,
     112.54),
    (103.64, 103.71, 91.43, 93.45, 93.36, 81.95, 86.31, 85.15, 87.45, 86.15, 78.58, 75.29),
    (77.37, 76.95, 74.69, 80.91, 73.60, 74.83, 77.58, 78.25, 95.49, 76.39, 72.28, 71.70),
    (70.01, 71.63, 68.26, 69.97, 70.95, 72.66, 69.61, 69.05, 68.17, 69.56, 69.02, 70.05),
    (71.58, 70.59, 71.52, 72.47, 71.32, 68.13, 67.25, 67.05, 68.00, 67.46, 70.18, 70.93),
    (72.32, 70.90, 70.19, 69.56, 69.21, 69.70, 69.47, 71.66, 70.56, 74.59, 90.11, 87.28),
    (76.07, 74.32, 76.48, 74.74, 75.64, 79.81, 80.97, 77.93, 87.40, 90.05, 86.57, 102.94),
    (104.05, 109.15, 117.79, 130.63, 133.98, 116.07, 125.62, 118.13, 134.69, 132.84, 123.56,
     148.46),
    (182.47, 172.09, 157.53, 145.86, 156.04, 162.39, 177.53, 153.92, 155.74, 141.59, 154.36,
     159.28),
    (163.99, 173.28, 155.19, 161.70, 188.37, 185.06, 198.63, 245.60, 196.71, 222.62, 199.95,
     196.90),
    (189.39, 184.31, 163.78, 162.21),
)

_FLAT = np.array([v for row in MONTHLY_F107 for v in row])
#: months since 1970-01 of the first tabulated month
_FIRST_MONTH = (FIRST_YEAR - 1970) * 12


def covered(months) -> np.ndarray:
    """Which months (since 1970-01) the table holds."""
    k = np.asarray(months, np.int64) - _FIRST_MONTH
    return (k >= 0) & (k < len(_FLAT))


def monthly_f107(months) -> tuple[np.ndarray, np.ndarray]:
    """(monthly mean, 3-month centred mean as the 81-day-mean stand-in) for
    months since 1970-01; NaN where not covered."""
    k = np.asarray(months, np.int64) - _FIRST_MONTH
    ok = covered(months)
    f = np.full(k.shape, np.nan)
    fa = np.full(k.shape, np.nan)
    f[ok] = _FLAT[k[ok]]
    for j in np.flatnonzero(ok):
        lo, hi = max(k[j] - 1, 0), min(k[j] + 2, len(_FLAT))
        fa[j] = _FLAT[lo:hi].mean()
    return f, fa


def yearly_means() -> dict[int, float]:
    """Mean of each year's tabulated months (2025: January..April only)."""
    return {FIRST_YEAR + k: float(np.mean(row)) for k, row in enumerate(MONTHLY_F107)}
