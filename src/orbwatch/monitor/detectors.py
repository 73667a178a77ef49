"""Every detector over what changed, each with the look-back it needs.

* manoeuvres: the whole recent history (``MANEUVER_LOOKBACK_DAYS``) of each
  object that got new sets;
* conjunctions: the days the new sets cover, every object with its set
  nearest the middle of each day (:func:`screen_days`);
* proximity operations: the same span, with ``PROXIMITY_LOOKBACK_DAYS`` of
  history before it (the detector looks for manoeuvres leading into an
  approach);
* forensics: the origin of each newly catalogued object whose launch already
  had catalogued objects (a release), and the breakup of any cloud of new
  debris of one launch (:func:`forensics_events`).  New objects of a new
  launch are a launch, not a release, and get no forensics.

The span can be capped (``max_days``, counted back from the newest epoch)
so that a first run over a snapshot full of stale sets does not screen
years.  ``regimes`` restricts every detector to objects in those orbit
regimes (``leo``, ``meo``, ``heo``, ``geo``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from orbwatch.detect.maneuvers import MIN_SETS
from orbwatch.elements.model import ElementSet
from orbwatch.events import Event

__all__ = ["Window", "StepResult", "DETECTORS", "window_for", "maneuver_step", "conjunction_step",
           "proximity_step", "forensics_step", "screen_days", "forensics_events",
           "MANEUVER_LOOKBACK_DAYS", "PROXIMITY_LOOKBACK_DAYS", "MIN_MANEUVER_SETS",
           "MIN_CLOUD", "MAX_ORIGINS"]

_DAY_US = 86_400_000_000
MANEUVER_LOOKBACK_DAYS = 30.0
PROXIMITY_LOOKBACK_DAYS = 10.0
#: fewer sets than this in the look-back and the manoeuvre detector is not run:
#: the detector's own minimum (a GEO object may have only 9 sets in 12 days)
MIN_MANEUVER_SETS = MIN_SETS
#: new debris of one launch, at least this many, is a breakup cloud
MIN_CLOUD = 10
#: origin searches per run at most (each is a back-propagation against candidates)
MAX_ORIGINS = 50
#: a conjunction screen uses sets at most this far (days) from the day it screens
_SET_AGE_DAYS = 7


class StepResult(NamedTuple):
    """What a detection step found, and where its look was complete: ``covered`` maps
    ``(kind, identity)`` to the span (us) in which a stored event of that kind and
    identity that was not found again is retracted (:mod:`~orbwatch.monitor.state`)."""

    events: list[Event]
    covered: dict[tuple[str, str], tuple[int, int]] | None = None


@dataclass(frozen=True)
class Window:
    """The span (``start_us`` to ``stop_us``) the detectors look at, the
    objects with new sets, the newly catalogued ones and the settings."""

    start_us: int
    stop_us: int
    norads: frozenset[int]
    new_objects: tuple[int, ...]
    regimes: tuple[str, ...]
    threshold_km: float


def window_for(changes, *, regimes: Sequence[str], threshold_km: float,
               max_days: float | None = None) -> Window:
    """Detection window of a :class:`~orbwatch.monitor.changes.ChangeSet`:
    whole UTC days from the first to the last new epoch, at most
    ``max_days`` back from the last."""
    start = changes.first_us // _DAY_US * _DAY_US
    stop = -(-changes.last_us // _DAY_US) * _DAY_US
    if stop <= start:
        stop = start + _DAY_US
    if max_days is not None:
        start = max(start, stop - int(max_days * _DAY_US))
    return Window(int(start), int(stop), frozenset(changes.norads), tuple(changes.new_objects),
                  tuple(regimes), float(threshold_km))


def _by_norad(sets: Iterable[ElementSet]) -> dict[int, list[ElementSet]]:
    by: dict[int, list[ElementSet]] = defaultdict(list)
    for s in sets:
        by[s.norad].append(s)
    return by


def _in_regimes(history: list[ElementSet], regimes: Sequence[str]) -> list[ElementSet]:
    """Sets of the objects whose newest set is in one of ``regimes``."""
    from orbwatch.detect.proximity import REGIMES, regime_of

    if set(regimes) >= set(REGIMES):
        return history
    by = _by_norad(history)
    newest = [max(sets, key=lambda s: s.epoch_us) for sets in by.values()]
    keep = {s.norad for s, g in zip(newest, regime_of(newest), strict=True) if g in regimes}
    return [s for s in history if s.norad in keep]


def _history(store, w: Window, lookback_days: float) -> list[ElementSet]:
    sets = store.element_sets(start_us=w.start_us - int(lookback_days * _DAY_US),
                              stop_us=w.stop_us)
    return _in_regimes(sets, w.regimes)


def _objects(store) -> dict[int, dict]:
    return {o["norad"]: o for o in store.objects()}


# ----------------------------------------------------------------- the steps
def maneuver_step(store, w: Window) -> StepResult:
    """Manoeuvres of the objects with new sets, over their recent histories, and per
    object the span where this look was complete: more than ``MIN_SETS`` sets from
    either end of the history it had (a stored manoeuvre there that is not found
    again is retracted, see :mod:`~orbwatch.monitor.state`)."""
    from orbwatch.detect.maneuvers import maneuver_events, prepare_history

    lo = w.start_us - int(MANEUVER_LOOKBACK_DAYS * _DAY_US)
    sets = _in_regimes(store.element_sets(sorted(w.norads), start_us=lo, stop_us=w.stop_us),
                       w.regimes)
    out: list[Event] = []
    covered: dict[tuple[str, str], tuple[int, int]] = {}
    for norad, history in sorted(_by_norad(sets).items()):
        if len(history) >= MIN_MANEUVER_SETS:
            out += maneuver_events(history)
            ep = [s.epoch_us for s in prepare_history(history)]
            if len(ep) > 2 * MIN_SETS + 1:
                covered[("maneuver", str(norad))] = (ep[MIN_SETS], ep[-MIN_SETS - 1])
    return StepResult(out, covered)


def screen_days(history: list[ElementSet], start_us: int, stop_us: int, objects,
                threshold_km: float) -> list[Event]:
    """Conjunctions day by day, each object with its set nearest the middle
    of the day (none older than a week)."""
    from orbwatch.propagate import nearest_sets
    from orbwatch.screen import assess, screen

    out = []
    for t0 in range(start_us, stop_us, _DAY_US):
        t1 = min(t0 + _DAY_US, stop_us)
        mid = (t0 + t1) // 2
        sets = [s for s in nearest_sets(history, mid)
                if abs(s.epoch_us - mid) < _SET_AGE_DAYS * _DAY_US]
        if len(sets) < 2:
            continue
        res = screen(sets, t0, t1, threshold_km=threshold_km, workers=1)
        res.proximities = []  # co-moving pairs are the proximity detector's business
        out += [e for e in assess(res, sets, threshold_km=threshold_km, objects=objects).events
                if e.kind == "conjunction"]
    return out


def conjunction_step(store, w: Window) -> StepResult:
    history = _history(store, w, _SET_AGE_DAYS)
    return StepResult(screen_days(history, w.start_us, w.stop_us, _objects(store),
                                  w.threshold_km))


def proximity_step(store, w: Window) -> StepResult:
    from orbwatch.detect.proximity import detect_proximity

    history = _history(store, w, PROXIMITY_LOOKBACK_DAYS)
    if len({s.norad for s in history}) < 2:
        return StepResult([])
    return StepResult(detect_proximity(history, w.start_us, w.stop_us, objects=_objects(store),
                                       regimes=w.regimes).events)


def _launch(s: ElementSet | None, row: dict | None) -> str | None:
    """Launch part of the international designator (``1998-067``)."""
    des = (row or {}).get("intldes") or (s.intldes if s is not None else None)
    return des[:8] if des and len(des) >= 8 else None


def _debris(row: dict | None, s: ElementSet) -> bool:
    kind = ((row or {}).get("object_type") or "").lower()
    name = ((row or {}).get("name") or s.name or "").upper()
    return kind == "debris" or " DEB" in name


def forensics_events(history: list[ElementSet], new: Sequence[int], objects: dict[int, dict],
                     *, max_origins: int = MAX_ORIGINS) -> list[Event]:
    """Origin of each new object of an already-catalogued launch, and the
    breakup of each cloud of at least :data:`MIN_CLOUD` new debris of one launch."""
    from orbwatch.errors import UserError
    from orbwatch.forensics import estimate_breakup, find_origin

    by = _by_norad(history)
    new = [n for n in new if n in by]
    old = [n for n in by if n not in set(new)]
    old_launches: dict[str, list[int]] = defaultdict(list)
    for n in old:
        if (lp := _launch(by[n][0], objects.get(n))) is not None:
            old_launches[lp].append(n)
    groups: dict[str, list[int]] = defaultdict(list)
    for n in new:
        lp = _launch(by[n][0], objects.get(n))
        if lp is not None and lp in old_launches:  # a new launch's objects are a launch
            groups[lp].append(n)
    catalog = [s for n in old for s in by[n]]
    events: list[Event] = []
    singles: list[int] = []
    for lp, members in sorted(groups.items()):
        debris = [n for n in members if _debris(objects.get(n), by[n][0])]
        if len(debris) < MIN_CLOUD:
            singles += members
            continue
        frag_sets = [s for n in debris for s in by[n]]
        first = min(s.epoch_us for s in frag_sets)
        before = [max(pre, key=lambda s: s.epoch_us) for p in old_launches[lp]
                  if (pre := [s for s in by[p] if s.epoch_us < first])]
        parent = max(before, key=lambda s: s.epoch_us) if before else None
        try:
            events.append(estimate_breakup(frag_sets, parent=parent).to_event())
        except UserError:
            pass  # too few usable fragments: said by the report's absence of a breakup
        singles += [n for n in members if n not in debris]
    for n in sorted(singles)[:max_origins]:
        try:
            res = find_origin(by[n], catalog)
        except UserError:
            continue
        if res.best is not None and res.best.epoch_us is not None:
            events.append(res.to_event())
    return events


def forensics_step(store, w: Window) -> StepResult:
    if not w.new_objects:
        return StepResult([])
    history = _history(store, w, 60.0)
    return StepResult(forensics_events(history, w.new_objects, _objects(store)))


#: the detection steps in the order a run takes them
DETECTORS = {"maneuvers": maneuver_step, "conjunctions": conjunction_step,
             "proximity": proximity_step, "forensics": forensics_step}
