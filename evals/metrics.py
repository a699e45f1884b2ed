"""Metrics: small objects with pure scoring functions, unit-tested on hand-made answers.

Each takes what an answer produced and what the item expects, and returns a number in
[0, 1] (or a count), or None when the metric does not apply to the item.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

from assistant.adapters.fts_index import STOPWORDS

_MARKDOWN = re.compile(r"[*_`#>\[\]()|~]")


def _is_related(cited: str, expected: str) -> bool:
    """A cited child or parent of an expected clause counts as a match."""
    return cited == expected or cited.startswith(expected + ".") or expected.startswith(cited + ".")


def hit_at_k(ranked_sources: Sequence[str], expected: Iterable[str], k: int) -> float | None:
    wanted = set(expected)
    if not wanted:
        return None
    return 1.0 if any(s in wanted for s in ranked_sources[:k]) else 0.0


def reciprocal_rank(ranked_sources: Sequence[str], expected: Iterable[str]) -> float | None:
    wanted = set(expected)
    if not wanted:
        return None
    for rank, source in enumerate(ranked_sources, start=1):
        if source in wanted:
            return 1.0 / rank
    return 0.0


def clause_precision(cited: Sequence[str], expected: Sequence[str]) -> float | None:
    if not cited or not expected:
        return None
    return sum(any(_is_related(c, e) for e in expected) for c in set(cited)) / len(set(cited))


def clause_recall(cited: Sequence[str], expected: Sequence[str]) -> float | None:
    if not expected:
        return None
    return sum(any(_is_related(c, e) for c in cited) for e in set(expected)) / len(set(expected))


def source_precision(cited: Sequence[str], expected: Sequence[str]) -> float | None:
    if not cited or not expected:
        return None
    return sum(c in set(expected) for c in set(cited)) / len(set(cited))


def source_recall(cited: Sequence[str], expected: Sequence[str]) -> float | None:
    if not expected:
        return None
    return sum(e in set(cited) for e in set(expected)) / len(set(expected))


def invented_citations(
    cited_clauses: Sequence[str], cited_documents: Sequence[str], known_clauses: set[str], known_documents: set[str]
) -> int:
    """Clause ids outside the catalogue plus documents outside the workspace/knowledge base."""
    return sum(c not in known_clauses for c in cited_clauses) + sum(d not in known_documents for d in cited_documents)


def fact_tokens(text: str) -> list[str]:
    cleaned = _MARKDOWN.sub(" ", text.lower())
    cleaned = cleaned.translate(str.maketrans({p: " " for p in string.punctuation if p not in "%"}))
    return [t for t in cleaned.split() if t not in STOPWORDS]


def fact_present(fact: str, answer_text: str) -> bool:
    """At least 80% of the fact's non-stopword tokens appear in the answer."""
    wanted = fact_tokens(fact)
    if not wanted:
        return True
    have = set(fact_tokens(answer_text))
    return sum(t in have for t in wanted) / len(wanted) >= 0.8


def fact_recall(facts: Sequence[str], answer_text: str) -> float | None:
    if not facts:
        return None
    return sum(fact_present(f, answer_text) for f in facts) / len(facts)


def verdict_correct(verdict: str | None, expected: str | None) -> float | None:
    if expected is None:
        return None
    return 1.0 if verdict == expected else 0.0


def abstention_correct(abstained: bool, unanswerable: bool) -> float:
    return 1.0 if abstained == unanswerable else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
