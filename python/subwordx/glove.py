"""GloVe: global vectors from co-occurrence counts, in one call (``docs/glove.md``).

The C reference is four programs and three temporary files (``vocab_count``, ``cooccur``,
``shuffle``, ``glove``); here one constructor builds the vocabulary, counts the co-occurrences on
all cores in bounded memory (spilling sorted runs to a temporary folder when the table outgrows
``memory``), and trains with AdaGrad on Hogwild threads with the GIL released. With ``threads=1``
and a seed it is exactly reproducible and matches the numpy reference
(:mod:`subwordx.reference.glove`), which ``SUBWORDX_BACKEND=python`` runs instead.

Example:
    >>> import subwordx, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.txt")
    >>> _ = open(path, "w").write("the cat sat on the mat\\nthe dog sat on the rug\\n" * 50)
    >>> model = subwordx.GloVe(corpus_file=path, dim=8, window=3, epochs=5, min_count=1,
    ...                        x_max=10, threads=1)
    >>> model.wv.vector_size, len(model.losses)
    (8, 5)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx.embeddings.keyed_vectors import KeyedVectors
from subwordx.errors import ConfigError, EmptyCorpusError, ModelFormatError

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[str, int, int, str], None]
EpochCallback = Callable[[int, float], None]
OutputKind = Literal["sum", "word", "both"]

# The core's bounds (rust/subwordx-core/src/embeddings/{glove,cooccur}.rs).
MAX_DIM = 10_000
MAX_WINDOW = 10_000
MAX_EPOCHS = 100_000
MAX_THREADS = 1_024
MAX_U64 = 2**64 - 1
MIN_MEMORY_PER_THREAD = 64 << 10
DEFAULT_MEMORY = 512 << 20
_NATIVE_KIND = "subwordx-glove"
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_memory(value: int | str) -> int:
    """Bytes from an int or a size such as ``"512M"``, ``"1.5G"``, ``"64K"`` (powers of 1024).

    Example:
        >>> parse_memory("1.5G"), parse_memory(4096)
        (1610612736, 4096)
    """
    if isinstance(value, bool):
        raise ConfigError(f"memory must be a number of bytes or a size like '512M', got {value!r}")
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", value)
        if not m:
            raise ConfigError(f"memory must be a size like '512M' or '2G', got {value!r}")
        number = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    else:
        raise ConfigError(f"memory must be a number of bytes or a size like '512M', got {value!r}")
    if not 0 < number <= MAX_U64:
        raise ConfigError(f"memory must be between 1 and 2^64 - 1 bytes, got {value!r}")
    return number


@dataclass
class Cooccurrences:
    """A co-occurrence table: ``x[k]`` is ``X[rows[k], cols[k]]`` over ``words`` (sorted by row,
    then column; only non-zero cells)."""

    words: list[str]
    counts: npt.NDArray[np.int64]
    rows: npt.NDArray[np.uint32]
    cols: npt.NDArray[np.uint32]
    x: npt.NDArray[np.float32]
    spilled_runs: int = 0

    def __len__(self) -> int:
        return len(self.x)

    def to_dense(self) -> npt.NDArray[np.float32]:
        """The full ``V x V`` matrix (small vocabularies only)."""
        v = len(self.words)
        m = np.zeros((v, v), np.float32)
        m[self.rows.astype(np.int64), self.cols.astype(np.int64)] = self.x
        return m


def cooccurrence_matrix(
    corpus_file: PathLike | Sequence[PathLike],
    *,
    window: int = 10,
    symmetric: bool = True,
    min_count: int = 5,
    max_vocab: int | None = None,
    memory: int | str = DEFAULT_MEMORY,
    threads: int = 0,
    errors: Literal["strict", "replace"] = "strict",
    tmp_dir: PathLike | None = None,
    progress: ProgressCallback | None = None,
    backend: str | None = None,
) -> Cooccurrences:
    """Counts GloVe's co-occurrences (the first half of :class:`GloVe`; arguments as there)."""
    paths = _as_paths(corpus_file)
    _check_int("window", window, 1, MAX_WINDOW)
    _check_int("min_count", min_count, 1, MAX_U64)
    if max_vocab is not None:
        _check_int("max_vocab", max_vocab, 1, 2**63 - 1)
    n_threads = _threads(threads)
    mem = _check_memory(memory, n_threads)
    if not _backend.use_rust(backend):
        from subwordx.reference import glove as ref

        lines = _read_lines(paths, errors)
        words, counts = ref.build_vocab(lines, min_count, max_vocab)
        if not words:
            raise EmptyCorpusError(f"no word occurs at least min_count={min_count} times")
        rows, cols, x = ref.count_cooccurrences(lines, words, window, symmetric)
        return Cooccurrences(words, np.array(counts, np.int64), rows, cols, x)
    d = _backend.core().glove_cooccurrences(
        paths,
        window=window,
        symmetric=symmetric,
        min_count=min_count,
        max_vocab=max_vocab,
        memory=mem,
        threads=n_threads,
        errors=errors,
        tmp_dir=None if tmp_dir is None else os.fspath(tmp_dir),
        progress=progress,
    )
    return Cooccurrences(
        list(d["words"]),
        np.asarray(d["counts"]).astype(np.int64),
        np.asarray(d["rows"]),
        np.asarray(d["cols"]),
        np.asarray(d["x"]),
        int(d["spilled_runs"]),
    )


class GloVe:
    """Trains GloVe vectors on text files (Pennington et al. 2014), counting included.

    Args:
        corpus_file: one or more UTF-8 text files: whitespace-separated words; a line break
            (and a file's end) ends the context window, as in C GloVe.
        dim: vector size (C ``-vector-size``, default 50).
        window: context words on each side (``-window-size``; default 10).
        symmetric: count left and right context (default); ``False`` counts the left only.
        epochs: passes over the shuffled co-occurrence table (``-iter``; default 15).
        x_max: the weighting function's cutoff: ``f(x) = (x / x_max) ** alpha`` below it, 1
            above (``-x-max``; 100 as the paper; 10 suits corpora of a few million words).
        alpha: the weighting function's exponent (default 0.75).
        learning_rate: AdaGrad's initial rate (C ``-eta``, default 0.05).
        min_count: words rarer than this are dropped (default 5).
        max_vocab: keep at most this many of the most frequent words (C ``-max-vocab``).
        memory: bytes the counting tables may take (an int, or ``"512M"``, ``"2G"``; default
            512 MiB). A larger table is spilled to ``tmp_dir`` as sorted runs and merged: same
            result, some disk traffic. Training then holds 16 bytes per table entry.
        tmp_dir: folder for the spill files (default: the system's); they are removed when
            counting ends, whatever happens.
        output: what :attr:`wv` holds: ``"sum"`` ``W + W~`` (C ``-model 2``, default), ``"word"``
            ``W`` (``-model 1``), or ``"both"`` ``[W | W~]`` (``2 dim`` columns, ``-model 3``).
        threads: threads for counting and training (0 = all cores). With 1 and a seed training
            is reproducible; with more it is Hogwild (lock-free) and not bit-reproducible.
        seed: seed of the generator that initialises and shuffles (``docs/glove.md``).
        errors: ``"strict"`` (invalid UTF-8 is an error naming file, line and byte) or
            ``"replace"``.
        progress: called about ten times a second with ``(stage, done, total, info)``; the info
            of the training stage holds the cost.
        on_epoch: called after each epoch with ``(epoch, cost)``.
        backend: ``"rust"``, ``"python"`` (the numpy reference: slow) or None
            (``SUBWORDX_BACKEND``).

    Attributes:
        wv: the vectors chosen by ``output``, a :class:`~subwordx.embeddings.KeyedVectors`.
        word_vectors, context_vectors: ``W`` and ``W~`` (``V x dim``).
        word_biases, context_biases: ``b`` and ``b~``.
        losses: the cost of each epoch (mean of ``0.5 f(x) (w.w~ + b + b~ - ln x)**2``).
        entries: non-zero co-occurrence cells trained on.

    Raises:
        ConfigError: a setting out of range (the message names the limit).
        EmptyCorpusError: no word reaches ``min_count``, or no two words co-occur.
    """

    def __init__(
        self,
        corpus_file: PathLike | Sequence[PathLike],
        *,
        dim: int = 50,
        window: int = 10,
        symmetric: bool = True,
        epochs: int = 15,
        x_max: float = 100.0,
        alpha: float = 0.75,
        learning_rate: float = 0.05,
        min_count: int = 5,
        max_vocab: int | None = None,
        memory: int | str = DEFAULT_MEMORY,
        tmp_dir: PathLike | None = None,
        output: OutputKind = "sum",
        threads: int = 0,
        seed: int = 1,
        errors: Literal["strict", "replace"] = "strict",
        progress: ProgressCallback | None = None,
        on_epoch: EpochCallback | None = None,
        backend: str | None = None,
    ) -> None:
        paths = _as_paths(corpus_file)
        _check_int("dim", dim, 1, MAX_DIM)
        _check_int("window", window, 1, MAX_WINDOW)
        _check_int("epochs", epochs, 1, MAX_EPOCHS)
        _check_int("min_count", min_count, 1, MAX_U64)
        _check_int("seed", seed, 0, MAX_U64)
        if max_vocab is not None:
            _check_int("max_vocab", max_vocab, 1, 2**63 - 1)
        _check_float("x_max", x_max, allow_zero=False)
        _check_float("alpha", alpha, allow_zero=True)
        _check_float("learning_rate", learning_rate, allow_zero=False)
        if output not in ("sum", "word", "both"):
            raise ConfigError(f"output must be 'sum', 'word' or 'both', got {output!r}")
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        if not isinstance(symmetric, bool):
            raise ConfigError(f"symmetric must be True or False, got {symmetric!r}")
        self.threads = _threads(threads)
        mem = _check_memory(memory, self.threads)
        self.output: OutputKind = output
        self.config: dict[str, Any] = {
            "dim": dim,
            "window": window,
            "symmetric": symmetric,
            "epochs": epochs,
            "x_max": float(x_max),
            "alpha": float(alpha),
            "learning_rate": float(learning_rate),
            "min_count": min_count,
            "max_vocab": max_vocab,
            "memory": mem,
            "seed": seed,
        }
        self._rust = _backend.use_rust(backend)
        self._wv: KeyedVectors | None = None
        if self._rust:
            d = _backend.core().train_glove(
                paths,
                dim=dim,
                window=window,
                symmetric=symmetric,
                epochs=epochs,
                x_max=float(x_max),
                alpha=float(alpha),
                eta=float(learning_rate),
                min_count=min_count,
                max_vocab=max_vocab,
                memory=mem,
                threads=self.threads,
                seed=seed,
                errors=errors,
                tmp_dir=None if tmp_dir is None else os.fspath(tmp_dir),
                progress=progress,
                on_epoch=on_epoch,
            )
            self.words: list[str] = list(d["words"])
            self.counts: npt.NDArray[np.int64] = np.asarray(d["counts"]).astype(np.int64)
            self.word_vectors: npt.NDArray[np.float32] = np.asarray(d["word"])
            self.context_vectors: npt.NDArray[np.float32] = np.asarray(d["context"])
            self.word_biases: npt.NDArray[np.float32] = np.asarray(d["word_bias"])
            self.context_biases: npt.NDArray[np.float32] = np.asarray(d["context_bias"])
            self.losses: list[float] = [float(x) for x in d["losses"]]
            self.entries: int = int(d["entries"])
        else:
            from subwordx.reference import glove as ref

            lines = _read_lines(paths, errors)
            if not ref.build_vocab(lines, min_count, max_vocab)[0]:
                raise EmptyCorpusError(f"no word occurs at least min_count={min_count} times")
            r = ref.train_glove(
                lines,
                dim=dim,
                window=window,
                symmetric=symmetric,
                epochs=epochs,
                x_max=float(x_max),
                alpha=float(alpha),
                eta=float(learning_rate),
                min_count=min_count,
                max_vocab=max_vocab,
                seed=seed,
            )
            if not len(r.x):
                raise EmptyCorpusError(
                    "no two vocabulary words occur within the window of each other"
                )
            self.words = r.words
            self.counts = np.array(r.counts, np.int64)
            self.word_vectors = r.params.W
            self.context_vectors = r.params.Wc
            self.word_biases = r.params.b
            self.context_biases = r.params.bc
            self.losses = list(r.losses)
            self.entries = len(r.x)
            if on_epoch is not None:
                for i, loss in enumerate(self.losses, 1):
                    on_epoch(i, loss)

    @property
    def wv(self) -> KeyedVectors:
        """The output vectors (``output``): a :class:`~subwordx.embeddings.KeyedVectors`."""
        if self._wv is None:
            self._wv = KeyedVectors(self.words, self.vectors(self.output), self.counts)
        return self._wv

    def vectors(self, output: OutputKind = "sum") -> npt.NDArray[np.float32]:
        """``W + W~`` (``"sum"``), ``W`` (``"word"``) or ``[W | W~]`` (``"both"``)."""
        if output == "sum":
            return self.word_vectors + self.context_vectors
        if output == "word":
            return self.word_vectors.copy()
        if output == "both":
            return np.concatenate([self.word_vectors, self.context_vectors], axis=1)
        raise ConfigError(f"output must be 'sum', 'word' or 'both', got {output!r}")

    @property
    def backend(self) -> str:
        """``"rust"`` or ``"python"``."""
        return "rust" if self._rust else "python"

    # ------------------------------------------------------------------ files
    def save_glove_format(self, path: PathLike) -> None:
        """Writes :attr:`wv` in GloVe's headerless text format (``word v1 ... vdim`` lines)."""
        self.wv.save_glove_format(path)

    def save_word2vec_format(self, path: PathLike, binary: bool = True) -> None:
        """Writes :attr:`wv` in word2vec.c's binary or text format (gensim loads both)."""
        self.wv.save_word2vec_format(path, binary=binary)

    def save(self, path: PathLike) -> None:
        """Saves everything (native ``.npz``, atomically): the output vectors, ``W``, ``W~``,
        the biases, the settings and the costs; :meth:`load` reads it back."""
        config = dict(
            self.config,
            kind=_NATIVE_KIND,
            output=self.output,
            losses=self.losses,
            entries=self.entries,
        )
        extra = {
            "word_vectors": self.word_vectors,
            "context_vectors": self.context_vectors,
            "word_biases": self.word_biases,
            "context_biases": self.context_biases,
        }
        self.wv.save(path, extra=extra, config=config)

    @classmethod
    def load(cls, path: PathLike) -> GloVe:
        """Loads a model saved with :meth:`save`.

        Raises:
            ModelFormatError: not a subwordx GloVe model, or inconsistent arrays.
        """
        name = os.fspath(path)
        saved = KeyedVectors.load_full(path)
        config = dict(saved.config)
        if config.pop("kind", None) != _NATIVE_KIND:
            raise ModelFormatError(f"{name}: not a subwordx GloVe model")
        kv = saved.kv
        v = len(kv)
        dim = config.get("dim")
        if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
            raise ModelFormatError(f"{name}: config: dim must be an integer, got {dim!r}")
        shapes = {
            "word_vectors": (v, dim),
            "context_vectors": (v, dim),
            "word_biases": (v,),
            "context_biases": (v,),
        }
        arrays = {}
        for key, shape in shapes.items():
            arr = saved.extra.get(key)
            if arr is None or arr.dtype.kind != "f" or arr.shape != shape:
                raise ModelFormatError(f"{name}: {key} must be a float array of shape {shape}")
            arrays[key] = np.ascontiguousarray(arr, np.float32)
        output = config.pop("output", "sum")
        if output not in ("sum", "word", "both"):
            raise ModelFormatError(f"{name}: config: output {output!r} is not sum/word/both")
        losses = config.pop("losses", [])
        if not isinstance(losses, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in losses
        ):
            raise ModelFormatError(f"{name}: config: losses must be a list of numbers")
        self = cls.__new__(cls)
        self.config = config
        self.output = output
        self.threads = 1
        self._rust = _backend.use_rust(None)
        self.words = list(kv.index_to_key)
        self.counts = kv.counts if kv.counts is not None else np.ones(v, np.int64)
        self.word_vectors = arrays["word_vectors"]
        self.context_vectors = arrays["context_vectors"]
        self.word_biases = arrays["word_biases"]
        self.context_biases = arrays["context_biases"]
        self.losses = [float(x) for x in losses]
        entries = config.pop("entries", 0)
        self.entries = entries if isinstance(entries, int) else 0
        self._wv = kv
        return self

    def __repr__(self) -> str:
        c = self.config
        return (
            f"GloVe(dim={c['dim']}, vocab={len(self.words)}, window={c['window']}, "
            f"entries={self.entries}, output={self.output!r}, backend={self.backend!r})"
        )


# ---------------------------------------------------------------------------- helpers
def _check_int(name: str, value: object, minimum: int, maximum: int) -> None:
    from subwordx.word2vec import _check_int as check

    check(name, value, minimum, maximum)


def _check_float(name: str, value: object, *, allow_zero: bool) -> None:
    from subwordx.word2vec import _check_float as check

    check(name, value, allow_zero=allow_zero)


def _threads(threads: int) -> int:
    _check_int("threads", threads, 0, MAX_THREADS)
    return threads or min(os.cpu_count() or 1, MAX_THREADS)


def _check_memory(memory: int | str, threads: int) -> int:
    mem = parse_memory(memory)
    least = MIN_MEMORY_PER_THREAD * threads
    if mem < least:
        raise ConfigError(
            f"memory must be at least {least} bytes ({MIN_MEMORY_PER_THREAD >> 10} KiB per "
            f"thread x {threads} threads) to hold any co-occurrences, got {memory!r}"
        )
    return mem


def _as_paths(files: PathLike | Sequence[PathLike]) -> list[str]:
    from subwordx.word2vec import _as_paths as as_paths

    return as_paths(files)


def _read_lines(paths: list[str], errors: str) -> list[list[str]]:
    from subwordx.word2vec import _read_sentences

    return list(_read_sentences(paths, errors))


__all__ = ["Cooccurrences", "GloVe", "cooccurrence_matrix", "parse_memory"]
