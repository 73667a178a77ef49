"""The inspector pattern: synthetic truth, and what the public Cosmos 2542 /
USA 245 data can and cannot show."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import owner_rows
from orbwatch.detect.inspector import detect_inspections, inspect_history
from orbwatch.detect.proximity import detect_proximity, pair_profile, plane_angle_deg
from orbwatch.elements.tle import read_tle
from orbwatch.time import parse_iso
from test_proximity import DAY, T0, orbit, write_and_ingest

INSPECTOR = 91000
TARGETS = [(91001, "US", 15.0, 10.0), (91002, "FR", 14.8, 40.0), (91003, "JPN", 14.6, 70.0)]


def test_inspector_visits_three_targets_in_order(tmp_path):
    sets = []
    for d in range(9):
        for norad, _, n, raan in TARGETS:
            sets.append(orbit(norad, f"TARGET {norad}", n, raan, 0.0, d))
        norad, _, n, raan = TARGETS[d // 3]  # three days parked at each, 3.6 km ahead
        sets.append(orbit(INSPECTOR, "INSPECTOR 1", n, raan, 0.03, d))
    store = write_and_ingest(tmp_path, sets)
    owners = {INSPECTOR: "CIS", **{t[0]: t[1] for t in TARGETS}}
    objects = {o["norad"]: {**o, "owner": owners[o["norad"]]} for o in store.objects()}
    proximities, inspections = inspect_history(store.element_sets(), T0, T0 + 9 * DAY,
                                               objects=objects, regimes=["leo"])
    assert {frozenset(e.objects) for e in proximities} == \
        {frozenset({INSPECTOR, t[0]}) for t in TARGETS}
    assert len(inspections) == 1
    ev = inspections[0]
    assert ev.kind == "inspection"
    assert ev.objects == (INSPECTOR, 91001, 91002, 91003)
    assert [t["norad"] for t in ev.evidence["targets"]] == [91001, 91002, 91003]
    assert [t["owner"] for t in ev.evidence["targets"]] == ["US", "FR", "JPN"]
    assert ev.evidence["foreign_targets"] == 3
    for k, t in enumerate(ev.evidence["targets"]):
        assert abs(parse_iso(t["start"]) - (T0 + 3 * k * DAY)) <= DAY
        assert t["min_range_km"] < 6.0
    # the two relocations are seen in the inspector's element-set history: the
    # proximity events of the second and third targets name its manoeuvre
    assert ev.metrics["relocations_seen"] == 2
    assert [t["inspector_manoeuvred"] for t in ev.evidence["targets"]] == [False, True, True]
    assert ev.start_us == T0 and ev.end_us == T0 + 9 * DAY
    # each stop carries its proximity event's error bar on the minimum range, and the
    # inspection the nearest stop's (what the norms engine weighs against a limit)
    by_target = {e.objects[1] if e.objects[0] == INSPECTOR else e.objects[0]: e
                 for e in proximities}
    for t in ev.evidence["targets"]:
        assert t["min_range_sigma_km"] == by_target[t["norad"]].uncertainty["min_range_km"]
    nearest = min(ev.evidence["targets"], key=lambda t: t["min_range_km"])
    assert ev.metrics["min_range_km"] == nearest["min_range_km"]
    assert ev.uncertainty["min_range_km"] == nearest["min_range_sigma_km"] is not None
    # the first two visits alone are an inspection of two targets; one visit is none
    (two,) = detect_inspections(proximities[:2])
    assert two.objects == (INSPECTOR, 91001, 91002)
    assert detect_inspections(proximities[:1]) == []


def test_cosmos_2542_and_usa_245_what_the_data_show(shared_data):
    """Cosmos 2542 (44797) shadowed USA 245 (39232) in Jan-Feb 2020.  USA 245 is
    classified and in no public catalogue; the only public elements are one amateur
    set of 2020-04-19.  What they show: the orbits were near-coplanar (within
    about 1 deg, J2 precession included) with similar perigee/apogee.  What they
    cannot show: how close the two came, or when, because the USA 245 set is
    ~110 days away from the shadowing period, so its along-track position then is
    unknown (a range computed from it is flagged stale)."""
    text = (shared_data / "rpo/anakesh_cosmos2542_usa245_tles.txt").read_text()
    sets = read_tle(text, future_tolerance_days=None).sets
    cosmos = [s for s in sets if s.norad == 44797]
    usa = [s for s in sets if s.norad == 39232]
    assert len(cosmos) == 5 and len(usa) == 1
    jan = parse_iso("2020-01-15T00:00:00Z")
    angle = plane_angle_deg(cosmos[-1], usa[0], jan)
    assert angle < 1.5  # near-coplanar
    assert abs(cosmos[-1].perigee_km - usa[0].perigee_km) < 120
    assert abs(cosmos[-1].apogee_km - usa[0].apogee_km) < 180
    # a range can be computed (tens to thousands of km depending on the day) but
    # it is no evidence: the USA 245 set is ~95 days from the window
    prof = pair_profile(cosmos[-1], usa[0], jan, jan + DAY, 30.0)
    assert prof["ok"] and prof["plane_deg"] < 1.5
    assert (usa[0].epoch_us - jan) / DAY > 90
    # and the detector reports nothing: placed by that set, USA 245 is nowhere near
    # Cosmos 2542 in January (a stale set's pair would carry the stale flag:
    # test_proximity.py::test_a_stale_set_lowers_the_confidence)
    assert detect_proximity(sets, jan, jan + 3 * DAY, regimes=["leo"]).events == []


@pytest.mark.parametrize("snapshot", ["odap_spacetrack_3le_2019-12-19.txt.gz",
                                      "esri_tle_2020-07-13.txt.gz"])
def test_cosmos_2542_2543_in_snapshots(shared_data, snapshot):
    """The snapshots hold COSMOS 2542 and 2543 but not USA 245, so no approach
    to it can be shown.  In 2020-07-13 COSMOS 2543 (44835) is within ~5 km of
    COSMOS 2535 (44421), co-planar, two days before the 2020-07-15 release."""
    from orbwatch.elements.readers import read_path

    sets = read_path(shared_data / "catalog" / snapshot, future_tolerance_days=None).sets
    by = {s.norad: s for s in sets}
    assert 44797 in by and 44835 in by and 39232 not in by
    k = by[44797]
    band = [s for s in sets if abs(s.inclination - k.inclination) < 0.5
            and 13.5 < s.mean_motion < 16.0]
    report = detect_proximity(band, k.epoch_us - DAY // 4, k.epoch_us + DAY // 4,
                              regimes=["leo"])
    pairs = {frozenset(e.objects): e for e in report.events}
    assert not any(39232 in p for p in pairs)
    if snapshot.startswith("esri"):
        ev = pairs[frozenset({44421, 44835})]
        assert ev.metrics["min_range_km"] < 6.0 and ev.metrics["coplanarity_deg"] < 0.05


def test_luch_olymp_is_one_inspection_across_snapshots(shared_data):
    """The whole GEO belt in four snapshots (6 h each, 2016-2019): Luch (Olymp)
    is reported once, with the foreign satellites it parked next to in turn
    (Eutelsat 10A at 10 E, Paksat 1R at 38 E, Turksat 4B at 50 E, Eutelsat 70B
    at 70.5 E), moving between each; nothing tells the detector where to look."""
    from orbwatch.detect.inspector import inspect_snapshots
    from orbwatch.elements.readers import read_path

    rows = owner_rows(shared_data)
    snaps = []
    for name in ("esri_tle_2016-10-02.txt.gz", "esri_tle_2017-11-28.txt.gz",
                 "keeptrack_TLE_2018-08-20.json.gz", "odap_spacetrack_3le_2019-12-19.txt.gz"):
        sets = read_path(shared_data / "catalog" / name, future_tolerance_days=None).sets
        snaps.append([s for s in sets if 0.9 < s.mean_motion < 1.1 and s.eccentricity < 0.1])
    events, found = inspect_snapshots(snaps, days=0.25, regimes=["geo"], objects=rows)
    luch = [e for e in found if 40258 in e.objects]
    assert len(luch) == 1
    ev = luch[0]
    assert ev.objects[0] == 40258 and ev.evidence["inspector"]["owner"] == "CIS"
    targets = ev.evidence["targets"]
    assert [t["norad"] for t in targets] == [34710, 37779, 40984, 39020]
    assert [t["owner"] for t in targets] == ["EUTE", "PAKI", "TURK", "EUTE"]
    assert ev.evidence["foreign_targets"] == 4 and ev.metrics["relocations_seen"] == 3
    assert all(t["min_range_km"] < 120 for t in targets)
    lons = [t["longitude_deg"] for t in targets]
    assert all(abs(b - a) > 5 for a, b in zip(lons, lons[1:], strict=False))
    assert ev.confidence == 0.9 and ev.metrics["mobility"] == 1.0
    # parked objects whose neighbour arrived are not inspectors: no inspection
    # has a target of Luch's as its subject with Luch as a target
    assert not any(40258 in e.objects[1:] for e in found)


def test_cli_per_file_reports_the_inspector(shared_data, tmp_path, capsys):
    """``orbwatch proximity --per-file``: each file one snapshot.  Two GEO arcs
    (Luch's neighbourhood in 2018 at 50 E and 2019 at 70.5 E, written as TLE
    files) give one inspection with its two targets."""
    import json

    import orbwatch.cli.proximity  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main
    from orbwatch.detect.proximity import longitude_deg
    from orbwatch.elements.readers import read_path
    from orbwatch.elements.tle import format_tle

    args = ["proximity", "--per-file", "--regime", "geo", "--days", "0.25", "--format", "json",
            "--satcat", str(shared_data / "satcat/esri_oio_2020-07-14.csv.gz")]
    for name, lon in (("keeptrack_TLE_2018-08-20.json.gz", 49.9),
                      ("odap_spacetrack_3le_2019-12-19.txt.gz", 70.6)):
        sets = read_path(shared_data / "catalog" / name, future_tolerance_days=None).sets
        arc = [s for s in sets if 0.9 < s.mean_motion < 1.1 and s.eccentricity < 0.1
               and abs(longitude_deg(s, s.epoch_us) - lon) < 3.0]
        path = tmp_path / f"{name}.tle"
        path.write_text("".join(f"{s.name or s.norad}\n" + "\n".join(format_tle(s)) + "\n"
                                for s in arc))
        args += ["--catalog", str(path)]
    assert main([*args, "--figures", str(tmp_path / "figs")]) == 0
    out = json.loads(capsys.readouterr().out)
    found = [e for e in out if e["kind"] == "inspection" and e["objects"][0] == 40258]
    assert len(found) == 1
    assert [t["norad"] for t in found[0]["evidence"]["targets"]] == [40984, 39020]
    # --figures: a range figure per pair, the inspection's stops with its longitude track
    pngs = {p.name for p in (tmp_path / "figs").iterdir()}
    assert "40258_inspection.png" in pngs
    assert len(pngs) == sum(e["kind"] in ("proximity", "inspection") for e in out)
    drawn = {frozenset(map(int, n.split("_")[:2])) for n in pngs if n.endswith("_range.png")}
    assert {frozenset({40258, 40984}), frozenset({40258, 39020})} <= drawn
    assert main(["proximity", "--per-file", "--regime", "geo"]) == 1
    assert "--per-file needs --catalog" in capsys.readouterr().err
    one = args[args.index("--catalog") + 1]
    assert main([*args[:2], "--catalog", one, "--at", "2019-12-19"]) == 1
    assert "--start and --at do not apply" in capsys.readouterr().err
    # the same snapshot twice (two files of one median epoch) is no crash
    copy = tmp_path / "copy.tle"
    copy.write_text(Path(one).read_text())
    figs = tmp_path / "twice"
    assert main([*args[:10], "--catalog", one, "--catalog", str(copy), "--figures",
                 str(figs)]) == 0
    cap = capsys.readouterr()
    # the same pairs found in both copies: each event its own file, none overwritten
    out = json.loads(cap.out)
    assert len(list(figs.iterdir())) == len(out) > 0
    assert f"{len(out)} figure(s)" in cap.err


def test_roving_among_own_objects_is_not_an_inspection_of_others():
    """assess_mobility: an object that moves at every snapshot is "roving", but its
    confidence stays 0.6 unless two or more of its targets are foreign-owned (0.9)."""
    from orbwatch.detect.inspector import assess_mobility
    from orbwatch.events import Event

    sets = {lon: orbit(92000, "ROVER", 1.0027, 0.0, lon, 0, inc=0.05) for lon in (0, 40, 80, 120)}
    snaps = [[dataclasses.replace(sets[lon], epoch_us=T0 + k * 30 * DAY)]
             for k, lon in enumerate(sets)]
    for foreign, conf in ((0, 0.6), (1, 0.6), (2, 0.9)):
        ev = Event(kind="inspection", objects=(92000, 92001, 92002), epoch_us=T0, start_us=T0,
                   end_us=T0 + DAY, confidence=0.6,
                   evidence={"targets": [{"longitude_deg": 10.0}, {"longitude_deg": 50.0}],
                             "foreign_targets": foreign})
        (out,) = assess_mobility([ev], snaps)
        assert out.evidence["assessment"] == "roving inspector"
        assert out.metrics["mobility"] == 1.0 and out.confidence == conf
