"""The clause catalogue: the single authority on which ISO/IEC 20000-1:2018 clauses exist.

Loaded from ``knowledge/standard/clauses.yaml`` (our own words, never the standard's
text) and validated on load, so a malformed knowledge base fails loudly at start-up
instead of producing an invented citation later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from assistant.errors import KnowledgeError, UnknownClause
from assistant.knowledge_files import load_yaml
from assistant.text import CLAUSE_NUMBER


class Element(BaseModel):
    """One checkable requirement element of a clause."""

    id: str
    statement: str
    cues: list[str] = Field(default_factory=list)
    documented: bool = False

    @property
    def clause_id(self) -> str:
        return self.id.rsplit("-e", 1)[0]


class Clause(BaseModel):
    """A clause of the 2018 edition, described in our own words."""

    id: str
    title: str
    parent: str | None = None
    group: str
    intent: str
    aliases: list[str] = Field(default_factory=list)
    elements: list[Element] = Field(default_factory=list)
    documented_information: list[str] = Field(default_factory=list)
    records_sampled: list[str] = Field(default_factory=list)
    auditor_focus: list[str] = Field(default_factory=list)
    common_findings: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    edition_2011: str | None = None

    @field_validator("id", "parent", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        if isinstance(value, int | float):
            raise ValueError(f"clause id {value!r} must be quoted as a string in YAML")
        return value

    @property
    def label(self) -> str:
        return f"{self.id} {self.title}"

    @property
    def depth(self) -> int:
        return self.id.count(".")

    @property
    def top(self) -> str:
        return self.id.split(".")[0]


_CLAUSE_NUMBER = re.compile(
    r"(?<![\w.\-–])(?P<prefix>(?:clauses?|§|sections?|cl\.)\s*)?"
    r"(?P<id>" + CLAUSE_NUMBER + r")(?![\w]|\.\d)"
    r"(?!\s*[-–]\s*\d)"  # the start of a range ("7.5-10 days") is a figure, not a clause
    r"(?!\s*\+?\s*(?:%|percent|hours?|days?|minutes?|mins?|weeks?|months?|years?|h\b|\|))",
    re.IGNORECASE,
)
_VERSION_BEFORE = re.compile(r"(?:version|v|ver\.?|release|iso\s*\d+|rev\.?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Phrase:
    pattern: re.Pattern[str]
    clause_ids: tuple[str, ...]
    length: int
    words: tuple[str, ...]  # each occurs in any text the pattern matches; () when not ASCII
    case_sensitive: bool

    def may_match(self, text: str, lowered: str) -> bool:
        """A cheap exact pre-check: a phrase whose words are absent cannot match, which
        spares most of the hundreds of patterns run over every chunk and question."""
        haystack = text if self.case_sensitive else lowered
        return all(w in haystack for w in self.words)


def _version_before(text: str, end: int) -> bool:
    """Whether ``text[:end]`` ends in a version marker ("v 8.2", "ISO 20000 8.2").

    Only the marker and the spaces and digits after it can take part in a match, so the
    search starts just before that run instead of rescanning the whole text for every
    number in it (which made long documents quadratic).
    """
    start = end
    while start > 0 and (text[start - 1].isspace() or text[start - 1].isdigit()):
        start -= 1
    return _VERSION_BEFORE.search(text, max(0, start - 8), end) is not None


def _is_acronym(phrase: str) -> bool:
    return phrase.isupper() and len(phrase.replace(" ", "")) <= 6


def _required_words(phrase: str) -> tuple[str, ...]:
    if not phrase.isascii():
        return ()
    return tuple(phrase.split() if _is_acronym(phrase) else phrase.lower().split())


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    body = r"[\s\-/]+".join(words)
    # Short all-caps acronyms ("CAB", "DR") must match case-sensitively, or "dr" in
    # ordinary prose would name a clause.
    acronym = _is_acronym(phrase)
    suffix = r"(?:s|es)?" if not acronym else r"s?"
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![\w]){body}{suffix}(?![\w])", flags)


class Catalogue:
    """Typed, validated clause catalogue with lookup and clause resolution."""

    def __init__(self, clauses: Iterable[Clause], edition_2011: dict[str, list[str]] | None = None):
        self._clauses: dict[str, Clause] = {}
        for clause in clauses:
            if clause.id in self._clauses:
                raise KnowledgeError(f"clause {clause.id} is defined twice")
            self._clauses[clause.id] = clause
        self._edition_2011 = edition_2011 or {}
        self._validate()

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(cls, knowledge_dir: Path) -> Catalogue:
        """Load ``standard/clauses.yaml`` (and the 2011 name map) from ``knowledge_dir``."""
        path = knowledge_dir / "standard" / "clauses.yaml"
        raw = _read_yaml(path)
        items = raw.get("clauses") if isinstance(raw, dict) else raw
        if not isinstance(items, list):
            raise KnowledgeError(f"{path}: expected a list of clauses")
        clauses: list[Clause] = []
        for index, item in enumerate(items):
            try:
                clauses.append(Clause.model_validate(item))
            except ValidationError as exc:
                ident = item.get("id") if isinstance(item, dict) else index
                raise KnowledgeError(f"{path}: clause {ident}: {exc}") from exc
        mapping_path = knowledge_dir / "standard" / "edition_2011.yaml"
        mapping: dict[str, list[str]] = {}
        if mapping_path.exists():
            data = _read_yaml(mapping_path) or {}
            for name, ids in (data.get("areas") or {}).items():
                mapping[str(name)] = [str(i) for i in ids]
        return cls(clauses, mapping)

    def _validate(self) -> None:
        problems: list[str] = []
        element_ids: set[str] = set()
        for clause in self._clauses.values():
            if clause.parent is not None and clause.parent not in self._clauses:
                problems.append(f"{clause.id}: parent {clause.parent} does not exist")
            for rel in clause.related:
                if rel not in self._clauses:
                    problems.append(f"{clause.id}: related clause {rel} does not exist")
            if self.is_leaf(clause.id) and not clause.elements:
                problems.append(f"{clause.id}: a leaf clause needs requirement elements")
            for element in clause.elements:
                if element.id in element_ids:
                    problems.append(f"element {element.id} is defined twice")
                element_ids.add(element.id)
                if element.clause_id != clause.id:
                    problems.append(f"{clause.id}: element {element.id} is named for another clause")
        for name, ids in self._edition_2011.items():
            problems += [f"2011 area {name!r}: clause {i} does not exist" for i in ids if i not in self]
        if problems:
            raise KnowledgeError("clause catalogue is invalid:\n  " + "\n  ".join(problems))

    # -- lookup ----------------------------------------------------------------------
    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._clauses

    def __len__(self) -> int:
        return len(self._clauses)

    def __iter__(self):
        return iter(self._clauses.values())

    @property
    def ids(self) -> list[str]:
        return list(self._clauses)

    def get(self, clause_id: str) -> Clause:
        try:
            return self._clauses[clause_id]
        except KeyError:
            raise UnknownClause(
                f"clause {clause_id!r} does not exist in ISO/IEC 20000-1:2018 "
                "(valid ids run from 4 to 10.2; see `auditprep clauses`)"
            ) from None

    def children(self, clause_id: str) -> list[Clause]:
        self.get(clause_id)
        return [c for c in self._clauses.values() if c.parent == clause_id]

    def is_leaf(self, clause_id: str) -> bool:
        return not any(c.parent == clause_id for c in self._clauses.values())

    def leaves(self, under: str | None = None) -> list[Clause]:
        """Leaf clauses, optionally only those at or below ``under``."""
        return [
            c for c in self._clauses.values() if self.is_leaf(c.id) and (under is None or self.is_within(c.id, under))
        ]

    def is_within(self, clause_id: str, ancestor: str) -> bool:
        return clause_id == ancestor or clause_id.startswith(ancestor + ".")

    def ancestors(self, clause_id: str) -> list[str]:
        chain: list[str] = []
        parent = self.get(clause_id).parent
        while parent is not None:
            chain.append(parent)
            parent = self._clauses[parent].parent
        return chain

    def elements_for(self, clause_id: str) -> list[Element]:
        """Every requirement element at or below a clause, in catalogue order."""
        self.get(clause_id)
        return [e for c in self._clauses.values() if self.is_within(c.id, clause_id) for e in c.elements]

    @cached_property
    def elements(self) -> dict[str, Element]:
        return {e.id: e for c in self._clauses.values() for e in c.elements}

    def element(self, element_id: str) -> Element:
        try:
            return self.elements[element_id]
        except KeyError:
            raise UnknownClause(f"requirement element {element_id!r} does not exist") from None

    @cached_property
    def title_words(self) -> frozenset[str]:
        """Lower-case words of clause titles: the subjects documents are named after."""
        return frozenset(w.strip(",").lower() for c in self._clauses.values() for w in c.title.split())

    @property
    def edition_2011(self) -> dict[str, list[str]]:
        return dict(self._edition_2011)

    # -- resolution ------------------------------------------------------------------
    @cached_property
    def _phrases(self) -> list[_Phrase]:
        table: dict[str, set[str]] = {}

        def add(phrase: str, ids: Iterable[str]) -> None:
            phrase = " ".join(phrase.split())
            if len(phrase) < 2:
                return
            key = phrase if phrase.isupper() else phrase.lower()
            table.setdefault(key, set()).update(ids)

        for clause in self._clauses.values():
            for alias in clause.aliases:
                add(alias, [clause.id])
            if len(clause.title.split()) >= 2 and clause.title.lower() not in _GENERIC_TITLES:
                add(clause.title, [clause.id])
        for name, ids in self._edition_2011.items():
            add(name, ids)
        order = {cid: i for i, cid in enumerate(self._clauses)}
        return sorted(
            (
                _Phrase(
                    _phrase_pattern(p),
                    tuple(sorted(ids, key=order.__getitem__)),
                    len(p),
                    _required_words(p),
                    _is_acronym(p),
                )
                for p, ids in table.items()
            ),
            key=lambda ph: -ph.length,
        )

    def resolve(self, text: str) -> list[str]:
        """Clause ids a text names: numbers, process names, synonyms and 2011 names.

        Longer phrases win over the shorter phrases they contain ("change management
        policy" names 8.5.1.1, not 8.5.1). Ids come back in order of first mention.
        """
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        for match in _CLAUSE_NUMBER.finditer(text):
            clause_id = match.group("id")
            if clause_id not in self._clauses:
                continue
            bare_integer = "." not in clause_id
            if bare_integer and not match.group("prefix"):
                continue  # "8 hours", "within 4 days": only "clause 8" names a clause
            if _version_before(text, match.start()):
                continue
            found.append((match.start(), clause_id))
            taken.append(match.span())
        # Case-insensitive matching equals lowercase substring search only for ASCII text.
        lowered = text.lower() if text.isascii() else None
        for phrase in self._phrases:
            if lowered is not None and not phrase.may_match(text, lowered):
                continue
            for match in phrase.pattern.finditer(text):
                start, end = match.span()
                if any(start < t_end and end > t_start for t_start, t_end in taken):
                    continue
                taken.append((start, end))
                found.extend((start, cid) for cid in phrase.clause_ids)
        ordered: list[str] = []
        for _, clause_id in sorted(found, key=lambda item: item[0]):
            if clause_id not in ordered:
                ordered.append(clause_id)
        return ordered


_GENERIC_TITLES = {
    "general",
    "design",
    "policy",
    "resources",
    "knowledge",
    "plan the services",
    "service management system",
}


def _read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return load_yaml(handle)
    except FileNotFoundError:
        raise KnowledgeError(f"knowledge file missing: {path}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc
