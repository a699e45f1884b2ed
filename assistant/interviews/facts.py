"""Facts an interview answer and a procedure can disagree on: who approves, how long,
which priority. Extracted with patterns, compared only between similar sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROLE = re.compile(
    r"\b(emergency cab|ecab|cab|change advisory board|change manager|service desk manager|"
    r"service director|problem manager|incident manager|major incident manager|duty manager|"
    r"on-?call (?:engineer|manager)|team lead(?:er)?|line manager|cio|cto|ceo|ciso|"
    r"information security manager|service level manager|configuration manager|"
    r"capacity (?:and availability )?manager|continuity manager|supplier manager|sms manager|"
    r"head of (?:it|operations|service)|technical lead|release manager|customer)\b",
    re.I,
)
_DURATION = re.compile(
    r"\b(\d{1,3}|one|two|three|four|five|six|ten|twelve|fifteen|thirty|twenty[- ]four|forty[- ]eight)"
    r"\s*(?:-|\s)?\s*(minutes?|mins?|hours?|hrs?|business days?|working days?|days?|weeks?)\b",
    re.I,
)
_PRIORITY = re.compile(r"\b(?:P|priority\s*)([1-5])\b", re.I)
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "thirty": 30,
    "twenty-four": 24,
    "twenty four": 24,
    "forty-eight": 48,
    "forty eight": 48,
}
_UNIT_MIN = {
    "min": 1,
    "minute": 1,
    "hour": 60,
    "hr": 60,
    "day": 1440,
    "business day": 1440,
    "working day": 1440,
    "week": 10080,
}
_ALIASES = {"ecab": "emergency cab", "change advisory board": "cab"}


@dataclass(frozen=True, slots=True)
class Facts:
    approvers: frozenset[str]
    minutes: frozenset[float]
    priorities: frozenset[str]

    def empty(self) -> bool:
        return not (self.approvers or self.minutes or self.priorities)


def _minutes(amount: str, unit: str) -> float:
    value = float(_WORDS.get(amount.lower(), amount)) if not amount.isdigit() else float(amount)
    unit = unit.lower().rstrip("s")
    unit = {"min": "min", "hr": "hr"}.get(unit, unit)
    return value * _UNIT_MIN.get(unit, 1)


def extract(sentence: str) -> Facts:
    approvers = set()
    if re.search(r"\b(approv\w*|authori[sz]\w*|sign\w* off|signs?-off|decid\w*)\b", sentence, re.I):
        for m in _ROLE.finditer(sentence):
            name = m.group(1).lower().replace("oncall", "on-call")
            approvers.add(_ALIASES.get(name, name))
    minutes = {_minutes(a, u) for a, u in _DURATION.findall(sentence)}
    priorities = {f"P{p}" for p in _PRIORITY.findall(sentence)}
    return Facts(frozenset(approvers), frozenset(minutes), frozenset(priorities))


def describe_minutes(value: float) -> str:
    if value % 1440 == 0:
        return f"{value / 1440:g} day(s)"
    if value % 60 == 0:
        return f"{value / 60:g} hour(s)"
    return f"{value:g} minutes"


def conflicts(answer: Facts, document: Facts) -> list[tuple[str, str, str]]:
    """(kind, answer value, document value) for each fact the two state differently."""
    out: list[tuple[str, str, str]] = []
    if answer.approvers and document.approvers and not (answer.approvers & document.approvers):
        out.append(("approver", ", ".join(sorted(answer.approvers)), ", ".join(sorted(document.approvers))))
    if answer.minutes and document.minutes and not (answer.minutes & document.minutes):
        out.append(
            (
                "time limit",
                ", ".join(describe_minutes(v) for v in sorted(answer.minutes)),
                ", ".join(describe_minutes(v) for v in sorted(document.minutes)),
            )
        )
    if answer.priorities and document.priorities and not (answer.priorities & document.priorities):
        out.append(("priority", ", ".join(sorted(answer.priorities)), ", ".join(sorted(document.priorities))))
    return out
