"""Inclination resets of the element-set processing are not plane changes.

Synthetic: a Jason-like history whose fitted inclination slides away over two
weeks and is put back by one set (truth: no burn), a real plane change that a
second burn reverses three weeks later (truth: two burns), and a slow natural
drift that a burn restores (truth: one burn).  Real: the Jason-1 resets of
2003-10-10 and 2003-12-15 (the inclination slid 0.009 and 0.008 deg in two
weeks, then returned to its level of September and of early December; the IDS
log holds no burn), and Sentinel-3A's inclination burns, which restore a real
drift and are all still found.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import load_benchmark
from orbwatch.detect import maneuvers as detector
from orbwatch.detect.maneuver_features import history_arrays
from orbwatch.detect.maneuver_resets import restores_drift
from orbwatch.detect.maneuvers import detect_maneuvers, prepare_history
from orbwatch.time import parse_iso
from test_maneuvers import DAY, T0, _history

bench = load_benchmark("maneuvers")


def _with_inclination(sets, shift_deg):
    """The sets with ``shift_deg(day)`` added to their inclination."""
    return [dataclasses.replace(s, inclination=s.inclination + float(shift_deg((s.epoch_us - T0) / DAY)))
            for s in sets]


def _slide(day, start=60.0, end=74.0, depth=0.009):
    """The fitted inclination slides down by ``depth`` deg from ``start`` to ``end``; the
    first set after ``end`` is back at the level."""
    return np.where((day > start) & (day <= end), -depth * (day - start) / (end - start), 0.0)


def _plane_changes(found):
    return [m for m in found if m.kind == "plane_change"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_slide_put_back_by_one_set_is_not_a_plane_change(seed, monkeypatch):
    sets, _ = _history(geo=False, burns=[], seed=seed)
    sets = _with_inclination(sets, _slide)
    assert detect_maneuvers(sets) == []
    # the control: without the rule the step back reads as a plane change
    monkeypatch.setattr(detector, "restores_drift", lambda h, k: False)
    days = [(m.epoch_us - T0) / DAY for m in _plane_changes(detect_maneuvers(sets))]
    assert len(days) == 1 and 74.0 - 1.0 <= days[0] <= 74.0 + 3.0, days


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_plane_change_reversed_three_weeks_later_is_two_burns(seed):
    burns = [(50.3, 0.0, 0.006), (71.6, 0.0, -0.006)]
    sets, truth = _history(geo=False, burns=burns, seed=seed)
    found = _plane_changes(detect_maneuvers(sets))
    assert len(found) == 2, [(m.kind, (m.epoch_us - T0) / DAY) for m in found]
    for m, t in zip(found, truth, strict=True):
        assert m.start_us <= t <= m.end_us


def test_a_burn_restoring_a_slow_natural_drift_is_found():
    """Sun-synchronous drift, 0.06 deg/yr (faster than Sentinel-3A's), restored by a
    0.012 deg burn after 40 days: the weeks before undo a fifth of its step."""
    burns = [(100.4, 0.0, 0.012)]
    sets, truth = _history(geo=False, burns=burns)
    sets = _with_inclination(sets, lambda day: -0.06 / 365.25 * day)
    found = _plane_changes(detect_maneuvers(sets))
    assert len(found) == 1 and found[0].start_us <= truth[0] <= found[0].end_us


@pytest.fixture(scope="module")
def jason1(shared_data):
    sets, _ = bench.load_case(shared_data, "Jason-1", observable_only=False)
    return prepare_history(sets)


@pytest.mark.parametrize("when", ["2003-10-10T21:35:30Z", "2003-12-15T04:06:26Z"])
def test_against_jason1_resets(jason1, shared_data, when):
    h = history_arrays(jason1)
    t = parse_iso(when)
    k = int(np.searchsorted(h.epoch_us, t + 1_000_000)) - 1
    assert abs(h.epoch_us[k] - t) < 1_000_000  # the last set of the slide
    assert restores_drift(h, k)
    near = [m for m in bench.case_detections(shared_data, "Jason-1", 8.0)
            if abs(m.epoch_us - t) < 3 * DAY]
    assert near == []


def test_against_sentinel3a_inclination_burns(shared_data):
    """All 19 logged inclination burns inside the history are found as plane changes
    (they restore the sun-synchronous drift) and no reset rule takes any."""
    sets, truth = bench.load_case(shared_data, "Sentinel-3A")
    found = _plane_changes(bench.case_detections(shared_data, "Sentinel-3A", 8.0))
    hits = detector.match_times(np.array([m.epoch_us for m in found]), truth, DAY)
    assert len(hits) >= 19
