"""GloVe side by side: subwordx (its CLI) against the C reference (Stanford GloVe).

Corpus: gcide.txt in text8 style (``tr 'A-Z' 'a-z' < gcide.txt | tr -cs 'a-z' ' '``, done in
Python: ~5.4 M words on one line), written once to the scratch folder (shared with
bench_word2vec.py).

Settings (both sides): dim 50, window 10 (symmetric), 15 iterations, x_max 10, alpha 0.75,
eta 0.05, min_count 5, 2 threads; repeat ``r`` seeds both sides with ``r + 1`` (``--first-seed``
moves the start; C's shuffle and glove ``-seed``, subwordx ``--seed``), so that quality is
compared over seeds, by median.

* C GloVe: built from ``<shared>/third_party/glove`` in the scratch folder with its Makefile's
  flags; run as its demo script does, one shell process: ``vocab_count -min-count 5``,
  ``cooccur -memory 4.0 -window-size 10``, ``shuffle -memory 4.0``, ``glove -threads 2 -iter 15
  -vector-size 50 -x-max 10`` (GloVe text, no header; C adds an ``<unk>`` row, the mean of
  the 100 rarest words, which the evaluation sees as one more word). Wall time of the whole
  pipeline, temporary files included.
* subwordx: ``subwordx train-glove`` (its CLI) as a process, writing word2vec text.
* subwordx, spilled: the same with ``--memory 48M``, so that the co-occurrence table (about 18 M
  cells) does not fit in the counting memory and is spilled to disk and merged.

Sides alternate within each repeat (C, subwordx, C, subwordx, ...); tables print medians.
Peak memory is the largest resident set of any one process of a side (``getrusage`` of the
children in a small launcher, see ``_common.run_process``): for C the largest of its four
programs. Quality uses one scorer for all sides, subwordx's own evaluation
(``evaluate_word_analogies(questions-words.txt, restrict_vocab=30000)``, gensim's semantics, and
``evaluate_word_pairs(wordsim353.tsv)``, Spearman).

Usage::

    python benches/bench_glove.py --shared ../shared
    python benches/bench_glove.py --repeats 1 --sides subwordx,spill
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

SIDES = ("glove-c", "subwordx", "spill")
SETTINGS = {"dim": 50, "window": 10, "epochs": 15, "x_max": 10, "min_count": 5, "threads": 2}
SPILL_MEMORY = "48M"


def build_glove_c(shared: Path, scratch: Path) -> Path | None:
    """``make`` in a copy of third_party/glove; returns the build folder."""
    src = shared / "third_party" / "glove"
    folder = scratch / "glove-c"
    build = folder / "build"
    if (build / "glove").exists():
        return build
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(src, folder)
    print(f"building C GloVe: make (in {folder})", flush=True)
    r = subprocess.run(["make"], cwd=folder, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"C GloVe build failed:\n{r.stderr}", file=sys.stderr)
        return None
    return build


def make_corpus(shared: Path, scratch: Path) -> Path:
    path = scratch / "gcide_text8.txt"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(C.text8_words(shared), encoding="ascii")
        tmp.replace(path)
    return path


def command(
    side: str, corpus: Path, out: Path, build: Path | None, work: Path, seed: int
) -> list[str]:
    s = SETTINGS
    if side == "glove-c":
        assert build is not None
        stem = out.with_suffix("")  # glove writes <stem>.txt
        script = " && ".join(
            [
                f"cd {work}",
                f"{build}/vocab_count -min-count {s['min_count']} -verbose 0 "
                f"< {corpus} > vocab.txt",
                f"{build}/cooccur -memory 4.0 -vocab-file vocab.txt -verbose 0 "
                f"-window-size {s['window']} < {corpus} > cooccurrence.bin",
                f"{build}/shuffle -memory 4.0 -verbose 0 -seed {seed} < cooccurrence.bin "
                "> cooccurrence.shuf.bin",
                f"{build}/glove -save-file {stem} -threads {s['threads']} "
                f"-input-file cooccurrence.shuf.bin -x-max {s['x_max']} -iter {s['epochs']} "
                f"-vector-size {s['dim']} -binary 0 -write-header 0 -vocab-file vocab.txt "
                f"-verbose 0 -seed {seed}",
                "rm -f cooccurrence.bin cooccurrence.shuf.bin",
            ]
        )
        return ["bash", "-c", script]
    cmd = [sys.executable, "-m", "subwordx", "train-glove", str(corpus)]
    for key in ("dim", "window", "epochs", "min_count", "threads"):
        cmd += [f"--{key.replace('_', '-')}", str(s[key])]
    cmd += ["--x-max", str(s["x_max"]), "--seed", str(seed), "-o", str(out), "-q"]
    if side == "spill":
        cmd += ["--memory", SPILL_MEMORY, "--tmp-dir", str(work)]
    return cmd


def evaluate(path: Path, shared: Path, headerless: bool) -> dict[str, float]:
    from subwordx.embeddings import (
        KeyedVectors,
        evaluate_word_analogies,
        evaluate_word_pairs,
    )

    if headerless:
        kv = KeyedVectors.load_glove_format(path)
    else:
        kv = KeyedVectors.load_word2vec_format(path)
    analogies = evaluate_word_analogies(
        kv, shared / "data" / "eval" / "questions-words.txt", restrict_vocab=30000
    )
    pairs = evaluate_word_pairs(kv, shared / "data" / "eval" / "wordsim353.tsv")
    return {"analogy": analogies.accuracy, "ws353": pairs.spearman, "vocab": len(kv)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    C.add_common_args(p, repeats=2)
    p.add_argument("--sides", default=",".join(SIDES), help="glove-c,subwordx,spill")
    p.add_argument("--timeout", type=float, default=1200, help="seconds before a run is killed")
    p.add_argument(
        "--first-seed", type=int, default=1, help="seed of the first repeat (then +1 each)"
    )
    args = p.parse_args(argv)
    sides = [x.strip() for x in args.sides.split(",") if x.strip()]
    for x in sides:
        if x not in SIDES:
            p.error(f"unknown side {x!r}")
    C.print_preamble(
        [sys.argv[0], *(argv if argv is not None else sys.argv[1:])], ["subwordx", "numpy"]
    )
    shared = C.shared_dir(args.shared)
    scratch = C.scratch_dir(args.scratch)
    build = build_glove_c(shared, scratch) if "glove-c" in sides else None
    if "glove-c" in sides and build is None:
        sides.remove("glove-c")
    corpus = make_corpus(shared, scratch)
    print(f"corpus: {corpus} ({corpus.stat().st_size:,} bytes); settings {SETTINGS}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {x: [] for x in sides}
    for rep in range(args.repeats):
        order = sides if rep % 2 == 0 else [x for x in reversed(sides)]
        for side in order:
            work = scratch / f"glove-work-{side}"
            work.mkdir(exist_ok=True)
            out = scratch / f"glove-{side}-{rep}.txt"
            cmd = command(side, corpus, out, build, work, seed=args.first_seed + rep)
            res = C.run_process(cmd, timeout=args.timeout)
            row: dict[str, Any] = {"ok": res.ok, "time": res.wall, "rss": res.peak_rss}
            if res.ok:
                row.update(evaluate(out, shared, headerless=side == "glove-c"))
                leftovers = list(work.iterdir()) if side == "spill" else []
                row["leftover_files"] = len(leftovers)
            else:
                print(res.output[-2000:], file=sys.stderr)
            results[side].append(row)
            print(f"  repeat {rep + 1} {side}: {row}", flush=True)
    C.header("GloVe: gcide text8-style, dim 50, window 10, 15 iterations, x_max 10, 2 threads")
    rows = []
    base = results.get("glove-c", [])
    base_t = C.median([r["time"] for r in base if r["ok"]])
    base_m = C.median([r["rss"] for r in base if r["ok"]])
    for side in sides:
        ok = [r for r in results[side] if r["ok"]]
        t = C.median([r["time"] for r in ok])
        m = C.median([r["rss"] for r in ok])
        rows.append(
            [
                side,
                " / ".join(C.fmt_s(r["time"]) for r in ok),
                C.fmt_s(t),
                C.fmt_ratio(base_t, t) if side != "glove-c" else "1.00×",
                C.fmt_mib(m),
                f"{base_m / m:.2f}×" if base and m else "—",
                " / ".join(f"{r['analogy']:.2%}" for r in ok),
                " / ".join(f"{r['ws353']:.3f}" for r in ok),
                f"{C.median([r['analogy'] for r in ok]):.2%}",
                f"{C.median([r['ws353'] for r in ok]):.3f}",
            ]
        )
    print(
        C.table(
            [
                "side",
                "times (s)",
                "median (s)",
                "speed vs C",
                "peak MiB",
                "memory C / side",
                "analogy top 30k",
                "WordSim-353",
                "analogy (median)",
                "WS-353 (median)",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
