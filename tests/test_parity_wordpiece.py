"""Hypothesis: the Rust core and the Python reference train the same WordPiece vocabulary and
encode the same ids, ties and odd settings included (docs/wordpiece.md)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import subwordx

# A small alphabet with a multi-byte char makes ties, repeated symbols and shared pieces common.
WORDS = st.text(alphabet="abcé#", min_size=1, max_size=7)
COUNTS = st.dictionaries(WORDS, st.integers(1, 6), min_size=1, max_size=25)


def _vocab(tok: subwordx.Tokenizer) -> list[str]:
    v = tok.get_vocab()
    return sorted(v, key=v.__getitem__)


@settings(max_examples=120, deadline=None)
@given(
    counts=COUNTS,
    extra=st.integers(0, 40),
    min_frequency=st.integers(0, 3),
    max_piece_length=st.none() | st.integers(1, 4),
    limit_alphabet=st.none() | st.integers(1, 5),
    prefix=st.sampled_from(["##", "", "@"]),
)
def test_training_is_the_same(
    counts: dict[str, int],
    extra: int,
    min_frequency: int,
    max_piece_length: int | None,
    limit_alphabet: int | None,
    prefix: str,
) -> None:
    kwargs = {
        "word_counts": counts,
        "vocab_size": 20 + extra,
        "min_frequency": min_frequency,
        "max_piece_length": max_piece_length,
        "limit_alphabet": limit_alphabet,
        "continuing_subword_prefix": prefix,
        "special_tokens": ["[UNK]"],
    }
    try:
        rust = subwordx.train_wordpiece(**kwargs, backend="rust")  # type: ignore[arg-type]
    except subwordx.SubwordxError as e:
        try:
            subwordx.train_wordpiece(**kwargs, backend="python")  # type: ignore[arg-type]
        except subwordx.SubwordxError as f:
            assert type(e) is type(f)
            return
        raise AssertionError(f"only the Rust core raised {e!r}") from None
    python = subwordx.train_wordpiece(**kwargs, backend="python")  # type: ignore[arg-type]
    assert _vocab(rust) == _vocab(python)


@settings(max_examples=120, deadline=None)
@given(
    vocab=st.lists(
        st.text(alphabet="abé", min_size=1, max_size=4).flatmap(
            lambda s: st.sampled_from([s, "##" + s])
        ),
        min_size=1,
        max_size=30,
        unique=True,
    ),
    texts=st.lists(st.text(alphabet="abéx ,.", max_size=30), max_size=5),
    max_chars=st.integers(1, 12),
)
def test_encoding_is_the_same(vocab: list[str], texts: list[str], max_chars: int) -> None:
    tokens = ["[UNK]", *[t for t in vocab if t != "[UNK]"]]
    doc = {
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": max_chars,
            "vocab": {t: i for i, t in enumerate(tokens)},
        },
        "normalizer": {"type": "BertNormalizer", "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
    }
    data = json.dumps(doc)
    rust = subwordx.Tokenizer.from_str(data, backend="rust")
    python = subwordx.Tokenizer.from_str(data, backend="python")
    for text in texts:
        r, p = rust.encode(text), python.encode(text)
        assert r.ids.tolist() == p.ids.tolist(), text
        assert r.offsets.tolist() == p.offsets.tolist(), text
