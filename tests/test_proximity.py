"""Proximity operations: synthetic truth through the real ingest path, and the
2023-04-13 catalogue snapshot (LEO stations, GEO clusters)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import owner_rows
from orbwatch.detect.proximity import detect_proximity, pair_profile, regime_of
from orbwatch.elements.model import ElementSet
from orbwatch.elements.tle import format_tle
from orbwatch.screen.engine import screen
from orbwatch.store import Store
from orbwatch.store.ingest import ingest_path
from orbwatch.time import parse_iso

DAY = 86_400_000_000
T0 = parse_iso("2024-01-01T00:00:00Z")
_J2, _RE, _MU = 1.08262998905e-3, 6378.135, 398600.8


def orbit(norad: int, name: str, n: float, raan: float, m: float, day: int,
          inc: float = 51.6) -> ElementSet:
    """A near-circular set at T0 + day, RAAN and mean anomaly carried from T0
    by two-body motion and J2 precession (the same rule for every object)."""
    a = (_MU / (n * 2 * math.pi / 86400) ** 2) ** (1 / 3)
    rate = -1.5 * (n * 2 * math.pi / 86400) * _J2 * (_RE / a) ** 2 * math.cos(math.radians(inc))
    dt = day * 86400.0
    return ElementSet(norad=norad, epoch_us=T0 + day * DAY, mean_motion=n, eccentricity=0.0001,
                      inclination=inc, raan=(raan + math.degrees(rate * dt)) % 360,
                      arg_perigee=0.0, mean_anomaly=(m + 360.0 * n * day) % 360, name=name,
                      intldes=f"2020-{norad % 1000:03d}A")


def write_and_ingest(tmp_path, sets) -> Store:
    lines = []
    for s in sets:
        lines += [s.name, *format_tle(s)]
    path = tmp_path / "synthetic.tle"
    path.write_text("\n".join(lines) + "\n")
    store = Store(str(tmp_path / "syn.db"))
    report = ingest_path(store, path, future_tolerance_days=None)
    assert report.rejected == 0
    return store


def crossing_anomaly(raan_t: float, raan_c: float, inc: float, m_t: float) -> float:
    """Mean anomaly of a circular object in the plane ``raan_c`` that reaches the
    planes' intersection together with the target (same period)."""
    def normal(raan):
        i, o = math.radians(inc), math.radians(raan)
        return np.array([math.sin(i) * math.sin(o), -math.sin(i) * math.cos(o), math.cos(i)])

    def u_of(d, raan):
        node = np.array([math.cos(math.radians(raan)), math.sin(math.radians(raan)), 0.0])
        q = np.cross(normal(raan), node)
        return math.degrees(math.atan2(d @ q, d @ node))

    d = np.cross(normal(raan_t), normal(raan_c))
    d /= np.linalg.norm(d)
    return (m_t + u_of(d, raan_c) - u_of(d, raan_t)) % 360


TARGET, CHASER, CORE, CARGO, CROSSER = 90001, 90002, 90010, 90011, 90020
OWNERS = {TARGET: "US", CHASER: "CIS", CORE: "ISS", CARGO: "US", CROSSER: "PRC"}
MANOEUVRE_DAY = 3


def scenario() -> list[ElementSet]:
    sets = []
    for d in range(7):
        sets.append(orbit(TARGET, "TARGET SAT", 15.2, 100.0, 0.0, d))
        if d < MANOEUVRE_DAY:  # 90 km higher, 1 deg off in RAAN, far in phase
            sets.append(orbit(CHASER, "CHASER", 14.9, 101.0, 40.0, d))
        else:  # into the target's plane, 0.03 deg (3.6 km) ahead
            sets.append(orbit(CHASER, "CHASER", 15.2, 100.0, 0.03, d))
    sets.append(orbit(CORE, "STATION (CORE)", 15.5, 200.0, 10.0, 0))
    sets.append(orbit(CARGO, "CARGO SHIP", 15.5, 200.0, 10.0, 0))
    sets.append(orbit(CROSSER, "CROSSER", 15.2, 160.0, crossing_anomaly(100.0, 160.0, 51.6, 0.0),
                      0))
    return sets


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    store = write_and_ingest(tmp_path_factory.mktemp("prox"), scenario())
    history = store.element_sets()
    objects = {o["norad"]: {**o, "owner": OWNERS[o["norad"]]} for o in store.objects()}
    report = detect_proximity(history, T0, T0 + 6 * DAY, objects=objects, regimes=["leo"])
    return history, report


def test_planted_approach_found_with_chaser_as_subject(synthetic):
    _, report = synthetic
    approach = [e for e in report.events if set(e.objects) == {TARGET, CHASER}]
    assert len(approach) == 1
    ev = approach[0]
    assert ev.objects == (CHASER, TARGET)  # the object that manoeuvred comes first
    assert abs(ev.start_us - (T0 + MANOEUVRE_DAY * DAY)) <= DAY  # within one set interval
    assert ev.evidence["label"] == "foreign approach"
    assert ev.evidence["owners"] == ["CIS", "US"]
    assert ev.evidence["manoeuvre"]["norad"] == CHASER
    assert ev.evidence["manoeuvre"]["delta_a_km"] < -50  # the 90 km descent
    assert 2.0 < ev.metrics["min_range_km"] < 6.0
    assert ev.metrics["rel_speed_kms"] < 0.01
    assert ev.metrics["coplanarity_deg"] < 0.01
    assert abs(ev.metrics["drift_km_per_day"]) < 1.0
    assert ev.metrics["duration_s"] >= 2 * 86400
    assert json.loads(ev.to_json())["kind"] == "proximity"
    # these sets are drawn day by day by a simple rule, not from one SGP4 trajectory:
    # each lands hundreds of km from its predecessor's prediction, and the error bar of
    # the minimum range says so (test_set_consistency plants and measures real ones)
    assert ev.uncertainty["min_range_km"] > 100.0


def test_docked_pair_labelled_and_nothing_else_flagged(synthetic):
    _, report = synthetic
    pairs = {frozenset(e.objects): e for e in report.events}
    assert set(pairs) == {frozenset({TARGET, CHASER}), frozenset({CORE, CARGO})}
    docked = pairs[frozenset({CORE, CARGO})]
    assert docked.evidence["label"] == "docked"
    assert docked.objects == (CORE, CARGO)  # no manoeuvre: the lower number first
    assert docked.metrics["min_range_km"] < 0.01
    assert docked.uncertainty["min_range_km"] is None  # one set each: no history to measure


def test_fast_crossing_is_a_conjunction_not_a_proximity(synthetic):
    history, report = synthetic
    at_day0 = [s for s in history if s.epoch_us == T0]
    res = screen(at_day0, T0, T0 + DAY // 4, threshold_km=50.0)
    ids = {s.norad: k for k, s in enumerate(at_day0)}
    crossings = [e for e in res.encounters if {e.i, e.j} == {ids[TARGET], ids[CROSSER]}]
    assert len(crossings) >= 2 and min(e.rel_speed_kms for e in crossings) > 3.0
    assert not any(CROSSER in e.objects for e in report.events)


def test_regime_split():
    sets = [orbit(1, "LEO", 15.2, 0, 0, 0), orbit(2, "GEO", 1.0027, 0, 0, 0, inc=0.05)]
    assert list(regime_of(sets)) == ["leo", "geo"]
    with pytest.raises(ValueError):
        detect_proximity(sets, T0, T0 + DAY, regimes=["lunar"])


def test_pair_profile_docked_is_zero():
    s = orbit(1, "A", 15.5, 10, 0, 0)
    p = pair_profile(s, orbit(2, "B", 15.5, 10, 0, 0), T0, T0 + DAY // 24)
    assert p["max_km"] < 1e-6 and p["max_rel_speed_kms"] < 1e-9


# --- real data: the 2023-04-13 snapshot ------------------------------------------------


@pytest.fixture(scope="module")
def snapshot_2023(shared_data):
    from orbwatch.elements.readers import read_path

    sets = read_path(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz",
                     future_tolerance_days=None).sets
    rows = owner_rows(shared_data)
    return sets, rows


def test_real_leo_stations_docked(snapshot_2023):
    sets, rows = snapshot_2023
    # the two station bands (ISS 51.6 deg, CSS 41.5 deg) keep the run short
    sub = [s for s in sets if s.mean_motion > 15.3 and
           (abs(s.inclination - 51.64) < 0.1 or abs(s.inclination - 41.47) < 0.1)]
    start = parse_iso("2023-04-01T00:00:00Z")
    report = detect_proximity(sub, start, start + DAY // 12, objects=rows, regimes=["leo"])
    docked = {frozenset(e.objects) for e in report.events if e.evidence["label"] == "docked"}
    # ISS (NAUKA) with its visiting vehicles, CSS (WENTIAN) with MENGTIAN and Shenzhou-15
    assert frozenset({49044, 55688}) in docked  # Nauka + Soyuz MS-23
    assert frozenset({49044, 55740}) in docked  # Nauka + Crew Dragon 6
    assert frozenset({53239, 54216}) in docked  # Wentian + Mengtian
    assert frozenset({53239, 54379}) in docked  # Wentian + Shenzhou-15
    # ISS (ZARYA)'s set is 1.74 d newer than Nauka's with a reboost between: on
    # paper the two are ~200 km apart, yet they are modules of one station
    zn = next(e for e in report.events if set(e.objects) == {25544, 49044})
    assert zn.evidence["label"] == "docked" and zn.metrics["min_range_km"] > 100
    assert zn.evidence["stack_link"]["epoch_gap_days"] > 1.5
    assert "change of semi-major axis" in zn.evidence["docked_basis"]
    assert set(zn.evidence["stack"]) == {25544, 49044, 54232, 55560, 55688, 55740, 55860}
    # Tianhe's set is 1.35 d older than Wentian's, no reboost: same orbit at own epochs
    tw = next(e for e in report.events if set(e.objects) == {48274, 53239})
    assert tw.evidence["label"] == "docked"
    assert tw.evidence["stack_link"]["own_epoch_km"] < 5.0
    assert sum(e.evidence["label"] == "docked" for e in report.events) == len(report.events)


def test_real_close_formations_are_not_docked(shared_data):
    """Separate spacecraft as close on paper as a stack: TerraSAR-X / TanDEM-X
    (helix formation, 0.1-0.6 km) in 2019-12-19, Cosmos 2535 / 2543 (0.6 km
    apart at their own epochs) in 2020-07-13."""
    from orbwatch.elements.readers import read_path

    for snap, pair in (("odap_spacetrack_3le_2019-12-19.txt.gz", {31698, 36605}),
                       ("esri_tle_2020-07-13.txt.gz", {44421, 44835})):
        sets = [s for s in read_path(shared_data / "catalog" / snap,
                                     future_tolerance_days=None).sets if s.norad in pair]
        t = max(s.epoch_us for s in sets)
        ev = detect_proximity(sets, t - DAY // 8, t + DAY // 8, regimes=["leo"]).events
        assert len(ev) == 1 and ev[0].metrics["min_range_km"] < 5.0
        assert ev[0].evidence["label"] != "docked" and ev[0].evidence["docked_basis"] is None


def test_real_geo_same_owner_clusters(snapshot_2023):
    sets, rows = snapshot_2023
    geo = [s for s, r in zip(sets, regime_of(sets), strict=True) if r == "geo"]
    start = parse_iso("2023-04-01T00:00:00Z")
    report = detect_proximity(geo, start, start + DAY // 4, objects=rows, regimes=["geo"])
    labels = [e.evidence["label"] for e in report.events]
    clusters = [e for e in report.events if e.evidence["label"] == "same-owner cluster"]
    assert len(clusters) >= 20
    assert {e.evidence["owners"][0] for e in clusters} >= {"SES", "ITSO"}
    assert all(e.metrics["min_range_km"] <= 300.0 for e in report.events)
    assert labels.count("foreign approach") > 0
    # Luch (Olymp) parked next to Intelsat 37e at 18 deg W: a foreign approach
    luch = next(e for e in report.events if set(e.objects) == {40258, 42950})
    assert luch.evidence["label"] == "foreign approach"
    assert set(luch.evidence["owners"]) == {"CIS", "ITSO"}
    assert luch.metrics["min_range_km"] < 80 and luch.metrics["rel_speed_kms"] < 0.01
    assert luch.metrics["duration_s"] == DAY / 4 / 1e6  # in range all window long
    assert all(-18.2 < lon < -17.9 for lon in luch.evidence["longitudes_deg"])
    # slow means coplanar here: no pair above the data-derived 0.05 km/s
    assert max(e.metrics["rel_speed_kms"] for e in report.events) <= 0.05


def test_cli_json_and_user_errors(tmp_path, capsys):
    import orbwatch.cli.proximity  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main

    write_and_ingest(tmp_path, scenario())
    args = ["proximity", "--catalog", str(tmp_path / "synthetic.tle"), "--start",
            "2024-01-01T00:00:00Z", "--days", "6", "--regime", "leo", "--format", "json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(tuple(e["objects"]) for e in out) == [(CHASER, TARGET), (CORE, CARGO)]
    assert main(args[:-2] + ["--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("kind,label,subject")
    assert main(["proximity", "--catalog", str(tmp_path / "synthetic.tle"),
                 "--regime", "lunar"]) == 1
    assert "--regime" in capsys.readouterr().err
    # --at centres a window of --days on the instant
    for days in ("2", "6"):
        assert main(["proximity", "--catalog", str(tmp_path / "synthetic.tle"), "--at",
                     "2024-01-04T00:00:00Z", "--days", days, "--regime", "leo",
                     "--format", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        half = float(days) / 2 * DAY
        assert out and min(parse_iso(e["start"]) for e in out) == T0 + 3 * DAY - half
        assert max(parse_iso(e["end"]) for e in out) <= T0 + 3 * DAY + half


def _drifting_pair(km_higher: float, lined_up_days: float):
    """Two coplanar circular orbits, the second ``km_higher`` up (so drifting back),
    phased to line up ``lined_up_days`` after T0."""
    a1 = (_MU / (15.2 * 2 * math.pi / 86400) ** 2) ** (1 / 3)
    n2 = math.sqrt(_MU / (a1 + km_higher) ** 3) * 86400 / (2 * math.pi)
    dm = (15.2 - n2) * 360.0 * lined_up_days
    return orbit(1, "A SAT", 15.2, 100.0, 0.0, 0), orbit(2, "B SAT", n2, 100.0, dm % 360, 0)


def test_relative_speed_is_read_in_the_rotating_frame():
    """Two satellites holding station on one orbit 1.2 deg apart (144 km) have no
    relative motion: the LVLH speed is nil while the plain difference of inertial
    velocities is the orbit's rate times the distance (0.16 km/s), which the old
    reading took for an approach speed.  With a 200 km threshold the pair is found."""
    a = orbit(1, "A SAT", 15.2, 100.0, 10.0, 0)
    b = orbit(2, "B SAT", 15.2, 100.0, 8.8, 0)
    p = pair_profile(a, b, T0, T0 + DAY // 4, 30.0)
    w = 15.2 * 2 * math.pi / 86400
    assert 143.0 < p["min_km"] < 145.0
    assert p["max_rel_speed_kms"] < 1e-3
    assert p["inertial_rel_speed_kms"] == pytest.approx(w * p["min_km"], rel=0.02)
    rep = detect_proximity([a, b], T0, T0 + DAY // 4, regimes=["leo"],
                           thresholds_km={"leo": 200.0},
                           objects={1: {"owner": "US"}, 2: {"owner": "CIS"}})
    assert len(rep.events) == 1
    m = rep.events[0].metrics
    assert m["rel_speed_kms"] < 1e-3 and m["inertial_rel_speed_kms"] > 0.15


def test_a_stay_cut_by_a_segment_boundary_is_one_approach():
    """One slow pass (17 min within 50 km) reads the same whether a segment boundary
    falls on its closest approach or not; a pair parked 3.6 km apart all day is one
    approach however finely the day is cut."""
    a, b = _drifting_pair(38.0, 1.0)
    tca = pair_profile(a, b, T0, T0 + 2 * DAY, 10.0)["t_min_us"]
    objs = {1: {"owner": "US"}, 2: {"owner": "CIS"}}
    reads = []
    for s0 in (tca - DAY, tca - DAY // 2):  # boundary at the closest approach; mid-segment
        ev = detect_proximity([a, b], s0, s0 + 2 * DAY, regimes=["leo"], objects=objs).events
        assert len(ev) == 1
        reads.append((ev[0].evidence["label"], ev[0].metrics["approaches"],
                      round(ev[0].metrics["min_range_km"], 1)))
        assert 900.0 <= ev[0].metrics["duration_s"] <= 1100.0
    assert reads[0] == reads[1] and reads[0][1] == 1
    chaser, target = orbit(1, "A SAT", 15.2, 100.0, 10.0, 0), orbit(2, "B", 15.2, 100.0, 10.03, 0)
    for hours in (24.0, 6.0, 1.0):
        (ev,) = detect_proximity([chaser, target], T0, T0 + DAY, regimes=["leo"], objects=objs,
                                 segment_s=hours * 3600.0).events
        assert ev.metrics["approaches"] == 1 and ev.metrics["duration_s"] == 86400.0


def test_a_drift_through_reads_the_same_in_any_window():
    """A pair drifting 290 km/day through 50 km of each other (8 h in range) is a
    drift-through in a window of one, two or three days centred on it, and one drifting
    147 km/day (17 h in range) stays in each: persistence is the pair's (in range half a
    day, or a drift that would keep it there that long), not a share of the window."""
    for km, label in ((1.0, "foreign approach"), (2.0, "drift-through")):
        a, b = _drifting_pair(km, 1.5)
        tca = pair_profile(a, b, T0, T0 + 3 * DAY, 60.0)["t_min_us"]
        objs = {1: {"owner": "US"}, 2: {"owner": "CIS"}}
        for days in (1, 2, 3):
            s0 = tca - days * DAY // 2
            (ev,) = detect_proximity([a, b], s0, s0 + days * DAY, regimes=["leo"],
                                     objects=objs).events
            assert ev.evidence["label"] == label, (km, days)
            assert abs(ev.metrics["drift_km_per_day"]) > 100.0


def test_a_stale_set_lowers_the_confidence():
    """A pair parked 3.6 km apart, one of them known only from a set 20 days old
    (beyond STALE_DAYS): still reported, at confidence 0.5, that set flagged stale
    with its age; with both sets fresh, confidence 1."""
    from orbwatch.detect.proximity import STALE_DAYS

    objs = {1: {"owner": "US"}, 2: {"owner": "CIS"}}
    fresh = orbit(2, "B", 15.2, 100.0, 10.03, 0)
    for day, conf in ((-20, 0.5), (0, 1.0)):
        old = _placed(orbit(1, "A SAT", 15.2, 100.0, 10.0, day),
                      orbit(1, "A SAT", 15.2, 100.0, 10.0, 0), T0)
        (ev,) = detect_proximity([old, fresh], T0, T0 + DAY // 4, regimes=["leo"],
                                 objects=objs).events
        assert ev.confidence == conf
        sets = {s["norad"]: s for s in ev.evidence["element_sets"]}
        assert sets[1]["stale"] is (abs(day) > STALE_DAYS) and sets[2]["stale"] is False


def _placed(s: ElementSet, where: ElementSet, at_us: int) -> ElementSet:
    """``s`` with its mean anomaly shifted so that SGP4 puts it where ``where`` is at
    ``at_us`` along the track (an old set that still predicts the position well)."""
    import dataclasses

    from orbwatch.time import jd_fr

    jd, fr = jd_fr(np.array([at_us]))
    for _ in range(3):
        _, r1, v1 = where.satrec().sgp4_array(jd, fr)
        _, r2, _ = s.satrec().sgp4_array(jd, fr)
        lead = math.degrees(float(np.dot((r1 - r2)[0], v1[0])) / float(np.linalg.norm(v1[0]))
                            / float(np.linalg.norm(r1[0])))
        s = dataclasses.replace(s, mean_anomaly=(s.mean_anomaly + lead) % 360.0)
    return s


def test_a_manoeuvre_is_named_only_where_it_made_the_approach():
    """Element sets published (scenario machinery: SGP4-consistent, with set noise) for
    two satellites of one orbit, 840 km apart.  When A lowers its orbit by 1 km (0.56
    m/s) it drifts onto B six days later: the burn made the approach and A is its
    subject.  When instead B sits 2 km higher and drifts past A by itself while A trims
    its inclination (3 m/s normal) six days before, A's set from before the trim comes
    as close: the trim is seen, not blamed, and the pass is a drift-through."""
    from orbwatch.scenario.build import catalogue_sets
    from orbwatch.scenario.planted import _EARLIEST, Track, burn, make_set

    a = 6378.137 + 500.0
    objs = {1: {"owner": "US"}, 2: {"owner": "CIS"}}

    def run(b_km_higher, b_ahead_deg, dv_rtn):
        a0 = make_set(1, T0, a_km=a, inc=51.6, raan=100.0, name="A SAT")
        b0 = make_set(2, T0, a_km=a + b_km_higher, inc=51.6, raan=100.0, ma=b_ahead_deg,
                      name="B SAT")
        ta, tb = Track(1, [(_EARLIEST, a0)], "US"), Track(2, [(_EARLIEST, b0)], "CIS")
        burn(ta, T0 + 2 * DAY, dv_rtn, "test burn")
        sets = catalogue_sets([ta, tb], T0, T0 + 12 * DAY, 1)
        tca = pair_profile(ta.segments[-1][1], b0, T0 + 3 * DAY, T0 + 11 * DAY, 60.0)["t_min_us"]
        (ev,) = detect_proximity(sets, tca - DAY // 2, tca + DAY // 2, regimes=["leo"],
                                 objects=objs).events
        return ev

    made = run(0.0, 7.0, (0.0, -0.00056, 0.0))
    assert made.objects[0] == 1 and made.evidence["label"] == "foreign approach"
    assert made.evidence["subject_reason"] == "manoeuvre before first approach"
    lo, hi = (parse_iso(t) for t in made.evidence["manoeuvre"]["between"])
    assert lo <= T0 + 2 * DAY <= hi
    n2 = math.sqrt(_MU / (a + 2.0) ** 3) * 86400 / (2 * math.pi)
    n1 = math.sqrt(_MU / a**3) * 86400 / (2 * math.pi)
    past = run(2.0, (n1 - n2) * 360.0 * 8.0, (0.0, 0.0, 0.003))
    assert past.evidence["label"] == "drift-through" and past.evidence["manoeuvre"] is None
    assert past.evidence["manoeuvres_not_causal"] == [1]
