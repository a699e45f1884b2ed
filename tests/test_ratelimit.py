"""The one rate limiter every front end uses: a budget per front end and caller."""

from __future__ import annotations

import pytest

from assistant.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_gets_its_budget_then_a_wait_then_tokens_back():
    clock = Clock()
    limiter = RateLimiter({"api": 3}, clock=clock)
    assert [limiter.acquire("api", "k1") for _ in range(3)] == [None, None, None]
    assert limiter.acquire("api", "k1") == 21  # one token a 20 s at 3 a minute
    assert limiter.acquire("api", "k2") is None  # another caller has its own bucket
    clock.now += 20.0
    assert limiter.acquire("api", "k1") is None
    assert limiter.acquire("api", "k1") is not None


def test_front_ends_have_their_own_budgets_for_the_same_caller_name():
    limiter = RateLimiter({"api": 1, "slack": 2}, clock=Clock())
    assert limiter.acquire("api", "u1") is None
    assert limiter.acquire("api", "u1") is not None
    assert limiter.acquire("slack", "u1") is None
    assert limiter.acquire("slack", "u1") is None
    assert limiter.acquire("slack", "u1") is not None


def test_unknown_front_end_and_zero_limits_are_refused_with_a_message():
    with pytest.raises(ValueError, match="no rate limit for 'email'"):
        RateLimiter({"api": 5}).acquire("email", "x")
    with pytest.raises(ValueError, match="at least 1 a minute"):
        RateLimiter({"api": 0})
