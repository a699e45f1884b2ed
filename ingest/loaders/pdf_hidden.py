"""Which text-showing operators of a PDF page draw text nobody can see.

A small interpreter over the page's content stream tracks what decides visibility: the
fill and stroke colours (``g``/``rg``/``k``/``sc``/``scn`` and their stroke twins), the
text render mode (``Tr``; 3 and 7 paint nothing), ``q``/``Q`` nesting, the position of each
line of text and the rectangles filled behind it, so white text on a dark table header
stays visible. The page is then split into two operation lists, one without the hidden
text and one with only it, which pypdf's own extractor reads: visible text comes out
exactly as it would from the untouched page.

Text inside form XObjects is not examined.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ingest.loaders.hidden import NEAR_WHITE

Matrix = tuple[float, float, float, float, float, float]
Operation = tuple[list, bytes]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_FILL_PAINT = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_INVISIBLE_MODES = {3, 7}  # 3: neither fill nor stroke; 7: only adds to the clipping path
_STROKE_MODES = {1, 5}  # stroke only: the stroke colour is what shows
_WHITE = NEAR_WHITE / 255


@dataclass(slots=True)
class _Graphics:
    """The part of the graphics state that ``q``/``Q`` save and restore."""

    ctm: Matrix = _IDENTITY
    fill_white: bool = False
    stroke_white: bool = False
    render_mode: int = 0


@dataclass(slots=True)
class _Text:
    """Text-object state (not saved by ``q``): the line matrix and the leading."""

    line: Matrix = _IDENTITY
    leading: float = 0.0


@dataclass(slots=True)
class Split:
    """A page's operations without the hidden text, and with only the hidden text."""

    visible: list[Operation] = field(default_factory=list)
    hidden: list[Operation] = field(default_factory=list)
    passages: int = 0  # runs of consecutive hidden text-showing operators

    @property
    def has_hidden(self) -> bool:
        return self.passages > 0


def split_hidden(operations: list[Operation]) -> Split:
    """Sort each text-showing operator into the visible or the hidden list."""
    split = Split()
    state = _Graphics()
    saved: list[_Graphics] = []
    text = _Text()
    path: list[tuple[float, float, float, float]] = []  # rectangles of the current path, device space
    painted: list[tuple[tuple[float, float, float, float], bool]] = []  # (box, filled white), in paint order
    in_hidden_run = False
    for operands, operator in operations:
        if operator in _SHOW:
            moves = _line_moves(operator, operands)
            if moves:  # ' and " start a new line, then show
                text = _next_line(text)
            hidden = _is_hidden(state, text, painted)
            if hidden and not in_hidden_run:
                split.passages += 1
            in_hidden_run = hidden
            (split.hidden if hidden else split.visible).append((operands, operator))
            (split.visible if hidden else split.hidden).extend(moves)
            continue
        split.visible.append((operands, operator))
        split.hidden.append((operands, operator))
        if operator == b"q":
            saved.append(replace(state))
        elif operator == b"Q":
            state = saved.pop() if saved else _Graphics()
        elif operator == b"cm" and (m := _matrix(operands)):
            state.ctm = _multiply(m, state.ctm)
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            state.fill_white = _is_white(operator.lower(), operands)
        elif operator in (b"G", b"RG", b"K", b"SC", b"SCN"):
            state.stroke_white = _is_white(operator.lower(), operands)
        elif operator == b"cs":
            state.fill_white = False  # a new colour space starts at its initial colour: black
        elif operator == b"CS":
            state.stroke_white = False
        elif operator == b"Tr" and operands and _number(operands[0]) is not None:
            state.render_mode = int(_number(operands[0]) or 0)
        elif operator == b"BT":
            text = _Text(leading=text.leading)
        elif operator in (b"Td", b"TD") and len(operands) >= 2:
            tx, ty = _number(operands[0]) or 0.0, _number(operands[1]) or 0.0
            text = _Text(_multiply((1, 0, 0, 1, tx, ty), text.line), -ty if operator == b"TD" else text.leading)
        elif operator == b"Tm" and (m := _matrix(operands)):
            text = _Text(m, text.leading)
        elif operator == b"T*":
            text = _next_line(text)
        elif operator == b"TL" and operands:
            text = _Text(text.line, _number(operands[0]) or 0.0)
        elif operator == b"re" and len(operands) >= 4:
            path.append(_box(state.ctm, *(_number(v) or 0.0 for v in operands[:4])))
        elif operator in _FILL_PAINT:
            painted.extend((box, state.fill_white) for box in path)
            path.clear()
        elif operator in (b"n", b"S", b"s"):
            path.clear()
    return split


def _is_hidden(state: _Graphics, text: _Text, painted: list) -> bool:
    if state.render_mode in _INVISIBLE_MODES:
        return True
    if state.render_mode in _STROKE_MODES:
        white = state.stroke_white
    elif state.render_mode in (2, 6):  # fill and stroke: hidden only if both are white
        white = state.fill_white and state.stroke_white
    else:
        white = state.fill_white
    return white and not _on_dark_box(_apply(_multiply(text.line, state.ctm), 0.0, 0.0), painted)


def _on_dark_box(point: tuple[float, float], painted: list) -> bool:
    """True when the last rectangle painted under ``point`` was not white."""
    x, y = point
    for (x0, y0, x1, y1), white in reversed(painted):
        if x0 <= x <= x1 and y0 <= y <= y1:
            return not white
    return False


def _line_moves(operator: bytes, operands: list) -> list[Operation]:
    """What a dropped ``'`` or ``"`` still does besides showing text: move to the next line."""
    if operator == b"'":
        return [([], b"T*")]
    if operator == b'"' and len(operands) >= 3:
        return [([operands[0]], b"Tw"), ([operands[1]], b"Tc"), ([], b"T*")]
    return []


def _next_line(text: _Text) -> _Text:
    return _Text(_multiply((1, 0, 0, 1, 0, -text.leading), text.line), text.leading)


def _is_white(operator: bytes, operands: list) -> bool:
    values = [_number(v) for v in operands]
    if any(v is None for v in values):  # a pattern name (scn /P1) or junk
        return False
    numbers = [float(v) for v in values if v is not None]
    if not numbers or max(numbers) > 1:  # an index into a palette, not a colour
        return False
    if len(numbers) == 4:  # CMYK: no ink at all
        return max(numbers) <= 1 - _WHITE
    if len(numbers) in (1, 3):  # gray or RGB
        return min(numbers) >= _WHITE
    return False


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _matrix(operands: list) -> Matrix | None:
    values = [_number(v) for v in operands[:6]]
    if len(values) != 6 or any(v is None for v in values):
        return None
    return tuple(float(v) for v in values if v is not None)  # type: ignore[return-value]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _box(ctm: Matrix, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    corners = [_apply(ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))
