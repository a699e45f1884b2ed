"""Structure-aware chunking: sections give each chunk its path; rows are never cut.

A chunk never spans two top-level sections, aims at 150-350 words, carries a one-sentence
overlap from the previous chunk of the same section, and tiny fragments merge with their
neighbour. Register records (CSV/XLSX rows) stay one chunk each so a register is
searchable row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.text import split_sentences
from ingest.document import Block, BlockKind, Chunk, LoadedDocument

TARGET_WORDS = 350
MIN_WORDS = 150
TINY_WORDS = 40


def words(text: str) -> int:
    return len(text.split())


@dataclass
class _Section:
    path: tuple[str, ...]
    top: int  # index of the top-level section it belongs to
    blocks: list[Block] = field(default_factory=list)


def _sections(doc: LoadedDocument) -> list[_Section]:
    headings = [b for b in doc.blocks if b.kind is BlockKind.HEADING]
    h1s = [b for b in headings if b.level == 1]
    # A single H1 is the document's title: its H2s are the top-level sections.
    top_level = 2 if len(h1s) <= 1 and any(b.level == 2 for b in headings) else 1
    stack: list[tuple[int, str]] = []
    sections: list[_Section] = []
    top_index = 0
    current = _Section((doc.title,), top_index)
    for block in doc.blocks:
        if block.kind is BlockKind.HEADING:
            if current.blocks:
                sections.append(current)
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            if block.level <= top_level:
                top_index += 1
            path = tuple(t for lvl, t in stack if not (lvl == 1 and t == doc.title))
            current = _Section((doc.title, *path), top_index)
            continue
        current.blocks.append(block)
    if current.blocks:
        sections.append(current)
    return sections


def _pieces(block: Block) -> list[Block]:
    """Split an over-long paragraph at sentence ends; rows and list items stay whole."""
    if block.kind is not BlockKind.PARAGRAPH or words(block.text) <= TARGET_WORDS:
        return [block]
    out: list[Block] = []
    buf: list[str] = []
    for sentence in split_sentences(block.text):
        if buf and words(" ".join(buf)) + words(sentence) > TARGET_WORDS:
            out.append(Block(block.kind, " ".join(buf), page=block.page))
            buf = []
        buf.append(sentence)
    if buf:
        out.append(Block(block.kind, " ".join(buf), page=block.page))
    return out


def chunk_document(doc: LoadedDocument) -> list[Chunk]:
    """Cut a document into chunks along its structure."""
    drafts: list[tuple[_Section, list[Block]]] = []
    for section in _sections(doc):
        group: list[Block] = []
        for block in (p for b in section.blocks for p in _pieces(b)):
            if block.kind is BlockKind.RECORD:
                if group:
                    drafts.append((section, group))
                    group = []
                drafts.append((section, [block]))
                continue
            size = sum(words(b.text) for b in group)
            if group and size + words(block.text) > TARGET_WORDS:
                drafts.append((section, group))
                group = []
            group.append(block)
        if group:
            drafts.append((section, group))
    merged = _merge_tiny(drafts)
    chunks: list[Chunk] = []
    previous: tuple[_Section, list[Block]] | None = None
    for section, group in merged:
        text = "\n".join(b.text for b in group)
        overlap = _overlap(previous, section, group)
        if overlap:
            text = overlap + "\n" + text
        page = next((b.page for b in group if b.page is not None), None)
        chunks.append(Chunk(text=text, section_path=section.path, page=page, index=len(chunks)))
        previous = (section, group)
    return chunks


def _merge_tiny(drafts: list[tuple[_Section, list[Block]]]) -> list[tuple[_Section, list[Block]]]:
    """Merge fragments under TINY_WORDS into the next (else previous) draft of the same
    top-level section, keeping the first fragment's section path."""
    out: list[tuple[_Section, list[Block]]] = []
    carry: tuple[_Section, list[Block]] | None = None
    for section, group in drafts:
        is_record = group[0].kind is BlockKind.RECORD
        if carry is not None:
            c_section, c_group = carry
            fits = sum(words(b.text) for b in c_group + group) <= TARGET_WORDS
            if c_section.top == section.top and not is_record and fits:
                section, group = c_section, c_group + group
            else:
                out.append(carry)
            carry = None
        size = sum(words(b.text) for b in group)
        if size < TINY_WORDS and not is_record:
            carry = (section, group)
            continue
        out.append((section, group))
    if carry is not None:
        c_section, c_group = carry
        if (
            out
            and out[-1][0].top == c_section.top
            and out[-1][1][0].kind is not BlockKind.RECORD
            and (sum(words(b.text) for b in out[-1][1] + c_group) <= TARGET_WORDS)
        ):
            section, group = out.pop()
            out.append((section, group + c_group))
        else:
            out.append(carry)
    return out


def _overlap(previous: tuple[_Section, list[Block]] | None, section: _Section, group: list[Block]) -> str:
    """The last sentence of the previous chunk when it continues the same section's prose."""
    if previous is None:
        return ""
    p_section, p_group = previous
    last = p_group[-1]
    if p_section.path != section.path or last.kind is not BlockKind.PARAGRAPH:
        return ""
    if group[0].kind is not BlockKind.PARAGRAPH:
        return ""
    sentences = split_sentences(last.text)
    tail = sentences[-1] if sentences else ""
    return tail if 0 < words(tail) <= 40 else ""
