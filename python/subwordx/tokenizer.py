"""The public tokenizer API: train, encode, decode, save and load BPE tokenizers.

A :class:`Tokenizer` is immutable: training returns a new one, and one object can be shared by any
number of threads without locks. It pickles cheaply (its serialized model), so it can be shipped to
the workers of a ``multiprocessing`` pool or a cluster.

Two implementations stand behind it (see :mod:`subwordx._backend`): the Rust core, and the
pure-Python reference in :mod:`subwordx.reference`. Both follow ``docs/bpe.md`` to the letter,
so they give the same merges, ids and offsets.

Example:
    >>> import subwordx
    >>> tok = subwordx.train_bpe(texts=["low lower lowest"] * 10, vocab_size=40)
    >>> enc = tok.encode("lower")
    >>> tok.decode(enc.ids)
    'lower'
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx.errors import (
    ConfigError,
    ModelFormatError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[str, int, int, str], None]
PreTokenizerName = Literal["whitespace", "bert", "gpt2", "cl100k", "o200k"]
FileFormat = Literal["hf", "subwordx", "vocab-merges"]

_PRE_TOKENIZERS = ("whitespace", "bert", "gpt2", "cl100k", "o200k")
_BYTE_LEVEL = ("gpt2", "cl100k", "o200k")


class Encoding:
    """The result of encoding one text.

    Attributes:
        ids: token ids as a ``numpy.uint32`` array (no Python object per token).
        offsets: ``(n, 2)`` array of ``(start, end)`` char offsets into the input text; added
            special tokens have ``(0, 0)``.
    """

    __slots__ = ("_tokenizer", "ids", "offsets")

    def __init__(
        self,
        tokenizer: Tokenizer,
        ids: npt.NDArray[np.uint32],
        offsets: npt.NDArray[np.int64],
    ) -> None:
        self._tokenizer = tokenizer
        self.ids = ids
        self.offsets = offsets

    @property
    def tokens(self) -> list[str]:
        """The token strings, one per id."""
        return [self._tokenizer.id_to_token(int(i)) for i in self.ids]

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"Encoding(ids={self.ids.tolist()!r})"


class Tokenizer:
    """A trained, immutable BPE tokenizer (normalizer, pre-tokenizer, model, special tokens).

    Build one with :func:`train_bpe` or :meth:`Tokenizer.load`; do not call the constructor.
    """

    __slots__ = ("_inner", "_rust")

    def __init__(self, inner: Any, rust: bool) -> None:
        self._inner = inner
        self._rust = rust

    # ----------------------------------------------------------------------------- encoding
    def encode(
        self,
        text: str,
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
    ) -> Encoding:
        """Encodes one text.

        Args:
            text: any string; special tokens written in it are matched as such unless
                ``split_special_tokens``.
            add_special_tokens: add the template's special tokens (e.g. ``<s>`` ... ``</s>``).
            split_special_tokens: treat special-token strings in ``text`` as plain text.
        """
        _check_text(text)
        ids, offsets = self._inner.encode(text, add_special_tokens, split_special_tokens)
        return Encoding(self, _as_ids(ids), _as_offsets(offsets))

    def encode_batch(
        self,
        texts: Sequence[str],
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        threads: int = 0,
    ) -> list[Encoding]:
        """Encodes many texts in parallel (``threads=0``: all cores), the GIL released."""
        texts = list(texts)
        for t in texts:
            _check_text(t)
        if self._rust:
            results = self._inner.encode_batch(
                texts, add_special_tokens, split_special_tokens, threads
            )
        else:
            results = [
                self._inner.encode(t, add_special_tokens, split_special_tokens) for t in texts
            ]
        return [Encoding(self, _as_ids(i), _as_offsets(o)) for i, o in results]

    def encode_batch_ids(
        self,
        texts: Sequence[str],
        *,
        add_special_tokens: bool = True,
        threads: int = 0,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """The ids of many texts as two arrays: all ids in one flat ``uint32`` array, and
        ``starts`` (``len(texts) + 1`` offsets): text ``i`` is ``ids[starts[i]:starts[i + 1]]``.

        The fastest batch path: two numpy arrays for the whole batch, no object per text.
        """
        texts = list(texts)
        for t in texts:
            _check_text(t)
        if self._rust:
            flat, starts = self._inner.encode_batch_flat(texts, add_special_tokens, threads)
            return _as_ids(flat), np.asarray(starts, dtype=np.int64)
        per_text = [self._inner.encode(t, add_special_tokens, False)[0] for t in texts]
        lengths = np.array([0] + [len(ids) for ids in per_text], dtype=np.int64)
        flat_ids = [i for ids in per_text for i in ids]
        return _as_ids(flat_ids), np.cumsum(lengths)

    def encode_ids(self, text: str, *, add_special_tokens: bool = True) -> npt.NDArray[np.uint32]:
        """Only the ids of :meth:`encode` (the fastest path)."""
        _check_text(text)
        if self._rust:
            return _as_ids(self._inner.encode_ids(text, add_special_tokens))
        ids, _ = self._inner.encode(text, add_special_tokens, False)
        return _as_ids(ids)

    def decode(
        self, ids: Iterable[int] | npt.NDArray[Any], *, skip_special_tokens: bool = True
    ) -> str:
        """Turns ids back into text (byte-level: exactly the encoded text).

        Raises:
            ConfigError: an id outside the vocabulary.
        """
        id_list = [int(i) for i in ids]
        return str(self._inner.decode(id_list, skip_special_tokens))

    def decode_batch(
        self, batch: Iterable[Iterable[int]], *, skip_special_tokens: bool = True
    ) -> list[str]:
        """:meth:`decode` for each id sequence."""
        return [self.decode(ids, skip_special_tokens=skip_special_tokens) for ids in batch]

    # ----------------------------------------------------------------------------- vocabulary
    @property
    def vocab_size(self) -> int:
        """Number of tokens, special tokens included."""
        return int(self._inner.vocab_size())

    def get_vocab(self) -> dict[str, int]:
        """Token → id."""
        return dict(self._inner.get_vocab())

    @property
    def merges(self) -> list[tuple[str, str]]:
        """The merges in rank order."""
        return [(a, b) for a, b in self._inner.merges()]

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token``, or None."""
        value = self._inner.token_to_id(token)
        return None if value is None else int(value)

    def id_to_token(self, id: int) -> str:
        """The token of ``id``.

        Raises:
            ConfigError: ``id`` is outside the vocabulary.
        """
        token = self._inner.id_to_token(int(id))
        if token is None:
            raise ConfigError(f"id {id} is outside the vocabulary (size {self.vocab_size})")
        return str(token)

    @property
    def config(self) -> dict[str, Any]:
        """The settings (normalizer, pre-tokenizer, special tokens, ...) without the vocabulary."""
        data = json.loads(self.to_str("subwordx"))
        data.pop("vocab")
        data.pop("merges")
        return dict(data)

    @property
    def backend(self) -> str:
        """``"rust"`` or ``"python"``."""
        return "rust" if self._rust else "python"

    def __repr__(self) -> str:
        c = self.config
        kind = "byte-level" if c["byte_level"] else "classic"
        return (
            f"Tokenizer({kind} BPE, vocab_size={self.vocab_size}, "
            f"pre_tokenizer={c['pre_tokenizer']!r}, backend={self.backend!r})"
        )

    # ----------------------------------------------------------------------------- files
    def to_str(self, format: FileFormat = "subwordx") -> str:
        """The model as a JSON string: ``"subwordx"`` (native) or ``"hf"`` (tokenizer.json)."""
        if format == "subwordx":
            return str(self._inner.to_native_json())
        if format == "hf":
            return str(self._inner.to_hf_json())
        raise ConfigError(
            f"format {format!r} is not a single-string format; use 'subwordx' or 'hf'"
        )

    def save(self, path: PathLike, format: FileFormat | None = None) -> None:
        """Saves atomically (a temporary file, then a rename: never a half-written file).

        Args:
            path: the file (or, for ``vocab-merges``, a directory or a ``vocab.json`` path whose
                folder gets ``vocab.json`` and ``merges.txt``).
            format: ``"hf"`` (HF ``tokenizer.json``, loads in ``tokenizers``), ``"subwordx"``
                (native JSON with every setting), ``"vocab-merges"``; None picks by name:
                ``*.swx.json``/``*.subwordx.json`` → subwordx, other ``*.json`` → hf, a directory
                or ``vocab.json`` → vocab-merges.
        """
        p = Path(path)
        fmt = format or _format_for_path(p)
        if fmt == "vocab-merges":
            folder = p.parent if p.name == "vocab.json" else p
            folder.mkdir(parents=True, exist_ok=True)
            vocab_json, merges_txt = self._inner.to_vocab_merges()
            atomic_write(folder / "vocab.json", str(vocab_json))
            atomic_write(folder / "merges.txt", str(merges_txt))
            return
        atomic_write(p, self.to_str(fmt))

    @classmethod
    def load(cls, path: PathLike, *, backend: str | None = None) -> Tokenizer:
        """Loads any file subwordx writes or reads: native JSON, HF ``tokenizer.json``, or
        ``vocab.json`` + ``merges.txt`` (give the folder or either file).

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: the file is corrupt, truncated, or of an unsupported kind.
        """
        p = Path(path)
        rust = _backend.use_rust(backend)
        impl = _impl(rust)
        if p.is_dir() or p.name in ("vocab.json", "merges.txt"):
            folder = p if p.is_dir() else p.parent
            vocab, merges = folder / "vocab.json", folder / "merges.txt"
            return cls(impl.from_vocab_merges(_read_text(vocab), _read_text(merges)), rust)
        return cls.from_str(_read_text(p), source=str(p), backend=backend)

    @classmethod
    def from_str(
        cls, data: str, *, source: str = "<string>", backend: str | None = None
    ) -> Tokenizer:
        """Builds a tokenizer from a native or HF JSON string."""
        rust = _backend.use_rust(backend)
        impl = _impl(rust)
        head = data.lstrip()[:4096]
        if '"format"' in head and '"subwordx"' in head:
            return cls(impl.from_native_json(data), rust)
        try:
            return cls(impl.from_hf_json(data), rust)
        except ModelFormatError as e:
            if source != "<string>" and source not in str(e):
                raise ModelFormatError(f"{source}: {e}") from None
            raise

    def to_bytes(self) -> bytes:
        """The native format as bytes (what pickling ships)."""
        return self.to_str("subwordx").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: str | None = None) -> Tokenizer:
        """Inverse of :meth:`to_bytes`."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ModelFormatError(f"<bytes>: not UTF-8 JSON ({e})") from None
        return cls.from_str(text, source="<bytes>", backend=backend)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.to_bytes(), self.backend))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.to_str() == other.to_str()

    def __hash__(self) -> int:
        return hash(self.to_str())


def _unpickle(data: bytes, backend: str) -> Tokenizer:
    # A worker without the compiled core still gets a working tokenizer.
    chosen = backend if backend == "python" or _backend.use_rust() else "python"
    return Tokenizer.from_bytes(data, backend=chosen)


def train_bpe(
    files: PathLike | Sequence[PathLike] | None = None,
    *,
    texts: Iterable[str] | None = None,
    word_counts: Mapping[str, int] | None = None,
    vocab_size: int = 32000,
    byte_level: bool = False,
    pre_tokenizer: PreTokenizerName | None = None,
    min_frequency: int = 2,
    special_tokens: Sequence[str] = (),
    unk_token: str | None = None,
    template: Sequence[str] | None = None,
    limit_alphabet: int | None = None,
    max_token_length: int | None = None,
    end_of_word_suffix: str | None = None,
    continuing_subword_prefix: str | None = None,
    unicode_normalization: Literal["nfc", "nfkc"] | None = None,
    lowercase: bool = False,
    strip_accents: bool = False,
    threads: int = 0,
    errors: Literal["strict", "replace"] = "strict",
    progress: ProgressCallback | None = None,
    backend: str | None = None,
) -> Tokenizer:
    """Trains a BPE tokenizer, exactly as ``docs/bpe.md`` defines it.

    Give exactly one corpus: ``files`` (paths, streamed, never loaded whole), ``texts`` (any
    iterable of strings, consumed in batches) or ``word_counts`` (pre-counted ``{word: count}``,
    e.g. counted on a cluster; taken as already normalized and pre-tokenized).

    Classic BPE (default) starts from chars with the ``</w>`` end-of-word suffix (Sennrich et al.)
    and the ``bert`` pre-tokenizer (whitespace and punctuation); ``byte_level=True`` starts from
    the 256 bytes with the GPT-2 split (``pre_tokenizer`` ``gpt2``, ``cl100k`` or ``o200k``).

    Each step merges the most frequent adjacent pair; ties go to the pair whose left token is
    smallest, then whose right token is smallest (code point order). Training stops at
    ``vocab_size`` tokens or when the best pair occurs fewer than ``min_frequency`` times. The
    result is the same on any thread count.

    Args:
        vocab_size: the final vocabulary size, special tokens included.
        special_tokens: tokens that get the first ids and are never split.
        unk_token: classic only: token for chars outside the alphabet (default ``"<unk>"``
            for classic, added to the special tokens; None for byte-level, which needs none).
        template: special tokens added around every encoding, ``"$A"`` standing for the text,
            e.g. ``["<s>", "$A", "</s>"]`` (the tokens are added to ``special_tokens``).
        limit_alphabet: keep only the most frequent chars (classic).
        max_token_length: never build a token longer than this many chars.
        end_of_word_suffix: classic: the suffix marking a word's last symbol (default ``"</w>"``
            unless ``continuing_subword_prefix`` is given).
        continuing_subword_prefix: classic: a prefix on every symbol that continues a word
            (e.g. ``"##"``).
        unicode_normalization, lowercase, strip_accents: the normalizer.
        threads: worker threads for counting (0 = all cores).
        errors: ``"strict"`` raises :class:`~subwordx.errors.InvalidUtf8Error` naming the file,
            line and byte; ``"replace"`` substitutes U+FFFD and goes on.
        progress: called about ten times a second with ``(stage, done, total, info)``.
        backend: ``"rust"``, ``"python"`` or None (``SUBWORDX_BACKEND``, default auto).

    Raises:
        VocabSizeTooSmallError: ``vocab_size`` below the alphabet plus special tokens.
        EmptyCorpusError: no words.
        InvalidUtf8Error: bad bytes in a file (strict mode).
        SubwordxFileNotFoundError: a missing file.
    """
    given = [x is not None for x in (files, texts, word_counts)]
    if sum(given) != 1:
        raise ConfigError("give exactly one corpus: files=..., texts=... or word_counts=...")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size <= 0:
        raise ConfigError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    if not isinstance(min_frequency, int) or min_frequency < 0:
        raise ConfigError(f"min_frequency must be a non-negative integer, got {min_frequency!r}")
    if errors not in ("strict", "replace"):
        raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
    if pre_tokenizer is None:
        pre_tokenizer = "gpt2" if byte_level else "bert"
    if pre_tokenizer not in _PRE_TOKENIZERS:
        raise ConfigError(
            f"pre_tokenizer {pre_tokenizer!r} is not one of {', '.join(_PRE_TOKENIZERS)}"
        )
    if byte_level != (pre_tokenizer in _BYTE_LEVEL):
        raise ConfigError(
            f"pre_tokenizer {pre_tokenizer!r} does not fit byte_level={byte_level}: byte-level BPE "
            f"takes {', '.join(_BYTE_LEVEL)}; classic BPE takes whitespace or bert"
        )
    if unicode_normalization not in (None, "nfc", "nfkc"):
        raise ConfigError(
            f"unicode_normalization must be None, 'nfc' or 'nfkc', got {unicode_normalization!r}"
        )
    for name, value in (("limit_alphabet", limit_alphabet), ("max_token_length", max_token_length)):
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise ConfigError(f"{name} must be a positive integer or None, got {value!r}")
    specials = list(dict.fromkeys(special_tokens))
    if byte_level:
        if end_of_word_suffix or continuing_subword_prefix:
            raise ConfigError(
                "byte-level BPE takes no end_of_word_suffix/continuing_subword_prefix"
            )
    else:
        if unk_token is None:
            unk_token = "<unk>"
        if end_of_word_suffix is None and continuing_subword_prefix is None:
            end_of_word_suffix = "</w>"
    if unk_token is not None and unk_token not in specials:
        specials.insert(0, unk_token)
    if template is not None:
        template = list(template)
        if template.count("$A") != 1:
            raise ConfigError(f"template must hold '$A' exactly once, got {template!r}")
        for piece in template:
            if piece != "$A" and piece not in specials:
                specials.append(piece)
    settings: dict[str, Any] = {
        "vocab_size": vocab_size,
        "min_frequency": min_frequency,
        "special_tokens": specials,
        "unk_token": unk_token,
        "template": template,
        "limit_alphabet": limit_alphabet,
        "max_token_length": max_token_length,
        "end_of_word_suffix": end_of_word_suffix or None,
        "continuing_subword_prefix": continuing_subword_prefix or None,
        "byte_level": byte_level,
        "pre_tokenizer": pre_tokenizer,
        "unicode_normalization": unicode_normalization,
        "lowercase": lowercase,
        "strip_accents": strip_accents,
    }
    rust = _backend.use_rust(backend)
    if files is not None:
        paths = _as_paths(files)
        if rust:
            inner = _backend.core().train_bpe_files(paths, settings, threads, errors, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = ref.ReferenceTokenizer.train_from_files(paths, settings, errors, progress)
    elif texts is not None:
        if isinstance(texts, (str, bytes)):
            raise ConfigError("texts must be an iterable of strings, not one string")
        if rust:
            inner = _backend.core().train_bpe_texts(_batches(texts), settings, threads, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = ref.ReferenceTokenizer.train_from_texts(texts, settings)
    else:
        assert word_counts is not None
        counts = _check_counts(word_counts)
        if rust:
            inner = _backend.core().train_bpe_counts(counts, settings, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = ref.ReferenceTokenizer.train_from_counts(counts, settings)
    return Tokenizer(inner, rust)


# --------------------------------------------------------------------------------- helpers
def atomic_write(path: PathLike, data: str | bytes) -> None:
    """Writes ``data`` to ``path`` through a temporary file in the same folder and a rename, so a
    reader never sees a half-written file and a failure leaves nothing behind."""
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise SubwordxFileNotFoundError(2, f"{folder}: no such directory", str(folder))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, SubwordxIOError):
            raise SubwordxIOError(e.errno or 0, f"{p}: {e.strerror or e}", str(p)) from e
        raise


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubwordxFileNotFoundError(2, f"{path}: no such file", str(path)) from None
    except IsADirectoryError:
        raise SubwordxIOError(21, f"{path}: is a directory, not a model file", str(path)) from None
    except OSError as e:
        raise SubwordxIOError(e.errno or 0, f"{path}: {e.strerror or e}", str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFormatError(
            f"{path}: corrupt or unsupported model file: not UTF-8 text (byte {e.start})"
        ) from None


def _format_for_path(p: Path) -> FileFormat:
    name = p.name.lower()
    if name.endswith((".swx.json", ".subwordx.json", ".swx")):
        return "subwordx"
    if p.is_dir() or name == "vocab.json" or not name or name.endswith(os.sep):
        return "vocab-merges"
    return "hf"


def _impl(rust: bool) -> Any:
    if rust:
        return _backend.core().Tokenizer
    from subwordx.reference.tokenizer import ReferenceTokenizer

    return ReferenceTokenizer


def _as_paths(files: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    paths = [os.fspath(f) for f in files]
    if not paths:
        raise ConfigError("files is empty: give at least one corpus file")
    return paths


def _batches(texts: Iterable[str], size: int = 8192) -> Iterator[list[str]]:
    batch: list[str] = []
    for t in texts:
        if not isinstance(t, str):
            raise ConfigError(f"texts must yield strings, got {type(t).__name__}")
        batch.append(t)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_counts(word_counts: Mapping[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word, n in word_counts.items():
        if not isinstance(word, str) or not word:
            raise ConfigError(f"word_counts keys must be non-empty strings, got {word!r}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ConfigError(f"count of {word!r} must be a non-negative integer, got {n!r}")
        if n:
            counts[word] = int(n)
    return counts


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"expected a str to encode, got {type(text).__name__}")


def _as_ids(ids: Any) -> npt.NDArray[np.uint32]:
    return np.asarray(ids, dtype=np.uint32)


def _as_offsets(offsets: Any) -> npt.NDArray[np.int64]:
    arr = np.asarray(offsets, dtype=np.int64)
    return arr.reshape(-1, 2)
