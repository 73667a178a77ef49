"""Judge events against a code of conduct: findings with parties and evidence.

``judge(events, objects, code, notifications)`` evaluates every rule on
every event of the kinds it applies to.  A rule whose condition holds gives
a finding with verdict ``breach``; one whose condition cannot be decided
from the data (an owner, a metric or a fact unknown, and nothing else
rules it out) gives verdict ``undetermined`` unless the rule says
``when_unknown = "ignore"``.  Each finding names the parties answering for
the event (attribution), the affected parties, the events used, the numbers
measured, the thresholds, whether the event was notified, and what the
data cannot show.

Confidence of a finding: the smallest confidence of the events it rests
on, halved when the verdict is undetermined.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from orbwatch.events import Event, _clean
from orbwatch.norms.attribution import Attribution, rows_from_events
from orbwatch.norms.code import SEVERITIES, Code, Rule, default_code, render
from orbwatch.norms.conditions import evaluate
from orbwatch.norms.facts import FACTS, Context, FactValue, capable_objects
from orbwatch.norms.notifications import COVERS, Notification
from orbwatch.time import format_iso

__all__ = ["Finding", "FINDING_SCHEMA", "judge", "findings_to_json", "STALE_DAYS"]

FINDING_SCHEMA = "orbwatch.finding/1"
#: element sets farther than this from the event make a "cannot show" caveat
STALE_DAYS = 3.0
_NOTIFIABLE = {k for kinds in COVERS.values() for k in kinds}


@dataclass
class Finding:
    rule_id: str
    title: str
    parties: list[str]
    events: list[str]
    measured: dict
    confidence: float
    severity: str
    notified: bool | None
    cannot_show: list[str]
    text: str
    verdict: str = "breach"  # breach | undetermined
    source: str = ""
    objects: list[int] = field(default_factory=list)
    epoch: str | None = None
    affected: list[str] = field(default_factory=list)
    thresholds: dict = field(default_factory=dict)
    attribution: list[dict] = field(default_factory=list)
    notifications: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"schema": FINDING_SCHEMA, **_clean(asdict(self))}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def findings_to_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2)


def _data_gaps(ev: Event) -> list[str]:
    out = []
    ages = ev.uncertainty.get("element_set_age_days") or [
        s.get("age_days") for s in ev.evidence.get("element_sets") or [] if isinstance(s, dict)]
    ages = [a for a in ages if isinstance(a, (int, float))]
    if ages and max(ages) > STALE_DAYS:
        out.append(f"no element sets for {max(ages):.1f} days around the event (nearest set "
                   f"that far from it)")
    late = ev.evidence.get("first_set_after_us_days")
    if isinstance(late, (int, float)):
        out.append(f"the new object was first catalogued {late:.1f} days after the event")
    return out


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _error_bars(ev: Event, measured: dict, reasons: list[str]) -> list[str]:
    """The error bar of each value the rule read that the event gives one for (its
    ``uncertainty`` entry of the same name, 1 sigma), unless a reason says it already
    (a comparison the error bar left undecided, :mod:`orbwatch.norms.conditions`)."""
    return [f"{name} = {value:.3g} +- {s:.3g} (1 sigma, the event's own error bar)"
            for name, value in measured.items()
            if _number(value) and _number(s := ev.uncertainty.get(name)) and s > 0
            and not any(r.startswith(f"{name} = ") for r in reasons)]


def _values(ev: Event, ctx: Context, rule: Rule, measured: dict) -> dict:
    subject, other = ctx.subject(ev), ctx.other(ev)
    vals: dict[str, Any] = {k: v for k, v in ev.metrics.items()
                            if isinstance(v, (int, float, str))}
    vals.update(rule.params)
    vals.update(measured)
    vals.update(kind=ev.kind, event=ev.id, epoch=format_iso(ev.epoch_us, 0), subject=subject,
                subject_name=ctx.attribution.name(subject),
                subject_party="/".join(ctx.party(subject).parties))
    if other is not None:
        vals.update(other=other, other_name=ctx.attribution.name(other),
                    other_party="/".join(ctx.party(other).parties))
    return vals


def _judge_one(rule: Rule, ev: Event, ctx: Context) -> Finding | None:
    measured: dict = {}
    related: list[str] = []
    concerned: list[int] = []

    def lookup(source: str, name: str):
        if source == "metric":
            v = ev.metrics.get(name)
            return v, None if v is not None else f"the {ev.kind} event carries no {name}"
        fv: FactValue = FACTS[name][1](ev, ctx, rule.params)
        related.extend(i for i in fv.events if i not in related)
        concerned.extend(fv.objects)
        measured.update(fv.measured)
        return fv.value, fv.why

    value, reasons = evaluate(rule.condition, lookup, measured,
                              sigma=lambda name: ev.uncertainty.get(name))
    if value is False or (value is None and rule.when_unknown == "ignore"):
        return None
    verdict = "breach" if value else "undetermined"
    subject, other = ctx.subject(ev), ctx.other(ev)
    responsible = [subject]
    if rule.responsible == "capable":
        seen, unseen = capable_objects(ev, ctx)
        responsible = seen or unseen or [subject]
    parties = sorted({p for n in responsible for p in ctx.party(n).parties})
    involved = list(dict.fromkeys([*responsible, *([other] if other is not None else []),
                                   *concerned]))
    affected = sorted({p for n in involved for p in ctx.party(n).parties
                       if ctx.party(n).known} - set(parties))
    cannot = list(dict.fromkeys([*reasons, *(c for n in involved for c in ctx.party(n).caveats),
                                 *_data_gaps(ev), *_error_bars(ev, measured, reasons),
                                 *rule.cannot_show]))
    notified, notes = None, []
    if ev.kind in _NOTIFIABLE:
        if ctx.notifications is None:
            notified = False
            cannot.append("no notifications were given: one made elsewhere cannot be seen")
        else:
            m = ctx.match(ev)
            notified, notes = m.notified, m.ids + m.notes
    used = [ev] + [e for e in ctx.events if e.id in related]
    conf = min(e.confidence for e in used) * (1.0 if value else 0.5)
    text = render(rule.finding, _values(ev, ctx, rule, measured))
    numbers = {k: v for k, v in measured.items() if isinstance(v, (int, float))
               and not isinstance(v, bool)}
    return Finding(
        rule_id=rule.id, title=rule.title, parties=parties, events=[ev.id, *related],
        measured=numbers, confidence=round(conf, 4), severity=rule.severity, notified=notified,
        cannot_show=cannot, text=text if value else f"[undetermined] {text}", verdict=verdict,
        source=rule.source, objects=list(ev.objects[:2] if ev.kind != "breakup"
                                         else [subject, *ev.objects[:1]]),
        epoch=format_iso(ev.epoch_us, 3), affected=affected,
        thresholds={k: v for k, v in rule.params.items() if isinstance(v, (int, float))},
        attribution=[ctx.party(n).to_dict() for n in involved], notifications=notes)


def judge(events: Iterable[Event], objects: Attribution | Iterable[Mapping] | Mapping[int, Mapping],
          code: Code | None = None, notifications: Iterable[Notification] | None = None, *,
          split_joint: bool = True) -> list[Finding]:
    """Findings of ``code`` (default: the shipped code) over ``events``;
    ``objects`` are catalogue rows (``Store.objects()``), a mapping norad ->
    row, or an :class:`Attribution`; objects without a row are attributed
    from the owners detectors wrote in the events' evidence.  ``notifications=None`` means none were
    supplied (every notifiable event counts as not notified, with a caveat)."""
    code = code or default_code()
    if isinstance(objects, Attribution):
        attribution = objects
    elif isinstance(objects, Mapping):
        attribution = Attribution.from_mapping(objects, split_joint=split_joint)
    else:
        attribution = Attribution(objects, split_joint=split_joint)
    events = list(events)
    attribution.fill(rows_from_events(events))
    ctx = Context(events, attribution, notifications)
    out = [f for rule in code.rules for ev in events if ev.kind in rule.applies_to
           if (f := _judge_one(rule, ev, ctx)) is not None]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    out.sort(key=lambda f: (f.verdict != "breach", -rank[f.severity], f.epoch or "", f.rule_id))
    return out
