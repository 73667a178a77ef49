"""Fixtures shared by the source and fetch tests (loaded from conftest.py)."""

from __future__ import annotations

import pytest

from orbwatch.sources import Cache
from sources_fixtures.clocks import FakeWallClock
from sources_fixtures.server import FakeSources, http_client


@pytest.fixture
def fake(shared_data):
    """The local imitation of CelesTrak and Space-Track (127.0.0.1)."""
    with FakeSources(shared_data) as srv:
        yield srv


@pytest.fixture
def http():
    with http_client() as client:
        yield client


@pytest.fixture
def clock():
    return FakeWallClock()


@pytest.fixture
def cache(tmp_path, clock):
    return Cache(tmp_path / "cache", clock=clock)
