"""Output in the three formats every command offers: table, csv, json.

JSON and CSV go to stdout and nothing else does; tables, progress and logs
go to stderr-safe rich consoles so piping ``--format json`` stays clean.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum

from rich.console import Console
from rich.table import Table

__all__ = ["OutputFormat", "emit", "err_console", "out_console", "read_json_file"]

err_console = Console(stderr=True)
# tables piped to a file or pager keep their full width instead of 80 columns
out_console = Console() if sys.stdout.isatty() else Console(width=200)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def emit(rows: Sequence[dict], fmt: OutputFormat, *, columns: Sequence[str] | None = None,
         title: str | None = None, document: dict | list | None = None) -> None:
    """Write ``rows`` in ``fmt``.  ``document`` (JSON only) replaces the bare
    row list when a command returns a richer object."""
    cols = list(columns) if columns else (list(rows[0]) if rows else [])
    if fmt is OutputFormat.json:
        json.dump(document if document is not None else list(rows), sys.stdout, indent=2,
                  default=str)
        sys.stdout.write("\n")
        return
    if fmt is OutputFormat.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in cols})
        return
    table = Table(title=title, show_lines=False)
    for c in cols:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in cols))
    out_console.print(table)


def read_json_file(path: str):
    """The JSON document of a file the user named; unreadable or malformed
    files are one-line user errors (path, line, what is wrong)."""
    from pathlib import Path

    from orbwatch.errors import UserError

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
