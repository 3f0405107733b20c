"""SentencePiece ``.model`` files, read and written in pure Python (no ``protobuf`` package).

A ``.model`` is a protocol-buffers ``ModelProto`` (docs/sentencepiece.md)::

    ModelProto        1 pieces (repeated)   2 trainer_spec   3 normalizer_spec
                      4 self_test_data      5 denormalizer_spec
    SentencePiece     1 piece   2 score (float)   3 type (1 NORMAL 2 UNKNOWN 3 CONTROL
                      4 USER_DEFINED 5 UNUSED 6 BYTE)
    TrainerSpec       3 model_type (1 UNIGRAM 2 BPE 3 WORD 4 CHAR)  4 vocab_size
                      24 treat_whitespace_as_suffix  35 byte_fallback  40-43 unk/bos/eos/pad id
                      45-48 unk/bos/eos/pad piece ...
    NormalizerSpec    1 name  2 precompiled_charsmap  3 add_dummy_prefix
                      4 remove_extra_whitespaces  5 escape_whitespaces

The wire format: each field is a varint key ``number << 3 | wire type`` and a value: a varint
(type 0), 8 bytes (1), a varint length and that many bytes (2), or 4 bytes (5).

:func:`hf_document` maps a parsed file onto the pipeline as an HF ``tokenizer.json`` document
(the same mapping as the Rust core's ``io/sentencepiece.rs``), which the reference pipeline loads;
:func:`model_proto_of` goes back.
"""

from __future__ import annotations

import base64
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from subwordx.errors import ConfigError, ModelFormatError

SPACE = "\u2581"  # SentencePiece's whitespace symbol
PIECE_TYPES = {1: "NORMAL", 2: "UNKNOWN", 3: "CONTROL", 4: "USER_DEFINED", 5: "UNUSED", 6: "BYTE"}
TYPE_NUMBERS = {name: number for number, name in PIECE_TYPES.items()}
MODEL_TYPES = {1: "UNIGRAM", 2: "BPE", 3: "WORD", 4: "CHAR"}

# A field: (number, wire type, value): an int for types 0, 1 and 5, bytes for type 2.
Field = tuple[int, int, Any]


# ---------------------------------------------------------------------------------- wire format


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise ValueError(f"truncated varint at byte {pos}")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value >= 1 << 64:
                raise ValueError("varint too long")
            return value, pos
    raise ValueError(f"varint too long at byte {pos}")


def parse_fields(data: bytes) -> list[Field]:
    """The fields of one message, in order; every length is checked against what is left."""
    fields: list[Field] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if not 0 < number < 1 << 29:
            raise ValueError(f"invalid field number {number}")
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise ValueError(f"field {number} runs past the end")
            value = int.from_bytes(data[pos : pos + size], "little")
            pos += size
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError(f"field {number} of {length} bytes runs past the end")
            value = data[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported wire type {wire} for field {number}")
        fields.append((number, wire, value))
    return fields


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def write_fields(fields: list[Field]) -> bytes:
    """Fields in field-number order (stable: repeated fields keep theirs), as protobuf writes."""
    out = bytearray()
    for number, wire, value in sorted(fields, key=lambda f: f[0]):
        _put_varint(out, number << 3 | wire)
        if wire == 0:
            _put_varint(out, value)
        elif wire == 1:
            out += value.to_bytes(8, "little")
        elif wire == 5:
            out += value.to_bytes(4, "little")
        else:
            _put_varint(out, len(value))
            out += value
    return bytes(out)


def _int32(value: int) -> int:
    """A varint read as protobuf's int32 (the low 32 bits, signed)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _float(bits: int) -> float:
    return float(struct.unpack("<f", bits.to_bytes(4, "little"))[0])


def _float_bits(value: float) -> int:
    return int.from_bytes(struct.pack("<f", value), "little")


# ---------------------------------------------------------------------------------- the file


@dataclass
class Piece:
    piece: str
    score: float = 0.0
    type: str = "NORMAL"


@dataclass
class ModelProto:
    """A parsed ``.model``: the pieces, and each spec's fields as read (``other`` keeps the rest
    of the top-level fields, so :meth:`to_bytes` writes the file back)."""

    pieces: list[Piece]
    piece_fields: list[list[Field]]
    trainer: list[Field] = field(default_factory=list)
    normalizer: list[Field] | None = None
    other: list[Field] = field(default_factory=list)

    @staticmethod
    def parse(data: bytes, source: str = "<.model>") -> ModelProto:
        try:
            return ModelProto._parse(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise ModelFormatError(
                f"{source}: corrupt or unsupported model file: not a valid SentencePiece model: {e}"
            ) from None

    @staticmethod
    def _parse(data: bytes) -> ModelProto:
        model = ModelProto(pieces=[], piece_fields=[])
        for number, wire, value in parse_fields(data):
            if number in (1, 2, 3) and wire != 2:
                raise ValueError(f"field {number} is not a message")
            if number == 1:
                fields = parse_fields(value)
                piece = Piece("")
                has_text = False
                for n, w, v in fields:
                    if n == 1 and w == 2:
                        piece.piece, has_text = v.decode("utf-8"), True
                    elif n == 2 and w == 5:
                        piece.score = _float(v)
                    elif n == 3 and w == 0:
                        if _int32(v) not in PIECE_TYPES:
                            raise ValueError(f"unknown piece type {_int32(v)}")
                        piece.type = PIECE_TYPES[_int32(v)]
                    elif n in (1, 2, 3):
                        raise ValueError(f"piece field {n} has the wrong wire type")
                if not has_text:
                    raise ValueError("a piece has no text")
                model.pieces.append(piece)
                model.piece_fields.append(fields)
            elif number == 2:
                model.trainer = parse_fields(value)
            elif number == 3:
                model.normalizer = parse_fields(value)
            else:
                model.other.append((number, wire, value))
        if not model.pieces:
            raise ValueError("it has no pieces")
        return model

    def to_bytes(self) -> bytes:
        fields: list[Field] = [(1, 2, write_fields(f)) for f in self.piece_fields]
        fields.append((2, 2, write_fields(self.trainer)))
        if self.normalizer is not None:
            fields.append((3, 2, write_fields(self.normalizer)))
        return write_fields(fields + self.other)

    # Typed reads, with proto2 defaults.
    def trainer_value(self, number: int, default: Any) -> Any:
        for n, wire, value in reversed(self.trainer):
            if n == number:
                if wire == 2:
                    return value.decode("utf-8")
                return bool(value) if isinstance(default, bool) else _int32(value)
        return default

    def normalizer_value(self, number: int, default: Any) -> Any:
        for n, _, value in reversed(self.normalizer or []):
            if n == number:
                return value if isinstance(default, bytes) else bool(value)
        return default


# ---------------------------------------------------------------------------------- charsmap


def build_charsmap(rules: dict[str, str]) -> bytes:
    """Compile ``{source: replacement}`` into a precompiled charsmap (the Rust core's builder:
    a byte trie placed breadth first, each node's children at the first free base no other node
    uses, so a child's label identifies its parent)."""
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    blob = bytearray()
    offsets: dict[str, int] = {}
    for source, replacement in sorted(rules.items()):
        if not source or "\0" in replacement:
            raise ConfigError("a charsmap rule needs a source and a replacement without NUL")
        if replacement not in offsets:
            offsets[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        node = 0
        for byte in source.encode("utf-8"):
            if byte not in children[node]:
                children.append({})
                values.append(None)
                children[node][byte] = len(children) - 1
            node = children[node][byte]
        values[node] = offsets[replacement]
    leaf = 1 << 31
    units = [leaf] * 256
    used = [False] * 256
    used_base: set[int] = set()
    used[0], units[0] = True, 0
    queue = deque([(0, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = ([0] if values[node] is not None else []) + sorted(children[node])
        if not labels:
            continue
        free = used.index(False) if False in used else len(used)
        while True:
            base = free ^ labels[0]
            if (
                base
                and base not in used_base
                and all(base ^ c >= len(used) or not used[base ^ c] for c in labels)
            ):
                break
            free += 1
            while free < len(used) and used[free]:
                free += 1
        need = (base | 0xFF) + 1
        if need > len(units):
            units += [leaf] * (need - len(units))
            used += [False] * (need - len(used))
        used_base.add(base)
        units[pos] = (units[pos] & 0xFF) | ((pos ^ base) << 10)
        value = values[node]
        if value is not None:
            units[pos] |= 1 << 8
            units[base] = value | leaf
            used[base] = True
        for byte, child in sorted(children[node].items()):
            units[base ^ byte] = byte
            used[base ^ byte] = True
            queue.append((child, base ^ byte))
    # Whole blocks of 256 units: SentencePiece refuses a trie of another size (Darts' blocks).
    return (
        (len(units) * 4).to_bytes(4, "little")
        + b"".join(u.to_bytes(4, "little") for u in units)
        + bytes(blob)
    )


# ---------------------------------------------------------------------------------- pipeline


def normalizer_steps(
    charsmap: bytes | None,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
    treat_whitespace_as_suffix: bool,
) -> list[dict[str, Any]]:
    """SentencePiece's normalization (``normalizer.cc``) as HF normalizer steps: the charsmap,
    then leading spaces dropped and runs collapsed, the dummy prefix, spaces escaped to ``▁``,
    trailing ones dropped (the dummy prefix too), or the dummy *suffix* appended."""

    def regex(pattern: str, content: str) -> dict[str, Any]:
        return {"type": "Replace", "pattern": {"Regex": pattern}, "content": content}

    steps: list[dict[str, Any]] = []
    if charsmap:
        steps.append(
            {
                "type": "Precompiled",
                "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii"),
            }
        )
    if remove_extra_whitespaces:
        steps += [regex(r"\A +", ""), regex(" {2,}", " ")]
    space = SPACE if escape_whitespaces else " "
    if add_dummy_prefix and not treat_whitespace_as_suffix:
        steps.append({"type": "Prepend", "prepend": space})
    if escape_whitespaces:
        steps.append({"type": "Replace", "pattern": {"String": " "}, "content": space})
    if remove_extra_whitespaces:
        steps.append(regex(space + r"+\z", ""))
    if add_dummy_prefix and treat_whitespace_as_suffix:
        steps.append(regex(r"\z", space))
    return steps


def hf_document(model: ModelProto, source: str = "<.model>") -> dict[str, Any]:
    """The pipeline of a ``.model`` as an HF document (docs/sentencepiece.md).

    BPE: merges are every split of a ``NORMAL`` piece into two ``NORMAL`` pieces, listed by the
    piece's score (highest first, then id) and sharing its rank (``merges_by_result``).
    """

    def bad(why: str) -> ModelFormatError:
        return ModelFormatError(f"{source}: corrupt or unsupported model file: {why}")

    model_type = model.trainer_value(3, 1)
    if model_type not in (1, 2):
        name = MODEL_TYPES.get(model_type, str(model_type))
        raise bad(f"SentencePiece {name} models are not supported (Unigram and BPE are)")
    pieces = model.pieces
    ids: dict[str, int] = {}
    for i, p in enumerate(pieces):
        if not p.piece:
            raise bad(f"piece {i} is empty")
        if p.piece in ids:
            raise bad(f"pieces {ids[p.piece]} and {i} are both {p.piece!r}")
        ids[p.piece] = i
    unknown = [p.piece for p in pieces if p.type == "UNKNOWN"]
    if len(unknown) != 1:
        raise bad("no UNKNOWN piece (<unk>)" if not unknown else "more than one UNKNOWN piece")
    normal = {p.piece: i for i, p in enumerate(pieces) if p.type == "NORMAL"}
    merges: list[list[str]] = []
    if model_type == 2:
        for i in sorted(normal.values(), key=lambda i: (-pieces[i].score, i)):
            text = pieces[i].piece
            for k in range(1, len(text)):
                if text[:k] in normal and text[k:] in normal:
                    merges.append([text[:k], text[k:]])
    suffix = model.trainer_value(24, False)
    add_dummy_prefix = model.normalizer_value(3, True)
    escape = model.normalizer_value(5, True)
    charsmap = model.normalizer_value(2, b"")
    interior_space = any(SPACE in p.piece[1:] for p in pieces if p.type in ("NORMAL", "UNUSED"))
    # Unigram: one Viterbi over the whole sentence, summed in single precision as SentencePiece
    # does (splitting at ▁ could round a tie the other way), so no split.
    pre_tokenizer = (
        {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "never", "split": True}
        if escape and not suffix and not interior_space and model_type == 2
        else None
    )
    decoders: list[dict[str, Any]] = [
        {"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
        {"type": "ByteFallback"},
        {"type": "Fuse"},
    ]
    if add_dummy_prefix and not suffix:  # SentencePiece keeps a dummy suffix's space
        decoders.append({"type": "Strip", "content": " ", "start": 1, "stop": 0})
    # The unknown piece decodes to SentencePiece's unk_surface (" ⁇ " by default).
    decoders.append(
        {
            "type": "Replace",
            "pattern": {"String": unknown[0]},
            "content": model.trainer_value(44, " \u2047 "),
        }
    )
    bpe = {
        "type": "BPE",
        "unk_token": unknown[0],
        "fuse_unk": True,
        "byte_fallback": model.trainer_value(35, False),
        "merges_by_result": True,
        "vocab": {p.piece: i for i, p in enumerate(pieces)},
        "merges": merges,
    }
    steps = normalizer_steps(
        charsmap, add_dummy_prefix, model.normalizer_value(4, True), escape, suffix
    )
    return {
        "version": "1.0",
        "added_tokens": [
            {
                "id": i,
                "content": p.piece,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": True,
                "special": False,
            }
            for i, p in enumerate(pieces)
            if p.type == "USER_DEFINED"
        ],
        "normalizer": {"type": "Sequence", "normalizers": steps} if steps else None,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": decoders},
        "model": bpe
        if model_type == 2
        else {
            # Unigram: every piece with its score; the lattice is made of NORMAL pieces
            # (user-defined ones are added tokens above, the rest reserved: unigram_model.cc).
            "type": "Unigram",
            "unk_id": ids[unknown[0]],
            "vocab": [[p.piece, p.score] for p in pieces],
            "byte_fallback": model.trainer_value(35, False),
            "reserved": [
                i for i, p in enumerate(pieces) if p.type in ("CONTROL", "BYTE", "UNUSED")
            ],
            "float32_sums": True,
        },
    }


def _is_byte_piece(token: str) -> bool:
    """``<0xXX>`` with upper-case hex: SentencePiece's byte pieces."""
    return (
        len(token) == 6
        and token.startswith("<0x")
        and token.endswith(">")
        and all(c in "0123456789ABCDEF" for c in token[3:5])
    )


def _added_piece_types(doc: dict[str, Any], special_ok: bool) -> dict[int, str]:
    """Added tokens as piece types: special ones ``CONTROL`` (when ``special_ok``), non-special
    normalized ones ``USER_DEFINED``; any other kind has no SentencePiece equivalent."""
    types: dict[int, str] = {}
    for a in doc.get("added_tokens", []):
        plain = not (a.get("single_word") or a.get("lstrip") or a.get("rstrip"))
        if a.get("special") and special_ok and plain:
            types[a["id"]] = "CONTROL"
        elif not a.get("special") and a.get("normalized", True) and plain:
            types[a["id"]] = "USER_DEFINED"
        else:
            raise ConfigError(
                f"added token {a['content']!r} is not a user-defined symbol "
                "(non-special, normalized)"
            )
    return types


def _bpe_pieces(doc: dict[str, Any], model: dict[str, Any]) -> tuple[list[Piece], str, bool]:
    """A SentencePiece-shaped BPE model's pieces: merge results scored by merge rank."""
    if model.get("continuing_subword_prefix") or model.get("end_of_word_suffix"):
        raise ConfigError("a BPE model with a prefix or suffix has no SentencePiece equivalent")
    unk = model.get("unk_token")
    if not unk:
        raise ConfigError("SentencePiece needs an unk token")
    vocab: dict[str, int] = model["vocab"]
    by_id = sorted(vocab, key=vocab.__getitem__)
    result_rank: dict[str, int] = {}
    for rank, (left, right) in enumerate(model.get("merges", [])):
        result_rank.setdefault(left + right, rank)
    added = _added_piece_types(doc, special_ok=False)
    byte_fallback = bool(model.get("byte_fallback"))
    pieces: list[Piece] = []
    for i, token in enumerate(by_id):
        if token == unk:
            piece = Piece(token, 0.0, "UNKNOWN")
        elif i in added:
            piece = Piece(token, 0.0, added[i])
        elif byte_fallback and _is_byte_piece(token):
            piece = Piece(token, 0.0, "BYTE")
        elif token in result_rank:
            piece = Piece(token, -float(result_rank[token]), "NORMAL")
        elif len(token) == 1:
            piece = Piece(token, -float(len(result_rank) + i), "NORMAL")
        else:
            piece = Piece(token, 0.0, "CONTROL")
        pieces.append(piece)
    return pieces, unk, byte_fallback


def _unigram_pieces(doc: dict[str, Any], model: dict[str, Any]) -> tuple[list[Piece], str, bool]:
    """A SentencePiece-shaped Unigram model's pieces: scores kept, types from the pipeline."""
    if doc.get("pre_tokenizer") is not None or not model.get("float32_sums"):
        raise ConfigError(
            "SentencePiece runs one Viterbi over the whole text, summing scores in single "
            "precision; this tokenizer splits the text first or sums in double precision (a "
            'tokenizer trained with prepend_scheme="always", the default, or loaded from a '
            ".model saves)"
        )
    unk_id = model.get("unk_id")
    if unk_id is None:
        raise ConfigError("SentencePiece needs an unk token")
    added = _added_piece_types(doc, special_ok=True)
    reserved = set(model.get("reserved", []))
    pieces: list[Piece] = []
    for i, (token, score) in enumerate(model["vocab"]):
        if i == unk_id:
            kind = "UNKNOWN"
        elif i in added:
            kind = added[i]
        elif i in reserved:
            kind = "BYTE" if _is_byte_piece(token) else "CONTROL"
        else:
            kind = "NORMAL"
        pieces.append(Piece(token, float(score), kind))
    return pieces, model["vocab"][unk_id][0], bool(model.get("byte_fallback"))


def model_proto_of(doc: dict[str, Any]) -> ModelProto:
    """The ``.model`` of a SentencePiece-shaped tokenizer given as its HF document (the Rust
    core's ``to_model_proto``: a BPE model's types derived and merge results scored by merge
    rank; a Unigram model's pieces with their scores)."""
    model = doc.get("model") or {}
    if model.get("type") not in ("BPE", "Unigram"):
        raise ConfigError(
            f"this tokenizer cannot be saved as a SentencePiece .model: its model is "
            f"{model.get('type')} (Unigram and BPE are)"
        )
    normalizer = doc.get("normalizer")
    steps = [] if normalizer is None else normalizer.get("normalizers", [normalizer])
    charsmap = b""
    if steps and steps[0].get("type") == "Precompiled":
        charsmap = base64.b64decode(steps[0].get("precompiled_charsmap") or "")
    flags = None
    for bits in range(16):
        candidate = tuple(bool(bits >> k & 1) for k in range(4))
        if normalizer_steps(charsmap, *candidate) == steps:
            flags = candidate
            break
    if flags is None:
        raise ConfigError("its normalizer is not SentencePiece's (docs/sentencepiece.md)")
    if doc.get("post_processor") is not None:
        raise ConfigError("SentencePiece has no post-processor")
    unigram = model["type"] == "Unigram"
    pieces, unk, byte_fallback = (_unigram_pieces if unigram else _bpe_pieces)(doc, model)

    def id_of(name: str, kind: str) -> int:
        return next((i for i, p in enumerate(pieces) if p.piece == name and p.type == kind), -1)

    piece_fields = [
        [
            (1, 2, p.piece.encode("utf-8")),
            (2, 5, _float_bits(p.score)),
            (3, 0, TYPE_NUMBERS[p.type]),
        ]
        for p in pieces
    ]

    def signed(v: int) -> int:  # an int32 on the wire: negative ones take ten bytes
        return v & 0xFFFFFFFFFFFFFFFF

    ids = {name: id_of(name, "CONTROL") for name in ("<s>", "</s>", "<pad>")}
    trainer: list[Field] = [
        (3, 0, 1 if unigram else 2),
        (4, 0, len(pieces)),
        (24, 0, int(flags[3])),
        (35, 0, int(byte_fallback)),
        (40, 0, signed(id_of(unk, "UNKNOWN"))),
        (41, 0, signed(ids["<s>"])),
        (42, 0, signed(ids["</s>"])),
        (43, 0, signed(ids["<pad>"])),
        (45, 2, unk.encode("utf-8")),
    ]
    for number, name in ((46, "<s>"), (47, "</s>"), (48, "<pad>")):
        if ids[name] >= 0:
            trainer.append((number, 2, name.encode("utf-8")))
    norm: list[Field] = [
        (1, 2, b"user_defined" if charsmap else b"identity"),
        (2, 2, charsmap),
        (3, 0, int(flags[0])),
        (4, 0, int(flags[1])),
        (5, 0, int(flags[2])),
    ]
    return ModelProto(pieces, piece_fields, trainer, norm)
