"""word2vec: skip-gram and CBOW with negative sampling and/or hierarchical softmax.

The algorithm is ``docs/word2vec.md`` (word2vec.c's, to the random draw). Training runs in the
Rust core on all the threads you give it, lock-free (Hogwild), with the GIL released; with
``threads=1`` and a seed it is exactly reproducible, and it matches the numpy reference
(:mod:`subwordx.reference.word2vec`) that ``SUBWORDX_BACKEND=python`` runs instead.

Example:
    >>> import subwordx
    >>> sentences = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 200
    >>> model = subwordx.Word2Vec(sentences, model="skipgram", dim=16, min_count=1, epochs=2,
    ...                           threads=1)
    >>> model.wv.most_similar("cat", topn=1)[0][0] in {"dog", "the", "sat"}
    True
"""

from __future__ import annotations

import math
import os
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx._files import open_regular
from subwordx.embeddings.keyed_vectors import KeyedVectors
from subwordx.errors import ConfigError, EmptyCorpusError, InvalidUtf8Error

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[str, int, int, str], None]
EpochCallback = Callable[[int, float], None]
ModelKind = Literal["skipgram", "cbow"]

MAX_SENTENCE_WORDS = 10_000
_SKIP = 0xFFFFFFFF
_NATIVE_KIND = "subwordx-word2vec"

# Upper bounds of the integer options, the core's (rust/subwordx-core/src/embeddings/word2vec.rs):
# every size that drives an allocation is bounded up front, so a typo is a ConfigError naming the
# limit, not an abort of the interpreter.
MAX_DIM = 10_000
MAX_WINDOW = MAX_SENTENCE_WORDS
MAX_NEGATIVE = 1_000
MAX_EPOCHS = 100_000
MAX_THREADS = 1_024
MAX_U64 = 2**64 - 1


class Word2Vec:
    """Trains word vectors on a corpus (big files are streamed; iterables are read once).

    Args:
        sentences: an iterable of sentences, each a list of words (read once, kept as 4-byte
            ids). Give this or ``corpus_file``.
        corpus_file: one or more UTF-8 text files, whitespace-separated words, a line per
            sentence (cut into 10,000-word pieces).
        stream: how ``corpus_file`` is held. ``True``: read from disk again on every epoch, so
            memory stays a few megabytes whatever the corpus size; ``False``: read once and held
            as 4-byte word ids (about 7% faster for CBOW on two cores); ``None`` (default):
            stream files totalling more than 256 MiB. The vectors are the same either way
            (bit for bit with ``threads=1``).
        model: ``"cbow"`` (word2vec.c's default) or ``"skipgram"``.
        dim: vector size.
        window: maximum context distance (the used window is drawn in 1..window per word).
        negative: negative samples per target (0 to disable), drawn from unigram^0.75.
        hs: hierarchical softmax (a Huffman tree over the counts); can be on with ``negative``.
        sample: subsampling threshold for frequent words (0 to disable).
        min_count: words rarer than this are dropped.
        max_vocab_size: bound on distinct words held while counting (word2vec.c's pruning).
        max_final_vocab: keep at most this many words (raising min_count as gensim does).
        epochs: passes over the corpus.
        alpha: initial learning rate (default 0.025 skip-gram, 0.05 CBOW, as word2vec.c);
            decays linearly to ``min_alpha`` (default ``alpha * 1e-4``).
        cbow_mean: CBOW averages its context vectors (else sums them).
        threads: training threads (0 = all cores). 1 makes training bit-reproducible.
        seed: seed of the random generator.
        vector_size, sg, workers: gensim's names for ``dim``, ``model`` (``sg=1`` skip-gram,
            ``sg=0`` CBOW) and ``threads``, so gensim code runs by changing the import; given
            together with their subwordx names they must agree.
        errors: ``"strict"`` (invalid UTF-8 in a file is an error naming file, line and byte)
            or ``"replace"``.
        progress: called about ten times a second with ``(stage, done, total, info)``.
        on_epoch: called after each epoch with ``(epoch, mean_loss)``.
        backend: ``"rust"``, ``"python"`` or None (``SUBWORDX_BACKEND``).

    Attributes:
        wv: the trained :class:`~subwordx.embeddings.KeyedVectors`.
        losses: mean training loss of each epoch so far.
    """

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: PathLike | Sequence[PathLike] | None = None,
        model: ModelKind = "cbow",
        dim: int = 100,
        window: int = 5,
        negative: int = 5,
        hs: bool = False,
        sample: float = 1e-3,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
        epochs: int = 5,
        alpha: float | None = None,
        min_alpha: float | None = None,
        cbow_mean: bool = True,
        threads: int = 0,
        seed: int = 1,
        errors: Literal["strict", "replace"] = "strict",
        stream: bool | None = None,
        progress: ProgressCallback | None = None,
        on_epoch: EpochCallback | None = None,
        backend: str | None = None,
        vector_size: int | None = None,
        sg: int | None = None,
        workers: int | None = None,
    ) -> None:
        dim, model, threads = resolve_gensim_names(dim, vector_size, model, sg, threads, workers)
        if (sentences is None) == (corpus_file is None):
            raise ConfigError("give exactly one corpus: sentences=... or corpus_file=...")
        if model not in ("skipgram", "cbow"):
            raise ConfigError(f"model must be 'skipgram' or 'cbow', got {model!r}")
        _check_int("dim", dim, 1, MAX_DIM)
        _check_int("window", window, 1, MAX_WINDOW)
        _check_int("negative", negative, 0, MAX_NEGATIVE)
        _check_int("min_count", min_count, 1, MAX_U64)
        _check_int("epochs", epochs, 1, MAX_EPOCHS)
        _check_int("threads", threads, 0, MAX_THREADS)
        _check_int("seed", seed, 0, MAX_U64)
        for name, bound in (
            ("max_vocab_size", max_vocab_size),
            ("max_final_vocab", max_final_vocab),
        ):
            if bound is not None:
                _check_int(name, bound, 1, 2**63 - 1)
        if not hs and negative == 0:
            raise ConfigError("nothing to train: set negative > 0 or hs=True")
        _check_float("sample", sample, allow_zero=True)
        for name, value in (("alpha", alpha), ("min_alpha", min_alpha)):
            if value is not None:
                _check_float(name, value, allow_zero=False)
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        sg = model == "skipgram"
        start_alpha = alpha if alpha is not None else (0.025 if sg else 0.05)
        self.config: dict[str, Any] = {
            "model": model,
            "dim": dim,
            "window": window,
            "negative": negative,
            "hs": hs,
            "sample": sample,
            "min_count": min_count,
            "epochs": epochs,
            "alpha": start_alpha,
            "min_alpha": min_alpha if min_alpha is not None else start_alpha * 1e-4,
            "cbow_mean": cbow_mean,
            "seed": seed,
        }
        self.threads = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.losses: list[float] = []
        self._rust = _backend.use_rust(backend)
        self._wv: KeyedVectors | None = None
        self._inner: Any = None  # the core model, or the reference's result
        if corpus_file is not None:
            paths = _as_paths(corpus_file)
            self._start_from_files(paths, max_vocab_size, max_final_vocab, errors, progress)
            self.train(
                corpus_file=paths,
                errors=errors,
                stream=stream,
                progress=progress,
                on_epoch=on_epoch,
            )
        else:
            assert sentences is not None
            ids, starts, words, counts = _encode_sentences(sentences)
            self._start_from_counts(words, counts, max_vocab_size, max_final_vocab)
            self._train_encoded(ids, starts, words, None, progress, on_epoch)

    # ------------------------------------------------------------------ vocabulary
    def _start_from_files(
        self,
        paths: list[str],
        max_vocab_size: int | None,
        max_final_vocab: int | None,
        errors: str,
        progress: ProgressCallback | None,
    ) -> None:
        c = self.config
        if self._rust:
            core = _backend.core()
            words, counts = core.build_vocab_from_files(
                paths,
                c["min_count"],
                max_vocab_size,
                max_final_vocab,
                errors,
                self.threads,
                progress,
            )
            self._inner = self._new_core_model(list(words), np.asarray(counts))
        else:
            from subwordx.reference import word2vec as ref

            sentences = list(_read_sentences(paths, errors))
            keys, cnts = ref.build_vocab(ref._pieces(sentences), c["min_count"], max_final_vocab)
            if not keys:
                raise EmptyCorpusError(f"no word occurs at least min_count={c['min_count']} times")
            self._inner = self._new_reference_model(keys, cnts)

    def _start_from_counts(
        self,
        words: list[str],
        counts: npt.NDArray[np.int64],
        max_vocab_size: int | None,
        max_final_vocab: int | None,
    ) -> None:
        c = self.config
        if self._rust:
            table = dict(zip(words, counts.tolist()))
            kept, kept_counts = _backend.core().build_vocab_from_counts(
                table, c["min_count"], max_vocab_size, max_final_vocab
            )
            self._inner = self._new_core_model(list(kept), np.asarray(kept_counts))
        else:
            order = sorted(range(len(words)), key=lambda i: (-int(counts[i]), words[i]))
            effective = c["min_count"]
            by_count = sorted(counts.tolist(), reverse=True)
            if max_final_vocab is not None and max_final_vocab < len(by_count):
                effective = max(effective, by_count[max_final_vocab] + 1)
            keys = [words[i] for i in order if counts[i] >= effective]
            cnts = np.array([counts[i] for i in order if counts[i] >= effective], np.int64)
            if not keys:
                raise EmptyCorpusError(f"no word occurs at least min_count={c['min_count']} times")
            self._inner = self._new_reference_model(keys, cnts)

    def _core_settings(self) -> dict[str, Any]:
        """The core model's keyword arguments, from :attr:`config`."""
        c = self.config
        return {
            "sg": c["model"] == "skipgram",
            "cbow_mean": c["cbow_mean"],
            "window": c["window"],
            "negative": c["negative"],
            "hs": c["hs"],
            "sample": c["sample"],
            "alpha": c["alpha"],
            "min_alpha": c["min_alpha"],
            "epochs": c["epochs"],
            "threads": self.threads,
            "seed": c["seed"],
        }

    def _new_core_model(self, words: list[str], counts: npt.NDArray[Any]) -> Any:
        return _backend.core().Word2VecModel(
            words,
            counts.astype(np.uint64).tolist(),
            dim=self.config["dim"],
            **self._core_settings(),
        )

    def _new_reference_model(self, keys: list[str], counts: npt.NDArray[np.int64]) -> Any:
        from subwordx.reference import word2vec as ref

        c = self.config
        return ref.ReferenceWord2VecResult(
            keys=keys,
            counts=np.asarray(counts, np.int64),
            syn0=ref.init_vectors(len(keys), c["dim"], c["seed"]),
            syn1neg=None,
            syn1=None,
            losses=[],
        )

    # ------------------------------------------------------------------ training
    def train(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: PathLike | Sequence[PathLike] | None = None,
        epochs: int | None = None,
        errors: Literal["strict", "replace"] = "strict",
        stream: bool | None = None,
        progress: ProgressCallback | None = None,
        on_epoch: EpochCallback | None = None,
    ) -> list[float]:
        """Trains (further) on a corpus with the model's vocabulary; words outside it are skipped.

        The learning rate decays from ``alpha`` to ``min_alpha`` over these ``epochs``.
        ``stream`` is as for the constructor.

        Returns:
            The mean loss of each epoch of this call.
        """
        if (sentences is None) == (corpus_file is None):
            raise ConfigError("give exactly one corpus: sentences=... or corpus_file=...")
        if epochs is not None:
            _check_int("epochs", epochs, 1, MAX_EPOCHS)
        self._wv = None
        if corpus_file is not None:
            paths = _as_paths(corpus_file)
            if self._rust:
                losses = list(
                    self._inner.train_files(
                        paths, epochs, errors, stream=stream, progress=progress, on_epoch=on_epoch
                    )
                )
            else:
                losses = self._train_reference(
                    list(_read_sentences(paths, errors)), epochs, on_epoch
                )
        else:
            assert sentences is not None
            if self._rust:
                ids, starts, words, _ = _encode_sentences(sentences)
                return self._train_encoded(ids, starts, words, epochs, progress, on_epoch)
            losses = self._train_reference([list(s) for s in sentences], epochs, on_epoch)
        self.losses.extend(losses)
        return losses

    def _train_encoded(
        self,
        ids: npt.NDArray[np.uint32],
        starts: npt.NDArray[np.int64],
        words: list[str],
        epochs: int | None,
        progress: ProgressCallback | None,
        on_epoch: EpochCallback | None,
    ) -> list[float]:
        """Trains on sentences given as provisional ids into ``words``."""
        self._wv = None
        if not self._rust:
            sentences = [
                [words[i] for i in ids[s:e].tolist()]
                for s, e in zip(starts.tolist(), [*starts.tolist()[1:], len(ids)])
            ]
            losses = self._train_reference(sentences, epochs, on_epoch)
        else:
            index = {k: i for i, k in enumerate(self._inner.keys)}
            remap = np.array([index.get(w, _SKIP) for w in words], dtype=np.uint32)
            final = remap[ids] if len(ids) else np.zeros(0, np.uint32)
            losses = list(
                self._inner.train_ids(
                    np.ascontiguousarray(final),
                    starts,
                    epochs,
                    progress=progress,
                    on_epoch=on_epoch,
                )
            )
        self.losses.extend(losses)
        return losses

    def _train_reference(
        self, sentences: list[list[str]], epochs: int | None, on_epoch: EpochCallback | None
    ) -> list[float]:
        from subwordx.reference import word2vec as ref

        c = self.config
        state = self._inner
        result = ref.train_word2vec(
            sentences,
            sg=c["model"] == "skipgram",
            vector_size=c["dim"],
            window=c["window"],
            negative=c["negative"],
            hs=c["hs"],
            sample=c["sample"],
            min_count=1,
            alpha=c["alpha"],
            min_alpha=c["min_alpha"],
            epochs=epochs or c["epochs"],
            seed=c["seed"],
            cbow_mean=c["cbow_mean"],
            initial=state,
        )
        self._inner = result
        if on_epoch is not None:
            for i, loss in enumerate(result.losses, 1):
                on_epoch(i, loss)
        return list(result.losses)

    # ------------------------------------------------------------------ results
    @property
    def wv(self) -> KeyedVectors:
        """The word vectors (rebuilt after each training call)."""
        if self._wv is None:
            if self._rust:
                vectors = np.asarray(self._inner.vectors)
                counts = np.asarray(self._inner.counts).astype(np.int64)
                self._wv = KeyedVectors(list(self._inner.keys), vectors, counts)
            else:
                r = self._inner
                self._wv = KeyedVectors(list(r.keys), r.syn0.copy(), r.counts.copy())
        return self._wv

    @property
    def backend(self) -> str:
        """``"rust"`` or ``"python"``."""
        return "rust" if self._rust else "python"

    def _output_layers(self) -> dict[str, npt.NDArray[np.float32]]:
        if self._rust:
            layers = {
                "syn1neg": np.asarray(self._inner.syn1neg),
                "syn1": np.asarray(self._inner.syn1),
            }
        else:
            layers = {
                name: arr
                for name, arr in (("syn1neg", self._inner.syn1neg), ("syn1", self._inner.syn1))
                if arr is not None
            }
        return {k: v for k, v in layers.items() if v.size}

    def save(self, path: PathLike) -> None:
        """Saves everything needed to continue training (native ``.npz``, atomically)."""
        config = dict(self.config, kind=_NATIVE_KIND, losses=self.losses)
        self.wv.save(path, extra=self._output_layers(), config=config)

    def save_word2vec_format(self, path: PathLike, binary: bool = True) -> None:
        """Writes the vectors in word2vec.c's binary or text format (gensim loads both)."""
        if self._rust:
            self._inner.save_word2vec_format(os.fspath(path), binary)
        else:
            self.wv.save_word2vec_format(path, binary=binary)

    @classmethod
    def load(cls, path: PathLike, *, threads: int = 0, backend: str | None = None) -> Word2Vec:
        """Loads a model saved with :meth:`save`, ready for :meth:`train`.

        Raises:
            ModelFormatError: not a subwordx word2vec model.
        """
        from subwordx.errors import ModelFormatError

        _check_int("threads", threads, 0, MAX_THREADS)
        name = os.fspath(path)
        saved = KeyedVectors.load_full(path)
        config = dict(saved.config)
        if config.pop("kind", None) != _NATIVE_KIND:
            raise ModelFormatError(f"{name}: vectors only, not a word2vec model")
        losses = _saved_losses(config.pop("losses", []), name)
        _check_saved_config(config, saved.kv.vector_size, name)
        self = cls.__new__(cls)
        self.config = config
        self.threads = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.losses = losses
        self._rust = _backend.use_rust(backend)
        self._wv = None
        kv = saved.kv
        counts = kv.counts if kv.counts is not None else np.ones(len(kv), np.int64)
        _check_saved_counts(counts, name)
        layers = {}
        rows = {"syn1neg": len(kv), "syn1": max(len(kv) - 1, 0)}
        for layer in ("syn1neg", "syn1"):
            arr = saved.extra.get(layer)
            expected = (rows[layer], kv.vector_size)
            if arr is not None and (arr.dtype.kind != "f" or arr.shape != expected):
                raise ModelFormatError(
                    f"{name}: {layer} must be a float array of shape {expected}, not "
                    f"{arr.dtype} of shape {arr.shape}"
                )
            layers[layer] = arr
        syn1neg, syn1 = layers["syn1neg"], layers["syn1"]
        if self._rust:
            try:
                self._inner = _backend.core().Word2VecModel.from_parts(
                    kv.index_to_key,
                    counts.astype(np.uint64).tolist(),
                    np.ascontiguousarray(kv.vectors, np.float32),
                    None if syn1neg is None else np.ascontiguousarray(syn1neg, np.float32),
                    None if syn1 is None else np.ascontiguousarray(syn1, np.float32),
                    **self._core_settings(),
                )
            except ConfigError as exc:
                # A saved model the core refuses (counts out of order, shapes that disagree):
                # the file is at fault, not the caller.
                raise ModelFormatError(f"{name}: {exc}") from None
        else:
            from subwordx.reference import word2vec as ref

            self._inner = ref.ReferenceWord2VecResult(
                keys=list(kv.index_to_key),
                counts=counts.astype(np.int64),
                syn0=np.array(kv.vectors, np.float32),
                syn1neg=None if syn1neg is None else np.array(syn1neg, np.float32),
                syn1=None if syn1 is None else np.array(syn1, np.float32),
                losses=[],
            )
        return self

    def __repr__(self) -> str:
        c = self.config
        return (
            f"Word2Vec({c['model']}, dim={c['dim']}, vocab={len(self.wv)}, "
            f"negative={c['negative']}, hs={c['hs']}, backend={self.backend!r})"
        )


# ---------------------------------------------------------------------------- helpers
def resolve_gensim_names(
    dim: int,
    vector_size: int | None,
    model: Any,
    sg: int | None,
    threads: int,
    workers: int | None,
) -> tuple[int, Any, int]:
    """Maps gensim's ``vector_size``, ``sg`` and ``workers`` onto ``dim``, ``model`` and
    ``threads`` (the other gensim names -- ``window``, ``min_count``, ``negative``, ``hs``,
    ``epochs``, ``alpha``, ``sample``, ``seed`` -- are subwordx's too).

    Raises:
        ConfigError: a gensim name disagrees with a subwordx name given with another value.

    Example:
        >>> resolve_gensim_names(100, 50, "cbow", 1, 0, 2)
        (50, 'skipgram', 2)
    """
    if vector_size is not None:
        if dim not in (100, vector_size):
            raise ConfigError(f"dim={dim} and vector_size={vector_size} disagree")
        dim = vector_size
    if sg is not None:
        if isinstance(sg, bool) or sg not in (0, 1):
            raise ConfigError(f"sg must be 0 or 1, got {sg!r}")
        model = "skipgram" if sg else "cbow"
    if workers is not None:
        if threads not in (0, workers):
            raise ConfigError(f"threads={threads} and workers={workers} disagree")
        threads = workers
    return dim, model, threads


def _check_int(name: str, value: object, minimum: int, maximum: int) -> None:
    """An integer option in ``minimum..=maximum`` (the core's bound), else ConfigError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not minimum <= value <= maximum
    ):
        raise ConfigError(
            f"{name} must be an integer between {minimum} and {maximum}, got {value!r}"
        )


def _check_float(name: str, value: object, *, allow_zero: bool) -> None:
    """A finite number > 0 (>= 0 with ``allow_zero``), else ConfigError."""
    ok = False
    if not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float's range
            number = math.inf
        ok = math.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{name} must be a finite number {bound}, got {value!r}")


# The training settings a saved model must hold, with their checks.
_SAVED_INTS = {
    "dim": (1, MAX_DIM),
    "window": (1, MAX_WINDOW),
    "negative": (0, MAX_NEGATIVE),
    "min_count": (1, MAX_U64),
    "epochs": (1, MAX_EPOCHS),
    "seed": (0, MAX_U64),
}


def _check_saved_config(config: dict[str, Any], dim: int, name: str) -> None:
    """The configuration of a saved model, checked as the constructor checks its arguments; a
    bad value is the file's fault (ModelFormatError naming it)."""
    from subwordx.errors import ModelFormatError

    try:
        if config.get("model") not in ("skipgram", "cbow"):
            raise ConfigError(f"model must be 'skipgram' or 'cbow', got {config.get('model')!r}")
        for key, (lo, hi) in _SAVED_INTS.items():
            if key not in config:
                raise ConfigError(f"{key} is missing")
            _check_int(key, config[key], lo, hi)
        for key in ("hs", "cbow_mean"):
            if not isinstance(config.get(key), bool):
                raise ConfigError(f"{key} must be true or false, got {config.get(key)!r}")
        if not config["hs"] and config["negative"] == 0:
            raise ConfigError("negative is 0 and hs is off: nothing to train")
        _check_float("sample", config.get("sample"), allow_zero=True)
        _check_float("alpha", config.get("alpha"), allow_zero=False)
        _check_float("min_alpha", config.get("min_alpha"), allow_zero=True)
        if config["dim"] != dim:
            raise ConfigError(f"dim is {config['dim']} but the vectors have {dim} columns")
    except ConfigError as exc:
        raise ModelFormatError(f"{name}: config: {exc}") from None


def _check_saved_counts(counts: npt.NDArray[Any], name: str) -> None:
    """What training relies on (the core's ``Vocab::check_counts``): counts >= 1, in vocabulary
    order (non-increasing), adding up to less than 2^64."""
    from subwordx.errors import ModelFormatError

    values = [int(c) for c in counts.tolist()]
    problem = None
    if any(c < 1 for c in values):
        problem = "every count must be at least 1"
    elif any(a < b for a, b in zip(values, values[1:])):
        problem = "counts are not in vocabulary order (count descending)"
    elif sum(values) > MAX_U64:
        problem = "the counts add up to more than 2^64 - 1"
    if problem:
        raise ModelFormatError(f"{name}: {problem}")


def _saved_losses(losses: object, name: str) -> list[float]:
    from subwordx.errors import ModelFormatError

    if not isinstance(losses, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in losses
    ):
        raise ModelFormatError(f"{name}: config: losses must be a list of numbers")
    return [float(x) for x in losses]


def _as_paths(files: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    paths = [os.fspath(f) for f in files]
    if not paths:
        raise ConfigError("corpus_file is empty: give at least one file")
    return paths


def _encode_sentences(
    sentences: Iterable[Sequence[str]],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], list[str], npt.NDArray[np.int64]]:
    """One pass over the sentences: provisional ids (first-seen order), their counts, and where
    each sentence starts. Long sentences are cut into 10,000-word pieces (docs/word2vec.md)."""
    if isinstance(sentences, (str, bytes)):
        raise ConfigError("sentences must be an iterable of lists of words, not a string")
    index: dict[str, int] = {}
    words: list[str] = []
    counts = array("q")
    ids = array("I")
    starts = array("q")
    for sentence in sentences:
        if isinstance(sentence, str):
            raise ConfigError("each sentence must be a list of words, not a string")
        for k, word in enumerate(sentence):
            if k % MAX_SENTENCE_WORDS == 0:
                starts.append(len(ids))
            i = index.get(word)
            if i is None:
                if not isinstance(word, str):
                    raise ConfigError(f"words must be strings, got {type(word).__name__}")
                i = index[word] = len(words)
                words.append(word)
                counts.append(0)
            counts[i] += 1
            ids.append(i)
    if not ids:
        raise EmptyCorpusError("no words in the sentences")
    return (
        np.frombuffer(ids, dtype=np.uint32).copy(),
        np.frombuffer(starts, dtype=np.int64).copy(),
        words,
        np.frombuffer(counts, dtype=np.int64).copy(),
    )


def _read_sentences(paths: list[str], errors: str) -> Iterable[list[str]]:
    """Lines of the files as word lists (the Python backend's reader)."""
    for name in paths:
        with open_regular(name) as f:
            offset = 0
            for number, raw in enumerate(f, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    if errors != "replace":
                        raise InvalidUtf8Error(
                            f"{name}:{number}: invalid UTF-8 at byte {e.start} of line {number} "
                            f'(file offset {offset + e.start}); pass errors="replace" '
                            "(CLI: --errors replace) to substitute U+FFFD",
                            name,
                            number,
                            e.start,
                            offset + e.start,
                        ) from None
                    line = raw.decode("utf-8", errors="replace")
                offset += len(raw)
                words = [w for w in _split_whitespace(line) if w]
                if words:
                    yield words


def _split_whitespace(line: str) -> list[str]:
    # Unicode White_Space (Rust char::is_whitespace), not Python's isspace: U+001C..U+001F are
    # not separators (docs/bpe.md §1.3 states the same rule for tokenizers).
    from subwordx.reference.pretokenize import is_whitespace

    out: list[str] = []
    start = -1
    for i, ch in enumerate(line):
        if is_whitespace(ch):
            if start >= 0:
                out.append(line[start:i])
                start = -1
        elif start < 0:
            start = i
    if start >= 0:
        out.append(line[start:])
    return out
