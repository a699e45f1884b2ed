"""Fit the interview grader's decisions on the fit parts of the graded-answer datasets.

Each answer is measured exactly as a live turn would be (``InterviewService.measure_answer``
against a throw-away workspace of its organization's documents); then, on those numbers:

- the subject score and margin at which a document fact of another value contradicts an
  answer fact are those with the best precision-weighted F-score on the contradictions;
- the red-flag model (admitted nonconforming practice) is a logistic regression on the
  ``RED_FLAG_FEATURES`` of single sentences: every sentence of an unflagged answer is a
  negative, and each flagged answer's most admitting sentence (by the model of the previous
  round, starting from the admission cues) a positive; an answer's probability is its most
  admitting sentence's, and the threshold the middle of those with the best F1 on the fit answers;
- the point, word-share, organization-words and fact weights, the three score cuts and the
  two caps are the grid point with the most exact plus half-weighted within-one agreements
  with the auditor's scores, and the off-topic similarity the middle of those with the best
  precision-weighted F-score.

Grids are fixed and ties go to the first grid point, so re-running gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations, product
from pathlib import Path

import numpy as np

from assistant.bootstrap import Assistant
from assistant.calibration import InterviewCalibration, LinearModel
from assistant.interviews.bank import BankQuestion
from assistant.interviews.grader import decide
from assistant.interviews.models import AnswerKind, Assessment
from assistant.interviews.scoring import MAX_CONFIRMED
from assistant.interviews.signals import RED_FLAG_FEATURES, AnswerSignals
from evals.calibrate import fit_linear
from evals.grading import GradingDataset, GradingItem, load_grading_dataset, select_grading_part

Progress = Callable[[int, int, str], None]

POINT_GRID = tuple(round(x, 2) for x in np.arange(0.26, 0.72, 0.02))
TERM_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
BRIDGE_GRID = (2.0, *(round(x, 2) for x in np.arange(0.5, 0.86, 0.05)))  # 2.0 first: unused on a tie
FACT_GRID = (0.0, 0.05, 0.1, 0.15, 0.2)
CUT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 1.45, 0.05))
OFF_TOPIC_GRID = tuple(round(x, 2) for x in np.arange(0.0, 0.42, 0.02))
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))
SUBJECT_GRID = tuple(round(x, 2) for x in np.arange(0.30, 0.76, 0.025))
MARGIN_GRID = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12)
# an agreement within one point counts half an exact one: counted alike, cut-offs that give
# nearly every on-topic answer a 4 ride on within-one agreements and teach staff nothing
WITHIN_WEIGHT = 0.5
PRECISION_WEIGHT = 0.5  # F-beta for contradictions and off topic: a false one teaches staff the wrong thing
RED_FLAG_C = 0.5  # inverse regularisation: a few dozen flagged answers
RED_FLAG_ROUNDS = 5  # rounds of choosing each flagged answer's admitting sentence and refitting


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


def measure_items(
    assistant: Assistant, dataset: GradingDataset, workspace: str, progress: Progress | None = None
) -> list[Measured]:
    """Measure every item of ``dataset`` against ``workspace``, which holds its organization's documents."""
    service = assistant.interviews
    rows: list[Measured] = []
    for i, item in enumerate(dataset.items):
        if progress:
            progress(i, len(dataset.items), item.id)
        reply, signals = service.measure_answer(workspace, item.question_id, item.answer)
        rows.append(Measured(item, reply, signals))
    return rows


def collect(assistant: Assistant, datasets: list[GradingDataset], progress: Progress | None = None) -> list[Measured]:
    """Measure every item against its organization's documents in a throw-away workspace."""
    rows: list[Measured] = []
    for n, dataset in enumerate(datasets):
        workspace = f"calibrate-interviews-{n + 1}"
        report = assistant.pipeline.ingest_paths(dataset.corpus, workspace)
        if report.failed:
            raise RuntimeError(f"the corpus of {dataset.path.name} did not ingest cleanly")
        try:
            rows += measure_items(assistant, dataset, workspace, progress)
        finally:
            assistant.pipeline.drop_workspace(workspace)
    return rows


def assessment_of(question: BankQuestion, row: Measured, params: InterviewCalibration) -> Assessment:
    """The assessment a live first turn gives this measured answer (``InterviewService``
    decides the same way), so an eval can grade many parameter sets on one measurement."""
    if row.signals is not None:
        return decide(question, row.signals, params)
    if row.reply == "unknown":
        return Assessment(kind=AnswerKind.UNKNOWN, score=0)
    if row.reply == "not_english":
        return Assessment(kind=AnswerKind.NOT_ENGLISH)
    return Assessment(kind=AnswerKind.SKIPPED)


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
    """The per-sentence admission model and the threshold on an answer's most admitting sentence."""
    answers = [r.signals for r in rows if r.signals is not None]
    wanted = np.array(["red_flag" in r.item.expected_flags for r in rows if r.signals is not None])
    negatives = np.concatenate([s.red_flag for s, w in zip(answers, wanted, strict=True) if not w])
    flagged = [s.red_flag for s, w in zip(answers, wanted, strict=True) if w]
    kinds, closeness = RED_FLAG_FEATURES.index("admission_kinds"), RED_FLAG_FEATURES.index("admission_similarity")
    chosen = [int(np.lexsort((x[:, closeness], x[:, kinds]))[-1]) for x in flagged]
    model = None
    for _ in range(RED_FLAG_ROUNDS):
        x = np.concatenate([negatives, np.stack([f[i] for f, i in zip(flagged, chosen, strict=True)])])
        y = ["0"] * len(negatives) + ["1"] * len(flagged)
        model = fit_linear(x, y, RED_FLAG_FEATURES, RED_FLAG_C)
        again = [int(np.argmax(model.probability(f))) for f in flagged]
        if again == chosen:
            break
        chosen = again
    assert model is not None
    probability = np.array([float(model.probability(s.red_flag).max()) for s in answers])
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
    bridges: list[np.ndarray]
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
        bridges=[np.asarray(s.point_bridge) for s in answers],
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
    """The grid point of point/word/organization-word/fact weights, cuts and caps agreeing
    most with the auditor. Grid points that cover the same points on every answer score
    alike, so each distinct coverage is scored once."""
    a = _arrays(rows, red_flagged, facts)
    triples = np.array(list(combinations(range(len(CUT_GRID)), 3)))  # ascending cut indices
    cut_values = np.asarray(CUT_GRID)
    totals = np.array([len(s) for s in a.sims])
    best: tuple[float, dict] | None = None
    scored: set[bytes] = set()
    for point, term, bridge in product(POINT_GRID, TERM_GRID, BRIDGE_GRID):
        covered = np.array(
            [
                int(((s + term * t >= point) | (b >= bridge)).sum())
                for s, t, b in zip(a.sims, a.terms, a.bridges, strict=True)
            ]
        )
        if covered.tobytes() in scored:
            continue
        scored.add(covered.tobytes())
        none = covered == 0
        off_topic = _middle_of_best(
            OFF_TOPIC_GRID, lambda o, none=none: _f1(none & (a.topic < o), a.off_topic, PRECISION_WEIGHT)
        )
        is_off = none & (a.topic < off_topic)
        for fact in FACT_GRID:
            # answers of one value get one base score from any cuts: score the distinct values
            values, group = np.unique(np.round(covered / totals + fact * a.confirmed, 9), return_inverse=True)
            reached = (values[None, :] >= cut_values[:, None]).astype(np.int8)  # (cut grid, values)
            base = reached[triples[:, 0]] + reached[triples[:, 1]] + reached[triples[:, 2]]  # score - 1
            for contradiction_cap, red_flag_cap in product((1, 2), (0, 1)):
                agreement = _agreement(a, is_off, group, len(values), base, contradiction_cap, red_flag_cap)
                k = int(np.argmax(agreement))
                if best is None or agreement[k] > best[0]:
                    best = (
                        float(agreement[k]),
                        {
                            "point": point,
                            "term_weight": term,
                            "bridge": bridge,
                            "fact_weight": fact,
                            "cuts": [float(cut_values[i]) for i in triples[k]],
                            "contradiction_cap": contradiction_cap,
                            "red_flag_cap": red_flag_cap,
                            "off_topic": off_topic,
                        },
                    )
    assert best is not None
    return best[1]


def _agreement(
    a: _Arrays,
    is_off: np.ndarray,
    group: np.ndarray,
    groups: int,
    base: np.ndarray,
    contradiction_cap: int,
    red_flag_cap: int,
) -> np.ndarray:
    """Exact plus weighted within-one agreements for every cut triple, given each triple's
    base score (minus one) per distinct answer value."""
    scores = np.arange(1, 5)[None, :]  # each answer under each base score
    final = np.where(a.contradicted[:, None], np.minimum(scores, contradiction_cap), scores)
    final = np.where(a.flagged[:, None], np.minimum(scores, red_flag_cap), final)
    final = np.where(is_off[:, None], 0, final)
    diff = np.abs(final - a.expected[:, None])
    per_answer = (diff == 0) + WITHIN_WEIGHT * (diff <= 1)  # (answers, base score)
    per_value = np.zeros((groups, 4))
    np.add.at(per_value, group, per_answer)
    return per_value[np.arange(groups)[None, :], base].sum(axis=1)


def fit_interviews(
    assistant: Assistant,
    dataset_paths: list[Path],
    progress: Progress | None = None,
) -> InterviewCalibration:
    """Measure the fit parts of ``dataset_paths`` and fit every interview decision on them."""
    datasets = [select_grading_part(load_grading_dataset(p), "fit") for p in dataset_paths]
    rows = collect(assistant, datasets, progress)
    return fit_measured(rows, {f"{p.stem}:fit": len(d.items) for p, d in zip(dataset_paths, datasets, strict=True)})


def fit_measured(rows: list[Measured], fitted_on: dict[str, int]) -> InterviewCalibration:
    """Every interview decision fitted on these measured fit answers."""
    model, threshold = fit_red_flag(rows)
    answers = [r for r in rows if r.signals is not None]
    flagged = np.array([model.probability(r.signals.red_flag).max() >= threshold for r in answers if r.signals])
    facts = fit_facts(rows)
    fitted = fit_scoring(rows, flagged, facts)
    return InterviewCalibration(
        **fitted,  # type: ignore[arg-type]
        same_subject=facts[0],
        fact_margin=facts[1],
        red_flag=model,
        red_flag_threshold=threshold,
        fitted_on=fitted_on,
    )
