"""Feedback on answers (from Slack or elsewhere): stored with the question and the answer,
and exported as eval items so real misses become regression tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from assistant.db import ensure_schema
from assistant.errors import InvalidInput, NotFound
from assistant.models import Answer
from assistant.schema import feedback

REASONS = ("wrong_clause", "wrong_document", "missing_evidence", "other")


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    id: str
    workspace: str
    question: str
    answer: Answer
    rating: str | None
    reason: str | None


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def record_answer(self, answer: Answer, source: str) -> str:
        """Keep an answer so later feedback can refer to it by id."""
        item_id = uuid.uuid4().hex[:16]
        with self._engine.begin() as conn:
            conn.execute(
                insert(feedback).values(
                    id=item_id,
                    workspace=answer.workspace,
                    question=answer.question,
                    answer=answer.model_dump_json(),
                    rating=None,
                    reason=None,
                    source=source[:64],
                    created_at=datetime.now(UTC),
                )
            )
        return item_id

    def rate(self, item_id: str, rating: str, reason: str | None = None) -> FeedbackItem:
        if rating not in ("up", "down"):
            raise InvalidInput("rating must be 'up' or 'down'")
        if reason is not None and reason not in REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(REASONS)}")
        values: dict[str, str | None] = {"rating": rating}
        if reason is not None or rating == "up":
            values["reason"] = reason
        with self._engine.begin() as conn:
            result = conn.execute(update(feedback).where(feedback.c.id == item_id).values(**values))
        if result.rowcount == 0:
            raise NotFound(f"no answer {item_id!r} to rate")
        return self.get(item_id)

    def get(self, item_id: str) -> FeedbackItem:
        with self._engine.connect() as conn:
            row = conn.execute(select(feedback).where(feedback.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"no answer {item_id!r}")
        return _item(row)

    def negative(self, workspace: str | None = None) -> list[FeedbackItem]:
        query = select(feedback).where(feedback.c.rating == "down").order_by(feedback.c.created_at)
        if workspace:
            query = query.where(feedback.c.workspace == workspace)
        with self._engine.connect() as conn:
            return [_item(r) for r in conn.execute(query).all()]


def _item(row) -> FeedbackItem:
    return FeedbackItem(
        row.id, row.workspace, row.question, Answer.model_validate_json(row.answer), row.rating, row.reason
    )


def feedback_to_dataset(items: list[FeedbackItem], name: str = "feedback-regressions") -> dict:
    """Thumbs-down answers as eval items: the question, and what the answer cited, for a
    maintainer to correct (the expectations start from the answer's own citations)."""
    out = []
    for item in items:
        a = item.answer
        out.append(
            {
                "id": f"fb-{item.id}",
                "question": item.question,
                "kind": "unanswerable" if a.abstained else "lookup",
                "expected_clauses": sorted(set(a.cited_clause_ids())),
                "expected_sources": sorted({d.rsplit("/", 1)[-1] for d in a.cited_documents()}),
                "expected_facts": [],
                "feedback_reason": item.reason or "unspecified",
                "previous_answer": a.text,
            }
        )
    return {"name": name, "items": out}


__all__ = ["REASONS", "FeedbackItem", "FeedbackStore", "feedback_to_dataset"]
