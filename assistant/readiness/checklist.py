"""The Stage 1 checklist: the documents a Stage 1 auditor reviews, found (or not) among
the workspace's documents by name, title and type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.catalogue import Catalogue
from assistant.manifest import Manifest
from assistant.models import DocType, DocumentRecord, DocumentStatus
from assistant.ports import VectorStore
from assistant.text import CLAUSE_NUMBER


class ItemStatus(StrEnum):
    PRESENT = "present"
    WEAK = "weak"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class ChecklistSpec:
    key: str
    label: str
    clauses: tuple[str, ...]
    pattern: re.Pattern[str]
    doc_types: tuple[DocType, ...] = ()
    minimum: int = 1


@dataclass(slots=True)
class ChecklistItem:
    key: str
    label: str
    clauses: list[str]
    status: ItemStatus
    documents: list[str] = field(default_factory=list)
    note: str = ""
    finding: str = ""  # missing | weak | vague targets | audit coverage; empty when present


STAGE1: tuple[ChecklistSpec, ...] = (
    ChecklistSpec("scope", "SMS scope statement", ("4.3",), re.compile(r"\bscope\b", re.I)),
    ChecklistSpec(
        "policy",
        "Service management policy",
        ("5.2.1",),
        re.compile(r"service management policy|\bsm policy\b|\bsms policy\b", re.I),
    ),
    ChecklistSpec(
        "plan",
        "Service management plan",
        ("6.3", "4.4"),
        re.compile(r"\bsms plan\b|service management (system )?plan", re.I),
    ),
    ChecklistSpec("catalogue", "Service catalogue", ("8.2.4",), re.compile(r"catalog(ue)?", re.I)),
    ChecklistSpec(
        "sla",
        "SLAs with measurable targets",
        ("8.3.3",),
        re.compile(r"\bsla\b|service level agreement", re.I),
        (DocType.AGREEMENT,),
    ),
    ChecklistSpec("risks", "Risk register", ("6.1",), re.compile(r"\brisk (register|log)\b", re.I)),
    ChecklistSpec(
        "internal_audit",
        "Internal audit records (covering clauses 4-10)",
        ("9.2",),
        re.compile(r"internal audit", re.I),
    ),
    ChecklistSpec(
        "management_review",
        "Management review minutes",
        ("9.3",),
        re.compile(r"management review", re.I),
    ),
    ChecklistSpec(
        "processes",
        "Process documentation",
        ("8.1",),
        re.compile(r"procedure|process\b", re.I),
        (DocType.PROCEDURE,),
        minimum=3,
    ),
)


def stage1_checklist(records: list[DocumentRecord]) -> list[ChecklistItem]:
    """Each Stage 1 item with the documents that appear to provide it."""
    indexed = [r for r in records if r.status is DocumentStatus.INDEXED and r.version > 0]
    items: list[ChecklistItem] = []
    for spec in STAGE1:
        docs = [
            r.source
            for r in indexed
            if spec.pattern.search(r.title)
            or spec.pattern.search(r.source.replace("-", " "))
            or (spec.doc_types and r.doc_type in spec.doc_types)
        ]
        if len(docs) >= spec.minimum:
            status = ItemStatus.PRESENT
        elif docs:
            status = ItemStatus.WEAK
        else:
            status = ItemStatus.MISSING
        note = (
            ""
            if status is ItemStatus.PRESENT
            else (f"only {len(docs)} found; at least {spec.minimum} expected" if docs else "no document found")
        )
        finding = "" if status is ItemStatus.PRESENT else status.value
        items.append(ChecklistItem(spec.key, spec.label, list(spec.clauses), status, sorted(docs), note, finding))
    return items


_MEASURABLE = re.compile(r"\d+(\.\d+)?\s*(%|percent|minutes?|mins?|hours?|hrs?|business days?|days?)", re.I)
_CLAUSE_MENTION = re.compile(r"\b(?:clause\s*)?(" + CLAUSE_NUMBER + r")\b")
AUDIT_GROUPS: tuple[tuple[str, str], ...] = (
    ("4", "4 Context of the organization"),
    ("5", "5 Leadership"),
    ("6", "6 Planning"),
    ("7", "7 Support"),
    ("8.1", "8.1 Operational planning and control"),
    ("8.2", "8.2 Service portfolio"),
    ("8.3", "8.3 Relationship and agreement"),
    ("8.4", "8.4 Supply and demand"),
    ("8.5", "8.5 Service design, build and transition"),
    ("8.6", "8.6 Resolution and fulfilment"),
    ("8.7", "8.7 Service assurance"),
    ("9", "9 Performance evaluation"),
    ("10", "10 Improvement"),
)


def document_texts(
    store: VectorStore, manifest: Manifest, collection: str, records: list[DocumentRecord]
) -> dict[str, str]:
    """Each document's full text, rebuilt from its committed chunks in order."""
    texts: dict[str, str] = {}
    for record in records:
        ids = manifest.chunk_ids(collection, record.document_id)
        chunks = sorted(store.get(collection, ids), key=lambda c: int(c.metadata.get("chunk_index", 0)))
        texts[record.source] = "\n".join(c.text for c in chunks)
    return texts


def assess_checklist(records: list[DocumentRecord], texts: dict[str, str], catalogue: Catalogue) -> list[ChecklistItem]:
    """The checklist with content checks: SLAs need measurable targets, internal audits need to
    cover clauses 4 to 10."""
    items = stage1_checklist(records)
    for item in items:
        if item.key == "sla" and item.documents:
            vague = [d for d in item.documents if len(_MEASURABLE.findall(texts.get(d, ""))) < 3]
            if vague:
                item.status = ItemStatus.WEAK
                item.note = "no measurable targets in: " + ", ".join(vague)
                item.finding = "vague targets"
        if item.key == "internal_audit" and item.documents:
            uncovered = audit_gaps(" ".join(texts.get(d, "") for d in item.documents), catalogue)
            if uncovered:
                item.status = ItemStatus.WEAK
                item.note = "the audit records do not cover: " + ", ".join(uncovered)
                item.finding = "audit coverage"
    return items


def audit_gaps(text: str, catalogue: Catalogue) -> list[str]:
    """Clause groups 4-10 (clause 8 by its seven parts) that audit records never mention."""
    mentioned = set(_CLAUSE_MENTION.findall(text)) | set(catalogue.resolve(text))
    return [label for key, label in AUDIT_GROUPS if not any(m == key or m.startswith(key + ".") for m in mentioned)]
