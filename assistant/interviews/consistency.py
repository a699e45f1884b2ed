"""Contradictions between an answer and the organization's documents.

A fact in the answer contradicts the documents only when a document states the same kind
of fact about the same subject with another value, and no document statement about that
subject agrees with it. Procedures repeat numbers for different steps (five days' notice,
one day to review), so the nearest statement carrying some other value is not enough."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.interviews.facts import Fact, agree, extract, statements
from assistant.models import Passage
from assistant.ports import Embedder
from assistant.text import content_terms

SAME_SUBJECT = 0.55
MARGIN = 0.08
QUALIFIER_GAP = 0.1
_GENERIC = frozenset(content_terms("we our it they has have get gets got need needs within least about every usual"))


@dataclass(frozen=True, slots=True)
class Conflict:
    """An answer fact, the document fact it contradicts, and the passage stating it."""

    said: Fact
    documented: Fact
    passage: Passage
    subject: float


def _terms(fact: Fact) -> set[str]:
    return {t for t in fact.terms if not any(ch.isdigit() for ch in t)} - _GENERIC


def _overlap(a: Fact, d: Fact) -> float:
    ta, td = _terms(a), _terms(d)
    return len(ta & td) / len(ta) if ta else 0.0


def find_conflicts(embedder: Embedder, answer: str, passages: list[Passage]) -> list[Conflict]:
    said = [f for s in statements(answer) for f in extract(s)]
    if not said:
        return []
    kinds = {f.kind for f in said}
    documented = [(f, p) for p in passages for s in statements(p.text) for f in extract(s) if f.kind in kinds]
    if not documented:
        return []
    texts = list(dict.fromkeys([f.local for f in said] + [f.local for f, _ in documented]))
    texts += [t for t in dict.fromkeys([f.statement for f in said] + [f.statement for f, _ in documented])]
    texts = list(dict.fromkeys(texts))
    index = {t: i for i, t in enumerate(texts)}
    vectors = embedder.embed_documents(texts)
    found: list[Conflict] = []
    for a in said:
        best_agree, best_conflict = -1.0, None
        for d, passage in documented:
            if d.kind != a.kind or (a.qualifier and d.qualifier and a.qualifier != d.qualifier):
                continue
            subject = subject_score(a, d, vectors, index)
            if agree(a, d):
                best_agree = max(best_agree, subject)
            elif best_conflict is None or subject > best_conflict.subject:
                best_conflict = Conflict(a, d, passage, subject)
        if best_conflict and best_conflict.subject >= SAME_SUBJECT and best_conflict.subject > best_agree + MARGIN:
            found.append(best_conflict)
    return found


def subject_score(a: Fact, d: Fact, vectors: np.ndarray, index: dict[str, int]) -> float:
    """How surely two facts talk about the same thing: the clauses' meaning, the
    statements' meaning and the clause words they share."""
    local = float(vectors[index[a.local]] @ vectors[index[d.local]])
    whole = float(vectors[index[a.statement]] @ vectors[index[d.statement]])
    score = 0.4 * local + 0.3 * whole + 0.3 * _overlap(a, d)
    return score - QUALIFIER_GAP if bool(a.qualifier) != bool(d.qualifier) else score
