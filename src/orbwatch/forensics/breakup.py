"""When and where a breakup happened, from the element sets of its debris.

Method (see docs in :mod:`orbwatch.forensics.planes`):

1. one set per fragment (the oldest: nearest the event; with a history
   of 200+ days the node rate is measured); fragments whose inclination lies
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

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from orbwatch.errors import UserError
from orbwatch.events import Event
from orbwatch.forensics.orbit import (
    Elements,
    geodetic,
    raan_at,
    rtn_basis,
    secular_rates,
    sgp4_states,
    wrap_pi,
)
from orbwatch.forensics.planes import (
    convergence_epoch,
    plane_epoch,
    plane_interval,
    plane_point,
)
from orbwatch.forensics.track import DragFit, area_to_mass, track_back
from orbwatch.time import format_iso

__all__ = ["BreakupResult", "estimate_breakup", "select_cloud", "classify",
           "latest_per_object", "earliest_per_object"]

DAY_US = 86_400_000_000


def select_cloud(sets, *, intdes: str | None = None, norads=None,
                 parent: int | None = None) -> tuple[list, object]:
    """The fragments of a breakup among ``sets`` (the pieces of launch
    ``intdes``, YYYY-NNN, or the catalogue numbers ``norads``; exactly one of
    the two) and the parent's set before the event (its oldest), if ``parent``
    is given.  Nothing found is a :class:`~orbwatch.errors.UserError`."""
    if (intdes is None) == (norads is None):
        raise UserError("give the launch (intdes YYYY-NNN) or the fragments' catalogue "
                        "numbers, one of the two")
    if intdes is not None:
        frags = [s for s in sets if s.intldes and s.intldes.startswith(intdes)]
    else:
        wanted = {int(n) for n in norads}
        frags = [s for s in sets if s.norad in wanted]
    if not frags:
        raise UserError(f"no fragments of {intdes or sorted(norads)} in the catalogue")
    par = None
    if parent is not None:
        ps = [s for s in sets if s.norad == parent]
        if not ps:
            raise UserError(f"parent {parent} has no element sets")
        par = min(ps, key=lambda s: s.epoch_us)
    return frags, par


def latest_per_object(sets) -> list:
    """The newest set of each catalogue number."""
    best: dict[int, object] = {}
    for s in sets:
        if s.norad not in best or s.epoch_us > best[s.norad].epoch_us:
            best[s.norad] = s
    return [best[k] for k in sorted(best)]


def earliest_per_object(sets) -> list:
    """The oldest set of each catalogue number (the nearest to the event)."""
    best: dict[int, object] = {}
    for s in sets:
        if s.norad not in best or s.epoch_us < best[s.norad].epoch_us:
            best[s.norad] = s
    return [best[k] for k in sorted(best)]


@dataclass(frozen=True)
class BreakupResult:
    """A dated and located breakup with its fragments' delta-v."""

    epoch_us: int
    sigma_s: float  # half-width of ``epoch_interval_us`` (= ``epoch_sigma_s``)
    epoch_interval_us: tuple[int, int]  # 68% interval (plane: bootstrap + drag + model floor)
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

    @property
    def epoch_sigma_s(self) -> float:
        return self.sigma_s

    def to_dict(self) -> dict:
        return self.to_event().to_dict() | {"method": self.method}

    def to_event(self) -> Event:
        objs = ((self.parent,) if self.parent is not None else ()) + self.fragments
        return Event(
            kind="breakup", objects=objs, epoch_us=self.epoch_us,
            start_us=int(self.epoch_interval_us[0]), end_us=int(self.epoch_interval_us[1]),
            metrics={"lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "alt_km": self.alt_km,
                     "fragments": len(self.fragments), **self.delta_v,
                     "classification": self.classification,
                     "impactor_direction_rtn": self.impactor_direction_rtn},
            uncertainty={"epoch_s": self.sigma_s, "location_km": self.location_sigma_km},
            confidence=0.9 if self.method == "convergence" else 0.5,
            evidence={"method": self.method, "why": self.why, "plane": self.plane,
                      "convergence": self.convergence, "rejected": self.rejected,
                      "classification": list(self.evidence)})



#: fragments whose delta-v magnitude lies beyond median + this many scaled
#: MADs are left out of the momentum test
OUTLIER_MADS = 8.0


def robust_inliers(dv: np.ndarray) -> np.ndarray:
    """Mask of delta-v rows whose magnitude is within median + OUTLIER_MADS
    scaled MADs (a mis-fitted piece shows as km/s among tens of m/s)."""
    mag = np.linalg.norm(dv, axis=1)
    med = float(np.median(mag))
    scale = 1.4826 * float(np.median(np.abs(mag - med))) or max(med, 1e-6)
    return mag <= med + OUTLIER_MADS * scale


def classify(dv_rtn: np.ndarray, parent_known: bool) -> tuple[str, tuple | None, list[str]]:
    """Heuristic: with the parent known, the fragments' mean delta-v is the
    momentum an impactor left behind.  Insignificant (|mean / standard error| < 4,
    a chi-3 variable, p ~ 0.1% if isotropic): explosion.  Significant and
    mostly radial upward (more than 44 deg above the horizontal): interception;
    below 20 deg: collision; between them: undetermined.  Fragments with an
    implausible delta-v (:func:`robust_inliers`) are left out of the mean.
    by a rising (direct-ascent) vehicle; otherwise collision with an orbiting
    object, whose relative velocity is about the mean delta-v direction."""
    dv = dv_rtn[np.all(np.isfinite(dv_rtn), axis=1)]
    n_all = len(dv)
    if n_all >= 5:
        # one mis-fitted or mis-associated piece at km/s would carry the mean
        keep = robust_inliers(dv)
        dv = dv[keep]
    n = len(dv)
    if n < 5:
        return "undetermined", None, [f"only {n} fragments with a delta-v"]
    mean = np.mean(dv, axis=0)
    se = np.std(dv, axis=0, ddof=1) / np.sqrt(n)
    z = float(np.linalg.norm(mean / se))
    skew_t = float(np.mean(((dv[:, 1] - mean[1]) / (np.std(dv[:, 1]) + 1e-12)) ** 3))
    ev = [f"mean delta-v RTN {np.round(mean * 1000, 1).tolist()} m/s over {n} fragments, "
          f"{z:.1f} standard errors from zero", f"along-track skewness {skew_t:.2f}"]
    if n < n_all:
        ev.append(f"{n_all - n} fragment(s) with an implausible delta-v left out of the mean "
                  f"(beyond {OUTLIER_MADS:g} MADs of the magnitudes)")
    if not parent_known:
        ev.append("no parent orbit: delta-v relative to the cloud centre, whose mean is zero "
                  "by construction; explosion and collision cannot be told apart")
        return "undetermined", None, ev
    if z < 4:
        ev.append("momentum of the cloud matches the parent's: no impactor needed (explosion)")
        return "explosion", None, ev
    u = mean / np.linalg.norm(mean)
    if 0.35 < u[0] <= 0.7:
        ev.append(f"net momentum {np.degrees(np.arcsin(min(u[0], 1.0))):.0f} deg above the "
                  "horizontal: between an orbiting impactor (collision, below 20 deg) and one "
                  "rising from below (interception, above 44 deg): too close to call")
        return "undetermined", tuple(np.round(u, 3).tolist()), ev
    if u[0] > 0.7:
        ev.append("net momentum mostly radial and upward: an impactor rising from below, "
                  "as a direct-ascent interceptor (interception)")
        return "interception", tuple(np.round(u, 3).tolist()), ev
    ev.append("net momentum mostly horizontal: an impactor in orbit (collision); its "
              "relative velocity is about the mean delta-v direction")
    return "collision", tuple(np.round(u, 3).tolist()), ev


def _history(all_sets, used) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per object of ``used`` (its earliest set): dn/dt (rad/s^2 as in
    :class:`Elements`), whether it was measured, and the measured node rate
    at the set's epoch (rad/s, NaN when not measured).

    When an object's sets span 200 days or more (two snapshots of the same
    cloud), the node rate is the modelled rate (J2, drag-aware with the
    decay seen between the snapshots) scaled by the ratio of the node change
    actually seen to the modelled one: the model's shape with the data's
    speed.  The decay used to carry the node *back* stays twice the TLE
    ndot field of the earliest set: the decay seen between the 2021 and 2025
    snapshots (solar maximum) is 4-7 times the 2021 field for Fengyun-1C and
    Cosmos 2251, and extrapolated over 14 years it destroys the clock
    (measured: node spread at the truth 41 -> 69 deg for Fengyun-1C)."""
    last: dict[int, object] = {}
    for s in all_sets:
        if s.norad not in last or s.epoch_us > last[s.norad].epoch_us:
            last[s.norad] = s
    el = Elements.from_sets(used)
    ends = [last[s.norad] for s in used]
    span = np.array([(e.epoch_us - s.epoch_us) / 1e6 for s, e in zip(used, ends, strict=True)])
    measured = span >= 200 * 86400
    dn = np.array([(e.mean_motion - s.mean_motion) for s, e in zip(used, ends, strict=True)])
    ndot = np.where(measured, dn * (2 * np.pi / 86400) / np.where(measured, span, 1.0), el.ndot)
    field = el.ndot
    el = dataclasses.replace(el, ndot=ndot)
    rate = np.full(len(used), np.nan)
    if measured.any():
        t_end = np.array([e.epoch_us for e in ends], float)
        pred = np.array([raan_at(el.take([k]), t_end[k])[0] for k in np.flatnonzero(measured)])
        model = pred - el.raan[measured]
        seen = model + wrap_pi(np.radians([ends[k].raan for k in np.flatnonzero(measured)])
                               - pred)
        rate0, _ = secular_rates(el.n, el.e, el.i)
        ok = np.abs(model) > 1e-6
        rate[np.flatnonzero(measured)[ok]] = (rate0[measured] * seen / np.where(ok, model, 1))[ok]
    return field, measured, rate


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


#: relative uncertainty of the density before the fragments' first sets
#: against the stretch their A/m was fitted on (NRLMSIS's bias changes with
#: solar activity and altitude; a bias common to both stretches cancels)
DENSITY_SPREAD = 0.2
#: factor on A/m of one-set clouds: one epoch's decay (its day's space
#: weather) stands for years.  An assumption (debris.ballistic: single sets
#: give 0.45..1.6x the decay), not fitted to the event dates
AM_ONE_SET = 1.5
#: two-set clouds: only fragments with a measured A/m when at least this many
MIN_MEASURED = 30
#: at most this many fragments are carried back (evenly spaced in catalogue
#: number): the clock's bootstrap shows what the rest would add
MAX_TRACKED = 800


def _drag_clock(fragment_sets, el: Elements, lo: int, hi: int, third_body: bool = True):
    """The plane clock on drag-integrated tracks (:mod:`orbwatch.forensics.track`):
    fragments (with tracks), the plane fit, its metric, its interval and a
    description of the model."""
    last: dict[int, object] = {}
    for s in fragment_sets:
        if s.norad not in last or s.epoch_us > last[s.norad].epoch_us:
            last[s.norad] = s
    first = dataclasses.replace(el, ndot=el.ndot, raan_rate=None)
    fit = area_to_mass(first, Elements.from_sets([last[int(k)] for k in el.norad]))
    n_meas = int(fit.measured.sum())
    if n_meas >= MIN_MEASURED:
        first = first.take(fit.measured)
        fit = DragFit(*(getattr(fit, f.name)[fit.measured]
                        for f in dataclasses.fields(DragFit)))
    if len(first) > MAX_TRACKED:
        pick = np.linspace(0, len(first) - 1, MAX_TRACKED).round().astype(int)
        first = first.take(pick)
        fit = DragFit(*(getattr(fit, f.name)[pick] for f in dataclasses.fields(DragFit)))
    start = lo - 30 * DAY_US

    def tracked(**kw):
        return dataclasses.replace(first, track=track_back(first, fit.am, start,
                                                           third_body=third_body, **kw))

    base = tracked()
    coarse, metric, p_lo, p_hi, pf = _plane_fits(base, lo, hi)
    variants = {f"density before the first sets x(1-+{DENSITY_SPREAD:g})":
                [tracked(rho_scale=1 - DENSITY_SPREAD), tracked(rho_scale=1 + DENSITY_SPREAD)]}
    if n_meas < MIN_MEASURED:
        variants[f"one-set A/m x/{AM_ONE_SET:g}"] = [tracked(am_scale=1 / AM_ONE_SET),
                                                    tracked(am_scale=AM_ONE_SET)]
    iv = plane_interval(base, pf.epoch_us, p_lo, p_hi, ref_us=float(np.median(first.epoch_us)),
                        metric=metric, variants=variants)
    model = {"node_epoch": format_iso(coarse.epoch_us, 0),
             "drag": ("a, e carried back under King-Hele drag in NRLMSIS 2.1 (NOAA monthly "
                      "F10.7) with SGP4's secular J2/J4 rates"
                      + (", luni-solar inclination and node" if third_body else "")
                      + f"; A/m measured between two "
                      f"sets for {n_meas} of {len(el)} fragments"
                      + (" (only those used)" if n_meas >= MIN_MEASURED else
                         ", from one set's decay (ndot, else B*) for the rest")),
             "am_median_m2_kg": float(np.nanmedian(fit.am))}
    return base, pf, metric, iv, model



def _plane_fits(el, lo: int, hi: int):
    """The node-metric epoch over ``[lo, hi]`` and, for clouds younger than 400
    days, the finer intersection-line epoch within 60 days of it: the line
    metric resolves out-of-plane delta-v but degrades with drag over long
    look-backs (measured on Fengyun-1C and Iridium 33).  Returns
    ``(coarse, metric, lo, hi, fit)`` of the fit used."""
    coarse = plane_epoch(el, lo, hi, metric="node")
    if hi - coarse.epoch_us > 400 * DAY_US:
        return coarse, "node", lo, hi, coarse
    p_lo = max(lo, coarse.epoch_us - 60 * DAY_US)
    p_hi = min(hi, coarse.epoch_us + 60 * DAY_US)
    return coarse, "line", p_lo, p_hi, plane_epoch(el, p_lo, p_hi)


def estimate_breakup(fragment_sets, *, parent=None, lookback_days: float = 20 * 365.25,
                     window_us: tuple[int, int] | None = None, converge_km: float = 25.0,
                     max_fragments: int = 200, third_body: bool = True) -> BreakupResult:
    """Estimate epoch, place, delta-v and kind of a breakup from its debris.

    ``fragment_sets``: element sets of the fragments (any number per
    object; the newest is used).  ``parent``: the parent's element set
    before the event, if known.  ``window_us`` bounds the search (default:
    ``lookback_days`` before the earliest fragment epoch up to it).
    ``third_body``: old clouds are carried back with the Sun's and Moon's
    pull on the inclination (real sets); off for sets made by SGP4 alone
    (synthetic clouds), which has no such terms."""
    sets = [s for s in earliest_per_object(fragment_sets)
            if parent is None or s.norad != parent.norad]
    if len(sets) < 3:
        raise UserError(f"a breakup needs at least 3 fragments with element sets, got {len(sets)}")
    ndot, measured, rate = _history(fragment_sets, sets)
    el_all = dataclasses.replace(Elements.from_sets(sets), ndot=ndot, raan_rate=rate)
    ndot_src = (f"node rate measured from each object's history (>= 200 days) for "
                f"{int(measured.sum())} of {len(sets)} objects, J2 rate for the rest; decay "
                "from the TLE ndot field")
    keep, rejected = _reject(el_all)
    el = el_all.take(keep)
    used = [s for s, k in zip(sets, keep, strict=True) if k]
    hi = int(np.percentile(el.epoch_us, 2)) if window_us is None else int(window_us[1])
    lo = hi - int(lookback_days * DAY_US) if window_us is None else int(window_us[0])
    if parent is not None and window_us is None:
        lo = max(lo, parent.epoch_us - 60 * DAY_US)
    coarse, metric, p_lo, p_hi, pf = _plane_fits(el, lo, hi)
    plane = {"node_epoch": format_iso(coarse.epoch_us, 0), "epoch": format_iso(pf.epoch_us, 0),
             "metric": metric, "grid_sigma_s": pf.sigma_s, "spread_deg": pf.spread_deg,
             "node_rate_spread_deg_day": pf.rate_spread_deg_day, "ndot": ndot_src}
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
        interval = (int(epoch - sigma * 1e6), int(epoch + sigma * 1e6))
        pos = conv.centre_teme
        loc_sigma = conv.min_spread_km / np.sqrt(len(order))
        vel = conv.velocity_teme
        frag_norads = el.norad[order]
    else:
        method = "plane"
        why = (f"back-propagating {age_days:.0f}-day-old sets does not converge (closest cloud "
               f"{conv.min_spread_km:.0f} km): drag and SGP4 errors dominate; dated by orbit "
               f"planes instead")
        # drag-aware: each fragment's a, e carried back with its own A/m
        el, pf, metric, iv, model = _drag_clock(fragment_sets, el, lo, hi, third_body)
        plane.pop("ndot")
        plane.update(model)
        plane.update({"epoch": format_iso(pf.epoch_us, 0), "metric": metric,
                      "spread_deg": pf.spread_deg, "grid_sigma_s": pf.sigma_s,
                      "node_rate_spread_deg_day": pf.rate_spread_deg_day})
        epoch, sigma, interval = pf.epoch_us, iv.sigma_s, iv.interval_us
        plane["uncertainty"] = iv.as_dict()
        why += f"; 68% interval from {iv.terms}"
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
    ok = np.all(np.isfinite(dv), axis=1)
    core = dv[ok][robust_inliers(dv[ok])] if ok.sum() >= 5 else dv[ok]
    delta_v = {"dv_reference": ref, "dv_median_kms": float(np.nanmedian(mag)),
               "dv_p90_kms": float(np.nanpercentile(mag, 90)),
               "dv_mean_rtn_kms": np.mean(core, axis=0).round(5).tolist(),
               "dv_std_rtn_kms": np.std(core, axis=0).round(5).tolist(),
               "dv_out_of_plane_std_kms": float(np.std(core[:, 2])),
               "dv_outliers": int(ok.sum() - len(core))}
    if method == "plane":
        # drag has aged the fragments' semi-major axes by their A/m, which biases
        # the mean along-track delta-v: the momentum test cannot be trusted
        evidence.append(f"delta-v from mean elements of old sets (drag-aged semi-major axes) "
                        f"would read {kind}: not trusted, so undetermined")
        kind, direction = "undetermined", None
    curve_t, curve, unit = ((conv.curve_t_us, conv.curve_km, "km") if method == "convergence"
                            else (pf.curve_t_us, pf.curve_deg, "deg"))
    return BreakupResult(
        epoch_us=int(epoch), sigma_s=float(sigma), epoch_interval_us=interval, method=method, why=why, lat_deg=lat,
        lon_deg=lon, alt_km=alt, location_sigma_km=float(loc_sigma),
        parent=None if parent is None else int(parent.norad),
        fragments=tuple(int(x) for x in frag_norads), rejected=rejected, plane=plane,
        convergence=convd, delta_v=delta_v, classification=kind,
        impactor_direction_rtn=direction, evidence=tuple(evidence), dv_rtn_kms=dv,
        curve_t_us=curve_t, curve=curve, curve_unit=unit)
