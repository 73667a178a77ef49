"""``orbwatch watch``: the monitor, safe to run from cron."""

from __future__ import annotations

import contextlib
import json
import sys

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.errors import UserError

__all__ = ["watch_cmd", "summary_rows"]


def summary_rows(result) -> list[dict]:
    """One row per event kind added and per finding verdict."""
    rows = [{"what": f"new {kind} events", "count": n}
            for kind, n in result.new_events.items()]
    rows.append({"what": "events updated by new data", "count": result.updated_events})
    rows.append({"what": "events stored in all", "count": result.events})
    rows += [{"what": f"findings: {verdict}", "count": n}
             for verdict, n in sorted(result.findings.items())]
    return rows


@app.command("watch")
def watch_cmd(
    db: str | None = DbOption,
    out: str = typer.Option("orbwatch-report", "--out", help="Folder of the report."),
    code: str | None = typer.Option(None, "--code", help="Code of conduct (TOML or YAML); "
                                                         "default: the shipped code."),
    notifications: str | None = typer.Option(None, "--notifications",
                                             help="Declared intentions (JSON list)."),
    since: str | None = typer.Option(None, "--since", help="Only element sets with epochs "
                                                           "from this ISO time count as new."),
    threshold: float = typer.Option(5.0, "--threshold", help="Conjunction screening "
                                                             "distance (km)."),
    regime: list[str] | None = typer.Option(None, "--regime", help="Watch only these orbit "
                                            "regimes (leo, meo, heo, geo; repeatable)."),
    max_days: float | None = typer.Option(None, "--max-days", help="Look at most this many "
                                          "days back from the newest new epoch."),
    hotline: str | None = typer.Option(None, "--hotline", help="Hotline server URL: read "
                                       "the notifications on its log before judging and "
                                       "post the findings as alerts to the parties concerned."),
    party: str | None = typer.Option(None, "--as", help="The monitor's party on the hotline "
                                     "(with --hotline)."),
    key: str | None = typer.Option(None, "--key", help="That party's key file "
                                   "[default: PARTY.key]."),
    hotline_log_key: str | None = typer.Option(
        None, "--hotline-log-key", help="The hotline log's public key (base64) to trust; "
        "default: the one pinned in the database when this monitor first read that "
        "hotline (trusted on first use)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table | csv | json"),
) -> None:
    """Process the element sets ingested since the last run: run every
    detector over what changed, update events (no duplicates), judge them
    against the code of conduct and rewrite the report.  A second run with
    nothing new does nothing; a run killed midway is resumed by the next;
    a run started while another works exits with a message."""
    from orbwatch.monitor import ALL_REGIMES
    from orbwatch.store import Store, default_db_path

    client = None
    if hotline:
        from orbwatch.cli.hotline import party_client

        if not party:
            raise UserError("--hotline needs the monitor's party: --as NAME (and its --key)")
        client = party_client(hotline, party, key)
    with contextlib.ExitStack() as stack:  # the client and the store closed however it ends
        if client is not None:
            stack.callback(client.close)
        store = stack.enter_context(Store(db or default_db_path(), create=False))
        result, alerts = _watch_once(
            store, client, hotline=hotline, hotline_log_key=hotline_log_key,
            notifications=notifications, out=out, code=code, since=since, threshold=threshold,
            regimes=tuple(regime or ALL_REGIMES), max_days=max_days)
    if fmt is OutputFormat.json:
        doc = result.to_dict()
        if alerts is not None:
            doc["alerts"] = {"posted": [{"index": i, "to": to} for i, to in alerts.posted],
                             "already": alerts.already, "unaddressed": alerts.unaddressed}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    rows = summary_rows(result)
    if alerts is not None:
        rows += [{"what": "alerts posted to the hotline", "count": len(alerts.posted)},
                 {"what": "alerts already on the hotline", "count": alerts.already}]
    emit(rows, fmt, title="orbwatch watch", columns=["what", "count"])


def _watch_once(store, client, *, hotline, hotline_log_key, notifications, out, code, since,
                threshold, regimes, max_days):
    """One monitor run on an open store: read the hotline's notifications (its log key
    pinned in the store on first use), run the monitor, post the findings as alerts."""
    from orbwatch.monitor import run_monitor
    from orbwatch.norms import load_notifications

    if client is not None:
        from orbwatch.hotline.monitor_link import log_key, log_notifications

        # the log's key, pinned in the database on first use (or given): every other
        # signature on the log is checked against it
        pin = f"hotline_log_public_key {client.base_url}"
        trusted = log_key(client, hotline_log_key or store.get_meta(pin))
        from_log = log_notifications(client, pinned=trusted)
        if store.get_meta(pin) != trusted:
            store.set_meta(pin, trusted)
        err_console.print(f"watch: {len(from_log)} signed notification(s) read from {hotline}",
                          highlight=False, markup=False)
        notifications = [*(load_notifications(notifications) if notifications else []),
                         *from_log]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("opening the monitor", total=None)
        result = run_monitor(store, out, code=code, notifications=notifications, since=since,
                             threshold_km=threshold, regimes=regimes, max_days=max_days,
                             progress=lambda s: bar.update(task, description=s))
    if result.status == "nothing-new":
        err_console.print(f"watch: {result.message}; report: {result.report}",
                          highlight=False, markup=False)
    else:
        what = "resumed an unfinished run and " if result.resumed else ""
        err_console.print(f"watch: {what}finished run(s) {', '.join(map(str, result.run_ids))}"
                          f"; report: {result.report}", highlight=False, markup=False)
    alerts = None
    if client is not None:
        from orbwatch.hotline.monitor_link import post_alerts
        from orbwatch.monitor import MonitorState

        alerts = post_alerts(client, MonitorState(store).findings())
        err_console.print(f"watch: {len(alerts.posted)} alert(s) posted to {hotline}, "
                          f"{alerts.already} already there", highlight=False, markup=False)
    return result, alerts
