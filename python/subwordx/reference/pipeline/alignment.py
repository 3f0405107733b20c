"""Normalized text that remembers where every char came from (HF ``NormalizedString``).

A tokenizer pipeline rewrites text before the model sees it: unicode normalization, lowercasing,
``" "`` → ``"▁"``, bytes written as printable chars, ... Yet every token must report the span of
the *original* text it came from. So the text travels as a :class:`NormalizedText`:

* ``original``: the slice of the input this piece covers,
* ``normalized``: what the pipeline made of it so far,
* ``alignments``: for every normalized char, the span ``(start, end)`` of ``original`` chars it
  stands for,
* ``shift``: where ``original`` starts in the whole input, so that pieces cut out of a longer text
  still give offsets into that text.

Example::

    original    "Café"                 NFD → lowercase
    normalized  "cafe\u0301"
    alignments  (0,1) (1,2) (2,3) (3,4) (3,4)      the accent was made out of "é"

HF ``tokenizers`` keeps these spans in UTF-8 bytes; here they are in chars. Every transformation
works on whole chars, so the two are the same map written in two units (HF converts its byte
offsets to chars at the very end, which :func:`hf_char_offsets` reproduces, quirk included).

Every change goes through one primitive, :meth:`NormalizedText.transform_range`, fed with
``(char, change)`` pairs exactly as HF's ``transform_range``:

* ``change == 0``: the char replaces the next old char (and takes its alignment),
* ``change == -n``: the same, and the ``n`` old chars after it are removed,
* ``change == 1``: the char is inserted; it takes the alignment of the old char just before it
  (``(0, 0)`` at the very start).

So a composed ``é`` made of ``e`` + U+0301 (``("é", -1)``) points at the ``e`` only, and every
char of a replacement points at the last char of what it replaced: this is what HF reports.

The pipeline's state between steps is a list of :class:`Piece`: a piece of text, plus its tokens
once an added token or the model has produced them (pieces with tokens are never touched again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import regex

__all__ = [
    "Behavior",
    "Match",
    "NormalizedText",
    "Piece",
    "Token",
    "find_char_matches",
    "find_regex_matches",
    "hf_char_offsets",
    "invert",
    "split_pieces",
]

Span = tuple[int, int]
# One entry of a pattern search: a span of the text and whether the pattern matched it. A search
# always returns spans that tile the whole text, in order (HF ``Pattern::find_matches``).
Match = tuple[Span, bool]
Behavior = Literal["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]


@dataclass(frozen=True)
class Token:
    """A token produced inside one piece: its id, its string, and its char span in the piece's
    normalized text."""

    id: int
    value: str
    start: int
    end: int


class NormalizedText:
    """A piece of the input, normalized so far, with its alignment back to the input.

    Example:
        >>> t = NormalizedText("Hé")
        >>> t.lowercase()
        >>> t.normalized, t.alignments
        ('hé', [(0, 1), (1, 2)])
    """

    __slots__ = ("alignments", "normalized", "original", "shift")

    def __init__(
        self,
        original: str,
        normalized: str | None = None,
        alignments: list[Span] | None = None,
        shift: int = 0,
    ) -> None:
        self.original = original
        self.normalized = original if normalized is None else normalized
        # A fresh text: every char stands for itself.
        self.alignments = (
            [(i, i + 1) for i in range(len(original))] if alignments is None else alignments
        )
        self.shift = shift

    def __repr__(self) -> str:
        return f"NormalizedText({self.original!r} -> {self.normalized!r}, shift={self.shift})"

    def copy(self) -> NormalizedText:
        return NormalizedText(self.original, self.normalized, list(self.alignments), self.shift)

    def offsets_original(self) -> Span:
        """Where this piece's original text lies in the whole input."""
        return self.shift, self.shift + len(self.original)

    # ------------------------------------------------------------------------------ offsets

    def normalized_to_original(self, start: int, end: int) -> Span | None:
        """The original span (relative to ``original``) that normalized chars ``[start, end)``
        come from: from the first char's start to the last char's end.

        HF quirk kept: an empty range is returned as it is (still in normalized units), and a
        range past the end gives None.
        """
        if start == end:
            return start, end
        if start > end or end > len(self.alignments):
            return None
        return self.alignments[start][0], self.alignments[end - 1][1]

    def original_to_normalized(self, start: int, end: int) -> Span | None:
        """The normalized range covering original chars ``[start, end)`` (HF ``convert_offsets``
        with an ``Original`` range).

        Normalized chars are scanned while they end within the target; the range starts at the
        first one starting inside it (chars of width zero, inserted before the first char, are
        skipped) and ends after the last one ending inside it.
        """
        if start == end:
            return start, end
        if start > end:
            return None
        first: int | None = None
        last: int | None = None
        for i, (a, b) in enumerate(self.alignments):
            if end < b:
                break
            if first is None and start <= a and a != b:
                first = i
            last = i + 1
        if first is not None and last is not None:
            return first, last
        if first is not None:
            return first, first
        if last is not None:
            return last, last
        return None

    def token_offsets(self, start: int, end: int) -> Span:
        """Offsets in the whole input of a token spanning normalized chars ``[start, end)``
        (HF ``into_encoding``: convert to the original, then add the shift; a range that cannot
        be converted is returned as it is)."""
        converted = self.normalized_to_original(start, end)
        if converted is None:
            return start, end
        return self.shift + converted[0], self.shift + converted[1]

    # ------------------------------------------------------------------------------ the primitive

    def transform_range(
        self, start: int, end: int, changes: Iterable[tuple[str, int]], initial_offset: int
    ) -> None:
        """Replace normalized chars ``[start, end)`` by the chars of ``changes``.

        ``initial_offset`` old chars are removed before the first new char. Each ``(char,
        change)`` then consumes old chars as the module docstring explains, and gets the
        alignment of the old char it consumed, or of the old char before it when inserted.
        """
        old = self.alignments
        remaining = end - start  # old chars of the range not consumed yet
        consumed = min(initial_offset, remaining)
        remaining -= consumed
        position = start + consumed  # index (in the old text) of the next old char
        new_chars: list[str] = []
        new_alignments: list[Span] = []
        for char, change in changes:
            if change > 0:
                alignment = old[position - 1] if position >= 1 else (0, 0)
            else:
                alignment = old[position]
                if remaining > 0:  # the char replaces the next old char
                    remaining -= 1
                    position += 1
            if change < 0:  # ... and removes the ones after it
                removed = min(-change, remaining)
                remaining -= removed
                position += removed
            new_chars.append(char)
            new_alignments.append(alignment)
        self.normalized = self.normalized[:start] + "".join(new_chars) + self.normalized[end:]
        self.alignments = old[:start] + new_alignments + old[end:]

    def transform(self, changes: Iterable[tuple[str, int]], initial_offset: int = 0) -> None:
        """:meth:`transform_range` over the whole text.

        HF addresses "the whole text" as the *original* range ``..``, converted to normalized
        chars; that conversion skips zero-width chars inserted at the very start, so they are kept
        as they are.
        """
        # An empty original converts to the empty range (0, 0): the new chars are then inserted
        # before the current ones (this happens to chars a Replace inserted out of nothing).
        span = self.original_to_normalized(0, len(self.original))
        if span is None:
            return
        self.transform_range(span[0], span[1], changes, initial_offset)

    # ------------------------------------------------------------------------------ operations

    def filter(self, keep: Callable[[str], bool]) -> None:
        """Remove the chars for which ``keep`` is false.

        Written as HF writes it: each kept char carries ``-n`` for the ``n`` removed chars that
        follow it, and the removed chars before the first kept one are the initial offset.
        """
        changes: list[tuple[str, int]] = []
        removed = 0
        removed_at_start = 0
        last_kept: str | None = None
        for char in self.normalized:
            if keep(char):
                if last_kept is None:
                    removed_at_start = removed
                else:
                    changes.append((last_kept, -removed))
                last_kept = char
                removed = 0
            else:
                removed += 1
        if last_kept is not None:
            changes.append((last_kept, -removed))
        self.transform(changes, removed_at_start)

    def map(self, function: Callable[[str], str]) -> None:
        """Replace every char by ``function(char)`` (one char each)."""
        self.transform([(function(c), 0) for c in self.normalized], 0)

    def lowercase(self) -> None:
        """Lowercase char by char (Rust ``char::to_lowercase``: no context, so a final capital
        sigma becomes ``σ``; a char that lowercases to several chars gives them all its span)."""
        changes: list[tuple[str, int]] = []
        for char in self.normalized:
            for index, lower in enumerate(char.lower()):
                changes.append((lower, 1 if index > 0 else 0))
        self.transform(changes, 0)

    def prepend(self, prefix: str) -> None:
        """Insert ``prefix`` before the first char; the prefix takes the first char's span."""
        if not self.normalized:
            return  # nothing to attach to
        # The first prefix char replaces the first char (taking its alignment); the rest of the
        # prefix and the first char again are inserted after it. (With an empty prefix the first
        # char is "inserted" at the very start, so HF gives it the alignment (0, 0).)
        first = self.normalized[0]
        changes = [(c, 0 if i == 0 else 1) for i, c in enumerate(prefix)] + [(first, 1)]
        self.transform_range(0, 1, changes, 0)

    def replace(self, matches: Sequence[Match], content: str) -> None:
        """Replace every matched span by ``content``; its chars all take the alignment of the
        last matched char (or of the char before an empty match, ``(0, 0)`` at the start)."""
        new_text: list[str] = []
        new_alignments: list[Span] = []
        last_end = 0
        for (start, end), is_match in matches:
            if not is_match:
                continue
            new_text.append(self.normalized[last_end:start])
            new_alignments.extend(self.alignments[last_end:start])
            alignment = self.alignments[end - 1] if end >= 1 else (0, 0)
            new_text.append(content)
            new_alignments.extend([alignment] * len(content))
            last_end = end
        new_text.append(self.normalized[last_end:])
        new_alignments.extend(self.alignments[last_end:])
        self.normalized = "".join(new_text)
        self.alignments = new_alignments

    def strip(self, left: bool, right: bool, is_whitespace: Callable[[str], bool]) -> None:
        """Remove leading and/or trailing whitespace."""
        text = self.normalized
        leading = 0
        if left:
            while leading < len(text) and is_whitespace(text[leading]):
                leading += 1
        trailing = 0
        if right:
            while trailing < len(text) and is_whitespace(text[len(text) - 1 - trailing]):
                trailing += 1
        if leading == 0 and trailing == 0:
            return
        kept = range(leading, max(leading, len(text) - trailing))
        changes = [(text[i], -trailing if i == kept[-1] else 0) for i in kept]
        self.transform(changes, leading)

    # ------------------------------------------------------------------------------ cutting

    def slice(self, start: int, end: int) -> NormalizedText:
        """The piece made of normalized chars ``[start, end)``, with its own original slice."""
        span = self.normalized_to_original(start, end)
        if span is None:
            raise IndexError(f"slice {start}..{end} outside a text of {len(self.normalized)}")
        original_start, original_end = span
        return NormalizedText(
            original=self.original[original_start:original_end],
            normalized=self.normalized[start:end],
            alignments=[
                (a - original_start, b - original_start) for a, b in self.alignments[start:end]
            ],
            shift=self.shift + original_start,
        )

    def split(self, matches: Sequence[Match], behavior: Behavior) -> list[NormalizedText]:
        """Cut this text at the matched spans; ``behavior`` says what becomes of the delimiters.

        With delimiter ``-`` on ``the-final--countdown``:

        * ``removed``              ``the`` ``final`` ``countdown``
        * ``isolated``             ``the`` ``-`` ``final`` ``-`` ``-`` ``countdown``
        * ``merged_with_previous`` ``the-`` ``final-`` ``-`` ``countdown``
        * ``merged_with_next``     ``the`` ``-final`` ``-`` ``-countdown``
        * ``contiguous``           ``the`` ``-`` ``final`` ``--`` ``countdown``

        Empty pieces are returned too (the caller drops them, as HF does).
        """
        spans: list[tuple[list[int], bool]] = []  # ([start, end], remove)
        if behavior == "isolated":
            spans = [([s, e], False) for (s, e), _ in matches]
        elif behavior == "removed":
            spans = [([s, e], is_match) for (s, e), is_match in matches]
        elif behavior == "contiguous":
            previous = False
            for (s, e), is_match in matches:
                if is_match == previous and spans:
                    spans[-1][0][1] = e  # extend the run of the same kind
                else:
                    spans.append(([s, e], False))
                previous = is_match
        elif behavior == "merged_with_previous":
            previous = False
            for (s, e), is_match in matches:
                if is_match and not previous and spans:
                    spans[-1][0][1] = e  # a delimiter joins the piece before it
                else:
                    spans.append(([s, e], False))
                previous = is_match
        elif behavior == "merged_with_next":
            previous = False
            for (s, e), is_match in reversed(matches):
                if is_match and not previous and spans:
                    spans[-1][0][0] = s  # a delimiter joins the piece after it
                else:
                    spans.append(([s, e], False))
                previous = is_match
            spans.reverse()
        else:  # pragma: no cover - the Literal type rules it out
            raise ValueError(f"unknown split behavior {behavior!r}")
        return [self.slice(s, e) for (s, e), remove in spans if not remove]


# ---------------------------------------------------------------------------------- patterns


def find_regex_matches(pattern: regex.Pattern[str], text: str) -> list[Match]:
    """Search ``pattern`` through ``text``; return matched and unmatched spans tiling it.

    The search loop is Oniguruma's (the engine HF uses): after each match, search again from its
    end, but refuse an *empty* match right where the previous match ended (step one char instead).
    Python's ``finditer`` would accept it, e.g. ``\\s*`` on ``"a  b"`` after ``"  "``.
    """
    if not text:
        return [((0, 0), False)]
    out: list[Match] = []
    previous_end = 0
    search_from = 0
    last_match_end: int | None = None
    while search_from <= len(text):
        found = pattern.search(text, search_from)
        if found is None:
            break
        start, end = found.span()
        if start == end and last_match_end == search_from:
            search_from += 1
            continue
        search_from = end
        last_match_end = end
        if previous_end != start:
            out.append(((previous_end, start), False))
        out.append(((start, end), True))
        previous_end = end
    if previous_end != len(text):
        out.append(((previous_end, len(text)), False))
    return out


def find_char_matches(predicate: Callable[[str], bool], text: str) -> list[Match]:
    """Every char for which ``predicate`` holds is a match of its own; runs of other chars are
    the unmatched spans between them."""
    if not text:
        return [((0, 0), False)]
    out: list[Match] = []
    run_start = 0
    for i, char in enumerate(text):
        if predicate(char):
            if run_start < i:
                out.append(((run_start, i), False))
            out.append(((i, i + 1), True))
            run_start = i + 1
    if run_start < len(text):
        out.append(((run_start, len(text)), False))
    return out


def invert(matches: Iterable[Match]) -> list[Match]:
    """Matched spans become unmatched and the other way round (HF ``Invert``)."""
    return [(span, not is_match) for span, is_match in matches]


# ---------------------------------------------------------------------------------- splits


@dataclass
class Piece:
    """One piece of the input on its way through the pipeline; ``tokens`` is set once an added
    token or the model has turned it into tokens (then no later step touches it)."""

    text: NormalizedText
    tokens: list[Token] | None = field(default=None)


def split_pieces(
    pieces: list[Piece], cut: Callable[[NormalizedText], Iterable[NormalizedText | Piece]]
) -> list[Piece]:
    """Apply ``cut`` to every piece without tokens; drop the empty pieces it makes (HF
    ``PreTokenizedString::split``)."""
    out: list[Piece] = []
    for piece in pieces:
        if piece.tokens is not None:
            out.append(piece)
            continue
        for part in cut(piece.text):
            split = part if isinstance(part, Piece) else Piece(part)
            if split.text.normalized:
                out.append(split)
    return out


def hf_char_offsets(offsets: Span, text: str) -> Span:
    """Offsets as HF's Python binding reports them.

    HF computes byte offsets and converts them to chars at the end. A span starting at the very
    end of the text (only an empty span can) finds no char to convert to and stays in *bytes*;
    this reproduces that quirk. Every other span is already in chars here.
    """
    start, end = offsets
    if text and start >= len(text):
        return len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
    return offsets
