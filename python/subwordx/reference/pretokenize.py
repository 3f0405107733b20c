"""Pre-tokenizers: cut a normalized line into the pieces ("words") BPE works on (docs/bpe.md §1.3).

BPE never merges across a piece boundary, so the pre-tokenizer decides what a token can span.

* ``whitespace``: maximal runs of non-whitespace chars. Whitespace is the Unicode ``White_Space``
  property, which is what Rust's ``char::is_whitespace`` and HF ``WhitespaceSplit`` use. (Python's
  ``str.isspace`` also counts the four separators U+001C..U+001F; we do not, to agree with Rust.)
* ``bert``: like ``whitespace``, and every punctuation char is a piece on its own (HF
  ``BertPreTokenizer``). Punctuation is ASCII punctuation or any char of general category ``P*``.
* ``gpt2``, ``cl100k``, ``o200k``: the byte-level split regexes of GPT-2, cl100k_base and
  o200k_base; every match is a piece (these patterns match every char, so nothing is dropped).
  Pieces are later turned into UTF-8 bytes, each byte written as one printable char through the
  GPT-2 table :data:`BYTES_TO_UNICODE`, so that a byte-level vocabulary is still a list of strings.

Every pre-tokenizer returns char spans ``(start, end)`` into its input, in order.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Literal

import regex

__all__ = [
    "BYTES_TO_UNICODE",
    "BYTE_LEVEL_PRE_TOKENIZERS",
    "PRE_TOKENIZERS",
    "SPLIT_PATTERNS",
    "UNICODE_TO_BYTES",
    "WHITESPACE",
    "PreTokenizerName",
    "is_punctuation",
    "is_whitespace",
    "pre_tokenize",
]

PreTokenizerName = Literal["whitespace", "bert", "gpt2", "cl100k", "o200k"]
PRE_TOKENIZERS: tuple[PreTokenizerName, ...] = ("whitespace", "bert", "gpt2", "cl100k", "o200k")
BYTE_LEVEL_PRE_TOKENIZERS: tuple[PreTokenizerName, ...] = ("gpt2", "cl100k", "o200k")

# The chars with the Unicode White_Space property (Rust `char::is_whitespace`).
WHITESPACE: frozenset[str] = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)

# The split patterns, copied as data from tiktoken (`tiktoken_ext/openai_public.py`). GPT-2's is the
# original one from openai/gpt-2 `encoder.py`, which HF `ByteLevel(use_regex=True)` also uses.
SPLIT_PATTERNS: dict[str, str] = {
    "gpt2": r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "cl100k": (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"""
        r"""| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
    ),
    "o200k": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}


def _bytes_to_unicode() -> list[str]:
    """The GPT-2 byte → char table (openai/gpt-2 ``encoder.py``).

    Printable bytes stand for themselves; the 68 others (controls, space, DEL, NBSP, soft hyphen)
    are given the chars U+0100, U+0101, ... in byte order, so that every byte is a visible char.
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table: list[str] = []
    next_extra = 0x100
    for byte in range(256):
        if byte in printable:
            table.append(chr(byte))
        else:
            table.append(chr(next_extra))
            next_extra += 1
    return table


BYTES_TO_UNICODE: list[str] = _bytes_to_unicode()
UNICODE_TO_BYTES: dict[str, int] = {char: byte for byte, char in enumerate(BYTES_TO_UNICODE)}


def is_whitespace(char: str) -> bool:
    """Whether ``char`` has the Unicode White_Space property (Rust ``char::is_whitespace``)."""
    return char in WHITESPACE


def is_punctuation(char: str) -> bool:
    """BERT punctuation: ASCII punctuation (backtick included) or general category ``P*``."""
    return char in string.punctuation or unicodedata.category(char).startswith("P")


def _split_whitespace(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, char in enumerate(text):
        if is_whitespace(char):
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _split_bert(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end in _split_whitespace(text):
        run_start = start  # start of the current run of non-punctuation chars
        for i in range(start, end):
            if is_punctuation(text[i]):
                if run_start < i:
                    spans.append((run_start, i))
                spans.append((i, i + 1))
                run_start = i + 1
        if run_start < end:
            spans.append((run_start, end))
    return spans


@cache
def _compiled(name: str) -> regex.Pattern[str]:
    return regex.compile(SPLIT_PATTERNS[name])


def _split_regex(name: str) -> Callable[[str], list[tuple[int, int]]]:
    def split(text: str) -> list[tuple[int, int]]:
        return [match.span() for match in _compiled(name).finditer(text)]

    return split


_SPLITTERS: dict[str, Callable[[str], list[tuple[int, int]]]] = {
    "whitespace": _split_whitespace,
    "bert": _split_bert,
    "gpt2": _split_regex("gpt2"),
    "cl100k": _split_regex("cl100k"),
    "o200k": _split_regex("o200k"),
}


def pre_tokenize(name: str, text: str) -> list[tuple[int, int]]:
    """Cut ``text`` into pieces with the pre-tokenizer ``name``; return their char spans in order.

    Example:
        >>> text = "Hello, world!"
        >>> [text[s:e] for s, e in pre_tokenize("bert", text)]
        ['Hello', ',', 'world', '!']
        >>> [text[s:e] for s, e in pre_tokenize("gpt2", text)]
        ['Hello', ',', ' world', '!']
    """
    try:
        splitter = _SPLITTERS[name]
    except KeyError:
        from subwordx.errors import ConfigError

        raise ConfigError(
            f"unknown pre_tokenizer {name!r} (one of {', '.join(PRE_TOKENIZERS)})"
        ) from None
    return splitter(text)
