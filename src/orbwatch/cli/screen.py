"""``orbwatch screen``: close approaches over a window, all-vs-all or primaries-vs-all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.catalog import open_db, read_catalog_files
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.cli.scheduler import SchedulerOption, open_runner, parse_scheduler
from orbwatch.errors import UserError
from orbwatch.propagate import nearest_sets
from orbwatch.screen.assess import assess, encounter_cdm, event_row
from orbwatch.screen.cdm import write_cdm_kvn, write_cdm_xml
from orbwatch.screen.covariance import DEFAULT_MODEL, TleCovarianceModel
from orbwatch.screen.engine import DEFAULT_STEP_S, screen
from orbwatch.time import now_us, parse_iso

__all__ = ["screen_cmd"]


def _load_catalog(paths: list[str], mid_us: int):
    return nearest_sets(read_catalog_files(paths), mid_us), {}


def _load_store(db: str | None, mid_us: int, start_us: int):
    store = open_db(db)
    rows = {o["norad"]: o for o in store.objects()}
    sets = store.latest_sets(at_us=mid_us)
    if not sets:
        raise UserError("the database holds no element sets; run 'orbwatch ingest' first")
    start_day = parse_iso_date(start_us)
    alive = [s for s in sets if not (rows.get(s.norad, {}).get("decay_date") or "9999") <
             start_day]
    return alive, rows


def parse_iso_date(us: int) -> str:
    from orbwatch.time import format_iso

    return format_iso(us, 0)[:10]


@app.command("screen")
def screen_cmd(
    start: str | None = typer.Option(None, "--start", help="Window start, ISO 8601 UTC "
                                                          "[default: now]."),
    days: float = typer.Option(1.0, "--days", help="Window length in days."),
    threshold: float = typer.Option(5.0, "--threshold", help="Report approaches closer "
                                                             "than this (km)."),
    primary: list[int] | None = typer.Option(None, "--primary",
                                             help="Screen these catalogue numbers against "
                                                  "all (default: all vs all)."),
    catalog: list[str] | None = typer.Option(None, "--catalog",
                                             help="Screen these files instead of the "
                                                  "database."),
    step: float = typer.Option(DEFAULT_STEP_S, "--step", help="Sieve step (s)."),
    workers: int = typer.Option(0, "--workers", help="Processes (or local Dask workers) "
                                                     "[default: all cores]."),
    scheduler: str = SchedulerOption,
    covariance: str | None = typer.Option(None, "--covariance",
                                          help="TOML/JSON file of RTN sigmas per regime "
                                               "replacing the default TLE covariance model."),
    max_age_days: float = typer.Option(14.0, "--max-age-days",
                                       help="Flag element sets older than this at TCA."),
    cdm_dir: str | None = typer.Option(None, "--cdm-dir", help="Write one CDM per "
                                                               "conjunction into this folder."),
    cdm_format: str = typer.Option("kvn", "--cdm-format", help="kvn | xml"),
    cdm_frame: str = typer.Option("GCRF", "--cdm-frame", help="GCRF | EME2000"),
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json (events)"),
) -> None:
    """Every close approach in the window: TCA (UTC, ms), miss distance (km),
    relative speed (km/s), miss vector in the primary's RTN frame (km), and
    collision probability (2-D Pc and the maximum Pc over unknown covariance).
    Pairs that stay close (docked, formations) are one proximity event each."""
    try:
        start_us = parse_iso(start) if start else now_us()
    except ValueError as exc:
        raise UserError(f"--start: {exc}") from None
    if days <= 0 or threshold <= 0 or step <= 0:
        raise UserError("--days, --threshold and --step must be positive")
    if cdm_format not in ("kvn", "xml") or cdm_frame.upper() not in ("GCRF", "EME2000"):
        raise UserError("--cdm-format is kvn or xml; --cdm-frame is GCRF or EME2000")
    parse_scheduler(scheduler)  # a bad spec fails before the catalogue is read
    stop_us = start_us + int(days * 86_400e6)
    mid = (start_us + stop_us) // 2
    sets, rows = _load_catalog(catalog, mid) if catalog else _load_store(db, mid, start_us)
    if primary:
        missing = sorted(set(primary) - {s.norad for s in sets})
        if missing:
            raise UserError(f"primary object(s) not in the catalogue: "
                            f"{', '.join(map(str, missing))}")
    model = TleCovarianceModel.from_file(covariance) if covariance else DEFAULT_MODEL
    with Progress(TextColumn("screening {task.fields[n]} objects"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("screen", total=None, n=len(sets))

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            with open_runner(scheduler, workers or None) as runner:
                result = screen(sets, start_us, stop_us, threshold_km=threshold, step_s=step,
                                primaries=primary or None, workers=workers or None,
                                runner=runner, progress=tick)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    assessment = assess(result, sets, threshold_km=threshold, objects=rows, model=model,
                        max_age_days=max_age_days)
    stats = assessment.stats
    err_console.print(
        f"screened {stats['objects']} objects over {days:g} d at {threshold:g} km: "
        f"{len(result.encounters)} conjunctions, {len(result.proximities)} long proximities "
        f"({stats['candidates']} candidate intervals, {stats['seconds']:.1f} s, "
        f"{stats['workers']} worker(s))", highlight=False)
    if cdm_dir:
        out = Path(cdm_dir)
        out.mkdir(parents=True, exist_ok=True)
        for enc, ev in assessment.encounter_events:
            cdm = encounter_cdm(enc, ev, sets, ref_frame=cdm_frame.upper())
            text = write_cdm_kvn(cdm) if cdm_format == "kvn" else write_cdm_xml(cdm)
            (out / f"{ev.id}.{'cdm' if cdm_format == 'kvn' else 'xml'}").write_text(text)
        err_console.print(f"wrote {len(assessment.encounter_events)} CDMs to {out}",
                          highlight=False)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps([e.to_dict() for e in assessment.events], indent=2) + "\n")
        return
    rows_out = [event_row(e) for e in assessment.events]
    emit(rows_out, fmt, title="close approaches",
         columns=["kind", "tca", "primary", "primary_name", "secondary", "secondary_name",
                  "miss_km", "rel_speed_kms", "miss_r_km", "miss_t_km", "miss_n_km", "pc",
                  "pc_max"] if fmt is OutputFormat.table else None)
