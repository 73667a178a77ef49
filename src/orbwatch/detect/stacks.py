"""Docked stacks: objects that fly as one, told from genuinely separate
objects that merely fly close.

Two kinds of evidence make a pair *docked*; nothing else does:

* **one trajectory** -- on SGP4 the two stay within ``SAME_TRAJECTORY_KM``
  (50 m) of each other with no relative motion (``SAME_TRAJECTORY_KMS``,
  0.1 m/s).  This is what the catalogue does for a docked vehicle: it
  publishes a copy of its host's element set (Soyuz, Dragon, Cygnus and
  Progress on the ISS in April 2023; MEV-1 on Intelsat 901).
* **modules of one station** -- both catalogue names name the same station
  (``ISS (ZARYA)`` and ``ISS (NAUKA)``, ``CSS (TIANHE)`` and ``CSS
  (WENTIAN)``) and their element sets agree within element-set accuracy:
  planes within ``plane_deg``, semi-major axes within ``da_km`` and
  eccentricities within ``de`` at their own epochs, and the separation of
  each set's position at its own epoch from the other set's prediction
  there is within ``own_km + own_km_per_day x epoch gap`` -- or, when a
  manoeuvre (a reboost) lies between two sets fitted days apart, within the
  along-track drift that the change of semi-major axis between them can
  build up over the gap (``3 pi |da| N`` for N revolutions).

Why not a general "same orbit within element-set accuracy" rule: close
formations and rendezvous are as close on paper as a docked stack.
TerraSAR-X / TanDEM-X (helix formation, a few hundred metres) are 0.28 to
1.4 km apart at their own epochs, and Cosmos 2535 / 2543 were 0.62 km apart
in the 2020-07-13 snapshot; both are separate spacecraft.  Station modules
are 0.04 to 6.1 km apart at their own epochs without a reboost between
sets fitted 0.4 to 1.35 days apart (measured on the 2022-08, 2023-03 and
2023-04 snapshots; see docs/proximity_findings.md), so the tolerance grows
with the epoch gap.  A visiting vehicle with its own element set (not a
copy of its host's) is therefore not recognised as docked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.time import jd_fr

__all__ = ["SAME_TRAJECTORY_KM", "SAME_TRAJECTORY_KMS", "STATIONS", "StackLink",
           "station_of", "same_trajectory", "own_epoch_separation", "station_links",
           "stack_members"]

SAME_TRAJECTORY_KM = 0.05
SAME_TRAJECTORY_KMS = 1e-4
#: station names as the catalogue writes them before a module's name in brackets
STATIONS = ("ISS", "CSS")
_STATION_NAME = re.compile(r"^\s*(" + "|".join(STATIONS) + r")\s*\(", re.IGNORECASE)
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class StackLink:
    """Why two objects count as one docked stack."""

    a: int
    b: int
    basis: str
    station: str | None
    own_epoch_km: float  # smaller of the two own-epoch separations
    epoch_gap_days: float
    delta_a_km: float
    plane_deg: float
    allowed_km: float  # what element-set accuracy (and a reboost between) allow


def station_of(name: str | None) -> str | None:
    """The station a catalogue name says the object is a module of
    (``'ISS'`` for ``ISS (NAUKA)``), or None."""
    m = _STATION_NAME.match(name or "")
    return m.group(1).upper() if m else None


def same_trajectory(max_range_km: float, max_rel_speed_kms: float) -> bool:
    """Whether a pair's range and relative speed over a span show one
    trajectory (the catalogue's copy of a host's set for a docked vehicle)."""
    return max_range_km <= SAME_TRAJECTORY_KM and max_rel_speed_kms <= SAME_TRAJECTORY_KMS


def _position(s: ElementSet, at_us: int) -> np.ndarray:
    jd, fr = jd_fr(np.array([at_us], dtype=np.int64))
    err, r, _ = satrec_from_elements(s).sgp4_array(jd, fr)
    return r[0] if err[0] == 0 else np.full(3, np.nan)


def own_epoch_separation(a: ElementSet, b: ElementSet) -> float:
    """Distance between one set's position at its own epoch and the other set's
    prediction there, the smaller of the two ways round (km).  The fresher
    comparison is the one element-set accuracy bounds."""
    d = [float(np.linalg.norm(_position(x, x.epoch_us) - _position(y, x.epoch_us)))
         for x, y in ((a, b), (b, a))]
    return min(d)


def _plane_deg(a: ElementSet, b: ElementSet) -> float:
    from orbwatch.detect.proximity import plane_angle_deg

    return plane_angle_deg(a, b, max(a.epoch_us, b.epoch_us))


def station_links(sets: Sequence[ElementSet], names: dict[int, str | None], *,
                  plane_deg: float = 0.02, da_km: float = 3.0, de: float = 5e-4,
                  own_km: float = 2.0, own_km_per_day: float = 6.0) -> list[StackLink]:
    """Docked links between modules of one station among ``sets`` (one set per
    object; ``names`` maps catalogue numbers to catalogue names, the set's own
    name is used where missing).  See the module docstring for the tests."""
    groups: dict[str, list[ElementSet]] = {}
    for s in sets:
        st = station_of(names.get(s.norad) or s.name)
        if st:
            groups.setdefault(st, []).append(s)
    out = []
    for st, members in sorted(groups.items()):
        members.sort(key=lambda s: s.norad)
        for k, a in enumerate(members):
            for b in members[k + 1:]:
                link = _module_link(a, b, st, plane_deg, da_km, de, own_km, own_km_per_day)
                if link:
                    out.append(link)
    return out


def _module_link(a, b, station, plane_tol, da_tol, de_tol, own_km, own_km_per_day):
    da = b.semi_major_axis_km - a.semi_major_axis_km
    plane = _plane_deg(a, b)
    if plane > plane_tol or abs(da) > da_tol or abs(b.eccentricity - a.eccentricity) > de_tol:
        return None
    gap = abs(b.epoch_us - a.epoch_us) / _DAY_US
    own = own_epoch_separation(a, b)
    allowed = own_km + own_km_per_day * gap
    basis = f"modules of one station ({station}), same orbit at each set's own epoch"
    if own > allowed:  # a reboost between the sets: along-track drift from the change of a
        revs = gap * 0.5 * (a.mean_motion + b.mean_motion)
        allowed += 3 * math.pi * abs(da) * revs
        basis = (f"modules of one station ({station}); sets {gap:.2f} d apart with a "
                 f"{da:+.2f} km change of semi-major axis between them")
        if own > allowed:
            return None
    lo, hi = sorted((a.norad, b.norad))
    return StackLink(lo, hi, basis, station, round(own, 3), round(gap, 3), round(da, 3),
                     round(plane, 4), round(allowed, 1))


def stack_members(pairs: Sequence[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
    """Connected stacks of docked pairs: each member maps to all members."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    comps: dict[int, list[int]] = {}
    for x in list(parent):
        comps.setdefault(root(x), []).append(x)
    return {x: tuple(sorted(c)) for c in comps.values() for x in c}
