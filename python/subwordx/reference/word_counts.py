"""Word counts with their counting settings, and their binary form, in plain Python.

The backend of :class:`subwordx.WordCounts` when the compiled core is absent (or
``SUBWORDX_BACKEND=python``). It has the methods of ``subwordx._core.WordCounts`` and writes the
very same bytes, so counts pickled by one backend load in the other.

Counting is the one the reference trainers do: each text is split into lines at ``\\n``, each line
normalized and pre-tokenized, and each piece counted (``docs/bpe.md`` §1). The settings name the
normalizer: ``"standard"`` (``train_bpe``'s NFC/NFKC, lowercase, strip accents) or ``"bert"``
(``train_wordpiece``'s BERT normalizer).

The binary form (version 1; ``docs/dask.md`` and ``rust/subwordx-core/src/word_counts.rs``)::

    magic      8 bytes  b"SWXCOUNT"
    version    1 byte   1
    settings   varint length, then the settings' JSON (UTF-8)
    words      varint n, then n entries, the words in increasing byte order:
                 varint shared   bytes shared with the previous word
                 varint len      bytes that follow
                 len bytes       the rest of the word
                 varint count    at least 1
    checksum   8 bytes  FNV-1a 64 of everything before it, little-endian

Varints are unsigned LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the
last.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from subwordx.errors import (
    ConfigError,
    ModelFormatError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)

MAGIC = b"SWXCOUNT"
VERSION = 1
_MASK64 = (1 << 64) - 1


# ------------------------------------------------------------------------------- counting
def count_texts(texts: Iterable[str], settings: dict[str, Any]) -> Counter[str]:
    """The counts of ``texts`` (each one or more lines) under ``settings`` (a settings dict as
    ``CountSettings.to_json`` writes it)."""
    if settings["normalizer"] == "bert":
        from subwordx.reference import wordpiece

        return wordpiece.count_words(
            texts, wordpiece.bert_normalizer(settings), wordpiece.settings_pre_tokenizer(settings)
        )
    from subwordx.reference.bpe import count_words
    from subwordx.reference.normalize import Normalizer

    normalizer = Normalizer(
        unicode=settings["unicode_normalization"],
        lowercase=settings["lowercase"],
        strip_accents=settings["strip_accents"],
    )
    return count_words(texts, normalizer, settings["pre_tokenizer"])


class ReferenceWordCounts:
    """``{word: count}`` and the settings JSON they were counted with; never changed once made."""

    __slots__ = ("_counts", "_settings_json")

    def __init__(self, counts: dict[str, int], settings_json: str) -> None:
        self._counts = {w: n for w, n in counts.items() if n > 0}
        self._settings_json = settings_json

    # --------------------------------------------------------------------------- building
    @classmethod
    def from_files(
        cls,
        paths: Sequence[str],
        settings_json: str,
        threads: int = 0,
        errors: str = "strict",
        progress: Callable[[str, int, int, str], None] | None = None,
    ) -> ReferenceWordCounts:
        from subwordx.reference.tokenizer import _read_corpus_file  # the one corpus-file reader

        settings = json.loads(settings_json)
        counts: Counter[str] = Counter()
        for done, path in enumerate(paths):
            counts.update(count_texts([_read_corpus_file(path, errors)], settings))
            if progress is not None:
                progress("counting", done + 1, len(paths), path)
        return cls(dict(counts), settings_json)

    @classmethod
    def from_batches(
        cls, batches: Iterable[list[str]], settings_json: str, threads: int = 0
    ) -> ReferenceWordCounts:
        settings = json.loads(settings_json)
        counts: Counter[str] = Counter()
        for batch in batches:
            counts.update(count_texts(batch, settings))
        return cls(dict(counts), settings_json)

    @classmethod
    def from_texts(
        cls, texts: list[str], settings_json: str, threads: int = 1, min_count: int = 1
    ) -> ReferenceWordCounts:
        counts = count_texts(texts, json.loads(settings_json))
        return cls({w: n for w, n in counts.items() if n >= min_count}, settings_json)

    @classmethod
    def from_dict(cls, counts: dict[str, int], settings_json: str) -> ReferenceWordCounts:
        return cls(dict(counts), settings_json)

    @classmethod
    def load(cls, path: str) -> ReferenceWordCounts:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise SubwordxFileNotFoundError(2, f"{path}: no such file", path) from None
        except OSError as e:
            raise SubwordxIOError(e.errno or 0, f"{path}: {e.strerror or e}", path) from None
        return cls.from_bytes(data, path)

    @classmethod
    def sum(cls, parts: Sequence[ReferenceWordCounts]) -> ReferenceWordCounts:
        if not parts:
            raise ConfigError("nothing to add up")
        total: Counter[str] = Counter()
        for p in parts:
            parts[0]._check_same_settings(p)
            total.update(p._counts)
        return cls(dict(total), parts[0]._settings_json)

    @classmethod
    def merge_binary(cls, parts: Sequence[bytes]) -> bytes:
        """The binary form of the sum of parts given in the binary form. (The Rust core merges
        the sorted words of the parts in one pass; adding them up is the same sum.)"""
        return cls.sum([cls.from_bytes(p) for p in parts]).to_bytes()

    def add(self, other: ReferenceWordCounts) -> ReferenceWordCounts:
        return ReferenceWordCounts.sum([self, other])

    def _check_same_settings(self, other: ReferenceWordCounts) -> None:
        # Compared by behaviour (the public CountSettings class knows BERT's strip_accents rule).
        from subwordx.word_counts import CountSettings

        a = CountSettings.from_json(self._settings_json)
        b = CountSettings.from_json(other._settings_json)
        if a != b:
            raise ConfigError(
                "cannot add word counts made with different settings: "
                f"{self._settings_json} and {other._settings_json}"
            )
        for w, n in other._counts.items():
            if self._counts.get(w, 0) + n > _MASK64:
                raise ConfigError(f"the count of {w!r} overflows 64 bits when the counts are added")

    def pruned(self, min_count: int) -> ReferenceWordCounts:
        return ReferenceWordCounts(
            {w: n for w, n in self._counts.items() if n >= min_count}, self._settings_json
        )

    # --------------------------------------------------------------------------- reading
    def settings_json(self) -> str:
        return self._settings_json

    def __len__(self) -> int:
        return len(self._counts)

    def total(self) -> int:
        return sum(self._counts.values())

    def get(self, word: str) -> int | None:
        return self._counts.get(word)

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        """Highest count first; equal counts in code point order of the words."""
        ranked = sorted(self._counts.items(), key=lambda wc: (-wc[1], wc[0]))
        return ranked if n is None else ranked[:n]

    def equals(self, other: ReferenceWordCounts) -> bool:
        from subwordx.word_counts import CountSettings

        return self._counts == other._counts and CountSettings.from_json(
            self._settings_json
        ) == CountSettings.from_json(other._settings_json)

    # --------------------------------------------------------------------------- bytes
    def to_bytes(self) -> bytes:
        out = bytearray(MAGIC)
        out.append(VERSION)
        settings = self._settings_json.encode("utf-8")
        _put_varint(out, len(settings))
        out += settings
        words = sorted((w.encode("utf-8"), n) for w, n in self._counts.items())
        _put_varint(out, len(words))
        prev = b""
        for word, count in words:
            shared = 0
            while shared < min(len(prev), len(word)) and prev[shared] == word[shared]:
                shared += 1
            _put_varint(out, shared)
            _put_varint(out, len(word) - shared)
            out += word[shared:]
            _put_varint(out, count)
            prev = word
        out += fnv1a(bytes(out)).to_bytes(8, "little")
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>") -> ReferenceWordCounts:
        def bad(reason: str) -> ModelFormatError:
            return ModelFormatError(
                f"{source}: corrupt or unsupported model file: word counts: {reason}"
            )

        data = bytes(data)
        if data[: len(MAGIC)] != MAGIC:
            raise bad("not subwordx word counts (no SWXCOUNT header)")
        if len(data) <= len(MAGIC):
            raise bad("truncated after the header")
        if data[len(MAGIC)] != VERSION:
            raise bad(
                f"version {data[len(MAGIC)]} is not supported (this subwordx reads version "
                f"{VERSION})"
            )
        if len(data) < len(MAGIC) + 1 + 8:
            raise bad("truncated")
        body, tail = data[:-8], data[-8:]
        if fnv1a(body) != int.from_bytes(tail, "little"):
            raise bad("checksum mismatch (truncated or damaged bytes)")
        reader = _Reader(body, len(MAGIC) + 1, bad)
        settings_bytes = reader.take(reader.length("settings length"), "settings")
        try:
            settings_json = settings_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise bad("settings are not UTF-8") from None
        from subwordx.word_counts import CountSettings

        try:
            CountSettings.from_json(settings_json)
        except ConfigError as e:
            raise bad(str(e)) from None
        n = reader.varint("word count")
        if n > (len(body) - reader.pos) // 3:  # every entry takes at least 3 bytes
            raise bad(f"{n} words cannot fit in {len(body)} bytes")
        counts: dict[str, int] = {}
        prev = b""
        for i in range(n):
            shared = reader.length("shared prefix")
            if shared > len(prev):
                raise bad(f"word {i} shares {shared} bytes with a word of {len(prev)}")
            word = prev[:shared] + reader.take(reader.length("word length"), "word")
            count = reader.varint("count")
            if not word:
                raise bad(f"word {i} is empty")
            if i > 0 and word <= prev:
                raise bad(f"word {i} is out of order or repeated")
            if count == 0:
                raise bad(f"word {i} has count 0")
            try:
                counts[word.decode("utf-8")] = count
            except UnicodeDecodeError:
                raise bad(f"word {i} is not UTF-8") from None
            prev = word
        if reader.pos != len(body):
            raise bad(f"{len(body) - reader.pos} bytes after the last word")
        return cls(counts, settings_json)

    def save(self, path: str) -> None:
        from subwordx._atomic import atomic_write

        atomic_write(path, self.to_bytes())


def fnv1a(data: bytes) -> int:
    """FNV-1a, 64 bits."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & _MASK64
    return h


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


class _Reader:
    """A cursor over the bytes; every read is bounds-checked."""

    def __init__(self, data: bytes, pos: int, bad: Callable[[str], ModelFormatError]) -> None:
        self.data, self.pos, self.bad = data, pos, bad

    def varint(self, what: str) -> int:
        value = 0
        for shift in range(0, 70, 7):
            if self.pos >= len(self.data):
                raise self.bad(f"truncated in the {what}")
            b = self.data[self.pos]
            self.pos += 1
            if shift == 63 and (b & 0x7F) > 1:
                break
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
        raise self.bad(f"the {what} is not a 64-bit varint")

    def length(self, what: str) -> int:
        value = self.varint(what)
        if value > len(self.data):
            raise self.bad(f"{what} {value} is longer than the bytes")
        return value

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise self.bad(f"truncated in the {what}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out
