"""word2vec side by side: subwordx (its CLI) against word2vec.c and gensim.

Corpus: gcide.txt in text8 style (``tr 'A-Z' 'a-z' < gcide.txt | tr -cs 'a-z' ' '``, done in
Python: ~5.4 M words on one line), written once to the scratch folder.

Hyperparameters (all sides): dim 100, window 5, negative 5 (hs 0), sample 1e-3, min_count 5,
3 epochs, 2 threads; skip-gram with alpha 0.025, CBOW with alpha 0.05. ``--hs`` adds the
hierarchical-softmax variants (hs 1, negative 0).

* word2vec.c: built from ``<shared>/third_party/word2vec/word2vec.c`` in the scratch folder with
  its makefile's flags; run as a process (wall time of the process, vocabulary, training and
  writing the .bin included).
* gensim: ``Word2Vec(sentences=...)`` fed 10,000-word sentences streamed from the file,
  ``workers=2``, then ``wv.save_word2vec_format(binary=True)``; timed inside a fresh child
  process from the constructor through the save (imports excluded).
* subwordx: ``subwordx train-word2vec`` (its CLI) as a process, like word2vec.c.

Quality uses one scorer for all three: gensim ``KeyedVectors.load_word2vec_format`` of each .bin,
``evaluate_word_analogies(questions-words.txt, restrict_vocab=30000)`` and
``evaluate_word_pairs(wordsim353.tsv)`` (Spearman). Peak RSS is each process's own
(``getrusage(RUSAGE_CHILDREN)`` in a small launcher, see ``_common.run_process``).

Usage::

    python benches/bench_word2vec.py --shared ../shared
    python benches/bench_word2vec.py --models cbow --sides subwordx,gensim --repeats 3
    python benches/bench_word2vec.py --hs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

SCRIPT = Path(__file__).resolve()
SIDES = ("subwordx", "word2vec.c", "gensim")
MODELS = ("skipgram", "cbow")
GCC_FLAGS = [
    "-lm",
    "-pthread",
    "-O3",
    "-march=native",
    "-Wall",
    "-funroll-loops",
    "-Wno-unused-result",
]


# ================================================================================ configs
def configs(models: list[str], hs: bool) -> list[dict[str, Any]]:
    out = []
    for m in models:
        for use_hs in [False, True] if hs else [False]:
            out.append(
                {
                    "model": m,
                    "hs": use_hs,
                    "negative": 0 if use_hs else 5,
                    "alpha": 0.025 if m == "skipgram" else 0.05,
                    "name": f"{m}{' hs' if use_hs else ' ns'}",
                }
            )
    return out


COMMON = {"dim": 100, "window": 5, "sample": 1e-3, "min_count": 5, "epochs": 3, "threads": 2}


# ================================================================================ child (gensim)
class WordChunks:
    """The corpus file as 10,000-word sentences, streamed in 1 MiB blocks (gensim's own
    ``LineSentence`` would hold the one 5.4 M-word line as a Python list, inflating its RSS)."""

    def __init__(self, path: str, size: int = 10_000) -> None:
        self.path, self.size = path, size

    def __iter__(self) -> Any:
        buf: list[str] = []
        tail = ""
        with open(self.path, encoding="ascii") as f:
            while True:
                block = f.read(1 << 20)
                if not block:
                    break
                words = (tail + block).split(" ")
                tail = words.pop()  # may be a cut word: keep it for the next block
                buf.extend(w for w in words if w)
                while len(buf) >= self.size:
                    yield buf[: self.size]
                    del buf[: self.size]
        buf.extend(w for w in tail.split() if w)
        while buf:
            yield buf[: self.size]
            del buf[: self.size]


def child(spec: dict[str, Any]) -> None:
    from gensim.models import Word2Vec

    base = C.rss_now()
    t0 = time.perf_counter()
    model = Word2Vec(
        sentences=WordChunks(spec["corpus"]),  # 10,000-word sentences, streamed
        vector_size=COMMON["dim"],
        window=COMMON["window"],
        sample=COMMON["sample"],
        min_count=COMMON["min_count"],
        epochs=COMMON["epochs"],
        workers=spec["threads"],
        sg=1 if spec["model"] == "skipgram" else 0,
        hs=1 if spec["hs"] else 0,
        negative=spec["negative"],
        alpha=spec["alpha"],
    )
    model.wv.save_word2vec_format(spec["out"], binary=True)
    elapsed = time.perf_counter() - t0
    C.emit({"time": elapsed, "base_rss": base, "vocab": len(model.wv)})


# ================================================================================ parent
def build_word2vec_c(shared: Path, scratch: Path) -> Path | None:
    src = shared / "third_party" / "word2vec" / "word2vec.c"
    folder = scratch / "word2vec-c"
    binary = folder / "word2vec"
    if binary.exists() and binary.stat().st_mtime >= src.stat().st_mtime:
        return binary
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, folder / "word2vec.c")
    cmd = ["gcc", "word2vec.c", "-o", "word2vec", *GCC_FLAGS]
    print(f"building word2vec.c: {' '.join(cmd)} (in {folder})", flush=True)
    r = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"word2vec.c build failed:\n{r.stderr}", file=sys.stderr)
        return None
    return binary


def make_corpus(shared: Path, scratch: Path) -> tuple[Path, int, int, int]:
    """The text8-style corpus file; returns (path, words, vocabulary >= min_count, train words)."""
    path = scratch / "gcide_text8.txt"
    if not path.exists():
        text = C.text8_words(shared)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="ascii")
        os.replace(tmp, path)
    counts = Counter(path.read_text(encoding="ascii").split())
    kept = [c for c in counts.values() if c >= COMMON["min_count"]]
    return path, sum(counts.values()), len(kept), sum(kept)


def subwordx_cli_help() -> str:
    r = subprocess.run(
        [sys.executable, "-m", "subwordx", "train-word2vec", "--help"],
        capture_output=True,
        text=True,
    )
    return r.stdout + r.stderr if r.returncode == 0 else ""


def command(
    side: str, cfg: dict[str, Any], corpus: Path, out: Path, w2v: Path | None, swx_help: str
) -> list[str]:
    if side == "word2vec.c":
        assert w2v is not None
        return [
            str(w2v),
            "-train",
            str(corpus),
            "-output",
            str(out),
            "-cbow",
            "1" if cfg["model"] == "cbow" else "0",
            "-size",
            str(COMMON["dim"]),
            "-window",
            str(COMMON["window"]),
            "-negative",
            str(cfg["negative"]),
            "-hs",
            "1" if cfg["hs"] else "0",
            "-sample",
            "1e-3",
            "-threads",
            str(COMMON["threads"]),
            "-iter",
            str(COMMON["epochs"]),
            "-min-count",
            str(COMMON["min_count"]),
            "-alpha",
            str(cfg["alpha"]),
            "-binary",
            "1",
        ]
    if side == "subwordx":
        cmd = [
            sys.executable,
            "-m",
            "subwordx",
            "train-word2vec",
            str(corpus),
            "--model",
            cfg["model"],
            "--dim",
            str(COMMON["dim"]),
            "--window",
            str(COMMON["window"]),
            "--negative",
            str(cfg["negative"]),
            "--sample",
            "1e-3",
            "--min-count",
            str(COMMON["min_count"]),
            "--epochs",
            str(COMMON["epochs"]),
            "--threads",
            str(COMMON["threads"]),
            "-o",
            str(out),
            "-q",
        ]
        if cfg["hs"]:
            cmd.append("--hs")
        if "--alpha" in swx_help:  # pass alpha explicitly when the CLI takes it
            cmd += ["--alpha", str(cfg["alpha"])]
        return cmd
    raise ValueError(side)


def evaluate(path: Path, shared: Path) -> dict[str, float]:
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
    acc, _sections = kv.evaluate_word_analogies(
        str(shared / "data" / "eval" / "questions-words.txt"), restrict_vocab=30000
    )
    _pearson, spearman, oov = kv.evaluate_word_pairs(
        str(shared / "data" / "eval" / "wordsim353.tsv")
    )
    return {
        "analogy": float(acc),
        "ws353": float(spearman[0]),
        "ws_oov": float(oov),
        "vocab": len(kv),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    C.add_common_args(p, repeats=1)
    p.add_argument("--models", default="skipgram,cbow", help="skipgram,cbow (comma-separated)")
    p.add_argument("--sides", default=",".join(SIDES), help="subwordx,word2vec.c,gensim")
    p.add_argument("--hs", action="store_true", help="also the hierarchical-softmax variants")
    p.add_argument("--no-eval", action="store_true", help="skip the quality evaluation")
    p.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    args = p.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    for m in models:
        if m not in MODELS:
            p.error(f"unknown model {m!r}")
    for s in sides:
        if s not in SIDES:
            p.error(f"unknown side {s!r}")
    C.print_preamble(
        [sys.argv[0], *(argv if argv is not None else sys.argv[1:])],
        ["subwordx", "gensim", "numpy", "scipy"],
    )
    shared = C.shared_dir(args.shared)
    scratch = C.scratch_dir(args.scratch)

    swx_help = ""
    if "subwordx" in sides:
        missing = C.subwordx_status()
        swx_help = "" if missing else subwordx_cli_help()
        if missing or not swx_help:
            print(f"subwordx: NOT AVAILABLE ({missing or 'no train-word2vec command'}); skipped")
            sides.remove("subwordx")
    w2v = None
    if "word2vec.c" in sides:
        w2v = build_word2vec_c(shared, scratch)
        if w2v is None:
            sides.remove("word2vec.c")

    corpus, n_words, n_vocab, n_train = make_corpus(shared, scratch)
    print(
        f"corpus: {corpus.name}: gcide.txt lowercased, every run of non a-z bytes -> one space; "
        f"{n_words:,} words, {n_vocab:,} words with count >= {COMMON['min_count']}, "
        f"{n_train:,} training words (counts of those)"
    )
    print(
        f"settings: {COMMON}, skip-gram alpha 0.025, CBOW alpha 0.05; "
        f"words/s/thread = {n_train:,} x epochs / seconds / {COMMON['threads']} threads"
    )
    if "subwordx" in sides and "--alpha" not in swx_help:
        print("note: the subwordx CLI takes no --alpha; its defaults are used")

    out_dir = scratch / "w2v_out"
    out_dir.mkdir(exist_ok=True)
    rows = []
    for cfg in configs(models, args.hs):
        C.header(f"{cfg['name']}")
        times: dict[str, list[float]] = {s: [] for s in sides}
        rss: dict[str, list[int]] = {s: [] for s in sides}
        quality: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
        for rep in range(args.repeats):
            for side in sides:
                out = out_dir / f"{cfg['model']}_{'hs' if cfg['hs'] else 'ns'}_{side}.bin"
                out.unlink(missing_ok=True)
                if side == "gensim":
                    spec = {
                        **cfg,
                        "side": side,
                        "corpus": str(corpus),
                        "out": str(out),
                        "threads": COMMON["threads"],
                    }
                    res = C.run_child(SCRIPT, spec, timeout=args.timeout)
                    t = res.data.get("time")
                else:
                    res = C.run_process(
                        command(side, cfg, corpus, out, w2v, swx_help), timeout=args.timeout
                    )
                    t = res.wall
                    if not res.ok:
                        tail = "\n".join(res.output.strip().splitlines()[-10:])
                        print(f"  !! {side} failed:\n{tail}", file=sys.stderr)
                if not res.ok or not out.exists():
                    print(f"  rep {rep + 1} {side}: FAILED", flush=True)
                    continue
                times[side].append(t)
                rss[side].append(res.peak_rss)
                q = {} if args.no_eval else evaluate(out, shared)
                quality[side].append(q)
                print(
                    f"  rep {rep + 1} {side:10s} {t:7.1f} s  "
                    f"peak RSS {res.peak_rss / 2**20:5.0f} MiB"
                    + (
                        f"  analogy {q['analogy']:.4f}  ws353 {q['ws353']:.4f}  "
                        f"vocab {q['vocab']:,}"
                        if q
                        else ""
                    ),
                    flush=True,
                )
        t_gensim = C.median(times.get("gensim", []))
        t_w2v = C.median(times.get("word2vec.c", []))
        for side in sides:
            if not times[side]:
                continue
            t = C.median(times[side])
            wps = n_train * COMMON["epochs"] / t / COMMON["threads"]
            qs = quality[side]
            acc = C.median([q["analogy"] for q in qs if q]) if any(qs) else None
            ws = C.median([q["ws353"] for q in qs if q]) if any(qs) else None
            rows.append(
                [
                    cfg["name"],
                    side,
                    C.fmt_s(t),
                    f"{wps / 1e3:.0f}k",
                    C.fmt_mib(C.median(rss[side])),
                    f"{acc:.4f}" if acc is not None else "—",
                    f"{ws:.4f}" if ws is not None else "—",
                    C.fmt_ratio(t_gensim, t),
                    C.fmt_ratio(t_w2v, t),
                    len(times[side]),
                ]
            )
    print()
    print(
        C.table(
            [
                "model",
                "side",
                "median s",
                "words/s/thread",
                "peak RSS MiB",
                "analogy acc (30k)",
                "WS353 Spearman",
                "gensim s / this s",
                "word2vec.c s / this s",
                "n",
            ],
            rows,
        )
    )
    print(
        "\nratios: above 1 means this side is faster than gensim / word2vec.c; the subwordx rows "
        "give subwordx's speed-ups."
    )
    print(f"\nload average at end: {C.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
