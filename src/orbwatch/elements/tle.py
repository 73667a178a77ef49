"""Two- and three-line element sets (TLE, 2LE, 3LE), read and written.

Reading is strict by column, as the format is defined (Space-Track's
"Basic Description of the Two Line Element Set Format") and as SGP4 reads
it; each rejected record raises or reports a named error that shows the
column template above the offending line.  Alpha-5 catalogue numbers
(``A0000`` = 100000 ... ``Z9999`` = 339999) are read and written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from orbwatch.elements.model import ElementSet, normalize_intldes, validate
from orbwatch.errors import (
    CatalogNumberMismatchError,
    ChecksumError,
    ColumnLayoutError,
    EpochError,
    ExponentError,
    FieldValueError,
    MeanMotionError,
    NonAsciiError,
    ParseError,
)
from orbwatch.time import now_us, tle_epoch_to_us, tle_year, us_to_tle_epoch

__all__ = [
    "TEMPLATE_1",
    "TEMPLATE_2",
    "ReadResult",
    "parse_tle",
    "read_tle",
    "format_tle",
    "checksum",
    "alpha5_to_int",
    "int_to_alpha5",
    "DEFAULT_FUTURE_TOLERANCE_DAYS",
]

TEMPLATE_1 = "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN"
TEMPLATE_2 = "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN"

#: epochs later than now + this many days are refused as impossible
DEFAULT_FUTURE_TOLERANCE_DAYS = 30.0

_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are skipped
_EXP_FIELD = re.compile(r"^([ +-])(\d{5})([ +-])(\d)$")
_NDOT_FIELD = re.compile(r"^ *[+-]?(\d*)\.(\d+)$|^ *[+-]?\d+$")
# blank columns of each line (0-based) that separate fields
_BLANKS_1 = (1, 8, 17, 32, 43, 52, 61, 63)
_BLANKS_2 = (1, 7, 16, 25, 33, 42, 51)


@dataclass
class ReadResult:
    """Element sets read from one input, and the records that were rejected."""

    sets: list[ElementSet] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    records: int = 0  # records seen (accepted + rejected)


def checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns: digits count their value,
    a minus sign counts 1, everything else 0."""
    total = 0
    for ch in line[:68]:
        if "0" <= ch <= "9":
            total += ord(ch) - 48
        elif ch == "-":
            total += 1
    return total % 10


def alpha5_to_int(text: str) -> int:
    """Catalogue number field (5 columns, digits, Alpha-5, or space padded)."""
    t = text.strip()
    if not t:
        raise ValueError("blank catalogue number")
    if t.isdigit():
        return int(t)
    head, tail = t[0].upper(), t[1:]
    if len(t) == 5 and head in _ALPHA5 and tail.isdigit():
        return (_ALPHA5.index(head) + 10) * 10000 + int(tail)
    raise ValueError(f"not a catalogue number: {text!r}")


def int_to_alpha5(n: int) -> str:
    """Catalogue number to the 5-column field; Alpha-5 above 99999."""
    if 0 <= n <= 99999:
        return f"{n:05d}"
    if n <= 339999:
        return _ALPHA5[n // 10000 - 10] + f"{n % 10000:04d}"
    raise ValueError(
        f"catalogue number {n} does not fit a TLE (max 339999 with Alpha-5); use OMM"
    )


def _err(cls, message, *, line, lineno, path, field_=None, expected=None, found=None):
    template = TEMPLATE_1 if line[:1] == "1" else TEMPLATE_2 if line[:1] == "2" else None
    return cls(message, path=path, line=lineno, field=field_, expected=expected,
               found=found, text=line, template=template)


def _check_ascii(line: str, lineno: int | None, path: str | None) -> None:
    if line.isascii() and line.isprintable():
        return
    for col, ch in enumerate(line, 1):
        if not (ch.isascii() and ch.isprintable()):
            import unicodedata

            uname = unicodedata.name(ch, "control character")
            raise NonAsciiError(
                f"character U+{ord(ch):04X} {uname} at column {col}",
                path=path, line=lineno, field="text",
                expected="printable ASCII only (retype the spaces)",
                text=line.encode("ascii", "replace").decode(),
            )


def _exp_field(line: str, a: int, b: int, name: str, lineno, path) -> float:
    """Assumed-decimal exponent field such as `` 28098-4`` = 0.28098e-4."""
    text = line[a:b]
    m = _EXP_FIELD.match(text)
    if not m:
        raise _err(ExponentError, "malformed exponent field", line=line, lineno=lineno,
                   path=path, field_=f"{name} (columns {a + 1}-{b})",
                   expected="sign, 5 digits, exponent sign and digit like ' 28098-4'",
                   found=text)
    sign = -1.0 if m[1] == "-" else 1.0
    exp = int(m[4]) * (-1 if m[3] == "-" else 1)
    return sign * int(m[2]) * 1e-5 * 10.0**exp


def _float(line: str, a: int, b: int, name: str, lineno, path, expected: str) -> float:
    text = line[a:b]
    try:
        return float(text)
    except ValueError:
        raise _err(FieldValueError, "not a number", line=line, lineno=lineno, path=path,
                   field_=f"{name} (columns {a + 1}-{b})", expected=expected,
                   found=text) from None


def _check_line(line: str, num: str, lineno, path, verify_checksum: bool) -> str:
    _check_ascii(line, lineno, path)
    line = line.rstrip()
    if len(line) < 69:
        if verify_checksum or len(line) < 68:
            raise _err(ColumnLayoutError, f"line {num} is {len(line)} characters long",
                       line=line, lineno=lineno, path=path, field_="length",
                       expected="69 columns (68 and a checksum digit)")
        line = line + "0"
    elif len(line) > 69 and line[69] != " ":
        raise _err(ColumnLayoutError, f"line {num} runs past column 69", line=line,
                   lineno=lineno, path=path, field_="length",
                   expected="69 columns, or extra fields after a blank",
                   found=line[69:79])
    if line[0] != num:
        raise _err(ColumnLayoutError, "wrong line number", line=line, lineno=lineno,
                   path=path, field_="column 1", expected=num, found=line[0])
    for col in _BLANKS_1 if num == "1" else _BLANKS_2:
        if line[col] != " ":
            raise _err(ColumnLayoutError, f"column {col + 1} must be blank (fields shifted?)",
                       line=line, lineno=lineno, path=path, field_=f"column {col + 1}",
                       expected="a space", found=line[col])
    if verify_checksum:
        want = checksum(line)
        got = line[68]
        if not got.isdigit() or int(got) != want:
            raise _err(ChecksumError, "checksum does not match", line=line, lineno=lineno,
                       path=path, field_="checksum (column 69)", expected=str(want),
                       found=got)
    return line


def parse_tle(
    line1: str,
    line2: str,
    name: str | None = None,
    *,
    path: str | None = None,
    lineno: int | None = None,
    verify_checksum: bool = True,
    max_epoch_us: int | None = None,
    source: str = "",
) -> ElementSet:
    """Parse one TLE into a validated :class:`ElementSet`.

    ``lineno`` is the line number of line 1 (line 2 is ``lineno + 1``);
    errors carry it.  Raises a :class:`ParseError` subclass.
    """
    l2no = None if lineno is None else lineno + 1
    line1 = _check_line(line1, "1", lineno, path, verify_checksum)
    line2 = _check_line(line2, "2", l2no, path, verify_checksum)
    try:
        norad = alpha5_to_int(line1[2:7])
    except ValueError:
        raise _err(FieldValueError, "bad catalogue number", line=line1, lineno=lineno,
                   path=path, field_="catalogue number (columns 3-7)",
                   expected="5 digits or Alpha-5 (A0000..Z9999)", found=line1[2:7]) from None
    try:
        norad2 = alpha5_to_int(line2[2:7])
    except ValueError:
        norad2 = None
    if norad2 != norad:
        raise _err(CatalogNumberMismatchError, "line 2 names another object than line 1",
                   line=line2, lineno=l2no, path=path,
                   field_="catalogue number (columns 3-7)",
                   expected=f"{line1[2:7]} as on line 1", found=line2[2:7])
    cls = line1[7]
    if cls not in "UCS ":
        raise _err(FieldValueError, "unknown classification", line=line1, lineno=lineno,
                   path=path, field_="classification (column 8)", expected="U, C or S",
                   found=cls)
    yy = line1[18:20]
    if not yy.strip().isdigit():
        raise _err(EpochError, "bad epoch year", line=line1, lineno=lineno, path=path,
                   field_="epoch year (columns 19-20)", expected="two digits", found=yy)
    year = tle_year(int(yy))
    try:
        epoch_us = tle_epoch_to_us(year, line1[20:32])
    except ValueError as exc:
        raise _err(EpochError, str(exc), line=line1, lineno=lineno, path=path,
                   field_="epoch day (columns 21-32)", expected="DDD.DDDDDDDD within the year",
                   found=line1[20:32]) from None
    if max_epoch_us is not None and epoch_us > max_epoch_us:
        raise _err(EpochError, "epoch is in the future", line=line1, lineno=lineno, path=path,
                   field_="epoch (columns 19-32)",
                   expected="an epoch no later than the future tolerance",
                   found=line1[18:32])
    ndot_text = line1[33:43]
    if not _NDOT_FIELD.match(ndot_text):
        raise _err(FieldValueError, "not a decimal number", line=line1, lineno=lineno,
                   path=path, field_="mean motion dot (columns 34-43)",
                   expected="like ' .00000023' or '-.00000084'", found=ndot_text)
    ndot = float(ndot_text.replace(" ", ""))
    nddot = _exp_field(line1, 44, 52, "mean motion ddot", lineno, path)
    bstar = _exp_field(line1, 53, 61, "BSTAR", lineno, path)
    eph = line1[62]
    setno = line1[64:68].strip()
    incl = _float(line2, 8, 16, "inclination", l2no, path, "NNN.NNNN degrees")
    raan = _float(line2, 17, 25, "right ascension of node", l2no, path, "NNN.NNNN degrees")
    ecc_text = line2[26:33]
    if not ecc_text.replace(" ", "0").isdigit():
        raise _err(FieldValueError, "eccentricity must be 7 digits (leading decimal point "
                   "assumed)", line=line2, lineno=l2no, path=path,
                   field_="eccentricity (columns 27-33)", expected="NNNNNNN", found=ecc_text)
    ecc = int(ecc_text.replace(" ", "0")) * 1e-7
    argp = _float(line2, 34, 42, "argument of perigee", l2no, path, "NNN.NNNN degrees")
    mano = _float(line2, 43, 51, "mean anomaly", l2no, path, "NNN.NNNN degrees")
    mm_text = line2[52:63]
    try:
        mm = float(mm_text)
    except ValueError:
        raise _err(MeanMotionError, "mean motion is not a number", line=line2, lineno=l2no,
                   path=path, field_="mean motion (columns 53-63)",
                   expected="NN.NNNNNNNN rev/day", found=mm_text) from None
    revs = line2[63:68].strip()
    es = ElementSet(
        norad=norad,
        epoch_us=epoch_us,
        mean_motion=mm,
        eccentricity=ecc,
        inclination=incl,
        raan=raan,
        arg_perigee=argp,
        mean_anomaly=mano,
        bstar=bstar,
        mean_motion_dot=ndot,
        mean_motion_ddot=nddot,
        name=_clean_name(name),
        intldes=normalize_intldes(line1[9:17]),
        classification=cls.strip() or "U",
        ephemeris_type=int(eph) if eph.isdigit() else 0,
        element_set_no=int(setno) if setno.isdigit() else None,
        rev_at_epoch=int(revs) if revs.isdigit() else None,
        source=source,
        format="tle",
    )
    try:
        return validate(es)
    except ParseError as exc:
        exc.text = line2 if exc.field not in ("NORAD_CAT_ID",) else line1
        exc.template = TEMPLATE_2
        raise exc.with_location(path=path, line=l2no) from None


def _clean_name(name: str | None) -> str | None:
    if name is None:
        return None
    n = name.strip()
    if n.startswith("0 "):
        n = n[2:].strip()
    return n or None


def read_tle(
    text: str | Iterable[str],
    *,
    path: str | None = None,
    verify_checksum: bool = True,
    future_tolerance_days: float | None = DEFAULT_FUTURE_TOLERANCE_DAYS,
    now: int | None = None,
    source: str = "",
) -> ReadResult:
    """Read TLEs from text: 2LE, 3LE (name lines with or without ``0 ``) or a mix.

    Blank lines and ``#`` comments are skipped.  Every record is either an
    element set in ``sets`` or a named error in ``errors``; reading never
    stops at a bad record.  Extra fields after column 69 (the start/stop/step
    of Vallado's SGP4-VER.TLE) are kept in ``ElementSet.extra['trailing']``.
    """
    lines = text.splitlines() if isinstance(text, str) else list(text)
    result = ReadResult()
    max_epoch = None
    if future_tolerance_days is not None:
        max_epoch = (now if now is not None else now_us()) + int(
            future_tolerance_days * 86_400_000_000)
    pending: tuple[int, str] | None = None  # (line number, name line)
    i, n = 0, len(lines)
    while i < n:
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        if raw[:2] == "1 " or (raw[:1] == "1" and len(raw.rstrip()) >= 68):
            j = i + 1
            while j < n and not lines[j].strip():
                j += 1
            result.records += 1
            if j < n and lines[j][:1] == "2":
                name = pending[1] if pending else None
                try:
                    es = parse_tle(raw, lines[j], name, path=path, lineno=i + 1,
                                   verify_checksum=verify_checksum, max_epoch_us=max_epoch,
                                   source=source)
                    trailing = lines[j].rstrip()[69:].strip()
                    if trailing:
                        es.extra["trailing"] = trailing
                    result.sets.append(es)
                except ParseError as exc:
                    result.errors.append(exc)
                pending = None
                i = j + 1
                continue
            result.errors.append(_err(
                ColumnLayoutError, "line 1 is not followed by a line 2", line=raw,
                lineno=i + 1, path=path, field_="record", expected="a line starting '2 '"))
            pending = None
            i += 1
            continue
        if raw[:2] == "2 ":
            result.records += 1
            result.errors.append(_err(
                ColumnLayoutError, "line 2 without a line 1 before it", line=raw,
                lineno=i + 1, path=path, field_="record", expected="a line starting '1 '"))
            pending = None
            i += 1
            continue
        # a name line
        if pending is not None:
            result.records += 1
            result.errors.append(ColumnLayoutError(
                "name line not followed by element lines", path=path, line=pending[0],
                field="record", expected="lines '1 ...' and '2 ...' after a name",
                text=pending[1]))
        try:
            _check_ascii(raw, i + 1, path)
            pending = (i + 1, raw)
        except NonAsciiError as exc:
            result.records += 1
            result.errors.append(exc)
            pending = None
            # skip the element lines that belong to the bad name
            if i + 2 < n and lines[i + 1][:1] == "1" and lines[i + 2][:1] == "2":
                i += 2
        i += 1
    if pending is not None:
        result.records += 1
        result.errors.append(ColumnLayoutError(
            "name line at end of input without element lines", path=path, line=pending[0],
            field="record", expected="lines '1 ...' and '2 ...' after a name",
            text=pending[1]))
    return result


def _exp_text(value: float) -> str:
    """Value to the 8-column assumed-decimal exponent form (`` 28098-4``)."""
    if value == 0.0:
        return " 00000-0"
    sign = "-" if value < 0 else " "
    v = abs(value)
    mant_s, exp_s = f"{v:.4e}".split("e")
    exp = int(exp_s) + 1
    digits = mant_s.replace(".", "")
    if exp < -9:  # below the field's normalised range: denormal mantissa at 10^-9
        mant = round(v * 1e14)
        return f"{sign if mant else ' '}{mant:05d}-9" if mant else " 00000-0"
    if exp > 9:
        raise ValueError(f"{value!r} does not fit a TLE exponent field")
    return f"{sign}{digits}{'-' if exp < 0 else '+'}{abs(exp)}"


def format_tle(es: ElementSet) -> tuple[str, str]:
    """Write an element set as TLE lines 1 and 2 (with checksums)."""
    yy, day = us_to_tle_epoch(es.epoch_us)
    intl = ""
    if es.intldes and len(es.intldes) >= 9 and es.intldes[4] == "-":
        intl = es.intldes[2:4] + es.intldes[5:]
    ndot = f"{es.mean_motion_dot:.8f}"
    ndot = ("-" if es.mean_motion_dot < 0 else " ") + ndot.lstrip("-").lstrip("0")
    setno = es.element_set_no if es.element_set_no is not None else 999
    num = int_to_alpha5(es.norad)
    l1 = (f"1 {num}{es.classification or 'U'} {intl:<8s} {yy:02d}{day} {ndot:>10s} "
          f"{_exp_text(es.mean_motion_ddot)} {_exp_text(es.bstar)} {es.ephemeris_type % 10}"
          f" {setno % 10000:4d}")
    ecc = f"{es.eccentricity:.7f}"[2:]
    revs = es.rev_at_epoch if es.rev_at_epoch is not None else 0
    l2 = (f"2 {num} {es.inclination:8.4f} {es.raan:8.4f} {ecc} {es.arg_perigee:8.4f} "
          f"{es.mean_anomaly:8.4f} {es.mean_motion:11.8f}{revs % 100000:5d}")
    return l1 + str(checksum(l1)), l2 + str(checksum(l2))
