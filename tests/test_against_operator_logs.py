"""Manoeuvre detection against operator logs (regression floors).

Truth: raw operator logs of the Shorten et al. benchmark (burns within 1 day
merged; only observable truth inside the TLE span, see
``benchmarks/maneuvers.py``, which this test loads).  Scores are one-to-one
matches of the estimated epochs within +-1 day and +-12 h.  Floors are the
values measured with the default threshold (same for every satellite) minus
``MARGIN``, so regressions are caught; the whole benchmark is run once.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_benchmark
from orbwatch.detect.maneuvers import detect_maneuvers, match_times

bench = load_benchmark("maneuvers")

#: satellite -> (F1 within 1 day, F1 within 12 h) measured at the default threshold after
#: the LEO pair-median residual score, single-interval steps, onset placement, leap seconds
#: and the plane-turn check; GEO after the per-object quiet-tail threshold (tail_factor)
MEASURED = {
    "CryoSat-2": (0.91, 0.84),  # LEO
    "Jason-1": (0.54, 0.35),  # LEO (slow sets: kinks confirmed by a over two weeks)
    "Jason-2": (0.86, 0.69),  # LEO (campaign runs; its 18 orbit-neutral events left out)
    "TOPEX": (0.36, 0.16),  # LEO
    "Sentinel-3A": (0.93, 0.93),  # LEO
    "Sentinel-6A": (0.82, 0.64),  # LEO (11 events: one miss moves F1 by ~0.1)
    "Fengyun-2D": (0.92, 0.82),  # GEO (detections of unobservable burns ignored)
    "Fengyun-2E": (0.88, 0.82),  # GEO
    "Fengyun-2F": (0.90, 0.84),  # GEO (a plane campaign at its first interval)
    "Fengyun-4A": (0.79, 0.71),  # GEO
}
#: pooled F1 (+-1 day, +-12 h) per regime
MEASURED_POOLED = {"LEO": (0.77, 0.65), "GEO": (0.87, 0.80), "ALL": (0.80, 0.70)}
MARGIN = 0.05


@pytest.fixture(scope="module")
def result(shared_data):
    return bench.evaluate(shared_data)


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_f1_floor(result, name):
    got = result["satellites"][name]
    want_day, want_12h = MEASURED[name]
    small = 0.1 if got["1d"]["truth"] < 20 else 0.0  # a handful of events: one is ~0.1
    assert got["1d"]["f1"] >= want_day - MARGIN - small, (name, got["1d"])
    assert got["12h"]["f1"] >= want_12h - MARGIN - small, (name, got["12h"])


@pytest.mark.parametrize("group", sorted(MEASURED_POOLED))
def test_pooled_f1_floor(result, group):
    got = result["pooled"][group]
    want_day, want_12h = MEASURED_POOLED[group]
    assert got["1d"]["f1"] >= want_day - MARGIN / 2, (group, got["1d"])
    assert got["12h"]["f1"] >= want_12h - MARGIN / 2, (group, got["12h"])


#: measured share of the detections matching a logged east-west burn that are typed east-west
#: (the plane counts only where the cross-track motion confirms a turn and its step clears
#: the plane features' own quiet tail); every detection
#: matching one of the logs' few north-south burns (Fengyun-4A: 3 matched) is typed north-south
EAST_WEST_SHARE = {"Fengyun-2D": 1.0, "Fengyun-2E": 0.98, "Fengyun-2F": 0.95, "Fengyun-4A": 0.97}


def _typed(shared_data, name):
    """(logged kind, detected kind) of every detection matching a logged burn."""
    from orbwatch.time import us_from_datetime64

    sets, truth = bench.load_case(shared_data, name)
    log = bench.operator_log(shared_data, name)
    starts = us_from_datetime64(log.starts())
    found = detect_maneuvers(sets)
    det = np.array([m.epoch_us for m in found], dtype=np.int64)
    out = []
    for a, b in match_times(det, truth, bench.DAY_US):
        logged = {m.kind for m, t0 in zip(log.maneuvers, starts, strict=True)
                  if truth[b] <= t0 < truth[b] + bench.DAY_US}
        kind = "ns" if any(k and "NS" in k for k in logged) else "ew"
        out.append((kind, found[a].kind))
    return out


@pytest.mark.parametrize("name", sorted(EAST_WEST_SHARE))
def test_geo_burns_are_typed_as_logged(shared_data, name):
    typed = _typed(shared_data, name)
    ew = [d for k, d in typed if k == "ew"]
    share = sum(d == "geo_ew_station_keeping" for d in ew) / len(ew)
    assert share >= EAST_WEST_SHARE[name] - MARGIN, (name, share)
    assert all(d == "geo_ns_station_keeping" for k, d in typed if k == "ns"), typed


def test_confidence_is_calibrated(result):
    """In every confidence bin with enough detections, the fraction that matches a
    logged manoeuvre within a day is close to the mean confidence there."""
    bins = [b for b in bench.reliability(result["confidence"]) if b["n"] >= 30]
    assert len(bins) >= 3
    for b in bins:
        assert abs(b["matched"] - b["mean_confidence"]) <= 0.12, b


def test_confidence_constants_are_the_fit_and_hold_out_of_sample(shared_data):
    """The shipped logistic is the log-loss fit to today's detections (it drifts as the
    detector changes: refit it when this fails), and with each satellite scored by a fit
    to the other nine the bins stay within 0.2 of their matched share (measured: 0.18)."""
    cal = bench.calibration_check(shared_data)
    assert cal["refit"] == pytest.approx(cal["shipped"], abs=0.1)
    bins = [b for b in cal["held_out"] if b["n"] >= 30]
    assert len(bins) >= 3
    for b in bins:
        assert abs(b["matched"] - b["mean_confidence"]) <= 0.2, b


def test_unobservable_truth_is_only_a_few_events(shared_data):
    _, seen = bench.load_case(shared_data, "TOPEX")
    _, every = bench.load_case(shared_data, "TOPEX", observable_only=False)
    assert 0 < every.size - seen.size <= 3


def test_precision_rises_with_threshold(shared_data):
    lo = bench.evaluate(shared_data, ["Fengyun-2F"], threshold=5.0)["pooled"]["ALL"]["1d"]
    hi = bench.evaluate(shared_data, ["Fengyun-2F"], threshold=16.0)["pooled"]["ALL"]["1d"]
    assert hi["precision"] >= lo["precision"] and hi["recall"] <= lo["recall"]


def test_confidence_does_not_depend_on_the_reporting_threshold(shared_data):
    """A burn reported at a lower or higher threshold keeps the confidence it has at the
    default: the threshold decides what is reported, not how likely it is to be real.
    Over the benchmark, 98 % of the detections found at both thresholds (same epoch and
    type) keep it exactly; the rest came from another step window or test there.  (When
    the confidence was read against the threshold given, 26-37 % kept it, and it rose
    by 0.03 on average at threshold 5 and fell by 0.05 at 16.)"""
    diffs = {5.0: [], 16.0: []}
    counts = {}
    for name in ("Sentinel-3A", "Fengyun-2D", "Fengyun-4A", "Jason-1", "CryoSat-2"):
        sets, _ = bench.load_case(shared_data, name)
        at = {t: {(m.epoch_us, m.kind): m.confidence
                  for m in detect_maneuvers(sets, threshold=t)}
              for t in (5.0, bench.DEFAULT_THRESHOLD, 16.0)}
        for t in diffs:
            diffs[t] += [at[t][c] - at[bench.DEFAULT_THRESHOLD][c]
                         for c in at[t].keys() & at[bench.DEFAULT_THRESHOLD].keys()]
        counts[name] = (len(at[5.0]), len(at[16.0]))
    for t, d in diffs.items():
        d = np.array(d)
        assert d.size > 150, t
        assert np.mean(np.abs(d) < 1e-9) >= 0.95, (t, np.mean(np.abs(d) < 1e-9))
        assert abs(d.mean()) < 0.01, (t, d.mean())
    assert all(lo > hi for lo, hi in counts.values())  # the threshold still decides what is reported


def test_no_detection_at_leap_seconds(shared_data):
    """Jason-2 sets straddle four leap seconds; propagated over the POSIX difference of
    their epochs they jump 7 km along track there (read as burns before the fix)."""
    from orbwatch.detect.maneuvers import detect_maneuvers
    from orbwatch.time import us_from_datetime64

    sets, _ = bench.load_case(shared_data, "Jason-2")
    found = np.array([m.epoch_us for m in detect_maneuvers(sets)])
    leaps = us_from_datetime64(np.array(["2009-01-01", "2012-07-01", "2015-07-01", "2017-01-01"],
                                        dtype="datetime64[us]"))
    assert np.min(np.abs(found[:, None] - leaps[None, :])) > 2 * bench.DAY_US


def test_jason2_campaign_burns_each_found(shared_data):
    """Jason-2's move to its long-repeat orbit (operator log, 2017-07-03..06): lowering
    burns on four consecutive days, one in each interval between daily sets (semi-major
    axis steps of -4.7, -4.6, -9.0 and -8.6 km).  The first two lie within a day (one
    event); each of the others is its own detection, typed as lowering, with the
    delta-v of its own interval (logged: 2.2, 2.1, 4.2 and 4.0 m/s, each a pair of
    burns), not the campaign's sum (13 m/s before the campaign rule)."""
    from orbwatch.time import format_iso

    sets, _ = bench.load_case(shared_data, "Jason-2")
    found = [m for m in detect_maneuvers(sets)
             if "2017-07-03" <= format_iso(m.epoch_us, 0) < "2017-07-08"]
    days = [format_iso(m.epoch_us, 0)[:10] for m in found]
    assert days == ["2017-07-03", "2017-07-05", "2017-07-06"], days
    assert all(m.kind == "orbit_lowering" for m in found)
    assert all(1.5 < m.delta_v_mps < 6.0 for m in found), [m.delta_v_mps for m in found]


def test_a_found_burn_left_out_as_unobservable_is_not_a_false_alarm(result, shared_data):
    """A logged burn with no set within 3 days on a side is left out of the truth; a
    detection of it is then neither true nor false (it was counted a false alarm).
    Fengyun-4A's burn of 2021-10-18 08:16 UTC (next set 3.6 days later) is placed by
    its phase kink about an hour from the log."""
    day = bench.DAY_US
    truth = np.array([10, 40]) * day
    hidden = np.array([20, 60]) * day
    det = np.array([10.2, 20.3, 30.0, 40.1, 40.4]) * day
    keep = bench.scored(det.astype(np.int64), truth, hidden, day)
    # the two matches of the truth and the stray at day 30 are scored; the detection of
    # the hidden burn at day 20 is not; the second detection near day 40 takes no
    # hidden burn (none within a day) and stays a false alarm
    assert keep.tolist() == [True, False, True, True, True]
    # near both a scored and a hidden burn: the scored truth takes the nearer detection
    # first, the other detection is the hidden burn's
    keep = bench.scored((np.array([10.2, 10.6]) * day).astype(np.int64), np.array([10 * day]),
                        np.array([int(10.5 * day)]), day)
    assert keep.tolist() == [True, False]
    keep = bench.scored((np.array([10.4]) * day).astype(np.int64), np.array([10 * day]),
                        np.array([int(10.5 * day)]), day)
    assert keep.tolist() == [True]  # one detection: it is the scored burn's hit

    hidden = bench.unobservable_truth(shared_data, "Fengyun-4A")
    when = np.datetime64("2021-10-18T08:16").astype("datetime64[us]").astype(np.int64)
    assert np.min(np.abs(hidden - when)) < 60_000_000  # the logged start, to the minute
    found = np.array([m.epoch_us for m in bench.case_detections(
        shared_data, "Fengyun-4A", bench.DEFAULT_THRESHOLD)], dtype=np.int64)
    assert np.min(np.abs(found - when)) < 2 * 3_600_000_000  # detected within 2 h
    assert result["satellites"]["Fengyun-4A"]["1d"]["ignored"] >= 1
    assert result["pooled"]["ALL"]["1d"]["ignored"] == sum(
        v["1d"]["ignored"] for v in result["satellites"].values())


#: measured: detections matching a logged event of >= 1 cm/s, share with their delta-v
#: within 25% of the logged one (CryoSat-2 99 events, Sentinel-3A 28); Jason-1/2 and
#: Sentinel-6A are lower (0.31/0.57/0.60) where the sets take a burn over days
DV_AGREE_MEASURED = {"CryoSat-2": 0.83, "Sentinel-3A": 1.0}


@pytest.mark.parametrize("name", sorted(DV_AGREE_MEASURED))
def test_delta_v_against_the_logged_delta_v(shared_data, name):
    """The detected delta-v of a logged burn is the logged one: the median ratio within
    10% and most within 25% (``benchmarks/maneuvers.py``, delta_v_against_logs)."""
    got = bench.delta_v_against_logs(shared_data)[name]["above"]
    assert got["n"] >= 20, got
    assert 0.9 <= got["median_ratio"] <= 1.1, got
    assert got["agree"] >= DV_AGREE_MEASURED[name] - MARGIN, got


#: satellite -> share of the matched detections whose log time is within 2 sigma of the
#: detected epoch (measured; Jason-1 0.60 and TOPEX 0.33 are not pinned: their sets take
#: a burn over days, and the sigma of a closest approach does not see that)
WITHIN_2_SIGMA = {"CryoSat-2": 0.87, "Sentinel-3A": 1.0, "Fengyun-2F": 0.97, "Fengyun-4A": 0.92}


@pytest.mark.parametrize("name", sorted(WITHIN_2_SIGMA))
def test_stated_epoch_uncertainty_covers_the_log(shared_data, name):
    got = bench.epoch_against_logs(shared_data, [name])[name]
    assert got["n"] >= 30, got
    assert got["within_2"] >= WITHIN_2_SIGMA[name] - MARGIN, got
    # and it is not made safe by being wide: most sigmas are well under the day scored
    assert got["median_sigma_h"] <= 12.0, got


def test_against_cryosat2_eccentricity_burn_of_2018_03_23(shared_data):
    """A 0.059 m/s burn that changed e and not a: its along-track residuals swing with
    the new apsides without departing, so the onset of a departure must not move it
    (it moved it 2.7 days early, to 2018-03-20T15:25)."""
    from orbwatch.time import parse_iso

    t = parse_iso("2018-03-23T08:12:23Z")
    near = [m for m in bench.case_detections(shared_data, "CryoSat-2", 8.0)
            if abs(m.epoch_us - t) < 4 * 86_400_000_000]
    assert len(near) == 1, [(m.epoch_us, m.kind) for m in near]
    assert near[0].start_us <= t <= near[0].end_us
    assert near[0].kind == "eccentricity_change"
    assert near[0].delta_v * 1e3 == pytest.approx(0.059, rel=0.25)


def test_against_fengyun4a_late_step_of_a_kink_placed_burn(shared_data, monkeypatch):
    """One logged burn (2019-09-18T08:16), one detection: the along-track kink placed
    the burn before the sets stepped ``a``, and the step a set or two later (quiet
    intervals between) is that burn's, taken late, not a second burn
    (``maneuver_merge._step_to_come``); without the rule the step was a second detection
    within 1 day of the log (a false alarm).  (Fengyun-2E's of 2012-09-04 was another
    until its windowed detection was dated in the step's own interval:
    :func:`test_against_fengyun_burn_whose_sets_stepped_a_at_once`.)"""
    import orbwatch.detect.maneuver_merge as merge
    from orbwatch.time import parse_iso

    name = "Fengyun-4A"
    t = parse_iso("2019-09-18T08:16:00Z")
    sets, _ = bench.load_case(shared_data, name, observable_only=False)
    window = [s for s in sets if abs(s.epoch_us - t) < 60 * 86_400_000_000]

    def near():
        return [m for m in detect_maneuvers(window) if abs(m.epoch_us - t) < 2 * 86_400_000_000]

    got = near()
    assert len(got) == 1 and abs(got[0].epoch_us - t) < 86_400_000_000, got
    assert got[0].kind == "geo_ew_station_keeping"
    monkeypatch.setattr(merge, "_step_to_come", lambda *a, **k: False)
    assert len(near()) == 2


@pytest.mark.parametrize("name, logged", [("Fengyun-2F", "2015-01-19T01:30:00Z"),
                                          ("Fengyun-2F", "2015-03-05T07:30:00Z"),
                                          ("Fengyun-2E", "2012-01-04T08:00:00Z"),
                                          ("Fengyun-2E", "2015-01-15T07:30:00Z"),
                                          ("Fengyun-4A", "2022-01-21T08:16:00Z")])
def test_against_fengyun_burn_whose_sets_stepped_a_at_once(shared_data, monkeypatch, name,
                                                           logged):
    """A GEO east-west burn whose step of ``a`` is a confirmed single-interval step (its
    sets took the burn at once) is dated in that interval: within 12 h of the log.  The
    along-track ramp of converged sets, which dates burns that sets take late, put these
    9-16 h early (``_build(ramp_ok=...)``)."""
    import orbwatch.detect.maneuvers as mod
    from orbwatch.time import parse_iso

    t = parse_iso(logged)

    def error_h(det):
        near = [m for m in det if abs(m.epoch_us - t) < 86_400_000_000]
        assert len(near) == 1, near
        assert near[0].kind == "geo_ew_station_keeping"
        return (near[0].epoch_us - t) / 3.6e9

    assert abs(error_h(bench.case_detections(shared_data, name, 8.0))) < 12.0
    build = mod._build
    monkeypatch.setattr(mod, "_build", lambda *a, ramp_ok=True, **k: build(*a, **k))
    sets, _ = bench.load_case(shared_data, name, observable_only=False)
    assert error_h(mod.detect_maneuvers(sets)) < -9.0


def test_against_sentinel3a_inclination_burns_the_sets_net_change_is_the_logged_delta_v(
        shared_data):
    """Outside check of the element-change physics: the net change of Sentinel-3A's
    sets across each of its 19 logged inclination burns, as one burn, is the logged
    delta-v (the log is 1.02-1.05 times the net change: the sets show 0.95-0.98 of it)."""
    audit = bench.logs_against_sets(shared_data)["Sentinel-3A"]
    ratios = [e["logged_mps"] / e["net_mps"] for e in audit["events"] if e["logged_mps"] > 1.5]
    assert len(ratios) >= 19
    assert all(0.95 <= r <= 1.10 for r in ratios), ratios


def test_logged_burns_with_no_trace_in_the_sets(shared_data):
    """Logged multi-m/s burns whose net change of the sets is under a tenth of it.  Jason-2
    had 13 (2018-2019, e.g. 2019-09-10: 3.3 m/s logged, 0.10 m/s in the sets): all are
    pairs of opposite cross-track burns whole revolutions apart, orbit-neutral by the log's
    own numbers (tests/test_orbit_neutral.py), and now left out of the truth.  What
    remains is Jason-1's 2011-09 campaign: cross-track pairs 1.5 revolutions apart, which
    turn the plane (as the same pairs did in 2010-07) yet show no trace.  None on
    Sentinel-3A, whose floor (the measure at quiet times) lets the check call its events
    of 0.24 m/s or more.  The floor stays under 0.3 m/s on every satellite; CryoSat-2's
    eccentricity vector turns 3 deg a day, and its floor was 0.84 m/s before the free
    eccentricity was fitted turning (now 0.065)."""
    audit = bench.logs_against_sets(shared_data)
    no_trace = {n: {e["epoch"][:10] for e in v["no_trace"]} for n, v in audit.items()}
    assert "2011-09-04" in no_trace["Jason-1"] and no_trace["Jason-2"] == set()
    # the orbit-neutral events left out are still audited: the sets show under 0.15 of
    # their burns' summed delta-v, or no more than twice the floor (the 0.6 m/s events of
    # 2019-09 read 0.16-0.18 m/s against a floor of 0.14)
    neutral, floor = audit["Jason-2"]["neutral"], audit["Jason-2"]["quiet_median_mps"]
    assert len(neutral) >= 15
    assert all(e["net_mps"] <= max(0.15 * e["logged_mps"], 2 * floor) for e in neutral), neutral
    assert all(not v["neutral"] for n, v in audit.items() if n != "Jason-2")
    assert no_trace["Sentinel-3A"] == set()
    assert 1 <= sum(len(v) for v in no_trace.values()) <= 6, no_trace
    floors = {n: v["quiet_median_mps"] for n, v in audit.items()}
    assert all(0.0 < f <= 0.3 for f in floors.values()), floors
    assert floors["CryoSat-2"] <= 0.1 and audit["CryoSat-2"]["quiet_n"] >= 30, floors


def test_against_jason1_slow_sets_small_burns_are_found(shared_data):
    """Jason-1's sets take a burn of a few mm/s over a week (the 3.9 mm/s burn of
    2007-08-19: ``a`` +1.1 m after 1.6 days, +7.8 m after 7.6, the phase kink implying
    9.2 m), so the one-interval check of the kink tier cannot confirm it; the level of
    ``a`` two weeks on does (:func:`~orbwatch.detect.maneuver_kink_leo.long_delta_a`),
    and the departure's onset places it.  Six logged burns of 3.9-7.8 mm/s are found
    this way (none before), each within a day of the log."""
    from orbwatch.time import parse_iso

    sets, _ = bench.load_case(shared_data, "Jason-1")
    found = np.array([m.epoch_us for m in detect_maneuvers(sets)])
    for when in ("2002-02-04T00:44", "2002-09-20T02:10", "2005-12-22T23:13",
                 "2006-01-31T15:07", "2007-08-19T19:44", "2008-04-23T17:07"):
        assert np.min(np.abs(found - parse_iso(when))) <= bench.DAY_US, when

