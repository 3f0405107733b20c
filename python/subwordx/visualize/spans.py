"""Which characters of the input each token shows: the one rule every display follows.

An :class:`~subwordx.Encoding`'s offsets are char offsets into the text each token came from
(``docs/tokenizer.md`` §6). They are whole chars: a byte-level token holding only some of a
char's UTF-8 bytes gets the whole char, so the two or three tokens that split one char (``世`` is
``ä¸`` + ``ĸ`` in cl100k) all have the same span, and a token that starts inside a char and goes
on has a span that overlaps the previous token's. A normalizer that expands one char into several
(NFKC ``ﬁ`` → ``fi``) makes tokens share a char the same way.

The rule (docs/visualize.md): walk the tokens of each text in order, keeping a cursor at the end of
the chars shown so far.

* A token shows ``text[max(start, cursor):end]``: the chars of its span not yet shown, so each
  char of the input is shown once, on the first token that holds any of it.
* A token whose span starts before the cursor holds the rest of a char shown on an earlier token;
  it is marked ``continues`` (displays draw :data:`CONTINUATION` there, before any new chars).
* Chars no token covers (the spaces a whitespace pre-tokenizer drops, the text after a
  truncation) are :attr:`Span.kind` ``"gap"`` spans between the tokens.
* Tokens the post-processor or padding added (``[CLS]``, ``</s>``, ``<pad>``: no sequence, no
  text) are ``"inserted"`` spans showing their token string.
* ``special`` marks inserted tokens and special added tokens matched in the text
  (``<|endoftext|>``); ``unknown`` marks the model's unknown token (``<unk>``), which shows the
  chars it stands for.

So the shown texts of a text's spans, in order, are that text exactly: nothing dropped, nothing
repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from subwordx.visualize.model import special_ids, unknown_id

if TYPE_CHECKING:
    from subwordx.tokenizer import Encoding

__all__ = ["CONTINUATION", "Span", "SpanKind", "token_spans"]

#: Drawn for a token that holds the rest of a char shown on an earlier token (the later bytes of
#: a char split across byte-level tokens). U+22EF, rare in running text.
CONTINUATION = "\u22ef"

SpanKind = Literal["token", "inserted", "gap"]


@dataclass(frozen=True)
class Span:
    """One piece of a display: a token, or text that no token covers.

    Attributes:
        kind: ``"token"`` (a token of the text), ``"inserted"`` (added by the post-processor or
            padding: no text of its own) or ``"gap"`` (chars no token covers).
        text: the input chars shown here; ``""`` for an inserted token or a token whose chars
            were all shown on earlier tokens.
        index: the token's position in the encoding (None for a gap).
        id: the token id (None for a gap).
        token: the token string, e.g. ``"Ġworld"`` (None for a gap).
        start, end: the token's own char offsets (a gap's range for a gap).
        sequence: the text it comes from, 0 or 1 for a pair (None for inserted tokens).
        special: an inserted token, or a special added token matched in the text.
        continues: the token holds the rest of a char shown on an earlier token.
        unknown: the model's unknown token (``<unk>``): the chars shown are those it stands for.
    """

    kind: SpanKind
    text: str
    index: int | None = None
    id: int | None = None
    token: str | None = None
    start: int = 0
    end: int = 0
    sequence: int | None = None
    special: bool = False
    continues: bool = False
    unknown: bool = False

    @property
    def label(self) -> str:
        """What a plain display writes: the chars, the token string of an inserted token, and
        :data:`CONTINUATION` first for a token that continues a char."""
        if self.kind == "inserted":
            return self.token or ""
        return (CONTINUATION if self.continues else "") + self.text


def token_spans(encoding: Encoding, texts: Sequence[str] | None = None) -> list[Span]:
    """The spans of an encoding in display order (see the module docs for the rule).

    Args:
        encoding: any encoding (one text, a pair, truncated, padded).
        texts: the encoded text(s); default: those the encoding was made from.

    Returns:
        Spans whose :attr:`Span.text` joined per sequence gives each text exactly; one span of
        kind ``"token"`` or ``"inserted"`` per token, in token order.

    Example:
        >>> tok = subwordx.Tokenizer.load("cl100k_base.tiktoken")         # doctest: +SKIP
        >>> [s.label for s in token_spans(tok.encode("a世"))]             # doctest: +SKIP
        ['a', '世', '⋯']
    """
    if texts is None:
        texts = encoding._texts
    if texts is None:
        return _spans_without_text(encoding)
    ids = encoding.ids.tolist()
    offsets = encoding.offsets.tolist()
    sequence_ids = encoding.sequence_ids
    mask = encoding.special_tokens_mask.tolist()
    tok = encoding._tokenizer
    specials = special_ids(tok)
    unk = unknown_id(tok)
    last_of: dict[int, int] = {}
    for k, seq in enumerate(sequence_ids):
        if seq is not None:
            last_of[seq] = k
    cursors = [0] * len(texts)
    spans: list[Span] = []

    def gap(seq: int, upto: int) -> None:
        if upto > cursors[seq]:
            here = cursors[seq]
            spans.append(Span("gap", texts[seq][here:upto], start=here, end=upto, sequence=seq))
            cursors[seq] = upto

    for k, (token_id, (start, end), seq) in enumerate(zip(ids, offsets, sequence_ids)):
        token = tok.id_to_token(token_id)
        if seq is None or seq >= len(texts):
            spans.append(Span("inserted", "", k, token_id, token, start, end, None, special=True))
            continue
        gap(seq, start)
        cursor = cursors[seq]
        shown = texts[seq][max(start, cursor) : end] if end > cursor else ""
        unknown = token_id == unk
        special = not unknown and (token_id in specials or bool(mask[k]))
        continues = start < cursor
        spans.append(
            Span("token", shown, k, token_id, token, start, end, seq, special, continues, unknown)
        )
        cursors[seq] = max(cursor, end)
        if last_of[seq] == k:
            gap(seq, len(texts[seq]))
    # A text none of whose tokens survived (empty, or truncated away) is all gap.
    for seq in range(len(texts)):
        if seq not in last_of:
            gap(seq, len(texts[seq]))
    return spans


def _spans_without_text(encoding: Encoding) -> list[Span]:
    """Spans of an encoding whose text is unknown: each token shows what it decodes to alone
    (a byte-level piece of a char decodes to U+FFFD)."""
    tok = encoding._tokenizer
    specials = set(tok.special_tokens)
    unk = unknown_id(tok)
    spans = []
    for k, token_id in enumerate(encoding.ids.tolist()):
        token = tok.id_to_token(token_id)
        if token in specials:
            spans.append(Span("inserted", "", k, token_id, token, special=True))
        else:
            text = tok.decode([token_id], skip_special_tokens=False)
            spans.append(Span("token", text, k, token_id, token, unknown=token_id == unk))
    return spans
