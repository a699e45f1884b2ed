"""Answer units: the sentences, list items (with their lead-in) and table rows (with their
column headers) that answers are built from, each with its passage's provenance.

A chunk is too long to be an answer and a bare sentence splitter cuts a table row into
cells that no longer say which row they belong to ("15 minutes" without "P1"), so rows
stay whole and list items carry the sentence that introduces them. A short list under a
lead-in ("the following people should be informed: - Head of Hosting - Product Manager")
is also one unit as a whole: its items are the answer together, and an item of one or two
words says nothing on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.models import Passage
from assistant.text import normalize_ws, sentences

_ROW = re.compile(r"^[^:;\n]{1,60}:\s.+;\s*[^:;\n]{1,60}:\s")  # "Column: value; Column: value"
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_MARKUP = re.compile(r"<br\s*/?>|</?(?:b|i|em|strong|code|span|p|u)>|\*\*|__|`", re.I)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
MAX_UNIT_WORDS = 90  # longer units are cut at a sentence boundary; answers quote units whole
MIN_UNIT_WORDS = 3


class UnitKind(StrEnum):
    SENTENCE = "sentence"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"


@dataclass(frozen=True, slots=True)
class AnswerUnit:
    """One quotable statement and where it stands."""

    text: str
    kind: UnitKind
    passage: Passage
    position: int  # order within the passage
    lead_in: str = ""  # the sentence introducing a list item
    line: str = ""  # the passage line it came from, as written (what a citation quotes)
    items: tuple[str, ...] = ()  # a whole list under its lead-in: the items, each as written

    @property
    def words(self) -> int:
        """Words an answer spends on the unit (a whole list is shown with its lead-in)."""
        return len((self.context_text if self.items else self.text).split())

    def repeats(self, other: AnswerUnit) -> bool:
        """One of the two is part of the other: a whole list, and one of its items or the
        lead-in it opens with."""
        if self.passage.id != other.passage.id:
            return False
        whole, part = (self, other) if self.items else (other, self)
        return bool(whole.items) and (part.text in whole.items or part.text == whole.lead_in)

    @property
    def quote(self) -> str | None:
        """Verbatim text of the passage to cite: the unit when it reads as written, else
        its whole line; None when neither is verbatim."""
        source = normalize_ws(self.passage.text)
        for candidate in (self.text, normalize_ws(self.line)):
            if candidate and candidate in source:
                return candidate
        return None

    @property
    def context_text(self) -> str:
        """The unit with its lead-in: what it means read on its own."""
        return f"{self.lead_in} {self.text}".strip() if self.lead_in else self.text


def clean(text: str) -> str:
    return normalize_ws(_LINK.sub(r"\1", _MARKUP.sub(" ", text)))


def _bounded(text: str) -> list[str]:
    """A long line cut into pieces of at most ``MAX_UNIT_WORDS`` at sentence ends."""
    if len(text.split()) <= MAX_UNIT_WORDS:
        return [text]
    pieces, current = [], ""
    for s in sentences(text) or [text]:
        if current and len((current + " " + s).split()) > MAX_UNIT_WORDS:
            pieces.append(current)
            current = s
        else:
            current = f"{current} {s}".strip()
    if current:
        pieces.append(current)
    return [" ".join(p.split()[:MAX_UNIT_WORDS]) for p in pieces]


def _plain_item(text: str, lead_in: str) -> bool:
    """A line read as an item of the list its lead-in opens, though extraction dropped the
    bullet: a phrase, not a sentence (no closing stop), and no longer than the lead-in."""
    return bool(text) and not text.endswith((".", "!", "?", ":")) and len(text.split()) <= len(lead_in.split())


def units_of(passage: Passage) -> list[AnswerUnit]:
    """The passage's units in reading order; fragments under ``MIN_UNIT_WORDS`` dropped.
    A list of at least two items under a lead-in is also kept whole, after its items."""
    out: list[AnswerUnit] = []
    lead_in, lead_line = "", ""
    items: list[str] = []
    marked = False  # the list's items carry bullets: a line without one ends it

    def close_list() -> None:
        nonlocal marked
        marked = False
        whole = "; ".join(items)
        if lead_in and len(items) >= 2 and len(f"{lead_in} {whole}".split()) <= MAX_UNIT_WORDS:
            out.append(AnswerUnit(whole, UnitKind.LIST_ITEM, passage, len(out), lead_in, lead_line, tuple(items)))
        items.clear()

    for raw in passage.text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if _ROW.match(line):
            kind, texts = UnitKind.TABLE_ROW, _bounded(clean(line))
        elif _LIST_ITEM.match(line):
            kind, texts = UnitKind.LIST_ITEM, _bounded(clean(_LIST_ITEM.sub("", line)))
            items.extend(t for t in texts if t)
            marked = True
        else:
            kind = UnitKind.SENTENCE
            cleaned = clean(line)
            texts = [p for s in sentences(cleaned) for p in _bounded(s)]
            if lead_in and not marked and _plain_item(cleaned, lead_in):
                items.append(cleaned)
            else:
                close_list()
                if texts and texts[-1].rstrip().endswith(":"):
                    lead_in, lead_line = texts[-1], line
                elif texts:
                    lead_in, lead_line = "", ""
        if kind is UnitKind.TABLE_ROW:
            close_list()
        for text in texts:
            if len(text.split()) < MIN_UNIT_WORDS:
                continue
            out.append(AnswerUnit(text, kind, passage, len(out), lead_in if kind is UnitKind.LIST_ITEM else "", line))
    close_list()
    return out
