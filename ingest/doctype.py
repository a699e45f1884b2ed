"""Infer a document's type (policy, procedure, plan, …) from its name and title."""

from __future__ import annotations

import re

from assistant.models import DocType

_RULES: list[tuple[DocType, re.Pattern[str]]] = [
    (DocType.REGISTER, re.compile(r"\b(register|inventory|log|cmdb|list of)\b")),
    (DocType.CATALOGUE, re.compile(r"\bcatalog(ue)?\b")),
    (DocType.AGREEMENT, re.compile(r"\b(sla|ola|agreement|contract|underpinning|terms)\b")),
    (DocType.RECORD, re.compile(r"\b(minutes|report|audit|record|review|results|assessment)\b")),
    (DocType.PROCEDURE, re.compile(r"\b(procedure|process|work instruction|runbook|playbook)\b")),
    (DocType.PLAN, re.compile(r"\b(plan|roadmap|programme|program|schedule)\b")),
    (DocType.POLICY, re.compile(r"\b(policy|scope|charter|standard|statement)\b")),
]


def infer_doc_type(name: str, title: str, fmt: str) -> DocType:
    """The first rule that matches the file name, then the title; registers by format."""
    for text in (name, title):
        normal = re.sub(r"[_\-.]+", " ", text.lower())
        for doc_type, pattern in _RULES:
            if pattern.search(normal):
                return doc_type
    if fmt in ("csv", "xlsx"):
        return DocType.REGISTER
    return DocType.OTHER
