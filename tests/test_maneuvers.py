"""Manoeuvre detection on synthetic histories with planted burns (known truth).

Histories are built from mean elements: drag decay (LEO) or lunisolar
inclination drift (GEO), J2 node/apsis drift, Gaussian element-set noise on
every set, a cadence of 1-3 sets per day with random gaps, and one outlier
set.  The satellite's along-track position follows its true mean motion
(element-set noise and the outlier do not move it).  Burns change the elements by Gauss's equations for a near-circular orbit:
along-track ``da = 2 a dv / v``, normal ``di = dv / v`` (at the node).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from orbwatch.detect.maneuvers import (
    Maneuver,
    detect_maneuvers,
    maneuver_events,
    match_times,
    merge_close_times,
    score_matches,
)
from orbwatch.elements.model import ElementSet

MU = 398600.8
DAY = 86_400_000_000
T0 = 1_600_000_000_000_000  # 2020-09-13


def _history(*, geo: bool, burns, days=150, outlier_day=None, seed=1, lag_days=0.0,
             cadence_days=None, sig_a_km=None, sig_along_km=None, decay_tau_days=None,
             i_rate_deg_day=None):
    """Element sets with burns ``[(day, dv_along_mps, di_deg)]``; returns (sets, truth_us).

    With ``lag_days`` the published sets take an along-track burn's new semi-major axis
    over that many days (a ramp; their positions follow the ramped orbit), as the
    Jason sets do.  With ``cadence_days`` the sets come at that fixed interval.
    ``sig_a_km`` and ``sig_along_km`` replace the set noise of ``a`` and of the
    along-track position (by default both ``sig_a``).  With ``decay_tau_days`` (LEO)
    the decay rate grows by e every that many days (an object re-entering) while
    the sets' B* stays as it was.  ``i_rate_deg_day`` (LEO) is a natural drift of the
    inclination (a sun-synchronous orbit's lunisolar drift).  Outside GEO the node
    moves at SGP4's J2 rate for the orbit's current inclination (``cos i``), as real
    sets after a plane change or along a drift do."""
    rng = np.random.default_rng(seed)
    gaps = rng.choice([1 / 3, 1 / 2, 1.0, 1.0, 1.0, 2.0, 3.0], size=4 * days)
    if cadence_days is not None:
        gaps = np.full(4 * days, cadence_days)
    t = np.cumsum(gaps)
    t = t[t < days]
    if geo:
        a0, e0, i0, decay, sig_a, sig_i = 42166.0, 2e-4, 1.5, 0.0, 0.2, 2e-3
        i_rate, raan_rate, argp_rate = 2.4e-3, -0.01, 0.0
    else:
        a0, e0, i0, decay, sig_a, sig_i = 7160.0, 1.1e-3, 98.6, 4e-3, 4e-3, 2e-4
        i_rate, raan_rate, argp_rate = (i_rate_deg_day or 0.0), 0.9856, -3.0
    if not geo:  # SGP4's own J2 drift, as real sets follow it (cross-track residuals)
        sat = ElementSet(norad=90001, epoch_us=T0, eccentricity=e0, inclination=i0, raan=40.0,
                         arg_perigee=90.0, mean_anomaly=0.0, bstar=1e-5,
                         mean_motion=math.sqrt(MU / a0**3) * 86400 / (2 * math.pi)).satrec()
        raan_rate, argp_rate = math.degrees(sat.nodedot) * 1440, math.degrees(sat.argpdot) * 1440
    sig_along = sig_a if sig_along_km is None else sig_along_km
    sig_a = sig_a if sig_a_km is None else sig_a_km
    v = math.sqrt(MU / a0)

    def _decay(x):
        if decay_tau_days is None:
            return decay * x
        return decay * decay_tau_days * np.expm1(x / decay_tau_days)

    a_true = a0 - _decay(t)
    inc = i0 + i_rate * t + rng.normal(0, sig_i, t.size)
    def _ramp(x, day):
        return np.clip((x - day) / lag_days, 0.0, 1.0) if lag_days > 0 else np.where(x > day, 1.0, 0.0)

    for day, dv, di in burns:
        a_true += _ramp(t, day) * 2 * a0 * (dv / 1000.0) / v
        inc += np.where(t > day, di, 0.0)
    a = a_true + rng.normal(0, sig_a, t.size)
    if outlier_day is not None:
        j = int(np.searchsorted(t, outlier_day))
        a[j] += 30 * sig_a
        inc[j] += 30 * sig_i
    n = np.sqrt(MU / a**3) * 86400 / (2 * math.pi)
    # the satellite moves with its true mean motion; element-set noise does not move it
    if geo:
        node = raan_rate * t
    else:  # the J2 node rate of the true inclination (drift and plane burns), integrated
        fine_i = i0 + i_rate * np.arange(0.0, days + 0.01, 0.01)
        for day, _, di in burns:
            fine_i = fine_i + np.where(np.arange(0.0, days + 0.01, 0.01) > day, di, 0.0)
        rate = raan_rate * np.cos(np.radians(fine_i)) / math.cos(math.radians(i0))
        node_fine = np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * 0.01)])
        node = np.interp(t, np.arange(0.0, days + 0.01, 0.01), node_fine)
    raan = (40 + node + rng.normal(0, 3e-4, t.size)) % 360
    argp = (90 + argp_rate * t + rng.normal(0, 1e-2, t.size)) % 360
    # along-track phase: the true mean motion integrated on a fine grid, so a burn
    # starts the drift at its own time (not at the set before it)
    fine = np.arange(0.0, days + 0.01, 0.01)
    a_fine = a0 - _decay(fine)
    for day, dv, _ in burns:
        a_fine += _ramp(fine, day) * 2 * a0 * (dv / 1000.0) / v
    n_fine = np.sqrt(MU / a_fine**3) * 86400 / (2 * math.pi)
    phase = np.concatenate([[0.0], np.cumsum(0.5 * (n_fine[1:] + n_fine[:-1]) * 0.01)])
    mean_anom = (360 * (np.interp(t, fine, phase) - np.interp(t[0], fine, phase))
                 + rng.normal(0, sig_along / a0 * 57.3, t.size)) % 360
    ecc = e0 + rng.normal(0, 2e-6, t.size)
    sets = [ElementSet(norad=90001, epoch_us=T0 + int(round(tt * DAY)), mean_motion=float(nn),
                       eccentricity=float(ee), inclination=float(ii), raan=float(rr),
                       arg_perigee=float(ww), mean_anomaly=float(mm), bstar=1e-5)
            for tt, nn, ee, ii, rr, ww, mm in zip(t, n, ecc, inc, raan, argp, mean_anom,
                                                  strict=True)]
    truth = [T0 + int(day * DAY) for day, _, _ in burns]
    return sets, truth


def _assert_found(found: list[Maneuver], burns, truth, kinds):
    assert len(found) == len(burns), [(m.kind, m.epoch_us) for m in found]
    for m, (_, dv, di), tt, kind in zip(found, burns, truth, kinds, strict=True):
        assert m.start_us <= tt <= m.end_us, "the bracket must hold the burn"
        assert m.start_us <= m.epoch_us <= m.end_us
        assert m.end_us - m.start_us <= 3 * DAY
        expected = abs(dv) / 1000.0 + math.sqrt(MU / m_a(found)) * math.radians(abs(di))
        assert m.delta_v == pytest.approx(expected, rel=0.2, abs=2e-6), (m, expected)
        assert m.kind == kind
        assert 0.0 < m.confidence <= 1.0


def m_a(found) -> float:
    return 7160.0 if found[0].regime == "leo" else 42166.0


def test_leo_burns_found_with_delta_v_and_type():
    burns = [(30.2, 0.05, 0.0), (70.6, 0.0, 0.005), (110.4, -0.08, 0.0)]
    sets, truth = _history(geo=False, burns=burns, outlier_day=90.0)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["orbit_raising", "plane_change", "orbit_lowering"])
    assert found[1].dv_normal > 10 * abs(found[1].dv_along)


def test_geo_station_keeping_found():
    burns = [(40.3, 0.25, 0.0), (95.7, 0.0, 0.05)]
    sets, truth = _history(geo=True, burns=burns, outlier_day=60.0, seed=3)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["geo_ew_station_keeping", "geo_ns_station_keeping"])


@pytest.mark.parametrize("geo", [False, True])
def test_natural_change_and_outlier_are_not_manoeuvres(geo):
    sets, _ = _history(geo=geo, burns=[], outlier_day=75.0, seed=7)
    assert detect_maneuvers(sets) == []


def test_duplicates_and_order_do_not_matter():
    burns = [(50.5, 0.05, 0.0)]
    sets, _ = _history(geo=False, burns=burns, seed=5)
    shuffled = list(reversed(sets)) + sets[10:20]
    assert detect_maneuvers(shuffled) == detect_maneuvers(sets)


def test_events_are_shared_event_model():
    sets, truth = _history(geo=False, burns=[(60.5, 0.1, 0.0)], seed=11)
    (ev,) = maneuver_events(sets)
    d = json.loads(ev.to_json())
    assert d["kind"] == "maneuver" and d["objects"] == [90001]
    assert d["metrics"]["type"] == "orbit_raising"
    assert d["metrics"]["delta_v_mps"] == pytest.approx(0.1, rel=0.2)
    assert d["uncertainty"]["epoch_s"] > 0 and d["start"] <= d["epoch"] <= d["end"]


def test_short_history_and_mixed_objects():
    sets, _ = _history(geo=False, burns=[], days=3)
    assert detect_maneuvers(sets[:4]) == []
    other = [dataclasses.replace(s, norad=5, epoch_us=s.epoch_us + 1) for s in sets[:1]]
    with pytest.raises(ValueError):
        detect_maneuvers(sets + other)


def test_matching_is_one_to_one_and_merging():
    assert merge_close_times([0, 10, 30, 100], 20).tolist() == [0, 100]
    assert merge_close_times([100, 30, 0, 10], 20).tolist() == [0, 100]
    assert merge_close_times([], 20).tolist() == []
    from orbwatch.detect.maneuver_scoring import close_runs

    order, run = close_runs([100, 30, 0, 10], 20)  # the runs merge_close_times merges
    assert order.tolist() == [2, 3, 1, 0] and run.tolist() == [0, 0, 0, 1]
    from orbwatch.detect.maneuver_scoring import per_event

    # per event starting at 100 and at 0: the values summed (NaN as 0), the last start
    total, last = per_event([100, 30, 0, 10], [1.0, 2.0, float("nan"), 4.0], [100, 0], 20)
    assert total.tolist() == [1.0, 6.0] and last.tolist() == [100, 30]
    assert match_times([0, 5], [4], 10) == [(1, 0)]
    s = score_matches([0, 5, 50], [4, 100], 10)
    assert (s["tp"], s["precision"], s["recall"]) == (1, 1 / 3, 0.5)


def test_cli_json(tmp_path, capsys):
    import orbwatch.cli.maneuvers  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main
    from orbwatch.store.db import Store

    sets, truth = _history(geo=False, burns=[(45.5, 0.06, 0.0)], seed=2)
    db = tmp_path / "m.db"
    with Store(str(db), create=True) as store:
        store.write_batch(sets, source="synthetic")
    assert main(["maneuvers", "90001", "--db", str(db), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1 and out[0]["kind"] == "maneuver" and out[0]["objects"] == [90001]
    assert main(["maneuvers", "--db", str(db)]) == 1
    assert main(["maneuvers", "424242", "--db", str(db)]) == 1
    assert main(["maneuvers", "--all", "--since", "2030-01-01", "--db", str(db),
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # --since set to the shown (whole-second) epoch keeps that event
    assert main(["maneuvers", "90001", "--db", str(db), "--format", "csv"]) == 0
    shown = capsys.readouterr().out.splitlines()[1].split(",")[1]
    assert out[0]["start"][:19] < shown[:19] <= out[0]["end"][:19]
    assert main(["maneuvers", "90001", "--since", shown, "--db", str(db),
                 "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert out[0]["evidence"]["set_before"] == out[0]["start"]
    # --figures: the history with its manoeuvre marked, one PNG per object
    figs = tmp_path / "figs"
    assert main(["maneuvers", "90001", "--db", str(db), "--figures", str(figs)]) == 0
    png = figs / "90001_maneuvers.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert "1 figure(s)" in capsys.readouterr().err
    assert main(["maneuvers", "90001", "--db", str(db), "--figures", str(png)]) == 1
    assert "not a folder" in capsys.readouterr().err


def test_cli_bad_input_is_named_and_writes_nothing(tmp_path, capsys):
    import orbwatch.cli.maneuvers  # noqa: F401  (registers the command)
    from orbwatch.cli.app import main
    from orbwatch.store.db import Store

    absent = tmp_path / "absent.db"
    assert main(["maneuvers", "--all", "--db", str(absent)]) == 1
    assert not absent.exists()
    assert "no database" in capsys.readouterr().err
    empty = tmp_path / "empty.db"
    Store(str(empty), create=True).close()
    assert main(["maneuvers", "--all", "--db", str(empty)]) == 1
    assert "no element sets" in capsys.readouterr().err
    sets, _ = _history(geo=False, burns=[], seed=2)
    short = tmp_path / "short.db"
    with Store(str(short), create=True) as store:
        store.write_batch(sets[:5], source="synthetic")
    assert main(["maneuvers", "90001", "--db", str(short)]) == 1
    err = capsys.readouterr().err
    assert "90001 has 5" in err and "at least 7" in err
    for bad in ("nan", "inf", "0"):
        assert main(["maneuvers", "90001", "--threshold", bad, "--db", str(short)]) == 1
        assert "--threshold" in capsys.readouterr().err


def test_phase_kink_found_and_placed():
    """A GEO longitude parabola with a change of drift rate at a known time (plus set
    noise and one outlier set): the kink's z-score peaks at the interval holding it and
    :func:`kink_epoch` places it within a tenth of a day."""
    from orbwatch.detect.maneuver_phase import PhaseSeries, kink_epoch, kink_statistics

    rng = np.random.default_rng(4)
    t = np.cumsum(rng.choice([0.5, 1.0, 1.0, 1.5], size=80))
    t_b, dn = 40.3, 2e-3  # rad/day: an east-west burn of ~0.2 m/s
    phi = 6.3 * t + 1e-4 * (t - 30) ** 2 + dn * np.clip(t - t_b, 0, None)
    phi += rng.normal(0, 2e-5, t.size)
    phi[20] += 5e-3  # one bad set
    ps = PhaseSeries(t, phi, np.zeros(t.size, dtype=int), np.full(t.size, 6.3),
                     np.full(t.size, 42166.0), True)
    rate, z = kink_statistics(ps)
    k = int(np.searchsorted(t, t_b)) - 1
    assert int(np.argmax(np.abs(z))) in (k - 1, k, k + 1)
    assert abs(z[k]) > 20 and rate[k] == pytest.approx(dn, rel=0.3)
    assert np.all(np.abs(np.delete(z, np.r_[k - 6:k + 7])) < 8)  # the outlier is no kink
    when, slope = kink_epoch(ps, k)
    assert abs(when - t_b) < 0.1 and slope == pytest.approx(dn, rel=0.2)


def test_phase_kink_fit_stops_at_the_burn_before():
    """A small drift change 3 days after one ten times larger (an inspector's trim after
    its approach burn, one set every half day): fitted across both, the single kink is
    pulled towards the large one; fitted to the sets after the first burn (``span``), it
    is placed within a fifth of a day.  A range with fewer than 3 sets on one side (the
    history's first intervals) gives no placement rather than its far edge."""
    from orbwatch.detect.maneuver_phase import PhaseSeries, kink_epoch

    rng = np.random.default_rng(7)
    t = np.cumsum(rng.uniform(0.3, 0.7, size=60))
    big, small = (t[20] + t[21]) / 2, None
    small = t[27] + 0.4 * (t[28] - t[27])
    phi = 6.3 * t + 2e-2 * np.clip(t - big, 0, None) + 2e-3 * np.clip(t - small, 0, None)
    phi += rng.normal(0, 2e-5, t.size)
    ps = PhaseSeries(t, phi, np.zeros(t.size, dtype=int), np.full(t.size, 6.3),
                     np.full(t.size, 42166.0), True)
    free, _ = kink_epoch(ps, 26)
    bounded, slope = kink_epoch(ps, 26, span=(21, t.size - 1))
    assert abs(bounded - small) < 0.2 and slope == pytest.approx(2e-3, rel=0.3)
    assert abs(free - small) > abs(bounded - small)
    assert kink_epoch(ps, 0) is None and kink_epoch(ps, 22, span=(21, 59)) is None


def test_kink_span_keeps_a_late_set_of_the_same_burn():
    """The fit's bounds: confirmed steps of ``a`` outside the search range cut it; one
    right next to the range cuts it only where it is much smaller than the window's
    step (another burn), not where it carries the window's step (GEO sets that took the
    same burn a set late)."""
    from orbwatch.detect.maneuver_windows import kink_span

    others, single = np.array([3, 14, 19]), np.zeros(30)
    single[[3, 14, 19]] = [-5.0, -1.0, 2.0]
    assert kink_span(others, 10, None, 30) == (4, 14)
    # 14 is next to the range 8..13: the window's own size (same burn) or a tenth of it
    assert kink_span(others, 10, None, 30, (-1.5, single)) == (4, 19)
    assert kink_span(others, 10, None, 30, (-10.0, single)) == (4, 14)
    assert kink_span(others, 10, None, 30, (1.5, single)) == (4, 14)  # other sign
    assert kink_span(np.array([], dtype=int), 10, None, 30) == (0, 29)


@pytest.mark.parametrize("gap_days", [1.6, 3.0])
def test_a_plane_turn_stays_with_its_own_burn(gap_days):
    """An east-west burn a few days before a north-south one (an inspector's phasing
    burn, then its plane match), one set every 12 hours: the windowed step of the first
    spans the second's turn of the plane; the turn is the second burn's (its own
    persisting one-interval step), so the first keeps its along-track delta-v alone."""
    burns = [(60.3, 1.0, 0.0), (60.3 + gap_days, 0.0, 0.15)]
    sets, truth = _history(geo=True, burns=burns, cadence_days=0.5, seed=3)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["geo_ew_station_keeping", "geo_ns_station_keeping"])
    assert found[0].dv_normal == 0.0 and found[1].dv_normal > 10 * abs(found[1].dv_along)


@pytest.mark.parametrize("gap_days", [1.0, 2.0])
def test_two_plane_turns_in_one_window_each_found(gap_days):
    """Two north-south burns 1-2 days apart (sets every 12 hours): each window also
    spans the other turn, but each holds a persisting plane step of its own, so both
    are found, each with its own delta-v (a check that drops another interval's turn
    once dropped both and found nothing)."""
    burns = [(60.3, 0.0, 0.05), (60.3 + gap_days, 0.0, 0.05)]
    sets, truth = _history(geo=True, burns=burns, cadence_days=0.5, seed=3)
    _assert_found(detect_maneuvers(sets), burns, truth,
                  ["geo_ns_station_keeping", "geo_ns_station_keeping"])


@pytest.mark.parametrize(("cadence_days", "turns", "seed"), [
    (1.0, (0.27, 1.23), 1), (2.0, (0.27, 1.23), 1), (1.0, (0.27, 0.6, 0.63), 1),
    # a seed where a second window inside the campaign took its later turns again
    (1.0, (0.27, 0.6, 0.63, 0.5), 17)])
def test_geo_plane_campaign_placed_at_its_first_burn(cadence_days, turns, seed):
    """A north-south campaign near GEO, one burn per interval: 18% of the turn first
    (as Fengyun-2F's of 2018-11-27..30), the rest in one to three more.  The sets take
    each burn at once, so the campaign is one detection bracketing its first burn, with
    the whole turn's delta-v (its later turns, in consecutive intervals, are its own)."""
    burns = [(60.3 + n * cadence_days, 0.0, di) for n, di in enumerate(turns)]
    sets, truth = _history(geo=True, burns=burns, cadence_days=cadence_days, seed=seed)
    found = detect_maneuvers(sets)
    assert len(found) == 1 and found[0].kind == "geo_ns_station_keeping", found
    assert found[0].start_us <= truth[0] <= found[0].end_us < truth[1]
    assert found[0].delta_v == pytest.approx(
        math.sqrt(MU / 42166.0) * math.radians(sum(turns)), rel=0.1)


def test_campaign_burns_each_found():
    """Three burns 2-3 days apart at one set a day (a relocation campaign): the windowed
    tests alone see one; the single-interval steps find each in its own bracket, with
    its own delta-v and sign, and the outlier set is still not one."""
    burns = [(50.3, 0.2, 0.0), (52.6, -0.3, 0.0), (55.4, 0.2, 0.0)]
    sets, truth = _history(geo=False, burns=burns, outlier_day=80.0, cadence_days=1.04)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["orbit_raising", "orbit_lowering", "orbit_raising"])


def test_campaign_steps_are_steps_not_outliers_or_ramps():
    from orbwatch.detect.maneuver_steps import persistent_steps

    z = np.random.default_rng(0).normal(0, 1, 300)
    z[50] += 40.0  # a burn the sets took at once
    z[99] += 40.0  # one bad set (100): the level goes there and back
    z[100] -= 40.0
    z[150:154] += 15.0  # sets that take a burn over four intervals
    assert [k for k, _ in persistent_steps(z, 12.0)] == [50]


def test_campaign_runs_of_large_steps_are_burns_not_ramps():
    """Consecutive one-interval steps of robust z in the thousands (a burn in every
    interval: Jason-2's orbit change of 2017-07) are each a step with ``campaign``; a
    drag drift (runs of z 10-40) and the tail of a set converging after one large step
    (a fifth of it) are not."""
    from orbwatch.detect.maneuver_steps import persistent_steps

    z = np.random.default_rng(0).normal(0, 1, 300)
    z[50:54] -= [49500.0, 48200.0, 96000.0, 92400.0]  # four burns on four days
    z[120:124] += [20.0, 32.0, 24.0, 30.0]  # the drag eased for a few days
    z[200:202] += [834.0, 169.0]  # one burn; the next set converged the rest
    assert [k for k, _ in persistent_steps(z, 12.0)] == [200]
    assert [k for k, _ in persistent_steps(z, 12.0, campaign=True)] == [50, 51, 52, 53, 200]


def test_a_component_persists_unless_the_next_set_takes_it_back():
    """Per feature: a bad set at the end of the interval (the next interval takes back 96%
    of the change: ISS's node on 2002-11-27) does not persist; a real step whose next set
    corrects half of it (Sentinel-6A 2021-04-29) does."""
    from orbwatch.detect.maneuver_steps import persisting

    z = np.zeros((5, 3))
    z[2] = [-5140.0, -16609.0, 40.0]
    z[3] = [2918.0, 15987.0, 1.0]
    assert persisting(z, 2, 3.0).tolist() == [True, False, True]


def test_burns_on_consecutive_days_each_found():
    """Four 2-4 m/s lowering burns, one in each of four consecutive daily intervals: each
    is its own detection in its own bracket (the windowed tests alone merge them)."""
    burns = [(50.6 + 1.04 * j, dv, 0.0) for j, dv in enumerate((-1.0, -1.0, -2.0, -2.0))]
    sets, truth = _history(geo=False, burns=burns, cadence_days=1.04)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["orbit_lowering"] * 4)


def test_pair_median_score_sees_burns_not_bad_sets():
    """Every pair of sets spanning a burn moves; a bad set enters four of the ten pairs
    spanning an interval next to it, so the median stays with the noise."""
    from orbwatch.detect.maneuver_residuals import pair_median_scores

    rng = np.random.default_rng(1)
    z = rng.normal(0, 1, (200, 4))
    bad = 60  # a bad set: predictions into it and from it are off
    for ell in range(4):
        z[bad - ell - 1, ell] += 30.0
    z[bad] -= 30.0
    k = 140  # a burn between sets 140 and 141: every spanning pair is displaced
    for ell in range(4):
        for back in range(ell + 1):
            z[k - back, ell] += 20.0
    score = pair_median_scores(z)
    assert score[k] > 15.0
    assert np.max(np.abs(score[bad - 5:bad + 5])) < 5.0
    assert np.max(np.abs(np.delete(score, np.r_[k - 3:k + 4]))) < 5.0


def test_low_scale_ignores_frequent_burns():
    """A third of the values in the tail (burns every few weeks) inflate a median-based
    scale (x1.7); the lower-quartile scale less (x1.6); on pure noise it is unbiased."""
    from orbwatch.detect.maneuver_features import rolling_low_scale

    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, 4000)
    lo, hi = np.percentile(rolling_low_scale(x, 135)[200:-200], [5, 95])
    assert 0.8 < lo < hi < 1.2
    x[::3] += rng.choice([-1, 1], x[::3].size) * 20.0
    low = np.median(rolling_low_scale(x, 135)[200:-200])
    assert low < 0.92 * 1.4826 * np.median(np.abs(x))


def test_onset_moves_a_late_detection_back_to_the_burn():
    """Sets that take a 0.2 m/s burn over five days (their positions follow the ramped
    orbit, as Jason's do): a detection two days late is moved back to within a day of
    the burn by the onset of the along-track departure."""
    from orbwatch.detect.maneuver_onset import onset_epoch
    from orbwatch.detect.maneuver_residuals import drag_curvature, prediction_residuals
    from orbwatch.detect.maneuvers import prepare_history

    for seed in (1, 2, 3):
        sets, truth = _history(geo=False, burns=[(60.4, 0.2, 0.0)], seed=seed, lag_days=5.0)
        sets = prepare_history(sets)
        ep = np.array([s.epoch_us for s in sets])
        late = int(np.searchsorted(ep, truth[0] + 2 * DAY)) - 1  # holds burn + 2 days
        assert ep[late + 1] > truth[0] + 2 * DAY
        t_on = onset_epoch(sets, late, drag_curvature(prediction_residuals(sets)))
        assert t_on is not None and abs(t_on - truth[0]) < DAY, (seed, t_on)


def test_leap_seconds_counted_in_propagation():
    """A set propagated across a leap second must run one second longer than the
    difference of the (leap-second-free) epochs."""
    from orbwatch.detect.maneuver_leap import leap_shift_us, tai_minus_utc_s

    t = np.array([1483185600, 1483272000, 1435622400]) * 1_000_000  # 2016-12-31T12, +1 d
    assert tai_minus_utc_s(t).tolist() == [36, 37, 35]
    assert leap_shift_us(t[0], t).tolist() == [0, 1_000_000, -1_000_000]
    assert leap_shift_us(T0, T0 + 30 * DAY) == 0


@pytest.mark.parametrize("days", [12, 30])
def test_a_geo_plane_change_is_not_dated_by_an_along_track_ramp(tmp_path, days):
    """The demo inspector's plane-match burn (10 m/s normal) 3.6 days after a phasing
    burn: the converged-ramp correction (an along-track trace) must not move it back
    onto the earlier burn, where the merge swallowed it (30-day scenario, seed 0).  At 12
    days it comes 1.5 days after the phasing burn, inside that detection's step window:
    the confirmed single-interval inclination step finds it (maneuver_confirm)."""
    from orbwatch.elements.readers import read_path
    from orbwatch.scenario import DEFAULT_START_US, build_scenario
    from orbwatch.time import parse_iso

    build_scenario("inspector", tmp_path, start_us=DEFAULT_START_US, days=days, seed=0,
                   background_size=0)
    sets = [s for s in read_path(tmp_path / "elements.json").sets if s.norad == 99001]
    burns = [e for e in json.loads((tmp_path / "truth.json").read_text())
             if e["kind"] == "maneuver" and e["metrics"]["dv_rtn_kms"][2] > 0.005]
    assert len(burns) == 1
    t = parse_iso(burns[0]["epoch"])
    found = detect_maneuvers(sets)
    ep = np.array(sorted(s.epoch_us for s in sets))
    k = int(np.searchsorted(ep, t))
    hits = [m for m in found if ep[k - 1] <= m.epoch_us <= ep[k]]
    assert len(hits) == 1 and hits[0].kind == "geo_ns_station_keeping", found
    assert abs(hits[0].dv_normal * 1e3 - 10.2) < 1.0


def _confirmation_at(sets, day):
    from orbwatch.detect.maneuver_confirm import along_confirmation
    from orbwatch.detect.maneuver_features import history_arrays, step_statistics
    from orbwatch.detect.maneuver_residuals import prediction_residuals
    from orbwatch.detect.maneuvers import prepare_history

    sets = prepare_history(sets)
    h = history_arrays(sets)
    st = step_statistics(h, step_sets=3, skip_sets=2)
    k = int(np.searchsorted(h.epoch_us, T0 + int(day * DAY))) - 1
    return along_confirmation(h, st, prediction_residuals(sets), [k])[k]


def test_a_geo_step_is_confirmed_by_its_drift_and_a_refit_alone_is_not():
    """A burn that raises a GEO orbit by ~3.3 km makes earlier sets miss later ones
    along-track by 1.5 n da t; the same step in the *fitted* mean motion alone (the
    positions stay on the old orbit) does not, and is not confirmed."""
    burns = [(60.3, 0.12, 0.0)]
    sets, _ = _history(geo=True, burns=burns, days=120, seed=5, cadence_days=0.5)
    c, z = _confirmation_at(sets, 60.3)
    assert 0.5 <= c <= 2.0 and z >= 12.0, (c, z)
    quiet, _ = _history(geo=True, burns=[], days=120, seed=5, cadence_days=0.5)
    shift = sets[0].mean_motion - quiet[0].mean_motion  # zero: same seed, before the burn
    assert shift == 0.0
    dn = sets[-1].mean_motion - quiet[-1].mean_motion  # the burn's change of mean motion
    refit = [dataclasses.replace(s, mean_motion=s.mean_motion + (dn if s.epoch_us > T0 + 60.3 * DAY
                                                                else 0.0))
             for s in quiet]
    c2, z2 = _confirmation_at(refit, 60.3)
    assert abs(z2) < 3.0 and abs(c2) < 0.5, (c2, z2)


@pytest.mark.parametrize("days", [12, 30])
def test_a_small_geo_burn_days_after_a_large_one_is_found(tmp_path, days):
    """The demo inspector parks with a 0.116 m/s burn 1-3 days after its 1.04 m/s
    approach burn: the windowed test keeps one candidate there, the confirmed
    single-interval step (maneuver_confirm) finds it inside its interval."""
    from orbwatch.elements.readers import read_path
    from orbwatch.scenario import DEFAULT_START_US, build_scenario
    from orbwatch.time import parse_iso

    build_scenario("inspector", tmp_path, start_us=DEFAULT_START_US, days=days, seed=0,
                   background_size=0)
    sets = [s for s in read_path(tmp_path / "elements.json").sets if s.norad == 99001]
    park = [e for e in json.loads((tmp_path / "truth.json").read_text())
            if e["kind"] == "maneuver" and e["metrics"]["dv_kms"] < 2e-4]
    assert len(park) == 1
    t = parse_iso(park[0]["epoch"])
    ep = np.array(sorted(s.epoch_us for s in sets))
    k = int(np.searchsorted(ep, t))
    hits = [m for m in detect_maneuvers(sets) if ep[k - 1] <= m.epoch_us <= ep[k]]
    assert len(hits) == 1 and abs(hits[0].dv_along * 1e3 - 0.116) < 0.03, hits


def test_tail_factor_raises_the_threshold_only_for_heavy_tailed_objects():
    """Gaussian quiet scores (largest |z| of 3 features) keep the threshold; a heavier
    upper tail raises it in proportion; burns' windows are left out of the tail."""
    from orbwatch.detect.maneuver_steps import QUIET_REFERENCE, tail_factor

    rng = np.random.default_rng(0)
    gauss = np.abs(rng.standard_normal((2000, 3))).max(axis=1)
    assert tail_factor(gauss, 8.0, window=5) == 1.0
    heavy = np.abs(rng.standard_t(2, (2000, 3))).max(axis=1)
    f = tail_factor(heavy, 8.0, window=5)
    assert f > 1.2
    assert f == pytest.approx(np.percentile(heavy[heavy <= 8.0], 90) / QUIET_REFERENCE, rel=0.05)
    burns = gauss.copy()
    burns[::50] = 200.0  # 40 burns: their windows are not the quiet tail
    assert tail_factor(burns, 8.0, window=5) == 1.0
    assert tail_factor(gauss[:20], 8.0, window=5) == 1.0  # too few quiet intervals to judge


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_leo_burn_found_by_the_phase_kink_tier(seed, monkeypatch):
    """A +0.08 m/s along-track burn in LEO under demo-like set noise (a 20 m, along-track
    0.7 km plus the argument of perigee's 1.2 km, two sets a day): below the first pass's
    threshold (z 9-18 at 12 of 12 seeds, none elsewhere below -2), found by the second tier
    (:mod:`orbwatch.detect.maneuver_kink_leo`) in its own bracket with its delta-v;
    noise alone gives nothing, and the tier adds nothing for a lowering burn of the same
    size (drag could make such a kink; the first pass may still see it)."""
    from orbwatch.detect import maneuvers

    noise = {"geo": False, "days": 30, "seed": seed, "sig_a_km": 0.02, "sig_along_km": 0.7,
             "cadence_days": 0.5}
    burns = [(15.3, 0.08, 0.0)]
    sets, truth = _history(burns=burns, **noise)
    found = detect_maneuvers(sets)
    _assert_found(found, burns, truth, ["orbit_raising"])
    assert found[0].delta_v == pytest.approx(0.08e-3, rel=0.2)
    assert detect_maneuvers(_history(burns=[], **noise)[0]) == []
    lowering = _history(burns=[(15.3, -0.08, 0.0)], **noise)[0]
    with_tier = detect_maneuvers(lowering)
    monkeypatch.setattr(maneuvers, "second_tier", lambda *a, **k: [])
    assert detect_maneuvers(sets) == []  # the first pass alone misses the raising burn
    assert detect_maneuvers(lowering) == with_tier  # the tier adds no lowering kink


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_reentering_object_is_not_manoeuvring(seed):
    """Decay that speeds up by e every 8 days (an object's last weeks, its sets' B*
    unchanged) is drag: no step of ``a`` is a burn, to the last set.  Before the
    one-sided trend at the ends of a history was extrapolated, and lowerings within
    the decay of their own interval were ruled drag, four of these five histories
    read as one or two "orbit lowerings" in their last few sets."""
    sets, _ = _history(geo=False, burns=[], days=40, seed=seed, decay_tau_days=8.0)
    assert detect_maneuvers(sets) == []


def test_reentry_drag_and_real_burns_on_a_decaying_object():
    """Faster decay (e every 5 days, kilometres an interval at the end) reads as at most
    one lowering in five histories (the raisings left there are the extrapolated
    trend overshooting; drag never raises, so they are not ruled drag).  Burns beyond
    the decay of their interval are found: a 2 m/s lowering with its delta-v, and a
    0.3 m/s raising late in the decay, when ``a`` falls 0.2 km a day."""
    found = [detect_maneuvers(_history(geo=False, burns=[], days=40, seed=seed,
                                       decay_tau_days=5.0)[0]) for seed in range(1, 6)]
    assert sum(m.kind == "orbit_lowering" for f in found for m in f) <= 1
    assert sum(len(f) for f in found) <= 3
    for seed in (1, 2, 3, 4):
        sets, truth = _history(geo=False, burns=[(22.3, -2.0, 0.0)], days=40, seed=seed,
                               decay_tau_days=8.0)
        (m,) = detect_maneuvers(sets)
        assert m.kind == "orbit_lowering"
        assert abs(m.epoch_us - truth[0]) < 0.2 * DAY
        assert m.delta_v_mps == pytest.approx(2.0, rel=0.05)
    raised = 0
    for seed in range(1, 11):
        sets, truth = _history(geo=False, burns=[(30.3, 0.3, 0.0)], days=40, seed=seed,
                               decay_tau_days=8.0)
        raised += any(m.kind == "orbit_raising" and abs(m.epoch_us - truth[0]) < DAY
                      for m in detect_maneuvers(sets))
    assert raised >= 9


def test_rolling_rate_follows_a_speeding_decay_to_the_ends():
    """At the ends of a history the median of the one-sided window is the rate of its
    median time; the Theil-Sen slope moves it to the interval's own time.  In the middle
    the plain rolling median is kept."""
    from orbwatch.detect.maneuver_features import rolling_nanmedian, rolling_rate

    t = np.arange(60, dtype=float)
    rate = -0.01 * np.exp(t / 8.0)
    plain = rolling_nanmedian(rate, 10, exclude_centre=True)
    moved = rolling_rate(rate, t, 10)
    # a line through an exponential: about 70% of the lag taken out at the last interval
    assert abs(moved[-1] - rate[-1]) < 0.35 * abs(plain[-1] - rate[-1])
    assert abs(moved[0] - rate[0]) < abs(plain[0] - rate[0])
    np.testing.assert_array_equal(moved[10:-10], plain[10:-10])


def test_types_from_the_delta_v_split():
    """Each branch of the type: the dominant component decides; near GEO the drift
    that ``da`` starts (deg/day) tells relocation from east-west station keeping."""
    from orbwatch.detect.maneuver_types import classify, confidence

    assert classify("leo", 0.0, 1e-4, 0.0, 0.2, 7000.0) == "orbit_raising"
    assert classify("leo", 0.0, -1e-4, 0.0, -0.2, 7000.0) == "orbit_lowering"
    assert classify("leo", 2e-4, 1e-4, 0.0, 0.2, 7000.0) == "eccentricity_change"
    assert classify("leo", 0.0, 1e-4, 3e-4, 0.2, 7000.0) == "plane_change"
    assert classify("geo", 0.0, 1e-4, 3e-4, 2.0, 42164.0) == "geo_ns_station_keeping"
    assert classify("geo", 0.0, 1e-4, 0.0, 2.0, 42164.0) == "geo_ew_station_keeping"
    # 100 km of da drifts the slot by 1.3 deg/day
    assert classify("geo", 0.0, 4e-3, 0.0, 100.0, 42164.0) == "geo_relocation"
    assert confidence(8.0, 8.0) < confidence(80.0, 8.0) < 1.0
    assert confidence(1e6, 8.0) == confidence(1e9, 8.0)  # saturates


def test_short_geo_history_takes_a_confirmed_step(monkeypatch):
    """In a GEO history of 11 sets in 12 days the windowed steps have no spread to be
    scaled by; a one-interval step of ``a`` whose along-track drift confirms it
    counts at the confirmation's own bar (``SHORT_SETS``).  Over 20 noise draws a
    0.15 m/s burn is found more often than with the long-history bar, and no quiet
    history (nor the burn's) gets a false detection."""
    import orbwatch.detect.maneuvers as mod

    def count(short_sets):
        monkeypatch.setattr(mod, "SHORT_SETS", short_sets)
        found = false = 0
        for seed in range(1, 21):
            sets, truth = _history(geo=True, burns=[(5.3, 0.15, 0.0)], days=12, seed=seed,
                                   cadence_days=1.0)
            assert len(sets) < mod.SHORT_SETS or short_sets == 0
            det = mod.detect_maneuvers(sets)
            hit = [m for m in det if abs(m.epoch_us - truth[0]) < DAY]
            found += bool(hit)
            false += len(det) - len(hit[:1])
            false += len(mod.detect_maneuvers(
                _history(geo=True, burns=[], days=12, seed=seed, cadence_days=1.0)[0]))
        return found, false

    with_rule, without = count(mod.SHORT_SETS), count(0)
    assert with_rule[1] == 0 and without[1] == 0
    assert with_rule[0] >= 10 and with_rule[0] > without[0]


def test_short_geo_history_takes_a_confirmed_turn_between_burns(monkeypatch):
    """A plane match (0.19 deg, 10 m/s) 1.4 days after a 1.1 m/s phasing burn and 1.4 days
    before a 1 m/s approach burn, in 12 daily GEO sets: the windowed steps of so short a
    history have no spread to be scaled by, and the turn, which the cross-track motion
    confirms, counts on its own (``isolated(turn=True)``) and is also added next to the
    phasing burn's confirmed step of ``a``, kept before it (``in_blind_zone(kept=)``).
    Over 10 noise draws every burn is found within a day as its type with nothing else;
    without both rules the plane match is lost in some of them."""
    import orbwatch.detect.maneuvers as mod
    from orbwatch.detect.maneuver_merge import in_blind_zone, isolated

    burns = [(3.2, -1.1, 0.0), (4.6, 0.0, 0.19), (6.0, 1.0, 0.0)]
    kinds = ["geo_ew_station_keeping", "geo_ns_station_keeping", "geo_ew_station_keeping"]

    def found(seed):
        sets, truth = _history(geo=True, burns=burns, days=12, seed=seed, cadence_days=1.0)
        assert len(sets) < mod.SHORT_SETS
        det = mod.detect_maneuvers(sets)
        hits = [[m for m in det if abs(m.epoch_us - t) < DAY and m.kind == kind]
                for t, kind in zip(truth, kinds, strict=True)]
        assert len(det) == sum(bool(h) for h in hits), det  # nothing else
        return [bool(h) for h in hits]

    assert all(all(found(seed)) for seed in range(1, 11))
    monkeypatch.setattr(mod, "in_blind_zone",
                        lambda *a, kept=(), **k: in_blind_zone(*a, kept=(), **k))
    monkeypatch.setattr(mod, "isolated", lambda *a, turn=False, **k: isolated(*a, **k))
    assert not all(found(seed)[1] for seed in range(1, 11))


@pytest.mark.parametrize("burns", [[(6.0, 0.0, 0.19)], [(3.5, 0.0, 0.19), (8.0, 1.0, 0.0)]],
                         ids=["alone", "before_a_burn"])
def test_short_geo_history_takes_a_lone_confirmed_turn(monkeypatch, burns):
    """A plane change of 0.19 deg (10 m/s) in 12 daily GEO sets, alone or 4.5 days before
    an in-plane burn: no kept step comes before it, so only the short-history turn rule
    of ``isolated`` adds it.  Found in each of 20 noise draws, as north-south station
    keeping within a day, with nothing else; without the rule it is lost (alone: in
    every draw; before the burn: in some, the windowed test finding the rest).  A review
    of session 12 caught that rule's removal."""
    import orbwatch.detect.maneuvers as mod
    from orbwatch.detect.maneuver_merge import isolated

    def found(seed):
        """(the turn found, every burn found and nothing else)"""
        sets, truth = _history(geo=True, burns=burns, days=12, seed=seed, cadence_days=1.0)
        assert len(sets) < mod.SHORT_SETS
        det = mod.detect_maneuvers(sets)
        turn = any(abs(m.epoch_us - truth[0]) < DAY and m.kind == "geo_ns_station_keeping"
                   for m in det)
        exact = len(det) == len(truth) and all(
            any(abs(m.epoch_us - t) < DAY for m in det) for t in truth)
        return turn, exact

    assert all(all(found(seed)) for seed in range(1, 21))
    monkeypatch.setattr(mod, "isolated", lambda *a, turn=False, **k: isolated(*a, **k))
    assert not all(found(seed)[0] for seed in range(1, 21))


def test_closest_approach_at_a_bracketing_set_is_not_sharp():
    """Two orbits that meet only at the later set's epoch (an along-track burn there or
    after: the later set may still carry the old orbit) are closest at the bracket's
    edge; the epoch is that set and its sigma the whole bracket's (width / sqrt 12), not
    the narrow spread of the minimum.  Inside the bracket the sigma stays narrower."""
    from orbwatch.detect.maneuver_epoch import closest_approach_epoch
    from orbwatch.time import jd_fr

    day = 86_400_000_000
    pre = ElementSet(norad=90001, epoch_us=T0, eccentricity=1e-3, inclination=98.6, raan=40.0,
                     arg_perigee=90.0, mean_anomaly=0.0, bstar=0.0, mean_motion=14.5)

    def meeting_at(t_us):
        n_new = pre.mean_motion * (1 + 1e-3)
        # mean anomaly at t_us equal to the old orbit's there, so the two meet at t_us
        post = dataclasses.replace(pre, epoch_us=T0 + 2 * day, mean_motion=n_new)
        jd, fr = jd_fr(np.array([t_us]))
        for _ in range(3):  # shift the later set's mean anomaly until the two meet at t_us
            _, r1, v1 = pre.satrec().sgp4_array(jd, fr)
            _, r2, _ = post.satrec().sgp4_array(jd, fr)
            lead = np.degrees(np.dot((r1 - r2)[0], v1[0]) / np.linalg.norm(v1[0])
                              / np.linalg.norm(r1[0]))
            post = dataclasses.replace(post, mean_anomaly=(post.mean_anomaly + lead) % 360.0)
        return post

    width_s = 2 * 86400.0
    epoch, sigma = closest_approach_epoch(pre, meeting_at(T0 + 2 * day))
    assert abs(epoch - (T0 + 2 * day)) < 0.05 * day
    assert sigma == pytest.approx(width_s / math.sqrt(12.0))
    epoch, sigma = closest_approach_epoch(pre, meeting_at(T0 + day))
    assert abs(epoch - (T0 + day)) < 0.2 * day and sigma < 0.5 * width_s / math.sqrt(12.0)
