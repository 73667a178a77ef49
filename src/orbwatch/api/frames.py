"""pandas tables of what orbwatch returns: events, findings, ephemerides,
fragment clouds.  Column names carry their units (``_km``, ``_kms``, ``_mps``,
``_deg``); times are timezone-aware UTC ``Timestamp`` values."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from orbwatch.events import Event
from orbwatch.propagate import Ephemeris

__all__ = ["events_frame", "findings_frame", "ephemeris_frame", "cloud_frame"]


def _utc(us) -> pd.Series | pd.Timestamp:
    arr = np.asarray(us, dtype="datetime64[us]")
    return pd.to_datetime(arr, utc=True)


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """One row per event (index: event id): kind, objects, epoch/start/end,
    confidence, then every metric and uncertainty as its own column
    (uncertainties prefixed ``sigma.``, scalar evidence such as the
    proximity label prefixed ``evidence.``)."""
    rows = []
    for e in events:
        row = {"id": e.id, "kind": e.kind, "objects": tuple(e.objects),
               "epoch": e.epoch_us, "start": e.start_us, "end": e.end_us,
               "confidence": e.confidence}
        for k, v in e.metrics.items():
            if not isinstance(v, dict | list):
                row[k] = v
        for k, v in e.uncertainty.items():
            if not isinstance(v, dict | list):
                row[f"sigma.{k}"] = v
        for k, v in e.evidence.items():
            if isinstance(v, str | int | float | bool):
                row[f"evidence.{k}"] = v
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=["kind", "objects", "epoch", "start", "end", "confidence"],
                            index=pd.Index([], name="id"))
    for col in ("epoch", "start", "end"):
        vals = df[col]
        df[col] = pd.to_datetime(np.array([np.datetime64("NaT") if v is None or pd.isna(v)
                                           else np.datetime64(int(v), "us") for v in vals],
                                          dtype="datetime64[us]"), utc=True)
    return df.set_index("id")


def findings_frame(findings: Iterable) -> pd.DataFrame:
    """One row per finding: verdict, rule, severity, parties, objects, epoch,
    notified, confidence, the events it rests on and its text."""
    cols = ["rule_id", "verdict", "severity", "parties", "affected", "objects", "epoch",
            "notified", "confidence", "events", "text"]
    rows = [{c: getattr(f, c) for c in cols} for f in findings]
    df = pd.DataFrame(rows, columns=cols)
    df["epoch"] = pd.to_datetime(df["epoch"], utc=True, format="ISO8601")
    return df


def ephemeris_frame(eph: Ephemeris) -> pd.DataFrame:
    """Long table of an :class:`~orbwatch.propagate.Ephemeris`: one row per
    (object, time) with x/y/z km and vx/vy/vz km/s in ``eph.frame`` (stated in
    the ``frame`` column) and the SGP4 error code; failed states are NaN."""
    n, t = eph.shape
    pos = eph.position.reshape(n * t, 3)
    vel = eph.velocity.reshape(n * t, 3)
    df = pd.DataFrame({
        "norad": np.repeat(eph.norad, t),
        "time": np.tile(_utc(eph.times_us), n),
        "x_km": pos[:, 0], "y_km": pos[:, 1], "z_km": pos[:, 2],
        "vx_kms": vel[:, 0], "vy_kms": vel[:, 1], "vz_kms": vel[:, 2],
        "error": eph.error.reshape(-1),
        "frame": eph.frame,
    })
    if eph.age_s is not None:
        df["set_age_s"] = eph.age_s.reshape(-1)
        df["stale"] = eph.stale.reshape(-1)
    return df


def cloud_frame(cloud) -> pd.DataFrame:
    """Fragments of a :class:`~orbwatch.debris.FragmentCloud`: characteristic
    length m, A/m m^2/kg, area m^2, mass kg, delta-v components and magnitude m/s."""
    dv = np.asarray(cloud.dv_kms) * 1000.0
    return pd.DataFrame({
        "lc_m": cloud.lc_m, "am_m2_kg": cloud.am_m2_kg, "area_m2": cloud.area_m2,
        "mass_kg": cloud.mass_kg, "dv_x_mps": dv[:, 0], "dv_y_mps": dv[:, 1],
        "dv_z_mps": dv[:, 2], "dv_mps": np.linalg.norm(dv, axis=1),
        "remnant": cloud.remnant,
    })
