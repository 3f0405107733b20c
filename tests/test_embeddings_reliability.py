"""No crash, no undefined behaviour, no unbounded memory on the embeddings side (issue 16).

Hostile sizes, tampered files and concurrent use of a word2vec model must end in a
``subwordx.errors`` exception that names what is wrong, never in an abort, a hang, a bare
``RuntimeError`` or a Python built-in error. Each test here failed before its fix; the ones that
used to kill or hang the interpreter run in a subprocess with a timeout.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import subwordx
from subwordx import KeyedVectors, Phrases, Word2Vec, _backend
from subwordx.cli import main
from subwordx.errors import (
    ConfigError,
    CorpusError,
    InternalError,
    ModelBusyError,
    ModelFormatError,
    SubwordxError,
    SubwordxIOError,
)

needs_core = pytest.mark.skipif(_backend._core is None, reason="the compiled core is not installed")

ROOT = Path(__file__).resolve().parents[1]
FUZZ_CORPUS = ROOT / "tests" / "fixtures" / "fuzz" / "word2vec"

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log"]] * 30
SMALL: dict[str, Any] = {"dim": 8, "min_count": 1, "epochs": 1, "threads": 1, "seed": 3}


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a fresh interpreter (so an abort or a hang fails one test, not the run)."""
    # The subwordx this test imported (installed, or the source tree of an editable install):
    # a source tree without its compiled core would not do.
    package_root = str(Path(subwordx.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=package_root, RUST_BACKTRACE="0")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


# ---------------------------------------------------------------- sizes that drive allocations


@needs_core
def test_huge_sizes_are_config_errors_not_aborts() -> None:
    """negative=2**40 and dim=10**9 used to abort the interpreter (a failed allocation)."""
    result = run_python(
        """
        from subwordx import Word2Vec, _core
        from subwordx.errors import ConfigError
        s = [["a", "b", "c"]] * 10
        for kw, limit in (({"negative": 2**40}, "1000"), ({"dim": 10**9}, "10000")):
            try:
                Word2Vec(s, min_count=1, threads=1, **kw)
            except ConfigError as e:
                assert limit in str(e), e
            else:
                raise SystemExit(f"no error for {kw}")
        # The core checks its own bounds too (and vocabulary x dim against 2^32 values).
        for kw in ({"negative": 2**40}, {"dim": 10**9}, {"window": 10**9}, {"threads": 10**6},
                   {"epochs": 2**31}):
            try:
                _core.Word2VecModel(["a", "b"], [2, 1], **kw)
            except ConfigError:
                pass
            else:
                raise SystemExit(f"no error from the core for {kw}")
        words = [f"w{i}" for i in range(500_000)]
        try:
            _core.Word2VecModel(words, [1] * len(words), dim=10_000)
        except ConfigError as e:
            assert "2^32" in str(e), e
        else:
            raise SystemExit("no error for 500k words x dim 10000")
        print("ok")
        """
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@pytest.mark.parametrize(
    "kw",
    [
        {"epochs": 2**40},
        {"threads": -1},
        {"threads": 10**6},
        {"window": 2**70},
        {"seed": 2**64},
        {"seed": -1},
        {"min_count": 2**64},
        {"max_final_vocab": 2**70},
        {"max_vocab_size": -5},
        {"negative": 1001},
        {"dim": 10_001},
        {"alpha": "fast"},
        {"alpha": float("inf")},
        {"sample": float("nan")},
        {"dim": 8.0},
    ],
)
def test_integer_options_out_of_range_are_config_errors(backend: str, kw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        Word2Vec(SENTENCES, **{**SMALL, **kw})


def test_train_epochs_and_phrases_options_are_checked(backend: str) -> None:
    model = Word2Vec(SENTENCES, **SMALL)
    with pytest.raises(ConfigError, match="100000"):
        model.train(SENTENCES, epochs=2**40)
    for kw in ({"threads": -1}, {"threads": 10**6}, {"passes": 10**9}, {"min_count": 2**64}):
        with pytest.raises(ConfigError):
            Phrases.learn(SENTENCES, **kw)  # type: ignore[arg-type]


def test_cli_integer_options_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 50, encoding="utf-8")
    base = ["train-word2vec", str(corpus), "-o", str(tmp_path / "v.bin"), "-q"]
    for extra in (["--epochs", str(2**40)], ["--threads", "100000"], ["--dim", str(10**9)]):
        assert main([*base, *extra]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "between" in err, err
    assert not (tmp_path / "v.bin").exists()


# ---------------------------------------------------------------- memory safety


@needs_core
def test_huffman_tree_takes_any_counts() -> None:
    """Counts >= 10^15 broke word2vec.c's sentinel: an index out of bounds at V = 3, an endless
    loop growing memory at V = 2."""
    result = run_python(
        """
        import numpy as np
        from subwordx import _core
        for v in (2, 3, 5):
            for c in (10**15, 2**63, 2**64 - 1):
                counts = [c] * v if c * v < 2**64 else [c - (v - 1)] + [1] * (v - 1)
                m = _core.Word2VecModel([f"w{i}" for i in range(v)], counts, dim=4, hs=True,
                                        negative=0, sample=0)
                m.train_ids(np.arange(v, dtype=np.uint32).repeat(20), np.array([0]))
                assert np.isfinite(m.vectors).all()
        print("ok")
        """,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@needs_core
def test_counts_that_would_break_training_are_refused() -> None:
    core = _backend.core()
    for counts, what in (
        ([0, 0], "count 0"),
        ([1, 5], "order"),
        ([2**63, 2**63], r"2\^64"),
    ):
        with pytest.raises(ConfigError, match=what):
            core.Word2VecModel(["a", "b"], counts, hs=True)


@needs_core
def test_ids_changed_by_another_thread_cannot_escape_the_check() -> None:
    """train_ids checked a numpy buffer, then read it again without the GIL: another thread could
    slip an id past the check (an out-of-bounds write through a raw pointer). The ids are now
    copied under the GIL first. Here another thread writes huge ids into the tail of the array a
    few milliseconds into each call, after the (fast) check and before the (slower) copy reached
    the tail: before the fix the process died (a segfault, in most runs)."""
    result = run_python(
        """
        import threading, time
        import numpy as np
        from subwordx import _core
        from subwordx.errors import ConfigError
        m = _core.Word2VecModel(["a", "b", "c"], [3, 2, 1], dim=1, window=1, sample=0,
                                negative=1)
        SKIP, BAD = 0xFFFFFFFF, 4_000_000_000
        ids = np.full(3_000_000, SKIP, np.uint32)
        ids[:100] = np.arange(100) % 3
        ids[-1000:] = np.arange(1000) % 3
        tail = ids[-1000:].copy()
        starts = np.array([0], np.int64)
        go, done = threading.Event(), threading.Event()
        delay = [0.0]
        def late_writer():
            while True:
                go.wait()
                go.clear()
                if done.is_set():
                    return
                time.sleep(delay[0])
                ids[-1000::2] = BAD
        t = threading.Thread(target=late_writer)
        t.start()
        try:
            for d in [0.001, 0.002, 0.003, 0.005, 0.008] * 4:
                delay[0] = d
                go.set()
                try:
                    m.train_ids(ids, starts, 1)
                except ConfigError:
                    pass
                ids[-1000:] = tail
        finally:
            done.set()
            go.set()
            t.join()
        assert np.isfinite(m.vectors).all()
        print("ok")
        """
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", (
        result.returncode,
        result.stderr[-2000:],
    )


# ---------------------------------------------------------------- threads


@needs_core
def test_a_model_used_while_training_is_busy_not_already_borrowed() -> None:
    """Reading or training a model from a second thread raised PyO3's RuntimeError('Already
    borrowed'); it is a ModelBusyError, and the model stays usable."""
    model = Word2Vec(SENTENCES, backend="rust", **SMALL)
    inside = threading.Event()
    release = threading.Event()
    seen: list[BaseException] = []

    def on_epoch(epoch: int, loss: float) -> None:
        inside.set()
        release.wait(30)

    def train() -> None:
        try:
            model.train(SENTENCES, epochs=1, on_epoch=on_epoch)
        except BaseException as e:  # reported below
            seen.append(e)

    t = threading.Thread(target=train)
    t.start()
    try:
        assert inside.wait(30)
        with pytest.raises(ModelBusyError, match="busy"):
            model._inner.vectors  # noqa: B018 - the access is the test
        with pytest.raises(ModelBusyError):
            model.train(SENTENCES, epochs=1)
        with pytest.raises(ModelBusyError):
            model.save_word2vec_format(os.devnull + ".never")
    finally:
        release.set()
        t.join(60)
    assert not seen, seen
    assert len(model.wv) == 8
    # A training callback that reads its own model gets the same error (it used to get
    # "Already borrowed").
    with pytest.raises(ModelBusyError):
        model.train(SENTENCES, epochs=1, on_epoch=lambda epoch, loss: model._inner.vectors)
    assert isinstance(ModelBusyError("x"), RuntimeError)
    assert issubclass(InternalError, SubwordxError) and issubclass(InternalError, RuntimeError)


# ---------------------------------------------------------------- files that lie


def _binary(words: list[bytes], vectors: np.ndarray, header: bytes | None = None) -> bytes:
    n, dim = vectors.shape
    out = header if header is not None else f"{n} {dim}\n".encode()
    for w, v in zip(words, vectors.astype("<f4"), strict=True):
        out += w + b" " + v.tobytes() + b"\n"
    return out


def test_a_header_promising_petabytes_is_refused_up_front(backend: str, tmp_path: Path) -> None:
    """`999999999 999999` used to allocate 3.55 PiB (an abort) before reading a record."""
    for name, data in (
        ("huge.bin", b"999999999 999999\nabc " + b"\0" * 64),
        ("huge.txt", b"999999999 999999\na 1 2\n"),
        ("huge2.bin", b"18446744073709551615 1000\nx"),
    ):
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(ModelFormatError, match=rf"{name}.*truncated"):
            KeyedVectors.load_word2vec_format(p)
    p = tmp_path / "bigdim.txt"
    p.write_bytes(b"1 99999999999\n")
    with pytest.raises(ModelFormatError, match="header"):
        KeyedVectors.load_word2vec_format(p)


def test_invalid_utf8_in_vector_files(backend: str, tmp_path: Path) -> None:
    vec = np.array([[1.5, -2.0]], np.float32)
    b = tmp_path / "u.bin"
    b.write_bytes(_binary([b"a\xffb"], vec))
    with pytest.raises(ModelFormatError, match=r"u\.bin.*record 1.*not UTF-8"):
        KeyedVectors.load_word2vec_format(b)
    assert KeyedVectors.load_word2vec_format(b, errors="replace").index_to_key == ["a\ufffdb"]
    assert KeyedVectors.load_word2vec_format(b, errors="ignore").index_to_key == ["ab"]
    t = tmp_path / "u.txt"
    t.write_bytes(b"1 2\na\xffb 1.5 -2\n")
    # A UnicodeDecodeError used to escape from the text reader.
    with pytest.raises(ModelFormatError, match=r"u\.txt.*line 2.*UTF-8"):
        KeyedVectors.load_word2vec_format(t, binary=False)
    np.testing.assert_array_equal(
        KeyedVectors.load_word2vec_format(t, binary=False, errors="replace").vectors, vec
    )


def test_limit_is_honoured_while_reading(backend: str, tmp_path: Path) -> None:
    vecs = np.arange(6, dtype=np.float32).reshape(3, 2)
    t = tmp_path / "v.txt"
    # The text reader used to read every line (and so fail on the garbage) whatever the limit.
    t.write_text("3 2\na 0 1\nb 2 3\nthis line is garbage\n", encoding="utf-8")
    kv = KeyedVectors.load_word2vec_format(t, limit=2)
    assert kv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(kv.vectors, vecs[:2])
    with pytest.raises(ModelFormatError, match="line 4"):
        KeyedVectors.load_word2vec_format(t)
    assert len(KeyedVectors.load_word2vec_format(t, limit=0)) == 0
    for bad in (-1, 1.5, "2", True):
        with pytest.raises(ConfigError, match="limit"):
            KeyedVectors.load_word2vec_format(t, limit=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="errors"):
        KeyedVectors.load_word2vec_format(t, errors="surrogateescape")  # type: ignore[arg-type]


def test_both_backends_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if _backend._core is None:
        pytest.skip("the compiled core is not installed")
    rng = np.random.default_rng(5)
    vecs = (rng.standard_normal((40, 7)) * 10.0 ** rng.integers(-40, 38, (40, 7))).astype(
        np.float32
    )
    vecs[0, :4] = [0.0, -0.0, 1.0, 0.1]
    kv = KeyedVectors([f"w{i}" for i in range(40)], vecs)
    out = {}
    for name in ("rust", "python"):
        monkeypatch.setenv("SUBWORDX_BACKEND", name)
        for binary in (True, False):
            p = tmp_path / f"{name}-{binary}"
            kv.save_word2vec_format(p, binary=binary)
            out[name, binary] = p.read_bytes()
            back = KeyedVectors.load_word2vec_format(p)
            np.testing.assert_array_equal(back.vectors, vecs)
    assert out["rust", True] == out["python", True]
    # Text: the same layout and notation; the digits agree except where two shortest forms are
    # equally close (144873.125 is written 144873.13 by Rust, 144873.12 by numpy), and both
    # read back to the same float32.
    rust, python = (out[name, False].split() for name in ("rust", "python"))
    assert len(rust) == len(python)
    differ = [(a, b) for a, b in zip(rust, python, strict=True) if a != b]
    assert len(differ) <= 3, differ
    for a, b in differ:
        assert np.float32(a) == np.float32(b) and len(a) == len(b) and (b"e" in a) == (b"e" in b)


def test_non_regular_files_are_refused(backend: str, tmp_path: Path) -> None:
    """The same class and words as the tokenizer trainers' refusal (one reader, one check)."""
    for load in (KeyedVectors.load_word2vec_format, KeyedVectors.load):
        with pytest.raises(SubwordxIOError, match="not a regular file"):
            load(tmp_path)
    with pytest.raises(SubwordxIOError, match="not a regular file"):
        Word2Vec(corpus_file=tmp_path, min_count=1)


@needs_core
def test_a_word_longer_than_the_limit_is_a_corpus_error(tmp_path: Path) -> None:
    """257 MiB without whitespace (sparse: it costs no disk): the core's word reader would grow
    its buffer without end; it stops at the limit every corpus reader has."""
    big = tmp_path / "one-word.txt"
    with open(big, "wb") as f:
        f.write(b"a few words ")
        f.truncate(257 << 20)
    with pytest.raises(CorpusError, match="the word that starts at byte 12 is longer than"):
        Word2Vec(corpus_file=big, min_count=1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_corpus_is_refused_not_a_hang(tmp_path: Path) -> None:
    """Opening a FIFO with no writer blocks forever (and ignores Ctrl-C)."""
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)
    result = run_python(
        f"""
        from subwordx import Word2Vec, KeyedVectors
        from subwordx.errors import SubwordxIOError
        for call in (lambda: Word2Vec(corpus_file={str(fifo)!r}, min_count=1),
                     lambda: KeyedVectors.load_word2vec_format({str(fifo)!r}),
                     lambda: Word2Vec(corpus_file="/dev/zero", min_count=1)):
            try:
                call()
            except SubwordxIOError as e:
                assert "not a regular file" in str(e), e
            else:
                raise SystemExit("accepted")
        print("ok")
        """,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


# ---------------------------------------------------------------- tampered .npz


def _saved(tmp_path: Path) -> dict[str, np.ndarray]:
    model = Word2Vec(SENTENCES, hs=True, **SMALL)
    p = tmp_path / "m.npz"
    model.save(p)
    with np.load(p) as npz:
        return {k: npz[k] for k in npz.files}


def _write(path: Path, arrays: dict[str, Any]) -> Path:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    return path


def _with_config(arrays: dict[str, np.ndarray], **changes: Any) -> dict[str, np.ndarray]:
    config = json.loads(str(arrays["config"]))
    config.update(changes)
    for k in [k for k, v in changes.items() if v is ...]:
        del config[k]
    return {**arrays, "config": np.array(json.dumps(config))}


def test_a_tampered_config_is_a_model_format_error(backend: str, tmp_path: Path) -> None:
    """negative=2**40 in a saved config used to abort Word2Vec.load(...).train()."""
    arrays = _saved(tmp_path)
    for changes, what in (
        ({"negative": 2**40}, "negative"),
        ({"dim": 10**9}, "dim"),
        ({"window": -3}, "window"),
        ({"epochs": "5"}, "epochs"),
        ({"alpha": None}, "alpha"),
        ({"hs": 1}, "hs"),
        ({"model": "glove"}, "model"),
        ({"window": ...}, "window is missing"),
        ({"losses": "high"}, "losses"),
    ):
        p = _write(tmp_path / "t.npz", _with_config(arrays, **changes))
        with pytest.raises(ModelFormatError, match=rf"t\.npz: config: .*{what}"):
            Word2Vec.load(p).train(SENTENCES)


@pytest.mark.parametrize(
    "change,what",
    [
        (lambda a: {k: v for k, v in a.items() if k != "vectors"}, "'vectors' is missing"),
        (lambda a: {**a, "format": np.array(5)}, "format must be a JSON string"),
        (lambda a: {**a, "format": np.array('["not", "a", "dict"]')}, "format tag"),
        (lambda a: {**a, "config": np.array("[1, 2]")}, "config is not a JSON object"),
        (lambda a: {**a, "config": np.array("{not json")}, "config is not JSON"),
        (lambda a: {**a, "keys": a["keys"].reshape(1, -1)}, "keys must be a 1-D array"),
        (lambda a: {**a, "keys": np.arange(len(a["keys"]))}, "keys must be a 1-D array of str"),
        (lambda a: {**a, "vectors": a["vectors"].astype(np.int32)}, "vectors must be a 2-D float"),
        (lambda a: {**a, "counts": -a["counts"]}, "counts must be between 0"),
        (lambda a: {**a, "counts": a["counts"].astype(np.float64)}, "counts must be a 1-D int"),
        (lambda a: {**a, "keys": np.array(["a"] * len(a["keys"]))}, "appears twice"),
    ],
)
def test_a_tampered_npz_is_a_model_format_error(
    backend: str, tmp_path: Path, change: Any, what: str
) -> None:
    p = _write(tmp_path / "t.npz", change(_saved(tmp_path)))
    with pytest.raises(ModelFormatError, match=rf"t\.npz.*{what}"):
        Word2Vec.load(p)


def test_tampered_counts_and_layers_reach_no_crash(backend: str, tmp_path: Path) -> None:
    arrays = _saved(tmp_path)
    for changes in (
        {"counts": arrays["counts"][::-1].copy()},  # out of vocabulary order
        {"counts": np.zeros_like(arrays["counts"])},
        {"syn1": arrays["syn1"][:-1]},
        {"syn1": arrays["syn1"].astype(np.int64)},
    ):
        p = _write(tmp_path / "t.npz", {**arrays, **changes})
        try:
            Word2Vec.load(p).train(SENTENCES)
        except ModelFormatError as e:
            assert "t.npz" in str(e)


def test_an_npz_header_that_lies_about_its_shape(backend: str, tmp_path: Path) -> None:
    """An array header announcing 10^12 values must not make numpy allocate them."""
    arrays = _saved(tmp_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # a well-formed archive (CRCs right), a lying header
        for name, arr in arrays.items():
            member = io.BytesIO()
            arr = np.asanyarray(arr)
            if name == "vectors":
                header = np.lib.format.header_data_from_array_1_0(arr)
                header["shape"] = (999_999_999_999, arr.shape[1])
                np.lib.format.write_array_header_1_0(member, header)
                member.write(arr.tobytes())
            else:
                np.lib.format.write_array(member, arr)
            zf.writestr(name + ".npy", member.getvalue())
    p = tmp_path / "t.npz"
    p.write_bytes(buf.getvalue())
    # Checked against the member's size before numpy allocates (it used to try, and report
    # numpy's "Unable to allocate ..." or, on a big enough machine, go ahead).
    with pytest.raises(ModelFormatError, match=r"t\.npz.*announces shape \(9999"):
        KeyedVectors.load(p)
    p.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ModelFormatError, match=r"t\.npz"):
        KeyedVectors.load(p)


# ---------------------------------------------------------------- fuzzing finds, replayed


def test_fuzz_corpus_replays_without_crash(tmp_path: Path) -> None:
    """Inputs the fuzzer (fuzz/fuzz_word2vec_files.py) found crashing, kept and replayed."""
    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        from fuzz_word2vec_files import exercise
    finally:
        sys.path.pop(0)
    files = sorted(f for f in FUZZ_CORPUS.iterdir() if f.suffix in (".bin", ".txt", ".npz"))
    assert files, f"{FUZZ_CORPUS} is empty"
    for f in files:
        bad = exercise(f.read_bytes(), f.suffix, tmp_path)
        assert bad is None, f"{f.name}: {bad}"
