"""The standard's knowledge as ingestible documents: guidance files and one rendered
passage set per catalogue clause (the question bank stays out of retrieval)."""

from __future__ import annotations

from pathlib import Path

from assistant.catalogue import Catalogue, Clause
from ingest.document import Block, BlockKind, LoadedDocument


def guidance_files(knowledge_dir: Path) -> list[Path]:
    return sorted((knowledge_dir / "guidance").glob("*.md"))


def render_clause(clause: Clause, catalogue: Catalogue) -> LoadedDocument:
    """A clause's catalogue entry as a small document, in our own words."""
    title = f"ISO/IEC 20000-1:2018 clause {clause.id} {clause.title}"
    blocks = [Block(BlockKind.HEADING, title, level=1)]

    def section(name: str, items: list[str]) -> None:
        if items:
            blocks.append(Block(BlockKind.HEADING, name, level=3))
            blocks.extend(Block(BlockKind.LIST_ITEM, i) for i in items)

    blocks.append(Block(BlockKind.HEADING, "What the clause asks for", level=3))
    blocks.append(Block(BlockKind.PARAGRAPH, clause.intent.strip()))
    if clause.parent:
        parent = catalogue.get(clause.parent)
        blocks.append(Block(BlockKind.PARAGRAPH, f"Part of clause {parent.id} {parent.title}."))
    if clause.edition_2011:
        blocks.append(
            Block(
                BlockKind.PARAGRAPH,
                f"In the 2011 edition this was covered by: {clause.edition_2011}.",
            )
        )
    section("Requirement elements an auditor verifies", [e.statement for e in clause.elements])
    section("Documented information auditors expect", clause.documented_information)
    section("Records a Stage 2 auditor samples", clause.records_sampled)
    section("Where auditors focus", clause.auditor_focus)
    section("Common findings", clause.common_findings)
    related = [f"{r} {catalogue.get(r).title}" for r in clause.related]
    section("Related clauses", related)
    return LoadedDocument(title=title, blocks=blocks, format="clause", metadata={"clauses": clause.id})
