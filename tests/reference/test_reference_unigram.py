"""Tests of the pure-Python Unigram reference (docs/unigram.md): the lattice against brute force
(every segmentation enumerated), digamma, the seed candidates against their definition, and the
golden cases of ``tests/fixtures/unigram_cases.json``."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIXTURES

from subwordx.reference import unigram as ref

CASES = json.loads((FIXTURES / "unigram_cases.json").read_text(encoding="utf-8"))


def _segmentations(word: str, vocab: dict[str, float]) -> list[tuple[list[str], float]]:
    """Every segmentation of ``word`` into vocabulary pieces, by brute force."""
    n = len(word)
    out = []
    for mask in itertools.product([0, 1], repeat=max(n - 1, 0)):
        cuts = [0] + [i + 1 for i, m in enumerate(mask) if m] + [n]
        parts = [word[a:b] for a, b in zip(cuts, cuts[1:])]
        if all(p in vocab for p in parts):
            out.append((parts, sum(vocab[p] for p in parts)))
    return out


VOCAB = st.dictionaries(
    st.text(alphabet="abc", min_size=1, max_size=3), st.floats(-9.0, -0.1), min_size=1
).map(lambda d: {**{c: -10.0 for c in "abc"}, **d})


@settings(max_examples=80, deadline=None)
@given(vocab=VOCAB, word=st.text(alphabet="abc", min_size=1, max_size=7))
def test_lattice_against_brute_force(vocab: dict[str, float], word: str) -> None:
    pieces = sorted(vocab.items())
    model = ref.UnigramModel(pieces)
    edges = model.edges(word)
    every = _segmentations(word, vocab)
    best = max(s for _, s in every)
    _path, score = ref.viterbi(len(word), edges) or ([], 0.0)
    assert score == pytest.approx(best)
    z = math.log(sum(math.exp(s) for _, s in every))
    posts, logz = ref.forward_backward(len(word), edges)
    assert logz == pytest.approx(z)
    # Posterior of each edge = total probability of the segmentations using it.
    for e, p in zip(edges, posts):
        piece = word[e.start : e.end]
        want = sum(
            math.exp(s - z)
            for parts, s in every
            if any(q == piece and sum(map(len, parts[:k])) == e.start for k, q in enumerate(parts))
        )
        assert p == pytest.approx(want, abs=1e-9)
    k = min(len(every), 5)
    nb = ref.nbest(len(word), edges, 10)
    assert len(nb) == min(10, len(every))
    assert [s for _, s in nb[:k]] == pytest.approx(sorted((s for _, s in every), reverse=True)[:k])


def test_digamma() -> None:
    gamma = 0.5772156649015329
    assert ref.digamma(1.0) == pytest.approx(-gamma, abs=1e-12)
    assert ref.digamma(0.5) == pytest.approx(-gamma - 2 * math.log(2), abs=1e-12)
    for x in (0.7, 3.0, 12.5, 1e4):
        assert ref.digamma(x + 1) - ref.digamma(x) == pytest.approx(1 / x, rel=1e-10)


def test_seed_candidates_follow_the_definition() -> None:
    words = [("\u2581abab", 3), ("\u2581ab", 2), ("\u2581ba", 1)]
    chars = ref.alphabet(words, 1.0)
    seeds = dict(ref.seed_pieces(words, chars, ref.Config()))
    # "▁ab" occurs in two words followed by "a" or the end: a node; "▁aba" only once: no.
    assert "\u2581ab" in seeds and "\u2581aba" not in seeds
    # A word end that does not branch is a seed only from WORD_END_MIN_FREQ occurrences on
    # (SentencePiece sees it as a node once an occurrence ends a line): 3 are not enough.
    assert "\u2581abab" not in seeds
    assert "\u2581ba" not in seeds  # seen once
    total = sum(math.exp(s) for s in seeds.values())
    assert total == pytest.approx(1.0)
    often = [("\u2581abab", ref.WORD_END_MIN_FREQ), ("\u2581ab", 2), ("\u2581ba", 1)]
    seeds = dict(ref.seed_pieces(often, ref.alphabet(often, 1.0), ref.Config()))
    assert "\u2581abab" in seeds and "\u2581aba" not in seeds


@pytest.mark.parametrize("case", CASES["encode"], ids=lambda c: c["name"])
def test_golden_encoding(case: dict[str, object]) -> None:
    pieces = [tuple(p) for p in case["pieces"]]  # type: ignore[attr-defined]
    if case.get("byte_pieces"):  # type: ignore[attr-defined]
        pieces += [(f"<0x{b:02X}>", -20.0) for b in range(256)]
    model = ref.UnigramModel(pieces, case["unk_id"], bool(case.get("byte_pieces")))  # type: ignore[arg-type,attr-defined]
    for word, want in case["words"].items():  # type: ignore[attr-defined]
        assert [pieces[i][0] for i, _, _ in model.tokenize(word)] == want


@pytest.mark.parametrize("case", CASES["train"], ids=lambda c: c["name"])
def test_golden_training(case: dict[str, object]) -> None:
    pieces = ref.train(case["words"], ref.Config(vocab_size=case["vocab_size"]))  # type: ignore[arg-type]
    assert [p for p, _ in pieces] == case["vocab"]


def test_sampling_frequencies_match_probabilities() -> None:
    vocab = {"a": -1.0, "b": -1.3, "ab": -1.9, "ba": -2.5, "aba": -3.0}
    model = ref.UnigramModel(sorted(vocab.items()))
    word = "abab"
    edges = model.edges(word)
    every = {tuple(p): s for p, s in _segmentations(word, vocab)}
    z = sum(math.exp(s) for s in every.values())
    rng = ref.SplitMix64(11)
    n = 4000
    seen: dict[tuple[str, ...], int] = {}
    for _ in range(n):
        path = ref.sample(len(word), edges, 1.0, rng) or []
        key = tuple(word[edges[i].start : edges[i].end] for i in path)
        seen[key] = seen.get(key, 0) + 1
    for key, s in every.items():
        p = math.exp(s) / z
        assert abs(seen.get(key, 0) / n - p) < 5 * math.sqrt(p * (1 - p) / n) + 1e-3
