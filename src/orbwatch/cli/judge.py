"""``orbwatch judge``: events against a code of conduct, as findings."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.errors import UserError

__all__ = ["judge_cmd", "finding_rows", "read_events"]

_COLUMNS = ["verdict", "severity", "rule_id", "parties", "affected", "epoch", "objects",
            "notified", "confidence", "text"]


def read_events(path: str) -> list:
    """Events of an ``orbwatch.event/1`` JSON file (a list or one event)."""
    from orbwatch.events import events_from_json

    try:
        return events_from_json(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: not orbwatch events: {exc}") from None


def _catalogue(db: str | None, satcat: list[str] | None) -> list[dict]:
    if satcat:
        from orbwatch.elements.satcat import merge_by_norad, read_satcat

        records = []
        for p in satcat:
            try:
                records.extend(read_satcat(p).records)
            except OSError as exc:
                raise UserError(f"--satcat {p}: {exc.strerror or exc}") from None
        return [{"norad": n, "name": r.name, "owner": r.owner, "object_type": r.object_type,
                 "intldes": r.intldes} for n, r in merge_by_norad(records).items()]
    from orbwatch.store.db import Store, default_db_path

    path = db or default_db_path()
    if db is None and "://" not in path and not os.path.exists(path):
        err_console.print(f"judge: no catalogue ({path} absent, no --satcat): owners come "
                          "from the events' evidence only", highlight=False, markup=False)
        return []
    return Store(path, create=False).objects()


def finding_rows(findings) -> list[dict]:
    """Flat rows (table/CSV) of findings."""
    return [{"verdict": f.verdict, "severity": f.severity, "rule_id": f.rule_id,
             "parties": ",".join(f.parties), "affected": ",".join(f.affected),
             "epoch": f.epoch, "objects": ",".join(map(str, f.objects)),
             "notified": None if f.notified is None else str(f.notified).lower(),
             "confidence": f.confidence, "text": f.text,
             "cannot_show": "; ".join(f.cannot_show)} for f in findings]


@app.command("judge")
def judge_cmd(
    events_path: str = typer.Argument(..., metavar="EVENTS.json",
                                      help="Events (orbwatch.event/1 JSON), e.g. from "
                                           "'orbwatch demo' or a detector's --format json."),
    code: str | None = typer.Option(None, "--code",
                                    help="Code of conduct (TOML or YAML) [default: the "
                                         "shipped default code]."),
    notifications: str | None = typer.Option(None, "--notifications",
                                             help="Declared intentions (JSON list); "
                                                  "signatures are not checked yet."),
    satcat: list[str] | None = typer.Option(None, "--satcat",
                                            help="SATCAT files for owners instead of the "
                                                 "database."),
    verdict: str = typer.Option("all", "--verdict", help="breach | undetermined | all"),
    keep_joint: bool = typer.Option(False, "--keep-joint",
                                    help="Keep joint owners (ISS, ...) as one multinational "
                                         "party instead of their members."),
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json (findings)"),
) -> None:
    """Judge events against a code of conduct: who (SATCAT owners, joint owners,
    debris parents), which rule (with its source), what was measured, whether it
    was notified, and what the data cannot show."""
    from orbwatch.norms import default_code, judge, load_code, load_notifications

    if verdict not in ("breach", "undetermined", "all"):
        raise UserError(f"--verdict: expected breach, undetermined or all, found {verdict!r}")
    events = read_events(events_path)
    rules = load_code(code) if code else default_code()
    notes = load_notifications(notifications) if notifications else None
    findings = judge(events, _catalogue(db, satcat), rules, notes, split_joint=not keep_joint)
    if verdict != "all":
        findings = [f for f in findings if f.verdict == verdict]
    err_console.print(f"judge: {len(events)} events, {len(rules.rules)} rules ({rules.name}), "
                      f"{sum(f.verdict == 'breach' for f in findings)} breaches, "
                      f"{sum(f.verdict == 'undetermined' for f in findings)} undetermined",
                      highlight=False, markup=False)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps([f.to_dict() for f in findings], indent=2) + "\n")
        return
    emit(finding_rows(findings), fmt, columns=_COLUMNS + (["cannot_show"] if fmt ==
                                                          OutputFormat.csv else []),
         title="findings")
