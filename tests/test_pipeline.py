"""The pipeline on the tokenizers people have: HF tokenizer.json files in the shapes of GPT-2,
RoBERTa, GPT-4, Llama 3 and Qwen files, and tiktoken rank files, against HF `tokenizers` and
`tiktoken` themselves; the special-token policy, truncation, padding, pairs, the streaming
decoder, file round trips and the CLI."""

from __future__ import annotations

import base64
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tiktoken
from tokenizers import Tokenizer as HFTokenizer

import subwordx
from subwordx import Tokenizer, cli
from subwordx.errors import ConfigError, DisallowedSpecialTokenError, ModelFormatError
from tests.conftest import SHARED_ACCEPTANCE, shared

TRICKY = [
    "",
    "Hello, world! I'LL  go\t\tthere, won't we?",
    "tabs\tand  double  spaces,   numbers 1234567 and 3.14159",
    "\u2003em space, emoji 😀\u200d🔥, café / cafe\u0301",
    "吾輩は猫である。名前はまだ無い。",
    "中文文本，还有English混合123。",
    "line one\nline two\r\n\n  indented   \n",
    "<s>special</s> <|endoftext|> text",
]


def _lines(n: int = 60) -> list[str]:
    en = shared("corpora/gcide.txt").read_text(encoding="utf-8").split("\n")[20000 : 20000 + n]
    ja = shared("corpora/wagahaiwa_nekodearu.txt").read_text(encoding="utf-8").split("\n")[:n]
    return [x for x in en + ja if x] + TRICKY


@pytest.fixture(scope="session")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """tokenizer.json files in the shapes of real models' files, from the real rank files."""
    out = tmp_path_factory.mktemp("zoo")
    made = {}
    for ranks, shape in [("r50k", "roberta"), ("cl100k", "llama3"), ("o200k", "qwen")]:
        path = out / f"{ranks}-{shape}.json"
        subprocess.run(
            [
                sys.executable,
                str(SHARED_ACCEPTANCE / "make_hf_tokenizer.py"),
                str(shared(f"tokenizers/openai/{ranks}_base.tiktoken")),
                shape,
                str(path),
            ],
            check=True,
            capture_output=True,
        )
        made[shape] = path
    return made


@pytest.mark.parametrize("shape", ["roberta", "llama3", "qwen"])
def test_tokenizer_json_gives_hf_encodings(zoo: dict[str, Path], shape: str) -> None:
    ours = Tokenizer.load(zoo[shape], backend="rust")
    hf = HFTokenizer.from_file(str(zoo[shape]))
    for line in _lines():
        a, b = ours.encode(line), hf.encode(line)
        assert a.ids.tolist() == b.ids, line
        assert a.tokens == b.tokens
        assert [tuple(o) for o in a.offsets.tolist()] == b.offsets, line
        assert a.type_ids.tolist() == b.type_ids
        assert a.special_tokens_mask.tolist() == b.special_tokens_mask
        assert a.word_ids == b.word_ids, line
        assert ours.decode(a.ids) == hf.decode(b.ids)
    pairs = [("first text", "second, longer text here"), ("吾輩は猫", "である")]
    for x, y in pairs:
        a, b = ours.encode(x, y), hf.encode(x, y)
        assert a.ids.tolist() == b.ids
        assert a.type_ids.tolist() == b.type_ids
        assert [tuple(o) for o in a.offsets.tolist()] == b.offsets
        assert a.sequence_ids == b.sequence_ids


def test_python_backend_agrees_with_rust(zoo: dict[str, Path]) -> None:
    rust = Tokenizer.load(zoo["llama3"], backend="rust")
    py = Tokenizer.load(zoo["llama3"], backend="python")
    assert py.backend == "python"
    for line in _lines(10):
        a, b = rust.encode(line), py.encode(line)
        assert a.ids.tolist() == b.ids.tolist(), line
        assert a.offsets.tolist() == b.offsets.tolist(), line
        assert a.word_ids == b.word_ids


def test_truncation_and_padding_as_hf(zoo: dict[str, Path]) -> None:
    base = Tokenizer.load(zoo["roberta"], backend="rust")
    hf = HFTokenizer.from_file(str(zoo["roberta"]))
    text = "one two three four five six seven eight nine ten eleven twelve"
    for strategy in ["longest_first", "only_first", "only_second"]:
        for stride in [0, 2]:
            tok = base.with_truncation(9, stride=stride, strategy=strategy)
            hf.enable_truncation(9, stride=stride, strategy=strategy)
            for x, y in [(text, "short pair"), ("short", text)]:
                try:
                    want = hf.encode(x, y)
                except Exception:
                    with pytest.raises(ConfigError):
                        tok.encode(x, y)
                    continue
                got = tok.encode(x, y)
                assert got.ids.tolist() == want.ids, (strategy, stride, x)
                assert got.type_ids.tolist() == want.type_ids
            if strategy == "only_second":
                with pytest.raises(ConfigError):  # HF: "Second sequence not provided"
                    tok.encode(text)
                continue
            single = tok.encode(text)
            want1 = hf.encode(text)
            assert single.ids.tolist() == want1.ids
            assert [o.ids.tolist() for o in single.overflowing] == [
                o.ids for o in want1.overflowing
            ]
    hf.no_truncation()
    pad = base.with_padding(pad_to_multiple_of=8, direction="left", pad_token="<pad>")
    hf.enable_padding(
        pad_to_multiple_of=8, direction="left", pad_id=pad.token_to_id("<pad>"), pad_token="<pad>"
    )
    texts = ["a", "a much longer text than the first one"]
    for got, want in zip(pad.encode_batch(texts), hf.encode_batch(texts)):
        assert got.ids.tolist() == want.ids
        assert got.attention_mask.tolist() == want.attention_mask
        assert got.special_tokens_mask.tolist() == want.special_tokens_mask
        assert [tuple(o) for o in got.offsets.tolist()] == want.offsets
    # Truncation and padding travel in tokenizer.json.
    doc = json.loads(pad.with_truncation(5).to_str("hf"))
    assert doc["truncation"]["max_length"] == 5 and doc["padding"]["pad_to_multiple_of"] == 8


def _tiktoken(name: str) -> tiktoken.Encoding:
    path = shared(f"tokenizers/openai/{name}.tiktoken")
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    ours = Tokenizer.load(path, backend="rust")
    # tiktoken's own patterns and special tokens (tiktoken_ext.openai_public), with the rank file
    # read from ../shared instead of downloaded.
    from unittest import mock

    from tiktoken_ext import openai_public

    with mock.patch.object(openai_public, "load_tiktoken_bpe", lambda *a, **k: ranks):
        spec = getattr(openai_public, name)()
    assert spec["special_tokens"] == {t: ours.token_to_id(t) for t in spec["special_tokens"]}
    return tiktoken.Encoding(
        name, pat_str=spec["pat_str"], mergeable_ranks=ranks, special_tokens=spec["special_tokens"]
    )


@pytest.mark.parametrize("name", ["r50k_base", "cl100k_base", "o200k_base"])
def test_tiktoken_files_give_tiktoken_ids(name: str) -> None:
    ref = _tiktoken(name)
    tok = Tokenizer.load(shared(f"tokenizers/openai/{name}.tiktoken"), backend="rust")
    docs = ["\n".join(_lines(40)), *_lines(), "a\n  ", "trailing \r\n  \n", "x  \n\n  y"]
    for doc in docs:
        ordinary = ref.encode_ordinary(doc)
        assert tok.encode(doc, split_special_tokens=True).ids.tolist() == ordinary, doc[:40]
        assert tok.decode_bytes(ordinary) == doc.encode("utf-8")
    # tiktoken's special-token rules.
    text = "hello <|endoftext|> world"
    with pytest.raises(DisallowedSpecialTokenError):
        tok.encode(text, disallowed_special="all")
    with pytest.raises(ValueError):
        ref.encode(text)
    assert tok.encode(text, allowed_special="all").ids.tolist() == ref.encode(
        text, allowed_special="all"
    )
    assert tok.encode(text, allowed_special=set(), disallowed_special=()).ids.tolist() == (
        ref.encode(text, disallowed_special=())
    )
    flat, _ = tok.encode_batch_ids([text], allowed_special=set())
    assert flat.tolist() == ref.encode_ordinary(text)
    assert tok.encode_batch_lists([text, "x"], split_special_tokens=True) == [
        ref.encode_ordinary(text),
        ref.encode_ordinary("x"),
    ]
    with pytest.raises(DisallowedSpecialTokenError):
        tok.encode_batch_lists(["ok", text], disallowed_special="all")


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_long_pieces_give_tiktoken_ids(name: str) -> None:
    """Pieces of kilobytes (kana and kanji with nothing between them, a run of digits and
    letters) take the core's search rather than its merge replay: tiktoken's ids all the same,
    with offsets that tile the text."""
    ref = _tiktoken(name)
    tok = Tokenizer.load(shared(f"tokenizers/openai/{name}.tiktoken"), backend="rust")
    novel = shared("corpora/wagahaiwa_nekodearu.txt").read_text(encoding="utf-8")
    letters = "".join(ch for ch in novel[:60_000] if ch.isalpha())
    chinese = shared("corpora/zh/chinese").read_text(encoding="utf-8")
    hanzi = "".join(ch for ch in chinese[:60_000] if "\u4e00" <= ch <= "\u9fff")
    docs = [letters[i : i + 3000] for i in range(0, len(letters), 3000)]
    docs += [hanzi[i : i + 2000] for i in range(0, len(hanzi), 2000)]
    docs.append("ab1" * 2000)
    assert len(docs) > 10 and max(map(len, docs)) >= 2000
    for doc in docs:
        enc = tok.encode(doc)
        assert enc.ids.tolist() == ref.encode_ordinary(doc), doc[:20]
        ends = [end for _, end in enc.offsets]
        assert enc.offsets[0][0] == 0 and ends[-1] == len(doc)
        assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(enc.offsets, enc.offsets[1:]))
    assert tok.encode_batch_lists(docs[:5]) == [ref.encode_ordinary(d) for d in docs[:5]]


def test_id_lists_are_plain_and_the_callers_own() -> None:
    """The lists of ids share the tokenizer's int objects (ints are immutable), never a list:
    changing one list changes nothing else, and the ints are plain ints equal to the ids."""
    tok = Tokenizer.load(shared("tokenizers/openai/r50k_base.tiktoken"))
    texts = ["hello world, hello again", "hello world, hello again", "\u00e9t\u00e9 \u6f22\u5b57"]
    lists = tok.encode_batch_lists(texts)
    assert type(lists) is list and all(type(ids) is list for ids in lists)
    assert all(type(i) is int for ids in lists for i in ids)
    assert lists == [tok.encode_ids(t).tolist() for t in texts]
    assert lists[0] is not lists[1]
    lists[0][0] = -1
    lists[0].append(7)
    assert tok.encode_batch_lists(texts[:1]) == lists[1:2]
    assert lists[1] == tok.encode_ids(texts[1]).tolist()
    # a tokenizer made from this one shares its ints, and its lists are its own too
    short = tok.with_truncation(3)
    assert short.encode_batch_lists(texts) == [ids[:3] for ids in tok.encode_batch_lists(texts)]


def test_tiktoken_file_round_trips(tmp_path: Path) -> None:
    src = shared("tokenizers/openai/r50k_base.tiktoken")
    tok = Tokenizer.load(src)
    out = tmp_path / "copy.tiktoken"
    tok.save(out)
    assert out.read_bytes() == src.read_bytes()
    # Native and HF files of a tiktoken vocabulary give the same ids.
    tok.save(tmp_path / "t.swx.json")
    tok.save(tmp_path / "t.json")
    again = Tokenizer.load(tmp_path / "t.swx.json")
    hf = HFTokenizer.from_file(str(tmp_path / "t.json"))
    for line in _lines(20):
        ids = tok.encode(line, split_special_tokens=True).ids.tolist()
        assert again.encode(line, split_special_tokens=True).ids.tolist() == ids
        assert hf.encode(line, add_special_tokens=False).ids == tok.encode(line).ids.tolist()
    unknown = tmp_path / "mystery.tiktoken"
    unknown.write_bytes(src.read_bytes())
    with pytest.raises(ConfigError, match="pattern"):
        Tokenizer.load(unknown)
    assert Tokenizer.load(unknown, pattern="gpt2").encode("hi there").ids.tolist() == (
        tok.encode("hi there").ids.tolist()
    )


def test_hf_file_saves_back_to_the_same_behaviour(zoo: dict[str, Path], tmp_path: Path) -> None:
    tok = Tokenizer.load(zoo["llama3"])
    tok.save(tmp_path / "back.json")
    hf = HFTokenizer.from_file(str(tmp_path / "back.json"))
    for line in _lines(20):
        assert tok.encode(line).ids.tolist() == hf.encode(line).ids
    back = Tokenizer.load(tmp_path / "back.json")
    assert back == tok
    assert pickle.loads(pickle.dumps(tok)) == tok


def test_decode_stream_never_splits_a_char(zoo: dict[str, Path]) -> None:
    tok = Tokenizer.load(zoo["qwen"])
    for text in [*TRICKY, "😀🔥🎉 日本語"]:
        ids = tok.encode(text, add_special_tokens=False).ids
        stream = tok.decode_stream()
        pieces = [p for p in map(stream.step, ids) if p is not None]
        assert "".join(pieces) == tok.decode(ids)  # NFC-normalized text (Qwen's normalizer)
        assert all("\ufffd" not in p for p in pieces)


def test_decode_as_hf_from_any_id_sequence(zoo: dict[str, Path]) -> None:
    """decode gives HF's text, special tokens kept or skipped, from a numpy array, a list, a
    tuple or numpy ints; a value that is not an id is a ConfigError naming it."""
    tok = Tokenizer.load(zoo["llama3"])
    hf = HFTokenizer.from_file(str(zoo["llama3"]))
    for text in [*TRICKY, "😀🔥🎉 日本語"]:
        ids = tok.encode(text).ids  # <|begin_of_text|> first
        plain = ids.tolist()
        for skip in (True, False):
            want = hf.decode(plain, skip_special_tokens=skip)
            for given in (
                ids,
                plain,
                tuple(plain),
                ids.astype(np.int64),
                [np.int64(i) for i in plain],
            ):
                assert tok.decode(given, skip_special_tokens=skip) == want
    bad: list[tuple[object, str]] = [
        ([1, True], "bool"),
        ([1, 2.0], "float"),
        ([-1], "-1"),
        ([2**32], str(2**32)),
        ((5, -3), "-3"),
        ("abc", "str"),
        ([[1]], "list"),
        (np.array([1.5]), "float64"),
        (np.array([-2]), "-2"),
        ([10**9], "unknown token id 1000000000"),
    ]
    for ids, named in bad:
        with pytest.raises(ConfigError, match=named):
            tok.decode(ids)  # type: ignore[arg-type]


@pytest.mark.parametrize("scheme", ["always", "first", "never"])
@pytest.mark.parametrize("split", [True, False])
def test_sentencepiece_style_bpe_as_hf(tmp_path: Path, scheme: str, split: bool) -> None:
    """Mistral / Llama 2 style: Metaspace, byte fallback, <s> template, Metaspace decoder."""
    from tokenizers import decoders, models, pre_tokenizers, processors, trainers

    hf = HFTokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    hf.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme=scheme, split=split)
    hf.decoder = decoders.Sequence(
        [
            decoders.Metaspace(prepend_scheme=scheme, split=split),
            decoders.ByteFallback(),
            decoders.Fuse(),
        ]
    )
    specials = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=specials)
    hf.train_from_iterator(_lines(80), trainer)
    hf.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", hf.token_to_id("<s>"))]
    )
    path = tmp_path / "sp.json"
    hf.save(str(path))
    ours = Tokenizer.load(path, backend="rust")
    for line in [*_lines(30), "  two leading spaces", "ω unknown ⌘ chars ✈", "a <s> b"]:
        a, b = ours.encode(line), hf.encode(line)
        assert a.ids.tolist() == b.ids, line
        assert [tuple(o) for o in a.offsets.tolist()] == b.offsets, line
        assert ours.decode(a.ids) == hf.decode(b.ids), line


def test_unsupported_components_are_named(zoo: dict[str, Path], tmp_path: Path) -> None:
    doc = json.loads(zoo["roberta"].read_text(encoding="utf-8"))
    bad = tmp_path / "bad.json"
    doc["post_processor"] = {"type": "NoSuchProcessor"}
    doc["pre_tokenizer"] = None
    bad.write_text(json.dumps(doc), encoding="utf-8")
    for backend in ["rust", "python"]:
        with pytest.raises(ModelFormatError, match="NoSuchProcessor"):
            Tokenizer.load(bad, backend=backend)


def test_threads_are_bounded(zoo: dict[str, Path]) -> None:
    tok = Tokenizer.load(zoo["roberta"])
    with pytest.raises(ConfigError, match="threads"):
        tok.encode_batch_lists(["a", "b"], threads=10**6)
    assert tok.encode_batch_lists(["a", "b"], threads=2) == tok.encode_batch_lists(["a", "b"])


def test_cli_convert_and_info(
    zoo: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = shared("tokenizers/openai/cl100k_base.tiktoken")
    out = tmp_path / "cl100k.json"
    assert cli.main(["convert", str(src), str(out), "--to", "hf"]) == 0
    hf = HFTokenizer.from_file(str(out))
    tok = Tokenizer.load(src)
    for line in _lines(10):
        assert hf.encode(line, add_special_tokens=False).ids == tok.encode(line).ids.tolist()
    capsys.readouterr()
    assert cli.main(["info", str(zoo["llama3"])]) == 0
    info = capsys.readouterr().out
    assert "byte-level BPE" in info and "TemplateProcessing" in info and "Split" in info
    assert cli.main(["info", str(src)]) == 0
    assert "<|endoftext|>" in capsys.readouterr().out
    assert cli.main(["convert", str(zoo["llama3"]), str(tmp_path / "x.swx.json")]) == 0
    assert Tokenizer.load(tmp_path / "x.swx.json") == Tokenizer.load(zoo["llama3"])


def test_lazy_fields_match_a_full_encoding(zoo: dict[str, Path]) -> None:
    tok = Tokenizer.load(zoo["roberta"])
    text = "Lazy fields, computed on first use."
    enc = tok.encode(text)
    assert len(enc) == len(enc.offsets) == len(enc.type_ids) == len(enc.word_ids)
    assert tok.encode_ids(text).tolist() == enc.ids.tolist()
    assert subwordx.Encoding is type(enc)


@pytest.mark.parametrize("normalizer", ["lowercase", "prepend", "nfkc"])
def test_added_tokens_match_as_hf_through_the_normalizer(tmp_path: Path, normalizer: str) -> None:
    # A token with normalized=True is matched as the normalizer writes it (HF's rule): under a
    # lowercaser "Hello" matches "HELLO"; under a normalizer that prepends "▁" it is "▁Hello",
    # found only where the normalized text has "▁Hello". A token that strips whitespace holds it
    # in its token string; a raw special token with lstrip as RoBERTa's "<mask>". (The model
    # cannot make the added tokens here: HF gives a model-made token the model's string.)
    import tokenizers
    from tokenizers import models, normalizers, pre_tokenizers

    vocab = {"[UNK]": 0, "h": 1, "e": 2, "l": 3, "o": 4, "he": 5, "ll": 6, "Hello": 7, "xy": 8}
    vocab.update({"▁": 9, "<m>": 10, "s": 11, "a": 12, "y": 13})
    hf = HFTokenizer(models.BPE(vocab=vocab, merges=[("h", "e"), ("l", "l")], unk_token="[UNK]"))
    hf.normalizer = {
        "lowercase": normalizers.Lowercase(),
        "prepend": normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]),
        "nfkc": normalizers.NFKC(),
    }[normalizer]
    hf.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    hf.add_tokens(
        [
            tokenizers.AddedToken("Hello", normalized=True),
            tokenizers.AddedToken("xy", normalized=True, lstrip=True, rstrip=True),
        ]
    )
    hf.add_special_tokens([tokenizers.AddedToken("<m>", normalized=False, lstrip=True)])
    path = tmp_path / "tokenizer.json"
    hf.save(str(path))
    texts = ["say HELLO  xy ", "hello xy", "Hello", " Hello  xy", "ｈｅｌｌｏ Hello"]
    texts += ["a  <m>", "Hxy<m>xy"]
    for backend in ("rust", "python"):
        ours = Tokenizer.load(path, backend=backend)
        for text in texts:
            a, b = ours.encode(text), hf.encode(text)
            assert a.ids.tolist() == b.ids, (backend, text)
            assert a.tokens == b.tokens, (backend, text)
            assert [tuple(o) for o in a.offsets.tolist()] == b.offsets, (backend, text)
            assert ours.decode(a.ids, skip_special_tokens=False) == hf.decode(
                b.ids, skip_special_tokens=False
            )
        assert ours.id_to_token(7) == hf.id_to_token(7)
        # The subwordx format keeps the behaviour.
        again = tmp_path / f"{backend}.swx.json"
        ours.save(again)
        assert Tokenizer.load(again).encode(texts[0]).ids.tolist() == hf.encode(texts[0]).ids
