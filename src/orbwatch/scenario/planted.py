"""Planted behaviour: true trajectories (SGP4 segments joined by impulsive
burns) of the objects a scenario adds, and the ground-truth events.

A :class:`Track` is one object's truth: element sets, each valid from a time
until the next (a burn).  A burn takes the SGP4 state of the current set at
the burn epoch, adds the delta-v and converts back to a mean set
(:func:`orbwatch.propagate.fit.states_to_element_sets`, 1 mm).  The
inspector's approach is built *backwards* from its parking slot, so that it
ends where it should whatever the dynamics in between.

Every ``plant_*`` function takes a :class:`Window` and returns the tracks and
:class:`~orbwatch.events.Event` truth; times are fractions of the window plus
a seeded jitter of up to two hours.  Owners are fictional codes: ``RED``
(inspector, releaser, interceptor), ``BLU`` and ``GRN`` (others).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sgp4.api import Satrec

from orbwatch.debris.breakup_model import fragments_to_element_sets, simulate_breakup
from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.events import Event
from orbwatch.propagate.fit import MU_WGS72, states_to_element_sets
from orbwatch.propagate.frames import rtn_axes
from orbwatch.time import US_PER_DAY, format_iso, jd_fr

__all__ = ["Track", "Window", "make_set", "rtn_basis", "piece", "plant_inspector",
           "plant_release", "plant_interception", "plant_stationkeeping", "plant_conjunction",
           "PLANTS", "RELEASE_DV_KMS"]

_RE = 6378.135
_EARLIEST = -(2**62)
#: separation speed of the released object (km/s)
RELEASE_DV_KMS = 0.2
_GEO_N = 1.00273791  # rev/day


@dataclass
class Window:
    start_us: int
    stop_us: int
    rng: np.random.Generator
    year: int  # launch year of the planted objects' designators

    def at(self, fraction: float, jitter_h: float = 2.0) -> int:
        """Window start + ``fraction`` of its length, jittered, to the second."""
        t = self.start_us + fraction * (self.stop_us - self.start_us)
        t += self.rng.uniform(-jitter_h, jitter_h) * 3.6e9
        return int(t // 1_000_000 * 1_000_000)


@dataclass
class Track:
    """Truth of one object: ``segments`` (valid_from_us, set), catalogued
    between ``first_us`` and ``last_us`` (None: the window's ends)."""

    norad: int
    segments: list[tuple[int, ElementSet]]
    owner: str | None = None
    object_type: str = "UNKNOWN"  # Space-Track OBJECT_TYPE
    launch: str | None = None
    first_us: int | None = None
    last_us: int | None = None
    satrecs: list[Satrec] = field(default_factory=list, repr=False)

    @property
    def initial(self) -> ElementSet:
        return self.segments[0][1]

    def set_at(self, t_us: int) -> ElementSet:
        starts = [s for s, _ in self.segments]
        return self.segments[max(0, int(np.searchsorted(starts, t_us, "right")) - 1)][1]

    def states(self, times_us) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TEME (r, v) (T, 3) and an ok mask (T,) at ``times_us``."""
        t = np.asarray(times_us, np.int64)
        if len(self.satrecs) != len(self.segments):
            self.satrecs = [satrec_from_elements(s) for _, s in self.segments]
        seg = np.searchsorted([s for s, _ in self.segments], t, "right") - 1
        seg = np.maximum(seg, 0)
        r = np.full((len(t), 3), np.nan)
        v = np.full((len(t), 3), np.nan)
        ok = np.zeros(len(t), bool)
        jd, fr = jd_fr(t)
        for k in np.unique(seg):
            m = seg == k
            e, rr, vv = self.satrecs[k].sgp4_array(np.atleast_1d(jd[m]), np.atleast_1d(fr[m]))
            r[m], v[m], ok[m] = rr, vv, e == 0
        return r, v, ok


def make_set(norad: int, epoch_us: int, *, a_km: float, ecc: float = 0.0005, inc: float,
             raan: float, argp: float = 0.0, ma: float = 0.0, bstar: float = 0.0,
             name: str | None = None, intldes: str | None = None) -> ElementSet:
    """A mean element set from a semi-major axis (km) and angles (deg)."""
    n = math.sqrt(MU_WGS72 / a_km**3) * 86400 / (2 * math.pi)
    return ElementSet(norad=norad, epoch_us=epoch_us, mean_motion=n, eccentricity=ecc,
                      inclination=inc, raan=raan % 360, arg_perigee=argp % 360,
                      mean_anomaly=ma % 360, bstar=bstar, name=name, intldes=intldes,
                      source="scenario")


def piece(i: int) -> str:
    """Launch piece letters A..Z, AA.. (I and O skipped, as in designators)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    out = ""
    i += 1
    while i:
        i, k = divmod(i - 1, len(letters))
        out = letters[k] + out
    return out


def rtn_basis(r, v) -> np.ndarray:
    """Rows R, T, N of the radial / along-track / cross-track frame."""
    return rtn_axes(r, v)


def _state(s: ElementSet, t_us: int):
    e, r, v = satrec_from_elements(s).sgp4(*jd_fr(t_us))
    if e:
        raise ValueError(f"planted object {s.norad} fails SGP4 at {format_iso(t_us)} ({e})")
    return np.array(r), np.array(v)


def _convert(r, v, t_us: int, like: ElementSet) -> ElementSet:
    out = states_to_element_sets(np.reshape(r, (1, 3)), np.reshape(v, (1, 3)), t_us,
                                 [like.norad], bstar=like.bstar, template=like)[0]
    return dataclasses.replace(out, source="scenario")


def _maneuver(norad: int, t_us: int, before: ElementSet, after: ElementSet, r, v0, v1,
              purpose: str) -> Event:
    dv = np.asarray(v1) - np.asarray(v0)
    return Event(kind="maneuver", objects=(norad,), epoch_us=t_us, start_us=t_us, end_us=t_us,
                 metrics={"dv_kms": float(np.linalg.norm(dv)),
                          "dv_rtn_kms": [float(x) for x in rtn_basis(r, v0) @ dv],
                          "delta_a_km": after.semi_major_axis_km - before.semi_major_axis_km,
                          "delta_i_deg": after.inclination - before.inclination},
                 evidence={"purpose": purpose, "planted": True})


def burn(track: Track, t_us: int, dv_rtn_kms, purpose: str) -> Event:
    """Append the set after an impulsive burn (RTN km/s) at ``t_us``."""
    before = track.segments[-1][1]
    r, v = _state(before, t_us)
    v1 = v + np.asarray(dv_rtn_kms, float) @ rtn_basis(r, v)
    after = _convert(r, v1, t_us, before)
    track.segments.append((t_us, after))
    return _maneuver(track.norad, t_us, before, after, r, v, v1, purpose)


def unburn(after: ElementSet, t_us: int, before_velocity: Callable, purpose: str):
    """The set *before* a burn at ``t_us`` that leads to ``after``:
    ``before_velocity(r, v_after)`` gives the velocity before it."""
    r, v1 = _state(after, t_us)
    v0 = before_velocity(r, v1)
    before = _convert(r, v0, t_us, after)
    return before, _maneuver(after.norad, t_us, before, after, r, v0, v1, purpose)


def _along(dv_kms: float):
    return lambda r, v: v - dv_kms * rtn_basis(r, v)[1]


def _rotate(angle_rad: float):
    """Velocity turned about the radius by ``angle_rad`` (a pure plane change)."""
    def f(r, v):
        k = r / np.linalg.norm(r)
        c, s = math.cos(angle_rad), math.sin(angle_rad)
        return v * c + np.cross(k, v) * s + k * np.dot(k, v) * (1 - c)
    return f


def _trailing(s: ElementSet, km: float, norad: int, **kw) -> ElementSet:
    """The same orbit ``km`` behind ``s`` (mean anomaly earlier)."""
    dm = math.degrees(km / s.semi_major_axis_km)
    return dataclasses.replace(s, norad=norad, mean_anomaly=(s.mean_anomaly - dm) % 360, **kw)


def _proximity(a: Track, b: Track, w: Window, threshold_km: float, what: str) -> Event:
    t = np.arange(w.start_us, w.stop_us, 60_000_000, dtype=np.int64)
    ra, va, oka = a.states(t)
    rb, vb, okb = b.states(t)
    rng = np.where(oka & okb, np.linalg.norm(ra - rb, axis=1), np.inf)
    inside = np.flatnonzero(rng < threshold_km)
    k = int(np.argmin(rng))
    return Event(kind="proximity", objects=(a.norad, b.norad), epoch_us=int(t[k]),
                 start_us=int(t[inside[0]]), end_us=int(t[inside[-1]]),
                 metrics={"min_range_km": float(rng[k]), "final_range_km": float(rng[inside[-1]]),
                          "rel_speed_kms": float(np.linalg.norm(va[k] - vb[k])),
                          "threshold_km": threshold_km,
                          "minutes_within": int(inside.size)},
                 evidence={"what": what, "owners": [a.owner, b.owner], "planted": True})


def _intl(w: Window, launch: int, i: int = 0) -> str:
    return f"{w.year}-{launch:03d}{piece(i)}"


def _launch(w: Window, month: int) -> str:
    return f"{w.year}-{month:02d}-15"


# ----------------------------------------------------------------- the plants
def plant_inspector(w: Window) -> tuple[list[Track], list[Event]]:
    """GEO: RED inspector 99001 phases, matches planes, approaches and parks
    5 km behind BLU satellite 99002."""
    t0 = w.start_us
    target = make_set(99002, t0, a_km=(MU_WGS72 / (_GEO_N * 2 * math.pi / 86400) ** 2) ** (1 / 3),
                      ecc=0.0002, inc=0.04, raan=80.0, argp=10.0, ma=w.rng.uniform(0, 360),
                      name="BLUESAT GEO-1", intldes=_intl(w, 901))
    n = target.mean_motion * 2 * math.pi / 86400  # rad/s
    t_phase, t_plane, t_app, t_park = (w.at(f) for f in (0.10, 0.22, 0.34, 0.45))

    def drift_dv(km_per_day):  # along-track dv giving that drift rate
        return km_per_day / (1.5 * n * 86400) * n / 2

    park = _trailing(target, 5.0, 99001, name="REDSAT INSPECTOR", intldes=_intl(w, 902))
    chain = [(t_park, _along(drift_dv(30.0)), "park: stop the drift 5 km behind the target"),
             (t_app, _along(drift_dv(300.0) - drift_dv(30.0)), "approach: slow the drift"),
             (t_plane, _rotate(-math.radians(0.19)), "plane match"),
             (t_phase, _along(-drift_dv(300.0)), "phasing: start drifting toward the target")]
    sets, events = [park], []
    for t, f, purpose in chain:  # sets[0] is the one valid until this burn
        before, ev = unburn(sets[0], t, f, purpose)
        sets.insert(0, before)
        events.insert(0, ev)
    starts = [_EARLIEST, t_phase, t_plane, t_app, t_park]
    insp = Track(99001, list(zip(starts, sets, strict=True)), "RED", "PAYLOAD", _launch(w, 2))
    tgt = Track(99002, [(_EARLIEST, target)], "BLU", "PAYLOAD", _launch(w, 1))
    events.append(_proximity(insp, tgt, w, 300.0, "co-orbital inspection, parking 5 km behind"))
    return [insp, tgt], events


def plant_release(w: Window) -> tuple[list[Track], list[Event]]:
    """LEO: RED 99011 flies 25 km behind BLU 99012 and releases 99013 at
    0.2 km/s; 99013 is catalogued about a day later."""
    t0 = w.start_us
    sat = make_set(99012, t0, a_km=_RE + 600.0, ecc=0.0008, inc=97.8, raan=w.rng.uniform(0, 360),
                   argp=90.0, ma=w.rng.uniform(0, 360), bstar=2e-5, name="BLUESAT LEO-2",
                   intldes=_intl(w, 903))
    parent = _trailing(sat, 25.0, 99011, name="REDSAT CARRIER", intldes=_intl(w, 904))
    tp = Track(99011, [(_EARLIEST, parent)], "RED", "PAYLOAD", _launch(w, 3))
    ts = Track(99012, [(_EARLIEST, sat)], "BLU", "PAYLOAD", _launch(w, 3))
    t_rel = w.at(0.30)
    r, v = _state(parent, t_rel)
    d = np.array([0.12, 0.05, 0.15])
    v1 = v + RELEASE_DV_KMS * d / np.linalg.norm(d) @ rtn_basis(r, v)
    child = dataclasses.replace(parent, norad=99013, name="OBJECT A", intldes=_intl(w, 904, 1),
                                bstar=1e-4)
    child = _convert(r, v1, t_rel, child)
    first = t_rel + int(w.rng.uniform(0.7, 1.4) * US_PER_DAY)
    tc = Track(99013, [(_EARLIEST, child)], "RED", "UNKNOWN", _launch(w, 3), first_us=first)
    rs, _ = _state(sat, t_rel)
    ev = Event(kind="release", objects=(99011, 99013), epoch_us=t_rel,
               metrics={"dv_kms": RELEASE_DV_KMS, "range_to_nearby_km":
                        float(np.linalg.norm(r - rs))},
               evidence={"what": "object released near a foreign satellite", "near": 99012,
                         "near_owner": "BLU", "first_set_after_us_days":
                         (first - t_rel) / US_PER_DAY, "planted": True})
    prox = _proximity(tp, ts, w, 50.0, "co-orbital carrier 25 km behind a foreign satellite")
    return [tp, ts, tc], [ev, prox]


def plant_interception(w: Window) -> tuple[list[Track], list[Event]]:
    """LEO: GRN satellite 99021 destroyed by an (uncatalogued) interceptor;
    fragments 800000+ catalogued 1-3 days later."""
    t0 = w.start_us
    victim = make_set(99021, t0, a_km=_RE + 780.0, ecc=0.001, inc=82.5,
                      raan=w.rng.uniform(0, 360), argp=45.0, ma=w.rng.uniform(0, 360),
                      bstar=3e-5, name="GREENSAT-7", intldes=_intl(w, 905))
    t_int = w.at(0.50)
    cloud = simulate_breakup("collision", 700.0, impactor_mass_kg=15.0, impact_speed_kms=7.0,
                             min_size_m=0.3, seed=int(w.rng.integers(2**31)))
    # The breakup model's delta-vs are isotropic; a direct-ascent interceptor also
    # hands the debris its momentum: m_i v_rel / (m_t + m_i) along its relative
    # velocity, here radially up (from below) with a small along-track part.
    from orbwatch.propagate import SatelliteBatch

    eph = SatelliteBatch.from_element_sets([victim]).propagate(np.array([t_int]))
    r, v = eph.position[0, 0], eph.velocity[0, 0]
    up = r / np.linalg.norm(r)
    along = v / np.linalg.norm(v)
    direction = (0.95 * up + 0.31 * along) / np.linalg.norm(0.95 * up + 0.31 * along)
    cloud = dataclasses.replace(cloud, dv_kms=cloud.dv_kms + 15.0 * 7.0 / 715.0 * direction)
    frags = fragments_to_element_sets(cloud, victim, t_int, first_norad=800000)
    vt = Track(99021, [(_EARLIEST, victim)], "GRN", "PAYLOAD", _launch(w, 4), last_us=t_int)
    tracks = [vt]
    for i, f in enumerate(frags):
        f = dataclasses.replace(f, name="GREENSAT-7 DEB", intldes=_intl(w, 905, i + 1),
                                source="scenario")
        first = t_int + int(w.rng.uniform(1.0, 3.0) * US_PER_DAY)
        tracks.append(Track(f.norad, [(_EARLIEST, f)], "GRN", "DEBRIS", _launch(w, 4),
                            first_us=first))
    ev = Event(kind="breakup", objects=(99021,), epoch_us=t_int,
               metrics={"fragments": len(frags), "impact_speed_kms": 7.0,
                        "classification": "interception",
                        "energy_j_g": cloud.energy_j_g, "catastrophic": bool(cloud.catastrophic),
                        "min_size_m": 0.3},
               evidence={"cause": "destructive interception by an uncatalogued direct-ascent "
                                  "interceptor (NASA standard breakup model, collision)",
                         "momentum_transfer": "interceptor momentum shared by the debris, "
                                              "radially up (direct ascent)",
                         "fragment_norads": [f.norad for f in frags], "planted": True})
    return tracks, [ev]


def plant_stationkeeping(w: Window) -> tuple[list[Track], list[Event]]:
    """BLU LEO 99031: +0.08 m/s along-track burns; GRN GEO 99032: east-west
    burns of +-0.15 m/s; each about every two weeks (at least one each)."""
    t0 = w.start_us
    leo = make_set(99031, t0, a_km=_RE + 700.0, ecc=0.0011, inc=98.2, raan=w.rng.uniform(0, 360),
                   argp=90.0, ma=w.rng.uniform(0, 360), bstar=4e-5, name="BLUESAT EO-3",
                   intldes=_intl(w, 906))
    geo = make_set(99032, t0, a_km=(MU_WGS72 / (_GEO_N * 2 * math.pi / 86400) ** 2) ** (1 / 3),
                   ecc=0.0003, inc=0.05, raan=95.0, argp=0.0, ma=w.rng.uniform(0, 360),
                   name="GREENSAT COM-4", intldes=_intl(w, 907))
    tl = Track(99031, [(_EARLIEST, leo)], "BLU", "PAYLOAD", _launch(w, 5))
    tg = Track(99032, [(_EARLIEST, geo)], "GRN", "PAYLOAD", _launch(w, 6))
    days = (w.stop_us - w.start_us) / US_PER_DAY
    k = max(1, round(days / 14))
    events = [burn(tl, w.at((i + 0.4) / k * 0.95), (0.0, 0.8e-4, 0.0),
                   "station keeping (drag make-up)") for i in range(k)]
    events += [burn(tg, w.at((i + 0.3) / k * 0.95), (0.0, 1.5e-4 * (-1) ** i, 0.0),
                    "east-west station keeping") for i in range(k)]
    return [tl, tg], events


def plant_conjunction(w: Window) -> tuple[list[Track], list[Event]]:
    """LEO: BLU 99041 and GRN rocket body 99042 pass 0.45 km apart (radially)
    at a crossing angle of 75 deg.  The truth's miss and TCA are replaced by
    those of the catalogue's sets nearest the TCA when the catalogue is built."""
    t0 = w.start_us
    a = make_set(99041, t0, a_km=_RE + 790.0, ecc=0.0009, inc=86.4, raan=w.rng.uniform(0, 360),
                 argp=30.0, ma=w.rng.uniform(0, 360), bstar=2e-5, name="BLUESAT COMMS-5",
                 intldes=_intl(w, 908))
    t_c = w.at(0.62)
    r, v = _state(a, t_c)
    rh = r / np.linalg.norm(r)
    v2 = _rotate(math.radians(75.0))(r, v)
    b = dataclasses.replace(a, norad=99042, name="GRN R/B", intldes=_intl(w, 909, 1), bstar=5e-5)
    b = _convert(r + 0.45 * rh, v2, t_c, b)
    ta = Track(99041, [(_EARLIEST, a)], "BLU", "PAYLOAD", _launch(w, 7))
    tb = Track(99042, [(_EARLIEST, b)], "GRN", "ROCKET BODY", _launch(w, 8))
    ev = Event(kind="conjunction", objects=(99041, 99042), epoch_us=t_c,
               metrics={"miss_km": 0.45, "rel_speed_kms": float(np.linalg.norm(v2 - v))},
               evidence={"what": "crossing at 75 deg", "planted_tca": format_iso(t_c, 3), "planted_miss_km": 0.45,
                         "planted": True})
    return [ta, tb], [ev]


#: plant functions by scenario kind (the order fixes each plant's random stream)
PLANTS: dict[str, Callable[[Window], tuple[list[Track], list[Event]]]] = {
    "inspector": plant_inspector, "release": plant_release, "interception": plant_interception,
    "stationkeeping": plant_stationkeeping, "conjunction": plant_conjunction,
}
