"""Which chat thread (a Slack thread today) belongs to what: an ask conversation (who
asked, and the questions and answers so far, for follow-ups) or a rehearsal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.conversation import Exchange
from assistant.db import ensure_schema
from assistant.schema import slack_thread_exchanges, slack_threads

threads = slack_threads
exchanges = slack_thread_exchanges


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
        ensure_schema(engine)

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
        """Create or update a thread; an ask thread keeps the person who started it."""
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
            existing = conn.execute(select(threads.c.kind, threads.c.owner).where(where)).first()
            if existing:
                if existing.kind == info.kind == "ask" and existing.owner:
                    values["owner"] = existing.owner
                conn.execute(update(threads).where(where).values(**values))
            else:
                conn.execute(insert(threads).values(channel=info.channel, thread_ts=info.thread_ts, **values))

    def add_exchange(self, channel: str, thread_ts: str, asked_by: str, question: str, answer: str) -> None:
        where = (exchanges.c.channel == channel) & (exchanges.c.thread_ts == thread_ts)
        for attempt in range(3):  # two answers finishing at once in one thread race for n
            try:
                with self._engine.begin() as conn:
                    n = conn.execute(select(func.coalesce(func.max(exchanges.c.n), 0)).where(where)).scalar_one()
                    conn.execute(
                        insert(exchanges).values(
                            channel=channel,
                            thread_ts=thread_ts,
                            n=n + 1,
                            asked_by=asked_by,
                            question=question,
                            answer=answer,
                            at=datetime.now(UTC),
                        )
                    )
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def history(self, channel: str, thread_ts: str, last: int = 10) -> list[Exchange]:
        """The thread's last ``last`` questions and answers, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(exchanges.c.question, exchanges.c.answer)
                .where(exchanges.c.channel == channel, exchanges.c.thread_ts == thread_ts)
                .order_by(exchanges.c.n.desc())
                .limit(last)
            ).all()
        return [Exchange(r.question, r.answer) for r in reversed(rows)]
