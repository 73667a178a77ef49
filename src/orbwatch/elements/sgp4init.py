"""Build ``sgp4`` satellite records from validated element sets."""

from __future__ import annotations

import math

from sgp4.api import WGS72, Satrec

__all__ = ["satrec_from_elements", "XPDOTP", "SGP4_EPOCH_JD"]

XPDOTP = 1440.0 / (2.0 * math.pi)  # rev/day per rad/min
SGP4_EPOCH_JD = 2433281.5  # 1949 December 31 00:00 UT, sgp4init's epoch origin
_DEG = math.pi / 180.0


def satrec_from_elements(es) -> Satrec:
    """Initialise a C++ ``Satrec`` (WGS72 constants, improved mode ``'i'``)
    the same way ``twoline2rv`` does, from an :class:`ElementSet`.

    Catalogue numbers above 339999 do not fit the Satrec's Alpha-5 field;
    the record's ``satnum`` is then 0 and callers keep the number themselves.
    """
    jd, fr = es.jd_fr
    sat = Satrec()
    satnum = es.norad if es.norad <= 339999 else 0
    sat.sgp4init(
        WGS72,
        "i",
        satnum,
        (jd + fr) - SGP4_EPOCH_JD,  # as twoline2rv passes it
        es.bstar,
        es.mean_motion_dot / (XPDOTP * 1440.0),
        es.mean_motion_ddot / (XPDOTP * 1440.0 * 1440.0),
        es.eccentricity,
        es.arg_perigee * _DEG,
        es.inclination * _DEG,
        es.mean_anomaly * _DEG,
        es.mean_motion / XPDOTP,
        es.raan * _DEG,
    )
    # sgp4init re-splits its one-float epoch, up to ~0.15 us off; SGP4 uses the
    # epoch as tsince = (jd - jdsatepoch) + (fr - jdsatepochF), so set the exact
    # split from the integer epoch (twoline2rv's split).
    sat.jdsatepoch, sat.jdsatepochF = jd, fr
    return sat
