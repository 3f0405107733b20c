"""Phrase detection (word2phrase), written to be read: the reference of ``docs/word2vec.md``.

Some word pairs mean more together than apart: *new york*, *prime minister*. Mikolov et al. (2013,
"Distributed Representations of Words and Phrases") find them from counts alone: a bigram ``a b`` is
a phrase when it occurs much more often than the two words' frequencies predict. Joining such pairs
into one token (``new_york``) before training word2vec gives the phrase its own vector.

Scores (``N`` = number of words in the corpus, ``train_words``):

* ``default`` (word2phrase.c): ``(count(ab) - min_count) / (count(a) * count(b)) * N``. Subtracting
  ``min_count`` discounts rare pairs. *Difference from gensim*: gensim's ``original_scorer``
  multiplies by ``len(vocab)`` (the number of distinct unigrams *and* bigrams it counted) instead
  of ``N``; we follow word2phrase.c, so our default scores are gensim's times ``N / len(vocab)``.
* ``npmi``: normalized pointwise mutual information (Bouma 2009),
  ``ln(p(ab) / (p(a) p(b))) / -ln p(ab)`` with ``p(x) = count(x) / N``, in ``[-1, 1]``; identical
  to gensim's ``npmi_scorer``.

A bigram is a phrase when ``count(ab) >= min_count`` and its score is strictly above
``threshold`` (default 10 for ``default``, 0.5 for ``npmi``). Applying phrases scans a sentence left
to right: when the current and the next word form a phrase, it emits ``a_b`` and skips both.
Several passes (``passes=2``) find longer phrases: each pass learns on the previous pass's output.

Example:
    >>> sents = [["new", "york", "is", "big"], ["i", "love", "new", "york"]] * 10
    >>> p = learn_phrases(sents, min_count=5, threshold=1.0)
    >>> p.apply(["in", "new", "york", "now"])
    ['in', 'new_york', 'now']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from subwordx.errors import ConfigError

__all__ = ["Phrases", "learn_phrases", "score_bigram"]

Scoring = Literal["default", "npmi"]


def score_bigram(
    count_a: int,
    count_b: int,
    count_ab: int,
    train_words: int,
    min_count: int,
    scoring: Scoring = "default",
) -> float:
    """The score of bigram ``a b`` (see the module docstring for the formulas).

    Example:
        >>> score_bigram(10, 10, 8, 1000, 5)
        30.0
        >>> round(score_bigram(10, 10, 10, 1000, 5, "npmi"), 6)
        1.0
    """
    if scoring == "default":
        return (count_ab - min_count) / (count_a * count_b) * train_words
    if scoring == "npmi":
        n = float(train_words)
        pa, pb, pab = count_a / n, count_b / n, count_ab / n
        if pab >= 1.0:
            return 1.0
        return math.log(pab / (pa * pb)) / -math.log(pab)
    raise ConfigError(f"unknown phrase scoring {scoring!r}; use 'default' or 'npmi'")


@dataclass
class Phrases:
    """Learned phrases: one table per pass, mapping ``(a, b)`` to its score.

    Attributes:
        passes: for each pass, the bigrams that became phrases and their scores.
        delimiter: the string joining the two words of a phrase.
    """

    passes: list[dict[tuple[str, str], float]] = field(default_factory=list)
    delimiter: str = "_"

    def apply(self, sentence: Sequence[str]) -> list[str]:
        """Join the phrases of ``sentence``, pass after pass.

        Example:
            >>> Phrases([{("a", "b"): 20.0}]).apply(["a", "b", "b", "a", "b"])
            ['a_b', 'b', 'a_b']
        """
        words = list(sentence)
        for table in self.passes:
            words = self._apply_pass(words, table)
        return words

    def _apply_pass(self, words: list[str], table: dict[tuple[str, str], float]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            if i + 1 < len(words) and (words[i], words[i + 1]) in table:
                out.append(words[i] + self.delimiter + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out

    def __len__(self) -> int:
        return sum(len(t) for t in self.passes)


def learn_phrases(
    sentences: Sequence[Sequence[str]],
    min_count: int = 5,
    threshold: float | None = None,
    scoring: Scoring = "default",
    delimiter: str = "_",
    passes: int = 1,
) -> Phrases:
    """Find the phrases of a corpus.

    Args:
        sentences: tokenized sentences.
        min_count: a bigram must occur at least this often (and ``default`` subtracts it).
        threshold: minimum score, exclusive; ``None`` means 10 for ``default`` and 0.5 for ``npmi``.
        scoring: ``"default"`` (word2phrase) or ``"npmi"``.
        delimiter: joins the words of a phrase.
        passes: learning passes; pass ``k`` learns on the output of pass ``k - 1``.

    Returns:
        The learned :class:`Phrases`.

    Raises:
        ConfigError: an unknown scoring, ``min_count < 1`` or ``passes < 1``.

    Example:
        >>> s = [["in", "hong", "kong"], ["hong", "kong", "is"], ["in", "it"], ["it", "is"]] * 5
        >>> sorted(learn_phrases(s, min_count=3, threshold=2.0).passes[0])
        [('hong', 'kong')]
    """
    if scoring not in ("default", "npmi"):
        raise ConfigError(f"unknown phrase scoring {scoring!r}; use 'default' or 'npmi'")
    if min_count < 1 or passes < 1:
        raise ConfigError("min_count and passes must be >= 1")
    if threshold is None:
        threshold = 10.0 if scoring == "default" else 0.5
    result = Phrases(delimiter=delimiter)
    corpus = [list(s) for s in sentences]
    for _ in range(passes):
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for s in corpus:
            unigrams.update(s)
            bigrams.update(zip(s, s[1:], strict=False))
        train_words = sum(unigrams.values())
        table: dict[tuple[str, str], float] = {}
        for (a, b), n_ab in bigrams.items():
            if n_ab < min_count:
                continue
            score = score_bigram(unigrams[a], unigrams[b], n_ab, train_words, min_count, scoring)
            if score > threshold:
                table[(a, b)] = score
        result.passes.append(table)
        corpus = [result._apply_pass(s, table) for s in corpus]
    return result
