"""Hostile inputs, fork, threads and file writes (the tokenizer side of the reliability issue):
each test failed before its fix (a hang, a traceback, a crash or a destroyed file)."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx.cli import main
from subwordx.errors import ConfigError, CorpusError, SubwordxIOError

from .conftest import shared

TEXTS = ["the quick brown fox jumps over the lazy dog"] * 50


def _work_in_child(corpus: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    tok = subwordx.train_bpe(corpus, vocab_size=300)
    ids = tok.encode_batch_lists(TEXTS, threads=0)
    wp = subwordx.train_wordpiece(texts=TEXTS, vocab_size=60, min_frequency=1)
    queue.put((ids, wp.get_vocab()))


@pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's default start method")
def test_a_forked_child_works_after_the_parent_used_the_pools() -> None:
    corpus = str(shared("corpora/botchan.txt"))
    # The parent uses every pool first: counting, training, batch encoding on all cores.
    tok = subwordx.train_bpe(corpus, vocab_size=300)
    ids = tok.encode_batch_lists(TEXTS, threads=0)
    wp = subwordx.train_wordpiece(texts=TEXTS, vocab_size=60, min_frequency=1)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_work_in_child, args=(corpus, queue))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung in subwordx's thread pools")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == (ids, wp.get_vocab())


def test_threads_are_bounded() -> None:
    tok = subwordx.train_bpe(texts=TEXTS, vocab_size=60)
    for threads in (10**6, 2000, -1):
        with pytest.raises(ConfigError, match="threads"):
            tok.encode_batch_ids(TEXTS, threads=threads)
    with pytest.raises(ConfigError, match="threads"):
        subwordx.train_bpe(texts=TEXTS, vocab_size=60, threads=5000)


def test_devices_and_fifos_are_refused_not_read_forever(tmp_path: Path) -> None:
    with pytest.raises(SubwordxIOError, match="not a regular file"):
        subwordx.train_bpe("/dev/zero", vocab_size=100)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # Opening a FIFO without a writer blocks beyond Ctrl-C: run it where a hang can be killed.
    code = (
        "import subwordx, sys\n"
        "try:\n"
        f"    subwordx.train_wordpiece({str(fifo)!r}, vocab_size=100)\n"
        "except subwordx.errors.SubwordxIOError as e:\n"
        "    print(e); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not a regular file" in done.stdout


def test_ids_that_are_not_ids_are_config_errors() -> None:
    tok = subwordx.train_bpe(texts=TEXTS, vocab_size=60)
    bad: list[object] = [[-1], [2**32], [1.7], ["3"], "12", np.array([1.5]), [True], [2**70]]
    for ids in bad:
        with pytest.raises(ConfigError):
            tok.decode(ids)  # type: ignore[arg-type]
        with pytest.raises(ConfigError):
            tok.decode_bytes(ids)  # type: ignore[arg-type]
    for i in (-1, 2**32, 2**70, 1.5):
        with pytest.raises(ConfigError):
            tok.id_to_token(i)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        tok.token_to_id(5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        tok.decode_batch([[1, -1]])
    assert tok.decode(np.array([1, 2], dtype=np.int64)) == tok.decode([1, 2])


def test_huge_or_negative_numbers_never_escape_as_overflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = str(shared("corpora/botchan.txt"))
    for flag in ("--vocab-size", "--min-frequency", "--threads"):
        with pytest.raises(SystemExit) as e:
            main(["train-bpe", corpus, "-o", str(tmp_path / "t.json"), flag, str(2**70)])
        assert e.value.code == 2
        assert "too large" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        subwordx.train_bpe(corpus, vocab_size=2**70)
    with pytest.raises(ConfigError):
        subwordx.train_wordpiece(corpus, min_frequency=2**64)
    with pytest.raises(ConfigError):
        subwordx.train_bpe(word_counts={"ab": 2**64}, vocab_size=50)
    # Counts that fit 64 bits but would wrap the trainer's signed pair counts: refused.
    with pytest.raises(ConfigError, match="too large"):
        subwordx.train_bpe(word_counts={"ab": 2**63, "abc": 2**62}, vocab_size=50)
    tok = tmp_path / "tok.json"
    subwordx.train_bpe(texts=TEXTS, vocab_size=60).save(tok)
    ids = tmp_path / "ids.txt"
    ids.write_text("1 -1 2\n", encoding="utf-8")
    assert main(["decode", "-t", str(tok), str(ids)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_line_longer_than_the_limit_is_a_corpus_error(tmp_path: Path) -> None:
    """A regular file of 257 MiB without a line break (sparse: it costs no disk)."""
    big = tmp_path / "one-line.txt"
    with open(big, "wb") as f:
        f.truncate(257 << 20)
    with pytest.raises(CorpusError, match="longer than"):
        subwordx.train_bpe(big, vocab_size=100)


def test_saving_never_replaces_a_device_and_leaves_nothing_behind(tmp_path: Path) -> None:
    tok = subwordx.train_bpe(texts=TEXTS, vocab_size=60)
    if Path("/dev/null").exists():
        with pytest.raises(SubwordxIOError, match="not a regular file"):
            tok.save("/dev/null", "hf")
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(SubwordxIOError):
        tok.save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    out = tmp_path / "t.json"
    tok.save(out)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o666 & ~umask
    pair = tmp_path / "pair"
    tok.save(pair, "vocab-merges")
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "fifo.json",
        "merges.txt",
        "pair",
        "t.json",
        "vocab.json",
    ]


def test_the_python_writer_has_the_same_rules(tmp_path: Path) -> None:
    from subwordx._atomic import atomic_open

    out = tmp_path / "x.txt"
    with atomic_open(out) as f:
        f.write(b"ok")
    with pytest.raises(RuntimeError), atomic_open(out) as f:
        f.write(b"half")
        raise RuntimeError("fails midway")
    assert out.read_bytes() == b"ok"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
    with pytest.raises(SubwordxIOError, match="not a regular file"), atomic_open("/dev/null"):
        pass
