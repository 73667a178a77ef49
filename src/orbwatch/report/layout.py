"""HTML building blocks of the report: the page shell (inline CSS, no
scripts, no external assets), escaped tables and lists, figures."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from string import Template
from typing import Any

from orbwatch.report.model import format_value, unit_of

__all__ = ["page", "esc", "table", "kv_table", "metrics_table", "bullet_list", "link",
           "figure_html", "json_block"]

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
 max-width:62rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;
 padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d0d0d0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.breach{color:#a40000;font-weight:600}.undetermined{color:#6b5900;font-weight:600}
.finding{border-left:4px solid #bbb;padding:.2rem .9rem;margin:1rem 0}
.finding.breach-box{border-left-color:#a40000}.finding.undetermined-box{border-left-color:#c9a400}
.meta{color:#555;font-size:.85rem}.note{color:#555;font-style:italic}
figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85rem;color:#444}pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;
 font-size:.8rem;white-space:pre-wrap;word-break:break-all}
nav{font-size:.9rem;margin-bottom:1rem}
"""

_SHELL = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="orbwatch">
<title>$title</title>
<style>$css</style>
</head>
<body>
$nav<h1>$title</h1>
$body
<footer class="meta"><p>$footer</p></footer>
</body>
</html>
""")


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, nav: str = "", footer: str = "") -> str:
    """A complete self-contained HTML page (``body`` is already HTML)."""
    return _SHELL.substitute(title=esc(title), css=CSS, body=body,
                             nav=f"<nav>{nav}</nav>\n" if nav else "", footer=footer)


def link(href: str, text: Any) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _cell(value: Any, raw: bool) -> str:
    if raw:
        return f"<td>{value}</td>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="num">{esc(format_value(value))}</td>'
    return f"<td>{esc(value)}</td>"


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]], *,
          raw: Iterable[int] = ()) -> str:
    """A table; cells in the ``raw`` columns are HTML already, others are escaped."""
    raw = set(raw)
    headers = list(headers)
    head = ("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead>"
            if any(headers) else "")  # a name-value table needs no empty header row
    body = "".join("<tr>" + "".join(_cell(v, i in raw) for i, v in enumerate(r)) + "</tr>\n"
                   for r in rows)
    return f"<table>{head}\n<tbody>\n{body}</tbody></table>"


def kv_table(items: Mapping[str, Any], *, raw: bool = False) -> str:
    """Two columns: name, value."""
    rows = [(k, v) for k, v in items.items()]
    return table(["", ""], rows, raw=(1,) if raw else ())


def metrics_table(metrics: Mapping[str, Any], *, caption: str = "quantity") -> str:
    """Name, value and unit of each number (units from the metric's name)."""
    rows = [(k, format_value(v) if not isinstance(v, str) else v, unit_of(k))
            for k, v in metrics.items()]
    if not rows:
        return '<p class="note">none</p>'
    return table([caption, "value", "unit"], rows)


def bullet_list(items: Iterable[str], *, raw: bool = False, empty: str = "none") -> str:
    items = list(items)
    if not items:
        return f'<p class="note">{esc(empty)}</p>'
    return "<ul>" + "".join(f"<li>{i if raw else esc(i)}</li>" for i in items) + "</ul>"


def figure_html(fig) -> str:
    """A :class:`~orbwatch.report.figures.Figure`: the embedded image with its
    caption, or the note saying why it is missing."""
    if fig is None:
        return ""
    if fig.uri is None:
        return f'<p class="note">{esc(fig.caption)}</p>'
    return (f'<figure class="fig-{esc(fig.kind)}"><img alt="{esc(fig.kind)} figure" '
            f'src="{fig.uri}"><figcaption>{esc(fig.caption)}</figcaption></figure>')


def json_block(value: Any, *, limit: int = 4000) -> str:
    """Compact JSON in a <pre>, cut at ``limit`` characters (the JSON report has it all)."""
    text = json.dumps(value, indent=1)
    if len(text) > limit:
        text = text[:limit] + "\n... (cut here; the full record is in report.json)"
    return f"<pre>{esc(text)}</pre>"
