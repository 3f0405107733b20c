"""Unigram LM: the golden cases (shared with cargo), the pipeline on both backends, n-best and
sampling (exactly distributed), files HF `tokenizers` reads, the CLI, errors, and quality against
SentencePiece on a real corpus."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

import subwordx
from subwordx.cli import main
from subwordx.errors import ConfigError, EmptyCorpusError, VocabSizeTooSmallError
from tests.conftest import FIXTURES, shared

CASES = json.loads((FIXTURES / "unigram_cases.json").read_text(encoding="utf-8"))

TEXT = (
    "the quick brown fox jumps over the lazy dog\n"
    "the dog sleeps and the fox runs away\n"
    "quick thinking makes quicker foxes; lazy dogs sleep longer\n"
) * 4


def _doc(pieces: list[list[Any]], unk_id: int | None, byte_fallback: bool = False) -> str:
    """A tokenizer.json with a bare Unigram model (no pre-tokenizer)."""
    return json.dumps(
        {
            "version": "1.0",
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": None,
            "post_processor": None,
            "decoder": None,
            "model": {
                "type": "Unigram",
                "unk_id": unk_id,
                "vocab": pieces,
                "byte_fallback": byte_fallback,
            },
        }
    )


def _case_tokenizer(case: dict[str, Any]) -> subwordx.Tokenizer:
    pieces = list(case["pieces"])
    if case.get("byte_pieces"):
        pieces += [[f"<0x{b:02X}>", -20.0] for b in range(256)]
    return subwordx.Tokenizer.from_str(_doc(pieces, case["unk_id"], bool(case.get("byte_pieces"))))


@pytest.mark.parametrize("case", CASES["encode"], ids=lambda c: c["name"])
def test_golden_encoding(case: dict[str, Any], backend: str) -> None:
    tok = _case_tokenizer(case)
    for word, want in case["words"].items():
        assert tok.encode(word).tokens == want, word


def test_golden_nbest(backend: str) -> None:
    for case in CASES["nbest"]:
        tok = _case_tokenizer(case)
        got = tok.encode_nbest(case["word"], case["n"])
        assert [(e.tokens, pytest.approx(s)) for e, s in got] == [
            (t, pytest.approx(s)) for t, s in case["expect"]
        ]


@pytest.mark.parametrize("case", CASES["train"], ids=lambda c: c["name"])
def test_golden_training(case: dict[str, Any], backend: str) -> None:
    # The words are already cut (▁ first): counted as given.
    tok = subwordx.train_unigram(word_counts=case["words"], vocab_size=case["vocab_size"])
    vocab = tok.get_vocab()
    assert sorted(vocab, key=vocab.__getitem__) == case["vocab"]
    scores = [s for _, s in json.loads(tok.to_str("hf"))["model"]["vocab"]]
    # Rounded to float, as SentencePiece stores scores (the core's f64 values are the golden ones).
    assert scores == pytest.approx(case["scores"], rel=1e-7)


def test_pipeline_round_trip_and_offsets(backend: str) -> None:
    tok = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=60)
    assert tok.model_kind == "unigram"
    assert tok.id_to_token(0) == "<unk>"
    text = "the lazy fox thinks"
    enc = tok.encode(text)
    assert tok.decode(enc.ids) == text
    for token, (s, e) in zip(enc.tokens, enc.offsets.tolist()):
        # HF's Metaspace offsets: "▁lazy" covers " lazy" (the space it stands for).
        assert text[s:e].strip() == token.replace("\u2581", " ").strip()
    # A run of unknown chars is one token.
    assert tok.encode("fox ZZZ").tokens[-1] == "<unk>"
    assert "Unigram" in repr(tok)


def test_both_backends_train_and_encode_the_same() -> None:
    rust = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, backend="rust")
    py = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, backend="python")
    assert rust.get_vocab() == py.get_vocab()
    for line in [*TEXT.splitlines(), "quickest lazy foxes!"]:
        assert rust.encode(line).ids.tolist() == py.encode(line).ids.tolist()
    # And the files load across backends.
    again = subwordx.Tokenizer.from_str(rust.to_str("hf"), backend="python")
    assert again.encode("the lazy dog").ids.tolist() == rust.encode("the lazy dog").ids.tolist()


def test_threads_do_not_change_the_result() -> None:
    a = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, threads=1)
    b = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, threads=2)
    assert a.to_str("hf") == b.to_str("hf")


def test_word_counts_are_cut_like_texts() -> None:
    a = subwordx.train_unigram(word_counts={"lower": 5, "lowest": 3, "low": 9}, vocab_size=14)
    b = subwordx.train_unigram(texts=["lower"] * 5 + ["lowest"] * 3 + ["low"] * 9, vocab_size=14)
    assert a.to_str("hf") == b.to_str("hf")


def test_nbest_is_sorted_and_first_is_viterbi(backend: str) -> None:
    tok = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=60, backend="rust")
    tok = subwordx.Tokenizer.from_str(tok.to_str("hf"))
    text = "quick thinking foxes"
    best = tok.encode_nbest(text, 6)
    assert best[0][0].ids.tolist() == tok.encode(text).ids.tolist()
    scores = [s for _, s in best]
    assert scores == sorted(scores, reverse=True)
    assert len({tuple(e.ids.tolist()) for e, _ in best}) == len(best)
    assert all(tok.decode(e.ids) == text for e, _ in best)


def test_sampling_is_seeded(backend: str) -> None:
    tok = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=60, backend="rust")
    tok = subwordx.Tokenizer.from_str(tok.to_str("hf"))
    text = "quick thinking foxes"
    a = tok.encode_sample(text, alpha=0.1, seed=3)
    b = tok.encode_sample(text, alpha=0.1, seed=3)
    assert a.ids.tolist() == b.ids.tolist()
    assert tok.decode(a.ids) == text
    assert (
        tok.encode_sample(text, nbest_size=1, seed=9).ids.tolist() == tok.encode(text).ids.tolist()
    )
    picks = {tuple(tok.encode_sample(text, alpha=0.1, nbest_size=4, seed=s).ids) for s in range(40)}
    top4 = {tuple(e.ids.tolist()) for e, _ in tok.encode_nbest(text, 4)}
    assert picks <= top4 and len(picks) > 1


def test_sampling_is_distributed_as_the_lattice_says() -> None:
    """Every segmentation of a word, its exact probability from the n-best scores, and the
    frequency over 3000 seeded draws: a chi-square test (fails with probability 1e-6 if right)."""
    pieces = [
        ["<unk>", 0.0],
        ["a", -1.2],
        ["b", -1.5],
        ["c", -1.1],
        ["ab", -2.0],
        ["bc", -2.4],
        ["abc", -3.9],
        ["ca", -2.2],
    ]
    tok = subwordx.Tokenizer.from_str(_doc(pieces, 0))
    word = "abca"
    alpha = 0.7
    every = tok.encode_nbest(word, 100)
    weights = {tuple(e.tokens): math.exp(alpha * s) for e, s in every}
    z = sum(weights.values())
    n = 3000
    seen: dict[tuple[str, ...], int] = {}
    for seed in range(n):
        t = tuple(tok.encode_sample(word, alpha=alpha, seed=seed).tokens)
        seen[t] = seen.get(t, 0) + 1
    assert set(seen) <= set(weights)
    chi2 = sum((seen.get(k, 0) - n * w / z) ** 2 / (n * w / z) for k, w in weights.items())
    from scipy.stats import chi2 as chi2_dist

    assert chi2_dist.sf(chi2, len(weights) - 1) > 1e-6, (chi2, seen)


def test_bpe_dropout_and_wordpiece_errors() -> None:
    bpe = subwordx.train_bpe(texts=TEXT.splitlines(), vocab_size=80)
    text = "the quick foxes"
    assert (
        bpe.encode_sample(text, dropout=0.0, seed=1).ids.tolist() == bpe.encode(text).ids.tolist()
    )
    chars = bpe.encode_sample(text, dropout=1.0, seed=1)
    assert len(chars.ids) == len(text.replace(" ", ""))
    a = bpe.encode_sample(text, dropout=0.3, seed=5)
    assert a.ids.tolist() == bpe.encode_sample(text, dropout=0.3, seed=5).ids.tolist()
    with pytest.raises(ConfigError):
        bpe.encode_sample(text)  # BPE needs dropout
    with pytest.raises(ConfigError):
        bpe.encode_nbest(text, 2)
    wp = subwordx.train_wordpiece(texts=TEXT.splitlines(), vocab_size=60, min_frequency=1)
    with pytest.raises(ConfigError):
        wp.encode_sample(text, dropout=0.1)
    uni = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50)
    with pytest.raises(ConfigError):
        uni.encode_sample(text, dropout=0.1)
    with pytest.raises(ConfigError):
        uni.encode_sample(text, alpha=-1.0)
    with pytest.raises(ConfigError):
        uni.encode_nbest(text, 0)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"texts": []}, EmptyCorpusError),
        ({"texts": ["abc def"], "vocab_size": 3}, VocabSizeTooSmallError),
        ({"texts": ["abc"], "shrinking_factor": 1.0}, ConfigError),
        ({"texts": ["abc"], "character_coverage": 0.0}, ConfigError),
        ({"texts": ["abc"], "prepend_scheme": "never"}, ConfigError),
        ({"texts": "abc"}, ConfigError),
        ({"texts": ["abc"], "word_counts": {"a": 1}}, ConfigError),
        ({"word_counts": {"": 1}}, ConfigError),
    ],
)
def test_bad_input_is_an_error(
    kwargs: dict[str, Any], error: type[Exception], backend: str
) -> None:
    with pytest.raises(error):
        subwordx.train_unigram(**kwargs)


def test_hf_tokenizers_loads_our_file_and_gives_the_same_ids(tmp_path: Path, botchan: Path) -> None:
    import tokenizers

    tok = subwordx.train_unigram(botchan, vocab_size=1000)
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    lines = [line for line in botchan.read_text(encoding="utf-8").splitlines() if line][:400]
    lines += ["Ünïcödé and ZZZ ☃ chars", "  two  spaces "]
    for line in lines:
        assert hf.encode(line).ids == tok.encode(line).ids.tolist(), line
    back = subwordx.Tokenizer.load(path)
    assert back.encode(lines[3]).ids.tolist() == tok.encode(lines[3]).ids.tolist()


def test_cli_train_unigram(tmp_path: Path, botchan: Path) -> None:
    out = tmp_path / "uni.json"
    assert (
        main(
            [
                "train-unigram",
                str(botchan),
                "--vocab-size",
                "500",
                "-o",
                str(out),
                "-q",
                "--threads",
                "2",
            ]
        )
        == 0
    )
    tok = subwordx.Tokenizer.load(out)
    assert tok.model_kind == "unigram" and tok.vocab_size == 500
    assert main(["train-unigram", str(tmp_path / "missing.txt"), "-o", str(out), "-q"]) != 0


def _heldout_loglik(tok_scores: list[float], ids_per_line: list[list[int]], unk: float) -> float:
    return sum(unk if tok_scores[i] is None else tok_scores[i] for ids in ids_per_line for i in ids)


@pytest.mark.slow
@pytest.mark.parametrize("vocab_size", [1000, 4000])
def test_quality_against_sentencepiece(tmp_path: Path, vocab_size: int) -> None:
    """Held-out log-likelihood per char, each model's own Viterbi scored with its own scores:
    ours within 0.5% of SentencePiece's (or better)."""
    import sentencepiece as spm

    lines = [
        line
        for line in shared("corpora/botchan.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    random.Random(0).shuffle(lines)
    cut = len(lines) * 9 // 10
    train_lines, held = lines[:cut], lines[cut:]
    train_file = tmp_path / "train.txt"
    train_file.write_text("\n".join(train_lines) + "\n", encoding="utf-8")
    chars = sum(len(x) for x in held)

    spm.SentencePieceTrainer.train(
        input=str(train_file),
        model_prefix=str(tmp_path / "spm"),
        vocab_size=vocab_size,
        model_type="unigram",
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        num_threads=2,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_file=str(tmp_path / "spm.model"))
    sp_scores = [sp.get_score(i) for i in range(sp.get_piece_size())]
    sp_low = min(s for i, s in enumerate(sp_scores) if not sp.is_control(i)) - 10.0
    sp_ll = sum(
        sp_low if sp.is_unknown(i) else sp_scores[i] for ids in sp.encode(held) for i in ids
    )

    ours = subwordx.train_unigram(train_file, vocab_size=vocab_size, threads=2)
    vocab = json.loads(ours.to_str("hf"))["model"]["vocab"]
    scores = [s for _, s in vocab]
    low = min(scores[1:]) - 10.0
    ll = sum(low if i == 0 else scores[i] for line in held for i in ours.encode(line).ids.tolist())
    ours_pc, spm_pc = ll / chars, sp_ll / chars
    assert ours_pc >= spm_pc * 1.005, (ours_pc, spm_pc)


# ----------------------------------------------------------------------- .model files of our own
ODD_LINES = [
    "  two  spaces and a trailing one ",
    "Ünïcödé, ＦＵＬＬＷＩＤＴＨ ｋａｔａｋａｎａ ｶﾀｶﾅ and ﬁ ligatures",
    "unknown chars: ☃ ZZZ 𝄞 日本語",
    "",
    "   ",
    "tabs\tand\u3000ideographic spaces",
]


def _spm_ids(model: Path, lines: list[str]) -> list[list[int]]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model))
    return [list(x) for x in sp.encode(lines)]


@pytest.mark.parametrize("nfkc", [False, True], ids=["identity", "nfkc"])
def test_trained_model_saves_as_a_model_sentencepiece_encodes_alike(
    tmp_path: Path, botchan: Path, nfkc: bool
) -> None:
    tok = subwordx.train_unigram(
        botchan, vocab_size=1000, nfkc=nfkc, special_tokens=["<s>", "</s>"]
    )
    out = tmp_path / "ours.model"
    tok.save(out)
    lines = [line for line in botchan.read_text(encoding="utf-8").splitlines()][:1500]
    lines += ODD_LINES
    ours = [e.ids.tolist() for e in tok.encode_batch(lines)]
    assert _spm_ids(out, lines) == ours
    # Loading our file gives the same tokenizer back (and the same bytes when saved again).
    back = subwordx.Tokenizer.load(out)
    assert [e.ids.tolist() for e in back.encode_batch(lines)] == ours
    again = tmp_path / "again.model"
    back.save(again)
    assert again.read_bytes() == out.read_bytes()
    # The pieces keep their ids and (float) scores; specials are control pieces.
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(out))
    scores = [s for _, s in json.loads(tok.to_str("hf"))["model"]["vocab"]]
    assert [sp.id_to_piece(i) for i in range(sp.get_piece_size())] == [
        tok.id_to_token(i) for i in range(tok.vocab_size)
    ]
    assert [sp.get_score(i) for i in range(3, sp.get_piece_size())] == scores[3:]
    assert sp.is_unknown(0) and sp.is_control(1) and sp.is_control(2)
    assert sp.bos_id() == 1 and sp.eos_id() == 2
    # Decoding: SentencePiece's text back (its unknown char shown as " ⁇ ", which the default
    # skip_special_tokens=True drops: the unk token is a special token here, as in HF).
    for ids in ours[:50] + ours[-len(ODD_LINES) :]:
        assert sp.decode(ids) == tok.decode(ids, skip_special_tokens=False)


def test_reference_backend_saves_the_same_model(tmp_path: Path) -> None:
    rust = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, nfkc=True)
    py = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, nfkc=True, backend="python")
    rust.save(tmp_path / "rust.model")
    py.save(tmp_path / "py.model")
    assert (tmp_path / "rust.model").read_bytes() == (tmp_path / "py.model").read_bytes()
    lines = [*TEXT.splitlines(), *ODD_LINES]
    want = [e.ids.tolist() for e in rust.encode_batch(lines)]
    assert [e.ids.tolist() for e in py.encode_batch(lines)] == want
    assert _spm_ids(tmp_path / "py.model", lines) == want


def test_nfkc_charsmap_data_file_is_the_cores() -> None:
    from subwordx import _core
    from subwordx.reference.unigram import nfkc_charsmap

    assert nfkc_charsmap() == bytes(_core.build_charsmap(None, True))


def test_first_prepend_scheme_is_hf_metaspace_and_not_a_model(tmp_path: Path, backend: str) -> None:
    tok = subwordx.train_unigram(texts=TEXT.splitlines(), vocab_size=50, prepend_scheme="first")
    doc = json.loads(tok.to_str("hf"))
    assert doc["pre_tokenizer"]["type"] == "Metaspace"
    # Spaces are kept as they are (SentencePiece's pipeline would collapse them).
    assert tok.encode("the  dog").tokens.count("\u2581") == 1
    with pytest.raises(ConfigError, match="Viterbi over the whole text"):
        tok.save(tmp_path / "first.model")
    assert not (tmp_path / "first.model").exists()


def test_cli_model_nbest_and_sample(
    tmp_path: Path, botchan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "uni.model"
    args = ["train-unigram", str(botchan), "--vocab-size", "800", "-o", str(model), "-q"]
    assert main(args) == 0
    lines = ["I saw a girl with a telescope.", "  Hello   world ", ""]
    text = tmp_path / "text.txt"
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["encode", "-t", str(model), str(text)]) == 0
    got = [[int(x) for x in row.split()] for row in capsys.readouterr().out.splitlines()]
    assert got == _spm_ids(model, lines)

    assert main(["encode", "-t", str(model), "--tokens", "--nbest", "3", str(text)]) == 0
    groups = capsys.readouterr().out.split("\n\n")
    tok = subwordx.Tokenizer.load(model)
    first = [row.split("\t") for row in groups[0].splitlines()]
    want = tok.encode_nbest(lines[0], 3)
    assert [r[0].split() for r in first] == [e.tokens for e, _ in want]
    assert [float(r[1]) for r in first] == pytest.approx([s for _, s in want], rel=1e-5)
    assert len(groups[2].splitlines()) == 1  # the empty line: one empty segmentation

    sample = ["encode", "-t", str(model), "--sample", "--alpha", "0.1", "--seed", "7", str(text)]
    assert main(sample) == 0
    a = capsys.readouterr().out
    assert main(sample) == 0
    assert capsys.readouterr().out == a
    assert main([*sample[:-2], "8", str(text)]) == 0
    assert capsys.readouterr().out != a
    # Every sample decodes back to the text.
    for row, line in zip(a.splitlines(), lines):
        assert tok.decode([int(x) for x in row.split()]) == " ".join(line.split())
    # Sampling a BPE tokenizer needs --dropout; nbest needs Unigram.
    bpe = tmp_path / "bpe.json"
    assert main(["train-bpe", str(botchan), "--vocab-size", "400", "-o", str(bpe), "-q"]) == 0
    capsys.readouterr()
    assert main(["encode", "-t", str(bpe), "--sample", "--dropout", "0.5", str(text)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["encode", "-t", str(bpe), "--nbest", "2", str(text)]) != 0
    assert "Unigram" in capsys.readouterr().err
