"""The Unigram model in the reference pipeline (HF ``models::unigram``): the Viterbi segmentation
of each piece, from :mod:`subwordx.reference.unigram` (docs/unigram.md §2).

The ``model`` object of HF's ``tokenizer.json``: ``{"type": "Unigram", "unk_id": 0,
"vocab": [[piece, score], ...], "byte_fallback": false}``, the pieces in id order; subwordx adds
``"reserved": [ids]`` for a SentencePiece model's never-matched control, byte and unused pieces,
and ``"float32_sums": true`` for its Viterbi in single precision.
"""

from __future__ import annotations

from typing import Any

from subwordx.errors import ModelFormatError
from subwordx.reference.unigram import UnigramModel

__all__ = ["Unigram", "from_json"]


class Unigram:
    """HF's Unigram model: pieces with log-probabilities, an unknown id, byte fallback.

    Example:
        >>> m = Unigram([("<unk>", 0.0), ("a", -1.0), ("b", -1.0), ("ab", -1.5)], unk_id=0)
        >>> m.tokenize("abx")
        [(3, 0, 2), (0, 2, 3)]
    """

    def __init__(
        self,
        pieces: list[tuple[str, float]],
        *,
        unk_id: int | None = None,
        byte_fallback: bool = False,
        excluded: frozenset[int] = frozenset(),
        reserved: frozenset[int] = frozenset(),
        float32_sums: bool = False,
    ) -> None:
        if not pieces:
            raise ModelFormatError("the vocabulary is empty")
        if unk_id is not None and not 0 <= unk_id < len(pieces):
            raise ModelFormatError(f"unk_id {unk_id} is beyond the {len(pieces)} pieces")
        self.pieces = pieces
        self.vocab = {p: i for i, (p, _) in enumerate(pieces)}
        if len(self.vocab) != len(pieces):
            raise ModelFormatError("a piece is listed twice")
        self.unk_id = unk_id
        self.byte_fallback = byte_fallback
        self.reserved = reserved
        self.float32_sums = float32_sums
        self.model = UnigramModel(pieces, unk_id, byte_fallback, excluded, reserved, float32_sums)

    def with_added_tokens(self, added: frozenset[int]) -> Unigram:
        """The same model, never matching the ``added`` ids in text."""
        return Unigram(
            self.pieces,
            unk_id=self.unk_id,
            byte_fallback=self.byte_fallback,
            excluded=added,
            reserved=self.reserved,
            float32_sums=self.float32_sums,
        )

    def id_to_token(self, id: int) -> str | None:
        return self.pieces[id][0] if 0 <= id < len(self.pieces) else None

    def token_to_id(self, token: str) -> int | None:
        return self.vocab.get(token)

    def vocab_size(self) -> int:
        return len(self.pieces)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    def tokenize(self, piece: str) -> list[tuple[int, int, int]]:
        """The Viterbi tokens of one piece as ``(id, start, end)`` chars of the piece."""
        return self.model.tokenize(piece)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": "Unigram",
            "unk_id": self.unk_id,
            "vocab": [[p, s] for p, s in self.pieces],
            "byte_fallback": self.byte_fallback,
        }
        if self.reserved:  # subwordx's key: never-matched pieces of a SentencePiece model
            doc["reserved"] = sorted(self.reserved)
        if self.float32_sums:  # subwordx's key: Viterbi sums in single precision (SentencePiece)
            doc["float32_sums"] = True
        return doc


def from_json(spec: Any) -> Unigram:
    """The Unigram model of an HF ``tokenizer.json``.

    Raises:
        ModelFormatError: a malformed vocabulary or ``unk_id``.
    """
    vocab = spec.get("vocab")
    if not isinstance(vocab, list):
        raise ModelFormatError("model.vocab must be a list of [piece, score]")
    pieces: list[tuple[str, float]] = []
    for i, entry in enumerate(vocab):
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or not isinstance(entry[0], str)
            or isinstance(entry[1], bool)
            or not isinstance(entry[1], (int, float))
        ):
            raise ModelFormatError(f"model.vocab[{i}] is not a [piece, score] pair")
        pieces.append((entry[0], float(entry[1])))
    unk_id = spec.get("unk_id")
    if unk_id is not None and (type(unk_id) is not int or unk_id < 0):
        raise ModelFormatError(f"model.unk_id is not an id: {unk_id!r}")
    reserved = spec.get("reserved") or []
    if not isinstance(reserved, list) or not all(
        type(i) is int and 0 <= i < len(pieces) for i in reserved
    ):
        raise ModelFormatError(f"model.reserved is not a list of ids: {reserved!r}")
    return Unigram(
        pieces,
        unk_id=unk_id,
        byte_fallback=bool(spec.get("byte_fallback", False)),
        reserved=frozenset(reserved),
        float32_sums=spec.get("float32_sums") is True,
    )
