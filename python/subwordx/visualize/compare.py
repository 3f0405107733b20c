"""Compare tokenizers on the same text: how many tokens each needs, per script, and how fast.

:func:`compare_tokenizers` encodes every line of a corpus as one text, without the tokens a
post-processor adds and with special-token strings in the text taken as plain text (the corpus is
data). For each tokenizer it reports (``docs/visualize.md`` has the exact definitions):

* tokens per char, per UTF-8 byte and per whitespace word ("fertility"), over the whole corpus
  and per Unicode script;
* the share of the vocabulary the corpus used (distinct ids / vocabulary size);
* the unknown-token rate (tokens equal to the model's ``<unk>`` id; 0 for byte-level models);
* encoding throughput in MB/s (10^6 bytes of UTF-8 text a second) of ``encode_batch_ids`` on
  ``threads`` threads (default 1, so machines and tokenizers compare), repeated until
  ``min_seconds`` have passed.

Attribution to scripts: each char has a script (:mod:`subwordx.visualize.scripts`: Common and
Inherited chars take their neighbours'). A token counts 1, split evenly over the chars of its
span (its offsets), and each char passes its share to its script. A whitespace word is split over
its chars the same way. So a token ``" мир"`` on a Russian line counts 1 to Cyrillic, a token
covering ``"a世"`` counts 0.5 to Latin and 0.5 to Han, two byte-level tokens that split ``世``
(same span) count 1 each to Han, and the per-script token counts add up to the total. A
zero-width token counts to the char it stands before (the last char of its line at the end).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import numpy as np
import numpy.typing as npt

from subwordx.errors import (
    ConfigError,
    EmptyCorpusError,
    InvalidUtf8Error,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)
from subwordx.visualize.model import unknown_id
from subwordx.visualize.scripts import SCRIPTS, char_scripts

if TYPE_CHECKING:
    from subwordx.tokenizer import Tokenizer

__all__ = ["ComparisonReport", "compare_tokenizers", "read_lines"]

PathLike = Union[str, "os.PathLike[str]"]
TokenizerArg = Union["Tokenizer", PathLike]
Metric = Literal["char", "byte", "word"]
_CHUNK = 4096  # lines per encode_batch call of the offsets pass (bounds the objects held)

SCRIPT_RULE = (
    "a token counts 1, split evenly over the chars of its span; each char passes its share to "
    "its Unicode script, Common and Inherited chars taking the script of the nearest scripted "
    "char before them in the line (after them at its start)"
)


class ComparisonReport(dict[str, Any]):
    """The report of :func:`compare_tokenizers`: a plain ``dict`` (JSON-ready) with views.

    Keys: ``corpus`` (``lines``, ``chars``, ``bytes``, ``words``, ``scripts``: per script
    ``chars``, ``bytes``, ``words``), ``tokenizers`` (a list, one dict per tokenizer: ``name``,
    ``vocab_size``, ``tokens``, ``tokens_per_char``, ``tokens_per_byte``, ``tokens_per_word``,
    ``vocab_used``, ``vocab_share``, ``unknown_id``, ``unknown_tokens``, ``unknown_rate``,
    ``mb_per_s``, ``threads``, ``scripts``: per script ``tokens`` and the three ratios) and
    ``script_rule``. A ratio whose denominator is 0 is None.
    """

    def table(self) -> str:
        """The report as text tables: one row per tokenizer, then one per script and tokenizer."""
        return _table(self)

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self, indent=2, ensure_ascii=False) + "\n"

    def to_dataframe(self, by: Literal["tokenizer", "script"] = "tokenizer") -> Any:
        """A pandas DataFrame: one row per tokenizer (the numbers of ``tokenizers``, ``name`` as
        column ``tokenizer``), or (``by="script"``) one per tokenizer and script, ``"all"`` first:
        ``tokenizer``, ``script``, ``chars``, ``bytes``, ``words``, ``tokens`` and the ratios.

        Raises:
            ConfigError: pandas is not installed (``pip install pandas``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise ConfigError("to_dataframe needs pandas: pip install pandas") from None
        if by == "tokenizer":
            rows = [
                {"tokenizer" if k == "name" else k: v for k, v in t.items() if k != "scripts"}
                for t in self["tokenizers"]
            ]
            return pd.DataFrame(rows)
        if by != "script":
            raise ConfigError(f"by must be 'tokenizer' or 'script', got {by!r}")
        rows = []
        corpus = self["corpus"]
        for t in self["tokenizers"]:
            every = {"script": "all", **{k: corpus[k] for k in ("chars", "bytes", "words")}}
            rows.append({"tokenizer": t["name"], **every, **_ratios(t)})
            for script, stats in t["scripts"].items():
                counts = corpus["scripts"][script]
                rows.append({"tokenizer": t["name"], "script": script, **counts, **stats})
        return pd.DataFrame(rows)

    def plot(
        self, path: PathLike, *, metric: Metric = "char", width: int = 1000, height: int = 600
    ) -> None:
        """Writes a PNG bar chart (:func:`subwordx.visualize.plot.plot_report`)."""
        from subwordx.visualize.plot import plot_report

        plot_report(self, path, metric=metric, width=width, height=height)


def _ratios(t: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("tokens", "tokens_per_char", "tokens_per_byte", "tokens_per_word")
    return {k: t[k] for k in keys}


def compare_tokenizers(
    tokenizers: Mapping[str, TokenizerArg] | Sequence[TokenizerArg],
    files: PathLike | Sequence[PathLike] | None = None,
    *,
    texts: Iterable[str] | None = None,
    threads: int = 1,
    max_lines: int | None = None,
    min_seconds: float = 0.2,
    errors: Literal["strict", "replace"] = "strict",
) -> ComparisonReport:
    """Compares tokenizers on the same corpus (see the module docs for every number).

    Args:
        tokenizers: :class:`~subwordx.Tokenizer` objects or paths of any file
            :meth:`~subwordx.Tokenizer.load` reads, as a sequence (named by file name, or
            ``tokenizer 1``, ...) or a mapping name → tokenizer.
        files: UTF-8 text files; each line (without its newline) is one text.
        texts: instead of ``files``: the texts, each encoded as one text.
        threads: threads of the timed encoding (0 = all cores).
        max_lines: use only the first lines of the corpus.
        min_seconds: the timed encoding repeats until this much time has passed.
        errors: invalid UTF-8 in a file: ``"strict"`` raises, ``"replace"`` uses U+FFFD.

    Returns:
        A :class:`ComparisonReport` (a dict; ``.table()``, ``.to_dataframe()``, ``.plot()``).

    Raises:
        ConfigError: no tokenizers, both or neither of ``files`` and ``texts``.
        EmptyCorpusError: the corpus holds no char.
        SubwordxFileNotFoundError: a missing corpus or tokenizer file.

    Example:
        >>> report = subwordx.compare_tokenizers(                    # doctest: +SKIP
        ...     ["cl100k_base.tiktoken", "o200k_base.tiktoken"], ["corpus.txt"])
        >>> print(report.table())                                     # doctest: +SKIP
    """
    named = _named_tokenizers(tokenizers)
    if (files is None) == (texts is None):
        raise ConfigError("give the corpus as files=... or texts=..., exactly one")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ConfigError(f"threads must be an integer >= 0 (0 = all cores), got {threads!r}")
    if max_lines is not None and (not isinstance(max_lines, int) or max_lines <= 0):
        raise ConfigError(f"max_lines must be a positive integer or None, got {max_lines!r}")
    if files is not None:
        paths = [files] if isinstance(files, (str, os.PathLike)) else list(files)
        if not paths:
            raise ConfigError("no corpus files given")
        lines = read_lines(paths, errors=errors, max_lines=max_lines)
    else:
        assert texts is not None
        if isinstance(texts, str):
            raise ConfigError("texts must be an iterable of strings, not one string")
        lines = []
        for t in texts:
            if not isinstance(t, str):
                raise ConfigError(f"texts must yield strings, got {type(t).__name__}")
            if max_lines is not None and len(lines) == max_lines:
                break
            lines.append(t)
    corpus = _Corpus(lines)
    if corpus.chars == 0:
        raise EmptyCorpusError("the corpus holds no text: nothing to compare on")
    report = ComparisonReport(
        corpus=corpus.summary(),
        tokenizers=[_measure(name, tok, corpus, threads, min_seconds) for name, tok in named],
        script_rule=SCRIPT_RULE,
    )
    return report


def read_lines(
    paths: Sequence[PathLike],
    *,
    errors: Literal["strict", "replace"] = "strict",
    max_lines: int | None = None,
) -> list[str]:
    """The lines of UTF-8 files, without their ``\\n``.

    Raises:
        SubwordxFileNotFoundError: a missing file.
        InvalidUtf8Error: bad bytes (``errors="strict"``), naming the file, line and byte.
    """
    if errors not in ("strict", "replace"):
        raise ConfigError(f"errors must be 'strict' or 'replace', got {errors!r}")
    lines: list[str] = []
    for path in paths:
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise SubwordxFileNotFoundError(2, f"{p}: no such file", str(p)) from None
        except IsADirectoryError:
            raise SubwordxIOError(21, f"{p}: is a directory, not a text file", str(p)) from None
        except OSError as e:
            raise SubwordxIOError(e.errno or 0, f"{p}: {e.strerror or e}", str(p)) from None
        raw_lines = data.split(b"\n")
        if raw_lines and raw_lines[-1] == b"":
            raw_lines.pop()
        offset = 0
        for number, raw in enumerate(raw_lines, 1):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                if errors == "replace":
                    lines.append(raw.decode("utf-8", errors="replace"))
                else:
                    raise InvalidUtf8Error(
                        f"{p}:{number}: invalid UTF-8 at byte {e.start} of line {number} "
                        f"(file offset {offset + e.start}); pass errors='replace' "
                        "(--errors replace) to substitute U+FFFD",
                        str(p),
                        number,
                        e.start,
                        offset + e.start,
                    ) from None
            offset += len(raw) + 1
            if max_lines is not None and len(lines) >= max_lines:
                return lines
    return lines


def _named_tokenizers(
    tokenizers: Mapping[str, TokenizerArg] | Sequence[TokenizerArg],
) -> list[tuple[str, Tokenizer]]:
    from subwordx.tokenizer import Tokenizer

    if isinstance(tokenizers, (str, os.PathLike, Tokenizer)):
        tokenizers = [tokenizers]
    if isinstance(tokenizers, Mapping):
        pairs = [(str(k), v) for k, v in tokenizers.items()]
    else:
        pairs = []
        for n, t in enumerate(tokenizers, 1):
            pairs.append((Path(t).name if not isinstance(t, Tokenizer) else f"tokenizer {n}", t))
        # Two files of the same name (two tokenizer.json) are told apart by their paths.
        names = [name for name, _ in pairs]
        pairs = [
            (str(t) if names.count(name) > 1 and not isinstance(t, Tokenizer) else name, t)
            for name, t in pairs
        ]
    if not pairs:
        raise ConfigError("no tokenizers given: compare needs at least one")
    out = []
    for name, t in pairs:
        out.append((name, t if isinstance(t, Tokenizer) else Tokenizer.load(t)))
    return out


class _Corpus:
    """The lines with what every tokenizer's count needs: each char's script, the chars' UTF-8
    sizes, and where each line starts in the concatenation of all lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        lengths = np.fromiter((len(line) for line in lines), dtype=np.int64, count=len(lines))
        self.starts = np.concatenate([[0], np.cumsum(lengths)])
        self.chars = int(self.starts[-1])
        self.scripts = (
            np.concatenate([char_scripts(line) for line in lines])
            if lines
            else np.zeros(0, np.int8)
        )
        self.bytes_per_script = np.zeros(len(SCRIPTS))
        self.bytes = 0
        for line, a, b in zip(lines, self.starts[:-1], self.starts[1:]):
            if a == b:
                continue
            points = np.frombuffer(line.encode("utf-32-le"), dtype=np.uint32)
            sizes = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
            self.bytes += int(sizes.sum())
            self.bytes_per_script += np.bincount(
                self.scripts[a:b], weights=sizes, minlength=len(SCRIPTS)
            )
        # Whitespace words, each split evenly over its chars.
        import regex

        word_spans = [
            (a + m.start(), a + m.end())
            for line, a in zip(lines, self.starts[:-1].tolist())
            for m in regex.finditer(r"\S+", line)
        ]
        self.words = len(word_spans)
        spans = np.asarray(word_spans, dtype=np.int64).reshape(-1, 2)
        self.words_per_script = self.spread(spans[:, 0], spans[:, 1])
        self.chars_per_script = np.bincount(self.scripts, minlength=len(SCRIPTS))

    def spread(self, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> Any:
        """Per script, the sum of units spread evenly over the chars ``[start, end)`` of each
        span (global char positions; every span non-empty)."""
        weights = 1.0 / (ends - starts)
        diff = np.zeros(self.chars + 1)
        np.add.at(diff, starts, weights)
        np.add.at(diff, ends, -weights)
        per_char = np.cumsum(diff[:-1])
        return np.bincount(self.scripts, weights=per_char, minlength=len(SCRIPTS))

    def order(self) -> list[int]:
        """Script indices with chars, most chars first."""
        present = [i for i in range(len(SCRIPTS)) if self.chars_per_script[i] > 0]
        return sorted(present, key=lambda i: (-int(self.chars_per_script[i]), i))

    def summary(self) -> dict[str, Any]:
        return {
            "lines": len(self.lines),
            "chars": self.chars,
            "bytes": self.bytes,
            "words": self.words,
            "scripts": {
                SCRIPTS[i]: {
                    "chars": int(self.chars_per_script[i]),
                    "bytes": int(self.bytes_per_script[i]),
                    "words": float(self.words_per_script[i]),
                }
                for i in self.order()
            },
        }


def _per(count: float, base: float) -> float | None:
    return count / base if base else None


def _measure(
    name: str, tok: Tokenizer, corpus: _Corpus, threads: int, min_seconds: float
) -> dict[str, Any]:
    lines = corpus.lines
    options: dict[str, Any] = {"add_special_tokens": False, "split_special_tokens": True}
    # Throughput: the fast ids-only path, repeated until min_seconds have passed.
    runs = 0
    begin = time.perf_counter()
    while True:
        flat, _ = tok.encode_batch_ids(lines, threads=threads, **options)
        runs += 1
        elapsed = time.perf_counter() - begin
        if elapsed >= min_seconds:
            break
    # Offsets, for the attribution to scripts (not timed).
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []
    empty_line_tokens = 0
    for first in range(0, len(lines), _CHUNK):
        chunk = lines[first : first + _CHUNK]
        for k, enc in enumerate(tok.encode_batch(chunk, threads=0, **options)):
            offsets = enc.offsets
            if not len(offsets):
                continue
            a, b = int(corpus.starts[first + k]), int(corpus.starts[first + k + 1])
            if a == b:
                empty_line_tokens += len(offsets)
                continue
            s = offsets[:, 0] + a
            e = offsets[:, 1] + a
            # A zero-width token counts to the char it stands before (at the end: the last).
            zero = e <= s
            s = np.where(zero & (s >= b), b - 1, s)
            e = np.where(zero, s + 1, e)
            starts.append(s)
            ends.append(e)
    per_script = corpus.spread(
        np.concatenate(starts) if starts else np.zeros(0, np.int64),
        np.concatenate(ends) if ends else np.zeros(0, np.int64),
    )
    per_script[SCRIPTS.index("Common")] += empty_line_tokens
    tokens = len(flat)
    ids = flat.astype(np.int64)
    unk = unknown_id(tok)
    unknown = int(np.count_nonzero(ids == unk)) if unk is not None else 0
    used = len(np.unique(ids))
    scripts: dict[str, Any] = {}
    for i in corpus.order():
        count = float(per_script[i])
        scripts[SCRIPTS[i]] = {
            "tokens": count,
            "tokens_per_char": _per(count, float(corpus.chars_per_script[i])),
            "tokens_per_byte": _per(count, float(corpus.bytes_per_script[i])),
            "tokens_per_word": _per(count, float(corpus.words_per_script[i])),
        }
    return {
        "name": name,
        "vocab_size": tok.vocab_size,
        "tokens": tokens,
        "tokens_per_char": _per(tokens, corpus.chars),
        "tokens_per_byte": _per(tokens, corpus.bytes),
        "tokens_per_word": _per(tokens, corpus.words),
        "vocab_used": used,
        "vocab_share": used / tok.vocab_size,
        "unknown_id": unk,
        "unknown_tokens": unknown,
        "unknown_rate": _per(unknown, tokens),
        "mb_per_s": corpus.bytes * runs / elapsed / 1e6 if elapsed > 0 else None,
        "threads": threads,
        "scripts": scripts,
    }


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _table(report: Mapping[str, Any]) -> str:
    corpus = report["corpus"]
    tokenizers = report["tokenizers"]
    width = max(9, *(len(t["name"]) for t in tokenizers))
    out = [
        f"corpus: {corpus['lines']:,} lines, {corpus['chars']:,} chars, {corpus['bytes']:,} "
        f"bytes, {corpus['words']:,} whitespace words",
        "",
        f"{'tokenizer':<{width}}  {'vocab':>7}  {'tokens':>10}  {'tok/char':>8}  "
        f"{'tok/byte':>8}  {'tok/word':>8}  {'vocab used':>10}  {'unk rate':>8}  {'MB/s':>7}",
    ]
    for t in tokenizers:
        out.append(
            f"{t['name']:<{width}}  {t['vocab_size']:>7}  {t['tokens']:>10,}  "
            f"{_fmt(t['tokens_per_char'], '8.4f')}  {_fmt(t['tokens_per_byte'], '8.4f')}  "
            f"{_fmt(t['tokens_per_word'], '8.3f')}  {t['vocab_share']:>10.2%}  "
            f"{_fmt(t['unknown_rate'], '8.2%')}  {_fmt(t['mb_per_s'], '7.1f')}"
        )
    out += [
        "",
        "per script (Common and Inherited chars count to their neighbours' script; a token is "
        "split evenly over its chars)",
        f"{'script':<10}  {'chars':>10}  {'words':>9}  {'tokenizer':<{width}}  {'tokens':>10}  "
        f"{'tok/char':>8}  {'tok/byte':>8}  {'tok/word':>8}",
    ]
    for script, counts in corpus["scripts"].items():
        for n, t in enumerate(tokenizers):
            s = t["scripts"][script]
            head = (
                f"{script:<10}  {counts['chars']:>10,}  {counts['words']:>9,.1f}"
                if n == 0
                else " " * 33
            )
            out.append(
                f"{head}  {t['name']:<{width}}  {s['tokens']:>10,.1f}  "
                f"{_fmt(s['tokens_per_char'], '8.4f')}  {_fmt(s['tokens_per_byte'], '8.4f')}  "
                f"{_fmt(s['tokens_per_word'], '8.3f')}"
            )
    return "\n".join(out) + "\n"
