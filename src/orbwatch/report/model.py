"""What a report says, as plain data: events, findings, objects, states.

:func:`build_model` gathers everything the HTML pages and ``report.json``
show, so that both say the same thing: counts per event kind, findings per
verdict and per state, the period covered, who owns each object, which
events each finding rests on and where their pages are.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orbwatch.events import Event
from orbwatch.time import format_iso, now_us

__all__ = ["REPORT_SCHEMA", "ReportModel", "build_model", "unit_of", "format_value",
           "state_slug", "describe_event"]

REPORT_SCHEMA = "orbwatch.report/1"

#: metric-name suffix -> unit (longest suffix first)
_UNITS = (("_km_per_day", "km/day"), ("_kms", "km/s"), ("_mps", "m/s"), ("_km", "km"),
          ("_deg", "deg"), ("_days", "days"), ("_s", "s"), ("_m", "m"), ("_kg", "kg"))
_NO_UNIT = {"pc": "(probability)", "pc_max": "(probability)", "fragments": "objects",
            "approaches": "count", "delta_e": "(eccentricity)", "confidence": "(0-1)"}


def unit_of(name: str) -> str:
    """The unit of a metric from its name (orbwatch's naming convention)."""
    if name in _NO_UNIT:
        return _NO_UNIT[name]
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def format_value(value: Any) -> str:
    """A number as a reader would write it (4 significant digits)."""
    if isinstance(value, bool) or value is None:
        return "unknown" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e12):
            return f"{value:.3e}"
        if abs(value) >= 1e4:
            return f"{value:.0f}"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def state_slug(party: str) -> str:
    """A file-name-safe form of a party code (``states/<slug>.html``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", party) or "_"


def _finding_dict(f: Any) -> dict:
    return dict(f.to_dict() if hasattr(f, "to_dict") else f)


def _event(e: Any) -> Event:
    return e if isinstance(e, Event) else Event.from_dict(e)


@dataclass
class ReportModel:
    """Everything a report shows; :meth:`to_json` is ``report.json``."""

    title: str
    generated_us: int
    events: list[Event]
    findings: list[dict]
    objects: dict[int, dict]
    by_id: dict[str, Event] = field(default_factory=dict)
    cited: dict[str, list[int]] = field(default_factory=dict)  # event id -> finding indices

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.events}
        cited = defaultdict(list)
        for k, f in enumerate(self.findings):
            for eid in f.get("events", []):
                cited[eid].append(k)
        self.cited = dict(cited)

    # --- objects ------------------------------------------------------------
    def name(self, norad: int) -> str:
        return (self.objects.get(int(norad)) or {}).get("name") or "unnamed"

    def owner(self, norad: int) -> str:
        return (self.objects.get(int(norad)) or {}).get("owner") or "unknown owner"

    def label(self, norad: int) -> str:
        """``99001 (REDSAT-1, RED)``."""
        return f"{norad} ({self.name(norad)}, {self.owner(norad)})"

    # --- summaries ----------------------------------------------------------
    def period(self) -> tuple[str | None, str | None]:
        ts = [t for e in self.events for t in (e.start_us, e.epoch_us, e.end_us)
              if t is not None]
        if not ts:
            return None, None
        return format_iso(min(ts), 0), format_iso(max(ts), 0)

    def event_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.kind for e in self.events).items()))

    def verdict_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.get("verdict", "breach") for f in self.findings).items()))

    def states(self) -> list[str]:
        """Every party answering for a finding or affected by one."""
        return sorted({p for f in self.findings for p in [*f.get("parties", []),
                                                           *f.get("affected", [])]})

    def state_findings(self, party: str) -> dict[str, list[int]]:
        """Indices of the findings a party answers for, and of those it is affected by."""
        return {"responsible": [k for k, f in enumerate(self.findings)
                                if party in f.get("parties", [])],
                "affected": [k for k, f in enumerate(self.findings)
                             if party in f.get("affected", [])]}

    def state_counts(self) -> dict[str, dict[str, int]]:
        """Per party: findings it answers for, by verdict."""
        out: dict[str, dict[str, int]] = {}
        for party in self.states():
            idx = self.state_findings(party)
            verdicts = Counter(self.findings[k].get("verdict", "breach")
                               for k in idx["responsible"])
            out[party] = {"breach": verdicts.get("breach", 0),
                          "undetermined": verdicts.get("undetermined", 0),
                          "affected": len(idx["affected"])}
        return out

    def state_objects(self, party: str) -> list[int]:
        """Objects of the party's that appear in an event cited by a finding."""
        seen = {n for eid in self.cited if eid in self.by_id for n in self.by_id[eid].objects}
        return sorted(n for n in seen if self.owner(n) == party)

    def to_json(self) -> dict:
        start, end = self.period()
        return {
            "schema": REPORT_SCHEMA, "title": self.title,
            "generated": format_iso(self.generated_us, 0),
            "period": {"start": start, "end": end},
            "counts": {"events": len(self.events), "events_by_kind": self.event_counts(),
                       "findings": len(self.findings),
                       "findings_by_verdict": self.verdict_counts(),
                       "findings_by_state": self.state_counts()},
            "findings": [{**f, "index": k, "event_pages": [f"events/{e}.html"
                                                           for e in f.get("events", [])]}
                         for k, f in enumerate(self.findings)],
            "states": {p: {"page": f"states/{state_slug(p)}.html", **self.state_findings(p),
                           "objects": self.state_objects(p)} for p in self.states()},
            "objects": {str(n): o for n, o in sorted(self.objects.items())},
            "events": [{**e.to_dict(), "page": f"events/{e.id}.html",
                        "description": describe_event(e, self),
                        "findings": self.cited.get(e.id, [])} for e in self.events],
        }


def _objects(events: list[Event], findings: list[dict], store) -> dict[int, dict]:
    """norad -> {name, owner, object_type}: catalogue first, then what
    findings' attribution and events' evidence say."""
    out: dict[int, dict] = {}
    for e in events:
        ev = e.evidence
        for key, field_ in (("names", "name"), ("owners", "owner"), ("object_types",
                                                                     "object_type")):
            vals = ev.get(key)
            if isinstance(vals, list):
                for n, v in zip(e.objects, vals, strict=False):
                    if v:
                        out.setdefault(n, {}).setdefault(field_, v)
    for f in findings:
        for a in f.get("attribution", []):
            row = out.setdefault(int(a["norad"]), {})
            if a.get("name"):
                row["name"] = a["name"]
            if a.get("parties"):
                row.setdefault("owner", "/".join(a["parties"]))
    if store is not None:
        wanted = sorted({n for e in events for n in e.objects})
        for r in store.objects(norads=wanted):
            row = out.setdefault(int(r["norad"]), {})
            row.update({k: r[k] for k in ("name", "owner", "object_type", "intldes")
                        if r.get(k)})
    return {n: {"name": o.get("name"), "owner": o.get("owner"),
                "object_type": o.get("object_type"), "intldes": o.get("intldes")}
            for n, o in out.items()}


def build_model(events: Iterable[Event | Mapping], findings: Iterable[Any] = (), *,
                store=None, title: str = "orbwatch evidence report",
                generated_us: int | None = None) -> ReportModel:
    """The report's content from events (or their dicts), findings
    (:class:`~orbwatch.norms.Finding` or their dicts) and an optional store
    (names and owners from the catalogue)."""
    evs = sorted((_event(e) for e in events), key=lambda e: (e.epoch_us, e.kind, e.id))
    fs = [_finding_dict(f) for f in findings]
    return ReportModel(title=title, generated_us=now_us() if generated_us is None
                       else generated_us, events=evs, findings=fs,
                       objects=_objects(evs, fs, store))


def _m(e: Event, name: str) -> str:
    v = e.metrics.get(name)
    return "unknown" if v is None else f"{format_value(v)} {unit_of(name)}".strip()


def describe_event(e: Event, model: ReportModel) -> str:
    """One plain sentence: what happened, to whom, when (UTC)."""
    when = format_iso(e.epoch_us, 0)
    objs = [model.label(n) for n in e.objects[:2]]
    if e.kind == "proximity":
        return (f"{objs[0]} and {objs[1]} stayed close from {e.to_dict()['start']} to "
                f"{e.to_dict()['end']}; closest approach {_m(e, 'min_range_km')} around "
                f"{when} at {_m(e, 'rel_speed_kms')} relative speed.")
    if e.kind == "conjunction":
        return (f"{objs[0]} and {objs[1]} passed {_m(e, 'miss_km')} apart at {when} "
                f"(relative speed {_m(e, 'rel_speed_kms')}, collision probability "
                f"{_m(e, 'pc')}).")
    if e.kind == "maneuver":
        kind = e.metrics.get("type", "a manoeuvre")
        return (f"{objs[0]} manoeuvred around {when} ({kind}): delta-v "
                f"{_m(e, 'delta_v_mps')}, semi-major axis change {_m(e, 'delta_a_km')}, "
                f"inclination change {_m(e, 'delta_i_deg')}.")
    if e.kind == "release":
        return (f"{objs[1] if len(objs) > 1 else 'an object'} separated from {objs[0]} "
                f"around {when} at {_m(e, 'alt_km')} altitude, {_m(e, 'dv_kms')} apart "
                f"in speed.")
    if e.kind == "breakup":
        return (f"{objs[0]} broke up around {when} at {_m(e, 'alt_km')} altitude: "
                f"{_m(e, 'fragments')} catalogued, classified "
                f"{e.metrics.get('classification', 'unknown')}.")
    return f"{e.kind} of {', '.join(objs)} around {when}."
