"""Default TLE covariance model, RTN frames and hard-body radii."""

from __future__ import annotations

import csv
import gzip
import json
import statistics

import numpy as np
import pytest

from orbwatch.errors import FieldValueError
from orbwatch.screen.covariance import (
    DEFAULT_MODEL,
    REGIMES,
    CovarianceModel,
    TleCovarianceModel,
    eci_to_rtn,
    orbit_regime,
    rtn_basis,
    rtn_to_eci,
)
from orbwatch.screen.hbr import (
    DEFAULT_HBR_M,
    OBJECT_TYPE_HBR_M,
    RCS_SIZE_HBR_M,
    combined_hbr,
    effective_hbr,
    hbr_for,
    hbr_of,
    hbr_with_source,
)
from orbwatch.store.db import Store
from orbwatch.store.ingest import ingest_path

AGES = np.array([0.0, 0.5, 1.0, 3.0, 7.0, 14.0, 30.0])


@pytest.mark.parametrize("regime", REGIMES)
def test_sigma_grows_with_age_along_track_fastest(regime):
    sr, st, sn = DEFAULT_MODEL.rtn_sigma(AGES, regime)
    for s in (sr, st, sn):
        assert np.all(np.diff(s) > 0) and np.all(s > 0)
    growth = np.array([sr[-1] - sr[0], st[-1] - st[0], sn[-1] - sn[0]])
    assert growth.argmax() == 1  # along-track grows fastest
    assert st[0] >= sr[0] and st[0] >= sn[0]
    # a TCA before the epoch is as uncertain as after it
    assert DEFAULT_MODEL.rtn_sigma(-3.0, regime) == DEFAULT_MODEL.rtn_sigma(3.0, regime)


def test_leo_about_a_km_within_a_few_days():
    """Kelso (2007): TLE/SGP4 in LEO good to about 1 km within a few days."""
    for regime in ("LEO_HIGH_DRAG", "LEO_LOW_DRAG"):
        sigma = np.linalg.norm(DEFAULT_MODEL.rtn_sigma(3.0, regime))
        assert 0.5 < sigma < 5.0


@pytest.mark.parametrize("full", [False, True])
def test_covariance_symmetric_positive_definite(full):
    ages = np.repeat(AGES, len(REGIMES))
    regimes = np.tile(np.array(REGIMES, dtype=object), len(AGES))
    cov = DEFAULT_MODEL.rtn_covariance(ages, regimes, full=full)
    n = 6 if full else 3
    assert cov.shape == (len(ages), n, n)
    assert np.array_equal(cov, np.swapaxes(cov, 1, 2))
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    sig = np.stack(DEFAULT_MODEL.rtn_sigma(ages, regimes), axis=-1)
    assert np.allclose(np.sqrt(np.diagonal(cov, axis1=1, axis2=2)[:, :3]), sig)


def test_model_is_a_covariance_model_and_rejects_unknown_regime():
    assert isinstance(DEFAULT_MODEL, CovarianceModel)
    with pytest.raises(ValueError, match="unknown orbit regime"):
        DEFAULT_MODEL.rtn_sigma(1.0, "LEO")


def _state():
    r = np.array([6778.0, 120.0, -40.0])
    v = np.array([0.1, 5.2, 5.5])
    return r, v


def test_rtn_basis_orthonormal_and_oriented():
    r, v = _state()
    b = rtn_basis(r, v)
    assert np.allclose(b.T @ b, np.eye(3), atol=1e-15)
    assert np.isclose(np.linalg.det(b), 1.0)
    assert np.allclose(b[:, 0], r / np.linalg.norm(r))
    h = np.cross(r, v)
    assert np.allclose(b[:, 2], h / np.linalg.norm(h))
    assert b[:, 1] @ v > 0  # T points along the motion


@pytest.mark.parametrize("n", [3, 6])
def test_rtn_to_eci_preserves_eigenvalues(n):
    rng = np.random.default_rng(7)
    a = rng.normal(size=(n, n))
    cov = a @ a.T + n * np.eye(n)
    r, v = _state()
    eci = rtn_to_eci(cov, r, v)
    assert np.allclose(np.linalg.eigvalsh(eci), np.linalg.eigvalsh(cov), rtol=1e-12)
    assert np.array_equal(eci, eci.T)
    assert np.allclose(eci_to_rtn(eci, r, v), cov, rtol=1e-12, atol=1e-12)


def test_rtn_to_eci_vectorised():
    r, v = _state()
    cov = DEFAULT_MODEL.rtn_covariance(AGES, "LEO_LOW_DRAG")
    eci = rtn_to_eci(cov, np.broadcast_to(r, (len(AGES), 3)), np.broadcast_to(v, (len(AGES), 3)))
    assert eci.shape == (len(AGES), 3, 3)
    assert np.allclose(eci[3], rtn_to_eci(cov[3], r, v))


@pytest.mark.parametrize(("n", "e", "regime"), [
    (15.50, 0.0005, "LEO_HIGH_DRAG"),  # ISS, ~415 km
    (15.06, 0.0001, "LEO_LOW_DRAG"),   # Starlink shell, ~550 km
    (14.20, 0.001, "LEO_LOW_DRAG"),    # sun-synchronous ~800 km
    (2.005, 0.01, "MEO"),              # GPS
    (1.0027, 0.0002, "GEO"),
    (2.006, 0.74, "HEO"),              # Molniya
    (2.2, 0.73, "HEO"),                # GTO
])
def test_orbit_regime(n, e, regime):
    assert orbit_regime(n, e) == regime


def test_orbit_regime_vectorised():
    out = orbit_regime(np.array([15.5, 1.0027]), np.array([0.0005, 0.0]))
    assert list(out) == ["LEO_HIGH_DRAG", "GEO"]


def test_user_override_toml_and_json(tmp_path):
    toml = tmp_path / "cov.toml"
    toml.write_text('[regimes.GEO]\nsigma0_km = [2.0, 6.0, 2.0]\n'
                    'rate_km_per_day = [0.2, 2.0, 0.2]\n')
    model = TleCovarianceModel.from_file(toml)
    assert model.rtn_sigma(0.0, "GEO") == (2.0, 6.0, 2.0)
    assert model.rtn_sigma(5.0, "MEO") == DEFAULT_MODEL.rtn_sigma(5.0, "MEO")  # untouched
    assert model.source == str(toml)
    js = tmp_path / "cov.json"
    js.write_text(json.dumps({"regimes": {"LEO_HIGH_DRAG": {"sigma0_km": [1, 1, 1],
                                                             "rate_km_per_day": [0, 0, 0],
                                                             "along_track_km_per_day2": 0}}}))
    flat = TleCovarianceModel.from_file(js)
    assert flat.rtn_sigma(10.0, "LEO_HIGH_DRAG") == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("text", "field"), [
    ("[regimes.LEO]\nsigma0_km = [1, 1, 1]\n", "regimes.LEO"),
    ("[regimes.GEO]\nsigma0_km = [1, 1]\n", "regimes.GEO"),
    ("[regimes.GEO]\nsigma0_km = [1, -1, 1]\n", "regimes.GEO"),
    ("nothing = 1\n", "regimes"),
    ("[regimes\n", None),
])
def test_bad_override_file_named_error(tmp_path, text, field):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(FieldValueError) as err:
        TleCovarianceModel.from_file(path)
    assert err.value.path == str(path)
    assert err.value.field == field


# --------------------------------------------------------------------------- HBR


def test_hbr_precedence_and_labels():
    rows = [
        {"hbr_m": 4.2, "rcs_size": "LARGE", "object_type": "payload"},
        {"hbr_m": None, "rcs_size": "small", "object_type": "debris"},
        {"hbr_m": None, "rcs_size": None, "object_type": "rocket body"},
        {"hbr_m": float("nan"), "rcs_size": "", "object_type": "weird"},
        None,
    ]
    h, src = hbr_with_source(rows)
    assert list(src) == ["cara", "rcs-size", "object-type", "default", "default"]
    assert list(h) == [4.2, RCS_SIZE_HBR_M["SMALL"], OBJECT_TYPE_HBR_M["rocket body"],
                       DEFAULT_HBR_M, DEFAULT_HBR_M]
    assert np.array_equal(hbr_for(rows), h)
    assert combined_hbr(h[0], h[1]) == pytest.approx(4.26)
    assert np.allclose(combined_hbr(h[:2], h[2:4]), h[:2] + h[2:4])
    assert effective_hbr(3.0, 0.0, 1.0, 0.0) == 4.0
    assert effective_hbr(3.0, 3.0, 1.0, 0.0) == 5.0


def _subset_gz(src, dst, keep, key_col, header=True):
    with gzip.open(src, "rt", newline="") as fh:
        rows = list(csv.reader(fh))
    out = ([rows[0]] if header else []) + [r for r in rows[1 if header else 0:]
                                            if len(r) > key_col and r[key_col] in keep]
    with open(dst, "w", newline="") as fh:
        csv.writer(fh).writerows(out)


def test_hbr_from_store_cara_rows_and_fallbacks(shared_data, tmp_path):
    """CARA's table through ``orbwatch ingest`` into the objects table, with the
    Space-Track objects-in-orbit list supplying RCS sizes."""
    keep = {"51", "79", "25544", "44797", "45871", "20000"}
    cara, oio = tmp_path / "cara_hbr.csv", tmp_path / "oio.csv"
    _subset_gz(shared_data / "satcat/CARA_HBR_Mass_Estimates_20260601.csv.gz", cara, keep, 0)
    _subset_gz(shared_data / "satcat/esri_oio_2020-07-14.csv.gz", oio, keep, 2, header=False)
    store = Store(str(tmp_path / "o.db"), create=True)
    for p in (cara, oio):
        assert ingest_path(store, p).committed
    rows = {r["norad"]: r for r in store.objects(norads=[int(k) for k in keep])}
    got = {n: hbr_of(r) for n, r in rows.items()}
    assert got[51] == (pytest.approx(0.964231173853356), "cara")  # SFK RCS estimate
    assert got[25544] == (66.1, "cara")                            # CARA protected primary
    assert got[79] == (8.0, "cara")                                # CARA's own default
    assert got[44797] == (RCS_SIZE_HBR_M["LARGE"], "rcs-size")     # not in CARA's table
    assert got[45871] == (RCS_SIZE_HBR_M["MEDIUM"], "rcs-size")
    assert got[20000] == (OBJECT_TYPE_HBR_M["unknown"], "object-type")  # CARA HBR empty


def test_rcs_size_defaults_are_the_cara_medians(shared_data):
    """RCS_SIZE_HBR_M are the medians of CARA's SFK RCS-estimated HBRs per
    Space-Track RCS size class (2020-07-14 objects-in-orbit list)."""
    with gzip.open(shared_data / "satcat/CARA_HBR_Mass_Estimates_20260601.csv.gz", "rt") as fh:
        sfk = {r["ObjectID"]: float(r["HBR"]) for r in csv.DictReader(fh)
               if r["HBR"] and r["HBRSource"] == "SFK RCS Estimate"}
    by_size: dict[str, list[float]] = {}
    with gzip.open(shared_data / "satcat/esri_oio_2020-07-14.csv.gz", "rt") as fh:
        for row in csv.reader(fh):
            if len(row) > 8 and row[2] in sfk and row[8] in RCS_SIZE_HBR_M:
                by_size.setdefault(row[8], []).append(sfk[row[2]])
    for size, value in RCS_SIZE_HBR_M.items():
        assert value == pytest.approx(statistics.median(by_size[size]), rel=0.06), size
