"""What the displays and reports need to know about a tokenizer beyond its public API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from subwordx.tokenizer import Tokenizer

__all__ = ["special_ids", "unknown_id"]

# A private-use char of plane 16: no vocabulary we know holds it, and no normalizer changes it.
_PROBE = "\U0010fffd"
_UNK_SPELLINGS = frozenset(["<unk>", "[UNK]", "<UNK>", "<|unk|>", "[unk]", "<oov>"])


def special_ids(tokenizer: Tokenizer) -> set[int]:
    """The ids of the special added tokens (``[CLS]``, ``<|endoftext|>``, ...)."""
    specials = set(tokenizer.special_tokens)
    return {i for token, i in tokenizer.added_tokens.items() if token in specials}


def unknown_id(tokenizer: Tokenizer) -> int | None:
    """The model's unknown-token id, or None (byte-level and byte-fallback models use none).

    The binding has no accessor for it, and the settings (``Tokenizer.config``) serialize the
    whole vocabulary first (seconds for o200k). So it is found by encoding a private-use char
    that no vocabulary holds (U+10FFFD): a model with an unknown token gives that token, which is
    an added token (HF files and :func:`~subwordx.train_bpe` add it so) or spelled like one
    (``<unk>``, ``[UNK]``); a byte-level model gives byte tokens.
    """
    ids = tokenizer.encode_ids(_PROBE, add_special_tokens=False, split_special_tokens=True)
    added = set(tokenizer.added_tokens.values())
    for i in ids.tolist():
        if i in added or tokenizer.id_to_token(i) in _UNK_SPELLINGS:
            return int(i)
    return None
