"""Word vectors in 2-D: the words asked for, their nearest neighbours, and a PCA of them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from subwordx.embeddings import KeyedVectors
from subwordx.errors import ConfigError

__all__ = ["Projection", "pca_2d", "project_words"]


@dataclass(frozen=True)
class Projection:
    """Points to draw.

    Attributes:
        words: every word drawn: the query words first, then the neighbours not already drawn.
        xy: ``(len(words), 2)`` coordinates.
        query: for each word, the index in ``words`` of the query word it was found for (a
            query word points to itself; a neighbour of several queries to the first).
        explained: the share of the variance of the points that each of the two axes holds.
    """

    words: list[str]
    xy: npt.NDArray[np.float64]
    query: list[int]
    explained: tuple[float, float]


def pca_2d(
    points: npt.NDArray[np.floating],
) -> tuple[npt.NDArray[np.float64], tuple[float, float]]:
    """The first two principal components of the rows of ``points`` (numpy SVD of the centred
    matrix), and the share of the variance each holds.

    The sign of each axis is fixed (its largest coordinate is positive) so that a plot does not
    flip between runs. Fewer than 2 points or dimensions give zeros on the missing axes.
    """
    x = np.asarray(points, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    coords = u * s
    out = np.zeros((x.shape[0], 2))
    k = min(2, coords.shape[1])
    out[:, :k] = coords[:, :k]
    for axis in range(2):
        column = out[:, axis]
        if column.size and column[np.argmax(np.abs(column))] < 0:
            out[:, axis] = -column
    total = float((s**2).sum())
    shares = [float(v**2) / total if total > 0 else 0.0 for v in s[:2]]
    shares += [0.0] * (2 - len(shares))
    return out, (shares[0], shares[1])


def project_words(kv: KeyedVectors, words: Sequence[str], neighbours: int = 5) -> Projection:
    """The query words and each one's ``neighbours`` nearest words (cosine), projected together
    onto their first two principal components.

    Raises:
        ConfigError: no words, a word not in the vocabulary (all of them named), or
            ``neighbours < 0``.
    """
    if not words:
        raise ConfigError("give at least one word to plot")
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or neighbours < 0:
        raise ConfigError(f"neighbours must be an integer >= 0, got {neighbours!r}")
    missing = [w for w in words if w not in kv]
    if missing:
        raise ConfigError(f"not in the vocabulary: {', '.join(missing)}")
    drawn: list[str] = list(dict.fromkeys(words))
    query = list(range(len(drawn)))
    index = {w: i for i, w in enumerate(drawn)}
    if neighbours:
        for q, word in enumerate(list(drawn)):
            for other, _ in kv.most_similar(word, topn=neighbours):
                if other not in index:
                    index[other] = len(drawn)
                    drawn.append(other)
                    query.append(q)
    xy, explained = pca_2d(np.stack([kv[w] for w in drawn]))
    return Projection(drawn, xy, query, explained)
