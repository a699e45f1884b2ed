"""Whether the best units answer what was asked, or only share its names.

"Which version of Forecaster does Acme run?" retrieves every sentence about Forecaster, and a
bi-encoder scores them high because of the shared name. With the names the question uses
masked on both sides, what is left — "which version of … does … run" — is compared with
what each unit says. That similarity, the selector's own confidence and whether the units
state the kind of value asked for are the features of a fitted abstention model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.evidence.features import FEATURES
from assistant.evidence.question import QuestionProfile, fuzzy_index, fuzzy_present
from assistant.evidence.selector import ScoredUnit, UnitVectors
from assistant.text import content_terms

ABSTAIN_FEATURES: tuple[str, ...] = (
    "top_probability",
    "second_probability",
    "top_dense",
    "masked_dense",
    "type_match_top3",
    "asks_type",
    "top_idf_share",
    "scope_named",
    "asked_thing_share",
    "asked_type_absent",
)
TOP_UNITS = 3  # units whose masked similarity is checked
_NAME = re.compile(r"(?<=\s)([A-Z][\w'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w'’-]*)*)")
_WORD = re.compile(r"[\w'’-]+")
_ACRONYM = re.compile(r"[A-Z0-9]{2,6}s?")


_ASKED_THING = re.compile(
    r"\b(?:what|which)\s+((?:[\w'’-]+\s+){0,3}?)(?=(?:do|does|did|is|are|was|were|can|could|will|would|should|"
    r"must|has|have|of|for|in|on|at|to)\b)",
    re.I,
)


def asked_thing(question: str) -> list[str]:
    """The words of the thing a which/what question asks for ("which *pricing plan* does …",
    "what *service credit* do …"): an answer has to name it."""
    m = _ASKED_THING.search(question)
    return content_terms(m.group(1)) if m else []


def question_names(profile: QuestionProfile) -> list[str]:
    """Capitalised words after the first, and the words naming documents: what to mask.
    Acronyms stay ("SLA", "RPO", "CAB"): they name what is asked about, not who."""
    text = profile.text.strip()
    names = {m.group(1) for m in _NAME.finditer(" " + text[1:])}
    lowered = {w for w in _WORD.findall(text) if any(w.lower().startswith(s[:5]) for s in profile.scope)}
    return sorted((n for n in names | lowered if not _ACRONYM.fullmatch(n)), key=len, reverse=True)


def mask(text: str, names: Sequence[str]) -> str:
    for name in names:
        base = re.sub(r"['’]s?$", "", name)
        text = re.sub(r"\b" + re.escape(base) + r"(?:['’]s?)?\b", " ", text, flags=re.I)
    return " ".join(text.split())


def abstention_features(
    profile: QuestionProfile, scored: Sequence[ScoredUnit], vectors: UnitVectors, question_vector: np.ndarray
) -> np.ndarray:
    """One row of ``ABSTAIN_FEATURES`` for the question and its ranked units."""
    thing = asked_thing(profile.text)
    if not scored:
        asks = 1.0 if profile.asks else 0.0
        return np.array([0.0, 0.0, 0.0, 0.0, 0.0, asks, 0.0, 0.0, 0.0 if thing else 1.0, asks])
    top = scored[:TOP_UNITS]
    names = question_names(profile)
    masked_q = mask(profile.text, names) or profile.text
    texts = [masked_q] + [mask(s.unit.text, names) or s.unit.text for s in top]
    v = vectors(texts)
    masked = float(np.max(v[1:] @ v[0]))
    dense = FEATURES.index("dense")
    match = FEATURES.index("type_match")
    idf = FEATURES.index("idf_share")
    scope = FEATURES.index("scope_match")
    type_match = max(float(s.features[match]) for s in top)
    return np.array(
        [
            scored[0].probability,
            scored[1].probability if len(scored) > 1 else 0.0,
            float(scored[0].features[dense]),
            masked,
            type_match,
            1.0 if profile.asks else 0.0,
            float(scored[0].features[idf]),
            float(scored[0].features[scope]) if profile.scope else 1.0,
            _thing_share(thing, top),
            1.0 if profile.asks and type_match == 0.0 else 0.0,
        ]
    )


def _thing_share(thing: list[str], top: Sequence[ScoredUnit]) -> float:
    """The largest share of the asked-for thing's words that one of the best units names
    (1 when the question asks for no particular thing)."""
    if not thing:
        return 1.0
    best = 0.0
    for s in top:
        vocabulary = set(content_terms(s.unit.context_text))
        index = fuzzy_index(vocabulary)
        best = max(best, sum(fuzzy_present(t, vocabulary, index) for t in thing) / len(thing))
    return best
