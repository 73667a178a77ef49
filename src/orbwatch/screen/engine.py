"""All-vs-all (or primaries-vs-all) screening of a catalogue over a window.

1. Sample every object with one ``SatrecArray`` call per chunk of times.
2. :func:`orbwatch.screen.sieve.sieve_step` lists, per sample, the pairs
   that may come within the threshold in the interval around it (proven
   bound, see that module).
3. :func:`orbwatch.screen.refine.refine` finds the true TCA of each.
4. Pairs that stay within the threshold over several consecutive samples
   (docked, formation flying, slow drift) are reported once, as a
   long-duration proximity with its minimum range and time, not as many
   conjunctions.

Work is split by time across processes (``workers``) or Dask workers
(``runner``, see :mod:`orbwatch.parallel`); the split is at interpolation-group
boundaries and the blocks' results are merged in time order, so results are
identical for any number of workers and either executor.  The catalogue goes
to each Dask worker once, packed as one numeric array (:func:`pack_sets`).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from sgp4.api import SatrecArray

from orbwatch.elements.model import ElementSet
from orbwatch.elements.sgp4init import satrec_from_elements
from orbwatch.parallel import DaskRunner
from orbwatch.propagate.frames import rtn_axes
from orbwatch.screen.refine import Minima, refine
from orbwatch.screen.sieve import MU_EARTH, Candidates, sieve_step
from orbwatch.time import jd_fr

__all__ = ["Encounter", "Proximity", "ScreenResult", "screen", "rtn_components",
           "DEFAULT_STEP_S", "PROXIMITY_MIN_DURATION_S", "pack_sets", "unpack_sets"]

DEFAULT_STEP_S = 60.0
#: a pair within the threshold at every sample over this long (s) is one
#: long-duration proximity (docked, formation, slow drift), not many conjunctions
PROXIMITY_MIN_DURATION_S = 120.0
_CHUNK = 24  # samples propagated per SatrecArray call
#: candidates refined together (bounds a block's memory; results do not depend on it)
REFINE_BATCH = 400_000


@dataclass
class Encounter:
    """One close approach: objects as catalogue indices into the screened sets."""

    i: int  # primary (index)
    j: int  # secondary (index)
    tca_us: int
    miss_km: float
    rel_speed_kms: float
    miss_rtn_km: tuple[float, float, float]  # secondary - primary in primary's R, T, N
    r1: np.ndarray  # TEME km at TCA
    v1: np.ndarray
    r2: np.ndarray
    v2: np.ndarray
    at_window_edge: bool = False


@dataclass
class Proximity:
    """A pair within the threshold over a stretch of time (co-moving)."""

    i: int
    j: int
    start_us: int
    end_us: int
    min_range_km: float
    min_time_us: int
    rel_speed_kms: float  # at the minimum
    samples: int


@dataclass
class ScreenResult:
    encounters: list[Encounter]
    proximities: list[Proximity]
    stats: dict = field(default_factory=dict)


def rtn_components(r1: np.ndarray, v1: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Components of vectors ``d`` in the radial/transverse/normal frame of (r1, v1)."""
    return np.einsum("...ij,...j->...i", rtn_axes(r1, v1), d)


#: SGP4 is evaluated every ``INTERP_EVERY`` samples for smooth near-circular LEO
#: objects and the samples between come from cubic Hermite interpolation
INTERP_EVERY = 4
#: safety factor on the Hermite error bounds (the largest ratio of true error to
#: the analytic bound seen over three full catalogues, 2015, 2023, 2026, was 1.9)
INTERP_SAFETY = 4.0


def _interpolation_plan(sets: Sequence[ElementSet], step_s: float, every: int):
    """Which objects are interpolated, and their position/velocity error bounds.

    Smooth objects: near-Earth SGP4 (period < 128 min, no deep-space
    integrator), e < 0.05, perigee above 300 km (no re-entry within the
    day), B* at most 0.01 and ndot/2 at most 1e-3 rev/day^2 (drag small
    against gravity; the largest true/bound ratio seen over the 2015, 2023
    and 2026 catalogues is then below 0.5 of the safety factor, see
    tests/test_interpolation_bound.py).  Cubic Hermite over ``H`` errs by at most ``H^4/384 max|d4r/dt4|`` in
    position and about ``H^3/96 max|d4r/dt4|`` in velocity, with
    ``|d4r/dt4| ~ mu v_p^2 / r_p^4`` at perigee.
    """
    n = np.array([s.mean_motion for s in sets])
    e = np.array([s.eccentricity for s in sets])
    a = np.array([s.semi_major_axis_km for s in sets])
    rp = a * (1 - e)
    bstar = np.abs(np.array([s.bstar for s in sets]))
    ndot = np.abs(np.array([s.mean_motion_dot for s in sets]))
    # high-drag objects (light debris, fast decay) follow SGP4's drag polynomial
    # more than Keplerian motion, so the bound below does not cover them
    smooth = (n > 11.25) & (e < 0.05) & (rp > 6378.135 + 300.0) & (bstar <= 0.01) & \
        (ndot <= 1e-3)
    if every <= 1:
        smooth[:] = False
    big_h = every * step_s
    m4 = MU_EARTH * (MU_EARTH * (1 + e) / rp) / rp**4
    pos_err = np.where(smooth, INTERP_SAFETY * big_h**4 / 384.0 * m4, 0.0)
    vel_err = np.where(smooth, INTERP_SAFETY * big_h**3 / 96.0 * m4, 0.0)
    r_max = 1.2 * a * (1 + e) + 500.0  # beyond this a "state" is SGP4 diverging
    return smooth, pos_err, vel_err, r_max


def _hermite(p0, v0, p1, v1, big_h: float, u: float):
    h00, h10 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u
    h01, h11 = -2 * u**3 + 3 * u**2, u**3 - u**2
    d00, d10 = 6 * u * u - 6 * u, 3 * u * u - 4 * u + 1
    d01, d11 = -6 * u * u + 6 * u, 3 * u * u - 2 * u
    pos = h00 * p0 + (h10 * big_h) * v0 + h01 * p1 + (h11 * big_h) * v1
    vel = (d00 * p0 + (d10 * big_h) * v0 + d01 * p1 + (d11 * big_h) * v1) / big_h
    return pos, vel


def _sgp4(arr, t_us, r_max):
    jd, fr = jd_fr(np.asarray(t_us, dtype=np.int64))
    err, r, v = arr.sgp4(jd, fr)
    rr = np.einsum("ntk,ntk->nt", r, r)
    vv = np.einsum("ntk,ntk->nt", v, v)
    # SGP4 can diverge without an error code (re-entering objects): a "state"
    # far beyond the element set's apogee, or faster than escape, is no state
    with np.errstate(divide="ignore", invalid="ignore"):
        bad = (err != 0) | ~(rr < (r_max * r_max)[:, None]) | \
            ~(vv < 1.1 * 2 * MU_EARTH / np.sqrt(rr))
    r[bad] = np.nan
    v[bad] = np.nan
    return r, v


@dataclass
class _Context:
    """What every block of one screening run shares (built once per process)."""

    satrecs: list
    pos_err: np.ndarray
    vel_err: np.ndarray
    r_max: np.ndarray
    irows: np.ndarray
    drows: np.ndarray
    iarr: object
    darr: object
    step_s: float
    every: int

    @classmethod
    def build(cls, sets: Sequence[ElementSet], step_s: float, every: int) -> _Context:
        satrecs = [satrec_from_elements(s) for s in sets]
        smooth, pos_err, vel_err, r_max = _interpolation_plan(sets, step_s, every)
        irows, drows = np.flatnonzero(smooth), np.flatnonzero(~smooth)
        iarr = SatrecArray([satrecs[i] for i in irows]) if len(irows) else None
        darr = SatrecArray([satrecs[i] for i in drows]) if len(drows) else None
        return cls(satrecs, pos_err, vel_err, r_max, irows, drows, iarr, darr, step_s, every)


_CTX: _Context | None = None  # the worker process's context

#: the element-set fields SGP4 and the screening plan use, packed for shipping
_PACKED = [("norad", "i8"), ("epoch_us", "i8"), ("mean_motion", "f8"), ("eccentricity", "f8"),
           ("inclination", "f8"), ("raan", "f8"), ("arg_perigee", "f8"),
           ("mean_anomaly", "f8"), ("bstar", "f8"), ("mean_motion_dot", "f8"),
           ("mean_motion_ddot", "f8")]


def pack_sets(sets: Sequence[ElementSet]) -> np.ndarray:
    """The numeric fields of ``sets`` as one structured array (88 bytes per object,
    against ~1 kB pickled per :class:`ElementSet`): what a worker needs to screen."""
    out = np.empty(len(sets), dtype=_PACKED)
    for name, _ in _PACKED:
        out[name] = [getattr(s, name) for s in sets]
    return out


def unpack_sets(packed: np.ndarray) -> list[ElementSet]:
    """Element sets with the same numbers as those :func:`pack_sets` packed."""
    cols = [packed[name].tolist() for name, _ in _PACKED]
    return [ElementSet(*row) for row in zip(*cols, strict=True)]


def _context_from_packed(shared) -> _Context:
    packed, step_s, every = shared
    return _Context.build(unpack_sets(packed), step_s, every)


def _init_worker(sets, step_s: float, every: int) -> None:
    global _CTX
    _CTX = _Context.build(sets, step_s, every)


def _scan_block(ctx: _Context, start_us: int, stop_us: int, k0: int, k1: int,
                threshold_km: float, primaries: np.ndarray | None,
                progress: Callable[[int], None] | None = None):
    """Sieve samples k0..k1-1 and refine their candidates (one worker's share).
    ``k0`` is a multiple of ``ctx.every``."""
    satrecs, pos_err, vel_err, r_max = ctx.satrecs, ctx.pos_err, ctx.vel_err, ctx.r_max
    irows, drows, iarr, darr = ctx.irows, ctx.drows, ctx.iarr, ctx.darr
    step_s, every = ctx.step_s, ctx.every
    step_us = int(round(step_s * 1e6))
    big_h = every * step_s
    n = len(satrecs)
    pos = np.empty((n, 3))
    vel = np.empty((n, 3))
    parts: list[Candidates] = []
    kept: list[tuple[Candidates, Minima, int]] = []
    chunk = every * max(1, _CHUNK // every)
    for c0 in range(k0, k1, chunk):
        ks = np.arange(c0, min(c0 + chunk, k1))
        if darr is not None:
            dr_, dv_ = _sgp4(darr, start_us + ks * step_us, r_max[drows])
        if iarr is not None:
            nodes = np.arange(c0, ks[-1] + every + 1, every)
            ir_, iv_ = _sgp4(iarr, start_us + nodes * step_us, r_max[irows])
        for col, k in enumerate(ks):
            if darr is not None:
                pos[drows], vel[drows] = dr_[:, col], dv_[:, col]
            q, rem = divmod(int(k - c0), every)
            if iarr is not None:
                if rem == 0:
                    pos[irows], vel[irows] = ir_[:, q], iv_[:, q]
                else:
                    pos[irows], vel[irows] = _hermite(ir_[:, q], iv_[:, q], ir_[:, q + 1],
                                                      iv_[:, q + 1], big_h, rem / every)
            rows = np.flatnonzero(np.isfinite(pos[:, 0]) & np.isfinite(vel[:, 0]))
            pmask = None
            if primaries is not None:
                pmask = primaries[rows]
                if not pmask.any():
                    continue
            errs = {} if rem == 0 else {"pos_err": pos_err[rows], "vel_err": vel_err[rows]}
            parts.append(sieve_step(pos[rows], vel[rows], rows, threshold_km, step_s, int(k),
                                    primary_mask=pmask, **errs))
        if progress is not None:
            progress(len(ks))
        if sum(len(p) for p in parts) >= REFINE_BATCH:
            kept.append(_refine_kept(ctx, Candidates.concat(parts), start_us, stop_us,
                                     threshold_km))
            parts = []
    kept.append(_refine_kept(ctx, Candidates.concat(parts), start_us, stop_us, threshold_km))
    return (Candidates.concat([k[0] for k in kept]), _merge_minima([k[1] for k in kept]),
            sum(k[2] for k in kept))


def _refine_kept(ctx: _Context, cand: Candidates, start_us: int, stop_us: int,
                 threshold_km: float) -> tuple[Candidates, Minima, int]:
    """Refine a batch of candidates and keep what :func:`_events` can use: the
    candidates within the threshold at their sample (proximity runs) and the
    finite minima within it.  Both filters are element by element, so batching
    changes nothing but memory (a day of 100k objects holds ~10^8 candidates)."""
    step_s = ctx.step_s
    half = step_s / 2.0
    window_s = (stop_us - start_us) / 1e6
    lo = np.maximum(cand.step * step_s - half, 0.0)
    hi = np.minimum(cand.step * step_s + half, window_s)
    m = refine(ctx.satrecs, cand.i, cand.j, lo, hi, start_us,
               guess_s=cand.step * step_s + cand.tau_s)
    keep = np.isfinite(m.d_km) & (m.d_km <= threshold_km)
    close = cand.d_sample_km <= threshold_km
    return (Candidates(*(getattr(cand, f)[close] for f in
                         ("i", "j", "step", "tau_s", "d_lin_km", "d_sample_km"))),
            Minima(*(getattr(m, f)[keep] for f in
                     ("i", "j", "t_s", "d_km", "r_i", "v_i", "r_j", "v_j", "edge"))),
            len(cand))


def _merge_minima(parts: list[Minima]) -> Minima:
    return Minima(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                    ("i", "j", "t_s", "d_km", "r_i", "v_i", "r_j", "v_j", "edge")))


def _worker(args):
    return _scan_block(_CTX, *args)


def screen(
    sets: Sequence[ElementSet],
    start_us: int,
    stop_us: int,
    *,
    threshold_km: float = 5.0,
    step_s: float = DEFAULT_STEP_S,
    primaries: Sequence[int] | None = None,
    workers: int | None = 1,
    runner: DaskRunner | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScreenResult:
    """Every approach closer than ``threshold_km`` between the objects of
    ``sets`` (one element set per object) from ``start_us`` to ``stop_us``.

    ``primaries`` (catalogue numbers) limits the search to pairs with at
    least one primary.  ``progress(done, total)`` is called as samples are
    processed (from the parent process only when ``workers > 1``).
    ``runner`` runs the time blocks as Dask tasks (``workers`` is then the
    runner's worker count); the result is the same as without it.
    """
    t_start = time.perf_counter()
    if stop_us <= start_us:
        raise ValueError("the window must end after it starts")
    if threshold_km <= 0 or step_s <= 0:
        raise ValueError("threshold and step must be positive")
    norad = np.array([s.norad for s in sets], dtype=np.int64)
    if len(np.unique(norad)) != len(norad):
        raise ValueError("screen() takes one element set per object")
    pmask = None
    if primaries is not None:
        pmask = np.isin(norad, np.asarray(list(primaries), dtype=np.int64))
    n_samples = int(math.floor((stop_us - start_us) / (step_s * 1e6))) + 1
    if (n_samples - 1) * step_s * 1e6 < stop_us - start_us:
        n_samples += 1  # the last interval covers the window's end
    if runner is not None:
        workers = runner.workers
    workers = max(1, min(workers or os.cpu_count() or 1, n_samples // _CHUNK or 1))
    # blocks of whole interpolation groups; several per worker so progress moves
    n_blocks = 1 if workers == 1 else min(4 * workers, max(1, n_samples // (4 * _CHUNK)))
    n_blocks = max(n_blocks, workers)
    bounds = (np.linspace(0, n_samples, n_blocks + 1) / INTERP_EVERY).round().astype(int) \
        * INTERP_EVERY
    bounds[-1] = n_samples
    bounds = np.unique(bounds)
    jobs = [(start_us, stop_us, int(bounds[b]), int(bounds[b + 1]), threshold_km, pmask)
            for b in range(len(bounds) - 1)]
    done = [0]
    if runner is not None:
        def tick_job(k: int) -> None:
            done[0] += jobs[k][3] - jobs[k][2]
            if progress is not None:
                progress(done[0], n_samples)

        results = runner.map(_scan_block, jobs, prepare=_context_from_packed,
                             shared=(pack_sets(sets), step_s, INTERP_EVERY), on_done=tick_job)
    elif workers == 1:
        def tick(k: int) -> None:
            done[0] += k
            if progress is not None:
                progress(done[0], n_samples)

        ctx = _Context.build(sets, step_s, INTERP_EVERY)
        results = [_scan_block(ctx, *job, progress=tick) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(list(sets), step_s, INTERP_EVERY)) as pool:
            results = []
            for job, res in zip(jobs, pool.map(_worker, jobs), strict=True):
                results.append(res)
                done[0] += job[3] - job[2]
                if progress is not None:
                    progress(done[0], n_samples)
    cand = Candidates.concat([r[0] for r in results])
    minima = _merge_minima([r[1] for r in results])
    n_candidates = sum(r[2] for r in results)
    encounters, proximities = _events(cand, minima, start_us, stop_us, step_s, threshold_km,
                                      norad, pmask)
    stats = {"objects": len(sets), "samples": n_samples, "step_s": step_s,
             "candidates": n_candidates, "workers": workers,
             "executor": "dask" if runner is not None else "local",
             "seconds": round(time.perf_counter() - t_start, 3)}
    return ScreenResult(encounters, proximities, stats)


def _events(cand: Candidates, m: Minima, start_us: int, stop_us: int, step_s: float,
            threshold_km: float, norad: np.ndarray, pmask: np.ndarray | None):
    window_s = (stop_us - start_us) / 1e6
    # proximity runs: consecutive samples of one pair within the threshold
    close = cand.d_sample_km <= threshold_km
    ci, cj, ck = cand.i[close], cand.j[close], cand.step[close]
    order = np.lexsort((ck, cj, ci))
    ci, cj, ck = ci[order], cj[order], ck[order]
    dsamp = cand.d_sample_km[close][order]
    runs = []
    if len(ci):
        brk = np.r_[True, (ci[1:] != ci[:-1]) | (cj[1:] != cj[:-1]) | (ck[1:] != ck[:-1] + 1)]
        starts = np.flatnonzero(brk)
        ends = np.r_[starts[1:], len(ci)]
        for s, e in zip(starts, ends, strict=True):
            if (e - s - 1) * step_s >= PROXIMITY_MIN_DURATION_S:
                runs.append((int(ci[s]), int(cj[s]), int(ck[s]), int(ck[e - 1]),
                             float(dsamp[s:e].min()), int(ck[s + int(np.argmin(dsamp[s:e]))])))
    # real minima under the threshold: interior ones, and the window's edges
    at_edge = m.edge & ((m.t_s <= 1e-9) | (m.t_s >= window_s - 1e-9))
    keep = (m.d_km <= threshold_km) & (~m.edge | at_edge) & np.isfinite(m.d_km)
    idx = np.flatnonzero(keep)
    # de-duplicate roots found from two neighbouring intervals
    if len(idx):
        o = np.lexsort((m.t_s[idx], m.j[idx], m.i[idx]))
        idx = idx[o]
        dup = np.r_[False, (m.i[idx][1:] == m.i[idx][:-1]) & (m.j[idx][1:] == m.j[idx][:-1])
                    & (np.abs(np.diff(m.t_s[idx])) < 0.01)]
        idx = idx[~dup]
    absorbed = np.zeros(len(m.i), dtype=bool)
    proximities = []
    half = step_s / 2
    # idx is sorted by (pair, time): each run's minima are found by bisection, not by a
    # scan of every minimum (which made a day's LEO catalogue quadratic in its runs)
    pair_key = m.i[idx].astype(np.int64) * len(norad) + m.j[idx]
    for (i, j, k0, k1, dmin_s, kmin) in runs:
        lo, hi = k0 * step_s - half, k1 * step_s + half
        key = i * len(norad) + j
        p0, p1 = np.searchsorted(pair_key, key, "left"), np.searchsorted(pair_key, key, "right")
        mine = idx[p0:p1]
        inside = mine[(m.t_s[mine] >= lo) & (m.t_s[mine] <= hi)]
        absorbed[inside] = True
        if len(inside) and m.d_km[inside].min() <= dmin_s:
            best = inside[np.argmin(m.d_km[inside])]
            dmin, tmin = float(m.d_km[best]), float(m.t_s[best])
            rel = float(np.linalg.norm(m.v_j[best] - m.v_i[best]))
        else:
            dmin, tmin, rel = dmin_s, kmin * step_s, float("nan")
        a, b = _order(i, j, norad, pmask)
        proximities.append(Proximity(a, b, start_us + int(round(max(k0 * step_s, 0) * 1e6)),
                                     start_us + int(round(min(k1 * step_s, window_s) * 1e6)),
                                     dmin, start_us + int(round(tmin * 1e6)), rel,
                                     k1 - k0 + 1))
    encounters = []
    sel = idx[~absorbed[idx]]
    if len(sel):
        ii, jj = m.i[sel], m.j[sel]
        first = np.array([_order(int(a), int(b), norad, pmask)[0] == a
                          for a, b in zip(ii, jj, strict=True)], dtype=bool)
        r1 = np.where(first[:, None], m.r_i[sel], m.r_j[sel])
        v1 = np.where(first[:, None], m.v_i[sel], m.v_j[sel])
        r2 = np.where(first[:, None], m.r_j[sel], m.r_i[sel])
        v2 = np.where(first[:, None], m.v_j[sel], m.v_i[sel])
        rtn = rtn_components(r1, v1, r2 - r1)
        speed = np.linalg.norm(v2 - v1, axis=1)
        p1 = np.where(first, ii, jj)
        p2 = np.where(first, jj, ii)
        for k, x in enumerate(sel):
            encounters.append(Encounter(
                int(p1[k]), int(p2[k]), start_us + int(round(float(m.t_s[x]) * 1e6)),
                float(m.d_km[x]), float(speed[k]), tuple(float(c) for c in rtn[k]),
                r1[k].copy(), v1[k].copy(), r2[k].copy(), v2[k].copy(), bool(m.edge[x])))
    encounters.sort(key=lambda e: (e.tca_us, e.i, e.j))
    proximities.sort(key=lambda p: (p.start_us, p.i, p.j))
    return encounters, proximities


def _order(i: int, j: int, norad: np.ndarray, pmask: np.ndarray | None) -> tuple[int, int]:
    """Primary first: a screened primary, else the lower catalogue number."""
    if pmask is not None and pmask[j] and not pmask[i]:
        return j, i
    if pmask is not None and pmask[i] and not pmask[j]:
        return i, j
    return (i, j) if norad[i] <= norad[j] else (j, i)
