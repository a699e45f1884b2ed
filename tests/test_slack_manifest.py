"""The Slack app manifest is valid YAML and declares exactly what the bot's code handles."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "bots/slack/manifest.yaml").read_text(encoding="utf-8"))


def _code() -> str:
    return (ROOT / "bots/slack/app.py").read_text(encoding="utf-8")


def test_manifest_commands_and_events_are_the_ones_handled():
    manifest, code = _manifest(), _code()
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == set(re.findall(r'a\.command\("(/[\w-]+)"\)', code))
    assert "/auditprep-settings" in commands
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    handled = set(re.findall(r'a\.event\("(\w+)"\)', code))
    assert handled == {"app_mention", "message"}
    assert events == {"app_mention", "message.im", "message.channels", "message.groups"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert re.findall(r'a\.action\("(\w+)"\)', code)  # buttons need interactivity


def test_manifest_scopes_are_what_the_code_calls():
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    code = _code()
    needed = {"app_mentions:read", "chat:write", "commands", "im:history", "channels:history", "groups:history"}
    if "users_info" in code:
        needed.add("users:read")  # the admin check of /auditprep-settings
    assert needed <= scopes
    assert scopes == needed  # nothing granted beyond what is used
