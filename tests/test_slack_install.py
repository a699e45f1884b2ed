"""Installing the bot in another Slack workspace: the OAuth flow against the local fake
Slack API, the installation kept in the database, and that team's events answered with its
own bot token."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from assistant.cli import main
from assistant.db import create_db_engine
from bots.slack.install import bot_scopes
from tests.conftest import make_settings
from tests.fake_slack import FakeSlack, ScriptedAsk, SignedSlack, answers, mention, slack_client

pytestmark = pytest.mark.integration


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


def _install(slack: SignedSlack, code: str = "good-code", state: str | None = None):
    page = slack.http.get("/slack/install")
    assert page.status_code == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text).group(1)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link.replace("&amp;", "&")).query)
    cookie = page.headers["set-cookie"].split(";")[0]
    params = {"code": code, "state": state or query["state"][0]}
    return query, slack.http.get("/slack/oauth_redirect", params=params, headers={"Cookie": cookie})


def test_a_team_installs_the_bot_and_its_events_use_its_own_token(tmp_path, fake):
    data = tmp_path / "data"
    ask = ScriptedAsk()
    slack = slack_client(
        data, fake, ask, slack_bot_token="", slack_client_id="cid", slack_client_secret="csecret", slack_workspaces={}
    )
    query, done = _install(slack)
    assert query["client_id"] == ["cid"]
    assert set(query["scope"][0].split(",")) == set(bot_scopes())  # exactly the manifest's scopes
    assert done.status_code == 200
    assert [p["code"] for p in fake.named("oauth.v2.access")] == ["good-code"]

    engine = create_db_engine(make_settings(data).resolved_database_url)
    bot = SQLAlchemyInstallationStore(client_id="cid", engine=engine).find_bot(enterprise_id=None, team_id="T9")
    assert bot is not None and bot.bot_token == "xoxb-T9"

    assert main(["slack-settings", "set", "--data-dir", str(data), "--team", "T9", "-w", "acme"]) == 0
    installed = SignedSlack(slack.http, fake, slack.secret, team="T9")
    assert installed.event(mention("Who approves changes?")).status_code == 200
    fake.wait_for(answers)
    assert {p["_token"] for p in fake.named("chat.postMessage")} == {"xoxb-T9"}
    assert ask.questions == [("Who approves changes?", "acme")]


def test_an_uninstalled_team_or_a_forged_state_gets_nothing(tmp_path, fake):
    ask = ScriptedAsk()
    slack = slack_client(
        tmp_path / "data", fake, ask, slack_bot_token="", slack_client_id="cid", slack_client_secret="csecret"
    )
    _, refused = _install(slack, state="forged-state")
    assert refused.status_code >= 400
    assert not fake.named("oauth.v2.access")

    stranger = SignedSlack(slack.http, fake, slack.secret, team="T8")
    stranger.event(mention("Who approves changes?"))
    time.sleep(1.0)
    assert not ask.questions and not fake.named("chat.postMessage")


def test_the_oauth_tables_are_declared_as_the_slack_stores_define_them():
    """Migrations create the OAuth tables from ``assistant/schema.py``; the stores read and
    write them with their own definitions: the two must agree column for column."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData

    from assistant import schema

    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(
        theirs, SQLAlchemyInstallationStore.default_installations_table_name
    )
    SQLAlchemyInstallationStore.build_bots_table(theirs, SQLAlchemyInstallationStore.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, SQLAlchemyOAuthStateStore.default_table_name)
    for name, table in theirs.tables.items():
        ours = schema.metadata.tables[name]
        assert [(c.name, str(c.type), c.nullable, c.primary_key) for c in ours.columns] == [
            (c.name, str(c.type), c.nullable, c.primary_key) for c in table.columns
        ], name
        assert {(i.name, tuple(c.name for c in i.columns)) for i in ours.indexes} == {
            (i.name, tuple(c.name for c in i.columns)) for i in table.indexes
        }, name
