"""fastText side by side: subwordx.FastText against the fasttext package and gensim's FastText.

Corpus: gcide.txt in text8 style (lowercase a-z words on one line, ``_common.text8_words``), cut
into 10,000-word lines (the same sentences for every side), optionally only its first ``--words``
words. Hyperparameters on every side: skip-gram, dim 100, window 5, negative 5, min_count 5,
sample 1e-4, lr 0.05, n-grams 3-6, bucket 2,000,000, 5 epochs, 2 threads.

Each side runs in a fresh process (``_common.run_child``), the sides alternate within each repeat,
and the training time is measured inside the child from the call that trains through the model
being in memory (vocabulary included; imports and saving excluded). Every side then saves a
fastText ``.bin`` (gensim through ``save_facebook_model``), and one scorer reads all three with
``subwordx.FastText.load``: ``evaluate_word_analogies(questions-words.txt, restrict_vocab=30000)``
and ``evaluate_word_pairs(wordsim353.tsv)`` (Spearman), subwordx's gensim-equivalent functions.

Usage::

    python benches/bench_fasttext.py --shared ../shared
    python benches/bench_fasttext.py --words 1000000 --sides subwordx,fasttext --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

SCRIPT = Path(__file__).resolve()
SIDES = ("subwordx", "fasttext", "gensim")
SETTINGS = {
    "dim": 100,
    "window": 5,
    "negative": 5,
    "min_count": 5,
    "sample": 1e-4,
    "lr": 0.05,
    "minn": 3,
    "maxn": 6,
    "bucket": 2_000_000,
    "epochs": 5,
    "threads": 2,
}


def child(spec: dict[str, Any]) -> None:
    """Trains one side on ``spec["corpus"]`` and saves ``spec["out"]`` (a fastText .bin)."""
    s, side, corpus, out = SETTINGS, spec["side"], spec["corpus"], spec["out"]
    if side == "subwordx":
        import subwordx

        t0 = time.perf_counter()
        m = subwordx.FastText(
            corpus_file=corpus, model="skipgram", dim=s["dim"], window=s["window"],
            negative=s["negative"], min_count=s["min_count"], sample=s["sample"], alpha=s["lr"],
            min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"], epochs=s["epochs"],
            threads=s["threads"],
        )  # fmt: skip
        took = time.perf_counter() - t0
        m.save(out)
    elif side == "fasttext":
        import fasttext

        t0 = time.perf_counter()
        ft = fasttext.train_unsupervised(
            corpus, model="skipgram", dim=s["dim"], ws=s["window"], neg=s["negative"],
            minCount=s["min_count"], t=s["sample"], lr=s["lr"], minn=s["minn"],
            maxn=s["maxn"], bucket=s["bucket"], epoch=s["epochs"], thread=s["threads"],
            verbose=0,
        )  # fmt: skip
        took = time.perf_counter() - t0
        ft.save_model(out)
    else:
        from gensim.models.fasttext import FastText, save_facebook_model

        t0 = time.perf_counter()
        g = FastText(
            corpus_file=corpus, sg=1, vector_size=s["dim"], window=s["window"],
            negative=s["negative"], min_count=s["min_count"], sample=s["sample"],
            alpha=s["lr"], min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"],
            epochs=s["epochs"], workers=s["threads"],
        )  # fmt: skip
        took = time.perf_counter() - t0
        save_facebook_model(g, out)
    C.emit({"side": side, "train_s": took})


def make_corpus(shared: Path, scratch: Path, words: int | None) -> tuple[Path, int]:
    """The text8-style corpus in 10,000-word lines (the first ``words`` words if given)."""
    name = f"gcide_ft_{words or 'all'}.txt"
    path = scratch / name
    tokens = C.text8_words(shared).split()
    if words:
        tokens = tokens[:words]
    if not path.exists():
        lines = [" ".join(tokens[i : i + 10_000]) for i in range(0, len(tokens), 10_000)]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="ascii")
        os.replace(tmp, path)
    return path, len(tokens)


def evaluate(path: Path, shared: Path) -> dict[str, float]:
    from subwordx import FastText
    from subwordx.embeddings.evaluation import evaluate_word_analogies, evaluate_word_pairs

    kv = FastText.load(path).wv
    ana = evaluate_word_analogies(kv, shared / "data" / "eval" / "questions-words.txt", 30000)
    syn = [x for x in ana.sections if not x.name.startswith("gram")]
    gram = [x for x in ana.sections if x.name.startswith("gram")]

    def acc(sections: list[Any]) -> float:
        total = sum(x.total for x in sections)
        return sum(x.correct for x in sections) / total if total else float("nan")

    ws = evaluate_word_pairs(kv, shared / "data" / "eval" / "wordsim353.tsv")
    return {
        "analogy": ana.accuracy,
        "semantic": acc(syn),
        "syntactic": acc(gram),
        "ws353": ws.spearman,
        "vocab": len(kv),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    C.add_common_args(p, repeats=1)
    p.add_argument("--words", type=int, default=None, help="train on the first N words only")
    p.add_argument("--sides", default=",".join(SIDES), help="comma-separated sides")
    args = p.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    shared, scratch = C.shared_dir(args.shared), C.scratch_dir(args.scratch)
    sides = [x for x in args.sides.split(",") if x]
    C.print_preamble(sys.argv, ["subwordx", "fasttext-numpy2", "gensim", "numpy"])
    corpus, n = make_corpus(shared, scratch, args.words)
    print(f"corpus: {corpus.name}, {n:,} words; settings {SETTINGS}")
    times: dict[str, list[float]] = {s: [] for s in sides}
    peaks: dict[str, list[int]] = {s: [] for s in sides}
    outs: dict[str, Path] = {}
    for r in range(args.repeats):
        for side in sides if r % 2 == 0 else list(reversed(sides)):
            out = scratch / f"ft_{side}.bin"
            res = C.run_child(
                SCRIPT, {"side": side, "corpus": str(corpus), "out": str(out)}, timeout=3600
            )
            if res.ok:
                times[side].append(float(res.data["train_s"]))
                peaks[side].append(res.peak_rss)
                outs[side] = out
                print(f"  {side}: {res.data['train_s']:.1f} s, peak {C.fmt_mib(res.peak_rss)}")
    rows = []
    anchor = C.median(times.get("fasttext", []))
    for side in sides:
        q = evaluate(outs[side], shared) if side in outs else {}
        t = C.median(times[side])
        rows.append(
            [
                side,
                C.fmt_s(t),
                C.fmt_ratio(anchor, t),
                C.fmt_mib(max(peaks[side]) if peaks[side] else None),
                f"{q.get('analogy', float('nan')):.3f}",
                f"{q.get('semantic', float('nan')):.3f}",
                f"{q.get('syntactic', float('nan')):.3f}",
                f"{q.get('ws353', float('nan')):.3f}",
            ]
        )
    print(
        C.table(
            ["side", "train s", "speed vs fasttext", "peak RSS", "analogy", "sem", "syn", "ws353"],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
