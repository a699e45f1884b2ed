"""Small text utilities shared by retrieval, answering and the evals."""

from __future__ import annotations

import re

from assistant.adapters.fts_index import STOPWORDS

_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(])|\n+")


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match 'approves', 'approved', 'approval'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "al", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    return [stem(w.strip("'-")) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def sentences(text: str) -> list[str]:
    return [normalize_ws(s) for s in _SENTENCE_END.split(text) if len(s.split()) >= 3]


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
