"""fastText's subword skip-gram and CBOW, written to be read: the numpy reference of
``docs/fasttext.md``.

fastText (Bojanowski et al. 2017) is word2vec with one change at the input layer: a word is
represented not by one row but by the mean of several rows of the input matrix ``wi`` -- the word's
own row and one row per character n-gram of the word, found by hashing the n-gram into ``bucket``
rows after the ``nwords`` word rows. Everything else (the vocabulary, the random generator,
subsampling, window draws, negative sampling or hierarchical softmax, the learning-rate schedule)
is word2vec's as ``docs/word2vec.md`` defines it, so this module reuses
:mod:`subwordx.reference.word2vec` for it and writes out only what fastText adds:

1. **Hashing** (:func:`fasttext_hash`): 32-bit FNV-1a over the n-gram's UTF-8 bytes, *each byte
   sign-extended as a C ``signed char``* -- fastText's quirk, which we must reproduce to read and
   write its ``.bin`` files.
2. **N-grams** (:func:`ngram_ids`): the word wrapped in ``<`` and ``>``, every run of ``min_n`` to
   ``max_n`` characters, in order of start then length; the lone ``<``/``>`` are left out.
3. **The update** (:func:`train_fasttext`): ``h`` is the mean of the input rows; the output layer
   (word2vec's) gives the error ``e``; ``e`` is added to *every* input row (a row listed twice gets
   it twice). Skip-gram predicts each context word from the centre word's subwords; CBOW predicts
   the centre word from the pooled subwords of all context words.

With one thread and the same seed the Rust core makes the same draws in the same order, so the
vectors agree within float32 round-off (the dot products sum in a different order).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from subwordx.errors import ConfigError, EmptyCorpusError
from subwordx.reference.word2vec import (
    ALPHA_REFRESH_WORDS,
    F32,
    Lcg,
    _pieces,
    _Trainer,
    build_vocab,
    init_vectors,
)

FloatArray = npt.NDArray[np.float32]


def fasttext_hash(data: bytes) -> int:
    """fastText's FNV-1a: ``h = (h ^ uint32(int8(byte))) * 16777619`` from ``2166136261``.

    Example:
        >>> fasttext_hash(b"a") == 0xE40C292C   # ASCII: plain FNV-1a
        True
        >>> hex(fasttext_hash("é".encode()))   # bytes >= 0x80 are sign-extended first
        '0x3cfa68c1'

    """
    h = 2166136261
    for byte in data:
        # The quirk: the byte is read as a signed char and sign-extended to 32 bits, so 0xC3
        # XORs 0xFFFFFFC3.
        signed = byte - 256 if byte >= 0x80 else byte
        h ^= signed & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams of ``<word>``, by start position then length.

    Example:
        >>> ngrams("ab", 3, 6)
        ['<ab', '<ab>', 'ab>']
    """
    chars = "<" + word + ">"
    out = []
    for i in range(len(chars)):
        for n in range(1, max_n + 1):
            if i + n > len(chars):
                break
            # fastText never emits the lone "<" or ">" (only reachable with min_n == 1).
            if n >= min_n and not (n == 1 and (i == 0 or i + n == len(chars))):
                out.append(chars[i : i + n])
    return out


def ngram_ids(word: str, nwords: int, min_n: int, max_n: int, bucket: int) -> list[int]:
    """Rows of the n-grams of ``word``: ``nwords + hash % bucket`` (none when ``max_n == 0``, and
    none for fastText's end-of-sentence token ``</s>``, which fastText never splits)."""
    if max_n == 0 or bucket == 0 or word == "</s>":
        return []
    return [nwords + fasttext_hash(g.encode("utf-8")) % bucket for g in ngrams(word, min_n, max_n)]


@dataclass
class ReferenceFastTextResult:
    """What :func:`train_fasttext` returns."""

    keys: list[str]
    counts: npt.NDArray[np.int64]
    wi: FloatArray
    wo: FloatArray
    losses: list[float]


def train_fasttext(
    sentences: list[list[str]],
    *,
    sg: bool = True,
    vector_size: int = 100,
    window: int = 5,
    negative: int = 5,
    hs: bool = False,
    sample: float = 1e-4,
    min_count: int = 5,
    alpha: float = 0.05,
    min_alpha: float = 0.0,
    epochs: int = 5,
    seed: int = 1,
    min_n: int = 3,
    max_n: int = 6,
    bucket: int = 2_000_000,
    ns_exponent: float = 0.5,
) -> ReferenceFastTextResult:
    """Train fastText's skip-gram or CBOW exactly as ``docs/fasttext.md`` defines it.

    Example:
        >>> r = train_fasttext([["ab", "cd", "ab"]] * 20, vector_size=4, min_count=1,
        ...                    sample=0.0, epochs=1, bucket=10)
        >>> r.wi.shape, r.wo.shape
        ((12, 4), (2, 4))
    """
    if vector_size < 1 or window < 1 or epochs < 1 or min_count < 1:
        raise ConfigError("vector_size, window, epochs and min_count must be >= 1")
    if hs == (negative > 0):
        raise ConfigError("one output layer: negative > 0, or hs with negative == 0")
    pieces = _pieces(sentences)
    keys, counts = build_vocab(pieces, min_count)
    if not keys:
        raise EmptyCorpusError(f"no word occurs at least min_count={min_count} times")
    nwords = len(keys)
    index = {w: i for i, w in enumerate(keys)}
    # 1. The input matrix: word rows then bucket rows, all drawn as word2vec draws syn0.
    wi = init_vectors(nwords + bucket, vector_size, seed)
    # 2. Each vocabulary word's subwords: its own row, then its n-grams' rows.
    subwords = [[i, *ngram_ids(w, nwords, min_n, max_n, bucket)] for i, w in enumerate(keys)]
    # 3. The output layer is word2vec's (syn1neg or syn1, zero at the start).
    # Negatives by count^0.5, fastText's table (word2vec draws by count^0.75).
    trainer = _Trainer(wi, counts, vector_size, negative, hs, ns_exponent)
    rng = Lcg(seed)
    train_words = int(counts.sum())
    threshold = sample * train_words
    keep_prob = [
        (math.sqrt(c / threshold) + 1) * threshold / c if sample > 0 else 1.0
        for c in counts.tolist()
    ]

    def learning_rate(done: int) -> np.float32:
        a = alpha - (alpha - min_alpha) * done / (epochs * train_words)
        return F32(max(a, min_alpha))

    def update(inputs: Sequence[int], target: int, lr: np.float32) -> None:
        # h: the mean of the input rows, summed in order, then scaled by 1/n (as fastText).
        h = np.zeros(vector_size, np.float32)
        for r in inputs:
            h += wi[r]
        h *= F32(1) / F32(len(inputs))
        e = trainer.predict(h, target, lr, rng)
        # Every input row gets the whole error; np.add.at adds twice to a row listed twice.
        np.add.at(wi, list(inputs), e)

    words_read = 0
    losses: list[float] = []
    for _epoch in range(epochs):
        trainer.loss, trainer.steps = 0.0, 0
        lr = learning_rate(words_read)
        last_refresh = words_read
        for sentence in pieces:
            if words_read - last_refresh >= ALPHA_REFRESH_WORDS:
                lr = learning_rate(words_read)
                last_refresh = words_read
            sen: list[int] = []
            for word in sentence:
                i = index.get(word)
                if i is None:
                    continue
                words_read += 1
                if sample > 0 and keep_prob[i] < (rng.advance() >> 48) / 65536.0:
                    continue
                sen.append(i)
            for pos, word_id in enumerate(sen):
                span = window - rng.advance() % window
                context = [
                    c for c in range(max(0, pos - span), min(len(sen), pos + span + 1)) if c != pos
                ]
                if sg:
                    for c in context:
                        update(subwords[word_id], sen[c], lr)
                elif context:
                    pooled = [r for c in context for r in subwords[sen[c]]]
                    update(pooled, word_id, lr)
        losses.append(trainer.loss / trainer.steps if trainer.steps else 0.0)

    if negative > 0:
        assert trainer.syn1neg is not None
        wo = trainer.syn1neg
    else:
        # Hierarchical softmax: row k is inner node k; fastText's matrix has nwords rows.
        assert trainer.syn1 is not None
        wo = np.vstack([trainer.syn1, np.zeros((1, vector_size), np.float32)])
    return ReferenceFastTextResult(keys=keys, counts=counts, wi=wi, wo=wo, losses=losses)
