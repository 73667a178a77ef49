"""Density (NRLMSIS 2.1 via pymsis, offline), lifetime model, collision flux."""

from __future__ import annotations

import numpy as np
import pytest

from orbwatch.debris.density import ALT_GRID_KM, SpaceWeather, density, month_index, msis_density
from orbwatch.debris.flux import collision_rate_increase, shell_fractions
from orbwatch.debris.lifetime import (
    RE_KM,
    band_crossings,
    decay_rates,
    evolve,
    fit_decay_rate,
    model_decay_rate,
    quiet_stretches,
    remaining_after,
)
from orbwatch.elements.model import ElementSet
from orbwatch.errors import UserError
from orbwatch.time import parse_iso

T2021 = parse_iso("2021-06-01T00:00:00Z")
YEAR_US = int(365.25 * 86_400e6)


def test_density_matches_pymsis_direct_call():
    from pymsis import msis

    alts = np.array([200.0, 400.0, 800.0, 1500.0])
    f, fa, ap = SpaceWeather.fallback().monthly_indices(month_index([T2021]))
    direct = msis.calculate(np.array([T2021]).astype("datetime64[us]"), 10.0, 20.0, alts,
                            f107s=f, f107as=fa, aps=[[ap[0]] * 7], version=2.1)[..., 0]
    ours = msis_density(alts, T2021, lat_deg=20.0, lon_deg=10.0)
    np.testing.assert_allclose(ours, np.ravel(direct), rtol=1e-6)
    # the monthly global mean is within a factor 2 of one place's value
    ratio = density(alts, T2021) / msis_density(alts, T2021)
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_density_decreases_with_altitude_and_rises_with_solar_activity():
    rho = density(ALT_GRID_KM, T2021)
    assert np.all(np.diff(rho) < 0)
    assert 1e-13 < density(400.0, T2021) < 1e-11  # textbook 400 km values: 1e-12 .. 1e-11
    solar_max = parse_iso("2025-01-01T00:00:00Z")  # fallback: max mid 2025
    assert density(400.0, solar_max) > 2 * density(400.0, parse_iso("2019-12-15T00:00:00Z"))


def test_fallback_indices_and_space_weather_file(tmp_path):
    sw = SpaceWeather.fallback()
    assert sw.label == "fallback model"
    f, _, ap = sw.monthly_indices(month_index([parse_iso("2019-12-15T00:00:00Z"),
                                               parse_iso("2025-06-15T00:00:00Z")]))
    assert f[0] == pytest.approx(70.0, abs=1.0) and f[1] == pytest.approx(150.0, abs=1.0)
    assert np.all(ap == 15.0)
    csv = tmp_path / "SW-All.csv"
    csv.write_text("DATE,BSRN,AP_AVG,F10.7_OBS,F10.7_OBS_CENTER81\n"
                   "2021-06-01,1,10,80.0,75.0\n2021-06-02,1,20,90.0,77.0\n2021-06-03,1,,,\n")
    sw = SpaceWeather.from_file(csv)
    assert sw.label == "file"
    f, fa, ap = sw.monthly_indices(month_index([T2021]))
    assert (f[0], fa[0], ap[0]) == (85.0, 76.0, 15.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match="missing columns"):
        SpaceWeather.from_file(bad)
    with pytest.raises(UserError):
        SpaceWeather.from_file(tmp_path / "absent.csv")


def test_king_hele_series_matches_quadrature():
    """The O(e^2) Bessel series against a direct average over eccentric anomaly
    for an exponential atmosphere."""
    a, e, i, am, rho_p, h = 7000.0, 0.03, 0.0, 0.01, 1e-12, 50.0
    da, de = decay_rates(a, e, i, am, rho_p, h)
    big_e = np.linspace(0, 2 * np.pi, 20001)[:-1]
    rho = rho_p * np.exp(-a * e * (1 - np.cos(big_e)) / h)
    x = e * np.cos(big_e)
    rp = a * (1 - e)
    vp = np.sqrt(398600.4418 * (1 + e) / rp)
    delta = (1 - rp * 7.2921159e-5 / vp) ** 2 * 2.2 * am
    per = 2 * np.pi * np.sqrt(a ** 3 / 398600.4418)
    da_q = -delta * (a * 1e3) ** 2 * np.mean(rho * (1 + x) ** 1.5 / np.sqrt(1 - x)) * 2 * np.pi
    de_q = -delta * a * 1e3 * (1 - e * e) * 2 * np.pi * np.mean(
        rho * np.sqrt((1 + x) / (1 - x)) * np.cos(big_e))
    assert da == pytest.approx(da_q / 1e3 / per, rel=2e-3)
    assert de == pytest.approx(de_q / per, rel=2e-2)


def test_decay_times_follow_rules_of_thumb():
    """NASA ODPO FAQ (orbitaldebris.jsc.nasa.gov/faq): below 600 km debris
    falls back "within several years"; at 800 km decay "is often measured in
    decades"; ESA's rule of thumb is about a year at 400 km for a typical
    satellite.  A sphere of A/m 0.01 m^2/kg started mid 2021."""
    ev = evolve(RE_KM + np.array([400.0, 500.0, 800.0]), 0.0005, np.radians(51.6), 0, 0,
                0.01, T2021, 60.0, step_days=5.0)
    life = np.where(ev.decay_us > 0, (ev.decay_us - T2021) / YEAR_US, np.inf)
    assert 0.25 < life[0] < 2.0  # months to a year
    assert 1.0 < life[1] < 10.0  # several years
    assert life[2] > 20.0  # decades


def test_counts_are_monotone_and_bands():
    rng = np.random.default_rng(3)
    n = 400
    ev = evolve(RE_KM + rng.uniform(350, 900, n), rng.uniform(0, 0.03, n), 1.5,
                rng.uniform(0, 6, n), rng.uniform(0, 6, n), 10 ** rng.normal(-1.5, 0.5, n),
                T2021, 10.0, step_days=5.0)
    assert np.all(np.diff(ev.count) <= 0)
    rem = remaining_after(ev, [1, 5, 10])
    assert rem["1"] >= rem["5"] >= rem["10"] and rem["1"] <= n
    assert np.all(ev.alive[:, ev.decay_us < 0])  # survivors alive throughout
    bands = band_crossings(ev, {"all": (100.0, 2000.0), "none": (3000.0, 3100.0)})
    assert bands == {"all": n, "none": 0}
    # J2 regresses the node of a prograde orbit
    k = int(np.flatnonzero(ev.decay_us < 0)[0])
    assert np.all(np.diff(np.unwrap(ev.raan[:3, k])) < 0)


def test_shell_fractions_and_flux():
    edges = RE_KM + np.arange(100.0, 2110.0, 10.0)
    fr = shell_fractions([RE_KM + 500, RE_KM + 800], [0.0, 0.05], edges)
    np.testing.assert_allclose(fr.sum(axis=1), 1.0, atol=1e-12)
    assert fr[0].max() == 1.0
    # one circular fragment co-orbiting a circular target: n = 1/V_shell
    tgt = ElementSet(norad=1, epoch_us=T2021, mean_motion=86400 / (2 * np.pi) * np.sqrt(
        398600.8 / (RE_KM + 505.0) ** 3), eccentricity=0.0, inclination=51.6, raan=0,
        arg_perigee=0, mean_anomaly=0)
    ev = evolve(tgt.semi_major_axis_km, 0.0, 0.9, 0, 0, 1e-9, T2021, 1.0, step_days=10)
    r = collision_rate_increase(ev, [tgt], cross_section_m2=10.0, v_rel_kms=10.0)[0]
    k = np.searchsorted(edges, tgt.semi_major_axis_km) - 1
    vol = 4 / 3 * np.pi * (edges[k + 1] ** 3 - edges[k] ** 3)
    assert r.mean_rate_per_year == pytest.approx(10 * 10e-6 / vol * 365.25 * 86400, rel=1e-6)


def test_iss_decay_between_reboosts(shared_data):
    """Measured da/dt on the reboost-free stretches of the ISS 2021-22 sets
    against the model with A/m = 0.005 m^2/kg and the fallback space weather.
    Measured (this data): model/observed 1.4 .. 3.6 on six stretches (the
    model over-predicts at the 2021 solar minimum: the ISS's effective
    Cd A/m is nearer 0.002); asserted within a factor of 4."""
    from orbwatch.elements.readers import read_path

    sets = read_path(shared_data / "maneuvers" / "iss_history"
                     / "ISS_25544_3le_2021-01-01_2022-03-03.txt").sets
    t = np.array([s.epoch_us for s in sets])
    a = np.array([s.semi_major_axis_km for s in sets])
    stretches = quiet_stretches(t, a, jump_km=0.2, min_days=20)
    assert len(stretches) >= 4
    ratios = []
    for lo, hi in stretches:
        m = (t >= lo) & (t <= hi)
        obs = fit_decay_rate(t[m], a[m])
        s = sets[int(np.flatnonzero(m)[0])]
        mod = model_decay_rate(s.semi_major_axis_km, s.eccentricity, np.radians(s.inclination),
                               0.005, lo, hi)
        assert obs < 0 and mod < 0
        ratios.append(mod / obs)
    ratios = np.array(ratios)
    assert np.all((ratios > 0.25) & (ratios < 4.0)), ratios
