"""Normalizers: rewrite the text before it is split, keeping the alignment (HF ``normalizers``).

Each normalizer changes a :class:`~.alignment.NormalizedText` in place through its
``(char, change)`` primitive, so the offsets of the final tokens still point into the input:

=================  ==========================================================================
``NFC`` ``NFD``    Unicode normalization forms, computed as the ``unicode-normalization``
``NFKC`` ``NFKD``  crate HF uses computes them (see :func:`decompose` and :func:`recompose`)
``Lowercase``      char by char (Rust ``char::to_lowercase``)
``StripAccents``   removes every combining mark (general category ``M*``)
``Strip``          removes leading/trailing whitespace
``Replace``        a literal string or a regex, replaced by a string
``Prepend``        a string before the text (nothing for an empty text)
``BertNormalizer`` BERT's cleaning, CJK spacing, accent stripping and lowercasing
``Sequence``       several of the above in order
=================  ==========================================================================

Unicode data comes from Python's :mod:`unicodedata`; HF's tables are of other Unicode versions
(normalization 9.0, categories older or newer), so chars assigned or changed in between can
differ. The tests check every char that real text uses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex

from subwordx.errors import ModelFormatError
from subwordx.reference.pipeline.alignment import (
    NormalizedText,
    find_regex_matches,
)
from subwordx.reference.pretokenize import WHITESPACE

__all__ = [
    "NFC",
    "NFD",
    "NFKC",
    "NFKD",
    "BertNormalizer",
    "Lowercase",
    "Normalizer",
    "Precompiled",
    "Prepend",
    "Replace",
    "Sequence",
    "Strip",
    "StripAccents",
    "compile_hf_regex",
    "decompose",
    "from_json",
    "recompose",
]

Change = tuple[str, int]


# ---------------------------------------------------------------------------------- Unicode
#
# HF normalizes with the `unicode-normalization-alignments` crate, which yields every output char
# with the `change` the alignment primitive needs. The alignment HF reports follows from *that*
# sequence (e.g. a composed char points at its first part only), so it is reproduced step by step.

_HANGUL_S_BASE, _HANGUL_L_BASE, _HANGUL_V_BASE, _HANGUL_T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
_HANGUL_L_COUNT, _HANGUL_V_COUNT, _HANGUL_T_COUNT = 19, 21, 28
_HANGUL_N_COUNT = _HANGUL_V_COUNT * _HANGUL_T_COUNT
_HANGUL_S_COUNT = _HANGUL_L_COUNT * _HANGUL_N_COUNT


def _ccc(char: str) -> int:
    """Canonical combining class (0 for a starter)."""
    return unicodedata.combining(char)


@cache
def _full_decomposition(char: str, compatibility: bool) -> tuple[str, ...]:
    """The full (recursive) decomposition of one char, before canonical reordering."""
    code = ord(char)
    if code <= 0x7F:
        return (char,)  # ASCII never decomposes
    if _HANGUL_S_BASE <= code < _HANGUL_S_BASE + _HANGUL_S_COUNT:
        index = code - _HANGUL_S_BASE  # Hangul syllables decompose algorithmically
        parts = [
            chr(_HANGUL_L_BASE + index // _HANGUL_N_COUNT),
            chr(_HANGUL_V_BASE + (index % _HANGUL_N_COUNT) // _HANGUL_T_COUNT),
        ]
        if index % _HANGUL_T_COUNT:
            parts.append(chr(_HANGUL_T_BASE + index % _HANGUL_T_COUNT))
        return tuple(parts)
    mapping = unicodedata.decomposition(char)
    if not mapping or (mapping.startswith("<") and not compatibility):
        return (char,)
    fields = mapping.split()
    if fields[0].startswith("<"):
        fields = fields[1:]
    out: list[str] = []
    for hex_code in fields:
        out.extend(_full_decomposition(chr(int(hex_code, 16)), compatibility))
    return tuple(out)


def decompose(text: str, compatibility: bool) -> list[Change]:
    """NFD (or NFKD) of ``text`` as ``(char, change)`` pairs.

    Each input char is replaced by its full decomposition: the first char of it with change 0,
    the others with change 1 (inserted). Then, canonical ordering: every run of non-starters is
    sorted by combining class, stably, and *the changes travel with their chars*, so the
    alignment HF derives from this sequence is the one reproduced here.
    """
    out: list[tuple[int, str, int]] = []  # (combining class, char, change)
    pending = 0  # start of the block not yet sorted
    for char in text:
        for index, part in enumerate(_full_decomposition(char, compatibility)):
            ccc = _ccc(part)
            if ccc == 0:  # a starter closes the block before it: sort that block
                out[pending:] = sorted(out[pending:], key=lambda item: item[0])
                pending = len(out)
            out.append((ccc, part, 0 if index == 0 else 1))
    out[pending:] = sorted(out[pending:], key=lambda item: item[0])
    return [(char, change) for _, char, change in out]


@cache
def _composition_table() -> dict[tuple[str, str], str]:
    """Primary composites: pairs that canonically compose into one char.

    A two-char canonical decomposition whose char survives NFC (so not a composition exclusion,
    not a non-starter decomposition) is a pair that composes.
    """
    table: dict[tuple[str, str], str] = {}
    for code in range(0xA0, 0x30000):
        mapping = unicodedata.decomposition(chr(code))
        if not mapping or mapping.startswith("<"):
            continue
        fields = mapping.split()
        if len(fields) != 2:
            continue
        char = chr(code)
        if unicodedata.normalize("NFC", char) != char:
            continue
        table[chr(int(fields[0], 16)), chr(int(fields[1], 16))] = char
    return table


def _compose(first: str, second: str) -> str | None:
    """The char ``first`` + ``second`` compose into, if any (Hangul algorithmically)."""
    a, b = ord(first), ord(second)
    if (
        _HANGUL_L_BASE <= a < _HANGUL_L_BASE + _HANGUL_L_COUNT
        and _HANGUL_V_BASE <= b < _HANGUL_V_BASE + _HANGUL_V_COUNT
    ):
        l_index, v_index = a - _HANGUL_L_BASE, b - _HANGUL_V_BASE
        return chr(_HANGUL_S_BASE + (l_index * _HANGUL_V_COUNT + v_index) * _HANGUL_T_COUNT)
    if (
        _HANGUL_S_BASE <= a < _HANGUL_S_BASE + _HANGUL_S_COUNT
        and (a - _HANGUL_S_BASE) % _HANGUL_T_COUNT == 0
        and _HANGUL_T_BASE < b < _HANGUL_T_BASE + _HANGUL_T_COUNT
    ):
        return chr(a + b - _HANGUL_T_BASE)
    return _composition_table().get((first, second))


def recompose(decomposed: list[Change]) -> list[Change]:
    """NFC (or NFKC) from a decomposition: the crate's composition state machine.

    The last starter (the *composee*) absorbs each following char it composes with, unless a
    char in between with a combining class at least as high blocks it; a composite's change is
    ``composee + char - 1`` (one old char fewer). Chars that do not compose wait in a buffer and
    come out after the composee, when the next starter arrives or at the end.
    """
    out: list[Change] = []
    composee: Change | None = None
    buffer: list[Change] = []
    last_ccc: int | None = None
    for char, change in decomposed:
        ccc = _ccc(char)
        if composee is None:
            if ccc != 0:
                out.append((char, change))  # a non-starter with nothing to attach to
            else:
                composee = (char, change)
            continue
        if last_ccc is None:  # nothing between the composee and this char
            composed = _compose(composee[0], char)
            if composed is not None:
                composee = (composed, composee[1] + change - 1)
            elif ccc == 0:
                out.append(composee)
                composee = (char, change)
            else:
                buffer.append((char, change))
                last_ccc = ccc
            continue
        if last_ccc >= ccc:  # blocked by the char before it
            if ccc == 0:  # a new starter: flush the composee and the buffer
                out.append(composee)
                out.extend(buffer)
                buffer = []
                composee = (char, change)
                last_ccc = None
            else:
                buffer.append((char, change))
                last_ccc = ccc
            continue
        composed = _compose(composee[0], char)
        if composed is not None:
            composee = (composed, composee[1] + change - 1)
        else:
            buffer.append((char, change))
            last_ccc = ccc
    if composee is not None:
        out.append(composee)
    out.extend(buffer)
    return out


# ---------------------------------------------------------------------------------- char classes


def is_whitespace(char: str) -> bool:
    """Rust ``char::is_whitespace`` (Unicode White_Space)."""
    return char in WHITESPACE


def is_combining_mark(char: str) -> bool:
    """General category Mark (``Mn``, ``Mc``, ``Me``)."""
    return unicodedata.category(char).startswith("M")


def _is_chinese(char: str) -> bool:
    """BERT's "Chinese character": the CJK Unified Ideographs blocks (not kana, not Hangul)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B920 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def compile_hf_regex(pattern: str) -> regex.Pattern[str]:
    """Compile a pattern written for HF (Oniguruma, Ruby syntax) with the ``regex`` module.

    Ruby's ``^`` and ``$`` match at line boundaries, hence ``MULTILINE``. The two dialects agree
    on everything tokenizer patterns use (``\\p{..}``, ``\\s``, possessive and lazy quantifiers,
    lookarounds, inline ``(?i:)``); they differ on rarities such as Ruby's ``(?m)`` (dot matches
    newline) and on chars newer than one of their Unicode tables.
    """
    try:
        return regex.compile(pattern, regex.MULTILINE)
    except regex.error as e:
        raise ModelFormatError(f"cannot compile regex {pattern!r}: {e}") from None


# ---------------------------------------------------------------------------------- normalizers


class Normalizer:
    """Base class: :meth:`normalize` changes a text in place; :meth:`to_json` is HF's JSON."""

    def normalize(self, text: NormalizedText) -> None:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def normalize_str(self, text: str) -> str:
        """Normalize a plain string (HF ``normalize_str``).

        Example:
            >>> Sequence([NFD(), StripAccents(), Lowercase()]).normalize_str("Déjà")
            'deja'
        """
        normalized = NormalizedText(text)
        self.normalize(normalized)
        return normalized.normalized


@dataclass(frozen=True)
class NFD(Normalizer):
    """Canonical decomposition."""

    def normalize(self, text: NormalizedText) -> None:
        text.transform(decompose(text.normalized, compatibility=False))

    def to_json(self) -> dict[str, Any]:
        return {"type": "NFD"}


@dataclass(frozen=True)
class NFKD(Normalizer):
    """Compatibility decomposition."""

    def normalize(self, text: NormalizedText) -> None:
        text.transform(decompose(text.normalized, compatibility=True))

    def to_json(self) -> dict[str, Any]:
        return {"type": "NFKD"}


@dataclass(frozen=True)
class NFC(Normalizer):
    """Canonical decomposition, then canonical composition."""

    def normalize(self, text: NormalizedText) -> None:
        text.transform(recompose(decompose(text.normalized, compatibility=False)))

    def to_json(self) -> dict[str, Any]:
        return {"type": "NFC"}


@dataclass(frozen=True)
class NFKC(Normalizer):
    """Compatibility decomposition, then canonical composition."""

    def normalize(self, text: NormalizedText) -> None:
        text.transform(recompose(decompose(text.normalized, compatibility=True)))

    def to_json(self) -> dict[str, Any]:
        return {"type": "NFKC"}


@dataclass(frozen=True)
class Lowercase(Normalizer):
    """Lowercase every char on its own."""

    def normalize(self, text: NormalizedText) -> None:
        text.lowercase()

    def to_json(self) -> dict[str, Any]:
        return {"type": "Lowercase"}


@dataclass(frozen=True)
class StripAccents(Normalizer):
    """Remove combining marks. Alone it only strips marks already separate: put NFD before it."""

    def normalize(self, text: NormalizedText) -> None:
        text.filter(lambda c: not is_combining_mark(c))

    def to_json(self) -> dict[str, Any]:
        return {"type": "StripAccents"}


@dataclass(frozen=True)
class Strip(Normalizer):
    """Remove whitespace at the left and/or right end."""

    left: bool = True
    right: bool = True

    def normalize(self, text: NormalizedText) -> None:
        text.strip(self.left, self.right, is_whitespace)

    def to_json(self) -> dict[str, Any]:
        return {"type": "Strip", "strip_left": self.left, "strip_right": self.right}


@dataclass(frozen=True)
class Replace(Normalizer):
    """Replace every match of ``pattern`` (a literal string, or a regex when ``is_regex``)."""

    pattern: str
    content: str
    is_regex: bool = False
    _compiled: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        source = self.pattern if self.is_regex else regex.escape(self.pattern)
        object.__setattr__(self, "_compiled", compile_hf_regex(source))

    def find(self, text: str) -> list[tuple[tuple[int, int], bool]]:
        return find_regex_matches(self._compiled, text)

    def normalize(self, text: NormalizedText) -> None:
        text.replace(self.find(text.normalized), self.content)

    def to_json(self) -> dict[str, Any]:
        kind = "Regex" if self.is_regex else "String"
        return {"type": "Replace", "pattern": {kind: self.pattern}, "content": self.content}


@dataclass(frozen=True)
class Prepend(Normalizer):
    """Put ``prepend`` before a non-empty text (e.g. ``▁`` for SentencePiece-style models)."""

    prepend: str

    def normalize(self, text: NormalizedText) -> None:
        text.prepend(self.prepend)

    def to_json(self) -> dict[str, Any]:
        return {"type": "Prepend", "prepend": self.prepend}


def _darts_offset(unit: int) -> int:
    """The offset of a Darts double-array unit (bit 9 says it is shifted by 8 more bits)."""
    return (unit >> 10) << ((unit & (1 << 9)) >> 6)


class Precompiled(Normalizer):
    """SentencePiece's precompiled charsmap (``normalizer_spec.precompiled_charsmap``).

    The bytes are ``[trie size: u32 LE][trie: u32 LE units][NUL-terminated strings]``; the trie
    is a Darts double array from source byte strings to offsets of their replacements. At each
    position the *longest* source that prefixes the rest of the text is replaced (by a string
    that may be empty); with none, one char passes through (SentencePiece ``NormalizePrefix``).

    Alignment, as HF's ``Precompiled``: a replacement of ``k`` chars by ``m`` chars writes its
    chars with change 0, the last ``m - k`` as insertions when it is longer, and the last char
    removing the ``k - m`` extra when it is shorter; an empty replacement skips its chars.

    Example:
        >>> from subwordx.reference.sentencepiece import build_charsmap
        >>> Precompiled(build_charsmap({"ﬁ": "fi", "Ａ": "A"})).normalize_str("ﬁＡx")
        'fiAx'
    """

    def __init__(self, charsmap: bytes) -> None:
        if len(charsmap) < 4:
            raise ModelFormatError("precompiled charsmap has no trie size")
        size = int.from_bytes(charsmap[:4], "little")
        if size == 0 or size % 4 or size > len(charsmap) - 4:
            raise ModelFormatError(
                f"precompiled charsmap: trie size {size} does not fit its {len(charsmap)} bytes"
            )
        self.charsmap = bytes(charsmap)
        self.units = [int.from_bytes(charsmap[i : i + 4], "little") for i in range(4, 4 + size, 4)]
        self.blob = charsmap[4 + size :]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Precompiled) and other.charsmap == self.charsmap

    def __hash__(self) -> int:
        return hash(self.charsmap)

    def longest_match(self, data: bytes, start: int) -> tuple[int, str] | None:
        """The longest source at ``data[start:]`` (UTF-8), as ``(its length in bytes,
        replacement)``: Darts' ``commonPrefixSearch``, keeping the last (longest) result."""
        units = self.units
        offset = _darts_offset
        pos = offset(units[0])
        best: tuple[int, int] | None = None
        for i in range(start, len(data)):
            byte = data[i]
            pos ^= byte
            if pos >= len(units) or units[pos] & 0x800000FF != byte:
                break
            unit = units[pos]
            pos ^= offset(unit)
            # A key must end on a char boundary (never otherwise in SentencePiece's files).
            ends_char = i + 1 == len(data) or data[i + 1] & 0xC0 != 0x80
            if (unit >> 8) & 1 and ends_char and pos < len(units):
                best = (i + 1 - start, units[pos] & 0x7FFFFFFF)
        if best is None:
            return None
        length, value = best
        end = self.blob.find(b"\0", value)
        raw = self.blob[value : len(self.blob) if end < 0 else end]
        try:
            return length, raw.decode("utf-8")
        except UnicodeDecodeError:
            return None  # never in a real file: the text passes through

    def normalize(self, text: NormalizedText) -> None:
        data = text.normalized.encode("utf-8")
        changes: list[Change] = []
        pos = 0
        chars = 0  # chars of the text before `pos`
        skip_first = 0  # chars removed before the first written char
        while pos < len(data):
            found = self.longest_match(data, pos)
            if found is None:
                char = text.normalized[chars]
                changes.append((char, 0))
                pos += len(char.encode("utf-8"))
                chars += 1
                continue
            length, replacement = found
            old = len(data[pos : pos + length].decode("utf-8"))
            new = len(replacement)
            if new == 0:
                # Deleted: the previous written char removes them too (HF attaches the change
                # to it); at the very start they are skipped.
                if changes:
                    last_char, last_change = changes[-1]
                    changes[-1] = (last_char, last_change - old)
                else:
                    skip_first += old
            else:
                for k, char in enumerate(replacement):
                    if new >= old:
                        changes.append((char, 0 if k < old else 1))
                    else:
                        changes.append((char, -(old - new) if k == new - 1 else 0))
            pos += length
            chars += old
        text.transform(changes, skip_first)

    def to_json(self) -> dict[str, Any]:
        import base64

        return {
            "type": "Precompiled",
            "precompiled_charsmap": base64.b64encode(self.charsmap).decode("ascii"),
        }


@dataclass(frozen=True)
class BertNormalizer(Normalizer):
    """BERT's normalizer, four optional steps in this order:

    1. ``clean_text``: drop NUL, U+FFFD and control chars (``Cc``/``Cf``/``Co`` except tab,
       newline, carriage return), then turn every whitespace char into a space.
    2. ``handle_chinese_chars``: put a space on each side of every CJK ideograph (the spaces are
       inserted chars, aligned to the ideograph).
    3. ``strip_accents`` (default: same as ``lowercase``): NFD, then drop nonspacing marks
       (``Mn``).
    4. ``lowercase``.
    """

    clean_text: bool = True
    handle_chinese_chars: bool = True
    strip_accents: bool | None = None
    lowercase: bool = True

    def normalize(self, text: NormalizedText) -> None:
        if self.clean_text:

            def keep(char: str) -> bool:
                if char in "\t\n\r":
                    return True
                return char not in "\x00\ufffd" and unicodedata.category(char) not in (
                    "Cc",
                    "Cf",
                    "Co",
                )

            text.filter(keep)
            text.map(lambda c: " " if c in "\t\n\r" or is_whitespace(c) else c)
        if self.handle_chinese_chars:
            changes: list[Change] = []
            for char in text.normalized:
                if _is_chinese(char):
                    changes += [(" ", 0), (char, 1), (" ", 1)]
                else:
                    changes.append((char, 0))
            text.transform(changes)
        strip = self.lowercase if self.strip_accents is None else self.strip_accents
        if strip:
            text.transform(decompose(text.normalized, compatibility=False))
            text.filter(lambda c: unicodedata.category(c) != "Mn")
        if self.lowercase:
            text.lowercase()

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "BertNormalizer",
            "clean_text": self.clean_text,
            "handle_chinese_chars": self.handle_chinese_chars,
            "strip_accents": self.strip_accents,
            "lowercase": self.lowercase,
        }


@dataclass(frozen=True)
class Sequence(Normalizer):
    """Several normalizers, applied in order."""

    normalizers: list[Normalizer]

    def normalize(self, text: NormalizedText) -> None:
        for normalizer in self.normalizers:
            normalizer.normalize(text)

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "normalizers": [n.to_json() for n in self.normalizers]}


# ---------------------------------------------------------------------------------- JSON


def _pattern(spec: dict[str, Any], where: str) -> tuple[str, bool]:
    """``{"String": s}`` or ``{"Regex": r}`` → (text, is_regex)."""
    pattern = spec.get("pattern")
    if isinstance(pattern, dict) and len(pattern) == 1:
        ((kind, value),) = pattern.items()
        if kind in ("String", "Regex") and isinstance(value, str):
            return value, kind == "Regex"
    raise ModelFormatError(f"{where}: pattern must be {{'String': ..}} or {{'Regex': ..}}")


def _flag(spec: dict[str, Any], key: str, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise ModelFormatError(f"normalizer {spec.get('type')}: {key} must be a bool")
    return value


_SIMPLE: dict[str, Callable[[], Normalizer]] = {
    "NFC": NFC,
    "NFD": NFD,
    "NFKC": NFKC,
    "NFKD": NFKD,
    "Lowercase": Lowercase,
    "StripAccents": StripAccents,
}


def from_json(spec: dict[str, Any] | None) -> Normalizer | None:
    """Build a normalizer from its HF JSON (None stays None).

    Raises:
        ModelFormatError: an unknown or unsupported normalizer (the message names it), or a
            malformed one.
    """
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed normalizer {spec!r}")
    kind = spec.get("type")
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind == "Sequence":
        parts = spec.get("normalizers")
        if not isinstance(parts, list):
            raise ModelFormatError("normalizer Sequence: 'normalizers' must be a list")
        built = [from_json(part) for part in parts]
        return Sequence([n for n in built if n is not None])
    if kind == "Strip":
        return Strip(_flag(spec, "strip_left", True), _flag(spec, "strip_right", True))
    if kind == "Replace":
        pattern, is_regex = _pattern(spec, "normalizer Replace")
        content = spec.get("content")
        if not isinstance(content, str):
            raise ModelFormatError("normalizer Replace: content must be a string")
        return Replace(pattern, content, is_regex)
    if kind == "Prepend":
        prepend = spec.get("prepend")
        if not isinstance(prepend, str):
            raise ModelFormatError("normalizer Prepend: prepend must be a string")
        return Prepend(prepend)
    if kind == "Precompiled":
        import base64
        import binascii

        encoded = spec.get("precompiled_charsmap") or ""
        if not isinstance(encoded, str):
            raise ModelFormatError("normalizer Precompiled: precompiled_charsmap must be a string")
        if not encoded:
            return None  # an empty charsmap is the identity, as in HF
        try:
            charsmap = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ModelFormatError(
                "normalizer Precompiled: precompiled_charsmap is not base64"
            ) from None
        try:
            return Precompiled(charsmap)
        except ModelFormatError as e:
            raise ModelFormatError(f"normalizer Precompiled: {e}") from None
    if kind == "BertNormalizer":
        strip_accents = spec.get("strip_accents")
        if strip_accents is not None and not isinstance(strip_accents, bool):
            raise ModelFormatError(
                "normalizer BertNormalizer: strip_accents must be a bool or null"
            )
        return BertNormalizer(
            clean_text=_flag(spec, "clean_text", True),
            handle_chinese_chars=_flag(spec, "handle_chinese_chars", True),
            strip_accents=strip_accents,
            lowercase=_flag(spec, "lowercase", True),
        )
    raise ModelFormatError(f"unsupported normalizer type {kind!r}")
