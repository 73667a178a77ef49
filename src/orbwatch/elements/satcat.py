"""Satellite-catalogue records (SATCAT metadata) from the public catalogue formats.

Every reader takes ``(data, path=None)``: ``bytes`` (gzip is unpacked) or
``str``, and returns a :class:`SatcatReadResult`.  A bad row becomes a
:class:`~orbwatch.errors.FieldValueError` in ``result.errors`` naming the line
or record, the column, what was expected and what was found; the other rows
still parse.  Only content that is not the format at all raises
:class:`~orbwatch.errors.FormatNotRecognizedError`.

Conventions: empty cells, JSON ``null``, SQL ``NULL`` and the date
``0000-00-00`` are None; dates are ISO ``YYYY-MM-DD`` (``M/D/YYYY`` is
converted); an RCS, HBR or mass <= 0 means "not given" (Space-Track's
``RCSVALUE`` is 0 for every object) and is None; TruSat's SATCAT dump writes
-1 and UCS writes 0 for missing orbit numbers: None; designators are
normalised to ``1998-067A``; ``owner`` is the code as given (``US``, ``CIS``,
``PRC``, ``ISS`` ...; UCS gives country names such as ``USA``).  Where a
format has no object type, or says unknown (``UNK``, ``TBA``), it is
inferred from the name by :func:`infer_object_type`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.elements.satcat_cells import (
    RCS_SIZES,
    _Bad,
    _date,
    _float,
    _intldes,
    _nonzero,
    _norad,
    _positive,
    _rcs_size,
    _sentinel,
    _text,
    _type_map,
    _ucs_text,
)
from orbwatch.elements.sqldump import INSERT_RE, sql_rows
from orbwatch.elements.tle import alpha5_to_int
from orbwatch.errors import FieldValueError, FormatNotRecognizedError, ParseError

__all__ = [
    "OBJECT_TYPES", "RCS_SIZES", "FORMATS", "CatalogRecord", "SatcatReadResult",
    "infer_object_type", "read_satcat", "read_celestrak_csv", "read_celestrak_json",
    "read_spacetrack_json", "read_spacetrack_csv", "read_esri_oio", "read_trusat_csv",
    "read_trusat_satcat_sql", "read_ucs_sql", "read_cara_hbr", "read_keeptrack_json",
    "merge_records", "merge_by_norad",
]

OBJECT_TYPES = ("payload", "rocket body", "debris", "unknown")
FORMATS = ("celestrak-satcat-csv", "celestrak-satcat-json", "spacetrack-satcat-csv",
           "spacetrack-satcat-json", "esri-oio", "trusat-satcat-csv", "trusat-satcat-sql",
           "ucs-satdb", "cara-hbr", "keeptrack-json")


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogRecord:
    """What one catalogue says about one object; what it does not say is None."""

    norad: int
    source: str
    name: str | None = None
    intldes: str | None = None
    owner: str | None = None
    object_type: str = "unknown"
    launch_date: str | None = None
    decay_date: str | None = None
    launch_site: str | None = None
    rcs_size: str | None = None
    rcs_m2: float | None = None
    period_min: float | None = None
    inclination_deg: float | None = None
    apogee_km: float | None = None
    perigee_km: float | None = None
    hbr_m: float | None = None
    mass_kg: float | None = None
    ops_status: str | None = None

    def __post_init__(self) -> None:
        if self.object_type not in OBJECT_TYPES:
            raise ValueError(f"object_type must be one of {OBJECT_TYPES}, not {self.object_type!r}")


@dataclass(slots=True)
class SatcatReadResult:
    """The records read, one error per rejected row, and the format read."""

    records: list[CatalogRecord] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    format: str | None = None


_SEPARATORS = str.maketrans({c: " " for c in "()[]{},;:/-_.*#'\""})


def infer_object_type(name: str | None) -> str:
    """Object type from a catalogue name, for formats that give none.

    ``R/B`` anywhere -> ``"rocket body"``; a ``DEB`` word (``FREGAT DEB``,
    ``ARIANE 5 DEB (SYLDA)``) or ``COOLANT`` / ``FRAGMENT`` -> ``"debris"``;
    anything else -> ``"unknown"`` (a payload cannot be told by its name).
    """
    if not name:
        return "unknown"
    up = name.upper()
    if "R/B" in up:
        return "rocket body"
    if "COOLANT" in up or "FRAGMENT" in up or "DEB" in up.translate(_SEPARATORS).split():
        return "debris"
    return "unknown"


# --- per-format specs: "field=COLUMN|ALTERNATIVE ..." plus converter overrides --

_DEFAULT_CONV = {
    "norad": _norad, "intldes": _intldes, "launch_date": _date, "decay_date": _date,
    "rcs_size": _rcs_size, "rcs_m2": _positive, "hbr_m": _positive, "mass_kg": _positive,
    "period_min": _float, "inclination_deg": _float, "apogee_km": _float, "perigee_km": _float,
}


def _spec(text: str, **conv: Callable) -> list[tuple[str, tuple[str, ...], Callable]]:
    out = []
    for item in text.split():  # the first entry must be norad
        attr, keys = item.split("=")
        out.append((attr, tuple(keys.split("|")), conv.get(attr) or _DEFAULT_CONV.get(attr, _text)))
    return out


_CELESTRAK = _spec(
    "norad=NORAD_CAT_ID name=OBJECT_NAME intldes=OBJECT_ID object_type=OBJECT_TYPE "
    "ops_status=OPS_STATUS_CODE owner=OWNER launch_date=LAUNCH_DATE launch_site=LAUNCH_SITE "
    "decay_date=DECAY_DATE period_min=PERIOD inclination_deg=INCLINATION apogee_km=APOGEE "
    "perigee_km=PERIGEE rcs_m2=RCS",
    object_type=_type_map({"PAY": "payload", "R/B": "rocket body", "DEB": "debris", "UNK": None},
                          "PAY, R/B, DEB or UNK"))
_SPACETRACK = _spec(
    "norad=NORAD_CAT_ID|OBJECT_NUMBER name=SATNAME|OBJECT_NAME intldes=INTLDES|OBJECT_ID "
    "object_type=OBJECT_TYPE owner=COUNTRY launch_date=LAUNCH launch_site=SITE decay_date=DECAY "
    "period_min=PERIOD inclination_deg=INCLINATION apogee_km=APOGEE perigee_km=PERIGEE "
    "rcs_m2=RCSVALUE rcs_size=RCS_SIZE",
    object_type=_type_map({"PAYLOAD": "payload", "ROCKET BODY": "rocket body", "DEBRIS": "debris",
                           "UNKNOWN": None, "TBA": None, "OTHER": None},
                          "PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN or TBA"))
_ESRI_COLUMNS = ("OBJECT_ID", "OBJECT_NAME", "NORAD_CAT_ID", "COUNTRY", "PERIOD", "INCLINATION",
                 "APOGEE", "PERIGEE", "RCS_SIZE", "RCSVALUE", "LAUNCH", "COMMENT")
_ESRI = _spec(
    "norad=NORAD_CAT_ID name=OBJECT_NAME intldes=OBJECT_ID owner=COUNTRY period_min=PERIOD "
    "inclination_deg=INCLINATION apogee_km=APOGEE perigee_km=PERIGEE rcs_size=RCS_SIZE "
    "rcs_m2=RCSVALUE launch_date=LAUNCH")
_TRUSAT = _spec(
    "norad=norad_num name=name intldes=intl_desg object_type=payload_flag "
    "ops_status=ops_status_code owner=source launch_date=launch_date decay_date=decay_date "
    "period_min=orbit_period_minutes inclination_deg=inclination_deg apogee_km=apogee "
    "perigee_km=perigee rcs_m2=radar_crosssec",
    object_type=_type_map({"1": "payload", "0": None}, "payload_flag 0 or 1"),
    period_min=_sentinel, inclination_deg=_sentinel, apogee_km=_sentinel, perigee_km=_sentinel)
_UCS = _spec(
    "norad=norad_number name=name intldes=international_designator owner=country_owner "
    "launch_date=launch_date launch_site=launch_site period_min=period_minutes "
    "inclination_deg=inclination_degrees apogee_km=apogee_km perigee_km=perigee_km "
    "mass_kg=launch_mass_kg",
    name=_ucs_text, owner=_ucs_text, launch_site=_ucs_text, period_min=_nonzero,
    apogee_km=_nonzero, perigee_km=_nonzero)
_CARA = _spec("norad=ObjectID hbr_m=HBR mass_kg=Mass")
_KEEPTRACK = _spec(
    "norad=TLE1:norad intldes=TLE1:intldes name=ON owner=C launch_site=LS object_type=OT",
    object_type=_type_map({"1": "payload", "2": "rocket body", "3": "debris"},
                          "OT 1 (payload), 2 (rocket body) or 3 (debris)"))


# --- the row loop shared by every format ------------------------------------------


def _show_row(row) -> str:
    text = ",".join("" if v is None else str(v) for v in row)
    return text if len(text) <= 200 else text[:197] + "..."


def _build(rows: Iterable, header, spec, *, source: str, path, fmt: str,
           fixed: dict | None = None, result: SatcatReadResult | None = None) -> SatcatReadResult:
    """Turn ``(line, record, cells)`` rows into records following ``spec``."""
    result = result or SatcatReadResult(format=fmt)
    index = {str(k).strip(): i for i, k in enumerate(header)}
    plan = []
    for attr, keys, conv in spec:
        key = next((k for k in keys if k in index), None)
        if key is not None:
            plan.append((attr, index[key], conv, key))
    if not plan or plan[0][0] != "norad":
        raise FormatNotRecognizedError(
            f"no catalogue-number column, so not {fmt}", path=path, line=1, field="header",
            expected=" or ".join(spec[0][1]), found=_show_row(header))
    width = len(header)
    base = {"source": source, **(fixed or {})}
    records, errors = result.records, result.errors
    for line, recno, row in rows:
        if len(row) != width:
            errors.append(FieldValueError(
                "wrong number of columns", path=path, line=line, record=recno, field="columns",
                expected=f"{width} columns", found=str(len(row)), text=_show_row(row)))
            continue
        values = dict(base)
        try:
            for attr, i, conv, _ in plan:
                values[attr] = conv(row[i])
        except _Bad as bad:
            cell, key = row[i], header[i]
            errors.append(FieldValueError(
                f"cannot read {attr}", path=path, line=line, record=recno, field=key,
                expected=bad.expected, found=cell if isinstance(cell, str) else repr(cell),
                text=_show_row(row)))
            continue
        if values.get("object_type") is None:
            values["object_type"] = infer_object_type(values.get("name"))
        records.append(CatalogRecord(**values))
    return result


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    data = bytes(data)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _csv_rows(text: str, skip_header: bool):
    reader = csv.reader(io.StringIO(text))
    recno, skip = 0, skip_header
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if skip:
            skip = False
            continue
        recno += 1
        yield reader.line_num, recno, row


def _csv_header(text: str, path, fmt: str) -> list[str]:
    for row in csv.reader(io.StringIO(text[:65536])):
        if row and any(c.strip() for c in row):
            return [c.strip() for c in row]
    raise FormatNotRecognizedError(f"empty file, not {fmt}", path=path, line=1,
                                   expected="a CSV header line", found="")


def _read_csv(data, path, spec, source: str, fmt: str) -> SatcatReadResult:
    text = _decode(data)
    header = _csv_header(text, path, fmt)
    return _build(_csv_rows(text, True), header, spec, source=source, path=path, fmt=fmt)


def _json_items(data, path, fmt: str, obj=None) -> list:
    if obj is None:
        try:
            obj = json.loads(_decode(data))
        except json.JSONDecodeError as exc:
            raise FormatNotRecognizedError(
                f"not JSON ({exc.msg}), so not {fmt}", path=path, line=exc.lineno,
                expected="a JSON array of objects", found=exc.doc[exc.pos:exc.pos + 40]) from None
    if isinstance(obj, dict):
        obj = next((v for v in obj.values() if isinstance(v, list)), [obj])
    if not isinstance(obj, list):
        raise FormatNotRecognizedError(f"not {fmt}", path=path, expected="a JSON array of objects",
                                       found=type(obj).__name__)
    return obj


def _read_json(items: list, path, spec, source: str, fmt: str) -> SatcatReadResult:
    header = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))
    result = SatcatReadResult(format=fmt)
    rows = []
    for recno, item in enumerate(items, 1):
        if isinstance(item, dict):
            rows.append((None, recno, [item.get(k) for k in header]))
        else:
            result.errors.append(FieldValueError(
                "not a JSON object", path=path, record=recno, expected="an object {...}",
                found=type(item).__name__))
    return _build(rows, header, spec, source=source, path=path, fmt=fmt, result=result)


# --- public readers ----------------------------------------------------------------


def read_celestrak_csv(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """CelesTrak SATCAT CSV (``OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,...``)."""
    return _read_csv(data, path, _CELESTRAK, "celestrak-satcat", "celestrak-satcat-csv")


def read_celestrak_json(data: bytes | str, path: str | None = None, *, _obj=None) -> SatcatReadResult:
    """CelesTrak SATCAT JSON: an array of objects with the CSV's keys."""
    fmt = "celestrak-satcat-json"
    return _read_json(_json_items(data, path, fmt, _obj), path, _CELESTRAK, "celestrak-satcat", fmt)


def read_spacetrack_json(data: bytes | str, path: str | None = None, *, _obj=None) -> SatcatReadResult:
    """Space-Track ``class/satcat`` JSON (every value a string, or null)."""
    fmt = "spacetrack-satcat-json"
    return _read_json(_json_items(data, path, fmt, _obj), path, _SPACETRACK, "spacetrack-satcat",
                      fmt)


def read_spacetrack_csv(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """Space-Track ``class/satcat`` CSV (``INTLDES,NORAD_CAT_ID,OBJECT_TYPE,SATNAME,...``)."""
    return _read_csv(data, path, _SPACETRACK, "spacetrack-satcat", "spacetrack-satcat-csv")


def read_esri_oio(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """Esri "objects in orbit" list: 12 columns, the header row is optional.

    The type is inferred from the name; ``COMMENT`` is not kept.
    """
    text = _decode(data)
    first = _csv_header(text, path, "esri-oio")
    has_header = first[0].upper() == "OBJECT_ID"
    header = [c.upper() for c in first] if has_header else list(_ESRI_COLUMNS)
    return _build(_csv_rows(text, has_header), header, _ESRI, source="esri-oio", path=path,
                  fmt="esri-oio")


def read_trusat_csv(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """CSV decoded from TruSat's CelesTrak SATCAT dump (``intl_desg,norad_num,...``).

    ``payload_flag`` 1 is a payload, else the type comes from the name;
    ``source`` is the owner code.
    """
    return _read_csv(data, path, _TRUSAT, "trusat-satcat-csv", "trusat-satcat-csv")


def read_cara_hbr(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """NASA CARA HBR and mass estimates (``ObjectID,HBR,...,Mass,...``): hbr_m, mass_kg.

    The sigmas and the provenance columns are not kept.
    """
    return _read_csv(data, path, _CARA, "cara-hbr", "cara-hbr")


def read_keeptrack_json(data: bytes | str, path: str | None = None, *, _obj=None) -> SatcatReadResult:
    """keeptrack.space ``TLE.json``: ON name, C owner, LS site, OT type (1/2/3).

    Number and designator come from ``TLE1``; ``R`` is not kept (undocumented).
    """
    items = []
    for item in _json_items(data, path, "keeptrack-json", _obj):
        if isinstance(item, dict):
            tle1 = item.get("TLE1") if isinstance(item.get("TLE1"), str) else ""
            ot, norad = item.get("OT"), tle1[2:7]
            try:  # Alpha-5 to digits; anything else is left for _norad to report
                norad = str(alpha5_to_int(norad))
            except ValueError:
                pass
            item = {"TLE1:norad": norad, "TLE1:intldes": tle1[9:17], "ON": item.get("ON"),
                    "C": item.get("C"), "LS": item.get("LS"), "OT": None if ot is None else str(ot)}
        items.append(item)
    return _read_json(items, path, _KEEPTRACK, "keeptrack", "keeptrack-json")


# --- MySQL dumps (tokenizer in orbwatch.elements.sqldump) ---


def read_trusat_satcat_sql(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """TruSat's MySQL dump of the CelesTrak SATCAT (table ``celestrak_SATCAT``)."""
    result = SatcatReadResult(format="trusat-satcat-sql")
    header, rows = sql_rows(_decode(data), "celestrak_SATCAT", path, result.errors)
    return _build(rows, header, _TRUSAT, source="trusat-satcat-sql", path=path,
                  fmt="trusat-satcat-sql", result=result)


def read_ucs_sql(data: bytes | str, path: str | None = None) -> SatcatReadResult:
    """TruSat's MySQL dump of the UCS Satellite Database (table ``ucs_SATDB``).

    Every entry is a payload; ``owner`` is ``country_owner`` (the operator's
    country, as a name); ``mass_kg`` is the launch mass.  Operator, users and
    purpose have no CatalogRecord field and are not kept.
    """
    result = SatcatReadResult(format="ucs-satdb")
    header, rows = sql_rows(_decode(data), "ucs_SATDB", path, result.errors)
    return _build(rows, header, _UCS, source="ucs-satdb", path=path, fmt="ucs-satdb",
                  fixed={"object_type": "payload"}, result=result)


# --- dispatcher ----------------------------------------------------------------------

_CSV_SNIFF = (
    ({"OBJECTID", "HBR"}, read_cara_hbr),
    ({"INTL_DESG", "NORAD_NUM"}, read_trusat_csv),
    ({"INTLDES", "NORAD_CAT_ID"}, read_spacetrack_csv),
    ({"SATNAME", "NORAD_CAT_ID"}, read_spacetrack_csv),
    ({"OBJECT_TYPE", "NORAD_CAT_ID", "OWNER"}, read_celestrak_csv),
    ({"OBJECT_ID", "NORAD_CAT_ID", "COUNTRY", "RCS_SIZE"}, read_esri_oio),
)


def read_satcat(path_or_bytes: bytes | str | Path, path: str | None = None) -> SatcatReadResult:
    """Read any supported catalogue (see FORMATS), sniffing the format; gzip is unpacked.

    ``bytes`` are content; a ``Path``, or a ``str`` with no newline that does
    not start with ``[`` or ``{``, names a file; any other ``str`` is content.
    """
    src = path_or_bytes
    if isinstance(src, Path) or (
            isinstance(src, str) and "\n" not in src and not src.lstrip().startswith(("[", "{"))):
        path = path or str(src)
        src = Path(src).read_bytes()
    text = _decode(src)
    head = text.lstrip()[:1]
    if head and head in "[{":
        items = _json_items(text, path, "a JSON catalogue")
        first = next((i for i in items if isinstance(i, dict)), {})
        if "TLE1" in first and "ON" in first:
            return read_keeptrack_json(None, path, _obj=items)
        if "SATNAME" in first or "INTLDES" in first:
            return read_spacetrack_json(None, path, _obj=items)
        if "NORAD_CAT_ID" in first:
            return read_celestrak_json(None, path, _obj=items)
        raise FormatNotRecognizedError(
            "JSON objects of no known catalogue", path=path, record=1,
            expected=", ".join(FORMATS), found=",".join(list(first)[:8]))
    ins = INSERT_RE.search(text)
    if ins is not None:
        if ins[1] == "celestrak_SATCAT":
            return read_trusat_satcat_sql(text, path)
        if ins[1] == "ucs_SATDB":
            return read_ucs_sql(text, path)
        raise FormatNotRecognizedError("SQL dump of an unknown table", path=path, field="table",
                                       expected="celestrak_SATCAT or ucs_SATDB", found=ins[1])
    header = _csv_header(text, path, "a catalogue")
    names = {c.upper() for c in header}
    for needed, reader in _CSV_SNIFF:
        if needed <= names:
            return reader(text, path)
    if len(header) == 12 and header[2].isdigit():
        return read_esri_oio(text, path)
    raise FormatNotRecognizedError(
        "not a known satellite-catalogue format", path=path, line=1,
        expected=", ".join(FORMATS), found=_show_row(header))


# --- merging ---------------------------------------------------------------------------

_MERGE_FIELDS = tuple(f for f in CatalogRecord.__dataclass_fields__ if f not in ("norad", "source"))


def merge_records(records: Iterable[CatalogRecord]) -> CatalogRecord:
    """Combine records of one object: each later record's non-None fields win.

    A later ``"unknown"`` object type never replaces a known one; ``source``
    lists the contributing sources in order, joined with ``+``.
    """
    records = list(records)
    if not records:
        raise ValueError("merge_records needs at least one record")
    norad = records[0].norad
    values: dict = {}
    sources: list[str] = []
    for rec in records:
        if rec.norad != norad:
            raise ValueError(f"merge_records: cannot merge records of {norad} and {rec.norad}")
        for name in _MERGE_FIELDS:
            v = getattr(rec, name)
            if v is not None and not (name == "object_type" and v == "unknown"):
                values[name] = v
        for s in rec.source.split("+"):
            if s and s not in sources:
                sources.append(s)
    return CatalogRecord(norad=norad, source="+".join(sources), **values)


def merge_by_norad(records: Iterable[CatalogRecord]) -> dict[int, CatalogRecord]:
    """Group records by catalogue number (first-seen order) and merge each group."""
    groups: dict[int, list[CatalogRecord]] = {}
    for rec in records:
        groups.setdefault(rec.norad, []).append(rec)
    return {n: g[0] if len(g) == 1 else merge_records(g) for n, g in groups.items()}
