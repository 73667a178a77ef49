"""Errors every stage of orbwatch raises.

Each error names what the user gave, where (file, line or record) and what
was expected, so that the one-line message the CLI prints is enough to fix
the input.  Parse errors can carry a column ``template`` that is printed
above the offending text, the way python-sgp4 shows the TLE layout.
"""

from __future__ import annotations

__all__ = [
    "OrbwatchError",
    "UserError",
    "ParseError",
    "ChecksumError",
    "ColumnLayoutError",
    "CatalogNumberMismatchError",
    "NonAsciiError",
    "EccentricityError",
    "MeanMotionError",
    "EpochError",
    "ExponentError",
    "FieldValueError",
    "UnsafeXMLError",
    "FormatNotRecognizedError",
    "StoreError",
    "SourceError",
    "OfflineError",
    "RateLimitError",
    "AuthenticationError",
]


class OrbwatchError(Exception):
    """Base class of every error orbwatch raises on purpose."""


class UserError(OrbwatchError):
    """Bad input or a bad request from the user (CLI exit status 1)."""


class ParseError(UserError):
    """A record that could not be read.

    Attributes name the place (``path``, ``line`` or ``record``), the
    ``field`` at fault, what was ``expected`` and what was ``found``.
    ``text`` is the offending line and ``template`` a column template to
    show above it.
    """

    kind = "parse error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        text: str | None = None,
        template: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        self.expected = expected
        self.found = found
        self.text = text
        self.template = template
        super().__init__(self.__str__())

    @property
    def reason(self) -> str:
        """Short machine-friendly reason used to group rejects in reports."""
        return type(self).__name__

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(str(self.path))
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.record is not None:
            parts.append(f"record {self.record}")
        return " ".join(parts)

    def headline(self) -> str:
        """One line: where, which field, what was expected, what was found."""
        where = self.where()
        head = f"{where}: " if where else ""
        field = f"{self.field}: " if self.field else ""
        msg = f"{head}{field}{self.message}"
        if self.expected is not None:
            msg += f"; expected {self.expected}"
        if self.found is not None:
            msg += f", found {self.found!r}"
        return msg

    def __str__(self) -> str:
        msg = self.headline()
        if self.text is not None:
            if self.template is not None:
                msg += f"\n  {self.template}"
            msg += f"\n  {self.text}"
        return msg

    def with_location(self, *, path: str | None = None, line: int | None = None,
                      record: int | None = None) -> ParseError:
        """Fill in the location once the caller knows it; returns self."""
        if path is not None and self.path is None:
            self.path = path
        if line is not None and self.line is None:
            self.line = line
        if record is not None and self.record is None:
            self.record = record
        self.args = (self.__str__(),)
        return self


class ChecksumError(ParseError):
    """The modulo-10 checksum in column 69 of a TLE line does not match."""


class ColumnLayoutError(ParseError):
    """A TLE line has fields in the wrong columns or the wrong length."""


class CatalogNumberMismatchError(ParseError):
    """Lines 1 and 2 of a TLE name different catalogue numbers."""


class NonAsciiError(ParseError):
    """A character outside printable ASCII (e.g. a pasted non-breaking space)."""


class EccentricityError(ParseError):
    """Eccentricity outside [0, 1)."""


class MeanMotionError(ParseError):
    """Mean motion not strictly positive (or absurdly large)."""


class EpochError(ParseError):
    """An impossible epoch: day 366 in a non-leap year, far in the future..."""


class ExponentError(ParseError):
    """A malformed TLE assumed-decimal exponent field such as ``28098-4``."""


class FieldValueError(ParseError):
    """A field that is missing, not a number, or outside its valid range."""


class UnsafeXMLError(ParseError):
    """XML with a DTD, entity declarations or external references."""


class FormatNotRecognizedError(ParseError):
    """The content matches none of the formats orbwatch reads."""


class StoreError(OrbwatchError):
    """The database could not be opened, migrated or written."""


class SourceError(UserError):
    """A remote source (CelesTrak, Space-Track) refused or failed a request."""


class OfflineError(SourceError):
    """The network is unreachable and no cached answer exists."""


class RateLimitError(SourceError):
    """A request would exceed the source's published rate limits."""


class AuthenticationError(SourceError):
    """Credentials are missing or were refused."""
