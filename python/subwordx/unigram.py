"""Unigram LM training (Kudo 2018), as SentencePiece does it: ``docs/unigram.md``.

Example:
    >>> import subwordx
    >>> tok = subwordx.train_unigram(texts=["the cat sat on the mat"] * 20, vocab_size=20)
    >>> tok.model_kind
    'unigram'
    >>> tok.decode(tok.encode("the cat").ids)
    'the cat'
"""

from __future__ import annotations

import re
import unicodedata
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

__all__ = ["train_unigram"]


def _pipeline_words(word: str, nfkc: bool, prepend_scheme: str) -> list[str]:
    """A pre-counted word cut as the training pipeline cuts a text (``docs/unigram.md`` §4):
    NFKC (``unicodedata``) when asked; for ``always`` SentencePiece's whitespace rules (leading
    spaces dropped, runs collapsed, a ``▁`` first, spaces to ``▁``, trailing ``▁`` dropped), for
    ``first`` the Metaspace pre-tokenizer's (spaces to ``▁``, a ``▁`` first); then a word starts
    at each ``▁``. A word that starts with ``▁`` is taken as already cut: no second ``▁``."""
    if nfkc:
        word = unicodedata.normalize("NFKC", word)
    if prepend_scheme == "always":
        text = re.sub(" {2,}", " ", word.lstrip(" ")).replace(" ", "\u2581")
    else:
        text = word.replace(" ", "\u2581")
    if not text.startswith("\u2581"):
        text = "\u2581" + text
    if prepend_scheme == "always":
        text = text.rstrip("\u2581")
    pieces: list[str] = []
    for i, c in enumerate(text):
        if c == "\u2581" or i == 0:
            pieces.append(c)
        else:
            pieces[-1] += c
    return pieces


def train_unigram(
    files: PathLike | Sequence[PathLike] | None = None,
    *,
    texts: Iterable[str] | None = None,
    word_counts: Mapping[str, int] | WordCounts | None = None,
    vocab_size: int = 8000,
    special_tokens: Sequence[str] = (),
    unk_token: str = "<unk>",
    nfkc: bool = False,
    prepend_scheme: Literal["always", "first"] = "always",
    seed_size: int = 1_000_000,
    max_piece_length: int = 16,
    shrinking_factor: float = 0.75,
    num_sub_iterations: int = 2,
    character_coverage: float = 0.9995,
    split_by_script: bool = True,
    split_by_number: bool = True,
    split_digits: bool = False,
    threads: int = 0,
    errors: Literal["strict", "replace"] = "strict",
    progress: ProgressCallback | None = None,
    backend: str | None = None,
) -> Tokenizer:
    """Trains a Unigram LM tokenizer in SentencePiece's pipeline.

    Give exactly one corpus: ``files`` (paths, streamed and counted on all cores), ``texts`` (any
    iterable of strings) or ``word_counts`` (``{word: count}``; each word is cut as a text would
    be: spaces become ``▁`` and a ``▁`` goes first unless the word starts with one).

    The algorithm is SentencePiece's (``docs/unigram.md``): seed pieces (every char, and the
    substrings with the highest ``frequency × length`` found with a suffix array of the distinct
    words), then rounds of EM (forward-backward expected counts, digamma M step) and pruning of
    the pieces whose removal costs the least likelihood, until ``vocab_size``. The result is the
    same for any ``threads``.

    Ids: ``unk_token`` (0), the other special tokens, then the pieces by score (ties: code point
    order). The vocabulary can come out smaller than ``vocab_size`` on a corpus too small to
    fill it.

    Args:
        vocab_size: the final vocabulary size, special tokens included.
        special_tokens: added after ``unk_token``; never split, never produced from text.
        unk_token: the token of unknown chars (consecutive ones are fused).
        nfkc: NFKC-normalize the text (SentencePiece's ``nmt_nfkc`` without its extra rules:
            a per-code-point charsmap under ``"always"``, Unicode NFKC under ``"first"``);
            default: no normalization.
        prepend_scheme: ``"always"`` (default) builds SentencePiece's own pipeline: its
            normalizer (extra spaces removed, a ``▁`` before every text between added tokens,
            spaces escaped to ``▁``), one Viterbi over the whole text with scores in single
            precision, and its decoder; the tokenizer saves as a ``.model`` that SentencePiece
            encodes exactly as subwordx does (text without special-token strings: subwordx
            matches those, SentencePiece never matches control symbols in text).
            ``"first"`` builds HF's ``Metaspace`` pipeline (a ``▁`` only before the start of
            the input; spaces kept as they are); it saves as tokenizer.json only.
        seed_size: the most seed pieces (chars included).
        max_piece_length: the longest piece, in chars.
        shrinking_factor: the share of pieces each pruning round keeps.
        num_sub_iterations: EM iterations between prunings.
        character_coverage: the share of char occurrences the alphabet covers (SentencePiece's
            0.9995); rarer chars are unknown.
        split_by_script: SentencePiece's ``split_by_unicode_script`` with two scripts: letters
            never share a piece with other chars (punctuation, symbols, digits); marks go with
            the char before them.
        split_by_number: SentencePiece's ``split_by_number``: decimal digits count as the common
            script of punctuation (``"1.5"`` may be a piece, ``"a1"`` not); ``False``: digits go
            with anything.
        split_digits: SentencePiece's ``split_digits``: every digit is a piece of its own.
        threads: worker threads (0 = all cores).
        errors: ``"strict"`` raises :class:`~subwordx.errors.InvalidUtf8Error`; ``"replace"``
            substitutes U+FFFD.
        progress: called about ten times a second with ``(stage, done, total, info)``; ``info``
            holds the log-likelihood of each EM round.
        backend: ``"rust"``, ``"python"`` or None (``SUBWORDX_BACKEND``, default auto).

    Raises:
        ConfigError: an impossible setting.
        VocabSizeTooSmallError: ``vocab_size`` below the alphabet plus special tokens.
        EmptyCorpusError: no words.
    """
    given = [x is not None for x in (files, texts, word_counts)]
    if sum(given) != 1:
        raise ConfigError("give exactly one corpus: files=..., texts=... or word_counts=...")
    _check_size("vocab_size", vocab_size)
    _check_size("seed_size", seed_size)
    _check_size("max_piece_length", max_piece_length)
    _check_size("num_sub_iterations", num_sub_iterations)
    threads = _check_threads(threads)
    if not isinstance(shrinking_factor, (int, float)) or not 0.0 < shrinking_factor < 1.0:
        raise ConfigError(f"shrinking_factor must be in (0, 1), got {shrinking_factor!r}")
    if not isinstance(character_coverage, (int, float)) or not 0.0 < character_coverage <= 1.0:
        raise ConfigError(f"character_coverage must be in (0, 1], got {character_coverage!r}")
    if errors not in ("strict", "replace"):
        raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
    if prepend_scheme not in ("always", "first"):
        raise ConfigError(f"prepend_scheme must be 'always' or 'first', got {prepend_scheme!r}")
    if not isinstance(unk_token, str) or not unk_token:
        raise ConfigError(f"unk_token must be a non-empty string, got {unk_token!r}")
    if isinstance(special_tokens, str):
        raise ConfigError("special_tokens must be a list of strings, not one string")
    specials = [t for t in dict.fromkeys(special_tokens) if t != unk_token]
    if any(not isinstance(t, str) or not t for t in specials):
        raise ConfigError(f"special_tokens must be non-empty strings, got {specials!r}")
    settings: dict[str, Any] = {
        "model": "unigram",
        "vocab_size": vocab_size,
        "special_tokens": [unk_token, *specials],
        "unk_token": unk_token,
        "nfkc": bool(nfkc),
        "prepend_scheme": prepend_scheme,
        "seed_size": seed_size,
        "max_piece_length": max_piece_length,
        "shrinking_factor": float(shrinking_factor),
        "num_sub_iterations": num_sub_iterations,
        "character_coverage": float(character_coverage),
        "split_by_number": bool(split_by_number),
        "split_digits": bool(split_digits),
        "split_by_script": bool(split_by_script),
        "threads": threads,
    }
    if texts is not None and isinstance(texts, (str, bytes)):
        raise ConfigError("texts must be an iterable of strings, not one string")
    counts: dict[str, int] | None = None
    if word_counts is not None:
        raw = word_counts.to_dict() if isinstance(word_counts, WordCounts) else word_counts
        counts = {}
        for word, n in _check_counts(raw).items():
            for piece in _pipeline_words(word, bool(nfkc), prepend_scheme):
                counts[piece] = counts.get(piece, 0) + n
    if not _backend.use_rust(backend):
        from subwordx.reference import unigram as ref

        return ref.train_tokenizer(files, texts, counts, settings, errors)
    core = _backend.core()
    if files is not None:
        inner = core.train_files(_as_paths(files), settings, threads, errors, progress)
    elif texts is not None:
        inner = core.train_texts(_batches(texts), settings, threads, progress)
    else:
        assert counts is not None
        inner = core.train_counts(counts, settings, progress)
    return Tokenizer(inner, True)
