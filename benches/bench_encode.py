"""Encode speed on the real OpenAI vocabularies: subwordx side by side with tiktoken, quicktok,
bpe-openai, kitoken and HF ``tokenizers``, one thread, ids compared with tiktoken's.

Vocabularies: ``cl100k_base`` and ``o200k_base`` from ``data/tokenizers/openai/*.tiktoken``.
Text: documents of ~10 KB (``--doc-kb``), cut at line ends, in three languages reported apart:

* ``en``: the first ~6 MB of ``corpora/gcide.txt`` (``--en-mb``), cut at a line end;
* ``ja``: ``corpora/wagahaiwa_nekodearu.txt``, whole, its CRLF line ends kept;
* ``zh``: ``corpora/zh/chinese`` without the fortune separator lines (starting with ``%``) and
  with the ANSI colour escapes (``\\x1b[...m``) stripped.
* ``ja-long`` (only when asked for): the letters of ``wagahaiwa_nekodearu.txt`` alone (every
  char that is not ``str.isalpha`` dropped), in lines of 3,000 chars: each line is one piece of
  ~9 KB for both patterns, the case where BPE by merge replay is slowest.

Sides, each through its everyday call on one document at a time:

* subwordx ``Tokenizer.load(RANKS).encode(doc).ids`` (a numpy array), and the ids-only path
  ``.encode_ids(doc)``;
* tiktoken ``encode_ordinary(doc)`` on an ``Encoding`` built from the local rank file with
  tiktoken's own pattern (its ``tiktoken_ext.openai_public`` constructor, the download swapped
  for the local file, whose sha256 is checked against tiktoken's) and no special tokens;
* quicktok-v1 ``quicktok.get_encoding(NAME).encode_ordinary(doc)`` (its bundled vocabulary);
* bpe-openai ``bpe_openai.get_encoding(NAME).encode_ordinary(doc)`` (its bundled vocabulary);
* kitoken ``Kitoken.from_tiktoken_file(RANKS).encode(doc)``;
* HF ``tokenizers`` ``Tokenizer.from_file(J).encode(doc, add_special_tokens=False).ids``, where J
  is written into a temporary folder by ``acceptance/make_hf_tokenizer.py RANKS cl100k|o200k J``
  (the shape of converted GPT-4 / GPT-4o files).

Every round runs, for each language, every side in turn over all of that language's documents
(the side order rotates from round to round); tables give the median over the rounds. Before
each round every side's tokenizer is loaded afresh (untimed), so a side with a piece cache
(subwordx keeps one per thread) starts each pass over the text cold, as on text it has not seen;
``--keep-loaded`` keeps one tokenizer per side instead, caches warm from the second round on. The
ids of the first round are compared with tiktoken's, document by document; a side that differs
is still reported, flagged. CPU time / wall time is printed per side as a check that it stayed on
one core. Ratio = side time / subwordx ``encode().ids`` time (above 1: subwordx is faster).

Then batch scaling: subwordx ``encode_batch_lists(docs, threads=t)`` and tiktoken
``encode_ordinary_batch(docs, num_threads=t)`` for t in ``--threads`` (default 1,2).

Usage::

    python benches/bench_encode.py --shared ../shared                  # full run, both vocabularies
    python benches/bench_encode.py --quick                             # smoke run, < 1 minute
    python benches/bench_encode.py --vocabs o200k_base --threads 1,2,4,8,16 --json out.json
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

VOCABS = ("cl100k_base", "o200k_base")
LANGS = ("en", "ja", "zh")
ALL_SIDES = ("subwordx", "tiktoken", "quicktok", "bpe-openai", "kitoken", "tokenizers")
SWX = "subwordx .encode().ids"  # the side every ratio is taken against
SWX_IDS = "subwordx .encode_ids"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PACKAGES = ("subwordx", "tiktoken", "quicktok-v1", "bpe-openai", "kitoken", "tokenizers", "numpy")


# ================================================================================ data
def split_docs(text: str, doc_bytes: int) -> list[str]:
    """Lines (with their line ends) gathered into documents of at least ``doc_bytes`` UTF-8
    bytes; the last one may be shorter."""
    docs: list[str] = []
    cur: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        cur.append(line)
        size += len(line.encode("utf-8"))
        if size >= doc_bytes:
            docs.append("".join(cur))
            cur, size = [], 0
    if cur:
        docs.append("".join(cur))
    return docs


def read_corpora(shared: Path, args: argparse.Namespace) -> dict[str, tuple[str, list[str]]]:
    """{language: (description, documents)} for the languages asked for."""
    corpora = shared / "data" / "corpora"
    doc_bytes = int(args.doc_kb * 1000)
    out: dict[str, tuple[str, list[str]]] = {}
    for lang in args.langs:
        if lang == "en":
            raw = (corpora / "gcide.txt").read_bytes()[: int(args.en_mb * 1e6)]
            text = raw[: raw.rfind(b"\n") + 1].decode("utf-8")
            desc = f"gcide.txt, first {len(text.encode()):,} bytes (cut at a line end)"
        elif lang == "ja":
            # newline="" keeps the file's CRLF line ends: they are part of the text to encode
            with open(corpora / "wagahaiwa_nekodearu.txt", encoding="utf-8", newline="") as f:
                text = f.read()
            desc = "wagahaiwa_nekodearu.txt, whole (CRLF line ends kept)"
        elif lang == "ja-long":
            with open(corpora / "wagahaiwa_nekodearu.txt", encoding="utf-8") as f:
                letters = "".join(ch for ch in f.read() if ch.isalpha())
            text = "".join(letters[i : i + 3000] + "\n" for i in range(0, len(letters), 3000))
            desc = "the letters of wagahaiwa_nekodearu.txt alone, in lines of 3,000 chars"
        else:
            with open(corpora / "zh" / "chinese", encoding="utf-8") as f:
                lines = [ANSI.sub("", x) for x in f if not x.startswith("%")]
            text = "".join(lines)
            desc = "zh/chinese, '%' lines dropped, ANSI escapes stripped"
        docs = split_docs(text, doc_bytes)
        if args.max_docs:
            docs = docs[: args.max_docs]
            desc += f", first {len(docs)} documents"
        out[lang] = (desc, docs)
    return out


def n_bytes(docs: list[str]) -> int:
    return sum(len(d.encode("utf-8")) for d in docs)


# ================================================================================ sides
@dataclass
class Side:
    name: str  # row label
    call: str  # the call timed, for the notes
    make: Callable[[], tuple[Callable[[str], Any], Any]]  # loads: (one doc -> ids, tokenizer)
    fn: Any = None  # one doc -> its ids; set by load()
    obj: Any = None  # the loaded tokenizer (the batch section uses subwordx's and tiktoken's)

    def load(self) -> None:
        """(Re)loads the tokenizer: a fresh object, so no cache from an earlier pass is kept."""
        self.fn, self.obj = self.make()
        self.fn(WARM_TEXT)  # first-call work (lazy tables), on text unrelated to the corpora


WARM_TEXT = "Warm-up: 1234 tokens, ça va? 日本語のテキスト。中文文本。"


def tiktoken_params(name: str, path: Path) -> tuple[dict[str, Any], str]:
    """tiktoken's own parameters for ``name`` (pattern, ranks), read from the local rank file:
    tiktoken's constructor with its download swapped for reading ``path``."""
    from tiktoken_ext import openai_public

    data = path.read_bytes()
    seen: dict[str, Any] = {}

    def local_ranks(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen["hash_ok"] = expected_hash is None or (
            hashlib.sha256(data).hexdigest() == expected_hash
        )
        pairs = (line.split() for line in data.splitlines() if line.strip())
        return {base64.b64decode(tok): int(rank) for tok, rank in pairs}

    saved = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = local_ranks
    try:
        params = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = saved
    hash_note = "matches" if seen.get("hash_ok") else "DOES NOT MATCH"
    return params, f"{path.name} sha256 {hash_note} tiktoken's expected hash for {name}"


def make_hf_json(name: str, path: Path, shared: Path, tmp: Path) -> Path:
    shape = name.split("_")[0]  # cl100k_base -> cl100k
    out = tmp / f"{shape}.tokenizer.json"
    script = shared / "acceptance" / "make_hf_tokenizer.py"
    subprocess.run(
        [sys.executable, str(script), str(path), shape, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def build_sides(
    name: str, path: Path, shared: Path, tmp: Path, wanted: list[str]
) -> tuple[list[Side], list[str]]:
    """The sides for one vocabulary, in table order, each loaded once, and notes (what a side
    loaded, or why it is skipped)."""
    sides: list[Side] = []
    notes: list[str] = []

    def attempt(key: str, make: Callable[[], list[Side]]) -> None:
        if key not in wanted:
            return
        t0 = time.perf_counter()
        try:
            made = make()
            for side in made:
                side.load()
        except Exception as e:  # not installed, cannot load this vocabulary, ...
            print(f"  {key}: SKIPPED ({type(e).__name__}: {str(e)[:200]})", flush=True)
            notes.append(f"{key}: skipped ({type(e).__name__}: {str(e)[:200]})")
            return
        sides.extend(made)
        print(f"  {key}: loaded in {time.perf_counter() - t0:.1f} s", flush=True)

    def swx() -> list[Side]:
        missing = C.subwordx_status()
        if missing:
            raise ImportError(missing)
        import subwordx

        def whole() -> tuple[Callable[[str], Any], Any]:
            tok = subwordx.Tokenizer.load(path)
            return (lambda d: tok.encode(d).ids), tok

        def ids() -> tuple[Callable[[str], Any], Any]:
            tok = subwordx.Tokenizer.load(path)
            return tok.encode_ids, tok

        return [
            Side(SWX, f"Tokenizer.load({path.name}).encode(doc).ids", whole),
            Side(SWX_IDS, f"Tokenizer.load({path.name}).encode_ids(doc)", ids),
        ]

    def tik() -> list[Side]:
        import tiktoken

        params, note = tiktoken_params(name, path)
        notes.append(f"tiktoken: {note}")

        def make() -> tuple[Callable[[str], Any], Any]:
            enc = tiktoken.Encoding(
                f"{name}-local",
                pat_str=params["pat_str"],
                mergeable_ranks=params["mergeable_ranks"],
                special_tokens={},
            )
            return enc.encode_ordinary, enc

        call = f"Encoding(tiktoken's {name} pattern, no specials).encode_ordinary(doc)"
        return [Side("tiktoken", call, make)]

    def quick() -> list[Side]:
        import quicktok

        made = []

        def make() -> tuple[Callable[[str], Any], Any]:
            # get_encoding() memoizes its tokenizer; a reload builds a fresh one the way
            # get_encoding() does the first time (bundled data)
            enc = quicktok.Tokenizer(name, "") if made else quicktok.get_encoding(name)
            made.append(1)
            return enc.encode_ordinary, enc

        return [Side("quicktok", f"quicktok.get_encoding({name!r}).encode_ordinary(doc)", make)]

    def bpe_openai() -> list[Side]:
        import bpe_openai

        def make() -> tuple[Callable[[str], Any], Any]:
            enc = bpe_openai.get_encoding(name)  # a new Encoding per call
            return enc.encode_ordinary, enc

        call = f"bpe_openai.get_encoding({name!r}).encode_ordinary(doc)"
        return [Side("bpe-openai", call, make)]

    def kit() -> list[Side]:
        from kitoken import Kitoken

        def make() -> tuple[Callable[[str], Any], Any]:
            enc = Kitoken.from_tiktoken_file(str(path))
            return enc.encode, enc

        return [Side("kitoken", f"Kitoken.from_tiktoken_file({path.name}).encode(doc)", make)]

    def hf() -> list[Side]:
        from tokenizers import Tokenizer

        json_path = str(make_hf_json(name, path, shared, tmp))

        def make() -> tuple[Callable[[str], Any], Any]:
            tok = Tokenizer.from_file(json_path)
            return (lambda d: tok.encode(d, add_special_tokens=False).ids), tok

        call = "Tokenizer.from_file(J).encode(doc, add_special_tokens=False).ids"
        return [Side("tokenizers", call, make)]

    for key, make in (
        ("subwordx", swx),
        ("tiktoken", tik),
        ("quicktok", quick),
        ("bpe-openai", bpe_openai),
        ("kitoken", kit),
        ("tokenizers", hf),
    ):
        attempt(key, make)
    return sides, notes


# ================================================================================ measuring
def as_list(ids: Any) -> list[int]:
    return ids.tolist() if hasattr(ids, "tolist") else list(ids)


def n_differing(out: list[Any], ref: list[list[int]]) -> int:
    """How many documents' ids differ from the reference's."""
    return sum(1 for a, b in zip(out, ref) if as_list(a) != b) + abs(len(out) - len(ref))


def timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall s, CPU s of the whole process, result) of one call."""
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    out = work()
    return time.perf_counter() - t0, time.process_time() - c0, out


def fmt_mbps(mbps: float) -> str:
    return "—" if mbps != mbps else f"{mbps:.1f}"


def run_single(
    args: argparse.Namespace,
    name: str,
    sides: list[Side],
    corpora: dict[str, tuple[str, list[str]]],
    refs: dict[str, list[list[int]]],
    ref_side: str,
) -> list[dict[str, Any]]:
    """The one-thread rounds for one vocabulary; returns one record per (language, side)."""
    walls: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    differ: dict[tuple[str, str], int] = {}
    broken: dict[str, str] = {}
    for rnd in range(args.repeats):
        if not args.keep_loaded:  # untimed: every round starts from freshly loaded tokenizers
            for s in sides:
                s.load()
        k = rnd % len(sides)
        order = sides[k:] + sides[:k]
        for lang, (_, docs) in corpora.items():
            size = n_bytes(docs)
            parts = []
            for s in order:
                if s.name in broken:
                    continue
                try:
                    wall, cpu, out = timed(lambda fn=s.fn, docs=docs: [fn(d) for d in docs])
                except Exception as e:  # a side that fails is dropped, the others go on
                    broken[s.name] = f"{type(e).__name__}: {str(e)[:200]}"
                    print(f"  !! {s.name} failed on {lang}: {broken[s.name]}", flush=True)
                    continue
                walls.setdefault((lang, s.name), []).append(wall)
                cpus.setdefault((lang, s.name), []).append(cpu)
                if rnd == 0:
                    differ[(lang, s.name)] = n_differing(out, refs[lang])
                del out
                parts.append(f"{s.name} {size / 1e6 / wall:.1f}")
            print(f"  round {rnd + 1} {name} {lang} MB/s: " + ", ".join(parts), flush=True)
    records = []
    for lang, (_, docs) in corpora.items():
        size = n_bytes(docs)
        t_swx = C.median(walls.get((lang, SWX), []))
        for s in sides:
            ts = walls.get((lang, s.name), [])
            if not ts:
                continue
            t = C.median(ts)
            records.append(
                {
                    "vocab": name,
                    "lang": lang,
                    "side": s.name,
                    "call": s.call,
                    "docs": len(docs),
                    "bytes": size,
                    "times": ts,
                    "median_s": t,
                    "mb_s": size / 1e6 / t,
                    "mb_s_min": size / 1e6 / max(ts),
                    "mb_s_max": size / 1e6 / min(ts),
                    "ratio": t / t_swx if t_swx == t_swx else None,
                    "cpu_per_wall": sum(cpus[(lang, s.name)]) / sum(ts),
                    "docs_differing": differ.get((lang, s.name)),
                    "ids_reference": ref_side,
                    "failed": broken.get(s.name),
                }
            )
    return records


def run_threads(
    args: argparse.Namespace,
    name: str,
    sides: list[Side],
    corpora: dict[str, tuple[str, list[str]]],
    refs: dict[str, list[list[int]]],
) -> list[dict[str, Any]]:
    """Batch calls with t threads: subwordx encode_batch_lists, tiktoken encode_ordinary_batch."""
    by_name = {s.name: s for s in sides}
    # (label, the side whose tokenizer it uses, docs and threads -> ids per doc)
    batch: list[tuple[str, Side, Callable[[list[str], int], Any]]] = []
    if SWX in by_name:
        sx = by_name[SWX]
        batch.append(("subwordx", sx, lambda docs, t: sx.obj.encode_batch_lists(docs, threads=t)))
    if "tiktoken" in by_name:
        tk = by_name["tiktoken"]
        batch.append(
            ("tiktoken", tk, lambda docs, t: tk.obj.encode_ordinary_batch(docs, num_threads=t))
        )
    if not batch:
        return []
    walls: dict[tuple[str, str, int], list[float]] = {}
    differ: dict[tuple[str, str, int], int] = {}
    for rnd in range(args.repeats):
        if not args.keep_loaded:
            for _, side, _ in batch:
                side.load()
        for _, _, fn in batch:  # the thread pools start (untimed, text unrelated to the corpora)
            for t in args.threads:
                fn([WARM_TEXT] * 4, t)
        for lang, (_, docs) in corpora.items():
            size = n_bytes(docs)
            parts = []
            for t in args.threads:
                for side, _, fn in batch:
                    wall, _, out = timed(lambda fn=fn, docs=docs, t=t: fn(docs, t))
                    walls.setdefault((lang, side, t), []).append(wall)
                    if rnd == 0:
                        differ[(lang, side, t)] = n_differing(out, refs[lang])
                    del out
                    parts.append(f"{side}×{t} {size / 1e6 / wall:.1f}")
            print(f"  round {rnd + 1} {name} {lang} batch MB/s: " + ", ".join(parts), flush=True)
    records = []
    for lang, (_, docs) in corpora.items():
        size = n_bytes(docs)
        for side, _, _ in batch:
            t1 = C.median(walls[(lang, side, args.threads[0])])
            for t in args.threads:
                tm = C.median(walls[(lang, side, t)])
                records.append(
                    {
                        "vocab": name,
                        "lang": lang,
                        "side": side,
                        "threads": t,
                        "times": walls[(lang, side, t)],
                        "median_s": tm,
                        "mb_s": size / 1e6 / tm,
                        "speedup": t1 / tm,
                        "docs_differing": differ[(lang, side, t)],
                    }
                )
    return records


# ================================================================================ tables
def single_tables(records: list[dict[str, Any]], sides: list[str], cores: int) -> str:
    """The summary (MB/s and ratio per language and side) and the detail table."""
    head = ["vocabulary", "language", "MB", "docs", *sides]
    rows = []
    keys = list(dict.fromkeys((r["vocab"], r["lang"]) for r in records))
    by = {(r["vocab"], r["lang"], r["side"]): r for r in records}
    for vocab, lang in keys:
        any_rec = next(r for r in records if (r["vocab"], r["lang"]) == (vocab, lang))
        row: list[Any] = [vocab, lang, f"{any_rec['bytes'] / 1e6:.2f}", any_rec["docs"]]
        for side in sides:
            r = by.get((vocab, lang, side))
            if r is None:
                row.append("—")
                continue
            cell = fmt_mbps(r["mb_s"])
            if side != SWX and r["ratio"]:
                cell += f" ({r['ratio']:.2f}×)"
            if r["docs_differing"]:
                cell += " †"
            row.append(cell)
        rows.append(row)
    summary = C.table(head, rows)
    detail_rows = []
    for r in records:
        diff = r["docs_differing"]
        if r["side"] == r["ids_reference"]:
            agree = "(reference)"
        elif diff is None:
            agree = "—"
        elif diff:
            agree = f"**{diff} of {r['docs']} docs differ** †"
        else:
            agree = f"same on all {r['docs']}"
        detail_rows.append(
            [
                r["vocab"],
                r["lang"],
                r["side"],
                C.fmt_s(r["median_s"]),
                fmt_mbps(r["mb_s"]),
                f"{r['mb_s_min']:.1f}–{r['mb_s_max']:.1f}",
                "—" if r["ratio"] is None else f"{r['ratio']:.2f}×",
                f"{r['cpu_per_wall']:.2f}",
                agree + (f" (failed: {r['failed']})" if r["failed"] else ""),
            ]
        )
    detail = C.table(
        [
            "vocabulary",
            "language",
            "side",
            "median s",
            "MB/s",
            "MB/s range",
            "side s / subwordx s",
            "CPU/wall",
            "ids vs tiktoken",
        ],
        detail_rows,
    )
    return (
        "### Summary: median MB/s, one thread (in brackets: subwordx .encode().ids speed ÷ "
        "that side's)\n\n"
        + summary
        + (
            "\n\n† ids differ from tiktoken's on some documents (see the detail table)."
            if any(r["docs_differing"] for r in records)
            else "\n\nEvery side gave tiktoken's ids on every document."
        )
        + "\n\n"
        + "### Detail\n\n"
        + detail
        + f"\n\nCPU/wall: process CPU time ÷ wall time over the rounds (≤ 1: one core; {cores} "
        "cores here)."
    )


def thread_table(records: list[dict[str, Any]], threads: list[int], cores: int) -> str:
    head = ["vocabulary", "language", "side"]
    head += [f"{t} thread{'s' if t > 1 else ''} MB/s" for t in threads]
    head += ["ids vs tiktoken"]
    rows = []
    keys = list(dict.fromkeys((r["vocab"], r["lang"], r["side"]) for r in records))
    for vocab, lang, side in keys:
        rs = {
            r["threads"]: r
            for r in records
            if (r["vocab"], r["lang"], r["side"]) == (vocab, lang, side)
        }
        cells = []
        for t in threads:
            r = rs[t]
            cell = fmt_mbps(r["mb_s"])
            if t != threads[0]:
                cell += f" ({r['speedup']:.2f}×)"
            cells.append(cell)
        bad = max(r["docs_differing"] for r in rs.values())
        agree = f"**up to {bad} docs differ** †" if bad else "same on all docs"
        if side == "tiktoken":
            agree = "(reference)" if not bad else agree
        rows.append([vocab, lang, side, *cells, agree])
    note = (
        f"\n\nIn brackets: speed-up over {threads[0]} thread{'s' if threads[0] > 1 else ''}. "
        f"{cores} cores here"
    )
    over = [t for t in threads if t > cores]
    if over:
        note += f"; {', '.join(map(str, over))} threads exceed the cores"
    return C.table(head, rows) + note + "."


# ================================================================================ main
def core_build() -> str:
    """Which compiled subwordx core is imported, and when it was built (others may rebuild the
    checkout while a run goes on: the loaded one is the one timed)."""
    try:
        from subwordx import _core

        path = Path(_core.__file__ or "?")
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(path.stat().st_mtime))
    except Exception as e:
        return f"not importable ({type(e).__name__}: {e})"
    return f"{path} (built {when} UTC)"


def parse_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--shared",
        default=None,
        help="the shared folder holding data/ (default: ../shared relative to the repo root)",
    )
    p.add_argument("--vocabs", default=",".join(VOCABS), help="default cl100k_base,o200k_base")
    p.add_argument(
        "--langs", default=",".join(LANGS), help="languages, default en,ja,zh (also: ja-long)"
    )
    p.add_argument("--sides", default=",".join(ALL_SIDES), help="sides, comma-separated")
    p.add_argument("--repeats", type=int, default=None, help="rounds (default 5; --quick: 2)")
    p.add_argument(
        "--threads", default="1,2", help="thread counts for the batch section (default 1,2; '' off)"
    )
    p.add_argument("--en-mb", type=float, default=6, help="MB of gcide.txt (default 6)")
    p.add_argument("--doc-kb", type=float, default=10, help="document size in KB (default 10)")
    p.add_argument("--max-docs", type=int, default=0, help="documents per language (0: all)")
    p.add_argument(
        "--quick", action="store_true", help="smoke run: 20 documents per language, 2 rounds"
    )
    p.add_argument(
        "--keep-loaded",
        action="store_true",
        help="load each tokenizer once (caches stay warm across rounds over the same text); "
        "default: a fresh tokenizer per side and round",
    )
    p.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    args = p.parse_args(argv)
    if args.quick:
        args.max_docs = args.max_docs or 20
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.vocabs = parse_list(args.vocabs)
    args.langs = parse_list(args.langs)
    args.sides = parse_list(args.sides)
    args.threads = [int(t) for t in parse_list(args.threads)]
    for v in args.vocabs:
        if v not in VOCABS:
            p.error(f"unknown vocabulary {v!r} (known: {', '.join(VOCABS)})")
    for lang in args.langs:
        if lang not in (*LANGS, "ja-long"):
            p.error(f"unknown language {lang!r} (known: {', '.join(LANGS)}, ja-long)")
    for side in args.sides:
        if side not in ALL_SIDES:
            p.error(f"unknown side {side!r} (known: {', '.join(ALL_SIDES)})")
    # One thread per call on every side: HF tokenizers must not fan out on its own.
    os.environ["TOKENIZERS_PARALLELISM"] = "false"

    command = [sys.argv[0], *(argv if argv is not None else sys.argv[1:])]
    C.print_preamble(command, PACKAGES)
    load_start = C.load()
    core = core_build()
    print(f"subwordx core: {core}")
    shared = C.shared_dir(args.shared)
    cores = os.cpu_count() or 1
    corpora = read_corpora(shared, args)
    for lang, (desc, docs) in corpora.items():
        size = n_bytes(docs)
        print(
            f"{lang}: {len(docs)} documents, {size / 1e6:.2f} MB ({size / len(docs):,.0f} "
            f"bytes each): {desc}"
        )
    fresh = (
        "tokenizers loaded once, caches kept across rounds (--keep-loaded)"
        if args.keep_loaded
        else "every side's tokenizer freshly loaded (untimed) before each round, so no cache "
        "carries over from an earlier pass over the same text"
    )
    print(f"rounds: {args.repeats}; one document per call; {fresh}; cores here: {cores}")

    single: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    calls: dict[str, dict[str, str]] = {}
    notes: dict[str, list[str]] = {}
    side_order: list[str] = []
    with tempfile.TemporaryDirectory(prefix="swx-bench-encode-") as tmpdir:
        for name in args.vocabs:
            path = shared / "data" / "tokenizers" / "openai" / f"{name}.tiktoken"
            C.header(f"{name} ({path.name})")
            sides, vocab_notes = build_sides(name, path, shared, Path(tmpdir), args.sides)
            notes[name] = vocab_notes
            for n in vocab_notes:
                print(f"  note: {n}")
            if not sides:
                print("  no side could be loaded")
                continue
            calls[name] = {s.name: s.call for s in sides}
            for s in sides:
                if s.name not in side_order:
                    side_order.append(s.name)
            ref = next((s for s in sides if s.name == "tiktoken"), sides[0])
            if ref.name != "tiktoken":
                print(f"  (tiktoken missing: ids are compared with {ref.name}'s)")
            refs = {lang: [as_list(ref.fn(d)) for d in docs] for lang, (_, docs) in corpora.items()}
            single += run_single(args, name, sides, corpora, refs, ref.name)
            if args.threads:
                batch += run_threads(args, name, sides, corpora, refs)
            del refs
            print(f"  load average now: {C.load()}", flush=True)
    load_end = C.load()

    C.header("Results")
    print(single_tables(single, side_order, cores))
    if batch:
        print("\n### Batch calls with threads\n")
        print(thread_table(batch, args.threads, cores))
    print("\nCalls timed:")
    for name, by_side in calls.items():
        for side, call in by_side.items():
            print(f"  {name} {side}: {call}")
    for name, ns in notes.items():
        for n in ns:
            print(f"  {name} note: {n}")
    print(f"\nload average at start: {load_start}; at end: {load_end}")
    if core_build() != core:
        print(
            f"NOTE: the subwordx core on disk changed during the run (now {core_build()}); "
            f"the one timed is {core}"
        )
    if args.json:
        doc = {
            "command": "python " + " ".join(command),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "machine": C.machine_info(),
            "versions": C.versions(PACKAGES),
            "repo": C.git_rev(),
            "subwordx_core": core,
            "load_start": load_start,
            "load_end": load_end,
            "rounds": args.repeats,
            "keep_loaded": args.keep_loaded,
            "corpora": {
                lang: {"description": desc, "docs": len(docs), "bytes": n_bytes(docs)}
                for lang, (desc, docs) in corpora.items()
            },
            "calls": calls,
            "notes": notes,
            "single_thread": single,
            "batch": batch,
        }
        Path(args.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
