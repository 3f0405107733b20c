"""The terminal view of ``subwordx show``: each token's span on its own background colour.

Two forms, one layout rule (:mod:`subwordx.visualize.spans`):

* colour: tokens on alternating background colours (ANSI 256-colour codes), special tokens in
  bold white on magenta, unknown tokens in bold white on red, marks
  (:mod:`subwordx.visualize.visible`: ``⋯``, ``↵``, ``␛``, ...) in grey, text no token covers on
  the terminal's own background;
* plain (not a terminal, ``--no-color``, ``NO_COLOR``): adjacent tokens separated by ``|``, text no
  token covers standing between them instead of a ``|``, special tokens in ``⟦ ⟧``, the chars an
  unknown token (``<unk>``) stands for in ``⟨ ⟩``, ``∅`` for a token that covers no char, and
  :data:`~subwordx.visualize.spans.CONTINUATION` (``⋯``) for a token that holds the rest of an
  earlier token's char; control chars are drawn as marks (a terminal must not obey an escape
  sequence the input holds). For a text without control chars and without these marks, removing
  the marks and the inserted tokens gives back the text.

With ``ids=True`` each token's id is printed under it, in columns, rows wrapped at ``width``
columns; tabs are drawn as ``→`` there so that the columns stay aligned; in the plain form a
space a token holds is drawn as ``␣`` (the columns are padded with spaces), in the colour form an
uncoloured space stands between adjacent tokens (so that their ids do not run together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from subwordx.visualize.spans import CONTINUATION, Span
from subwordx.visualize.visible import Piece, display_width, pieces

__all__ = ["SPECIAL_CLOSE", "SPECIAL_OPEN", "render_text"]

RESET = "\x1b[0m"
# Light backgrounds that black text reads well on, cycled so that neighbours always differ.
_PALETTE = (153, 223, 157, 218, 189)
_SPECIAL = "\x1b[1;97;45m"
_UNKNOWN = "\x1b[1;97;41m"
_MARK = "\x1b[38;5;242m"
SPECIAL_OPEN, SPECIAL_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧
UNKNOWN_OPEN, UNKNOWN_CLOSE = "\u27e8", "\u27e9"  # ⟨ ⟩
EMPTY = "\u2205"  # ∅: a token that covers no char at all
VISIBLE_SPACE = "\u2423"  # ␣


def render_text(
    spans: Sequence[Span], *, color: bool = False, ids: bool = False, width: int = 100
) -> str:
    """Renders spans for a terminal (see the module docs).

    Args:
        spans: from :func:`~subwordx.visualize.token_spans`.
        color: ANSI colours; else the plain ``|`` form.
        ids: each token's id under it, rows wrapped at ``width`` columns.
        width: columns of a row with ``ids``.

    Returns:
        The view, ending with a newline.
    """
    if ids:
        return _render_grid(spans, color=color, width=width)
    out: list[str] = []
    previous_token = False
    before = ""  # the last chars drawn (colour): a grapheme must not run across two tokens
    for span in spans:
        if span.kind == "gap":
            parts = pieces(span.text, newline_mark=False, before=before if color else None)
            out.append(_draw(parts, None) if color else _plain(parts))
            previous_token = False
        elif color:
            parts = _token_pieces(span, visible=True, tabs=True, before=before)
            out.append(_draw(parts, _style(span)))
        else:
            if previous_token:
                out.append("|")
            label = _plain(_token_pieces(span, visible=False, tabs=True, before=None))
            brackets = _brackets(span)
            out.append(brackets[0] + label + brackets[1] if brackets else label)
            previous_token = True
            continue
        if color:
            before = (before + _plain(parts))[-16:]
        previous_token = span.kind != "gap"
    text = "".join(out)
    return text if text.endswith("\n") else text + "\n"


def _style(span: Span) -> str:
    if span.unknown:
        return _UNKNOWN
    if span.special:
        return _SPECIAL
    return f"\x1b[30;48;5;{_PALETTE[(span.index or 0) % len(_PALETTE)]}m"


def _token_pieces(span: Span, *, visible: bool, tabs: bool, before: str | None) -> list[Piece]:
    """A token's pieces: its token string if inserted; else its continuation mark, then its
    chars (made visible, or only made safe; ``before``: see :func:`pieces`)."""
    if span.kind == "inserted":
        return [("text", span.token or "")]
    if span.continues:
        head: list[Piece] = [("mark", CONTINUATION)]
        before = None if before is None else CONTINUATION
    else:
        head = []
    parts = head + pieces(span.text, newline_mark=visible, tabs=tabs, before=before)
    return parts or [("mark", EMPTY)]


def _brackets(span: Span) -> tuple[str, str] | None:
    """The plain form's marks around a special or unknown token."""
    if span.unknown:
        return UNKNOWN_OPEN, UNKNOWN_CLOSE
    if span.special:
        return SPECIAL_OPEN, SPECIAL_CLOSE
    return None


def _draw(parts: Sequence[Piece], style: str | None) -> str:
    """Pieces in ANSI colours; the style is reset before each line break so that a background
    never runs to the end of the terminal line."""
    out = []
    for kind, text in parts:
        if kind == "newline":
            out.append(text)
        elif kind == "mark":
            out.append((style or "") + _MARK + text + RESET)
        else:
            out.append(text if style is None else style + text + RESET)
    return "".join(out)


def _plain(parts: Sequence[Piece]) -> str:
    return "".join(text for _, text in parts)


@dataclass
class _Cell:
    """One column of the ``ids`` grid: a token's text (or one line of it) over its id."""

    top: list[Piece]
    bottom: str
    style: str | None  # None: a gap (no colour, no separator)
    token_start: bool  # the first line of a token (a separator may go before it)
    breaks_after: bool  # a line break follows


def _cells(spans: Sequence[Span], color: bool) -> list[_Cell]:
    cells: list[_Cell] = []
    before = ""
    for span in spans:
        if span.kind == "gap":
            parts = pieces(span.text, newline_mark=False, tabs=False, before=before)
            style = None
            bottom = ""
        else:
            parts = _token_pieces(span, visible=True, tabs=False, before=before)
            if not color and span.kind == "token":
                # Padding is spaces too: a space the token holds is drawn as ␣.
                parts = [(k, t.replace(" ", VISIBLE_SPACE) if k == "text" else t) for k, t in parts]
            brackets = None if color else _brackets(span)
            if brackets:
                parts = [("mark", brackets[0]), *parts, ("mark", brackets[1])]
            style = _style(span)
            bottom = str(span.id)
        before = (before + _plain(parts))[-16:]
        line: list[Piece] = []
        first = True
        for piece in parts:
            if piece[0] == "newline":
                cells.append(_Cell(line, bottom if first else "", style, first, True))
                line, first = [], False
            else:
                line.append(piece)
        if line or first:
            cells.append(_Cell(line, bottom if first else "", style, first, False))
    return cells


def _render_grid(spans: Sequence[Span], *, color: bool, width: int) -> str:
    rows: list[str] = []
    top: list[str] = []
    bottom: list[str] = []
    used = 0
    previous_token = False

    def end_row() -> None:
        nonlocal used, previous_token
        rows.append("".join(top))
        rows.append("".join(bottom).rstrip(" "))
        top.clear()
        bottom.clear()
        used = 0
        previous_token = False

    for cell in _cells(spans, color):
        text_width = sum(display_width(t) for _, t in cell.top)
        w = max(text_width, len(cell.bottom))
        is_token = cell.style is not None
        sep = ""
        if is_token and previous_token and cell.token_start:
            # Between adjacent tokens: "|" (plain), an uncoloured space (colour: ids stay apart).
            sep = " " if color else "|"
        if used and used + len(sep) + w > width:
            end_row()
            sep = ""
        pad = " " * (w - text_width)
        if color and cell.style is not None:
            top.append(sep + _draw(cell.top, cell.style) + pad)
            bottom.append(sep + cell.style + cell.bottom.ljust(w) + RESET)
        else:
            top.append(sep + _plain(cell.top) + pad)
            bottom.append(sep + cell.bottom.ljust(w))
        used += len(sep) + w
        previous_token = is_token
        if cell.breaks_after:
            end_row()
    if top or not rows:
        end_row()
    return "\n".join(rows) + "\n"
