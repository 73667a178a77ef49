"""``orbwatch maneuvers``: manoeuvres detected in stored element-set histories."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.cli.scheduler import SchedulerOption, open_runner, parse_scheduler
from orbwatch.detect.maneuver_batch import detect_maneuvers_many, histories_by_object
from orbwatch.detect.maneuvers import DEFAULT_THRESHOLD, MIN_SETS, maneuvers_to_events
from orbwatch.errors import UserError
from orbwatch.store.db import Store, default_db_path
from orbwatch.time import format_iso, parse_iso

__all__ = ["maneuvers_cmd"]

_COLUMNS = ["norad", "epoch", "type", "delta_v_mps", "dv_along_mps", "dv_normal_mps",
            "dv_radial_mps", "epoch_sigma_h", "set_before", "set_after", "bracket_h",
            "confidence"]


def _row(e) -> dict:
    m = e.metrics
    # whole seconds, truncated: --since set to a shown epoch keeps that event
    shown = e.epoch_us - e.epoch_us % 1_000_000
    return {"norad": e.objects[0], "epoch": format_iso(shown, 0), "type": m["type"],
            "delta_v_mps": round(m["delta_v_mps"], 4), "dv_along_mps": round(m["dv_along_mps"], 4),
            "dv_normal_mps": round(m["dv_normal_mps"], 4),
            "dv_radial_mps": round(m["dv_radial_mps"], 4),
            "epoch_sigma_h": round(e.uncertainty["epoch_s"] / 3600.0, 2),
            "set_before": format_iso(e.start_us, 0), "set_after": format_iso(e.end_us, 0),
            "bracket_h": round(e.uncertainty["bracket_s"] / 3600.0, 2),
            "confidence": round(e.confidence, 3)}


@app.command("maneuvers")
def maneuvers_cmd(
    norads: list[int] | None = typer.Argument(None, help="Catalogue numbers."),
    all_objects: bool = typer.Option(False, "--all", help="Every object in the database."),
    since: str | None = typer.Option(None, "--since",
                                     help="Report manoeuvres from this ISO time on (the "
                                          "whole history is still used as context)."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold",
                                    help="Robust z-score a step must exceed."),
    scheduler: str = SchedulerOption,
    workers: int = typer.Option(0, "--workers", help="Local Dask workers with "
                                                     "--scheduler local [default: all cores]."),
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="Output format."),
    figures: str | None = typer.Option(None, "--figures", metavar="DIR",
                                       help="Write DIR/<norad>_maneuvers.png for each object "
                                            "with a manoeuvre: a, e, i and node (GEO: "
                                            "longitude) against time, manoeuvres marked."),
) -> None:
    """Manoeuvres of objects from their element-set history: epoch (with the bracketing
    sets and an uncertainty), delta-v in RTN (m/s), type and confidence."""
    if bool(norads) == all_objects:
        raise UserError("give catalogue numbers or --all (not both)")
    if not (math.isfinite(threshold) and threshold > 0):
        raise UserError(f"--threshold must be a positive number, got {threshold}")
    try:
        since_us = parse_iso(since) if since else None
    except ValueError as e:
        raise UserError(f"--since: {e}") from None
    parse_scheduler(scheduler)
    if figures and Path(figures).exists() and not Path(figures).is_dir():
        raise UserError(f"--figures {figures}: not a folder")
    with Store(db or default_db_path(), create=False) as store:
        sets = store.element_sets(None if all_objects else sorted(set(norads)))
    if all_objects and not sets:
        raise UserError(f"no element sets in {store.location}; run 'orbwatch ingest' first")
    if not all_objects:
        missing = sorted(set(norads) - {s.norad for s in sets})
        if missing:
            raise UserError(f"no element sets for {', '.join(map(str, missing))}; "
                            "check 'orbwatch objects --norad N'")
        counts = Counter(s.norad for s in sets)
        short = {n: c for n, c in sorted(counts.items()) if c < MIN_SETS}
        if short:
            raise UserError("too few element sets to find manoeuvres (need at least "
                            f"{MIN_SETS} per object): " +
                            ", ".join(f"{n} has {c}" for n, c in short.items()))
    with open_runner(scheduler, workers or None) as runner:
        found = detect_maneuvers_many(histories_by_object(sets), threshold=threshold,
                                      runner=runner)
    events = [e for e in maneuvers_to_events(found) if since_us is None or e.epoch_us >= since_us]
    if figures:
        _write_figures(Path(figures), sets, events, since_us)
    emit([_row(e) for e in events], fmt, title="maneuvers", columns=_COLUMNS,
         document=[e.to_dict() for e in events])


def _write_figures(folder: Path, sets, events, since_us: int | None) -> None:
    """One history figure per object with a manoeuvre (from ten days before --since)."""
    from orbwatch.report.history import maneuver_history_png

    first = None if since_us is None else since_us - 10 * 86_400_000_000
    objects = sorted({e.objects[0] for e in events})
    by = {h[0].norad: h for h in histories_by_object(
        [s for s in sets if s.norad in objects and (first is None or s.epoch_us >= first)])}
    folder.mkdir(parents=True, exist_ok=True)
    for norad in objects:
        maneuver_history_png(by[norad], events, folder / f"{norad}_maneuvers.png")
    err_console.print(f"maneuvers: {len(objects)} figure(s) in {folder}", highlight=False,
                      markup=False)
