"""Encode speed of a SentencePiece BPE model: subwordx side by side with ``sentencepiece`` and HF
``tokenizers``, one thread, ids compared with SentencePiece's.

The model: SentencePiece BPE trained here (``--vocab-size``, default 8000, byte fallback, nmt_nfkc
normalization: Llama 2's settings) on ``corpora/botchan.txt`` + ``corpora/wagahaiwa_nekodearu.txt``
into ``--scratch``. HF's side loads the ``tokenizer.json`` subwordx exports from it (Precompiled
normalizer, the same merges). Text: each corpus's lines, encoded one line at a time through each
library's everyday call:

* subwordx ``Tokenizer.load(M).encode_ids(line)``;
* sentencepiece ``SentencePieceProcessor(model_file=M).encode(line)``;
* HF ``Tokenizer.from_file(J).encode(line, add_special_tokens=False).ids``.

Sides alternate within each round (the order rotates); the table gives the median seconds over
the rounds and ratio = other / subwordx (above 1: subwordx is faster), and how many lines each
side encodes exactly as SentencePiece does.

Usage: python benches/bench_sentencepiece.py [--repeats 5] [--vocab-size 8000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--scratch", default=str(REPO / "benches" / "scratch"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--vocab-size", type=int, default=8000)
    args = p.parse_args()

    import sentencepiece as spm
    import tokenizers

    import subwordx

    corpora = Path(args.shared) / "data" / "corpora"
    files = {
        "botchan (en)": corpora / "botchan.txt",
        "wagahaiwa (ja)": corpora / "wagahaiwa_nekodearu.txt",
    }
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    prefix = scratch / f"spm_bpe_{args.vocab_size}"
    if not prefix.with_suffix(".model").exists():
        spm.SentencePieceTrainer.train(
            input=",".join(str(f) for f in files.values()),
            model_prefix=str(prefix),
            model_type="bpe",
            vocab_size=args.vocab_size,
            byte_fallback=True,
            character_coverage=0.9995,
            num_threads=2,
            minloglevel=2,
        )
    model = prefix.with_suffix(".model")
    ours = subwordx.Tokenizer.load(model)
    hf_json = scratch / f"spm_bpe_{args.vocab_size}.tokenizer.json"
    ours.save(hf_json)
    sp = spm.SentencePieceProcessor(model_file=str(model), num_threads=1)
    hf = tokenizers.Tokenizer.from_file(str(hf_json))

    sides: dict[str, Callable[[str], list[int]]] = {
        "subwordx": lambda t: ours.encode_ids(t),
        "sentencepiece": lambda t: sp.encode(t),
        "HF tokenizers": lambda t: hf.encode(t, add_special_tokens=False).ids,
    }
    print(f"model: SentencePiece BPE, vocab {args.vocab_size}, byte fallback, nmt_nfkc ({model})")
    print(
        f"python {sys.version.split()[0]}, sentencepiece {spm.__version__}, "
        f"tokenizers {tokenizers.__version__}, subwordx {subwordx.__version__}; one thread\n"
    )
    print("| text | lines | MB | side | median s | MB/s | ratio (side / subwordx) | lines = SPM |")
    print("|---|---|---|---|---|---|---|---|")
    for label, path in files.items():
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
        mb = sum(len(line.encode("utf-8")) for line in lines) / 1e6
        expected = [list(sp.encode(t)) for t in lines]
        times: dict[str, list[float]] = {name: [] for name in sides}
        agree: dict[str, int] = {}
        names = list(sides)
        for r in range(args.repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                encode = sides[name]
                start = time.perf_counter()
                out = [encode(t) for t in lines]
                times[name].append(time.perf_counter() - start)
                agree[name] = sum(list(a) == b for a, b in zip(out, expected, strict=True))
        base = statistics.median(times["subwordx"])
        for name in names:
            med = statistics.median(times[name])
            print(
                f"| {label} | {len(lines)} | {mb:.2f} | {name} | {med:.3f} | {mb / med:.1f} | "
                f"{med / base:.2f} | {agree[name]}/{len(lines)} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
