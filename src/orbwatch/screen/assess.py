"""Turn screening results into events: collision probability, confidence,
evidence, and CCSDS CDMs.

For element-set-only screening the covariance of each object at TCA comes
from :data:`orbwatch.screen.covariance.DEFAULT_MODEL` (growing with the age
of its element set, per orbit regime; replaceable), the hard-body radius
from CARA's table when the object has one (see :mod:`orbwatch.screen.hbr`).
``pc`` is the 2-D Pc over the hard-body circle (Foster); ``pc_max`` the
largest Pc over an unknown scale of that covariance (dilution, as SOCRATES'
maximum probability); ``confidence`` the probability, under the same covariances,
that the true miss distance is below the screening threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.events import Event
from orbwatch.screen.cdm import Cdm, cdm_from_states
from orbwatch.screen.covariance import DEFAULT_MODEL, orbit_regime, rtn_to_eci
from orbwatch.screen.engine import Encounter, Proximity, ScreenResult
from orbwatch.screen.hbr import hbr_with_source
from orbwatch.screen.pc import encounter_plane, max_pc_dilution, pc2d_foster_batch
from orbwatch.time import format_iso

__all__ = ["assess", "encounter_cdm", "Assessment"]


class Assessment:
    """Events of one screening run, with what the CLI needs to print them."""

    def __init__(self, events: list[Event], encounter_events: list[tuple[Encounter, Event]],
                 stats: dict) -> None:
        self.events = events
        self.encounter_events = encounter_events
        self.stats = stats


def _covariances(sets, idx, tca_us, r, v, model):
    """RTN covariances (km^2) at TCA and their TEME-inertial rotation."""
    n = np.array([sets[i].mean_motion for i in idx])
    e = np.array([sets[i].eccentricity for i in idx])
    age = np.abs(tca_us - np.array([sets[i].epoch_us for i in idx])) / 86_400e6
    regime = orbit_regime(n, e)
    cov_rtn = model.rtn_covariance(age, regime)
    return cov_rtn, rtn_to_eci(cov_rtn, r, v), age, regime


def assess(result: ScreenResult, sets: Sequence[ElementSet], *, threshold_km: float,
           objects: dict[int, dict] | None = None, model=DEFAULT_MODEL,
           max_age_days: float = 14.0) -> Assessment:
    """Events for every encounter and proximity of ``result``.

    ``objects`` maps catalogue numbers to catalogue rows (name, owner,
    hbr_m, rcs_size, object_type) as :meth:`orbwatch.store.Store.objects` gives them.
    """
    objects = objects or {}
    enc = result.encounters
    events: list[Event] = []
    pairs: list[tuple[Encounter, Event]] = []

    def row(i):
        s = sets[i]
        return objects.get(s.norad) or {"norad": s.norad, "name": s.name}

    if enc:
        i1 = np.array([e.i for e in enc])
        i2 = np.array([e.j for e in enc])
        tca = np.array([e.tca_us for e in enc], dtype=np.int64)
        r1, v1 = np.array([e.r1 for e in enc]), np.array([e.v1 for e in enc])
        r2, v2 = np.array([e.r2 for e in enc]), np.array([e.v2 for e in enc])
        c1_rtn, c1, age1, reg1 = _covariances(sets, i1, tca, r1, v1, model)
        c2_rtn, c2, age2, reg2 = _covariances(sets, i2, tca, r2, v2, model)
        h1, src1 = hbr_with_source([row(i) for i in i1])
        h2, src2 = hbr_with_source([row(i) for i in i2])
        hbr = h1 + h2
        comb = (c1 + c2) * 1e6
        dr, dv = (r1 - r2) * 1e3, (v1 - v2) * 1e3
        pc = pc2d_foster_batch(dr, dv, comb, hbr)
        conf = pc2d_foster_batch(dr, dv, comb, np.full(len(enc), threshold_km * 1e3))
        pmax_all = np.maximum(_max_pc_scale(dr, dv, comb, hbr, r1, v1, c1, r2, v2, c2), pc.pc)
        for k, e in enumerate(enc):
            pmax = pmax_all[k]
            stale = [bool(age1[k] > max_age_days), bool(age2[k] > max_age_days)]
            ev = Event(
                kind="conjunction",
                objects=(sets[e.i].norad, sets[e.j].norad),
                epoch_us=e.tca_us,
                metrics={
                    "miss_km": e.miss_km, "rel_speed_kms": e.rel_speed_kms,
                    "miss_r_km": e.miss_rtn_km[0], "miss_t_km": e.miss_rtn_km[1],
                    "miss_n_km": e.miss_rtn_km[2], "pc": float(pc.pc[k]),
                    "pc_max": float(pmax), "hbr_m": float(hbr[k]),
                    "threshold_km": threshold_km,
                },
                uncertainty={
                    "sigma_rtn_km": [np.sqrt(np.diag(c1_rtn[k])).tolist(),
                                     np.sqrt(np.diag(c2_rtn[k])).tolist()],
                    "encounter_plane_sigma_m": [float(pc.sigma_x_m[k]),
                                                float(pc.sigma_z_m[k])],
                    "tca_s": 0.01,
                    "covariance_model": getattr(model, "source", type(model).__name__),
                },
                confidence=float(np.clip(conf.pc[k], 0.0, 1.0)),
                evidence={
                    "element_sets": [
                        {"norad": sets[x].norad, "epoch": sets[x].epoch_iso,
                         "age_days": round(float(a), 3), "source": sets[x].source,
                         "regime": str(rg), "stale": st}
                        for x, a, rg, st in ((e.i, age1[k], reg1[k], stale[0]),
                                             (e.j, age2[k], reg2[k], stale[1]))],
                    "names": [row(e.i).get("name"), row(e.j).get("name")],
                    "owners": [row(e.i).get("owner"), row(e.j).get("owner")],
                    "hbr_sources": [src1[k], src2[k]],
                    "frame": "TEME",
                    "state_km": {"r1": e.r1.tolist(), "v1_kms": e.v1.tolist(),
                                 "r2": e.r2.tolist(), "v2_kms": e.v2.tolist()},
                    "method": "SGP4; KD-tree sieve with proven motion bounds; TCA at the "
                              "root of range rate",
                    "at_window_edge": e.at_window_edge,
                    "pc_method": pc.method,
                },
            )
            events.append(ev)
            pairs.append((e, ev))
    for p in result.proximities:
        events.append(_proximity_event(p, sets, row, threshold_km))
    events.sort(key=lambda ev: (ev.epoch_us, ev.objects))
    return Assessment(events, pairs, dict(result.stats))


def _max_pc_scale(dr_m, dv_m_s, comb_m2, hbr_m, r1, v1, c1, r2, v2, c2) -> np.ndarray:
    """Maximum Pc over an unknown scale of the covariance (dilution, as
    SOCRATES' maximum probability): with Mahalanobis miss ``m`` and principal
    sigmas ``sx, sz`` in the encounter plane the maximum is
    ``HBR^2 / (e sx sz m^2)``, reached at scale ``m/sqrt(2)``; where that
    scaled sigma is not large against the HBR the exact search is used."""
    ep = encounter_plane(dr_m, dv_m_s, comb_m2, hbr_m)
    (xm, zm), (sx, sz) = ep.miss_principal.T, ep.sigma.T
    with np.errstate(divide="ignore", invalid="ignore"):
        m2 = (xm / sx) ** 2 + (zm / sz) ** 2
        out = hbr_m**2 / (np.e * sx * sz * m2)
        small = np.minimum(sx, sz) * np.sqrt(m2 / 2.0)
    for k in np.flatnonzero(~(small > 10 * hbr_m)):
        out[k] = max_pc_dilution(r1[k] * 1e3, v1[k] * 1e3, c1[k] * 1e6, r2[k] * 1e3,
                                 v2[k] * 1e3, c2[k] * 1e6, float(hbr_m[k])).pc_max
    return np.minimum(out, 1.0)


def _proximity_event(p: Proximity, sets, row, threshold_km: float) -> Event:
    return Event(
        kind="proximity",
        objects=(sets[p.i].norad, sets[p.j].norad),
        epoch_us=p.min_time_us,
        start_us=p.start_us,
        end_us=p.end_us,
        metrics={"min_range_km": p.min_range_km, "rel_speed_kms": p.rel_speed_kms,
                 "duration_s": (p.end_us - p.start_us) / 1e6, "threshold_km": threshold_km},
        uncertainty={"start_end_s": 60.0},
        confidence=1.0,
        evidence={"names": [row(p.i).get("name"), row(p.j).get("name")],
                  "owners": [row(p.i).get("owner"), row(p.j).get("owner")],
                  "pattern": "co-moving: within the threshold at every sample",
                  "samples": p.samples,
                  "element_sets": [{"norad": sets[x].norad, "epoch": sets[x].epoch_iso,
                                    "source": sets[x].source} for x in (p.i, p.j)]},
    )


def encounter_cdm(enc: Encounter, ev: Event, sets, *, ref_frame: str = "GCRF") -> Cdm:
    """A CCSDS CDM of one encounter (states rotated from TEME to ``ref_frame``)."""
    from orbwatch.screen.pc import pc2d_foster

    sig1, sig2 = ev.uncertainty["sigma_rtn_km"]
    c1 = np.diag(np.square(sig1)) * 1e6
    c2 = np.diag(np.square(sig2)) * 1e6
    r1, v1, r2, v2 = enc.r1, enc.v1, enc.r2, enc.v2
    hbr = ev.metrics["hbr_m"]
    pc = pc2d_foster(r1 * 1e3, v1 * 1e3, rtn_to_eci(c1, r1, v1), r2 * 1e3, v2 * 1e3,
                     rtn_to_eci(c2, r2, v2), hbr)
    names = tuple(ev.evidence["names"])
    return cdm_from_states(
        r1, v1, c1, r2, v2, c2, enc.tca_us, ref_frame=ref_frame,
        designators=(str(sets[enc.i].norad), str(sets[enc.j].norad)), names=names,
        message_id=f"ORBWATCH-{ev.id}", hbr_m=hbr, pc=pc)


def event_row(ev: Event) -> dict:
    """A flat row for tables and CSV."""
    m = ev.metrics
    names = ev.evidence.get("names", [None, None])
    owners = ev.evidence.get("owners", [None, None])
    return {
        "kind": ev.kind,
        "tca": format_iso(ev.epoch_us, 3),
        "primary": ev.objects[0], "primary_name": names[0], "primary_owner": owners[0],
        "secondary": ev.objects[1], "secondary_name": names[1],
        "secondary_owner": owners[1],
        "miss_km": round(m.get("miss_km", m.get("min_range_km", float("nan"))), 4),
        "rel_speed_kms": round(m.get("rel_speed_kms", float("nan")), 4),
        "miss_r_km": _r(m.get("miss_r_km")), "miss_t_km": _r(m.get("miss_t_km")),
        "miss_n_km": _r(m.get("miss_n_km")),
        "pc": m.get("pc"), "pc_max": m.get("pc_max"),
        "start": format_iso(ev.start_us, 0) if ev.start_us is not None else None,
        "end": format_iso(ev.end_us, 0) if ev.end_us is not None else None,
    }


def _r(x):
    return None if x is None else round(x, 4)
