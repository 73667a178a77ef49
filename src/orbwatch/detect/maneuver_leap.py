"""Leap seconds in propagation between element sets.

Element-set epochs are UTC and times here are microseconds since 1970 UTC
without leap seconds (POSIX), so the difference of two epochs that straddle
a leap second is one second short of the time that passed.  SGP4 propagates
over the difference it is given: a set propagated across a leap second lands
one second of orbital motion (7 km in LEO) behind the satellite, which reads
as an along-track jump exactly where no manoeuvre was (Jason-2: 2009-01-01,
2012-07-01, 2015-07-01, 2017-01-01).

:func:`leap_shift_us` is the correction: a set at ``from_us`` propagated to
the instant ``to_us`` must be propagated to ``to_us + leap_shift_us(from_us,
to_us)`` on its own (leap-second-free) clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from orbwatch.elements.maneuver_logs import tai_minus_utc

__all__ = ["tai_minus_utc_s", "leap_shift_us"]

_DAY_US = 86_400_000_000
_FIRST_US = 63_072_000_000_000  # 1972-01-01: whole-second TAI-UTC from here on


def tai_minus_utc_s(epoch_us) -> np.ndarray:
    """TAI - UTC (s) at each time (us since 1970 UTC); before 1972 the 1972 value."""
    t = np.asarray(epoch_us, dtype=np.int64)
    days, inverse = np.unique(np.maximum(t, _FIRST_US) // _DAY_US, return_inverse=True)
    per_day = np.array([tai_minus_utc(datetime.fromtimestamp(int(d) * 86_400, UTC)
                                      .replace(tzinfo=None)) for d in days], dtype=np.int64)
    return per_day[inverse].reshape(t.shape)


def leap_shift_us(from_us, to_us) -> np.ndarray:
    """Leap seconds (in us) inserted between ``from_us`` and ``to_us`` (broadcast)."""
    return (tai_minus_utc_s(to_us) - tai_minus_utc_s(from_us)) * 1_000_000
