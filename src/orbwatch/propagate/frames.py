"""Frame conversions of SGP4 output: TEME to GCRF, TEME to ITRF, ITRF to WGS84.

Every function takes positions (..., T, 3) km and velocities (..., T, 3)
km/s at ``times_us`` (T,) int64 microseconds since 1970 UTC, is vectorised
over T through one skyfield ``Time`` array, and broadcasts over the leading
axes (N objects).  Rotations are skyfield's, from its built-in timescale
(``load.timescale(builtin=True)``: UT1 from the bundled IERS table, nothing
is downloaded).  Polar motion is off unless ``xp_arcsec``/``yp_arcsec`` are
given.

* TEME to GCRF is skyfield's ``TEME`` frame: the same rotation as
  ``EarthSatellite.at(t)`` (velocity rotated, the slow precession rate
  neglected, as skyfield does).
* TEME to ITRF is the rotation by GMST 1982 of UT1 (AIAA 2006-6753 App. C),
  identical to skyfield's TEME -> GCRS -> ``itrs`` chain, plus the Earth
  rotation term in the velocity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from orbwatch.propagate.batch import Ephemeris, as_times_us
from orbwatch.time import US_PER_DAY

__all__ = [
    "rtn_axes",
    "FrameState",
    "Geodetic",
    "WGS84_A_KM",
    "WGS84_F",
    "skyfield_time",
    "teme_to_gcrf",
    "teme_to_itrf",
    "itrf_to_geodetic",
    "geodetic_to_itrf",
    "ephemeris_to_frame",
]

WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
_E2 = WGS84_F * (2.0 - WGS84_F)
_ARCSEC = np.pi / (180.0 * 3600.0)


@dataclass(frozen=True, eq=False)
class FrameState:
    """Position (..., T, 3) km and velocity (..., T, 3) km/s in ``frame``."""

    position: np.ndarray
    velocity: np.ndarray
    times_us: np.ndarray
    frame: str


@dataclass(frozen=True, eq=False)
class Geodetic:
    """WGS84 geodetic coordinates: latitude and longitude (-180, 180] in
    degrees, altitude above the ellipsoid in km."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    frame: str = "WGS84"


@lru_cache(maxsize=1)
def _timescale():
    from skyfield.api import load

    return load.timescale(builtin=True)


def skyfield_time(times_us):
    """A skyfield ``Time`` array for int64 microseconds since 1970 UTC.

    Whole days and the second of the day are passed separately so that the
    float keeps microsecond resolution.
    """
    t = as_times_us(times_us)
    days, rem = np.divmod(t, US_PER_DAY)
    return _timescale().utc(1970, 1, 1 + days, 0, 0, rem / 1e6)


def _rotate(matrices: np.ndarray, vectors: np.ndarray, transpose: bool = False) -> np.ndarray:
    """Apply skyfield's (3, 3, T) matrices to vectors (..., T, 3)."""
    m = np.moveaxis(np.asarray(matrices), -1, 0)  # (T, 3, 3)
    if m.ndim == 2:
        m = m[None]
    if not transpose:
        m = np.swapaxes(m, -1, -2)
    return (vectors[..., None, :] @ m)[..., 0, :]  # row vector @ R^T == R @ v


def _check(position, velocity, t: np.ndarray):
    r = np.asarray(position, dtype=np.float64)
    v = np.asarray(velocity, dtype=np.float64)
    if r.shape != v.shape or r.ndim < 2 or r.shape[-1] != 3 or r.shape[-2] != t.size:
        raise ValueError(f"position and velocity must both be (..., {t.size}, 3); "
                         f"got {r.shape} and {v.shape}")
    return r, v


def teme_to_gcrf(position, velocity, times_us) -> FrameState:
    """TEME (SGP4 output) to GCRF (skyfield's GCRS axes, ICRS-aligned, geocentric).

    ``position`` km and ``velocity`` km/s of shape (..., T, 3) at ``times_us`` (T,).
    """
    from skyfield.sgp4lib import TEME

    t_us = as_times_us(times_us)
    r, v = _check(position, velocity, t_us)
    rot = TEME.rotation_at(skyfield_time(t_us))  # GCRS -> TEME
    return FrameState(_rotate(rot, r, transpose=True), _rotate(rot, v, transpose=True),
                      t_us, "GCRF")


def teme_to_itrf(position, velocity, times_us, *, xp_arcsec=0.0, yp_arcsec=0.0) -> FrameState:
    """TEME (SGP4 output) to ITRF (Earth-fixed), velocity relative to the rotating Earth.

    TEME -> PEF is a rotation by GMST 1982 of UT1; PEF -> ITRF applies polar
    motion ``xp_arcsec``, ``yp_arcsec`` (scalars or (T,) arrays; 0 = off).
    """
    from skyfield.functions import rot_x, rot_y, rot_z
    from skyfield.sgp4lib import theta_GMST1982

    t_us = as_times_us(times_us)
    r, v = _check(position, velocity, t_us)
    ts = skyfield_time(t_us)
    theta, theta_dot = theta_GMST1982(ts.whole, ts.ut1_fraction)  # rad, rad/day
    rot = rot_z(-np.asarray(theta))
    r_pef = _rotate(rot, r)
    omega = np.asarray(theta_dot, dtype=np.float64)[:, None] / 86400.0  # (T, 1) rad/s
    v_pef = _rotate(rot, v)
    # v_pef = R v - omega x r_pef with omega along +z
    v_pef[..., 0] += omega[:, 0] * r_pef[..., 1]
    v_pef[..., 1] -= omega[:, 0] * r_pef[..., 0]
    xp = np.broadcast_to(np.asarray(xp_arcsec, dtype=np.float64) * _ARCSEC, t_us.shape)
    yp = np.broadcast_to(np.asarray(yp_arcsec, dtype=np.float64) * _ARCSEC, t_us.shape)
    if np.any(xp) or np.any(yp):
        w = np.einsum("ijt,jkt->ikt", rot_x(yp), rot_y(xp))
        r_pef, v_pef = _rotate(w, r_pef), _rotate(w, v_pef)
    return FrameState(r_pef, v_pef, t_us, "ITRF")


def itrf_to_geodetic(position_itrf) -> Geodetic:
    """ITRF position (..., 3) km to WGS84 latitude, longitude (deg) and altitude (km).

    Fixed-point iteration on latitude (6 rounds; each gains a factor ~e^2,
    so well below 1e-12 rad for any orbit) and the height formula that
    holds at the poles too.
    """
    r = np.asarray(position_itrf, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1.0 - _E2))
    for _ in range(6):
        s = np.sin(lat)
        n = WGS84_A_KM / np.sqrt(1.0 - _E2 * s * s)
        lat = np.arctan2(z + n * _E2 * s, p)
    s, c = np.sin(lat), np.cos(lat)
    alt = p * c + z * s - WGS84_A_KM * np.sqrt(1.0 - _E2 * s * s)
    lon = np.degrees(np.arctan2(y, x))
    return Geodetic(np.degrees(lat), lon, alt)


def geodetic_to_itrf(lat_deg, lon_deg, alt_km) -> np.ndarray:
    """WGS84 latitude, longitude (deg) and altitude (km) to ITRF position (..., 3) km."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    h = np.asarray(alt_km, dtype=np.float64)
    s = np.sin(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - _E2 * s * s)
    xy = (n + h) * np.cos(lat)
    return np.stack([xy * np.cos(lon), xy * np.sin(lon), (n * (1.0 - _E2) + h) * s], axis=-1)


def ephemeris_to_frame(eph: Ephemeris, frame: str, **kwargs) -> Ephemeris:
    """A TEME :class:`Ephemeris` converted to ``"GCRF"`` or ``"ITRF"`` (same fields otherwise)."""
    if eph.frame != "TEME":
        raise ValueError(f"expected a TEME ephemeris, got {eph.frame}")
    if frame == "GCRF":
        fs = teme_to_gcrf(eph.position, eph.velocity, eph.times_us)
    elif frame == "ITRF":
        fs = teme_to_itrf(eph.position, eph.velocity, eph.times_us, **kwargs)
    else:
        raise ValueError(f"frame must be 'GCRF' or 'ITRF', not {frame!r}")
    return replace(eph, position=fs.position, velocity=fs.velocity, frame=fs.frame)


def rtn_axes(r, v) -> np.ndarray:
    """Unit vectors of the radial / transverse (along-track) / normal frame of
    states (r, v) in any inertial frame, as the rows of (..., 3, 3) matrices:
    R = r/|r|, N = (r x v)/|r x v|, T = N x R.  ``rtn_axes(r, v) @ d`` gives the
    RTN components of a vector ``d`` given in the frame of r and v."""
    r = np.asarray(r, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    rh = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    nh = h / np.linalg.norm(h, axis=-1, keepdims=True)
    return np.stack([rh, np.cross(nh, rh), nh], axis=-2)
