"""Debris consequences: NASA Standard Breakup Model, element-set fitting, lifetime."""

from orbwatch.debris.breakup_model import (
    BreakupModelError,
    FragmentCloud,
    fragment_count,
    fragments_to_element_sets,
    is_catastrophic,
    simulate_breakup,
)
from orbwatch.propagate.fit import (
    FitResult,
    fit_element_set,
    state_to_element_set,
    states_to_element_sets,
)

__all__ = [
    "BreakupModelError", "FragmentCloud", "fragment_count", "fragments_to_element_sets",
    "is_catastrophic", "simulate_breakup",
    "FitResult", "fit_element_set", "state_to_element_set", "states_to_element_sets",
]
