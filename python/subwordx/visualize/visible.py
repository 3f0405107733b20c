"""Text made safe and visible for a display: what a token holds must be seen, never obeyed.

A token can hold chars that show nothing (a newline, a tab, a lone combining mark) or that act on
the display instead of being drawn: a terminal obeys the control chars of ``ESC [31m``, and a
bidi override (U+202E) reorders what follows it, in a terminal and in a browser alike. So each
display cuts a token's text into *pieces*: plain text, *marks* (drawn by the display, not part of
the input, shown dimmed) and line breaks:

* control chars (C0, DEL, C1) become their Control Pictures (``␛`` for ESC) or ``<U+0085>``;
* bidi embeddings, overrides and isolates become ``<U+202E>``;
* a newline is ``↵`` and then a real line break, so a newline token is seen;
* a tab is ``→`` where alignment matters (``tabs=False``);
* a token whose first char would join the previous token's last char into one grapheme (a
  combining accent, an emoji skin-tone modifier, a vowel sign, the second half of a ZWJ emoji)
  gets ``◌`` (U+25CC, Unicode's placeholder base) first: a terminal or browser would otherwise
  draw it inside the previous token's box, and the token would look empty.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, Literal

__all__ = ["Piece", "PieceKind", "display_width", "pieces"]

PieceKind = Literal["text", "mark", "newline"]
Piece = tuple[PieceKind, str]

NEWLINE_MARK = "\u21b5"  # ↵
TAB_MARK = "\u2192"  # →
BASE_MARK = "\u25cc"  # ◌
_BIDI = frozenset(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)  # ALM, LRM, RLM, LRE..RLO, LRI..PDI


def _mark_for(ch: str) -> str | None:
    """The mark shown instead of ``ch``, or None when ``ch`` is drawn as it is."""
    cp = ord(ch)
    if cp < 0x20:
        return chr(0x2400 + cp)  # Control Pictures: ␀ .. ␟
    if cp == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= cp < 0xA0 or cp in _BIDI:
        return f"<U+{cp:04X}>"
    return None


@functools.cache
def _graphemes() -> tuple[Any, Any]:
    import regex

    extending = r"[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}]"
    return regex.compile(r"\X"), regex.compile(extending)


def joins_previous(before: str, text: str) -> bool:
    """Whether ``text``'s first char would be drawn as part of the last grapheme of ``before``
    (or, with nothing before, is a mark that needs a base)."""
    if not text:
        return False
    clusters, extending = _graphemes()
    if not before or before.endswith("\n"):
        return bool(extending.match(text))
    # Grapheme rules look back at most over a run of regional indicators or an emoji sequence;
    # 16 chars is plenty for text people write.
    joined = before[-16:] + text
    boundary = len(joined) - len(text)
    for match in clusters.finditer(joined):
        if match.start() >= boundary:
            return bool(match.start() != boundary)
    return True


def pieces(
    text: str, *, newline_mark: bool = True, tabs: bool = True, before: str | None = None
) -> list[Piece]:
    """Cuts ``text`` into display pieces (see the module docs).

    Args:
        newline_mark: draw ``↵`` before each line break.
        tabs: keep tabs as they are (False: draw ``→``, for column-aligned output).
        before: what the display drew just before ``text`` (its last chars are enough): ``◌``
            goes first when ``text`` would join its last grapheme, and after a line break of
            ``text`` before a lone mark. None: no ``◌`` at all.

    Example:
        >>> pieces("a\\x1b[1m\\n\\u0301", before="")
        [('text', 'a'), ('mark', '␛'), ('text', '[1m'), ('mark', '↵'), ('newline', '\\n'), \
('mark', '◌'), ('text', '́')]
    """
    out: list[Piece] = []
    run: list[str] = []
    if before is not None and joins_previous(before, text):
        out.append(("mark", BASE_MARK))
    after_newline = False

    def flush() -> None:
        if run:
            out.append(("text", "".join(run)))
            run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            if newline_mark:
                out.append(("mark", NEWLINE_MARK))
            out.append(("newline", "\n"))
            after_newline = True
            continue
        if ch == "\t" and tabs:
            run.append(ch)
        elif (mark := TAB_MARK if ch == "\t" else _mark_for(ch)) is not None:
            flush()
            out.append(("mark", mark))
        else:
            if after_newline and before is not None and _graphemes()[1].match(ch):
                out.append(("mark", BASE_MARK))
            run.append(ch)
        after_newline = False
    flush()
    return out


def display_width(text: str) -> int:
    """Terminal columns of ``text``: 2 for wide East Asian chars, 0 for combining and format
    chars, 1 otherwise (wcwidth's rule, without its tables)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
