"""Pure-Python reference implementations: readable, slow, and exact.

Each model here follows its definition in ``docs/`` literally. They are the oracle the Rust core is
tested against bit for bit, and the backend used when the compiled core is missing
(``SUBWORDX_BACKEND=python``).

BPE (``docs/bpe.md``):

* :mod:`.normalize` - NFC/NFKC, lowercase, strip accents, with a map back to the original chars.
* :mod:`.pretokenize` - ``whitespace``, ``bert``, and the byte-level ``gpt2``/``cl100k``/``o200k``
  splits; the GPT-2 byte-to-char table.
* :mod:`.bpe` - word counting, training (merge the most frequent pair), encoding a word by rank.
* :mod:`.tokenizer` - :class:`ReferenceTokenizer`: encode with offsets, decode, file formats.
"""

from subwordx.reference.bpe import count_words, encode_word, initial_symbols, train
from subwordx.reference.normalize import Normalizer
from subwordx.reference.pretokenize import BYTES_TO_UNICODE, UNICODE_TO_BYTES, pre_tokenize
from subwordx.reference.tokenizer import ReferenceTokenizer

__all__ = [
    "BYTES_TO_UNICODE",
    "UNICODE_TO_BYTES",
    "Normalizer",
    "ReferenceTokenizer",
    "count_words",
    "encode_word",
    "initial_symbols",
    "pre_tokenize",
    "train",
]
