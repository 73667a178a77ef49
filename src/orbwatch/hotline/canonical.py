"""RFC 8785 JSON Canonicalization Scheme (JCS).

The canonical form is what the hotline signs and what its log hashes:

* object members sorted by their names compared as arrays of UTF-16 code units;
* no whitespace;
* strings with the minimal escaping of ECMAScript ``JSON.stringify``:
  ``\\"``, ``\\\\``, ``\\b \\f \\n \\r \\t``, other controls below U+0020 as
  ``\\u00xx`` (lower-case hex), everything else as UTF-8;
* numbers as ECMAScript ``Number.prototype.toString`` writes the IEEE-754
  double: shortest round-trip digits, plain notation for 1e-6 <= |x| < 1e21,
  exponent form (``1e+21``, ``1e-7``) outside, ``-0`` as ``0``.

Python ``int`` values must lie in the I-JSON safe range ``|n| <= 2**53`` (they
are doubles to every other JSON reader); larger ones are refused rather than
silently rounded.  NaN, Infinity and lone surrogates are refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from orbwatch.hotline.errors import CanonicalizationError

__all__ = ["CanonicalizationError", "canonicalize", "canonical_text", "format_number",
           "MAX_SAFE_INTEGER"]

MAX_SAFE_INTEGER = 2**53

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                  "\r": "\\r", "\t": "\\t"}


def _es_float(x: float) -> str:
    """ECMAScript Number::toString(x) for a finite double (ECMA-262 §6.1.6.1.20)."""
    if x == 0:
        return "0"  # both +0 and -0
    if x < 0:
        return "-" + _es_float(-x)
    # repr() gives the shortest digit string that round-trips, with the
    # closest value chosen among equally short candidates: the same digits
    # ECMAScript asks for.  Split it into digits s (k of them) and n such that
    # x = 0.s * 10**n.
    text = repr(x)
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    n = len(whole.lstrip("0")) + (int(exp) if exp else 0)
    if not whole.lstrip("0"):
        # 0.000ddd: the leading zeros of the fraction shift the exponent
        n -= len(frac) - len(frac.lstrip("0"))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(e)}"


def format_number(value: int | float) -> str:
    """The JCS text of a number."""
    if isinstance(value, bool):
        raise CanonicalizationError("a boolean is not a number")
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"integer {value} is outside the I-JSON range +-2**53; send it as a string")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CanonicalizationError(f"{value!r} has no JSON form (RFC 8785 §3.2.2.3)")
        return _es_float(value)
    raise CanonicalizationError(f"not a number: {type(value).__name__}")


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise CanonicalizationError(
                f"string {s[:40]!r} holds a lone surrogate U+{code:04X} (not I-JSON)")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_key(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly like the code-unit sequences.
    return name.encode("utf-16-be", "surrogatepass")


def _write(value: object, out: list[str], depth: int) -> None:
    if depth > 256:
        raise CanonicalizationError("JSON nested deeper than 256 levels")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        out.append(format_number(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise CanonicalizationError(f"object member name {key!r} is not a string")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    else:
        raise CanonicalizationError(f"{type(value).__name__} has no JSON form")


def canonical_text(value: object) -> str:
    """The JCS form of ``value`` as a ``str``."""
    out: list[str] = []
    _write(value, out, 0)
    return "".join(out)


def canonicalize(value: object) -> bytes:
    """The JCS form of ``value`` as UTF-8 bytes (what gets signed and hashed)."""
    return canonical_text(value).encode("utf-8")
