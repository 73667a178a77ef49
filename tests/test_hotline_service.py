"""The hotline HTTP service in-process, on SQLite and on PostgreSQL: every
refusal appends nothing, proofs served check out (and broken ones fail),
read access, acknowledgements, key rotation and revocation, the bridge to
the norms engine."""

from __future__ import annotations

import base64
import copy
import json
import warnings
from datetime import UTC, datetime, timedelta

import pytest

from hotline_support import ADMIN, database, payload
from orbwatch.hotline import (
    BadSignatureError,
    ProofError,
    generate_key,
    sign_entry,
    verify_consistency,
    verify_inclusion,
)
from orbwatch.hotline.access import sign_request
from orbwatch.hotline.bridge import alert_addressees, findings_to_alerts, notifications_from_log
from orbwatch.hotline.client import HotlineClient, HotlineRequestError
from orbwatch.hotline.entries import public_key_bytes, signing_bytes
from orbwatch.hotline.log import decode_proof, verify_checkpoint
from orbwatch.hotline.merkle import MerkleTree
from orbwatch.hotline.service import create_app
from orbwatch.norms.engine import Finding

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOW = datetime.now(UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    yield from database(request, tmp_path)


def _b64(key) -> str:
    return base64.b64encode(public_key_bytes(key)).decode("ascii")


class Hotline:
    """An app on a database with parties RU, US, CN registered."""

    def __init__(self, db_url: str, log_key=None) -> None:
        self.db_url = db_url
        self.log_key = log_key or generate_key()
        self.app = create_app(db_url, log_key=self.log_key, admin_token=ADMIN, max_body=64_000)
        self.http = TestClient(self.app)
        self.keys: dict = {}

    def client(self, party: str | None = None) -> HotlineClient:
        return HotlineClient("http://testserver", party, self.keys.get(party),
                             admin_token=ADMIN, http=self.http)

    def add(self, *names: str) -> Hotline:
        for name in names:
            self.keys[name] = generate_key()
            self.client().register(name, self.keys[name].public_key())
        return self

    def size(self) -> int:
        return self.http.get("/v1/health").json()["tree_size"]

    def post(self, entry) -> int:
        body = entry if isinstance(entry, bytes) else json.dumps(entry).encode()
        return self.http.post("/v1/entries", content=body,
                              headers={"content-type": "application/json"}).status_code

    def close(self) -> None:
        self.app.state.log.close()


@pytest.fixture
def hl(db_url):
    h = Hotline(db_url).add("RU", "US", "CN")
    yield h
    h.close()


def _flip(entry: dict) -> bytes:
    raw = json.dumps(entry).encode()
    at = raw.index(b'"delta_v_m_s": 1.25') + len(b'"delta_v_m_s": 1.2')
    return raw[:at] + b"6" + raw[at + 1:]


def _resigned(entry: dict, key, **change) -> dict:
    """``entry`` changed and signed again, bypassing the client-side schema check."""
    entry = {**entry, **change}
    sig = key.sign(signing_bytes(entry))
    return {**entry, "signature": base64.b64encode(sig).decode("ascii")}


def _rotated(hl) -> dict:
    old = hl.keys["RU"]
    new = generate_key()
    assert hl.post(sign_entry({"type": "key_rotation", "new_public_key": _b64(new)}, "RU",
                              old)) == 201
    hl.keys["RU"] = new
    return sign_entry(payload(), "RU", old)


def _revoked(hl) -> dict:
    key = hl.keys["RU"]
    assert hl.post(sign_entry({"type": "key_revocation", "public_key": _b64(key)}, "RU",
                              key)) == 201
    return sign_entry(payload(), "RU", key)


ATTACKS = {
    "signed as another party": (lambda hl: sign_entry(payload(), "US", hl.keys["RU"]), 403),
    "flipped byte in body": (lambda hl: _flip(sign_entry(payload(), "RU", hl.keys["RU"])), 403),
    "expired created": (lambda hl: sign_entry(payload(), "RU", hl.keys["RU"],
                                              created=NOW - timedelta(days=3)), 422),
    "created in the future": (lambda hl: sign_entry(payload(), "RU", hl.keys["RU"],
                                                    created=NOW + timedelta(hours=1)), 422),
    "not JSON": (lambda hl: b'{"author": "RU", ', 400),
    "JSON but not an object": (lambda hl: b"[1, 2]", 422),
    "missing fields": (lambda hl: {"author": "RU", "type": "manoeuvre"}, 422),
    "payload against schema": (lambda hl: _resigned(sign_entry(payload(), "RU", hl.keys["RU"]),
                                                    hl.keys["RU"],
                                                    payload=payload(delta_v_m_s=-1)), 422),
    "oversized": (lambda hl: sign_entry(payload(purpose="x" * 9000) | {}, "RU", hl.keys["RU"])
                  | {"signature": "A" * 70_000}, 413),
    "unknown party": (lambda hl: sign_entry(payload(), "XX", generate_key()), 403),
    "party forging a registration": (lambda hl: sign_entry(
        {"type": "party_registration", "party": "ZZ", "public_key": _b64(generate_key())},
        "@log", hl.keys["RU"]), 403),
    "addressed to an unknown party": (lambda hl: sign_entry(payload(), "RU", hl.keys["RU"],
                                                            to=["XX"]), 403),
    "old key after rotation": (_rotated, 403),
    "revoked key": (_revoked, 403),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_refusal_appends_nothing(hl, attack):
    make, status = ATTACKS[attack]
    bad = make(hl)
    before = hl.size()
    entries_before = [r["entry_id"] for r in hl.client("US").entries()]
    assert hl.post(bad) == status
    assert hl.size() == before
    assert [r["entry_id"] for r in hl.client("US").entries()] == entries_before


def test_exact_replay_refused_also_after_restart(db_url):
    hl = Hotline(db_url).add("RU", "US")
    entry = sign_entry(payload(), "RU", hl.keys["RU"])
    assert hl.post(entry) == 201
    assert hl.post(entry) == 409
    size = hl.size()
    hl.close()
    again = Hotline(db_url, hl.log_key)  # a new process on the same database
    assert again.size() == size
    assert again.post(entry) == 409
    assert again.size() == size
    assert again.post(sign_entry(payload(), "RU", hl.keys["RU"])) == 201
    again.close()


def test_signed_read_replay_refused_also_after_restart(db_url):
    hl = Hotline(db_url).add("RU", "US")
    good = sign_request("GET", "/v1/inbox", "US", hl.keys["US"])
    assert hl.http.get("/v1/inbox", headers=good).status_code == 200
    hl.close()
    again = Hotline(db_url, hl.log_key)  # a new process on the same database
    response = again.http.get("/v1/inbox", headers=good)
    assert response.status_code == 401 and "already used" in response.json()["detail"]
    fresh = sign_request("GET", "/v1/inbox", "US", hl.keys["US"])
    assert again.http.get("/v1/inbox", headers=fresh).status_code == 200
    again.close()


def test_wrong_log_key_for_the_database_is_refused(db_url):
    Hotline(db_url).close()
    with pytest.raises(Exception, match="wrong --log-key"):
        Hotline(db_url)


def _fill(hl, n: int) -> None:
    for i in range(n):
        author = ("RU", "US")[i % 2]
        kind = ("manoeuvre", "launch", "proximity_operation")[i % 3]
        assert hl.post(sign_entry(payload(kind), author, hl.keys[author])) == 201


def test_proofs_served_check_out_and_broken_ones_fail(hl):
    _fill(hl, 9)
    anon = hl.client()
    cp = anon.checkpoint()
    size, root = verify_checkpoint(cp, hl.log_key.public_key())
    assert size == 12
    leaves = anon.leaf_hashes(size)
    for index in range(size):
        p = anon.inclusion_proof(index, size)
        assert base64.b64decode(p["leaf_hash"]) == leaves[index]
        proof = decode_proof(p["proof"])
        verify_inclusion(leaves[index], index, size, proof, root)
        broken = [(leaves[index], index, size, proof[:-1], root),          # truncated
                  (leaves[index], index, size, proof + [root], root),      # too long
                  (leaves[index], index, 2 * size, proof, root),           # wrong size
                  (leaves[index], index ^ 1, size, proof, root),           # wrong index
                  (leaves[(index + 1) % size], index, size, proof, root)]  # wrong leaf
        if proof:
            flipped = bytearray(proof[0])
            flipped[5] ^= 0x10
            broken.append((leaves[index], index, size, [bytes(flipped), *proof[1:]], root))
        for args in broken:
            with pytest.raises(ProofError):
                verify_inclusion(*args)
    tree = MerkleTree(leaves)
    for old in range(1, size):
        proof = decode_proof(anon.consistency_proof(old, size)["proof"])
        verify_consistency(old, size, tree.root(old), root, proof)
        with pytest.raises(ProofError):
            verify_consistency(old, size, tree.root(old), root, proof[:-1])
        with pytest.raises(ProofError):  # a proof for other sizes, with their true roots
            verify_consistency(old, size - 1, tree.root(old), tree.root(size - 1), proof)
        bad = bytearray(proof[-1])
        bad[0] ^= 1
        with pytest.raises(ProofError):
            verify_consistency(old, size, tree.root(old), root, [*proof[:-1], bytes(bad)])
    for query in ("/v1/proofs/inclusion?index=12&tree_size=12",
                  "/v1/proofs/consistency?old=5&new=99", "/v1/proofs/consistency?old=0"):
        assert hl.http.get(query).status_code in (400, 422)


def test_read_access_addressed_public_and_signed_requests(hl):
    ru, us, cn, anon = (hl.client(p) for p in ("RU", "US", "CN", None))
    secret = ru.notify(payload("proximity_operation"), to=["US"])
    public = ru.notify(payload("launch"))
    seen = {p: {r["entry_id"] for r in c.entries()} for p, c in
            (("RU", ru), ("US", us), ("CN", cn), ("anon", anon))}
    assert secret["entry_id"] in seen["RU"] and secret["entry_id"] in seen["US"]
    assert secret["entry_id"] not in seen["CN"] and secret["entry_id"] not in seen["anon"]
    assert all(public["entry_id"] in s for s in seen.values())
    assert hl.http.get(f"/v1/entries/{secret['index']}").status_code == 404
    one = us.entry(secret["index"])
    assert one["to"] == ["US"] and one["inclusion_proof"] is not None
    assert [r["entry_id"] for r in us.inbox()["entries"]] == [secret["entry_id"]]
    assert cn.inbox()["entries"] == []
    # signed requests: stale, forged, replayed, or none where one is needed
    target = "/v1/inbox"
    stale = sign_request("GET", target, "US", hl.keys["US"], now=NOW - timedelta(minutes=10))
    forged = sign_request("GET", target, "US", hl.keys["CN"])
    good = sign_request("GET", target, "US", hl.keys["US"])
    wrong_path = sign_request("GET", "/v1/acks", "US", hl.keys["US"])
    assert hl.http.get(target, headers=good).status_code == 200
    for headers in (stale, forged, good, wrong_path, {}):
        response = hl.http.get(target, headers=headers)
        assert response.status_code == 401, headers
    assert "stale" in hl.http.get(target, headers=stale).json()["detail"]
    assert "already used" in hl.http.get(target, headers=good).json()["detail"]


def test_acknowledgements_pending_overdue_and_done(hl):
    ru, us, cn = (hl.client(p) for p in ("RU", "US", "CN"))
    soon = ru.notify(payload(), to=["US", "CN"], ack_by=NOW + timedelta(hours=2))
    past = ru.notify(payload("launch"), to=["US"], ack_by=NOW - timedelta(minutes=1))
    owed = {(a["entry_id"], a["overdue"]) for a in us.acks()["owed"]}
    assert owed == {(soon["entry_id"], False), (past["entry_id"], True)}
    assert {(a["party"], a["entry_id"]) for a in ru.acks()["awaited"]} == {
        ("US", soon["entry_id"]), ("CN", soon["entry_id"]), ("US", past["entry_id"])}
    us.ack(soon["entry_id"], "noted")
    assert [a["entry_id"] for a in us.acks()["owed"]] == [past["entry_id"]]
    assert {a["party"] for a in ru.acks()["awaited"] if a["entry_id"] == soon["entry_id"]} \
        == {"CN"}
    size = hl.size()
    with pytest.raises(HotlineRequestError, match="already acknowledged"):
        us.ack(soon["entry_id"])
    hidden = ru.notify(payload(), to=["US"])
    with pytest.raises(HotlineRequestError, match="not addressed"):
        cn.ack(hidden["entry_id"])
    with pytest.raises(HotlineRequestError, match="not in the log"):
        cn.ack("ab" * 32)
    assert hl.size() == size + 1


def test_rotation_and_revocation_keep_old_entries_verifiable(hl):
    ru = hl.client("RU")
    first = ru.notify(payload())
    _rotated(hl)
    second = hl.client("RU").notify(payload("launch"))
    _revoked(hl)
    with pytest.raises(HotlineRequestError, match="revoked"):
        hl.client("RU").notify(payload())
    hl.keys["RU"] = generate_key()  # the operator re-keys the party
    hl.client().register("RU", hl.keys["RU"].public_key())
    third = hl.client("RU").notify(payload("proximity_operation"))
    history = {p["name"]: p for p in hl.client().parties()["parties"]}["RU"]["keys"]
    assert [k["revoked"] for k in history] == [False, True, False]
    assert history[0]["valid_until"] < history[1]["valid_from"]
    # every entry verifies with the key valid at its position
    notes = notifications_from_log(hl.client("US").entries(), hl.log_key.public_key())
    assert [n.id for n in notes] == [first["entry_id"], second["entry_id"], third["entry_id"]]
    assert [n.type for n in notes] == ["maneuver", "launch", "proximity"]
    assert all(n.signature for n in notes)
    assert notes[0].objects == (44797,) and notes[0].delta_v_mps == 1.25
    assert notes[2].objects == (44797, 39232) and notes[2].min_distance_km == 20.0
    assert notes[2].end_us - notes[2].start_us == 86400 * 10**6
    records = list(hl.client("US").entries())
    forged = copy.deepcopy(records)
    target = next(r for r in forged if r["entry_id"] == second["entry_id"])
    target["entry"]["payload"]["azimuth_deg"] = 10.0
    with pytest.raises(BadSignatureError):
        notifications_from_log(forged, hl.log_key.public_key())


def test_findings_become_alerts_addressed_to_the_parties(hl):
    finding = Finding(rule_id="prox-unnotified", title="Unnotified close approach",
                      parties=["RU"], events=["ev-1"], measured={"range_km": 4.2,
                                                                 "bad": float("nan")},
                      confidence=0.8, severity="high", notified=False, cannot_show=[],
                      text="RU's 44797 came within 4.2 km of 39232", objects=[44797, 39232],
                      epoch="2024-05-05T00:00:00Z", affected=["US"])
    [alert] = findings_to_alerts([finding])
    assert alert["type"] == "alert" and alert["measured"] == {"range_km": 4.2, "bad": None}
    to = alert_addressees(alert, registered=["RU", "US", "CN"])
    assert to == ["RU", "US"]
    monitor = generate_key()
    hl.keys["MONITOR"] = monitor
    hl.client().register("MONITOR", monitor.public_key())
    posted = hl.client("MONITOR").notify(alert, to=to)
    assert posted["entry_id"] in {r["entry_id"] for r in hl.client("US").inbox()["entries"]}
    assert hl.client("CN").inbox()["entries"] == []


def test_openapi_document_lists_the_routes(hl):
    doc = hl.http.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/v1/entries", "/v1/entries/{index}", "/v1/checkpoint", "/v1/parties",
                 "/v1/proofs/inclusion", "/v1/proofs/consistency", "/v1/inbox", "/v1/acks",
                 "/v1/leaves"):
        assert path in doc["paths"], path
    body = doc["paths"]["/v1/entries"]["post"]["requestBody"]["content"]["application/json"]
    assert "signature" in body["schema"]["required"]
    assert hl.http.post("/v1/parties", json={"name": "ZZ", "public_key": _b64(generate_key())}
                        ).status_code == 401
