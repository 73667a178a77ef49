"""``orbwatch demo``: the main job on a scenario with known truth."""

from __future__ import annotations

import json
import sys

import typer

from orbwatch.cli.app import app
from orbwatch.cli.output import OutputFormat, emit, err_console

__all__ = ["demo_cmd"]


@app.command("demo")
def demo_cmd(
    out: str = typer.Option("orbwatch-demo", "--out", help="Folder for the scenario, the "
                                                            "database and the results."),
    seed: int = typer.Option(0, "--seed", help="Scenario seed."),
    days: float = typer.Option(30.0, "--days", help="Scenario length (days)."),
    background: int = typer.Option(300, "--background-size", help="Background objects."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json"),
) -> None:
    """Build a scenario with planted events (inspector, release, interception,
    station keeping, close conjunction), ingest it, run every detector, and
    show which planted events were found and how close in time."""
    from orbwatch.demo import UNPLANTED_CONFIDENCE, run_demo

    result = run_demo(out, seed=seed, days=days, background_size=background,
                      progress=lambda s: err_console.print(s, highlight=False))
    st = result.stats
    err_console.print(
        f"found {st['found']} of {st['planted_events']} planted events; "
        f"{st['detections']} detections in all ({st['detections_on_planted_objects']} on "
        f"planted objects); {st['breaches']} breaches of the default code of conduct "
        f"among {st['findings']} findings; {st['right_findings']} planted events drew the right "
        f"finding; {st['unplanted_breaches_confident']} breaches on unplanted objects at "
        f"confidence >= {UNPLANTED_CONFIDENCE}; results in {result.out_dir}", highlight=False)
    for f in result.findings:
        if f["verdict"] == "breach":
            err_console.print(f"  breach: {f['text']}", highlight=False, markup=False)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps({"stats": st, "planted": result.matches}, indent=2) + "\n")
        return
    emit(result.matches, fmt, title="planted events and what found them",
         columns=["kind", "objects", "truth_epoch", "found", "time_error_s", "expected_rules",
                  "right_finding"])
