"""Unigram LM side by side with SentencePiece and HF ``tokenizers`` (docs/unigram.md).

1. **Training** on ``corpora/botchan.txt`` and on the first ``--train-mb`` MB of
   ``corpora/gcide.txt``, ``--threads`` threads each: subwordx ``train_unigram`` against
   SentencePiece's unigram trainer (identity normalization and its default whitespace rules, the
   pipeline subwordx trains, so both see the same text) and HF's ``UnigramTrainer`` (Metaspace
   pre-tokenizer). Quality: held-out
   log-likelihood per char (every 10th line, never trained on; for botchan also the last 10%
   of the lines, Project Gutenberg's licence), each model's own Viterbi
   segmentation scored with its own scores (unknown = lowest score − 10), and tokens per char.
2. **Encoding**, one thread: the SentencePiece model trained above, loaded in SentencePiece,
   against the subwordx model of the same size (``encode_ids``) and the same subwordx file loaded
   in HF ``tokenizers``; lines of held-out gcide text, ids of subwordx and HF compared.
3. **Memory** (``--memory``): whole processes, peak RSS: ``subwordx train-unigram`` on all of
   gcide (40 MB) and on gcide written three times (120 MB: the same words, three times the
   counts), against SentencePiece's trainer (``spm.SentencePieceTrainer.train``, which loads
   every sentence) on the 40 MB file; vocab ``--vocab-size``, ``--threads`` threads each.

Sides alternate within every round; tables give medians and ratios. Usage::

    python benches/bench_unigram.py --shared ../shared
    python benches/bench_unigram.py --shared ../shared --quick
    python benches/bench_unigram.py --shared ../shared --memory
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import subwordx


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def split(path: Path, mb: float | None, folder: Path, tail: bool) -> tuple[Path, list[str]]:
    """Training lines and held-out lines: every 10th line (``tail``: the last 10%)."""
    text = path.read_text(encoding="utf-8")
    if mb is not None:
        text = text[: int(mb * 1e6)]
    lines = [line for line in text.splitlines() if line.strip()]
    if tail:
        cut = len(lines) * 9 // 10
        train_lines, held = lines[:cut], lines[cut:]
    else:
        train_lines = [x for i, x in enumerate(lines) if i % 10 != 9]
        held = [x for i, x in enumerate(lines) if i % 10 == 9]
    train = folder / f"{path.stem}.train.txt"
    train.write_text("\n".join(train_lines) + "\n", encoding="utf-8")
    return train, held


def spm_train(train: Path, prefix: Path, vocab_size: int, threads: int) -> Any:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=str(train),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        normalization_rule_name="identity",
        num_threads=threads,
        minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_file=f"{prefix}.model")


def hf_train(train: Path, vocab_size: int) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=["<unk>"], unk_token="<unk>", show_progress=False
    )
    tok.train([str(train)], trainer)
    return tok


def spm_quality(sp: Any, held: list[str]) -> tuple[float, float]:
    scores = [sp.get_score(i) for i in range(sp.get_piece_size())]
    low = min(s for i, s in enumerate(scores) if not sp.is_control(i)) - 10.0
    encs = sp.encode(held)
    chars = sum(len(x) for x in held)
    ll = sum(low if sp.is_unknown(i) else scores[i] for ids in encs for i in ids)
    return ll / chars, sum(len(e) for e in encs) / chars


def json_quality(
    doc: dict[str, Any], encode: Callable[[str], list[int]], held: list[str]
) -> tuple[float, float]:
    model = doc["model"]
    scores = [s for _, s in model["vocab"]]
    unk = model.get("unk_id")
    low = min(s for i, s in enumerate(scores) if i != unk) - 10.0
    chars = sum(len(x) for x in held)
    encs = [encode(line) for line in held]
    ll = sum(low if i == unk else scores[i] for ids in encs for i in ids)
    return ll / chars, sum(len(e) for e in encs) / chars


def training(
    name: str,
    train: Path,
    held: list[str],
    vocab_size: int,
    threads: int,
    rounds: int,
    folder: Path,
    with_hf: bool,
) -> tuple[Any, subwordx.Tokenizer]:
    times: dict[str, list[float]] = {"subwordx": [], "SentencePiece": [], "HF": []}
    ours: subwordx.Tokenizer | None = None
    sp: Any = None
    hf: Any = None
    for _ in range(rounds):
        start = time.perf_counter()
        ours = subwordx.train_unigram(train, vocab_size=vocab_size, threads=threads)
        times["subwordx"].append(time.perf_counter() - start)
        start = time.perf_counter()
        sp = spm_train(train, folder / f"{name}-spm", vocab_size, threads)
        times["SentencePiece"].append(time.perf_counter() - start)
        if with_hf:
            start = time.perf_counter()
            hf = hf_train(train, vocab_size)
            times["HF"].append(time.perf_counter() - start)
    assert ours is not None
    q_ours = json_quality(
        json.loads(ours.to_str("hf")), lambda t: ours.encode_ids(t).tolist(), held
    )
    q_spm = spm_quality(sp, held)
    rows = [("subwordx", q_ours), ("SentencePiece", q_spm)]
    if with_hf:
        rows.append(("HF", json_quality(json.loads(hf.to_str()), lambda t: hf.encode(t).ids, held)))
    ours_t = statistics.median(times["subwordx"])
    print(f"\n### training: {name}, vocab {vocab_size}, {threads} threads, {rounds} rounds\n")
    print("| trainer | median s | vs subwordx | held-out log-lik/char | tokens/char |")
    print("|---|---:|---:|---:|---:|")
    for side, (ll, tpc) in rows:
        t = statistics.median(times[side])
        print(f"| {side} | {t:.2f} | {t / ours_t:.2f}x | {ll:.4f} | {tpc:.4f} |")
    return sp, ours


def encoding(
    sp: Any, ours: subwordx.Tokenizer, lines: list[str], rounds: int, folder: Path
) -> None:
    import tokenizers

    path = folder / "ours.json"
    ours.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    mb = sum(len(x.encode()) for x in lines) / 1e6
    same = all(hf.encode(x).ids == ours.encode_ids(x).tolist() for x in lines)
    sides: dict[str, Callable[[], object]] = {
        "subwordx encode_ids (line by line)": lambda: [ours.encode_ids(x) for x in lines],
        "SentencePiece encode (line by line)": lambda: [sp.encode(x) for x in lines],
        "HF tokenizers encode (same file)": lambda: [hf.encode(x).ids for x in lines],
    }
    times: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(rounds):
        for k, fn in sides.items():
            times[k].append(timed(fn))
    base = statistics.median(times["subwordx encode_ids (line by line)"])
    print(f"\n### encoding: {len(lines)} lines, {mb:.1f} MB, one thread, {rounds} rounds")
    print(f"subwordx and HF ids identical: {same}\n")
    print("| side | median s | MB/s | vs subwordx |")
    print("|---|---:|---:|---:|")
    for k, ts in times.items():
        t = statistics.median(ts)
        print(f"| {k} | {t:.3f} | {mb / t:.1f} | {t / base:.2f}x |")


def memory(corpora: Path, folder: Path, vocab_size: int, threads: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _common

    gcide = corpora / "gcide.txt"
    triple = folder / "gcide-x3.txt"
    with open(triple, "wb") as out:
        for _ in range(3):
            out.write(gcide.read_bytes())
    ours = [sys.executable, "-m", "subwordx", "train-unigram", "--vocab-size", str(vocab_size)]
    ours += ["--threads", str(threads), "-q", "-o"]
    spm_code = (
        "import sentencepiece as spm, sys; spm.SentencePieceTrainer.train(input=sys.argv[1], "
        f"model_prefix=sys.argv[2], vocab_size={vocab_size}, model_type='unigram', "
        f"normalization_rule_name='identity', num_threads={threads}, minloglevel=2)"
    )
    runs = [
        ("subwordx, gcide 40 MB", [*ours, str(folder / "m1.model"), str(gcide)]),
        (
            "SentencePiece, gcide 40 MB",
            [sys.executable, "-c", spm_code, str(gcide), str(folder / "s1")],
        ),
        ("subwordx, gcide x3 120 MB", [*ours, str(folder / "m3.model"), str(triple)]),
    ]
    print(f"\n### memory: vocab {vocab_size}, {threads} threads, whole processes\n")
    print("| side | wall s | peak RSS MiB |")
    print("|---|---:|---:|")
    for name, argv in runs:
        r = _common.run_process(argv, timeout=3600)
        status = "" if r.ok else " (failed)"
        print(f"| {name}{status} | {r.wall:.1f} | {r.peak_rss / 2**20:.0f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-mb", type=float, default=10.0)
    ap.add_argument("--vocab-size", type=int, default=8000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one round, 2 MB, no HF training")
    ap.add_argument("--memory", action="store_true", help="only the peak-memory runs (section 3)")
    args = ap.parse_args()
    rounds = 1 if args.quick else args.rounds
    mb = 2.0 if args.quick else args.train_mb
    corpora = args.shared / "data/corpora"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.memory:
            memory(corpora, folder, args.vocab_size, args.threads)
            return
        for tail in (False, True):
            train, held = split(corpora / "botchan.txt", None, folder, tail)
            name = "botchan, held out: " + ("the last 10% of lines" if tail else "every 10th line")
            training(name, train, held, 4000, args.threads, rounds, folder, not args.quick)
        train, held = split(corpora / "gcide.txt", mb, folder, False)
        sp, ours = training(
            f"gcide {mb:g} MB",
            train,
            held,
            args.vocab_size,
            args.threads,
            rounds,
            folder,
            not args.quick,
        )
        encoding(sp, ours, held, max(rounds, 3), folder)


if __name__ == "__main__":
    main()
