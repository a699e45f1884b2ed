"""Small text utilities shared by retrieval, answering and the evals."""

from __future__ import annotations

import re

from assistant.adapters.fts_index import STOPWORDS

_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
# how ISO/IEC 20000-1 numbers its clauses ("8", "8.5", "8.5.1.3"): every clause pattern builds on it
CLAUSE_NUMBER = r"\d{1,2}(?:\.\d{1,2}){0,3}"
_STOP = r"(?<=[.!?])\s+"
_NEXT_STARTS = r"(?=[A-Z0-9\"'(])"  # the next word starts a sentence: "v1.2 is" and "e.g. the" stay whole
_SENTENCE_BREAK = re.compile(_STOP + _NEXT_STARTS)
_ANY_STOP = re.compile(_STOP)
_UNIT_BREAK = re.compile(r"(?<=[.!?;])\s+" + _NEXT_STARTS + r"|\n+")  # table cells and lines end units too
# where a sentence parts into clauses: punctuation, a spaced dash and the words that start a
# contrast, a condition or a next step ("we raise the RFC, then the CAB approves it but only on
# Tuesdays"); finer still at the words that join two statements ("and", "so", "which")
_CLAUSE_EDGE = r"[;,:()]|\s-\s|\b(?:but|whereas|while|then|unless)\b"
_CLAUSE_BREAK = re.compile(rf"\s*(?:{_CLAUSE_EDGE})\s*", re.I)
_FINE_CLAUSE_BREAK = re.compile(rf"\s*(?:{_CLAUSE_EDGE}|\b(?:and then|and|so|which|where|because)\b)\s*", re.I)


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


def split_sentences(text: str, *, strict: bool = True) -> list[str]:
    """The sentences of a text, in order. ``strict``: break only where the next word starts
    like a sentence (chunking, quotes); otherwise after every full stop, ! or ? (checking
    what a generated answer claims, sentence by sentence)."""
    pattern = _SENTENCE_BREAK if strict else _ANY_STOP
    return [s.strip() for s in pattern.split(text) if s.strip()]


def sentences(text: str) -> list[str]:
    """Quotable statements of a passage: sentences, table cells and lines of three words or more."""
    return [normalize_ws(s) for s in _UNIT_BREAK.split(text) if len(s.split()) >= 3]


def clauses(sentence: str, *, fine: bool = False) -> list[str]:
    """A sentence's clauses in order, without the punctuation or words that joined them.
    ``fine`` also parts statements joined by "and", "so", "which": a point an answer makes is
    matched against its own words; a fact keeps "the change manager and the CAB approve" whole."""
    pattern = _FINE_CLAUSE_BREAK if fine else _CLAUSE_BREAK
    return [c.strip() for c in pattern.split(sentence) if c and c.strip()]


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
