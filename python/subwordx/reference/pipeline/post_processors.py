"""Post-processors: add the special tokens a model expects around its input (HF ``processors``).

After each sequence is encoded (and truncated), the post-processor builds the final encoding::

    TemplateProcessing    single "[CLS] $A [SEP]"   pair "[CLS] $A [SEP] $B:1 [SEP]:1"
    BertProcessing        the same, fixed:  [CLS] A [SEP] B [SEP], type ids 0 0 0 1 1
    RobertaProcessing     <s> A </s> </s> B </s>, all type ids 0; trims offsets like ByteLevel
    ByteLevel             adds nothing; trims the spaces (``Ġ``) off the offsets of tokens
    Sequence              several of these in order

The flow is HF's :func:`process`: each sequence first gets its sequence id and type id (0, 1),
then the processor turns the list of sequence encodings into a list of encodings, and these are
merged into one.

The added tokens have offsets ``(0, 0)``, no word id and special mask 1. Truncation needs to know
how many tokens a processor adds (:meth:`PostProcessor.added_tokens`) to leave room for them.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass
from typing import Any

from subwordx.errors import ModelFormatError
from subwordx.reference.pipeline.encoding import Encoding
from subwordx.reference.pipeline.normalizers import is_whitespace

__all__ = [
    "BertProcessing",
    "ByteLevel",
    "PostProcessor",
    "RobertaProcessing",
    "Sequence",
    "TemplateProcessing",
    "from_json",
    "process",
]

_SPACE = "Ġ"  # the byte-level char of " "


class PostProcessor:
    """Base class."""

    def added_tokens(self, is_pair: bool) -> int:
        raise NotImplementedError

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


def process(
    processor: PostProcessor | None,
    encoding: Encoding,
    pair: Encoding | None,
    add_special_tokens: bool,
) -> Encoding:
    """Turn a sequence (and its pair) into the final encoding.

    Without a processor the pair is simply appended. With one, every sequence (and each of its
    overflowing windows) is marked as sequence ``i`` with type id ``i`` first.
    """
    encodings = [encoding] if pair is None else [encoding, pair]
    if processor is None:
        if len(encodings) == 1:
            return encoding
        merged = Encoding()
        for i, e in enumerate(encodings):
            e.set_sequence_id(i)
            merged.merge_with(e)
        return merged
    for i, e in enumerate(encodings):
        e.set_sequence_id(i)
        for window in e.overflowing:
            window.set_sequence_id(i)
        e.type_ids = [i] * len(e)
    return Encoding.merge(processor.process_encodings(encodings, add_special_tokens))


def trim_offsets(encoding: Encoding, add_prefix_space: bool) -> None:
    """Take the spaces a byte-level token starts or ends with out of its offsets.

    ``Ġworld`` covers `` world`` in the text; its offsets are moved to cover ``world``. With
    ``add_prefix_space``, the first token's single leading space was added by the pre-tokenizer,
    not taken from the text, so it is not trimmed. Offsets never cross (start <= end).
    """
    for i, (token, (start, end)) in enumerate(zip(encoding.tokens, encoding.offsets)):
        leading = 0
        while leading < len(token) and (token[leading] == _SPACE or is_whitespace(token[leading])):
            leading += 1
        trailing = 0
        while trailing < len(token) and (
            token[len(token) - 1 - trailing] == _SPACE
            or is_whitespace(token[len(token) - 1 - trailing])
        ):
            trailing += 1
        if leading == 0 and trailing == 0:
            continue
        if leading > 0:
            is_first = i == 0 or start == 0
            if is_first and add_prefix_space and leading == 1:
                leading = 0
            start = min(start + leading, end)
        if trailing > 0 and end >= trailing:
            end = max(end - trailing, start)
        encoding.offsets[i] = (start, end)


@dataclass(frozen=True)
class ByteLevel(PostProcessor):
    """Byte-level offset trimming (see :func:`trim_offsets`); adds no token."""

    add_prefix_space: bool = True
    trim_offsets: bool = True
    use_regex: bool = True

    def added_tokens(self, is_pair: bool) -> int:
        return 0

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        if self.trim_offsets:
            for encoding in encodings:
                trim_offsets(encoding, self.add_prefix_space)
                for window in encoding.overflowing:
                    trim_offsets(window, self.add_prefix_space)
        for i, encoding in enumerate(encodings):
            encoding.set_sequence_id(i)
        return encodings

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "ByteLevel",
            "add_prefix_space": self.add_prefix_space,
            "trim_offsets": self.trim_offsets,
            "use_regex": self.use_regex,
        }


def _surround(
    encoding: Encoding,
    before: list[tuple[str, int]],
    after: list[tuple[str, int]],
    type_id: int,
    sequence_id: int,
) -> Encoding:
    """``before + encoding + after``: the added tokens are special, with ``type_id``; the
    encoding's tokens keep their own type ids; the sequence range covers them only."""
    n = len(encoding)
    return Encoding(
        ids=[i for _, i in before] + encoding.ids + [i for _, i in after],
        type_ids=[type_id] * len(before) + encoding.type_ids + [type_id] * len(after),
        tokens=[t for t, _ in before] + encoding.tokens + [t for t, _ in after],
        word_ids=[None] * len(before) + encoding.word_ids + [None] * len(after),
        offsets=[(0, 0)] * len(before) + encoding.offsets + [(0, 0)] * len(after),
        special_tokens_mask=[1] * len(before) + [0] * n + [1] * len(after),
        attention_mask=[1] * (len(before) + n + len(after)),
        sequence_ranges={sequence_id: (len(before), len(before) + n)},
    )


@dataclass(frozen=True)
class BertProcessing(PostProcessor):
    """``[CLS] A [SEP]`` and ``[CLS] A [SEP] B [SEP]`` (type ids 0 for A's part, 1 for B's)."""

    sep: tuple[str, int] = ("[SEP]", 102)
    cls: tuple[str, int] = ("[CLS]", 101)

    def added_tokens(self, is_pair: bool) -> int:
        return 3 if is_pair else 2

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        if not add_special_tokens:
            return encodings
        out: list[Encoding] = []
        for i, encoding in enumerate(encodings):
            # The first sequence gets [CLS] .. [SEP] (type 0), the pair .. [SEP] (type 1).
            before, type_id = ([self.cls], 0) if i == 0 else ([], 1)
            result = _surround(encoding, before, [self.sep], type_id, i)
            result.overflowing = [
                _surround(window, before, [self.sep], type_id, i) for window in encoding.overflowing
            ]
            out.append(result)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"type": "BertProcessing", "sep": list(self.sep), "cls": list(self.cls)}


@dataclass(frozen=True)
class RobertaProcessing(PostProcessor):
    """``<s> A </s>`` and ``<s> A </s> </s> B </s>``, every type id 0; trims byte-level offsets
    first when ``trim_offsets``."""

    sep: tuple[str, int] = ("</s>", 2)
    cls: tuple[str, int] = ("<s>", 0)
    trim_offsets: bool = True
    add_prefix_space: bool = True

    def added_tokens(self, is_pair: bool) -> int:
        return 4 if is_pair else 2

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        if self.trim_offsets:
            for encoding in encodings:
                trim_offsets(encoding, self.add_prefix_space)
                for window in encoding.overflowing:
                    trim_offsets(window, self.add_prefix_space)
        for encoding in encodings:
            encoding.type_ids = [0] * len(encoding)
        if not add_special_tokens:
            return encodings
        out: list[Encoding] = []
        for i, encoding in enumerate(encodings):
            before = [self.cls] if i == 0 else [self.sep]
            for window in encoding.overflowing:  # HF writes type id 0 on the windows too
                window.type_ids = [0] * len(window)
            result = _surround(encoding, before, [self.sep], 0, i)
            result.overflowing = [
                _surround(window, before, [self.sep], 0, i) for window in encoding.overflowing
            ]
            out.append(result)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "RobertaProcessing",
            "sep": list(self.sep),
            "cls": list(self.cls),
            "trim_offsets": self.trim_offsets,
            "add_prefix_space": self.add_prefix_space,
        }


@dataclass(frozen=True)
class TemplatePiece:
    """One item of a template: a sequence (``A``/``B``) or a special token, with its type id."""

    sequence: str | None  # "A" or "B" for a sequence; None for a special token
    special: str | None  # the special token's name in ``special_tokens``
    type_id: int

    def to_json(self) -> dict[str, Any]:
        if self.sequence is not None:
            return {"Sequence": {"id": self.sequence, "type_id": self.type_id}}
        return {"SpecialToken": {"id": self.special, "type_id": self.type_id}}


@dataclass(frozen=True)
class TemplateProcessing(PostProcessor):
    """Templates for a single sequence and for a pair.

    ``special_tokens`` maps a name used in the templates to the ids and strings it adds (one
    name can stand for several tokens). Each sequence's tokens get the template's type id.
    """

    single: tuple[TemplatePiece, ...]
    pair: tuple[TemplatePiece, ...]
    special_tokens: dict[str, tuple[tuple[int, ...], tuple[str, ...]]]

    def _count(self, template: Seq[TemplatePiece]) -> int:
        return sum(
            len(self.special_tokens.get(p.special, ((), ()))[0])
            for p in template
            if p.special is not None
        )

    def added_tokens(self, is_pair: bool) -> int:
        return self._count(self.pair if is_pair else self.single)

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        template = self.pair if len(encodings) == 2 else self.single
        out: list[Encoding] = []
        for piece in template:
            if piece.sequence is not None:
                index = 0 if piece.sequence == "A" else 1
                encoding = encodings[index]
                encoding.type_ids = [piece.type_id] * len(encoding)
                encoding.set_sequence_id(index)
                out.append(encoding.copy())
            elif add_special_tokens:
                ids, tokens = self.special_tokens[piece.special or ""]
                out.append(Encoding.special(ids, tokens, piece.type_id))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "TemplateProcessing",
            "single": [p.to_json() for p in self.single],
            "pair": [p.to_json() for p in self.pair],
            "special_tokens": {
                name: {"id": name, "ids": list(ids), "tokens": list(tokens)}
                for name, (ids, tokens) in sorted(self.special_tokens.items())
            },
        }


@dataclass(frozen=True)
class Sequence(PostProcessor):
    """Several processors, each fed the encodings the previous one returned."""

    processors: list[PostProcessor]

    def added_tokens(self, is_pair: bool) -> int:
        return sum(p.added_tokens(is_pair) for p in self.processors)

    def process_encodings(
        self, encodings: list[Encoding], add_special_tokens: bool
    ) -> list[Encoding]:
        for processor in self.processors:
            encodings = processor.process_encodings(encodings, add_special_tokens)
        return encodings

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "processors": [p.to_json() for p in self.processors]}


# ---------------------------------------------------------------------------------- JSON


def _token_pair(value: Any, where: str) -> tuple[str, int]:
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
    ):
        return value[0], value[1]
    raise ModelFormatError(f"{where} must be [token, id], got {value!r}")


def _template(items: Any, where: str) -> tuple[TemplatePiece, ...]:
    """A template in HF's JSON (a list of pieces) or string form (``"[CLS] $A:0 [SEP]"``)."""
    if isinstance(items, str):
        items = items.split(" ")
    if not isinstance(items, list):
        raise ModelFormatError(f"{where} must be a list of pieces")
    pieces: list[TemplatePiece] = []
    for item in items:
        if isinstance(item, str):  # "$A", "$B:1", "$1", "[CLS]", "[SEP]:1"
            name, _, type_text = item.partition(":")
            type_id = int(type_text) if type_text.isdigit() else 0
            if name.startswith("$"):
                rest = name[1:]
                if rest in ("", "A", "a"):
                    pieces.append(TemplatePiece("A", None, type_id))
                elif rest in ("B", "b"):
                    pieces.append(TemplatePiece("B", None, type_id))
                elif rest.isdigit():
                    pieces.append(TemplatePiece("A", None, int(rest)))
                else:
                    raise ModelFormatError(f"{where}: cannot read template piece {item!r}")
            else:
                pieces.append(TemplatePiece(None, name, type_id))
            continue
        if isinstance(item, dict) and len(item) == 1:
            ((kind, body),) = item.items()
            if isinstance(body, dict) and isinstance(body.get("type_id"), int):
                if kind == "Sequence" and body.get("id") in ("A", "B"):
                    pieces.append(TemplatePiece(body["id"], None, body["type_id"]))
                    continue
                if kind == "SpecialToken" and isinstance(body.get("id"), str):
                    pieces.append(TemplatePiece(None, body["id"], body["type_id"]))
                    continue
        raise ModelFormatError(f"{where}: malformed template piece {item!r}")
    return tuple(pieces)


def from_json(spec: Any) -> PostProcessor | None:
    """Build a post-processor from its HF JSON (None stays None).

    Raises:
        ModelFormatError: an unknown or unsupported post-processor (the message names it), or a
            malformed one.
    """
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ModelFormatError(f"malformed post_processor {spec!r}")
    kind = spec.get("type")
    if kind == "ByteLevel":
        return ByteLevel(
            add_prefix_space=bool(spec.get("add_prefix_space", True)),
            trim_offsets=bool(spec.get("trim_offsets", True)),
            use_regex=bool(spec.get("use_regex", True)),
        )
    if kind == "BertProcessing":
        return BertProcessing(
            sep=_token_pair(spec.get("sep"), "BertProcessing.sep"),
            cls=_token_pair(spec.get("cls"), "BertProcessing.cls"),
        )
    if kind == "RobertaProcessing":
        return RobertaProcessing(
            sep=_token_pair(spec.get("sep"), "RobertaProcessing.sep"),
            cls=_token_pair(spec.get("cls"), "RobertaProcessing.cls"),
            trim_offsets=bool(spec.get("trim_offsets", True)),
            add_prefix_space=bool(spec.get("add_prefix_space", True)),
        )
    if kind == "TemplateProcessing":
        raw_specials = spec.get("special_tokens", {})
        if isinstance(raw_specials, list):  # the builder's list form
            raw_specials = {s.get("id"): s for s in raw_specials if isinstance(s, dict)}
        if not isinstance(raw_specials, dict):
            raise ModelFormatError("TemplateProcessing.special_tokens must be an object")
        specials: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
        for name, body in raw_specials.items():
            ids, tokens = body.get("ids"), body.get("tokens") if isinstance(body, dict) else None
            if not (
                isinstance(ids, list)
                and isinstance(tokens, list)
                and len(ids) == len(tokens)
                and all(isinstance(i, int) for i in ids)
                and all(isinstance(t, str) for t in tokens)
            ):
                raise ModelFormatError(f"TemplateProcessing: malformed special token {name!r}")
            specials[name] = (tuple(ids), tuple(tokens))
        single = _template(spec.get("single", "$0"), "TemplateProcessing.single")
        pair = _template(spec.get("pair", "$A:0 $B:1"), "TemplateProcessing.pair")
        for piece in single + pair:
            if piece.special is not None and piece.special not in specials:
                raise ModelFormatError(
                    f"TemplateProcessing: template token {piece.special!r} is not in special_tokens"
                )
        return TemplateProcessing(single, pair, specials)
    if kind == "Sequence":
        parts = spec.get("processors")
        if not isinstance(parts, list):
            raise ModelFormatError("post_processor Sequence: 'processors' must be a list")
        built = [from_json(part) for part in parts]
        return Sequence([p for p in built if p is not None])
    raise ModelFormatError(f"unsupported post_processor type {kind!r}")
