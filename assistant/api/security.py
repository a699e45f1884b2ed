"""Authentication (workspace-scoped API keys) and per-key rate limiting."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException

MISSING_KEY = "missing API key: send 'Authorization: Bearer <key>'"
INVALID_KEY = "invalid or revoked API key"
# Where the gate leaves the key it authenticated, in the request's state.
KEY_INFO_STATE = "api_key_info"


def bearer_secret(authorization: str) -> str | None:
    """The secret of an ``Authorization: Bearer <key>`` header, or None."""
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the workspace they may touch, and the key (None when auth is off)."""

    workspace: str
    key_id: str | None


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self._rate = per_minute / 60.0
        self._capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                retry = max(1, int((1.0 - tokens) / self._rate) + 1)
                raise HTTPException(429, "rate limit exceeded; slow down", headers={"Retry-After": str(retry)})
            self._buckets[key] = (tokens - 1.0, now)
