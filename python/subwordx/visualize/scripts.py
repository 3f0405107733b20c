"""The Unicode script of every char of a line, as the comparison report counts it.

Each char has a Unicode Script property (UAX #24): ``Latin``, ``Han``, ``Cyrillic``, ... or
``Common`` (spaces, digits, punctuation, emoji, ``ー``) and ``Inherited`` (combining marks), which
belong to whatever text they stand in. The report resolves those two by context, as UAX #24's
script runs do, so that the spaces and full stops of a Russian line count as Cyrillic:

1. a ``Common`` or ``Inherited`` char takes the script of the nearest char before it in the line
   that has a script of its own;
2. at the start of the line, the nearest such char after it;
3. a line with no such char keeps ``Common``.

Scripts are grouped as :data:`SCRIPTS` lists them: ``Kana`` is Hiragana and Katakana together
(Japanese mixes them in every word); a script not listed is ``Other``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["COMMON", "OTHER", "SCRIPTS", "char_scripts", "script_names"]

# (report name, Unicode Script values), in the order of the Unicode code charts.
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Latin", ("Latin",)),
    ("Greek", ("Greek",)),
    ("Cyrillic", ("Cyrillic",)),
    ("Armenian", ("Armenian",)),
    ("Hebrew", ("Hebrew",)),
    ("Arabic", ("Arabic",)),
    ("Syriac", ("Syriac",)),
    ("Thaana", ("Thaana",)),
    ("Devanagari", ("Devanagari",)),
    ("Bengali", ("Bengali",)),
    ("Gurmukhi", ("Gurmukhi",)),
    ("Gujarati", ("Gujarati",)),
    ("Oriya", ("Oriya",)),
    ("Tamil", ("Tamil",)),
    ("Telugu", ("Telugu",)),
    ("Kannada", ("Kannada",)),
    ("Malayalam", ("Malayalam",)),
    ("Sinhala", ("Sinhala",)),
    ("Thai", ("Thai",)),
    ("Lao", ("Lao",)),
    ("Tibetan", ("Tibetan",)),
    ("Myanmar", ("Myanmar",)),
    ("Georgian", ("Georgian",)),
    ("Hangul", ("Hangul",)),
    ("Ethiopic", ("Ethiopic",)),
    ("Khmer", ("Khmer",)),
    ("Mongolian", ("Mongolian",)),
    ("Kana", ("Hiragana", "Katakana")),
    ("Bopomofo", ("Bopomofo",)),
    ("Han", ("Han",)),
)
OTHER = "Other"
COMMON = "Common"
#: Every name :func:`char_scripts` indexes: the groups, then ``Other``, then ``Common``.
SCRIPTS: tuple[str, ...] = (*(name for name, _ in _GROUPS), OTHER, COMMON)
_OTHER = len(_GROUPS)
_COMMON = _OTHER + 1
_UNRESOLVED = -1


@functools.cache
def _pattern() -> Any:
    import regex

    groups = []
    for i, (_, values) in enumerate(_GROUPS):
        classes = "".join(r"\p{sc=%s}" % v for v in values)  # noqa: UP031 - braces in the regex
        groups.append(f"(?P<g{i}>[{classes}]+)")
    neutral = r"(?P<neutral>[\p{sc=Common}\p{sc=Inherited}]+)"
    return regex.compile("|".join([*groups, neutral, r"(?P<other>.)"]), regex.DOTALL)


def char_scripts(line: str) -> npt.NDArray[np.int8]:
    """The script of each char of ``line``, as indices into :data:`SCRIPTS` (module docs).

    Example:
        >>> [SCRIPTS[i] for i in char_scripts("¡Hola, 世界!")]
        ['Latin', 'Latin', 'Latin', 'Latin', 'Latin', 'Latin', 'Latin', 'Han', 'Han', 'Han']
    """
    out = np.empty(len(line), dtype=np.int8)
    pending: list[tuple[int, int]] = []  # neutral runs before the first scripted char
    current = _UNRESOLVED
    for match in _pattern().finditer(line):
        start, end = match.span()
        name = match.lastgroup
        if name == "neutral":
            if current == _UNRESOLVED:
                pending.append((start, end))
            else:
                out[start:end] = current
            continue
        current = _OTHER if name == "other" else int(name[1:])
        out[start:end] = current
        for a, b in pending:
            out[a:b] = current
        pending.clear()
    for a, b in pending:
        out[a:b] = _COMMON
    return out


def script_names(line: str) -> list[str]:
    """:func:`char_scripts` as names."""
    return [SCRIPTS[i] for i in char_scripts(line)]
