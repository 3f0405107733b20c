"""The Python backend of :class:`subwordx.Tokenizer`: the reference pipeline behind the same
interface as the compiled core's ``subwordx._core.Tokenizer`` (``SUBWORDX_BACKEND=python``).

Only conversions live here: every rule is in :mod:`subwordx.reference.pipeline`. Files are read
and written in the same formats as the Rust core (the subwordx format's version 2 wraps an HF
``tokenizer.json`` document), so either backend loads what the other saved.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from subwordx.errors import ConfigError, ModelFormatError
from subwordx.reference import wordpiece
from subwordx.reference.pipeline import PipelineTokenizer
from subwordx.reference.pipeline.added_tokens import AddedVocabulary
from subwordx.reference.pipeline.bpe_model import RankedBPE
from subwordx.reference.pipeline.encoding import Encoding, PaddingParams, TruncationParams
from subwordx.reference.pipeline.pre_tokenizers import BYTES_TO_UNICODE
from subwordx.reference.pipeline.unigram_model import Unigram
from subwordx.reference.pipeline.wordpiece_model import (
    WordPiece,
    infer_lowercase,
    read_vocab_txt,
    write_vocab_txt,
)

_UNICODE_TO_BYTE = {c: b for b, c in BYTES_TO_UNICODE.items()}

# ids, type ids, offsets, special mask, attention mask, word ids, sequence ids, overflowing
Detailed = tuple[Any, ...]


def _detailed(enc: Encoding) -> Detailed:
    return (
        list(enc.ids),
        list(enc.type_ids),
        [list(o) for o in enc.offsets],
        list(enc.special_tokens_mask),
        list(enc.attention_mask),
        [-1 if w is None else w for w in enc.word_ids],
        [-1 if s is None else s for s in enc.sequence_ids],
        [_detailed(o) for o in enc.overflowing],
    )


def _dumps(doc: Any) -> str:
    """JSON as the Rust core writes it: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ReferenceBackend:
    """A :class:`PipelineTokenizer` with the compiled core's method names and return shapes."""

    def __init__(self, tok: PipelineTokenizer) -> None:
        self.tok = tok

    # ------------------------------------------------------------------------------ loading
    @staticmethod
    def from_hf_json(data: str, source: str = "<tokenizer.json>") -> ReferenceBackend:
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as e:
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: not valid JSON: {e}"
            ) from None
        if not isinstance(doc, dict) or "model" not in doc:
            raise ModelFormatError(f'{source}: corrupt or unsupported model file: no "model" key')
        return ReferenceBackend(PipelineTokenizer.from_hf(doc, source))

    @staticmethod
    def from_native_json(data: str) -> ReferenceBackend:
        source = "<subwordx json>"
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as e:
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: not valid JSON: {e}"
            ) from None
        version = doc.get("version") if isinstance(doc, dict) else None
        if version == 1:
            from subwordx.reference.tokenizer import ReferenceTokenizer

            old = ReferenceTokenizer.from_native_json(data)
            return ReferenceBackend.from_hf_json(old.to_hf_json(), source)
        if version != 2:
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: unsupported version {version!r} "
                "(this build reads versions 1 and 2)"
            )
        if doc.get("model") not in ("bpe", "wordpiece", "unigram"):
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: unsupported model type "
                f"{doc.get('model')!r}"
            )
        inner = doc.get("tokenizer")
        if not isinstance(inner, dict):
            raise ModelFormatError(f"{source}: corrupt or unsupported model file: no tokenizer")
        if doc.get("merges_from_ranks"):
            return ReferenceBackend(PipelineTokenizer.from_hf_ranks(inner, source))
        if doc.get("merges_by_result") and isinstance(inner.get("model"), dict):
            inner["model"]["merges_by_result"] = True
        tok = PipelineTokenizer.from_hf(inner, source)
        if doc.get("added_tokens_as_written"):
            tok = _added_tokens_as_written(tok)
        backend = ReferenceBackend(tok)
        if backend.model_kind() != doc.get("model"):
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: the file says model "
                f"{doc.get('model')!r} but its document holds a {backend.model_kind()!r} model"
            )
        return backend

    @staticmethod
    def from_vocab_merges(vocab_json: str, merges_txt: str) -> ReferenceBackend:
        from subwordx.reference.tokenizer import ReferenceTokenizer

        old = ReferenceTokenizer.from_vocab_merges(vocab_json, merges_txt)
        return ReferenceBackend.from_hf_json(old.to_hf_json(), "<vocab.json + merges.txt>")

    @staticmethod
    def from_vocab_txt(
        text: str, lowercase: bool | None = None, source: str = "<vocab.txt>"
    ) -> ReferenceBackend:
        """BERT's pipeline around a ``vocab.txt`` (docs/wordpiece.md §4–5), as HF's
        ``BertWordPieceTokenizer`` builds it: ``[UNK]``, ``##``, 100 chars a word; each of
        ``[PAD] [UNK] [CLS] [SEP] [MASK]`` in the vocabulary is a special token; ``[CLS] A [SEP]``
        when both are there. ``lowercase=None``: true unless a token outside ``[...]`` holds an
        uppercase letter."""
        vocab = read_vocab_txt(text)
        if lowercase is None:
            lowercase = infer_lowercase(vocab)
        if "[UNK]" not in vocab:
            raise ModelFormatError(f"{source}: the unknown token '[UNK]' is not in the vocabulary")
        specials = [t for t in wordpiece.DEFAULT_SPECIAL_TOKENS if t in vocab]
        doc = wordpiece.bert_document(vocab, special_tokens=specials, lowercase=lowercase)
        return ReferenceBackend(PipelineTokenizer.from_hf(doc, source))

    @staticmethod
    def from_tiktoken(
        data: bytes,
        name: str,
        source: str,
        pattern: str | None,
        special_tokens: list[tuple[str, int]] | None,
    ) -> ReferenceBackend:
        specials = None if special_tokens is None else dict(special_tokens)
        return ReferenceBackend(
            PipelineTokenizer.from_tiktoken_data(data, name, source, pattern, specials)
        )

    # ------------------------------------------------------------------------------ encoding
    def _configured(self, split: bool) -> PipelineTokenizer:
        return replace(self.tok, encode_special_tokens=True) if split else self.tok

    def _allowed(self, allowed: list[int] | None) -> set[str] | None:
        if allowed is None:
            return None
        return {c for c, i, special in self.added_tokens() if special and i in allowed}

    def _encode(
        self, text: str, pair: str | None, add: bool, split: bool, allowed: list[int] | None
    ) -> Encoding:
        tok = self._configured(split)
        names = self._allowed(allowed)
        if names is None:
            return tok.encode(text, pair, add)
        return tok.encode(text, pair, add, allowed_special=names, disallowed_special=())

    def encode(
        self,
        text: str,
        pair: str | None = None,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
    ) -> Detailed:
        return _detailed(
            self._encode(text, pair, add_special_tokens, split_special_tokens, allowed_special)
        )

    def encode_nbest(
        self, text: str, n: int, add_special_tokens: bool = True
    ) -> list[tuple[Detailed, float]]:
        from subwordx.reference.pipeline import sampling

        tok = self._configured(False)
        return [
            (_detailed(e), s) for e, s in sampling.encode_nbest(tok, text, n, add_special_tokens)
        ]

    def encode_sample(
        self,
        text: str,
        alpha: float,
        nbest_size: int,
        dropout: float | None,
        seed: int,
        add_special_tokens: bool = True,
    ) -> Detailed:
        from subwordx.reference.pipeline import sampling

        tok = self._configured(False)
        enc = sampling.encode_sample(
            tok, text, alpha, nbest_size, dropout, seed, add_special_tokens
        )
        return _detailed(enc)

    def encode_ids(
        self,
        text: str,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
    ) -> list[int]:
        enc = self._encode(text, None, add_special_tokens, split_special_tokens, allowed_special)
        return list(enc.ids)

    def encode_batch(
        self,
        texts: list[str],
        pairs: list[str] | None,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: list[int] | None,
        threads: int,
    ) -> list[Detailed]:
        unpadded = ReferenceBackend(replace(self.tok, padding=None))
        encodings = [
            unpadded._encode(
                t,
                None if pairs is None else pairs[i],
                add_special_tokens,
                split_special_tokens,
                allowed_special,
            )
            for i, t in enumerate(texts)
        ]
        if self.tok.padding is not None:
            from subwordx.reference.pipeline.encoding import pad_encodings

            pad_encodings(encodings, self.tok.padding)
        return [_detailed(e) for e in encodings]

    def encode_batch_ids(
        self,
        texts: list[str],
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: list[int] | None,
        threads: int,
    ) -> list[list[int]]:
        return [
            d[0]
            for d in self.encode_batch(
                texts, None, add_special_tokens, split_special_tokens, allowed_special, threads
            )
        ]

    def encode_batch_flat(
        self,
        texts: list[str],
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: list[int] | None,
        threads: int,
    ) -> tuple[list[int], list[int]]:
        per_text = self.encode_batch_ids(
            texts, add_special_tokens, split_special_tokens, allowed_special, threads
        )
        starts = [0]
        flat: list[int] = []
        for ids in per_text:
            flat.extend(ids)
            starts.append(len(flat))
        return flat, starts

    def find_disallowed_special(self, text: str, allowed: list[int]) -> str | None:
        for content, id, special in self.added_tokens():
            if special and content and id not in allowed and content in text:
                return content
        return None

    # ------------------------------------------------------------------------------ decoding
    def _check_ids(self, ids: list[int]) -> None:
        size = self.vocab_size()
        for i in ids:
            if self.tok.id_to_token(i) is None:
                raise ConfigError(f"unknown token id {i} (vocabulary size {size})")

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        self._check_ids(ids)
        return self.tok.decode(ids, skip_special_tokens)

    def decode_bytes(self, ids: list[int], skip_special_tokens: bool = True) -> bytes:
        self._check_ids(ids)
        if "ByteLevel" not in json.dumps(self.tok.to_hf().get("pre_tokenizer")):
            return self.decode(ids, skip_special_tokens).encode("utf-8")
        specials = {i for _, i, special in self.added_tokens() if special}
        out = bytearray()
        for i in ids:
            token = self.tok.id_to_token(i) or ""
            if i in specials:
                if not skip_special_tokens:
                    out += token.encode("utf-8")
                continue
            if all(c in _UNICODE_TO_BYTE for c in token):
                out += bytes(_UNICODE_TO_BYTE[c] for c in token)
            else:
                out += token.encode("utf-8")
        return bytes(out)

    # ------------------------------------------------------------------------------ vocabulary
    def vocab_size(self) -> int:
        return self.tok.vocab_size()

    def get_vocab(self) -> dict[str, int]:
        return self.tok.get_vocab()

    def merges(self) -> list[tuple[str, str]]:
        model: Any = self.tok.model
        if isinstance(model, RankedBPE):
            return model.merges()
        if isinstance(model, (WordPiece, Unigram)):
            return []  # WordPiece and Unigram keep no merges: the vocabulary is the whole model
        return [tuple(m) for m in model.to_json().get("merges", [])]

    def model_kind(self) -> str:
        if isinstance(self.tok.model, Unigram):
            return "unigram"
        return "wordpiece" if isinstance(self.tok.model, WordPiece) else "bpe"

    def added_tokens(self) -> list[tuple[str, int, bool]]:
        vocab = self.tok.added_vocabulary
        return [(vocab.tokens[i].content, i, vocab.tokens[i].special) for i in vocab.order]

    def stripping_added_ids(self) -> list[tuple[int, bool]]:
        tokens = self.tok.added_vocabulary.tokens
        return [(i, t.normalized) for i, t in tokens.items() if t.lstrip or t.rstrip]

    def token_to_id(self, token: str) -> int | None:
        return self.tok.token_to_id(token)

    def id_to_token(self, id: int) -> str | None:
        return self.tok.id_to_token(id)

    # ------------------------------------------------------------------------------ files
    def to_hf_json(self) -> str:
        return json.dumps(self.tok.to_hf(), ensure_ascii=False, indent=2)

    def to_native_json(self) -> str:
        doc = self.tok.to_hf()
        from_ranks = isinstance(self.tok.model, RankedBPE)
        if from_ranks:
            doc["model"]["merges"] = []
        file: dict[str, Any] = {
            "format": "subwordx",
            "version": 2,
            "model": self.model_kind(),
            "merges_from_ranks": from_ranks,
            "tokenizer": doc,
        }
        # The subwordx format keeps SentencePiece's merge rule beside the HF document, as Rust.
        if isinstance(doc.get("model"), dict) and doc["model"].pop("merges_by_result", False):
            file["merges_by_result"] = True
        added = self.tok.added_vocabulary
        if added.as_written and added.tokens:
            file["added_tokens_as_written"] = True
        return _dumps(file)

    @staticmethod
    def from_sentencepiece(data: bytes, source: str = "<.model>") -> ReferenceBackend:
        from subwordx.reference.sentencepiece import ModelProto, hf_document

        doc = hf_document(ModelProto.parse(data, source), source)
        tok = PipelineTokenizer.from_hf(doc, source)
        return ReferenceBackend(_added_tokens_as_written(tok))

    def to_sentencepiece(self) -> bytes:
        from subwordx.reference.sentencepiece import model_proto_of

        return model_proto_of(self.tok.to_hf()).to_bytes()

    def normalize_str(self, text: str) -> str:
        n = self.tok.normalizer
        return text if n is None else n.normalize_str(text)

    def to_vocab_merges(self) -> tuple[str, str]:
        if isinstance(self.tok.model, WordPiece):
            raise ConfigError(
                "vocab.json + merges.txt is a BPE format; save WordPiece as vocab.txt"
            )
        from subwordx.reference.tokenizer import ReferenceTokenizer

        return ReferenceTokenizer.from_hf_json(self.to_hf_json()).to_vocab_merges()

    def to_vocab_txt(self) -> str:
        """BERT's ``vocab.txt``: the model's tokens in id order, one per line.

        Raises:
            ConfigError: the model is not WordPiece, a token holds a line break, or the ids have
                a gap.
        """
        model = self.tok.model
        if not isinstance(model, WordPiece):
            raise ConfigError(
                f"vocab.txt holds a WordPiece vocabulary; this tokenizer's model is "
                f"{self.model_kind()!r}"
            )
        return write_vocab_txt(model.get_vocab())

    def to_tiktoken(self) -> str:
        return self.tok.to_tiktoken_bytes().decode("ascii")

    def with_truncation_padding(
        self, truncation: str | None, padding: str | None
    ) -> ReferenceBackend:
        t = None if truncation is None else TruncationParams.from_json(json.loads(truncation))
        p = None if padding is None else PaddingParams.from_json(json.loads(padding))
        stream = self.tok.dropout_stream
        # A copy's dropout stream goes on from here on its own, as the Rust core's clone does.
        return ReferenceBackend(
            replace(
                self.tok,
                truncation=t,
                padding=p,
                dropout_stream=None if stream is None else stream.copy(),
            )
        )

    def with_dropout(self, p: float | None, seed: int = 0) -> ReferenceBackend:
        if p is not None and not 0.0 <= p <= 1.0:
            raise ConfigError(f"dropout must be in [0, 1], got {p}")
        return ReferenceBackend(self.tok.with_dropout(p, seed))

    def dropout(self) -> float | None:
        return getattr(self.tok.model, "dropout", None)


def _added_tokens_as_written(tok: PipelineTokenizer) -> PipelineTokenizer:
    """``tok`` with its normalized added tokens matched as written in the normalized text.

    SentencePiece matches a user-defined symbol so; HF (and so ``from_hf``) would match the
    symbol's own normalized form ("▁<sep>" once a dummy prefix is prepended to it). The
    subwordx format records the choice (``added_tokens_as_written``), as the Rust core does.
    """
    added = tok.added_vocabulary
    as_written = AddedVocabulary(
        [(added.tokens[id], id) for id in added.order], None, as_written=True
    )
    return replace(tok, added_vocabulary=as_written)
