"""The end of a rehearsal: scores, findings graded as a certification auditor would, and
what to prepare before the real audit."""

from __future__ import annotations

from assistant.interviews.bank import QuestionBank
from assistant.interviews.models import (
    AnswerKind,
    Finding,
    Grade,
    InterviewSession,
    InterviewSummary,
    QuestionScore,
    Turn,
    TurnKind,
)


def _excerpt(text: str | None, words: int = 30) -> str:
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def summarize(session: InterviewSession, turns: list[Turn], bank: QuestionBank) -> InterviewSummary:
    by_question: dict[str, list[Turn]] = {}
    for turn in turns:
        if turn.answer is not None and turn.assessment is not None:
            by_question.setdefault(turn.question_id, []).append(turn)
    scores: list[QuestionScore] = []
    findings: list[Finding] = []
    prepare: list[str] = []
    for question_id, answered in by_question.items():
        q = bank.get(question_id)
        last = answered[-1].assessment
        assert last is not None
        first = answered[0].assessment
        skipped = all(t.assessment and t.assessment.kind is AnswerKind.SKIPPED for t in answered)
        values = [t.assessment.score for t in answered if t.assessment and t.assessment.score is not None]
        score = max(values) if values else None
        scores.append(
            QuestionScore(question_id=q.id, question=q.question, clauses=q.clauses, score=score, skipped=skipped)
        )
        main = next((t for t in answered if t.kind is TurnKind.QUESTION), answered[0])
        contradictions = [c for t in answered if t.assessment for c in t.assessment.contradictions]
        flags = sorted({f for t in answered if t.assessment for f in t.assessment.red_flags})
        if contradictions:
            c = contradictions[0]
            findings.append(
                Finding(
                    grade=Grade.MINOR,
                    clause_ids=q.clauses,
                    question_id=q.id,
                    statement=(
                        f"What was described ({c.kind}: {c.answer_says}) differs from the documented "
                        f"procedure ({c.document_says}); the auditor will check which one is practised."
                    ),
                    answer_excerpt=_excerpt(main.answer),
                    passages=[x.passage for x in contradictions[:2]],
                )
            )
        if flags:
            supported = bool(first and first.supporting)
            findings.append(
                Finding(
                    grade=Grade.MINOR if supported else Grade.MAJOR,
                    clause_ids=q.clauses,
                    question_id=q.id,
                    statement=f'The answer suggests the requirement is not met in practice: "{flags[0]}".',
                    answer_excerpt=_excerpt(main.answer),
                    passages=first.supporting[:1] if first else [],
                )
            )
        if skipped:
            findings.append(
                Finding(
                    grade=Grade.OBSERVATION,
                    clause_ids=q.clauses,
                    question_id=q.id,
                    statement="Question not answered in rehearsal: prepare who will answer it on the day.",
                )
            )
        elif score is not None and score <= 1 and not flags and not contradictions:
            findings.append(
                Finding(
                    grade=Grade.OBSERVATION,
                    clause_ids=[*q.clauses, "7.3"],
                    question_id=q.id,
                    statement="Staff could not explain this part of the process; awareness needs strengthening.",
                    answer_excerpt=_excerpt(main.answer),
                )
            )
        elif score == 4 and not flags and not contradictions:
            findings.append(
                Finding(
                    grade=Grade.GOOD_PRACTICE,
                    clause_ids=q.clauses,
                    question_id=q.id,
                    statement="A complete, confident explanation that matches the documented process.",
                    answer_excerpt=_excerpt(main.answer),
                    passages=last.supporting[:1],
                )
            )
        if score is None or score <= 2:
            missing = last.missing_points or q.expected_points
            prepare += [f"Be ready to explain: {p}" for p in missing[:2]]
            prepare += [f"Have ready to show: {e}" for e in q.evidence_requests[:1]]
    order = [Grade.MAJOR, Grade.MINOR, Grade.OBSERVATION, Grade.GOOD_PRACTICE]
    findings.sort(key=lambda f: order.index(f.grade))
    present = [s.score for s in scores if s.score is not None]
    return InterviewSummary(
        session_id=session.id,
        questions=scores,
        average_score=round(sum(present) / len(present), 2) if present else None,
        findings=findings,
        prepare=list(dict.fromkeys(prepare))[:10],
    )
