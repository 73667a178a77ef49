"""Which detections of one history are one manoeuvre, and which near-GEO
single-interval steps add a burn the windowed test could not see.

The windowed step test of :mod:`orbwatch.detect.maneuvers` keeps one candidate
per step window, so near GEO a burn a day or three after another hides behind
it.  The confirmed single-interval steps (:mod:`orbwatch.detect.maneuver_confirm`)
see each burn on its own; the rules here decide which of them add a burn
(:func:`in_blind_zone`, :func:`isolated`) and which detections are one
(:func:`merge_detections`).

Two detections are *distinct* (:func:`distinct`) where they cannot be one burn
seen twice: near GEO, in different intervals, and either one a turn of the orbit
plane and the other in the plane, or both of one kind, each on a step of ``a``
across its own interval with quiet intervals between.  GEO sets take a burn at
once, and a burn that turned the plane and one that stepped ``a`` in the next
interval are two (an inspector's plane match and its approach burn 1.3-1.5 days
later).  A burn's own sets taken a set late step the same quantity twice, which
is why the rules otherwise need a quiet interval between a step and the detection
it would add to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from orbwatch.detect.maneuver_confirm import passes
from orbwatch.detect.maneuver_features import HistoryArrays

__all__ = ["MERGE_DAYS", "ISOLATED_DAYS", "ISOLATED_CONFIRM_Z",
           "interval_of", "plane_led", "distinct", "in_blind_zone", "isolated",
           "merge_detections"]

#: detections whose epochs come closer than this (days) are one manoeuvre, unless distinct
MERGE_DAYS = 1.0
#: near GEO a confirmed single-interval step this far (days) from every windowed
#: detection counts on its own where its drift reaches this significance (:func:`isolated`)
ISOLATED_DAYS = 3.0
ISOLATED_CONFIRM_Z = 30.0

_DAY_US = 86_400e6


def interval_of(h: HistoryArrays, t_us: int) -> int:
    """The interval (between sets k and k+1) holding time ``t_us``, clipped to the history."""
    return int(np.clip(np.searchsorted(h.epoch_us, t_us, side="right") - 1, 0, h.n - 2))


def plane_led(m) -> bool:
    """Whether a detection is mostly a turn of the orbit plane (normal delta-v larger
    than the in-plane part)."""
    return m.dv_normal > math.hypot(m.dv_along, m.dv_radial)


def distinct(h: HistoryArrays, za: np.ndarray, m, o, *, quiet_z: float) -> bool:
    """Near GEO, detections in different intervals of which one turned the plane and the
    other did not, where ``a`` did not step across the turn's own interval (one-interval
    robust z ``za`` under ``quiet_z``): two burns, however close in time.  (A Fengyun
    north-south burn with its east-west part steps ``a`` in the turn's interval too:
    one burn whose in-plane part the phase kink placed an interval early.)  Two of one
    kind are distinct where :func:`_apart_steps` holds."""
    if not (m.regime == "geo" and o.regime == "geo"
            and (m.end_us <= o.start_us or o.end_us <= m.start_us)):
        return False
    if plane_led(m) == plane_led(o):
        return _apart_steps(h, za, m, o, quiet_z)
    turn = m if plane_led(m) else o
    # its own interval (the bracket's first set): an epoch at the bracket's later set
    # would read the next interval
    return abs(float(za[interval_of(h, turn.start_us)])) < quiet_z


def _apart_steps(h: HistoryArrays, za: np.ndarray, m, o, quiet_z: float) -> bool:
    """Two detections (of one kind: both in the plane, or both turns), each on a step of
    ``a`` across its own interval, with quiet intervals (``|za| < quiet_z``) between the
    two steps."""
    j, k = sorted((interval_of(h, m.start_us), interval_of(h, o.start_us)))
    return k - j > 1 and abs(float(za[j])) >= quiet_z and abs(float(za[k])) >= quiet_z \
        and bool(np.all(np.abs(za[j + 1:k]) < quiet_z))


def _step_to_come(h: HistoryArrays, za: np.ndarray, k: int, o, blind_sets: int,
                  quiet_z: float) -> bool:
    """Whether the step of ``a`` in interval ``k`` (``|za[k]| >= quiet_z``) is in-plane
    detection ``o``'s own, taken by the sets late: ``o`` (placed before any step of
    ``a``: by its along-track kink or residuals) stepped ``a`` the same way with no step
    across its own interval, and only quiet intervals lie between it and ``k``."""
    j = interval_of(h, o.start_us)
    return not plane_led(o) and abs(float(za[k])) >= quiet_z \
        and o.delta_a_km * float(za[k]) > 0 and 0 < k - j <= blind_sets \
        and bool(np.all(np.abs(za[j:k]) < quiet_z))


def in_blind_zone(h: HistoryArrays, za: np.ndarray, k: int, m, found: list, *,
                  blind_sets: int, quiet_z: float, kept: Sequence = ()) -> bool:
    """Whether the confirmed single-interval step ``m`` (interval ``k``) adds a burn that a
    windowed detection could not see: one further than ``MERGE_DAYS`` from each detection
    it is not distinct from, and inside the reach of one's step window (``blind_sets``
    intervals), with quiet one-interval steps of ``a`` (``|za| < quiet_z``) in between (not
    the sets still converging after that burn) or next to a detection it is distinct from.
    Not where an in-plane step is an earlier in-plane detection's own, taken by the sets
    late (:func:`_step_to_come`).  The steps ``kept`` already (earlier in time) weigh as the
    windowed detections ``found`` do: a burn a day after a kept step is as hidden from the
    windowed test as one after a windowed detection (an inspector's parking burn 1.3 days
    after its approach burn, with its plane match between)."""
    found = list(found) + list(kept)
    apart = [distinct(h, za, m, o, quiet_z=quiet_z) for o in found]
    if any(not d and abs(m.epoch_us - o.epoch_us) < MERGE_DAYS * _DAY_US
           for o, d in zip(found, apart, strict=True)):
        return False
    if not plane_led(m) and any(_step_to_come(h, za, k, o, blind_sets, quiet_z)
                                for o in found):
        return False
    for o, d in zip(found, apart, strict=True):
        if d and abs(interval_of(h, o.start_us) - k) == 1:
            return True
        j = interval_of(h, o.start_us)  # its bracket's interval (not an epoch at its end)
        lo, hi = sorted((j, k))
        if 1 < hi - lo <= blind_sets and np.all(np.abs(za[lo + 1:hi]) < quiet_z):
            return True
    return False


def isolated(m, conf: tuple[float, float] | None, found: list, *, short: bool = False,
             turn: bool = False) -> bool:
    """A confirmed single-interval step near GEO far (``ISOLATED_DAYS``) from every
    windowed detection counts where its drift is very significant
    (``ISOLATED_CONFIRM_Z``): an isolated burn the windowed test scored just under
    its threshold (a 0.15 m/s station-keeping burn in a 1-set-a-day history).  In a
    ``short`` history the windowed test has no spread to scale by, and the step's
    confirmation (``passes``: amplitude and ``CONFIRM_Z``) is enough: a 0.15 m/s burn
    among 8 sets in 12 days (one-interval z 21, drift confirmed at z 29.7).  There a
    ``turn`` of the plane that the cross-track motion confirmed
    (:func:`~orbwatch.detect.maneuver_confirm.confirmed_plane_steps`) counts the same
    way: a lone plane change, or one before a burn (a turn after a kept step is also
    added by :func:`in_blind_zone`)."""
    if short:
        strong = turn or passes(conf)
    else:
        strong = conf is not None and conf[1] >= ISOLATED_CONFIRM_Z
    return strong and all(
        abs(m.epoch_us - o.epoch_us) > ISOLATED_DAYS * _DAY_US for o in found)


def merge_detections(found: list, h: HistoryArrays, za: np.ndarray, *, quiet_z: float) -> list:
    """Detections closer than ``MERGE_DAYS``, or of one type between the same two element
    sets (whose one step cannot be told into two burns), are one manoeuvre: the highest
    score stays.  :func:`distinct` detections stay apart (``h``, ``za``, ``quiet_z``: the
    history, its one-interval robust z of ``a`` and the level that is no step)."""
    keep: list = []
    for m in sorted(found, key=lambda m: -m.score):
        if all(distinct(h, za, m, o, quiet_z=quiet_z) or (abs(m.epoch_us - o.epoch_us) >= MERGE_DAYS * _DAY_US
                                  and (m.start_us, m.end_us, m.kind) != (o.start_us, o.end_us,
                                                                         o.kind))
               for o in keep):
            keep.append(m)
    return sorted(keep, key=lambda m: m.epoch_us)
