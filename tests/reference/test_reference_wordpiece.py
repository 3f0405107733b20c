"""Tests of the pure-Python WordPiece reference (docs/wordpiece.md).

* **trainer**: hand-checked vocabularies (every tie-break rule), an independent from-scratch
  trainer that recounts everything at each step (hypothesis: same vocabulary as the incremental
  one), and ``shared/acceptance/wordpiece_exact.py``'s replay of the definition.
* **encoder**: the WordPiece model against HF ``tokenizers`` on the real BERT tokenizer, on every
  line of botchan, pairs, hostile words, and (hypothesis) random words over a small vocabulary.
* **files**: ``vocab.txt`` in and out, the tokenizer.json of a trained vocabulary in HF.

Data from ``../shared`` is required: a missing file fails the test.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIXTURES, SHARED_ACCEPTANCE, shared
from tokenizers import BertWordPieceTokenizer, Tokenizer

from subwordx.errors import (
    ConfigError,
    CorpusError,
    EmptyCorpusError,
    ModelFormatError,
    VocabSizeTooSmallError,
)
from subwordx.reference import wordpiece
from subwordx.reference.pipeline import PipelineTokenizer
from subwordx.reference.pipeline.normalizers import BertNormalizer
from subwordx.reference.pipeline.pre_tokenizers import BertPreTokenizer
from subwordx.reference.pipeline.wordpiece_model import (
    WordPiece,
    infer_lowercase,
    read_vocab_txt,
    write_vocab_txt,
)
from subwordx.reference.pipeline_backend import ReferenceBackend

BERT = "tokenizers/bert-uncased"
HOSTILE = [
    "a" * 99 + "b",  # exactly 100 chars: still read
    "x" * 101,  # one too many: one [UNK] over the whole word
    "hello" * 30 + " hello",
    "supercalifragilisticexpialidocious" * 4,
    "hello☃ snow☃man ☃",  # a char the vocabulary lacks: the whole word is [UNK]
    "日本語のテキスト、中文文本。한국어",
    "Crème brûlée à la Ångström, naïve café ﬁ",
    "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🏳️‍🌈",
    "combining e\u0301 a\u0300\u0301 \u0301alone",
    "control\x00chars\x1b and\u200bzero width\ufeff",
    "tabs\tand\nnewlines\r\n and\u3000spaces\u00a0",
    "[CLS] [SEP] [MASK] [UNK] [PAD] [unused0] ##ing ## #",
    "don't stop-believing... (ok) [x] {y} «q» — “quotes”",
    "12345678901234567890 3.14159 ½ ² Ⅷ",
    "",
    "   ",
]


def corpus_lines(name: str = "botchan.txt") -> list[str]:
    return shared(f"corpora/{name}").read_text(encoding="utf-8").split("\n")


def bert_doc(*, plain: bool = True) -> dict[str, Any]:
    """The real BERT tokenizer.json; ``plain`` drops its truncation and padding (128)."""
    doc: dict[str, Any] = json.loads(shared(f"{BERT}/tokenizer.json").read_text(encoding="utf-8"))
    if plain:
        doc["truncation"] = doc["padding"] = None
    return doc


def assert_same_encoding(ours: Any, theirs: Any, context: object) -> None:
    assert ours.ids == theirs.ids, context
    assert ours.tokens == theirs.tokens, context
    assert ours.offsets == theirs.offsets, context
    assert ours.type_ids == theirs.type_ids, context
    assert ours.attention_mask == theirs.attention_mask, context
    assert ours.special_tokens_mask == theirs.special_tokens_mask, context
    assert ours.word_ids == theirs.word_ids, context


# ---------------------------------------------------------------------------------- trainer


def test_hf_course_corpus_step_by_step() -> None:
    """HF's course corpus, checked by hand (docs/wordpiece.md §3):

    counts: h 15, p 17, b 4, ##u 36, ##g 20, ##n 16, ##s 5.
    1. (##g, ##s) 5/(20·5) = 1/20 beats every (., ##u) and (##u, .) pair at 1/36 → ##gs.
    2. Now all six pairs score 1/36; (p, ##u) has the highest count, 17 → pu.
    3. (h, ##u) 15/(15·19), (b, ##u) 4/(4·19), (##u, ##gs) 5/(19·5) tie at 1/19; count 15 → hu.
    4. (b, ##u) 4/(4·4) = 1/4 → bu.   5. (hu, ##gs) 5/(15·5) = 1/15 → hugs.
    6. (hu, ##g) 10/(10·15) = 1/15 beats (bu, ##n) 4/(4·16) = 1/16 → hug.
    """
    corpus = {"hug": 10, "pug": 5, "pun": 12, "bun": 4, "hugs": 5}
    vocab = wordpiece.train(corpus, vocab_size=14, min_frequency=1, special_tokens=["[UNK]"])
    alphabet = ["##g", "##n", "##s", "##u", "b", "h", "p"]
    assert vocab == ["[UNK]", *alphabet, "##gs", "pu", "hu", "bu", "hugs", "hug"]


def test_score_beats_count_and_min_frequency_is_a_floor() -> None:
    # (x, ##y): 1/(1·1) = 1, the maximum, though seen once; (a, ##b) and (a, ##c): 5/(10·5).
    corpus = {"xy": 1, "ab": 5, "ac": 5}
    alphabet = ["##b", "##c", "##y", "a", "x"]
    assert wordpiece.train(corpus, vocab_size=6, min_frequency=1, special_tokens=[]) == [
        *alphabet,
        "xy",
    ]
    # min_frequency 2 rules (x, ##y) out; (a, ##b) and (a, ##c) tie on score and count: "##b"
    # is the smaller right string. Then (a, ##c) scores 5/(5·5) and is merged too.
    assert wordpiece.train(corpus, vocab_size=9, min_frequency=2, special_tokens=[]) == [
        *alphabet,
        "ab",
        "ac",
    ]
    # 0 means 1.
    zero = wordpiece.train(corpus, vocab_size=20, min_frequency=0, special_tokens=[])
    assert zero == wordpiece.train(corpus, vocab_size=20, min_frequency=1, special_tokens=[])


def test_ties_go_to_the_smaller_left_then_right_string() -> None:
    # Equal scores (1) and counts (1): "a" < "c", so ab first.
    assert wordpiece.train(
        {"cd": 1, "ab": 1}, vocab_size=6, min_frequency=1, special_tokens=[]
    ) == [
        "##b",
        "##d",
        "a",
        "c",
        "ab",
        "cd",
    ]
    # Same left symbol: (a, ##b) and (a, ##c) both 1/(2·1); "##b" < "##c".
    assert wordpiece.train(
        {"ac": 1, "ab": 1}, vocab_size=5, min_frequency=1, special_tokens=[]
    ) == [
        "##b",
        "##c",
        "a",
        "ab",
        "ac",
    ]
    # The prefix sorts before letters: (##u, ##g) beats (h, ##u) at equal score and count.
    assert (
        wordpiece.train({"hug": 3}, vocab_size=4, min_frequency=1, special_tokens=[])[-1] == "##ug"
    )


def test_overlapping_pairs_all_count_and_merges_go_left_to_right() -> None:
    """``##a ##a ##a`` holds (##a, ##a) twice: with min_frequency 2 it qualifies, scores
    2/(3·3) = 2/9 and beats (b, ##c) and (b, ##d) at 10/(21·10). The word becomes
    ``b ##aa ##a``, whose pairs are seen once: they no longer qualify. (b, ##c) and (b, ##d) tie
    (1/21, count 10): ##c first; then (b, ##d) scores 10/(11·10). Nothing else qualifies."""
    corpus = {"baaa": 1, "bc": 10, "bd": 10}
    vocab = wordpiece.train(corpus, vocab_size=100, min_frequency=2, special_tokens=["[UNK]"])
    assert vocab == ["[UNK]", "##a", "##c", "##d", "b", "##aa", "bc", "bd"]


def test_special_tokens_and_existing_strings_keep_their_ids() -> None:
    # "a" is a special token and an alphabet symbol: one entry, the special token's id.
    # "ab" is made by the first merge but is already there: the vocabulary does not grow, and
    # training goes on to the next pair.
    vocab = wordpiece.train(
        {"ab": 4, "cd": 1},
        vocab_size=7,
        min_frequency=1,
        special_tokens=["[UNK]", "a", "ab", "[UNK]"],
    )
    assert vocab == ["[UNK]", "a", "ab", "##b", "##d", "c", "cd"]


def test_limit_alphabet_and_max_piece_length() -> None:
    # Char counts: a 4, b 4, c 1, d 1. Keeping 3: the tie between c and d goes to the smaller
    # code point, so d is removed ("bd" becomes "b").
    vocab = wordpiece.train(
        {"ab": 3, "ac": 1, "bd": 1},
        vocab_size=4,
        min_frequency=1,
        special_tokens=[],
        limit_alphabet=3,
    )
    assert vocab == ["##b", "##c", "a", "b"]
    # Pieces of at most 2 chars, the prefix not counted: "##bc" is allowed, "abc" is not.
    vocab = wordpiece.train(
        {"abc": 5}, vocab_size=100, min_frequency=1, special_tokens=[], max_piece_length=2
    )
    assert vocab == ["##b", "##c", "a", "##bc"]
    assert wordpiece.train({"abc": 5}, vocab_size=100, min_frequency=1, special_tokens=[])[-1] == (
        "abc"
    )


def test_other_prefix() -> None:
    vocab = wordpiece.train(
        {"hug": 3}, vocab_size=6, min_frequency=1, special_tokens=[], prefix="~"
    )
    assert vocab == ["h", "~g", "~u", "hu", "hug"]
    # An empty prefix is allowed (HF allows it): then continuing symbols are plain chars.
    vocab = wordpiece.train({"hug": 3}, vocab_size=5, min_frequency=1, special_tokens=[], prefix="")
    assert vocab == ["g", "h", "u", "hu", "hug"]


def test_errors() -> None:
    def train(counts: dict[str, int], **options: Any) -> list[str]:
        kwargs: dict[str, Any] = {"vocab_size": 100, "min_frequency": 1, "special_tokens": []}
        return wordpiece.train(counts, **{**kwargs, **options})

    with pytest.raises(EmptyCorpusError):
        train({})
    with pytest.raises(EmptyCorpusError):
        train({"": 5, "a": 0})
    with pytest.raises(CorpusError):
        train({"a": -1})
    with pytest.raises(VocabSizeTooSmallError, match="at least 3"):
        train({"ab": 1}, vocab_size=2, special_tokens=["[UNK]"])
    for bad in (
        {"vocab_size": -1},
        {"vocab_size": True},
        {"vocab_size": 1.5},
        {"min_frequency": -1},
        {"limit_alphabet": -1},
        {"max_piece_length": 0},
        {"special_tokens": [""]},
        {"special_tokens": "[UNK]"},
        {"prefix": None},
    ):
        with pytest.raises(ConfigError):
            train({"ab": 1}, **bad)


def golden(kind: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(
        (FIXTURES / "wordpiece_cases.json").read_text(encoding="utf-8")
    )[kind]
    return cases


@pytest.mark.parametrize("case", golden("train"), ids=lambda case: case["name"])
def test_golden_training_cases(case: dict[str, Any]) -> None:
    """The golden cases the Rust core is also tested on (tests/fixtures/wordpiece_cases.json)."""
    vocab = wordpiece.train(
        case["words"],
        vocab_size=case["vocab_size"],
        min_frequency=case["min_frequency"],
        special_tokens=case["special_tokens"],
    )
    assert vocab == case["vocab"], case["why"]


@pytest.mark.parametrize("case", golden("encode"), ids=lambda case: case["name"])
def test_golden_encoding_cases(case: dict[str, Any]) -> None:
    model = WordPiece({token: id for id, token in enumerate(case["vocab"])})
    for word, tokens in case["words"].items():
        assert [model.id_to_token(id) for id, _, _ in model.tokenize(word)] == tokens, word


def naive_train(
    counts: dict[str, int], vocab_size: int, min_frequency: int, max_piece_length: int | None
) -> list[str]:
    """docs/wordpiece.md §3 again, from scratch at every step: recount the symbols and pairs of
    the current segmentation, rank the pairs by an exact key (Fraction scores), merge."""
    words = {w: [w[0]] + ["##" + c for c in w[1:]] for w in counts if w and counts[w] > 0}
    vocab = ["[UNK]", *sorted({s for symbols in words.values() for s in symbols})]
    while len(vocab) < vocab_size:
        symbol_counts: Counter[str] = Counter()
        pair_counts: Counter[tuple[str, str]] = Counter()
        for word, symbols in words.items():
            for s in symbols:
                symbol_counts[s] += counts[word]
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] += counts[word]
        candidates = [
            (-Fraction(c, symbol_counts[x] * symbol_counts[y]), -c, x, y)
            for (x, y), c in pair_counts.items()
            if c >= max(min_frequency, 1)
            and (max_piece_length is None or len(x.removeprefix("##") + y[2:]) <= max_piece_length)
        ]
        if not candidates:
            break
        _, _, x, y = min(candidates)
        z = x + y[2:]
        for word, symbols in words.items():
            out, i = [], 0
            while i < len(symbols):
                if symbols[i : i + 2] == [x, y]:
                    out.append(z)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[word] = out
        if z not in vocab:
            vocab.append(z)
    return vocab


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcdé", min_size=1, max_size=7),
        st.integers(min_value=1, max_value=6),
        min_size=1,
        max_size=25,
    ),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=3),
    st.sampled_from([None, 1, 2, 3]),
)
def test_incremental_trainer_equals_recounting_from_scratch(
    counts: dict[str, int], extra: int, min_frequency: int, max_piece_length: int | None
) -> None:
    alphabet = {w[0] for w in counts} | {"##" + c for w in counts for c in w[1:]}
    vocab_size = 1 + len(alphabet) + extra
    ours = wordpiece.train(
        counts,
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=["[UNK]"],
        max_piece_length=max_piece_length,
    )
    assert ours == naive_train(counts, vocab_size, min_frequency, max_piece_length)
    # The order of the words does not matter.
    reordered = dict(reversed(list(counts.items())))
    assert ours == wordpiece.train(
        reordered,
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=["[UNK]"],
        max_piece_length=max_piece_length,
    )


def test_trainer_is_fast_enough_for_property_tests() -> None:
    words = Counter(re.findall("[a-z]+", shared("corpora/botchan.txt").read_text("utf-8").lower()))
    assert len(words) > 3000
    vocab = wordpiece.train(words, vocab_size=400, min_frequency=2, special_tokens=["[UNK]"])
    assert len(vocab) == 400 and len(set(vocab)) == 400


@pytest.mark.parametrize("min_frequency", [1, 3])
def test_acceptance_replay_of_the_definition(tmp_path: Path, min_frequency: int) -> None:
    """``shared/acceptance/wordpiece_exact.py`` replays training on the corpus and checks that
    every new piece came from a best-scoring pair, then that HF loads the file and agrees with
    greedy longest-match-first."""
    script = SHARED_ACCEPTANCE / "wordpiece_exact.py"
    if not script.exists():
        pytest.fail(f"{script} is missing: these tests need ../shared beside the repository")
    text = shared("corpora/botchan.txt").read_text(encoding="utf-8").lower()
    corpus = "\n".join(run.strip() for run in re.findall("[a-z ]+", text) if run.strip())
    (tmp_path / "corpus.txt").write_text(corpus, encoding="utf-8")
    counts = Counter(corpus.split())
    document = wordpiece.train_to_hf_json(
        counts, {"vocab_size": 500, "min_frequency": min_frequency}
    )
    (tmp_path / "tokenizer.json").write_text(document, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(tmp_path / "tokenizer.json"),
            str(tmp_path / "corpus.txt"),
            str(min_frequency),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 not from a best-scoring pair" in result.stdout


# ---------------------------------------------------------------------------------- encoder


def test_encode_word_textbook_cases() -> None:
    vocab = {"[UNK]", "un", "##aff", "##able", "##a", "a", "##ff"}
    assert wordpiece.encode_word("unaffable", vocab) == [
        ("un", 0, 2),
        ("##aff", 2, 5),
        ("##able", 5, 9),
    ]
    assert wordpiece.encode_word("aff", vocab) == [("a", 0, 1), ("##ff", 1, 3)]
    assert wordpiece.encode_word("unx", vocab) == [("[UNK]", 0, 3)]
    # Greedy: the longest first piece, even if the rest then fails (BERT does not backtrack to
    # "a ##bc").
    assert wordpiece.encode_word("abc", {"[UNK]", "a", "ab", "##bc"}) == [("[UNK]", 0, 3)]
    assert wordpiece.encode_word("a" * 6, vocab, max_input_chars_per_word=5) == [("[UNK]", 0, 6)]
    assert wordpiece.encode_word("a" * 5, vocab, max_input_chars_per_word=5) == [
        ("a", 0, 1),
        *[("##a", i, i + 1) for i in range(1, 5)],
    ]
    assert wordpiece.encode_word("", vocab) == []


@pytest.mark.slow
@pytest.mark.parametrize("add_special_tokens", [True, False])
def test_bert_uncased_equals_hf_on_every_botchan_line(add_special_tokens: bool) -> None:
    doc = bert_doc()
    ours = PipelineTokenizer.from_hf(doc)
    hf = Tokenizer.from_str(json.dumps(doc))
    for number, line in enumerate(corpus_lines()):
        assert_same_encoding(
            ours.encode(line, add_special_tokens=add_special_tokens),
            hf.encode(line, add_special_tokens=add_special_tokens),
            (number, line),
        )


def test_bert_uncased_equals_hf_on_hostile_text_and_pairs() -> None:
    lines = [line for line in corpus_lines() if line.strip()][200:260]
    for doc in (bert_doc(), bert_doc(plain=False)):  # plain, and with its truncation and padding
        ours = PipelineTokenizer.from_hf(doc)
        hf = Tokenizer.from_str(json.dumps(doc))
        for text in HOSTILE + lines[:20]:
            for add in (True, False):
                assert_same_encoding(
                    ours.encode(text, add_special_tokens=add),
                    hf.encode(text, add_special_tokens=add),
                    text,
                )
        for a, b in zip(HOSTILE + lines[20:40], lines[40:] + HOSTILE):
            assert_same_encoding(ours.encode(a, b), hf.encode(a, b), (a, b))
        ids = hf.encode(" ".join(HOSTILE)).ids
        assert ours.decode(ids) == hf.decode(ids)


def small_vocab() -> dict[str, int]:
    tokens = ["[UNK]", "a", "b", "ab", "abc", "##a", "##b", "##c", "##bc", "##ca", "é", "##é", "ba"]
    return {token: id for id, token in enumerate(tokens)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcé", min_size=1, max_size=9), min_size=1, max_size=6))
def test_model_equals_hf_on_random_words(words: list[str]) -> None:
    """Random words over a vocabulary where greedy matches, dead ends and the 6-char limit all
    happen; ids and char offsets as HF gives them."""
    doc = {
        "version": "1.0",
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 6,
            "vocab": small_vocab(),
        },
    }
    text = " ".join(words)
    assert_same_encoding(
        PipelineTokenizer.from_hf(doc).encode(text),
        Tokenizer.from_str(json.dumps(doc)).encode(text),
        text,
    )


def test_model_json_round_trip_and_errors() -> None:
    model = WordPiece(small_vocab(), max_input_chars_per_word=7)
    spec = model.to_json()
    assert list(spec) == [
        "type",
        "unk_token",
        "continuing_subword_prefix",
        "max_input_chars_per_word",
        "vocab",
    ]
    doc = {"version": "1.0", "pre_tokenizer": {"type": "WhitespaceSplit"}, "model": spec}
    tok = PipelineTokenizer.from_hf(doc)
    assert tok.to_hf()["model"] == spec
    assert json.loads(Tokenizer.from_str(json.dumps(tok.to_hf())).to_str())["model"] == spec
    # Missing options take HF's defaults.
    minimal = PipelineTokenizer.from_hf({"model": {"type": "WordPiece", "vocab": small_vocab()}})
    assert minimal.model.to_json() == {**spec, "max_input_chars_per_word": 100}
    for bad, named in (
        ({"type": "WordPiece"}, "vocab"),
        ({**spec, "vocab": [["a", 1]]}, "vocab"),
        ({**spec, "vocab": {"a": -1, "[UNK]": 0}}, "invalid id"),
        ({**spec, "vocab": {"a": "1", "[UNK]": 0}}, "invalid id"),
        ({**spec, "unk_token": "<unk>"}, "<unk>"),
        ({**spec, "unk_token": 3}, "unk_token"),
        ({**spec, "continuing_subword_prefix": None}, "continuing_subword_prefix"),
        ({**spec, "max_input_chars_per_word": "100"}, "max_input_chars_per_word"),
        ({**spec, "max_input_chars_per_word": -1}, "max_input_chars_per_word"),
    ):
        with pytest.raises(ModelFormatError, match=named):
            PipelineTokenizer.from_hf({**doc, "model": bad})


# ---------------------------------------------------------------------------------- files


def test_vocab_txt_gives_hf_ids() -> None:
    text = shared(f"{BERT}/vocab.txt").read_text(encoding="utf-8")
    ours = ReferenceBackend.from_vocab_txt(text, None)  # lowercase inferred: an uncased vocab
    assert ours.model_kind() == "wordpiece" and ours.merges() == []
    assert ours.vocab_size() == 30522
    doc = json.loads(ours.to_hf_json())
    file = bert_doc()
    for part in ("normalizer", "pre_tokenizer", "decoder", "model"):
        assert doc[part] == file[part], part
    assert doc["post_processor"] == {
        "type": "BertProcessing",
        "sep": ["[SEP]", 102],
        "cls": ["[CLS]", 101],
    }
    assert [(t["content"], t["id"]) for t in doc["added_tokens"]] == [
        ("[PAD]", 0),
        ("[UNK]", 100),
        ("[CLS]", 101),
        ("[SEP]", 102),
        ("[MASK]", 103),
    ]
    hf_file = Tokenizer.from_str(json.dumps(file))
    hf_vocab = BertWordPieceTokenizer(str(shared(f"{BERT}/vocab.txt")), lowercase=True)
    lines = random.Random(12).sample(corpus_lines(), 400) + HOSTILE
    for line in lines:
        ids = ours.encode_ids(line)
        assert ids == hf_file.encode(line).ids == hf_vocab.encode(line).ids, line
        assert ours.encode_ids(line, False) == hf_vocab.encode(line, add_special_tokens=False).ids
        assert ours.decode(ids) == hf_vocab.decode(ids)


def test_vocab_txt_round_trip_and_reading_rules() -> None:
    text = shared(f"{BERT}/vocab.txt").read_text(encoding="utf-8")
    assert ReferenceBackend.from_vocab_txt(text, True).to_vocab_txt() == text
    # CRLF and trailing spaces are not part of a token; a repeated token is an error (HF would
    # leave a hole in the ids).
    assert read_vocab_txt("[UNK]\r\nhello \nworld") == {"[UNK]": 0, "hello": 1, "world": 2}
    with pytest.raises(ModelFormatError, match="lines 2 and 3"):
        read_vocab_txt("[UNK]\r\nhello \nhello\nworld")
    assert read_vocab_txt("") == {}
    assert write_vocab_txt({"b": 1, "a": 0}) == "a\nb\n"
    with pytest.raises(ConfigError, match="line break"):
        write_vocab_txt({"a": 0, "b\nc": 1})
    with pytest.raises(ConfigError, match="line break"):
        write_vocab_txt({"a": 0, "b\r": 1})
    with pytest.raises(ConfigError, match="id 1"):
        write_vocab_txt({"a": 0, "b": 2})
    with pytest.raises(ModelFormatError, match="UNK"):
        ReferenceBackend.from_vocab_txt("a\nb\n", True)


def test_vocab_txt_lowercase_inference() -> None:
    assert infer_lowercase(["[PAD]", "[UNK]", "[unused0]", "hello", "##ing", "é"])
    assert not infer_lowercase(["[UNK]", "Hello"])
    assert not infer_lowercase(["[UNK]", "##É"])
    assert not infer_lowercase(["[UNK]", "ǅ"])  # titlecase: lowercasing changes it too
    assert infer_lowercase(["[UNK]", "ℝ", "##ℝ"])  # in BERT's uncased vocab: no lowercase form
    cased = ReferenceBackend.from_vocab_txt("[UNK]\n[CLS]\n[SEP]\nHello\nhello\n", None)
    assert cased.encode_ids("Hello hello") == [1, 3, 4, 2]
    uncased = ReferenceBackend.from_vocab_txt("[UNK]\n[CLS]\n[SEP]\nhello\n", None)
    assert uncased.encode_ids("Hello hello") == [1, 3, 3, 2]
    forced = ReferenceBackend.from_vocab_txt("[UNK]\nhello\n", False)  # no [CLS]/[SEP]: no template
    assert forced.encode_ids("Hello hello") == [0, 1]


def test_to_vocab_txt_needs_wordpiece() -> None:
    bpe = {
        "version": "1.0",
        "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]},
    }
    with pytest.raises(ConfigError, match="WordPiece"):
        ReferenceBackend.from_hf_json(json.dumps(bpe)).to_vocab_txt()
    line_break = {"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a\nb": 1}}}
    with pytest.raises(ConfigError, match="line break"):
        ReferenceBackend.from_hf_json(json.dumps(line_break)).to_vocab_txt()


def test_count_words_uses_the_bert_normalizer_and_pre_tokenizer() -> None:
    counts = wordpiece.count_words_in_texts(["Crème BRÛLÉE, crème!\n日本 x"], {})
    assert counts == Counter({"creme": 2, "brulee": 1, ",": 1, "!": 1, "日": 1, "本": 1, "x": 1})
    cased = wordpiece.count_words_in_texts(["Crème"], {"lowercase": False})
    assert cased == Counter({"Crème": 1})
    spaces = wordpiece.count_words_in_texts(["Hug, hug"], {"pre_tokenizer": "whitespace"})
    assert spaces == Counter({"hug,": 1, "hug": 1})
    accents = wordpiece.count_words(
        ["Crème"], BertNormalizer(strip_accents=False), BertPreTokenizer()
    )
    assert accents == Counter({"crème": 1})


def test_count_words_in_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Hug hugs\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"hug \xff\n")
    seen: list[tuple[str, int, int, str]] = []
    counts = wordpiece.count_words_in_files(
        [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
        {},
        errors="replace",
        progress=lambda *args: seen.append(args),
    )
    assert counts == Counter({"hug": 2, "hugs": 1})  # clean_text drops U+FFFD
    assert [s[:3] for s in seen] == [("read", 1, 2), ("read", 2, 2)]
    with pytest.raises(CorpusError):
        wordpiece.count_words_in_files([str(tmp_path / "b.txt")], {})


def test_trained_tokenizer_json_loads_in_hf_with_the_same_output() -> None:
    lines = [line for line in corpus_lines() if line.strip()]
    counts = wordpiece.count_words_in_texts(lines[:2000], {})
    document = wordpiece.train_to_hf_json(counts, {"vocab_size": 600, "min_frequency": 2})
    ours = ReferenceBackend.from_hf_json(document)
    hf = Tokenizer.from_str(document)
    assert ours.model_kind() == "wordpiece"
    assert hf.get_vocab() == ours.get_vocab() and len(hf.get_vocab()) == 600
    for line in lines[2000:2300] + HOSTILE:
        for pair in (None, "A second sentence."):
            theirs = hf.encode(line, pair)
            mine = ours.encode(line, pair)
            assert mine[0] == theirs.ids and mine[1] == theirs.type_ids, line
            assert [tuple(o) for o in mine[2]] == theirs.offsets, line
    # vocab.txt and the subwordx format carry the same tokenizer.
    again = ReferenceBackend.from_vocab_txt(ours.to_vocab_txt(), True)
    native = ReferenceBackend.from_native_json(ours.to_native_json())
    assert json.loads(ours.to_native_json())["model"] == "wordpiece"
    for line in lines[2300:2400]:
        assert again.encode_ids(line) == native.encode_ids(line) == ours.encode_ids(line)


def test_train_to_hf_json_settings() -> None:
    counts = {"hug": 10, "pug": 5, "pun": 12, "bun": 4, "hugs": 5}
    base = {"vocab_size": 20, "min_frequency": 1}

    def doc(**options: Any) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(wordpiece.train_to_hf_json(counts, {**base, **options}))
        return result

    default = doc()
    assert list(default["model"]["vocab"])[:5] == list(wordpiece.DEFAULT_SPECIAL_TOKENS)
    assert default["post_processor"]["type"] == "BertProcessing"
    assert default["normalizer"]["lowercase"] is True
    assert default["decoder"] == {"type": "WordPiece", "prefix": "##", "cleanup": True}
    # The unknown token comes first when it is not among the special tokens.
    custom = doc(special_tokens=["<s>"], unk_token="<unk>", prefix="~", lowercase=False)
    assert list(custom["model"]["vocab"])[:3] == ["<unk>", "<s>", "b"]
    assert custom["model"]["unk_token"] == "<unk>" and custom["post_processor"] is None
    assert custom["normalizer"]["lowercase"] is False
    assert doc(template=False)["post_processor"] is None
    template = doc(template=["[CLS]", "$A"])["post_processor"]
    assert template["type"] == "TemplateProcessing"
    assert template["special_tokens"] == {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}}
    assert doc(post_processor=True, special_tokens=["[UNK]"])["post_processor"] is None
    assert doc(post_processor=False)["post_processor"] is None
    assert doc(post_processor=True)["post_processor"]["type"] == "BertProcessing"
    assert doc(continuing_subword_prefix="@@")["model"]["continuing_subword_prefix"] == "@@"
    assert doc(pre_tokenizer="whitespace")["pre_tokenizer"] == {"type": "WhitespaceSplit"}
    with pytest.raises(ConfigError, match="pre_tokenizer"):
        doc(pre_tokenizer="gpt2")
    with pytest.raises(ConfigError):
        doc(template=["$A", "[NOPE]"])
    with pytest.raises(ConfigError):
        doc(unk_token=None)
    with pytest.raises(ConfigError):
        doc(max_input_chars_per_word=-1)
    for options in ({}, {"template": ["[CLS]", "$A", "[SEP]"]}, {"special_tokens": ["[UNK]"]}):
        text = wordpiece.train_to_hf_json(counts, {**base, **options})
        hf = Tokenizer.from_str(text)
        ours = ReferenceBackend.from_hf_json(text)
        for words in ("hugs pug", "Bun! hug? xyz"):
            assert ours.encode_ids(words) == hf.encode(words).ids
