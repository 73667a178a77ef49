"""CCSDS Orbit Mean-Elements Messages (OMM, SGP4 mean elements) read and written.

All four encodings are read (JSON, CSV, XML, KVN), in both flavours found in
the wild: CelesTrak's (JSON numbers, CSV like ``-.22483E-4``) and
Space-Track's ``gp``/``gp_history`` class (every value a string, some null,
extra keys such as ``TLE_LINE1``, ``OBJECT_TYPE``, ``COUNTRY_CODE``).

Each encoding is reduced to flat ``{KEY: value}`` mappings, and one function,
:func:`omm_record_to_element_set`, turns a mapping into a validated
:class:`ElementSet`.  Readers return a ``ReadResult``: a bad record becomes a
named error (with the JSON record index, XML segment index, or KVN/CSV line
number) and the other records are still read.  Input that is not the format
at all raises :class:`FormatNotRecognizedError`; XML with a DTD, entities or
external references raises :class:`UnsafeXMLError`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from orbwatch.elements.model import ElementSet, identity_key, normalize_intldes, validate
from orbwatch.elements.tle import DEFAULT_FUTURE_TOLERANCE_DAYS, ReadResult, parse_tle
from orbwatch.elements.xmlsafe import parse_xml
from orbwatch.errors import (
    EpochError,
    FieldValueError,
    FormatNotRecognizedError,
    ParseError,
)
from orbwatch.time import US_PER_DAY, format_iso, is_leap_year, now_us, parse_iso

__all__ = [
    "REQUIRED_KEYS",
    "MAX_NORAD_CAT_ID",
    "OMM_KEYS",
    "omm_record_to_element_set",
    "read_omm_json",
    "read_omm_csv",
    "read_omm_xml",
    "read_omm_kvn",
    "omm_to_dict",
    "write_omm_json",
    "write_omm_csv",
    "write_omm_xml",
    "write_omm_kvn",
]

#: largest catalogue number accepted (9 digits; the identity key packs it in 64 bits)
MAX_NORAD_CAT_ID = 999_999_999
#: keys without which no SGP4 element set can be built
REQUIRED_KEYS = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
                 "ARG_OF_PERICENTER", "MEAN_ANOMALY", "NORAD_CAT_ID")
_META_KEYS = ("OBJECT_NAME", "OBJECT_ID")
_MEAN_KEYS = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
              "ARG_OF_PERICENTER", "MEAN_ANOMALY")
_TLE_KEYS = ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO",
             "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")
#: the CelesTrak keys, in CelesTrak's order
OMM_KEYS = _META_KEYS + _MEAN_KEYS + _TLE_KEYS

# Space-Track metadata kept in ElementSet.extra (OMM key -> extra key)
_EXTRA_KEYS = {"OBJECT_TYPE": "object_type", "RCS_SIZE": "rcs_size", "COUNTRY_CODE": "country",
               "LAUNCH_DATE": "launch_date", "SITE": "site", "DECAY_DATE": "decay_date"}
_OBJECT_TYPES = {"PAYLOAD": "payload", "ROCKET BODY": "rocket body", "DEBRIS": "debris"}
# ElementSet attribute -> OMM key (for naming fields in errors)
_ATTR_KEYS = {"norad": "NORAD_CAT_ID", "epoch_us": "EPOCH", "mean_motion": "MEAN_MOTION",
              "eccentricity": "ECCENTRICITY", "inclination": "INCLINATION",
              "raan": "RA_OF_ASC_NODE", "arg_perigee": "ARG_OF_PERICENTER",
              "mean_anomaly": "MEAN_ANOMALY", "bstar": "BSTAR",
              "mean_motion_dot": "MEAN_MOTION_DOT", "mean_motion_ddot": "MEAN_MOTION_DDOT"}
_FIELD_ALIASES = {k.upper(): v for k, v in _ATTR_KEYS.items()}

_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DOY_EPOCH = re.compile(r"^\s*(\d{4})-(\d{3})(T.*)?$")
_UNITS = re.compile(r"^(\S+)\s*\[[^\]]*\]$")  # 15.5 [rev/day]
_KVN_BLOCK = re.compile(r"^[A-Z_]+_(START|STOP)$")
_KVN_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_KVN_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z0-9_]*\s*=", re.MULTILINE)
_XP_NOTE = ("SGP4-XP element set (ephemeris type 4): BSTAR and MEAN_MOTION_DDOT hold XP "
            "parameters, so plain SGP4 propagates it only approximately")


# --------------------------------------------------------------------------- one record
def _value(rec: Mapping[str, Any], key: str) -> Any:
    """The value of ``key``, None when absent, null or blank."""
    v = rec.get(key)
    return (v.strip() or None) if isinstance(v, str) else v


# required keys are checked before these are called, so None means "use the default"
def _float(rec: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    v = _value(rec, key)
    if v is None:
        return default
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and (_NUMBER.match(v) or v.lower() in ("nan", "inf", "-inf")):
        return float(v)
    raise FieldValueError("not a number", field=key, expected="a decimal number",
                          found=str(v))


def _int(rec: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    v = _value(rec, key)
    if v is None:
        return default
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _INTEGER.match(v):
        return int(v)
    raise FieldValueError("not an integer", field=key, expected="an integer", found=str(v))


def _missing(key: str) -> FieldValueError:
    return FieldValueError(f"required key {key} is missing", field=key,
                           expected="all of " + ", ".join(REQUIRED_KEYS))


def _epoch(rec: Mapping[str, Any]) -> int:
    text = str(_value(rec, "EPOCH"))
    try:
        m = _DOY_EPOCH.match(text)
        if m:  # CCSDS day-of-year form 2020-287T04:52:48.472320
            day, ndays = int(m[2]), 366 if is_leap_year(int(m[1])) else 365
            if not 1 <= day <= ndays:
                raise ValueError(f"day {day} is not in {m[1]} (days 1..{ndays})")
            return parse_iso(f"{m[1]}-01-01{m[3] or ''}") + (day - 1) * US_PER_DAY
        return parse_iso(text)
    except ValueError as exc:
        raise EpochError(str(exc), field="EPOCH",
                         expected="ISO 8601 UTC like 2020-10-13T04:52:48.472320",
                         found=text) from None


def _check_text(rec: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    v = _value(rec, key)
    if v is not None and str(v).upper() not in allowed:
        raise FieldValueError(f"{key} is not supported for SGP4 mean elements", field=key,
                              expected=" or ".join(allowed), found=str(v))
    return None if v is None else str(v).upper()


def _extras(rec: Mapping[str, Any]) -> dict:
    extra = {}
    for key, name in _EXTRA_KEYS.items():
        v = _value(rec, key)
        if v is not None:
            extra[name] = v
    if "object_type" in extra:
        extra["object_type"] = _OBJECT_TYPES.get(str(extra["object_type"]).upper(), "unknown")
    return extra


def omm_record_to_element_set(
    rec: Mapping[str, Any],
    *,
    fmt: str = "omm-json",
    source: str = "",
    max_epoch_us: int | None = None,
) -> ElementSet:
    """One flat OMM mapping (CelesTrak or Space-Track keys, values as numbers
    or strings) to a validated :class:`ElementSet`.

    Raises a named :class:`ParseError` (without location; the reader adds it).
    """
    missing = [k for k in REQUIRED_KEYS if _value(rec, k) is None]
    if missing:
        raise _missing(missing[0])
    _check_text(rec, "REF_FRAME", ("TEME",))
    _check_text(rec, "TIME_SYSTEM", ("UTC",))
    theory = _check_text(rec, "MEAN_ELEMENT_THEORY", ("SGP4", "SGP4-XP"))
    epoch_us = _epoch(rec)
    if max_epoch_us is not None and epoch_us > max_epoch_us:
        raise EpochError("epoch is in the future", field="EPOCH",
                         expected=f"an epoch no later than {format_iso(max_epoch_us, 0)}",
                         found=str(_value(rec, "EPOCH")))
    name = _value(rec, "OBJECT_NAME")
    if name is None and _value(rec, "TLE_LINE0") is not None:
        name = re.sub(r"^0 ", "", str(_value(rec, "TLE_LINE0")))
    intldes = _value(rec, "OBJECT_ID")
    if intldes is not None and str(intldes).upper() == "UNKNOWN":
        intldes = None
    extra = _extras(rec)
    eph = _int(rec, "EPHEMERIS_TYPE", 0)
    if eph == 4 or theory == "SGP4-XP":
        extra["ephemeris_type_note"] = _XP_NOTE
    norad = _int(rec, "NORAD_CAT_ID")
    if not 0 <= norad <= MAX_NORAD_CAT_ID:
        raise FieldValueError("catalogue number out of range", field="NORAD_CAT_ID",
                              expected=f"an integer 0..{MAX_NORAD_CAT_ID}", found=str(norad))
    es = ElementSet(
        norad=norad,
        epoch_us=epoch_us,
        mean_motion=_float(rec, "MEAN_MOTION"),
        eccentricity=_float(rec, "ECCENTRICITY"),
        inclination=_float(rec, "INCLINATION"),
        raan=_float(rec, "RA_OF_ASC_NODE"),
        arg_perigee=_float(rec, "ARG_OF_PERICENTER"),
        mean_anomaly=_float(rec, "MEAN_ANOMALY"),
        bstar=_float(rec, "BSTAR"),
        mean_motion_dot=_float(rec, "MEAN_MOTION_DOT"),
        mean_motion_ddot=_float(rec, "MEAN_MOTION_DDOT"),
        name=None if name is None else str(name),
        intldes=normalize_intldes(None if intldes is None else str(intldes)),
        classification=str(_value(rec, "CLASSIFICATION_TYPE") or "U").upper(),
        ephemeris_type=eph,
        element_set_no=_int(rec, "ELEMENT_SET_NO"),
        rev_at_epoch=_int(rec, "REV_AT_EPOCH"),
        source=source,
        format=fmt,
        extra=extra,
    )
    validate(es)
    _cross_check_tle(rec, es)
    return es


def _cross_check_tle(rec: Mapping[str, Any], es: ElementSet) -> None:
    """Space-Track gives the TLE lines too: they must describe the same set."""
    line1, line2 = _value(rec, "TLE_LINE1"), _value(rec, "TLE_LINE2")
    if line1 is None or line2 is None:
        return
    try:
        tle = parse_tle(str(line1), str(line2))
    except ParseError as exc:
        raise FieldValueError("TLE_LINE1/TLE_LINE2 cannot be read: " + exc.headline(),
                              field="TLE_LINE1/TLE_LINE2", expected="a valid TLE",
                              found=f"{line1} / {line2}") from None
    want = identity_key(es)
    if identity_key(tle) == want:
        return
    differ = [key for attr, key in _ATTR_KEYS.items()
              if identity_key(replace(es, **{attr: getattr(tle, attr)})) != want]
    raise FieldValueError(
        "TLE lines disagree with the OMM values in " + ", ".join(differ or ["elements"]),
        field="TLE_LINE1/TLE_LINE2",
        expected=f"TLE lines for the OMM values ({', '.join(differ)})",
        found=f"{line1} / {line2}")


# --------------------------------------------------------------------------- readers
def _as_input(data: str | bytes) -> str | bytes:
    """Decompress gzip bytes; otherwise return what was given."""
    if isinstance(data, (bytes, bytearray)) and data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def _as_text(data: str | bytes, path: str | None, what: str) -> str:
    data = _as_input(data)
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatNotRecognizedError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                       path=path, field="encoding",
                                       expected=f"{what} in UTF-8") from None


def _read(records, fmt: str, path, future_tolerance_days, now, source) -> ReadResult:
    """Turn ``(location, mapping-or-error)`` pairs into a ReadResult.

    ``location`` is a dict of ``with_location`` keywords, optionally with
    ``lines``: a per-key line map so that an error names its own line.
    """
    max_epoch = None
    if future_tolerance_days is not None:
        max_epoch = (now if now is not None else now_us()) + int(
            future_tolerance_days * US_PER_DAY)
    result = ReadResult()
    for loc, rec in records:
        result.records += 1
        lines = loc.pop("lines", None)
        try:
            if isinstance(rec, ParseError):
                raise rec
            result.sets.append(omm_record_to_element_set(rec, fmt=fmt, source=source,
                                                         max_epoch_us=max_epoch))
        except ParseError as exc:
            if lines:
                key = _FIELD_ALIASES.get(exc.field or "", exc.field)
                first = (exc.field or "").split("/")[0]
                loc["line"] = lines.get(key, lines.get(first, loc.get("line")))
            result.errors.append(exc.with_location(path=path, **loc))
    return result


def read_omm_json(data: str | bytes, path: str | None = None, *,
                  future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
                  now: int | None = None, source: str = "") -> ReadResult:
    """OMM JSON: an array of objects (or one object); records are numbered from 1."""
    text = _as_text(data, path, "JSON")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatNotRecognizedError(f"not JSON: {exc.msg}", path=path, line=exc.lineno,
                                       expected="a JSON array of OMM objects") from None
    items = doc if isinstance(doc, list) else [doc]

    def records():
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                item = FieldValueError("record is not a JSON object", field="record",
                                       expected="an object of OMM keys",
                                       found=type(item).__name__)
            yield {"record": i}, item

    return _read(records(), "omm-json", path, future_tolerance_days, now, source)


def read_omm_csv(data: str | bytes, path: str | None = None, *,
                 future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
                 now: int | None = None, source: str = "") -> ReadResult:
    """OMM CSV: a header row naming the columns (any order), one row per OMM.

    Errors carry the line number in the file.
    """
    reader = csv.reader(io.StringIO(_as_text(data, path, "CSV"), newline=""))
    header = None
    for row in reader:
        if any(c.strip() for c in row):
            header = [c.strip().upper() for c in row]
            break
    if header is None or not {"NORAD_CAT_ID", "EPOCH"} & set(header):
        raise FormatNotRecognizedError("no OMM header row", path=path, line=reader.line_num,
                                       expected="a header naming OMM keys such as EPOCH",
                                       found=",".join(header or [])[:80])

    def records():
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            loc = {"line": reader.line_num}
            if len(row) != len(header):
                yield loc, FieldValueError(
                    f"row has {len(row)} columns", field="row",
                    expected=f"{len(header)} columns as in the header")
            else:
                yield loc, dict(zip(header, row, strict=True))

    return _read(records(), "omm-csv", path, future_tolerance_days, now, source)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _flatten(elem: ET.Element) -> dict[str, str | None]:
    """Leaf elements of one OMM segment (or item) to ``{KEY: text}``."""
    rec: dict[str, str | None] = {}
    for e in elem.iter():
        if len(e) or e is elem:
            continue
        key = _local(e.tag).upper()
        if key == "USER_DEFINED":
            key = str(e.get("parameter", "")).upper()
        if key and key != "COMMENT":
            rec[key] = e.text
    return rec


def read_omm_xml(data: str | bytes, path: str | None = None, *,
                 future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
                 now: int | None = None, source: str = "") -> ReadResult:
    """OMM XML: ``<ndm>`` with many ``<omm>``, a bare ``<omm>``, with or without
    namespaces; also flat ``<xml><item>...</item></xml>`` lists.  Records are
    numbered by segment.  Parsed with defusedxml: DTDs and entities are refused.
    """
    data = _as_input(data)
    root = parse_xml(data, path, what="OMM XML")
    segments = [e for e in root.iter() if _local(e.tag) == "segment"]
    if not segments:
        segments = [e for e in root.iter() if _local(e.tag) == "omm"]
    if not segments:  # flat rows <xml><item><KEY>v</KEY>...</item></xml>, or one row
        segments = [c for c in root if len(c)] or [root]
    records = (({"record": i}, _flatten(seg)) for i, seg in enumerate(segments, 1))
    return _read(records, "omm-xml", path, future_tolerance_days, now, source)


def read_omm_kvn(data: str | bytes, path: str | None = None, *,
                 future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
                 now: int | None = None, source: str = "") -> ReadResult:
    """OMM KVN: ``KEY = value [units]`` lines and COMMENT lines; several OMMs
    may follow each other, each starting with ``CCSDS_OMM_VERS``.  Errors
    carry the line number of the key at fault (or of the message start).
    """
    text = _as_text(data, path, "KVN")
    if not _KVN_LINE.search(text):
        raise FormatNotRecognizedError("no KEY = value lines", path=path,
                                       expected="OMM KVN (CCSDS_OMM_VERS = 2.0 ...)")

    def records():
        rec: dict[str, str] = {}
        lines: dict[str, int] = {}
        bad: ParseError | None = None
        start: int | None = None  # line where the current message began
        for n, raw in enumerate(text.splitlines(), 1):
            s = raw.strip()
            if not s or s.startswith("COMMENT") or _KVN_BLOCK.match(s):
                continue
            key, eq, value = s.partition("=")
            key = key.strip().upper().removeprefix("USER_DEFINED_")
            if start is not None and (key == "CCSDS_OMM_VERS" or key in rec):
                yield {"line": start, "lines": lines}, bad or rec
                rec, lines, bad, start = {}, {}, None, None
            start = n if start is None else start
            if not eq or not _KVN_KEY.match(key):
                bad = bad or FieldValueError("not a KEY = value line", line=n, field="line",
                                             expected="KEY = value", found=raw[:80])
                continue
            value = value.strip()
            m = _UNITS.match(value)
            rec[key] = m[1] if m and _NUMBER.match(m[1]) else value
            lines[key] = n
        if start is not None:
            yield {"line": start, "lines": lines}, bad or rec

    return _read(records(), "omm-kvn", path, future_tolerance_days, now, source)


# --------------------------------------------------------------------------- writers
def omm_to_dict(es: ElementSet) -> dict[str, Any]:
    """An element set as CelesTrak's OMM JSON object (same keys, order and types)."""
    return {
        "OBJECT_NAME": es.name,
        "OBJECT_ID": es.intldes,
        "EPOCH": format_iso(es.epoch_us).removesuffix("Z"),
        "MEAN_MOTION": es.mean_motion,
        "ECCENTRICITY": es.eccentricity,
        "INCLINATION": es.inclination,
        "RA_OF_ASC_NODE": es.raan,
        "ARG_OF_PERICENTER": es.arg_perigee,
        "MEAN_ANOMALY": es.mean_anomaly,
        "EPHEMERIS_TYPE": es.ephemeris_type,
        "CLASSIFICATION_TYPE": es.classification or "U",
        "NORAD_CAT_ID": es.norad,
        "ELEMENT_SET_NO": es.element_set_no,
        "REV_AT_EPOCH": es.rev_at_epoch,
        "BSTAR": es.bstar,
        "MEAN_MOTION_DOT": es.mean_motion_dot,
        "MEAN_MOTION_DDOT": es.mean_motion_ddot,
    }


def _text(v: Any) -> str:
    """A value as text: floats in shortest round-trip form, None as ''."""
    return "" if v is None else repr(v) if isinstance(v, float) else str(v)


def _pairs(d: Mapping[str, Any], keys) -> list[tuple[str, Any]]:
    return [(k, d[k]) for k in keys if d[k] is not None]


def _metadata(es: ElementSet, d: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """OMM metadata lines: name, designator, and the fixed SGP4 frame and theory."""
    return _pairs(d, _META_KEYS) + [
        ("CENTER_NAME", "EARTH"), ("REF_FRAME", "TEME"), ("TIME_SYSTEM", "UTC"),
        ("MEAN_ELEMENT_THEORY", "SGP4-XP" if es.ephemeris_type == 4 else "SGP4")]


def write_omm_json(sets: Iterable[ElementSet]) -> str:
    """Element sets as a CelesTrak-style OMM JSON array."""
    return json.dumps([omm_to_dict(es) for es in sets], indent=1) + "\n"


def write_omm_csv(sets: Iterable[ElementSet]) -> str:
    """Element sets as CelesTrak-style OMM CSV with a header row."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(OMM_KEYS)
    for es in sets:
        w.writerow([_text(v) for v in omm_to_dict(es).values()])
    return out.getvalue()


def write_omm_xml(sets: Iterable[ElementSet]) -> str:
    """Element sets as one ``<ndm>`` of ``<omm>`` messages (CCSDS NDM/XML 2.0)."""
    ndm = ET.Element("ndm")
    created = format_iso(now_us(), 0).removesuffix("Z")
    for es in sets:
        d = omm_to_dict(es)
        omm = ET.SubElement(ndm, "omm", id="CCSDS_OMM_VERS", version="2.0")
        header = ET.SubElement(omm, "header")
        ET.SubElement(header, "CREATION_DATE").text = created
        ET.SubElement(header, "ORIGINATOR").text = "orbwatch"
        segment = ET.SubElement(ET.SubElement(omm, "body"), "segment")
        meta = ET.SubElement(segment, "metadata")
        data = ET.SubElement(segment, "data")
        for parent, pairs in ((meta, _metadata(es, d)),
                              (ET.SubElement(data, "meanElements"), _pairs(d, _MEAN_KEYS)),
                              (ET.SubElement(data, "tleParameters"), _pairs(d, _TLE_KEYS))):
            for key, value in pairs:
                ET.SubElement(parent, key).text = _text(value)
    ET.indent(ndm)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(ndm, "unicode") + "\n"


def write_omm_kvn(sets: Iterable[ElementSet]) -> str:
    """Element sets as concatenated OMM KVN messages."""
    out = []
    created = format_iso(now_us(), 0).removesuffix("Z")
    for es in sets:
        d = omm_to_dict(es)
        pairs = [("CCSDS_OMM_VERS", "2.0"), ("CREATION_DATE", created),
                 ("ORIGINATOR", "orbwatch"), *_metadata(es, d),
                 *_pairs(d, _MEAN_KEYS + _TLE_KEYS)]
        out += [f"{k:<20s}= {_text(v)}" for k, v in pairs]
        out.append("")
    return "\n".join(out)
