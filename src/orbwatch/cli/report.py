"""``orbwatch report``: a self-contained HTML evidence report (and report.json)."""

from __future__ import annotations

import os

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import err_console, read_json_file
from orbwatch.errors import UserError

__all__ = ["report_cmd", "read_findings"]


def read_findings(path: str) -> list[dict]:
    """Findings of an ``orbwatch.finding/1`` JSON file (``orbwatch judge -f json``,
    ``findings.json`` of the demo)."""
    from orbwatch.norms import FINDING_SCHEMA

    data = read_json_file(path)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a list of findings")
    for k, f in enumerate(data):
        if not isinstance(f, dict) or f.get("schema", FINDING_SCHEMA) != FINDING_SCHEMA \
                or "rule_id" not in f:
            raise UserError(f"{path}: record {k + 1} is not an {FINDING_SCHEMA} finding")
    return data


def _store(db: str | None):
    from orbwatch.store.db import Store, default_db_path

    path = db or default_db_path()
    if "://" not in path and not os.path.exists(path):
        if db is not None:
            raise UserError(f"--db {db}: no such database")
        err_console.print(f"report: no database ({path} absent): names from the events' "
                          "evidence only, no figures", highlight=False, markup=False)
        return None
    return Store(path, create=False)


@app.command("report")
def report_cmd(
    events_path: str = typer.Option(..., "--events", metavar="EVENTS.json",
                                    help="Events (orbwatch.event/1 JSON)."),
    findings_path: str | None = typer.Option(None, "--findings", metavar="FINDINGS.json",
                                             help="Findings (orbwatch.finding/1 JSON) "
                                                  "[default: judge the events against the "
                                                  "default code]."),
    out: str = typer.Option(..., "--out", help="Folder for the report (created)."),
    title: str = typer.Option("orbwatch evidence report", "--title", help="Report title."),
    figures: str = typer.Option("cited", "--figures",
                                help="cited (events findings rest on, and every manoeuvre, "
                                     "release and breakup) | all | none"),
    db: str | None = DbOption,
) -> None:
    """Write a self-contained HTML evidence report: a summary, a timeline of
    findings per state, one section per finding, one citable page per event
    (with range, element-history or Gabbard figures from the database) and one
    page per state; the same content as report.json."""
    from orbwatch.cli.judge import read_events
    from orbwatch.report import FIGURE_POLICIES, write_report

    if figures not in FIGURE_POLICIES:
        raise UserError(f"--figures: expected {', '.join(FIGURE_POLICIES)}, found {figures!r}")
    events = read_events(events_path)
    findings = read_findings(findings_path) if findings_path is not None else None
    store = _store(db)
    try:
        if findings is None:
            from orbwatch.norms import judge

            findings = judge(events, store.objects() if store is not None else [])
        index = write_report(out, events, findings, store=store, title=title,
                             figures=figures)
    finally:
        if store is not None:
            store.close()
    err_console.print(f"report: {len(events)} events, {len(findings)} findings; open {index}",
                      highlight=False, markup=False)
