"""Interview sessions and turns in the database, so a rehearsal survives a restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, insert, select, update

from assistant.db import ensure_schema
from assistant.errors import NotFound
from assistant.interviews.models import (
    Assessment,
    InterviewSession,
    InterviewSummary,
    SessionStatus,
    TargetKind,
    Turn,
    TurnKind,
)
from assistant.schema import interview_sessions, interview_turns

sessions = interview_sessions
turns = interview_turns


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def create(self, session: InterviewSession, first: Turn) -> None:
        with self._engine.begin() as conn:
            conn.execute(insert(sessions).values(**_session_row(session)))
            conn.execute(insert(turns).values(**_turn_row(session.id, first)))

    def get(self, session_id: str) -> InterviewSession:
        with self._engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == session_id)).first()
        if row is None:
            raise NotFound(f"no interview session {session_id!r}")
        return _session(row)

    def turns(self, session_id: str) -> list[Turn]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(turns).where(turns.c.session_id == session_id).order_by(turns.c.idx)).all()
        return [_turn(r) for r in rows]

    def record_answer(
        self,
        session_id: str,
        turn: Turn,
        next_turn: Turn | None,
        status: SessionStatus,
        summary: InterviewSummary | None,
    ) -> bool:
        """Store an answer once: returns False when the turn was answered already."""
        now = datetime.now(UTC)
        with self._engine.begin() as conn:
            result = conn.execute(
                update(turns)
                .where(and_(turns.c.session_id == session_id, turns.c.idx == turn.index, turns.c.answer.is_(None)))
                .values(
                    answer=turn.answer,
                    assessment=turn.assessment.model_dump_json() if turn.assessment else None,
                    answered_at=now,
                )
            )
            if result.rowcount == 0:
                return False
            if next_turn is not None:
                conn.execute(insert(turns).values(**_turn_row(session_id, next_turn)))
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    status=status.value,
                    updated_at=now,
                    summary=summary.model_dump_json() if summary else None,
                )
            )
        return True

    def finish(self, session_id: str, summary: InterviewSummary) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    status=SessionStatus.ENDED.value, summary=summary.model_dump_json(), updated_at=datetime.now(UTC)
                )
            )

    def summary(self, session_id: str) -> InterviewSummary | None:
        with self._engine.connect() as conn:
            value = conn.execute(select(sessions.c.summary).where(sessions.c.id == session_id)).scalar()
        return InterviewSummary.model_validate_json(value) if value else None

    def list(self, workspace: str | None = None, channel: str | None = None, limit: int = 50) -> list[InterviewSession]:
        query = select(sessions).order_by(sessions.c.updated_at.desc()).limit(limit)
        if workspace:
            query = query.where(sessions.c.workspace == workspace)
        if channel:
            query = query.where(sessions.c.channel == channel)
        with self._engine.connect() as conn:
            return [_session(r) for r in conn.execute(query).all()]


def _session_row(s: InterviewSession) -> dict:
    return {
        "id": s.id,
        "workspace": s.workspace,
        "target_kind": s.target_kind.value,
        "target": s.target,
        "length": s.length,
        "seed": s.seed,
        "plan": json.dumps(s.plan),
        "status": s.status.value,
        "owner": s.owner,
        "channel": s.channel,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def _session(row) -> InterviewSession:
    return InterviewSession(
        id=row.id,
        workspace=row.workspace,
        target_kind=TargetKind(row.target_kind),
        target=row.target,
        length=row.length,
        seed=row.seed,
        plan=json.loads(row.plan),
        status=SessionStatus(row.status),
        owner=row.owner,
        channel=row.channel,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _turn_row(session_id: str, t: Turn) -> dict:
    return {
        "session_id": session_id,
        "idx": t.index,
        "question_id": t.question_id,
        "kind": t.kind.value,
        "prompt": t.prompt,
        "clauses": json.dumps(t.clauses),
        "answer": t.answer,
        "assessment": t.assessment.model_dump_json() if t.assessment else None,
        "answered_at": t.answered_at,
    }


def _turn(row) -> Turn:
    return Turn(
        index=row.idx,
        question_id=row.question_id,
        kind=TurnKind(row.kind),
        prompt=row.prompt,
        clauses=json.loads(row.clauses),
        answer=row.answer,
        assessment=Assessment.model_validate_json(row.assessment) if row.assessment else None,
        answered_at=_utc(row.answered_at),
    )
