"""``orbwatch pc``: recompute the collision probability of CCSDS CDMs."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from orbwatch.cli.app import app
from orbwatch.cli.output import OutputFormat, emit
from orbwatch.errors import UserError
from orbwatch.screen.cdm import pc_from_cdm, read_cdm
from orbwatch.screen.pc import SHAPES
from orbwatch.time import format_iso

__all__ = ["pc_cmd", "COLUMNS"]

COLUMNS = ("file", "tca", "miss_m", "relative_speed_m_s", "pc", "pc_stated", "hbr_m",
           "hbr_source", "method", "remediated", "notes")


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
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json"),
) -> None:
    """Foster 2D Pc recomputed from each CDM's states and covariances.

    The Pc stated in the file is shown beside it for comparison, never used.
    Distances in metres, speeds in m/s.
    """
    if shape.lower() not in {s.lower() for s in SHAPES}:
        raise UserError(f"--shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    rows = []
    for path in cdms:
        cdm = read_cdm(path)
        res = pc_from_cdm(cdm, hbr, shape=shape)
        rows.append({
            "file": Path(path).name if fmt is OutputFormat.table else path,
            "tca": format_iso(cdm.tca_us, 3),
            "miss_m": _finite(res.miss_m),
            "relative_speed_m_s": _finite(res.relative_speed_m_s),
            "pc": _finite(res.pc),
            "pc_stated": cdm.collision_probability,
            "hbr_m": res.hbr_m,
            "hbr_source": "option" if hbr is not None else "cdm-comment",
            "method": res.method,
            "remediated": res.remediated,
            "notes": "; ".join(res.notes),
        })
    emit(rows, fmt, columns=COLUMNS, title="Collision probability (2D, Foster)")
