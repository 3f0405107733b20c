"""Phrase detection: join collocations such as ``new york`` into ``new_york`` before training.

Scores follow ``docs/word2vec.md``: ``default`` is word2phrase's
``(count(ab) - min_count) / (count(a) * count(b)) * total_words`` and ``npmi`` is normalized
pointwise mutual information. Each pass learns on the output of the previous one, so two passes
build trigrams (``new_york_times``).

Example:
    >>> from subwordx.phrases import Phrases
    >>> s = [["in", "hong", "kong"], ["hong", "kong", "is"], ["in", "it"], ["it", "is"]] * 5
    >>> Phrases.learn(s, min_count=3, threshold=2.0).apply(["in", "hong", "kong"])
    ['in', 'hong_kong']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Union

from subwordx import _backend
from subwordx.errors import ConfigError

PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[str, int, int, str], None]
Scoring = Literal["default", "npmi"]

#: Most learning passes (each pass joins one more word: 2 make trigrams).
MAX_PASSES = 100


class Phrases:
    """A learned phrase table (one per pass). Build it with :meth:`Phrases.learn`."""

    def __init__(self, passes: list[Any], delimiter: str, rust: bool) -> None:
        self._passes = passes
        self.delimiter = delimiter
        self._rust = rust

    @classmethod
    def learn(
        cls,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: PathLike | Sequence[PathLike] | None = None,
        min_count: int = 5,
        threshold: float | None = None,
        scoring: Scoring = "default",
        delimiter: str = "_",
        passes: int = 1,
        errors: Literal["strict", "replace"] = "strict",
        threads: int = 0,
        progress: ProgressCallback | None = None,
        backend: str | None = None,
    ) -> Phrases:
        """Learns phrases from sentences (lists of words) or text files.

        Args:
            min_count: a bigram must occur at least this often.
            threshold: minimum score (exclusive); None: 10 for ``default``, 0.5 for ``npmi``.
            scoring: ``"default"`` (word2phrase) or ``"npmi"``.
            delimiter: joins the words of a phrase.
            passes: learning passes (2 makes trigrams).
        """
        if (sentences is None) == (corpus_file is None):
            raise ConfigError("give exactly one corpus: sentences=... or corpus_file=...")
        if scoring not in ("default", "npmi"):
            raise ConfigError(f"scoring must be 'default' or 'npmi', got {scoring!r}")
        from subwordx.word2vec import MAX_THREADS, MAX_U64, _check_int

        _check_int("passes", passes, 1, MAX_PASSES)
        _check_int("min_count", min_count, 1, MAX_U64)
        _check_int("threads", threads, 0, MAX_THREADS)
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or threshold != threshold
        ):
            raise ConfigError(f"threshold must be a number, got {threshold!r}")
        if not isinstance(delimiter, str):
            raise ConfigError(f"delimiter must be a string, got {delimiter!r}")
        if errors not in ("strict", "replace"):
            raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
        rust = _backend.use_rust(backend)
        if not rust:
            from subwordx.reference.phrases import learn_phrases
            from subwordx.word2vec import _as_paths, _read_sentences

            corpus = (
                [list(s) for s in sentences]
                if sentences is not None
                else list(_read_sentences(_as_paths(corpus_file or []), errors))
            )
            ref = learn_phrases(corpus, min_count, threshold, scoring, delimiter, passes)
            return cls([ref], delimiter, rust=False)
        core = _backend.core().PhrasesModel
        kw = {"min_count": min_count, "threshold": threshold, "scoring": scoring}
        tables: list[Any] = []
        if sentences is not None:
            corpus = [list(s) for s in sentences]
            for _ in range(passes):
                table = core.learn_sentences(corpus, delimiter=delimiter, **kw)
                tables.append(table)
                corpus = [table.apply(s) for s in corpus]
            return cls(tables, delimiter, rust=True)
        from subwordx.word2vec import _as_paths

        paths = _as_paths(corpus_file or [])
        with tempfile.TemporaryDirectory(prefix="subwordx-phrases-") as tmp:
            current = paths
            for k in range(passes):
                table = core.learn_files(
                    current,
                    delimiter=delimiter,
                    errors=errors,
                    threads=threads or 1,
                    progress=progress,
                    **kw,
                )
                tables.append(table)
                if k + 1 < passes:
                    nxt = []
                    for i, path in enumerate(current):
                        out = os.path.join(tmp, f"pass{k}-{i}.txt")
                        table.apply_file(path, out, errors=errors, progress=progress)
                        nxt.append(out)
                    current = nxt
        return cls(tables, delimiter, rust=True)

    def apply(self, sentence: Sequence[str]) -> list[str]:
        """Joins the phrases of one sentence (every pass in order)."""
        words = list(sentence)
        if not self._rust:
            return list(self._passes[0].apply(words))
        for table in self._passes:
            words = list(table.apply(words))
        return words

    def apply_files(
        self,
        inputs: PathLike | Sequence[PathLike],
        output: PathLike,
        *,
        errors: Literal["strict", "replace"] = "strict",
        progress: ProgressCallback | None = None,
    ) -> None:
        """Writes the inputs with phrases joined (a line per input line) to ``output``,
        atomically."""
        from subwordx._atomic import atomic_open, atomic_write
        from subwordx.word2vec import _as_paths, _read_sentences

        paths = _as_paths(inputs)
        if not self._rust:
            lines = (" ".join(self.apply(s)) + "\n" for s in _read_sentences(paths, errors))
            atomic_write(output, "".join(lines))
            return
        with tempfile.TemporaryDirectory(prefix="subwordx-phrases-") as tmp:
            finals = []
            for i, path in enumerate(paths):
                current = os.fspath(path)
                for k, table in enumerate(self._passes):
                    out = os.path.join(tmp, f"{i}-{k}.txt")
                    table.apply_file(current, out, errors=errors, progress=progress)
                    current = out
                finals.append(current)
            joined = os.path.join(tmp, "joined.txt")
            with open(joined, "wb") as dst:
                for f in finals:
                    with open(f, "rb") as src:
                        shutil.copyfileobj(src, dst)
            with atomic_open(output) as dst, open(joined, "rb") as src:
                shutil.copyfileobj(src, dst)

    def export(self) -> list[tuple[str, str, float]]:
        """Every phrase ``(a, b, score)`` of every pass, best first within a pass."""
        if not self._rust:
            rows: list[tuple[str, str, float]] = []
            for table in self._passes[0].passes:
                rows += sorted(((a, b, s) for (a, b), s in table.items()), key=lambda r: -r[2])
            return rows
        return [(a, b, float(score)) for table in self._passes for a, b, score in table.export()]

    def __len__(self) -> int:
        if not self._rust:
            return sum(len(t) for t in self._passes[0].passes)
        return sum(len(t) for t in self._passes)
