"""Fake clocks so cache and rate-limit tests never sleep for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeMonotonic:
    """A monotonic clock and a sleep that advances it (for RateLimiter)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeWallClock:
    """An aware-UTC wall clock (for Cache and client timestamps)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 2, 14, 14, 36, 48, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
