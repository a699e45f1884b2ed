"""A retried or replayed Slack request is acted on once, across every node sharing the
database: event ids, slash-command trigger ids and button trigger ids are recorded."""

from __future__ import annotations

import time

import pytest

from tests.fake_slack import FakeSlack, ScriptedAsk, answers, mention, slack_client

pytestmark = pytest.mark.integration


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


def test_slack_retries_of_one_event_answer_once(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    event = mention("Who approves emergency changes?")
    assert slack.event(event, event_id="Ev-retry").status_code == 200
    fake.wait_for(answers)
    for attempt in ("1", "2"):
        retry = {"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"}
        assert slack.event(event, event_id="Ev-retry", headers=retry).status_code == 200
    time.sleep(1.0)
    assert len(ask.questions) == 1
    assert len(answers(fake)) == 1
    slack.event(mention("A new question?", ts="1700000009.000100"), event_id="Ev-other")
    fake.wait_for(lambda f: answers(f, 2))
    assert len(ask.questions) == 2


def test_an_identical_replay_of_a_command_acts_once(tmp_path, fake):
    slack = slack_client(tmp_path / "data", fake, ScriptedAsk())
    body = (
        "token=t&team_id=T1&channel_id=C1&user_id=U1&command=%2Freadiness&text=&response_url="
        + (fake.url + "response").replace(":", "%3A").replace("/", "%2F")
        + "&trigger_id=trig-replayed&api_app_id=A1"
    )
    first = slack.post(body, "application/x-www-form-urlencoded")
    replay = slack.post(body, "application/x-www-form-urlencoded")
    assert first.status_code == replay.status_code == 200
    assert "Working on it" in first.text
    assert replay.text == ""  # acknowledged, nothing done
    fake.wait_for(lambda f: [p for m, p in f.calls if m == "response"], timeout=60)
    time.sleep(1.0)
    assert len([m for m, _ in fake.calls if m == "response"]) == 1


def test_a_button_trigger_is_handled_once(tmp_path, fake):
    slack = slack_client(tmp_path / "data", fake, ScriptedAsk())
    slack.event(mention("Who approves emergency changes?"))
    answer = fake.wait_for(answers)[0]
    feedback_id = next(
        e["value"]
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if "feedback" in e["action_id"]
    )
    for _ in range(3):
        slack.action("feedback_down", feedback_id, trigger="trig-once", ts=answer["ts"])
    fake.wait_for(lambda f: [p for p in f.named("chat.postEphemeral") if "wrong" in (p.get("text") or "")])
    time.sleep(1.0)
    assert len([p for p in fake.named("chat.postEphemeral") if "wrong" in (p.get("text") or "")]) == 1


def test_nodes_sharing_a_database_share_what_they_have_seen(tmp_path, fake):
    ask = ScriptedAsk()
    node_a = slack_client(tmp_path / "data", fake, ask)
    node_b = slack_client(tmp_path / "data", fake, ask)
    event = mention("Who chairs the CAB?")
    node_a.event(event, event_id="Ev-shared")
    node_b.event(event, event_id="Ev-shared", headers={"X-Slack-Retry-Num": "1"})
    fake.wait_for(answers)
    time.sleep(1.0)
    assert len(ask.questions) == 1
