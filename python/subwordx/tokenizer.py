"""The public tokenizer API: train, encode, decode, save and load BPE tokenizers.

A :class:`Tokenizer` is immutable: training returns a new one, and one object can be shared by any
number of threads without locks. It pickles cheaply (its serialized model), so it can be shipped to
the workers of a ``multiprocessing`` pool or a cluster.

Two implementations stand behind it (see :mod:`subwordx._backend`): the Rust core, and the
pure-Python reference in :mod:`subwordx.reference`. Both follow ``docs/bpe.md`` to the letter,
so they give the same merges, ids and offsets.

Example:
    >>> import subwordx
    >>> tok = subwordx.train_bpe(texts=["low lower lowest"] * 10, vocab_size=40)
    >>> enc = tok.encode("lower")
    >>> tok.decode(enc.ids)
    'lower'
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx._atomic import atomic_open, atomic_write
from subwordx.errors import (
    ConfigError,
    DisallowedSpecialTokenError,
    ModelFormatError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)

if TYPE_CHECKING:
    from subwordx.word_counts import WordCounts

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[str, int, int, str], None]
PreTokenizerName = Literal["whitespace", "bert", "gpt2", "cl100k", "o200k", "qwen", "llama3"]
FileFormat = Literal["hf", "subwordx", "vocab-merges", "tiktoken", "vocab-txt", "sentencepiece"]
SpecialSet = Literal["all"] | AbstractSet[str] | Sequence[str]

_PRE_TOKENIZERS = ("whitespace", "bert", "gpt2", "cl100k", "o200k", "qwen", "llama3")
_BYTE_LEVEL = ("gpt2", "cl100k", "o200k", "qwen", "llama3")


class Encoding:
    """The result of encoding one text (or a pair of texts).

    ``ids`` is computed at once; every other field on first use (the text is encoded again with
    offsets then), so the everyday ``tok.encode(text).ids`` pays for nothing else.

    Attributes:
        ids: token ids as a ``numpy.uint32`` array (no Python object per token).
        offsets: ``(n, 2)`` array of ``(start, end)`` char offsets into the text each token came
            from; tokens the post-processor added have ``(0, 0)``.
        type_ids, attention_mask, special_tokens_mask: ``numpy.uint32`` arrays.
        word_ids, sequence_ids: per token, the pre-tokenized word / the text (0 or 1) it came
            from, or None for added tokens.
        overflowing: what truncation cut off, as encodings of the same shape.
    """

    __slots__ = ("_detail", "_request", "_texts", "_tokenizer", "ids")

    def __init__(
        self,
        tokenizer: Tokenizer,
        ids: npt.NDArray[np.uint32],
        request: tuple[Any, ...] | None,
        detail: tuple[Any, ...] | None = None,
        texts: tuple[str, ...] | None = None,
    ) -> None:
        self._tokenizer = tokenizer
        self.ids = ids
        self._request = request
        self._detail = detail
        # The encoded text(s), kept (not copied) for displays that show each token's span.
        self._texts = texts

    def _fields(self) -> tuple[Any, ...]:
        if self._detail is None:
            assert self._request is not None
            self._detail = self._tokenizer._inner.encode(*self._request)
        return self._detail

    @property
    def tokens(self) -> list[str]:
        """The token strings, one per id.

        As in HF, an added token that widened over whitespace (``lstrip`` / ``rstrip``) is the
        text it covers (``" <mask>"``), not its bare content. (A token matched on normalized text
        whose normalized form differs from its content shows that form, without the whitespace.)
        """
        ids = self.ids.tolist()
        tokens = [self._tokenizer.id_to_token(i) for i in ids]
        stripping = self._tokenizer._stripping_ids
        if not stripping or self._texts is None or stripping.isdisjoint(ids):
            return tokens
        offsets = self.offsets
        sequences = self.sequence_ids
        added_by_post_processor = self.special_tokens_mask
        for i, id in enumerate(ids):
            seq = sequences[i]
            if id in stripping and not added_by_post_processor[i] and seq is not None:
                start, end = (int(x) for x in offsets[i])
                if end > start:
                    tokens[i] = self._texts[seq][start:end]
        return tokens

    @property
    def type_ids(self) -> npt.NDArray[np.uint32]:
        return _as_ids(self._fields()[1])

    @property
    def offsets(self) -> npt.NDArray[np.int64]:
        return _as_offsets(self._fields()[2])

    @property
    def special_tokens_mask(self) -> npt.NDArray[np.uint32]:
        return _as_ids(self._fields()[3])

    @property
    def attention_mask(self) -> npt.NDArray[np.uint32]:
        return _as_ids(self._fields()[4])

    @property
    def word_ids(self) -> list[int | None]:
        return [None if w < 0 else int(w) for w in self._fields()[5]]

    @property
    def sequence_ids(self) -> list[int | None]:
        return [None if w < 0 else int(w) for w in self._fields()[6]]

    @property
    def overflowing(self) -> list[Encoding]:
        return [Encoding._of(self._tokenizer, d, self._texts) for d in self._fields()[7]]

    @classmethod
    def _of(
        cls, tokenizer: Tokenizer, detail: tuple[Any, ...], texts: tuple[str, ...] | None = None
    ) -> Encoding:
        return cls(tokenizer, _as_ids(detail[0]), None, detail, texts)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"Encoding(ids={self.ids.tolist()!r})"

    def _repr_html_(self) -> str:
        """Jupyter's display: the text with each token's span coloured, its id and token string
        on hover (:func:`subwordx.visualize.render_html`)."""
        from subwordx.visualize.html import render_html

        return render_html(self)


class DecodeStream:
    """Decodes ids one at a time, giving text as soon as it is complete.

    Byte-level tokens can end in the middle of a UTF-8 char; :meth:`step` then returns None and
    keeps the bytes until the char completes, so what it returns is never half a char. It keeps
    only the ids since the last complete text (plus the one before, for decoders whose output
    depends on the previous token), so a stream of any length costs O(1) per id.

    Example:
        >>> stream = tok.decode_stream()                    # doctest: +SKIP
        >>> "".join(filter(None, map(stream.step, ids)))    # doctest: +SKIP
    """

    def __init__(self, tokenizer: Tokenizer, skip_special_tokens: bool = True) -> None:
        self._tokenizer = tokenizer
        self._skip = skip_special_tokens
        self._ids: list[int] = []
        self._prefix = ""
        self._prefix_index = 0

    def step(self, id: int) -> str | None:
        """Feeds one id; returns the new complete text, or None while a char is incomplete."""
        self._ids.extend(_id_list([id]))
        text = self._tokenizer.decode(self._ids, skip_special_tokens=self._skip)
        if len(text) > len(self._prefix) and not text.endswith("\ufffd"):
            new = text[len(self._prefix) :]
            # Keep the last id as context: the next text is decoded after it.
            self._ids = self._ids[-1:]
            self._prefix = self._tokenizer.decode(self._ids, skip_special_tokens=self._skip)
            return new
        return None


class Tokenizer:
    """An immutable tokenizer: added tokens, normalizer, pre-tokenizer, model (BPE or WordPiece),
    post-processor and decoder, as Hugging Face ``tokenizers`` defines them.

    Build one with :func:`train_bpe`, :func:`~subwordx.train_wordpiece` or :meth:`Tokenizer.load`
    (subwordx files, HF ``tokenizer.json``, ``vocab.json`` + ``merges.txt``, tiktoken
    ``.tiktoken``, BERT ``vocab.txt``); do not call the constructor.
    """

    __slots__ = ("_inner", "_rust", "_stripping_ids")

    def __init__(self, inner: Any, rust: bool) -> None:
        self._inner = inner
        self._rust = rust
        # Added tokens whose token string is the text they cover (see Encoding.tokens): those
        # that strip whitespace and whose normalized form, if any, is their content.
        contents = {id: content for content, id, _ in inner.added_tokens()}
        self._stripping_ids = frozenset(
            id
            for id, normalized in inner.stripping_added_ids()
            if not normalized or inner.id_to_token(id) == contents.get(id)
        )

    # ----------------------------------------------------------------------------- encoding
    def _policy(
        self,
        texts: Sequence[str],
        split_special_tokens: bool,
        allowed_special: SpecialSet | None,
        disallowed_special: SpecialSet,
    ) -> list[int] | None:
        """The ids of the special tokens to match (None: all), after refusing any text that
        spells a disallowed one (tiktoken's rule)."""
        if allowed_special is None and not disallowed_special:
            return [] if split_special_tokens else None
        specials = {c: i for c, i, special in self._inner.added_tokens() if special}
        if allowed_special is None or allowed_special == "all":
            allowed_ids = None if allowed_special is None else list(specials.values())
        else:
            unknown = [s for s in allowed_special if s not in specials]
            if unknown:
                raise ConfigError(f"allowed_special names tokens that are not special: {unknown}")
            allowed_ids = [specials[s] for s in allowed_special]
        if disallowed_special:
            if disallowed_special == "all":
                refused = [
                    i for i in specials.values() if allowed_ids is None or i not in allowed_ids
                ]
            else:
                unknown = [s for s in disallowed_special if s not in specials]
                if unknown:
                    raise ConfigError(
                        f"disallowed_special names tokens that are not special: {unknown}"
                    )
                refused = [specials[s] for s in disallowed_special]
            keep = [i for i in specials.values() if i not in refused]
            for t in texts:
                hit = self._inner.find_disallowed_special(t, keep)
                if hit is not None:
                    raise DisallowedSpecialTokenError(
                        f"the text contains the special token {hit!r}, which is disallowed; "
                        f"pass allowed_special={{{hit!r}}} to encode it as a special token, or "
                        "disallowed_special=() to encode it as text"
                    )
        if split_special_tokens:
            return []
        return allowed_ids

    def encode(
        self,
        text: str,
        pair: str | None = None,
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: SpecialSet | None = None,
        disallowed_special: SpecialSet = (),
    ) -> Encoding:
        """Encodes one text, or a pair (``pair``: the second text).

        Args:
            text: any string; special tokens written in it are matched as such (HF's rule)
                unless ``split_special_tokens`` or ``allowed_special`` says otherwise.
            add_special_tokens: let the post-processor add its tokens (e.g. ``<s>`` ... ``</s>``).
            split_special_tokens: treat every special-token string in the text as plain text.
            allowed_special: ``"all"`` or a set of special tokens that are matched as such; the
                others are plain text (tiktoken's rule). None: all are matched.
            disallowed_special: ``"all"`` or a set: a text spelling one of these raises
                :class:`~subwordx.errors.DisallowedSpecialTokenError` (tiktoken's default is
                ``"all"``; ours is ``()``, HF's behaviour), so untrusted text cannot inject
                control tokens.
        """
        _check_text(text)
        if pair is not None:
            _check_text(pair)
        texts = [text] if pair is None else [text, pair]
        allowed = self._policy(texts, split_special_tokens, allowed_special, disallowed_special)
        split = allowed == []
        allowed_arg = None if split else allowed
        # With BPE-dropout every call draws anew, so the details cannot be computed later by
        # encoding again: they come with the ids, from the same call.
        if pair is None and self._inner.dropout() is None:
            ids = self._inner.encode_ids(text, add_special_tokens, split, allowed_arg)
            request = (text, None, add_special_tokens, split, allowed_arg)
            return Encoding(self, _as_ids(ids), request, texts=(text,))
        detail = self._inner.encode(text, pair, add_special_tokens, split, allowed_arg)
        return Encoding._of(self, detail, tuple(texts))

    def encode_nbest(
        self, text: str, n: int, *, add_special_tokens: bool = True
    ) -> list[tuple[Encoding, float]]:
        """The ``n`` best segmentations of ``text``, best first, with their scores.

        Needs a Unigram model. Exact (A* over the lattice of the whole text, as SentencePiece's
        ``NBestEncode``); the score is the sum of the pieces' log-probabilities (an unknown char
        scores the lowest piece score minus 10). Fewer than ``n`` when the text has fewer
        segmentations. Special tokens written in the text are matched.

        Example:
            >>> tok = subwordx.train_unigram(texts=["low lower lowest"] * 9, vocab_size=25)
            >>> [(e.tokens, round(s, 2)) for e, s in tok.encode_nbest("lower", 2)]  # doctest: +SKIP
            [(['▁lower'], -2.3), (['▁low', 'er'], -6.1)]

        Raises:
            ConfigError: the model is not Unigram, or ``n`` is not a positive integer.
        """
        _check_text(text)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 2**20:
            raise ConfigError(f"n must be an integer in 1 .. {2**20}, got {n!r}")
        return [
            (Encoding._of(self, detail, (text,)), float(score))
            for detail, score in self._inner.encode_nbest(text, n, add_special_tokens)
        ]

    def encode_sample(
        self,
        text: str,
        *,
        alpha: float = 0.1,
        nbest_size: int = -1,
        dropout: float | None = None,
        seed: int | None = None,
        add_special_tokens: bool = True,
    ) -> Encoding:
        """One segmentation of ``text`` drawn at random (subword regularization).

        Unigram: a segmentation ``s`` is drawn with probability
        ``exp(alpha * score(s)) / Z`` from every segmentation (``nbest_size < 0``; forward
        filtering, backward sampling: exact), from the ``nbest_size`` best (``nbest_size > 1``),
        or the best one (``0`` or ``1``), as SentencePiece's ``SampleEncode``. BPE: BPE-dropout,
        each merge candidate skipped with probability ``dropout`` (required; ``alpha`` and
        ``nbest_size`` do not apply). WordPiece has no sampling.

        The same ``seed`` gives the same encoding (on any backend); ``None`` draws a fresh one.

        Raises:
            ConfigError: a WordPiece model, BPE without ``dropout``, Unigram with ``dropout``, or a
                setting out of range.
        """
        _check_text(text)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha >= 0:
            raise ConfigError(f"alpha must be a number >= 0, got {alpha!r}")
        if isinstance(nbest_size, bool) or not isinstance(nbest_size, int):
            raise ConfigError(f"nbest_size must be an integer, got {nbest_size!r}")
        nbest_size = max(-1, min(nbest_size, 2**20))
        if dropout is not None and (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0.0 <= dropout <= 1.0
        ):
            raise ConfigError(f"dropout must be in [0, 1], got {dropout!r}")
        if seed is None:
            import secrets

            seed = secrets.randbits(64)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ConfigError(f"seed must be an integer in 0 .. 2**64 - 1, got {seed!r}")
        detail = self._inner.encode_sample(
            text,
            float(alpha),
            nbest_size,
            None if dropout is None else float(dropout),
            seed,
            add_special_tokens,
        )
        return Encoding._of(self, detail, (text,))

    def encode_batch(
        self,
        texts: Sequence[str],
        pairs: Sequence[str] | None = None,
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: SpecialSet | None = None,
        disallowed_special: SpecialSet = (),
        threads: int = 0,
    ) -> list[Encoding]:
        """Encodes many texts (or pairs) in parallel (``threads=0``: all cores), the GIL
        released; padding to the longest applies across the batch."""
        texts = list(texts)
        for t in texts:
            _check_text(t)
        pair_list = None if pairs is None else list(pairs)
        if pair_list is not None:
            if len(pair_list) != len(texts):
                raise ConfigError(f"{len(texts)} texts but {len(pair_list)} pairs")
            for t in pair_list:
                _check_text(t)
        allowed = self._policy(
            texts + (pair_list or []), split_special_tokens, allowed_special, disallowed_special
        )
        split = allowed == []
        details = self._inner.encode_batch(
            texts,
            pair_list,
            add_special_tokens,
            split,
            None if split else allowed,
            _check_threads(threads),
        )
        if pair_list is None:
            return [Encoding._of(self, d, (t,)) for d, t in zip(details, texts)]
        return [Encoding._of(self, d, (t, p)) for d, t, p in zip(details, texts, pair_list)]

    def encode_batch_lists(
        self,
        texts: Sequence[str],
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: SpecialSet | None = None,
        disallowed_special: SpecialSet = (),
        threads: int = 0,
    ) -> list[list[int]]:
        """The ids of many texts as plain lists of ints, for pipelines that want nothing else."""
        texts = list(texts)
        for t in texts:
            _check_text(t)
        allowed = self._policy(texts, split_special_tokens, allowed_special, disallowed_special)
        split = allowed == []
        # the binding's lists are new and the caller's own: no copy
        lists: list[list[int]] = self._inner.encode_batch_ids(
            texts,
            add_special_tokens,
            split,
            None if split else allowed,
            _check_threads(threads),
        )
        return lists

    def encode_batch_ids(
        self,
        texts: Sequence[str],
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: SpecialSet | None = None,
        disallowed_special: SpecialSet = (),
        threads: int = 0,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """The ids of many texts as two arrays: all ids in one flat ``uint32`` array, and
        ``starts`` (``len(texts) + 1`` offsets): text ``i`` is ``ids[starts[i]:starts[i + 1]]``.

        The fastest batch path: two numpy arrays for the whole batch, no object per text.
        """
        texts = list(texts)
        for t in texts:
            _check_text(t)
        allowed = self._policy(texts, split_special_tokens, allowed_special, disallowed_special)
        split = allowed == []
        flat, starts = self._inner.encode_batch_flat(
            texts, add_special_tokens, split, None if split else allowed, _check_threads(threads)
        )
        return _as_ids(flat), np.asarray(starts, dtype=np.int64)

    def encode_ids(
        self,
        text: str,
        *,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: SpecialSet | None = None,
        disallowed_special: SpecialSet = (),
    ) -> npt.NDArray[np.uint32]:
        """Only the ids of :meth:`encode` (the fastest path)."""
        _check_text(text)
        allowed = self._policy([text], split_special_tokens, allowed_special, disallowed_special)
        split = allowed == []
        return _as_ids(
            self._inner.encode_ids(text, add_special_tokens, split, None if split else allowed)
        )

    def decode(
        self, ids: Iterable[int] | npt.NDArray[Any], *, skip_special_tokens: bool = True
    ) -> str:
        """Turns ids back into text through the decoder (byte-level: exactly the encoded text).

        Raises:
            ConfigError: an id outside the vocabulary.
        """
        return str(self._inner.decode(_id_list(ids), skip_special_tokens))

    def decode_bytes(
        self, ids: Iterable[int] | npt.NDArray[Any], *, skip_special_tokens: bool = True
    ) -> bytes:
        """The bytes of ``ids`` (byte-level: exact, even when a token holds part of a char)."""
        return bytes(self._inner.decode_bytes(_id_list(ids), skip_special_tokens))

    def decode_batch(
        self, batch: Iterable[Iterable[int]], *, skip_special_tokens: bool = True
    ) -> list[str]:
        """:meth:`decode` for each id sequence."""
        return [self.decode(ids, skip_special_tokens=skip_special_tokens) for ids in batch]

    def decode_stream(self, *, skip_special_tokens: bool = True) -> DecodeStream:
        """A :class:`DecodeStream`: feed ids one at a time, get text as soon as it is complete."""
        return DecodeStream(self, skip_special_tokens)

    # ----------------------------------------------------------------------------- settings
    def with_truncation(
        self,
        max_length: int | None,
        *,
        stride: int = 0,
        strategy: Literal["longest_first", "only_first", "only_second"] = "longest_first",
        direction: Literal["right", "left"] = "right",
    ) -> Tokenizer:
        """A copy that truncates encodings to ``max_length`` tokens (special tokens included);
        the cut windows, overlapping by ``stride``, go to ``Encoding.overflowing``.
        ``max_length=None`` turns truncation off."""
        truncation = None
        if max_length is not None:
            if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0:
                raise ConfigError(f"max_length must be an integer >= 0, got {max_length!r}")
            if not isinstance(stride, int) or stride < 0:
                raise ConfigError(f"stride must be an integer >= 0, got {stride!r}")
            names = {
                "longest_first": "LongestFirst",
                "only_first": "OnlyFirst",
                "only_second": "OnlySecond",
            }
            if strategy not in names:
                raise ConfigError(f"strategy must be one of {', '.join(names)}, got {strategy!r}")
            if direction not in ("right", "left"):
                raise ConfigError(f"direction must be 'right' or 'left', got {direction!r}")
            truncation = json.dumps(
                {
                    "max_length": max_length,
                    "stride": stride,
                    "strategy": names[strategy],
                    "direction": direction.capitalize(),
                }
            )
        padding = self._inner_settings().get("padding")
        return Tokenizer(
            self._inner.with_truncation_padding(
                truncation, None if padding is None else json.dumps(padding)
            ),
            self._rust,
        )

    def with_padding(
        self,
        length: int | None = None,
        *,
        pad_to_multiple_of: int | None = None,
        pad_id: int | None = None,
        pad_token: str | None = None,
        pad_type_id: int = 0,
        direction: Literal["right", "left"] = "right",
        enabled: bool = True,
    ) -> Tokenizer:
        """A copy that pads encodings to ``length`` tokens (None: to the longest of a batch),
        rounded up to a multiple of ``pad_to_multiple_of``. The pad token is ``pad_token`` (or
        the one with ``pad_id``; default ``[PAD]``, ``<pad>`` or ``<|endoftext|>`` if the
        vocabulary has one). ``enabled=False`` turns padding off."""
        padding = None
        if enabled:
            for name, value in (("length", length), ("pad_to_multiple_of", pad_to_multiple_of)):
                if value is not None and (not isinstance(value, int) or value <= 0):
                    raise ConfigError(f"{name} must be a positive integer or None, got {value!r}")
            if direction not in ("right", "left"):
                raise ConfigError(f"direction must be 'right' or 'left', got {direction!r}")
            if pad_token is None and pad_id is None:
                pad_token = next(
                    (
                        t
                        for t in ("[PAD]", "<pad>", "<|endoftext|>")
                        if self.token_to_id(t) is not None
                    ),
                    None,
                )
                if pad_token is None:
                    raise ConfigError("no pad token: give pad_token= or pad_id=")
            if pad_id is None:
                assert pad_token is not None
                found = self.token_to_id(pad_token)
                if found is None:
                    raise ConfigError(f"pad_token {pad_token!r} is not in the vocabulary")
                pad_id = found
            elif pad_token is None:
                pad_token = self.id_to_token(pad_id)
            padding = json.dumps(
                {
                    "strategy": "BatchLongest" if length is None else {"Fixed": length},
                    "direction": direction.capitalize(),
                    "pad_to_multiple_of": pad_to_multiple_of,
                    "pad_id": pad_id,
                    "pad_type_id": pad_type_id,
                    "pad_token": pad_token,
                }
            )
        truncation = self._inner_settings().get("truncation")
        return Tokenizer(
            self._inner.with_truncation_padding(
                None if truncation is None else json.dumps(truncation), padding
            ),
            self._rust,
        )

    def with_dropout(self, dropout: float | None, *, seed: int = 0) -> Tokenizer:
        """A copy that encodes with BPE-dropout: every encode call skips each merge with
        probability ``dropout`` (HF's ``BPE(dropout=...)``; ``None`` or ``0`` turns it off).

        HF draws fresh randomness on every call. Here the copy's calls are numbered
        ``k = 0, 1, ...`` in the order they are made (a batch's texts in order, whatever the
        threads), and call ``k`` encodes as ``encode_sample(text, dropout=dropout,
        seed=s_k)``, where ``s_k`` is the ``k``-th output of SplitMix64 seeded with ``seed``.
        The same seed therefore replays the same encodings on either backend. A
        ``tokenizer.json`` whose BPE model sets ``dropout`` loads as ``with_dropout(p,
        seed=0)``, and saving writes ``dropout`` back.

        Raises:
            ConfigError: ``dropout`` outside [0, 1], set on a model that is not BPE, or a
                ``seed`` that is not in 0 .. 2**64 - 1.
        """
        if dropout is not None and (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0.0 <= dropout <= 1.0
        ):
            raise ConfigError(f"dropout must be in [0, 1] or None, got {dropout!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ConfigError(f"seed must be an integer in 0 .. 2**64 - 1, got {seed!r}")
        if dropout and self.model_kind != "bpe":
            raise ConfigError(f"dropout is for BPE models; this tokenizer is {self.model_kind}")
        inner = self._inner.with_dropout(None if dropout is None else float(dropout), seed)
        return Tokenizer(inner, self._rust)

    @property
    def dropout(self) -> float | None:
        """The BPE-dropout probability encode calls use (None: plain encoding); see
        :meth:`with_dropout`."""
        p = self._inner.dropout()
        return None if p is None else float(p)

    def _inner_settings(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self._inner.to_hf_json())
        return doc

    # ----------------------------------------------------------------------------- vocabulary
    @property
    def vocab_size(self) -> int:
        """Number of tokens, added tokens included."""
        return int(self._inner.vocab_size())

    @property
    def model_kind(self) -> str:
        """The model: ``"bpe"``, ``"wordpiece"`` or ``"unigram"``."""
        return str(self._inner.model_kind())

    @property
    def special_tokens(self) -> list[str]:
        """The special added tokens."""
        return [c for c, _, special in self._inner.added_tokens() if special]

    @property
    def added_tokens(self) -> dict[str, int]:
        """Every added token (special or not) → its id."""
        return {c: int(i) for c, i, _ in self._inner.added_tokens()}

    def get_vocab(self) -> dict[str, int]:
        """Token → id."""
        return dict(self._inner.get_vocab())

    @property
    def merges(self) -> list[tuple[str, str]]:
        """The merges in rank order (BPE)."""
        return [(a, b) for a, b in self._inner.merges()]

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token``, or None."""
        if not isinstance(token, str):
            raise ConfigError(f"a token is a str, got {type(token).__name__}: {token!r}")
        value = self._inner.token_to_id(token)
        return None if value is None else int(value)

    def id_to_token(self, id: int) -> str:
        """The token of ``id``.

        Raises:
            ConfigError: ``id`` is outside the vocabulary.
        """
        token = self._inner.id_to_token(_id_list([id])[0])
        if token is None:
            raise ConfigError(f"id {id} is outside the vocabulary (size {self.vocab_size})")
        return str(token)

    @property
    def config(self) -> dict[str, Any]:
        """The components (HF ``tokenizer.json`` shape) without the vocabulary and merges."""
        doc = self._inner_settings()
        model = dict(doc["model"])
        model.pop("vocab", None)
        model.pop("merges", None)
        doc["model"] = model
        return doc

    @property
    def backend(self) -> str:
        """``"rust"`` or ``"python"``."""
        return "rust" if self._rust else "python"

    def __repr__(self) -> str:
        return (
            f"Tokenizer({_kind_name(self)}, vocab_size={self.vocab_size}, backend={self.backend!r})"
        )

    # ----------------------------------------------------------------------------- files
    def to_str(self, format: FileFormat = "subwordx") -> str:
        """The model as a string: ``"subwordx"`` (native JSON), ``"hf"`` (tokenizer.json),
        ``"tiktoken"`` (rank file of a byte-level BPE) or ``"vocab-txt"`` (BERT's vocab.txt of a
        WordPiece model)."""
        if format == "subwordx":
            return str(self._inner.to_native_json())
        if format == "hf":
            return str(self._inner.to_hf_json())
        if format == "tiktoken":
            return str(self._inner.to_tiktoken())
        if format == "vocab-txt":
            return str(self._inner.to_vocab_txt())
        raise ConfigError(
            f"format {format!r} is not a single-string format; use 'subwordx', 'hf', "
            "'tiktoken' or 'vocab-txt'"
        )

    def save(self, path: PathLike, format: FileFormat | None = None) -> None:
        """Saves atomically (a temporary file, then a rename: never a half-written file).

        Args:
            path: the file (or, for ``vocab-merges``, a directory or a ``vocab.json`` path whose
                folder gets ``vocab.json`` and ``merges.txt``).
            format: ``"hf"`` (HF ``tokenizer.json``, loads in ``tokenizers``), ``"subwordx"``
                (native JSON with every setting), ``"vocab-merges"``, ``"tiktoken"`` (the rank
                file; special tokens are not in it), ``"vocab-txt"`` (BERT's vocab.txt of a
                WordPiece model); None picks by name: ``*.swx.json`` / ``*.subwordx.json`` →
                subwordx, ``*.tiktoken`` → tiktoken, ``*.txt`` → vocab-txt, other ``*.json`` →
                hf, a directory or ``vocab.json`` → vocab-merges, ``*.model`` → sentencepiece
                (SentencePiece's ``.model`` of a SentencePiece-shaped tokenizer).
        """
        p = Path(path)
        fmt = format or _format_for_path(p)
        if fmt == "sentencepiece":
            # SentencePiece's ``.model`` (a protobuf): docs/sentencepiece.md.
            atomic_write(p, bytes(self._inner.to_sentencepiece()))
            return
        if fmt == "vocab-merges":
            folder = p.parent if p.name == "vocab.json" else p
            folder.mkdir(parents=True, exist_ok=True)
            vocab_json, merges_txt = self._inner.to_vocab_merges()
            # Both written in full before either replaces its old file: a failure while writing
            # never leaves a new vocabulary beside old merges.
            with atomic_open(folder / "vocab.json") as v, atomic_open(folder / "merges.txt") as m:
                v.write(str(vocab_json).encode("utf-8"))
                m.write(str(merges_txt).encode("utf-8"))
            return
        atomic_write(p, self.to_str(fmt))

    @classmethod
    def load(
        cls,
        path: PathLike,
        *,
        pattern: str | None = None,
        special_tokens: Mapping[str, int] | None = None,
        lowercase: bool | None = None,
        backend: str | None = None,
    ) -> Tokenizer:
        """Loads any file subwordx writes or reads: native JSON, HF ``tokenizer.json``,
        ``vocab.json`` + ``merges.txt`` (give the folder or either file), a tiktoken rank
        file (``*.tiktoken``), BERT's ``vocab.txt`` (WordPiece, in BERT's pipeline), or a
        SentencePiece ``.model`` (by extension or content; BPE models, docs/sentencepiece.md).

        Args:
            pattern: rank files only: the split pattern, a name (``"cl100k"``, ``"o200k"``,
                ``"gpt2"``, ``"qwen"``, ``"llama3"``) or a regex. Default: by the file's name
                (``cl100k_base.tiktoken`` → cl100k's pattern and special tokens).
            special_tokens: rank files only: ``{token: id}`` (default: the known encoding's).
            lowercase: vocab.txt only: whether the BERT normalizer lowercases (and strips
                accents). Default: ``do_lower_case`` of a ``tokenizer_config.json`` beside the
                file, else guessed (cased when a token other than ``[...]`` has an uppercase
                letter).

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: the file is corrupt, truncated, or of an unsupported kind.
        """
        p = Path(path)
        rust = _backend.use_rust(backend)
        impl = _impl(rust)
        only_vocab_txt = p.is_dir() and (p / "vocab.txt").is_file()
        if only_vocab_txt and not any((p / n).is_file() for n in ("tokenizer.json", "vocab.json")):
            return cls.load(p / "vocab.txt", lowercase=lowercase, backend=backend)
        if p.suffix == ".txt" and p.name != "merges.txt":
            if lowercase is None:
                lowercase = _do_lower_case_beside(p)
            return cls(impl.from_vocab_txt(_read_text(p), lowercase, str(p)), rust)
        if p.is_dir() or p.name in ("vocab.json", "merges.txt"):
            folder = p if p.is_dir() else p.parent
            if (folder / "tokenizer.json").is_file() and p.is_dir():
                return cls.load(folder / "tokenizer.json", backend=backend)
            vocab, merges = folder / "vocab.json", folder / "merges.txt"
            return cls(impl.from_vocab_merges(_read_text(vocab), _read_text(merges)), rust)
        if p.suffix == ".model" or (p.is_file() and _looks_like_sentencepiece(p)):
            return cls(impl.from_sentencepiece(_read_bytes(p), str(p)), rust)
        if p.suffix == ".tiktoken" or pattern is not None or special_tokens is not None:
            data = _read_bytes(p)
            specials = (
                None
                if special_tokens is None
                else [(str(k), int(v)) for k, v in special_tokens.items()]
            )
            return cls(impl.from_tiktoken(data, p.stem, str(p), pattern, specials), rust)
        return cls.from_str(_read_text(p), source=str(p), backend=backend)

    @classmethod
    def from_str(
        cls, data: str, *, source: str = "<string>", backend: str | None = None
    ) -> Tokenizer:
        """Builds a tokenizer from a native or HF JSON string."""
        rust = _backend.use_rust(backend)
        impl = _impl(rust)
        head = data.lstrip()[:4096]
        if '"format"' in head and '"subwordx"' in head:
            return cls(impl.from_native_json(data), rust)
        try:
            return cls(impl.from_hf_json(data, source), rust)
        except ModelFormatError as e:
            if source != "<string>" and source not in str(e):
                raise ModelFormatError(f"{source}: {e}") from None
            raise

    def normalize(self, text: str) -> str:
        """The normalizer's output for ``text`` (HF ``normalizer.normalize_str``).

        Example:
            >>> Tokenizer.load("m.model").normalize("  Hello  world ")  # doctest: +SKIP
            '▁Hello▁world'
        """
        return str(self._inner.normalize_str(text))

    def to_bytes(self) -> bytes:
        """The native format as bytes (what pickling ships)."""
        return self.to_str("subwordx").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: str | None = None) -> Tokenizer:
        """Inverse of :meth:`to_bytes`."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ModelFormatError(f"<bytes>: not UTF-8 JSON ({e})") from None
        return cls.from_str(text, source="<bytes>", backend=backend)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.to_bytes(), self.backend))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.to_str() == other.to_str()

    def __hash__(self) -> int:
        return hash(self.to_str())


def _unpickle(data: bytes, backend: str) -> Tokenizer:
    # A worker without the compiled core still gets a working tokenizer.
    chosen = backend if backend == "python" or _backend.use_rust() else "python"
    return Tokenizer.from_bytes(data, backend=chosen)


def train_bpe(
    files: PathLike | Sequence[PathLike] | None = None,
    *,
    texts: Iterable[str] | None = None,
    word_counts: Mapping[str, int] | WordCounts | None = None,
    vocab_size: int = 32000,
    byte_level: bool = False,
    pre_tokenizer: PreTokenizerName | None = None,
    min_frequency: int = 2,
    special_tokens: Sequence[str] = (),
    unk_token: str | None = None,
    template: Sequence[str] | None = None,
    limit_alphabet: int | None = None,
    max_token_length: int | None = None,
    end_of_word_suffix: str | None = None,
    continuing_subword_prefix: str | None = None,
    unicode_normalization: Literal["nfc", "nfkc"] | None = None,
    lowercase: bool = False,
    strip_accents: bool = False,
    threads: int = 0,
    errors: Literal["strict", "replace"] = "strict",
    progress: ProgressCallback | None = None,
    backend: str | None = None,
) -> Tokenizer:
    """Trains a BPE tokenizer, exactly as ``docs/bpe.md`` defines it.

    Give exactly one corpus: ``files`` (paths, streamed, never loaded whole), ``texts`` (any
    iterable of strings, consumed in batches) or ``word_counts``: a
    :class:`~subwordx.WordCounts` (e.g. counted on a cluster by :mod:`subwordx.dask`), whose
    normalizer and pre-tokenizer the tokenizer takes (a setting below that is passed with a value
    other than its default must agree with them, else :class:`~subwordx.errors.ConfigError`), or
    a plain ``{word: count}`` mapping, taken as already normalized and pre-tokenized.

    Classic BPE (default) starts from chars with the ``</w>`` end-of-word suffix (Sennrich et al.)
    and the ``bert`` pre-tokenizer (whitespace and punctuation); ``byte_level=True`` starts from
    the 256 bytes with the GPT-2 split (``pre_tokenizer`` ``gpt2``, ``cl100k`` or ``o200k``).

    Each step merges the most frequent adjacent pair; ties go to the pair whose left token is
    smallest, then whose right token is smallest (code point order). Training stops at
    ``vocab_size`` tokens or when the best pair occurs fewer than ``min_frequency`` times. The
    result is the same on any thread count.

    Args:
        vocab_size: the final vocabulary size, special tokens included.
        special_tokens: tokens that get the first ids and are never split.
        unk_token: classic only: token for chars outside the alphabet (default ``"<unk>"``
            for classic, added to the special tokens; None for byte-level, which needs none).
        template: special tokens added around every encoding, ``"$A"`` standing for the text,
            e.g. ``["<s>", "$A", "</s>"]`` (the tokens are added to ``special_tokens``).
        limit_alphabet: keep only the most frequent chars (classic).
        max_token_length: never build a token longer than this many chars.
        end_of_word_suffix: classic: the suffix marking a word's last symbol (default ``"</w>"``
            unless ``continuing_subword_prefix`` is given).
        continuing_subword_prefix: classic: a prefix on every symbol that continues a word
            (e.g. ``"##"``).
        unicode_normalization, lowercase, strip_accents: the normalizer.
        threads: worker threads for counting (0 = all cores).
        errors: ``"strict"`` raises :class:`~subwordx.errors.InvalidUtf8Error` naming the file,
            line and byte; ``"replace"`` substitutes U+FFFD and goes on.
        progress: called about ten times a second with ``(stage, done, total, info)``.
        backend: ``"rust"``, ``"python"`` or None (``SUBWORDX_BACKEND``, default auto).

    Raises:
        VocabSizeTooSmallError: ``vocab_size`` below the alphabet plus special tokens.
        EmptyCorpusError: no words.
        InvalidUtf8Error: bad bytes in a file (strict mode).
        SubwordxFileNotFoundError: a missing file.
    """
    given = [x is not None for x in (files, texts, word_counts)]
    if sum(given) != 1:
        raise ConfigError("give exactly one corpus: files=..., texts=... or word_counts=...")
    from subwordx.word_counts import WordCounts

    if isinstance(word_counts, WordCounts):
        counted = word_counts.settings._for_train_bpe(
            byte_level, pre_tokenizer, unicode_normalization, lowercase, strip_accents
        )
        byte_level, pre_tokenizer = counted["byte_level"], counted["pre_tokenizer"]
        unicode_normalization = counted["unicode_normalization"]
        lowercase, strip_accents = counted["lowercase"], counted["strip_accents"]
    _check_size("vocab_size", vocab_size)
    _check_size("min_frequency", min_frequency, minimum=0, maximum=2**64 - 1)
    threads = _check_threads(threads)
    if errors not in ("strict", "replace"):
        raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
    if pre_tokenizer is None:
        pre_tokenizer = "gpt2" if byte_level else "bert"
    if pre_tokenizer not in _PRE_TOKENIZERS:
        raise ConfigError(
            f"pre_tokenizer {pre_tokenizer!r} is not one of {', '.join(_PRE_TOKENIZERS)}"
        )
    if byte_level != (pre_tokenizer in _BYTE_LEVEL):
        raise ConfigError(
            f"pre_tokenizer {pre_tokenizer!r} does not fit byte_level={byte_level}: byte-level BPE "
            f"takes {', '.join(_BYTE_LEVEL)}; classic BPE takes whitespace or bert"
        )
    if unicode_normalization not in (None, "nfc", "nfkc"):
        raise ConfigError(
            f"unicode_normalization must be None, 'nfc' or 'nfkc', got {unicode_normalization!r}"
        )
    for name, value in (("limit_alphabet", limit_alphabet), ("max_token_length", max_token_length)):
        if value is not None:
            _check_size(name, value)
    specials = list(dict.fromkeys(special_tokens))
    if byte_level:
        if end_of_word_suffix or continuing_subword_prefix:
            raise ConfigError(
                "byte-level BPE takes no end_of_word_suffix/continuing_subword_prefix"
            )
    else:
        if unk_token is None:
            unk_token = "<unk>"
        if end_of_word_suffix is None and continuing_subword_prefix is None:
            end_of_word_suffix = "</w>"
    if unk_token is not None and unk_token not in specials:
        specials.insert(0, unk_token)
    if template is not None:
        template = list(template)
        if template.count("$A") != 1:
            raise ConfigError(f"template must hold '$A' exactly once, got {template!r}")
        for piece in template:
            if piece != "$A" and piece not in specials:
                specials.append(piece)
    settings: dict[str, Any] = {
        "model": "bpe",
        "vocab_size": vocab_size,
        "min_frequency": min_frequency,
        "special_tokens": specials,
        "unk_token": unk_token,
        "template": template,
        "limit_alphabet": limit_alphabet,
        "max_token_length": max_token_length,
        "end_of_word_suffix": end_of_word_suffix or None,
        "continuing_subword_prefix": continuing_subword_prefix or None,
        "byte_level": byte_level,
        "pre_tokenizer": pre_tokenizer,
        "unicode_normalization": unicode_normalization,
        "lowercase": lowercase,
        "strip_accents": strip_accents,
    }
    rust = _backend.use_rust(backend)
    if files is not None:
        paths = _as_paths(files)
        if rust:
            inner = _backend.core().train_files(paths, settings, threads, errors, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = _trained(
                ref.ReferenceTokenizer.train_from_files(paths, settings, errors, progress)
            )
    elif texts is not None:
        if isinstance(texts, (str, bytes)):
            raise ConfigError("texts must be an iterable of strings, not one string")
        if rust:
            inner = _backend.core().train_texts(_batches(texts), settings, threads, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = _trained(ref.ReferenceTokenizer.train_from_texts(texts, settings))
    elif isinstance(word_counts, WordCounts):
        if rust:
            inner = _backend.core().train_word_counts(word_counts._rust_inner(), settings, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = _trained(
                ref.ReferenceTokenizer.train_from_counts(word_counts.to_dict(), settings)
            )
    else:
        assert word_counts is not None
        counts = _check_counts(word_counts)
        if rust:
            inner = _backend.core().train_counts(counts, settings, progress)
        else:
            from subwordx.reference import tokenizer as ref

            inner = _trained(ref.ReferenceTokenizer.train_from_counts(counts, settings))
    return Tokenizer(inner, rust)


# --------------------------------------------------------------------------------- helpers
def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SubwordxFileNotFoundError(2, f"{path}: no such file", str(path)) from None
    except IsADirectoryError:
        raise SubwordxIOError(21, f"{path}: is a directory, not a model file", str(path)) from None
    except OSError as e:
        raise SubwordxIOError(e.errno or 0, f"{path}: {e.strerror or e}", str(path)) from None


def _read_text(path: Path) -> str:
    data = _read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFormatError(
            f"{path}: corrupt or unsupported model file: not UTF-8 text (byte {e.start})"
        ) from None


def _kind_name(tok: Tokenizer) -> str:
    """How ``repr`` and ``info`` name a model (``byte-level BPE``, ``WordPiece``, ...)."""
    if tok.model_kind == "wordpiece":
        return "WordPiece"
    if tok.model_kind == "unigram":
        return "Unigram"
    byte_level = "ByteLevel" in json.dumps(tok.config.get("pre_tokenizer"))
    return f"{'byte-level' if byte_level else 'classic'} {tok.model_kind.upper()}"


def _do_lower_case_beside(path: Path) -> bool | None:
    """``do_lower_case`` of a ``tokenizer_config.json`` beside a vocab.txt (transformers' file)."""
    try:
        config = json.loads((path.parent / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("do_lower_case") if isinstance(config, dict) else None
    return value if isinstance(value, bool) else None


def _looks_like_sentencepiece(p: Path) -> bool:
    """A protobuf that starts with a piece: tag 0x0a, a varint length, the piece's own 0x0a."""
    try:
        with p.open("rb") as f:
            head = f.read(12)
    except OSError:
        return False
    if not head.startswith(b"\x0a"):
        return False
    i = 1
    while i < len(head) and head[i] & 0x80:
        i += 1
    return i + 1 < len(head) and head[i + 1] == 0x0A


def load_sentencepiece(path: PathLike, *, backend: str | None = None) -> Tokenizer:
    """Loads a SentencePiece ``.model`` file (docs/sentencepiece.md), whatever its name.

    BPE models (Llama 2-style) give exactly SentencePiece's ids and pieces; Unigram models are
    parsed but need the Unigram model (a :class:`~subwordx.errors.ModelFormatError` says so).

    Example:
        >>> tok = load_sentencepiece("tokenizer.model")  # doctest: +SKIP
        >>> tok.encode("Hello world").tokens  # doctest: +SKIP
        ['▁Hello', '▁world']

    Raises:
        SubwordxFileNotFoundError: no such file.
        ModelFormatError: the file is corrupt, truncated, or of an unsupported model type.
    """
    p = Path(path)
    rust = _backend.use_rust(backend)
    return Tokenizer(_impl(rust).from_sentencepiece(_read_bytes(p), str(p)), rust)


def _format_for_path(p: Path) -> FileFormat:
    name = p.name.lower()
    if name.endswith(".model"):
        return "sentencepiece"
    if name.endswith((".swx.json", ".subwordx.json", ".swx")):
        return "subwordx"
    if name.endswith(".tiktoken"):
        return "tiktoken"
    if name.endswith(".txt"):
        return "vocab-txt"
    if p.is_dir() or name == "vocab.json" or not name or name.endswith(os.sep):
        return "vocab-merges"
    return "hf"


def _trained(reference: Any) -> Any:
    """The Python backend of a tokenizer the reference trainer made."""
    from subwordx.reference.pipeline_backend import ReferenceBackend

    return ReferenceBackend.from_hf_json(reference.to_hf_json(), "<trained>")


def _impl(rust: bool) -> Any:
    if rust:
        return _backend.core().Tokenizer
    from subwordx.reference.pipeline_backend import ReferenceBackend

    return ReferenceBackend


def _as_paths(files: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    paths = [os.fspath(f) for f in files]
    if not paths:
        raise ConfigError("files is empty: give at least one corpus file")
    return paths


def _batches(texts: Iterable[str], size: int = 8192) -> Iterator[list[str]]:
    batch: list[str] = []
    for t in texts:
        if not isinstance(t, str):
            raise ConfigError(f"texts must yield strings, got {type(t).__name__}")
        batch.append(t)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_counts(word_counts: Mapping[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word, n in word_counts.items():
        if not isinstance(word, str) or not word:
            raise ConfigError(f"word_counts keys must be non-empty strings, got {word!r}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n < 2**64:
            raise ConfigError(f"count of {word!r} must be an integer in 0 .. 2**64 - 1, got {n!r}")
        if n:
            counts[word] = int(n)
    return counts


MAX_THREADS = 1024  # the core's bound (rust/subwordx-core/src/parallel.rs)


def _check_threads(threads: object) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ConfigError(f"threads must be an integer >= 0 (0 = all cores), got {threads!r}")
    if threads > MAX_THREADS:
        raise ConfigError(
            f"threads={threads} is more than the {MAX_THREADS} one call may use (0 = all cores)"
        )
    return threads


def _check_size(name: str, value: object, *, minimum: int = 1, maximum: int = 2**32 - 1) -> None:
    """An integer setting within ``minimum .. maximum`` (None is the caller's business)."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be an integer in {minimum} .. {maximum}, got {value!r}")


_MAX_ID = 2**32 - 1


def _id_list(ids: object) -> list[int]:
    """``ids`` as a list of ints in ``0 .. 2**32 - 1``: an id is an integer (a Python or numpy
    int, not a bool, float or string); anything else is a :class:`ConfigError` naming it, never
    a silent conversion (``1.7`` is not id 1) or an ``OverflowError``."""
    if isinstance(ids, (str, bytes)):
        raise ConfigError(f"ids must be a sequence of integers, got {type(ids).__name__}")
    if isinstance(ids, np.ndarray):
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise ConfigError(f"ids must be a 1-D array of integers, got {ids.dtype} {ids.shape}")
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) > _MAX_ID):
            bad = ids[(ids < 0) | (ids > _MAX_ID)][0]
            raise ConfigError(f"id {int(bad)} is not a token id (0 .. {_MAX_ID})")
        as_ints: list[int] = ids.tolist()  # Python ints already
        return as_ints
    compiled = _backend._core
    if compiled is not None and compiled.are_plain_ids(ids):
        # a list or tuple of plain ints in range, checked in one pass by the core
        return ids if type(ids) is list else list(ids)  # type: ignore[call-overload]
    try:
        items = list(ids)  # type: ignore[call-overload]
    except TypeError:
        raise ConfigError(f"ids must be a sequence of integers, got {ids!r}") from None
    out: list[int] = []
    for i in items:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise ConfigError(f"ids must be integers, got {type(i).__name__} {i!r}")
        value = int(i)
        if value < 0 or value > _MAX_ID:
            raise ConfigError(f"id {value} is not a token id (0 .. {_MAX_ID})")
        out.append(value)
    return out


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"expected a str to encode, got {type(text).__name__}")


def _as_ids(ids: Any) -> npt.NDArray[np.uint32]:
    return np.asarray(ids, dtype=np.uint32)


def _as_offsets(offsets: Any) -> npt.NDArray[np.int64]:
    arr = np.asarray(offsets, dtype=np.int64)
    return arr.reshape(-1, 2)
