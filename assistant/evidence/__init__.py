"""The evidence judge's building blocks: answer units, their features and the fitted
selector that ranks them. Answering, readiness and interviews share them."""

from assistant.evidence.features import FEATURES, unit_features
from assistant.evidence.question import QuestionProfile, profile_question
from assistant.evidence.rules import (
    AnswerTypes,
    QuestionCues,
    StatementCues,
    load_answer_types,
    load_question_cues,
    load_statement_cues,
)
from assistant.evidence.selector import ScoredUnit, UnitSelector
from assistant.evidence.units import AnswerUnit, UnitKind, units_of

__all__ = [
    "FEATURES",
    "AnswerTypes",
    "QuestionCues",
    "AnswerUnit",
    "QuestionProfile",
    "ScoredUnit",
    "StatementCues",
    "UnitKind",
    "UnitSelector",
    "load_answer_types",
    "load_question_cues",
    "load_statement_cues",
    "profile_question",
    "unit_features",
    "units_of",
]
