"""subwordx.dask on a LocalCluster of 2 worker processes: counting equals local counting, training
from the counts equals training on the file, encoding equals local encoding, the tokenizer travels
once per worker, and a worker killed mid-count changes nothing (docs/dask.md).

The corpus is the first 8 MB of ``../shared/data/corpora/gcide.txt`` (cut at a line end): the
whole 40 MB file takes several times longer on CI's 2 cores and exercises nothing more (the
partitioning, 10 blocks, is the same).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.bag as db
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import subwordx
import subwordx.dask
from subwordx import WordCounts
from subwordx.errors import ConfigError, CountSettingsMismatchError

from .conftest import shared

SLICE_BYTES = 8_000_000
PARTITIONS = 10


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    )
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def tok(corpus: Path) -> subwordx.Tokenizer:
    """A small byte-level BPE with a special token (trained on the first 20,000 lines)."""
    with corpus.open(encoding="utf-8") as f:
        head = [next(f) for _ in range(20_000)]
    return subwordx.train_bpe(
        texts=head, vocab_size=1000, byte_level=True, special_tokens=["<|endoftext|>"]
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = shared("corpora/gcide.txt").read_bytes()[:SLICE_BYTES]
    path = tmp_path_factory.mktemp("dask") / "gcide-8mb.txt"
    path.write_bytes(data[: data.rindex(b"\n") + 1])
    return path


def lines_bag(path: Path) -> Any:
    bag = db.read_text(
        str(path), blocksize=path.stat().st_size // PARTITIONS + 1, linedelimiter="\n"
    )
    assert bag.npartitions >= 8
    return bag


def test_importing_subwordx_does_not_import_dask() -> None:
    code = (
        "import sys, subwordx, subwordx.word_counts, subwordx.cli; "
        "bad = [m for m in ('dask', 'distributed') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


SETTINGS = {
    "whitespace": {"pre_tokenizer": "whitespace"},
    "byte-level": {"byte_level": True},  # gpt2
    "bert": {"model": "wordpiece"},  # WordPiece's: BERT's normalizer and pre-tokenizer
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_counts_and_training_equal_local(name: str, client: Client, corpus: Path) -> None:
    settings: dict[str, Any] = SETTINGS[name]
    counted = subwordx.dask.count_words(lines_bag(corpus), **settings)
    local = WordCounts.from_files(corpus, **settings)
    assert counted == local
    assert counted.to_bytes() == local.to_bytes()
    assert len(counted) > 50_000
    if settings.get("model") == "wordpiece":
        from_counts = subwordx.train_wordpiece(word_counts=counted, vocab_size=1000)
        from_file = subwordx.train_wordpiece(corpus, vocab_size=1000)
        assert from_counts.get_vocab() == from_file.get_vocab()
    else:
        bpe_settings = {k: v for k, v in settings.items() if k != "model"}
        from_counts = subwordx.train_bpe(word_counts=counted, vocab_size=1000)
        from_file = subwordx.train_bpe(corpus, vocab_size=1000, **bpe_settings)
        assert len(from_counts.merges) > 500
        assert from_counts.merges == from_file.merges
    assert from_counts.to_str() == from_file.to_str()


def test_pruning_per_partition_is_a_lower_bound(client: Client, corpus: Path) -> None:
    bag = lines_bag(corpus)
    exact = WordCounts.from_files(corpus, pre_tokenizer="whitespace")
    pruned = subwordx.dask.count_words(
        bag, pre_tokenizer="whitespace", min_count_per_partition=3, split_every=3
    )
    assert 0 < len(pruned) < len(exact)
    for word, n in pruned.items():
        assert n <= exact[word]
    # A word seen more than (min_count - 1) times in every partition cannot be lost entirely.
    floor = bag.npartitions * 2 + 1
    assert all(word in pruned for word, n in exact.items() if n >= floor)


def test_settings_are_checked_before_anything_runs(client: Client, corpus: Path) -> None:
    bag = lines_bag(corpus)
    with pytest.raises(ConfigError, match="pre_tokenizer"):
        subwordx.dask.count_words(bag, pre_tokenizer="nope")
    with pytest.raises(ConfigError, match="min_count"):
        subwordx.dask.count_words(bag, min_count_per_partition=0)
    with pytest.raises(ConfigError, match=r"dask\.bag\.Bag"):
        subwordx.dask.count_words(["not", "a", "bag"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="must hold strings"):
        subwordx.dask.count_words(db.from_sequence([1, 2], npartitions=1))
    # Counts of two settings never add up, on the cluster or here.
    a = subwordx.dask.count_words(db.from_sequence(["a b"], npartitions=1))
    with pytest.raises(CountSettingsMismatchError):
        a + WordCounts.from_texts(["a b"], byte_level=True)


def test_encode_series_equals_local_encoding(
    client: Client, corpus: Path, tok: subwordx.Tokenizer
) -> None:
    lines = corpus.read_text(encoding="utf-8").split("\n")[:110_000]
    series = dd.from_pandas(pd.Series(lines, name="text"), npartitions=8)
    ids = subwordx.dask.encode(series, tok).compute()
    assert isinstance(ids, pd.Series) and ids.name == "text"
    assert ids.index.tolist() == list(range(len(lines)))
    assert str(ids.dtype) == "list<item: uint32>[pyarrow]"
    assert ids.tolist() == tok.encode_batch_lists(lines)
    few = dd.from_pandas(pd.Series(lines[:999]), npartitions=3)
    arrays = subwordx.dask.encode(few, tok, as_numpy=True).compute()
    assert arrays.dtype == object and all(a.dtype == np.uint32 for a in arrays)
    assert [a.tolist() for a in arrays] == tok.encode_batch_lists(lines[:999])
    with pytest.raises(ConfigError, match="expected a str"):
        subwordx.dask.encode(dd.from_pandas(pd.Series(["a", None]), npartitions=1), tok).compute()


def test_encode_bag_options_and_numpy(
    client: Client, corpus: Path, tok: subwordx.Tokenizer
) -> None:
    lines = corpus.read_text(encoding="utf-8").split("\n")[:5000]
    lines[7] = "a text with <|endoftext|> in it"
    bag = db.from_sequence(lines, npartitions=4)
    got = subwordx.dask.encode(bag, tok, as_numpy=True).compute()
    assert all(isinstance(a, np.ndarray) and a.dtype == np.uint32 for a in got)
    assert [a.tolist() for a in got] == tok.encode_batch_lists(lines)
    cut = subwordx.dask.encode(bag, tok, max_length=5, truncation_direction="left").compute()
    assert cut == tok.with_truncation(5, direction="left").encode_batch_lists(lines)
    plain = subwordx.dask.encode(bag, tok, allowed_special=()).compute()
    assert plain == tok.encode_batch_lists(lines, allowed_special=())
    assert plain[7] != got[7].tolist()
    with pytest.raises(ConfigError, match="not special"):
        subwordx.dask.encode(bag, tok, allowed_special={"<nope>"})
    with pytest.raises(ConfigError, match=r"Series or a dask\.bag\.Bag"):
        subwordx.dask.encode(lines, tok)
    # Downstream bag operations see plain lists of ints.
    assert subwordx.dask.encode(bag, tok).map(len).sum().compute() == sum(
        len(x) for x in tok.encode_batch_lists(lines)
    )


def _count_tokenizer_unpickling() -> None:
    """Run on each worker: counts how often a Tokenizer is unpickled there."""
    import subwordx.tokenizer as t

    original = t._unpickle

    def counting(data: bytes, backend: str) -> Any:
        t._unpickled_here = getattr(t, "_unpickled_here", 0) + 1  # type: ignore[attr-defined]
        return original(data, backend)

    t._unpickle = counting  # type: ignore[assignment]


def _unpickled_here() -> int:
    import subwordx.tokenizer as t

    return int(getattr(t, "_unpickled_here", 0))


def test_tokenizer_travels_once_per_worker(client: Client, tok: subwordx.Tokenizer) -> None:
    lines = [f"line {i} of some text" for i in range(4000)]
    client.run(_count_tokenizer_unpickling)
    bag = db.from_sequence(lines, npartitions=16)
    assert subwordx.dask.encode(bag, tok).compute() == tok.encode_batch_lists(lines)
    per_worker = client.run(_unpickled_here)
    assert len(per_worker) == 2
    assert all(n <= 1 for n in per_worker.values()), per_worker
    assert sum(per_worker.values()) >= 1


def _slowly(lines: list[str], seconds: float) -> list[str]:
    time.sleep(seconds)
    return lines


def test_a_worker_killed_mid_count_changes_nothing(client: Client, corpus: Path) -> None:
    local = WordCounts.from_files(corpus, pre_tokenizer="whitespace")
    pids = client.run(os.getpid)
    bag = lines_bag(corpus).map_partitions(_slowly, 0.4)
    future = client.compute(subwordx.dask.count_words_lazy(bag, pre_tokenizer="whitespace"))

    def in_memory(dask_scheduler: Any) -> dict[str, int]:
        return {a: len(ws.has_what) for a, ws in dask_scheduler.workers.items()}

    deadline = time.monotonic() + 60
    victim = None
    while victim is None and time.monotonic() < deadline and not future.done():
        held = client.run_on_scheduler(in_memory)
        victim = next((a for a, n in held.items() if n >= 1), None)
        time.sleep(0.05)
    assert victim is not None, "no partition finished before the count did"
    assert not future.done()
    os.kill(pids[victim], signal.SIGKILL)  # a LocalCluster's workers are processes here
    result = future.result(timeout=120)
    assert result == local
    client.wait_for_workers(2, timeout=60)
    assert pids[victim] not in client.run(os.getpid).values(), "the worker did not die"


def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- dask-example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.py").write_text(block, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "WordCounts(" in run.stdout
    # What the workers wrote is what local training and encoding give.
    tok = subwordx.train_bpe(subwordx.embedded_corpus(), byte_level=True, vocab_size=2000)
    written = pd.read_parquet(tmp_path / "encoded", dtype_backend="pyarrow")
    assert len(written) == subwordx.embedded_corpus().read_text(encoding="utf-8").count("\n")
    want = tok.encode_batch_lists(written["text"].tolist())
    assert [list(ids) for ids in written["ids"]] == want
