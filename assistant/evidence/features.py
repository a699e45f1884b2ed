"""General features of a (question, answer unit) pair.

Each feature means the same for an organization nobody here has seen: similarity, shared
terms, whether the unit states the kind of value asked for, whether it comes from the
document the question names. The selector's weights over them are fitted, not typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from assistant.evidence.question import MIN_FUZZY, QuestionProfile, fuzzy_index, fuzzy_present, name_terms
from assistant.evidence.rules import AnswerTypes
from assistant.evidence.units import AnswerUnit, UnitKind
from assistant.models import Origin
from assistant.text import content_terms

FEATURES: tuple[str, ...] = (
    "dense",
    "dense_gap",
    "term_share",
    "idf_share",
    "identifier_share",
    "section_share",
    "type_match",
    "type_miss",
    "passage_rank",
    "passage_sim",
    "scope_match",
    "scope_miss",
    "standard_origin",
    "log_words",
    "table_row",
    "list_item",
    "position",
    "asked_idf_share",
)


def _share(terms: Sequence[str], vocabulary: set[str], weights: dict[str, float] | None = None) -> float:
    if not terms:
        return 0.0
    w = weights or {}
    total = sum(w.get(t, 1.0) for t in terms)
    index: dict[str, set[str]] | None = None  # built only when a term is not there as written
    got = 0
    for t in terms:
        if t not in vocabulary:
            if len(t) < MIN_FUZZY:
                continue
            index = fuzzy_index(vocabulary) if index is None else index
            if not fuzzy_present(t, vocabulary, index):
                continue
        got += w.get(t, 1.0)
    return got / total if total else 0.0


_IDENTIFIER = re.compile(r"\b(?=[\w.-]*\d)[\w.-]{2,12}\b|\b[A-Z]{2,6}s?\b")


def identifiers(text: str) -> set[str]:
    """Tokens that name one thing exactly: with a digit ("P1", "C3", "8.5.1") or in capitals ("RPO")."""
    return {t.lower().rstrip("s") if t.isupper() else t.lower() for t in _IDENTIFIER.findall(text)}


def unit_features(
    profile: QuestionProfile,
    units: Sequence[AnswerUnit],
    similarities: np.ndarray,
    passage_ranks: Sequence[int],
    answer_types: AnswerTypes,
) -> np.ndarray:
    """One row of ``FEATURES`` per unit; ``similarities`` are question-unit cosines and
    ``passage_ranks`` each unit's passage rank within its origin (0 = best)."""
    n = len(units)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    vocabularies = [set(content_terms(u.context_text)) for u in units]
    df: dict[str, int] = {}
    for vocab in vocabularies:
        for t in vocab:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in profile.terms}
    best = float(similarities.max()) if n else 0.0
    scope = sorted(profile.scope)
    # words that name a document say which document, not which of its sentences: the
    # "asked" shares count only the other words of the question
    asked = [t for t in profile.terms if t not in profile.scope] or list(profile.terms)
    asked_ids = identifiers(profile.text)
    for i, unit in enumerate(units):
        p = unit.passage
        stated = answer_types.stated(unit.text)
        section_vocab = set(content_terms(p.section.replace("›", " "))) | set(content_terms(p.title))
        doc_names = name_terms(p.source, p.title)
        scope_hits = _share(scope, doc_names) if scope else 1.0
        out[i] = (
            similarities[i],
            similarities[i] - best,
            _share(profile.terms, vocabularies[i]),
            _share(profile.terms, vocabularies[i], idf),
            len(asked_ids & identifiers(unit.context_text)) / len(asked_ids) if asked_ids else 0.0,
            _share(profile.terms, section_vocab),
            1.0 if profile.asks & stated else 0.0,
            1.0 if profile.asks and not (profile.asks & stated) else 0.0,
            1.0 / (1.0 + passage_ranks[i]),
            p.similarity,
            scope_hits,
            1.0 if scope and scope_hits == 0.0 else 0.0,
            1.0 if p.origin is Origin.STANDARD else 0.0,
            math.log1p(unit.words),
            1.0 if unit.kind is UnitKind.TABLE_ROW else 0.0,
            1.0 if unit.kind is UnitKind.LIST_ITEM else 0.0,
            1.0 / (1.0 + unit.position),
            _share(asked, vocabularies[i], idf),
        )
    return out
