"""Document identification (7.5.2): each SMS document states its version and its owner or
approver, in a control block or a revision table.

The evidence check cites the passage most like "each document carries identification"
wherever it is; on a handbook of pages that carry no version and no owner it finds a loose
match and reads the requirement as merely unclear. Whether a document is identified is a
fact of the document itself, read here from its lines with the patterns of
``knowledge/rules/document_identification.yaml``: when no document of the workspace is
identified, the element is held absent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.catalogue import Catalogue
from assistant.errors import KnowledgeError
from assistant.evidence.rules import compile_patterns
from assistant.knowledge_files import read_validated
from assistant.readiness.elements import Downgrade

RULES = Path("rules") / "document_identification.yaml"
NAMED = 4  # documents named in the reason


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    element: str
    version: list[str]
    owner: list[str]


@dataclass(frozen=True, slots=True)
class Identification:
    element: str
    version: re.Pattern[str]
    owner: re.Pattern[str]

    @classmethod
    def load(cls, knowledge_dir: Path, catalogue: Catalogue) -> Identification:
        path = knowledge_dir / RULES
        data = read_validated(path, _File)
        if data.element not in catalogue.elements:
            raise KnowledgeError(f"rules file {path}: element: no such element {data.element!r}")
        if not data.version or not data.owner:
            raise KnowledgeError(f"rules file {path}: version and owner each need a pattern")
        return cls(
            data.element,
            compile_patterns(data.version, f"{path}: version"),
            compile_patterns(data.owner, f"{path}: owner"),
        )

    def identified(self, text: str) -> bool:
        """Whether a document states its version and its owner or approver."""
        lines = text.splitlines()
        return any(self.version.search(line) for line in lines) and any(self.owner.search(line) for line in lines)

    def unidentified(self, texts: Mapping[str, str]) -> list[Downgrade]:
        """The identification element held absent when no document is identified (nothing,
        for a workspace with no documents: the clause is then absent as a whole)."""
        if not texts or any(self.identified(t) for t in texts.values()):
            return []
        names = sorted(texts)
        shown = ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
        return [Downgrade(self.element, names[0], f"no version and owner stated in {shown}")]
