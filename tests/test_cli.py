"""The CLI, in-process through `main(argv)`: success paths and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from subwordx.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path: Path, botchan: Path) -> Path:
    p = tmp_path / "corpus.txt"
    p.write_text("\n".join(botchan.read_text(encoding="utf-8").split("\n")[:800]), encoding="utf-8")
    return p


def test_train_encode_decode_round_trip(
    backend: str, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "bl.json"
    code, _, err = _run(
        capsys,
        "train-bpe",
        str(corpus),
        "--byte-level",
        "--vocab-size",
        "400",
        "-o",
        str(model),
        "-q",
    )
    assert code == 0, err
    text = tmp_path / "text.txt"
    text.write_text(
        "First line, with  spaces.\n東京 and émigré\n\n   trailing   \n", encoding="utf-8"
    )
    code, ids, err = _run(capsys, "encode", "-t", str(model), "--no-special-tokens", str(text))
    assert code == 0, err
    assert len(ids.split("\n")) == 5  # 4 lines + final newline
    id_file = tmp_path / "ids.txt"
    id_file.write_text(ids, encoding="utf-8")
    code, back, err = _run(capsys, "decode", "-t", str(model), str(id_file))
    assert code == 0, err
    assert back == text.read_text(encoding="utf-8")
    code, tokens, _ = _run(capsys, "encode", "-t", str(model), "--tokens", str(text))
    assert code == 0 and "Ġ" in tokens
    code, info, _ = _run(capsys, "info", str(model))
    assert code == 0 and "byte-level BPE" in info and "400" in info


def test_classic_default_and_template(
    backend: str, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "classic.swx.json"
    code, _, err = _run(
        capsys,
        "train-bpe",
        str(corpus),
        "--vocab-size",
        "300",
        "--template",
        "<s> $A </s>",
        "-o",
        str(model),
        "-q",
    )
    assert code == 0, err
    text = tmp_path / "t.txt"
    text.write_text("the school\n", encoding="utf-8")
    _, with_specials, _ = _run(capsys, "encode", "-t", str(model), "--tokens", str(text))
    toks = with_specials.split()
    assert toks[0] == "<s>" and toks[-1] == "</s>" and any(t.endswith("</w>") for t in toks)
    _, plain, _ = _run(
        capsys, "encode", "-t", str(model), "--tokens", "--no-special-tokens", str(text)
    )
    assert plain.split() == toks[1:-1]


@pytest.mark.parametrize(
    "content,args,needle",
    [
        (b"good\n\xff\xfe broken \xc3\x28\n", ["--vocab-size", "100"], "invalid UTF-8"),
        (b"", ["--vocab-size", "100"], "empty corpus"),
        (None, ["--vocab-size", "100"], "no such file"),
        (b"hello world\n", ["--vocab-size", "0"], "positive integer"),
        (b"hello world\n", ["--vocab-size", "-5"], "positive integer"),
        (b"hello world\n", ["--vocab-size", "3"], "too small"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    args: list[str],
    needle: str,
) -> None:
    src = tmp_path / "in.txt"
    if content is not None:
        src.write_bytes(content)
    out = tmp_path / "out.json"
    with pytest.raises(SystemExit) if args[-1] in ("0", "-5") else _no_exit():
        code, _, err = _run(capsys, "train-bpe", str(src), *args, "-o", str(out))
        assert code != 0
        assert needle in err and err.count("\n") == 1 and "Traceback" not in err
    if args[-1] in ("0", "-5"):
        err = capsys.readouterr().err
        assert needle in err and err.count("\n") == 1
    assert not out.exists()
    assert not list(tmp_path.glob(".out.json*"))


def test_directory_as_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "train-bpe", str(tmp_path), "-o", str(tmp_path / "o.json"))
    assert code != 0 and "directory" in err and err.count("\n") == 1


def test_missing_model_for_encode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "encode", "-t", str(tmp_path / "nope.json"), str(tmp_path))
    assert code != 0 and "nope.json" in err and err.count("\n") == 1


def test_demo_runs_on_the_embedded_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "demo", "--vocab-size", "1000", "-q")
    assert code == 0, err
    assert "botchan.txt" in out and "decode" in out


class _no_exit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_encode_reads_crlf_and_cr_line_ends_as_newlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CRLF (or old-Mac CR) file gives the lines Python's universal newlines give, so
    `subwordx encode` agrees with tools that read the file as text."""
    import subwordx

    tok = subwordx.train_bpe(texts=["the cat sat on the mat"] * 20, vocab_size=40)
    model = tmp_path / "tok.json"
    tok.save(model)
    lf, crlf, cr = tmp_path / "lf.txt", tmp_path / "crlf.txt", tmp_path / "cr.txt"
    lf.write_bytes(b"the cat\n\nsat on\nthe mat\n")
    crlf.write_bytes(b"the cat\r\n\r\nsat on\r\nthe mat\r\n")
    cr.write_bytes(b"the cat\r\rsat on\rthe mat\r")
    outs = []
    for path in (lf, crlf, cr):
        assert main(["encode", "-t", str(model), str(path)]) == 0
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] == outs[2]
    assert len(outs[0].splitlines()) == 4
