"""Grading findings as a certification auditor would (major, minor, observation).

The grade follows from facts the report establishes about a finding — where it comes from,
what the evidence check found, whether the element is required documented information,
whether the evidence sits in a document that sets practice — looked up in one table,
``knowledge/rules/finding_grades.yaml``. No wording of a document decides a grade here;
the wording is read once, by the evidence judge and its statement cues, into a state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from assistant.answering.evidence import qualifying_sentence
from assistant.catalogue import Element
from assistant.errors import KnowledgeError
from assistant.evidence import StatementCues
from assistant.knowledge_files import read_validated
from assistant.models import DocType, ElementFinding, ElementStatus
from assistant.readiness.models import ClauseStatus, Finding, Severity

Source = Literal["element", "clause", "checklist", "freshness", "register", "inconsistency"]
_CONDITIONS = {"source", "state", "required", "prescribed", "named"}
# Documents that set how work is done: what they say happens every time, not once.
PRESCRIBING = frozenset({DocType.POLICY, DocType.PROCEDURE, DocType.PLAN, DocType.AGREEMENT, DocType.CATALOGUE})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the report knows about one finding, in the terms the grading table uses."""

    source: Source
    state: str
    required: bool | None = None
    prescribed: bool | None = None
    named: bool | None = None

    def get(self, name: str) -> object:
        return getattr(self, name)


class GradeRule(BaseModel):
    id: str
    when: dict[str, str | bool] = Field(default_factory=dict)
    grade: Severity
    why: str
    do: str
    closes: str

    @field_validator("when")
    @classmethod
    def _known_conditions(cls, value: dict[str, str | bool]) -> dict[str, str | bool]:
        unknown = set(value) - _CONDITIONS
        if unknown:
            raise ValueError(f"unknown condition(s) {sorted(unknown)}; use {sorted(_CONDITIONS)}")
        return value

    @field_validator("do", "closes")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            value.format(subject="", detail="", records="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"{value!r}: use only {{subject}}, {{detail}} and {{records}} ({exc})") from None
        return value

    def matches(self, facts: Facts) -> bool:
        return all(facts.get(name) == wanted for name, wanted in self.when.items())


class _GradesFile(BaseModel):
    rules: list[GradeRule]
    credit: dict[Severity, float]
    cap: dict[Severity, float]

    @model_validator(mode="after")
    def _complete(self) -> _GradesFile:
        if not self.rules or self.rules[-1].when:
            raise ValueError("the last rule must match anything (when: {})")
        if set(self.credit) != set(Severity) or set(self.cap) != set(Severity):
            raise ValueError("credit and cap need a value for every grade")
        if not all(0.0 <= v <= 1.0 for v in [*self.credit.values(), *self.cap.values()]):
            raise ValueError("credit and cap values lie between 0 and 1")
        return self


class _OwnersFile(BaseModel):
    owners: dict[str, str]


@dataclass(frozen=True, slots=True)
class GradingRules:
    """The grading table, the score credits and caps, and who owns actions, loaded once."""

    rules: tuple[GradeRule, ...]
    credit: dict[Severity, float]
    cap: dict[Severity, float]
    owners: dict[str, str]

    @classmethod
    def load(cls, knowledge_dir: Path) -> GradingRules:
        grades = read_validated(knowledge_dir / "rules" / "finding_grades.yaml", _GradesFile)
        owners = read_validated(knowledge_dir / "rules" / "action_owners.yaml", _OwnersFile)
        return cls(tuple(grades.rules), dict(grades.credit), dict(grades.cap), dict(owners.owners))

    def rule(self, facts: Facts) -> GradeRule:
        """The first rule whose conditions hold (the table ends with a catch-all)."""
        for rule in self.rules:
            if rule.matches(facts):
                return rule
        raise KnowledgeError("finding_grades.yaml has no catch-all rule")  # prevented at load

    def owner(self, clause_id: str) -> str:
        parts = clause_id.split(".")
        for n in range(len(parts), 0, -1):
            owner = self.owners.get(".".join(parts[:n]))
            if owner:
                return owner
        return "SMS manager"


def element_state(
    finding: ElementFinding, element: Element, cues: StatementCues, absent: bool, deferred: bool
) -> str | None:
    """What the evidence check's finding says about an element, or None when evidenced.

    ``absent`` and ``deferred`` come from the report's document-level checks: the documents
    that address the clause do not mention the element, or put it off. "not found" is the
    evidence check finding no passage near the element at all, which on documents written in
    other words is often a miss of the search rather than a gap. A weak finding
    is read through its quote only when the judge itself found that quote qualifying the
    element (hedging or negating it on topic); otherwise the evidence is merely unclear."""
    if finding.status is ElementStatus.EVIDENCED:
        return None
    if absent:
        return "absent"
    if finding.status is ElementStatus.NOT_FOUND:
        return "not found"
    if deferred:
        return "deferred"
    quote = finding.quote or ""
    if quote and qualifying_sentence(quote, element):
        if cues.future.search(quote):
            return "deferred"
        if cues.negation.search(quote):
            return "negated"
        return "hedged"
    return "unclear"


def clause_score(elements: list[ElementFinding], findings: list[Finding], rules: GradingRules, absent: bool) -> float:
    """The mean credit of a clause's elements by the grade of their findings, capped by the
    clause's worst finding: a clause is as ready as its weakest critical element."""
    if absent or not elements:
        return 0.0
    grade_of: dict[str, Severity] = {}
    for f in findings:
        if f.element_id and f.element_id not in grade_of:
            grade_of[f.element_id] = f.grade  # findings are held worst first
    credits = [rules.credit[grade_of[e.element_id]] if e.element_id in grade_of else 1.0 for e in elements]
    score = sum(credits) / len(credits)
    return min([score, *(rules.cap[f.grade] for f in findings)])


def clause_status(elements: list[ElementFinding], findings: list[Finding], absent: bool) -> ClauseStatus:
    """Missing when nothing evidences the clause, partial while it holds a major or minor
    finding, covered otherwise: observations are shown, not held against it."""
    if absent or not elements:
        return ClauseStatus.MISSING
    if any(f.grade in (Severity.MAJOR, Severity.MINOR) for f in findings):
        return ClauseStatus.PARTIAL
    return ClauseStatus.COVERED
