"""Document identification (7.5.2): each SMS document states its version and its owner or
approver, in a control block or a revision table.

The evidence check cites the passage most like "each document carries identification"
wherever it is; on a handbook of pages that carry no version and no owner it finds a loose
match and reads the requirement as merely unclear, and on policies that carry a revision
table it finds nothing at all, since a table of versions reads like no sentence of the
standard. Whether a document is identified is a fact of the document itself, read here from
its lines with the patterns of ``knowledge/rules/document_identification.yaml``: when no
document of the workspace is identified, the element is held absent; when one is, its
control block or revision table evidences the element."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.catalogue import Catalogue
from assistant.errors import KnowledgeError
from assistant.evidence.rules import compile_patterns
from assistant.knowledge_files import read_validated
from assistant.models import ElementFinding, ElementStatus, Passage
from assistant.readiness.elements import Downgrade

RULES = Path("rules") / "document_identification.yaml"
NAMED = 4  # documents named in the reason


@dataclass(frozen=True, slots=True)
class Identified:
    """A document that states its version and owner, with the line that shows it and the
    passage holding that line (None when no passage holds it whole)."""

    document: str
    line: str
    passage: Passage | None


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

    def evidence(self, texts: Mapping[str, str], passages: Iterable[Passage]) -> Identified | None:
        """The first identified document (by name), with the owner or version line that
        shows it, or None when no document is identified."""
        pool = list(passages)
        for name in sorted(texts):
            text = texts[name]
            if not self.identified(text):
                continue
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            line = next((ln for ln in lines if self.owner.search(ln)), "")
            held = next((p for p in pool if p.source == name and line and line in p.text), None)
            return Identified(name, line, held)
        return None

    def confirm(self, findings: list[ElementFinding], identified: Identified | None) -> list[ElementFinding]:
        """Findings with the identification element evidenced by an identified document's
        control block or revision table, when the evidence check left it below evidenced."""
        if identified is None:
            return findings
        out = []
        for f in findings:
            if f.element_id != self.element or f.status is ElementStatus.EVIDENCED:
                out.append(f)
                continue
            p = identified.passage
            out.append(
                f.model_copy(
                    update={
                        "status": ElementStatus.EVIDENCED,
                        "document": identified.document,
                        "passage_id": p.id if p else None,
                        "section": p.section if p else None,
                        "quote": identified.line or None,
                        "matched_cues": [],
                    }
                )
            )
        return out
