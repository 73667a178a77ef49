"""What a detected manoeuvre is: its type from the delta-v split, and the calibrated
confidence of its score.

* :func:`classify`: near GEO north-south station keeping where the normal component
  dominates, otherwise east-west station keeping or, above a drift of 0.5 deg/day,
  a relocation; elsewhere a plane change, orbit raising or lowering (along-track
  dominant) or an eccentricity change (radial dominant).
* :func:`confidence`: a logistic in the log of the score over the threshold, fitted
  once to the pooled Shorten benchmark (``benchmarks/maneuvers.py`` prints its
  calibration table).
"""

from __future__ import annotations

import math

__all__ = ["CONFIDENCE_BIAS", "CONFIDENCE_SLOPE", "CONFIDENCE_CAP_LOG", "classify", "confidence"]

#: calibrated confidence: a logistic fit over the 605 detections of the benchmark
#: (+-1 day) when it was made; not refitted since (the calibration table printed by
#: the benchmark shows how well it still holds)
CONFIDENCE_BIAS = -0.11
CONFIDENCE_SLOPE = 0.97
CONFIDENCE_CAP_LOG = 2.5


def classify(regime: str, dv_r: float, dv_t: float, dv_n: float, da: float, a: float) -> str:
    """The type of a burn from its radial, along-track (signed) and normal delta-v
    (km/s), its change of semi-major axis ``da`` and semi-major axis ``a`` (km)."""
    in_plane = math.hypot(dv_r, dv_t)
    if regime == "geo":
        if dv_n > in_plane:
            return "geo_ns_station_keeping"
        drift_deg_day = abs(1.5 * da / a) * 360.0 * (86400.0 / 86164.09)
        return "geo_relocation" if drift_deg_day > 0.5 else "geo_ew_station_keeping"
    if dv_n > in_plane:
        return "plane_change"
    if abs(dv_t) >= dv_r:
        return "orbit_raising" if dv_t > 0 else "orbit_lowering"
    return "eccentricity_change"


def confidence(score: float, threshold: float) -> float:
    """Probability that a detection is a logged manoeuvre within +-1 day: a logistic in
    ``log(score / threshold)`` (saturating at ``CONFIDENCE_CAP_LOG``; larger scores are
    no more often right: they include unlogged relocations and late-published GEO
    north-south burns), fitted once to the pooled Shorten benchmark (see
    ``benchmarks/maneuvers.py``, which prints the calibration table)."""
    x = min(math.log(max(score, 1e-12) / threshold), CONFIDENCE_CAP_LOG)
    return float(1.0 / (1.0 + math.exp(-(CONFIDENCE_BIAS + CONFIDENCE_SLOPE * x))))
