"""``orbwatch hotline verify``: audit a hotline server against what it showed before.

The auditor keeps, in a JSON state file, the log's public key (trusted on
first use unless given), the last checkpoint it accepted and the leaf hashes
under it.  Each run it

1. fetches a fresh signed checkpoint and the consistency proof from the kept
   one (RFC 9162 §2.1.4), and all leaf hashes, whose Merkle root must be the
   checkpoint's: every leaf is then included in it;
2. compares the served leaf hashes with the kept ones, so a rewrite, a
   deletion or a reordering is named by index, not just detected;
3. fetches every entry visible to it, checks that its bytes are the leaf the
   log committed to, verifies the inclusion proof the server serves for the
   new ones, and replays the key history to check each signature with the
   key its author held at that position.

Any failure raises :class:`TamperedLogError` (or :class:`CheckpointError`)
naming what was rewritten, deleted or reordered; the kept state is then left
as it was.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.client import HotlineClient
from orbwatch.hotline.entries import parse_time
from orbwatch.hotline.errors import CheckpointError, EntryError, ProofError, TamperedLogError
from orbwatch.hotline.keys import KeyRing
from orbwatch.hotline.log import decode_proof, verify_checkpoint
from orbwatch.hotline.merkle import (
    EMPTY_ROOT,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

__all__ = ["Auditor", "diagnose"]


def diagnose(kept: list[bytes], served: list[bytes]) -> list[str]:
    """What happened to the kept leaves in the served list, by index."""
    where = {h: i for i, h in enumerate(served)}
    out, done = [], set()
    for i, h in enumerate(kept):
        if i in done or (i < len(served) and served[i] == h):
            continue
        j = where.get(h)
        if j is not None and j < len(kept) and i < len(served) and served[i] == kept[j] \
                and served[j] == h:
            out.append(f"entries {i} and {j} were swapped (reordered)")
            done.add(j)
        elif j is not None:
            out.append(f"entry {i} was moved to position {j} (reordered)")
        elif i >= len(served):
            out.append(f"entry {i} was deleted (the log now has {len(served)} entries)")
        elif i + 1 < len(kept) and served[i] == kept[i + 1]:
            out.append(f"entry {i} was deleted (later entries moved up)")
        else:
            out.append(f"entry {i} was rewritten (its leaf hash changed)")
    return out


class Auditor:
    """Audits one hotline server; state in ``state_path``."""

    def __init__(self, client: HotlineClient, state_path: str | os.PathLike,
                 log_public_key: str | None = None) -> None:
        self.client = client
        self.state_path = Path(state_path)
        self.state: dict = {}
        if self.state_path.exists():
            self.state = json.loads(self.state_path.read_text(encoding="utf-8"))
        if log_public_key and self.state.get("log_public_key") not in (None, log_public_key):
            raise CheckpointError("the state file was kept for another log key")
        self.log_key = log_public_key or self.state.get("log_public_key")

    def _save(self, checkpoint: dict, leaves: list[bytes]) -> None:
        state = {"log_public_key": self.log_key, "checkpoint": checkpoint,
                 "leaf_hashes": [base64.b64encode(h).decode("ascii") for h in leaves]}
        tmp = self.state_path.with_suffix(self.state_path.suffix + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.state_path)
        self.state = state

    def run(self) -> dict:
        """Audit once; returns a summary, raises on any inconsistency."""
        if self.log_key is None:  # trust on first use
            self.log_key = self.client.health()["log_public_key"]
        checkpoint = self.client.checkpoint()
        size, root = verify_checkpoint(checkpoint, self.log_key)
        kept_cp = self.state.get("checkpoint")
        kept = [base64.b64decode(h) for h in self.state.get("leaf_hashes", [])]
        served = self.client.leaf_hashes(size)
        problems = diagnose(kept, served)
        if kept_cp is not None:
            old_size, old_root = verify_checkpoint(kept_cp, self.log_key)
            if size < old_size:
                problems.insert(0, f"the log shrank from {old_size} to {size} entries")
            elif old_size > 0:
                proof = self.client.consistency_proof(old_size, size)["proof"]
                try:
                    verify_consistency(old_size, size, old_root, root, decode_proof(proof))
                except ProofError as exc:
                    problems.insert(0, f"checkpoint of size {size} does not extend the kept one "
                                       f"of size {old_size} ({exc})")
        if len(served) != size or (root_from_leaf_hashes(served) if served else EMPTY_ROOT) != root:
            problems.append(f"the {len(served)} leaf hashes served do not hash to the root of "
                            f"the signed checkpoint of size {size}")
        if problems:
            raise TamperedLogError("hotline log tampered with: " + "; ".join(problems))
        checked = self._check_entries(served, size, root, len(kept))
        self._save(checkpoint, served)
        return {"tree_size": size, "previous_size": len(kept), "entries_checked": checked,
                "root_hash": checkpoint["root_hash"]}

    def _check_entries(self, leaves: list[bytes], size: int, root: bytes, known: int) -> int:
        ring = KeyRing(self.log_key)
        checked = 0
        problems: list[str] = []
        for record in self.client.entries():
            index, entry = record["index"], record["entry"]
            if not 0 <= index < size:
                continue  # appended after the checkpoint
            body = canonicalize(entry)
            if leaf_hash(body) != leaves[index]:
                problems.append(f"entry {index} was rewritten: its bytes are not the leaf the "
                                "log committed to")
                continue
            if index >= known:
                proof = self.client.inclusion_proof(index, size)["proof"]
                try:
                    verify_inclusion(leaves[index], index, size, decode_proof(proof), root)
                except ProofError as exc:
                    problems.append(f"entry {index}: the served inclusion proof fails ({exc})")
            try:
                ring.verify(entry, now=parse_time(entry["created"]))
                ring.apply(entry, index)
            except EntryError as exc:
                problems.append(f"entry {index} ({entry.get('author')!r}): {exc}")
            checked += 1
        if problems:
            raise TamperedLogError("hotline log tampered with: " + "; ".join(problems[:10]))
        return checked
