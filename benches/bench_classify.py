"""fastText's classifier side by side: subwordx.FastTextClassifier against the fasttext package.

Data: langid-fortunes (``data/classify/langid-fortunes``: 80,127 training lines, 20,031 test
lines, 12 languages). Settings on both sides: fastText's ``supervised`` defaults (dim 100, lr 0.1,
5 epochs, softmax, word n-grams 1, min count 1) and 2 threads (``--threads``); ``--word-ngrams
2`` adds bigrams (bucket 2,000,000 on both sides). ``--threads default`` leaves the thread
count to each side's default, as the issue's "defaults on both sides" asks (the fasttext
package: cores - 1; subwordx: all cores).

Repeat ``r`` trains both sides with seed ``r`` (P@1 moves by a few lines from seed to seed, so
compare its median over many repeats: ``--repeats 12``). Each side runs in a fresh process
(``_common.run_child``), the sides alternate within each repeat (the order reversed every other
repeat), and a child times, inside itself: training (from the call through the model in memory:
reading, dictionary and epochs), then prediction of the 20,031 test texts as one batch (the
labels stripped), then evaluation with its own ``test`` (P@1, R@1). The
parent then loads subwordx's saved ``.bin`` in the fasttext package and reports the share of test
lines on which both predict the same label (the file format and prediction agree), and the share
on which the two independently trained models agree.

Usage::

    python benches/bench_classify.py --shared ../shared
    python benches/bench_classify.py --repeats 5 --word-ngrams 2
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
SIDES = ("subwordx", "fasttext")


def _texts(test: str) -> list[str]:
    with open(test, encoding="utf-8") as f:
        return [" ".join(w for w in line.split() if not w.startswith("__label__")) for line in f]


def child(spec: dict[str, Any]) -> None:
    """Trains one side, predicts the test texts, evaluates, and saves ``spec["out"]``."""
    side, train, test, out, ngrams, seed = (
        spec["side"], spec["train"], spec["test"], spec["out"], spec["word_ngrams"], spec["seed"]
    )  # fmt: skip
    texts = _texts(test)
    # `thread` given to both sides, or left to each side's default ("default").
    threads = {} if spec["threads"] == "default" else {"thread": int(spec["threads"])}
    if side == "subwordx":
        import subwordx

        t0 = time.perf_counter()
        clf = subwordx.train_supervised(input=train, wordNgrams=ngrams, seed=seed, **threads)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        clf.predict(texts)
        predict_s = time.perf_counter() - t0
        n, p, r = clf.test(test)
        clf.save(out)
    else:
        import fasttext

        t0 = time.perf_counter()
        ft = fasttext.train_supervised(
            input=train, wordNgrams=ngrams, seed=seed, verbose=0, **threads
        )
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ft.predict(texts)
        predict_s = time.perf_counter() - t0
        n, p, r = ft.test(test)
        ft.save_model(out)
    C.emit({"side": side, "train_s": train_s, "predict_s": predict_s, "n": n, "p1": p, "r1": r})


def agreement(ours: Path, theirs: Path, test: Path) -> tuple[float, float]:
    """(fasttext on our .bin vs subwordx on it, subwordx's model vs fasttext's model): the
    share of test texts with the same top label."""
    import fasttext

    import subwordx

    texts = _texts(str(test))
    a = subwordx.FastTextClassifier.load(ours).predict(texts)[0]
    b = fasttext.load_model(str(ours)).predict(texts)[0]
    c = fasttext.load_model(str(theirs)).predict(texts)[0]
    same_file = sum(x == list(y) for x, y in zip(a, b)) / len(texts)
    same_model = sum(x == list(y) for x, y in zip(a, c)) / len(texts)
    return same_file, same_model


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    C.add_common_args(p, repeats=3)
    p.add_argument("--word-ngrams", type=int, default=1, help="longest word n-gram (default 1)")
    p.add_argument("--sides", default=",".join(SIDES), help="comma-separated sides")
    p.add_argument(
        "--threads",
        default="2",
        help="threads on both sides, or 'default' for each side's own default (fastText's "
        "Python package: cores - 1; subwordx: all cores)",
    )
    args = p.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    shared, scratch = C.shared_dir(args.shared), C.scratch_dir(args.scratch)
    sides = [x for x in args.sides.split(",") if x]
    C.print_preamble(sys.argv, ["subwordx", "fasttext-numpy2", "numpy"])
    data = shared / "data" / "classify" / "langid-fortunes"
    train, test = data / "train.txt", data / "test.txt"
    print(
        f"data: {train} / {test}; fastText's supervised defaults, wordNgrams={args.word_ngrams}, "
        f"threads {args.threads}, {args.repeats} repeats"
    )
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    peaks: dict[str, list[int]] = {s: [] for s in sides}
    outs: dict[str, Path] = {}
    for r in range(args.repeats):
        for side in sides if r % 2 == 0 else list(reversed(sides)):
            out = scratch / f"classify_{side}.bin"
            spec = {
                "side": side, "train": str(train), "test": str(test), "out": str(out),
                "word_ngrams": args.word_ngrams, "seed": r, "threads": args.threads,
            }  # fmt: skip
            res = C.run_child(SCRIPT, spec, timeout=1800)
            if res.ok:
                results[side].append(res.data)
                peaks[side].append(res.peak_rss)
                outs[side] = out
                d = res.data
                print(
                    f"  {side}: train {d['train_s']:.2f} s, predict {d['predict_s']:.2f} s, "
                    f"P@1 {d['p1']:.4f}, peak {C.fmt_mib(res.peak_rss)} MiB",
                    flush=True,
                )

    def med(side: str, key: str) -> float:
        return C.median([float(d[key]) for d in results[side]])

    def p1_range(side: str) -> str:
        p1 = [float(d["p1"]) for d in results[side]]
        return f"{sum(p1) / len(p1):.5f} [{min(p1):.4f}, {max(p1):.4f}]"

    anchor_train = med("fasttext", "train_s") if "fasttext" in sides else float("nan")
    anchor_pred = med("fasttext", "predict_s") if "fasttext" in sides else float("nan")
    rows = []
    for side in sides:
        if not results[side]:
            continue
        n_test = results[side][-1]["n"]
        rows.append(
            [
                side,
                C.fmt_s(med(side, "train_s")),
                C.fmt_ratio(anchor_train, med(side, "train_s")),
                f"{n_test / med(side, 'predict_s') / 1000:.0f}k",
                C.fmt_ratio(anchor_pred, med(side, "predict_s")),
                f"{med(side, 'p1'):.4f}",
                p1_range(side),
                f"{med(side, 'r1'):.4f}",
                C.fmt_mib(max(peaks[side]) if peaks[side] else None),
            ]
        )
    print()
    print(
        C.table(
            ["side", "train s (median)", "train speed vs fasttext", "predict lines/s",
             "predict speed vs fasttext", "P@1 (median)", "P@1 mean [min, max]", "R@1",
             "peak RSS MiB"],
            rows,
        )
    )  # fmt: skip
    if "subwordx" in outs and "fasttext" in outs:
        same_file, same_model = agreement(outs["subwordx"], outs["fasttext"], test)
        print(
            f"\nfasttext.load_model(subwordx's .bin) predicts subwordx's label on "
            f"{100 * same_file:.2f}% of the test lines; the two models agree on "
            f"{100 * same_model:.2f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
