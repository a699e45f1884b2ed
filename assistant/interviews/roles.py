"""The role names the fact reader compares (``knowledge/rules/roles.yaml``), plus the roles an
organization's own documents define.

A generic list cannot know that one organization's "EOC" approves changes or that another calls
its change board "the TAB": documents define such names as an acronym after a name ending in
a role word ("Engineer On Call (EOC)"). Those definitions are read from the passages being
compared, so an answer and a procedure that both say "EOC" (or one spells it out) name the
same role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from assistant.knowledge_files import read_validated
from assistant.text import normalize_ws

# "Incident Manager On Call (IMOC)": up to six capitalised (or linking) words, then the acronym
_DEFINITION = re.compile(r"((?:[A-Z][\w.]*[ -](?:(?:on|of|for|and)[ -])?){0,5}[A-Z][\w.]*)\s*\(([A-Z]{2,6})\)")


class _RolesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    names: list[str] = Field(min_length=1)
    aliases: dict[str, str] = Field(default_factory=dict)
    heads: list[str] = Field(min_length=1)


def _key(name: str) -> str:
    return normalize_ws(name.lower().replace("oncall", "on-call").replace("on call", "on-call"))


def _name_pattern(name: str) -> str:
    words = [re.escape(w) for w in _key(name).replace("on-call", "on call").split()]
    return r"[\s-]?".join(words) if len(words) > 1 and words[-2:] == ["on", "call"] else r"\s+".join(words)


@dataclass(frozen=True, slots=True)
class RoleNames:
    """Role names (lower case) and what each is compared as; ``pattern`` finds them in text."""

    names: frozenset[str]
    aliases: dict[str, str]
    heads: frozenset[str]
    pattern: re.Pattern[str] = field(compare=False)

    @classmethod
    def of(cls, names: Iterable[str], aliases: dict[str, str], heads: Iterable[str]) -> RoleNames:
        keys = frozenset(_key(n) for n in names if n.strip())
        body = "|".join(_name_pattern(n) for n in sorted(keys, key=len, reverse=True))
        pattern = re.compile(rf"\b({body})s?\b", re.I)
        return cls(keys, {_key(k): _key(v) for k, v in aliases.items()}, frozenset(h.lower() for h in heads), pattern)

    def canonical(self, name: str) -> str:
        key = _key(name)
        return self.aliases.get(key, key)

    def find(self, text: str) -> list[str]:
        """The roles named in ``text``, each as it is compared."""
        return sorted({self.canonical(m.group(1)) for m in self.pattern.finditer(text)})

    def with_documents(self, texts: Iterable[str]) -> RoleNames:
        """These names plus the roles the documents define: a name ending in a role word,
        followed by an acronym made of its initials."""
        names = set(self.names)
        aliases = dict(self.aliases)
        for text in texts:
            for m in _DEFINITION.finditer(text):
                long, short = _trim(m.group(1), m.group(2))
                if long and re.split(r"[\s-]", _key(long))[-1] in self.heads:
                    names |= {_key(long), _key(short)}
                    aliases.setdefault(_key(short), aliases.get(_key(long), _key(long)))
        if names == set(self.names):
            return self
        return RoleNames.of(names, aliases, self.heads)


def _trim(long: str, short: str) -> tuple[str | None, str]:
    """The words of ``long`` whose initials spell ``short`` (linking words may be skipped)."""
    words = re.split(r"[ -]", long)
    for start in range(len(words)):
        tail = words[start:]
        initials = "".join(w[0] for w in tail if w and w[0].isupper())
        if tail and tail[0][:1].isupper() and initials.upper() == short.upper():
            return " ".join(tail), short
    return None, short


def load_roles(knowledge_dir: Path) -> RoleNames:
    data = read_validated(knowledge_dir / "rules" / "roles.yaml", _RolesFile)
    return RoleNames.of(data.names, data.aliases, data.heads)
