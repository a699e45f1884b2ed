"""The Slack app manifest is valid YAML and grants exactly what the bot's code uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_manifest_matches_the_code():
    manifest = yaml.safe_load((ROOT / "bots/slack/manifest.yaml").read_text(encoding="utf-8"))
    code = (ROOT / "bots/slack/app.py").read_text(encoding="utf-8")
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == set(re.findall(r'a\.command\("(/[\w-]+)"\)', code))
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert "app_mention" in events and "message.im" in events
    assert {"app_mention", "message"} == set(re.findall(r'a\.event\("(\w+)"\)', code))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"app_mentions:read", "chat:write", "commands", "im:history", "channels:history"}
    assert needed <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
