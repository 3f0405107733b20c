"""A complete BPE tokenizer in pure Python: train, encode with offsets, decode, save and load.

This is the reference the Rust core is tested against (docs/bpe.md §4–6), and the backend used
when the core is missing. Encoding a text goes through these steps::

    "Hello <s>wörld"                 the original text
    ├─ special tokens split out      "Hello ", <s>, "wörld"       (§4.1, leftmost-longest)
    ├─ normalize each part           "hello "                     (+ a span per char)
    ├─ pre-tokenize                  "hello"                      (pieces, never merged across)
    ├─ initial symbols               h e l l o</w>                (or UTF-8 bytes for byte-level)
    ├─ merges by rank                hel lo</w>                   (§4.3)
    └─ ids + char offsets            [17, 9]  [(0, 3), (3, 5)]

then the template's special tokens are added around the ids (offsets ``(0, 0)``).

Each token's offsets cover the original chars its first and last symbols came from; a byte-level
token holding only some bytes of a char covers the whole char (§4.5).

Files (§6): the native JSON (every setting, keys in a fixed order), HF ``tokenizer.json`` (loads in
HF ``tokenizers`` with the same ids), and GPT-2's ``vocab.json`` + ``merges.txt``. Reading anything
malformed raises :class:`~subwordx.errors.ModelFormatError` saying what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import regex

from subwordx._files import read_regular
from subwordx.errors import ConfigError, InvalidUtf8Error, ModelFormatError
from subwordx.reference import bpe
from subwordx.reference.normalize import Normalizer, UnicodeForm
from subwordx.reference.pretokenize import (
    BYTE_LEVEL_PRE_TOKENIZERS,
    BYTES_TO_UNICODE,
    PRE_TOKENIZERS,
    SPLIT_PATTERNS,
    UNICODE_TO_BYTES,
    WHITESPACE,
    pre_tokenize,
)

__all__ = ["ReferenceTokenizer"]

Pair = tuple[str, str]
Offsets = list[tuple[int, int]]
ProgressCallback = Callable[[str, int, int, str], None]


class ReferenceTokenizer:
    """An immutable BPE tokenizer: normalizer, pre-tokenizer, vocabulary, merges, special tokens.

    Build one with :meth:`train` (or the ``train_from_*`` helpers) or a ``from_*`` loader.

    Example:
        >>> tok = ReferenceTokenizer.train({"low": 5, "lower": 2}, vocab_size=10)
        >>> ids, offsets = tok.encode("lower low")
        >>> [tok.id_to_token(i) for i in ids], offsets
        (['low', 'er</w>', 'low</w>'], [(0, 3), (3, 5), (6, 9)])
        >>> tok.decode(ids)
        'lower low'
    """

    __slots__ = (
        "_byte_level",
        "_continuing_subword_prefix",
        "_end_of_word_suffix",
        "_ids",
        "_merges",
        "_normalizer",
        "_pre_tokenizer",
        "_ranks",
        "_special_re",
        "_special_tokens",
        "_template",
        "_unk_token",
        "_vocab",
    )

    _vocab: tuple[str, ...]
    _ids: dict[str, int]
    _merges: tuple[Pair, ...]
    _ranks: dict[Pair, int]
    _byte_level: bool
    _normalizer: Normalizer
    _pre_tokenizer: str
    _end_of_word_suffix: str | None
    _continuing_subword_prefix: str | None
    _unk_token: str | None
    _special_tokens: tuple[str, ...]
    _template: tuple[str, ...] | None
    _special_re: regex.Pattern[str] | None

    def __init__(
        self,
        *,
        vocab: Sequence[str],
        merges: Sequence[Pair],
        byte_level: bool = False,
        normalizer: Normalizer | None = None,
        pre_tokenizer: str | None = None,
        end_of_word_suffix: str | None = None,
        continuing_subword_prefix: str | None = None,
        unk_token: str | None = None,
        special_tokens: Sequence[str] = (),
        template: Sequence[str] | None = None,
    ) -> None:
        """Assemble a tokenizer from its parts, checking that they fit together.

        Raises:
            ModelFormatError: the parts contradict each other (a merge of unknown tokens, a special
                token outside the vocabulary, ...).
        """
        if pre_tokenizer is None:
            pre_tokenizer = "gpt2" if byte_level else "bert"
        if pre_tokenizer not in PRE_TOKENIZERS:
            raise ModelFormatError(f"unknown pre_tokenizer {pre_tokenizer!r}")
        if byte_level != (pre_tokenizer in BYTE_LEVEL_PRE_TOKENIZERS):
            raise ModelFormatError(
                f"pre_tokenizer {pre_tokenizer!r} does not fit byte_level={byte_level}"
            )
        ids: dict[str, int] = {}
        for i, token in enumerate(vocab):
            if not isinstance(token, str) or not token:
                raise ModelFormatError(f"vocab entry {i} is not a non-empty string: {token!r}")
            if token in ids:
                raise ModelFormatError(
                    f"token {token!r} appears twice in the vocab (ids {ids[token]}, {i})"
                )
            ids[token] = i
        ranks: dict[Pair, int] = {}
        for rank, (left, right) in enumerate(merges):
            for part in (left, right):
                if part not in ids:
                    raise ModelFormatError(
                        f"merge {rank} ({left!r}, {right!r}): {part!r} is not in the vocab"
                    )
            merged = bpe.merge_string(left, right, continuing_subword_prefix)
            if merged not in ids:
                raise ModelFormatError(
                    f"merge {rank} ({left!r}, {right!r}): {merged!r} is not in the vocab"
                )
            ranks.setdefault((left, right), rank)  # a repeated pair keeps its lowest rank
        for token in special_tokens:
            if token not in ids:
                raise ModelFormatError(f"special token {token!r} is not in the vocab")
        if unk_token is not None and unk_token not in ids:
            raise ModelFormatError(f"unk_token {unk_token!r} is not in the vocab")
        if template is not None:
            if list(template).count("$A") != 1:
                raise ModelFormatError(
                    f"template must hold '$A' exactly once, got {list(template)!r}"
                )
            for piece in template:
                if piece != "$A" and piece not in ids:
                    raise ModelFormatError(f"template token {piece!r} is not in the vocab")
        if byte_level:
            missing = [s for s in BYTES_TO_UNICODE if s not in ids]
            if missing:
                raise ModelFormatError(
                    f"byte-level vocab lacks {len(missing)} of the 256 byte symbols, "
                    f"e.g. {missing[0]!r}"
                )
        # Longest first, so that at one position the regex alternation takes the longest token.
        specials = tuple(dict.fromkeys(special_tokens))
        alternatives = sorted(specials, key=lambda t: (-len(t), t))
        special_re = (
            regex.compile("|".join(regex.escape(t) for t in alternatives)) if specials else None
        )
        setattr_ = object.__setattr__
        setattr_(self, "_vocab", tuple(vocab))
        setattr_(self, "_ids", ids)
        setattr_(self, "_merges", tuple((a, b) for a, b in merges))
        setattr_(self, "_ranks", ranks)
        setattr_(self, "_byte_level", byte_level)
        setattr_(self, "_normalizer", normalizer or Normalizer())
        setattr_(self, "_pre_tokenizer", pre_tokenizer)
        setattr_(self, "_end_of_word_suffix", None if byte_level else end_of_word_suffix)
        setattr_(
            self, "_continuing_subword_prefix", None if byte_level else continuing_subword_prefix
        )
        setattr_(self, "_unk_token", unk_token)
        setattr_(self, "_special_tokens", specials)
        setattr_(self, "_template", None if template is None else tuple(template))
        setattr_(self, "_special_re", special_re)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ReferenceTokenizer is immutable")

    def __repr__(self) -> str:
        kind = "byte-level" if self._byte_level else "classic"
        return (
            f"ReferenceTokenizer({kind}, vocab_size={len(self._vocab)}, "
            f"pre_tokenizer={self._pre_tokenizer!r})"
        )

    # ------------------------------------------------------------------------------ training

    @classmethod
    def train(
        cls,
        word_counts: Mapping[str, int],
        *,
        vocab_size: int,
        min_frequency: int = 2,
        special_tokens: Sequence[str] = (),
        unk_token: str | None = None,
        template: Sequence[str] | None = None,
        limit_alphabet: int | None = None,
        max_token_length: int | None = None,
        end_of_word_suffix: str | None = "</w>",
        continuing_subword_prefix: str | None = None,
        byte_level: bool = False,
        pre_tokenizer: str | None = None,
        normalizer: Normalizer | None = None,
    ) -> ReferenceTokenizer:
        """Train on word counts (already normalized and pre-tokenized; see :func:`bpe.count_words`).

        ``unk_token``, when not among ``special_tokens``, is put first; template tokens missing from
        ``special_tokens`` are appended (as the public ``subwordx.train_bpe`` does).
        """
        specials = list(dict.fromkeys(special_tokens))
        if unk_token is not None and unk_token not in specials:
            specials.insert(0, unk_token)
        if template is not None:
            if list(template).count("$A") != 1:
                raise ConfigError(f"template must hold '$A' exactly once, got {list(template)!r}")
            specials += [t for t in template if t != "$A" and t not in specials]
        if byte_level:
            end_of_word_suffix = continuing_subword_prefix = None
        if pre_tokenizer is None:
            pre_tokenizer = "gpt2" if byte_level else "bert"
        if pre_tokenizer not in PRE_TOKENIZERS or byte_level != (
            pre_tokenizer in BYTE_LEVEL_PRE_TOKENIZERS
        ):
            raise ConfigError(
                f"pre_tokenizer {pre_tokenizer!r} does not fit byte_level={byte_level}"
            )
        vocab, merges = bpe.train(
            word_counts,
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=specials,
            limit_alphabet=limit_alphabet,
            max_token_length=max_token_length,
            end_of_word_suffix=end_of_word_suffix,
            continuing_subword_prefix=continuing_subword_prefix,
            byte_level=byte_level,
        )
        return cls(
            vocab=vocab,
            merges=merges,
            byte_level=byte_level,
            normalizer=normalizer,
            pre_tokenizer=pre_tokenizer,
            end_of_word_suffix=end_of_word_suffix,
            continuing_subword_prefix=continuing_subword_prefix,
            unk_token=unk_token,
            special_tokens=specials,
            template=template,
        )

    @classmethod
    def train_from_counts(
        cls, counts: Mapping[str, int], settings: Mapping[str, Any]
    ) -> ReferenceTokenizer:
        """Train from ``{word: count}`` with the settings dict of ``subwordx.train_bpe``."""
        unicode: UnicodeForm | None = settings.get("unicode_normalization")
        normalizer = Normalizer(
            unicode=unicode,
            lowercase=bool(settings.get("lowercase", False)),
            strip_accents=bool(settings.get("strip_accents", False)),
        )
        byte_level = bool(settings.get("byte_level", False))
        return cls.train(
            counts,
            vocab_size=settings["vocab_size"],
            min_frequency=settings.get("min_frequency", 2),
            special_tokens=settings.get("special_tokens") or (),
            unk_token=settings.get("unk_token"),
            template=settings.get("template"),
            limit_alphabet=settings.get("limit_alphabet"),
            max_token_length=settings.get("max_token_length"),
            end_of_word_suffix=settings.get("end_of_word_suffix", None if byte_level else "</w>"),
            continuing_subword_prefix=settings.get("continuing_subword_prefix"),
            byte_level=byte_level,
            pre_tokenizer=settings.get("pre_tokenizer"),
            normalizer=normalizer,
        )

    @staticmethod
    def _settings_normalizer(settings: Mapping[str, Any]) -> Normalizer:
        return Normalizer(
            unicode=settings.get("unicode_normalization"),
            lowercase=bool(settings.get("lowercase", False)),
            strip_accents=bool(settings.get("strip_accents", False)),
        )

    @classmethod
    def train_from_texts(
        cls, texts: Iterable[str], settings: Mapping[str, Any]
    ) -> ReferenceTokenizer:
        """Train on lines of text (a string holding ``\\n`` is several lines), §1."""
        byte_level = bool(settings.get("byte_level", False))
        pre = settings.get("pre_tokenizer") or ("gpt2" if byte_level else "bert")
        counts = bpe.count_words(texts, cls._settings_normalizer(settings), pre)
        return cls.train_from_counts(counts, settings)

    @classmethod
    def train_from_files(
        cls,
        paths: Sequence[str],
        settings: Mapping[str, Any],
        errors: str = "strict",
        progress: ProgressCallback | None = None,
    ) -> ReferenceTokenizer:
        """Train on UTF-8 files; ``errors="strict"`` raises InvalidUtf8Error at the first bad byte,
        ``"replace"`` substitutes U+FFFD."""
        texts: list[str] = []
        for done, path in enumerate(paths):
            texts.append(_read_corpus_file(path, errors))
            if progress is not None:
                progress("read", done + 1, len(paths), path)
        return cls.train_from_texts(texts, settings)

    # ------------------------------------------------------------------------------ accessors

    def vocab_size(self) -> int:
        """Number of tokens, special tokens included."""
        return len(self._vocab)

    def get_vocab(self) -> dict[str, int]:
        """Token → id."""
        return dict(self._ids)

    def merges(self) -> list[Pair]:
        """The merges in rank order."""
        return list(self._merges)

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token``, or None."""
        return self._ids.get(token)

    def id_to_token(self, id: int) -> str | None:
        """The token of ``id``, or None outside the vocabulary."""
        return self._vocab[id] if 0 <= id < len(self._vocab) else None

    @property
    def byte_level(self) -> bool:
        return self._byte_level

    @property
    def normalizer(self) -> Normalizer:
        return self._normalizer

    @property
    def pre_tokenizer(self) -> str:
        return self._pre_tokenizer

    @property
    def end_of_word_suffix(self) -> str | None:
        return self._end_of_word_suffix

    @property
    def continuing_subword_prefix(self) -> str | None:
        return self._continuing_subword_prefix

    @property
    def unk_token(self) -> str | None:
        return self._unk_token

    @property
    def special_tokens(self) -> tuple[str, ...]:
        return self._special_tokens

    @property
    def template(self) -> tuple[str, ...] | None:
        return self._template

    # ------------------------------------------------------------------------------ encoding

    def encode(
        self, text: str, add_special_tokens: bool = True, split_special_tokens: bool = False
    ) -> tuple[list[int], Offsets]:
        """Encode ``text`` into ids and ``(start, end)`` char offsets into ``text`` (§4)."""
        ids: list[int] = []
        offsets: Offsets = []
        # §4.1 Special tokens written in the text are matched first, leftmost-longest.
        position = 0
        if self._special_re is not None and not split_special_tokens:
            for match in self._special_re.finditer(text):
                self._encode_plain(text, position, match.start(), ids, offsets)
                ids.append(self._ids[match.group()])
                offsets.append(match.span())
                position = match.end()
        self._encode_plain(text, position, len(text), ids, offsets)
        # §4.4 The template puts special tokens around the text's ids, with offsets (0, 0).
        if self._template is not None and add_special_tokens:
            out_ids: list[int] = []
            out_offsets: Offsets = []
            for piece in self._template:
                if piece == "$A":
                    out_ids += ids
                    out_offsets += offsets
                else:
                    out_ids.append(self._ids[piece])
                    out_offsets.append((0, 0))
            return out_ids, out_offsets
        return ids, offsets

    def _encode_plain(
        self, text: str, start: int, end: int, ids: list[int], offsets: Offsets
    ) -> None:
        """Encode ``text[start:end]`` (no special tokens in it), appending ids and offsets."""
        if start >= end:
            return
        normalized, spans = self._normalizer.normalize_with_spans(text[start:end])
        for piece_start, piece_end in pre_tokenize(self._pre_tokenizer, normalized):
            piece = normalized[piece_start:piece_end]
            for token, first, last in self._encode_piece(piece):
                # `first`/`last`: the piece's first and last char the token came from.
                ids.append(self._ids[token])
                offsets.append(
                    (start + spans[piece_start + first][0], start + spans[piece_start + last][1])
                )

    def _encode_piece(self, piece: str) -> list[tuple[str, int, int]]:
        """Tokens of one piece, each with the indices of the first and last char it covers."""
        # Initial symbols, each with the index of the char it stands for (§2, §4.2).
        symbols: list[str] = []
        char_of: list[int] = []
        if self._byte_level:
            for index, char in enumerate(piece):
                for byte in char.encode("utf-8"):
                    symbols.append(BYTES_TO_UNICODE[byte])
                    char_of.append(index)  # every byte of a char points at that char
        else:
            made = bpe.initial_symbols(
                piece,
                end_of_word_suffix=self._end_of_word_suffix,
                continuing_subword_prefix=self._continuing_subword_prefix,
            )
            for index, symbol in enumerate(made):
                if symbol in self._ids:
                    symbols.append(symbol)
                elif self._unk_token is not None:
                    symbols.append(self._unk_token)
                else:
                    continue  # unknown and no unk_token: the char is dropped
                char_of.append(index)
        groups = _merge_groups(symbols, self._ranks, self._continuing_subword_prefix)
        return [(token, char_of[lo], char_of[hi - 1]) for token, lo, hi in groups]

    # ------------------------------------------------------------------------------ decoding

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """Turn ids back into text (§5).

        Raises:
            ConfigError: an id outside the vocabulary.
        """
        specials = set(self._special_tokens)
        tokens: list[str] = []
        for id in ids:
            token = self.id_to_token(id)
            if token is None:
                raise ConfigError(f"id {id} is outside the vocabulary (size {len(self._vocab)})")
            if skip_special_tokens and token in specials:
                continue
            tokens.append(token)
        if self._byte_level:
            return _decode_bytes(tokens, specials)
        prefix, suffix = self._continuing_subword_prefix, self._end_of_word_suffix
        if prefix is not None:
            # HF WordPiece decoder (no cleanup): `##` glues a token to the one before, any other
            # token starts a new word. A suffix, if also set, only marks the word end: drop it.
            out: list[str] = []
            for i, token in enumerate(tokens):
                if suffix is not None and token.endswith(suffix):
                    token = token[: -len(suffix)]
                if i > 0:
                    token = token[len(prefix) :] if token.startswith(prefix) else " " + token
                out.append(token)
            return "".join(out)
        # HF BPEDecoder: the suffix becomes a space; trailing whitespace goes.
        out = []
        for token in tokens:
            if suffix is not None and token.endswith(suffix):
                token = token[: -len(suffix)] + " "
            out.append(token)
        return "".join(out).rstrip("".join(sorted(WHITESPACE)))

    # ------------------------------------------------------------------------------ native format

    def to_native_json(self) -> str:
        """The subwordx format (§6): UTF-8 JSON, keys in the documented order, compact."""
        data: dict[str, Any] = {
            "format": "subwordx",
            "version": 1,
            "model": "bpe",
            "byte_level": self._byte_level,
            "normalizer": {
                "unicode": self._normalizer.unicode,
                "lowercase": self._normalizer.lowercase,
                "strip_accents": self._normalizer.strip_accents,
            },
            "pre_tokenizer": self._pre_tokenizer,
            "end_of_word_suffix": self._end_of_word_suffix,
            "continuing_subword_prefix": self._continuing_subword_prefix,
            "unk_token": self._unk_token,
            "special_tokens": list(self._special_tokens),
            "template": None if self._template is None else list(self._template),
            "vocab": list(self._vocab),
            "merges": [[a, b] for a, b in self._merges],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_native_json(cls, data: str) -> ReferenceTokenizer:
        """Read the subwordx format.

        Raises:
            ModelFormatError: not JSON, a missing or mistyped key, or parts that do not fit.
        """
        obj = _parse_json(data, "subwordx model")
        if obj.get("format") != "subwordx":
            raise ModelFormatError(f"not a subwordx model: format is {obj.get('format')!r}")
        if obj.get("version") != 1:
            raise ModelFormatError(f"unsupported subwordx format version {obj.get('version')!r}")
        if obj.get("model") != "bpe":
            raise ModelFormatError(f"not a BPE model: model is {obj.get('model')!r}")
        norm = _get(obj, "normalizer", dict)
        unicode = norm.get("unicode")
        if unicode not in (None, "nfc", "nfkc"):
            raise ModelFormatError(
                f"normalizer.unicode must be null, 'nfc' or 'nfkc', got {unicode!r}"
            )
        normalizer = Normalizer(
            unicode=unicode,
            lowercase=_get(norm, "lowercase", bool, "normalizer."),
            strip_accents=_get(norm, "strip_accents", bool, "normalizer."),
        )
        template = _get_optional(obj, "template", list)
        return cls(
            vocab=_string_list(_get(obj, "vocab", list), "vocab"),
            merges=_pairs(_get(obj, "merges", list), "merges"),
            byte_level=_get(obj, "byte_level", bool),
            normalizer=normalizer,
            pre_tokenizer=_get(obj, "pre_tokenizer", str),
            end_of_word_suffix=_get_optional(obj, "end_of_word_suffix", str),
            continuing_subword_prefix=_get_optional(obj, "continuing_subword_prefix", str),
            unk_token=_get_optional(obj, "unk_token", str),
            special_tokens=_string_list(_get(obj, "special_tokens", list), "special_tokens"),
            template=None if template is None else _string_list(template, "template"),
        )

    # ------------------------------------------------------------------------------ HF format

    def to_hf_json(self) -> str:
        """An HF ``tokenizer.json`` that ``tokenizers.Tokenizer.from_str`` loads, same ids."""
        norms: list[dict[str, Any]] = []
        if self._normalizer.unicode is not None:
            norms.append({"type": self._normalizer.unicode.upper()})
        if self._normalizer.lowercase:
            norms.append({"type": "Lowercase"})
        if self._normalizer.strip_accents:
            norms += [{"type": "NFD"}, {"type": "StripAccents"}]
        normalizer = {"type": "Sequence", "normalizers": norms} if norms else None

        byte_level_pre = {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": True,
        }
        pre: dict[str, Any]
        if self._pre_tokenizer == "bert":
            pre = {"type": "BertPreTokenizer"}
        elif self._pre_tokenizer == "whitespace":
            pre = {"type": "WhitespaceSplit"}
        elif self._pre_tokenizer == "gpt2":
            pre = byte_level_pre
        else:
            split = {
                "type": "Split",
                "pattern": {"Regex": hf_split_pattern(self._pre_tokenizer)},
                "behavior": "Isolated",
                "invert": False,
            }
            pre = {
                "type": "Sequence",
                "pretokenizers": [split, {**byte_level_pre, "use_regex": False}],
            }

        decoder: dict[str, Any]
        if self._byte_level:
            decoder = {**byte_level_pre, "type": "ByteLevel"}
        elif self._continuing_subword_prefix is not None:
            decoder = {
                "type": "WordPiece",
                "prefix": self._continuing_subword_prefix,
                "cleanup": False,
            }
        elif self._end_of_word_suffix is not None:
            decoder = {"type": "BPEDecoder", "suffix": self._end_of_word_suffix}
        else:
            decoder = {"type": "Fuse"}

        post: dict[str, Any] | None = None
        if self._template is not None:

            def items(sequence: str, type_id: int) -> list[dict[str, Any]]:
                return [
                    {"Sequence": {"id": sequence, "type_id": type_id}}
                    if piece == "$A"
                    else {"SpecialToken": {"id": piece, "type_id": type_id}}
                    for piece in self._template or ()
                ]

            post = {
                "type": "TemplateProcessing",
                "single": items("A", 0),
                "pair": items("A", 0) + items("B", 1),
                "special_tokens": {
                    piece: {"id": piece, "ids": [self._ids[piece]], "tokens": [piece]}
                    for piece in dict.fromkeys(self._template)
                    if piece != "$A"
                },
            }

        data: dict[str, Any] = {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {
                    "id": self._ids[token],
                    "content": token,
                    "single_word": False,
                    "lstrip": False,
                    "rstrip": False,
                    "normalized": False,
                    "special": True,
                }
                for token in self._special_tokens
            ],
            "normalizer": normalizer,
            "pre_tokenizer": pre,
            "post_processor": post,
            "decoder": decoder,
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": self._unk_token,
                "continuing_subword_prefix": self._continuing_subword_prefix,
                "end_of_word_suffix": self._end_of_word_suffix,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": dict(self._ids),
                "merges": [[a, b] for a, b in self._merges],
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=2)

    @classmethod
    def from_hf_json(cls, data: str) -> ReferenceTokenizer:
        """Read an HF ``tokenizer.json`` holding a BPE model this library can run exactly.

        Raises:
            ModelFormatError: not JSON, not BPE, or a component subwordx does not implement
                (the message names it).
        """
        obj = _parse_json(data, "tokenizer.json")
        model = obj.get("model")
        if not isinstance(model, dict):
            raise ModelFormatError("tokenizer.json has no 'model' object")
        if model.get("type", "BPE") != "BPE":
            raise ModelFormatError(f"tokenizer.json model is {model.get('type')!r}, not BPE")
        for key, ok in (
            ("dropout", (None, 0, 0.0)),
            ("fuse_unk", (None, False)),
            ("byte_fallback", (None, False)),
            ("ignore_merges", (None, False)),
        ):
            if model.get(key) not in ok:
                raise ModelFormatError(f"unsupported BPE option {key}={model.get(key)!r}")

        # Vocabulary: the model's, plus added tokens (which may come after it).
        raw_vocab = model.get("vocab")
        if not isinstance(raw_vocab, dict):
            raise ModelFormatError("model.vocab must be an object {token: id}")
        by_id: dict[int, str] = {}
        added = obj.get("added_tokens") or []
        if not isinstance(added, list):
            raise ModelFormatError("added_tokens must be a list")
        entries: list[tuple[str, Any]] = list(raw_vocab.items())
        specials: list[str] = []
        for entry in added:
            if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
                raise ModelFormatError(f"malformed added token {entry!r}")
            entries.append((entry["content"], entry.get("id")))
            if entry.get("special", False):
                specials.append(entry["content"])
        for token, id in entries:
            if isinstance(id, bool) or not isinstance(id, int) or id < 0:
                raise ModelFormatError(f"token {token!r} has an invalid id {id!r}")
            if by_id.get(id, token) != token:
                raise ModelFormatError(f"id {id} is given to both {by_id[id]!r} and {token!r}")
            by_id[id] = token
        if sorted(by_id) != list(range(len(by_id))):
            gap = next(i for i in range(len(by_id) + 1) if i not in by_id)
            raise ModelFormatError(f"vocab ids are not contiguous: id {gap} is missing")
        vocab = [by_id[i] for i in range(len(by_id))]

        normalizer = _hf_normalizer(obj.get("normalizer"))
        pre_tokenizer = _hf_pre_tokenizer(obj.get("pre_tokenizer"))
        byte_level = pre_tokenizer in BYTE_LEVEL_PRE_TOKENIZERS
        template = _hf_template(obj.get("post_processor"))
        unk = model.get("unk_token")
        if unk is not None and not isinstance(unk, str):
            raise ModelFormatError(f"model.unk_token must be a string or null, got {unk!r}")
        suffix = model.get("end_of_word_suffix") or None
        prefix = model.get("continuing_subword_prefix") or None
        return cls(
            vocab=vocab,
            merges=_pairs(model.get("merges"), "model.merges"),
            byte_level=byte_level,
            normalizer=normalizer,
            pre_tokenizer=pre_tokenizer,
            end_of_word_suffix=suffix,
            continuing_subword_prefix=prefix,
            unk_token=unk,
            special_tokens=specials,
            template=template,
        )

    # ------------------------------------------------------------------------------ vocab + merges

    def to_vocab_merges(self) -> tuple[str, str]:
        """GPT-2 layout: ``vocab.json`` ({token: id}) and ``merges.txt`` (``#version: 0.2``,
        then ``left right`` per line in rank order)."""
        lines = ["#version: 0.2"]
        for left, right in self._merges:
            if any(c in WHITESPACE for c in left + right):
                raise ConfigError(
                    f"merge ({left!r}, {right!r}) holds whitespace: merges.txt cannot hold it"
                )
            lines.append(f"{left} {right}")
        vocab_json = json.dumps(dict(self._ids), ensure_ascii=False, indent=2)
        return vocab_json, "\n".join(lines) + "\n"

    @classmethod
    def from_vocab_merges(
        cls, vocab_json: str, merges_txt: str, **settings: Any
    ) -> ReferenceTokenizer:
        """Read ``vocab.json`` + ``merges.txt``. These files hold no settings: pass them as keyword
        arguments (those of the constructor), or let them be inferred: byte-level (``gpt2``) when
        all 256 byte symbols are tokens and no token ends with ``</w>``; else classic ``bert``
        with the ``</w>`` suffix if some token ends with it, ``<unk>`` as unk and special token
        when it is in the vocabulary.

        Raises:
            ModelFormatError: malformed JSON or a malformed merges line (its number is given).
        """
        obj = _parse_json(vocab_json, "vocab.json")
        by_id: dict[int, str] = {}
        for token, id in obj.items():
            if isinstance(id, bool) or not isinstance(id, int) or id < 0:
                raise ModelFormatError(f"vocab.json: token {token!r} has an invalid id {id!r}")
            if id in by_id:
                raise ModelFormatError(
                    f"vocab.json: id {id} is given to both {by_id[id]!r} and {token!r}"
                )
            by_id[id] = token
        if sorted(by_id) != list(range(len(by_id))):
            gap = next(i for i in range(len(by_id) + 1) if i not in by_id)
            raise ModelFormatError(f"vocab.json: ids are not contiguous: id {gap} is missing")
        vocab = [by_id[i] for i in range(len(by_id))]
        merges: list[Pair] = []
        for number, line in enumerate(merges_txt.split("\n"), start=1):
            line = line.rstrip("\r")
            if (number == 1 and line.startswith("#version")) or not line:
                continue
            parts = line.split(" ")
            if len(parts) != 2 or not all(parts):
                raise ModelFormatError(
                    f"merges.txt line {number}: expected 'left right', got {line!r}"
                )
            merges.append((parts[0], parts[1]))

        if "byte_level" not in settings:
            has_suffix = any(t.endswith("</w>") for t in vocab)
            settings["byte_level"] = not has_suffix and all(s in obj for s in BYTES_TO_UNICODE)
        if not settings["byte_level"]:
            if "end_of_word_suffix" not in settings:
                settings["end_of_word_suffix"] = (
                    "</w>" if any(t.endswith("</w>") for t in vocab) else None
                )
            if "unk_token" not in settings:
                settings["unk_token"] = "<unk>" if "<unk>" in obj else None
            if "special_tokens" not in settings and settings["unk_token"] is not None:
                settings["special_tokens"] = [settings["unk_token"]]
        return cls(vocab=vocab, merges=merges, **settings)


# ---------------------------------------------------------------------------------- helpers


def hf_split_pattern(name: str) -> str:
    """The split pattern as HF ``tokenizers`` must be given it.

    HF compiles it with Oniguruma (Ruby syntax), where ``{1,3}+`` is *not* possessive but
    "``{1,3}``, repeated one or more times", so cl100k's ``\\p{N}{1,3}+`` would swallow whole digit
    runs. Plain ``{1,3}`` means the same here (nothing follows it in its alternative to backtrack
    into), and Oniguruma reads it right.
    """
    return SPLIT_PATTERNS[name].replace("{1,3}+", "{1,3}")


def _merge_groups(
    symbols: list[str], ranks: Mapping[Pair, int], prefix: str | None
) -> list[tuple[str, int, int]]:
    """Like :func:`bpe.apply_merges`, but also tell which initial symbols ``[lo, hi)`` each
    output token was built from (merges only ever join neighbours, so it is a contiguous run).

    Each output token of ``apply_merges`` is the merge of a run of initial symbols, so the runs
    are found by merging initial symbols, left to right, until they spell the token (a merged string
    only grows, so the first match is the run).
    """
    tokens = bpe.apply_merges(symbols, ranks, prefix)
    groups: list[tuple[str, int, int]] = []
    position = 0
    for token in tokens:
        # Consume initial symbols until their merge makes `token`.
        built = symbols[position]
        end = position + 1
        while built != token:
            built = bpe.merge_string(built, symbols[end], prefix)
            end += 1
        groups.append((token, position, end))
        position = end
    return groups


def _decode_bytes(tokens: list[str], specials: set[str]) -> str:
    """Byte-level decoding: byte symbols back to bytes, decoded as UTF-8 (bad bytes -> U+FFFD);
    special tokens are written as they are."""
    out: list[str] = []
    pending = bytearray()
    for token in tokens:
        if token in specials:
            out.append(pending.decode("utf-8", errors="replace"))
            pending.clear()
            out.append(token)
            continue
        for char in token:
            byte = UNICODE_TO_BYTES.get(char)
            if byte is None:
                pending += char.encode("utf-8")  # a token from elsewhere with a plain char
            else:
                pending.append(byte)
    out.append(pending.decode("utf-8", errors="replace"))
    return "".join(out)


def _read_corpus_file(path: str, errors: str) -> str:
    data = read_regular(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if errors == "replace":
            return data.decode("utf-8", errors="replace")
        line_start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        raise InvalidUtf8Error(
            f"{path}:{line}: invalid UTF-8 at byte {e.start - line_start} of line {line} "
            f'(file offset {e.start}); pass errors="replace" (CLI: --errors replace) to '
            "substitute U+FFFD",
            path=path,
            line=line,
            column=e.start - line_start,
            offset=e.start,
        ) from None


def _parse_json(data: str, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, TypeError) as e:
        raise ModelFormatError(f"{what}: corrupt or truncated JSON ({e})") from None
    if not isinstance(obj, dict):
        raise ModelFormatError(f"{what}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _get(obj: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
    if key not in obj:
        raise ModelFormatError(f"missing key {where}{key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ModelFormatError(f"{where}{key} must be a {kind.__name__}, got {value!r}")
    return value


def _get_optional(obj: Mapping[str, Any], key: str, kind: type) -> Any:
    if key not in obj:
        raise ModelFormatError(f"missing key {key!r}")
    value = obj[key]
    if value is not None and not isinstance(value, kind):
        raise ModelFormatError(f"{key} must be a {kind.__name__} or null, got {value!r}")
    return value


def _string_list(values: list[Any], what: str) -> list[str]:
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise ModelFormatError(f"{what}[{i}] must be a string, got {value!r}")
    return values


def _pairs(values: Any, what: str) -> list[Pair]:
    """Merges as ``[["a", "b"], ...]`` or HF's older ``["a b", ...]``."""
    if not isinstance(values, list):
        raise ModelFormatError(f"{what} must be a list")
    pairs: list[Pair] = []
    for i, value in enumerate(values):
        if isinstance(value, str):
            parts = value.split(" ")
        elif isinstance(value, list):
            parts = value
        else:
            parts = []
        if len(parts) != 2 or not all(isinstance(p, str) and p for p in parts):
            raise ModelFormatError(f"{what}[{i}] is not a pair of tokens: {value!r}")
        pairs.append((parts[0], parts[1]))
    return pairs


def _hf_normalizer(spec: Any) -> Normalizer:
    """Map an HF normalizer onto (unicode, lowercase, strip_accents), or refuse it."""
    if spec is None:
        return Normalizer()
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed normalizer {spec!r}")
    steps = spec.get("normalizers") if spec.get("type") == "Sequence" else [spec]
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ModelFormatError(f"malformed normalizer {spec!r}")
    names = [s.get("type") for s in steps]
    unicode: UnicodeForm | None = None
    if names[:1] in (["NFC"], ["NFKC"]):
        unicode = "nfc" if names[0] == "NFC" else "nfkc"
        names = names[1:]
    lowercase = names[:1] == ["Lowercase"]
    if lowercase:
        names = names[1:]
    strip_accents = names == ["NFD", "StripAccents"]
    if names and not strip_accents:
        raise ModelFormatError(f"unsupported normalizer sequence {[s.get('type') for s in steps]}")
    return Normalizer(unicode=unicode, lowercase=lowercase, strip_accents=strip_accents)


def _hf_pre_tokenizer(spec: Any) -> str:
    """Map an HF pre-tokenizer onto one of ours, or refuse it."""
    if not isinstance(spec, dict):
        raise ModelFormatError(f"unsupported pre_tokenizer {spec!r}")
    kind = spec.get("type")
    if kind == "BertPreTokenizer":
        return "bert"
    if kind == "WhitespaceSplit":
        return "whitespace"
    if kind == "ByteLevel" and spec.get("use_regex", True) and not spec.get("add_prefix_space"):
        return "gpt2"
    if kind == "Sequence":
        parts = spec.get("pretokenizers")
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, dict) for p in parts):
            split, byte_level = parts
            pattern = split.get("pattern")
            regex_text = pattern.get("Regex") if isinstance(pattern, dict) else None
            if (
                split.get("type") == "Split"
                and split.get("behavior") == "Isolated"
                and not split.get("invert")
                and byte_level.get("type") == "ByteLevel"
                and byte_level.get("use_regex") is False
                and not byte_level.get("add_prefix_space")
            ):
                for name in ("cl100k", "o200k"):
                    if regex_text in (SPLIT_PATTERNS[name], hf_split_pattern(name)):
                        return name
    raise ModelFormatError(f"unsupported pre_tokenizer {json.dumps(spec)[:200]}")


def _hf_template(spec: Any) -> list[str] | None:
    """Read a TemplateProcessing's ``single`` template; ByteLevel post-processing (offset trimming)
    changes no id and is ignored; other processors are refused."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed post_processor {spec!r}")
    if spec.get("type") == "ByteLevel":
        return None
    if spec.get("type") != "TemplateProcessing" or not isinstance(spec.get("single"), list):
        raise ModelFormatError(f"unsupported post_processor {spec.get('type')!r}")
    template: list[str] = []
    for item in spec["single"]:
        if isinstance(item, dict) and isinstance(item.get("SpecialToken"), dict):
            template.append(str(item["SpecialToken"].get("id")))
        elif isinstance(item, dict) and isinstance(item.get("Sequence"), dict):
            template.append("$A")
        else:
            raise ModelFormatError(f"malformed template item {item!r}")
    return template
