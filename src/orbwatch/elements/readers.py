"""Read any supported file: sniff the format, decompress gzip, dispatch.

Formats: TLE/2LE/3LE, CCSDS OMM (JSON, CSV, XML, KVN; CelesTrak and
Space-Track flavours), keeptrack.space JSON, and satellite-catalogue tables
(CelesTrak/Space-Track SATCAT, objects-in-orbit lists, CARA HBR, SQL dumps).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.elements import keeptrack, omm, satcat, tle
from orbwatch.elements.model import ElementSet
from orbwatch.errors import FormatNotRecognizedError, ParseError

__all__ = ["ReadOutcome", "read_bytes", "read_path", "sniff_format", "FORMATS",
           "MAX_INPUT_BYTES"]

#: formats :func:`read_bytes` can be told to use (``fmt=``), besides "auto"
FORMATS = ("tle", "omm-json", "omm-csv", "omm-xml", "omm-kvn", "keeptrack-json", "satcat")

#: largest (decompressed) input accepted, to refuse decompression bombs
MAX_INPUT_BYTES = 2 * 1024**3


@dataclass
class ReadOutcome:
    """Everything read from one input."""

    format: str
    sets: list[ElementSet] = field(default_factory=list)
    catalog: list = field(default_factory=list)  # satcat.CatalogRecord
    errors: list[ParseError] = field(default_factory=list)
    records: int = 0
    sha256: str = ""


def _decompress(data: bytes, path: str | None) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, MAX_INPUT_BYTES)
        if d.unconsumed_tail:
            raise FormatNotRecognizedError(
                "gzip content is larger than the input limit", path=path,
                expected=f"at most {MAX_INPUT_BYTES} bytes decompressed")
        if not d.eof:
            raise FormatNotRecognizedError(
                "gzip data ends early (truncated download?)", path=path,
                expected="a complete gzip file")
        # concatenated gzip members
        rest = d.unused_data
        if rest:
            out += gzip.decompress(rest)
        return out
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatNotRecognizedError(f"corrupt gzip data ({exc})", path=path,
                                       expected="a complete gzip file") from None


_TLE_LINE = re.compile(r"^[12] [ 0-9A-Z]{5}", re.M)


def sniff_format(text: str) -> str:
    """Guess the format from the (decompressed) text; "unknown" when nothing fits."""
    head = text.lstrip("\ufeff \t\r\n")[:65536]
    first_line = head.split("\n", 1)[0]
    if head.startswith("<"):
        return "omm-xml"
    if head.startswith(("[", "{")):
        probe = head[:2048]
        if '"TLE1"' in probe:
            return "keeptrack-json"
        if '"MEAN_MOTION"' in probe or '"EPOCH"' in probe:
            return "omm-json"
        return "satcat"
    if "CCSDS_OMM_VERS" in head[:512]:
        return "omm-kvn"
    if "INSERT INTO" in head or "CREATE TABLE" in head:
        return "satcat"
    if "," in first_line and not _TLE_LINE.match(first_line):
        upper = first_line.upper()
        if "MEAN_MOTION" in upper and "EPOCH" in upper:
            return "omm-csv"
        return "satcat"
    if _TLE_LINE.search(text):
        return "tle"
    return "unknown"


def read_bytes(
    data: bytes,
    *,
    path: str | None = None,
    fmt: str = "auto",
    verify_checksum: bool = True,
    future_tolerance_days: float | None = tle.DEFAULT_FUTURE_TOLERANCE_DAYS,
    now: int | None = None,
    source: str | None = None,
) -> ReadOutcome:
    """Read one input given as bytes (gzip is decompressed transparently)."""
    sha = hashlib.sha256(data).hexdigest()
    raw = _decompress(data, path)
    text = raw.decode("utf-8", errors="replace")
    if fmt == "auto":
        fmt = sniff_format(text)
        if fmt == "unknown":
            raise FormatNotRecognizedError(
                "content matches no supported format", path=path,
                expected="TLE/3LE lines, OMM (JSON, CSV, XML, KVN), keeptrack JSON "
                         "or a SATCAT table", found=text.lstrip()[:40])
    if fmt not in FORMATS:
        raise FormatNotRecognizedError(f"unknown format {fmt!r}", path=path,
                                       expected=" | ".join(FORMATS))
    src = source if source is not None else (f"file:{Path(path).name}" if path else "input")
    kw = dict(path=path, future_tolerance_days=future_tolerance_days, now=now, source=src)
    if fmt == "satcat":
        try:
            res = satcat.read_satcat(raw, path=path)
        except csv.Error as exc:  # malformed CSV quoting or line endings
            raise FormatNotRecognizedError(f"malformed CSV ({exc})", path=path,
                                           expected="a well-formed CSV table") from None
        return ReadOutcome(format="satcat", catalog=list(res.records), errors=list(res.errors),
                           records=len(res.records) + len(res.errors), sha256=sha)
    if fmt == "tle":
        r = tle.read_tle(text, verify_checksum=verify_checksum, **kw)
    elif fmt == "keeptrack-json":
        r = keeptrack.read_keeptrack_json(text, verify_checksum=verify_checksum, **kw)
    elif fmt == "omm-json":
        r = omm.read_omm_json(text, **kw)
    elif fmt == "omm-csv":
        r = omm.read_omm_csv(text, **kw)
    elif fmt == "omm-xml":
        r = omm.read_omm_xml(raw, **kw)
    else:
        r = omm.read_omm_kvn(text, **kw)
    records = r.records or (len(r.sets) + len(r.errors))
    return ReadOutcome(format=fmt, sets=r.sets, errors=r.errors, records=records, sha256=sha)


def read_path(path: str | os.PathLike, **kwargs) -> ReadOutcome:
    """Read a file (``-`` is not accepted here; the CLI handles stdin)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FormatNotRecognizedError("no such file", path=str(p),
                                       expected="an existing file") from None
    except IsADirectoryError:
        raise FormatNotRecognizedError("is a directory", path=str(p),
                                       expected="a file (directories are expanded by the CLI)"
                                       ) from None
    except PermissionError:
        raise FormatNotRecognizedError("permission denied", path=str(p),
                                       expected="a readable file") from None
    return read_bytes(data, path=str(p), **kwargs)
