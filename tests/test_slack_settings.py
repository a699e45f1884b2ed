"""Per-channel settings: stored in the database, changed by Slack admins with
``/auditprep-settings`` or by operators with ``auditprep slack-settings``, and obeyed at
once (workspace, respond only when tagged, private answers with Share, on/off, rehearsals)."""

from __future__ import annotations

import time

import pytest

from assistant.channel_settings import ChannelSettingsStore, parse_changes
from assistant.cli import main
from assistant.db import create_db_engine
from assistant.errors import InvalidInput
from tests.conftest import make_settings
from tests.fake_slack import FakeSlack, ScriptedAsk, answers, blocks_text, mention, message, slack_client


def test_settings_text_is_parsed_and_checked():
    assert parse_changes("tagged-only=off Ephemeral=ON workspace=acme") == {
        "tagged_only": False,
        "ephemeral": True,
        "workspace": "acme",
    }
    for bad in ("tagged-only", "colour=blue", "enabled=maybe", "workspace=../etc"):
        with pytest.raises(InvalidInput):
            parse_changes(bad)


def test_a_channel_overrides_its_team_which_overrides_the_static_map(tmp_path):
    store = ChannelSettingsStore(create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), {"T1": "acme"})
    assert store.effective("T1", "C1").workspace == "acme" and store.effective("T1", "C1").tagged_only
    store.update("T1", "*", {"ephemeral": True, "workspace": "beta"}, "cli")
    store.update("T1", "C2", {"ephemeral": False}, "U1")
    assert store.effective("T1", "C1").ephemeral and store.effective("T1", "C1").workspace == "beta"
    assert not store.effective("T1", "C2").ephemeral and store.effective("T1", "C2").workspace == "beta"
    assert store.effective("T2", "C1").workspace is None
    assert store.workspaces_of("T1") == {"acme", "beta"} and store.workspaces_of("T2") == set()


@pytest.fixture
def fake():
    server = FakeSlack().start()
    server.admins = {"UADMIN"}
    yield server
    server.stop()


def _responses(fake: FakeSlack, text: str) -> list[dict]:
    return [p for p in fake.named("response") if text in blocks_text(p)]


@pytest.mark.integration
def test_only_admins_change_settings_and_tagged_only_off_answers_channel_messages(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    slack.event(message("Who approves changes?", ts="1700000010.000100", user="U1"))
    time.sleep(1.0)
    assert not ask.questions  # untagged channel chatter is ignored by default

    assert slack.command("/auditprep-settings", "", user="U1").status_code == 200
    fake.wait_for(lambda f: _responses(f, "tagged-only=on"))
    slack.command("/auditprep-settings", "tagged-only=off", user="U1")
    fake.wait_for(lambda f: _responses(f, "Only Slack workspace admins"))
    slack.command("/auditprep-settings", "tagged-only=off", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "Updated auditprep"))

    slack.event(message("Who approves changes?", ts="1700000011.000100", user="U1"))
    posted = fake.wait_for(answers)[0]
    assert ask.questions == [("Who approves changes?", "acme")]
    assert fake.named("chat.postMessage")[0]["thread_ts"] == "1700000011.000100"
    assert posted["channel"] == "C1"


@pytest.mark.integration
def test_private_answers_can_be_shared_in_the_channel(tmp_path, fake):
    slack = slack_client(tmp_path / "data", fake, ScriptedAsk())
    slack.command("/auditprep-settings", "ephemeral=on", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "ephemeral=on"))
    slack.event(mention("Who approves emergency changes?", ts="1700000020.000100", user="U1"))
    private = fake.wait_for(answers)[0]
    assert private["user"] == "U1" and private["thread_ts"] == "1700000020.000100"
    assert not fake.named("chat.postMessage") and not fake.named("chat.update")  # nothing public
    share = next(
        e
        for b in private["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "share_answer"
    )
    slack.action("share_answer", share["value"], user="U1", ts="1700000021.000100")
    public = fake.wait_for(lambda f: f.named("chat.postMessage"))[0]
    assert public["thread_ts"] == "1700000020.000100"
    assert "Scripted answer" in blocks_text(public) and "Shared by <@U1>" in blocks_text(public)
    assert fake.wait_for(lambda f: _responses(f, "Shared in the channel"))[0]["replace_original"] is True


@pytest.mark.integration
def test_a_disabled_channel_and_a_channel_without_rehearsals(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(tmp_path / "data", fake, ask)
    slack.command("/auditprep-settings", "rehearsals=off", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "rehearsals=off"))
    slack.command("/mock-audit", "8.5.1 2", user="U1")
    fake.wait_for(lambda f: _responses(f, "Rehearsals are turned off"))

    slack.command("/auditprep-settings", "enabled=off", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "enabled=off"))
    slack.event(mention("Who approves changes?", ts="1700000030.000100"))
    fake.wait_for(lambda f: [p for p in f.named("chat.postEphemeral") if "turned off" in p.get("text", "")])
    slack.command("/readiness", user="U1")
    fake.wait_for(lambda f: _responses(f, "turned off in this channel"))
    assert not ask.questions and not fake.named("chat.postMessage")


@pytest.mark.integration
def test_admins_choose_only_among_workspaces_the_operator_connected(tmp_path, fake, capsys):
    data = tmp_path / "data"
    ask = ScriptedAsk()
    slack = slack_client(data, fake, ask)
    slack.command("/auditprep-settings", "workspace=beta", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "not connected to this Slack team"))

    assert (
        main(["slack-settings", "set", "--data-dir", str(data), "--team", "T1", "--channel", "C9", "-w", "beta"]) == 0
    )
    assert main(["slack-settings", "list", "--data-dir", str(data)]) == 0
    assert "T1  C9  workspace=beta" in capsys.readouterr().out

    slack.command("/auditprep-settings", "workspace=beta", user="UADMIN")
    fake.wait_for(lambda f: _responses(f, "workspace=beta"))
    slack.event(mention("Who approves changes?", ts="1700000040.000100"))
    fake.wait_for(answers)
    assert ask.questions == [("Who approves changes?", "beta")]
    store = ChannelSettingsStore(create_db_engine(make_settings(data).resolved_database_url))
    assert store.effective("T1", "C1").workspace == "beta"
