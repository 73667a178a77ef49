"""A small tokenizer for MySQL dumps (``INSERT INTO `t` (...) VALUES (...), ...;``).

Regexes over each tuple, never eval: ``X'..'`` hex strings decode as UTF-8,
quoted strings are unescaped, ``NULL`` is None, numbers stay text.
"""

from __future__ import annotations

import re

from orbwatch.errors import FieldValueError, FormatNotRecognizedError

__all__ = ["sql_rows", "INSERT_RE"]


INSERT_RE = re.compile(r"INSERT\s+INTO\s+`?(\w+)`?\s*\(([^)]*)\)\s*VALUES\s*", re.I)
_QUOTED = r"'[^'\\]*+(?:(?:\\.|'')[^'\\]*+)*+'"
_ATOM = r"(?:[Xx]?" + _QUOTED + r"|[^,'()\s]++)"  # 'text', X'hex', NULL, number
_TUPLE = re.compile(r"\s*\(\s*+(" + _ATOM + r"(?:\s*+,\s*+" + _ATOM + r")*+)\s*+\)\s*([,;]?)", re.S)
_VALUE = re.compile(r"(" + _ATOM + r")\s*+,\s*+", re.S)  # safe: _TUPLE checked the grammar
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_ESCAPE = re.compile(r"\\(.)|''", re.S)


def _unescape(s: str) -> str:
    if "\\" not in s and "''" not in s:
        return s
    return _ESCAPE.sub(lambda m: "'" if m[1] is None else _ESCAPES.get(m[1], m[1]), s)


def sql_rows(text: str, table: str, path, errors: list):
    """Header and ``(line, record, values)`` of every INSERT tuple into ``table``.

    A small tokenizer (regexes over each tuple, never eval): ``X'..'`` hex
    strings are decoded as UTF-8, quoted strings unescaped, ``NULL`` is None,
    numbers stay text for the converters.  A malformed tuple is reported and
    skipped up to the next line that starts a tuple.
    """
    header, rows, recno, line, last = None, [], 0, 1, 0
    for ins in INSERT_RE.finditer(text):
        if ins[1] != table:
            continue
        cols = [c.strip().strip("`") for c in ins[2].split(",")]
        header = header or cols
        remap = None if cols == header else [cols.index(h) if h in cols else None for h in header]
        pos = ins.end()
        while True:
            m = _TUPLE.match(text, pos)
            start = pos
            while start < len(text) and text[start] in " \t\r\n":
                start += 1
            line += text.count("\n", last, start)
            last = start
            recno += 1
            if m is None:
                errors.append(FieldValueError(
                    "malformed INSERT value tuple", path=path, line=line, record=recno,
                    expected="(value, value, ...)", found=text[start:start + 60]))
                nxt, stop = text.find("\n(", start + 1), text.find(";", start)
                if nxt < 0 or 0 <= stop < nxt:
                    break
                pos = nxt + 1
                continue
            values = []
            for tok in _VALUE.findall(m[1] + ","):
                c = tok[:1]
                if c == "'":
                    values.append(_unescape(tok[1:-1]))
                elif c and c in "Xx":
                    values.append(bytes.fromhex(tok[2:-1]).decode("utf-8", "replace"))
                else:
                    tok = tok.strip()
                    values.append(None if tok.upper() == "NULL" else tok)
            if remap is not None and len(values) == len(cols):
                values = [None if j is None else values[j] for j in remap]
            rows.append((line, recno, values))
            pos = m.end()
            if m[2] != ",":
                break
    if header is None:
        raise FormatNotRecognizedError(
            f"no INSERT INTO `{table}` in the SQL dump", path=path,
            expected=f"INSERT INTO `{table}` (...) VALUES (...)", found=text[:60].strip())
    return header, rows
