"""Sliding-window rate limiter for Space-Track's published limits.

Space-Track allows at most 30 requests per minute and 300 requests per hour
(logins included).  :class:`RateLimiter` keeps the times of recent requests
and, before each new one, either sleeps until every window has room or, with
``block=False``, raises :class:`RateLimitError`.  The clock and the sleep
function are injectable so tests run on a fake clock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from orbwatch.errors import RateLimitError

__all__ = ["RateLimiter", "SPACETRACK_LIMITS"]

SPACETRACK_LIMITS: tuple[tuple[int, float], ...] = ((30, 60.0), (300, 3600.0))
"""(requests, window seconds) pairs: 30 per minute and 300 per hour."""


class RateLimiter:
    """At most ``n`` requests in any ``window`` seconds, for each (n, window) in ``limits``.

    ``acquire()`` is called before every request.  ``max_wait`` (seconds)
    bounds how long a blocking acquire may sleep; past it RateLimitError is
    raised instead of waiting.  Thread-safe.
    """

    def __init__(
        self,
        limits: Sequence[tuple[int, float]] = SPACETRACK_LIMITS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        block: bool = True,
        max_wait: float | None = None,
        name: str = "Space-Track",
    ) -> None:
        if not limits:
            raise ValueError("RateLimiter needs at least one (requests, seconds) limit")
        for count, window in limits:
            if count < 1 or window <= 0:
                raise ValueError(f"bad rate limit {count} per {window} s; expected count >= 1, window > 0")
        self.limits = tuple((int(n), float(w)) for n, w in limits)
        self.block = block
        self.max_wait = max_wait
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque(maxlen=max(n for n, _ in self.limits))

    def __repr__(self) -> str:
        spec = ", ".join(f"{n}/{_fmt_window(w)}" for n, w in self.limits)
        return f"RateLimiter({spec}, block={self.block})"

    @property
    def history(self) -> tuple[float, ...]:
        """Clock readings of the requests still remembered (oldest first)."""
        with self._lock:
            return tuple(self._stamps)

    def delay(self, now: float | None = None) -> float:
        """Seconds to wait before a request at ``now`` would respect every limit."""
        with self._lock:
            return self._delay(self._clock() if now is None else now)[0]

    def _delay(self, now: float) -> tuple[float, tuple[int, float] | None]:
        worst, which = 0.0, None
        stamps = self._stamps
        for count, window in self.limits:
            if len(stamps) >= count:
                # The count-th most recent request must leave the window first.
                free_at = stamps[-count] + window
                if free_at - now > worst:
                    worst, which = free_at - now, (count, window)
        return worst, which

    def acquire(self, *, block: bool | None = None, what: str = "request") -> float:
        """Take one slot, waiting if needed; returns the seconds waited.

        Raises RateLimitError when the slot is not free and ``block`` is false
        (default: the limiter's ``block``) or the wait would exceed ``max_wait``.
        """
        block = self.block if block is None else block
        waited = 0.0
        with self._lock:
            now = self._clock()
            wait, which = self._delay(now)
            if wait > 0:
                count, window = which  # type: ignore[misc]
                limit = f"{count} requests per {_fmt_window(window)}"
                if not block:
                    raise RateLimitError(
                        f"{self.name} {what} refused: it would exceed {limit}; "
                        f"a slot frees in {wait:.1f} s"
                    )
                if self.max_wait is not None and wait > self.max_wait:
                    raise RateLimitError(
                        f"{self.name} {what} refused: it would exceed {limit} and the "
                        f"wait of {wait:.1f} s is over the {self.max_wait:.1f} s allowed"
                    )
                target = now + wait
                self._sleep(wait)
                waited = wait
                # A fake sleep may not move the clock; never stamp before the target.
                now = max(self._clock(), target)
            self._stamps.append(now)
        return waited

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()


def _fmt_window(seconds: float) -> str:
    if seconds == 60:
        return "minute"
    if seconds == 3600:
        return "hour"
    return f"{seconds:g} s"
