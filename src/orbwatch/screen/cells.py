"""Compiled candidate join for one sample (optional: ``pip install orbwatch[fast]``).

The same tests as :func:`orbwatch.screen.sieve.sieve_step` (speed, radius,
line; see that module for the bounds), done pair by pair in a Numba loop
over a uniform 3-D cell grid instead of through SciPy KD-trees: the cell
edge is the largest pair radius of the sample, so every pair that can meet
lies in the same or a neighbouring cell, and each unordered pair of cells
is visited once.  Without Numba installed, orbwatch uses the KD-tree path;
both return the same pairs (tested).
"""

from __future__ import annotations

import numpy as np

try:  # pragma: no cover - exercised when numba is installed
    from numba import njit

    AVAILABLE = True
except ImportError:  # pragma: no cover
    AVAILABLE = False

    def njit(*args, **kwargs):
        def wrap(f):
            return f
        return wrap if not (args and callable(args[0])) else args[0]

__all__ = ["AVAILABLE", "join_cells"]

_OFF = 1 << 20  # cell index offset (cells are non-negative after it)
# the 13 "forward" neighbour offsets: together with the cell itself each
# unordered pair of neighbouring cells is visited exactly once
_FORWARD = np.array([(dx, dy, dz) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                     for dz in (-1, 0, 1) if (dx, dy, dz) > (0, 0, 0)], dtype=np.int64)


@njit(cache=True)
def _search(keys, k):
    lo, hi = 0, keys.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < k:
            lo = mid + 1
        else:
            hi = mid
    if lo < keys.shape[0] and keys[lo] == k:
        return lo
    return -1


@njit(cache=True)
def _join(pos, vel, r, speed, exc, acc, pad, prim, use_prim, thr, half, cell, forward,
          out_i, out_j, out_tau, out_lin, out_d):
    n = pos.shape[0]
    key = np.empty(n, np.int64)
    for i in range(n):
        cx = np.int64(np.floor(pos[i, 0] / cell)) + _OFF
        cy = np.int64(np.floor(pos[i, 1] / cell)) + _OFF
        cz = np.int64(np.floor(pos[i, 2] / cell)) + _OFF
        key[i] = (cx << 42) | (cy << 21) | cz
    order = np.argsort(key, kind="mergesort")
    skey = key[order]
    # the per-object values in cell order, so the inner loops read memory in sequence
    p = pos[order]
    u = vel[order]
    rr_ = r[order]
    sp = speed[order]
    ex = exc[order]
    ac = acc[order]
    pd = pad[order]
    pr = prim[order]
    starts = np.empty(n + 1, np.int64)
    ukeys = np.empty(n, np.int64)
    m = 0
    for a in range(n):
        if a == 0 or skey[a] != skey[a - 1]:
            starts[m] = a
            ukeys[m] = skey[a]
            m += 1
    starts[m] = n
    ukeys = ukeys[:m]
    # 1. the work: (first member range, second member range, mode) triples;
    #    mode 0: same cell (b > a), 1: neighbouring cell
    mask21 = (1 << 21) - 1
    nf = forward.shape[0]
    tasks = np.empty((m * (nf + 1), 5), np.int64)
    nt = 0
    for c in range(m):
        k = ukeys[c]
        cx, cy, cz = k >> 42, (k >> 21) & mask21, k & mask21
        for o in range(-1, nf):
            if o < 0:
                c2 = c
            else:
                nk = ((cx + forward[o, 0]) << 42) | ((cy + forward[o, 1]) << 21) | \
                    (cz + forward[o, 2])
                c2 = _search(ukeys, nk)
                if c2 < 0:
                    continue
            tasks[nt, 0], tasks[nt, 1] = starts[c], starts[c + 1]
            tasks[nt, 2], tasks[nt, 3] = starts[c2], starts[c2 + 1]
            tasks[nt, 4] = 0 if c2 == c else 1
            nt += 1
    # 2. the tests
    cap = out_i.shape[0]
    count = 0
    hh = half * half
    for t in range(nt):
        mode = tasks[t, 4]
        for a in range(tasks[t, 0], tasks[t, 1]):
            b0 = a + 1 if mode == 0 else tasks[t, 2]
            for b in range(b0, tasks[t, 3]):
                if use_prim and not (pr[a] or pr[b]):
                    continue
                pp = pd[a] + pd[b]
                if abs(rr_[a] - rr_[b]) > thr + ex[a] + ex[b] + pp:
                    continue
                dx = p[b, 0] - p[a, 0]
                dy = p[b, 1] - p[a, 1]
                dz = p[b, 2] - p[a, 2]
                dd = dx * dx + dy * dy + dz * dz
                lim = thr + (sp[a] + sp[b]) * half + pp
                if dd > lim * lim:
                    continue
                ux = u[b, 0] - u[a, 0]
                uy = u[b, 1] - u[a, 1]
                uz = u[b, 2] - u[a, 2]
                vv = ux * ux + uy * uy + uz * uz
                rv = dx * ux + dy * uy + dz * uz
                tau = -rv / vv if vv > 0 else 0.0
                if tau > half:
                    tau = half
                elif tau < -half:
                    tau = -half
                lin = dd + 2 * rv * tau + vv * tau * tau
                lin = np.sqrt(lin) if lin > 0 else 0.0
                if lin > thr + 0.5 * (ac[a] + ac[b]) * hh + pp:
                    continue
                if count < cap:
                    out_i[count] = order[a]
                    out_j[count] = order[b]
                    out_tau[count] = tau
                    out_lin[count] = lin
                    out_d[count] = np.sqrt(dd)
                count += 1
    return count


def join_cells(pos, vel, r, speed, excursion, acc, pad, primary_mask, threshold_km, half_s):
    """Row pairs (a, b) passing the three tests, with the linear TCA offset,
    the linear closest distance and the sample distance."""
    n = len(pos)
    # every pair that can meet is at most one cell edge apart
    cell = threshold_km + 2 * float(speed.max()) * half_s + 2 * float(pad.max()) + 1e-6
    use_prim = primary_mask is not None
    prim = primary_mask if use_prim else np.zeros(n, dtype=np.bool_)
    cap = max(1024, 4 * n)
    while True:
        out = (np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap), np.empty(cap),
               np.empty(cap))
        count = _join(np.ascontiguousarray(pos), np.ascontiguousarray(vel), r, speed, excursion,
                      acc, pad, prim, use_prim, float(threshold_km), float(half_s), cell,
                      _FORWARD, *out)
        if count <= cap:
            return tuple(x[:count] for x in out)
        cap = 2 * count
