"""Contradictions between an answer and the organization's documents.

A fact in the answer contradicts the documents only when a document states the same kind
of fact about the same subject with another value, and no document statement about that
subject agrees with it; how alike two subjects must be is fitted (``InterviewCalibration``).
Procedures repeat numbers for different steps (five days' notice,
one day to review), so the nearest statement carrying some other value is not enough."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.interviews.facts import Fact, agree, extract, statements
from assistant.interviews.roles import RoleNames
from assistant.models import Passage
from assistant.ports import Embedder
from assistant.text import content_terms

QUALIFIER_GAP = 0.1
_GENERIC = frozenset(content_terms("we our it they has have get gets got need needs within least about every usual"))


@dataclass(frozen=True, slots=True)
class Conflict:
    """An answer fact, the document fact it is compared with, and the passage stating it."""

    said: Fact
    documented: Fact
    passage: Passage
    subject: float


def _terms(fact: Fact) -> set[str]:
    return {t for t in fact.terms if not any(ch.isdigit() for ch in t)} - _GENERIC


def _overlap(a: Fact, d: Fact) -> float:
    ta, td = _terms(a), _terms(d)
    return len(ta & td) / len(ta) if ta else 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """One answer fact with the nearest document fact of another value and the nearest
    one of the same value (each None when the documents state none of that kind)."""

    said: Fact
    conflict: Conflict | None
    agreement: Conflict | None


@dataclass(frozen=True, slots=True)
class FactCheck:
    """The answer's facts compared with the documents, before any threshold is applied."""

    comparisons: list[Comparison]

    def judge(self, same_subject: float, margin: float) -> tuple[list[Conflict], list[Conflict]]:
        """(contradicted, confirmed): a fact is contradicted when a document states another
        value about the same subject and no document statement about it agrees more
        closely; it is confirmed when a document states the same value about it."""
        conflicts: list[Conflict] = []
        confirmed: list[Conflict] = []
        for c in self.comparisons:
            agreeing = c.agreement.subject if c.agreement else -1.0
            if c.conflict and c.conflict.subject >= same_subject and c.conflict.subject > agreeing + margin:
                conflicts.append(c.conflict)
            elif c.agreement and c.agreement.subject >= same_subject:
                confirmed.append(c.agreement)
        return conflicts, confirmed


def check_facts(embedder: Embedder, answer: str, passages: list[Passage], roles: RoleNames) -> FactCheck:
    """The answer's facts, each with the nearest document facts of the same kind; roles are
    the generic ones plus those the passages define."""
    roles = roles.with_documents(p.text for p in passages)
    said = [f for s in statements(answer) for f in extract(s, roles)]
    if not said:
        return FactCheck([])
    kinds = {f.kind for f in said}
    documented = [(f, p) for p in passages for s in statements(p.text) for f in extract(s, roles) if f.kind in kinds]
    if not documented:
        return FactCheck([])
    texts = list(dict.fromkeys([f.local for f in said] + [f.local for f, _ in documented]))
    texts += [t for t in dict.fromkeys([f.statement for f in said] + [f.statement for f, _ in documented])]
    texts = list(dict.fromkeys(texts))
    index = {t: i for i, t in enumerate(texts)}
    vectors = embedder.embed_documents(texts)
    comparisons: list[Comparison] = []
    for a in said:
        best_agree: Conflict | None = None
        best_conflict: Conflict | None = None
        for d, passage in documented:
            if d.kind != a.kind or (a.qualifier and d.qualifier and a.qualifier != d.qualifier):
                continue
            subject = subject_score(a, d, vectors, index)
            if agree(a, d):
                if best_agree is None or subject > best_agree.subject:
                    best_agree = Conflict(a, d, passage, subject)
            elif best_conflict is None or subject > best_conflict.subject:
                best_conflict = Conflict(a, d, passage, subject)
        comparisons.append(Comparison(a, best_conflict, best_agree))
    return FactCheck(comparisons)


def subject_score(a: Fact, d: Fact, vectors: np.ndarray, index: dict[str, int]) -> float:
    """How surely two facts talk about the same thing: the clauses' meaning, the
    statements' meaning and the clause words they share."""
    local = float(vectors[index[a.local]] @ vectors[index[d.local]])
    whole = float(vectors[index[a.statement]] @ vectors[index[d.statement]])
    score = 0.4 * local + 0.3 * whole + 0.3 * _overlap(a, d)
    return score - QUALIFIER_GAP if bool(a.qualifier) != bool(d.qualifier) else score
