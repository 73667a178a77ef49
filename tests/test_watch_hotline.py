"""The monitor and the hotline together: notifications read from the signed
log change the verdicts, findings go out as alerts to the parties concerned,
and a re-run posts nothing twice."""

from __future__ import annotations

import json

import pytest

from hotline_support import ADMIN, Server
from orbwatch.cli.app import main
from orbwatch.elements.readers import read_path
from orbwatch.hotline.client import HotlineClient
from orbwatch.hotline.entries import generate_key, write_key_file
from orbwatch.store import Store, ingest_path
from orbwatch.time import format_iso

_DAY = 86_400_000_000


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    from orbwatch.scenario import build_scenario
    from orbwatch.time import now_us

    # a hotline entry cannot be backdated (its `created` is checked against
    # the server's clock), so the planted approach lies in the future
    start = (now_us() // _DAY + 1) * _DAY
    out = tmp_path_factory.mktemp("scen")
    scen = build_scenario("release", out, start_us=start, days=6, seed=1, background_size=12)
    return scen, read_path(scen.paths["elements"]).sets


@pytest.fixture
def hotline(tmp_path):
    srv = Server(str(tmp_path / "hotline.db"), tmp_path).start()
    keys = {}
    with HotlineClient(srv.url, admin_token=ADMIN) as admin:
        for name in ("MONITOR", "RED", "BLU"):
            keys[name] = generate_key()
            admin.register(name, keys[name].public_key())
    write_key_file(tmp_path / "MONITOR.key", keys["MONITOR"], "MONITOR")
    yield srv, keys
    srv.stop()


def _watch(capsys, db, out, url, key):
    capsys.readouterr()
    code = main(["watch", "--db", str(db), "--out", str(out), "--regime", "leo",
                 "--hotline", url, "--as", "MONITOR", "--key", str(key), "-f", "json"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    return json.loads(cap.out), cap.err


def test_notified_approach_and_alerts(tmp_path, scenario, hotline, capsys):
    scen, sets = scenario
    srv, keys = hotline
    approach = next(t for t in scen.truth_events if t.kind == "proximity")
    red, blu = approach.objects  # RED's carrier closes on BLU's satellite
    # RED declares the approach on the hotline, signed and public, before it happens
    with HotlineClient(srv.url, "RED", keys["RED"]) as client:
        client.notify({"type": "proximity_operation", "subject": {"norad": red},
                       "target": {"norad": blu}, "minimum_distance_km": 10.0,
                       "start": format_iso(approach.epoch_us - 3 * _DAY, 0),
                       "duration_s": 6 * 86400.0})
        # a declaration addressed to BLU alone is not the monitor's to read
        client.notify({"type": "manoeuvre", "object": {"norad": red},
                       "window": {"start": format_iso(approach.epoch_us, 0),
                                  "end": format_iso(approach.epoch_us + _DAY, 0)},
                       "delta_v_m_s": 1.0, "resulting_orbit": {"perigee_km": 500.0, "apogee_km": 520.0,
                                                              "inclination_deg": 97.5}},
                      to=["BLU"])
    store = Store(tmp_path / "m.db")
    store.write_batch(sets, source="scenario", fmt="omm")
    ingest_path(store, scen.paths["satcat"])
    store.close()

    doc, err = _watch(capsys, tmp_path / "m.db", tmp_path / "rep", srv.url,
                      tmp_path / "MONITOR.key")
    assert "1 signed notification(s) read" in err
    from orbwatch.monitor import MonitorState

    findings = MonitorState(Store(tmp_path / "m.db")).findings()
    approach_findings = [f for f in findings if f["rule_id"] == "no-unnotified-close-approach"
                         and {red, blu} <= set(f["objects"])]
    assert not any(f["verdict"] == "breach" for f in approach_findings), approach_findings
    # every finding went out once, addressed to the registered parties it concerns
    posted = doc["alerts"]["posted"]
    assert posted and doc["alerts"]["already"] == 0
    assert len(posted) == sum(f["verdict"] in ("breach", "undetermined") for f in findings)
    with HotlineClient(srv.url, "BLU", keys["BLU"]) as client:
        inbox = [r["entry"] for r in client.inbox()["entries"]]
    alerts = [e for e in inbox if e["type"] == "alert"]
    assert alerts and all(e["author"] == "MONITOR" for e in alerts)
    assert any("release" in e["payload"]["rule_id"] for e in alerts)
    # cron runs it again: nothing new, nothing posted twice
    doc2, err2 = _watch(capsys, tmp_path / "m.db", tmp_path / "rep", srv.url,
                        tmp_path / "MONITOR.key")
    assert doc2["status"] == "nothing-new"
    assert doc2["alerts"]["posted"] == [] and doc2["alerts"]["already"] == len(posted)


def test_watch_hotline_needs_a_party(tmp_path, capsys):
    code = main(["watch", "--db", str(tmp_path / "x.db"), "--hotline", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1 and "--as NAME" in err


def test_console_links_alerts_to_the_report(tmp_path, scenario, capsys, chromium_path):
    """The console served with the monitor's report: the log links to the
    findings; a public alert's page shows its finding and links to the
    citable page of its event, whose figure loads (headless Chromium)."""
    from PIL import Image, ImageStat
    from playwright.sync_api import sync_playwright

    from orbwatch.hotline.bridge import findings_to_alerts
    from orbwatch.monitor import MonitorState, run_monitor

    scen, sets = scenario
    store = Store(tmp_path / "m.db")
    store.write_batch(sets, source="scenario", fmt="omm")
    ingest_path(store, scen.paths["satcat"])
    run_monitor(store, tmp_path / "rep", regimes=("leo",))
    findings = MonitorState(store).findings()
    with_page = [f for f in findings if f["events"] and
                 (tmp_path / "rep" / "events" / f"{f['events'][0]}.html").is_file()]
    assert with_page
    srv = Server(str(tmp_path / "hotline.db"), tmp_path, report_dir=str(tmp_path / "rep")).start()
    try:
        key = generate_key()
        with HotlineClient(srv.url, admin_token=ADMIN) as admin:
            admin.register("MONITOR", key.public_key())
        with HotlineClient(srv.url, "MONITOR", key) as client:
            index = client.notify(findings_to_alerts(with_page[:1])[0])["index"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{srv.url}/console")
            page.click("#report")
            page.wait_for_load_state("load")
            assert "orbwatch" in page.title().lower() or page.locator("h1").count()
            page.goto(f"{srv.url}/console/entries/{index}")
            assert page.inner_text("#status") == "VERIFIED"
            assert with_page[0]["rule_id"] in page.inner_text("#finding")
            page.click("#finding a.event")
            assert page.url.endswith(f"/console/report/events/{with_page[0]['events'][0]}.html")
            # the click returns once the navigation commits; the figures are
            # only there (and sized) after the page's load event
            page.wait_for_load_state("load")
            page.wait_for_selector("img", state="attached")
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert widths and min(widths) > 0, "a figure of the event page did not load"
            shot = tmp_path / "event.png"
            page.screenshot(path=str(shot), full_page=True)
            browser.close()
        image = Image.open(shot).convert("L")
        assert ImageStat.Stat(image).stddev[0] > 10
    finally:
        srv.stop()


def test_the_hotline_log_key_is_pinned_on_first_use(tmp_path, scenario, hotline, capsys):
    """The monitor keeps the log's key in its database the first time it reads a
    hotline; a server presenting another key later is refused before anything is
    read (every other signature rests on that key) unless the new key is given."""
    scen, sets = scenario
    srv, _keys = hotline
    store = Store(tmp_path / "m.db")
    store.write_batch(sets[:80], source="scenario", fmt="omm")
    store.close()
    _watch(capsys, tmp_path / "m.db", tmp_path / "rep", srv.url, tmp_path / "MONITOR.key")
    with HotlineClient(srv.url) as anon:
        real = anon.health()["log_public_key"]
    pin = f"hotline_log_public_key {srv.url.rstrip('/')}"
    store = Store(tmp_path / "m.db")
    assert store.get_meta(pin) == real
    # the pinned key no longer matches what the server presents
    import base64

    from orbwatch.hotline.entries import public_key_bytes

    store.set_meta(pin, base64.b64encode(public_key_bytes(generate_key())).decode())
    store.close()
    args = ["watch", "--db", str(tmp_path / "m.db"), "--out", str(tmp_path / "rep"),
            "--hotline", srv.url, "--as", "MONITOR", "--key", str(tmp_path / "MONITOR.key")]
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "LogKeyMismatchError" in err and "Nothing was read" in err
    # the operator confirms the key: given explicitly, it is used and pinned again
    assert main([*args, "--hotline-log-key", real]) == 0
    assert Store(tmp_path / "m.db").get_meta(pin) == real
