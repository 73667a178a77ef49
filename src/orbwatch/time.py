"""Time inside orbwatch.

One representation is canonical: integer **microseconds since
1970-01-01T00:00:00 UTC** (``epoch_us``), which is exactly what
``numpy.datetime64[us]`` holds.  It is exact for every TLE epoch after
rounding to the microsecond (a TLE's 8 decimal day digits resolve 0.864 ms),
it compares and hashes without float noise, and it converts to the
two-float Julian date ``(jd, fr)`` that SGP4 takes without losing precision.

Leap seconds are ignored, as in SGP4 and in numpy: a UTC day has 86,400 s.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

import numpy as np

__all__ = [
    "US_PER_DAY",
    "JD_UNIX_EPOCH",
    "now_us",
    "parse_iso",
    "format_iso",
    "datetime64",
    "us_from_datetime64",
    "jd_fr",
    "us_from_jd",
    "is_leap_year",
    "tle_epoch_to_us",
    "us_to_tle_epoch",
    "tle_year",
]

US_PER_DAY = 86_400_000_000
JD_UNIX_EPOCH = 2440587.5  # Julian date of 1970-01-01T00:00:00 UTC

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)


def now_us() -> int:
    """The current time as microseconds since 1970 UTC."""
    return int(np.datetime64("now", "us").astype(np.int64))


def parse_iso(text: str) -> int:
    """Parse ISO 8601 (``2020-07-15``, ``2020-07-15T01:02:03.25Z``,
    ``2020-07-15 01:02:03+02:00``) into microseconds since 1970 UTC.

    A time without a zone is taken as UTC (as CCSDS OMM and CelesTrak do).
    Fractions beyond microseconds are rounded half-up.
    """
    m = _ISO.match(text)
    if not m:
        raise ValueError(
            f"not an ISO 8601 time: {text!r}; expected e.g. 2020-07-15T12:00:00Z"
        )
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    hour = int(m[4] or 0)
    minute = int(m[5] or 0)
    second = int(m[6] or 0)
    frac = m[7] or ""
    if not (1 <= month <= 12) or not (1 <= day <= calendar.monthrange(year, month)[1]):
        raise ValueError(f"not a calendar date: {text!r}")
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError(f"not a time of day: {text!r}")
    days = _days_from_civil(year, month, day)
    us = ((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000
    if frac:
        digits = (frac + "000000")[:7]
        us += (int(digits) + 5) // 10
    zone = m[8]
    if zone and zone.upper() not in ("Z", "UTC"):
        sign = 1 if zone[0] == "+" else -1
        z = zone[1:].replace(":", "")
        us -= sign * (int(z[:2]) * 60 + int(z[2:])) * 60_000_000
    return us


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar."""
    return (datetime(year, month, day) - datetime(1970, 1, 1)).days


def format_iso(us: int, digits: int = 6) -> str:
    """Microseconds since 1970 UTC as ISO 8601 with a ``Z``.

    ``digits`` (0, 3 or 6) is the number of decimals of the second.
    """
    us = int(us)
    if digits == 6:
        text = str(np.datetime64(us, "us"))
    elif digits == 3:
        text = str(np.datetime64((us + 500) // 1000, "ms"))
    elif digits == 0:
        text = str(np.datetime64((us + 500_000) // 1_000_000, "s"))
    else:
        raise ValueError("digits must be 0, 3 or 6")
    return text + "Z"


def datetime64(us):
    """Microseconds (int or int array) to ``numpy.datetime64[us]``."""
    return np.asarray(us, dtype=np.int64).astype("datetime64[us]")


def us_from_datetime64(t) -> np.ndarray | int:
    """``numpy.datetime64`` (any unit, scalar or array) to microseconds."""
    arr = np.asarray(t).astype("datetime64[us]").astype(np.int64)
    return int(arr) if arr.ndim == 0 else arr


def jd_fr(us):
    """Microseconds since 1970 to SGP4's two-float Julian date ``(jd, fr)``.

    ``jd`` is a whole day ending in .5 (midnight), ``fr`` the fraction of
    the day in [0, 1).  Works on scalars and arrays.
    """
    arr = np.asarray(us, dtype=np.int64)
    days, rem = np.divmod(arr, US_PER_DAY)
    jd = JD_UNIX_EPOCH + days.astype(np.float64)
    fr = rem.astype(np.float64) / US_PER_DAY
    if arr.ndim == 0:
        return float(jd), float(fr)
    return jd, fr


def us_from_jd(jd, fr=0.0):
    """Inverse of :func:`jd_fr`, rounded to the microsecond."""
    jd = np.asarray(jd, dtype=np.float64)
    fr = np.asarray(fr, dtype=np.float64)
    whole = np.floor(jd - JD_UNIX_EPOCH)
    rest = (jd - JD_UNIX_EPOCH - whole) + fr
    us = whole.astype(np.int64) * US_PER_DAY + np.rint(rest * US_PER_DAY).astype(np.int64)
    return int(us) if us.ndim == 0 else us


def is_leap_year(year: int) -> bool:
    return calendar.isleap(year)


def tle_year(yy: int) -> int:
    """Two-digit TLE year to a full year: 57-99 are 1957-1999, 00-56 are 2000-2056."""
    return 1900 + yy if yy >= 57 else 2000 + yy


def tle_epoch_to_us(year: int, day_text: str) -> int:
    """A TLE epoch (full year, day-of-year text ``DDD.DDDDDDDD``) to microseconds.

    The conversion is done in integers from the digits themselves, so the
    same epoch written as a TLE and as an OMM (CelesTrak writes the
    microsecond) gives the same integer.  Raises ValueError when the day is
    not in the year (day 366 of a non-leap year, day 0).
    """
    day_text = day_text.strip()
    whole, _, frac = day_text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"day of year must be digits with a decimal point, got {day_text!r}")
    day = int(whole)
    ndays = 366 if is_leap_year(year) else 365
    if day < 1 or day > ndays:
        raise ValueError(
            f"day {day} is not in {year} (days 1..{ndays}"
            f"{'' if ndays == 366 else '; not a leap year'})"
        )
    frac_us = (int(frac) * US_PER_DAY * 2 + 10 ** len(frac)) // (2 * 10 ** len(frac)) if frac else 0
    start = _days_from_civil(year, 1, 1) + day - 1
    return start * US_PER_DAY + frac_us


def us_to_tle_epoch(us: int) -> tuple[int, str]:
    """Microseconds to a TLE epoch: (two-digit year, ``DDD.DDDDDDDD``)."""
    days, rem = divmod(int(us), US_PER_DAY)
    frac = (rem * 10**8 * 2 + US_PER_DAY) // (2 * US_PER_DAY)
    if frac >= 10**8:  # rounding spilled into the next day
        days += 1
        frac -= 10**8
    year = (datetime(1970, 1, 1) + timedelta(days=days)).year
    doy = days - _days_from_civil(year, 1, 1) + 1
    return year % 100, f"{doy:03d}.{frac:08d}"
