"""Installing the bot in many Slack workspaces: Bolt's OAuth flow, with installations and
OAuth states kept in auditprep's database (so every node can answer for every team).

Used instead of the single bot token when ``AUDITPREP_SLACK_CLIENT_ID`` and
``AUDITPREP_SLACK_CLIENT_SECRET`` are set. The scopes asked for are the manifest's, so the
install grants exactly what the code uses.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from assistant.config import Settings
from assistant.db import ensure_schema

MANIFEST = Path(__file__).with_name("manifest.yaml")
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_TTL_S = 600


def oauth_enabled(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret.get_secret_value())


def bot_scopes() -> list[str]:
    """The bot scopes the manifest declares."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def build_oauth_flow(settings: Settings, engine: Engine, client: WebClient) -> OAuthFlow:
    """The install flow at ``/slack/install`` → Slack → ``/slack/oauth_redirect``."""
    # their tables are created by the migrations (assistant/schema.py), as every other table
    ensure_schema(engine)
    installations = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_TTL_S, engine=engine)
    return OAuthFlow(
        client=client,
        settings=OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            scopes=bot_scopes(),
            installation_store=installations,
            installation_store_bot_only=True,
            state_store=states,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        ),
    )
