"""Added tokens: strings matched in the text before anything else (HF ``AddedVocabulary``).

Special tokens (``<s>``, ``[CLS]``, ``<|endoftext|>``) and other added tokens are found in the
text first and cut out as pieces of their own, so no normalizer, pre-tokenizer or model ever
splits them. Each has options:

* ``normalized=False``: matched in the *raw* text, before normalization (the usual for special
  tokens). ``normalized=True``: matched in the normalized text, against the token's own
  normalized form (``Hello`` with a lowercasing normalizer matches ``HELLO``).
* ``single_word``: only where it is not glued to a word char on either side.
* ``lstrip`` / ``rstrip``: the match swallows the whitespace on its left / right.
* ``special``: skipped by ``decode(..., skip_special_tokens=True)``.

Matching is leftmost-longest: scanning left to right, at the first position where some token
starts the longest one is taken, and the scan goes on after it (HF's Aho-Corasick automaton in
``LeftmostLongest`` mode). The options are checked *after* that: a match failing ``single_word``
is dropped, and no other match is tried inside it.

Two passes (HF ``extract_and_normalize``)::

    "I saw <s>Dogs"       pass 1, raw text, tokens with normalized=False: "<s>" cut out
    "I saw ", "Dogs"      each remaining piece is normalized ...
    "i saw ", "dogs"      pass 2: tokens with normalized=True are cut out of the normalized text

Ids follow HF's loading rule (:func:`assign_ids`): the ``id`` written in ``tokenizer.json`` is
*not* used; a token already in the model's vocabulary gets that id, the others get ids after the
model's vocabulary, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import regex

from subwordx.errors import ModelFormatError
from subwordx.reference.pipeline.alignment import NormalizedText, Piece, Token, split_pieces
from subwordx.reference.pipeline.bpe_model import Model
from subwordx.reference.pipeline.normalizers import Normalizer

__all__ = ["AddedToken", "AddedVocabulary", "assign_ids"]

# Rust `regex` crate semantics: \w is Unicode word, \s is White_Space; the `regex` module agrees.
_WORD_CHAR = regex.compile(r"\w")
_SPACE_CHAR = regex.compile(r"\s")


@dataclass(frozen=True)
class AddedToken:
    """One added token and its matching options (HF ``AddedToken``)."""

    content: str
    single_word: bool = False
    lstrip: bool = False
    rstrip: bool = False
    normalized: bool = True
    special: bool = False

    def to_json(self, id: int) -> dict[str, Any]:
        return {"id": id, **asdict(self)}

    @classmethod
    def from_json(cls, spec: Any) -> tuple[AddedToken, int | None]:
        """``(token, id written in the file)``."""
        if not isinstance(spec, dict) or not isinstance(spec.get("content"), str):
            raise ModelFormatError(f"malformed added token {spec!r}")
        flags: dict[str, bool] = {}
        for key, default in (
            ("single_word", False),
            ("lstrip", False),
            ("rstrip", False),
            ("normalized", True),
            ("special", False),
        ):
            value = spec.get(key, default)
            if not isinstance(value, bool):
                raise ModelFormatError(f"added token {spec['content']!r}: {key} must be a bool")
            flags[key] = value
        id = spec.get("id")
        return cls(spec["content"], **flags), id if isinstance(id, int) else None


def assign_ids(tokens: Iterable[AddedToken], model: Model) -> list[tuple[AddedToken, int]]:
    """HF's ids for added tokens added in this order (``AddedVocabulary::add_tokens``).

    A token whose content is already an added token or a model token takes that id; any other
    takes the next free id, counting from the model's vocabulary size. An empty content is
    skipped, and so is an exact repeat of a token already added.
    """
    assigned: dict[str, int] = {}
    by_id: dict[int, AddedToken] = {}
    out: list[tuple[AddedToken, int]] = []
    next_id = model.vocab_size()
    for token in tokens:
        if not token.content:
            continue
        known = assigned.get(token.content)
        if known is not None and by_id.get(known) == token:
            continue
        id = known if known is not None else model.token_to_id(token.content)
        if id is None:
            id = next_id
            next_id += 1
        assigned[token.content] = id
        by_id[id] = token
        out.append((token, id))
    return out


class _Matcher:
    """Leftmost-longest search of a fixed set of strings."""

    def __init__(self, patterns: Iterable[tuple[str, int]]) -> None:
        # first char -> [(pattern, id)], longest first, so the first hit at a position is longest
        self._by_first: dict[str, list[tuple[str, int]]] = {}
        for pattern, id in patterns:
            self._by_first.setdefault(pattern[0], []).append((pattern, id))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Non-overlapping matches ``(start, end, id)``, leftmost-longest."""
        out: list[tuple[int, int, int]] = []
        i = 0
        while i < len(text):
            for pattern, id in self._by_first.get(text[i], ()):
                if text.startswith(pattern, i):
                    out.append((i, i + len(pattern), id))
                    i += len(pattern)
                    break
            else:
                i += 1
        return out


class AddedVocabulary:
    """The added tokens of a tokenizer, with their ids, ready to be matched.

    Args:
        tokens: ``(token, id)`` pairs (see :func:`assign_ids` for HF's ids).
        normalizer: the tokenizer's normalizer; tokens with ``normalized=True`` are matched as
            this normalizer writes them.
        as_written: match tokens with ``normalized=True`` as written in the normalized text
            instead (SentencePiece's user-defined symbols); the normalizer is then ignored.
    """

    def __init__(
        self,
        tokens: Sequence[tuple[AddedToken, int]],
        normalizer: Normalizer | None,
        as_written: bool = False,
    ) -> None:
        self.as_written = as_written
        if as_written:
            normalizer = None
        self.tokens: dict[int, AddedToken] = {}
        self.ids: dict[str, int] = {}
        self.special_contents: set[str] = set()
        # id -> the normalized form of a normalized token, when it differs from its content;
        # HF also decodes the id to this form.
        self.normalized_forms: dict[int, str] = {}
        for token, id in tokens:
            if token.normalized and normalizer is not None:
                normalized = normalizer.normalize_str(token.content)
                if normalized != token.content:
                    self.normalized_forms[id] = normalized
            self.ids[token.content] = id
            if token.special:
                self.special_contents.add(token.content)
            self.tokens[id] = token
        self.order = [id for _, id in tokens]  # for writing them back in the same order
        self._raw = _Matcher(
            (t.content, id) for id, t in self.tokens.items() if not t.normalized and t.content
        )
        self._normalized = _Matcher(
            (self.normalized_forms.get(id, t.content), id)
            for id, t in self.tokens.items()
            if t.normalized and self.normalized_forms.get(id, t.content)
        )

    # ------------------------------------------------------------------------------ lookups

    def token_to_id(self, content: str) -> int | None:
        return self.ids.get(content)

    def id_to_token(self, id: int) -> str | None:
        """The string an id decodes to: a normalized token's normalized form, else its content."""
        token = self.tokens.get(id)
        if token is None:
            return None
        return self.normalized_forms.get(id, token.content)

    def is_special(self, token: str) -> bool:
        """Whether ``token`` is the content of a special token (HF compares contents)."""
        return token in self.special_contents

    def get_vocab(self) -> dict[str, int]:
        return dict(self.ids)

    def to_json(self) -> list[dict[str, Any]]:
        """HF's ``added_tokens`` list, by id."""
        return [self.tokens[id].to_json(id) for id in sorted(self.tokens)]

    # ------------------------------------------------------------------------------ matching

    def _find(
        self, text: str, matcher: _Matcher, allowed: Callable[[AddedToken], bool]
    ) -> list[tuple[tuple[int, int], int | None]]:
        """Spans tiling ``text``: ``((start, end), id)`` for a token, ``id=None`` between."""
        if not text:
            return [((0, 0), None)]
        out: list[tuple[tuple[int, int], int | None]] = []
        done = 0  # end of the last span taken
        for start, end, id in matcher.find(text):
            token = self.tokens[id]
            if not allowed(token):
                continue
            if token.single_word:
                glued_left = start > 0 and bool(_WORD_CHAR.match(text[start - 1]))
                glued_right = end < len(text) and bool(_WORD_CHAR.match(text[end]))
                if glued_left or glued_right:
                    continue
            if token.lstrip:
                while start > 0 and _SPACE_CHAR.match(text[start - 1]):
                    start -= 1
                start = max(start, done)  # never into what the previous match took
            if token.rstrip:
                while end < len(text) and _SPACE_CHAR.match(text[end]):
                    end += 1
            if done < start:
                out.append(((done, start), None))
            out.append(((start, end), id))
            done = end
        if done != len(text):
            out.append(((done, len(text)), None))
        return out

    def _cut(
        self, text: NormalizedText, matcher: _Matcher, allowed: Callable[[AddedToken], bool]
    ) -> list[Piece]:
        pieces: list[Piece] = []
        for (start, end), id in self._find(text.normalized, matcher, allowed):
            part = text.slice(start, end)
            if id is None:
                pieces.append(Piece(part))
            else:  # the token's string is the text it matched (spaces swallowed included)
                pieces.append(Piece(part, [Token(id, part.normalized, 0, len(part.normalized))]))
        return pieces

    def extract_and_normalize(
        self,
        normalizer: Normalizer | None,
        text: str,
        allowed: Callable[[AddedToken], bool] = lambda token: True,
    ) -> list[Piece]:
        """Cut the added tokens out of ``text`` and normalize the rest (see the module doc).

        ``allowed`` filters the matches (a token it refuses is left in the text as text): HF's
        ``encode_special_tokens`` refuses special tokens; tiktoken's ``allowed_special`` refuses
        the others.
        """
        pieces = [Piece(NormalizedText(text))]
        if self._raw:
            pieces = split_pieces(pieces, lambda t: self._cut(t, self._raw, allowed))
        else:
            pieces = split_pieces(pieces, lambda t: [t])

        def normalize_then_cut(part: NormalizedText) -> list[Piece]:
            if normalizer is not None:
                normalizer.normalize(part)
            if not self._normalized:
                return [Piece(part)]
            return self._cut(part, self._normalized, allowed)

        return split_pieces(pieces, normalize_then_cut)
