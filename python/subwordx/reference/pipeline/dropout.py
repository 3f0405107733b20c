"""BPE-dropout in the reference pipeline, as the Rust core's ``models/bpe/dropout.rs`` and
``tokenizer/dropout_stream.rs`` do it (docs/tokenizer.md §4).

The process is Hugging Face's: the adjacent pairs that can merge wait in a heap keyed by
``(rank, position of the left symbol)``; each entry popped takes one draw ``u`` and is set aside
when ``u < p``; otherwise the set-aside entries go back, and the popped one is merged unless it
went stale (then the pairs the merge forms with its neighbours are queued). Stale entries take
draws too, so both backends consume the generator identically.

A tokenizer whose model has a dropout numbers its encode calls ``k = 0, 1, ...`` (a batch's texts
in order); call ``k`` draws from ``SplitMix64(seed_of(seed, k))``, a pair's second text continuing
its first text's draws.

Example:
    >>> merge_of = lambda left, right: {(0, 1): (0, 2)}.get((left, right))  # "a"+"b" -> "ab"
    >>> merge_with_dropout([0, 1], [1, 1], merge_of, 1.0, SplitMix64(0))
    ([0, 1], [1, 1])
    >>> merge_with_dropout([0, 1], [1, 1], merge_of, 1e-9, SplitMix64(0))
    ([2], [2])
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from subwordx.reference.unigram import SplitMix64

__all__ = ["DropoutStream", "SplitMix64", "merge_with_dropout", "seed_of"]

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment: its state after k outputs is seed + k·γ


def seed_of(seed: int, k: int) -> int:
    """The seed of call ``k`` of a stream started at ``seed``: SplitMix64's ``k``-th output."""
    return SplitMix64((seed + k * _GAMMA) & _MASK).next_u64()


class DropoutStream:
    """A stream's seed and the number of its next call (mutable: each call takes numbers)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed & _MASK
        self.next = 0

    def take(self, n: int = 1) -> int:
        """The number of the first of the next ``n`` calls."""
        first = self.next
        self.next += n
        return first

    def rng(self, k: int) -> SplitMix64:
        """The generator of call ``k``."""
        return SplitMix64(seed_of(self.seed, k))

    def copy(self) -> DropoutStream:
        """A stream that goes on from where this one is, independently."""
        other = DropoutStream(self.seed)
        other.next = self.next
        return other


MergeOf = Callable[[int, int], "tuple[int, int] | None"]


def merge_with_dropout(
    ids: list[int], lengths: list[int], merge_of: MergeOf, p: float, rng: SplitMix64
) -> tuple[list[int], list[int]]:
    """The symbols (ids and byte lengths) left after BPE-dropout ``p`` on the initial symbols.

    ``merge_of(left, right)`` gives ``(rank, merged id)`` of a pair that can merge, else None.
    """
    n = len(ids)
    ids = list(ids)
    lengths = list(lengths)
    alive = [True] * n
    next_ = list(range(1, n + 1))
    prev = list(range(-1, n - 1))
    queue: list[tuple[int, int, int]] = []  # (rank, position, merged id)
    for i in range(1, n):
        found = merge_of(ids[i - 1], ids[i])
        if found is not None:
            queue.append((found[0], i - 1, found[1]))
    heapq.heapify(queue)
    set_aside: list[tuple[int, int, int]] = []
    while queue:
        top = heapq.heappop(queue)
        if rng.next_f64() < p:
            set_aside.append(top)
            continue
        for entry in set_aside:
            heapq.heappush(queue, entry)
        set_aside.clear()
        _, left, merged = top
        right = next_[left]
        if not alive[left] or right >= n:
            continue
        now = merge_of(ids[left], ids[right])
        if now is None or now[1] != merged:
            continue  # stale: the pair at `left` is no longer the one queued
        ids[left] = merged
        lengths[left] += lengths[right]
        alive[right] = False
        next_[left] = next_[right]
        if next_[left] < n:
            prev[next_[left]] = left
        if prev[left] >= 0:
            found = merge_of(ids[prev[left]], merged)
            if found is not None:
                heapq.heappush(queue, (found[0], prev[left], found[1]))
        if next_[left] < n:
            found = merge_of(merged, ids[next_[left]])
            if found is not None:
                heapq.heappush(queue, (found[0], left, found[1]))
    kept = [i for i in range(n) if alive[i]]
    return [ids[i] for i in kept], [lengths[i] for i in kept]
