"""SGP4 propagation of element sets: many objects x many times in one call,
nearest-epoch selection over histories, and frame conversions.

* :class:`SatelliteBatch` -- ``from_element_sets(sets).propagate(times_us)``
  gives an :class:`Ephemeris` of (N, T, 3) TEME states.
* :func:`propagate_history` -- each (object, time) from the set nearest in epoch.
* :func:`teme_to_gcrf`, :func:`teme_to_itrf`, :func:`itrf_to_geodetic`.
* :func:`fit_element_set` -- SGP4 mean elements fitted to states (least squares).
"""

from orbwatch.propagate.batch import (
    ERROR_DECAYED,
    ERROR_MEAN_ECCENTRICITY,
    ERROR_MEAN_MOTION,
    ERROR_OK,
    ERROR_PERTURBED_ECCENTRICITY,
    ERROR_SEMI_LATUS_RECTUM,
    Ephemeris,
    SatelliteBatch,
    as_times_us,
    error_message,
)
from orbwatch.propagate.fit import (
    FitResult,
    fit_element_set,
    state_to_element_set,
    states_to_element_sets,
)
from orbwatch.propagate.frames import (
    FrameState,
    Geodetic,
    ephemeris_to_frame,
    geodetic_to_itrf,
    itrf_to_geodetic,
    skyfield_time,
    teme_to_gcrf,
    teme_to_itrf,
)
from orbwatch.propagate.history import (
    DEFAULT_MAX_AGE_S,
    Selection,
    group_history,
    nearest_sets,
    propagate_history,
    select_nearest,
    select_nearest_batch,
)

__all__ = [
    "DEFAULT_MAX_AGE_S",
    "ERROR_DECAYED",
    "ERROR_MEAN_ECCENTRICITY",
    "ERROR_MEAN_MOTION",
    "ERROR_OK",
    "ERROR_PERTURBED_ECCENTRICITY",
    "ERROR_SEMI_LATUS_RECTUM",
    "Ephemeris",
    "FitResult",
    "FrameState",
    "Geodetic",
    "SatelliteBatch",
    "Selection",
    "as_times_us",
    "ephemeris_to_frame",
    "error_message",
    "fit_element_set",
    "geodetic_to_itrf",
    "group_history",
    "itrf_to_geodetic",
    "nearest_sets",
    "propagate_history",
    "select_nearest",
    "select_nearest_batch",
    "skyfield_time",
    "state_to_element_set",
    "states_to_element_sets",
    "teme_to_gcrf",
    "teme_to_itrf",
]
