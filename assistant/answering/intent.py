"""Question intent: rules first, then similarity to example questions (no LLM needed)."""

from __future__ import annotations

import re

import numpy as np

from assistant.models import Intent
from assistant.ports import Embedder

_RULES: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.READINESS,
        re.compile(
            r"\b(are|is) (we|our organi[sz]ation|the company) ready\b|\breadiness\b|"
            r"\bready for (the )?(stage|certification|audit)|\bwhat('s| is) (still )?missing (before|for)\b|"
            r"\bbiggest gaps\b|\bwhere do we stand\b|\bhow ready\b",
            re.I,
        ),
    ),
    (
        Intent.EVIDENCE,
        re.compile(
            r"\b(do|does|did|have|has) (we|our|kestrel|the organi[sz]ation)\b|\bevidence\b|"
            r"\b(is|are) (our|the org\w*'?s?) .*\b(consistent|in line|aligned|compliant|enough)\b|"
            r"\bconsistent with\b|\bour (own )?(procedure|policy|plan|process|sla|documents?|register|records?)\b|"
            r"\bwho (approves|owns|authori[sz]es|signs off|is responsible)\b|\bin our\b|\bwe (have|do|use)\b|"
            r"\bcomply with\b|\bcompliant with\b|\bgap(s)? (in|for)\b",
            re.I,
        ),
    ),
    (
        Intent.PROCESS,
        re.compile(
            r"\bcertific(ate|ation)\b|\bsurveillance\b|\brecertification\b|\bstage ?[12]\b|"
            r"\baudit days?\b|\bcertification body\b|\baccredit\w*|\b(major|minor) (non-?conformit\w*|nc)\b|"
            r"\bobservations?\b|\b2011\b|\bitil\b|\b27001\b|\bannex sl\b|\bhow long\b|\bvalid\b",
            re.I,
        ),
    ),
    (
        Intent.CLAUSE,
        re.compile(
            r"\bwhat (does|do) (clause |section )?\d|\b(explain|describe|summari[sz]e) (clause|section)\b|"
            r"\bwhat (is|are) (the )?(requirements?|clause)\b|\brequire(s|ments)? (of|for|in) (clause|section)?\s*\d|"
            r"\bwhat does (the standard|iso|iso 20000|iso/iec 20000)[\w\- /:]* (say|require|ask)\b|"
            r"\bwhat (does|do) .* require\b|\bwhat is clause\b|\bclause \d[\d.]* (about|cover)",
            re.I,
        ),
    ),
]

_COMPARISON = re.compile(
    r"\b(agree|the same|consistent|match|square with|hold up|line up|differ|contradict)\w*\b", re.I
)
_FIRST_PERSON = re.compile(r"\b(we|our|ours|us|we've|we're|kestrel)\b", re.I)

EXAMPLES: dict[Intent, list[str]] = {
    Intent.CLAUSE: [
        "What does clause 8.6.3 require?",
        "Explain the requirements for service level management.",
        "What does the standard expect for configuration management?",
    ],
    Intent.EVIDENCE: [
        "Do we have evidence for change management?",
        "Is our emergency change approval consistent with the standard?",
        "Who approves changes in our organization?",
        "How do we handle major incidents according to our procedure?",
    ],
    Intent.PROCESS: [
        "How long is the certificate valid?",
        "What happens after a major nonconformity?",
        "How many audit days does Stage 2 take?",
        "How do I choose a certification body?",
    ],
    Intent.GENERAL: ["Tell me about service management.", "What is a service management system?"],
}


class IntentClassifier:
    """Rules decide the clear cases; the nearest example question decides the rest."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._labels: list[Intent] = []
        self._matrix: np.ndarray | None = None

    def classify(self, question: str, vector: np.ndarray, named_clauses: list[str]) -> Intent:
        text = question.strip()
        hits = [intent for intent, rule in _RULES if rule.search(text)]
        if Intent.READINESS in hits:
            return Intent.READINESS
        if Intent.EVIDENCE in hits or _COMPARISON.search(text):
            return Intent.EVIDENCE
        if Intent.CLAUSE in hits and named_clauses:
            return Intent.CLAUSE
        if Intent.PROCESS in hits:
            return Intent.PROCESS
        if Intent.CLAUSE in hits:
            return Intent.CLAUSE
        if _FIRST_PERSON.search(text):
            return Intent.EVIDENCE  # a question about "our"/"we" is about the organization's evidence
        return self._nearest(vector, named_clauses)

    def _nearest(self, vector: np.ndarray, named_clauses: list[str]) -> Intent:
        if self._matrix is None:
            texts = [(i, t) for i, ts in EXAMPLES.items() for t in ts]
            self._labels = [i for i, _ in texts]
            self._matrix = self._embedder.embed_documents([t for _, t in texts])
        sims = self._matrix @ vector
        best = self._labels[int(np.argmax(sims))]
        if best is Intent.GENERAL and named_clauses:
            return Intent.CLAUSE
        return best
