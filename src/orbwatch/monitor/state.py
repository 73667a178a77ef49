"""The monitor's state in the store's database: runs, events, changes, findings.

A run row fixes what it covers (element-set ids ``(from_set_id,
to_set_id]``, ingest batches up to ``to_batch_id``) and lists the steps it
finished; each step's results are written in the same transaction that
records the step, so a run killed midway is resumed by redoing only the
steps it had not recorded.

Events are keyed by the id they had when first seen.  A later detection of
the *same* event (same kind and objects, close in time: :data:`SAME_WITHIN_S`,
or overlapping windows for proximity operations) updates that row, raises
its revision and records what changed; a detection with the same id as
before and the same numbers changes nothing.  Matching is one to one, nearest
first, so two manoeuvres of one object a few hours apart stay two events.

A step may also say what it re-examined (``covered``: per kind and object,
the span where its detections are authoritative).  A stored event there that
no detection matched any more is *retracted*: kept, with its revision raised,
the change recorded and ``evidence["retracted"]`` saying in which run; it
leaves :meth:`MonitorState.events` (what is judged and reported) and is back
if a later run detects it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from orbwatch.events import Event
from orbwatch.store.schema import (
    monitor_event_changes,
    monitor_events,
    monitor_findings,
    monitor_runs,
)
from orbwatch.time import format_iso, now_us

__all__ = ["MonitorState", "UpsertReport", "identity", "SAME_WITHIN_S"]

#: a new detection is the same event as a stored one this close in time (s)
SAME_WITHIN_S = {"maneuver": 86_400, "conjunction": 600, "release": 3 * 86_400,
                 "breakup": 3 * 86_400, "decay": 86_400, "launch": 86_400,
                 "inspection": 86_400, "proximity": None}


def identity(e: Event) -> str:
    """The objects that make an event the same event: the subject for
    manoeuvres and breakups (fragments are added as they are catalogued),
    parent and child for releases, the pair (any order) otherwise."""
    if e.kind in ("maneuver", "breakup", "decay", "launch"):
        objs = e.objects[:1]
    elif e.kind == "release":
        objs = e.objects[:2]
    else:
        objs = tuple(sorted(e.objects[:2]))
    return ",".join(map(str, objs))


def _close(kind: str, a: dict, e: Event) -> float | None:
    """Distance in time (s) between stored row ``a`` and event ``e``, None if too far."""
    tol = SAME_WITHIN_S.get(kind, 86_400)
    if tol is None:  # windows must overlap
        a0, a1 = a["start_us"] or a["epoch_us"], a["end_us"] or a["epoch_us"]
        b0, b1 = e.start_us or e.epoch_us, e.end_us or e.epoch_us
        return abs(a["epoch_us"] - e.epoch_us) / 1e6 if a0 <= b1 and b0 <= a1 else None
    dt = abs(a["epoch_us"] - e.epoch_us) / 1e6
    return dt if dt <= tol else None


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def diff(old: dict, new: dict) -> dict:
    """What changed between two event dicts: ``{field: [old, new]}``."""
    out: dict[str, list] = {}
    for k in ("epoch", "start", "end", "confidence"):
        if old.get(k) != new.get(k):
            out[k] = [old.get(k), new.get(k)]
    if _retracted(old) != _retracted(new):
        out["retracted"] = [_retracted(old), _retracted(new)]
    if len(old.get("objects", [])) != len(new.get("objects", [])):
        out["objects"] = [len(old.get("objects", [])), len(new.get("objects", []))]
    om, nm = old.get("metrics", {}), new.get("metrics", {})
    for k in sorted(set(om) | set(nm)):
        a, b = om.get(k), nm.get(k)
        if _num(a) and _num(b):
            if abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
                out[f"metrics.{k}"] = [a, b]
        elif a != b:
            out[f"metrics.{k}"] = [a, b]
    return out


@dataclass
class UpsertReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "retracted": self.retracted}


def _retracted(event: dict) -> bool:
    return bool(event.get("evidence", {}).get("retracted"))


class MonitorState:
    """Runs, events and findings of the monitor in ``store``'s database."""

    def __init__(self, store) -> None:
        self.store = store
        self.engine = store.engine

    # ----- runs ------------------------------------------------------------
    def last_run(self, status: str | None = None) -> dict | None:
        q = select(monitor_runs).order_by(monitor_runs.c.id.desc()).limit(1)
        if status is not None:
            q = q.where(monitor_runs.c.status == status)
        with self.engine.connect() as conn:
            row = conn.execute(q).mappings().first()
        if row is None:
            return None
        out = dict(row)
        out["steps"] = json.loads(out.pop("steps_json") or "[]")
        return out

    def start_run(self, *, from_set_id: int, to_set_id: int, to_batch_id: int,
                  since_us: int | None, settings_sha256: str) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(insert(monitor_runs).values(
                started_at=format_iso(now_us(), 0), status="running", from_set_id=from_set_id,
                to_set_id=to_set_id, to_batch_id=to_batch_id, since_us=since_us,
                settings_sha256=settings_sha256, steps_json="[]")).inserted_primary_key[0])

    def _mark(self, conn, run_id: int, step: str) -> None:
        steps = json.loads(conn.execute(select(monitor_runs.c.steps_json)
                                        .where(monitor_runs.c.id == run_id)).scalar_one())
        if step not in steps:
            steps.append(step)
        conn.execute(update(monitor_runs).where(monitor_runs.c.id == run_id)
                     .values(steps_json=json.dumps(steps)))

    def mark_step(self, run_id: int, step: str) -> None:
        with self.engine.begin() as conn:
            self._mark(conn, run_id, step)

    def finish_run(self, run_id: int, summary: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(monitor_runs).where(monitor_runs.c.id == run_id).values(
                status="finished", finished_at=format_iso(now_us(), 0),
                summary_json=json.dumps(summary)))

    def runs(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(monitor_runs).order_by(monitor_runs.c.id)).mappings()
            return [dict(r) for r in rows]

    # ----- events ----------------------------------------------------------
    def upsert_events(self, run_id: int, events: list[Event], step: str,
                      covered: dict[tuple[str, str], tuple[int, int]] | None = None
                      ) -> UpsertReport:
        """Add or update ``events``, retract the stored ones inside ``covered``
        (``{(kind, identity): (start_us, stop_us)}``) that none of them matched, and
        record ``step`` done, in one transaction."""
        rep = UpsertReport()
        covered = covered or {}
        c = monitor_events.c
        with self.engine.begin() as conn:
            stored: dict[tuple[str, str], list[dict]] = {}
            for kind in sorted({e.kind for e in events} | {k for k, _ in covered}):
                for r in conn.execute(select(c.key, c.event_id, c.kind, c.objects, c.epoch_us,
                                             c.start_us, c.end_us, c.event_json, c.revision)
                                      .where(c.kind == kind)).mappings():
                    stored.setdefault((r["kind"], r["objects"]), []).append(dict(r))
            taken: set[str] = set()
            pending: list[Event] = []
            for e in events:  # the same id first
                rows = stored.get((e.kind, identity(e)), [])
                row = next((r for r in rows if r["event_id"] == e.id and r["key"] not in taken),
                           None)
                if row is None:
                    pending.append(e)
                else:
                    taken.add(row["key"])
                    self._update(conn, run_id, row, e, rep)
            for e in pending:  # then the nearest in time
                rows = [(dt, r) for r in stored.get((e.kind, identity(e)), [])
                        if r["key"] not in taken and (dt := _close(e.kind, r, e)) is not None]
                if rows:
                    row = min(rows, key=lambda x: x[0])[1]
                    taken.add(row["key"])
                    self._update(conn, run_id, row, e, rep)
                    continue
                conn.execute(insert(monitor_events).values(
                    key=e.id, event_id=e.id, kind=e.kind, objects=identity(e),
                    epoch_us=e.epoch_us, start_us=e.start_us, end_us=e.end_us,
                    event_json=e.to_json(), revision=1, first_run=run_id, last_run=run_id))
                taken.add(e.id)
                rep.added += 1
            for key, (lo, hi) in sorted(covered.items()):
                for row in stored.get(key, []):
                    if row["key"] not in taken and lo <= row["epoch_us"] <= hi:
                        self._retract(conn, run_id, row, rep)
            self._mark(conn, run_id, step)
        return rep

    def _retract(self, conn, run_id: int, row: dict, rep: UpsertReport) -> None:
        old = json.loads(row["event_json"])
        if _retracted(old):
            return
        new = {**old, "evidence": {**old.get("evidence", {}), "retracted": {
            "run": run_id, "why": "not detected again when its span was re-examined"}}}
        conn.execute(update(monitor_events).where(monitor_events.c.key == row["key"]).values(
            event_json=json.dumps(new), revision=row["revision"] + 1, last_run=run_id))
        conn.execute(insert(monitor_event_changes).values(
            key=row["key"], run_id=run_id, changes_json=json.dumps(diff(old, new))))
        rep.retracted += 1

    def _update(self, conn, run_id: int, row: dict, e: Event, rep: UpsertReport) -> None:
        new = e.to_dict()
        changes = diff(json.loads(row["event_json"]), new)
        if not changes:
            rep.unchanged += 1
            return
        conn.execute(update(monitor_events).where(monitor_events.c.key == row["key"]).values(
            event_id=e.id, epoch_us=e.epoch_us, start_us=e.start_us, end_us=e.end_us,
            event_json=json.dumps(new), revision=row["revision"] + 1, last_run=run_id))
        conn.execute(insert(monitor_event_changes).values(
            key=row["key"], run_id=run_id, changes_json=json.dumps(changes)))
        rep.updated += 1

    def events(self, *, retracted: bool = False) -> list[Event]:
        """Every stored event (current versions) by epoch; the retracted ones only with
        ``retracted`` (then only they)."""
        c = monitor_events.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.event_json).order_by(c.epoch_us, c.kind, c.key))
            docs = [json.loads(r[0]) for r in rows]
        return [Event.from_dict(d) for d in docs if _retracted(d) == retracted]

    def event_changes(self, key: str | None = None) -> list[dict]:
        c = monitor_event_changes.c
        q = select(monitor_event_changes).order_by(c.id)
        if key is not None:
            q = q.where(c.key == key)
        with self.engine.connect() as conn:
            return [{"key": r["key"], "run_id": r["run_id"],
                     "changes": json.loads(r["changes_json"])}
                    for r in conn.execute(q).mappings()]

    # ----- findings --------------------------------------------------------
    def replace_findings(self, run_id: int, findings: list, step: str) -> None:
        """The findings of the latest judging replace the previous ones."""
        with self.engine.begin() as conn:
            conn.execute(delete(monitor_findings))
            if findings:
                conn.execute(insert(monitor_findings), [
                    {"run_id": run_id, "rule_id": f.rule_id, "verdict": f.verdict,
                     "finding_json": f.to_json()} for f in findings])
            self._mark(conn, run_id, step)

    def findings(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(monitor_findings.c.finding_json)
                                .order_by(monitor_findings.c.id))
            return [json.loads(r[0]) for r in rows]
