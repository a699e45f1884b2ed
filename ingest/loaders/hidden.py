"""Text a reader of the rendered document cannot see, and the warning that it was dropped.

Hidden text is a way to plant words that an index reads but a person does not: white on
white, zero-size, ``display:none``. Loaders drop it and record one warning per document.
The HTML rules live here because the Markdown loader applies them to inline HTML too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

# A channel at or above this (of 255) counts as white: #f5f5f5 on a white page is unreadable.
NEAR_WHITE = 240

_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})\b")
_RGB = re.compile(r"rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:[\s,/]+([\d.]+%?))?\s*\)")
_WHITE_NAMES = {"white", "snow", "ghostwhite", "whitesmoke", "ivory", "floralwhite", "azure", "mintcream"}
_ZERO_SIZE = re.compile(r"^(?=\.?0)0*\.?0*(?:px|pt|em|rem|%|ex|ch|vw|vh)?$")
_NO_BACKGROUND = {"", "none", "transparent", "inherit", "initial", "unset", "revert"}


def hidden_warning(passages: Iterable[str]) -> str | None:
    """'hidden text dropped (2 passages, 31 words)', or None when nothing was dropped."""
    texts = [p for p in passages if p.strip()]
    return hidden_count_warning(len(texts), sum(len(p.split()) for p in texts))


def hidden_count_warning(passages: int, words: int) -> str | None:
    if passages <= 0 or words <= 0:
        return None
    return f"hidden text dropped ({_plural(passages, 'passage')}, {_plural(words, 'word')})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# -- colours ------------------------------------------------------------------------
def css_colour(value: str) -> tuple[int, int, int, float] | None:
    """An (r, g, b, alpha) from a CSS colour value, or None when it is not one we read."""
    value = value.strip().lower()
    if value in _WHITE_NAMES:
        return (255, 255, 255, 1.0)
    if value == "transparent":
        return (0, 0, 0, 0.0)
    if m := _HEX.match(value):
        digits = m.group(1)
        if len(digits) in (3, 4):
            digits = "".join(ch * 2 for ch in digits)
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (r, g, b, alpha)
    if m := _RGB.match(value):
        r, g, b = (_channel(m.group(i)) for i in (1, 2, 3))
        alpha = _alpha(m.group(4)) if m.group(4) else 1.0
        return (r, g, b, alpha)
    return None


def _channel(raw: str) -> int:
    return round(float(raw[:-1]) * 2.55) if raw.endswith("%") else round(float(raw))


def _alpha(raw: str) -> float:
    return float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)


def is_near_white(rgb: tuple[int, int, int]) -> bool:
    return min(rgb) >= NEAR_WHITE


def _invisible_colour(value: str) -> bool:
    colour = css_colour(value)
    return colour is not None and (colour[3] == 0 or is_near_white(colour[:3]))


# -- HTML elements --------------------------------------------------------------------
def style_of(tag: Tag) -> dict[str, str]:
    """The inline ``style`` declarations of an element, names lower-cased."""
    raw = tag.get("style")
    if not isinstance(raw, str):
        return {}
    declarations: dict[str, str] = {}
    for part in raw.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            declarations[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return declarations


def is_hidden_element(tag: Tag) -> bool:
    """True when the element's own markup hides it, or paints its text white on white."""
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    style = style_of(tag)
    if style.get("display") == "none" or style.get("visibility") in ("hidden", "collapse"):
        return True
    if _ZERO_SIZE.match(style.get("font-size", "x")) or _ZERO_SIZE.match(style.get("opacity", "x")):
        return True
    colour = style.get("color") or (tag.get("color") if tag.name == "font" else None)
    return isinstance(colour, str) and _invisible_colour(colour) and not _on_coloured_background(tag)


def _on_coloured_background(tag: Tag) -> bool:
    """True when the nearest background set on the element or an ancestor is not white.

    White text on a dark banner is visible. A background we cannot read (an image, a
    gradient, a colour name we do not know) counts as coloured, so such text is kept.
    """
    for element in (tag, *tag.parents):
        if not isinstance(element, Tag):
            continue
        style = style_of(element)
        value = style.get("background-color", style.get("background"))
        if value is None and isinstance(element.get("bgcolor"), str):
            value = str(element.get("bgcolor"))
        if value is None or value in _NO_BACKGROUND:
            continue
        colour = css_colour(value)
        return colour is None or not is_near_white(colour[:3])
    return False


def drop_hidden_elements(root: Tag) -> list[str]:
    """Remove hidden elements (outermost only) from the tree; returns their texts."""
    hidden = [el for el in root.find_all(True) if is_hidden_element(el)]
    marked = {id(el) for el in hidden}  # by identity: equal-looking elements are still different ones
    outermost = [el for el in hidden if not any(id(p) in marked for p in el.parents)]
    texts = [" ".join(el.get_text(" ", strip=True).split()) for el in outermost]
    for el in outermost:
        el.decompose()
    return texts


# -- inline HTML in Markdown ----------------------------------------------------------
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*)?)>", re.DOTALL)
_CODE = re.compile(r"^(```|~~~).*?(?:^\1|\Z)|`[^`\n]+`", re.DOTALL | re.MULTILINE)
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area", "embed", "track"}
_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u", "var",
}  # fmt: skip
_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "div",
    "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "img", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul", "wbr",
}  # fmt: skip


def strip_inline_html(text: str) -> tuple[str, list[str]]:
    """Markdown with its raw HTML applied: hidden elements and comments removed, other
    known tags unwrapped. Returns the text and the removed passages.

    Markdown passes raw HTML through to the page, so ``<span style="color:#fff">`` hides
    its words from a reader just as it would in an HTML file. A hidden block element
    (``<div hidden>``) hides everything up to its closing tag, blank lines included, as
    in a browser; an unclosed inline one ends with its paragraph. Code spans and fenced
    code are shown literally and left alone; unknown ``<words>`` (placeholders such as
    ``<customer name>``) are text, not tags.
    """
    code = [m.span() for m in _CODE.finditer(text)]
    cuts: list[tuple[int, int, str]] = []  # (start, end, replacement)
    removed: list[str] = []
    stack: list[str] = []  # open known elements, outermost first
    hidden: tuple[int, int, bool] | None = None  # the open hidden element: start, stack depth, inline
    for m in _TOKEN.finditer(text):
        if any(a <= m.start() < b for a, b in code):
            continue
        if hidden is not None and hidden[2] and (end := _paragraph_end(text, hidden[0])) <= m.start():
            removed.append(_cut(text, hidden[0], end, cuts))
            del stack[hidden[1] :]
            hidden = None
        closing, name, attrs = m.group(1), (m.group(2) or "").lower(), m.group(3) or ""
        if not name:  # a comment: never shown
            if hidden is None:
                cuts.append((m.start(), m.end(), ""))
                removed.append(" ".join(m.group(0)[4:].removesuffix("-->").split()))
            continue
        if name not in _INLINE and name not in _BLOCK:
            continue
        unwrap = (m.start(), m.end(), "" if name in _INLINE else " ")
        if closing:
            depth = len(stack) - 1 - stack[::-1].index(name) if name in stack else None
            if depth is not None:
                del stack[depth:]
            if hidden is not None and depth is not None and depth <= hidden[1]:
                removed.append(_cut(text, hidden[0], m.end(), cuts))
                hidden = None
            elif hidden is None:
                cuts.append(unwrap)
            continue
        void = name in _VOID or attrs.rstrip().endswith("/")
        if hidden is None and attrs.strip() and not void and _tag_is_hidden(m.group(0), name):
            hidden = (m.start(), len(stack), name in _INLINE)
        elif hidden is None:
            cuts.append(unwrap)
        if not void:
            stack.append(name)
    if hidden is not None:
        end = _paragraph_end(text, hidden[0]) if hidden[2] else len(text)
        removed.append(_cut(text, hidden[0], end, cuts))
    return _apply(text, cuts), [r for r in removed if r]


def _tag_is_hidden(tag_text: str, name: str) -> bool:
    element = BeautifulSoup(tag_text, "html.parser").find(name)
    return isinstance(element, Tag) and is_hidden_element(element)


def _paragraph_end(text: str, start: int) -> int:
    """An unclosed element ends with its Markdown paragraph, as a browser's would."""
    m = _PARAGRAPH_END.search(text, start)
    return m.start() if m else len(text)


def _cut(text: str, start: int, end: int, cuts: list[tuple[int, int, str]]) -> str:
    """Cut ``text[start:end]`` out; returns the words a reader would not have seen."""
    cuts.append((start, end, ""))
    return " ".join(BeautifulSoup(text[start:end], "html.parser").get_text(" ").split())


def _apply(text: str, cuts: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    at = 0
    for start, end, replacement in sorted(cuts):
        if start < at:  # inside a span already cut
            continue
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
