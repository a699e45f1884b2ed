"""The tables of the first release, adopting a database made before migrations.

Databases created by the old ``create_all`` code hold some or all of these tables and no
``alembic_version``: tables that exist are kept with their rows, missing ones are created
(a file from before warnings gains ``document_warnings``), and missing nullable columns
are added. The table definitions are a frozen copy, not ``assistant.schema``, so this
revision means the same thing after the schema moves on.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables(md: sa.MetaData) -> list[sa.Table]:
    tz = sa.DateTime(timezone=True)
    return [
        sa.Table(
            "documents",
            md,
            sa.Column("workspace", sa.String(128), primary_key=True),
            sa.Column("document_id", sa.String(64), primary_key=True),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("doc_type", sa.String(32), nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("chunk_ids", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("last_error", sa.Text),
            sa.Column("ingested_at", tz, nullable=False),
        ),
        sa.Table(
            "document_warnings",
            md,
            sa.Column("workspace", sa.String(128), primary_key=True),
            sa.Column("document_id", sa.String(64), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("message", sa.Text, nullable=False),
        ),
        sa.Table(
            "chunk_garbage",
            md,
            sa.Column("workspace", sa.String(128), primary_key=True),
            sa.Column("chunk_id", sa.String(160), primary_key=True),
        ),
        sa.Table(
            "api_keys",
            md,
            sa.Column("id", sa.String(16), primary_key=True),
            sa.Column("workspace", sa.String(128), nullable=False),
            sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("label", sa.String(128)),
            sa.Column("revoked", sa.Boolean, nullable=False),
            sa.Column("created_at", tz, nullable=False),
        ),
        sa.Table(
            "feedback",
            md,
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("workspace", sa.String(128), nullable=False, index=True),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("rating", sa.String(8)),
            sa.Column("reason", sa.String(32)),
            sa.Column("source", sa.String(64)),
            sa.Column("created_at", tz, nullable=False),
        ),
        sa.Table(
            "interview_sessions",
            md,
            sa.Column("id", sa.String(40), primary_key=True),
            sa.Column("workspace", sa.String(128), nullable=False, index=True),
            sa.Column("target_kind", sa.String(16), nullable=False),
            sa.Column("target", sa.Text, nullable=False),
            sa.Column("length", sa.Integer, nullable=False),
            sa.Column("seed", sa.Integer, nullable=False),
            sa.Column("plan", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("owner", sa.String(128)),
            sa.Column("channel", sa.String(256), index=True),
            sa.Column("summary", sa.Text),
            sa.Column("created_at", tz, nullable=False),
            sa.Column("updated_at", tz, nullable=False),
        ),
        sa.Table(
            "interview_turns",
            md,
            sa.Column("session_id", sa.String(40), primary_key=True),
            sa.Column("idx", sa.Integer, primary_key=True),
            sa.Column("question_id", sa.String(64), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("prompt", sa.Text, nullable=False),
            sa.Column("clauses", sa.Text, nullable=False),
            sa.Column("answer", sa.Text),
            sa.Column("assessment", sa.Text),
            sa.Column("answered_at", tz),
        ),
        sa.Table(
            "slack_seen_requests",
            md,
            sa.Column("key", sa.String(200), primary_key=True),
            sa.Column("seen_at", tz, nullable=False, index=True),
        ),
        sa.Table(
            "slack_threads",
            md,
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("thread_ts", sa.String(32), primary_key=True),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("workspace", sa.String(128), nullable=False),
            sa.Column("owner", sa.String(64)),
            sa.Column("session_id", sa.String(40)),
            sa.Column("last_question", sa.Text),
            sa.Column("updated_at", tz, nullable=False),
        ),
        sa.Table(
            "slack_thread_exchanges",
            md,
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("thread_ts", sa.String(32), primary_key=True),
            sa.Column("n", sa.Integer, primary_key=True),
            sa.Column("asked_by", sa.String(64)),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("at", tz, nullable=False),
        ),
        sa.Table(
            "slack_channel_settings",
            md,
            sa.Column("team", sa.String(64), primary_key=True),
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("workspace", sa.String(128)),
            sa.Column("tagged_only", sa.Boolean),
            sa.Column("ephemeral", sa.Boolean),
            sa.Column("enabled", sa.Boolean),
            sa.Column("rehearsals", sa.Boolean),
            sa.Column("updated_by", sa.String(64)),
            sa.Column("updated_at", tz, nullable=False),
        ),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in _tables(sa.MetaData()):
        if not inspector.has_table(table.name):
            table.create(bind)
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                op.add_column(table.name, column.copy())


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_tables(sa.MetaData())):
        table.drop(bind, checkfirst=True)
