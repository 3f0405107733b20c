"""The whole pipeline: :class:`PipelineTokenizer` (HF ``Tokenizer``, and tiktoken's ``Encoding``).

Encoding a text goes through these steps (HF ``TokenizerImpl::encode_char_offsets``)::

    "Hello <s>Wörld"                     the input
    ├─ added tokens, raw text            "Hello ", <s>, "Wörld"        (added_tokens.py)
    ├─ normalizer, per piece             "hello ", "wörld"             (normalizers.py)
    ├─ added tokens, normalized text     (tokens declared normalized=True)
    ├─ pre-tokenizer                     "hello", "wörld"              (pre_tokenizers.py)
    ├─ model, per piece                  hel lo | w ör ld              (bpe_model.py)
    ├─ an Encoding                       ids, tokens, char offsets into the input, word ids
    ├─ truncation                        room left for the tokens the post-processor adds
    ├─ post-processor                    [CLS] ... [SEP], type ids      (post_processors.py)
    └─ padding                           (encoding.py)

With a pair, each sequence goes through the first steps alone (the second with type id 1) and
truncation, post-processing and padding see both. Decoding maps ids to token strings (added
tokens first), drops special tokens if asked, and hands the strings to the decoder
(decoders.py), or joins them with spaces when there is none.

Files: HF ``tokenizer.json`` (:meth:`PipelineTokenizer.from_hf`, :meth:`~PipelineTokenizer.to_hf`,
the output loads in HF with the same results) and tiktoken's ``.tiktoken`` rank files
(:meth:`~PipelineTokenizer.from_tiktoken`, :meth:`~PipelineTokenizer.to_tiktoken_bytes`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import regex

from subwordx.errors import (
    ConfigError,
    ModelFormatError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)
from subwordx.reference.pipeline import bpe_model, decoders, normalizers, post_processors
from subwordx.reference.pipeline import pre_tokenizers as pre
from subwordx.reference.pipeline.added_tokens import AddedToken, AddedVocabulary, assign_ids
from subwordx.reference.pipeline.alignment import Token, hf_char_offsets
from subwordx.reference.pipeline.bpe_model import Model, RankedBPE
from subwordx.reference.pipeline.decoders import Decoder, DecodeStream
from subwordx.reference.pipeline.dropout import DropoutStream, SplitMix64
from subwordx.reference.pipeline.encoding import (
    Encoding,
    PaddingParams,
    TruncationParams,
    pad_encodings,
    truncate_encodings,
)
from subwordx.reference.pipeline.normalizers import Normalizer
from subwordx.reference.pipeline.post_processors import PostProcessor, process
from subwordx.reference.pipeline.pre_tokenizers import PreTokenizer
from subwordx.reference.pretokenize import SPLIT_PATTERNS, UNICODE_TO_BYTES

__all__ = ["TIKTOKEN_ENCODINGS", "PipelineTokenizer", "load_hf", "load_tiktoken"]

# tiktoken's known encodings (`tiktoken_ext/openai_public.py`): the split pattern and the special
# tokens of each, chosen by the rank file's name. cl100k's and o200k's patterns are the ones
# `subwordx.reference.pretokenize` already holds; r50k's is tiktoken's faster spelling of GPT-2's.
_ENDOFTEXT = "<|endoftext|>"
_FIM = {"<|fim_prefix|>": 0, "<|fim_middle|>": 1, "<|fim_suffix|>": 2}
_R50K_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
_CL100K_PATTERN = SPLIT_PATTERNS["cl100k"]
_O200K_PATTERN = SPLIT_PATTERNS["o200k"]
TIKTOKEN_ENCODINGS: dict[str, tuple[str, dict[str, int]]] = {
    "gpt2": (_R50K_PATTERN, {_ENDOFTEXT: 50256}),
    "r50k_base": (_R50K_PATTERN, {_ENDOFTEXT: 50256}),
    "p50k_base": (_R50K_PATTERN, {_ENDOFTEXT: 50256}),
    "p50k_edit": (
        _R50K_PATTERN,
        {_ENDOFTEXT: 50256, **{t: 50281 + i for t, i in _FIM.items()}},
    ),
    "cl100k_base": (
        _CL100K_PATTERN,
        {_ENDOFTEXT: 100257, **{t: 100258 + i for t, i in _FIM.items()}, "<|endofprompt|>": 100276},
    ),
    "o200k_base": (_O200K_PATTERN, {_ENDOFTEXT: 199999, "<|endofprompt|>": 200018}),
}

SpecialPolicy = Literal["all"] | Collection[str]


def _hf_safe_pattern(pattern: str) -> str:
    """tiktoken's ``X{1,3}+`` is possessive; in Oniguruma's Ruby syntax it would mean
    ``(?:X{1,3})+``. Where nothing follows it in its alternative (cl100k), plain ``{1,3}`` means
    the same to both engines, so that is what is stored (and written to tokenizer.json)."""
    return pattern.replace("{1,3}+", "{1,3}")


@dataclass(frozen=True)
class PipelineTokenizer:
    """An immutable tokenizer: added tokens, normalizer, pre-tokenizer, model, post-processor,
    decoder, truncation and padding. Build it with :meth:`from_hf` or :meth:`from_tiktoken`.

    Example:
        >>> tok = PipelineTokenizer.from_hf(
        ...     {
        ...         "version": "1.0",
        ...         "added_tokens": [],
        ...         "pre_tokenizer": {"type": "Whitespace"},
        ...         "model": {
        ...             "type": "BPE",
        ...             "vocab": {"l": 0, "o": 1, "w": 2, "lo": 3, "low": 4},
        ...             "merges": [["l", "o"], ["lo", "w"]],
        ...         },
        ...     },
        ...     "<example>",
        ... )
        >>> enc = tok.encode("low lol")
        >>> enc.tokens, enc.offsets
        (['low', 'lo', 'l'], [(0, 3), (4, 6), (6, 7)])
    """

    model: Model
    added_vocabulary: AddedVocabulary
    normalizer: Normalizer | None = None
    pre_tokenizer: PreTokenizer | None = None
    post_processor: PostProcessor | None = None
    decoder: Decoder | None = None
    truncation: TruncationParams | None = None
    padding: PaddingParams | None = None
    encode_special_tokens: bool = False  # HF's split_special_tokens: specials matched as text
    name: str = field(default="", compare=False)
    # BPE-dropout's seeds, call by call (:mod:`.dropout`): set when the model has a dropout.
    dropout_stream: DropoutStream | None = field(default=None, compare=False)

    # ------------------------------------------------------------------------------ loading

    @classmethod
    def from_hf(cls, doc: dict[str, Any], source: str = "tokenizer.json") -> PipelineTokenizer:
        """Build from an HF ``tokenizer.json`` document (already parsed).

        Raises:
            ModelFormatError: a malformed document, or a component this pipeline does not run
                (the message names ``source`` and the component).
        """
        try:
            if not isinstance(doc, dict):
                raise ModelFormatError("expected a JSON object")
            version = doc.get("version", "1.0")
            if version != "1.0":
                raise ModelFormatError(f"unknown tokenizer version {version!r}")
            normalizer = normalizers.from_json(doc.get("normalizer"))
            model = bpe_model.from_json(doc.get("model"))
            raw_added = doc.get("added_tokens") or []
            if not isinstance(raw_added, list):
                raise ModelFormatError("added_tokens must be a list")
            added = [AddedToken.from_json(entry)[0] for entry in raw_added]
            assigned = assign_ids(added, model)
            if hasattr(model, "with_added_tokens"):
                # Unigram: the added vocabulary splits added tokens out; the model never matches
                # them (as the Rust core).
                model = model.with_added_tokens(frozenset(i for _, i in assigned))
            return cls(
                model=model,
                added_vocabulary=AddedVocabulary(assigned, normalizer),
                normalizer=normalizer,
                pre_tokenizer=pre.from_json(doc.get("pre_tokenizer")),
                post_processor=post_processors.from_json(doc.get("post_processor")),
                decoder=decoders.from_json(doc.get("decoder")),
                truncation=TruncationParams.from_json(doc.get("truncation")),
                padding=PaddingParams.from_json(doc.get("padding")),
                name=source,
                dropout_stream=DropoutStream(0) if getattr(model, "dropout", None) else None,
            )
        except ModelFormatError as e:
            raise ModelFormatError(f"{source}: {e}") from None

    def to_hf(self) -> dict[str, Any]:
        """This tokenizer as an HF ``tokenizer.json`` document; HF loads it with the same
        behaviour.

        HF gives an added token the id of the same string in the model's vocabulary, or the next
        free id; an added token whose id would come out differently (tiktoken's specials sit
        after gaps) is also written into the model's vocabulary, where HF will find it.
        """
        model = self.model.to_json()
        tokens = self.added_vocabulary.tokens
        written = sorted(tokens)  # HF writes, and so reads, added tokens by id
        hf_ids = {t.content: i for t, i in assign_ids([tokens[id] for id in written], self.model)}
        for id in written:
            if hf_ids.get(tokens[id].content) != id:
                model["vocab"][tokens[id].content] = id
        return {
            "version": "1.0",
            "truncation": None if self.truncation is None else self.truncation.to_json(),
            "padding": None if self.padding is None else self.padding.to_json(),
            "added_tokens": self.added_vocabulary.to_json(),
            "normalizer": None if self.normalizer is None else self.normalizer.to_json(),
            "pre_tokenizer": None if self.pre_tokenizer is None else self.pre_tokenizer.to_json(),
            "post_processor": (
                None if self.post_processor is None else self.post_processor.to_json()
            ),
            "decoder": None if self.decoder is None else self.decoder.to_json(),
            "model": model,
        }

    @classmethod
    def from_tiktoken(
        cls,
        path: str | os.PathLike[str],
        pattern: str | None = None,
        special_tokens: dict[str, int] | None = None,
    ) -> PipelineTokenizer:
        """Build from a tiktoken ``.tiktoken`` rank file.

        Args:
            path: the rank file. Its name (``cl100k_base.tiktoken``) picks a known encoding's
                split pattern and special tokens (gpt2/r50k_base, p50k_base, p50k_edit,
                cl100k_base, o200k_base).
            pattern: None (by file name), a known encoding's name, or a split regex.
            special_tokens: ``{token: id}``; None for the known encoding's.

        The pipeline is: special tokens as added tokens, ``Split(pattern)`` then byte-level
        chars, and :class:`~.bpe_model.RankedBPE` (tiktoken's merge rule); ``ByteLevel`` decoder.

        Raises:
            ConfigError: no pattern given and the file name is not a known encoding.
            SubwordxFileNotFoundError, ModelFormatError: the file is missing or malformed.
        """
        name = Path(path).name.split(".")[0]
        return cls.from_tiktoken_data(_read_bytes(path), name, str(path), pattern, special_tokens)

    @classmethod
    def from_tiktoken_data(
        cls,
        data: bytes,
        name: str,
        source: str = "<tiktoken>",
        pattern: str | None = None,
        special_tokens: dict[str, int] | None = None,
    ) -> PipelineTokenizer:
        """:meth:`from_tiktoken` on the file's bytes; ``name`` stands for the file name."""
        known = TIKTOKEN_ENCODINGS.get(name)
        if pattern is None:
            if known is None:
                raise ConfigError(
                    f"{source}: not a known tiktoken encoding ({', '.join(TIKTOKEN_ENCODINGS)}); "
                    "pass pattern= (an encoding name or a split regex)"
                )
            pattern = known[0]
        elif pattern in TIKTOKEN_ENCODINGS:
            known = known or TIKTOKEN_ENCODINGS[pattern]
            pattern = TIKTOKEN_ENCODINGS[pattern][0]
        if special_tokens is None:
            special_tokens = dict(known[1]) if known is not None else {}
        try:
            model = RankedBPE.from_tiktoken_bytes(data)
        except ModelFormatError as e:
            raise ModelFormatError(f"{source}: {e}") from None
        for content, id in special_tokens.items():
            if model.id_to_token(id) is not None:
                raise ModelFormatError(f"{source}: special token {content!r} reuses rank {id}")
        return cls._tiktoken_pipeline(model, pattern, special_tokens, name)

    @classmethod
    def _tiktoken_pipeline(
        cls, model: RankedBPE, pattern: str, special_tokens: dict[str, int], name: str
    ) -> PipelineTokenizer:
        added = [
            (AddedToken(content, normalized=False, special=True), id)
            for content, id in sorted(special_tokens.items(), key=lambda item: item[1])
        ]
        return cls(
            model=model,
            added_vocabulary=AddedVocabulary(added, None),
            pre_tokenizer=pre.Sequence(
                [
                    pre.Split(_hf_safe_pattern(pattern), "isolated"),
                    pre.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
                ]
            ),
            decoder=decoders.ByteLevel(),
            name=name,
        )

    @classmethod
    def from_hf_ranks(
        cls, doc: dict[str, Any], source: str = "tokenizer.json"
    ) -> PipelineTokenizer:
        """Build from an HF document whose BPE merges are implied by its ranks: what
        :meth:`to_hf` writes for a tokenizer loaded from a ``.tiktoken`` file, with the merges
        left out (deriving them is slow). The model is a :class:`~.bpe_model.RankedBPE` whose
        ranks are the vocabulary's ids, added tokens excluded; the other parts are read as
        :meth:`from_hf` reads them.

        Raises:
            ModelFormatError: as :meth:`from_hf`, or a vocabulary token that is not byte-level.
        """
        model_spec = doc.get("model") if isinstance(doc, dict) else None
        if not isinstance(model_spec, dict) or not isinstance(model_spec.get("vocab"), dict):
            raise ModelFormatError(f"{source}: no model vocabulary")
        added = {
            entry.get("content")
            for entry in doc.get("added_tokens") or []
            if isinstance(entry, dict)
        }
        ranks: dict[bytes, int] = {}
        for token, id in model_spec["vocab"].items():
            if token in added:
                continue
            try:
                ranks[bytes(UNICODE_TO_BYTES[char] for char in token)] = id
            except KeyError:
                raise ModelFormatError(f"{source}: token {token!r} is not byte-level") from None
        # Every other part as from_hf reads it, around a stand-in model without merges (it also
        # gives the added tokens their ids, found in the vocabulary).
        stand_in = {"type": "BPE", "vocab": model_spec["vocab"], "merges": []}
        shell = cls.from_hf({**doc, "model": stand_in}, source)
        try:
            dropout = bpe_model.read_dropout(model_spec)
        except ModelFormatError as e:
            raise ModelFormatError(f"{source}: {e}") from None
        return shell.with_dropout(dropout, 0, RankedBPE(ranks))

    def to_tiktoken_bytes(self) -> bytes:
        """The ``.tiktoken`` rank file of this tokenizer's model (special tokens are not part of
        that format).

        Raises:
            ConfigError: the model is not a rank-based (tiktoken) BPE.
        """
        if not isinstance(self.model, RankedBPE):
            raise ConfigError(
                "only a tokenizer loaded from a .tiktoken file has ranks to write; "
                f"this one's model is {type(self.model).__name__}"
            )
        return self.model.to_tiktoken_bytes()

    # ------------------------------------------------------------------------------ settings

    def with_truncation(self, truncation: TruncationParams | None) -> PipelineTokenizer:
        """A copy with these truncation settings (None: no truncation)."""
        return replace(self, truncation=truncation)

    def with_padding(self, padding: PaddingParams | None) -> PipelineTokenizer:
        """A copy with these padding settings (None: no padding)."""
        return replace(self, padding=padding)

    def with_dropout(
        self, p: float | None, seed: int = 0, model: Model | None = None
    ) -> PipelineTokenizer:
        """A copy encoding with BPE-dropout ``p`` (None or 0: plain BPE), its stream of seeds
        starting at ``seed`` (:mod:`.dropout`); ``model`` replaces the model first.

        Raises:
            ConfigError: ``p`` outside [0, 1], or set on a model that is not BPE.
        """
        base: Any = self.model if model is None else model
        if not hasattr(base, "with_dropout"):
            if p:
                raise ConfigError("dropout is for BPE models; this tokenizer's model is not BPE")
            return replace(self, model=base, dropout_stream=None)
        changed = base.with_dropout(p)
        stream = DropoutStream(seed) if changed.dropout else None
        return replace(self, model=changed, dropout_stream=stream)

    # ------------------------------------------------------------------------------ vocabulary

    def id_to_token(self, id: int) -> str | None:
        """The token of ``id``: an added token's (its normalized form if it is normalized),
        else the model's."""
        token = self.added_vocabulary.id_to_token(id)
        return token if token is not None else self.model.id_to_token(id)

    def token_to_id(self, token: str) -> int | None:
        found = self.added_vocabulary.token_to_id(token)
        return found if found is not None else self.model.token_to_id(token)

    def get_vocab(self, with_added_tokens: bool = True) -> dict[str, int]:
        vocab = self.model.get_vocab()
        if with_added_tokens:
            vocab.update(self.added_vocabulary.get_vocab())
        return vocab

    def vocab_size(self, with_added_tokens: bool = True) -> int:
        """The model's vocabulary size, plus the added tokens that are not model tokens."""
        size = self.model.vocab_size()
        if with_added_tokens:
            added = self.added_vocabulary.get_vocab()
            size += sum(1 for token in added if self.model.token_to_id(token) is None)
        return size

    # ------------------------------------------------------------------------------ encoding

    def _special_filter(
        self,
        text: str,
        allowed_special: SpecialPolicy | None,
        disallowed_special: SpecialPolicy | None,
    ) -> Any:
        """Which added tokens may match, under HF's or tiktoken's policy.

        With neither argument (HF): every added token, except special ones when
        ``encode_special_tokens`` is set. With either (tiktoken): special tokens in
        ``allowed_special`` match, others are text; a ``disallowed_special`` one found in the
        text is an error. Defaults as tiktoken: nothing allowed, everything else disallowed.
        """
        if allowed_special is None and disallowed_special is None:
            if self.encode_special_tokens:
                return lambda token: not token.special
            return lambda token: True
        specials = {t.content for t in self.added_vocabulary.tokens.values() if t.special}
        allowed = specials if allowed_special == "all" else set(allowed_special or ())
        if disallowed_special is None or disallowed_special == "all":
            disallowed = specials - allowed
        else:
            disallowed = set(disallowed_special)
        if disallowed:
            found = regex.search("|".join(regex.escape(t) for t in sorted(disallowed)), text)
            if found is not None:
                raise ConfigError(
                    f"Encountered text corresponding to disallowed special token "
                    f"{found.group()!r}.\nIf you want this text to be encoded as a special token, "
                    f"pass it to `allowed_special`, e.g. `allowed_special={{{found.group()!r}, "
                    f"...}}`.\nIf you want this text to be encoded as normal text, disable the "
                    f"check for this token by passing `disallowed_special=(enc.special_tokens_set "
                    f"- {{{found.group()!r}}})`.\nTo disable this check for all special tokens, "
                    "pass `disallowed_special=()`.\n"
                )
        return lambda token: not token.special or token.content in allowed

    def _encode_sequence(
        self, text: str, type_id: int, allowed: Any, rng: SplitMix64 | None = None
    ) -> Encoding:
        """One sequence, up to the model: an Encoding with char offsets into ``text``; with
        BPE-dropout's draws from ``rng`` when given."""
        model: Any = self.model
        tokenize = (
            model.tokenize
            if rng is None
            else lambda piece: model.tokenize_dropout(piece, model.dropout, rng)
        )
        pieces = self.added_vocabulary.extract_and_normalize(self.normalizer, text, allowed)
        if self.pre_tokenizer is not None:
            pieces = self.pre_tokenizer.pre_tokenize(pieces)
        tokens: list[tuple[int, str, tuple[int, int], int | None]] = []
        for word, piece in enumerate(pieces):
            if piece.tokens is None:
                piece.tokens = [
                    Token(id, self.model.id_to_token(id) or "", start, end)
                    for id, start, end in tokenize(piece.text.normalized)
                ]
            for token in piece.tokens:
                offsets = piece.text.token_offsets(token.start, token.end)
                tokens.append((token.id, token.value, hf_char_offsets(offsets, text), word))
        return Encoding.from_tokens(tokens, type_id)

    def encode(
        self,
        text: str,
        pair: str | None = None,
        add_special_tokens: bool = True,
        *,
        allowed_special: SpecialPolicy | None = None,
        disallowed_special: SpecialPolicy | None = None,
    ) -> Encoding:
        """Encode a text, or a pair of texts, into an :class:`~.encoding.Encoding`.

        Args:
            text: the (first) sequence.
            pair: the second sequence, if any.
            add_special_tokens: let the post-processor add its tokens.
            allowed_special, disallowed_special: tiktoken's special-token policy (see
                :meth:`_special_filter`); leave both None for HF's.

        Raises:
            ConfigError: a disallowed special token in the text; truncation impossible.
        """
        if allowed_special is not None or disallowed_special is not None:
            # tiktoken's fix for lone surrogates (which UTF-8 cannot hold): they become U+FFFD.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            if pair is not None:
                pair = pair.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        allowed = self._special_filter(text, allowed_special, disallowed_special)
        if pair is not None:
            self._special_filter(pair, allowed_special, disallowed_special)
        stream = self.dropout_stream
        rng = None if stream is None else stream.rng(stream.take())
        encoding = self._encode_sequence(text, 0, allowed, rng)
        pair_encoding = None if pair is None else self._encode_sequence(pair, 1, allowed, rng)
        # 1. Truncation, leaving room for what the post-processor will add.
        if self.truncation is not None:
            params = self.truncation
            added = (
                self.post_processor.added_tokens(pair is not None)
                if self.post_processor is not None
                else 0
            )
            if add_special_tokens and added > 0:
                if added > params.max_length:
                    raise ConfigError(
                        f"max_length {params.max_length} leaves no room for the {added} "
                        "special tokens the post-processor adds"
                    )
                params = replace(params, max_length=params.max_length - added)
            truncate_encodings(encoding, pair_encoding, params)
        # 2. Post-processing: special tokens, type ids, the pair appended.
        final = process(self.post_processor, encoding, pair_encoding, add_special_tokens)
        # 3. Padding (to a fixed length or a multiple; "longest" is the batch's business).
        if self.padding is not None:
            pad_encodings([final], self.padding)
        return final

    def encode_batch(
        self,
        inputs: Sequence[str | tuple[str, str]],
        add_special_tokens: bool = True,
        *,
        allowed_special: SpecialPolicy | None = None,
        disallowed_special: SpecialPolicy | None = None,
    ) -> list[Encoding]:
        """Encode several inputs (texts or pairs), padded together."""
        out = []
        for item in inputs:
            text, pair = (item, None) if isinstance(item, str) else item
            out.append(
                self.encode(
                    text,
                    pair,
                    add_special_tokens,
                    allowed_special=allowed_special,
                    disallowed_special=disallowed_special,
                )
            )
        if self.padding is not None:
            pad_encodings(out, self.padding)
        return out

    # ------------------------------------------------------------------------------ decoding

    def decode(self, ids: Iterable[int], skip_special_tokens: bool = True) -> str:
        """Ids back to text. Unknown ids are skipped (as HF does); special tokens too when
        ``skip_special_tokens``."""
        tokens: list[str] = []
        for id in ids:
            token = self.id_to_token(id)
            if token is None:
                continue
            if skip_special_tokens and self.added_vocabulary.is_special(token):
                continue
            tokens.append(token)
        if self.decoder is None:
            return " ".join(tokens)
        return self.decoder.decode(tokens)

    def decode_batch(
        self, batch: Iterable[Iterable[int]], skip_special_tokens: bool = True
    ) -> list[str]:
        return [self.decode(ids, skip_special_tokens) for ids in batch]

    def decode_stream(self, skip_special_tokens: bool = True) -> DecodeStream:
        """A :class:`~.decoders.DecodeStream` over this tokenizer's :meth:`decode`."""
        return DecodeStream(lambda ids: self.decode(ids, skip_special_tokens))


# ---------------------------------------------------------------------------------- files


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise SubwordxFileNotFoundError(2, f"{path}: no such file", str(path)) from None
    except OSError as e:
        raise SubwordxIOError(e.errno, f"{path}: {e.strerror}", str(path)) from None


def load_hf(path: str | os.PathLike[str]) -> PipelineTokenizer:
    """Read an HF ``tokenizer.json`` file.

    Raises:
        SubwordxFileNotFoundError: no such file.
        ModelFormatError: not JSON, or not a tokenizer this pipeline runs (named).
    """
    data = _read_bytes(path)
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelFormatError(f"{path}: corrupt or truncated JSON ({e})") from None
    return PipelineTokenizer.from_hf(doc, str(path))


def load_tiktoken(
    path: str | os.PathLike[str],
    pattern: str | None = None,
    special_tokens: dict[str, int] | None = None,
) -> PipelineTokenizer:
    """Read a tiktoken ``.tiktoken`` rank file (see :meth:`PipelineTokenizer.from_tiktoken`)."""
    return PipelineTokenizer.from_tiktoken(path, pattern, special_tokens)
