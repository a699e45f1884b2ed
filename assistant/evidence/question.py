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
    """Terms of a document's file name and title ("gitlab_change-management.md")."""
    out: set[str] = set()
    for name in names:
        base = name.rsplit("/", 1)[-1]
        base = base.rsplit(".", 1)[0] if "." in base[-6:] else base
        out |= set(content_terms(" ".join(_NAME_SPLIT.split(base.lower()))))
    return out


@dataclass(frozen=True, slots=True)
class QuestionProfile:
    text: str
    terms: tuple[str, ...]  # stemmed content terms, each once, in order
    asks: frozenset[str]  # answer types asked for: duration, person, ...
    scope: frozenset[str]  # terms naming some of the workspace's documents but not all


def profile_question(question: str, answer_types: AnswerTypes, document_names: Iterable[set[str]]) -> QuestionProfile:
    """``document_names``: the name terms of each document the question could be answered from."""
    terms = tuple(dict.fromkeys(content_terms(question)))
    names = [n for n in document_names if n]
    scope: set[str] = set()
    if len(names) > 1:
        for t in terms:
            holders = sum(1 for n in names if fuzzy_present(t, n, fuzzy_index(n)))
            if 0 < holders < len(names):
                scope.add(t)
    return QuestionProfile(question, terms, answer_types.asked(question), frozenset(scope))
