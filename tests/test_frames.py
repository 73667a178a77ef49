"""orbwatch.propagate.frames against skyfield's own satellite positions."""

from __future__ import annotations

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84
from skyfield.framelib import itrs
from skyfield.sgp4lib import TEME_to_ITRF

from orbwatch.elements.tle import read_tle
from orbwatch.propagate import (
    SatelliteBatch,
    ephemeris_to_frame,
    geodetic_to_itrf,
    itrf_to_geodetic,
    teme_to_gcrf,
    teme_to_itrf,
)
from orbwatch.time import parse_iso

# 2021-11-15..16, around the Cosmos 1408 test; hours, minutes, seconds (UTC)
HMS = [(0, 0, 0.0), (3, 17, 12.5), (7, 45, 59.25), (12, 0, 0.0), (18, 30, 30.0),
       (23, 59, 59.0), (26, 10, 0.0)]
TIMES_US = np.array([parse_iso("2021-11-15T00:00:00Z") + int((h * 3600 + m * 60 + s) * 1e6)
                     for h, m, s in HMS], dtype=np.int64)


@pytest.fixture(scope="module")
def iss(shared_data):
    """The ISS set nearest 2021-11-15 as (ElementSet, skyfield EarthSatellite)."""
    path = shared_data / "maneuvers" / "iss_history" / "ISS_25544_3le_2021-01-01_2022-03-03.txt"
    lines = path.read_text().splitlines()
    sets = read_tle(lines, future_tolerance_days=None).sets
    target = TIMES_US[0]
    k = int(np.argmin([abs(s.epoch_us - target) for s in sets]))
    es = sets[k]
    l1 = next(i for i, line in enumerate(lines)
              if line.startswith("1 25544") and line[18:32] == _tle_epoch_field(es))
    ts = load.timescale(builtin=True)
    return es, EarthSatellite(lines[l1], lines[l1 + 1], ts=ts), ts


def _tle_epoch_field(es):
    from orbwatch.time import us_to_tle_epoch

    yy, day = us_to_tle_epoch(es.epoch_us)
    return f"{yy:02d}{day}"


def _skyfield_times(ts):
    h, m, s = (np.array(x, dtype=float) for x in zip(*HMS, strict=True))
    return ts.utc(2021, 11, 15, h, m, s)


@pytest.fixture(scope="module")
def teme(iss):
    es, _, _ = iss
    return SatelliteBatch.from_element_sets([es, es]).propagate(TIMES_US)


def test_gcrf_matches_skyfield(iss, teme):
    _, sat, ts = iss
    geo = sat.at(_skyfield_times(ts))
    fs = teme_to_gcrf(teme.position, teme.velocity, teme.times_us)
    assert fs.frame == "GCRF" and fs.position.shape == (2, len(HMS), 3)
    for row in range(2):  # broadcast over objects
        assert np.abs(fs.position[row] - geo.position.km.T).max() < 1e-3  # 1 m
        assert np.abs(fs.velocity[row] - geo.velocity.km_per_s.T).max() < 1e-6  # 1 mm/s


def test_itrf_matches_skyfield(iss, teme):
    _, sat, ts = iss
    r_sf, v_sf = sat.at(_skyfield_times(ts)).frame_xyz_and_velocity(itrs)
    fs = teme_to_itrf(teme.position, teme.velocity, teme.times_us)
    assert fs.frame == "ITRF"
    assert np.abs(fs.position[0] - r_sf.km.T).max() < 1e-3
    assert np.abs(fs.velocity[0] - v_sf.km_per_s.T).max() < 1e-6
    # |r| is frame independent
    np.testing.assert_allclose(np.linalg.norm(fs.position, axis=-1),
                               np.linalg.norm(teme.position, axis=-1), rtol=1e-14)


def test_polar_motion_matches_skyfield_teme_to_itrf(iss, teme):
    _, _, ts = iss
    t = _skyfield_times(ts)
    xp, yp = 0.25, 0.38  # arcsec, typical size
    fs = teme_to_itrf(teme.position[0], teme.velocity[0], teme.times_us,
                      xp_arcsec=xp, yp_arcsec=yp)
    arcsec = np.pi / 648000
    for j in range(len(HMS)):
        r, v = TEME_to_ITRF(t.whole[j], teme.position[0, j], teme.velocity[0, j],
                            xp * arcsec, yp * arcsec, t.ut1_fraction[j])
        assert np.abs(fs.position[j] - r).max() < 1e-6
    off = teme_to_itrf(teme.position[0], teme.velocity[0], teme.times_us)
    shift = np.linalg.norm(fs.position - off.position, axis=-1)
    assert (shift > 1e-3).all() and (shift < 0.03).all()  # metres, not more


def test_geodetic_matches_skyfield_and_iss_altitude(iss, teme):
    _, sat, ts = iss
    fs = teme_to_itrf(teme.position, teme.velocity, teme.times_us)
    geo = itrf_to_geodetic(fs.position)
    assert geo.frame == "WGS84" and geo.alt_km.shape == (2, len(HMS))
    # ~420 km mean in Nov 2021; the geodetic height swings some 15 km with
    # latitude (the ellipsoid is 21 km flatter at the poles) and eccentricity
    assert ((geo.alt_km > 400) & (geo.alt_km < 440)).all()
    assert 410 < geo.alt_km.mean() < 435
    # inclination 51.64 deg bounds the geocentric latitude; geodetic is up to 0.19 deg more
    assert (np.abs(geo.lat_deg) < 51.64 + 0.2).all()
    sub = wgs84.geographic_position_of(sat.at(_skyfield_times(ts)))
    np.testing.assert_allclose(geo.lat_deg[0], sub.latitude.degrees, atol=1e-7)
    np.testing.assert_allclose(geo.lon_deg[0], sub.longitude.degrees, atol=1e-7)
    np.testing.assert_allclose(geo.alt_km[0], sub.elevation.km, atol=1e-3)


def test_geodetic_round_trip():
    rng = np.random.default_rng(3)
    lat = np.r_[rng.uniform(-90, 90, 500), -90.0, 90.0, 0.0]
    lon = np.r_[rng.uniform(-180, 180, 500), 0.0, 45.0, 180.0]
    alt = np.r_[rng.uniform(-5, 40000, 500), 400.0, 35786.0, 0.0]
    xyz = geodetic_to_itrf(lat, lon, alt)
    back = itrf_to_geodetic(xyz)
    np.testing.assert_allclose(back.lat_deg, lat, atol=1e-9)
    np.testing.assert_allclose(back.alt_km, alt, atol=1e-8)
    polar = np.abs(lat) == 90.0
    dlon = (back.lon_deg - lon + 180.0) % 360.0 - 180.0
    assert np.abs(dlon[~polar]).max() < 1e-9
    np.testing.assert_allclose(geodetic_to_itrf(back.lat_deg, back.lon_deg, back.alt_km), xyz,
                               atol=1e-8)
    # the equator at zero altitude is the semi-major axis
    np.testing.assert_allclose(np.linalg.norm(xyz[-1]), 6378.137)


def test_ephemeris_to_frame(teme):
    gcrf = ephemeris_to_frame(teme, "GCRF")
    itrf = ephemeris_to_frame(teme, "ITRF")
    assert (gcrf.frame, itrf.frame) == ("GCRF", "ITRF")
    np.testing.assert_array_equal(gcrf.error, teme.error)
    np.testing.assert_array_equal(gcrf.position,
                                  teme_to_gcrf(teme.position, teme.velocity,
                                               teme.times_us).position)
    with pytest.raises(ValueError):
        ephemeris_to_frame(gcrf, "ITRF")
    with pytest.raises(ValueError):
        ephemeris_to_frame(teme, "J2000")
    with pytest.raises(ValueError):
        teme_to_gcrf(teme.position[:, :3], teme.velocity, teme.times_us)


def test_nan_states_stay_nan(teme):
    r = teme.position.copy()
    r[1, 2] = np.nan
    fs = teme_to_itrf(r, teme.velocity, teme.times_us)
    assert np.isnan(fs.position[1, 2]).all() and np.isfinite(fs.position[0]).all()
    geo = itrf_to_geodetic(fs.position)
    assert np.isnan(geo.alt_km[1, 2]) and np.isfinite(geo.alt_km[0]).all()


def test_rtn_axes_rows_are_radial_transverse_normal():
    from orbwatch.propagate.frames import rtn_axes

    r = np.array([[7000.0, 0, 0], [0, 0, 7000.0]])
    v = np.array([[0, 7.5, 0.1], [7.5, 0, 0]])
    ax = rtn_axes(r, v)
    assert np.allclose(ax @ np.swapaxes(ax, -1, -2), np.eye(3))
    assert np.allclose(ax[:, 0], r / 7000.0)
    assert np.all(np.einsum("kj,kj->k", ax[:, 1], v) > 0)  # T points along the motion
