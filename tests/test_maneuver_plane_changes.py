"""Plane changes outside GEO on synthetic histories whose node follows the J2 rate
of the true inclination (``_history``), and on Sentinel-3A's logged inclination burns.

Truth: a plane change reversed three or five weeks later (two burns); a campaign
of three small plane burns reversed three weeks later (its reversal at least); a
burn restoring a natural inclination drift of 0.06 deg/yr, with or without an
along-track part (one burn); Sentinel-3A's 19 inclination burns (IDS log).  These
cases were written for a rule that dropped inclination "resets" of the element-set
processing and was withdrawn (docs/design.md, session 7); they hold for the detector
as it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_benchmark
from orbwatch.detect import maneuvers as detector
from orbwatch.detect.maneuvers import detect_maneuvers
from test_maneuvers import DAY, _history

bench = load_benchmark("maneuvers")


def _found(sets, truth):
    """The planted times bracketed by a detection that turned the plane."""
    found = detect_maneuvers(sets)
    return [t for t in truth if any(m.start_us <= t <= m.end_us and m.dv_normal > 0 for m in found)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("weeks", [3, 5])
def test_a_plane_change_reversed_weeks_later_is_two_burns(seed, weeks):
    burns = [(50.3, 0.0, 0.006), (50.3 + 7 * weeks + 0.3, 0.0, -0.006)]
    sets, truth = _history(geo=False, burns=burns, seed=seed)
    assert _found(sets, truth) == truth


@pytest.mark.parametrize("seed", [1, 2, 5, 11, 12, 15])
def test_a_plane_campaign_reversed_three_weeks_later_keeps_the_reversal(seed):
    """Three 0.002 deg burns on days 50-52, reversed on day 71.6.  The reversal is found
    on every seed; the campaign itself is found on some (seeds 1 and 15 miss it: each
    interval holds a third of the turn, too little for the cross-track confirmation of
    one interval, and the residual table's four lags cannot span the run)."""
    burns = [(50.3, 0.0, 0.002), (51.3, 0.0, 0.002), (52.3, 0.0, 0.002), (71.6, 0.0, -0.006)]
    sets, truth = _history(geo=False, burns=burns, seed=seed)
    assert truth[-1] in _found(sets, truth)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("dv_along_mps", [0.0, 0.3])
def test_a_burn_restoring_a_natural_drift_is_found(seed, dv_along_mps):
    """A natural drift of 0.06 deg/yr (faster than Sentinel-3A's), restored by a 0.008
    deg burn after 100 days, with or without an along-track part."""
    burns = [(100.4, dv_along_mps, 0.008)]
    sets, truth = _history(geo=False, burns=burns, seed=seed, i_rate_deg_day=-0.06 / 365.25)
    assert _found(sets, truth) == truth


def test_against_sentinel3a_inclination_burns(shared_data):
    """All 19 logged inclination burns inside the history are found as plane changes."""
    sets, truth = bench.load_case(shared_data, "Sentinel-3A")
    found = [m for m in bench.case_detections(shared_data, "Sentinel-3A", 8.0)
             if m.kind == "plane_change"]
    hits = detector.match_times(np.array([m.epoch_us for m in found]), truth, DAY)
    assert len(hits) >= 19


def test_sine_amplitude_of_a_turn_seen_at_some_phases():
    """The cross-track displacement of a turn, ``A sin(u - u_b)``, sampled at phases
    spread over the orbit, gives back ``A`` whatever ``u_b``; phases bunched at two
    values (a 2-set-a-day GEO cadence) cannot separate sine from cosine: None."""
    from orbwatch.detect.maneuver_confirm import _sine_amplitude

    rng = np.random.default_rng(3)
    phase = rng.uniform(0, 2 * np.pi, 8)
    for ub in (0.0, 1.0, 2.5):
        obs = 138.0 * np.sin(phase - ub) + rng.normal(0, 1.0, phase.size)
        assert abs(_sine_amplitude(obs, np.ones(phase.size), phase) / 138.0 - 1) < 0.05
    bunched = np.array([0.0, 0.01, np.pi, np.pi + 0.01, 0.02, np.pi - 0.01])
    assert _sine_amplitude(np.zeros(6), np.ones(6), bunched) is None
    assert _sine_amplitude(np.zeros(3), np.ones(3), phase[:3]) is None
