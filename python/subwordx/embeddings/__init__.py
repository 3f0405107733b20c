"""Word embeddings: vectors with a vocabulary, their file formats, and their evaluation.

* :class:`KeyedVectors` holds trained vectors and answers similarity queries (gensim-compatible);
  it reads and writes word2vec.c's text/binary formats and a native ``.npz`` format.
* :func:`evaluate_word_analogies` and :func:`evaluate_word_pairs` compute the standard intrinsic
  benchmarks with gensim's semantics, vectorized.

Example:
    >>> import numpy as np
    >>> from subwordx.embeddings import KeyedVectors
    >>> kv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> kv.similarity("a", "b")
    0.0
"""

from subwordx.embeddings.evaluation import (
    AnalogyResult,
    AnalogySection,
    PairResult,
    evaluate_word_analogies,
    evaluate_word_pairs,
)
from subwordx.embeddings.keyed_vectors import KeyedVectors, SavedModel

__all__ = [
    "AnalogyResult",
    "AnalogySection",
    "KeyedVectors",
    "PairResult",
    "SavedModel",
    "evaluate_word_analogies",
    "evaluate_word_pairs",
]
