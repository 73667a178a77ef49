"""Inclination steps that undo a drift of the element-set processing.

Some element-set histories outside GEO (TOPEX/Poseidon and Jason-1 in
1992-2004) carry an artefact of the orbit determination: over one to three
weeks the fitted inclination slides steadily away from its level, then one set
puts it back.  The step back looks like a plane change of 0.5-2 m/s and passes
every per-interval test (it is persistent, and the sets either side differ
cross-track).  No burn did it:

* natural change cannot slide a LEO inclination by a step's size in a few
  weeks (lunisolar drift of a sun-synchronous orbit, among the fastest, is
  about 0.06 deg/yr: Sentinel-3A's real inclination burns undo at most 0.31 of
  their step in the weeks before);
* a burn moves the plane to a new level; a reset returns it to the level of a
  few weeks before, reached by small steps (none a burn itself: a reversing
  plane change after a real one is not a reset).

:func:`restores_drift` tests exactly that.  Near GEO the test does not apply:
there lunisolar forces do move the inclination by a north-south burn's size
within weeks, and the burn does restore the earlier level.
"""

from __future__ import annotations

import numpy as np

from orbwatch.detect.maneuver_features import HistoryArrays

__all__ = ["RESET_FROM_DAYS", "RESET_TO_DAYS", "RESET_UNDONE", "RESET_GRADUAL", "AFTER_SETS",
           "restores_drift"]

#: the reference level is the median inclination of the sets this many days before
#: the step (from, to)
RESET_FROM_DAYS = 30.0
RESET_TO_DAYS = 15.0
#: a reset undoes at least this share of the drift since the reference level
RESET_UNDONE = 0.5
#: ... reached by steps between consecutive sets (over the whole span since the
#: reference level) no larger than this share of the step
RESET_GRADUAL = 0.4
#: the level after the step: the median of this many sets
AFTER_SETS = 3

_DAY_US = 86_400_000_000


def restores_drift(h: HistoryArrays, k: int, reach: int = 1) -> bool:
    """Whether the largest inclination step within ``reach`` intervals of interval
    ``k`` (sets ``k`` -> ``k + 1``) returns the inclination to its level of a few
    weeks before, after a gradual slide away from it (see the module docstring)."""
    inc = h.inc_rad
    lo, hi = max(0, k - reach), min(h.n - 1, k + reach + 1)
    if hi <= lo:
        return False
    k = lo + int(np.argmax(np.abs(np.diff(inc[lo:hi + 1]))))
    t = int(h.epoch_us[k])
    before = (h.epoch_us >= t - RESET_FROM_DAYS * _DAY_US) & \
        (h.epoch_us <= t - RESET_TO_DAYS * _DAY_US)
    if not before.any():
        return False
    step = float(np.median(inc[k + 1:k + 1 + AFTER_SETS]) - inc[k])
    drift = float(inc[k] - np.median(inc[before]))
    if step == 0.0 or -drift / step < RESET_UNDONE:
        return False
    # every set-to-set change since the reference level is small: a real plane change
    # in these weeks (one a later burn reverses) is a step of the step's own size
    first = int(np.searchsorted(h.epoch_us, t - RESET_FROM_DAYS * _DAY_US))
    slide = np.abs(np.diff(inc[first:k + 1]))
    return bool(slide.size and slide.max() <= RESET_GRADUAL * abs(step))
