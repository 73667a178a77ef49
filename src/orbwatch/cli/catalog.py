"""Catalogue commands: ingest, objects, history, doctor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.errors import UserError
from orbwatch.store.db import Store, default_db_path
from orbwatch.store.ingest import expand_paths, ingest_bytes, ingest_path

__all__ = ["ingest", "objects_cmd", "history", "doctor", "open_db", "read_catalog_files",
           "load_sets"]

FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="Output format.")


def open_db(db: str | None, *, create: bool = False) -> Store:
    return Store(db or default_db_path(), create=create)


def read_catalog_files(paths: list[str], option: str = "--catalog") -> list:
    """Element sets of the files a command was given with ``--catalog``;
    rejected records are summarised on stderr, unreadable files are a user error."""
    from orbwatch.elements.readers import read_path

    sets = []
    for p in paths:
        out = read_path(p, future_tolerance_days=None)  # a missing file is a ParseError
        if out.errors:
            err_console.print(f"{p}: {len(out.errors)} records rejected (first: "
                              f"{out.errors[0].headline()})", highlight=False, markup=False)
        sets.extend(out.sets)
    if not sets:
        raise UserError(f"no element sets in the {option} files")
    return sets


def load_sets(catalog: list[str] | None, db: str | None) -> list:
    """Every element set of the ``--catalog`` files, else of the database."""
    if catalog:
        return read_catalog_files(catalog)
    sets = open_db(db).element_sets()
    if not sets:
        raise UserError("the database holds no element sets; run 'orbwatch ingest' or "
                        "give --catalog")
    return sets


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files or folders (gzip read transparently; "
                                                "'-' reads standard input)."),
    db: str | None = DbOption,
    strict: bool = typer.Option(False, "--strict",
                                help="Commit nothing from a file with any rejected record."),
    no_checksum: bool = typer.Option(False, "--no-checksum",
                                     help="Accept TLE lines whose checksum does not match."),
    input_format: str = typer.Option("auto", "--input-format",
                                     help="auto | tle | omm-json | omm-csv | omm-xml | "
                                          "omm-kvn | keeptrack-json | satcat"),
    future_days: float = typer.Option(30.0, "--future-days",
                                      help="Refuse epochs later than now + this many days."),
    show_errors: int = typer.Option(5, "--show-errors",
                                    help="Print the first N rejected records of each file."),
    fmt: OutputFormat = FormatOpt,
) -> None:
    """Ingest element sets (TLE, OMM) and catalogue records (SATCAT) into the database.

    Each file is one transaction.  Prints per-file counts: added, already
    present, rejected by reason.  Exits 1 when nothing could be read.
    """
    store = open_db(db, create=True)
    files = list(expand_paths(p for p in paths if p != "-"))
    reports = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True,
                  disable=not err_console.is_terminal) as progress:
        task = progress.add_task("ingesting", total=len(files) + ("-" in paths))
        if "-" in paths:
            reports.append(ingest_bytes(store, sys.stdin.buffer.read(), source="stdin",
                                        strict=strict, verify_checksum=not no_checksum,
                                        fmt=input_format, future_tolerance_days=future_days))
            progress.advance(task)
        for f in files:
            progress.update(task, description=f"ingesting {f.name}")
            rep = ingest_path(store, f, strict=strict, verify_checksum=not no_checksum,
                              fmt=input_format, future_tolerance_days=future_days)
            reports.append(rep)
            if rep.committed:  # acknowledged: durable from here on
                sys.stderr.write(f"committed {f} ({rep.added} added, {rep.present} present, "
                                 f"{rep.rejected} rejected)\n")
                sys.stderr.flush()
            progress.advance(task)
    for rep in reports:
        for e in rep.errors[:show_errors]:
            sys.stderr.write(f"rejected: {type(e).__name__}: {e}\n")
        if len(rep.errors) > show_errors:
            sys.stderr.write(f"... {len(rep.errors) - show_errors} more rejected in "
                             f"{rep.source}\n")
        if rep.errors and not rep.committed and strict:
            sys.stderr.write(f"--strict: nothing written from {rep.source}\n")
    rows = [{"source": r.source.rsplit("/", 1)[-1] if fmt is OutputFormat.table else r.source, "format": r.format, "records": r.records, "added": r.added,
             "present": r.present, "updated": r.updated, "rejected": r.rejected,
             "reasons": ", ".join(f"{k}={v}" for k, v in sorted(r.rejects.items())),
             "committed": r.committed} for r in reports]
    emit(rows, fmt, title="ingest", document=[r.to_dict() for r in reports])
    if not any(r.committed and (r.added or r.present or r.updated) for r in reports):
        raise UserError("nothing could be read from the input"
                        + ("" if reports else ": no files given"))
    if strict and any(not r.committed for r in reports):
        raise typer.Exit(1)


@app.command("objects")
def objects_cmd(
    db: str | None = DbOption,
    name: str | None = typer.Option(None, "--name", help="Substring of the name."),
    owner: str | None = typer.Option(None, "--owner", help="Owner/country code, e.g. US, CIS."),
    object_type: str | None = typer.Option(None, "--type",
                                           help="payload | rocket body | debris | unknown"),
    norad: list[int] | None = typer.Option(None, "--norad", help="Catalogue numbers."),
    limit: int | None = typer.Option(None, "--limit", help="At most N rows."),
    fmt: OutputFormat = FormatOpt,
) -> None:
    """List catalogued objects with their newest element-set epoch."""
    rows = open_db(db).objects(norads=norad or None, name=name, owner=owner,
                               object_type=object_type, limit=limit)
    emit(rows, fmt, title="objects", columns=["norad", "name", "intldes", "owner",
                                              "object_type", "element_sets", "latest_epoch"]
         if fmt is OutputFormat.table else None)


@app.command()
def history(
    norad: int = typer.Argument(..., help="Catalogue number."),
    db: str | None = DbOption,
    fmt: OutputFormat = FormatOpt,
) -> None:
    """Every stored element set of one object, oldest first (epochs UTC, angles deg,
    mean motion rev/day)."""
    from orbwatch.elements.model import ElementSet  # noqa: F401

    sets = open_db(db).history(norad)
    if not sets:
        raise UserError(f"no element sets for {norad}; check 'orbwatch objects --norad {norad}'")
    rows = []
    for s in sets:
        rows.append({"norad": s.norad, "epoch": s.epoch_iso, "mean_motion": s.mean_motion,
                     "eccentricity": s.eccentricity, "inclination": s.inclination,
                     "raan": s.raan, "arg_perigee": s.arg_perigee,
                     "mean_anomaly": s.mean_anomaly, "bstar": s.bstar,
                     "perigee_km": round(s.perigee_km, 3), "apogee_km": round(s.apogee_km, 3),
                     "source": s.source, "format": s.format})
    emit(rows, fmt, title=f"history of {norad}",
         columns=["epoch", "mean_motion", "eccentricity", "inclination", "raan",
                  "perigee_km", "apogee_km", "source"] if fmt is OutputFormat.table else None)


@app.command()
def doctor(db: str | None = DbOption, fmt: OutputFormat = FormatOpt) -> None:
    """Versions, database location and counts, data freshness."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    info: dict = {"python": platform.python_version()}
    for pkg in ("orbwatch", "sgp4", "skyfield", "numpy", "scipy", "SQLAlchemy", "typer",
                "rich", "httpx"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    try:
        from sgp4.api import accelerated

        info["sgp4_accelerated"] = bool(accelerated)
    except ImportError:
        info["sgp4_accelerated"] = False
    location = db or default_db_path()
    info["database"] = location
    exists = "://" in location or Path(location).exists()
    info["database_exists"] = exists
    if exists:
        store = open_db(location)
        info.update(store.counts())
        info["integrity"] = store.integrity_check()
        if info.get("last_epoch"):
            from orbwatch.time import now_us, parse_iso

            age = (now_us() - parse_iso(info["last_epoch"])) / 86_400e6
            info["newest_epoch_age_days"] = round(age, 2)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
        return
    emit([{"item": k, "value": v} for k, v in info.items()], fmt, title="orbwatch doctor")
