"""Long work stops cleanly when asked: Ctrl-C (a KeyboardInterrupt raised in the main thread while
the core works off the GIL) and an exception from a progress callback both cancel the core."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path

import pytest

import subwordx
from subwordx import _backend

pytestmark = pytest.mark.skipif(_backend._core is None, reason="the compiled core is not installed")


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~16 MB of real English (the embedded corpus repeated), enough work to interrupt."""
    text = subwordx.embedded_corpus().read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text(text * 60, encoding="utf-8")
    return path


@pytest.mark.parametrize("stream", [False, True])
def test_ctrl_c_stops_training(big_corpus: Path, stream: bool) -> None:
    # interrupt_main raises KeyboardInterrupt in the main thread, as Ctrl-C does, while the core
    # trains off the GIL (50 epochs would take minutes). Streamed, the reader thread must stop too.
    timer = threading.Timer(1.0, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            subwordx.Word2Vec(
                corpus_file=big_corpus, model="skipgram", epochs=50, threads=2, stream=stream
            )
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("stream", [False, True])
def test_callback_exception_cancels_word2vec(big_corpus: Path, stream: bool) -> None:
    calls = []

    def progress(stage: str, done: int, total: int, info: str) -> None:
        calls.append(stage)
        if stage.startswith("training"):
            raise RuntimeError("stop here")

    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="stop here"):
        subwordx.Word2Vec(
            corpus_file=big_corpus, model="skipgram", epochs=50, progress=progress, stream=stream
        )
    assert time.perf_counter() - start < 20
    assert any(s.startswith("training") for s in calls)
