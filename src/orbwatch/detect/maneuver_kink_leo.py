"""Second tier for small LEO along-track burns: a placed phase kink with the drag
curvature held fixed, accepted only where drag cannot have made it.

An along-track burn ``dv`` changes the mean motion by ``dn = -3 n dv / v`` while the
position (the unwrapped mean argument of latitude ``u = M + omega``,
:func:`~orbwatch.detect.maneuver_phase.phase_series`) stays continuous: the phase
gets a *kink*.  A 0.08 m/s burn at 700 km moves the phase by ~20 km/day, far above
a TLE's ~1 km phase noise, while its ~150 m step of ``a`` and its along-track
prediction residuals stay below the first pass's threshold.

Method (the same settings for every object):

* *Fixed curvature*: drag makes the phase a slowly bending curve.  A free parabola
  in the kink fit absorbs most of a kink at the window's middle (``|x|`` is close
  to ``x^2`` there), so the curvature is held at the object's own rolling median
  of the free-parabola fits (one per interval), at least 0 (drag only speeds the
  phase up; in a short history every window holds the burn and a raising kink
  would read as negative curvature), and taken out of the phase first.
* *Placed kink*: per interval ``k``, the ``2 side`` sets around it are fitted
  (batched, Tukey-reweighted) by a line plus a change of slope at a time moved over
  a grid inside the interval; the grid point of least robust misfit places the
  kink.  Its z-score is the slope change over its standard error under the
  object's rolling quiet phase noise, divided by the spread of the *quiet* windows
  (``|z|`` below twice its low-quantile scale: a burn inflates several off-centre
  windows, which must not inflate the scale that judges it).  The smaller ``|z|``
  over ``SIDES`` (with one sign) is kept, so a bad set at a window's edge does not
  pose as a kink.
* *Discriminators*: natural forces only lower a LEO orbit (drag speeds the phase
  up: ``+``), so a second-tier kink must *slow the phase down* (raise the orbit;
  an unmodelled drag change reads as a ``+`` kink).  The semi-major axis must
  confirm it in sign and size: the one-interval change of ``a`` (own drift
  removed, robust z) has the raising sign and at least ``CONFIRM_Z``, and the
  larger of that change and the windowed step reaches the kink's implied
  ``da = -2/3 a dn / n`` divided by ``SIZE_FACTOR`` (real raising kinks without a
  burn imply 7-26 m where ``a`` moved 0.4-6 m).  And the second tier fills gaps
  only: no first-pass detection within ``GAP_DAYS``.
* *Slow sets*: where drag is weak (Jason and TOPEX at 1,336 km) the element sets
  are fitted over long spans, and after a burn of a few mm/s their ``a`` moves to
  the new value over a week or more, a ramp the one-interval and windowed steps do
  not see (Jason-1's 3.9 mm/s burn of 2007-08-19: ``a`` +1.1 m after 1.6 days,
  +4.5 m after 4, +7.8 m after 7.6, the kink implying 9.2 m).  A raising kink of at least ``LONG_KINK_Z`` is also a burn where
  the *level* of ``a`` changed by the implied amount (:func:`long_delta_a`: the sets
  ``LONG_SETTLE_DAYS`` to ``LONG_AFTER_DAYS`` after the interval against the line of
  the ``LONG_BEFORE_DAYS`` before it, its drift carried on), each side clear of
  other detections.  The kink alone at that z is common; a level change of the size
  its phase implies, held for two weeks, is not.
"""

from __future__ import annotations

import numpy as np

from orbwatch.detect.maneuver_features import LOW_NORMAL, LOW_QUANTILE, rolling_nanmedian
from orbwatch.detect.maneuver_phase import PhaseSeries, robust_lstsq

__all__ = ["SIDES", "GRID", "KINK_Z", "CONFIRM_Z", "SIZE_FACTOR", "GAP_DAYS", "LONG_KINK_Z",
           "LONG_BEFORE_DAYS", "LONG_SETTLE_DAYS", "LONG_AFTER_DAYS", "LONG_MIN_SETS",
           "fixed_curvature", "placed_kinks", "kink_scores", "kink_delta_a", "long_delta_a",
           "second_tier"]

#: sets on each side of the interval in the two fits (the smaller |z| is kept)
SIDES = (6, 5)
#: kink times tried inside each interval
GRID = 9
#: robust z-score of a raising kink that makes a second-tier detection
KINK_Z = 8.0
#: robust z-score of the one-interval change of ``a`` that must confirm it (same sign)
CONFIRM_Z = 2.5
#: the measured change of ``a`` must reach the kink's implied one divided by this
SIZE_FACTOR = 1.5
#: no first-pass detection within this many days (the second tier fills gaps)
GAP_DAYS = 3.0
#: robust z-score of a raising kink confirmed by the long-window level of ``a`` instead
LONG_KINK_Z = 5.0
#: the long windows of ``a`` (days): before the interval; after it, from / to
LONG_BEFORE_DAYS = 15.0
LONG_SETTLE_DAYS = 3.0
LONG_AFTER_DAYS = 15.0
#: fewest sets in each long window
LONG_MIN_SETS = 4
#: a long window stops this many days short of another detection
_CLEAR_DAYS = 0.5
_TUKEY = 4.685
_MAD = 1.4826
_HALF = 45


def _windows(ps: PhaseSeries, side: int):
    """Indices (K, 2 side) of the sets around every interval, their validity (same
    segment, inside the history) and whether each is after the interval."""
    n = ps.t.size
    ks = np.arange(n - 1)
    off = np.arange(-side + 1, side + 1)
    idx = ks[:, None] + off[None, :]
    idc = np.clip(idx, 0, n - 1)
    seg = ps.segment[ks]
    valid = (idx >= 0) & (idx < n) & (ps.segment[idc] == seg[:, None])
    valid &= (ps.segment[ks + 1] == seg)[:, None]
    after = np.broadcast_to(off > 0, idx.shape)
    enough = ((valid & after).sum(1) >= 3) & ((valid & ~after).sum(1) >= 3)
    return ks, idc, valid, after, enough


def fixed_curvature(ps: PhaseSeries, side: int = SIDES[0]) -> np.ndarray:
    """Per interval (K): the object's rolling median of the quadratic coefficient
    (rad/day^2) of free parabola fits to the phase around each interval (drag)."""
    ks, idc, valid, _, enough = _windows(ps, side)
    x = ps.t[idc] - ps.t[ks][:, None]
    y = np.where(valid, ps.phi[idc] - ps.phi[ks][:, None], 0.0)
    beta, _, _, _ = robust_lstsq(np.stack([np.ones_like(x), x, x**2], axis=-1), y, valid)
    c2 = rolling_nanmedian(np.where(enough, beta[:, 2], np.nan), _HALF)
    glob = np.nanmedian(beta[enough, 2]) if enough.any() else 0.0
    c2 = np.where(np.isfinite(c2), c2, glob)
    return np.maximum(c2, 0.0)


def placed_kinks(ps: PhaseSeries, side: int, curvature: np.ndarray, grid: int = GRID):
    """Per interval (K): the slope change ``b`` (rad/day, + = faster = lower orbit) of
    the best-placed kink inside the interval with the curvature fixed, its raw z-score
    (under the rolling median of the fits' residual scales) and its time (days)."""
    ks, idc, valid, after, enough = _windows(ps, side)
    frac = (np.arange(grid) + 0.5) / grid
    tau = ps.t[ks][:, None] + frac[None, :] * (ps.t[ks + 1] - ps.t[ks])[:, None]  # (K, G)
    t = ps.t[idc]  # (K, N)
    y = np.where(valid, ps.phi[idc] - ps.phi[ks][:, None]
                 - curvature[:, None] * (t - ps.t[ks][:, None]) ** 2, 0.0)
    x = t[:, None, :] - tau[:, :, None]  # (K, G, N)
    X = np.stack([np.ones_like(x), x, np.where(after[:, None, :], x, 0.0)], axis=-1)
    v = np.broadcast_to(valid[:, None, :], x.shape)
    beta, var_b, s, r = robust_lstsq(X, np.broadcast_to(y[:, None, :], x.shape), v)
    # misfit under one scale per interval (its best grid point's), so grid points compare
    s0 = np.min(s, axis=1, keepdims=True)
    rho = np.where(v, np.minimum((r / (_TUKEY * s0[..., None])) ** 2, 1.0), 0.0).sum(-1)
    j = np.argmin(rho, axis=1)
    pick = (np.arange(ks.size), j)
    b, var, scale = beta[pick][:, 2], var_b[pick], s[pick]
    noise = rolling_nanmedian(np.where(enough, scale, np.nan), _HALF)
    glob = np.nanmedian(scale[enough]) if enough.any() else 1.0
    noise = np.where(np.isfinite(noise), noise, glob)
    z = np.where(enough, b / (noise * np.sqrt(var)), 0.0)
    return np.where(enough, b, 0.0), np.nan_to_num(z), tau[pick]


def _quiet_spread(z: np.ndarray) -> float:
    """Scaled MAD of the z-scores of the quiet windows (``|z|`` below twice the
    low-quantile scale of all of them), at least 1."""
    az = np.abs(z[z != 0])
    if az.size < 4:
        return 1.0
    low = np.quantile(az, LOW_QUANTILE) / LOW_NORMAL
    quiet = az[az <= 2.0 * low]
    return max(_MAD * float(np.median(quiet)), 1.0) if quiet.size >= 4 else 1.0


def kink_scores(ps: PhaseSeries, sides=SIDES):
    """Per interval (K): slope change (rad/day, + = lower orbit), its z-score (the
    smaller |z| over ``sides``, 0 where they disagree in sign) and the kink time
    (days from the first set, from the widest fit)."""
    if ps.t.size < 2:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    curv = fixed_curvature(ps, sides[0])
    fits = [placed_kinks(ps, side, curv) for side in sides]
    zs = np.stack([z / _quiet_spread(z) for _, z, _ in fits])
    same = np.all(np.sign(zs) == np.sign(zs[0]), axis=0)
    z = np.where(same, np.sign(zs[0]) * np.min(np.abs(zs), axis=0), 0.0)
    return fits[0][0], z, fits[0][2]


def kink_delta_a(ps: PhaseSeries, rate: np.ndarray) -> np.ndarray:
    """Semi-major-axis change (km, per interval) implied by a phase-rate change ``rate``
    (rad/day): ``da = -2/3 a dn / n``."""
    return -2.0 / 3.0 * ps.a_km[:-1] * rate / ps.n[:-1]


def long_delta_a(ps: PhaseSeries, k: int, others_days=()) -> tuple[float, float]:
    """Change of the level of ``a`` (km) across interval ``k`` and the drift of ``a``
    before it (km/day): the median of the sets ``LONG_SETTLE_DAYS`` to
    ``LONG_AFTER_DAYS`` after the interval minus that of the sets up to
    ``LONG_BEFORE_DAYS`` before it, both about the line fitted to the sets before (the
    drift, carried on).  Each window stops ``_CLEAR_DAYS`` short of any of
    ``others_days`` (other detections, days from the first set).  NaN with fewer than
    ``LONG_MIN_SETS`` sets in a window."""
    t, a = ps.t, ps.a_km
    lo, hi = t[k] - LONG_BEFORE_DAYS, t[k + 1] + LONG_AFTER_DAYS
    others = np.asarray(others_days, dtype=float)
    if others[others < t[k]].size:
        lo = max(lo, float(others[others < t[k]].max()) + _CLEAR_DAYS)
    if others[others > t[k + 1]].size:
        hi = min(hi, float(others[others > t[k + 1]].min()) - _CLEAR_DAYS)
    before = (t >= lo) & (t <= t[k])
    after = (t >= t[k + 1] + LONG_SETTLE_DAYS) & (t <= hi)
    if before.sum() < LONG_MIN_SETS or after.sum() < LONG_MIN_SETS:
        return float("nan"), float("nan")
    line = np.polyfit(t[before] - t[k], a[before], 1)
    return (float(np.median(a[after] - np.polyval(line, t[after] - t[k]))
                  - np.median(a[before] - np.polyval(line, t[before] - t[k]))),
            float(line[0]))


def second_tier(ps: PhaseSeries, z_a: np.ndarray, da_km: np.ndarray, first_days, *,
                level: float = KINK_Z,
                long_level: float = LONG_KINK_Z) -> list[tuple[int, float, float, float, bool]]:
    """Second-tier burns: intervals whose placed kink raises the orbit and whose
    semi-major axis confirms it, either at once (``z <= -level``; the one-interval
    change, robust z ``z_a``, reaches ``CONFIRM_Z`` with the raising sign, and the
    measured change ``da_km``, km, the larger of the one-interval and the windowed
    step, is at least ``1 / SIZE_FACTOR`` of the kink's) or over two weeks
    (``z <= -long_level``; :func:`long_delta_a`, clear of the first pass's detections,
    is at least ``1 / SIZE_FACTOR`` of the kink's).  A phase-rate change that the
    orbit's size does not show is not a burn.  None within ``GAP_DAYS`` of a first-pass
    detection (``first_days``, days from the first set), one per ``GAP_DAYS``.
    Returns ``(k, kink time in days, |z|, the kink's change of a in km, whether only
    the two weeks confirm it)`` per burn, in time order."""
    rate, z, tau = kink_scores(ps)
    implied = kink_delta_a(ps, rate)
    first = np.asarray(first_days, dtype=float)
    at_once = (z <= -level) & (z_a >= CONFIRM_Z) & (da_km * SIZE_FACTOR >= implied)
    ok = at_once.copy()
    for k in np.flatnonzero((z <= -long_level) & ~ok):
        if first.size == 0 or np.min(np.abs(first - tau[k])) >= GAP_DAYS:
            step, drift = long_delta_a(ps, int(k), first)
            # a drift carried on over the window after must stay below the change it
            # tests (drag varies: a quieter atmosphere after a storm reads as a raising)
            ok[k] = step * SIZE_FACTOR >= implied[k] >= abs(drift) * LONG_AFTER_DAYS
    out: list[tuple[int, float, float, float, bool]] = []
    # strongest first, those confirmed at once before those confirmed over two weeks
    # (a stronger kink next to a burn's own interval fails the one-interval check, and
    # the burn's level change is in its long windows too)
    ks = np.flatnonzero(ok)
    for k in ks[np.lexsort((z[ks], ~at_once[ks]))]:
        taken = np.r_[first, [o[1] for o in out]]
        if taken.size and np.min(np.abs(taken - tau[k])) < GAP_DAYS:
            continue
        out.append((int(k), float(tau[k]), float(-z[k]), float(implied[k]), not at_once[k]))
    return sorted(out)
