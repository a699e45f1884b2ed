"""Record freshness from the dates documents state: overdue reviews, stale internal audit
or management review records, continuity plans with no test record."""

from __future__ import annotations

import re
from datetime import date

from assistant.readiness.models import FreshnessFlag

_ISO = r"(\d{4}-\d{2}-\d{2})"
_NEXT_REVIEW = re.compile(r"next review(?: date)?\s*[:\-]?\s*" + _ISO, re.I)
_DATED = re.compile(
    r"(?:date of (?:meeting|audit|review)|meeting date|audit date|date|held on|conducted on|approved)\s*[:\-]?\s*"
    + _ISO,
    re.I,
)
_ANY_DATE = re.compile(_ISO)
_TESTED = re.compile(
    r"\b(test(ed)? (on|in)\s+\d{4}|test (record|report|results?)|exercise (held|conducted|completed)|"
    r"last tested\s*[:\-]?\s*\d{4}|tabletop (exercise )?(held|conducted|completed))\b",
    re.I,
)
_UNTESTED = re.compile(
    r"\b(not (yet )?(been )?tested|never (been )?tested|testing (is )?planned|untested|"
    r"no test (has|have) been|test(ing)? (is )?scheduled for)\b",
    re.I,
)


def _parse(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month) - (1 if b.day < a.day else 0)


def check_document(source: str, title: str, text: str, as_of: date) -> list[FreshnessFlag]:
    flags: list[FreshnessFlag] = []
    name = f"{title} {source}".lower()
    if m := _NEXT_REVIEW.search(text):
        due = _parse(m.group(1))
        if due and due < as_of:
            flags.append(
                FreshnessFlag(
                    document=source,
                    kind="overdue review",
                    dated=due,
                    clause_ids=["7.5.2"],
                    detail=f"next review was due {due.isoformat()}; the document has not been reviewed since",
                )
            )
    record_kind = (
        ("internal audit", ["9.2"])
        if "internal audit" in name or "audit report" in name
        else ("management review", ["9.3"])
        if "management review" in name
        else None
    )
    if record_kind:
        held = _record_date(text)
        if held and _months(held, as_of) >= 12:
            flags.append(
                FreshnessFlag(
                    document=source,
                    kind="stale record",
                    dated=held,
                    clause_ids=record_kind[1],
                    detail=f"the latest {record_kind[0]} on record is dated {held.isoformat()}, "
                    "more than 12 months ago",
                )
            )
    if "continuity" in name or "disaster recovery" in name:
        # Two different facts: the plan says it has not been tested, or nothing records a test.
        if _UNTESTED.search(text):
            flags.append(
                FreshnessFlag(
                    document=source,
                    kind="untested plan",
                    clause_ids=["8.7.2"],
                    detail="the plan says it has not been tested yet",
                )
            )
        elif not _TESTED.search(text):
            flags.append(
                FreshnessFlag(
                    document=source,
                    kind="no test record",
                    clause_ids=["8.7.2"],
                    detail="no record that the continuity plan has been tested",
                )
            )
    return flags


_LEFT = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z'\-]+)+)(?:, [^,.;]{2,60})?,? (?:has )?(?:left|resigned|retired)\b")
_OWNER = re.compile(r"\b(?:[Dd]ocument )?[Oo]wner\s*:\s*([A-Z][a-z]+(?: [A-Z][a-z'\-]+)+)")


def departed_owners(texts: dict[str, str]) -> list[FreshnessFlag]:
    """Documents still owned by someone another document records as having left."""
    left = {m.group(1): source for source, text in texts.items() for m in _LEFT.finditer(text)}
    flags = []
    for source, text in texts.items():
        owner = _OWNER.search(text[:1000])
        if owner and owner.group(1) in left and left[owner.group(1)] != source:
            flags.append(
                FreshnessFlag(
                    document=source,
                    kind="owner has left",
                    clause_ids=["7.5.2"],
                    detail=f"{owner.group(1)} is still named as owner, but {left[owner.group(1)]} records "
                    "that they have left",
                )
            )
    return flags


def _record_date(text: str) -> date | None:
    for m in _DATED.finditer(text):
        found = _parse(m.group(1))
        if found:
            return found
    dates = [d for d in (_parse(v) for v in _ANY_DATE.findall(text[:3000])) if d]
    return max(dates) if dates else None
