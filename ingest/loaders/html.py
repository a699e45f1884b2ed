"""HTML pages (intranet exports) into blocks; scripts, styles, navigation and hidden text dropped."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.hidden import drop_hidden_elements, hidden_warning
from ingest.loaders.markup import row_text

_DROP = (
    "script",
    "style",
    "nav",
    "noscript",
    "header",
    "footer",
    "aside",
    "form",
    "template",
    "svg",
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


def parse_html(text: str, fallback_title: str) -> LoadedDocument:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    warning = hidden_warning(drop_hidden_elements(soup))
    title_tag = soup.find("title")
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[Block] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "dt", "dd"]):
        if not isinstance(element, Tag) or _inside_handled(element):
            continue
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name in _HEADINGS:
            blocks.append(Block(BlockKind.HEADING, text, level=_HEADINGS[element.name]))
        elif element.name == "li":
            blocks.append(Block(BlockKind.LIST_ITEM, text))
        elif element.name == "tr":
            cells = [" ".join(c.get_text(" ", strip=True).split()) for c in element.find_all(["td", "th"])]
            if element.find("th") and not element.find("td"):
                continue  # header row: folded into each data row below
            blocks.append(Block(BlockKind.TABLE_ROW, row_text(_header_for(element), cells)))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, text))
    h1 = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    title = (title_tag.get_text(strip=True) if title_tag else "") or h1 or fallback_title
    return LoadedDocument(title=title, blocks=blocks, format="html", warnings=[warning] if warning else [])


def _inside_handled(element: Tag) -> bool:
    """Skip a p/li nested in a table row or another list item: its text is already taken."""
    for parent in element.parents:
        if parent.name in ("tr", "li") and parent is not element:
            return True
    return False


def _header_for(row: Tag) -> list[str] | None:
    table = row.find_parent("table")
    if table is None:
        return None
    head = table.find("tr")
    if head is None or not head.find("th"):
        return None
    return [" ".join(c.get_text(" ", strip=True).split()) for c in head.find_all(["th", "td"])]
