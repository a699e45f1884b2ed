"""Phrase lists kept as data under ``knowledge/rules/``, validated when loaded.

A bad pattern fails at start-up with the file and entry named, not at the first question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.errors import KnowledgeError
from assistant.knowledge_files import read_validated


class _TypeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: list[str]
    unit: list[str]


class _AnswerTypesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    types: dict[str, _TypeEntry]


class _CuesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    future: list[str]
    hedge: list[str]
    negation: list[str]
    qualifier: list[str]


class _QuestionCuesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    certification: list[str]
    comparison: list[str]
    readiness: list[str]


def compile_patterns(patterns: list[str], where: str) -> re.Pattern[str]:
    """One case-insensitive alternation of a rules file's patterns; a bad one is a
    KnowledgeError naming the file and the list."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise KnowledgeError(f"{where}: invalid pattern {pattern!r}: {exc}") from None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@dataclass(frozen=True, slots=True)
class AnswerTypes:
    """Per answer type: how a question asks for it and how a unit states it."""

    asks: dict[str, re.Pattern[str]]
    states: dict[str, re.Pattern[str]]

    def asked(self, question: str) -> frozenset[str]:
        return frozenset(name for name, p in self.asks.items() if p.search(question))

    def stated(self, text: str) -> frozenset[str]:
        return frozenset(name for name, p in self.states.items() if p.search(text))


@dataclass(frozen=True, slots=True)
class StatementCues:
    future: re.Pattern[str]
    hedge: re.Pattern[str]
    negation: re.Pattern[str]
    qualifier: re.Pattern[str]  # what makes evidence of a requirement weak at best


@dataclass(frozen=True, slots=True)
class QuestionCues:
    """What kind of question it is: features of the fitted router, not decisions."""

    certification: re.Pattern[str]
    comparison: re.Pattern[str]
    readiness: re.Pattern[str]


def load_question_cues(knowledge_dir: Path) -> QuestionCues:
    path = knowledge_dir / "rules" / "question_cues.yaml"
    data = read_validated(path, _QuestionCuesFile)
    return QuestionCues(
        compile_patterns(data.certification, f"{path}: certification"),
        compile_patterns(data.comparison, f"{path}: comparison"),
        compile_patterns(data.readiness, f"{path}: readiness"),
    )


def load_answer_types(knowledge_dir: Path) -> AnswerTypes:
    path = knowledge_dir / "rules" / "answer_types.yaml"
    data = read_validated(path, _AnswerTypesFile)
    return AnswerTypes(
        {n: compile_patterns(e.question, f"{path}: types.{n}.question") for n, e in data.types.items()},
        {n: compile_patterns(e.unit, f"{path}: types.{n}.unit") for n, e in data.types.items()},
    )


def load_statement_cues(knowledge_dir: Path) -> StatementCues:
    path = knowledge_dir / "rules" / "statement_cues.yaml"
    data = read_validated(path, _CuesFile)
    return StatementCues(
        compile_patterns(data.future, f"{path}: future"),
        compile_patterns(data.hedge, f"{path}: hedge"),
        compile_patterns(data.negation, f"{path}: negation"),
        compile_patterns(data.qualifier, f"{path}: qualifier"),
    )
