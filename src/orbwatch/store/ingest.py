"""Ingest files and fetched content into the store, one transaction per input.

Re-ingesting the same data changes nothing (content keys); a file with
rejected records commits its valid records with a report, or nothing at
all with ``strict=True``; a killed ingest leaves every file that was
reported committed in the database and nothing of the file in progress.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from orbwatch.elements.readers import read_bytes, read_path
from orbwatch.elements.tle import DEFAULT_FUTURE_TOLERANCE_DAYS
from orbwatch.errors import FormatNotRecognizedError, ParseError
from orbwatch.store.db import BatchReport, Store

__all__ = ["ingest_path", "ingest_bytes", "expand_paths", "INPUT_SUFFIXES"]

#: file endings picked up when a directory is given
INPUT_SUFFIXES = (".tle", ".txt", ".3le", ".2le", ".json", ".xml", ".kvn", ".csv", ".omm",
                  ".sql", ".gz")


def expand_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files as given; directories expanded (sorted, recursive) to element
    and catalogue files by their endings."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.name.lower().endswith(INPUT_SUFFIXES):
                    yield f
        else:
            yield path


def _commit(store: Store, outcome, source: str, strict: bool) -> BatchReport:
    return store.write_batch(
        outcome.sets, source=source, fmt=outcome.format, content_sha256=outcome.sha256,
        rejects=outcome.errors, records=outcome.records, catalog=outcome.catalog,
        strict=strict)


def ingest_path(
    store: Store,
    path: str | os.PathLike,
    *,
    strict: bool = False,
    verify_checksum: bool = True,
    fmt: str = "auto",
    future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
    now: int | None = None,
    source: str | None = None,
) -> BatchReport:
    """Read one file and write it as one batch.  An unreadable file gives an
    uncommitted report with the error (nothing written)."""
    src = source or f"file:{Path(path).resolve()}"
    try:
        outcome = read_path(path, fmt=fmt, verify_checksum=verify_checksum,
                            future_tolerance_days=future_tolerance_days, now=now,
                            source=source or f"file:{Path(path).name}")
    except ParseError as exc:
        return BatchReport(source=src, rejected=1, rejects={exc.reason: 1}, errors=[exc])
    if not outcome.sets and not outcome.catalog and not outcome.errors:
        exc = FormatNotRecognizedError("no element sets or catalogue records found",
                                       path=str(path),
                                       expected="TLE, OMM (JSON/CSV/XML/KVN) or SATCAT content")
        return BatchReport(source=src, format=outcome.format, rejected=0, errors=[exc])
    return _commit(store, outcome, src, strict)


def ingest_bytes(
    store: Store,
    data: bytes,
    *,
    source: str,
    strict: bool = False,
    verify_checksum: bool = True,
    fmt: str = "auto",
    future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
    now: int | None = None,
) -> BatchReport:
    """Ingest content fetched from a source (``source`` names it, e.g.
    ``celestrak:GROUP=stations``)."""
    try:
        outcome = read_bytes(data, path=source, fmt=fmt, verify_checksum=verify_checksum,
                             future_tolerance_days=future_tolerance_days, now=now,
                             source=source)
    except ParseError as exc:
        return BatchReport(source=source, rejected=1, rejects={exc.reason: 1}, errors=[exc])
    return _commit(store, outcome, source, strict)
