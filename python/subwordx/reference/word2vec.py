"""word2vec, written to be read: the numpy reference of ``docs/word2vec.md``.

This module is the executable form of the spec in ``docs/word2vec.md``. The Rust core follows the
same text; with ``threads=1`` and the same seed both make the same random draws in the same order,
so their vectors agree within float32 round-off (numpy's dot products sum in a different order than
a scalar loop). It is slow (pure Python around small numpy operations) and single-threaded; use it
on small corpora, to check the core, and to learn how word2vec works.

The algorithm (Mikolov et al. 2013, as word2vec.c implements it):

1. **Vocabulary**: count words; keep those seen ``min_count`` times; sort by count descending, ties
   by the word. ``train_words`` is the number of vocabulary-word occurrences.
2. **Random numbers**: word2vec.c's linear congruential generator
   ``next = next * 25214903917 + 11 mod 2**64`` (:class:`Lcg`), one for the initial vectors, one for
   training, both started at ``seed``.
3. **Parameters**: input vectors ``syn0`` start small and random; output vectors ``syn1neg``
   (negative sampling) and ``syn1`` (hierarchical softmax, one per inner Huffman node) start at
   zero.
4. **Training**: for each sentence, drop frequent words at random (subsampling), then for each
   position pick a random window size ``1..window`` and train the pair(s) *(context, word)*:
   skip-gram predicts the word from each context word; CBOW from the mean (or sum) of the context.
   "Predicting" is a few logistic regressions: against ``negative`` random words drawn from the
   unigram distribution raised to 3/4 (:func:`make_cum_table`), and/or along the word's path in a
   Huffman tree (:func:`build_huffman`). The learning rate decays linearly.

Choices this module makes where the spec leaves room (the Rust core must make the same ones):

* *Long sentences* are cut into 10,000-word pieces before vocabulary filtering (as gensim's
  ``LineSentence``); each piece is a sentence.
* *Learning-rate refresh*: ``alpha`` is recomputed at the start of each epoch and before a sentence
  when at least 10,000 vocabulary words were read since the last refresh (word2vec.c checks only
  between sentences). ``done`` counts the vocabulary words read in all epochs so far.
* *Sigmoid table index*: ``floor((f + 6) * 83)`` with ``83 = 1000 / 6 / 2`` in C integer arithmetic,
  exactly as word2vec.c's ``(int)((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2))``; the product is
  computed in float32.
* *Huffman ties*: word2vec.c compares ``count[pos1] < count[pos2]`` strictly, so on equal counts the
  already-built inner node (``pos2``) is taken before the next leaf.
* *Loss*: ``-ln sigma(+-f)`` in float64 with ``f`` clipped to ``[-6, 6]``, over the HS nodes that
  were trained (``|f| < 6``) and all NS targets; divided by the number of prediction steps (one per
  (context, word) pair in skip-gram, one per position with a context in CBOW).
* *One vocabulary word*: no Huffman tree can be built; its code is empty (HS then learns nothing).

Example:
    >>> sents = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 20
    >>> r = train_word2vec(sents, sg=True, vector_size=8, window=2, negative=2, hs=False,
    ...                    sample=0.0, min_count=1, epochs=1, seed=1)
    >>> r.keys, r.syn0.shape
    (['sat', 'the', 'cat', 'dog'], (4, 8))
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from subwordx.errors import ConfigError, EmptyCorpusError

__all__ = [
    "Lcg",
    "ReferenceWord2VecResult",
    "build_huffman",
    "build_vocab",
    "init_vectors",
    "make_cum_table",
    "sigmoid_table",
    "train_word2vec",
]

MASK64 = (1 << 64) - 1
MAX_SENTENCE_LEN = 10_000
MAX_EXP = 6
EXP_TABLE_SIZE = 1000
# word2vec.c: (int)((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2)) -- integer division: 83.
SIGMOID_SCALE = EXP_TABLE_SIZE // MAX_EXP // 2
ALPHA_REFRESH_WORDS = 10_000
CUM_TABLE_DOMAIN = 2**31 - 1

F32 = np.float32
FloatArray = npt.NDArray[np.float32]


class Lcg:
    """word2vec.c's random generator: ``next = next * 25214903917 + 11 (mod 2**64)``.

    Example:
        >>> g = Lcg(1)
        >>> g.advance()
        25214903928
    """

    def __init__(self, seed: int) -> None:
        self.next = seed & MASK64

    def advance(self) -> int:
        """Step the generator and return the new state."""
        self.next = (self.next * 25214903917 + 11) & MASK64
        return self.next


@dataclass
class ReferenceWord2VecResult:
    """What :func:`train_word2vec` returns.

    Attributes:
        keys: vocabulary, most frequent first.
        counts: int64 count of each key.
        syn0: float32 input vectors (the word vectors), shape ``(V, dim)``.
        syn1neg: float32 negative-sampling output vectors, ``(V, dim)``, or ``None`` without NS.
        syn1: float32 hierarchical-softmax inner-node vectors, ``(V - 1, dim)``, or ``None``.
        losses: mean loss per prediction step, one per epoch.
    """

    keys: list[str]
    counts: npt.NDArray[np.int64]
    syn0: FloatArray
    syn1neg: FloatArray | None
    syn1: FloatArray | None
    losses: list[float]


def _pieces(sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    """Cut sentences longer than 10,000 words into 10,000-word pieces."""
    out: list[list[str]] = []
    for s in sentences:
        for start in range(0, max(len(s), 1), MAX_SENTENCE_LEN):
            out.append(list(s[start : start + MAX_SENTENCE_LEN]))
    return out


def build_vocab(
    sentences: Sequence[Sequence[str]], min_count: int = 5, max_final_vocab: int | None = None
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Vocabulary: words with ``count >= min_count``, by count descending then word ascending.

    ``max_final_vocab = N`` raises the effective ``min_count`` to the smallest value leaving at most
    ``N`` words (gensim's rule: one more than the count of the ``N+1``-th most frequent word).

    Example:
        >>> build_vocab([["b", "a", "b", "c", "a"]], min_count=1)
        (['a', 'b', 'c'], array([2, 2, 1]))
    """
    counter = Counter(w for s in sentences for w in s)
    effective = min_count
    if max_final_vocab is not None:
        by_count = sorted(counter.values(), reverse=True)
        if max_final_vocab < len(by_count):
            effective = max(min_count, by_count[max_final_vocab] + 1)
    kept = [(w, c) for w, c in counter.items() if c >= effective]
    kept.sort(key=lambda wc: (-wc[1], wc[0]))
    return [w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64)


def init_vectors(vocab_size: int, dim: int, seed: int) -> FloatArray:
    """``syn0[i][j] = ((next >> 48) / 65536 - 0.5) * 2 / dim`` in float32, rows then columns.

    The first draw is skipped, and the top 16 bits are used rather than word2vec.c's low 16, which
    repeat every 65,536 draws (docs/word2vec.md).

    Uniform in ``[-1/dim, 1/dim)`` as gensim 4 draws it (word2vec.c's range is half as wide; the
    wider start measured half a point better on the analogy benchmark, see docs/word2vec.md).

    Example:
        >>> init_vectors(1, 2, seed=1).tolist()
        [[-0.03369140625, -0.2425537109375]]
    """
    rng = Lcg(seed)
    rng.advance()  # from a small seed the first state is below 2**48: its top bits are zero
    raw = [rng.advance() >> 48 for _ in range(vocab_size * dim)]
    low = np.array(raw, dtype=np.float32).reshape(vocab_size, dim)
    return (((low / F32(65536.0) - F32(0.5)) * F32(2.0)) / F32(dim)).astype(np.float32)


def sigmoid_table() -> FloatArray:
    """1000 values of the logistic function on ``[-6, 6)``, computed in f64, stored as f32.

    Example:
        >>> t = sigmoid_table()
        >>> len(t), float(t[500])
        (1000, 0.5)
    """
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
    e = np.exp(x)
    table: FloatArray = (e / (e + 1)).astype(np.float32)
    return table


def make_cum_table(
    counts: Sequence[int] | npt.NDArray[np.int64], power: float = 0.75
) -> npt.NDArray[np.int64]:
    """Cumulative unigram^0.75 table for drawing negatives (gensim's ``make_cum_table``).

    ``cum_table[i] = round(sum_{j<=i} count_j**0.75 / Z * (2**31 - 1))``, sums taken left to right
    in float64. A draw is ``bisect_left(cum_table, r % cum_table[-1])``. ``power`` replaces 0.75
    (fastText's classifier draws negative labels by count^0.5).

    Example:
        >>> make_cum_table([3, 1]).tolist()
        [1492664612, 2147483647]
    """
    powers = [float(c) ** power for c in np.asarray(counts).tolist()]
    total = 0.0
    for p in powers:  # sequential sum, as a scalar loop in Rust
        total += p
    table = np.zeros(len(powers), dtype=np.int64)
    cumulative = 0.0
    for i, p in enumerate(powers):
        cumulative += p
        table[i] = round(cumulative / total * CUM_TABLE_DOMAIN)
    return table


def build_huffman(
    counts: Sequence[int] | npt.NDArray[np.int64],
) -> tuple[list[npt.NDArray[np.uint8]], list[npt.NDArray[np.int64]]]:
    """word2vec.c's ``CreateBinaryTree``: Huffman codes and inner-node paths, root first.

    ``counts`` must be sorted descending (vocabulary order). Leaves ``0..V-1`` are read from the
    right (smallest) by ``pos1``; inner nodes ``V..2V-2`` are created in order of increasing count,
    read by ``pos2``. Each step joins the two smallest; on a tie the inner node wins
    (``count[pos1] < count[pos2]`` is strict). The first node taken gets bit 0, the second bit 1.

    Returns:
        ``(codes, points)``: for word ``i``, ``codes[i]`` the bits from the root down and
        ``points[i]`` the inner nodes on the way (``0..V-2``, the root is ``V-2``), same length.

    Example:
        >>> codes, points = build_huffman([4, 2, 1, 1])
        >>> [c.tolist() for c in codes], [p.tolist() for p in points]
        ([[1], [0, 1], [0, 0, 1], [0, 0, 0]], [[2], [2, 1], [2, 1, 0], [2, 1, 0]])
    """
    cnt = [int(c) for c in np.asarray(counts).tolist()]
    v = len(cnt)
    if v < 2:
        return [np.zeros(0, np.uint8) for _ in range(v)], [np.zeros(0, np.int64) for _ in range(v)]
    count = cnt + [10**15] * v  # inner nodes not built yet count as "infinite"
    binary = [0] * (2 * v)
    parent = [0] * (2 * v)
    pos1, pos2 = v - 1, v

    def take() -> int:
        nonlocal pos1, pos2
        if pos1 >= 0 and count[pos1] < count[pos2]:
            pos1 -= 1
            return pos1 + 1
        pos2 += 1
        return pos2 - 1

    for a in range(v - 1):
        min1, min2 = take(), take()
        count[v + a] = count[min1] + count[min2]
        parent[min1] = parent[min2] = v + a
        binary[min2] = 1
    root = 2 * v - 2
    codes, points = [], []
    for leaf in range(v):
        bits, nodes = [], []
        node = leaf
        while node != root:  # walk up; record our side and our parent
            bits.append(binary[node])
            nodes.append(parent[node] - v)
            node = parent[node]
        codes.append(np.array(bits[::-1], dtype=np.uint8))
        points.append(np.array(nodes[::-1], dtype=np.int64))
    return codes, points


def _make_neg_log_sigma_table() -> FloatArray:
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
    return np.log1p(np.exp(-x)).astype(np.float32)


# ``-ln sigma`` on the sigmoid table's grid: the reported loss is read from it exactly as the
# Rust core reads it, so both report the same numbers (the loss never feeds back into training).
_NEG_LOG_SIGMA = _make_neg_log_sigma_table()


def _neg_log_sigmoid(x: float) -> float:
    """``-ln sigma(x)`` at the table grid point of ``x`` clipped to ``[-6, 6]``."""
    f = F32(min(max(x, -MAX_EXP), MAX_EXP))
    index = min(int((f + F32(MAX_EXP)) * F32(SIGMOID_SCALE)), EXP_TABLE_SIZE - 1)
    return float(_NEG_LOG_SIGMA[index])


class _Trainer:
    """The state of one training run (one thread in the spec's terms)."""

    def __init__(
        self,
        syn0: FloatArray,
        counts: npt.NDArray[np.int64],
        dim: int,
        negative: int,
        hs: bool,
        ns_exponent: float = 0.75,
    ) -> None:
        v = len(counts)
        self.syn0 = syn0
        self.negative = negative
        self.hs = hs
        self.syn1neg = np.zeros((v, dim), np.float32) if negative > 0 else None
        self.syn1 = np.zeros((max(v - 1, 0), dim), np.float32) if hs else None
        self.cum_table = make_cum_table(counts, ns_exponent) if negative > 0 else None
        self.codes, self.points = build_huffman(counts) if hs else ([], [])
        self.table = sigmoid_table()
        self.loss = 0.0
        self.steps = 0

    def sigma(self, f: np.float32) -> np.float32:
        return F32(self.table[int(np.floor((f + F32(MAX_EXP)) * F32(SIGMOID_SCALE)))])

    def predict(self, h: FloatArray, word: int, alpha: np.float32, rng: Lcg) -> FloatArray:
        """One prediction step: input ``h``, target ``word``; returns the error ``e`` for syn0.

        The output rows are updated in place. Within one step each output row is read and written
        once (an HS path never repeats a node), so the step is a few vector operations; only a
        negative drawn twice in one step needs the sequential loop, which we then run literally.
        """
        e = np.zeros_like(h)
        self.steps += 1
        if self.hs and self.syn1 is not None and len(self.points[word]):
            points, codes = self.points[word], self.codes[word]
            rows = self.syn1[points]
            f = rows @ h
            trained = np.abs(f) < F32(MAX_EXP)  # word2vec.c skips nodes with |f| >= 6
            g = np.zeros(len(points), np.float32)
            for d in np.flatnonzero(trained).tolist():
                s = self.sigma(f[d])
                g[d] = (F32(1) - F32(codes[d]) - s) * alpha
                self.loss += _neg_log_sigmoid((1.0 - 2.0 * float(codes[d])) * float(f[d]))
            e += g @ rows
            self.syn1[points] = rows + np.outer(g, h)
        if self.negative > 0 and self.syn1neg is not None and self.cum_table is not None:
            targets, labels = [word], [1]
            for _ in range(self.negative):
                r = (rng.advance() >> 16) % int(self.cum_table[-1])
                t = int(np.searchsorted(self.cum_table, r, side="left"))  # bisect_left
                if t != word:  # a draw of the target itself is skipped, not redrawn
                    targets.append(t)
                    labels.append(0)
            if len(set(targets)) == len(targets):
                e += self._ns_vectorized(h, targets, labels, alpha)
            else:
                e += self._ns_sequential(h, targets, labels, alpha)
        return e

    def _ns_g(self, f: np.float32, label: int, alpha: np.float32) -> np.float32:
        fc = min(max(float(f), -MAX_EXP), MAX_EXP)
        self.loss += _neg_log_sigmoid(fc if label else -fc)
        if f > MAX_EXP:
            return F32(label - 1) * alpha
        if f < -MAX_EXP:
            return F32(label) * alpha
        return (F32(label) - self.sigma(f)) * alpha

    def _ns_vectorized(
        self, h: FloatArray, targets: list[int], labels: list[int], alpha: np.float32
    ) -> FloatArray:
        assert self.syn1neg is not None
        rows = self.syn1neg[targets]
        f = rows @ h
        g = np.array([self._ns_g(f[d], labels[d], alpha) for d in range(len(targets))], F32)
        self.syn1neg[targets] = rows + np.outer(g, h)
        return np.asarray(g @ rows, dtype=np.float32)

    def _ns_sequential(
        self, h: FloatArray, targets: list[int], labels: list[int], alpha: np.float32
    ) -> FloatArray:
        assert self.syn1neg is not None
        e = np.zeros_like(h)
        for t, label in zip(targets, labels, strict=True):
            f = F32(self.syn1neg[t] @ h)
            g = self._ns_g(f, label, alpha)
            e += g * self.syn1neg[t]
            self.syn1neg[t] += g * h
        return e


def train_word2vec(
    sentences: list[list[str]],
    *,
    sg: bool,
    vector_size: int = 100,
    window: int = 5,
    negative: int = 5,
    hs: bool = False,
    sample: float = 1e-3,
    min_count: int = 5,
    alpha: float | None = None,
    min_alpha: float | None = None,
    epochs: int = 5,
    seed: int = 1,
    cbow_mean: bool = True,
    max_final_vocab: int | None = None,
    initial: ReferenceWord2VecResult | None = None,
) -> ReferenceWord2VecResult:
    """Train word2vec exactly as ``docs/word2vec.md`` defines it, single-threaded.

    Args:
        sentences: the corpus, a list of tokenized sentences.
        sg: skip-gram if true, else CBOW.
        vector_size: dimension of the vectors.
        window: maximum distance between a word and its context.
        negative: negatives per target (0 disables negative sampling).
        hs: train hierarchical softmax too.
        sample: subsampling threshold (0 disables).
        min_count: minimum count of a vocabulary word.
        alpha: initial learning rate (default 0.025 skip-gram, 0.05 CBOW).
        min_alpha: final learning rate (default ``0.0001 * alpha``).
        epochs: passes over the corpus.
        seed: random seed.
        cbow_mean: CBOW averages the context vectors (else sums them).
        max_final_vocab: keep at most this many words.
        initial: continue training this model (its vocabulary and weights, updated in place)
            instead of building a vocabulary and initialising fresh vectors.

    Returns:
        The vocabulary, counts, trained weights, and per-epoch mean loss.

    Raises:
        ConfigError: a parameter outside its domain.
        EmptyCorpusError: no word reaches ``min_count``.

    Example:
        >>> s = [["a", "b", "c", "d"]] * 50
        >>> r = train_word2vec(s, sg=False, vector_size=4, window=1, negative=1, hs=True,
        ...                    sample=0.0, min_count=1, epochs=2, seed=7)
        >>> r.syn1.shape, len(r.losses)
        ((3, 4), 2)
    """
    if vector_size < 1 or window < 1 or negative < 0 or epochs < 1 or min_count < 1:
        raise ConfigError(
            "vector_size, window, epochs and min_count must be >= 1 and negative >= 0"
        )
    if sample < 0:
        raise ConfigError(f"sample must be >= 0, got {sample}")
    if not hs and negative == 0:
        raise ConfigError("nothing to train: enable hs or set negative > 0")
    if max_final_vocab is not None and max_final_vocab < 1:
        raise ConfigError(f"max_final_vocab must be >= 1, got {max_final_vocab}")
    start_alpha = alpha if alpha is not None else (0.025 if sg else 0.05)
    end_alpha = min_alpha if min_alpha is not None else 0.0001 * start_alpha

    pieces = _pieces(sentences)
    if initial is None:
        keys, counts = build_vocab(pieces, min_count, max_final_vocab)
        if not keys:
            raise EmptyCorpusError(f"no word occurs at least min_count={min_count} times")
        syn0 = init_vectors(len(keys), vector_size, seed)
    else:
        keys, counts, syn0 = initial.keys, initial.counts, initial.syn0
        if syn0.shape[1] != vector_size:
            raise ConfigError(f"initial vectors have dim {syn0.shape[1]}, not {vector_size}")
    index = {w: i for i, w in enumerate(keys)}
    train_words = int(counts.sum())
    trainer = _Trainer(syn0, counts, vector_size, negative, hs)
    if initial is not None:
        # Continued training keeps the output layers learned so far.
        if negative > 0 and initial.syn1neg is not None:
            trainer.syn1neg = initial.syn1neg
        if hs and initial.syn1 is not None:
            trainer.syn1 = initial.syn1
    rng = Lcg(seed)  # thread 0 of 1 starts at seed + 0

    # Subsampling: keep probability per word, float64 (word2vec.c's formula).
    threshold = sample * train_words
    keep_prob = [
        (math.sqrt(c / threshold) + 1) * threshold / c if sample > 0 else 1.0
        for c in counts.tolist()
    ]

    def learning_rate(done: int) -> np.float32:
        a = start_alpha - (start_alpha - end_alpha) * done / (epochs * train_words)
        return F32(max(a, end_alpha))

    words_read = 0
    losses: list[float] = []
    for _epoch in range(epochs):
        trainer.loss, trainer.steps = 0.0, 0
        cur_alpha = learning_rate(words_read)
        last_refresh = words_read
        for sentence in pieces:
            if words_read - last_refresh >= ALPHA_REFRESH_WORDS:
                cur_alpha = learning_rate(words_read)
                last_refresh = words_read
            # 1. Read the sentence: drop unknown words (no draw), subsample the others.
            sen: list[int] = []
            for word in sentence:
                i = index.get(word)
                if i is None:
                    continue
                words_read += 1
                if sample > 0:
                    r = (rng.advance() >> 48) / 65536.0
                    if keep_prob[i] < r:
                        continue
                sen.append(i)
            # 2. Train every position with a random window shrink b.
            for pos, word_id in enumerate(sen):
                b = rng.advance() % window
                span = window - b
                context = [
                    sen[c]
                    for c in range(max(0, pos - span), min(len(sen), pos + span + 1))
                    if c != pos
                ]
                if not context:
                    continue
                if sg:
                    for c in context:
                        e = trainer.predict(syn0[c], word_id, cur_alpha, rng)
                        syn0[c] += e
                else:
                    h = np.zeros(vector_size, np.float32)
                    for c in context:
                        h += syn0[c]
                    if cbow_mean:
                        h /= F32(len(context))
                    e = trainer.predict(h, word_id, cur_alpha, rng)
                    for c in context:
                        syn0[c] += e
        losses.append(trainer.loss / trainer.steps if trainer.steps else 0.0)

    return ReferenceWord2VecResult(
        keys=keys,
        counts=counts,
        syn0=syn0,
        syn1neg=trainer.syn1neg,
        syn1=trainer.syn1,
        losses=losses,
    )
