"""Between the hotline and the monitor: notifications in, findings out.

* :func:`notifications_from_log` turns manoeuvre, proximity-operation and
  launch entries of the log into :class:`orbwatch.norms.notifications.Notification`
  for the norms engine, each with its ``signature`` checked against the key
  its author held at that position of the log (the entries are replayed in
  log order, key entries included, as ``HotlineClient.entries()`` yields them).
* :func:`findings_to_alerts` turns the engine's findings into ``alert``
  payloads; :func:`alert_addressees` says whom each concerns.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from orbwatch.events import _clean
from orbwatch.hotline.entries import entry_id, parse_time
from orbwatch.hotline.keys import KeyRing
from orbwatch.hotline.schemas import validate_payload
from orbwatch.norms.engine import Finding
from orbwatch.norms.notifications import Notification
from orbwatch.time import parse_iso

__all__ = ["notifications_from_log", "to_notification", "findings_to_alerts",
           "alert_addressees", "ALERT_FIELDS"]

ALERT_FIELDS = ("rule_id", "title", "verdict", "severity", "confidence", "parties", "affected",
                "events", "objects", "epoch", "measured", "text")


def _norad(obj: dict) -> tuple[int, ...]:
    return (obj["norad"],) if isinstance(obj, dict) and "norad" in obj else ()


def to_notification(entry: dict, eid: str | None = None) -> Notification | None:
    """The norms view of one (already verified) entry; None for other types."""
    p, kind = entry["payload"], entry["type"]
    common = {"id": eid or entry_id(entry), "party": entry["author"],
              "issued_us": parse_iso(entry["created"]), "signature": entry["signature"]}
    if kind == "manoeuvre":
        return Notification(type="maneuver", objects=_norad(p["object"]),
                            start_us=parse_iso(p["window"]["start"]),
                            end_us=parse_iso(p["window"]["end"]),
                            delta_v_mps=float(p["delta_v_m_s"]) or None, **common)
    if kind == "proximity_operation":
        start = parse_iso(p["start"])
        return Notification(type="proximity", objects=_norad(p["subject"]) + _norad(p["target"]),
                            start_us=start, end_us=start + int(p["duration_s"] * 1_000_000),
                            min_distance_km=float(p["minimum_distance_km"]), **common)
    if kind == "launch":
        return Notification(type="launch", objects=(), start_us=parse_iso(p["window"]["start"]),
                            end_us=parse_iso(p["window"]["end"]), **common)
    return None


def notifications_from_log(records: Iterable[dict],
                           log_public_key: Ed25519PublicKey | bytes | str) -> list[Notification]:
    """Notifications from log records (``{index, entry_id, entry}`` or bare
    entries), in log order.  Every entry's signature is verified with the key
    its author held there; a bad one raises (:class:`BadSignatureError`, ...)."""
    ring = KeyRing(log_public_key)
    out = []
    for position, record in enumerate(records):
        entry = record.get("entry", record)
        index = record.get("index", position)
        ring.verify(entry, now=parse_time(entry["created"]))
        ring.apply(entry, index)
        note = to_notification(entry, record.get("entry_id"))
        if note is not None:
            out.append(note)
    return out


def findings_to_alerts(findings: Iterable[Finding | dict]) -> list[dict]:
    """``alert`` payloads (schema-valid) for the engine's findings (objects or
    their ``to_dict()`` form, as the monitor stores them)."""
    out = []
    for f in findings:
        d = _clean(f.to_dict() if hasattr(f, "to_dict") else dict(f))
        payload = {"type": "alert", **{k: d[k] for k in ALERT_FIELDS if d.get(k) is not None}}
        payload["text"] = str(payload.get("text", ""))[:10000]
        payload["confidence"] = min(max(float(payload.get("confidence", 0.0)), 0.0), 1.0)
        validate_payload(payload)
        out.append(payload)
    return out


def alert_addressees(payload: dict, registered: Iterable[str] | None = None) -> list[str]:
    """The parties an alert concerns (its actors and those affected), limited
    to ``registered`` parties when given."""
    names = dict.fromkeys([*payload.get("parties", []), *payload.get("affected", [])])
    if registered is not None:
        known = set(registered)
        names = {n: None for n in names if n in known}
    return list(names)
