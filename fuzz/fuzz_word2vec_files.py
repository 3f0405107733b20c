"""Fuzzing of the embedding file loaders: word2vec .bin / .txt vector files (both backends) and
the native .npz model (KeyedVectors.load_full, then Word2Vec.load(...).train()).

Valid files are made from a small trained model, then mutated: bytes flipped, inserted, deleted,
spliced; headers rewritten with hostile counts; .npz configs and arrays swapped for hostile values
and types. Anything but a subwordx.errors exception (or success) is a bug: the input is saved to
the crash corpus (tests/fixtures/fuzz/word2vec/, replayed by tests/test_embeddings_reliability.py)
when --save is given, and the run fails.

Usage: python fuzz/fuzz_word2vec_files.py SEED SECONDS [--save]   (make fuzz)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from subwordx import KeyedVectors, Word2Vec
from subwordx.errors import SubwordxError

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fuzz" / "word2vec"
SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log"]] * 20
HOSTILE_INTS = [0, -1, 1, 2**31, 2**32, 2**40, 2**63, 2**64, 2**64 + 1, 10**15, 10**9, -(2**63)]
HOSTILE_VALUES: list[Any] = [*HOSTILE_INTS, None, "5", 1.5, float("nan"), [], {}, True, "cbow"]


def exercise(data: bytes, suffix: str, tmp: Path) -> str | None:
    """Loads ``data`` as a file with ``suffix`` every way a user can. Returns a description of the
    first outcome that is not success or a SubwordxError, else None."""
    path = tmp / f"input{suffix}"
    path.write_bytes(data)
    calls: list[tuple[str, Any]] = []
    if suffix == ".npz":
        calls.append(("KeyedVectors.load_full", lambda: KeyedVectors.load_full(path)))
        calls.append(
            (
                "Word2Vec.load().train()",
                lambda: Word2Vec.load(path, threads=1).train(SENTENCES, epochs=1),
            )
        )
    else:
        for backend in ("rust", "python"):
            for binary in (None, True, False):
                for limit in (None, 1):
                    calls.append(
                        (
                            f"load_word2vec_format({backend}, binary={binary}, limit={limit})",
                            lambda b=backend, bi=binary, li=limit: _load(path, b, bi, li),
                        )
                    )
    for name, call in calls:
        try:
            call()
        except SubwordxError:
            pass
        except Exception as exc:  # anything else is what the fuzzer looks for
            tb = traceback.format_exc(limit=3)
            return f"{name}: {type(exc).__name__}: {str(exc)[:300]}\n{tb}"
    return None


def _load(path: Path, backend: str, binary: bool | None, limit: int | None) -> None:
    old = os.environ.get("SUBWORDX_BACKEND")
    os.environ["SUBWORDX_BACKEND"] = backend
    try:
        KeyedVectors.load_word2vec_format(path, binary=binary, limit=limit, errors="strict")
    finally:
        if old is None:
            del os.environ["SUBWORDX_BACKEND"]
        else:
            os.environ["SUBWORDX_BACKEND"] = old


def seeds(tmp: Path) -> dict[str, list[bytes]]:
    """Valid files of every kind, from a small model (one with hierarchical softmax too)."""
    out: dict[str, list[bytes]] = {".bin": [], ".txt": [], ".npz": []}
    for hs, negative in ((False, 5), (True, 0), (True, 3)):
        model = Word2Vec(
            SENTENCES, dim=6, min_count=1, epochs=1, threads=1, hs=hs, negative=negative
        )
        for suffix, binary in ((".bin", True), (".txt", False)):
            p = tmp / f"seed{suffix}"
            model.save_word2vec_format(p, binary=binary)
            out[suffix].append(p.read_bytes())
        p = tmp / "seed.npz"
        model.save(p)
        out[".npz"].append(p.read_bytes())
    return out


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        at = rng.randrange(len(b) + 1)
        if op == 0 and b:  # flip a byte
            b[min(at, len(b) - 1)] = rng.randrange(256)
        elif op == 1:  # insert bytes
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2:  # delete a run
            del b[at : at + rng.randint(1, 64)]
        elif op == 3:  # truncate
            del b[at:]
        elif op == 4:  # duplicate a run
            b[at:at] = b[at : at + rng.randint(1, 256)]
        elif op == 5:  # special bytes
            b[at:at] = rng.choice([b"\n", b" ", b"\xff", b"\xc3", b"\0", b"\r\n", b"nan", b"-"])
        else:  # a hostile header
            count = rng.choice([*HOSTILE_INTS, 999999999, 3, 2])
            dim = rng.choice([*HOSTILE_INTS, 999999, 6, 5])
            end = b.find(b"\n")
            b[: end if end >= 0 else 0] = f"{count} {dim}".encode()
    return bytes(b)


def mutate_npz(rng: random.Random, data: bytes) -> bytes:
    """Structured mutations of a native model: hostile config values, swapped array types and
    shapes, missing or extra members."""
    with np.load(io.BytesIO(data)) as npz:
        arrays: dict[str, Any] = {k: npz[k] for k in npz.files}
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and "config" in arrays:
            try:
                config = json.loads(str(arrays["config"]))
            except ValueError:
                config = {}
            if not isinstance(config, dict):
                config = {}
            key = rng.choice([*config, "kind", "losses", "extra"])
            config[key] = rng.choice(HOSTILE_VALUES)
            arrays["config"] = np.array(json.dumps(config))
        elif op == 1:
            name = rng.choice(sorted(arrays))
            arr = np.asarray(arrays[name])
            arrays[name] = rng.choice(
                [
                    arr.astype(np.int64) if arr.dtype.kind in "fiu" else arr,
                    arr.astype(np.float64) if arr.dtype.kind in "fiu" else arr,
                    arr.reshape(-1) if arr.ndim else arr,
                    arr[: max(0, len(arr) - 1)] if arr.ndim else arr,
                    -arr if arr.dtype.kind in "fi" else arr,
                    np.array(rng.choice(HOSTILE_INTS[:8])),
                    np.array("garbage"),
                ]
            )
        elif op == 2 and arrays:
            del arrays[rng.choice(sorted(arrays))]
        elif (
            op == 3 and "counts" in arrays and arrays["counts"].ndim == 1 and arrays["counts"].size
        ):
            counts = arrays["counts"].astype(np.uint64)
            counts[rng.randrange(len(counts))] = rng.choice([0, 2**63, 2**64 - 1, 10**15])
            arrays["counts"] = counts
        elif op == 4:
            arrays["format"] = np.array(rng.choice(['{"format": 1}', "[]", "{", '"x"', "{}"]))
        else:
            buf = io.BytesIO()
            np.savez(buf, **arrays)
            return mutate_bytes(rng, buf.getvalue())
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    seed, seconds = int(argv[1]), float(argv[2])
    save = "--save" in argv
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="subwordx-fuzz-") as d:
        tmp = Path(d)
        pool = seeds(tmp)
        start = time.time()
        cases = bad = 0
        while time.time() - start < seconds:
            suffix = rng.choice(sorted(pool))
            base = rng.choice(pool[suffix])
            if suffix == ".npz" and rng.random() < 0.7:
                data = mutate_npz(rng, base)
            else:
                data = mutate_bytes(rng, base)
            cases += 1
            problem = exercise(data, suffix, tmp)
            if problem is not None:
                bad += 1
                name = hashlib.sha256(data).hexdigest()[:16] + suffix
                print(f"BAD {name}: {problem}", flush=True)
                if save:
                    CORPUS.mkdir(parents=True, exist_ok=True)
                    (CORPUS / name).write_bytes(data)
                if bad >= 10:
                    break
    print(f"word2vec files: {cases} cases, {bad} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
