"""On-disk cache of remote answers (CelesTrak, Space-Track).

One file per request, named by the SHA-256 of the request (method, URL and
sorted query parameters; never credentials).  Each file holds one line of
JSON metadata (request, fetch time, content type, size, digest) followed by
the body exactly as the server sent it.  Files are written to a temporary
name in the same directory and moved into place with ``os.replace`` so a
reader never sees half an entry.

The default directory is ``$ORBWATCH_CACHE`` or ``~/.cache/orbwatch``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from orbwatch.errors import OfflineError

__all__ = [
    "Cache",
    "CacheEntry",
    "default_cache_dir",
    "format_request",
    "format_timestamp",
    "FOREVER",
]

FOREVER = math.inf
"""A ``max_age`` that never expires (e.g. element history for a closed past range)."""

Params = Mapping[str, str] | Iterable[tuple[str, str]] | None

_SUFFIX = ".entry"


def default_cache_dir() -> Path:
    """``$ORBWATCH_CACHE`` if set, else ``~/.cache/orbwatch``."""
    env = os.environ.get("ORBWATCH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "orbwatch"


def format_timestamp(when: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix, to the second: ``2025-02-14T14:36:48Z``."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _sorted_params(params: Params) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    return sorted((str(k), str(v)) for k, v in items)


def format_request(method: str, url: str, params: Params = None) -> str:
    """Canonical one-line form of a request, e.g. ``GET https://x/y?A=1&B=2``.

    Parameters are sorted so that the same request always gives the same key.
    """
    query = urlencode(_sorted_params(params))
    sep = ("&" if "?" in url else "?") if query else ""
    return f"{method.upper()} {url}{sep}{query}"


@dataclass(frozen=True)
class CacheEntry:
    """A cached answer: the body as sent, when it was fetched, its content type."""

    request: str
    body: bytes
    fetched_at: datetime
    content_type: str | None = None

    def age(self, now: datetime) -> float:
        """Seconds since the answer was fetched (never negative)."""
        return max(0.0, (now - self.fetched_at).total_seconds())

    @property
    def fetched_at_iso(self) -> str:
        return format_timestamp(self.fetched_at)


class Cache:
    """A directory of cached answers with a max-age policy.

    ``max_age`` (seconds; ``FOREVER`` by default) is the default freshness
    limit of :meth:`get`.  With ``offline=True``, :meth:`lookup` serves any
    cached copy whatever its age and raises :class:`OfflineError` when there
    is none.  ``clock`` returns the current time as an aware datetime and is
    there for tests.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        max_age: float = FOREVER,
        offline: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.max_age = max_age
        self.offline = offline
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"Cache({str(self.directory)!r}, max_age={self.max_age}, offline={self.offline})"

    def now(self) -> datetime:
        return self._clock()

    @staticmethod
    def key(method: str, url: str, params: Params = None) -> str:
        """Hex SHA-256 of the canonical request line."""
        return hashlib.sha256(format_request(method, url, params).encode("utf-8")).hexdigest()

    def path_for(self, method: str, url: str, params: Params = None) -> Path:
        return self.directory / (self.key(method, url, params) + _SUFFIX)

    def get(
        self, method: str, url: str, params: Params = None, *, max_age: float | None = None
    ) -> CacheEntry | None:
        """The cached answer if one exists and is at most ``max_age`` seconds old."""
        entry = self._read(self.path_for(method, url, params))
        if entry is None:
            return None
        limit = self.max_age if max_age is None else max_age
        if entry.age(self.now()) >= limit:  # max_age=0: always stale
            return None
        return entry

    def get_any(self, method: str, url: str, params: Params = None) -> CacheEntry | None:
        """The cached answer whatever its age, or ``None``."""
        return self._read(self.path_for(method, url, params))

    def lookup(
        self,
        method: str,
        url: str,
        params: Params = None,
        *,
        max_age: float | None = None,
        offline: bool | None = None,
    ) -> CacheEntry | None:
        """Apply the policy: a fresh entry, else (offline) any entry or OfflineError.

        Online, a missing or stale entry gives ``None`` so that the caller fetches.
        """
        offline = self.offline if offline is None else offline
        if offline:
            entry = self.get_any(method, url, params)
            if entry is None:
                raise OfflineError(
                    f"offline: no cached copy of {format_request(method, url, params)} "
                    f"in {self.directory}; run once online to fill the cache"
                )
            return entry
        return self.get(method, url, params, max_age=max_age)

    def put(
        self,
        method: str,
        url: str,
        params: Params,
        body: bytes,
        *,
        content_type: str | None = None,
        fetched_at: datetime | None = None,
    ) -> CacheEntry:
        """Store ``body`` atomically and return the new entry."""
        request = format_request(method, url, params)
        when = fetched_at or self.now()
        meta = {
            "request": request,
            "fetched_at": format_timestamp(when),
            "content_type": content_type,
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(method, url, params)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(json.dumps(meta, sort_keys=True).encode("utf-8") + b"\n")
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return CacheEntry(request, body, _parse_timestamp(meta["fetched_at"]), content_type)

    def delete(self, method: str, url: str, params: Params = None) -> bool:
        try:
            self.path_for(method, url, params).unlink()
        except FileNotFoundError:
            return False
        return True

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        count = 0
        if self.directory.is_dir():
            for path in self.directory.glob("*" + _SUFFIX):
                if not path.name.startswith(".tmp-"):
                    path.unlink(missing_ok=True)
                    count += 1
        return count

    @staticmethod
    def _read(path: Path) -> CacheEntry | None:
        """Read an entry; a missing, truncated or corrupt file counts as a miss."""
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return None
        head, sep, body = raw.partition(b"\n")
        if not sep:
            return None
        try:
            meta = json.loads(head)
            if len(body) != meta["size"] or hashlib.sha256(body).hexdigest() != meta["sha256"]:
                return None
            return CacheEntry(
                meta["request"], body, _parse_timestamp(meta["fetched_at"]), meta.get("content_type")
            )
        except (ValueError, KeyError, TypeError):
            return None
