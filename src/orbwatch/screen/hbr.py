"""Hard-body radius (HBR) of catalogued objects, in metres.

Per object, the first that applies:

1. ``"cara"``: the object's ``hbr_m`` from NASA CARA's HBR and mass estimates
   (``CARA_HBR_Mass_Estimates_*.csv``; ``orbwatch ingest`` stores it in the
   objects table).  CARA's own precedence inside that file is: CARA protected
   primary, ESA DISCOS, Space Fence Kwajalein RCS estimate (NASA Size
   Estimation Model), default.
2. ``"rcs-size"``: Space-Track's RCS size class.  The defaults
   (:data:`RCS_SIZE_HBR_M`) are the medians of CARA's "SFK RCS Estimate" HBRs
   of the objects in each class, joining CARA_HBR_Mass_Estimates_20260601
   with the Space-Track objects-in-orbit list of 2020-07-14 (RCS_SIZE column):
   SMALL 0.057 m (9,074 objects), MEDIUM 0.251 m (1,184), LARGE 1.754 m (152),
   rounded.  ``tests/test_covariance_hbr.py`` recomputes them from the data.
3. ``"object-type"``: CARA's own default HBRs in the same file, by the object
   type of the objects that carry them (payload 14.5 m, rocket body 8 m,
   debris 1.1 m); unknown types get the debris value (:data:`OBJECT_TYPE_HBR_M`).
4. ``"default"``: :data:`DEFAULT_HBR_M` (no row at all).

The HBR of a conjunction is the sum of both objects' radii
(:func:`combined_hbr`); :func:`effective_hbr` adds their uncertainties as in
Baars & Hall (2022), "Processing Space Fence Radar Cross-Section Data to
Produce Size and Mass Estimates", AAS 22-586, eq. 8 (quoted in CARA's README).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

__all__ = [
    "RCS_SIZE_HBR_M",
    "OBJECT_TYPE_HBR_M",
    "DEFAULT_HBR_M",
    "HBR_SOURCES",
    "hbr_of",
    "hbr_with_source",
    "hbr_for",
    "combined_hbr",
    "effective_hbr",
]

RCS_SIZE_HBR_M = {"SMALL": 0.06, "MEDIUM": 0.25, "LARGE": 1.75}
OBJECT_TYPE_HBR_M = {"payload": 14.5, "rocket body": 8.0, "debris": 1.1, "unknown": 1.1}
DEFAULT_HBR_M = 1.1
HBR_SOURCES = ("cara", "rcs-size", "object-type", "default")


def _get(row, key: str):
    if row is None:
        return None
    if isinstance(row, Mapping):
        return row.get(key)
    return getattr(row, key, None)


def hbr_of(row) -> tuple[float, str]:
    """(HBR in metres, source label) of one objects row (a mapping such as
    ``Store.objects()`` returns, an object with the same attributes, or None)."""
    h = _get(row, "hbr_m")
    try:
        if h is not None and math.isfinite(float(h)) and float(h) > 0:
            return float(h), "cara"
    except (TypeError, ValueError):
        pass
    size = _get(row, "rcs_size")
    if isinstance(size, str) and size.strip().upper() in RCS_SIZE_HBR_M:
        return RCS_SIZE_HBR_M[size.strip().upper()], "rcs-size"
    kind = _get(row, "object_type")
    if isinstance(kind, str) and kind.strip().lower() in OBJECT_TYPE_HBR_M:
        return OBJECT_TYPE_HBR_M[kind.strip().lower()], "object-type"
    return DEFAULT_HBR_M, "default"


def hbr_with_source(rows: Iterable) -> tuple[np.ndarray, list[str]]:
    """HBRs (N,) in metres and their source labels for N objects rows."""
    pairs = [hbr_of(r) for r in rows]
    return np.array([p[0] for p in pairs], dtype=np.float64), [p[1] for p in pairs]


def hbr_for(rows: Iterable) -> np.ndarray:
    """HBRs (N,) in metres for N objects rows (see the module docstring)."""
    return hbr_with_source(rows)[0]


def combined_hbr(h1, h2):
    """Combined hard-body radius of two objects: h1 + h2 (metres)."""
    return np.add(h1, h2)


def effective_hbr(h1, sigma1, h2, sigma2):
    """sqrt((h1 + h2)^2 + sigma1^2 + sigma2^2), Baars & Hall (2022) eq. 8."""
    return np.sqrt(np.add(h1, h2) ** 2 + np.square(sigma1) + np.square(sigma2))
