"""The hotline: signed notifications between states on a tamper-evident log.

* :mod:`~orbwatch.hotline.merkle`: RFC 9162 Merkle tree, inclusion and consistency proofs;
* :mod:`~orbwatch.hotline.canonical`: RFC 8785 JSON canonicalization (what is signed);
* :mod:`~orbwatch.hotline.schemas`: JSON Schemas of the notification payloads;
* :mod:`~orbwatch.hotline.entries`: parties, Ed25519-signed entries;
* :mod:`~orbwatch.hotline.replay`: the replay guard (nonces remembered in the database);
* :mod:`~orbwatch.hotline.keys`: key history (registration, rotation, revocation) from the log;
* :mod:`~orbwatch.hotline.storage`: SQLAlchemy tables on SQLite or PostgreSQL;
* :mod:`~orbwatch.hotline.log`: the transparency log and its auditing client;
* :mod:`~orbwatch.hotline.service` / :mod:`~orbwatch.hotline.client`: the HTTP API and its client;
* :mod:`~orbwatch.hotline.bridge`: notifications for the norms engine, findings as alerts.
"""

from __future__ import annotations

from orbwatch.hotline.canonical import canonical_text, canonicalize, format_number
from orbwatch.hotline.entries import (
    Party,
    entry_id,
    generate_key,
    load_public_key,
    public_key_bytes,
    sign_entry,
    verify_entry,
)
from orbwatch.hotline.errors import (
    AccessError,
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
    RetiredKeyError,
    RevokedKeyError,
    TamperedLogError,
    UnknownPartyError,
    WrongAuthorError,
)
from orbwatch.hotline.keys import KeyRing
from orbwatch.hotline.log import LogClient, TransparencyLog, verify_checkpoint
from orbwatch.hotline.merkle import MerkleTree, verify_consistency, verify_inclusion
from orbwatch.hotline.replay import ReplayGuard
from orbwatch.hotline.schemas import (
    CONTROL_TYPES,
    ENTRY_TYPES,
    NOTIFICATION_TYPES,
    SCHEMAS,
    validate_payload,
)

__all__ = [
    "canonicalize", "canonical_text", "format_number",
    "Party", "ReplayGuard", "entry_id", "generate_key", "load_public_key",
    "public_key_bytes", "sign_entry", "verify_entry",
    "HotlineError", "ProofError", "InconsistentLogError", "CanonicalizationError",
    "EntryError", "MalformedEntryError", "PayloadSchemaError", "BadSignatureError",
    "WrongAuthorError", "UnknownPartyError", "ExpiredEntryError", "NotYetValidError",
    "ReplayError", "CheckpointError", "RetiredKeyError", "RevokedKeyError", "AccessError",
    "TamperedLogError", "KeyRing",
    "TransparencyLog", "LogClient", "verify_checkpoint",
    "MerkleTree", "verify_inclusion", "verify_consistency",
    "NOTIFICATION_TYPES", "CONTROL_TYPES", "ENTRY_TYPES", "SCHEMAS", "validate_payload",
]
