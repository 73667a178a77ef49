"""Where a new object came from: its parent, and when, where and how hard
it was released.

Candidates: objects of the same launch (international designator
year-number) first, then every catalogued object whose orbit is similar
(inclination, semi-major axis, eccentricity).  For each of the best ones:

* **closest approach** (fresh sets): both propagated back with SGP4 over
  ``search_days`` before the child's first set; the minimum distance dates
  the separation, the relative velocity there is the delta-v.  Trusted when
  the minimum is small for the sets' age (``1 km + 0.5 km/day``, at most
  60 days back): SGP4 errors grow with age and over months back-propagation
  cannot find the meeting point.
* **plane convergence** (old sets): the node difference drifts under
  differential J2 precession (drag-aware); extrapolated back to zero it
  dates the separation.  Its uncertainty is the inclination difference (the
  out-of-plane part of the delta-v, which makes the nodes differ at
  separation too) over the differential node rate; it is degenerate when
  inclinations and mean motions are nearly identical.  Its 68% interval adds
  in quadrature that term, the mean-element node noise (0.01 deg per set), a
  drag term (the epoch re-estimated with both decay rates at 0 and twice
  the TLE field) and the model floor of :data:`~orbwatch.forensics.planes.MODEL_FLOOR`
  times the look-back.  The clock assumes both orbits unchanged since the
  separation: when the sets are fresh enough for back-propagation (the
  plane epoch inside the search window) and yet the objects never meet,
  one of them manoeuvred (or the parent is wrong) and the result says the
  method cannot date the separation (``dateable`` False; the interval is
  only bounded above, by the child's first set).
* **revolution count** (:mod:`~orbwatch.forensics.revclock`): the catalogue
  starts a released object's revolution counter at its separation, so the
  count over the mean motion dates it whatever either object did since.
  Used where the geometric clocks cannot date the separation or date it more
  coarsely (and, against a dated node clock, when the two agree or the node
  date is impossibly late); a count inherited from the parent (it dates the
  launch) is refused, and a candidate whose own count starts after the
  child's is excluded as a parent.  Measured: Cosmos 2543 (released
  2019-12-06, Cosmos 2542 then manoeuvred): closest pass 107 km, node clock
  2019-12-15 flagged unusable, revolution count 2019-12-06 07:13; its
  projectile 45915 (released 2020-07-15) from sets of 2022 and 2023:
  2020-07-15 22:48 and 2020-07-14 19:55.

The best candidate is a same-launch one when any can be dated (the
catalogue gave the child its parent's designator); a chance close pass of
unrelated debris in a dense band does not outrank it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from orbwatch.errors import UserError
from orbwatch.events import Event
from orbwatch.forensics.orbit import (
    Elements,
    geodetic,
    raan_at,
    rtn_basis,
    same_launch,
    sgp4_states,
    wrap_pi,
)
from orbwatch.forensics.planes import MODEL_FLOOR
from orbwatch.forensics.revclock import release_clock
from orbwatch.propagate.history import nearest_sets
from orbwatch.screen.reference import pair_minimum
from orbwatch.time import format_iso

__all__ = ["Separation", "OriginResult", "find_origin", "rank_candidates"]

DAY_US = 86_400_000_000
NODE_NOISE_DEG = 0.01  # mean-element node noise of one set (deg)


@dataclass(frozen=True)
class Separation:
    """One candidate parent and the separation estimated from it."""

    parent: int
    name: str | None
    same_launch: bool
    similarity: float  # smaller is more similar
    method: str | None  # "closest_approach", "plane_convergence", "revolution_count" or None
    why: str
    epoch_us: int | None = None
    sigma_s: float | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_km: float | None = None
    dv_rtn_kms: tuple | None = None
    dv_kms: float | None = None
    min_distance_km: float | None = None
    plane_epoch_us: int | None = None
    plane_sigma_s: float | None = None
    epoch_interval_us: tuple | None = None  # (lo or None, hi), 68%
    dateable: bool = True

    @property
    def epoch_sigma_s(self) -> float | None:
        return self.sigma_s

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("epoch_us", "plane_epoch_us"):
            v = d.pop(k)
            d[k.replace("_us", "")] = None if v is None else format_iso(v, 0)
        iv = d.pop("epoch_interval_us")
        d["epoch_interval"] = None if iv is None else [
            None if x is None else format_iso(x, 0) for x in iv]
        return d


@dataclass(frozen=True)
class OriginResult:
    child: int
    best: Separation | None
    candidates: tuple[Separation, ...]

    def to_event(self) -> Event:
        b = self.best
        if b is None or b.epoch_us is None:
            raise UserError(f"no parent found for {self.child}")
        sig = int((b.sigma_s or 0) * 1e6)
        lo, hi = b.epoch_interval_us or (b.epoch_us - sig, b.epoch_us + sig)
        return Event(kind="release", objects=(b.parent, self.child), epoch_us=b.epoch_us,
                     start_us=lo, end_us=hi,
                     metrics={"lat_deg": b.lat_deg, "lon_deg": b.lon_deg, "alt_km": b.alt_km,
                              "dv_kms": b.dv_kms, "dv_rtn_kms": b.dv_rtn_kms,
                              "min_distance_km": b.min_distance_km},
                     uncertainty={"epoch_s": b.sigma_s},
                     confidence=(0.9 if b.method == "closest_approach" else
                                 0.6 if b.method == "revolution_count" else
                                 0.5 if b.dateable else 0.2),
                     evidence={"method": b.method, "why": b.why, "same_launch": b.same_launch,
                               "dateable": b.dateable,
                               "candidates": [c.to_dict() for c in self.candidates]})

    def to_dict(self) -> dict:
        if self.best is None or self.best.epoch_us is None:
            return {"child": self.child, "parent": None,
                    "candidates": [c.to_dict() for c in self.candidates]}
        return self.to_event().to_dict()


def rank_candidates(child, catalog_sets, *, candidates=None, max_score: float = 3.0):
    """Candidate parents of ``child`` as (set, same_launch, score), same launch
    first, then by orbit similarity; ``candidates`` restricts the numbers."""
    pool = [s for s in nearest_sets(catalog_sets, child.epoch_us) if s.norad != child.norad
            and (not candidates or s.norad in candidates)]
    if not pool:
        return []
    el = Elements.from_sets(pool)
    score = np.sqrt((np.degrees(el.i) - child.inclination) ** 2 +
                    ((el.a - child.semi_major_axis_km) / 100.0) ** 2 +
                    ((el.e - child.eccentricity) / 0.02) ** 2)
    same = np.array([same_launch(s.intldes, child.intldes) for s in pool])
    ok = same | (score < max_score) | bool(candidates)
    order = sorted(np.flatnonzero(ok), key=lambda k: (not same[k], score[k]))
    return [(pool[k], bool(same[k]), float(score[k])) for k in order]


def _closest(child, parent, search_days: float, step_s: float = 30.0):
    hi = min(child.epoch_us, parent.epoch_us)
    lo = hi - int(search_days * DAY_US)
    t = np.arange(lo, hi + 1, int(step_s * 1e6), dtype=np.int64)
    r, _ = sgp4_states([parent, child], t)
    d = np.linalg.norm(r[1] - r[0], axis=-1)
    if not np.any(np.isfinite(d)):
        return None
    k = int(np.nanargmin(d))
    ts, dmin, _ = pair_minimum(parent.satrec(), child.satrec(), int(t[k]), -step_s, step_s)
    t0 = int(t[k] + ts * 1e6)
    age = (child.epoch_us - t0) / DAY_US
    tol = 1.0 + 0.5 * age
    # other orbit-periodic minima as close, within the sets' accuracy, bound the epoch
    loc = np.flatnonzero((d[1:-1] <= d[:-2]) & (d[1:-1] <= d[2:]) & (d[1:-1] <= dmin + tol)) + 1
    span = (t[loc].min(), t[loc].max()) if loc.size else (t0, t0)
    sigma = max(abs(span[1] - t0), abs(t0 - span[0])) / 1e6 + step_s
    rr, vv = sgp4_states([parent, child], [t0])
    dv = rtn_basis(rr[0, 0], vv[0, 0]) @ (vv[1, 0] - vv[0, 0])
    return t0, sigma, dmin, age, tol, rr[0, 0], dv


def _plane_t0(el: Elements, t_ref: float):
    node = raan_at(el, t_ref)
    rate = (raan_at(el, t_ref + DAY_US) - node) / 86400.0
    dnode, drate = float(wrap_pi(node[1] - node[0])), float(rate[1] - rate[0])
    if abs(drate) < 1e-15:
        return None, drate
    return t_ref - dnode / drate * 1e6, drate


def _plane(child, parent):
    """Node-convergence epoch, its 68% half-width (s) and the terms."""
    el = Elements.from_sets([parent, child])
    t_ref = float(max(child.epoch_us, parent.epoch_us))
    t0, drate = _plane_t0(el, t_ref)
    if t0 is None:
        return None, np.inf, "parallel node rates"
    incl = abs(child.inclination - parent.inclination) * np.pi / 180 / abs(drate)
    node = np.sqrt(2) * np.radians(NODE_NOISE_DEG) / abs(drate)
    shifts = [abs((_plane_t0(dataclasses.replace(el, ndot=el.ndot * sc), t_ref)[0] or t0)
                  - t0) / 1e6 for sc in (0.0, 2.0)]
    floor = MODEL_FLOOR * max(t_ref - t0, 0.0) / 1e6
    sig = float(np.sqrt(incl ** 2 + node ** 2 + max(shifts) ** 2 + floor ** 2))
    terms = (f"inclination difference {incl / 86400:.2f} d, node noise {node / 86400:.2f} d, "
             f"drag {max(shifts) / 86400:.2f} d, model floor {floor / 86400:.2f} d")
    return int(t0), sig, terms



def _with_rev_clock(sep: Separation, child, parent) -> Separation:
    """Where the geometric clocks cannot date the separation, or date it only
    coarsely, the revolution-count clock (:mod:`orbwatch.forensics.revclock`)
    may: it is used when it is dateable and, against a dated node clock,
    inside that clock's 95% interval (else both are reported, the node clock kept)."""
    rc = release_clock(child, parent)
    if rc is None:
        return dataclasses.replace(sep, why=sep.why + "; the child's sets carry no "
                                   "revolution count to date it otherwise" if not sep.dateable
                                   else sep.why)
    rc_text = f"revolution-count clock {format_iso(rc.start_us, 0)}: {rc.why}"
    if rc.parent_younger:
        return dataclasses.replace(sep, method=None, epoch_us=None, sigma_s=None,
                                   epoch_interval_us=None, dateable=False,
                                   why=f"excluded: {rc.why} (geometry: {sep.why})")
    if not rc.dateable:
        return dataclasses.replace(sep, why=f"{sep.why}; {rc_text}")
    half = (rc.interval_us[1] - rc.interval_us[0]) / 2e6
    if sep.method == "plane_convergence" and sep.dateable and sep.sigma_s is not None:
        if sep.epoch_us < rc.interval_us[0] - 2 * sep.sigma_s * 1e6:
            # a counter can start late (at first tracking), so an earlier node date stands
            return dataclasses.replace(sep, why=f"{sep.why}; the {rc_text} is later, as "
                                       "when the count started at first tracking")
        if sep.epoch_us > rc.interval_us[1] + 2 * sep.sigma_s * 1e6:
            # a count cannot start before the object exists: the node clock is broken
            rc_text += (f"; the node clock's later date ({format_iso(sep.epoch_us, 0)[:10]}) "
                        "cannot be: an orbit changed after the separation (manoeuvre)")
        elif half >= sep.sigma_s:
            return dataclasses.replace(sep, why=f"{sep.why}; agrees with the {rc_text}")
    prev = (f"{sep.method.replace('_', ' ')}: {sep.why}" if sep.method else sep.why)
    return dataclasses.replace(
        sep, method="revolution_count", epoch_us=rc.start_us, sigma_s=half,
        epoch_interval_us=rc.interval_us, dateable=True,
        why=f"dated by the {rc_text}. Geometry ({prev})")


def find_origin(child_sets, catalog_sets, *, candidates=None, search_days: float = 30.0,
                max_candidates: int = 5) -> OriginResult:
    """Rank candidate parents of the child and date its separation."""
    child_sets = list(child_sets)
    if not child_sets:
        raise UserError("no element sets for the child object")
    child = min(child_sets, key=lambda s: s.epoch_us)
    ranked = rank_candidates(child, catalog_sets, candidates=candidates)
    if not ranked:
        raise UserError(f"no candidate parent for {child.norad} in the catalogue")
    out = []
    for parent, same, score in ranked[:max_candidates]:
        base = {"parent": parent.norad, "name": parent.name, "same_launch": same,
                "similarity": round(score, 3)}
        p_t0, p_sig, p_terms = _plane(child, parent)
        ca = _closest(child, parent, search_days)
        plane_ok = p_t0 is not None and p_sig < 180 * 86400 and p_t0 <= child.epoch_us
        if ca is not None and ca[2] <= 10.0 + ca[4] and ca[3] <= 60:
            t0, sig, dmin, age, tol, rp, dv = ca
            lat, lon, alt = geodetic(rp, t0)
            why = (f"closest approach {dmin:.2f} km {age:.1f} days before the child's first set "
                   f"(accuracy {tol:.1f} km): positions date it; plane convergence "
                   + ("gives " + format_iso(p_t0, 0)[:10] + f" +-{p_sig / 86400:.0f} d, coarser"
                      if plane_ok else "is degenerate (nearly identical planes and rates)"))
            out.append(Separation(**base, method="closest_approach", why=why, epoch_us=t0,
                                  sigma_s=sig, epoch_interval_us=(int(t0 - sig * 1e6),
                                                                  int(t0 + sig * 1e6)), lat_deg=lat, lon_deg=lon, alt_km=alt,
                                  dv_rtn_kms=tuple(np.round(dv, 6).tolist()),
                                  dv_kms=float(np.linalg.norm(dv)), min_distance_km=dmin,
                                  plane_epoch_us=p_t0, plane_sigma_s=p_sig if plane_ok else None))
        elif plane_ok:
            hi = min(child.epoch_us, parent.epoch_us)
            fresh = ca is not None and p_t0 >= hi - search_days * DAY_US \
                and hi - p_t0 <= 60 * DAY_US
            why = ("back-propagation does not meet ("
                   + (f"closest {ca[2]:.0f} km" if ca else "SGP4 failed") +
                   f" within {search_days:g} days): ")
            if fresh:
                why += (f"the node clock ({format_iso(p_t0, 0)[:10]}) puts the separation inside "
                        "that window, where fresh sets should meet: an orbit changed since "
                        "(manoeuvre) or the parent is wrong, and the node clock, which assumes "
                        "both orbits unchanged, cannot date it")
                iv, sig = (None, int(child.epoch_us)), None
            else:
                why += f"dated by node convergence; 68% interval from {p_terms}"
                iv = (int(p_t0 - p_sig * 1e6), int(min(p_t0 + p_sig * 1e6, child.epoch_us)))
                sig = p_sig
            sep = Separation(**base, method="plane_convergence", why=why, epoch_us=p_t0,
                             sigma_s=sig, min_distance_km=None if ca is None else ca[2],
                             plane_epoch_us=p_t0, plane_sigma_s=p_sig,
                             epoch_interval_us=iv, dateable=not fresh)
            out.append(_with_rev_clock(sep, child, parent))
        else:
            sep = Separation(**base, method=None, why="no meeting within the search window "
                             "and node convergence degenerate or in the future",
                             min_distance_km=None if ca is None else ca[2])
            out.append(_with_rev_clock(sep, child, parent))
    dated = [c for c in out if c.method]
    # same launch first (the catalogue gave the child its parent's designator),
    # then closest approach, dateable, the closest back-propagated pass
    best = min(dated, key=lambda c: (not c.same_launch, c.method != "closest_approach",
                                     not c.dateable,
                                     np.inf if c.min_distance_km is None
                                     else c.min_distance_km)) if dated else None
    return OriginResult(child=child.norad, best=best, candidates=tuple(out))
