"""The hotline's transparency log and the client that audits it.

:class:`TransparencyLog` keeps verified entries in an SQLite file, each as
its RFC 8785 bytes, which are the leaves of an RFC 9162 Merkle tree.  It
issues signed checkpoints ``{origin, tree_size, root_hash, timestamp}``
(Ed25519 by the log's own key over their JCS bytes) and serves inclusion and
consistency proofs (base64 hashes).

:class:`LogClient` is what each party runs: it keeps the last checkpoint it
accepted (optionally in a JSON file) and accepts a new one only with a
consistency proof from the old one.  A log that rewrote, deleted or
reordered an entry it had already committed to cannot produce such a proof,
so the client raises :class:`InconsistentLogError`.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.entries import (
    CLOCK_SKEW,
    MAX_LIFETIME,
    Party,
    ReplayGuard,
    entry_id,
    format_time,
    load_public_key,
    parse_time,
    verify_entry,
)
from orbwatch.hotline.errors import (
    CheckpointError,
    HotlineError,
    InconsistentLogError,
    MalformedEntryError,
    ProofError,
    UnknownPartyError,
)
from orbwatch.hotline.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "DEFAULT_ORIGIN",
    "TransparencyLog",
    "LogClient",
    "sign_checkpoint",
    "verify_checkpoint",
    "encode_proof",
    "decode_proof",
]

DEFAULT_ORIGIN = "orbwatch-hotline"
_CHECKPOINT_FIELDS = ("origin", "tree_size", "root_hash", "timestamp", "signature")


def encode_proof(nodes: list[bytes]) -> list[str]:
    return [base64.b64encode(n).decode("ascii") for n in nodes]


def decode_proof(nodes: list[str]) -> list[bytes]:
    try:
        return [base64.b64decode(n, validate=True) for n in nodes]
    except (ValueError, TypeError) as exc:
        raise ProofError(f"proof element is not base64: {exc}") from None


def sign_checkpoint(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes,
                    timestamp: datetime, origin: str = DEFAULT_ORIGIN) -> dict:
    body = {"origin": origin, "tree_size": tree_size,
            "root_hash": base64.b64encode(root_hash).decode("ascii"),
            "timestamp": format_time(timestamp)}
    signature = key.sign(canonicalize(body))
    return {**body, "signature": base64.b64encode(signature).decode("ascii")}


def verify_checkpoint(checkpoint: dict, public_key: Ed25519PublicKey | bytes | str,
                      origin: str | None = None) -> tuple[int, bytes]:
    """Check a checkpoint's shape and signature; returns ``(tree_size, root_hash)``."""
    if not isinstance(checkpoint, dict) or set(checkpoint) != set(_CHECKPOINT_FIELDS):
        raise CheckpointError(f"a checkpoint has exactly the fields {', '.join(_CHECKPOINT_FIELDS)}")
    size = checkpoint["tree_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise CheckpointError(f"checkpoint tree_size {size!r} is not a size")
    if origin is not None and checkpoint["origin"] != origin:
        raise CheckpointError(f"checkpoint is from log {checkpoint['origin']!r}, "
                              f"expected {origin!r}")
    try:
        root = base64.b64decode(checkpoint["root_hash"], validate=True)
        signature = base64.b64decode(checkpoint["signature"], validate=True)
        parse_time(checkpoint["timestamp"], "timestamp")
    except (ValueError, TypeError, MalformedEntryError) as exc:
        raise CheckpointError(f"malformed checkpoint: {exc}") from None
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    try:
        load_public_key(public_key).verify(signature, canonicalize(body))
    except InvalidSignature:
        raise CheckpointError(f"checkpoint signature for tree size {size} does not verify "
                              "with the log's key") from None
    return size, root


class TransparencyLog:
    """Append-only log of verified entries in an SQLite file."""

    def __init__(self, path: str | os.PathLike, signing_key: Ed25519PrivateKey, *,
                 origin: str = DEFAULT_ORIGIN) -> None:
        self.path = Path(path)
        self.origin = origin
        self._key = signing_key
        self.conn = sqlite3.connect(os.fspath(self.path))
        self.conn.executescript(
            "CREATE TABLE IF NOT EXISTS hotline_parties (name TEXT PRIMARY KEY, "
            "  public_key TEXT NOT NULL, registered TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS hotline_entries (idx INTEGER PRIMARY KEY, "
            "  entry_id TEXT NOT NULL UNIQUE, author TEXT NOT NULL, type TEXT NOT NULL, "
            "  leaf BLOB NOT NULL, appended TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS hotline_checkpoints (id INTEGER PRIMARY KEY, "
            "  tree_size INTEGER NOT NULL, body TEXT NOT NULL);")
        self.replay = ReplayGuard(self.conn, max_lifetime=MAX_LIFETIME, skew=CLOCK_SKEW)
        self.conn.commit()
        self.tree = MerkleTree()
        for expected, (idx, leaf) in enumerate(
                self.conn.execute("SELECT idx, leaf FROM hotline_entries ORDER BY idx")):
            if idx != expected:
                raise HotlineError(f"{self.path}: log entries jump from index {expected - 1} "
                                   f"to {idx}; the file was edited")
            self.tree.append(bytes(leaf))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    @property
    def size(self) -> int:
        return self.tree.size

    def register(self, party: Party, now: datetime | None = None) -> None:
        """Admit a party (its name and public key); re-registering the same key is a no-op."""
        row = self.conn.execute("SELECT public_key FROM hotline_parties WHERE name=?",
                                (party.name,)).fetchone()
        if row is not None:
            if row[0] != party.public_key_b64:
                raise HotlineError(f"party {party.name!r} is registered with another key "
                                   "(key rotation is not supported yet)")
            return
        with self.conn:
            self.conn.execute("INSERT INTO hotline_parties VALUES (?,?,?)",
                              (party.name, party.public_key_b64,
                               format_time(now or datetime.now(UTC))))

    def party(self, name: str) -> Party:
        row = self.conn.execute("SELECT public_key FROM hotline_parties WHERE name=?",
                                (name,)).fetchone()
        if row is None:
            raise UnknownPartyError(f"{name!r} is not a registered party of {self.origin}")
        return Party(name, row[0])

    def parties(self) -> list[Party]:
        return [Party(n, k) for n, k in
                self.conn.execute("SELECT name, public_key FROM hotline_parties ORDER BY name")]

    def append(self, entry: dict, now: datetime | None = None) -> int:
        """Verify an entry (author registered, signature, time window, schema,
        fresh nonce) and append it; returns its leaf index."""
        if not isinstance(entry, dict) or not isinstance(entry.get("author"), str):
            raise MalformedEntryError("an entry is a JSON object with a string author")
        verify_entry(entry, self.party(entry["author"]), now=now)
        leaf = canonicalize(entry)
        index = self.tree.size
        with self.conn:  # nonce and entry are committed together or not at all
            self.replay.check(entry, now)
            self.conn.execute(
                "INSERT INTO hotline_entries VALUES (?,?,?,?,?,?)",
                (index, entry_id(entry), entry["author"], entry["type"], leaf,
                 format_time(now or datetime.now(UTC))))
        self.tree.append(leaf)
        return index

    def leaf(self, index: int) -> bytes:
        row = self.conn.execute("SELECT leaf FROM hotline_entries WHERE idx=?",
                                (index,)).fetchone()
        if row is None:
            raise IndexError(f"no entry {index} in a log of {self.size}")
        return bytes(row[0])

    def entry(self, index: int) -> dict:
        return json.loads(self.leaf(index))

    def find(self, entry_id_hex: str) -> int | None:
        row = self.conn.execute("SELECT idx FROM hotline_entries WHERE entry_id=?",
                                (entry_id_hex,)).fetchone()
        return None if row is None else row[0]

    def root(self, tree_size: int | None = None) -> bytes:
        return self.tree.root(tree_size)

    def checkpoint(self, now: datetime | None = None) -> dict:
        """Sign and record a checkpoint of the current tree."""
        cp = sign_checkpoint(self._key, self.size, self.tree.root(), now or datetime.now(UTC),
                             self.origin)
        with self.conn:
            self.conn.execute("INSERT INTO hotline_checkpoints (tree_size, body) VALUES (?,?)",
                              (cp["tree_size"], json.dumps(cp)))
        return cp

    def checkpoints(self) -> list[dict]:
        return [json.loads(b) for (b,) in
                self.conn.execute("SELECT body FROM hotline_checkpoints ORDER BY id")]

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> list[str]:
        return encode_proof(self.tree.inclusion_proof(index, tree_size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[str]:
        return encode_proof(self.tree.consistency_proof(old_size, new_size))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TransparencyLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LogClient:
    """Keeps the last checkpoint of a log it trusts and audits every new one."""

    def __init__(self, log_public_key: Ed25519PublicKey | bytes | str, *,
                 state_path: str | os.PathLike | None = None,
                 origin: str | None = DEFAULT_ORIGIN) -> None:
        self.key = load_public_key(log_public_key)
        self.origin = origin
        self.state_path = Path(state_path) if state_path is not None else None
        self.checkpoint: dict | None = None
        if self.state_path is not None and self.state_path.exists():
            saved = json.loads(self.state_path.read_text(encoding="utf-8"))
            verify_checkpoint(saved, self.key, origin)
            self.checkpoint = saved

    def update(self, checkpoint: dict, consistency_proof: list[str] | None = None) -> None:
        """Accept ``checkpoint`` if it is signed by the log and extends the one kept."""
        size, root = verify_checkpoint(checkpoint, self.key, self.origin)
        old = self.checkpoint
        if old is not None:
            old_size, old_root = verify_checkpoint(old, self.key, self.origin)
            if parse_time(checkpoint["timestamp"]) < parse_time(old["timestamp"]):
                raise CheckpointError(f"checkpoint time {checkpoint['timestamp']} is before the "
                                      f"one kept ({old['timestamp']})")
            if size < old_size:
                raise InconsistentLogError(f"the log shrank from {old_size} to {size} entries")
            if old_size == 0:
                if old_root != EMPTY_ROOT:
                    raise InconsistentLogError("the kept checkpoint of an empty log has a "
                                               "non-empty root")
            else:
                try:
                    verify_consistency(old_size, size, old_root, root,
                                       decode_proof(consistency_proof or []))
                except ProofError as exc:
                    raise InconsistentLogError(
                        f"checkpoint of size {size} does not extend the kept one of size "
                        f"{old_size}: the log rewrote, removed or reordered entries ({exc})"
                    ) from None
        elif size == 0 and root != EMPTY_ROOT:
            raise InconsistentLogError("a checkpoint of an empty log must have the empty root")
        self.checkpoint = checkpoint
        if self.state_path is not None:
            tmp = self.state_path.with_suffix(self.state_path.suffix + ".tmp")
            tmp.write_text(json.dumps(checkpoint), encoding="utf-8")
            os.replace(tmp, self.state_path)

    def sync(self, log: TransparencyLog, now: datetime | None = None) -> dict:
        """Fetch a fresh checkpoint and the proof it extends the kept one; returns it."""
        checkpoint = log.checkpoint(now)
        proof = None
        if self.checkpoint is not None:
            old = self.checkpoint["tree_size"]
            if 0 < old <= checkpoint["tree_size"]:
                proof = log.consistency_proof(old, checkpoint["tree_size"])
        self.update(checkpoint, proof)
        return checkpoint

    def verify_inclusion(self, entry: dict | bytes, index: int, proof: list[str],
                         checkpoint: dict | None = None) -> None:
        """Check that ``entry`` (dict or its JCS bytes) is leaf ``index`` under the
        kept (or given, already verified) checkpoint; raises :class:`ProofError`."""
        cp = checkpoint or self.checkpoint
        if cp is None:
            raise ProofError("no checkpoint to verify against; sync with the log first")
        size, root = verify_checkpoint(cp, self.key, self.origin)
        leaf = entry if isinstance(entry, bytes) else canonicalize(entry)
        verify_inclusion(leaf_hash(leaf), index, size, decode_proof(proof), root)

    def audit(self, log: TransparencyLog, index: int) -> dict:
        """Fetch entry ``index`` and prove it is in the kept checkpoint; returns it."""
        if self.checkpoint is None:
            raise ProofError("no checkpoint to verify against; sync with the log first")
        leaf = log.leaf(index)
        self.verify_inclusion(leaf, index, log.inclusion_proof(index,
                                                               self.checkpoint["tree_size"]))
        return json.loads(leaf)
