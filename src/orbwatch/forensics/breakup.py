"""When and where a breakup happened, from the element sets of its debris.

Method (see docs in :mod:`orbwatch.forensics.planes`):

1. one set per fragment (the newest); fragments whose inclination lies
   more than 6 robust deviations from the cloud's are rejected as
   mis-associated;
2. **plane epoch**: the fragments' planes, carried back with differential
   J2 precession (drag-aware), share one line at the breakup; the epoch of
   the tightest intersection over the look-back window is a coarse date;
3. **convergence epoch**: around it (at most 12 days), SGP4 positions of up
   to 200 fragments propagated back; the time of the smallest cloud (median
   distance to the median position) dates the event to seconds when the
   sets are fresh.  It is trusted when the cloud really converges
   (median distance under ``converge_km``); otherwise back-propagation
   over the sets' age is unreliable (drag) and the plane epoch is reported;
4. location: the cloud's median position (convergence) or the planes'
   common line at the fragments' radius (plane);
5. delta-v of each fragment in the parent's RTN frame (parent given, else
   the cloud's median velocity) and a classification heuristic
   (:func:`classify`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orbwatch.errors import UserError
from orbwatch.events import Event
from orbwatch.forensics.orbit import Elements, geodetic, rtn_basis, sgp4_states
from orbwatch.forensics.planes import convergence_epoch, plane_epoch, plane_point
from orbwatch.time import format_iso

__all__ = ["BreakupResult", "estimate_breakup", "classify", "latest_per_object"]

DAY_US = 86_400_000_000


def latest_per_object(sets) -> list:
    """The newest set of each catalogue number."""
    best: dict[int, object] = {}
    for s in sets:
        if s.norad not in best or s.epoch_us > best[s.norad].epoch_us:
            best[s.norad] = s
    return [best[k] for k in sorted(best)]


@dataclass(frozen=True)
class BreakupResult:
    """A dated and located breakup with its fragments' delta-v."""

    epoch_us: int
    sigma_s: float
    method: str  # "convergence" or "plane"
    why: str  # why the other method was not used
    lat_deg: float
    lon_deg: float
    alt_km: float
    location_sigma_km: float
    parent: int | None
    fragments: tuple[int, ...]
    rejected: dict  # reason -> [norad]
    plane: dict
    convergence: dict | None
    delta_v: dict
    classification: str
    impactor_direction_rtn: tuple | None
    evidence: tuple[str, ...]
    dv_rtn_kms: np.ndarray = field(repr=False, compare=False)
    curve_t_us: np.ndarray = field(repr=False, compare=False)
    curve: np.ndarray = field(repr=False, compare=False)
    curve_unit: str = "deg"

    def to_dict(self) -> dict:
        return self.to_event().to_dict() | {"method": self.method}

    def to_event(self) -> Event:
        objs = ((self.parent,) if self.parent is not None else ()) + self.fragments
        return Event(
            kind="breakup", objects=objs, epoch_us=self.epoch_us,
            start_us=self.epoch_us - int(self.sigma_s * 1e6),
            end_us=self.epoch_us + int(self.sigma_s * 1e6),
            metrics={"lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "alt_km": self.alt_km,
                     "fragments": len(self.fragments), **self.delta_v,
                     "classification": self.classification,
                     "impactor_direction_rtn": self.impactor_direction_rtn},
            uncertainty={"epoch_s": self.sigma_s, "location_km": self.location_sigma_km},
            confidence=0.9 if self.method == "convergence" else 0.5,
            evidence={"method": self.method, "why": self.why, "plane": self.plane,
                      "convergence": self.convergence, "rejected": self.rejected,
                      "classification": list(self.evidence)})


def classify(dv_rtn: np.ndarray, parent_known: bool) -> tuple[str, tuple | None, list[str]]:
    """Heuristic: with the parent known, the fragments' mean delta-v is the
    momentum an impactor left behind.  Insignificant (|mean / standard error| < 4,
    a chi-3 variable, p ~ 0.1% if isotropic): explosion.  Significant and
    mostly radial upward: interception
    by a rising (direct-ascent) vehicle; otherwise collision with an orbiting
    object, whose relative velocity is about the mean delta-v direction."""
    dv = dv_rtn[np.all(np.isfinite(dv_rtn), axis=1)]
    n = len(dv)
    if n < 5:
        return "undetermined", None, [f"only {n} fragments with a delta-v"]
    mean = np.mean(dv, axis=0)
    se = np.std(dv, axis=0, ddof=1) / np.sqrt(n)
    z = float(np.linalg.norm(mean / se))
    skew_t = float(np.mean(((dv[:, 1] - mean[1]) / (np.std(dv[:, 1]) + 1e-12)) ** 3))
    ev = [f"mean delta-v RTN {np.round(mean * 1000, 1).tolist()} m/s over {n} fragments, "
          f"{z:.1f} standard errors from zero", f"along-track skewness {skew_t:.2f}"]
    if not parent_known:
        ev.append("no parent orbit: delta-v relative to the cloud centre, whose mean is zero "
                  "by construction; explosion and collision cannot be told apart")
        return "undetermined", None, ev
    if z < 4:
        ev.append("momentum of the cloud matches the parent's: no impactor needed (explosion)")
        return "explosion", None, ev
    u = mean / np.linalg.norm(mean)
    if u[0] > 0.5:
        ev.append("net momentum mostly radial and upward: an impactor rising from below, "
                  "as a direct-ascent interceptor (interception)")
        return "interception", tuple(np.round(u, 3).tolist()), ev
    ev.append("net momentum mostly horizontal: an impactor in orbit (collision); its "
              "relative velocity is about the mean delta-v direction")
    return "collision", tuple(np.round(u, 3).tolist()), ev


def _history_ndot(all_sets, latest) -> np.ndarray:
    """dn/dt (rev/day^2) per object: from its first and last set when they
    span 200 days or more (the decay actually seen), else twice the TLE field."""
    first: dict[int, object] = {}
    for s in all_sets:
        if s.norad not in first or s.epoch_us < first[s.norad].epoch_us:
            first[s.norad] = s
    out = []
    for s in latest:
        f = first[s.norad]
        span = (s.epoch_us - f.epoch_us) / DAY_US
        out.append((s.mean_motion - f.mean_motion) / span if span >= 200
                   else 2 * s.mean_motion_dot)
    return np.array(out, float)


def _reject(el: Elements) -> tuple[np.ndarray, dict]:
    inc = np.degrees(el.i)
    med = np.median(inc)
    mad = 1.4826 * np.median(np.abs(inc - med)) + 0.01
    bad_inc = np.abs(inc - med) > 6 * mad
    a = el.a
    low = a * (1 - el.e) - 6378.135 < 90
    keep = ~bad_inc & ~low
    return keep, {"inclination_outlier": el.norad[bad_inc].tolist(),
                  "perigee_below_90km": el.norad[low & ~bad_inc].tolist()}


def estimate_breakup(fragment_sets, *, parent=None, lookback_days: float = 20 * 365.25,
                     window_us: tuple[int, int] | None = None, converge_km: float = 25.0,
                     max_fragments: int = 200) -> BreakupResult:
    """Estimate epoch, place, delta-v and kind of a breakup from its debris.

    ``fragment_sets``: element sets of the fragments (any number per
    object; the newest is used).  ``parent``: the parent's element set
    before the event, if known.  ``window_us`` bounds the search (default:
    ``lookback_days`` before the earliest fragment epoch up to it)."""
    sets = [s for s in latest_per_object(fragment_sets)
            if parent is None or s.norad != parent.norad]
    if len(sets) < 3:
        raise UserError(f"a breakup needs at least 3 fragments with element sets, got {len(sets)}")
    el_all = Elements.from_sets(sets, _history_ndot(fragment_sets, sets))
    keep, rejected = _reject(el_all)
    el = el_all.take(keep)
    used = [s for s, k in zip(sets, keep, strict=True) if k]
    hi = int(np.percentile(el.epoch_us, 2)) if window_us is None else int(window_us[1])
    lo = hi - int(lookback_days * DAY_US) if window_us is None else int(window_us[0])
    if parent is not None and window_us is None:
        lo = max(lo, parent.epoch_us - 60 * DAY_US)
    coarse = plane_epoch(el, lo, hi, metric="node")
    # the line metric resolves out-of-plane delta-v but degrades with drag over
    # long look-backs (measured on Fengyun-1C and Iridium 33): young clouds only
    pf = coarse if hi - coarse.epoch_us > 400 * DAY_US else plane_epoch(
        el, max(lo, coarse.epoch_us - 60 * DAY_US), min(hi, coarse.epoch_us + 60 * DAY_US))
    plane = {"node_epoch": format_iso(coarse.epoch_us, 0), "epoch": format_iso(pf.epoch_us, 0), "sigma_s": pf.sigma_s,
             "spread_deg": pf.spread_deg, "node_rate_spread_deg_day": pf.rate_spread_deg_day}
    # convergence around the plane epoch, at most 12 days, never after the sets
    half = min(max(4 * pf.sigma_s * 1e6, 2 * DAY_US), 6 * DAY_US)
    c_hi = min(hi, int(pf.epoch_us + half))
    c_lo = max(lo, c_hi - int(2 * half))
    order = np.argsort(el.epoch_us)[:max_fragments]
    conv = convergence_epoch([used[k] for k in order], c_lo, c_hi)
    convd = {"epoch": format_iso(conv.epoch_us, 3), "sigma_s": conv.sigma_s,
             "min_spread_km": conv.min_spread_km, "fragments": int(len(order)),
             "window": [format_iso(c_lo, 0), format_iso(c_hi, 0)]}
    age_days = (np.median(el.epoch_us) - pf.epoch_us) / DAY_US
    if conv.min_spread_km <= converge_km:
        method = "convergence"
        why = (f"the propagated cloud converges to {conv.min_spread_km:.1f} km, so positions "
               f"date the event; the plane epoch (+-{pf.sigma_s / 86400:.2f} d) is coarser")
        epoch, sigma = conv.epoch_us, conv.sigma_s
        pos = conv.centre_teme
        loc_sigma = conv.min_spread_km / np.sqrt(len(order))
        vel = conv.velocity_teme
        frag_norads = el.norad[order]
    else:
        method = "plane"
        why = (f"back-propagating {age_days:.0f}-day-old sets does not converge (closest cloud "
               f"{conv.min_spread_km:.0f} km): drag and SGP4 errors dominate; dated by orbit "
               f"planes instead")
        epoch, sigma = pf.epoch_us, pf.sigma_s
        pos, vel, _, rmad = plane_point(el, epoch, pf.inliers)
        loc_sigma = float(np.hypot(rmad, 0.465 * sigma))  # the Earth turns 0.465 km/s
        frag_norads = el.norad
    lat, lon, alt = geodetic(pos, epoch)
    if parent is not None and method == "plane":
        rp, vp = pos, plane_point(Elements.from_sets([parent]), epoch, direction=pos)[1][0]
        ref = "parent"
    elif parent is not None:
        rp, vp = sgp4_states([parent], [epoch])
        rp, vp = rp[0, 0], vp[0, 0]
        if not np.all(np.isfinite(vp)):
            raise UserError(f"parent {parent.norad} cannot be propagated to the breakup epoch")
        ref = "parent"
    else:
        rp, vp = pos, np.nanmedian(vel, axis=0)
        ref = "cloud median"
    dv = (vel - vp) @ rtn_basis(rp, vp).T
    mag = np.linalg.norm(dv, axis=1)
    kind, direction, evidence = classify(dv, parent is not None)
    delta_v = {"dv_reference": ref, "dv_median_kms": float(np.nanmedian(mag)),
               "dv_p90_kms": float(np.nanpercentile(mag, 90)),
               "dv_mean_rtn_kms": np.nanmean(dv, axis=0).round(5).tolist(),
               "dv_std_rtn_kms": np.nanstd(dv, axis=0).round(5).tolist(),
               "dv_out_of_plane_std_kms": float(np.nanstd(dv[:, 2]))}
    if method == "plane":
        evidence.append("delta-v from mean elements of old sets (drag-aged semi-major axes): "
                        "indicative only")
    curve_t, curve, unit = ((conv.curve_t_us, conv.curve_km, "km") if method == "convergence"
                            else (pf.curve_t_us, pf.curve_deg, "deg"))
    return BreakupResult(
        epoch_us=int(epoch), sigma_s=float(sigma), method=method, why=why, lat_deg=lat,
        lon_deg=lon, alt_km=alt, location_sigma_km=float(loc_sigma),
        parent=None if parent is None else int(parent.norad),
        fragments=tuple(int(x) for x in frag_norads), rejected=rejected, plane=plane,
        convergence=convd, delta_v=delta_v, classification=kind,
        impactor_direction_rtn=direction, evidence=tuple(evidence), dv_rtn_kms=dv,
        curve_t_us=curve_t, curve=curve, curve_unit=unit)
