"""A pytest plugin (``-p subwordx_tiktoken_guard``) for running tiktoken's test suite against
subwordx.tiktoken (``run_tiktoken_suite.py``).

* It refuses to run unless ``import tiktoken`` gives the shim beside it, i.e. subwordx.tiktoken,
  and checks at the end that the real tiktoken was never imported.
* It deselects the tests named in ``$SUBWORDX_TIKTOKEN_DESELECT`` (JSON ``{node id: reason}``),
  matching node ids exactly (pytest's ``--deselect`` matches prefixes: ``test_simple`` would take
  ``test_simple_repeated`` with it), and prints each with its reason.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent / "tiktoken" / "__init__.py"


def _check() -> str:
    import tiktoken

    import subwordx.tiktoken

    where = Path(tiktoken.__file__ or "?").resolve()
    if where != SHIM or tiktoken.Encoding is not subwordx.tiktoken.Encoding:
        raise pytest.UsageError(
            f"`import tiktoken` gives {where}, not the shim {SHIM}: the real tiktoken would be "
            "tested; put the shim's folder first on PYTHONPATH"
        )
    real = [m for m in ("tiktoken._tiktoken", "tiktoken_ext") if m in sys.modules]
    if real:
        raise pytest.UsageError(f"the real tiktoken is imported ({', '.join(real)})")
    return f"tiktoken under test: {where} -> subwordx.tiktoken ({subwordx.tiktoken.__file__})"


def _deselections() -> dict[str, str]:
    named: dict[str, str] = json.loads(os.environ.get("SUBWORDX_TIKTOKEN_DESELECT", "{}"))
    return named


def pytest_report_header(config: pytest.Config) -> str:
    return _check()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    named = _deselections()
    if not named:
        return
    dropped = [item for item in items if item.nodeid in named]
    unknown = set(named) - {item.nodeid for item in dropped}
    if unknown:
        raise pytest.UsageError(f"no such tests to deselect: {sorted(unknown)}")
    items[:] = [item for item in items if item.nodeid not in named]
    config.hook.pytest_deselected(items=dropped)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    named = _deselections()
    if named:
        terminalreporter.section("deselected (by name)")
        for node, reason in named.items():
            terminalreporter.write_line(f"{node}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _check()
