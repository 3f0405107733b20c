"""Pre-tokenizers: cut the normalized pieces into smaller pieces (HF ``pre_tokenizers``).

The model never merges across a piece boundary, so the pre-tokenizer decides what a token can
span. Each pre-tokenizer takes the current list of :class:`~.alignment.Piece` and cuts every piece
that has no tokens yet; the cuts are made with :meth:`NormalizedText.split`, so each new piece
still knows which chars of the input it came from. Some also rewrite the text: ``ByteLevel``
writes every UTF-8 byte as one printable char, ``Metaspace`` writes spaces as ``▁``.

=====================  =====================================================================
``ByteLevel``          optional space before the piece, optional GPT-2 regex split, then bytes
``Split``              a literal string or regex, with a delimiter behavior and ``invert``
``Whitespace``         runs of word chars or of other non-space chars (``\\w+|[^\\w\\s]+``)
``WhitespaceSplit``    runs of non-whitespace
``BertPreTokenizer``   whitespace split, then every punctuation char on its own
``Punctuation``        punctuation chars as delimiters, with a behavior
``Digits``             digits on their own, one by one or in runs
``Metaspace``          ``" "`` → ``▁``, maybe a leading ``▁``, split before each ``▁``
``Sequence``           several of the above in order
=====================  =====================================================================
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import regex

from subwordx.errors import ModelFormatError
from subwordx.reference.pipeline.alignment import (
    Behavior,
    NormalizedText,
    Piece,
    find_char_matches,
    find_regex_matches,
    invert,
    split_pieces,
)
from subwordx.reference.pipeline.normalizers import compile_hf_regex, is_whitespace
from subwordx.reference.pretokenize import BYTES_TO_UNICODE as _BYTE_CHARS

__all__ = [
    "BYTES_TO_UNICODE",
    "GPT2_PATTERN",
    "BertPreTokenizer",
    "ByteLevel",
    "Digits",
    "Metaspace",
    "PreTokenizer",
    "Punctuation",
    "Sequence",
    "Split",
    "Whitespace",
    "WhitespaceSplit",
    "from_json",
    "pre_tokenize_str",
]

# HF's ByteLevel regex: GPT-2's split pattern, as in openai/gpt-2 `encoder.py`.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_GPT2_REGEX = regex.compile(GPT2_PATTERN)
# HF's Whitespace regex (Rust `regex` crate: `\w` is Alphabetic, marks, decimal digits,
# connector punctuation and join controls, which is also what the `regex` module means by it).
_WORDS_REGEX = regex.compile(r"\w+|[^\w\s]+")

# GPT-2's byte -> printable char table (:data:`subwordx.reference.pretokenize.BYTES_TO_UNICODE`),
# as a mapping: ``" "`` (32) is ``Ġ``.
BYTES_TO_UNICODE: dict[int, str] = dict(enumerate(_BYTE_CHARS))

_BEHAVIORS: dict[str, Behavior] = {
    "Removed": "removed",
    "Isolated": "isolated",
    "MergedWithPrevious": "merged_with_previous",
    "MergedWithNext": "merged_with_next",
    "Contiguous": "contiguous",
}
_BEHAVIOR_NAMES = {value: key for key, value in _BEHAVIORS.items()}


def is_punctuation(char: str) -> bool:
    """ASCII punctuation (symbols such as ``$`` and ``+`` included) or general category ``P*``."""
    return char in string.punctuation or unicodedata.category(char).startswith("P")


def is_numeric(char: str) -> bool:
    """Rust ``char::is_numeric``: general category ``Nd``, ``Nl`` or ``No``. (Python's
    ``str.isnumeric`` would also take CJK numerals such as 三.)"""
    return unicodedata.category(char) in ("Nd", "Nl", "No")


class PreTokenizer:
    """Base class: :meth:`pre_tokenize` cuts the untokenized pieces further."""

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


def pre_tokenize_str(pre_tokenizer: PreTokenizer, text: str) -> list[tuple[str, tuple[int, int]]]:
    """The pieces of ``text`` with their offsets (HF ``pre_tokenize_str``).

    Example:
        >>> pre_tokenize_str(BertPreTokenizer(), "Hi, you!")
        [('Hi', (0, 2)), (',', (2, 3)), ('you', (4, 7)), ('!', (7, 8))]
    """
    pieces = pre_tokenizer.pre_tokenize([Piece(NormalizedText(text))])
    return [(p.text.normalized, p.text.offsets_original()) for p in pieces]


@dataclass(frozen=True)
class ByteLevel(PreTokenizer):
    """GPT-2's byte-level pre-tokenizer.

    For each piece: add a space in front when ``add_prefix_space`` and it does not start with
    one (the space is aligned to the piece's first char), split with GPT-2's regex when
    ``use_regex``, then write every UTF-8 byte of every char as its printable stand-in
    (:data:`~subwordx.reference.pretokenize.BYTES_TO_UNICODE`: ``" "`` → ``Ġ``). The bytes of a
    char all keep that char's alignment, so a token holding part of a char still points at the
    whole char. ``trim_offsets`` only matters to the post-processor and decoder of that name.
    """

    add_prefix_space: bool = True
    trim_offsets: bool = True
    use_regex: bool = True

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        def cut(text: NormalizedText) -> list[NormalizedText]:
            if self.add_prefix_space and not text.normalized.startswith(" "):
                text.prepend(" ")
            if self.use_regex:
                return text.split(find_regex_matches(_GPT2_REGEX, text.normalized), "isolated")
            return [text]

        pieces = split_pieces(pieces, cut)
        for piece in pieces:
            if piece.tokens is None:
                to_bytes(piece.text)
        return pieces

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "ByteLevel",
            "add_prefix_space": self.add_prefix_space,
            "trim_offsets": self.trim_offsets,
            "use_regex": self.use_regex,
        }


def to_bytes(text: NormalizedText) -> None:
    """Rewrite every char as the byte-level chars of its UTF-8 bytes (first byte replaces the
    char, the others are inserted after it)."""
    changes: list[tuple[str, int]] = []
    for char in text.normalized:
        for index, byte in enumerate(char.encode("utf-8")):
            changes.append((BYTES_TO_UNICODE[byte], 1 if index > 0 else 0))
    text.transform(changes)


@dataclass(frozen=True)
class Split(PreTokenizer):
    """Split on a literal string or a regex.

    ``behavior`` says what becomes of the matches (see :meth:`NormalizedText.split`);
    ``invert`` makes the non-matching spans the delimiters instead.
    """

    pattern: str
    behavior: Behavior = "isolated"
    invert: bool = False
    is_regex: bool = True
    _compiled: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        source = self.pattern if self.is_regex else regex.escape(self.pattern)
        object.__setattr__(self, "_compiled", compile_hf_regex(source))

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        def cut(text: NormalizedText) -> list[NormalizedText]:
            matches = find_regex_matches(self._compiled, text.normalized)
            return text.split(invert(matches) if self.invert else matches, self.behavior)

        return split_pieces(pieces, cut)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Split",
            "pattern": {("Regex" if self.is_regex else "String"): self.pattern},
            "behavior": _BEHAVIOR_NAMES[self.behavior],
            "invert": self.invert,
        }


@dataclass(frozen=True)
class Whitespace(PreTokenizer):
    """Runs of word chars, and runs of other non-whitespace chars; whitespace is dropped."""

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        return split_pieces(
            pieces,
            lambda text: text.split(
                invert(find_regex_matches(_WORDS_REGEX, text.normalized)), "removed"
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {"type": "Whitespace"}


@dataclass(frozen=True)
class WhitespaceSplit(PreTokenizer):
    """Runs of non-whitespace chars (Unicode White_Space)."""

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        return split_pieces(
            pieces,
            lambda text: text.split(find_char_matches(is_whitespace, text.normalized), "removed"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"type": "WhitespaceSplit"}


@dataclass(frozen=True)
class BertPreTokenizer(PreTokenizer):
    """Whitespace split, then each punctuation char becomes a piece of its own."""

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        pieces = WhitespaceSplit().pre_tokenize(pieces)
        return split_pieces(
            pieces,
            lambda text: text.split(find_char_matches(is_punctuation, text.normalized), "isolated"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"type": "BertPreTokenizer"}


@dataclass(frozen=True)
class Punctuation(PreTokenizer):
    """Punctuation chars (one per match) as delimiters."""

    behavior: Behavior = "isolated"

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        return split_pieces(
            pieces,
            lambda text: text.split(
                find_char_matches(is_punctuation, text.normalized), self.behavior
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {"type": "Punctuation", "behavior": _BEHAVIOR_NAMES[self.behavior]}


@dataclass(frozen=True)
class Digits(PreTokenizer):
    """Numeric chars apart from the rest: each alone (``individual_digits``) or in runs."""

    individual_digits: bool = False

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        behavior: Behavior = "isolated" if self.individual_digits else "contiguous"
        return split_pieces(
            pieces,
            lambda text: text.split(find_char_matches(is_numeric, text.normalized), behavior),
        )

    def to_json(self) -> dict[str, Any]:
        return {"type": "Digits", "individual_digits": self.individual_digits}


PrependScheme = Literal["always", "first", "never"]


@dataclass(frozen=True)
class Metaspace(PreTokenizer):
    """SentencePiece-style: every space becomes ``replacement`` (``▁``).

    ``prepend_scheme`` adds a ``▁`` before a piece that does not start with one: ``always``,
    ``first`` (only the piece at the very start of the input), or ``never``. With ``split``, each
    ``▁`` starts a new piece (``merged_with_next``).
    """

    replacement: str = "▁"
    prepend_scheme: PrependScheme = "always"
    split: bool = True

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        def cut(text: NormalizedText) -> list[NormalizedText]:
            text.replace(find_char_matches(lambda c: c == " ", text.normalized), self.replacement)
            # "first": only the piece that starts the input (not one after an added token).
            wanted = self.prepend_scheme == "always" or (
                self.prepend_scheme == "first" and text.shift == 0
            )
            if wanted and not text.normalized.startswith(self.replacement):
                text.prepend(self.replacement)
            if self.split:
                matches = find_char_matches(lambda c: c == self.replacement, text.normalized)
                return text.split(matches, "merged_with_next")
            return [text]

        return split_pieces(pieces, cut)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Metaspace",
            "replacement": self.replacement,
            "prepend_scheme": self.prepend_scheme,
            "split": self.split,
        }


@dataclass(frozen=True)
class Sequence(PreTokenizer):
    """Several pre-tokenizers, applied in order."""

    pretokenizers: list[PreTokenizer]

    def pre_tokenize(self, pieces: list[Piece]) -> list[Piece]:
        for pre_tokenizer in self.pretokenizers:
            pieces = pre_tokenizer.pre_tokenize(pieces)
        return pieces

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "pretokenizers": [p.to_json() for p in self.pretokenizers]}


# ---------------------------------------------------------------------------------- JSON


def _bool(spec: dict[str, Any], key: str, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise ModelFormatError(f"pre_tokenizer {spec.get('type')}: {key} must be a bool")
    return value


def _behavior(spec: dict[str, Any], default: str | None = None) -> Behavior:
    name = spec.get("behavior", default)
    if name not in _BEHAVIORS:
        raise ModelFormatError(
            f"pre_tokenizer {spec.get('type')}: unknown behavior {name!r} "
            f"(one of {', '.join(_BEHAVIORS)})"
        )
    return _BEHAVIORS[cast(str, name)]


def from_json(spec: dict[str, Any] | None) -> PreTokenizer | None:
    """Build a pre-tokenizer from its HF JSON (None stays None).

    Raises:
        ModelFormatError: an unknown or unsupported pre-tokenizer (the message names it), or a
            malformed one.
    """
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed pre_tokenizer {spec!r}")
    kind = spec.get("type")
    if kind == "ByteLevel":
        return ByteLevel(
            add_prefix_space=_bool(spec, "add_prefix_space", True),
            trim_offsets=_bool(spec, "trim_offsets", True),
            use_regex=_bool(spec, "use_regex", True),
        )
    if kind == "Split":
        pattern = spec.get("pattern")
        if not (isinstance(pattern, dict) and len(pattern) == 1):
            raise ModelFormatError("pre_tokenizer Split: pattern must be {'String'|'Regex': ..}")
        ((pattern_kind, text),) = pattern.items()
        if pattern_kind not in ("String", "Regex") or not isinstance(text, str):
            raise ModelFormatError("pre_tokenizer Split: pattern must be {'String'|'Regex': ..}")
        return Split(
            pattern=text,
            behavior=_behavior(spec),
            invert=_bool(spec, "invert", False),
            is_regex=pattern_kind == "Regex",
        )
    if kind == "Whitespace":
        return Whitespace()
    if kind == "WhitespaceSplit":
        return WhitespaceSplit()
    if kind == "BertPreTokenizer":
        return BertPreTokenizer()
    if kind == "Punctuation":
        return Punctuation(_behavior(spec, "Isolated"))
    if kind == "Digits":
        return Digits(_bool(spec, "individual_digits", False))
    if kind == "Metaspace":
        replacement = spec.get("replacement")
        if not isinstance(replacement, str) or len(replacement) != 1:
            raise ModelFormatError("pre_tokenizer Metaspace: replacement must be one char")
        scheme = spec.get("prepend_scheme", "always")
        if scheme not in ("always", "first", "never"):
            raise ModelFormatError(f"pre_tokenizer Metaspace: unknown prepend_scheme {scheme!r}")
        if spec.get("add_prefix_space") is False:  # the older spelling of prepend_scheme=never
            if "prepend_scheme" in spec and scheme != "never":
                raise ModelFormatError(
                    "pre_tokenizer Metaspace: add_prefix_space does not match prepend_scheme"
                )
            scheme = "never"
        split = spec.get("split")
        return Metaspace(replacement, scheme, True if split is None else bool(split))
    if kind == "Sequence":
        parts = spec.get("pretokenizers")
        if not isinstance(parts, list):
            raise ModelFormatError("pre_tokenizer Sequence: 'pretokenizers' must be a list")
        built = [from_json(part) for part in parts]
        return Sequence([p for p in built if p is not None])
    raise ModelFormatError(f"unsupported pre_tokenizer type {kind!r}")
