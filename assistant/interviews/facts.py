"""Facts an interview answer and a procedure can disagree on: who approves, how long, how
often, which priority, what share, how many. Each fact keeps the words around it (its
subject), so that only facts about the same thing are ever compared."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.interviews.roles import RoleNames
from assistant.text import clauses, content_terms, normalize_ws, sentences

_APPROVAL = re.compile(
    r"\b(approv\w*|authori[sz](?:e|es|ed|ing|ation)|sign\w* (?:it |them )?off|sign-off|decides?|decided|"
    r"declares?|accept\w* (?:the )?risk)\b",
    re.I,
)
_ESCALATION = re.compile(r"\b(escalat\w*|goes up|go up)\b", re.I)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "the": 1,
    "one": 1,
    "two": 2,
    "couple of": 2,
    "a couple of": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
    "twenty-four": 24,
    "forty-eight": 48,
    "seventy-two": 72,
}
_AMOUNT = (
    r"(\d{1,4}(?:\.\d+)?|a couple of|couple of|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|eighteen|twenty[- ]four|twenty|thirty|forty[- ]eight|forty[- ]five|forty|sixty|"
    r"ninety|seventy[- ]two|an?|the)"
)
_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_DURATION = re.compile(
    rf"\b(every\s+|each\s+)?(?<!once )(?<!twice ){_AMOUNT}\s*(?:-|\s)?\s*"
    rf"(?:(business|working|calendar)\s+)?{_UNIT}\b(?!\s*\(|-)",
    re.I,
)
_LEAD = re.compile(r"\b(?:before|in advance|notice|prior to|ahead)\b", re.I)
_UNIT_MINUTES = {"min": 1, "minute": 1, "hour": 60, "hr": 60, "day": 1440, "week": 10080, "month": 43200}
_UNIT_MINUTES["year"] = 525600
_FREQUENCY = re.compile(
    r"\b(daily|weekly|fortnightly|monthly|quarterly|annually|yearly|"
    r"(?:once|twice) (?:a|per|every) (?:day|week|month|quarter|year)|"
    r"(?:every|each|a|per) (?:day|week|fortnight|month|quarter|year)|"
    r"(?:every|each) (?:monday|tuesday|wednesday|thursday|friday)|"
    r"every (?:two|three|four|six|twelve|\d+) (?:days|weeks|months|years))\b",
    re.I,
)
_PERIOD_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90, "year": 360}
_PERIOD_DAYS |= dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), 7)
_ADVERB_DAYS = {
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 30,
    "quarterly": 90,
    "annually": 360,
    "yearly": 360,
}
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", re.I)
_PRIORITY = re.compile(r"\b(?:P|priority\s*)([1-5])\b", re.I)
_PERCENT = re.compile(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent)", re.I)
_TABLE_ROW = re.compile(r"^[A-Z][\w /()&-]{0,40}: [^;]+(?:; [A-Z][\w /()&-]{0,40}: [^;]*)+;?$")
_NEGATION = re.compile(
    r"\b(?:not|never|no|without|don'?t|doesn'?t|isn'?t|aren'?t|won'?t|can'?t)\s+(?:\w+\s+){0,2}?(?:need\s+)?(?:for\s+)?"
    r"(?:approv|authori|sign|decid|escalat|wait)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Fact:
    """One stated value: ``kind`` and a comparable ``value``, the words it was said in
    (``local``, the clause around it) and the whole ``statement`` it belongs to."""

    kind: str
    value: str
    label: str
    local: str
    statement: str
    qualifier: str | None = None
    span: tuple[int, int] | None = None

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(content_terms(self.local))


def statements(text: str) -> list[str]:
    """Sentences, except that a table row ("Key: value; Key: value") stays one statement,
    so that a target keeps the row (the priority or category) it belongs to."""
    out: list[str] = []
    for line in text.splitlines():
        line = normalize_ws(line)
        if not line:
            continue
        if _TABLE_ROW.match(line):
            out.append(line)
        else:
            out.extend(sentences(line))
    return out


def _amount(text: str) -> float:
    text = text.lower().replace(" ", "-") if text.lower().startswith(("twenty", "forty", "seventy")) else text.lower()
    if text in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text])
    if text.replace("-", " ") in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text.replace("-", " ")])
    return float(text)


def _minutes(amount: str, unit: str) -> float:
    unit = unit.lower()
    unit = "min" if unit.startswith("min") else "hr" if unit.startswith("hr") else unit.rstrip("s")
    return _amount(amount) * _UNIT_MINUTES.get(unit, 1)


def describe_minutes(value: float) -> str:
    if value >= 1440 and value % 1440 == 0:
        return f"{value / 1440:g} day(s)"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g} hour(s)"
    return f"{value:g} minutes"


def _period_days(phrase: str) -> float:
    phrase = phrase.lower()
    if phrase in _ADVERB_DAYS:
        return _ADVERB_DAYS[phrase]
    words = phrase.split()
    unit = words[-1].rstrip("s")
    per = _PERIOD_DAYS.get(unit, 1)
    if words[0] == "twice":
        return per / 2
    if words[0] == "every" and len(words) == 3:
        return _amount(words[1]) * per
    return per


def _describe_every(minutes: float) -> str:
    days = minutes / 1440
    names = {1: "daily", 7: "weekly", 14: "every two weeks", 30: "monthly", 90: "quarterly", 180: "twice a year"}
    names |= {360: "yearly", 720: "every two years"}
    if days >= 1 and round(days) in names:
        return names[round(days)]
    return "every " + describe_minutes(minutes)


def _clauses(statement: str) -> list[str]:
    if _TABLE_ROW.match(statement):
        fields = [f.strip() for f in statement.rstrip(";").split("; ")]
        return [f"{fields[0]} {f}" if i else f for i, f in enumerate(fields)]
    return clauses(statement)


def _row_priority(statement: str) -> str | None:
    if not _TABLE_ROW.match(statement):
        return None
    found = _PRIORITY.search(statement.split("; ")[0])
    return f"P{found.group(1)}" if found else None


def extract(statement: str, roles: RoleNames | None = None) -> list[Fact]:
    """Every fact in a statement, each with the clause it was stated in; approvers and
    escalation targets only with the ``roles`` to recognise them by."""
    facts: list[Fact] = []
    row_priority = _row_priority(statement)
    for clause in _clauses(statement):
        facts.extend(_clause_facts(clause, statement, row_priority, roles))
    return facts


def _clause_facts(clause: str, statement: str, row_priority: str | None, roles: RoleNames | None) -> list[Fact]:
    out: list[Fact] = []
    priorities = sorted({f"P{p}" for p in _PRIORITY.findall(clause)})
    mentions = [(m.start(), f"P{m.group(1)}") for m in _PRIORITY.finditer(clause)]

    def fact(kind: str, value: str, label: str, span: tuple[int, int] | None = None) -> Fact:
        qualifier = row_priority
        if span and mentions and not row_priority:
            qualifier = min(mentions, key=lambda m: abs(m[0] - span[0]))[1]
        return Fact(kind, value, label, clause, statement, qualifier if span else None, span)

    named = roles.find(clause) if roles else []
    if named and _APPROVAL.search(clause) and not _NEGATION.search(clause):
        out.append(fact("approver", "|".join(named), ", ".join(named)))
    if named and _ESCALATION.search(clause) and not _NEGATION.search(clause):
        out.append(fact("escalation", "|".join(named), ", ".join(named)))
    taken: list[tuple[int, int]] = []
    for m in _FREQUENCY.finditer(clause):
        taken.append(m.span())
        minutes = _period_days(m.group(1)) * 1440
        out.append(fact("frequency", f"{minutes:g}", _describe_every(minutes), m.span()))
    for m in _DURATION.finditer(clause):
        every, amount, _basis, unit = m.groups()
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if amount.lower() == "the" and not re.search(r"\bwithin the\b", clause, re.I):
            continue
        minutes = _minutes(amount, unit)
        if every:
            out.append(fact("frequency", f"{minutes:g}", _describe_every(minutes), m.span()))
        else:
            kind = "notice period" if _LEAD.search(clause, m.end(), m.end() + 40) else "time limit"
            out.append(fact(kind, f"{minutes:g}", describe_minutes(minutes), m.span()))
    for m in _WEEKDAY.finditer(clause):
        day = m.group(1).lower()
        out.append(fact("weekday", day, day.title(), m.span()))
    for m in _PERCENT.finditer(clause):
        share = float(m.group(1))
        out.append(fact("percentage", f"{share:g}", f"{share:g}%", m.span()))
    if not out and (priorities or row_priority) and not (row_priority and clause == statement.split("; ")[0]):
        value = row_priority or "|".join(priorities)
        out.append(fact("priority", value, value.replace("|", ", ")))
    return [_narrowed(f, out) for f in out]


def _narrowed(fact: Fact, facts: list[Fact]) -> Fact:
    """Where a clause states several values of one kind ("an RTO of 4 hours and an RPO of
    15 minutes"), each keeps only the words between its neighbours of that kind."""
    if fact.span is None:
        return fact
    spans = sorted(f.span for f in facts if f.kind == fact.kind and f.span)
    if len(spans) < 2:
        return fact
    i = spans.index(fact.span)
    start = spans[i - 1][1] if i else 0
    end = spans[i + 1][0] if i + 1 < len(spans) else len(fact.local)
    return replace(fact, local=fact.local[start:end].strip(" ,;"))


def agree(answer: Fact, document: Fact) -> bool:
    """Same value: approvers and escalation targets agree when the two name any role in
    common (a document lists every level an escalation passes through)."""
    if answer.kind in ("approver", "escalation", "priority"):
        return bool(set(answer.value.split("|")) & set(document.value.split("|")))
    return answer.value == document.value
