"""Markdown and plain text into blocks; hidden inline HTML in Markdown dropped."""

from __future__ import annotations

import re

import yaml

from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.hidden import hidden_warning, strip_inline_html

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def split_front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter (``---`` fenced) and the rest; malformed front matter is kept as text."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end == -1:
        return {}, text
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    rest = text[end + 4 :]
    return data, rest.split("\n", 1)[1] if "\n" in rest else ""


def _clean(text: str) -> str:
    return " ".join(_EMPHASIS.sub(r"\2", text).split())


def _cells(line: str) -> list[str]:
    return [_clean(c) for c in line.strip().strip("|").split("|")]


def parse_markdown(text: str, fallback_title: str) -> LoadedDocument:
    meta, body = split_front_matter(text)
    body, hidden = strip_inline_html(body)
    warning = hidden_warning(hidden)
    blocks: list[Block] = []
    paragraph: list[str] = []
    header: list[str] | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, _clean(" ".join(paragraph))))
            paragraph.clear()

    lines = body.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            flush()
            header = None
            continue
        if stripped.startswith("|"):
            flush()
            if _TABLE_SEP.match(stripped):
                continue
            cells = _cells(stripped)
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if header is None and _TABLE_SEP.match(nxt):
                header = cells
                continue
            blocks.append(Block(BlockKind.TABLE_ROW, row_text(header, cells)))
            continue
        header = None
        if m := _HEADING.match(stripped):
            flush()
            blocks.append(Block(BlockKind.HEADING, _clean(m.group(2)), level=len(m.group(1))))
        elif m := _LIST.match(line):
            flush()
            blocks.append(Block(BlockKind.LIST_ITEM, _clean(m.group(1))))
        else:
            paragraph.append(stripped)
    flush()
    title = str(meta.get("title") or "") or _first_heading(blocks) or fallback_title
    metadata = {k: _meta_value(v) for k, v in meta.items() if k in ("clauses", "topics", "doc_type")}
    return LoadedDocument(
        title=title,
        blocks=blocks,
        format="markdown",
        metadata=metadata,
        warnings=[warning] if warning else [],
    )


def parse_text(text: str, fallback_title: str) -> LoadedDocument:
    blocks = [Block(BlockKind.PARAGRAPH, " ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return LoadedDocument(title=fallback_title, blocks=blocks, format="text")


def row_text(header: list[str] | None, cells: list[str]) -> str:
    """A table row as 'Column: value; Column: value' so it reads alone."""
    if header and len(header) == len(cells):
        return "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c)
    return " | ".join(c for c in cells if c)


def _first_heading(blocks: list[Block]) -> str | None:
    return next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)


def _meta_value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
