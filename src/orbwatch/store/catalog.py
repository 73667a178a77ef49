"""Catalogue fields of objects (owner, type, dates, size) from many sources.

Every catalogue file keeps its own rows (``catalog_records``: one per object
per file); the ``objects`` table is derived from them field by field by
source precedence, so the result depends only on what was ingested, not on
the order or on how often.  Precedence, best first: Space-Track SATCAT,
CelesTrak SATCAT, the CelesTrak SATCAT dumps, objects-in-orbit lists, UCS,
CARA (size and mass), metadata carried by element sets (keeptrack, OMM);
within one kind the most recently ingested file wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from orbwatch.store.schema import OBJECT_COLUMNS, catalog_records, objects

__all__ = ["SOURCE_RANK", "write_catalog_records", "refresh_objects", "CATALOG_FIELDS"]

SOURCE_RANK = {
    "spacetrack-satcat": 0,
    "celestrak-satcat": 1,
    "trusat-satcat-sql": 2,
    "trusat-satcat-csv": 2,
    "esri-oio": 3,
    "ucs-satdb": 4,
    "cara-hbr": 5,
    "keeptrack": 6,
    "element-metadata": 7,
}
CATALOG_FIELDS = ("name",) + OBJECT_COLUMNS
_CHUNK = 500


def _rank(kind: str) -> int:
    return SOURCE_RANK.get(kind.split("+")[0], 9)


def write_catalog_records(conn: Connection, rows: Sequence[dict], *, origin: str,
                          batch_id: int) -> tuple[int, int, int]:
    """Store one file's records (dicts with norad, kind and CATALOG_FIELDS).
    Returns (added, present, updated) counts."""
    norads = [r["norad"] for r in rows]
    old: dict[int, dict] = {}
    for i in range(0, len(norads), _CHUNK):
        q = select(catalog_records).where(catalog_records.c.origin == origin,
                                          catalog_records.c.norad.in_(norads[i:i + _CHUNK]))
        for r in conn.execute(q).mappings():
            old[r["norad"]] = dict(r)
    inserts, updates, present = [], [], 0
    for row in rows:
        prev = old.get(row["norad"])
        if prev is None:
            inserts.append({**row, "origin": origin, "batch_id": batch_id})
        elif any(prev[c] != row.get(c) for c in CATALOG_FIELDS + ("kind",)):
            updates.append({**{c: row.get(c) for c in CATALOG_FIELDS + ("kind",)},
                            "b_id": prev["id"]})
        else:
            present += 1
    if inserts:
        conn.execute(catalog_records.insert(), inserts)
    if updates:
        stmt = catalog_records.update().where(catalog_records.c.id == bindparam("b_id")).values(
            {c: bindparam(c) for c in CATALOG_FIELDS + ("kind",)})
        conn.execute(stmt, updates)
    return len(inserts), present, len(updates)


def refresh_objects(conn: Connection, norads: Iterable[int]) -> None:
    """Re-derive the catalogue fields of these objects (creating missing rows)."""
    norads = sorted(set(norads))
    for i in range(0, len(norads), _CHUNK):
        chunk = norads[i:i + _CHUNK]
        recs: dict[int, list[dict]] = {}
        q = select(catalog_records).where(catalog_records.c.norad.in_(chunk))
        for r in conn.execute(q).mappings():
            recs.setdefault(r["norad"], []).append(dict(r))
        stored = {r["norad"]: dict(r) for r in conn.execute(
            select(objects).where(objects.c.norad.in_(chunk))).mappings()}
        inserts, updates = [], []
        for norad in chunk:
            values = _derive(recs.get(norad, []))
            cur = stored.get(norad)
            if cur is None:
                inserts.append({"norad": norad, "name_epoch_us": None, **values})
                continue
            if cur["name_epoch_us"] is not None:  # names from element sets win
                values["name"] = cur["name"]
                if cur["intldes"] and not values.get("intldes"):
                    values["intldes"] = cur["intldes"]
            elif values.get("name") is None:
                values["name"] = cur["name"]
            if values.get("intldes") is None:
                values["intldes"] = cur["intldes"]
            if any(cur[k] != v for k, v in values.items()):
                updates.append({**values, "b_norad": norad})
        if inserts:
            conn.execute(objects.insert(), inserts)
        if updates:
            cols = [c for c in updates[0] if c != "b_norad"]
            stmt = objects.update().where(objects.c.norad == bindparam("b_norad")).values(
                {c: bindparam(c) for c in cols})
            conn.execute(stmt, updates)


def _derive(records: list[dict]) -> dict:
    """Field by field, the first non-null value in precedence order."""
    ordered = sorted(records, key=lambda r: (_rank(r["kind"]), -r["batch_id"]))
    out: dict = {c: None for c in CATALOG_FIELDS}
    for c in CATALOG_FIELDS:
        for r in ordered:
            v = r[c]
            if v is None or (c == "object_type" and v == "unknown"):
                continue
            out[c] = v
            break
    if out["object_type"] is None and records:
        out["object_type"] = "unknown"
    out["catalog_source"] = "+".join(dict.fromkeys(r["kind"] for r in ordered)) or None
    return out
