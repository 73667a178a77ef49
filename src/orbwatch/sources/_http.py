"""What the CelesTrak and Space-Track clients share.

:class:`FetchResult` is what every query returns.  :class:`BaseClient` owns
the ``httpx.Client`` (or uses an injected one), the cache policy, the
optional rate limiter, the mapping of HTTP and network failures to orbwatch
errors, and the recognition of plain-text "nothing found" answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import httpx

from orbwatch.errors import AuthenticationError, OfflineError, RateLimitError, SourceError
from orbwatch.sources.cache import Cache, CacheEntry, format_request, format_timestamp
from orbwatch.sources.ratelimit import RateLimiter

__all__ = ["FetchResult", "BaseClient", "FORMAT_EXTENSIONS", "USER_AGENT"]

try:
    from importlib.metadata import version as _version

    USER_AGENT = f"orbwatch/{_version('orbwatch')}"
except Exception:  # pragma: no cover - not installed
    USER_AGENT = "orbwatch"

FORMAT_EXTENSIONS = {
    "omm-json": "json",
    "omm-csv": "csv",
    "omm-xml": "xml",
    "omm-kvn": "kvn",
    "tle": "tle",
    "satcat-json": "json",
    "space-weather-csv": "csv",
    "satcat-csv": "csv",
}

# Short plain-text answers that mean "no records", not "bad data".
_EMPTY_TEXT = re.compile(
    rb"^\s*(no\s.{0,40}\s(found|returned)|no\s+results?\b|no\s+records?\b)", re.IGNORECASE
)
_NOT_UPDATED = re.compile(rb"has\s+not\s+updated", re.IGNORECASE)
_LOOKS_LIKE = {
    "json": lambda b: b[:1] in (b"[", b"{"),
    "csv": lambda b: b"," in b.split(b"\n", 1)[0],
    "xml": lambda b: b[:1] == b"<",
    "kvn": lambda b: b"=" in b,
    "tle": lambda b: re.search(rb"(?m)^1 [ 0-9A-Z]{5}", b) is not None,
}


@dataclass(frozen=True)
class FetchResult:
    """One answer from a source, fresh or cached.

    ``content`` is the body as bytes (for an empty result: ``b"[]"`` for JSON
    formats, ``b""`` otherwise, with the server's text in ``notice``).
    ``format`` is one of ``FORMAT_EXTENSIONS``' keys; ``source`` names the
    query (``celestrak:GROUP=stations``); ``fetched_at`` is when the server
    answered (ISO UTC, ``Z``), the original time for a cached answer.
    ``stale`` means a cached copy older than the max age was served because
    the network failed, the client is offline, or CelesTrak said "not updated".
    """

    content: bytes
    url: str
    format: str
    source: str
    fetched_at: str
    from_cache: bool
    suggested_filename: str
    content_type: str | None = None
    empty: bool = False
    notice: str | None = None
    stale: bool = False

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def suggested_filename(source: str, fmt: str, fetched_at: str) -> str:
    """``celestrak_GROUP-stations_20250214T143648Z.json`` style, filesystem-safe."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", source.replace("=", "-").replace(":", "_"))
    stem = re.sub(r"_+", "_", stem).strip("_.")[:120] or "fetch"
    stamp = fetched_at.replace("-", "").replace(":", "")
    return f"{stem}_{stamp}.{FORMAT_EXTENSIONS.get(fmt, 'txt')}"


def _snippet(body: bytes, limit: int = 160) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class BaseClient:
    """HTTP, cache and error handling shared by the source clients."""

    name: ClassVar[str] = "source"
    default_base_url: ClassVar[str] = ""

    def __init__(
        self,
        base_url: str | None = None,
        http: httpx.Client | None = None,
        cache: Cache | bool = True,
        *,
        limiter: RateLimiter | None = None,
        offline: bool = False,
        timeout: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._own_http = http is None
        self._http = http
        self._timeout = timeout
        if cache is True:
            cache = Cache()
        self.cache: Cache | None = cache or None
        self.limiter = limiter
        self.offline = offline or bool(self.cache and self.cache.offline)
        if clock is None:
            clock = self.cache.now if self.cache else None
        self._clock = clock

    # -- lifecycle -------------------------------------------------------
    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self._timeout, follow_redirects=True)
        return self._http

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._own_http and self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> str:
        return format_timestamp(self._clock() if self._clock else datetime.now(UTC))

    # -- the one fetch path ----------------------------------------------
    def _fetch(
        self,
        path: str,
        params: dict[str, str] | None,
        *,
        fmt: str,
        source: str,
        max_age: float,
    ) -> FetchResult:
        """GET ``path`` through the cache policy and return a FetchResult."""
        url = self.base_url + path
        request = format_request("GET", url, params)
        full_url = str(httpx.URL(url, params=params)) if params else url
        if self.cache is not None:
            entry = self.cache.lookup("GET", url, params, max_age=max_age, offline=self.offline)
            if entry is not None:
                stale = entry.age(self.cache.now()) >= max_age
                return self._result(entry.body, entry, full_url, fmt, source, True, stale=stale)
        elif self.offline:
            raise OfflineError(f"offline: no cached copy of {request} (the cache is disabled)")

        try:
            response = self._send("GET", url, params=params)
        except OfflineError as exc:
            old = self.cache.get_any("GET", url, params) if self.cache else None
            if old is None:
                raise OfflineError(f"{exc}; no cached copy of {request} exists") from exc
            return self._result(old.body, old, full_url, fmt, source, True, stale=True,
                                notice=f"network failed, served the cached copy: {exc}")
        body = response.content
        if response.status_code == 403 and _NOT_UPDATED.search(body[:500]) and self.cache:
            # CelesTrak refuses repeated downloads within its 2-hour update cycle: the
            # cached copy is current, so serve it and restart its clock.
            old = self.cache.get_any("GET", url, params)
            if old is not None:
                renewed = self.cache.put("GET", url, params, old.body,
                                         content_type=old.content_type)
                return self._result(old.body, renewed, full_url, fmt, source, True,
                                    notice=_snippet(body))
        self._check_status(response, full_url)
        content_type = response.headers.get("content-type")
        entry = None
        if self.cache is not None and self._cacheable(body, fmt):
            entry = self.cache.put("GET", url, params, body, content_type=content_type)
        return self._result(body, entry, full_url, fmt, source, False, content_type=content_type)

    def _cacheable(self, body: bytes, fmt: str) -> bool:
        """Whether a 2xx answer may be stored (subclasses refuse error bodies)."""
        return True

    def _result(
        self,
        body: bytes,
        entry: CacheEntry | None,
        url: str,
        fmt: str,
        source: str,
        from_cache: bool,
        *,
        stale: bool = False,
        notice: str | None = None,
        content_type: str | None = None,
    ) -> FetchResult:
        content, empty, server_notice = self._interpret(body, fmt, url)
        fetched_at = entry.fetched_at_iso if entry is not None else self._now()
        return FetchResult(
            content=content,
            url=url,
            format=fmt,
            source=source,
            fetched_at=fetched_at,
            from_cache=from_cache,
            suggested_filename=suggested_filename(source, fmt, fetched_at),
            content_type=entry.content_type if entry is not None else content_type,
            empty=empty,
            notice=notice or server_notice,
            stale=stale,
        )

    def _interpret(self, body: bytes, fmt: str, url: str) -> tuple[bytes, bool, str | None]:
        """(content, empty, notice) for a 2xx body; raise SourceError on junk.

        A short plain-text body such as "No GP data found" is an empty result.
        """
        kind = fmt.rsplit("-", 1)[-1]
        stripped = body.strip()
        empty_content = b"[]" if kind == "json" else b""
        if not stripped or stripped == b"[]":
            return empty_content, True, None
        looks_like = _LOOKS_LIKE.get(kind, lambda b: True)
        if looks_like(stripped):
            return body, False, None
        if len(stripped) < 500 and _EMPTY_TEXT.match(stripped):
            return empty_content, True, _snippet(stripped)
        raise SourceError(
            f"{self.name}: expected {fmt} data from {url}, got: {_snippet(stripped)!r}"
        )

    # -- HTTP ------------------------------------------------------------
    def _before_request(self, method: str, url: str) -> None:
        if self.limiter is not None:
            self.limiter.acquire(what=f"{method} {url}")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request; network failures become OfflineError."""
        self._before_request(method, url)
        headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
        try:
            return self.http.request(method, url, headers=headers, follow_redirects=True, **kwargs)
        except httpx.TransportError as exc:
            where = httpx.URL(url, params=kwargs.get("params"))
            raise OfflineError(
                f"{self.name}: could not reach {where} ({type(exc).__name__}: {exc})"
            ) from exc

    def _check_status(self, response: httpx.Response, url: str) -> None:
        """Raise the orbwatch error for a non-2xx response; the message names the URL."""
        status = response.status_code
        if 200 <= status < 300:
            return
        reason = response.reason_phrase or ""
        detail = _snippet(response.content)
        msg = f"{self.name}: HTTP {status} {reason} from {url}".rstrip()
        if detail:
            msg += f": {detail}"
        if status == 401:
            raise AuthenticationError(msg)
        if status == 429:
            raise RateLimitError(msg)
        if status == 404:
            raise SourceError(msg + " (expected an existing query endpoint)")
        raise SourceError(msg)
