"""The hotline's web console: the public log with filters, one page per entry
with its verification status (signature by the key valid at its position,
bytes matching the committed leaf, inclusion in a fresh signed checkpoint).

Pages are server-rendered Jinja2 (``templates/``), no scripts; they show
what an anonymous reader may see: public entries only.  With the monitor's
report folder (``create_app(report_dir=...)``, mounted at :data:`REPORT_MOUNT`)
the log links to the findings, and an ``alert`` entry's page shows its
finding with links to the citable page of each event it rests on (figures
embedded there).
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from orbwatch.hotline.canonical import canonicalize
from orbwatch.hotline.entries import LOG_AUTHOR, Party, parse_time, verify_entry
from orbwatch.hotline.errors import HotlineError, ProofError, UnknownPartyError
from orbwatch.hotline.log import TransparencyLog, decode_proof, verify_checkpoint
from orbwatch.hotline.merkle import leaf_hash, verify_inclusion
from orbwatch.hotline.schemas import ENTRY_TYPES
from orbwatch.hotline.views import entry_row, list_entries, recipients_of

__all__ = ["console_router", "verification", "REPORT_MOUNT"]

#: where the monitor's report is served
REPORT_MOUNT = "/console/report"

_env = Environment(loader=PackageLoader("orbwatch.hotline", "templates"),
                   autoescape=select_autoescape(["html"]))


def _key_at(log: TransparencyLog, author: str, index: int):
    if author == LOG_AUTHOR:
        return log.public_key
    for rec in log.keys.history(author):
        if rec.valid_at(index):
            return rec.public_key
    raise UnknownPartyError(f"{author!r} held no key at position {index}")


def verification(log: TransparencyLog, index: int, entry: dict) -> list[tuple[str, bool, str]]:
    """Checks of one entry: ``(what, passed, detail)``."""
    checks = []
    leaf = leaf_hash(canonicalize(entry))
    ok = index < log.size and log.tree.leaf_hash(index) == leaf
    checks.append(("bytes are the committed leaf", ok,
                   "SHA-256(0x00 || JCS bytes) equals leaf hash" if ok else
                   "the stored entry does not hash to the leaf in the tree"))
    try:
        key = _key_at(log, entry["author"], index)
        signer = key if entry["author"] == LOG_AUTHOR else Party(entry["author"], key)
        verify_entry(entry, signer, now=parse_time(entry["created"]))
        checks.append(("signature", True, f"Ed25519 by {entry['author']}'s key valid at "
                                          f"position {index}"))
    except HotlineError as exc:
        checks.append(("signature", False, str(exc)))
    checkpoint = log.checkpoint()
    try:
        size, root = verify_checkpoint(checkpoint, log.public_key)
        verify_inclusion(leaf, index, size, decode_proof(log.inclusion_proof(index, size)), root)
        checks.append(("inclusion", True, f"in the signed checkpoint of size {size}, root "
                                          f"{checkpoint['root_hash']}"))
    except (ProofError, HotlineError, ValueError) as exc:
        checks.append(("inclusion", False, str(exc)))
    return checks


def _event_links(report_dir: str | None, events) -> list[tuple[str, str | None]]:
    """(event id, URL of its report page or None when the report lacks it)."""
    out = []
    for eid in events or []:
        eid = str(eid)
        ok = (report_dir is not None and eid.isalnum()
              and (Path(report_dir) / "events" / f"{eid}.html").is_file())
        out.append((eid, f"{REPORT_MOUNT}/events/{eid}.html" if ok else None))
    return out


def console_router(log: TransparencyLog, report_dir: str | None = None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/console", response_class=HTMLResponse)
    def log_page(request: Request, type: str | None = None, author: str | None = None,
                 after: int = -1) -> HTMLResponse:
        kind = type if type in ENTRY_TYPES else None
        author = author if author and author in log.keys.current else None
        rows = list_entries(log.engine, None, kind=kind, author=author,
                            after=max(-1, min(after, 2**31 - 1)), limit=200)
        html = _env.get_template("log.html").render(
            rows=rows, types=ENTRY_TYPES, parties=log.keys.parties(), kind=kind,
            author=author, size=log.refresh(), origin=log.origin, problems=log.problems,
            report=f"{REPORT_MOUNT}/index.html" if report_dir else None)
        return HTMLResponse(html)

    @router.get("/console/entries/{index}", response_class=HTMLResponse)
    def entry_page(index: int) -> HTMLResponse:
        row = entry_row(log.engine, None, index=index) if 0 <= index < log.refresh() else None
        if row is None:
            raise HTTPException(404, f"no public entry {index}")
        checks = verification(log, index, row["entry"])
        entry = row["entry"]
        finding = None
        if entry["type"] == "alert":
            finding = {**entry["payload"],
                       "event_links": _event_links(report_dir, entry["payload"].get("events"))}
        html = _env.get_template("entry.html").render(
            finding=finding, report=f"{REPORT_MOUNT}/index.html" if report_dir else None,
            row=row, entry=row["entry"], checks=checks, verified=all(c[1] for c in checks),
            to=recipients_of(log.engine, index), origin=log.origin,
            payload=json.dumps(row["entry"]["payload"], indent=2, sort_keys=True))
        return HTMLResponse(html)

    return router
