"""``orbwatch pc``: recompute the collision probability of CCSDS CDMs."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit
from orbwatch.errors import UserError
from orbwatch.screen.cdm import pc_from_cdm, read_cdm
from orbwatch.screen.pc import SHAPES
from orbwatch.time import format_iso

__all__ = ["pc_cmd", "COLUMNS"]

COLUMNS = ("file", "tca", "miss_m", "relative_speed_m_s", "pc", "pc_stated", "hbr_m",
           "hbr_source", "method", "remediated", "notes")


def _table_hbr(cdm, db: str | None, path: str) -> tuple[float, str]:
    """Both objects' hard-body radii from the database, summed."""
    from orbwatch.screen.hbr import hbr_with_source
    from orbwatch.store.db import Store, default_db_path

    try:
        norads = [int(o.designator) for o in cdm.objects]
    except (TypeError, ValueError):
        raise UserError(f"{path}: no COMMENT HBR line and the object designators are not "
                        "catalogue numbers; pass --hbr METRES") from None
    location = db or default_db_path()
    if "://" not in location and not Path(location).exists():
        raise UserError(f"{path}: no COMMENT HBR line and no database at {location} "
                        "to look the radii up; pass --hbr METRES or --db PATH")
    rows = {o["norad"]: o for o in Store(location, create=False).objects(norads=norads)}
    radii, sources = hbr_with_source([rows.get(n, {"norad": n}) for n in norads])
    return float(radii.sum()), "table:" + "+".join(sources)


def _finite(x):
    return x if x is None or math.isfinite(x) else None


@app.command("pc")
def pc_cmd(
    cdms: list[str] = typer.Argument(..., help="CDM files (CCSDS 508.0-B-1, KVN or XML)."),
    hbr: float | None = typer.Option(None, "--hbr", min=0.0,
                                     help="Combined hard-body radius in metres "
                                          "[default: the CDM's 'COMMENT HBR' line]."),
    shape: str = typer.Option("circle", "--shape",
                              help="Hard-body region: circle | square | squareEquArea."),
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json"),
) -> None:
    """Foster 2D Pc recomputed from each CDM's states and covariances.

    Hard-body radius: --hbr, else the CDM's ``COMMENT HBR`` line, else the sum
    of both objects' radii from the database (CARA's table when ingested, else
    by size class or object type).

    The Pc stated in the file is shown beside it for comparison, never used.
    Distances in metres, speeds in m/s.
    """
    if shape.lower() not in {s.lower() for s in SHAPES}:
        raise UserError(f"--shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    rows = []
    for path in cdms:
        cdm = read_cdm(path)
        use, source = hbr, "option"
        if use is None:
            use, source = (cdm.hbr_m, "cdm-comment") if cdm.hbr_m is not None else \
                _table_hbr(cdm, db, path)
        res = pc_from_cdm(cdm, use, shape=shape)
        rows.append({
            "file": Path(path).name if fmt is OutputFormat.table else path,
            "tca": format_iso(cdm.tca_us, 3),
            "miss_m": _finite(res.miss_m),
            "relative_speed_m_s": _finite(res.relative_speed_m_s),
            "pc": _finite(res.pc),
            "pc_stated": cdm.collision_probability,
            "hbr_m": res.hbr_m,
            "hbr_source": source,
            "method": res.method,
            "remediated": res.remediated,
            "notes": "; ".join(res.notes),
        })
    emit(rows, fmt, columns=COLUMNS, title="Collision probability (2D, Foster)")
