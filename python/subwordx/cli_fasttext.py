"""The ``train-fasttext`` subcommand (registered by :mod:`subwordx.cli_embeddings`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from subwordx.cli_embeddings import (
    FloatType,
    IntType,
    _bar,
    _check_output_dir,
    add_training_options,
)
from subwordx.errors import ConfigError


def add_fasttext_command(
    sub: Any, positive_int: IntType, non_negative_int: IntType, non_negative_float: FloatType
) -> None:
    """Adds ``train-fasttext``."""
    p = sub.add_parser(
        "train-fasttext",
        help="train fastText subword vectors (skip-gram or CBOW)",
        description=(
            "Train fastText (Bojanowski et al. 2017): word2vec's skip-gram or CBOW where a word is "
            "the mean of its own vector and those of its character n-grams (--min-n..--max-n, "
            "hashed into --bucket rows exactly as fastText hashes them), so words never seen "
            "get vectors too. Threads update shared weights without locks (Hogwild); "
            "--threads 1 with a --seed is exactly reproducible."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-fasttext text8.txt --model skipgram --dim 100 -o model.bin\n"
            "  subwordx train-fasttext corpus.txt --bucket 200000 -o vectors.vec\n"
            "output format by name: .bin = fastText's model (loads in the fasttext package and "
            "gensim's load_facebook_model), .vec/.txt = fastText's text vectors"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files")
    p.add_argument("-o", "--output", required=True, help="model.bin or vectors.vec")
    p.add_argument(
        "--model",
        choices=("skipgram", "cbow"),
        default="skipgram",
        help="architecture (default skipgram)",
    )
    p.add_argument("--dim", type=positive_int, default=100, help="vector size (default 100)")
    p.add_argument("--min-n", type=non_negative_int, default=3, help="shortest n-gram (default 3)")
    p.add_argument(
        "--max-n", type=non_negative_int, default=6, help="longest n-gram, 0 = none (default 6)"
    )
    p.add_argument(
        "--bucket",
        type=non_negative_int,
        default=2_000_000,
        help="n-gram hash buckets (default 2000000)",
    )
    p.add_argument(
        "--alpha", "--lr", type=float, default=0.05, help="initial learning rate (default 0.05)"
    )
    add_training_options(p, positive_int, non_negative_int, non_negative_float, sample=1e-4)
    # Negative sampling's 5 negatives unless --hs (fastText trains one output layer).
    p.set_defaults(run=_run_train_fasttext, negative=None)


def _run_train_fasttext(args: argparse.Namespace) -> int:
    from subwordx.fasttext import FastText

    name = args.output.lower()
    if not name.endswith((".bin", ".vec", ".txt")):
        raise ConfigError(f"{args.output}: unknown output format; name it .bin, .vec or .txt")
    _check_output_dir(args.output)
    for f in args.files:
        if Path(f).is_dir():
            raise ConfigError(f"{f}: is a directory, not a text file")
    bar = _bar(args)
    start = time.perf_counter()
    try:
        model = FastText(
            corpus_file=args.files,
            model=args.model,
            dim=args.dim,
            window=args.window,
            negative=args.negative,
            hs=args.hs,
            sample=args.sample,
            min_count=args.min_count,
            max_final_vocab=args.max_final_vocab,
            epochs=args.epochs,
            alpha=args.alpha,
            min_n=args.min_n,
            max_n=args.max_n,
            bucket=args.bucket,
            threads=args.threads,
            seed=args.seed,
            errors=args.errors,
            stream=args.stream,
            progress=bar,
        )
    finally:
        bar.close()
    took = time.perf_counter() - start
    if name.endswith(".bin"):
        model.save(args.output)
    else:
        model.save_vec(args.output)
    if not args.quiet:
        losses = ", ".join(f"{x:.4f}" for x in model.losses)
        print(
            f"trained {model!r} in {took:.1f}s (loss per epoch: {losses}); saved to {args.output}",
            file=sys.stderr,
        )
    return 0
