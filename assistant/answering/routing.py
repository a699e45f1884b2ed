"""Question routing by fitted models, not phrase rules: which kind of answer a question
wants (a fact, an evidence verdict, a clause explanation, a certification answer) and,
for an evidence question, whether it compares statements (consistency) or asks whether
something is covered (gap).

The intent model reads a handful of general features: how near the question's embedding
is to the typical question of each intent (prototypes fitted from labelled questions),
where its nearest passages are (the workspace, a clause entry, certification guidance),
the grammar of the question (yes/no or wh-, first person, a clause number, a document of
the workspace named) and two vocabularies kept as data (`knowledge/rules/question_cues.yaml`).
Weights and prototypes are fitted by ``auditprep calibrate`` on the datasets' fit parts.
One explicit override remains: readiness questions have no labelled items to learn from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.calibration import Calibration, LinearModel
from assistant.evidence.rules import QuestionCues
from assistant.models import Intent

# the grammar of a question, not its subject: these hold for any organization's wording
_AUX = r"(?:do|does|did|is|are|was|were|has|have|had|can|could|would|will|should|may|might|must)"
# a yes/no question, also after a leading clause ("once a change is in, does anyone ...?")
_YES_NO_START = re.compile(rf"^\W*{_AUX}\b|^[^,?]{{3,90}},\s*{_AUX}\b", re.I)
# a question about something that happened ("did this year's audit cover ...?")
_PAST_START = re.compile(r"^\W*(?:did|has|have|was|were)\b", re.I)
_WH_START = re.compile(r"^\W*(?:who|whom|whose|what|what's|when|where|which|why|how)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|our|ours|us|we've|we're)\b", re.I)

SIDE_FEATURES: tuple[str, ...] = (
    "yes_no_start",
    "past_start",
    "wh_start",
    "first_person",
    "names_clause",
    "names_document",
    "best_workspace",
    "best_clause_entry",
    "best_guidance",
    "certification_cue",
    "comparison_cue",
)
COMPARISON_FEATURES: tuple[str, ...] = ("comparison_cue",)
KIND_INTENT = {
    "lookup": Intent.GENERAL,
    "gap": Intent.EVIDENCE,
    "consistency": Intent.EVIDENCE,
    "clause": Intent.CLAUSE,
    "process": Intent.PROCESS,
}


def labelled_intent(kind: str, answered_from_workspace: bool) -> Intent | None:
    """The intent a labelled question should be routed to. A "process" question answered
    from the organization's own documents ("how do we run a major incident?") asks how
    their process works, a fact lookup; answered from the knowledge base it asks about
    the certification process. A "clause" question answered from the organization's
    documents ("how does the asset management clause apply to us?") asks what they hold
    for the clause, an evidence check; answered from the knowledge base, what it requires."""
    if kind == "process" and answered_from_workspace:
        return Intent.GENERAL
    if kind == "clause" and answered_from_workspace:
        return Intent.EVIDENCE
    return KIND_INTENT.get(kind)


def about_us(question: str) -> bool:
    """The question speaks of the organization itself ("we", "our", "us")."""
    return bool(_FIRST_PERSON.search(question))


@dataclass(frozen=True, slots=True)
class QuestionSignals:
    """Everything routing reads of a question, before any fitted weight."""

    vector: np.ndarray
    side: np.ndarray  # SIDE_FEATURES, in order


def question_signals(
    question: str,
    vector: np.ndarray,
    cues: QuestionCues,
    *,
    names_clause: bool,
    names_document: bool,
    nearest: tuple[float, float, float],
) -> QuestionSignals:
    """``nearest``: the best similarity of a workspace passage, a clause entry and a
    guidance passage to the question."""
    side = [
        bool(_YES_NO_START.search(question)),
        bool(_PAST_START.search(question)),
        bool(_WH_START.search(question)),
        about_us(question),
        names_clause,
        names_document,
        *nearest,
        bool(cues.certification.search(question)),
        bool(cues.comparison.search(question)),
    ]
    return QuestionSignals(np.asarray(vector, dtype=np.float64), np.asarray(side, dtype=np.float64))


def prototype_features(signals: QuestionSignals, prototypes: dict[str, list[float]]) -> np.ndarray:
    """Similarity to each intent's prototype (in sorted intent order), then the side features."""
    sims = [float(signals.vector @ np.asarray(prototypes[k])) for k in sorted(prototypes)]
    return np.concatenate([np.asarray(sims), signals.side])


def intent_feature_names(prototypes: Sequence[str]) -> list[str]:
    return [f"prototype_{k}" for k in sorted(prototypes)] + list(SIDE_FEATURES)


def comparison_features(signals: QuestionSignals) -> np.ndarray:
    return signals.side[[SIDE_FEATURES.index(f) for f in COMPARISON_FEATURES]]


@dataclass(frozen=True, slots=True)
class Route:
    intent: Intent
    comparison: bool  # an evidence question that compares statements (consistency)


class IntentRouter:
    """The fitted routing models; without them (while the calibration itself is being
    fitted) every question is a fact lookup."""

    def __init__(self, cues: QuestionCues, calibration: Calibration | None) -> None:
        self._cues = cues
        self._intent: LinearModel | None = calibration.intent if calibration else None
        self._prototypes = calibration.intent_prototypes if calibration else None
        self._comparison: LinearModel | None = calibration.comparison if calibration else None

    def route(self, question: str, signals: QuestionSignals) -> Route:
        if self._cues.readiness.search(question):
            return Route(Intent.READINESS, False)
        if self._intent is None or not self._prototypes:
            return Route(Intent.GENERAL, False)
        intent = Intent(self._intent.predict(prototype_features(signals, self._prototypes))[0])
        comparison = bool(
            intent is Intent.EVIDENCE
            and self._comparison is not None
            and self._comparison.predict(comparison_features(signals))[0] == "1"
        )
        return Route(intent, comparison)
