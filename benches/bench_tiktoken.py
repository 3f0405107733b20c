"""tiktoken's API, side by side: ``subwordx.tiktoken`` against tiktoken and the other drop-ins
(quicktok-v1, riptoken, bpe-openai), through the same calls, ids checked against tiktoken's.

Vocabularies: ``cl100k_base`` and ``o200k_base``. Text: bench_encode.py's documents (~10 KB,
English ``gcide.txt``, Japanese ``wagahaiwa_nekodearu.txt``, Chinese ``zh/chinese``).

Sides, each the object its library's ``get_encoding(NAME)`` gives:

* ``subwordx.tiktoken``: rank files from ``$SUBWORDX_TIKTOKEN_DIR`` (set to the shared folder);
* ``tiktoken``: its own loader, reading the shared rank files through a temporary cache folder
  (files named by the SHA-1 of their URL, as tiktoken's cache names them; its hash check runs);
* ``riptoken``: ``riptoken.get_encoding(NAME)``, which wraps that tiktoken encoding;
* ``bpe-openai``, ``quicktok``: their bundled vocabularies;
* ``subwordx Tokenizer`` (a reference row, not a tiktoken API): ``subwordx.Tokenizer.load(RANKS)``
  with ``encode_ids`` (numpy), ``encode_batch_lists`` and ``decode``: the pipeline's everyday
  calls, to show what the tiktoken layer costs.

Calls, each on every document of a language in turn (one call per document), and the batch call on
all of them at once:

* ``encode(doc)``: tiktoken's default, which refuses special tokens in the text (riptoken's
  ``encode`` does not check; quicktok's and bpe-openai's do);
* ``encode_ordinary(doc)``;
* ``encode_ordinary_batch(docs, num_threads=T)`` (quicktok: ``encode_batch(docs, threads=T)``,
  which returns one flat array and offsets; riptoken: ``encode_ordinary_batch(docs)`` on rayon's
  pool of all cores); T = the number of cores unless ``--threads``;
* ``decode(ids)`` of each document's ids.

Every round loads every side afresh (untimed), then runs each call on each side in turn, the side
order rotating from round to round; tables give medians over the rounds, and ratio = side time /
subwordx.tiktoken time (above 1: subwordx.tiktoken is faster). subwordx keeps a piece cache per
thread, which the repeated rounds would keep warm: before each timed pass of a subwordx side, its
caches are emptied (untimed), so every pass starts cold, as on text not seen before. Ids are
compared with tiktoken's document by document (first round), decoded text with the document.

Usage::

    python benches/bench_tiktoken.py --shared ../shared
    python benches/bench_tiktoken.py --quick                     # smoke run
    python benches/bench_tiktoken.py --vocabs o200k_base --sides subwordx.tiktoken,tiktoken
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C
from bench_encode import read_corpora

VOCABS = ("cl100k_base", "o200k_base")
LANGS = ("en", "ja", "zh")
SWX = "subwordx.tiktoken"
ALL_SIDES = (SWX, "tiktoken", "quicktok", "riptoken", "bpe-openai", "subwordx Tokenizer")
CALLS = ("encode", "encode_ordinary", "encode_ordinary_batch", "decode")
PACKAGES = ("subwordx", "tiktoken", "quicktok-v1", "riptoken", "bpe-openai", "numpy")
URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


@dataclass
class Side:
    name: str
    make: Callable[[], dict[str, Callable[..., Any]]]  # a fresh object's calls: call -> fn
    cold: Callable[[], None] | None = None  # empties the side's caches (untimed)
    calls: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def load(self) -> None:
        self.calls = self.make()


def as_lists(out: Any) -> list[list[int]]:
    """Ids per document, whatever the shape a side returns."""
    if isinstance(out, tuple) and len(out) == 2:  # quicktok: (flat ids, offsets)
        flat, offsets = out
        flat, offsets = list(map(int, flat)), list(map(int, offsets))
        return [flat[a:b] for a, b in zip(offsets, offsets[1:])]
    return [x.tolist() if hasattr(x, "tolist") else list(x) for x in out]


def make_cold(threads: int) -> Callable[[], None]:
    """Empties subwordx's piece caches (one per thread: the calling one and the pool's).

    Each thread caches the pieces of the last model it encoded with; encoding with another one
    (a throwaway byte-only encoding, where no piece is a whole token) empties it. So every timed
    pass of a subwordx side starts cold, as on text it has not seen, however often the rounds
    repeat the same documents.
    """
    import subwordx.tiktoken as tt

    def cold() -> None:
        throwaway = tt.Encoding(
            "cold",
            pat_str=r"\S+|\s+",
            mergeable_ranks={bytes([b]): b for b in range(256)},
            special_tokens={},
        )
        throwaway.encode_ordinary("empty the cache")
        throwaway.encode_ordinary_batch(["empty the cache"] * 64, num_threads=threads)

    return cold


def tiktoken_calls(enc: Any, threads: int) -> dict[str, Callable[..., Any]]:
    """The four calls of an object with tiktoken's API."""
    return {
        "encode": enc.encode,
        "encode_ordinary": enc.encode_ordinary,
        "encode_ordinary_batch": lambda d: enc.encode_ordinary_batch(d, num_threads=threads),
        "decode": enc.decode,
    }


def build_sides(name: str, ranks: Path, wanted: list[str], threads: int) -> list[Side]:
    """The sides for one vocabulary, each loaded once (and again before every round)."""
    sides: list[Side] = []
    cold_subwordx = make_cold(threads)

    def swx() -> dict[str, Callable[..., Any]]:
        import subwordx.tiktoken as tt

        tt.registry.ENCODINGS.pop(name, None)  # a fresh Encoding, as on first use
        return tiktoken_calls(tt.get_encoding(name), threads)

    def tik() -> dict[str, Callable[..., Any]]:
        import tiktoken

        return tiktoken_calls(tiktoken.get_encoding(name), threads)  # no cache to empty

    def quick() -> dict[str, Callable[..., Any]]:
        import quicktok

        enc = quicktok.Tokenizer(name, "")  # as get_encoding() builds it (which memoizes)
        return {
            "encode": enc.encode,
            "encode_ordinary": enc.encode_ordinary,
            "encode_ordinary_batch": lambda d: enc.encode_batch(d, threads=threads),
            "decode": enc.decode,
        }

    def rip() -> dict[str, Callable[..., Any]]:
        import riptoken

        enc = riptoken.get_encoding(name)  # a new core over tiktoken's encoding each time
        calls = tiktoken_calls(enc, threads)
        calls["encode_ordinary_batch"] = enc.encode_ordinary_batch  # rayon, all cores
        return calls

    def bpe_openai() -> dict[str, Callable[..., Any]]:
        import bpe_openai

        return tiktoken_calls(bpe_openai.get_encoding(name), threads)  # a new one per call

    def swx_tokenizer() -> dict[str, Callable[..., Any]]:
        import subwordx

        tok = subwordx.Tokenizer.load(ranks / f"{name}.tiktoken")
        return {
            "encode": tok.encode_ids,
            "encode_ordinary_batch": lambda d: tok.encode_batch_lists(d, threads=threads),
            "decode": tok.decode,
        }

    for side in (
        Side(SWX, swx, cold=cold_subwordx),
        Side("tiktoken", tik),
        Side("quicktok", quick),
        Side("riptoken", rip),
        Side("bpe-openai", bpe_openai),
        Side("subwordx Tokenizer", swx_tokenizer, cold=cold_subwordx),
    ):
        if side.name not in wanted:
            continue
        t0 = time.perf_counter()
        try:
            side.load()
        except Exception as e:  # not installed, cannot load this vocabulary, ...
            print(f"  {side.name}: SKIPPED ({type(e).__name__}: {str(e)[:200]})", flush=True)
            continue
        sides.append(side)
        print(f"  {side.name}: loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    return sides


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = work()
    return time.perf_counter() - t0, out


def run_vocab(
    args: argparse.Namespace,
    name: str,
    sides: list[Side],
    corpora: dict[str, tuple[str, list[str]]],
) -> list[dict[str, Any]]:
    """The rounds for one vocabulary: one record per (language, call, side)."""
    ref = next((s for s in sides if s.name == "tiktoken"), sides[0])
    refs = {
        lang: [list(ref.calls["encode_ordinary"](d)) for d in docs]
        for lang, (_, docs) in corpora.items()
    }
    walls: dict[tuple[str, str, str], list[float]] = {}
    differ: dict[tuple[str, str, str], int] = {}
    for rnd in range(args.repeats):
        for s in sides:  # untimed: fresh objects every round
            s.load()
        order = sides[rnd % len(sides) :] + sides[: rnd % len(sides)]
        for lang, (_, docs) in corpora.items():
            size = sum(len(d.encode("utf-8")) for d in docs)
            parts = []
            for call in CALLS:
                for s in order:
                    fn = s.calls.get(call)
                    if fn is None:
                        continue
                    if call == "decode":
                        inputs = refs[lang]
                        work = lambda fn=fn, inputs=inputs: [fn(ids) for ids in inputs]  # noqa: E731
                    elif call == "encode_ordinary_batch":
                        work = lambda fn=fn, docs=docs: fn(docs)  # noqa: E731
                    else:
                        work = lambda fn=fn, docs=docs: [fn(d) for d in docs]  # noqa: E731
                    if s.cold is not None:
                        s.cold()
                    wall, out = timed(work)
                    walls.setdefault((lang, call, s.name), []).append(wall)
                    if rnd == 0:
                        if call == "decode":
                            bad = sum(1 for a, b in zip(out, docs) if a != b)
                        else:
                            got = as_lists(out)
                            bad = sum(1 for a, b in zip(got, refs[lang]) if a != b)
                            bad += abs(len(got) - len(docs))
                        differ[(lang, call, s.name)] = bad
                    del out
                    parts.append(f"{call}/{s.name} {size / 1e6 / wall:.1f}")
            print(f"  round {rnd + 1} {name} {lang} MB/s: " + ", ".join(parts), flush=True)
    records = []
    for lang, (_, docs) in corpora.items():
        size = sum(len(d.encode("utf-8")) for d in docs)
        for call in CALLS:
            ours = C.median(walls.get((lang, call, SWX), []))
            for s in sides:
                ts = walls.get((lang, call, s.name))
                if not ts:
                    continue
                t = C.median(ts)
                records.append(
                    {
                        "vocab": name,
                        "lang": lang,
                        "call": call,
                        "side": s.name,
                        "docs": len(docs),
                        "bytes": size,
                        "times": ts,
                        "median_s": t,
                        "mb_s": size / 1e6 / t,
                        "ratio": t / ours if ours == ours else None,
                        "differing": differ.get((lang, call, s.name)),
                    }
                )
    return records


def results_table(records: list[dict[str, Any]], sides: list[str]) -> str:
    head = ["vocabulary", "language", "call", *sides]
    rows = []
    keys = list(dict.fromkeys((r["vocab"], r["lang"], r["call"]) for r in records))
    by = {(r["vocab"], r["lang"], r["call"], r["side"]): r for r in records}
    for vocab, lang, call in keys:
        row: list[Any] = [vocab, lang, call]
        for side in sides:
            r = by.get((vocab, lang, call, side))
            if r is None:
                row.append("—")
                continue
            cell = f"{r['mb_s']:.1f}"
            if side != SWX and r["ratio"]:
                cell += f" ({r['ratio']:.2f}×)"
            if r["differing"]:
                cell += f" †{r['differing']}"
            row.append(cell)
        rows.append(row)
    flagged = any(r["differing"] for r in records)
    return (
        C.table(head, rows)
        + "\n\nMB/s of UTF-8 text (decode: of the text produced); in brackets: that side's time ÷ "
        "subwordx.tiktoken's (above 1: subwordx.tiktoken is faster). "
        + (
            "† N: N documents whose ids (or decoded text) differ from tiktoken's."
            if flagged
            else "Every side gave tiktoken's ids (and decoded to the documents) on every document."
        )
    )


def tiktoken_cache(ranks: Path, folder: Path) -> None:
    """The shared rank files under the names tiktoken's cache gives them."""
    for name in VOCABS:
        key = hashlib.sha1(URL.format(name).encode()).hexdigest()
        shutil.copy(ranks / f"{name}.tiktoken", folder / key)


def parse_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--shared", default=None, help="the folder holding data/ (default ../shared)")
    p.add_argument("--vocabs", default=",".join(VOCABS))
    p.add_argument("--langs", default=",".join(LANGS))
    p.add_argument("--sides", default=",".join(ALL_SIDES))
    p.add_argument("--repeats", type=int, default=None, help="rounds (default 5; --quick: 2)")
    p.add_argument("--threads", type=int, default=0, help="batch threads (default: all cores)")
    p.add_argument("--en-mb", type=float, default=3, help="MB of gcide.txt (default 3)")
    p.add_argument("--doc-kb", type=float, default=10, help="document size in KB (default 10)")
    p.add_argument("--max-docs", type=int, default=0, help="documents per language (0: all)")
    p.add_argument("--quick", action="store_true", help="20 documents per language, 2 rounds")
    args = p.parse_args(argv)
    if args.quick:
        args.max_docs = args.max_docs or 20
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.vocabs, args.langs, args.sides = map(parse_list, (args.vocabs, args.langs, args.sides))
    threads = args.threads or os.cpu_count() or 1

    command = [sys.argv[0], *(argv if argv is not None else sys.argv[1:])]
    C.print_preamble(command, PACKAGES)
    load_start = C.load()
    shared = C.shared_dir(args.shared)
    ranks = shared / "data" / "tokenizers" / "openai"
    os.environ["SUBWORDX_TIKTOKEN_DIR"] = str(ranks)
    corpora = read_corpora(shared, args)
    for lang, (desc, docs) in corpora.items():
        size = sum(len(d.encode("utf-8")) for d in docs)
        print(f"{lang}: {len(docs)} documents, {size / 1e6:.2f} MB: {desc}")
    print(f"rounds: {args.repeats}; batch threads: {threads}; cores: {os.cpu_count()}")

    records: list[dict[str, Any]] = []
    order: list[str] = []
    with tempfile.TemporaryDirectory(prefix="swx-bench-tiktoken-") as tmp:
        tiktoken_cache(ranks, Path(tmp))
        os.environ["TIKTOKEN_CACHE_DIR"] = tmp
        for name in args.vocabs:
            C.header(name)
            sides = build_sides(name, ranks, args.sides, threads)
            for s in sides:
                batch = s.calls.get("encode_ordinary_batch")
                if batch is not None:
                    batch(["warm up: the thread pool starts"] * 4)
                if s.name not in order:
                    order.append(s.name)
            if sides:
                records += run_vocab(args, name, sides, corpora)
    C.header("Results")
    print(results_table(records, order))
    print(f"\nload average at start: {load_start}; at end: {C.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
