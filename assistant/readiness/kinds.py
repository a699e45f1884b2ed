"""Elements evidenced only by a kind of record: management review inputs by the review's
minutes, audit results by the audit report, continuity test results by a test record.

The evidence check cites the passage most like an element wherever it is; for these
elements an auditor accepts only the record itself, so evidence from any other document is
set aside and the element is looked for in the documents of its kind
(``knowledge/rules/document_kinds.yaml``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, model_validator

from assistant.answering.evidence import best_sentence
from assistant.catalogue import Catalogue
from assistant.errors import KnowledgeError
from assistant.knowledge_files import read_validated
from assistant.models import DocumentRecord, ElementFinding, ElementStatus, Passage
from assistant.readiness.elements import ElementRules, cue_hits


class _Kind(BaseModel):
    names: list[str]


class _KindsFile(BaseModel):
    kinds: dict[str, _Kind]
    elements: dict[str, str]

    @model_validator(mode="after")
    def _known_kinds(self) -> _KindsFile:
        unknown = sorted({k for k in self.elements.values() if k not in self.kinds})
        if unknown:
            raise ValueError(f"elements name kinds that are not defined: {unknown}")
        return self


@dataclass(frozen=True, slots=True)
class DocumentKinds:
    names: dict[str, tuple[str, ...]]
    elements: dict[str, str]

    @classmethod
    def load(cls, knowledge_dir: Path, catalogue: Catalogue) -> DocumentKinds:
        path = knowledge_dir / "rules" / "document_kinds.yaml"
        data = read_validated(path, _KindsFile)
        missing = sorted(e for e in data.elements if e not in catalogue.elements)
        if missing:
            raise KnowledgeError(f"rules file {path}: elements: no such element {missing}")
        return cls({k: tuple(n.lower() for n in v.names) for k, v in data.kinds.items()}, dict(data.elements))

    def of(self, record: DocumentRecord) -> set[str]:
        """The kinds a document is, from its title and file name."""
        name = f"{record.title} {record.source}".lower().replace("-", " ").replace("_", " ")
        return {kind for kind, names in self.names.items() if any(n in name for n in names)}

    def documents(self, records: Iterable[DocumentRecord]) -> dict[str, set[str]]:
        """Kind -> the documents of that kind."""
        out: dict[str, set[str]] = {kind: set() for kind in self.names}
        for record in records:
            for kind in self.of(record):
                out[kind].add(record.source)
        return out


def hold_to_kind(
    findings: list[ElementFinding],
    kinds: DocumentKinds,
    documents: dict[str, set[str]],
    passages: Iterable[Passage],
    rules: ElementRules,
) -> tuple[list[ElementFinding], set[str]]:
    """Findings with evidence from the wrong kind of document replaced by the passage of the
    right kind that names most of the element's cues, and the elements left with none."""
    pool = list(passages)
    out: list[ElementFinding] = []
    absent: set[str] = set()
    for f in findings:
        kind = kinds.elements.get(f.element_id)
        if kind is None or f.status is ElementStatus.NOT_FOUND or f.document in documents.get(kind, set()):
            out.append(f)
            continue
        element = rules.element(f.element_id)
        of_kind = [p for p in pool if p.source in documents.get(kind, set())]
        candidates = [(n, p) for p in of_kind if (n := len(cue_hits(element.cues, f"{p.section} {p.text}")))]
        if not candidates:
            absent.add(f.element_id)
            out.append(
                f.model_copy(
                    update={
                        "status": ElementStatus.WEAK if f.status is ElementStatus.EVIDENCED else f.status,
                        "document": None,
                        "section": None,
                        "passage_id": None,
                        "quote": f"no {kind} records it",
                        "matched_cues": [],
                    }
                )
            )
            continue
        _, best = max(candidates, key=lambda c: c[0])
        out.append(
            f.model_copy(
                update={
                    "passage_id": best.id,
                    "document": best.source,
                    "section": best.section,
                    "quote": best_sentence(best.text, element),
                    "matched_cues": cue_hits(element.cues, best.text),
                }
            )
        )
    return out, absent
