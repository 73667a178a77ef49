"""``orbwatch origin`` and ``orbwatch breakup``: where a new object came from;
when and where a breakup happened."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.catalog import load_sets
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.errors import UserError

__all__ = ["origin_cmd", "breakup_cmd"]

FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table | csv | json")


@app.command("origin")
def origin_cmd(
    norad: int = typer.Argument(..., help="Catalogue number of the new object."),
    catalog: list[str] | None = typer.Option(None, "--catalog", help="Element-set files "
                                             "instead of the database."),
    candidates: list[int] | None = typer.Option(None, "--candidates",
                                                help="Only these candidate parents."),
    search_days: float = typer.Option(30.0, "--search-days", help="Closest-approach search "
                                      "window before the child's first set (days)."),
    db: str | None = DbOption,
    fmt: OutputFormat = FormatOpt,
) -> None:
    """Rank candidate parents and date, place and size the separation."""
    from orbwatch.forensics.origin import find_origin

    sets = load_sets(catalog, db)
    child = [s for s in sets if s.norad == norad]
    if not child:
        raise UserError(f"object {norad} has no element sets in the catalogue")
    result = find_origin(child, sets, candidates=candidates or None, search_days=search_days)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    rows = [c.to_dict() for c in result.candidates]
    emit(rows, fmt, title=f"origin of {norad}",
         columns=["parent", "name", "same_launch", "method", "epoch", "sigma_s", "lat_deg",
                  "lon_deg", "alt_km", "dv_kms", "min_distance_km"]
         if fmt is OutputFormat.table else None)
    if result.best is not None:
        err_console.print(f"best parent {result.best.parent}: {result.best.why}",
                          highlight=False, markup=False)


@app.command("breakup")
def breakup_cmd(
    intdes: str | None = typer.Option(None, "--intdes", help="Launch (YYYY-NNN): its pieces "
                                      "are the fragments."),
    norad: list[int] | None = typer.Option(None, "--norad", help="Fragment catalogue numbers."),
    parent: int | None = typer.Option(None, "--parent", help="Parent catalogue number "
                                      "(its set before the event)."),
    catalog: list[str] | None = typer.Option(None, "--catalog", help="Element-set files "
                                             "instead of the database."),
    figures: str | None = typer.Option(None, "--figures", help="Write Gabbard and spread "
                                       "PNGs into this folder."),
    db: str | None = DbOption,
    fmt: OutputFormat = FormatOpt,
) -> None:
    """Date and locate a breakup from its debris; delta-v and kind."""
    from orbwatch.forensics.breakup import estimate_breakup, select_cloud

    if not intdes and not norad:
        raise UserError("give --intdes YYYY-NNN or --norad N...")
    sets = load_sets(catalog, db)
    frags, par = select_cloud(sets, intdes=intdes or None,
                              norads=None if intdes else norad, parent=parent)
    result = estimate_breakup(frags, parent=par)
    if figures:
        from orbwatch.forensics.figures import gabbard_png, spread_png

        out = Path(figures)
        out.mkdir(parents=True, exist_ok=True)
        gabbard_png(frags, out / "gabbard.png", parent=par)
        spread_png(result, out / "spread.png")
        err_console.print(f"wrote {out / 'gabbard.png'} and {out / 'spread.png'}",
                          highlight=False, markup=False)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    d = result.to_dict()
    row = {"epoch": d["epoch"], "sigma_s": result.sigma_s, "method": result.method,
           "lat_deg": result.lat_deg, "lon_deg": result.lon_deg, "alt_km": result.alt_km,
           "fragments": len(result.fragments), "dv_median_kms":
           result.delta_v["dv_median_kms"], "classification": result.classification}
    emit([row], fmt, title="breakup")
    err_console.print(result.why, highlight=False, markup=False)
