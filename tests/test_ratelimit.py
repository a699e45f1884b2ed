"""The one rate limiter every front end uses: a budget per front end and caller, shared by
every node through the database."""

from __future__ import annotations

import threading

import pytest

from assistant.db import create_db_engine
from assistant.ratelimit import RateLimiter, SharedRateLimiter


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


# -- the limiter every node shares ---------------------------------------------------------
def _nodes(url: str, limits: dict[str, int], clock) -> list[SharedRateLimiter]:
    """Two limiters on one database, as two nodes hold them."""
    return [SharedRateLimiter(create_db_engine(url), limits, clock=clock) for _ in range(2)]


def test_nodes_sharing_a_database_share_each_callers_budget(tmp_path):
    clock = Clock()
    clock.now = 6000.0  # the start of a minute
    a, b = _nodes(f"sqlite:///{tmp_path / 'auditprep.db'}", {"api": 3, "slack": 1}, clock)
    assert [a.acquire("api", "k1"), b.acquire("api", "k1"), a.acquire("api", "k1")] == [None, None, None]
    assert b.acquire("api", "k1") == 80 and a.acquire("api", "k1") == 80  # not 3 more on the other node
    assert b.acquire("api", "k2") is None and b.acquire("slack", "k1") is None  # own budgets
    clock.now += 60.0  # the full minute is still inside the last 60 seconds
    assert a.acquire("api", "k1") is not None
    clock.now += 20.0  # a third of it has left the window: room for one call
    assert a.acquire("api", "k1") is None and b.acquire("api", "k1") is not None


def test_a_burst_at_a_minutes_end_is_not_followed_by_a_second_one(tmp_path):
    clock = Clock()
    clock.now = 6059.0
    [limiter, _] = _nodes(f"sqlite:///{tmp_path / 'auditprep.db'}", {"api": 3}, clock)
    assert [limiter.acquire("api", "k") for _ in range(3)] == [None, None, None]
    clock.now = 6061.0  # a new minute, but three calls were made two seconds ago
    wait = limiter.acquire("api", "k")
    assert wait == 19  # the previous minute's three weigh two until a third of this one has passed
    clock.now += wait
    assert limiter.acquire("api", "k") is None


def test_refused_calls_do_not_spend_the_budget_and_long_callers_fit(tmp_path):
    clock = Clock()
    clock.now = 6000.0
    [limiter, _] = _nodes(f"sqlite:///{tmp_path / 'auditprep.db'}", {"slack": 1}, clock)
    caller = "T1:" + "U" * 500
    assert limiter.acquire("slack", caller) is None
    assert all(limiter.acquire("slack", caller) is not None for _ in range(5))
    clock.now += 120.0
    assert limiter.acquire("slack", caller) is None  # five refusals did not push the wait on


def test_the_shared_limiter_refuses_unknown_front_ends_and_zero_limits(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'auditprep.db'}")
    with pytest.raises(ValueError, match="no rate limit for 'email'"):
        SharedRateLimiter(engine, {"api": 5}).acquire("email", "x")
    with pytest.raises(ValueError, match="at least 1 a minute"):
        SharedRateLimiter(engine, {"api": 0})


@pytest.mark.integration
def test_nodes_racing_on_postgresql_let_through_exactly_the_limit(pg_url):
    nodes = _nodes(pg_url, {"api": 5}, clock=lambda: 6000.0)
    results: list[int | None] = []
    lock = threading.Lock()

    def call(limiter: SharedRateLimiter) -> None:
        outcome = limiter.acquire("api", "k1")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=call, args=(nodes[i % 2],)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 16 and results.count(None) == 5
