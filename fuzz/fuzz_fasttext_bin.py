"""Fuzzing of the fastText ``.bin`` reader (``FastText.load``, then ``wv`` and ``most_similar``;
``FastTextClassifier.load``, then ``predict`` and ``test``).

Valid files are made from small models (skip-gram with negative sampling, CBOW with hierarchical
softmax, no n-grams; classifiers with softmax, and with hierarchical softmax over word bigrams and
character n-grams), then mutated: bytes flipped, inserted, deleted, truncated, and the header's
integer fields (args, dictionary counts, matrix shapes) rewritten with hostile values. Anything but
a subwordx.errors exception (or success) is a bug: the run prints it and fails; with --save the
input is kept under tests/fixtures/fuzz/fasttext/.

Usage: python fuzz/fuzz_fasttext_bin.py SEED SECONDS [--save]   (make fuzz)
"""

from __future__ import annotations

import hashlib
import random
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path

from subwordx import FastText, FastTextClassifier
from subwordx.errors import SubwordxError

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fuzz" / "fasttext"
HOSTILE_INTS = [0, -1, 1, 2, 2**31 - 1, -(2**31), 10**9, 10**12, 2**62, -(2**63)]
SENTENCES = [["the", "cat", "sat", "on", "la", "même", "natte"], ["日本", "cat", "a", "log"]] * 20


def exercise(data: bytes, tmp: Path) -> str | None:
    """Loads ``data`` as a ``.bin`` and queries it; returns the first non-SubwordxError failure."""
    path = tmp / "input.bin"
    path.write_bytes(data)
    try:
        m = FastText.load(path, threads=1)
        wv = m.wv
        wv.most_similar(wv.index_to_key[0] if len(wv) else "cat", topn=2)
        wv["unseenword"]
    except (SubwordxError, KeyError):
        pass
    except Exception as exc:  # anything else is what the fuzzer looks for
        return f"{type(exc).__name__}: {str(exc)[:300]}\n{traceback.format_exc(limit=3)}"
    try:
        c = FastTextClassifier.load(path, threads=1)
        c.predict(["the cat sat", "日本 unseen"], k=-1, threshold=0.1)
        c.test(["__label__a the cat", "__label__b 日本 log"], k=2)
        c.get_sentence_vector("the cat")
    except SubwordxError:
        pass
    except Exception as exc:  # anything else is what the fuzzer looks for
        return f"{type(exc).__name__}: {str(exc)[:300]}\n{traceback.format_exc(limit=3)}"
    return None


def seeds(tmp: Path) -> list[bytes]:
    out = []
    for kw in (
        {"model": "skipgram"},
        {"model": "cbow", "hs": True},
        {"model": "skipgram", "max_n": 0},
    ):
        m = FastText(SENTENCES, dim=4, min_count=1, bucket=20, epochs=1, threads=1, **kw)  # type: ignore[arg-type]
        p = tmp / "seed.bin"
        m.save(p)
        out.append(p.read_bytes())
    labelled = tmp / "labelled.txt"
    labelled.write_text(
        "".join(f"__label__{'ab'[i % 2]} {' '.join(s)}\n" for i, s in enumerate(SENTENCES)),
        encoding="utf-8",
    )
    for ckw in ({}, {"loss": "hs", "word_ngrams": 2, "min_n": 2, "max_n": 3, "bucket": 20}):
        c = FastTextClassifier(labelled, dim=4, epochs=1, threads=1, **ckw)  # type: ignore[arg-type]
        p = tmp / "seed.bin"
        c.save(p)
        out.append(p.read_bytes())
    return out


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(at, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2:
            del b[at : at + rng.randint(1, 64)]
        elif op == 3:
            del b[at:]
        elif op == 4:
            # An int32 field of the args or dictionary header (offsets 8..76).
            field = rng.randrange(8, 76, 4)
            b[field : field + 4] = struct.pack("<i", rng.choice(HOSTILE_INTS[:8]) % 2**32 - 2**31)
        else:
            # An int64 matrix dimension: find a matrix header by its quantization byte.
            at = rng.randrange(len(b) - 16) if len(b) > 16 else 0
            b[at : at + 8] = struct.pack("<q", rng.choice(HOSTILE_INTS))
    return bytes(b)


def main(argv: list[str]) -> int:
    seed, seconds = int(argv[1]), float(argv[2])
    save = "--save" in argv
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="subwordx-fuzz-ft-") as d:
        tmp = Path(d)
        pool = seeds(tmp)
        start = time.time()
        cases = bad = 0
        while time.time() - start < seconds:
            data = mutate(rng, rng.choice(pool))
            cases += 1
            problem = exercise(data, tmp)
            if problem is not None:
                bad += 1
                name = hashlib.sha256(data).hexdigest()[:16] + ".bin"
                print(f"BAD {name}: {problem}", flush=True)
                if save:
                    CORPUS.mkdir(parents=True, exist_ok=True)
                    (CORPUS / name).write_bytes(data)
        print(f"fastText .bin: {cases} cases, {bad} bugs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
