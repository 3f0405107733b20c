"""subwordx.tiktoken under tiktoken's name, for tiktoken's own tests (run_tiktoken_suite.py)."""

from subwordx.tiktoken import *  # noqa: F403
from subwordx.tiktoken import __version__, core, load, model, registry  # noqa: F401
