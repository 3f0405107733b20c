"""The numpy reference word2vec and phrases: building blocks, learning, and gensim parity."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subwordx.errors import ConfigError, EmptyCorpusError
from subwordx.reference.phrases import learn_phrases, score_bigram
from subwordx.reference.word2vec import (
    Lcg,
    build_huffman,
    build_vocab,
    init_vectors,
    make_cum_table,
    sigmoid_table,
    train_word2vec,
)
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA  # ../shared/data: a missing file fails its test, never skips it
LEE = DATA / "corpora" / "lee_background.cor"


def lee() -> list[list[str]]:
    return [line.lower().split() for line in LEE.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------ building blocks


def test_lcg_is_word2vec_c() -> None:
    g = Lcg(7)
    expected = 7
    for _ in range(5):
        expected = (expected * 25214903917 + 11) % 2**64
        assert g.advance() == expected
    assert Lcg(2**64 + 3).next == 3


def test_init_vectors_formula() -> None:
    dim, seed = 5, 11
    syn0 = init_vectors(3, dim, seed)
    g = Lcg(seed)
    g.advance()
    for i in range(3):
        for j in range(dim):
            top = g.advance() >> 48
            assert syn0[i, j] == np.float32((np.float32(top) / 65536 - 0.5) * 2 / dim)
    assert syn0.dtype == np.float32 and np.all(np.abs(syn0) <= 1.0 / dim)


def test_init_vectors_have_no_short_period() -> None:
    # word2vec.c's `next & 0xFFFF` repeats every 65,536 draws: at dim 4, rows 0 and 16,384 would
    # start identical.
    syn0 = init_vectors(16385, 4, seed=1)
    assert not np.array_equal(syn0[0], syn0[16384])
    assert abs(float(np.corrcoef(syn0[:-1].ravel(), syn0[1:].ravel())[0, 1])) < 0.01


def test_sigmoid_table() -> None:
    t = sigmoid_table()
    assert t.dtype == np.float32 and len(t) == 1000
    assert np.all(np.diff(t) > 0)
    assert t[0] == np.float32(1 / (1 + math.exp(6)))


def test_vocab_order_and_max_final_vocab() -> None:
    sents = [["b"] * 3 + ["a"] * 3 + ["c"] * 2 + ["d"] * 2 + ["e"]]
    assert build_vocab(sents, min_count=1)[0] == ["a", "b", "c", "d", "e"]
    assert build_vocab(sents, min_count=3)[0] == ["a", "b"]
    # At most 3 words: "c" and "d" tie at the cut, so the effective min_count becomes 3.
    assert build_vocab(sents, min_count=1, max_final_vocab=3)[0] == ["a", "b"]
    assert build_vocab(sents, min_count=1, max_final_vocab=4)[0] == ["a", "b", "c", "d"]


def test_cum_table_draws_follow_unigram_power() -> None:
    counts = [100, 50, 10, 1]
    table = make_cum_table(counts)
    assert table[-1] == 2**31 - 1 and np.all(np.diff(table) > 0)
    z = sum(c**0.75 for c in counts)
    probs = np.diff(np.concatenate(([0], table))) / (2**31 - 1)
    np.testing.assert_allclose(probs, [c**0.75 / z for c in counts], rtol=1e-8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=2, max_size=80))
def test_huffman_is_an_optimal_prefix_code(raw: list[int]) -> None:
    counts = sorted(raw, reverse=True)
    codes, points = build_huffman(counts)
    v = len(counts)
    words = ["".join(map(str, c.tolist())) for c in codes]
    # Prefix-free and complete (Kraft sum exactly 1 for a full binary tree).
    for i, a in enumerate(words):
        assert a
        for j, b in enumerate(words):
            assert i == j or not b.startswith(a)
    assert sum(2.0 ** -len(w) for w in words) == pytest.approx(1.0)
    # Paths start at the root (V-2) and stay among inner nodes.
    for c, p in zip(codes, points, strict=True):
        assert len(c) == len(p) and p[0] == v - 2 and np.all((p >= 0) & (p <= v - 2))
    # Optimality: H <= average length < H + 1, and equal to a textbook Huffman cost.
    total = sum(counts)
    avg = sum(c * len(w) for c, w in zip(counts, words, strict=True)) / total
    entropy = -sum(c / total * math.log2(c / total) for c in counts)
    assert entropy - 1e-9 <= avg < entropy + 1
    import heapq

    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        x, y = heapq.heappop(heap), heapq.heappop(heap)
        cost += x + y
        heapq.heappush(heap, x + y)
    assert sum(c * len(w) for c, w in zip(counts, words, strict=True)) == cost


def test_huffman_ties_follow_word2vec_c() -> None:
    # Equal counts: word2vec.c takes the inner node (pos2) on a tie, so the tree is balanced.
    codes, points = build_huffman([1, 1, 1, 1])
    assert [c.tolist() for c in codes] == [[1, 1], [1, 0], [0, 1], [0, 0]]
    assert [p.tolist() for p in points] == [[2, 1], [2, 1], [2, 0], [2, 0]]


# ------------------------------------------------------------ training


def test_config_errors() -> None:
    with pytest.raises(ConfigError):
        train_word2vec([["a"]], sg=True, negative=0, hs=False, min_count=1)
    with pytest.raises(ConfigError):
        train_word2vec([["a"]], sg=True, window=0, min_count=1)
    with pytest.raises(EmptyCorpusError):
        train_word2vec([["a", "b"]], sg=True, min_count=5)


def test_deterministic_for_a_seed() -> None:
    sents = lee()[:40]
    kw = dict(
        sg=False, vector_size=10, window=3, negative=3, hs=True, sample=1e-3, min_count=2, epochs=1
    )
    a = train_word2vec(sents, seed=5, **kw)  # type: ignore[arg-type]
    b = train_word2vec(sents, seed=5, **kw)  # type: ignore[arg-type]
    c = train_word2vec(sents, seed=6, **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.syn0, b.syn0)
    assert a.syn1 is not None and b.syn1 is not None
    np.testing.assert_array_equal(a.syn1, b.syn1)
    assert not np.array_equal(a.syn0, c.syn0)


def test_two_topic_corpus_separates_topics() -> None:
    """Words that share contexts end up closer than words that never do (skip-gram and CBOW)."""
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    sents = [list(rng.choice(topics[t % 2], 8)) for t in range(400)]
    for sg in (True, False):
        r = train_word2vec(
            sents,
            sg=sg,
            vector_size=16,
            window=3,
            negative=4,
            hs=not sg,
            sample=0.0,
            min_count=1,
            epochs=3,
            seed=3,
        )
        unit = r.syn0 / np.linalg.norm(r.syn0, axis=1, keepdims=True)
        group = np.array([k[0] == "a" for k in r.keys])
        sims = unit @ unit.T
        within = sims[np.ix_(group, group)][~np.eye(8, dtype=bool)].mean()
        across = sims[np.ix_(group, ~group)].mean()
        assert within > across + 0.3, (sg, within, across)
        assert r.losses[-1] < r.losses[0]


def test_lee_skipgram_learns_cooccurrence() -> None:
    """On real news text, frequent collocations end up far more similar than random pairs."""
    sents = lee()
    r = train_word2vec(
        sents,
        sg=True,
        vector_size=24,
        window=3,
        negative=3,
        hs=False,
        sample=1e-3,
        min_count=5,
        epochs=3,
        seed=1,
    )
    assert r.syn1neg is not None and r.syn1 is None
    assert r.losses[-1] < r.losses[0]
    index = {w: i for i, w in enumerate(r.keys)}
    # Centre the vectors: early in training all vectors share a common direction.
    x = r.syn0 - r.syn0.mean(axis=0)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    bigrams = Counter(
        (a, b)
        for s in sents
        for a, b in zip(s, s[1:], strict=False)
        if a in index and b in index and a != b
    )
    # Collocations: frequent pairs of mid-frequency words (skip the 100 most frequent words).
    content = [
        (a, b)
        for (a, b), n in bigrams.most_common()
        if index[a] >= 100 and index[b] >= 100 and n >= 5
    ][:40]
    assert len(content) >= 20
    colloc = np.mean([unit[index[a]] @ unit[index[b]] for a, b in content])
    rng = np.random.default_rng(0)
    pairs = rng.integers(100, len(r.keys), size=(2000, 2))
    rand = np.mean([unit[i] @ unit[j] for i, j in pairs if i != j])
    assert colloc > rand + 0.2, (colloc, rand)


# ------------------------------------------------------------ phrases


def test_phrases_exact_on_hand_made_corpus() -> None:
    sents = [
        ["new", "york", "is", "a", "city"],
        ["i", "saw", "new", "york"],
        ["a", "new", "car"],
        ["york", "minster"],
    ] * 5
    # N = 70; count(new york) = 10, count(new) = count(york) = 15; every other bigram occurs 5
    # times, so its default score (5 - min_count) / ... is 0 with min_count = 5.
    p = learn_phrases(sents, min_count=5, threshold=1.0)
    assert p.passes[0] == {("new", "york"): pytest.approx((10 - 5) / (15 * 15) * 70)}
    assert p.apply(["i", "saw", "new", "york", "minster"]) == ["i", "saw", "new_york", "minster"]
    assert p.apply(["new", "new", "york", "york"]) == ["new", "new_york", "york"]
    assert learn_phrases(sents, min_count=5, threshold=1.0, delimiter="+").apply(
        ["new", "york"]
    ) == ["new+york"]
    # With min_count = 3 the 5-count bigrams score (5 - 3) / (c(a) c(b)) * 70.
    p = learn_phrases(sents, min_count=3, threshold=2.0)
    assert p.passes[0] == {
        ("i", "saw"): pytest.approx(2 / (5 * 5) * 70),
        ("is", "a"): pytest.approx(2 / (5 * 10) * 70),
        ("a", "city"): pytest.approx(2 / (10 * 5) * 70),
        ("new", "york"): pytest.approx(7 / (15 * 15) * 70),
    }
    assert p.apply(["i", "saw", "new", "york"]) == ["i_saw", "new_york"]
    assert p.apply(["is", "a", "city"]) == ["is_a", "city"]  # left to right, greedy


def test_phrases_two_passes_build_trigrams() -> None:
    sents = [[f"f{i}", "new", "york", "times", f"g{i}"] for i in range(20)]
    p = learn_phrases(sents, min_count=3, threshold=0.5, passes=2)
    assert set(p.passes[0]) == {("new", "york"), ("york", "times")}
    assert set(p.passes[1]) == {("new_york", "times")}
    assert p.apply(["new", "york", "times"]) == ["new_york_times"]


def test_default_score_differs_from_gensim_only_by_n_over_len_vocab() -> None:
    gensim = pytest.importorskip("gensim")
    sents = lee()[:200]
    ours = learn_phrases(sents, min_count=5, threshold=1.0)
    g = gensim.models.phrases.Phrases(sents, min_count=5, threshold=1e-9)
    n = sum(len(s) for s in sents)
    scale = n / len(g.vocab)
    uni = Counter(w for s in sents for w in s)
    big = Counter(b for s in sents for b in zip(s, s[1:], strict=False))
    checked = 0
    for (a, b), score in list(ours.passes[0].items())[:50]:
        assert score == pytest.approx(score_bigram(uni[a], uni[b], big[(a, b)], n, 5))
        gscore = g.score_candidate(a, b, [])[1]
        assert score == pytest.approx(gscore * scale, rel=1e-9)
        checked += 1
    assert checked > 10
    # npmi is the same formula in both.
    ours_npmi = learn_phrases(sents, min_count=5, scoring="npmi", threshold=0.3)
    g = gensim.models.phrases.Phrases(sents, min_count=5, threshold=0.3, scoring="npmi")
    for (a, b), score in ours_npmi.passes[0].items():
        assert score == pytest.approx(g.score_candidate(a, b, [])[1], rel=1e-9)
    assert len(ours_npmi.passes[0]) == len(g.export_phrases())


def test_phrases_on_lee_find_collocations() -> None:
    p = learn_phrases(lee(), min_count=5, threshold=10.0)
    found = set(p.passes[0])
    for pair in [("prime", "minister"), ("united", "states"), ("new", "york")]:
        assert pair in found or pair in {k for k in found if k[0] == pair[0]}, pair
    assert ("of", "the") not in found and ("in", "the") not in found
    with pytest.raises(ConfigError):
        learn_phrases(lee(), scoring="bogus")  # type: ignore[arg-type]
