"""Cell converters of the satellite-catalogue readers (:mod:`orbwatch.elements.satcat`).

Each converter returns the cell's value (None for an empty or "missing"
cell) or raises :class:`Bad` with what was expected; the row loop of the
readers turns that into a named :class:`~orbwatch.errors.FieldValueError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from orbwatch.elements.model import normalize_intldes

# the converters are private to the SATCAT readers, which import them by name
__all__ = ["RCS_SIZES"]

RCS_SIZES = ("SMALL", "MEDIUM", "LARGE")

class _Bad(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _text(v):
    if v is None:
        return None
    return str(v).strip() or None


def _ucs_text(v):
    """UCS text: drop CSV-era double quotes, repair UTF-8 that was read as Latin-1."""
    s = _text(v)
    if s and len(s) > 1 and s[0] == s[-1] == '"':
        s = s[1:-1].strip() or None
    if s and ("\u00c3" in s or "\u00c2" in s):
        try:  # UTF-8 bytes that were decoded as cp1252 (e.g. "Ã‘uSat-1" for "ÑuSat-1")
            s = s.encode("cp1252").decode("utf-8", "replace").replace("\ufffd", "")
        except UnicodeError:
            return s
        c1 = [c for c in s if "\x80" <= c <= "\x9f"]  # a second cp1252 round trip (’ •)
        for c in c1:
            s = s.replace(c, bytes([ord(c)]).decode("cp1252", "replace"))
        s = " ".join(s.replace("\xa0", " ").split())
    return s


def _float(v):
    if v is None or v == "":
        return None
    if type(v) is bool:
        raise _Bad("a number")
    try:
        x = float(v)
    except (TypeError, ValueError):
        if isinstance(v, str) and not v.strip():
            return None
        raise _Bad("a number") from None
    if not math.isfinite(x):
        raise _Bad("a finite number")
    return x


def _float_but(missing: Callable[[float], bool]) -> Callable:
    """A number, None where ``missing(x)`` says the source means "not given"."""

    def conv(v):
        x = _float(v)
        return None if x is None or missing(x) else x

    return conv


_positive = _float_but(lambda x: x <= 0)  # sizes, masses
_sentinel = _float_but(lambda x: x == -1)  # TruSat's SATCAT dump
_nonzero = _float_but(lambda x: x == 0)  # UCS


def _norad(v):
    if type(v) is int:
        n = v
    else:
        s = "" if v is None else str(v).strip()
        if not s.isdigit():
            raise _Bad("a positive integer catalogue number")
        n = int(s)
    if n <= 0:
        raise _Bad("a positive integer catalogue number")
    return n


def _intldes(v):
    if v is None:
        return None
    if not isinstance(v, str):
        raise _Bad("an international designator such as 1998-067A")
    return normalize_intldes(v)


@lru_cache(maxsize=32768)
def _date_text(s: str):
    s = s.strip()
    if not s or s.startswith("0000-00-00"):
        return None
    try:
        if "/" in s:
            m, d, y = s.split("/")
            return date(int(y), int(m), int(d)).isoformat()
        return date.fromisoformat(s[:10] if len(s) > 10 and s[10] in "T " else s).isoformat()
    except ValueError:
        raise _Bad("a date YYYY-MM-DD (or M/D/YYYY)") from None


def _date(v):
    if v is None:
        return None
    if not isinstance(v, str):
        raise _Bad("a date YYYY-MM-DD (or M/D/YYYY)")
    return _date_text(v)


def _rcs_size(v):
    s = _text(v)
    if s is not None and s.upper() not in RCS_SIZES:
        raise _Bad("SMALL, MEDIUM or LARGE")
    return s and s.upper()


def _type_map(table: dict, expected: str) -> Callable:
    """Object-type codes to OBJECT_TYPES; None means "infer from the name"."""

    def conv(v):
        s = _text(v)
        if s is None:
            return None
        try:
            return table[s.upper()]
        except KeyError:
            raise _Bad(expected) from None

    return conv


