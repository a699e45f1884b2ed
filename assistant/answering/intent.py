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
            r"\bobservations?\b|\b2011\b|\bitil\b|\b27001\b|\bannex sl\b|\bwrite\w* (?:\w+ )?up\b|"
            r"\b(?:new|old|previous|current|latest|2018) (?:edition|version)\b|\b(?:grew|grow|came|come) out of\b|"
            r"\borigins?\b|\bbs ?15000\b",
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

# a question that compares a practice with a rule, or one document with another
COMPARISON = re.compile(
    r"\b(consistent|inconsistent|in line|aligned?|complian\w*|comply|conform\w*|match\w*|"
    r"agree(?:s|d|ing)?(?!ment)|the same|"
    r"differ\w*|square\w*|hold up|holds up|back (?:it |that |this )?up|line up|reflect\w*|contradict\w*|"
    r"as often as|(?:our|its) own (?:promise|rules?)|the way (?:our|the|its) [\w' -]{2,40} (?:says?|requires?|sets?)|"
    r"on the (?:cycle|schedule|frequency) (?:our|the)|as [\d.]+ expects?)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(we|our|ours|us|we've|we're|here)\b", re.I)
# "how long is the certificate valid?" is about certification only when it is not about us
_WEAK_PROCESS = re.compile(r"\bhow long\b|\bvalid\b", re.I)
# "what does demand management expect, and what do we use?" asks about a requirement and our evidence
_ASKS_REQUIREMENT = re.compile(r"\b(expect|require|ask|mean|apply|applies|after|want|need|satisfy|look for)\w*\b", re.I)
_AUX = r"(?:do|does|did|is|are|was|were|has|have|had|can|could|would|will|should|may|might)"
# "has top management reviewed the SMS?", "when leadership last met, did they look at ...?"
_YES_NO = re.compile(rf"^\W*{_AUX}\b|^[^,?]{{3,90}},\s*{_AUX}\b", re.I)
# "we have 300 people in scope - how many audit days ...?": the question comes after the context
_LATE_WH = re.compile(r"(?:\s[-\u2013\u2014]\s|[,.;:]\s)(?:so\s)?(?:who|what|when|where|which|how)\b", re.I)
# "do we have to do anything about an observation?" asks what the rules oblige, not for evidence
# ("can we book stage 1 before ...?" asks what the rules allow)
_OBLIGATION = re.compile(
    r"^\W*(?:(?:do|must|should) (?:we|i) (?:have|need) to\b|can|could|may|might|must|should)\b", re.I
)
_WHO_WHICH_WHEN = re.compile(r"^\W*(?:who|whom|whose|which|when|where)\b", re.I)
_OUR_CERTIFICATE = re.compile(r"\bour (?:[\w:/-]+ ){0,3}(?:certificates?|certification body|registrar)\b", re.I)
# "did this year's internal audit cover ...?" asks about something that happened here
_PAST_EVENT = re.compile(r"^\W*(?:did|has|have|was|were)\b", re.I)
_ABOUT_STANDARD = re.compile(r"\b(the standard|iso|20000|clause|auditors?|certification)\b", re.I)
# a wh-question asks for a fact ("who chairs the CAB?"); a yes/no question asks for a judgement
_WH_QUESTION = re.compile(
    r"^\W*(?:(?:if|when|once|after|during|for|in|a|an|the)\b[^?]{0,80}?[,.]\s*)?"
    r"(who|whom|whose|what|what's|when|where|which|why|how|at what|walk me through)\b",
    re.I,
)

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


def about_us(question: str) -> bool:
    """The question asks about the organization itself ("we", "our", "us")."""
    return bool(_FIRST_PERSON.search(question))


def is_lookup(question: str) -> bool:
    """A wh-question about a fact, unless it also asks for evidence or a comparison."""
    if re.search(r"\bevidence\b", question, re.I) or COMPARISON.search(question) or _YES_NO.search(question):
        return False
    if _ABOUT_STANDARD.search(question):
        return False  # "what do auditors find with continuity plans?" is about the standard's practice
    return bool(_WH_QUESTION.search(question))


class IntentClassifier:
    """Rules decide the clear cases; the nearest example question decides the rest."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._labels: list[Intent] = []
        self._matrix: np.ndarray | None = None

    def classify(self, question: str, vector: np.ndarray, named_clauses: list[str]) -> Intent:
        text = question.strip()
        hits = [intent for intent, rule in _RULES if rule.search(text)]
        about_us = bool(_FIRST_PERSON.search(text))
        if Intent.READINESS in hits:
            return Intent.READINESS
        process = Intent.PROCESS in hits
        if COMPARISON.search(text) and (about_us or not process):
            return Intent.EVIDENCE  # "is ISO 20000 the same as ITIL?" compares no practice of ours
        obliged = bool(_OBLIGATION.search(text))
        judged = bool(_YES_NO.search(text)) and not obliged and (about_us or bool(_PAST_EVENT.search(text)))
        if process and not judged and (_LATE_WH.search(text) or obliged or not about_us):
            return Intent.PROCESS
        if process and judged:
            return Intent.EVIDENCE  # "would our policy stand up to a stage 1 review?"
        if process and _OUR_CERTIFICATE.search(text) and _WHO_WHICH_WHEN.search(text):
            return Intent.GENERAL  # "which body issued our ISO 27001 certificate?" is a fact about us
        if Intent.CLAUSE in hits and named_clauses:
            return Intent.CLAUSE
        asks_requirement = bool(named_clauses) and bool(_ASKS_REQUIREMENT.search(text))
        if is_lookup(text) and not asks_requirement and Intent.PROCESS not in hits and Intent.CLAUSE not in hits:
            return Intent.GENERAL  # a fact from the organization's documents, not a verdict
        yes_no = bool(_YES_NO.search(text))
        if Intent.PROCESS in hits and _WH_QUESTION.search(text):
            return Intent.PROCESS  # "if we get a major finding at stage 2, how long do we have?"
        if Intent.EVIDENCE in hits or (yes_no and about_us and Intent.PROCESS not in hits):
            return Intent.EVIDENCE
        if Intent.PROCESS in hits or (_WEAK_PROCESS.search(text) and not about_us):
            return Intent.PROCESS
        if Intent.CLAUSE in hits:
            return Intent.CLAUSE
        if yes_no and not _ABOUT_STANDARD.search(text):
            return Intent.EVIDENCE  # "has top management reviewed the SMS?" asks for a judgement on evidence
        if about_us:
            return Intent.EVIDENCE  # a yes/no question about "our"/"we" asks for a judgement on evidence
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
