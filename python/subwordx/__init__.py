"""subwordx: fast subword tokenizers and word embeddings with a Rust core.

Quick start::

    import subwordx
    tok = subwordx.train_bpe("corpus.txt", vocab_size=8000)     # classic BPE with </w>
    enc = tok.encode("Hello world")
    enc.ids, enc.tokens, enc.offsets
    tok.save("tokenizer.json")                                  # loads in HF tokenizers too

    model = subwordx.Word2Vec(corpus_file="text8.txt", model="skipgram", threads=0)
    model.wv.most_similar("king")

The Rust core serves every call when it is installed; ``SUBWORDX_BACKEND=python`` switches to the
pure-Python reference implementations (slow, readable, and exactly equivalent).
"""

from __future__ import annotations

from pathlib import Path

from subwordx import _backend, errors
from subwordx.embeddings import KeyedVectors
from subwordx.errors import (
    ConfigError,
    CorpusError,
    DisallowedSpecialTokenError,
    EmptyCorpusError,
    InvalidUtf8Error,
    ModelFormatError,
    SubwordxError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
    UnknownModelError,
    UnknownTokenError,
    VocabSizeTooSmallError,
)
from subwordx.phrases import Phrases
from subwordx.tokenizer import DecodeStream, Encoding, Tokenizer, train_bpe
from subwordx.word2vec import Word2Vec

# The version the wheel was built with (maturin takes it from Cargo.toml). Read from the compiled
# core rather than through importlib.metadata, which costs a CLI call ~10 ms of start-up.
if _backend._core is not None:
    __version__: str = _backend._core.__version__
else:  # pragma: no cover - a source tree without the compiled core
    try:
        from importlib.metadata import version as _version

        __version__ = _version("subwordx")
    except Exception:
        __version__ = "unknown"


def embedded_corpus() -> Path:
    """Path of the small public-domain corpus shipped with subwordx ("Botchan", English, 279 KB)."""
    return Path(__file__).resolve().parent / "data" / "botchan.txt"


__all__ = [
    "ConfigError",
    "CorpusError",
    "DecodeStream",
    "DisallowedSpecialTokenError",
    "EmptyCorpusError",
    "Encoding",
    "InvalidUtf8Error",
    "KeyedVectors",
    "ModelFormatError",
    "Phrases",
    "SubwordxError",
    "SubwordxFileNotFoundError",
    "SubwordxIOError",
    "Tokenizer",
    "UnknownModelError",
    "UnknownTokenError",
    "VocabSizeTooSmallError",
    "Word2Vec",
    "__version__",
    "embedded_corpus",
    "errors",
    "train_bpe",
]
