"""Manoeuvre detection from one object's element-set history.

Method (same settings for every object; details in
:mod:`orbwatch.detect.maneuver_features`):

* The history is sorted and exact duplicates (same epoch) dropped.
* For each interval between consecutive sets, the change of ``a``, ``i``,
  the node, and the eccentricity vector is detrended by the object's own
  rolling-median drift rate (drag, J2, lunisolar) and tested as a robust
  *step* (median of the next 3 sets minus median of the previous 3),
  normalised by the object's own rolling MAD.  The score is the largest
  |z| over the five quantities; an interval is a candidate when the score
  exceeds ``threshold``.  A single bad set cannot move a 3-set median, so an
  outlier that reverts at the next set is not a manoeuvre.
* SGP4 prediction residuals (:mod:`orbwatch.detect.maneuver_residuals`): every
  set is propagated to the next sets and the along-track miss, normalised by
  the object's own gap-dependent robust scale, scores each interval by the
  agreement of the predictions from the set before it and into the set after
  it.  This sees semi-major-axis changes of metres that element steps miss.
  An interval is a candidate when ``max(step z, residual z * threshold /
  RESIDUAL_THRESHOLD)`` exceeds ``threshold``, raised for an object whose quiet
  intervals score with a heavier upper tail than Gaussian noise would
  (:func:`~orbwatch.detect.maneuver_steps.tail_factor`; Fengyun-2D/2E/2F by
  1.2-1.4).  Outside GEO the residual z is
  the median over every pair of sets spanning the interval
  (:func:`~orbwatch.detect.maneuver_residuals.pair_median_scores`).
* Single-interval steps (outside GEO): burns a day or two apart (campaigns)
  fall inside one step window and would be merged.  An interval whose
  one-interval change of ``a`` (own drift removed, robust z) is a
  *persistent* step above ``RESIDUAL_THRESHOLD`` (see
  :func:`~orbwatch.detect.maneuver_steps.persistent_steps`; a same-sign run of
  steps each ten times that is a campaign of burns, one per interval, not a
  ramp) is a detection too, placed in that interval; where it is the same burn
  as a windowed detection the higher score stays (a burn the sets took at once
  is best placed by its own interval), and a window holding two campaign steps
  gives way to them.  Such a detection's components are those that persist
  across both end sets (a bad set that the next interval takes back is not a
  turn of the plane).
* Near GEO a single-interval step of ``a`` counts only where the along-track
  drift it must cause is there (:mod:`orbwatch.detect.maneuver_confirm`; real
  GEO sets carry many refits of the mean motion with no burn) and only in the
  blind zone of a windowed detection
  (:func:`~orbwatch.detect.maneuver_merge.in_blind_zone`): a burn a day or
  three after another, which the one-candidate-per-window test cannot see.
* Near GEO the plane features enter delta-v (and the type) only where the
  cross-track motion of the sets spanning the detection confirms a turn of
  the plane (:func:`~orbwatch.detect.maneuver_confirm.plane_confirmed`) and
  their step clears the threshold raised by their own quiet tail
  (lunisolar curvature makes it heavy: Fengyun east-west burns read plane z
  2-20, its north-south burns 500-600); a detection left with no component
  above its noise (zero delta-v) is dropped.  Elsewhere the plane features
  enter delta-v only above that raised threshold too (not from ``COMPONENT_Z``:
  noisy plane features typed ISS reboosts as plane changes).
* Outside GEO, where the sets converge to the new orbit over days (Jason:
  5-7 sets), the burn is moved back to the onset of the along-track
  departure from the old orbit (:mod:`orbwatch.detect.maneuver_onset`) when
  that lies before the detected interval (not for plane changes, which
  have no along-track departure, nor where ``a`` did not step: an
  eccentricity change swings the along-track residuals without departing).
* Second tier outside GEO (:mod:`orbwatch.detect.maneuver_kink_leo`): small
  along-track burns (cm/s) below the threshold are found as a placed phase kink
  with the drag curvature held fixed, kept only where drag cannot have made it
  (the kink raises the orbit), the change of ``a`` confirms it in sign and size
  (at once, or as a level change over two weeks where the sets take a burn slowly
  and drag is weak; such a burn is placed at its departure's onset), and the first
  pass found nothing within a few days.  Such a detection is an along-track burn
  whose delta-v is the kink's.
* Candidates closer than the step window are one manoeuvre, placed at the
  interval with the largest residual score when that exceeds
  ``RESIDUAL_THRESHOLD`` (one interval earlier if the set after the jump was
  already partly displaced), else where the element series first moved a fifth
  of its step (a tenth near GEO, whose sets take each burn at once;
  :mod:`orbwatch.detect.maneuver_windows`).
* Delta-v from Gauss's equations for near-circular orbits:
  along-track ``dv_t = v * da / (2a)``, normal ``dv_n = v * |d(normal)|`` (the
  turn of the orbit normal between the sets either side, own drift removed),
  radial ``dv_r = sqrt((v |de|)^2 - (2 dv_t)^2)`` (the part of the
  eccentricity change an along-track burn does not explain: the two move the
  eccentricity vector at right angles; sign unknown), where ``|de|`` exceeds
  ``2 |dv_t| / v`` by ``COMPONENT_Z`` times its own noise, else zero.
  Only quantities whose step exceeds ``COMPONENT_Z`` enter (the rest is noise).
* Outside GEO a detection that reads as a plane change without an along-track
  departure must also have turned the orbit: the plane difference of the sets
  intervals within ``STEP_SETS`` of it
  (:func:`~orbwatch.detect.maneuver_residuals.cross_track_scores`) at least
  ``COMPONENT_Z`` times the object's typical value; otherwise it is a
  turn of the mean elements that moved nothing (Sentinel-3A: 8 such false
  alarms, none of its 19 real inclination burns).
* Near GEO the epoch is the along-track phase kink
  (:mod:`orbwatch.detect.maneuver_phase`): the time where the mean longitude's
  drift rate changes, found by a robust piecewise fit over the sets around the
  detection (measured within +-0.5 day of the operator logs; in LEO the sets
  converge over days after small burns and the kink lags, so LEO keeps the
  rules below).  The fit stops at the confirmed steps of ``a`` around it: one
  kink fitted across a second burn is pulled towards it.  Detections closer
  than ``MERGE_DAYS`` are one manoeuvre, except near GEO a turn of the plane
  and an in-plane burn in different intervals
  (:func:`~orbwatch.detect.maneuver_merge.distinct`).
* Confidence: a logistic in ``log(score / threshold)`` fitted once to the
  pooled benchmark, so that detections at confidence c match a logged
  manoeuvre about a fraction c of the time.  Score and threshold there are both
  taken at ``DEFAULT_THRESHOLD`` (the threshold raised by the object's quiet
  tail at the default), so a burn's confidence, and which of merged detections
  stands for it, does not depend on the threshold it is reported at.
* Epoch elsewhere: inside the bracket of the two sets, where the pre-manoeuvre set
  propagated forward and the post-manoeuvre set propagated back (SGP4) come
  closest; uncertainty from the spread of the near-minimum region.  Where the
  sets right after the jump still carried the old orbit, the along-track ramp
  of the converged later sets against several pre-manoeuvre sets
  (:mod:`orbwatch.detect.maneuver_epoch`) puts the burn earlier: the epoch and
  bracket move back to it, by at most ``RAMP_SETS`` intervals (the linear ramp
  does not model strong drag: it moved an ISS reboost eight sets back).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from orbwatch.detect.maneuver_confirm import (
    along_confirmation,
    confirmed_plane_steps,
    confirmed_steps,
    passes,
    plane_confirmed,
)
from orbwatch.detect.maneuver_epoch import closest_approach_epoch, ramp_epoch
from orbwatch.detect.maneuver_features import (
    MU_KM3_S2,
    HistoryArrays,
    feature_names,
    history_arrays,
    normal_vectors,
    prepare_history,
    step_statistics,
)
from orbwatch.detect.maneuver_kink_leo import KINK_Z, LONG_KINK_Z, second_tier
from orbwatch.detect.maneuver_merge import (
    in_blind_zone,
    interval_of,
    isolated,
    merge_detections,
)
from orbwatch.detect.maneuver_onset import onset_epoch
from orbwatch.detect.maneuver_phase import kink_epoch, kink_statistics, phase_series
from orbwatch.detect.maneuver_residuals import (
    along_z,
    cross_track_scores,
    crossing_scores,
    drag_curvature,
    pair_median_scores,
    prediction_residuals,
)
from orbwatch.detect.maneuver_scoring import match_times, merge_close_times, score_matches
from orbwatch.detect.maneuver_steps import (
    CAMPAIGN_FACTOR,
    persistent_steps,
    persisting,
    tail_factor,
)
from orbwatch.detect.maneuver_types import classify, confidence
from orbwatch.detect.maneuver_windows import (
    GEO_LOCATE_FRACTION,
    KINK_REACH,
    LOCATE_FRACTION,
    SKIP_SETS,
    STEP_SETS,
    first_crossing,
    kink_span,
    own_turn,
    select_windows,
    walk_back,
)
from orbwatch.events import Event
from orbwatch.time import format_iso

__all__ = ["DEFAULT_THRESHOLD", "MIN_SETS", "Maneuver", "prepare_history", "detect_maneuvers",
           "maneuver_events", "maneuvers_to_events", "merge_close_times", "match_times",
           "score_matches"]

#: robust z-score above which a step is a manoeuvre (chosen on the Shorten benchmark)
DEFAULT_THRESHOLD = 8.0
#: the shortest history the detector looks at (a step window on each side of a set)
MIN_SETS = 2 * STEP_SETS + 1
#: features (indices into FEATURES) that can trigger a detection.  Outside GEO the
#: eccentricity vector turns with the apsides by degrees per day, which a local
#: trend cannot follow to the precision of small burns: there only the change of
#: |e| enters delta-v.
SCORED_GEO = (0, 1, 2, 3, 4)
#: a feature's step enters delta-v only above this robust z-score
COMPONENT_Z = 3.0
SCORED_OTHER = (0, 1, 2)
#: robust z-score of the SGP4 along-track prediction residual that marks a manoeuvre
RESIDUAL_THRESHOLD = 12.0
#: the converged sets' ramp moves a burn back at most this many intervals
RAMP_SETS = 3
#: near GEO, a detection is placed at the along-track phase kink
#: (:mod:`orbwatch.detect.maneuver_phase`) when the kink's robust z-score near it reaches
#: this (searched ``KINK_REACH`` sets either side of the detected interval)
KINK_PLACE = 8.0
#: near GEO a confirmed single-interval step this many intervals from a windowed
#: detection may be a burn its window hid (:func:`~orbwatch.detect.maneuver_merge.in_blind_zone`)
BLIND_SETS = 2 * (STEP_SETS + SKIP_SETS)
#: ... except in a history of fewer sets than this, whose windowed steps are scaled by
#: a spread of a handful of windows: there the confirmation itself (``passes``) is the test
SHORT_SETS = 4 * (STEP_SETS + SKIP_SETS)
#: outside GEO a lowering of a within this many times the decay across its interval
#: is drag (:func:`_within_drag`)
DRAG_STEP_FACTOR = 2.0
#: and a raising of a (against the decay trend) within this many times it is a lull
#: of the drag: with no density at all ``a`` would only stop decaying
LULL_STEP_FACTOR = 1.0


@dataclass(frozen=True)
class Maneuver:
    """One detected manoeuvre.  Times in us since 1970 UTC, delta-v in km/s."""

    norad: int
    epoch_us: int  # best estimate
    start_us: int  # epoch of the last set before the manoeuvre
    end_us: int  # epoch of the first set after it
    epoch_sigma_s: float
    delta_v: float  # km/s, magnitude
    dv_radial: float  # km/s, magnitude (sign not observable from mean elements)
    dv_along: float  # km/s, signed (+ raises the orbit)
    dv_normal: float  # km/s, magnitude
    delta_a_km: float
    delta_i_deg: float
    delta_e: float
    kind: str
    score: float  # robust z of the detection on the default threshold's scale (not --threshold's)
    confidence: float
    regime: str
    z: dict = field(default_factory=dict)

    @property
    def delta_v_mps(self) -> float:
        return self.delta_v * 1000.0


def _at_onset(h: HistoryArrays, sets, k: int, curvature: float,
              t_us: int | None) -> tuple[int | None, int]:
    """(time, interval) of a detection in interval ``k`` (placed at ``t_us``, or None for
    the interval's own), moved to the onset of its along-track departure
    (:func:`~orbwatch.detect.maneuver_onset.onset_epoch`) where that is earlier."""
    t_on = onset_epoch(sets, k, curvature)
    if t_on is not None and t_on < (int(h.epoch_us[k]) if t_us is None else t_us):
        return t_on, interval_of(h, t_on)
    return t_us, k


def _locating_feature(h: HistoryArrays, st, k: int, lead: int) -> int:
    """The feature whose detrended series dates window ``k``'s step (its first crossing):
    ``lead``, the window's most significant scored feature; near GEO, ``a`` rather than
    the eccentricity vector wherever ``a`` stepped too (an in-plane burn moves both, and
    a GEO set's small e-vector scatters and turns with radiation pressure: its first
    crossing read a 0.15 m/s burn 3.4 days early)."""
    if h.geo and lead in (3, 4) and abs(st.z_step[k, 0]) >= COMPONENT_Z:
        return 0
    return lead


def _normal_turn(h: HistoryArrays, k: int, trend_per_day: np.ndarray) -> float:
    """Angle (rad) between the orbit normals before and after interval ``k``: medians of
    the unit normals of ``STEP_SETS`` sets on each side (past the ``SKIP_SETS`` sets that
    may still carry the old orbit), with the object's own drift of ``i`` and of the node
    (``trend_per_day``, columns as FEATURES) taken out.  Exact for large turns and
    near-equatorial orbits, where summed small changes of ``i`` and ``sin(i) dOmega``
    are not."""
    sel = np.r_[max(0, k - STEP_SETS + 1):k + 1,
                k + 1 + SKIP_SETS:min(h.n, k + 1 + SKIP_SETS + STEP_SETS)]
    if sel[-1] <= k:
        sel = np.r_[sel, k + 1]
    days = (h.epoch_us[sel] - h.epoch_us[k]) / 86_400e6
    if h.geo:  # the features are the normal's x, y: take their drift out directly
        w = normal_vectors(h.inc_rad[sel], h.raan_rad[sel])
        w[:, :2] -= np.outer(days, trend_per_day[1:3])
        w[:, 2] = np.sqrt(np.clip(1.0 - w[:, 0] ** 2 - w[:, 1] ** 2, 0.0, 1.0))
    else:
        inc = h.inc_rad[sel] - trend_per_day[1] * days
        sin_i = max(abs(math.sin(float(h.inc_rad[k]))), 1e-9)
        raan = h.raan_rad[sel] - trend_per_day[2] / sin_i * days
        w = normal_vectors(inc, raan)
    before, after = w[sel <= k], w[sel > k]
    return float(np.linalg.norm(np.median(after, axis=0) - np.median(before, axis=0)))


def _delta_i_deg(h: HistoryArrays, k: int, step: np.ndarray) -> float:
    """The step's change of inclination (deg); near GEO from the inclination vector."""
    if not h.geo:
        return math.degrees(step[1])
    w = normal_vectors(h.inc_rad[k], h.raan_rad[k])
    before = math.hypot(w[0], w[1])
    after = math.hypot(w[0] + step[1], w[1] + step[2])
    return math.degrees(math.asin(min(after, 1.0)) - math.asin(min(before, 1.0)))


def _build(h: HistoryArrays, sets, k: int, st, score: float, conf_bar: float,
           t_us: int | None = None, *, single: bool = False, plane_ok: bool = True,
           turn: bool = False, plane_bar: float = 0.0, ramp_ok: bool = True) -> Maneuver:
    # only components that stepped significantly enter delta-v; the rest is noise.  A
    # ``single``-interval step (a campaign burn) is measured across its own interval
    # (the windowed step would mix in its neighbours) and placed in it: its sets took
    # the new orbit at once, so the converged-ramp correction does not apply.  Without
    # ``plane_ok`` (a plane step the cross-track motion does not confirm) the plane
    # features do not enter
    z, change = (st.z_residual, st.residual) if single else (st.z_step, st.step)
    step = np.where(np.abs(z[k]) >= COMPONENT_Z, change[k], 0.0)
    if single:
        step = np.where(persisting(z, k, COMPONENT_Z), step, 0.0)
    # the plane features enter only above their own quiet tail (``plane_bar``); a single
    # step's near GEO are confirmed by the cross-track motion instead, elsewhere they must
    # also show in the windowed step, which skips the bad sets right after a burn
    if single and not h.geo:
        step[1:3] = np.where(np.abs(st.z_step[k, 1:3]) >= COMPONENT_Z, step[1:3], 0.0)
    own = None if single else own_turn(st, k, plane_bar, h.geo, COMPONENT_Z)
    if not plane_ok or np.max(np.abs(z[k, 1:3])) < (0.0 if single and h.geo else plane_bar):
        step[1:3] = 0.0
    elif own is not None:
        step[1:3] = own
    a = float(h.a_km[k])
    v = math.sqrt(MU_KM3_S2 / a)
    da = float(step[0])
    dv_t = v * da / (2.0 * a)
    # the turn of the plane: across one interval the plane features' own steps (drift
    # removed; a feature a bad set moved is already out), else from the sets either side
    if not (step[1] or step[2]):
        angle = 0.0
    elif single or own is not None:
        angle = math.hypot(step[1], step[2])
    else:
        angle = _normal_turn(h, k, st.trend_per_day[k])
    dv_n = v * angle
    cols = (3, 4) if h.geo else (5,)
    de = math.hypot(*(step[j] for j in cols))
    # the radial and along-track parts move the eccentricity vector at right angles
    # (|de| v = |(dv_r, 2 dv_t)|): the radial part is what the along-track part leaves,
    # counted only where |de| exceeds the along-track's share by COMPONENT_Z of its own
    # noise (in quadrature, noise on |de| would read as a radial part of every burn)
    sig_de = max((abs(change[k, j] / z[k, j]) for j in cols if z[k, j]), default=0.0)
    along_de = 2.0 * abs(dv_t) / v
    dv_r = v * math.sqrt(de**2 - along_de**2) if de - along_de > COMPONENT_Z * sig_de else 0.0
    regime = "geo" if h.geo else ("leo" if a < 6378.135 + 2000 else "meo/heo")
    epoch, sigma = closest_approach_epoch(sets[k], sets[k + 1])
    start, end = int(h.epoch_us[k]), int(h.epoch_us[k + 1])
    # a plane change has no along-track ramp to date it by
    ramp = None if t_us is not None or single or not ramp_ok \
        or dv_n > math.hypot(dv_r, dv_t) else ramp_epoch(sets, k)
    if t_us is not None:
        epoch = min(max(t_us, start), end)
        sigma = (end - start) / 1e6 / math.sqrt(12.0)
    elif turn:
        # two orbit planes meet along a line the satellite crosses twice a revolution:
        # their closest approach does not date a turn of the plane within its interval
        epoch, sigma = (start + end) // 2, (end - start) / 1e6 / math.sqrt(12.0)
    elif ramp is not None and h.epoch_us[max(0, k - RAMP_SETS)] <= ramp < epoch:
        # the sets after the jump still carried the old orbit: the converged sets'
        # along-track ramp puts the burn earlier; bracket it by the sets around it
        b = max(0, min(int(np.searchsorted(h.epoch_us, ramp, side="right")) - 1, k))
        epoch, start, end = ramp, int(h.epoch_us[b]), int(h.epoch_us[b + 1])
        sigma = max(sigma, (end - start) / 1e6 / math.sqrt(12.0))
    return Maneuver(
        norad=int(sets[k].norad), epoch_us=epoch, start_us=start,
        end_us=end, epoch_sigma_s=sigma,
        delta_v=math.sqrt(dv_r**2 + dv_t**2 + dv_n**2), dv_radial=dv_r, dv_along=dv_t,
        dv_normal=dv_n, delta_a_km=da, delta_i_deg=_delta_i_deg(h, k, step), delta_e=de,
        kind=classify(regime, dv_r, dv_t, dv_n, da, a), score=score,
        confidence=confidence(score, conf_bar),
        regime=regime, z={f: float(z[k, j]) for j, f in enumerate(feature_names(h.geo))})


def detect_maneuvers(history, *, threshold: float = DEFAULT_THRESHOLD) -> list[Maneuver]:
    """Manoeuvres in one object's element-set history (any order; duplicates dropped).

    ``threshold`` is in robust standard deviations of the object's own
    detrended element steps; the same value serves LEO and GEO.
    """
    sets = prepare_history(history)
    if len({s.norad for s in sets}) > 1:
        raise ValueError("detect_maneuvers takes the history of one object")
    if len(sets) < MIN_SETS:
        return []
    h = history_arrays(sets)
    st = step_statistics(h, step_sets=STEP_SETS, skip_sets=SKIP_SETS)
    used = list(SCORED_GEO if h.geo else SCORED_OTHER)
    elem = np.max(np.abs(st.z_step[:, used]), axis=1)
    res = prediction_residuals(sets)
    zres = along_z(res)
    curvature = drag_curvature(res)
    cross = cross_track_scores(res)
    signed = crossing_scores(zres) if h.geo else pair_median_scores(zres)
    pred = np.abs(signed)
    score = np.maximum(elem, pred * threshold / RESIDUAL_THRESHOLD)
    # what a detection's confidence is read from: its score and the object's effective
    # threshold at the default threshold, so that a burn gets one confidence whatever
    # threshold it was reported at (``threshold`` decides only what is reported)
    score_d = np.maximum(elem, pred * DEFAULT_THRESHOLD / RESIDUAL_THRESHOLD)
    conf_bar = DEFAULT_THRESHOLD * tail_factor(score_d, DEFAULT_THRESHOLD,
                                               window=STEP_SETS + SKIP_SETS)
    threshold = threshold * tail_factor(score, threshold, window=STEP_SETS + SKIP_SETS)
    local = pred
    # a plane component must reach the threshold raised by the plane features' own quiet
    # tail (heavy near GEO from lunisolar curvature; about 1 for the benchmark's LEO
    # satellites and the ISS, whose plane components thus need the threshold itself)
    plane_bar = threshold * tail_factor(np.max(np.abs(st.z_step[:, 1:3]), axis=1), threshold,
                                        window=STEP_SETS + SKIP_SETS)
    ps = phase_series(sets) if h.geo else None
    kink = np.abs(kink_statistics(ps)[1]) if h.geo else np.zeros_like(pred)
    x = np.vstack([np.zeros((1, st.residual.shape[1])), np.cumsum(st.residual, axis=0)])
    out, windows = [], []
    level = RESIDUAL_THRESHOLD * threshold / DEFAULT_THRESHOLD
    # single-interval steps of a; near GEO those whose along-track drift confirms them
    # (:mod:`.maneuver_confirm`), where a windowed burn is not placed after the one next to
    # it (the sets after it already have the new orbit)
    a_steps = persistent_steps(st.z_residual[:, 0], level, campaign=True)
    a_conf = along_confirmation(h, st, res, [k for k, _ in a_steps]) if h.geo else {}
    if h.geo:
        a_steps = [(k, z) for k, z in a_steps if passes(a_conf.get(k))]
    anchors = np.array([k for k, _ in a_steps] if h.geo else [], dtype=int)
    for k in select_windows(score, local, threshold):
        lo, hi = max(0, k - STEP_SETS), min(pred.size, k + STEP_SETS + 1)
        near = lo + int(np.argmax(pred[lo:hi]))
        knear = lo + int(np.argmax(kink[lo:hi]))
        # a plane change has no along-track kink to be placed at (the one nearby is
        # another burn's): led by the plane features with no along-track departure
        lead = used[int(np.argmax(np.abs(st.z_step[k, used])))]  # the window's feature
        plane_led = lead in (1, 2) and pred[near] < RESIDUAL_THRESHOLD
        placed = None
        if ps is not None and kink[knear] >= KINK_PLACE and not plane_led:
            close = anchors[np.abs(anchors - k) <= KINK_REACH + 1]
            c = int(close[np.argmin(np.abs(close - k))]) if close.size else None
            upto = None if c is None else c + 1
            placed = kink_epoch(ps, k, reach=KINK_REACH, upto=upto,
                                span=kink_span(anchors[anchors != c], k, upto, h.n,
                                               (float(st.step[k, 0]), st.residual[:, 0])))
        if placed is not None:
            t_us = int(h.epoch_us[0] + round(placed[0] * 86_400e6))
            j = interval_of(h, t_us)
        elif pred[near] >= RESIDUAL_THRESHOLD:
            j, t_us = walk_back(zres, signed, near), None
        else:
            f = _locating_feature(h, st, k, lead)
            j, t_us = first_crossing(x[:, f], k, GEO_LOCATE_FRACTION if h.geo else LOCATE_FRACTION), None
        in_plane = pred[near] >= RESIDUAL_THRESHOLD or lead not in (1, 2)
        if not h.geo and in_plane and abs(st.z_step[j, 0]) >= COMPONENT_Z:
            # an along-track departure whose sets converge over days: its onset
            # (:mod:`orbwatch.detect.maneuver_onset`) moves the burn to an earlier interval;
            # a plane change (i or node steps, no along-track departure) has none, nor has
            # a burn that did not step ``a`` (an eccentricity change: its along-track
            # residuals swing with the new apsides, they do not depart)
            t_us, j = _at_onset(h, sets, j, curvature, t_us)
        # near GEO a plane step counts only where the cross-track motion confirms it
        plane_ok = plane_confirmed(h, st, res, j) if h.geo else True
        m = _build(h, sets, j, st, float(score_d[k]), conf_bar, t_us, plane_ok=plane_ok,
                   plane_bar=plane_bar, ramp_ok=j not in anchors)
        if m.delta_v == 0.0:
            # no windowed step beyond its noise (a short history): a step of a across the
            # detection's own interval that the along-track drift confirms still counts;
            # otherwise nothing changed the orbit
            if not confirmed_steps(h, st, res, [(j, float(score[k]))]):
                continue
            m = _build(h, sets, j, st, float(score_d[k]), conf_bar,
                       m.epoch_us if t_us is None else t_us, single=True, plane_ok=plane_ok,
                       plane_bar=plane_bar)
        if not h.geo and m.kind == "plane_change" and pred[near] < RESIDUAL_THRESHOLD \
                and (np.max(cross[lo:hi]) < COMPONENT_Z or not plane_confirmed(h, st, res, j)):
            continue  # a turn of the mean-element plane that moved nothing cross-track
        out.append(m)
        windows.append(k)
    if not h.geo:
        # a window holding two campaign-sized single-interval steps blends a campaign's
        # burns (its delta-v is their sum, its epoch one of them): the steps stand for it
        ks = np.array([k for k, z in a_steps if z >= CAMPAIGN_FACTOR * level], dtype=int)
        reach = STEP_SETS + SKIP_SETS
        out = [m for m, k in zip(out, windows, strict=True)
               if np.count_nonzero(np.abs(ks - k) < reach) < 2]
    # the single-interval steps of a as detections: the burns of a campaign (one every
    # day or two) that the windowed tests merge, and the interval of a burn the sets took
    # at once
    steps = list(a_steps)
    turns: set[int] = set()
    if h.geo:
        # turns of the plane confirmed by the cross-track motion: inclination steps only
        # (the node of a near-equatorial orbit is ill-determined; Fengyun histories carry
        # many confirmed node steps with no logged burn)
        plane = confirmed_plane_steps(h, res, st.z_residual[:, 1],
                                      persistent_steps(st.z_residual[:, 1], level))
        steps += plane
        turns = {k for k, _ in plane}
    # near GEO a step's plane part counts where the cross-track motion confirms it (a
    # confirmed turn already has; noise of the inclination vector across one interval
    # would otherwise make an east-west burn read as a plane change)
    single = [_build(h, sets, k, st, zk * DEFAULT_THRESHOLD / RESIDUAL_THRESHOLD, conf_bar,
                     single=True, turn=k in turns, plane_bar=plane_bar,
                     plane_ok=not h.geo or k in turns or plane_confirmed(h, st, res, k))
              for k, zk in steps]
    # a step whose every component was a bad set changed nothing
    steps, single = [s for s, m in zip(steps, single, strict=True) if m.delta_v > 0], \
        [m for m in single if m.delta_v > 0]
    if h.geo:
        # in time order, each step weighed against the windowed detections and the steps
        # already kept (a burn in the blind zone of a kept step is as hidden as one in a
        # windowed detection's)
        kept: list[Maneuver] = []
        for (k, _), m in sorted(zip(steps, single, strict=True), key=lambda p: p[0][0]):
            if in_blind_zone(h, st.z_residual[:, 0], k, m, out, kept=kept,
                             blind_sets=BLIND_SETS, quiet_z=COMPONENT_Z) \
                    or isolated(m, a_conf.get(k), out, short=h.n < SHORT_SETS, turn=k in turns):
                kept.append(m)
        single = kept
    out += single
    if not h.geo:
        # second tier: raising phase kinks confirmed by a, where the first pass found none
        # (:mod:`orbwatch.detect.maneuver_kink_leo`)
        first = (np.array([m.epoch_us for m in out], dtype=np.int64) - h.epoch_us[0]) / 86_400e6
        tier2 = second_tier(phase_series(sets), st.z_residual[:, 0],
                            np.maximum(st.residual[:, 0], st.step[:, 0]), first,
                            level=KINK_Z * threshold / DEFAULT_THRESHOLD,
                            long_level=LONG_KINK_Z * threshold / DEFAULT_THRESHOLD)
        for k, tk, zk, da, slow in tier2:
            t_us = int(h.epoch_us[0] + round(tk * 86_400e6))
            # sets whose a takes weeks to follow a burn lag in phase too, and the kink
            # with them: the departure's onset places such a burn (as for the first
            # pass's along-track burns)
            if slow:
                t_us, k = _at_onset(h, sets, k, curvature, t_us)
            m = _build(h, sets, k, st, zk * conf_bar / DEFAULT_THRESHOLD, conf_bar, t_us,
                       single=True)
            out.append(_along_track(m, float(h.a_km[k]), da))
    if not h.geo:
        out = [m for m in out if not _within_drag(h, st, m)]
    return merge_detections(out, h, st.z_residual[:, 0], quiet_z=COMPONENT_Z)


def _within_drag(h: HistoryArrays, st, m: Maneuver) -> bool:
    """A lowering of ``a`` no larger than ``DRAG_STEP_FACTOR`` times the decay of ``a``
    across the detection's own interval is not told apart from drag: the density varies
    by tens of percent from day to day, and an object re-entering decays faster every day
    (each of its last intervals a step of "lowering").  Drag only lowers ``a``, but the
    steps are read against the object's decay trend, so a lull of the density reads as
    a "raising" of up to the decay itself (``LULL_STEP_FACTOR``; a re-entering debris
    fragment decaying 4 km a day showed a 0.23 m/s one)."""
    factor = {"orbit_lowering": DRAG_STEP_FACTOR, "orbit_raising": LULL_STEP_FACTOR}.get(m.kind)
    if factor is None:
        return False
    j = interval_of(h, m.start_us)
    decay = -float(st.trend_per_day[j, 0]) * float(st.dt_days[j])
    return decay > 0.0 and abs(m.delta_a_km) <= factor * decay


def _along_track(m: Maneuver, a_km: float, da_km: float) -> Maneuver:
    """``m`` as a pure along-track burn that changed ``a`` (km) by ``da_km``: a phase
    kink measures exactly that, while the element steps of so small a burn are noise."""
    dv_t = math.sqrt(MU_KM3_S2 / a_km) * da_km / (2.0 * a_km)
    return replace(m, delta_v=abs(dv_t), dv_along=dv_t, dv_radial=0.0, dv_normal=0.0,
                   delta_a_km=da_km, delta_i_deg=0.0, delta_e=0.0,
                   kind="orbit_raising" if dv_t > 0 else "orbit_lowering")


def maneuvers_to_events(maneuvers) -> list[Event]:
    """:class:`Maneuver` -> shared :class:`~orbwatch.events.Event` (kind ``maneuver``)."""
    out = []
    for m in maneuvers:
        out.append(Event(
            kind="maneuver", objects=(m.norad,), epoch_us=m.epoch_us, start_us=m.start_us,
            end_us=m.end_us,
            metrics={"type": m.kind, "regime": m.regime, "delta_v_mps": m.delta_v * 1e3,
                     "dv_radial_mps": m.dv_radial * 1e3, "dv_along_mps": m.dv_along * 1e3,
                     "dv_normal_mps": m.dv_normal * 1e3, "delta_a_km": m.delta_a_km,
                     "delta_i_deg": m.delta_i_deg, "delta_e": m.delta_e},
            uncertainty={"epoch_s": m.epoch_sigma_s,
                         "bracket_s": (m.end_us - m.start_us) / 1e6,
                         "delta_v_note": "Gauss equations on mean-element steps; radial "
                                         "and normal parts are magnitudes (sign unknown)"},
            confidence=m.confidence,
            # z: robust z-scores (dimensionless) of each feature's step, keyed by feature;
            # score: the detection's robust z on the default threshold's scale
            evidence={"score": m.score, "z_scores": m.z, "method": "robust mean-element step",
                      "set_before": format_iso(m.start_us, 3),
                      "set_after": format_iso(m.end_us, 3)}))
    return out


def maneuver_events(history, *, threshold: float = DEFAULT_THRESHOLD) -> list[Event]:
    """:func:`detect_maneuvers` as shared events."""
    return maneuvers_to_events(detect_maneuvers(history, threshold=threshold))
