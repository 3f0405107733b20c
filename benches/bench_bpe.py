"""BPE side by side: subwordx against HF ``tokenizers``, rustbpe, SentencePiece and tiktoken.

Sections (``--only`` picks some, comma-separated; default all):

* ``train-byte``: byte-level BPE training, vocab 32k. subwordx (GPT-2 split) vs HF tokenizers
  (ByteLevel, GPT-2 split) vs rustbpe (its default GPT-4-style split).
* ``train-classic``: classic BPE training (chars + ``</w>``, whitespace/punctuation split),
  vocab 32k. subwordx vs HF tokenizers (BertPreTokenizer) vs SentencePiece BPE.
* ``encode``: byte-level encoding of ~20 MB of lines, one thread and two, with ONE vocabulary
  (trained by subwordx) loaded into subwordx, HF tokenizers (its ``tokenizer.json``) and tiktoken
  (an ``Encoding`` built from the same ranks); ids compared line by line.
* ``long``: one whitespace-free piece of 0.25 / 0.5 / 1 MiB (random letters; a repeated word):
  time per MiB should stay flat for a linear encoder. tiktoken is capped (``--long-cap``).

Every training run is a fresh child process (peak RSS from the kernel); sides alternate within
each repeat. Ratios are anchor time / subwordx time (above 1: subwordx faster).

Usage::

    python benches/bench_bpe.py --shared ../shared                 # everything, 64 MiB corpus
    python benches/bench_bpe.py --size-mb 8 --only train-byte      # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import itertools

import _common as C

SCRIPT = Path(__file__).resolve()
SECTIONS = ("train-byte", "train-classic", "encode", "long")
ALL_SIDES = ("subwordx", "tokenizers", "rustbpe", "sentencepiece", "tiktoken")


# ================================================================================ child side
def child(spec: dict[str, Any]) -> None:
    """Runs one measurement in this (fresh) process and reports it with ``C.emit``."""
    task = spec["task"]
    if task == "train":
        child_train(spec)
    elif task == "long":
        child_long(spec)
    else:
        raise SystemExit(f"unknown task {task}")


def child_train(spec: dict[str, Any]) -> None:
    side, kind, path, vocab, out = (
        spec["side"],
        spec["kind"],
        spec["corpus"],
        spec["vocab"],
        spec["out"],
    )
    result: dict[str, Any] = {}
    if side == "subwordx":
        import subwordx

        base = C.rss_now()
        t0 = time.perf_counter()
        if kind == "byte":
            tok = subwordx.train_bpe(
                files=[path],
                vocab_size=vocab,
                byte_level=True,
                pre_tokenizer=spec.get("pre_tokenizer", "gpt2"),
                threads=0,
            )
        else:
            tok = subwordx.train_bpe(files=[path], vocab_size=vocab, threads=0)
        result["time"] = time.perf_counter() - t0
        tok.save(out, format="hf")
        result["vocab_size"] = tok.vocab_size
    elif side == "tokenizers":
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        base = C.rss_now()
        if kind == "byte":
            tok = Tokenizer(models.BPE())
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
            trainer = trainers.BpeTrainer(
                vocab_size=vocab,
                initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                min_frequency=2,
                show_progress=False,
            )
        else:
            tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
            tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            trainer = trainers.BpeTrainer(
                vocab_size=vocab,
                end_of_word_suffix="</w>",
                special_tokens=["<unk>"],
                min_frequency=2,
                show_progress=False,
            )
        t0 = time.perf_counter()
        tok.train([path], trainer)
        result["time"] = time.perf_counter() - t0
        tok.save(out)
        result["vocab_size"] = tok.get_vocab_size()
    elif side == "rustbpe":
        import rustbpe

        base = C.rss_now()
        tok = rustbpe.Tokenizer()
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as f:
            # the same lines subwordx sees (newline excluded), streamed
            tok.train_from_iterator((line.rstrip("\n") for line in f), vocab)
        result["time"] = time.perf_counter() - t0
        ranks = tok.get_mergeable_ranks()
        with open(out, "w") as f:
            json.dump({"pattern": tok.get_pattern(), "ranks": [[b.hex(), r] for b, r in ranks]}, f)
        result["vocab_size"] = tok.vocab_size
    elif side == "sentencepiece":
        import sentencepiece as spm

        base = C.rss_now()
        t0 = time.perf_counter()
        spm.SentencePieceTrainer.train(
            input=path,
            model_prefix=out,
            model_type="bpe",
            vocab_size=vocab,
            num_threads=spec["threads"],
            input_sentence_size=spec["spm_sentences"],
            shuffle_input_sentence=True,
            max_sentence_length=spec["spm_max_len"],
            minloglevel=2,
        )
        result["time"] = time.perf_counter() - t0
        sp = spm.SentencePieceProcessor(model_file=out + ".model")
        result["vocab_size"] = sp.get_piece_size()
    else:
        raise SystemExit(f"unknown side {side}")
    result["base_rss"] = base
    C.emit(result)


def load_tiktoken(hf_json: str) -> tuple[Any, dict[str, Any]]:
    """A tiktoken Encoding from a byte-level HF ``tokenizer.json`` (rank = id), plus facts."""
    import tiktoken

    data = json.loads(Path(hf_json).read_text(encoding="utf-8"))
    vocab: dict[str, int] = data["model"]["vocab"]
    merges = data["model"]["merges"]
    table = C.unicode_to_bytes()
    ranks = {C.byte_level_token_bytes(tok, table): i for tok, i in vocab.items()}
    missing = [b for b in range(256) if bytes([b]) not in ranks]
    if missing:
        raise SystemExit(f"{hf_json}: {len(missing)} single bytes missing; not a byte-level vocab")
    # tiktoken merges by "lowest rank of the merged token"; that is the BPE merge order exactly
    # when the ids of merged tokens increase with their merge rank.
    ids = []
    for m in merges:
        a, b = m if isinstance(m, list) else m.split(" ")
        ids.append(vocab[a + b])
    in_order = all(x < y for x, y in itertools.pairwise(ids))
    enc = tiktoken.Encoding(
        name="bench", pat_str=C.GPT2_PATTERN, mergeable_ranks=ranks, special_tokens={}
    )
    return enc, {"ids_in_merge_order": in_order, "n_ranks": len(ranks)}


def long_text(kind: str, n: int) -> str:
    if kind == "random-letters":
        rnd = random.Random(1234)
        letters = "abcdefghijklmnopqrstuvwxyz"
        return "".join(rnd.choice(letters) for _ in range(n))
    if kind == "repeated-word":
        word = "internationalization"
        return (word * (n // len(word) + 1))[:n]
    raise SystemExit(f"unknown long text {kind}")


def child_long(spec: dict[str, Any]) -> None:
    side, tokfile, size = spec["side"], spec["tokenizer"], spec["size"]
    text = long_text(spec["kind"], size)
    if side == "subwordx":
        import subwordx

        tok = subwordx.Tokenizer.load(tokfile)
        t0 = time.perf_counter()
        ids = tok.encode_ids(text, add_special_tokens=False).tolist()
    elif side == "tiktoken":
        enc, _ = load_tiktoken(tokfile)
        t0 = time.perf_counter()
        ids = enc.encode_ordinary(text)
    elif side == "tokenizers":
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(tokfile)
        t0 = time.perf_counter()
        ids = tok.encode(text, add_special_tokens=False).ids
    else:
        raise SystemExit(f"unknown side {side}")
    elapsed = time.perf_counter() - t0
    C.emit({"time": elapsed, "n_tokens": len(ids), "ids_hash": hash(tuple(ids)) & 0xFFFFFFFF})


# ================================================================================ agreement
def _hf_model(path: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    vocab = data["model"]["vocab"]
    merges = [
        tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in data["model"]["merges"]
    ]
    return vocab, merges  # type: ignore[return-value]


def _first_diff(a: list[Any], b: list[Any]) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return str(i)
    return "none" if len(a) == len(b) else str(min(len(a), len(b)))


def byte_tokens_in_rank_order(side: str, path: str) -> list[bytes]:
    """The learned tokens (merges) of a byte-level model, as bytes, in merge order."""
    if side == "rustbpe":
        data = json.loads(Path(path).read_text())
        pairs = sorted(((r, bytes.fromhex(h)) for h, r in data["ranks"]), key=lambda x: x[0])
        return [b for r, b in pairs if r >= 256]
    _, merges = _hf_model(path)
    table = C.unicode_to_bytes()
    return [C.byte_level_token_bytes(a + b, table) for a, b in merges]


def agreement_byte(ref: str, side: str, path: str) -> str:
    ours = byte_tokens_in_rank_order("subwordx", ref)
    theirs = byte_tokens_in_rank_order(side, path)
    common = len(set(ours) & set(theirs))
    first = _first_diff(ours, theirs)
    return f"{common}/{len(ours)} learned tokens shared; merge lists first differ at #{first}"


def agreement_classic(ref: str, side: str, path: str) -> str:
    if side == "sentencepiece":
        return "different model (▁ prefix, no </w>): not compared"
    v1, m1 = _hf_model(ref)
    v2, m2 = _hf_model(path)
    common = len(set(v1) & set(v2))
    first = _first_diff(m1, m2)
    return f"{common}/{len(v1)} vocab entries shared; merge lists first differ at #{first}"


# ================================================================================ parent side
def run_training(args: argparse.Namespace, corpus: Path, scratch: Path, kind: str) -> None:
    if kind == "byte":
        anchors = ["tokenizers", "rustbpe"]
        C.header(f"Byte-level BPE training, vocab {args.vocab}")
    else:
        anchors = ["tokenizers", "sentencepiece"]
        C.header(f"Classic BPE training, vocab {args.vocab}")
    sides = [s for s in ["subwordx", *anchors] if s in args.sides]
    if "subwordx" in sides and args.swx_missing:
        print(f"(subwordx side skipped: {args.swx_missing})")
        sides.remove("subwordx")
    times: dict[str, list[float]] = {s: [] for s in sides}
    rss: dict[str, list[int]] = {s: [] for s in sides}
    base: dict[str, list[int]] = {s: [] for s in sides}
    outs: dict[str, str] = {}
    for rep in range(args.repeats):
        for side in sides:
            ext = "" if side == "sentencepiece" else ".json"
            out = str(scratch / f"train_{kind}_{side}{ext}")
            spec = {
                "task": "train",
                "side": side,
                "kind": kind,
                "corpus": str(corpus),
                "vocab": args.vocab,
                "out": out,
                "threads": os.cpu_count() or 1,
                "spm_sentences": args.spm_sentences,
                "spm_max_len": args.spm_max_len,
            }
            res = C.run_child(SCRIPT, spec, timeout=args.timeout)
            if not res.ok:
                print(f"  rep {rep + 1} {side}: FAILED {res.data}", flush=True)
                continue
            times[side].append(res.data["time"])
            rss[side].append(res.peak_rss)
            base[side].append(res.data["base_rss"])
            outs[side] = out
            print(
                f"  rep {rep + 1} {side:13s} {res.data['time']:8.2f} s  peak RSS "
                f"{res.peak_rss / 2**20:6.0f} MiB  vocab {res.data['vocab_size']}",
                flush=True,
            )
    ref = C.median(times.get("subwordx", []))
    rows = []
    for side in sides:
        t = C.median(times[side])
        if side == "subwordx":
            agree = "(reference)"
        elif "subwordx" in outs and side in outs:
            fn = agreement_byte if kind == "byte" else agreement_classic
            try:
                agree = fn(outs["subwordx"], side, outs[side])
            except Exception as e:  # a comparison problem must not lose the timings
                agree = f"comparison failed: {e}"
        else:
            agree = "—"
        rows.append(
            [
                side,
                C.fmt_s(t),
                f"{mb_of(corpus) / t:.1f}" if times[side] else "—",
                C.fmt_mib(C.median(rss[side])),
                C.fmt_mib(C.median(base[side])),
                C.fmt_ratio(t, ref) if side != "subwordx" else "1.00×",
                len(times[side]),
                agree,
            ]
        )
    print()
    print(
        C.table(
            [
                "side",
                "median s",
                "MB/s",
                "peak RSS MiB",
                "RSS after import",
                "ratio",
                "n",
                "agreement",
            ],
            rows,
        )
    )


def mb_of(path: Path) -> float:
    return path.stat().st_size / 1e6


def encoding_tokenizer(args: argparse.Namespace, corpus: Path, scratch: Path) -> str:
    """The byte-level tokenizer for ``encode`` and ``long``: trained by subwordx (saved as HF
    tokenizer.json), or ``--tokenizer``, or (subwordx missing) one trained by HF tokenizers."""
    if args.tokenizer:
        return str(Path(args.tokenizer).resolve())
    path = scratch / f"encode_tok_{corpus.stem}_{args.vocab}.json"
    alias = scratch / f"encode_tok_{corpus.stem}_{args.vocab}.hf-trained.json"
    side = "tokenizers" if args.swx_missing else "subwordx"
    if path.exists():
        return str(path)
    if side == "tokenizers" and alias.exists():
        return str(alias)
    print(
        f"(training the {args.vocab} byte-level vocabulary for encoding with {side} "
        f"on {corpus.name})"
    )
    spec = {
        "task": "train",
        "side": side,
        "kind": "byte",
        "corpus": str(corpus),
        "vocab": args.vocab,
        "out": str(path),
    }
    res = C.run_child(SCRIPT, spec, timeout=args.timeout)
    if not res.ok:
        raise SystemExit("could not train the encoding vocabulary")
    if side == "tokenizers":
        os.replace(path, alias)
        return str(alias)
    return str(path)


def read_lines(corpus: Path, n_bytes: int) -> list[str]:
    lines: list[str] = []
    total = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            body = line.rstrip("\n")
            lines.append(body)
            total += len(body.encode("utf-8")) + 1
            if total >= n_bytes:
                break
    return lines


def run_encode(args: argparse.Namespace, corpus: Path, scratch: Path) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    tokfile = encoding_tokenizer(args, corpus, scratch)
    C.header(f"Byte-level encoding (tokenizer {Path(tokfile).name})")
    lines = read_lines(corpus, int(args.encode_mb * 1e6))
    n_bytes = sum(len(x.encode("utf-8")) + 1 for x in lines)
    print(
        f"text: {len(lines):,} lines, {n_bytes / 1e6:.1f} MB "
        f"(first lines of {corpus.name}, newline excluded)"
    )
    enc, facts = load_tiktoken(tokfile)
    print(
        f"tiktoken Encoding: {facts['n_ranks']} ranks, merged-token ids in merge order: "
        f"{facts['ids_in_merge_order']}"
    )
    hf = HFTokenizer.from_file(tokfile)
    swx = None
    if "subwordx" in args.sides and not args.swx_missing:
        import subwordx

        swx = subwordx.Tokenizer.load(tokfile)
    elif "subwordx" in args.sides:
        print(f"(subwordx side skipped: {args.swx_missing})")
    print(
        f"\n### one text per line ({len(lines):,} texts, {n_bytes / len(lines):.0f} bytes each)\n"
    )
    encode_table(args, lines, n_bytes, "lines", swx, enc, hf)
    if args.doc_lines > 1:
        docs = [
            "\n".join(lines[i : i + args.doc_lines]) + "\n"
            for i in range(0, len(lines), args.doc_lines)
        ]
        print(
            f"\n### documents: {args.doc_lines} lines joined with their newlines "
            f"({len(docs):,} texts, {n_bytes / len(docs):,.0f} bytes each)\n"
        )
        encode_table(args, docs, n_bytes, "documents", swx, enc, hf)


def encode_table(
    args: argparse.Namespace,
    texts: list[str],
    n_bytes: int,
    unit: str,
    swx: Any,
    enc: Any,
    hf: Any,
) -> None:
    def hf_batch(parallel: bool) -> list[list[int]]:
        os.environ["TOKENIZERS_PARALLELISM"] = "true" if parallel else "false"
        return [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]

    # (mode, side, callable returning one id sequence per text: lists or numpy arrays)
    cases: list[tuple[str, str, Any]] = []
    if swx is not None:
        cases.append(
            (
                "loop 1 thread",
                "subwordx",
                lambda: [swx.encode_ids(x, add_special_tokens=False) for x in texts],
            )
        )
    cases.append(("loop 1 thread", "tiktoken", lambda: [enc.encode_ordinary(x) for x in texts]))
    if args.hf_loop:
        cases.append(
            (
                "loop 1 thread",
                "tokenizers",
                lambda: [hf.encode(x, add_special_tokens=False).ids for x in texts],
            )
        )
    for threads in (1, 2):
        mode = f"batch {threads} thread{'s' if threads > 1 else ''}"
        if swx is not None:
            cases.append(
                (
                    mode,
                    "subwordx",
                    # The flat batch API: all ids in one array plus row offsets (what a
                    # pipeline feeding a model wants; encode_batch builds an Encoding per text).
                    lambda t=threads: swx.encode_batch_ids(
                        texts, add_special_tokens=False, threads=t
                    ),
                )
            )
        cases.append(
            (mode, "tiktoken", lambda t=threads: enc.encode_ordinary_batch(texts, num_threads=t))
        )
        cases.append((mode, "tokenizers", lambda t=threads: hf_batch(t > 1)))

    times: dict[tuple[str, str], list[float]] = {(m, s): [] for m, s, _ in cases}
    first: dict[tuple[str, str], Any] = {}
    for rep in range(args.repeats):
        for mode, side, fn in cases:
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
            times[(mode, side)].append(dt)
            if rep == 0:  # one hash per text, for the agreement column (not timed)
                if isinstance(out, tuple):  # subwordx's flat (ids, starts)
                    flat, starts = out
                    out = [flat[a:b] for a, b in zip(starts[:-1], starts[1:])]
                first[(mode, side)] = [
                    hash(tuple(x.tolist() if hasattr(x, "tolist") else x)) for x in out
                ]
            del out
            print(f"  rep {rep + 1} {mode:16s} {side:11s} {dt:7.3f} s", flush=True)
        os.environ.pop("TOKENIZERS_PARALLELISM", None)

    def mismatches(a: list[int], b: list[int]) -> int:
        return sum(1 for x, y in zip(a, b, strict=False) if x != y) + abs(len(a) - len(b))

    # reference ids for the agreement column: subwordx if present, else tiktoken
    ref_side = "subwordx" if swx is not None else "tiktoken"
    ref_ids = first.get(("batch 1 thread", ref_side))
    rows = []
    for mode in dict.fromkeys(m for m, _, _ in cases):
        t_tik = C.median(times.get((mode, "tiktoken"), []))
        t_swx = C.median(times.get((mode, "subwordx"), []))
        for m, side, _ in cases:
            if m != mode:
                continue
            t = C.median(times[(m, side)])
            n_bad = mismatches(first[(m, side)], ref_ids) if ref_ids is not None else 0
            rows.append(
                [
                    mode,
                    side,
                    C.fmt_s(t),
                    f"{n_bytes / 1e6 / t:.1f}",
                    C.fmt_ratio(t_tik, t) if side != "tiktoken" else "1.00×",
                    C.fmt_ratio(t, t_swx) if swx is not None else "—",
                    "(reference)"
                    if side == ref_side and m == "batch 1 thread"
                    else f"{n_bad:,} of {len(texts):,} {unit} differ from {ref_side}",
                ]
            )
    print()
    print(
        C.table(
            [
                "mode",
                "side",
                "median s",
                "MB/s",
                "speed vs tiktoken",
                "ratio (side s / subwordx s)",
                "ids agreement",
            ],
            rows,
        )
    )
    for side in ("subwordx", "tiktoken", "tokenizers"):
        t1 = C.median(times.get(("batch 1 thread", side), []))
        t2 = C.median(times.get(("batch 2 threads", side), []))
        if t1 == t1 and t2 == t2:
            print(f"scaling {side} ({unit}): 1 -> 2 threads speed-up {t1 / t2:.2f}×")


def run_long(args: argparse.Namespace, corpus: Path, scratch: Path) -> None:
    tokfile = encoding_tokenizer(args, corpus, scratch)
    C.header(f"Long whitespace-free piece (tokenizer {Path(tokfile).name})")
    sides = [s for s in ("subwordx", "tiktoken", "tokenizers") if s in args.sides]
    if "subwordx" in sides and args.swx_missing:
        print(f"(subwordx side skipped: {args.swx_missing})")
        sides.remove("subwordx")
    rows = []
    for kind in ("random-letters", "repeated-word"):
        capped: set[str] = set()
        for size_mib in (0.25, 0.5, 1.0):
            size = int(size_mib * 2**20)
            res_by_side: dict[str, Any] = {}
            for side in sides:
                if side in capped:
                    res_by_side[side] = None
                    continue
                spec = {
                    "task": "long",
                    "side": side,
                    "tokenizer": tokfile,
                    "kind": kind,
                    "size": size,
                }
                res = C.run_child(SCRIPT, spec, timeout=args.long_cap + 30)
                if not res.ok or res.data["time"] > args.long_cap:
                    capped.add(side)
                    res_by_side[side] = "cap"
                else:
                    res_by_side[side] = res.data
            ref = res_by_side.get("subwordx")
            for side in sides:
                r = res_by_side[side]
                if r is None:
                    rows.append(
                        [kind, size_mib, side, "skipped (capped at a smaller size)", "—", "—", "—"]
                    )
                elif r == "cap":
                    rows.append(
                        [kind, size_mib, side, f"> {args.long_cap:g} s (killed)", "—", "—", "—"]
                    )
                else:
                    agree = "—"
                    if isinstance(ref, dict) and side != "subwordx":
                        agree = "same ids" if r["ids_hash"] == ref["ids_hash"] else "ids differ"
                    rows.append(
                        [
                            kind,
                            size_mib,
                            side,
                            C.fmt_s(r["time"]),
                            C.fmt_s(r["time"] / size_mib),
                            f"{r['n_tokens']:,}",
                            agree,
                        ]
                    )
                print(f"  {kind} {size_mib} MiB {side}: {rows[-1][3]}", flush=True)
    print()
    print(C.table(["text", "MiB", "side", "seconds", "s per MiB", "tokens", "vs subwordx"], rows))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    C.add_common_args(p, repeats=3)
    p.add_argument(
        "--size-mb", type=float, default=64, help="training corpus size in MiB (default 64)"
    )
    p.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"sections, comma-separated: {','.join(SECTIONS)}",
    )
    p.add_argument("--sides", default=",".join(ALL_SIDES), help="sides to run, comma-separated")
    p.add_argument("--vocab", type=int, default=32000, help="vocabulary size (default 32000)")
    p.add_argument(
        "--train-repeats",
        type=int,
        default=None,
        help="repeats of the training sections (default --repeats)",
    )
    p.add_argument("--encode-mb", type=float, default=20, help="MB of lines to encode (default 20)")
    p.add_argument(
        "--doc-lines",
        type=int,
        default=100,
        help="also encode documents of this many lines joined (default 100; 0 or 1: off)",
    )
    p.add_argument("--hf-loop", action="store_true", help="also time HF encode() called per text")
    p.add_argument(
        "--tokenizer",
        help="byte-level HF tokenizer.json for encode/long (default: train one with subwordx)",
    )
    p.add_argument(
        "--long-cap",
        type=float,
        default=30,
        help="seconds before a long-piece run is killed (default 30)",
    )
    p.add_argument(
        "--spm-sentences",
        type=int,
        default=0,
        help="SentencePiece input_sentence_size (default 0 = all)",
    )
    p.add_argument(
        "--spm-max-len",
        type=int,
        default=4192,
        help="SentencePiece max_sentence_length in bytes (default 4192, its default)",
    )
    p.add_argument(
        "--timeout", type=float, default=900, help="seconds before a training child is killed"
    )
    args = p.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    args.sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in only:
        if s not in SECTIONS:
            p.error(f"unknown section {s!r}")
    C.print_preamble(
        [sys.argv[0], *(argv if argv is not None else sys.argv[1:])],
        ["subwordx", "tokenizers", "tiktoken", "rustbpe", "sentencepiece"],
    )
    args.swx_missing = C.subwordx_status()
    if args.swx_missing:
        print(f"subwordx: NOT AVAILABLE ({args.swx_missing}); anchors only")
    shared = C.shared_dir(args.shared)
    scratch = C.scratch_dir(args.scratch)
    corpus, desc = C.build_bpe_corpus(shared, scratch, args.size_mb)
    print(f"corpus: {desc}")
    print(
        "threads: subwordx threads=0 (all cores), tokenizers and rustbpe use rayon on all cores, "
        f"sentencepiece num_threads={os.cpu_count()}; cores here: {os.cpu_count()}"
    )
    repeats = args.repeats
    if "train-byte" in only or "train-classic" in only:
        args.repeats = args.train_repeats or repeats
        if "train-byte" in only:
            run_training(args, corpus, scratch, "byte")
        if "train-classic" in only:
            run_training(args, corpus, scratch, "classic")
        args.repeats = repeats
    if "encode" in only:
        run_encode(args, corpus, scratch)
    if "long" in only:
        run_long(args, corpus, scratch)
    print(f"\nload average at end: {C.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
