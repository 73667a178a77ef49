"""Figures of proximity and inspection events (``orbwatch proximity --figures``):
the range each figure draws is the range the detector measured, the window
reaches back to the manoeuvre that made the approach, and every event gets its
file."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from orbwatch.detect.inspector import inspect_history
from orbwatch.detect.proximity import detect_proximity
from orbwatch.report.pairs import (
    inspection_png,
    plot_inspection,
    plot_range,
    range_png,
    range_series,
    range_window,
)
from orbwatch.time import parse_iso
from test_inspector import INSPECTOR, TARGETS
from test_proximity import CHASER, DAY, MANOEUVRE_DAY, OWNERS, T0, TARGET, orbit, scenario

PNG = b"\x89PNG\r\n\x1a\n"


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG, f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.fixture(scope="module")
def approach():
    sets = scenario()
    objects = {s.norad: {"name": s.name, "owner": OWNERS[s.norad]} for s in sets}
    report = detect_proximity(sets, T0, T0 + 6 * DAY, objects=objects, regimes=["leo"])
    (ev,) = [e for e in report.events if set(e.objects) == {TARGET, CHASER}]
    return sets, ev


def test_range_window_reaches_back_to_the_manoeuvre(approach):
    _, ev = approach
    t0, t1 = range_window(ev)
    before, after = (parse_iso(x) for x in ev.evidence["manoeuvre"]["between"])
    assert before == T0 + (MANOEUVRE_DAY - 1) * DAY and after == T0 + MANOEUVRE_DAY * DAY
    assert t0 < before < ev.start_us < t1 and t1 > ev.end_us
    # without a named manoeuvre the window is the event's own span, padded
    plain = ev.__class__(**{**ev.__dict__, "evidence": {**ev.evidence, "manoeuvre": None}})
    p0, p1 = range_window(plain)
    assert p0 == ev.start_us - (ev.end_us - ev.start_us) // 20 and p1 == t1


def test_drawn_range_is_the_measured_range(approach):
    sets, ev = approach
    t0, t1 = range_window(ev)
    times = np.linspace(t0, t1, 2000).astype(np.int64)
    rng, stale = range_series(sets, *ev.objects[:2], times)
    after = times >= ev.start_us
    assert abs(rng[after].min() - ev.metrics["min_range_km"]) < 0.05
    assert rng[times < T0 + (MANOEUVRE_DAY - 1) * DAY + DAY // 2].min() > 1000.0  # far before
    assert not stale.any()
    with pytest.raises(ValueError, match="no element sets for 99999"):
        range_series(sets, TARGET, 99999, times)


@pytest.fixture(scope="module")
def inspector():
    """test_inspector's three stops: element sets, proximity events, the inspection."""
    sets = []
    for d in range(9):
        for norad, _, n, raan in TARGETS:
            sets.append(orbit(norad, f"TARGET {norad}", n, raan, 0.0, d))
        norad, _, n, raan = TARGETS[d // 3]
        sets.append(orbit(INSPECTOR, "INSPECTOR 1", n, raan, 0.03, d))
    owners = {INSPECTOR: "CIS", **{t[0]: t[1] for t in TARGETS}}
    objects = {s.norad: {"name": s.name, "owner": owners[s.norad]} for s in sets}
    pairs, (insp,) = inspect_history(sets, T0, T0 + 9 * DAY, objects=objects, regimes=["leo"])
    return sets, pairs, insp


def test_range_and_inspection_figures_draw_the_events(inspector, tmp_path):
    from matplotlib.colors import to_hex

    sets, pairs, insp = inspector
    assert sum(ev.evidence["manoeuvre"] is not None for ev in pairs) == 2
    for ev in pairs:
        fig, caption = plot_range(sets, ev)
        ax = fig.axes[0]
        y = np.asarray(ax.lines[0].get_ydata(), dtype=float)
        assert abs(np.nanmin(y) - ev.metrics["min_range_km"]) < 0.1
        # a stop after a move: the window reaches back before the move, ranges of
        # thousands of km before it and a few after, on a log axis so both show
        if ev.evidence["manoeuvre"] is not None:
            assert y[0] > 1000.0 and ax.get_yscale() == "log", ev.objects
        assert f"{np.nanmin(y):.3f} km" in caption
        _png_size(range_png(sets, ev, tmp_path / f"{ev.objects[1]}.png"))
    fig, caption = plot_inspection(insp)
    bars = [ln for ln in fig.axes[0].lines if ln.get_linewidth() == 6]
    assert len(bars) == 3  # one per target, in turn down the rows
    assert {to_hex(b.get_color()) for b in bars} == {to_hex("tab:red")}  # all foreign
    assert [tl.get_text().split()[0] for tl in fig.axes[0].get_yticklabels()] == \
        ["91001", "91002", "91003"]
    assert "stops of inspector 91000" in caption
    _png_size(inspection_png(insp, tmp_path / "inspection.png"))
    with pytest.raises(ValueError, match="expected an inspection event"):
        inspection_png(pairs[0], tmp_path / "x.png")
    # evidence missing fields (hand-made or trimmed JSON) is drawn without them
    bare = dataclasses.replace(insp, evidence={**insp.evidence, "targets": [
        {k: v for k, v in t.items() if k not in ("closest", "min_range_km")}
        for t in insp.evidence["targets"]]})
    _png_size(inspection_png(bare, tmp_path / "bare.png"))


def test_cli_writes_one_figure_per_event(tmp_path, capsys):
    import orbwatch.cli.proximity  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main
    from test_proximity import write_and_ingest

    write_and_ingest(tmp_path, scenario())
    args = ["proximity", "--catalog", str(tmp_path / "synthetic.tle"), "--start",
            "2024-01-01T00:00:00Z", "--days", "6", "--regime", "leo", "--format", "json"]
    assert main([*args, "--figures", str(tmp_path / "figs")]) == 0
    out = json.loads(capsys.readouterr().out)
    names = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert names == sorted(f"{e['objects'][0]}_{e['objects'][1]}_"
                           f"{e['start'][:16].replace(':', '')}_range.png" for e in out)
    assert len(names) == 2
    (tmp_path / "file").write_text("")
    assert main([*args, "--figures", str(tmp_path / "file")]) == 1
    cap = capsys.readouterr()
    assert "--figures" in cap.err and "not a folder" in cap.err
    assert cap.out == ""  # refused before any screening: no events printed


def test_report_pages_draw_an_inspection_without_a_store(inspector, tmp_path):
    from orbwatch.report import write_report

    _, pairs, insp = inspector
    write_report(tmp_path / "r", [*pairs, insp], figures="all")
    page = (tmp_path / "r" / "events" / f"{insp.id}.html").read_text()
    assert '<figure class="fig-stops"><img alt="stops figure" src="data:image/png;base64,' \
        in page
    assert "stops of inspector 91000" in page
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    (row,) = [e for e in data["events"] if e["kind"] == "inspection"]
    assert row["figure"]["drawn"] and row["figure"]["kind"] == "stops"
    # the pairs' range figures need the store: noted, not drawn
    assert all(not e["figure"]["drawn"] for e in data["events"] if e["kind"] == "proximity")


def test_longitude_track_across_180_deg_stays_on_one_branch():
    """A GEO inspector moving from 179.5 E to 178 W: its track and its stops are drawn
    unwrapped (179.5 -> 182), not across the whole panel."""
    from orbwatch.events import Event

    stop = {"start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z"}
    ev = Event(kind="inspection", objects=(1, 2, 3), epoch_us=T0, start_us=T0, end_us=T0,
               metrics={}, evidence={"inspector": {"norad": 1, "owner": "A"}, "targets": [
                   {**stop, "norad": 2, "owner": "B", "closest": "2020-01-01T12:00:00Z",
                    "min_range_km": 5.0, "longitude_deg": 179.5},
                   {**stop, "norad": 3, "owner": "A", "closest": "2020-06-01T12:00:00Z",
                    "min_range_km": 7.0, "longitude_deg": -178.0}],
                   "longitude_track": [{"date": "2020-01-01", "lon": 179.5},
                                       {"date": "2020-03-01", "lon": -179.0},
                                       {"date": "2020-06-01", "lon": -178.0}]})
    fig, _ = plot_inspection(ev)
    track, first, second = (np.asarray(ln.get_ydata(), float) for ln in fig.axes[1].lines)
    assert track == pytest.approx([179.5, 181.0, 182.0])
    assert first == pytest.approx([179.5]) and second == pytest.approx([182.0])
