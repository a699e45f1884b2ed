"""Chunks follow the document's structure."""

from __future__ import annotations

from ingest.chunking import chunk_document
from ingest.document import Block, BlockKind, LoadedDocument


def _doc(blocks: list[Block]) -> LoadedDocument:
    return LoadedDocument(title="Procedure", blocks=blocks, format="markdown")


def H(text: str, level: int = 2) -> Block:
    return Block(BlockKind.HEADING, text, level=level)


def P(words: int, word: str = "change") -> Block:
    return Block(BlockKind.PARAGRAPH, " ".join([word] * (words - 1)) + ".")


def test_chunks_never_span_two_top_level_sections():
    doc = _doc([H("Procedure", 1), H("1 Normal"), P(60, "normal"), H("2 Emergency"), P(60, "emergency")])
    chunks = chunk_document(doc)
    assert len(chunks) == 2
    assert chunks[0].section == "Procedure › 1 Normal" and "emergency" not in chunks[0].text
    assert chunks[1].section == "Procedure › 2 Emergency"


def test_long_sections_split_near_the_target_size_with_overlap():
    sentences = " ".join(f"Sentence number {i} describes a change step in detail." for i in range(120))
    chunks = chunk_document(_doc([H("1 Steps"), Block(BlockKind.PARAGRAPH, sentences)]))
    assert len(chunks) >= 3
    assert all(len(c.text.split()) <= 400 for c in chunks)
    first_tail = chunks[0].text.split(". ")[-1].rstrip(".")
    assert first_tail in chunks[1].text  # one-sentence overlap


def test_table_rows_and_list_items_are_never_cut():
    rows = [
        Block(BlockKind.TABLE_ROW, f"Risk: R{i}; Owner: Team {i}; Treatment: " + "mitigate " * 20) for i in range(40)
    ]
    chunks = chunk_document(_doc([H("Risks"), *rows]))
    joined = "\n".join(c.text for c in chunks)
    for i in range(40):
        assert sum(f"Risk: R{i};" in c.text for c in chunks) == 1
    assert joined.count("Treatment:") == 40


def test_tiny_fragments_merge_with_their_neighbour():
    doc = _doc([H("1 Purpose"), H("1.1 Scope", 3), P(8), H("1.2 Terms", 3), P(80)])
    chunks = chunk_document(doc)
    assert len(chunks) == 1
    assert chunks[0].section.endswith("1.1 Scope")
