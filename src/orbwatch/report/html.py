"""Write a self-contained evidence report: HTML pages and ``report.json``.

>>> write_report("out/report", events, findings, store=store)
PosixPath('out/report/index.html')

Layout of ``out_dir``::

    index.html             summary, timeline of findings per state, one section per finding
    events/index.html      every event
    events/<id>.html       one citable page per event (figure where the data allow;
                           breakups also get debris what-if curves)
    states/<party>.html    one page per state answering for or affected by a finding,
                           with the timeline of those findings
    report.json            the same content as data (schema orbwatch.report/1)

Every page is self-contained: inline CSS, figures as base64 PNG data URIs,
no scripts and no external assets, so a page can be mailed or archived
alone.  Figures need the element-set ``store``; without it the pages say
which figure was skipped and why.  Drawing a figure for every one of
thousands of routine conjunctions would take minutes, so by default
(``figures="cited"``) figures are drawn for the events findings rest on and
for every manoeuvre, release and breakup; ``"all"`` draws every one and
``"none"`` none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from orbwatch.events import Event
from orbwatch.report.figures import FIGURE_KINDS, figure_for, timeline_figure, whatif_figure
from orbwatch.report.layout import esc, figure_html, link, page, table
from orbwatch.report.model import ReportModel, build_model, state_slug
from orbwatch.report.pages import (
    event_page,
    events_index_page,
    finding_section,
    footer,
    state_page,
)

__all__ = ["write_report", "index_page", "FIGURE_POLICIES"]

FIGURE_POLICIES = ("cited", "all", "none")
_ALWAYS = {"maneuver", "release", "breakup"}


def _summary(model: ReportModel) -> str:
    start, end = model.period()
    kinds = model.event_counts()
    verdicts = model.verdict_counts()
    states = model.state_counts()
    breaches = verdicts.get("breach", 0)
    lead = (f"{len(model.events)} events detected from {esc(start or '-')} to "
            f"{esc(end or '-')} (UTC); {len(model.findings)} findings against the code of "
            f"conduct, {breaches} of them breaches.")
    state_rows = [(link(f"states/{state_slug(p)}.html", p), c["breach"], c["undetermined"],
                   c["affected"]) for p, c in states.items()]
    return (f"<p>{lead}</p>\n<h2>Summary</h2>\n<h3>Period covered</h3>"
            f"<p>{esc(start or '-')} to {esc(end or '-')} (UTC)</p>\n<h3>Events per kind</h3>"
            + table(["kind", "events"], list(kinds.items()) + [("all", len(model.events))])
            + "\n<h3>Findings per verdict</h3>"
            + table(["verdict", "findings"], list(verdicts.items()))
            + "\n<h3>Findings per state</h3>"
            + table(["state", "breaches", "undetermined", "affected by"], state_rows,
                    raw=(0,)))


def index_page(model: ReportModel, timeline) -> str:
    """``index.html``: summary, timeline, the findings, links to everything."""
    findings = "".join(finding_section(model, k) for k in range(len(model.findings)))
    rows = [(link(f"#finding-{k + 1}", k + 1), f'<span class="{esc(f.get("verdict"))}">'
             f'{esc(f.get("verdict"))}</span>', esc(f.get("severity")),
             esc(", ".join(f.get("parties", []))), esc(f.get("title")), esc(f.get("epoch")))
            for k, f in enumerate(model.findings)]
    body = (_summary(model)
            + f"\n<h2>Timeline of findings per state</h2>{figure_html(timeline)}\n"
            + "<h2>Findings</h2>"
            + (table(["#", "verdict", "severity", "responsible", "rule", "epoch (UTC)"], rows,
                     raw=range(6)) if rows else '<p class="note">no findings</p>')
            + findings
            + f"\n<h2>Events</h2><p>{link('events/index.html', 'Every event')} "
              "has its own page; the findings above link to the ones they rest on.</p>"
            + "<p>The same content as data: "
              f"{link('report.json', 'report.json')} (schema orbwatch.report/1).</p>")
    return page(model.title, body, footer=footer(model))


def _wants_figure(model: ReportModel, e: Event, policy: str) -> bool:
    if policy == "none" or e.kind not in FIGURE_KINDS:
        return False
    return policy == "all" or e.id in model.cited or e.kind in _ALWAYS


def write_report(out_dir: str | Path, events: Iterable[Event | Mapping],
                 findings: Iterable[Any] = (), *, store=None,
                 title: str = "orbwatch evidence report", figures: str = "cited",
                 generated_us: int | None = None) -> Path:
    """Write the report into ``out_dir`` (created) and return ``index.html``'s path.

    ``events``: :class:`~orbwatch.events.Event` or their dicts; ``findings``:
    :class:`~orbwatch.norms.Finding` or their dicts (``findings.json``);
    ``store``: a :class:`~orbwatch.store.Store` for names, owners and figures.
    """
    if figures not in FIGURE_POLICIES:
        raise ValueError(f"figures must be one of {', '.join(FIGURE_POLICIES)}, "
                         f"got {figures!r}")
    out = Path(out_dir)
    (out / "events").mkdir(parents=True, exist_ok=True)
    (out / "states").mkdir(parents=True, exist_ok=True)
    model = build_model(events, findings, store=store, title=title, generated_us=generated_us)
    data = model.to_json()
    drawn = {}
    for e, row in zip(model.events, data["events"], strict=True):
        fig, note = None, ""
        if _wants_figure(model, e, figures):
            fig = figure_for(store, e)
        elif e.kind in FIGURE_KINDS:
            note = ("Figure not drawn: only events cited by findings get one in this report "
                    "(write it with figures='all' for every event).")
        whatif = (whatif_figure(store, e) if e.kind == "breakup" and figures != "none"
                  else None)
        row["figure"] = fig.to_dict() if fig is not None else None
        if whatif is not None:
            row["whatif_figure"] = whatif.to_dict()
        drawn[e.id] = fig
        (out / "events" / f"{e.id}.html").write_text(
            event_page(model, e, fig, fig_note=note, whatif=whatif), encoding="utf-8")
    (out / "events" / "index.html").write_text(events_index_page(model), encoding="utf-8")
    for party in model.states():
        idx = model.state_findings(party)
        mine = [model.findings[k] for k in sorted(set(idx["responsible"]) | set(idx["affected"]))]
        tl = timeline_figure(mine, title=f"findings involving {party}, by responsible state")
        (out / "states" / f"{state_slug(party)}.html").write_text(
            state_page(model, party, tl), encoding="utf-8")
    timeline = timeline_figure(model.findings)
    data["timeline"] = timeline.to_dict()
    index = out / "index.html"
    index.write_text(index_page(model, timeline), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return index
