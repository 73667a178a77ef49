"""Manoeuvre detection against synthetic truth: the planted burns of the ``all``
scenario over seeds and lengths (``benchmarks/maneuvers_synthetic.py``).

A planted burn is found when a detection lies between the element sets either
side of it; *near* when a detection lies no further from it than that
interval's length (the issue's "within one element-set interval" read
literally).  Seed 0 (the demo's) must be perfect; over seeds 0-5
the measured counts are pinned (81 of 84 found, 2 more near, no other detection
on the planted objects or the background), so that a change that loses
planted burns or adds false ones fails here.  The misses left are listed by
the benchmark and described in docs/design.md ("synthetic truth over seeds",
"decaying objects are drag").

Every found or near burn is also checked on its estimate: delta-v within 20% of
the planted value (79 of 83 within 10%, measured) and its largest component
(along-track or normal) the planted one.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_benchmark
from orbwatch.detect.maneuver_scoring import epoch_coverage

bench = load_benchmark("maneuvers_synthetic")

SEEDS = range(6)
DAYS = (12.0, 30.0)
#: measured over SEEDS x DAYS
FOUND, NEAR, PLANTED, EXTRA = 81, 2, 84, 0
#: of the FOUND + NEAR burns, measured within 10% of the planted delta-v
WITHIN_10PCT = 79


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    return {(seed, days): bench.run_case(seed, days, 40, root) for seed in SEEDS for days in DAYS}


@pytest.mark.parametrize("days", DAYS)
def test_the_demo_seed_is_found_exactly(cases, days):
    r = cases[(0, days)]
    assert r["found"] == r["planted"] and r["missed"] == [], r["missed"]
    assert r["extra"] == [], r["extra"]
    assert r["background"] == 0


def test_planted_burns_over_seeds(cases):
    rows = list(cases.values())
    assert sum(r["planted"] for r in rows) == PLANTED
    assert sum(r["found"] for r in rows) >= FOUND, [r["missed"] for r in rows]
    assert sum(r["found"] + r["near"] for r in rows) >= FOUND + NEAR, [r["missed"] for r in rows]
    assert sum(len(r["extra"]) for r in rows) <= EXTRA, [r["extra"] for r in rows]
    # the background (40 objects a case, some re-entering) reads as natural change
    assert [r["background"] for r in rows] == [0] * len(rows)


def test_planted_delta_v_measured(cases):
    """The detections matched to planted burns measure them: each within 20% of the
    planted delta-v with the planted direction (along-track or normal) as its largest
    component; an inspector's phasing burn next to its plane match once took the
    match's 10 m/s normal part (ratios 8-9)."""
    matched = [m for r in cases.values() for m in r["matched"]]
    dv = bench.delta_v_summary(matched)
    assert dv["matched"] == sum(r["found"] + r["near"] for r in cases.values()) >= FOUND + NEAR
    bad = [m for m in matched if abs(m["detected_mps"] / m["planted_mps"] - 1) > 0.2]
    assert dv["within_20pct"] == dv["matched"], bad
    assert dv["within_10pct"] >= WITHIN_10PCT, dv
    assert dv["component"] == dv["matched"], matched



def test_planted_epochs_within_their_stated_uncertainty(cases):
    """The stated 1-sigma of each found or near burn's epoch covers the planted time
    about as a Gaussian would (measured 0.89/0.95/0.96 within 1/2/3 sigma; the tail is
    the placements just outside their interval)."""
    both = [m for r in cases.values() for m in r["matched"]]
    cov = epoch_coverage([m["error_s"] for m in both], [m["sigma_s"] for m in both],
                         [m["bracketed"] for m in both])
    assert cov["n"] >= FOUND + NEAR
    assert cov["within_1"] >= 0.68 - 0.05 and cov["within_2"] >= 0.9 - 0.05, cov
    assert cov["bracketed"] >= FOUND / PLANTED - 0.02, cov


#: seeds no setting was tuned on (first run in session 9, by a reviewer), measured
HELD_OUT = range(6, 14)
HELD_FOUND, HELD_NEAR, HELD_PLANTED, HELD_EXTRA, HELD_BACKGROUND = 107, 1, 112, 0, 1


def test_held_out_seeds(tmp_path_factory):
    """Seeds 6-13: 107 of 112 planted burns found within their interval, 1 more near,
    no other detection on a planted object and one on the 640 background histories
    (until session 12 a 0.15 m/s GEO east-west burn of seed 9 was also read 3.4 days
    early by its eccentricity vector: :func:`test_geo_east_west_burn_dated_by_its_step_of_a`).
    Two of the four misses are the GEO inspector's 0.12 m/s parking burns 1.3 days after its
    1 m/s approach burn in 12-day histories (one-interval z of ``a`` 11-12, just under
    the step level), two the LEO object's 0.08 m/s burns; pinned so that a change that
    loses more, or flags more, fails here.  (Before session 12 four parking burns were
    missed: see :func:`test_inspector_parking_burn_after_its_approach_burn`.)"""
    root = tmp_path_factory.mktemp("held_out")
    rows = [bench.run_case(seed, days, 40, root) for seed in HELD_OUT for days in DAYS]
    assert sum(r["planted"] for r in rows) == HELD_PLANTED
    assert sum(r["found"] for r in rows) >= HELD_FOUND, [r["missed"] for r in rows]
    assert sum(r["found"] + r["near"] for r in rows) >= HELD_FOUND + HELD_NEAR
    assert sum(len(r["extra"]) for r in rows) <= HELD_EXTRA, [r["extra"] for r in rows]
    assert sum(r["background"] for r in rows) <= HELD_BACKGROUND
    missed_geo = [m for r in rows for m in r["missed"] if m["norad"] == 99001 and "near_h" not in m]
    assert len(missed_geo) <= 2
    matched = [m for r in rows for m in r["matched"]]
    assert all(abs(m["detected_mps"] / m["planted_mps"] - 1) <= 0.2 for m in matched)


def _planted(tmp_path, seed: int, days: float, norad: int):
    """One planted object of the ``all`` scenario (no background) through the ingest
    path: its element sets in epoch order, their epochs (us) and its planted manoeuvres
    (truth events, in time order)."""
    import json

    from orbwatch.elements.readers import read_path
    from orbwatch.scenario import DEFAULT_START_US, build_scenario

    build_scenario("all", tmp_path, start_us=DEFAULT_START_US, days=days, seed=seed,
                   background_size=0)
    sets = sorted((s for s in read_path(tmp_path / "elements.json").sets if s.norad == norad),
                  key=lambda s: s.epoch_us)
    burns = [e for e in json.loads((tmp_path / "truth.json").read_text())
             if e["kind"] == "maneuver" and e["objects"] == [norad]]
    return sets, np.array([s.epoch_us for s in sets]), burns


def test_inspector_plane_match_next_to_its_phasing_burn(tmp_path, monkeypatch):
    """Seed 11, 12 days: the GEO inspector's 10 m/s plane match falls in the interval
    right after its 1.2 m/s phasing burn.  The windowed test sees one of them; the
    confirmed turn of the plane is a second burn
    (:func:`~orbwatch.detect.maneuver_merge.distinct`), found in its interval, and
    without that rule it is lost."""
    import orbwatch.detect.maneuver_merge as merge
    from orbwatch.detect.maneuvers import detect_maneuvers
    from orbwatch.time import parse_iso

    sets, ep, burns = _planted(tmp_path, 11, 12, 99001)
    plane = next(e for e in burns if abs(e["metrics"]["dv_rtn_kms"][2]) > 5e-3)
    t = parse_iso(plane["epoch"])
    k = int(np.searchsorted(ep, t))

    def turns(det):
        return [m for m in det if ep[k - 1] <= m.epoch_us <= ep[k]
                and m.kind == "geo_ns_station_keeping"]

    det = detect_maneuvers(sets)
    found = turns(det)
    planted = np.linalg.norm(plane["metrics"]["dv_rtn_kms"])
    assert len(found) == 1 and abs(found[0].delta_v / planted - 1) <= 0.2, det
    # the phasing burn before it and the approach burn after it are still found
    for e in (burns[burns.index(plane) - 1], burns[burns.index(plane) + 1]):
        assert any(abs(m.epoch_us - parse_iso(e["epoch"])) < 86_400e6 for m in det), e
    monkeypatch.setattr(merge, "distinct", lambda *a, **k: False)
    assert not turns(detect_maneuvers(sets))


@pytest.mark.parametrize("seed", [6, 7])
def test_inspector_parking_burn_after_its_approach_burn(tmp_path, monkeypatch, seed):
    """Seeds 6 and 7, 12 days: the GEO inspector's 0.12 m/s parking burn comes 1.3 days
    after its 1 m/s approach burn, with two quiet intervals of ``a`` between their
    steps.  All four of its burns are found within their intervals, the parking burn
    as east-west station keeping (its step's plane part is noise the cross-track
    motion does not confirm), and nothing else.  Two rules find it: two in-plane steps
    of ``a`` with quiet intervals between are two burns
    (:func:`~orbwatch.detect.maneuver_merge.distinct`, seed 6, whose approach burn the
    windowed test found), and a step is weighed against the steps kept before it
    (:func:`~orbwatch.detect.maneuver_merge.in_blind_zone`, seed 7, whose approach burn
    only a kept step found); without either the parking burn is lost.  (Switching
    ``_apart_steps`` off acts through ``distinct``, so in the merge as well as in the
    blind-zone rule: the test shows the pair is needed, not which of the two uses.)"""
    import orbwatch.detect.maneuver_merge as merge
    import orbwatch.detect.maneuvers as mod
    from orbwatch.time import parse_iso

    sets, ep, planted = _planted(tmp_path, seed, 12, 99001)
    burns = [parse_iso(e["epoch"]) for e in planted]
    parking = burns[-1]

    def in_interval(det, t):
        k = int(np.searchsorted(ep, t))
        return [m for m in det if ep[k - 1] <= m.epoch_us <= ep[k]]

    det = mod.detect_maneuvers(sets)
    assert len(det) == len(burns) == 4, det
    assert all(len(in_interval(det, t)) == 1 for t in burns), det
    assert in_interval(det, parking)[0].kind == "geo_ew_station_keeping"
    assert abs(in_interval(det, parking)[0].delta_v * 1e3 / 0.116 - 1) <= 0.2
    if seed == 6:
        monkeypatch.setattr(merge, "_apart_steps", lambda *a, **k: False)
    else:
        monkeypatch.setattr(mod, "in_blind_zone",
                            lambda *a, kept=(), **k: merge.in_blind_zone(*a, kept=(), **k))
    assert not in_interval(mod.detect_maneuvers(sets), parking)


@pytest.mark.parametrize("seed", [2, 5, 9])
def test_geo_east_west_burn_dated_by_its_step_of_a(tmp_path, monkeypatch, seed):
    """30 days, GRN's two 0.15 m/s east-west burns: each found within its interval, and
    nothing else.  Each steps ``a`` across one interval (GEO sets take a burn at once),
    which dates it: the along-track ramp of the sets after it, meant for sets that take a
    burn over days, put seeds 2 and 5's second burn an interval early (13-19 h), and
    the eccentricity vector's first crossing read seed 9's 3.4 days early."""
    import orbwatch.detect.maneuvers as mod
    from orbwatch.time import parse_iso

    sets, ep, planted = _planted(tmp_path, seed, 30, 99032)
    burns = [parse_iso(e["epoch"]) for e in planted]

    def in_interval(det):
        spans = [(ep[int(np.searchsorted(ep, t)) - 1], ep[int(np.searchsorted(ep, t))])
                 for t in burns]
        return [sum(lo <= m.epoch_us <= hi for m in det) for lo, hi in spans]

    def exact(det):
        return len(det) == len(burns) == 2 and in_interval(det) == [1, 1]

    det = mod.detect_maneuvers(sets)
    assert exact(det), det
    assert all(m.kind == "geo_ew_station_keeping" for m in det)
    if seed == 9:
        monkeypatch.setattr(mod, "_locating_feature", lambda h, st, k, lead: lead)
    else:
        build = mod._build
        monkeypatch.setattr(mod, "_build", lambda *a, ramp_ok=True, **k: build(*a, **k))
    assert not exact(mod.detect_maneuvers(sets))


def test_inspector_plane_match_seen_at_few_phases(tmp_path, monkeypatch):
    """Seed 17, 30 days: the GEO inspector's 10 m/s plane match (0.19 deg) with the
    sets after it about 12 and 24 h on, near the turn's nodes, where a later set lies
    almost in the old plane.  Their cross-track residuals' RMS is a fifth of what random
    phases would give; the sine of the orbital phase fitted to them has the turn's
    amplitude (ratio 0.93), so the turn is confirmed and found, as north-south station
    keeping within its interval.  Read as an RMS (the rule before session 12) it was
    missed."""
    import orbwatch.detect.maneuver_confirm as confirm
    from orbwatch.detect.maneuvers import detect_maneuvers
    from orbwatch.time import parse_iso

    sets, ep, planted = _planted(tmp_path, 17, 30, 99001)
    plane = next(e for e in planted if abs(e["metrics"]["dv_rtn_kms"][2]) > 5e-3)
    k = int(np.searchsorted(ep, parse_iso(plane["epoch"])))

    def turns():
        return [m for m in detect_maneuvers(sets) if ep[k - 1] <= m.epoch_us <= ep[k]
                and m.kind == "geo_ns_station_keeping"]

    (found,) = turns()
    assert abs(found.delta_v / np.linalg.norm(plane["metrics"]["dv_rtn_kms"]) - 1) <= 0.2
    monkeypatch.setattr(confirm, "_sine_amplitude", lambda *a: None)
    assert turns() == []


def test_a_lull_of_drag_is_not_a_raising(tmp_path, monkeypatch):
    """Seed 16, 30 days: a background debris fragment re-entering (``a`` falling 4 km a
    day, faster each day) has an interval whose decay fell short of its trend by 0.43 km
    (a lull of the density): read against the trend, a 0.23 m/s "raising" (confidence
    0.67).  A raising no larger than the interval's decay is no more than the drag
    pausing, and is not reported; without that rule it was."""
    import orbwatch.detect.maneuvers as mod
    from orbwatch.elements.readers import read_path
    from orbwatch.scenario import DEFAULT_START_US, build_scenario

    build_scenario("all", tmp_path, start_us=DEFAULT_START_US, days=30, seed=16,
                   background_size=40)
    sets = [s for s in read_path(tmp_path / "elements.json").sets if s.norad == 800017]
    assert sets and "DEB" in sets[0].name
    assert mod.detect_maneuvers(sets) == []
    monkeypatch.setattr(mod, "LULL_STEP_FACTOR", 0.0)
    assert [m.kind for m in mod.detect_maneuvers(sets)] == ["orbit_raising"]
