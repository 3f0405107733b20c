"""GloVe through the public API and the CLI: quality, formats, gensim, errors, cleanup."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx import GloVe, KeyedVectors, _backend
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
def gcide_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fifth line of gcide in text8 style (lowercase a-z words), about 1 M words from the
    whole alphabet, one line per line (a line break ends the window)."""
    raw = shared("corpora/gcide.txt").read_bytes().lower().split(b"\n")[::5]
    lines = [re.sub(rb"[^a-z]+", b" ", line).strip() for line in raw]
    p = tmp_path_factory.mktemp("gcide") / "gcide8.txt"
    p.write_bytes(b"\n".join(line for line in lines if line))
    return p


@pytest.fixture(scope="module")
def gcide_model(gcide_slice: Path) -> GloVe:
    return GloVe(gcide_slice, dim=50, window=10, epochs=10, x_max=10, threads=2, seed=3)


@pytest.fixture
def lee_file(tmp_path: Path) -> Path:
    path = shared("corpora/lee_background.cor")
    with path.open(encoding="utf-8") as f:
        lines = [re.findall(r"[a-z]+", line.lower()) for line in f]
    p = tmp_path / "lee.txt"
    p.write_text("\n".join(" ".join(s) for s in lines) + "\n", encoding="utf-8")
    return p


SMALL = {"dim": 16, "window": 5, "epochs": 5, "x_max": 10.0, "min_count": 3, "threads": 1}


@needs_core
def test_sensible_similarities_on_dictionary_text(gcide_model: GloVe) -> None:
    m = gcide_model
    assert m.losses[-1] < 0.6 * m.losses[0], m.losses
    assert len(m.losses) == 10
    wv = m.wv
    assert wv.vector_size == 50
    # Colours next to colours, numbers next to numbers; related pairs closer than unrelated.
    colours = {"green", "blue", "purple", "gray", "black", "white", "yellow", "brown", "color"}
    assert len({w for w, _ in wv.most_similar("red", topn=8)} & colours) >= 3
    numbers = {"two", "four", "five", "six", "thirty", "twenty", "ten"}
    assert len({w for w, _ in wv.most_similar("three", topn=8)} & numbers) >= 2
    assert wv.similarity("red", "blue") > wv.similarity("red", "verb") + 0.2
    pairs = subwordx.embeddings.evaluate_word_pairs(wv, shared("eval/wordsim353.tsv"))
    assert pairs.spearman > 0.1, pairs  # ~0.2 on this 1 M-word slice (0.4+ on all of gcide)


@needs_core
def test_outputs_sum_word_both(gcide_model: GloVe) -> None:
    m = gcide_model
    np.testing.assert_allclose(m.vectors("sum"), m.word_vectors + m.context_vectors)
    assert m.vectors("both").shape == (len(m.words), 100)
    np.testing.assert_array_equal(m.vectors("word"), m.word_vectors)
    assert m.wv.index_to_key[0] in m.words[:1] and m.counts[0] == m.counts.max()
    assert (np.diff(m.counts) <= 0).all()


@needs_core
def test_threads_one_is_reproducible_and_seed_matters(lee_file: Path) -> None:
    a = GloVe(lee_file, seed=5, **SMALL)  # type: ignore[arg-type]
    b = GloVe(lee_file, seed=5, **SMALL)  # type: ignore[arg-type]
    c = GloVe(lee_file, seed=6, **SMALL)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    assert a.losses == b.losses
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


@needs_core
def test_spilled_counting_trains_the_same(lee_file: Path, tmp_path: Path) -> None:
    """A table that does not fit in `memory` is spilled and merged: same table, same vectors;
    the spill folder is gone afterwards."""
    spill = tmp_path / "spill"
    spill.mkdir()
    a = GloVe(lee_file, seed=5, **SMALL)  # type: ignore[arg-type]
    b = GloVe(lee_file, seed=5, memory="64K", tmp_dir=spill, **SMALL)  # type: ignore[arg-type]
    table = subwordx.cooccurrence_matrix(
        lee_file, window=5, min_count=3, memory="64K", tmp_dir=spill, threads=1
    )
    assert table.spilled_runs > 0
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    assert list(spill.iterdir()) == []


# gensim's no_header reader leaves a file handle to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_formats_round_trip_and_gensim_loads_them(lee_file: Path, tmp_path: Path) -> None:
    m = GloVe(lee_file, **SMALL)  # type: ignore[arg-type]
    glove_txt, w2v_txt, w2v_bin, native = (
        tmp_path / "v.glove.txt",
        tmp_path / "v.txt",
        tmp_path / "v.bin",
        tmp_path / "m.npz",
    )
    m.save_glove_format(glove_txt)
    m.save_word2vec_format(w2v_txt, binary=False)
    m.save_word2vec_format(w2v_bin, binary=True)
    m.save(native)
    first = glove_txt.read_text(encoding="utf-8").split("\n", 1)[0].split()
    assert first[0] == m.words[0] and len(first) == 17  # no header line
    for kv in (
        KeyedVectors.load_glove_format(glove_txt),
        KeyedVectors.load_word2vec_format(w2v_txt),
        KeyedVectors.load_word2vec_format(w2v_bin),
    ):
        assert kv.index_to_key == m.words
        np.testing.assert_array_equal(kv.vectors, m.wv.vectors)
    back = GloVe.load(native)
    assert back.words == m.words and back.losses == m.losses
    np.testing.assert_array_equal(back.wv.vectors, m.wv.vectors)
    np.testing.assert_array_equal(back.context_biases, m.context_biases)
    with pytest.raises(ModelFormatError):
        subwordx.Word2Vec.load(native)

    gensim_models = pytest.importorskip("gensim.models")
    g = gensim_models.KeyedVectors.load_word2vec_format(str(w2v_bin), binary=True)
    assert list(g.index_to_key) == m.words
    np.testing.assert_array_equal(g.vectors, m.wv.vectors)
    g = gensim_models.KeyedVectors.load_word2vec_format(str(w2v_txt), binary=False)
    np.testing.assert_array_equal(g.vectors, m.wv.vectors)
    g = gensim_models.KeyedVectors.load_word2vec_format(
        str(glove_txt), binary=False, no_header=True
    )
    assert list(g.index_to_key) == m.words
    np.testing.assert_array_equal(g.vectors, m.wv.vectors)


def test_callbacks_and_progress(lee_file: Path) -> None:
    epochs: list[tuple[int, float]] = []
    stages: set[str] = set()
    m = GloVe(
        lee_file,
        on_epoch=lambda e, c: epochs.append((e, c)),
        progress=lambda stage, done, total, info: stages.add(stage),
        **SMALL,  # type: ignore[arg-type]
    )
    assert [e for e, _ in epochs] == [1, 2, 3, 4, 5]
    assert [c for _, c in epochs] == m.losses
    assert stages


@needs_core
def test_callback_error_stops_training(lee_file: Path) -> None:
    def boom(epoch: int, cost: float) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        GloVe(lee_file, on_epoch=boom, **SMALL)  # type: ignore[arg-type]


def test_cli_train_glove_then_similar(
    lee_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = ["v.txt", "v.glove.txt", "v.bin", "m.npz"]
    for name in outputs:
        out = tmp_path / name
        args = ["train-glove", str(lee_file), "--dim", "12", "--window", "5", "--epochs", "3"]
        args += ["--x-max", "10", "--min-count", "3", "--threads", "2", "-o", str(out), "-q"]
        assert main(args) == 0, capsys.readouterr().err
        assert out.exists()
    kv_txt = KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    kv_glove = KeyedVectors.load_glove_format(tmp_path / "v.glove.txt")
    assert kv_txt.vector_size == kv_glove.vector_size == 12
    capsys.readouterr()
    assert main(["similar", str(tmp_path / "v.glove.txt"), "minister", "--topn", "3"]) == 0
    assert len(capsys.readouterr().out.strip().split("\n")) == 3
    # --vectors both: 2 dim columns; --left-only and --memory are accepted.
    out = tmp_path / "both.txt"
    args = ["train-glove", str(lee_file), "--dim", "6", "--epochs", "2", "--vectors", "both"]
    args += ["--left-only", "--memory", "1M", "--threads", "1", "-o", str(out), "-q"]
    assert main(args) == 0
    assert KeyedVectors.load_word2vec_format(out).vector_size == 12


def test_cli_errors_are_one_line(
    lee_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v.txt"
    assert main(["train-glove", str(tmp_path / "nope.txt"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "nope.txt" in err and err.count("\n") == 1 and not out.exists()
    assert main(["train-glove", str(lee_file), "--x-max", "0", "-o", str(out)]) == 1
    assert "x_max" in capsys.readouterr().err
    assert main(["train-glove", str(lee_file), "--memory", "1K", "-o", str(out)]) == 1
    assert "memory must be at least" in capsys.readouterr().err
    assert main(["train-glove", str(lee_file), "-o", str(tmp_path / "v.xyz")]) == 1
    assert "unknown output format" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs,limit",
    [
        ({"dim": 0}, "dim must be an integer between 1 and 10000"),
        ({"dim": 10**9}, "dim must be an integer between 1 and 10000"),
        ({"window": 0}, "window must be an integer between 1 and 10000"),
        ({"window": 10**12}, "window must be an integer between 1 and 10000"),
        ({"x_max": 0}, "x_max must be a finite number > 0"),
        ({"x_max": -1.0}, "x_max must be a finite number > 0"),
        ({"alpha": float("nan")}, "alpha must be a finite number"),
        ({"learning_rate": 0}, "learning_rate must be a finite number > 0"),
        ({"epochs": 0}, "epochs must be an integer between 1 and 100000"),
        ({"threads": 10**6}, "threads must be an integer between 0 and 1024"),
        ({"memory": 1000, "threads": 1}, "memory must be at least 65536 bytes"),
        ({"memory": "lots"}, "memory must be a size like"),
        ({"output": "context"}, "output must be 'sum', 'word' or 'both'"),
        ({"max_vocab": 0}, "max_vocab must be an integer between 1"),
    ],
)
def test_impossible_settings_name_the_limit(
    lee_file: Path, kwargs: dict[str, object], limit: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(limit)):
        GloVe(lee_file, **kwargs)  # type: ignore[arg-type]


@needs_core
def test_core_refuses_what_the_wrapper_would(lee_file: Path) -> None:
    """The binding checks its own arguments too (called directly, as a user of _core might)."""
    core = _backend.core()
    for kwargs, limit in [
        ({"dim": 0}, "dim must be between 1 and 10000"),
        ({"x_max": 0.0}, "x_max must be a finite number > 0"),
        ({"window": 0}, "window must be between 1 and 10000"),
        ({"memory": 10}, "memory must be at least 65536"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(limit)):
            core.train_glove([str(lee_file)], **kwargs)


def test_bad_corpora(backend: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(EmptyCorpusError):
        GloVe(empty, min_count=1, threads=1)
    rare = tmp_path / "rare.txt"
    rare.write_text("a b c\n", encoding="utf-8")
    with pytest.raises(EmptyCorpusError, match="min_count=5"):
        GloVe(rare, threads=1)
    lonely = tmp_path / "lonely.txt"
    lonely.write_text("a\nb\na\nb\n", encoding="utf-8")
    with pytest.raises(EmptyCorpusError, match="within the window"):
        GloVe(lonely, min_count=1, threads=1)
    with pytest.raises(SubwordxFileNotFoundError):
        GloVe(tmp_path / "missing.txt", threads=1)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a b \xff c\n" * 10)
    with pytest.raises(InvalidUtf8Error):
        GloVe(bad, min_count=1, threads=1)


@needs_core
def test_spill_folder_removed_when_counting_is_interrupted(tmp_path: Path) -> None:
    """A progress callback that raises while co-occurrences are counted (as Ctrl-C does: the
    core is cancelled) stops the call and leaves no spill file behind."""
    spill = tmp_path / "spill"
    spill.mkdir()
    corpus = tmp_path / "c.txt"
    line = " ".join(f"w{(i * 7919) % 3000}" for i in range(25_000))
    corpus.write_text((line + "\n") * 2, encoding="utf-8")
    seen: list[str] = []

    def progress(stage: str, done: int, total: int, info: str) -> None:
        seen.append(stage)
        if stage.startswith(("counting co", "merging")):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        subwordx.cooccurrence_matrix(
            corpus, min_count=1, memory="64K", threads=1, tmp_dir=spill, progress=progress
        )
    assert any(s.startswith(("counting co", "merging")) for s in seen)
    assert os.listdir(spill) == []
