"""GloVe, written to be read: the numpy reference of ``docs/glove.md``.

GloVe (Pennington, Socher and Manning 2014) fits word vectors to the logarithm of global
co-occurrence counts. This module is the executable form of ``docs/glove.md``: the Rust core
(``rust/subwordx-core/src/embeddings/{cooccur,glove}.rs``) follows the same text, so

* the co-occurrence table is *identical* (sums are kept as integers, see :func:`weights`), and
* with one thread and the same seed the vectors agree within float32 round-off (the core's dot
  product sums in eight lanes with FMA; numpy sums pairwise).

It is slow (a Python loop over the table's entries) and single-threaded: use it on small corpora,
to check the core, and to learn how GloVe works.

The algorithm, step by step:

1. **Vocabulary** (:func:`build_vocab`): count words; keep those seen ``min_count`` times; sort by
   count descending, ties by the word; keep the ``max_vocab`` first.
2. **Co-occurrences** (:func:`count_cooccurrences`): out-of-vocabulary words are dropped, then in
   every line each word ``b`` meets the ``window`` words before it: ``X[a, b] += 1/d`` for the word
   ``a`` at distance ``d`` (and ``X[b, a] += 1/d`` when ``symmetric``). A line break and the end of
   a file end the window.
3. **Parameters** (:func:`init_parameters`): ``W``, ``b``, ``W~``, ``b~`` uniform in
   ``[-0.5/dim, 0.5/dim)`` from word2vec's generator (:class:`Lcg`), every AdaGrad sum at 1.
4. **Shuffle** (:func:`shuffle`): the table, sorted by (row, column), is shuffled once.
5. **Training** (:func:`train_epoch`): for each entry, a weighted least-squares step with AdaGrad.

Example:
    >>> lines = [["a", "b", "c", "a", "b"]] * 3
    >>> words, counts = build_vocab(lines, min_count=1)
    >>> words
    ['a', 'b', 'c']
    >>> rows, cols, x = count_cooccurrences(lines, words, window=2)
    >>> [(words[r], words[c], float(v)) for r, c, v in zip(rows, cols, x)][:2]
    [('a', 'a', 1.5), ('a', 'b', 6.0)]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from subwordx.reference.word2vec import Lcg

GRAD_CLIP = np.float32(100.0)


# ---------------------------------------------------------------------------- 1. vocabulary
def build_vocab(
    lines: Iterable[Sequence[str]], min_count: int = 5, max_vocab: int | None = None
) -> tuple[list[str], list[int]]:
    """Words with ``count >= min_count``, most frequent first (ties: the word, ascending), at
    most ``max_vocab`` of them; and their counts."""
    counts = Counter(w for line in lines for w in line)
    items = sorted(
        ((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0])
    )
    if max_vocab is not None:
        items = items[:max_vocab]
    return [w for w, _ in items], [c for _, c in items]


# ---------------------------------------------------------------------------- 2. co-occurrences
def weights(window: int) -> tuple[int, list[int]]:
    """The integer weights of distances ``1..window`` and their scale ``S``.

    Adding ``1/d`` in floating point gives sums that depend on the order of the additions. Instead
    every weight is the integer ``S / d`` with ``S = lcm(1..window)`` (exact while that is at most
    2**32, i.e. ``window <= 22``; beyond, ``S = 2**32`` and ``S / d`` is rounded to the nearest
    integer), the sums are integers, and a cell's value is ``sum / S``.
    """
    scale = 1
    for d in range(1, window + 1):
        scale = scale * d // math.gcd(scale, d)
        if scale > 2**32:
            scale = 2**32
            return scale, [(scale + d // 2) // d for d in range(1, window + 1)]
    return scale, [scale // d for d in range(1, window + 1)]


def count_cooccurrences(
    lines: Iterable[Sequence[str]],
    words: Sequence[str],
    window: int = 10,
    symmetric: bool = True,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.float32]]:
    """The co-occurrence table as ``(rows, cols, x)``, sorted by (row, col).

    ``lines`` are the corpus's lines (a file's end also ends a line). The row is the earlier word
    (the left context), the column the later one; ``symmetric`` adds the mirrored cell too.
    """
    index = {w: i for i, w in enumerate(words)}
    scale, weight = weights(window)
    sums: dict[tuple[int, int], int] = {}
    for line in lines:
        history: list[int] = []  # the vocabulary ids of this line so far (only the last `window`)
        for word in line:
            b = index.get(word)
            if b is None:
                continue  # dropped before windows are formed
            for d in range(1, min(window, len(history)) + 1):
                a = history[-d]
                sums[(a, b)] = sums.get((a, b), 0) + weight[d - 1]
                if symmetric:
                    sums[(b, a)] = sums.get((b, a), 0) + weight[d - 1]
            history.append(b)
            if len(history) > window:
                del history[0]
    keys = sorted(sums)
    rows = np.array([k[0] for k in keys], dtype=np.uint32)
    cols = np.array([k[1] for k in keys], dtype=np.uint32)
    # int -> float64 rounds to nearest, the division is IEEE, then round to float32: exactly the
    # core's `(sum as f64 / S as f64) as f32`.
    x = np.array([float(sums[k]) / float(scale) for k in keys], dtype=np.float64).astype(np.float32)
    return rows, cols, x


# ---------------------------------------------------------------------------- 3. parameters
def uniform(rng: Lcg) -> float:
    """The next number in ``[0, 1)``: the generator's top 24 bits over ``2**24``."""
    return (rng.advance() >> 40) / float(1 << 24)


def below(rng: Lcg, k: int) -> int:
    """A uniform integer in ``0..k`` (inclusive) from the generator's top 53 bits."""
    return ((rng.advance() >> 11) * (k + 1)) >> 53


@dataclass
class GloveParameters:
    """Word vectors ``W`` and context vectors ``Wc`` (V x dim), their biases, AdaGrad sums."""

    W: npt.NDArray[np.float32]
    b: npt.NDArray[np.float32]
    Wc: npt.NDArray[np.float32]
    bc: npt.NDArray[np.float32]
    GW: npt.NDArray[np.float32] = field(init=False)
    Gb: npt.NDArray[np.float32] = field(init=False)
    GWc: npt.NDArray[np.float32] = field(init=False)
    Gbc: npt.NDArray[np.float32] = field(init=False)

    def __post_init__(self) -> None:
        # AdaGrad's sums of squared gradients start at 1, so the first step is eta * gradient.
        self.GW = np.ones_like(self.W)
        self.Gb = np.ones_like(self.b)
        self.GWc = np.ones_like(self.Wc)
        self.Gbc = np.ones_like(self.bc)


def init_parameters(vocab_size: int, dim: int, rng: Lcg) -> GloveParameters:
    """C ``glove``'s ``(rand() / RAND_MAX - 0.5) / dim`` with our generator, in C's memory order:
    each word's vector then its bias, for every word; then the same for the context side."""
    sides = []
    for _ in range(2):
        m = np.zeros((vocab_size, dim), np.float32)
        bias = np.zeros(vocab_size, np.float32)
        for i in range(vocab_size):
            for k in range(dim):
                m[i, k] = np.float32((uniform(rng) - 0.5) / dim)
            bias[i] = np.float32((uniform(rng) - 0.5) / dim)
        sides.append((m, bias))
    (W, b), (Wc, bc) = sides
    return GloveParameters(W, b, Wc, bc)


# ---------------------------------------------------------------------------- 4. shuffle
def shuffle(n: int, rng: Lcg) -> list[int]:
    """The order of the table's entries after a Fisher-Yates shuffle from the end (position
    ``k`` swaps with ``below(k)``)."""
    order = list(range(n))
    for k in range(n - 1, 0, -1):
        j = below(rng, k)
        order[k], order[j] = order[j], order[k]
    return order


# ---------------------------------------------------------------------------- 5. training
def weighting(x: npt.NDArray[np.float32], x_max: float, alpha: float) -> npt.NDArray[np.float32]:
    """``f(x) = (x / x_max) ** alpha`` below ``x_max``, else 1 (in float64, stored as float32)."""
    x64 = x.astype(np.float64)
    return np.where(x64 < x_max, (x64 / x_max) ** alpha, 1.0).astype(np.float32)


def train_epoch(
    p: GloveParameters,
    rows: npt.NDArray[np.uint32],
    cols: npt.NDArray[np.uint32],
    log_x: npt.NDArray[np.float32],
    f_x: npt.NDArray[np.float32],
    eta: float,
) -> float:
    """One pass over the (shuffled) entries; returns the mean cost ``0.5 f(x) diff**2``.

    All arithmetic is float32, as in the core; the cost is summed in float64.
    """
    eta32 = np.float32(eta)
    cost = 0.0
    for i, j, lx, fx in zip(rows.tolist(), cols.tolist(), log_x, f_x):
        wi, cj = p.W[i], p.Wc[j]
        diff = np.float32(np.dot(wi, cj)) + p.b[i] + p.bc[j] - lx
        fdiff = fx * diff
        if not (np.isfinite(diff) and np.isfinite(fdiff)):
            continue  # C glove: "Caught NaN in diff ... Skipping update"
        cost += float(np.float32(0.5) * fdiff * diff)
        # Gradient steps, clipped per component, scaled by eta and AdaGrad's 1/sqrt(G).
        t1 = np.clip(fdiff * cj, -GRAD_CLIP, GRAD_CLIP) * eta32
        t2 = np.clip(fdiff * wi, -GRAD_CLIP, GRAD_CLIP) * eta32
        u1 = t1 / np.sqrt(p.GW[i])
        u2 = t2 / np.sqrt(p.GWc[j])
        p.GW[i] += t1 * t1
        p.GWc[j] += t2 * t2
        if np.all(np.isfinite(u1)) and np.all(np.isfinite(u2)):
            p.W[i] -= u1
            p.Wc[j] -= u2
        # The biases: C glove.c's step has no eta (`W[l1 + dim] -= fdiff / sqrt(gradsq)`).
        step_i = fdiff / np.sqrt(p.Gb[i])
        step_j = fdiff / np.sqrt(p.Gbc[j])
        if np.isfinite(step_i):
            p.b[i] -= step_i
        if np.isfinite(step_j):
            p.bc[j] -= step_j
        p.Gb[i] += fdiff * fdiff
        p.Gbc[j] += fdiff * fdiff
    return cost / max(len(rows), 1)


@dataclass
class ReferenceGloveResult:
    """What :func:`train_glove` returns."""

    words: list[str]
    counts: list[int]
    params: GloveParameters
    losses: list[float]
    rows: npt.NDArray[np.uint32]
    cols: npt.NDArray[np.uint32]
    x: npt.NDArray[np.float32]

    def vectors(self, output: str = "sum") -> npt.NDArray[np.float32]:
        """``W + Wc`` (``"sum"``), ``W`` (``"word"``) or ``[W | Wc]`` (``"both"``)."""
        if output == "sum":
            return self.params.W + self.params.Wc
        if output == "word":
            return self.params.W.copy()
        return np.concatenate([self.params.W, self.params.Wc], axis=1)


def train_glove(
    lines: Sequence[Sequence[str]],
    *,
    dim: int = 50,
    window: int = 10,
    symmetric: bool = True,
    epochs: int = 15,
    x_max: float = 100.0,
    alpha: float = 0.75,
    eta: float = 0.05,
    min_count: int = 5,
    max_vocab: int | None = None,
    seed: int = 1,
) -> ReferenceGloveResult:
    """Steps 1-5 on ``lines`` (lists of words; each list is a line, and each file's end ends
    a line)."""
    words, counts = build_vocab(lines, min_count, max_vocab)
    rows, cols, x = count_cooccurrences(lines, words, window, symmetric)
    rng = Lcg(seed)
    params = init_parameters(len(words), dim, rng)
    log_x = np.log(x.astype(np.float64)).astype(np.float32)
    f_x = weighting(x, x_max, alpha)
    order = np.array(shuffle(len(rows), rng), dtype=np.int64)
    s_rows, s_cols, s_log, s_f = rows[order], cols[order], log_x[order], f_x[order]
    losses = [train_epoch(params, s_rows, s_cols, s_log, s_f, eta) for _ in range(epochs)]
    return ReferenceGloveResult(words, counts, params, losses, rows, cols, x)


__all__ = [
    "GloveParameters",
    "ReferenceGloveResult",
    "build_vocab",
    "count_cooccurrences",
    "init_parameters",
    "shuffle",
    "train_epoch",
    "train_glove",
    "weighting",
    "weights",
]
