"""Long work stops cleanly when asked: Ctrl-C (a KeyboardInterrupt raised in the main thread while
the core works off the GIL) and an exception from a progress callback both cancel the core."""

from __future__ import annotations

import _thread
import signal
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
    # The interrupt is armed only once training has visibly started, so a slow machine cannot
    # fire it early, and Python's own SIGINT handler is installed for the test: a process started
    # in the background by a non-interactive shell inherits SIGINT ignored, and then
    # interrupt_main does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timers: list[threading.Timer] = []

    def progress(stage: str, done: int, total: int, info: str) -> None:
        if stage.startswith("training") and not timers:
            timers.append(threading.Timer(0.3, _thread.interrupt_main))
            timers[0].start()

    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            subwordx.Word2Vec(
                corpus_file=big_corpus,
                model="skipgram",
                epochs=50,
                threads=2,
                stream=stream,
                progress=progress,
            )
    finally:
        for timer in timers:
            timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert timers, "training never reported progress"
    assert time.perf_counter() - start < 60


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
