"""Byte-level fuzzing of every tokenizer file loader: valid files of each format (tokenizer.json
with a BPE and a WordPiece model, the subwordx format, BERT's vocab.txt, vocab.json + merges.txt,
a .tiktoken rank file) are mutated (bytes flipped, inserted, deleted, lines repeated or cut,
numbers made huge or negative) and loaded, then encoded and decoded. A loader may refuse a file
only with a subwordx.errors exception; anything else (another exception, a crash, a hang) is a
bug, and the input is kept in ``fuzz/crashes/`` where ``tests/test_fuzz_replay.py`` replays it.

Usage: python fuzz/fuzz_model_bytes.py SEED SECONDS   (make fuzz)
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import subwordx
from subwordx.errors import SubwordxError

CRASHES = Path(__file__).parent / "crashes"
TEXTS = ["hello world 123", "ünïcode 東京 [CLS] <s>", "", "a" * 200]


def seeds(folder: Path) -> dict[str, dict[str, bytes]]:
    """One valid file set per format: {name: {file name: bytes}}."""
    texts = ["hello world 123 ünïcode 東京 <s> [UNK]"] * 20
    bpe = subwordx.train_bpe(texts=texts, vocab_size=120, special_tokens=["<s>"])
    blv = subwordx.train_bpe(texts=texts, vocab_size=300, byte_level=True)
    wp = subwordx.train_wordpiece(texts=texts, vocab_size=80, min_frequency=1)
    out: dict[str, dict[str, bytes]] = {
        "bpe.json": {"tokenizer.json": bpe.to_str("hf").encode()},
        "wordpiece.json": {"tokenizer.json": wp.to_str("hf").encode()},
        "native.swx.json": {"t.swx.json": wp.to_str("subwordx").encode()},
        "vocab.txt": {"vocab.txt": wp.to_str("vocab-txt").encode()},
        "r50k.tiktoken": {"r50k.tiktoken": blv.to_str("tiktoken").encode()},
    }
    blv.save(folder / "vm", "vocab-merges")
    out["vocab-merges"] = {
        "vocab.json": (folder / "vm" / "vocab.json").read_bytes(),
        "merges.txt": (folder / "vm" / "merges.txt").read_bytes(),
    }
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        i = rng.randrange(len(b) + 1)
        if kind == 0 and b:  # flip a byte
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif kind == 1:  # insert junk or a structural char
            b[i:i] = rng.choice([b"\xff", b"\n", b'"', b"{", b"]", b",", b" ", b"\x00", b"##"])
        elif kind == 2:  # delete a run
            del b[i : i + rng.randint(1, 64)]
        elif kind == 3:  # truncate
            del b[i:]
        elif kind == 4:  # repeat a line
            lines = bytes(b).split(b"\n")
            j = rng.randrange(len(lines))
            lines.insert(j, lines[j])
            b = bytearray(b"\n".join(lines))
        else:  # a number made huge or negative
            b[i:i] = rng.choice([b"99999999999999999999", b"-1", b"4294967295", b"1e308"])
    return bytes(b)


def exercise(folder: Path, main_name: str) -> None:
    tok = subwordx.Tokenizer.load(folder / main_name)
    for text in TEXTS:
        ids = tok.encode(text).ids
        tok.decode(ids)
    tok.to_str("subwordx")


def main() -> int:
    rng = random.Random(int(sys.argv[1]))
    budget = float(sys.argv[2])
    start = time.time()
    runs = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = seeds(Path(tmp))
        while time.time() - start < budget:
            name = rng.choice(sorted(base))
            files = dict(base[name])
            target = rng.choice(sorted(files))
            files[target] = mutate(files[target], rng)
            case = Path(tmp) / f"case{runs}"
            case.mkdir()
            for fname, data in files.items():
                (case / fname).write_bytes(data)
            main_name = "vocab.json" if name == "vocab-merges" else next(iter(files))
            runs += 1
            try:
                exercise(case, main_name)
            except SubwordxError:
                pass
            except Exception as e:  # a bug: keep the input
                bad += 1
                keep = CRASHES / f"{name}-{runs}"
                keep.mkdir(parents=True, exist_ok=True)
                for fname, data in files.items():
                    (keep / fname).write_bytes(data)
                print(f"BUG {type(e).__name__}: {str(e)[:200]} (kept in {keep})")
            for f in case.iterdir():
                f.unlink()
            case.rmdir()
    print(f"{runs} mutated files, {bad} bugs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
