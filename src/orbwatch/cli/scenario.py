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
from orbwatch.scenario.population import (
    POPULATION_EPOCH_US,
    generate_population,
    write_population,
)
from orbwatch.time import format_iso, parse_iso

__all__ = ["scenario_app", "build_cmd", "population_cmd"]

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




@scenario_app.command("population")
def population_cmd(
    objects: int = typer.Option(100_000, "--objects", help="Number of objects."),
    out: str = typer.Option(..., "--out", help="OMM JSON file to write (.json or .json.gz)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same file)."),
    epoch: str | None = typer.Option(None, "--epoch", help="Nominal epoch, ISO 8601 UTC "
                                     f"[default: {format_iso(POPULATION_EPOCH_US, 0)}]."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json (family counts)"),
) -> None:
    """A synthetic catalogue for scale tests: mega-constellation shells, sun-synchronous
    band, debris clouds, navigation, GEO belt, GTO and Molniya, as OMM JSON."""
    if not (out.endswith(".json") or out.endswith(".json.gz")):
        raise UserError(f"--out: expected a .json or .json.gz file name, found {out!r}")
    try:
        epoch_us = parse_iso(epoch) if epoch else POPULATION_EPOCH_US
    except ValueError as exc:
        raise UserError(f"--epoch: {exc}") from None
    pop = generate_population(objects, seed=seed, epoch_us=epoch_us)
    path = write_population(pop, out)
    err_console.print(f"wrote {len(pop.sets)} objects (seed {seed}) to {path}",
                      highlight=False, markup=False)
    rows = [{"family": k, "objects": v} for k, v in pop.families.items()]
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps({"objects": len(pop.sets), "seed": seed,
                                     "epoch": format_iso(epoch_us, 0), "path": str(path),
                                     "families": pop.families}, indent=2) + "\n")
        return
    emit(rows, fmt, title="synthetic population", columns=["family", "objects"])


app.add_typer(scenario_app, name="scenario")
