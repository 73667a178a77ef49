"""Inclination steps that undo a slide of the element-set processing.

Some element-set histories outside GEO (TOPEX/Poseidon and Jason-1 in
1992-2004) carry an artefact of the orbit determination: over one to three
weeks the fitted inclination slides steadily away from its course, then one
set puts it back.  The step back looks like a plane change of 0.5-2 m/s and
passes every per-interval test (it is persistent, and the sets either side
differ cross-track).  No burn did it.  What tells it from a burn:

* the object's own course: a robust (Theil-Sen) line through the inclination
  of the sets ``TREND_FROM_DAYS`` to ``TREND_TO_DAYS`` before the step, which
  carries any natural drift (a sun-synchronous orbit's lunisolar drift,
  0.02-0.05 deg/yr for Sentinel-3A);
* before the step the inclination has left that course, against the step's
  sign, by at least ``RESET_DEPARTURE`` of the step; after it, it is back: the
  departure left is at most ``RESET_LEFT`` of the one before.  A burn that
  restores a natural drift leaves a course that the drift was on (Sentinel-3A:
  departures of at most 0.24 of the step, mostly of the step's own sign);
* the departure came in small steps (each set-to-set change since
  ``TREND_TO_DAYS`` before at most ``RESET_GRADUAL`` of the step) and was still
  growing in the last week (by ``RESET_RECENT`` of it), and no other detection
  that turned the plane falls in the ``OTHERS_DAYS`` before: a plane change
  that a later burn reverses, or a campaign of plane burns, is a departure made
  by burns, which then stays put (along-track burns, every few weeks for a drag
  make-up, do not count).

:func:`restores_drift` tests exactly that.  Near GEO the test does not apply:
there lunisolar forces turn the plane by a north-south burn's size within
weeks and the burn does restore the earlier course.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import theilslopes

from orbwatch.detect.maneuver_features import HistoryArrays

__all__ = ["TREND_FROM_DAYS", "TREND_TO_DAYS", "RESET_DEPARTURE", "RESET_LEFT", "RESET_GRADUAL",
           "RESET_RECENT", "RECENT_DAYS", "OTHERS_DAYS", "AFTER_SETS", "MIN_TREND_SETS",
           "restores_drift"]

#: the object's course: a line through the sets this many days before the step (from, to)
TREND_FROM_DAYS = 120.0
TREND_TO_DAYS = 30.0
#: ... fitted only with at least this many sets (else no reset is called)
MIN_TREND_SETS = 5
#: before the step the inclination is off its course by at least this share of the step
RESET_DEPARTURE = 0.5
#: ... and after it by at most this share of that departure
RESET_LEFT = 0.5
#: no other detection that turned the plane in this many days before the step
OTHERS_DAYS = 60.0
#: the slide was still under way: in the last ``RECENT_DAYS`` before the step the
#: inclination left its course by at least this share of the departure (measured from
#: the median of the sets 3 days before that)
RECENT_DAYS = 7.0
RESET_RECENT = 0.2
#: the departure came by set-to-set changes of at most this share of the step
RESET_GRADUAL = 0.4
#: the level after the step: the median of this many sets
AFTER_SETS = 3

_DAY_US = 86_400_000_000


def restores_drift(h: HistoryArrays, k: int, others_us=(), reach: int = 1) -> bool:
    """Whether the largest inclination step within ``reach`` intervals of interval
    ``k`` (sets ``k`` -> ``k + 1``) takes the inclination back to the object's course
    after a gradual slide away from it, with none of ``others_us`` (us: the other
    detections that turned the plane) in the slide (see the module docstring)."""
    inc = h.inc_rad
    lo, hi = max(0, k - reach), min(h.n - 1, k + reach + 1)
    if hi <= lo:
        return False
    k = lo + int(np.argmax(np.abs(np.diff(inc[lo:hi + 1]))))
    t = int(h.epoch_us[k])
    course = (h.epoch_us >= t - TREND_FROM_DAYS * _DAY_US) & \
        (h.epoch_us <= t - TREND_TO_DAYS * _DAY_US) & np.isfinite(inc)
    after = inc[k + 1:k + 1 + AFTER_SETS]
    if np.count_nonzero(course) < MIN_TREND_SETS or not np.all(np.isfinite(after)) \
            or not np.isfinite(inc[k]):
        return False
    days = (h.epoch_us[course] - t) / _DAY_US
    slope, at_k, _, _ = theilslopes(inc[course], days)
    step = float(np.median(after) - inc[k])
    before = float(inc[k] - at_k)
    left = float(np.median(after) - (at_k + slope * (h.epoch_us[k + 1] - t) / _DAY_US))
    if step == 0.0 or -before / step < RESET_DEPARTURE or abs(left) > RESET_LEFT * abs(before):
        return False
    # the slide still under way in the last week (a campaign of small plane burns weeks
    # before leaves a departure that then stays put)
    recent = (h.epoch_us >= t - (RECENT_DAYS + 3.0) * _DAY_US) & \
        (h.epoch_us <= t - RECENT_DAYS * _DAY_US) & np.isfinite(inc)
    if not recent.any():
        return False
    was = float(np.median(inc[recent] - at_k - slope * (h.epoch_us[recent] - t) / _DAY_US))
    if (before - was) / before < RESET_RECENT:
        return False
    # no other plane detection since the course began; the slide (the interval across
    # its start included) without a step of a burn's size
    if any(t - OTHERS_DAYS * _DAY_US <= int(o) < t for o in others_us):
        return False
    first = max(0, int(np.searchsorted(h.epoch_us, t - TREND_TO_DAYS * _DAY_US)) - 1)
    slide = np.abs(np.diff(inc[first:k + 1]))
    return bool(slide.size and np.all(np.isfinite(slide))
                and slide.max() <= RESET_GRADUAL * abs(step))
