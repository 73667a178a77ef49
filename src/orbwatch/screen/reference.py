"""Brute-force reference for screening: every pair, densely sampled.

Slow on purpose and independent of the sieve: every pair of a (small)
catalogue is propagated at ``dense_s`` steps, every local minimum of the
sampled distance that could hide an approach under the threshold (the
relative speed bounds how far the true minimum can lie below the samples)
is refined by bounded scalar minimisation on SGP4 itself.  Used by the
completeness tests and to check, in the astroz benchmark, encounters that
only one screener reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from sgp4.api import SatrecArray

from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.time import US_PER_DAY, jd_fr

__all__ = ["ReferenceEncounter", "brute_force_screen", "pair_minimum"]


@dataclass(frozen=True)
class ReferenceEncounter:
    i: int  # index into the screened sets (i < j)
    j: int
    tca_us: int
    miss_km: float
    rel_speed_kms: float


def _state(sat, ref_jd, ref_fr, t_s):
    e, r, v = sat.sgp4(ref_jd, ref_fr + t_s / (US_PER_DAY / 1e6))
    return e, np.asarray(r), np.asarray(v)


def pair_minimum(sat_a, sat_b, ref_us: int, lo_s: float, hi_s: float):
    """Minimum distance of two Satrecs over [lo_s, hi_s] seconds after
    ``ref_us``: returns (t_s, distance_km, relative speed km/s)."""
    jd, fr = jd_fr(ref_us)

    def dist(t):
        ea, ra, _ = _state(sat_a, jd, fr, t)
        eb, rb, _ = _state(sat_b, jd, fr, t)
        if ea or eb:
            return np.inf
        return float(np.linalg.norm(rb - ra))

    res = minimize_scalar(dist, bounds=(lo_s, hi_s), method="bounded",
                          options={"xatol": 1e-5})
    t = float(res.x)
    _, ra, va = _state(sat_a, jd, fr, t)
    _, rb, vb = _state(sat_b, jd, fr, t)
    return t, float(np.linalg.norm(rb - ra)), float(np.linalg.norm(vb - va))


def brute_force_screen(sets, start_us: int, stop_us: int, threshold_km: float, *,
                       dense_s: float = 1.0, vmax_rel_kms: float = 20.0
                       ) -> list[ReferenceEncounter]:
    """Every local distance minimum under ``threshold_km`` for every pair."""
    satrecs = [satrec_from_elements(s) for s in sets]
    arr = SatrecArray(satrecs)
    n = len(sets)
    t = np.arange(0.0, (stop_us - start_us) / 1e6 + 1e-9, dense_s)
    jd0, fr0 = jd_fr(start_us)
    err, r, _ = arr.sgp4(np.full(len(t), jd0), fr0 + t / (US_PER_DAY / 1e6))
    r[err != 0] = np.nan
    iu, ju = np.triu_indices(n, 1)
    margin = vmax_rel_kms * dense_s  # the true minimum lies at most this far below
    out: list[ReferenceEncounter] = []
    for c in range(0, len(iu), 2000):
        a, b = iu[c:c + 2000], ju[c:c + 2000]
        d = np.linalg.norm(r[b] - r[a], axis=2)  # (pairs, T)
        d = np.where(np.isfinite(d), d, np.inf)
        # local minima (and the window ends) of the sampled distance
        left = np.concatenate([np.full((len(a), 1), np.inf), d[:, :-1]], axis=1)
        right = np.concatenate([d[:, 1:], np.full((len(a), 1), np.inf)], axis=1)
        cand = (d <= left) & (d <= right) & (d <= threshold_km + margin)
        for p, k in zip(*np.nonzero(cand), strict=True):
            lo, hi = max(t[k] - dense_s, 0.0), min(t[k] + dense_s, t[-1])
            tm, dm, vm = pair_minimum(satrecs[a[p]], satrecs[b[p]], start_us, lo, hi)
            if dm <= threshold_km:
                out.append(ReferenceEncounter(int(a[p]), int(b[p]),
                                              start_us + int(round(tm * 1e6)), dm, vm))
    # a minimum seen from two neighbouring samples is one encounter
    out.sort(key=lambda e: (e.i, e.j, e.tca_us))
    dedup: list[ReferenceEncounter] = []
    for e in out:
        if dedup and (dedup[-1].i, dedup[-1].j) == (e.i, e.j) and \
                abs(dedup[-1].tca_us - e.tca_us) < 50_000:
            continue
        dedup.append(e)
    return dedup
