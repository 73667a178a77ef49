"""orbwatch.hotline.merkle against the transparency-dev/merkle test vectors.

Every file of ``merkle_vectors/inclusion`` and ``merkle_vectors/consistency``
is one case: the happy paths must verify and every broken variant
(``wantErr: true``) must be refused with a ProofError.  The ``subtree*``
folders test subtree proofs, which RFC 9162 does not define; they are
skipped on purpose.  Our own trees (sizes 1..64) must produce proofs that
verify, and whose corruption is refused.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from orbwatch.errors import OrbwatchError
from orbwatch.hotline.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def _cases(kind: str) -> list[str]:
    """File names (relative) to parametrize over.  Collection cannot use a
    fixture, so the names come from the same place the ``shared_data``
    fixture points at; the files themselves are read through the fixture, and
    ``test_every_vector_file_is_a_case`` fails if the two disagree."""
    from conftest import shared_data_path

    folder = shared_data_path() / "merkle_vectors" / kind
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _load(shared_data: Path, kind: str, name: str) -> dict:
    return json.loads((shared_data / "merkle_vectors" / kind / name).read_text())


INCLUSION = _cases("inclusion")
CONSISTENCY = _cases("consistency")


def test_every_vector_file_is_a_case(shared_data):
    # 98 + 98 files, 6 happy paths each (transparency-dev/merkle @417fb0c)
    for kind, cases in (("inclusion", INCLUSION), ("consistency", CONSISTENCY)):
        folder = shared_data / "merkle_vectors" / kind
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
        assert files == cases
        assert len(files) == 98
        happy = [f for f in files if not json.loads((folder / f).read_text())["wantErr"]]
        assert len(happy) == 6, happy


@pytest.mark.parametrize("name", INCLUSION)
def test_inclusion_vector(shared_data, name):
    case = _load(shared_data, "inclusion", name)
    args = (_b64(case["leafHash"]), case["leafIdx"], case["treeSize"],
            [_b64(p) for p in case["proof"] or []], _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("name", CONSISTENCY)
def test_consistency_vector(shared_data, name):
    case = _load(shared_data, "consistency", name)
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]),
            [_b64(p) for p in case["proof"] or []])
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_proof_error_is_an_orbwatch_error_and_says_what_failed():
    assert issubclass(ProofError, OrbwatchError)
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(5))
    with pytest.raises(ProofError, match="does not match the expected root"):
        verify_inclusion(tree.leaf_hash(1), 1, 5, tree.inclusion_proof(1), EMPTY_ROOT)
    with pytest.raises(ProofError, match="smaller than old size"):
        verify_consistency(5, 3, tree.root(), tree.root(3), [])


def test_rfc_hashing_of_known_trees():
    assert root([]) == EMPTY_ROOT
    assert root([b""]) == leaf_hash(b"")
    a, b, c = b"a", b"b", b"c"
    assert root([a, b, c]) == node_hash(node_hash(leaf_hash(a), leaf_hash(b)), leaf_hash(c))
    # The classic RFC 6962 test tree: root of the 8 leaves of the reference
    # implementation (empty, 00, 10, 2021, 3031, 40414243, 5051..57, 6061..6f).
    leaves = [bytes.fromhex(h) for h in (
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f")]
    assert root(leaves).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


@pytest.mark.parametrize("size", range(1, 65))
def test_own_tree_proofs_verify(size):
    tree = MerkleTree()
    for i in range(size):
        tree.append(f"leaf {i}".encode())
    roots = [tree.root(n) for n in range(size + 1)]
    assert roots[size] == root(f"leaf {i}".encode() for i in range(size))
    for index in range(size):
        proof = tree.inclusion_proof(index, size)
        verify_inclusion(tree.leaf_hash(index), index, size, proof, roots[size])
        if proof:
            bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
            with pytest.raises(ProofError):
                verify_inclusion(tree.leaf_hash(index), index, size, bad, roots[size])
        if index + 1 < size:
            with pytest.raises(ProofError):
                verify_inclusion(tree.leaf_hash(index), index + 1, size, proof, roots[size])
    for old in range(1, size + 1):
        proof = tree.consistency_proof(old, size)
        verify_consistency(old, size, roots[old], roots[size], proof)
        if old < size:
            with pytest.raises(ProofError):
                verify_consistency(old, size, roots[old], roots[size], proof[:-1])
            with pytest.raises(ProofError):
                verify_consistency(old, size, roots[old - 1] if old > 1 else EMPTY_ROOT,
                                   roots[size], proof)


def test_inclusion_in_earlier_tree_sizes():
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(20))
    for size in range(1, 21):
        for index in range(size):
            verify_inclusion(tree.leaf_hash(index), index, size,
                             tree.inclusion_proof(index, size), tree.root(size))
