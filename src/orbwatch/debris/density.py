"""Thermospheric density: re-exported from :mod:`orbwatch.propagate.atmosphere`
(moved there so that the forensics, an earlier stage, can use it too)."""

from orbwatch.propagate.atmosphere import (
    ALT_GRID_KM,
    CYCLE_YEARS,
    FALLBACK_MINIMUM,
    DensityTable,
    SpaceWeather,
    density,
    month_index,
    msis_density,
    scale_height,
)

__all__ = ["SpaceWeather", "DensityTable", "msis_density", "density", "scale_height",
           "month_index", "ALT_GRID_KM", "FALLBACK_MINIMUM", "CYCLE_YEARS"]
