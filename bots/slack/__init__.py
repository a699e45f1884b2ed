"""The Slack bot: a thin adapter that parses Slack events, calls the core services and
renders Block Kit. No business logic lives here."""

from bots.slack.app import create_slack_app

__all__ = ["create_slack_app"]
