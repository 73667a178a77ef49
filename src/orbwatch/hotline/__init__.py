"""The hotline: signed notifications between states on a tamper-evident log.

* :mod:`~orbwatch.hotline.merkle`: RFC 9162 Merkle tree, inclusion and consistency proofs;
* :mod:`~orbwatch.hotline.canonical`: RFC 8785 JSON canonicalization (what is signed);
* :mod:`~orbwatch.hotline.schemas`: JSON Schemas of the notification payloads;
* :mod:`~orbwatch.hotline.entries`: parties, Ed25519-signed entries, replay guard;
* :mod:`~orbwatch.hotline.log`: the SQLite-backed transparency log and its auditing client.
"""

from __future__ import annotations

from orbwatch.hotline.canonical import canonical_text, canonicalize, format_number
from orbwatch.hotline.entries import (
    Party,
    ReplayGuard,
    entry_id,
    generate_key,
    load_public_key,
    public_key_bytes,
    sign_entry,
    verify_entry,
)
from orbwatch.hotline.errors import (
    BadSignatureError,
    CanonicalizationError,
    CheckpointError,
    EntryError,
    ExpiredEntryError,
    HotlineError,
    InconsistentLogError,
    MalformedEntryError,
    NotYetValidError,
    PayloadSchemaError,
    ProofError,
    ReplayError,
    UnknownPartyError,
    WrongAuthorError,
)
from orbwatch.hotline.log import LogClient, TransparencyLog, verify_checkpoint
from orbwatch.hotline.merkle import MerkleTree, verify_consistency, verify_inclusion
from orbwatch.hotline.schemas import NOTIFICATION_TYPES, SCHEMAS, validate_payload

__all__ = [
    "canonicalize", "canonical_text", "format_number",
    "Party", "ReplayGuard", "entry_id", "generate_key", "load_public_key",
    "public_key_bytes", "sign_entry", "verify_entry",
    "HotlineError", "ProofError", "InconsistentLogError", "CanonicalizationError",
    "EntryError", "MalformedEntryError", "PayloadSchemaError", "BadSignatureError",
    "WrongAuthorError", "UnknownPartyError", "ExpiredEntryError", "NotYetValidError",
    "ReplayError", "CheckpointError",
    "TransparencyLog", "LogClient", "verify_checkpoint",
    "MerkleTree", "verify_inclusion", "verify_consistency",
    "NOTIFICATION_TYPES", "SCHEMAS", "validate_payload",
]
