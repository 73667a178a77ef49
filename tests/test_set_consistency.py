"""Error bars from an object's own element-set history (set-to-set prediction
differences): synthetic histories whose set errors are planted, the real
benchmark histories, and the error bar a proximity event's minimum range gets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orbwatch.detect.proximity import detect_proximity
from orbwatch.detect.set_consistency import (
    MAX_GAP_DAYS,
    position_sigma_km,
    prediction_differences,
)
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.propagate.fit import state_to_element_set
from orbwatch.time import jd_fr
from test_proximity import DAY, T0, orbit

BASE = orbit(1, "BASE", 15.2, 100.0, 0.0, 0)


def _history(norad: int, shifts_s, *, lead_s: float = 0.0, days=None):
    """Daily sets of BASE's SGP4 trajectory, the set of day k fitted to the state
    ``lead_s + shifts_s[k]`` seconds ahead of its epoch: an along-track error of
    about ``|v| shifts_s[k]`` km planted in each, exactly consistent with SGP4."""
    sat = satrec_from_elements(BASE)
    out = []
    for k, d in enumerate(shifts_s):
        t = T0 + (k if days is None else days[k]) * DAY
        jd, fr = jd_fr(t + int(round((lead_s + d) * 1e6)))
        e, r, v = sat.sgp4(jd, fr)
        assert e == 0
        out.append(state_to_element_set(r, v, t, norad, name=f"OBJ {norad}"))
    return out


def _speed() -> float:
    jd, fr = jd_fr(T0)
    return float(np.linalg.norm(satrec_from_elements(BASE).sgp4(jd, fr)[2]))


def test_consistent_sets_agree_and_planted_errors_are_measured():
    clean = _history(5, [0.0] * 8)
    gaps, diff = prediction_differences(clean)
    assert gaps == pytest.approx(np.ones(7)) and diff.max() < 0.02
    # sets alternately 0.1 s ahead and behind: each next set lands 2 |v| 0.1 s away
    noisy = _history(5, [0.1 if k % 2 else -0.1 for k in range(8)])
    _, diff = prediction_differences(noisy)
    want = 2 * _speed() * 0.1
    assert diff == pytest.approx(np.full(7, want), rel=0.03)
    # read as two sets' independent errors: want / sqrt(2) each
    assert position_sigma_km(noisy, 0.5) == pytest.approx(want / math.sqrt(2), rel=0.03)
    # a set four days old: the one-day differences grown linearly
    assert position_sigma_km(noisy, 4.0) == pytest.approx(4 * want / math.sqrt(2), rel=0.03)


def test_a_manoeuvre_and_a_snapshot_gap_do_not_count():
    shifts = [0.1 if k % 2 else -0.1 for k in range(9)]
    shifts[5:] = [s + 30.0 for s in shifts[5:]]  # a 230 km jump between days 4 and 5
    hist = _history(6, shifts)
    _, diff = prediction_differences(hist)
    assert diff.max() > 100.0  # the jump is one pair ...
    assert position_sigma_km(hist, 0.5) == pytest.approx(2 * _speed() * 0.1 / math.sqrt(2),
                                                         rel=0.03)
    # ... and the pairs nearest the instant are read, in time order
    g, d = prediction_differences(hist, near_us=T0 + 2 * DAY, pairs=3)
    assert g.size == 3 and d.max() < 2.0
    _, d = prediction_differences(hist, near_us=T0 + 9 * DAY // 2, pairs=1)
    assert d[0] > 100.0
    # snapshots years apart, and a single set, say nothing of a set's error
    far = _history(7, [0.0, 0.0], days=[0, MAX_GAP_DAYS + 1])
    assert position_sigma_km(far, 0.5) is None
    assert position_sigma_km(far[:1], 0.5) is None
    assert prediction_differences(far)[1].size == 0
    with pytest.raises(ValueError, match="one object's history"):
        prediction_differences(far + hist)
    with pytest.raises(ValueError, match="pairs must be 1 or more"):
        prediction_differences(hist, pairs=0)


def test_few_pairs_give_no_error_bar_and_a_known_manoeuvre_is_left_out():
    """Two or three pairs cannot tell a burn from noise by their median: a history of
    four sets with a 230 km jump in its middle pair gives an error bar only while the
    jump is one of three pairs; told the manoeuvre's span, none is left to give one."""
    shifts = [-0.1, 0.1, 30.1, 29.9]
    hist = _history(8, shifts)
    assert position_sigma_km(hist[:3], 0.5) is None  # two pairs, one of them the jump
    assert position_sigma_km(hist, 0.5) == pytest.approx(2 * _speed() * 0.1 / math.sqrt(2),
                                                         rel=0.03)
    burn = (hist[1].epoch_us, hist[2].epoch_us)
    assert position_sigma_km(hist, 0.5, exclude=[burn]) is None
    # a small burn (a 0.5 s jump: 3.7 km against 1.5 km of noise) passes the outlier
    # cut; only its known span keeps it out
    small = _history(9, [-0.1, 0.1, 0.5, 0.3, 0.5, 0.3])
    burn = (small[1].epoch_us, small[2].epoch_us)
    noise = 2 * _speed() * 0.1 / math.sqrt(2)
    assert position_sigma_km(small, 0.5) > 1.2 * noise
    assert position_sigma_km(small, 0.5, exclude=[burn]) == pytest.approx(noise, rel=0.03)


def test_min_range_error_bar_measures_the_planted_set_errors():
    """A chaser flying the target's orbit 0.7 s (5.3 km) ahead, each set of both with
    a Gaussian along-track error of 0.05 s (0.38 km), in 8 noise draws: the error bar
    is the planted error (both objects in quadrature) within a factor 2 in every draw
    and 30 % in the median, and the minimum over the window's daily sets reads low by
    the spread of a minimum of noisy ranges, within 3 planted sigma of the truth."""
    true_km, planted = _speed() * 0.7, math.sqrt(2) * _speed() * 0.05
    n, sigmas = 15, []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        target = _history(11, rng.normal(0.0, 0.05, n))
        chaser = _history(12, rng.normal(0.0, 0.05, n), lead_s=0.7)
        report = detect_proximity(target + chaser, T0 + DAY, T0 + (n - 1) * DAY,
                                  regimes=["leo"])
        (ev,) = report.events
        sigmas.append(ev.uncertainty["min_range_km"])
        assert planted / 2 < sigmas[-1] < planted * 2, (seed, sigmas[-1], planted)
        assert 0 < true_km - ev.metrics["min_range_km"] <= 3 * planted, seed
        assert "set-to-set" in ev.evidence["min_range_uncertainty"]
    assert np.median(sigmas) == pytest.approx(planted, rel=0.3)


def test_real_histories_leo_sets_agree_better_than_geo(shared_data):
    """The benchmark's histories: a low-drag LEO payload's sets agree to a few
    hundred metres over a day, a Fengyun's in GEO to a few km (what the along-track
    errors of public sets are usually quoted as)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import maneuvers as bench

    sig = {}
    for name in ("Sentinel-3A", "CryoSat-2", "Fengyun-2F", "Fengyun-4A"):
        sets, _ = bench.load_case(shared_data, name)
        mid = sets[len(sets) // 2].epoch_us
        sig[name] = [position_sigma_km(sets, 1.0, at_us=mid + k * 30 * DAY, pairs=50)
                     for k in range(5)]
    for name in ("Sentinel-3A", "CryoSat-2"):
        assert all(0.01 < s < 0.5 for s in sig[name]), (name, sig[name])
    for name in ("Fengyun-2F", "Fengyun-4A"):
        assert all(0.3 < s < 8.0 for s in sig[name]), (name, sig[name])
    assert min(min(sig[n]) for n in ("Fengyun-2F", "Fengyun-4A")) > \
        max(max(sig[n]) for n in ("Sentinel-3A", "CryoSat-2"))
    assert math.isfinite(sum(map(sum, sig.values())))


def test_a_difference_table_built_once_answers_as_the_history_does():
    from orbwatch.detect.set_consistency import difference_table

    hist = _history(10, [0.1 if k % 2 else -0.1 for k in range(12)])
    table = difference_table(hist)
    assert table.norad == 10 and table.diff_km.size == 11
    assert np.all(table.end_us - table.start_us == DAY)
    for at in (T0, T0 + 5 * DAY, None):
        for age in (0.3, 3.0):
            assert position_sigma_km(table, age, at_us=at, pairs=4) == \
                position_sigma_km(hist, age, at_us=at, pairs=4)
    assert difference_table([]).diff_km.size == 0
