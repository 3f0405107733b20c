"""The Encoding record, and truncation and padding (HF ``Encoding``, ``utils::truncation``,
``utils::padding``).

An :class:`Encoding` holds one parallel list per token:

==========================  ===============================================================
``ids``                     token ids
``tokens``                  token strings
``offsets``                 ``(start, end)`` chars of the input the token came from
                            (``(0, 0)`` for tokens the post-processor or padding added)
``type_ids``                segment: 0 for the first sequence, 1 for the pair, as templates say
``attention_mask``          1 for real tokens, 0 for padding
``special_tokens_mask``     1 for tokens added by the post-processor and for padding
``word_ids``                index of the pre-tokenized piece the token came from, or None
==========================  ===============================================================

plus ``overflowing`` (the windows truncation cut off) and ``sequence_ranges`` (which tokens
belong to sequence 0 and 1).

Truncation cuts a sequence to ``max_length`` tokens; with ``stride`` s, each overflowing window
repeats the last s tokens of the window before it. Padding appends (or prepends) pad tokens up to
the longest encoding of the batch or a fixed length, rounded up to ``pad_to_multiple_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from subwordx.errors import ConfigError, ModelFormatError

__all__ = [
    "Encoding",
    "PaddingParams",
    "TruncationParams",
    "pad_encodings",
    "truncate_encodings",
]

Direction = Literal["left", "right"]
Strategy = Literal["longest_first", "only_first", "only_second"]


@dataclass
class Encoding:
    """The output of encoding one input (a sequence, or a pair)."""

    ids: list[int] = field(default_factory=list)
    type_ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    word_ids: list[int | None] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    special_tokens_mask: list[int] = field(default_factory=list)
    attention_mask: list[int] = field(default_factory=list)
    overflowing: list[Encoding] = field(default_factory=list)
    # sequence id -> [start, end) token range; empty means "all tokens are sequence 0"
    sequence_ranges: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_tokens(
        cls,
        tokens: Sequence[tuple[int, str, tuple[int, int], int | None]],
        type_id: int,
    ) -> Encoding:
        """An encoding of model tokens ``(id, string, offsets, word)``."""
        return cls(
            ids=[t[0] for t in tokens],
            type_ids=[type_id] * len(tokens),
            tokens=[t[1] for t in tokens],
            word_ids=[t[3] for t in tokens],
            offsets=[t[2] for t in tokens],
            special_tokens_mask=[0] * len(tokens),
            attention_mask=[1] * len(tokens),
        )

    @classmethod
    def special(cls, ids: Sequence[int], tokens: Sequence[str], type_id: int) -> Encoding:
        """Tokens a post-processor adds: no word, offsets ``(0, 0)``, special mask 1."""
        n = len(ids)
        return cls(
            ids=list(ids),
            type_ids=[type_id] * n,
            tokens=list(tokens),
            word_ids=[None] * n,
            offsets=[(0, 0)] * n,
            special_tokens_mask=[1] * n,
            attention_mask=[1] * n,
        )

    def copy(self) -> Encoding:
        return replace(
            self,
            ids=list(self.ids),
            type_ids=list(self.type_ids),
            tokens=list(self.tokens),
            word_ids=list(self.word_ids),
            offsets=list(self.offsets),
            special_tokens_mask=list(self.special_tokens_mask),
            attention_mask=list(self.attention_mask),
            overflowing=[o.copy() for o in self.overflowing],
            sequence_ranges=dict(self.sequence_ranges),
        )

    @property
    def sequence_ids(self) -> list[int | None]:
        """For each token, the sequence (0 or 1) it belongs to; None for added tokens."""
        out: list[int | None] = [None] * len(self)
        ranges = self.sequence_ranges or {0: (0, len(self))}
        for sequence_id in range(len(ranges)):
            start, end = ranges.get(sequence_id, (0, len(self)))
            out[start:end] = [sequence_id] * (end - start)
        return out

    def set_sequence_id(self, sequence_id: int) -> None:
        """Mark every token as belonging to ``sequence_id``."""
        self.sequence_ranges[sequence_id] = (0, len(self))

    # ------------------------------------------------------------------------------ merging

    def merge_with(self, pair: Encoding) -> None:
        """Append ``pair`` to this encoding (HF ``merge_with``, offsets not shifted).

        The overflowing windows combine too: each of ours followed by the pair and by each of
        the pair's windows, then ourselves followed by each of the pair's windows.
        """
        overflowing: list[Encoding] = []
        for ours in self.overflowing:
            combined = ours.copy()
            combined.merge_with(pair.copy())
            overflowing.append(combined)
            for theirs in pair.overflowing:
                combined = ours.copy()
                combined.merge_with(theirs.copy())
                overflowing.append(combined)
        for theirs in pair.overflowing:
            combined = self.copy()
            combined.merge_with(theirs.copy())
            overflowing.append(combined)
        length = len(self)
        for sequence_id, (start, end) in pair.sequence_ranges.items():
            self.sequence_ranges[sequence_id] = (length + start, length + end)
        self.ids += pair.ids
        self.type_ids += pair.type_ids
        self.tokens += pair.tokens
        self.word_ids += pair.word_ids
        self.offsets += pair.offsets
        self.special_tokens_mask += pair.special_tokens_mask
        self.attention_mask += pair.attention_mask
        self.overflowing = overflowing

    @classmethod
    def merge(cls, encodings: Sequence[Encoding]) -> Encoding:
        merged = cls()
        for encoding in encodings:
            merged.merge_with(encoding)
        return merged

    # ------------------------------------------------------------------------------ truncation

    def _window(self, start: int, stop: int) -> Encoding:
        return Encoding(
            ids=self.ids[start:stop],
            type_ids=self.type_ids[start:stop],
            tokens=self.tokens[start:stop],
            word_ids=self.word_ids[start:stop],
            offsets=self.offsets[start:stop],
            special_tokens_mask=self.special_tokens_mask[start:stop],
            attention_mask=self.attention_mask[start:stop],
        )

    def truncate(self, max_length: int, stride: int, direction: Direction) -> None:
        """Keep ``max_length`` tokens; the rest goes to ``overflowing`` in windows of
        ``max_length`` tokens that step by ``max_length - stride`` (HF ``Encoding::truncate``).

        ``right`` keeps the first tokens and windows go forward; ``left`` keeps the last tokens
        and windows go backward. Truncation forgets the sequence ranges, as HF does.

        Example:
            >>> e = Encoding.from_tokens([(i, str(i), (i, i + 1), i) for i in range(5)], 0)
            >>> e.truncate(3, 1, "right")
            >>> e.ids, [o.ids for o in e.overflowing]
            ([0, 1, 2], [[2, 3, 4]])
        """
        length = len(self)
        if max_length >= length:
            return
        if max_length == 0:
            whole = self.copy()
            self.__dict__.update(Encoding().__dict__)
            self.overflowing = [whole]
            return
        if stride >= max_length:
            raise ConfigError(
                f"stride ({stride}) must be strictly less than max_length ({max_length}) "
                "(max_length here excludes the special tokens the post-processor adds)"
            )
        step = max_length - stride
        windows: list[tuple[int, int]] = []
        if direction == "right":
            for start in range(0, length, step):
                stop = min(start + max_length, length)
                windows.append((start, stop))
                if stop == length:
                    break
        else:
            for last in range(length - 1, -1, -step):
                stop = last + 1
                start = max(stop - max_length, 0)
                windows.append((start, stop))
                if start == 0:
                    break
        kept = self._window(*windows[0])
        kept.overflowing = [self._window(start, stop) for start, stop in windows[1:]]
        self.__dict__.update(kept.__dict__)

    # ------------------------------------------------------------------------------ padding

    def pad(
        self, length: int, pad_id: int, pad_type_id: int, pad_token: str, direction: Direction
    ) -> None:
        """Add pad tokens up to ``length`` (overflowing windows too)."""
        for window in self.overflowing:
            window.pad(length, pad_id, pad_type_id, pad_token, direction)
        missing = length - len(self)
        if missing <= 0:
            return
        if direction == "left":
            self.ids = [pad_id] * missing + self.ids
            self.type_ids = [pad_type_id] * missing + self.type_ids
            self.tokens = [pad_token] * missing + self.tokens
            no_words: list[int | None] = [None] * missing
            self.word_ids = no_words + self.word_ids
            self.attention_mask = [0] * missing + self.attention_mask
            self.special_tokens_mask = [1] * missing + self.special_tokens_mask
            self.offsets = [(0, 0)] * missing + self.offsets
            self.sequence_ranges = {
                k: (start + missing, end + missing)
                for k, (start, end) in self.sequence_ranges.items()
            }
        else:
            self.ids += [pad_id] * missing
            self.type_ids += [pad_type_id] * missing
            self.tokens += [pad_token] * missing
            self.word_ids += [None] * missing
            self.attention_mask += [0] * missing
            self.special_tokens_mask += [1] * missing
            self.offsets += [(0, 0)] * missing


# ---------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class TruncationParams:
    """HF ``TruncationParams``: how long an encoding may be and what gets cut."""

    max_length: int = 512
    stride: int = 0
    strategy: Strategy = "longest_first"
    direction: Direction = "right"

    def to_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction.capitalize(),
            "max_length": self.max_length,
            "strategy": "".join(part.capitalize() for part in self.strategy.split("_")),
            "stride": self.stride,
        }

    @classmethod
    def from_json(cls, spec: Any) -> TruncationParams | None:
        if spec is None:
            return None
        if not isinstance(spec, dict):
            raise ModelFormatError(f"malformed truncation {spec!r}")
        strategies: dict[str, Strategy] = {
            "LongestFirst": "longest_first",
            "OnlyFirst": "only_first",
            "OnlySecond": "only_second",
        }
        directions: dict[str, Direction] = {"Left": "left", "Right": "right"}
        strategy = spec.get("strategy", "LongestFirst")
        direction = spec.get("direction", "Right")
        if strategy not in strategies or direction not in directions:
            raise ModelFormatError(f"malformed truncation {spec!r}")
        return cls(
            max_length=_natural(spec.get("max_length", 512), "truncation.max_length"),
            stride=_natural(spec.get("stride", 0), "truncation.stride"),
            strategy=strategies[strategy],
            direction=directions[direction],
        )


@dataclass(frozen=True)
class PaddingParams:
    """HF ``PaddingParams``: ``length=None`` pads to the longest of the batch."""

    length: int | None = None
    direction: Direction = "right"
    pad_to_multiple_of: int | None = None
    pad_id: int = 0
    pad_type_id: int = 0
    pad_token: str = "[PAD]"

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": "BatchLongest" if self.length is None else {"Fixed": self.length},
            "direction": self.direction.capitalize(),
            "pad_to_multiple_of": self.pad_to_multiple_of,
            "pad_id": self.pad_id,
            "pad_type_id": self.pad_type_id,
            "pad_token": self.pad_token,
        }

    @classmethod
    def from_json(cls, spec: Any) -> PaddingParams | None:
        if spec is None:
            return None
        if not isinstance(spec, dict):
            raise ModelFormatError(f"malformed padding {spec!r}")
        strategy = spec.get("strategy", "BatchLongest")
        length: int | None
        if strategy == "BatchLongest":
            length = None
        elif isinstance(strategy, dict) and "Fixed" in strategy:
            length = _natural(strategy["Fixed"], "padding.strategy.Fixed")
        else:
            raise ModelFormatError(f"malformed padding strategy {strategy!r}")
        direction = spec.get("direction", "Right")
        if direction not in ("Left", "Right"):
            raise ModelFormatError(f"malformed padding direction {direction!r}")
        multiple = spec.get("pad_to_multiple_of")
        pad_token = spec.get("pad_token", "[PAD]")
        if not isinstance(pad_token, str):
            raise ModelFormatError("padding.pad_token must be a string")
        return cls(
            length=length,
            direction="left" if direction == "Left" else "right",
            pad_to_multiple_of=None
            if multiple is None
            else _natural(multiple, "pad_to_multiple_of"),
            pad_id=_natural(spec.get("pad_id", 0), "padding.pad_id"),
            pad_type_id=_natural(spec.get("pad_type_id", 0), "padding.pad_type_id"),
            pad_token=pad_token,
        )


def _natural(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelFormatError(f"{where} must be a non-negative integer, got {value!r}")
    return value


# ---------------------------------------------------------------------------------- functions


def truncate_encodings(encoding: Encoding, pair: Encoding | None, params: TruncationParams) -> None:
    """Truncate a sequence (and its pair) in place so that together they fit ``max_length``.

    * ``longest_first``: with a pair, the shorter keeps its length if it can, the longer gets
      the rest; if both are too long, each gets half (the second the odd token).
    * ``only_first`` / ``only_second``: only that sequence is cut.

    Raises:
        ConfigError: ``only_second`` without a pair, or the sequence to cut is too short to make
            room.
    """
    if params.max_length == 0:
        encoding.truncate(0, params.stride, params.direction)
        if pair is not None:
            pair.truncate(0, params.stride, params.direction)
        return
    total = len(encoding) + (len(pair) if pair is not None else 0)
    if total <= params.max_length:
        return
    to_remove = total - params.max_length
    if params.strategy == "longest_first":
        if pair is None:
            encoding.truncate(total - to_remove, params.stride, params.direction)
            return
        n1, n2 = len(encoding), len(pair)
        swap = n1 > n2
        if swap:
            n1, n2 = n2, n1  # n1 is the shorter
        n2 = n1 if n1 > params.max_length else max(n1, params.max_length - n1)
        if n1 + n2 > params.max_length:
            n1 = params.max_length // 2
            n2 = n1 + params.max_length % 2
        if swap:
            n1, n2 = n2, n1
        encoding.truncate(n1, params.stride, params.direction)
        pair.truncate(n2, params.stride, params.direction)
        return
    if params.strategy == "only_first":
        target = encoding
    elif pair is not None:
        target = pair
    else:
        raise ConfigError("truncation only_second needs a pair of sequences")
    if len(target) <= to_remove:
        raise ConfigError(
            "the sequence to truncate is too short to respect the provided max_length"
        )
    target.truncate(len(target) - to_remove, params.stride, params.direction)


def pad_encodings(encodings: Sequence[Encoding], params: PaddingParams) -> None:
    """Pad a batch in place to the longest (or the fixed length), rounded up to the multiple."""
    if not encodings:
        return
    length = params.length if params.length is not None else max(len(e) for e in encodings)
    multiple = params.pad_to_multiple_of
    if multiple and length % multiple:
        length += multiple - length % multiple
    for encoding in encodings:
        encoding.pad(length, params.pad_id, params.pad_type_id, params.pad_token, params.direction)
