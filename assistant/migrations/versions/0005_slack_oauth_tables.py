"""The Slack OAuth tables (installations, bots, OAuth states) under the migrations like every
other table. A database where the bot's installation store already made them keeps them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SHORT, _NAME, _SCOPES = sa.String(32), sa.String(200), sa.String(1000)


def _bot_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", _SHORT, nullable=False),
        sa.Column("app_id", _SHORT, nullable=False),
        sa.Column("enterprise_id", _SHORT),
        sa.Column("enterprise_name", _NAME),
    ]


def _team_bot_columns() -> list[sa.Column]:
    return [
        sa.Column("team_id", _SHORT),
        sa.Column("team_name", _NAME),
        sa.Column("bot_token", _NAME),
        sa.Column("bot_id", _SHORT),
        sa.Column("bot_user_id", _SHORT),
        sa.Column("bot_scopes", _SCOPES),
        sa.Column("bot_refresh_token", _NAME),
        sa.Column("bot_token_expires_at", sa.DateTime),
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "slack_installations" not in existing:
        op.create_table(
            "slack_installations",
            *_bot_columns(),
            sa.Column("enterprise_url", _NAME),
            *_team_bot_columns(),
            sa.Column("user_id", _SHORT, nullable=False),
            sa.Column("user_token", _NAME),
            sa.Column("user_scopes", _SCOPES),
            sa.Column("user_refresh_token", _NAME),
            sa.Column("user_token_expires_at", sa.DateTime),
            sa.Column("incoming_webhook_url", _NAME),
            sa.Column("incoming_webhook_channel", _NAME),
            sa.Column("incoming_webhook_channel_id", _NAME),
            sa.Column("incoming_webhook_configuration_url", _NAME),
            sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
            sa.Column("token_type", _SHORT),
            sa.Column("installed_at", sa.DateTime, nullable=False),
        )
        op.create_index(
            "slack_installations_idx",
            "slack_installations",
            ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
        )
    if "slack_bots" not in existing:
        op.create_table(
            "slack_bots",
            *_bot_columns(),
            *_team_bot_columns(),
            sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
            sa.Column("installed_at", sa.DateTime, nullable=False),
        )
        op.create_index("slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"])
    if "slack_oauth_states" not in existing:
        op.create_table(
            "slack_oauth_states",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("state", _NAME, nullable=False),
            sa.Column("expire_at", sa.DateTime, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
