"""``ReadinessService``: where the organization stands, clause by clause, from its own
documents — the evidence check run over every leaf clause and held to what the documents
say (deferrals, absences, the kind of record an element needs, register rows), the Stage 1
checklist, record freshness and cross-document disagreements, each finding graded as an
auditor would, and the actions to take first. The latest report is kept in the shared
database and served from cache; a change of the workspace recomputes it in the background,
once for every node."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

from assistant.answering.consistency import find_disagreements
from assistant.answering.evidence import EvidenceChecker, verdict_for
from assistant.catalogue import Catalogue
from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.evidence import load_statement_cues
from assistant.manifest import Manifest
from assistant.models import (
    Disagreement,
    DocType,
    DocumentRecord,
    ElementFinding,
    ElementStatus,
    Origin,
    Passage,
    Verdict,
)
from assistant.ports import VectorStore
from assistant.readiness.actions import ActionPlanner
from assistant.readiness.cache import Held, Refresher, ServedReport, Watcher
from assistant.readiness.checklist import AUDIT_GROUPS, assess_checklist, document_texts
from assistant.readiness.elements import (
    Downgrade,
    ElementRules,
    addressed_clauses,
    apply,
    clause_tags,
    corroborate,
    fitted_likeness_alone,
    relevant_documents,
    unhedge,
)
from assistant.readiness.findings import FindingBuilder, ordered
from assistant.readiness.freshness import check_document, departed_owners
from assistant.readiness.grading import GradingRules, clause_score, clause_status, element_state
from assistant.readiness.identification import Identification, Identified
from assistant.readiness.kinds import DocumentKinds, hold_to_kind
from assistant.readiness.models import (
    Action,
    ChecklistEntry,
    ClauseReadiness,
    ClauseStatus,
    Finding,
    FreshnessFlag,
    GroupReadiness,
    ReadinessReport,
    RecordFinding,
    Severity,
)
from assistant.readiness.registers import record_findings
from assistant.readiness.store import ReportStore
from assistant.retrieval import to_passage
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection

Progress = Callable[[int, int, str], None]

GROUPS = AUDIT_GROUPS


@cache
def _release() -> str:
    """The installed release; read once, as package metadata lookups cost a millisecond."""
    try:
        return metadata.version("auditprep")
    except metadata.PackageNotFoundError:
        return "unknown"


def group_of(clause_id: str) -> str:
    for key, _ in sorted(GROUPS, key=lambda g: -len(g[0])):
        if clause_id == key or clause_id.startswith(key + "."):
            return key
    return clause_id.split(".")[0]


@dataclass(slots=True)
class _Documents:
    records: list[DocumentRecord]
    texts: dict[str, str]
    passages: list[Passage]
    tags: dict[str, Counter[str]]
    kinds: dict[str, DocType]
    of_kind: dict[str, set[str]]
    freshness: list[FreshnessFlag]
    registers: list[RecordFinding]
    deferred: list[Downgrade]
    unidentified: list[Downgrade]
    identified: Identified | None
    checklist: list[ChecklistEntry]
    inconsistencies: list[Disagreement]


log = logging.getLogger(__name__)

CACHE_FORMAT = 8  # bump when the report's meaning changes without a release
WATCH_S = 5.0  # how often a server looks for changes of the workspaces it serves
# How long a served report's fingerprint, once checked, is taken as still current by the
# cached endpoint. Checking reads the manifest from the database, and under load every
# request's rate-limit write drops the manifest's cache, so checking on every request cost
# two queries each; a change made in this process is seen at once (``changed``), one made by
# another worker or node within this time.
VERIFY_S = 1.0


class ReadinessService:
    def __init__(
        self,
        catalogue: Catalogue,
        evidence: EvidenceChecker,
        store: VectorStore,
        manifest: Manifest,
        reports: ReportStore | None = None,
        watch_s: float = WATCH_S,
        knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR,
        likeness_alone: float | None = None,
        verify_s: float = VERIFY_S,
    ) -> None:
        """``likeness_alone``: the absence check's threshold; the fitted one unless given.
        ``verify_s``: how long a checked fingerprint is trusted by :meth:`cached`."""
        self._catalogue = catalogue
        self._evidence = evidence
        self._store = store
        self._manifest = manifest
        self._rules = ElementRules(
            catalogue, likeness_alone if likeness_alone is not None else fitted_likeness_alone(knowledge_dir)
        )
        self._grading = GradingRules.load(knowledge_dir)
        self._cues = load_statement_cues(knowledge_dir)
        self._kinds = DocumentKinds.load(knowledge_dir, catalogue)
        self._identification = Identification.load(knowledge_dir, catalogue)
        self._reports = reports
        self._latest: dict[str, Held] = {}
        self._latest_lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}
        self._refresher = Refresher(lambda workspace: self.latest(workspace))
        self._watcher = Watcher(self._stale, self._refresher, watch_s)
        self._verify_s = verify_s
        self._verified: dict[str, tuple[float, Held]] = {}  # workspace -> (when, report found current)

    def latest(self, workspace: str) -> ReadinessReport:
        """Today's report for the workspace as its documents stand now, computed once per
        change and stored: answers about a clause give the same verdict as the report, and
        another process or node serves the stored report instead of paying for it again."""
        return self._current(workspace).report

    def _current(self, workspace: str) -> Held:
        fingerprint = self._fingerprint(workspace)
        held = self._held(workspace)
        if held is not None and held.fingerprint == fingerprint:
            return held
        with self._compute_lock(workspace), self._computing_anywhere(workspace):
            # whoever held the lock before may have stored the report this one needs
            fingerprint = self._fingerprint(workspace)
            held = self._held(workspace)
            if held is not None and held.fingerprint == fingerprint:
                return held
            stored = self._load(workspace)
            if stored is not None and stored.fingerprint == fingerprint:
                held = stored
            else:
                report = self.report(workspace, as_of=date.fromisoformat(fingerprint["as_of"]))
                held = Held(fingerprint, report)
                self._save(workspace, fingerprint, held.body)
            with self._latest_lock:
                self._latest[workspace] = held
            return held

    def cached(self, workspace: str) -> ServedReport:
        """The latest stored report, at once, with its age. When the workspace has changed
        since (or the day has), one recomputation is scheduled in the background and the
        stored report is served meanwhile; only a workspace that never had a report waits
        for its first one. A report another node stored for the current state is taken as
        it is."""
        self._watcher.watch(workspace)
        checked = self._verified.get(workspace)
        if (
            checked is not None
            and time.monotonic() - checked[0] < self._verify_s
            and checked[1] is self._held(workspace)
        ):
            return ServedReport(checked[1], current=True, refreshing=self._refresher.running(workspace))
        fingerprint = self._fingerprint(workspace)
        held = self._held(workspace)
        if held is None or held.fingerprint != fingerprint:
            held = self._adopt_stored(workspace, fingerprint, held)
        if held is None:
            return ServedReport(self._current(workspace), current=True, refreshing=False)
        current = held.fingerprint == fingerprint
        if current:
            self._verified[workspace] = (time.monotonic(), held)
        else:
            self._refresher.schedule(workspace)
        return ServedReport(held, current=current, refreshing=self._refresher.running(workspace))

    def _adopt_stored(self, workspace: str, fingerprint: dict, held: Held | None) -> Held | None:
        """The stored report when this process holds none, or when the stored one is for the
        current state and the held one is not; otherwise ``held``."""
        if self._reports is None:
            return held
        if held is not None and self._reports.fingerprint(workspace) != fingerprint:
            return held  # nothing newer stored: a cheap check, the body is not read
        stored = self._load(workspace)
        if stored is None or (held is not None and stored.fingerprint != fingerprint):
            return held
        with self._latest_lock:
            self._latest[workspace] = stored
        return stored

    def changed(self, workspace: str) -> None:
        """The workspace's documents changed: recompute its report in the background (one
        run for a burst of changes). A workspace that never had a report gets its first one
        when it is first asked for, not on every upload."""
        self._verified.pop(workspace, None)
        stored = self._reports is not None and self._reports.fingerprint(workspace) is not None
        if self._held(workspace) is not None or stored:
            self._watcher.watch(workspace)
            self._refresher.schedule(workspace)

    def warm(self, workspace: str) -> threading.Thread:
        """Compute the latest report in the background, so the first evidence or readiness
        question a server answers after start-up does not wait for the whole report."""
        self._watcher.watch(workspace)
        return self._refresher.schedule(workspace)

    def _stale(self, workspace: str) -> bool:
        held = self._held(workspace)
        return held is not None and held.fingerprint != self._fingerprint(workspace)

    def _held(self, workspace: str) -> Held | None:
        with self._latest_lock:
            return self._latest.get(workspace)

    def _compute_lock(self, workspace: str) -> threading.Lock:
        with self._latest_lock:
            return self._computing.setdefault(workspace, threading.Lock())

    def _fingerprint(self, workspace: str) -> dict:
        """What the report depends on: the day, the workspace's and the standard's document
        versions, and the release."""

        def versions(collection: str) -> list[list]:
            return sorted([d, v] for d, v in self._manifest.committed_versions(collection).items())

        return {
            "format": CACHE_FORMAT,
            "release": _release(),
            "as_of": datetime.now(UTC).date().isoformat(),
            "documents": versions(workspace_collection(workspace)),
            "standard": versions(STANDARD_COLLECTION),
        }

    def _computing_anywhere(self, workspace: str):
        """Held while this process computes: another process or node computing the same
        workspace finishes first, and its stored report is then taken."""
        return self._reports.computing(workspace) if self._reports is not None else nullcontext()

    def _load(self, workspace: str) -> Held | None:
        """The stored report, kept byte for byte, so every node serves the same bytes."""
        stored = self._reports.load(workspace) if self._reports is not None else None
        if stored is None:
            return None
        try:
            report = ReadinessReport.model_validate_json(stored.body)
        except ValueError:
            log.warning("ignoring an unreadable stored readiness report of workspace %s", workspace)
            return None
        return Held(stored.fingerprint, report, body=stored.body)

    def _save(self, workspace: str, fingerprint: dict, body: bytes) -> None:
        if self._reports is not None:
            self._reports.save(workspace, fingerprint, body)

    def report(self, workspace: str, as_of: date | None = None, progress: Progress | None = None) -> ReadinessReport:
        started = time.perf_counter()
        as_of = as_of or datetime.now(UTC).date()
        leaves = self._catalogue.leaves()
        total = len(leaves) + 2
        if progress:
            progress(0, total, "documents")
        docs = self._documents(workspace, as_of)
        builder = FindingBuilder(self._grading, self._catalogue, docs.texts, docs.kinds, addressed_clauses(docs.tags))
        attached = self._attached(builder, docs)
        clauses: list[ClauseReadiness] = []
        for index, clause in enumerate(leaves, start=1):
            if progress:
                progress(index, total, f"clause {clause.id}")
            findings, states = self._findings(workspace, clause.id, docs)
            clauses.append(self._clause(clause.id, findings, states, builder, attached.get(clause.id, [])))
        groups = self._groups(clauses)
        counts = {s.value: sum(f.status is s for c in clauses for f in c.elements) for s in ElementStatus}
        overall = sum(c.score for c in clauses) / len(clauses) if clauses else 0.0
        if progress:
            progress(total, total, "")
        actions = ActionPlanner(self._grading, self._catalogue).plan(clauses)
        report = ReadinessReport(
            workspace=workspace,
            generated_at=datetime.now(UTC),
            as_of=as_of,
            documents=len(docs.records),
            overall_score=round(overall, 3),
            overall_status=_overall_status(overall, docs.checklist, actions),
            clauses=clauses,
            groups=groups,
            checklist=docs.checklist,
            freshness=docs.freshness,
            records=docs.registers,
            inconsistencies=docs.inconsistencies,
            actions=actions,
            element_counts=counts,
        )
        report.seconds = round(time.perf_counter() - started, 2)
        return report

    def _documents(self, workspace: str, as_of: date) -> _Documents:
        """Everything read from whole documents, before any clause is checked."""
        collection = workspace_collection(workspace)
        records = [r for r in self._manifest.list(collection) if r.version > 0]
        texts = self._document_texts(collection, records)
        passages = self._all_passages(collection, records)
        tags = clause_tags(passages)
        freshness = [f for r in records for f in check_document(r.source, r.title, texts.get(r.source, ""), as_of)]
        return _Documents(
            records=records,
            texts=texts,
            passages=passages,
            tags=tags,
            kinds={r.source: r.doc_type for r in records},
            of_kind=self._kinds.documents(records),
            freshness=freshness + departed_owners(texts),
            registers=record_findings(texts, tags, self._catalogue, as_of),
            deferred=self._rules.deferrals(texts, addressed_clauses(tags)),
            unidentified=self._identification.unidentified(texts),
            identified=self._identification.evidence(texts, passages),
            checklist=self._checklist(records, texts),
            inconsistencies=find_disagreements(passages, self._catalogue),
        )

    def _findings(
        self, workspace: str, clause_id: str, docs: _Documents
    ) -> tuple[list[ElementFinding], dict[str, str]]:
        """The evidence check's findings for a clause, held to what the documents say, and
        the state of each element that is not evidenced (absent, deferred, negated, ...)."""
        relevant = relevant_documents(docs.tags, clause_id)
        findings = self._evidence.check(workspace, [clause_id])[0].findings
        findings = corroborate(unhedge(findings), docs.passages, relevant, self._rules)
        deferred = [d for d in docs.deferred if d.element_id.startswith(clause_id + "-e")]
        absent = self._rules.absences(clause_id, findings, docs.texts, relevant, docs.passages)
        absent += [d for d in docs.unidentified if d.element_id.startswith(clause_id + "-e")]
        findings = self._identification.confirm(apply(findings, deferred + absent), docs.identified)
        findings, wrong_kind = hold_to_kind(findings, self._kinds, docs.of_kind, docs.passages, self._rules)
        deferred_ids = {d.element_id for d in deferred}
        absent_ids = {d.element_id for d in absent} | wrong_kind
        states = {}
        for f in findings:
            element = self._catalogue.element(f.element_id)
            state = element_state(f, element, self._cues, f.element_id in absent_ids, f.element_id in deferred_ids)
            if state is not None:
                states[f.element_id] = state
        return findings, states

    def _attached(self, builder: FindingBuilder, docs: _Documents) -> dict[str, list[Finding]]:
        """Findings read from whole documents (Stage 1 checklist, dates, registers,
        disagreements), by the clause they concern."""
        out: dict[str, list[Finding]] = {}
        found = [f for e in docs.checklist for f in builder.checklist(e)]
        found += [f for flag in docs.freshness for f in builder.freshness(flag)]
        found += [f for r in docs.registers for f in builder.register(r)]
        found += [f for d in docs.inconsistencies for f in builder.inconsistency(d)]
        for f in found:
            out.setdefault(f.clause_id, []).append(f)
        return out

    # -- pieces ----------------------------------------------------------------------
    def _clause(
        self,
        clause_id: str,
        elements: list[ElementFinding],
        states: dict[str, str],
        builder: FindingBuilder,
        attached: list[Finding],
    ) -> ClauseReadiness:
        """A clause's standing with its graded findings, majors first."""
        clause = self._catalogue.get(clause_id)
        absent = verdict_for(elements) is Verdict.NOT_COVERED
        if absent:
            findings = [builder.clause_absent(clause_id)]
        else:
            findings = [builder.element(f, states[f.element_id]) for f in elements if f.element_id in states]
        findings = ordered(findings + attached)
        score = clause_score(elements, findings, self._grading, absent)
        status = clause_status(elements, findings, absent)
        documented = {e.id: e.documented for e in clause.elements}
        present = [
            f.statement for f in elements if documented.get(f.element_id) and f.status is ElementStatus.EVIDENCED
        ]
        missing = [
            f.statement for f in elements if documented.get(f.element_id) and f.status is not ElementStatus.EVIDENCED
        ]
        docs = sorted({f.document for f in elements if f.document})
        return ClauseReadiness(
            clause_id=clause.id,
            title=clause.title,
            group=group_of(clause.id),
            status=status,
            score=round(score, 3),
            elements=elements,
            findings=findings,
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
                key=i.key,
                label=i.label,
                clauses=i.clauses,
                status=i.status.value,
                documents=i.documents,
                note=i.note,
                finding=i.finding,
            )
            for i in assess_checklist(records, texts, self._catalogue)
        ]


def _overall_status(score: float, checklist: list[ChecklistEntry], actions: list[Action]) -> str:
    """ "Ready" only with every Stage 1 document present and nothing an auditor would grade
    as a major nonconformity: a weak internal audit or a stale management review is what
    most often fails Stage 1, whatever the average score says."""
    complete = all(c.status == "present" for c in checklist)
    majors = any(a.severity is Severity.MAJOR for a in actions)
    if score >= 0.8 and complete and not majors:
        return "ready for Stage 1"
    if score >= 0.55:
        return "nearly ready: close the listed gaps before Stage 1"
    return "not ready: significant gaps before Stage 1"
