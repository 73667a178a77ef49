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
a gap ``g_k`` is read as ``d_k max(1, tau / g_k)`` (at most what the pair shows
for ages up to its gap, growing linearly beyond), differences over
``OUTLIER_FACTOR`` times their median (a pair across a manoeuvre, an outlying
set) are left out, and the root mean square of the rest over sqrt(2) is the
answer: two sets with independent errors of sigma differ by sqrt(2) sigma.
Pairs more than ``MAX_GAP_DAYS`` apart (snapshots years apart) say nothing
about a set's error and are not used.

Sets fitted to overlapping tracking agree better than either is right, so the
figure is a floor on the true error rather than a bound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sgp4.api import SatrecArray

from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.time import jd_fr

__all__ = ["prediction_differences", "position_sigma_km", "MAX_GAP_DAYS", "PAIRS",
           "OUTLIER_FACTOR"]

#: consecutive sets further apart than this are not a measure of a set's error
MAX_GAP_DAYS = 10.0
#: how many consecutive pairs (the nearest in time to the instant) are read
PAIRS = 20
#: a difference over this many times the median of its pairs is not a set's error
OUTLIER_FACTOR = 5.0
_DAY_US = 86_400_000_000


def prediction_differences(history: Sequence[ElementSet], *, near_us: int | None = None,
                           pairs: int = PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """``(gaps_days, differences_km)`` of one object's consecutive sets, gaps within
    ``MAX_GAP_DAYS``: the ``pairs`` pairs whose middle is nearest in time to
    ``near_us`` (the last ``pairs`` when None), in time order.  Sets of one epoch
    (duplicates) are taken once.  Empty arrays when there is no such pair."""
    sets = sorted({s.epoch_us: s for s in history}.values(), key=lambda s: s.epoch_us)
    if len({s.norad for s in sets}) > 1:
        raise ValueError("prediction_differences takes one object's history, got "
                         f"catalogue numbers {sorted({s.norad for s in sets})}")
    ep = np.array([s.epoch_us for s in sets], dtype=np.int64)
    gaps = np.diff(ep) / _DAY_US
    ok = np.flatnonzero((gaps > 0) & (gaps <= MAX_GAP_DAYS))
    if near_us is None:
        ok = ok[-pairs:]
    else:
        mid = (ep[ok] // 2 + ep[ok + 1] // 2).astype(np.float64)
        ok = np.sort(ok[np.argsort(np.abs(mid - near_us), kind="stable")[:pairs]])
    if not ok.size:
        return np.empty(0), np.empty(0)
    diff = np.concatenate([_differences(sets, ep, ok[i:i + 64])
                           for i in range(0, ok.size, 64)])
    good = np.isfinite(diff)
    return gaps[ok][good], diff[good]


def _differences(sets, ep: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """|r_k(t_k+1) - r_k+1(t_k+1)| (km) for the pairs starting at indices ``ok``."""
    sats = SatrecArray([satrec_from_elements(sets[k]) for k in ok]
                       + [satrec_from_elements(sets[k + 1]) for k in ok])
    jd, fr = jd_fr(ep[ok + 1])
    # every record at every later epoch of the chunk; the two diagonals are needed
    _, r, _ = sats.sgp4(np.asarray(jd, dtype=float), np.asarray(fr, dtype=float))
    idx = np.arange(ok.size)
    return np.linalg.norm(r[idx, idx] - r[ok.size + idx, idx], axis=-1)


def position_sigma_km(history: Sequence[ElementSet], age_days: float, *,
                      at_us: int | None = None, pairs: int = PAIRS) -> float | None:
    """A typical position error (km, 1 sigma) of one of the object's sets
    ``age_days`` from its epoch, from its prediction differences nearest ``at_us``
    (see the module docstring); None when its history has no two sets within
    ``MAX_GAP_DAYS``."""
    gaps, diff = prediction_differences(history, near_us=at_us, pairs=pairs)
    if not diff.size:
        return None
    kept = diff <= OUTLIER_FACTOR * np.median(diff)
    grown = diff[kept] * np.maximum(1.0, abs(age_days) / gaps[kept])
    return float(np.sqrt(np.mean(grown ** 2) / 2.0))
