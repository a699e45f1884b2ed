"""The Slack bot with real parts: signed requests into the FastAPI-mounted Bolt app, the
Slack Web API pointed at a local fake server that records every call, and Socket Mode
against a local websocket server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import make_settings
from tests.fake_slack import FakeSlack, blocks_text, sign

pytestmark = pytest.mark.integration

SECRET = "test-signing-secret"
CHANGE = """# Change Management Procedure

## 1 Approval
The CAB approves every normal change at its weekly meeting after the Change Manager assesses its risk.

## 2 Emergency changes
Emergency changes are approved by the Emergency CAB within 2 hours. A post-implementation review
is held within 5 working days of every emergency change.
"""


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path, embedder, standard_template: Path) -> Path:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(standard_template, data)
    org = tmp_path / "org"
    org.mkdir()
    (org / "change-management-procedure.md").write_text(CHANGE, encoding="utf-8")
    built = build_assistant(make_settings(data), embedder=embedder)
    built.pipeline.ingest_paths([org], "acme")
    built.ensure_standard()
    return data


def _client(data_dir: Path, fake: FakeSlack, embedder) -> TestClient:
    config = make_settings(
        data_dir,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        slack_workspaces={"T1": "acme"},
    )
    return TestClient(create_app(config, build_assistant(config, embedder=embedder)))


def _event(client: TestClient, event: dict, team: str = "T1", secret: str = SECRET, timestamp: int | None = None):
    body = json.dumps(
        {
            "token": "t",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
    )
    headers = {"Content-Type": "application/json", **sign(secret, body, timestamp)}
    return client.post("/slack/events", content=body, headers=headers)


def _command(client: TestClient, fake: FakeSlack, command: str, text: str, user: str = "U1", team: str = "T1"):
    form = {
        "token": "t",
        "team_id": team,
        "channel_id": "C1",
        "user_id": user,
        "command": command,
        "text": text,
        "response_url": fake.url + "response",
        "trigger_id": f"trig{time.time_ns()}",
        "api_app_id": "A1",
    }
    body = urllib.parse.urlencode(form)
    return client.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)},
    )


def _action(
    client: TestClient,
    fake: FakeSlack,
    action_id: str,
    value: str,
    user: str = "U1",
    ts: str = "1.0",
    thread_ts: str | None = None,
    blocks: list | None = None,
):
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": ts},
        "message": {"ts": ts, **({"thread_ts": thread_ts} if thread_ts else {}), "blocks": blocks or []},
        "trigger_id": f"trig{time.time_ns()}",
        "response_url": fake.url + "response",
        "actions": [{"action_id": action_id, "value": value, "type": "button", "block_id": "b", "action_ts": "1"}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return client.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)},
    )


def _mention(text: str, ts: str = "1700000001.000100", user: str = "U1", **extra) -> dict:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
        **extra,
    }


def _answer_update(fake: FakeSlack):
    return [u for u in fake.named("chat.update") if "Working" not in (u.get("text") or "")]


def test_a_mention_is_answered_in_its_thread_with_citations(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    response = _event(client, _mention("Who approves emergency changes?"))
    assert response.status_code == 200
    updates = fake.wait_for(_answer_update)
    working = fake.named("chat.postMessage")[0]
    assert working["thread_ts"] == "1700000001.000100" and "Working on it" in working["text"]
    text = blocks_text(updates[0])
    assert "Emergency CAB" in text
    assert "change-management-procedure.md" in text and "clause 8.5" in text
    actions = [b for b in updates[0]["blocks"] if b["type"] == "actions"][0]["elements"]
    assert {a["action_id"] for a in actions} == {"show_passages", "feedback_up", "feedback_down"}


def test_direct_messages_and_follow_ups_in_the_thread(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    _event(
        client,
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "text": "Do we do post-implementation reviews?",
            "ts": "1700000002.000100",
            "channel": "D1",
            "event_ts": "1700000002.000100",
        },
    )
    fake.wait_for(_answer_update)
    _event(
        client,
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "text": "And who chairs the CAB?",
            "ts": "1700000003.000100",
            "thread_ts": "1700000002.000100",
            "channel": "D1",
            "event_ts": "1700000003.000100",
        },
    )
    fake.wait_for(lambda f: len(_answer_update(f)) >= 2)


def test_the_bot_ignores_bots_itself_edits_and_unmapped_teams(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    _event(
        client,
        {
            "type": "message",
            "channel_type": "im",
            "bot_id": "BOTHER",
            "user": "U9",
            "text": "hi bot",
            "ts": "1700000004.000100",
            "channel": "D1",
            "event_ts": "1700000004.000100",
        },
    )
    _event(
        client,
        {
            "type": "message",
            "channel_type": "im",
            "user": "UBOT",
            "text": "my own message",
            "ts": "1700000005.000100",
            "channel": "D1",
            "event_ts": "1700000005.000100",
        },
    )
    _event(
        client,
        {
            "type": "message",
            "subtype": "message_changed",
            "channel_type": "im",
            "channel": "D1",
            "ts": "1700000006.000100",
            "event_ts": "1700000006.000100",
            "message": {"user": "U1", "text": "edited", "ts": "1700000001.000100"},
        },
    )
    time.sleep(1.5)
    assert not fake.named("chat.postMessage")
    _event(client, _mention("Who approves changes?"), team="T-OTHER")
    refusal = fake.wait_for(lambda f: f.named("chat.postMessage"))
    assert "not connected" in refusal[0]["text"]
    assert not fake.named("chat.update")


def test_wrong_signature_and_stale_timestamp_are_rejected(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    assert _event(client, _mention("hello"), secret="wrong").status_code == 401
    assert _event(client, _mention("hello"), timestamp=int(time.time()) - 3600).status_code == 401
    time.sleep(0.5)
    assert not fake.named("chat.postMessage")


def _rehearsal(client, fake) -> tuple[str, dict]:
    assert _command(client, fake, "/mock-audit", "8.5.1 2").status_code == 200
    posts = fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if p.get("thread_ts")])
    header = [p for p in fake.named("chat.postMessage") if not p.get("thread_ts")][0]
    assert "<@U1>" in blocks_text(header)
    return posts[0]["thread_ts"], posts[0]


def test_mock_audit_rehearsal_in_a_thread(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    thread, first = _rehearsal(client, fake)
    assert "Question 1 of 2" in blocks_text(first)

    _event(
        client,
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U2",
            "text": "I think the CAB approves.",
            "ts": "1700000010.000100",
            "thread_ts": thread,
            "channel": "C1",
            "event_ts": "1700000010.000100",
        },
    )
    time.sleep(1.0)
    assert not [p for p in fake.named("chat.postMessage") if "Score" in (p.get("text") or "")]

    _event(
        client,
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U1",
            "text": "Emergency changes are approved by the Emergency CAB within 2 hours, and we hold a "
            "post-implementation review within 5 working days.",
            "ts": "1700000011.000100",
            "thread_ts": thread,
            "channel": "C1",
            "event_ts": "1700000011.000100",
        },
    )
    graded = fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if "Score" in (p.get("text") or "")])
    assert graded[0]["thread_ts"] == thread
    assert "Score" in blocks_text(graded[0])

    posted = len(fake.named("chat.postMessage"))
    fake.wait_for(lambda f: len(f.named("chat.postMessage")) >= posted)
    _action(client, fake, "interview_end", "x", user="U1", ts=thread, thread_ts=thread)
    summary = fake.wait_for(
        lambda f: [p for p in f.named("chat.postMessage") if "summary" in (p.get("text") or "").lower()]
    )
    assert "Mock audit summary" in blocks_text(summary[0])


def test_a_rehearsal_survives_a_bot_restart(data_dir, fake, embedder):
    first_app = _client(data_dir, fake, embedder)
    thread, _ = _rehearsal(first_app, fake)
    restarted = _client(data_dir, fake, embedder)
    _event(
        restarted,
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U1",
            "text": "The Change Manager assesses the risk and the CAB approves it at the weekly meeting.",
            "ts": "1700000020.000100",
            "thread_ts": thread,
            "channel": "C1",
            "event_ts": "1700000020.000100",
        },
    )
    graded = fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if "Score" in (p.get("text") or "")])
    assert graded[0]["thread_ts"] == thread


def test_skip_button_and_contradiction_shown(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    thread, first = _rehearsal(client, fake)
    skip = [
        e
        for b in first["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "interview_skip"
    ]
    _action(client, fake, "interview_skip", skip[0]["value"], ts="1.5", thread_ts=thread, blocks=first["blocks"])
    fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if "Score –" in (p.get("text") or "")])
    replaced = fake.wait_for(lambda f: [p for p in f.named("response") if "Skipped by <@U1>" in blocks_text(p)])
    assert replaced[0]["replace_original"] is True
    assert not [b for b in replaced[0]["blocks"] if b["type"] == "actions"]  # the buttons are gone
    assert "Question 1 of 2" in blocks_text(replaced[0])  # the question itself stays

    # A stale Skip (from a copy of the message) says what happened, only to the clicker's message.
    posted = len(fake.named("chat.postMessage"))
    _action(client, fake, "interview_skip", skip[0]["value"], ts="1.5", thread_ts=thread, blocks=first["blocks"])
    fake.wait_for(lambda f: [p for p in f.named("response") if "already answered" in blocks_text(p)])
    assert len(fake.named("chat.postMessage")) == posted


def test_feedback_buttons_and_show_passages(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    _event(client, _mention("Who approves emergency changes?"))
    update = fake.wait_for(_answer_update)[0]
    actions = [b for b in update["blocks"] if b["type"] == "actions"][0]["elements"]
    feedback_id = actions[-1]["value"]
    _action(client, fake, "show_passages", feedback_id)
    quoted = fake.wait_for(lambda f: f.named("chat.postEphemeral"))
    assert "Emergency CAB" in blocks_text(quoted[0])
    _action(client, fake, "feedback_down", feedback_id, blocks=update["blocks"])
    reasons = fake.wait_for(lambda f: [p for p in f.named("chat.postEphemeral") if "wrong" in (p.get("text") or "")])
    assert "Wrong clause" in blocks_text(reasons[0])
    rated = fake.wait_for(lambda f: [p for p in f.named("response") if "found a problem" in blocks_text(p)])
    elements = [e["action_id"] for b in rated[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert elements == ["show_passages"]  # 👍/👎 replaced by the outcome; the passages stay available
    assert "Emergency CAB" in blocks_text(rated[0])
    _action(client, fake, "feedback_reason_wrong_document", feedback_id)
    noted = fake.wait_for(lambda f: [p for p in f.named("response") if "test set" in (p.get("text") or "")])
    assert noted[0]["replace_original"] is True and "Wrong clause" not in blocks_text(noted[0])

    from assistant.db import create_db_engine
    from assistant.feedback import FeedbackStore, feedback_to_dataset

    items = FeedbackStore(create_db_engine(make_settings(data_dir).resolved_database_url)).negative()
    assert items and items[0].reason == "wrong_document"
    dataset = feedback_to_dataset(items)
    assert dataset["items"][0]["question"] == "Who approves emergency changes?"


def test_readiness_command_summarises(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    assert _command(client, fake, "/readiness", "").status_code == 200
    responses = fake.wait_for(
        lambda f: [p for m, p in f.calls if m == "response" and "Readiness" in str(p)], timeout=120
    )
    assert "Top actions" in json.dumps(responses[-1])
    assert "auditprep readiness" not in json.dumps(responses[-1])  # no command lines in Slack


def test_socket_mode_receives_an_event_and_acks(data_dir, fake, embedder):
    import websockets

    acks: list[dict] = []
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    envelope = {
        "envelope_id": "env-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev-sock",
            "event_time": int(time.time()),
            "event": _mention("Who approves emergency changes?", ts="1700000030.000100"),
        },
    }

    async def on_connect(ws):
        await ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        await ws.send(json.dumps(envelope))
        async for message in ws:
            acks.append(json.loads(message))

    stop: list[asyncio.Future] = []

    async def serve():
        server = await websockets.serve(on_connect, "127.0.0.1", 0)
        fake.ws_url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/link"
        stop.append(loop.create_future())
        ready.set()
        await stop[0]
        server.close()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    ready.wait(10)
    from bots.slack.socket_mode import socket_mode_handler

    config = make_settings(
        data_dir,
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_api_url=fake.url,
        slack_workspaces={"T1": "acme"},
    )
    handler = socket_mode_handler(config, build_assistant(config, embedder=embedder))
    handler.connect()
    try:
        fake.wait_for(lambda f: [a for a in acks if a.get("envelope_id") == "env-1"], timeout=30)
        fake.wait_for(_answer_update)
        assert fake.named("apps.connections.open")
    finally:
        handler.close()
        loop.call_soon_threadsafe(stop[0].set_result, None)
        thread.join(10)


def test_a_rehearsal_answer_also_sent_to_the_channel_is_graded(data_dir, fake, embedder):
    client = _client(data_dir, fake, embedder)
    thread, _ = _rehearsal(client, fake)
    _event(
        client,
        {
            "type": "message",
            "subtype": "thread_broadcast",
            "channel_type": "channel",
            "user": "U1",
            "text": "The Change Manager assesses the risk and the CAB approves it at the weekly meeting.",
            "ts": "1700000040.000100",
            "thread_ts": thread,
            "root": {"ts": thread, "user": "UBOT"},
            "channel": "C1",
            "event_ts": "1700000040.000100",
        },
    )
    graded = fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if "Score" in (p.get("text") or "")])
    assert graded[0]["thread_ts"] == thread
