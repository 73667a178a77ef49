"""The net change of an object's mean elements across a time span, as the delta-v of
one burn making it.

Where an operator, a notification or a log says a satellite burned so much between two
times, :func:`net_change_delta_v` says what the public element sets show: fits to the
sets before and after the span, differenced at its middle, turned into delta-v by
:func:`~orbwatch.detect.maneuver_types.impulse_delta_v`.  ``benchmarks/maneuvers.py``
uses it to check the operator logs (the sets show 0.95-0.98 of the logged delta-v of
each of Sentinel-3A's inclination burns).
"""

from __future__ import annotations

import math

import numpy as np

from orbwatch.detect.maneuver_types import impulse_delta_v

__all__ = ["BEFORE_DAYS", "GAP_DAYS", "SETTLE_DAYS", "AFTER_DAYS", "MIN_SIDE_SETS", "TURN_RAD",
           "net_change_delta_v"]

#: the sets fitted before the span: from this many days before it to GAP_DAYS before it
BEFORE_DAYS = 20.0
GAP_DAYS = 1.0
#: after it: from SETTLE_DAYS after its end (the sets converge over days) to AFTER_DAYS
SETTLE_DAYS = 3.0
AFTER_DAYS = 20.0
#: fewest sets on a side
MIN_SIDE_SETS = 4
#: below this apsidal turn (rad) across the fitted windows the eccentricity vector is
#: fitted with lines
TURN_RAD = 0.3
_DAY_US = 86_400_000_000


def net_change_delta_v(sets, h, t0_us: int, t1_us: int) -> float:
    """Delta-v (m/s) of the net change of the mean elements across the span from
    ``t0_us`` to ``t1_us`` (:func:`impulse_delta_v`; ``sets`` the prepared history, ``h``
    its arrays, :func:`~orbwatch.detect.maneuver_features.history_arrays`): fits to the
    sets 1-20 days before and 3-20 days after it (the sets converge over days),
    differenced at the span's middle; NaN without 4 sets on a side.

    ``a``, ``i`` and the node are lines (drag, J2, drift).  The eccentricity vector is
    a fixed part plus a free part turning at the apsidal rate SGP4 gives the sets (J2:
    degrees a day outside frozen orbits; near GEO, where the vector is referred to the
    equinox, the node rate is added), so a burn's change of it is the change of the two
    fitted parts at the middle.  Other burns inside the windows are in the fits too: for
    a campaign this is the net change of its neighbourhood."""
    t = (h.epoch_us - t0_us) / _DAY_US
    span = (t1_us - t0_us) / _DAY_US
    before = (t >= -BEFORE_DAYS) & (t <= -GAP_DAYS)
    after = (t >= span + SETTLE_DAYS) & (t <= span + AFTER_DAYS)
    if before.sum() < MIN_SIDE_SETS or after.sum() < MIN_SIDE_SETS:
        return float("nan")
    mid = span / 2

    def at_mid(sel, y):  # the line through y[sel], at the span's middle (y may be complex)
        return np.polyval(np.polyfit(t[sel], y[sel], 1), mid)

    def jump(y):
        return float(at_mid(after, y) - at_mid(before, y))

    # the free eccentricity turns at the apsidal rate (rad/day) of the sets before
    recs = [sets[k].satrec() for k in np.flatnonzero(before)]
    rate = float(np.median([r.argpdot + (r.nodedot if h.geo else 0.0) for r in recs])) * 1440.0
    z = h.ecc_vec[:, 0] + 1j * h.ecc_vec[:, 1]

    def e_at_mid(sel):
        # a turn of less than TURN_RAD across the windows is a line there, and the two
        # parts are not separable (near the critical inclination the rate is ~0)
        if abs(rate) * (t[after][-1] - t[before][0]) < TURN_RAD:
            return at_mid(sel, z)
        basis = np.stack([np.ones(sel.sum()), np.exp(1j * rate * t[sel])], axis=1)
        (fixed, free), *_ = np.linalg.lstsq(basis, z[sel], rcond=None)
        return fixed + free * np.exp(1j * rate * mid)

    node = np.unwrap(h.raan_rad)
    turn = math.hypot(jump(h.inc_rad), math.sin(float(np.median(h.inc_rad[before]))) * jump(node))
    de = abs(e_at_mid(after) - e_at_mid(before))
    return 1e3 * impulse_delta_v(float(np.median(h.a_km[before])), jump(h.a_km), de, turn)
