"""Several segmentations of one text in the reference pipeline (docs/unigram.md §5): the n best
and a seeded sample, as the Rust core's ``tokenizer/sampling.rs`` does it.

The pipeline runs once with a model that only records the pieces it is given; their lattices are
joined into one (no edge crosses a piece boundary) and searched or sampled as a whole; the
pipeline runs again with a model that hands back each piece's share of the chosen path, so
offsets and special tokens are those of an ordinary encoding.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from subwordx.errors import ConfigError
from subwordx.reference.pipeline.unigram_model import Unigram
from subwordx.reference.unigram import Edge, SplitMix64, nbest, sample, viterbi

__all__ = ["encode_nbest", "encode_sample"]


class _Recorder:
    """A model that records each piece and gives no tokens."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.pieces: list[str] = []

    def tokenize(self, piece: str) -> list[tuple[int, int, int]]:
        self.pieces.append(piece)
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


class _Replay:
    """A model that gives the prepared tokens of each piece, in order."""

    def __init__(self, model: Any, parts: list[list[tuple[int, int, int]]]) -> None:
        self.model = model
        self.parts = iter(parts)

    def tokenize(self, piece: str) -> list[tuple[int, int, int]]:
        return next(self.parts, [])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def _unigram(tok: Any, what: str) -> Unigram:
    if not isinstance(tok.model, Unigram):
        raise ConfigError(f"{what} needs a Unigram model; this tokenizer's model is not Unigram")
    return tok.model


def _joined(tok: Any, model: Unigram, text: str) -> tuple[list[str], list[int], list[Edge]]:
    rec = _Recorder(model)
    dataclasses.replace(tok, model=rec).encode(text, None, False)
    offsets: list[int] = []
    edges: list[Edge] = []
    at = 0
    for p in rec.pieces:
        offsets.append(at)
        edges += model.model.edges(p, at)
        at += len(p)
    return rec.pieces, offsets, edges


def _split(
    model: Unigram, pieces: list[str], offsets: list[int], edges: list[Edge], path: Sequence[int]
) -> list[list[tuple[int, int, int]]]:
    out = []
    i = 0
    for piece, offset in zip(pieces, offsets):
        end = offset + len(piece)
        start = i
        while i < len(path) and edges[path[i]].end <= end:
            i += 1
        out.append(model.model.emit(piece, edges, path[start:i], offset))
    return out


def _replay(
    tok: Any, model: Unigram, text: str, parts: list[list[tuple[int, int, int]]], add: bool
) -> Any:
    return dataclasses.replace(tok, model=_Replay(model, parts)).encode(text, None, add)


def encode_nbest(tok: Any, text: str, n: int, add: bool) -> list[tuple[Any, float]]:
    """The ``n`` best encodings of ``text`` with their scores."""
    model = _unigram(tok, "n-best encoding")
    pieces, offsets, edges = _joined(tok, model, text)
    if not pieces:
        return [] if n == 0 else [(_replay(tok, model, text, [], add), 0.0)]
    total = sum(len(p) for p in pieces)
    return [
        (_replay(tok, model, text, _split(model, pieces, offsets, edges, path), add), score)
        for path, score in nbest(total, edges, n)
    ]


def _choose(
    paths: list[tuple[list[int], float]], alpha: float, rng: SplitMix64
) -> list[int] | None:
    if not paths:
        return None
    top = paths[0][1] * alpha
    weights = [math.exp(s * alpha - top) for _, s in paths]
    u = rng.next_f64() * sum(weights)
    acc = 0.0
    for (path, _), w in zip(paths, weights):
        acc += w
        if u < acc:
            return path
    return paths[-1][0]


class _Dropout:
    """A BPE model encoding every piece with BPE-dropout ``p`` from one generator (``p = 0``:
    plain BPE, its ``ignore_merges`` shortcut included, as in HF)."""

    def __init__(self, model: Any, p: float, rng: SplitMix64) -> None:
        self.model = model
        self.p = p
        self.rng = rng

    def tokenize(self, piece: str) -> list[tuple[int, int, int]]:
        if self.p == 0:
            result: list[tuple[int, int, int]] = self.model.tokenize(piece)
            return result
        result = self.model.tokenize_dropout(piece, self.p, self.rng)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def _bpe_dropout(tok: Any, text: str, p: float | None, rng: SplitMix64, add: bool) -> Any:
    """BPE-dropout ``p`` on ``text``, whatever dropout the model has of its own."""
    if p is None:
        raise ConfigError("sampling a BPE model is BPE-dropout: give dropout=p (0 <= p <= 1)")
    if not 0.0 <= p <= 1.0:
        raise ConfigError(f"dropout must be in [0, 1], got {p}")
    sampler = dataclasses.replace(tok, model=_Dropout(tok.model, p, rng), dropout_stream=None)
    return sampler.encode(text, None, add)


def encode_sample(
    tok: Any, text: str, alpha: float, nbest_size: int, dropout: float | None, seed: int, add: bool
) -> Any:
    """One encoding of ``text`` drawn as docs/unigram.md §5 says (Unigram models)."""
    rng = SplitMix64(seed)
    if hasattr(tok.model, "tokenize_dropout"):
        return _bpe_dropout(tok, text, dropout, rng, add)
    if not isinstance(tok.model, Unigram):
        raise ConfigError(
            "sampling needs a Unigram model (alpha, nbest_size) or a BPE model (dropout); "
            "WordPiece has none"
        )
    model = tok.model
    if dropout is not None:
        raise ConfigError(
            "dropout is for BPE models; a Unigram model samples with alpha and nbest_size"
        )
    if not math.isfinite(alpha) or alpha < 0:
        raise ConfigError(f"alpha must be a finite number >= 0, got {alpha}")
    pieces, offsets, edges = _joined(tok, model, text)
    if not pieces:
        return _replay(tok, model, text, [], add)
    total = sum(len(p) for p in pieces)
    path: list[int] | None
    if nbest_size < 0:
        path = sample(total, edges, alpha, rng)
    elif nbest_size in (0, 1):
        best = viterbi(total, edges)
        path = None if best is None else best[0]
    else:
        path = _choose(nbest(total, edges, nbest_size), alpha, rng)
    parts = [] if path is None else _split(model, pieces, offsets, edges, path)
    return _replay(tok, model, text, parts, add)
