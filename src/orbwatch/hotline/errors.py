"""Errors of the hotline: proofs, canonical JSON, signed entries, the log.

Every message says what was checked and what failed, so that a party that
receives a rejection can tell a forged notification from a stale one or
from a log that rewrote its history.
"""

from __future__ import annotations

from orbwatch.errors import OrbwatchError

__all__ = [
    "HotlineError",
    "ProofError",
    "InconsistentLogError",
    "CanonicalizationError",
    "EntryError",
    "MalformedEntryError",
    "PayloadSchemaError",
    "BadSignatureError",
    "WrongAuthorError",
    "UnknownPartyError",
    "ExpiredEntryError",
    "NotYetValidError",
    "ReplayError",
    "CheckpointError",
    "RetiredKeyError",
    "RevokedKeyError",
    "AccessError",
    "TamperedLogError",
]


class HotlineError(OrbwatchError):
    """Base class of the errors raised by :mod:`orbwatch.hotline`."""


class ProofError(HotlineError):
    """A Merkle inclusion or consistency proof does not verify."""


class InconsistentLogError(ProofError):
    """A log's new checkpoint does not extend the one a client kept:
    the log rewrote, removed or reordered entries it had already committed to."""


class CanonicalizationError(HotlineError, ValueError):
    """A value that RFC 8785 (JCS) cannot serialise: NaN, Infinity, a lone
    surrogate, a non-string key, an integer outside the I-JSON range..."""


class EntryError(HotlineError):
    """A signed notification was refused."""


class MalformedEntryError(EntryError):
    """An entry lacks a field, has a field of the wrong type or an unknown one."""


class PayloadSchemaError(MalformedEntryError):
    """The payload does not match the JSON Schema of its notification type."""


class BadSignatureError(EntryError):
    """The Ed25519 signature does not match the entry's canonical bytes."""


class WrongAuthorError(EntryError):
    """The entry names a different author from the party it was checked against."""


class UnknownPartyError(EntryError):
    """The entry's author is not a registered party."""


class ExpiredEntryError(EntryError):
    """The entry's ``expires`` time has passed."""


class NotYetValidError(EntryError):
    """The entry's ``created`` time lies in the future beyond the allowed clock skew."""


class ReplayError(EntryError):
    """The entry's nonce was already seen from that author."""


class CheckpointError(HotlineError):
    """A log checkpoint is malformed or its signature does not verify."""


class RetiredKeyError(BadSignatureError):
    """The entry is signed with a key its author rotated away earlier in the log."""


class RevokedKeyError(EntryError):
    """The author's key was revoked in the log (and not yet replaced)."""


class AccessError(HotlineError):
    """A signed read request is missing, stale, replayed or does not verify."""


class TamperedLogError(InconsistentLogError):
    """The log's entries differ from what it served before or from what was signed:
    an entry was rewritten, deleted or moved."""
