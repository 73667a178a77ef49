"""Imports every command module so that each registers on the app."""

from orbwatch.cli import catalog, fetch, maneuvers, pc, propagate, proximity, screen  # noqa: F401
