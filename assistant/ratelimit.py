"""One rate limiter for every front end, each front end with its own budget per minute
(API keys, Slack users), so one caller cannot flood the assistant from whichever door it
uses. ``SharedRateLimiter`` counts in the database every node shares, so N nodes allow
the limit, not N times it; ``RateLimiter`` is the in-process token bucket."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.db import ensure_schema
from assistant.schema import rate_counters

WINDOW_S = 60
PRUNE_EVERY = 1000


@runtime_checkable
class Limiter(Protocol):
    def acquire(self, front: str, caller: str) -> int | None:
        """None when the call may go ahead; otherwise the whole seconds to wait."""


def _checked(limits: Mapping[str, int]) -> dict[str, int]:
    for front, per_minute in limits.items():
        if per_minute < 1:
            raise ValueError(f"a rate limit must be at least 1 a minute. Currently, {front} is {per_minute}")
    return dict(limits)


def _limit(limits: Mapping[str, int], front: str) -> int:
    if front not in limits:
        raise ValueError(f"no rate limit for {front!r}; known: {', '.join(sorted(limits))}")
    return limits[front]


class RateLimiter:
    """A token bucket per (front end, caller): ``limits[front]`` requests a minute, refilled
    continuously. ``acquire`` takes a token or says how long to wait."""

    def __init__(self, limits: Mapping[str, int], clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = _checked(limits)
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, front: str, caller: str) -> int | None:
        """None when the call may go ahead; otherwise the whole seconds to wait."""
        capacity = float(_limit(self._limits, front))
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


class SharedRateLimiter:
    """A sliding-window counter per (front end, caller) in the shared database.

    Each minute has one counter row, raised atomically (``INSERT … ON CONFLICT DO
    UPDATE … WHERE``, on SQLite and PostgreSQL) only while the caller has room, so nodes
    racing on one caller cannot both take the last call. The room is the limit less this
    minute's count and the previous minute's count weighted by how much of it still lies
    within the last 60 seconds: no burst of twice the limit across a minute's boundary.
    Refused calls are not counted.
    """

    def __init__(self, engine: Engine, limits: Mapping[str, int], clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._limits = _checked(limits)
        self._clock = clock
        self._calls = 0
        self._lock = threading.Lock()
        ensure_schema(engine)

    def acquire(self, front: str, caller: str) -> int | None:
        limit = _limit(self._limits, front)
        caller = _caller_key(caller)
        now = self._clock()
        window = int(now // WINDOW_S) * WINDOW_S
        elapsed = (now - window) / WINDOW_S
        table = rate_counters
        key = (table.c.front == front) & (table.c.caller == caller)
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(table.c.window, table.c.count).where(key & table.c.window.in_([window - WINDOW_S, window]))
            )
            counts = {w: c for w, c in rows}
            previous, current = counts.get(window - WINDOW_S, 0), counts.get(window, 0)
            room = limit - previous * (1.0 - elapsed)  # what this minute may count in all
            taken = None
            if room >= 1.0:
                insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
                statement = insert(table).values(front=front, caller=caller, window=window, count=1)
                statement = statement.on_conflict_do_update(
                    index_elements=[table.c.front, table.c.caller, table.c.window],
                    set_={"count": table.c.count + 1},
                    where=table.c.count + 1 <= room,
                ).returning(table.c.count)
                taken = conn.execute(statement).scalar_one_or_none()
            conn.commit()
        self._maybe_prune(window)
        return None if taken is not None else _wait(limit, previous, current, elapsed)

    def _maybe_prune(self, window: int) -> None:
        with self._lock:
            self._calls += 1
            if self._calls % PRUNE_EVERY:
                return
        with self._engine.connect() as conn:
            conn.execute(delete(rate_counters).where(rate_counters.c.window < window - WINDOW_S))
            conn.commit()


def _caller_key(caller: str) -> str:
    """Callers fit the column: a long name is replaced by its hash."""
    return caller if len(caller) <= 100 else "sha256:" + hashlib.sha256(caller.encode()).hexdigest()


def _wait(limit: int, previous: int, current: int, elapsed: float) -> int:
    """Whole seconds until one more call fits: a call fits at fraction ``t`` of a minute
    when ``current + 1 <= limit - previous * (1 - t)``."""
    if current + 1 <= limit:  # this minute: wait for the previous one's share to decay
        fits_at = 1.0 - (limit - current - 1) / previous if previous else elapsed
        return _seconds(fits_at - elapsed)
    # next minute, when this one's count becomes the decaying share
    fits_at = max(0.0, 1.0 - (limit - 1) / current)
    return _seconds(1.0 - elapsed + fits_at)


def _seconds(minutes_share: float) -> int:
    return max(1, math.ceil(round(minutes_share * WINDOW_S, 6)))
