"""A drop-in for tiktoken: ``import subwordx.tiktoken as tiktoken``.

tiktoken's public API (``get_encoding``, ``encoding_for_model``, ``encoding_name_for_model``,
``list_encoding_names``, ``Encoding``) with its semantics, over the subwordx Rust core: the same
ids as tiktoken, faster. The encodings are tiktoken's (``gpt2``, ``r50k_base``, ``p50k_base``,
``p50k_edit``, ``cl100k_base``, ``o200k_base``, ``o200k_harmony``); their rank files are found in
``$SUBWORDX_TIKTOKEN_DIR`` (as ``cl100k_base.tiktoken``, ...), in tiktoken's cache, or downloaded
from where tiktoken downloads them (:mod:`subwordx.tiktoken.load`). Importing this never imports
tiktoken. ``docs/tiktoken.md`` lists the few differences.

Example:
    >>> import subwordx.tiktoken as tiktoken
    >>> enc = tiktoken.encoding_for_model("gpt-4o")                # doctest: +SKIP
    >>> enc.encode("hello world")                                  # doctest: +SKIP
    [24912, 2375]
"""

from __future__ import annotations

from subwordx.tiktoken import core, load, model, registry
from subwordx.tiktoken.core import Encoding
from subwordx.tiktoken.model import encoding_for_model, encoding_name_for_model
from subwordx.tiktoken.registry import get_encoding, list_encoding_names

#: The tiktoken release whose API (and test suite) this module follows.
__version__ = "0.14.0"

__all__ = [
    "Encoding",
    "core",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
    "load",
    "model",
    "registry",
]
