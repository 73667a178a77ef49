"""Scenario simulator: determinism, ingestability, truth consistent with the
element sets, and the detectors finding what was planted."""

from __future__ import annotations

import json

import numpy as np
import pytest

import orbwatch.cli.scenario  # noqa: F401  (registers ``orbwatch scenario``)
from orbwatch.cli.app import main
from orbwatch.detect.proximity import detect_proximity
from orbwatch.elements.readers import read_path
from orbwatch.elements.satcat import read_satcat
from orbwatch.events import Event, events_from_json
from orbwatch.scenario import DEFAULT_START_US, build_scenario
from orbwatch.scenario.noise import catalogue_epochs
from orbwatch.screen.engine import screen
from orbwatch.time import US_PER_DAY

DAYS = 12


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario") / "all"
    res = build_scenario("all", out, start_us=DEFAULT_START_US, days=DAYS, seed=3,
                         background_size=40)
    sets = read_path(out / "elements.json").sets
    by: dict[int, list] = {}
    for s in sets:
        by.setdefault(s.norad, []).append(s)
    return res, out, sets, by


def _events(res, kind, norad=None):
    return [e for e in res.truth_events if e.kind == kind and (norad is None or
                                                              e.objects[0] == norad)]


def _bracket(history, t_us):
    before = [s for s in history if s.epoch_us < t_us]
    after = [s for s in history if s.epoch_us > t_us]
    return before[-1], after[0]


def test_files_and_summary(built):
    res, out, sets, by = built
    assert {p.name for p in res.paths.values()} == {"elements.json", "elements.tle",
                                                   "satcat.json", "truth.json", "README.txt"}
    assert res.n_sets == len(sets) and res.n_objects == len(by)
    epochs = [s.epoch_us for s in sets]
    assert epochs == sorted(epochs)
    assert all(DEFAULT_START_US <= t < DEFAULT_START_US + DAYS * US_PER_DAY for t in epochs)
    truth = events_from_json((out / "truth.json").read_text())
    assert [e.to_dict() for e in truth] == [e.to_dict() for e in res.truth_events]
    assert {e.kind for e in truth} == {"maneuver", "proximity", "release", "breakup",
                                       "conjunction"}
    rates = [len(h) / DAYS for n, h in by.items() if n < 99000]
    assert 0.7 < np.median(rates) < 3.2  # 1-3 sets a day, with gaps
    text = (out / "README.txt").read_text()
    assert "99001" in text and "conjunction" in text


def test_deterministic_under_seed(tmp_path):
    kw = dict(start_us=DEFAULT_START_US, days=5, background_size=10)
    build_scenario("stationkeeping", tmp_path / "a", seed=11, **kw)
    build_scenario("stationkeeping", tmp_path / "b", seed=11, **kw)
    build_scenario("stationkeeping", tmp_path / "c", seed=12, **kw)
    for f in ("elements.json", "elements.tle", "satcat.json", "truth.json", "README.txt"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "elements.json").read_bytes() != \
        (tmp_path / "c" / "elements.json").read_bytes()


def test_ingests_without_rejects(built, tmp_path, capsys):
    _, out, sets, by = built
    db = tmp_path / "s.db"
    rc = main(["ingest", "--db", str(db), "--format", "json", str(out / "elements.json"),
               str(out / "satcat.json"), str(out / "elements.tle")])
    reports = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [r["rejected"] for r in reports] == [0, 0, 0]
    tle = next(r for r in reports if r["source"].endswith("elements.tle"))
    assert tle["added"] == 0  # the TLE file holds the same sets as the OMM file
    cat = {r.norad: r for r in read_satcat(out / "satcat.json").records}
    assert set(cat) == set(by)
    assert (cat[99001].owner, cat[99002].owner) == ("RED", "BLU")
    assert cat[800000].object_type == "debris" and cat[99042].object_type == "rocket body"


def test_manoeuvres_show_between_bracketing_sets(built):
    res, _, _, by = built
    checked = 0
    for e in _events(res, "maneuver"):
        before, after = _bracket(by[e.objects[0]], e.epoch_us)
        da = after.semi_major_axis_km - before.semi_major_axis_km
        geo = before.mean_motion < 2
        if abs(e.metrics["delta_a_km"]) > (2.0 if geo else 0.1):
            tol = 1.2 if geo else 0.07  # GEO: single-state mean a scatters ~0.5 km
            assert abs(da - e.metrics["delta_a_km"]) < tol, (e.evidence["purpose"], da)
            checked += 1
        if e.evidence["purpose"] == "plane match":
            di = after.inclination - before.inclination
            assert abs(di - e.metrics["delta_i_deg"]) < 0.02
    assert checked >= 5


def test_release_and_fragments_appear_after_the_event(built):
    res, _, _, by = built
    (rel,) = _events(res, "release")
    child = rel.objects[1]
    assert by[child][0].epoch_us > rel.epoch_us + US_PER_DAY // 2
    (brk,) = _events(res, "breakup")
    frags = brk.evidence["fragment_norads"]
    assert len(frags) > 20 and brk.metrics["fragments"] == len(frags)
    firsts = [by[n][0].epoch_us for n in frags if n in by]
    assert len(firsts) > 0.8 * len(frags)
    assert min(firsts) > brk.epoch_us + US_PER_DAY
    assert max(s.epoch_us for s in by[brk.objects[0]]) < brk.epoch_us


def test_conjunction_found_by_screening(built):
    res, _, sets, by = built
    (ev,) = _events(res, "conjunction")
    assert ev.evidence["planted_miss_km"] == 0.45
    near = [min(h, key=lambda s: (abs(s.epoch_us - ev.epoch_us), s.epoch_us))
            for _, h in sorted(by.items())]
    out = screen(near, ev.epoch_us - 3_600_000_000, ev.epoch_us + 3_600_000_000,
                 threshold_km=5.0, primaries=[ev.objects[0]])
    hits = [e for e in out.encounters
            if {near[e.i].norad, near[e.j].norad} == set(ev.objects)]
    hit = min(hits, key=lambda e: abs(e.tca_us - ev.epoch_us))  # the orbits cross twice
    assert abs(hit.tca_us - ev.epoch_us) <= 1_000_000
    assert abs(hit.miss_km - ev.metrics["miss_km"]) <= 0.1
    assert ev.metrics["miss_km"] < 3.0  # 0.45 km planted, plus element-set noise


def test_proximity_detector_finds_the_inspector(built):
    res, _, sets, _ = built
    (truth,) = [e for e in _events(res, "proximity") if 99001 in e.objects]
    assert truth.metrics["final_range_km"] < 10
    rep = detect_proximity(sets, DEFAULT_START_US, DEFAULT_START_US + DAYS * US_PER_DAY,
                           regimes=("geo",))
    pairs = {frozenset(e.objects): e for e in rep.events}
    found = pairs[frozenset(truth.objects)]
    assert found.metrics["min_range_km"] < 20


def test_catalogue_epochs_cadence():
    rng = np.random.default_rng(1)
    t = catalogue_epochs(rng, 0, 30 * US_PER_DAY)
    assert np.all(np.diff(t) > 0) and np.all(t % 864 == 0)
    assert 20 <= len(t) <= 100


def test_cli_build_and_errors(tmp_path, capsys):
    rc = main(["scenario", "build", "conjunction", "--out", str(tmp_path / "c"), "--days", "5",
               "--background-size", "5", "--seed", "2", "--format", "json"])
    cap = capsys.readouterr()
    assert rc == 0
    doc = json.loads(cap.out)
    assert doc["scenario"] == "conjunction" and doc["objects"] == 7
    assert [Event.from_dict(e).kind for e in doc["events"]] == ["conjunction"]
    assert "planted events" in cap.err
    assert main(["scenario", "build", "nope", "--out", str(tmp_path / "x")]) == 1
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["scenario", "build", "all", "--out", str(tmp_path / "x"), "--days", "1"]) == 1


def test_background_from_shared_snapshot(shared_data, tmp_path):
    snap = shared_data / "catalog" / "keeptrack_TLE3_2023-04-13.txt.gz"
    res = build_scenario("release", tmp_path / "r", start_us=DEFAULT_START_US, days=5, seed=1,
                         background=snap, background_size=25)
    assert res.n_objects == 25 + 3
    sets = read_path(tmp_path / "r" / "elements.json").sets
    assert len({s.norad for s in sets if s.norad < 99000}) == 25
    far = build_scenario("conjunction", tmp_path / "f", start_us=DEFAULT_START_US +
                         400 * US_PER_DAY, days=4, seed=1, background=snap, background_size=10)
    assert far.n_objects == 12  # epochs shifted into a window a year after the snapshot
