"""``orbwatch propagate`` against python-sgp4 called directly on the same TLE."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from sgp4.api import Satrec, jday

from orbwatch.cli.app import main

ISS = "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt"


@pytest.fixture(scope="module")
def db(tmp_path_factory, shared_data):
    path = tmp_path_factory.mktemp("prop") / "o.db"
    assert main(["ingest", "--db", str(path), str(shared_data / ISS)]) == 0
    return path


def run(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_teme_matches_twoline2rv_of_nearest_set(db, shared_data, capsys):
    rc, out, _ = run(capsys, "propagate", "25544", "--start", "2021-11-15T00:00:00Z",
                     "--stop", "2021-11-15T06:00:00Z", "--step", "600", "--db", db,
                     "--format", "csv")
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 37 and rows[0]["frame"] == "TEME"
    lines = (shared_data / ISS).read_text().splitlines()
    sats = {}
    for i in range(0, len(lines), 3):
        sat = Satrec.twoline2rv(lines[i + 1], lines[i + 2])
        sats[round((sat.jdsatepoch + sat.jdsatepochF) * 86400)] = sat
    for row in rows:
        t = row["time"]
        jd, fr = jday(int(t[:4]), int(t[5:7]), int(t[8:10]), int(t[11:13]), int(t[14:16]),
                      float(t[17:23]))
        # the set the command chose: its epoch is printed; find that TLE
        y, mo, d, h, mi, s = (int(row["set_epoch"][:4]), int(row["set_epoch"][5:7]),
                              int(row["set_epoch"][8:10]), int(row["set_epoch"][11:13]),
                              int(row["set_epoch"][14:16]), float(row["set_epoch"][17:23]))
        ej, ef = jday(y, mo, d, h, mi, s)
        sat = min(sats.items(), key=lambda kv: abs(kv[0] - (ej + ef) * 86400))[1]
        e, r, v = sat.sgp4(jd, fr)
        assert e == 0
        ours = np.array([float(row["x_km"]), float(row["y_km"]), float(row["z_km"])])
        assert np.linalg.norm(ours - r) < 1e-5  # 1 cm: printed set epoch rounds to 1 ms
        assert float(row["set_age_days"]) < 1.0 and row["stale"] == "False"


def test_geodetic_and_stale_flag(db, capsys):
    rc, out, _ = run(capsys, "propagate", "25544", "--start", "2021-11-15T00:00:00Z",
                     "--stop", "2021-11-15T01:30:00Z", "--step", "300", "--db", db,
                     "--frame", "geodetic", "--format", "json")
    doc = json.loads(out)
    assert rc == 0 and doc["frame"] == "WGS84"
    alts = [s["alt_km"] for s in doc["states"]]
    assert 400 < min(alts) and max(alts) < 440
    assert max(abs(s["lat_deg"]) for s in doc["states"]) < 51.7
    rc, out, _ = run(capsys, "propagate", "25544", "--start", "2023-01-01T00:00:00Z",
                     "--stop", "2023-01-01T00:00:00Z", "--db", db, "--format", "json")
    (state,) = json.loads(out)["states"]
    assert state["stale"] is True and state["set_age_days"] > 300


@pytest.mark.parametrize("args,message", [
    (["99999", "--start", "2021-01-01", "--stop", "2021-01-02"], "no element sets for 99999"),
    (["25544", "--start", "2021-01-02", "--stop", "2021-01-01"], "--stop is before --start"),
    (["25544", "--start", "yesterday", "--stop", "2021-01-01"], "not an ISO 8601 time"),
    (["25544", "--start", "2021-01-01", "--stop", "2021-01-02", "--step", "0"], "positive"),
])
def test_bad_requests(db, capsys, args, message):
    rc, out, err = run(capsys, "propagate", *args, "--db", db)
    assert rc == 1 and message in err and out == ""
