"""Propagate many objects over many times with one SGP4 call.

A :class:`SatelliteBatch` holds N objects as one C++ ``sgp4.api.SatrecArray``;
:meth:`SatelliteBatch.propagate` turns T times (integer microseconds since
1970 UTC) into an :class:`Ephemeris` of N x T TEME states with a single
``SatrecArray.sgp4(jd, fr)`` call.  An object that fails (decayed, bad
elements) gets NaN states and its SGP4 error code; the others are unaffected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sgp4.api import SGP4_ERRORS, Satrec, SatrecArray

from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.time import jd_fr

__all__ = [
    "Ephemeris",
    "SatelliteBatch",
    "error_message",
    "as_times_us",
    "ERROR_OK",
    "ERROR_MEAN_ECCENTRICITY",
    "ERROR_MEAN_MOTION",
    "ERROR_PERTURBED_ECCENTRICITY",
    "ERROR_SEMI_LATUS_RECTUM",
    "ERROR_DECAYED",
]

ERROR_OK = 0
ERROR_MEAN_ECCENTRICITY = 1  # mean eccentricity outside [0, 1)
ERROR_MEAN_MOTION = 2  # mean motion < 0
ERROR_PERTURBED_ECCENTRICITY = 3  # perturbed eccentricity outside [0, 1]
ERROR_SEMI_LATUS_RECTUM = 4  # semi-latus rectum < 0
ERROR_DECAYED = 6  # mrt < 1: the orbit is inside the Earth


def error_message(code: int) -> str:
    """Text for an SGP4 error code (``sgp4.api.SGP4_ERRORS``); 0 is ``"ok"``."""
    code = int(code)
    if code == 0:
        return "ok"
    return SGP4_ERRORS.get(code, f"unknown SGP4 error code {code}")


@dataclass(frozen=True, eq=False)
class Ephemeris:
    """States of N objects at T times.

    ``position`` (N, T, 3) km and ``velocity`` (N, T, 3) km/s are in the
    frame named by ``frame`` (SGP4 gives ``"TEME"``); they are NaN wherever
    ``error`` (N, T, uint8 SGP4 code, 0 = ok) is not 0.  ``times_us`` (T,)
    are int64 microseconds since 1970 UTC.

    When the states come from an element-set history
    (:func:`orbwatch.propagate.propagate_history`), ``set_index`` (N, T)
    indexes the element set used, ``age_s`` (N, T) is |t - epoch| of that
    set in seconds and ``stale`` (N, T) is True where the age exceeds the
    limit asked for; for a fixed batch these are None.
    """

    norad: np.ndarray
    times_us: np.ndarray
    position: np.ndarray
    velocity: np.ndarray
    error: np.ndarray
    frame: str = "TEME"
    set_index: np.ndarray | None = None
    age_s: np.ndarray | None = None
    stale: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """(objects, times)."""
        return self.error.shape

    @property
    def ok(self) -> np.ndarray:
        """(N, T) bool: SGP4 succeeded."""
        return self.error == 0

    def row(self, norad: int) -> int:
        """Row of a catalogue number (the first one, if it repeats)."""
        hits = np.flatnonzero(self.norad == norad)
        if hits.size == 0:
            raise KeyError(f"NORAD {norad} is not in this ephemeris")
        return int(hits[0])

    def error_messages(self) -> dict[int, str]:
        """The distinct error codes present, with their text."""
        return {int(c): error_message(c) for c in np.unique(self.error) if c}


def as_times_us(times_us) -> np.ndarray:
    """Times (int, sequence, int array or ``datetime64``) as 1-D int64 microseconds."""
    arr = np.asarray(times_us)
    if np.issubdtype(arr.dtype, np.datetime64):
        arr = arr.astype("datetime64[us]").astype(np.int64)
    elif arr.dtype.kind == "f" and arr.size:
        raise TypeError("times must be integer microseconds since 1970 UTC (or datetime64), "
                        "not floats")
    arr = np.asarray(arr, dtype=np.int64)
    if arr.ndim > 1:
        raise ValueError(f"times must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr.reshape(-1))


def _sticky_decay(error: np.ndarray, times_us: np.ndarray, epoch_us: np.ndarray) -> None:
    """Once SGP4 reports decay (6) for an object, every time farther from
    its epoch on the same side gets 6 too (SGP4 alone judges each time
    apart, so a trajectory that dips inside the Earth would come back)."""
    decayed = error == ERROR_DECAYED
    rows = np.flatnonzero(decayed.any(axis=1))
    if rows.size == 0:
        return
    dt = times_us[None, :] - epoch_us[rows, None]
    far = np.iinfo(np.int64).max
    d = decayed[rows]
    after = np.where(d & (dt >= 0), dt, far).min(axis=1)[:, None]
    before = np.where(d & (dt < 0), -dt, far).min(axis=1)[:, None]
    gone = ((dt >= 0) & (dt >= after)) | ((dt < 0) & (-dt >= before))
    sub = error[rows]
    sub[gone & (sub == 0)] = ERROR_DECAYED
    error[rows] = sub


def _mask_errors(error: np.ndarray, position: np.ndarray, velocity: np.ndarray) -> None:
    """NaN the states SGP4 flagged (a decayed object still gets numbers)."""
    bad = error != 0
    if bad.any():
        position[bad] = np.nan
        velocity[bad] = np.nan


class SatelliteBatch:
    """N objects in one ``SatrecArray``, ready to be propagated together.

    Attributes: ``norad`` (N,) int64, ``epoch_us`` (N,) int64,
    ``satrecs`` (the ``SatrecArray``), ``satrec_list`` (the N ``Satrec``).
    """

    __slots__ = ("norad", "epoch_us", "satrecs", "satrec_list")

    def __init__(self, norad, epoch_us, satrec_list: Sequence[Satrec]):
        self.norad = np.asarray(norad, dtype=np.int64).reshape(-1)
        self.epoch_us = np.asarray(epoch_us, dtype=np.int64).reshape(-1)
        self.satrec_list = tuple(satrec_list)
        if not (len(self.norad) == len(self.epoch_us) == len(self.satrec_list)):
            raise ValueError("norad, epoch_us and satrec_list must have the same length")
        self.satrecs = SatrecArray(list(self.satrec_list))

    @classmethod
    def from_element_sets(cls, sets: Sequence) -> SatelliteBatch:
        """Build from :class:`~orbwatch.elements.model.ElementSet` objects
        (WGS72, opsmode ``'i'``, epoch exact to the microsecond)."""
        sets = list(sets)
        return cls(
            np.fromiter((s.norad for s in sets), dtype=np.int64, count=len(sets)),
            np.fromiter((s.epoch_us for s in sets), dtype=np.int64, count=len(sets)),
            [satrec_from_elements(s) for s in sets],
        )

    def __len__(self) -> int:
        return len(self.norad)

    def __repr__(self) -> str:
        return f"SatelliteBatch({len(self)} objects)"

    def propagate(self, times_us, *, sticky_decay: bool = True) -> Ephemeris:
        """TEME states of every object at every time, in ONE ``SatrecArray.sgp4`` call.

        ``times_us``: (T,) int64 microseconds since 1970 UTC.  Returns an
        :class:`Ephemeris` with (N, T, 3) arrays; states are NaN where the
        (N, T) ``error`` code is not 0.  With ``sticky_decay`` (default) an
        object that SGP4 finds decayed (code 6) at some time stays decayed
        at every time farther from its epoch.  Memory: 48 bytes + 1 per
        state, so chunk the times for catalogue-wide runs over long spans.
        """
        t = as_times_us(times_us)
        n, m = len(self), t.size
        if n == 0 or m == 0:
            return Ephemeris(
                norad=self.norad.copy(), times_us=t,
                position=np.empty((n, m, 3)), velocity=np.empty((n, m, 3)),
                error=np.zeros((n, m), dtype=np.uint8),
            )
        jd, fr = jd_fr(t)
        error, position, velocity = self.satrecs.sgp4(jd, fr)
        if sticky_decay:
            _sticky_decay(error, t, self.epoch_us)
        _mask_errors(error, position, velocity)
        return Ephemeris(norad=self.norad.copy(), times_us=t, position=position,
                         velocity=velocity, error=error)
