"""Catalogue realism for synthetic histories: when sets are published, how
wrong each one is, and the states -> element sets conversion at many epochs.

**Cadence** (:func:`catalogue_epochs`).  Each object gets its own rate,
uniform in 1-3 sets per day; intervals are that period times U(0.4, 1.6),
and one interval in 25 is stretched 2-4x (a tracking gap).  Epochs are
multiples of 864 us (1e-8 day), so every set has exact TLE epoch digits and
its TLE and OMM forms are the same set to ``identity_key``.

**Noise** (:data:`NOISE_SIGMA_KM`, :func:`perturb_states`).  The state an
element set is converted from is the true state moved by a random orbit
error, 1-sigma per regime (km):

==========  ======  ======  ======  =====
regime      radial  along   cross   a
==========  ======  ======  ======  =====
LEO          0.15    0.70    0.20   0.02
MEO          0.30    1.50    0.50   0.05
GEO          0.50    3.00    1.00   0.10
==========  ======  ======  ======  =====

Where they come from: along-track errors at epoch of the order of 1 km in
LEO (Kelso 2007, "Validation of SGP4 and IS-GPS-200D against GPS precision
ephemerides", AAS 07-127) and a few km in GEO, as asked of this simulator;
radial and cross-track smaller, close to the 1 : 3 : 1 R : T : N ratio of the
SOCRATES sigmas (CelesTrak, 100/300/100 m); the same regime anchors as the
default screening covariance (:mod:`orbwatch.screen.covariance`, sigma0 LEO
0.3-0.6 km, GEO 3 km along-track).  The semi-major-axis scatter is an
engineering value (no source): tens of metres in LEO keeps along-track
burns of ~0.1 m/s (about 150 m in a) visible between two sets, as they are
in real histories.  Tune here.

How the error is applied, so that each component stays what it claims to be:
along-track = the true state taken ``dT / v`` seconds later or earlier (the
same orbit, shifted); radial = position moved along r with the speed changed
so the energy is kept (an eccentricity error, no drift); cross-track =
position moved along the orbit normal (a tilt of the plane); semi-major axis
= speed changed by ``mu da / a^2`` in v^2.
"""

from __future__ import annotations

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.propagate.fit import (  # the fixed point of fit.py, here with one epoch per row
    MU_WGS72,
    _element_set,
    _satrec,
    _wrap,
    osculating_equinoctial,
)
from orbwatch.screen.covariance import orbit_regime
from orbwatch.time import US_PER_DAY, jd_fr

__all__ = ["NOISE_SIGMA_KM", "EPOCH_QUANTUM_US", "regime_sigmas", "catalogue_epochs",
           "along_track_shift_us", "perturb_states", "states_to_sets_at"]

#: 1-sigma (radial, along-track, cross-track, semi-major axis) in km per regime
NOISE_SIGMA_KM = {
    "LEO": (0.15, 0.70, 0.20, 0.02),
    "MEO": (0.30, 1.50, 0.50, 0.05),
    "GEO": (0.50, 3.00, 1.00, 0.10),
}
_REGIME_GROUP = {"LEO_HIGH_DRAG": "LEO", "LEO_LOW_DRAG": "LEO", "MEO": "MEO", "HEO": "MEO",
                 "GEO": "GEO"}
#: catalogue epochs are multiples of this (1e-8 day: exact TLE epoch digits)
EPOCH_QUANTUM_US = 864
_RATE_PER_DAY = (1.0, 3.0)
_GAP_PROBABILITY = 0.04
_GAP_STRETCH = (2.0, 4.0)


def regime_sigmas(mean_motion, eccentricity) -> np.ndarray:
    """(N, 4) sigmas (R, T, N, a) km of sets with these mean elements."""
    reg = np.atleast_1d(orbit_regime(np.atleast_1d(mean_motion), np.atleast_1d(eccentricity)))
    return np.array([NOISE_SIGMA_KM[_REGIME_GROUP[str(r)]] for r in reg], float)


def catalogue_epochs(rng: np.random.Generator, lo_us: int, hi_us: int) -> np.ndarray:
    """Publication epochs in [lo_us, hi_us) of one object (int64, sorted)."""
    if hi_us <= lo_us:
        return np.zeros(0, np.int64)
    period = US_PER_DAY / rng.uniform(*_RATE_PER_DAY)
    n = int((hi_us - lo_us) / period * 2.6) + 4
    steps = period * rng.uniform(0.4, 1.6, n)
    gaps = rng.random(n) < _GAP_PROBABILITY
    steps[gaps] *= rng.uniform(*_GAP_STRETCH, int(gaps.sum()))
    t = lo_us + rng.uniform(0.0, period) + np.concatenate([[0.0], np.cumsum(steps[:-1])])
    t = (t.astype(np.int64) // EPOCH_QUANTUM_US) * EPOCH_QUANTUM_US
    return t[(t >= lo_us) & (t < hi_us)]


def along_track_shift_us(rng: np.random.Generator, sigmas: np.ndarray,
                         speed_kms: np.ndarray) -> np.ndarray:
    """Time shifts (int64 us) that move each state by N(0, sigma_T) along track."""
    return np.rint(rng.standard_normal(len(sigmas)) * sigmas[:, 1] / speed_kms * 1e6) \
        .astype(np.int64)


def perturb_states(rng: np.random.Generator, r, v, sigmas: np.ndarray):
    """Radial, cross-track and semi-major-axis errors (``sigmas`` (N, 4) km)
    applied to TEME states (N, 3); returns new (r, v)."""
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    z = rng.standard_normal((len(r), 3))
    rn = np.linalg.norm(r, axis=1, keepdims=True)
    rhat = r / rn
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h, axis=1, keepdims=True)
    dr = z[:, :1] * sigmas[:, :1]
    r2 = r + dr * rhat + (z[:, 1:2] * sigmas[:, 2:3]) * nhat
    v2sq = np.sum(v * v, 1)
    a = 1.0 / (2.0 / rn[:, 0] - v2sq / MU_WGS72)
    da = z[:, 2] * sigmas[:, 3]
    # keep the energy through the radial move, then add the semi-major-axis error
    v2sq_new = v2sq + 2 * MU_WGS72 * (1 / np.linalg.norm(r2, axis=1) - 1 / rn[:, 0]) \
        + MU_WGS72 * da / (a * a)
    return r2, v * np.sqrt(v2sq_new / v2sq)[:, None]


def _sgp4_each(sats, epochs_us):
    """State of each satrec at its own epoch: (ok, r, v)."""
    jd, fr = jd_fr(epochs_us)
    r = np.empty((len(sats), 3))
    v = np.empty((len(sats), 3))
    ok = np.ones(len(sats), bool)
    for i, (s, a, b) in enumerate(zip(sats, jd, fr, strict=True)):
        e, rr, vv = s.sgp4(a, b)
        ok[i] = e == 0
        r[i], v[i] = rr, vv
    return ok, r, v


def states_to_sets_at(r, v, epochs_us, templates: list[ElementSet], *, iterations: int = 12,
                      tol_km: float = 1e-5) -> list[ElementSet | None]:
    """SGP4 mean element sets reproducing TEME states ``r``, ``v`` (N, 3), row i
    at ``epochs_us[i]``, with the B*, name and designator of ``templates[i]``.
    The fixed point of :func:`orbwatch.propagate.fit.states_to_element_sets`
    (which takes one epoch for all rows).  None where SGP4 fails at the end."""
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    epochs = np.asarray(epochs_us, np.int64)
    bstar = np.array([t.bstar for t in templates], float)
    target = osculating_equinoctial(r, v)
    x = target.copy()
    todo = np.arange(len(r))
    ok = np.zeros(len(r), bool)
    for _ in range(iterations):
        if todo.size == 0:
            break
        sats = [_satrec(x[i], bstar[i], int(epochs[i])) for i in todo]
        good, rr, vv = _sgp4_each(sats, epochs[todo])
        d = target[todo] - osculating_equinoctial(rr, vv)
        d[:, 5] = _wrap(d[:, 5])
        miss = np.linalg.norm(rr - r[todo], axis=1)
        ok[todo] = good
        done = good & (miss < tol_km)
        upd = todo[good & ~done]
        x[upd] += d[good & ~done]
        todo = todo[~done & good]
    return [_element_set(x[i], bstar[i], int(epochs[i]), t.norad, t, None) if ok[i] else None
            for i, t in enumerate(templates)]

