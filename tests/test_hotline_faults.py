"""The hotline under faults and load, against a real uvicorn server on
127.0.0.1: SIGKILL during appends loses no acknowledged entry, 50 concurrent
publishers get dense distinct indices, schemathesis finds no 5xx.
SQLite and PostgreSQL alike; longer soaks under ``-m slow``."""

from __future__ import annotations

import random
import threading
import time
import warnings

import pytest

from hotline_support import ADMIN, Server, database, payload
from orbwatch.hotline import generate_key, sign_entry
from orbwatch.hotline.audit import Auditor
from orbwatch.hotline.client import HotlineClient, HotlineRequestError
from orbwatch.hotline.service import create_app

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    import schemathesis
    from fastapi.testclient import TestClient  # noqa: F401  (imported once, quietly)
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    yield from database(request, tmp_path)


@pytest.fixture
def server(db_url, tmp_path):
    srv = Server(db_url, tmp_path).start()
    yield srv
    srv.stop()


def _register(url: str, *names: str) -> dict:
    keys = {n: generate_key() for n in names}
    with HotlineClient(url, admin_token=ADMIN) as admin:
        for name, key in keys.items():
            admin.register(name, key.public_key())
    return keys


def _all_entries(url: str) -> list[dict]:
    with HotlineClient(url) as anon:
        return list(anon.entries())


def _kill_during_appends(server: Server, tmp_path, kills: int) -> None:
    keys = _register(server.url, "RU", "US")
    acked: dict[str, int] = {}
    acked_entries: list[dict] = []
    stop = threading.Event()
    refused: list[str] = []

    def publisher(party: str) -> None:
        with HotlineClient(server.url, party, keys[party], timeout=5) as client:
            while not stop.is_set():
                entry = sign_entry(payload(), party, keys[party])
                try:
                    result = client.publish(entry)
                except HotlineRequestError as exc:
                    if exc.status is not None:  # the server answered: a real refusal
                        refused.append(str(exc))
                    time.sleep(0.02)
                    continue
                acked[result["entry_id"]] = result["index"]
                acked_entries.append(entry)

    threads = [threading.Thread(target=publisher, args=(p,)) for p in ("RU", "US")]
    for t in threads:
        t.start()
    rng = random.Random(8)
    try:
        for _ in range(kills):
            before = len(acked)
            deadline = time.monotonic() + 10
            while len(acked) < before + rng.randint(1, 8) and time.monotonic() < deadline:
                time.sleep(0.005)
            server.kill()  # mid-stream: requests are in flight
            server.start()
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not refused, refused[:3]
    assert len(acked) >= kills
    listed = {r["entry_id"]: r["index"] for r in _all_entries(server.url)}
    missing = {e: i for e, i in acked.items() if listed.get(e) != i}
    assert not missing, f"{len(missing)} acknowledged entries lost or moved"
    assert sorted(listed.values()) == list(range(len(listed)))
    # the log verifies, and an acknowledged entry replayed after the restarts is refused
    with HotlineClient(server.url) as anon:
        summary = Auditor(anon, tmp_path / "audit.json").run()
        assert summary["tree_size"] == len(listed) == summary["entries_checked"]
        with pytest.raises(HotlineRequestError) as info:
            anon.publish(acked_entries[0])
        assert info.value.status == 409


def test_sigkill_during_appends_loses_no_acknowledged_entry(server, tmp_path, db_url):
    _kill_during_appends(server, tmp_path, kills=12 if "sqlite" in server.db_url else 8)


@pytest.mark.slow
def test_sigkill_soak(server, tmp_path):
    _kill_during_appends(server, tmp_path, kills=100)


def _concurrent(server: Server, publishers: int, each: int) -> None:
    keys = _register(server.url, *(f"P{i}" for i in range(5)))
    start = len(_all_entries(server.url))
    results: list[dict] = []
    errors: list[str] = []
    barrier = threading.Barrier(publishers)

    def publish(i: int) -> None:
        party = f"P{i % 5}"
        with HotlineClient(server.url, party, keys[party], timeout=60) as client:
            barrier.wait()
            for _ in range(each):
                try:
                    results.append(client.notify(payload("launch")))
                except HotlineRequestError as exc:
                    errors.append(str(exc))

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(publishers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    n = publishers * each
    assert len(results) == n
    assert sorted(r["index"] for r in results) == list(range(start, start + n))
    assert len({r["entry_id"] for r in results}) == n
    listed = _all_entries(server.url)
    assert [r["index"] for r in listed] == list(range(start + n))
    assert {r["entry_id"] for r in listed[start:]} == {r["entry_id"] for r in results}


def test_fifty_concurrent_publishers(server):
    _concurrent(server, publishers=50, each=3)


@pytest.mark.slow
def test_concurrent_publishers_soak(server):
    _concurrent(server, publishers=50, each=40)


# --- schemathesis against the OpenAPI document (in-process ASGI) ----------------

def _fuzz(op, mode, seen: dict) -> None:
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        response = case.call()
        seen.setdefault(op.label, set()).add(response.status_code)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    try:
        call()
    except Unsatisfiable:  # no invalid input exists (an operation without parameters)
        assert mode is GenerationMode.NEGATIVE


def test_openapi_fuzz_no_server_error(db_url):
    """Every operation, valid and invalid inputs (bounded), on a log with
    parties and entries in it: no 5xx."""
    from fastapi.testclient import TestClient

    app = create_app(db_url, log_key=generate_key(), admin_token=ADMIN, max_body=64_000)
    try:
        keys = {}
        with HotlineClient("http://testserver", admin_token=ADMIN, http=TestClient(app)) as c:
            for name in ("RU", "US"):
                keys[name] = generate_key()
                c.register(name, keys[name].public_key())
            for i in range(4):
                c.publish(sign_entry(payload(), "RU", keys["RU"], to=["US"] if i % 2 else None))
        api = schemathesis.openapi.from_asgi("/openapi.json", app)
        seen: dict[str, set[int]] = {}
        operations = [r.ok() for r in api.get_all_operations()]
        assert len(operations) >= 12
        for op in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(op, mode, seen)
        assert {200} <= seen["GET /v1/entries"] and 404 in seen["GET /v1/entries/{index}"]
        assert seen["POST /v1/entries"] - {201} and all(c < 500 for v in seen.values()
                                                         for c in v)
    finally:
        app.state.log.close()
