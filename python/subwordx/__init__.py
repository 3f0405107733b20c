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

from importlib import resources as _resources
from pathlib import Path

from subwordx import errors
from subwordx.embeddings import KeyedVectors
from subwordx.errors import (
    ConfigError,
    CorpusError,
    EmptyCorpusError,
    InvalidUtf8Error,
    ModelFormatError,
    SubwordxError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
    VocabSizeTooSmallError,
)
from subwordx.phrases import Phrases
from subwordx.tokenizer import Encoding, Tokenizer, train_bpe
from subwordx.word2vec import Word2Vec

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("subwordx")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"


def embedded_corpus() -> Path:
    """Path of the small public-domain corpus shipped with subwordx ("Botchan", English, 279 KB)."""
    return Path(str(_resources.files("subwordx") / "data" / "botchan.txt"))


__all__ = [
    "ConfigError",
    "CorpusError",
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
    "VocabSizeTooSmallError",
    "Word2Vec",
    "__version__",
    "embedded_corpus",
    "errors",
    "train_bpe",
]
