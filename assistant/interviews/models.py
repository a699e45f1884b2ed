"""Typed interview models: the engine, the API and the Slack bot all speak these."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class TargetKind(StrEnum):
    CLAUSE = "clause"
    PROCESS = "process"
    ROLE = "role"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class TurnKind(StrEnum):
    QUESTION = "question"
    FOLLOW_UP = "follow_up"


class AnswerKind(StrEnum):
    ANSWER = "answer"
    SKIPPED = "skipped"
    UNKNOWN = "dont_know"
    NOT_ENGLISH = "not_english"
    OFF_TOPIC = "off_topic"


class Grade(StrEnum):
    MAJOR = "major nonconformity"
    MINOR = "minor nonconformity"
    OBSERVATION = "observation"
    GOOD_PRACTICE = "good practice"


class DocumentRef(BaseModel):
    """An organization passage an assessment or finding rests on (verbatim quote)."""

    document: str
    section: str = ""
    page: int | None = None
    chunk_id: str
    quote: str


class Contradiction(BaseModel):
    kind: str  # "approver", "time limit", "priority"
    answer_says: str
    document_says: str
    passage: DocumentRef


class Assessment(BaseModel):
    kind: AnswerKind = AnswerKind.ANSWER
    score: int | None = None  # 0-4; None when skipped
    covered_points: list[str] = Field(default_factory=list)
    missing_points: list[str] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    red_flags: list[str] = Field(default_factory=list)
    checked_facts: list[str] = Field(default_factory=list)  # stated facts the documents confirm
    reason: str = ""  # one line: why the score is what it is
    strong_answer_adds: str = ""
    supporting: list[DocumentRef] = Field(default_factory=list)


class Turn(BaseModel):
    index: int  # 0-based position in the session
    question_id: str
    kind: TurnKind
    prompt: str
    clauses: list[str]
    answer: str | None = None
    assessment: Assessment | None = None
    answered_at: datetime | None = None


class Finding(BaseModel):
    """One issue found in the rehearsal (not one per question), graded as an auditor would."""

    grade: Grade
    clause_ids: list[str]
    statement: str
    question_id: str  # the first question it came up in
    answer_excerpt: str = ""
    passages: list[DocumentRef] = Field(default_factory=list)
    rationale: str = ""  # one line: why this grade
    question_ids: list[str] = Field(default_factory=list)  # every question it came up in


class QuestionScore(BaseModel):
    question_id: str
    question: str
    clauses: list[str]
    score: int | None
    skipped: bool = False


class InterviewSummary(BaseModel):
    session_id: str
    questions: list[QuestionScore]
    average_score: float | None
    findings: list[Finding]
    prepare: list[str]
    grade: Grade | None = None  # the most serious finding's grade: what the real audit would likely raise


class InterviewSession(BaseModel):
    id: str
    workspace: str
    target_kind: TargetKind
    target: str
    length: int
    seed: int
    plan: list[str]
    status: SessionStatus
    created_at: datetime
    updated_at: datetime
    owner: str | None = None  # who is rehearsing (e.g. a Slack user id)
    channel: str | None = None  # where (e.g. a Slack channel and thread)


class InterviewState(BaseModel):
    session: InterviewSession
    turns: list[Turn]
    current: Turn | None
    summary: InterviewSummary | None = None


class TurnResult(BaseModel):
    session_id: str
    answered: Turn
    assessment: Assessment
    next: Turn | None
    summary: InterviewSummary | None = None
    message: str = ""
