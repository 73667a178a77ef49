"""Element-set fitting: SGP4 states of real sets over a day, fitted back."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from orbwatch.elements.tle import format_tle, read_tle
from orbwatch.propagate import SatelliteBatch
from orbwatch.propagate.fit import fit_element_set, state_to_element_set, states_to_element_sets

ISS_FILE = "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt"
CATALOG = "catalog/keeptrack_TLE3_2023-04-13.txt.gz"
DAY = np.arange(0, 86400, 60) * 1_000_000


def _catalog_set(shared_data, name):
    lines = gzip.open(shared_data / CATALOG, "rt").read().splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip() == name)
    return read_tle("\n".join(lines[i:i + 3]), future_tolerance_days=None).sets[0]


@pytest.fixture(scope="module")
def sources(shared_data):
    iss = read_tle((shared_data / ISS_FILE).read_text(), future_tolerance_days=None).sets[0]
    return {"leo": iss,
            "geo": _catalog_set(shared_data, "INTELSAT 901 (IS-901)"),
            "heo": _catalog_set(shared_data, "MOLNIYA 1-90"),
            "leo-eccentric": _catalog_set(shared_data, "VANGUARD 1")}


def _states(sets, t):
    eph = SatelliteBatch.from_element_sets(list(sets)).propagate(t, sticky_decay=False)
    return eph.position, eph.velocity


def _tle_roundtrip(es):
    l1, l2 = format_tle(es)
    return read_tle(f"FIT\n{l1}\n{l2}", future_tolerance_days=None).sets[0]


# fitted-set position error over the day (km): measured 1e-5 (LEO), 1e-3 (GEO),
# 2e-3 (Molniya); after TLE round trip 0.008, 0.046, 0.024, 0.012
@pytest.mark.parametrize("kind, fit_tol_km, tle_tol_km", [
    ("leo", 0.001, 0.05), ("geo", 0.01, 0.15), ("heo", 0.01, 0.1),
    ("leo-eccentric", 0.001, 0.05)])
def test_fit_reproduces_a_day(sources, kind, fit_tol_km, tle_tol_km):
    src = sources[kind]
    t = src.epoch_us + DAY
    r, v = _states([src], t)
    fit = fit_element_set(t, r[0], v[0], norad=src.norad, name=src.name)
    es = fit.element_set
    # epoch: the sample nearest the middle of the span, not the source epoch
    assert abs(es.epoch_us - (t[0] + t[-1]) // 2) <= 30_000_000
    rf, _ = _states([es], t)
    err = np.linalg.norm(rf[0] - r[0], axis=-1)
    assert err.max() == pytest.approx(fit.max_km, abs=1e-9)
    assert fit.max_km < fit_tol_km
    assert fit.rms_km <= fit.max_km
    rt, _ = _states([_tle_roundtrip(es)], t)
    assert np.linalg.norm(rt[0] - r[0], axis=-1).max() < tle_tol_km


def test_fit_positions_only_with_noise(sources):
    src = sources["leo"]
    t = src.epoch_us + DAY
    r, _ = _states([src], t)
    noisy = r[0] + np.random.default_rng(0).normal(0.0, 0.010, r[0].shape)  # 10 m per axis
    fit = fit_element_set(t, noisy, None, norad=src.norad)
    assert fit.rms_km == pytest.approx(0.010 * np.sqrt(3), rel=0.1)
    rf, _ = _states([fit.element_set], t)
    assert np.linalg.norm(rf[0] - r[0], axis=-1).max() < 0.010  # truth within 10 m
    assert fit.element_set.bstar == pytest.approx(src.bstar, rel=0.5)


def test_fit_fixed_bstar(sources):
    src = sources["leo"]
    t = src.epoch_us + DAY
    r, v = _states([src], t)
    fit = fit_element_set(t, r[0], v[0], norad=1, bstar=src.bstar, fit_bstar=False)
    assert fit.element_set.bstar == src.bstar
    assert fit.max_km < 0.001


@pytest.mark.parametrize("kind", ["leo", "geo", "heo", "leo-eccentric"])
def test_state_to_element_set(sources, kind):
    src = sources[kind]
    t = src.epoch_us + 3 * 3_600_000_000  # a state away from the source epoch
    r, v = _states([src], [t])
    es = state_to_element_set(r[0, 0], v[0, 0], t, norad=99999, bstar=src.bstar)
    r2, v2 = _states([es], [t])
    assert np.abs(r2[0, 0] - r[0, 0]).max() < 1e-5  # 1 cm
    assert np.abs(v2[0, 0] - v[0, 0]).max() < 1e-8
    assert es.norad == 99999 and es.epoch_us == t


def test_states_to_element_sets_many(sources):
    src = sources["leo"]
    t = src.epoch_us
    r, v = _states([src], [t])
    dv = np.random.default_rng(1).normal(0, 0.05, (200, 3))
    sets = states_to_element_sets(np.repeat(r[0], 200, 0), v[0, 0] + dv, t,
                                  np.arange(80000, 80200), template=src)
    r2, v2 = _states(sets, [t])
    assert np.abs(r2[:, 0] - r[0, 0]).max() < 1e-5
    assert np.abs(v2[:, 0] - (v[0, 0] + dv)).max() < 1e-8
    assert [s.norad for s in sets] == list(range(80000, 80200))


def test_fit_input_checks():
    with pytest.raises(ValueError):
        fit_element_set([0, 1], np.zeros((3, 3)), None, norad=1)
