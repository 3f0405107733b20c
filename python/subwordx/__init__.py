"""subwordx: fast subword tokenizers and word embeddings with a Rust core.

Quick start::

    import subwordx
    tok = subwordx.train_bpe("corpus.txt", vocab_size=8000)     # classic BPE with </w>
    enc = tok.encode("Hello world")
    enc.ids, enc.tokens, enc.offsets
    tok.save("tokenizer.json")                                  # loads in HF tokenizers too
    bert = subwordx.train_wordpiece("corpus.txt", vocab_size=30000)  # likelihood-scored WordPiece
    t5 = subwordx.train_unigram("corpus.txt", vocab_size=8000)  # SentencePiece's Unigram LM
    counts = subwordx.WordCounts.from_files(["a.txt", "b.txt"])   # count anywhere, add up (+)
    tok = subwordx.train_bpe(word_counts=counts, vocab_size=8000)   # subwordx.dask: on a cluster

    model = subwordx.Word2Vec(corpus_file="text8.txt", model="skipgram", threads=0)
    model.wv.most_similar("king")
    ft = subwordx.FastText(corpus_file="text8.txt", model="skipgram")   # .bin as fastText's
    ft.wv["unseenword"]; ft.save("model.bin")
    clf = subwordx.train_supervised(input="train.txt", wordNgrams=2)    # fastText's classifier
    clf.predict("some text", k=3); clf.test("test.txt").precision; clf.save("clf.bin")

The Rust core serves every call when it is installed; ``SUBWORDX_BACKEND=python`` switches to the
pure-Python reference implementations (slow, readable, and exactly equivalent).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from subwordx import _backend, errors
from subwordx.embeddings import KeyedVectors
from subwordx.errors import (
    ConfigError,
    CorpusError,
    CountSettingsMismatchError,
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
from subwordx.fasttext import FastText
from subwordx.fasttext_classifier import FastTextClassifier, train_supervised
from subwordx.glove import GloVe, cooccurrence_matrix
from subwordx.phrases import Phrases
from subwordx.tokenizer import DecodeStream, Encoding, Tokenizer, load_sentencepiece, train_bpe
from subwordx.unigram import train_unigram
from subwordx.word2vec import Word2Vec
from subwordx.word_counts import CountSettings, WordCounts
from subwordx.wordpiece import train_wordpiece

if TYPE_CHECKING:
    from subwordx.visualize.compare import ComparisonReport, compare_tokenizers

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


def __getattr__(name: str) -> Any:
    # The comparison report loads on first use, so `import subwordx` (and every CLI call) does
    # not pay for the visualize package.
    if name in ("compare_tokenizers", "ComparisonReport"):
        from subwordx.visualize import compare

        return getattr(compare, name)
    raise AttributeError(f"module 'subwordx' has no attribute {name!r}")


def embedded_corpus() -> Path:
    """Path of the small public-domain corpus shipped with subwordx ("Botchan", English, 279 KB)."""
    return Path(__file__).resolve().parent / "data" / "botchan.txt"


__all__ = [
    "ComparisonReport",
    "ConfigError",
    "CorpusError",
    "CountSettings",
    "CountSettingsMismatchError",
    "DecodeStream",
    "DisallowedSpecialTokenError",
    "EmptyCorpusError",
    "Encoding",
    "FastText",
    "FastTextClassifier",
    "GloVe",
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
    "WordCounts",
    "__version__",
    "compare_tokenizers",
    "cooccurrence_matrix",
    "embedded_corpus",
    "errors",
    "load_sentencepiece",
    "train_bpe",
    "train_supervised",
    "train_unigram",
    "train_wordpiece",
]
