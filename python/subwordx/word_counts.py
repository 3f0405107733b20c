"""Word counts that remember how they were counted: count anywhere, add up, train.

Training starts from word counts. :class:`WordCounts` holds them (64-bit counts) together with
the :class:`CountSettings` they were counted with (the normalizer and the pre-tokenizer), so that
counts made on many machines can be added up (``a + b``, exact and associative) and handed to a
trainer that then tokenizes exactly as the words were counted::

    counts = WordCounts.from_files(["a.txt", "b.txt"])        # train_bpe's defaults
    counts = counts + WordCounts.from_texts(more_lines)       # same settings, or ConfigError
    tok = subwordx.train_bpe(word_counts=counts, vocab_size=32000)

:mod:`subwordx.dask` counts a ``dask.bag`` of lines this way on a cluster (``docs/dask.md``).

Counting settings
-----------------
Every constructor takes the counting settings of the trainer named by ``model``, with that
trainer's defaults:

* ``model="bpe"`` (default), as :func:`subwordx.train_bpe`: ``byte_level`` (None: from
  ``pre_tokenizer``), ``pre_tokenizer`` (``"bert"``, or ``"gpt2"`` when ``byte_level``; also
  ``whitespace``, ``cl100k``, ``o200k``, ``qwen``, ``llama3``), ``unicode_normalization``
  (None, ``"nfc"``, ``"nfkc"``), ``lowercase`` (False), ``strip_accents`` (False).
* ``model="wordpiece"``, as :func:`subwordx.train_wordpiece`: BERT's normalizer with
  ``lowercase`` (True) and ``strip_accents`` (None: follows ``lowercase``), ``pre_tokenizer``
  ``"bert"`` (default) or ``"whitespace"``.

or ``settings=`` a :class:`CountSettings` (e.g. ``other.settings``) instead of all of these.

Training from a WordCounts
--------------------------
``train_bpe(word_counts=counts)`` and ``train_wordpiece(word_counts=counts)`` take the normalizer
and pre-tokenizer from the counts, so the tokenizer encodes text exactly as it was counted. A
normalizer or pre-tokenizer setting passed to the trainer as well must agree with the counts: a
value other than the trainer's default that differs from the counts' is a
:class:`~subwordx.errors.ConfigError`; a setting left at its default takes the counts' value.
``train_bpe`` takes counts made with ``model="bpe"``, ``train_wordpiece`` those made with
``model="wordpiece"``. A plain ``dict`` still works as before: taken as already normalized and
pre-tokenized, with the trainer's settings as given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from subwordx import _backend
from subwordx.errors import ConfigError, CountSettingsMismatchError
from subwordx.tokenizer import (
    _BYTE_LEVEL,
    _PRE_TOKENIZERS,
    PathLike,
    ProgressCallback,
    _as_paths,
    _batches,
    _check_threads,
)

__all__ = ["CountSettings", "WordCounts"]

Model = Literal["bpe", "wordpiece"]
_MAX_COUNT = (1 << 64) - 1


@dataclass(frozen=True, eq=False)
class CountSettings:
    """How words were counted: a normalizer and a named pre-tokenizer.

    Attributes:
        normalizer: ``"standard"`` (``train_bpe``'s: ``unicode_normalization``, then
            ``lowercase``, then ``strip_accents``) or ``"bert"`` (``train_wordpiece``'s BERT
            normalizer: clean text, spaces around CJK ideographs, ``strip_accents``,
            ``lowercase``).
        pre_tokenizer: a name (``whitespace``, ``bert``, ``gpt2``, ``cl100k``, ``o200k``,
            ``qwen``, ``llama3``; ``bert`` or ``whitespace`` with the BERT normalizer).
        unicode_normalization: ``"nfc"``, ``"nfkc"`` or None (standard normalizer only).
        lowercase, strip_accents: the normalizer's flags; with the BERT normalizer
            ``strip_accents`` None follows ``lowercase``.

    Two settings are equal when they count the same way (BERT's ``strip_accents=None`` equals
    ``strip_accents=lowercase``). Build them with :meth:`for_model` to get a trainer's defaults.
    """

    normalizer: Literal["standard", "bert"] = "standard"
    pre_tokenizer: str = "bert"
    unicode_normalization: Literal["nfc", "nfkc"] | None = None
    lowercase: bool = False
    strip_accents: bool | None = False

    def __post_init__(self) -> None:
        if self.normalizer not in ("standard", "bert"):
            raise ConfigError(f"normalizer must be 'standard' or 'bert', got {self.normalizer!r}")
        if self.pre_tokenizer not in _PRE_TOKENIZERS:
            raise ConfigError(
                f"pre_tokenizer {self.pre_tokenizer!r} is not one of {', '.join(_PRE_TOKENIZERS)}"
            )
        if not isinstance(self.lowercase, bool):
            raise ConfigError(f"lowercase must be True or False, got {self.lowercase!r}")
        if self.normalizer == "bert":
            if self.pre_tokenizer not in ("bert", "whitespace"):
                raise ConfigError(
                    "BERT's normalizer (WordPiece) goes with the bert or whitespace "
                    f"pre-tokenizer, not {self.pre_tokenizer!r}"
                )
            if self.unicode_normalization is not None:
                raise ConfigError("BERT's normalizer takes no unicode_normalization")
            if self.strip_accents is not None and not isinstance(self.strip_accents, bool):
                raise ConfigError(
                    f"strip_accents must be True, False or None, got {self.strip_accents!r}"
                )
        else:
            if self.unicode_normalization not in (None, "nfc", "nfkc"):
                raise ConfigError(
                    "unicode_normalization must be None, 'nfc' or 'nfkc', got "
                    f"{self.unicode_normalization!r}"
                )
            if not isinstance(self.strip_accents, bool):
                raise ConfigError(
                    f"strip_accents must be True or False, got {self.strip_accents!r}"
                )

    @classmethod
    def for_model(
        cls,
        model: Model = "bpe",
        *,
        byte_level: bool | None = None,
        pre_tokenizer: str | None = None,
        unicode_normalization: Literal["nfc", "nfkc"] | None = None,
        lowercase: bool | None = None,
        strip_accents: bool | None = None,
    ) -> CountSettings:
        """The settings ``train_bpe`` (``model="bpe"``) or ``train_wordpiece``
        (``model="wordpiece"``) counts with, given the same arguments (None: its default)."""
        if model == "wordpiece":
            if byte_level:
                raise ConfigError("WordPiece reads chars: byte_level must not be set")
            if unicode_normalization is not None:
                raise ConfigError("WordPiece's BERT normalizer takes no unicode_normalization")
            return cls(
                normalizer="bert",
                pre_tokenizer=pre_tokenizer or "bert",
                lowercase=True if lowercase is None else lowercase,
                strip_accents=strip_accents,
            )
        if model != "bpe":
            raise ConfigError(f"model must be 'bpe' or 'wordpiece', got {model!r}")
        if pre_tokenizer is None:
            pre_tokenizer = "gpt2" if byte_level else "bert"
        if byte_level is not None and byte_level != (pre_tokenizer in _BYTE_LEVEL):
            raise ConfigError(
                f"pre_tokenizer {pre_tokenizer!r} does not fit byte_level={byte_level}: byte-level "
                f"BPE takes {', '.join(_BYTE_LEVEL)}; classic BPE takes whitespace or bert"
            )
        return cls(
            normalizer="standard",
            pre_tokenizer=pre_tokenizer,
            unicode_normalization=unicode_normalization,
            lowercase=bool(lowercase),
            strip_accents=bool(strip_accents),
        )

    @property
    def byte_level(self) -> bool:
        """True when the pre-tokenizer is byte-level (words are GPT-2 byte strings)."""
        return self.pre_tokenizer in _BYTE_LEVEL

    def _key(self) -> tuple[Any, ...]:
        strip = self.lowercase if self.strip_accents is None else self.strip_accents
        return (
            self.normalizer,
            self.unicode_normalization,
            self.lowercase,
            strip,
            self.pre_tokenizer,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountSettings) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def to_json(self) -> str:
        """Compact JSON, keys in a fixed order (the Rust core writes the same bytes)."""
        doc: dict[str, Any] = {"normalizer": self.normalizer}
        if self.normalizer == "standard":
            doc["unicode_normalization"] = self.unicode_normalization
        doc["lowercase"] = self.lowercase
        doc["strip_accents"] = self.strip_accents
        doc["pre_tokenizer"] = self.pre_tokenizer
        return json.dumps(doc, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> CountSettings:
        """Inverse of :meth:`to_json`."""
        try:
            doc = json.loads(data)
        except ValueError as e:
            raise ConfigError(f"count settings are not JSON: {e}") from None
        if not isinstance(doc, dict):
            raise ConfigError("count settings must be a JSON object")
        known = {
            "normalizer",
            "unicode_normalization",
            "lowercase",
            "strip_accents",
            "pre_tokenizer",
        }
        unknown = set(doc) - known
        if unknown:
            raise ConfigError(f"unknown count settings {sorted(unknown)}")
        return cls(**doc)

    # -------------------------------------------------------------- the trainers' side
    def _for_train_bpe(
        self,
        byte_level: bool,
        pre_tokenizer: str | None,
        unicode_normalization: str | None,
        lowercase: bool,
        strip_accents: bool,
    ) -> dict[str, Any]:
        """``train_bpe``'s counting arguments resolved against these settings (module docs)."""
        if self.normalizer != "standard":
            raise ConfigError(
                "these word counts were made with WordPiece's BERT normalizer "
                "(model='wordpiece'); train_bpe needs counts made with model='bpe'"
            )
        given = {
            "byte_level": (byte_level, False, self.byte_level),
            "pre_tokenizer": (pre_tokenizer, None, self.pre_tokenizer),
            "unicode_normalization": (unicode_normalization, None, self.unicode_normalization),
            "lowercase": (lowercase, False, self.lowercase),
            "strip_accents": (strip_accents, False, self.strip_accents),
        }
        return _resolve("train_bpe", given)

    def _for_train_wordpiece(
        self, lowercase: bool, strip_accents: bool | None, pre_tokenizer: str
    ) -> dict[str, Any]:
        """``train_wordpiece``'s counting arguments resolved against these settings."""
        if self.normalizer != "bert":
            raise ConfigError(
                "these word counts were made with train_bpe's normalizer (model='bpe'); "
                "train_wordpiece needs counts made with model='wordpiece'"
            )
        counted_strip = self.lowercase if self.strip_accents is None else self.strip_accents
        if strip_accents is not None and strip_accents != counted_strip:
            raise ConfigError(
                f"strip_accents={strip_accents!r} conflicts with the word counts, made with "
                f"strip_accents={self.strip_accents!r} (lowercase={self.lowercase!r})"
            )
        given = {
            "lowercase": (lowercase, True, self.lowercase),
            "pre_tokenizer": (pre_tokenizer, "bert", self.pre_tokenizer),
        }
        resolved = _resolve("train_wordpiece", given)
        resolved["strip_accents"] = self.strip_accents
        return resolved


def _resolve(trainer: str, given: dict[str, tuple[Any, Any, Any]]) -> dict[str, Any]:
    """For each setting ``(passed, trainer default, counts' value)``: a passed value other than
    the default must equal the counts'; the result is the counts' values."""
    for name, (passed, default, counted) in given.items():
        if passed != default and passed != counted:
            raise ConfigError(
                f"{trainer}: {name}={passed!r} conflicts with the word counts, counted with "
                f"{name}={counted!r}; leave it out to train with the counts' settings"
            )
    return {name: counted for name, (_, _, counted) in given.items()}


def _settings(
    settings: CountSettings | None,
    model: Model,
    byte_level: bool | None,
    pre_tokenizer: str | None,
    unicode_normalization: Literal["nfc", "nfkc"] | None,
    lowercase: bool | None,
    strip_accents: bool | None,
) -> CountSettings:
    """The settings of a constructor call: ``settings=`` or the individual arguments."""
    if settings is not None:
        if not isinstance(settings, CountSettings):
            raise ConfigError(f"settings must be a CountSettings, got {type(settings).__name__}")
        passed = (byte_level, pre_tokenizer, unicode_normalization, lowercase, strip_accents)
        if model != "bpe" or any(v is not None for v in passed):
            raise ConfigError(
                "give settings=CountSettings(...) or the individual settings, not both"
            )
        return settings
    return CountSettings.for_model(
        model,
        byte_level=byte_level,
        pre_tokenizer=pre_tokenizer,
        unicode_normalization=unicode_normalization,
        lowercase=lowercase,
        strip_accents=strip_accents,
    )


def _impl(rust: bool) -> Any:
    if rust:
        return _backend.core().WordCounts
    from subwordx.reference.word_counts import ReferenceWordCounts

    return ReferenceWordCounts


def _check_min_count(min_count: object) -> int:
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ConfigError(f"min_count must be an integer >= 1, got {min_count!r}")
    return min_count


class WordCounts:
    """Word → count (64-bit), with the :class:`CountSettings` the words were counted with.

    Immutable: ``+`` and :meth:`pruned` return new objects. Build with :meth:`from_files`,
    :meth:`from_texts`, :meth:`from_dict`, :meth:`from_bytes` or :meth:`load` (the counting
    settings are the module's). ``a + b`` adds exactly (associative and commutative, so a tree
    reduction gives the same counts in any order; ``sum(parts)`` works too) and raises
    :class:`~subwordx.errors.CountSettingsMismatchError` when the settings differ.

    Pickling ships a compact binary form (sorted, front-coded words and varint counts with a
    checksum, made in Rust; several times smaller than a pickled ``dict``), the same as
    :meth:`to_bytes` and :meth:`save` write; corrupt bytes raise
    :class:`~subwordx.errors.ModelFormatError`.

    Example:
        >>> a = WordCounts.from_texts(["low lower", "lowest"])
        >>> b = WordCounts.from_dict({"low": 2})
        >>> (a + b).most_common(2)
        [('low', 3), ('lower', 1)]
    """

    __slots__ = ("_inner", "_rust", "_settings")

    def __init__(self, inner: Any, rust: bool) -> None:
        self._inner = inner
        self._rust = rust
        self._settings = CountSettings.from_json(inner.settings_json())

    # ----------------------------------------------------------------------------- building
    @classmethod
    def from_files(
        cls,
        files: PathLike | Sequence[PathLike],
        *,
        model: Model = "bpe",
        byte_level: bool | None = None,
        pre_tokenizer: str | None = None,
        unicode_normalization: Literal["nfc", "nfkc"] | None = None,
        lowercase: bool | None = None,
        strip_accents: bool | None = None,
        settings: CountSettings | None = None,
        threads: int = 0,
        errors: Literal["strict", "replace"] = "strict",
        progress: ProgressCallback | None = None,
        backend: str | None = None,
    ) -> WordCounts:
        """Counts the words of UTF-8 files, streamed (never loaded whole) on ``threads`` threads
        (0 = all cores) with the GIL released: the counts ``train_bpe(files)`` /
        ``train_wordpiece(files)`` would train on. Files without a word give empty counts.

        Args:
            errors: ``"strict"`` raises :class:`~subwordx.errors.InvalidUtf8Error` naming the
                file, line and byte; ``"replace"`` substitutes U+FFFD.
            progress: called about ten times a second with ``(stage, done, total, info)``.
        """
        s = _settings(
            settings,
            model,
            byte_level,
            pre_tokenizer,
            unicode_normalization,
            lowercase,
            strip_accents,
        )
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        rust = _backend.use_rust(backend)
        inner = _impl(rust).from_files(
            _as_paths(files), s.to_json(), _check_threads(threads), errors, progress
        )
        return cls(inner, rust)

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        *,
        model: Model = "bpe",
        byte_level: bool | None = None,
        pre_tokenizer: str | None = None,
        unicode_normalization: Literal["nfc", "nfkc"] | None = None,
        lowercase: bool | None = None,
        strip_accents: bool | None = None,
        settings: CountSettings | None = None,
        threads: int = 0,
        backend: str | None = None,
    ) -> WordCounts:
        """Counts any iterable of strings (each one or more lines, split at ``\\n``), consumed in
        batches, each counted on ``threads`` threads with the GIL released."""
        s = _settings(
            settings,
            model,
            byte_level,
            pre_tokenizer,
            unicode_normalization,
            lowercase,
            strip_accents,
        )
        if isinstance(texts, (str, bytes)):
            raise ConfigError("texts must be an iterable of strings, not one string")
        rust = _backend.use_rust(backend)
        inner = _impl(rust).from_batches(_batches(texts), s.to_json(), _check_threads(threads))
        return cls(inner, rust)

    @classmethod
    def from_dict(
        cls,
        counts: Mapping[str, int],
        *,
        model: Model = "bpe",
        byte_level: bool | None = None,
        pre_tokenizer: str | None = None,
        unicode_normalization: Literal["nfc", "nfkc"] | None = None,
        lowercase: bool | None = None,
        strip_accents: bool | None = None,
        settings: CountSettings | None = None,
        backend: str | None = None,
    ) -> WordCounts:
        """Counts made elsewhere, declared as counted with these settings (words with count 0
        are dropped)."""
        s = _settings(
            settings,
            model,
            byte_level,
            pre_tokenizer,
            unicode_normalization,
            lowercase,
            strip_accents,
        )
        checked: dict[str, int] = {}
        for word, n in counts.items():
            if not isinstance(word, str) or not word:
                raise ConfigError(f"word counts keys must be non-empty strings, got {word!r}")
            if (
                isinstance(n, bool)
                or not isinstance(n, (int, np.integer))
                or not (0 <= n <= _MAX_COUNT)
            ):
                raise ConfigError(f"count of {word!r} must be an integer in [0, 2**64), got {n!r}")
            if n:
                checked[word] = int(n)
        rust = _backend.use_rust(backend)
        return cls(_impl(rust).from_dict(checked, s.to_json()), rust)

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: str | None = None) -> WordCounts:
        """Inverse of :meth:`to_bytes`.

        Raises:
            ModelFormatError: the bytes are not word counts, or are truncated or damaged.
        """
        rust = _backend.use_rust(backend)
        return cls(_impl(rust).from_bytes(bytes(data)), rust)

    @classmethod
    def load(cls, path: PathLike, *, backend: str | None = None) -> WordCounts:
        """Reads what :meth:`save` wrote.

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: the file is not word counts, or is truncated or damaged.
        """
        rust = _backend.use_rust(backend)
        return cls(_impl(rust).load(os.fspath(path)), rust)

    @classmethod
    def sum(cls, parts: Iterable[WordCounts]) -> WordCounts:
        """The sum of ``parts`` (at least one), faster than adding them one by one: only the
        largest is copied."""
        items = list(parts)
        if not items:
            raise ConfigError("WordCounts.sum needs at least one WordCounts")
        first = items[0]
        for p in items:
            first._check_addable(p)
        inners = [first._same_backend(p) for p in items]
        return WordCounts(_impl(first._rust).sum(inners), first._rust)

    @classmethod
    def _count_partition(
        cls, texts: Iterable[str], settings_json: str, threads: int, min_count: int
    ) -> bytes:
        """The counts of one partition of a Dask bag, in the binary form
        (:func:`subwordx.dask.count_words`)."""
        lines = list(texts)
        for t in lines:
            if not isinstance(t, str):
                raise ConfigError(f"a bag of texts must hold strings, got {type(t).__name__}")
        inner = _impl(_backend.use_rust()).from_texts(lines, settings_json, threads, min_count)
        return bytes(inner.to_bytes())

    @staticmethod
    def _merge_binary(parts: Sequence[bytes]) -> bytes:
        """The sum of counts in the binary form, in the binary form: the Rust core merges the
        parts' sorted words in one pass, building no map (what a Dask reduction step does)."""
        if not parts:
            raise ConfigError("nothing to add up")
        return bytes(_impl(_backend.use_rust()).merge_binary(list(parts)))

    def _rust_inner(self) -> Any:
        """The counts as ``subwordx._core.WordCounts`` (what the Rust trainers read in place)."""
        if self._rust:
            return self._inner
        return _backend.core().WordCounts.from_bytes(self.to_bytes())

    # ----------------------------------------------------------------------------- reading
    @property
    def settings(self) -> CountSettings:
        """How the words were counted."""
        return self._settings

    @property
    def backend(self) -> str:
        """``"rust"`` or ``"python"``."""
        return "rust" if self._rust else "python"

    def __len__(self) -> int:
        """Number of distinct words."""
        return len(self._inner)

    def total(self) -> int:
        """The sum of all counts (the number of words counted)."""
        return int(self._inner.total())

    def __getitem__(self, word: str) -> int:
        n = self._inner.get(word) if isinstance(word, str) else None
        if n is None:
            raise KeyError(word)
        return int(n)

    def get(self, word: str, default: int | None = None) -> int | None:
        """The count of ``word``, or ``default``."""
        n = self._inner.get(word) if isinstance(word, str) else None
        return default if n is None else int(n)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._inner.get(word) is not None

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        """The ``n`` most frequent words with their counts (all when None), highest count
        first; equal counts in code point order of the words."""
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise ConfigError(f"n must be an integer >= 0 or None, got {n!r}")
        return [(w, int(c)) for w, c in self._inner.most_common(n)]

    def items(self) -> list[tuple[str, int]]:
        """Every ``(word, count)``, in :meth:`most_common` order."""
        return self.most_common()

    def __iter__(self) -> Iterator[str]:
        """The words, in :meth:`most_common` order."""
        return (w for w, _ in self.most_common())

    def to_dict(self) -> dict[str, int]:
        """``{word: count}`` in :meth:`most_common` order."""
        return dict(self.most_common())

    def pruned(self, min_count: int) -> WordCounts:
        """A copy without the words seen fewer than ``min_count`` times."""
        return WordCounts(self._inner.pruned(_check_min_count(min_count)), self._rust)

    # ----------------------------------------------------------------------------- adding
    def _check_addable(self, other: object) -> None:
        if not isinstance(other, WordCounts):
            raise TypeError(f"cannot add WordCounts and {type(other).__name__}")
        if self._settings != other._settings:
            raise CountSettingsMismatchError(
                "cannot add word counts made with different settings: "
                f"{self._settings.to_json()} and {other._settings.to_json()}"
            )

    def _same_backend(self, other: WordCounts) -> Any:
        """``other``'s counts in this object's backend."""
        if other._rust == self._rust:
            return other._inner
        return _impl(self._rust).from_bytes(other.to_bytes())

    def __add__(self, other: WordCounts) -> WordCounts:
        if not isinstance(other, WordCounts):
            return NotImplemented
        self._check_addable(other)
        return WordCounts(self._inner.add(self._same_backend(other)), self._rust)

    def __radd__(self, other: object) -> WordCounts:
        # `sum(parts)` starts from 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WordCounts):
            return NotImplemented
        return self._settings == other._settings and bool(
            self._inner.equals(self._same_backend(other))
        )

    __hash__ = None  # type: ignore[assignment]

    # ----------------------------------------------------------------------------- bytes, files
    def to_bytes(self) -> bytes:
        """The compact binary form (``docs/dask.md``): the same bytes for the same counts."""
        return bytes(self._inner.to_bytes())

    def save(self, path: PathLike) -> None:
        """Writes :meth:`to_bytes` atomically (a temporary file, then a rename)."""
        self._inner.save(os.fspath(path))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.to_bytes(), self.backend))

    def __repr__(self) -> str:
        s = self._settings
        flags = [f"pre_tokenizer={s.pre_tokenizer!r}"]
        if s.normalizer == "bert":
            flags.insert(0, "normalizer='bert'")
        if s.unicode_normalization:
            flags.append(f"unicode_normalization={s.unicode_normalization!r}")
        if s.lowercase:
            flags.append("lowercase=True")
        if s.strip_accents:
            flags.append("strip_accents=True")
        return f"WordCounts({len(self)} words, total={self.total()}, {', '.join(flags)})"


def _unpickle(data: bytes, backend: str) -> WordCounts:
    # A worker without the compiled core still gets working counts.
    chosen = backend if backend == "python" or _backend.use_rust() else "python"
    return WordCounts.from_bytes(data, backend=chosen)
