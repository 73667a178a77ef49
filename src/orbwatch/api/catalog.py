"""A :class:`Catalog`: element-set histories and catalogue rows, as a user names them.

A catalogue is loaded from files (any format orbwatch reads: TLE/3LE, OMM
JSON/CSV/XML/KVN, keeptrack JSON, SATCAT files) or from a database built by
``orbwatch ingest``, and answers the questions an analyst starts with: which
objects, their element history as a table, where they are at given times.
Times are accepted as ISO 8601 text, :class:`datetime.datetime` (UTC),
``numpy.datetime64`` or integer microseconds since 1970 UTC.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from orbwatch.elements.model import ElementSet
from orbwatch.errors import UserError
from orbwatch.propagate import (
    Ephemeris,
    SatelliteBatch,
    ephemeris_to_frame,
    group_history,
    nearest_sets,
)
from orbwatch.time import format_iso, parse_iso, us_from_datetime64

__all__ = ["Catalog", "as_us", "FRAMES"]

#: frames :meth:`Catalog.propagate` can return
FRAMES = ("TEME", "GCRF", "ITRF")

_OBJECT_COLUMNS = ["norad", "name", "intldes", "owner", "object_type", "launch_date",
                   "decay_date", "rcs_size", "mass_kg", "element_sets", "latest_epoch"]


def as_us(t) -> int:
    """One time as integer microseconds since 1970 UTC (ISO text, datetime,
    numpy.datetime64 or an int already in microseconds)."""
    if isinstance(t, bool):
        raise TypeError("a time cannot be a bool")
    if isinstance(t, int | np.integer):
        return int(t)
    if isinstance(t, str):
        return parse_iso(t)
    if isinstance(t, datetime):
        if t.tzinfo is None:
            raise UserError(f"naive datetime {t!r}: give tzinfo=UTC (orbwatch times are UTC)")
        d = t.astimezone(UTC)
        return int(round(d.timestamp() * 1e6))
    if isinstance(t, np.datetime64):
        return int(us_from_datetime64(t))
    raise TypeError(f"expected ISO text, datetime, numpy.datetime64 or int microseconds, "
                    f"got {type(t).__name__}")


class Catalog:
    """Element-set histories of many objects plus their catalogue rows.

    ``sets`` are :class:`~orbwatch.elements.model.ElementSet` (any number per
    object, any order); ``objects`` maps catalogue numbers to catalogue rows
    (name, owner, object type...).  Build one with :meth:`from_files`,
    :meth:`from_store` or directly.
    """

    def __init__(self, sets: Iterable[ElementSet], objects: dict[int, dict] | None = None, *,
                 rejected: int = 0):
        by: dict[int, list[ElementSet]] = defaultdict(list)
        for s in sets:
            by[s.norad].append(s)
        self._by = {n: sorted(v, key=lambda s: s.epoch_us) for n, v in sorted(by.items())}
        self._objects = dict(objects or {})
        #: records the readers refused (counted, never kept)
        self.rejected = rejected

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_files(cls, *paths: str | os.PathLike) -> Catalog:
        """Read element-set files and SATCAT files (sniffed by content).
        Rejected records are counted in :attr:`rejected`, never silently kept."""
        from orbwatch.elements.readers import read_path
        from orbwatch.elements.satcat import merge_by_norad

        sets, rows, rejected = [], [], 0
        for p in paths:
            out = read_path(p, future_tolerance_days=None)
            rejected += len(out.errors)
            sets.extend(out.sets)
            rows.extend(out.catalog)
        if not sets:
            raise UserError("no element sets in " + ", ".join(map(str, paths)))
        objects = {n: {"norad": n, "name": r.name, "intldes": r.intldes, "owner": r.owner,
                       "object_type": r.object_type, "launch_date": r.launch_date,
                       "decay_date": r.decay_date, "rcs_size": r.rcs_size}
                   for n, r in merge_by_norad(rows).items()}
        return cls(sets, objects, rejected=rejected)

    @classmethod
    def from_store(cls, db: str | os.PathLike | None = None, *,
                   norads: Iterable[int] | None = None) -> Catalog:
        """Everything (or ``norads``) in an orbwatch database (path or URL)."""
        from orbwatch.store import open_store

        store = open_store(None if db is None else str(db), create=False)
        wanted = None if norads is None else list(norads)
        return cls(store.element_sets(wanted),
                   {o["norad"]: o for o in store.objects(norads=wanted)})

    # ----------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self._by)

    def __contains__(self, norad: int) -> bool:
        return int(norad) in self._by

    def __repr__(self) -> str:
        return f"Catalog({len(self)} objects, {self.n_sets} element sets)"

    @property
    def norads(self) -> list[int]:
        return list(self._by)

    @property
    def n_sets(self) -> int:
        return sum(len(v) for v in self._by.values())

    @property
    def sets(self) -> list[ElementSet]:
        """Every element set, by object then epoch."""
        return [s for v in self._by.values() for s in v]

    @property
    def objects(self) -> dict[int, dict]:
        """Catalogue rows by catalogue number; objects without a SATCAT row get
        one from their element sets' metadata."""
        out = {}
        for n, v in self._by.items():
            row = dict(self._objects.get(n, {}))
            row.setdefault("norad", n)
            last = v[-1]
            if not row.get("name"):
                row["name"] = last.name
            if not row.get("intldes"):
                row["intldes"] = last.intldes
            row["element_sets"] = len(v)
            row["latest_epoch"] = format_iso(last.epoch_us, 0)
            out[n] = row
        return out

    def history(self, norad: int) -> list[ElementSet]:
        """Element sets of one object, oldest first."""
        try:
            return list(self._by[int(norad)])
        except KeyError:
            raise UserError(f"object {norad} is not in this catalogue "
                            f"({len(self)} objects)") from None

    def at(self, t) -> list[ElementSet]:
        """One set per object: the one nearest in epoch to ``t``."""
        return nearest_sets(self.sets, as_us(t))

    def subset(self, norads: Iterable[int]) -> Catalog:
        keep = {int(n) for n in norads}
        return Catalog([s for n in keep & set(self._by) for s in self._by[n]],
                       {n: r for n, r in self._objects.items() if n in keep})

    # ----------------------------------------------------------------- tables
    def objects_frame(self) -> pd.DataFrame:
        """One row per object (index: norad)."""
        rows = list(self.objects.values())
        df = pd.DataFrame(rows, columns=[c for c in _OBJECT_COLUMNS
                                         if any(c in r for r in rows)] or None)
        return df.set_index("norad")

    def elements_frame(self, norad: int) -> pd.DataFrame:
        """Element history of one object: epoch (UTC) index; mean motion
        rev/day, eccentricity, angles deg, B* 1/earth-radii, and the derived
        semi-major axis, perigee and apogee heights (km)."""
        h = self.history(norad)
        df = pd.DataFrame({
            "epoch": pd.to_datetime(np.array([s.epoch_us for s in h], dtype="datetime64[us]"),
                                    utc=True),
            "mean_motion_rev_day": [s.mean_motion for s in h],
            "eccentricity": [s.eccentricity for s in h],
            "inclination_deg": [s.inclination for s in h],
            "raan_deg": [s.raan for s in h],
            "arg_perigee_deg": [s.arg_perigee for s in h],
            "mean_anomaly_deg": [s.mean_anomaly for s in h],
            "bstar": [s.bstar for s in h],
            "a_km": [s.semi_major_axis_km for s in h],
            "perigee_km": [s.perigee_km for s in h],
            "apogee_km": [s.apogee_km for s in h],
        })
        return df.set_index("epoch")

    # ------------------------------------------------------------- propagation
    def propagate(self, times: Sequence, *, frame: str = "TEME",
                  norads: Iterable[int] | None = None) -> Ephemeris:
        """States of (some) objects at ``times``, each from its element set
        nearest in epoch to each time (stale ones flagged, never dropped).
        ``frame``: TEME (SGP4's own), GCRF or ITRF; positions km, velocities km/s."""
        from orbwatch.propagate import propagate_history

        if frame not in FRAMES:
            raise UserError(f"frame must be one of {', '.join(FRAMES)}, not {frame!r}")
        t = np.array([as_us(x) for x in times], dtype=np.int64)
        sets = self.sets if norads is None else self.subset(norads).sets
        if not sets:
            raise UserError("none of the requested objects is in this catalogue")
        eph = propagate_history(*group_history(sets), t)
        return eph if frame == "TEME" else ephemeris_to_frame(eph, frame)

    def batch(self, t) -> SatelliteBatch:
        """The sets nearest ``t`` as one :class:`SatelliteBatch` (for custom loops)."""
        return SatelliteBatch.from_element_sets(self.at(t))
