"""What a generator receives, and the citation book it writes markers with."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answering.evidence import ClauseCheck
from assistant.catalogue import Catalogue
from assistant.evidence import QuestionProfile, ScoredUnit
from assistant.models import Citation, Disagreement, DocType, Intent, Passage, Verdict
from assistant.readiness.checklist import ChecklistItem
from assistant.retrieval import Retrieved


@dataclass(slots=True)
class AnswerContext:
    """Everything known about a question before any text is written."""

    question: str
    workspace: str
    intent: Intent
    retrieved: Retrieved
    clauses: list[str]  # the clauses the answer is about
    checks: list[ClauseCheck] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    verdict: Verdict | None = None
    focus_elements: list[str] = field(default_factory=list)  # element ids a consistency question targets
    comparison: bool = False  # an evidence question that compares statements (consistency)
    extra_passages: list[Passage] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    org_documents: int = 0
    unknown_clauses: list[str] = field(default_factory=list)  # clause numbers that do not exist
    unknown_names: list[str] = field(default_factory=list)  # names neither the knowledge nor the documents use
    organization_names: list[str] = field(default_factory=list)  # names only the organization's documents use
    profile: QuestionProfile | None = None
    scored: list[ScoredUnit] | None = None  # units ranked by the fitted selector (None when uncalibrated)
    verdict_features: np.ndarray | None = None  # what the fitted verdict model read
    unanswered: bool = False  # the fitted abstention model says the units do not answer the question

    @property
    def passages(self) -> list[Passage]:
        """Retrieved passages, best first for what the question is about: the standard's
        guidance leads for questions about the certification process; the entries of the
        clauses explained, then the organization's documents, for clause questions; the
        organization's documents for everything else."""
        standard, organization = self.retrieved.standard, self.retrieved.organization
        if self.intent is Intent.PROCESS:
            ordered = standard + organization
        elif self.intent is Intent.CLAUSE:
            entries = [
                p for p in standard if p.doc_type is DocType.CLAUSE and p.source.rsplit("/", 1)[-1] in self.clauses
            ]
            ordered = entries + organization + standard
        else:
            ordered = organization + standard
        seen: dict[str, Passage] = {}
        for p in ordered + self.extra_passages:
            seen.setdefault(p.id, p)
        return list(seen.values())


class CitationBook:
    """Hands out ``[n]`` markers, one per distinct clause or quoted passage."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self.citations: list[Citation] = []
        self._keys: dict[tuple, int] = {}

    def clause(self, clause_id: str) -> int:
        key = ("clause", clause_id)
        if key not in self._keys:
            clause = self._catalogue.get(clause_id)
            self._add(key, Citation(marker=0, kind="clause", clause_id=clause.id, title=clause.title))
        return self._keys[key]

    def passage(self, passage: Passage, quote: str | None) -> int:
        key = ("doc", passage.id, quote)
        if key not in self._keys:
            self._add(
                key,
                Citation(
                    marker=0,
                    kind="document",
                    document=passage.source,
                    section=passage.section or None,
                    page=passage.page,
                    chunk_id=passage.id,
                    quote=quote,
                ),
            )
        return self._keys[key]

    def _add(self, key: tuple, citation: Citation) -> None:
        marker = len(self.citations) + 1
        self.citations.append(citation.model_copy(update={"marker": marker}))
        self._keys[key] = marker
