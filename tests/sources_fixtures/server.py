"""A local HTTP server (127.0.0.1, ephemeral port) imitating CelesTrak and Space-Track.

Responses are built at test time from the real public data in the shared
data folder: OMM samples (VANGUARD 1), the ISS 3LE history 2021-01..2022-03
(turned into OMM with python-sgp4's exporter) and the CelesTrak SATCAT
decoded from the TruSat dump.  Every request is recorded so tests can
assert the exact paths, parameters and cookies sent.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import secrets
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from sgp4.api import Satrec
from sgp4.exporter import export_omm

ISS_3LE = "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt"
OMM_SAMPLE = "sgp4_verification/sample_omm"
SATCAT_CSV = "satcat/celestrak_satcat_2019-08-06_from_trusat.csv.gz"

IDENTITY = "analyst@example.org"
PASSWORD = "correct horse battery staple"
NO_GP = b"No GP data found"
NO_SATCAT = b"No SATCAT records found"


_SSL = ssl.create_default_context()  # built once: tests only speak plain HTTP to 127.0.0.1


def http_client() -> httpx.Client:
    """A fresh httpx client (own cookie jar) that ignores proxy variables."""
    return httpx.Client(trust_env=False, timeout=5, verify=_SSL)


@dataclass
class Recorded:
    method: str
    raw_path: str  # path and query exactly as sent (percent-encoding kept)
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def params(self) -> dict[str, str]:
        return {k: v[-1] for k, v in self.query.items()}


@dataclass(frozen=True)
class Elset:
    name: str
    line1: str
    line2: str
    epoch: datetime

    def omm(self, *, strings: bool = False) -> dict:
        sat = Satrec.twoline2rv(self.line1, self.line2)
        record = export_omm(sat, self.name)
        if strings:  # Space-Track style: every value a string, plus the TLE lines
            record = {k: str(v) for k, v in record.items()}
            record.update(TLE_LINE0=f"0 {self.name}", TLE_LINE1=self.line1, TLE_LINE2=self.line2)
        return record


def _epoch(line1: str) -> datetime:
    yy, day = int(line1[18:20]), float(line1[20:32])
    year = 2000 + yy if yy < 57 else 1900 + yy
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1)


@lru_cache(maxsize=4)
def iss_history(root: Path) -> tuple[Elset, ...]:
    lines = [ln.rstrip() for ln in (root / ISS_3LE).read_text().splitlines() if ln.strip()]
    out = []
    for i in range(0, len(lines) - 2, 3):
        name, l1, l2 = lines[i : i + 3]
        out.append(Elset(name.removeprefix("0 ").strip(), l1, l2, _epoch(l1)))
    return tuple(out)


@lru_cache(maxsize=4)
def satcat_rows(root: Path, wanted: frozenset[str]) -> tuple[dict, ...]:
    """CelesTrak SATCAT JSON records for the wanted NORAD numbers."""
    rows = []
    with gzip.open(root / SATCAT_CSV, "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["norad_num"] in wanted:
                rows.append({
                    "OBJECT_NAME": row["name"], "OBJECT_ID": row["intl_desg"],
                    "NORAD_CAT_ID": int(row["norad_num"]),
                    "OBJECT_TYPE": "PAY" if row["payload_flag"] == "1" else "UNK",
                    "OPS_STATUS_CODE": row["ops_status_code"], "OWNER": row["source"],
                    "LAUNCH_DATE": row["launch_date"], "DECAY_DATE": row["decay_date"] or None,
                    "PERIOD": float(row["orbit_period_minutes"] or 0),
                    "INCLINATION": float(row["inclination_deg"] or 0),
                    "APOGEE": int(float(row["apogee"] or 0)), "PERIGEE": int(float(row["perigee"] or 0)),
                })
                if len(rows) == len(wanted):
                    break
    return tuple(rows)


def to_csv(records: list[dict]) -> bytes:
    if not records:
        return b""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return buf.getvalue().encode()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


class FakeSources:
    """Start with ``with FakeSources(shared_data) as srv:``; ``srv.url`` is the base URL."""

    def __init__(self, shared_data: Path) -> None:
        self.root = shared_data
        self.requests: list[Recorded] = []
        self.overrides: dict[str, Reply] = {}  # path -> canned reply
        self.identity, self.password = IDENTITY, PASSWORD
        self.sessions: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> FakeSources:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- inspection --------------------------------------------------------
    def hits(self, path_prefix: str = "/", method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests
                    if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    def override(self, path: str, status: int, body: bytes, content_type: str = "text/plain",
                 **headers: str) -> None:
        self.overrides[path] = Reply(status, body, content_type, headers)

    # -- behaviour ---------------------------------------------------------
    def handle(self, rec: Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
        if rec.path in self.overrides:
            return self.overrides[rec.path]
        if rec.path == "/NORAD/elements/gp.php":
            return self.celestrak_gp(rec.params)
        if rec.path == "/satcat/records.php":
            return self.celestrak_satcat(rec.params)
        if rec.path == "/ajaxauth/login" and rec.method == "POST":
            return self.login(parse_qs(rec.body.decode()))
        if rec.path == "/ajaxauth/logout":
            return Reply(200, b'"Successfully logged out"', "application/json")
        if rec.path.startswith("/basicspacedata/query/"):
            if _cookie(rec.headers.get("cookie", ""), "chocolatechip") not in self.sessions:
                return Reply(401, b'{"error":"You must be logged in"}', "application/json")
            return self.spacetrack_query(rec.path.removeprefix("/basicspacedata/query/"))
        return Reply(404, b"<html>404 Not Found</html>", "text/html")

    def celestrak_gp(self, q: dict[str, str]) -> Reply:
        if "FORMAT" not in q:
            return Reply(400, b"FORMAT is required by this imitation")
        fmt = q["FORMAT"].lower()
        if q.get("CATNR") == "5" and fmt in ("json", "csv", "xml"):
            body = (self.root / f"{OMM_SAMPLE}.{fmt}").read_bytes()
            return Reply(200, body, "application/json" if fmt == "json" else f"text/{fmt}")
        if q.get("GROUP", "").lower() == "stations" or q.get("CATNR") == "25544":
            latest = iss_history(self.root)[-1]
            return self._elsets([latest], fmt, strings=False)
        return Reply(200, NO_GP)

    def celestrak_satcat(self, q: dict[str, str]) -> Reply:
        rows = satcat_rows(self.root, frozenset([q["CATNR"]])) if "CATNR" in q else ()
        if not rows:
            return Reply(200, NO_SATCAT)
        if q.get("FORMAT", "").lower() == "csv":
            return Reply(200, to_csv(list(rows)), "text/csv")
        return Reply(200, json.dumps(list(rows)).encode(), "application/json")

    def login(self, form: dict[str, list[str]]) -> Reply:
        if form.get("identity") == [self.identity] and form.get("password") == [self.password]:
            token = secrets.token_hex(8)
            self.sessions.add(token)
            return Reply(200, b'""', "application/json",
                         {"Set-Cookie": f"chocolatechip={token}; path=/; HttpOnly"})
        return Reply(200, b'{"Login":"Failed"}', "application/json")

    def spacetrack_query(self, rest: str) -> Reply:
        parts = [unquote(p) for p in rest.split("/")]
        pairs = dict(zip(parts[::2], parts[1::2], strict=False))
        cls, fmt = pairs.pop("class"), pairs.pop("format", "json")
        history = iss_history(self.root)
        if "25544" not in pairs.get("NORAD_CAT_ID", "").split(","):
            chosen: list[Elset] = []
        elif cls == "gp":
            chosen = [history[-1]]
        elif cls == "gp_history":
            chosen = list(history)
            start, _, end = pairs.get("EPOCH", "").partition("--")
            if end:
                lo = datetime.fromisoformat(start).replace(tzinfo=UTC)
                hi = datetime.fromisoformat(end).replace(tzinfo=UTC) + timedelta(days=1)
                chosen = [e for e in chosen if lo <= e.epoch < hi]
            elif start.startswith(">now-"):
                since = datetime.now(UTC) - timedelta(days=float(start[5:]))
                chosen = [e for e in chosen if e.epoch > since]
        elif cls == "satcat":
            rows = [{k: (None if v is None else str(v)) for k, v in r.items()}
                    for r in satcat_rows(self.root, frozenset(["25544"]))]
            return Reply(200, json.dumps(rows).encode(), "application/json")
        else:
            chosen = []
        if pairs.get("orderby", "").lower().endswith("desc"):
            chosen = chosen[::-1]
        if "limit" in pairs:
            chosen = chosen[: int(pairs["limit"])]
        return self._elsets(chosen, fmt, strings=True)

    @staticmethod
    def _elsets(elsets: list[Elset], fmt: str, *, strings: bool) -> Reply:
        if fmt in ("tle", "3le", "2le"):
            lines = []
            for e in elsets:
                if fmt == "3le" or (fmt == "tle" and not strings):
                    lines.append(f"0 {e.name}" if strings else e.name)
                lines += [e.line1, e.line2]
            return Reply(200, "".join(ln + "\r\n" for ln in lines).encode())
        records = [e.omm(strings=strings) for e in elsets]
        if fmt == "csv":
            return Reply(200, to_csv(records), "text/csv")
        return Reply(200, json.dumps(records).encode(), "application/json")


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSources

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        rec = Recorded(
            method=self.command, raw_path=self.path, path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
        )
        reply = self.fake.handle(rec)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass
