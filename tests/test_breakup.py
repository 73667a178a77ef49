"""Breakup dating and location: synthetic truth (fresh and two-month-old
clouds of a fragmented NOAA 15) and the real Fengyun-1C cloud."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from orbwatch.elements.readers import read_path
from orbwatch.elements.tle import read_tle
from orbwatch.forensics.breakup import estimate_breakup
from orbwatch.forensics.orbit import geodetic
from orbwatch.forensics.synthetic import fragment, parent_state, reepoch, tle_roundtrip
from orbwatch.time import parse_iso

DAY = 86_400_000_000


@pytest.fixture(scope="module")
def noaa15(shared_data):
    text = gzip.open(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz", "rt").read()
    return next(s for s in read_tle(text, future_tolerance_days=None).sets if s.norad == 25338)


@pytest.fixture(scope="module")
def cloud(noaa15):
    t0 = noaa15.epoch_us + 3 * DAY
    dv = np.random.default_rng(7).normal(0, 0.05, (100, 3))
    return t0, fragment(noaa15, t0, dv)


@pytest.mark.parametrize("age_days,tol_s", [(1, 60), (60, 600)])
def test_synthetic_breakup(noaa15, cloud, age_days, tol_s):
    t0, frags = cloud
    sets = tle_roundtrip(reepoch(frags, t0 + age_days * DAY))
    r = estimate_breakup(sets, parent=noaa15)
    assert r.method == "convergence"
    assert abs(r.epoch_us - t0) / 1e6 < tol_s
    truth, _ = parent_state(noaa15, t0)
    est, _ = parent_state(noaa15, r.epoch_us)
    lat, lon, alt = geodetic(truth, t0)
    assert abs(r.lat_deg - lat) < 0.5 and abs(alt - r.alt_km) < 10
    assert 0.03 < r.delta_v["dv_median_kms"] < 0.12  # 50 m/s per axis: median |dv| ~77 m/s
    assert r.to_event().kind == "breakup" and r.to_event().objects[0] == 25338


def test_outliers_are_rejected(noaa15, cloud, shared_data):
    t0, frags = cloud
    sets = tle_roundtrip(reepoch(frags, t0 + DAY))
    others = [s for s in read_path(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz",
                                   future_tolerance_days=None).sets[:10]]
    r = estimate_breakup(sets + others, parent=noaa15)
    assert abs(r.epoch_us - t0) / 1e6 < 60
    assert r.rejected["inclination_outlier"]


def test_fengyun_1c(shared_data):
    """Fengyun-1C (2007-01-11 22:26 UTC) from 14.7-year-old sets: the plane
    method gives +71 days (measured); tolerance 120 days."""
    sets = read_path(shared_data / "debris/celestrak_groups_2021-10-02/1999-025.txt").sets
    r = estimate_breakup(sets)
    assert r.method == "plane"
    assert abs(r.epoch_us - parse_iso("2007-01-11T22:26:00Z")) / DAY < 120


def test_cli_json_and_figures(shared_data, tmp_path, capsys):
    import orbwatch.cli.forensics  # noqa: F401
    from orbwatch.cli.app import main

    f = str(shared_data / "debris/celestrak_groups_2021-10-02/cosmos-2251-debris.txt")
    rc = main(["breakup", "--intdes", "1993-036", "--catalog", f, "--format", "json",
               "--figures", str(tmp_path)])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["kind"] == "breakup" and d["method"] == "plane"
    assert (tmp_path / "gabbard.png").stat().st_size > 1000
    rc = main(["breakup", "--intdes", "1900-001", "--catalog", f])
    assert rc == 1
    err = capsys.readouterr().err
    assert err.startswith("orbwatch: UserError") and len(err.strip().splitlines()) == 1
