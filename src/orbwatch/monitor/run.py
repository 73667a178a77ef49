"""``run_monitor``: process what arrived since the last run, judge, report.

>>> from orbwatch.monitor import run_monitor
>>> result = run_monitor(store, "report")        # doctest: +SKIP
>>> result.status, result.new_events, result.report

One run: take the lock (:mod:`~orbwatch.monitor.lock`), resume an
unfinished run or open a new one over the element sets ingested since the
last (:mod:`~orbwatch.monitor.changes`), run every detector over what
changed (:mod:`~orbwatch.monitor.detectors`), upsert the events by their
monitor key (:mod:`~orbwatch.monitor.state`), judge every stored event
against the code of conduct, store the findings and write the report.
Nothing new (no new sets or catalogue records, the same code,
notifications and options, and the report in place) means nothing is done.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orbwatch.errors import UserError
from orbwatch.monitor.changes import changes_between, high_water
from orbwatch.monitor.detectors import DETECTORS, window_for
from orbwatch.monitor.lock import run_lock
from orbwatch.monitor.state import MonitorState
from orbwatch.time import parse_iso

__all__ = ["MonitorResult", "run_monitor", "STEPS", "ALL_REGIMES"]

#: the steps of a run, in order
STEPS = (*DETECTORS, "judge", "report")
ALL_REGIMES = ("leo", "meo", "heo", "geo")


@dataclass
class MonitorResult:
    """What one call did: ``status`` is ``nothing-new`` or ``finished``."""

    status: str
    out_dir: Path
    run_ids: list[int] = field(default_factory=list)
    resumed: bool = False
    changes: list[dict] = field(default_factory=list)
    new_events: dict[str, int] = field(default_factory=dict)
    updated_events: int = 0
    unchanged_events: int = 0
    events: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    report: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict:
        return {"status": self.status, "out_dir": str(self.out_dir), "runs": self.run_ids,
                "resumed": self.resumed, "changes": self.changes,
                "new_events": self.new_events, "updated_events": self.updated_events,
                "unchanged_events": self.unchanged_events, "events": self.events,
                "findings": self.findings,
                "report": None if self.report is None else str(self.report),
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "message": self.message}


def _code(code):
    from orbwatch.norms import Code, default_code, load_code

    if code is None:
        return default_code()
    return code if isinstance(code, Code) else load_code(code)


def _notifications(notifications):
    from orbwatch.norms import load_notifications

    if notifications is None or isinstance(notifications, (list, tuple)):
        return notifications
    return load_notifications(notifications)


def _since(since) -> int | None:
    if since is None or isinstance(since, int):
        return since
    try:
        return parse_iso(str(since))
    except ValueError as exc:
        raise UserError(f"--since {since!r}: not an ISO 8601 time ({exc}); "
                        "expected e.g. 2023-04-13 or 2023-04-13T06:00:00Z") from None


def _settings_sha(code, notifications, options: dict) -> str:
    h = hashlib.sha256()
    h.update(repr(code).encode())
    h.update(repr(notifications).encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    return h.hexdigest()


def run_monitor(store, out_dir: str | Path, *, code=None, notifications=None,
                since: str | int | None = None, threshold_km: float = 5.0,
                regimes: Sequence[str] = ALL_REGIMES, max_days: float | None = None,
                title: str = "orbwatch monitor report", figures: str = "cited",
                progress: Callable[[str], None] | None = None) -> MonitorResult:
    """Process the element sets ingested since the last run and write the report.

    ``store``: an open :class:`~orbwatch.store.Store`; ``out_dir``: the
    report's folder; ``code``: a :class:`~orbwatch.norms.Code` or a rule file
    (default: the shipped code); ``notifications``: a list or a file (none
    by default); ``since``: only sets with epochs from then count as new;
    ``threshold_km``: conjunction screening distance; ``regimes``: orbit
    regimes watched; ``max_days``: detection span at most this many days back
    from the newest epoch.  Raises :class:`~orbwatch.monitor.MonitorBusyError`
    when another run holds the lock.
    """
    bad = sorted(set(regimes) - set(ALL_REGIMES))
    if bad:
        raise UserError(f"unknown regime(s) {', '.join(bad)}; expected {', '.join(ALL_REGIMES)}")
    out = Path(out_dir)
    code, notes, since_us = _code(code), _notifications(notifications), _since(since)
    options = {"threshold_km": threshold_km, "regimes": sorted(regimes), "max_days": max_days,
               "since_us": since_us, "figures": figures}
    sha = _settings_sha(code, notes, options)  # the title alone is no reason to redo a run
    options["title"] = title
    say = progress or (lambda _text: None)
    result = MonitorResult(status="nothing-new", out_dir=out)
    added: Counter = Counter()
    with run_lock(store, out):
        state = MonitorState(store)
        for _ in range(2):  # an unfinished run first, then what came after it
            run = state.last_run()
            if run is not None and run["status"] == "running":
                result.resumed = True
                say(f"resuming run {run['id']} (finished: {', '.join(run['steps']) or 'none'})")
            else:
                top_set, top_batch = high_water(store)
                start = run["to_set_id"] if run else 0
                same_data = (run is not None and top_set == start
                             and top_batch == run["to_batch_id"])
                if same_data and (result.run_ids or (run["settings_sha256"] == sha
                                                     and (out / "monitor.json").exists())):
                    break
                state.start_run(from_set_id=start, to_set_id=top_set, to_batch_id=top_batch,
                                since_us=since_us, settings_sha256=sha)
                run = state.last_run()
            _one_run(store, state, run, out, code, notes, options, say, result, added)
        result.new_events = dict(sorted(added.items()))
        if not result.run_ids:
            result.message = ("nothing new since the last run: no element sets or catalogue "
                              "records, same code and options, report in place")
            result.report = out / "index.html" if (out / "index.html").exists() else None
        else:
            result.status = "finished"
        result.events = len(state.events())
        result.findings = dict(Counter(f["verdict"] for f in state.findings()))
    return result


def _one_run(store, state: MonitorState, run: dict, out: Path, code, notes, options: dict,
             say, result: MonitorResult, added: Counter) -> None:
    rid, done = run["id"], set(run["steps"])
    result.run_ids.append(rid)
    changes = changes_between(store, run["from_set_id"], run["to_set_id"], run["since_us"])
    result.changes.append(changes.to_dict())
    if not changes.empty:
        say(f"run {rid}: {changes.n_sets} new element sets of {len(changes.norads)} objects, "
            f"{len(changes.new_objects)} newly catalogued")
        w = window_for(changes, regimes=options["regimes"], threshold_km=options["threshold_km"],
                       max_days=options["max_days"])
        for step, detect in DETECTORS.items():
            if step in done:
                continue
            say(f"run {rid}: {step}")
            t0 = time.perf_counter()
            events, covered = detect(store, w)
            rep = state.upsert_events(rid, events, step, covered)
            result.seconds[step] = result.seconds.get(step, 0.0) + time.perf_counter() - t0
            result.updated_events += rep.updated
            result.unchanged_events += rep.unchanged
            say(f"run {rid}: {step}: {len(events)} events ({rep.added} new, {rep.updated} "
                f"updated, {rep.unchanged} unchanged, {rep.retracted} retracted)")
    if "judge" not in done:
        say(f"run {rid}: judging every event against the code of conduct")
        t0 = time.perf_counter()
        from orbwatch.norms import judge

        findings = judge(state.events(), store.objects(), code, notes)
        state.replace_findings(rid, findings, "judge")
        result.seconds["judge"] = time.perf_counter() - t0
    say(f"run {rid}: writing the report")
    t0 = time.perf_counter()
    from orbwatch.report import write_report

    result.report = write_report(out, state.events(), state.findings(), store=store,
                                 title=options["title"], figures=options["figures"])
    state.mark_step(rid, "report")
    added.update(_added(state, rid))
    state.finish_run(rid, {"changes": changes.to_dict()})
    (out / "monitor.json").write_text(json.dumps(
        {"runs": state.runs(), "event_changes": state.event_changes(),
         "retracted_events": [e.to_dict() for e in state.events(retracted=True)]}, indent=1),
        encoding="utf-8")
    result.seconds["report"] = time.perf_counter() - t0


def _added(state: MonitorState, rid: int) -> Counter:
    """Events first seen in run ``rid``, per kind (read from the table, so a
    resumed run counts what the whole run added)."""
    from sqlalchemy import func, select

    from orbwatch.store.schema import monitor_events

    c = monitor_events.c
    with state.engine.connect() as conn:
        rows = conn.execute(select(c.kind, func.count()).where(c.first_run == rid)
                            .group_by(c.kind)).all()
    return Counter({kind: int(n) for kind, n in rows})
