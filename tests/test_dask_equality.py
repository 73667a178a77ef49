"""Dask execution (issue 9): the same events, to the bit, as the single-process run.

One local cluster (2 worker processes, 1 thread each) serves the module.
Bounded for CI: real 2023-04-13 LEO objects between 500 and 900 km (about
10,000) over 3 h, primaries-vs-all, the GEO belt for proximity over 6 h in
two segments, four real manoeuvre histories, and a synthetic 100k catalogue
over 10 minutes.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import numpy as np
import pytest

from orbwatch.detect.maneuver_batch import (
    detect_maneuvers_many,
    histories_by_object,
    object_blocks,
)
from orbwatch.detect.maneuvers import maneuvers_to_events
from orbwatch.detect.proximity import detect_proximity, regime_of
from orbwatch.elements.readers import read_path
from orbwatch.parallel import SchedulerError, open_runner, parse_scheduler
from orbwatch.propagate import nearest_sets
from orbwatch.scenario.population import POPULATION_EPOCH_US, generate_population
from orbwatch.screen.engine import pack_sets, screen, unpack_sets
from orbwatch.time import parse_iso

HOUR = 3_600_000_000
START = parse_iso("2023-04-13T06:00:00Z")


@pytest.fixture(scope="module")
def runner():
    with open_runner("local", 2) as r:
        yield r


@pytest.fixture(scope="module")
def snapshot(shared_data):
    sets = read_path(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz",
                     future_tolerance_days=None).sets
    return sets


def _num(x):
    """Floats as exact hex (NaN and signs kept), so equal text means equal bits."""
    if isinstance(x, float | np.floating):
        return float(x).hex()
    if isinstance(x, np.ndarray):
        return [float(v).hex() for v in x.ravel()]
    if isinstance(x, tuple | list):
        return [_num(v) for v in x]
    if isinstance(x, dict):
        return {k: _num(v) for k, v in x.items()}
    return x


def dump(res) -> str:
    """The screening result as JSON text, every number bit for bit."""
    return json.dumps({"encounters": [_num(asdict(e)) for e in res.encounters],
                       "proximities": [_num(asdict(p)) for p in res.proximities]})


def test_scheduler_specs():
    assert parse_scheduler(None) == "none" and parse_scheduler("local") == "local"
    assert parse_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    with pytest.raises(SchedulerError, match="tcp://host:8786"):
        parse_scheduler("dask")
    with open_runner("none") as r:
        assert r is None


def test_pack_round_trip(snapshot):
    sets = snapshot[:500]
    back = unpack_sets(pack_sets(sets))
    for a, b in zip(sets, back, strict=True):
        for f in ("norad", "epoch_us", "mean_motion", "eccentricity", "inclination", "raan",
                  "arg_perigee", "mean_anomaly", "bstar", "mean_motion_dot",
                  "mean_motion_ddot"):
            assert getattr(a, f) == getattr(b, f)


def test_screen_real_leo_identical(snapshot, runner):
    sets = nearest_sets(snapshot, START + HOUR)
    leo = [s for s in sets if 500 < s.perigee_km and s.apogee_km < 900]
    assert len(leo) > 9000
    one = screen(leo, START, START + 3 * HOUR, workers=1)
    dsk = screen(leo, START, START + 3 * HOUR, runner=runner)
    assert dsk.stats["executor"] == "dask" and dsk.stats["workers"] == 2
    assert len(one.encounters) > 2000 and one.proximities
    assert dump(dsk) == dump(one)
    # primaries against all: the same pairs with a primary, still identical
    prim = [s.norad for s in leo[::200]]
    p1 = screen(leo, START, START + 3 * HOUR, primaries=prim, workers=1)
    p2 = screen(leo, START, START + 3 * HOUR, primaries=prim, runner=runner)
    assert p1.encounters and dump(p2) == dump(p1)
    mine = {(e.i, e.j, e.tca_us) for e in one.encounters
            if leo[e.i].norad in prim or leo[e.j].norad in prim}
    assert {(min(e.i, e.j), max(e.i, e.j), e.tca_us) for e in p1.encounters} == \
        {(min(i, j), max(i, j), t) for i, j, t in mine}


def test_proximity_real_geo_identical(snapshot, runner):
    geo = [s for s, r in zip(snapshot, regime_of(snapshot), strict=True) if r == "geo"]
    kw = {"regimes": ["geo"], "segment_s": 3 * 3600.0}
    one = detect_proximity(geo, START, START + 6 * HOUR, **kw)
    dsk = detect_proximity(geo, START, START + 6 * HOUR, runner=runner, **kw)
    assert len(one.events) >= 20
    assert json.dumps([e.to_dict() for e in dsk.events]) == \
        json.dumps([e.to_dict() for e in one.events])


def test_maneuvers_real_histories_identical(shared_data, runner):
    folder = shared_data / "maneuvers/shorten_tle_benchmark/processed_files"
    sets = []
    for name in ("Fengyun-2D", "Fengyun-4A", "Sentinel-6A", "Sentinel-3A"):
        sets += read_path(folder / f"{name}.tle", future_tolerance_days=None).sets
    hs = histories_by_object(sets)
    assert len(hs) == 4
    one = detect_maneuvers_many(hs)
    dsk = detect_maneuvers_many(hs, runner=runner)
    assert len(one) > 100
    assert json.dumps([e.to_dict() for e in maneuvers_to_events(dsk)]) == \
        json.dumps([e.to_dict() for e in maneuvers_to_events(one)])


def test_object_blocks_balance():
    blocks = object_blocks([10, 1, 1, 1, 10, 1, 1], 3)
    assert blocks[0][0] == 0 and blocks[-1][1] == 7
    assert all(a < b for a, b in blocks) and len(blocks) <= 3
    assert [b for (_, b), (a, _) in zip(blocks, blocks[1:], strict=False)] == \
        [a for (_, b), (a, _) in zip(blocks, blocks[1:], strict=False)]
    assert object_blocks([], 4) == []


def test_screen_synthetic_100k_identical(runner):
    """100,000 synthetic objects over 10 minutes (11 samples)."""
    sets = generate_population(100_000, seed=0).sets
    t0 = POPULATION_EPOCH_US
    one = screen(sets, t0, t0 + HOUR // 6, workers=1)
    dsk = screen(sets, t0, t0 + HOUR // 6, runner=runner)
    assert len(one.encounters) > 100
    assert dump(dsk) == dump(one)
    # the sieve saw every object: candidates across families, not only in one shell
    names = {sets[e.i].name.split("-")[0].split(" ")[0] for e in one.encounters}
    assert len(names) >= 4
    assert math.isfinite(one.encounters[0].miss_km)


def test_cli_screen_scheduler_local(tmp_path, capsys):
    from orbwatch.cli.app import main
    from orbwatch.scenario.population import write_population

    path = write_population(generate_population(3000, seed=2), tmp_path / "pop.json.gz")
    base = ["screen", "--catalog", str(path), "--start", "2026-01-01T00:00:00Z", "--days",
            "0.1", "--threshold", "10", "-f", "json"]
    assert main(base + ["--workers", "1"]) == 0
    single = capsys.readouterr().out
    assert main(base + ["--scheduler", "local", "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    assert out == single and len(json.loads(out)) > 5
    assert "2 worker(s)" in err
    assert main(base + ["--scheduler", "dask://x"]) == 1
    assert "--scheduler: expected none, local" in capsys.readouterr().err
