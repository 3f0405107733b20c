"""Byte-level fuzzing of the SentencePiece ``.model`` reader (docs/sentencepiece.md): the real
test model (Unigram) and the same pieces relabelled BPE are mutated (bytes flipped, inserted,
deleted, truncated, varints made huge) and loaded by both backends, then encoded, decoded and
saved back. A loader may refuse a file only with a subwordx.errors exception; anything else is a
bug, and the input is kept in ``fuzz/crashes/`` (replayed by ``tests/test_fuzz_replay.py``).

Usage: python fuzz/fuzz_sentencepiece.py SEED SECONDS   (make fuzz)
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import subwordx
from subwordx.errors import SubwordxError
from subwordx.reference.sentencepiece import ModelProto

CRASHES = Path(__file__).parent / "crashes"
TEST_MODEL = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/tokenizers/sentencepiece/test_model.model"
)
TEXTS = ["hello world 123", "ünïcode 東京 <s> ｶﾞ ①", "", "  a  b  ", "a" * 200]


def seeds() -> dict[str, bytes]:
    unigram = TEST_MODEL.read_bytes()
    proto = ModelProto.parse(unigram)
    proto.trainer = [f for f in proto.trainer if f[0] != 3] + [(3, 0, 2)]  # model_type BPE
    return {"unigram.model": unigram, "bpe.model": proto.to_bytes()}


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        i = rng.randrange(len(b) + 1)
        if kind == 0 and b:  # flip a byte
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif kind == 1:  # insert a tag, a huge varint or junk
            b[i:i] = rng.choice([b"\x0a", b"\xff\xff\xff\xff\x0f", b"\x12\x7f", b"\x00", b"\x1d"])
        elif kind == 2:  # delete a run
            del b[i : i + rng.randint(1, 64)]
        elif kind == 3:  # truncate
            del b[i:]
        else:  # duplicate a run (a piece twice, a spec twice)
            j = min(i + rng.randint(1, 200), len(b))
            b[i:i] = b[i:j]
    return bytes(b)


def exercise(path: Path, backend: str) -> None:
    tok = subwordx.Tokenizer.load(path, backend=backend)
    for text in TEXTS:
        tok.decode(tok.encode(text).ids)
    tok.save(path.with_name("saved.model"))


def main() -> int:
    rng = random.Random(int(sys.argv[1]))
    budget = float(sys.argv[2])
    start = time.time()
    runs = bad = 0
    base = seeds()
    with tempfile.TemporaryDirectory() as tmp:
        while time.time() - start < budget:
            name = rng.choice(sorted(base))
            data = mutate(base[name], rng)
            path = Path(tmp) / name
            path.write_bytes(data)
            runs += 1
            for backend in ("rust", "python"):
                try:
                    exercise(path, backend)
                except SubwordxError:
                    pass
                except Exception as e:  # a bug: keep the input
                    bad += 1
                    keep = CRASHES / f"spm-{name}-{runs}"
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / name).write_bytes(data)
                    print(f"BUG ({backend}) {type(e).__name__}: {str(e)[:200]} (kept in {keep})")
    print(f"{runs} mutated files, {bad} bugs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
