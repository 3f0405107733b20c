"""fastText's text classifier, written to be read: the numpy reference of ``docs/fasttext.md``
("Supervised classification").

fastText's classifier (Joulin et al. 2016, *Bag of Tricks for Efficient Text Classification*) is
a linear model over a bag of features:

1. **Tokens.** A line is split on whitespace; a line that ends with ``\\n`` gets one more token,
   ``</s>``. Tokens starting with the label prefix (``__label__``) are labels, the rest are words.
2. **Dictionary.** Every token of the corpus is counted; words seen ``min_count`` times and labels
   seen ``min_count_label`` times are kept, each list by count descending (ties by the token).
3. **Features of a line** (:meth:`ReferenceClassifier.encode`): each known word's row; with
   ``max_n > 0`` also the rows of its character n-grams (an unknown word has only those); with
   ``word_ngrams = n > 1`` the rows of its word n-grams of 2..n words, hashed exactly as
   fastText hashes them (:func:`word_ngram_rows`). N-gram rows come after the ``nwords`` word rows,
   ``bucket`` of them.
4. **Model.** ``h`` = the mean of the feature rows of the input matrix ``wi``; the output matrix
   ``wo`` scores the labels: softmax, hierarchical softmax (a Huffman tree over the label
   counts), negative sampling (negatives drawn by count^0.5) or one-vs-all (a sigmoid per label).
5. **Update.** The loss's gradient with respect to ``h`` is divided by the number of features and
   added to every feature row; ``wo`` gets its own gradient. The learning rate falls linearly from
   ``lr`` to 0 over ``epochs * ntokens`` tokens.

With one thread and the same seed the Rust core makes the same draws in the same order, so the
matrices agree within float32 round-off (dot products sum in a different order).

Example:
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "t.txt")
    >>> with open(p, "w") as f:
    ...     _ = f.write("__label__a good film\\n__label__b bad film\\n" * 20)
    >>> m, losses = ReferenceClassifier.train([p], dim=4, epochs=5, lr=0.5)
    >>> m.predict(["good film\\n", "bad film\\n"], k=1)[0][0][0], m.labels()[0]
    (0, ['__label__a', '__label__b'])
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from subwordx._files import open_regular
from subwordx.errors import ConfigError, EmptyCorpusError, InvalidUtf8Error
from subwordx.reference.fasttext import fasttext_hash, ngram_ids
from subwordx.reference.pretokenize import is_whitespace
from subwordx.reference.word2vec import (
    ALPHA_REFRESH_WORDS,
    F32,
    Lcg,
    build_huffman,
    init_vectors,
    make_cum_table,
)

FloatArray = npt.NDArray[np.float32]
Prediction = tuple[int, float]

EOS = "</s>"
LOSS_CODES = {"hs": 1, "ns": 2, "softmax": 3, "ova": 4}
WORD_NGRAM_PRIME = 116049371
MASK64 = (1 << 64) - 1
TABLE_SIZE = 512
MAX_SIGMOID = 8.0
NEGATIVE_TRIES = 64


# ----------------------------------------------------------------------------- tables
def fasttext_sigmoid_table() -> FloatArray:
    """fastText's sigmoid table: ``1 / (1 + exp(-x))`` at ``x = i * 16 / 512 - 8``, i = 0..512."""
    x = np.arange(TABLE_SIZE + 1, dtype=np.float64) * 2 * MAX_SIGMOID / TABLE_SIZE - MAX_SIGMOID
    table: FloatArray = (1.0 / (1.0 + np.exp(-x))).astype(np.float32)
    return table


def fasttext_log_table() -> FloatArray:
    """fastText's log table (reported loss only): ``ln((i + 1e-5) / 512)``, i = 0..512."""
    i = np.arange(TABLE_SIZE + 1, dtype=np.float64)
    table: FloatArray = np.log((i + 1e-5) / TABLE_SIZE).astype(np.float32)
    return table


SIGMOID = fasttext_sigmoid_table()
LOG = fasttext_log_table()


def sigmoid(x: np.float32) -> np.float32:
    """fastText's ``Loss::sigmoid``: 0 below -8, 1 above 8, else the table at
    ``trunc((x + 8) * 512 / 8 / 2)`` computed in float32."""
    if x < -MAX_SIGMOID:
        return F32(0.0)
    if x > MAX_SIGMOID:
        return F32(1.0)
    i = int((F32(x) + F32(MAX_SIGMOID)) * F32(TABLE_SIZE) / F32(MAX_SIGMOID) / F32(2))
    return F32(SIGMOID[min(i, TABLE_SIZE)])


def table_log(x: np.float32) -> np.float32:
    """fastText's ``Loss::log``: 0 above 1, else the table at ``trunc(x * 512)``."""
    if x > 1.0:
        return F32(0.0)
    return F32(LOG[min(int(F32(x) * F32(TABLE_SIZE)), TABLE_SIZE)])


def std_log(p: float | np.float32) -> np.float32:
    """fastText's ``std_log(p) = ln(p + 1e-5)`` (f64, rounded to f32): predictions are ranked by
    it and reported as ``exp(std_log(p))``, i.e. ``p + 1e-5``."""
    return F32(math.log(float(p) + 1e-5))


# ----------------------------------------------------------------------------- reading
def split_whitespace(line: str) -> list[str]:
    """Tokens separated by Unicode White_Space (Rust's ``split_whitespace``)."""
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


def read_lines(paths: Sequence[str], errors: str) -> Iterator[tuple[str, bool]]:
    """``(text, ends_with_newline)`` for every line of the files, in order."""
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
                if line.endswith("\n"):
                    yield line[:-1], True
                else:
                    yield line, False


def tokens_of(text: str, eos: bool) -> list[str]:
    """The tokens of one line, ``</s>`` last when the line ended with ``\\n``."""
    return split_whitespace(text) + ([EOS] if eos else [])


def word_ngram_rows(hashes: Sequence[int], n: int, nwords: int, bucket: int) -> list[int]:
    """Rows of the word n-grams (2..n words) of a line whose words hash to ``hashes``.

    ``h = hash(w_i)``, then ``h = h * 116049371 + hash(w_j)`` for the following words, in 64-bit
    unsigned arithmetic; row ``nwords + h % bucket``. fastText keeps the 32-bit hashes as
    ``int32``, so each is *sign-extended* to 64 bits first.

    Example:
        >>> word_ngram_rows([1, 2], 2, nwords=0, bucket=1000)
        [373]
    """
    if n <= 1 or bucket == 0:
        return []

    def widen(h: int) -> int:  # uint32 -> int32 -> uint64
        return (h - (1 << 32) if h >= 1 << 31 else h) & MASK64

    rows = []
    for i in range(len(hashes)):
        h = widen(hashes[i])
        for j in range(i + 1, min(len(hashes), i + n)):
            h = (h * WORD_NGRAM_PRIME + widen(hashes[j])) & MASK64
            rows.append(nwords + h % bucket)
    return rows


# ----------------------------------------------------------------------------- the k best
class TopK:
    """The k best ``(score, label)`` kept exactly as fastText keeps them: a binary heap whose root
    is the worst kept (comparison ``a.score > b.score``), run by libstdc++'s ``push_heap``,
    ``pop_heap`` and ``sort_heap`` -- so equal scores come out in fastText's order."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[tuple[np.float32, int]] = []

    @staticmethod
    def _greater(a: tuple[np.float32, int], b: tuple[np.float32, int]) -> bool:
        return bool(a[0] > b[0])

    def _sift_up(self, hole: int, top: int, value: tuple[np.float32, int]) -> None:
        v = self.heap
        while hole > top:
            parent = (hole - 1) // 2
            if not self._greater(v[parent], value):
                break
            v[hole] = v[parent]
            hole = parent
        v[hole] = value

    def _pop(self, n: int) -> None:
        """``pop_heap`` over the first ``n``: the root moves to ``n - 1``."""
        if n <= 1:
            return
        v = self.heap
        value = v[n - 1]
        v[n - 1] = v[0]
        length, hole, child = n - 1, 0, 0
        while length >= 2 and child < (length - 1) // 2:  # libstdc++'s __adjust_heap
            child = 2 * (child + 1)
            if self._greater(v[child], v[child - 1]):
                child -= 1
            v[hole] = v[child]
            hole = child
        if length >= 2 and length % 2 == 0 and child == (length - 2) // 2:
            child = 2 * (child + 1)
            v[hole] = v[child - 1]
            hole = child - 1
        self._sift_up(hole, 0, value)

    def below_worst(self, score: np.float32) -> bool:
        return len(self.heap) == self.k and bool(score < self.heap[0][0])

    def push(self, score: np.float32, label: int) -> None:
        self.heap.append((score, label))
        self._sift_up(len(self.heap) - 1, 0, self.heap[-1])
        if len(self.heap) > self.k:
            self._pop(len(self.heap))
            self.heap.pop()

    def predictions(self) -> list[Prediction]:
        """``sort_heap``: best first, as ``(label, exp(score))``."""
        for n in range(len(self.heap), 1, -1):
            self._pop(n)
        return [(label, float(F32(math.exp(float(score))))) for score, label in self.heap]


# ----------------------------------------------------------------------------- the model
class ReferenceClassifier:
    """A classifier: dictionary, settings, ``wi`` and ``wo``. The methods mirror the Rust core's
    ``SupervisedModel`` so that :class:`subwordx.FastTextClassifier` can use either."""

    def __init__(
        self,
        words: list[str],
        word_counts: Sequence[int],
        labels: list[str],
        label_counts: Sequence[int],
        ntokens: int,
        wi: FloatArray,
        wo: FloatArray,
        *,
        loss: str,
        neg: int = 5,
        word_ngrams: int = 1,
        min_n: int = 0,
        max_n: int = 0,
        bucket: int = 0,
        label_prefix: str = "__label__",
        seed: int = 0,
    ) -> None:
        if loss not in LOSS_CODES:
            raise ConfigError(f"loss must be softmax, hs, ns or ova, not {loss!r}")
        self.word_list, self.label_list = list(words), list(labels)
        self.word_counts = [int(c) for c in word_counts]
        self.label_counts = [int(c) for c in label_counts]
        self.word_index = {w: i for i, w in enumerate(self.word_list)}
        self.label_index = {w: i for i, w in enumerate(self.label_list)}
        self.ntokens = int(ntokens)
        self.wi, self.wo = wi, wo
        self.loss, self.neg, self.seed = loss, neg, seed
        self.word_ngrams, self.min_n, self.max_n, self.bucket = word_ngrams, min_n, max_n, bucket
        self.label_prefix = label_prefix
        self.dim = int(wi.shape[1])
        self.loss_code = LOSS_CODES[loss]
        nwords = len(self.word_list)
        # A known word's rows: its own, then its character n-grams (none for </s>).
        self.subwords = [
            [i, *ngram_ids(w, nwords, min_n, max_n, bucket)] if max_n > 0 else [i]
            for i, w in enumerate(self.word_list)
        ]

    # -- the core's accessors
    def words(self) -> tuple[list[str], list[int]]:
        return list(self.word_list), list(self.word_counts)

    def labels(self) -> tuple[list[str], list[int]]:
        return list(self.label_list), list(self.label_counts)

    def input_matrix(self) -> FloatArray:
        return self.wi.copy()

    def output_matrix(self) -> FloatArray:
        return self.wo.copy()

    # -- training
    @classmethod
    def train(
        cls,
        paths: Sequence[str],
        *,
        dim: int = 100,
        epochs: int = 5,
        lr: float = 0.1,
        loss: str = "softmax",
        neg: int = 5,
        word_ngrams: int = 1,
        min_count: int = 1,
        min_count_label: int = 0,
        min_n: int = 0,
        max_n: int = 0,
        bucket: int = 2_000_000,
        threads: int = 1,
        seed: int = 0,
        label_prefix: str = "__label__",
        errors: str = "strict",
        progress: Any = None,
        on_epoch: Any = None,
    ) -> tuple[ReferenceClassifier, list[float]]:
        """Counts, encodes and trains in one thread (``threads`` is ignored)."""
        if loss not in LOSS_CODES:
            raise ConfigError(f"loss must be softmax, hs, ns or ova, not {loss!r}")
        if word_ngrams <= 1 and max_n == 0:
            bucket = 0  # nothing hashes into buckets: fastText sets it to 0
        lines = list(read_lines(paths, errors))
        # 1-2. Count every token; split into words and labels; order by count, then token.
        counts: Counter[str] = Counter()
        for text, eos in lines:
            counts.update(tokens_of(text, eos))
        ntokens = sum(counts.values())
        labels = [(t, c) for t, c in counts.items() if t.startswith(label_prefix)]
        labels = [(t, c) for t, c in labels if c >= min_count_label]
        if not labels:
            raise EmptyCorpusError(
                f"no line has a label (a token starting with {label_prefix!r}) seen at least "
                f"min_count_label={min_count_label} times"
            )
        words = [(t, c) for t, c in counts.items() if not t.startswith(label_prefix)]
        words = [(t, c) for t, c in words if c >= min_count]
        if not words:
            raise EmptyCorpusError(f"no word occurs at least min_count={min_count} times")
        words.sort(key=lambda tc: (-tc[1], tc[0]))
        labels.sort(key=lambda tc: (-tc[1], tc[0]))
        nwords = len(words)
        # 4. Parameters: wi drawn as word2vec's syn0 over every row, wo zero.
        wi = init_vectors(nwords + bucket, dim, seed)
        wo = np.zeros((len(labels), dim), np.float32)
        model = cls(
            [w for w, _ in words], [c for _, c in words], [t for t, _ in labels],
            [c for _, c in labels], ntokens, wi, wo, loss=loss, neg=neg,
            word_ngrams=word_ngrams, min_n=min_n, max_n=max_n, bucket=bucket,
            label_prefix=label_prefix, seed=seed,
        )  # fmt: skip
        examples = [model.encode(text, eos) for text, eos in lines]
        if not any(lab and inp for _, lab, inp in examples):
            raise EmptyCorpusError("no line has both a known label and a word to learn from")
        losses = model._train(examples, epochs, lr)
        if on_epoch is not None:
            for e, value in enumerate(losses, 1):
                on_epoch(e, value)
        return model, losses

    def encode(self, text: str, eos: bool) -> tuple[int, list[int], list[int]]:
        """``(ntokens, labels, inputs)`` of one line (fastText's ``Dictionary::getLine``)."""
        inputs: list[int] = []
        labels: list[int] = []
        hashes: list[int] = []
        tokens = tokens_of(text, eos)
        nwords = len(self.word_list)
        for token in tokens:
            if token in self.word_index:
                inputs.extend(self.subwords[self.word_index[token]])
                hashes.append(fasttext_hash(token.encode("utf-8")))
            elif token in self.label_index:
                labels.append(self.label_index[token])
            elif not token.startswith(self.label_prefix):
                # An unknown word: only its character n-grams, but its hash joins word n-grams.
                inputs.extend(ngram_ids(token, nwords, self.min_n, self.max_n, self.bucket))
                hashes.append(fasttext_hash(token.encode("utf-8")))
        inputs.extend(word_ngram_rows(hashes, self.word_ngrams, nwords, self.bucket))
        return len(tokens), labels, inputs

    def _train(
        self, examples: list[tuple[int, list[int], list[int]]], epochs: int, lr: float
    ) -> list[float]:
        nlabels = len(self.label_list)
        rng = Lcg(self.seed)  # thread 0's generator: seed + 0
        total = max(float(epochs * sum(n for n, _, _ in examples)), 1.0)
        codes: list[Any] = []
        points: list[Any] = []
        if self.loss == "hs":
            codes, points = build_huffman(self.label_counts)
        cum = make_cum_table(self.label_counts, power=0.5) if self.loss == "ns" else None

        def rate(done: int) -> np.float32:
            return F32(max(lr - (lr - 0.0) * done / total, 0.0))

        def binary_logistic(
            h: FloatArray, g: FloatArray, t: int, gold: bool, alpha: np.float32
        ) -> float:
            s = sigmoid(F32(np.dot(self.wo[t], h)))
            a = F32(alpha * (F32(1.0 if gold else 0.0) - s))
            g += a * self.wo[t]
            self.wo[t] += a * h
            return -float(table_log(s if gold else F32(1.0) - s))

        losses: list[float] = []
        done, pending = 0, 0
        for _epoch in range(epochs):
            done, pending = done + pending, 0
            alpha = rate(done)
            loss_sum, steps = 0.0, 0
            for ntokens, labels, inputs in examples:
                if pending >= ALPHA_REFRESH_WORDS:
                    done, pending = done + pending, 0
                    alpha = rate(done)
                pending += ntokens
                if not labels or not inputs:
                    continue  # counted for the schedule, nothing to learn
                # h: the mean of the input rows, summed in order, scaled by 1/n in float32.
                inv = F32(1.0 / len(inputs))
                h = np.zeros(self.dim, np.float32)
                for r in inputs:
                    h += self.wi[r]
                h *= inv
                g = np.zeros(self.dim, np.float32)
                loss = 0.0
                if self.loss == "ova":
                    for t in range(nlabels):
                        loss += binary_logistic(h, g, t, t in labels, alpha)
                else:
                    n = len(labels)
                    target = labels[0] if n == 1 else labels[(rng.advance() >> 16) % n]
                    if self.loss == "softmax":
                        scores = self.wo @ h
                        top = scores.max()
                        e = np.array([math.exp(float(s - top)) for s in scores], np.float32)
                        z = F32(0.0)
                        for x in e:  # summed in order, in float32
                            z = F32(z + x)
                        p = e / z
                        for t in range(nlabels):
                            a = F32(alpha * (F32(1.0 if t == target else 0.0) - p[t]))
                            g += a * self.wo[t]
                            self.wo[t] += a * h
                        loss = -float(table_log(p[target]))
                    elif self.loss == "hs":
                        for point, code in zip(points[target], codes[target]):
                            # fastText's convention: the step to child 1 is the positive class.
                            loss += binary_logistic(h, g, int(point), code == 1, alpha)
                    else:  # ns
                        assert cum is not None
                        loss = binary_logistic(h, g, target, True, alpha)
                        if nlabels > 1:
                            for _ in range(self.neg):
                                for _try in range(NEGATIVE_TRIES):
                                    x = (rng.advance() >> 16) % int(cum[-1])
                                    t = bisect.bisect_left(cum.tolist(), x)
                                    if t != target:
                                        loss += binary_logistic(h, g, t, False, alpha)
                                        break
                # The gradient, divided by the number of inputs, goes to every input row.
                g *= inv
                np.add.at(self.wi, inputs, g)
                loss_sum += loss
                steps += 1
            losses.append(loss_sum / steps if steps else 0.0)
        return losses

    # -- prediction
    def hidden(self, inputs: Sequence[int]) -> FloatArray:
        h = np.zeros(self.dim, np.float32)
        for r in inputs:
            h += self.wi[r]
        if inputs:
            h *= F32(1.0 / len(inputs))
        return h

    def predict_inputs(self, inputs: Sequence[int], k: int, threshold: float) -> list[Prediction]:
        """The k best labels with probability >= threshold, best first, ranked by
        ``std_log(p)``; ties ordered as fastText's heap orders them (:class:`TopK`)."""
        if not inputs:
            return []
        h = self.hidden(inputs)
        nlabels = len(self.label_list)
        top = TopK(min(k, nlabels))
        if self.loss == "hs":
            self._hs_search(h, top, threshold)
            return top.predictions()
        scores = self.wo @ h
        if self.loss == "softmax":
            best = scores.max()
            e = np.array([math.exp(float(s - best)) for s in scores], np.float32)
            z = F32(0.0)
            for x in e:
                z = F32(z + x)
            probs = e / z
        else:
            probs = np.array([sigmoid(F32(s)) for s in scores], np.float32)
        for t, p in enumerate(probs):
            if p < threshold:
                continue
            score = std_log(p)
            if not top.below_worst(score):
                top.push(score, t)
        return top.predictions()

    def _hs_search(self, h: FloatArray, top: TopK, threshold: float) -> None:
        """fastText's depth-first search of the label tree: a leaf's score is the sum of
        ``std_log`` of the branch probabilities on its path; a branch is cut when its score falls
        below ``std_log(threshold)`` or below the worst of k leaves already found."""
        nlabels = len(self.label_list)
        codes, points = build_huffman(self.label_counts)
        children: dict[int, list[int]] = {}
        for leaf in range(nlabels):
            path = [int(p) for p in points[leaf]]
            for d, node in enumerate(path):
                nxt = nlabels + path[d + 1] if d + 1 < len(path) else leaf
                children.setdefault(node, [0, 0])[int(codes[leaf][d])] = nxt
        floor = std_log(threshold)

        def dfs(node: int, score: np.float32) -> None:
            if score < floor or top.below_worst(score):
                return
            if node < nlabels:
                top.push(score, node)
                return
            f = F32(np.dot(self.wo[node - nlabels], h))
            f = F32(1.0 / float(F32(1.0) + F32(np.exp(-f))))
            left, right = children[node - nlabels]
            dfs(left, F32(score + std_log(F32(1.0) - f)))
            dfs(right, F32(score + std_log(f)))

        dfs(0 if nlabels == 1 else 2 * nlabels - 2, F32(0.0))

    def predict(
        self, lines: Sequence[str], k: int = 1, threshold: float = 0.0, threads: int = 1
    ) -> list[list[Prediction]]:
        _check_k(k)
        out = []
        for line in lines:
            eos = line.endswith("\n")
            _, _, inputs = self.encode(line[:-1] if eos else line, eos)
            out.append(self.predict_inputs(inputs, k, threshold))
        return out

    def predict_files(
        self,
        paths: Sequence[str],
        k: int = 1,
        threshold: float = 0.0,
        errors: str = "strict",
        threads: int = 1,
        progress: Any = None,
    ) -> list[list[Prediction]]:
        _check_k(k)
        return [
            self.predict_inputs(self.encode(text, eos)[2], k, threshold)
            for text, eos in read_lines(paths, errors)
        ]

    def test(
        self,
        paths: Sequence[str] | None = None,
        lines: Sequence[str] | None = None,
        k: int = 1,
        threshold: float = 0.0,
        errors: str = "strict",
        threads: int = 1,
    ) -> tuple[int, list[int], list[int], list[int]]:
        """fastText's ``Meter``: ``(examples, gold, predicted, predicted_gold)`` per label."""
        _check_k(k)
        if (paths is None) == (lines is None):
            raise ConfigError("give paths or lines")
        if paths is not None:
            pairs = list(read_lines(paths, errors))
        else:
            assert lines is not None
            pairs = [(t[:-1], True) if t.endswith("\n") else (t, False) for t in lines]
        n = len(self.label_list)
        examples, gold, predicted, correct = 0, [0] * n, [0] * n, [0] * n
        for text, eos in pairs:
            _, labels, inputs = self.encode(text, eos)
            if not labels or not inputs:
                continue
            examples += 1
            for t, _p in self.predict_inputs(inputs, k, threshold):
                predicted[t] += 1
                if t in labels:
                    correct[t] += 1
            for t in labels:
                gold[t] += 1
        return examples, gold, predicted, correct

    def sentence_vector(self, line: str) -> FloatArray:
        return self.hidden(self.encode(line, True)[2])


def _check_k(k: int) -> None:
    if k < 1:
        raise ConfigError("k must be at least 1 (or -1 for every label)")
