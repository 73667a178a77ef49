"""keeptrack.space JSON catalogues (``TLE.json``, ``TLEdebris.json``).

Each file is a JSON array of objects holding a TLE (``TLE1``, ``TLE2``) and
catalogue metadata under short keys: ``ON`` name, ``C`` country, ``OT``
object type (1 payload, 2 rocket body, 3 debris), ``LS`` launch site,
``LV`` launch vehicle, ``LD`` launch date, ``R`` radar cross-section (an
RCS class 0/1/2 in some versions, m² as text in others), ``URL``.  The TLE
is read by :func:`orbwatch.elements.tle.parse_tle`; the metadata goes into
``ElementSet.extra`` under ``country``, ``object_type`` ("payload",
"rocket body", "debris", "unknown"), ``launch_site``, ``launch_vehicle``,
``launch_date``, ``rcs`` and ``url``.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from orbwatch.elements.model import ElementSet
from orbwatch.elements.tle import DEFAULT_FUTURE_TOLERANCE_DAYS, ReadResult, parse_tle
from orbwatch.errors import FieldValueError, FormatNotRecognizedError, ParseError
from orbwatch.time import US_PER_DAY, now_us

__all__ = ["OBJECT_TYPES", "read_keeptrack_json", "keeptrack_record_to_element_set"]

#: keeptrack ``OT`` codes
OBJECT_TYPES = {1: "payload", 2: "rocket body", 3: "debris"}

# keeptrack key -> ElementSet.extra key (object type handled apart)
_EXTRA = {"C": "country", "LS": "launch_site", "LV": "launch_vehicle", "LD": "launch_date",
          "R": "rcs", "URL": "url"}


def _object_type(code: Any) -> str:
    try:
        return OBJECT_TYPES.get(int(code), "unknown")
    except (TypeError, ValueError):
        return "unknown"


def keeptrack_record_to_element_set(
    rec: dict,
    *,
    verify_checksum: bool = True,
    max_epoch_us: int | None = None,
    source: str = "",
) -> ElementSet:
    """One keeptrack object to a validated :class:`ElementSet` (raises ParseError)."""
    line1, line2 = rec.get("TLE1"), rec.get("TLE2")
    for key, line in (("TLE1", line1), ("TLE2", line2)):
        if not isinstance(line, str) or not line.strip():
            raise FieldValueError(f"{key} is missing", field=key,
                                  expected="TLE1 and TLE2 strings", found=repr(line)[:80])
    name = rec.get("ON")
    es = parse_tle(line1, line2, name if isinstance(name, str) else None,
                   verify_checksum=verify_checksum, max_epoch_us=max_epoch_us, source=source)
    extra = es.extra
    for key, out in _EXTRA.items():
        v = rec.get(key)
        if v is not None and v != "":
            extra[out] = v.strip() if isinstance(v, str) else v
    extra["object_type"] = _object_type(rec.get("OT"))
    return es


def read_keeptrack_json(
    data: str | bytes,
    path: str | None = None,
    *,
    verify_checksum: bool = True,
    future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
    now: int | None = None,
    source: str = "",
) -> ReadResult:
    """Read a keeptrack.space JSON catalogue (text, bytes, or gzip bytes).

    Every object is an element set in ``sets`` or a named error in
    ``errors`` with its 1-based index in the array as ``record``.  Input
    that is not a JSON array raises :class:`FormatNotRecognizedError`.
    """
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatNotRecognizedError(f"not UTF-8 ({exc.reason} at byte {exc.start})",
                                           path=path, field="encoding",
                                           expected="keeptrack JSON in UTF-8") from None
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FormatNotRecognizedError(f"not JSON: {exc.msg}", path=path, line=exc.lineno,
                                       expected="a keeptrack JSON array") from None
    if not isinstance(doc, list):
        raise FormatNotRecognizedError("not a JSON array", path=path,
                                       expected="a keeptrack JSON array of objects",
                                       found=type(doc).__name__)
    max_epoch = None
    if future_tolerance_days is not None:
        max_epoch = (now if now is not None else now_us()) + int(
            future_tolerance_days * US_PER_DAY)
    result = ReadResult(records=len(doc))
    for i, rec in enumerate(doc, 1):
        try:
            if not isinstance(rec, dict):
                raise FieldValueError("record is not a JSON object", field="record",
                                      expected="an object with TLE1 and TLE2",
                                      found=type(rec).__name__)
            result.sets.append(keeptrack_record_to_element_set(
                rec, verify_checksum=verify_checksum, max_epoch_us=max_epoch,
                source=source))
        except ParseError as exc:
            result.errors.append(exc.with_location(path=path, record=i))
    return result
