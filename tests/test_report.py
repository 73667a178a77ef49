"""Evidence reports: self-contained HTML pages and report.json, from the demo's output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import orbwatch.cli.report  # noqa: F401  (registers ``orbwatch report``)
from orbwatch.cli.app import main
from orbwatch.demo import run_demo
from orbwatch.report import build_model, write_report
from orbwatch.report.model import state_slug, unit_of

PNG = 'src="data:image/png;base64,'


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "demo"
    run_demo(out, days=12, background_size=60)
    return out


@pytest.fixture(scope="module")
def report(demo) -> Path:
    """The report written by the command line from the demo's files."""
    out = demo / "report-cli"
    rc = main(["report", "--events", str(demo / "events.json"), "--findings",
               str(demo / "findings.json"), "--db", str(demo / "demo.db"), "--out", str(out)])
    assert rc == 0
    return out


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert 'src="http' not in html and "<script" not in html
    assert '<link rel="stylesheet"' not in html and "@import" not in html
    assert not re.search(r'src="(?!data:image/png;base64,)', html)


def test_index_is_self_contained_with_summary_and_timeline(report, demo):
    html = _read(report / "index.html")
    _self_contained(html)
    assert PNG in html  # the timeline
    events = json.loads(_read(demo / "events.json"))
    findings = json.loads(_read(demo / "findings.json"))
    assert f"{len(events)} events detected from" in html
    assert f"{len(findings)} findings against the code of conduct" in html
    for kind in {e["kind"] for e in events}:
        assert f"<td>{kind}</td>" in html
    for f in findings:
        assert f["source"][:40].replace("'", "&#x27;") in html  # the rule's cited source


def test_every_finding_links_to_existing_event_pages(report, demo):
    html = _read(report / "index.html")
    findings = json.loads(_read(demo / "findings.json"))
    assert findings
    for f in findings:
        for eid in f["events"]:
            assert f'href="events/{eid}.html"' in html
            page = _read(report / "events" / f"{eid}.html")
            _self_contained(page)
            assert "UTC" in page and "Uncertainty" in page and "Evidence" in page
    events = json.loads(_read(demo / "events.json"))
    assert len(list((report / "events").glob("*.html"))) == len(events) + 1  # + the list


def _page_of_kind(report: Path, demo: Path, kind: str) -> str:
    findings = json.loads(_read(demo / "findings.json"))
    events = {e["id"]: e for e in json.loads(_read(demo / "events.json"))}
    cited = [eid for f in findings for eid in f["events"] if events[eid]["kind"] == kind]
    assert cited, f"no finding rests on a {kind} event"
    return _read(report / "events" / f"{cited[0]}.html")


@pytest.mark.parametrize("kind, figure", [("proximity", "range"), ("maneuver", "elements"),
                                          ("breakup", "gabbard")])
def test_event_pages_have_their_figure(report, demo, kind, figure):
    page = _page_of_kind(report, demo, kind)
    assert f'<figure class="fig-{figure}"><img alt="{figure} figure" {PNG}' in page
    assert "km" in page  # metrics with units


def test_state_pages_list_their_findings(report, demo):
    findings = json.loads(_read(demo / "findings.json"))
    parties = {p for f in findings for p in f["parties"]}
    assert parties
    for party in parties:
        page = _read(report / "states" / f"{state_slug(party)}.html")
        _self_contained(page)
        for k, f in enumerate(findings):
            if party in f["parties"]:
                assert f'href="../index.html#finding-{k + 1}"' in page
        assert f'href="states/{state_slug(party)}.html"' in _read(report / "index.html")


def test_json_has_the_same_counts(report, demo):
    data = json.loads(_read(report / "report.json"))
    events = json.loads(_read(demo / "events.json"))
    findings = json.loads(_read(demo / "findings.json"))
    assert data["schema"] == "orbwatch.report/1"
    assert data["counts"]["events"] == len(events) == len(data["events"])
    assert data["counts"]["findings"] == len(findings) == len(data["findings"])
    assert sum(data["counts"]["events_by_kind"].values()) == len(events)
    assert data["counts"]["findings_by_verdict"].get("breach", 0) == sum(
        f["verdict"] == "breach" for f in findings)
    for party, c in data["counts"]["findings_by_state"].items():
        assert c["breach"] + c["undetermined"] == sum(party in f["parties"] for f in findings)
    drawn = {e["kind"] for e in data["events"] if (e["figure"] or {}).get("drawn")}
    assert {"proximity", "maneuver", "breakup"} <= drawn
    assert data["period"]["start"] <= data["period"]["end"]


def test_without_store_figures_are_skipped_with_a_note(demo, tmp_path):
    events = json.loads(_read(demo / "events.json"))
    findings = json.loads(_read(demo / "findings.json"))
    cited = {eid for f in findings for eid in f["events"]}
    index = write_report(tmp_path / "r", [e for e in events if e["id"] in cited], findings)
    pages = [_read(p) for p in (tmp_path / "r" / "events").glob("*.html")]
    assert any("not drawn: no element-set store given" in p for p in pages)
    assert not any(PNG in p for p in pages)
    assert PNG in _read(index)  # the timeline needs no store


def test_model_units_and_names(demo):
    events = json.loads(_read(demo / "events.json"))[:50]
    model = build_model(events)
    assert unit_of("min_range_km") == "km" and unit_of("rel_speed_kms") == "km/s"
    assert unit_of("delta_v_mps") == "m/s" and unit_of("drift_km_per_day") == "km/day"
    assert all(model.name(n) for e in model.events for n in e.objects)


def test_cli_without_findings_judges_and_rejects_bad_input(demo, tmp_path, capsys):
    events = [e for e in json.loads(_read(demo / "events.json"))
              if e["kind"] in ("maneuver", "release", "breakup")]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    rc = main(["report", "--events", str(path), "--out", str(tmp_path / "r"), "--db",
               str(demo / "demo.db")])
    assert rc == 0
    data = json.loads(_read(tmp_path / "r" / "report.json"))
    assert data["counts"]["findings"] >= 1  # the interception, judged on the fly
    bad = tmp_path / "bad.json"
    bad.write_text('[{"x": 1}]')
    capsys.readouterr()
    assert main(["report", "--events", str(path), "--findings", str(bad), "--out",
                 str(tmp_path / "r2")]) == 1
    assert "not an orbwatch.finding/1 finding" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() and not shutil.which("chromium"),
                    reason="headless Chromium not installed")
def test_index_renders_in_chromium(report, tmp_path):
    exe = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    png = tmp_path / "index.png"
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={png}", "--window-size=1200,2000",
                    (report / "index.html").as_uri()], check=True, timeout=60,
                   capture_output=True)
    assert png.stat().st_size > 10_000
