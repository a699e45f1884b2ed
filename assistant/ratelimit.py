"""One rate limiter for every front end: token buckets by caller, each front end with its
own budget per minute (API keys, Slack users), so one caller cannot flood the assistant
from whichever door it uses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class RateLimiter:
    """A token bucket per (front end, caller): ``limits[front]`` requests a minute, refilled
    continuously. ``acquire`` takes a token or says how long to wait."""

    def __init__(self, limits: Mapping[str, int], clock: Callable[[], float] = time.monotonic) -> None:
        for front, per_minute in limits.items():
            if per_minute < 1:
                raise ValueError(f"a rate limit must be at least 1 a minute. Currently, {front} is {per_minute}")
        self._limits = dict(limits)
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, front: str, caller: str) -> int | None:
        """None when the call may go ahead; otherwise the whole seconds to wait."""
        if front not in self._limits:
            raise ValueError(f"no rate limit for {front!r}; known: {', '.join(sorted(self._limits))}")
        capacity = float(self._limits[front])
        rate = capacity / 60.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get((front, caller), (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[(front, caller)] = (tokens, now)
                return max(1, int((1.0 - tokens) / rate) + 1)
            self._buckets[(front, caller)] = (tokens - 1.0, now)
            return None
