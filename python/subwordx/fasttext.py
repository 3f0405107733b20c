"""fastText: word vectors from subwords, with vectors for words never seen in training.

The algorithm is ``docs/fasttext.md``: word2vec's skip-gram or CBOW (``docs/word2vec.md``) where a
word's input vector is the mean of its own row and the rows of its character n-grams, hashed into
``bucket`` rows exactly as fastText hashes them. Training runs in the Rust core on all the threads
you give it (Hogwild, the GIL released); with ``threads=1`` and a seed it is reproducible and
matches the numpy reference (:mod:`subwordx.reference.fasttext`), which ``SUBWORDX_BACKEND=python``
runs instead. Models save to and load from fastText's own ``.bin`` format, so the ``fasttext``
package and gensim's ``load_facebook_model`` read ours and we read theirs.

Example:
    >>> import subwordx, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> path = os.path.join(d, "c.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("the cat walked and the dog walked home\\n" * 200)
    >>> model = subwordx.FastText(corpus_file=path, dim=16, min_count=1, bucket=5000, threads=1)
    >>> model.wv["walking"].shape          # an unseen word: built from its n-grams
    (16,)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx.embeddings.fasttext_bin import (
    LOSS_HS,
    LOSS_NS,
    MODEL_CBOW,
    MODEL_SG,
    MODEL_SUP,
    FastTextBin,
    read_fasttext_bin,
    write_fasttext_bin,
)
from subwordx.embeddings.keyed_vectors import Key, KeyedVectors, _as_list
from subwordx.errors import ConfigError, EmptyCorpusError, ModelFormatError
from subwordx.word2vec import (
    MAX_DIM,
    MAX_EPOCHS,
    MAX_NEGATIVE,
    MAX_THREADS,
    MAX_U64,
    MAX_WINDOW,
    _as_paths,
    _check_float,
    _check_int,
    _read_sentences,
    resolve_gensim_names,
)

PathLike = Union[str, "os.PathLike[str]"]
FloatArray = npt.NDArray[np.float32]
ProgressCallback = Callable[[str, int, int, str], None]
EpochCallback = Callable[[int, float], None]

MAX_NGRAM = 100
MAX_ROWS = 2**31 - 1
_CHUNK_WORDS = 4096


def ngram_ids(
    words: Sequence[str], nwords: int, min_n: int, max_n: int, bucket: int
) -> list[list[int]]:
    """The n-gram rows of each word (fastText's hashing; the word's own row not included).

    Example:
        >>> ngram_ids(["ab"], nwords=0, min_n=3, max_n=6, bucket=10)
        [[8, 2, 6]]
    """
    if _backend.use_rust():
        ids, offsets = _backend.core().fasttext_ngram_ids(list(words), nwords, min_n, max_n, bucket)
        ids, offsets = np.asarray(ids).tolist(), np.asarray(offsets).tolist()
        return [ids[offsets[k] : offsets[k + 1]] for k in range(len(words))]
    from subwordx.reference.fasttext import ngram_ids as ref_ids

    return [ref_ids(w, nwords, min_n, max_n, bucket) for w in words]


class FastTextKeyedVectors(KeyedVectors):
    """Word vectors that also answer for words outside the vocabulary.

    ``vectors`` holds each vocabulary word's vector (the mean of its own row and its n-gram rows,
    as fastText's ``get_word_vector``); any other word gets the mean of its n-gram rows, so
    ``wv[word]``, ``most_similar`` and analogies work for unseen words too. As gensim's, ``word in
    wv`` is true for every word when there are n-gram buckets.
    """

    def __init__(
        self,
        keys: list[str],
        wi: FloatArray,
        counts: npt.NDArray[np.int64] | None,
        min_n: int,
        max_n: int,
        bucket: int,
    ) -> None:
        self.wi = wi
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket
        super().__init__(keys, _vocab_vectors(keys, wi, min_n, max_n, bucket), counts)

    def __repr__(self) -> str:
        return (
            f"FastTextKeyedVectors(n={len(self)}, vector_size={self.vector_size}, "
            f"min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket})"
        )

    def __contains__(self, key: object) -> bool:
        if self.bucket == 0 or self.max_n == 0:
            return key in self.key_to_index
        return isinstance(key, str)

    def get_vector(self, key: str, norm: bool = False) -> FloatArray:
        """The vector of ``key``; an unseen word's is the mean of its n-gram rows.

        Raises:
            KeyError: an unseen word with no n-gram (no buckets, or ``max_n == 0``).
        """
        if key in self.key_to_index:
            return super().get_vector(key, norm)
        ids = ngram_ids([key], len(self.index_to_key), self.min_n, self.max_n, self.bucket)[0]
        if not ids:
            raise KeyError(f"word {key!r} not in vocabulary and has no character n-grams")
        vec = np.zeros(self.vector_size, np.float32)
        for r in ids:
            vec += self.wi[r]
        vec *= np.float32(1) / np.float32(len(ids))
        if norm:
            n = float(np.linalg.norm(vec))
            vec = vec / np.float32(n) if n > 0 else vec
        return vec

    def _resolve(self, items: Key | Sequence[Key] | None) -> list[Key]:
        # Unseen words become their vectors, so the base class neither looks them up nor
        # excludes them from the results.
        return [
            self.get_vector(k) if isinstance(k, str) and k not in self.key_to_index else k
            for k in _as_list(items)
        ]

    def most_similar(
        self,
        positive: Key | Sequence[Key] | None = None,
        negative: Key | Sequence[Key] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """As :meth:`KeyedVectors.most_similar`, unseen words included."""
        return super().most_similar(
            self._resolve(positive), self._resolve(negative), topn, restrict_vocab
        )

    def most_similar_cosmul(
        self,
        positive: Key | Sequence[Key] | None = None,
        negative: Key | Sequence[Key] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """As :meth:`KeyedVectors.most_similar_cosmul`, unseen words included."""
        return super().most_similar_cosmul(
            self._resolve(positive), self._resolve(negative), topn, restrict_vocab
        )

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words, seen or not."""
        a, b = self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)
        return float(np.dot(a, b))


def _vocab_vectors(
    keys: list[str], wi: FloatArray, min_n: int, max_n: int, bucket: int
) -> FloatArray:
    """Each vocabulary word's vector: the mean of its own row and its n-gram rows, in chunks."""
    nwords = len(keys)
    dim = wi.shape[1]
    out = np.empty((nwords, dim), np.float32)
    for start in range(0, nwords, _CHUNK_WORDS):
        chunk = keys[start : start + _CHUNK_WORDS]
        grams = ngram_ids(chunk, nwords, min_n, max_n, bucket)
        rows = [[start + k, *g] for k, g in enumerate(grams)]
        flat = np.fromiter((r for ids in rows for r in ids), np.int64)
        lengths = np.array([len(ids) for ids in rows], np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        sums = np.add.reduceat(wi[flat], starts, axis=0)
        out[start : start + len(chunk)] = (
            sums * (np.float32(1) / lengths.astype(np.float32))[:, None]
        )
    return out


class FastText:
    """Trains fastText word vectors (skip-gram or CBOW over character n-grams).

    Args:
        sentences: an iterable of tokenized sentences (written to a temporary file and read as
            ``corpus_file``). Give this or ``corpus_file``.
        corpus_file: one or more UTF-8 text files, whitespace-separated words, a line per sentence.
        model: ``"skipgram"`` (fastText's default here, as ``fasttext.train_unsupervised``) or
            ``"cbow"``.
        dim: vector size.
        window: maximum context distance (drawn in 1..window per word).
        negative: negative samples (default 5; 0 with ``hs``).
        hs: hierarchical softmax instead of negative sampling.
        sample: subsampling threshold (fastText's ``-t``; word2vec's formula is the same).
        min_count: words rarer than this are dropped.
        max_final_vocab: keep at most this many words.
        epochs: passes over the corpus.
        alpha: initial learning rate (fastText's ``-lr``), decaying linearly to ``min_alpha``.
        min_n, max_n: character n-gram lengths (``max_n=0``: no n-grams).
        bucket: rows the n-grams hash into.
        ns_exponent: negatives are drawn by ``count ** ns_exponent``: 0.5 is fastText's table
            (the default), 0.75 word2vec's and gensim's.
        threads: training threads (0 = all cores); 1 is reproducible.
        seed: random seed.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.
        stream: hold the corpus in memory (``False``), re-read it every epoch (``True``), or
            decide by size (``None``).
        progress: ``progress(stage, done, total, info)``, called twice a second.
        on_epoch: ``on_epoch(epoch, mean_loss)`` after every epoch.
        backend: ``"rust"`` or ``"python"`` (the numpy reference); default from the environment.
        vector_size, sg, workers: gensim's names for ``dim``, ``model`` and ``threads``.

    Raises:
        ConfigError: a setting outside its domain.
        EmptyCorpusError: no word reaches ``min_count``.
    """

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: PathLike | Sequence[PathLike] | None = None,
        model: Literal["skipgram", "cbow"] = "skipgram",
        dim: int = 100,
        window: int = 5,
        negative: int | None = None,
        hs: bool | int = False,
        sample: float = 1e-4,
        min_count: int = 5,
        max_final_vocab: int | None = None,
        epochs: int = 5,
        alpha: float = 0.05,
        min_alpha: float = 0.0,
        min_n: int = 3,
        max_n: int = 6,
        bucket: int = 2_000_000,
        ns_exponent: float = 0.5,
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
        hs = bool(hs)
        if negative is None:
            negative = 0 if hs else 5
        _check_int("dim", dim, 1, MAX_DIM)
        _check_int("window", window, 1, MAX_WINDOW)
        _check_int("negative", negative, 0, MAX_NEGATIVE)
        _check_int("min_count", min_count, 1, MAX_U64)
        _check_int("epochs", epochs, 1, MAX_EPOCHS)
        _check_int("threads", threads, 0, MAX_THREADS)
        _check_int("seed", seed, 0, MAX_U64)
        _check_int("max_n", max_n, 0, MAX_NGRAM)
        _check_int("bucket", bucket, 0, MAX_ROWS)
        if max_n > 0:
            _check_int("min_n", min_n, 1, max_n)
            _check_int("bucket", bucket, 1, MAX_ROWS)
        if max_final_vocab is not None:
            _check_int("max_final_vocab", max_final_vocab, 1, 2**63 - 1)
        if hs == (negative > 0):
            raise ConfigError(
                "fastText trains one output layer: negative > 0, or hs=True with negative=0"
            )
        _check_float("sample", sample, allow_zero=True)
        if (
            isinstance(ns_exponent, bool)
            or not isinstance(ns_exponent, (int, float))
            or not -10.0 <= ns_exponent <= 10.0
        ):
            raise ConfigError(f"ns_exponent must be a number in [-10, 10], got {ns_exponent!r}")
        _check_float("alpha", alpha, allow_zero=False)
        _check_float("min_alpha", min_alpha, allow_zero=True)
        if min_alpha > alpha:
            raise ConfigError(f"min_alpha must be <= alpha={alpha}, got {min_alpha}")
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        self.config: dict[str, Any] = {
            "model": model,
            "dim": dim,
            "window": window,
            "negative": negative,
            "hs": hs,
            "sample": sample,
            "min_count": min_count,
            "epochs": epochs,
            "alpha": alpha,
            "min_alpha": min_alpha,
            "min_n": min_n,
            "max_n": max_n,
            "bucket": bucket,
            "ns_exponent": float(ns_exponent),
            "seed": seed,
        }
        self.threads: int = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.losses: list[float] = []
        self._rust = _backend.use_rust(backend)
        self._wv: FastTextKeyedVectors | None = None
        self.keys: list[str] = []
        self.counts: npt.NDArray[np.int64] = np.zeros(0, np.int64)
        self.wi: FloatArray = np.zeros((0, dim), np.float32)
        self.wo: FloatArray = np.zeros((0, dim), np.float32)
        if sentences is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "corpus.txt")
                with open(path, "w", encoding="utf-8") as f:
                    for s in sentences:
                        f.write(" ".join(s) + "\n")
                self._fit([path], max_final_vocab, errors, stream, progress, on_epoch)
        else:
            assert corpus_file is not None
            paths = _as_paths(corpus_file)
            self._fit(paths, max_final_vocab, errors, stream, progress, on_epoch)

    def _fit(
        self,
        paths: list[str],
        max_final_vocab: int | None,
        errors: str,
        stream: bool | None,
        progress: ProgressCallback | None,
        on_epoch: EpochCallback | None,
    ) -> None:
        c = self.config
        if not self._rust:
            from subwordx.reference.fasttext import train_fasttext

            if max_final_vocab is not None:
                raise ConfigError("max_final_vocab needs the Rust core")
            r = train_fasttext(
                list(_read_sentences(paths, errors)),
                sg=c["model"] == "skipgram", vector_size=c["dim"], window=c["window"],
                negative=c["negative"], hs=c["hs"], sample=c["sample"],
                min_count=c["min_count"], alpha=c["alpha"], min_alpha=c["min_alpha"],
                epochs=c["epochs"], seed=c["seed"], min_n=c["min_n"], max_n=c["max_n"],
                bucket=c["bucket"], ns_exponent=c.get("ns_exponent", 0.5),
            )  # fmt: skip
            self.keys, self.counts, self.wi, self.wo = r.keys, r.counts, r.wi, r.wo
            self.losses = r.losses
            if on_epoch is not None:
                for e, loss in enumerate(r.losses, 1):
                    on_epoch(e, loss)
            return
        core = _backend.core()
        words, counts = core.build_vocab_from_files(
            paths, c["min_count"], None, max_final_vocab, errors, self.threads, progress
        )
        if not words:
            raise EmptyCorpusError(f"no word occurs at least min_count={c['min_count']} times")
        self.keys = list(words)
        self.counts = np.asarray(counts).astype(np.int64)
        self._train_core(paths, None, None, errors, stream, progress, on_epoch)

    def _train_core(
        self,
        paths: list[str],
        wi: FloatArray | None,
        wo: FloatArray | None,
        errors: str,
        stream: bool | None,
        progress: ProgressCallback | None,
        on_epoch: EpochCallback | None,
    ) -> None:
        c = self.config
        self.wi, self.wo, losses = _backend.core().fasttext_train(
            paths, self.keys, self.counts.astype(np.uint64).tolist(), wi, wo,
            sg=c["model"] == "skipgram", dim=c["dim"], window=c["window"],
            negative=c["negative"], hs=c["hs"], sample=c["sample"], alpha=c["alpha"],
            min_alpha=c["min_alpha"], epochs=c["epochs"], threads=self.threads, seed=c["seed"],
            min_n=c["min_n"], max_n=c["max_n"], bucket=c["bucket"],
            ns_exponent=c.get("ns_exponent", 0.5), errors=errors,
            stream=stream, progress=progress, on_epoch=on_epoch,
        )  # fmt: skip
        self.losses.extend(losses)
        self._wv = None

    def train(
        self,
        corpus_file: PathLike | Sequence[PathLike],
        *,
        errors: Literal["strict", "replace"] = "strict",
        stream: bool | None = None,
        progress: ProgressCallback | None = None,
        on_epoch: EpochCallback | None = None,
    ) -> None:
        """Train further on more text (the vocabulary stays; unknown words are skipped).

        Raises:
            ConfigError: a loaded model whose loss subwordx does not train (softmax, one-vs-all).
        """
        if not self._rust:
            raise ConfigError("continued training needs the Rust core")
        if self.config.get("loss_code") not in (None, LOSS_HS, LOSS_NS):
            raise ConfigError("only negative-sampling and hierarchical-softmax models train")
        self._train_core(
            _as_paths(corpus_file), self.wi, self.wo, errors, stream, progress, on_epoch
        )

    @property
    def wv(self) -> FastTextKeyedVectors:
        """The word vectors (computed from the subword rows on first use)."""
        if self._wv is None:
            c = self.config
            self._wv = FastTextKeyedVectors(
                self.keys, self.wi, self.counts, c["min_n"], c["max_n"], c["bucket"]
            )
        return self._wv

    def save(self, path: PathLike) -> None:
        """Save in fastText's ``.bin`` format (loads in ``fasttext.load_model`` and gensim's
        ``load_facebook_model``), atomically."""
        c = self.config
        write_fasttext_bin(
            path,
            FastTextBin(
                dim=c["dim"], ws=c["window"], epoch=c["epochs"],
                min_count=min(c["min_count"], 2**31 - 1), neg=c["negative"], word_ngrams=1,
                loss=c.get("loss_code", LOSS_HS if c["hs"] else LOSS_NS),
                model=MODEL_SG if c["model"] == "skipgram" else MODEL_CBOW,
                bucket=c["bucket"], minn=c["min_n"], maxn=c["max_n"], lr_update_rate=100,
                t=c["sample"], words=self.keys, counts=self.counts,
                ntokens=int(self.counts.sum()), wi=self.wi, wo=self.wo,
            ),
        )  # fmt: skip

    def save_vec(self, path: PathLike) -> None:
        """Write the vocabulary's vectors as fastText's ``.vec`` (word2vec text format)."""
        self.wv.save_word2vec_format(path, binary=False)

    @classmethod
    def load(cls, path: PathLike, *, threads: int = 0, backend: str | None = None) -> FastText:
        """Load a fastText ``.bin`` (ours or the fasttext package's; unsupervised).

        Raises:
            ModelFormatError: not a readable fastText ``.bin``, or a supervised model (load that
                with :meth:`subwordx.FastTextClassifier.load`).
        """
        b = read_fasttext_bin(path)
        if b.model == MODEL_SUP:
            raise ModelFormatError(
                f"{os.fspath(path)}: a supervised fastText model (a classifier); load it with "
                "subwordx.FastTextClassifier.load"
            )
        if b.labels:
            raise ModelFormatError(
                f"{os.fspath(path)}: an unsupervised model with labels is not supported"
            )
        self = cls.__new__(cls)
        alpha = 0.05
        self.config = {
            "model": "skipgram" if b.model == MODEL_SG else "cbow",
            "dim": b.dim,
            "window": max(b.ws, 1),
            "negative": b.neg if b.loss == LOSS_NS else 0,
            "hs": b.loss == LOSS_HS,
            "sample": b.t,
            "min_count": max(b.min_count, 1),
            "epochs": max(b.epoch, 1),
            "alpha": alpha,
            "min_alpha": 0.0,
            "min_n": b.minn,
            "max_n": b.maxn,
            "bucket": b.bucket,
            "seed": 1,
            "loss_code": b.loss,
        }
        self.threads = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.losses = []
        self._rust = _backend.use_rust(backend)
        self._wv = None
        self.keys, self.counts, self.wi = b.words, b.counts, b.wi
        self.wo = b.wo
        if self.wo.shape[0] != len(self.keys):
            # Only a model with another output layout (softmax etc.) gets here; keep it for
            # saving, but training needs nwords rows.
            self.config["loss_code"] = -1 if b.loss in (LOSS_HS, LOSS_NS) else b.loss
        return self

    def __repr__(self) -> str:
        c = self.config
        return (
            f"FastText(model={c['model']!r}, words={len(self.keys)}, dim={c['dim']}, "
            f"n-grams {c['min_n']}..{c['max_n']}, bucket={c['bucket']})"
        )
