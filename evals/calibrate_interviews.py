"""Fit the interview grader's decisions on the fit parts of the graded-answer datasets.

Each answer is measured exactly as a live turn would be (``InterviewService.measure_answer``
against a throw-away workspace of its organization's documents); then, on those numbers:

- the subject score and margin at which a document fact of another value contradicts an
  answer fact are those with the best precision-weighted F-score on the contradictions;
- the red-flag model (admitted nonconforming practice) is a logistic regression on
  ``RED_FLAG_FEATURES``, its threshold the middle of those with the best F1 on the fit answers;
- the point, word-share and fact weights, the three score cuts and the two caps are the grid
  point with the most exact plus within-one agreements with the auditor's scores, and the
  off-topic similarity the middle of those with the best precision-weighted F-score.

Grids are fixed and ties go to the first grid point, so re-running gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from assistant.bootstrap import Assistant
from assistant.calibration import InterviewCalibration, LinearModel
from assistant.interviews.scoring import MAX_CONFIRMED
from assistant.interviews.signals import RED_FLAG_FEATURES, AnswerSignals
from evals.calibrate import fit_linear
from evals.grading import GradingDataset, GradingItem, load_grading_dataset, select_grading_part

Progress = Callable[[int, int, str], None]

POINT_GRID = tuple(round(x, 2) for x in np.arange(0.26, 0.72, 0.02))
TERM_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
FACT_GRID = (0.0, 0.05, 0.1, 0.15, 0.2)
CUT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 1.45, 0.05))
OFF_TOPIC_GRID = tuple(round(x, 2) for x in np.arange(0.0, 0.42, 0.02))
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))
SUBJECT_GRID = tuple(round(x, 2) for x in np.arange(0.30, 0.76, 0.025))
MARGIN_GRID = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12)
WITHIN_WEIGHT = 1.0  # an agreement within one point counts this much beside an exact one
PRECISION_WEIGHT = 0.5  # F-beta for contradictions and off topic: a false one teaches staff the wrong thing
RED_FLAG_C = 0.5  # inverse regularisation: a few dozen flagged answers


def default_grading_sets(project_root: Path) -> list[Path]:
    datasets = project_root / "evals" / "datasets"
    return [datasets / "interview_grading.yaml", datasets / "interview_grading_gitlab.yaml"]


@dataclass(slots=True)
class Measured:
    """One graded answer, the kind of reply it is, and what the grader measured in it."""

    item: GradingItem
    reply: str
    signals: AnswerSignals | None

    @property
    def answer(self) -> bool:
        return self.signals is not None


def collect(assistant: Assistant, datasets: list[GradingDataset], progress: Progress | None = None) -> list[Measured]:
    """Measure every item against its organization's documents in a throw-away workspace."""
    rows: list[Measured] = []
    service = assistant.interviews
    for n, dataset in enumerate(datasets):
        workspace = f"calibrate-interviews-{n + 1}"
        report = assistant.pipeline.ingest_paths(dataset.corpus, workspace)
        if report.failed:
            raise RuntimeError(f"the corpus of {dataset.path.name} did not ingest cleanly")
        try:
            for i, item in enumerate(dataset.items):
                if progress:
                    progress(i, len(dataset.items), item.id)
                reply, signals = service.measure_answer(workspace, item.question_id, item.answer)
                rows.append(Measured(item, reply, signals))
        finally:
            assistant.pipeline.drop_workspace(workspace)
    return rows


def _f1(predicted: np.ndarray, wanted: np.ndarray, beta: float = 1.0) -> float:
    hits = float((predicted & wanted).sum())
    if not hits:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * hits / float(b2 * wanted.sum() + predicted.sum())


def fit_facts(rows: list[Measured]) -> tuple[float, float]:
    """The subject score and margin at which conflicts best match the auditor's contradictions."""
    answers = [r for r in rows if r.signals is not None]
    wanted = np.array(["contradiction" in r.item.expected_flags for r in answers])

    def quality(grid_point: tuple[float, float]) -> tuple[float, float, float]:
        subject, margin = grid_point
        raised = np.array([bool(r.signals.facts.judge(subject, margin)[0]) for r in answers if r.signals])
        return (_f1(raised, wanted, PRECISION_WEIGHT), subject, -margin)

    return max(((s, m) for s in SUBJECT_GRID for m in MARGIN_GRID), key=quality)


def fit_red_flag(rows: list[Measured]) -> tuple[LinearModel, float]:
    answers = [r for r in rows if r.signals is not None]
    x = np.stack([r.signals.red_flag for r in answers if r.signals is not None])
    wanted = np.array(["red_flag" in r.item.expected_flags for r in answers])
    model = fit_linear(x, ["1" if w else "0" for w in wanted], RED_FLAG_FEATURES, RED_FLAG_C)
    probability = model.probability(x)
    return model, _middle_of_best(THRESHOLD_GRID, lambda t: _f1(probability >= t, wanted))


def _middle_of_best(grid: tuple[float, ...], quality: Callable[[float], float]) -> float:
    """The middle of the grid points of best quality: as far from the errors on either side
    as the data allows."""
    scores = [round(quality(x), 6) for x in grid]
    best = [x for x, q in zip(grid, scores, strict=True) if q == max(scores)]
    return best[len(best) // 2]


@dataclass(slots=True)
class _Arrays:
    """The fit answers as arrays, so a grid point is scored in one vectorised pass."""

    sims: list[np.ndarray]
    terms: list[np.ndarray]
    topic: np.ndarray
    confirmed: np.ndarray
    contradicted: np.ndarray
    flagged: np.ndarray
    expected: np.ndarray
    off_topic: np.ndarray


def _arrays(rows: list[Measured], red_flagged: np.ndarray, facts: tuple[float, float]) -> _Arrays:
    answers = [r.signals for r in rows if r.signals is not None]
    items = [r.item for r in rows if r.signals is not None]
    judged = [s.facts.judge(*facts) for s in answers]
    return _Arrays(
        sims=[np.asarray(s.point_similarity) for s in answers],
        terms=[np.asarray(s.point_terms) for s in answers],
        topic=np.array([s.topic for s in answers]),
        confirmed=np.array([min(len(confirmed), MAX_CONFIRMED) for _, confirmed in judged]),
        contradicted=np.array([bool(conflicts) for conflicts, _ in judged]),
        flagged=red_flagged,
        expected=np.array([i.expected_score for i in items]),
        off_topic=np.array(["off_topic" in i.expected_flags for i in items]),
    )


def fit_scoring(
    rows: list[Measured], red_flagged: np.ndarray, facts: tuple[float, float]
) -> dict[str, float | int | list[float]]:
    """The grid point of point/word/fact weights, cuts and caps agreeing most with the auditor."""
    a = _arrays(rows, red_flagged, facts)
    cuts = np.array(list(combinations(CUT_GRID, 3)))  # ascending triples
    best: tuple[float, dict] | None = None
    for point in POINT_GRID:
        for term in TERM_GRID:
            covered = np.array([int((s + term * t >= point).sum()) for s, t in zip(a.sims, a.terms, strict=True)])
            share = covered / np.array([len(s) for s in a.sims])
            none = covered == 0
            off_topic = _middle_of_best(
                OFF_TOPIC_GRID, lambda o, none=none: _f1(none & (a.topic < o), a.off_topic, PRECISION_WEIGHT)
            )
            is_off = (covered == 0) & (a.topic < off_topic)
            for fact in FACT_GRID:
                value = share + fact * a.confirmed
                base = 1 + (value[None, :, None] >= cuts[:, None, :]).sum(axis=2)  # (cuts, answers)
                for contradiction_cap in (1, 2):
                    for red_flag_cap in (0, 1):
                        score = np.where(a.contradicted, np.minimum(base, contradiction_cap), base)
                        score = np.where(a.flagged, np.minimum(base, red_flag_cap), score)
                        score = np.where(is_off, 0, score)
                        diff = np.abs(score - a.expected)
                        agreement = (diff == 0).sum(axis=1) + WITHIN_WEIGHT * (diff <= 1).sum(axis=1)
                        k = int(np.argmax(agreement))
                        if best is None or agreement[k] > best[0]:
                            best = (
                                float(agreement[k]),
                                {
                                    "point": point,
                                    "term_weight": term,
                                    "fact_weight": fact,
                                    "cuts": [float(c) for c in cuts[k]],
                                    "contradiction_cap": contradiction_cap,
                                    "red_flag_cap": red_flag_cap,
                                    "off_topic": off_topic,
                                },
                            )
    assert best is not None
    return best[1]


def fit_interviews(
    assistant: Assistant,
    dataset_paths: list[Path],
    progress: Progress | None = None,
) -> InterviewCalibration:
    """Measure the fit parts of ``dataset_paths`` and fit every interview decision on them."""
    datasets = [select_grading_part(load_grading_dataset(p), "fit") for p in dataset_paths]
    rows = collect(assistant, datasets, progress)
    model, threshold = fit_red_flag(rows)
    answers = [r for r in rows if r.signals is not None]
    flagged = model.probability(np.stack([r.signals.red_flag for r in answers if r.signals is not None])) >= threshold
    facts = fit_facts(rows)
    fitted = fit_scoring(rows, flagged, facts)
    return InterviewCalibration(
        **fitted,  # type: ignore[arg-type]
        same_subject=facts[0],
        fact_margin=facts[1],
        red_flag=model,
        red_flag_threshold=threshold,
        fitted_on={f"{p.stem}:fit": len(d.items) for p, d in zip(dataset_paths, datasets, strict=True)},
    )
