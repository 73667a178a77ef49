"""The delta-v of one impulsive burn from the change of the mean elements (Gauss's
equations for a near-circular orbit), checked on burns built from its components."""

from __future__ import annotations

import math

import numpy as np
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


def _state(a, e, inc, node, argp, nu):
    """Two-body position and velocity (km, km/s) from Keplerian elements."""
    p = a * (1 - e * e)
    r = p / (1 + e * math.cos(nu))
    rp = np.array([r * math.cos(nu), r * math.sin(nu), 0.0])
    vp = math.sqrt(MU / p) * np.array([-math.sin(nu), e + math.cos(nu), 0.0])

    def rot(axis, x):
        c, s = math.cos(x), math.sin(x)
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) if axis == 3 else \
            np.array([[1, 0, 0], [0, c, -s], [0, s, c]])

    q = rot(3, node) @ rot(1, inc) @ rot(3, argp)
    return q @ rp, q @ vp


def _elements(r, v):
    """(a, eccentricity vector, unit orbit normal) of a two-body state."""
    h = np.cross(r, v)
    a = 1.0 / (2.0 / np.linalg.norm(r) - v @ v / MU)
    return a, np.cross(v, h) / MU - r / np.linalg.norm(r), h / np.linalg.norm(h)


def test_against_two_body_states():
    """Independent of the Gauss relations: random burns applied to two-body states of
    near-circular orbits (e <= 2e-3), the elements before and after computed from the
    state vectors; the burn is recovered to first order in e (within 1%)."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        r, v = _state(7000 + rng.uniform(-500, 500), rng.uniform(0, 2e-3),
                      math.radians(rng.uniform(10, 170)), *rng.uniform(0, 2 * math.pi, 3))
        rhat = r / np.linalg.norm(r)
        nhat = np.cross(r, v) / np.linalg.norm(np.cross(r, v))
        burn = rng.normal(0, 1e-3, 3) * rng.permutation([1, 1, rng.integers(0, 2)])
        a0, e0, n0 = _elements(r, v)
        a1, e1, n1 = _elements(r, v + burn @ np.array([rhat, np.cross(nhat, rhat), nhat]))
        got = impulse_delta_v(a0, a1 - a0, float(np.linalg.norm(e1 - e0)),
                              math.acos(min(1.0, float(n0 @ n1))))
        assert got == pytest.approx(float(np.linalg.norm(burn)), rel=0.01)


def test_non_finite_input_gives_nan():
    assert math.isnan(impulse_delta_v(A, 1.0, float("nan"), 0.0))
