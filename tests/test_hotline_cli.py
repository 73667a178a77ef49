"""``orbwatch hotline ...`` against a real server (``orbwatch hotline serve``):
party add / notify / inbox / ack / rotate / verify, and ``verify`` naming the
rows edited, swapped or deleted directly in the database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from hotline_support import ADMIN, Server, database, payload
from orbwatch.cli.app import main
from orbwatch.hotline import canonicalize, sign_entry
from orbwatch.hotline.entries import read_key_file
from orbwatch.hotline.merkle import leaf_hash
from orbwatch.hotline.storage import database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    yield from database(request, tmp_path)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["hotline", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def served(tmp_path, monkeypatch):
    srv = Server(str(tmp_path / "cli.db"), tmp_path).start(cli=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORBWATCH_HOTLINE_URL", srv.url)
    monkeypatch.setenv("ORBWATCH_HOTLINE_ADMIN_TOKEN", ADMIN)
    yield srv
    srv.stop()


def test_cli_flow_party_notify_inbox_ack_rotate_verify(served, tmp_path, capsys):
    for name in ("RU", "US"):
        code, out, _ = _run(capsys, "party", "add", name)
        assert code == 0 and f"{name}: registered at log index" in out
        assert stat.S_IMODE((tmp_path / f"{name}.key").stat().st_mode) == 0o600
    code, _, err = _run(capsys, "party", "add", "RU")
    assert code == 1 and "exists" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "prox.json").write_text(json.dumps(payload("proximity_operation")))
    deadline = (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out, err = _run(capsys, "notify", "proximity_operation", "--payload", "prox.json",
                          "--to", "US", "--ack-by", deadline, "--as", "RU")
    assert code == 0, err
    assert "published proximity_operation as entry 2" in out
    code, out, _ = _run(capsys, "inbox", "--as", "US", "-f", "json")
    inbox = json.loads(out)
    [item] = inbox["entries"]
    assert item["entry"]["author"] == "RU" and inbox["acks"]["owed"][0]["overdue"] is False
    code, out, _ = _run(capsys, "inbox", "--as", "US")
    assert "pending" in out
    code, out, _ = _run(capsys, "ack", item["entry_id"], "--as", "US")
    assert code == 0 and "acknowledged" in out
    code, out, _ = _run(capsys, "inbox", "--as", "US", "-f", "json")
    assert json.loads(out)["acks"]["owed"] == []
    code, out, err = _run(capsys, "verify", "--as", "US")
    assert code == 0, err
    assert "log verified: 4 entries (was 0), 4 signatures checked" in out
    old_key = read_key_file(tmp_path / "RU.key")
    code, out, _ = _run(capsys, "party", "rotate", "--as", "RU")
    assert code == 0 and "rotated at log index 4" in out
    code, out, err = _run(capsys, "notify", "proximity_operation", "--payload", "prox.json",
                          "--as", "RU")
    assert code == 0, err
    # the old key is refused now, and the refusal is one line on stderr
    from orbwatch.hotline.client import HotlineClient
    with HotlineClient(served.url) as anon, pytest.raises(Exception, match="rotated away"):
        anon.publish(sign_entry(payload(), "RU", old_key))
    code, out, err = _run(capsys, "verify", "--as", "US")
    assert code == 0 and "6 entries (was 4)" in out, err
    code, _, err = _run(capsys, "notify", "manoeuvre", "--payload", "prox.json", "--as", "RU")
    assert code == 1 and "is not 'manoeuvre'" in err
    code, _, err = _run(capsys, "inbox", "--as", "CN")
    assert code == 1 and "no key file CN.key" in err


def _tamper(db_url: str, *statements: tuple[str, dict]) -> None:
    engine = create_engine(database_url(db_url))
    with engine.begin() as conn:
        for sql, params in statements:
            conn.execute(text(sql), params)
    engine.dispose()


def _row(db_url: str, idx: int) -> dict:
    engine = create_engine(database_url(db_url))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT body, leaf_hash FROM hotline_entries WHERE idx=:i"),
                           {"i": idx}).one()
    engine.dispose()
    return {"body": bytes(row.body), "leaf_hash": bytes(row.leaf_hash)}


def test_verify_detects_rows_edited_swapped_deleted(db_url, tmp_path, capsys, monkeypatch):
    srv = Server(db_url, tmp_path).start()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORBWATCH_HOTLINE_URL", srv.url)
    try:
        from orbwatch.hotline import generate_key
        from orbwatch.hotline.client import HotlineClient
        keys = {n: generate_key() for n in ("RU", "US")}
        with HotlineClient(srv.url, admin_token=ADMIN) as admin:
            for n, k in keys.items():
                admin.register(n, k.public_key())
            for i in range(6):
                author = ("RU", "US")[i % 2]
                admin.publish(sign_entry(payload(), author, keys[author]))
        assert _run(capsys, "verify")[0] == 0  # anonymous auditor keeps the state

        # 1. a row edited (a milder entry, re-signed, and its leaf hash to match)
        mild = sign_entry(payload(delta_v_m_s=0.1), "RU", keys["RU"])
        original = _row(db_url, 3)
        _tamper(db_url, ("UPDATE hotline_entries SET body=:b, leaf_hash=:h WHERE idx=3",
                         {"b": canonicalize(mild), "h": leaf_hash(canonicalize(mild))}))
        srv.kill()
        srv.start()
        code, _, err = _run(capsys, "verify")
        assert code == 1 and "TamperedLogError" in err and "entry 3 was rewritten" in err
        assert "does not extend the kept one" in err

        # 2. the edit undone (verifies again), two rows swapped
        swap = "UPDATE hotline_entries SET idx=:new WHERE idx=:old"
        _tamper(db_url, ("UPDATE hotline_entries SET body=:body, leaf_hash=:leaf_hash "
                         "WHERE idx=3", original),
                (swap, {"old": 4, "new": -1}), (swap, {"old": 5, "new": 4}),
                (swap, {"old": -1, "new": 5}))
        srv.kill()
        srv.start()
        code, _, err = _run(capsys, "verify")
        assert code == 1 and "entries 4 and 5 were swapped" in err

        # 3. swapped back, one row deleted and the later ones renumbered
        _tamper(db_url, (swap, {"old": 4, "new": -1}), (swap, {"old": 5, "new": 4}),
                (swap, {"old": -1, "new": 5}))
        srv.kill()
        srv.start()
        assert _run(capsys, "verify")[0] == 0  # history as kept: fine again
        _tamper(db_url, ("DELETE FROM hotline_entries WHERE idx=2", {}),
                *((swap, {"old": i, "new": i - 1}) for i in range(3, 8)))
        srv.kill()
        srv.start()
        code, _, err = _run(capsys, "verify")
        assert code == 1 and "entry 2 was deleted" in err
    finally:
        srv.stop()
