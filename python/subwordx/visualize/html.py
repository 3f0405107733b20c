"""The HTML view of an encoding (what a notebook shows for ``Encoding._repr_html_``).

The same layout as the terminal (:mod:`subwordx.visualize.spans`): the text, each token's span
on an alternating background colour, special tokens in white on purple, unknown tokens in white on
red, marks (``⋯``, ``↵``, ``◌``, ``␛``: :mod:`subwordx.visualize.visible`) in grey. Hovering a
token shows its index, id, token string and char span (the ``title`` attribute).

The text is data, never markup: every char of it and of the token strings goes through
:func:`html.escape` with ``quote=True`` (``<`` ``>`` ``&`` ``"`` ``'``), bidi controls that would
reorder the page are drawn as marks, and styles are inline (no ``<style>`` block, no script), so
the output is safe to embed anywhere. Each token is one ``<span class="swx-token">``, in token
order, so a page's token count is the encoding's.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from subwordx.visualize.spans import CONTINUATION, Span, token_spans
from subwordx.visualize.visible import Piece, pieces

if TYPE_CHECKING:
    from subwordx.tokenizer import Encoding

__all__ = ["PALETTE", "SPECIAL_COLORS", "UNKNOWN_COLOR", "render_html"]

#: Token backgrounds, cycled by token index so that neighbours always differ.
PALETTE = ("#bfdcff", "#ffe0a8", "#c2f0c8", "#ffc9dc", "#dccdfa")
#: Special-token backgrounds (two, alternating, so adjacent specials stay apart).
SPECIAL_COLORS = ("#6a1b9a", "#8e24aa")
UNKNOWN_COLOR = "#c62828"
_BOX = "border-radius:3px;padding:1px 0;"
_MARK = '<span class="swx-mark" style="color:#777">{}</span>'
_CONTAINER = (
    "font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;white-space:pre-wrap;"
    "line-height:1.9;color:#000;background:#fff;padding:4px"
)


def render_html(encoding: Encoding, texts: Sequence[str] | None = None) -> str:
    """The encoding as an HTML fragment (a ``<div>``), safe to embed.

    Args:
        encoding: any encoding.
        texts: the encoded text(s); default: those the encoding was made from.
    """
    spans = token_spans(encoding, texts)
    out = []
    before = ""  # the last chars drawn: a grapheme must not run across two tokens' boxes
    for span in spans:
        parts = _span_pieces(span, before)
        out.append(_span_html(span, parts))
        before = (before + "".join(text for _, text in parts))[-16:]
    body = "".join(out)
    chars = sum(len(s.text) for s in spans)
    summary = f"{len(encoding.ids)} tokens, {chars} chars"
    return (
        f'<div class="subwordx-encoding" style="{_CONTAINER}">'
        f'<div class="swx-text">{body}</div>'
        f'<div class="swx-summary" style="color:#666;font-size:smaller">{summary}</div></div>'
    )


def _span_pieces(span: Span, before: str) -> list[Piece]:
    if span.kind == "gap":
        return pieces(span.text, newline_mark=False, before=before)
    if span.kind == "inserted":
        return [("text", span.token or "")]
    if span.continues:
        return [("mark", CONTINUATION), *pieces(span.text, before=CONTINUATION)]
    return pieces(span.text, before=before) or [("mark", "\u2205")]  # ∅: covers no char


def _span_html(span: Span, parts: Sequence[Piece]) -> str:
    if span.kind == "gap":
        return _pieces_html(parts)
    assert span.index is not None
    if span.unknown:
        kind, style = "swx-token swx-unknown", f"background:{UNKNOWN_COLOR};color:#fff;"
    elif span.special:
        color = SPECIAL_COLORS[span.index % len(SPECIAL_COLORS)]
        kind, style = "swx-token swx-special", f"background:{color};color:#fff;"
    else:
        kind, style = "swx-token", f"background:{PALETTE[span.index % len(PALETTE)]};"
    title = [f"token {span.index}: id {span.id}", f"token string {span.token!r}"]
    if span.kind == "inserted":
        title.append("added by the post-processor (no text)")
    else:
        title.append(f"chars {span.start}..{span.end} of text {span.sequence}")
        if span.continues:
            title.append("holds the rest of a char shown on an earlier token")
    if span.unknown:
        title.append("unknown: the model has no token for these chars")
    attrs = (
        f'class="{kind}" data-id="{span.id}" title="{html.escape(chr(10).join(title), True)}" '
        f'style="{style}{_BOX}"'
    )
    return f"<span {attrs}>{_pieces_html(parts)}</span>"


def _pieces_html(parts: Sequence[Piece]) -> str:
    out = []
    for kind, text in parts:
        escaped = html.escape(text, quote=True)
        out.append(_MARK.format(escaped) if kind == "mark" else escaped)
    return "".join(out)
