"""Authentication (workspace-scoped API keys) and the per-key rate check."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException

from assistant.ratelimit import Limiter

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


def check_rate(limiter: Limiter, caller: str) -> None:
    """429 with Retry-After when the caller has used its budget (shared with Slack's limiter)."""
    retry = limiter.acquire("api", caller)
    if retry is not None:
        raise HTTPException(429, "rate limit exceeded; slow down", headers={"Retry-After": str(retry)})
