"""HTTP mode: the Bolt app mounted on the API app at ``/slack/events`` (Bolt verifies the
signature and the timestamp of every request)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from slack_bolt.adapter.starlette.handler import SlackRequestHandler

from assistant.bootstrap import Assistant
from assistant.config import Settings
from bots.slack.app import create_slack_app


def mount_slack(app: FastAPI, assistant: Assistant, settings: Settings, client=None) -> None:
    bolt = create_slack_app(assistant, settings, client)
    handler = SlackRequestHandler(bolt)
    app.state.slack = bolt

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request):
        return await handler.handle(request)
