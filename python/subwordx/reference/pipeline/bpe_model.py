"""The BPE model: turn one pre-tokenized piece into tokens (HF ``models::bpe``, tiktoken).

A model sees one piece at a time and returns its tokens as ``(id, start, end)``, with
``[start, end)`` the chars of the piece each token covers. Every model (BPE here, WordPiece in
:mod:`.wordpiece_model`, Unigram later) implements :class:`Model`; :func:`from_json` picks it.

Two ways to run byte-pair encoding live here:

:class:`BPE`, HF's model, with a vocabulary and a ranked list of merges::

    piece           "lower"
    initial symbols l o w e r           one per char (plus prefix/suffix, unk, byte fallback)
    merges          (l, o) rank 3, (lo, w) rank 9, (e, r) rank 4, ...
    loop            merge the adjacent pair with the lowest rank, leftmost on ties
    tokens          low er

:class:`RankedBPE`, tiktoken's model, with only a rank per byte string (``.tiktoken`` files): the
pair to merge is the adjacent pair whose *concatenation* has the lowest rank, leftmost on ties
(tiktoken ``byte_pair_merge``); a piece that is a token as a whole is that token.

Both walk the same loop; only the rank of a pair differs (the merge list's rank of the pair, or
the vocabulary rank of the joined bytes).
"""

from __future__ import annotations

import base64
import copy
import heapq
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from subwordx.errors import ConfigError, ModelFormatError
from subwordx.reference.pipeline.dropout import SplitMix64, merge_with_dropout
from subwordx.reference.pretokenize import BYTES_TO_UNICODE, UNICODE_TO_BYTES

__all__ = ["BPE", "Model", "RankedBPE", "byte_pair_merge", "from_json"]

ModelToken = tuple[int, int, int]  # (id, start char, end char) within the piece


class Model(Protocol):
    """What the pipeline needs from a model (BPE and WordPiece now; Unigram later)."""

    def tokenize(self, piece: str) -> list[ModelToken]:
        """Tokens of one piece: ``(id, start, end)`` with ``[start, end)`` chars of the piece."""
        ...

    def id_to_token(self, id: int) -> str | None: ...

    def token_to_id(self, token: str) -> int | None: ...

    def vocab_size(self) -> int: ...

    def get_vocab(self) -> dict[str, int]: ...

    def to_json(self) -> dict[str, Any]: ...


def _char_spans(piece: str, byte_spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte spans within ``piece`` → char spans.

    HF counts a token's length in UTF-8 bytes; a byte-fallback token ``<0xE3>`` covers one byte
    of a char. HF then looks up the alignment of the token's first and last byte, i.e. the chars
    holding them: so a token covers every char it has at least one byte of.
    """
    char_of_byte: list[int] = []
    for index, char in enumerate(piece):
        char_of_byte += [index] * len(char.encode("utf-8"))
    char_of_byte.append(len(piece))  # HF quirk guard: byte fallback with a prefix overshoots
    last = len(char_of_byte) - 1
    return [(char_of_byte[min(a, last)], char_of_byte[min(b - 1, last)] + 1) for a, b in byte_spans]


class BPE:
    """HF's BPE model: a vocabulary, ranked merges and the options below.

    Args:
        vocab: token → id.
        merges: pairs in rank order (rank = position). A pair listed twice keeps its *last*
            rank, as HF's map building does.
        unk_token: stands for a char missing from the vocabulary (else the char is dropped).
        continuing_subword_prefix: written before every char but the first (``##``); a merge
            ``a`` + ``##b`` makes ``a`` followed by ``b`` without the prefix's bytes.
        end_of_word_suffix: written after the last char (``</w>``).
        fuse_unk: consecutive unknown chars become a single unk token.
        byte_fallback: an unknown char becomes its UTF-8 bytes as ``<0xNN>`` tokens when all of
            them are in the vocabulary (else the unk rule applies).
        ignore_merges: a piece that is in the vocabulary as a whole is that one token.
        dropout: BPE-dropout's probability (``0`` is stored as None: plain BPE). The tokenizer
            encodes with it through :meth:`tokenize_dropout`, drawing from its seed stream
            (:mod:`.dropout`); :meth:`tokenize` is always plain BPE.

    Tie-break: among pairs that can merge, the lowest rank wins; on equal ranks (the same pair
    at several places) the leftmost.

    Example:
        >>> bpe = BPE({"l": 0, "o": 1, "w": 2, "lo": 3, "low": 4}, [("l", "o"), ("lo", "w")])
        >>> bpe.tokenize("lowl")
        [(4, 0, 3), (0, 3, 4)]
    """

    def __init__(
        self,
        vocab: Mapping[str, int],
        merges: Iterable[tuple[str, str]],
        *,
        unk_token: str | None = None,
        continuing_subword_prefix: str | None = None,
        end_of_word_suffix: str | None = None,
        fuse_unk: bool = False,
        byte_fallback: bool = False,
        ignore_merges: bool = False,
        dropout: float | None = None,
        merges_by_result: bool = False,
    ) -> None:
        if dropout is not None and not 0.0 <= dropout <= 1.0:
            raise ConfigError(f"dropout must be between 0 and 1, got {dropout}")
        self.vocab = dict(vocab)
        self.vocab_r = {id: token for token, id in self.vocab.items()}
        self.merge_list = [(a, b) for a, b in merges]
        self.unk_token = unk_token
        self.continuing_subword_prefix = continuing_subword_prefix
        self.end_of_word_suffix = end_of_word_suffix
        self.fuse_unk = fuse_unk
        self.byte_fallback = byte_fallback
        self.ignore_merges = ignore_merges
        # SentencePiece BPE (docs/sentencepiece.md): every merge making the same token has the rank
        # of the first of them, so the leftmost of such pairs merges first.
        self.merges_by_result = merges_by_result
        self.dropout = dropout or None
        # (left id, right id) -> (rank, id of the merged token)
        self.merges: dict[tuple[int, int], tuple[int, int]] = {}
        vocab_get = self.vocab.get
        prefix_bytes = len((continuing_subword_prefix or "").encode("utf-8"))
        first_rank_of: dict[int, int] = {}  # merges_by_result: token id -> its first merge's rank
        for rank, (left, right) in enumerate(self.merge_list):
            # The merged token: HF drops the prefix's length in bytes from the right part,
            # without checking that the right part starts with it.
            merged = left + right if not prefix_bytes else _drop_bytes(left, right, prefix_bytes)
            left_id, right_id, merged_id = vocab_get(left), vocab_get(right), vocab_get(merged)
            if left_id is None or right_id is None or merged_id is None:
                missing = next(t for t in (left, right, merged) if t not in self.vocab)
                raise ModelFormatError(
                    f"merge {rank} ({left!r}, {right!r}): {missing!r} is not in the vocab"
                )
            if merges_by_result:
                rank = first_rank_of.setdefault(merged_id, rank)
                if (left_id, right_id) in self.merges:
                    continue
            self.merges[left_id, right_id] = (rank, merged_id)

    # ------------------------------------------------------------------------------ vocabulary

    def id_to_token(self, id: int) -> str | None:
        return self.vocab_r.get(id)

    def token_to_id(self, token: str) -> int | None:
        return self.vocab.get(token)

    def vocab_size(self) -> int:
        return len(self.vocab)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    # ------------------------------------------------------------------------------ encoding

    def tokenize(self, piece: str) -> list[ModelToken]:
        if not piece:
            return []
        if self.ignore_merges and piece in self.vocab:
            return [(self.vocab[piece], 0, len(piece))]  # the whole piece is a token
        ids, byte_lengths = self._initial_symbols(piece)
        ids, byte_lengths = self._merge(ids, byte_lengths)
        return _tokens_of(piece, ids, byte_lengths)

    def tokenize_dropout(self, piece: str, p: float, rng: SplitMix64) -> list[ModelToken]:
        """``piece`` with BPE-dropout ``p`` (:mod:`.dropout`), draws from ``rng``; no
        ``ignore_merges`` shortcut (as in HF)."""
        if not piece:
            return []
        ids, byte_lengths = self._initial_symbols(piece)
        ids, byte_lengths = merge_with_dropout(
            ids, byte_lengths, lambda left, right: self.merges.get((left, right)), p, rng
        )
        return _tokens_of(piece, ids, byte_lengths)

    def with_dropout(self, p: float | None) -> BPE:
        """The same model with BPE-dropout ``p`` (None or 0: plain BPE)."""
        if p is not None and not 0.0 <= p <= 1.0:
            raise ConfigError(f"dropout must be in [0, 1], got {p}")
        other = copy.copy(self)
        other.dropout = p or None
        return other

    def _initial_symbols(self, piece: str) -> tuple[list[int], list[int]]:
        """One symbol per char (its id and its length in bytes), HF ``merge_word``."""
        ids: list[int] = []
        lengths: list[int] = []
        unk: list[int] | None = None  # a pending unk token: [id, byte length]
        for index, char in enumerate(piece):
            byte_length = len(char.encode("utf-8"))
            symbol = char
            if index > 0 and self.continuing_subword_prefix is not None:
                symbol = self.continuing_subword_prefix + symbol
            if index == len(piece) - 1 and self.end_of_word_suffix is not None:
                symbol = symbol + self.end_of_word_suffix
            if symbol in self.vocab:
                if unk is not None:
                    ids.append(unk[0])
                    lengths.append(unk[1])
                    unk = None
                ids.append(self.vocab[symbol])
                lengths.append(byte_length)
                continue
            if self.byte_fallback:
                # The bytes of the *whole symbol* (prefix and suffix included), as HF does.
                codes = [f"<0x{byte:02X}>" for byte in symbol.encode("utf-8")]
                if all(code in self.vocab for code in codes):
                    # HF does not flush a pending unk here: it comes out after these bytes.
                    ids += [self.vocab[code] for code in codes]
                    lengths += [1] * len(codes)
                    continue
            if self.unk_token is not None:
                unk_id = self.vocab.get(self.unk_token)
                if unk_id is None:
                    raise ModelFormatError(f"unk_token {self.unk_token!r} is not in the vocab")
                if unk is not None and self.fuse_unk:
                    unk[1] += byte_length  # one unk token grows over the unknown run
                else:
                    if unk is not None:
                        ids.append(unk[0])
                        lengths.append(unk[1])
                    unk = [unk_id, byte_length]
            # else: no unk token, the char is dropped (its bytes belong to no token)
        if unk is not None:
            ids.append(unk[0])
            lengths.append(unk[1])
        return ids, lengths

    def _merge(self, ids: list[int], lengths: list[int]) -> tuple[list[int], list[int]]:
        """Apply the merges, lowest rank first, leftmost on ties (HF ``Word::merge_all``).

        Symbols form a linked list (``next``/``prev`` indices); a merged-away symbol gets length
        0. Candidate pairs sit in a heap keyed by ``(rank, position of the left symbol)``; an entry
        that no longer matches the symbols (one side was merged since) is skipped when popped.
        """
        n = len(ids)
        ids = list(ids)
        lengths = list(lengths)
        prev = [i - 1 for i in range(n)]
        next_ = [i + 1 if i + 1 < n else -1 for i in range(n)]
        queue: list[tuple[int, int, int]] = []  # (rank, position, merged id)
        for i in range(n - 1):
            found = self.merges.get((ids[i], ids[i + 1]))
            if found is not None:
                queue.append((found[0], i, found[1]))
        heapq.heapify(queue)
        while queue:
            _, position, merged_id = heapq.heappop(queue)
            if lengths[position] == 0 or next_[position] == -1:
                continue  # merged away, or the last symbol
            right = next_[position]
            current = self.merges.get((ids[position], ids[right]))
            if current is None or current[1] != merged_id:
                continue  # a stale entry
            # Merge `right` into `position`.
            ids[position] = merged_id
            lengths[position] += lengths[right]
            lengths[right] = 0
            next_[position] = next_[right]
            if next_[right] != -1:
                prev[next_[right]] = position
            # New candidate pairs with the neighbours.
            if prev[position] >= 0:
                found = self.merges.get((ids[prev[position]], merged_id))
                if found is not None:
                    heapq.heappush(queue, (found[0], prev[position], found[1]))
            if next_[position] != -1:
                found = self.merges.get((merged_id, ids[next_[position]]))
                if found is not None:
                    heapq.heappush(queue, (found[0], position, found[1]))
        kept = [i for i in range(n) if lengths[i] != 0]
        return [ids[i] for i in kept], [lengths[i] for i in kept]

    # ------------------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """HF's ``model`` object (vocab in id order, merges in rank order)."""
        by_rank = sorted(
            ((rank, pair) for pair, (rank, _) in self.merges.items()), key=lambda x: x[0]
        )
        extra: dict[str, Any] = {"merges_by_result": True} if self.merges_by_result else {}
        return {
            **extra,
            "type": "BPE",
            "dropout": self.dropout,
            "unk_token": self.unk_token,
            "continuing_subword_prefix": self.continuing_subword_prefix,
            "end_of_word_suffix": self.end_of_word_suffix,
            "fuse_unk": self.fuse_unk,
            "byte_fallback": self.byte_fallback,
            "ignore_merges": self.ignore_merges,
            "vocab": dict(sorted(self.vocab.items(), key=lambda item: item[1])),
            "merges": [[self.vocab_r[a], self.vocab_r[b]] for _, (a, b) in by_rank],
        }


def _tokens_of(piece: str, ids: list[int], byte_lengths: list[int]) -> list[ModelToken]:
    """Tokens with char spans in ``piece`` from their ids and byte lengths."""
    byte_spans: list[tuple[int, int]] = []
    position = 0
    for length in byte_lengths:
        byte_spans.append((position, position + length))
        position += length
    spans = _char_spans(piece, byte_spans)
    return [(id, start, end) for id, (start, end) in zip(ids, spans)]


def _drop_bytes(left: str, right: str, count: int) -> str:
    try:
        return left + right.encode("utf-8")[count:].decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFormatError(f"merge ({left!r}, {right!r}): {right!r} lacks the prefix") from None


# ---------------------------------------------------------------------------------- tiktoken


def byte_pair_merge(ranks: Mapping[bytes, int], piece: bytes) -> list[tuple[int, int]]:
    """tiktoken's merge loop: the byte spans of the tokens of ``piece``.

    Start from single bytes; repeatedly join the adjacent pair whose joined bytes have the lowest
    rank (leftmost on ties; a pair whose join is not a token cannot merge) until none can.
    ``pair_ranks[i]`` caches the rank of joining tokens ``i`` and ``i + 1``; a join only changes
    the entries next to it, so the loop costs O(n) per merge, as tiktoken's does.

    Example:
        >>> byte_pair_merge({b"a": 0, b"b": 1, b"ab": 2, b"bb": 3}, b"abb")
        [(0, 2), (2, 3)]
    """
    bounds = list(range(len(piece) + 1))  # token i is piece[bounds[i]:bounds[i + 1]]

    def rank_of_pair(i: int) -> int | None:
        return ranks.get(piece[bounds[i] : bounds[i + 2]]) if i + 2 < len(bounds) else None

    pair_ranks = [rank_of_pair(i) for i in range(len(bounds) - 2)]
    while True:
        best = -1
        best_rank = 0
        for i, rank in enumerate(pair_ranks):
            if rank is not None and (best < 0 or rank < best_rank):  # strict: leftmost wins ties
                best, best_rank = i, rank
        if best < 0:
            break
        del bounds[best + 1]  # join tokens best and best + 1
        del pair_ranks[best]  # one pair fewer; the two around the join are recomputed
        if best < len(pair_ranks):
            pair_ranks[best] = rank_of_pair(best)
        if best > 0:
            pair_ranks[best - 1] = rank_of_pair(best - 1)
    return list(zip(bounds, bounds[1:]))


def _byte_level(data: bytes) -> str:
    return "".join(BYTES_TO_UNICODE[b] for b in data)


def _byte_level_bytes(piece: str) -> bytes:
    """The bytes a byte-level piece stands for; a char outside the 256 byte chars is a
    ConfigError naming it."""
    try:
        return bytes(UNICODE_TO_BYTES[char] for char in piece)
    except KeyError as e:
        raise ConfigError(f"RankedBPE runs on byte-level text; got {e.args[0]!r}") from None


class RankedBPE:
    """tiktoken's BPE: a rank per byte string, nothing else.

    It runs on byte-level text (each byte written as one char, the ``ByteLevel`` pre-tokenizer's
    output), so that a token's string is its bytes in that alphabet, as in HF's conversions of the
    same vocabularies, and its id is its rank.

    Example:
        >>> m = RankedBPE({b"a": 0, b"b": 1, b"ab": 2})
        >>> m.tokenize("abb")
        [(2, 0, 2), (1, 2, 3)]
    """

    def __init__(self, ranks: Mapping[bytes, int]) -> None:
        self.ranks = dict(ranks)
        self.decoder = {rank: token for token, rank in self.ranks.items()}
        if len(self.decoder) != len(self.ranks):
            raise ModelFormatError("two byte strings share a rank")
        self.vocab = {_byte_level(token): rank for token, rank in self.ranks.items()}
        self.vocab_r = {rank: token for token, rank in self.vocab.items()}
        self.dropout: float | None = None  # see BPE; tokenize() ignores it

    @classmethod
    def from_tiktoken_bytes(cls, data: bytes) -> RankedBPE:
        """Read a ``.tiktoken`` file: ``base64(token) rank`` per line.

        Raises:
            ModelFormatError: a line that is not two fields, bad base64, or a bad rank.
        """
        ranks: dict[bytes, int] = {}
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 2:
                raise ModelFormatError(f"tiktoken line {number}: expected 'base64 rank'")
            try:
                token = base64.b64decode(fields[0], validate=True)
                rank = int(fields[1])
            except ValueError as e:
                raise ModelFormatError(f"tiktoken line {number}: {e}") from None
            ranks[token] = rank
        return cls(ranks)

    def to_tiktoken_bytes(self) -> bytes:
        """The ``.tiktoken`` file: one ``base64(token) rank`` line per token, by rank."""
        lines = [
            base64.b64encode(token) + b" " + str(rank).encode()
            for rank, token in sorted(self.decoder.items())
        ]
        return b"\n".join(lines) + b"\n"

    def id_to_token(self, id: int) -> str | None:
        return self.vocab_r.get(id)

    def token_to_id(self, token: str) -> int | None:
        return self.vocab.get(token)

    def token_bytes(self, id: int) -> bytes | None:
        return self.decoder.get(id)

    def vocab_size(self) -> int:
        return len(self.ranks)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    def tokenize(self, piece: str) -> list[ModelToken]:
        if not piece:
            return []
        data = _byte_level_bytes(piece)
        whole = self.ranks.get(data)
        if whole is not None:  # a piece that is a token is that token (tiktoken's shortcut)
            return [(whole, 0, len(piece))]
        tokens: list[ModelToken] = []
        for start, end in byte_pair_merge(self.ranks, data):
            rank = self.ranks.get(data[start:end])
            if rank is None:
                raise ModelFormatError(f"the rank file has no token for bytes {data[start:end]!r}")
            tokens.append((rank, start, end))  # one char per byte: byte spans are char spans
        return tokens

    def tokenize_dropout(self, piece: str, p: float, rng: SplitMix64) -> list[ModelToken]:
        """``piece`` with BPE-dropout ``p`` (:mod:`.dropout`): any adjacent pair whose joined
        bytes are a token can merge, at that token's rank; no whole-piece shortcut."""
        if not piece:
            return []
        data = _byte_level_bytes(piece)
        ids = []
        for i in range(len(data)):
            rank = self.ranks.get(data[i : i + 1])
            if rank is None:
                raise ModelFormatError(f"the rank file has no token for byte {data[i]:#04x}")
            ids.append(rank)
        decoder, ranks = self.decoder, self.ranks

        def merge_of(left: int, right: int) -> tuple[int, int] | None:
            rank = ranks.get(decoder[left] + decoder[right])
            return None if rank is None else (rank, rank)

        ids, lengths = merge_with_dropout(ids, [1] * len(ids), merge_of, p, rng)
        return _tokens_of(piece, ids, lengths)

    def with_dropout(self, p: float | None) -> RankedBPE:
        """The same model with BPE-dropout ``p`` (None or 0: none)."""
        if p is not None and not 0.0 <= p <= 1.0:
            raise ConfigError(f"dropout must be in [0, 1], got {p}")
        other = copy.copy(self)
        other.dropout = p or None
        return other

    def merges(self) -> list[tuple[str, str]]:
        """Merges equivalent to the ranks, as HF's converter derives them: each multi-byte token,
        in rank order, is split by running the merge loop with the lower ranks only; when that
        ends in exactly two parts, they are its merge."""
        out: list[tuple[str, str]] = []
        for rank, token in sorted(self.decoder.items()):
            if len(token) < 2:
                continue
            lower = _RanksBelow(self.ranks, rank)
            parts = byte_pair_merge(lower, token)
            if len(parts) == 2:
                (a, b), (c, d) = parts
                out.append((_byte_level(token[a:b]), _byte_level(token[c:d])))
        return out

    def to_json(self) -> dict[str, Any]:
        """HF's ``model`` object of the same tokenizer: BPE with the derived merges and
        ``ignore_merges`` (tiktoken's whole-piece shortcut)."""
        return {
            "type": "BPE",
            "dropout": self.dropout,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": True,
            "vocab": dict(sorted(self.vocab.items(), key=lambda item: item[1])),
            "merges": [[a, b] for a, b in self.merges()],
        }


class _RanksBelow(Mapping[bytes, int]):
    """The ranks lower than ``limit`` (a view, to derive merges without copying the vocab)."""

    def __init__(self, ranks: Mapping[bytes, int], limit: int) -> None:
        self._ranks = ranks
        self._limit = limit

    def __getitem__(self, key: bytes) -> int:
        rank = self._ranks[key]
        if rank >= self._limit:
            raise KeyError(key)
        return rank

    def __iter__(self) -> Any:
        return (k for k, v in self._ranks.items() if v < self._limit)

    def __len__(self) -> int:
        return sum(1 for v in self._ranks.values() if v < self._limit)


# ---------------------------------------------------------------------------------- JSON


def _optional_str(spec: Mapping[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise ModelFormatError(f"model.{key} must be a string or null, got {value!r}")
    return value


def _bool(spec: Mapping[str, Any], key: str) -> bool:
    value = spec.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ModelFormatError(f"model.{key} must be a bool, got {value!r}")
    return value


def read_dropout(spec: Mapping[str, Any]) -> float | None:
    """``model.dropout``: a number in [0, 1] or null (0 reads as None, plain BPE)."""
    dropout = spec.get("dropout")
    if dropout is None:
        return None
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout <= 1:
        raise ModelFormatError(f"model.dropout must be a number in [0, 1] or null, got {dropout!r}")
    return float(dropout) or None


def from_json(spec: Any) -> Model:
    """Build the model of an HF ``tokenizer.json``: BPE here, WordPiece from
    :mod:`.wordpiece_model`.

    Raises:
        ModelFormatError: a model type this pipeline does not run (the message names it), or a
            malformed model.
    """
    if not isinstance(spec, dict):
        raise ModelFormatError("tokenizer.json has no 'model' object")
    kind = spec.get("type", "BPE")
    if kind == "WordPiece":
        # Imported here: the WordPiece model uses the reference trainer's encoder, whose module
        # imports this package's normalizers.
        from subwordx.reference.pipeline import wordpiece_model

        return wordpiece_model.from_json(spec)
    if kind == "Unigram":
        from subwordx.reference.pipeline import unigram_model

        return unigram_model.from_json(spec)
    if kind != "BPE":
        raise ModelFormatError(
            f"unsupported model type {kind!r} (this pipeline runs BPE, WordPiece and Unigram)"
        )
    vocab = spec.get("vocab")
    if not isinstance(vocab, dict):
        raise ModelFormatError("model.vocab must be an object {token: id}")
    if not all(type(id) is int and id >= 0 for id in vocab.values()):
        token, id = next((t, i) for t, i in vocab.items() if not (type(i) is int and i >= 0))
        raise ModelFormatError(f"model.vocab: token {token!r} has an invalid id {id!r}")
    raw_merges = spec.get("merges")
    if not isinstance(raw_merges, list):
        raise ModelFormatError("model.merges must be a list")
    merges: list[tuple[str, str]] = []
    for i, entry in enumerate(raw_merges):
        # [left, right], or the older "left right"
        parts = entry.split(" ") if type(entry) is str else entry
        if type(parts) is not list or len(parts) != 2:
            raise ModelFormatError(f"model.merges[{i}] is not a pair of tokens: {entry!r}")
        merges.append((parts[0], parts[1]))
    if not all(type(a) is str and type(b) is str for a, b in merges):
        raise ModelFormatError("model.merges holds something other than strings")
    return BPE(
        vocab,
        merges,
        unk_token=_optional_str(spec, "unk_token"),
        continuing_subword_prefix=_optional_str(spec, "continuing_subword_prefix"),
        end_of_word_suffix=_optional_str(spec, "end_of_word_suffix"),
        fuse_unk=_bool(spec, "fuse_unk"),
        byte_fallback=_bool(spec, "byte_fallback"),
        ignore_merges=_bool(spec, "ignore_merges"),
        dropout=read_dropout(spec),
        merges_by_result=_bool(spec, "merges_by_result"),
    )
