"""Subcommands that show what a model does: show, compare, plot-vectors.

Registered by :func:`subwordx.cli.build_parser`; errors are handled there (one line, non-zero).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from subwordx.errors import ConfigError, InvalidUtf8Error, SubwordxFileNotFoundError

IntType = Callable[[str], int]

_PLOT_SIZE_HELP = "PNG size in pixels (default {w} x {h})"


def add_commands(sub: Any, positive_int: IntType, non_negative_int: IntType) -> None:
    """Adds show, compare and plot-vectors to the CLI's subparsers."""
    s = sub.add_parser(
        "show",
        help="show each token of a text in colour",
        description=(
            "Show how a tokenizer cuts a text: each token's span of the text on its own "
            "background colour (a terminal), or tokens separated by | (not a terminal, "
            "--no-color, or the NO_COLOR variable). Special tokens are bold white on magenta "
            "(plain: in ⟦ ⟧), the model's unknown token white on red (plain: the chars it stands "
            "for in ⟨ ⟩). A char whose bytes are split across byte-level tokens is shown whole "
            "on the first of them and as ⋯ on the others. Text no token covers (spaces a "
            "whitespace pre-tokenizer drops) stands between tokens, uncoloured. Control chars "
            "are drawn as ␛, ␍, ... and never sent to the terminal."
        ),
        epilog=(
            "examples:\n"
            "  subwordx show -t cl100k_base.tiktoken 'Hello, 世界!'\n"
            "  subwordx show -t tokenizer.json -f page.txt --ids\n"
            "  echo 'text' | subwordx show -t tokenizer.json --no-color"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("-t", "--tokenizer", required=True, help="any tokenizer file subwordx loads")
    s.add_argument("text", nargs="?", help="the text (default: -f FILE, else stdin)")
    s.add_argument("-f", "--file", help="read the text from this file ('-': stdin), as one text")
    s.add_argument("--ids", action="store_true", help="print each token's id under it")
    s.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour: auto (default: when stdout is a terminal and NO_COLOR is unset)",
    )
    s.add_argument(
        "--no-color", dest="color", action="store_const", const="never", help="= --color never"
    )
    s.add_argument(
        "--no-special-tokens",
        action="store_true",
        help="do not add the post-processor's special tokens",
    )
    s.add_argument(
        "--split-special-tokens",
        action="store_true",
        help="encode special-token strings in the text as plain text",
    )
    s.add_argument(
        "--width", type=positive_int, help="row width with --ids (default: the terminal's)"
    )
    _add_pattern_option(s)
    s.set_defaults(run=_run_show)

    c = sub.add_parser(
        "compare",
        help="compare tokenizers on a corpus: tokens per char/byte/word by script, speed",
        description=(
            "Encode every line of the corpus (as one text, without the post-processor's special "
            "tokens, special-token strings taken as text) with each tokenizer and report tokens "
            "per character, per UTF-8 byte and per whitespace word, overall and per Unicode "
            "script; the share of the vocabulary used; the unknown-token rate; and encoding "
            "throughput (MB/s of encode_batch_ids on --threads threads). Per script, a token "
            "counts 1 split evenly over the chars of its span, and spaces, digits and "
            "punctuation count to the script of the text around them (docs/visualize.md)."
        ),
        epilog=(
            "examples:\n"
            "  subwordx compare -t cl100k_base.tiktoken -t o200k_base.tiktoken corpus.txt\n"
            "  subwordx compare -t a.json -t b.json en.txt ja.txt --plot report.png "
            "--json report.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument(
        "-t",
        "--tokenizer",
        action="append",
        dest="tokenizers",
        required=True,
        metavar="TOKENIZER",
        help="a tokenizer file (repeat -t for each)",
    )
    c.add_argument("files", nargs="+", metavar="CORPUS", help="UTF-8 text files, a text a line")
    c.add_argument("--plot", metavar="PNG", help="also write a bar chart, one group per script")
    c.add_argument("--json", metavar="JSON", help="also write the report as JSON")
    c.add_argument(
        "--metric",
        choices=("char", "byte", "word"),
        default="char",
        help="what the chart shows: tokens per char (default), byte or word",
    )
    c.add_argument("--width", type=positive_int, default=1000, help="PNG width (default 1000)")
    c.add_argument("--height", type=positive_int, default=600, help="PNG height (default 600)")
    c.add_argument(
        "--threads",
        type=non_negative_int,
        default=1,
        help="threads of the timed encoding (default 1; 0 = all cores)",
    )
    c.add_argument("--max-lines", type=positive_int, help="use only the first lines")
    c.add_argument(
        "--errors", choices=("strict", "replace"), default="strict", help="invalid UTF-8"
    )
    c.set_defaults(run=_run_compare)

    v = sub.add_parser(
        "plot-vectors",
        help="2-D map (PCA) of words and their nearest neighbours",
        description=(
            "Plot words and their nearest neighbours (cosine) on the first two principal "
            "components of their vectors, labelled, as a PNG."
        ),
        epilog="example:\n  subwordx plot-vectors vectors.bin king queen paris -o words.png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("vectors", help="vectors (.bin, .txt/.vec or .npz)")
    v.add_argument("words", nargs="+", metavar="WORD", help="the words to plot")
    v.add_argument("-o", "--output", required=True, help="the PNG to write")
    v.add_argument(
        "--neighbours",
        "--neighbors",
        type=non_negative_int,
        default=5,
        help="nearest neighbours drawn per word (default 5)",
    )
    v.add_argument("--width", type=positive_int, default=900, help="PNG width (default 900)")
    v.add_argument("--height", type=positive_int, default=700, help="PNG height (default 700)")
    v.set_defaults(run=_run_plot_vectors)


def _add_pattern_option(p: Any) -> None:
    p.add_argument(
        "--pattern",
        help="tiktoken rank files: the split pattern (default: by the file's name)",
    )


def _read_text(name: str) -> str:
    """A whole file (or stdin) as one text; invalid UTF-8 names the byte."""
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(name)
        if p.is_dir():
            raise ConfigError(f"{name}: is a directory, not a text file")
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise SubwordxFileNotFoundError(2, f"{name}: no such file", name) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        shown = "<stdin>" if name == "-" else name
        line = data.count(b"\n", 0, e.start) + 1
        raise InvalidUtf8Error(
            f"{shown}: invalid UTF-8 at file offset {e.start} (line {line})",
            shown,
            line,
            None,
            e.start,
        ) from None


def _use_color(choice: str, stream: Any) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _run_show(args: argparse.Namespace) -> int:
    from subwordx.tokenizer import Tokenizer
    from subwordx.visualize import render_text, token_spans

    if args.text is not None and args.file is not None:
        raise ConfigError("give the text or -f FILE, not both")
    text = args.text if args.text is not None else _read_text(args.file or "-")
    tok = Tokenizer.load(args.tokenizer, pattern=args.pattern)
    encoding = tok.encode(
        text,
        add_special_tokens=not args.no_special_tokens,
        split_special_tokens=args.split_special_tokens,
    )
    color = _use_color(args.color, sys.stdout)
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    sys.stdout.write(render_text(token_spans(encoding), color=color, ids=args.ids, width=width))
    sys.stdout.flush()
    print(f"{len(encoding.ids)} tokens, {len(text)} chars", file=sys.stderr)
    return 0


def _run_compare(args: argparse.Namespace) -> int:
    from subwordx._atomic import atomic_write
    from subwordx.visualize.compare import compare_tokenizers
    from subwordx.visualize.plot import check_size, require_matplotlib

    for out in (args.plot, args.json):
        if out is not None:
            _check_output(out)
    if args.plot is not None:
        # Fail before the work, not after it.
        check_size(args.width, args.height)
        require_matplotlib()
    report = compare_tokenizers(
        args.tokenizers,
        args.files,
        threads=args.threads,
        max_lines=args.max_lines,
        errors=args.errors,
    )
    sys.stdout.write(report.table())
    sys.stdout.flush()
    if args.json is not None:
        atomic_write(args.json, report.to_json())
    if args.plot is not None:
        report.plot(args.plot, metric=args.metric, width=args.width, height=args.height)
    return 0


def _run_plot_vectors(args: argparse.Namespace) -> int:
    from subwordx.cli_embeddings import _load_vectors
    from subwordx.visualize.plot import check_size, plot_vectors, require_matplotlib

    _check_output(args.output)
    check_size(args.width, args.height)
    require_matplotlib()
    kv = _load_vectors(args.vectors)
    plot_vectors(
        kv,
        args.words,
        args.output,
        neighbours=args.neighbours,
        width=args.width,
        height=args.height,
    )
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _check_output(path: str) -> None:
    folder = Path(path).parent
    if str(folder) and not folder.is_dir():
        raise ConfigError(f"{folder}: output directory does not exist")
    if Path(path).is_dir():
        raise ConfigError(f"{path}: is a directory")


__all__ = ["add_commands"]
