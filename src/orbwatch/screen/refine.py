"""Refine candidate intervals to the time of closest approach (TCA).

TCA is the root of the range rate ``f(t) = dr(t) . dv(t)`` inside the
candidate's interval.  Both ends are evaluated with SGP4; where the range
rate changes sign from negative to positive the root is bracketed and found
by Newton steps kept inside the bracket (bisection when a step leaves it),
all candidates at once.  Intervals where the distance only falls (or only
rises) hold no interior minimum: their minimum is the neighbouring
interval's, or the window's edge, and is reported as an edge minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbwatch.screen.sieve import MU_EARTH
from orbwatch.time import US_PER_DAY, jd_fr

__all__ = ["Minima", "states_at", "refine"]


@dataclass
class Minima:
    """Refined closest approaches (one per candidate interval that holds one)."""

    i: np.ndarray
    j: np.ndarray
    t_s: np.ndarray  # seconds after the reference time
    d_km: np.ndarray
    r_i: np.ndarray  # (K,3) TEME km
    v_i: np.ndarray
    r_j: np.ndarray
    v_j: np.ndarray
    edge: np.ndarray  # bool: minimum at an interval edge (window start/end)


def states_at(satrecs, obj: np.ndarray, t_s: np.ndarray, ref_us: int):
    """SGP4 TEME states of objects ``obj`` (indices into ``satrecs``) at
    seconds ``t_s`` after ``ref_us``; one vectorised call per distinct object."""
    jd0, fr0 = jd_fr(ref_us)
    r = np.full((len(obj), 3), np.nan)
    v = np.full((len(obj), 3), np.nan)
    if len(obj) == 0:
        return r, v
    order = np.argsort(obj, kind="stable")
    objs, starts = np.unique(obj[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    fr_all = fr0 + t_s / (US_PER_DAY / 1e6)
    jd_all = np.full(len(t_s), jd0)
    for o, s, e in zip(objs, starts, ends, strict=True):
        rows = order[s:e]
        err, rr, vv = satrecs[o].sgp4_array(jd_all[rows], fr_all[rows])
        rr[err != 0] = np.nan
        vv[err != 0] = np.nan
        r[rows] = rr
        v[rows] = vv
    return r, v


def _rate(satrecs, i, j, t, ref_us):
    k = len(i)
    r, v = states_at(satrecs, np.concatenate([i, j]), np.concatenate([t, t]), ref_us)
    ri, vi, rj, vj = r[:k], v[:k], r[k:], v[k:]
    dr, dv = rj - ri, vj - vi
    f = np.einsum("ij,ij->i", dr, dv)
    # derivative: |dv|^2 + dr . da with two-body accelerations
    ai = -MU_EARTH * ri / np.linalg.norm(ri, axis=1, keepdims=True) ** 3
    aj = -MU_EARTH * rj / np.linalg.norm(rj, axis=1, keepdims=True) ** 3
    fp = np.einsum("ij,ij->i", dv, dv) + np.einsum("ij,ij->i", dr, aj - ai)
    return f, fp, (ri, vi, rj, vj)


def refine(satrecs, i: np.ndarray, j: np.ndarray, lo_s: np.ndarray, hi_s: np.ndarray,
           ref_us: int, *, guess_s: np.ndarray | None = None, tol_s: float = 1e-4,
           newton_steps: int = 6) -> Minima:
    """Closest approach of pairs (i, j) within [lo_s, hi_s] (seconds after ``ref_us``).

    Newton's method on the range rate starts from ``guess_s`` (the linear
    closest approach the sieve found); pairs where it converges inside the
    interval to a minimum are done, the others go to the bracketing search.
    Candidates whose range rate does not go from negative to positive in the
    interval give their smaller end distance with ``edge=True``.
    """
    if guess_s is None or not len(i):
        return _refine_bracketed(satrecs, i, j, lo_s, hi_s, ref_us, tol_s=tol_s)
    t = np.clip(guess_s, lo_s, hi_s)
    active = np.ones(len(i), dtype=bool)
    done = np.zeros(len(i), dtype=bool)
    for _ in range(newton_steps):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        f, fp, _ = _rate(satrecs, i[idx], j[idx], t[idx], ref_us)
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = t[idx] - f / fp
        ok = np.isfinite(nxt) & (fp > 0) & (nxt > lo_s[idx]) & (nxt < hi_s[idx])
        conv = ok & (np.abs(nxt - t[idx]) < tol_s)
        t[idx[ok]] = nxt[ok]
        done[idx[conv]] = True
        active[idx[conv | ~ok]] = False
    rest = np.flatnonzero(~done)
    good = np.flatnonzero(done)
    _, _, (ri, vi, rj, vj) = _rate(satrecs, i[good], j[good], t[good], ref_us)
    out = Minima(i[good], j[good], t[good], np.linalg.norm(rj - ri, axis=1), ri, vi, rj, vj,
                 np.zeros(len(good), dtype=bool))
    if not len(rest):
        return out
    slow = _refine_bracketed(satrecs, i[rest], j[rest], lo_s[rest], hi_s[rest], ref_us,
                             tol_s=tol_s)
    return Minima(*(np.concatenate([getattr(out, f), getattr(slow, f)]) for f in
                    ("i", "j", "t_s", "d_km", "r_i", "v_i", "r_j", "v_j", "edge")))


def _refine_bracketed(satrecs, i, j, lo_s, hi_s, ref_us, *, tol_s: float = 1e-4,
                      max_iter: int = 40) -> Minima:
    """Bracketed search (safeguarded Newton/bisection) for the remaining pairs."""
    f_lo, _, s_lo = _rate(satrecs, i, j, lo_s, ref_us)
    f_hi, _, s_hi = _rate(satrecs, i, j, hi_s, ref_us)
    bracket = (f_lo < 0) & (f_hi > 0)
    a, b = lo_s.copy(), hi_s.copy()
    t = np.where(bracket, 0.5 * (a + b), np.where(np.abs(f_lo) <= 0, lo_s, hi_s))
    active = bracket.copy()
    # start from the secant (linear relative motion) estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        sec = a - f_lo * (b - a) / (f_hi - f_lo)
    t = np.where(bracket & np.isfinite(sec), sec, t)
    for _ in range(max_iter):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        f, fp, _ = _rate(satrecs, i[idx], j[idx], t[idx], ref_us)
        neg = f < 0
        a[idx] = np.where(neg, t[idx], a[idx])
        b[idx] = np.where(neg, b[idx], t[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t[idx] - f / fp
        inside = np.isfinite(newton) & (newton > a[idx]) & (newton < b[idx])
        nxt = np.where(inside, newton, 0.5 * (a[idx] + b[idx]))
        done = (np.abs(nxt - t[idx]) < tol_s) | ((b[idx] - a[idx]) < tol_s) | ~np.isfinite(f)
        t[idx] = nxt
        active[idx[done]] = False
    # states at the final times
    _, _, (ri, vi, rj, vj) = _rate(satrecs, i, j, t, ref_us)
    # non-bracketed: the nearer end
    d_lo = np.linalg.norm(s_lo[2] - s_lo[0], axis=1)
    d_hi = np.linalg.norm(s_hi[2] - s_hi[0], axis=1)
    use_lo = ~bracket & (d_lo <= d_hi)
    use_hi = ~bracket & ~use_lo
    for arr, slo, shi in ((ri, s_lo[0], s_hi[0]), (vi, s_lo[1], s_hi[1]),
                          (rj, s_lo[2], s_hi[2]), (vj, s_lo[3], s_hi[3])):
        arr[use_lo] = slo[use_lo]
        arr[use_hi] = shi[use_hi]
    t = np.where(use_lo, lo_s, np.where(use_hi, hi_s, t))
    d = np.linalg.norm(rj - ri, axis=1)
    return Minima(i, j, t, d, ri, vi, rj, vj, ~bracket)
