"""NASA Standard Breakup Model: hand-computed values from Johnson et al. (2001)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orbwatch.debris.breakup_model import (
    BreakupModelError,
    am_params,
    area_from_lc,
    collision_mass_kg,
    dv_mean_log10,
    energy_to_mass_j_g,
    fragment_count,
    fragments_to_element_sets,
    is_catastrophic,
    simulate_breakup,
    small_am_params,
)
from orbwatch.elements.tle import read_tle
from orbwatch.propagate import SatelliteBatch

ISS_TLE = """ISS (ZARYA)
1 25544U 98067A   21001.22196045  .00001488  00000-0  34854-4 0  9992
2 25544  51.6464  88.5894 0001153 173.6665  39.5832 15.49246091262713"""


def test_threshold_40_j_per_g_both_sides():
    # 1/2 m_p v^2 / m_t: 1 kg at 10 km/s on 1000 kg = 0.5 * 1e8 J / 1e6 g = 50 J/g
    assert energy_to_mass_j_g(1000.0, 1.0, 10.0) == pytest.approx(50.0)
    # order does not matter: the lighter body is the projectile
    assert energy_to_mass_j_g(1.0, 1000.0, 10.0) == pytest.approx(50.0)
    # exactly 40 J/g at v = sqrt(2 * 40e3 * 1000 / 1) m/s = 8.944 km/s
    v40 = math.sqrt(2 * 40e3 * 1000.0) / 1e3
    assert is_catastrophic(1000.0, 1.0, v40 * 1.001)
    assert not is_catastrophic(1000.0, 1.0, v40 * 0.999)
    assert collision_mass_kg(1000.0, 1.0, 10.0) == pytest.approx(1001.0)  # m_t + m_p
    # non-catastrophic: M = m_p v^2 with v in km/s: 1 kg at 8 km/s -> 64 kg
    assert collision_mass_kg(1000.0, 1.0, 8.0) == pytest.approx(64.0)


def test_counts_by_hand():
    # collision: 0.1 * 1000^0.75 * 0.1^-1.71 = 0.1 * 177.8279 * 51.2861 = 912.0
    assert fragment_count("collision", 0.1, mass_kg=1000.0) == pytest.approx(912.01, rel=1e-4)
    # 1 cm: 0.1 * 177.8279 * 0.01^-1.71 = 0.1 * 177.8279 * 2630.27 = 46773.5
    assert fragment_count("collision", 0.01, mass_kg=1000.0) == pytest.approx(46773.5, rel=1e-4)
    # explosion: 6 * 0.1^-1.6 = 6 * 39.8107 = 238.86; S scales linearly
    assert fragment_count("explosion", 0.1) == pytest.approx(238.864, rel=1e-4)
    assert fragment_count("explosion", 0.1, scale=0.5) == pytest.approx(119.432, rel=1e-4)


def test_area_from_lc():
    assert area_from_lc(0.001) == pytest.approx(0.540424e-6)
    assert area_from_lc(0.1) == pytest.approx(0.556945 * 0.1 ** 2.0047077)  # 0.556945 * 0.01 * 10^-0.0047077
    assert area_from_lc(0.1) == pytest.approx(5.5094e-3, rel=1e-4)


@pytest.mark.parametrize("lam, material, expected", [
    # (alpha, mu1, sigma1, mu2, sigma2) by hand from the published piecewise laws
    (-0.5, "spacecraft", (0.3 + 0.4 * 0.7, -0.6 - 0.318 * 0.6, 0.1 + 0.2 * 0.8,
                          -1.2 - 1.333 * 0.2, 0.5)),
    (0.5, "spacecraft", (0.98, -0.95, 0.3, -2.0, 0.3)),
    (-0.9, "spacecraft", (0.42, -0.6636, 0.18, -1.2, 0.5)),
    (-0.5, "rocket body", (1 - 0.3571 * 0.9, -0.45, 0.55, -0.9, 0.28 - 0.1636 * 0.5)),
    (0.2, "rocket body", (0.5, -0.9, 0.55, -0.9, 0.1)),
])
def test_am_parameters(lam, material, expected):
    got = [float(x) for x in am_params(lam, material)]
    assert got == pytest.approx(expected, abs=1e-9)


def test_small_fragment_parameters():
    assert [float(x) for x in small_am_params(-2.0)] == pytest.approx([-0.3, 0.2 + 0.1333 * 1.5])
    assert [float(x) for x in small_am_params(-1.5)] == pytest.approx([-0.3 - 1.4 * 0.25,
                                                                        0.2 + 0.1333 * 2.0])
    assert [float(x) for x in small_am_params(-4.0)] == pytest.approx([-0.3, 0.2])


def test_dv_means():
    assert dv_mean_log10(-1.0, "collision") == pytest.approx(2.0)  # 100 m/s
    assert dv_mean_log10(-1.0, "explosion") == pytest.approx(1.65)


def _fixed_size(lc, material="spacecraft", event="explosion", seed=0, n=200_000):
    """About ``n`` fragments, all with Lc within 1 % of ``lc``: an explosion
    with S, or a catastrophic collision with M, chosen for that count."""
    width = 1.01
    if event == "explosion":
        per_s = 6.0 * (lc ** -1.6 - (lc * width) ** -1.6)
        return simulate_breakup("explosion", 1.0, min_size_m=lc, max_size_m=lc * width,
                                material=material, scale=n / per_s, mass_policy="none",
                                seed=seed)
    m = (n / (0.1 * (lc ** -1.71 - (lc * width) ** -1.71))) ** (1 / 0.75)
    return simulate_breakup("collision", m / 2, impactor_mass_kg=m / 2, impact_speed_kms=10.0,
                            min_size_m=lc, max_size_m=lc * width, material=material,
                            mass_policy="none", seed=seed)


@pytest.mark.parametrize("lc, material", [(0.5, "spacecraft"), (0.3, "rocket body")])
def test_large_fragment_am_distribution(lc, material):
    cloud = _fixed_size(lc, material, event="collision")
    assert abs(len(cloud) - 200_000) < 2
    chi = np.log10(cloud.am_m2_kg)
    a, m1, s1, m2, s2 = (float(x) for x in am_params(math.log10(lc), material))
    mean = a * m1 + (1 - a) * m2
    var = a * (s1 ** 2 + m1 ** 2) + (1 - a) * (s2 ** 2 + m2 ** 2) - mean ** 2
    assert chi.mean() == pytest.approx(mean, abs=0.01)
    assert chi.std() == pytest.approx(math.sqrt(var), rel=0.02)


def test_small_and_bridge_am_distribution():
    cloud = _fixed_size(0.01, event="collision")
    chi = np.log10(cloud.am_m2_kg)
    mu, sig = (float(x) for x in small_am_params(-2.0))
    assert chi.mean() == pytest.approx(mu, abs=0.01)
    assert chi.std() == pytest.approx(sig, rel=0.02)
    # 9.5 cm: weight (0.095 - 0.08) / 0.03 = 0.5 on the large-fragment law
    cloud = _fixed_size(0.095, event="collision")
    chi = np.log10(cloud.am_m2_kg)
    lam = math.log10(0.095)
    a, m1, _, m2, _ = (float(x) for x in am_params(lam, "spacecraft"))
    expected = 0.5 * (a * m1 + (1 - a) * m2) + 0.5 * float(small_am_params(lam)[0])
    assert chi.mean() == pytest.approx(expected, abs=0.015)


@pytest.mark.parametrize("event", ["explosion", "collision"])
def test_dv_distribution_and_isotropy(event):
    cloud = _fixed_size(0.05, event=event)
    chi = np.log10(cloud.am_m2_kg)
    speed_ms = np.linalg.norm(cloud.dv_kms, axis=1) * 1e3
    resid = np.log10(speed_ms) - dv_mean_log10(chi, event)
    assert resid.mean() == pytest.approx(0.0, abs=0.01)
    assert resid.std() == pytest.approx(0.4, rel=0.02)
    unit = cloud.dv_kms / np.linalg.norm(cloud.dv_kms, axis=1, keepdims=True)
    assert np.abs(unit.mean(axis=0)).max() < 0.02
    assert np.abs(unit[:, 2]).mean() == pytest.approx(0.5, abs=0.01)  # uniform cos


def test_counts_and_mass_budget():
    raw = simulate_breakup("collision", 900.0, impactor_mass_kg=560.0, impact_speed_kms=11.7,
                           mass_policy="none", seed=3)
    law = fragment_count("collision", [0.1, raw.max_size_m], mass_kg=1460.0)
    assert len(raw) == round(law[0] - law[1])
    assert raw.catastrophic and raw.mass_budget_kg == 1460.0
    for seed in range(5):
        trimmed = simulate_breakup("collision", 900.0, impactor_mass_kg=560.0,
                                   impact_speed_kms=11.7, seed=seed)
        assert trimmed.mass_kg.sum() <= 1460.0
        assert trimmed.mass_kg.sum() + trimmed.unassigned_mass_kg == pytest.approx(1460.0)
        filled = simulate_breakup("explosion", 500.0, mass_policy="fill", seed=seed)
        assert 0.9 * 500 < filled.mass_kg.sum() <= 500.0
    cloud = raw
    assert np.allclose(cloud.area_m2 / cloud.am_m2_kg, cloud.mass_kg)
    assert np.all((cloud.lc_m >= 0.1) & (cloud.lc_m <= cloud.max_size_m))


def test_non_catastrophic_remnant():
    cloud = simulate_breakup("collision", 1000.0, impactor_mass_kg=0.5, impact_speed_kms=10.0,
                             min_size_m=0.01, seed=1)
    assert cloud.catastrophic is False
    assert cloud.mass_budget_kg == pytest.approx(50.0)  # 0.5 kg * (10 km/s)^2
    assert cloud.remnant.sum() == 1 and cloud.mass_kg[cloud.remnant][0] == pytest.approx(950.5)
    assert np.all(cloud.dv_kms[cloud.remnant] == 0)
    assert cloud.mass_kg[~cloud.remnant].sum() <= 50.0


def test_deterministic_under_seed():
    a = simulate_breakup("explosion", 1400.0, material="rocket body", min_size_m=0.01, seed=7)
    b = simulate_breakup("explosion", 1400.0, material="rocket body", min_size_m=0.01, seed=7)
    c = simulate_breakup("explosion", 1400.0, material="rocket body", min_size_m=0.01, seed=8)
    for f in ("lc_m", "am_m2_kg", "area_m2", "mass_kg", "dv_kms"):
        assert np.array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.lc_m[:10], c.lc_m[:10])


def test_million_fragments():
    """A cloud of over a million fragments is built whole (its time is measured by
    ``benchmarks/breakup_model.py``)."""
    cloud = simulate_breakup("collision", 1000.0, impactor_mass_kg=10.0, impact_speed_kms=10.0,
                             min_size_m=0.0013, mass_policy="none", seed=0)
    assert len(cloud) > 1_000_000 and cloud.dv_kms.shape == (len(cloud), 3)
    assert np.all(np.isfinite(cloud.dv_kms)) and np.all(cloud.lc_m >= 0.0013)


def test_bad_inputs():
    with pytest.raises(BreakupModelError):
        simulate_breakup("collision", 100.0)
    with pytest.raises(BreakupModelError):
        simulate_breakup("implosion", 100.0)
    with pytest.raises(BreakupModelError):
        simulate_breakup("explosion", 100.0, material="wood")


def test_fragments_to_element_sets():
    parent = read_tle(ISS_TLE, future_tolerance_days=None).sets[0]
    cloud = simulate_breakup("explosion", 1000.0, min_size_m=0.2, seed=4)
    epoch = parent.epoch_us + 3_600_000_000
    sets = fragments_to_element_sets(cloud, parent, epoch, first_norad=95000)
    assert 0 < len(sets) <= len(cloud)
    idx = np.array([s.norad - 95000 for s in sets])
    p = SatelliteBatch.from_element_sets([parent]).propagate([epoch])
    f = SatelliteBatch.from_element_sets(sets).propagate([epoch], sticky_decay=False)
    ok = f.error[:, 0] == 0
    assert ok.mean() > 0.95
    assert np.abs(f.position[ok, 0] - p.position[0, 0]).max() < 1e-3  # same place
    dv = f.velocity[ok, 0] - p.velocity[0, 0]
    assert np.abs(dv - cloud.dv_kms[idx[ok]]).max() < 1e-6  # km/s: the applied impulse
    assert all(s.name == "ISS (ZARYA) DEB" and s.epoch_us == epoch for s in sets)
