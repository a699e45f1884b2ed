"""Domain models shared by every service and adapter: typed results, not dicts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Origin(StrEnum):
    STANDARD = "standard"  # our knowledge base about the standard and certification
    ORGANIZATION = "organization"  # the workspace's own SMS documents


class DocType(StrEnum):
    POLICY = "policy"
    PROCEDURE = "procedure"
    PLAN = "plan"
    RECORD = "record"
    AGREEMENT = "agreement"
    CATALOGUE = "catalogue"
    REGISTER = "register"
    GUIDANCE = "guidance"
    CLAUSE = "clause"  # a catalogue entry rendered as a passage
    OTHER = "other"


class Passage(BaseModel):
    """A retrieved chunk with its score and full provenance."""

    id: str
    text: str
    score: float = 0.0  # retrieval rank score (fused); higher ranks first
    similarity: float = 0.0  # dense cosine similarity to the question (0 if BM25-only)
    origin: Origin
    document_id: str
    source: str  # path relative to the ingest root (or the knowledge base)
    title: str
    doc_type: DocType = DocType.OTHER
    section: str = ""
    page: int | None = None
    clauses: list[str] = Field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.source.rsplit("/", 1)[-1]


class Citation(BaseModel):
    """A clause of the standard, or a verbatim quote from a retrieved passage."""

    marker: int  # the [n] in the answer text
    kind: Literal["clause", "document"]
    clause_id: str | None = None
    title: str | None = None
    document: str | None = None  # source path of the organization's (or guidance) document
    section: str | None = None
    page: int | None = None
    chunk_id: str | None = None
    quote: str | None = None

    def label(self) -> str:
        if self.kind == "clause":
            return f"ISO/IEC 20000-1:2018 clause {self.clause_id} {self.title}"
        where = [self.document or ""]
        if self.section:
            where.append(self.section)
        if self.page:
            where.append(f"p. {self.page}")
        return ", ".join(where)


class Intent(StrEnum):
    CLAUSE = "clause_explanation"
    EVIDENCE = "evidence_check"
    READINESS = "readiness"
    PROCESS = "certification_process"
    GENERAL = "general"


class ElementStatus(StrEnum):
    EVIDENCED = "evidenced"
    WEAK = "weak"
    NOT_FOUND = "not_found"


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    NOT_COVERED = "not_covered"
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"


class ElementFinding(BaseModel):
    """The evidence check's result for one requirement element."""

    element_id: str
    clause_id: str
    statement: str
    status: ElementStatus
    score: float
    passage_id: str | None = None
    document: str | None = None
    section: str | None = None
    quote: str | None = None
    matched_cues: list[str] = Field(default_factory=list)


class Disagreement(BaseModel):
    """Two organization passages that state different values for the same fact."""

    topic: str
    clause_ids: list[str]
    statements: list[Passage]
    values: list[str]


class RemovedCitation(BaseModel):
    """A citation validation took out, and why."""

    marker: str
    reason: str


class Diagnostics(BaseModel):
    """How an answer was made: timings, fallbacks and what validation removed. Typed, so
    that the API, the evals and the tests read the same fields."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float | None = None
    retrieval_ms: dict[str, float] = Field(default_factory=dict)
    llm_ms: float | None = None
    model: str | None = None  # the chat model that phrased the answer
    fallback_reason: str | None = None  # why the LLM answer was replaced by the extractive one
    unsupported_sentences_removed: int = 0
    sentences_attributed: int = 0
    removed_citations: list[RemovedCitation] = Field(default_factory=list)
    abstain_reason: str | None = None


class Answer(BaseModel):
    """One answer schema for every generator."""

    question: str
    workspace: str
    intent: Intent
    text: str
    verdict: Verdict | None = None
    elements: list[ElementFinding] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    clauses: list[str] = Field(default_factory=list)  # the clauses the question concerns
    confidence: float = 0.0
    abstained: bool = False
    generator: str = "extractive"
    metadata: Diagnostics = Field(default_factory=Diagnostics)

    def cited_clause_ids(self) -> list[str]:
        return [c.clause_id for c in self.citations if c.kind == "clause" and c.clause_id]

    def cited_documents(self) -> list[str]:
        return [c.document for c in self.citations if c.kind == "document" and c.document]


class DocumentStatus(StrEnum):
    INDEXED = "indexed"
    FAILED = "failed"


class DocumentRecord(BaseModel):
    """The manifest's view of one ingested document (immutable: the manifest shares them)."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    document_id: str
    source: str
    title: str
    doc_type: DocType
    content_hash: str
    version: int
    chunk_count: int
    status: DocumentStatus
    last_error: str | None = None
    ingested_at: datetime
    # What the ingest of the committed version left out on purpose (hidden text, sentences
    # addressed to an assistant); a tuple because records are shared.
    warnings: tuple[str, ...] = ()


class FileOutcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    FAILED = "failed"


class FileResult(BaseModel):
    source: str
    outcome: FileOutcome
    document_id: str | None = None
    chunks: int = 0
    reason: str | None = None
    warnings: list[str] = Field(default_factory=list)  # text left out of a new version, see DocumentRecord


class IngestReport(BaseModel):
    workspace: str
    results: list[FileResult] = Field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: FileOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failed(self) -> bool:
        return self.count(FileOutcome.FAILED) > 0

    @property
    def chunks_written(self) -> int:
        return sum(r.chunks for r in self.results if r.outcome in (FileOutcome.ADDED, FileOutcome.UPDATED))
