"""BPE-dropout set by a tokenizer.json (``"dropout": p``) or by ``Tokenizer.with_dropout``: HF's
process, drawn call by call from the tokenizer's seed stream (docs/tokenizer.md §4)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import tokenizers as hf
from tokenizers.models import BPE as HFBPE
from tokenizers.pre_tokenizers import WhitespaceSplit

import subwordx
from subwordx import Tokenizer
from subwordx.cli import main
from subwordx.errors import ConfigError, ModelFormatError
from tests.conftest import shared

HELLO_VOCAB = {
    "h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 5, "hell": 6, "hello": 7,
    "w": 8, "r": 9, "d": 10, "wo": 11, "or": 12, "wor": 13, "ld": 14, "world": 15,
}  # fmt: skip
HELLO_MERGES = [
    ("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("w", "o"), ("wo", "r"), ("l", "d"),
    ("wor", "ld"), ("o", "r"),
]  # fmt: skip


def _hf_hello(dropout: float | None, ignore_merges: bool = False) -> hf.Tokenizer:
    t = hf.Tokenizer(HFBPE(HELLO_VOCAB, HELLO_MERGES, dropout=dropout, ignore_merges=ignore_merges))
    t.pre_tokenizer = WhitespaceSplit()
    return t


def _lines(name: str, count: int) -> list[str]:
    text = shared(f"corpora/{name}").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()][:count]


@pytest.fixture(scope="module")
def byte_level_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A byte-level BPE trained on the embedded English corpus, as HF's tokenizer.json."""
    tok = subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=2000, byte_level=True)
    doc: dict[str, object] = json.loads(tok.to_str("hf"))
    return doc


def _with_dropout(doc: dict[str, object], p: float | None, path: Path) -> Path:
    doc = json.loads(json.dumps(doc))
    doc["model"]["dropout"] = p  # type: ignore[index]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_dropout_one_gives_hf_ids_on_real_text(
    backend: str, byte_level_json: dict[str, object], tmp_path: Path
) -> None:
    # p = 1 drops every merge in HF too: the one dropout whose HF output is not random.
    path = _with_dropout(byte_level_json, 1.0, tmp_path / "tokenizer.json")
    ours = Tokenizer.load(path)
    theirs = hf.Tokenizer.from_file(str(path))
    assert ours.dropout == 1.0
    lines = _lines("botchan.txt", 60) + _lines("wagahaiwa_nekodearu.txt", 20)
    for line in lines:
        expected = theirs.encode(line)
        got = ours.encode(line)
        assert got.ids.tolist() == expected.ids, line
        assert [tuple(o) for o in got.offsets.tolist()] == expected.offsets, line
    # No merge at all: one token per byte of the line.
    assert len(ours.encode(lines[0]).ids) == len(lines[0].encode("utf-8"))


def test_dropout_zero_is_plain_bpe_as_in_hf(backend: str, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    _hf_hello(0.0, ignore_merges=True).save(str(path))
    ours = Tokenizer.load(path)
    assert ours.dropout is None
    text = "hello world xyz"
    assert ours.encode(text).tokens == _hf_hello(0.0, ignore_merges=True).encode(text).tokens


def test_the_distribution_is_hfs(backend: str, tmp_path: Path) -> None:
    # HF draws from an unseeded generator: only the distribution can be compared. A chi-square
    # test of homogeneity over the segmentations of "hello world" (p-value floor 1e-6: a false
    # alarm once in a million runs; a wrong process, e.g. one draw per step, fails it flat).
    from scipy.stats import chi2_contingency

    path = tmp_path / "t.json"
    _hf_hello(0.4, ignore_merges=True).save(str(path))
    ours = Tokenizer.load(path, backend=backend)
    theirs = hf.Tokenizer.from_file(str(path))
    n = 3000 if backend == "rust" else 1500
    text = "hello world"
    a = Counter(tuple(ours.encode(text).tokens) for _ in range(n))
    b = Counter(tuple(theirs.encode(text).tokens) for _ in range(n))
    keys = [k for k in set(a) | set(b) if a[k] + b[k] >= 10]
    assert len(keys) > 10
    table = [[a[k] for k in keys], [b[k] for k in keys]]
    _, pvalue, _, _ = chi2_contingency(table)
    assert pvalue > 1e-6, (a.most_common(5), b.most_common(5))


def test_backends_agree_bit_for_bit_on_a_tiktoken_vocabulary() -> None:
    # The rank-merged model (tiktoken's) with dropout: the same seed stream gives the same ids
    # on the Rust core and the reference, line after line and in a batch.
    path = shared("tokenizers/openai/r50k_base.tiktoken")
    lines = _lines("botchan.txt", 25) + _lines("wagahaiwa_nekodearu.txt", 8)
    rust = Tokenizer.load(path, backend="rust").with_dropout(0.2, seed=99)
    python = Tokenizer.load(path, backend="python").with_dropout(0.2, seed=99)
    assert [rust.encode(x).ids.tolist() for x in lines] == [
        python.encode(x).ids.tolist() for x in lines
    ]
    assert [e.ids.tolist() for e in rust.encode_batch(lines, threads=2)] == [
        e.ids.tolist() for e in python.encode_batch(lines)
    ]
    # Each line still decodes to itself, whatever was dropped.
    for line in lines:
        assert rust.decode(rust.encode(line).ids) == line


def test_the_seed_stream(backend: str) -> None:
    tok = subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=600).with_dropout(0.3, seed=4)
    assert tok.dropout == 0.3
    lines = _lines("botchan.txt", 12)
    calls = [tok.encode(x) for x in lines]
    # Details come from the call that gave the ids (one draw per call).
    for enc in calls:
        assert len(enc.tokens) == len(enc.ids) == len(enc.offsets)
    replay = tok.with_dropout(0.3, seed=4)
    # Call k is encode_sample with the k-th seed; batches take consecutive calls in order, on
    # any number of threads; ids-only paths draw from the same stream.
    batch = replay.encode_batch(lines[:6], threads=2)
    flat, starts = replay.encode_batch_ids(lines[6:10], threads=2)
    ids = [flat[a:b].tolist() for a, b in zip(starts, starts[1:])]
    rest = [replay.encode_ids(x).tolist() for x in lines[10:]]
    flat_batch = [e.ids.tolist() for e in batch] + ids + rest
    assert flat_batch == [e.ids.tolist() for e in calls]
    # Dropout changes encodings from call to call, but never the text they stand for.
    plain = tok.with_dropout(None)
    assert plain.dropout is None
    assert any(c.ids.tolist() != plain.encode(x).ids.tolist() for c, x in zip(calls, lines))
    other = tok.with_dropout(0.3, seed=5)
    assert [other.encode(x).ids.tolist() for x in lines] != [c.ids.tolist() for c in calls]
    for enc, line in zip(calls, lines):
        assert tok.decode(enc.ids) == plain.decode(plain.encode(line).ids)


def test_saved_and_loaded_with_the_setting(backend: str, tmp_path: Path) -> None:
    tok = subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=500).with_dropout(0.15)
    tok.save(tmp_path / "t.json", "hf")
    assert hf.Tokenizer.from_file(str(tmp_path / "t.json")).model.dropout == pytest.approx(0.15)
    assert Tokenizer.load(tmp_path / "t.json").dropout == 0.15
    tok.save(tmp_path / "t.subwordx.json")
    again = Tokenizer.load(tmp_path / "t.subwordx.json")
    assert again.dropout == 0.15
    assert again == tok
    assert again.with_dropout(None) != tok


def test_bad_settings_are_refused(backend: str, tmp_path: Path) -> None:
    for bad in (1.5, -0.1, "0.1", True):
        doc = json.loads(_hf_hello(None).to_str())
        doc["model"]["dropout"] = bad
        (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(ModelFormatError, match="dropout"):
            Tokenizer.load(tmp_path / "bad.json")
    tok = subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=400)
    for p in (2.0, -1.0, float("nan"), "x"):
        with pytest.raises(ConfigError, match="dropout"):
            tok.with_dropout(p)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="seed"):
        tok.with_dropout(0.1, seed=-1)
    wordpiece = subwordx.train_wordpiece(subwordx.embedded_corpus(), vocab_size=400)
    with pytest.raises(ConfigError, match="BPE"):
        wordpiece.with_dropout(0.1)
    assert wordpiece.with_dropout(None).dropout is None


def test_cli_encodes_with_the_files_dropout(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=500).with_dropout(0.3).save(
        path, "hf"
    )
    text = tmp_path / "in.txt"
    text.write_text("\n".join(_lines("botchan.txt", 8)) + "\n", encoding="utf-8")

    def run(*argv: str) -> str:
        assert main(["encode", "-t", str(path), *argv, str(text)]) == 0
        return capsys.readouterr().out

    seeded = run("--seed", "3")
    assert seeded == run("--seed", "3")
    assert seeded != run("--seed", "4")
    stream = Tokenizer.load(path).with_dropout(0.3, seed=3)
    expected = [stream.encode(x).ids.tolist() for x in _lines("botchan.txt", 8)]
    assert [[int(i) for i in row.split()] for row in seeded.splitlines()] == expected
    plain = Tokenizer.load(path).with_dropout(None)
    rows = run("--no-dropout").splitlines()
    assert rows == [" ".join(map(str, plain.encode(x).ids)) for x in _lines("botchan.txt", 8)]
    assert main(["info", str(path)]) == 0
    assert "dropout" in capsys.readouterr().out


def test_encode_sample_with_dropout_agrees_across_backends(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    subwordx.train_bpe(subwordx.embedded_corpus(), vocab_size=700).save(path, "hf")
    rust = Tokenizer.load(path, backend="rust")
    python = Tokenizer.load(path, backend="python")
    for seed, line in enumerate(_lines("botchan.txt", 15)):
        a = rust.encode_sample(line, dropout=0.25, seed=seed)
        b = python.encode_sample(line, dropout=0.25, seed=seed)
        assert a.ids.tolist() == b.ids.tolist(), line
        assert a.offsets.tolist() == b.offsets.tolist(), line
    # dropout = 0 is the plain encoding on both.
    line = _lines("botchan.txt", 1)[0]
    assert python.encode_sample(line, dropout=0.0, seed=1).ids.tolist() == (
        rust.encode(line).ids.tolist()
    )
