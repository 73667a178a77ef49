"""The net change of the mean elements across a span, as one burn's delta-v, on
synthetic histories with planted burns (``_history``: drag, J2 node and apsides,
set noise; near GEO lunisolar inclination drift)."""

from __future__ import annotations

import numpy as np
import pytest

from orbwatch.detect.maneuver_features import history_arrays
from orbwatch.detect.maneuver_net import net_change_delta_v
from orbwatch.detect.maneuvers import prepare_history
from test_maneuvers import DAY, T0, _history


def _net(sets, day, span_days=0.0):
    sets = prepare_history(sets)
    return net_change_delta_v(sets, history_arrays(sets), T0 + int(day * DAY),
                              T0 + int((day + span_days) * DAY))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("geo", "burn", "planted_mps"), [
    (False, (70.4, 0.5, 0.0), 0.5),          # along track
    (False, (70.4, 0.0, 0.008), 1.04),       # a turn of 0.008 deg at 7160 km
    (True, (70.4, 1.0, 0.0), 1.0),           # east-west
    (True, (70.4, 0.0, 0.1), 5.37),          # north-south, 0.1 deg at 42166 km
])
def test_a_planted_burn_is_measured(seed, geo, burn, planted_mps):
    sets, _ = _history(geo=geo, burns=[burn], seed=seed)
    assert _net(sets, burn[0]) == pytest.approx(planted_mps, rel=0.1, abs=0.05)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_burn_reads_near_zero_and_a_thin_side_reads_nan(seed):
    sets, _ = _history(geo=False, burns=[], seed=seed)
    assert 0.0 <= _net(sets, 70.4) < 0.15  # measured 0.02-0.10 over seeds 1-5
    assert np.isnan(_net(sets, 3.0))  # fewer than 4 sets before
