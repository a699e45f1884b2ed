"""What a question is about when the clause it names is only the name of a document.

"Is the supplier policy still showing the right owner?" names supplier management through
the document's name but asks about the document's control — its owner, version or review
date — which is what clause 7.5.2 governs, whatever the document.
"""

from __future__ import annotations

import re

from assistant.catalogue import Catalogue

DOCUMENT_CONTROL_CLAUSE = "7.5.2"
_DOCUMENT = r"(?:polic(?:y|ies)|procedures?|plans?|documents?|registers?|manuals?)"
_CONTROL = (
    r"(?:owner|owners|owned|versions?|review dates?|in date|out of date|up to date|periodic review|"
    r"review status|review cycle|overdue for review|due for review|approval date|document review)"
)
_GAP = r"\W+(?:[\w'-]+\W+){0,8}?"
_ASKS_ABOUT_CONTROL = re.compile(rf"\b{_DOCUMENT}{_GAP}{_CONTROL}\b|\b{_CONTROL}{_GAP}{_DOCUMENT}\b", re.I)


RETENTION_CLAUSE = "7.5.3"
# "how long do we hang on to incident tickets?": how long records are kept is retention,
# part of controlling documented information, whatever process made the records
_ASKS_ABOUT_RETENTION = re.compile(
    r"\bretention\b|\bhow long\b.{0,40}\b(?:keep|kept|retain\w*|hang on to|hold on to|store[sd]?|archived?)\b"
    r".{0,60}\b(?:records?|tickets?|logs?|data|documents?|minutes|evidence|backups?|e-?mails?)\b",
    re.I,
)


def asks_about_document_control(question: str) -> bool:
    """True when the question asks about a document's owner, version or review date."""
    return bool(_ASKS_ABOUT_CONTROL.search(question))


# root cause analysis of an audit finding or a nonconformity is corrective action (10.1);
# of incidents it is problem management, which "root cause analysis" names by itself
_AUDIT_ROOT_CAUSE = re.compile(
    r"\b(?:audit\w*|nonconformit\w*|findings?)\b.{0,80}\broot[ -]caus\w*|"
    r"\broot[ -]caus\w*.{0,80}\b(?:audit\w*|nonconformit\w*|findings?)\b",
    re.I,
)
# what the organization promised a customer is a service level commitment
_CUSTOMER_PROMISE = re.compile(
    r"\bwhat we(?:'ve| have)? (?:promised|committed to|agreed with|agreed to)\b|"
    r"\b(?:promises?|commitments?) (?:to|we made to) (?:the |our )?customers?\b",
    re.I,
)
_SUBJECT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_ASKS_ABOUT_CONTROL, DOCUMENT_CONTROL_CLAUSE),
    (_ASKS_ABOUT_RETENTION, RETENTION_CLAUSE),
    (_AUDIT_ROOT_CAUSE, "10.1"),
    (_CUSTOMER_PROMISE, "8.3.3"),
)


def with_subject_first(question: str, clauses: list[str], catalogue: Catalogue) -> list[str]:
    """The clauses a question concerns, the one it is really about first."""
    for pattern, clause_id in _SUBJECT_RULES:
        if clause_id in catalogue and pattern.search(question):
            return [clause_id] + [c for c in clauses if c != clause_id]
    return clauses


# "the change procedure", "their SLA", "the customer agreement", "our security policy": a
# document named by what it covers, compared with another rather than asked about
_DETERMINER = r"(?:[Tt]he|[Tt]heir|[Oo]ur|[Ii]ts|[Tt]his|[Tt]hat)"
_DOCUMENT_NAME = re.compile(
    rf"\b{_DETERMINER}\s+(?:(?!(?:the|their|our|its|this|that|in|and|or|of|on|to|with|same|way)\b)"
    r"(?:[A-Z][\w-]*|[a-z]+)\s+){0,3}?"
    r"(?:procedure|policy|plan|SLA|agreement|catalogue|register|report|minutes|contract)(?:'s)?\b"
)
_TARGET = re.compile(r"\b(?:targets?|KPIs?)\b", re.I)
OBJECTIVES_CLAUSE = "6.2.1"


def without_document_names(question: str, catalogue: Catalogue) -> str | None:
    """The question with the documents it names taken out; None when it names none."""
    names = _document_names(question, catalogue)
    return _without(question, names) if names else None


def compared_subject(question: str, catalogue: Catalogue) -> list[str] | None:
    """The clauses of what two documents are compared on, with the documents' own names
    taken out ("do the SMS plan and the incident procedure say the same about major
    incident updates?" is about incident management, not SMS planning). A target stated in
    several documents is a service management objective. None when no document is named
    or the rest of the question names no clause."""
    names = _document_names(question, catalogue)
    if not names:
        return None
    rest = _without(question, names)
    if len(names) >= 2 and _TARGET.search(rest) and OBJECTIVES_CLAUSE in catalogue:
        return [OBJECTIVES_CLAUSE]
    return catalogue.resolve(rest) or None


def _without(question: str, names: list[re.Match[str]]) -> str:
    for m in reversed(names):
        question = question[: m.start()] + " " + question[m.end() :]
    return " ".join(question.split())


def _document_names(question: str, catalogue: Catalogue) -> list[re.Match[str]]:
    return [m for m in _DOCUMENT_NAME.finditer(question) if _names_a_document(m.group(0), catalogue)]


def _names_a_document(phrase: str, catalogue: Catalogue) -> bool:
    """The words before the document noun are a name or a subject of the standard."""
    words = phrase.split()[1:-1]
    return all(w[:1].isupper() or w.lower() in catalogue.title_words for w in words)
