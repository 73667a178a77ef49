"""How well an object's element sets agree with each other: an error bar for
positions read from them, measured on the object's own history.

Each set of a history, propagated (SGP4) to the epoch of the next set, lands
some distance from where that next set puts the object (TEME, km).  That
*prediction difference* over a gap of ``g`` days holds both sets' fit errors and
the growth of the first one's over ``g``: it is the catalogue's own evidence of
how far a position read from a set of that age may be off.  Public element sets
carry no covariance, so this is what a range drawn from them can honestly be
given.

:func:`position_sigma_km` turns the ``pairs`` differences nearest in time to an
instant into a typical error at a set's age ``tau``: each difference ``d_k`` over
a gap ``g_k`` is read as ``d_k max(1, tau / g_k)`` (what the pair shows for ages
up to its gap, growing linearly beyond), differences over ``OUTLIER_FACTOR``
times their median (a pair across a manoeuvre, an outlying set) and pairs
across a known manoeuvre (``exclude``) are left out, and the root mean square of
the rest over sqrt(2) is the answer: two sets with independent errors of sigma
differ by sqrt(2) sigma.  Fewer than ``MIN_PAIRS`` pairs (counted after
``exclude``, before the outlier cut) give no answer: a median of one or two
cannot tell a manoeuvre from noise, one of three can.  Pairs more than
``MAX_GAP_DAYS`` apart (snapshots years apart) say nothing about a set's error
and are not used.

What the figure is not: sets fitted to overlapping tracking agree better than
either is right, which makes it low; where the history is sparse (a set a week)
a set younger than the gaps gets the error of a gap's age, which makes it high.
It is the error at the history's own cadence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sgp4.api import SatrecArray

from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.time import jd_fr

__all__ = ["DifferenceTable", "difference_table", "prediction_differences",
           "position_sigma_km", "MAX_GAP_DAYS", "PAIRS", "MIN_PAIRS", "OUTLIER_FACTOR"]

#: consecutive sets further apart than this are not a measure of a set's error
MAX_GAP_DAYS = 10.0
#: how many consecutive pairs (the nearest in time to the instant) are read
PAIRS = 20
#: fewer pairs than this give no error bar
MIN_PAIRS = 3
#: a difference over this many times the median of its pairs is not a set's error
OUTLIER_FACTOR = 5.0
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class DifferenceTable:
    """Every prediction difference of one object's history (consecutive sets within
    ``MAX_GAP_DAYS``, SGP4 failures left out), in time order: each pair's first and
    second set epochs (us), its gap (days) and the difference (km).  Built once per
    object by :func:`difference_table`; :func:`position_sigma_km` reads any number
    of instants from it."""

    norad: int | None
    start_us: np.ndarray
    end_us: np.ndarray
    gaps_days: np.ndarray
    diff_km: np.ndarray

    def nearest(self, near_us: int | None, pairs: int) -> np.ndarray:
        """Indices of the ``pairs`` pairs whose middle is nearest ``near_us`` (the
        last ``pairs`` when None), in time order."""
        if pairs < 1:
            raise ValueError(f"pairs must be 1 or more, got {pairs}")
        k = np.arange(self.diff_km.size)
        if near_us is None:
            return k[-pairs:]
        mid = (self.start_us // 2 + self.end_us // 2).astype(np.float64)
        return np.sort(k[np.argsort(np.abs(mid - near_us), kind="stable")[:pairs]])


def difference_table(history: Sequence[ElementSet]) -> DifferenceTable:
    """The :class:`DifferenceTable` of one object's history (any order; sets of one
    epoch taken once)."""
    norads = {s.norad for s in history}
    if len(norads) > 1:
        raise ValueError("a difference table takes one object's history, got "
                         f"catalogue numbers {sorted(norads)}")
    sets = sorted({s.epoch_us: s for s in history}.values(), key=lambda s: s.epoch_us)
    ep = np.array([s.epoch_us for s in sets], dtype=np.int64)
    gaps = np.diff(ep) / _DAY_US
    ok = np.flatnonzero((gaps > 0) & (gaps <= MAX_GAP_DAYS))
    diff = (np.concatenate([_differences(sets, ep, ok[i:i + 64])
                            for i in range(0, ok.size, 64)]) if ok.size else np.empty(0))
    good = np.isfinite(diff)
    ok = ok[good]
    return DifferenceTable(next(iter(norads), None), ep[ok], ep[ok + 1], gaps[ok], diff[good])


def prediction_differences(history: Sequence[ElementSet] | DifferenceTable, *,
                           near_us: int | None = None,
                           pairs: int = PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """``(gaps_days, differences_km)`` of one object's consecutive sets, gaps within
    ``MAX_GAP_DAYS``: the ``pairs`` pairs whose middle is nearest in time to
    ``near_us`` (the last ``pairs`` when None), in time order.  Sets of one epoch
    (duplicates) are taken once.  Empty arrays when there is no such pair."""
    table = history if isinstance(history, DifferenceTable) else difference_table(history)
    k = table.nearest(near_us, pairs)
    return table.gaps_days[k], table.diff_km[k]


def _differences(sets, ep: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """|r_k(t_k+1) - r_k+1(t_k+1)| (km) for the pairs starting at indices ``ok``; NaN
    where SGP4 failed for either set."""
    sats = SatrecArray([satrec_from_elements(sets[k]) for k in ok]
                       + [satrec_from_elements(sets[k + 1]) for k in ok])
    jd, fr = jd_fr(ep[ok + 1])
    # every record at every later epoch of the chunk; the two diagonals are needed
    err, r, _ = sats.sgp4(np.asarray(jd, dtype=float), np.asarray(fr, dtype=float))
    idx = np.arange(ok.size)
    d = np.linalg.norm(r[idx, idx] - r[ok.size + idx, idx], axis=-1)
    return np.where((err[idx, idx] == 0) & (err[ok.size + idx, idx] == 0), d, np.nan)


def position_sigma_km(history: Sequence[ElementSet] | DifferenceTable, age_days: float, *,
                      at_us: int | None = None, pairs: int = PAIRS,
                      exclude: Sequence[tuple[int, int]] = ()) -> float | None:
    """A typical position error (km, 1 sigma) of one of the object's sets
    ``age_days`` from its epoch, from its prediction differences nearest ``at_us``
    (see the module docstring), leaving out pairs that overlap a span of ``exclude``
    (``(start_us, end_us)``: a manoeuvre's bracketing sets); None when fewer than
    ``MIN_PAIRS`` pairs of sets within ``MAX_GAP_DAYS`` remain.  ``history`` may be
    the object's :class:`DifferenceTable` (built once for many instants)."""
    table = history if isinstance(history, DifferenceTable) else difference_table(history)
    k = table.nearest(at_us, pairs)
    keep = np.ones(k.size, dtype=bool)
    for lo, hi in exclude:
        keep &= (table.end_us[k] <= lo) | (table.start_us[k] >= hi)
    gaps, diff = table.gaps_days[k][keep], table.diff_km[k][keep]
    if diff.size < MIN_PAIRS:
        return None
    kept = diff <= OUTLIER_FACTOR * np.median(diff)
    grown = diff[kept] * np.maximum(1.0, abs(age_days) / gaps[kept])
    return float(np.sqrt(np.mean(grown ** 2) / 2.0))
