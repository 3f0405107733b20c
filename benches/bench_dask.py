"""subwordx on Dask (docs/dask.md): what the engine costs on one machine, how counting scales from
1 to 2 workers, and how small the counts travel.

1. **Counting** ``corpora/gcide.txt`` (40 MB) with ``--pre-tokenizers``:
   ``WordCounts.from_files`` (subwordx's own streamed counter, 1 thread and all cores) against
   ``subwordx.dask.count_words(dask.bag.read_text(path, blocksize=--blocksize-mb))`` on a
   ``LocalCluster`` of 1 worker and of 2 workers (processes, 1 thread each), and Dask reading the
   same bag without counting (``map_partitions(len).sum()``: the engine's share). Sides alternate
   within every round; medians; every count is checked equal to the local one.
2. **Encoding** ``--encode-lines`` lines of gcide with a byte-level BPE trained on it:
   ``encode_batch_ids`` and ``encode_batch_lists`` (all cores) against ``subwordx.dask.encode``
   of a Dask Series (8 partitions) on each cluster, computed to the client (a
   ``list<uint32>[pyarrow]`` Series); ids compared.
3. **Size on the wire**: a pickled ``WordCounts`` against a pickled ``dict`` of the same counts,
   with pickling and unpickling times.

Usage::

    python benches/bench_dask.py --shared ../shared
    python benches/bench_dask.py --rounds 1 --pre-tokenizers gpt2     # quick
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask.bag as db
import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

import subwordx
import subwordx.dask
from subwordx import WordCounts

SETTINGS: dict[str, dict[str, Any]] = {
    "gpt2": {"byte_level": True},
    "whitespace": {"pre_tokenizer": "whitespace"},
    "bert": {"model": "wordpiece"},
}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def counting(
    path: Path, clusters: dict[str, Client], names: list[str], rounds: int, blocksize: int
) -> None:
    mb = path.stat().st_size / 1e6
    print(f"\n## Counting {path.name} ({mb:.1f} MB), blocks of {blocksize / 2**20:.0f} MiB\n")
    for name in names:
        count_one(path, clusters, name, rounds, blocksize)


def count_one(
    path: Path, clusters: dict[str, Client], name: str, rounds: int, blocksize: int
) -> None:
    mb = path.stat().st_size / 1e6
    settings = SETTINGS[name]
    local = WordCounts.from_files(path, **settings)
    sides: dict[str, Callable[[], Any]] = {
        "WordCounts.from_files, 1 thread": lambda: WordCounts.from_files(
            path, threads=1, **settings
        ),
        "WordCounts.from_files, all cores (2)": lambda: WordCounts.from_files(
            path, threads=0, **settings
        ),
    }
    for label, client in clusters.items():

        def bag(client: Client = client) -> Any:
            with client.as_current():
                return db.read_text(str(path), blocksize=blocksize, linedelimiter="\n")

        def count(client: Client = client, bag: Callable[[], Any] = bag) -> Any:
            with client.as_current():
                return subwordx.dask.count_words(bag(), **settings)

        def read_only(client: Client = client, bag: Callable[[], Any] = bag) -> Any:
            with client.as_current():
                return bag().count().compute()

        sides[f"dask count_words, {label}"] = count
        sides[f"dask read_text only, {label}"] = read_only
    times: dict[str, list[float]] = {k: [] for k in sides}
    same = True
    for _ in range(rounds):
        for side, fn in sides.items():
            t, out = timed(fn)
            times[side].append(t)
            if isinstance(out, WordCounts):
                same &= out == local
    base = statistics.median(times["WordCounts.from_files, all cores (2)"])
    print(f"### {name} ({len(local):,} distinct words; all counts equal: {same})\n")
    print("| side | time | MB/s | vs from_files (all cores) |")
    print("|---|---|---|---|")
    for side, ts in times.items():
        m = statistics.median(ts)
        print(f"| {side} | {m:.2f} s | {mb / m:.1f} | {m / base:.2f}× |")
    print()


def encoding(path: Path, clusters: dict[str, Client], rounds: int, n_lines: int) -> None:
    with path.open(encoding="utf-8") as f:
        lines = [line.rstrip("\n") for _, line in zip(range(n_lines), f)]
    mb = sum(len(t.encode()) for t in lines) / 1e6
    tok = subwordx.train_bpe(texts=lines[:50_000], vocab_size=8000, byte_level=True)
    local = tok.encode_batch_lists(lines)
    with warnings.catch_warnings():  # "large graph": the lines are in it, on purpose
        warnings.simplefilter("ignore", UserWarning)
        series = dd.from_pandas(pd.Series(lines, name="text"), npartitions=8)
    sides: dict[str, Callable[[], Any]] = {
        "encode_batch_ids (flat arrays), all cores": lambda: tok.encode_batch_ids(lines),
        "encode_batch_lists, all cores": lambda: tok.encode_batch_lists(lines),
    }
    for label, client in clusters.items():

        def enc(client: Client = client) -> Any:
            with client.as_current(), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return subwordx.dask.encode(series, tok).compute()

        sides[f"dask encode (Series, 8 partitions) to the client, {label}"] = enc
    times: dict[str, list[float]] = {k: [] for k in sides}
    same = True
    for _ in range(rounds):
        for side, fn in sides.items():
            t, out = timed(fn)
            times[side].append(t)
            if isinstance(out, pd.Series):
                same &= out.tolist() == local
    print(f"\n## Encoding {len(lines):,} lines ({mb:.1f} MB), byte-level BPE 8k")
    print(f"\nids equal to local: {same}\n")
    print("| side | time | MB/s |")
    print("|---|---|---|")
    for side, ts in times.items():
        m = statistics.median(ts)
        print(f"| {side} | {m:.2f} s | {mb / m:.1f} |")


def sizes(path: Path, names: list[str]) -> None:
    print("\n## Pickled size: WordCounts against a dict of the same counts\n")
    print("| counts | words | WordCounts | dict | ratio | pickle / unpickle WordCounts | dict |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        wc = WordCounts.from_files(path, **SETTINGS[name])
        d = wc.to_dict()
        t_wc, blob = timed(lambda wc=wc: pickle.dumps(wc))
        t_d, dblob = timed(lambda d=d: pickle.dumps(d))
        u_wc, back = timed(lambda blob=blob: pickle.loads(blob))
        u_d, _ = timed(lambda dblob=dblob: pickle.loads(dblob))
        assert back == wc
        print(
            f"| {name} | {len(wc):,} | {len(blob) / 1e6:.2f} MB | {len(dblob) / 1e6:.2f} MB | "
            f"{len(dblob) / len(blob):.2f}× | {t_wc * 1e3:.0f} / {u_wc * 1e3:.0f} ms | "
            f"{t_d * 1e3:.0f} / {u_d * 1e3:.0f} ms |"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=None, help="folder holding data/ (default ../shared)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--blocksize-mb", type=float, default=4)
    p.add_argument("--pre-tokenizers", default="gpt2,whitespace,bert")
    p.add_argument("--encode-lines", type=int, default=200_000)
    p.add_argument("--only", default="count,encode,size")
    args = p.parse_args()
    root = Path(args.shared) if args.shared else Path(__file__).resolve().parents[2] / "shared"
    path = root / "data" / "corpora" / "gcide.txt"
    names = args.pre_tokenizers.split(",")
    only = args.only.split(",")
    if "size" in only:
        sizes(path, names)
    if not {"count", "encode"} & set(only):
        return
    clusters = {}
    for n in (1, 2):
        cluster = LocalCluster(
            n_workers=n, processes=True, threads_per_worker=1, dashboard_address=":0"
        )
        clusters[f"{n} worker{'s' if n > 1 else ''}"] = Client(cluster, set_as_default=False)
    try:
        for client in clusters.values():  # warm: workers import subwordx once
            with client.as_current():
                db.from_sequence(["warm up"]).map_partitions(
                    lambda xs: [len(subwordx.WordCounts.from_texts(xs))]
                ).compute()
        if "count" in only:
            counting(path, clusters, names, args.rounds, int(args.blocksize_mb * 2**20))
        if "encode" in only:
            encoding(path, clusters, args.rounds, args.encode_lines)
    finally:
        for client in clusters.values():
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()


if __name__ == "__main__":
    main()
