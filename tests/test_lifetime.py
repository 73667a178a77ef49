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


def test_noaa_f107_table_and_labels():
    from orbwatch.debris.f107_history import yearly_means

    months = month_index([parse_iso("2021-06-15T00:00:00Z"), parse_iso("1990-06-15T00:00:00Z")])
    fb, _, _ = SpaceWeather.fallback().monthly_indices(months)
    sw = SpaceWeather.noaa_table()
    assert sw.label == "NOAA monthly table" and "NOAA SWPC" in sw.describe()
    f, fa, ap = sw.monthly_indices(months)
    assert f[0] == 79.81 and fa[0] == pytest.approx((75.64 + 79.81 + 80.97) / 3)
    assert f[1] == fb[1] and np.all(ap == 15.0)  # outside the table: the fallback model
    y = SpaceWeather.noaa_table("yearly")
    assert y.label == "NOAA yearly table"
    assert y.monthly_indices(months)[0][0] == pytest.approx(yearly_means()[2021])
    assert yearly_means()[2008] < 70 < 180 < yearly_means()[2024]  # minimum / maximum
    with pytest.raises(ValueError):
        SpaceWeather.noaa_table("daily")


def test_sgp4_decay_rate_matches_sgp4():
    """The B* drag rate -2 a C1 against SGP4's own mean semi-major axis after a day."""
    from orbwatch.debris.ballistic import sgp4_decay_rate, sgp4_density

    assert sgp4_density(120.0) == pytest.approx(2.461e-8, rel=1e-3)
    es = ElementSet(norad=1, epoch_us=T2021, mean_motion=14.3, eccentricity=0.01,
                    inclination=99.0, raan=0, arg_perigee=0, mean_anomaly=0, bstar=3e-4)
    sat = es.satrec()
    a0 = sat.a
    jd, fr = es.jd_fr
    sat.sgp4(jd, fr + 1.0)
    rate = (sat.am - a0) * sat.radiusearthkm / 86400.0
    assert sgp4_decay_rate(14.3, 0.01, np.radians(99.0), 3e-4) == pytest.approx(rate, rel=0.02)


@pytest.fixture(scope="module")
def iss_sets(shared_data):
    from orbwatch.elements.readers import read_path

    return read_path(shared_data / "maneuvers" / "iss_history"
                     / "ISS_25544_3le_2021-01-01_2022-03-03.txt").sets


def test_iss_decay_out_of_sample(iss_sets):
    """A/m fitted on one reboost-free stretch predicts the others.  Measured
    (NOAA monthly F10.7, 6 stretches of 2021): in-sample 0.98..1.04;
    leave-one-out (median A/m of the other stretches) 0.52..1.27, previous
    stretch's A/m 0.57..1.29: worst factor 1.9 (the late-2021 stretches decay
    ~2x faster than NRLMSIS with Ap = 15 says).  Before, with A/m 0.005
    assumed and the fallback cycle: 1.46..3.61.  Asserted: within a factor 2
    out of sample, 10% in sample; the one-set B* estimate agrees with the fit."""
    from orbwatch.debris.ballistic import am_from_bstar, estimate_am, observed_rate

    sw = SpaceWeather.noaa_table()
    t = np.array([s.epoch_us for s in iss_sets])
    a = np.array([s.semi_major_axis_km for s in iss_sets])
    stretches = quiet_stretches(t, a, jump_km=0.2, min_days=20)
    assert len(stretches) >= 5
    fits, models, obs = [], [], []
    for lo, hi in stretches:
        am, sigma = estimate_am(iss_sets, sw, span=(lo, hi))
        assert 0.001 < am < 0.005 and 0 < sigma < 0.1 * am
        s = iss_sets[int(np.flatnonzero(t >= lo)[0])]
        models.append(lambda x, s=s, lo=lo, hi=hi: model_decay_rate(
            s.semi_major_axis_km, s.eccentricity, np.radians(s.inclination), x, lo, hi,
            space_weather=sw))
        obs.append(observed_rate(iss_sets, lo, hi))
        fits.append(am)
        inside = [x for x in iss_sets if lo <= x.epoch_us <= hi and x.bstar > 0]
        assert np.nanmedian(am_from_bstar(inside, sw)) == pytest.approx(am, rel=0.3)
    for k in range(len(fits)):
        assert models[k](fits[k]) / obs[k] == pytest.approx(1.0, abs=0.1)
        loo = models[k](float(np.median(fits[:k] + fits[k + 1:]))) / obs[k]
        assert 0.5 < loo < 2.0, (k, loo)
        if k:
            fwd = models[k](fits[k - 1]) / obs[k]
            assert 0.5 < fwd < 2.0, (k, fwd)
    # the whole history: the longest quiet stretch is picked by default
    am, _ = estimate_am(iss_sets, sw)
    assert min(fits) <= am <= max(fits)
    # a single set: the B* estimate, with a factor-2 sigma
    one, sigma = estimate_am(iss_sets[5:6], sw)
    assert one == sigma and 0.0005 < one < 0.01


def test_fengyun_1c_hindcast_2015_to_2023(shared_data):
    """Fengyun-1C pieces of the 2015-05-27 snapshot (A/m from each one's
    B*, rescaled from SGP4's atmosphere to NRLMSIS) evolved to 2023-03-31
    with NOAA monthly F10.7.  Measured: 2560 pieces; survivors 2419
    predicted, 2170 seen; apogee change observed median -20.0 km, error
    (pred - obs) median +3.6 km, 16..84% -1.5..+14.3; apogee loss
    pred/obs median 0.73.  Before (A/m = B* / 0.1727): loss ratio 0.03."""
    from orbwatch.debris.ballistic import hindcast
    from orbwatch.elements.readers import read_path

    old = [s for s in read_path(shared_data / "catalog" / "esri_tle_2015-05-27.txt.gz").sets
           if (s.intldes or "").startswith("1999-025")]
    new = read_path(shared_data / "catalog" / "keeptrack_TLE3_2023-04-13.txt.gz").sets
    r = hindcast(old, new, SpaceWeather.noaa_table())
    assert r["space_weather"] == "NOAA monthly table" and r["objects"] > 2000
    assert 1.0 <= r["predicted_alive"] / r["observed_alive"] < 1.2
    assert r["predicted_decayed_but_seen"] < 0.01 * r["observed_alive"]
    err = r["dapo_p"] - r["dapo_o"]
    assert abs(np.median(err)) < 6.0
    assert np.percentile(np.abs(err), 68) < 15.0
    ok = r["dapo_o"] < -5
    assert 0.55 < np.median(r["dapo_p"][ok] / r["dapo_o"][ok]) < 1.2
    assert abs(np.median(r["dper_p"] - r["dper_o"])) < 6.0
