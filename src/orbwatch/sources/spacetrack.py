"""Space-Track REST API client (www.space-track.org).

Login is ``POST /ajaxauth/login`` with form fields ``identity`` and
``password``; the session is the cookie it sets.  Queries are paths such as
``/basicspacedata/query/class/gp/NORAD_CAT_ID/25544,44797/format/json``.
Every request, the login included, first takes a slot from the rate limiter
(30 per minute and 300 per hour by default, shared by every client in the
process).  Answers go through the cache: ``gp`` for an hour, ``satcat`` for a
day, ``gp_history`` over a closed range that ended more than a week ago for
ever.  Bodies are returned as bytes; Space-Track JSON has numbers as strings,
which is the parser's business.

Credentials come from :mod:`orbwatch.sources.credentials` (arguments, else
environment, else netrc); the password is never shown in a message or repr.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from orbwatch.errors import AuthenticationError, RateLimitError, SourceError
from orbwatch.sources._http import BaseClient, FetchResult
from orbwatch.sources.cache import FOREVER, Cache
from orbwatch.sources.credentials import NETRC_MACHINE, Credentials, resolve_credentials
from orbwatch.sources.ratelimit import RateLimiter

__all__ = [
    "SpacetrackClient",
    "Credentials",
    "resolve_credentials",
    "build_query_path",
    "epoch_range",
    "SPACETRACK_URL",
    "NETRC_MACHINE",
    "GP_MAX_AGE",
    "SATCAT_MAX_AGE",
    "QUERY_FORMATS",
    "default_limiter",
]

SPACETRACK_URL = "https://www.space-track.org"
LOGIN_PATH = "/ajaxauth/login"
LOGOUT_PATH = "/ajaxauth/logout"
QUERY_PREFIX = "/basicspacedata/query"

GP_MAX_AGE = 3600.0
SATCAT_MAX_AGE = 24 * 3600.0
HISTORY_SETTLE = timedelta(days=7)  # late element sets for a past epoch stop arriving

QUERY_FORMATS = ("json", "csv", "xml", "kvn", "3le", "tle")
_OMM_LABELS = {"json": "omm-json", "csv": "omm-csv", "xml": "omm-xml", "kvn": "omm-kvn",
               "3le": "tle", "tle": "tle"}
_SATCAT_LABELS = {"json": "satcat-json", "csv": "satcat-csv"}

_FIELD = re.compile(r"^[A-Z][A-Z0-9_]*$")
_NORAD = re.compile(r"^\d{1,9}(--\d{1,9})?$")
_CLOSED_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+)?--(\d{4}-\d{2}-\d{2})(?:[ T]([\d:.]+))?$")

_DEFAULT_LIMITER: RateLimiter | None = None


def default_limiter() -> RateLimiter:
    """The process-wide Space-Track limiter (30/minute, 300/hour, blocking)."""
    global _DEFAULT_LIMITER
    if _DEFAULT_LIMITER is None:
        _DEFAULT_LIMITER = RateLimiter()
    return _DEFAULT_LIMITER


# -- query paths -----------------------------------------------------------------
def _quote(value: str) -> str:
    return quote(value, safe=",-._~:")


def _format_norad(ids: int | str | Iterable[int | str]) -> str:
    items = [ids] if isinstance(ids, (int, str)) else list(ids)
    parts = []
    for item in items:
        text = str(item).strip()
        for piece in text.split(",") if isinstance(item, str) else [text]:
            piece = piece.strip()
            if isinstance(item, bool) or not _NORAD.match(piece):
                raise SourceError(
                    f"Space-Track: NORAD_CAT_ID {piece!r} is not a catalogue number; "
                    "expected digits or a range like 25544--25600"
                )
            parts.append(piece)
    if not parts:
        raise SourceError("Space-Track: empty list of NORAD_CAT_IDs; expected at least one")
    return ",".join(parts)


def _format_moment(value: date | datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def epoch_range(start: date | datetime | str, end: date | datetime | str) -> str:
    """Space-Track's inclusive range syntax: ``2020-07-01--2020-07-20``."""
    return f"{_format_moment(start)}--{_format_moment(end)}"


def build_query_path(
    cls: str,
    predicates: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    *,
    orderby: str | None = None,
    limit: int | None = None,
    format: str = "json",
) -> str:
    """``/basicspacedata/query/class/<cls>/<FIELD>/<value>.../orderby/.../limit/N/format/F``.

    Values are percent-encoded (``>now-30`` becomes ``%3Enow-30``, spaces ``%20``).
    """
    if not re.fullmatch(r"[a-z_]+", cls):
        raise SourceError(f"Space-Track: bad class {cls!r}; expected e.g. gp, gp_history, satcat")
    fmt = format.strip().lower()
    if fmt not in QUERY_FORMATS:
        raise SourceError(
            f"Space-Track: unknown format {format!r}; expected one of {', '.join(QUERY_FORMATS)}"
        )
    segments = ["class", cls]
    items = predicates.items() if isinstance(predicates, Mapping) else predicates
    for name, value in items:
        key = str(name).upper()
        text = str(value).strip()
        if not _FIELD.match(key):
            raise SourceError(f"Space-Track: bad predicate name {name!r}; expected e.g. NORAD_CAT_ID")
        if not text or "/" in text:
            raise SourceError(
                f"Space-Track: bad value {text!r} for {key}; expected a non-empty value without '/'"
            )
        segments += [key, _quote(text)]
    if orderby:
        segments += ["orderby", _quote(orderby.strip())]
    if limit is not None:
        if isinstance(limit, bool) or int(limit) < 1:
            raise SourceError(f"Space-Track: limit={limit!r}; expected a positive integer")
        segments += ["limit", str(int(limit))]
    segments += ["format", fmt]
    return QUERY_PREFIX + "/" + "/".join(segments)


def _closed_past_range(epoch: str | None, now: datetime) -> bool:
    """True for an explicit range that ended more than HISTORY_SETTLE ago."""
    match = _CLOSED_RANGE.match(epoch or "")
    if not match:
        return False
    end = datetime.fromisoformat(match.group(2)).replace(tzinfo=UTC)
    return end + timedelta(days=1) + HISTORY_SETTLE < now


# -- client ------------------------------------------------------------------------
class SpacetrackClient(BaseClient):
    """Client for the Space-Track REST API with a cookie session.

    ``limiter`` defaults to the process-wide :func:`default_limiter`;
    ``cache`` is a :class:`Cache`, ``True`` (default directory) or ``False``.
    Login happens on the first request that needs the network.
    """

    name = "Space-Track"
    default_base_url = SPACETRACK_URL

    def __init__(
        self,
        identity: str | None = None,
        password: str | None = None,
        base_url: str = SPACETRACK_URL,
        http: httpx.Client | None = None,
        cache: Cache | bool = True,
        limiter: RateLimiter | None = None,
        *,
        offline: bool = False,
        timeout: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(base_url, http, cache, limiter=limiter or default_limiter(),
                         offline=offline, timeout=timeout, clock=clock)
        self._identity_arg = identity
        self._password_arg = password
        self._credentials: Credentials | None = None
        self.logged_in = False

    def __repr__(self) -> str:
        who = self._credentials.identity if self._credentials else self._identity_arg
        return f"SpacetrackClient({self.base_url!r}, identity={who!r}, logged_in={self.logged_in})"

    @property
    def credentials(self) -> Credentials:
        """Resolved credentials; AuthenticationError when there are none."""
        if self._credentials is None:
            creds = resolve_credentials(self._identity_arg, self._password_arg)
            if creds is None:
                raise AuthenticationError(
                    "Space-Track needs credentials: pass identity and password, set "
                    "SPACETRACK_IDENTITY and SPACETRACK_PASSWORD, or add "
                    f"'machine {NETRC_MACHINE} login IDENTITY password PASSWORD' to ~/.netrc"
                )
            self._credentials = creds
        return self._credentials

    # -- session -----------------------------------------------------------
    def login(self) -> None:
        """POST the credentials; the session cookie lands in the HTTP client."""
        creds = self.credentials
        url = self.base_url + LOGIN_PATH
        response = super()._send("POST", url, data={"identity": creds.identity,
                                                   "password": creds.password})
        body = response.content
        if response.status_code == 401 or b"Failed" in body[:1000]:
            self.logged_in = False
            raise AuthenticationError(
                f"Space-Track refused the login for {creds.identity!r} at {url} "
                f"(credentials from {creds.origin}); expected a valid identity and password"
            )
        self._check_status(response, url)
        self.logged_in = True

    def logout(self) -> None:
        """End the session (costs one request against the rate limit)."""
        if self.logged_in:
            self.logged_in = False
            response = super()._send("GET", self.base_url + LOGOUT_PATH)
            self._check_status(response, self.base_url + LOGOUT_PATH)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A query: log in first, and once more if the session has expired (401)."""
        if not self.logged_in:
            self.login()
        response = super()._send(method, url, **kwargs)
        if response.status_code == 401:
            self.logged_in = False
            self.login()
            response = super()._send(method, url, **kwargs)
        return response

    # -- queries -----------------------------------------------------------
    def gp(
        self,
        norad_ids: int | str | Iterable[int | str] | None = None,
        *,
        epoch: str | None = None,
        predicates: Mapping[str, str] | None = None,
        orderby: str | None = None,
        limit: int | None = None,
        format: str = "json",
        max_age: float | None = None,
    ) -> FetchResult:
        """Latest element set per object (class ``gp``), e.g. ``gp([25544, 44797])``."""
        return self._query("gp", _OMM_LABELS, norad_ids, epoch, predicates, orderby, limit,
                           format, GP_MAX_AGE if max_age is None else max_age)

    def gp_history(
        self,
        norad_ids: int | str | Iterable[int | str],
        *,
        epoch: str | tuple[date | datetime | str, date | datetime | str] | None = None,
        predicates: Mapping[str, str] | None = None,
        orderby: str | None = None,
        limit: int | None = None,
        format: str = "json",
        max_age: float | None = None,
    ) -> FetchResult:
        """Element set history (class ``gp_history``) for some objects.

        ``epoch``: ``">now-30"``, ``"2020-07-01--2020-07-20"`` or a (start, end)
        pair.  A closed range that ended over a week ago is cached for ever.
        """
        if norad_ids is None:
            raise SourceError("Space-Track gp_history: give norad_ids; expected at least one object")
        if isinstance(epoch, tuple):
            epoch = epoch_range(*epoch)
        if max_age is None:
            now = self.cache.now() if self.cache else datetime.now(UTC)
            max_age = FOREVER if _closed_past_range(epoch, now) else GP_MAX_AGE
        return self._query("gp_history", _OMM_LABELS, norad_ids, epoch, predicates, orderby,
                           limit, format, max_age)

    def satcat(
        self,
        norad_ids: int | str | Iterable[int | str] | None = None,
        *,
        predicates: Mapping[str, str] | None = None,
        orderby: str | None = None,
        limit: int | None = None,
        format: str = "json",
        max_age: float | None = None,
    ) -> FetchResult:
        """Catalogue records (class ``satcat``); ``format`` json or csv."""
        return self._query("satcat", _SATCAT_LABELS, norad_ids, None, predicates, orderby,
                           limit, format, SATCAT_MAX_AGE if max_age is None else max_age)

    def _query(self, cls: str, labels: dict[str, str], norad_ids: Any, epoch: str | None,
               predicates: Mapping[str, str] | None, orderby: str | None, limit: int | None,
               format: str, max_age: float) -> FetchResult:
        fmt = format.strip().lower()
        if fmt not in labels:
            raise SourceError(
                f"Space-Track {cls}: unknown format {format!r}; expected one of {', '.join(labels)}"
            )
        preds: list[tuple[str, str]] = []
        if norad_ids is not None:
            preds.append(("NORAD_CAT_ID", _format_norad(norad_ids)))
        if epoch:
            preds.append(("EPOCH", str(epoch).strip()))
        preds += [(str(k).upper(), str(v)) for k, v in (predicates or {}).items()]
        path = build_query_path(cls, preds, orderby=orderby, limit=limit, format=fmt)
        source = f"spacetrack:{cls}:" + (";".join(f"{k}={v}" for k, v in preds) or "all")
        return self._fetch(path, None, fmt=labels[fmt], source=source, max_age=max_age)

    # -- Space-Track answers -----------------------------------------------
    def _cacheable(self, body: bytes, fmt: str) -> bool:
        return _body_error(body) is None

    def _interpret(self, body: bytes, fmt: str, url: str) -> tuple[bytes, bool, str | None]:
        error = _body_error(body)
        if error is not None:
            cls = RateLimitError if "rate limit" in error.lower() else SourceError
            raise cls(f"Space-Track: error from {url}: {error}")
        return super()._interpret(body, fmt, url)


def _body_error(body: bytes) -> str | None:
    """The message of a ``{"error": "..."}`` answer, else None."""
    head = body[:2000].lstrip()
    if not head.startswith(b"{") or b'"error"' not in head:
        return None
    match = re.search(rb'"error"\s*:\s*"((?:[^"\\]|\\.)*)"', head)
    return match.group(1).decode("utf-8", "replace") if match else "unknown error"
