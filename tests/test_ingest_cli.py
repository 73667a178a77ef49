"""The ``orbwatch`` commands as a user runs them: exit codes, JSON on stdout
only, one-line errors, idempotent re-ingest across formats."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from orbwatch.cli.app import main
from orbwatch.elements.omm import write_omm_csv, write_omm_json, write_omm_kvn, write_omm_xml
from orbwatch.elements.tle import read_tle
from orbwatch.store import Store

ISS = "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt"


def run(capsys, *args) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_ingest_reports_counts_as_json(tmp_path, shared_data, capsys):
    db = tmp_path / "o.db"
    rc, out, err = run(capsys, "ingest", "--db", db, "--format", "json", shared_data / ISS)
    assert rc == 0
    (rep,) = json.loads(out)  # stdout holds nothing but the JSON document
    assert rep["added"] == 2096 - rep["present"] and rep["rejected"] == 0
    assert "committed" in err
    rc, out, _ = run(capsys, "ingest", "--db", db, "--format", "json", shared_data / ISS)
    (rep2,) = json.loads(out)
    assert rep2["added"] == 0 and rep2["present"] == rep["added"] + rep["present"]


def test_same_sets_as_tle_and_as_omm_change_nothing(tmp_path, shared_data, capsys):
    """Idempotency digest: the ISS history as 3LE, then as OMM in all four
    encodings, then the TLE file shuffled, leaves the database as it was."""
    db = tmp_path / "o.db"
    text = (shared_data / ISS).read_text()
    assert run(capsys, "ingest", "--db", db, shared_data / ISS)[0] == 0
    digest = Store(db).digest()
    sets = read_tle(text).sets
    for name, writer in (("iss.json", write_omm_json), ("iss.csv", write_omm_csv),
                         ("iss.xml", write_omm_xml), ("iss.kvn", write_omm_kvn)):
        (tmp_path / name).write_text(writer(sets))
    lines = text.splitlines()
    recs = [lines[i:i + 3] for i in range(0, len(lines), 3)]
    random.Random(7).shuffle(recs)
    (tmp_path / "shuffled.tle").write_text("\n".join(x for r in recs for x in r) + "\n")
    gz = tmp_path / "iss.tle.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    files = [tmp_path / n for n in ("iss.json", "iss.csv", "iss.xml", "iss.kvn",
                                    "shuffled.tle", "iss.tle.gz")]
    rc, out, _ = run(capsys, "ingest", "--db", db, "--format", "json", *files)
    assert rc == 0
    assert all(r["added"] == 0 and r["rejected"] == 0 for r in json.loads(out))
    assert Store(db).digest() == digest


def test_bad_file_exits_1_with_one_line(tmp_path, capsys):
    bad = tmp_path / "junk.txt"
    bad.write_text("this is not orbital data\n")
    rc, out, err = run(capsys, "ingest", "--db", tmp_path / "o.db", "--format", "json", bad)
    assert rc == 1
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("orbwatch: UserError: nothing could be read")


def test_missing_file_exits_1(tmp_path, capsys):
    rc, _, err = run(capsys, "ingest", "--db", tmp_path / "o.db", tmp_path / "nope.tle")
    assert rc == 1 and "no such file" in err and "Traceback" not in err


def test_strict_writes_nothing(tmp_path, shared_data, capsys):
    lines = (shared_data / ISS).read_text().splitlines()
    lines[1] = lines[1][:68] + str((int(lines[1][68]) + 3) % 10)
    f = tmp_path / "bad.tle"
    f.write_text("\n".join(lines))
    db = tmp_path / "o.db"
    rc, _, err = run(capsys, "ingest", "--db", db, "--strict", f)
    assert rc == 1 and "ChecksumError" in err and "--strict: nothing written" in err
    assert Store(db).counts()["element_sets"] == 0
    rc, _, _ = run(capsys, "ingest", "--db", db, "--no-checksum", f)
    assert rc == 0 and Store(db).counts()["element_sets"] > 2000


def test_objects_history_doctor(tmp_path, shared_data, capsys):
    db = tmp_path / "o.db"
    run(capsys, "ingest", "--db", db, shared_data / ISS,
        shared_data / "sgp4_verification/sample_omm.json")
    rc, out, _ = run(capsys, "objects", "--db", db, "--format", "json")
    objs = {o["norad"]: o for o in json.loads(out)}
    assert rc == 0 and objs[25544]["name"] == "ISS (ZARYA)" and objs[5]["element_sets"] == 1
    rc, out, _ = run(capsys, "history", "25544", "--db", db, "--format", "csv")
    rows = out.strip().splitlines()
    assert rc == 0 and rows[0].startswith("norad,epoch,") and len(rows) > 2000
    assert rows[1].split(",")[1].endswith("Z")
    rc, out, _ = run(capsys, "doctor", "--db", db, "--format", "json")
    info = json.loads(out)
    assert rc == 0 and info["integrity"] == "ok" and info["objects"] == 2
    assert info["sgp4_accelerated"] is True


def test_history_of_unknown_object(tmp_path, shared_data, capsys):
    db = tmp_path / "o.db"
    run(capsys, "ingest", "--db", db, shared_data / ISS)
    rc, _, err = run(capsys, "history", "99999", "--db", db)
    assert rc == 1 and "no element sets for 99999" in err


def test_query_without_database(tmp_path, capsys):
    rc, _, err = run(capsys, "objects", "--db", tmp_path / "missing.db")
    assert rc == 1 and "no database at" in err


@pytest.mark.parametrize("args", [["objects", "--bogus"], ["history", "not-a-number"]])
def test_usage_errors_are_one_line(tmp_path, capsys, args):
    rc, _, err = run(capsys, *args, "--db", tmp_path / "x.db")
    assert rc == 1 and len(err.strip().splitlines()) == 1
