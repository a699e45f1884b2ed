"""``AskService``: question in, validated ``Answer`` out — the core's public ask entry point
used by the CLI, the API, the Slack bot and the evals."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from assistant.answering.consistency import find_disagreements
from assistant.answering.context import AnswerContext
from assistant.answering.evidence import ClauseCheck, EvidenceChecker, verdict_for
from assistant.answering.extractive import ExtractiveGenerator
from assistant.answering.relevance import names_in
from assistant.answering.routing import IntentRouter, QuestionSignals, Route, about_us, question_signals
from assistant.answering.subject import compared_subject, with_subject_first, without_document_names
from assistant.answering.validation import validate_answer
from assistant.calibration import Calibration
from assistant.catalogue import Catalogue
from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.evidence import (
    AnswerUnit,
    QuestionProfile,
    UnitSelector,
    load_answer_types,
    load_question_cues,
    load_statement_cues,
    profile_question,
)
from assistant.evidence.abstention import abstention_features
from assistant.evidence.compose import in_scope
from assistant.evidence.question import DocumentNames, name_terms
from assistant.evidence.selector import ScoredUnit, UnitVectors
from assistant.evidence.verdict import verdict_features
from assistant.manifest import Manifest
from assistant.models import Answer, Disagreement, DocType, ElementFinding, Intent, Origin, Passage, Verdict
from assistant.ports import Embedder, LexicalIndex, VectorStore
from assistant.readiness.checklist import ChecklistItem, ItemStatus, assess_checklist, document_texts
from assistant.readiness.models import ClauseStatus, ReadinessReport
from assistant.retrieval import Retrieved, Retriever, to_passage
from assistant.text import CLAUSE_NUMBER, content_terms
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection

log = logging.getLogger(__name__)

# "do the plan and the procedure agree?", "the same in the policy and the SLA": documents
# compared with each other rather than a practice compared with a rule
_CROSS_DOCUMENT = re.compile(
    r"\b(agree(?:s|d|ing)?(?!ment)|say the same|list the same|described the same|the same (?:in|as|way in)|"
    r"match\w* what'?s in)\b",
    re.I,
)
INFER_CLAUSE_MIN = 0.30  # a clause entry this similar to the question is what it is about
INFER_ORG_MIN = 0.40  # a workspace passage this similar is evidence on the question's subject
_GAP_ORDER = [Verdict.NOT_COVERED, Verdict.PARTIAL, Verdict.COVERED]
FOCUS_ELEMENTS = 2  # the requirements a gap question is about: its verdict, then its answer's gaps
LOOKUP_ORG = 8  # passages a fact is looked up in, per collection
LOOKUP_STANDARD = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_CLAUSE_LIKE = re.compile(
    r"\b(?:clause|section|§)\s*("
    + CLAUSE_NUMBER
    + r")\b|(?<![\w.])((?:[4-9]|1[0-9])\.\d{1,2}(?:\.\d{1,2}){0,2})(?![\w.%])",
    re.I,
)


def unknown_clause_ids(question: str, catalogue: Catalogue) -> list[str]:
    """Clause numbers a question names that do not exist in the 2018 edition."""
    found = []
    for m in _CLAUSE_LIKE.finditer(question):
        value = m.group(1) or m.group(2)
        if value not in catalogue and value not in found:
            found.append(value)
    return found


def _name_words(question: str) -> list[str]:
    """The words of the capitalised names in a question, each once."""
    words = {w for name in names_in(question) for w in name.split() if len(w) >= 3 and w.isalpha()}
    return sorted(words)


class Generator(Protocol):
    name: str

    def generate(self, ctx: AnswerContext) -> Answer: ...


def check_question(question: object, max_chars: int) -> str:
    """The question as clean text, or ``InvalidInput`` saying what to fix."""
    if not isinstance(question, str):
        raise InvalidInput("the question must be text")
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise InvalidInput('the question is empty: ask something, e.g. "Do we have evidence for 8.5.1?"')
    if len(text) > max_chars:
        raise InvalidInput(f"the question is {len(text)} characters; the limit is {max_chars}")
    return text


class AskService:
    """Retrieve, classify, check evidence, generate, validate."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        embedder: Embedder,
        retriever: Retriever,
        store: VectorStore,
        lexical: LexicalIndex,
        manifest: Manifest,
        ensure_standard: Callable[[], None] | None = None,
        generators: dict[str, Generator] | None = None,
        readiness: Callable[[str], ReadinessReport] | None = None,
        calibration: Calibration | None = None,
        unit_vectors: UnitVectors | None = None,
    ) -> None:
        self._settings = settings
        self._unit_vectors = unit_vectors or UnitVectors(embedder)
        self._catalogue = catalogue
        self._embedder = embedder
        self.retriever = retriever
        self._store = store
        self._manifest = manifest
        self._ensure_standard = ensure_standard
        self._readiness = readiness
        self._lexical = lexical
        self.evidence = EvidenceChecker(catalogue, embedder, store, lexical, manifest)
        self.calibration = calibration
        self._question_cues = load_question_cues(settings.knowledge_dir)
        # collection -> (the manifest's name state, its documents' names indexed)
        self._document_names: dict[str, tuple[tuple, DocumentNames]] = {}
        self.router = IntentRouter(self._question_cues, calibration)
        self._answer_types = load_answer_types(settings.knowledge_dir)
        self._cues = load_statement_cues(settings.knowledge_dir)
        self.selector = UnitSelector(
            calibration.selector if calibration else None, embedder, self._answer_types, self._unit_vectors
        )
        self.generators: dict[str, Generator] = {
            "extractive": ExtractiveGenerator(
                catalogue, embedder, calibration.thresholds if calibration else None, self._answer_types
            )
        }
        self.generators.update(generators or {})

    def ask(self, question: object, workspace: str | None = None, generator: str | None = None) -> Answer:
        started = time.perf_counter()
        text = check_question(question, self._settings.max_question_chars)
        workspace = workspace or self._settings.workspace
        workspace_collection(workspace)  # validates the name
        name = generator or self._settings.generator
        if name not in self.generators:
            raise InvalidInput(f"unknown generator {name!r}; available: {', '.join(sorted(self.generators))}")
        if self._ensure_standard:
            self._ensure_standard()
        ctx = self.context(text, workspace)
        answer = self.generators[name].generate(ctx)
        answer = validate_answer(answer, self._catalogue)
        answer.metadata.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        answer.metadata.retrieval_ms = ctx.retrieved.timings_ms
        return answer

    def context(self, question: str, workspace: str) -> AnswerContext:
        """Everything a generator needs, computed deterministically."""
        vector = self._embedder.embed_query(question)
        named = self._catalogue.resolve(question)
        retrieved = self.retriever.retrieve(question, workspace, clauses=named, vector=vector)
        collection = workspace_collection(workspace)
        profile = self.profile(question, collection)
        route = self.route(question, vector, named, profile, retrieved)
        intent = route.intent
        records = self._manifest.list(collection)
        ctx = AnswerContext(
            question=question,
            workspace=workspace,
            intent=intent,
            retrieved=retrieved,
            clauses=self._subject_first(question, route, named or self._inferred_clauses(retrieved, intent)),
            org_documents=sum(1 for r in records if r.version > 0),
            comparison=route.comparison,
            profile=profile,
        )
        ctx.unknown_clauses = unknown_clause_ids(question, self._catalogue)
        if intent in (Intent.CLAUSE, Intent.PROCESS) and not named:
            ctx.unknown_names = self._unknown_names(question, collection)
        if intent is Intent.GENERAL:
            ctx.organization_names = self._organization_names(question, collection)
            if self.calibration is not None:
                ctx.scored = self.selector.score(ctx.profile, vector, self.lookup_passages(retrieved))
                about = bool((about_us(question) or ctx.organization_names) and ctx.org_documents)
                ctx.unanswered = self.unanswered(ctx.profile, in_scope(ctx.scored, ctx.profile, about), vector)
        if ctx.unknown_clauses or ctx.unknown_names:
            return ctx
        if intent is Intent.EVIDENCE and ctx.clauses and ctx.org_documents:
            judged = self._judged(workspace, ctx.clauses[0])
            ctx.checks = [judged] if judged is not None else self.evidence.check(workspace, ctx.clauses[:1])
            ctx.extra_passages = self.evidence.passages_for(workspace, [f for c in ctx.checks for f in c.findings])
            org = [p for p in retrieved.organization if p.doc_type is not DocType.CLAUSE]
            ctx.disagreements = self._relevant(find_disagreements(org, self._catalogue), question, ctx.clauses)
            ctx.verdict = ctx.checks[0].verdict
            if route.comparison:
                ctx.focus_elements, ctx.verdict = self._consistency(vector, ctx)
            if self.calibration is not None:
                self._fitted_verdict(ctx, vector, collection)
        if intent is Intent.READINESS:
            ctx.checklist = self._checklist(workspace, collection, records)
            ctx.extra_passages = self._first_chunks(collection, records, ctx.checklist)
        return ctx

    def use_calibration(self, calibration: Calibration) -> None:
        """Serve with these fitted parameters (the calibration command fits in stages)."""
        self.calibration = calibration
        self.router = IntentRouter(self._question_cues, calibration)
        self.selector = UnitSelector(calibration.selector, self._embedder, self._answer_types, self._unit_vectors)
        self.generators["extractive"] = ExtractiveGenerator(
            self._catalogue, self._embedder, calibration.thresholds, self._answer_types
        )

    def route(
        self, question: str, vector: np.ndarray, named: list[str], profile: QuestionProfile, retrieved: Retrieved
    ) -> Route:
        """The fitted router's reading of the question."""
        return self.router.route(question, self.signals(question, vector, named, profile, retrieved))

    def route_of(self, question: str, workspace: str) -> Route:
        """How a question asked of a workspace is routed."""
        return self.router.route(question, self.routing_signals(question, workspace))

    def routing_signals(self, question: str, workspace: str) -> QuestionSignals:
        """What routing reads of a question asked of a workspace (what calibration fits on)."""
        vector = self._embedder.embed_query(question)
        named = self._catalogue.resolve(question)
        retrieved = self.retriever.retrieve(question, workspace, clauses=named, vector=vector)
        profile = self.profile(question, workspace_collection(workspace))
        return self.signals(question, vector, named, profile, retrieved)

    def signals(
        self, question: str, vector: np.ndarray, named: list[str], profile: QuestionProfile, retrieved: Retrieved
    ) -> QuestionSignals:
        clause_entries = [p.similarity for p in retrieved.standard if p.doc_type is DocType.CLAUSE]
        guidance = [p.similarity for p in retrieved.standard if p.doc_type is not DocType.CLAUSE]
        return question_signals(
            question,
            vector,
            self._question_cues,
            names_clause=any(c in question for c in named),
            names_document=bool(profile.scope),
            nearest=(retrieved.best_org_similarity, max(clause_entries, default=0.0), max(guidance, default=0.0)),
        )

    def profile(self, question: str, collection: str) -> QuestionProfile:
        """The question's terms, the answer type it asks for and the documents it names."""
        records = [r for r in self._manifest.list(collection) if r.version > 0]
        key = tuple((r.document_id, r.version, r.source, r.title) for r in records)
        cached = self._document_names.get(collection)
        if cached is None or cached[0] != key:
            cached = (key, DocumentNames(name_terms(r.source, r.title) for r in records))
            self._document_names[collection] = cached
        return profile_question(question, self._answer_types, cached[1])

    @staticmethod
    def lookup_passages(retrieved) -> list[Passage]:
        """What a fact is looked up in: the workspace's passages, then the knowledge base's."""
        org = [p for p in retrieved.organization if p.doc_type is not DocType.CLAUSE][:LOOKUP_ORG]
        return org + retrieved.standard[:LOOKUP_STANDARD]

    def lookup_candidates(self, question: str, workspace: str) -> tuple[list[AnswerUnit], np.ndarray, QuestionProfile]:
        """The units a fact lookup chooses from, with their features (what calibration fits on)."""
        text = check_question(question, self._settings.max_question_chars)
        if self._ensure_standard:
            self._ensure_standard()
        vector = self._embedder.embed_query(text)
        named = self._catalogue.resolve(text)
        retrieved = self.retriever.retrieve(text, workspace, clauses=named, vector=vector)
        profile = self.profile(text, workspace_collection(workspace))
        units, x = self.selector.features(profile, vector, self.lookup_passages(retrieved))
        return units, x, profile

    def _fitted_verdict(self, ctx: AnswerContext, vector: np.ndarray, collection: str) -> None:
        """The verdict of the fitted model over the element check and the best units."""
        assert self.calibration is not None
        ctx.profile = ctx.profile or self.profile(ctx.question, collection)
        scored = self.selector.score(ctx.profile, vector, self.lookup_passages(ctx.retrieved))
        ctx.scored = in_scope(scored, ctx.profile, True)
        findings = [f for c in ctx.checks for f in c.findings]
        ctx.verdict_features = verdict_features(
            findings,
            ctx.scored,
            self._cues,
            self.calibration.thresholds.support,
            len(ctx.disagreements),
            ctx.checks[0].verdict if ctx.checks else None,
            ctx.verdict if ctx.comparison else None,
        )
        comparison = ctx.comparison
        model = self.calibration.consistency_verdict if comparison else self.calibration.gap_verdict
        if model is None:
            return
        fitted = Verdict(model.predict(ctx.verdict_features)[0])
        if findings and not ctx.focus_elements:
            # the requirements the question is about: its answer says what was found for them first
            ctx.focus_elements = [f.element_id for f in self._nearest_findings(vector, findings)]
        checked = ctx.checks[0].verdict if ctx.checks else None
        if comparison or checked not in _GAP_ORDER:
            ctx.verdict = fitted
        else:
            # the element check also sees what no unit shows (stale records, deferred plans,
            # register rows): a clause is never rated above its weakest evidence
            ctx.verdict = min(fitted, checked, key=_GAP_ORDER.index)

    def _nearest_findings(self, vector: np.ndarray, findings: list[ElementFinding]) -> list[ElementFinding]:
        """The findings of the requirement elements nearest the question, nearest first."""
        elements = [self._catalogue.element(f.element_id) for f in findings]
        sims = self.evidence.element_vectors(elements) @ vector
        return [findings[i] for i in np.argsort(-sims, kind="stable")[:FOCUS_ELEMENTS]]

    def unanswered(self, profile: QuestionProfile, scored: list[ScoredUnit], vector: np.ndarray) -> bool:
        """The fitted abstention model: do the best units answer what was asked?"""
        if self.calibration is None or self.calibration.abstention is None:
            return False
        x = abstention_features(profile, scored, self.selector.vectors, vector)
        return float(self.calibration.abstention.probability(x)[0]) >= self.calibration.thresholds.abstain

    def _unknown_names(self, question: str, collection: str) -> list[str]:
        """Names in a question about the standard that no passage of the knowledge base or
        of the workspace uses ("which Kubernetes version does ISO 20000 mandate?"): the
        nearest clause would be an answer to a different question."""
        return [
            w for w in _name_words(question) if not self._uses(STANDARD_COLLECTION, w) and not self._uses(collection, w)
        ]

    def _organization_names(self, question: str, collection: str) -> list[str]:
        """Names only the organization's documents use (a customer's or a product's name): the
        knowledge base cannot state a fact about them."""
        return [
            w for w in _name_words(question) if not self._uses(STANDARD_COLLECTION, w) and self._uses(collection, w)
        ]

    def _uses(self, collection: str, word: str) -> bool:
        return bool(self._lexical.search(collection, word, 1))

    def _nearest_entry(self, text: str | None) -> list[str]:
        """The clause whose catalogue entry is nearest a question's subject (what is left
        once the documents it names are taken out), if near enough."""
        if not text or not content_terms(text):
            return []
        vector = self._embedder.embed_query(text)
        for p in self.retriever.search(STANDARD_COLLECTION, text, vector, 8, [], Origin.STANDARD):
            clause_id = p.source.rsplit("/", 1)[-1]
            if p.doc_type is DocType.CLAUSE and p.similarity >= INFER_CLAUSE_MIN and clause_id in self._catalogue:
                return [clause_id]
        return []

    def _subject_first(self, question: str, route: Route, clauses: list[str]) -> list[str]:
        if route.intent in (Intent.PROCESS, Intent.READINESS):
            return clauses
        if route.intent is Intent.EVIDENCE:
            # the documents a question names are where to look, not what it is about
            # ("the SMS plan says we had a full audit: does the audit report back that up?")
            subject = compared_subject(question, self._catalogue)
            rest = without_document_names(question, self._catalogue)
            if subject is None and rest is not None:
                subject = self._nearest_entry(rest)
            clauses = subject + [c for c in clauses if c not in subject] if subject else clauses
        return with_subject_first(question, clauses, self._catalogue)

    def _checklist(self, workspace: str, collection: str, records) -> list[ChecklistItem]:
        """The Stage 1 checklist: the cached readiness report's when there is one (reading
        every document again for each question is what made readiness questions slow)."""
        if self._readiness is not None:
            return [
                ChecklistItem(e.key, e.label, e.clauses, ItemStatus(e.status), e.documents, e.note)
                for e in self._readiness(workspace).checklist
            ]
        texts = document_texts(self._store, self._manifest, collection, [r for r in records if r.version > 0])
        return assess_checklist(records, texts, self._catalogue)

    def _judged(self, workspace: str, clause_id: str) -> ClauseCheck | None:
        """The readiness report's judgement of a clause (or of the clauses under it), which
        also weighs what no single passage shows: deferred plans, absent elements, stale
        records, register rows. None when no report is available."""
        if self._readiness is None:
            return None
        report = self._readiness(workspace)
        parts = [c for c in report.clauses if c.clause_id == clause_id or c.clause_id.startswith(clause_id + ".")] or [
            c for c in report.clauses if clause_id.startswith(c.clause_id + ".")
        ]
        if not parts:
            return None
        statuses = {c.status for c in parts}
        if statuses == {ClauseStatus.COVERED}:
            graded = Verdict.COVERED
        elif statuses == {ClauseStatus.MISSING}:
            graded = Verdict.NOT_COVERED
        else:
            graded = Verdict.PARTIAL
        # the report holds observations (weakly evidenced elements) against no clause; a
        # question whether the documents cover it is answered by the elements themselves
        elements = [f for c in parts for f in c.elements]
        verdict = min(graded, verdict_for(elements), key=_GAP_ORDER.index)
        return ClauseCheck(clause_id, verdict, elements)

    def _relevant(self, found: list[Disagreement], question: str, clauses: list[str]) -> list[Disagreement]:
        """Disagreements about what the question concerns (its clauses or its subject)."""
        lower = question.lower()
        keep = []
        for d in found:
            subject = d.topic.split(" (", 1)[0]
            related = any(
                self._catalogue.is_within(c, q) or self._catalogue.is_within(q, c)
                for c in d.clause_ids
                for q in clauses
            )
            if related or subject in lower:
                keep.append(d)
        return keep

    def _inferred_clauses(self, retrieved, intent: Intent) -> list[str]:
        """When a question names no clause: the strongest clause tag of the best workspace
        passage (tags were computed from the whole passage at ingest, so they say what the
        evidence is about), else the clause entry retrieval ranked first. A fact lookup needs
        no clause to be answered, so it cites one only when both signals agree: a wrong
        clause next to a right fact misleads more than no clause."""
        if intent not in (Intent.EVIDENCE, Intent.CLAUSE, Intent.GENERAL):
            return []
        tagged = None
        for passage in retrieved.organization[:1]:
            if passage.similarity >= INFER_ORG_MIN and passage.clauses and passage.clauses[0] in self._catalogue:
                tagged = passage.clauses[0]
        entry = None
        for passage in retrieved.standard:
            if passage.doc_type is DocType.CLAUSE and passage.similarity >= INFER_CLAUSE_MIN:
                clause_id = passage.source.rsplit("/", 1)[-1]
                if clause_id in self._catalogue:
                    entry = clause_id
                    break
        if intent is Intent.GENERAL:
            if (
                tagged
                and entry
                and (self._catalogue.is_within(tagged, entry) or self._catalogue.is_within(entry, tagged))
            ):
                return [max(tagged, entry, key=len)]
            return []
        return [tagged] if tagged else [entry] if entry else []

    def _consistency(self, vector: np.ndarray, ctx: AnswerContext) -> tuple[list[str], Verdict]:
        """The elements a consistency question is about, and whether the documents agree.

        Two documents compared with each other agree unless they state different values
        for the subject asked about. A practice compared with a rule or a clause is
        consistent only when every requirement element of the clause is evidenced and no
        document contradicts another on it: a partial match is what an auditor writes up.
        """
        findings = ctx.checks[0].findings
        elements = [self._catalogue.element(f.element_id) for f in findings]
        if not elements:
            return [], Verdict.INCONSISTENT
        focus = self._nearest_findings(vector, findings)
        if _CROSS_DOCUMENT.search(ctx.question):
            named = [d for d in ctx.disagreements if self._names_documents(ctx.question, d)]
            ctx.disagreements = named or ctx.disagreements
            return [f.element_id for f in focus], Verdict.INCONSISTENT if named else Verdict.CONSISTENT
        topic_disagrees = any(
            set(d.clause_ids) & set(ctx.clauses) or any(c.startswith(tuple(ctx.clauses)) for c in d.clause_ids)
            for d in ctx.disagreements
        )
        agrees = ctx.checks[0].verdict is Verdict.COVERED and not topic_disagrees
        return [f.element_id for f in focus], Verdict.CONSISTENT if agrees else Verdict.INCONSISTENT

    @staticmethod
    def _names_documents(question: str, disagreement: Disagreement) -> bool:
        """Both disagreeing documents are among those the question compares."""
        asked = set(content_terms(question))
        return all(
            asked & set(content_terms(p.title + " " + p.file_name.rsplit(".", 1)[0].replace("-", " ")))
            for p in disagreement.statements
        )

    def _first_chunks(self, collection: str, records, checklist) -> list[Passage]:
        wanted = {s for item in checklist for s in item.documents[:2]}
        ids = [f"{r.document_id}-v{r.version}-00000" for r in records if r.source in wanted and r.version > 0]
        return [to_passage(c, 0.0, Origin.ORGANIZATION) for c in self._store.get(collection, ids)]
