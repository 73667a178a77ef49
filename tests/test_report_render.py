"""The evidence report looked at rendered: headless Chromium opens the index,
an event page and a state page of a monitor report, takes full-page
screenshots, and fails on broken figures, empty sections or a blank page."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from orbwatch.monitor import run_monitor
from orbwatch.store import Store, ingest_path

#: JavaScript: images not loaded, and h2/h3 headings with nothing under them
_CHECKS = """() => {
  const broken = Array.from(document.images)
      .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 40));
  const empty = [];
  for (const h of document.querySelectorAll('h2, h3')) {
    let n = h.nextElementSibling, content = '';
    while (n && !/^H[1-3]$/.test(n.tagName)) {
      content += n.textContent.trim() + (n.querySelector('img') || n.tagName === 'IMG' ? 'img' : '');
      n = n.nextElementSibling;
    }
    const level = Number(h.tagName[1]);
    const sub = n && Number(n.tagName[1]) > level;  // a heading followed by its subsections
    if (!content && !sub) empty.push(h.textContent.trim());
  }
  return {images: document.images.length, broken, empty,
          text: document.body.innerText.length};
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A monitor report over the release scenario (a carrier 25 km behind a
    foreign satellite releases an object): findings, figures, state pages."""
    from orbwatch.scenario import DEFAULT_START_US, build_scenario

    out = tmp_path_factory.mktemp("render")
    scen = build_scenario("release", out / "scen", start_us=DEFAULT_START_US, days=6, seed=1,
                          background_size=12)
    store = Store(out / "r.db")
    for key in ("elements", "satcat"):
        ingest_path(store, scen.paths[key])
    res = run_monitor(store, out / "report", regimes=("leo",), title="render check")
    store.close()
    return res.report.parent


def _blank(png: bytes) -> tuple[float, float]:
    """(grey-level standard deviation, fraction of non-white pixels)."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), float)
    return float(img.std()), float((img < 245).mean())


def _pages(report) -> dict[str, str]:
    doc = json.loads((report / "report.json").read_text())
    cited = {e for f in doc["findings"] for e in f["events"]}
    drawn = [e["id"] for e in doc["events"] if e.get("figure") and e["figure"]["drawn"]
             and e["id"] in cited]
    breaching = sorted({p for f in doc["findings"] if f["verdict"] == "breach"
                        for p in f["parties"]})
    assert drawn and breaching, "the report has no cited event with a figure or no breach"
    states = {p: f"states/{p.name}" for p in (report / "states").glob("*.html")}
    state = next(v for k, v in states.items() if k.stem == breaching[0])
    return {"index": "index.html", "event": f"events/{drawn[0]}.html", "state": state}


def test_report_renders_with_figures_and_no_empty_section(report, chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    pages = _pages(report)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for name, rel in pages.items():
                page.goto((report / rel).as_uri())
                page.wait_for_load_state("load")
                seen = page.evaluate(_CHECKS)
                assert seen["broken"] == [], f"{name}: broken figures {seen['broken']}"
                assert seen["empty"] == [], f"{name}: empty sections {seen['empty']}"
                assert seen["text"] > 400, f"{name}: almost no text"
                assert seen["images"] >= 1, f"{name}: no figure"
                png = page.screenshot(full_page=True)
                (tmp_path / f"{name}.png").write_bytes(png)
                std, inked = _blank(png)
                assert std > 20 and inked > 0.02, f"{name}: page looks blank ({std:.1f}, {inked:.3f})"
        finally:
            browser.close()


def test_the_blank_check_sees_a_blank_page():
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buf, format="PNG")
    std, inked = _blank(buf.getvalue())
    assert std < 1 and inked == 0
