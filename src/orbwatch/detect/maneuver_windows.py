"""The step windows of the manoeuvre detector, and where in its window a detection lies.

A windowed step (:func:`orbwatch.detect.maneuver_features.step_statistics`) compares
``STEP_SETS`` sets before an interval with ``STEP_SETS`` sets after it, past
``SKIP_SETS`` sets that may still carry the old orbit; so one burn lifts every
window within that reach.  :func:`select_windows` keeps one candidate per reach;
the rest place the burn within it:

* :func:`walk_back`: one interval back where the predictions into the first
  post-burn set already depart (the set was fitted partly to pre-burn tracking);
* :func:`first_crossing`: the first interval after which the detrended series has
  moved a fraction of the way to its new level (plane changes, no along-track kink);
* :func:`own_turn`: the part of a window's turn of the plane that is the detection's
  own, where the window also spans another burn's;
* :func:`kink_span`: the sets a phase-kink fit (:func:`~orbwatch.detect.maneuver_phase.kink_epoch`)
  may use: not across another confirmed burn.
"""

from __future__ import annotations

import numpy as np

from orbwatch.detect.maneuver_steps import persisting

__all__ = ["STEP_SETS", "SKIP_SETS", "LOCATE_FRACTION", "GEO_LOCATE_FRACTION", "PARTIAL_Z",
           "WALK_BACK_SETS", "KINK_REACH", "SPAN_CLEAR", "SAME_BURN_SHARE", "select_windows",
           "first_crossing", "walk_back", "kink_span", "own_turn"]

#: sets a side of a windowed step, and the sets skipped after the interval
STEP_SETS = 3
SKIP_SETS = 2
#: the share of the way to the new level that :func:`first_crossing` looks for; near
#: GEO, where the sets take each burn at once, a smaller one finds a campaign's first
#: interval (Fengyun-2F's north-south campaign of 2018-11-27..30 made 18% of its turn
#: in the first); elsewhere sets converge over days and a fifth keeps noise out
LOCATE_FRACTION = 0.2
GEO_LOCATE_FRACTION = 0.1
#: a set whose predictions from the two sets before it already depart by this much (with
#: the sign of the jump) is taken as post-manoeuvre: the manoeuvre is placed one interval back
PARTIAL_Z = 5.0
WALK_BACK_SETS = 1
#: a phase kink is searched this many sets either side of the detected interval
KINK_REACH = 2
#: the kink's fit stops at another confirmed step of a outside its search range, unless
#: one this close to the range carries this share of the window's own step (:func:`kink_span`)
SPAN_CLEAR = 1
SAME_BURN_SHARE = 0.5


def select_windows(score: np.ndarray, local: np.ndarray, threshold: float) -> list[int]:
    """Candidate intervals above threshold; one per step window, greedy by local residual."""
    cand = np.flatnonzero(score > threshold)
    order = cand[np.lexsort((-score[cand], -local[cand]))]
    taken: list[int] = []
    blocked = np.zeros(score.size, dtype=bool)
    for k in order:
        if blocked[k]:
            continue
        taken.append(int(k))
        blocked[max(0, k - STEP_SETS - SKIP_SETS + 1):k + STEP_SETS + SKIP_SETS] = True
    return sorted(taken)


def kink_span(others: np.ndarray, k: int, upto: int | None, n: int,
              steps: tuple[float, np.ndarray] | None = None) -> tuple[int, int]:
    """The sets a kink near window ``k`` is fitted to: those between the confirmed steps
    of ``a`` (intervals ``others``) on either side of its search range.

    With ``steps`` (the window's own step of ``a`` and the one-interval changes of
    ``a`` per interval, km) a confirmed step within ``SPAN_CLEAR`` intervals of the
    range bounds it only where it is smaller than ``SAME_BURN_SHARE`` of the window's
    step or of the other sign: a step of the window's size right next to the range may be
    the same burn taken a set late, as GEO sets often do."""
    lo = k - KINK_REACH
    hi = k + 1 + KINK_REACH if upto is None else min(k + 1 + KINK_REACH, upto)
    cuts = others
    if steps is not None and others.size:
        window, single = steps
        near = ((others >= lo - SPAN_CLEAR) & (others < lo)) \
            | ((others > hi) & (others <= hi + SPAN_CLEAR))
        same = single[others] * np.sign(window) >= SAME_BURN_SHARE * abs(window)
        cuts = others[~(near & same)]
    return (int(np.max(cuts[cuts < lo], initial=-1)) + 1,
            int(np.min(cuts[cuts > hi], initial=n - 1)))


def first_crossing(x: np.ndarray, k: int, fraction: float = LOCATE_FRACTION) -> int:
    """The earliest interval near ``k`` after which the detrended series ``x`` (per set)
    has moved ``fraction`` of the way from the level before to the level after: the
    first post-manoeuvre set is often fitted partly to pre-manoeuvre tracking."""
    n, m = x.size, STEP_SETS
    lo, hi = max(0, k - SKIP_SETS - 1), min(n - 1, k + SKIP_SETS + 2)
    before = np.median(x[max(0, lo - m + 1):lo + 1])
    after = np.median(x[hi:min(n, hi + m)])
    if after == before:
        return k
    frac = (x[lo + 1:hi + 1] - before) / (after - before)
    past = np.flatnonzero(frac >= fraction)
    return lo + int(past[0]) if past.size else k


def walk_back(z: np.ndarray, signed: np.ndarray, k: int) -> int:
    """The first set after a manoeuvre is often fitted partly to pre-manoeuvre tracking:
    step back one interval while predictions *into* set k (from sets k-1, k-2) already
    depart, with the sign of the jump, by more than ``PARTIAL_Z``."""
    for _ in range(WALK_BACK_SETS):
        if k < 1:
            break
        into = [z[k - 1 - ell, ell] for ell in range(2) if k - 1 - ell >= 0]
        into = [v for v in into if np.isfinite(v)]
        if not into or np.sign(np.median(into)) != np.sign(signed[k]) \
                or abs(float(np.median(into))) < PARTIAL_Z:
            break
        k -= 1
    return k


def own_turn(st, k: int, plane_bar: float, geo: bool,
             component_z: float) -> np.ndarray | None:
    """The part of the plane's turn in interval ``k``'s windowed step that is ``k``'s own
    burn's, where the window also holds another burn's turn; None where it holds none.

    The windowed step spans ``STEP_SETS - 1`` intervals before ``k`` and
    ``SKIP_SETS + STEP_SETS - 1`` after it.  A turn there is an interval whose
    one-interval step of a plane feature reaches ``plane_bar`` and persists.  It is
    ``k``'s own in ``k`` and in the intervals after it that may still be taking
    ``k``'s burn (one near GEO: Fengyun-4A took its north-south burn of 2021-03-18 a
    set late; ``SKIP_SETS`` elsewhere, where sets converge over days), and near GEO so
    is a run of turns in consecutive intervals from there on (a campaign of daily
    burns); a detection inside a run already under way (a turn at ``k - 1``) has none
    of its own.  With
    another turn in the window (outside GEO: the window's largest plane step), ``k``'s
    own is the sum of its own turns' one-interval steps (the features above
    ``component_z``; none: zero).  An inspector's 1 m/s
    phasing burns 1.5 to 3.7 days from its 10 m/s plane match read as 9.6-10.8 m/s
    north-south burns; two north-south burns a day apart read as one of twice the size."""
    lo, hi = max(0, k - STEP_SETS + 1), min(st.z_residual.shape[0], k + SKIP_SETS + STEP_SETS)
    z = st.z_residual
    turns = {j for j in range(lo, hi)
             if np.any((np.abs(z[j, 1:3]) >= plane_bar) & persisting(z, j, plane_bar)[1:3])}
    if geo and k - 1 in turns:
        return np.zeros(2)  # inside a campaign under way: the run is its first detection's
    end = min(hi - 1, k + (1 if geo else SKIP_SETS))
    while geo and end + 1 in turns and end in turns:  # k's campaign of daily burns
        end += 1
    own = [j for j in range(k, end + 1) if j in turns]
    if not geo:
        # outside GEO only the window's largest plane step counts: bad sets and the
        # node's wander leave persisting steps of z 10-20 beside them (Jason-2 2018-02-05)
        peak = lo + int(np.argmax(np.max(np.abs(z[lo:hi, 1:3]), axis=1)))
        turns &= {peak} | set(own)
    if len(own) == len(turns):
        return None
    return np.sum(np.where(np.abs(z[own, 1:3]) >= component_z, st.residual[own, 1:3], 0.0),
                  axis=0)
