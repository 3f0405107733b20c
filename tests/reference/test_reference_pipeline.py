"""The pure-Python pipeline reference against HF ``tokenizers`` and ``tiktoken``, field by field.

Three families of checks:

* **zoo**: tokenizer.json files shaped like GPT-2, RoBERTa, GPT-4, Llama 3 and Qwen files, built
  from OpenAI's rank files by ``shared/acceptance/make_hf_tokenizer.py``, on sampled English,
  Japanese and Chinese lines, tricky strings, pairs, truncation and padding. Building those files
  and loading them in HF takes most of this module's time, so it runs in worker processes from
  the start of the session (HF's results come back as plain data) while the other tests run.
* **components**: small vocabularies trained with HF's ``BpeTrainer``, with every normalizer,
  pre-tokenizer, post-processor, decoder, BPE option and added-token option swapped in; each
  document is compared with HF, and so is the document ``to_hf()`` writes back.
* **tiktoken**: ``.tiktoken`` files against ``tiktoken.Encoding`` built by tiktoken's own
  ``openai_public`` constructors on the local files.

Data from ``../shared`` is required: a missing file fails the test.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
import itertools
import json
import multiprocessing
import random
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from tiktoken.load import load_tiktoken_bpe
from tokenizers import Tokenizer, models, trainers
from tokenizers import pre_tokenizers as hf_pre_tokenizers
from tokenizers.decoders import DecodeStream

from subwordx.errors import ConfigError, ModelFormatError, SubwordxFileNotFoundError
from subwordx.reference.pipeline import PipelineTokenizer, load_hf, load_tiktoken
from subwordx.reference.pipeline.encoding import PaddingParams, TruncationParams
from subwordx.reference.pipeline.tokenizer import TIKTOKEN_ENCODINGS

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
OPENAI = "data/tokenizers/openai"


def shared(path: str) -> Path:
    """A file of ../shared; its absence is a failure, not a skip."""
    full = SHARED / path
    if not full.exists():
        pytest.fail(f"{full} is missing: these tests need the shared data")
    return full


# ---------------------------------------------------------------------------------- inputs

TRICKY = [
    "",
    " ",
    "Hello, world!",
    "tabs\tand\t\ttabs",
    "multiple   spaces    here  ",
    "line\r\nbreak\nand\n\n\nmore\r\n",
    "numbers 12345678 3.14159 1,000,000 ½ ² Ⅷ",
    "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🏳️‍🌈",
    "combining e\u0301 a\u0300\u0301 \u0301alone Å ǖ ﬁ",
    "I'm sure they'll've done it, you'd; He'S THEY'RE",
    "mixed\u3000ideographic space\u00a0nbsp",
    "<|endoftext|> and <s>special</s> text [CLS]",
    "日本語のテキスト、中文文本。한국어",
    "   leading and trailing   ",
]


def _sample(path: Path, count: int, seed: int, skip: Callable[[str], bool]) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    lines = [line for line in lines if not skip(line)]
    return random.Random(seed).sample(lines, count)


@functools.cache
def corpus_lines(shared_dir: Path) -> list[str]:
    """English (gcide), Japanese and Chinese lines (fortune separators skipped), then tricky
    strings. Deterministic, so that worker processes compute the same list."""
    data = shared_dir / "data" / "corpora"
    return (
        _sample(data / "gcide.txt", 110, 1, lambda line: False)
        + _sample(data / "wagahaiwa_nekodearu.txt", 45, 2, lambda line: False)
        + _sample(data / "zh" / "chinese", 45, 3, lambda line: line.startswith("%"))
        + TRICKY
    )


def corpus_pairs(lines: list[str]) -> list[tuple[str, str]]:
    return [(lines[i], lines[-i - 1]) for i in range(0, 60, 4)]


TRUNCATIONS = [  # (max_length, stride, strategy, direction); no stride reaches HF's panic
    (9, 1, "longest_first", "right"),
    (16, 0, "longest_first", "left"),
    (25, 0, "only_first", "right"),
    (12, 0, "only_second", "left"),
]
PADDINGS = [  # (length, direction, pad_to_multiple_of)
    (None, "right", None),
    (None, "left", 8),
    (48, "left", None),
    (40, "right", 16),
]


# ---------------------------------------------------------------------------------- comparing


def fields(encoding: Any) -> dict[str, Any]:
    """Every field an Encoding exposes, overflowing windows included (ours or HF's)."""
    return {
        "ids": list(encoding.ids),
        "tokens": list(encoding.tokens),
        "offsets": [tuple(o) for o in encoding.offsets],
        "type_ids": list(encoding.type_ids),
        "special_tokens_mask": list(encoding.special_tokens_mask),
        "attention_mask": list(encoding.attention_mask),
        "word_ids": list(encoding.word_ids),
        "sequence_ids": list(encoding.sequence_ids),
        "overflowing": [fields(o) for o in encoding.overflowing],
    }


def outcome(run: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The fields of ``run(*args, **kwargs)`` (an encoding or a list of them), or "error" when
    it fails (HF raises, or panics)."""
    try:
        result = run(*args, **kwargs)
    except BaseException as e:  # HF's panics are BaseException
        if isinstance(e, KeyboardInterrupt):
            raise
        return "error"
    if isinstance(result, list):
        return [fields(e) for e in result]
    return fields(result)


def first_difference(ours: Any, theirs: Any) -> str:
    """A short description of the first field that differs (for assertion messages)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours:
            if ours[key] != theirs.get(key):
                return f"{key}: ours {str(ours[key])[:300]} / HF {str(theirs.get(key))[:300]}"
    return f"ours {str(ours)[:300]} / HF {str(theirs)[:300]}"


# ---------------------------------------------------------------------------------- the zoo

ZOO = {  # rank file -> shapes built from it
    "r50k_base": ["gpt2", "roberta"],
    "cl100k_base": ["cl100k", "llama3", "qwen"],
    "o200k_base": ["o200k", "qwen"],
}
ZOO_CASES = [(ranks, shape) for ranks, shapes in ZOO.items() for shape in shapes]


def _hf_zoo_worker(shared_dir: str, ranks_name: str, out_dir: str) -> dict[str, Any]:
    """Worker process: build this rank file's zoo files, and run HF on every case.

    ``make_hf_tokenizer.py`` derives the merges from the ranks for every shape it builds; its
    ``merges_of`` is computed once here and reused for each shape of the same rank file.
    """
    shared_path = Path(shared_dir)
    spec = importlib.util.spec_from_file_location(
        "make_hf_tokenizer", shared_path / "acceptance" / "make_hf_tokenizer.py"
    )
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    ranks = maker.read_ranks(shared_path / OPENAI / f"{ranks_name}.tiktoken")
    merges = maker.merges_of(ranks)
    maker.merges_of = lambda _ranks: merges

    lines = corpus_lines(shared_path)
    pairs = corpus_pairs(lines)
    results: dict[str, Any] = {}
    for shape in ZOO[ranks_name]:
        path = Path(out_dir) / f"{ranks_name}-{shape}.json"
        path.write_text(json.dumps(maker.build(ranks, shape, {})), encoding="utf-8")
        hf = Tokenizer.from_file(str(path))
        singles = [outcome(hf.encode, text) for text in lines]
        decoded = [
            [hf.decode(s["ids"], skip_special_tokens=skip) for skip in (True, False)]
            for s in singles
        ]
        pair_results = [outcome(hf.encode, *p) for p in pairs]
        no_special = [outcome(hf.encode, *p, add_special_tokens=False) for p in pairs]
        truncated = []
        for max_length, stride, strategy, direction in TRUNCATIONS:
            hf.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
            truncated.append([outcome(hf.encode, *p) for p in pairs[:5]])
            truncated.append([outcome(hf.encode, p[0]) for p in pairs[:5]])
        hf.no_truncation()
        padded = []
        batch: list[Any] = [lines[0], pairs[1], lines[-3], "hi"]
        for length, direction, multiple in PADDINGS:
            hf.enable_padding(
                direction=direction,
                pad_id=3,
                pad_type_id=1,
                pad_token="<pad>",
                length=length,
                pad_to_multiple_of=multiple,
            )
            padded.append(outcome(hf.encode_batch, batch))
        results[shape] = {
            "path": str(path),
            "singles": singles,
            "decoded": decoded,
            "pairs": pair_results,
            "no_special": no_special,
            "truncated": truncated,
            "padded": padded,
        }
    return results


@pytest.fixture(scope="session", autouse=True)
def zoo_jobs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Any]]]:
    """Start building the zoo and running HF on it when the session starts, in two worker
    processes (spawned: they share nothing with this one), if any zoo test is selected."""
    if not any("zoo" in item.name for item in request.session.items):
        yield {}
        return
    shared("acceptance/make_hf_tokenizer.py")
    for name in ZOO:
        shared(f"{OPENAI}/{name}.tiktoken")
    out_dir = tmp_path_factory.mktemp("zoo")
    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield {
            name: pool.submit(_hf_zoo_worker, str(SHARED), name, str(out_dir))
            for name in sorted(ZOO, key=lambda n: n != "o200k_base")  # the longest job first
        }
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_OURS: dict[str, PipelineTokenizer] = {}


def ours_for(path: str) -> PipelineTokenizer:
    if path not in _OURS:
        _OURS.clear()  # one big vocabulary in memory at a time
        _OURS[path] = load_hf(path)
    return _OURS[path]


# ---------------------------------------------------------------------------------- components
#
# A small vocabulary trained with HF's BpeTrainer on a few hundred lines, then documents made by
# swapping components in its tokenizer.json.

COMPONENT_TEXTS = [
    "Hello world!",
    "  The  QUICK brown fox, jumped; over: the lazy dog.  ",
    "Café déjà vu — naïve RÉSUMÉ",
    "e\u0301cole e\u0300 ñ Å ǖ ﬁ ① ² Ⅷ ｶﾞ",
    "東京は日本の首都です。中文测试",
    "한국어 텍스트",
    "tabs\tand\nnewlines\r\nhere",
    "numbers 12345 and 3.14159 and 1,000",
    "emoji 😀 👨‍👩‍👧 🏳️‍🌈!",
    "don't I'll we've",
    "",
    " ",
    "[CLS] special <s> tokens </s> [SEP]",
    "Hello[SEP]world",
    "x\u3000y\u00a0z",
    "ΣΑΣ İstanbul ß",
    "a__b--c..d",
    "I love <mask>! a<mask>b  <mask>  c",
    "Hello WORLD hello world the catalog cat cat's",
    "[NEW] x[NEW]y thethethe xx yy zz xy μάσκ ΜΆΣΚ",
]
SPECIALS = ["[UNK]", "[CLS]", "[SEP]", "<s>", "</s>", "[PAD]"]


def _train(byte_level: bool, corpus: list[str], **options: str) -> dict[str, Any]:
    model = models.BPE(unk_token=None if byte_level else "[UNK]", **options)
    tok = Tokenizer(model)
    tok.pre_tokenizer = (
        hf_pre_tokenizers.ByteLevel(add_prefix_space=False)
        if byte_level
        else hf_pre_tokenizers.Whitespace()
    )
    extra: dict[str, Any] = dict(options)
    if byte_level:
        extra["initial_alphabet"] = hf_pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(
        vocab_size=700, special_tokens=SPECIALS, show_progress=False, **extra
    )
    tok.train_from_iterator(corpus, trainer)
    doc: dict[str, Any] = json.loads(tok.to_str())
    return doc


@pytest.fixture(scope="module")
def trained() -> dict[str, dict[str, Any]]:
    """Four trained documents: classic (Whitespace, [UNK]), byte-level, and classic with
    ``##`` prefix and/or ``</w>`` suffix."""
    text = shared("data/corpora/botchan.txt").read_text(encoding="utf-8").split("\n")
    corpus = [line for line in text[:1200] if line]
    corpus += ["Café déjà vu naïve résumé", "東京 日本語 中文 한국어", "1234 567 3.14", "😀👍🏽"]
    return {
        "classic": _train(False, corpus),
        "byte_level": _train(True, corpus),
        "prefix_suffix": _train(
            False, corpus, continuing_subword_prefix="##", end_of_word_suffix="</w>"
        ),
        "suffix": _train(False, corpus, end_of_word_suffix="</w>"),
    }


def variant(base: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """A copy of ``base`` with top-level parts replaced (``model_x=`` sets ``model.x``)."""
    doc = copy.deepcopy(base)
    for key, value in parts.items():
        if key.startswith("model_"):
            doc["model"][key[len("model_") :]] = value
        else:
            doc[key] = value
    return doc


def assert_like_hf(
    doc: dict[str, Any], texts: list[str] = COMPONENT_TEXTS, pairs: bool = True
) -> None:
    """Ours and HF agree on every field and on decoding, on each text (and on neighbouring
    texts as pairs); and HF loading our ``to_hf()`` agrees too."""
    ours = PipelineTokenizer.from_hf(doc, "test document")
    for hf in (Tokenizer.from_str(json.dumps(doc)), Tokenizer.from_str(json.dumps(ours.to_hf()))):
        for text in texts:
            mine = outcome(ours.encode, text)
            theirs = outcome(hf.encode, text)
            assert mine == theirs, f"{text!r}: {first_difference(mine, theirs)}"
            if theirs == "error":
                continue
            for skip in (True, False):
                assert ours.decode(mine["ids"], skip) == hf.decode(theirs["ids"], skip), text
        if pairs:  # pairs are generic: a few suffice here (the zoo tests have more)
            for first, second in zip(texts[:8], texts[1:9]):
                mine = outcome(ours.encode, first, second)
                theirs = outcome(hf.encode, first, second)
                assert mine == theirs, f"{first!r} + {second!r}: {first_difference(mine, theirs)}"


def _regex(pattern: str) -> dict[str, str]:
    return {"Regex": pattern}


def _string(pattern: str) -> dict[str, str]:
    return {"String": pattern}


NORMALIZERS: dict[str, dict[str, Any]] = {
    "NFC": {"type": "NFC"},
    "NFD": {"type": "NFD"},
    "NFKC": {"type": "NFKC"},
    "NFKD": {"type": "NFKD"},
    "Lowercase": {"type": "Lowercase"},
    "StripAccents": {
        "type": "Sequence",
        "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}],
    },
    "Strip": {"type": "Strip", "strip_left": True, "strip_right": True},
    "Strip-left": {"type": "Strip", "strip_left": True, "strip_right": False},
    "Replace-string": {"type": "Replace", "pattern": _string("o"), "content": "00"},
    "Replace-regex": {"type": "Replace", "pattern": _regex(r"\s+"), "content": " "},
    "Replace-delete": {"type": "Replace", "pattern": _regex("[aeiou]"), "content": ""},
    "Replace-empty-matches": {"type": "Replace", "pattern": _regex("x*"), "content": "_"},
    "Prepend": {"type": "Prepend", "prepend": "▁"},
    "BertNormalizer": {
        "type": "BertNormalizer",
        "clean_text": True,
        "handle_chinese_chars": True,
        "strip_accents": None,
        "lowercase": True,
    },
    "BertNormalizer-cased": {
        "type": "BertNormalizer",
        "clean_text": False,
        "handle_chinese_chars": False,
        "strip_accents": True,
        "lowercase": False,
    },
    "Sequence": {
        "type": "Sequence",
        "normalizers": [
            {"type": "NFKC"},
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": _regex("[0-9]"), "content": "#"},
            {"type": "Strip", "strip_left": True, "strip_right": True},
        ],
    },
}


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
@pytest.mark.parametrize("base", ["classic", "byte_level"])
def test_normalizers_match_hf(trained: dict[str, Any], base: str, name: str) -> None:
    assert_like_hf(variant(trained[base], normalizer=NORMALIZERS[name]), pairs=base == "classic")


BEHAVIORS = ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]


def _byte_level(add_prefix_space: bool, use_regex: bool = True) -> dict[str, Any]:
    return {
        "type": "ByteLevel",
        "add_prefix_space": add_prefix_space,
        "trim_offsets": True,
        "use_regex": use_regex,
    }


PRE_TOKENIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "ByteLevel-prefix": ("byte_level", _byte_level(True)),
    "ByteLevel-no-regex": ("byte_level", _byte_level(False, use_regex=False)),
    "Digits+ByteLevel": (
        "byte_level",
        {
            "type": "Sequence",
            "pretokenizers": [{"type": "Digits", "individual_digits": True}, _byte_level(False)],
        },
    ),
    "Punctuation+ByteLevel": (
        "byte_level",
        {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Punctuation", "behavior": "MergedWithNext"},
                _byte_level(True, use_regex=False),
            ],
        },
    ),
    "Whitespace": ("classic", {"type": "Whitespace"}),
    "WhitespaceSplit": ("classic", {"type": "WhitespaceSplit"}),
    "BertPreTokenizer": ("classic", {"type": "BertPreTokenizer"}),
    "Digits-runs": ("classic", {"type": "Digits", "individual_digits": False}),
    "Digits-individual": ("classic", {"type": "Digits", "individual_digits": True}),
    "Sequence": (
        "classic",
        {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "WhitespaceSplit"},
                {"type": "Digits", "individual_digits": True},
                {"type": "Punctuation", "behavior": "Isolated"},
            ],
        },
    ),
}
for _behavior in BEHAVIORS:
    PRE_TOKENIZERS[f"Punctuation-{_behavior}"] = (
        "classic",
        {"type": "Punctuation", "behavior": _behavior},
    )
    PRE_TOKENIZERS[f"Split-string-{_behavior}"] = (
        "classic",
        {"type": "Split", "pattern": _string(" "), "behavior": _behavior, "invert": False},
    )
    for _invert in (False, True):
        PRE_TOKENIZERS[f"Split-regex-{_behavior}-invert={_invert}"] = (
            "classic",
            {
                "type": "Split",
                "pattern": _regex(r"\s+|[,.!?]"),
                "behavior": _behavior,
                "invert": _invert,
            },
        )


@pytest.mark.parametrize("name", sorted(PRE_TOKENIZERS))
def test_pre_tokenizers_match_hf(trained: dict[str, Any], name: str) -> None:
    base, spec = PRE_TOKENIZERS[name]
    assert_like_hf(variant(trained[base], pre_tokenizer=spec), pairs=name.startswith("Byte"))


@pytest.mark.parametrize(
    ("scheme", "split"), list(itertools.product(["always", "first", "never"], [True, False]))
)
def test_metaspace_matches_hf(trained: dict[str, Any], scheme: str, split: bool) -> None:
    spec = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split}
    assert_like_hf(variant(trained["classic"], pre_tokenizer=spec, decoder=spec))


def _template(vocab: dict[str, int]) -> dict[str, Any]:
    def special(name: str, type_id: int) -> dict[str, Any]:
        return {"SpecialToken": {"id": name, "type_id": type_id}}

    def sequence(name: str, type_id: int) -> dict[str, Any]:
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "type": "TemplateProcessing",
        "single": [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
        "pair": [
            special("[CLS]", 0),
            sequence("A", 0),
            special("[SEP]", 0),
            sequence("B", 1),
            special("[SEP]", 1),
        ],
        "special_tokens": {
            name: {"id": name, "ids": [vocab[name]], "tokens": [name]}
            for name in ("[CLS]", "[SEP]")
        },
    }


def _odd_template(vocab: dict[str, int]) -> dict[str, Any]:
    """Type ids 0/1/2, a sequence B before A, and one name standing for two tokens."""
    return {
        "type": "TemplateProcessing",
        "single": [
            {"Sequence": {"id": "A", "type_id": 1}},
            {"SpecialToken": {"id": "multi", "type_id": 2}},
        ],
        "pair": [
            {"Sequence": {"id": "B", "type_id": 0}},
            {"SpecialToken": {"id": "multi", "type_id": 1}},
            {"Sequence": {"id": "A", "type_id": 2}},
        ],
        "special_tokens": {
            "multi": {
                "id": "multi",
                "ids": [vocab["<s>"], vocab["</s>"]],
                "tokens": ["<s>", "</s>"],
            }
        },
    }


def _post_processors(vocab: dict[str, int]) -> dict[str, tuple[str, dict[str, Any]]]:
    roberta = {
        "type": "RobertaProcessing",
        "sep": ["</s>", vocab["</s>"]],
        "cls": ["<s>", vocab["<s>"]],
        "trim_offsets": True,
        "add_prefix_space": True,
    }
    return {
        "Template": ("classic", _template(vocab)),
        "Template-odd": ("classic", _odd_template(vocab)),
        "Bert": (
            "classic",
            {
                "type": "BertProcessing",
                "sep": ["[SEP]", vocab["[SEP]"]],
                "cls": ["[CLS]", vocab["[CLS]"]],
            },
        ),
        "Roberta": ("byte_level", roberta),
        "Roberta-no-trim": (
            "byte_level",
            {**roberta, "trim_offsets": False, "add_prefix_space": False},
        ),
        "ByteLevel": ("byte_level", {**_byte_level(True), "type": "ByteLevel"}),
        "ByteLevel-no-prefix": ("byte_level", _byte_level(False)),
        "Sequence": (
            "byte_level",
            {"type": "Sequence", "processors": [_byte_level(True), _template(vocab)]},
        ),
    }


POST_PROCESSOR_NAMES = [
    "Template",
    "Template-odd",
    "Bert",
    "Roberta",
    "Roberta-no-trim",
    "ByteLevel",
    "ByteLevel-no-prefix",
    "Sequence",
]


@pytest.mark.parametrize("prefix_space", [True, False])
@pytest.mark.parametrize("name", POST_PROCESSOR_NAMES)
def test_post_processors_match_hf(trained: dict[str, Any], name: str, prefix_space: bool) -> None:
    # Both documents were trained with the same special tokens first, so they share their ids.
    base, spec = _post_processors(trained["classic"]["model"]["vocab"])[name]
    pre = _byte_level(prefix_space) if base == "byte_level" else {"type": "Whitespace"}
    assert_like_hf(variant(trained[base], pre_tokenizer=pre, post_processor=spec))


DECODERS: dict[str, dict[str, Any]] = {
    "BPEDecoder": {"type": "BPEDecoder", "suffix": "e"},
    "WordPiece": {"type": "WordPiece", "prefix": "##", "cleanup": True},
    "WordPiece-no-cleanup": {"type": "WordPiece", "prefix": "t", "cleanup": False},
    "Fuse": {"type": "Fuse"},
    "Strip-start": {"type": "Strip", "content": "t", "start": 2, "stop": 0},
    "Strip-stop": {"type": "Strip", "content": "s", "start": 0, "stop": 1},
    "Replace-string": {"type": "Replace", "pattern": _string("e"), "content": " E "},
    "Replace-regex": {"type": "Replace", "pattern": _regex("[aeiou]+"), "content": "_"},
    "ByteFallback": {"type": "ByteFallback"},
    "ByteLevel": _byte_level(True),
    "Sequence": {
        "type": "Sequence",
        "decoders": [
            {"type": "Replace", "pattern": _string("▁"), "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ],
    },
}


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_decoders_match_hf(trained: dict[str, Any], name: str) -> None:
    base = "byte_level" if name == "ByteLevel" else "classic"
    assert_like_hf(variant(trained[base], decoder=DECODERS[name]), pairs=False)


def _with_byte_tokens(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with the 256 ``<0xNN>`` tokens appended to its vocabulary."""
    doc = copy.deepcopy(doc)
    size = len(doc["model"]["vocab"])
    for byte in range(256):
        doc["model"]["vocab"][f"<0x{byte:02X}>"] = size + byte
    return doc


@pytest.mark.parametrize(
    ("fuse_unk", "byte_fallback", "unk_token"),
    list(itertools.product([False, True], [False, True], [None, "[UNK]"])),
)
def test_bpe_unknown_chars_match_hf(
    trained: dict[str, Any], fuse_unk: bool, byte_fallback: bool, unk_token: str | None
) -> None:
    doc = variant(
        _with_byte_tokens(trained["classic"]),
        model_fuse_unk=fuse_unk,
        model_byte_fallback=byte_fallback,
        model_unk_token=unk_token,
        decoder={"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]},
    )
    assert_like_hf(doc)


@pytest.mark.parametrize(
    ("base", "options"),
    [
        ("classic", {"model_ignore_merges": True}),
        ("byte_level", {"model_ignore_merges": True}),
        ("classic", {"model_dropout": 0.0}),
        ("classic", {"model_dropout": 1.0}),  # every merge dropped: HF's draw is then certain
        ("prefix_suffix", {"decoder": {"type": "BPEDecoder", "suffix": "</w>"}}),
        ("prefix_suffix", {"decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False}}),
        ("suffix", {"decoder": {"type": "BPEDecoder", "suffix": "</w>"}}),
    ],
)
def test_bpe_options_match_hf(trained: dict[str, Any], base: str, options: dict[str, Any]) -> None:
    assert_like_hf(variant(trained[base], **options))


def test_bpe_dropout_is_seeded_and_drops_merges(trained: dict[str, Any]) -> None:
    from subwordx.reference.pipeline import bpe_model
    from subwordx.reference.pipeline.dropout import SplitMix64

    model = bpe_model.from_json(variant(trained["classic"], model_dropout=0.5)["model"])
    plain = bpe_model.from_json(variant(trained["classic"])["model"])

    def run(seed: int) -> list[list[Any]]:
        rng = SplitMix64(seed)  # one stream for the five calls, as a tokenizer's encode calls
        return [model.tokenize_dropout("understanding", 0.5, rng) for _ in range(5)]

    runs = [run(seed) for seed in (7, 7, 8)]
    assert runs[0] == runs[1]  # same seed, same draws
    assert runs[0] != runs[2]
    merged = len(plain.tokenize("understanding"))
    assert all(len(tokens) >= merged for run in runs for tokens in run)
    assert any(len(tokens) > merged for run in runs for tokens in run)


def _added(content: str, **options: bool) -> dict[str, Any]:
    token = {
        "id": 0,  # HF ignores the ids written here; so do we
        "content": content,
        "single_word": False,
        "lstrip": False,
        "rstrip": False,
        "normalized": False,
        "special": False,
    }
    token.update(options)
    return token


ADDED = [
    _added("<mask>", lstrip=True, rstrip=True, special=True),
    _added("world", normalized=True),
    _added("Hello", normalized=True, single_word=True),
    _added("cat", single_word=True),
    _added("[NEW]"),
    _added("the"),
    _added("thet"),
    _added("xx ", rstrip=True),
    _added(" yy", lstrip=True),
    _added("μάσκ", normalized=True, special=True),
    _added("zz", normalized=True, special=True),
]


@pytest.mark.parametrize(
    "normalizer",
    [
        None,
        {"type": "Lowercase"},
        {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]},
    ],
)
@pytest.mark.parametrize("pre", ["Whitespace", "ByteLevel", "Metaspace"])
def test_added_tokens_match_hf(
    trained: dict[str, Any], normalizer: dict[str, Any] | None, pre: str
) -> None:
    base = trained["byte_level" if pre == "ByteLevel" else "classic"]
    pre_tokenizer = {
        "Whitespace": {"type": "Whitespace"},
        "ByteLevel": _byte_level(True),
        "Metaspace": {
            "type": "Metaspace",
            "replacement": "▁",
            "prepend_scheme": "first",
            "split": True,
        },
    }[pre]
    doc = variant(
        base,
        normalizer=normalizer,
        pre_tokenizer=pre_tokenizer,
        added_tokens=base["added_tokens"] + ADDED,
    )
    assert_like_hf(doc)


def test_vocabulary_accessors_match_hf(trained: dict[str, Any]) -> None:
    doc = variant(
        trained["classic"],
        normalizer={"type": "Lowercase"},
        added_tokens=trained["classic"]["added_tokens"] + ADDED,
    )
    hf = Tokenizer.from_str(json.dumps(doc))
    ours = PipelineTokenizer.from_hf(doc)
    for with_added in (True, False):
        assert ours.get_vocab(with_added) == hf.get_vocab(with_added)
        assert ours.vocab_size(with_added) == hf.get_vocab_size(with_added)
    for id in range(hf.get_vocab_size() + 3):
        assert ours.id_to_token(id) == hf.id_to_token(id), id
    for token in [*hf.get_vocab(), "Hello", "hello", "nope"]:
        assert ours.token_to_id(token) == hf.token_to_id(token), token


def test_encode_special_tokens_matches_hf(trained: dict[str, Any]) -> None:
    doc = variant(trained["classic"], added_tokens=trained["classic"]["added_tokens"] + ADDED)
    hf = Tokenizer.from_str(json.dumps(doc))
    hf.encode_special_tokens = True
    ours = dataclasses.replace(PipelineTokenizer.from_hf(doc), encode_special_tokens=True)
    for text in COMPONENT_TEXTS:
        assert fields(ours.encode(text)) == fields(hf.encode(text)), text


def test_decode_stream_matches_hf(trained: dict[str, Any]) -> None:
    docs = [
        variant(trained["byte_level"], decoder=_byte_level(True)),
        variant(
            _with_byte_tokens(trained["classic"]),
            model_byte_fallback=True,
            pre_tokenizer={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"},
            decoder=DECODERS["Sequence"],
        ),
    ]
    for doc in docs:
        hf = Tokenizer.from_str(json.dumps(doc))
        ours = PipelineTokenizer.from_hf(doc)
        for text in ["東京は日本の首都です 😀 ok", "Hello world [CLS] é", "naïve"]:
            ids = hf.encode(text).ids
            for skip in (True, False):
                theirs = DecodeStream(skip_special_tokens=skip)
                mine = ours.decode_stream(skip)
                assert [mine.step(i) for i in ids] == [theirs.step(hf, i) for i in ids]


def test_bert_uncased_components_load_and_match_hf(trained: dict[str, Any]) -> None:
    """The real BERT file's normalizer, pre-tokenizer, post-processor, decoder, truncation and
    padding around a BPE model (its WordPiece model itself: test_reference_wordpiece.py)."""
    bert = json.loads(shared("data/tokenizers/bert-uncased/tokenizer.json").read_text("utf-8"))
    assert PipelineTokenizer.from_hf(bert).model.__class__.__name__ == "WordPiece"
    doc = variant(bert, model=trained["classic"]["model"])
    texts = [*COMPONENT_TEXTS, "A long sentence " * 40]
    assert_like_hf(doc, texts)
    assert_like_hf(variant(doc, truncation=None, padding=None), texts)


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("part", "spec", "named"),
    [
        # A charsmap too short to hold its trie size (an empty one is the identity).
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "AAAA"}, "Precompiled"),
        ("pre_tokenizer", {"type": "UnicodeScripts"}, "UnicodeScripts"),
        ("post_processor", {"type": "Mystery"}, "Mystery"),
        ("decoder", {"type": "CTC"}, "CTC"),
        ("model", {"type": "WordLevel", "vocab": {}}, "WordLevel"),
    ],
)
def test_unsupported_components_are_named(
    trained: dict[str, Any], part: str, spec: dict[str, Any], named: str
) -> None:
    with pytest.raises(ModelFormatError, match=named):
        PipelineTokenizer.from_hf(variant(trained["classic"], **{part: spec}))


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SubwordxFileNotFoundError):
        load_hf(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"broken\.json"):
        load_hf(tmp_path / "broken.json")
    (tmp_path / "mine.tiktoken").write_bytes(b"YQ== 0\n")
    with pytest.raises(ConfigError, match="pattern"):
        load_tiktoken(tmp_path / "mine.tiktoken")
    (tmp_path / "bad.tiktoken").write_bytes(b"YQ==\n")
    with pytest.raises(ModelFormatError, match="line 1"):
        load_tiktoken(tmp_path / "bad.tiktoken", pattern="gpt2")


# ---------------------------------------------------------------------------------- tiktoken


def tiktoken_reference(name: str, monkeypatch: pytest.MonkeyPatch) -> tiktoken.Encoding:
    """tiktoken's own constructor for ``name`` (``tiktoken_ext.openai_public``), reading the
    local rank file instead of downloading it (its sha256 is still checked), no cache."""
    from tiktoken import load
    from tiktoken_ext import openai_public

    path = str(shared(f"{OPENAI}/{name}.tiktoken"))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.setattr(
        openai_public,
        "load_tiktoken_bpe",
        lambda _url, expected_hash=None: load.load_tiktoken_bpe(path, expected_hash),
    )
    spec = getattr(openai_public, name)()
    return tiktoken.Encoding(
        spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
    )


@pytest.mark.parametrize("name", ["r50k_base", "cl100k_base", "o200k_base"])
def test_tiktoken_files_match_tiktoken(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    enc = tiktoken_reference(name, monkeypatch)
    ours = load_tiktoken(shared(f"{OPENAI}/{name}.tiktoken"))
    assert ours.token_to_id("<|endoftext|>") == enc.eot_token
    lines = [*corpus_lines(SHARED)[::2], "<|endoftext|> x <|endofprompt|>", "1234567 \n\n  a"]
    for text in lines:
        ids = ours.encode(text, allowed_special="all").ids
        assert ids == enc.encode(text, allowed_special="all"), text
        assert ours.decode(ids, skip_special_tokens=False) == enc.decode(ids), text
        as_text = ours.encode(text, disallowed_special=()).ids
        assert as_text == enc.encode(text, disallowed_special=()), text
    # tiktoken's special-token policy: a disallowed special token in the text is an error ...
    with pytest.raises(ConfigError, match="disallowed special token"):
        ours.encode("hi <|endoftext|>", allowed_special=set())
    with pytest.raises(ValueError, match="disallowed special token"):
        enc.encode("hi <|endoftext|>")
    # ... unless only some are disallowed.
    assert ours.encode("a <|endoftext|>", disallowed_special=["<|fim_prefix|>"]).ids == enc.encode(
        "a <|endoftext|>", disallowed_special=["<|fim_prefix|>"]
    )
    if name == "r50k_base":  # writing the rank file back gives the same bytes
        assert ours.to_tiktoken_bytes() == shared(f"{OPENAI}/{name}.tiktoken").read_bytes()


def test_tiktoken_to_hf_round_trip(tmp_path: Path) -> None:
    """A small rank file (r50k's first 3000 ranks, a valid BPE vocabulary on its own): ours,
    tiktoken, and HF loading our ``to_hf()`` agree."""
    source = shared(f"{OPENAI}/r50k_base.tiktoken").read_bytes().split(b"\n")[:3000]
    path = tmp_path / "small.tiktoken"
    path.write_bytes(b"\n".join(source) + b"\n")
    specials = {"<|endoftext|>": 3005}
    ours = load_tiktoken(path, pattern="r50k_base", special_tokens=specials)
    ranks = load_tiktoken_bpe(str(path))
    enc = tiktoken.Encoding(
        "small",
        pat_str=TIKTOKEN_ENCODINGS["r50k_base"][0],
        mergeable_ranks=ranks,
        special_tokens=specials,
        explicit_n_vocab=None,
    )
    hf = Tokenizer.from_str(json.dumps(ours.to_hf()))
    for text in [*corpus_lines(SHARED)[::6], "end <|endoftext|>"]:
        mine = ours.encode(text, allowed_special="all")
        assert mine.ids == enc.encode(text, allowed_special="all"), text
        assert fields(mine) == fields(hf.encode(text)), text
    assert ours.to_tiktoken_bytes() == path.read_bytes()
    # The same document without its merges (they follow from the ranks) reads back the same.
    doc = ours.to_hf()
    doc["model"]["merges"] = []
    again = PipelineTokenizer.from_hf_ranks(doc, "no merges")
    for text in corpus_lines(SHARED)[::12]:
        assert fields(again.encode(text)) == fields(ours.encode(text)), text


# ---------------------------------------------------------------------------------- the zoo


@pytest.mark.parametrize(("ranks", "shape"), ZOO_CASES)
def test_zoo_matches_hf(zoo_jobs: dict[str, Future[Any]], ranks: str, shape: str) -> None:
    expected = zoo_jobs[ranks].result()[shape]
    ours = ours_for(expected["path"])
    lines = corpus_lines(SHARED)
    pairs = corpus_pairs(lines)
    for text, theirs, decoded in zip(lines, expected["singles"], expected["decoded"]):
        mine = outcome(ours.encode, text)
        assert mine == theirs, f"{text!r}: {first_difference(mine, theirs)}"
        ids = mine["ids"]
        assert [ours.decode(ids, skip) for skip in (True, False)] == decoded, text
    for pair, theirs, no_special in zip(pairs, expected["pairs"], expected["no_special"]):
        assert outcome(ours.encode, *pair) == theirs, pair
        mine = outcome(ours.encode, *pair, add_special_tokens=False)
        assert mine == no_special, pair


@pytest.mark.parametrize(("ranks", "shape"), ZOO_CASES)
def test_zoo_truncation_and_padding_match_hf(
    zoo_jobs: dict[str, Future[Any]], ranks: str, shape: str
) -> None:
    expected = zoo_jobs[ranks].result()[shape]
    ours = ours_for(expected["path"])
    lines = corpus_lines(SHARED)
    pairs = corpus_pairs(lines)[:5]
    results = iter(expected["truncated"])
    for max_length, stride, strategy, direction in TRUNCATIONS:
        params = TruncationParams(max_length, stride, strategy, direction)
        truncating = ours.with_truncation(params)
        mine = [outcome(truncating.encode, *p) for p in pairs]
        assert mine == next(results), (max_length, stride, strategy, direction)
        mine = [outcome(truncating.encode, p[0]) for p in pairs]
        assert mine == next(results), (max_length, stride, strategy, direction, "single")
    batch: list[Any] = [lines[0], corpus_pairs(lines)[1], lines[-3], "hi"]
    for (length, direction, multiple), theirs in zip(PADDINGS, expected["padded"]):
        params_pad = PaddingParams(length, direction, multiple, 3, 1, "<pad>")
        mine_batch = outcome(ours.with_padding(params_pad).encode_batch, batch)
        assert mine_batch == theirs, (length, direction, multiple)
