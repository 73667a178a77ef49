"""``orbwatch demo``: the main job end to end on a planted scenario, through the monitor."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from orbwatch.cli.app import main
from orbwatch.demo import UNPLANTED_CONFIDENCE


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo"
    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        rc = main(["demo", "--out", str(out), "--days", "12", "--background-size", "60",
                   "--format", "json"])
    assert rc == 0, err.getvalue()[-2000:]
    return out, json.loads(buf.getvalue())


def test_demo_finds_the_planted_events_and_raises_the_right_findings(demo):
    out, doc = demo
    rows = doc["planted"]
    kinds = {r["kind"] for r in rows}
    assert {"maneuver", "proximity", "release", "breakup", "conjunction"} <= kinds
    for r in rows:
        assert r["found"], r
        assert r["right_finding"], r
    assert any(r["found"] for r in rows if r["kind"] == "maneuver")
    assert doc["stats"]["breaches"] >= 3
    # nothing unplanted is a confident breach
    assert doc["stats"]["unplanted_breaches_confident"] == 0
    assert (doc["stats"]["unplanted_max_confidence"] or 0) < UNPLANTED_CONFIDENCE
    findings = json.loads((out / "findings.json").read_text())
    rules = {f["rule_id"] for f in findings if f["verdict"] == "breach"}
    assert {"no-destructive-asat-test", "no-unnotified-close-approach",
            "no-release-near-foreign-satellite"} <= rules
    for name in ("events.json", "score.json", "findings.json", "demo.db",
                 "scenario/truth.json", "report/index.html", "report/report.json",
                 "report/monitor.json"):
        assert (out / name).exists()
    events = json.loads((out / "events.json").read_text())
    assert events and all(e["schema"] == "orbwatch.event/1" for e in events)
    # the breakup page carries the debris what-if curves
    report = json.loads((out / "report" / "report.json").read_text())
    breakups = [e for e in report["events"] if e["kind"] == "breakup"]
    assert breakups and all(e["whatif_figure"]["drawn"] for e in breakups)


def test_demo_finds_every_planted_manoeuvre(demo):
    _out, doc = demo
    missed = [r for r in doc["planted"] if r["kind"] == "maneuver" and not r["found"]]
    assert missed == []


def test_watching_the_demo_again_does_nothing(demo, capsys):
    out, _doc = demo
    rc = main(["watch", "--db", str(out / "demo.db"), "--out", str(out / "report"),
               "--format", "json"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    assert res["status"] == "nothing-new" and res["runs"] == []
