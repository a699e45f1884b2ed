"""The auditor question bank (knowledge/interviews/*.yaml), loaded and validated."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.catalogue import Catalogue
from assistant.errors import KnowledgeError

ROLES = (
    "top management",
    "SMS manager",
    "process owner",
    "service desk agent",
    "change manager",
    "problem manager",
    "configuration manager",
    "service level manager",
    "supplier manager",
    "capacity/availability manager",
    "continuity manager",
    "information security manager",
    "internal auditor",
)
STAGE_ORDER = {"open": 0, "evidence": 1, "edge": 2}


class BankQuestion(BaseModel):
    id: str
    clauses: list[str] = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    stage: Literal["open", "evidence", "edge"] = "open"
    question: str
    expected_points: list[str] = Field(min_length=1)
    evidence_requests: list[str] = Field(default_factory=list)
    follow_ups: list[str] = Field(default_factory=list)
    red_flags: list[str] = Field(default_factory=list)
    difficulty: int = 2

    @model_validator(mode="before")
    @classmethod
    def _text_ids(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("clauses"), list):
            data = {**data, "clauses": [str(c) for c in data["clauses"]]}
        return data

    def follow_up_for(self, point_index: int) -> str | None:
        if 0 <= point_index < len(self.follow_ups):
            return self.follow_ups[point_index]
        return None


class QuestionBank:
    def __init__(self, questions: list[BankQuestion], knowledge_dir: Path | None = None) -> None:
        self.questions = questions
        self.knowledge_dir = knowledge_dir  # where it was loaded from (the grader's rules live beside it)
        self._by_id = {q.id: q for q in questions}

    @classmethod
    def load(cls, knowledge_dir: Path, catalogue: Catalogue) -> QuestionBank:
        questions: list[BankQuestion] = []
        problems: list[str] = []
        for path in sorted((knowledge_dir / "interviews").glob("*.yaml")):
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc
            for entry in raw.get("questions", []):
                try:
                    questions.append(BankQuestion.model_validate(entry))
                except ValidationError as exc:
                    problems.append(f"{path.name}: {entry.get('id', '?')}: {exc.errors()[0]['msg']}")
        seen: set[str] = set()
        for q in questions:
            if q.id in seen:
                problems.append(f"question {q.id} is defined twice")
            seen.add(q.id)
            problems += [f"{q.id}: unknown clause {c}" for c in q.clauses if c not in catalogue]
            problems += [f"{q.id}: unknown role {r!r}" for r in q.roles if r not in ROLES]
        if problems:
            raise KnowledgeError("question bank is invalid:\n  " + "\n  ".join(problems[:20]))
        return cls(questions, knowledge_dir)

    def get(self, question_id: str) -> BankQuestion:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise KnowledgeError(f"question {question_id} is not in the bank") from None

    def __len__(self) -> int:
        return len(self.questions)
