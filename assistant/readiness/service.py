"""``ReadinessService``: where the organization stands, clause by clause, from its own
documents — the evidence check run over every leaf clause, the Stage 1 checklist, record
freshness, cross-document disagreements, and the actions to take first."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from assistant.answering.consistency import find_disagreements
from assistant.answering.evidence import EvidenceChecker
from assistant.catalogue import Catalogue
from assistant.manifest import Manifest
from assistant.models import DocumentRecord, ElementStatus, Origin, Passage, Verdict
from assistant.ports import VectorStore
from assistant.readiness.checklist import AUDIT_GROUPS, assess_checklist, document_texts
from assistant.readiness.freshness import check_document
from assistant.readiness.models import (
    Action,
    ChecklistEntry,
    ClauseReadiness,
    ClauseStatus,
    FreshnessFlag,
    GroupReadiness,
    ReadinessReport,
    Severity,
)
from assistant.retrieval import to_passage
from assistant.workspaces import workspace_collection

Progress = Callable[[int, int, str], None]

GROUPS = AUDIT_GROUPS


def group_of(clause_id: str) -> str:
    for key, _ in sorted(GROUPS, key=lambda g: -len(g[0])):
        if clause_id == key or clause_id.startswith(key + "."):
            return key
    return clause_id.split(".")[0]


class ReadinessService:
    def __init__(self, catalogue: Catalogue, evidence: EvidenceChecker, store: VectorStore, manifest: Manifest) -> None:
        self._catalogue = catalogue
        self._evidence = evidence
        self._store = store
        self._manifest = manifest

    def report(self, workspace: str, as_of: date | None = None, progress: Progress | None = None) -> ReadinessReport:
        started = time.perf_counter()
        as_of = as_of or datetime.now(UTC).date()
        collection = workspace_collection(workspace)
        records = [r for r in self._manifest.list(collection) if r.version > 0]
        leaves = self._catalogue.leaves()
        clauses: list[ClauseReadiness] = []
        for index, clause in enumerate(leaves):
            if progress:
                progress(index, len(leaves) + 2, f"clause {clause.id}")
            check = self._evidence.check(workspace, [clause.id])[0]
            clauses.append(self._clause(clause.id, check.findings, check.verdict))
        if progress:
            progress(len(leaves), len(leaves) + 2, "documents")
        texts = self._document_texts(collection, records)
        freshness = [f for r in records for f in check_document(r.source, r.title, texts.get(r.source, ""), as_of)]
        checklist = self._checklist(records, texts)
        passages = self._all_passages(collection, records)
        inconsistencies = find_disagreements(passages, self._catalogue)
        groups = self._groups(clauses)
        counts = {s.value: sum(f.status is s for c in clauses for f in c.elements) for s in ElementStatus}
        overall = sum(c.score for c in clauses) / len(clauses) if clauses else 0.0
        if progress:
            progress(len(leaves) + 2, len(leaves) + 2, "")
        report = ReadinessReport(
            workspace=workspace,
            generated_at=datetime.now(UTC),
            as_of=as_of,
            documents=len(records),
            overall_score=round(overall, 3),
            overall_status=_overall_status(overall, checklist),
            clauses=clauses,
            groups=groups,
            checklist=checklist,
            freshness=freshness,
            inconsistencies=inconsistencies,
            actions=_actions(clauses, checklist, freshness, inconsistencies),
            element_counts=counts,
        )
        report.seconds = round(time.perf_counter() - started, 2)
        return report

    # -- pieces ----------------------------------------------------------------------
    def _clause(self, clause_id: str, findings, verdict: Verdict) -> ClauseReadiness:
        clause = self._catalogue.get(clause_id)
        n = len(findings) or 1
        score = (
            sum(
                1.0 if f.status is ElementStatus.EVIDENCED else 0.5 if f.status is ElementStatus.WEAK else 0.0
                for f in findings
            )
            / n
        )
        status = {Verdict.COVERED: ClauseStatus.COVERED, Verdict.PARTIAL: ClauseStatus.PARTIAL}.get(
            verdict, ClauseStatus.MISSING
        )
        documented = {e.id: e.documented for e in clause.elements}
        present = [
            f.statement for f in findings if documented.get(f.element_id) and f.status is ElementStatus.EVIDENCED
        ]
        missing = [
            f.statement for f in findings if documented.get(f.element_id) and f.status is not ElementStatus.EVIDENCED
        ]
        docs = sorted({f.document for f in findings if f.document})
        return ClauseReadiness(
            clause_id=clause.id,
            title=clause.title,
            group=group_of(clause.id),
            status=status,
            score=round(score, 3),
            elements=findings,
            documented_present=present,
            documented_missing=missing,
            documents=docs,
        )

    def _groups(self, clauses: list[ClauseReadiness]) -> list[GroupReadiness]:
        out = []
        for key, label in GROUPS:
            members = [c for c in clauses if c.group == key]
            if not members:
                continue
            out.append(
                GroupReadiness(
                    key=key,
                    label=label,
                    clauses=len(members),
                    covered=sum(c.status is ClauseStatus.COVERED for c in members),
                    partial=sum(c.status is ClauseStatus.PARTIAL for c in members),
                    missing=sum(c.status is ClauseStatus.MISSING for c in members),
                    score=round(sum(c.score for c in members) / len(members), 3),
                )
            )
        return out

    def _document_texts(self, collection: str, records: list[DocumentRecord]) -> dict[str, str]:
        return document_texts(self._store, self._manifest, collection, records)

    def _all_passages(self, collection: str, records: list[DocumentRecord]) -> list[Passage]:
        ids = [cid for r in records for cid in self._manifest.chunk_ids(collection, r.document_id)]
        return [to_passage(c, 0.0, Origin.ORGANIZATION) for c in self._store.get(collection, ids)]

    def _checklist(self, records: list[DocumentRecord], texts: dict[str, str]) -> list[ChecklistEntry]:
        return [
            ChecklistEntry(
                key=i.key, label=i.label, clauses=i.clauses, status=i.status.value, documents=i.documents, note=i.note
            )
            for i in assess_checklist(records, texts, self._catalogue)
        ]


def _overall_status(score: float, checklist: list[ChecklistEntry]) -> str:
    missing = [c for c in checklist if c.status == "missing"]
    if score >= 0.8 and not missing:
        return "ready for Stage 1"
    if score >= 0.55:
        return "nearly ready: close the listed gaps before Stage 1"
    return "not ready: significant gaps before Stage 1"


def _actions(
    clauses: list[ClauseReadiness], checklist: list[ChecklistEntry], freshness: list[FreshnessFlag], inconsistencies
) -> list[Action]:
    actions: list[Action] = []
    for entry in checklist:
        if entry.status == "missing":
            actions.append(
                Action(
                    severity=Severity.MAJOR,
                    title=f"Create: {entry.label}",
                    detail="A Stage 1 auditor reviews this document; none was found.",
                    clause_ids=entry.clauses,
                )
            )
        elif entry.status == "weak":
            actions.append(
                Action(
                    severity=Severity.MINOR,
                    title=f"Strengthen: {entry.label}",
                    detail=entry.note,
                    clause_ids=entry.clauses,
                    documents=entry.documents,
                )
            )
    for clause in clauses:
        missing_required = [f for f in clause.elements if f.status is ElementStatus.NOT_FOUND]
        weak = [f for f in clause.elements if f.status is ElementStatus.WEAK]
        if clause.status is ClauseStatus.MISSING:
            actions.append(
                Action(
                    severity=Severity.MAJOR,
                    title=f"Document and implement {clause.clause_id} {clause.title}",
                    detail="No evidence for: " + "; ".join(f.statement for f in missing_required[:3]),
                    clause_ids=[clause.clause_id],
                )
            )
        elif missing_required:
            actions.append(
                Action(
                    severity=Severity.MINOR,
                    title=f"Close gaps in {clause.clause_id} {clause.title}",
                    detail="Not evidenced: " + "; ".join(f.statement for f in missing_required[:3]),
                    clause_ids=[clause.clause_id],
                    documents=clause.documents,
                )
            )
        elif weak:
            actions.append(
                Action(
                    severity=Severity.OBSERVATION,
                    title=f"Tighten wording in {clause.clause_id} {clause.title}",
                    detail="Weak evidence: " + "; ".join(f.statement for f in weak[:2]),
                    clause_ids=[clause.clause_id],
                    documents=sorted({f.document for f in weak if f.document}),
                )
            )
    for flag in freshness:
        actions.append(
            Action(
                severity=Severity.MINOR,
                title=f"Bring up to date: {flag.document}",
                detail=flag.detail,
                clause_ids=flag.clause_ids,
                documents=[flag.document],
            )
        )
    for d in inconsistencies:
        docs = sorted({p.source for p in d.statements})
        actions.append(
            Action(
                severity=Severity.MINOR,
                title=f"Align documents on {d.topic}",
                detail=" vs ".join(d.values),
                clause_ids=d.clause_ids,
                documents=docs,
            )
        )
    order = [Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION]
    actions.sort(key=lambda a: order.index(a.severity))
    return actions[:10]
