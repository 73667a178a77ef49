"""Who answers for an object: SATCAT ownership, joint owners, debris parentage.

Parties are SATCAT owner codes as the catalogue writes them (``US``,
``CIS``, ``PRC``, ``FR`` ...; fictional ``RED``/``BLU``/``GRN`` in
scenarios).  Rules applied, in order:

1. **Debris parentage.**  A fragment answers to its parent's owner: the
   parent named by a breakup event (:meth:`Attribution.add_parent`), else
   the object of the same launch (international designator ``YYYY-NNN``)
   that is a payload, piece A first.
2. **SATCAT owner.**  Joint owner codes (``ISS``, ``CHBZ``, ``FRIT`` ...)
   are split into their member states (``split_joint=True``, the default)
   or kept as one multinational party; organisations (``ESA``, ``EUME``,
   ``ITSO``, commercial operators ...) stay one party, with the caveat that
   the SATCAT does not name the state answering for them (Outer Space
   Treaty, article VI).
3. **Unknown.**  No row, or an owner of ``TBD``/``UNK``/empty: the party
   is ``unattributed`` and the caveat says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["UNATTRIBUTED", "JOINT_OWNERS", "ORGANISATIONS", "Attributed", "Attribution",
           "launch_of", "rows_from_events"]

UNATTRIBUTED = "unattributed"
#: joint SATCAT owner codes and their member parties (ISS: the station's partners)
JOINT_OWNERS: dict[str, tuple[str, ...]] = {
    "ISS": ("US", "CIS", "ESA", "JPN", "CA"),
    "CHBZ": ("PRC", "BRAZ"), "FRIT": ("FR", "IT"), "FGER": ("FR", "GER"),
    "SGJP": ("SING", "JPN"), "STCT": ("SING", "ROC"), "USBZ": ("US", "BRAZ"),
}
#: intergovernmental and commercial owners the SATCAT names without a state
ORGANISATIONS = frozenset({"ESA", "ESRO", "EUME", "EUTE", "ITSO", "IM", "AB", "NATO", "RASC",
                           "SES", "GLOB", "ORB", "O3B", "ABS", "AC", "SEAL"})
_UNKNOWN_OWNERS = {"", "TBD", "UNK", "UNKNOWN", "NONE"}
_INTLDES = re.compile(r"^(\d{4}-\d{3})([A-Z]*)$")


def launch_of(intldes: str | None) -> tuple[str, str] | None:
    """``"2022-905B"`` -> ``("2022-905", "B")``; None when not a designator."""
    m = _INTLDES.match((intldes or "").strip().upper())
    return (m.group(1), m.group(2)) if m else None


@dataclass(frozen=True)
class Attributed:
    """The parties answering for one object, how that was decided, and caveats."""

    norad: int
    parties: tuple[str, ...]
    basis: str
    caveats: tuple[str, ...] = ()
    object_type: str | None = None
    name: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.parties) and self.parties != (UNATTRIBUTED,)

    def to_dict(self) -> dict:
        return {"norad": self.norad, "parties": list(self.parties), "basis": self.basis,
                "caveats": list(self.caveats), "object_type": self.object_type,
                "name": self.name}


def rows_from_events(events) -> dict[int, dict]:
    """Catalogue rows (name, owner, object type) from what detectors wrote in
    events' evidence (``names``, ``owners``, ``object_types``), for objects
    with no catalogue row; their basis says "event evidence"."""
    rows: dict[int, dict] = {}
    for ev in events:
        e = ev.evidence
        for k, n in enumerate(ev.objects[:2]):
            if n in rows:
                continue
            pick = {}
            for key, src in (("name", "names"), ("owner", "owners"),
                             ("object_type", "object_types")):
                vals = e.get(src)
                pick[key] = vals[k] if isinstance(vals, list) and k < len(vals) else None
            if any(pick.values()):
                rows[n] = {"norad": n, **pick, "source": "event evidence"}
    return rows


def _norm_type(t: str | None) -> str | None:
    return None if t is None else str(t).strip().lower()


class Attribution:
    """Attribution over catalogue rows (``Store.objects()`` dicts or a mapping
    norad -> row with ``owner``, ``object_type``, ``intldes``, ``name``)."""

    def __init__(self, objects: Iterable[Mapping] | Mapping[int, Mapping], *,
                 split_joint: bool = True) -> None:
        rows = objects.values() if isinstance(objects, Mapping) else objects
        self.rows: dict[int, Mapping] = {int(r["norad"]): r for r in rows}
        self.split_joint = split_joint
        self._parents: dict[int, int] = {}
        self._launches: dict[str, list[tuple[str, int]]] = {}
        for n, r in self.rows.items():
            lp = launch_of(r.get("intldes"))
            if lp:
                self._launches.setdefault(lp[0], []).append((lp[1], n))

    @classmethod
    def from_mapping(cls, objects: Mapping[int, Mapping], **kw) -> Attribution:
        return cls([{"norad": n, **r} for n, r in objects.items()], **kw)

    def fill(self, rows: Mapping[int, Mapping]) -> None:
        """Add rows for objects that have none (e.g. :func:`rows_from_events`)."""
        for n, r in rows.items():
            if int(n) not in self.rows:
                self.rows[int(n)] = r
                lp = launch_of(r.get("intldes"))
                if lp:
                    self._launches.setdefault(lp[0], []).append((lp[1], int(n)))

    def add_parent(self, fragment: int, parent: int) -> None:
        """Record that ``fragment`` came from ``parent`` (a breakup event says so)."""
        if fragment != parent:
            self._parents[int(fragment)] = int(parent)

    def object_type(self, norad: int) -> str | None:
        return _norm_type(self.rows.get(norad, {}).get("object_type"))

    def name(self, norad: int) -> str | None:
        return self.rows.get(norad, {}).get("name")

    def parent_of(self, norad: int) -> tuple[int, str] | None:
        """The parent of a fragment and how it was found, or None."""
        if norad in self._parents:
            return self._parents[norad], "named by a breakup event"
        row = self.rows.get(norad)
        if row is None or self.object_type(norad) not in ("debris", "unknown"):
            return None
        lp = launch_of(row.get("intldes"))
        if not lp:
            return None
        siblings = sorted(self._launches.get(lp[0], []), key=lambda p: (len(p[0]), p[0]))
        payloads = [n for _, n in siblings if self.object_type(n) == "payload" and n != norad]
        if payloads:
            return payloads[0], f"payload of the same launch {lp[0]}"
        return None

    def of(self, norad: int) -> Attributed:
        """The parties answering for ``norad``."""
        norad = int(norad)
        parent = self.parent_of(norad)
        own = self._own(norad)
        if parent is not None and parent[0] in self.rows:
            via = self._own(parent[0])
            caveats = via.caveats
            if own.known and via.known and own.parties != via.parties:
                caveats += (f"SATCAT owner of {norad} ({'/'.join(own.parties)}) differs "
                            f"from its parent's",)
            return Attributed(norad, via.parties,
                              f"parent {parent[0]} ({parent[1]}); {via.basis}",
                              caveats, own.object_type, own.name)
        return own

    def _own(self, norad: int) -> Attributed:
        row = self.rows.get(norad)
        if row is None:
            return Attributed(norad, (UNATTRIBUTED,), "not in the catalogue",
                              (f"owner of {norad} unknown: not in the catalogue given",))
        kind, name = self.object_type(norad), row.get("name")
        code = str(row.get("owner") or "").strip().upper()
        src = f"{row.get('source') or 'SATCAT'} owner"
        if code in _UNKNOWN_OWNERS:
            return Attributed(norad, (UNATTRIBUTED,), f"{src} {code or 'empty'}",
                              (f"owner of {norad} unknown ({src} {code or 'empty'!s})",),
                              kind, name)
        if code in JOINT_OWNERS:
            members = JOINT_OWNERS[code]
            if self.split_joint:
                return Attributed(norad, members, f"{src} {code}: joint, "
                                  f"members {', '.join(members)}", (), kind, name)
            return Attributed(norad, (code,), f"{src} {code}: multinational party "
                              f"({', '.join(members)})", (), kind, name)
        if code in ORGANISATIONS:
            return Attributed(norad, (code,), f"{src} {code} (organisation)",
                              (f"the state answering for {code} is not in the SATCAT",),
                              kind, name)
        return Attributed(norad, (code,), f"{src} {code}", (), kind, name)
