"""WordPiece side by side with HF ``tokenizers``: encoding speed, training speed, and the
vocabulary quality that picks ``min_frequency``'s default (docs/wordpiece.md §3).

1. **Encoding** with the real BERT tokenizer (``data/tokenizers/bert-uncased/tokenizer.json``,
   padding and truncation off), one thread, documents of 50 lines of ``corpora/gcide.txt``:
   HF ``encode(doc).ids`` against subwordx ``encode(doc).ids`` and ``encode_ids(doc)``; ids
   compared document by document. Then batches on ``--threads``, and one long word (``ab`` x n,
   ``max_input_chars_per_word`` raised) to show the cost per char stays flat.
2. **Training**, all cores, on ``--train-mb`` of gcide at ``--vocab-size``: subwordx
   ``train_wordpiece`` (the likelihood score) against HF ``WordPieceTrainer`` (its BPE trainer:
   frequency, not likelihood), same normalizer, pre-tokenizer and special tokens.
3. **Quality**: tokens per word (words as BERT's pre-tokenizer makes them) on held-out lines of
   gcide, for subwordx at several ``min_frequency`` and for HF at its default, same size.

Sides alternate within every round; tables give medians. Usage::

    python benches/bench_wordpiece.py --shared ../shared
    python benches/bench_wordpiece.py --quick
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import subwordx


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def encoding(shared: Path, rounds: int, threads: list[int], n_docs: int) -> None:
    import tokenizers

    path = shared / "data/tokenizers/bert-uncased/tokenizer.json"
    hf = tokenizers.Tokenizer.from_file(str(path))
    hf.no_padding()
    hf.no_truncation()
    sw = subwordx.Tokenizer.load(path).with_truncation(None).with_padding(enabled=False)
    lines = (shared / "data/corpora/gcide.txt").read_text(encoding="utf-8").splitlines()
    lines = lines[100_000 : 100_000 + 50 * n_docs]
    docs = ["\n".join(lines[i : i + 50]) for i in range(0, len(lines), 50)]
    mb = sum(len(d.encode()) for d in docs) / 1e6
    same = all(hf.encode(d).ids == sw.encode_ids(d).tolist() for d in docs)
    sides: dict[str, Callable[[], object]] = {
        "HF encode(doc).ids": lambda: [hf.encode(d).ids for d in docs],
        "subwordx encode(doc).ids": lambda: [sw.encode(d).ids for d in docs],
        "subwordx encode_ids(doc)": lambda: [sw.encode_ids(d) for d in docs],
    }
    times: dict[str, list[float]] = {k: [] for k in sides}
    names = list(sides)
    for r in range(rounds):
        for k in names[r % len(names) :] + names[: r % len(names)]:
            times[k].append(timed(sides[k]))
    base = median(times["HF encode(doc).ids"])
    print(f"\n## Encoding: BERT uncased, {len(docs)} documents of 50 lines ({mb:.1f} MB), 1 thread")
    print(f"ids identical to HF on every document: {same}")
    print("| side | MB/s | x HF |\n|---|---:|---:|")
    for k in names:
        t = median(times[k])
        print(f"| {k} | {mb / t:.1f} | {base / t:.2f} |")
    print("\n| threads | HF encode_batch MB/s | subwordx encode_batch_ids MB/s | ratio |")
    print("|---:|---:|---:|---:|")
    for t in threads:
        hf_t, sw_t = [], []
        for _ in range(rounds):
            hf_t.append(
                timed(lambda t=t: [e.ids for e in hf.encode_batch(docs)])  # type: ignore[misc]
                if t > 1
                else timed(lambda: [hf.encode(d).ids for d in docs])
            )
            sw_t.append(timed(lambda t=t: sw.encode_batch_ids(docs, threads=t)))  # type: ignore[misc]
        print(
            f"| {t} | {mb / median(hf_t):.1f} | {mb / median(sw_t):.1f} | "
            f"{median(hf_t) / median(sw_t):.2f} |"
        )
    print("(HF's batch uses all its threads for t > 1; RAYON_NUM_THREADS sets how many)")
    print("\n| word length (chars) | HF ms | subwordx ms |\n|---:|---:|---:|")
    vocab = {"[UNK]": 0, "a": 1, "##a": 2, "##b": 3, "##ab": 4, "##aba": 5}
    model = tokenizers.models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=10**7)
    hf_long = tokenizers.Tokenizer(model)
    hf_long.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    with tempfile.TemporaryDirectory() as tmp:
        hf_long.save(f"{tmp}/t.json")
        sw_long = subwordx.Tokenizer.load(f"{tmp}/t.json")
    for n in [1_000, 10_000, 100_000]:
        word = "ab" * (n // 2)
        h = timed(lambda w=word: hf_long.encode(w)) if n <= 10_000 else float("nan")
        s = timed(lambda w=word: sw_long.encode_ids(w))
        print(f"| {n:,} | {h * 1e3:.1f} | {s * 1e3:.2f} |")


def training(shared: Path, rounds: int, mb: float, vocab_size: int) -> None:
    import tokenizers
    from tokenizers import normalizers, pre_tokenizers, trainers

    text = (shared / "data/corpora/gcide.txt").read_bytes()[: int(mb * 1e6)]
    text = text[: text.rfind(b"\n") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "train.txt"
        corpus.write_bytes(text)

        def hf_train() -> None:
            tok = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
            tok.normalizer = normalizers.BertNormalizer(lowercase=True)
            tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            trainer = trainers.WordPieceTrainer(
                vocab_size=vocab_size,
                special_tokens=list(subwordx.wordpiece.BERT_SPECIAL_TOKENS),
                show_progress=False,
            )
            tok.train([str(corpus)], trainer)

        def sw_train() -> None:
            subwordx.train_wordpiece(corpus, vocab_size=vocab_size)

        hf_t, sw_t = [], []
        for r in range(rounds):
            pair = [("hf", hf_train), ("sw", sw_train)]
            for name, fn in pair if r % 2 == 0 else pair[::-1]:
                (hf_t if name == "hf" else sw_t).append(timed(fn))
    print(f"\n## Training: {len(text) / 1e6:.1f} MB of gcide, vocab {vocab_size:,}, all cores")
    print("| side | seconds (median) | x HF |\n|---|---:|---:|")
    print(f"| HF WordPieceTrainer (frequency) | {median(hf_t):.2f} | 1.00 |")
    print(
        f"| subwordx train_wordpiece (likelihood) | {median(sw_t):.2f} | "
        f"{median(hf_t) / median(sw_t):.2f} |"
    )


def quality(shared: Path, mb: float, vocab_size: int, floors: list[int]) -> None:
    import tokenizers
    from tokenizers import normalizers, pre_tokenizers, trainers

    raw = (shared / "data/corpora/gcide.txt").read_text(encoding="utf-8")
    cut = int(mb * 1e6)
    train_text = raw[:cut]
    held_out = raw[-2_000_000:].splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "train.txt"
        corpus.write_text(train_text, encoding="utf-8")
        words_tok = subwordx.train_wordpiece(corpus, vocab_size=vocab_size, post_processor=False)
        n_words = 0
        pre = pre_tokenizers.BertPreTokenizer()
        norm = normalizers.BertNormalizer(lowercase=True)
        for line in held_out:
            n_words += len(pre.pre_tokenize_str(norm.normalize_str(line)))
        del words_tok

        def per_word(encode: Callable[[str], list[str]], unk: str) -> tuple[float, float]:
            tokens = unknown = 0
            for line in held_out:
                toks = encode(line)
                tokens += len(toks)
                unknown += sum(t == unk for t in toks)
            return tokens / n_words, unknown / max(tokens, 1)

        hf = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
        hf.normalizer = normalizers.BertNormalizer(lowercase=True)
        hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        hf.train(
            [str(corpus)],
            trainers.WordPieceTrainer(
                vocab_size=vocab_size,
                special_tokens=list(subwordx.wordpiece.BERT_SPECIAL_TOKENS),
                show_progress=False,
            ),
        )
        rows = [
            (
                "HF WordPieceTrainer (frequency, min_frequency 0)",
                per_word(lambda s: hf.encode(s, add_special_tokens=False).tokens, "[UNK]"),
            )
        ]
        for f in floors:
            tok = subwordx.train_wordpiece(corpus, vocab_size=vocab_size, min_frequency=f)
            rows.append(
                (
                    f"subwordx likelihood, min_frequency {f}",
                    per_word(
                        lambda s, tok=tok: tok.encode(s, add_special_tokens=False).tokens,  # type: ignore[misc]
                        "[UNK]",
                    ),
                )
            )
    print(
        f"\n## Quality: tokens per word on {len(held_out):,} held-out lines ({n_words:,} words), "
        f"trained on {mb:.0f} MB, vocab {vocab_size:,}"
    )
    print("| trainer | tokens / word | unknown tokens |\n|---|---:|---:|")
    for name, (tpw, unk) in rows:
        print(f"| {name} | {tpw:.4f} | {unk:.4%} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--train-mb", type=float, default=40.0)
    ap.add_argument("--vocab-size", type=int, default=30_000)
    ap.add_argument("--floors", default="1,2,3,5,10,20")
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--only", choices=("encoding", "training", "quality"))
    ap.add_argument("--quick", action="store_true", help="a smoke run in about a minute")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.train_mb, args.vocab_size, args.floors, args.docs = 1, 4, 8000, "2,5", 60
    threads = [int(t) for t in args.threads.split(",")]
    floors = [int(f) for f in args.floors.split(",")]
    if args.only in (None, "encoding"):
        encoding(args.shared, args.rounds, threads, args.docs)
    if args.only in (None, "training"):
        training(args.shared, args.rounds, args.train_mb, args.vocab_size)
    if args.only in (None, "quality"):
        quality(args.shared, min(args.train_mb, 20.0), args.vocab_size, floors)


if __name__ == "__main__":
    main()
