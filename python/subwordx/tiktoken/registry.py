"""The encodings by name: ``get_encoding`` and ``list_encoding_names`` (tiktoken's registry).

An encoding is built once per process, on first use (its rank file read and checked, see
:mod:`subwordx.tiktoken.load`), and shared: ``get_encoding`` returns the same object each time, and
such registered encodings pickle by name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from subwordx.errors import ConfigError
from subwordx.tiktoken import load
from subwordx.tiktoken.core import Encoding
from subwordx.tiktoken.openai_public import ENCODINGS as SPECS
from subwordx.tiktoken.openai_public import EncodingSpec

__all__ = ["ENCODINGS", "ENCODING_CONSTRUCTORS", "get_encoding", "list_encoding_names"]

_lock = threading.RLock()

#: The encodings built so far, by name.
ENCODINGS: dict[str, Encoding] = {}


def _constructor(spec: EncodingSpec) -> Callable[[], Encoding]:
    def build() -> Encoding:
        rank_file = spec.rank_file
        data = load.rank_file_bytes(rank_file.name, rank_file.url, rank_file.sha256)
        return Encoding._from_rank_file(
            spec.name,
            pat_str=spec.pat_str,
            rank_data=data,
            special_tokens=dict(spec.special_tokens),
            explicit_n_vocab=spec.explicit_n_vocab,
            source=rank_file.name,
        )

    return build


#: How to build each known encoding (tiktoken's names, in tiktoken's order).
ENCODING_CONSTRUCTORS: dict[str, Callable[[], Encoding]] = {
    name: _constructor(spec) for name, spec in SPECS.items()
}


def get_encoding(encoding_name: str) -> Encoding:
    """The encoding named ``encoding_name`` (``"cl100k_base"``, ``"o200k_base"``, ...), built on
    first use and shared afterwards.

    Raises:
        ConfigError: (a ``ValueError``, as tiktoken's) an unknown name.
        SubwordxFileNotFoundError: its rank file is nowhere to be found or downloaded.
    """
    if not isinstance(encoding_name, str):
        raise ConfigError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    enc = ENCODINGS.get(encoding_name)
    if enc is not None:
        return enc
    with _lock:
        enc = ENCODINGS.get(encoding_name)
        if enc is not None:
            return enc
        constructor = ENCODING_CONSTRUCTORS.get(encoding_name)
        if constructor is None:
            raise ConfigError(
                f"Unknown encoding {encoding_name}. Known encodings: "
                + ", ".join(ENCODING_CONSTRUCTORS)
            )
        enc = constructor()
        ENCODINGS[encoding_name] = enc
        return enc


def list_encoding_names() -> list[str]:
    """The names :func:`get_encoding` knows."""
    return list(ENCODING_CONSTRUCTORS)
