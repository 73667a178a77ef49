"""Observed monthly F10.7: re-exported from :mod:`orbwatch.propagate.f107_history`."""

from orbwatch.propagate.f107_history import (
    FIRST_YEAR,
    MONTHLY_F107,
    covered,
    monthly_f107,
    yearly_means,
)

__all__ = ["FIRST_YEAR", "MONTHLY_F107", "monthly_f107", "yearly_means", "covered"]
