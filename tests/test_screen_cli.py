"""``orbwatch screen`` and ``orbwatch pc`` as a user runs them, and the
agreement of the two candidate joins (compiled cells and SciPy KD-trees)."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from orbwatch.cli.app import main
from orbwatch.elements.tle import format_tle, read_tle
from orbwatch.events import EVENT_JSON_SCHEMA
from orbwatch.propagate import SatelliteBatch
from orbwatch.screen import cells
from orbwatch.screen.cdm import read_cdm
from orbwatch.screen.sieve import sieve_step
from orbwatch.time import parse_iso

START = "2023-04-13T00:00:00Z"


@pytest.fixture(scope="module")
def catalog(shared_data):
    path = shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz"
    return read_tle(gzip.open(path, "rt").read()).sets


@pytest.fixture(scope="module")
def subset_file(tmp_path_factory, catalog):
    """ISS and its visitors plus a dense slice of the Starlink shell."""
    pick = [s for s in catalog if 530 <= s.perigee_km <= 560][:300]
    pick += [s for s in catalog if s.norad in (25544, 49044, 54232, 55560, 55688)]
    path = tmp_path_factory.mktemp("screen") / "subset.tle"
    path.write_text("".join(f"0 {s.name}\n" + "\n".join(format_tle(s)) + "\n" for s in pick))
    return path


def run(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_screen_json_events_follow_the_schema(subset_file, tmp_path, capsys):
    rc, out, err = run(capsys, "screen", "--catalog", subset_file, "--start", START,
                       "--days", "0.25", "--threshold", "10", "--workers", "1",
                       "--format", "json", "--cdm-dir", tmp_path / "cdm")
    assert rc == 0, err
    events = json.loads(out)
    kinds = {e["kind"] for e in events}
    assert kinds == {"conjunction", "proximity"}
    for e in events:
        assert set(e) == set(EVENT_JSON_SCHEMA["properties"])
        assert e["epoch"].endswith("Z") and len(e["objects"]) == 2
    conj = [e for e in events if e["kind"] == "conjunction"]
    for e in conj:
        m = e["metrics"]
        assert m["miss_km"] <= 10 and m["rel_speed_kms"] > 0
        assert 0 <= m["pc"] <= m["pc_max"] <= 1
        assert abs(np.hypot(np.hypot(m["miss_r_km"], m["miss_t_km"]), m["miss_n_km"])
                   - m["miss_km"]) < 1e-6
        assert 0 <= e["confidence"] <= 1
    # docked ISS modules: one proximity each, not thousands of conjunctions
    prox = [e for e in events if e["kind"] == "proximity" and 25544 in e["objects"] or
            e["kind"] == "proximity" and 49044 in e["objects"]]
    assert prox and all(p["metrics"]["duration_s"] > 3600 for p in prox)
    # one CDM per conjunction, and `orbwatch pc` recomputes the Pc it states
    files = sorted((tmp_path / "cdm").iterdir())
    assert len(files) == len(conj)
    cdm = read_cdm(files[0])
    assert cdm.objects[0].ref_frame == "GCRF"
    rc, out, _ = run(capsys, "pc", files[0], "--format", "json")
    (row,) = json.loads(out)
    assert rc == 0 and row["pc"] == pytest.approx(row["pc_stated"], rel=1e-6, abs=1e-300)


def test_screen_primary_and_table(subset_file, capsys):
    rc, out, err = run(capsys, "screen", "--catalog", subset_file, "--start", START,
                       "--days", "0.1", "--threshold", "20", "--primary", "25544",
                       "--workers", "1", "--format", "csv")
    assert rc == 0, err
    rows = out.strip().splitlines()[1:]
    assert all(",25544," in f",{r}" or r.split(",")[2] == "25544" for r in rows)


@pytest.mark.parametrize("args,message", [
    (["--primary", "99999999"], "not in the catalogue"),
    (["--days", "0"], "must be positive"),
    (["--start", "tomorrow"], "--start"),
    (["--cdm-format", "pdf"], "--cdm-format"),
])
def test_screen_bad_requests(subset_file, capsys, args, message):
    rc, out, err = run(capsys, "screen", "--catalog", subset_file, "--start", START, *args)
    assert rc == 1 and message in err and out == ""


def test_screen_from_the_database(subset_file, tmp_path, capsys):
    db = tmp_path / "o.db"
    assert run(capsys, "ingest", "--db", db, subset_file)[0] == 0
    rc, out, err = run(capsys, "screen", "--db", db, "--start", START, "--days", "0.05",
                       "--threshold", "10", "--workers", "1", "--format", "json")
    assert rc == 0, err
    assert any(e["kind"] == "conjunction" for e in json.loads(out))


@pytest.mark.skipif(not cells.AVAILABLE, reason="numba not installed")
def test_cell_join_equals_kdtree_join(catalog):
    """Both joins apply the same proven tests: identical candidates on real samples,
    with and without interpolation error pads and primaries."""
    sets = catalog
    batch = SatelliteBatch.from_element_sets(sets)
    t0 = parse_iso(START)
    eph = batch.propagate(np.array([t0, t0 + 3_600_000_000 * 7]))
    rng = np.random.default_rng(1)
    for col in range(2):
        pos, vel = eph.position[:, col], eph.velocity[:, col]
        rows = np.flatnonzero(np.isfinite(pos[:, 0]))
        pad = rng.uniform(0, 0.05, len(rows))
        for kw in ({}, {"pos_err": pad, "vel_err": pad / 100},
                   {"primary_mask": rng.random(len(rows)) < 0.05}):
            got = [sieve_step(pos[rows], vel[rows], rows, 5.0, 60.0, 7, backend=b, **kw)
                   for b in ("cells", "kdtree")]
            keys = [sorted(zip(g.i.tolist(), g.j.tolist(), strict=True)) for g in got]
            assert keys[0] == keys[1]
            assert len(keys[0]) > (5 if "primary_mask" in kw else 50)


def test_pc_takes_hbr_from_the_cara_table(shared_data, tmp_path, capsys):
    """No --hbr and no COMMENT HBR: both radii come from the ingested CARA table."""
    import numpy as np

    from orbwatch.screen.cdm import cdm_from_states, write_cdm_kvn
    from orbwatch.store import Store

    db = tmp_path / "o.db"
    assert run(capsys, "ingest", "--db", db,
               shared_data / "satcat/CARA_HBR_Mass_Estimates_20260601.csv.gz")[0] == 0
    rows = {o["norad"]: o for o in Store(db).objects() if o["hbr_m"]}
    pair = sorted(rows)[:2]
    assert len(pair) == 2
    r1, v1 = np.array([7000.0, 0, 0]), np.array([0, 7.5, 0.0])
    r2, v2 = np.array([7000.2, 0.1, 0]), np.array([0, 0, 7.5])
    cov = np.diag([100.0**2, 300.0**2, 100.0**2])
    cdm = cdm_from_states(r1, v1, cov, r2, v2, cov, parse_iso("2024-01-01T00:00:00Z"),
                          designators=(str(pair[0]), str(pair[1])))
    f = tmp_path / "x.cdm"
    f.write_text(write_cdm_kvn(cdm))
    rc, out, err = run(capsys, "pc", f, "--db", db, "--format", "json")
    (row,) = json.loads(out)
    assert rc == 0, err
    assert row["hbr_source"] == "table:cara+cara"
    assert row["hbr_m"] == pytest.approx(rows[pair[0]]["hbr_m"] + rows[pair[1]]["hbr_m"])
    rc, _, err = run(capsys, "pc", f, "--db", tmp_path / "none.db")
    assert rc == 1 and "no database" in err
