"""The orbwatch database: open it, write a batch atomically, read history back.

Durability (SQLite, the default): the file runs in WAL journal mode with
``synchronous=FULL``, so a transaction is on disk when ``commit`` returns;
a killed process or a power cut loses at most the batch being written,
never one that was acknowledged.  Each input file is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import bindparam, create_engine, event, func, select, text
from sqlalchemy.engine import Connection, Engine

from orbwatch.elements.model import ElementSet
from orbwatch.errors import StoreError
from orbwatch.store.catalog import refresh_objects, write_catalog_records
from orbwatch.store.engine import database_url, sqlite_pragmas
from orbwatch.store.schema import (
    ELEMENT_COLUMNS,
    OBJECT_COLUMNS,
    SCHEMA_VERSION,
    catalog_records,
    element_sets,
    ingest_batches,
    meta,
    metadata,
    objects,
)
from orbwatch.time import format_iso, now_us

__all__ = ["Store", "BatchReport", "default_db_path", "open_store"]

_CHUNK = 500  # keys per IN (...) query; stays under SQLite's variable limit


def default_db_path() -> str:
    """``$ORBWATCH_DB`` if set, else ``orbwatch.db`` in the working directory."""
    return os.environ.get("ORBWATCH_DB") or "orbwatch.db"


@dataclass
class BatchReport:
    """What one ingest transaction did."""

    source: str
    format: str = ""
    records: int = 0
    added: int = 0
    present: int = 0
    rejected: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    updated: int = 0  # catalogue records that changed a known object
    objects_added: int = 0
    objects_updated: int = 0
    batch_id: int | None = None
    committed: bool = False
    errors: list = field(default_factory=list)  # ParseError instances (not stored)

    def to_dict(self) -> dict:
        return {
            "source": self.source, "format": self.format, "records": self.records,
            "added": self.added, "present": self.present, "updated": self.updated,
            "rejected": self.rejected,
            "rejects": dict(self.rejects), "objects_added": self.objects_added,
            "objects_updated": self.objects_updated, "batch_id": self.batch_id,
            "committed": self.committed,
        }


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    sqlite_pragmas(dbapi_conn, foreign_keys=True)


class Store:
    """An orbwatch database (SQLite file path or SQLAlchemy URL)."""

    def __init__(self, db: str | os.PathLike | None = None, *, create: bool = True) -> None:
        self.location = str(db if db is not None else default_db_path())
        url = database_url(self.location)
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite and not create:
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                raise StoreError(f"no database at {path}; run 'orbwatch ingest' first "
                                 "or pass --db PATH")
        try:
            self.engine: Engine = create_engine(url, future=True)
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot open database {self.location!r}: {exc}") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
                conn.execute(self._upsert(meta, {"key": "schema_version",
                                                 "value": str(SCHEMA_VERSION)}, ["key"]))
        except Exception as exc:
            raise StoreError(f"cannot open database {self.location!r}: {exc}") from None

    # ----- helpers ---------------------------------------------------------
    def _insert(self, table):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def _upsert(self, table, values: dict, keys: list[str]):
        stmt = self._insert(table).values(**values)
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={k: v for k, v in values.items() if k not in keys})

    def get_meta(self, key: str) -> str | None:
        """A value of the database's key/value ``meta`` table (None if unset)."""
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the ``meta`` table (one transaction)."""
        with self.engine.begin() as conn:
            conn.execute(self._upsert(meta, {"key": key, "value": value}, ["key"]))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----- writing ---------------------------------------------------------
    def write_batch(
        self,
        sets: Sequence[ElementSet],
        *,
        source: str,
        fmt: str = "",
        content_sha256: str | None = None,
        rejects: Sequence = (),
        records: int | None = None,
        catalog: Sequence = (),
        strict: bool = False,
    ) -> BatchReport:
        """Write one batch (one input file) in one transaction.

        ``sets`` are validated element sets, ``rejects`` the parse errors of
        the same input and ``catalog`` SATCAT-like records (objects with
        ``norad`` and catalogue fields).  With ``strict`` a batch with any
        reject writes nothing and is reported uncommitted.
        """
        report = BatchReport(source=source, format=fmt, rejected=len(rejects),
                             records=records if records is not None
                             else len(sets) + len(rejects) + len(catalog))
        for err in rejects:
            report.rejects[err.reason] = report.rejects.get(err.reason, 0) + 1
        report.errors = list(rejects)
        if strict and rejects:
            return report
        if not sets and not catalog:  # nothing valid: leave no trace
            return report
        started = format_iso(now_us(), 0)
        try:
            with self.engine.begin() as conn:
                batch_id = conn.execute(
                    ingest_batches.insert().values(
                        started_at=started, source=source, content_sha256=content_sha256,
                        format=fmt, status="writing")
                ).inserted_primary_key[0]
                report.batch_id = batch_id
                self._write_sets(conn, sets, batch_id, report)
                self._write_catalog(conn, catalog, report)
                conn.execute(
                    ingest_batches.update().where(ingest_batches.c.id == batch_id).values(
                        finished_at=format_iso(now_us(), 0), records=report.records,
                        added=report.added, present=report.present,
                        rejected=report.rejected,
                        rejects_json=json.dumps(report.rejects, sort_keys=True),
                        status="committed"))
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"writing batch from {source} failed, nothing was written: "
                             f"{exc}") from None
        report.committed = True
        return report

    def _existing_keys(self, conn: Connection, keys: list[str]) -> set[str]:
        found: set[str] = set()
        col = element_sets.c.key
        for i in range(0, len(keys), _CHUNK):
            found.update(conn.execute(select(col).where(col.in_(keys[i:i + _CHUNK]))).scalars())
        return found

    def _write_sets(self, conn: Connection, sets: Sequence[ElementSet], batch_id: int,
                    report: BatchReport) -> None:
        if not sets:
            return
        rows: dict[str, dict] = {}
        for es in sets:
            k = es.key()
            if k in rows:
                report.present += 1
                continue
            row = {c: getattr(es, c) for c in ELEMENT_COLUMNS}
            row["key"] = k
            row["batch_id"] = batch_id
            rows[k] = row
        existing = self._existing_keys(conn, list(rows))
        new_rows = [r for k, r in rows.items() if k not in existing]
        report.present += len(existing)
        report.added += len(new_rows)
        if new_rows:
            conn.execute(self._insert(element_sets).on_conflict_do_nothing(
                index_elements=["key"]), new_rows)
        # objects: one row per catalogue number; the name follows the newest set
        newest: dict[int, ElementSet] = {}
        for es in sets:
            cur = newest.get(es.norad)
            if cur is None or (es.epoch_us, es.name or "") > (cur.epoch_us, cur.name or ""):
                newest[es.norad] = es
        self._apply_set_names(conn, newest, report)
        # catalogue metadata carried by the sets (keeptrack, Space-Track OMM)
        meta_rows = []
        for norad, es in newest.items():
            ex = es.extra or {}
            row = {"norad": norad, "kind": "element-metadata", "name": None,
                   "intldes": es.intldes, "owner": ex.get("country"),
                   "object_type": ex.get("object_type"), "launch_date": ex.get("launch_date"),
                   "decay_date": ex.get("decay_date"),
                   "launch_site": ex.get("launch_site") or ex.get("site"),
                   "rcs_size": ex.get("rcs_size"), "rcs_m2": None, "hbr_m": None,
                   "mass_kg": None}
            if any(row[k] for k in ("owner", "object_type", "launch_date", "decay_date")):
                meta_rows.append(row)
        if meta_rows:
            write_catalog_records(conn, meta_rows, origin=report.source,
                                  batch_id=report.batch_id)
            refresh_objects(conn, [r["norad"] for r in meta_rows])

    def _apply_set_names(self, conn: Connection, newest: dict[int, ElementSet],
                         report: BatchReport) -> None:
        """Create missing objects; the name of the newest set wins (ties by
        name), so the outcome does not depend on the order of ingestion."""
        norads = list(newest)
        stored: dict[int, dict] = {}
        for i in range(0, len(norads), _CHUNK):
            q = select(objects.c.norad, objects.c.name, objects.c.name_epoch_us,
                       objects.c.intldes).where(objects.c.norad.in_(norads[i:i + _CHUNK]))
            for r in conn.execute(q).mappings():
                stored[r["norad"]] = dict(r)
        inserts, updates = [], []
        for norad, es in newest.items():
            old = stored.get(norad)
            if old is None:
                inserts.append({"norad": norad, "name": es.name, "intldes": es.intldes,
                                "name_epoch_us": es.epoch_us if es.name else None})
                continue
            change = {}
            if es.name:
                old_key = (old["name_epoch_us"] if old["name_epoch_us"] is not None
                           else -(2**62), old["name"] or "")
                if (es.epoch_us, es.name) > old_key:
                    change = {"name": es.name, "name_epoch_us": es.epoch_us}
            if es.intldes and not old["intldes"]:
                change["intldes"] = es.intldes
            if change:
                change.setdefault("name", old["name"])
                change.setdefault("name_epoch_us", old["name_epoch_us"])
                change.setdefault("intldes", old["intldes"])
                updates.append({**change, "b_norad": norad})
        if inserts:
            conn.execute(objects.insert(), inserts)
            report.objects_added += len(inserts)
        if updates:
            stmt = objects.update().where(objects.c.norad == bindparam("b_norad")).values(
                name=bindparam("name"), name_epoch_us=bindparam("name_epoch_us"),
                intldes=bindparam("intldes"))
            conn.execute(stmt, updates)
            report.objects_updated += len(updates)

    def _write_catalog(self, conn: Connection, catalog: Sequence, report: BatchReport) -> None:
        if not catalog:
            return
        from orbwatch.elements.satcat import merge_by_norad

        rows = []
        for rec in merge_by_norad(catalog).values():
            row = {"norad": rec.norad, "kind": getattr(rec, "source", "") or "unknown",
                   "name": rec.name}
            for c in OBJECT_COLUMNS:
                row[c] = getattr(rec, c, None)
            rows.append(row)
        added, present, updated = write_catalog_records(conn, rows, origin=report.source,
                                                        batch_id=report.batch_id)
        report.added += added
        report.present += present
        report.updated += updated
        if added or updated:
            refresh_objects(conn, [r["norad"] for r in rows])

    # ----- reading ---------------------------------------------------------
    def counts(self) -> dict:
        with self.engine.connect() as conn:
            n_obj = conn.execute(select(func.count()).select_from(objects)).scalar_one()
            n_sets = conn.execute(select(func.count()).select_from(element_sets)).scalar_one()
            n_batches = conn.execute(
                select(func.count()).select_from(ingest_batches)).scalar_one()
            span = conn.execute(select(func.min(element_sets.c.epoch_us),
                                       func.max(element_sets.c.epoch_us))).one()
            last = conn.execute(select(func.max(ingest_batches.c.finished_at))).scalar()
        return {"objects": n_obj, "element_sets": n_sets, "ingest_batches": n_batches,
                "first_epoch": format_iso(span[0], 0) if span[0] is not None else None,
                "last_epoch": format_iso(span[1], 0) if span[1] is not None else None,
                "last_ingest": last}

    def objects(self, *, norads: Iterable[int] | None = None, name: str | None = None,
                owner: str | None = None, object_type: str | None = None,
                limit: int | None = None) -> list[dict]:
        """Objects with their newest element-set epoch and set count."""
        latest = (select(element_sets.c.norad, func.max(element_sets.c.epoch_us).label("last"),
                         func.count().label("n"))
                  .group_by(element_sets.c.norad).subquery())
        q = (select(objects, latest.c.last, latest.c.n)
             .select_from(objects.outerjoin(latest, latest.c.norad == objects.c.norad))
             .order_by(objects.c.norad))
        if norads is not None:
            q = q.where(objects.c.norad.in_(list(norads)))
        if name:
            q = q.where(func.upper(objects.c.name).like(f"%{name.upper()}%"))
        if owner:
            q = q.where(func.upper(objects.c.owner) == owner.upper())
        if object_type:
            q = q.where(objects.c.object_type == object_type)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            out = []
            for r in conn.execute(q).mappings():
                d = {k: r[k] for k in ("norad", "name", "intldes", "owner", "object_type",
                                       "launch_date", "decay_date", "rcs_size", "hbr_m",
                                       "mass_kg")}
                d["element_sets"] = r["n"] or 0
                d["latest_epoch"] = format_iso(r["last"], 0) if r["last"] is not None else None
                out.append(d)
            return out

    def history(self, norad: int, *, start_us: int | None = None,
                stop_us: int | None = None) -> list[ElementSet]:
        """Every stored element set of one object, oldest first."""
        return self.element_sets([norad], start_us=start_us, stop_us=stop_us)

    def element_sets(self, norads: Iterable[int] | None = None, *,
                     start_us: int | None = None, stop_us: int | None = None
                     ) -> list[ElementSet]:
        """Element sets ordered by (norad, epoch); all objects when ``norads`` is None."""
        cols = [element_sets.c[c] for c in ELEMENT_COLUMNS]
        q = select(*cols).order_by(element_sets.c.norad, element_sets.c.epoch_us,
                                   element_sets.c.key)
        if start_us is not None:
            q = q.where(element_sets.c.epoch_us >= start_us)
        if stop_us is not None:
            q = q.where(element_sets.c.epoch_us <= stop_us)
        out: list[ElementSet] = []
        with self.engine.connect() as conn:
            if norads is None:
                chunks = [None]
            else:
                nl = sorted(set(int(n) for n in norads))
                chunks = [nl[i:i + _CHUNK] for i in range(0, len(nl), _CHUNK)]
            for chunk in chunks:
                qq = q if chunk is None else q.where(element_sets.c.norad.in_(chunk))
                for row in conn.execute(qq):
                    out.append(ElementSet(**dict(zip(ELEMENT_COLUMNS, row, strict=True))))
        return out

    def latest_sets(self, norads: Iterable[int] | None = None, *,
                    at_us: int | None = None) -> list[ElementSet]:
        """For each object the set nearest in epoch to ``at_us`` (newest if None)."""
        sets = self.element_sets(norads)
        if not sets:
            return []
        norad = np.fromiter((s.norad for s in sets), np.int64, len(sets))
        epoch = np.fromiter((s.epoch_us for s in sets), np.int64, len(sets))
        starts = np.flatnonzero(np.r_[True, norad[1:] != norad[:-1]])
        ends = np.r_[starts[1:], len(sets)]
        if at_us is None:
            pick = ends - 1
        else:
            dist = np.abs(epoch - at_us)
            # nearest within each object's run
            pick = np.array([s + int(np.argmin(dist[s:e])) for s, e in
                             zip(starts, ends, strict=True)], dtype=np.int64)
        return [sets[i] for i in pick]

    def digest(self, *, content_only: bool = False) -> str:
        """SHA-256 over objects and element sets in a canonical order.

        The ingest log is not part of it (it records every attempt).  With
        ``content_only`` provenance (source, format, batch) is left out too,
        so databases built from the same sets as TLE and as OMM agree.
        """
        h = hashlib.sha256()
        skip = {"id"} | ({"source", "format", "batch_id"} if content_only else set())
        ecols = [c for c in element_sets.c if c.name not in skip]
        ocols = [c for c in objects.c if not (content_only and c.name == "catalog_source")]
        ccols = [c for c in catalog_records.c
                 if c.name not in ({"id", "batch_id", "origin"} if content_only else {"id"})]
        with self.engine.connect() as conn:
            for row in conn.execute(select(*ocols).order_by(objects.c.norad)):
                h.update(repr(tuple(row)).encode())
            for row in conn.execute(select(*ccols).order_by(catalog_records.c.norad,
                                                            catalog_records.c.kind,
                                                            catalog_records.c.origin)):
                h.update(repr(tuple(row)).encode())
            for row in conn.execute(select(*ecols).order_by(element_sets.c.key)):
                h.update(repr(tuple(row)).encode())
        return h.hexdigest()

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` on SQLite ('ok' when sound); 'ok' elsewhere."""
        if not self.is_sqlite:
            return "ok"
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar_one()

    def batches(self, limit: int = 20) -> list[dict]:
        with self.engine.connect() as conn:
            q = select(ingest_batches).order_by(ingest_batches.c.id.desc()).limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()]


def open_store(db: str | None = None, *, create: bool = True) -> Store:
    return Store(db, create=create)
