"""DOCX documents into blocks: headings, paragraphs, lists and tables in reading order.

Runs Word does not show — hidden (``w:vanish``, ``w:specVanish``) or white on an
unshaded background — are dropped, directly formatted or inherited from a style.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError
from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.hidden import hidden_warning, is_near_white
from ingest.loaders.markup import row_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WHITE_THEMES = {"background1", "light1"}  # the theme's page colour: white in every stock theme


def parse_docx(path: Path, fallback_title: str) -> LoadedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors…
        raise IngestError(f"corrupt DOCX: {type(exc).__name__}") from None
    runs = _RunVisibility(document.styles.element)
    hidden: list[str] = []
    blocks: list[Block] = []
    title = (document.core_properties.title or "").strip()
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _paragraph(Paragraph(child, document), runs.visible_text(child, hidden), blocks)
        elif tag == "tbl":
            table = Table(child, document)
            seen: dict[object, str] = {}  # merged cells repeat in row.cells: read each once
            rows = [[_cell_text(c._tc, runs, hidden, seen) for c in row.cells] for row in table.rows]
            if not rows:
                continue
            header = rows[0]
            for cells in rows[1:] or rows:
                blocks.append(Block(BlockKind.TABLE_ROW, row_text(header if len(rows) > 1 else None, cells)))
    if not title:
        title = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), fallback_title)
    warning = hidden_warning(hidden)
    return LoadedDocument(title=title, blocks=blocks, format="docx", warnings=[warning] if warning else [])


def _cell_text(tc, runs: _RunVisibility, hidden: list[str], seen: dict[object, str]) -> str:
    # Keyed by the element itself: holding it keeps lxml handing out the same proxy.
    if tc not in seen:
        seen[tc] = " ".join("\n".join(runs.visible_text(p, hidden) for p in tc.xpath("./w:p")).split())
    return seen[tc]


def _paragraph(paragraph, text: str, blocks: list[Block]) -> None:
    text = " ".join(text.split())
    if not text:
        return
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    lower = style.lower()
    if lower == "title":
        blocks.append(Block(BlockKind.HEADING, text, level=1))
    elif lower.startswith("heading"):
        digits = "".join(ch for ch in style if ch.isdigit())
        blocks.append(Block(BlockKind.HEADING, text, level=int(digits) if digits else 1))
    elif "list" in lower or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        blocks.append(Block(BlockKind.LIST_ITEM, text))
    else:
        blocks.append(Block(BlockKind.PARAGRAPH, text))


class _RunVisibility:
    """Decides which runs Word shows, resolving run, character-style and paragraph-style
    formatting in Word's order (direct formatting wins, then the styles' chains)."""

    def __init__(self, styles_element) -> None:
        self._styles = {s.get(f"{_W}styleId"): s for s in styles_element.iter(f"{_W}style")}
        default = next(
            (
                s
                for s in self._styles.values()
                if s.get(f"{_W}type") == "paragraph" and s.get(f"{_W}default") in ("1", "true", "on")
            ),
            None,
        )
        self._default_paragraph = default.get(f"{_W}styleId") if default is not None else None
        self._cache: dict[str | None, tuple[bool | None, bool | None]] = {}

    def visible_text(self, p, hidden: list[str]) -> str:
        """The paragraph's text as Word shows it; hidden passages are appended to ``hidden``.

        Reads the same elements as python-docx's ``Paragraph.text``, so visible text comes
        out unchanged.
        """
        shown: list[str] = []
        passage: list[str] = []
        paragraph_style = _child_val(p, "pPr", "pStyle") or self._default_paragraph
        for element in p.xpath("w:r | w:hyperlink"):
            for run in [element] if element.tag == f"{_W}r" else element.xpath("w:r"):
                if self._hidden(run, paragraph_style):
                    passage.append(run.text)
                    continue
                if passage:
                    hidden.append(" ".join("".join(passage).split()))
                    passage.clear()
                shown.append(run.text)
        if passage:
            hidden.append(" ".join("".join(passage).split()))
        return "".join(shown)

    def _hidden(self, run, paragraph_style: str | None) -> bool:
        direct = _facts(run.find(f"{_W}rPr"))
        character = self._style_facts(_child_val(run, "rPr", "rStyle"))
        paragraph = self._style_facts(paragraph_style)
        vanish = next((f[0] for f in (direct, character, paragraph) if f[0] is not None), False)
        white = next((f[1] for f in (direct, character, paragraph) if f[1] is not None), False)
        return vanish or (white and not _shaded(run))

    def _style_facts(self, style_id: str | None) -> tuple[bool | None, bool | None]:
        """(hidden, white) a style gives its runs, following its ``basedOn`` chain."""
        if style_id in self._cache:
            return self._cache[style_id]
        vanish: bool | None = None
        white: bool | None = None
        seen: set[str] = set()
        current = style_id
        while current and current in self._styles and current not in seen:
            seen.add(current)
            style = self._styles[current]
            own_vanish, own_white = _facts(style.find(f"{_W}rPr"))
            vanish = own_vanish if vanish is None else vanish
            white = own_white if white is None else white
            current = _child_val(style, "basedOn")
        self._cache[style_id] = (vanish, white)
        return vanish, white


def _facts(rpr) -> tuple[bool | None, bool | None]:
    """(hidden, white) as set by one run-properties element; None where it says nothing."""
    if rpr is None:
        return None, None
    vanish = [_on_off(rpr.find(f"{_W}{name}")) for name in ("vanish", "specVanish")]
    hidden = True if True in vanish else False if False in vanish else None
    color = rpr.find(f"{_W}color")
    if color is None:
        return hidden, None
    if (color.get(f"{_W}themeColor") or "").lower() in _WHITE_THEMES:
        return hidden, True
    return hidden, _white_hex(color.get(f"{_W}val"))


def _shaded(run) -> bool:
    """True when the run, its paragraph, a table cell or a table around it has a
    background that is not white (white text on a dark cell is visible)."""
    rpr = run.find(f"{_W}rPr")
    if rpr is not None:
        highlight = rpr.find(f"{_W}highlight")
        if highlight is not None and highlight.get(f"{_W}val", "none") not in ("none", "white"):
            return True
        if _dark_fill(rpr.find(f"{_W}shd")):
            return True
    for ancestor in run.iterancestors():
        name = ancestor.tag.rsplit("}", 1)[-1]
        props = {"p": "pPr", "tc": "tcPr", "tbl": "tblPr"}.get(name)
        if props and _dark_fill(ancestor.find(f"{_W}{props}/{_W}shd")):
            return True
    return False


def _dark_fill(shd) -> bool:
    if shd is None:
        return False
    fill = shd.get(f"{_W}fill") or "auto"
    return fill.lower() != "auto" and _white_hex(fill) is False


def _white_hex(value: str | None) -> bool | None:
    """Whether a 6-digit hex colour is (near) white; None for "auto" or a malformed value."""
    if not value or len(value) != 6:
        return None
    try:
        rgb = (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return None
    return is_near_white(rgb)


def _on_off(element) -> bool | None:
    """A WordprocessingML on/off property: present means on unless its value says off."""
    if element is None:
        return None
    return (element.get(f"{_W}val") or "true").lower() not in ("0", "false", "off")


def _child_val(element, *path: str) -> str | None:
    found = element.find("/".join(f"{_W}{p}" for p in path))
    return found.get(f"{_W}val") if found is not None else None
