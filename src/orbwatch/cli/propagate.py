"""``orbwatch propagate``: positions and velocities of stored objects over a window."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import numpy as np
import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.catalog import open_db
from orbwatch.cli.output import OutputFormat, emit
from orbwatch.errors import UserError
from orbwatch.propagate import (
    DEFAULT_MAX_AGE_S,
    ephemeris_to_frame,
    error_message,
    group_history,
    itrf_to_geodetic,
    propagate_history,
)
from orbwatch.time import format_iso, parse_iso

__all__ = ["propagate_cmd", "MAX_STATES"]

#: refuse requests larger than this many (object, time) states
MAX_STATES = 20_000_000


class Frame(StrEnum):
    teme = "teme"
    gcrf = "gcrf"
    itrf = "itrf"
    geodetic = "geodetic"


def _iso_arg(text: str, what: str) -> int:
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise UserError(f"{what}: {exc}") from None


@app.command("propagate")
def propagate_cmd(
    norads: list[int] = typer.Argument(..., help="Catalogue numbers."),
    start: str = typer.Option(..., "--start", help="First time, ISO 8601 UTC."),
    stop: str = typer.Option(..., "--stop", help="Last time, ISO 8601 UTC (inclusive)."),
    step: float = typer.Option(60.0, "--step", help="Step in seconds."),
    frame: Frame = typer.Option(Frame.teme, "--frame", help="teme | gcrf | itrf | geodetic"),
    max_age_days: float = typer.Option(DEFAULT_MAX_AGE_S / 86400, "--max-age-days",
                                       help="Flag states from sets older than this."),
    db: str | None = DbOption,
    fmt: OutputFormat = typer.Option(OutputFormat.csv, "--format", "-f",
                                     help="csv | json | table"),
) -> None:
    """SGP4 states from, for each time, the stored element set nearest in epoch.

    Positions in km, velocities in km/s, in the frame named in each row
    (geodetic: latitude/longitude in degrees, altitude in km above WGS84).
    States from sets older than --max-age-days are flagged ``stale``, not dropped.
    """
    t0, t1 = _iso_arg(start, "--start"), _iso_arg(stop, "--stop")
    if t1 < t0:
        raise UserError("--stop is before --start")
    if step <= 0:
        raise UserError("--step must be positive (seconds)")
    step_us = int(round(step * 1e6))
    times = np.arange(t0, t1 + 1, step_us, dtype=np.int64)
    if len(times) * len(norads) > MAX_STATES:
        raise UserError(f"{len(times) * len(norads):,} states requested; at most "
                        f"{MAX_STATES:,} per call (use a larger --step or fewer objects)")
    store = open_db(db)
    sets = store.element_sets(norads)
    found = {s.norad for s in sets}
    missing = [n for n in norads if n not in found]
    if missing:
        raise UserError(f"no element sets for {', '.join(map(str, missing))}; "
                        "ingest or fetch them first")
    sorted_sets, offsets = group_history(sets)
    eph = propagate_history(sorted_sets, offsets, times, max_age_s=max_age_days * 86400)
    set_epochs = np.array([s.epoch_us for s in sorted_sets], dtype=np.int64)
    if frame in (Frame.gcrf, Frame.itrf, Frame.geodetic):
        eph = ephemeris_to_frame(eph, "GCRF" if frame is Frame.gcrf else "ITRF")
    geo = itrf_to_geodetic(eph.position) if frame is Frame.geodetic else None
    rows = []
    for i, norad in enumerate(eph.norad):
        for j, t in enumerate(eph.times_us):
            row = {"norad": int(norad), "time": format_iso(int(t), 3)}
            if geo is not None:
                row.update(frame="WGS84", lat_deg=_f(geo.lat_deg[i, j]),
                           lon_deg=_f(geo.lon_deg[i, j]), alt_km=_f(geo.alt_km[i, j]))
            else:
                x, y, z = eph.position[i, j]
                vx, vy, vz = eph.velocity[i, j]
                row.update(frame=eph.frame, x_km=_f(x), y_km=_f(y), z_km=_f(z),
                           vx_kms=_f(vx), vy_kms=_f(vy), vz_kms=_f(vz))
            k = int(eph.set_index[i, j])
            row.update(set_epoch=format_iso(int(set_epochs[k]), 3),
                       set_age_days=round(float(eph.age_s[i, j]) / 86400, 4),
                       stale=bool(eph.stale[i, j]), error=int(eph.error[i, j]),
                       error_message=error_message(int(eph.error[i, j])))
            rows.append(row)
    if fmt is OutputFormat.json:
        doc = {"frame": "WGS84" if geo is not None else eph.frame,
               "units": {"position": "km", "velocity": "km/s", "angles": "deg"},
               "states": rows}
        sys.stdout.write(json.dumps(doc, indent=2, allow_nan=False) + "\n")
        return
    emit(rows, fmt, title=f"states ({rows[0]['frame'] if rows else frame})")


def _f(value) -> float | None:
    """A float for output; None where SGP4 gave no state (NaN)."""
    v = float(value)
    return v if np.isfinite(v) else None
