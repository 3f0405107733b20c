"""GloVe: the Rust core against the numpy reference (docs/glove.md), line by line.

* The co-occurrence table is identical (integer sums), in memory, spilled, on any thread count.
* With one thread and a seed the vectors, biases and costs agree within float32 round-off.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subwordx import _backend, cooccurrence_matrix
from subwordx.glove import GloVe
from subwordx.reference import glove as ref
from subwordx.reference.word2vec import Lcg
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


def _reference_table(
    lines: list[list[str]], min_count: int, window: int, symmetric: bool
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    words, _ = ref.build_vocab(lines, min_count)
    rows, cols, x = ref.count_cooccurrences(lines, words, window, symmetric)
    return words, rows, cols, x


_LEE_TABLES: dict[bool, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]] = {}


@needs_core
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("threads,memory", [(1, 1 << 30), (2, 1 << 30), (2, 128 << 10)])
def test_cooccurrence_tables_are_identical(
    lee_lines: list[list[str]], lee_file: Path, symmetric: bool, threads: int, memory: int
) -> None:
    """Exact equality: same cells, same float32 values; also when counting spilled to disk."""
    if symmetric not in _LEE_TABLES:  # the Python count takes a few seconds: once per mode
        _LEE_TABLES[symmetric] = _reference_table(lee_lines, 3, 7, symmetric)
    words, rows, cols, x = _LEE_TABLES[symmetric]
    core = cooccurrence_matrix(
        lee_file, window=7, symmetric=symmetric, min_count=3, threads=threads, memory=memory
    )
    assert core.words == words
    np.testing.assert_array_equal(core.rows, rows)
    np.testing.assert_array_equal(core.cols, cols)
    np.testing.assert_array_equal(core.x, x)
    if memory < 1 << 20:
        assert core.spilled_runs > 0


@needs_core
@settings(max_examples=25, deadline=None)
@given(
    lines=st.lists(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", "zz"]), max_size=30), max_size=12
    ),
    window=st.integers(1, 25),
    symmetric=st.booleans(),
    threads=st.integers(1, 4),
)
def test_tables_agree_on_any_text(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[list[str]],
    window: int,
    symmetric: bool,
    threads: int,
) -> None:
    """Any lines, any window (past 22 the weights are rounded), any cut between threads."""
    path = tmp_path_factory.mktemp("hyp") / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in lines), encoding="utf-8")
    words, rows, cols, x = _reference_table(lines, 1, window, symmetric)
    if not words or not len(x):
        return
    core = cooccurrence_matrix(
        path, window=window, symmetric=symmetric, min_count=1, threads=threads
    )
    assert core.words == words
    np.testing.assert_array_equal(core.rows, rows)
    np.testing.assert_array_equal(core.cols, cols)
    np.testing.assert_array_equal(core.x, x)


def test_reference_weights_follow_the_spec() -> None:
    assert ref.weights(3) == (6, [6, 3, 2])
    scale, w = ref.weights(30)
    assert scale == 2**32 and w[2] == (2**32 + 1) // 3
    # 1/d per distance; a line break ends the window; OOV words are dropped first.
    words = ["a", "b", "c"]
    rows, cols, x = ref.count_cooccurrences([["a", "oov", "b", "c"], ["c", "a"]], words, 2, False)
    got = {(words[r], words[c]): float(v) for r, c, v in zip(rows, cols, x)}
    assert got == {("a", "b"): 1.0, ("a", "c"): 0.5, ("b", "c"): 1.0, ("c", "a"): 1.0}


def test_reference_shuffle_matches_its_definition() -> None:
    order = ref.shuffle(5, Lcg(3))
    assert sorted(order) == list(range(5))
    # Fisher-Yates from the end, j = below(k): replayed by hand.
    g = Lcg(3)
    expected = list(range(5))
    for k in range(4, 0, -1):
        j = ((g.advance() >> 11) * (k + 1)) >> 53
        expected[k], expected[j] = expected[j], expected[k]
    assert order == expected


@needs_core
@pytest.mark.parametrize("symmetric", [True, False])
def test_one_thread_vectors_match_the_reference(
    tmp_path: Path, lee_lines: list[list[str]], symmetric: bool
) -> None:
    """The first 30 lines of Lee (a table of a few thousand entries: the reference loops in
    Python), three epochs: the same draws, the same updates."""
    lee_head = tmp_path / "lee30.txt"
    lee_head.write_text("\n".join(" ".join(s) for s in lee_lines[:30]) + "\n", encoding="utf-8")
    kw = {
        "dim": 8,
        "window": 3,
        "symmetric": symmetric,
        "epochs": 3,
        "x_max": 10.0,
        "min_count": 4,
        "threads": 1,
        "seed": 11,
    }
    rust = GloVe(lee_head, backend="rust", **kw)  # type: ignore[arg-type]
    py = GloVe(lee_head, backend="python", **kw)  # type: ignore[arg-type]
    assert 500 < py.entries < 10000
    assert rust.words == py.words
    assert rust.entries == py.entries
    np.testing.assert_allclose(rust.word_vectors, py.word_vectors, atol=2e-5)
    np.testing.assert_allclose(rust.context_vectors, py.context_vectors, atol=2e-5)
    np.testing.assert_allclose(rust.word_biases, py.word_biases, atol=2e-5)
    np.testing.assert_allclose(rust.losses, py.losses, rtol=1e-5)
    assert py.losses[-1] < py.losses[0]
