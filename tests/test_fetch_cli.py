"""``orbwatch fetch`` end to end against a local imitation of CelesTrak and
Space-Track (127.0.0.1), through the real request code, into the database."""

from __future__ import annotations

import json

from orbwatch.cli.app import main
from orbwatch.store import Store
from sources_fixtures.server import IDENTITY, PASSWORD


def run(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_fetch_celestrak_group_ingests_omm(tmp_path, fake, capsys):
    db = tmp_path / "o.db"
    args = ["fetch", "celestrak", "--group", "stations", "--base-url", fake.url, "--db", db,
            "--cache-dir", tmp_path / "cache", "--format", "json"]
    rc, out, err = run(capsys, *args)
    assert rc == 0, err
    (row,) = json.loads(out)
    assert row["format"] == "omm-json" and row["added"] > 0 and row["rejected"] == 0
    assert [h.params for h in fake.hits("/NORAD")] == [{"GROUP": "stations", "FORMAT": "json"}]
    n = Store(db).counts()["element_sets"]
    # second run: answered from the cache, nothing new in the database
    hits = len(fake.hits("/NORAD"))
    rc, out, _ = run(capsys, *args)
    (row,) = json.loads(out)
    assert rc == 0 and row["from_cache"] and row["added"] == 0
    assert len(fake.hits("/NORAD")) == hits and Store(db).counts()["element_sets"] == n


def test_fetch_spacetrack_history_with_env_credentials(tmp_path, fake, capsys, monkeypatch):
    monkeypatch.setenv("SPACETRACK_IDENTITY", IDENTITY)
    monkeypatch.setenv("SPACETRACK_PASSWORD", PASSWORD)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    db = tmp_path / "o.db"
    rc, out, err = run(capsys, "fetch", "spacetrack", "--norad", "25544", "--history",
                       "--start", "2021-01-01", "--end", "2021-02-01", "--base-url", fake.url,
                       "--db", db, "--cache-dir", tmp_path / "cache", "--format", "json")
    assert rc == 0, err
    (row,) = json.loads(out)
    assert row["added"] > 0 and PASSWORD not in out + err
    assert fake.hits("/ajaxauth/login")
    (query,) = fake.hits("/basicspacedata")
    assert "/class/gp_history/NORAD_CAT_ID/25544/EPOCH/2021-01-01--2021-02-01" in query.raw_path
    assert Store(db).history(25544)


def test_fetch_spacetrack_bad_password_is_one_line(tmp_path, fake, capsys, monkeypatch):
    monkeypatch.setenv("SPACETRACK_IDENTITY", IDENTITY)
    monkeypatch.setenv("SPACETRACK_PASSWORD", "wrong-password")
    rc, _, err = run(capsys, "fetch", "spacetrack", "--norad", "25544", "--base-url", fake.url,
                     "--db", tmp_path / "o.db", "--cache-dir", tmp_path / "cache")
    assert rc == 1 and "AuthenticationError" in err and "wrong-password" not in err
    assert "Traceback" not in err


def test_fetch_needs_exactly_one_query(tmp_path, capsys):
    rc, _, err = run(capsys, "fetch", "celestrak", "--db", tmp_path / "o.db")
    assert rc == 1 and "exactly one of" in err
