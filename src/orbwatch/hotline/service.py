"""The hotline as an HTTP service (FastAPI): ``create_app(db_url, ...)``.

Run by ``orbwatch hotline serve``.  Every route is under ``/v1``:

========================  ===================================================
``POST /v1/parties``      admit a party (operator token: ``Authorization: Bearer``)
``GET  /v1/parties``      parties and their key history
``POST /v1/entries``      publish a signed entry (201 once committed)
``GET  /v1/entries``      entries visible to the caller (signed request) with filters
``GET  /v1/entries/{i}``  one entry with its inclusion proof in a fresh checkpoint
``GET  /v1/checkpoint``   a fresh signed checkpoint
``GET  /v1/proofs/...``   inclusion and consistency proofs
``GET  /v1/leaves``       leaf hashes (an auditor compares them with those it kept)
``GET  /v1/inbox``        entries addressed to the caller, acknowledgements it owes
``GET  /v1/acks``         acknowledgements owed by and to the caller
``GET  /console``         web console: the public log with filters, one page per entry
========================  ===================================================

A refused entry appends nothing: verification, the nonce and the row are one
transaction.  Bodies above ``max_body`` bytes get 413 before they are read.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from orbwatch.hotline.access import RequestVerifier
from orbwatch.hotline.console import REPORT_MOUNT, console_router
from orbwatch.hotline.entries import Party, entry_id, read_key_file
from orbwatch.hotline.errors import (
    AccessError,
    BadSignatureError,
    EntryError,
    ExpiredEntryError,
    HotlineError,
    MalformedEntryError,
    NotYetValidError,
    ReplayError,
    RevokedKeyError,
    UnknownPartyError,
    WrongAuthorError,
)
from orbwatch.hotline.log import DEFAULT_ORIGIN, TransparencyLog, encode_proof
from orbwatch.hotline.replay import ReadNonces
from orbwatch.hotline.schemas import ENTRY_TYPES
from orbwatch.hotline.views import entry_row, list_entries, pending_acks, recipients_of

__all__ = ["create_app", "serve", "DEFAULT_MAX_BODY", "ENTRY_BODY_SCHEMA"]

DEFAULT_MAX_BODY = 256 * 1024

#: HTTP status of each refusal
STATUS = [(ReplayError, 409), (UnknownPartyError, 403), (WrongAuthorError, 403),
          (BadSignatureError, 403), (RevokedKeyError, 403), (ExpiredEntryError, 422),
          (NotYetValidError, 422), (MalformedEntryError, 422), (EntryError, 422),
          (AccessError, 401)]

ENTRY_BODY_SCHEMA = {
    "type": "object",
    "required": ["author", "type", "created", "expires", "nonce", "payload", "signature"],
    "properties": {
        "author": {"type": "string"}, "type": {"type": "string", "enum": list(ENTRY_TYPES)},
        "created": {"type": "string", "format": "date-time"},
        "expires": {"type": "string", "format": "date-time"},
        "nonce": {"type": "string", "minLength": 16, "maxLength": 128},
        "payload": {"type": "object"}, "signature": {"type": "string"},
        "to": {"type": "array", "items": {"type": "string"}},
        "ack_by": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}


class PartyIn(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    public_key: str = Field(description="base64 of the 32 raw Ed25519 public-key bytes")


class Published(BaseModel):
    index: int
    entry_id: str
    tree_size: int


class BodyLimit:
    """ASGI middleware: 413 for a body above ``limit`` bytes (declared or streamed)."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await _too_large(self.limit, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message
        try:
            return await self.app(scope, limited, send)
        except _TooLarge:
            return await _too_large(self.limit, send)


class _TooLarge(Exception):
    pass


async def _too_large(limit: int, send) -> None:
    body = json.dumps({"error": "PayloadTooLarge",
                       "detail": f"request body above {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


MAX_INDEX = 2**31 - 1


def _plain(*values: str | None) -> None:
    """Refuse filter values no database can compare (NUL, over-long)."""
    for v in values:
        if v is not None and ("\x00" in v or len(v) > 200):
            raise HTTPException(400, f"filter value {v[:40]!r}... is not a name or type")


def _caller(request: Request) -> str | None:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return request.app.state.verifier.verify(request.method, target, request.headers)


def _signed_caller(who: Annotated[str | None, Depends(_caller)]) -> str:
    if who is None:
        raise AccessError("this route needs a signed request (X-Hotline-* headers)")
    return who


Caller = Annotated[str | None, Depends(_caller)]
SignedCaller = Annotated[str, Depends(_signed_caller)]


def _status(exc: HotlineError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def create_app(db_url: str, *, log_key: Ed25519PrivateKey | str | None = None,
               admin_token: str | None = None, origin: str = DEFAULT_ORIGIN,
               max_body: int = DEFAULT_MAX_BODY, report_dir: str | None = None) -> FastAPI:
    """The hotline app on database ``db_url`` (SQLite path or URL), signing
    checkpoints with ``log_key`` (a key or a key-file path); ``admin_token``
    (None: registration closed) admits parties.  ``report_dir``: the folder of
    the monitor's evidence report (``orbwatch watch --out``), served under
    ``/console/report/`` so that alerts link to their findings and events."""
    if isinstance(log_key, str):
        log_key = read_key_file(log_key)
    if log_key is None:
        raise HotlineError("the hotline service needs the log's signing key")
    log = TransparencyLog(db_url, log_key, origin=origin)
    verifier = RequestVerifier(log.keys.current_key, remember=ReadNonces(log.engine).remember)
    app = FastAPI(title="orbwatch hotline", version="1",
                  description="Signed notifications between states on an RFC 9162 "
                              "transparency log.")
    app.state.log = log
    app.state.verifier = verifier
    app.add_middleware(BodyLimit, limit=max_body)

    @app.exception_handler(HotlineError)
    async def _hotline_error(_request: Request, exc: HotlineError) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)},
                            status_code=_status(exc))

    @app.get("/v1/health")
    def health() -> dict:
        return {"origin": log.origin, "tree_size": log.refresh(), "problems": log.problems,
                "log_public_key": base64.b64encode(
                    log.public_key.public_bytes_raw()).decode("ascii")}

    @app.post("/v1/parties", status_code=201)
    def register(party: PartyIn,
                 authorization: Annotated[str | None, Header()] = None) -> dict:
        if admin_token is None or authorization != f"Bearer {admin_token}":
            raise HTTPException(401, "registering a party needs the operator token")
        try:
            new = Party(party.name, party.public_key)
        except ValueError as exc:
            raise HTTPException(422, f"bad public key: {exc}") from None
        index = log.register(new)
        return {"name": party.name, "index": index, "tree_size": log.size}

    @app.get("/v1/parties")
    def list_parties() -> dict:
        log.refresh()
        return {"parties": [{"name": p, "current_key": log.keys.current.get(p),
                             "keys": [vars(r) for r in log.keys.history(p)]}
                            for p in log.keys.parties()]}

    @app.post("/v1/entries", status_code=201, response_model=Published, openapi_extra={
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": ENTRY_BODY_SCHEMA}}}})
    async def publish(request: Request) -> Published:
        raw = await request.body()
        try:
            entry = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise HTTPException(400, f"body is not JSON: {exc}") from None
        if not isinstance(entry, dict):
            raise MalformedEntryError(f"an entry is a JSON object, found {type(entry).__name__}")
        index = await run_in_threadpool(log.append, entry)
        return Published(index=index, entry_id=entry_id(entry), tree_size=index + 1)

    @app.get("/v1/entries")
    def entries(who: Caller, type: Annotated[str | None, Query()] = None,
                author: str | None = None, to: str | None = None,
                after: Annotated[int, Query(ge=-1)] = -1,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
        _plain(type, author, to)
        rows = list_entries(log.engine, who, kind=type, author=author, addressed_to=to,
                            after=min(after, MAX_INDEX), limit=limit)
        return {"viewer": who, "entries": rows,
                "next_after": rows[-1]["index"] if rows else after}

    @app.get("/v1/entries/{index}")
    def one_entry(who: Caller, index: int) -> dict:
        row = entry_row(log.engine, who, index=index) if 0 <= index < log.refresh() else None
        if row is None:
            raise HTTPException(404, f"no entry {index} visible to {who or 'anonymous'}")
        checkpoint = log.checkpoint()
        size = checkpoint["tree_size"]
        row.update(to=recipients_of(log.engine, index), checkpoint=checkpoint,
                   inclusion_proof=log.inclusion_proof(index, size) if index < size else None)
        return row

    @app.get("/v1/checkpoint")
    def checkpoint() -> dict:
        return log.checkpoint()

    @app.get("/v1/proofs/inclusion")
    def inclusion(index: Annotated[int, Query(ge=0)],
                  tree_size: Annotated[int | None, Query(ge=1)] = None) -> dict:
        size = log.refresh() if tree_size is None else tree_size
        if not index < size <= log.size:
            raise HTTPException(400, f"need index < tree_size <= {log.size}, got index "
                                     f"{index}, tree_size {size}")
        return {"index": index, "tree_size": size,
                "leaf_hash": encode_proof([log.tree.leaf_hash(index)])[0],
                "proof": log.inclusion_proof(index, size)}

    @app.get("/v1/proofs/consistency")
    def consistency(old: Annotated[int, Query(ge=1)],
                    new: Annotated[int | None, Query(ge=1)] = None) -> dict:
        size = log.refresh() if new is None else new
        if not old <= size <= log.size:
            raise HTTPException(400, f"need old <= new <= {log.size}, got {old}, {size}")
        return {"old_size": old, "new_size": size, "proof": log.consistency_proof(old, size)}

    @app.get("/v1/leaves")
    def leaves(start: Annotated[int, Query(ge=0)] = 0,
               end: Annotated[int | None, Query(ge=0)] = None) -> dict:
        size = log.refresh()
        end = min(size, start + 10000 if end is None else end, start + 10000)
        return {"start": start, "tree_size": size,
                "leaf_hashes": encode_proof(log.leaf_hashes(start, end))}

    @app.get("/v1/inbox")
    def inbox(who: SignedCaller, after: Annotated[int, Query(ge=-1)] = -1) -> dict:
        rows = list_entries(log.engine, who, addressed_to=who, after=min(after, MAX_INDEX),
                            limit=500)
        return {"party": who, "entries": rows,
                "acks": pending_acks(log.engine, who, datetime.now(UTC))}

    @app.get("/v1/acks")
    def acks(who: SignedCaller) -> dict:
        return pending_acks(log.engine, who, datetime.now(UTC))

    app.include_router(console_router(log, report_dir=report_dir))
    if report_dir is not None:
        from starlette.staticfiles import StaticFiles

        if not os.path.isdir(report_dir):
            raise HotlineError(f"report folder {report_dir} does not exist (orbwatch watch "
                               f"--out writes one)")
        app.mount(REPORT_MOUNT, StaticFiles(directory=report_dir, html=True), name="report")
    return app


def serve(db_url: str, *, host: str = "127.0.0.1", port: int = 8470,
          log_key: str = "hotline-log.key", admin_token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, report_dir: str | None = None) -> None:
    """Run the app under uvicorn until interrupted."""
    import uvicorn

    application = create_app(db_url, log_key=log_key, admin_token=admin_token, max_body=max_body,
                             report_dir=report_dir)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":  # python -m orbwatch.hotline.service DB PORT LOG_KEY [TOKEN [REPORT]]
    import sys

    serve(sys.argv[1], port=int(sys.argv[2]), log_key=sys.argv[3],
          admin_token=sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None,
          report_dir=sys.argv[5] if len(sys.argv) > 5 else None)
