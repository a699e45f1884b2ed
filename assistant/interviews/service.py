"""``InterviewService``: start a rehearsal, take answers, follow up, summarise.

Every state change is one database transaction, so a restart resumes exactly where the
session stopped and a double-submitted answer is recorded once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from assistant.answering.evidence import EvidenceChecker
from assistant.calibration import InterviewCalibration, load_calibration
from assistant.catalogue import Catalogue
from assistant.errors import InvalidInput, KnowledgeError
from assistant.evidence.rules import StatementCues, load_statement_cues
from assistant.evidence.selector import UnitVectors
from assistant.interviews.admissions import Admissions, load_admissions
from assistant.interviews.bank import BankQuestion, QuestionBank
from assistant.interviews.facts import extract, statements
from assistant.interviews.grader import Grader, classify_reply, ref
from assistant.interviews.models import (
    AnswerKind,
    Assessment,
    InterviewSession,
    InterviewState,
    InterviewSummary,
    SessionStatus,
    TargetKind,
    Turn,
    TurnKind,
    TurnResult,
)
from assistant.interviews.planner import candidates, plan_session, resolve_target
from assistant.interviews.roles import RoleNames, load_roles
from assistant.interviews.signals import AnswerSignals, UnitVectorReader
from assistant.interviews.store import SessionStore
from assistant.interviews.summary import summarize
from assistant.models import ElementStatus, Origin, Passage
from assistant.ports import Embedder
from assistant.retrieval import Retriever
from assistant.text import sentences
from assistant.workspaces import workspace_collection

MAX_LENGTH = 20
MAX_ANSWER_CHARS = 4000
PASSAGES = 8  # organization passages about the question and answer
FACT_QUERIES = 4  # answer sentences stating a fact that get their own search
PER_FACT = 3  # passages kept per such sentence
SUPPORTING_MIN = 0.40


class InterviewService:
    def __init__(
        self,
        catalogue: Catalogue,
        bank: QuestionBank,
        embedder: Embedder,
        retriever: Retriever,
        evidence: EvidenceChecker,
        store: SessionStore,
        admissions: Admissions | None = None,
        cues: StatementCues | None = None,
        calibration: InterviewCalibration | None | Literal["committed"] = "committed",
        roles: RoleNames | None = None,
        unit_vectors: UnitVectorReader | None = None,
    ) -> None:
        """``admissions``, ``cues``, ``roles`` and ``calibration`` default to the files of the
        knowledge folder the bank was loaded from; the composition root passes them explicitly.
        ``unit_vectors`` reads the sentence vectors embedded at ingest."""
        if admissions is None or cues is None or roles is None or calibration == "committed":
            if bank.knowledge_dir is None:
                raise KnowledgeError("the interview grader needs its rules: load the bank from a knowledge folder")
            admissions = admissions or load_admissions(bank.knowledge_dir)
            cues = cues or load_statement_cues(bank.knowledge_dir)
            roles = roles or load_roles(bank.knowledge_dir)
            if calibration == "committed":
                calibration = load_calibration(bank.knowledge_dir, embedder.name).interview
        self._catalogue = catalogue
        self.bank = bank
        self._embedder = embedder
        self._retriever = retriever
        self._evidence = evidence
        self._store = store
        # passages come back turn after turn: their sentence vectors are kept between answers
        unit_vectors = unit_vectors or UnitVectors(embedder)
        self._grader = Grader(embedder, admissions, cues.negation, roles, calibration, unit_vectors)

    def use_calibration(self, calibration: InterviewCalibration) -> None:
        """Grade with these fitted parameters (the calibration command fits them)."""
        self._grader.params = calibration

    # -- lifecycle -------------------------------------------------------------------
    def start(
        self,
        workspace: str,
        target: str,
        length: int = 5,
        seed: int | None = None,
        owner: str | None = None,
        channel: str | None = None,
    ) -> InterviewState:
        workspace_collection(workspace)
        if not 1 <= length <= MAX_LENGTH:
            raise InvalidInput(f"length must be between 1 and {MAX_LENGTH} questions, got {length}")
        kind, canonical, clause_ids = resolve_target(target, self._catalogue)
        pool = candidates(self.bank, self._catalogue, kind, canonical, clause_ids)
        if not pool:
            raise InvalidInput(f"the question bank has no questions for {canonical!r}")
        seed = seed if seed is not None else uuid.uuid4().int % 1_000_000
        plan = plan_session(pool, length, seed, self._weak_first(workspace, pool))
        now = datetime.now(UTC)
        session = InterviewSession(
            id=uuid.uuid4().hex[:16],
            workspace=workspace,
            target_kind=kind,
            target=canonical,
            length=len(plan),
            seed=seed,
            plan=plan,
            status=SessionStatus.ACTIVE,
            created_at=now,
            updated_at=now,
            owner=owner,
            channel=channel,
        )
        first = self._question_turn(0, self.bank.get(plan[0]))
        self._store.create(session, first)
        return InterviewState(session=session, turns=[first], current=first)

    def get(self, session_id: str) -> InterviewState:
        session = self._store.get(session_id)
        turns = self._store.turns(session_id)
        current = next((t for t in turns if t.answer is None), None) if session.status is SessionStatus.ACTIVE else None
        return InterviewState(session=session, turns=turns, current=current, summary=self._store.summary(session_id))

    def list(self, workspace: str | None = None, channel: str | None = None) -> list[InterviewSession]:
        return self._store.list(workspace, channel)

    def end(self, session_id: str) -> InterviewSummary:
        session = self._store.get(session_id)
        existing = self._store.summary(session_id)
        if session.status is SessionStatus.ENDED and existing:
            return existing
        summary = summarize(session, self._store.turns(session_id), self.bank)
        self._store.finish(session_id, summary)
        return summary

    def answer(self, session_id: str, text: object, turn: int | None = None) -> TurnResult:
        """Assess an answer to the current turn (or to ``turn``, idempotently)."""
        if not isinstance(text, str):
            raise InvalidInput("the answer must be text")
        if len(text) > MAX_ANSWER_CHARS:
            raise InvalidInput(f"the answer is {len(text)} characters; keep it under {MAX_ANSWER_CHARS}")
        state = self.get(session_id)
        if turn is not None and (state.current is None or turn != state.current.index):
            return self._replay(state, turn, text)
        if state.current is None:
            raise InvalidInput("this interview has ended; start a new one or read its summary")
        current = state.current
        reply = classify_reply(text)
        if reply == "empty":
            raise InvalidInput("the answer is empty: type your answer, 'skip' or 'end'")
        if reply == "not_english":
            assessment = Assessment(
                kind=AnswerKind.NOT_ENGLISH,
                reason="I can only assess answers in English. Please answer in English, or type 'skip'.",
            )
            return TurnResult(
                session_id=session_id, answered=current, assessment=assessment, next=current, message=assessment.reason
            )
        if reply == "end":
            summary = self.end(session_id)
            assessment = Assessment(kind=AnswerKind.SKIPPED, reason="Interview ended at your request.")
            return TurnResult(
                session_id=session_id,
                answered=current,
                assessment=assessment,
                next=None,
                summary=summary,
                message="Interview ended.",
            )
        question = self.bank.get(current.question_id)
        assessment = self._assess(state, current, question, text.strip(), reply)
        answered = current.model_copy(
            update={"answer": text.strip(), "assessment": assessment, "answered_at": datetime.now(UTC)}
        )
        next_turn = self._next_turn(state, answered, question, assessment)
        summary = None
        status = SessionStatus.ACTIVE
        if next_turn is None:
            status = SessionStatus.ENDED
            summary = summarize(state.session, [*state.turns[:-1], answered], self.bank)
        if not self._store.record_answer(session_id, answered, next_turn, status, summary):
            return self._replay(self.get(session_id), current.index, text)  # a concurrent double submit
        return TurnResult(
            session_id=session_id, answered=answered, assessment=assessment, next=next_turn, summary=summary
        )

    def assess_answer(self, workspace: str, question_id: str, answer: str) -> Assessment:
        """Grade one answer to a bank question as the first turn of a live session would,
        without storing a session (the grading eval measures the real grader this way)."""
        workspace_collection(workspace)
        question = self.bank.get(question_id)
        text = answer.strip()
        reply = classify_reply(text)
        if reply == "empty":
            raise InvalidInput("the answer is empty")
        if reply == "not_english":
            return Assessment(kind=AnswerKind.NOT_ENGLISH, reason="I can only assess answers in English.")
        if reply == "end":
            return Assessment(kind=AnswerKind.SKIPPED, reason="Interview ended at your request.")
        turn = self._question_turn(0, question)
        now = datetime.now(UTC)
        session = InterviewSession(
            id="assessment",
            workspace=workspace,
            target_kind=TargetKind.CLAUSE,
            target=question.clauses[0],
            length=1,
            seed=0,
            plan=[question.id],
            status=SessionStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
        state = InterviewState(session=session, turns=[turn], current=turn)
        return self._assess(state, turn, question, text, reply)

    def measure_answer(self, workspace: str, question_id: str, answer: str) -> tuple[str, AnswerSignals | None]:
        """The reply's kind and, for an answer, the grader's measurements, against the same
        passages a live turn reads: what the calibration command fits the decisions on."""
        workspace_collection(workspace)
        question = self.bank.get(question_id)
        text = answer.strip()
        reply = classify_reply(text)
        if reply != "answer":
            return reply, None
        return reply, self._grader.measure(question, text, self._org_passages(workspace, question, text))

    # -- internals -------------------------------------------------------------------
    def _replay(self, state: InterviewState, index: int, text: str) -> TurnResult:
        done = next((t for t in state.turns if t.index == index), None)
        if done is None or done.answer is None or done.assessment is None:
            raise InvalidInput(f"turn {index} is not the current turn of this interview")
        if done.answer.strip() != text.strip():
            raise InvalidInput(f"turn {index} was already answered")
        later = next((t for t in state.turns if t.index == index + 1), None)
        return TurnResult(
            session_id=state.session.id,
            answered=done,
            assessment=done.assessment,
            next=later,
            summary=state.summary if later is None else None,
            message="already recorded",
        )

    def _assess(
        self, state: InterviewState, current: Turn, question: BankQuestion, text: str, reply: str
    ) -> Assessment:
        passages = self._org_passages(state.session.workspace, question, text)
        supporting = [ref(p, _lead(p)) for p in passages if p.similarity >= SUPPORTING_MIN][:2]
        if reply == "skip":
            return Assessment(
                kind=AnswerKind.SKIPPED,
                missing_points=question.expected_points,
                reason="Skipped.",
                strong_answer_adds=_points(question),
                supporting=supporting,
            )
        if reply == "unknown":
            where = f" Your documents describe it in {supporting[0].document}." if supporting else ""
            return Assessment(
                kind=AnswerKind.UNKNOWN,
                score=0,
                missing_points=question.expected_points,
                reason="You said you don't know. In the audit, say who does and where it is documented." + where,
                strong_answer_adds=_points(question),
                supporting=supporting,
            )
        already: set[int] = set()
        if current.kind is TurnKind.FOLLOW_UP:
            previous = next((t for t in reversed(state.turns) if t.question_id == question.id and t.assessment), None)
            if previous and previous.assessment:
                already = {
                    question.expected_points.index(p)
                    for p in previous.assessment.covered_points
                    if p in question.expected_points
                }
        assessment, _ = self._grader.assess(question, text, passages, already)
        assessment.supporting = supporting
        return assessment

    def _next_turn(
        self, state: InterviewState, answered: Turn, question: BankQuestion, assessment: Assessment
    ) -> Turn | None:
        index = answered.index + 1
        probe_ok = (
            answered.kind is TurnKind.QUESTION
            and assessment.kind is AnswerKind.ANSWER
            and assessment.missing_points
            and (assessment.score or 0) < 4
        )
        if probe_ok:
            probe = _probe(question, assessment, [t.prompt for t in state.turns])
            if probe:
                return Turn(
                    index=index,
                    question_id=question.id,
                    kind=TurnKind.FOLLOW_UP,
                    prompt=probe,
                    clauses=question.clauses,
                )
        asked = {t.question_id for t in state.turns}
        remaining = [qid for qid in state.session.plan if qid not in asked]
        if not remaining:
            return None
        return self._question_turn(index, self.bank.get(remaining[0]))

    @staticmethod
    def _question_turn(index: int, question: BankQuestion) -> Turn:
        return Turn(
            index=index,
            question_id=question.id,
            kind=TurnKind.QUESTION,
            prompt=question.question,
            clauses=question.clauses,
        )

    def _org_passages(self, workspace: str, question: BankQuestion, answer: str) -> list[Passage]:
        """Passages about the question and the answer, plus, for each answer sentence that
        states a fact (a number, a role, a duration), the passages nearest that sentence:
        the statement a fact is checked against is often not about the question as a whole."""
        collection = workspace_collection(workspace)
        text = f"{question.question} {' '.join(question.expected_points)} {answer}"
        vector = self._embedder.embed_query(text)
        found = self._retriever.search(collection, text, vector, PASSAGES, question.clauses, Origin.ORGANIZATION)
        factual = [s for s in statements(answer) if extract(s, self._grader.roles)][:FACT_QUERIES]
        for sentence, vec in zip(factual, self._embedder.embed_documents(factual) if factual else [], strict=True):
            found += self._retriever.search(collection, sentence, vec, PER_FACT, [], Origin.ORGANIZATION)
        return list({p.id: p for p in found}.values())

    def _weak_first(self, workspace: str, pool: list[BankQuestion]) -> list[str]:
        """For each element the evidence check (the readiness report's judge) does not find
        evidenced, weakest first, the question of the pool nearest to it in meaning."""
        clause_ids = sorted({c for q in pool for c in q.clauses})[:16]
        weak = [
            f
            for check in self._evidence.check(workspace, clause_ids)
            for f in check.findings
            if f.status is not ElementStatus.EVIDENCED
        ]
        if not weak:
            return []
        weak.sort(key=lambda f: (f.score, f.element_id))
        texts = [q.question + " " + " ".join(q.expected_points) for q in pool]
        vectors = self._embedder.embed_documents([*texts, *(f.statement for f in weak)])
        sims = vectors[len(pool) :] @ vectors[: len(pool)].T
        order: list[str] = []
        for i, finding in enumerate(weak):
            near = [j for j, q in enumerate(pool) if finding.clause_id in q.clauses or _within(finding.clause_id, q)]
            candidates = [j for j in near if pool[j].id not in order]
            if candidates:
                order.append(pool[max(candidates, key=lambda j: sims[i, j])].id)
        return order


def _within(clause_id: str, question: BankQuestion) -> bool:
    return any(clause_id.startswith(c + ".") or c.startswith(clause_id + ".") for c in question.clauses)


def _probe(question: BankQuestion, assessment: Assessment, asked: list[str]) -> str | None:
    """The follow-up for the most important missing point (the bank lists points in the
    order an auditor weighs them) that asks something not yet asked in this session."""
    seen = {_normal(p) for p in asked} | {_normal(question.question)}
    for point in assessment.missing_points:
        if point not in question.expected_points:
            continue
        probe = question.follow_up_for(question.expected_points.index(point))
        if probe and _normal(probe) not in seen:
            return probe
    return None


def _normal(text: str) -> str:
    return " ".join(text.lower().split()).strip(" ?.!")


def _points(question: BankQuestion) -> str:
    return "A strong answer covers: " + "; ".join(question.expected_points[:4]) + "."


def _lead(passage: Passage) -> str:
    found = sentences(passage.text)
    return found[0] if found else passage.text[:200]


__all__ = ["InterviewService", "TargetKind"]
