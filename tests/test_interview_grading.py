"""The interview grader agrees with an auditor's scores on realistic staff answers, and does not
invent contradictions with the sample organization's documents. Metric functions are checked
on hand-made rows first, so a floor failure points at the grader, not at the arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InvalidInput
from assistant.interviews.models import AnswerKind, Assessment, Contradiction, DocumentRef
from evals.grading import (
    FLOORS,
    GradingRow,
    check_floors,
    confusion,
    disagreements,
    exact_agreement,
    flag_precision,
    flag_recall,
    flags_of,
    is_grading_dataset,
    load_grading_dataset,
    mean_bias,
    run_grading,
    summarize,
    to_markdown,
    within_one_agreement,
)
from tests.conftest import SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "interview_grading.yaml"


def row(expected: int, score: int | None, expected_flags: list[str] | None = None, flags: list[str] | None = None):
    return GradingRow(
        id="x",
        question_id="q",
        answer="a",
        expected_score=expected,
        score=score,
        expected_flags=expected_flags or [],
        flags=flags or [],
    )


# -- metric functions on hand-made rows ------------------------------------------------------
def test_score_agreement_exact_and_within_one():
    rows = [row(4, 4), row(3, 2), row(2, 0), row(0, 4)]
    assert exact_agreement(rows) == 0.25
    assert within_one_agreement(rows) == 0.5
    assert mean_bias(rows) == pytest.approx((0 - 1 - 2 + 4) / 4)


def test_agreement_is_zero_when_every_score_is_off_and_unscored_answers_count_against():
    assert exact_agreement([row(4, 0), row(0, 3)]) == 0.0
    assert within_one_agreement([row(4, 0), row(0, 3)]) == 0.0
    assert within_one_agreement([row(0, None), row(1, 1)]) == 0.5
    assert exact_agreement([]) is None and within_one_agreement([]) is None


def test_flag_precision_and_recall():
    rows = [
        row(1, 1, ["contradiction"], ["contradiction"]),  # true positive
        row(4, 3, [], ["contradiction"]),  # false positive
        row(2, 2, ["contradiction"], []),  # missed
        row(0, 0, ["red_flag"], ["red_flag"]),
    ]
    assert flag_precision(rows, "contradiction") == 0.5
    assert flag_recall(rows, "contradiction") == 0.5
    assert flag_precision(rows, "red_flag") == 1.0 and flag_recall(rows, "red_flag") == 1.0
    assert flag_precision(rows, "off_topic") is None and flag_recall(rows, "off_topic") is None


def test_a_grader_that_flags_only_the_wrong_answers_scores_zero():
    rows = [row(4, 4, [], ["contradiction"]), row(1, 1, ["contradiction"], [])]
    assert flag_precision(rows, "contradiction") == 0.0
    assert flag_recall(rows, "contradiction") == 0.0


def test_floors_fail_on_low_or_undefined_figures():
    good = {"within_one": 0.9, "contradiction_precision": 0.85}
    assert check_floors(good) == []
    assert len(check_floors({"within_one": 0.5, "contradiction_precision": 0.85})) == 1
    failures = check_floors({"within_one": 0.9, "contradiction_precision": None})
    assert failures and "undefined" in failures[0]
    assert set(FLOORS) == {"within_one", "contradiction_precision"}


def test_confusion_disagreements_and_markdown():
    rows = [row(4, 4), row(4, 0, [], ["contradiction"]), row(0, 1), row(2, None)]
    matrix = confusion(rows)
    assert matrix[4][4] == 1 and matrix[4][0] == 1 and matrix[0][1] == 1 and sum(map(sum, matrix)) == 3
    worst = disagreements(rows)
    assert [r.score for r in worst] == [None, 0, 1]
    metrics = summarize(rows)
    assert metrics["items"] == 4.0 and metrics["exact"] == 0.25
    from evals.grading import GradingReport

    text = to_markdown(GradingReport("d", "w", metrics, rows, check_floors(metrics)))
    assert "| within_one |" in text and "Floors failed" in text


def test_flags_of_an_assessment():
    ref = DocumentRef(document="p.md", chunk_id="c", quote="q")
    contradiction = Contradiction(kind="approver", answer_says="cab", document_says="ecab", passage=ref)
    assessment = Assessment(score=1, contradictions=[contradiction], red_flags=["we do it first"])
    assert flags_of(assessment) == ["contradiction", "red_flag"]
    assert flags_of(Assessment(kind=AnswerKind.UNKNOWN, score=0)) == ["dont_know"]
    assert flags_of(Assessment(kind=AnswerKind.OFF_TOPIC, score=0)) == ["off_topic"]
    assert flags_of(Assessment(score=4)) == []


# -- grader building blocks ------------------------------------------------------------------
def test_facts_keep_their_own_subject_and_kind():
    from assistant.interviews.facts import extract

    facts = extract("The RTO for the Harbour WMS is 8 hours and the RPO is an hour.")
    assert [(f.kind, f.value) for f in facts] == [("time limit", "480"), ("time limit", "60")]
    assert "RTO" in facts[0].local and "RTO" not in facts[1].local
    notice = extract("The RFC is raised at least five business days before the planned date.")
    assert [f.kind for f in notice] == ["notice period"]
    cab = {(f.kind, f.value) for f in extract("The CAB meets every Tuesday, and I chair it as Change Manager.")}
    assert ("frequency", "10080") in cab and ("weekday", "tuesday") in cab
    row = extract("Priority: P1 Critical; Initial response: 15 minutes; Resolution target: 4 hours")
    assert {f.qualifier for f in row if f.kind == "time limit"} == {"P1"}


def test_hedged_dont_know_is_unknown_but_a_hedged_answer_is_not():
    from assistant.interviews.grader import classify_reply

    assert classify_reply("I'm not sure, honestly, you'd have to ask Priya.") == "unknown"
    assert classify_reply("I don't know, to be honest. I'd have to ask my team leader.") == "unknown"
    assert classify_reply("I'm not sure who signed it. It's the group policy, we never checked it.") == "answer"


def test_flags_cap_the_calibrated_score():
    from assistant.interviews.scoring import Signals, score

    strong = Signals([0.8, 0.7, 0.7], words=90, document_support=0.85)
    assert score(strong) == 4
    assert score(Signals([0.8, 0.7, 0.7], 90, 0.85, contradictions=1)) == 2
    assert score(Signals([0.8, 0.7, 0.7], 90, 0.85, red_flags=1)) == 0
    assert score(Signals([0.2, 0.1], words=15, document_support=0.3)) == 1


# -- the dataset -----------------------------------------------------------------------------
def test_loader_names_the_item_and_field(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nitems:\n  - id: g1\n    question_id: q-8.6.1-01\n    answer: fine\n    expected_score: 7\n",
        encoding="utf-8",
    )
    assert is_grading_dataset(bad)
    with pytest.raises(InvalidInput, match=r"item g1: field 'expected_score'"):
        load_grading_dataset(bad)
    bad.write_text(
        "name: x\nitems:\n  - id: g2\n    question_id: q-8.6.1-01\n    answer: fine\n    expected_score: 2\n"
        "    expected_flags: [wrong]\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match=r"item g2: field 'expected_flags.0'"):
        load_grading_dataset(bad)
    assert not is_grading_dataset(DATASET.parent / "sample_org.yaml")


def test_dataset_shape(catalogue):
    from assistant.interviews.bank import QuestionBank
    from tests.conftest import KNOWLEDGE

    dataset = load_grading_dataset(DATASET)
    bank = QuestionBank.load(KNOWLEDGE, catalogue)
    known = {q.id for q in bank.questions}
    missing = [(i.id, i.question_id) for i in dataset.items if i.question_id not in known]
    assert missing == []
    items = dataset.items
    assert len(items) >= 60
    assert len({i.question_id for i in items}) >= 20
    assert len({i.role for i in items if i.role}) >= 8
    flags = [f for i in items for f in i.expected_flags]
    assert flags.count("contradiction") >= 12
    for flag in ("red_flag", "off_topic", "dont_know"):
        assert flag in flags, flag
    scores = {i.expected_score for i in items}
    assert scores == {0, 1, 2, 3, 4}
    clean_with_facts = [i for i in items if not i.expected_flags and any(ch.isdigit() for ch in i.answer)]
    assert len(clean_with_facts) >= 8
    assert len(dataset.corpus) == 1 and dataset.corpus[0].is_dir()


# -- the CI floor ----------------------------------------------------------------------------
# The product floors (evals.grading.FLOORS); `auditprep eval` on this dataset exits 1 below them.
REGRESSION = dict(FLOORS)


def test_grader_meets_its_floors_on_the_sample_organization(sample_assistant):
    dataset = load_grading_dataset(DATASET)
    report = run_grading(sample_assistant, dataset, SAMPLE_WORKSPACE)
    summary = {k: report.metrics[k] for k in ("exact", "within_one", "contradiction_precision", "contradiction_recall")}
    worst = [(r.id, r.expected_score, r.score, r.expected_flags, r.flags) for r in disagreements(report.rows, 10)]
    assert report.metrics["within_one"] is not None and report.metrics["within_one"] >= REGRESSION["within_one"], (
        summary,
        worst,
    )
    precision = report.metrics["contradiction_precision"]
    assert precision is not None and precision >= REGRESSION["contradiction_precision"], (summary, worst)
