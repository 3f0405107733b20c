"""The WordPiece model: BERT's greedy longest-match-first (HF ``models::wordpiece``).

A piece (a word from the pre-tokenizer) becomes tokens by :func:`subwordx.reference.wordpiece.
encode_word` (docs/wordpiece.md §2)::

    piece            "unaffable"
    longest match    "un"      from char 0 (a token that starts a word)
                     "##aff"   from char 2 (a continuing token: the prefix ``##`` + chars)
                     "##able"  from char 5
    tokens           un ##aff ##able, covering chars 0..2, 2..5, 5..9

A piece with no match at some position, or longer than ``max_input_chars_per_word`` chars, is one
``unk_token`` covering the whole piece, as in HF ``tokenizers``.

Files: the ``model`` object of HF's ``tokenizer.json`` (:func:`from_json`,
:meth:`WordPiece.to_json`) and BERT's ``vocab.txt`` (:func:`read_vocab_txt`,
:func:`write_vocab_txt`, docs/wordpiece.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from subwordx.errors import ConfigError, ModelFormatError
from subwordx.reference.pipeline.bpe_model import ModelToken
from subwordx.reference.pretokenize import WHITESPACE
from subwordx.reference.wordpiece import encode_word

__all__ = ["WordPiece", "from_json", "infer_lowercase", "read_vocab_txt", "write_vocab_txt"]

# Rust `str::trim_end` strips Unicode White_Space (not Python `str.isspace`, which adds U+001C..1F).
_WHITE_SPACE = "".join(sorted(WHITESPACE))


class WordPiece:
    """HF's WordPiece model: a vocabulary, an unknown token, a continuing prefix and a word limit.

    Args:
        vocab: token → id.
        unk_token: the token of a piece that cannot be covered; it must be in ``vocab``.
        continuing_subword_prefix: written before a token that continues a word (``##``).
        max_input_chars_per_word: a piece with more chars is ``unk_token`` (BERT: 100).

    Raises:
        ModelFormatError: ``unk_token`` is not in the vocabulary (HF would fail on the first
            piece that needs it; here the file is refused when it is read).

    Example:
        >>> wp = WordPiece({"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3})
        >>> wp.tokenize("unaffable")
        [(1, 0, 2), (2, 2, 5), (3, 5, 9)]
        >>> wp.tokenize("unaffablé")
        [(0, 0, 9)]
    """

    def __init__(
        self,
        vocab: Mapping[str, int],
        *,
        unk_token: str = "[UNK]",
        continuing_subword_prefix: str = "##",
        max_input_chars_per_word: int = 100,
    ) -> None:
        self.vocab = dict(vocab)
        self.vocab_r = {id: token for token, id in self.vocab.items()}
        if unk_token not in self.vocab:
            raise ModelFormatError(f"the unknown token {unk_token!r} is not in the vocabulary")
        self.unk_token = unk_token
        self.continuing_subword_prefix = continuing_subword_prefix
        self.max_input_chars_per_word = max_input_chars_per_word

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
        """The tokens of one piece as ``(id, start, end)``, char spans of the piece."""
        tokens = encode_word(
            piece,
            self.vocab,
            self.unk_token,
            self.continuing_subword_prefix,
            self.max_input_chars_per_word,
        )
        return [(self.vocab[token], start, end) for token, start, end in tokens]

    # ------------------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """HF's ``model`` object (the vocabulary in id order)."""
        return {
            "type": "WordPiece",
            "unk_token": self.unk_token,
            "continuing_subword_prefix": self.continuing_subword_prefix,
            "max_input_chars_per_word": self.max_input_chars_per_word,
            "vocab": dict(sorted(self.vocab.items(), key=lambda item: item[1])),
        }


def from_json(spec: Any) -> WordPiece:
    """Build the WordPiece model of an HF ``tokenizer.json``.

    A missing ``unk_token``, ``continuing_subword_prefix`` or ``max_input_chars_per_word`` takes
    HF's default (``[UNK]``, ``##``, 100); a missing vocabulary is an error.

    Raises:
        ModelFormatError: not a WordPiece model, a missing or malformed vocabulary, an option of
            the wrong type, or an unknown token that is not in the vocabulary.
    """
    if not isinstance(spec, dict):
        raise ModelFormatError("tokenizer.json has no 'model' object")
    if spec.get("type", "WordPiece") != "WordPiece":
        raise ModelFormatError(f"model type {spec.get('type')!r} is not WordPiece")
    vocab = spec.get("vocab")
    if not isinstance(vocab, dict):
        raise ModelFormatError("model.vocab must be an object {token: id}")
    for token, id in vocab.items():
        if type(id) is not int or id < 0:
            raise ModelFormatError(f"model.vocab: token {token!r} has an invalid id {id!r}")
    unk_token = spec.get("unk_token", "[UNK]")
    if not isinstance(unk_token, str):
        raise ModelFormatError(f"model.unk_token must be a string, got {unk_token!r}")
    prefix = spec.get("continuing_subword_prefix", "##")
    if not isinstance(prefix, str):
        raise ModelFormatError(f"model.continuing_subword_prefix must be a string, got {prefix!r}")
    max_chars = spec.get("max_input_chars_per_word", 100)
    if type(max_chars) is not int or max_chars < 0:
        raise ModelFormatError(
            f"model.max_input_chars_per_word must be an int >= 0, got {max_chars!r}"
        )
    return WordPiece(
        vocab,
        unk_token=unk_token,
        continuing_subword_prefix=prefix,
        max_input_chars_per_word=max_chars,
    )


# ---------------------------------------------------------------------------------- vocab.txt


def read_vocab_txt(text: str) -> dict[str, int]:
    """BERT's ``vocab.txt``: one token per line, the line number (from 0) is its id.

    As HF ``tokenizers`` reads it (``WordPiece::read_file``): lines end at ``\\n``, trailing
    whitespace (Unicode White_Space, ``\\r`` included) is not part of the token, and a token
    listed twice keeps the id of its last line.

    Example:
        >>> read_vocab_txt("[PAD]\\n[UNK]\\r\\nhello\\n")
        {'[PAD]': 0, '[UNK]': 1, 'hello': 2}
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line does not start another
    vocab: dict[str, int] = {}
    for id, line in enumerate(lines):
        token = line.rstrip(_WHITE_SPACE)
        if token in vocab:
            # HF keeps the last id and leaves a hole at the first; ids must be dense here.
            raise ModelFormatError(
                f"token {token!r} is on lines {vocab[token] + 1} and {id + 1} of vocab.txt"
            )
        vocab[token] = id
    return vocab


def write_vocab_txt(vocab: Mapping[str, int]) -> str:
    """The ``vocab.txt`` of a vocabulary: its tokens in id order, one per line, each line ended
    by ``\\n``.

    Raises:
        ConfigError: a token holding a line break (it cannot be written), or ids that are not
            ``0..n-1`` (a line number is an id: there is no way to write a gap).
    """
    tokens = sorted(vocab, key=lambda token: vocab[token])
    for expected, token in enumerate(tokens):
        if vocab[token] != expected:
            raise ConfigError(
                f"vocab.txt needs the ids 0..{len(tokens) - 1}; id {expected} is missing"
            )
        if "\n" in token or "\r" in token:
            raise ConfigError(f"token {token!r} holds a line break and cannot go in vocab.txt")
    return "".join(token + "\n" for token in tokens)


def infer_lowercase(tokens: Iterable[str]) -> bool:
    """Whether a ``vocab.txt`` without settings is for lowercased text: true unless a token other
    than a ``[...]`` special-looking one holds an uppercase letter (docs/wordpiece.md §5).

    "Uppercase" means a char that lowercasing changes (``char.lower() != char``, Rust
    ``to_lowercase``): BERT's uncased vocabulary holds ``ℝ``, a capital letter with no lowercase
    form, which the normalizer leaves as it is.

    Example:
        >>> infer_lowercase(["[CLS]", "hello", "ℝ"]), infer_lowercase(["[CLS]", "Hello"])
        (True, False)
    """
    for token in tokens:
        if token.startswith("[") and token.endswith("]"):
            continue
        if any(char.lower() != char for char in token):
            return False
    return True
