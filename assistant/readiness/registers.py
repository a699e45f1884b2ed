"""Register checks: the rows of a register (CI register, supplier schedule, improvement
register) read as records, so that a live row with an empty required field, or an open row
past its due date, is reported even though the register as a whole reads as evidence."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from assistant.catalogue import Catalogue
from assistant.readiness.elements import cue_hits
from assistant.readiness.models import RecordFinding

_FIELD = re.compile(r"(?:^|;\s*)([A-Z][A-Za-z /()-]{0,40}?):\s")
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_DUE = re.compile(r"\b(?:due|target date|deadline)\b", re.I)
_CLOSED = re.compile(r"\b(?:closed|complete[d]?|done|retired|decommissioned|disposed|cancel+ed|withdrawn)\b", re.I)
MIN_ROWS = 5
USUAL = 0.75  # a field most rows fill is a field every live row should fill


@dataclass(slots=True)
class Row:
    """One register row: its fields in order, and the row's text."""

    fields: dict[str, str]
    text: str
    line: int = 0

    @property
    def key(self) -> str:
        return next(iter(self.fields.values()), "")

    @property
    def closed(self) -> bool:
        status = next((v for k, v in self.fields.items() if k.lower() == "status"), "")
        return bool(_CLOSED.search(status))


@dataclass(slots=True)
class RowIssue:
    """Rows of one register sharing one problem."""

    kind: str  # incomplete records | overdue
    column: str
    rows: list[Row] = field(default_factory=list)


def parse_rows(text: str) -> list[Row]:
    """Rows written as ``Field: value; Field: value``; a value may itself hold semicolons."""
    rows = []
    for number, line in enumerate(text.splitlines()):
        starts = list(_FIELD.finditer(line))
        if len(starts) < 3 or starts[0].start() != 0:
            continue
        fields: dict[str, str] = {}
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(line)
            fields[m.group(1).strip()] = line[m.end() : end].strip()
        rows.append(Row(fields, line, number))
    return rows


def register_issues(text: str, as_of: date) -> list[RowIssue]:
    """Each table of a document checked on its own."""
    return [issue for rows in tables(parse_rows(text)) if len(rows) >= MIN_ROWS for issue in _table_issues(rows, as_of)]


def tables(rows: list[Row]) -> list[list[Row]]:
    """Rows split into tables: consecutive lines that start with the same field."""
    out: list[list[Row]] = []
    for row in rows:
        last = out[-1][-1] if out else None
        if last and row.line == last.line + 1 and next(iter(row.fields)) == next(iter(last.fields)):
            out[-1].append(row)
        else:
            out.append([row])
    return out


def _table_issues(rows: list[Row], as_of: date) -> list[RowIssue]:
    """Live rows missing a field most rows fill; open rows past their due date. Without a
    status column only a "next ..." date (a recurring review) says a row is overdue."""
    issues: list[RowIssue] = []
    filled: dict[str, int] = {}
    for row in rows:
        for name, value in row.fields.items():
            filled[name] = filled.get(name, 0) + bool(value)
    live = [r for r in rows if not r.closed]
    for name, count in filled.items():
        if count < USUAL * len(rows):
            continue
        lacking = [r for r in live if not r.fields.get(name)]
        if lacking:
            issues.append(RowIssue("incomplete records", name, lacking))
    has_status = "status" in {k.lower() for k in filled}
    for name in (k for k in filled if _DUE.search(k) and (has_status or k.lower().startswith("next"))):
        late = [r for r in live if (d := _date(r.fields.get(name, ""))) and d < as_of]
        if late:
            issues.append(RowIssue("overdue", name, late))
    return issues


def _date(value: str) -> date | None:
    m = _ISO.search(value)
    if not m:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


def record_findings(
    texts: Mapping[str, str], tags: Mapping[str, Counter[str]], catalogue: Catalogue, as_of: date
) -> list[RecordFinding]:
    """Register issues across a workspace, each placed at the clause its rows concern."""
    out = []
    for source, text in texts.items():
        for issue in register_issues(text, as_of):
            keys = [r.key for r in issue.rows]
            what = "have no " + issue.column.lower() if issue.kind == "incomplete records" else "are past their "
            detail = f"{len(keys)} open row(s) {what}" + ("" if issue.kind == "incomplete records" else issue.column)
            clause = _clause_for(issue, tags.get(source, Counter()), catalogue)
            out.append(
                RecordFinding(
                    document=source,
                    kind=issue.kind,
                    detail=f"{detail}: {', '.join(keys)}",
                    clause_ids=[clause] if clause else [],
                    rows=keys,
                )
            )
    return out


def _clause_for(issue: RowIssue, tags: Counter[str], catalogue: Catalogue) -> str | None:
    """An overdue row names its subject ("corrective action ...", "change ..."); otherwise the
    clause among those the register is about whose cues best fit the column and rows."""
    if issue.kind == "overdue":
        values = " ".join(v for r in issue.rows for k, v in r.fields.items() if not _DUE.search(k))
        named = [c for c in catalogue.resolve(values) if c in catalogue and catalogue.is_leaf(c)]
        if named:
            return named[0]
    leaves = [c for c, _ in tags.most_common() if c in catalogue and catalogue.is_leaf(c)][:3]
    if not leaves:
        return None
    subject = [f"{k}: {v}" for r in issue.rows for k, v in r.fields.items() if not _DUE.search(k)]
    text = (issue.column if issue.kind == "incomplete records" else "") + " " + "; ".join(subject)

    def fit(clause_id: str) -> int:
        return sum(len(cue_hits(e.cues, text)) for e in catalogue.get(clause_id).elements)

    return max(leaves, key=fit)
