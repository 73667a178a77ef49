"""The monitor: incremental, idempotent, resumable after SIGKILL, one run at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from sqlalchemy import create_engine, inspect

from conftest import fresh_pg_schema
from orbwatch.cli.app import main
from orbwatch.elements.readers import read_path
from orbwatch.monitor import (
    MonitorBusyError,
    MonitorState,
    RunLock,
    identity,
    lock_path,
    run_monitor,
)
from orbwatch.monitor.state import diff
from orbwatch.store import Store, ingest_path
from orbwatch.store.schema import element_sets, ingest_batches, meta, metadata, objects

_DAY = 86_400_000_000


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The release scenario (carrier 25 km behind a foreign satellite, an
    object released) over a small background, 6 days."""
    from orbwatch.scenario import DEFAULT_START_US, build_scenario

    out = tmp_path_factory.mktemp("scen")
    scen = build_scenario("release", out, start_us=DEFAULT_START_US, days=6, seed=1,
                          background_size=12)
    return scen, read_path(scen.paths["elements"]).sets


def _store(tmp_path, scen, sets, upto_us=None):
    store = Store(tmp_path / "m.db")
    part = [s for s in sets if upto_us is None or s.epoch_us < upto_us]
    store.write_batch(part, source="part-1", fmt="omm")
    ingest_path(store, scen.paths["satcat"])
    return store


def _no_duplicates(events):
    keys = Counter((e.kind, identity(e), e.epoch_us // 1_000_000) for e in events)
    assert max(keys.values()) == 1


def test_incremental_runs_update_events_without_duplicates(tmp_path, scenario):
    scen, sets = scenario
    release = next(t for t in scen.truth_events if t.kind == "release")
    t_mid = release.epoch_us + 2 * _DAY  # the released object is catalogued by then
    store = _store(tmp_path, scen, sets, upto_us=t_mid)
    first = run_monitor(store, tmp_path / "rep", regimes=("leo",))
    assert first.status == "finished" and first.run_ids == [1]
    state = MonitorState(store)
    kinds = {e.kind for e in state.events()}
    assert {"proximity", "release"} <= kinds
    n_first = first.events
    # the rest of the history arrives: events seen before are updated, not added again
    store.write_batch([s for s in sets if s.epoch_us >= t_mid], source="part-2", fmt="omm")
    second = run_monitor(store, tmp_path / "rep", regimes=("leo",))
    assert second.run_ids == [2] and not second.resumed
    assert second.changes[0]["from_set_id"] == first.changes[0]["to_set_id"]
    events = state.events()
    _no_duplicates(events)
    prox = [e for e in events if e.kind == "proximity" and set(e.objects) == {99011, 99012}]
    assert len(prox) == 1  # one proximity operation, now covering both parts
    assert second.updated_events >= 1
    changed = state.event_changes()
    assert changed and all(c["run_id"] == 2 and c["changes"] for c in changed)
    assert second.events >= n_first
    # nothing new: nothing done, and it says so
    third = run_monitor(store, tmp_path / "rep", regimes=("leo",))
    assert third.status == "nothing-new" and third.run_ids == []
    assert "nothing new" in third.message
    assert len(state.runs()) == 2 and third.events == second.events
    # findings carry parties, evidence events and numbers
    findings = state.findings()
    assert any(f["rule_id"] == "no-unnotified-close-approach" and f["verdict"] == "breach"
               for f in findings)
    for f in findings:
        assert f["events"] and f["parties"]
        assert f["verdict"] != "breach" or f["measured"]
    doc = json.loads((tmp_path / "rep" / "monitor.json").read_text())
    assert [r["status"] for r in doc["runs"]] == ["finished", "finished"]


def test_diff_records_what_changed():
    old = {"epoch": "a", "metrics": {"miss_km": 1.0, "n": 3}, "objects": [1, 2]}
    new = {"epoch": "b", "metrics": {"miss_km": 1.5, "n": 3}, "objects": [1, 2, 3]}
    assert diff(old, new) == {"epoch": ["a", "b"], "objects": [2, 3],
                              "metrics.miss_km": [1.0, 1.5]}
    assert diff(old, old) == {}


_KILLER = textwrap.dedent("""
    import os, signal, sys
    from orbwatch.monitor import run_monitor
    from orbwatch.store import Store

    def progress(text):
        if text.endswith(": proximity"):   # maneuvers and conjunctions are recorded
            os.kill(os.getpid(), signal.SIGKILL)

    run_monitor(Store(sys.argv[1]), sys.argv[2], regimes=("leo",), progress=progress)
""")


def test_a_run_killed_midway_is_resumed(tmp_path, scenario):
    scen, sets = scenario
    store = _store(tmp_path, scen, sets)
    store.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(tmp_path / "m.db"),
                           str(tmp_path / "rep")], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    store = Store(tmp_path / "m.db")
    state = MonitorState(store)
    run = state.last_run()
    assert run["status"] == "running" and run["steps"] == ["maneuvers", "conjunctions"]
    said = []
    res = run_monitor(store, tmp_path / "rep", regimes=("leo",), progress=said.append)
    assert res.resumed and res.run_ids == [1]
    assert not any(s.endswith(": conjunctions") for s in said)  # not redone
    assert any(s.endswith(": proximity") for s in said)
    assert state.last_run()["status"] == "finished"
    # the same events as a run never interrupted
    clean = Store(tmp_path / "clean.db")
    clean.write_batch(sets, source="part-1", fmt="omm")
    ingest_path(clean, scen.paths["satcat"])
    run_monitor(clean, tmp_path / "rep2", regimes=("leo",))
    assert sorted(e.id for e in state.events()) == \
        sorted(e.id for e in MonitorState(clean).events())
    assert (tmp_path / "rep" / "index.html").exists()


def test_a_second_run_while_one_works_exits_with_a_message(tmp_path, scenario, capsys):
    scen, sets = scenario
    store = _store(tmp_path, scen, sets[:50])
    with RunLock(lock_path(store, tmp_path / "rep")):
        with pytest.raises(MonitorBusyError, match="another monitor run"):
            run_monitor(store, tmp_path / "rep")
        rc = main(["watch", "--db", str(tmp_path / "m.db"), "--out", str(tmp_path / "rep")])
        assert rc == 1
        assert "MonitorBusyError: another monitor run is working" in capsys.readouterr().err
    assert MonitorState(store).runs() == []  # neither did anything


def test_old_databases_gain_the_monitor_tables(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    old = [meta, ingest_batches, objects, element_sets]
    metadata.create_all(engine, tables=old)
    assert "monitor_runs" not in inspect(engine).get_table_names()
    engine.dispose()
    Store(path).close()
    engine = create_engine(f"sqlite:///{path}")
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"monitor_runs", "monitor_events", "monitor_event_changes",
            "monitor_findings"} <= names


def test_watch_cli_summary_and_bad_input(tmp_path, scenario, capsys):
    scen, sets = scenario
    _store(tmp_path, scen, sets).close()
    args = ["watch", "--db", str(tmp_path / "m.db"), "--out", str(tmp_path / "rep"),
            "--regime", "leo"]
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "finished" and doc["new_events"].get("proximity", 0) >= 1
    assert doc["findings"].get("breach", 0) >= 1 and doc["report"].endswith("index.html")
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "nothing new" in captured.err and "events stored in all" in captured.out
    assert main([*args, "--since", "yesterday"]) == 1
    assert "not an ISO 8601 time" in capsys.readouterr().err
    assert main([*args[:-1], "mars"]) == 1
    assert "unknown regime" in capsys.readouterr().err


def test_a_manoeuvre_not_found_again_is_retracted_and_can_come_back(tmp_path):
    from orbwatch.events import Event

    store = Store(tmp_path / "r.db")
    state = MonitorState(store)
    day = 86_400_000_000
    t0 = 1_700_000_000_000_000

    def burn(t, dv=0.1):
        return Event(kind="maneuver", objects=(42,), epoch_us=t, metrics={"delta_v_mps": dv})

    covered = {("maneuver", "42"): (t0, t0 + 20 * day)}
    r1 = state.start_run(from_set_id=0, to_set_id=1, to_batch_id=1, since_us=None,
                         settings_sha256="x")
    rep = state.upsert_events(r1, [burn(t0 + 5 * day), burn(t0 + 12 * day)], "maneuvers", covered)
    assert (rep.added, rep.retracted) == (2, 0)
    # run 2 re-examines the span and finds only the second burn; a burn of another
    # object and one outside the covered span are not touched
    r2 = state.start_run(from_set_id=1, to_set_id=2, to_batch_id=2, since_us=None,
                         settings_sha256="x")
    state.upsert_events(r2, [Event(kind="maneuver", objects=(7,), epoch_us=t0)], "maneuvers")
    state.upsert_events(r2, [burn(t0 + 30 * day)], "maneuvers")
    rep = state.upsert_events(r2, [burn(t0 + 12 * day)], "maneuvers", covered)
    assert (rep.added, rep.unchanged, rep.retracted) == (0, 1, 1)
    live = {(e.objects[0], e.epoch_us) for e in state.events()}
    assert live == {(42, t0 + 12 * day), (7, t0), (42, t0 + 30 * day)}
    gone = state.events(retracted=True)
    assert [e.epoch_us for e in gone] == [t0 + 5 * day]
    assert gone[0].evidence["retracted"]["run"] == r2
    assert any(c["changes"].get("retracted") == [False, True] for c in state.event_changes())
    # retracting again changes nothing; detecting it again brings it back
    assert state.upsert_events(r2, [burn(t0 + 12 * day)], "maneuvers", covered).retracted == 0
    r3 = state.start_run(from_set_id=2, to_set_id=3, to_batch_id=3, since_us=None,
                         settings_sha256="x")
    rep = state.upsert_events(r3, [burn(t0 + 5 * day), burn(t0 + 12 * day)], "maneuvers",
                              covered)
    assert (rep.updated, rep.retracted) == (1, 0)
    assert state.events(retracted=True) == []
    assert len(state.events()) == 4


@pytest.fixture
def pg_store_url(postgres_url):
    """A fresh schema of the test PostgreSQL for a monitor store (dropped after)."""
    with fresh_pg_schema(postgres_url, "mon") as url:
        yield url


def test_monitors_on_one_postgresql_database_exclude_each_other(tmp_path, scenario, pg_store_url):
    """Two monitors with different report folders (as on two machines) against one
    PostgreSQL store: the advisory lock lets one run; it is gone when its holder's
    connection ends, and the next run works."""
    from orbwatch.monitor import PgRunLock, run_lock

    scen, sets = scenario
    store, other = Store(pg_store_url), Store(pg_store_url)
    try:
        store.write_batch(sets[:60], source="part-1", fmt="omm")
        assert isinstance(run_lock(store, tmp_path / "a"), PgRunLock)
        with run_lock(other, tmp_path / "elsewhere"):
            with pytest.raises(MonitorBusyError, match="advisory lock .* held by server pid"):
                run_monitor(store, tmp_path / "a", figures="none")
        assert MonitorState(store).runs() == []
        res = run_monitor(store, tmp_path / "a", figures="none")
        assert res.status == "finished" and len(MonitorState(store).runs()) == 1
    finally:
        store.engine.dispose()
        other.engine.dispose()
