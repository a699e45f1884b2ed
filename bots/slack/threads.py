"""Which Slack thread belongs to what: an ask conversation (for follow-ups) or a rehearsal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Text, insert, select, update

metadata = MetaData()
threads = Table(
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


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    channel: str
    thread_ts: str
    kind: str
    workspace: str
    owner: str | None
    session_id: str | None
    last_question: str | None


class ThreadStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine)

    def get(self, channel: str, thread_ts: str) -> ThreadInfo | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(threads).where(threads.c.channel == channel, threads.c.thread_ts == thread_ts)
            ).first()
        if row is None:
            return None
        return ThreadInfo(
            row.channel, row.thread_ts, row.kind, row.workspace, row.owner, row.session_id, row.last_question
        )

    def put(self, info: ThreadInfo) -> None:
        values = {
            "kind": info.kind,
            "workspace": info.workspace,
            "owner": info.owner,
            "session_id": info.session_id,
            "last_question": info.last_question,
            "updated_at": datetime.now(UTC),
        }
        with self._engine.begin() as conn:
            where = (threads.c.channel == info.channel) & (threads.c.thread_ts == info.thread_ts)
            if conn.execute(select(threads.c.kind).where(where)).first():
                conn.execute(update(threads).where(where).values(**values))
            else:
                conn.execute(insert(threads).values(channel=info.channel, thread_ts=info.thread_ts, **values))
