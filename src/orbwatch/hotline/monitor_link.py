"""What the monitor exchanges with a hotline server.

* Before judging: :func:`log_notifications` reads the notifications visible
  to the monitor's party from the log, verifies every entry against the key
  its author held at that position (the log's own key vouches for the
  registrations) and returns them as :class:`~orbwatch.norms.Notification`
  for :func:`orbwatch.norms.judge`: a notified manoeuvre or approach is
  judged differently from a surprise one.  The log's key is the one the
  caller pinned (``orbwatch watch`` keeps it in the store on first use, like
  an SSH known-hosts entry); a server presenting another is refused
  (:class:`LogKeyMismatchError`), since every other signature is checked
  against that key.
* After judging: :func:`post_alerts` posts each finding as a signed ``alert``
  entry addressed to the parties it concerns (those registered on the log).
  It is idempotent, as a cron job must be: an alert already in the log from
  this party for the same rule and the same events is not posted again, so a
  re-run (or a run resumed after a crash between two posts) adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from orbwatch.errors import OrbwatchError
from orbwatch.hotline.bridge import alert_addressees, findings_to_alerts, notifications_from_log
from orbwatch.hotline.client import HotlineClient
from orbwatch.norms.notifications import Notification

__all__ = ["log_notifications", "log_key", "post_alerts", "alert_key", "AlertReport",
           "LogKeyMismatchError"]


class LogKeyMismatchError(OrbwatchError):
    """The hotline server presents a log key other than the one pinned for it."""


def log_key(client: HotlineClient, pinned: str | None = None) -> str:
    """The log's public key (base64) the server presents, which must be ``pinned``
    when one is given."""
    key = client.health()["log_public_key"]
    if pinned is not None and key != pinned:
        raise LogKeyMismatchError(
            f"the hotline at {client.base_url} presents log key {key}, but this monitor "
            f"pinned {pinned} when it first read that log: a different log, or a replaced "
            f"server key.  Nothing was read.  If the change is genuine, pass the new key "
            f"with --hotline-log-key (after checking it with the log's operator)")
    return key


def alert_key(payload: dict) -> tuple:
    """What makes two alerts the same: the rule and the events it rests on."""
    return (payload.get("rule_id"), tuple(sorted(payload.get("events", []))))


@dataclass
class AlertReport:
    """``posted``: (log index, addressees) of each new alert; ``already``:
    alerts found in the log from an earlier run; ``unaddressed``: findings
    none of whose parties is registered (posted publicly)."""

    posted: list[tuple[int, list[str]]] = field(default_factory=list)
    already: int = 0
    unaddressed: int = 0


def log_notifications(client: HotlineClient, *, pinned: str | None = None) -> list[Notification]:
    """Every manoeuvre, proximity-operation and launch notification the
    client's party may read, each signature verified (against the ``pinned`` log
    key when given, see :func:`log_key`)."""
    key = log_key(client, pinned)
    # the key history needs every entry in log order; the server filters by
    # visibility, and registrations/rotations are public
    return notifications_from_log(client.entries(), key)


def post_alerts(client: HotlineClient, findings: Iterable, *,
                verdicts: Iterable[str] = ("breach", "undetermined")) -> AlertReport:
    """Post the findings (``Finding`` objects or their dicts) whose verdict
    is in ``verdicts`` as alerts from the client's party."""
    keep = set(verdicts)
    chosen = [f for f in findings
              if (f.verdict if hasattr(f, "verdict") else f.get("verdict")) in keep]
    report = AlertReport()
    if not chosen:
        return report
    seen = {alert_key(r["entry"]["payload"])
            for r in client.entries(type="alert", author=client.party)}
    registered = [p["name"] for p in client.parties().get("parties", [])]
    for payload in findings_to_alerts(chosen):
        key = alert_key(payload)
        if key in seen:
            report.already += 1
            continue
        to = alert_addressees(payload, registered)
        if not to:
            report.unaddressed += 1
        result = client.notify(payload, to=to or None)
        report.posted.append((int(result["index"]), to))
        seen.add(key)
    return report
