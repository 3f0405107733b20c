"""The encodings tiktoken ships (its ``tiktoken_ext/openai_public.py``), as data.

Each encoding is a rank file (where tiktoken downloads it and the SHA-256 it checks), a split
pattern, special tokens and, for some, the vocabulary size tiktoken asserts. The patterns are
tiktoken 0.14's text exactly: the Rust core recognises each by its text and runs its hand-written
splitter for it.

``gpt2`` is ``r50k_base``'s ranks under another name: tiktoken builds it from GPT-2's
``vocab.bpe`` + ``encoder.json``, which hold the same 50,256 ranks, so subwordx reads
``r50k_base.tiktoken`` for it (one file fewer to find).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENCODINGS", "RANK_FILES", "EncodingSpec", "RankFile"]

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True)
class RankFile:
    """A rank file tiktoken downloads: its name, address and SHA-256."""

    name: str  # the file name, e.g. "cl100k_base.tiktoken"
    url: str
    sha256: str


@dataclass(frozen=True)
class EncodingSpec:
    """Everything but the ranks of one encoding."""

    name: str
    rank_file: RankFile
    pat_str: str
    special_tokens: dict[str, int]
    explicit_n_vocab: int | None = None


_BLOB = "https://openaipublic.blob.core.windows.net/encodings/"


def _rank_file(stem: str, sha256: str) -> RankFile:
    return RankFile(f"{stem}.tiktoken", f"{_BLOB}{stem}.tiktoken", sha256)


RANK_FILES: dict[str, RankFile] = {
    f.name.removesuffix(".tiktoken"): f
    for f in (
        _rank_file("r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),
        _rank_file("p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"),
        _rank_file(
            "cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        ),
        _rank_file(
            "o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
        ),
    )
}

# GPT-2's split, as tiktoken rewrote it with possessive quantifiers (the same pieces as
# 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+).
R50K_PAT_STR = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)

CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

O200K_PAT_STR = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_O200K_SPECIALS = {ENDOFTEXT: 199999, ENDOFPROMPT: 200018}

# o200k_harmony: o200k_base's ranks and pattern, with the chat format's tokens and reserved ids
# up to 201087 (tiktoken 0.14's table).
_HARMONY_SPECIALS = {
    **_O200K_SPECIALS,
    "<|startoftext|>": 199998,
    "<|reserved_200000|>": 200000,
    "<|reserved_200001|>": 200001,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|reserved_200004|>": 200004,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|reserved_200009|>": 200009,
    "<|reserved_200010|>": 200010,
    "<|reserved_200011|>": 200011,
    "<|call|>": 200012,
    **{f"<|reserved_{i}|>": i for i in range(200013, 201088)},
}

ENCODINGS: dict[str, EncodingSpec] = {
    spec.name: spec
    for spec in (
        EncodingSpec(
            "gpt2",
            RANK_FILES["r50k_base"],
            R50K_PAT_STR,
            {ENDOFTEXT: 50256},
            explicit_n_vocab=50257,
        ),
        EncodingSpec(
            "r50k_base",
            RANK_FILES["r50k_base"],
            R50K_PAT_STR,
            {ENDOFTEXT: 50256},
            explicit_n_vocab=50257,
        ),
        EncodingSpec(
            "p50k_base",
            RANK_FILES["p50k_base"],
            R50K_PAT_STR,
            {ENDOFTEXT: 50256},
            explicit_n_vocab=50281,
        ),
        EncodingSpec(
            "p50k_edit",
            RANK_FILES["p50k_base"],
            R50K_PAT_STR,
            {ENDOFTEXT: 50256, FIM_PREFIX: 50281, FIM_MIDDLE: 50282, FIM_SUFFIX: 50283},
        ),
        EncodingSpec(
            "cl100k_base",
            RANK_FILES["cl100k_base"],
            CL100K_PAT_STR,
            {
                ENDOFTEXT: 100257,
                FIM_PREFIX: 100258,
                FIM_MIDDLE: 100259,
                FIM_SUFFIX: 100260,
                ENDOFPROMPT: 100276,
            },
        ),
        EncodingSpec("o200k_base", RANK_FILES["o200k_base"], O200K_PAT_STR, dict(_O200K_SPECIALS)),
        EncodingSpec("o200k_harmony", RANK_FILES["o200k_base"], O200K_PAT_STR, _HARMONY_SPECIALS),
    )
}
