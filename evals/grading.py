"""Interview grading eval: how closely the deterministic interview grader agrees with the
scores and flags a certification auditor gives to realistic staff answers.

The dataset holds answers to question-bank questions with an auditor's 0-4 score and the
flags the answer deserves (contradiction with the organization's documents, a bank red flag,
off topic, "I don't know"). Each answer is graded exactly as a live interview turn would be,
against a workspace holding the organization's documents; the metric functions below are pure
so that they can be tested on hand-made rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.bootstrap import Assistant
from assistant.errors import InvalidInput, KnowledgeError
from assistant.interviews.bank import ROLES
from assistant.interviews.models import AnswerKind, Assessment
from assistant.workspaces import workspace_collection
from evals.dataset import read_items
from evals.splits import CHECK_SHARE, SPLITS_DIR, split_rank

Flag = Literal["contradiction", "red_flag", "off_topic", "dont_know"]
FLAGS: tuple[str, ...] = ("contradiction", "red_flag", "off_topic", "dont_know")
FLOORS = {"within_one": 0.85, "contradiction_precision": 0.80}
Progress = Callable[[int, int, str], None]


class GradingItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    question_id: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    expected_score: int = Field(ge=0, le=4)
    expected_flags: list[Flag] = Field(default_factory=list)
    role: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("expected_flags", mode="before")
    @classmethod
    def _no_flags(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        if value is not None and value not in ROLES:
            raise ValueError(f"unknown role {value!r}; use one of the question bank's roles")
        return value


@dataclass(slots=True)
class GradingDataset:
    name: str
    path: Path
    items: list[GradingItem]
    corpus: list[Path] = field(default_factory=list)  # a folder, or the organization's files one by one
    unknown_keys: list[str] = field(default_factory=list)


_TOP_KEYS = {"name", "description", "workspace_corpus", "corpus", "items"}


def is_grading_dataset(path: Path) -> bool:
    """True when the file's items carry ``question_id`` and ``expected_score`` (graded answers)
    rather than questions for the answering eval; unreadable files are left to the loaders."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    items = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        return False
    return any(isinstance(i, dict) and "question_id" in i and "expected_score" in i for i in items)


def load_grading_dataset(path: Path) -> GradingDataset:
    """Load and validate a graded-answers dataset; errors name the item id and the field."""
    raw, items, unknown = read_items(path, GradingItem, _TOP_KEYS)
    corpus = raw.get("workspace_corpus") or raw.get("corpus") or []
    if isinstance(corpus, str):
        corpus = [corpus]
    if not isinstance(corpus, list) or not all(isinstance(c, str) and c for c in corpus):
        raise InvalidInput(f"dataset {path}: workspace_corpus must be a path or a list of paths")
    paths = [(path.parent / c).resolve() for c in corpus]
    for given, resolved in zip(corpus, paths, strict=True):
        if not resolved.exists():
            raise InvalidInput(f"dataset {path}: workspace_corpus {given} does not exist")
    return GradingDataset(str(raw.get("name") or path.stem), path, items, paths, unknown)


# -- fit/check split ---------------------------------------------------------------------------
def stratum(item: GradingItem) -> str:
    """What a split keeps balanced: the item's first flag, or its score band when unflagged."""
    if item.expected_flags:
        return item.expected_flags[0]
    return "high" if item.expected_score >= 3 else "low"


def assign_grading_split(items: list[GradingItem]) -> dict[str, list[str]]:
    """Per stratum, items ordered by a hash of their id; every third goes to ``check``."""
    split: dict[str, list[str]] = {"fit": [], "check": []}
    for kind in sorted({stratum(i) for i in items}):
        ordered = sorted((i for i in items if stratum(i) == kind), key=lambda i: split_rank(i.id))
        for n, item in enumerate(ordered):
            split["check" if n % CHECK_SHARE == CHECK_SHARE - 1 else "fit"].append(item.id)
    return {k: sorted(v) for k, v in split.items()}


def grading_split_path(dataset: GradingDataset) -> Path:
    return SPLITS_DIR / f"{dataset.path.stem}.yaml"


def write_grading_split(dataset: GradingDataset) -> Path:
    path = grading_split_path(dataset)
    body = yaml.safe_dump(assign_grading_split(dataset.items), sort_keys=True)
    path.write_text(f"# fit/check split of {dataset.path.name} ({dataset.name})\n{body}", encoding="utf-8")
    return path


def select_grading_part(dataset: GradingDataset, part: str) -> GradingDataset:
    """The dataset restricted to its committed fit or check part; unlisted items are refused."""
    if part == "all":
        return dataset
    path = grading_split_path(dataset)
    if not path.exists():
        raise InvalidInput(f"no fit/check split for {dataset.path.name}: expected {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), list) for k in ("fit", "check")):
        raise InvalidInput(f"split file {path}: expected lists 'fit' and 'check'")
    listed = {str(i) for i in raw["fit"]} | {str(i) for i in raw["check"]}
    unlisted = [i.id for i in dataset.items if i.id not in listed]
    if unlisted:
        raise InvalidInput(f"{len(unlisted)} items of {dataset.path.name} are in neither part of {path.name}")
    keep = {str(i) for i in raw[part]}
    items = [i for i in dataset.items if i.id in keep]
    return GradingDataset(f"{dataset.name} [{part}]", dataset.path, items, dataset.corpus, dataset.unknown_keys)


# -- per-item rows and pure metrics ---------------------------------------------------------
@dataclass(slots=True)
class GradingRow:
    id: str
    question_id: str
    answer: str
    expected_score: int
    score: int | None
    expected_flags: list[str]
    flags: list[str]
    kind: str = AnswerKind.ANSWER.value
    role: str | None = None
    contradictions: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)
    covered: int = 0
    points: int = 0
    checked: int = 0  # stated facts the documents confirm


def flags_of(assessment: Assessment) -> list[str]:
    """The dataset flags an assessment raises, in the dataset's order."""
    raised = {
        "contradiction": bool(assessment.contradictions),
        "red_flag": bool(assessment.red_flags),
        "off_topic": assessment.kind is AnswerKind.OFF_TOPIC,
        "dont_know": assessment.kind is AnswerKind.UNKNOWN,
    }
    return [f for f in FLAGS if raised[f]]


def score_difference(row: GradingRow) -> int | None:
    """Grader minus auditor; None when the grader gave no score (a skip or a foreign-language reply)."""
    return None if row.score is None else row.score - row.expected_score


def exact_agreement(rows: Sequence[GradingRow]) -> float | None:
    """Share of answers the grader scored exactly as the auditor; no score counts as disagreement."""
    if not rows:
        return None
    return sum(score_difference(r) == 0 for r in rows) / len(rows)


def within_one_agreement(rows: Sequence[GradingRow]) -> float | None:
    """Share of answers scored within one point of the auditor; no score counts as disagreement."""
    if not rows:
        return None
    return sum((d := score_difference(r)) is not None and abs(d) <= 1 for r in rows) / len(rows)


def mean_absolute_error(rows: Sequence[GradingRow]) -> float | None:
    diffs = [abs(d) for r in rows if (d := score_difference(r)) is not None]
    return sum(diffs) / len(diffs) if diffs else None


def mean_bias(rows: Sequence[GradingRow]) -> float | None:
    """Positive when the grader is more lenient than the auditor."""
    diffs = [d for r in rows if (d := score_difference(r)) is not None]
    return sum(diffs) / len(diffs) if diffs else None


def flag_precision(rows: Sequence[GradingRow], flag: str) -> float | None:
    """Of the answers the grader flagged, the share the auditor flagged too; None if it flagged none."""
    raised = [r for r in rows if flag in r.flags]
    if not raised:
        return None
    return sum(flag in r.expected_flags for r in raised) / len(raised)


def flag_recall(rows: Sequence[GradingRow], flag: str) -> float | None:
    """Of the answers the auditor flagged, the share the grader flagged; None if the auditor flagged none."""
    wanted = [r for r in rows if flag in r.expected_flags]
    if not wanted:
        return None
    return sum(flag in r.flags for r in wanted) / len(wanted)


def confusion(rows: Sequence[GradingRow]) -> list[list[int]]:
    """5x5 counts: row = auditor score, column = grader score (unscored answers are left out)."""
    matrix = [[0] * 5 for _ in range(5)]
    for r in rows:
        if r.score is not None:
            matrix[r.expected_score][r.score] += 1
    return matrix


def summarize(rows: Sequence[GradingRow]) -> dict[str, float | None]:
    out: dict[str, float | None] = {
        "items": float(len(rows)),
        "exact": exact_agreement(rows),
        "within_one": within_one_agreement(rows),
        "mean_abs_error": mean_absolute_error(rows),
        "bias": mean_bias(rows),
    }
    for flag in FLAGS:
        out[f"{flag}_precision"] = flag_precision(rows, flag)
        out[f"{flag}_recall"] = flag_recall(rows, flag)
    return out


def check_floors(metrics: dict[str, float | None]) -> list[str]:
    """Floors the grader must meet; an undefined figure (nothing flagged at all) fails too."""
    failures = []
    for key, floor in FLOORS.items():
        value = metrics.get(key)
        if value is None:
            failures.append(f"{key} is undefined (the grader raised nothing to measure) and must be >= {floor}")
        elif value < floor:
            failures.append(f"{key} = {value:.3f} is below the floor {floor}")
    return failures


def disagreements(rows: Sequence[GradingRow], n: int = 10) -> list[GradingRow]:
    """Rows where score or flags differ, the largest score gaps first."""

    def gap(r: GradingRow) -> tuple[int, int]:
        d = score_difference(r)
        return (5 if d is None else abs(d), len(set(r.flags) ^ set(r.expected_flags)))

    differing = [r for r in rows if score_difference(r) != 0 or set(r.flags) != set(r.expected_flags)]
    return sorted(differing, key=gap, reverse=True)[:n]


@dataclass(slots=True)
class GradingReport:
    dataset: str
    workspace: str
    metrics: dict[str, float | None]
    rows: list[GradingRow]
    floor_failures: list[str]
    unknown_keys: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["confusion"] = confusion(self.rows)
        return data


# -- running -----------------------------------------------------------------------------------
def run_grading(
    assistant: Assistant, dataset: GradingDataset, workspace: str, progress: Progress | None = None
) -> GradingReport:
    """Grade every answer on ``workspace`` with the live interview grader and compare."""
    service = assistant.interviews
    collection = workspace_collection(workspace)
    if not assistant.manifest.list(collection):
        raise InvalidInput(f"workspace {workspace!r} holds no documents; ingest the organization's documents first")
    for item in dataset.items:
        try:
            service.bank.get(item.question_id)
        except KnowledgeError:
            raise InvalidInput(
                f"dataset {dataset.path}: item {item.id}: field 'question_id': {item.question_id} is not in the bank"
            ) from None
    rows: list[GradingRow] = []
    for index, item in enumerate(dataset.items):
        if progress:
            progress(index, len(dataset.items), item.id)
        assessment = service.assess_answer(workspace, item.question_id, item.answer)
        rows.append(_row(item, assessment))
    if progress:
        progress(len(dataset.items), len(dataset.items), "done")
    metrics = summarize(rows)
    return GradingReport(dataset.name, workspace, metrics, rows, check_floors(metrics), dataset.unknown_keys)


def _row(item: GradingItem, assessment: Assessment) -> GradingRow:
    contradictions = [
        f"{c.kind}: says {c.answer_says}, document says {c.document_says}" for c in assessment.contradictions
    ]
    return GradingRow(
        id=item.id,
        question_id=item.question_id,
        answer=item.answer,
        expected_score=item.expected_score,
        score=assessment.score,
        expected_flags=list(item.expected_flags),
        flags=flags_of(assessment),
        kind=assessment.kind.value,
        role=item.role,
        contradictions=contradictions,
        red_flags=list(assessment.red_flags),
        covered=len(assessment.covered_points),
        points=len(assessment.covered_points) + len(assessment.missing_points),
        checked=len(assessment.checked_facts),
    )


@contextmanager
def throwaway_workspace(assistant: Assistant, dataset: GradingDataset, corpus: Path | None = None) -> Iterator[str]:
    """Ingest the dataset's organization documents into a temporary workspace, dropped afterwards."""
    paths = [corpus] if corpus else dataset.corpus
    if not paths:
        raise InvalidInput(f"dataset {dataset.path}: give --workspace or a workspace_corpus to ingest")
    workspace = "eval-" + "".join(c if c.isalnum() else "-" for c in dataset.name.lower()).strip("-")[:40]
    report = assistant.pipeline.ingest_paths(paths, workspace)
    try:
        if report.failed:
            bad = [f"{r.source}: {r.reason}" for r in report.results if r.reason]
            raise InvalidInput("the workspace corpus did not ingest cleanly: " + "; ".join(bad[:5]))
        yield workspace
    finally:
        assistant.pipeline.drop_workspace(workspace)


# -- presentation ------------------------------------------------------------------------------
SHOWN = (
    "exact",
    "within_one",
    "mean_abs_error",
    "bias",
    "contradiction_precision",
    "contradiction_recall",
    "red_flag_precision",
    "red_flag_recall",
    "off_topic_precision",
    "off_topic_recall",
    "dont_know_precision",
    "dont_know_recall",
)


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}" if value < 0 else f"{value:.3f}"


def summary_rows(report: GradingReport) -> list[tuple[str, str, str]]:
    """(metric, value, floor) for the terminal table and the Markdown report."""
    return [(k, fmt(report.metrics.get(k)), f">= {FLOORS[k]}" if k in FLOORS else "") for k in SHOWN]


def to_markdown(report: GradingReport, worst: int = 15) -> str:
    lines = [
        f"# Interview grading: {report.dataset}",
        "",
        f"Workspace `{report.workspace}`, {len(report.rows)} graded answers.",
        "",
        "| metric | value | floor |",
        "|---|---|---|",
        *[f"| {m} | {v} | {f} |" for m, v, f in summary_rows(report)],
        "",
        "## Scores (rows: auditor, columns: grader)",
        "",
        "| auditor \\ grader | 0 | 1 | 2 | 3 | 4 |",
        "|---|---|---|---|---|---|",
        *[f"| {i} | " + " | ".join(str(n) for n in row) + " |" for i, row in enumerate(confusion(report.rows))],
        "",
    ]
    if report.floor_failures:
        lines += ["## Floors failed", "", *[f"- {f}" for f in report.floor_failures], ""]
    lines += [
        "## Largest disagreements",
        "",
        "| id | question | auditor | grader | expected flags | grader flags | grader detail |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in disagreements(report.rows, worst):
        detail = (
            "; ".join(r.contradictions + [f"red flag: {f}" for f in r.red_flags]) or f"{r.covered}/{r.points} points"
        )
        lines.append(
            f"| {r.id} | {r.question_id} | {r.expected_score} | {'–' if r.score is None else r.score} | "
            f"{', '.join(r.expected_flags) or '–'} | {', '.join(r.flags) or '–'} | {detail.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"
