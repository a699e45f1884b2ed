"""The sentence an answer leads with: the fact asked for, in plain words, with where it is
stated. Quotes follow it as support.

A table row read whole ("Priority: P1 Critical; Definition: …; Initial response: 15
minutes; …") buries the one cell asked for, so a row leads with the cell whose column the
question names (or whose value is of the kind asked for), said together with its row key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.question import QuestionProfile, fuzzy_index, fuzzy_present
from assistant.evidence.rules import AnswerTypes
from assistant.evidence.units import AnswerUnit, UnitKind
from assistant.models import Origin, Passage
from assistant.text import content_terms

_FIELD = re.compile(r"^\s*([^:;]{1,60}):\s+(.+?)\s*$")
# answer types whose value alone says little ("2026" is a quantity and a date): a cell of
# such a type leads only when its column is also named by the question
_LOOSE_TYPES = frozenset({"quantity", "yes_no", "date", "version"})


@dataclass(frozen=True, slots=True)
class Lead:
    """The leading sentence (without its citation marker) and whether it gives only part of
    its unit, so that the unit itself should follow as a quote."""

    text: str
    partial: bool


def row_fields(text: str) -> list[tuple[str, str]]:
    """The ``Column: value`` cells of a table-row unit, in order; empty when it is not one."""
    cells = []
    for part in text.split(";"):
        m = _FIELD.match(part)
        if not m:
            if cells and part.strip():  # a value with a semicolon of its own
                header, value = cells[-1]
                cells[-1] = (header, f"{value}; {part.strip()}")
            continue
        cells.append((m.group(1).strip(), m.group(2).strip()))
    return cells if len(cells) >= 2 else []


def where(passage: Passage) -> str:
    """The document and the section a unit stands in, as a reader would name them."""
    leaf = passage.section.rsplit(" › ", 1)[-1].strip() if passage.section else ""
    if passage.origin is Origin.STANDARD:
        title = "the ISO/IEC 20000-1 guidance"
        return f"{title}, {leaf}" if leaf else title
    return f"{passage.title}, {leaf}" if leaf and leaf != passage.title else passage.title


def _cell_score(
    header: str, value: str, terms: set[str], fuzzy: dict[str, set[str]], profile: QuestionProfile, types: AnswerTypes
) -> tuple[int, int]:
    named = sum(1 for t in content_terms(header) if fuzzy_present(t, terms, fuzzy))
    typed = profile.asks & types.stated(value)
    strong = 1 if typed - _LOOSE_TYPES else 0
    return (named + strong, 1 if typed else 0) if (named or strong) else (0, 0)


def _end(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text.rstrip(";:,") + "."


def lead_for(unit: AnswerUnit, profile: QuestionProfile | None, types: AnswerTypes | None) -> Lead:
    """The plain sentence that answers first, from the unit ranked best."""
    place = where(unit.passage)
    cells = row_fields(unit.text) if unit.kind is UnitKind.TABLE_ROW else []
    if cells and profile is not None and types is not None:
        terms = set(profile.terms)
        fuzzy = fuzzy_index(terms)
        key_header, key_value = cells[0]
        scored = [
            (_cell_score(h, v, terms, fuzzy, profile, types), n, h, v) for n, (h, v) in enumerate(cells[1:], start=1)
        ]
        best = max(scored, key=lambda s: (s[0], -s[1]), default=None)
        if best is not None and best[0] > (0, 0):
            _, _, header, value = best
            return Lead(f"{header} for {key_header.lower()} {key_value}: {_end(value)[:-1]} ({place}).", True)
    body = f"{unit.lead_in} {unit.text}" if unit.lead_in else unit.text
    return Lead(f"{_end(body)[:-1]} ({place}).", False)
