"""fastText: hashing, training, vectors for unseen words, .bin both ways (fasttext, gensim)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx import FastText, Word2Vec, _backend
from subwordx.cli import main
from subwordx.errors import ConfigError, ModelFormatError
from subwordx.fasttext import ngram_ids
from subwordx.reference.fasttext import fasttext_hash
from tests.conftest import shared

needs_core = pytest.mark.skipif(_backend._core is None, reason="the compiled core is not installed")

TRICKY = ["</s>", "été", "日本語", "naïve", "😀x", "Ωmega", "straße", "a", "ab", "x\u0301y", "где"]


@pytest.fixture(scope="module")
def lee_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = shared("corpora/lee_background.cor")
    with src.open(encoding="utf-8") as f:
        lines = [re.findall(r"[a-z]+", line.lower()) for line in f]
    p = tmp_path_factory.mktemp("lee") / "lee.txt"
    p.write_text("\n".join(" ".join(s) for s in lines) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("tiny") / "tiny.txt"
    text = "le café été naïve 日本語 the cat walked home and the dog walked too\n" * 60
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def mixed_file(lee_file: Path, tiny_file: Path) -> Path:
    """A few thousand lines of news with non-ASCII words mixed in (the fasttext package needs
    more than a toy corpus to train without NaNs)."""
    p = tiny_file.with_name("mixed.txt")
    lines = lee_file.read_text(encoding="utf-8").splitlines()[:2000]
    extra = tiny_file.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    return p


def _fnv_signed(data: bytes) -> int:
    """The documented hash, written independently: bytes >= 0x80 XOR as 0xFFFFFF00 | b."""
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ (b | 0xFFFFFF00 if b & 0x80 else b)) * 0x01000193) % 2**32
    return h


def _expected_ids(word: str, nwords: int, lo: int, hi: int, bucket: int) -> list[int]:
    if word == "</s>":  # fastText never splits its end-of-sentence token
        return []
    chars = list("<" + word + ">")
    out = []
    for i in range(len(chars)):
        for n in range(lo, hi + 1):
            if i + n > len(chars) or (n == 1 and (i == 0 or i + n == len(chars))):
                continue
            out.append(nwords + _fnv_signed("".join(chars[i : i + n]).encode()) % bucket)
    # fastText orders by start, then length: the loop above already does.
    return out


def test_hash_is_fnv1a_with_signed_bytes() -> None:
    for w in TRICKY:
        assert fasttext_hash(w.encode()) == _fnv_signed(w.encode())
    assert fasttext_hash(b"a") == 0xE40C292C  # plain FNV-1a on ASCII
    # The quirk changes every non-ASCII hash.
    plain = 0x811C9DC5
    for b in "é".encode():
        plain = ((plain ^ b) * 0x01000193) % 2**32
    assert fasttext_hash("é".encode()) != plain


@pytest.mark.parametrize("backend", ["rust", "python"])
def test_ngram_ids_follow_the_documented_algorithm(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "rust" and _backend._core is None:
        pytest.skip("no core")
    monkeypatch.setenv("SUBWORDX_BACKEND", backend)
    for lo, hi in [(3, 6), (1, 3), (2, 2)]:
        got = ngram_ids(TRICKY, 17, lo, hi, 1009)
        assert got == [_expected_ids(w, 17, lo, hi, 1009) for w in TRICKY]
    assert ngram_ids(["word"], 3, 3, 0, 100) == [[]]


def _fasttext_model(path: Path, tmp: Path, **kw: object) -> Path:
    fasttext = pytest.importorskip("fasttext")
    # thread=10: fastText's DenseMatrix::uniform initialises the input matrix in ten blocks, one
    # per thread, so with fewer threads part of it is left uninitialised (and training may stop
    # with "Encountered NaN").
    args = dict(model="skipgram", dim=8, epoch=1, minCount=1, bucket=1000, thread=10, minn=3)
    args.update(kw)
    m = fasttext.train_unsupervised(str(path), verbose=0, **args)
    out = tmp / "theirs.bin"
    m.save_model(str(out))
    return out


def test_ngram_ids_equal_the_fasttext_package(mixed_file: Path, tmp_path: Path) -> None:
    fasttext = pytest.importorskip("fasttext")
    m = fasttext.load_model(str(_fasttext_model(mixed_file, tmp_path, minn=2, maxn=5)))
    nwords = len(m.words)
    for w in [*TRICKY, "unseenword"]:
        _, ids = m.get_subwords(w)
        expected = [int(i) for i in ids if i >= nwords]
        assert ngram_ids([w], nwords, 2, 5, 1000)[0] == expected, w
        assert _expected_ids(w, nwords, 2, 5, 1000) == expected, w


@needs_core
def test_fasttext_bin_loads_in_subwordx_with_the_same_vectors(
    mixed_file: Path, tmp_path: Path
) -> None:
    fasttext = pytest.importorskip("fasttext")
    path = _fasttext_model(mixed_file, tmp_path)
    theirs = fasttext.load_model(str(path))
    ours = FastText.load(path)
    assert ours.wv.index_to_key == list(theirs.words)
    for w in [*theirs.words[:300], "walking", "cafés", "日本"]:
        np.testing.assert_allclose(ours.wv[w], theirs.get_word_vector(w), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        ours.wv.vectors, np.array([theirs.get_word_vector(w) for w in theirs.words]), atol=1e-6
    )
    # And back: our save of their model is byte-identical to theirs.
    ours.save(tmp_path / "again.bin")
    assert (tmp_path / "again.bin").read_bytes() == path.read_bytes()
    # Their model trains further here (their "</s>" and all), and still saves in their format.
    ours.threads = 1
    before = ours.wi.copy()
    ours.train(mixed_file)
    assert np.isfinite(ours.wi).all() and not np.array_equal(ours.wi, before)
    ours.save(tmp_path / "trained.bin")
    again = fasttext.load_model(str(tmp_path / "trained.bin"))
    np.testing.assert_allclose(again.get_word_vector("walking"), ours.wv["walking"], atol=1e-6)


@needs_core
@pytest.mark.parametrize("model,hs", [("skipgram", False), ("cbow", True)])
def test_our_bin_loads_in_fasttext_and_gensim(
    tiny_file: Path, tmp_path: Path, model: str, hs: bool
) -> None:
    fasttext = pytest.importorskip("fasttext")
    gensim_ft = pytest.importorskip("gensim.models.fasttext")
    ours = FastText(
        corpus_file=tiny_file, model=model, hs=hs, dim=12, min_count=1, bucket=2000,
        epochs=2, threads=1,
    )  # fmt: skip
    path = tmp_path / "ours.bin"
    ours.save(path)
    theirs = fasttext.load_model(str(path))
    g = gensim_ft.load_facebook_model(str(path))
    assert list(theirs.words) == ours.wv.index_to_key
    for w in [*ours.wv.index_to_key, "walking", "cafés", "日本"]:
        v = ours.wv[w]
        np.testing.assert_allclose(theirs.get_word_vector(w), v, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(g.wv[w], v, rtol=1e-5, atol=1e-6)
    back = FastText.load(path)
    np.testing.assert_array_equal(back.wi, ours.wi)
    np.testing.assert_array_equal(back.wo, ours.wo)
    assert back.config["model"] == model and back.config["hs"] == hs


@needs_core
def test_unseen_words_have_vectors_and_neighbours(lee_file: Path) -> None:
    # One thread: reproducible. (This small corpus leaves the neighbours' similarities close
    # together, and two Hogwild threads once put "lines" just above "fire" for "fires".)
    m = FastText(corpus_file=lee_file, dim=32, bucket=50_000, epochs=5, threads=1, seed=3)
    wv = m.wv
    assert "australian" in wv.key_to_index and "australianness" not in wv.key_to_index
    assert "australianness" in wv
    near = [w for w, _ in wv.most_similar("australianness", topn=5)]
    assert {"australian", "australia", "australians"} & set(near), near
    near = [w for w, _ in wv.most_similar("australian", topn=3)]
    assert {"australia", "australians"} <= set(near), near
    assert [w for w, _ in wv.most_similar("fires", topn=1)] == ["fire"]
    # Analogy-style queries take unseen words too.
    assert wv.most_similar(positive=["australianness", "fire"], negative=["australia"], topn=3)
    assert wv.most_similar_cosmul(positive=["australianness"], topn=3)
    assert wv.similarity("australianness", "australian") > wv.similarity("australianness", "fire")


@needs_core
@pytest.mark.parametrize("model,negative,hs", [("skipgram", 3, False), ("cbow", 0, True)])
def test_rust_core_matches_the_reference(
    tiny_file: Path, model: str, negative: int, hs: bool
) -> None:
    """Same seed, threads=1: the same draws, so the same matrices up to summation order."""
    kw = dict(
        model=model, dim=8, window=3, negative=negative, hs=hs, min_count=1, bucket=300,
        epochs=2, threads=1, seed=5, sample=1e-2,
    )  # fmt: skip
    rust = FastText(corpus_file=tiny_file, backend="rust", **kw)  # type: ignore[arg-type]
    ref = FastText(corpus_file=tiny_file, backend="python", **kw)  # type: ignore[arg-type]
    assert rust.keys == ref.keys
    np.testing.assert_allclose(rust.wi, ref.wi, atol=5e-4)
    np.testing.assert_allclose(rust.wo, ref.wo, atol=5e-4)
    np.testing.assert_allclose(rust.losses, ref.losses, rtol=1e-4)


@needs_core
def test_negatives_follow_ns_exponent_on_both_backends(tiny_file: Path) -> None:
    """fastText draws negatives by count^0.5 (the default); 0.75 (word2vec's) trains a different
    model, and the reference follows the core for either."""
    kw = dict(dim=8, window=3, min_count=1, bucket=300, epochs=2, threads=1, seed=5, sample=0)
    half = FastText(corpus_file=tiny_file, **kw)  # type: ignore[arg-type]
    assert half.config["ns_exponent"] == 0.5
    w2v = FastText(corpus_file=tiny_file, ns_exponent=0.75, **kw)  # type: ignore[arg-type]
    assert not np.allclose(half.wo, w2v.wo)
    ref = FastText(corpus_file=tiny_file, ns_exponent=0.75, backend="python", **kw)  # type: ignore[arg-type]
    np.testing.assert_allclose(w2v.wo, ref.wo, atol=5e-4)


@needs_core
def test_threads_one_is_reproducible_and_vec_is_written(tiny_file: Path, tmp_path: Path) -> None:
    kw = dict(dim=8, min_count=1, bucket=500, threads=1, seed=9)
    a = FastText(corpus_file=tiny_file, **kw)  # type: ignore[arg-type]
    b = FastText(corpus_file=tiny_file, **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.wi, b.wi)
    a.save_vec(tmp_path / "v.vec")
    kv = subwordx.KeyedVectors.load_word2vec_format(tmp_path / "v.vec")
    assert kv.index_to_key == a.wv.index_to_key
    np.testing.assert_allclose(kv.vectors, a.wv.vectors, rtol=1e-6)


def _valid_bin(tmp_path: Path) -> bytes:
    from subwordx.embeddings.fasttext_bin import FastTextBin, write_fasttext_bin

    m = FastTextBin(
        dim=2, ws=5, epoch=1, min_count=1, neg=5, word_ngrams=1, loss=2, model=2, bucket=3,
        minn=3, maxn=6, lr_update_rate=100, t=1e-4, words=["ab", "été"],
        counts=np.array([3, 2], np.int64), ntokens=5,
        wi=np.arange(10, dtype=np.float32).reshape(5, 2), wo=np.ones((2, 2), np.float32),
    )  # fmt: skip
    write_fasttext_bin(tmp_path / "ok.bin", m)
    return (tmp_path / "ok.bin").read_bytes()


def test_corrupt_and_truncated_bins_are_model_format_errors(tmp_path: Path) -> None:
    data = _valid_bin(tmp_path)
    m = FastText.load(tmp_path / "ok.bin", backend="python")
    assert m.keys == ["ab", "été"] and m.wi.shape == (5, 2)
    bad = tmp_path / "bad.bin"
    dict_at = 8 + 56
    cases = [
        data[:-1],  # truncated matrix
        data[:30],  # truncated header
        data + b"\0",  # trailing byte
        b"\0" * 4 + data[4:],  # wrong magic
        # a dictionary claiming 10^9 words
        data[:dict_at] + struct.pack("<3i", 10**9, 10**9, 0) + data[dict_at + 12 :],
    ]
    # an input matrix claiming 10^12 rows
    mat_at = data.index(b"\0\x05\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0")
    cases.append(data[: mat_at + 1] + struct.pack("<2q", 10**12, 2) + data[mat_at + 17 :])
    for i, case in enumerate(cases):
        bad.write_bytes(case)
        with pytest.raises(ModelFormatError):
            FastText.load(bad)
        assert i >= 0


@pytest.mark.parametrize(
    "kw",
    [
        {"dim": 0},
        {"min_n": 7, "max_n": 6},
        {"bucket": 0},
        {"hs": True, "negative": 5},
        {"negative": 0},
        {"max_n": 1000},
        {"model": "glove"},
        {"sg": 2},
        {"vector_size": 50, "dim": 20},
        {"alpha": -1.0},
        {"ns_exponent": float("nan")},
        {"ns_exponent": 11.0},
    ],
)
def test_bad_settings_are_config_errors(tiny_file: Path, kw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        FastText(corpus_file=tiny_file, min_count=1, **kw)  # type: ignore[arg-type]


@needs_core
def test_gensim_names_work_in_fasttext_and_word2vec(tiny_file: Path) -> None:
    ft = FastText(
        corpus_file=tiny_file, vector_size=6, sg=0, workers=1, min_count=1, bucket=100,
        window=2, negative=2, epochs=1,
    )  # fmt: skip
    assert ft.config["dim"] == 6 and ft.config["model"] == "cbow" and ft.threads == 1
    w2v = Word2Vec(corpus_file=tiny_file, vector_size=6, sg=1, workers=1, min_count=1, epochs=1)
    assert w2v.wv.vector_size == 6 and w2v.config["model"] == "skipgram"
    hs = FastText(corpus_file=tiny_file, hs=1, vector_size=6, min_count=1, bucket=100, epochs=1)
    assert hs.config["negative"] == 0


@needs_core
def test_cli_train_fasttext(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.bin"
    rc = main(
        ["train-fasttext", str(tiny_file), "--dim", "8", "--epochs", "1", "--min-n", "2",
         "--max-n", "4", "--bucket", "300", "--threads", "1", "--min-count", "1", "-q",
         "-o", str(out)]
    )  # fmt: skip
    assert rc == 0
    m = FastText.load(out)
    assert m.config["min_n"] == 2 and m.config["max_n"] == 4 and m.config["bucket"] == 300
    assert m.wi.shape == (len(m.keys) + 300, 8)
    vec = tmp_path / "m.vec"
    assert main(["train-fasttext", str(tiny_file), "--hs", "--min-count", "1", "--bucket",
                 "100", "--dim", "4", "--epochs", "1", "-q", "-o", str(vec)]) == 0  # fmt: skip
    assert vec.read_text(encoding="utf-8").split("\n")[0].split()[1] == "4"
    assert main(["train-fasttext", str(tiny_file), "--min-n", "9", "-q", "-o", str(out)]) != 0


def test_a_negative_token_count_is_a_model_format_error(tmp_path: Path) -> None:
    """Found by fuzz/fuzz_fasttext_bin.py: a negative ntokens reached the core as an
    OverflowError."""
    from subwordx.embeddings.fasttext_bin import FastTextBin, write_fasttext_bin
    from subwordx.errors import ModelFormatError

    m = FastTextBin(
        dim=2, ws=5, epoch=1, min_count=1, neg=5, word_ngrams=1, loss=2, model=2, bucket=3,
        minn=3, maxn=6, lr_update_rate=100, t=1e-4, words=["ab", "été"],
        counts=np.array([3, 2], np.int64), ntokens=-7,
        wi=np.arange(10, dtype=np.float32).reshape(5, 2), wo=np.ones((2, 2), np.float32),
    )  # fmt: skip
    write_fasttext_bin(tmp_path / "neg.bin", m)
    with pytest.raises(ModelFormatError, match="token count -7"):
        FastText.load(tmp_path / "neg.bin")
