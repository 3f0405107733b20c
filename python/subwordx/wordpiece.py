"""WordPiece training: the likelihood score, exactly as ``docs/wordpiece.md`` defines it.

Example:
    >>> import subwordx
    >>> tok = subwordx.train_wordpiece(texts=["unaffable affable able"] * 5, vocab_size=40,
    ...                                min_frequency=1)
    >>> tok.model_kind
    'wordpiece'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from subwordx import _backend
from subwordx.errors import ConfigError
from subwordx.tokenizer import (
    PathLike,
    ProgressCallback,
    Tokenizer,
    _as_paths,
    _batches,
    _check_counts,
    _check_size,
    _check_threads,
)
from subwordx.word_counts import WordCounts

__all__ = ["BERT_SPECIAL_TOKENS", "DEFAULT_MIN_FREQUENCY", "train_wordpiece"]

BERT_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
#: Chosen by measurement (``benches/RESULTS.md``, section WordPiece): see ``docs/wordpiece.md`` §3.
DEFAULT_MIN_FREQUENCY = 20


def _positive(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    _check_size(name, value)


def train_wordpiece(
    files: PathLike | Sequence[PathLike] | None = None,
    *,
    texts: Iterable[str] | None = None,
    word_counts: Mapping[str, int] | WordCounts | None = None,
    vocab_size: int = 30000,
    min_frequency: int = DEFAULT_MIN_FREQUENCY,
    special_tokens: Sequence[str] = BERT_SPECIAL_TOKENS,
    unk_token: str = "[UNK]",
    continuing_subword_prefix: str = "##",
    limit_alphabet: int | None = None,
    max_piece_length: int | None = None,
    max_input_chars_per_word: int = 100,
    lowercase: bool = True,
    strip_accents: bool | None = None,
    pre_tokenizer: Literal["bert", "whitespace"] = "bert",
    post_processor: bool = True,
    threads: int = 0,
    errors: Literal["strict", "replace"] = "strict",
    progress: ProgressCallback | None = None,
    backend: str | None = None,
) -> Tokenizer:
    """Trains a WordPiece tokenizer with the likelihood score, in BERT's pipeline.

    Give exactly one corpus: ``files`` (paths, streamed and counted on all cores), ``texts`` (any
    iterable of strings) or ``word_counts``: a :class:`~subwordx.WordCounts` counted with
    ``model="wordpiece"``, whose normalizer and pre-tokenizer the tokenizer takes (``lowercase``,
    ``strip_accents`` or ``pre_tokenizer`` passed with a value other than its default must agree
    with them, else :class:`~subwordx.errors.ConfigError`), or a plain ``{word: count}`` mapping,
    taken as already normalized and pre-tokenized.

    Words start as chars, every one but the first with the prefix (``##``). Each step merges,
    everywhere, the adjacent pair with the highest score ``count(xy) / (count(x) * count(y))``
    among pairs seen at least ``min_frequency`` times. Scores are compared exactly (integers, not
    floats); ties go to the higher pair count, then the smaller left piece, then the smaller
    right piece (code point order). The result is the same on any thread count.

    Ids follow training order: the special tokens, then the alphabet (code point order), then
    each new piece as it was added.

    Args:
        vocab_size: the final vocabulary size, special tokens included.
        min_frequency: pairs seen fewer times are never merged. Under the pure score rare pairs
            win (a pair seen once, of symbols seen once, scores 1.0); the default is the floor
            that gave the fewest tokens per word on held-out text (``docs/wordpiece.md``).
        special_tokens: the first ids; must include ``unk_token``.
        unk_token: the token of a word that cannot be covered.
        continuing_subword_prefix: written before each piece that continues a word.
        limit_alphabet: keep only the most frequent chars.
        max_piece_length: never make a piece longer than this many chars (prefix not counted).
        max_input_chars_per_word: encoding: a longer word is ``unk_token`` (BERT: 100).
        lowercase, strip_accents: BERT's normalizer (uncased by default; ``strip_accents``
            None follows ``lowercase``, as in BERT).
        pre_tokenizer: ``"bert"`` (whitespace and punctuation) or ``"whitespace"``.
        post_processor: add ``[CLS] A [SEP]`` (``[CLS] A [SEP] B [SEP]`` for pairs) when both
            tokens are special tokens.
        threads: worker threads for counting (0 = all cores).
        errors: ``"strict"`` raises :class:`~subwordx.errors.InvalidUtf8Error`; ``"replace"``
            substitutes U+FFFD.
        progress: called about ten times a second with ``(stage, done, total, info)``.
        backend: ``"rust"``, ``"python"`` or None (``SUBWORDX_BACKEND``, default auto).

    Raises:
        ConfigError: an impossible setting.
        VocabSizeTooSmallError: ``vocab_size`` below the alphabet plus special tokens.
        EmptyCorpusError: no words.
    """
    given = [x is not None for x in (files, texts, word_counts)]
    if sum(given) != 1:
        raise ConfigError("give exactly one corpus: files=..., texts=... or word_counts=...")
    if isinstance(word_counts, WordCounts):
        counted = word_counts.settings._for_train_wordpiece(lowercase, strip_accents, pre_tokenizer)
        lowercase, strip_accents = counted["lowercase"], counted["strip_accents"]
        pre_tokenizer = counted["pre_tokenizer"]
    _positive("vocab_size", vocab_size)
    _positive("max_input_chars_per_word", max_input_chars_per_word)
    _positive("limit_alphabet", limit_alphabet, allow_none=True)
    _positive("max_piece_length", max_piece_length, allow_none=True)
    _check_size("min_frequency", min_frequency, minimum=0, maximum=2**64 - 1)
    threads = _check_threads(threads)
    if errors not in ("strict", "replace"):
        raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
    if pre_tokenizer not in ("bert", "whitespace"):
        raise ConfigError(f"pre_tokenizer must be 'bert' or 'whitespace', got {pre_tokenizer!r}")
    if not isinstance(unk_token, str) or not unk_token:
        raise ConfigError(f"unk_token must be a non-empty string, got {unk_token!r}")
    if not isinstance(continuing_subword_prefix, str):
        raise ConfigError("continuing_subword_prefix must be a string")
    if isinstance(special_tokens, str):
        raise ConfigError("special_tokens must be a list of strings, not one string")
    specials = list(dict.fromkeys(special_tokens))
    if any(not isinstance(t, str) or not t for t in specials):
        raise ConfigError(f"special_tokens must be non-empty strings, got {specials!r}")
    if unk_token not in specials:
        specials.insert(0, unk_token)
    settings: dict[str, Any] = {
        "model": "wordpiece",
        "vocab_size": vocab_size,
        "min_frequency": min_frequency,
        "special_tokens": specials,
        "unk_token": unk_token,
        "continuing_subword_prefix": continuing_subword_prefix,
        "max_input_chars_per_word": max_input_chars_per_word,
        "limit_alphabet": limit_alphabet,
        "max_piece_length": max_piece_length,
        "lowercase": bool(lowercase),
        "strip_accents": strip_accents,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": bool(post_processor),
    }
    rust = _backend.use_rust(backend)
    if not rust:
        return _train_python(files, texts, word_counts, settings, errors)
    core = _backend.core()
    if files is not None:
        inner = core.train_files(_as_paths(files), settings, threads, errors, progress)
    elif texts is not None:
        if isinstance(texts, (str, bytes)):
            raise ConfigError("texts must be an iterable of strings, not one string")
        inner = core.train_texts(_batches(texts), settings, threads, progress)
    elif isinstance(word_counts, WordCounts):
        inner = core.train_word_counts(word_counts._rust_inner(), settings, progress)
    else:
        assert word_counts is not None
        inner = core.train_counts(_check_counts(word_counts), settings, progress)
    return Tokenizer(inner, True)


def _train_python(
    files: PathLike | Sequence[PathLike] | None,
    texts: Iterable[str] | None,
    word_counts: Mapping[str, int] | WordCounts | None,
    settings: dict[str, Any],
    errors: str,
) -> Tokenizer:
    """The reference trainer (``subwordx.reference.wordpiece``) behind the same settings."""
    from subwordx.reference import wordpiece as ref
    from subwordx.reference.pipeline_backend import ReferenceBackend

    counts: Mapping[str, int]
    if files is not None:
        counts = ref.count_words_in_files(_as_paths(files), settings, errors)
    elif texts is not None:
        if isinstance(texts, (str, bytes)):
            raise ConfigError("texts must be an iterable of strings, not one string")
        counts = ref.count_words_in_texts(texts, settings)
    elif isinstance(word_counts, WordCounts):
        counts = word_counts.to_dict()
    else:
        assert word_counts is not None
        counts = _check_counts(word_counts)
    doc = ref.train_to_hf_json(counts, settings)
    return Tokenizer(ReferenceBackend.from_hf_json(doc, "<trained>"), False)
