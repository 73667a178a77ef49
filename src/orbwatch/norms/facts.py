"""Facts the engine derives for a rule's conditions, beyond an event's metrics.

Each fact reads one event in the context of all the others (attribution,
notifications, related events) and answers a value, or None with the reason
the data cannot show it.  Some read the rule's parameters (listed in
:data:`FACT_PARAMS`; a rule using the fact must define them).

=========================== ====== ==============================================
fact                        type   meaning
=========================== ====== ==============================================
attributed                  bool   the subject answers to a known party (never
                                   False: unknown owners make it unknown)
owners_differ               bool   subject and other object answer to different parties
notified                    bool   a notification covers the event (on time, within
                                   what it declared)
object_type                 str    the subject's SATCAT type (payload, rocket body,
                                   debris, unknown)
other_object_type           str    the other object's type
foreign_range_km            number an upper bound on the distance from the subject to
                                   another party's object (not debris) at the event:
                                   the event's own ``range_to_nearby_km``, else the
                                   ``max_range_km`` of a proximity event between them
                                   whose window holds the event
followed_by_close_approach  bool   within ``window_days`` after a manoeuvre, the
                                   manoeuvring object came within ``approach_km`` of
                                   another party's object (conjunction or proximity)
avoidance_maneuver          bool   one of the objects manoeuvred in the
                                   ``lookback_days`` before the conjunction
maneuver_capable            bool   one of the objects is a payload seen manoeuvring
                                   (unknown when the payloads were never seen to)
=========================== ====== ==============================================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from orbwatch.events import Event
from orbwatch.norms.attribution import Attributed, Attribution
from orbwatch.norms.notifications import Notification, NotificationMatch, match_notifications

__all__ = ["FACTS", "FACT_PARAMS", "FactValue", "Context", "capable_objects"]

_DAY_US = 86_400_000_000
APPROACH_KINDS = ("conjunction", "proximity")


@dataclass
class FactValue:
    value: Any
    why: str | None = None  # why the value is None
    events: list[str] = field(default_factory=list)  # ids of related events consulted
    objects: list[int] = field(default_factory=list)  # other parties' objects concerned
    measured: dict = field(default_factory=dict)  # numbers read on the way


class Context:
    """Everything a fact may consult: attribution, notifications, all events."""

    def __init__(self, events: Iterable[Event], attribution: Attribution,
                 notifications: Iterable[Notification] | None = None) -> None:
        self.events = list(events)
        self.attribution = attribution
        self.notifications = list(notifications) if notifications is not None else None
        self.by_norad: dict[int, list[Event]] = defaultdict(list)
        for ev in self.events:
            for n in set(ev.objects):
                self.by_norad[n].append(ev)
            if ev.kind == "breakup" and ev.objects and \
                    attribution.object_type(ev.objects[0]) not in ("debris", None):
                for frag in ev.objects[1:]:
                    attribution.add_parent(frag, ev.objects[0])
        self._parties: dict[int, Attributed] = {}
        self._matches: dict[str, NotificationMatch] = {}

    def party(self, norad: int) -> Attributed:
        if norad not in self._parties:
            self._parties[norad] = self.attribution.of(norad)
        return self._parties[norad]

    def subject(self, ev: Event) -> int:
        """The object answering for the event: the first, or for a cloud of
        fragments their parent."""
        first = ev.objects[0]
        if ev.kind == "breakup" and self.attribution.object_type(first) in ("debris", None):
            parent = self.attribution.parent_of(first)
            if parent is not None:
                return parent[0]
        return first

    def other(self, ev: Event) -> int | None:
        return ev.objects[1] if len(ev.objects) > 1 and ev.kind != "breakup" else None

    def differ(self, a: int, b: int) -> bool | None:
        pa, pb = self.party(a), self.party(b)
        if not (pa.known and pb.known):
            return None
        return not set(pa.parties) & set(pb.parties)

    def match(self, ev: Event) -> NotificationMatch:
        if ev.id not in self._matches:
            parties = self.party(self.subject(ev)).parties
            self._matches[ev.id] = match_notifications(ev, parties, self.notifications or [])
        return self._matches[ev.id]

    def related(self, norad: int, kinds: tuple[str, ...]) -> list[Event]:
        return [e for e in self.by_norad.get(norad, []) if e.kind in kinds]


def _attributed(ev: Event, ctx: Context, _p) -> FactValue:
    a = ctx.party(ctx.subject(ev))
    return FactValue(True) if a.known else FactValue(None, "; ".join(a.caveats))


def _owners_differ(ev: Event, ctx: Context, _p) -> FactValue:
    other = ctx.other(ev)
    if other is None:
        return FactValue(None, f"a {ev.kind} event names no second object")
    d = ctx.differ(ctx.subject(ev), other)
    if d is None:
        cav = ctx.party(ctx.subject(ev)).caveats + ctx.party(other).caveats
        return FactValue(None, "; ".join(cav) or "owners unknown")
    return FactValue(d)


def _notified(ev: Event, ctx: Context, _p) -> FactValue:
    if ctx.notifications is None:
        return FactValue(False)
    return FactValue(ctx.match(ev).notified)


def _type_of(which: Callable[[Event, Context], int | None]):
    def fact(ev: Event, ctx: Context, _p) -> FactValue:
        n = which(ev, ctx)
        t = None if n is None else ctx.attribution.object_type(n)
        return FactValue(t, None if t else f"object type of {n} unknown")
    return fact


def _covers(p: Event, t_us: int) -> bool:
    slack = int(float(p.uncertainty.get("epoch_s") or 0.0) * 1e6)
    start = p.start_us if p.start_us is not None else p.epoch_us
    end = p.end_us if p.end_us is not None else p.epoch_us
    return start - slack <= t_us <= end + slack


def _foreign_range(ev: Event, ctx: Context, _p) -> FactValue:
    subject = ctx.subject(ev)
    near = ev.evidence.get("near")
    rng = ev.metrics.get("range_to_nearby_km")
    if near is not None and rng is not None and ctx.differ(subject, int(near)):
        return FactValue(float(rng), objects=[int(near)])
    best: tuple[float, str, int] | None = None
    for p in ctx.related(subject, ("proximity",)):
        other = next((o for o in p.objects[:2] if o != subject), None)
        if other is None or not _covers(p, ev.epoch_us) or not ctx.differ(subject, other) \
                or ctx.attribution.object_type(other) == "debris":
            continue
        r = p.metrics.get("max_range_km", p.metrics.get("threshold_km"))
        if r is not None and (best is None or r < best[0]):
            best = (float(r), p.id, other)
    if best is None:
        return FactValue(None, f"no proximity event of {subject} with another party's "
                               "object holds the event's time (none within the proximity "
                               "threshold, or proximity was not screened)")
    return FactValue(best[0], events=[best[1]], objects=[best[2]])


def _close_approach_after(ev: Event, ctx: Context, p: dict) -> FactValue:
    subject = ev.objects[0]
    t0, t1 = ev.epoch_us, ev.epoch_us + int(p["window_days"] * _DAY_US)
    hits, unknown, near, closest = [], [], [], None
    for a in ctx.related(subject, APPROACH_KINDS):
        start = a.start_us if a.start_us is not None else a.epoch_us
        end = a.end_us if a.end_us is not None else a.epoch_us
        rng = a.metrics.get("min_range_km", a.metrics.get("miss_km"))
        if end <= t0 or start > t1 or rng is None or rng > p["approach_km"]:
            continue
        other = next((o for o in a.objects[:2] if o != subject), None)
        d = None if other is None else ctx.differ(subject, other)
        (hits if d else unknown if d is None else []).append(a.id)
        if d:
            near.append(other)
            closest = rng if closest is None else min(closest, rng)
    if hits:
        return FactValue(True, events=hits, objects=list(dict.fromkeys(near)),
                         measured={"closest_approach_km": closest})
    if unknown:
        return FactValue(None, "close approaches after the manoeuvre to objects of "
                               "unknown owner", events=unknown)
    return FactValue(False)


def _avoidance(ev: Event, ctx: Context, p: dict) -> FactValue:
    t0 = ev.epoch_us - int(p["lookback_days"] * _DAY_US)
    ids = [m.id for n in ev.objects[:2] for m in ctx.related(n, ("maneuver",))
           if t0 <= m.epoch_us < ev.epoch_us]
    return FactValue(bool(ids), events=ids)


def capable_objects(ev: Event, ctx: Context) -> tuple[list[int], list[int]]:
    """(payloads seen manoeuvring, payloads never seen manoeuvring) among the objects."""
    payloads = [n for n in ev.objects[:2] if ctx.attribution.object_type(n) == "payload"]
    seen = [n for n in payloads if ctx.related(n, ("maneuver",))]
    return seen, [n for n in payloads if n not in seen]


def _capable(ev: Event, ctx: Context, _p) -> FactValue:
    seen, unseen = capable_objects(ev, ctx)
    if seen:
        return FactValue(True)
    if unseen:
        return FactValue(None, "whether " + ", ".join(map(str, unseen)) +
                         " can manoeuvre: never seen manoeuvring in the events judged")
    return FactValue(False)


def _own_debris(ev: Event, ctx: Context, _p) -> FactValue:
    """Whether the two objects are a broken-up object and its own fragments
    (both named by one breakup event): not a conjunction anyone can act on."""
    pair = set(ev.objects[:2])
    ids = [b.id for n in pair for b in ctx.related(n, ("breakup",)) if pair <= set(b.objects)]
    return FactValue(bool(ids), events=ids)


#: fact name -> (value type, function(event, context, rule params) -> FactValue)
FACTS: dict[str, tuple[str, Callable[[Event, Context, dict], FactValue]]] = {
    "attributed": ("bool", _attributed),
    "owners_differ": ("bool", _owners_differ),
    "notified": ("bool", _notified),
    "object_type": ("str", _type_of(lambda ev, ctx: ctx.subject(ev))),
    "other_object_type": ("str", _type_of(lambda ev, ctx: ctx.other(ev))),
    "foreign_range_km": ("number", _foreign_range),
    "followed_by_close_approach": ("bool", _close_approach_after),
    "avoidance_maneuver": ("bool", _avoidance),
    "maneuver_capable": ("bool", _capable),
    "with_own_debris": ("bool", _own_debris),
}
#: parameters a fact reads from the rule's ``params``
FACT_PARAMS: dict[str, tuple[str, ...]] = {
    "followed_by_close_approach": ("window_days", "approach_km"),
    "avoidance_maneuver": ("lookback_days",),
}
