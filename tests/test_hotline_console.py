"""The hotline web console in headless Chromium (Debian's, driven by Playwright):
the log with filters, an entry page marked verified, and one whose stored
bytes were edited in the database marked NOT VERIFIED; screenshots checked."""

from __future__ import annotations

import pytest
from PIL import Image, ImageStat
from sqlalchemy import create_engine, text

from hotline_support import ADMIN, Server, payload
from orbwatch.hotline import canonicalize, generate_key, sign_entry
from orbwatch.hotline.client import HotlineClient
from orbwatch.hotline.storage import database_url


def _not_blank(path) -> None:
    image = Image.open(path).convert("L")
    assert image.size[0] >= 800 and image.size[1] >= 400
    stat = ImageStat.Stat(image)
    assert stat.stddev[0] > 10, "screenshot is (nearly) uniform"
    assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 20


def test_console_log_filters_and_verification_pages(chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    db = str(tmp_path / "console.db")
    srv = Server(db, tmp_path).start()
    try:
        keys = {n: generate_key() for n in ("RU", "US")}
        with HotlineClient(srv.url, admin_token=ADMIN) as admin:
            for n, k in keys.items():
                admin.register(n, k.public_key())
            admin.publish(sign_entry(payload("manoeuvre"), "RU", keys["RU"]))
            admin.publish(sign_entry(payload("launch"), "US", keys["US"]))
            admin.publish(sign_entry(payload("proximity_operation"), "RU", keys["RU"],
                                     to=["US"]))  # addressed: not on the public console
            tampered = sign_entry(payload("manoeuvre", delta_v_m_s=9.0), "RU", keys["RU"])
        engine = create_engine(database_url(db))  # the operator edits entry 2 behind the log
        with engine.begin() as conn:
            conn.execute(text("UPDATE hotline_entries SET body=:b WHERE idx=2"),
                         {"b": canonicalize(tampered)})
        engine.dispose()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(f"{srv.url}/console")
            assert "Hotline log: 5 entries" in page.inner_text("h1")
            rows = page.locator("#log tbody tr")
            assert rows.count() == 4  # two registrations, two public notifications
            assert "proximity_operation" not in page.inner_text("#log")
            page.screenshot(path=str(tmp_path / "log.png"), full_page=True)
            _not_blank(tmp_path / "log.png")

            page.select_option("select[name=type]", "launch")
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            assert "type=launch" in page.url
            assert page.locator("#log tbody tr").count() == 1
            page.click("#log tbody tr a")
            page.wait_for_load_state("load")
            assert page.inner_text("#status") == "VERIFIED"
            assert page.inner_text("h1").startswith("Entry 3: launch by US")
            assert page.locator("#checks td.ok").count() == 3
            page.screenshot(path=str(tmp_path / "entry.png"), full_page=True)
            _not_blank(tmp_path / "entry.png")

            page.goto(f"{srv.url}/console/entries/2")
            assert page.inner_text("#status") == "NOT VERIFIED"
            assert "does not hash to the leaf" in page.inner_text("#checks")
            page.screenshot(path=str(tmp_path / "tampered.png"), full_page=True)
            _not_blank(tmp_path / "tampered.png")
            assert page.goto(f"{srv.url}/console/entries/4").status == 404
            browser.close()
    finally:
        srv.stop()


@pytest.mark.parametrize("query", ["?type=nonsense", "?author=%00", "?after=99999999999"])
def test_console_ignores_bad_filters(tmp_path, query):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from orbwatch.hotline.service import create_app

    app = create_app(str(tmp_path / "c.db"), log_key=generate_key())
    try:
        response = TestClient(app).get(f"/console{query}")
        assert response.status_code == 200 and "Hotline log: 0 entries" in response.text
    finally:
        app.state.log.close()
