"""Imports every command module so that each registers on the app."""

from orbwatch.cli import (  # noqa: F401
    catalog,
    debris,
    demo,
    fetch,
    forensics,
    hotline,
    judge,
    maneuvers,
    pc,
    propagate,
    proximity,
    report,
    scenario,
    screen,
    watch,
)
