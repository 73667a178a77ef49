"""``orbwatch demo``: the main job end to end on a planted scenario."""

from __future__ import annotations

import json

from orbwatch.cli.app import main


def test_demo_finds_the_planted_events(tmp_path, capsys):
    out = tmp_path / "demo"
    rc = main(["demo", "--out", str(out), "--days", "12", "--background-size", "60",
               "--format", "json"])
    stdout, err = capsys.readouterr()
    assert rc == 0, err
    doc = json.loads(stdout)
    rows = doc["planted"]
    kinds = {r["kind"] for r in rows}
    assert {"maneuver", "proximity", "release", "breakup", "conjunction"} <= kinds
    found = {k: [r["found"] for r in rows if r["kind"] == k] for k in kinds}
    # the planted conjunction, the inspector's parking and the release are found
    assert all(found["conjunction"]) and all(found["release"])
    assert any(found["proximity"]) and all(found["breakup"])
    assert sum(found["maneuver"]) >= 1  # the manoeuvre detector is the weak part (issue 4)
    assert doc["stats"]["found"] >= 0.6 * doc["stats"]["planted_events"]
    # the code of conduct finds the planted interception and the foreign approaches
    assert doc["stats"]["breaches"] >= 3
    findings = json.loads((out / "findings.json").read_text())
    rules = {f["rule_id"] for f in findings if f["verdict"] == "breach"}
    assert {"no-destructive-asat-test", "no-unnotified-close-approach"} <= rules
    for name in ("events.json", "score.json", "findings.json", "demo.db",
                 "scenario/truth.json", "report/index.html", "report/report.json"):
        assert (out / name).exists()
    events = json.loads((out / "events.json").read_text())
    assert events and all(e["schema"] == "orbwatch.event/1" for e in events)
