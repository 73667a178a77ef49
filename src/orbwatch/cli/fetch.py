"""``orbwatch fetch celestrak|spacetrack``: download and ingest in one step."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit
from orbwatch.errors import UserError
from orbwatch.sources import Cache, CelestrakClient, RateLimiter, SpacetrackClient
from orbwatch.store.db import Store, default_db_path
from orbwatch.store.ingest import ingest_bytes

__all__ = ["fetch_app"]

fetch_app = typer.Typer(help="Download element sets or SATCAT records and ingest them.",
                        no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")

_READER_FORMAT = {"omm-json": "omm-json", "omm-csv": "omm-csv", "omm-xml": "omm-xml",
                  "omm-kvn": "omm-kvn", "tle": "tle", "satcat-json": "satcat",
                  "satcat-csv": "satcat"}

CacheDirOpt = typer.Option(None, "--cache-dir", envvar="ORBWATCH_CACHE",
                           help="Cache folder [default: ~/.cache/orbwatch].")
OfflineOpt = typer.Option(False, "--offline", help="Answer from the cache only.")
SaveOpt = typer.Option(None, "--save", help="Also write the downloaded bytes to this folder.")
NoIngestOpt = typer.Option(False, "--no-ingest", help="Download (and --save) only.")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="Output format.")


def _finish(results, db, save, no_ingest, fmt) -> None:
    rows = []
    store = None if no_ingest else Store(db or default_db_path())
    for res in results:
        if save:
            Path(save).mkdir(parents=True, exist_ok=True)
            (Path(save) / res.suggested_filename).write_bytes(res.content)
        row = {"source": res.source, "url": res.url, "format": res.format,
               "bytes": len(res.content), "from_cache": res.from_cache,
               "fetched_at": res.fetched_at, "notice": res.notice}
        if res.empty:
            sys.stderr.write(f"{res.source}: no data ({res.notice or 'empty answer'})\n")
        elif store is not None:
            rep = ingest_bytes(store, res.content, source=res.source,
                               fmt=_READER_FORMAT.get(res.format, "auto"))
            for e in rep.errors[:5]:
                sys.stderr.write(f"rejected: {type(e).__name__}: {e}\n")
            row.update(added=rep.added, present=rep.present, rejected=rep.rejected,
                       committed=rep.committed)
        rows.append(row)
    emit(rows, fmt, title="fetch")
    if not any(not r.empty for r in results):
        raise UserError("the source returned no data for this query")


@fetch_app.command("celestrak")
def celestrak(
    group: str | None = typer.Option(None, "--group", help="e.g. stations, active, "
                                                           "cosmos-1408-debris"),
    catnr: list[int] | None = typer.Option(None, "--catnr", help="Catalogue number(s)."),
    intdes: str | None = typer.Option(None, "--intdes", help="Launch, e.g. 2019-079."),
    name: str | None = typer.Option(None, "--name", help="Name substring."),
    satcat: bool = typer.Option(False, "--satcat", help="Query SATCAT records instead of GP."),
    source_format: str = typer.Option("json", "--source-format",
                                      help="json (OMM, default) | csv | xml | kvn | tle"),
    base_url: str = typer.Option("https://celestrak.org", "--base-url",
                                 envvar="ORBWATCH_CELESTRAK_URL", help="CelesTrak or a mirror."),
    db: str | None = DbOption,
    cache_dir: str | None = CacheDirOpt,
    offline: bool = OfflineOpt,
    save: str | None = SaveOpt,
    no_ingest: bool = NoIngestOpt,
    fmt: OutputFormat = FormatOpt,
) -> None:
    """CelesTrak GP (OMM) or SATCAT: exactly one of --group, --catnr, --intdes, --name."""
    kinds = [k for k, v in (("group", group), ("catnr", catnr), ("intdes", intdes),
                            ("name", name)) if v]
    if len(kinds) != 1:
        raise UserError("give exactly one of --group, --catnr, --intdes, --name")
    cache = Cache(cache_dir, offline=offline) if cache_dir else Cache(offline=offline)
    with CelestrakClient(base_url, cache=cache, offline=offline) as client:
        call = client.satcat if satcat else client.gp
        queries = ([{"catnr": c} for c in catnr] if catnr else
                   [{kinds[0]: {"group": group, "intdes": intdes, "name": name}[kinds[0]]}])
        results = [call(**q, format=source_format) for q in queries]
    _finish(results, db, save, no_ingest, fmt)


@fetch_app.command("spacetrack")
def spacetrack(
    norad: list[int] | None = typer.Option(None, "--norad", help="Catalogue number(s)."),
    history: bool = typer.Option(False, "--history", help="Element-set history (gp_history)."),
    start: str | None = typer.Option(None, "--start", help="History from (ISO date)."),
    end: str | None = typer.Option(None, "--end", help="History to (ISO date)."),
    days: int | None = typer.Option(None, "--days", help="History over the last D days."),
    satcat: bool = typer.Option(False, "--satcat", help="SATCAT records."),
    limit: int | None = typer.Option(None, "--limit", help="At most N records."),
    max_wait: float = typer.Option(120.0, "--max-wait",
                                   help="Longest wait (s) for the 30/min, 300/h rate limit."),
    base_url: str = typer.Option("https://www.space-track.org", "--base-url",
                                 envvar="ORBWATCH_SPACETRACK_URL", help="Space-Track URL."),
    db: str | None = DbOption,
    cache_dir: str | None = CacheDirOpt,
    offline: bool = OfflineOpt,
    save: str | None = SaveOpt,
    no_ingest: bool = NoIngestOpt,
    fmt: OutputFormat = FormatOpt,
) -> None:
    """Space-Track gp, gp_history or satcat.  Credentials: SPACETRACK_IDENTITY /
    SPACETRACK_PASSWORD, or a ~/.netrc entry for www.space-track.org."""
    if history and not norad:
        raise UserError("--history needs --norad (Space-Track asks for bounded queries)")
    cache = Cache(cache_dir, offline=offline) if cache_dir else Cache(offline=offline)
    limiter = RateLimiter(max_wait=max_wait)
    with SpacetrackClient(base_url=base_url, cache=cache, offline=offline,
                          limiter=limiter) as client:
        if satcat:
            res = client.satcat(norad or None, limit=limit)
        elif history:
            if start:
                epoch = (start, end or "now")
            else:
                epoch = f">now-{days or 30}"
            res = client.gp_history(norad, epoch=epoch, limit=limit)
        else:
            res = client.gp(norad or None, limit=limit)
    _finish([res], db, save, no_ingest, fmt)
