"""The hotline: JCS canonical form, signed entries, replay guard, transparency log."""

from __future__ import annotations

import base64
import copy
import json
import sqlite3
import struct
from datetime import UTC, datetime, timedelta

import pytest

from orbwatch.errors import OrbwatchError
from orbwatch.hotline import (
    NOTIFICATION_TYPES,
    BadSignatureError,
    CanonicalizationError,
    CheckpointError,
    ExpiredEntryError,
    InconsistentLogError,
    LogClient,
    MalformedEntryError,
    NotYetValidError,
    Party,
    PayloadSchemaError,
    ProofError,
    ReplayError,
    ReplayGuard,
    TransparencyLog,
    UnknownPartyError,
    WrongAuthorError,
    canonical_text,
    canonicalize,
    entry_id,
    generate_key,
    sign_entry,
    validate_payload,
    verify_entry,
)
from orbwatch.hotline.log import sign_checkpoint
from orbwatch.hotline.merkle import leaf_hash

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical text.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), NUMBERS)
def test_jcs_numbers_rfc8785_appendix_b(bits, text):
    assert canonical_text(struct.unpack(">d", bytes.fromhex(bits))[0]) == text


@pytest.mark.parametrize(("value", "text"), [
    (1e-7, "1e-7"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (0.001, "0.001"),
    (4.5, "4.5"), (1.0, "1"), (-0.0, "0"), (123.456e5, "12345600"), (2e-3, "0.002"),
    (1e30, "1e+30"), (1.5e-9, "1.5e-9"), (12, "12"), (-(2**53), "-9007199254740992"),
])
def test_jcs_number_forms(value, text):
    assert canonical_text(value) == text
    assert float(text) == value


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 2**53 + 1,
                                 {1: "x"}, "\ud800", {"a": object()}])
def test_jcs_refuses_what_has_no_canonical_form(bad):
    with pytest.raises(CanonicalizationError):
        canonicalize(bad)


def test_jcs_rfc8785_examples():
    # RFC 8785 §3.2.2: numbers, string escaping and literals
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    assert canonical_text(value) == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    # RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji's
    # surrogate D83D sorts before U+FB33 although its code point is larger)
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    text = canonical_text({k: 0 for k in keys})
    assert [json.loads(text)] == [dict.fromkeys(keys, 0)]
    assert list(json.loads(text)) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600",
                                      "\ufb33"]
    assert canonicalize({"a": "\u00e9"}) == b'{"a":"\xc3\xa9"}'
    assert canonical_text("\u2028\x1f\x7f") == '"\u2028\\u001f\x7f"'


def test_jcs_numbers_round_trip_in_ecmascript_grammar():
    import random
    import re

    grammar = re.compile(r"^-?(0|[1-9]\d*)(\.\d*[1-9])?(e[+-][1-9]\d*)?$")
    rng = random.Random(8785)
    for _ in range(3000):
        x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        if x != x or x in (float("inf"), -float("inf")):
            continue
        text = canonical_text(x)
        assert grammar.match(text), text
        assert float(text) == x
        plain = "e" not in text
        assert plain == (x == 0 or 1e-6 <= abs(x) < 1e21), text


def test_canonical_form_stable_under_key_order():
    a = {"z": 1, "a": {"y": [1, 2.5, {"k": None, "b": True}], "b": "x"}, "m": -0.0}
    b = json.loads(json.dumps({"m": 0, "a": {"b": "x", "y": [1, 2.5, {"b": True, "k": None}]},
                               "z": 1.0}))
    assert canonicalize(a) == canonicalize(b) == \
        b'{"a":{"b":"x","y":[1,2.5,{"b":true,"k":null}]},"m":0,"z":1}'


# --- payloads ---------------------------------------------------------------

SAT = {"norad": 44797, "name": "COSMOS 2542"}
PAYLOADS = {
    "manoeuvre": {
        "type": "manoeuvre", "object": SAT,
        "window": {"start": "2024-05-03T00:00:00Z", "end": "2024-05-03T06:00:00Z"},
        "delta_v_m_s": 1.25, "delta_v_rtn_m_s": [0.0, 1.25, -0.01],
        "resulting_orbit": {"perigee_km": 570.5, "apogee_km": 860.0, "inclination_deg": 97.9},
    },
    "launch": {
        "type": "launch", "vehicle": "Soyuz-2.1v",
        "window": {"start": "2024-05-10T10:00:00Z", "end": "2024-05-10T14:00:00Z"},
        "site": {"name": "Plesetsk", "lat_deg": 62.93, "lon_deg": 40.57},
        "azimuth_deg": 350.0,
        "impact_areas": [{"description": "first stage",
                          "polygon": [[65.0, 40.0], [65.5, 41.0], [65.2, 42.0]]}],
    },
    "proximity_operation": {
        "type": "proximity_operation", "subject": SAT, "target": {"norad": 39232},
        "minimum_distance_km": 20.0, "start": "2024-05-05T00:00:00Z", "duration_s": 86400,
    },
    "conjunction_warning": {
        "type": "conjunction_warning", "primary": {"norad": 25544}, "secondary": {"norad": 49863},
        "tca": "2024-05-02T03:04:05.123Z", "miss_distance_km": 0.35, "pc": 1.2e-4,
        "cdm_format": "kvn", "cdm": "CCSDS_CDM_VERS = 1.0\nCREATION_DATE = 2024-05-01T11:00:00\n",
    },
    "consultation_request": {
        "type": "consultation_request", "subject": "approach to USA 245",
        "concerning": ["ab" * 32], "questions": ["What is the purpose?"],
        "respond_by": "2024-05-08T00:00:00Z",
    },
    "consultation_response": {
        "type": "consultation_response", "in_reply_to": "cd" * 32,
        "answers": ["Inspection of our own satellite."], "accepted": True,
    },
}


def test_every_notification_type_has_an_example_that_validates():
    assert set(PAYLOADS) == set(NOTIFICATION_TYPES)
    for kind, payload in PAYLOADS.items():
        assert validate_payload(payload) == kind


@pytest.mark.parametrize(("kind", "change", "message"), [
    ("manoeuvre", {"delta_v_m_s": -1}, "below the minimum"),
    ("manoeuvre", {"window": {"start": "tomorrow", "end": "2024-05-03T06:00:00Z"}}, "date-time"),
    ("launch", {"azimuth_deg": "north"}, "expected number"),
    ("proximity_operation", {"target": {"name": "no id"}}, "none of the allowed forms"),
    ("conjunction_warning", {"cdm_format": "pdf"}, "one of"),
    ("consultation_response", {"extra": 1}, "unknown field"),
    ("consultation_request", {"type": "gossip"}, "not one of"),
])
def test_invalid_payloads_are_refused(kind, change, message):
    payload = {**PAYLOADS[kind], **change}
    with pytest.raises(PayloadSchemaError, match=message):
        validate_payload(payload)
    with pytest.raises(PayloadSchemaError):
        sign_entry(payload, "RU", generate_key(), created=T0)


# --- signing ----------------------------------------------------------------

@pytest.fixture(scope="module")
def keys():
    return {name: generate_key() for name in ("RU", "US", "LOG")}


def _entry(keys, kind="manoeuvre", author="RU", created=T0, **kw):
    return sign_entry(copy.deepcopy(PAYLOADS[kind]), author, keys[author], created=created, **kw)


def test_sign_and_verify_every_type(keys):
    ru = Party("RU", keys["RU"].public_key())
    for kind in PAYLOADS:
        entry = _entry(keys, kind)
        assert set(entry) == {"author", "type", "created", "expires", "nonce", "payload",
                              "signature"}
        assert entry["type"] == kind and entry["created"] == "2024-05-01T12:00:00Z"
        assert entry["expires"] == "2024-05-02T12:00:00Z"
        assert verify_entry(entry, ru, now=T0) == kind
        # any re-serialisation with other key order and spacing still verifies
        again = json.loads(json.dumps(entry, indent=2, sort_keys=True))
        assert verify_entry(again, keys["RU"].public_key(), now=T0 + timedelta(hours=1)) == kind
        assert entry_id(again) == entry_id(entry)


def test_tampered_payload_or_signature_is_rejected(keys):
    entry = _entry(keys)
    ru = Party("RU", keys["RU"].public_key())
    tampered = copy.deepcopy(entry)
    tampered["payload"]["delta_v_m_s"] = 12.5
    with pytest.raises(BadSignatureError):
        verify_entry(tampered, ru, now=T0)
    later = copy.deepcopy(entry)
    later["expires"] = "2024-06-01T00:00:00Z"
    with pytest.raises(BadSignatureError):
        verify_entry(later, ru, now=T0)
    sig = bytearray(base64.b64decode(entry["signature"]))
    sig[10] ^= 1
    forged = {**entry, "signature": base64.b64encode(bytes(sig)).decode()}
    with pytest.raises(BadSignatureError, match="does not verify"):
        verify_entry(forged, ru, now=T0)
    # the same entry under another party's key
    with pytest.raises(BadSignatureError):
        verify_entry(entry, keys["US"].public_key(), now=T0)
    assert issubclass(BadSignatureError, OrbwatchError)


def test_wrong_author_and_malformed_are_named(keys):
    entry = _entry(keys)
    with pytest.raises(WrongAuthorError):
        verify_entry(entry, Party("US", keys["RU"].public_key()), now=T0)
    with pytest.raises(WrongAuthorError):
        verify_entry(entry, keys["RU"].public_key(), author="US", now=T0)
    for broken in ({k: v for k, v in entry.items() if k != "nonce"}, {**entry, "x": 1},
                   {**entry, "signature": "***"}, {**entry, "created": "yesterday"},
                   {**entry, "type": "launch"}, {**entry, "created": "2024-05-01T12:00:00"},
                   [entry]):
        with pytest.raises(MalformedEntryError):
            verify_entry(broken, keys["RU"].public_key(), now=T0)


def test_expired_and_future_entries_are_rejected(keys):
    entry = _entry(keys, expires=T0 + timedelta(hours=2))
    pub = keys["RU"].public_key()
    verify_entry(entry, pub, now=T0 + timedelta(hours=2))
    with pytest.raises(ExpiredEntryError, match="expired at 2024-05-01T14:00:00Z"):
        verify_entry(entry, pub, now=T0 + timedelta(hours=3))
    with pytest.raises(NotYetValidError):
        verify_entry(entry, pub, now=T0 - timedelta(hours=1))
    with pytest.raises(MalformedEntryError):
        sign_entry(PAYLOADS["manoeuvre"], "RU", keys["RU"], created=T0, expires=T0)


def test_replayed_nonce_is_rejected_also_after_restart(keys, tmp_path):
    path = tmp_path / "replay.sqlite"
    entry = _entry(keys, nonce="0123456789abcdef0123")
    with ReplayGuard(path) as guard:
        guard.check(entry, now=T0)
        with pytest.raises(ReplayError, match="already accepted"):
            guard.check(entry, now=T0 + timedelta(minutes=1))
        # the same nonce from another author is another message
        guard.check(_entry(keys, author="US", nonce="0123456789abcdef0123"), now=T0)
    with ReplayGuard(path) as guard:  # restart: the nonce is remembered
        assert guard.seen("RU", "0123456789abcdef0123")
        with pytest.raises(ReplayError):
            guard.check(entry, now=T0 + timedelta(hours=2))
        with pytest.raises(ExpiredEntryError):  # after expiry the entry itself is refused
            guard.check(entry, now=T0 + timedelta(days=2))
        assert guard.prune(now=T0 + timedelta(days=2)) == 2
        long_lived = _entry(keys, nonce="f" * 20, expires=T0 + timedelta(days=90))
        with pytest.raises(MalformedEntryError, match="lifetime"):
            guard.check(long_lived, now=T0)


# --- the log ----------------------------------------------------------------

@pytest.fixture
def log(keys, tmp_path):
    with TransparencyLog(tmp_path / "hotline.sqlite", keys["LOG"]) as log:
        log.register(Party("RU", keys["RU"].public_key()), now=T0)
        log.register(Party("US", keys["US"].public_key()), now=T0)
        yield log


def _fill(log, keys, n, start=0):
    for i in range(start, start + n):
        author = ("RU", "US")[i % 2]
        kind = NOTIFICATION_TYPES[i % len(NOTIFICATION_TYPES)]
        log.append(_entry(keys, kind, author, created=T0 + timedelta(minutes=i)),
                   now=T0 + timedelta(minutes=i))


def test_log_append_and_inclusion_of_each_entry(log, keys):
    assert log.size == 2  # the two registrations, signed by the log itself
    assert log.entry(0)["author"] == "@log" and log.entry(0)["type"] == "party_registration"
    _fill(log, keys, 11)
    client = LogClient(keys["LOG"].public_key())
    cp = client.sync(log, now=T0 + timedelta(hours=1))
    assert cp["tree_size"] == 13 and cp["origin"] == "orbwatch-hotline"
    for index in range(13):
        entry = log.entry(index)
        if index >= 2:
            verify_entry(entry, log.party(entry["author"]), now=T0 + timedelta(minutes=index - 2))
        client.verify_inclusion(entry, index, log.inclusion_proof(index))
        assert client.audit(log, index) == entry
        assert log.find(entry_id(entry)) == index
    with pytest.raises(ProofError):
        client.verify_inclusion(log.entry(3), 4, log.inclusion_proof(4))
    altered = log.entry(3)
    altered["payload"]["type"] = "x"
    with pytest.raises(ProofError):
        client.verify_inclusion(altered, 3, log.inclusion_proof(3))


def test_log_refuses_bad_entries(log, keys):
    entry = _entry(keys)
    log.append(entry, now=T0)
    with pytest.raises(ReplayError):
        log.append(entry, now=T0)
    with pytest.raises(UnknownPartyError):
        log.append(sign_entry(PAYLOADS["launch"], "XX", generate_key(), created=T0), now=T0)
    impostor = sign_entry(PAYLOADS["launch"], "US", keys["RU"], created=T0)
    with pytest.raises(BadSignatureError):
        log.append(impostor, now=T0)
    with pytest.raises(ExpiredEntryError):
        log.append(_entry(keys, "launch"), now=T0 + timedelta(days=3))
    assert log.size == 3  # two registrations and the one good entry


def test_log_survives_restart_and_consistency_between_checkpoints(keys, tmp_path):
    path, state = tmp_path / "hotline.sqlite", tmp_path / "client.json"
    with TransparencyLog(path, keys["LOG"]) as log:
        log.register(Party("RU", keys["RU"].public_key()))
        log.register(Party("US", keys["US"].public_key()))
        client = LogClient(keys["LOG"].public_key(), state_path=state)
        client.sync(log, now=T0)  # empty log
        _fill(log, keys, 5)
        first = client.sync(log, now=T0 + timedelta(hours=1))
        replayed = log.entry(2)
    with TransparencyLog(path, keys["LOG"]) as log:  # restart of the log and of the client
        assert log.size == 7 and log.root(7) == base64.b64decode(first["root_hash"])
        with pytest.raises(ReplayError):
            log.append(replayed, now=T0 + timedelta(minutes=30))
        _fill(log, keys, 7, start=5)
        client = LogClient(keys["LOG"].public_key(), state_path=state)
        assert client.checkpoint == first
        second = client.sync(log, now=T0 + timedelta(hours=2))
        assert second["tree_size"] == 14
        proof = log.consistency_proof(7, 14)
        fresh = LogClient(keys["LOG"].public_key())
        fresh.update(first)
        fresh.update(second, proof)
        with pytest.raises(InconsistentLogError):
            stale = LogClient(keys["LOG"].public_key())
            stale.update(first)
            stale.update(second, proof[:-1])
        assert len(log.checkpoints()) == 3


def test_checkpoints_must_be_signed_by_the_log(log, keys):
    _fill(log, keys, 3)
    client = LogClient(keys["LOG"].public_key())
    forged = sign_checkpoint(keys["RU"], 3, log.root(), T0)
    with pytest.raises(CheckpointError, match="does not verify"):
        client.update(forged)
    good = log.checkpoint(now=T0)
    with pytest.raises(CheckpointError):
        client.update({**good, "tree_size": 2})
    client.update(good)
    with pytest.raises(CheckpointError, match="before"):
        client.update(log.checkpoint(now=T0 - timedelta(hours=1)))


def _tamper(path, sql, *params):
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


@pytest.mark.parametrize("attack", ["rewrite", "delete", "reorder", "truncate"])
def test_client_detects_rewritten_history(keys, tmp_path, attack):
    path = tmp_path / "hotline.sqlite"
    with TransparencyLog(path, keys["LOG"]) as log:
        log.register(Party("RU", keys["RU"].public_key()))
        log.register(Party("US", keys["US"].public_key()))
        _fill(log, keys, 6)
        client = LogClient(keys["LOG"].public_key())
        client.sync(log, now=T0 + timedelta(hours=1))
    # The log operator edits the file behind the log's back (re-signing whatever it wants).
    if attack == "rewrite":  # a re-signed, milder version of entry 1
        mild = copy.deepcopy(PAYLOADS[NOTIFICATION_TYPES[1]])
        mild["azimuth_deg"] = 10.0
        new = sign_entry(mild, "US", keys["US"], created=T0 + timedelta(minutes=1))
        _tamper(path, "UPDATE hotline_entries SET body=?, leaf_hash=? WHERE idx=3",
                canonicalize(new), leaf_hash(canonicalize(new)))
    elif attack == "delete":  # drop entry 4 and renumber the rest
        _tamper(path, "DELETE FROM hotline_entries WHERE idx=4")
        _tamper(path, "UPDATE hotline_entries SET idx=idx-1 WHERE idx>4")
    elif attack == "reorder":  # swap entries 2 and 3
        _tamper(path, "UPDATE hotline_entries SET idx=-1 WHERE idx=2")
        _tamper(path, "UPDATE hotline_entries SET idx=2 WHERE idx=3")
        _tamper(path, "UPDATE hotline_entries SET idx=3 WHERE idx=-1")
    else:  # drop the newest entries
        _tamper(path, "DELETE FROM hotline_entries WHERE idx>=6")
    with TransparencyLog(path, keys["LOG"]) as log:
        _fill(log, keys, 3, start=6)  # the log goes on growing
        with pytest.raises(InconsistentLogError):
            client.sync(log, now=T0 + timedelta(hours=2))
        # the kept checkpoint is unchanged
        assert client.checkpoint["tree_size"] == 8
    # an honest log passes the same audit
    with TransparencyLog(tmp_path / "honest.sqlite", keys["LOG"]) as honest:
        honest.register(Party("RU", keys["RU"].public_key()))
        honest.register(Party("US", keys["US"].public_key()))
        _fill(honest, keys, 6)
        ok = LogClient(keys["LOG"].public_key())
        ok.sync(honest, now=T0 + timedelta(hours=1))
        _fill(honest, keys, 3, start=6)
        assert ok.sync(honest, now=T0 + timedelta(hours=2))["tree_size"] == 11
