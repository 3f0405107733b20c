"""KeyedVectors, the word2vec formats, and evaluation, checked against gensim."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from subwordx.embeddings import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs
from subwordx.embeddings.evaluation import rankdata, spearman
from subwordx.errors import ConfigError, ModelFormatError, SubwordxFileNotFoundError
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA  # ../shared/data: a missing file fails its test, never skips it
QUESTIONS = DATA / "eval" / "questions-words.txt"
WORDSIM = DATA / "eval" / "wordsim353.tsv"
LEE = DATA / "corpora" / "lee_background.cor"


def random_kv(n: int = 50, dim: int = 8, seed: int = 0) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    keys = [f"w{i}" for i in range(n - 1)] + ["ünï"]
    return KeyedVectors(keys, rng.standard_normal((n, dim)).astype(np.float32))


@pytest.fixture(scope="module")
def gensim_model() -> object:
    gensim = pytest.importorskip("gensim")
    sents = [line.lower().split() for line in LEE.read_text(encoding="utf-8").splitlines()]
    model = gensim.models.Word2Vec(
        sents, vector_size=40, min_count=2, epochs=5, seed=1, workers=1, sg=1
    )
    return model.wv


def ours(gkv: object) -> KeyedVectors:
    return KeyedVectors(list(gkv.index_to_key), gkv.vectors)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- basics


def test_lookup_and_errors() -> None:
    kv = random_kv()
    assert len(kv) == 50 and kv.vector_size == 8 and "w3" in kv and "nope" not in kv
    assert kv["w3"] is not None and np.shares_memory(kv["w3"], kv.vectors)
    assert kv[["w1", "w2"]].shape == (2, 8)
    with pytest.raises(KeyError, match="nope"):
        kv["nope"]
    with pytest.raises(KeyError, match="nope"):
        kv.most_similar("nope")
    with pytest.raises(ConfigError):
        KeyedVectors(["a", "a"], np.zeros((2, 2), np.float32))
    with pytest.raises(ConfigError):
        KeyedVectors(["a"], np.zeros((2, 2), np.float32))


def test_similarity_queries_match_gensim() -> None:
    gensim = pytest.importorskip("gensim")
    kv = random_kv(200, 16)
    gkv = gensim.models.KeyedVectors(16)
    gkv.add_vectors(kv.index_to_key, kv.vectors.copy())
    for pos, neg in [(["w1"], []), (["w1", "w2"], ["w3"]), (["w5"], ["w6", "w7"])]:
        a = kv.most_similar(positive=pos, negative=neg, topn=7)
        b = gkv.most_similar(positive=pos, negative=neg, topn=7)
        assert [k for k, _ in a] == [k for k, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=1e-6)
        a = kv.most_similar_cosmul(positive=pos, negative=neg, topn=7)
        with warnings.catch_warnings():  # gensim calls its own deprecated init_sims
            warnings.simplefilter("ignore", DeprecationWarning)
            b = gkv.most_similar_cosmul(positive=pos, negative=neg, topn=7)
        assert [k for k, _ in a] == [k for k, _ in b]
    assert [k for k, _ in kv.most_similar("w1", restrict_vocab=50)] == [
        k for k, _ in gkv.most_similar("w1", restrict_vocab=50)
    ]
    assert kv.similarity("w1", "w2") == pytest.approx(float(gkv.similarity("w1", "w2")), abs=1e-6)
    assert kv.distance("w1", "w2") == pytest.approx(float(gkv.distance("w1", "w2")), abs=1e-6)
    assert kv.n_similarity(["w1", "w4"], ["w2"]) == pytest.approx(
        float(gkv.n_similarity(["w1", "w4"], ["w2"])), abs=1e-6
    )
    words = ["w1", "w2", "w3", "w4", "w9"]
    assert kv.doesnt_match(words) == gkv.doesnt_match(words)
    vec = kv["w10"] + kv["w11"]
    assert [k for k, _ in kv.similar_by_vector(vec, topn=5)] == [
        k for k, _ in gkv.similar_by_vector(vec, topn=5)
    ]


def test_norms_are_lazy_and_cached() -> None:
    kv = random_kv()
    assert kv.norms is None
    kv.most_similar("w1")
    norms = kv.norms
    kv.most_similar("w2")
    assert kv.norms is norms
    np.testing.assert_allclose(np.linalg.norm(kv.get_vector("w1", norm=True)), 1.0, rtol=1e-6)


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("binary", [True, False])
def test_roundtrip_with_gensim_both_ways(tmp_path: Path, binary: bool) -> None:
    gensim = pytest.importorskip("gensim")
    kv = random_kv(300, 12)
    kv.vectors[0, 0] = np.float32(1e-30)  # tiny values must survive the text format too
    ours_path = tmp_path / "ours"
    kv.save_word2vec_format(ours_path, binary=binary)
    g = gensim.models.KeyedVectors.load_word2vec_format(str(ours_path), binary=binary)
    assert list(g.index_to_key) == kv.index_to_key
    np.testing.assert_array_equal(g.vectors, kv.vectors)

    theirs = tmp_path / "theirs"
    g.save_word2vec_format(str(theirs), binary=binary)
    back = KeyedVectors.load_word2vec_format(theirs)  # auto-detected
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    back = KeyedVectors.load_word2vec_format(theirs, binary=binary, limit=10)
    assert len(back) == 10


def test_reads_word2vec_c_output(tmp_path: Path) -> None:
    vecs = np.array([[0.5, -1.25], [3.0, 4.0]], np.float32)
    # word2vec.c binary: "word " + raw floats + "\n"; text: "%lf " per value.
    p = tmp_path / "c.bin"
    p.write_bytes(
        b"2 2\n"
        + b"".join(
            w + b" " + v.tobytes() + b"\n" for w, v in zip([b"</s>", b"cat"], vecs, strict=True)
        )
    )
    kv = KeyedVectors.load_word2vec_format(p)
    assert kv.index_to_key == ["</s>", "cat"]
    np.testing.assert_array_equal(kv.vectors, vecs)
    # Without the final newline.
    p.write_bytes(p.read_bytes()[:-1])
    np.testing.assert_array_equal(KeyedVectors.load_word2vec_format(p, binary=True).vectors, vecs)
    t = tmp_path / "c.txt"
    t.write_text("2 2\n</s> 0.500000 -1.250000 \ncat 3.000000 4.000000 \n")
    np.testing.assert_array_equal(KeyedVectors.load_word2vec_format(t).vectors, vecs)


def test_corrupt_files_are_errors(tmp_path: Path) -> None:
    kv = random_kv(20, 4)
    b = tmp_path / "v.bin"
    kv.save_word2vec_format(b, binary=True)
    data = b.read_bytes()
    b.write_bytes(data[:-10])
    with pytest.raises(ModelFormatError, match="truncated"):
        KeyedVectors.load_word2vec_format(b, binary=True)
    b.write_bytes(b"21 4\n" + data.split(b"\n", 1)[1])
    with pytest.raises(ModelFormatError, match="truncated"):
        KeyedVectors.load_word2vec_format(b, binary=True)
    b.write_bytes(b"19 4\n" + data.split(b"\n", 1)[1])
    with pytest.raises(ModelFormatError, match="more data"):
        KeyedVectors.load_word2vec_format(b, binary=True)
    t = tmp_path / "v.txt"
    t.write_text("2 2\na 1 2\nb 1 x\n")
    with pytest.raises(ModelFormatError, match=r"line 3.*'x'.*'b'"):
        KeyedVectors.load_word2vec_format(t, binary=False)
    t.write_text("3 2\na 1 2\nb 1 2\n")
    with pytest.raises(ModelFormatError, match="truncated"):
        KeyedVectors.load_word2vec_format(t, binary=False)
    t.write_text("2 2\na 1 2\nb 1\n")
    with pytest.raises(ModelFormatError, match="line 3"):
        KeyedVectors.load_word2vec_format(t, binary=False)
    t.write_text("two 2\n")
    with pytest.raises(ModelFormatError, match="header"):
        KeyedVectors.load_word2vec_format(t)
    with pytest.raises(SubwordxFileNotFoundError):
        KeyedVectors.load_word2vec_format(tmp_path / "missing.bin")


def test_failed_save_leaves_no_temp_and_keeps_old(tmp_path: Path) -> None:
    kv = random_kv(5, 2)
    p = tmp_path / "v.txt"
    kv.save_word2vec_format(p)
    before = p.read_bytes()
    bad = KeyedVectors(["a b"], np.zeros((1, 2), np.float32))
    with pytest.raises(ConfigError):
        bad.save_word2vec_format(p)
    with pytest.raises(ConfigError):
        kv.save(tmp_path / "m.npz", extra={"vectors": np.zeros(1)})
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["v.txt"]


def test_a_large_binary_file_round_trips(tmp_path: Path) -> None:
    """Exactly, at 70k x 100. (Its speed is measured in benches/, never asserted here: a timed
    assertion fails on a loaded machine and proves nothing on a quiet one.)"""
    rng = np.random.default_rng(1)
    kv = KeyedVectors(
        [f"word{i}" for i in range(70_000)], rng.standard_normal((70_000, 100)).astype(np.float32)
    )
    p = tmp_path / "big.bin"
    kv.save_word2vec_format(p, binary=True)
    back = KeyedVectors.load_word2vec_format(p, binary=True)
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.index_to_key == kv.index_to_key


def test_native_save_load_with_extras(tmp_path: Path) -> None:
    kv = random_kv(10, 3)
    kv.counts = np.arange(10, 0, -1, dtype=np.int64)
    syn1neg = np.ones((10, 3), np.float32)
    p = tmp_path / "model.npz"
    kv.save(p, extra={"syn1neg": syn1neg}, config={"sg": True, "window": 5})
    m = KeyedVectors.load_full(p)
    assert m.kv.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(m.kv.vectors, kv.vectors)
    assert m.kv.counts is not None
    np.testing.assert_array_equal(m.kv.counts, kv.counts)
    np.testing.assert_array_equal(m.extra["syn1neg"], syn1neg)
    assert m.config == {"sg": True, "window": 5}
    assert KeyedVectors.load(p).index_to_key == kv.index_to_key
    p.write_bytes(b"garbage")
    with pytest.raises(ModelFormatError):
        KeyedVectors.load(p)


# ---------------------------------------------------------------- evaluation


def test_rank_correlation_matches_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    x = rng.integers(0, 10, 200).astype(float)  # many ties
    y = (x + rng.integers(0, 5, 200)).astype(float)
    np.testing.assert_allclose(rankdata(x), stats.rankdata(x))
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-12)


def test_analogies_match_gensim(gensim_model: object) -> None:
    kv = ours(gensim_model)
    for restrict in (3000, 30000):
        g_score, g_sections = gensim_model.evaluate_word_analogies(  # type: ignore[attr-defined]
            str(QUESTIONS), restrict_vocab=restrict
        )
        r = evaluate_word_analogies(kv, QUESTIONS, restrict_vocab=restrict)
        assert r.accuracy == pytest.approx(g_score, abs=1e-6)
        g = {
            s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
            for s in g_sections
            if s["section"] != "Total accuracy"
        }
        assert {s.name: (s.correct, s.total) for s in r.sections} == g
        assert r.total > 0


def test_analogies_on_random_vectors_match_gensim(tmp_path: Path) -> None:
    gensim = pytest.importorskip("gensim")
    kv = random_kv(60, 4, seed=5)
    keys = kv.index_to_key
    rng = np.random.default_rng(0)
    lines = [": one"] + [" ".join(rng.choice(keys, 4)) for _ in range(300)]
    lines += [": two", "w1 w2 W3 w4", "w1 w1 w2 w2"] + [
        " ".join(rng.choice(keys, 4)) for _ in range(300)
    ]
    q = tmp_path / "q.txt"
    q.write_text("\n".join(lines) + "\n")
    gkv = gensim.models.KeyedVectors(4)
    gkv.add_vectors(keys, kv.vectors.copy())
    g_score, _ = gkv.evaluate_word_analogies(str(q), restrict_vocab=40)
    assert evaluate_word_analogies(kv, q, restrict_vocab=40).accuracy == pytest.approx(g_score)


def test_analogy_speed_and_cosmul() -> None:
    rng = np.random.default_rng(0)
    words = {
        w
        for line in QUESTIONS.read_text().splitlines()
        if not line.startswith(":")
        for w in line.lower().split()
    }
    keys = sorted(words) + [f"filler{i}" for i in range(30_000 - len(words))]
    kv = KeyedVectors(keys, rng.standard_normal((len(keys), 100)).astype(np.float32))
    start = time.perf_counter()
    r = evaluate_word_analogies(kv, QUESTIONS, restrict_vocab=30_000)
    elapsed = time.perf_counter() - start
    assert r.total == 19544 and r.skipped == 0
    assert elapsed < 60, f"analogy evaluation took {elapsed:.1f}s"
    r2 = evaluate_word_analogies(kv, QUESTIONS, restrict_vocab=30_000, method="3cosmul")
    assert r2.total == 19544
    with pytest.raises(ConfigError):
        evaluate_word_analogies(kv, QUESTIONS, method="bogus")  # type: ignore[arg-type]


def test_word_pairs_match_gensim(gensim_model: object) -> None:
    kv = ours(gensim_model)
    (gp, _), (gs, _), g_oov = gensim_model.evaluate_word_pairs(  # type: ignore[attr-defined]
        str(WORDSIM)
    )
    r = evaluate_word_pairs(kv, WORDSIM)
    assert r.pearson == pytest.approx(gp, abs=1e-6)
    assert r.spearman == pytest.approx(gs, abs=1e-6)
    assert r.oov_ratio == pytest.approx(g_oov, abs=1e-9)
