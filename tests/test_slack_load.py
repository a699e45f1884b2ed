"""Acks never wait for answers: with ten slow answers in flight, every command, button and
event is acknowledged in well under a second, and ``/healthz`` stays fast.

A real server (uvicorn on a local port) takes signed requests; the answer service is a
scripted stand-in that holds its answers until released, so the answers stay in flight
for as long as the test measures.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn

from assistant.api.app import create_app
from assistant.errors import InvalidInput
from tests.conftest import make_settings
from tests.fake_slack import (
    FakeSlack,
    ScriptedAsk,
    SignedSlack,
    assistant_with_ask,
    mention,
    message,
    slack_client,
)

pytestmark = pytest.mark.integration

SECRET = "load-signing-secret"
IN_FLIGHT = 10


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def served(data_dir, fake, embedder):
    """The API app with the Slack bot, served on a local port, and a held answer service."""
    config = make_settings(
        data_dir,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        slack_workspaces={"T1": "acme"},
        slack_workers=IN_FLIGHT,
        slack_rate_limit_per_minute=100,
    )
    ask = ScriptedAsk(hold=True)
    app = create_app(config, assistant_with_ask(config, embedder, ask))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        yield SignedSlack(http, fake, SECRET), ask
    finally:
        ask.release.set()
        http.close()
        server.should_exit = True
        thread.join(10)


def _timed(send) -> tuple[float, int]:
    started = time.perf_counter()
    response = send()
    return time.perf_counter() - started, response.status_code


def test_every_ack_is_fast_with_ten_slow_answers_in_flight(served, fake):
    slack, ask = served
    for n in range(IN_FLIGHT):
        ts = f"1700000100.{n:06d}"
        assert slack.event(mention(f"Slow question {n}?", ts=ts, user=f"U{n}")).status_code == 200
    fake.wait_for(lambda f: ask.running == IN_FLIGHT, timeout=30)

    direct = message("And this?", ts="1700000201.000100", user="UX", channel="D1", channel_type="im")
    timings = {
        "app_mention event": _timed(lambda: slack.event(mention("One more?", ts="1700000200.000100", user="U0"))),
        "message event (DM)": _timed(lambda: slack.event(direct)),
        "/mock-audit command": _timed(lambda: slack.command("/mock-audit", "8.5.1 2", user="U1")),
        "/readiness command": _timed(lambda: slack.command("/readiness", user="U2")),
        "feedback button": _timed(lambda: slack.action("feedback_up", "unknown-id", user="U3")),
        "skip button": _timed(lambda: slack.action("interview_skip", "s:0", user="U4", ts="9.0", thread_ts="9.0")),
        "/healthz": _timed(lambda: slack.http.get("/healthz")),
    }
    for name, (seconds, status) in timings.items():
        print(f"ack under load — {name}: {seconds * 1000:.0f} ms (HTTP {status})")
    assert all(status == 200 for _, status in timings.values()), timings
    assert all(seconds < 1.0 for seconds, _ in timings.values()), timings
    assert ask.running == IN_FLIGHT  # nothing finished while we measured

    # People waiting are told so, not left with silence.
    statuses = [p["text"] for p in fake.named("chat.postMessage")]
    assert any("Still working on your earlier request" in t for t in statuses)  # U0 asked twice
    assert any("ahead of yours" in t for t in statuses)  # UX queued behind the ten

    ask.release.set()
    answered = fake.wait_for(
        lambda f: (
            [u for u in f.named("chat.update") if "Scripted answer" in (u.get("text") or "")]
            if len([u for u in f.named("chat.update") if "Scripted answer" in (u.get("text") or "")]) >= IN_FLIGHT + 2
            else None
        ),
        timeout=60,
    )
    assert len(answered) == IN_FLIGHT + 2


@pytest.mark.parametrize("error", [RuntimeError("boom"), InvalidInput("the question is empty")])
def test_a_failed_answer_still_ends_the_wait(tmp_path, error):
    fake = FakeSlack().start()
    try:
        slack = slack_client(tmp_path / "data", fake, ScriptedAsk(error=error))
        slack.event(mention("Who approves changes?"))
        replaced = fake.wait_for(lambda f: f.named("chat.update"))[0]
        assert "Working on it" not in replaced["text"]
        assert ("something went wrong" in replaced["text"]) or ("can't answer that" in replaced["text"])
    finally:
        fake.stop()
