"""The classifier subcommands ``train-classifier``, ``test-classifier`` and ``predict``
(registered by :mod:`subwordx.cli_embeddings`), printing what fastText's ``supervised``, ``test``,
``test-label``, ``predict`` and ``predict-prob`` print."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

from subwordx.cli_embeddings import FloatType, IntType, _bar, _check_output_dir
from subwordx.errors import ConfigError


def _k(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be >= 1, or -1 for every label; got {value}")
    return value


def add_classify_commands(
    sub: Any, positive_int: IntType, non_negative_int: IntType, non_negative_float: FloatType
) -> None:
    """Adds ``train-classifier``, ``test-classifier`` and ``predict``."""
    p = sub.add_parser(
        "train-classifier",
        help="train a fastText text classifier",
        description=(
            "Train fastText's classifier (Joulin et al. 2016) on lines '__label__a word word ...': "
            "a document is the mean of the vectors of its words (and word n-grams, and character "
            "n-grams with --max-n), and a linear layer scores the labels. Lines without a label "
            "are skipped. The defaults are fastText's. Threads update shared weights without "
            "locks (Hogwild); --threads 1 with a --seed is exactly reproducible."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-classifier train.txt -o model.bin\n"
            "  subwordx train-classifier train.txt --word-ngrams 2 --epochs 25 -o model.bin\n"
            "  subwordx train-classifier tags.txt --loss ova -o multilabel.bin\n"
            "the .bin is fastText's: it loads in the fasttext package (fasttext.load_model)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files, one example a line")
    p.add_argument("-o", "--output", required=True, help="model.bin")
    p.add_argument("--epochs", "--epoch", type=positive_int, default=5, help="passes (default 5)")
    p.add_argument(
        "--lr", "--alpha", type=float, default=0.1, help="initial learning rate (default 0.1)"
    )
    p.add_argument("--dim", type=positive_int, default=100, help="vector size (default 100)")
    p.add_argument(
        "--word-ngrams",
        type=positive_int,
        default=1,
        help="longest word n-gram used as a feature (default 1: words only)",
    )
    p.add_argument(
        "--loss",
        choices=("softmax", "hs", "ns", "ova"),
        default="softmax",
        help="output layer (default softmax; ova for multi-label data)",
    )
    p.add_argument(
        "--neg", type=positive_int, default=5, help="negative labels with --loss ns (default 5)"
    )
    p.add_argument("--min-count", type=positive_int, default=1, help="drop rarer words (default 1)")
    p.add_argument(
        "--min-count-label",
        type=non_negative_int,
        default=0,
        help="drop rarer labels (default 0)",
    )
    p.add_argument(
        "--bucket",
        type=non_negative_int,
        default=2_000_000,
        help="n-gram hash buckets (default 2000000; 0 in effect without n-grams, as fastText)",
    )
    p.add_argument(
        "--min-n", type=non_negative_int, default=0, help="shortest character n-gram (default 0)"
    )
    p.add_argument(
        "--max-n",
        type=non_negative_int,
        default=0,
        help="longest character n-gram, 0 = none (default 0)",
    )
    p.add_argument(
        "--label-prefix", "--label", default="__label__", help="what starts a label (__label__)"
    )
    p.add_argument(
        "--threads", type=non_negative_int, default=0, help="threads (default 0 = all cores)"
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8: fail or replace",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(run=_run_train)

    t = sub.add_parser(
        "test-classifier",
        help="evaluate a classifier: N, P@k, R@k (as fastText's test)",
        description=(
            "Evaluate a classifier (subwordx's or the fasttext package's .bin) on labelled lines, "
            "printing what fastText's 'test' prints: N, P@k and R@k; --per-label adds "
            "fastText's 'test-label' lines (F1-Score, Precision, Recall per label)."
        ),
    )
    t.add_argument("model", help="a supervised fastText .bin")
    t.add_argument("file", help="labelled lines ('-' reads standard input)")
    t.add_argument("--k", "-k", type=_k, default=1, help="labels predicted per line (default 1)")
    t.add_argument(
        "--threshold", type=non_negative_float, default=0.0, help="minimum probability (0)"
    )
    t.add_argument("--per-label", action="store_true", help="per-label scores (test-label)")
    t.add_argument("--threads", type=non_negative_int, default=0, help="threads (0 = all cores)")
    t.set_defaults(run=_run_test)

    r = sub.add_parser(
        "predict",
        help="predict the labels of each line with a classifier",
        description=(
            "Print the k most likely labels of each line, best first, as fastText's 'predict' "
            "(with --prob, 'predict-prob': each label followed by its probability). A line "
            "with no known word gets an empty line."
        ),
    )
    r.add_argument("model", help="a supervised fastText .bin")
    r.add_argument("file", help="text lines ('-' reads standard input)")
    r.add_argument("--k", "-k", type=_k, default=1, help="labels per line (default 1, -1 = all)")
    r.add_argument(
        "--threshold", type=non_negative_float, default=0.0, help="minimum probability (0)"
    )
    r.add_argument("--prob", action="store_true", help="print probabilities (predict-prob)")
    r.add_argument("--threads", type=non_negative_int, default=0, help="threads (0 = all cores)")
    r.set_defaults(run=_run_predict)


def _run_train(args: argparse.Namespace) -> int:
    from subwordx.fasttext_classifier import FastTextClassifier

    if not args.output.lower().endswith(".bin"):
        raise ConfigError(f"{args.output}: a classifier is saved as fastText's .bin; name it .bin")
    _check_output_dir(args.output)
    for f in args.files:
        if f == "-":
            raise ConfigError("cannot train from standard input (as fastText); give a file")
        if Path(f).is_dir():
            raise ConfigError(f"{f}: is a directory, not a text file")
    bar = _bar(args)
    start = time.perf_counter()
    try:
        model = FastTextClassifier(
            corpus_file=args.files,
            lr=args.lr,
            dim=args.dim,
            epochs=args.epochs,
            word_ngrams=args.word_ngrams,
            loss=args.loss,
            neg=args.neg,
            min_count=args.min_count,
            min_count_label=args.min_count_label,
            bucket=args.bucket,
            min_n=args.min_n,
            max_n=args.max_n,
            threads=args.threads,
            seed=args.seed,
            label_prefix=args.label_prefix,
            errors=args.errors,
            progress=bar,
        )
    finally:
        bar.close()
    took = time.perf_counter() - start
    model.save(args.output)
    if not args.quiet:
        losses = ", ".join(f"{x:.4f}" for x in model.losses)
        print(
            f"trained {model!r} in {took:.1f}s (loss per epoch: {losses}); saved to {args.output}",
            file=sys.stderr,
        )
    return 0


def _load(path: str, threads: int) -> Any:
    from subwordx.fasttext_classifier import FastTextClassifier

    return FastTextClassifier.load(path, threads=threads)


def _stdin_lines() -> list[str]:
    """Standard input's lines, each keeping its ``\\n`` (the last may have none)."""
    data = sys.stdin.buffer.read()
    return data.decode("utf-8").splitlines(keepends=True) if data else []


def _g(x: float, digits: int) -> str:
    """C++'s ``std::cout << setprecision(digits) << x`` in the default float format (``%g``)."""
    return "nan" if math.isnan(x) else format(x, f".{digits}g")


def _run_test(args: argparse.Namespace) -> int:
    model = _load(args.model, args.threads)
    if args.file == "-":
        result = model._evaluate(None, _stdin_lines(), args.k, args.threshold)
    else:
        result = model.test(args.file, k=args.k, threshold=args.threshold)
    out = sys.stdout
    if args.per_label:
        # fastText's test-label: std::fixed with 6 decimals (and still fixed, 3, below).
        for name, m in result.per_label.items():
            cells = []
            for metric, value in (("F1-Score", m.f1), ("Precision", m.precision),
                                  ("Recall", m.recall)):  # fmt: skip
                text = f"{value:.6f}" if math.isfinite(value) else "--------"
                cells.append(f"{metric} : {text}  ")
            out.write("".join(cells) + f" {name}\n")
        out.write(f"N\t{result.n}\n")
        out.write(f"P@{args.k}\t{result.precision:.3f}\n")
        out.write(f"R@{args.k}\t{result.recall:.3f}\n")
    else:
        out.write(f"N\t{result.n}\n")
        out.write(f"P@{args.k}\t{_g(result.precision, 3)}\n")
        out.write(f"R@{args.k}\t{_g(result.recall, 3)}\n")
    return 0


def _run_predict(args: argparse.Namespace) -> int:
    model = _load(args.model, args.threads)
    k = len(model.labels) if args.k == -1 else min(args.k, len(model.labels))
    labels = model.labels
    if args.file == "-":
        results = model._model.predict(_stdin_lines(), k, args.threshold, model.threads)
    else:
        results = model._model.predict_files([args.file], k, args.threshold, "strict",
                                             model.threads, None)  # fmt: skip
    out = sys.stdout
    for r in results:
        if args.prob:
            out.write(" ".join(f"{labels[i]} {_g(p, 6)}" for i, p in r) + "\n")
        else:
            out.write(" ".join(labels[i] for i, _ in r) + "\n")
    return 0
