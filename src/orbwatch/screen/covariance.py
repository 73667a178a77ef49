"""Default position covariance for screening with element sets only, and RTN frames.

Public element sets carry no covariance, yet a collision probability needs
one.  :class:`TleCovarianceModel` gives a diagonal RTN (radial, transverse /
along-track, normal / cross-track) position covariance as a function of the
element set's age at TCA and its orbit regime.  Each sigma grows as

    sigma(t) = sqrt(sigma0**2 + (rate * |t|)**2 + (quad * t**2)**2)   [km, t in days]

(``quad`` only along-track: the drag error of a mean-motion derivative grows
quadratically).  The model is deliberately simple and **replaceable**: load
your own numbers with :meth:`TleCovarianceModel.from_file` (TOML or JSON,
see :data:`EXAMPLE_TOML`) or pass any object with an ``rtn_sigma`` method
(:class:`CovarianceModel`).

Where the default numbers come from (only what could be checked is cited;
the table values are engineering defaults anchored on these facts, not a
reproduction of any paper's tables):

1. Kelso, T.S. (2007), "Validation of SGP4 and IS-GPS-200D Against GPS
   Precision Ephemerides", AAS 07-127: element sets carry no accuracy
   information, and in a typical low Earth orbit SGP4/TLE positions are good
   to the order of 1 km within a few days of epoch.  -> LEO sigmas reach
   about 1 km along-track after ~3 days.
2. CelesTrak SOCRATES documentation (Kelso & Alfano): its maximum-probability
   ellipse uses radial, in-track, cross-track sigmas of 100 m, 300 m, 100 m.
   -> the 1 : 3 : 1 R:T:N ratio of ``sigma0`` in every regime.
3. Flohrer, T., Krag, H., Klinkrad, H. (2008), "Assessment and Categorization
   of TLE Orbit Errors for the US SSN Catalogue", AMOS Conference: ESA's CRASS
   uses look-up tables of initial TLE covariance sorted by eccentricity,
   perigee height and inclination, derived from orbit determination on
   TLE pseudo-observations.  -> the regime split by perigee and eccentricity.
   Their numerical table is not reproduced here; load it with ``from_file``.
4. Orbitvein (vendor note, "TLE freshness and pass prediction"; a weak
   source): for 400-550 km LEO the along-track error grows by roughly
   0.5-2 km per day of TLE age, radial and cross-track about ten times
   slower.  -> LEO_HIGH_DRAG along-track rate 1 km/day, R and N 0.1 km/day.
5. EUMETSAT Metop operator TLEs (about 820 km): about 600 m RMS over their
   7-day validity arc, degrading very slowly afterwards.  -> LEO_LOW_DRAG
   along-track rate 0.2 km/day.

MEO, GEO and HEO values have no retrieved source: they are placeholders
(larger sigmas, slower along-track growth for MEO/GEO, faster for HEO).

Frames: RTN axes are CARA's RIC: [r^, h^ x r^, h^] with h^ = r x v / |r x v|,
evaluated from the state in the inertial frame the covariance is rotated to.
:func:`rtn_to_eci` rotates 3x3 or 6x6 covariances block-diagonally (no
omega x r term, as CARA's RIC2ECI) and symmetrises.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from orbwatch.errors import FieldValueError
from orbwatch.propagate.frames import rtn_axes

__all__ = [
    "REGIMES",
    "MU_EARTH_KM3_S2",
    "EARTH_RADIUS_KM",
    "HIGH_DRAG_PERIGEE_KM",
    "RegimeSigma",
    "CovarianceModel",
    "TleCovarianceModel",
    "DEFAULT_MODEL",
    "EXAMPLE_TOML",
    "orbit_regime",
    "rtn_basis",
    "rtn_to_eci",
    "eci_to_rtn",
]

REGIMES = ("LEO_HIGH_DRAG", "LEO_LOW_DRAG", "MEO", "GEO", "HEO")
MU_EARTH_KM3_S2 = 398600.4418
EARTH_RADIUS_KM = 6378.137
#: perigee altitude below which a LEO orbit counts as high drag
HIGH_DRAG_PERIGEE_KM = 500.0
_LEO_PERIGEE_KM = 2000.0
_HEO_ECC = 0.25


@dataclass(frozen=True)
class RegimeSigma:
    """RTN sigmas of one regime: at epoch (km), linear growth (km/day) and the
    quadratic along-track growth (km/day^2)."""

    sigma0_km: tuple[float, float, float]
    rate_km_per_day: tuple[float, float, float]
    along_track_km_per_day2: float = 0.0

    def __post_init__(self) -> None:
        vals = [*self.sigma0_km, *self.rate_km_per_day, self.along_track_km_per_day2]
        if len(self.sigma0_km) != 3 or len(self.rate_km_per_day) != 3:
            raise ValueError("sigma0_km and rate_km_per_day need 3 values (R, T, N)")
        if not all(math.isfinite(x) and x >= 0 for x in vals) or min(self.sigma0_km) <= 0:
            raise ValueError("sigmas must be finite, sigma0 > 0 and rates >= 0")


_DEFAULT_TABLE = {
    "LEO_HIGH_DRAG": RegimeSigma((0.2, 0.6, 0.2), (0.1, 1.0, 0.1), 0.05),
    "LEO_LOW_DRAG": RegimeSigma((0.1, 0.3, 0.1), (0.03, 0.2, 0.03)),
    "MEO": RegimeSigma((0.5, 1.5, 0.5), (0.05, 0.5, 0.05)),
    "GEO": RegimeSigma((1.0, 3.0, 1.0), (0.1, 1.0, 0.1)),
    "HEO": RegimeSigma((1.0, 3.0, 1.0), (0.3, 3.0, 0.3)),
}

EXAMPLE_TOML = """\
# RTN sigmas per regime (km, km/day, km/day^2); regimes left out keep the defaults
[regimes.LEO_HIGH_DRAG]
sigma0_km = [0.2, 0.6, 0.2]
rate_km_per_day = [0.1, 1.0, 0.1]
along_track_km_per_day2 = 0.05
"""


@runtime_checkable
class CovarianceModel(Protocol):
    """What the screening code needs from a covariance model."""

    def rtn_sigma(self, age_days, regime):
        """(sr, st, sn) in km for element-set age(s) in days and regime name(s)."""


def _regime_array(regime, shape) -> np.ndarray:
    reg = np.broadcast_to(np.asarray(regime, dtype=object), shape)
    bad = set(np.unique(reg.astype(str))) - set(REGIMES)
    if bad:
        raise ValueError(f"unknown orbit regime {sorted(bad)}; expected one of {REGIMES}")
    return reg


@dataclass(frozen=True)
class TleCovarianceModel:
    """The default, table-driven model (see the module docstring for sources)."""

    table: dict[str, RegimeSigma] = field(default_factory=lambda: dict(_DEFAULT_TABLE))
    source: str = "orbwatch default (see orbwatch.screen.covariance)"

    def rtn_sigma(self, age_days, regime):
        """Sigmas (sr, st, sn) in km; ``age_days`` and ``regime`` broadcast
        (scalars give floats).  A negative age (TCA before epoch) counts as |age|."""
        t = np.abs(np.asarray(age_days, dtype=np.float64))
        shape = np.broadcast_shapes(t.shape, np.shape(regime))
        reg = _regime_array(regime, shape)
        t = np.broadcast_to(t, shape)
        s0, rate, quad = (np.empty(shape + (3,)) for _ in range(3))
        for name, rs in self.table.items():
            m = reg == name
            s0[m], rate[m] = rs.sigma0_km, rs.rate_km_per_day
            quad[m] = (0.0, rs.along_track_km_per_day2, 0.0)
        sig = np.sqrt(s0 ** 2 + (rate * t[..., None]) ** 2 + (quad * t[..., None] ** 2) ** 2)
        if sig.ndim == 1:
            return float(sig[0]), float(sig[1]), float(sig[2])
        return sig[..., 0], sig[..., 1], sig[..., 2]

    def rtn_covariance(self, age_days, regime, *, full: bool = False) -> np.ndarray:
        """Diagonal RTN covariance (..., 3, 3) in km^2; ``full=True`` gives
        (..., 6, 6) whose velocity variances are (rate / 86400 s)^2 km^2/s^2 (a
        crude bound: only the position block matters to the 2D Pc)."""
        sig = np.stack(np.broadcast_arrays(*self.rtn_sigma(age_days, regime)), axis=-1)
        cov = np.einsum("...i,ij->...ij", sig ** 2, np.eye(3))
        if not full:
            return cov
        reg = _regime_array(regime, sig.shape[:-1])
        rate = np.empty(sig.shape)
        for name, rs in self.table.items():
            rate[reg == name] = rs.rate_km_per_day
        out = np.zeros(sig.shape[:-1] + (6, 6))
        out[..., :3, :3] = cov
        out[..., 3:, 3:] = np.einsum("...i,ij->...ij", (rate / 86400.0) ** 2, np.eye(3))
        return out

    def with_regime(self, regime: str, sigma: RegimeSigma) -> TleCovarianceModel:
        _regime_array(regime, ())
        return replace(self, table={**self.table, regime: sigma})

    @classmethod
    def from_file(cls, path: str | Path) -> TleCovarianceModel:
        """Defaults overridden by a TOML (``.toml``) or JSON file of
        ``regimes.<NAME>.{sigma0_km, rate_km_per_day, along_track_km_per_day2}``."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            doc = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (OSError, ValueError) as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
            raise FieldValueError(f"cannot read covariance model: {exc}", path=str(path),
                                  expected="TOML or JSON with [regimes.<NAME>]") from None
        regimes = doc.get("regimes")
        if not isinstance(regimes, dict) or not regimes:
            raise FieldValueError("no regimes table", path=str(path), field="regimes",
                                  expected=f"[regimes.<NAME>] with NAME in {REGIMES}")
        model = cls(source=str(path))
        for name, entry in regimes.items():
            if name not in REGIMES:
                raise FieldValueError("unknown regime", path=str(path), field=f"regimes.{name}",
                                      expected=f"one of {REGIMES}", found=name)
            try:
                base = model.table[name]
                rs = RegimeSigma(
                    tuple(float(x) for x in entry.get("sigma0_km", base.sigma0_km)),
                    tuple(float(x) for x in entry.get("rate_km_per_day", base.rate_km_per_day)),
                    float(entry.get("along_track_km_per_day2", base.along_track_km_per_day2)))
            except (TypeError, ValueError, AttributeError) as exc:
                raise FieldValueError(str(exc), path=str(path), field=f"regimes.{name}",
                                      expected="3 non-negative numbers (R, T, N) per key") from None
            model = model.with_regime(name, rs)
        return model


DEFAULT_MODEL = TleCovarianceModel()


def orbit_regime(mean_motion_rev_day, eccentricity, *,
                 high_drag_perigee_km: float = HIGH_DRAG_PERIGEE_KM):
    """Regime name(s) from mean motion (rev/day) and eccentricity.

    HEO: e >= 0.25; GEO: 0.9-1.1 rev/day and e < 0.25; LEO: perigee altitude
    below 2000 km, high drag when below ``high_drag_perigee_km``; else MEO.
    """
    n = np.asarray(mean_motion_rev_day, dtype=np.float64) * 2 * math.pi / 86400.0
    e = np.asarray(eccentricity, dtype=np.float64)
    a = np.cbrt(MU_EARTH_KM3_S2 / n ** 2)
    hp = a * (1 - e) - EARTH_RADIUS_KM
    rev = np.asarray(mean_motion_rev_day, dtype=np.float64)
    out = np.select(
        [e >= _HEO_ECC, (rev >= 0.9) & (rev <= 1.1), hp < high_drag_perigee_km,
         hp < _LEO_PERIGEE_KM],
        ["HEO", "GEO", "LEO_HIGH_DRAG", "LEO_LOW_DRAG"], "MEO")
    return str(out) if out.ndim == 0 else out


def rtn_basis(r, v) -> np.ndarray:
    """(..., 3, 3) matrices whose columns are r^, t^ = h^ x r^, h^ (RTN = CARA RIC)."""
    return np.swapaxes(rtn_axes(r, v), -1, -2)


def _block(rot: np.ndarray, n: int) -> np.ndarray:
    if n == 3:
        return rot
    out = np.zeros(rot.shape[:-2] + (6, 6))
    out[..., :3, :3] = rot
    out[..., 3:, 3:] = rot
    return out


def rtn_to_eci(cov_rtn, r, v) -> np.ndarray:
    """Rotate (..., 3, 3) or (..., 6, 6) RTN covariances to the inertial frame
    of the state ``r``, ``v`` (any units; only directions are used)."""
    cov = np.asarray(cov_rtn, dtype=np.float64)
    rot = _block(rtn_basis(r, v), cov.shape[-1])
    out = rot @ cov @ np.swapaxes(rot, -1, -2)
    return 0.5 * (out + np.swapaxes(out, -1, -2))


def eci_to_rtn(cov_eci, r, v) -> np.ndarray:
    """Inverse of :func:`rtn_to_eci`."""
    cov = np.asarray(cov_eci, dtype=np.float64)
    rot = _block(rtn_basis(r, v), cov.shape[-1])
    out = np.swapaxes(rot, -1, -2) @ cov @ rot
    return 0.5 * (out + np.swapaxes(out, -1, -2))
