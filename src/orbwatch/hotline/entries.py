"""Signed hotline entries: who said what, when, valid until when.

An entry is a JSON object::

    {"author": "RU", "type": "manoeuvre", "created": "2024-05-01T12:00:00Z",
     "expires": "2024-05-02T12:00:00Z", "nonce": "<32 hex digits>",
     "payload": {"type": "manoeuvre", ...}, "signature": "<base64 Ed25519>"}

The signature is Ed25519 over the RFC 8785 (JCS) bytes of the entry without
its ``signature`` member, so any re-serialisation of the JSON verifies as
long as the values are the same.  The entry's ``type`` is its payload's
``type``; the payload must match that type's JSON Schema
(:mod:`orbwatch.hotline.schemas`).

:class:`ReplayGuard` remembers every (author, nonce) pair it accepted in an
SQLite table until the entry expires, so a captured entry cannot be replayed,
not even after a restart; entries past ``expires`` are refused outright, and
lifetimes are capped so the table stays bounded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.errors import (
    BadSignatureError,
    CanonicalizationError,
    ExpiredEntryError,
    MalformedEntryError,
    NotYetValidError,
    ReplayError,
    WrongAuthorError,
)
from orbwatch.hotline.schemas import validate_payload

__all__ = [
    "ENTRY_FIELDS",
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "CLOCK_SKEW",
    "Party",
    "generate_key",
    "public_key_bytes",
    "load_public_key",
    "format_time",
    "parse_time",
    "signing_bytes",
    "entry_id",
    "sign_entry",
    "verify_entry",
    "check_entry_shape",
    "ReplayGuard",
]

ENTRY_FIELDS = ("author", "type", "created", "expires", "nonce", "payload", "signature")
DEFAULT_LIFETIME = timedelta(days=1)
MAX_LIFETIME = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of a public key (of the private key's public half)."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_public_key(value: Ed25519PublicKey | bytes | str) -> Ed25519PublicKey:
    """An Ed25519 public key from a key object, 32 raw bytes or their base64."""
    if isinstance(value, Ed25519PublicKey):
        return value
    if isinstance(value, str):
        try:
            value = base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"public key is not base64: {exc}") from None
    if len(value) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, got {len(value)}")
    return Ed25519PublicKey.from_public_bytes(bytes(value))


@dataclass(frozen=True)
class Party:
    """A state (or agency) allowed to write to the hotline, and its public key."""

    name: str
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a party needs a non-empty name")
        object.__setattr__(self, "public_key", load_public_key(self.public_key))

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(public_key_bytes(self.public_key)).decode("ascii")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Party) and other.name == self.name
                and public_key_bytes(other.public_key) == public_key_bytes(self.public_key))

    def __hash__(self) -> int:
        return hash((self.name, public_key_bytes(self.public_key)))


def format_time(t: datetime) -> str:
    """ISO 8601 UTC with ``Z``; microseconds only when non-zero."""
    t = t.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if t.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return t.strftime(fmt)


def parse_time(text: object, field: str = "time") -> datetime:
    """An RFC 3339 time with an explicit offset (``Z`` or ``+hh:mm``)."""
    if not isinstance(text, str):
        raise MalformedEntryError(f"{field} must be an RFC 3339 string, found {text!r}")
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedEntryError(f"{field} {text!r} is not an RFC 3339 time") from None
    if t.tzinfo is None:
        raise MalformedEntryError(f"{field} {text!r} lacks a UTC offset (add Z)")
    return t.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now.astimezone(UTC)


def signing_bytes(entry: dict) -> bytes:
    """The bytes an entry's signature covers: JCS of the entry minus ``signature``."""
    return canonicalize({k: v for k, v in entry.items() if k != "signature"})


def entry_id(entry: dict) -> str:
    """Hex SHA-256 of the whole signed entry's JCS bytes (used to refer to it)."""
    return hashlib.sha256(canonicalize(entry)).hexdigest()


def sign_entry(payload: dict, party_name: str, private_key: Ed25519PrivateKey, *,
               nonce: str | None = None, created: datetime | None = None,
               expires: datetime | None = None) -> dict:
    """Build and sign an entry; the payload must match its type's schema."""
    kind = validate_payload(payload)
    created = _now(created)
    expires = created + DEFAULT_LIFETIME if expires is None else expires.astimezone(UTC)
    if expires <= created:
        raise MalformedEntryError(f"expires {format_time(expires)} is not after created "
                                  f"{format_time(created)}")
    entry = {
        "author": party_name,
        "type": kind,
        "created": format_time(created),
        "expires": format_time(expires),
        "nonce": secrets.token_hex(16) if nonce is None else nonce,
        "payload": payload,
    }
    check_entry_shape({**entry, "signature": ""}, signature=False)
    signature = private_key.sign(signing_bytes(entry))
    entry["signature"] = base64.b64encode(signature).decode("ascii")
    return entry


def check_entry_shape(entry: object, *, signature: bool = True) -> None:
    """Fields present, of the right JSON types, and nothing else."""
    if not isinstance(entry, dict):
        raise MalformedEntryError(f"an entry is a JSON object, found {type(entry).__name__}")
    missing = [f for f in ENTRY_FIELDS if f not in entry]
    extra = sorted(set(entry) - set(ENTRY_FIELDS))
    if missing:
        raise MalformedEntryError(f"entry lacks {', '.join(missing)}")
    if extra:
        raise MalformedEntryError(f"entry has unknown fields {', '.join(extra)}")
    for name in ("author", "type", "created", "expires", "nonce", "signature"):
        if not isinstance(entry[name], str):
            raise MalformedEntryError(f"entry {name} must be a string")
    if not entry["author"].strip():
        raise MalformedEntryError("entry author is empty")
    if not 16 <= len(entry["nonce"]) <= 128:
        raise MalformedEntryError("entry nonce must have 16 to 128 characters")
    if not isinstance(entry["payload"], dict):
        raise MalformedEntryError("entry payload must be a JSON object")
    if entry["payload"].get("type") != entry["type"]:
        raise MalformedEntryError(f"entry type {entry['type']!r} differs from its payload's "
                                  f"type {entry['payload'].get('type')!r}")
    parse_time(entry["created"], "created")
    parse_time(entry["expires"], "expires")
    if signature:
        try:
            raw = base64.b64decode(entry["signature"], validate=True)
        except binascii.Error:
            raise MalformedEntryError("entry signature is not base64") from None
        if len(raw) != 64:
            raise MalformedEntryError(f"an Ed25519 signature has 64 bytes, got {len(raw)}")


def verify_entry(entry: dict, public_key: Party | Ed25519PublicKey | bytes | str, *,
                 author: str | None = None, now: datetime | None = None,
                 skew: timedelta = CLOCK_SKEW) -> str:
    """Check an entry; returns its type.

    ``public_key`` may be a :class:`Party`, whose name must then be the
    author (as must ``author`` when given).  Checks in order: shape
    (:class:`MalformedEntryError`), author (:class:`WrongAuthorError`),
    signature (:class:`BadSignatureError`), time window
    (:class:`ExpiredEntryError`, :class:`NotYetValidError`) and payload schema
    (:class:`PayloadSchemaError`).
    """
    check_entry_shape(entry)
    if isinstance(public_key, Party):
        if author is not None and author != public_key.name:
            raise WrongAuthorError(f"expected author {author!r} but the key is {public_key.name!r}'s")
        author = public_key.name
        key = public_key.public_key
    else:
        key = load_public_key(public_key)
    if author is not None and entry["author"] != author:
        raise WrongAuthorError(f"entry is by {entry['author']!r}, expected {author!r}")
    try:
        message = signing_bytes(entry)
    except CanonicalizationError as exc:
        raise MalformedEntryError(f"entry has no canonical form: {exc}") from None
    try:
        key.verify(base64.b64decode(entry["signature"]), message)
    except InvalidSignature:
        raise BadSignatureError(f"signature of {entry['author']!r}'s {entry['type']} entry "
                                f"(nonce {entry['nonce']}) does not verify") from None
    now = _now(now)
    created = parse_time(entry["created"], "created")
    expires = parse_time(entry["expires"], "expires")
    if expires <= created:
        raise MalformedEntryError("entry expires before it was created")
    if now > expires + skew:
        raise ExpiredEntryError(f"entry expired at {entry['expires']} "
                                f"(now {format_time(now)})")
    if created > now + skew:
        raise NotYetValidError(f"entry created {entry['created']} lies in the future "
                               f"(now {format_time(now)})")
    return validate_payload(entry["payload"])


class ReplayGuard:
    """Refuses an (author, nonce) pair seen before; remembered in SQLite.

    ``ReplayGuard(path)`` opens (or creates) the file; ``ReplayGuard(conn)``
    shares an open connection (the caller then commits).  Call :meth:`check`
    on entries whose signature has been verified.
    """

    def __init__(self, db: str | os.PathLike | sqlite3.Connection, *,
                 max_lifetime: timedelta = MAX_LIFETIME, skew: timedelta = CLOCK_SKEW) -> None:
        self._owns = not isinstance(db, sqlite3.Connection)
        self.conn = sqlite3.connect(os.fspath(db)) if self._owns else db
        self.max_lifetime = max_lifetime
        self.skew = skew
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS hotline_nonces (author TEXT NOT NULL, "
            "nonce TEXT NOT NULL, expires_us INTEGER NOT NULL, seen TEXT NOT NULL, "
            "PRIMARY KEY (author, nonce))")
        if self._owns:
            self.conn.commit()

    def check(self, entry: dict, now: datetime | None = None) -> None:
        """Record the entry's nonce, or raise :class:`ReplayError` (seen),
        :class:`ExpiredEntryError`, :class:`NotYetValidError` or
        :class:`MalformedEntryError` (lifetime above ``max_lifetime``)."""
        check_entry_shape(entry)
        now = _now(now)
        created = parse_time(entry["created"], "created")
        expires = parse_time(entry["expires"], "expires")
        if expires - created > self.max_lifetime:
            raise MalformedEntryError(f"entry lifetime {expires - created} exceeds "
                                      f"{self.max_lifetime}")
        if now > expires + self.skew:
            raise ExpiredEntryError(f"entry expired at {entry['expires']}")
        if created > now + self.skew:
            raise NotYetValidError(f"entry created {entry['created']} lies in the future")
        keep_until = int((expires + self.skew).timestamp() * 1_000_000)
        try:
            self.conn.execute(
                "INSERT INTO hotline_nonces (author, nonce, expires_us, seen) VALUES (?,?,?,?)",
                (entry["author"], entry["nonce"], keep_until, format_time(now)))
        except sqlite3.IntegrityError:
            seen = self.conn.execute(
                "SELECT seen FROM hotline_nonces WHERE author=? AND nonce=?",
                (entry["author"], entry["nonce"])).fetchone()
            raise ReplayError(f"nonce {entry['nonce']} from {entry['author']!r} was already "
                              f"accepted at {seen[0] if seen else '?'}") from None
        if self._owns:
            self.conn.commit()

    def seen(self, author: str, nonce: str) -> bool:
        return self.conn.execute("SELECT 1 FROM hotline_nonces WHERE author=? AND nonce=?",
                                 (author, nonce)).fetchone() is not None

    def prune(self, now: datetime | None = None) -> int:
        """Forget nonces of entries that have expired (they are refused anyway)."""
        cutoff = int(_now(now).timestamp() * 1_000_000)
        cur = self.conn.execute("DELETE FROM hotline_nonces WHERE expires_us < ?", (cutoff,))
        if self._owns:
            self.conn.commit()
        return cur.rowcount

    def close(self) -> None:
        if self._owns:
            self.conn.close()

    def __enter__(self) -> ReplayGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
