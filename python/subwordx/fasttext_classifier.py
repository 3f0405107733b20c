"""fastText's text classifier (Joulin et al. 2016): train, predict, evaluate, and fastText's
``.bin`` both ways.

The algorithm is ``docs/fasttext.md`` ("Supervised classification"): a line is a bag of features
(its words, optionally word n-grams and character n-grams, hashed as fastText hashes them), the
document vector is the mean of their rows, and a linear layer scores the labels with softmax,
hierarchical softmax, negative sampling or one-vs-all. Training runs in the Rust core on all the
threads you give it (Hogwild, the GIL released); with ``threads=1`` and a seed it is reproducible
and matches the numpy reference (:mod:`subwordx.reference.fasttext_supervised`), which
``SUBWORDX_BACKEND=python`` runs instead. Models save to and load from fastText's own ``.bin``,
so the ``fasttext`` package loads ours and predicts the same labels, and we load theirs.

Example:
    >>> import subwordx, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> path = os.path.join(d, "train.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("__label__pos a great film\\n__label__neg a dull film\\n" * 50)
    >>> clf = subwordx.train_supervised(input=path, dim=8, epoch=5, lr=0.5, thread=1)
    >>> clf.predict("great film")[0]
    ('__label__pos',)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Union, overload

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx.embeddings.fasttext_bin import (
    LOSS_HS,
    LOSS_NS,
    LOSS_OVA,
    LOSS_SOFTMAX,
    MODEL_SUP,
    FastTextBin,
    read_fasttext_bin,
    write_fasttext_bin,
)
from subwordx.errors import ConfigError, ModelFormatError
from subwordx.fasttext import MAX_NGRAM, MAX_ROWS
from subwordx.word2vec import (
    MAX_DIM,
    MAX_EPOCHS,
    MAX_NEGATIVE,
    MAX_THREADS,
    MAX_U64,
    _as_paths,
    _check_float,
    _check_int,
)

PathLike = Union[str, "os.PathLike[str]"]
FloatArray = npt.NDArray[np.float32]
ProgressCallback = Callable[[str, int, int, str], None]
EpochCallback = Callable[[int, float], None]
Loss = Literal["softmax", "hs", "ns", "ova"]

MAX_WORD_NGRAMS = 100
LOSSES: dict[str, int] = {"hs": LOSS_HS, "ns": LOSS_NS, "softmax": LOSS_SOFTMAX, "ova": LOSS_OVA}
_LOSS_NAMES = {code: name for name, code in LOSSES.items()}


class _Model(Protocol):
    """What the Rust core's ``SupervisedModel`` and the reference's ``ReferenceClassifier``
    both offer."""

    @property
    def ntokens(self) -> int: ...
    @property
    def bucket(self) -> int: ...
    @property
    def dim(self) -> int: ...
    def words(self) -> tuple[list[str], list[int]]: ...
    def labels(self) -> tuple[list[str], list[int]]: ...
    def input_matrix(self) -> FloatArray: ...
    def output_matrix(self) -> FloatArray: ...
    def predict(
        self, lines: list[str], k: int = ..., threshold: float = ..., threads: int = ...
    ) -> list[list[tuple[int, float]]]: ...
    def predict_files(
        self,
        paths: list[str],
        k: int = ...,
        threshold: float = ...,
        errors: str = ...,
        threads: int = ...,
        progress: Any = ...,
    ) -> list[list[tuple[int, float]]]: ...
    def test(
        self,
        paths: list[str] | None = ...,
        lines: list[str] | None = ...,
        k: int = ...,
        threshold: float = ...,
        errors: str = ...,
        threads: int = ...,
    ) -> tuple[int, list[int], list[int], list[int]]: ...
    def sentence_vector(self, line: str) -> FloatArray: ...


def _ratio(a: int, b: int) -> float:
    return a / b if b else math.nan


@dataclass(frozen=True)
class LabelMetrics:
    """One label's counts and scores in an evaluation (fastText's ``Meter`` per label).

    ``precision = correct / predicted`` and ``recall = correct / gold`` are NaN when their
    denominator is 0; ``f1 = 2 * correct / (predicted + gold)``.
    """

    gold: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return _ratio(self.correct, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.correct, self.gold)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.correct, self.predicted + self.gold)


@dataclass(frozen=True)
class ClassifierTestResult:
    """What :meth:`FastTextClassifier.test` measured, as fastText's ``test`` and ``test-label``.

    Attributes:
        n: lines evaluated (those with a known label and at least one input feature).
        k: predictions asked per line.
        precision: P@k, correct predictions / predictions made (NaN if none).
        recall: R@k, correct predictions / gold labels.
        per_label: each label's :class:`LabelMetrics`, in the model's label order.
    """

    n: int
    k: int
    precision: float
    recall: float
    per_label: dict[str, LabelMetrics] = field(default_factory=dict)

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (NaN when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else math.nan

    def __iter__(self) -> Any:
        # `n, p, r = clf.test(...)`, as the fasttext package returns a tuple.
        return iter((self.n, self.precision, self.recall))

    def __getitem__(self, index: int) -> Any:
        # `clf.test(...)[1]`, as on the fasttext package's tuple.
        return (self.n, self.precision, self.recall)[index]

    def __len__(self) -> int:
        return 3


def _pick(name: str, ours: Any, theirs: Any, default: Any) -> Any:
    """One option given under subwordx's name or fastText's, not both."""
    if ours is not None and theirs is not None and ours != theirs:
        raise ConfigError(f"give {name} once (it was given under two names)")
    if ours is not None:
        return ours
    if theirs is not None:
        return theirs
    return default


class FastTextClassifier:
    """A fastText text classifier, trained on a file of lines ``__label__a word word ...``.

    Labels are the tokens that start with ``label_prefix``, anywhere in the line (several per line
    allowed); lines without a label are skipped in training. The defaults are fastText's
    ``supervised`` defaults.

    Args:
        corpus_file: one or more UTF-8 files, a labelled example per line (``input``: fastText's
            name).
        lr: initial learning rate, decaying linearly to 0 over every token of every epoch.
        dim: size of the document vectors.
        epochs: passes over the corpus (``epoch``).
        word_ngrams: longest word n-gram used as a feature (``wordNgrams``; 1 = words only).
        loss: ``"softmax"`` (default), ``"hs"`` (hierarchical softmax over a Huffman tree of the
            labels), ``"ns"`` (negative sampling over labels) or ``"ova"`` (one-vs-all: an
            independent sigmoid per label, for multi-label data).
        neg: negative labels per example with ``loss="ns"``.
        min_count: words rarer than this are dropped (``minCount``).
        min_count_label: labels rarer than this are dropped (``minCountLabel``).
        bucket: rows that word and character n-grams hash into. fastText sets it to 0 when nothing
            hashes (``word_ngrams <= 1`` and ``max_n == 0``), and so do we, so the ``.bin`` files
            agree.
        min_n, max_n: character n-gram lengths (``minn``, ``maxn``; ``max_n=0``: none).
        threads: training and prediction threads (``thread``; 0 = all cores). ``threads=1`` with
            a seed is exactly reproducible; more threads train Hogwild, not bit-reproducibly.
        seed: random seed (initial vectors, label draws, negatives).
        label_prefix: what starts a label (``label``).
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.
        progress: ``progress(stage, done, total, info)``, called twice a second.
        on_epoch: ``on_epoch(epoch, mean_loss)`` after every epoch.
        backend: ``"rust"`` or ``"python"`` (the numpy reference); default from the environment.

    Raises:
        ConfigError: a setting outside its domain.
        EmptyCorpusError: no line has a label, or no word reaches ``min_count``.
        InvalidUtf8Error: a file is not UTF-8 (with its path, line and byte).
        SubwordxFileNotFoundError: a file does not exist.
    """

    def __init__(
        self,
        corpus_file: PathLike | Sequence[PathLike] | None = None,
        *,
        input: PathLike | Sequence[PathLike] | None = None,
        lr: float = 0.1,
        dim: int = 100,
        epochs: int | None = None,
        epoch: int | None = None,
        word_ngrams: int | None = None,
        wordNgrams: int | None = None,
        loss: Loss = "softmax",
        neg: int = 5,
        min_count: int | None = None,
        minCount: int | None = None,
        min_count_label: int | None = None,
        minCountLabel: int | None = None,
        bucket: int = 2_000_000,
        min_n: int | None = None,
        minn: int | None = None,
        max_n: int | None = None,
        maxn: int | None = None,
        threads: int | None = None,
        thread: int | None = None,
        seed: int = 0,
        label_prefix: str | None = None,
        label: str | None = None,
        errors: Literal["strict", "replace"] = "strict",
        progress: ProgressCallback | None = None,
        on_epoch: EpochCallback | None = None,
        backend: str | None = None,
    ) -> None:
        files = _pick("the corpus (corpus_file / input)", corpus_file, input, None)
        if files is None:
            raise ConfigError("give the training file: corpus_file=... (or input=...)")
        epochs = _pick("epochs (epoch)", epochs, epoch, 5)
        word_ngrams = _pick("word_ngrams (wordNgrams)", word_ngrams, wordNgrams, 1)
        min_count = _pick("min_count (minCount)", min_count, minCount, 1)
        min_count_label = _pick(
            "min_count_label (minCountLabel)", min_count_label, minCountLabel, 0
        )
        min_n = _pick("min_n (minn)", min_n, minn, 0)
        max_n = _pick("max_n (maxn)", max_n, maxn, 0)
        threads = _pick("threads (thread)", threads, thread, 0)
        label_prefix = _pick("label_prefix (label)", label_prefix, label, "__label__")
        _check_int("dim", dim, 1, MAX_DIM)
        _check_int("epochs", epochs, 1, MAX_EPOCHS)
        _check_int("word_ngrams", word_ngrams, 1, MAX_WORD_NGRAMS)
        _check_int("neg", neg, 0, MAX_NEGATIVE)
        _check_int("min_count", min_count, 1, MAX_U64)
        _check_int("min_count_label", min_count_label, 0, MAX_U64)
        _check_int("bucket", bucket, 0, MAX_ROWS)
        _check_int("max_n", max_n, 0, MAX_NGRAM)
        if max_n > 0:
            _check_int("min_n", min_n, 1, max_n)
        else:
            _check_int("min_n", min_n, 0, MAX_NGRAM)
        _check_int("threads", threads, 0, MAX_THREADS)
        _check_int("seed", seed, 0, MAX_U64)
        _check_float("lr", lr, allow_zero=False)
        if loss not in LOSSES:
            raise ConfigError(f"loss must be one of softmax, hs, ns, ova, not {loss!r}")
        if loss == "ns" and neg < 1:
            raise ConfigError("loss='ns' needs neg >= 1")
        if (word_ngrams > 1 or max_n > 0) and bucket == 0:
            raise ConfigError("bucket must be >= 1 with word_ngrams > 1 or max_n > 0")
        if (
            not isinstance(label_prefix, str)
            or not label_prefix
            or any(c.isspace() for c in label_prefix)
        ):
            raise ConfigError(f"label_prefix must be a non-empty token, not {label_prefix!r}")
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        self.threads: int = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.config: dict[str, Any] = {
            "dim": dim, "epochs": epochs, "lr": float(lr), "loss": loss, "neg": neg,
            "word_ngrams": word_ngrams, "min_count": min_count,
            "min_count_label": min_count_label, "min_n": min_n, "max_n": max_n,
            "bucket": bucket if (word_ngrams > 1 or max_n > 0) else 0, "seed": seed,
            "label_prefix": label_prefix,
        }  # fmt: skip
        self._rust = _backend.use_rust(backend)
        paths = _as_paths(files)
        c = self.config
        kwargs: dict[str, Any] = dict(
            dim=dim, epochs=epochs, lr=float(lr), loss=loss, neg=neg, word_ngrams=word_ngrams,
            min_count=min_count, min_count_label=min_count_label, min_n=min_n, max_n=max_n,
            bucket=c["bucket"], threads=self.threads, seed=seed, label_prefix=label_prefix,
            errors=errors, progress=progress, on_epoch=on_epoch,
        )  # fmt: skip
        model: _Model
        if self._rust:
            model, losses = _backend.core().SupervisedModel.train(paths, **kwargs)
        else:
            from subwordx.reference.fasttext_supervised import ReferenceClassifier

            model, losses = ReferenceClassifier.train(paths, **kwargs)
        self._set_model(model)
        self.losses: list[float] = list(losses)

    def _set_model(self, model: _Model) -> None:
        self._model = model
        words, word_counts = model.words()
        labels, label_counts = model.labels()
        self._words: list[str] = list(words)
        self._labels: list[str] = list(labels)
        self._word_counts = np.asarray(word_counts, np.int64)
        self._label_counts = np.asarray(label_counts, np.int64)

    # ------------------------------------------------------------------ the dictionary
    @property
    def labels(self) -> list[str]:
        """The labels (prefix included), most frequent first."""
        return list(self._labels)

    @property
    def words(self) -> list[str]:
        """The words, most frequent first (``</s>``, fastText's end-of-line token, included)."""
        return list(self._words)

    def get_labels(self, include_freq: bool = False) -> Any:
        """The labels; with ``include_freq``, ``(labels, counts)`` (the fasttext package's)."""
        if include_freq:
            return list(self._labels), self._label_counts.copy()
        return list(self._labels)

    def get_words(self, include_freq: bool = False) -> Any:
        """The words; with ``include_freq``, ``(words, counts)`` (the fasttext package's)."""
        if include_freq:
            return list(self._words), self._word_counts.copy()
        return list(self._words)

    def get_dimension(self) -> int:
        return int(self.config["dim"])

    def get_input_matrix(self) -> FloatArray:
        """A copy of the input matrix: ``nwords + bucket`` rows (words, then n-gram buckets)."""
        return self._model.input_matrix()

    def get_output_matrix(self) -> FloatArray:
        """A copy of the output matrix: a row per label (per inner tree node with ``hs``)."""
        return self._model.output_matrix()

    # ------------------------------------------------------------------ prediction
    @overload
    def predict(
        self, text: str, k: int = 1, threshold: float = 0.0
    ) -> tuple[tuple[str, ...], FloatArray]: ...
    @overload
    def predict(
        self, text: list[str], k: int = 1, threshold: float = 0.0
    ) -> tuple[list[list[str]], list[FloatArray]]: ...

    def predict(self, text: str | list[str], k: int = 1, threshold: float = 0.0) -> Any:
        """The ``k`` most likely labels of a line (or of each line of a list), best first.

        As the fasttext package: a text is one line (a ``\\n`` in it is an error) and gets
        fastText's end-of-line token; only labels with probability ``>= threshold`` are
        returned; ``k=-1`` returns every label. The probability reported is fastText's
        ``exp(log(p + 1e-5))``, i.e. ``p + 1e-5``. Equal probabilities come out in the order the
        fasttext package gives them: both keep the k best in the same binary heap, run by
        libstdc++'s heap algorithms (``docs/fasttext.md``, S4). A list is predicted on
        :attr:`threads` threads with the GIL released.

        Returns:
            For a string: ``(labels, probabilities)``, a tuple of labels and a float32 array.
            For a list: ``(list of label lists, list of probability arrays)``.

        Raises:
            ConfigError: ``k`` is 0 or below -1, or a text holds a newline.
        """
        k = self._k(k)
        single = isinstance(text, str)
        texts = [text] if isinstance(text, str) else list(text)
        for t in texts:
            if not isinstance(t, str):
                raise ConfigError(f"predict takes a string or a list of strings, not {t!r}")
            if "\n" in t:
                raise ConfigError("predict processes one line at a time (remove '\\n')")
        results = self._model.predict([t + "\n" for t in texts], k, float(threshold), self.threads)
        labels = [[self._labels[i] for i, _ in r] for r in results]
        probs = [np.array([p for _, p in r], dtype=np.float32) for r in results]
        if single:
            return tuple(labels[0]), probs[0]
        return labels, probs

    def predict_file(
        self, path: PathLike, k: int = 1, threshold: float = 0.0, errors: str = "strict"
    ) -> list[list[tuple[str, float]]]:
        """``[(label, probability), ...]`` for every line of a file, in order (an empty list for
        a line with no known word), as ``fasttext predict-prob`` prints them."""
        k = self._k(k)
        results = self._model.predict_files(
            [os.fspath(path)], k, float(threshold), errors, self.threads, None
        )
        return [[(self._labels[i], p) for i, p in r] for r in results]

    def _k(self, k: int) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k == 0 or k < -1:
            raise ConfigError(f"k must be at least 1, or -1 for every label, not {k!r}")
        return len(self._labels) if k == -1 else min(int(k), len(self._labels))

    def test(
        self, path: PathLike | Sequence[str], k: int = 1, threshold: float = 0.0
    ) -> ClassifierTestResult:
        """Evaluate on a labelled file (or a list of labelled lines), as fastText's ``test``:
        P@k, R@k and per-label precision, recall and F1 (:class:`ClassifierTestResult`; it also
        unpacks as the fasttext package's ``(n, precision, recall)``).

        Raises:
            ConfigError: a bad ``k``.
            SubwordxFileNotFoundError, InvalidUtf8Error: an unreadable file.
        """
        if isinstance(path, (str, os.PathLike)):
            return self._evaluate([os.fspath(path)], None, k, threshold)
        return self._evaluate(
            None, [t if t.endswith("\n") else t + "\n" for t in path], k, threshold
        )

    def _evaluate(
        self, paths: list[str] | None, lines: list[str] | None, k: int, threshold: float
    ) -> ClassifierTestResult:
        """:meth:`test` on files, or on lines as read (a line ending in ``\n`` gets ``</s>``)."""
        n, gold, predicted, correct = self._model.test(
            paths, lines, self._k(k), float(threshold), "strict", self.threads
        )
        per_label = {
            name: LabelMetrics(gold=g, predicted=p, correct=c)
            for name, g, p, c in zip(self._labels, gold, predicted, correct)
        }
        return ClassifierTestResult(
            n=n,
            k=k,
            precision=_ratio(sum(correct), sum(predicted)),
            recall=_ratio(sum(correct), sum(gold)),
            per_label=per_label,
        )

    def test_label(
        self, path: PathLike, k: int = 1, threshold: float = 0.0
    ) -> dict[str, dict[str, float]]:
        """Per-label ``{"precision", "recall", "f1score"}``, as the fasttext package's."""
        r = self.test(path, k, threshold)
        return {
            name: {"precision": m.precision, "recall": m.recall, "f1score": m.f1}
            for name, m in r.per_label.items()
        }

    def get_sentence_vector(self, text: str) -> FloatArray:
        """The document vector of one line: the mean of its feature rows (words, word n-grams,
        character n-grams and the end-of-line token), as the fasttext package computes it.

        Raises:
            ConfigError: the text holds a newline.
        """
        if "\n" in text:
            raise ConfigError("get_sentence_vector processes one line at a time (remove '\\n')")
        return np.asarray(self._model.sentence_vector(text), dtype=np.float32)

    # ------------------------------------------------------------------ files
    def save(self, path: PathLike) -> None:
        """Save as fastText's supervised ``.bin`` (loads in ``fasttext.load_model``),
        atomically."""
        c = self.config
        write_fasttext_bin(
            path,
            FastTextBin(
                dim=c["dim"], ws=c.get("ws", 5), epoch=c.get("epochs_saved", c["epochs"]),
                min_count=c.get("min_count_saved", min(c["min_count"], 2**31 - 1)),
                neg=c.get("neg_saved", min(c["neg"], 2**31 - 1)),
                word_ngrams=c["word_ngrams"], loss=LOSSES[c["loss"]], model=MODEL_SUP,
                bucket=self._model.bucket, minn=c["min_n"], maxn=c["max_n"],
                lr_update_rate=c.get("lr_update_rate", 100), t=c.get("t", 1e-4),
                words=self._words, counts=self._word_counts, ntokens=self._model.ntokens,
                wi=self._model.input_matrix(), wo=self._model.output_matrix(),
                labels=self._labels, label_counts=self._label_counts,
            ),
        )  # fmt: skip

    save_model = save

    @classmethod
    def load(
        cls,
        path: PathLike,
        *,
        threads: int = 0,
        label_prefix: str = "__label__",
        backend: str | None = None,
    ) -> FastTextClassifier:
        """Load a supervised fastText ``.bin`` (ours or the fasttext package's).

        fastText does not store the label prefix; tokens starting with ``label_prefix`` are
        treated as labels when predicting (fastText's default, ``__label__``).

        Raises:
            ModelFormatError: not a readable fastText ``.bin``, an unsupervised model (load that
                with :meth:`subwordx.FastText.load`), or settings out of range.
            SubwordxFileNotFoundError: no such file.
        """
        name = os.fspath(path)
        b = read_fasttext_bin(path)
        if b.model != MODEL_SUP:
            raise ModelFormatError(
                f"{name}: an unsupervised fastText model (word vectors), not a classifier; "
                "load it with subwordx.FastText.load"
            )
        if not b.labels:
            raise ModelFormatError(f"{name}: a supervised model without labels")
        if b.loss not in _LOSS_NAMES or not 1 <= b.word_ngrams <= MAX_WORD_NGRAMS:
            raise ModelFormatError(f"{name}: loss {b.loss}, wordNgrams {b.word_ngrams}")
        if (b.word_ngrams > 1 or b.maxn > 0) and b.bucket == 0:
            raise ModelFormatError(f"{name}: n-grams without buckets")
        lc = b.label_counts
        if b.loss == LOSS_HS and (
            (lc.size and int(lc.max()) >= 10**15) or bool(np.any(lc[1:] > lc[:-1]))
        ):
            # fastText builds its label tree assuming counts sorted descending (and below its
            # 1e15 sentinel); any file it wrote satisfies both.
            raise ModelFormatError(f"{name}: hierarchical softmax over unsorted label counts")
        _check_int("threads", threads, 0, MAX_THREADS)
        self = cls.__new__(cls)
        loss = _LOSS_NAMES[b.loss]
        self.threads = threads or min(os.cpu_count() or 1, MAX_THREADS)
        self.config = {
            "dim": b.dim, "epochs": max(b.epoch, 1), "lr": 0.1, "loss": loss,
            "neg": min(max(b.neg, 1), MAX_NEGATIVE), "word_ngrams": b.word_ngrams,
            "min_count": max(b.min_count, 1), "min_count_label": 0, "min_n": b.minn,
            "max_n": b.maxn, "bucket": b.bucket, "seed": 0, "label_prefix": label_prefix,
            # Unused by a classifier; kept so that a loaded model saves back byte for byte.
            "ws": b.ws, "t": b.t, "lr_update_rate": b.lr_update_rate, "neg_saved": b.neg,
            "epochs_saved": b.epoch, "min_count_saved": b.min_count,
        }  # fmt: skip
        self.losses = []
        self._rust = _backend.use_rust(backend)
        kwargs: dict[str, Any] = dict(
            loss=loss, neg=self.config["neg"], word_ngrams=b.word_ngrams, min_n=b.minn,
            max_n=b.maxn, bucket=b.bucket, label_prefix=label_prefix,
        )  # fmt: skip
        counts = [int(c) for c in b.counts.tolist()]
        label_counts = [int(c) for c in b.label_counts.tolist()]
        model: _Model
        try:
            if self._rust:
                model = _backend.core().SupervisedModel.from_parts(
                    b.words, counts, b.labels, label_counts, b.ntokens, b.wi, b.wo, **kwargs
                )
            else:
                from subwordx.reference.fasttext_supervised import ReferenceClassifier

                model = ReferenceClassifier(
                    b.words, counts, b.labels, label_counts, b.ntokens, b.wi, b.wo, **kwargs
                )
        except ConfigError as e:
            raise ModelFormatError(f"{name}: {e}") from None
        self._set_model(model)
        return self

    def __repr__(self) -> str:
        c = self.config
        return (
            f"FastTextClassifier(words={len(self._words)}, labels={len(self._labels)}, "
            f"dim={c['dim']}, loss={c['loss']!r}, word_ngrams={c['word_ngrams']}, "
            f"bucket={self._model.bucket})"
        )


def train_supervised(
    input: PathLike | Sequence[PathLike] | None = None,
    **kwargs: Any,
) -> FastTextClassifier:
    """Train a classifier, as ``fasttext.train_supervised`` (fastText's argument names work:
    ``input``, ``lr``, ``dim``, ``epoch``, ``wordNgrams``, ``minCount``, ``minn``, ``maxn``,
    ``loss``, ``bucket``, ``thread``, ``label``, ``seed``; so do subwordx's). ``verbose`` is
    accepted and ignored; ``ws``, ``t`` and ``lrUpdateRate`` are accepted and have no effect
    on a classifier (as in fastText).

    Example:
        >>> # clf = subwordx.train_supervised(input="train.txt", epoch=5, wordNgrams=2)
    """
    for ignored in ("verbose", "ws", "t", "lrUpdateRate"):
        kwargs.pop(ignored, None)
    if input is None and "corpus_file" not in kwargs:
        raise ConfigError("give the training file: input=...")
    if input is not None:
        kwargs["input"] = input
    return FastTextClassifier(**kwargs)
