"""fastText's classifier: accuracy on real data, the fasttext package both ways, the numpy
reference, every loss, word n-grams, the CLI, and the errors."""

from __future__ import annotations

import io
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx import FastText, FastTextClassifier, _backend, train_supervised
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
def langid() -> tuple[Path, Path]:
    """langid-fortunes: 80,127 training and 20,031 test lines, one of 12 languages each."""
    return (
        shared("classify/langid-fortunes/train.txt"),
        shared("classify/langid-fortunes/test.txt"),
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, langid: tuple[Path, Path]) -> Path:
    """The first 1,200 training lines (small enough for the numpy reference)."""
    lines = langid[0].read_text(encoding="utf-8").splitlines(keepends=True)[:1200]
    p = tmp_path_factory.mktemp("small") / "small.txt"
    p.write_text("".join(lines), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def train_20k(tmp_path_factory: pytest.TempPathFactory, langid: tuple[Path, Path]) -> Path:
    """The first 20,000 training lines (for models the fasttext package trains quickly)."""
    lines = langid[0].read_text(encoding="utf-8").splitlines(keepends=True)[:20000]
    p = tmp_path_factory.mktemp("t20k") / "train20k.txt"
    p.write_text("".join(lines), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def test_texts(langid: tuple[Path, Path]) -> tuple[list[str], list[str]]:
    """The test lines without their labels, and their gold labels."""
    texts, gold = [], []
    for line in langid[1].read_text(encoding="utf-8").splitlines():
        words = line.split()
        gold.append(next(w for w in words if w.startswith("__label__")))
        texts.append(" ".join(w for w in words if not w.startswith("__label__")))
    return texts, gold


@pytest.fixture(scope="module")
def default_model(langid: tuple[Path, Path]) -> FastTextClassifier:
    if _backend._core is None:
        pytest.skip("the compiled core is not installed")
    return FastTextClassifier(corpus_file=langid[0], threads=2, backend="rust")


# ----------------------------------------------------------------------------- accuracy
@needs_core
def test_defaults_reach_p_at_1_of_097(
    default_model: FastTextClassifier, langid: tuple[Path, Path]
) -> None:
    r = default_model.test(langid[1])
    assert r.n == 20031
    assert r.precision >= 0.97, r
    # One label per line: recall equals precision at k=1.
    assert r.recall == pytest.approx(r.precision)
    n, p, rec = r  # unpacks as the fasttext package's (n, precision, recall)
    assert (n, p, rec) == (r.n, r.precision, r.recall)
    assert (r[0], r[1], r[-1], len(r)) == (n, p, rec, 3)  # and indexes as that tuple
    assert set(r.per_label) == set(default_model.labels)
    assert default_model.config["bucket"] == 0 and "</s>" in default_model.words
    assert len(default_model.labels) == 12
    assert r.per_label["__label__ru"].f1 > 0.97


@needs_core
def test_threads_one_is_reproducible(small: Path) -> None:
    kw = dict(corpus_file=small, dim=12, epochs=2, threads=1, seed=7, word_ngrams=2, bucket=5000)
    a = FastTextClassifier(**kw)  # type: ignore[arg-type]
    b = FastTextClassifier(**kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.get_input_matrix(), b.get_input_matrix())
    np.testing.assert_array_equal(a.get_output_matrix(), b.get_output_matrix())
    c = FastTextClassifier(**{**kw, "seed": 8})  # type: ignore[arg-type]
    assert not np.array_equal(a.get_output_matrix(), c.get_output_matrix())


@needs_core
@pytest.mark.parametrize("loss", ["hs", "ns"])
def test_hs_and_ns_train_sensibly(loss: str, langid: tuple[Path, Path]) -> None:
    clf = FastTextClassifier(corpus_file=langid[0], loss=loss, threads=2)  # type: ignore[arg-type]
    assert clf.test(langid[1]).precision >= 0.95
    labels, probs = clf.predict("Der Hund schläft im Garten", k=3)
    assert labels[0] == "__label__de" and len(labels) == 3
    assert list(probs) == sorted(probs, reverse=True)


@needs_core
def test_word_bigrams(langid: tuple[Path, Path], tmp_path: Path) -> None:
    clf = FastTextClassifier(corpus_file=langid[0], word_ngrams=2, bucket=100_000, threads=2)
    assert clf.get_input_matrix().shape == (len(clf.words) + 100_000, 100)
    assert clf.test(langid[1]).precision >= 0.97
    # The package reads our bigram rows (its hashing, sign extension included) the same way.
    fasttext = pytest.importorskip("fasttext")
    clf.save(tmp_path / "bi.bin")
    theirs = fasttext.load_model(str(tmp_path / "bi.bin"))
    texts = [line.split(" ", 1)[1] for line in langid[1].read_text("utf-8").splitlines()[:3000]]
    ours_l, ours_p = clf.predict(texts, k=2)
    their_l, their_p = theirs.predict(texts, k=2)
    assert ours_l == [list(x) for x in their_l]
    np.testing.assert_allclose(np.array(ours_p), np.array(their_p), atol=1e-5)


# ----------------------------------------------------------------------------- multi-label
@needs_core
def test_multilabel_with_one_vs_all(langid: tuple[Path, Path], tmp_path: Path) -> None:
    """Each line gets its language and whether it quotes an author (a ' -- ' token)."""
    out = []
    for line in langid[0].read_text(encoding="utf-8").splitlines()[:30000]:
        tag = "__label__quote" if " -- " in line else "__label__plain"
        out.append(f"{tag} {line}\n")
    train = tmp_path / "multi.txt"
    train.write_text("".join(out), encoding="utf-8")
    clf = FastTextClassifier(corpus_file=train, loss="ova", threads=2, epochs=5)
    assert {"__label__quote", "__label__plain"} <= set(clf.labels)
    german = next(
        line.split(" ", 1)[1]
        for line in langid[1].read_text(encoding="utf-8").splitlines()
        if line.startswith("__label__de ") and " -- " in line
    )
    labels, probs = clf.predict(german, k=-1, threshold=0.5)
    assert set(labels) == {"__label__de", "__label__quote"}, (labels, probs)
    assert all(p >= 0.5 for p in probs)
    r = clf.test(train, k=2)
    assert r.recall > 0.9 and r.precision > 0.9, r
    # One-vs-all probabilities are independent: they need not sum to 1.
    _, every = clf.predict(german, k=-1)
    assert len(every) == len(clf.labels) and every.sum() > 1.5


# ----------------------------------------------------------------------------- fasttext package
@needs_core
def test_fasttext_loads_ours_and_predicts_the_same(
    default_model: FastTextClassifier,
    langid: tuple[Path, Path],
    test_texts: tuple[list[str], list[str]],
    tmp_path: Path,
) -> None:
    fasttext = pytest.importorskip("fasttext")
    path = tmp_path / "ours.bin"
    default_model.save(path)
    theirs = fasttext.load_model(str(path))
    assert list(theirs.labels) == default_model.labels
    assert list(theirs.words) == default_model.words
    texts = test_texts[0]
    ours_l, ours_p = default_model.predict(texts)
    their_l, their_p = theirs.predict(texts)
    same = sum(a == list(b) for a, b in zip(ours_l, their_l))
    assert same == len(texts), f"{len(texts) - same} lines differ"
    np.testing.assert_allclose(np.concatenate(ours_p), np.concatenate(their_p), atol=1e-5)
    assert theirs.test(str(langid[1])) == pytest.approx(tuple(default_model.test(langid[1])))
    v = default_model.get_sentence_vector(texts[0])
    np.testing.assert_allclose(v, theirs.get_sentence_vector(texts[0]), atol=1e-6)


@needs_core
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"wordNgrams": 2, "bucket": 100_000, "loss": "hs"},
        {"minn": 2, "maxn": 4, "bucket": 100_000, "loss": "ova"},
        {"loss": "ns", "dim": 20},
    ],
)
def test_ours_loads_fasttext_models(
    kw: dict[str, object],
    langid: tuple[Path, Path],
    train_20k: Path,
    test_texts: tuple[list[str], list[str]],
    tmp_path: Path,
) -> None:
    fasttext = pytest.importorskip("fasttext")
    # thread=10: fastText initialises its input matrix in ten blocks, one per thread.
    args: dict[str, object] = {"epoch": 3, "thread": 10, "verbose": 0, "seed": 1}
    args.update(kw)
    theirs = fasttext.train_supervised(input=str(train_20k), **args)
    path = tmp_path / "theirs.bin"
    theirs.save_model(str(path))
    for backend in ["rust", "python"] if not kw else ["rust"]:
        ours = FastTextClassifier.load(path, backend=backend, threads=2)
        assert ours.labels == list(theirs.labels)
        texts = test_texts[0][:3000] if backend == "rust" else test_texts[0][:150]
        ours_l, ours_p = ours.predict(texts, k=2)
        their_l, their_p = theirs.predict(texts, k=2)
        assert ours_l == [list(x) for x in their_l], backend
        # (hierarchical softmax may return fewer than k: leaves below log(1e-5) are cut)
        np.testing.assert_allclose(np.concatenate(ours_p), np.concatenate(their_p), atol=1e-5)
    ours = FastTextClassifier.load(path)
    result = ours.test(langid[1])
    assert tuple(result) == pytest.approx(theirs.test(str(langid[1])))
    their_labels = theirs.test_label(str(langid[1]))
    for label, m in result.per_label.items():
        t = their_labels[label]
        assert (m.precision, m.recall) == pytest.approx((t["precision"], t["recall"]), nan_ok=True)
    # Saved back by us, byte for byte.
    ours.save(tmp_path / "again.bin")
    assert (tmp_path / "again.bin").read_bytes() == path.read_bytes()


# ----------------------------------------------------------------------------- the reference
@needs_core
@pytest.mark.parametrize(
    "kw",
    [
        {"loss": "softmax"},
        {"loss": "hs"},
        {"loss": "ns", "neg": 3},
        {"loss": "ova"},
        {"loss": "softmax", "word_ngrams": 2, "min_n": 2, "max_n": 3, "bucket": 3000},
    ],
)
def test_rust_core_matches_the_reference(
    kw: dict[str, object], small: Path, test_texts: tuple[list[str], list[str]]
) -> None:
    """threads=1, same seed: the same draws in the same order, so the same matrices up to float32
    summation order, and the same predictions."""
    args: dict[str, object] = {"dim": 8, "epochs": 2, "threads": 1, "seed": 5, "lr": 0.2}
    args.update(kw)
    rust = FastTextClassifier(corpus_file=small, backend="rust", **args)  # type: ignore[arg-type]
    ref = FastTextClassifier(corpus_file=small, backend="python", **args)  # type: ignore[arg-type]
    assert rust.words == ref.words and rust.labels == ref.labels
    np.testing.assert_allclose(rust.get_output_matrix(), ref.get_output_matrix(), atol=2e-4)
    np.testing.assert_allclose(rust.get_input_matrix(), ref.get_input_matrix(), atol=2e-4)
    np.testing.assert_allclose(rust.losses, ref.losses, rtol=1e-3)
    # The same best label (a last-bit difference may reorder a near tie, rarely).
    texts = test_texts[0][:200]
    same = sum(a == b for a, b in zip(rust.predict(texts)[0], ref.predict(texts)[0]))
    assert same >= 196, same


def test_reference_predicts_like_a_loaded_model(small: Path, tmp_path: Path) -> None:
    """The reference alone (no core needed): train, save, load, the same predictions."""
    ref = FastTextClassifier(
        corpus_file=small, backend="python", dim=6, epochs=1, threads=1, loss="hs"
    )
    ref.save(tmp_path / "r.bin")
    back = FastTextClassifier.load(tmp_path / "r.bin", backend="python")
    np.testing.assert_array_equal(back.get_input_matrix(), ref.get_input_matrix())
    text = "la vida es sueño"
    assert back.predict(text, k=3)[0] == ref.predict(text, k=3)[0]


# ----------------------------------------------------------------------------- API behaviour
@pytest.fixture
def toy(tmp_path: Path) -> Path:
    p = tmp_path / "toy.txt"
    p.write_text(
        "__label__pos a great and wonderful film\n__label__neg a dull and boring film\n"
        "no label on this line\n__label__pos __label__fun great fun\n" * 30,
        encoding="utf-8",
    )
    return p


def test_predict_api(backend: str, toy: Path) -> None:
    clf = train_supervised(input=str(toy), dim=8, epoch=10, lr=0.5, thread=1, wordNgrams=2)
    assert clf.config["word_ngrams"] == 2 and clf.threads == 1
    # pos 60 times; fun and neg 30 each: ties by the label.
    assert clf.labels == ["__label__pos", "__label__fun", "__label__neg"]
    labels, probs = clf.predict("a wonderful film")
    assert labels == ("__label__pos",) and probs.dtype == np.float32 and probs.shape == (1,)
    every, p = clf.predict("a wonderful film", k=-1)
    assert len(every) == 3 and abs(float(p.sum()) - 1.0) < 1e-3
    many = clf.predict(["a dull film", "great fun", "zzz unknown"], k=2)
    assert many[0][0][0] == "__label__neg" and len(many[0]) == 3
    # An unknown word still has </s>: a prediction, as fastText's.
    assert len(many[0][2]) == 2
    assert clf.predict("a dull film", k=3, threshold=0.99)[0] in ((), ("__label__neg",))
    assert clf.get_sentence_vector("a dull film").shape == (8,)
    for bad in (0, -2):
        with pytest.raises(ConfigError):
            clf.predict("a film", k=bad)
    with pytest.raises(ConfigError):
        clf.predict("two\nlines")
    r = clf.test(["__label__neg a dull film", "__label__pos great wonderful"], k=1)
    assert r.n == 2 and r.precision == 1.0
    assert set(clf.test_label(toy)) == set(clf.labels)


def test_save_load_round_trip(backend: str, toy: Path, tmp_path: Path) -> None:
    clf = FastTextClassifier(corpus_file=toy, dim=5, epochs=2, threads=1, max_n=3, min_n=2,
                             bucket=100)  # fmt: skip
    clf.save(tmp_path / "m.bin")
    back = FastTextClassifier.load(tmp_path / "m.bin")
    assert back.words == clf.words and back.labels == clf.labels
    np.testing.assert_array_equal(back.get_input_matrix(), clf.get_input_matrix())
    np.testing.assert_array_equal(back.get_output_matrix(), clf.get_output_matrix())
    assert back.predict("great film", k=3)[0] == clf.predict("great film", k=3)[0]
    back.save(tmp_path / "m2.bin")
    assert (tmp_path / "m2.bin").read_bytes() == (tmp_path / "m.bin").read_bytes()


# ----------------------------------------------------------------------------- errors
def test_training_errors(backend: str, toy: Path, tmp_path: Path) -> None:
    with pytest.raises(SubwordxFileNotFoundError):
        FastTextClassifier(corpus_file=tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"__label__a fine\n__label__b caf\xe9 here\n")
    with pytest.raises(InvalidUtf8Error) as e:
        FastTextClassifier(corpus_file=bad, dim=4)
    assert e.value.line == 2 and e.value.column == 14
    plain = tmp_path / "plain.txt"
    plain.write_text("no labels\nanywhere here\n", encoding="utf-8")
    with pytest.raises(EmptyCorpusError):
        FastTextClassifier(corpus_file=plain, dim=4)
    for kw in [{"dim": 0}, {"lr": -0.1}, {"loss": "svm"}, {"epochs": 0}, {"word_ngrams": 0},
               {"word_ngrams": 2, "bucket": 0}, {"min_n": 4, "max_n": 3}, {"loss": "ns", "neg": 0},
               {"label_prefix": ""}, {"epoch": 3, "epochs": 4}]:  # fmt: skip
        with pytest.raises(ConfigError):
            FastTextClassifier(corpus_file=toy, **kw)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        FastTextClassifier()


def test_model_file_errors(toy: Path, tmp_path: Path) -> None:
    clf = FastTextClassifier(corpus_file=toy, dim=3, epochs=1, threads=1, backend="python")
    clf.save(tmp_path / "ok.bin")
    data = (tmp_path / "ok.bin").read_bytes()
    bad = tmp_path / "bad.bin"
    dict_at = 8 + 56
    for case in [
        data[:-1],
        data[:40],
        data + b"\0",
        b"\0" * 4 + data[4:],
        data[:dict_at] + struct.pack("<3i", 10**9, 10**9 - 3, 3) + data[dict_at + 12 :],
    ]:
        bad.write_bytes(case)
        with pytest.raises(ModelFormatError):
            FastTextClassifier.load(bad)
    # A supervised model is not word vectors, and word vectors are not a classifier.
    with pytest.raises(ModelFormatError, match="FastTextClassifier"):
        FastText.load(tmp_path / "ok.bin")
    vecs = tmp_path / "vecs.bin"
    FastText(corpus_file=toy, dim=3, min_count=1, bucket=50, epochs=1, threads=1,
             backend="python").save(vecs)  # fmt: skip
    with pytest.raises(ModelFormatError, match=r"FastText\.load"):
        FastTextClassifier.load(vecs)
    with pytest.raises(SubwordxFileNotFoundError):
        FastTextClassifier.load(tmp_path / "nope.bin")


# ----------------------------------------------------------------------------- CLI
@needs_core
def test_cli_round_trip(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clf.bin"
    assert main(["train-classifier", str(small), "-o", str(out), "--epochs", "3", "--dim", "16",
                 "--word-ngrams", "2", "--bucket", "20000", "--loss", "softmax",
                 "--threads", "1", "--seed", "3", "-q"]) == 0  # fmt: skip
    clf = FastTextClassifier.load(out)
    assert clf.config["word_ngrams"] == 2 and clf.config["bucket"] == 20000
    capsys.readouterr()
    assert main(["test-classifier", str(out), str(small)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "N\t1200"
    assert re.fullmatch(r"P@1\t(0\.\d{1,3}|1)", lines[1]), lines
    assert re.fullmatch(r"R@1\t(0\.\d{1,3}|1)", lines[2]), lines
    assert main(["test-classifier", str(out), str(small), "--k", "2", "--per-label"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(clf.labels) + 3
    assert re.fullmatch(
        r"F1-Score : (\d\.\d{6}|-{8})  Precision : (\d\.\d{6}|-{8})  Recall : (\d\.\d{6}|-{8})"
        r"   __label__\w+",
        lines[0],
    ), lines[0]
    assert re.fullmatch(r"P@2\t\d\.\d{3}", lines[-2]), lines
    r = clf.test(small, k=2)
    assert lines[-2] == f"P@2\t{r.precision:.3f}" and lines[-1] == f"R@2\t{r.recall:.3f}"
    texts = tmp_path / "texts.txt"
    texts.write_text("Der Hund schläft\n\nthe dog sleeps\n", encoding="utf-8")
    assert main(["predict", str(out), str(texts)]) == 0
    got = capsys.readouterr().out.split("\n")
    assert len(got) == 4 and got[3] == "" and all(g.startswith("__label__") for g in got[:3])
    assert main(["predict", str(out), str(texts), "--k", "2", "--prob"]) == 0
    first = capsys.readouterr().out.splitlines()[0].split()
    assert len(first) == 4 and first[0].startswith("__label__") and 0 < float(first[1]) <= 1.00001
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Der Hund schl\xc3\xa4ft\n")))
    assert main(["predict", str(out), "-"]) == 0
    assert capsys.readouterr().out.startswith("__label__")
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(b"__label__de Der Hund schl\xc3\xa4ft\n"))
    )
    assert main(["test-classifier", str(out), "-"]) == 0
    assert capsys.readouterr().out.startswith("N\t1\n")
    # Errors are messages and exit codes, not tracebacks.
    assert main(["test-classifier", str(out), str(tmp_path / "missing.txt")]) == 1
    assert main(["predict", str(small), str(texts)]) == 1
    assert main(["train-classifier", str(small), "-o", str(tmp_path / "x.vec"), "-q"]) == 1
    assert "error" in capsys.readouterr().err
    assert subwordx.FastTextClassifier is FastTextClassifier
