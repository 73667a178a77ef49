"""Two-dimensional collision probability (Pc) of a conjunction at TCA.

Units: **metres** throughout (positions m, velocities m/s, covariances m^2;
the velocity blocks of 6x6 covariances are ignored), as in CCSDS CDMs and
NASA CARA's reference cases; callers holding km multiply by 1e3 (km^2 by
1e6).  Both covariances must be in the inertial frame of the states.

Short-encounter model (Foster & Estes 1992, Chan 1997): the combined position
covariance C1 + C2 is projected on the encounter plane (perpendicular to the
relative velocity) and the 2D Gaussian of the miss vector integrated over the
hard-body region.  Encounter frame as CARA: y along v = v1 - v2, z along
r x v (r = r1 - r2), x = y x z (the miss direction).

* :func:`pc2d_foster`: the 2D integral as a 1D integral of error functions
  along the major principal axis in the angle variable x = xm + R cos(t) (no
  square-root end points), adaptive Gauss-Kronrod to ~1e-11 with break points
  at the density peak and the chord edges.  ``"square"`` (half-width R) and
  ``"squareEquArea"`` (R*sqrt(pi)/2) are aligned with the encounter x/z axes,
  as in CARA's Pc2D_Foster.
* :func:`pc_circle`: CARA PcCircle, 64-point Gauss-Chebyshev quadrature of the
  same integral where accurate, else adaptive; its squares are the analytic
  error-function products over squares aligned with the principal axes.
* :func:`pc_elrod`: Elrod's Gauss-Chebyshev quadrature in the reverse-Cholesky
  frame (CARA PcElrod).  :func:`pc2d_foster_batch`: K encounters at once.

Non-positive-definite projected covariances are remediated as CARA does
(eigenvalues below (1e-4 HBR)^2 clipped) and flagged ``remediated``.  Zero
relative velocity gives NaN; a zero miss distance is fine.  Maximum Pc:
:func:`max_pc_dilution` (unknown covariance scale, CARA DilutionMaxPc),
:func:`max_pc_unknown_covariance` (Alfano 2005, SOCRATES' "maxProb") and
:func:`frisbee_max_pc` (one covariance unknown, CARA FrisbeeMaxPc).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import integrate, optimize, special

__all__ = [
    "SHAPES", "PcResult", "PcBatch", "EncounterPlane", "encounter_plane", "pc2d_foster",
    "pc2d_foster_batch", "pc_circle", "pc_elrod", "DilutionResult", "max_pc_dilution",
    "UnknownCovarianceMaxPc", "max_pc_unknown_covariance", "FrisbeeResult", "frisbee_max_pc",
]

SHAPES = ("circle", "square", "squareEquArea")
CLIP_FACTOR = 1e-4  # CARA: eigenvalues clipped at (1e-4 * HBR)^2
_SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class PcResult:
    """One Pc with what it was computed from.  Distances in metres."""

    pc: float
    method: str  # "foster-2d" | "circle-gc64" | "elrod-gc64" | ...
    shape: str
    hbr_m: float
    miss_m: float  # miss distance in the encounter plane
    relative_speed_m_s: float
    sigma_x_m: float  # major principal sigma of the projected combined covariance
    sigma_z_m: float  # minor principal sigma
    remediated: bool  # an eigenvalue was clipped (non-positive-definite input)
    pos_def: bool = True
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PcBatch:
    """Pc of K encounters (arrays of shape (K,)); distances in metres."""

    pc: np.ndarray
    miss_m: np.ndarray
    relative_speed_m_s: np.ndarray
    sigma_x_m: np.ndarray
    sigma_z_m: np.ndarray
    remediated: np.ndarray
    method: str
    shape: str


@dataclass(frozen=True, eq=False)
class EncounterPlane:
    """K encounters: ``basis`` (K, 3, 3) unit x, y, z as rows; ``miss`` (K, 2) the
    miss (x, z); ``cov`` (K, 2, 2) the remediated projected covariance; ``sigma``
    (K, 2) its principal sigmas (major, minor); ``axes`` (K, 2, 2) as columns."""

    basis: np.ndarray
    miss: np.ndarray
    cov: np.ndarray
    sigma: np.ndarray
    axes: np.ndarray
    speed: np.ndarray
    remediated: np.ndarray

    @property
    def miss_principal(self) -> np.ndarray:
        """|miss| components along the (major, minor) axes, (K, 2), both >= 0."""
        return np.abs(np.einsum("kij,ki->kj", self.axes, self.miss))


def _vec(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(1, 3) if a.shape == (3,) else a
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"{name} must be (3,) or (K, 3), got {a.shape}")
    return a


def _pos_cov(c, name: str) -> np.ndarray:
    c = np.zeros((3, 3)) if c is None else np.asarray(c, dtype=np.float64)
    c = c[None] if c.ndim == 2 else c
    if c.ndim != 3 or c.shape[1:] not in ((3, 3), (6, 6)):
        raise ValueError(f"{name} must be 3x3 or 6x6 (or stacks of them), got {c.shape}")
    return c[:, :3, :3]


def _one(r1, v1, c1, r2, v2, c2):
    """One conjunction's inputs: states (3,), position covariances (3, 3)."""
    out = [_vec(r1, "r1_m"), _vec(v1, "v1_m_s"), _pos_cov(c1, "cov1_m2"),
           _vec(r2, "r2_m"), _vec(v2, "v2_m_s"), _pos_cov(c2, "cov2_m2")]
    if any(len(a) != 1 for a in out):
        raise ValueError("one conjunction expected; use pc2d_foster_batch for many")
    return [a[0] for a in out]


def _basis(r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Encounter-frame unit vectors (K, 3, 3) as rows x, y, z and |v| (K,)."""
    speed = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = v / speed[:, None]
        h = np.cross(r, v)
        hn = np.linalg.norm(h, axis=1)
        # zero miss (or r parallel to v): any axis perpendicular to v will do
        flat = hn <= 1e-13 * np.linalg.norm(r, axis=1) * speed
        e = np.eye(3)[np.argmin(np.abs(np.nan_to_num(y)), axis=1)]
        h = np.where(flat[:, None], np.cross(y, e), h)
        z = h / np.linalg.norm(h, axis=1)[:, None]
    return np.stack([np.cross(y, z), y, z], axis=1), speed


def _project(basis: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """(K, 3, 3) covariances to (K, 2, 2) on the encounter x/z axes, symmetrised."""
    pxz = basis[:, [0, 2], :]
    c2 = np.einsum("kai,kij,kbj->kab", pxz, cov, pxz)
    return 0.5 * (c2 + np.swapaxes(c2, 1, 2))


def encounter_plane(r_rel_m, v_rel_m_s, cov_m2, hbr_m, *,
                    clip_factor: float = CLIP_FACTOR) -> EncounterPlane:
    """Project K combined covariances (K, 3, 3) m^2 on the encounter planes of the
    relative states ``r1 - r2`` (K, 3) m and ``v1 - v2`` (K, 3) m/s."""
    r = _vec(r_rel_m, "r_rel_m")
    v = _vec(v_rel_m_s, "v_rel_m_s")
    cov = _pos_cov(cov_m2, "cov_m2")
    k = max(len(r), len(v), len(cov))
    r, v = np.broadcast_to(r, (k, 3)), np.broadcast_to(v, (k, 3))
    cov = np.broadcast_to(cov, (k, 3, 3))
    hbr = np.broadcast_to(np.asarray(hbr_m, dtype=np.float64), (k,))
    basis, speed = _basis(r, v)
    miss = np.einsum("kai,ki->ka", basis[:, [0, 2], :], r)
    c2 = _project(basis, cov)
    good = np.isfinite(c2).all(axis=(1, 2))
    lam, vec = np.linalg.eigh(np.where(good[:, None, None], c2, np.eye(2)))
    lam = np.where(good[:, None], lam, np.nan)
    clip = (clip_factor * hbr) ** 2
    remediated = (lam < clip[:, None]).any(axis=1) & np.isfinite(hbr)
    lam = np.where(lam < clip[:, None], clip[:, None], lam)
    lam, vec = lam[:, ::-1], vec[:, :, ::-1]  # major first
    crem = np.einsum("kij,kj,klj->kil", vec, lam, vec)
    with np.errstate(invalid="ignore"):
        sigma = np.sqrt(lam)
    return EncounterPlane(basis, miss, crem, sigma, vec, speed, remediated)


def _erf_diff(a, b):
    """erf(a) - erf(b) without cancellation in the tails."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    out = special.erf(a) - special.erf(b)
    out = np.where((a >= 0) & (b >= 0), special.erfc(b) - special.erfc(a), out)
    return np.where((a <= 0) & (b <= 0), special.erfc(-a) - special.erfc(-b), out)


def _circle_integrand(t, xm, zm, sx, sz, R):
    """Integrand over the angle t in (0, pi) of the Pc of a circle of radius R
    centred at (xm, zm) in principal axes (sigmas sx, sz)."""
    x = xm + R * np.cos(t)
    h = R * np.sin(t)
    px = np.exp(-0.5 * (x / sx) ** 2) / (sx * math.sqrt(2.0 * math.pi))
    pz = 0.5 * _erf_diff((zm + h) / (_SQRT2 * sz), (zm - h) / (_SQRT2 * sz))
    return h * px * pz


def _gc_nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Chebyshev (second kind) nodes in the angle variable and weights."""
    t = np.arange(1, order + 1) * (math.pi / (order + 1))
    return t, np.full(order, math.pi / (order + 1))


def _circle_gc(xm, zm, sx, sz, R, order: int) -> np.ndarray:
    t, w = _gc_nodes(order)
    f = _circle_integrand(t[None, :], xm[:, None], zm[:, None], sx[:, None],
                          sz[:, None], R[:, None])
    return f @ w


def _quad(fun, a: float, b: float, points) -> tuple[float, bool]:
    pts = sorted(p for p in points if a < p < b)
    res = integrate.quad(fun, a, b, points=pts or None, epsabs=0.0, epsrel=1e-11,
                         limit=400, full_output=1)
    return float(res[0]), len(res) < 4  # a 4th item is a message: not converged


def _rowwise(specs) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive integrals, one per (integrand, a, b, break points) spec (None: NaN)."""
    out, ok = np.full(len(specs), np.nan), np.ones(len(specs), bool)
    for i, spec in enumerate(specs):
        if spec is not None:
            out[i], ok[i] = _quad(*spec)
    return out, ok


def _circle_spec(xm, zm, sx, sz, R):
    if not np.isfinite([xm, zm, sx, sz, R]).all():
        return None
    pts = [math.pi / 2]
    if xm < R:
        pts.append(math.acos(-xm / R))  # the density peak x = 0
    if zm < R:
        pts += [math.asin(zm / R), math.pi - math.asin(zm / R)]  # the chord reaches z = 0
    return partial(_circle_integrand, xm=xm, zm=zm, sx=sx, sz=sz, R=R), 0.0, math.pi, pts


def _square_integrand(x, sx, k, s, z0, a):
    m = k * x
    return (math.exp(-0.5 * (x / sx) ** 2) / (sx * math.sqrt(2 * math.pi)) * 0.5
            * float(_erf_diff((z0 + a - m) / (_SQRT2 * s), (z0 - a - m) / (_SQRT2 * s))))


def _square_spec(miss, cov, a):
    """Square |x - x0| <= a, |z - z0| <= a in encounter axes: the marginal in x
    times the conditional probability of z given x."""
    (x0, z0), ((cxx, cxz), (_, czz)) = miss, cov
    if not np.isfinite([x0, z0, cxx, cxz, czz, a]).all():
        return None
    sx, k = math.sqrt(cxx), cxz / cxx
    s = math.sqrt(max(czz - cxz * k, 0.0)) or 1e-300
    return partial(_square_integrand, sx=sx, k=k, s=s, z0=z0, a=a), x0 - a, x0 + a, [0.0]


def _gc_is_accurate(xm, sx, sz, R) -> np.ndarray:
    """Cases where 64-point GC quadrature matches the adaptive integral (CARA's
    test on the x extent, plus a circle not much wider than the minor sigma)."""
    xlo, xhi = xm - R, xm + R
    return (xlo > -4 * sx) & (xhi < np.maximum(xlo, 0.0) + 4 * sx) & (R <= 2 * sz)


def _square_principal(xm, zm, sx, sz, half) -> np.ndarray:
    ex = _erf_diff((xm + half) / (_SQRT2 * sx), (xm - half) / (_SQRT2 * sx))
    ez = _erf_diff((zm + half) / (_SQRT2 * sz), (zm - half) / (_SQRT2 * sz))
    return 0.25 * ex * ez


def _elrod(miss, cov, sigma, R, order: int) -> np.ndarray:
    """Elrod: reverse Cholesky C = U U^T (U upper triangular); z = u3 * s, and x
    given s is normal with mean u2 * s and sigma u1; GC quadrature over s.
    u1^2 = det(C) / czz is taken from the eigenvalues (no cancellation)."""
    u3 = np.sqrt(cov[:, 1, 1])
    u2 = cov[:, 0, 1] / u3
    u1 = sigma[:, 0] * sigma[:, 1] / u3
    x0 = np.hypot(miss[:, 0], miss[:, 1])
    t, w = _gc_nodes(order)
    s = (R / u3)[:, None] * np.cos(t)[None, :]  # standardised z in [-R/u3, R/u3]
    rad = R[:, None] * np.sin(t)[None, :]       # half-chord along x
    m = u2[:, None] * s
    d = _SQRT2 * u1[:, None]
    px = 0.5 * _erf_diff((x0[:, None] + rad - m) / d, (x0[:, None] - rad - m) / d)
    f = np.exp(-0.5 * s ** 2) / math.sqrt(2 * math.pi) * px * (R / u3)[:, None] * np.sin(t)
    return f @ w


def _check_shape(shape: str) -> str:
    for s in SHAPES:
        if shape.lower() == s.lower():
            return s
    raise ValueError(f"shape must be one of {SHAPES}, not {shape!r}")


def _compute(r, v, cov, hbr, shape: str, method: str, order: int = 64):
    """(pc (K,), plane, notes per row) for relative states and combined covariance."""
    shape = _check_shape(shape)
    ep = encounter_plane(r, v, cov, hbr)
    k = len(ep.speed)
    R = np.broadcast_to(np.asarray(hbr, dtype=np.float64), (k,)).astype(float)
    (xm, zm), (sx, sz) = ep.miss_principal.T, ep.sigma.T
    ok = np.ones(k, bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "elrod":
            pc = _elrod(ep.miss, ep.cov, ep.sigma, R, order)
        elif shape != "circle":
            half = R * (math.sqrt(math.pi) / 2 if shape == "squareEquArea" else 1.0)
            if method == "foster":
                pc, ok = _rowwise([_square_spec(*a) for a in zip(ep.miss, ep.cov, half,
                                                                 strict=True)])
            else:
                pc = _square_principal(xm, zm, sx, sz, half)
        else:
            pc = np.full(k, np.nan)
            gc = _gc_is_accurate(xm, sx, sz, R) if method == "gc" else np.zeros(k, bool)
            if gc.any():
                pc[gc] = _circle_gc(xm[gc], zm[gc], sx[gc], sz[gc], R[gc], order)
            rest = np.flatnonzero(~gc)
            if rest.size:
                pc[rest], ok[rest] = _rowwise([_circle_spec(xm[i], zm[i], sx[i], sz[i], R[i])
                                               for i in rest])
    pc = np.clip(pc, 0.0, 1.0)
    pc = np.where(R == 0, 0.0, np.where(np.isinf(R), 1.0, pc))
    pc = np.where(ep.speed > 0, pc, np.nan)
    texts = ("zero relative velocity: no encounter plane, Pc undefined",
             f"projected covariance not positive definite: eigenvalues clipped to "
             f"({CLIP_FACTOR:g}*HBR)^2", "adaptive integration did not reach its tolerance")
    notes = [tuple(t for t, bad in zip(texts, flags, strict=True) if bad)
             for flags in zip(~(ep.speed > 0), ep.remediated, ~ok, strict=True)]
    return pc, ep, notes


_METHODS = ("foster", "gc", "elrod")


def _label(method: str, shape: str, order: int) -> str:
    if method == "foster":
        return "foster-2d"
    if method == "elrod":
        return f"elrod-gc{order}"
    return f"circle-gc{order}" if shape == "circle" else "circle-analytic-square"


def _single(r1, v1, c1, r2, v2, c2, hbr_m, shape, method, order=64) -> PcResult:
    r1, v1, c1, r2, v2, c2 = _one(r1, v1, c1, r2, v2, c2)
    pc, ep, notes = _compute(r1 - r2, v1 - v2, c1 + c2, float(hbr_m), shape, method, order)
    return PcResult(
        pc=float(pc[0]), method=_label(method, _check_shape(shape), order),
        shape=_check_shape(shape), hbr_m=float(hbr_m),
        miss_m=float(np.hypot(*ep.miss[0])), relative_speed_m_s=float(ep.speed[0]),
        sigma_x_m=float(ep.sigma[0, 0]), sigma_z_m=float(ep.sigma[0, 1]),
        remediated=bool(ep.remediated[0]),
        pos_def=bool(np.isfinite(ep.sigma[0, 1]) and ep.sigma[0, 1] > 0),
        notes=notes[0])


def pc2d_foster(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m: float, *,
                shape: str = "circle") -> PcResult:
    """2D Pc (Foster) of one conjunction, integrated to ~1e-10 relative.

    States (3,) in m and m/s, covariances 3x3 or 6x6 in m^2 (same inertial
    frame), ``hbr_m`` the combined hard-body radius in metres.  ``shape``:
    ``"circle"``, ``"square"`` or ``"squareEquArea"`` (squares aligned with
    the encounter-frame x/z axes, as CARA's Pc2D_Foster).
    """
    return _single(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, shape, "foster")


def pc_circle(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m: float, *,
              shape: str = "circle", order: int = 64) -> PcResult:
    """CARA PcCircle: Gauss-Chebyshev quadrature of ``order`` points where
    accurate (else adaptive); ``"squareEquArea"``/``"square"`` are the analytic
    equal-area / circumscribing squares aligned with the principal axes.
    Units as :func:`pc2d_foster`."""
    return _single(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, shape, "gc", order)


def pc_elrod(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m: float, *,
             order: int = 64) -> PcResult:
    """Elrod's Gauss-Chebyshev Pc (CARA PcElrod, default order 64), circle only.
    Units as :func:`pc2d_foster`."""
    return _single(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, "circle",
                   "elrod", order)


def pc2d_foster_batch(r_rel_m, v_rel_m_s, cov_m2, hbr_m, *, shape: str = "circle",
                      method: str = "gc", order: int = 64) -> PcBatch:
    """Pc of K encounters at once.

    ``r_rel_m`` (K, 3) = r1 - r2 in m, ``v_rel_m_s`` (K, 3) = v1 - v2 in m/s,
    ``cov_m2`` (K, 3, 3) (or (K, 6, 6)) the combined covariance C1 + C2 in m^2,
    ``hbr_m`` scalar or (K,) metres.  ``method="gc"`` (default, PcCircle:
    vectorised Gauss-Chebyshev with adaptive fallback), ``"foster"`` (adaptive
    for every row) or ``"elrod"``.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, not {method!r}")
    pc, ep, _ = _compute(r_rel_m, v_rel_m_s, cov_m2, hbr_m, shape, method, order)
    return PcBatch(pc=pc, miss_m=np.hypot(ep.miss[:, 0], ep.miss[:, 1]),
                   relative_speed_m_s=ep.speed, sigma_x_m=ep.sigma[:, 0],
                   sigma_z_m=ep.sigma[:, 1], remediated=ep.remediated,
                   method=_label(method, _check_shape(shape), order), shape=_check_shape(shape))


@dataclass(frozen=True)
class DilutionResult:
    """Pc over an unknown covariance scale (CARA DilutionMaxPc).  ``scale``
    multiplies the sigmas (covariance by scale**2) where ``pc_max`` is reached;
    ``diluted``: the nominal Pc lies in the dilution region (maximum at a scale
    below 1, larger by more than ``tol``); ``flag`` is CARA's code: 0 none,
    1 secondary, 10 primary, 11 both/combined diluted."""

    pc_nominal: float
    pc_max: float
    scale: float
    diluted: bool
    flag: int
    scaling: str
    notes: tuple[str, ...] = ()


def _refine_tca(r1, v1, r2, v2):
    """Move both states by linear motion to the time of least separation."""
    r, v = r1 - r2, v1 - v2
    vv = float(v @ v)
    t = -float(r @ v) / vv if vv > 0 else 0.0
    return r1 + v1 * t, r2 + v2 * t


def _dilution_one(r, v, c1, c2, hbr, pri: bool, sec: bool, tol: float):
    """(pc_nominal, pc_max, scale, diluted) scaling the primary and/or secondary."""
    def pcs(scale):
        f = np.atleast_1d(scale) ** 2
        one = np.ones_like(f)
        cov = (c1[None] * (f if pri else one)[:, None, None]
               + c2[None] * (f if sec else one)[:, None, None])
        return pc2d_foster_batch(np.broadcast_to(r, (len(f), 3)),
                                 np.broadcast_to(v, (len(f), 3)), cov, hbr).pc

    pc1 = float(pcs(1.0)[0])
    if not np.isfinite(pc1):
        return pc1, math.nan, math.nan, False
    if (pri and not c1.any() and not sec) or (sec and not c2.any() and not pri):
        return pc1, pc1, 1.0, False  # a zero covariance cannot be scaled down
    miss = float(np.linalg.norm(r))
    if pri and sec and miss <= hbr:  # both to zero: hard-body collision (or grazing)
        pmax = 1.0 if miss < hbr else 0.5
        return pc1, pmax, 0.0, not math.isclose(pc1, pmax, rel_tol=tol)
    logs = np.linspace(-5.0, 3.0, 161)
    grid = pcs(10.0 ** logs)
    i = int(np.nanargmax(grid))
    lo, hi = logs[max(i - 1, 0)], logs[min(i + 1, len(logs) - 1)]
    best = optimize.minimize_scalar(lambda s: -float(pcs(10.0 ** s)[0]), bounds=(lo, hi),
                                    method="bounded", options={"xatol": 1e-6})
    smax, pmax = (10.0 ** best.x, -best.fun) if -best.fun >= grid[i] else (10 ** logs[i],
                                                                          grid[i])
    if pmax <= pc1:
        smax, pmax = 1.0, pc1
    diluted = smax < 1.0 and (pmax - pc1) > tol * pmax
    return pc1, float(pmax), float(smax), bool(diluted)


def max_pc_dilution(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m: float, *,
                    scaling: str = "both", refine_tca: bool = True,
                    tol: float = 1e-3) -> DilutionResult:
    """Maximum 2D Pc over a scale factor of the covariance (Alfano 2005; CARA
    DilutionMaxPc, whose defaults these are).

    ``scaling``: ``"both"`` (the combined covariance), ``"primary"``,
    ``"secondary"`` or ``"separate"`` (each alone; the larger diluted maximum
    is reported).  ``refine_tca`` first moves both states by linear motion to
    the exact closest approach.  Units as :func:`pc2d_foster`.
    """
    r1, v1, c1, r2, v2, c2 = _one(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2)
    if refine_tca:
        r1, r2 = _refine_tca(r1, v1, r2, v2)
    r, v, hbr = r1 - r2, v1 - v2, float(hbr_m)
    kinds = {"both": ((True, True),), "primary": ((True, False),),
             "secondary": ((False, True),), "separate": ((True, False), (False, True))}
    if scaling not in kinds:
        raise ValueError(f"scaling must be one of {tuple(kinds)}, not {scaling!r}")
    runs = [_dilution_one(r, v, c1, c2, hbr, p, s, tol) for p, s in kinds[scaling]]
    codes = {(True, True): 11, (True, False): 10, (False, True): 1}
    flag = sum(codes[k] for k, run in zip(kinds[scaling], runs, strict=True) if run[3])
    diluted = [run for run in runs if run[3]]
    _, pmax, smax, _ = max(diluted, key=lambda run: run[1]) if diluted else (0, runs[0][0],
                                                                              1.0, 0)
    notes = () if math.isfinite(runs[0][0]) else ("Pc undefined (zero relative velocity)",)
    return DilutionResult(runs[0][0], pmax, smax, bool(diluted), flag, scaling, notes)


@dataclass(frozen=True)
class UnknownCovarianceMaxPc:
    """Alfano's maximum Pc over the scale of an unknown covariance of fixed
    aspect ratio, miss along its major axis; the sigmas where it is reached."""

    pc_max: float
    sigma_major_m: float
    sigma_minor_m: float
    pc_max_approx: float  # aspect_ratio * HBR^2 / (e * miss^2), valid for miss >> HBR


def max_pc_unknown_covariance(miss_m: float, hbr_m: float, *,
                              aspect_ratio: float = 1.0) -> UnknownCovarianceMaxPc:
    """Maximum Pc over every scale of an unknown covariance (Alfano 2005,
    "Relating position uncertainty to maximum conjunction probability").

    For a circular covariance (``aspect_ratio=1``) and miss >> HBR this is
    HBR^2 / (e * miss^2), reached at sigma = miss / sqrt(2); the exact value
    integrates the Gaussian over the circle.  A miss inside the HBR gives 1
    (0.5 when equal), the limit of a vanishing covariance.
    """
    d, R, ar = float(miss_m), float(hbr_m), float(aspect_ratio)
    if ar < 1:
        raise ValueError("aspect_ratio is major/minor sigma, >= 1")
    approx = ar * R * R / (math.e * d * d) if d > 0 else math.inf
    if d <= R:
        return UnknownCovarianceMaxPc(1.0 if d < R else 0.5, 0.0, 0.0, approx)

    def neg(log_s):
        s = 10.0 ** log_s
        return -_quad(*_circle_spec(d, 0.0, s, s / ar, R))[0]

    center = math.log10(d / _SQRT2)
    best = optimize.minimize_scalar(neg, bounds=(center - 2, center + 2), method="bounded",
                                    options={"xatol": 1e-8})
    s = 10.0 ** best.x
    return UnknownCovarianceMaxPc(float(-best.fun), s, s / ar, approx)


@dataclass(frozen=True)
class FrisbeeResult:
    """Frisbee's maximum Pc with one covariance unknown: that covariance is
    replaced by ``variance_m2`` along the miss direction (0 when the known
    covariance's Mahalanobis miss ``ka`` is at most 1)."""

    pc_max: float
    unknown: str  # "primary" | "secondary"
    ka: float
    variance_m2: float
    result: PcResult


def frisbee_max_pc(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m: float, *,
                   shape: str = "circle", unknown: str | None = None) -> FrisbeeResult:
    """Maximum Pc with one covariance unknown (Frisbee; CARA FrisbeeMaxPc).

    Pass ``None`` (or zeros) for the unknown covariance, or name it with
    ``unknown="primary"|"secondary"``.  When both are given and ``unknown`` is
    None, the one whose counterpart puts the miss further out (larger Ka) is
    replaced, as CARA does.  The Pc is :func:`pc_circle` (``shape`` as there).
    Units as :func:`pc2d_foster`.
    """
    r1, v1, c1, r2, v2, c2 = _one(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2)
    basis, _ = _basis((r1 - r2)[None], (v1 - v2)[None])
    miss = basis[0, [0, 2], :] @ (r1 - r2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ka = [math.sqrt(max(float(miss @ np.linalg.solve(_project(basis, c[None])[0], miss)),
                            0.0)) if c.any() else math.nan for c in (c2, c1)]
    if unknown is None:
        unknown = ("primary" if not c1.any() else "secondary" if not c2.any()
                   else ("primary" if np.nan_to_num(ka[0]) >= np.nan_to_num(ka[1])
                         else "secondary"))
    if unknown not in ("primary", "secondary"):
        raise ValueError("unknown must be 'primary' or 'secondary'")
    j = 0 if unknown == "primary" else 1
    if math.isnan(ka[j]):
        raise ValueError("the known covariance is zero: no maximum Pc can be formed")
    vc = 0.0
    if ka[j] > 1:
        vc = float(miss @ miss) * (ka[j] ** 2 - 1) / ka[j] ** 2
        u = (miss / np.linalg.norm(miss)) @ basis[0, [0, 2], :]
        new = vc * np.outer(u, u)
        c1, c2 = (new, c2) if j == 0 else (c1, new)
    res = pc_circle(r1, v1, c1, r2, v2, c2, hbr_m, shape=shape)
    return FrisbeeResult(res.pc, unknown, float(ka[j]), vc, res)
