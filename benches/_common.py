"""Shared helpers for the side-by-side benchmarks in ``benches/``.

Nothing here is part of the subwordx package. The scripts import it as a sibling module
(``python benches/bench_bpe.py`` puts ``benches/`` on ``sys.path``).

Measurement model
-----------------
* A *child measurement* runs one side (one library doing one job) in a fresh Python process. The
  child times only the work itself (``time.perf_counter`` around the call, imports excluded) and
  prints one ``@@RESULT {json}`` line. Its peak resident set size comes from the kernel:
  a small launcher process starts it and reports ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (see
  ``_LAUNCHER`` for why not straight from this process).
* Sides are alternated within each repeat (A B C, A B C, ...) so that slow drifts of a noisy
  machine hit every side alike; tables print medians.
* ratio = anchor time / subwordx time: above 1 means subwordx is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCHES = Path(__file__).resolve().parent
REPO = BENCHES.parent
RESULT_TAG = "@@RESULT "

# GPT-2's pre-tokenization pattern (tiktoken "gpt2" / HF ByteLevel use_regex=True).
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


# ----------------------------------------------------------------------------------- paths
def add_common_args(p: argparse.ArgumentParser, repeats: int) -> None:
    p.add_argument(
        "--shared",
        default=None,
        help="the shared folder holding data/ (default: ../shared relative to the repo root)",
    )
    p.add_argument(
        "--scratch",
        default=str(BENCHES / "scratch"),
        help="folder for generated corpora and outputs (default benches/scratch, git-ignored)",
    )
    p.add_argument(
        "--repeats", type=int, default=repeats, help=f"repeats per side (default {repeats})"
    )
    p.add_argument("--child", help=argparse.SUPPRESS)


def shared_dir(arg: str | None) -> Path:
    path = Path(arg) if arg else REPO.parent / "shared"
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    if not (path / "data").is_dir():
        sys.exit(f"error: {path}/data not found; pass --shared PATH (the folder holding data/)")
    return path


def scratch_dir(arg: str) -> Path:
    path = Path(arg).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


# ----------------------------------------------------------------------------------- child runs
def rss_now() -> int:
    """Current resident set size of this process, bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def emit(result: dict[str, Any]) -> None:
    """Child side: report the result to the parent (last line of stdout)."""
    result.setdefault("base_rss", rss_now())
    sys.stdout.flush()
    print(RESULT_TAG + json.dumps(result), flush=True)


class ChildResult:
    def __init__(
        self, ok: bool, data: dict[str, Any], peak_rss: int, wall: float, output: str
    ) -> None:
        self.ok = ok
        self.data = data
        self.peak_rss = peak_rss  # bytes
        self.wall = wall  # seconds, the whole process
        self.output = output

    def __repr__(self) -> str:
        return f"ChildResult(ok={self.ok}, data={self.data}, peak_rss={self.peak_rss})"


# The launcher that runs each measured command. Linux carries a process's RSS high-water mark
# across fork and exec (exec records the old address space's peak in the new program's
# ru_maxrss), so a command started straight from this (large, after evaluations) process would
# report at least *our* peak. The launcher is a tiny fresh interpreter: the command it starts
# inherits only its ~10 MiB, and it reports getrusage(RUSAGE_CHILDREN).ru_maxrss, which then
# belongs to that one command, plus the command's wall time.
_LAUNCHER = """
import json, os, resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    json.dump({"rc": rc, "wall": wall, "maxrss": peak}, f)
sys.exit(0 if rc == 0 else 1)
"""


def run_process(
    argv: Sequence[str],
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
) -> ChildResult:
    """Runs ``argv`` as a fresh process through a small launcher; returns its output, wall time
    and its own peak RSS (see ``_LAUNCHER``).

    A process still running after ``timeout`` seconds is killed (ok=False, data={"timeout": ...}).
    """
    stem = Path(os.environ.get("TMPDIR", "/tmp")) / f"swxbench-{os.getpid()}-{time.time_ns()}"
    out_path, info_path = stem.with_suffix(".out"), stem.with_suffix(".json")
    with open(out_path, "w+b") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(info_path), *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,  # so a timeout kills the command with its launcher
        )
        try:
            proc.wait(timeout=timeout)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            killed = True
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    out_path.unlink(missing_ok=True)
    info: dict[str, Any] = {}
    if info_path.exists():
        info = json.loads(info_path.read_text())
        info_path.unlink()
    peak = int(info.get("maxrss", 0)) * (1 if sys.platform == "darwin" else 1024)
    wall = float(info.get("wall", float("nan")))
    data: dict[str, Any] = {}
    for line in text.splitlines():
        if line.startswith(RESULT_TAG):
            data = json.loads(line[len(RESULT_TAG) :])
    if killed:
        data = {"timeout": timeout}
    ok = not killed and info.get("rc") == 0
    return ChildResult(ok, data, peak, wall, text)


def run_child(
    script: Path,
    spec: dict[str, Any],
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> ChildResult:
    """Runs ``script --child <spec json>`` in a fresh interpreter (see the module docstring)."""
    res = run_process(
        [sys.executable, str(script), "--child", json.dumps(spec)], timeout=timeout, env=env
    )
    if not res.ok and "timeout" not in res.data:
        tail = "\n".join(res.output.strip().splitlines()[-15:])
        print(f"  !! child {spec.get('side')} failed:\n{tail}", file=sys.stderr)
    return res


# ----------------------------------------------------------------------------------- formatting
def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_mib(n: float | None) -> str:
    if not n:
        return "—"
    return f"{n / 2**20:.0f}"


def fmt_ratio(anchor: float | None, ours: float | None) -> str:
    if not anchor or not ours or anchor != anchor or ours != ours:
        return "—"
    return f"{anchor / ours:.2f}×"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-markdown table (pasted as is into RESULTS.md)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=False)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + " |")
    return "\n".join(lines)


def header(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def machine_info() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores, {mem}, Python {platform.python_version()}"


def versions(names: Sequence[str]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for n in names:
        try:
            parts.append(f"{n} {version(n)}")
        except PackageNotFoundError:
            parts.append(f"{n} (not installed)")
    return ", ".join(parts)


def print_preamble(argv: Sequence[str], packages: Sequence[str]) -> None:
    print(f"# {Path(argv[0]).name}  {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"command: python {' '.join(shlex.quote(a) for a in argv)}")
    print(f"machine: {machine_info()}")
    print(f"versions: {versions(packages)}; repo at {git_rev()}")
    print(f"load average at start: {load()} (other work on the machine skews timings)", flush=True)


def git_rev() -> str:
    """The commit of the checkout (the installed subwordx may be built from another state)."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return f"{rev or '?'}{' (uncommitted changes)' if dirty else ''}"


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ----------------------------------------------------------------------------------- subwordx
def subwordx_status() -> str | None:
    """None when the compiled subwordx core imports; otherwise why not."""
    try:
        import subwordx  # noqa: F401
        from subwordx import _core  # noqa: F401
    except Exception as e:  # ImportError, or a broken build
        return f"{type(e).__name__}: {e}"
    return None


# ----------------------------------------------------------------------------------- byte level
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable char table (as HF ByteLevel and tiktoken's gpt2 loader use)."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs), strict=False))


def unicode_to_bytes() -> dict[str, int]:
    return {c: b for b, c in bytes_to_unicode().items()}


def byte_level_token_bytes(token: str, table: dict[str, int] | None = None) -> bytes:
    table = table or unicode_to_bytes()
    return bytes(table[c] for c in token)


# ----------------------------------------------------------------------------------- corpora
def build_bpe_corpus(shared: Path, scratch: Path, size_mb: float) -> tuple[Path, str]:
    """The BPE training corpus: gcide.txt, botchan.txt, lee_background.cor, then gcide.txt again,
    ... concatenated and cut at the last newline at or before ``size_mb`` MiB. Built once into
    ``scratch`` (git-ignored); returns the path and a one-line description."""
    corpora = shared / "data" / "corpora"
    order = ["gcide.txt", "botchan.txt", "lee_background.cor"]
    limit = int(size_mb * 2**20)
    tag = f"{size_mb:g}".replace(".", "p")
    path = scratch / f"bpe_corpus_{tag}mib.txt"
    if not path.exists() or path.stat().st_size == 0:
        tmp = path.with_suffix(".tmp")
        written = 0
        with open(tmp, "wb") as out:
            i = 0
            while True:
                data = (corpora / order[i % len(order)]).read_bytes()
                i += 1
                if not data.endswith(b"\n"):
                    data += b"\n"
                room = limit - written
                if len(data) > room:
                    cut = data.rfind(b"\n", 0, room)
                    out.write(data[: cut + 1])
                    break
                out.write(data)
                written += len(data)
        os.replace(tmp, path)
    size = path.stat().st_size
    desc = (
        f"{path.name}: {size:,} bytes = gcide.txt + botchan.txt + lee_background.cor repeated in "
        f"that order, cut at the last newline <= {size_mb:g} MiB"
    )
    return path, desc


def text8_words(shared: Path) -> str:
    """gcide in text8 style: lowercase ASCII letters, every other run of bytes becomes one space
    (``tr 'A-Z' 'a-z' < gcide.txt | tr -cs 'a-z' ' '``)."""
    import re

    raw = (shared / "data" / "corpora" / "gcide.txt").read_bytes().lower()
    # bytes.lower() only touches ASCII A-Z, like tr 'A-Z' 'a-z'
    return re.sub(rb"[^a-z]+", b" ", raw).decode("ascii")


def mb(n_bytes: int) -> float:
    return n_bytes / 1e6


def now() -> float:
    return time.perf_counter()
