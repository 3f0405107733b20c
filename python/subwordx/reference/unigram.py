"""The Unigram LM, written to be read: the lattice, the encoder and SentencePiece's trainer.

``docs/unigram.md`` defines every step; the Rust core (``rust/subwordx-core/src/models/unigram``)
follows the same steps in the same order, so the two agree on pieces, on scores (to floating
rounding) and on every segmentation, n-best list and seeded sample.

A *lattice* of a word of ``n`` chars has positions ``0..n``; an *edge* is a vocabulary piece
covering chars ``start..end`` with its log-probability. A segmentation is a path from 0 to ``n``::

    word "▁hat"     positions 0 ▁ 1 h 2 a 3 t 4
    edges           ▁(0,1) ▁h(0,2) h(1,2) ha(1,3) a(2,3) at(2,4) t(3,4) ...
    Viterbi         the path with the highest sum of scores
    forward-backward  the probability of each edge over all paths (the E step)
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import struct
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subwordx.errors import ConfigError, EmptyCorpusError, VocabSizeTooSmallError
from subwordx.reference.pipeline import normalizers
from subwordx.reference.sentencepiece import normalizer_steps

if TYPE_CHECKING:
    from subwordx.tokenizer import Tokenizer

__all__ = [
    "Edge",
    "SplitMix64",
    "UnigramModel",
    "digamma",
    "nbest",
    "sample",
    "train",
    "train_tokenizer",
    "viterbi",
]

UNK_PENALTY = 10.0  # an unknown char scores the lowest piece score minus this (SentencePiece)
BLOCK = 1024  # words per E-step block: the Rust core adds its sums in this order
EXPECTED_THRESHOLD = 0.5  # the M step drops pieces expected fewer times
MAX_HYPOTHESES = 1 << 22  # the n-best search's guard against explosive lattices
_MASK = (1 << 64) - 1


# --------------------------------------------------------------------------------------- lattice
@dataclass(frozen=True)
class Edge:
    id: int  # piece id (-1 for an unknown char when the model has no unknown id)
    start: int
    end: int
    score: float
    unknown: bool


def log_add(a: float, b: float) -> float:
    """``log(exp(a) + exp(b))``, exact for ``-inf``."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = (a, b) if a >= b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


class SplitMix64:
    """The seeded uniform source of sampling (docs/unigram.md §5): SplitMix64, the double from
    the top 53 bits."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def next_f64(self) -> float:
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def _by_start(n: int, edges: Sequence[Edge]) -> list[list[int]]:
    starts: list[list[int]] = [[] for _ in range(n + 1)]
    for i, e in enumerate(edges):
        starts[e.start].append(i)
    return starts


def _by_end(n: int, edges: Sequence[Edge]) -> list[list[int]]:
    ends: list[list[int]] = [[] for _ in range(n + 1)]
    for i, e in enumerate(edges):
        ends[e.end].append(i)
    return ends


def _add_float32(a: float, b: float) -> float:
    """``a + b`` in IEEE single precision, as SentencePiece sums its (``float``) scores."""
    return float(struct.unpack("<f", struct.pack("<f", a + b))[0])


def viterbi(n: int, edges: Sequence[Edge], float32: bool = False) -> tuple[list[int], float] | None:
    """The best path (edge indices in text order) and its score. Edges are visited by start
    position, in the order they were made; a strictly better score replaces the best into a
    position, so ties keep the edge that starts first (the longest last piece). ``float32``:
    path scores are summed in single precision, as SentencePiece does for its ``.model`` files
    (two segmentations that tie there may not tie in double precision)."""
    best = [-math.inf] * (n + 1)
    back = [-1] * (n + 1)
    best[0] = 0.0
    starts = _by_start(n, edges)
    for p in range(n):
        if best[p] == -math.inf:
            continue
        for i in starts[p]:
            e = edges[i]
            s = _add_float32(best[p], e.score) if float32 else best[p] + e.score
            if s > best[e.end]:
                best[e.end] = s
                back[e.end] = i
    if n > 0 and back[n] < 0:
        return None
    path: list[int] = []
    p = n
    while p > 0:
        path.append(back[p])
        p = edges[back[p]].start
    path.reverse()
    return path, best[n]


def forward_backward(n: int, edges: Sequence[Edge]) -> tuple[list[float], float]:
    """Each edge's posterior probability and ``log Z``: ``alpha[p]`` sums every path from 0 to
    ``p``, ``beta[p]`` every path from ``p`` to the end; an edge's posterior is
    ``exp(alpha[start] + score + beta[end] - log Z)``."""
    starts = _by_start(n, edges)
    alpha = [-math.inf] * (n + 1)
    alpha[0] = 0.0
    for p in range(n):
        if alpha[p] == -math.inf:
            continue
        for i in starts[p]:
            e = edges[i]
            alpha[e.end] = log_add(alpha[e.end], alpha[p] + e.score)
    beta = [-math.inf] * (n + 1)
    beta[n] = 0.0
    for p in range(n - 1, -1, -1):
        b = -math.inf
        for i in starts[p]:
            e = edges[i]
            b = log_add(b, e.score + beta[e.end])
        beta[p] = b
    z = alpha[n]
    if z == -math.inf:
        return [], z
    return [math.exp(alpha[e.start] + e.score + beta[e.end] - z) for e in edges], z


def nbest(n: int, edges: Sequence[Edge], k: int) -> list[tuple[list[int], float]]:
    """The ``k`` best paths, best first: A* from the end, each partial path (a suffix from
    position ``p``) ranked by its score plus the best prefix score to ``p`` (exact, so complete
    paths come out in order). Ties: the hypothesis pushed first."""
    if k <= 0:
        return []
    starts = _by_start(n, edges)
    ends = _by_end(n, edges)
    best = [-math.inf] * (n + 1)
    best[0] = 0.0
    for p in range(n):
        if best[p] == -math.inf:
            continue
        for i in starts[p]:
            e = edges[i]
            best[e.end] = max(best[e.end], best[p] + e.score)
    out: list[tuple[list[int], float]] = []
    if best[n] == -math.inf:
        return out
    arena: list[tuple[int, int]] = [(-1, -1)]  # (edge, next hypothesis) per hypothesis
    heap: list[tuple[float, int, float, int]] = [(-best[n], 0, 0.0, n)]  # (-fx, seq, gx, pos)
    while heap:
        _, seq, gx, pos = heapq.heappop(heap)
        if pos == 0:
            path = []
            s = seq
            while arena[s][0] != -1:
                path.append(arena[s][0])
                s = arena[s][1]
            out.append((path, gx))
            if len(out) == k:
                break
            continue
        if len(arena) > MAX_HYPOTHESES:
            break
        for i in ends[pos]:
            e = edges[i]
            prefix = best[e.start]
            if prefix == -math.inf:
                continue
            g = gx + e.score
            arena.append((i, seq))
            heapq.heappush(heap, (-(prefix + g), len(arena) - 1, g, e.start))
    return out


def sample(n: int, edges: Sequence[Edge], alpha: float, rng: SplitMix64) -> list[int] | None:
    """One path drawn with probability ``∝ exp(alpha · score)``: forward sums, then from the end
    one uniform draw per step picks the edge into the current position (the first, in the order
    the edges were made, whose cumulative probability exceeds the draw)."""
    starts = _by_start(n, edges)
    ends = _by_end(n, edges)
    fwd = [-math.inf] * (n + 1)
    fwd[0] = 0.0
    for p in range(n):
        if fwd[p] == -math.inf:
            continue
        for i in starts[p]:
            e = edges[i]
            fwd[e.end] = log_add(fwd[e.end], fwd[p] + alpha * e.score)
    if fwd[n] == -math.inf:
        return None
    path: list[int] = []
    p = n
    while p > 0:
        u = rng.next_f64()
        acc = 0.0
        chosen = last_ok = -1
        for i in ends[p]:
            e = edges[i]
            if fwd[e.start] == -math.inf:
                continue
            last_ok = i
            acc += math.exp(fwd[e.start] + alpha * e.score - fwd[p])
            if u < acc:
                chosen = i
                break
        if chosen < 0:
            chosen = last_ok  # rounding: the last reachable edge takes the rest
        if chosen < 0:
            return None
        path.append(chosen)
        p = edges[chosen].start
    path.reverse()
    return path


# ----------------------------------------------------------------------------------------- model
class UnigramModel:
    """Pieces with log-probabilities; ``unk_id`` the unknown token (None: unknown chars are
    dropped); ``byte_fallback``: unknown chars become their ``<0xXX>`` byte pieces."""

    def __init__(
        self,
        pieces: Sequence[tuple[str, float]],
        unk_id: int | None = None,
        byte_fallback: bool = False,
        excluded: Iterable[int] = (),
        reserved: Iterable[int] = (),
        float32_sums: bool = False,
    ) -> None:
        self.pieces = list(pieces)
        self.float32_sums = float32_sums
        self.unk_id = unk_id
        self.byte_fallback = byte_fallback
        self.ids = {p: i for i, (p, _) in enumerate(self.pieces)}
        # Reserved ids (a SentencePiece model's control, byte and unused pieces) are never
        # matched and, as SentencePiece builds its lowest score from NORMAL pieces, do not count
        # towards the unknown char's score either.
        reserved = set(reserved)
        skip = set(excluded) | reserved | ({unk_id} if unk_id is not None else set())
        self.matchable = {p: i for p, i in self.ids.items() if i not in skip and p}
        self.max_len = max((len(p) for p in self.matchable), default=0)
        scores = [s for i, (_, s) in enumerate(self.pieces) if i not in reserved]
        self.min_score = min(scores) if scores else 0.0
        self.byte_ids = [self.ids.get(f"<0x{b:02X}>") for b in range(256)]

    def edges(self, word: str, offset: int = 0) -> list[Edge]:
        """The lattice of ``word``: at each char, every piece starting there (shortest first),
        then an unknown edge of one char when no piece of one char matched."""
        out: list[Edge] = []
        unk = self.unk_id if self.unk_id is not None else -1
        for c in range(len(word)):
            single = False
            for length in range(1, min(self.max_len, len(word) - c) + 1):
                i = self.matchable.get(word[c : c + length])
                if i is not None:
                    single = single or length == 1
                    out.append(Edge(i, offset + c, offset + c + length, self.pieces[i][1], False))
            if not single:
                out.append(
                    Edge(unk, offset + c, offset + c + 1, self.min_score - UNK_PENALTY, True)
                )
        return out

    def emit(
        self, word: str, edges: Sequence[Edge], path: Sequence[int], offset: int = 0
    ) -> list[tuple[int, int, int]]:
        """``(id, start char, end char)`` of a path: runs of unknown chars fused into one unknown
        token, or spelled as byte pieces with ``byte_fallback``."""
        out: list[tuple[int, int, int]] = []
        prev_unknown = False
        for i in path:
            e = edges[i]
            s, t = e.start - offset, e.end - offset
            if e.unknown:
                if self.byte_fallback and all(b is not None for b in self.byte_ids):
                    for b in word[s:t].encode("utf-8"):
                        out.append((self.byte_ids[b] or 0, s, t))
                    prev_unknown = False
                    continue
                if self.unk_id is None:
                    prev_unknown = False
                    continue
                if prev_unknown:
                    out[-1] = (out[-1][0], out[-1][1], t)
                    continue
                out.append((self.unk_id, s, t))
                prev_unknown = True
            else:
                out.append((e.id, s, t))
                prev_unknown = False
        return out

    def tokenize(self, word: str) -> list[tuple[int, int, int]]:
        """The Viterbi tokens of one word."""
        edges = self.edges(word)
        best = viterbi(len(word), edges, self.float32_sums)
        return [] if best is None else self.emit(word, edges, best[0])


# --------------------------------------------------------------------------------------- trainer
def digamma(x: float) -> float:
    """ψ(x): the recurrence ``ψ(x) = ψ(x+1) − 1/x`` up to ``x ≥ 10``, then the asymptotic series."""
    r = 0.0
    while x < 10.0:
        r -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    return (
        r
        + math.log(x)
        - 0.5 / x
        - f
        * (
            1.0 / 12.0
            - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0))))
        )
    )


@dataclass
class Config:
    vocab_size: int = 8000
    special_tokens: Sequence[str] = ("<unk>",)
    unk_token: str = "<unk>"
    seed_size: int = 1_000_000
    max_piece_length: int = 16
    shrinking_factor: float = 0.75
    num_sub_iterations: int = 2
    character_coverage: float = 0.9995
    split_by_script: bool = True
    split_by_number: bool = True
    split_digits: bool = False


def alphabet(words: Sequence[tuple[str, int]], coverage: float) -> list[tuple[str, int]]:
    """Chars by count (then code point), kept until ``coverage`` of all occurrences is covered."""
    freq: dict[str, int] = {}
    for w, n in words:
        for c in w:
            freq[c] = freq.get(c, 0) + n
    chars = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
    total = sum(freq.values())
    kept: list[tuple[str, int]] = []
    acc = 0
    for c, n in chars:
        if kept and acc / total >= coverage:
            break
        acc += n
        kept.append((c, n))
    return kept


def script(c: str, split_by_number: bool) -> str:
    """The script of a char for ``split_by_script`` (SentencePiece's rule with two scripts):
    ``"L"`` for letters (L*), ``"C"`` (common) for everything else; marks (M*) take the script
    before them (``"*"``, any); decimal digits (Nd) are common, or any without
    ``split_by_number``."""
    cat = unicodedata.category(c)
    if cat == "Nd" and not split_by_number:
        return "*"
    if cat[0] == "M":
        return "*"
    return "L" if cat[0] == "L" else "C"


def valid_piece(piece: str, config: Config) -> bool:
    """``▁`` only first; with ``split_digits`` a digit only alone (``▁`` counts); with
    ``split_by_script`` the chars after the ``▁`` of one script (``"*"`` goes with any)."""
    if "\u2581" in piece[1:]:
        return False
    if (
        config.split_digits
        and len(piece) > 1
        and any(unicodedata.category(c) == "Nd" for c in piece)
    ):
        return False
    if not config.split_by_script:
        return True
    body = piece[1:] if piece.startswith("\u2581") else piece
    seen = "*"
    for c in body:
        s = script(c, config.split_by_number)
        if s == "*":
            continue
        if seen == "*":
            seen = s
        elif s != seen:
            return False
    return True


# A word end that is no branching node is a seed from this many occurrences on (the Rust core's
# WORD_END_MIN_FREQ: SentencePiece's suffix array over whole lines sees it as a node once an
# occurrence ends a line, which word counts no longer show; ten occurrences almost always have).
WORD_END_MIN_FREQ = 10


def seed_pieces(
    words: Sequence[tuple[str, int]], chars: Sequence[tuple[str, int]], config: Config
) -> list[tuple[str, float]]:
    """The seed vocabulary (docs/unigram.md §3.2), defined directly: a substring ``s`` of 2..
    ``max_piece_length`` chars is a candidate when it is a node of the suffix tree of the
    distinct words (it occurs at least twice, as suffix starts, and its occurrences are not all
    followed by one same char) or when it is a whole suffix of some word seen at least
    ``WORD_END_MIN_FREQ`` times there; its frequency is the sum of the counts of the words it
    occurs in, per occurrence (a whole suffix alone: of those occurrences that end their word;
    the larger of the two). The Rust core finds the same set with a suffix array."""
    known = {c for c, _ in chars}
    occ: dict[str, list[Any]] = {}  # s -> [suffix starts, weight, next chars, end weight]
    for w, n in words:
        for i in range(len(w)):
            for length in range(2, min(config.max_piece_length, len(w) - i) + 1):
                s = w[i : i + length]
                rec = occ.setdefault(s, [0, 0, set(), 0])
                rec[0] += 1
                rec[1] += n
                if i + length == len(w):
                    rec[2].add(None)
                    rec[3] += n
                else:
                    rec[2].add(w[i + length])
    found: dict[str, int] = {}
    for s, (starts, weight, nexts, end_weight) in occ.items():
        freq = 0
        if starts >= 2 and not (len(nexts) == 1 and None not in nexts):
            freq = weight
        if end_weight >= WORD_END_MIN_FREQ:
            freq = max(freq, end_weight)
        if freq >= 2 and all(c in known for c in s) and valid_piece(s, config):
            found[s] = freq
    cands = sorted(found.items(), key=lambda kv: (-kv[1] * len(kv[0]), kv[0]))
    seeds: list[tuple[str, float]] = [(c, float(n)) for c, n in chars]
    room = max(0, config.seed_size - len(seeds))
    seeds += [(s, float(f * len(s))) for s, f in cands[:room]]
    log_sum = math.log(sum(s for _, s in seeds))
    return [(p, math.log(s) - log_sum) for p, s in seeds]


def e_step(
    model: UnigramModel, words: Sequence[tuple[str, int]], total: int
) -> tuple[list[float], float]:
    """Expected counts (count × posterior, summed per block of words, blocks added in order) and
    the objective ``−Σ count · log Z / Σ count``."""
    expected = [0.0] * len(model.pieces)
    objective = 0.0
    for b in range(0, len(words), BLOCK):
        acc: dict[int, float] = {}
        obj = 0.0
        for w, n in words[b : b + BLOCK]:
            edges = model.edges(w)
            posts, z = forward_backward(len(w), edges)
            for e, p in zip(edges, posts):
                if not e.unknown:
                    acc[e.id] = acc.get(e.id, 0.0) + n * p
            obj -= n * z
        for i, v in acc.items():
            expected[i] += v
        objective += obj
    return expected, objective / total


def m_step(
    pieces: Sequence[tuple[str, float]], expected: Sequence[float]
) -> list[tuple[str, float]]:
    """Drops pieces expected fewer than 0.5 times; the rest score ``ψ(c) − ψ(Σ c)``."""
    kept = [i for i in range(len(pieces)) if expected[i] >= EXPECTED_THRESHOLD]
    log_sum = digamma(sum(expected[i] for i in kept))
    return [(pieces[i][0], digamma(expected[i]) - log_sum) for i in kept]


def prune(
    pieces: Sequence[tuple[str, float]],
    words: Sequence[tuple[str, int]],
    total: int,
    desired: int,
    shrinking_factor: float,
) -> list[tuple[str, float]]:
    """One pruning round: the loss of each piece is the likelihood lost if its Viterbi uses were
    re-segmented by its alternative (the second-best segmentation of its own string)."""
    model = UnigramModel(pieces)
    # 1. Each piece: its own best segmentation and its alternative.
    info: list[tuple[bool, bool, list[int]]] = []
    for p, _ in pieces:
        edges = model.edges(p)
        nb = nbest(len(p), edges, 2)
        if len(nb) <= 1:
            info.append((True, False, []))
        elif len(nb[0][0]) >= 2:
            info.append((False, False, []))  # never its own best segmentation
        else:
            alt = [-1 if edges[i].unknown else edges[i].id for i in nb[1][0]]
            info.append((True, True, alt))
    # 2. Viterbi frequencies over the corpus.
    freq = [0] * len(pieces)
    for w, n in words:
        edges = model.edges(w)
        best = viterbi(len(w), edges)
        for i in best[0] if best else []:
            if not edges[i].unknown:
                freq[edges[i].id] += n
    fsum = sum(float(f) for f in freq)
    log_sum = math.log(fsum)
    keep: list[int] = []
    candidates: list[tuple[int, float]] = []
    for i, (p, _) in enumerate(pieces):
        always, has_alt, alt = info[i]
        if len(p) == 1:
            keep.append(i)  # single chars always stay
        elif freq[i] == 0 or not always:
            pass  # unused: removed
        elif not has_alt:
            keep.append(i)
        else:
            f = float(freq[i])
            share = f / total
            logprob = math.log(f) - log_sum
            log_sum_alt = math.log(fsum + f * (len(alt) - 1.0))
            logprob_alt = 0.0
            for a in alt:
                fa = 0.0 if a < 0 else float(freq[a])
                logprob_alt += math.log(fa + f) - log_sum_alt
            candidates.append((i, share * (logprob - logprob_alt)))
    target = max(desired, int(shrinking_factor * len(pieces)))
    candidates.sort(key=lambda c: (-c[1], c[0]))
    for i, _ in candidates:
        if len(keep) >= target:
            break
        keep.append(i)
    return [pieces[i] for i in sorted(keep)]


def finalize(
    pieces: Sequence[tuple[str, float]],
    chars: Sequence[tuple[str, int]],
    specials: Sequence[str],
    piece_target: int,
) -> list[tuple[str, float]]:
    """Every alphabet char (a missing one scores the lowest score minus 1e-4 · k), then the best
    pieces; specials first (score 0), then by score (ties: code point order)."""
    index = dict(pieces)
    min_score = min(s for _, s in pieces)
    chosen: dict[str, float] = {}
    missing = 0
    for c, _ in chars:
        if c in specials:
            continue
        if c in index:
            chosen[c] = index[c]
        else:
            missing += 1
            chosen[c] = min_score - 1e-4 * missing
    for p, s in sorted(pieces, key=lambda ps: (-ps[1], ps[0])):
        if len(chosen) >= piece_target:
            break
        if p in specials or p in chosen:
            continue
        chosen[p] = s
    out = sorted(chosen.items(), key=lambda ps: (-ps[1], ps[0]))
    return [(s, 0.0) for s in specials] + out


def train(counts: Mapping[str, int], config: Config) -> list[tuple[str, float]]:
    """SentencePiece's Unigram training on pre-tokenized word counts: the pieces (id order) with
    their scores; the unknown token is id 0."""
    specials = [] if config.unk_token in config.special_tokens else [config.unk_token]
    for t in config.special_tokens:
        if t not in specials:
            specials.append(t)
    words = sorted((w, n) for w, n in counts.items() if n > 0 and w)
    if not words:
        raise EmptyCorpusError("empty corpus: no words to learn from")
    total = sum(n for _, n in words)
    chars = alphabet(words, config.character_coverage)
    minimum = len(chars) + len(specials)
    if config.vocab_size < minimum:
        raise VocabSizeTooSmallError(
            f"vocabulary size {config.vocab_size} is too small: {len(chars)} chars and "
            f"{len(specials)} special tokens (at least {minimum} needed)"
        )
    pieces = seed_pieces(words, chars, config)
    piece_target = config.vocab_size - len(specials)
    desired = int(piece_target * 1.1)
    while True:
        for _ in range(config.num_sub_iterations):
            expected, _objective = e_step(UnigramModel(pieces), words, total)
            pieces = m_step(pieces, expected)
        if len(pieces) <= desired:
            break
        before = len(pieces)
        pieces = prune(pieces, words, total, desired, config.shrinking_factor)
        if len(pieces) >= before:
            break
    return finalize(pieces, chars, specials, piece_target)


# --------------------------------------------------------------------------- the whole tokenizer
@functools.lru_cache(maxsize=1)
def nfkc_charsmap() -> bytes:
    """The NFKC charsmap the Rust core builds (``subwordx/data/nfkc.charsmap``, its README)."""
    return (Path(__file__).resolve().parent.parent / "data" / "nfkc.charsmap").read_bytes()


def pipeline_normalizer(nfkc: bool, prepend_scheme: str) -> list[dict[str, Any]]:
    """The normalizer steps (HF JSON) of the trained pipeline (Rust ``unigram_normalizer``):
    SentencePiece's (charsmap, extra spaces removed, dummy ``▁`` prefix, spaces escaped) for
    ``always``; NFKC or nothing for ``first``."""
    if prepend_scheme == "always":
        return normalizer_steps(nfkc_charsmap() if nfkc else None, True, True, True, False)
    return [{"type": "NFKC"}] if nfkc else []


def split_at_spaces(text: str) -> list[str]:
    """A normalized text cut before each ``▁``: the words counted for training."""
    out: list[str] = []
    for i, c in enumerate(text):
        if c == "\u2581" or i == 0:
            out.append(c)
        else:
            out[-1] += c
    return out


def _metaspace_pieces(text: str, nfkc: bool) -> list[str]:
    """SentencePiece's whitespace rule, as the Metaspace pre-tokenizer (prepend ``first``)."""
    if nfkc:
        text = unicodedata.normalize("NFKC", text)
    text = text.replace(" ", "\u2581")
    if not text.startswith("\u2581"):
        text = "\u2581" + text
    return split_at_spaces(text)


def tokenizer_document(
    pieces: Sequence[tuple[str, float]], specials: Sequence[str], nfkc: bool, prepend_scheme: str
) -> dict[str, Any]:
    """HF's ``tokenizer.json`` of a trained model in SentencePiece's pipeline (the Rust core's
    ``Tokenizer::unigram``): for ``always``, SentencePiece's own (scores rounded to ``float``,
    one Viterbi over the whole text summed in single precision, its decoder); for ``first``,
    HF's ``Metaspace`` pipeline."""
    steps = pipeline_normalizer(nfkc, prepend_scheme)
    metaspace = {
        "type": "Metaspace",
        "replacement": "\u2581",
        "prepend_scheme": prepend_scheme,
        "split": True,
    }
    always = prepend_scheme == "always"
    unk = pieces[0][0]
    decoder: dict[str, Any] = metaspace
    if always:
        decoder = {
            "type": "Sequence",
            "decoders": [
                {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0},
                {"type": "Replace", "pattern": {"String": unk}, "content": " \u2047 "},
            ],
        }
    model: dict[str, Any] = {
        "type": "Unigram",
        "unk_id": 0,
        "vocab": [
            [p, struct.unpack("<f", struct.pack("<f", s))[0] if always else s] for p, s in pieces
        ],
        "byte_fallback": False,
    }
    if always:
        model["float32_sums"] = True
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": i,
                "content": s,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for i, s in enumerate(specials)
        ],
        "normalizer": {"type": "Sequence", "normalizers": steps}
        if len(steps) > 1
        else (steps[0] if steps else None),
        "pre_tokenizer": None if always else metaspace,
        "post_processor": None,
        "decoder": decoder,
        "model": model,
    }


def train_tokenizer(
    files: Any,
    texts: Iterable[str] | None,
    counts: Mapping[str, int] | None,
    settings: Mapping[str, Any],
    errors: str,
) -> Tokenizer:
    """``subwordx.train_unigram`` on the reference backend."""
    from subwordx.reference.pipeline_backend import ReferenceBackend
    from subwordx.tokenizer import Tokenizer, _as_paths

    nfkc = bool(settings["nfkc"])
    scheme = settings["prepend_scheme"]
    if scheme not in ("always", "first"):
        raise ConfigError("prepend_scheme must be 'always' or 'first'")
    words: dict[str, int] = {}
    steps = pipeline_normalizer(nfkc, scheme)
    normalizer = normalizers.from_json({"type": "Sequence", "normalizers": steps})

    def add_line(line: str) -> None:
        if not line:
            return
        if scheme == "always":
            assert normalizer is not None
            cut = split_at_spaces(normalizer.normalize_str(line))
        else:
            cut = _metaspace_pieces(line, nfkc)
        for p in cut:
            words[p] = words.get(p, 0) + 1

    if files is not None:
        for path in _as_paths(files):
            data = Path(path).read_bytes().decode("utf-8", errors=errors)
            for line in data.split("\n"):
                add_line(line)
    elif texts is not None:
        for t in texts:
            for line in t.split("\n"):
                add_line(line)
    else:
        words = dict(counts or {})
    config = Config(
        vocab_size=settings["vocab_size"],
        special_tokens=tuple(settings["special_tokens"]),
        unk_token=settings["unk_token"],
        seed_size=settings["seed_size"],
        max_piece_length=settings["max_piece_length"],
        shrinking_factor=settings["shrinking_factor"],
        num_sub_iterations=settings["num_sub_iterations"],
        character_coverage=settings["character_coverage"],
        split_by_number=settings["split_by_number"],
        split_digits=settings["split_digits"],
        split_by_script=settings["split_by_script"],
    )
    pieces = train(words, config)
    specials = [p for p, _ in pieces[: len(pieces)] if p in settings["special_tokens"]]
    doc = tokenizer_document(pieces, specials, nfkc, settings["prepend_scheme"])
    return Tokenizer(ReferenceBackend.from_hf_json(json.dumps(doc), "<trained>"), False)
