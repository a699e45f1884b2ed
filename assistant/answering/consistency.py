"""Disagreements between the organization's documents: the same subject given different
priorities or time limits ("major incident: P1" in one document, "P2" in another).

Subjects come from the catalogue's aliases and a few operational terms, so the check
looks where auditors look; values are priorities and durations, the facts that most
often drift between documents.
"""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.catalogue import Catalogue
from assistant.models import Disagreement, Passage
from assistant.text import normalize_ws

_PRIORITY = re.compile(r"\b(?:P|Priority\s*|Sev(?:erity)?\s*)([1-5])\b", re.I)
_DURATION = re.compile(
    r"\b(\d{1,3}(?:\.\d)?)\s*(?:-|\s)?\s*(minutes?|mins?|hours?|hrs?|business days?|working days?|days?)\b",
    re.I,
)
_UNITS = {
    "min": 1,
    "minute": 1,
    "hour": 60,
    "hr": 60,
    "day": 1440,
    "week": 10080,
    "business day": 1440,
    "working day": 1440,
}

_EVERY = re.compile(r"\bevery\s+(\d{1,3}\s*)?(minutes?|hours?|days?|weeks?)\b", re.I)
_UPDATES = re.compile(r"\b(updat\w*|communicat\w*|inform\w*|status)\b", re.I)
_ASPECT = re.compile(r"\b(respon\w*|resol\w*|restor\w*|acknowledg\w*|escalat\w*|notif\w*|approv\w*|review\w*)\b")

_ASPECT_NAMES = {
    "respo": "response",
    "resol": "resolution",
    "resto": "restoration",
    "ackno": "acknowledgement",
    "escal": "escalation",
    "notif": "notification",
    "appro": "approval",
    "revie": "review",
}

EXTRA_SUBJECTS = (
    "major incident",
    "emergency change",
    "normal change",
    "standard change",
    "service request",
    "post-implementation review",
)


def _minutes(amount: str, unit: str) -> float:
    unit = unit.lower().rstrip("s")
    unit = {"min": "min", "minute": "minute", "hr": "hr"}.get(unit, unit)
    return float(amount) * _UNITS.get(unit, 1)


def _subjects(catalogue: Catalogue) -> list[str]:
    names = {a.lower() for c in catalogue for a in c.aliases if len(a.split()) >= 2}
    return sorted(names | set(EXTRA_SUBJECTS), key=len, reverse=True)


def find_disagreements(
    passages: list[Passage], catalogue: Catalogue, subjects: list[str] | None = None
) -> list[Disagreement]:
    """Subjects stated with different priority or duration values in different documents."""
    subjects = subjects or _subjects(catalogue)
    facts: dict[tuple[str, str], dict[str, list[tuple[str, Passage]]]] = defaultdict(lambda: defaultdict(list))
    for passage in passages:
        for sentence in _statements(passage.text):
            lower = sentence.lower()
            subject = next((s for s in subjects if s in lower), None)
            if subject is None:
                continue
            every = _EVERY.search(sentence)
            if every and _UPDATES.search(lower):
                amount = (every.group(1) or "1").strip()
                key = f"{_minutes(amount, every.group(2)):g}"
                facts[(subject, "update interval")][key].append((every.group(0).lower(), passage))
            for m in _PRIORITY.finditer(sentence):
                facts[(subject, "priority")][f"P{m.group(1)}"].append((sentence, passage))
            durations = _DURATION.findall(sentence)
            aspect = _ASPECT.search(lower)
            if len(durations) == 1 and aspect:  # one time limit for one activity: unambiguous
                amount, unit = durations[0]
                key = f"{_minutes(amount, unit):g}"
                label = f"{_ASPECT_NAMES[aspect.group(1)[:5]]} time limit"
                facts[(subject, label)][key].append((f"{amount} {unit.lower()}", passage))
    found: list[Disagreement] = []
    for (subject, kind), by_value in facts.items():
        documents = {v: {p.document_id for _, p in hits} for v, hits in by_value.items()}
        if len(by_value) < 2 or len(set().union(*documents.values())) < 2:
            continue
        # Only values that come from different documents disagree.
        values = sorted(by_value, key=lambda v: -len(by_value[v]))[:2]
        if documents[values[0]] == documents[values[1]]:
            continue
        picked = [by_value[v][0][1] for v in values]
        labels = [v if kind == "priority" else by_value[v][0][0] for v in values]
        clause_ids = catalogue.resolve(subject) or sorted({c for p in picked for c in p.clauses[:1]})
        found.append(Disagreement(topic=f"{subject} ({kind})", clause_ids=clause_ids, statements=picked, values=labels))
    return found


def _statements(text: str) -> list[str]:
    """Sentences and table rows, kept whole: a row's subject and value must stay together."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])|\n+", text)
    return [normalize_ws(p) for p in parts if len(p.split()) >= 3]
