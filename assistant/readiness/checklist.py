"""The Stage 1 checklist: the documents a Stage 1 auditor reviews, found (or not) among
the workspace's documents by name, title and type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.models import DocType, DocumentRecord, DocumentStatus


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
        items.append(ChecklistItem(spec.key, spec.label, list(spec.clauses), status, sorted(docs), note))
    return items
