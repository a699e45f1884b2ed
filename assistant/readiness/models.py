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


class ClauseReadiness(BaseModel):
    clause_id: str
    title: str
    group: str
    status: ClauseStatus
    score: float  # 0-1: evidenced = 1, weak = 0.5 per element
    elements: list[ElementFinding]
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


class FreshnessFlag(BaseModel):
    document: str
    kind: str  # overdue review | stale record | untested plan
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
    severity: Severity
    title: str
    detail: str
    clause_ids: list[str]
    documents: list[str] = Field(default_factory=list)


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


class ServedReadiness(ReadinessReport):
    """The latest stored report as the API serves it: the report, and its age."""

    served: ReportAge
