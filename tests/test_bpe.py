"""Behaviour of the public BPE API, on both backends (the `backend` fixture)."""

from __future__ import annotations

import collections
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import subwordx
from subwordx import Tokenizer, train_bpe
from subwordx.errors import (
    ConfigError,
    EmptyCorpusError,
    InvalidUtf8Error,
    ModelFormatError,
    SubwordxFileNotFoundError,
    VocabSizeTooSmallError,
)
from tests.conftest import FIXTURES, fixture_lines


@pytest.fixture
def small_corpus(tmp_path: Path, botchan: Path) -> Path:
    """The first 600 lines of Botchan: big enough to be real, small enough for the reference."""
    lines = botchan.read_text(encoding="utf-8").split("\n")[:600]
    p = tmp_path / "small.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _replay_is_exact(tok: Tokenizer, words: collections.Counter[str]) -> None:
    """Each merge must be a most frequent pair of the current segmentation (docs/bpe.md §3)."""
    suffix = tok.config["model"]["end_of_word_suffix"]
    segs = {w: [*list(w[:-1]), w[-1] + suffix] for w in words}
    for a, b in tok.merges:
        pairs: collections.Counter[tuple[str, str]] = collections.Counter()
        for w, syms in segs.items():
            for x, y in zip(syms, syms[1:]):
                pairs[x, y] += words[w]
        best = max(pairs.values())
        assert pairs[a, b] == best, (a, b, pairs[a, b], best)
        # The tie-break: among the best pairs, the smallest (left, right).
        assert (a, b) == min(p for p, c in pairs.items() if c == best)
        for w, syms in segs.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            segs[w] = out


def test_classic_bpe_is_exact_bpe(backend: str) -> None:
    text = "low lower lowest newer newest wider new low low lower " * 3
    tok = train_bpe(texts=[text], vocab_size=60, pre_tokenizer="whitespace")
    assert tok.backend == backend
    assert len(tok.merges) > 5
    _replay_is_exact(tok, collections.Counter(text.split()))
    assert tok.decode(tok.encode("lower newest").ids) == "lower newest"


def test_training_sources_agree(backend: str, small_corpus: Path) -> None:
    """Files, an iterator of lines and pre-counted words give the same tokenizer."""
    from_files = train_bpe(small_corpus, vocab_size=400, pre_tokenizer="whitespace")
    lines = small_corpus.read_text(encoding="utf-8").split("\n")
    from_texts = train_bpe(texts=iter(lines), vocab_size=400, pre_tokenizer="whitespace")
    counts = collections.Counter(small_corpus.read_text(encoding="utf-8").split())
    from_counts = train_bpe(word_counts=counts, vocab_size=400, pre_tokenizer="whitespace")
    assert from_files.merges == from_texts.merges == from_counts.merges
    assert from_files.get_vocab() == from_counts.get_vocab()
    assert from_files.vocab_size == 400


def test_thread_count_does_not_change_the_result(backend: str, small_corpus: Path) -> None:
    one = train_bpe(small_corpus, vocab_size=500, byte_level=True, threads=1)
    two = train_bpe(small_corpus, vocab_size=500, byte_level=True, threads=2)
    assert one.merges == two.merges
    assert one.to_str() == two.to_str()


def test_byte_level_round_trips_multilingual_text(backend: str, small_corpus: Path) -> None:
    tok = train_bpe(small_corpus, vocab_size=400, byte_level=True)
    texts = [
        "Hello,  world!\tTabs and\r\n newlines  ",
        "emoji 😀‍ and ́ combining, café, naïve",
        *fixture_lines("neko_head.txt")[:5],
        *fixture_lines("tang300_head.txt")[:5],
        "",
        " ",
    ]
    for text in texts:
        enc = tok.encode(text)
        assert enc.ids.dtype == np.uint32
        assert tok.decode(enc.ids) == text
    batch = tok.encode_batch(texts)
    assert [e.ids.tolist() for e in batch] == [tok.encode(t).ids.tolist() for t in texts]
    flat, starts = tok.encode_batch_ids(texts, threads=2)
    assert flat.dtype == np.uint32 and len(starts) == len(texts) + 1
    assert [flat[a:b].tolist() for a, b in zip(starts, starts[1:])] == [
        e.ids.tolist() for e in batch
    ]


def test_offsets_point_into_the_original_text(backend: str, small_corpus: Path) -> None:
    tok = train_bpe(small_corpus, vocab_size=400)
    text = "Hello, Shikoku! The schoolteacher's  town."
    enc = tok.encode(text)
    suffix = tok.config["model"]["end_of_word_suffix"]
    for token, (start, end) in zip(enc.tokens, enc.offsets.tolist()):
        piece = token[: -len(suffix)] if token.endswith(suffix) else token
        assert text[start:end] == piece
    bl = train_bpe(small_corpus, vocab_size=400, byte_level=True)
    text = "naïve 東京 tower"
    enc = bl.encode(text)
    # A token holding part of a char's bytes covers the whole char (docs/bpe.md §4.5), so
    # consecutive tokens can share a span; the distinct spans tile the text.
    spans = [tuple(span) for span in enc.offsets.tolist()]
    distinct = [span for i, span in enumerate(spans) if i == 0 or span != spans[i - 1]]
    covered = "".join(text[s:e] for s, e in distinct)
    assert covered.replace(" ", "") == text.replace(" ", "")


def test_chinese_without_spaces_works(backend: str, tmp_path: Path) -> None:
    lines = fixture_lines("tang300_head.txt")
    corpus = tmp_path / "zh.txt"
    corpus.write_text("\n".join(lines), encoding="utf-8")
    for byte_level in (False, True):
        # The classic alphabet alone holds ~600 distinct chars.
        tok = train_bpe(corpus, vocab_size=1500, byte_level=byte_level, min_frequency=2)
        assert len(tok.merges) > 10
        line = lines[3]
        ids = tok.encode(line).ids
        assert len(ids) < len(line.encode("utf-8"))
        decoded = tok.decode(ids)
        assert decoded.replace(" ", "") == line.replace(" ", "")


def test_special_tokens_and_template(backend: str, small_corpus: Path) -> None:
    tok = train_bpe(
        small_corpus,
        vocab_size=400,
        byte_level=True,
        special_tokens=["<|endoftext|>"],
        template=["<s>", "$A", "</s>"],
    )
    assert tok.token_to_id("<|endoftext|>") == 0
    s, e = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    enc = tok.encode("Hi<|endoftext|>there")
    ids = enc.ids.tolist()
    assert ids[0] == s and ids[-1] == e
    assert 0 in ids
    assert enc.offsets.tolist()[0] == [0, 0]
    assert (
        tok.encode("Hi", add_special_tokens=False).ids.tolist()
        == ids[1:-1][: len(tok.encode("Hi", add_special_tokens=False))]
    )
    plain = tok.encode("Hi<|endoftext|>", add_special_tokens=False, split_special_tokens=True)
    assert 0 not in plain.ids.tolist()
    assert tok.decode(ids) == "Hithere"
    assert tok.decode(ids, skip_special_tokens=False) == "<s>Hi<|endoftext|>there</s>"


@pytest.mark.parametrize("name", ["tok.json", "tok.swx.json", "vocab-merges"])
def test_save_load_round_trip(backend: str, small_corpus: Path, tmp_path: Path, name: str) -> None:
    for byte_level in (False, True):
        tok = train_bpe(small_corpus, vocab_size=350, byte_level=byte_level)
        path = tmp_path / f"{byte_level}-{name}"
        if name == "vocab-merges":
            tok.save(path, "vocab-merges")
            assert (path / "merges.txt").read_text(encoding="utf-8").startswith("#version")
        else:
            tok.save(path)
        back = Tokenizer.load(path)
        assert back.merges == tok.merges
        assert back.get_vocab() == tok.get_vocab()
        text = "It was a fine day, wasn't it?"
        assert back.encode(text).ids.tolist() == tok.encode(text).ids.tolist()
        assert not list(path.parent.glob("*.tmp"))


def test_pickle_ships_the_model(backend: str, small_corpus: Path) -> None:
    tok = train_bpe(small_corpus, vocab_size=300)
    back = pickle.loads(pickle.dumps(tok))
    assert back == tok
    assert back.encode("school").ids.tolist() == tok.encode("school").ids.tolist()


def test_hf_tokenizers_loads_our_file_and_agrees(
    backend: str, small_corpus: Path, tmp_path: Path
) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    lines = [line for line in small_corpus.read_text(encoding="utf-8").split("\n") if line][:200]
    lines += fixture_lines("neko_head.txt")[:10]
    for byte_level in (False, True):
        tok = train_bpe(small_corpus, vocab_size=500, byte_level=byte_level)
        path = tmp_path / f"hf-{byte_level}.json"
        tok.save(path)
        hf = tokenizers.Tokenizer.from_file(str(path))
        ours = [e.ids.tolist() for e in tok.encode_batch(lines)]
        theirs = [e.ids for e in hf.encode_batch(lines)]
        assert ours == theirs


def test_errors_name_the_problem(backend: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good line\nsecond good\nok \xff\xfe broken\n")
    with pytest.raises(InvalidUtf8Error) as info:
        train_bpe(bad, vocab_size=100)
    assert info.value.line == 3 and info.value.column == 3
    assert "bad.txt" in str(info.value) and ":3:" in str(info.value)
    tok = train_bpe(bad, vocab_size=100, errors="replace", min_frequency=1)
    assert tok.vocab_size <= 100

    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(EmptyCorpusError):
        train_bpe(empty, vocab_size=100)
    with pytest.raises(SubwordxFileNotFoundError):
        train_bpe(tmp_path / "missing.txt", vocab_size=100)
    with pytest.raises(FileNotFoundError):  # also the built-in class
        train_bpe(tmp_path / "missing.txt", vocab_size=100)
    ok = tmp_path / "ok.txt"
    ok.write_text("hello world\n", encoding="utf-8")
    with pytest.raises(VocabSizeTooSmallError):
        train_bpe(ok, vocab_size=3)
    with pytest.raises(VocabSizeTooSmallError):
        train_bpe(ok, vocab_size=100, byte_level=True)
    with pytest.raises(ConfigError):
        train_bpe(ok, vocab_size=0)
    with pytest.raises(ValueError):
        train_bpe(ok, vocab_size=-5)


def test_corrupt_model_files(backend: str, small_corpus: Path, tmp_path: Path) -> None:
    tok = train_bpe(small_corpus, vocab_size=300)
    good = tok.to_str("hf")
    cases = {
        "truncated.json": good[: len(good) // 2],
        "not-json.json": "this is not a tokenizer",
        "wrong-model.json": json.dumps({"model": {"type": "Unigram", "vocab": []}}),
        "bad-merge.json": good.replace('"merges": [', '"merges": [["nonexistent", "pair"], ', 1)
        if '"merges": [' in good
        else good.replace('"merges":[', '"merges":[["nonexistent","pair"],', 1),
    }
    for name, content in cases.items():
        p = tmp_path / name
        p.write_text(content, encoding="utf-8")
        with pytest.raises(ModelFormatError):
            Tokenizer.load(p)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x00\xff\xfe garbage")
    with pytest.raises(ModelFormatError):
        Tokenizer.load(binary)
    with pytest.raises(ModelFormatError):
        Tokenizer.from_bytes(tok.to_bytes()[:100])


def test_embedded_corpus_is_shipped() -> None:
    p = subwordx.embedded_corpus()
    assert p.exists() and p.stat().st_size > 100_000


def test_long_piece_without_whitespace_encodes(backend: str, small_corpus: Path) -> None:
    tok = train_bpe(small_corpus, vocab_size=500, byte_level=True)
    # One pre-tokenized piece: 1 MB for the core; the reference is quadratic by design, 3 KB
    repeats = 300 if backend == "python" else 100_000
    text = "abcdefghij" * repeats
    ids = tok.encode_ids(text, add_special_tokens=False)
    assert tok.decode(ids) == text


_BPE_CASES = json.loads((FIXTURES / "bpe_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _BPE_CASES, ids=lambda c: c["name"])
def test_golden_cases_shared_with_cargo(case: dict[str, Any], backend: str) -> None:
    """tests/fixtures/bpe_cases.json, which rust/subwordx-core/tests/bpe.rs reads too."""
    config = {"vocab_size": 1000, "min_frequency": 2, "special_tokens": [], **case["config"]}
    byte_level = bool(config.get("byte_level", False))
    suffix = config.get("end_of_word_suffix", "</w>")
    specials = list(config["special_tokens"])
    tok = subwordx.train_bpe(
        word_counts=case["words"],
        vocab_size=config["vocab_size"],
        min_frequency=config["min_frequency"],
        special_tokens=specials,
        byte_level=byte_level,
        unk_token=None if byte_level else (specials[0] if specials else "<unk>"),
        end_of_word_suffix=None if byte_level else (suffix or ""),
        continuing_subword_prefix=config.get("continuing_subword_prefix"),
    )
    assert [list(m) for m in tok.merges] == case["merges"], case["name"]
    vocab = tok.get_vocab()
    in_order = sorted(vocab, key=vocab.__getitem__)
    if "initial_vocab" in case:
        # Cargo's cases list their specials; the Python API adds "<unk>" first to classic BPE.
        listed = case["initial_vocab"]
        first = 0 if byte_level or listed[0] in specials else 1
        assert in_order[first : first + len(listed)] == listed
    # The Python API always gives classic BPE an unknown token (cargo's cases may drop unknown
    # chars instead): compare the words made only of known chars.
    affixes = ("</w>", config.get("continuing_subword_prefix") or "</w>")
    for word, tokens in case["encodings"]:
        covered = "".join(t.replace(affixes[0], "").replace(affixes[1], "") for t in tokens)
        if byte_level or covered == word:
            assert tok.encode(word, add_special_tokens=False).tokens == tokens, word
