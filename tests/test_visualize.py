"""Seeing what a tokenizer does: token spans, `show`, the HTML view (in a real browser),
`compare` and its plot, `plot-vectors`.

The report's numbers are checked against counts made here directly from `encode`, on real
multilingual text from ../shared/data.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import subwordx
from subwordx import Tokenizer
from subwordx.cli import main
from subwordx.errors import ConfigError, EmptyCorpusError, SubwordxFileNotFoundError
from subwordx.visualize import (
    CONTINUATION,
    SCRIPTS,
    char_scripts,
    compare_tokenizers,
    pca_2d,
    render_html,
    render_text,
    token_spans,
)
from subwordx.visualize.html import PALETTE, SPECIAL_COLORS, UNKNOWN_COLOR
from subwordx.visualize.scripts import script_names
from tests.conftest import shared

MARKS = "|" + CONTINUATION + "⟦⟧⟨⟩"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cl100k() -> Tokenizer:
    return Tokenizer.load(shared("tokenizers/openai/cl100k_base.tiktoken"))


@pytest.fixture(scope="module")
def r50k() -> Tokenizer:
    return Tokenizer.load(shared("tokenizers/openai/r50k_base.tiktoken"))


@pytest.fixture(scope="module")
def classic() -> Tokenizer:
    """A classic BPE with an unknown token and a post-processor, trained on English only (so
    Cyrillic and Han chars are unknown)."""
    lines = subwordx.embedded_corpus().read_text(encoding="utf-8").split("\n")[:2000]
    return subwordx.train_bpe(
        texts=lines, vocab_size=800, template=["<s>", "$A", "</s>"], backend="rust"
    )


@pytest.fixture(scope="module")
def classic_file(classic: Tokenizer, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("model") / "tokenizer.json"
    classic.save(path)
    return str(path)


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~270 lines in 11 languages (Latin, Cyrillic, Han) from the langid fortunes (labels cut
    off), 40 lines of Japanese (Han and Kana) and 40 classical Chinese poem lines."""
    lines = []
    for line in shared("classify/langid-fortunes/test.txt").read_text("utf-8").split("\n")[:270]:
        lines.append(line.split(" ", 1)[1] if line.startswith("__label__") else line)
    lines += shared("corpora/wagahaiwa_nekodearu.txt").read_text("utf-8").split("\n")[:40]
    lines += shared("corpora/zh/tang300").read_text("utf-8").split("\n")[:40]
    path = tmp_path_factory.mktemp("corpus") / "multilingual.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


# --------------------------------------------------------------------------------- spans
def _check_spans(tok: Tokenizer, text: str) -> None:
    enc = tok.encode(text)
    spans = token_spans(enc)
    assert "".join(s.text for s in spans if s.sequence == 0) == text
    tokens = [s for s in spans if s.kind != "gap"]
    assert [s.index for s in tokens] == list(range(len(enc.ids)))
    assert [s.id for s in tokens] == enc.ids.tolist()
    assert [s.token for s in tokens] == enc.tokens
    shown_upto = 0
    for s in tokens:
        if s.kind == "token":
            # A token continues a char exactly when its span starts before what was shown.
            assert s.continues == (s.start < shown_upto)
            shown_upto = max(shown_upto, s.end)


def test_spans_give_back_every_line(
    cl100k: Tokenizer, r50k: Tokenizer, classic: Tokenizer, multilingual: Path
) -> None:
    for line in _lines(multilingual)[::3]:
        for tok in (cl100k, r50k, classic):
            _check_spans(tok, line)


def test_spans_on_the_python_reference(backend: str) -> None:
    tok = subwordx.train_bpe(
        texts=["low lower lowest newer wider"] * 20, vocab_size=40, template=["<s>", "$A", "</s>"]
    )
    for text in ("lower  newest", "wörld 世 ok", ""):
        _check_spans(tok, text)


def test_a_split_char_is_whole_on_its_first_token(cl100k: Tokenizer, r50k: Tokenizer) -> None:
    # cl100k: 世 is two tokens (ä¸ + ĸ) with the same span.
    spans = token_spans(cl100k.encode("a世"))
    assert [(s.text, s.continues) for s in spans] == [("a", False), ("世", False), ("", True)]
    assert [s.label for s in spans] == ["a", "世", CONTINUATION]
    # A token that holds the end of one char and the whole next one: ⋯ then that char.
    assert [s.label for s in token_spans(cl100k.encode("よりも数倍"))] == [
        "よ",
        "り",
        "も",
        CONTINUATION + "数",
        "倍",
    ]
    assert render_text(token_spans(r50k.encode("a世"))) == "a|世|⋯\n"


def test_specials_gaps_unknowns_and_pairs(classic: Tokenizer) -> None:
    enc = classic.encode("Hello  wörld <s> ok", "the end")
    spans = token_spans(enc)
    inserted = [s for s in spans if s.kind == "inserted"]
    assert [s.token for s in inserted] == ["<s>", "</s>"]
    assert all(s.special and s.text == "" for s in inserted)
    matched = [s for s in spans if s.kind == "token" and s.special]
    assert [s.text for s in matched] == ["<s>"]  # a special token written in the text
    unknown = [s for s in spans if s.unknown]
    assert [s.text for s in unknown] == ["ö"] and all(s.token == "<unk>" for s in unknown)
    gaps = [s.text for s in spans if s.kind == "gap"]
    assert gaps == ["  ", " ", " ", " "]  # the spaces the bert pre-tokenizer drops
    assert "".join(s.text for s in spans if s.sequence == 1) == "the end"
    plain = render_text(spans)
    assert plain.startswith("⟦<s>⟧|H")
    assert "⟨ö⟩" in plain and "⟦<s>⟧ o" in plain and "⟦</s>⟧|the" in plain


def test_truncated_text_is_a_gap(classic: Tokenizer) -> None:
    text = "one two three four five six seven"
    enc = classic.with_truncation(4).encode(text, add_special_tokens=False)
    spans = token_spans(enc)
    assert len([s for s in spans if s.kind == "token"]) == 4
    assert spans[-1].kind == "gap" and spans[-1].text == text[int(enc.offsets[-1][1]) :]
    assert spans[-1].text.endswith(" five six seven")
    window = enc.overflowing[0]
    assert "".join(s.text for s in token_spans(window)) == text


def test_encode_batch_encodings_know_their_text(cl100k: Tokenizer) -> None:
    texts = ["first 世", "second"]
    for text, enc in zip(texts, cl100k.encode_batch(texts)):
        assert "".join(s.text for s in token_spans(enc)) == text


# --------------------------------------------------------------------------------- show
def test_show_plain_joins_back_to_the_text(
    r50k: Tokenizer, multilingual: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = str(shared("tokenizers/openai/r50k_base.tiktoken"))
    lines = [
        line
        for line in _lines(multilingual)
        if not any(c in line for c in MARKS) and not any(ord(c) < 32 for c in line)
    ]
    assert len(lines) > 300
    for line in lines[::10]:
        out = render_text(token_spans(r50k.encode(line)))
        assert out[:-1].replace("|", "").replace(CONTINUATION, "") == line
        assert out.count("|") == len(r50k.encode(line).ids) - 1  # byte-level: no gaps
    text = "\n".join(lines[::10])
    code, out, err = _run(capsys, "show", "-t", model, "--no-color", text)
    assert code == 0, err
    assert "\x1b" not in out and err == f"{len(r50k.encode(text).ids)} tokens, {len(text)} chars\n"
    assert out[:-1].replace("|", "").replace(CONTINUATION, "") == text
    file = tmp_path / "text.txt"
    file.write_text(text + "\n", encoding="utf-8")
    code, from_file, err = _run(capsys, "show", "-t", model, "-f", str(file))
    assert code == 0 and from_file.replace("|", "").replace(CONTINUATION, "") == text + "\n"


def test_show_ids_align_under_tokens(
    r50k: Tokenizer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = str(shared("tokenizers/openai/r50k_base.tiktoken"))
    text = tmp_path / "t.txt"
    text.write_text("The cat sat.\nOn the mat, twice: 12345678.\n", encoding="utf-8")
    code, out, _ = _run(capsys, "show", "-t", model, "-f", str(text), "--ids", "--width", "30")
    assert code == 0
    rows = out.rstrip("\n").split("\n")
    assert len(rows) % 2 == 0
    ids = []
    for top, bottom in zip(rows[::2], rows[1::2]):
        # Separators stand in the same columns in the token row and the id row.
        assert [m.start() for m in re.finditer(r"\|", bottom)] == [
            m.start() for m in re.finditer(r"\|", top)
        ][: bottom.count("|")]
        assert len(top.rstrip()) <= 30
        ids += [int(x) for x in bottom.replace("|", " ").split()]
    assert ids == r50k.encode(text.read_text(encoding="utf-8")).ids.tolist()
    assert "↵" in out and "␣" in out  # newline tokens and spaces in tokens are visible


def test_show_colour(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from subwordx.cli_visualize import _use_color

    model = str(shared("tokenizers/openai/r50k_base.tiktoken"))
    text = "Hello 世界 <|endoftext|> \x1b[31mred"
    code, out, _ = _run(capsys, "show", "-t", model, "--color", "always", text)
    assert code == 0
    assert "\x1b[1;97;45m<|endoftext|>" in out  # special: bold white on magenta
    assert "\x1b[31m" not in out  # the text's own escape is drawn (␛), never sent
    visible = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert visible == "Hello 世⋯界⋯ <|endoftext|> ␛[31mred\n"
    code, plain, _ = _run(capsys, "show", "-t", model, text)  # captured: not a terminal
    assert "\x1b" not in plain and "⟦<|endoftext|>⟧" in plain and "␛" in plain
    code, split, _ = _run(capsys, "show", "-t", model, "--split-special-tokens", "<|endoftext|>")
    assert "⟦" not in split and split.count("|") > 2

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color("auto", Tty()) and not _use_color("never", Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _use_color("auto", Tty()) and _use_color("always", Tty())


def test_combining_marks_and_modifiers_get_a_base(cl100k: Tokenizer) -> None:
    # "e" + U+0301 are two tokens; 👍🏽's skin tone is a token of its own: each gets ◌ so that
    # it is not drawn inside the previous token.
    out = render_text(token_spans(cl100k.encode("e\u0301 👍🏽")), color=True)
    visible = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "e◌\u0301" in visible and "◌🏽" in visible


def test_show_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = str(shared("tokenizers/openai/cl100k_base.tiktoken"))
    code, _, err = _run(capsys, "show", "-t", str(tmp_path / "none.json"), "x")
    assert code == 1 and "no such file" in err and err.count("\n") == 1
    code, _, err = _run(capsys, "show", "-t", model, "-f", str(tmp_path / "none.txt"))
    assert code == 1 and "none.txt: no such file" in err
    code, _, err = _run(capsys, "show", "-t", model, "x", "-f", "y")
    assert code == 1 and "not both" in err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    code, _, err = _run(capsys, "show", "-t", model, "-f", str(bad))
    assert code == 1 and "invalid UTF-8 at file offset 3 (line 2)" in err


# --------------------------------------------------------------------------------- HTML
HOSTILE = (
    "<script>alert(1)</script> & \"double\" 'single' e\u0301 n\u0303 👍🏽 👨‍👩‍👧 "
    "<|endoftext|> \u202eevil &amp; <b>bold</b>"
)


class _Page(HTMLParser):
    """Token elements, script elements and the text a reader sees (marks left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[dict[str, str | None]] = []
        self.scripts = 0
        self.other_tags: set[str] = set()
        self.text: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        self._stack.append(cls)
        if tag == "script":
            self.scripts += 1
        if tag not in ("span", "div", "html", "head", "body", "meta"):
            self.other_tags.add(tag)
        if "swx-token" in cls.split():
            self.tokens.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        inside = any("swx-text" in c for c in self._stack)
        if inside and not any("swx-mark" in c for c in self._stack):
            self.text.append(data)


def test_html_escapes_hostile_text(cl100k: Tokenizer) -> None:
    enc = cl100k.encode(HOSTILE)
    page = _Page()
    page.feed(enc._repr_html_())
    assert page.scripts == 0 and page.other_tags == set()
    assert len(page.tokens) == len(enc.ids)
    assert [int(t["data-id"] or -1) for t in page.tokens] == enc.ids.tolist()
    for attrs, i in zip(page.tokens, enc.ids.tolist()):
        # Quotes and brackets in a token string come back whole from the title attribute.
        assert repr(cl100k.id_to_token(i)) in (attrs["title"] or "")
    # What a reader sees is the text (U+202E is shown as a mark, the ◌ bases and ⋯ are marks).
    assert "".join(page.text) == HOSTILE.replace("\u202e", "")
    assert render_html(enc) == enc._repr_html_()


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "this test renders HTML in a real browser: install Chromium "
        "(Debian: apt-get install -y chromium)"
    )


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_html_in_a_headless_browser(cl100k: Tokenizer, tmp_path: Path) -> None:
    """The HTML of hostile text, rendered by Chromium: the DOM holds one token element per id and
    no script, and the screenshot shows one coloured box per token."""
    from PIL import Image

    browser = _chromium()
    enc = cl100k.encode(HOSTILE)
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        + enc._repr_html_()
        + "</body></html>",
        encoding="utf-8",
    )
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    parsed = _Page()
    parsed.feed(dom)
    assert parsed.scripts == 0 and parsed.other_tags == set()
    assert len(parsed.tokens) == len(enc.ids)
    assert "".join(parsed.text) == HOSTILE.replace("\u202e", "")

    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *flags, "--window-size=1600,160", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert _png_size(shot) == (1600, 160)
    colours = {
        tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))
        for c in (*PALETTE, *SPECIAL_COLORS, UNKNOWN_COLOR)
    }
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    rows = [y for y in range(pixels.shape[0]) if _box_pixels(pixels[y], colours)]
    assert rows and rows[-1] - rows[0] == len(rows) - 1, "the tokens wrapped onto two lines"
    # The row with the most box pixels runs above the glyphs: count its coloured boxes.
    best = max(rows, key=lambda y: _box_pixels(pixels[y], colours))
    assert _boxes(pixels[best], colours) == len(enc.ids)


def _box_pixels(row: np.ndarray, colours: set[tuple[int, ...]]) -> int:
    return sum(tuple(p) in colours for p in row.tolist())


def _boxes(row: np.ndarray, colours: set[tuple[int, ...]]) -> int:
    """Runs of one token colour; neighbouring tokens never share a colour."""
    count, current, broken = 0, None, True
    for p in map(tuple, row.tolist()):
        if p in colours:
            if p != current or broken:
                count += 1
            current, broken = p, False
        else:
            broken = True
    return count


# --------------------------------------------------------------------------------- scripts
def test_script_of_each_char() -> None:
    assert script_names("¡Hola, 世界!") == ["Latin"] * 7 + ["Han"] * 3
    # Common chars at the start take the first script after them; Kana is both kanas.
    assert script_names("「カタカナ」とひらがな") == ["Kana"] * 11
    assert script_names("123 !!") == ["Common"] * 6
    # A combining mark (Inherited) and the space after it follow the Latin e.
    assert script_names("e\u0301 мир") == ["Latin"] * 3 + ["Cyrillic"] * 3
    assert script_names("안녕 שלום ሰላም") == ["Hangul"] * 3 + ["Hebrew"] * 5 + ["Ethiopic"] * 3
    assert script_names("ꦲꦏ") == ["Other"] * 2  # Javanese is not a listed script
    assert len(char_scripts("")) == 0 and SCRIPTS[-2:] == ("Other", "Common")


# --------------------------------------------------------------------------------- compare
def _direct_counts(tok: Tokenizer, lines: list[str]) -> dict[str, object]:
    """What the report must say, counted token by token from `encode`."""
    tokens = unknown = 0
    seen: set[int] = set()
    per_script: dict[str, float] = {}
    unk = tok.token_to_id("<unk>")
    for line in lines:
        enc = tok.encode(line, add_special_tokens=False, split_special_tokens=True)
        ids = enc.ids.tolist()
        tokens += len(ids)
        seen.update(ids)
        unknown += sum(i == unk for i in ids)
        names = script_names(line)
        for start, end in enc.offsets.tolist():
            if end <= start:
                start, end = (start, start + 1) if start < len(line) else (end - 1, end)
            for c in range(start, end):
                per_script[names[c]] = per_script.get(names[c], 0.0) + 1 / (end - start)
    return {"tokens": tokens, "used": len(seen), "unknown": unknown, "scripts": per_script}


def test_report_numbers_equal_direct_counts(
    cl100k: Tokenizer, r50k: Tokenizer, classic: Tokenizer, multilingual: Path
) -> None:
    lines = _lines(multilingual)
    report = compare_tokenizers(
        {"cl100k": cl100k, "r50k": r50k, "classic": classic}, multilingual, min_seconds=0.01
    )
    corpus = report["corpus"]
    assert corpus["lines"] == len(lines)
    assert corpus["chars"] == sum(map(len, lines))
    assert corpus["bytes"] == sum(len(x.encode("utf-8")) for x in lines)
    assert corpus["words"] == sum(len(x.split()) for x in lines)
    chars_by_script: dict[str, int] = {}
    for line in lines:
        for name in script_names(line):
            chars_by_script[name] = chars_by_script.get(name, 0) + 1
    assert {k: v["chars"] for k, v in corpus["scripts"].items()} == chars_by_script
    assert {"Latin", "Cyrillic", "Han", "Kana"} <= set(chars_by_script)
    assert math.isclose(sum(v["words"] for v in corpus["scripts"].values()), corpus["words"])

    for t, tok in zip(report["tokenizers"], (cl100k, r50k, classic)):
        direct = _direct_counts(tok, lines)
        assert t["tokens"] == direct["tokens"]
        assert t["vocab_used"] == direct["used"]
        assert t["vocab_share"] == direct["used"] / tok.vocab_size
        assert t["unknown_tokens"] == direct["unknown"]
        assert t["tokens_per_char"] == t["tokens"] / corpus["chars"]
        assert t["tokens_per_byte"] == t["tokens"] / corpus["bytes"]
        assert t["tokens_per_word"] == t["tokens"] / corpus["words"]
        assert t["mb_per_s"] > 0
        scripts = direct["scripts"]
        assert isinstance(scripts, dict)
        assert set(t["scripts"]) == set(scripts)
        for name, stats in t["scripts"].items():
            assert math.isclose(stats["tokens"], scripts[name], rel_tol=1e-9, abs_tol=1e-6)
            chars = corpus["scripts"][name]["chars"]
            assert math.isclose(stats["tokens_per_char"], stats["tokens"] / chars)
        assert math.isclose(sum(s["tokens"] for s in t["scripts"].values()), t["tokens"])
    cl, r5, cb = report["tokenizers"]
    assert cl["unknown_id"] is None and cl["unknown_rate"] == 0  # byte-level: never unknown
    assert cb["unknown_id"] == classic.token_to_id("<unk>") and cb["unknown_tokens"] > 1000
    # GPT-4's vocabulary needs fewer tokens than GPT-2's for Cyrillic and Han.
    for script in ("Cyrillic", "Han"):
        assert cl["scripts"][script]["tokens"] < r5["scripts"][script]["tokens"]


def test_report_attribution_rule_by_hand(cl100k: Tokenizer) -> None:
    # cl100k: "a世" is 'a', 'ä¸' (世), 'ĸ' (世): Latin 1, Han 2 (both halves of 世 count there).
    report = compare_tokenizers([cl100k], texts=["a世", "мир", ""], min_seconds=0)
    t = report["tokenizers"][0]
    assert t["name"] == "tokenizer 1"
    assert t["tokens"] == 3 + len(cl100k.encode("мир").ids)
    assert t["scripts"]["Latin"]["tokens"] == 1.0
    assert t["scripts"]["Han"]["tokens"] == 2.0
    assert report["corpus"]["scripts"]["Han"] == {"chars": 1, "bytes": 3, "words": 0.5}


def test_report_views(cl100k: Tokenizer, multilingual: Path) -> None:
    report = compare_tokenizers({"cl100k": cl100k}, multilingual, max_lines=50, min_seconds=0)
    assert report["corpus"]["lines"] == 50
    table = report.table()
    assert "cl100k" in table and "Latin" in table and "tok/char" in table
    assert json.loads(report.to_json()) == json.loads(json.dumps(report))
    frame = report.to_dataframe()
    assert list(frame["tokenizer"]) == ["cl100k"]
    assert frame["tokens"][0] == report["tokenizers"][0]["tokens"]
    by_script = report.to_dataframe(by="script")
    assert by_script["script"].iloc[0] == "all"
    assert by_script["tokens"].iloc[0] == report["tokenizers"][0]["tokens"]
    assert math.isclose(by_script["tokens"].iloc[1:].sum(), by_script["tokens"].iloc[0])
    assert len(by_script) == 1 + len(report["corpus"]["scripts"])


def test_compare_cli_json_and_plot(
    r50k: Tokenizer,
    classic: Tokenizer,
    classic_file: str,
    multilingual: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = str(shared("tokenizers/openai/r50k_base.tiktoken"))
    b = classic_file
    png, js = tmp_path / "report.png", tmp_path / "report.json"
    code, out, err = _run(
        capsys,
        "compare",
        "-t",
        a,
        "-t",
        b,
        str(multilingual),
        "--plot",
        str(png),
        "--json",
        str(js),
        "--width",
        "640",
        "--height",
        "480",
    )
    assert code == 0, err
    assert "r50k_base.tiktoken" in out and "tokenizer.json" in out and "Cyrillic" in out
    assert _png_size(png) == (640, 480)
    data = json.loads(js.read_text(encoding="utf-8"))
    lines = _lines(multilingual)
    assert data["corpus"]["chars"] == sum(map(len, lines))
    for t, tok in zip(data["tokenizers"], (r50k, classic)):
        assert t["tokens"] == sum(
            len(tok.encode(x, add_special_tokens=False, split_special_tokens=True).ids)
            for x in lines
        )


def test_compare_errors(
    classic_file: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = classic_file
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no tokenizers"):
        compare_tokenizers([], texts=["x"])
    with pytest.raises(EmptyCorpusError, match="no text"):
        compare_tokenizers([model], empty)
    with pytest.raises(SubwordxFileNotFoundError):
        compare_tokenizers([model], tmp_path / "none.txt")
    code, _, err = _run(capsys, "compare", "-t", model, str(empty))
    assert code == 1
    assert err == "subwordx compare: error: the corpus holds no text: nothing to compare on\n"
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(empty)])
    assert exit_info.value.code == 2 and "-t/--tokenizer" in capsys.readouterr().err
    # Without matplotlib, --plot says how to get it, before any work, and writes nothing.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    png = tmp_path / "r.png"
    code, out, err = _run(capsys, "compare", "-t", model, str(empty), "--plot", str(png))
    assert code == 1 and "pip install subwordx[plot]" in err and out == ""
    assert not png.exists() and os.listdir(tmp_path) == ["empty.txt"]


# --------------------------------------------------------------------------------- vectors
def test_pca_2d_keeps_distances_of_planar_points() -> None:
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(12, 2)) @ rng.normal(size=(2, 20)) + 5.0  # rank 2 in 20-d
    xy, explained = pca_2d(plane)
    d_in = np.linalg.norm(plane[:, None] - plane[None], axis=-1)
    d_out = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    assert np.allclose(d_in, d_out) and math.isclose(sum(explained), 1.0)
    one, _ = pca_2d(np.ones((1, 3)))
    assert one.shape == (1, 2) and not one.any()


def test_plot_vectors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = subwordx.Word2Vec(
        corpus_file=str(subwordx.embedded_corpus()), dim=16, epochs=1, min_count=5, threads=1
    )
    vectors = tmp_path / "vectors.bin"
    model.save_word2vec_format(vectors, binary=True)
    png = tmp_path / "words.png"
    argv = ["plot-vectors", str(vectors), "school", "teacher", "red", "-o", str(png)]
    code, _, err = _run(capsys, *argv, "--neighbours", "4", "--width", "500", "--height", "400")
    assert code == 0, err
    assert _png_size(png) == (500, 400)
    code, _, err = _run(capsys, "plot-vectors", str(vectors), "school", "zzqx", "-o", str(png))
    assert code == 1 and err == "subwordx plot-vectors: error: not in the vocabulary: zzqx\n"
    code, _, err = _run(capsys, "plot-vectors", str(tmp_path / "no.bin"), "a", "-o", str(png))
    assert code == 1 and "no.bin: no such file" in err
    from subwordx.visualize import project_words

    projection = project_words(model.wv, ["school", "teacher"], neighbours=3)
    assert projection.words[:2] == ["school", "teacher"]
    assert projection.query[:2] == [0, 1] and len(projection.words) <= 8
