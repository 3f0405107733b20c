"""Intrinsic evaluation of word vectors: analogies and word-pair similarity.

Two standard benchmarks, with gensim's exact semantics so numbers are comparable:

**Word analogies** (:func:`evaluate_word_analogies`, Mikolov et al. 2013's ``compute-accuracy``):
each question ``a b c d`` asks for the word closest to ``b - a + c``; it is answered correctly when
that word is ``d``. Only the ``restrict_vocab`` most frequent words take part: a question with a
word outside them is skipped (and counted in ``oov_ratio``), and the answer is searched among them,
excluding ``a``, ``b`` and ``c``. With ``case_insensitive`` words are compared upper-cased, and a
word standing for several case variants uses the vector of its first (most frequent) variant.
``3cosadd`` ranks by ``cos(w, unit(b) - unit(a) + unit(c))``; ``3cosmul`` by
``cos'(w, b) cos'(w, c) / (cos'(w, a) + 1e-6)`` with ``cos' = (1 + cos) / 2``
(Levy & Goldberg 2014). Accuracy is ``correct / answered``.

Instead of one ``most_similar`` call per question (minutes on 20k questions), questions are scored
in batches: one ``(batch, dim) x (dim, restrict_vocab)`` matrix product, the three question words
masked, and a partial sort for the top 5 (gensim's candidate list, kept for exact tie semantics).

**Word pairs** (:func:`evaluate_word_pairs`, e.g. WordSim-353): Pearson and Spearman correlation
between human scores and cosine similarities, over the pairs whose two words are known. Spearman
is Pearson on ranks, ties given their average rank (as ``scipy.stats.spearmanr``), implemented here
so that numpy is the only runtime dependency.

Example:
    >>> import numpy as np, tempfile, os, pathlib
    >>> from subwordx.embeddings import KeyedVectors
    >>> v = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]], np.float32)
    >>> kv = KeyedVectors(["man", "king", "woman", "queen"], v)
    >>> p = os.path.join(tempfile.mkdtemp(), "q.txt")
    >>> _ = pathlib.Path(p).write_text(": royalty\\nman king woman queen\\n")
    >>> evaluate_word_analogies(kv, p).accuracy
    1.0
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from subwordx.embeddings.keyed_vectors import KeyedVectors
from subwordx.errors import ConfigError, CorpusError, SubwordxFileNotFoundError

__all__ = [
    "AnalogyResult",
    "AnalogySection",
    "PairResult",
    "evaluate_word_analogies",
    "evaluate_word_pairs",
    "pearson",
    "rankdata",
    "spearman",
]

_TOP = 5  # gensim looks at the 5 best candidates of most_similar
_BATCH = 512


@dataclass
class AnalogySection:
    """One section of an analogy file.

    Attributes:
        name: the section header without ``": "``.
        correct: questions answered correctly.
        total: questions answered (all words known).
    """

    name: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        """``correct / total`` (0 for an empty section)."""
        return self.correct / self.total if self.total else 0.0


@dataclass
class AnalogyResult:
    """Result of :func:`evaluate_word_analogies`.

    Attributes:
        accuracy: correct / answered over all sections (gensim's score).
        sections: per-section counts, in file order.
        correct: questions answered correctly.
        total: questions answered.
        skipped: questions skipped for an unknown word.
        oov_ratio: percentage of questions skipped (as gensim).
    """

    accuracy: float
    sections: list[AnalogySection] = field(default_factory=list)
    correct: int = 0
    total: int = 0
    skipped: int = 0
    oov_ratio: float = 0.0


@dataclass
class PairResult:
    """Result of :func:`evaluate_word_pairs`.

    Attributes:
        pearson: Pearson correlation of model and human similarities.
        spearman: Spearman rank correlation (ties get average ranks).
        oov_ratio: percentage of pairs skipped for an unknown word (as gensim).
        pairs: number of pairs used.
    """

    pearson: float
    spearman: float
    oov_ratio: float
    pairs: int


def _ok_vocab(kv: KeyedVectors, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    ok: dict[str, int] = {}
    for i, key in enumerate(kv.index_to_key[:restrict_vocab]):
        ok.setdefault(key.upper() if case_insensitive else key, i)  # first variant wins
    return ok


def _open_text(path: str | os.PathLike[str]) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except FileNotFoundError as exc:
        raise SubwordxFileNotFoundError(f"no such evaluation file: {os.fspath(path)!r}") from exc


def evaluate_word_analogies(
    kv: KeyedVectors,
    path: str | os.PathLike[str],
    restrict_vocab: int = 30000,
    case_insensitive: bool = True,
    method: Literal["3cosadd", "3cosmul"] = "3cosadd",
) -> AnalogyResult:
    """Accuracy on an analogy file (``questions-words.txt`` format), as gensim.

    Args:
        kv: the vectors.
        path: analogy file: ``": section"`` headers, then ``a b c d`` lines.
        restrict_vocab: only the first (most frequent) words take part.
        case_insensitive: compare words upper-cased.
        method: ``"3cosadd"`` (gensim's ``most_similar``) or ``"3cosmul"``.

    Returns:
        The overall accuracy and per-section counts.

    Raises:
        CorpusError: a question before any section header.
        ConfigError: unknown ``method``.
    """
    if method not in ("3cosadd", "3cosmul"):
        raise ConfigError(f"unknown analogy method {method!r}; use '3cosadd' or '3cosmul'")
    ok = _ok_vocab(kv, restrict_vocab, case_insensitive)
    names: list[str] = []
    questions: list[list[tuple[int, int, int, int]]] = []
    n_questions = 0
    skipped = 0
    for line_no, line in enumerate(_open_text(path)):
        if line.startswith(": "):
            names.append(line.lstrip(": ").strip())
            questions.append([])
            continue
        words = line.split()
        if len(words) != 4:
            continue  # gensim skips invalid lines
        if not names:
            raise CorpusError(f"{os.fspath(path)}: line {line_no + 1}: question before a section")
        if case_insensitive:
            words = [w.upper() for w in words]
        n_questions += 1
        if any(w not in ok for w in words):
            skipped += 1
            continue
        a, b, c, d = (ok[w] for w in words)
        questions[-1].append((a, b, c, d))

    n_ok = min(restrict_vocab, len(kv))
    unit = kv._unit_vectors()[:n_ok]
    canon = np.array(
        [ok[(k.upper() if case_insensitive else k)] for k in kv.index_to_key[:n_ok]],
        dtype=np.int64,
    )
    sections = []
    for name, qs in zip(names, questions, strict=True):
        correct = 0
        for start in range(0, len(qs), _BATCH):
            q = np.array(qs[start : start + _BATCH], dtype=np.int64)
            top = _top_candidates(unit, q, method)
            correct += _count_correct(q, top, canon)
        sections.append(AnalogySection(name, correct, len(qs)))
    total = sum(s.total for s in sections)
    n_correct = sum(s.correct for s in sections)
    return AnalogyResult(
        accuracy=n_correct / total if total else 0.0,
        sections=sections,
        correct=n_correct,
        total=total,
        skipped=skipped,
        oov_ratio=100.0 * skipped / n_questions if n_questions else 0.0,
    )


def _top_candidates(
    unit: npt.NDArray[np.float32], q: npt.NDArray[np.int64], method: str
) -> npt.NDArray[np.int64]:
    """The ``_TOP`` best answers of each question (rows), best first, question words excluded."""
    a, b, c = unit[q[:, 0]], unit[q[:, 1]], unit[q[:, 2]]
    if method == "3cosadd":
        query = (b + c - a) / 3
        query /= np.maximum(np.linalg.norm(query, axis=1, keepdims=True), np.float32(1e-30))
        scores = query @ unit.T
    else:
        ca, cb, cc = ((1 + x @ unit.T) / 2 for x in (a, b, c))
        scores = cb * cc / (ca + np.float32(1e-6))
    rows = np.arange(len(q))[:, None]
    scores[rows, q[:, :3]] = -np.inf
    k = min(_TOP, scores.shape[1])
    part = (
        np.argpartition(-scores, k - 1, axis=1)[:, :k]
        if k < scores.shape[1]
        else np.argsort(-scores, axis=1, kind="stable")[:, :k]
    )
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    # Drop masked (-inf) entries by marking them -1 (only when the vocabulary is tiny).
    top[np.take_along_axis(scores, top, axis=1) == -np.inf] = -1
    return top.astype(np.int64)


def _count_correct(
    q: npt.NDArray[np.int64], top: npt.NDArray[np.int64], canon: npt.NDArray[np.int64]
) -> int:
    """gensim's answer rule: the first candidate not standing for a question word."""
    correct = 0
    for (a, b, c, d), cands in zip(q.tolist(), top.tolist(), strict=True):
        predicted = None
        for cand in cands:
            if cand < 0:
                continue
            predicted = int(canon[cand])  # a case variant stands for its first variant
            if predicted not in (a, b, c):
                break
        correct += predicted == d
    return correct


def rankdata(x: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Ranks 1..n of ``x``; tied values get the average of their ranks (``scipy``'s default).

    Example:
        >>> rankdata([10, 20, 20, 5]).tolist()
        [2.0, 3.5, 3.5, 1.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    order = np.argsort(arr, kind="stable")
    sorted_vals = arr[order]
    # Boundaries of runs of equal values.
    new_run = np.concatenate(([True], sorted_vals[1:] != sorted_vals[:-1]))
    run_id = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    ends = np.concatenate((starts[1:], [len(arr)]))
    avg = (starts + ends + 1) / 2.0  # mean of 1-based ranks start+1 .. end
    ranks = np.empty(len(arr), dtype=np.float64)
    ranks[order] = avg[run_id]
    return ranks


def pearson(
    x: Sequence[float] | npt.NDArray[np.float64], y: Sequence[float] | npt.NDArray[np.float64]
) -> float:
    """Pearson correlation coefficient (``nan`` when a side is constant).

    Example:
        >>> pearson([1, 2, 3], [2, 4, 7]) > 0.99
        True
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    xm, ym = xa - xa.mean(), ya - ya.mean()
    den = math.sqrt(float(np.dot(xm, xm)) * float(np.dot(ym, ym)))
    return float(np.dot(xm, ym)) / den if den > 0 else math.nan


def spearman(
    x: Sequence[float] | npt.NDArray[np.float64], y: Sequence[float] | npt.NDArray[np.float64]
) -> float:
    """Spearman rank correlation: Pearson of average ranks.

    Example:
        >>> round(spearman([1, 2, 3, 4], [10, 20, 30, 25]), 6)
        0.8
    """
    return pearson(rankdata(x), rankdata(y))


def evaluate_word_pairs(
    kv: KeyedVectors,
    path: str | os.PathLike[str],
    delimiter: str = "\t",
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
) -> PairResult:
    """Correlation of cosine similarities with human judgements (WordSim-353 format), as gensim.

    Lines are ``word1<delimiter>word2<delimiter>score``; ``#`` lines and malformed lines are
    skipped, as are pairs with a word outside the first ``restrict_vocab`` words.

    Raises:
        CorpusError: no usable pair at all.
    """
    ok = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold: list[float] = []
    pairs: list[tuple[int, int]] = []
    oov = 0
    for line in _open_text(path):
        if not line or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        if len(parts) != 3:
            continue
        a, b, s = (p.upper() for p in parts) if case_insensitive else parts
        try:
            score = float(s)
        except ValueError:
            continue
        if a not in ok or b not in ok:
            oov += 1
            continue
        gold.append(score)
        pairs.append((ok[a], ok[b]))
    if not pairs:
        raise CorpusError(f"{os.fspath(path)}: no valid word pair with known words")
    unit = kv._unit_vectors()
    idx = np.array(pairs, dtype=np.int64)
    model = np.einsum("ij,ij->i", unit[idx[:, 0]], unit[idx[:, 1]]).astype(np.float64)
    return PairResult(
        pearson=pearson(gold, model),
        spearman=spearman(gold, model),
        oov_ratio=100.0 * oov / (len(pairs) + oov),
        pairs=len(pairs),
    )
