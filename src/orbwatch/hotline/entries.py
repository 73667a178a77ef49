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

Two optional members, signed like the rest: ``to`` (the parties the entry
is addressed to; absent: public) and ``ack_by`` (the time by which each
addressee should acknowledge it).  Replay protection lives in
:mod:`orbwatch.hotline.replay`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.errors import (
    BadSignatureError,
    CanonicalizationError,
    ExpiredEntryError,
    MalformedEntryError,
    NotYetValidError,
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
    "OPTIONAL_FIELDS",
    "LOG_AUTHOR",
    "write_key_file",
    "read_key_file",
]

ENTRY_FIELDS = ("author", "type", "created", "expires", "nonce", "payload", "signature")
OPTIONAL_FIELDS = ("to", "ack_by")
#: author of the entries the log signs itself (party registrations)
LOG_AUTHOR = "@log"
MAX_RECIPIENTS = 64
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
               expires: datetime | None = None, to: list[str] | None = None,
               ack_by: datetime | None = None) -> dict:
    """Build and sign an entry; the payload must match its type's schema.
    ``to`` addresses it to those parties only (default: public); ``ack_by``
    asks each of them to acknowledge it by then."""
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
    if to:
        entry["to"] = list(to)
    if ack_by is not None:
        entry["ack_by"] = format_time(ack_by)
    check_entry_shape({**entry, "signature": ""}, signature=False)
    signature = private_key.sign(signing_bytes(entry))
    entry["signature"] = base64.b64encode(signature).decode("ascii")
    return entry


def check_entry_shape(entry: object, *, signature: bool = True) -> None:
    """Fields present, of the right JSON types, and nothing else."""
    if not isinstance(entry, dict):
        raise MalformedEntryError(f"an entry is a JSON object, found {type(entry).__name__}")
    missing = [f for f in ENTRY_FIELDS if f not in entry]
    extra = sorted(set(entry) - set(ENTRY_FIELDS) - set(OPTIONAL_FIELDS))
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
    if "to" in entry:
        to = entry["to"]
        if (not isinstance(to, list) or not 1 <= len(to) <= MAX_RECIPIENTS
                or not all(isinstance(p, str) and p.strip() for p in to)):
            raise MalformedEntryError(f"entry to must list 1 to {MAX_RECIPIENTS} party names")
        if len(set(to)) != len(to):
            raise MalformedEntryError("entry to names a party twice")
    if "ack_by" in entry:
        if "to" not in entry:
            raise MalformedEntryError("entry ack_by needs addressees (to)")
        parse_time(entry["ack_by"], "ack_by")
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


def write_key_file(path: str | os.PathLike, key: Ed25519PrivateKey, name: str = "") -> None:
    """Write a private key (PKCS#8 PEM, unencrypted) readable by its owner only (0600)."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path = os.fspath(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        if name:
            fh.write(f"# orbwatch hotline key of {name}\n".encode())
        fh.write(pem)
    os.chmod(path, 0o600)


def read_key_file(path: str | os.PathLike) -> Ed25519PrivateKey:
    """A private key written by :func:`write_key_file`."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise MalformedEntryError(f"cannot read key file {path}: {exc.strerror}") from None
    start = data.find(b"-----BEGIN")
    try:
        key = load_pem_private_key(data[max(start, 0):], password=None)
    except ValueError as exc:
        raise MalformedEntryError(f"{path} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise MalformedEntryError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key
