"""The readiness report's typed model (JSON output is this, dumped)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from assistant.models import Disagreement, ElementFinding


class ClauseStatus(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"


class Severity(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


class Quote(BaseModel):
    """A sentence of the organization's documents, where it stands and what surrounds it."""

    document: str
    section: str = ""
    sentence: str
    context: str = ""  # the sentence with its neighbours in the document


class Finding(BaseModel):
    """One thing an auditor would raise at a clause, graded as they would grade it."""

    clause_id: str
    element_id: str | None = None
    grade: Severity
    source: str  # element | clause | checklist | freshness | register | inconsistency
    state: str  # what was found: absent, deferred, negated, hedged, unclear, stale record, ...
    rule: str  # the grading rule that gave the grade (knowledge/rules/finding_grades.yaml)
    why: str
    summary: str
    quotes: list[Quote] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)


class ClauseReadiness(BaseModel):
    clause_id: str
    title: str
    group: str
    status: ClauseStatus
    score: float  # 0-1: element credits by grade, capped by the clause's worst finding
    elements: list[ElementFinding]
    findings: list[Finding] = Field(default_factory=list)  # majors first
    documented_present: list[str] = Field(default_factory=list)
    documented_missing: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)


class GroupReadiness(BaseModel):
    key: str
    label: str
    clauses: int
    covered: int
    partial: int
    missing: int
    score: float


class ChecklistEntry(BaseModel):
    key: str
    label: str
    clauses: list[str]
    status: str  # present | weak | missing
    documents: list[str]
    note: str = ""
    finding: str = ""  # missing | weak | vague targets | audit coverage; empty when present


class FreshnessFlag(BaseModel):
    document: str
    kind: str  # overdue review | stale record | untested plan | no test record | owner has left
    detail: str
    clause_ids: list[str]
    dated: date | None = None


class RecordFinding(BaseModel):
    """Rows of a register that fall short: a required field left empty, or a date passed."""

    document: str
    kind: str  # incomplete records | overdue
    detail: str
    clause_ids: list[str]
    rows: list[str] = Field(default_factory=list)


class Action(BaseModel):
    severity: Severity  # the grade of the findings it closes
    title: str  # what to do
    detail: str  # what was found
    clause_ids: list[str]
    documents: list[str] = Field(default_factory=list)
    owner: str = ""  # who typically owns it
    closes: str = ""  # the evidence that closes it
    stage1: bool = False  # a Stage 1 auditor reviews what it concerns
    source: str = ""  # element | clause | checklist | freshness | register | inconsistency


class ReadinessReport(BaseModel):
    workspace: str
    generated_at: datetime
    as_of: date
    documents: int
    overall_score: float
    overall_status: str
    clauses: list[ClauseReadiness]
    groups: list[GroupReadiness]
    checklist: list[ChecklistEntry]
    freshness: list[FreshnessFlag]
    records: list[RecordFinding] = Field(default_factory=list)
    inconsistencies: list[Disagreement]
    actions: list[Action]
    element_counts: dict[str, int]
    seconds: float = 0.0


class ReportAge(BaseModel):
    """How old a served report is, and whether it still reflects the workspace."""

    generated_at: datetime
    age_seconds: float
    current: bool = Field(description="The report reflects the workspace's documents as they stand now.")
    refreshing: bool = Field(description="A recomputation is under way; ask again shortly for the new report.")

    def summary(self) -> str:
        """The age in words, for people: "computed 4 minutes ago; a newer one is on its way"."""
        seconds = int(self.age_seconds)
        if seconds < 60:
            ago = "just now"
        else:
            value, unit = next(
                (seconds // s, u) for s, u in ((86400, "day"), (3600, "hour"), (60, "minute")) if seconds >= s
            )
            ago = f"{value} {unit}{'s' if value != 1 else ''} ago"
        tail = (
            ""
            if self.current
            else "; the documents changed since" + (", a newer one is on its way" if self.refreshing else "")
        )
        return f"computed {ago}{tail}"


class ServedState(BaseModel):
    """When a served report was computed and whether it still reflects the workspace (its age
    in seconds is the response's ``Age`` header)."""

    generated_at: datetime
    current: bool = Field(description="The report reflects the workspace's documents as they stand now.")
    refreshing: bool = Field(description="A recomputation is under way; ask again shortly for the new report.")


class ServedReadiness(ReadinessReport):
    """The latest stored report as the API serves it: the report, and its state."""

    served: ServedState
