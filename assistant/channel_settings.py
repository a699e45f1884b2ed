"""Per-channel settings, in the database, changed without a restart.

A channel's row overrides its team's default row (channel ``*``), which overrides the
defaults below; the workspace falls back to ``AUDITPREP_SLACK_WORKSPACES``. Slack admins
change their channel with ``/auditprep-settings``; operators change any team or channel
with ``auditprep slack-settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from assistant.config import validate_workspace_name
from assistant.db import ensure_schema
from assistant.errors import InvalidInput
from assistant.schema import slack_channel_settings

TEAM_DEFAULT = "*"

channel_settings = slack_channel_settings

# Option name people type -> column. Each is on/off except the workspace.
OPTIONS = {
    "workspace": "workspace",
    "tagged-only": "tagged_only",
    "ephemeral": "ephemeral",
    "enabled": "enabled",
    "rehearsals": "rehearsals",
}
_ON, _OFF = {"on", "yes", "true", "1"}, {"off", "no", "false", "0"}
SETTINGS_USAGE = (
    "Change with `/auditprep-settings option=value …` (Slack admins): workspace=NAME, tagged-only=on|off "
    "(answer channel messages only when mentioned), ephemeral=on|off (answers only the asker sees, "
    "with a Share button), enabled=on|off, rehearsals=on|off."
)


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """What the bot does in one channel."""

    workspace: str | None = None
    tagged_only: bool = True  # answer top-level channel messages only when the bot is mentioned
    ephemeral: bool = False  # answers are shown only to the asker, with "Share in channel"
    enabled: bool = True
    rehearsals: bool = True  # /mock-audit allowed

    def describe(self) -> str:
        onoff = {True: "on", False: "off"}
        return (
            f"workspace={self.workspace or '(not connected)'} tagged-only={onoff[self.tagged_only]} "
            f"ephemeral={onoff[self.ephemeral]} enabled={onoff[self.enabled]} rehearsals={onoff[self.rehearsals]}"
        )


def parse_changes(text: str) -> dict[str, str | bool]:
    """``"tagged-only=off workspace=acme"`` -> ``{"tagged_only": False, "workspace": "acme"}``."""
    changes: dict[str, str | bool] = {}
    for token in text.split():
        name, sep, value = token.partition("=")
        column = OPTIONS.get(name.lower())
        if not sep or column is None:
            raise InvalidInput(f"unknown setting {token[:40]!r}; use {', '.join(f'{o}=…' for o in OPTIONS)}")
        if column == "workspace":
            try:
                changes[column] = validate_workspace_name(value)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
        elif value.lower() in _ON | _OFF:
            changes[column] = value.lower() in _ON
        else:
            raise InvalidInput(f"{name} takes on or off, not {value[:20]!r}")
    return changes


class ChannelSettingsStore:
    """Stored overrides per team and channel, over the static team -> workspace map."""

    def __init__(self, engine: Engine, static_workspaces: dict[str, str] | None = None) -> None:
        self._engine = engine
        self._static = dict(static_workspaces or {})
        ensure_schema(engine)

    def effective(self, team: str | None, channel: str | None) -> ChannelSettings:
        team, channel = team or "", channel or ""
        with self._engine.connect() as conn:
            rows = {
                r.channel: r
                for r in conn.execute(
                    select(channel_settings).where(
                        channel_settings.c.team == team, channel_settings.c.channel.in_([channel, TEAM_DEFAULT])
                    )
                )
            }
        values: dict[str, object] = {}
        for f in fields(ChannelSettings):
            for key in (channel, TEAM_DEFAULT):
                value = getattr(rows[key], f.name) if key in rows else None
                if value is not None:
                    values[f.name] = value
                    break
        if "workspace" not in values:
            static = self._static.get(f"{team}/{channel}") or self._static.get(team)
            if static:
                values["workspace"] = static
        return ChannelSettings(**values)  # type: ignore[arg-type]

    def update(self, team: str, channel: str, changes: dict[str, str | bool], by: str) -> ChannelSettings:
        unknown = set(changes) - set(OPTIONS.values())
        if unknown:
            raise InvalidInput(f"unknown settings: {', '.join(sorted(unknown))}")
        values = {**changes, "updated_by": by, "updated_at": datetime.now(UTC)}
        where = (channel_settings.c.team == team) & (channel_settings.c.channel == channel)
        with self._engine.begin() as conn:
            if conn.execute(select(channel_settings.c.team).where(where)).first():
                conn.execute(update(channel_settings).where(where).values(**values))
            else:
                conn.execute(insert(channel_settings).values(team=team, channel=channel, **values))
        return self.effective(team, None if channel == TEAM_DEFAULT else channel)

    def rows(self, team: str | None = None) -> list[tuple[str, str, ChannelSettings]]:
        """Every stored team and channel with its effective settings."""
        query = select(channel_settings.c.team, channel_settings.c.channel).order_by("team", "channel")
        if team:
            query = query.where(channel_settings.c.team == team)
        with self._engine.connect() as conn:
            keys = conn.execute(query).all()
        return [(t, c, self.effective(t, None if c == TEAM_DEFAULT else c)) for t, c in keys]

    def workspaces_of(self, team: str) -> set[str]:
        """The workspaces an operator connected this team to; a Slack admin may choose among them."""
        found = {w for key, w in self._static.items() if key == team or key.startswith(f"{team}/")}
        with self._engine.connect() as conn:
            found |= {
                r.workspace
                for r in conn.execute(
                    select(channel_settings.c.workspace).where(
                        channel_settings.c.team == team, channel_settings.c.workspace.is_not(None)
                    )
                )
            }
        return found
