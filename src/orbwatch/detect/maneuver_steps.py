"""Interval statistics of one object's history that decide what counts as a step.

* :func:`persistent_steps`: single-interval steps that persist (not an
  outlier that reverts, not a ramp over several sets): the burns of a
  campaign, and the interval of a burn the sets took at once.
* :func:`tail_factor`: how much an object's threshold is raised because its
  quiet intervals score with a heavier upper tail than Gaussian noise would.
"""

from __future__ import annotations

import numpy as np

__all__ = ["QUIET_QUANTILE", "QUIET_REFERENCE", "QUIET_MIN", "CAMPAIGN_FACTOR", "CAMPAIGN_SHARE",
           "SPIKE_RETURN", "persistent_steps", "persisting",
           "tail_factor"]

#: the threshold is raised for objects whose quiet interval scores have a heavier upper
#: tail than this (:func:`tail_factor`): their ``QUIET_QUANTILE``-th percentile over it
QUIET_QUANTILE = 90.0
QUIET_REFERENCE = 3.0
QUIET_MIN = 30
#: a run of same-sign one-interval steps each at least this many times the detection
#: level is a campaign of burns, not a ramp (:func:`persistent_steps`) ...
CAMPAIGN_FACTOR = 10.0
#: ... where each is at least this share of its larger neighbour (not a convergence tail)
CAMPAIGN_SHARE = 1.0 / 3.0


def persistent_steps(z: np.ndarray, level: float, *,
                     campaign: bool = False) -> list[tuple[int, float]]:
    """Intervals whose one-interval semi-major-axis change (robust z-score ``z``, own drift
    removed) is a persistent step above ``level``: the change itself and the level
    differences across each of its end sets (``z[k-1] + z[k]``, ``z[k] + z[k+1]``)
    all exceed it with one sign, so a single bad set (which moves the level there and
    back) is not one, and neither neighbour carries on half of it in its direction (a
    ramp over several sets is not a step).  These see the burns of a campaign (one
    every day or two) that the windowed step and residual tests merge into one.

    With ``campaign``, a step in a same-sign run is kept even where its neighbours
    carry on, if it is at least ``CAMPAIGN_FACTOR`` times ``level`` and at least
    ``CAMPAIGN_SHARE`` of its larger neighbour: burns on consecutive days (Jason-2's
    orbit changes of 2016-2017: one-interval steps of robust z 5,000-96,000 in a row,
    one logged burn in each interval) rather than a drift of the drag (runs of z
    10-40, CryoSat-2; at most about 100, TOPEX) or the tail of a set converging after
    one large burn (a fifth or less of the step before it)."""
    zp = np.r_[0.0, z[:-1]]
    zn = np.r_[z[1:], 0.0]
    trio = np.stack([z, zp + z, z + zn])
    same = np.all(np.sign(trio) == np.sign(z), axis=0)
    # a step, not a ramp: the neighbours carry less than half of it on in its direction
    # (sets that take a burn over days are left to the windowed tests and the onset)
    along = np.maximum(np.maximum(zp * np.sign(z), 0.0), np.maximum(zn * np.sign(z), 0.0))
    step = along < 0.5 * np.abs(z)
    if campaign:
        step |= (np.abs(z) >= CAMPAIGN_FACTOR * level) & (np.abs(z) >= CAMPAIGN_SHARE * along)
    strength = np.where(same & step, np.min(np.abs(trio), axis=0), 0.0)
    return [(int(k), float(strength[k])) for k in np.flatnonzero(strength >= level)]


#: a set whose next interval takes back more than this share of a change is a bad set
#: for that feature (:func:`persisting`)
SPIKE_RETURN = 0.8


def persisting(z: np.ndarray, k: int, floor: float) -> np.ndarray:
    """Per feature: whether the one-interval change ``z[k]`` (robust z) persists across both
    end sets of the interval (``z[k-1] + z[k]`` and ``z[k] + z[k+1]`` keep its sign,
    ``floor`` and more than ``1 - SPIKE_RETURN`` of its size), not a bad set at either
    end that the interval next to it takes back (an ISS set of 2002-11-27 with the node
    22 deg off, 96% taken back by the next set, read as a 2.5 km/s turn; a real step's
    next set may correct half of it: Sentinel-6A 2021-04-29)."""
    zk = z[k]
    ok = np.ones(zk.shape, dtype=bool)
    for other in (k - 1, k + 1):
        if 0 <= other < z.shape[0]:
            both = zk + np.nan_to_num(z[other])
            ok &= (np.sign(both) == np.sign(zk)) \
                & (np.abs(both) >= np.maximum(floor, (1.0 - SPIKE_RETURN) * np.abs(zk)))
    return ok


def tail_factor(score: np.ndarray, threshold: float, *, window: int) -> float:
    """How much heavier than ``QUIET_REFERENCE`` the upper tail of the object's quiet
    interval scores is (never below 1): the factor its threshold is raised by.

    Quiet intervals are those more than ``window`` intervals from every interval
    above ``threshold``; with fewer than ``QUIET_MIN`` of them the factor is 1.  For
    Gaussian element noise the ``QUIET_QUANTILE``-th percentile of the score (the
    largest |z| of 3-5 features) is 2.1-2.3; Fengyun-2D/2E/2F read 3.5-4.3 (factor
    1.2-1.4), every LEO satellite of the benchmark and Fengyun-4A below 3."""
    busy = np.zeros(score.size, dtype=bool)
    for k in np.flatnonzero(score > threshold):
        busy[max(0, k - window):k + window + 1] = True
    quiet = score[~busy & np.isfinite(score)]
    if quiet.size < QUIET_MIN:
        return 1.0
    return max(1.0, float(np.percentile(quiet, QUIET_QUANTILE)) / QUIET_REFERENCE)
