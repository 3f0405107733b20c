"""Text normalization, with a map from every output char back to the input (docs/bpe.md §1.2, §4.5).

A normalizer applies up to three steps, always in this order:

1. **Unicode normalization**, NFC or NFKC (``unicodedata.normalize``).
2. **Lowercasing** with ``str.lower()`` (full case mapping, with the one context rule Python and
   Rust's ``str::to_lowercase`` share: a word-final capital sigma becomes ``ς``).
3. **Accent stripping**: NFD, then every char of general category ``Mn`` is dropped.

With no step set the text is returned unchanged.

Offsets
-------
Encoding must report, for every token, which chars of the *original* text it came from. So besides
the plain :meth:`Normalizer.normalize`, :meth:`Normalizer.normalize_with_spans` gives, for each
normalized char, the half-open span ``(start, end)`` of original chars it came from. It is built one
step at a time, each step carrying the spans of its input along:

* Unicode (de)composition only ever interacts inside a *segment*: a starter char followed by the
  chars that can attach to it (a non-zero canonical combining class, or a char that composes
  backwards such as a Hangul vowel jamo). A step normalizes each segment on its own. A segment that
  comes out unchanged keeps one span per char (so a base letter and its accent, split apart by a
  pre-tokenizer, keep their own offsets); a segment that changes gives every output char the span of
  the whole segment (``e`` + U+0301 composed to ``é`` covers both original chars).
* Lowercasing works char by char: a char that lowercases to several chars (``İ`` → ``i̇``) gives
  them all its span. (The sigma rule changes one char into one char, so it never moves a span.)

Normalizing segment by segment gives exactly the same text as normalizing the whole string; the
tests check that with hypothesis. :meth:`Normalizer.normalize_with_offsets` is the same map written
as one start index per char.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["Normalizer", "UnicodeForm"]

UnicodeForm = Literal["nfc", "nfkc"]

Span = tuple[int, int]

# Hangul jamo that compose *backwards* with the char before them although their combining class
# is 0 (an L+V syllable block, then +T). Unicode computes these compositions algorithmically, so
# they do not show up in `unicodedata.decomposition`.
_HANGUL_V = range(0x1161, 0x1176)
_HANGUL_T = range(0x11A8, 0x11C3)


@lru_cache(maxsize=1)
def _backward_combining_starters() -> frozenset[str]:
    """Chars with combining class 0 that can still be the second half of a canonical composition.

    For example U+0B3E (Oriya vowel sign AA) composes with a preceding U+0B47. A segment must not
    end before such a char, or per-segment NFC would miss the composition.
    """
    found: set[str] = {chr(c) for c in _HANGUL_V} | {chr(c) for c in _HANGUL_T}
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition or decomposition.startswith("<"):
            continue  # none, or a compatibility decomposition (NFKC does not compose those back)
        parts = decomposition.split()
        if len(parts) == 2:
            second = chr(int(parts[1], 16))
            if unicodedata.combining(second) == 0:
                found.add(second)
    return frozenset(found)


def _starts_segment(char: str) -> bool:
    """Whether a new segment may start at ``char`` (nothing before it can combine with it)."""
    if unicodedata.combining(char) != 0 or char in _backward_combining_starters():
        return False
    # A starter whose own decomposition begins with a combining mark (U+0F73, U+0344, ...) would
    # attach those marks to the previous char's run during reordering: keep it in that segment.
    first = unicodedata.normalize("NFKD", char)[:1]
    return first == "" or unicodedata.combining(first) == 0


def _segments(text: str) -> list[Span]:
    """Split ``text`` into segments ``[start, end)``: a starter plus the chars that attach to it."""
    spans: list[Span] = []
    start = 0
    for i in range(1, len(text)):
        if _starts_segment(text[i]):
            spans.append((start, i))
            start = i
    if text:
        spans.append((start, len(text)))
    return spans


def _by_segment(
    chars: str, spans: list[Span], step: Callable[[str], str]
) -> tuple[str, list[Span]]:
    """Apply a whole-string ``step`` to each segment of ``chars``, carrying the spans along."""
    out: list[str] = []
    out_spans: list[Span] = []
    for start, end in _segments(chars):
        piece = chars[start:end]
        result = step(piece)
        if result == piece:
            out.append(piece)
            out_spans.extend(spans[start:end])
        else:
            whole = (spans[start][0], spans[end - 1][1])
            out.append(result)
            out_spans.extend([whole] * len(result))
    return "".join(out), out_spans


def _strip_accents(text: str) -> str:
    """NFD, then drop every nonspacing mark (general category Mn)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class Normalizer:
    """The normalization steps to apply, in the fixed order unicode → lowercase → strip accents.

    Example:
        >>> Normalizer(unicode="nfkc", lowercase=True, strip_accents=True).normalize("Ｃafé")
        'cafe'
    """

    unicode: UnicodeForm | None = None
    lowercase: bool = False
    strip_accents: bool = False

    def __post_init__(self) -> None:
        if self.unicode not in (None, "nfc", "nfkc"):
            # Imported here so that this module can be read on its own.
            from subwordx.errors import ConfigError

            raise ConfigError(f"unknown unicode normalization {self.unicode!r} (nfc, nfkc or None)")

    @property
    def is_identity(self) -> bool:
        """True when no step is set, so that the text is returned unchanged."""
        return self.unicode is None and not self.lowercase and not self.strip_accents

    def normalize(self, text: str) -> str:
        """Normalize ``text`` (the plain definition, applied to the whole string)."""
        if self.unicode is not None:
            text = unicodedata.normalize("NFC" if self.unicode == "nfc" else "NFKC", text)
        if self.lowercase:
            text = text.lower()
        if self.strip_accents:
            text = _strip_accents(text)
        return text

    def normalize_with_spans(self, text: str) -> tuple[str, list[Span]]:
        """Normalize ``text``; also give, per output char, the span of input chars it came from.

        Example:
            >>> Normalizer(unicode="nfc").normalize_with_spans("e\\u0301x")
            ('éx', [(0, 2), (2, 3)])
        """
        spans: list[Span] = [(i, i + 1) for i in range(len(text))]
        if self.unicode is not None:
            form: Literal["NFC", "NFKC"] = "NFC" if self.unicode == "nfc" else "NFKC"
            text, spans = _by_segment(text, spans, lambda s: unicodedata.normalize(form, s))
        if self.lowercase:
            lowered = text.lower()
            # Char by char, except that the whole-string result is used for the chars themselves so
            # that the final-sigma rule (one char to one char) is the one `str.lower()` applies.
            new_spans: list[Span] = []
            for char, span in zip(text, spans):
                new_spans.extend([span] * len(char.lower()))
            assert len(new_spans) == len(lowered)
            text, spans = lowered, new_spans
        if self.strip_accents:
            text, spans = _by_segment(text, spans, _strip_accents)
        return text, spans

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """Normalize ``text``; also give, per output char, the index of the input char it came from.

        A char made from several input chars (a composed segment) points at the first of them.

        Example:
            >>> Normalizer(lowercase=True).normalize_with_offsets("Aİ")
            ('ai̇', [0, 1, 1])
        """
        normalized, spans = self.normalize_with_spans(text)
        return normalized, [start for start, _ in spans]
