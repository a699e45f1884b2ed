"""The fitted parameters every decision reads: one small versioned JSON file under
``knowledge/``, written by ``auditprep calibrate`` and loaded once at start-up.

Nothing in the decision layer types a similarity cut-off or a weight: they are fitted on
labelled data (fit parts only) and live here, next to the name of the embedder they were
fitted with, so a reviewer can re-run the fit and get the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import KnowledgeError
from assistant.knowledge_files import read_validated

CALIBRATION_VERSION = 1
CALIBRATION_FILE = "calibration.json"


class LinearModel(BaseModel):
    """A standardised logistic (or multinomial) model: ``softmax(((x - mean) / scale) @ coef.T + intercept)``."""

    model_config = ConfigDict(frozen=True)

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[list[float]]  # one row per class (one row for a binary model)
    intercept: list[float]
    classes: list[str] = Field(default_factory=lambda: ["0", "1"])

    def _z(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        if x.shape[1] != len(self.features):
            raise ValueError(f"expected {len(self.features)} features, got {x.shape[1]}")
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.coef).T + np.asarray(self.intercept)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Probability of the positive class, one per row (binary models)."""
        logits = self._z(x)[:, 0]
        return 1.0 / (1.0 + np.exp(-logits))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per input row (multinomial models)."""
        logits = self._z(x)
        if logits.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1 - p, p], axis=1)
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in np.argmax(self.probabilities(x), axis=1)]


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)

    answer: float  # the best unit's probability below which a lookup abstains
    support: float  # a further unit is quoted when its probability reaches this
    evidence: float  # a unit at or above this evidences what it is scored against
    abstain: float = 1.0  # the abstention model's probability at or above which a lookup abstains


class InterviewCalibration(BaseModel):
    """The interview grader's fitted decisions (evals/calibrate_interviews.py, graded answers).

    A point is covered when its best answer sentence's similarity plus ``term_weight`` times
    the share of the point's words the answer uses reaches ``point``, or when the answer comes
    within ``bridge`` of the organization's own sentence for the point. An on-topic answer's
    value is its covered share plus ``fact_weight`` per fact the documents confirm (at most
    two); it scores 1 plus one per cut it reaches. A contradiction caps the score at
    ``contradiction_cap``; admitted nonconforming practice at ``red_flag_cap`` (at most 1).
    """

    model_config = ConfigDict(frozen=True)

    point: float
    term_weight: float
    bridge: float = 2.0  # through the organization's words (signals.point_bridge); above 1 = unused
    fact_weight: float
    cuts: list[float]  # three, ascending: the value at which a score reaches 2, 3 and 4
    contradiction_cap: int
    red_flag_cap: int
    off_topic: float  # question-answer similarity below which an answer covering nothing is off topic
    same_subject: float  # a document fact is about the same thing as an answer fact from this subject score
    fact_margin: float  # a conflict must beat the closest agreeing statement by this much
    red_flag: LinearModel  # admitted nonconforming practice, from assistant.interviews.signals
    red_flag_threshold: float
    fitted_on: dict[str, int] = Field(default_factory=dict)


class Calibration(BaseModel):
    """Everything fitted, as loaded; frozen so no code path can tune it at run time."""

    model_config = ConfigDict(frozen=True)

    version: int
    embedder: str
    fitted_on: dict[str, int]  # dataset part -> items used
    selector: LinearModel
    thresholds: Thresholds
    abstention: LinearModel | None = None
    gap_verdict: LinearModel | None = None  # covered / partial / not_covered
    consistency_verdict: LinearModel | None = None  # consistent / inconsistent
    intent: LinearModel | None = None  # the question's intent (answering.routing)
    intent_prototypes: dict[str, list[float]] | None = None  # intent -> unit vector of its typical question
    comparison: LinearModel | None = None  # an evidence question compares statements ("1") or not
    interview: InterviewCalibration | None = None  # the interview grader (points, score, red flags)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), indent=1, sort_keys=True) + "\n"


def calibration_path(knowledge_dir: Path) -> Path:
    return knowledge_dir / CALIBRATION_FILE


def load_calibration(knowledge_dir: Path, embedder_name: str | None = None) -> Calibration:
    """The committed calibration; a clear error when it is missing, malformed, of another
    version, or fitted with a different embedder than the one serving."""
    path = calibration_path(knowledge_dir)
    calibration = read_validated(path, Calibration, "calibration file", ": run `auditprep calibrate`")
    if calibration.version != CALIBRATION_VERSION:
        raise KnowledgeError(
            f"calibration file {path} has version {calibration.version}; this release reads "
            f"version {CALIBRATION_VERSION}: run `auditprep calibrate`"
        )
    if embedder_name and calibration.embedder != embedder_name:
        raise KnowledgeError(
            f"calibration file {path} was fitted with the embedder {calibration.embedder!r}, but "
            f"{embedder_name!r} is configured: run `auditprep calibrate` with this embedder"
        )
    return calibration
