"""Signed read requests: who is asking, proven with the party's key.

A request carries four headers::

    X-Hotline-Party:     RU
    X-Hotline-Time:      2024-05-01T12:00:00Z
    X-Hotline-Nonce:     <32 hex digits>
    X-Hotline-Signature: base64 Ed25519 over "METHOD\\nPATH?QUERY\\nTIME\\nNONCE"

The server accepts it when the time is within :data:`REQUEST_SKEW` of its
clock, the nonce was not used by that party within that window, and the
signature verifies with the party's current key.  A request without the
headers is anonymous: it sees public entries only.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbwatch.hotline.entries import format_time, load_public_key, parse_time
from orbwatch.hotline.errors import AccessError, EntryError

__all__ = ["HEADERS", "REQUEST_SKEW", "request_message", "sign_request", "RequestVerifier"]

HEADERS = ("X-Hotline-Party", "X-Hotline-Time", "X-Hotline-Nonce", "X-Hotline-Signature")
REQUEST_SKEW = timedelta(minutes=5)


def request_message(method: str, target: str, time: str, nonce: str) -> bytes:
    """What a request signature covers; ``target`` is the path with its query."""
    return f"{method.upper()}\n{target}\n{time}\n{nonce}".encode()


def sign_request(method: str, target: str, party: str, key: Ed25519PrivateKey,
                 now: datetime | None = None) -> dict[str, str]:
    """The headers that authenticate ``method target`` as ``party``."""
    time = format_time(now or datetime.now(UTC))
    nonce = secrets.token_hex(16)
    signature = key.sign(request_message(method, target, time, nonce))
    return dict(zip(HEADERS, (party, time, nonce, base64.b64encode(signature).decode("ascii")),
                    strict=True))


class RequestVerifier:
    """Checks signed requests; ``key_of(party)`` returns the party's current key
    (base64) or raises."""

    def __init__(self, key_of: Callable[[str], str], skew: timedelta = REQUEST_SKEW, *,
                 remember: Callable[[str, str, datetime, datetime], bool] | None = None) -> None:
        self.key_of = key_of
        self.skew = skew
        # remember(party, nonce, keep_until, now) -> False for a replay; the
        # service passes the database's (ReadNonces.remember), which survives
        # restarts; without it the pairs are kept in this process only
        self.remember = remember
        self._seen: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def verify(self, method: str, target: str, headers: Mapping[str, str],
               now: datetime | None = None) -> str | None:
        """The authenticated party, or None for an anonymous request."""
        values = [headers.get(h) for h in HEADERS]
        if all(v is None for v in values):
            return None
        if any(v is None for v in values):
            missing = [h for h, v in zip(HEADERS, values, strict=True) if v is None]
            raise AccessError(f"signed request lacks {', '.join(missing)}")
        party, time, nonce, signature = values
        now = (now or datetime.now(UTC)).astimezone(UTC)
        try:
            when = parse_time(time, "X-Hotline-Time")
        except EntryError as exc:
            raise AccessError(str(exc)) from None
        if abs(now - when) > self.skew:
            raise AccessError(f"request time {time} is more than {self.skew} from the "
                              f"server's {format_time(now)}: stale or clock skew")
        if not 16 <= len(nonce) <= 128:
            raise AccessError("X-Hotline-Nonce must have 16 to 128 characters")
        try:
            key = load_public_key(self.key_of(party))
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, request_message(method, target, time, nonce))
        except (InvalidSignature, binascii.Error, ValueError):
            raise AccessError(f"request signature of {party!r} does not verify") from None
        except EntryError as exc:  # unknown party, revoked key
            raise AccessError(str(exc)) from None
        if self.remember is not None:
            if not self.remember(party, nonce, when + self.skew, now):
                raise AccessError(f"request nonce {nonce} of {party!r} was already used")
            return party
        with self._lock:
            for k, t in list(self._seen.items()):
                if now - t > 2 * self.skew:
                    del self._seen[k]
            if (party, nonce) in self._seen:
                raise AccessError(f"request nonce {nonce} of {party!r} was already used")
            self._seen[(party, nonce)] = when
        return party
