"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proofs.

* leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``,
  the empty tree hashes to ``SHA-256("")`` (RFC 9162 §2.1.1);
* inclusion proofs (audit paths) ``PATH(m, D[n])``, §2.1.3.1, and their
  verification, §2.1.3.2;
* consistency proofs ``PROOF(m, D[n])``, §2.1.4.1, and their verification, §2.1.4.2.

Hashes are ``bytes``.  Verifiers raise :class:`ProofError` saying which check
failed; they return ``None`` on success.  Sizes 0 follow the conventions of the
transparency-dev/merkle test vectors: a tree of size 0 has root ``EMPTY_ROOT``
and holds no leaf, and a consistency proof *from* size 0 is refused (it would
prove nothing; check the new root directly).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from orbwatch.hotline.errors import ProofError

__all__ = [
    "HASH_SIZE",
    "EMPTY_ROOT",
    "ProofError",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaf_hashes",
    "MerkleTree",
    "verify_inclusion",
    "verify_consistency",
    "root_from_inclusion_proof",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(hashes: Sequence[bytes], start: int, end: int, cache: dict | None = None) -> bytes:
    """MTH of the leaves ``[start, end)`` given their leaf hashes."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[start]
    # A complete subtree (size a power of two, aligned) never changes once
    # all its leaves exist, so it can be cached in an append-only tree.
    perfect = cache is not None and n & (n - 1) == 0 and start % n == 0
    if perfect and (start, n) in cache:
        return cache[(start, n)]
    k = _split(n)
    value = node_hash(_mth(hashes, start, start + k, cache), _mth(hashes, start + k, end, cache))
    if perfect:
        cache[(start, n)] = value
    return value


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash of a list of leaf hashes."""
    return _mth(list(hashes), 0, len(hashes))


def root(leaves: Iterable[bytes]) -> bytes:
    """Merkle tree hash ``MTH(D[n])`` of a list of leaf *data* (not hashes)."""
    return root_from_leaf_hashes([leaf_hash(d) for d in leaves])


class MerkleTree:
    """An append-only Merkle tree over a list of leaf hashes.

    ``MerkleTree(leaf_hashes)`` starts from existing leaf hashes;
    :meth:`append` adds leaf data, :meth:`append_hash` a ready leaf hash.
    Complete subtrees are cached, so proofs and roots cost O(log n) hashes
    once the tree has been walked.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._hashes: list[bytes] = []
        self._cache: dict[tuple[int, int], bytes] = {}
        for h in leaf_hashes:
            self.append_hash(h)

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def size(self) -> int:
        return len(self._hashes)

    def append(self, data: bytes) -> int:
        """Append leaf data; returns its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, h: bytes) -> int:
        if len(h) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, got {len(h)}")
        self._hashes.append(bytes(h))
        return len(self._hashes) - 1

    def leaf_hash(self, index: int) -> bytes:
        return self._hashes[index]

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return len(self._hashes)
        if not 0 <= size <= len(self._hashes):
            raise ValueError(f"tree size {size} outside 0..{len(self._hashes)}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """Root of the tree of the first ``size`` leaves (default: all)."""
        return _mth(self._hashes, 0, self._check_size(size), self._cache)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of size ``size``, RFC 9162 §2.1.3.1."""
        size = self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} outside a tree of size {size}")
        proof: list[bytes] = []
        start, end = 0, size
        # Walk down from the root; siblings are collected top-down, then reversed.
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                proof.append(_mth(self._hashes, start + k, end, self._cache))
                end = start + k
            else:
                proof.append(_mth(self._hashes, start, start + k, self._cache))
                start = start + k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof ``PROOF(old_size, D[new_size])``, RFC 9162 §2.1.4.1."""
        new_size = self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"old size {old_size} outside 0..{new_size}")
        if old_size == 0 or old_size == new_size:
            return []
        proof: list[bytes] = []
        m, start, end, complete = old_size, 0, new_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                proof.append(_mth(self._hashes, start + k, end, self._cache))
                end = start + k
            else:
                proof.append(_mth(self._hashes, start, start + k, self._cache))
                m -= k
                start += k
                complete = False
        if not complete:
            proof.append(_mth(self._hashes, start, end, self._cache))
        proof.reverse()
        return proof


def _check_nodes(proof: Sequence[bytes], what: str) -> list[bytes]:
    nodes = list(proof or [])
    for i, p in enumerate(nodes):
        if len(p) != HASH_SIZE:
            raise ProofError(f"{what} proof element {i} has {len(p)} bytes, expected {HASH_SIZE}")
    return nodes


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))


def root_from_inclusion_proof(leaf: bytes, index: int, size: int,
                              proof: Sequence[bytes]) -> bytes:
    """The root implied by an audit path, RFC 9162 §2.1.3.2 steps 1-5."""
    if size <= 0:
        raise ProofError(f"inclusion proof: a tree of size {size} holds no leaf")
    if not 0 <= index < size:
        raise ProofError(f"inclusion proof: leaf index {index} is not below tree size {size}")
    nodes = _check_nodes(proof, "inclusion")
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in nodes:
        if sn == 0:
            raise ProofError(f"inclusion proof for leaf {index} of {size} is too long "
                             f"({len(nodes)} elements)")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof for leaf {index} of {size} is too short "
                         f"({len(nodes)} elements)")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     expected_root: bytes) -> None:
    """Check that ``leaf`` (a leaf *hash*) is leaf ``index`` of the tree of
    ``size`` leaves whose root is ``expected_root``; raise :class:`ProofError`."""
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"inclusion proof: leaf hash has {len(leaf)} bytes, expected {HASH_SIZE}")
    r = root_from_inclusion_proof(leaf, index, size, proof)
    if not _same(r, expected_root):
        raise ProofError(f"inclusion proof for leaf {index} of {size}: computed root "
                         f"{r.hex()[:16]}... does not match the expected root "
                         f"{bytes(expected_root).hex()[:16]}...")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree of ``new_size`` leaves with ``new_root`` extends the
    tree of ``old_size`` leaves with ``old_root``, RFC 9162 §2.1.4.2."""
    nodes = _check_nodes(proof, "consistency")
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"consistency proof: new size {new_size} is smaller than old size "
                         f"{old_size} (a log never shrinks)")
    if old_size == new_size:
        if nodes:
            raise ProofError(f"consistency proof between equal sizes {old_size} must be empty, "
                             f"got {len(nodes)} elements")
        if not _same(old_root, new_root):
            raise ProofError(f"roots differ for the same tree size {old_size}")
        if old_size == 0 and not _same(old_root, EMPTY_ROOT):
            raise ProofError("the root of an empty tree must be SHA-256 of the empty string")
        return
    if old_size == 0:
        raise ProofError("consistency proof from an empty tree proves nothing; "
                         "check the new root directly")
    if not nodes:
        raise ProofError(f"consistency proof from size {old_size} to {new_size} is empty")
    # Step 2: when the old tree is a complete subtree, its root is the first node.
    if old_size & (old_size - 1) == 0:
        nodes = [bytes(old_root)] + nodes
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof from {old_size} to {new_size} is too long "
                             f"({len(proof)} elements)")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof from {old_size} to {new_size} is too short "
                         f"({len(proof)} elements)")
    if not _same(fr, old_root):
        raise ProofError(f"consistency proof from {old_size} to {new_size}: the old root "
                         f"recomputed from the proof does not match the old checkpoint")
    if not _same(sr, new_root):
        raise ProofError(f"consistency proof from {old_size} to {new_size}: the new root "
                         f"recomputed from the proof does not match the new checkpoint")
