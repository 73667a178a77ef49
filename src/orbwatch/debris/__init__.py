"""Debris consequences: NASA Standard Breakup Model, orbital lifetime under
drag (NRLMSIS 2.1) and J2, flux-based collision-rate increase, figures.

Element-set fitting, which turns simulated fragments into element sets,
lives in :mod:`orbwatch.propagate.fit`.
"""

from orbwatch.debris.ballistic import am_from_bstar, estimate_am
from orbwatch.debris.breakup_model import (
    BreakupModelError,
    FragmentCloud,
    fragment_count,
    fragments_to_element_sets,
    is_catastrophic,
    simulate_breakup,
)
from orbwatch.debris.density import DensityTable, SpaceWeather, density, msis_density
from orbwatch.debris.flux import CollisionRate, collision_rate_increase
from orbwatch.debris.lifetime import Evolution, band_crossings, evolve, remaining_after
from orbwatch.debris.whatif import orbit_arrays, run_scenario

__all__ = [
    "am_from_bstar", "estimate_am",
    "BreakupModelError", "FragmentCloud", "fragment_count", "fragments_to_element_sets",
    "is_catastrophic", "simulate_breakup",
    "DensityTable", "SpaceWeather", "density", "msis_density",
    "CollisionRate", "collision_rate_increase",
    "Evolution", "band_crossings", "evolve", "remaining_after",
    "orbit_arrays", "run_scenario",
]
