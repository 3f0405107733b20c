"""Tests of the pure-Python BPE reference against hand-checked cases, HF tokenizers and tiktoken."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import shared

from subwordx.errors import (
    ConfigError,
    EmptyCorpusError,
    ModelFormatError,
    VocabSizeTooSmallError,
)
from subwordx.reference import bpe
from subwordx.reference.normalize import Normalizer
from subwordx.reference.pretokenize import BYTES_TO_UNICODE, UNICODE_TO_BYTES, pre_tokenize
from subwordx.reference.tokenizer import ReferenceTokenizer

TRICKY = [
    "Hello, world!",
    "  leading and trailing  ",
    "tabs\tand\t\ttabs",
    "line\r\nbreak\nand\n\n\nmore\r\n",
    "I'm sure they'll've done it, you'd; He'S THEY'RE",
    "12345678 1 22 333 4444 3.14159",
    "emoji 😀👍🏽 family 👨‍👩‍👧",
    "日本語のテキスト、中文文本。",
    "combining e\u0301 a\u0300\u0301 \u0301alone",
    "mixed   \u3000ideographic space\u00a0nbsp",
    "punct...!!?? (brackets) [x] {y} «quotes» — dash",
    "camelCaseWord HTTPServer iPhone",
    "path/to/file.txt and https://example.com/a?b=c",
    "   ",
    "",
    "x\x1cy",
]


def real_lines(count: int = 100) -> list[str]:
    lines: list[str] = []
    for name in ("botchan.txt", "wagahaiwa_nekodearu.txt"):
        # ../shared is required: a missing corpus fails the test, never skips it.
        text = shared(f"corpora/{name}").read_text(encoding="utf-8").split("\n")
        lines += [line for line in text[200:] if line.strip()][: count // 2]
    return lines


def pieces(name: str, text: str) -> list[str]:
    return [text[s:e] for s, e in pre_tokenize(name, text)]


# ------------------------------------------------------------------------------ training by hand


def test_textbook_example() -> None:
    vocab, merges = bpe.train({"low": 5, "lowest": 2}, vocab_size=12)
    # Counts: (l,o)=7, (o,w</w>)=5; then four pairs tie at 2: smallest left string wins.
    assert merges == [("l", "o"), ("lo", "w</w>"), ("e", "s"), ("es", "t</w>"), ("lo", "w")]
    assert vocab[:7] == ["e", "l", "o", "s", "t</w>", "w", "w</w>"]
    assert vocab[7:] == ["lo", "low</w>", "es", "est</w>", "low"]


def test_tie_breaks_left_then_right() -> None:
    # (a,b), (a,c), (b,c) all occur 3 times: smallest left "a", then smallest right "b".
    _, merges = bpe.train({"ab": 3, "ac": 3, "bc": 3}, vocab_size=100, end_of_word_suffix=None)
    assert merges[0] == ("a", "b")
    assert merges[1] == ("a", "c")


def test_overlapping_pairs_count_and_merge_left_to_right() -> None:
    vocab, merges = bpe.train({"aaa": 1}, vocab_size=100, min_frequency=1, end_of_word_suffix=None)
    # (a,a) counts 2 in "aaa"; merging left to right gives "aa a", then (aa,a).
    assert merges == [("a", "a"), ("aa", "a")]
    assert vocab == ["a", "aa", "aaa"]
    assert bpe.apply_merges(["a", "a", "a", "a", "a"], {("a", "a"): 0}) == ["aa", "aa", "a"]


def test_min_frequency_stops_training() -> None:
    _, merges = bpe.train({"ab": 2, "cd": 1}, vocab_size=100, end_of_word_suffix=None)
    assert merges == [("a", "b")]
    _, merges = bpe.train({"ab": 2, "cd": 1}, vocab_size=100, min_frequency=3)
    assert merges == []


def test_continuing_subword_prefix() -> None:
    vocab, merges = bpe.train(
        {"abc": 4}, vocab_size=100, end_of_word_suffix=None, continuing_subword_prefix="##"
    )
    assert vocab[:3] == ["##b", "##c", "a"]
    # (##b, ##c) ties with (a, ##b) at 4: "##b" < "a" in code point order.
    assert merges == [("##b", "##c"), ("a", "##bc")]
    assert vocab[3:] == ["##bc", "abc"]
    assert bpe.encode_word(
        "abcb",
        {m: r for r, m in enumerate(merges)},
        end_of_word_suffix=None,
        continuing_subword_prefix="##",
    ) == ["abc", "##b"]


def test_suffix_and_prefix_together() -> None:
    assert bpe.initial_symbols("ab", continuing_subword_prefix="##") == ["a", "##b</w>"]
    assert bpe.initial_symbols("a", continuing_subword_prefix="##") == ["a</w>"]


def test_max_token_length() -> None:
    _, merges = bpe.train({"aaaa": 10}, vocab_size=100, max_token_length=2, end_of_word_suffix=None)
    assert merges == [("a", "a")]


def test_limit_alphabet_drops_rare_chars() -> None:
    vocab, _ = bpe.train({"aab": 3, "ac": 1}, vocab_size=100, limit_alphabet=1, min_frequency=99)
    # 'a' (7) is kept; 'b' and 'c' are removed from the words before symbols are made.
    assert vocab == ["a", "a</w>"]
    vocab, _ = bpe.train({"ab": 1, "ba": 1}, vocab_size=100, limit_alphabet=1, min_frequency=99)
    assert vocab == ["a</w>"]  # tie a=b=2: smaller code point kept


def test_vocab_too_small_and_other_errors() -> None:
    with pytest.raises(VocabSizeTooSmallError):
        bpe.train({"abc": 2}, vocab_size=2)
    with pytest.raises(VocabSizeTooSmallError):
        bpe.train({"a": 2}, vocab_size=256, byte_level=True, special_tokens=["<s>"])
    with pytest.raises(EmptyCorpusError):
        bpe.train({}, vocab_size=10)
    with pytest.raises(ConfigError):
        bpe.train({"a": 1}, vocab_size=-1)


def test_merge_order_by_hand() -> None:
    counts = {"bc": 10, "ab": 9, "abc": 1, "zabcz": 1}
    vocab, merges = bpe.train(counts, vocab_size=100, min_frequency=1, end_of_word_suffix=None)
    # (b,c)=12 > (a,b)=11; then (a,b)=9; (a,bc)=2; then "zabcz" is z abc z: (abc,z) and (z,abc)
    # tie at 1 and "abc" < "z".
    assert merges == [("b", "c"), ("a", "b"), ("a", "bc"), ("abc", "z"), ("z", "abcz")]
    # The vocabulary is the alphabet, then each new merged string in merge order.
    assert vocab == ["a", "b", "c", "z", "bc", "ab", "abc", "abcz", "zabcz"]


def test_special_tokens_come_first_and_byte_level_alphabet() -> None:
    vocab, _ = bpe.train({"hi": 1}, vocab_size=300, special_tokens=["<s>", "</s>"], byte_level=True)
    assert vocab[:2] == ["<s>", "</s>"]
    assert vocab[2:258] == sorted(BYTES_TO_UNICODE)


def test_count_words_splits_lines() -> None:
    counts = bpe.count_words(["a b\na\r\n", "b"], None, "whitespace")
    assert counts == {"a": 2, "b": 2}


def test_bytes_to_unicode_table() -> None:
    assert BYTES_TO_UNICODE[ord(" ")] == "Ġ"
    assert BYTES_TO_UNICODE[0] == "Ā"
    assert BYTES_TO_UNICODE[ord("A")] == "A"
    assert len(set(BYTES_TO_UNICODE)) == 256
    assert all(UNICODE_TO_BYTES[c] == b for b, c in enumerate(BYTES_TO_UNICODE))


# ------------------------------------------------------------------------------ normalization


@settings(max_examples=200, deadline=None)
@given(
    st.text(),
    st.sampled_from([None, "nfc", "nfkc"]),
    st.booleans(),
    st.booleans(),
)
def test_normalize_with_spans_matches_plain(
    text: str, unicode: Any, lowercase: bool, strip_accents: bool
) -> None:
    norm = Normalizer(unicode=unicode, lowercase=lowercase, strip_accents=strip_accents)
    normalized, spans = norm.normalize_with_spans(text)
    assert normalized == norm.normalize(text)
    assert len(spans) == len(normalized)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)


def test_normalizer_examples() -> None:
    assert Normalizer("nfkc", True, True).normalize("Ｃafé ÅNGSTRÖM") == "cafe angstrom"
    assert Normalizer("nfc").normalize_with_offsets("e\u0301x") == ("éx", [0, 2])
    assert Normalizer(strip_accents=True).normalize_with_spans("é") == ("e", [(0, 1)])


# ------------------------------------------------------------------------------ pre-tokenizers


def hf_pre_tokenizer(name: str) -> Any:
    pre = pytest.importorskip("tokenizers").pre_tokenizers
    from subwordx.reference.tokenizer import hf_split_pattern

    if name == "bert":
        return pre.BertPreTokenizer()
    if name == "whitespace":
        return pre.WhitespaceSplit()
    if name == "gpt2":
        return pre.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizers = pytest.importorskip("tokenizers")
    return pre.Sequence(
        [
            pre.Split(tokenizers.Regex(hf_split_pattern(name)), behavior="isolated"),
            pre.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )


@pytest.mark.parametrize("name", ["whitespace", "bert", "gpt2", "cl100k", "o200k"])
def test_pre_tokenizers_match_hf(name: str) -> None:
    hf = hf_pre_tokenizer(name)
    for text in TRICKY + real_lines():
        ours = pieces(name, text)
        theirs = [piece for piece, _ in hf.pre_tokenize_str(text)]
        if name in ("gpt2", "cl100k", "o200k"):
            ours = ["".join(BYTES_TO_UNICODE[b] for b in p.encode()) for p in ours]
        assert ours == theirs, text


@pytest.mark.parametrize("name", ["gpt2", "cl100k", "o200k"])
def test_byte_level_splits_match_tiktoken(name: str) -> None:
    tiktoken = pytest.importorskip("tiktoken")
    from subwordx.reference.pretokenize import SPLIT_PATTERNS

    for text in TRICKY + real_lines(10):
        data = text.encode()
        # A vocabulary holding every byte substring of the text: tiktoken then returns each piece
        # of its split as one token, which shows where it split.
        substrings = {data[i:j] for i in range(len(data)) for j in range(i + 1, len(data) + 1)}
        substrings |= {bytes([b]) for b in range(256)}
        ranks = {s: r for r, s in enumerate(sorted(substrings, key=lambda s: (len(s), s)))}
        enc = tiktoken.Encoding(
            name, pat_str=SPLIT_PATTERNS[name], mergeable_ranks=ranks, special_tokens={}
        )
        theirs = [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(text)]
        assert [p.encode() for p in pieces(name, text)] == theirs, text


# ------------------------------------------------------------------------------ tokenizers vs HF


CONFIGS: list[dict[str, Any]] = [
    {
        "pre_tokenizer": "bert",
        "unk_token": "<unk>",
        "special_tokens": ["<unk>", "<s>", "</s>"],
        "template": ["<s>", "$A", "</s>"],
    },
    {
        "pre_tokenizer": "whitespace",
        "unk_token": "<unk>",
        "end_of_word_suffix": None,
        "continuing_subword_prefix": "##",
        "normalizer": Normalizer("nfkc", True, False),
    },
    {
        "pre_tokenizer": "bert",
        "unk_token": None,
        "normalizer": Normalizer(None, True, True),
        "limit_alphabet": 300,
    },
    {"pre_tokenizer": "gpt2", "byte_level": True, "special_tokens": ["<|endoftext|>"]},
    {"pre_tokenizer": "cl100k", "byte_level": True, "normalizer": Normalizer("nfc")},
    {"pre_tokenizer": "o200k", "byte_level": True, "max_token_length": 6},
]


def trained(config: dict[str, Any], lines: list[str]) -> ReferenceTokenizer:
    norm = config.get("normalizer")
    counts = bpe.count_words(lines, norm, config["pre_tokenizer"])
    # The alphabet alone (a run that stops before any merge), then 300 merges on top of it.
    start = ReferenceTokenizer.train(counts, vocab_size=10**9, min_frequency=10**9, **config)
    return ReferenceTokenizer.train(counts, vocab_size=start.vocab_size() + 300, **config)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return real_lines()


@pytest.mark.parametrize("config", CONFIGS, ids=[c["pre_tokenizer"] for c in CONFIGS])
def test_hf_export_gives_same_ids(config: dict[str, Any], lines: list[str]) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    tok = trained(config, lines)
    hf = tokenizers.Tokenizer.from_str(tok.to_hf_json())
    extra = ["<s>hello</s> world<unk>", "<|endoftext|>x", *TRICKY]
    for text in lines + extra:
        ids, offsets = tok.encode(text)
        enc = hf.encode(text)
        assert ids == enc.ids, text
        # HF aligns offsets differently where normalization composes or strips chars (it gives
        # "e" + U+0301 -> "é" only the "e"); docs/bpe.md §4.5 gives the token both chars.
        if not tok.byte_level and tok.normalizer.is_identity:
            assert offsets == enc.offsets, text
    # Reading the HF file back gives the same tokenizer.
    again = ReferenceTokenizer.from_hf_json(tok.to_hf_json())
    assert again.to_native_json() == tok.to_native_json()


def test_offsets_and_specials() -> None:
    tok = trained(CONFIGS[0], ["hello world hello world"] * 3)
    ids, offsets = tok.encode("hello <s> world")
    assert ids[0] == tok.token_to_id("<s>") and offsets[0] == (0, 0)
    assert ids[-1] == tok.token_to_id("</s>") and offsets[-1] == (0, 0)
    assert (6, 9) in offsets and tok.token_to_id("<s>") in ids[1:-1]
    ids2, _ = tok.encode("hello <s> world", add_special_tokens=False, split_special_tokens=True)
    assert tok.token_to_id("<s>") not in ids2
    assert tok.decode(ids) == "hello world"
    assert tok.decode(ids, skip_special_tokens=False).startswith("<s>hello <s>")


def test_byte_level_offsets_cover_whole_chars() -> None:
    tok = trained(CONFIGS[3], ["ab"] * 3)
    ids, offsets = tok.encode("é😀")
    assert len(ids) >= 2 and set(offsets) == {(0, 1), (1, 2)}


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_byte_level_round_trip(text: str) -> None:
    tok = _BYTE_TOK
    ids, _ = tok.encode(text, split_special_tokens=True)
    assert tok.decode(ids) == text


_BYTE_TOK = ReferenceTokenizer.train(
    bpe.count_words(["the quick brown fox jumps over the lazy dog", "日本語 😀"] * 3, None, "gpt2"),
    vocab_size=300,
    byte_level=True,
    pre_tokenizer="gpt2",
)


def test_decode_rules() -> None:
    classic = ReferenceTokenizer(vocab=["a", "b</w>", "c"], merges=[], end_of_word_suffix="</w>")
    assert classic.decode([0, 1, 2]) == "ab c"
    wp = ReferenceTokenizer(
        vocab=["a", "##b", "c"], merges=[], end_of_word_suffix=None, continuing_subword_prefix="##"
    )
    assert wp.decode([0, 1, 2, 1]) == "ab cb"
    with pytest.raises(ConfigError):
        classic.decode([7])


def test_unknown_chars_become_unk_or_vanish() -> None:
    with_unk = trained(CONFIGS[0], ["ab ab ab"])
    assert with_unk.encode("axb", add_special_tokens=False)[0] == [
        with_unk.token_to_id("a"),
        with_unk.token_to_id("<unk>"),
        with_unk.token_to_id("b</w>"),
    ]
    no_unk = ReferenceTokenizer(
        vocab=["a", "b</w>", "ab</w>"], merges=[("a", "b</w>")], end_of_word_suffix="</w>"
    )
    assert no_unk.encode("axb") == ([2], [(0, 3)])


# ------------------------------------------------------------------------------ files


@pytest.mark.parametrize("config", CONFIGS, ids=[c["pre_tokenizer"] for c in CONFIGS])
def test_file_round_trips(config: dict[str, Any], lines: list[str]) -> None:
    tok = trained(config, lines[:30])
    native = tok.to_native_json()
    assert list(json.loads(native))[:6] == [
        "format",
        "version",
        "model",
        "byte_level",
        "normalizer",
        "pre_tokenizer",
    ]
    assert ReferenceTokenizer.from_native_json(native).to_native_json() == native
    assert ReferenceTokenizer.from_hf_json(tok.to_hf_json()).to_native_json() == native
    vocab_json, merges_txt = tok.to_vocab_merges()
    assert merges_txt.startswith("#version: 0.2\n")
    again = ReferenceTokenizer.from_vocab_merges(
        vocab_json,
        merges_txt,
        byte_level=tok.byte_level,
        normalizer=tok.normalizer,
        pre_tokenizer=tok.pre_tokenizer,
        end_of_word_suffix=tok.end_of_word_suffix,
        continuing_subword_prefix=tok.continuing_subword_prefix,
        unk_token=tok.unk_token,
        special_tokens=tok.special_tokens,
        template=tok.template,
    )
    assert again.to_native_json() == native


def test_vocab_merges_inference_and_hf_string_merges() -> None:
    tok = trained(CONFIGS[3], ["hello hello world"] * 3)
    vocab_json, merges_txt = tok.to_vocab_merges()
    inferred = ReferenceTokenizer.from_vocab_merges(vocab_json, merges_txt)
    assert inferred.byte_level and inferred.merges() == tok.merges()
    hf = json.loads(tok.to_hf_json())
    hf["model"]["merges"] = [f"{a} {b}" for a, b in hf["model"]["merges"]]
    assert ReferenceTokenizer.from_hf_json(json.dumps(hf)).merges() == tok.merges()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("vocab"),
        lambda d: d.update(format="other"),
        lambda d: d.update(version=2),
        lambda d: d["merges"].append(["zz", "qq"]),
        lambda d: d.update(special_tokens=["<nope>"]),
        lambda d: d.update(vocab=d["vocab"] + [d["vocab"][0]]),
        lambda d: d.update(pre_tokenizer="gpt2"),
        lambda d: d["normalizer"].update(unicode="nfd"),
        lambda d: d.update(merges=[["a"]]),
    ],
)
def test_corrupt_native_files_raise(mutate: Any) -> None:
    tok = trained(CONFIGS[0], ["hello world"] * 3)
    data = json.loads(tok.to_native_json())
    mutate(data)
    with pytest.raises(ModelFormatError):
        ReferenceTokenizer.from_native_json(json.dumps(data))


def test_corrupt_other_files_raise() -> None:
    tok = trained(CONFIGS[0], ["hello world"] * 3)
    native = tok.to_native_json()
    with pytest.raises(ModelFormatError):
        ReferenceTokenizer.from_native_json(native[: len(native) // 2])
    hf = json.loads(tok.to_hf_json())
    for bad in (
        {**hf, "model": {**hf["model"], "type": "WordPiece"}},
        {**hf, "pre_tokenizer": {"type": "Metaspace"}},
        {**hf, "model": {**hf["model"], "vocab": {"a": 5}}},
        {**hf, "model": {**hf["model"], "merges": [["x", "y"]]}},
    ):
        with pytest.raises(ModelFormatError):
            ReferenceTokenizer.from_hf_json(json.dumps(bad))
    with pytest.raises(ModelFormatError):
        ReferenceTokenizer.from_hf_json("[1, 2]")
    vocab_json, _ = tok.to_vocab_merges()
    with pytest.raises(ModelFormatError, match="line 2"):
        ReferenceTokenizer.from_vocab_merges(vocab_json, "#version: 0.2\na b c\n")
    with pytest.raises(ModelFormatError):
        ReferenceTokenizer.from_vocab_merges('{"a": 1}', "")


def test_immutable() -> None:
    tok = trained(CONFIGS[0], ["hello"] * 3)
    with pytest.raises(AttributeError):
        tok._vocab = ()


def test_long_piece_encodes_fast() -> None:
    assert unicodedata.normalize("NFC", "a") == "a"
    ranks = {("a", "a"): 0, ("aa", "aa"): 1}
    out = bpe.apply_merges(["a"] * 100_000, ranks)
    assert out == ["aaaa"] * 25_000
