"""word2vec on a corpus held in memory vs streamed from disk every epoch: time and peak memory.

Corpus: gcide in text8 style (as bench_word2vec.py) repeated ``--copies`` times, one word per
line group of 1,000 words, written once to the scratch folder (8 copies: ~43 M words, 240 MB).

Sides, all CBOW with negative sampling, dim 100, window 5, sample 1e-3, min_count 5, 1 epoch,
2 threads, each run as a fresh process (wall time and the process's own peak RSS):

* ``subwordx --in-memory``: the files are encoded once to 4-byte word ids held in memory;
* ``subwordx --stream``: a reader thread reads the files again every epoch and hands over
  10,000-word blocks through a bounded queue;
* ``gensim corpus_file``: gensim's own streaming mode (``Word2Vec(corpus_file=...)``), the
  anchor for training without holding the corpus.

Usage::

    python benches/bench_w2v_stream.py --shared ../shared [--copies 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

SCRIPT = Path(__file__).resolve()
SIDES = ("subwordx --in-memory", "subwordx --stream", "gensim corpus_file")


def make_corpus(shared: Path, scratch: Path, copies: int) -> tuple[Path, int]:
    path = scratch / f"gcide_text8_x{copies}_lines.txt"
    words = C.text8_words(shared).split()
    if not path.exists():
        # gensim's corpus_file mode reads lines; 1,000 words a line keeps every side's sentences
        # the same (subwordx cuts at 10,000 words, gensim at 10,000 too).
        lines = "\n".join(" ".join(words[i : i + 1000]) for i in range(0, len(words), 1000))
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="ascii") as f:
            for _ in range(copies):
                f.write(lines + "\n")
        tmp.rename(path)
    return path, len(words) * copies


def child(spec: dict[str, Any]) -> None:
    from gensim.models import Word2Vec

    t = time.perf_counter()
    Word2Vec(
        corpus_file=spec["corpus"],
        vector_size=100,
        window=5,
        negative=5,
        hs=0,
        sample=1e-3,
        sg=0,
        alpha=0.05,
        workers=2,
        epochs=1,
        min_count=5,
    )
    C.emit({"seconds": time.perf_counter() - t})


def command(side: str, corpus: Path, out: Path) -> list[str]:
    if side.startswith("subwordx"):
        return [
            sys.executable,
            "-m",
            "subwordx",
            "train-word2vec",
            str(corpus),
            "--model",
            "cbow",
            "--epochs",
            "1",
            "--threads",
            "2",
            side.split()[1],
            "-o",
            str(out),
            "-q",
        ]
    spec = {"corpus": str(corpus)}
    return [sys.executable, str(SCRIPT), "--child", json.dumps(spec)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    C.add_common_args(p, repeats=3)
    p.add_argument("--copies", type=int, default=8, help="gcide copies in the corpus (default 8)")
    p.add_argument("--sides", default=",".join(SIDES))
    args = p.parse_args()
    if args.child:
        child(json.loads(args.child))
        return 0
    C.print_preamble(sys.argv, ["subwordx", "gensim", "numpy"])
    shared = C.shared_dir(args.shared)
    scratch = C.scratch_dir(args.scratch)
    corpus, n_words = make_corpus(shared, scratch, args.copies)
    print(f"corpus: {corpus.name}, {n_words:,} words, {C.mb(corpus.stat().st_size):.0f} MB\n")
    sides = [s for s in args.sides.split(",") if s]
    runs: dict[str, list[tuple[float, int]]] = {s: [] for s in sides}
    for r in range(args.repeats):
        for side in sides:  # interleaved, so that drift of a noisy machine hits every side
            res = C.run_process(command(side, corpus, scratch / "stream_bench.bin"))
            if not res.ok:
                print(f"  !! {side} failed:\n{res.output[-2000:]}", file=sys.stderr)
                continue
            runs[side].append((res.wall, res.peak_rss))
            print(f"  run {r + 1} {side}: {res.wall:.1f} s, {C.fmt_mib(res.peak_rss)} MiB")
    base = C.median([w for w, _ in runs.get(SIDES[0], [])])
    rows = []
    for side, xs in runs.items():
        wall = C.median([w for w, _ in xs])
        rss = C.median([m for _, m in xs])
        rows.append(
            [
                side,
                C.fmt_s(wall),
                f"{n_words / wall / 2 / 1e3:.0f}k" if xs else "—",
                C.fmt_mib(rss),
                C.fmt_ratio(wall, base),
                len(xs),
            ]
        )
    print()
    print(
        C.table(
            ["side", "median s", "words/s/thread", "peak RSS MiB", "this s / in-memory s", "n"],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
