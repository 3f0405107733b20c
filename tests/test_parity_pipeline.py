"""The Rust pipeline and the Python reference agree on every field of every encoding, for
tokenizers assembled from many HF components, on generated text (hypothesis).

The tokenizers are small byte-level and classic BPEs trained here, with their components swapped
for others (normalizers, split regexes with every behaviour, digits, punctuation, added tokens with
lstrip/rstrip/single_word, templates, truncation and padding), through the tokenizer.json both
backends read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subwordx import Tokenizer, _backend, train_bpe

pytestmark = pytest.mark.skipif(_backend._core is None, reason="the compiled core is not installed")

CORPUS = [
    "The cat's 12345 naïve café, won't it? ＡＢＣ ﬁne",
    "東京 and 京都: 100 yen! e\u0301cole   spaces\ttabs",
    "<mask> and [CLS] are not special here; 😀🔥",
] * 5

ALPHABET = "ab cAB1 23'sé\u0301東京😀,.!\t\n<>[]mask"
texts = st.text(alphabet=ALPHABET, max_size=40)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SPLITS: list[dict[str, Any]] = [
    {"type": "Split", "pattern": {"Regex": r"\s+|[0-9]+"}, "behavior": b, "invert": inv}
    for b in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]
    for inv in [False, True]
] + [
    {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False},
    {"type": "Digits", "individual_digits": True},
    {"type": "Punctuation", "behavior": "Contiguous"},
    {"type": "Whitespace"},
]


def _variants() -> list[tuple[str, dict[str, Any]]]:
    byte = json.loads(train_bpe(texts=CORPUS, vocab_size=320, byte_level=True).to_str("hf"))
    classic = json.loads(
        train_bpe(texts=CORPUS, vocab_size=120, special_tokens=["<mask>"]).to_str("hf")
    )
    out = []
    for i, split in enumerate(SPLITS):
        doc = json.loads(json.dumps(byte))
        byte_level = {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": i % 3 == 0,
        }
        doc["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [split, byte_level]}
        doc["normalizer"] = [
            None,
            {"type": "NFKC"},
            {
                "type": "Sequence",
                "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}],
            },
        ][i % 3]
        out.append((f"byte-level {split['type']} {i}", doc))
    for use_regex in [True, False]:
        doc = json.loads(json.dumps(byte))
        doc["pre_tokenizer"] = {
            "type": "ByteLevel",
            "add_prefix_space": True,
            "trim_offsets": True,
            "use_regex": use_regex,
        }
        doc["post_processor"] = {
            "type": "ByteLevel",
            "add_prefix_space": True,
            "trim_offsets": True,
            "use_regex": True,
        }
        out.append((f"byte-level with a prefix space, regex {use_regex}", doc))
    for k, scheme in enumerate(["always", "first", "never"]):
        doc = json.loads(json.dumps(classic))
        doc["pre_tokenizer"] = {
            "type": "Metaspace",
            "replacement": "▁",
            "prepend_scheme": scheme,
            "split": k != 1,
        }
        doc["decoder"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme}
        out.append((f"Metaspace {scheme}", doc))
    doc = json.loads(json.dumps(classic))
    n = len(doc["model"]["vocab"])
    doc["added_tokens"] += [
        {
            "id": n,
            "content": "[CLS]",
            "single_word": False,
            "lstrip": False,
            "rstrip": True,
            "normalized": False,
            "special": True,
        },
        {
            "id": n + 1,
            "content": "mask",
            "single_word": True,
            "lstrip": True,
            "rstrip": False,
            "normalized": True,
            "special": False,
        },
    ]
    doc["post_processor"] = {"type": "BertProcessing", "sep": ["<mask>", 0], "cls": ["[CLS]", n]}
    doc["truncation"] = {
        "max_length": 12,
        "stride": 3,
        "strategy": "LongestFirst",
        "direction": "Right",
    }
    doc["padding"] = {
        "strategy": {"Fixed": 14},
        "direction": "Left",
        "pad_to_multiple_of": None,
        "pad_id": 0,
        "pad_type_id": 0,
        "pad_token": "<mask>",
    }
    out.append(("classic with added tokens, truncation, padding", doc))
    return out


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, Tokenizer, Tokenizer]]:
    made = []
    for name, doc in _variants():
        text = json.dumps(doc)
        made.append(
            (
                name,
                Tokenizer.from_str(text, backend="rust"),
                Tokenizer.from_str(text, backend="python"),
            )
        )
    return made


def _fields(tok: Tokenizer, text: str, pair: str | None) -> dict[str, Any]:
    e = tok.encode(text, pair)
    return {
        "ids": e.ids.tolist(),
        "offsets": e.offsets.tolist(),
        "type_ids": e.type_ids.tolist(),
        "special": e.special_tokens_mask.tolist(),
        "attention": e.attention_mask.tolist(),
        "words": e.word_ids,
        "overflowing": [o.ids.tolist() for o in e.overflowing],
        "decoded": tok.decode(e.ids),
    }


@SETTINGS
@given(texts, st.one_of(st.none(), texts))
def test_backends_agree_on_every_field(
    pairs: list[tuple[str, Tokenizer, Tokenizer]], text: str, pair: str | None
) -> None:
    for name, rust, py in pairs:
        assert _fields(rust, text, pair) == _fields(py, text, pair), (name, text, pair)
