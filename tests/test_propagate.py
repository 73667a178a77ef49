"""orbwatch.propagate: batches, error handling, nearest-epoch selection, histories."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.elements.tle import read_tle
from orbwatch.propagate import (
    DEFAULT_MAX_AGE_S,
    ERROR_DECAYED,
    ERROR_PERTURBED_ECCENTRICITY,
    SatelliteBatch,
    error_message,
    group_history,
    propagate_history,
    select_nearest,
    select_nearest_batch,
)
from orbwatch.time import jd_fr, parse_iso

US_PER_MIN = 60_000_000


def _read(path):
    result = read_tle(path.read_text(), path=str(path), verify_checksum=False,
                      future_tolerance_days=None)
    assert not result.errors
    return result.sets


@pytest.fixture(scope="module")
def vallado(shared_data):
    return {es.norad: es for es in _read(shared_data / "sgp4_verification" / "SGP4-VER.TLE")}


@pytest.fixture(scope="module")
def histories(shared_data):
    """ISS 2021-2022 (LEO), Sentinel-6A (LEO, 1336 km) and Fengyun-4A (GEO, deep space)."""
    m = shared_data / "maneuvers"
    sets = _read(m / "iss_history" / "ISS_25544_3le_2021-01-01_2022-03-03.txt")
    for name in ("Sentinel-6A", "Fengyun-4A"):
        sets += _read(m / "shorten_tle_benchmark" / "processed_files" / f"{name}.tle")
    return group_history(sets)


# ----- batches and errors ---------------------------------------------------

def test_decayed_object_in_the_middle_of_a_batch(vallado):
    # 28872 decays between 50 and 55 minutes; 33334 fails at every time
    # (perturbed eccentricity at its epoch, mean eccentricity half a year before)
    # the neighbours are geostationary: fine for years either side of 2005
    sets = [vallado[25954], vallado[28872], vallado[26900], vallado[33334], vallado[28626]]
    t0 = vallado[28872].epoch_us
    times = t0 + np.arange(0, 121, 5, dtype=np.int64) * US_PER_MIN
    eph = SatelliteBatch.from_element_sets(sets).propagate(times)
    assert eph.frame == "TEME"
    assert eph.position.shape == (5, 25, 3) and eph.velocity.shape == (5, 25, 3)
    assert eph.error.shape == (5, 25) and eph.error.dtype == np.uint8
    np.testing.assert_array_equal(eph.norad, [25954, 28872, 26900, 33334, 28626])
    decayed = eph.error[1]
    assert (decayed[:11] == 0).all() and (decayed[11:] == ERROR_DECAYED).all()
    assert np.isfinite(eph.position[1, :11]).all()
    assert np.isnan(eph.position[1, 11:]).all() and np.isnan(eph.velocity[1, 11:]).all()
    assert (eph.error[3] != 0).all()
    assert np.isnan(eph.position[3]).all()
    for row in (0, 2, 4):
        assert (eph.error[row] == 0).all()
        assert np.isfinite(eph.position[row]).all() and np.isfinite(eph.velocity[row]).all()
    assert "decayed" in error_message(ERROR_DECAYED)
    assert error_message(0) == "ok"
    assert set(eph.error_messages()) == {1, 6}
    assert eph.row(26900) == 2


def test_decay_is_sticky_unless_asked_otherwise(vallado):
    es = vallado[28872]
    batch = SatelliteBatch.from_element_sets([vallado[33334], es])
    minutes = np.array([-30, 0, 50, 55, 60, 70, 90, 120], dtype=np.int64)
    times = es.epoch_us + minutes * US_PER_MIN
    raw = batch.propagate(times, sticky_decay=False)
    # SGP4 on its own: decayed at -30, 55 and 60 min, "back" at 70 min
    np.testing.assert_array_equal(raw.error[1], [6, 0, 0, 6, 6, 0, 0, 0])
    assert np.isfinite(raw.position[1, 5]).all()
    eph = batch.propagate(times)
    np.testing.assert_array_equal(eph.error[1], [6, 0, 0, 6, 6, 6, 6, 6])
    assert np.isnan(eph.position[1, 3:]).all() and np.isfinite(eph.position[1, 1:3]).all()
    # times out of order give the same answer
    perm = np.array([7, 2, 0, 5, 1, 3, 6, 4])
    shuffled = batch.propagate(times[perm])
    np.testing.assert_array_equal(shuffled.error[1], eph.error[1][perm])
    at_epoch = SatelliteBatch.from_element_sets([vallado[33334]]).propagate(
        vallado[33334].epoch_us)
    assert at_epoch.error[0, 0] == ERROR_PERTURBED_ECCENTRICITY


def test_batch_equals_single_satrec(vallado):
    sets = [vallado[n] for n in (5, 6251, 23599, 28626)]
    times = parse_iso("2006-06-25T00:00:00Z") + np.arange(0, 3 * 86400, 600) * 1_000_000
    eph = SatelliteBatch.from_element_sets(sets).propagate(times)
    jd, fr = jd_fr(times)
    for row, es in enumerate(sets):
        e, r, v = satrec_from_elements(es).sgp4_array(jd, fr)
        ok = e == 0
        np.testing.assert_array_equal(eph.error[row], e)
        np.testing.assert_array_equal(eph.position[row][ok], r[ok])
        np.testing.assert_array_equal(eph.velocity[row][ok], v[ok])


def test_times_are_integer_microseconds(vallado):
    batch = SatelliteBatch.from_element_sets([vallado[5]])
    with pytest.raises(TypeError):
        batch.propagate(np.array([1.5e15]))
    t = vallado[5].epoch_us
    a = batch.propagate(t)
    b = batch.propagate(np.array([t]).astype("datetime64[us]"))
    assert a.position.shape == (1, 1, 3)
    np.testing.assert_array_equal(a.position, b.position)


def test_empty_batch_and_empty_times(vallado):
    eph = SatelliteBatch.from_element_sets([]).propagate([1, 2, 3])
    assert eph.position.shape == (0, 3, 3)
    eph = SatelliteBatch.from_element_sets([vallado[5]]).propagate([])
    assert eph.position.shape == (1, 0, 3) and eph.error.shape == (1, 0)


# ----- nearest-epoch selection ------------------------------------------------

def _brute_nearest(epochs, t):
    """Nearest epoch; a time halfway between two epochs goes to the earlier;
    of equal epochs the last one (in history order)."""
    d = np.abs(epochs - t)
    cand = np.flatnonzero(d == d.min())
    before = cand[epochs[cand] <= t]
    chosen = epochs[before].max() if before.size else epochs[cand].min()
    return int(np.flatnonzero(epochs == chosen).max())


def _random_history(rng, n_obj, max_sets, span):
    counts = rng.integers(1, max_sets + 1, size=n_obj)
    epochs = np.concatenate([np.sort(rng.integers(0, span, size=c)) for c in counts])
    offsets = np.r_[0, np.cumsum(counts)]
    return epochs.astype(np.int64), offsets


@pytest.mark.parametrize("seed", range(6))
def test_select_nearest_batch_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    span = [30, 10**6, 10**15][seed % 3]  # small spans force ties and duplicates
    epochs, offsets = _random_history(rng, n_obj=int(rng.integers(1, 20)), max_sets=12,
                                      span=span)
    times = rng.integers(-span // 3, span + span // 3, size=int(rng.integers(1, 40)))
    max_age = float(span) / 4e6
    sel = select_nearest_batch(epochs, offsets, times, max_age_s=max_age)
    n = len(offsets) - 1
    assert sel.index.shape == sel.age_s.shape == sel.stale.shape == (n, times.size)
    for k in range(n):
        lo, hi = offsets[k], offsets[k + 1]
        for j, t in enumerate(times):
            want = lo + _brute_nearest(epochs[lo:hi], t)
            assert sel.index[k, j] == want
            age_us = abs(int(t) - int(epochs[want]))
            assert sel.age_s[k, j] == age_us / 1e6
            assert sel.stale[k, j] == (age_us > round(max_age * 1e6))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(-50, 50), min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(st.integers(-80, 80), min_size=1, max_size=20),
)
def test_select_nearest_hypothesis(histories, times):
    epochs = np.concatenate([np.sort(h) for h in histories]).astype(np.int64)
    offsets = np.r_[0, np.cumsum([len(h) for h in histories])]
    sel = select_nearest_batch(epochs, offsets, times)
    for k, h in enumerate(histories):
        e = np.sort(np.asarray(h, dtype=np.int64))
        single = select_nearest(e, times)
        for j, t in enumerate(times):
            want = _brute_nearest(e, t)
            assert single[j] == want
            assert sel.index[k, j] == offsets[k] + want


def test_stale_sets_are_flagged_not_dropped():
    day = 86_400_000_000
    epochs = np.array([0, 10 * day, 100 * day], dtype=np.int64)
    times = np.array([-day, 5 * day, 30 * day, 55 * day, 56 * day, 200 * day], dtype=np.int64)
    sel = select_nearest_batch(epochs, [0, 3], times)
    np.testing.assert_array_equal(sel.index[0], [0, 0, 1, 1, 2, 2])  # 5 d is a tie: earlier
    np.testing.assert_allclose(sel.age_s[0], np.array([1, 5, 20, 45, 44, 100]) * 86400.0)
    np.testing.assert_array_equal(sel.stale[0], [False, False, True, True, True, True])
    assert sel.max_age_s == DEFAULT_MAX_AGE_S
    exactly = select_nearest_batch(epochs, [0, 3], [14 * day + 10 * day], max_age_s=14 * 86400)
    assert not exactly.stale[0, 0]  # the limit itself is not stale


def test_selection_rejects_bad_histories():
    with pytest.raises(ValueError):
        select_nearest_batch([5, 3], [0, 2], [0])  # unsorted within an object
    with pytest.raises(ValueError):
        select_nearest_batch([1, 2], [0, 0, 2], [0])  # an object without sets
    with pytest.raises(ValueError):
        select_nearest([], [0])
    # sorted within objects but not across them is fine
    sel = select_nearest_batch([5, 9, 1, 2], [0, 2, 4], [3])
    np.testing.assert_array_equal(sel.index[:, 0], [0, 3])


# ----- propagate_history ------------------------------------------------------

def test_group_history_sorts_by_norad_then_epoch(histories):
    sets, offsets = histories
    assert len(offsets) == 4
    norads = [sets[o].norad for o in offsets[:-1]]
    assert norads == sorted(norads) == [25544, 41882, 46984]
    for k in range(3):
        seg = sets[offsets[k]:offsets[k + 1]]
        assert {s.norad for s in seg} == {norads[k]}
        epochs = [s.epoch_us for s in seg]
        assert epochs == sorted(epochs)


def test_propagate_history_equals_brute_force(histories):
    sets, offsets = histories
    rng = np.random.default_rng(7)
    start = parse_iso("2021-11-01T00:00:00Z")
    times = start + np.sort(rng.integers(0, 20 * 86400, size=150)) * 1_000_000
    times = np.r_[times, parse_iso("2022-06-01T00:00:00Z"), start + 3 * 86400_000_000]
    rng.shuffle(times)  # any order of times
    eph = propagate_history(sets, offsets, times)
    n = len(offsets) - 1
    assert eph.position.shape == (n, times.size, 3)
    np.testing.assert_array_equal(eph.norad, [25544, 41882, 46984])
    epochs = np.array([s.epoch_us for s in sets])
    jd, fr = jd_fr(times)
    cache = {}
    for k in range(n):
        lo, hi = offsets[k], offsets[k + 1]
        for j, t in enumerate(times):
            i = lo + _brute_nearest(epochs[lo:hi], t)
            assert eph.set_index[k, j] == i
            sat = cache.setdefault(i, satrec_from_elements(sets[i]))
            e, r, v = sat.sgp4(jd[j], fr[j])
            assert eph.error[k, j] == e == 0
            np.testing.assert_array_equal(eph.position[k, j], r)
            np.testing.assert_array_equal(eph.velocity[k, j], v)
            assert eph.age_s[k, j] == abs(int(t) - int(epochs[i])) / 1e6
    # ISS sets are less than a day apart; its history ends 2022-03-03
    iss = eph.row(25544)
    late = times == parse_iso("2022-06-01T00:00:00Z")
    assert eph.stale[iss, late].all() and not eph.stale[iss, ~late].any()
    assert eph.age_s[iss, ~late].max() < 2 * 86400
    assert len(np.unique(eph.set_index[iss])) > 15  # it really switched sets


def test_propagate_history_fixed_mode(histories):
    sets, offsets = histories
    times = parse_iso("2021-11-10T00:00:00Z") + np.arange(0, 86400, 3600) * 1_000_000
    at = int(times[0])
    eph = propagate_history(sets, offsets, times, mode="fixed", fixed_at_us=at)
    epochs = np.array([s.epoch_us for s in sets])
    chosen = [offsets[k] + _brute_nearest(epochs[offsets[k]:offsets[k + 1]], at)
              for k in range(3)]
    assert (eph.set_index == np.array(chosen)[:, None]).all()
    ref = SatelliteBatch.from_element_sets([sets[i] for i in chosen]).propagate(times)
    np.testing.assert_array_equal(eph.position, ref.position)
    latest = propagate_history(sets, offsets, times, mode="fixed")
    np.testing.assert_array_equal(latest.set_index[:, 0], offsets[1:] - 1)
    assert latest.stale.all()  # the latest sets are months away from Nov 2021
    with pytest.raises(ValueError):
        propagate_history(sets, offsets, times, mode="other")


def test_propagate_history_rejects_mixed_objects(vallado):
    with pytest.raises(ValueError):
        propagate_history([vallado[5], vallado[6251]], [0, 2], [vallado[5].epoch_us])


def test_nearest_sets_one_per_object_earlier_on_ties():
    from dataclasses import replace

    from orbwatch.elements.model import ElementSet
    from orbwatch.propagate import nearest_sets

    base = ElementSet(norad=2, epoch_us=0, mean_motion=15.0, eccentricity=0.001,
                      inclination=51.6, raan=0, arg_perigee=0, mean_anomaly=0)
    sets = [replace(base, epoch_us=t) for t in (0, 100, 200)] + [replace(base, norad=1)]
    got = nearest_sets(sets, 150)
    assert [s.norad for s in got] == [1, 2] and got[1].epoch_us == 100
