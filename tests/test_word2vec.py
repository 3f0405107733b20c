"""word2vec through the public API and the CLI, on both backends, plus Rust/reference parity."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx import KeyedVectors, Phrases, Word2Vec, _backend
from subwordx.cli import main
from subwordx.errors import (
    ConfigError,
    EmptyCorpusError,
    InvalidUtf8Error,
    ModelFormatError,
    SubwordxFileNotFoundError,
)
from tests.conftest import shared

needs_core = pytest.mark.skipif(_backend._core is None, reason="the compiled core is not installed")


@pytest.fixture(scope="module")
def lee_lines() -> list[list[str]]:
    path = shared("corpora/lee_background.cor")
    with path.open(encoding="utf-8") as f:
        return [re.findall(r"[a-z]+", line.lower()) for line in f]


@pytest.fixture
def lee_file(tmp_path: Path, lee_lines: list[list[str]]) -> Path:
    p = tmp_path / "lee.txt"
    p.write_text("\n".join(" ".join(s) for s in lee_lines) + "\n", encoding="utf-8")
    return p


SMALL = {"dim": 16, "window": 3, "min_count": 3, "epochs": 1, "threads": 1, "seed": 7}


@needs_core
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("negative,hs", [(5, False), (0, True), (3, True)])
def test_rust_core_matches_the_reference(
    lee_lines: list[list[str]], model: str, negative: int, hs: bool
) -> None:
    """Same seed, threads=1: the same draws, so the same vectors up to float summation order."""
    kw = dict(SMALL, model=model, negative=negative, hs=hs)
    rust = Word2Vec(lee_lines, backend="rust", **kw)  # type: ignore[arg-type]
    ref = Word2Vec(lee_lines, backend="python", **kw)  # type: ignore[arg-type]
    assert rust.wv.index_to_key == ref.wv.index_to_key
    np.testing.assert_allclose(rust.wv.vectors, ref.wv.vectors, atol=5e-4)
    np.testing.assert_allclose(rust.losses, ref.losses, rtol=1e-4)


@needs_core
def test_files_and_sentences_train_the_same(lee_lines: list[list[str]], lee_file: Path) -> None:
    a = Word2Vec(lee_lines, model="skipgram", **SMALL)  # type: ignore[arg-type]
    b = Word2Vec(corpus_file=lee_file, model="skipgram", **SMALL)  # type: ignore[arg-type]
    assert a.wv.index_to_key == b.wv.index_to_key
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


@needs_core
@pytest.mark.parametrize("model,hs", [("skipgram", False), ("cbow", True)])
def test_streamed_and_in_memory_training_give_the_same_vectors(
    lee_lines: list[list[str]], tmp_path: Path, model: str, hs: bool
) -> None:
    """Two files (blocks of 10,000 words span the file end), two epochs, one thread."""
    half = len(lee_lines) // 2
    files = []
    for i, part in enumerate((lee_lines[:half], lee_lines[half:])):
        files.append(tmp_path / f"lee{i}.txt")
        files[-1].write_text("\n".join(" ".join(s) for s in part) + "\n", encoding="utf-8")
    kw = dict(SMALL, model=model, hs=hs, epochs=2)
    held = Word2Vec(corpus_file=files, stream=False, **kw)  # type: ignore[arg-type]
    streamed = Word2Vec(corpus_file=files, stream=True, **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(held.wv.vectors, streamed.wv.vectors)
    assert held.losses == streamed.losses
    more = streamed.train(corpus_file=files, epochs=1, stream=True)
    assert len(more) == 1 and more[0] > 0


@needs_core
def test_cli_stream_and_in_memory_write_the_same_file(lee_file: Path, tmp_path: Path) -> None:
    args = ["train-word2vec", str(lee_file), "--dim", "16", "--min-count", "3", "--epochs", "2"]
    args += ["--threads", "1", "-q"]
    assert main([*args, "--stream", "-o", str(tmp_path / "s.bin")]) == 0
    assert main([*args, "--in-memory", "-o", str(tmp_path / "m.bin")]) == 0
    assert (tmp_path / "s.bin").read_bytes() == (tmp_path / "m.bin").read_bytes()


@needs_core
def test_threads_one_is_reproducible(lee_file: Path) -> None:
    a = Word2Vec(corpus_file=lee_file, model="cbow", **SMALL)  # type: ignore[arg-type]
    b = Word2Vec(corpus_file=lee_file, model="cbow", **SMALL)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    c = Word2Vec(corpus_file=lee_file, model="cbow", **dict(SMALL, seed=8))  # type: ignore[arg-type]
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


@needs_core
@pytest.mark.slow
def test_reaches_known_quality_on_dictionary_text(tmp_path: Path) -> None:
    """gcide, text8-style (5.4 M words), CBOW, 3 epochs: the quality word2vec.c and gensim reach
    (analogy ~12%, WordSim-353 Spearman ~0.49 in benches/RESULTS.md), with a margin for noise."""
    raw = shared("corpora/gcide.txt").read_text(encoding="utf-8")
    corpus = tmp_path / "gcide8.txt"
    corpus.write_text(re.sub(r"[^a-z]+", " ", raw.lower()), encoding="utf-8")
    del raw
    model = Word2Vec(corpus_file=corpus, model="cbow", epochs=3, threads=2)
    assert model.losses[-1] < model.losses[0]
    pairs = subwordx.embeddings.evaluate_word_pairs(model.wv, shared("eval/wordsim353.tsv"))
    assert pairs.spearman > 0.44, pairs
    analogies = subwordx.embeddings.evaluate_word_analogies(
        model.wv, shared("eval/questions-words.txt"), restrict_vocab=30000
    )
    assert analogies.accuracy > 0.10, analogies.accuracy
    neighbours = [w for w, _ in model.wv.most_similar("king", topn=20)]
    assert {"queen", "prince", "monarch", "sovereign", "emperor", "kings"} & set(neighbours)


def test_continued_training_and_native_save(
    backend: str, lee_lines: list[list[str]], tmp_path: Path
) -> None:
    model = Word2Vec(lee_lines[:120], model="skipgram", **SMALL)  # type: ignore[arg-type]
    before = model.wv.vectors.copy()
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = Word2Vec.load(path, threads=1)
    np.testing.assert_array_equal(loaded.wv.vectors, before)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    loaded.train(lee_lines[120:], epochs=1)
    assert not np.array_equal(loaded.wv.vectors, before)
    assert len(loaded.losses) == 2
    with pytest.raises(ModelFormatError):
        kv_only = tmp_path / "kv.npz"
        model.wv.save(kv_only)
        Word2Vec.load(kv_only)


def test_word2vec_formats_round_trip(
    backend: str, lee_lines: list[list[str]], tmp_path: Path
) -> None:
    model = Word2Vec(lee_lines, model="cbow", **SMALL)  # type: ignore[arg-type]
    for name, binary in (("v.bin", True), ("v.txt", False)):
        model.save_word2vec_format(tmp_path / name, binary=binary)
        kv = KeyedVectors.load_word2vec_format(tmp_path / name)
        assert kv.index_to_key == model.wv.index_to_key
        np.testing.assert_allclose(kv.vectors, model.wv.vectors, rtol=1e-6)


def test_gensim_loads_our_binary(lee_lines: list[list[str]], tmp_path: Path) -> None:
    gensim = pytest.importorskip("gensim")
    model = Word2Vec(lee_lines, model="skipgram", **SMALL)  # type: ignore[arg-type]
    model.save_word2vec_format(tmp_path / "v.bin")
    kv = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    assert list(kv.index_to_key) == model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)


def test_bad_input(backend: str, tmp_path: Path) -> None:
    with pytest.raises(SubwordxFileNotFoundError):
        Word2Vec(corpus_file=tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"one two three\nfour \xff five\n")
    with pytest.raises(InvalidUtf8Error) as info:
        Word2Vec(corpus_file=bad, min_count=1)
    assert info.value.line == 2 and "bad.txt" in str(info.value)
    rare = tmp_path / "rare.txt"
    rare.write_text("each word once only\n", encoding="utf-8")
    with pytest.raises(EmptyCorpusError, match="min_count"):
        Word2Vec(corpus_file=rare, min_count=5)
    with pytest.raises(ConfigError):
        Word2Vec([["a", "b"]], negative=0, hs=False)
    with pytest.raises(ConfigError):
        Word2Vec([["a", "b"]], dim=0)
    with pytest.raises(ConfigError):
        Word2Vec("not a list of sentences")  # type: ignore[arg-type]


def test_phrases_join_collocations(backend: str, lee_lines: list[list[str]]) -> None:
    phrases = Phrases.learn(lee_lines, min_count=5, threshold=10.0)
    joined = {w for s in lee_lines for w in phrases.apply(s) if "_" in w}
    assert "prime_minister" in joined
    assert "of_the" not in joined
    assert len(phrases) == len(phrases.export()) > 0


@needs_core
def test_phrases_rust_matches_reference(lee_lines: list[list[str]]) -> None:
    for scoring, threshold in (("default", 10.0), ("npmi", 0.5)):
        rust = Phrases.learn(
            lee_lines, scoring=scoring, threshold=threshold, passes=2, backend="rust"
        )  # type: ignore[arg-type]
        ref = Phrases.learn(
            lee_lines, scoring=scoring, threshold=threshold, passes=2, backend="python"
        )  # type: ignore[arg-type]
        assert {(a, b) for a, b, _ in rust.export()} == {(a, b) for a, b, _ in ref.export()}
        for s in lee_lines[:50]:
            assert rust.apply(s) == ref.apply(s)


def test_cli_train_similar_eval(
    backend: str, lee_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v.bin"
    code = main(
        [
            "train-word2vec",
            str(lee_file),
            "--model",
            "skipgram",
            "--dim",
            "16",
            "--min-count",
            "3",
            "--epochs",
            "1",
            "--threads",
            "1",
            "-o",
            str(out),
            "-q",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert out.exists()
    capsys.readouterr()
    assert main(["similar", str(out), "minister", "--topn", "3"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 3 and all("\t" in line for line in lines)
    questions = tmp_path / "q.txt"
    questions.write_text(": tiny\nprime minister prime minister\n", encoding="utf-8")
    assert main(["eval-analogy", str(out), str(questions)]) == 0
    assert "total" in capsys.readouterr().out
    phrased = tmp_path / "phrased.txt"
    assert main(["phrases", str(lee_file), "-o", str(phrased), "--threshold", "10", "-q"]) == 0
    assert "prime_minister" in phrased.read_text(encoding="utf-8")


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v.bin"
    code = main(["train-word2vec", str(tmp_path / "nope.txt"), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "nope.txt" in err and err.count("\n") == 1 and not out.exists()
    code = main(["train-word2vec", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "v.xyz")])
    assert code == 1 and "unknown output format" in capsys.readouterr().err
    code = main(["similar", str(tmp_path / "nope.bin"), "king"])
    assert code == 1 and "no such file" in capsys.readouterr().err
