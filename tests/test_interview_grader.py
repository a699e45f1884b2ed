"""The interview grader with the packaged embedder and the committed calibration: points are
matched by meaning (synonyms, concrete tool names), facts are checked per kind against the
documents with the passage cited, admitted nonconforming practice caps the score at 1, and the
score is always the one the shown points, facts and flags give."""

from __future__ import annotations

import pytest

from assistant.calibration import load_calibration
from assistant.catalogue import Catalogue
from assistant.evidence.rules import load_statement_cues
from assistant.interviews.admissions import load_admissions
from assistant.interviews.bank import QuestionBank
from assistant.interviews.grader import Grader
from assistant.interviews.roles import load_roles
from assistant.interviews.scoring import score_of
from assistant.models import Origin, Passage
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.integration

PROCEDURE = (
    "Emergency changes are approved by the Emergency CAB before implementation. "
    "The ECAB convenes within 2 hours of the request. "
    "A post-implementation review is held within 5 working days of every emergency change. "
    "The CAB meets every Tuesday to review significant changes. "
    "Normal changes are raised at least 5 business days before the planned date. "
    "At least 95% of changes must succeed first time."
)


def passage(text: str = PROCEDURE, source: str = "change-procedure.md") -> Passage:
    return Passage(
        id="p1", text=text, origin=Origin.ORGANIZATION, document_id="d1", source=source, title="Change procedure"
    )


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load(KNOWLEDGE, Catalogue.load(KNOWLEDGE))


@pytest.fixture(scope="module")
def params():
    calibration = load_calibration(KNOWLEDGE).interview
    assert calibration is not None, "run `python -m evals.calibrate --interviews-only`"
    return calibration


@pytest.fixture(scope="module")
def grader(embedder, params) -> Grader:
    return Grader(
        embedder, load_admissions(KNOWLEDGE), load_statement_cues(KNOWLEDGE).negation, load_roles(KNOWLEDGE), params
    )


def covered(grader: Grader, bank: QuestionBank, question_id: str, answer: str) -> list[str]:
    assessment, _ = grader.assess(bank.get(question_id), answer, [])
    return assessment.covered_points


@pytest.mark.parametrize(
    ("question_id", "answer", "point"),
    [
        # a synonym: an RFC is a request for change
        (
            "q-8.5.1.2-03",
            "That's really a change, not a request, so I raise it as an RFC and tell the user it follows the change "
            "process.",
            "Raises or links a request for change, or routes it to whoever owns changes",
        ),
        # other words: call volumes by hour are contact volumes analysed
        (
            "q-8.4.3-04",
            "We look at call volumes by hour and by weekday from the phone system and plan the rota from that.",
            "Contact volumes and patterns are analysed",
        ),
        # a concrete tool name for "the change tool"
        (
            "q-8.5.1.2-01",
            "Every change starts as an RFC logged in ServiceNow, whoever asks for it.",
            "Every request for change is recorded in the change tool",
        ),
    ],
)
def test_points_are_matched_by_meaning(grader, bank, question_id, answer, point):
    """Other words for a point come far closer to it than an unrelated answer does (whether
    that is close enough to count is the fitted threshold's call)."""
    question = bank.get(question_id)

    def similarity(text: str) -> float:
        _, matches = grader.assess(question, text, [])
        return next(m.similarity for m in matches if m.point == point)

    assert similarity(answer) >= similarity("Our canteen serves a hot lunch from twelve until two every day.") + 0.2


def test_an_unrelated_answer_covers_nothing(grader, bank):
    assert covered(grader, bank, "q-8.5.1.3-02", "Our canteen serves lunch from twelve until two.") == []


@pytest.mark.parametrize(
    ("answer", "kind", "document_words"),
    [
        ("The ECAB has to convene within 8 hours of the request.", "time limit", "2 hours"),
        ("The CAB meets every month to look at the significant changes.", "frequency", "every Tuesday"),
        ("Normal changes are raised at least 2 business days before the planned date.", "notice period", "5 business"),
        ("Emergency changes are approved by the change manager before implementation.", "approver", "Emergency CAB"),
        ("At least 80% of changes must succeed first time.", "percentage", "95%"),
    ],
)
def test_a_wrong_fact_of_each_kind_is_a_contradiction_citing_the_passage(grader, bank, answer, kind, document_words):
    assessment, _ = grader.assess(bank.get("q-8.5.1.3-02"), answer, [passage()])
    kinds = {c.kind: c for c in assessment.contradictions}
    assert kind in kinds or (kind == "frequency" and "weekday" in kinds), assessment.contradictions
    found = kinds.get(kind) or kinds["weekday"]
    assert found.passage.document == "change-procedure.md"
    assert document_words in found.passage.quote
    assert assessment.score is not None and assessment.score <= 2


def test_a_right_fact_is_confirmed_not_contradicted(grader, bank):
    assessment, _ = grader.assess(
        bank.get("q-8.5.1.3-02"),
        "The ECAB convenes within 2 hours of the request and approves it before anyone implements it.",
        [passage()],
    )
    assert assessment.contradictions == []
    assert assessment.checked_facts


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        (
            "q-8.5.1.3-02",
            "The last one was a firewall fix on the core switch. The engineer made the change without waiting for "
            "approval because the service was down, raised the RFC with the risk assessment the next morning, and "
            "the CAB didn't review it.",
        ),
        ("q-8.5.1.3-01", "Honestly, we don't do post-implementation reviews on our changes."),
        # one admitting sentence at the end of a long, otherwise sound answer still counts
        (
            "q-8.5.1.3-01",
            "Every change is raised as an RFC in the tool with its risk and impact assessed. The change manager or "
            "the CAB authorises it depending on the risk, it is tested in staging with a back-out plan, and it goes "
            "on the change schedule on the portal before the window. We don't do post-implementation reviews though.",
        ),
        # one admitting clause inside a long sentence: the sentence is as close as its closest clause
        (
            "q-8.4.3-02",
            "We set thresholds on the dashboards, the alerts land in a channel, nobody looks at them, and we wait "
            "until something breaks.",
        ),
        (
            "q-8.5.1.3-01",
            "Changes are raised in the tool and assessed, the CAB approves the big ones, we skip the testing when we "
            "are short of time, and they go on the schedule.",
        ),
    ],
)
def test_admitted_nonconforming_practice_is_a_red_flag_that_caps_the_score_at_one(grader, bank, question_id, answer):
    assessment, _ = grader.assess(bank.get(question_id), answer, [])
    assert assessment.red_flags, assessment.reason
    assert assessment.score is not None and assessment.score <= 1
    assert "not followed" in assessment.reason


def test_a_step_said_to_be_skipped_is_not_a_covered_point(grader, bank):
    question = bank.get("q-8.5.1.3-01")
    pir = "A post-implementation review checks the change achieved its objective"
    assessment, _ = grader.assess(question, "Honestly, we don't do post-implementation reviews here.", [])
    assert pir not in assessment.covered_points


def test_the_score_is_what_the_shown_points_facts_and_flags_give(grader, bank, params):
    answers = [
        ("q-8.5.1.3-02", "The ECAB convenes within 2 hours and approves it first; we link the incident."),
        ("q-8.5.1.3-02", "The ECAB has to convene within 8 hours of the request."),
        ("q-8.5.1.3-01", "We just do small changes, no ticket."),
        ("q-8.5.1.3-01", "RFC in the tool, risk assessed, CAB approves, tested, back-out plan, on the schedule."),
    ]
    for question_id, answer in answers:
        a, _ = grader.assess(bank.get(question_id), answer, [passage()])
        total = len(a.covered_points) + len(a.missing_points)
        expected = score_of(
            len(a.covered_points), total, len(a.checked_facts), len(a.contradictions), bool(a.red_flags), params
        )
        assert a.score == expected, a
        assert a.reason.startswith(f"Score {a.score}/4: covers {len(a.covered_points)} of {total}")
