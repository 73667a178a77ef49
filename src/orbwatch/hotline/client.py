"""Client of the hotline service over HTTP (httpx).

:class:`HotlineClient` signs what it publishes with the party's key and
signs its read requests (:mod:`orbwatch.hotline.access`), so the server
shows it what is addressed to it.  Refusals come back as
:class:`HotlineRequestError` carrying the HTTP status and the server's
message.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlencode

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbwatch.hotline.access import sign_request
from orbwatch.hotline.entries import public_key_bytes, sign_entry
from orbwatch.hotline.errors import HotlineError

__all__ = ["HotlineClient", "HotlineRequestError"]


class HotlineRequestError(HotlineError):
    """The hotline server refused a request or could not be reached."""

    def __init__(self, message: str, status: int | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class HotlineClient:
    """One party's connection to a hotline server (``party``/``key`` may be
    None for anonymous reads; ``admin_token`` for registering parties;
    ``http``: an httpx client to use instead, e.g. an in-process test client)."""

    def __init__(self, base_url: str, party: str | None = None,
                 key: Ed25519PrivateKey | None = None, *, admin_token: str | None = None,
                 timeout: float = 30.0, http: httpx.Client | None = None) -> None:
        self.party, self.key, self.admin_token = party, key, admin_token
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HotlineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- plumbing -----------------------------------------------------------
    def _request(self, method: str, path: str, params: dict | None = None, *,
                 json_body: dict | None = None, headers: dict | None = None,
                 sign: bool = True) -> dict:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
        target = path + (f"?{query}" if query else "")
        headers = dict(headers or {})
        if sign and self.party and self.key is not None:
            headers.update(sign_request(method, target, self.party, self.key))
        try:
            response = self.http.request(method, target, json=json_body, headers=headers)
        except httpx.HTTPError as exc:
            raise HotlineRequestError(f"{method} {target}: {exc}") from None
        try:
            data = response.json()
        except ValueError:
            data = {"detail": response.text[:200]}
        if response.status_code >= 400:
            detail = data.get("detail") if isinstance(data, dict) else data
            kind = data.get("error") if isinstance(data, dict) else None
            raise HotlineRequestError(f"{method} {path} refused ({response.status_code}"
                                      f"{' ' + kind if kind else ''}): {detail}",
                                      response.status_code, kind)
        return data

    # ----- writing -------------------------------------------------------------
    def register(self, name: str, public_key) -> dict:
        """Admit ``name`` with ``public_key`` (needs the operator token)."""
        key = public_key if isinstance(public_key, str) else \
            base64.b64encode(public_key_bytes(public_key)).decode("ascii")
        return self._request("POST", "/v1/parties", json_body={"name": name, "public_key": key},
                             headers={"Authorization": f"Bearer {self.admin_token}"},
                             sign=False)

    def publish(self, entry: dict) -> dict:
        """POST an already signed entry; returns ``{index, entry_id, tree_size}``."""
        return self._request("POST", "/v1/entries", json_body=entry, sign=False)

    def notify(self, payload: dict, to: list[str] | None = None,
               ack_by: datetime | None = None, **kw) -> dict:
        """Sign ``payload`` as this party and publish it."""
        if self.party is None or self.key is None:
            raise HotlineRequestError("publishing needs a party name and its key")
        return self.publish(sign_entry(payload, self.party, self.key, to=to, ack_by=ack_by, **kw))

    def ack(self, entry_id: str, remarks: str | None = None) -> dict:
        payload = {"type": "acknowledgement", "entry_id": entry_id}
        if remarks:
            payload["remarks"] = remarks
        return self.notify(payload)

    # ----- reading -------------------------------------------------------------
    def health(self) -> dict:
        return self._request("GET", "/v1/health", sign=False)

    def parties(self) -> dict:
        return self._request("GET", "/v1/parties", sign=False)

    def entries(self, *, type: str | None = None, author: str | None = None,
                to: str | None = None, after: int = -1, page: int = 500) -> Iterator[dict]:
        """Every visible entry (``{index, entry_id, entry}``) after ``after``."""
        while True:
            data = self._request("GET", "/v1/entries", {"type": type, "author": author,
                                                        "to": to, "after": after,
                                                        "limit": page})
            yield from data["entries"]
            if len(data["entries"]) < page:
                return
            after = data["next_after"]

    def entry(self, index: int) -> dict:
        return self._request("GET", f"/v1/entries/{index}")

    def inbox(self, after: int = -1) -> dict:
        return self._request("GET", "/v1/inbox", {"after": after})

    def acks(self) -> dict:
        return self._request("GET", "/v1/acks")

    def checkpoint(self) -> dict:
        return self._request("GET", "/v1/checkpoint", sign=False)

    def inclusion_proof(self, index: int, tree_size: int) -> dict:
        return self._request("GET", "/v1/proofs/inclusion",
                             {"index": index, "tree_size": tree_size}, sign=False)

    def consistency_proof(self, old: int, new: int) -> dict:
        return self._request("GET", "/v1/proofs/consistency", {"old": old, "new": new},
                             sign=False)

    def leaf_hashes(self, tree_size: int) -> list[bytes]:
        out: list[bytes] = []
        while len(out) < tree_size:
            data = self._request("GET", "/v1/leaves", {"start": len(out), "end": tree_size},
                                 sign=False)
            if not data["leaf_hashes"]:
                break
            out += [base64.b64decode(h) for h in data["leaf_hashes"]]
        return out
