"""Whole mock-interview sessions: strong and weak staff, a contradiction with the
organization's procedure, skip/end/unknown inputs, and a restart mid-session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.bootstrap import build_assistant
from assistant.errors import InvalidInput, UnknownClause
from assistant.interviews.models import AnswerKind, Grade, SessionStatus, TargetKind, TurnKind
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

CHANGE = """# Change Management Procedure

## 1 Normal changes
Every normal change is raised as an RFC in the ITSM tool. The Change Manager assesses risk and impact, and the
CAB approves the change at its weekly meeting before implementation.

## 2 Emergency changes
Emergency changes are approved by the Emergency CAB (ECAB) within 2 hours of the request.

## 3 Review
A post-implementation review is held within 5 working days of every major or emergency change.
"""


@pytest.fixture
def acme(tmp_path: Path, data_dir: Path, embedder):
    settings = make_settings(data_dir)
    built = build_assistant(settings, embedder=embedder)
    org = tmp_path / "org"
    org.mkdir()
    (org / "change-management-procedure.md").write_text(CHANGE, encoding="utf-8")
    built.pipeline.ingest_paths([org], "acme")
    return built


def _emergency_question(service):
    bank = service.bank
    return next(q for q in bank.questions if q.clauses[0].startswith("8.5.1") and "emergency" in q.question.lower())


def test_targets_resolve_to_clauses_processes_and_roles(acme):
    service = acme.interviews
    state = service.start("acme", "8.5.1", 3, seed=1)
    assert state.session.target_kind is TargetKind.CLAUSE and len(state.session.plan) == 3
    assert all(any(c.startswith("8.5") for c in service.bank.get(q).clauses) for q in state.session.plan)
    assert len(set(state.session.plan)) == len(state.session.plan)
    state = service.start("acme", "change management", 2, seed=1)
    assert state.session.target_kind is TargetKind.PROCESS
    state = service.start("acme", "service desk agent", 4, seed=1)
    assert state.session.target_kind is TargetKind.ROLE
    assert all("service desk agent" in service.bank.get(q).roles for q in state.session.plan)
    assert len(set(state.session.plan)) == 4
    again = service.start("acme", "service desk agent", 4, seed=1)
    assert again.session.plan == state.session.plan
    with pytest.raises(UnknownClause):
        service.start("acme", "8.9.4")
    with pytest.raises(InvalidInput):
        service.start("acme", "astrology")
    with pytest.raises(InvalidInput):
        service.start("acme", "8.5.1", 0)


def test_strong_and_weak_answers_are_graded_apart(acme):
    service = acme.interviews
    question = _emergency_question(service)
    strong_text = " ".join(question.expected_points)
    state = service.start("acme", question.clauses[0], 5, seed=3)
    # drive the session to the emergency question by answering whatever comes first strongly
    scores = {}
    current = state.current
    while current is not None and current.question_id != question.id:
        q = service.bank.get(current.question_id)
        result = service.answer(state.session.id, " ".join(q.expected_points))
        scores[current.question_id] = (result.assessment.score, result.assessment.reason)
        current = result.next
    if current is not None:
        strong = service.answer(state.session.id, strong_text)
        assert strong.assessment.score >= 3
    for question_id, (score, reason) in scores.items():
        assert score is not None and score >= 3, (question_id, reason)

    weak_state = service.start("acme", question.clauses[0], 2, seed=3)
    weak = service.answer(
        weak_state.session.id, "Changes? Honestly someone probably signs them off, we just get on with it really."
    )
    assert weak.assessment.score <= 1
    assert weak.assessment.missing_points
    assert weak.next is not None and weak.next.kind is TurnKind.FOLLOW_UP, weak.assessment
    q = service.bank.get(weak.answered.question_id)
    assert weak.next.prompt in q.follow_ups


def test_a_contradiction_with_the_procedure_is_flagged_with_the_passage(acme):
    service = acme.interviews
    question = _emergency_question(service)
    from assistant.interviews.planner import candidates, resolve_target

    kind, target, clause_ids = resolve_target(question.clauses[0], acme.catalogue)
    pool = candidates(service.bank, acme.catalogue, kind, target, clause_ids)
    state = service.start("acme", question.clauses[0], min(20, len(pool)), seed=5)
    current = state.current
    while current is not None and current.question_id != question.id:
        current = service.answer(state.session.id, "skip").next
    assert current is not None, "the emergency change question is in the plan"
    result = service.answer(
        state.session.id,
        "For an emergency change the duty manager approves it by phone, usually within 24 hours, "
        "and we tell the CAB later.",
    )
    found = result.assessment.contradictions
    assert found, result.assessment
    assert found[0].passage.document == "change-management-procedure.md"
    assert "Emergency CAB" in found[0].passage.quote or "2 hours" in found[0].passage.quote
    summary = service.end(state.session.id)
    assert any(f.grade is Grade.MINOR and f.passages for f in summary.findings)


def test_skip_unknown_empty_foreign_and_end(acme):
    service = acme.interviews
    state = service.start("acme", "8.5.1", 3, seed=2)
    sid = state.session.id
    skipped = service.answer(sid, "skip")
    assert skipped.assessment.kind is AnswerKind.SKIPPED and skipped.assessment.score is None
    unknown = service.answer(sid, "I don't know")
    assert unknown.assessment.kind is AnswerKind.UNKNOWN and unknown.assessment.score == 0
    assert unknown.assessment.strong_answer_adds
    with pytest.raises(InvalidInput, match="empty"):
        service.answer(sid, "   ")
    foreign = service.answer(sid, "Los cambios de emergencia los aprueba el comité de cambios en dos horas")
    assert foreign.assessment.kind is AnswerKind.NOT_ENGLISH and foreign.next == foreign.answered
    ended = service.answer(sid, "end")
    assert ended.summary is not None
    assert service.get(sid).session.status is SessionStatus.ENDED
    assert any(q.skipped for q in ended.summary.questions)
    with pytest.raises(InvalidInput, match="ended"):
        service.answer(sid, "more")


def test_double_submit_is_idempotent(acme):
    service = acme.interviews
    state = service.start("acme", "8.5.1", 2, seed=4)
    first = service.answer(state.session.id, "The CAB approves changes.", turn=0)
    again = service.answer(state.session.id, "The CAB approves changes.", turn=0)
    assert again.message == "already recorded" and again.assessment == first.assessment
    with pytest.raises(InvalidInput, match="already answered"):
        service.answer(state.session.id, "Something else", turn=0)
    assert len([t for t in service.get(state.session.id).turns if t.answer]) == 1


def test_a_session_resumes_exactly_in_a_new_process(acme, tmp_path):
    service = acme.interviews
    state = service.start("acme", "8.5.1", 3, seed=9)
    service.answer(state.session.id, "skip")
    before = service.get(state.session.id)
    script = (
        "import sys, json\n"
        "from assistant.bootstrap import build_assistant\n"
        "from tests.conftest import make_settings\n"
        f"a = build_assistant(make_settings(__import__('pathlib').Path({str(acme.settings.data_dir)!r})))\n"
        f"s = a.interviews.get({state.session.id!r})\n"
        "r = a.interviews.answer(s.session.id, 'skip')\n"
        "print(json.dumps({'current': s.current.index, 'answered': r.answered.index}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert f'"current": {before.current.index}' in out.stdout
    after = service.get(state.session.id)
    assert len([t for t in after.turns if t.answer]) == len([t for t in before.turns if t.answer]) + 1


def test_question_bank_covers_every_leaf_and_role(acme):
    bank = acme.bank
    catalogue = acme.catalogue
    assert len(bank) >= 150
    covered = {c for q in bank.questions for c in q.clauses}
    for leaf in catalogue.leaves():
        assert any(catalogue.is_within(c, leaf.id) or catalogue.is_within(leaf.id, c) for c in covered), leaf.id
    from assistant.interviews.bank import ROLES

    for role in ROLES:
        assert sum(role in q.roles for q in bank.questions) >= 8, role
    for q in bank.questions:
        assert 2 <= len(q.expected_points) <= 6, q.id


NORMAL_ONLY = """# Change procedure

Every normal change is raised as an RFC in the ITSM tool with a risk and impact assessment, a test plan and a
back-out plan. The CAB approves significant changes at its weekly meeting before implementation, and approved
changes are published on the change schedule.
"""


def test_a_clause_interview_starts_at_the_organizations_weak_spots(tmp_path: Path, data_dir: Path, embedder):
    built = build_assistant(make_settings(data_dir), embedder=embedder)
    org = tmp_path / "thin"
    org.mkdir()
    (org / "change-procedure.md").write_text(NORMAL_ONLY, encoding="utf-8")
    built.pipeline.ingest_paths([org], "thin")
    service = built.interviews
    emergency = "q-8.5.1.3-02"  # the documents say nothing about emergency changes
    for seed in (1, 2, 3):
        plan = service.start("thin", "8.5.1.3", 3, seed=seed).session.plan
        assert emergency in plan, plan
        assert len(set(plan)) == len(plan)


def test_follow_ups_probe_a_missing_point_and_never_repeat_a_question(acme):
    service = acme.interviews
    state = service.start("acme", "8.5.1", 4, seed=7)
    sid = state.session.id
    current, prompts = state.current, []
    while current is not None:
        prompts.append(current.prompt)
        question = service.bank.get(current.question_id)
        result = service.answer(sid, "We raise a ticket for it and someone looks at it.")
        if result.next is not None and result.next.kind is TurnKind.FOLLOW_UP:
            assert result.next.prompt in question.follow_ups
            assert result.next.prompt != question.question
            missing = result.assessment.missing_points
            assert question.follow_ups.index(result.next.prompt) in [question.expected_points.index(p) for p in missing]
        current = result.next
    assert len(prompts) == len(set(prompts)), prompts


def test_findings_are_one_per_issue_graded_with_rationale_in_every_front_end(acme):
    from assistant.interview_cli import console, print_summary
    from bots.slack.blocks import summary_blocks

    service = acme.interviews
    state = service.start("acme", "8.5.1", 3, seed=11)
    sid = state.session.id
    admitted = "Honestly we skip the CAB for most changes and just do them, nobody reviews them afterwards."
    result = service.answer(sid, admitted)
    while result.next is not None and result.next.kind is TurnKind.FOLLOW_UP:
        result = service.answer(sid, admitted)  # the same admission again in the follow-up
    summary = service.end(sid)
    assert summary.grade in (Grade.MAJOR, Grade.MINOR)
    admitted_findings = [f for f in summary.findings if f.grade in (Grade.MAJOR, Grade.MINOR)]
    assert len(admitted_findings) == 1, summary.findings
    finding = admitted_findings[0]
    assert finding.rationale and finding.clause_ids and "skip the CAB" in finding.answer_excerpt
    assert len({(f.grade, f.statement) for f in summary.findings}) == len(summary.findings)

    with console.capture() as captured:
        print_summary(summary)
    shown = captured.get()
    assert f"Grade: {summary.grade.value}" in shown and finding.rationale[:40] in shown
    _, blocks = summary_blocks(summary)
    text = " ".join(b.get("text", {}).get("text", "") for b in blocks)
    assert summary.grade.value in text and finding.rationale[:40] in text
