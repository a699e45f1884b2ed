"""Socket Mode: ``auditprep slack`` connects out to Slack with an app-level token (no
public URL needed)."""

from __future__ import annotations

import sys

from slack_bolt.adapter.socket_mode import SocketModeHandler

from assistant.bootstrap import build_assistant
from assistant.config import Settings
from bots.slack.app import create_slack_app


def socket_mode_handler(settings: Settings, assistant=None) -> SocketModeHandler:
    assistant = assistant or build_assistant(settings)
    app = create_slack_app(assistant, settings)
    return SocketModeHandler(app, settings.slack_app_token.get_secret_value())


def run_socket_mode(settings: Settings) -> int:
    missing = [
        name
        for name, value in (
            ("AUDITPREP_SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("AUDITPREP_SLACK_APP_TOKEN", settings.slack_app_token),
        )
        if not value.get_secret_value()
    ]
    if missing:
        print(f"error: set {' and '.join(missing)} (see the README's Slack section)", file=sys.stderr)
        return 2
    handler = socket_mode_handler(settings)
    print("auditprep Slack bot connected in Socket Mode; Ctrl-C to stop")
    handler.start()
    return 0
