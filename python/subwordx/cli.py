"""The ``subwordx`` command line.

``main(argv) -> int`` is the whole program, so tests call it in-process. Every error a user can
cause ends as one line on stderr (``subwordx: error: ...``) and a non-zero exit, never a traceback,
and leaves no output file behind (files are written atomically, after the work succeeded).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from subwordx import __version__
from subwordx.errors import ConfigError, InvalidUtf8Error, SubwordxError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
_BATCH_LINES = 16384


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


# No count or size this program takes comes near 2**63; a larger number is a typo, and would
# overflow the core's 64-bit integers.
_MAX_INT = 2**63 - 1


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    if value > _MAX_INT:
        raise argparse.ArgumentTypeError(f"{value} is too large (at most {_MAX_INT})")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    if value > _MAX_INT:
        raise argparse.ArgumentTypeError(f"{value} is too large (at most {_MAX_INT})")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _progress(args: argparse.Namespace) -> Any:
    from subwordx._progress import ProgressBar

    return ProgressBar(enabled=None if not args.quiet else False)


# ------------------------------------------------------------------------------- train-bpe
def _add_train_bpe(sub: Any) -> None:
    p = sub.add_parser(
        "train-bpe",
        help="train a BPE tokenizer on text files",
        description=(
            "Train a BPE tokenizer: start from characters (classic, with the </w> end-of-word "
            "suffix of Sennrich et al.) or from bytes (--byte-level, GPT-2 style), and repeatedly "
            "merge the most frequent adjacent pair until the vocabulary is full. Ties go to the "
            "pair whose left token, then right token, is smallest in code point order, so the "
            "result is the same on every run and thread count. Files are streamed, never loaded "
            "whole; words are counted on all cores."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-bpe corpus.txt --vocab-size 8000 -o tokenizer.json\n"
            "  subwordx train-bpe a.txt b.txt --byte-level --vocab-size 32000 "
            "--special-tokens '<|endoftext|>' -o gpt.json\n"
            "  subwordx train-bpe wiki.txt --template '<s> $A </s>' -o tok.swx.json\n"
            "output format by name: *.swx.json = subwordx native, other *.json = HF "
            "tokenizer.json, a directory = vocab.json + merges.txt (or use --format)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files, one text per line")
    p.add_argument("-o", "--output", required=True, help="where to save the tokenizer")
    p.add_argument("--format", choices=("hf", "subwordx", "vocab-merges"), help="output format")
    p.add_argument(
        "--vocab-size",
        type=_positive_int,
        default=32000,
        help="final vocabulary size (default 32000)",
    )
    p.add_argument(
        "--min-frequency",
        type=_non_negative_int,
        default=2,
        help="stop when the best pair occurs fewer times (default 2)",
    )
    p.add_argument(
        "--byte-level",
        action="store_true",
        help="byte-level BPE (GPT-2 style): every string encodes, no unknown tokens",
    )
    p.add_argument(
        "--pre-tokenizer",
        choices=("whitespace", "bert", "gpt2", "cl100k", "o200k"),
        help="how lines split into words (default: bert for classic, gpt2 for byte-level)",
    )
    p.add_argument(
        "--special-tokens",
        nargs="*",
        default=[],
        metavar="TOKEN",
        help="tokens with the first ids, never split",
    )
    p.add_argument(
        "--template",
        help="special tokens around each encoding, $A for the text, e.g. '<s> $A </s>'",
    )
    p.add_argument("--unk-token", help="classic: token for unknown chars (default <unk>)")
    p.add_argument(
        "--limit-alphabet", type=_positive_int, help="keep only this many most frequent chars"
    )
    p.add_argument(
        "--max-token-length", type=_positive_int, help="never build tokens longer than this (chars)"
    )
    p.add_argument("--end-of-word-suffix", help="classic: end-of-word suffix (default </w>)")
    p.add_argument(
        "--continuing-subword-prefix", help="classic: prefix of word-inner symbols, e.g. ##"
    )
    p.add_argument(
        "--nfc", dest="unicode", action="store_const", const="nfc", help="NFC-normalize text first"
    )
    p.add_argument(
        "--nfkc",
        dest="unicode",
        action="store_const",
        const="nfkc",
        help="NFKC-normalize text first",
    )
    p.add_argument("--lowercase", action="store_true", help="lowercase text first")
    p.add_argument("--strip-accents", action="store_true", help="remove accents (NFD, drop Mn)")
    _add_run_options(p)
    p.set_defaults(run=_run_train_bpe)


def _run_train_bpe(args: argparse.Namespace) -> int:
    import time

    from subwordx.tokenizer import train_bpe

    out = Path(args.output)
    folder = out if (args.format == "vocab-merges" or args.output.endswith(os.sep)) else out.parent
    if args.format != "vocab-merges" and out.is_dir():
        raise ConfigError(f"{out}: is a directory; give a file name or --format vocab-merges")
    if str(folder) and not folder.is_dir() and args.format != "vocab-merges":
        raise ConfigError(f"{folder}: output directory does not exist")
    bar = _progress(args)
    start = time.perf_counter()
    try:
        tok = train_bpe(
            args.files,
            vocab_size=args.vocab_size,
            byte_level=args.byte_level,
            pre_tokenizer=args.pre_tokenizer,
            min_frequency=args.min_frequency,
            special_tokens=args.special_tokens,
            unk_token=args.unk_token,
            template=args.template.split() if args.template else None,
            limit_alphabet=args.limit_alphabet,
            max_token_length=args.max_token_length,
            end_of_word_suffix=args.end_of_word_suffix,
            continuing_subword_prefix=args.continuing_subword_prefix,
            unicode_normalization=args.unicode,
            lowercase=args.lowercase,
            strip_accents=args.strip_accents,
            threads=args.threads,
            errors=args.errors,
            progress=bar,
        )
    finally:
        bar.close()
    tok.save(out, args.format)
    if not args.quiet:
        print(
            f"trained {tok!r} with {len(tok.merges)} merges in "
            f"{time.perf_counter() - start:.1f}s; saved to {out}",
            file=sys.stderr,
        )
    return 0


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """``--threads``, ``--errors``, ``-q``: the options of every training command."""
    p.add_argument(
        "--threads", type=_non_negative_int, default=0, help="threads (default 0 = all cores)"
    )
    p.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8: fail (default) or replace with U+FFFD",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _train_and_save(args: argparse.Namespace, train: Callable[[Any], Any]) -> int:
    """Checks ``args.output``, runs ``train(progress_bar)``, saves the tokenizer in
    ``args.format`` and reports the time: the tail of every tokenizer training command."""
    import time

    out = Path(args.output)
    if out.is_dir():
        raise ConfigError(f"{out}: is a directory; give a file name")
    if str(out.parent) and not out.parent.is_dir():
        raise ConfigError(f"{out.parent}: output directory does not exist")
    bar = _progress(args)
    start = time.perf_counter()
    try:
        tok = train(bar)
    finally:
        bar.close()
    tok.save(out, args.format)
    if not args.quiet:
        print(
            f"trained {tok!r} in {time.perf_counter() - start:.1f}s; saved to {out}",
            file=sys.stderr,
        )
    return 0


# ------------------------------------------------------------------------------- train-wordpiece
def _add_train_wordpiece(sub: Any) -> None:
    from subwordx.wordpiece import DEFAULT_MIN_FREQUENCY

    p = sub.add_parser(
        "train-wordpiece",
        help="train a WordPiece (BERT) tokenizer on text files",
        description=(
            "Train a WordPiece tokenizer with the likelihood score: start from characters "
            "(every one but a word's first written ##c) and repeatedly merge the adjacent pair "
            "with the highest count(xy) / (count(x) * count(y)), compared exactly; ties go to "
            "the higher pair count, then the smaller left, then right piece. Words come from "
            "BERT's normalizer and pre-tokenizer (uncased unless --cased). Files are streamed "
            "and counted on all cores; the result is the same on every thread count."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-wordpiece corpus.txt --vocab-size 30000 -o tokenizer.json\n"
            "  subwordx train-wordpiece corpus.txt --cased -o vocab.txt\n"
            "output format by name: *.txt = BERT vocab.txt, *.swx.json = subwordx native, "
            "other *.json = HF tokenizer.json (or use --format)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files, one text per line")
    p.add_argument("-o", "--output", required=True, help="where to save the tokenizer")
    p.add_argument("--format", choices=("hf", "subwordx", "vocab-txt"), help="output format")
    p.add_argument(
        "--vocab-size", type=_positive_int, default=30000, help="final vocabulary size (30000)"
    )
    p.add_argument(
        "--min-frequency",
        type=_non_negative_int,
        default=DEFAULT_MIN_FREQUENCY,
        help=f"never merge a pair seen fewer times (default {DEFAULT_MIN_FREQUENCY})",
    )
    p.add_argument(
        "--special-tokens",
        nargs="*",
        default=None,
        metavar="TOKEN",
        help="tokens with the first ids (default [PAD] [UNK] [CLS] [SEP] [MASK])",
    )
    p.add_argument("--unk-token", default="[UNK]", help="token of uncoverable words ([UNK])")
    p.add_argument("--prefix", default="##", help="continuing-subword prefix (##)")
    p.add_argument(
        "--limit-alphabet", type=_positive_int, help="keep only this many most frequent chars"
    )
    p.add_argument(
        "--max-piece-length", type=_positive_int, help="never build pieces longer than this"
    )
    p.add_argument("--cased", action="store_true", help="keep case and accents (BERT cased)")
    p.add_argument(
        "--pre-tokenizer",
        choices=("bert", "whitespace"),
        default="bert",
        help="how lines split into words (default bert: whitespace and punctuation)",
    )
    p.add_argument(
        "--no-post-processor",
        action="store_true",
        help="do not add [CLS] ... [SEP] around encodings",
    )
    _add_run_options(p)
    p.set_defaults(run=_run_train_wordpiece)


def _run_train_wordpiece(args: argparse.Namespace) -> int:
    from subwordx.wordpiece import BERT_SPECIAL_TOKENS, train_wordpiece

    return _train_and_save(
        args,
        lambda bar: train_wordpiece(
            args.files,
            vocab_size=args.vocab_size,
            min_frequency=args.min_frequency,
            special_tokens=(
                BERT_SPECIAL_TOKENS if args.special_tokens is None else args.special_tokens
            ),
            unk_token=args.unk_token,
            continuing_subword_prefix=args.prefix,
            limit_alphabet=args.limit_alphabet,
            max_piece_length=args.max_piece_length,
            lowercase=not args.cased,
            pre_tokenizer=args.pre_tokenizer,
            post_processor=not args.no_post_processor,
            threads=args.threads,
            errors=args.errors,
            progress=bar,
        ),
    )


# --------------------------------------------------------------------------------- train-unigram
def _add_train_unigram(sub: Any) -> None:
    p = sub.add_parser(
        "train-unigram",
        help="train a Unigram LM (SentencePiece) tokenizer on text files",
        description=(
            "Train a Unigram LM tokenizer with SentencePiece's algorithm: seed pieces from a "
            "suffix array of the distinct words, EM (forward-backward, digamma M step) and "
            "pruning by likelihood loss until --vocab-size. The pipeline is SentencePiece's: "
            "extra spaces removed, spaces become \u2581 with one before each line (the dummy "
            "prefix), one Viterbi over the whole line; pieces never cross a space. Files are "
            "streamed and counted on all cores; the result is the same on every thread count."
        ),
        epilog=(
            "examples:\n"
            "  subwordx train-unigram corpus.txt --vocab-size 16000 -o spm.model\n"
            "  subwordx train-unigram corpus.txt --vocab-size 8000 -o tokenizer.json\n"
            "  subwordx train-unigram corpus.txt --nfkc --threads 2 -o spm.swx.json\n"
            "output format by name: *.model = SentencePiece's model file (loads in "
            "sentencepiece and encodes exactly as subwordx does), *.swx.json = subwordx "
            "native, other *.json = HF tokenizer.json (or use --format)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files, one text per line")
    p.add_argument("-o", "--output", required=True, help="where to save the tokenizer")
    p.add_argument("--format", choices=("hf", "subwordx", "sentencepiece"), help="output format")
    p.add_argument(
        "--vocab-size", type=_positive_int, default=8000, help="final vocabulary size (8000)"
    )
    p.add_argument(
        "--prepend-scheme",
        choices=("always", "first"),
        default="always",
        help="always (default): SentencePiece's pipeline; first: HF's Metaspace, a \u2581 only "
        "at the start of the input, spaces kept (saves as .json only)",
    )
    p.add_argument(
        "--special-tokens",
        nargs="*",
        default=(),
        metavar="TOKEN",
        help="tokens with the ids after the unknown token",
    )
    p.add_argument("--unk-token", default="<unk>", help="token of unknown chars (<unk>)")
    p.add_argument(
        "--nfkc",
        action="store_true",
        help="NFKC-normalize text first (default: no normalization)",
    )
    p.add_argument(
        "--max-piece-length", type=_positive_int, default=16, help="longest piece in chars (16)"
    )
    p.add_argument(
        "--seed-size", type=_positive_int, default=1_000_000, help="seed pieces (1000000)"
    )
    p.add_argument(
        "--character-coverage",
        type=float,
        default=0.9995,
        help="share of char occurrences the alphabet covers (0.9995)",
    )
    _add_run_options(p)
    p.set_defaults(run=_run_train_unigram)


def _run_train_unigram(args: argparse.Namespace) -> int:
    from subwordx.unigram import train_unigram

    return _train_and_save(
        args,
        lambda bar: train_unigram(
            args.files,
            vocab_size=args.vocab_size,
            special_tokens=args.special_tokens,
            unk_token=args.unk_token,
            nfkc=args.nfkc,
            prepend_scheme=args.prepend_scheme,
            max_piece_length=args.max_piece_length,
            seed_size=args.seed_size,
            character_coverage=args.character_coverage,
            threads=args.threads,
            errors=args.errors,
            progress=bar,
        ),
    )


# ------------------------------------------------------------------------------- encode / decode
def _add_encode_decode(sub: Any) -> None:
    p = sub.add_parser(
        "encode",
        help="encode text lines to ids",
        description=(
            "Encode each input line (its newline excluded) and write one line of space-separated "
            "ids per input line to stdout. Special tokens are added as the tokenizer's template "
            "says unless --no-special-tokens. --nbest N (Unigram) writes, for each input line, "
            "its N best segmentations, one per line as 'ids<TAB>score', best first, then an "
            "empty line. --sample draws one segmentation per line (subword regularization: "
            "Unigram sampling with --alpha and --nbest-size, or BPE-dropout with --dropout); "
            "the same --seed gives the same output. A tokenizer.json whose BPE model sets "
            '"dropout" encodes with BPE-dropout on every line, seeded by --seed '
            "(--no-dropout turns it off)."
        ),
        epilog=(
            "examples:\n"
            "  subwordx encode -t spm.model text.txt           # SentencePiece's ids\n"
            "  subwordx encode -t spm.model --tokens --nbest 5 text.txt\n"
            "  subwordx encode -t spm.model --sample --alpha 0.1 --seed 7 text.txt\n"
            "  subwordx encode -t bpe.json --sample --dropout 0.1 --seed 7 text.txt\n"
            "  subwordx encode -t dropout-tokenizer.json --seed 7 text.txt"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-t", "--tokenizer", required=True, help="any tokenizer file subwordx loads")
    p.add_argument(
        "files", nargs="*", default=["-"], metavar="FILE", help="input files (default: stdin)"
    )
    p.add_argument("--tokens", action="store_true", help="print token strings instead of ids")
    p.add_argument(
        "--no-special-tokens",
        action="store_true",
        help="do not add the post-processor's special tokens",
    )
    p.add_argument(
        "--split-special-tokens",
        action="store_true",
        help="encode special-token strings in the text as plain text",
    )
    _add_pattern_option(p)
    p.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8 in the input",
    )
    p.add_argument(
        "--threads", type=_non_negative_int, default=0, help="threads (default all cores)"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--nbest",
        type=_positive_int,
        metavar="N",
        help="the N best segmentations of each line, with scores (Unigram)",
    )
    how.add_argument(
        "--sample",
        action="store_true",
        help="one random segmentation per line (Unigram sampling or BPE-dropout)",
    )
    p.add_argument(
        "--alpha",
        type=_non_negative_float,
        default=0.1,
        help="--sample, Unigram: the smoothing of the distribution (default 0.1)",
    )
    p.add_argument(
        "--nbest-size",
        type=int,
        default=-1,
        help="--sample, Unigram: draw from the N best (-1: from all segmentations, default)",
    )
    p.add_argument(
        "--dropout",
        type=_non_negative_float,
        help="--sample, BPE: the probability of skipping each merge",
    )
    p.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        help=(
            "the random seed (default 0) of --sample (line i uses a seed derived from it and i) "
            "and of a tokenizer whose BPE model sets a dropout (its seed stream)"
        ),
    )
    p.add_argument(
        "--no-dropout",
        action="store_true",
        help="encode without the BPE-dropout the tokenizer's file sets",
    )
    p.set_defaults(run=_run_encode)

    d = sub.add_parser(
        "decode",
        help="decode id lines back to text",
        description="Decode each line of space-separated ids into one line of text.",
    )
    d.add_argument("-t", "--tokenizer", required=True, help="any tokenizer file subwordx loads")
    d.add_argument(
        "files", nargs="*", default=["-"], metavar="FILE", help="id files (default: stdin)"
    )
    _add_pattern_option(d)
    d.add_argument("--keep-special-tokens", action="store_true", help="write special tokens too")
    d.set_defaults(run=_run_decode)

    i = sub.add_parser(
        "info",
        help="describe a tokenizer file",
        description="Print a tokenizer's settings and sizes.",
    )
    i.add_argument("tokenizer", help="any tokenizer file subwordx loads")
    _add_pattern_option(i)
    i.set_defaults(run=_run_info)

    c = sub.add_parser(
        "convert",
        help="convert a tokenizer file to another format",
        description=(
            "Load any tokenizer file subwordx reads (subwordx JSON, HF tokenizer.json, "
            "vocab.json + merges.txt, tiktoken .tiktoken, BERT vocab.txt, SentencePiece "
            ".model) and save it in another format. The format is --to, or taken from OUT's name "
            "(*.tiktoken, *.swx.json, *.model, *.txt for vocab-txt, a folder for vocab-merges, "
            "other *.json for hf)."
        ),
    )
    c.add_argument("input", metavar="IN", help="the tokenizer file")
    c.add_argument("output", metavar="OUT", help="where to write it")
    c.add_argument(
        "--to",
        choices=("hf", "tiktoken", "subwordx", "vocab-merges", "vocab-txt", "sentencepiece"),
        help="format",
    )
    _add_pattern_option(c)
    c.set_defaults(run=_run_convert)


def _add_pattern_option(p: Any) -> None:
    p.add_argument(
        "--pattern",
        help=(
            "tiktoken rank files: the split pattern (cl100k, o200k, gpt2, qwen, llama3, or a "
            "regex); default: by the file's name (cl100k_base.tiktoken -> cl100k)"
        ),
    )


def _load(args: argparse.Namespace, path: str) -> Any:
    from subwordx.tokenizer import Tokenizer

    return Tokenizer.load(path, pattern=getattr(args, "pattern", None))


def _text_lines(body: str) -> list[str]:
    """The lines of one ``\\n``-terminated chunk as Python's universal newlines read them: a
    ``\\r\\n`` ending is one newline, and a lone ``\\r`` ends a line too (what ``open(path)``
    gives, so a CRLF file encodes as the same text in every tool)."""
    if body.endswith("\r"):
        body = body[:-1]
    return body.split("\r") if "\r" in body else [body]


def _lines(files: Sequence[str], errors: str) -> Iterator[str]:
    """Lines of the inputs without their newline (``\\n``, ``\\r\\n`` or ``\\r``).

    Invalid UTF-8 is an error naming the file, line and byte (unless ``errors="replace"``).
    """
    for name in files:
        stream = sys.stdin.buffer if name == "-" else None
        if stream is None and Path(name).is_dir():
            raise ConfigError(f"{name}: is a directory, not a text file")
        with stream if stream is not None else open(name, "rb") as f:
            offset = 0
            for number, raw in enumerate(f, 1):
                body = raw[:-1] if raw.endswith(b"\n") else raw
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError as e:
                    if errors == "replace":
                        yield from _text_lines(body.decode("utf-8", errors="replace"))
                    else:
                        shown = "<stdin>" if name == "-" else name
                        raise InvalidUtf8Error(
                            f"{shown}:{number}: invalid UTF-8 at byte {e.start} of line {number} "
                            f"(file offset {offset + e.start}); pass --errors replace to "
                            "substitute U+FFFD",
                            shown,
                            number,
                            e.start,
                            offset + e.start,
                        ) from None
                else:
                    yield from _text_lines(text)
                offset += len(raw)


def _batched(lines: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _BATCH_LINES:
            yield batch
            batch = []
    if batch:
        yield batch


def _line_seed(seed: int, line: int) -> int:
    """The seed of input line ``line`` (0-based) under ``--seed``: SplitMix64's finalizer of
    ``seed + line * golden ratio``, so neighbouring lines draw unrelated streams."""
    mask = 2**64 - 1
    z = (seed + (line + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def _run_encode(args: argparse.Namespace) -> int:
    tok = _load(args, args.tokenizer)
    if tok.dropout is not None:
        # A file with BPE-dropout (for training): each line draws from the seed stream.
        tok = tok.with_dropout(None if args.no_dropout else tok.dropout, seed=args.seed)
    out: TextIO = sys.stdout
    add_special = not args.no_special_tokens
    token_of: list[str] = []
    if args.tokens:
        token_of = [""] * tok.vocab_size
        for token, i in tok.get_vocab().items():
            token_of[i] = token

    def row(ids: Sequence[int]) -> str:
        if args.tokens:
            return " ".join(token_of[i] for i in ids)
        return " ".join(map(str, ids))

    if args.nbest is not None or args.sample:
        if args.split_special_tokens:
            raise ConfigError("--split-special-tokens does not apply to --nbest or --sample")
        for number, line in enumerate(_lines(args.files, args.errors)):
            if args.nbest is not None:
                for enc, score in tok.encode_nbest(
                    line, args.nbest, add_special_tokens=add_special
                ):
                    out.write(f"{row(enc.ids)}\t{score:.6g}\n")
                out.write("\n")
            else:
                enc = tok.encode_sample(
                    line,
                    alpha=args.alpha,
                    nbest_size=args.nbest_size,
                    dropout=args.dropout,
                    seed=_line_seed(args.seed, number),
                    add_special_tokens=add_special,
                )
                out.write(row(enc.ids) + "\n")
        out.flush()
        return 0
    for batch in _batched(_lines(args.files, args.errors)):
        flat, starts = tok.encode_batch_ids(
            batch,
            add_special_tokens=add_special,
            split_special_tokens=args.split_special_tokens,
            threads=args.threads,
        )
        ids = flat.tolist()
        bounds = starts.tolist()
        if args.tokens:
            rows = (" ".join(token_of[i] for i in ids[a:b]) for a, b in zip(bounds, bounds[1:]))
        else:
            rows = (" ".join(map(str, ids[a:b])) for a, b in zip(bounds, bounds[1:]))
        out.write("".join(row + "\n" for row in rows))
    out.flush()
    return 0


def _run_decode(args: argparse.Namespace) -> int:
    tok = _load(args, args.tokenizer)
    out: TextIO = sys.stdout
    for number, line in enumerate(_lines(args.files, "strict"), 1):
        try:
            ids = [int(x) for x in line.split()]
        except ValueError:
            raise ConfigError(f"line {number}: expected space-separated integer ids") from None
        out.write(tok.decode(ids, skip_special_tokens=not args.keep_special_tokens) + "\n")
    out.flush()
    return 0


def _describe(component: Any) -> str:
    """A component (HF JSON) in one line: its type and settings, sequences flattened."""
    if component is None:
        return "-"
    kind = component.get("type", "?")
    for key in ("normalizers", "pretokenizers", "processors", "decoders"):
        if key in component:
            return " + ".join(_describe(c) for c in component[key]) or "-"
    settings = []
    for k, v in component.items():
        if k == "type" or k in ("special_tokens", "single", "pair"):
            continue
        if isinstance(v, dict) and len(v) == 1:
            v = next(iter(v.values()))
        text = str(v)
        settings.append(f"{k}={text[:40] + '...' if len(text) > 40 else text}")
    return f"{kind}({', '.join(settings)})" if settings else kind


def _run_info(args: argparse.Namespace) -> int:
    tok = _load(args, args.tokenizer)
    c = tok.config
    model = {k: v for k, v in c["model"].items() if v not in (None, False)}
    from subwordx.tokenizer import _kind_name

    kind = _kind_name(tok)
    print(f"file            {args.tokenizer}")
    print(f"model           {kind}: {_describe(model)}")
    print(f"vocab size      {tok.vocab_size}")
    if tok.model_kind == "bpe":
        print(f"merges          {len(tok.merges)}")
    print(f"normalizer      {_describe(c.get('normalizer'))}")
    print(f"pre-tokenizer   {_describe(c.get('pre_tokenizer'))}")
    print(f"post-processor  {_describe(c.get('post_processor'))}")
    print(f"decoder         {_describe(c.get('decoder'))}")
    print(f"special tokens  {' '.join(tok.special_tokens) or '-'}")
    others = [t for t in tok.added_tokens if t not in tok.special_tokens]
    if others:
        print(f"added tokens    {' '.join(others)}")
    if c.get("truncation"):
        print(f"truncation      {_describe(c['truncation'])}")
    if c.get("padding"):
        print(f"padding         {_describe(c['padding'])}")
    return 0


def _run_convert(args: argparse.Namespace) -> int:
    tok = _load(args, args.input)
    tok.save(args.output, args.to)
    fmt = args.to or "the format of its name"
    print(f"{args.input} -> {args.output} ({fmt})", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------- demo
def _add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="train on the embedded corpus and show what comes out",
        description=(
            "Train a BPE tokenizer on the small public-domain corpus shipped with subwordx "
            "(Natsume Soseki's 'Botchan' in English) and encode a sentence with it."
        ),
    )
    p.add_argument("--vocab-size", type=_positive_int, default=4000)
    p.add_argument("--byte-level", action="store_true")
    p.add_argument("-o", "--output", help="also save the tokenizer here")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    import time

    from subwordx import embedded_corpus
    from subwordx.tokenizer import train_bpe

    corpus = embedded_corpus()
    bar = _progress(args)
    start = time.perf_counter()
    try:
        tok = train_bpe(
            corpus, vocab_size=args.vocab_size, byte_level=args.byte_level, progress=bar
        )
    finally:
        bar.close()
    took = time.perf_counter() - start
    print(f"corpus   {corpus} ({corpus.stat().st_size:,} bytes)")
    print(f"trained  {tok!r} in {took:.2f}s")
    print(f"merges   first 10: {tok.merges[:10]}")
    sentence = "A Japanese schoolteacher in a small town on Shikoku."
    enc = tok.encode(sentence)
    print(f"encode   {sentence!r}")
    print(f"tokens   {enc.tokens}")
    print(f"ids      {enc.ids.tolist()}")
    print(f"decode   {tok.decode(enc.ids)!r}")
    if args.output:
        tok.save(args.output)
        print(f"saved    {args.output}")
    return 0


# ------------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(
        prog="subwordx",
        description=(
            "Fast subword tokenizers and word embeddings. Each subcommand has its own --help."
        ),
    )
    parser.add_argument("--version", action="version", version=f"subwordx {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_demo(sub)
    _add_train_bpe(sub)
    _add_train_wordpiece(sub)
    _add_train_unigram(sub)
    _add_encode_decode(sub)
    try:
        from subwordx import cli_embeddings
    except ImportError:  # pragma: no cover - the module ships with the package
        pass
    else:
        cli_embeddings.add_commands(sub, _positive_int, _non_negative_int, _non_negative_float)
    from subwordx import cli_visualize

    cli_visualize.add_commands(sub, _positive_int, _non_negative_int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("subwordx: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `subwordx encode ... | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (SubwordxError, OSError, ValueError) as e:
        print(f"subwordx {args.command}: error: {_one_line(e)}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and not isinstance(e, SubwordxError) and e.filename:
        text = f"{e.filename}: {e.strerror or e}"
    elif isinstance(e, OSError) and e.strerror:
        text = str(e.strerror)
    else:
        text = str(e)
    return " ".join(text.split())
