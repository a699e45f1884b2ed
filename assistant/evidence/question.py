"""What a question asks for, computed once per question: its terms, the kind of answer it
wants and the names that scope it to some documents."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.evidence.rules import AnswerTypes
from assistant.text import content_terms

_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
MIN_FUZZY = 5  # shorter words are matched exactly: one edit turns "sla" into "ola"


@lru_cache(maxsize=65536)
def variants(term: str) -> frozenset[str]:
    """The term and its one-deletion variants: two words within one edit share one."""
    if len(term) < MIN_FUZZY:
        return frozenset((term,))
    return frozenset({term} | {term[:i] + term[i + 1 :] for i in range(len(term))})


def fuzzy_present(term: str, vocabulary: set[str], fuzzy: dict[str, set[str]]) -> bool:
    """The term, or a word one typo away from it, is in the vocabulary."""
    if term in vocabulary:
        return True
    if len(term) < MIN_FUZZY:
        return False
    return any(v in fuzzy for v in variants(term))


def fuzzy_index(terms: Iterable[str]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for t in terms:
        if len(t) >= MIN_FUZZY:
            for v in variants(t):
                index.setdefault(v, set()).add(t)
    return index


def name_terms(*names: str) -> set[str]:
    """Terms of a document's file name and title ("acme_change-management.md")."""
    out: set[str] = set()
    for name in names:
        base = name.rsplit("/", 1)[-1]
        base = base.rsplit(".", 1)[0] if "." in base[-6:] else base
        out |= set(content_terms(" ".join(_NAME_SPLIT.split(base.lower()))))
    return out


class DocumentNames:
    """The name terms of a workspace's documents, indexed once per manifest state: how many
    documents a term (or a word one typo away from it) names is then a few dictionary
    lookups, not a fuzzy index rebuilt per document and per term on every question, which
    at a few hundred documents was most of an ask's time."""

    def __init__(self, names: Iterable[set[str]]) -> None:
        self._count = 0
        self._exact: dict[str, set[int]] = {}
        self._fuzzy: dict[str, set[int]] = {}
        for i, terms in enumerate(n for n in names if n):
            self._count += 1
            for t in terms:
                self._exact.setdefault(t, set()).add(i)
                if len(t) >= MIN_FUZZY:
                    for v in variants(t):
                        self._fuzzy.setdefault(v, set()).add(i)

    def __len__(self) -> int:
        return self._count

    def holders(self, term: str) -> int:
        """How many documents' names hold the term, as ``fuzzy_present`` decides it."""
        found = set(self._exact.get(term, ()))
        if len(term) >= MIN_FUZZY:
            for v in variants(term):
                found |= self._fuzzy.get(v, set())
        return len(found)


@dataclass(frozen=True, slots=True)
class QuestionProfile:
    text: str
    terms: tuple[str, ...]  # stemmed content terms, each once, in order
    asks: frozenset[str]  # answer types asked for: duration, person, ...
    scope: frozenset[str]  # terms naming some of the workspace's documents but not all


def profile_question(
    question: str, answer_types: AnswerTypes, document_names: Iterable[set[str]] | DocumentNames
) -> QuestionProfile:
    """``document_names``: the name terms of each document the question could be answered
    from (a ``DocumentNames`` a caller keeps across questions, or the sets themselves)."""
    terms = tuple(dict.fromkeys(content_terms(question)))
    names = document_names if isinstance(document_names, DocumentNames) else DocumentNames(document_names)
    scope: set[str] = set()
    if len(names) > 1:
        for t in terms:
            if 0 < names.holders(t) < len(names):
                scope.add(t)
    return QuestionProfile(question, terms, answer_types.asked(question), frozenset(scope))
