"""Embedding subcommands of the ``subwordx`` CLI: train-word2vec, train-glove, phrases, similar,
eval-*.

Registered by :func:`subwordx.cli.build_parser`; errors are handled there (one line, non-zero).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from subwordx.errors import ConfigError

IntType = Callable[[str], int]
FloatType = Callable[[str], float]


def add_commands(
    sub: Any, positive_int: IntType, non_negative_int: IntType, non_negative_float: FloatType
) -> None:
    """Adds the embedding subcommands to the CLI's subparsers."""
    p = sub.add_parser(
        "train-word2vec",
        help="train word2vec vectors (skip-gram or CBOW)",
        description=(
            "Train word2vec (Mikolov et al. 2013) exactly as word2vec.c does: skip-gram or CBOW, "
            "negative sampling from unigram^0.75 and/or hierarchical softmax over a Huffman "
            "tree, subsampling of frequent words, a dynamic window, and a learning rate decaying "
            "linearly. Threads update shared weights without locks (Hogwild); --threads 1 with "
            "a --seed is exactly reproducible. Words are whitespace-separated; a line is a "
            "sentence (cut every 10,000 words)."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-word2vec text8.txt --model skipgram --dim 100 -o vectors.bin\n"
            "  subwordx train-word2vec corpus.txt --model cbow --hs --negative 0 -o v.txt\n"
            "  subwordx train-word2vec corpus.txt -o model.npz   # keeps state to train further\n"
            "output format by name: .bin = word2vec binary, .txt/.vec = word2vec text, "
            ".npz = subwordx model (vectors, counts, output layers, settings)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files")
    p.add_argument(
        "-o", "--output", required=True, help="vectors.bin, vectors.txt/.vec or model.npz"
    )
    p.add_argument(
        "--model",
        choices=("skipgram", "cbow"),
        default="cbow",
        help="architecture (default cbow, as word2vec.c)",
    )
    p.add_argument("--dim", type=positive_int, default=100, help="vector size (default 100)")
    p.add_argument(
        "--alpha", type=float, help="initial learning rate (default 0.025 skip-gram, 0.05 cbow)"
    )
    p.add_argument("--min-alpha", type=float, help="final learning rate (default alpha * 1e-4)")
    p.add_argument(
        "--cbow-sum", action="store_true", help="CBOW sums context vectors instead of averaging"
    )
    p.add_argument("--max-vocab-size", type=positive_int, help="bound on words held while counting")
    add_training_options(p, positive_int, non_negative_int, non_negative_float, sample=1e-3)
    p.set_defaults(run=_run_train_word2vec)
    from subwordx.cli_fasttext import add_fasttext_command

    add_fasttext_command(sub, positive_int, non_negative_int, non_negative_float)
    from subwordx.cli_classify import add_classify_commands

    add_classify_commands(sub, positive_int, non_negative_int, non_negative_float)

    ph = sub.add_parser(
        "phrases",
        help="join collocations (new_york) in a corpus",
        description=(
            "Detect phrases: adjacent words a b whose score beats a threshold are joined with "
            "'_'. Scores: 'default' (word2phrase: (count(ab) - min_count) / (count(a) count(b)) "
            "x total words) or 'npmi' (normalized pointwise mutual information, in [-1, 1]). "
            "Each pass learns on the previous pass's output, so 2 passes make trigrams."
        ),
    )
    ph.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files")
    ph.add_argument("-o", "--output", required=True, help="the corpus with phrases joined")
    ph.add_argument(
        "--min-count", type=positive_int, default=5, help="ignore rarer bigrams (default 5)"
    )
    ph.add_argument(
        "--threshold",
        type=float,
        help="score threshold (default 10 for default scoring, 0.5 for npmi)",
    )
    ph.add_argument("--scoring", choices=("default", "npmi"), default="default")
    ph.add_argument("--passes", type=positive_int, default=1, help="passes (default 1)")
    ph.add_argument("--delimiter", default="_", help="joins phrase words (default _)")
    ph.add_argument("--errors", choices=("strict", "replace"), default="strict")
    ph.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    ph.set_defaults(run=_run_phrases)

    s = sub.add_parser(
        "similar",
        help="nearest neighbours and analogies",
        description=(
            "Print the words closest (cosine) to the mean of the positive words minus the "
            "negative ones: `subwordx similar v.bin king woman --negative man` asks "
            "king - man + woman."
        ),
    )
    s.add_argument("vectors", help="vectors (.bin, .txt/.vec or .npz)")
    s.add_argument("words", nargs="+", help="positive words")
    s.add_argument("--negative", nargs="*", default=[], help="negative words")
    s.add_argument("--topn", type=positive_int, default=10)
    s.add_argument("--cosmul", action="store_true", help="3CosMul instead of 3CosAdd")
    s.set_defaults(run=_run_similar)

    a = sub.add_parser(
        "eval-analogy",
        help="accuracy on an analogy set (questions-words format)",
        description=(
            "Score vectors on analogy questions 'a b c d' (is d the nearest word to b - a + c?), "
            "restricted to the most frequent words as word2vec.c's compute-accuracy does; "
            "per-section and total accuracy."
        ),
    )
    a.add_argument("vectors", help="vectors (.bin, .txt/.vec or .npz)")
    a.add_argument("questions", help="questions-words.txt format: ': section' lines, then 4 words")
    a.add_argument(
        "--restrict-vocab",
        type=positive_int,
        default=30000,
        help="top words considered (default 30000)",
    )
    a.add_argument("--method", choices=("3cosadd", "3cosmul"), default="3cosadd")
    a.add_argument("--case-sensitive", action="store_true")
    a.set_defaults(run=_run_eval_analogy)

    w = sub.add_parser(
        "eval-similarity",
        help="Spearman correlation on a word-pair similarity set",
        description=(
            "Score vectors on word pairs with human ratings (e.g. WordSim-353): Spearman and "
            "Pearson correlation between cosine similarity and the ratings."
        ),
    )
    w.add_argument("vectors", help="vectors (.bin, .txt/.vec or .npz)")
    w.add_argument("pairs", help="'word1<TAB>word2<TAB>score' lines ('#' comments allowed)")
    w.set_defaults(run=_run_eval_similarity)

    _add_train_glove(sub, positive_int, non_negative_int)


def _add_shared_training_options(p: argparse.ArgumentParser, non_negative_int: IntType) -> None:
    """The options every embedding trainer has: threads, seed, UTF-8 errors, quiet."""
    p.add_argument(
        "--threads", type=non_negative_int, default=0, help="threads (default 0 = all cores)"
    )
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8: fail or replace",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def _add_train_glove(sub: Any, positive_int: IntType, non_negative_int: IntType) -> None:
    g = sub.add_parser(
        "train-glove",
        help="train GloVe vectors (co-occurrence counting included)",
        description=(
            "Train GloVe (Pennington et al. 2014) in one call: vocabulary, co-occurrence counts "
            "over a window weighted by 1/distance (on all cores; past --memory the table is "
            "spilled to a temporary folder and merged, with the same result), then weighted "
            "least squares with AdaGrad on lock-free threads. A line break ends the window. "
            "--threads 1 with a --seed is exactly reproducible."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-glove text8.txt --dim 50 --window 10 --epochs 15 --x-max 10 "
            "-o vectors.txt\n"
            "  subwordx train-glove corpus.txt --memory 256M -o vectors.glove.txt\n"
            "output format by name: .glove.txt = GloVe text (no header), .txt/.vec = word2vec "
            "text, .bin = word2vec binary, .npz = subwordx model (W, W~, biases, settings)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files")
    g.add_argument(
        "-o", "--output", required=True, help="vectors.glove.txt, vectors.txt/.vec, .bin or .npz"
    )
    g.add_argument("--dim", type=positive_int, default=50, help="vector size (default 50)")
    g.add_argument(
        "--window", type=positive_int, default=10, help="context words each side (default 10)"
    )
    g.add_argument(
        "--left-only",
        action="store_true",
        help="count left context only (C cooccur -symmetric 0)",
    )
    g.add_argument("--epochs", "--iter", type=positive_int, default=15, help="passes (default 15)")
    g.add_argument(
        "--x-max", type=float, default=100.0, help="weighting cutoff x_max (default 100)"
    )
    g.add_argument("--alpha", type=float, default=0.75, help="weighting exponent (default 0.75)")
    g.add_argument(
        "--eta", type=float, default=0.05, help="AdaGrad initial learning rate (default 0.05)"
    )
    g.add_argument("--min-count", type=positive_int, default=5, help="drop rarer words (default 5)")
    g.add_argument("--max-vocab", type=positive_int, help="keep the N most frequent words")
    g.add_argument(
        "--memory",
        default="512M",
        help="memory for counting, e.g. 256M, 2G (default 512M); more is spilled to disk",
    )
    g.add_argument("--tmp-dir", help="folder for spill files (default: the system's)")
    g.add_argument(
        "--vectors",
        choices=("sum", "word", "both"),
        default="sum",
        help="output W + W~ (default, C -model 2), W (-model 1) or [W | W~] (-model 3)",
    )
    _add_shared_training_options(g, non_negative_int)
    g.set_defaults(run=_run_train_glove)


def _run_train_glove(args: argparse.Namespace) -> int:
    from subwordx.glove import GloVe

    name = args.output.lower()
    kind = "glove" if name.endswith(".glove.txt") else _output_kind(args.output)
    _check_output_dir(args.output)
    for f in args.files:
        if Path(f).is_dir():
            raise ConfigError(f"{f}: is a directory, not a text file")
    bar = _bar(args)
    start = time.perf_counter()
    try:
        model = GloVe(
            corpus_file=args.files,
            dim=args.dim,
            window=args.window,
            symmetric=not args.left_only,
            epochs=args.epochs,
            x_max=args.x_max,
            alpha=args.alpha,
            learning_rate=args.eta,
            min_count=args.min_count,
            max_vocab=args.max_vocab,
            memory=args.memory,
            tmp_dir=args.tmp_dir,
            output=args.vectors,
            threads=args.threads,
            seed=args.seed,
            errors=args.errors,
            progress=bar,
        )
    finally:
        bar.close()
    took = time.perf_counter() - start
    if kind == "npz":
        model.save(args.output)
    elif kind == "glove":
        model.save_glove_format(args.output)
    else:
        model.save_word2vec_format(args.output, binary=kind == "bin")
    if not args.quiet:
        costs = ", ".join(f"{x:.4f}" for x in model.losses)
        print(
            f"trained {model!r} in {took:.1f}s (cost per epoch: {costs}); saved to {args.output}",
            file=sys.stderr,
        )
    return 0


def add_training_options(
    p: argparse.ArgumentParser,
    positive_int: IntType,
    non_negative_int: IntType,
    non_negative_float: FloatType,
    *,
    sample: float,
) -> None:
    """The options train-word2vec and train-fasttext share (window, negatives, sampling,
    vocabulary, epochs, threads, seed, input handling, quiet)."""
    p.add_argument(
        "--window", type=positive_int, default=5, help="max context distance (default 5)"
    )
    p.add_argument(
        "--negative", type=non_negative_int, default=5, help="negative samples, 0 = off (default 5)"
    )
    p.add_argument("--hs", action="store_true", help="hierarchical softmax")
    p.add_argument(
        "--sample",
        type=non_negative_float,
        default=sample,
        help=f"subsampling threshold, 0 = off (default {sample:g})",
    )
    p.add_argument("--min-count", type=positive_int, default=5, help="drop rarer words (default 5)")
    p.add_argument("--max-final-vocab", type=positive_int, help="keep at most this many words")
    p.add_argument("--epochs", "--iter", type=positive_int, default=5, help="passes (default 5)")
    p.add_argument(
        "--threads", type=non_negative_int, default=0, help="threads (default 0 = all cores)"
    )
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8: fail or replace",
    )
    held = p.add_mutually_exclusive_group()
    held.add_argument(
        "--stream",
        dest="stream",
        action="store_const",
        const=True,
        help="read the files again every epoch: memory stays small whatever their size "
        "(default for files over 256 MiB)",
    )
    held.add_argument(
        "--in-memory",
        dest="stream",
        action="store_const",
        const=False,
        help="read the files once and hold them as word ids, 4 bytes a word (a little faster)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def _bar(args: argparse.Namespace) -> Any:
    from subwordx._progress import ProgressBar

    return ProgressBar(enabled=None if not args.quiet else False)


def _output_kind(path: str) -> str:
    name = path.lower()
    if name.endswith(".bin"):
        return "bin"
    if name.endswith((".txt", ".vec")):
        return "txt"
    if name.endswith(".npz"):
        return "npz"
    raise ConfigError(f"{path}: unknown output format; name it .bin, .txt, .vec or .npz")


def _check_output_dir(path: str) -> None:
    folder = Path(path).parent
    if str(folder) and not folder.is_dir():
        raise ConfigError(f"{folder}: output directory does not exist")
    if Path(path).is_dir():
        raise ConfigError(f"{path}: is a directory")


def _run_train_word2vec(args: argparse.Namespace) -> int:
    from subwordx.word2vec import Word2Vec

    kind = _output_kind(args.output)
    _check_output_dir(args.output)
    for f in args.files:
        if Path(f).is_dir():
            raise ConfigError(f"{f}: is a directory, not a text file")
    bar = _bar(args)
    start = time.perf_counter()
    try:
        model = Word2Vec(
            corpus_file=args.files,
            model=args.model,
            dim=args.dim,
            window=args.window,
            negative=args.negative,
            hs=args.hs,
            sample=args.sample,
            min_count=args.min_count,
            max_vocab_size=args.max_vocab_size,
            max_final_vocab=args.max_final_vocab,
            epochs=args.epochs,
            alpha=args.alpha,
            min_alpha=args.min_alpha,
            cbow_mean=not args.cbow_sum,
            threads=args.threads,
            seed=args.seed,
            errors=args.errors,
            stream=args.stream,
            progress=bar,
        )
    finally:
        bar.close()
    took = time.perf_counter() - start
    if kind == "npz":
        model.save(args.output)
    else:
        model.save_word2vec_format(args.output, binary=kind == "bin")
    if not args.quiet:
        losses = ", ".join(f"{x:.4f}" for x in model.losses)
        print(
            f"trained {model!r} in {took:.1f}s (loss per epoch: {losses}); saved to {args.output}",
            file=sys.stderr,
        )
    return 0


def _run_phrases(args: argparse.Namespace) -> int:
    from subwordx.phrases import Phrases

    _check_output_dir(args.output)
    bar = _bar(args)
    try:
        phrases = Phrases.learn(
            corpus_file=args.files,
            min_count=args.min_count,
            threshold=args.threshold,
            scoring=args.scoring,
            passes=args.passes,
            delimiter=args.delimiter,
            errors=args.errors,
            progress=bar,
        )
        phrases.apply_files(args.files, args.output, errors=args.errors, progress=bar)
    finally:
        bar.close()
    if not args.quiet:
        top = ", ".join(f"{a}{args.delimiter}{b}" for a, b, _ in phrases.export()[:8])
        print(f"{len(phrases)} phrases (top: {top}); wrote {args.output}", file=sys.stderr)
    return 0


def _load_vectors(path: str) -> Any:
    from subwordx.embeddings import KeyedVectors

    if not Path(path).exists():
        from subwordx.errors import SubwordxFileNotFoundError

        raise SubwordxFileNotFoundError(2, f"{path}: no such file", path)
    if path.lower().endswith(".npz"):
        return KeyedVectors.load(path)
    if path.lower().endswith(".glove.txt"):
        return KeyedVectors.load_glove_format(path)
    return KeyedVectors.load_word2vec_format(path)


def _run_similar(args: argparse.Namespace) -> int:
    kv = _load_vectors(args.vectors)
    missing = [w for w in [*args.words, *args.negative] if w not in kv]
    if missing:
        raise ConfigError(f"not in the vocabulary: {', '.join(missing)}")
    query = kv.most_similar_cosmul if args.cosmul else kv.most_similar
    for word, score in query(positive=args.words, negative=args.negative, topn=args.topn):
        print(f"{score:.4f}\t{word}")
    return 0


def _run_eval_analogy(args: argparse.Namespace) -> int:
    from subwordx.embeddings import evaluate_word_analogies

    kv = _load_vectors(args.vectors)
    result = evaluate_word_analogies(
        kv,
        args.questions,
        restrict_vocab=args.restrict_vocab,
        case_insensitive=not args.case_sensitive,
        method=args.method,
    )
    for section in result.sections:
        acc = section.correct / section.total if section.total else 0.0
        print(f"{section.name:<32} {acc:7.2%}  ({section.correct}/{section.total})")
    print(f"{'total':<32} {result.accuracy:7.2%}  ({result.correct}/{result.total})")
    return 0


def _run_eval_similarity(args: argparse.Namespace) -> int:
    from subwordx.embeddings import evaluate_word_pairs

    kv = _load_vectors(args.vectors)
    r = evaluate_word_pairs(kv, args.pairs)
    print(
        f"spearman {r.spearman:.4f}  pearson {r.pearson:.4f}  "
        f"oov {r.oov_ratio:.1f}%  pairs {r.pairs}"
    )
    return 0


__all__ = ["add_commands"]
