"""subwordx.tiktoken against the real tiktoken: the same ids, errors, constants and corners.

The real tiktoken loads the same rank files (../shared/data/tokenizers/openai) offline, through a
cache folder filled the way tiktoken fills it (files named by the SHA-1 of their URL). tiktoken's
own test suite runs separately (``make tiktoken-suite``, ``tests/run_tiktoken_suite.py``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tiktoken as real_tiktoken  # the anchor (a test dependency)

import subwordx.tiktoken as swx_tiktoken
from subwordx import errors
from subwordx.tiktoken import load, openai_public

from .conftest import shared

NAMES = ["r50k_base", "cl100k_base", "o200k_base"]
SPECIAL_TEXT = (
    "Hello <|endoftext|> world<|fim_prefix|>x<|fim_middle|> <|endofprompt|>y"
    " <|fim_suffix|><|endoftext|"
)


@pytest.fixture(scope="module")
def rank_dir() -> Iterator[Path]:
    """SUBWORDX_TIKTOKEN_DIR set to the shared rank files for this module."""
    folder = shared("tokenizers/openai")
    saved = os.environ.get(load.DIR_VARIABLE)
    os.environ[load.DIR_VARIABLE] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop(load.DIR_VARIABLE, None)
    else:
        os.environ[load.DIR_VARIABLE] = saved


@pytest.fixture(scope="module")
def real(rank_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real tiktoken's encodings of the shared rank files (loaded offline from a cache folder
    that holds them under tiktoken's cache names), and gpt2/o200k_harmony, which share them."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name in NAMES:
        rank_file = openai_public.RANK_FILES[name]
        key = hashlib.sha1(rank_file.url.encode()).hexdigest()
        shutil.copy(rank_dir / rank_file.name, cache / key)
    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        encodings = {n: real_tiktoken.get_encoding(n) for n in [*NAMES, "o200k_harmony"]}
    finally:
        if saved is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved
    return encodings


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Documents of English, Japanese and Chinese text (~1 MB in all), with code-like and
    whitespace-heavy ones."""
    corpora = shared("corpora")
    en = (corpora / "gcide.txt").read_bytes()[:400_000]
    en_text = en[: en.rfind(b"\n") + 1].decode("utf-8")
    with open(corpora / "wagahaiwa_nekodearu.txt", encoding="utf-8", newline="") as f:
        ja = f.read()[:120_000]
    zh = (corpora / "zh" / "chinese").read_text(encoding="utf-8")[:120_000]
    docs = []
    for text in (en_text, ja, zh):
        docs += [text[i : i + 4000] for i in range(0, len(text), 4000)]
    docs += [
        "",
        " ",
        "\n\n\n",
        "  \n \t\r\n x  ",
        "def f(x):\n    return x ** 2  # 12345678901234567890\n",
        "I'm 100% SURE they'll've DONE it's 'quoted' \u00a0\u2003nbsp",
        "😀🔥 emoji 👍🏽 and ZWJ 👨‍👩‍👧 and combining e\u0301 à",
        "x" * 5000,
        " " * 3000 + "end",
        "\u0000\u0001\u001f\u007f control",
    ]
    return docs


def swx(name: str) -> swx_tiktoken.Encoding:
    return swx_tiktoken.get_encoding(name)


# ==================================================================================== constants
def _real_constructor_params() -> dict[str, dict[str, Any]]:
    """tiktoken's constructor arguments of each encoding, its downloads swapped for nothing."""
    from tiktoken_ext import openai_public as real_public

    def no_ranks(*args: object, **kwargs: object) -> dict[bytes, int]:
        return {}

    saved = (real_public.load_tiktoken_bpe, real_public.data_gym_to_mergeable_bpe_ranks)
    real_public.load_tiktoken_bpe = no_ranks
    real_public.data_gym_to_mergeable_bpe_ranks = no_ranks
    try:
        return {n: make() for n, make in real_public.ENCODING_CONSTRUCTORS.items()}
    finally:
        real_public.load_tiktoken_bpe, real_public.data_gym_to_mergeable_bpe_ranks = saved


def test_the_encodings_are_tiktokens() -> None:
    params = _real_constructor_params()
    assert swx_tiktoken.list_encoding_names() == list(params)
    assert swx_tiktoken.list_encoding_names() == real_tiktoken.list_encoding_names()
    for name, p in params.items():
        spec = openai_public.ENCODINGS[name]
        assert spec.pat_str == p["pat_str"], name
        assert spec.special_tokens == p["special_tokens"], name
        assert spec.explicit_n_vocab == p.get("explicit_n_vocab"), name


def test_the_rank_files_are_tiktokens() -> None:
    import inspect

    from tiktoken_ext import openai_public as real_public

    source = inspect.getsource(real_public)
    for rank_file in openai_public.RANK_FILES.values():
        assert rank_file.url in source
        assert rank_file.sha256 in source


def test_the_model_tables_are_tiktokens() -> None:
    from tiktoken import model as real_model

    assert swx_tiktoken.model.MODEL_TO_ENCODING == real_model.MODEL_TO_ENCODING
    # Prefixes are tried in order: the order is part of the table.
    assert list(swx_tiktoken.model.MODEL_PREFIX_TO_ENCODING.items()) == list(
        real_model.MODEL_PREFIX_TO_ENCODING.items()
    )
    for model in ["gpt-4o-2024-05-13", "gpt-4-0314", "ft:gpt-4o:org", "gpt-oss-20b", "gpt-5-mini"]:
        assert swx_tiktoken.encoding_name_for_model(model) == (
            real_tiktoken.encoding_name_for_model(model)
        )


def test_an_unknown_model_is_a_key_error() -> None:
    with pytest.raises(errors.UnknownModelError) as e:
        swx_tiktoken.encoding_for_model("no-such-model")
    assert isinstance(e.value, KeyError)
    assert isinstance(e.value, errors.SubwordxError)


def test_an_unknown_encoding_is_a_value_error() -> None:
    with pytest.raises(errors.ConfigError, match="Unknown encoding"):
        swx_tiktoken.get_encoding("p100k_base")
    with pytest.raises(ValueError, match="Expected a string"):
        swx_tiktoken.get_encoding(5)  # type: ignore[arg-type]


# ==================================================================================== same ids
@pytest.mark.parametrize("name", NAMES)
def test_same_ids_as_tiktoken(name: str, real: dict[str, Any], texts: list[str]) -> None:
    enc, ref = swx(name), real[name]
    for doc in texts:
        ids = enc.encode(doc)
        assert ids == ref.encode(doc), doc[:60]
        assert enc.encode_ordinary(doc) == ids
        assert enc.decode(ids) == doc
    assert enc.encode_ordinary_batch(texts, num_threads=2) == ref.encode_ordinary_batch(texts)
    assert enc.encode_batch(texts) == [ref.encode(t) for t in texts]
    some = texts[::7]
    assert enc.decode_batch([ref.encode(t) for t in some]) == some
    array = enc.encode_to_numpy(texts[0])
    assert array.dtype == np.uint32 and array.tolist() == ref.encode(texts[0])


def test_gpt2_is_r50k_base(rank_dir: Path, texts: list[str]) -> None:
    gpt2, r50k = swx("gpt2"), swx("r50k_base")
    assert gpt2.name == "gpt2" and gpt2 is not r50k
    assert gpt2.encode_ordinary_batch(texts[::5]) == r50k.encode_ordinary_batch(texts[::5])
    assert gpt2.encode("hello world") == [31373, 995]
    assert swx_tiktoken.encoding_for_model("gpt2") is gpt2


@pytest.mark.parametrize("name", [*NAMES, "o200k_harmony"])
def test_same_attributes_as_tiktoken(name: str, real: dict[str, Any]) -> None:
    enc, ref = swx(name), real[name]
    assert repr(enc) == repr(ref)
    assert enc.n_vocab == ref.n_vocab
    assert enc.max_token_value == ref.max_token_value
    assert enc.eot_token == ref.eot_token
    assert enc.special_tokens_set == ref.special_tokens_set
    assert enc._special_tokens == ref._special_tokens
    assert enc._pat_str == ref._pat_str
    assert enc._mergeable_ranks == ref._mergeable_ranks
    for token in [0, 255, 1000, ref.eot_token, ref.max_token_value]:
        assert enc.is_special_token(token) == ref.is_special_token(token)


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_harmony"])
def test_every_single_token_as_tiktoken(name: str, real: dict[str, Any]) -> None:
    enc, ref = swx(name), real[name]
    assert enc.token_byte_values() == ref.token_byte_values()
    for token in range(ref.n_vocab + 2):
        try:
            expected = ref.decode_single_token_bytes(token)
        except KeyError:
            with pytest.raises(errors.UnknownTokenError):
                enc.decode_single_token_bytes(token)
            with pytest.raises(KeyError):
                enc.decode([token])
            continue
        assert enc.decode_single_token_bytes(token) == expected
        assert enc.encode_single_token(expected) == ref.encode_single_token(expected)


def test_shared_special_ids_as_tiktoken(real: dict[str, Any]) -> None:
    """o200k_harmony has two special tokens with id 200018: both encode to it, it decodes as
    tiktoken decodes it, and the core's own id for the second one never shows."""
    enc, ref = swx("o200k_harmony"), real["o200k_harmony"]
    text = "<|start|>user<|message|>hi<|endofprompt|><|reserved_200018|><|end|>"
    for allowed in ["all", {"<|reserved_200018|>"}, {"<|endofprompt|>", "<|start|>"}]:
        kwargs = {"allowed_special": allowed, "disallowed_special": ()}
        assert enc.encode(text, **kwargs) == ref.encode(text, **kwargs)
        assert enc.encode_to_numpy(text, **kwargs).tolist() == ref.encode(text, **kwargs)
        assert enc.encode_batch([text, "x" + text], **kwargs) == ref.encode_batch(
            [text, "x" + text], **kwargs
        )
    assert enc.decode([200018]) == ref.decode([200018])
    assert enc.encode_single_token("<|reserved_200018|>") == 200018
    with pytest.raises(KeyError):
        enc.decode([enc.max_token_value + 1])


# ==================================================================================== specials
SPECIAL_CASES: list[dict[str, Any]] = [
    {},
    {"allowed_special": "all"},
    {"disallowed_special": ()},
    {"allowed_special": "all", "disallowed_special": "all"},
    {"allowed_special": "all", "disallowed_special": ()},
    {"allowed_special": {"<|endoftext|>"}},
    {"allowed_special": {"<|endoftext|>"}, "disallowed_special": ()},
    {"allowed_special": {"<|fim_prefix|>", "<|endofprompt|>"}, "disallowed_special": ()},
    {"disallowed_special": {"<|fim_middle|>"}},
    {"disallowed_special": {"<|fim_suffix|>"}},
    {"disallowed_special": frozenset({"world"})},  # not a special token: tiktoken refuses it too
    {"allowed_special": {"<|not_special|>"}, "disallowed_special": ()},
]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "o200k_harmony"])
@pytest.mark.parametrize("kwargs", SPECIAL_CASES)
def test_special_token_rules_as_tiktoken(
    name: str, kwargs: dict[str, Any], real: dict[str, Any]
) -> None:
    enc, ref = swx(name), real[name]
    for text in [SPECIAL_TEXT, "no special here", "<|endoftext|>", "a<|endofprompt|>"]:
        try:
            expected: Any = ref.encode(text, **kwargs)
        except ValueError as e:
            expected = e
        if isinstance(expected, ValueError):
            with pytest.raises(errors.DisallowedSpecialTokenError) as got:
                enc.encode(text, **kwargs)
            assert isinstance(got.value, ValueError)
            assert str(got.value) == str(expected)
            with pytest.raises(ValueError):
                enc.encode_batch(["fine", text], **kwargs)
            with pytest.raises(ValueError):
                enc.encode_to_numpy(text, **kwargs)
            with pytest.raises(ValueError):
                enc.encode_with_unstable(text, **kwargs)
        else:
            assert enc.encode(text, **kwargs) == expected, text
            assert enc.encode_batch([text], **kwargs) == [expected]


def test_encode_ordinary_ignores_special_tokens(real: dict[str, Any]) -> None:
    enc = swx("cl100k_base")
    assert enc.encode_ordinary(SPECIAL_TEXT) == real["cl100k_base"].encode_ordinary(SPECIAL_TEXT)
    assert enc.encode_ordinary(SPECIAL_TEXT) == enc.encode(SPECIAL_TEXT, disallowed_special=())


# ==================================================================================== corners
def test_surrogates_as_tiktoken(real: dict[str, Any]) -> None:
    enc, ref = swx("cl100k_base"), real["cl100k_base"]
    for text in ["\ud83d\udc4d", "\ud83d", "a\udc00b <|endoftext|>", "\ud83d<|endoftext|>"]:
        kwargs: dict[str, Any] = {"disallowed_special": ()}
        assert enc.encode(text, **kwargs) == ref.encode(text, **kwargs)
        assert enc.encode_ordinary(text) == ref.encode_ordinary(text)
        assert enc.encode_batch([text, "x"], **kwargs) == ref.encode_batch([text, "x"], **kwargs)
        assert enc.encode_ordinary_batch([text]) == ref.encode_ordinary_batch([text])
    with pytest.raises(ValueError):
        enc.encode("\ud83d<|endoftext|>")


def test_decode_as_tiktoken(real: dict[str, Any]) -> None:
    enc, ref = swx("cl100k_base"), real["cl100k_base"]
    ids = ref.encode("héllo wörld 😀", disallowed_special=())
    for cut in range(len(ids) + 1):
        part = ids[:cut]
        assert enc.decode_bytes(part) == ref.decode_bytes(part)
        for mode in ["replace", "ignore", "backslashreplace"]:
            assert enc.decode(part, errors=mode) == ref.decode(part, errors=mode)
        assert enc.decode_tokens_bytes(part) == ref.decode_tokens_bytes(part)
    assert enc.decode_bytes(np.array(ids, dtype=np.uint32)) == ref.decode_bytes(ids)
    assert enc.decode_bytes([100257, 100276]) == b"<|endoftext|><|endofprompt|>"
    assert enc.decode_bytes_batch([ids, ids[:2]]) == ref.decode_bytes_batch([ids, ids[:2]])
    # Text that spells the core's placeholder for unused ids decodes as text.
    text = "<unused 100256> <unused "
    assert enc.decode(enc.encode(text)) == text


@pytest.mark.parametrize("bad", [[100256], [100261, 5], [100277], [10**9], [-1], [2**40]])
def test_unknown_ids_are_key_errors(bad: list[int], real: dict[str, Any]) -> None:
    enc = swx("cl100k_base")
    with pytest.raises(errors.UnknownTokenError) as e:
        enc.decode(bad)
    assert isinstance(e.value, KeyError)
    assert str(e.value) == f"'Invalid token for decoding: {bad[0]}'"
    if 0 <= bad[0] < 2**32:
        with pytest.raises(KeyError) as r:
            real["cl100k_base"].decode(bad)
        assert str(r.value) == str(e.value)
    with pytest.raises(KeyError):
        enc.decode_single_token_bytes(bad[0])


def test_unknown_single_tokens_are_key_errors() -> None:
    enc = swx("cl100k_base")
    assert enc.encode_single_token("hello") == 15339
    assert enc.encode_single_token(b"<|endoftext|>") == 100257
    for piece in ["hello world!!", b"\xff\xfe\xfd", "<|nope|>"]:
        with pytest.raises(errors.UnknownTokenError):
            enc.encode_single_token(piece)


def test_decode_with_offsets_as_tiktoken(real: dict[str, Any], texts: list[str]) -> None:
    enc, ref = swx("cl100k_base"), real["cl100k_base"]
    for text in [*texts[-10:], texts[120][:500], " Ġ除", "நடிகர் சூர்யா"]:
        ids = ref.encode(text)
        assert enc.decode_with_offsets(ids) == ref.decode_with_offsets(ids)


ENCODE_BYTES_CASES = [
    b"",
    b"hello",
    b" \xec\x8b\xa4\xed",
    b"\x80" * 7,
    b"hello \xff world",
    b"caf\xc3",
    "日本語".encode()[:-1],
    b"  \xe2\x80",
    "  😀".encode()[:-2],
    b"\xf0\x9f\x98\x80" * 3 + b"\xf0",
]


@pytest.mark.parametrize("name", NAMES)
def test_encode_bytes_as_tiktoken(name: str, real: dict[str, Any]) -> None:
    enc, ref = swx(name), real[name]
    for data in ENCODE_BYTES_CASES:
        assert enc._encode_bytes(data) == ref._encode_bytes(data), data
        assert enc.decode_bytes(enc._encode_bytes(data)) == data
        if data:  # tiktoken panics on an empty piece; subwordx gives []
            assert enc._encode_single_piece(data) == ref._encode_single_piece(data), data
    assert enc._encode_single_piece(b"") == []


UNSTABLE_CASES = [
    "hello fanta",
    "hello ",
    "hello\n",
    "hello\n\n",
    "hello  ",
    "I'm",
    "12345",
    "x = 1\n    ",
    "日本語の",
    "<|endoftext|>",
    "a<|endoftext|>",
    "",
]


@pytest.mark.parametrize("name", ["r50k_base", "cl100k_base"])
def test_encode_with_unstable_as_tiktoken(name: str, real: dict[str, Any]) -> None:
    enc, ref = swx(name), real[name]
    for text in UNSTABLE_CASES:
        kwargs: dict[str, Any] = {"allowed_special": "all"}
        stable, completions = enc.encode_with_unstable(text, **kwargs)
        ref_stable, ref_completions = ref.encode_with_unstable(text, **kwargs)
        assert stable == ref_stable, text
        assert sorted(map(tuple, completions)) == sorted(map(tuple, ref_completions)), text


def test_encode_only_native_bpe_as_core(real: dict[str, Any], texts: list[str]) -> None:
    enc = swx("cl100k_base")
    for text in texts[-10:]:
        assert enc._encode_only_native_bpe(text) == enc.encode_ordinary(text)


def test_threads_must_be_positive() -> None:
    enc = swx("cl100k_base")
    assert enc.encode_ordinary_batch(["a b", "c"], num_threads=1000) == [[64, 293], [66]]
    for bad in [0, -1, 1.5, True]:
        with pytest.raises(errors.ConfigError):
            enc.encode_ordinary_batch(["x"], num_threads=bad)  # type: ignore[arg-type]


def test_eot_token_missing() -> None:
    enc = swx_tiktoken.Encoding(
        "tiny", pat_str=r"\S+|\s+", mergeable_ranks={b"a": 0, b"b": 1}, special_tokens={}
    )
    with pytest.raises(errors.UnknownTokenError):
        _ = enc.eot_token
    with pytest.raises(errors.ConfigError):
        enc.is_special_token("0")  # type: ignore[arg-type]


# ==================================================================================== custom
def test_custom_encoding_as_tiktoken(real: dict[str, Any]) -> None:
    ref_base = real["r50k_base"]
    ranks = {k: v for k, v in ref_base._mergeable_ranks.items() if v < 3000}
    specials = {"<|a|>": 3001, "<|b|>": 3005}
    enc = swx_tiktoken.Encoding(
        "custom", pat_str=ref_base._pat_str, mergeable_ranks=ranks, special_tokens=specials
    )
    ref = real_tiktoken.Encoding(
        "custom", pat_str=ref_base._pat_str, mergeable_ranks=ranks, special_tokens=specials
    )
    assert enc._mergeable_ranks is ranks
    assert (enc.n_vocab, enc.max_token_value) == (ref.n_vocab, ref.max_token_value)
    text = "hello world <|a|> and <|b|>, 1234 ok"
    assert enc.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")
    assert enc.encode_ordinary(text) == ref.encode_ordinary(text)
    with pytest.raises(KeyError):
        enc.decode([3000])  # an id between the ranks and the special tokens
    with pytest.raises(errors.ConfigError, match="explicit_n_vocab"):
        swx_tiktoken.Encoding(
            "custom",
            pat_str=ref_base._pat_str,
            mergeable_ranks=ranks,
            special_tokens=specials,
            explicit_n_vocab=4000,
        )


def test_special_tokens_without_a_common_prefix_are_refused(real: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "pat_str": real["r50k_base"]._pat_str,
        "mergeable_ranks": {k: v for k, v in real["r50k_base"]._mergeable_ranks.items() if v < 500},
        "special_tokens": {"<|a|>": 600, "[B]": 601},
    }
    enc, ref = swx_tiktoken.Encoding("p", **args), real_tiktoken.Encoding("p", **args)
    for text in ["x [B] y", "x <|a|>", "plain", "[B"]:
        try:
            expected: Any = ref.encode(text)
        except ValueError as e:
            with pytest.raises(ValueError) as got:
                enc.encode(text)
            assert str(got.value) == str(e)
            continue
        assert enc.encode(text) == expected


def test_special_token_sharing_an_id_with_a_rank_as_tiktoken(real: dict[str, Any]) -> None:
    ranks = {k: v for k, v in real["r50k_base"]._mergeable_ranks.items() if v < 2000}
    args: dict[str, Any] = {
        "pat_str": real["r50k_base"]._pat_str,
        "mergeable_ranks": ranks,
        "special_tokens": {"<|s|>": 5, "<|t|>": 2001},
    }
    enc, ref = swx_tiktoken.Encoding("c", **args), real_tiktoken.Encoding("c", **args)
    for text in ["a<|s|>b<|t|>", "x <|s|>"]:
        for kwargs in [
            {"allowed_special": "all"},
            {"allowed_special": {"<|s|>"}, "disallowed_special": ()},
        ]:
            assert enc.encode(text, **kwargs) == ref.encode(text, **kwargs)
    assert enc.decode([5, 2001]) == ref.decode([5, 2001])
    assert enc.n_vocab == ref.n_vocab


def test_python_backend_gives_the_same_ids(
    real: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref_base = real["r50k_base"]
    ranks = {k: v for k, v in ref_base._mergeable_ranks.items() if v < 1500}
    args: dict[str, Any] = {
        "pat_str": ref_base._pat_str,
        "mergeable_ranks": ranks,
        "special_tokens": {"<|x|>": 1505, "<|y|>": 1505},
    }
    rust = swx_tiktoken.Encoding("small", **args)
    monkeypatch.setenv("SUBWORDX_BACKEND", "python")
    python = swx_tiktoken.Encoding("small", **args)
    for text in ["hello world, the quick brown fox", "a<|x|>b<|y|>c", "\ud83d x 12"]:
        for kwargs in [{}, {"allowed_special": "all"}, {"disallowed_special": ()}]:
            try:
                expected: Any = rust.encode(text, **kwargs)
            except ValueError as e:
                expected = type(e)
            if expected is errors.DisallowedSpecialTokenError:
                with pytest.raises(errors.DisallowedSpecialTokenError):
                    python.encode(text, **kwargs)
            else:
                assert python.encode(text, **kwargs) == expected
    assert python.decode_bytes([1, 2, 1505]) == rust.decode_bytes([1, 2, 1505])
    with pytest.raises(KeyError):
        python.decode([1503])


# ==================================================================================== pickling
def test_registered_encodings_pickle_by_name(rank_dir: Path) -> None:
    enc = swx("cl100k_base")
    data = pickle.dumps(enc)
    assert len(data) < 200  # the name, not the ranks
    again = pickle.loads(data)
    assert again.encode("hello world") == [15339, 1917]
    assert again.__dict__ is enc.__dict__


def test_custom_encodings_pickle_by_content(rank_dir: Path) -> None:
    base = swx("r50k_base")
    enc = swx_tiktoken.Encoding(
        "custom_enc",
        pat_str=base._pat_str,
        mergeable_ranks=base._mergeable_ranks,
        special_tokens={"<|pickle|>": 100_000},
    )
    again = pickle.loads(pickle.dumps(enc))
    assert again.name == "custom_enc" and again is not enc
    assert again.encode("<|pickle|> hi", allowed_special="all") == [100_000, 23105]
    assert again._mergeable_ranks == base._mergeable_ranks


# ==================================================================================== rank files
def _no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def refuse(url: str, timeout: float = 0) -> Any:
        asked.append(url)
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return asked


class _Response:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self) -> bytes:
        return self.data

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *args: object) -> None:
        return None


def test_missing_rank_file_says_what_to_put_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _no_network(monkeypatch)
    monkeypatch.setenv(load.DIR_VARIABLE, str(tmp_path / "ranks"))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    f = openai_public.RANK_FILES["p50k_base"]
    with pytest.raises(errors.SubwordxFileNotFoundError) as e:
        load.rank_file_bytes(f.name, f.url, f.sha256)
    message = str(e.value)
    assert isinstance(e.value, FileNotFoundError)
    assert asked == [f.url]
    assert str(tmp_path / "ranks" / "p50k_base.tiktoken") in message
    assert str(load.cache_path(f.url)) in message
    assert f.url in message and f.sha256 in message


def test_rank_file_in_the_folder_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rank_dir: Path
) -> None:
    _no_network(monkeypatch)
    monkeypatch.setenv(load.DIR_VARIABLE, str(tmp_path))
    (tmp_path / "r50k_base.tiktoken").write_bytes(b"YQ== 0\n")
    f = openai_public.RANK_FILES["r50k_base"]
    with pytest.raises(errors.ModelFormatError, match="sha256"):
        load.rank_file_bytes(f.name, f.url, f.sha256)
    shutil.copy(rank_dir / f.name, tmp_path / f.name)
    assert hashlib.sha256(load.rank_file_bytes(f.name, f.url, f.sha256)).hexdigest() == f.sha256


def test_rank_file_from_tiktokens_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rank_dir: Path
) -> None:
    asked = _no_network(monkeypatch)
    monkeypatch.delenv(load.DIR_VARIABLE, raising=False)
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(tmp_path))
    f = openai_public.RANK_FILES["r50k_base"]
    cached = tmp_path / hashlib.sha1(f.url.encode()).hexdigest()
    assert load.cache_path(f.url) == cached
    shutil.copy(rank_dir / f.name, cached)
    assert load.rank_file_bytes(f.name, f.url, f.sha256) == cached.read_bytes()
    assert asked == []


def test_download_is_checked_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rank_dir: Path
) -> None:
    monkeypatch.delenv(load.DIR_VARIABLE, raising=False)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    f = openai_public.RANK_FILES["r50k_base"]
    good = (rank_dir / f.name).read_bytes()
    served = [b"corrupted", good]
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=0: _Response(served.pop(0)))
    with pytest.raises(errors.ModelFormatError, match="sha256"):
        load.rank_file_bytes(f.name, f.url, f.sha256)
    cached = load.cache_path(f.url)
    assert cached is not None and not cached.exists()  # nothing cached from a bad download
    assert load.rank_file_bytes(f.name, f.url, f.sha256) == good
    assert cached.read_bytes() == good
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temporary left
    # A damaged cache entry is dropped and fetched again.
    cached.write_bytes(b"damaged")
    served.append(good)
    assert load.rank_file_bytes(f.name, f.url, f.sha256) == good
    assert cached.read_bytes() == good


def test_empty_cache_dir_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert load.cache_path("https://example.com/x.tiktoken") is None
    asked = _no_network(monkeypatch)
    with pytest.raises(errors.SubwordxIOError):
        load.read_file_cached("https://example.com/x.tiktoken")
    assert asked == ["https://example.com/x.tiktoken"]


def test_load_and_dump_rank_files(
    tmp_path: Path, rank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tiktoken's load_tiktoken_bpe caches even local files: keep this one out of the real cache.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    path = rank_dir / "r50k_base.tiktoken"
    ranks = load.load_tiktoken_bpe(str(path))
    assert ranks == real_tiktoken.load.load_tiktoken_bpe(str(path))
    out = tmp_path / "copy.tiktoken"
    load.dump_tiktoken_bpe(ranks, str(out))
    assert out.read_bytes() == path.read_bytes()
    (tmp_path / "bad.tiktoken").write_bytes(b"not a rank line\n")
    with pytest.raises(errors.ModelFormatError):
        load.load_tiktoken_bpe(str(tmp_path / "bad.tiktoken"))
    with pytest.raises(errors.SubwordxFileNotFoundError):
        load.load_tiktoken_bpe(str(tmp_path / "missing.tiktoken"))


# ==================================================================================== imports
def test_importing_it_never_imports_tiktoken() -> None:
    prog = (
        "import sys\n"
        "import subwordx.tiktoken as tiktoken\n"
        "tiktoken.list_encoding_names(); tiktoken.encoding_name_for_model('gpt-4o')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('tiktoken', 'tiktoken_ext', 'blobfile', 'requests')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", prog], check=True, env=_child_env())


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    python_dir = str(Path(swx_tiktoken.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([python_dir, env.get("PYTHONPATH", "")])
    return env
