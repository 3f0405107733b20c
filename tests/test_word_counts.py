"""WordCounts: counting settings, exact and associative merging, the binary form (pickling, files,
corrupt bytes), and training from counts (docs/dask.md)."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import subwordx
from subwordx import CountSettings, WordCounts
from subwordx import _backend as backends
from subwordx.errors import (
    ConfigError,
    CountSettingsMismatchError,
    EmptyCorpusError,
    ModelFormatError,
    SubwordxFileNotFoundError,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BACKENDS = ["rust", "python"] if backends._core is not None else ["python"]

words = st.text(alphabet="abcé中😀 \u0301", min_size=1, max_size=6)
count_dicts = st.dictionaries(words, st.integers(0, 2**40), max_size=12)


def counts(d: dict[str, int], backend: str = "rust", **kw: object) -> WordCounts:
    return WordCounts.from_dict(d, backend=backend, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- merging
@SETTINGS
@given(a=count_dicts, b=count_dicts, c=count_dicts)
def test_addition_is_exact_associative_and_commutative(
    a: dict[str, int], b: dict[str, int], c: dict[str, int]
) -> None:
    x, y, z = counts(a), counts(b), counts(c)
    left, right = (x + y) + z, x + (y + z)
    assert left == right == (z + x) + y == WordCounts.sum([y, z, x]) == sum([x, y, z])
    expected = Counter(a) + Counter(b) + Counter(c)  # Counter drops zeros, as WordCounts does
    assert left.to_dict() == dict(expected)
    assert left.to_bytes() == right.to_bytes()
    assert left.total() == sum(expected.values())


@SETTINGS
@given(
    texts=st.lists(st.text(alphabet="ab cÉé\u0301\n\r\t,.!中", max_size=30), max_size=12),
    cut=st.integers(0, 12),
)
def test_counting_parts_and_adding_equals_counting_all(texts: list[str], cut: int) -> None:
    for kw in (
        {},
        {"byte_level": True},
        {"model": "wordpiece"},
        {"lowercase": True, "strip_accents": True, "unicode_normalization": "nfkc"},
    ):
        whole = WordCounts.from_texts(texts, **kw)  # type: ignore[arg-type]
        parts = (
            WordCounts.from_texts(texts[:cut], **kw)
            + WordCounts.from_texts(  # type: ignore[arg-type]
                texts[cut:],
                **kw,  # type: ignore[arg-type]
            )
        )
        assert parts == whole
        # The Python reference counts the same words and writes the same bytes.
        ref = WordCounts.from_texts(texts, backend="python", **kw)  # type: ignore[arg-type]
        assert ref.to_bytes() == whole.to_bytes()


@SETTINGS
@given(parts=st.lists(count_dicts, min_size=1, max_size=5))
def test_merging_the_binary_form_equals_adding(parts: list[dict[str, int]]) -> None:
    made = [counts(d) for d in parts]
    want = WordCounts.sum(made).to_bytes()
    for backend in BACKENDS:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SUBWORDX_BACKEND", backend)
            assert WordCounts._merge_binary([w.to_bytes() for w in made]) == want


@pytest.mark.parametrize("backend", BACKENDS)
def test_settings_must_match_to_add(backend: str) -> None:
    a = counts({"a": 1}, backend)
    for other in (
        counts({"a": 1}, backend, pre_tokenizer="whitespace"),
        counts({"a": 1}, backend, lowercase=True),
        counts({"a": 1}, backend, model="wordpiece"),
        counts({"a": 1}, backend, unicode_normalization="nfc"),
    ):
        with pytest.raises(CountSettingsMismatchError, match="different settings"):
            a + other
        with pytest.raises(ConfigError):
            WordCounts.sum([a, other])
    with pytest.raises(TypeError):
        a + {"a": 1}  # type: ignore[operator]
    # BERT's strip_accents=None means "as lowercase": the same counting, so they add up.
    x = counts({"a": 1}, backend, model="wordpiece")
    y = counts({"a": 2}, backend, model="wordpiece", strip_accents=True)
    assert (x + y)["a"] == 3
    with pytest.raises(ConfigError, match="overflows 64 bits"):
        counts({"a": 2**64 - 1}, backend) + counts({"a": 1}, backend)


def test_backends_mix() -> None:
    if backends._core is None:
        pytest.skip("the compiled core is not installed")
    r, p = counts({"a": 1, "b": 2}), counts({"a": 3}, "python")
    assert (r + p).to_dict() == (p + r).to_dict() == {"a": 4, "b": 2}
    assert (r + p).backend == "rust" and (p + r).backend == "python"
    assert r == counts({"a": 1, "b": 2}, "python")


# ----------------------------------------------------------------------------- reading
@pytest.mark.parametrize("backend", BACKENDS)
def test_reading(backend: str) -> None:
    wc = counts({"b": 2, "a": 2, "c": 5, "d": 1, "z": 0}, backend, byte_level=True)
    assert len(wc) == 4 and wc.total() == 10
    assert wc.most_common() == [("c", 5), ("a", 2), ("b", 2), ("d", 1)]
    assert wc.most_common(2) == [("c", 5), ("a", 2)] and wc.most_common(0) == []
    assert wc.items() == wc.most_common() and list(wc) == ["c", "a", "b", "d"]
    assert wc.to_dict() == {"c": 5, "a": 2, "b": 2, "d": 1}
    assert wc["c"] == 5 and wc.get("c") == 5 and wc.get("zz") is None and wc.get("zz", 0) == 0
    assert "a" in wc and "z" not in wc and 3 not in wc
    with pytest.raises(KeyError):
        wc["z"]
    assert wc.pruned(2).to_dict() == {"c": 5, "a": 2, "b": 2}
    assert wc.settings == CountSettings(pre_tokenizer="gpt2") and wc.settings.byte_level
    assert repr(wc) == "WordCounts(4 words, total=10, pre_tokenizer='gpt2')"
    assert wc.backend == backend
    with pytest.raises(ConfigError):
        wc.pruned(0)
    with pytest.raises(ConfigError):
        wc.most_common(-1)


def test_settings_follow_the_trainers_defaults() -> None:
    assert CountSettings.for_model() == CountSettings()  # train_bpe: bert pre-tokenizer
    assert CountSettings.for_model(byte_level=True).pre_tokenizer == "gpt2"
    assert CountSettings.for_model(pre_tokenizer="cl100k").byte_level
    wp = CountSettings.for_model("wordpiece")
    assert (wp.normalizer, wp.lowercase, wp.strip_accents, wp.pre_tokenizer) == (
        "bert",
        True,
        None,
        "bert",
    )
    for bad in (
        {"pre_tokenizer": "nope"},
        {"byte_level": True, "pre_tokenizer": "whitespace"},
        {"byte_level": False, "pre_tokenizer": "gpt2"},
        {"unicode_normalization": "nfd"},
    ):
        with pytest.raises(ConfigError):
            CountSettings.for_model(**bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        CountSettings.for_model("wordpiece", pre_tokenizer="gpt2")
    with pytest.raises(ConfigError):
        CountSettings.for_model("unigram")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not both"):
        WordCounts.from_dict({"a": 1}, settings=wp, lowercase=True)
    assert WordCounts.from_dict({"a": 1}, settings=wp).settings == wp


def test_settings_json_is_the_same_in_both_languages() -> None:
    if backends._core is None:
        pytest.skip("the compiled core is not installed")
    for s in (
        CountSettings(),
        CountSettings(
            pre_tokenizer="o200k", unicode_normalization="nfkc", lowercase=True, strip_accents=True
        ),
        CountSettings.for_model("wordpiece"),
        CountSettings.for_model(
            "wordpiece", lowercase=False, strip_accents=True, pre_tokenizer="whitespace"
        ),
    ):
        made = WordCounts.from_dict({"a": 1}, settings=s)
        assert made._inner.settings_json() == s.to_json()
        assert CountSettings.from_json(s.to_json()) == s


# ----------------------------------------------------------------------------- bytes and files
@pytest.mark.parametrize("backend", BACKENDS)
def test_pickle_round_trip_is_compact(backend: str, botchan: Path) -> None:
    wc = WordCounts.from_files(botchan, backend=backend)
    data = pickle.dumps(wc)
    back = pickle.loads(data)
    assert back == wc and back.settings == wc.settings and back.backend == backend
    as_dict = pickle.dumps(wc.to_dict())
    assert len(data) < 0.6 * len(as_dict), (len(data), len(as_dict))


@SETTINGS
@given(d=count_dicts, pre=st.sampled_from(["bert", "gpt2", "whitespace"]))
def test_bytes_are_canonical_and_the_same_in_both_backends(d: dict[str, int], pre: str) -> None:
    for backend in BACKENDS:
        wc = counts(d, backend, pre_tokenizer=pre)
        data = wc.to_bytes()
        assert data[:8] == b"SWXCOUNT"
        for reader in BACKENDS:
            back = WordCounts.from_bytes(data, backend=reader)
            assert back.to_dict() == {w: n for w, n in d.items() if n}
            assert back.to_bytes() == data


@pytest.mark.parametrize("backend", BACKENDS)
def test_corrupt_bytes_raise_model_format_error(backend: str) -> None:
    good = counts({"alpha": 3, "alphabet": 1, "beta": 70_000}, backend).to_bytes()
    for cut in range(len(good)):
        with pytest.raises(ModelFormatError, match="word counts"):
            WordCounts.from_bytes(good[:cut], backend=backend)
    for i in range(len(good)):
        damaged = bytearray(good)
        damaged[i] ^= 0x41
        with pytest.raises(ModelFormatError):
            WordCounts.from_bytes(bytes(damaged), backend=backend)
    with pytest.raises(ModelFormatError, match="version 7"):
        WordCounts.from_bytes(b"SWXCOUNT\x07" + b"\0" * 16, backend=backend)
    with pytest.raises(ModelFormatError, match="SWXCOUNT"):
        WordCounts.from_bytes(b"{}", backend=backend)


@SETTINGS
@given(data=st.binary(max_size=80))
def test_random_bytes_never_crash(data: bytes) -> None:
    for backend in BACKENDS:
        for blob in (data, b"SWXCOUNT\x01" + data):
            with pytest.raises(ModelFormatError):
                WordCounts.from_bytes(blob, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_and_load(backend: str, tmp_path: Path) -> None:
    wc = counts({"x": 1, "y": 2}, backend, model="wordpiece")
    path = tmp_path / "counts.swxc"
    wc.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["counts.swxc"]  # no temporary left
    for reader in BACKENDS:
        assert WordCounts.load(path, backend=reader) == wc
    with pytest.raises(SubwordxFileNotFoundError):
        WordCounts.load(tmp_path / "missing", backend=backend)
    (tmp_path / "bad").write_bytes(b"SWXCOUNT\x01 not really")
    with pytest.raises(ModelFormatError, match="bad"):
        WordCounts.load(tmp_path / "bad", backend=backend)
    with pytest.raises(SubwordxFileNotFoundError):
        wc.save(tmp_path / "no" / "such" / "dir" / "c.swxc")


@pytest.mark.parametrize("backend", BACKENDS)
def test_from_files_and_texts_agree(backend: str, tmp_path: Path) -> None:
    text = "Héllo, wörld!\r\nhello again\n\n中文 text\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    for kw in ({}, {"byte_level": True}, {"model": "wordpiece"}):
        a = WordCounts.from_files(path, backend=backend, **kw)  # type: ignore[arg-type]
        b = WordCounts.from_texts([text], backend=backend, **kw)  # type: ignore[arg-type]
        assert a == b and len(a) > 3
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n", encoding="utf-8")
    assert len(WordCounts.from_files(empty, backend=backend)) == 0
    with pytest.raises(EmptyCorpusError):
        subwordx.train_bpe(word_counts=WordCounts.from_files(empty, backend=backend))
    with pytest.raises(ConfigError, match="one string"):
        WordCounts.from_texts("abc", backend=backend)
    with pytest.raises(ConfigError, match="non-empty"):
        WordCounts.from_dict({"": 1}, backend=backend)
    with pytest.raises(ConfigError, match="2\\*\\*64"):
        WordCounts.from_dict({"a": 2**64}, backend=backend)


# ----------------------------------------------------------------------------- training
@pytest.fixture
def small(botchan: Path, tmp_path: Path) -> Path:
    """The first 40 KB of Botchan (the Python reference trains slowly)."""
    data = botchan.read_bytes()[:40_000]
    path = tmp_path / "small.txt"
    path.write_bytes(data[: data.rindex(b"\n") + 1])
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_train_bpe_from_word_counts_equals_training_on_the_file(backend: str, small: Path) -> None:
    for kw in ({}, {"byte_level": True}, {"pre_tokenizer": "whitespace", "lowercase": True}):
        wc = WordCounts.from_files(small, backend=backend, **kw)  # type: ignore[arg-type]
        from_counts = subwordx.train_bpe(word_counts=wc, vocab_size=400, backend=backend)
        from_file = subwordx.train_bpe(small, vocab_size=400, backend=backend, **kw)  # type: ignore[arg-type]
        assert from_counts.merges == from_file.merges
        assert from_counts.to_str() == from_file.to_str()


@pytest.mark.parametrize("backend", BACKENDS)
def test_train_wordpiece_from_word_counts_equals_training_on_the_file(
    backend: str, small: Path
) -> None:
    for kw in ({}, {"lowercase": False, "pre_tokenizer": "whitespace"}):
        wc = WordCounts.from_files(small, model="wordpiece", backend=backend, **kw)  # type: ignore[arg-type]
        from_counts = subwordx.train_wordpiece(word_counts=wc, vocab_size=300, backend=backend)
        from_file = subwordx.train_wordpiece(small, vocab_size=300, backend=backend, **kw)  # type: ignore[arg-type]
        assert from_counts.to_str() == from_file.to_str()


def test_trainers_refuse_conflicting_settings() -> None:
    bpe = WordCounts.from_texts(["Hello world"] * 3, byte_level=True, lowercase=True)
    # Defaults defer to the counts; equal values are fine.
    tok = subwordx.train_bpe(word_counts=bpe, vocab_size=270, min_frequency=1)
    assert (
        tok.encode("HELLO").tokens
        == subwordx.train_bpe(
            texts=["Hello world"] * 3,
            vocab_size=270,
            min_frequency=1,
            byte_level=True,
            lowercase=True,
        )
        .encode("HELLO")
        .tokens
    )
    subwordx.train_bpe(
        word_counts=bpe, vocab_size=270, byte_level=True, pre_tokenizer="gpt2", lowercase=True
    )
    for conflict in (
        {"pre_tokenizer": "cl100k", "byte_level": True},
        {"strip_accents": True},
        {"unicode_normalization": "nfc"},
    ):
        with pytest.raises(ConfigError, match="conflicts with the word counts"):
            subwordx.train_bpe(word_counts=bpe, vocab_size=270, **conflict)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="model='bpe'"):
        subwordx.train_wordpiece(word_counts=bpe, vocab_size=100)
    wp = WordCounts.from_texts(["Hello world"] * 3, model="wordpiece", lowercase=False)
    with pytest.raises(ConfigError, match="model='wordpiece'"):
        subwordx.train_bpe(word_counts=wp, vocab_size=100)
    with pytest.raises(ConfigError, match="conflicts"):
        subwordx.train_wordpiece(word_counts=wp, vocab_size=100, strip_accents=True)
    with pytest.raises(ConfigError, match="conflicts"):
        subwordx.train_wordpiece(word_counts=wp, vocab_size=100, pre_tokenizer="whitespace")
    cased = subwordx.train_wordpiece(word_counts=wp, vocab_size=100, min_frequency=1)
    assert cased.config["normalizer"]["lowercase"] is False
    # A plain dict keeps its meaning: already normalized and pre-tokenized, settings as given.
    plain = subwordx.train_bpe(
        word_counts={"Hello": 3}, vocab_size=40, lowercase=True, min_frequency=1
    )
    assert plain.config["normalizer"] is not None
