"""The names a question uses, and whether a sentence states the amount or count a question
asks for (the guidance answers of certification questions read it)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_NAME = re.compile(r"(?<=\s)([A-Z][\w'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w'’-]*)*)")


def names_in(question: str) -> list[str]:
    """Capitalised words and runs of them after the first word: names, places, acronyms."""
    return sorted({m.group(1) for m in _NAME.finditer(" " + question.strip()[1:])}, key=len, reverse=True)


# "how much does X charge?" is answered by an amount of money, "how many ...?" by a count: a
# sentence that names the same things but states neither does not answer the question.
_MONEY_QUESTION = re.compile(
    r"\bhow much\b(?=.*\b(?:charg\w*|costs?|pa(?:y|id|ys)|price\w*|fees?|spend\w*|budget\w*|money|set aside|worth)\b)",
    re.I,
)
_PER_UNIT = re.compile(r"\bper ((?!each\b|a\b|the\b)[a-z]{3,}(?: (?!each\b|a\b|the\b|in\b|for\b)[a-z]{3,})?)", re.I)
_COUNT_QUESTION = re.compile(r"\bhow many\b", re.I)
_MONEY = re.compile(
    r"(?:[£$€]|\b(?:GBP|EUR|USD))\s?\d|\b\d[\d,.]*\s?(?:k|m|bn)?\s?(?:GBP|EUR|USD|pounds?|euros?|dollars?)\b", re.I
)
_IDENTIFIER = re.compile(
    r"\bISO(?:/IEC)?\s?\d+(?:[-:]\d+)*|\b(?i:clauses?)\s+\d+(?:(?:\s*(?:to|and|or|,|-)\s*)+\d+)*|\b\d+(?:\.\d+)+\b|\b(?:19|20)\d\d\b|\b[A-Z]{1,6}-?\d+\b|\bP\d\b"
)
_COUNT = re.compile(
    r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|dozen|several|a few)\b",
    re.I,
)


def states_what_is_asked(question: str, sentences: Sequence[str]) -> bool:
    """False when the question asks for an amount or a count and no sentence states one.

    Identifiers that only look like counts — standard names ("ISO 27001"), clause numbers,
    years, references ("P2", "IA-2026") — are not counts.
    """
    if _MONEY_QUESTION.search(question):
        rate = _PER_UNIT.search(question)  # "per audit day": a rate, stated per that unit
        units = [re.compile(rf"\b{re.escape(w.rstrip('s'))}s?\b", re.I) for w in rate.group(1).split()] if rate else []
        return any(_MONEY.search(s) and all(u.search(s) for u in units) for s in sentences)
    if _COUNT_QUESTION.search(question):
        return any(_COUNT.search(_IDENTIFIER.sub(" ", s)) for s in sentences)
    return True
