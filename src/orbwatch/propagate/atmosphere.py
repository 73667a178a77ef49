"""Thermospheric mass density from NRLMSIS 2.1 (pymsis), offline.

Shared by the forensics (drag-aware back-integration of debris) and the
debris stage (lifetimes); :mod:`orbwatch.debris.density` re-exports it.

pymsis downloads space-weather indices when F10.7/Ap are not given; this
module **always** passes them, so nothing is ever fetched.  The indices come
from one of these, and every result says which (:attr:`SpaceWeather.label`):

* ``"file"``: a local copy of CelesTrak's space-weather CSV
  (https://celestrak.org/SpaceData/SW-All.csv; columns ``DATE``,
  ``F10.7_OBS``, ``F10.7_OBS_CENTER81``, ``AP_AVG``).  Monthly means of the
  daily values are used; months outside the file fall back to the model.
* ``"NOAA monthly table"`` / ``"NOAA yearly table"``: observed monthly-mean
  F10.7 of NOAA SWPC for 2007-01..2025-04, built in
  (:mod:`orbwatch.propagate.f107_history`, source cited there); the 81-day mean
  is the 3-month centred mean (monthly) or the year's mean (yearly), Ap = 15
  (no Ap table).  Months outside the table fall back to the model.
* ``"fallback model"``: a sinusoidal solar cycle,
  F10.7 = 70 + 80 (1 - cos(2 pi (t - t_min) / 11 yr)) / 2 (70 sfu at minimum,
  150 sfu at maximum), the 81-day mean equal to it, daily Ap = 15.  Anchor:
  the solar-cycle 24/25 minimum of **December 2019** (SIDC/SILSO and the
  NASA-NOAA Solar Cycle 25 Prediction Panel, announcement of 15 Sep 2020);
  11 years earlier the model puts the cycle 23/24 minimum in December 2008,
  which is where SILSO dates it.  It knows nothing of real cycle amplitudes
  (cycle 25's F10.7 peaked near 200 sfu in 2024): a planning model, not a
  hindcast.

For speed, densities are tabulated per calendar month on an altitude grid
(100-2000 km) as the cos(latitude)-weighted mean over 5 latitudes x 4 local
times and interpolated in log(density); the scale height comes from the same
table.  One pymsis call fills all months a computation needs.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orbwatch.errors import UserError

__all__ = ["SpaceWeather", "DensityTable", "msis_density", "density", "scale_height",
           "month_index", "ALT_GRID_KM", "FALLBACK_MINIMUM", "CYCLE_YEARS"]

#: Solar-cycle 24/25 minimum (SIDC/SILSO, NASA-NOAA panel 2020): December 2019.
FALLBACK_MINIMUM = np.datetime64("2019-12-15", "D")
CYCLE_YEARS = 11.0
FALLBACK_AP = 15.0
ALT_GRID_KM = np.concatenate([np.arange(100.0, 1000.0, 10.0), np.arange(1000.0, 2000.1, 25.0)])
_LATS = np.array([-60.0, -30.0, 0.0, 30.0, 60.0])
_LONS = np.array([0.0, 90.0, 180.0, 270.0])  # at 12 UT: local times 12, 18, 0, 6 h
_EPOCH_MONTH = np.datetime64("1970-01", "M")


def month_index(times_us) -> np.ndarray:
    """Calendar months since 1970-01 of int microsecond times."""
    t = np.asarray(times_us, np.int64).astype("datetime64[us]")
    return (t.astype("datetime64[M]") - _EPOCH_MONTH).astype(np.int64)


def _fallback_f107(days: np.ndarray) -> np.ndarray:
    """Model F10.7 (sfu) at days since 1970 (float)."""
    t0 = float((FALLBACK_MINIMUM - np.datetime64("1970-01-01", "D")).astype(np.int64))
    phase = 2.0 * np.pi * (days - t0) / (CYCLE_YEARS * 365.25)
    return 70.0 + 80.0 * (1.0 - np.cos(phase)) / 2.0


@dataclass(eq=False)
class SpaceWeather:
    """Solar and geomagnetic indices, from a file or the fallback model."""

    daily: dict | None = None  # {"days": int64 days since 1970, "f107", "f107a", "ap"}
    path: str | None = None
    noaa: str | None = None  # None | "monthly" | "yearly": the built-in NOAA F10.7 table
    _tables: dict = field(default_factory=dict, repr=False)

    @classmethod
    def fallback(cls) -> SpaceWeather:
        return cls()

    @classmethod
    def noaa_table(cls, resolution: str = "monthly") -> SpaceWeather:
        """NOAA SWPC observed F10.7, 2007-01..2025-04 (monthly means, or each
        year's mean for every month of it); the fallback model outside."""
        if resolution not in ("monthly", "yearly"):
            raise ValueError(f"resolution must be 'monthly' or 'yearly', not {resolution!r}")
        return cls(noaa=resolution)

    @classmethod
    def from_file(cls, path: str | Path) -> SpaceWeather:
        """Read CelesTrak's SW-All.csv (or a gzip of it); rows with a blank
        index (predictions, gaps) are skipped."""
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as e:
            raise UserError(f"cannot read space-weather file {p}: {e.strerror}") from None
        return cls.from_bytes(raw, str(p))

    @classmethod
    def from_celestrak(cls, client=None) -> SpaceWeather:
        """The current SW-All.csv from CelesTrak (through orbwatch's disk cache).
        Offline, with no cached copy, this raises :class:`orbwatch.errors.OfflineError`:
        callers fall back to :meth:`fallback` and say so."""
        from orbwatch.sources import CelestrakClient

        own = client is None
        client = client or CelestrakClient()
        try:
            res = client.space_weather()
        finally:
            if own:
                client.close()
        return cls.from_bytes(res.content, res.url)

    @classmethod
    def from_bytes(cls, raw: bytes, origin: str) -> SpaceWeather:
        """Parse SW-All.csv content (``origin`` names where it came from)."""
        p = origin
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")
        reader = csv.DictReader(text.splitlines())
        need = ("DATE", "F10.7_OBS", "F10.7_OBS_CENTER81", "AP_AVG")
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise UserError(f"{p}: not a CelesTrak space-weather CSV (missing columns "
                            f"{', '.join(missing)})")
        rows = []
        for r in reader:
            try:
                rows.append((np.datetime64(r["DATE"].strip(), "D"), float(r["F10.7_OBS"]),
                             float(r["F10.7_OBS_CENTER81"]), float(r["AP_AVG"])))
            except (ValueError, TypeError):
                continue
        if not rows:
            raise UserError(f"{p}: no usable rows (DATE, F10.7_OBS, F10.7_OBS_CENTER81, AP_AVG)")
        d, f, fa, ap = zip(*rows, strict=True)
        days = (np.array(d) - np.datetime64("1970-01-01", "D")).astype(np.int64)
        return cls(daily={"days": days, "f107": np.array(f), "f107a": np.array(fa),
                          "ap": np.array(ap)}, path=str(p))

    @property
    def label(self) -> str:
        """``"file"``, ``"NOAA monthly table"``, ``"NOAA yearly table"`` or
        ``"fallback model"``: stated in every output."""
        if self.daily is not None:
            return "celestrak" if str(self.path).startswith("http") else "file"
        return f"NOAA {self.noaa} table" if self.noaa else "fallback model"

    def describe(self) -> str:
        if self.daily is None and self.noaa:
            return (f"NOAA SWPC observed F10.7, {self.noaa} means 2007-01..2025-04 "
                    "(orbwatch.propagate.f107_history), Ap = 15; fallback model outside")
        if self.daily is None:
            return ("fallback model: F10.7 = 70 + 80 (1 - cos(2 pi (t - 2019-12) / 11 yr)) / 2 "
                    "sfu, Ap = 15")
        d = self.daily["days"]
        lo, hi = (np.datetime64(int(x), "D") for x in (d.min(), d.max()))
        return f"file {self.path} ({lo}..{hi}; fallback model outside)"

    def monthly_indices(self, months) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(F10.7, F10.7 81-day mean, daily Ap) for month indices since 1970-01."""
        months = np.asarray(months, np.int64)
        starts = (_EPOCH_MONTH + months).astype("datetime64[D]")
        ends = (_EPOCH_MONTH + months + 1).astype("datetime64[D]")
        s = (starts - np.datetime64("1970-01-01", "D")).astype(np.int64)
        e = (ends - np.datetime64("1970-01-01", "D")).astype(np.int64)
        f = _fallback_f107((s + e) / 2.0)
        fa, ap = f.copy(), np.full(len(months), FALLBACK_AP)
        if self.noaa and self.daily is None:
            f, fa = _noaa(months, self.noaa, f, fa)
        if self.daily is not None:
            days = self.daily["days"]
            lo, hi = np.searchsorted(days, s), np.searchsorted(days, e)
            for k in np.flatnonzero(hi > lo):
                sl = slice(lo[k], hi[k])
                f[k] = self.daily["f107"][sl].mean()
                fa[k] = self.daily["f107a"][sl].mean()
                ap[k] = self.daily["ap"][sl].mean()
        return f, fa, ap

    def table(self, months) -> DensityTable:
        """Density tables for these months (computed once, then cached)."""
        months = np.unique(np.asarray(months, np.int64))
        todo = [m for m in months if int(m) not in self._tables]
        if todo:
            f, fa, ap = self.monthly_indices(todo)
            rho = _msis_grid(np.array(todo), f, fa, ap)
            for k, m in enumerate(todo):
                self._tables[int(m)] = np.log(rho[k])
        return DensityTable(months=months, log_rho=np.stack([self._tables[int(m)]
                                                             for m in months]))


def _noaa(months: np.ndarray, resolution: str, f: np.ndarray, fa: np.ndarray):
    """F10.7 and its 81-day stand-in from the NOAA table where it covers."""
    from orbwatch.propagate import f107_history as hist

    ok = hist.covered(months)
    if resolution == "monthly":
        mf, mfa = hist.monthly_f107(months)
    else:
        years = hist.yearly_means()
        mf = np.array([years.get(int(m) // 12 + 1970, np.nan) for m in months])
        mfa = mf
    return np.where(ok, mf, f), np.where(ok, mfa, fa)


def _msis_grid(months: np.ndarray, f107, f107a, ap) -> np.ndarray:
    """Mean density (kg/m^3), shape (months, altitudes), mid-month 12 UT."""
    from pymsis import msis

    dates = (_EPOCH_MONTH + months).astype("datetime64[D]") + np.timedelta64(14, "D") \
        + np.timedelta64(12, "h")
    aps = np.repeat(np.asarray(ap, float)[:, None], 7, axis=1)
    out = msis.calculate(dates.astype("datetime64[us]"), _LONS, _LATS, ALT_GRID_KM,
                         f107s=np.asarray(f107, float), f107as=np.asarray(f107a, float),
                         aps=aps, version=2.1)[..., 0]  # (M, lon, lat, alt)
    out = np.asarray(out).reshape(len(months), len(_LONS), len(_LATS), len(ALT_GRID_KM))
    w = np.cos(np.radians(_LATS))
    return np.einsum("mnla,l->ma", out, w / w.sum()) / len(_LONS)


@dataclass(frozen=True, eq=False)
class DensityTable:
    """log(density) per month (rows, ``months`` since 1970-01) on ``ALT_GRID_KM``."""

    months: np.ndarray
    log_rho: np.ndarray

    def row(self, month: int) -> np.ndarray:
        k = int(np.searchsorted(self.months, month))
        if k >= len(self.months) or self.months[k] != month:
            raise KeyError(month)
        return self.log_rho[k]

    def density(self, alt_km, month: int) -> np.ndarray:
        """kg/m^3 at altitudes (km) in one month (log-linear interpolation;
        held at the grid ends)."""
        return np.exp(np.interp(alt_km, ALT_GRID_KM, self.row(month)))

    def scale_height(self, alt_km, month: int) -> np.ndarray:
        """Local density scale height H = -dh / d ln(rho) (km)."""
        g = np.gradient(self.row(month), ALT_GRID_KM)
        return -1.0 / np.interp(alt_km, ALT_GRID_KM, g)


def _weather(space_weather: SpaceWeather | None) -> SpaceWeather:
    return space_weather if space_weather is not None else SpaceWeather.fallback()


def density(alt_km, time_us: int, space_weather: SpaceWeather | None = None) -> np.ndarray:
    """Mean NRLMSIS 2.1 mass density (kg/m^3) at altitudes (km), from the
    month's table (vectorised over altitudes)."""
    sw = _weather(space_weather)
    m = int(month_index(time_us))
    return sw.table([m]).density(np.asarray(alt_km, float), m)


def scale_height(alt_km, time_us: int, space_weather: SpaceWeather | None = None) -> np.ndarray:
    sw = _weather(space_weather)
    m = int(month_index(time_us))
    return sw.table([m]).scale_height(np.asarray(alt_km, float), m)


def msis_density(alt_km, time_us: int, *, lat_deg: float = 0.0, lon_deg: float = 0.0,
                 space_weather: SpaceWeather | None = None) -> np.ndarray:
    """Direct NRLMSIS 2.1 density (kg/m^3) at one time and place, altitudes
    vectorised, with the month's indices (no table, no averaging)."""
    from pymsis import msis

    sw = _weather(space_weather)
    f, fa, ap = sw.monthly_indices([int(month_index(time_us))])
    alts = np.atleast_1d(np.asarray(alt_km, float))
    date = np.array([time_us], np.int64).astype("datetime64[us]")
    out = msis.calculate(date, lon_deg, lat_deg, alts, f107s=f, f107as=fa,
                         aps=np.repeat(ap[:, None], 7, axis=1), version=2.1)
    return np.asarray(out)[..., 0].reshape(alts.shape)
