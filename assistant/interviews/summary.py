"""The end of a rehearsal: scores, findings graded as a certification auditor would, and
what to prepare before the real audit.

A finding is one issue, not one question: the same contradiction said twice, or the same
admission repeated in a follow-up, is one finding listing every question it came up in.
Each carries its grade, a one-line rationale, its clause, the staff answer excerpt and the
document passage it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.interviews.bank import QuestionBank
from assistant.interviews.models import (
    AnswerKind,
    DocumentRef,
    Finding,
    Grade,
    InterviewSession,
    InterviewSummary,
    QuestionScore,
    Turn,
)

ORDER = (Grade.MAJOR, Grade.MINOR, Grade.OBSERVATION, Grade.GOOD_PRACTICE)
# Why each kind of issue gets its grade (ISO/IEC 17021-1 grading as certification bodies apply it).
RATIONALE = {
    "admitted_undocumented": "Staff say the process is not followed and no documented procedure for it was "
    "found: the requirement is not implemented.",
    "admitted_documented": "Staff say a documented process is not followed: an isolated lapse against a "
    "procedure that exists.",
    "contradiction": "What staff describe differs from the documented procedure: the auditor will sample records "
    "to see which is practised.",
    "unexplained": "Staff could not explain this part of the process: awareness (7.3) needs strengthening before "
    "the audit.",
    "unanswered": "Not answered in rehearsal: decide who will answer it on the day.",
    "good_practice": "A complete answer that matches the documented process and names its records.",
}


def _excerpt(text: str | None, words: int = 30) -> str:
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


@dataclass(slots=True)
class _Issue:
    grade: Grade
    kind: str
    clause_ids: list[str]
    statement: str
    excerpt: str
    passages: list[DocumentRef]
    questions: list[str] = field(default_factory=list)


def summarize(session: InterviewSession, turns: list[Turn], bank: QuestionBank) -> InterviewSummary:
    by_question: dict[str, list[Turn]] = {}
    for turn in turns:
        if turn.answer is not None and turn.assessment is not None:
            by_question.setdefault(turn.question_id, []).append(turn)
    scores: list[QuestionScore] = []
    issues: dict[tuple[str, ...], _Issue] = {}
    prepare: list[str] = []

    def add(key: tuple[str, ...], question_id: str, issue: _Issue) -> None:
        found = issues.setdefault(key, issue)
        if question_id not in found.questions:
            found.questions.append(question_id)

    for question_id, answered in by_question.items():
        q = bank.get(question_id)
        last = answered[-1].assessment
        assert last is not None
        skipped = all(t.assessment and t.assessment.kind is AnswerKind.SKIPPED for t in answered)
        values = [t.assessment.score for t in answered if t.assessment and t.assessment.score is not None]
        score = max(values) if values else None
        # a follow-up cannot lift a question above the cap a contradiction or admission set on it
        capped = [
            a.score
            for a in (t.assessment for t in answered)
            if a and a.score is not None and (a.contradictions or a.red_flags)
        ]
        if score is not None and capped:
            score = min(score, min(capped))
        scores.append(
            QuestionScore(question_id=q.id, question=q.question, clauses=q.clauses, score=score, skipped=skipped)
        )
        flagged = False
        for t in answered:
            a = t.assessment
            assert a is not None
            for c in a.contradictions:
                flagged = True
                key = ("contradiction", c.kind, c.passage.chunk_id, c.document_says)
                statement = (
                    f"Described {c.kind} ({c.answer_says}) differs from the documented procedure ({c.document_says})."
                )
                add(
                    key,
                    q.id,
                    _Issue(Grade.MINOR, "contradiction", q.clauses[:1], statement, _excerpt(t.answer), [c.passage]),
                )
            for flag in a.red_flags:
                flagged = True
                documented = bool(a.supporting)
                kind = "admitted_documented" if documented else "admitted_undocumented"
                grade = Grade.MINOR if documented else Grade.MAJOR
                add(
                    ("admitted", q.clauses[0], flag),
                    q.id,
                    _Issue(grade, kind, q.clauses[:1], flag, _excerpt(t.answer), a.supporting[:1]),
                )
        if skipped:
            add(("unanswered",), q.id, _Issue(Grade.OBSERVATION, "unanswered", [], "Questions not answered", "", []))
        elif score is not None and score <= 1 and not flagged:
            add(
                ("unexplained",),
                q.id,
                _Issue(
                    Grade.OBSERVATION,
                    "unexplained",
                    ["7.3"],
                    "Staff could not explain",
                    _excerpt(answered[0].answer),
                    [],
                ),
            )
        elif score == 4 and not flagged:
            add(
                ("good", q.id),
                q.id,
                _Issue(
                    Grade.GOOD_PRACTICE,
                    "good_practice",
                    q.clauses[:1],
                    f"A complete, confident explanation of: {q.question}",
                    _excerpt(answered[0].answer),
                    last.supporting[:1],
                ),
            )
        if score is None or score <= 2:
            missing = last.missing_points or q.expected_points
            prepare += [f"Be ready to explain: {p}" for p in missing[:2]]
            prepare += [f"Have ready to show: {e}" for e in q.evidence_requests[:1]]
    findings = [_finding(issue, bank) for issue in issues.values()]
    findings.sort(key=lambda f: ORDER.index(f.grade))
    present = [s.score for s in scores if s.score is not None]
    return InterviewSummary(
        session_id=session.id,
        questions=scores,
        average_score=round(sum(present) / len(present), 2) if present else None,
        findings=findings,
        prepare=list(dict.fromkeys(prepare))[:10],
        grade=findings[0].grade if findings else None,
    )


def _finding(issue: _Issue, bank: QuestionBank) -> Finding:
    """Grouped issues (unexplained, unanswered) name every question and clause they cover."""
    statement = issue.statement
    clauses = list(issue.clause_ids)
    if issue.kind in ("unexplained", "unanswered"):
        asked = [bank.get(q) for q in issue.questions]
        statement = f"{issue.statement}: " + "; ".join(f"“{q.question}” ({q.clauses[0]})" for q in asked)
        clauses = list(dict.fromkeys([*(q.clauses[0] for q in asked), *clauses]))
    return Finding(
        grade=issue.grade,
        clause_ids=clauses,
        statement=statement,
        question_id=issue.questions[0],
        question_ids=issue.questions,
        answer_excerpt=issue.excerpt,
        passages=issue.passages,
        rationale=RATIONALE[issue.kind],
    )
