"""Replays the inputs the fuzzers kept (fuzz/crashes/) and runs a short deterministic fuzzing pass
of every tokenizer file loader: a loader may refuse a file only with a subwordx.errors exception."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import subwordx
from subwordx.errors import SubwordxError

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
KEPT = sorted(p for p in (FUZZ / "crashes").iterdir() if p.is_dir())


def test_kept_inputs_load_or_fail_cleanly() -> None:
    for case in KEPT:
        files = sorted(case.iterdir())
        main = next((f for f in files if f.name == "vocab.json"), files[0])
        try:
            tok = subwordx.Tokenizer.load(main)
            tok.decode(tok.encode("hello world 東京").ids)
        except SubwordxError:
            pass


def test_a_short_fuzzing_pass_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz_model_bytes.py"), "0", "8"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert " 0 bugs" in done.stdout
