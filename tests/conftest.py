"""Shared fixtures.  The real public data is read from one place only:
``$ORBWATCH_SHARED_DATA`` (default ``../shared/data`` relative to the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytest_plugins = ["sources_fixtures.fixtures"]


def shared_data_path() -> Path:
    env = os.environ.get("ORBWATCH_SHARED_DATA")
    return Path(env) if env else (REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder holding the real public data sets (never copied into the repo)."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set ORBWATCH_SHARED_DATA")
    return path
