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
    select_grading_part,
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


def test_the_score_comes_from_points_facts_and_flags_and_the_caps_hold():
    from assistant.calibration import InterviewCalibration, LinearModel
    from assistant.interviews.scoring import rationale, score_of

    model = LinearModel(features=["x"], mean=[0.0], scale=[1.0], coef=[[1.0]], intercept=[0.0])
    params = InterviewCalibration(
        point=0.5,
        term_weight=0.1,
        fact_weight=0.1,
        cuts=[0.25, 0.5, 0.8],
        contradiction_cap=2,
        red_flag_cap=1,
        off_topic=0.1,
        same_subject=0.5,
        fact_margin=0.05,
        red_flag=model,
        red_flag_threshold=0.5,
    )
    assert score_of(5, 5, 0, 0, False, params) == 4
    assert score_of(0, 5, 0, 0, False, params) == 1
    assert score_of(3, 5, 0, 0, False, params) == 3 and score_of(3, 5, 2, 0, False, params) == 4
    assert score_of(5, 5, 2, 1, False, params) == 2
    assert score_of(5, 5, 2, 0, True, params) == 1
    # more covered points never lower the score
    assert [score_of(k, 6, 0, 0, False, params) for k in range(7)] == sorted(
        score_of(k, 6, 0, 0, False, params) for k in range(7)
    )
    line = rationale(1, 5, 5, 0, 0, True, params)
    assert line.startswith("Score 1/4: covers 5 of 5") and "not followed" in line


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


@pytest.mark.parametrize("name", ["interview_grading", "interview_grading_gitlab"])
def test_every_graded_item_is_in_exactly_one_part(name):
    dataset = load_grading_dataset(DATASET.parent / f"{name}.yaml")
    fit = {i.id for i in select_grading_part(dataset, "fit").items}
    check = {i.id for i in select_grading_part(dataset, "check").items}
    assert not fit & check and fit | check == {i.id for i in dataset.items}
    assert {f for i in dataset.items if i.id in check for f in i.expected_flags} >= {"contradiction", "red_flag"}


def test_the_second_dataset_is_graded_on_one_organizations_published_documents(catalogue):
    from assistant.interviews.bank import QuestionBank
    from tests.conftest import KNOWLEDGE

    dataset = load_grading_dataset(DATASET.parent / "interview_grading_gitlab.yaml")
    known = {q.id for q in QuestionBank.load(KNOWLEDGE, catalogue).questions}
    assert len(dataset.items) >= 40 and all(i.question_id in known for i in dataset.items)
    assert dataset.corpus and all(p.is_file() and p.name.startswith("gitlab_") for p in dataset.corpus)
    flags = [f for i in dataset.items for f in i.expected_flags]
    assert all(flags.count(f) >= 2 for f in ("contradiction", "red_flag", "off_topic", "dont_know"))
    assert {i.expected_score for i in dataset.items} == {0, 1, 2, 3, 4}


# -- the CI floors and the score/points property --------------------------------------------
# Floors on each dataset's held-out check part, about one item under today's figures; the
# product floors (evals.grading.FLOORS) are what `auditprep eval` exits 1 below.
GITLAB = DATASET.parent / "interview_grading_gitlab.yaml"
CHECK_FLOORS = {
    # 32 held-out answers: exact 0.78, within one 1.00, contradictions 1.00/0.86, red flags 1.00/1.00
    "interview_grading": {
        "exact": 0.75,
        "within_one": 0.96,
        "contradiction_precision": 0.85,
        "contradiction_recall": 0.71,
        "red_flag_precision": 0.88,
        "red_flag_recall": 0.88,
        "dont_know_recall": 0.5,
        "off_topic_precision": 0.5,
        "off_topic_recall": 0.5,
    },
    # 14 held-out answers: exact 0.50, within one 0.93, contradictions 0.67/0.67, red flags 1.00/0.67
    "interview_grading_gitlab": {
        "exact": 0.42,
        "within_one": 0.85,
        "contradiction_precision": 0.5,
        "contradiction_recall": 0.33,
        "red_flag_precision": 0.66,
        "red_flag_recall": 0.33,
        "dont_know_recall": 0.5,
    },
}


@pytest.fixture(scope="module")
def graded(interview_measurements, sample_assistant):
    """Every item of both datasets graded with the committed calibration, each on its
    organization, from the session's one measurement of every answer."""
    from evals.calibrate_interviews import assessment_of
    from evals.grading import GradingReport, _row

    params = sample_assistant.calibration.interview
    bank = sample_assistant.interviews.bank
    reports = {}
    for name, rows in interview_measurements.items():
        graded_rows = [_row(r.item, assessment_of(bank.get(r.item.question_id), r, params)) for r in rows]
        metrics = summarize(graded_rows)
        reports[name] = GradingReport(name, "-", metrics, graded_rows, check_floors(metrics))
    return reports


def test_the_eval_grades_exactly_as_a_live_first_turn(graded, sample_assistant):
    """The shared measurements decide as the live grader does: the eval's own run over the
    live service agrees with them item for item, on answers of every kind."""
    dataset = load_grading_dataset(DATASET)
    by_id = {r.id: r for r in graded["interview_grading"].rows}
    wanted = ["dont_know", "red_flag", "contradiction", "off_topic", None]
    picked = []
    for flag in wanted:
        picked.append(next(i for i in dataset.items if (flag in i.expected_flags if flag else not i.expected_flags)))
    dataset.items = picked
    live = run_grading(sample_assistant, dataset, SAMPLE_WORKSPACE)
    for row in live.rows:
        shared = by_id[row.id]
        assert (row.score, row.flags, row.covered, row.contradictions) == (
            shared.score,
            shared.flags,
            shared.covered,
            shared.contradictions,
        ), row.id


def test_the_interview_calibration_refits_to_the_committed_section(interview_measurements, sample_assistant):
    """`auditprep calibrate --interviews-only` fits on the fit parts of these same
    measurements: refitting them gives the committed parameters."""
    from evals.calibrate_interviews import fit_measured

    committed = sample_assistant.calibration.interview
    fit_rows = []
    for name, rows in interview_measurements.items():
        fit_ids = {
            i.id for i in select_grading_part(load_grading_dataset(DATASET.parent / f"{name}.yaml"), "fit").items
        }
        fit_rows += [r for r in rows if r.item.id in fit_ids]
    refit = fit_measured(fit_rows, dict(committed.fitted_on))
    assert refit.fitted_on == committed.fitted_on
    for key in ("point", "term_weight", "bridge", "fact_weight", "same_subject", "fact_margin", "off_topic"):
        assert getattr(refit, key) == pytest.approx(getattr(committed, key), abs=0.021), key
    assert refit.cuts == pytest.approx(committed.cuts, abs=0.051)
    assert (refit.contradiction_cap, refit.red_flag_cap) == (committed.contradiction_cap, committed.red_flag_cap)
    assert refit.red_flag_threshold == pytest.approx(committed.red_flag_threshold, abs=0.051)
    assert refit.red_flag.coef[0] == pytest.approx(committed.red_flag.coef[0], abs=0.1)


def test_score_points_and_flags_never_disagree_on_any_item(graded, sample_assistant):
    from assistant.interviews.scoring import score_of

    params = sample_assistant.calibration.interview
    for name, report in graded.items():
        answers = [r for r in report.rows if r.kind == AnswerKind.ANSWER.value]
        assert answers, name
        for r in answers:
            expected = score_of(r.covered, r.points, r.checked, len(r.contradictions), bool(r.red_flags), params)
            assert r.score == expected, (name, r.id, r.score, r.covered, r.points, r.contradictions, r.red_flags)
            if r.red_flags:
                assert r.score <= 1, (name, r.id)


@pytest.mark.parametrize("name", sorted(CHECK_FLOORS))
def test_grader_meets_its_floors_on_the_check_part(graded, name):
    path = DATASET.parent / f"{name}.yaml"
    check = {i.id for i in select_grading_part(load_grading_dataset(path), "check").items}
    rows = [r for r in graded[name].rows if r.id in check]
    metrics = summarize(rows)
    worst = [(r.id, r.expected_score, r.score, r.expected_flags, r.flags) for r in disagreements(rows, 10)]
    for key, floor in CHECK_FLOORS[name].items():
        assert metrics[key] is not None and metrics[key] >= floor, (key, metrics[key], worst)
