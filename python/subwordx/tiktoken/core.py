"""``Encoding``: tiktoken's class, over the subwordx core.

Every encode runs in the Rust core (``subwordx._core.Tokenizer`` built from the rank file with
the encoding's pattern and special tokens): this module only turns tiktoken's arguments into the
core's (which special tokens are matched, which raise) and its results into tiktoken's types.

What tiktoken does, this does, including the corners: a text spelling a disallowed special token
raises (by default every special token is disallowed); lone surrogates in the text become U+FFFD
(surrogate pairs become their code point) before encoding; ``decode`` replaces invalid UTF-8 by
default; ids that are not tokens raise ``KeyError``s (:class:`~subwordx.errors.UnknownTokenError`).

Known differences, none reachable through tiktoken's own encodings:

* a custom ``pat_str`` that does not match every char: tiktoken drops the chars it does not
  match, subwordx encodes them as pieces of their own;
* special tokens that overlap each other in a text are matched leftmost-longest (tiktoken takes
  whichever its regex alternation finds first);
* ``_encode_bytes``, ``_encode_single_piece`` and the completion search of
  ``encode_with_unstable`` run BPE on raw bytes that may not be UTF-8, which the core's binding
  cannot take; they use the reference implementation's ``byte_pair_merge`` (tiktoken's algorithm,
  in Python, quadratic in the length of such a byte string).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Collection, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Literal, NoReturn, Protocol

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx.errors import (
    ConfigError,
    DisallowedSpecialTokenError,
    ModelFormatError,
    UnknownTokenError,
)
from subwordx.tiktoken import load

__all__ = ["Encoding"]

AllowedSpecial = Literal["all"] | AbstractSet[str]
DisallowedSpecial = Literal["all"] | Collection[str]

_NO_SPECIALS: frozenset[str] = frozenset()


class _Core(Protocol):
    """The calls this module makes on ``subwordx._core.Tokenizer`` (or the reference backend)."""

    def encode_ids_list(
        self, text: str, add: bool, split: bool, allowed: list[int] | None, /
    ) -> list[int]: ...
    def encode_ids(
        self, text: str, add: bool, split: bool, allowed: list[int] | None, /
    ) -> Any: ...
    def encode_batch_ids(
        self, texts: list[str], add: bool, split: bool, allowed: list[int] | None, threads: int, /
    ) -> list[list[int]]: ...
    def encode_batch_flat(
        self, texts: list[str], add: bool, split: bool, allowed: list[int] | None, threads: int, /
    ) -> tuple[Any, Any]: ...
    def find_disallowed_special(self, text: str, allowed: list[int], /) -> str | None: ...
    def decode_bytes(self, ids: Sequence[int], skip_special_tokens: bool, /) -> bytes: ...


class Encoding:
    """A tiktoken encoding: ranks, split pattern and special tokens (tiktoken's API).

    Example:
        >>> import subwordx.tiktoken as tiktoken
        >>> enc = tiktoken.get_encoding("cl100k_base")      # doctest: +SKIP
        >>> enc.encode("hello world")                       # doctest: +SKIP
        [15339, 1917]
        >>> enc.decode([15339, 1917])                       # doctest: +SKIP
        'hello world'
    """

    name: str
    max_token_value: int
    _pat_str: str
    _special_tokens: dict[str, int]
    _rank_data: bytes  # the rank file until _mergeable_ranks is built from it
    _alias_table: npt.NDArray[np.uint32]  # the core's id -> id, where aliases differ
    _core: _Core

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ) -> None:
        """Builds an encoding from its parts, as tiktoken's constructor.

        Args:
            name: the encoding's name (encodings that behave differently should have different
                names: registered encodings pickle by name).
            pat_str: the regex that splits text into pieces before BPE.
            mergeable_ranks: token bytes -> rank; ranks are merge priorities and the ids.
            special_tokens: special token text -> id.
            explicit_n_vocab: if given, the number of tokens, checked.

        Raises:
            ConfigError: ``explicit_n_vocab`` does not fit, or a wrong type.
            ModelFormatError: ranks the core refuses (duplicate ranks, empty tokens, a special
                token id that a rank uses).
        """
        if not isinstance(mergeable_ranks, dict) or not mergeable_ranks:
            raise ConfigError("mergeable_ranks must be a non-empty dict of token bytes -> rank")
        if not isinstance(special_tokens, dict):
            raise ConfigError("special_tokens must be a dict of token text -> id")
        self._setup(
            name,
            pat_str=pat_str,
            rank_data=load.dump_ranks(mergeable_ranks),
            rank_ids=set(mergeable_ranks.values()),
            special_tokens=special_tokens,
            explicit_n_vocab=explicit_n_vocab,
            source=f"<mergeable_ranks of {name!r}>",
        )
        # tiktoken keeps the very dict it was given.
        self.__dict__["_mergeable_ranks"] = mergeable_ranks

    @classmethod
    def _from_rank_file(
        cls,
        name: str,
        *,
        pat_str: str,
        rank_data: bytes,
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
        source: str,
    ) -> Encoding:
        """An encoding straight from rank-file bytes: the core parses them, and
        ``_mergeable_ranks`` is only built in Python when first used."""
        enc = cls.__new__(cls)
        try:
            rank_ids = set(map(int, rank_data.split()[1::2]))
        except ValueError:
            rank_ids = set()
        if not rank_ids:
            raise ModelFormatError(f"{source}: not a rank file (lines of base64 token, rank)")
        enc._setup(
            name,
            pat_str=pat_str,
            rank_data=rank_data,
            rank_ids=rank_ids,
            special_tokens=special_tokens,
            explicit_n_vocab=explicit_n_vocab,
            source=source,
        )
        enc._rank_data = rank_data
        return enc

    def _setup(
        self,
        name: str,
        *,
        pat_str: str,
        rank_data: bytes,
        rank_ids: set[int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None,
        source: str,
    ) -> None:
        if not isinstance(name, str) or not isinstance(pat_str, str):
            raise ConfigError("name and pat_str must be strings")
        self.name = name
        self._pat_str = pat_str
        self._special_tokens = special_tokens
        self._special_token_values = set(special_tokens.values())
        # What every special token starts with ("<|" for tiktoken's): a text without it spells
        # none, which the everyday encode checks first (a memchr-fast `in`). None: no specials.
        self._special_prefix = _common_prefix(special_tokens) if special_tokens else None
        # A special token may share its id with another one (o200k_harmony's <|endofprompt|> and
        # <|reserved_200018|> are both 200018) or with a rank, which tiktoken allows. The core has
        # one token per id: a rank keeps its id, then the first special token (the one tiktoken
        # decodes to); each other one, an "alias", gets an id of its own past the vocabulary, and
        # encoding maps it back (_alias_table) when aliases may be matched.
        canonical: dict[int, str] = {}
        aliases: list[tuple[str, int]] = []
        for text, i in special_tokens.items():
            if not isinstance(text, str) or isinstance(i, bool) or not isinstance(i, int):
                raise ConfigError("special_tokens must map token text to int ids")
            if i in canonical or i in rank_ids:
                aliases.append((text, i))
            else:
                canonical[i] = text
        core_specials = {text: i for i, text in canonical.items()}
        self._core_special_ids = core_specials
        self._alias_ids: dict[int, int] = {}  # the core's id of an alias -> its id
        self.max_token_value = max(max(rank_ids), max(special_tokens.values(), default=0))
        if aliases:
            top = self.max_token_value
            self._alias_ids = {k: i for k, (_, i) in enumerate(aliases, start=top + 1)}
            self._alias_table = np.arange(top + 1 + len(aliases), dtype=np.uint32)
            self._alias_table[top + 1 :] = [i for _, i in aliases]
            core_specials.update((text, k) for k, (text, _) in enumerate(aliases, start=top + 1))
        self._core = _make_core(rank_data, name, source, pat_str, core_specials)
        n_tokens = len(rank_ids) + len(special_tokens)
        if explicit_n_vocab and (
            n_tokens != explicit_n_vocab or self.max_token_value != explicit_n_vocab - 1
        ):
            raise ConfigError(
                f"{name}: explicit_n_vocab is {explicit_n_vocab}, but there are {n_tokens} tokens "
                f"with ids up to {self.max_token_value}"
            )
        # Ids below max_token_value that are no token (cl100k_base has 100256, ...): the core holds
        # unreachable placeholders there, which decoding must refuse as tiktoken does.
        self._has_gaps = len(rank_ids) + len(canonical) != self.max_token_value + 1

    def __repr__(self) -> str:
        return f"<Encoding {self.name!r}>"

    # ================================================================================ encoding
    def encode_ordinary(self, text: str) -> list[int]:
        """Encodes ``text``, special tokens as plain text (``encode(text, disallowed_special=())``,
        a little faster).

        Example:
            >>> enc.encode_ordinary("hello world")      # doctest: +SKIP
            [31373, 995]
        """
        try:
            return self._core.encode_ids_list(text, False, True, None)
        except UnicodeEncodeError:
            return self._core.encode_ids_list(_replace_surrogates(text), False, True, None)

    def encode(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = _NO_SPECIALS,
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[int]:
        """Encodes ``text`` into token ids.

        Special tokens written in the text are refused by default, since text that can produce
        them can steer a model:

        * ``allowed_special``: ``"all"`` or a set of special tokens that become their ids;
        * ``disallowed_special``: ``"all"`` (default: every special token not allowed) or a set:
          a text containing one raises; ``()`` turns the check off, and a special token that is
          neither allowed nor disallowed is encoded as plain text.

        Raises:
            DisallowedSpecialTokenError: (a ``ValueError``) the text spells a disallowed token.

        Example:
            >>> enc.encode("hello <|endoftext|>", allowed_special="all")   # doctest: +SKIP
            [31373, 220, 50256]
        """
        if not allowed_special and disallowed_special == "all":
            # The everyday call, without a detour: no special token may appear, none is matched.
            split, allowed = True, None
            prefix = self._special_prefix
            if prefix is not None and prefix in text:
                self._check_disallowed(text, allowed_special, disallowed_special)
        else:
            split, allowed, unalias = self._allowed_ids(allowed_special)
            self._check_disallowed(text, allowed_special, disallowed_special)
            if unalias:
                ids: list[int] = self._encode_array(text, split, allowed, unalias).tolist()
                return ids
        try:
            return self._core.encode_ids_list(text, False, split, allowed)
        except UnicodeEncodeError:
            return self._core.encode_ids_list(_replace_surrogates(text), False, split, allowed)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = _NO_SPECIALS,
        disallowed_special: DisallowedSpecial = "all",
    ) -> npt.NDArray[np.uint32]:
        """:meth:`encode`, as a ``numpy.uint32`` array (no Python int per token)."""
        split, allowed, unalias = self._allowed_ids(allowed_special)
        self._check_disallowed(text, allowed_special, disallowed_special)
        return self._encode_array(text, split, allowed, unalias)

    def _encode_array(
        self, text: str, split: bool, allowed: list[int] | None, unalias: bool
    ) -> npt.NDArray[np.uint32]:
        try:
            ids = self._core.encode_ids(text, False, split, allowed)
        except UnicodeEncodeError:
            ids = self._core.encode_ids(_replace_surrogates(text), False, split, allowed)
        ids = np.asarray(ids, dtype=np.uint32)
        return self._alias_table[ids] if unalias else ids

    def encode_ordinary_batch(
        self, text: Sequence[str], *, num_threads: int = 8
    ) -> list[list[int]]:
        """:meth:`encode_ordinary` of each text, on up to ``num_threads`` threads (the GIL
        released; never more threads than cores)."""
        texts = list(text)
        threads = _threads(num_threads)
        try:
            return self._core.encode_batch_ids(texts, False, True, None, threads)
        except UnicodeEncodeError:
            fixed = [_valid_text(t) for t in texts]
            return self._core.encode_batch_ids(fixed, False, True, None, threads)

    def encode_batch(
        self,
        text: Sequence[str],
        *,
        num_threads: int = 8,
        allowed_special: AllowedSpecial = _NO_SPECIALS,
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[list[int]]:
        """:meth:`encode` of each text, on up to ``num_threads`` threads (the GIL released).

        Raises:
            DisallowedSpecialTokenError: the first text (in order) that spells a disallowed
                special token.
        """
        texts = list(text)
        threads = _threads(num_threads)
        split, allowed, unalias = self._allowed_ids(allowed_special)
        for t in texts:
            self._check_disallowed(t, allowed_special, disallowed_special)
        try:
            if not unalias:
                return self._core.encode_batch_ids(texts, False, split, allowed, threads)
            flat, starts = self._core.encode_batch_flat(texts, False, split, allowed, threads)
        except UnicodeEncodeError:
            return self.encode_batch(
                [_valid_text(t) for t in texts],
                num_threads=num_threads,
                allowed_special=allowed_special,
                disallowed_special=(),
            )
        ids = self._alias_table[np.asarray(flat, dtype=np.uint32)].tolist()
        bounds = np.asarray(starts).tolist()
        return [ids[a:b] for a, b in zip(bounds, bounds[1:])]

    def encode_with_unstable(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = _NO_SPECIALS,
        disallowed_special: DisallowedSpecial = "all",
    ) -> tuple[list[int], list[list[int]]]:
        """Stable tokens, and the token sequences that may continue them (tiktoken's API, itself
        marked unstable there).

        The last piece of the text (the last split-pattern match, widened over trailing
        whitespace tokens) could merge with text yet to come, so its tokens are held back; each
        completion is a token sequence whose bytes start with that piece's bytes.

        Returns:
            ``(stable_tokens, completions)``: ``text.encode()`` starts with the bytes of
            ``stable_tokens``, and the bytes of ``stable_tokens + c`` start with it, for each
            completion ``c``.
        """
        split, allowed, unalias = self._allowed_ids(allowed_special)
        self._check_disallowed(text, allowed_special, disallowed_special)
        text = _valid_text(text)
        tokens: list[int] = self._encode_array(text, split, allowed, unalias).tolist()
        tokens, last_len = self._widen_last_piece(tokens, self._last_piece_len(text, tokens))
        if last_len == 0:
            return tokens, []
        unstable = self.decode_bytes(tokens[-last_len:])
        del tokens[-last_len:]
        completions: set[tuple[int, ...]] = set()
        sorted_bytes = self._sorted_token_bytes
        ranks = self._mergeable_ranks
        # Single tokens that start with the unstable bytes (or are them).
        point = bisect.bisect_left(sorted_bytes, unstable)
        while point < len(sorted_bytes) and sorted_bytes[point].startswith(unstable):
            completions.add((ranks[sorted_bytes[point]],))
            point += 1
        # A token straddling the end: for each split of the unstable bytes into a kept prefix
        # and a suffix that some token starts with, encode prefix + that token and keep the
        # tokens that cover the unstable bytes.
        decoder = self._decoder
        for i in range(1, len(unstable)):
            prefix, suffix = unstable[:i], unstable[i:]
            point = bisect.bisect_left(sorted_bytes, suffix)
            while point < len(sorted_bytes) and sorted_bytes[point].startswith(suffix):
                possibility = prefix + sorted_bytes[point]
                try:
                    # Valid text goes through the split, which may cut it (cl100k's "  !").
                    encoded = self.encode_ordinary(possibility.decode("utf-8"))
                except UnicodeDecodeError:
                    encoded = self._byte_pair_encode(possibility)
                seq: list[int] = []
                covered = 0
                for token in encoded:
                    seq.append(token)
                    covered += len(decoder[token])
                    if covered >= len(unstable):
                        break
                completions.add(tuple(seq))
                point += 1
        # The split is not stable either: with \s+(?!\S), "\n\n" + "0" splits as "\n", "\n", "0",
        # so a trailing whitespace char may end up a piece of its own.
        if len(unstable) > 1:
            last_char = _last_char(unstable)
            if (
                last_char is not None
                and last_char[0] in _WHITE_SPACE
                and last_char[1] < len(unstable)
            ):
                head, tail = unstable[: -last_char[1]], unstable[-last_char[1] :]
                completions.add(tuple(self._byte_pair_encode(head) + self._byte_pair_encode(tail)))
        return tokens, [list(c) for c in completions]

    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of the token whose text (or bytes) is exactly ``text_or_bytes``; special tokens
        included.

        Raises:
            UnknownTokenError: (a ``KeyError``) no such token.
        """
        piece = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
        rank = self._mergeable_ranks.get(piece)
        if rank is not None:
            return rank
        try:
            return self._special_tokens[piece.decode("utf-8")]
        except (UnicodeDecodeError, KeyError):
            raise UnknownTokenError(piece) from None

    # ================================================================================ decoding
    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """The bytes of ``tokens`` (special tokens as their text).

        Raises:
            UnknownTokenError: an id that is not a token.
        """
        try:
            data: bytes = self._core.decode_bytes(tokens, False)
        except (ConfigError, OverflowError):
            self._check_known(tokens)
            raise  # pragma: no cover - the ids were all known: the core's error as it is
        if self._has_gaps and b"<unused " in data:  # maybe the core's placeholder of an id gap
            self._check_known(tokens)
        if self._alias_ids and len(tokens) and max(tokens) > self.max_token_value:
            self._check_known(tokens)  # the core's ids of aliases are not ids
        return data

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """The text of ``tokens``; bytes that are not UTF-8 are handled by ``errors``
        (``"replace"``: U+FFFD, lossy; ``"strict"`` raises).

        Example:
            >>> enc.decode([31373, 995])      # doctest: +SKIP
            'hello world'
        """
        return self.decode_bytes(tokens).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        """The bytes of one token (special tokens included).

        Raises:
            UnknownTokenError: (a ``KeyError``) ``token`` is not a token.
        """
        try:
            return self._decoder[token]
        except (KeyError, TypeError):
            raise UnknownTokenError(str(token)) from None

    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]:
        """The bytes of each token, e.g. ``[b'hello', b' world']``."""
        return [self.decode_single_token_bytes(token) for token in tokens]

    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]:
        """The text of ``tokens`` and the char offset at which each token starts.

        A token that starts inside a UTF-8 char (with a continuation byte) gets the offset of
        that char. The bytes must be valid UTF-8 (else ``UnicodeDecodeError``, as tiktoken).
        """
        token_bytes = self.decode_tokens_bytes(tokens)
        offsets = []
        chars = 0  # chars begun so far: the bytes that are not UTF-8 continuation bytes
        for data in token_bytes:
            starts_inside = 0x80 <= data[0] < 0xC0
            offsets.append(max(0, chars - starts_inside))
            chars += sum(1 for b in data if not 0x80 <= b < 0xC0)
        return b"".join(token_bytes).decode("utf-8", errors="strict"), offsets

    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8
    ) -> list[str]:
        """:meth:`decode` of each id sequence (``num_threads`` is accepted for tiktoken's
        signature; decoding is a copy per token and runs on the calling thread)."""
        _threads(num_threads)
        return [self.decode(tokens, errors) for tokens in batch]

    def decode_bytes_batch(
        self, batch: Sequence[Sequence[int]], *, num_threads: int = 8
    ) -> list[bytes]:
        """:meth:`decode_bytes` of each id sequence."""
        _threads(num_threads)
        return [self.decode_bytes(tokens) for tokens in batch]

    # ================================================================================ vocabulary
    def token_byte_values(self) -> list[bytes]:
        """The bytes of every mergeable token, sorted."""
        return list(self._sorted_token_bytes)

    @property
    def eot_token(self) -> int:
        """The id of ``<|endoftext|>``."""
        try:
            return self._special_tokens["<|endoftext|>"]
        except KeyError:
            raise UnknownTokenError(f"{self.name} has no <|endoftext|> token") from None

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        """The special tokens' texts."""
        return set(self._special_tokens)

    def is_special_token(self, token: int) -> bool:
        """True when ``token`` is the id of a special token."""
        if not isinstance(token, int):
            raise ConfigError(f"expected an int token id, got {type(token).__name__}")
        return token in self._special_token_values

    @property
    def n_vocab(self) -> int:
        """``max_token_value + 1`` (tiktoken keeps it for backwards compatibility)."""
        return self.max_token_value + 1

    @functools.cached_property
    def _mergeable_ranks(self) -> dict[bytes, int]:
        """Token bytes -> rank, built from the rank file on first use."""
        ranks = load.parse_ranks(self._rank_data, self.name)
        del self._rank_data
        return ranks

    @functools.cached_property
    def _decoder(self) -> dict[int, bytes]:
        """Id -> bytes of every token, special ones included (ranks win a shared id)."""
        decoder: dict[int, bytes] = {}
        for text, i in self._special_tokens.items():
            decoder.setdefault(i, text.encode("utf-8"))  # of specials sharing an id, the first
        decoder.update((i, token) for token, i in self._mergeable_ranks.items())
        return decoder

    @functools.cached_property
    def _sorted_token_bytes(self) -> list[bytes]:
        return sorted(self._mergeable_ranks)

    @functools.cached_property
    def _regex(self) -> Any:
        import regex  # tiktoken's patterns need \p{...} and possessive quantifiers

        return regex.compile(self._pat_str)

    # ================================================================================ private
    def _encode_single_piece(self, text_or_bytes: str | bytes) -> list[int]:
        """BPE of ``text_or_bytes`` as one piece (no split, no special tokens)."""
        piece = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
        rank = self._mergeable_ranks.get(piece)
        return [rank] if rank is not None else self._byte_pair_encode(piece)

    def _encode_only_native_bpe(self, text: str) -> list[int]:
        """:meth:`encode_ordinary` with the split done by Python's ``regex`` (a check of the
        core's splitter)."""
        out: list[int] = []
        for piece in self._regex.findall(text):
            out.extend(self._encode_single_piece(piece))
        return out

    def _encode_bytes(self, text: bytes) -> list[int]:
        """Encodes bytes that may not be UTF-8 (tiktoken's private method).

        The longest UTF-8 prefix is encoded as text; its last piece (which the rest could have
        merged with) is taken back and encoded by BPE together with the remaining bytes.
        """
        try:
            return self.encode_ordinary(text.decode("utf-8"))
        except UnicodeDecodeError as e:
            valid, rest = text[: e.start], text[e.start :]
        prefix = valid.decode("utf-8")
        tokens = self.encode_ordinary(prefix)
        tokens, last_len = self._widen_last_piece(tokens, self._last_piece_len(prefix, tokens))
        if tokens and last_len:
            unstable = self.decode_bytes(tokens[-last_len:]) + rest
            del tokens[-last_len:]
        else:
            unstable = rest
        if unstable:
            tokens.extend(self._encode_single_piece(unstable))
        return tokens

    def _byte_pair_encode(self, piece: bytes) -> list[int]:
        """tiktoken's ``byte_pair_encode``: BPE by rank over the raw bytes of ``piece``."""
        # The core's binding takes text only; bytes that are not UTF-8 go through the reference.
        from subwordx.reference.pipeline.bpe_model import byte_pair_merge

        ranks = self._mergeable_ranks
        return [ranks[piece[a:b]] for a, b in byte_pair_merge(ranks, piece)]

    def _last_piece_len(self, text: str, tokens: list[int]) -> int:
        """How many of ``tokens`` (the encoding of ``text``) came from the last split piece; 0 if
        the text ends with a special token (tiktoken's ``last_piece_token_len``)."""
        if not tokens or tokens[-1] in self._special_token_values:
            return 0
        decoder = self._decoder
        start = len(tokens)
        while start > 0 and tokens[start - 1] not in self._special_token_values:
            start -= 1
        # The text after the last special token: a suffix of the text, whole chars.
        tail_len = sum(len(decoder[t]) for t in tokens[start:])
        data = text.encode("utf-8")
        tail = data[len(data) - tail_len :].decode("utf-8")
        last = None
        for match in self._regex.finditer(tail):
            last = match
        if last is None:
            return 0
        piece_len = len(last.group().encode("utf-8"))
        n = 0
        covered = 0
        while covered < piece_len and n < len(tokens) - start:
            n += 1
            covered += len(decoder[tokens[-n]])
        return n

    def _widen_last_piece(self, tokens: list[int], last_len: int) -> tuple[list[int], int]:
        """tiktoken's widening of the last piece over whitespace tokens before it: a split that
        is there now may vanish as text comes (cl100k's ``\\s*[\\r\\n]+``: "\\n" + " " can
        become "\\n \\n")."""

        decoder, specials = self._decoder, self._special_token_values

        def all_space(token: int) -> bool:
            return token not in specials and all(b in b" \n\t" for b in decoder[token])

        if last_len > 0 and all_space(tokens[-last_len]):
            while last_len < len(tokens) and all_space(tokens[-last_len - 1]):
                last_len += 1
        return tokens, last_len

    def _allowed_ids(self, allowed_special: AllowedSpecial) -> tuple[bool, list[int] | None, bool]:
        """The core's special-token arguments: (match none, the core ids to match, None: all),
        and whether the output may hold ids of aliases (see _setup) to map back."""
        if not allowed_special:
            return True, None, False
        if allowed_special == "all":
            return False, None, bool(self._alias_ids)
        specials = self._core_special_ids
        ids = [specials[s] for s in allowed_special if s in specials]
        if not ids:
            return True, None, False
        return False, ids, bool(self._alias_ids) and any(i in self._alias_ids for i in ids)

    def _check_disallowed(
        self, text: str, allowed_special: AllowedSpecial, disallowed_special: DisallowedSpecial
    ) -> None:
        """Raises if ``text`` spells a disallowed special token (tiktoken's rule)."""
        if disallowed_special == "all":
            if not allowed_special:
                # The everyday call: every special token is disallowed, and the core's scan finds
                # any of them (lone surrogates, which it cannot take, go to the regex below).
                prefix = self._special_prefix
                if prefix is None or prefix not in text:
                    return
                try:
                    hit: str | None = self._core.find_disallowed_special(text, [])
                except UnicodeEncodeError:
                    match = _special_token_regex(frozenset(self._special_tokens)).search(text)
                    hit = match.group() if match else None
                if hit is not None:
                    _raise_disallowed(hit)
                return
            if allowed_special == "all":
                return
            disallowed: Collection[str] = self.special_tokens_set - set(allowed_special)
        else:
            disallowed = disallowed_special
        if disallowed:
            match = _special_token_regex(frozenset(disallowed)).search(text)
            if match:
                _raise_disallowed(match.group())

    def _check_known(self, tokens: Sequence[int]) -> None:
        """Raises tiktoken's ``KeyError`` for the first id in ``tokens`` that is not a token."""
        decoder = self._decoder
        for token in tokens:
            if token not in decoder:
                raise UnknownTokenError(f"Invalid token for decoding: {token}")

    # ================================================================================ pickling
    def __getstate__(self) -> object:
        from subwordx.tiktoken import registry

        # Registered encodings pickle by name, as in tiktoken: the other side loads its own.
        if self is registry.ENCODINGS.get(self.name):
            return self.name
        return {
            "name": self.name,
            "pat_str": self._pat_str,
            "mergeable_ranks": self._mergeable_ranks,
            "special_tokens": self._special_tokens,
        }

    def __setstate__(self, value: object) -> None:
        from subwordx.tiktoken import registry

        if isinstance(value, str):
            self.__dict__ = registry.get_encoding(value).__dict__
            return
        if not isinstance(value, dict):
            raise ModelFormatError(f"cannot unpickle an Encoding from {type(value).__name__}")
        Encoding.__init__(self, **value)


# ==================================================================================== helpers
def _make_core(
    data: bytes, name: str, source: str, pat_str: str, special_tokens: dict[str, int]
) -> Any:
    """The core tokenizer of a rank file (the Python reference when the core is not built or
    ``SUBWORDX_BACKEND=python``)."""
    specials = [(str(k), int(v)) for k, v in special_tokens.items()]
    if _backend.use_rust():
        return _backend.core().Tokenizer.from_tiktoken(data, name, source, pat_str, specials)
    from subwordx.reference.pipeline_backend import ReferenceBackend

    return _ReferenceCore(ReferenceBackend.from_tiktoken(data, name, source, pat_str, specials))


class _ReferenceCore:
    """The reference backend with the one call it lacks (ids as a list)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def encode_ids_list(
        self, text: str, add: bool, split: bool, allowed: list[int] | None
    ) -> list[int]:
        text.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, as the core's do
        return [int(i) for i in self._inner.encode_ids(text, add, split, allowed)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _threads(num_threads: int) -> int:
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ConfigError(f"num_threads must be a positive integer, got {num_threads!r}")
    # More threads than cores would not go faster; the core keeps one pool per size.
    return min(num_threads, os.cpu_count() or 1)


def _common_prefix(texts: Collection[str]) -> str:
    """The longest string every one of ``texts`` starts with (that of the first and the last in
    sorted order)."""
    first, last = min(texts), max(texts)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def _replace_surrogates(text: str) -> str:
    """tiktoken's fix-up of text that is not valid Unicode: a surrogate pair becomes its code
    point, a lone surrogate U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _valid_text(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _replace_surrogates(text)


# Unicode's White_Space chars (Rust's char::is_whitespace, which tiktoken uses; str.isspace() also
# takes U+001C..U+001F).
_WHITE_SPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _last_char(data: bytes) -> tuple[str, int] | None:
    """The last char of UTF-8 ``data`` and its length in bytes (None if it is not UTF-8)."""
    for n in range(1, min(4, len(data)) + 1):
        try:
            return data[-n:].decode("utf-8"), n
        except UnicodeDecodeError:
            continue
    return None


@functools.lru_cache(maxsize=128)
def _special_token_regex(tokens: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(token) for token in tokens))


def _raise_disallowed(token: str) -> NoReturn:
    # tiktoken's message, word for word: callers may match on it.
    raise DisallowedSpecialTokenError(
        f"Encountered text corresponding to disallowed special token {token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{{token!r}, ...}}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{{token!r}}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )
