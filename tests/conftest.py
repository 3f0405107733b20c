"""Shared fixtures: the `backend` fixture runs a test on the Rust core and the Python reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import subwordx
from subwordx import _backend

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

BACKENDS = ["rust", "python"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs the test once per backend, with SUBWORDX_BACKEND set accordingly."""
    name = request.param
    if name == "rust" and _backend._core is None:
        pytest.skip("the compiled core is not installed")
    monkeypatch.setenv("SUBWORDX_BACKEND", name)
    yield name


@pytest.fixture
def botchan() -> Path:
    """The embedded English corpus (279 KB)."""
    return subwordx.embedded_corpus()


def fixture_lines(name: str) -> list[str]:
    """Lines of a fixture file, without its provenance header line."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    return [line for line in lines[1:] if line]


def shared(path: str) -> Path:
    """A file of ../shared/data; its absence fails the test (CI has ../shared, so a missing file
    is a broken checkout, not a reason to pass quietly)."""
    p = SHARED_DATA / path
    if not p.exists():
        pytest.fail(f"{p} is missing: these tests need ../shared beside the repository")
    return p


SHARED_ACCEPTANCE = SHARED_DATA.parent / "acceptance"
