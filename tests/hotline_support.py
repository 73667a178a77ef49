"""Shared helpers of the hotline service tests: databases (SQLite and a schema
of the throwaway PostgreSQL), a real uvicorn server in a subprocess, payloads."""

from __future__ import annotations

import copy
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from conftest import fresh_pg_schema
from orbwatch.hotline.entries import generate_key, write_key_file

ADMIN = "test-operator-token"
BACKENDS = ["sqlite", "postgresql"]

SAT = {"norad": 44797, "name": "COSMOS 2542"}
PAYLOADS = {
    "manoeuvre": {
        "type": "manoeuvre", "object": SAT,
        "window": {"start": "2024-05-03T00:00:00Z", "end": "2024-05-03T06:00:00Z"},
        "delta_v_m_s": 1.25,
        "resulting_orbit": {"perigee_km": 570.5, "apogee_km": 860.0, "inclination_deg": 97.9},
    },
    "launch": {
        "type": "launch", "vehicle": "Soyuz-2.1v",
        "window": {"start": "2024-05-10T10:00:00Z", "end": "2024-05-10T14:00:00Z"},
        "site": {"name": "Plesetsk", "lat_deg": 62.93, "lon_deg": 40.57}, "azimuth_deg": 350.0,
    },
    "proximity_operation": {
        "type": "proximity_operation", "subject": SAT, "target": {"norad": 39232},
        "minimum_distance_km": 20.0, "start": "2024-05-05T00:00:00Z", "duration_s": 86400,
    },
}


def payload(kind: str = "manoeuvre", **change) -> dict:
    return {**copy.deepcopy(PAYLOADS[kind]), **change}


def database(request, tmp_path: Path):
    """Generator for a ``db_url`` fixture parametrised over :data:`BACKENDS`:
    an SQLite file, or a fresh schema of the test PostgreSQL (dropped after)."""
    if request.param == "sqlite":
        yield str(tmp_path / "hotline.db")
        return
    with fresh_pg_schema(request.getfixturevalue("postgres_url"), "hl") as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``orbwatch hotline serve`` in a subprocess on 127.0.0.1 and a free port."""

    def __init__(self, db_url: str, workdir: Path, report_dir: str | None = None) -> None:
        self.db_url = db_url
        self.report_dir = report_dir
        self.workdir = Path(workdir)
        self.log_key_path = self.workdir / "log.key"
        if not self.log_key_path.exists():
            write_key_file(self.log_key_path, generate_key())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0, cli: bool = False) -> Server:
        """Start it: by ``orbwatch hotline serve`` (``cli``) or by the lighter
        ``python -m orbwatch.hotline.service`` (same app, faster start)."""
        if cli:
            cmd = [str(Path(sys.executable).with_name("orbwatch")), "hotline", "serve",
                   "--db", self.db_url, "--host", "127.0.0.1", "--port", str(self.port),
                   "--log-key", str(self.log_key_path), "--admin-token", ADMIN]
        else:
            cmd = [sys.executable, "-m", "orbwatch.hotline.service", self.db_url,
                   str(self.port), str(self.log_key_path), ADMIN,
                   *([self.report_dir] if self.report_dir else [])]
        self.log_path = self.workdir / "server.log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                         stderr=log, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server on port {self.port} did not start in {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

