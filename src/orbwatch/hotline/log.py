"""The hotline's transparency log and the client that audits it.

:class:`TransparencyLog` keeps verified entries in a database
(:mod:`orbwatch.hotline.storage`: SQLite or PostgreSQL), each as its RFC 8785
bytes, which are the leaves of an RFC 9162 Merkle tree.  It
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
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.entries import (
    CLOCK_SKEW,
    LOG_AUTHOR,
    MAX_LIFETIME,
    Party,
    entry_id,
    format_time,
    load_public_key,
    parse_time,
    public_key_bytes,
    sign_entry,
)
from orbwatch.hotline.errors import (
    CheckpointError,
    EntryError,
    HotlineError,
    InconsistentLogError,
    MalformedEntryError,
    ProofError,
    UnknownPartyError,
)
from orbwatch.hotline.keys import KEY_TYPES, KeyRecord, KeyRing
from orbwatch.hotline.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from orbwatch.hotline.replay import ReplayGuard, check_window
from orbwatch.hotline.storage import (
    acks,
    append_transaction,
    checkpoints,
    entries,
    meta,
    open_engine,
    parties,
    read_transaction,
    recipients,
)
from orbwatch.hotline.storage import keys as keys_table

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
_log = logging.getLogger(__name__)
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
    """Append-only log of verified entries in a database (SQLite path or URL).

    The database is the truth: leaf hashes and key history are loaded from
    it at start and caught up under the append lock before every append, so
    several processes may share one database.  Rows whose bytes do not hash
    to their stored leaf hash, or gaps in the indices, are reported in
    :attr:`problems` (an auditing client will find them too).
    """

    def __init__(self, db: str | os.PathLike | Engine, signing_key: Ed25519PrivateKey, *,
                 origin: str = DEFAULT_ORIGIN) -> None:
        self.origin = origin
        self._key = signing_key
        self.engine = open_engine(db)
        self.replay = ReplayGuard(self.engine, max_lifetime=MAX_LIFETIME, skew=CLOCK_SKEW)
        self.tree = MerkleTree()
        self.keys = KeyRing(signing_key.public_key())
        self.problems: list[str] = []
        self._next_idx = 0
        self._lock = threading.RLock()
        try:
            self._check_log_key()
            with self._lock, read_transaction(self.engine) as conn:
                self._catch_up(conn)
        except BaseException:
            self.engine.dispose()
            raise

    def _check_log_key(self) -> None:
        mine = base64.b64encode(public_key_bytes(self._key)).decode("ascii")
        with append_transaction(self.engine) as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "log_public_key")).scalar()
            if row is None:
                conn.execute(insert(meta).values(key="log_public_key", value=mine))
            elif row != mine:
                raise CheckpointError(f"this database belongs to the log with key {row}, "
                                      f"not {mine}: wrong --log-key")

    def _catch_up(self, conn: Connection) -> None:
        """Load the rows appended since we last looked (by us or another process)."""
        rows = conn.execute(select(entries.c.idx, entries.c.type, entries.c.body,
                                   entries.c.leaf_hash)
                            .where(entries.c.idx >= self._next_idx).order_by(entries.c.idx))
        for idx, kind, body, stored in rows:
            if idx != self.tree.size:
                self.problems.append(f"entry indices jump from {self.tree.size - 1} to {idx}")
            body, stored = bytes(body), bytes(stored)
            if leaf_hash(body) != stored:
                self.problems.append(f"entry {idx}: its bytes do not hash to its leaf hash")
            self.tree.append_hash(stored)
            self._next_idx = idx + 1
            if kind in KEY_TYPES:
                try:
                    self.keys.apply(json.loads(body), idx)
                except (KeyError, ValueError, TypeError) as exc:
                    self.problems.append(f"entry {idx}: unreadable key entry ({exc})")
        if self.problems:
            _log.warning("hotline log %s: %s", self.engine.url, "; ".join(self.problems[-5:]))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    @property
    def size(self) -> int:
        return self.tree.size

    def refresh(self) -> int:
        """Catch up with rows other processes appended; returns the size."""
        with self._lock, read_transaction(self.engine) as conn:
            self._catch_up(conn)
            return self.tree.size

    # ----- parties -----------------------------------------------------------
    def register(self, party: Party, now: datetime | None = None) -> int | None:
        """Admit a party: the log appends a ``party_registration`` entry it signs.
        Returns its index, or None when the party already holds that key."""
        self.refresh()
        if self.keys.current.get(party.name) == party.public_key_b64:
            return None
        if self.keys.current.get(party.name) is not None:
            raise HotlineError(f"party {party.name!r} is registered with another key; "
                               "it must rotate it with a key_rotation entry")
        now = (now or datetime.now(UTC)).astimezone(UTC)
        entry = sign_entry({"type": "party_registration", "party": party.name,
                            "public_key": party.public_key_b64}, LOG_AUTHOR, self._key,
                           created=now)
        return self.append(entry, now=now)

    def party(self, name: str) -> Party:
        return Party(name, self.keys.current_key(name))

    def parties(self) -> list[Party]:
        return [Party(n, k) for n, k in sorted(self.keys.current.items()) if k is not None]

    # ----- appending -----------------------------------------------------------
    def append(self, entry: dict, now: datetime | None = None) -> int:
        """Verify an entry (author registered, signature with its current key,
        time window, schema, key rules, addressees, fresh nonce) and append
        it; returns its leaf index once committed."""
        if not isinstance(entry, dict) or not isinstance(entry.get("author"), str):
            raise MalformedEntryError("an entry is a JSON object with a string author")
        now = (now or datetime.now(UTC)).astimezone(UTC)
        with self._lock:
            with append_transaction(self.engine) as conn:
                self._catch_up(conn)
                index = self.tree.size
                kind = self.keys.verify(entry, now=now)
                check_window(entry, now)
                self._check_refs(conn, entry, kind)
                self.replay.check(entry, now, conn)
                self._insert(conn, entry, kind, index, now)
            self._catch_up_committed(entry, kind, index)
        return index

    def _check_refs(self, conn: Connection, entry: dict, kind: str) -> None:
        for name in entry.get("to", []):
            if name not in self.keys.current:
                raise UnknownPartyError(f"addressee {name!r} is not a registered party")
        if kind == "acknowledgement":
            target = entry["payload"]["entry_id"]
            row = conn.execute(select(entries.c.idx, entries.c.public)
                               .where(entries.c.entry_id == target)).first()
            if row is None:
                raise EntryError(f"acknowledged entry {target} is not in the log")
            addressed = conn.execute(select(recipients.c.party).where(
                recipients.c.idx == row.idx, recipients.c.party == entry["author"])).first()
            if not row.public and addressed is None:
                raise EntryError(f"{entry['author']!r} cannot acknowledge entry {target}: "
                                 "it is not addressed to it")
            if conn.execute(select(acks.c.ack_idx).where(
                    acks.c.entry_id == target, acks.c.party == entry["author"])).first():
                raise EntryError(f"{entry['author']!r} already acknowledged entry {target}")

    def _insert(self, conn: Connection, entry: dict, kind: str, index: int,
                now: datetime) -> None:
        body = canonicalize(entry)
        eid = entry_id(entry)
        conn.execute(insert(entries).values(
            idx=index, entry_id=eid, author=entry["author"], type=kind,
            public="to" not in entry, created_us=_micros(parse_time(entry["created"])),
            expires_us=_micros(parse_time(entry["expires"])),
            ack_by_us=_micros(parse_time(entry["ack_by"])) if "ack_by" in entry else None,
            body=body, leaf_hash=leaf_hash(body), appended=format_time(now)))
        for name in entry.get("to", []):
            conn.execute(insert(recipients).values(idx=index, party=name))
        if kind == "acknowledgement":
            conn.execute(insert(acks).values(entry_id=entry["payload"]["entry_id"],
                                             party=entry["author"], ack_idx=index,
                                             acked=format_time(now)))
        if kind == "party_registration":
            values = {"registered_idx": index, "registered": format_time(now)}
            name = entry["payload"]["party"]
            if name in self.keys.current:  # re-keyed after a revocation
                conn.execute(update(parties).where(parties.c.name == name).values(**values))
            else:
                conn.execute(insert(parties).values(name=name, **values))
        for rec in _preview_key_changes(self.keys, entry, index):
            conn.execute(delete(keys_table).where(keys_table.c.public_key == rec.public_key))
            conn.execute(insert(keys_table).values(
                public_key=rec.public_key, party=rec.party, valid_from=rec.valid_from,
                valid_until=rec.valid_until, revoked=rec.revoked))

    def _catch_up_committed(self, entry: dict, kind: str, index: int) -> None:
        self.tree.append_hash(leaf_hash(canonicalize(entry)))
        self._next_idx = index + 1
        if kind in KEY_TYPES:
            self.keys.apply(entry, index)

    # ----- reading -------------------------------------------------------------
    def leaf(self, index: int) -> bytes:
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(entries.c.body).where(entries.c.idx == index)).scalar()
        if row is None:
            raise IndexError(f"no entry {index} in a log of {self.size}")
        return bytes(row)

    def entry(self, index: int) -> dict:
        return json.loads(self.leaf(index))

    def find(self, entry_id_hex: str) -> int | None:
        with read_transaction(self.engine) as conn:
            return conn.execute(select(entries.c.idx)
                                .where(entries.c.entry_id == entry_id_hex)).scalar()

    def root(self, tree_size: int | None = None) -> bytes:
        return self.tree.root(tree_size)

    def leaf_hashes(self, start: int = 0, end: int | None = None) -> list[bytes]:
        end = self.size if end is None else min(end, self.size)
        return [self.tree.leaf_hash(i) for i in range(max(start, 0), end)]

    def checkpoint(self, now: datetime | None = None) -> dict:
        """Sign and record a checkpoint of the current tree."""
        with self._lock:
            with append_transaction(self.engine) as conn:
                self._catch_up(conn)
                cp = sign_checkpoint(self._key, self.size, self.tree.root(),
                                     now or datetime.now(UTC), self.origin)
                conn.execute(insert(checkpoints).values(tree_size=cp["tree_size"],
                                                        body=json.dumps(cp)))
        return cp

    def checkpoints(self) -> list[dict]:
        with read_transaction(self.engine) as conn:
            return [json.loads(b) for (b,) in
                    conn.execute(select(checkpoints.c.body).order_by(checkpoints.c.id))]

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> list[str]:
        return encode_proof(self.tree.inclusion_proof(index, tree_size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[str]:
        return encode_proof(self.tree.consistency_proof(old_size, new_size))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> TransparencyLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _micros(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


def _preview_key_changes(ring: KeyRing, entry: dict, index: int) -> list[KeyRecord]:
    """The key records ``entry`` will create or change, without changing ``ring``."""
    if entry["type"] not in KEY_TYPES:
        return []
    shadow = KeyRing(ring.log_key)
    shadow.records = {k: KeyRecord(**vars(r)) for k, r in ring.records.items()}
    shadow.current = dict(ring.current)
    return shadow.apply(entry, index)


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
