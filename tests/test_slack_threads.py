"""Thread rules: in a thread the bot started, only a mention or a reply from the person who
asked is a question, and the thread's earlier questions and answers go with it."""

from __future__ import annotations

import time

import pytest

from assistant.conversation import Exchange, gist, is_question, with_context
from tests.fake_slack import FakeSlack, ScriptedAsk, answers, mention, message, slack_client

THREAD = "1700000001.000100"


def test_only_a_mention_or_the_asker_makes_a_question():
    assert is_question(mentioned=False, author="U1", asker="U1")
    assert is_question(mentioned=True, author="U2", asker="U1")
    assert not is_question(mentioned=False, author="U2", asker="U1")
    assert not is_question(mentioned=False, author="U2", asker=None)


def test_context_keeps_the_new_question_first_and_whole_within_the_limit():
    history = [
        Exchange("Who approves emergency changes?", "The Emergency CAB approves them [1]. Within 2 hours."),
        Exchange("How fast?", "Within 2 hours [2]."),
    ]
    asked = with_context("And who chairs it?", history, 2000)
    assert asked.startswith("And who chairs it?")
    assert "Who approves emergency changes?" in asked and "The Emergency CAB approves them." in asked
    assert "[1]" not in asked  # citation markers of old answers point nowhere here
    assert asked.index("Who approves") < asked.index("How fast?")  # oldest first
    short = with_context("And who chairs it?", history, 90)
    assert len(short) <= 90 and short.startswith("And who chairs it?") and "How fast?" in short
    assert "Who approves" not in short  # the newest exchange is kept before older ones
    assert with_context("First question?", [], 2000) == "First question?"
    assert gist("x" * 500) == "x" * 159 + "…"


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.mark.integration
def test_other_peoples_chatter_in_a_bot_thread_is_not_answered(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    slack.event(mention("Who approves emergency changes?", ts=THREAD, user="U1"))
    fake.wait_for(answers)
    slack.event(message("thanks, that is useful!", ts="1700000002.000100", user="U2", thread_ts=THREAD))
    slack.event(message("<@U3> can you look at this?", ts="1700000002.000200", user="U2", thread_ts=THREAD))
    time.sleep(1.0)
    assert len(ask.questions) == 1
    assert len(fake.named("chat.postMessage")) == 1  # only the first status message

    slack.event(message("And how fast must they decide?", ts="1700000003.000100", user="U1", thread_ts=THREAD))
    fake.wait_for(lambda f: answers(f, 2))
    follow_up, _ = ask.questions[1]
    assert follow_up.startswith("And how fast must they decide?")
    assert "Who approves emergency changes?" in follow_up  # the earlier question
    assert "Scripted answer to: Who approves emergency changes?" in follow_up  # the gist of its answer
    reply = fake.named("chat.postMessage")[-1]
    assert reply["thread_ts"] == THREAD


@pytest.mark.integration
def test_a_mention_in_the_thread_by_someone_else_is_answered_with_the_threads_context(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    slack.event(mention("Who approves emergency changes?", ts=THREAD, user="U1"))
    fake.wait_for(answers)
    tagged = "<@UBOT> does that also hold for standard changes?"
    # Slack sends both an app_mention and a message event for a tagged reply; one answer.
    slack.event(
        mention("does that also hold for standard changes?", ts="1700000004.000100", user="U2", thread_ts=THREAD)
    )
    slack.event(message(tagged, ts="1700000004.000100", user="U2", thread_ts=THREAD))
    fake.wait_for(lambda f: answers(f, 2))
    time.sleep(1.0)
    assert len(ask.questions) == 2
    question, _ = ask.questions[1]
    assert question.startswith("does that also hold for standard changes?")
    assert "Who approves emergency changes?" in question

    # The thread still belongs to the person who started it: U2's untagged reply is chatter.
    slack.event(message("ok thanks", ts="1700000005.000100", user="U2", thread_ts=THREAD))
    time.sleep(1.0)
    assert len(ask.questions) == 2


@pytest.mark.integration
def test_replies_in_threads_the_bot_did_not_start_are_left_alone(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    slack.event(message("Who approves changes?", ts="1700000007.000100", user="U1", thread_ts="1700000006.000100"))
    slack.event(message("Top-level chatter in a channel", ts="1700000008.000100", user="U1"))
    time.sleep(1.0)
    assert not ask.questions and not fake.named("chat.postMessage")


@pytest.mark.integration
def test_one_limiter_gives_slack_users_and_api_callers_their_own_budgets(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask, slack_rate_limit_per_minute=1, rate_limit_per_minute=2)
    slack.event(mention("Who approves emergency changes?", ts=THREAD, user="U1"))
    fake.wait_for(answers)
    slack.event(mention("And who chairs the CAB?", ts="1700000009.000100", user="U1"))
    told = fake.wait_for(lambda f: [p for p in f.named("chat.postMessage") if "faster than I can" in p.get("text", "")])
    assert told and len(ask.questions) == 1
    slack.event(mention("Who owns the SLA?", ts="1700000010.000100", user="U2"))  # another person's budget
    fake.wait_for(lambda f: answers(f, 2))
    assert len(ask.questions) == 2
    # The API's budget is its own: Slack's use did not spend it, and it runs out on its own.
    assistant = slack.http.app.state.assistant
    auth = {"Authorization": f"Bearer {assistant.keys.create('acme')[0]}"}
    statuses = [slack.http.get("/v1/workspace", headers=auth).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert assistant.limiter.acquire("slack", "T1:U3") is None
