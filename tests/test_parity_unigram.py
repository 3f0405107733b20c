"""Hypothesis: the Rust core and the Python reference train the same Unigram model (same pieces,
scores within 1e-6 relative) and agree on every Viterbi segmentation, n-best list and seeded
sample (docs/unigram.md)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import subwordx

# Few chars, so that pieces overlap and the lattices branch.
WORDS = st.text(alphabet="abcé", min_size=1, max_size=7)
COUNTS = st.dictionaries(WORDS, st.integers(1, 9), min_size=1, max_size=20)
TEXTS = st.lists(st.text(alphabet="abcé ", min_size=1, max_size=10), min_size=1, max_size=2)


def _pieces(tok: subwordx.Tokenizer) -> list[tuple[str, float]]:
    return [(p, s) for p, s in json.loads(tok.to_str("hf"))["model"]["vocab"]]


@settings(max_examples=60, deadline=None)
@given(counts=COUNTS, extra=st.integers(0, 30), shrinking=st.sampled_from([0.5, 0.75, 0.9]))
def test_training_is_the_same(counts: dict[str, int], extra: int, shrinking: float) -> None:
    alphabet = {c for w in counts for c in w} | {"\u2581"}
    kwargs = {
        "word_counts": counts,
        "vocab_size": len(alphabet) + 1 + extra,
        "shrinking_factor": shrinking,
        "character_coverage": 1.0,
    }
    rust = subwordx.train_unigram(**kwargs, backend="rust")  # type: ignore[arg-type]
    py = subwordx.train_unigram(**kwargs, backend="python")  # type: ignore[arg-type]
    a, b = _pieces(rust), _pieces(py)
    assert [p for p, _ in a] == [p for p, _ in b]
    for (_, x), (_, y) in zip(a, b):
        assert abs(x - y) <= 1e-6 * max(1.0, abs(y)), (x, y)


_MODEL = st.lists(
    st.tuples(st.text(alphabet="abcé\u2581", min_size=1, max_size=3), st.floats(-12.0, -0.1)),
    min_size=1,
    max_size=18,
    unique_by=lambda t: t[0],
)


def _pair(pieces: list[tuple[str, float]]) -> tuple[subwordx.Tokenizer, subwordx.Tokenizer]:
    doc = {
        "version": "1.0",
        "added_tokens": [{"id": 0, "content": "<unk>", "special": True, "normalized": False}],
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "post_processor": None,
        "decoder": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "model": {
            "type": "Unigram",
            "unk_id": 0,
            "vocab": [["<unk>", 0.0]] + [[p, s] for p, s in pieces],
        },
    }
    text = json.dumps(doc)
    return (
        subwordx.Tokenizer.from_str(text, backend="rust"),
        subwordx.Tokenizer.from_str(text, backend="python"),
    )


@settings(max_examples=100, deadline=None)
@given(
    pieces=_MODEL,
    texts=TEXTS,
    n=st.integers(1, 6),
    seed=st.integers(0, 2**64 - 1),
    alpha=st.floats(0.0, 2.0),
    nbest_size=st.sampled_from([-1, 0, 1, 3]),
)
def test_encoding_nbest_and_sampling_are_the_same(
    pieces: list[tuple[str, float]],
    texts: list[str],
    n: int,
    seed: int,
    alpha: float,
    nbest_size: int,
) -> None:
    rust, py = _pair(pieces)
    for text in texts:
        a, b = rust.encode(text), py.encode(text)
        assert a.ids.tolist() == b.ids.tolist()
        assert a.offsets.tolist() == b.offsets.tolist()
        na, nb = rust.encode_nbest(text, n), py.encode_nbest(text, n)
        assert [e.ids.tolist() for e, _ in na] == [e.ids.tolist() for e, _ in nb]
        for (_, x), (_, y) in zip(na, nb):
            assert abs(x - y) <= 1e-9 * max(1.0, abs(y))
        sa = rust.encode_sample(text, alpha=alpha, nbest_size=nbest_size, seed=seed)
        sb = py.encode_sample(text, alpha=alpha, nbest_size=nbest_size, seed=seed)
        assert sa.ids.tolist() == sb.ids.tolist()
        assert sa.offsets.tolist() == sb.offsets.tolist()
