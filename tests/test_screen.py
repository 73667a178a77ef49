"""Screening on synthetic cases whose truth is built in: a planted crossing,
a docked pair, a formation drifting through the threshold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from orbwatch.elements.model import ElementSet
from orbwatch.screen.engine import rtn_components, screen
from orbwatch.screen.reference import pair_minimum
from orbwatch.time import parse_iso

EPOCH = parse_iso("2024-03-01T12:00:00Z")


def leo(norad, incl, raan=40.0, mean_anomaly=0.0, argp=0.0, n=15.2, e=0.0001, **kw):
    return ElementSet(norad=norad, epoch_us=EPOCH, mean_motion=n, eccentricity=e,
                      inclination=incl, raan=raan, arg_perigee=argp,
                      mean_anomaly=mean_anomaly, bstar=1e-5, **kw)


def test_planted_crossing_is_found_with_reference_tca_and_miss():
    # both at the ascending node at epoch: they meet there (and half an orbit later)
    a = leo(90001, 51.6)
    b = leo(90002, 97.5, mean_anomaly=0.01)  # ~1.2 km behind along track
    start, stop = EPOCH - int(20 * 60e6), EPOCH + int(20 * 60e6)
    res = screen([a, b], start, stop, threshold_km=5.0)
    (enc,) = res.encounters
    t, d, v = pair_minimum(a.satrec(), b.satrec(), start, 0.0, (stop - start) / 1e6)
    assert abs(enc.tca_us - (start + t * 1e6)) < 10_000  # 10 ms
    assert enc.miss_km == pytest.approx(d, abs=1e-4)
    assert enc.rel_speed_kms == pytest.approx(v, rel=1e-6) and v > 5
    assert abs(enc.tca_us - EPOCH) < 2e6
    # the RTN miss vector has the miss distance as its length
    assert np.linalg.norm(enc.miss_rtn_km) == pytest.approx(enc.miss_km, rel=1e-9)
    assert not res.proximities


def test_docked_pair_is_one_long_proximity_not_thousands_of_conjunctions():
    a = leo(90011, 51.6, mean_anomaly=10.0)
    b = replace(a, norad=90012, mean_anomaly=10.002)  # ~240 m ahead, same orbit
    start, stop = EPOCH, EPOCH + int(12 * 3600e6)
    res = screen([a, b], start, stop, threshold_km=5.0)
    assert not res.encounters
    (prox,) = res.proximities
    assert prox.start_us == start and prox.end_us == stop
    assert 0.1 < prox.min_range_km < 0.4
    assert prox.samples == 12 * 60 + 1


def test_drifting_formation_enters_and_leaves_the_threshold():
    """A slightly lower follower catches up through the leader over hours."""
    a = leo(90021, 51.6, mean_anomaly=0.0, n=15.2)
    b = leo(90022, 51.6, mean_anomaly=-0.3, n=15.21)  # 36 km behind, 3 km lower: ~18 km/h
    start, stop = EPOCH, EPOCH + int(8 * 3600e6)
    res = screen([a, b], start, stop, threshold_km=5.0)
    assert len(res.proximities) >= 1
    p = res.proximities[0]
    assert start < p.start_us < p.end_us < stop  # it entered and left the threshold
    assert p.rel_speed_kms < 0.05


def test_rtn_components_axes():
    r = np.array([7000.0, 0, 0])
    v = np.array([0, 7.5, 0])
    assert np.allclose(rtn_components(r, v, np.array([1.0, 2.0, 3.0])), [1, 2, 3])


@pytest.mark.parametrize("kw,match", [
    ({"threshold_km": 0}, "positive"),
    ({"step_s": -1}, "positive"),
])
def test_bad_arguments(kw, match):
    a, b = leo(1, 50), leo(2, 60)
    with pytest.raises(ValueError, match=match):
        screen([a, b], EPOCH, EPOCH + 3600_000_000, **kw)


def test_one_set_per_object():
    a = leo(1, 50)
    with pytest.raises(ValueError, match="one element set per object"):
        screen([a, a], EPOCH, EPOCH + 3600_000_000)
