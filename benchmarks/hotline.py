"""Hotline append throughput and latency over HTTP, SQLite and PostgreSQL.

Starts the real service (``python -m orbwatch.hotline.service``: uvicorn on
127.0.0.1, one process) on a fresh database, registers ``--parties``
parties, then ``--clients`` threads publish signed entries as fast as the
server answers for ``--seconds``.  Each append is durable when it returns
(SQLite: WAL + synchronous=FULL; PostgreSQL: commit).  Prints sustained
appends/s and the p50/p99 latency a client sees (signing excluded).

    python benchmarks/hotline.py [--seconds 10] [--clients 8]
        [--postgres-url postgresql+psycopg://...]   (or $ORBWATCH_TEST_POSTGRES_URL)
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from hotline_support import ADMIN, Server, payload  # noqa: E402
from orbwatch.hotline import generate_key, sign_entry  # noqa: E402
from orbwatch.hotline.client import HotlineClient  # noqa: E402


def _pg_schema_url(base: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def run(db_url: str, workdir: Path, seconds: float, clients: int, parties: int) -> dict:
    server = Server(db_url, workdir).start()
    try:
        keys = {f"P{i}": generate_key() for i in range(parties)}
        with HotlineClient(server.url, admin_token=ADMIN) as admin:
            for name, key in keys.items():
                admin.register(name, key.public_key())
        latencies: list[float] = []
        errors: list[str] = []
        stop = threading.Event()

        def publisher(i: int) -> None:
            name = f"P{i % parties}"
            with httpx.Client(base_url=server.url, timeout=30) as http:
                while not stop.is_set():
                    body = sign_entry(payload("launch"), name, keys[name])
                    t0 = time.perf_counter()
                    r = http.post("/v1/entries", json=body)
                    dt = time.perf_counter() - t0
                    if r.status_code == 201:
                        latencies.append(dt)
                    else:
                        errors.append(r.text[:200])

        threads = [threading.Thread(target=publisher, args=(i,)) for i in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        lat = sorted(latencies)
        pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else \
            (lambda q: float("nan"))
        size = httpx.get(f"{server.url}/v1/health").json()["tree_size"]
        return {"appends": len(lat), "rate": len(lat) / elapsed, "p50_ms": pick(0.50),
                "p99_ms": pick(0.99), "errors": len(errors), "tree_size": size}
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--postgres-url", default=os.environ.get("ORBWATCH_TEST_POSTGRES_URL"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("sqlite", run(str(Path(tmp) / "bench.db"), Path(tmp), args.seconds,
                                   args.clients, args.parties)))
        if args.postgres_url:
            url, drop = _pg_schema_url(args.postgres_url)
            pg_dir = Path(tmp) / "pg"
            pg_dir.mkdir()
            try:
                rows.append(("postgresql", run(url, pg_dir, args.seconds, args.clients,
                                               args.parties)))
            finally:
                drop()
        else:
            print("(no PostgreSQL URL: pass --postgres-url or set ORBWATCH_TEST_POSTGRES_URL)")
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"hotline appends over HTTP: {args.clients} client threads, {args.seconds:.0f} s, "
          f"{cpu} CPUs, one uvicorn process")
    print(f"{'backend':<11} {'appends':>8} {'appends/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}")
    for name, r in rows:
        print(f"{name:<11} {r['appends']:>8} {r['rate']:>10.1f} {r['p50_ms']:>8.1f} "
              f"{r['p99_ms']:>8.1f} {r['errors']:>7}")
        assert r["tree_size"] == r["appends"] + args.parties, "appends lost"


if __name__ == "__main__":
    main()
