"""Byte-pair encoding, trained and applied step by step (docs/bpe.md §1–4), written to be read.

BPE learns a vocabulary by starting from single chars (or bytes) and repeatedly *merging* the most
frequent adjacent pair of symbols into a new symbol::

    corpus words (with counts)    low ×5   lower ×2   newest ×6   widest ×3
    initial symbols               l o w</w>   l o w e r</w>   n e w e s t</w>  ...
    most frequent pair            (e, s) 9 times   → merge 0: "e" + "s" = "es"
    next                          (es, t</w>) 9    → merge 1: "est</w>"
    ...

Training (:func:`train`):

1. Each word becomes a list of *initial symbols* (:func:`initial_symbols`): its chars, the last
   one with the end-of-word suffix ``</w>`` (so that ``t</w>``, a word-final ``t``, is a different
   symbol from a ``t`` inside a word), or, WordPiece style, with every char but the first written
   ``##char``. Byte-level BPE (GPT-2) instead uses the word's UTF-8 bytes, each written as one
   printable char, and needs no unknown token: all 256 bytes are in the vocabulary.
2. The vocabulary starts as the special tokens, then the alphabet sorted by code point.
3. Count every adjacent pair in every word, weighted by the word's count. Take the most frequent
   pair (ties: smallest left string, then smallest right string), add the merged string to the
   vocabulary, and replace the pair left to right in every word. Repeat until the vocabulary is big
   enough, no pair is left, or the best pair is rarer than ``min_frequency``.

Pair counts are kept up to date incrementally: when a merge touches a word, that word's pairs are
subtracted, the word is merged, and its new pairs are added back. Only words containing the pair are
touched (an index from pair to words tells which), so training costs about
O(merges × (distinct pairs + size of the words touched)), slow but bearable for a reference.

Encoding a word (:func:`encode_word`, §4.3) replays the merges by *rank*: among adjacent pairs that
have a merge, merge the one learned first, leftmost on ties, and repeat. A heap of candidate pairs
over a linked list of symbols makes that O(n log n) in the word length.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from subwordx.errors import (
    ConfigError,
    CorpusError,
    EmptyCorpusError,
    VocabSizeTooSmallError,
)
from subwordx.reference.normalize import Normalizer
from subwordx.reference.pretokenize import BYTES_TO_UNICODE, pre_tokenize

__all__ = [
    "Pair",
    "apply_merges",
    "count_words",
    "encode_word",
    "initial_symbols",
    "merge_string",
    "train",
]

Pair = tuple[str, str]


# --------------------------------------------------------------------------------------------------
# §1: from a corpus to word counts
# --------------------------------------------------------------------------------------------------


def count_words(
    lines: Iterable[str], normalizer: Normalizer | None = None, pre_tokenizer: str = "whitespace"
) -> Counter[str]:
    """Count the pieces (words) of a corpus: normalize each line, pre-tokenize it, count pieces.

    A string holding ``\\n`` is several lines (the ``\\n`` is not part of any line; a ``\\r`` before
    it is kept and is whitespace to every pre-tokenizer).

    Example:
        >>> count_words(["low low\\nlower"])
        Counter({'low': 2, 'lower': 1})
    """
    counts: Counter[str] = Counter()
    for chunk in lines:
        for line in chunk.split("\n"):
            if normalizer is not None:
                line = normalizer.normalize(line)
            for start, end in pre_tokenize(pre_tokenizer, line):
                counts[line[start:end]] += 1
    return counts


# --------------------------------------------------------------------------------------------------
# §2: initial symbols
# --------------------------------------------------------------------------------------------------


def initial_symbols(
    word: str,
    *,
    byte_level: bool = False,
    end_of_word_suffix: str | None = "</w>",
    continuing_subword_prefix: str | None = None,
) -> list[str]:
    """The symbols a word starts as, before any merge.

    Example:
        >>> initial_symbols("low")
        ['l', 'o', 'w</w>']
        >>> initial_symbols("low", end_of_word_suffix=None, continuing_subword_prefix="##")
        ['l', '##o', '##w']
        >>> initial_symbols("é ", byte_level=True)  # bytes c3 a9 20
        ['Ã', '©', 'Ġ']
    """
    if byte_level:
        return [BYTES_TO_UNICODE[byte] for byte in word.encode("utf-8")]
    symbols = list(word)
    if continuing_subword_prefix is not None:
        symbols = symbols[:1] + [continuing_subword_prefix + char for char in symbols[1:]]
    if end_of_word_suffix is not None and symbols:
        symbols[-1] += end_of_word_suffix
    return symbols


def merge_string(left: str, right: str, continuing_subword_prefix: str | None = None) -> str:
    """The string a merge of ``left`` and ``right`` makes (``##b`` + ``##c`` → ``##bc``)."""
    if continuing_subword_prefix and right.startswith(continuing_subword_prefix):
        right = right[len(continuing_subword_prefix) :]
    return left + right


# --------------------------------------------------------------------------------------------------
# §3: training
# --------------------------------------------------------------------------------------------------


def _check_config(
    vocab_size: int,
    min_frequency: int,
    special_tokens: Sequence[str],
    limit_alphabet: int | None,
    max_token_length: int | None,
    end_of_word_suffix: str | None,
    continuing_subword_prefix: str | None,
) -> None:
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 0:
        raise ConfigError(f"vocab_size must be a non-negative int, got {vocab_size!r}")
    if isinstance(min_frequency, bool) or not isinstance(min_frequency, int) or min_frequency < 0:
        raise ConfigError(f"min_frequency must be a non-negative int, got {min_frequency!r}")
    if limit_alphabet is not None and (not isinstance(limit_alphabet, int) or limit_alphabet < 0):
        raise ConfigError(f"limit_alphabet must be None or >= 0, got {limit_alphabet!r}")
    if max_token_length is not None and (
        not isinstance(max_token_length, int) or max_token_length < 1
    ):
        raise ConfigError(f"max_token_length must be None or >= 1, got {max_token_length!r}")
    if any(not isinstance(token, str) or token == "" for token in special_tokens):
        raise ConfigError(f"special tokens must be non-empty strings, got {list(special_tokens)!r}")
    if end_of_word_suffix == "":
        raise ConfigError("end_of_word_suffix must be None or a non-empty string")
    if continuing_subword_prefix == "":
        raise ConfigError("continuing_subword_prefix must be None or a non-empty string")


def _limit_alphabet(word_counts: Mapping[str, int], limit: int) -> dict[str, int]:
    """Keep only the ``limit`` most frequent chars (ties: smaller code point); drop the others
    from the words (a word left empty disappears; words that become equal add up)."""
    char_counts: Counter[str] = Counter()
    for word, count in word_counts.items():
        for char in word:
            char_counts[char] += count
    ranked = sorted(char_counts.items(), key=lambda item: (-item[1], item[0]))
    kept = {char for char, _ in ranked[:limit]}
    limited: dict[str, int] = defaultdict(int)
    for word, count in word_counts.items():
        stripped = "".join(char for char in word if char in kept)
        if stripped:
            limited[stripped] += count
    return dict(limited)


def _pairs(symbols: Sequence[str]) -> Counter[Pair]:
    """Adjacent pairs of one word, overlapping ones included (``a a a`` holds ``(a, a)`` twice)."""
    return Counter(zip(symbols, symbols[1:]))


def _merge_word(symbols: list[str], pair: Pair, merged: str) -> list[str]:
    """Replace every ``pair`` in ``symbols`` by ``merged``, scanning left to right (§3.5)."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(merged)
            i += 2  # continue after the merged symbol: `a a a` -> `aa a`
        else:
            out.append(symbols[i])
            i += 1
    return out


def train(
    word_counts: Mapping[str, int],
    *,
    vocab_size: int,
    min_frequency: int = 2,
    special_tokens: Sequence[str] = (),
    limit_alphabet: int | None = None,
    max_token_length: int | None = None,
    end_of_word_suffix: str | None = "</w>",
    continuing_subword_prefix: str | None = None,
    byte_level: bool = False,
) -> tuple[list[str], list[Pair]]:
    """Learn a BPE vocabulary and merges from word counts, exactly as docs/bpe.md §2–3 says.

    Args:
        word_counts: each distinct word (pre-tokenized piece) and how often it occurs.
        vocab_size: the size to grow the vocabulary to (special tokens included).
        min_frequency: stop when the most frequent pair occurs fewer times than this.
        special_tokens: tokens given ids 0, 1, ... in this order.
        limit_alphabet: keep only this many most frequent chars (classic only).
        max_token_length: never make a token longer than this many chars.
        end_of_word_suffix: appended to a word's last symbol (classic only).
        continuing_subword_prefix: prepended to every symbol but a word's first (classic only).
        byte_level: start from UTF-8 bytes (GPT-2) instead of chars; suffix and prefix are ignored.

    Returns:
        ``(vocab, merges)``: the tokens in id order, and the merged pairs in rank order.

    Raises:
        ConfigError: a parameter outside its domain.
        VocabSizeTooSmallError: ``vocab_size`` cannot hold the special tokens and the alphabet.
        CorpusError: a negative count. EmptyCorpusError: no word with a positive count.

    Example:
        >>> vocab, merges = train({"low": 5, "lowest": 2}, vocab_size=12)
        >>> merges
        [('l', 'o'), ('lo', 'w</w>'), ('e', 's'), ('es', 't</w>'), ('lo', 'w')]
    """
    if byte_level:
        end_of_word_suffix = continuing_subword_prefix = None
        limit_alphabet = None  # all 256 bytes are always there
    _check_config(
        vocab_size,
        min_frequency,
        special_tokens,
        limit_alphabet,
        max_token_length,
        end_of_word_suffix,
        continuing_subword_prefix,
    )
    for word, count in word_counts.items():
        if count < 0:
            raise CorpusError(f"word {word!r} has a negative count {count}")
    counts = {word: count for word, count in word_counts.items() if count > 0 and word}
    if not counts:
        raise EmptyCorpusError("empty corpus: no word to learn from")

    # §3.1 Alphabet. With limit_alphabet, rare chars are removed from the words first.
    if limit_alphabet is not None:
        counts = _limit_alphabet(counts, limit_alphabet)

    words: list[list[str]] = []
    word_count: list[int] = []
    for word, count in counts.items():
        words.append(
            initial_symbols(
                word,
                byte_level=byte_level,
                end_of_word_suffix=end_of_word_suffix,
                continuing_subword_prefix=continuing_subword_prefix,
            )
        )
        word_count.append(count)

    # §3.2 Initial vocabulary: special tokens, then the alphabet in code point order.
    vocab: list[str] = []
    ids: dict[str, int] = {}

    def add(token: str) -> None:
        if token not in ids:
            ids[token] = len(vocab)
            vocab.append(token)

    for token in special_tokens:
        add(token)
    alphabet = set(BYTES_TO_UNICODE) if byte_level else {s for symbols in words for s in symbols}
    for symbol in sorted(alphabet):
        add(symbol)
    if vocab_size < len(vocab):
        raise VocabSizeTooSmallError(
            f"vocabulary size {vocab_size} is too small: the special tokens and the alphabet "
            f"already take {len(vocab)} entries (at least {len(vocab)} needed)"
        )

    # §3.3 Pair counts, and for each pair the words it occurs in.
    pair_counts: Counter[Pair] = Counter()
    words_with: dict[Pair, set[int]] = defaultdict(set)
    for index, symbols in enumerate(words):
        for pair, times in _pairs(symbols).items():
            pair_counts[pair] += times * word_count[index]
            words_with[pair].add(index)

    merges: list[Pair] = []
    while len(vocab) < vocab_size:
        # §3.4 Choose: the highest count; ties -> smallest left string, then smallest right string.
        best: Pair | None = None
        best_key: tuple[int, str, str] | None = None
        for pair, count in pair_counts.items():
            if count <= 0:
                continue
            merged = merge_string(pair[0], pair[1], continuing_subword_prefix)
            if max_token_length is not None and len(merged) > max_token_length:
                continue
            key = (-count, pair[0], pair[1])
            if best_key is None or key < best_key:
                best, best_key = pair, key
        if best is None or best_key is None or -best_key[0] < min_frequency:
            break

        # §3.5 Apply it in every word that holds it, keeping the pair counts up to date.
        merged = merge_string(best[0], best[1], continuing_subword_prefix)
        for index in sorted(words_with.pop(best)):
            old = words[index]
            new = _merge_word(old, best, merged)
            if new == old:
                continue  # a stale entry: the pair left this word in an earlier merge
            for pair, times in _pairs(old).items():
                pair_counts[pair] -= times * word_count[index]
                if pair_counts[pair] == 0:
                    del pair_counts[pair]
            for pair, times in _pairs(new).items():
                pair_counts[pair] += times * word_count[index]
                words_with[pair].add(index)
            words[index] = new
        pair_counts.pop(best, None)
        merges.append(best)
        add(merged)  # a string made before keeps its id, and the vocabulary does not grow

    return vocab, merges


# --------------------------------------------------------------------------------------------------
# §4.2–4.3: encoding one word
# --------------------------------------------------------------------------------------------------


def apply_merges(
    symbols: Sequence[str],
    merges_rank: Mapping[Pair, int],
    continuing_subword_prefix: str | None = None,
) -> list[str]:
    """Merge adjacent symbols by rank: lowest rank first, leftmost among equal ranks (§4.3).

    The symbols sit in a doubly linked list (``prev``/``next`` indices); a heap holds candidate
    merges as ``(rank, left position)``. A popped candidate is stale when one of its two symbols
    has been merged away or changed since it was pushed; it is then skipped. After each merge the
    two new neighbouring pairs are pushed. Each merge costs O(log n), so a word of n symbols takes
    O(n log n).

    Example:
        >>> apply_merges(["a", "a", "a"], {("a", "a"): 0})
        ['aa', 'a']
    """
    symbols = list(symbols)
    n = len(symbols)
    next_ = list(range(1, n + 1))  # n stands for "no next symbol"
    prev = list(range(-1, n - 1))  # -1 stands for "no previous symbol"
    alive = [True] * n
    heap: list[tuple[int, int, int]] = []  # (rank, left position, right position)

    def push(left: int) -> None:
        right = next_[left]
        if left >= 0 and right < n:
            rank = merges_rank.get((symbols[left], symbols[right]))
            if rank is not None:
                heapq.heappush(heap, (rank, left, right))

    for i in range(n - 1):
        push(i)
    while heap:
        rank, left, right = heapq.heappop(heap)
        if not (alive[left] and alive[right] and next_[left] == right):
            continue
        if merges_rank.get((symbols[left], symbols[right])) != rank:
            continue  # the left symbol grew since this candidate was pushed
        # Merge `right` into `left`, unlink `right`, and look at the two new neighbouring pairs.
        symbols[left] = merge_string(symbols[left], symbols[right], continuing_subword_prefix)
        alive[right] = False
        next_[left] = next_[right]
        if next_[right] < n:
            prev[next_[right]] = left
        push(prev[left])
        push(left)
    return [symbol for symbol, live in zip(symbols, alive) if live]


def encode_word(
    word: str,
    merges_rank: Mapping[Pair, int],
    *,
    vocab: Mapping[str, int] | None = None,
    byte_level: bool = False,
    end_of_word_suffix: str | None = "</w>",
    continuing_subword_prefix: str | None = None,
    unk_token: str | None = None,
) -> list[str]:
    """Split one pre-tokenized word into tokens (§4.2–4.3).

    Classic symbols missing from ``vocab`` become ``unk_token``, or are dropped when there is none
    (then their neighbours become adjacent and may merge). Byte-level symbols are always known.

    Example:
        >>> encode_word("lower", {("l", "o"): 0, ("lo", "w"): 1})
        ['low', 'e', 'r</w>']
    """
    symbols = initial_symbols(
        word,
        byte_level=byte_level,
        end_of_word_suffix=None if byte_level else end_of_word_suffix,
        continuing_subword_prefix=None if byte_level else continuing_subword_prefix,
    )
    if vocab is not None and not byte_level:
        known: list[str] = []
        for symbol in symbols:
            if symbol in vocab:
                known.append(symbol)
            elif unk_token is not None:
                known.append(unk_token)
        symbols = known
    return apply_merges(symbols, merges_rank, continuing_subword_prefix)
