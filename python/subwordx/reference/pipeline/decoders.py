"""Decoders: turn token strings back into text (HF ``decoders``), and a streaming decoder.

A decoder maps the list of token strings to a list of strings (``decode_chain``), joined at the
end; a ``Sequence`` feeds each decoder's output to the next::

    ["▁Hey", "▁fri", "end", "<0xE2>", "<0x9C>", "<0x85>"]
    ByteFallback   <0xNN> runs → their UTF-8 text ("✅"), or one U+FFFD per byte if invalid
    Metaspace      ▁ → space (dropped at the start of the first token unless prepend is never)
    Fuse           one string
    ...

=================  ======================================================================
``ByteLevel``      byte-level chars back to bytes, then UTF-8 (bad bytes → U+FFFD)
``BPEDecoder``     the end-of-word suffix becomes a space (nothing on the last token)
``WordPiece``      ``##`` glues a token to the previous one, others get a space; cleanup
``Metaspace``      ``▁`` → space
``ByteFallback``   ``<0xNN>`` tokens → bytes → text
``Fuse``           join everything into one string
``Strip``          remove up to n copies of a char at each end of every token
``Replace``        a literal string or regex replaced in every token
``Sequence``       several of the above in order
=================  ======================================================================

:class:`DecodeStream` decodes ids one at a time and returns text as soon as it is final: never
half a UTF-8 char, and with the spacing the whole sequence would have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import regex

from subwordx.errors import ConfigError, ModelFormatError
from subwordx.reference.pipeline.alignment import find_regex_matches
from subwordx.reference.pipeline.normalizers import compile_hf_regex
from subwordx.reference.pretokenize import UNICODE_TO_BYTES

__all__ = [
    "BPEDecoder",
    "ByteFallback",
    "ByteLevel",
    "DecodeStream",
    "Decoder",
    "Fuse",
    "Metaspace",
    "Replace",
    "Sequence",
    "Strip",
    "WordPiece",
    "from_json",
]


class Decoder:
    """Base class: :meth:`decode_chain` maps token strings to strings."""

    def decode_chain(self, tokens: list[str]) -> list[str]:
        raise NotImplementedError

    def decode(self, tokens: list[str]) -> str:
        return "".join(self.decode_chain(tokens))

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class ByteLevel(Decoder):
    """All tokens to bytes through the byte-level alphabet, then one UTF-8 decode.

    A token holding a char outside the alphabet (an added token like ``<s>`` is fine, its chars
    are in it) is taken as its own UTF-8 bytes.
    """

    add_prefix_space: bool = True
    trim_offsets: bool = True
    use_regex: bool = True

    def decode_chain(self, tokens: list[str]) -> list[str]:
        data = bytearray()
        for token in tokens:
            try:
                data += bytes(UNICODE_TO_BYTES[char] for char in token)
            except KeyError:
                data += token.encode("utf-8")
        # Python's "replace" and Rust's from_utf8_lossy both put one U+FFFD per maximal bad run.
        return [data.decode("utf-8", errors="replace")]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "ByteLevel",
            "add_prefix_space": self.add_prefix_space,
            "trim_offsets": self.trim_offsets,
            "use_regex": self.use_regex,
        }


@dataclass(frozen=True)
class BPEDecoder(Decoder):
    """Every occurrence of ``suffix`` becomes a space, except in the last token (nothing)."""

    suffix: str = "</w>"

    def decode_chain(self, tokens: list[str]) -> list[str]:
        last = len(tokens) - 1
        return [t.replace(self.suffix, "" if i == last else " ") for i, t in enumerate(tokens)]

    def to_json(self) -> dict[str, Any]:
        return {"type": "BPEDecoder", "suffix": self.suffix}


def _cleanup(text: str) -> str:
    """WordPiece's cleanup of tokenization spaces (HF ``wordpiece::cleanup``)."""
    for dirty, clean in (
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" do not", " don't"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ):
        text = text.replace(dirty, clean)
    return text


@dataclass(frozen=True)
class WordPiece(Decoder):
    """A token starting with ``prefix`` is glued to the previous one (prefix removed); any
    other token but the first gets a space before it. ``cleanup`` removes spaces before
    punctuation and in contractions, token by token."""

    prefix: str = "##"
    cleanup: bool = True

    def decode_chain(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for i, token in enumerate(tokens):
            if i != 0:
                token = token[len(self.prefix) :] if token.startswith(self.prefix) else " " + token
            out.append(_cleanup(token) if self.cleanup else token)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"type": "WordPiece", "prefix": self.prefix, "cleanup": self.cleanup}


@dataclass(frozen=True)
class Metaspace(Decoder):
    """``replacement`` → space; in the first token it is dropped (the pre-tokenizer added it),
    unless ``prepend_scheme`` is ``never``."""

    replacement: str = "▁"
    prepend_scheme: str = "always"
    split: bool = True

    def decode_chain(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for i, token in enumerate(tokens):
            drop = i == 0 and self.prepend_scheme != "never"
            out.append(
                "".join(("" if drop else " ") if c == self.replacement else c for c in token)
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "Metaspace",
            "replacement": self.replacement,
            "prepend_scheme": self.prepend_scheme,
            "split": self.split,
        }


def _byte_of(token: str) -> int | None:
    """The byte of a ``<0xNN>`` token (exactly six chars, two hex digits), else None."""
    if len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
        try:
            return int(token[3:5], 16)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class ByteFallback(Decoder):
    """Runs of ``<0xNN>`` tokens become their UTF-8 text; an invalid run becomes one U+FFFD
    per byte (not per bad sequence)."""

    def decode_chain(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        pending = bytearray()

        def flush() -> None:
            if pending:
                try:
                    out.append(pending.decode("utf-8"))
                except UnicodeDecodeError:
                    out.extend(["\ufffd"] * len(pending))
                pending.clear()

        for token in tokens:
            byte = _byte_of(token)
            if byte is not None:
                pending.append(byte)
            else:
                flush()
                out.append(token)
        flush()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"type": "ByteFallback"}


@dataclass(frozen=True)
class Fuse(Decoder):
    """All tokens joined into one string."""

    def decode_chain(self, tokens: list[str]) -> list[str]:
        return ["".join(tokens)]

    def to_json(self) -> dict[str, Any]:
        return {"type": "Fuse"}


@dataclass(frozen=True)
class Strip(Decoder):
    """Remove up to ``start`` copies of ``content`` at the start of each token, and up to
    ``stop`` at its end."""

    content: str = " "
    start: int = 0
    stop: int = 0

    def decode_chain(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            begin = 0
            while begin < min(self.start, len(token)) and token[begin] == self.content:
                begin += 1
            end = len(token)
            for _ in range(self.stop):
                if end > 0 and token[end - 1] == self.content:
                    end -= 1
                else:
                    break
            out.append(token[begin:end] if begin <= end else "")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"type": "Strip", "content": self.content, "start": self.start, "stop": self.stop}


@dataclass(frozen=True)
class Replace(Decoder):
    """Every match of ``pattern`` in each token replaced by ``content``."""

    pattern: str
    content: str
    is_regex: bool = False
    _compiled: regex.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        source = self.pattern if self.is_regex else regex.escape(self.pattern)
        object.__setattr__(self, "_compiled", compile_hf_regex(source))

    def decode_chain(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            parts = [
                self.content if is_match else token[start:end]
                for (start, end), is_match in find_regex_matches(self._compiled, token)
            ]
            out.append("".join(parts))
        return out

    def to_json(self) -> dict[str, Any]:
        kind = "Regex" if self.is_regex else "String"
        return {"type": "Replace", "pattern": {kind: self.pattern}, "content": self.content}


@dataclass(frozen=True)
class Sequence(Decoder):
    """Several decoders; each gets the previous one's output."""

    decoders: list[Decoder]

    def decode_chain(self, tokens: list[str]) -> list[str]:
        for decoder in self.decoders:
            tokens = decoder.decode_chain(tokens)
        return tokens

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "decoders": [d.to_json() for d in self.decoders]}


# ---------------------------------------------------------------------------------- streaming


class DecodeStream:
    """Decode ids one at a time (HF ``DecodeStream``).

    Decoding token by token goes wrong in two ways: a token can hold part of a UTF-8 char (its
    bytes are only complete with the next token), and decoders look at neighbours (Metaspace drops
    the space of the *first* token only). So the stream keeps a window of ids:

    * ``prefix``: the text the window's first ids decode to (already returned earlier);
    * on each new id, the whole window is decoded; if the text grew past ``prefix`` and does not
      end in U+FFFD (an incomplete char), the growth is returned, and the window slides so that it
      starts where the returned text ended.

    Example:
        >>> stream = DecodeStream(lambda ids: bytes(ids).decode("utf-8", errors="replace"))
        >>> [stream.step(b) for b in "é!".encode()]
        [None, 'é', '!']
    """

    def __init__(self, decode: Callable[[list[int]], str]) -> None:
        self._decode = decode
        self._ids: list[int] = []
        self._prefix = ""
        self._prefix_index = 0

    def step(self, id: int) -> str | None:
        """Feed one id; return the text it completes, or None if none is complete yet."""
        if not self._prefix and self._ids:
            prefix = self._decode(self._ids)
            if not prefix.endswith("\ufffd"):
                self._prefix = prefix
                self._prefix_index = len(self._ids)
        self._ids.append(id)
        text = self._decode(self._ids)
        grew = len(text.encode("utf-8")) > len(self._prefix.encode("utf-8"))
        if not grew or text.endswith("\ufffd"):
            return None
        if not text.startswith(self._prefix):
            raise ConfigError(
                f"decode stream: {text!r} does not continue the text already returned "
                f"{self._prefix!r} (id {id})"
            )
        new_text = text[len(self._prefix) :]
        new_prefix_index = len(self._ids) - self._prefix_index
        self._ids = self._ids[self._prefix_index :]
        self._prefix = self._decode(self._ids)
        self._prefix_index = new_prefix_index
        return new_text


# ---------------------------------------------------------------------------------- JSON


def _str(spec: dict[str, Any], key: str, default: str | None = None) -> str:
    value = spec.get(key, default)
    if not isinstance(value, str):
        raise ModelFormatError(f"decoder {spec.get('type')}: {key} must be a string")
    return value


def _int(spec: dict[str, Any], key: str) -> int:
    value = spec.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelFormatError(f"decoder {spec.get('type')}: {key} must be a natural number")
    return value


def from_json(spec: Any) -> Decoder | None:
    """Build a decoder from its HF JSON (None stays None).

    Raises:
        ModelFormatError: an unknown or unsupported decoder (the message names it), or a
            malformed one.
    """
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed decoder {spec!r}")
    kind = spec.get("type")
    if kind == "ByteLevel":
        return ByteLevel(
            bool(spec.get("add_prefix_space", True)),
            bool(spec.get("trim_offsets", True)),
            bool(spec.get("use_regex", True)),
        )
    if kind == "BPEDecoder":
        return BPEDecoder(_str(spec, "suffix", "</w>"))
    if kind == "WordPiece":
        return WordPiece(_str(spec, "prefix", "##"), bool(spec.get("cleanup", True)))
    if kind == "Metaspace":
        scheme = spec.get("prepend_scheme", "always")
        if spec.get("add_prefix_space") is False:
            scheme = "never"
        if scheme not in ("always", "first", "never"):
            raise ModelFormatError(f"decoder Metaspace: unknown prepend_scheme {scheme!r}")
        split = spec.get("split")
        return Metaspace(_str(spec, "replacement"), scheme, True if split is None else bool(split))
    if kind == "ByteFallback":
        return ByteFallback()
    if kind == "Fuse":
        return Fuse()
    if kind == "Strip":
        content = _str(spec, "content")
        if len(content) != 1:
            raise ModelFormatError("decoder Strip: content must be one char")
        return Strip(content, _int(spec, "start"), _int(spec, "stop"))
    if kind == "Replace":
        pattern = spec.get("pattern")
        if not (isinstance(pattern, dict) and len(pattern) == 1):
            raise ModelFormatError("decoder Replace: pattern must be {'String'|'Regex': ..}")
        ((pattern_kind, text),) = pattern.items()
        if pattern_kind not in ("String", "Regex") or not isinstance(text, str):
            raise ModelFormatError("decoder Replace: pattern must be {'String'|'Regex': ..}")
        return Replace(text, _str(spec, "content"), pattern_kind == "Regex")
    if kind == "Sequence":
        parts = spec.get("decoders")
        if not isinstance(parts, list):
            raise ModelFormatError("decoder Sequence: 'decoders' must be a list")
        built = [from_json(part) for part in parts]
        return Sequence([d for d in built if d is not None])
    raise ModelFormatError(f"unsupported decoder type {kind!r}")
