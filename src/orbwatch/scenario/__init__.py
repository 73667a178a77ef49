"""Scenario simulator: synthetic catalogue histories with planted events and
their ground truth (inspector, release, interception, station keeping,
conjunction), deterministic under a seed.

``build_scenario(name, out_dir, start_us=..., days=..., seed=...)`` writes
``elements.json`` (OMM), ``elements.tle``, ``satcat.json``, ``truth.json``
and ``README.txt``; see :mod:`orbwatch.scenario.build`.
"""

from orbwatch.scenario.build import (
    DEFAULT_START_US,
    SCENARIOS,
    ScenarioResult,
    build_scenario,
)
from orbwatch.scenario.noise import NOISE_SIGMA_KM
from orbwatch.scenario.planted import Track

__all__ = ["DEFAULT_START_US", "NOISE_SIGMA_KM", "SCENARIOS", "ScenarioResult", "Track",
           "build_scenario"]
