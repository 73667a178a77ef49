"""The LEO kink tier's slow-sets path (``maneuver_kink_leo``): a raising phase kink
confirmed by the level of ``a`` over two weeks, where the element sets take a small
burn slowly (Jason-1, TOPEX: ``a`` follows over a week or more)."""

from __future__ import annotations

import numpy as np
import pytest

from orbwatch.detect.maneuver_kink_leo import (
    LONG_AFTER_DAYS,
    LONG_KINK_Z,
    long_delta_a,
    second_tier,
)
from orbwatch.detect.maneuver_phase import PhaseSeries

A0 = 7714.0  # km, Jason
N0 = 2 * np.pi * 12.81  # rad/day
BURN_DAY = 30.4


def _series(da_km=0.015, *, ramp_days=10.0, a_follows=True, drift_km_day=0.0, seed=0):
    """Daily sets for 60 days; a burn raising ``a`` by ``da_km`` on day 30.4.  The
    phase is the true orbit's (a sharp kink, plus the drift's acceleration); the sets'
    ``a`` takes the step as a ramp over ``ramp_days`` (or not at all)."""
    rng = np.random.default_rng(seed)
    t = np.arange(60.0) + rng.uniform(0.0, 0.3, 60)
    true_a = A0 + drift_km_day * t + da_km * (t > BURN_DAY)
    # phase = integral of n(a): n0 t - 1.5 n0 / a0 * integral(a - a0)
    excess = drift_km_day * t**2 / 2 + da_km * np.clip(t - BURN_DAY, 0.0, None)
    phi = N0 * t - 1.5 * N0 / A0 * excess + rng.normal(0.0, 0.1 / A0, t.size)
    ramp = np.clip((t - BURN_DAY) / max(ramp_days, 1e-9), 0.0, 1.0) if a_follows \
        else 0.0 * t
    a = A0 + drift_km_day * t + da_km * ramp + rng.normal(0.0, 3e-4, t.size)
    n = N0 * (true_a / A0) ** -1.5
    return PhaseSeries(t, phi, np.zeros(t.size, dtype=int), n, a, False)


def _tier(ps, first=()):
    quiet = np.zeros(ps.t.size - 1)  # no one-interval confirmation: the sets are slow
    return second_tier(ps, quiet, quiet, np.asarray(first, dtype=float))


@pytest.mark.parametrize("seed", range(5))
def test_a_slow_burn_is_found_in_its_interval(seed):
    """A 6.8 mm/s burn whose ``a`` the sets take over 10 days (one-interval steps of
    1.5 m, noise 0.3 m): the one-interval check cannot confirm it; the level of ``a``
    two weeks on does."""
    ps = _series(seed=seed)
    (k, tau, z, da, slow), = _tier(ps)
    assert slow and z >= LONG_KINK_Z
    assert ps.t[k] <= BURN_DAY <= ps.t[k + 1] and abs(tau - BURN_DAY) < 1.0
    assert da == pytest.approx(0.015, rel=0.2)


def test_a_kink_the_level_of_a_does_not_follow_is_no_burn():
    assert _tier(_series(a_follows=False)) == []


def test_not_where_drag_is_strong():
    """ISS-like decay (100 m/day): over the window after, a drift carried on is seven
    times the 0.2 km change; a quieter atmosphere would read the same, so the level
    test is not trusted there."""
    ps = _series(0.2, drift_km_day=-0.1)
    assert _tier(ps) == []
    step, drift = long_delta_a(ps, int(np.searchsorted(ps.t, BURN_DAY)) - 1)
    assert step == pytest.approx(0.2, rel=0.2) and drift == pytest.approx(-0.1, rel=0.05)
    assert abs(drift) * LONG_AFTER_DAYS > 0.2


def test_long_windows_stop_short_of_other_detections():
    ps = _series()
    k = int(np.searchsorted(ps.t, BURN_DAY)) - 1
    step, drift = long_delta_a(ps, k)
    assert step == pytest.approx(0.015, rel=0.1) and abs(drift) < 1e-4
    # another detection four days after: fewer than four sets in the window after
    assert np.isnan(long_delta_a(ps, k, [BURN_DAY + 4.0])[0])
    # three days before: the window before starts after it, too few sets
    assert np.isnan(long_delta_a(ps, k, [BURN_DAY - 3.0])[0])
    # seven days before: it starts after it, and the step is still measured
    assert long_delta_a(ps, k, [BURN_DAY - 7.0])[0] == pytest.approx(0.015, rel=0.1)


def test_a_kink_near_a_first_pass_detection_is_left_to_it():
    """The tier fills gaps: a kink within GAP_DAYS of a first-pass detection is not
    taken, even where a confirms it at once (the long windows play no part here)."""
    ps = _series(ramp_days=0.0)
    k = int(np.searchsorted(ps.t, BURN_DAY)) - 1
    z_a, da = np.zeros(ps.t.size - 1), np.zeros(ps.t.size - 1)
    z_a[k], da[k] = 10.0, 0.015
    (found,) = second_tier(ps, z_a, da, np.array([]))
    assert found[0] == k and not found[4]  # confirmed at once
    assert second_tier(ps, z_a, da, np.array([BURN_DAY + 2.0])) == []
    assert len(second_tier(ps, z_a, da, np.array([BURN_DAY + 4.0]))) == 1
