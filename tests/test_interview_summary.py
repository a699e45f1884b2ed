"""The rehearsal summary's per-question score agrees with the flags its turns raised (no
embedder: the fast lane)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.catalogue import Catalogue
from assistant.interviews.bank import QuestionBank
from assistant.interviews.models import (
    Assessment,
    Contradiction,
    DocumentRef,
    InterviewSession,
    SessionStatus,
    TargetKind,
    Turn,
    TurnKind,
)
from assistant.interviews.summary import summarize
from tests.conftest import KNOWLEDGE

QUESTION = "q-8.5.1.3-02"


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load(KNOWLEDGE, Catalogue.load(KNOWLEDGE))


def session() -> InterviewSession:
    now = datetime.now(UTC)
    return InterviewSession(
        id="s",
        workspace="w",
        target_kind=TargetKind.CLAUSE,
        target="8.5.1.3",
        length=1,
        seed=0,
        plan=[QUESTION],
        status=SessionStatus.ENDED,
        created_at=now,
        updated_at=now,
    )


def turn(index: int, kind: TurnKind, assessment: Assessment) -> Turn:
    return Turn(
        index=index,
        question_id=QUESTION,
        kind=kind,
        prompt="p",
        clauses=["8.5.1.3"],
        answer=f"answer {index}",
        assessment=assessment,
    )


def test_a_follow_up_does_not_lift_a_question_above_an_admission(bank):
    admitted = Assessment(score=0, red_flags=["The answer says the process is not followed: 'we skip it'"])
    turns = [turn(0, TurnKind.QUESTION, admitted), turn(1, TurnKind.FOLLOW_UP, Assessment(score=3))]
    summary = summarize(session(), turns, bank)
    assert [q.score for q in summary.questions] == [0]


def test_a_follow_up_does_not_lift_a_question_above_a_contradiction(bank):
    ref = DocumentRef(document="change.md", chunk_id="c1", quote="The CAB meets every Tuesday.")
    wrong = Contradiction(kind="weekday", answer_says="Thursday", document_says="Tuesday", passage=ref)
    turns = [
        turn(0, TurnKind.QUESTION, Assessment(score=1, contradictions=[wrong])),
        turn(1, TurnKind.FOLLOW_UP, Assessment(score=4)),
    ]
    assert [q.score for q in summarize(session(), turns, bank).questions] == [1]


def test_without_flags_the_best_answer_to_a_question_counts(bank):
    turns = [turn(0, TurnKind.QUESTION, Assessment(score=2)), turn(1, TurnKind.FOLLOW_UP, Assessment(score=4))]
    assert [q.score for q in summarize(session(), turns, bank).questions] == [4]
