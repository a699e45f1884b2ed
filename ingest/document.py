"""Format-neutral document structure shared by every loader and the chunker.

Loaders turn a file into an ordered list of ``Block``s; the chunker only ever sees
blocks, so adding a format never touches chunking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"  # one row rendered as "Column: value; Column: value"
    RECORD = "record"  # one row of a CSV/XLSX register, rendered like a table row


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit of a document, in reading order."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level (1 = top); 0 for non-headings
    page: int | None = None  # 1-based page for paginated formats (PDF)


@dataclass(slots=True)
class LoadedDocument:
    """What a loader returns: a title and the blocks, plus format facts.

    ``warnings`` say what was left out of the blocks on purpose (hidden text, sentences
    addressed to a reader of this tool), so the user can see that and why.
    """

    title: str
    blocks: list[Block]
    format: str  # "markdown", "text", "html", "pdf", "docx", "csv", "xlsx"
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage cut from a document along its structure."""

    text: str
    section_path: tuple[str, ...]
    page: int | None
    index: int  # position in the document, 0-based

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)
