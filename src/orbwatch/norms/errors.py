"""Named errors of the code-of-conduct engine.

Both are :class:`~orbwatch.errors.ParseError` subclasses, so the CLI prints
them as one line naming the file, the rule (or notification record), the
field, what was expected and what was found.
"""

from __future__ import annotations

from orbwatch.errors import ParseError

__all__ = ["CodeError", "NotificationError"]


class CodeError(ParseError):
    """A code-of-conduct file (rules) that cannot be used as written.

    ``rule`` is the rule's id (or ``rules[N]`` when it has none) and
    ``field`` the dotted path inside it, e.g. ``condition.all[1].op``.
    """

    def __init__(self, message: str, *, rule: str | None = None, **kw) -> None:
        self.rule = rule
        super().__init__(message, **kw)

    def where(self) -> str:
        base = super().where()
        if self.rule:
            return f"{base} rule {self.rule}" if base else f"rule {self.rule}"
        return base


class NotificationError(ParseError):
    """A notifications file record that cannot be read (``record`` is 1-based)."""
