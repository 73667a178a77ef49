"""The delta-v of one impulsive burn from the change of the mean elements (Gauss's
equations for a near-circular orbit), checked on burns built from its components."""

from __future__ import annotations

import math

import pytest

from orbwatch.detect.maneuver_types import impulse_delta_v

MU = 398600.8
A = 7000.0
V = math.sqrt(MU / A)


def _changes(dr, dt, dn, u):
    """(da, |de|, turn) of a burn of radial/along-track/normal km/s at argument of latitude u."""
    ex = (dr * math.sin(u) + 2 * dt * math.cos(u)) / V
    ey = (-dr * math.cos(u) + 2 * dt * math.sin(u)) / V
    return 2 * A * dt / V, math.hypot(ex, ey), abs(dn) / V


@pytest.mark.parametrize("u", [0.0, 0.7, 2.0, 4.5])
@pytest.mark.parametrize("burn", [(0, 1e-3, 0), (1e-3, 0, 0), (0, 0, 1e-3), (3e-4, -2e-4, 5e-4),
                                  (2e-3, 1e-3, 0)])
def test_one_burn_from_its_element_changes(burn, u):
    da, de, turn = _changes(*burn, u)
    assert impulse_delta_v(A, da, de, turn) == pytest.approx(math.hypot(*burn), rel=1e-9)


def test_noise_in_e_below_the_along_track_share_adds_nothing():
    da, de, _ = _changes(0, 1e-3, 0, 1.0)
    assert impulse_delta_v(A, da, 0.9 * de, 0.0) == pytest.approx(1e-3, rel=1e-9)
