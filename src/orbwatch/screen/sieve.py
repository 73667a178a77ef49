"""Candidate close approaches from sampled states, with a proven bound.

The window is cut into intervals of length ``h`` centred on sample times
``t_k``; for every interval this module lists the pairs that may come within
``D`` km in it, and no pair that can is left out:

* **Speed.**  Each object's speed over ``|tau| <= h/2`` is at most ``s`` (its
  sample speed plus gravity times ``h/2``), so a pair that meets within ``D``
  is at most ``R3 = D + (s_i + s_j) h/2`` apart at ``t_k``.
* **Radius.**  Each object's distance from the Earth's centre changes over the
  interval by at most ``e = |r_dot| h/2 + |r_ddot|max (h/2)^2 / 2`` (two-body
  radial acceleration over the radii the object can reach, plus a margin for
  J2 and drag), so a pair that meets within ``D`` differs in radius by at most
  ``D + e_i + e_j`` at ``t_k``.  Near-circular objects (``e`` small, most of
  LEO) are found with one KD-tree in ``(x, y, z, W r)``, which enforces both
  bounds at once; the others are queried against all objects in 3-D with
  their own radius.
* **Line.**  Over the interval the relative motion departs from
  ``dr + dv tau`` by at most ``A/2 tau^2`` (``A`` bounds the relative
  acceleration), so a pair is kept only if the line comes within
  ``D + A/2 (h/2)^2``.
* **Interpolation.**  When states come from interpolation rather than SGP4,
  each object's position and velocity error bounds (``pos_err``,
  ``vel_err``) widen all three tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from orbwatch.screen import cells

__all__ = ["Candidates", "MU_EARTH", "ACCEL_MARGIN", "RADIAL_ACCEL_MARGIN", "sieve_step",
           "object_bounds", "SLOW_KMS", "COMPACT_KM"]

MU_EARTH = 398600.8  # km^3/s^2 (WGS72, as SGP4)
#: factor on two-body gravity covering J2 (~0.2 %) and drag (<< 0.1 %), with room
ACCEL_MARGIN = 1.01
#: km/s^2 added to the two-body radial acceleration: J2's radial part is ~1.5e-5 in LEO
RADIAL_ACCEL_MARGIN = 3e-5
#: speed bound (km/s) of the objects screened with the shared radius
SLOW_KMS = 8.4
#: radial excursion bound (km over a half step) of the objects in the radial tree
COMPACT_KM = 8.0


@dataclass
class Candidates:
    """Pairs (i < j, indices into the catalogue arrays) that may come within
    the threshold during the interval around one sample."""

    i: np.ndarray
    j: np.ndarray
    step: np.ndarray  # sample index k
    tau_s: np.ndarray  # time of linear closest approach, seconds from t_k
    d_lin_km: np.ndarray  # linear closest distance
    d_sample_km: np.ndarray  # distance at t_k

    @classmethod
    def empty(cls) -> Candidates:
        z = np.zeros(0, dtype=np.int64)
        f = np.zeros(0)
        return cls(z, z.copy(), z.copy(), f, f.copy(), f.copy())

    @classmethod
    def concat(cls, parts: list[Candidates]) -> Candidates:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, n) for p in parts])
                     for n in ("i", "j", "step", "tau_s", "d_lin_km", "d_sample_km")))

    def __len__(self) -> int:
        return len(self.i)


def object_bounds(pos: np.ndarray, vel: np.ndarray, half_s: float):
    """Per object: radius, acceleration bound, speed bound and radial
    excursion bound over ``|tau| <= half_s`` around the sample."""
    r = np.sqrt(np.einsum("ij,ij->i", pos, pos))
    v = np.sqrt(np.einsum("ij,ij->i", vel, vel))
    acc = ACCEL_MARGIN * MU_EARTH / np.maximum(0.98 * r, 6000.0) ** 2
    speed = v + acc * half_s
    rdot = np.einsum("ij,ij->i", pos, vel) / r
    reach = np.abs(rdot) * half_s + 0.5 * acc * half_s * half_s
    h2 = np.einsum("ij,ij->i", np.cross(pos, vel), np.cross(pos, vel))
    rdd = None
    for rr in (r, np.maximum(r - reach, 6000.0), r + reach):
        f = np.abs(h2 / rr**3 - MU_EARTH / rr**2)
        rdd = f if rdd is None else np.maximum(rdd, f)
    rdd = ACCEL_MARGIN * rdd + RADIAL_ACCEL_MARGIN
    excursion = np.abs(rdot) * half_s + 0.5 * rdd * half_s * half_s
    return r, acc, speed, excursion


def _pair_keys_compact(pos, r, rows, threshold_km, half, n, pad):
    """Pairs among near-circular slow objects: one KD-tree in (x, y, z, W r)."""
    r3 = threshold_km + 2 * SLOW_KMS * half + 2 * pad
    r1 = threshold_km + 2 * COMPACT_KM + 2 * pad
    w = r3 / r1
    pts = np.column_stack([pos[rows], w * r[rows]])
    tree = cKDTree(pts, leafsize=16, balanced_tree=False, compact_nodes=False)
    p = tree.query_pairs(r3 * np.sqrt(2.0), output_type="ndarray")
    if not len(p):
        return np.zeros(0, dtype=np.int64)
    return rows[p[:, 0]] * n + rows[p[:, 1]]


def _pair_keys_others(pos, speed, rows, threshold_km, half, n, pad):
    """Pairs with at least one fast or eccentric object: 3-D ball of each."""
    tree = cKDTree(pos, leafsize=16, balanced_tree=False, compact_nodes=False)
    radii = threshold_km + (speed[rows] + speed.max()) * half + pad[rows] + pad.max()
    hits = tree.query_ball_point(pos[rows], radii, return_sorted=False)
    counts = np.fromiter((len(h) for h in hits), np.int64, len(hits))
    if not counts.sum():
        return np.zeros(0, dtype=np.int64)
    a = np.repeat(rows, counts)
    b = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
    keep = a != b
    a, b = a[keep], b[keep]
    return np.unique(np.minimum(a, b) * n + np.maximum(a, b))


def sieve_step(
    pos: np.ndarray,
    vel: np.ndarray,
    index: np.ndarray,
    threshold_km: float,
    step_s: float,
    k: int,
    *,
    primary_mask: np.ndarray | None = None,
    pos_err: np.ndarray | None = None,
    vel_err: np.ndarray | None = None,
    backend: str = "auto",
) -> Candidates:
    """Candidates of one sample.  ``pos``/``vel`` (km, km/s) hold the valid
    objects only and ``index`` maps their rows to catalogue indices.

    ``primary_mask`` (rows): keep only pairs with at least one primary.
    ``pos_err``/``vel_err`` (rows, km and km/s): error bounds of interpolated states.
    ``backend``: "cells" (compiled, needs numba), "kdtree" (SciPy) or "auto".
    """
    n = len(pos)
    if n < 2:
        return Candidates.empty()
    half = step_s / 2.0
    pe = np.zeros(n) if pos_err is None else pos_err
    ve = np.zeros(n) if vel_err is None else vel_err
    pad = pe + ve * half  # widening of every distance test by interpolation errors
    r, acc, speed, excursion = object_bounds(pos, vel, half)
    speed = speed + ve
    if backend == "cells" or (backend == "auto" and cells.AVAILABLE):
        a, b, tau, lin, dsamp = cells.join_cells(pos, vel, r, speed, excursion, acc, pad,
                                                  primary_mask, threshold_km, half)
        ia, ib = index[a], index[b]
        return Candidates(np.minimum(ia, ib), np.maximum(ia, ib), np.full(len(ia), k, np.int64),
                          tau, lin, dsamp)
    compact = (speed <= SLOW_KMS) & (excursion + pad <= COMPACT_KM)
    crow, orow = np.flatnonzero(compact), np.flatnonzero(~compact)
    keys = []
    if len(crow) > 1:
        keys.append(_pair_keys_compact(pos, r, crow, threshold_km, half, n, float(pad.max())))
    if len(orow):
        keys.append(_pair_keys_others(pos, speed, orow, threshold_km, half, n, pad))
    key = np.concatenate(keys) if len(keys) > 1 else (keys[0] if keys else np.zeros(0, int))
    if not len(key):
        return Candidates.empty()
    a, b = np.divmod(key, n)
    if primary_mask is not None:
        keep = primary_mask[a] | primary_mask[b]
        a, b = a[keep], b[keep]
    # radial test
    keep = np.abs(r[a] - r[b]) <= threshold_km + excursion[a] + excursion[b] + pad[a] + pad[b]
    a, b = a[keep], b[keep]
    # linear test
    dr = pos[b] - pos[a]
    dv = vel[b] - vel[a]
    dd = np.einsum("ij,ij->i", dr, dr)
    vv = np.einsum("ij,ij->i", dv, dv)
    rv = np.einsum("ij,ij->i", dr, dv)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(vv > 0, -rv / vv, 0.0)
    tau = np.clip(tau, -half, half)
    d_lin = np.sqrt(np.maximum(dd + 2 * rv * tau + vv * tau * tau, 0.0))
    slack = 0.5 * (acc[a] + acc[b]) * half * half + pad[a] + pad[b]
    keep = d_lin <= threshold_km + slack
    a, b = a[keep], b[keep]
    ia, ib = index[a], index[b]
    return Candidates(np.minimum(ia, ib), np.maximum(ia, ib), np.full(len(ia), k, np.int64),
                      tau[keep], d_lin[keep], np.sqrt(dd[keep]))
