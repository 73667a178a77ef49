"""The code-of-conduct engine: rules as data, attribution, notifications, findings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from orbwatch.events import Event
from orbwatch.norms import (
    Attribution,
    CodeError,
    NotificationError,
    default_code,
    judge,
    load_code,
    parse_notifications,
)
from orbwatch.time import parse_iso

DAY = 86_400_000_000
T0 = parse_iso("2023-04-15T00:00:00Z")


def row(norad, owner, kind="payload", intldes=None, name=None):
    return {"norad": norad, "owner": owner, "object_type": kind, "intldes": intldes,
            "name": name or f"OBJ {norad}"}


OBJECTS = [row(10, "RED", intldes="2022-001A"), row(11, "RED", "unknown", "2022-001B"),
           row(20, "BLU", intldes="2022-002A"), row(21, "RED", intldes="2022-003A"),
           row(30, "GRN", intldes="2022-004A"), row(40, "BLU", "debris", "2019-010C"),
           row(100, "PRC", intldes="2007-001A"),
           *[row(n, None, "debris", f"2007-001{c}") for n, c in ((101, "B"), (102, "C"))],
           row(200, "ISS", intldes="1998-067A"), row(201, "CIS", intldes="2023-010A"),
           row(300, "TBD", intldes="2023-020A")]


def ev(kind, objects, t=T0, metrics=None, start=None, end=None, **kw):
    return Event(kind=kind, objects=tuple(objects), epoch_us=t, start_us=start, end_us=end,
                 metrics=metrics or {}, **kw)


def prox(a, b, min_km, t=T0, max_km=None):
    m = {"min_range_km": min_km, "max_range_km": max_km or min_km * 1.5}
    return ev("proximity", (a, b), t, m, start=t - 2 * DAY, end=t + 2 * DAY)


def findings(events, rule=None, objects=OBJECTS, notes=None, **kw):
    out = judge(events, objects, default_code(), notes, **kw)
    return [f for f in out if rule is None or f.rule_id == rule]


def notice(party, kind, objects, start, end, **extra):
    return parse_notifications([{"party": party, "type": kind, "objects": objects,
                                 "start": start, "end": end, **extra}])


# ----------------------------------------------------------------- default code
def test_default_code_rules_cite_sources():
    code = default_code()
    ids = {r.id for r in code.rules}
    assert ids == {"no-destructive-asat-test", "no-unnotified-close-approach",
                   "no-release-near-foreign-satellite",
                   "notify-maneuvers-creating-close-approaches",
                   "act-on-high-probability-conjunctions", "post-mission-disposal"}
    assert "77/41" in code.rule("no-destructive-asat-test").source
    assert all(len(r.source) > 20 and r.params for r in code.rules)


ASAT = "no-destructive-asat-test"


def test_asat_rule_fires_on_interception_not_on_explosion():
    hit = ev("breakup", (100, 101, 102), metrics={"fragments": 120,
                                                  "classification": "interception"})
    (f,) = findings([hit], ASAT)
    assert f.verdict == "breach" and f.parties == ["PRC"] and f.severity == "critical"
    assert f.measured["fragments"] == 120 and "77/41" in f.source and f.notified is None
    assert f.to_dict()["schema"] == "orbwatch.finding/1"
    json.dumps(f.to_dict())
    boom = ev("breakup", (100, 101, 102), metrics={"fragments": 120,
                                                   "classification": "explosion"})
    assert findings([boom], ASAT) == []
    few = ev("breakup", (100, 101), metrics={"fragments": 3, "classification": "interception"})
    assert findings([few], ASAT) == []


def test_asat_undetermined_cause_and_fragment_only_cloud():
    # fragments only, no parent in the event: the parent from the launch designator
    cloud = ev("breakup", (101, 102), metrics={"fragments": 80,
                                               "classification": "undetermined"})
    (f,) = findings([cloud], ASAT)
    assert f.verdict == "undetermined" and f.parties == ["PRC"]
    assert any("undetermined" in c for c in f.cannot_show)
    assert f.confidence == 0.5 and f.text.startswith("[undetermined]")


PROX = "no-unnotified-close-approach"


def test_proximity_rule_and_near_misses():
    (f,) = findings([prox(10, 20, 5.0)], PROX)
    assert f.verdict == "breach" and f.parties == ["RED"] and f.affected == ["BLU"]
    assert f.notified is False and f.measured["min_range_km"] == 5.0
    assert any("consent" in c for c in f.cannot_show)
    assert findings([prox(10, 21, 5.0)], PROX) == []  # same owner
    assert findings([prox(10, 20, 80.0)], PROX) == []  # beyond the safe distance
    # the range's error bar (from the objects' own histories) is stated, not hidden
    assert not any("1 sigma" in c for c in f.cannot_show)  # none given: none stated
    sure = dataclasses.replace(prox(10, 20, 48.7), uncertainty={"min_range_km": 0.4})
    (g,) = findings([sure], PROX)
    assert g.verdict == "breach"
    assert "min_range_km = 48.7 +- 0.4 (1 sigma, the event's own error bar)" in g.cannot_show
    # within 2 sigma of the safe distance, on either side: the data cannot tell
    for km in (48.7, 51.0):
        noisy = dataclasses.replace(prox(10, 20, km), uncertainty={"min_range_km": 2.4})
        (u,) = findings([noisy], PROX)
        assert u.verdict == "undetermined" and u.text.startswith("[undetermined]")
        assert any(f"min_range_km = {km:g} +- 2.4 (1 sigma) is within 2 sigma of 50" in c
                   for c in u.cannot_show), u.cannot_show
        assert sum("+- 2.4" in c for c in u.cannot_show) == 1  # said once, with the reason
        assert u.confidence == pytest.approx(0.5 * g.confidence)
    clear = dataclasses.replace(prox(10, 20, 45.0), uncertainty={"min_range_km": 2.4})
    assert findings([clear], PROX)[0].verdict == "breach"
    far = dataclasses.replace(prox(10, 20, 56.0), uncertainty={"min_range_km": 2.4})
    assert findings([far], PROX) == []


def test_notification_changes_the_judgement():
    window = ("2023-04-14T00:00:00Z", "2023-04-16T00:00:00Z")
    assert findings([prox(10, 20, 5.0)], PROX, notes=notice("RED", "proximity", [10, 20],
                                                           *window)) == []
    late = notice("RED", "proximity", [10, 20], *window, issued="2023-04-14T12:00:00Z")
    (f,) = findings([prox(10, 20, 5.0)], PROX, notes=late)
    assert f.notified is False and any("issued after" in n for n in f.notifications)
    closer = notice("RED", "proximity", [10, 20], *window, min_distance_km=40.0)
    (f,) = findings([prox(10, 20, 5.0)], PROX, notes=closer)
    assert any("below the declared" in n for n in f.notifications)
    other = notice("BLU", "proximity", [10, 20], *window)
    assert len(findings([prox(10, 20, 5.0)], PROX, notes=other)) == 1
    elsewhere = notice("RED", "proximity", [10, 20], "2023-05-01T00:00:00Z",
                       "2023-05-02T00:00:00Z", signature="ed25519:abc")  # accepted, unchecked
    assert len(findings([prox(10, 20, 5.0)], PROX, notes=elsewhere)) == 1


REL = "no-release-near-foreign-satellite"


def test_release_rule_uses_a_spanning_foreign_proximity():
    rel = ev("release", (10, 11), T0 + DAY // 2, {"dv_kms": 0.2})
    (f,) = findings([rel, prox(10, 20, 20.0, max_km=30.0)], REL)
    assert f.verdict == "breach" and f.affected == ["BLU"] and f.measured["foreign_range_km"] == 30
    assert len(f.events) == 2
    assert findings([rel, prox(10, 20, 20.0, max_km=80.0)], REL) == []
    (u,) = findings([rel], REL)  # nothing says where the foreign satellites were
    assert u.verdict == "undetermined"


MAN = "notify-maneuvers-creating-close-approaches"


def test_maneuver_notification_rule():
    burn = ev("maneuver", (10,), T0, {"delta_v_mps": 3.0}, start=T0 - 3_600_000_000,
              end=T0 + 3_600_000_000)
    conj = ev("conjunction", (10, 20), T0 + 2 * DAY, {"miss_km": 1.0, "pc": 1e-6})
    (f,) = findings([burn, conj], MAN)
    assert f.verdict == "breach" and f.affected == ["BLU"] and f.measured["closest_approach_km"] == 1
    late_conj = ev("conjunction", (10, 20), T0 + 9 * DAY, {"miss_km": 1.0, "pc": 1e-6})
    assert findings([burn, late_conj], MAN) == []
    ok = notice("RED", "maneuver", [10], "2023-04-14T20:00:00Z", "2023-04-15T06:00:00Z",
                delta_v_mps=2.5)
    assert findings([burn, conj], MAN, notes=ok) == []
    small = notice("RED", "maneuver", [10], "2023-04-14T20:00:00Z", "2023-04-15T06:00:00Z",
                   delta_v_mps=1.0)
    (f,) = findings([burn, conj], MAN, notes=small)
    assert any("above the declared" in n for n in f.notifications)


CONJ = "act-on-high-probability-conjunctions"


def test_conjunction_with_own_fragments_at_the_breakup_is_not_a_finding():
    """A satellite and its own debris at the moment it breaks up: nothing to act on."""
    breakup = ev("breakup", (100, 101, 102), metrics={"fragments": 120,
                                                       "classification": "explosion"})
    conj = ev("conjunction", (100, 101), T0, {"miss_km": 0.01, "pc": 0.5})
    seen = ev("maneuver", (100,), T0 - 10 * DAY, {"delta_v_mps": 0.5})
    assert findings([breakup, conj, seen], CONJ) == []
    assert findings([conj, seen], CONJ)  # without the breakup it is an ordinary conjunction


def test_conjunction_rule_capable_payload_without_avoidance():
    conj = ev("conjunction", (30, 40), T0, {"miss_km": 0.1, "pc": 1e-3})
    seen = ev("maneuver", (30,), T0 - 10 * DAY, {"delta_v_mps": 0.5})
    (f,) = findings([conj, seen], CONJ)
    assert f.verdict == "breach" and f.parties == ["GRN"]  # the one able to manoeuvre
    low = ev("conjunction", (30, 40), T0, {"miss_km": 0.9, "pc": 1e-5})
    assert findings([low, seen], CONJ) == []
    avoid = ev("maneuver", (30,), T0 - DAY // 2, {"delta_v_mps": 0.5})
    assert findings([conj, seen, avoid], CONJ) == []
    (u,) = findings([conj], CONJ)  # never seen manoeuvring: cannot say it could
    assert u.verdict == "undetermined" and any("can manoeuvre" in c for c in u.cannot_show)
    debris_only = ev("conjunction", (40, 101), T0, {"miss_km": 0.1, "pc": 1e-3})
    assert findings([debris_only], CONJ) == []


def test_disposal_rule_over_a_lifetime_metric():
    rule = "post-mission-disposal"
    (f,) = findings([ev("launch", (10,), metrics={"lifetime_years": 40.0})], rule)
    assert f.verdict == "breach" and f.parties == ["RED"]
    assert findings([ev("launch", (10,), metrics={"lifetime_years": 10.0})], rule) == []
    (u,) = findings([ev("launch", (10,))], rule)
    assert u.verdict == "undetermined" and any("lifetime_years" in c for c in u.cannot_show)


# ----------------------------------------------------------------- attribution
def test_attribution_joint_unknown_and_debris_parent():
    att = Attribution(OBJECTS)
    assert att.of(200).parties == ("US", "CIS", "ESA", "JPN", "CA")
    assert Attribution(OBJECTS, split_joint=False).of(200).parties == ("ISS",)
    unknown = att.of(300)
    assert not unknown.known and unknown.parties == ("unattributed",)
    assert any("owner of 300 unknown" in c for c in unknown.caveats)
    assert not att.of(999).known
    frag = att.of(101)  # owner missing, parent by launch designator
    assert frag.parties == ("PRC",) and "parent 100" in frag.basis
    att.add_parent(40, 30)  # a breakup event names the parent
    assert att.of(40).parties == ("GRN",)
    assert any("differs" in c for c in att.of(40).caveats)


def test_joint_owner_members_are_not_foreign_to_each_other():
    docked = prox(201, 200, 0.05)
    assert findings([docked], PROX) == []  # CIS is an ISS partner
    (f,) = findings([docked], PROX, split_joint=False)
    assert f.affected == ["ISS"]
    (u,) = findings([prox(300, 20, 1.0)], PROX)  # unknown owner: undetermined
    assert u.verdict == "undetermined" and u.parties == ["unattributed"]
    assert any("owner of 300 unknown" in c for c in u.cannot_show)


def test_owners_from_event_evidence_when_no_catalogue():
    p = ev("proximity", (1, 2), metrics={"min_range_km": 3.0},
           evidence={"owners": ["RED", "BLU"], "names": ["A", "B"]})
    (f,) = findings([p], PROX, objects=[])
    assert f.parties == ["RED"] and "event evidence" in f.attribution[0]["basis"]


# ----------------------------------------------------------------- bad files
GOOD = """
[[rules]]
id = "r1"
title = "t"
source = "s"
applies_to = ["proximity"]
severity = "high"
finding = "{subject} at {min_range_km:.1f} km"
params = { d = 5 }
condition = { all = [{ metric = "min_range_km", op = "<", value = "$d" }, { owners_differ = true }] }
"""


@pytest.mark.parametrize("old,new,field", [
    ('op = "<"', 'op = "=~"', "condition.all[0].op"),
    ("owners_differ = true", "owner_differs = true", "condition.all[1].owner_differs"),
    ('value = "$d"', 'value = "$dist"', "condition.all[0].value"),
    ('value = "$d"', 'value = "near"', "condition.all[0].value"),
    ('owners_differ = true', 'owners_differ = "yes"', "condition.all[1].owners_differ.value"),
    ('["proximity"]', '["rendezvous"]', "applies_to"),
    ('severity = "high"', 'severity = "grave"', "severity"),
    ('source = "s"\n', "", "source"),
    ('{min_range_km:.1f}', '{min_range_km!r}', "finding"),
    ('params = { d = 5 }', 'params = { d = 5 }\nwhen_unknown = "maybe"', "when_unknown"),
    ('params = { d = 5 }', 'params = { d = 5 }\nthreshold = 3', "threshold"),
    ("{ owners_differ = true }", "{ followed_by_close_approach = true }",
     "params.window_days"),
    ("{ owners_differ = true }", "{ not = 3 }", "condition.all[1].not"),
])
def test_bad_rule_files_name_rule_and_field(tmp_path, old, new, field):
    assert old in GOOD
    p = tmp_path / "code.toml"
    p.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(CodeError) as exc:
        load_code(p)
    assert exc.value.rule == "r1" and exc.value.field == field
    assert str(p) in str(exc.value) and "rule r1" in str(exc.value)


def test_bad_files_duplicate_syntax_yaml(tmp_path):
    assert load_code(_write(tmp_path / "ok.toml", GOOD)).rules[0].id == "r1"
    with pytest.raises(CodeError, match="duplicate rule id") as exc:
        load_code(_write(tmp_path / "dup.toml", GOOD + GOOD.replace("[[rules]]", "[[rules]]")))
    assert exc.value.rule == "r1"
    with pytest.raises(CodeError, match="not TOML") as exc:
        load_code(_write(tmp_path / "bad.toml", "[[rules]]\nid = \n"))
    assert exc.value.line == 2
    yaml_text = ("rules:\n- id: y1\n  title: t\n  source: s\n  applies_to: [breakup]\n"
                 "  severity: low\n  finding: x\n  condition: {metric: fragments, op: '>', "
                 "value: 1}\n")
    assert load_code(_write(tmp_path / "c.yaml", yaml_text)).rules[0].id == "y1"
    with pytest.raises(CodeError) as exc:
        load_code(_write(tmp_path / "d.yaml", yaml_text.replace("id: y1", "id: Y 1")))
    assert exc.value.field == "id" and exc.value.rule == "Y 1"


def _write(p, text):
    p.write_text(text)
    return p


def test_bad_notifications_are_named():
    good = {"party": "RED", "type": "maneuver", "objects": [10],
            "start": "2023-04-14T00:00:00Z", "end": "2023-04-15T00:00:00Z"}
    for bad, field in (({**good, "type": "visit"}, "type"), ({**good, "objects": []}, "objects"),
                       ({k: v for k, v in good.items() if k != "party"}, "party"),
                       ({**good, "end": "2023-04-13T00:00:00Z"}, "end"),
                       ({**good, "start": "yesterday"}, "start")):
        with pytest.raises(NotificationError) as exc:
            parse_notifications([good, bad], "n.json")
        assert exc.value.record == 2 and exc.value.field == field


# ----------------------------------------------------------------- CLI
def test_cli_judge(tmp_path, monkeypatch, capsys):
    import orbwatch.cli.judge  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORBWATCH_DB", raising=False)
    p = ev("proximity", (1, 2), metrics={"min_range_km": 3.0}, start=T0 - DAY, end=T0 + DAY,
           evidence={"owners": ["RED", "BLU"], "names": ["A", "B"]})
    events = _write(tmp_path / "events.json", json.dumps([p.to_dict()]))
    assert main(["judge", str(events), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in out] == [PROX] and out[0]["parties"] == ["RED"]
    notes = _write(tmp_path / "n.json", json.dumps([{
        "party": "RED", "type": "proximity", "objects": [1, 2], "start": "2023-04-14T00:00:00Z",
        "end": "2023-04-16T00:00:00Z", "signature": "unchecked"}]))
    assert main(["judge", str(events), "--notifications", str(notes), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    bad = _write(tmp_path / "bad.toml", GOOD.replace('severity = "high"', 'severity = "x"'))
    assert main(["judge", str(events), "--code", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "CodeError" in err and "rule r1" in err and "severity" in err
    assert main(["judge", str(tmp_path / "missing.json")]) == 1


# ----------------------------------------------------------------- planted scenario
def _planted_events():
    """The demo's planted interception, release and inspector as its detectors
    report them (shapes copied from ``orbwatch demo``'s events.json)."""
    objects = [row(99001, "RED", intldes="2022-902A"), row(99002, "BLU", intldes="2022-901A"),
               row(99011, "RED", intldes="2022-904A"), row(99012, "BLU", intldes="2022-903A"),
               row(99013, "RED", "unknown", "2022-904B"), row(99021, "GRN", intldes="2022-905A"),
               *[row(800000 + i, "GRN", "debris", f"2022-905{c}") for i, c in enumerate("BCDEF")]]
    events = [
        ev("breakup", tuple(range(800000, 800005)), T0 + 5 * DAY,
           {"fragments": 95, "classification": "undetermined"}, confidence=0.9),
        ev("proximity", (99011, 99012), T0 + DAY, {"min_range_km": 22.5, "max_range_km": 32.0},
           start=T0 - DAY, end=T0 + 11 * DAY),
        ev("release", (99011, 99013), T0 + 2 * DAY, {"dv_kms": 0.196},
           uncertainty={"epoch_s": 31.3}, confidence=0.9),
        ev("maneuver", (99001,), T0, {"delta_v_mps": 2.0}, start=T0 - DAY // 4,
           end=T0 + DAY // 2, confidence=0.88),
        ev("proximity", (99001, 99002), T0 + 8 * DAY, {"min_range_km": 0.84,
                                                       "max_range_km": 300.0},
           start=T0 + 2 * DAY, end=T0 + 11 * DAY),
    ]
    return events, objects


def _check_planted(found):
    by = {(f.rule_id, tuple(f.objects[:2])): f for f in found}
    asat = next(f for f in found if f.rule_id == ASAT)
    assert asat.parties == ["GRN"] and 99021 in asat.objects  # parent from the designators
    assert by[(PROX, (99001, 99002))].verdict == "breach"
    assert by[(PROX, (99011, 99012))].parties == ["RED"]
    assert by[(REL, (99011, 99013))].verdict == "breach"
    assert any(f.rule_id == MAN and f.objects == [99001] for f in found)


def test_planted_scenario_by_hand():
    events, objects = _planted_events()
    _check_planted(judge(events, objects))


@pytest.mark.slow
def test_demo_planted_scenario(tmp_path):
    from orbwatch.demo import run_demo
    from orbwatch.store import Store

    res = run_demo(tmp_path, days=12, background_size=60)
    _check_planted(judge(res.detections, Store(tmp_path / "demo.db").objects()))
