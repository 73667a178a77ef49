"""CelesTrak GP and SATCAT client.

GP (general perturbations) element sets come from
``/NORAD/elements/gp.php?<QUERY>=<value>&FORMAT=<format>`` and catalogue
records from ``/satcat/records.php``.  Exactly one query kind (GROUP, CATNR,
INTDES, NAME or SPECIAL) is sent, and FORMAT always is.  CelesTrak updates
GP data every two hours and asks clients not to download more often, so
answers are cached for two hours by default (SATCAT for a day).

CelesTrak quirks handled here (see :class:`~orbwatch.sources._http.BaseClient`):
a 200 answer reading "No GP data found" is an empty result; a 403 "GP data
has not updated since your last successful download" serves the cached copy
when there is one; ``.com`` hosts redirect to ``celestrak.org`` (followed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx

from orbwatch.errors import SourceError
from orbwatch.sources._http import BaseClient, FetchResult
from orbwatch.sources.cache import Cache
from orbwatch.sources.ratelimit import RateLimiter

__all__ = [
    "CelestrakClient",
    "CELESTRAK_URL",
    "GP_FORMATS",
    "SATCAT_FORMATS",
    "GP_MAX_AGE",
    "SATCAT_MAX_AGE",
]

CELESTRAK_URL = "https://celestrak.org"
GP_PATH = "/NORAD/elements/gp.php"
SATCAT_PATH = "/satcat/records.php"

GP_MAX_AGE = 2 * 3600.0
SATCAT_MAX_AGE = 24 * 3600.0

# user format -> (FORMAT value sent, FetchResult.format)
GP_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("json", "omm-json"),
    "csv": ("csv", "omm-csv"),
    "xml": ("xml", "omm-xml"),
    "kvn": ("kvn", "omm-kvn"),
    "tle": ("tle", "tle"),
    "3le": ("3le", "tle"),
    "2le": ("2le", "tle"),
}
SATCAT_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("json", "satcat-json"),
    "csv": ("csv", "satcat-csv"),
}

_GP_KINDS = ("group", "catnr", "intdes", "name", "special")
_SATCAT_KINDS = ("group", "catnr", "intdes", "name", "special")


class CelestrakClient(BaseClient):
    """Client for CelesTrak's GP (OMM/TLE) and SATCAT queries.

    ``http``: an ``httpx.Client`` to use (not closed by this object); by
    default one is created.  ``cache``: a :class:`Cache`, ``True`` for the
    default cache directory or ``False`` for none.  ``offline=True`` never
    touches the network: cached answers or OfflineError.  ``max_age``
    overrides the default freshness (seconds) of cached GP answers.
    """

    name = "CelesTrak"
    default_base_url = CELESTRAK_URL

    def __init__(
        self,
        base_url: str = CELESTRAK_URL,
        http: httpx.Client | None = None,
        cache: Cache | bool = True,
        *,
        offline: bool = False,
        max_age: float | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(base_url, http, cache, limiter=limiter, offline=offline,
                         timeout=timeout, clock=clock)
        self.max_age = max_age

    def __repr__(self) -> str:
        return f"CelestrakClient({self.base_url!r}, cache={self.cache!r}, offline={self.offline})"

    def gp(
        self,
        *,
        group: str | None = None,
        catnr: int | str | None = None,
        intdes: str | None = None,
        name: str | None = None,
        special: str | None = None,
        format: str = "json",
        max_age: float | None = None,
    ) -> FetchResult:
        """GP element sets for exactly one query kind, e.g. ``gp(group="stations")``.

        ``format``: json (OMM JSON, preferred), csv, xml, kvn, tle/3le, 2le.
        """
        kind, value = _one_query("gp", _GP_KINDS, group=group, catnr=catnr, intdes=intdes,
                                 name=name, special=special)
        sent, label = _pick_format("gp", format, GP_FORMATS)
        return self._query(GP_PATH, kind, value, sent, label,
                           _max_age(max_age, self.max_age, GP_MAX_AGE))

    def satcat(
        self,
        *,
        group: str | None = None,
        catnr: int | str | None = None,
        intdes: str | None = None,
        name: str | None = None,
        special: str | None = None,
        format: str = "json",
        max_age: float | None = None,
    ) -> FetchResult:
        """SATCAT records for exactly one query kind; ``format`` json or csv."""
        kind, value = _one_query("satcat", _SATCAT_KINDS, group=group, catnr=catnr,
                                 intdes=intdes, name=name, special=special)
        sent, label = _pick_format("satcat", format, SATCAT_FORMATS)
        return self._query(SATCAT_PATH, kind, value, sent, label,
                           _max_age(max_age, None, SATCAT_MAX_AGE))

    def space_weather(self, *, max_age: float | None = None) -> FetchResult:
        """CelesTrak's space-weather file (``/SpaceData/SW-All.csv``: daily F10.7,
        its 81-day mean, Ap; observed and predicted), cached for a day."""
        return self._fetch(SW_PATH, None, fmt="space-weather-csv", source="celestrak:SW-All",
                           max_age=SW_MAX_AGE if max_age is None else max_age)

    def _query(self, path: str, kind: str, value: str, sent: str, label: str,
               max_age: float) -> FetchResult:
        params = {kind: value, "FORMAT": sent}
        prefix = "celestrak" if path == GP_PATH else "celestrak-satcat"
        return self._fetch(path, params, fmt=label, source=f"{prefix}:{kind}={value}",
                           max_age=max_age)


SW_PATH = "/SpaceData/SW-All.csv"
SW_MAX_AGE = 86_400.0


def _one_query(what: str, kinds: tuple[str, ...], **given: object) -> tuple[str, str]:
    chosen = {k: v for k, v in given.items() if v is not None}
    if len(chosen) != 1:
        got = ", ".join(sorted(chosen)) or "none"
        raise SourceError(
            f"CelesTrak {what}: got {got}; expected exactly one of {'=, '.join(kinds)}="
        )
    ((kind, value),) = chosen.items()
    text = str(value).strip()
    if not text:
        raise SourceError(f"CelesTrak {what}: {kind}= is empty; expected a value")
    if kind == "catnr" and not text.isdigit():
        raise SourceError(
            f"CelesTrak {what}: catnr={text!r} is not a catalogue number; expected digits"
        )
    return kind.upper(), text


def _pick_format(what: str, fmt: str, table: dict[str, tuple[str, str]]) -> tuple[str, str]:
    key = fmt.strip().lower()
    if key not in table:
        raise SourceError(
            f"CelesTrak {what}: unknown format {fmt!r}; expected one of {', '.join(table)}"
        )
    return table[key]


def _max_age(call: float | None, client: float | None, default: float) -> float:
    if call is not None:
        return call
    return client if client is not None else default
