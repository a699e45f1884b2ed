"""CSV and XLSX registers: one record per row, each with its column names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assistant.errors import IngestError
from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.markup import row_text

MAX_ROWS = 200_000


def parse_csv(text: str, fallback_title: str) -> LoadedDocument:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return _records(rows, fallback_title, "csv", sheet=None)


def parse_xlsx(path: Path, fallback_title: str) -> LoadedDocument:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"corrupt XLSX: {type(exc).__name__}") from None
    blocks: list[Block] = []
    title = (workbook.properties.title or "").strip() if workbook.properties else ""
    try:
        for sheet in workbook.worksheets:
            rows = [
                ["" if v is None else _cell(v) for v in row]
                for _, row in zip(range(MAX_ROWS), sheet.iter_rows(values_only=True), strict=False)
            ]
            doc = _records(rows, sheet.title, "xlsx", sheet=sheet.title)
            blocks.extend(doc.blocks)
    finally:
        workbook.close()
    return LoadedDocument(title=title or fallback_title, blocks=blocks, format="xlsx")


def _cell(value: object) -> str:
    if hasattr(value, "isoformat"):
        text = value.isoformat()  # type: ignore[union-attr]
        return text[:10] if text.endswith("T00:00:00") else text
    return " ".join(str(value).split())


def _records(rows: list[list[str]], title: str, fmt: str, sheet: str | None) -> LoadedDocument:
    rows = [r for r in rows if any(c.strip() for c in r)]
    blocks: list[Block] = []
    if not rows:
        return LoadedDocument(title=title, blocks=[], format=fmt)
    header = [c.strip() for c in rows[0]]
    if sheet:
        blocks.append(Block(BlockKind.HEADING, sheet, level=2))
    for cells in rows[1:]:
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        blocks.append(Block(BlockKind.RECORD, row_text(header, cells[: len(header)])))
    return LoadedDocument(title=title, blocks=blocks, format=fmt)
