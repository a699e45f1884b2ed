"""Every table auditprep keeps in its relational database, in one SQLAlchemy metadata.

The Alembic migrations in ``assistant/migrations`` create and change these tables; the
stores only read and write them. Slack tables live here too (they are plain tables; the
core imports nothing from Slack), so one ``auditprep db upgrade`` prepares a database for
every process: CLI, API nodes and the bot. The PostgreSQL lexical index's table is made
by a migration of its own and is not described here: its text-search column exists only
on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

# -- ingest manifest ---------------------------------------------------------------------
documents = Table(
    "documents",
    metadata,
    Column("workspace", String(128), primary_key=True),
    Column("document_id", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("doc_type", String(32), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("chunk_ids", Text, nullable=False),  # JSON list of the committed version's ids
    Column("status", String(16), nullable=False),
    Column("last_error", Text),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("source_root", Text),  # the folder ingest it came from, "files" if added alone
)
# What each committed version's ingest left out on purpose (hidden text, suspect sentences).
document_warnings = Table(
    "document_warnings",
    metadata,
    Column("workspace", String(128), primary_key=True),
    Column("document_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("message", Text, nullable=False),
)
chunk_garbage = Table(
    "chunk_garbage",
    metadata,
    Column("workspace", String(128), primary_key=True),
    Column("chunk_id", String(160), primary_key=True),
)

# Originals of uploaded files, so every node holds them and a re-ingest can read them back.
uploaded_files = Table(
    "uploaded_files",
    metadata,
    Column("workspace", String(128), primary_key=True),
    Column("name", String(255), primary_key=True),  # the stored (safe) name = the document's source
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

# -- shared serving state: every node serves the same report and counts the same requests --
readiness_reports = Table(
    "readiness_reports",
    metadata,
    Column("workspace", String(128), primary_key=True),
    Column("fingerprint", Text, nullable=False),  # JSON of what the report was computed from
    Column("report", Text, nullable=False),  # the ReadinessReport as JSON
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("front", String(16), primary_key=True),
    Column("caller", String(200), primary_key=True),
    Column("window", Integer, primary_key=True, index=True),  # start of the minute, in epoch seconds
    Column("count", Integer, nullable=False),
)

# -- API keys, feedback, interviews --------------------------------------------------------
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("workspace", String(128), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("label", String(128)),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
feedback = Table(
    "feedback",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace", String(128), nullable=False, index=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),  # the Answer as JSON
    Column("rating", String(8)),  # up | down
    Column("reason", String(32)),
    Column("source", String(64)),  # e.g. "slack:T123/C456"
    Column("created_at", DateTime(timezone=True), nullable=False),
)
interview_sessions = Table(
    "interview_sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace", String(128), nullable=False, index=True),
    Column("target_kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("length", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("plan", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner", String(128)),
    Column("channel", String(256), index=True),
    Column("summary", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
interview_turns = Table(
    "interview_turns",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("question_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("prompt", Text, nullable=False),
    Column("clauses", Text, nullable=False),
    Column("answer", Text),
    Column("assessment", Text),
    Column("answered_at", DateTime(timezone=True)),
)

# -- Slack bot -------------------------------------------------------------------------------
slack_seen_requests = Table(
    "slack_seen_requests",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)
slack_threads = Table(
    "slack_threads",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("thread_ts", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # ask | interview
    Column("workspace", String(128), nullable=False),
    Column("owner", String(64)),
    Column("session_id", String(40)),
    Column("last_question", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
slack_thread_exchanges = Table(
    "slack_thread_exchanges",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("thread_ts", String(32), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("asked_by", String(64)),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
slack_channel_settings = Table(
    "slack_channel_settings",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),  # "*" = the team's default
    Column("workspace", String(128)),
    Column("tagged_only", Boolean),
    Column("ephemeral", Boolean),
    Column("enabled", Boolean),
    Column("rehearsals", Boolean),
    Column("updated_by", String(64)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# -- Slack OAuth (several Slack workspaces): the tables slack_sdk's SQLAlchemy installation and
# state stores read and write, with their default names; declared here, column for column,
# so that a migration creates them like every other table (a test compares the two)
def _slack_app() -> list[Column]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def _slack_team_bot() -> list[Column]:
    return [
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
    ]


slack_installations = Table(
    "slack_installations",
    metadata,
    *_slack_app(),
    Column("enterprise_url", String(200)),
    *_slack_team_bot(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)
slack_bots = Table(
    "slack_bots",
    metadata,
    *_slack_app(),
    *_slack_team_bot(),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)

__all__ = [
    "api_keys",
    "chunk_garbage",
    "document_warnings",
    "documents",
    "feedback",
    "interview_sessions",
    "interview_turns",
    "metadata",
    "rate_counters",
    "readiness_reports",
    "slack_bots",
    "slack_channel_settings",
    "slack_installations",
    "slack_oauth_states",
    "slack_seen_requests",
    "slack_thread_exchanges",
    "slack_threads",
    "uploaded_files",
]
