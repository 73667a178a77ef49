"""``orbwatch proximity``: pairs that stay close or approach repeatedly at low
relative speed (RPO), per orbit regime, and inspectors across a history."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.catalog import open_db, read_catalog_files
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.cli.scheduler import SchedulerOption, open_runner, parse_scheduler
from orbwatch.detect.inspector import detect_inspections, inspect_snapshots, median_epoch
from orbwatch.detect.proximity import DEFAULT_THRESHOLDS_KM, REGIMES, detect_proximity
from orbwatch.errors import UserError
from orbwatch.time import format_iso, now_us, parse_iso

__all__ = ["proximity_cmd", "load_catalog_files", "event_rows"]


def load_catalog_files(paths: list[str], satcat: list[str] | None):
    """Element sets of every file (all kept: several snapshots are a history) and
    catalogue rows from the ``--satcat`` files."""
    return read_catalog_files(paths), satcat_rows(satcat)


def satcat_rows(satcat: list[str] | None) -> dict[int, dict]:
    """Catalogue rows (name, owner, object type, designator) of the ``--satcat`` files."""
    from orbwatch.elements.satcat import merge_by_norad, read_satcat

    records = []
    for p in satcat or []:
        try:
            records.extend(read_satcat(p).records)
        except OSError as exc:
            raise UserError(f"--satcat {p}: {exc.strerror or exc}") from None
    return {n: {"name": r.name, "owner": r.owner, "object_type": r.object_type,
                "intldes": r.intldes} for n, r in merge_by_norad(records).items()}


def event_rows(events) -> list[dict]:
    """Flat rows (table/CSV) of proximity and inspection events."""
    out = []
    for ev in events:
        m, e = ev.metrics, ev.evidence
        names = e.get("names") or [e.get("inspector", {}).get("name")]
        owners = e.get("owners") or [e.get("inspector", {}).get("owner")]
        out.append({
            "kind": ev.kind, "label": e.get("label") or
            ("inspection (roving)" if e.get("assessment") == "roving inspector"
             else "inspection (candidate)"),
            "subject": ev.objects[0], "subject_name": names[0], "subject_owner": owners[0],
            "other": ",".join(map(str, ev.objects[1:])),
            "other_name": names[1] if len(names) > 1 else
            ",".join(str(t.get("name")) for t in e.get("targets", [])),
            "other_owner": owners[1] if len(owners) > 1 else None,
            "start": format_iso(ev.start_us, 0), "end": format_iso(ev.end_us, 0),
            "closest": format_iso(ev.epoch_us, 0),
            "min_range_km": round(m.get("min_range_km", float("nan")), 3),
            "min_range_sigma_km": ev.uncertainty.get("min_range_km"),
            "rel_speed_kms": _r(m.get("rel_speed_kms")),
            "coplanarity_deg": _r(m.get("coplanarity_deg")),
            "drift_km_per_day": _r(m.get("drift_km_per_day")),
            "duration_s": m.get("duration_s"),
        })
    return out


def _r(x):
    return None if x is None else round(x, 4)


@app.command("proximity")
def proximity_cmd(
    start: str | None = typer.Option(None, "--start", help="Window start, ISO 8601 UTC "
                                                          "[default: now]."),
    days: float = typer.Option(1.0, "--days", help="Window length in days."),
    at: str | None = typer.Option(None, "--at", help="An instant: the window of --days "
                                                     "centred on it."),
    threshold: float | None = typer.Option(None, "--threshold",
                                           help="One threshold (km) for every regime "
                                                "[default: LEO 50, MEO 100, HEO 50, GEO 300]."),
    regime: str = typer.Option("all", "--regime", help="leo | meo | heo | geo | all"),
    catalog: list[str] | None = typer.Option(None, "--catalog",
                                             help="Element-set files instead of the database "
                                                  "(several snapshots form a history)."),
    satcat: list[str] | None = typer.Option(None, "--satcat",
                                            help="SATCAT / objects-in-orbit files giving "
                                                 "owners with --catalog."),
    segment_hours: float = typer.Option(24.0, "--segment-hours",
                                        help="Element sets are re-chosen (nearest in epoch) "
                                             "per segment of this length."),
    per_file: bool = typer.Option(False, "--per-file",
                                  help="Each --catalog file is one snapshot: a window of "
                                       "--days centred on its median epoch (its own sets "
                                       "only); inspectors across the snapshots."),
    inspections: bool = typer.Option(True, "--inspections/--no-inspections",
                                     help="Also report inspectors (sequences of targets)."),
    workers: int = typer.Option(1, "--workers", help="Processes per screening (local Dask "
                                                     "workers with --scheduler local)."),
    scheduler: str = SchedulerOption,
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json (events)"),
    figures: str | None = typer.Option(None, "--figures", metavar="DIR",
                                       help="Write a range-against-time PNG per pair and a "
                                            "stops (and longitude) PNG per inspection here."),
) -> None:
    """Proximity operations: pairs that stay within a regime's threshold or approach
    repeatedly at low relative speed, labelled (docked, formation, constellation
    neighbours, same-owner cluster, foreign approach, ...), with the object that
    manoeuvred first; and inspectors that visit several objects in turn."""
    if at and start:
        raise UserError("give either --start/--days or --at, not both")
    try:
        if at:  # a window of --days centred there
            mid = parse_iso(at)
            half = int(days * 43_200e6)
            start_us, stop_us = mid - half, mid + half
        else:
            start_us = parse_iso(start) if start else now_us()
            stop_us = start_us + int(days * 86_400e6)
    except ValueError as exc:
        raise UserError(f"--start/--at: {exc}") from None
    if days <= 0 or segment_hours <= 0 or (threshold is not None and threshold <= 0):
        raise UserError("--days, --threshold and --segment-hours must be positive")
    parse_scheduler(scheduler)
    folder = _figure_folder(figures)
    regimes = list(REGIMES) if regime.lower() == "all" else [regime.lower()]
    if regimes[0] not in REGIMES:
        raise UserError(f"--regime: expected {', '.join(REGIMES)} or all, found {regime!r}")
    thresholds = {g: threshold for g in REGIMES} if threshold else dict(DEFAULT_THRESHOLDS_KM)
    if per_file:
        if not catalog:
            raise UserError("--per-file needs --catalog files (one snapshot each)")
        if start or at:
            raise UserError("--per-file screens each file around its own median epoch; "
                            "--start and --at do not apply")
        rows = satcat_rows(satcat)
        snaps = [read_catalog_files([p]) for p in catalog]
        with open_runner(scheduler, workers) as runner:
            events, found = inspect_snapshots(
                snaps, days=days, regimes=regimes, thresholds_km=thresholds, objects=rows,
                segment_s=segment_hours * 3600.0, workers=workers, runner=runner)
        found = found if inspections else []
        _emit([*events, *found], len(events), fmt)
        if folder:
            _write_figures(folder, [], [*events, *found], snapshots=snaps)
        return
    if catalog:
        sets, rows = load_catalog_files(catalog, satcat)
    else:
        store = open_db(db)
        rows = {o["norad"]: o for o in store.objects()}
        sets = store.element_sets(start_us=start_us - 30 * 86_400_000_000,
                                  stop_us=stop_us + 30 * 86_400_000_000)
        if not sets:
            raise UserError("the database holds no element sets within 30 days of the "
                            "window; run 'orbwatch ingest' first")
    with open_runner(scheduler, workers) as runner:
        report = detect_proximity(sets, start_us, stop_us, regimes=regimes,
                                  thresholds_km=thresholds, objects=rows,
                                  segment_s=segment_hours * 3600.0, workers=workers,
                                  runner=runner)
    events = list(report.events)
    if inspections:
        events += detect_inspections(report.events)
    _emit(events, len(report.events), fmt, _per_regime(report.stats["objects"]))
    if folder:
        _write_figures(folder, sets, events)


def _per_regime(objects) -> str:
    """'5 LEO, 40 GEO objects, ' from the detector's count per regime."""
    if not isinstance(objects, dict):
        return f"{objects} objects, "
    return ", ".join(f"{n} {g.upper()}" for g, n in objects.items()) + " objects, "


def _figure_folder(figures: str | None) -> Path | None:
    if not figures:
        return None
    folder = Path(figures)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--figures {figures}: not a folder")
    return folder


def _write_figures(folder: Path, sets, events, snapshots=None) -> None:
    """``{a}_{b}_{start}_range.png`` per pair event (range against time, the manoeuvre
    that made the approach shaded; ``start`` the pair's first time in range, as
    ``YYYY-MM-DDTHHMM``, with ``_2``, ``_3`` ... where two events would share a name)
    and ``{x}_inspection.png`` per inspection.  With ``snapshots`` (``--per-file``)
    each pair is drawn from the snapshot whose median epoch is nearest its own, the
    sets it was found in."""
    from orbwatch.report.pairs import inspection_png, range_png

    folder.mkdir(parents=True, exist_ok=True)
    mids = [] if not snapshots else [(median_epoch(s), s) for s in snapshots if s]
    written: set[str] = set()
    for ev in events:
        if ev.kind == "proximity":
            a, b = ev.objects[:2]
            stem, what = f"{a}_{b}_{format_iso(ev.start_us, 0)[:16].replace(':', '')}", "range"
        elif ev.kind == "inspection":
            stem, what = f"{ev.objects[0]}", "inspection"
        else:
            continue
        name, k = f"{stem}_{what}.png", 1
        while name in written:
            k += 1
            name = f"{stem}_{k}_{what}.png"
        if ev.kind == "proximity":
            own = min(mids, key=lambda m: abs(m[0] - ev.epoch_us))[1] if mids else sets
            range_png(own, ev, folder / name)
        else:
            inspection_png(ev, folder / name)
        written.add(name)
    err_console.print(f"proximity: {len(written)} figure(s) in {folder}", highlight=False,
                      markup=False)

def _emit(events, pairs: int, fmt: OutputFormat, objects: str = "") -> None:
    err_console.print(f"proximity: {objects}{pairs} pairs, "
                      f"{sum(e.kind == 'inspection' for e in events)} inspections",
                      highlight=False, markup=False)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps([e.to_dict() for e in events], indent=2) + "\n")
        return
    emit(event_rows(events), fmt, title="proximity operations")
