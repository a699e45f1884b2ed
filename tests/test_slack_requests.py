"""Malformed requests to ``/slack/events`` get 400 (413 when too large, 401 when unsigned)
before anything but the signature check reads them, and the log lines about them are
short, escaped and free of the request's body."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest

from tests.fake_slack import FakeSlack, ScriptedAsk, sign, slack_client

pytestmark = pytest.mark.integration
MARKER = "BODY-MARKER-7f3a"


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def slack(tmp_path, fake):
    return slack_client(tmp_path / "data", fake, ScriptedAsk())


def test_unsigned_and_malformed_headers_are_refused_without_parsing(slack):
    http = slack.http
    garbage = "{not json " + MARKER
    assert http.post("/slack/events", content=garbage).status_code == 400  # no signature headers
    headers = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=abc"}
    assert http.post("/slack/events", content=garbage, headers=headers).status_code == 400
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "sha1=abc"}
    assert http.post("/slack/events", content=garbage, headers=headers).status_code == 400
    wrong = sign("not-the-secret", garbage)
    assert http.post("/slack/events", content=garbage, headers=wrong).status_code == 401


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", "{not json"),
        ("application/json", "[1, 2]"),
        ("application/json", '{"type": 5}'),
        ("application/x-www-form-urlencoded", "payload=%7Bnot+json"),
        ("application/x-www-form-urlencoded", "payload=%5B%5D"),
        ("application/x-www-form-urlencoded", "just=a&form=here"),
        ("text/plain", "hello"),
    ],
)
def test_signed_but_malformed_bodies_get_400(slack, fake, content_type, body):
    assert slack.post(body, content_type).status_code == 400
    assert fake.named("chat.postMessage") == []


def test_a_body_that_is_not_utf8_gets_400(slack):
    body = b'{"type": "event_callback", "x": "\xff\xfe"}'
    ts = str(int(time.time()))
    digest = hmac.new(b"test-signing-secret", b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
    assert slack.http.post("/slack/events", content=body, headers=headers).status_code == 400


def test_an_oversized_body_gets_413(slack):
    body = "x" * (1024 * 1024 + 1)
    assert slack.post(body, "application/json").status_code == 413


def test_rejected_requests_log_one_short_escaped_line_without_the_body(slack, caplog):
    caplog.set_level(logging.DEBUG)
    forged = f"{MARKER}\n2026-01-01 INFO forged line " + "y" * 5000
    slack.http.post("/slack/events", content=forged, headers={"X-Forwarded-For": "x\ny"})
    slack.http.post("/slack/events", content=forged, headers=sign("wrong", forged))
    slack.post(json.dumps({"type": "event_callback", "junk": forged}), "text/plain")
    # A signed, well-formed event nobody handles: Bolt's own warning quotes the body.
    unhandled = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev-unhandled",
        "event": {"type": "reaction_added", "user": "U1", "reaction": MARKER, "item": {}},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    slack.post(json.dumps(unhandled), "application/json")
    rejections = [r for r in caplog.records if "rejected Slack request" in r.getMessage()]
    assert len(rejections) == 3
    assert any(r.getMessage() == "Unhandled request (body not logged)" for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage()
        assert MARKER not in text and "forged line" not in text
        if record.name.startswith("bots.slack"):
            assert "\n" not in text and len(text) <= 300
