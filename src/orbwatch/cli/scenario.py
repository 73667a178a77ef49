"""``orbwatch scenario build``: a synthetic catalogue history with planted
events and their ground truth (see :mod:`orbwatch.scenario`)."""

from __future__ import annotations

import json
import sys

import typer

from orbwatch.cli.app import app
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.errors import UserError
from orbwatch.scenario import DEFAULT_START_US, SCENARIOS, build_scenario
from orbwatch.time import format_iso, parse_iso

__all__ = ["scenario_app", "build_cmd"]

scenario_app = typer.Typer(help="Synthetic catalogue histories with planted events.",
                           no_args_is_help=True)


@scenario_app.command("build")
def build_cmd(
    name: str = typer.Argument(..., help=f"Scenario: {' | '.join(SCENARIOS)}."),
    out: str = typer.Option(..., "--out", help="Folder to write the scenario into."),
    background: str | None = typer.Option(None, "--background",
                                          help="Catalogue file to draw the background from "
                                               "[default: a generated one]."),
    background_size: int = typer.Option(300, "--background-size",
                                        help="Number of background objects."),
    start: str | None = typer.Option(None, "--start", help="Window start, ISO 8601 UTC "
                                     f"[default: {format_iso(DEFAULT_START_US, 0)}]."),
    days: float = typer.Option(30.0, "--days", help="Window length in days (4-366)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same files)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json (summary)"),
) -> None:
    """Write elements.json (OMM), elements.tle, satcat.json, truth.json and
    README.txt: a background catalogue plus planted manoeuvres, proximity,
    release, breakup and conjunction, at realistic cadence and noise."""
    try:
        start_us = parse_iso(start) if start else DEFAULT_START_US
    except ValueError as exc:
        raise UserError(f"--start: {exc}") from None
    res = build_scenario(name, out, start_us=start_us, days=days, seed=seed,
                         background=background, background_size=background_size)
    kinds: dict[str, int] = {}
    for e in res.truth_events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    err_console.print(f"scenario {name!r}: {res.n_objects} objects, {res.n_sets} element sets, "
                      f"{len(res.truth_events)} planted events "
                      f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}) in {out}",
                      highlight=False)
    rows = [{"epoch": format_iso(e.epoch_us, 0), "kind": e.kind,
             "objects": " ".join(map(str, e.objects)),
             "what": e.evidence.get("purpose") or e.evidence.get("what")
             or e.evidence.get("cause")} for e in res.truth_events]
    if fmt is OutputFormat.json:
        doc = {"scenario": name, "objects": res.n_objects, "element_sets": res.n_sets,
               "paths": {k: str(p) for k, p in res.paths.items()},
               "events": [e.to_dict() for e in res.truth_events]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    emit(rows, fmt, title="planted events", columns=["epoch", "kind", "objects", "what"])


app.add_typer(scenario_app, name="scenario")
