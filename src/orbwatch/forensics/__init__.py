"""Forensics: where a new object came from; when and where a breakup happened."""

from orbwatch.forensics.breakup import BreakupResult, estimate_breakup
from orbwatch.forensics.origin import OriginResult, Separation, find_origin

__all__ = ["BreakupResult", "estimate_breakup", "OriginResult", "Separation", "find_origin"]
