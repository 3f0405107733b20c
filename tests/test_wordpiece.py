"""WordPiece (docs/wordpiece.md): training exactly by the likelihood score, BERT-exact encoding,
vocab.txt and tokenizer.json both ways, the CLI."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import subwordx
from subwordx.cli import main
from subwordx.errors import (
    ConfigError,
    EmptyCorpusError,
    ModelFormatError,
    VocabSizeTooSmallError,
)

from .conftest import FIXTURES, SHARED_ACCEPTANCE, shared

CASES = json.loads((FIXTURES / "wordpiece_cases.json").read_text(encoding="utf-8"))
BERT = "tokenizers/bert-uncased"


def vocab_in_order(tok: subwordx.Tokenizer) -> list[str]:
    v = tok.get_vocab()
    return sorted(v, key=v.__getitem__)


@pytest.mark.parametrize("case", CASES["train"], ids=lambda c: c["name"])
def test_golden_training_cases(case: dict[str, object], backend: str) -> None:
    tok = subwordx.train_wordpiece(
        word_counts=case["words"],  # type: ignore[arg-type]
        vocab_size=case["vocab_size"],  # type: ignore[arg-type]
        min_frequency=case["min_frequency"],  # type: ignore[arg-type]
        special_tokens=case["special_tokens"],  # type: ignore[arg-type]
    )
    assert vocab_in_order(tok) == case["vocab"]


@pytest.mark.parametrize("case", CASES["encode"], ids=lambda c: c["name"])
def test_golden_encoding_cases(case: dict[str, object], backend: str, tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(case["vocab"]) + "\n", encoding="utf-8")  # type: ignore[arg-type]
    tok = subwordx.Tokenizer.load(vocab, lowercase=False)
    for word, want in case["words"].items():  # type: ignore[attr-defined]
        assert tok.encode(word, add_special_tokens=False).tokens == want, word


def _bert_lines() -> list[str]:
    lines = shared("corpora/botchan.txt").read_text(encoding="utf-8").splitlines()
    lines += shared("corpora/zh/chinese").read_text(encoding="utf-8").splitlines()[:2000]
    lines += (
        shared("corpora/wagahaiwa_nekodearu.txt").read_text(encoding="utf-8").splitlines()[:300]
    )
    lines += [
        "Héllo wörld naïve café ÅNGSTRÖM",
        "x" * 150,
        "a" * 100,
        "ｶﾞ aｶﾞ ﬁ",
        "\x00bad\u200bchars\u0301 tab\there",
        "[CLS] hello [SEP] [MASK] [unk]",
        "emoji 🎉🎉 and \U0001f469\u200d\U0001f4bb",
        "",
        "   ",
    ]
    return lines


@pytest.mark.parametrize("name", ["tokenizer.json", "vocab.txt"])
def test_real_bert_gives_hf_ids_and_offsets(name: str) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    hf = tokenizers.Tokenizer.from_file(str(shared(f"{BERT}/tokenizer.json")))
    hf.no_padding()
    hf.no_truncation()
    tok = subwordx.Tokenizer.load(shared(f"{BERT}/{name}"), backend="rust")
    tok = tok.with_truncation(None).with_padding(enabled=False)
    lines = _bert_lines()
    ours = tok.encode_batch(lines)
    for line, h, s in zip(lines, hf.encode_batch(lines), ours):
        assert s.ids.tolist() == h.ids, line
        assert [tuple(o) for o in s.offsets.tolist()] == h.offsets, line
        assert s.tokens == h.tokens, line
        assert tok.encode_ids(line).tolist() == h.ids
    h = hf.encode("Is this the first?", "And the second one.")
    s = tok.encode("Is this the first?", pair="And the second one.")
    assert (s.ids.tolist(), s.type_ids.tolist()) == (h.ids, h.type_ids)
    assert tok.decode(s.ids) == hf.decode(h.ids)


def test_the_file_truncation_and_padding_are_kept() -> None:
    tok = subwordx.Tokenizer.load(shared(f"{BERT}/tokenizer.json"))
    enc = tok.encode("hello world")
    assert len(enc.ids) == 128 and enc.attention_mask.sum() == 4


def _text8(src: Path, dst: Path, limit: int) -> Path:
    text = src.read_text(encoding="utf-8")[:limit].lower()
    dst.write_text(re.sub(r"[^a-z]+", " ", text).strip() + "\n", encoding="utf-8")
    return dst


@pytest.mark.parametrize("min_frequency", [1, 3])
def test_training_passes_the_outside_replay(tmp_path: Path, min_frequency: int) -> None:
    """`../shared/acceptance/wordpiece_exact.py` replays training from the corpus' counts and
    checks every piece came from a best-scoring pair, then that HF loads the file."""
    pytest.importorskip("tokenizers")
    corpus = _text8(shared("corpora/botchan.txt"), tmp_path / "c.txt", 120_000)
    out = tmp_path / "tokenizer.json"
    assert (
        main(
            [
                "train-wordpiece",
                str(corpus),
                "--vocab-size",
                "900",
                "-o",
                str(out),
                "-q",
                "--min-frequency",
                str(min_frequency),
            ]
        )
        == 0
    )
    check = subprocess.run(
        [
            sys.executable,
            str(SHARED_ACCEPTANCE / "wordpiece_exact.py"),
            str(out),
            str(corpus),
            str(min_frequency),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert ", 0 not from a best-scoring pair" in check.stdout


def test_the_result_does_not_depend_on_threads_or_input_form(tmp_path: Path) -> None:
    corpus = shared("corpora/botchan.txt")
    one = subwordx.train_wordpiece(corpus, vocab_size=2000, threads=1)
    many = subwordx.train_wordpiece(corpus, vocab_size=2000, threads=2)
    texts = subwordx.train_wordpiece(
        texts=corpus.read_text(encoding="utf-8").splitlines(), vocab_size=2000
    )
    assert vocab_in_order(one) == vocab_in_order(many) == vocab_in_order(texts)
    assert vocab_in_order(one)[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def test_hf_loads_what_we_save_and_agrees(tmp_path: Path) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    tok = subwordx.train_wordpiece(shared("corpora/botchan.txt"), vocab_size=3000)
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    for line in _bert_lines()[:3000]:
        h = hf.encode(line)
        s = tok.encode(line)
        assert s.ids.tolist() == h.ids and s.tokens == h.tokens, line
        assert [tuple(o) for o in s.offsets.tolist()] == h.offsets, line


def test_formats_round_trip(tmp_path: Path) -> None:
    tok = subwordx.train_wordpiece(shared("corpora/botchan.txt"), vocab_size=1500)
    text = "It was the first time I had seen him so angry, and I don't know why."
    want = tok.encode(text).ids.tolist()
    for name in ["t.json", "t.swx.json", "vocab.txt"]:
        tok.save(tmp_path / name)
        back = subwordx.Tokenizer.load(tmp_path / name)
        assert back.encode(text).ids.tolist() == want, name
        assert back.model_kind == "wordpiece"
    assert (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines() == vocab_in_order(tok)
    assert pickle.loads(pickle.dumps(tok)).encode(text).ids.tolist() == want
    assert "WordPiece" in repr(tok)


def test_a_long_word_is_linear_and_greedy() -> None:
    """A 100,000-char word encodes (the textbook loop would take minutes) with the greedy
    result; a shorter one equals the reference's textbook loop exactly."""
    from subwordx.reference.wordpiece import encode_word

    vocab = ["[UNK]", "a", "##a", "##aa", "##aaa", "##b", "##ab"]
    index = {t: i for i, t in enumerate(vocab)}
    model = {
        "type": "WordPiece",
        "unk_token": "[UNK]",
        "continuing_subword_prefix": "##",
        "max_input_chars_per_word": 1_000_000,
        "vocab": index,
    }
    doc = {"model": model, "pre_tokenizer": {"type": "WhitespaceSplit"}}
    tok = subwordx.Tokenizer.from_str(json.dumps(doc), backend="rust")
    got = tok.encode("ab" * 50_000, add_special_tokens=False).tokens
    assert got == ["a", "##b"] + ["##ab"] * 49_999
    for word in ["ab" * 150, "a" * 301 + "b", "aab" * 99, "ba"]:
        want = [t for t, _, _ in encode_word(word, index, "[UNK]", "##", 1_000_000)]
        assert tok.encode(word, add_special_tokens=False).tokens == want, word


def test_cli_trains_encodes_and_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shared("corpora/botchan.txt")
    txt = tmp_path / "vocab.txt"
    assert main(["train-wordpiece", str(corpus), "--vocab-size", "1200", "-o", str(txt), "-q"]) == 0
    assert txt.read_text(encoding="utf-8").splitlines()[:2] == ["[PAD]", "[UNK]"]
    line = tmp_path / "line.txt"
    line.write_text("Hello there, my friend.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["encode", "-t", str(txt), str(line)]) == 0
    ids = [int(x) for x in capsys.readouterr().out.split()]
    tok = subwordx.Tokenizer.load(txt)
    assert ids == tok.encode("Hello there, my friend.").ids.tolist()
    assert ids[0] == tok.token_to_id("[CLS]") and ids[-1] == tok.token_to_id("[SEP]")
    out = tmp_path / "tok.json"
    assert main(["convert", str(txt), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["model"]["type"] == "WordPiece"
    assert main(["info", str(out)]) == 0
    assert "WordPiece" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    assert main(["train-wordpiece", str(empty), "-o", str(tmp_path / "o.json"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "empty corpus" in err and err.count("\n") == 1
    assert not (tmp_path / "o.json").exists()
    bpe = tmp_path / "bpe.json"
    subwordx.train_bpe(texts=["low lower"] * 3, vocab_size=30).save(bpe)
    assert main(["convert", str(bpe), str(tmp_path / "v.txt")]) == 1
    assert "WordPiece" in capsys.readouterr().err


def test_bad_settings_and_files(tmp_path: Path, backend: str) -> None:
    words = {"hello": 3, "world": 2}
    with pytest.raises(ConfigError):
        subwordx.train_wordpiece(word_counts=words, vocab_size=0)
    with pytest.raises(ConfigError):
        subwordx.train_wordpiece(word_counts=words, min_frequency=-1)
    with pytest.raises(ConfigError):
        subwordx.train_wordpiece(word_counts=words, files="x.txt")
    with pytest.raises(VocabSizeTooSmallError):
        subwordx.train_wordpiece(word_counts=words, vocab_size=6)
    with pytest.raises(EmptyCorpusError):
        subwordx.train_wordpiece(texts=["", "  "], vocab_size=100)
    bad = tmp_path / "vocab.txt"
    bad.write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"\[UNK\]"):
        subwordx.Tokenizer.load(bad)
    bad.write_text("[UNK]\na\na\n", encoding="utf-8")
    with pytest.raises(ModelFormatError):
        subwordx.Tokenizer.load(bad)
    bad.write_bytes(b"[UNK]\n\xff\n")
    with pytest.raises(ModelFormatError):
        subwordx.Tokenizer.load(bad)
