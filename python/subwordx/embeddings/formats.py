"""Reading and writing the word2vec vector formats (text and binary).

word2vec.c (Mikolov et al. 2013) introduced two file formats for word vectors, and every
embedding tool since (gensim, fastText, GloVe's converters) reads and writes them:

* **text**: a header line ``"<count> <dim>"``, then one line per word:
  ``word v1 v2 ... vdim``. word2vec.c writes each value with ``"%lf "`` (six decimals and a trailing
  space); gensim writes ``repr`` of each float. We write each float32 in its shortest form that
  reads back to the same float32: positional for magnitudes in ``[1e-5, 1e16)`` (and 0), else
  scientific (``1e-30``), the same bytes from both backends.
* **binary**: the same ASCII header ``"<count> <dim>\\n"``, then per word the UTF-8 bytes of the
  word, one space, ``dim`` little-endian float32 values (``4 * dim`` raw bytes), and ``"\\n"``.
  word2vec.c writes exactly this; gensim too. The trailing newline is optional on reading (some
  writers omit it, and older word2vec.c readers skip any leading whitespace of the next word).

With the Rust core (the default backend) both formats are read and written by
``subwordx._core`` (``rust/subwordx-core/src/embeddings/formats.rs``): the file is streamed, the
header's count and dim are checked against the file's size before anything is allocated (a header
promising ``999999999 999999`` is an error, not a request for petabytes), and ``limit`` stops the
reading after that many vectors. The pure-Python functions below are the reference
(``SUBWORDX_BACKEND=python``): they read the whole file at once, with the same checks and errors.

Corruption is an error, never a silent partial load: a truncated file, a header that promises more
(or fewer) records than the file holds, a line with the wrong number of values, a value that is
not a number, or (``errors="strict"``) a word that is not UTF-8 raises
:class:`~subwordx.errors.ModelFormatError` naming the file and the line or record.

Example:
    >>> import numpy as np, tempfile, os, pathlib
    >>> keys = ["the", "cat"]
    >>> vecs = np.array([[0.1, -2.5], [3.0, 1e-8]], dtype=np.float32)
    >>> path = os.path.join(tempfile.mkdtemp(), "v.bin")
    >>> write_word2vec_format(path, keys, vecs, binary=True)
    >>> k, v = read_word2vec_format(path)
    >>> k == keys and bool((v == vecs).all())
    True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Literal

import numpy as np
import numpy.typing as npt

from subwordx import _backend
from subwordx._atomic import atomic_open
from subwordx._files import read_regular
from subwordx.errors import (
    ConfigError,
    ModelFormatError,
)

__all__ = [
    "read_glove_format",
    "read_word2vec_format",
    "write_glove_format",
    "write_word2vec_format",
]

UnicodeErrors = Literal["strict", "replace", "ignore"]

_F32_LE = np.dtype("<f4")
#: Largest dim accepted in a file (the core's ``MAX_FILE_DIM``).
MAX_FILE_DIM = 1 << 20


def write_word2vec_format(
    path: str | os.PathLike[str],
    keys: Sequence[str],
    vectors: npt.NDArray[np.float32],
    *,
    binary: bool,
) -> None:
    """Write vectors in word2vec.c's text or binary format (atomically).

    Args:
        path: destination file.
        keys: one word per row of ``vectors``; a word must not contain whitespace.
        vectors: float matrix of shape ``(len(keys), dim)``; written as float32.
        binary: binary format (word2vec.c ``-binary 1``) if true, else text.

    Raises:
        ConfigError-like ``ValueError``: shapes disagree or a word holds whitespace.

    Example:
        >>> import numpy as np, tempfile, os, pathlib
        >>> p = os.path.join(tempfile.mkdtemp(), "v.txt")
        >>> write_word2vec_format(p, ["a"], np.array([[0.5, 1.0]], np.float32), binary=False)
        >>> pathlib.Path(p).read_text()
        '1 2\\na 0.5 1\\n'
    """
    mat = np.asarray(vectors)
    if mat.ndim != 2 or mat.shape[0] != len(keys):
        raise ConfigError(
            f"vectors of shape {mat.shape} do not match {len(keys)} keys (expected (n, dim))"
        )
    for key in keys:
        if not isinstance(key, str) or not key or any(ch.isspace() for ch in key):
            raise ConfigError(f"word {key!r} is empty or contains whitespace; not writable")
    if mat.shape[1] < 1:
        raise ConfigError("vectors have no columns (dim 0); not writable")
    mat32 = np.ascontiguousarray(mat, dtype=_F32_LE)
    if _backend.use_rust():
        _backend.core().write_word2vec_format(
            os.fspath(path), list(keys), np.ascontiguousarray(mat32, np.float32), binary
        )
        return
    n, dim = mat32.shape

    def write(f: IO[bytes]) -> None:
        f.write(f"{n} {dim}\n".encode())
        if binary:
            for key, row in zip(keys, mat32, strict=True):
                f.write(key.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            lines = [
                key + "".join(" " + format_float32(x) for x in row) + "\n"
                for key, row in zip(keys, mat32, strict=True)
            ]
            f.write("".join(lines).encode("utf-8"))

    with atomic_open(path) as f:
        write(f)


_POSITIONAL = (np.float32(1e-5), np.float32(1e16))


def format_float32(x: np.float32) -> str:
    """The text form of one value: the shortest digits that read back to the same float32,
    positional for magnitudes in ``[1e-5, 1e16)`` and 0, else scientific (Rust's ``{}`` and
    ``{:e}``, which the core writes).

    Example:
        >>> [format_float32(np.float32(v)) for v in (0.1, 1.0, -0.0, 1e-30, 3e38, 2.5e16)]
        ['0.1', '1', '-0', '1e-30', '3e38', '2.5e16']
    """
    x = np.float32(x)
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    a = abs(x)
    if a == 0 or _POSITIONAL[0] <= a < _POSITIONAL[1]:
        return np.format_float_positional(x, unique=True, trim="-")
    text = np.format_float_scientific(x, unique=True, trim="-", exp_digits=1)
    return text.replace("e+", "e")


def _read_bytes(path: str) -> bytes:
    return read_regular(path)


def _parse_header(data: bytes, path: str) -> tuple[int, int, int]:
    """Return (count, dim, offset of the first record)."""
    end = data.find(b"\n", 0, 1025)
    if end < 0:
        raise ModelFormatError(
            f"{path}: corrupt or unsupported model file: no header line '<count> <dim>' at the "
            "start of the file"
        )
    parts = data[:end].split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ModelFormatError(
            f"{path}: corrupt or unsupported model file: line 1: header {data[:end][:60]!r} is "
            "not '<count> <dim>'"
        )
    count, dim = int(parts[0]), int(parts[1])
    if count >= 2**64 or not 1 <= dim <= MAX_FILE_DIM:
        raise ModelFormatError(
            f"{path}: corrupt or unsupported model file: line 1: invalid header counts {count} "
            f"{dim} (dim must be between 1 and {MAX_FILE_DIM})"
        )
    return count, dim, end + 1


def _looks_like_text(data: bytes, start: int, dim: int) -> bool:
    """True when the first record after the header is a text line of ``dim`` numbers."""
    end = data.find(b"\n", start)
    line = data[start:] if end < 0 else data[start:end]
    try:
        parts = line.decode("utf-8").split()
    except UnicodeDecodeError:
        return False
    if len(parts) != dim + 1:
        return False
    try:
        [float(x) for x in parts[1:]]
    except ValueError:
        return False
    return True


def check_read_options(
    binary: object, limit: object, errors: object
) -> tuple[bool | None, int | None, UnicodeErrors]:
    """The options of :func:`read_word2vec_format`, checked (ConfigError otherwise)."""
    if binary is not None and not isinstance(binary, bool):
        raise ConfigError(f"binary must be True, False or None, got {binary!r}")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0
    ):
        raise ConfigError(f"limit must be None or an integer >= 0, got {limit!r}")
    if errors not in ("strict", "replace", "ignore"):
        raise ConfigError(f"errors must be 'strict', 'replace' or 'ignore', got {errors!r}")
    mode: UnicodeErrors = "strict" if errors == "strict" else "replace"
    if errors == "ignore":
        mode = "ignore"
    return binary, None if limit is None else min(int(limit), 2**64 - 1), mode


def read_word2vec_format(
    path: str | os.PathLike[str],
    *,
    binary: bool | None = None,
    limit: int | None = None,
    errors: UnicodeErrors = "strict",
) -> tuple[list[str], npt.NDArray[np.float32]]:
    """Read a word2vec text or binary vector file.

    Args:
        path: the file.
        binary: the format; ``None`` detects it from the first record.
        limit: read at most this many vectors (the first ones); the rest of the file is not read.
        errors: how to handle words that are not valid UTF-8 (as ``bytes.decode``).

    Returns:
        ``(keys, vectors)`` with ``vectors`` a C-contiguous float32 matrix.

    Raises:
        SubwordxFileNotFoundError: the file does not exist.
        ConfigError: an option out of its domain, or ``path`` is not a regular file.
        ModelFormatError: the file is truncated, its header disagrees with its content, a value is
            not a number, or a word is not UTF-8 (the message names the file and the line or word).

    Example:
        >>> import numpy as np, tempfile, os, pathlib
        >>> p = os.path.join(tempfile.mkdtemp(), "v.txt")
        >>> _ = pathlib.Path(p).write_text("2 2\\nx 1 2\\ny 3 4")  # no final newline: fine
        >>> read_word2vec_format(p)[1].tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    binary, limit, errors = check_read_options(binary, limit, errors)
    spath = os.fspath(path)
    if _backend.use_rust():
        keys, vectors = _backend.core().read_word2vec_format(spath, binary, limit, errors)
        return list(keys), np.asarray(vectors)
    data = _read_bytes(spath)
    count, dim, start = _parse_header(data, spath)
    n = count if limit is None else min(count, limit)
    if binary is None:
        binary = count > 0 and not _looks_like_text(data, start, dim)
    # Never trust the header: the records it announces must fit in the file.
    remaining = len(data) - start
    need = count * (4 * dim + 2) if binary else count * (dim + 1)
    if need > remaining:
        raise ModelFormatError(
            f"{spath}: corrupt or unsupported model file: truncated: the header promises {count} "
            f"vectors of dim {dim} ({'binary' if binary else 'text'} format: at least {need} "
            f"bytes), but the file holds {remaining} bytes after the header"
        )
    if binary:
        return _read_binary(data, start, count, n, dim, spath, errors)
    return _read_text(data, start, count, n, dim, spath, errors)


def _corrupt(path: str, reason: str) -> ModelFormatError:
    return ModelFormatError(f"{path}: corrupt or unsupported model file: {reason}")


def _read_binary(
    data: bytes, pos: int, count: int, n: int, dim: int, path: str, errors: UnicodeErrors
) -> tuple[list[str], npt.NDArray[np.float32]]:
    keys: list[str] = []
    vectors = np.empty((n, dim), dtype=np.float32)
    nbytes = 4 * dim
    size = len(data)
    for i in range(n):
        # Skip the separator of the previous record: word2vec.c writes "\n", and its reader skips
        # any whitespace before a word.
        while pos < size and data[pos] in b"\n\r\t ":
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + nbytes > size:
            raise _corrupt(
                path,
                f"truncated: record {i + 1} of {count} ends before its {dim} float32 values "
                f"(header promises {count} records)",
            )
        raw = data[pos:space]
        if b"\n" in raw or not raw:
            raise _corrupt(
                path,
                f"record {i + 1}: malformed word {raw[:60]!r} (header count or dim wrong?)",
            )
        try:
            word = raw.decode("utf-8", errors=errors)
        except UnicodeDecodeError:
            raise _corrupt(path, f"record {i + 1}: word {raw[:60]!r} is not UTF-8") from None
        keys.append(word)
        vectors[i] = np.frombuffer(data, dtype=_F32_LE, count=dim, offset=space + 1)
        pos = space + 1 + nbytes
    if n == count and data[pos:].strip():
        raise _corrupt(
            path,
            f"more data after the {count} records the header announces "
            "(header count or dim wrong?)",
        )
    return keys, vectors


def _read_text(
    data: bytes, pos: int, count: int, n: int, dim: int, path: str, errors: UnicodeErrors
) -> tuple[list[str], npt.NDArray[np.float32]]:
    lines = data[pos:].split(b"\n")
    # Drop blank lines at the very end only (a trailing newline or two).
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < n:
        raise _corrupt(
            path, f"truncated: header promises {count} vectors, the file holds {len(lines)}"
        )
    if n == count and len(lines) > count:
        raise _corrupt(
            path,
            f"more data: the file holds more than the {count} vector lines the header promises",
        )
    keys: list[str] = []
    vectors = np.empty((n, dim), dtype=np.float32)
    for i in range(n):
        try:
            line = lines[i].decode("utf-8", errors=errors)
        except UnicodeDecodeError:
            raise _corrupt(path, f"line {i + 2}: invalid UTF-8") from None
        parts = line.split()
        if len(parts) != dim + 1:
            raise _corrupt(
                path,
                f"line {i + 2}: expected a word and {dim} values, found {len(parts)} fields",
            )
        try:
            vectors[i] = [float(x) for x in parts[1:]]
        except ValueError:
            bad = next(x for x in parts[1:] if not _is_float(x))
            raise _corrupt(
                path, f"line {i + 2}: value {bad!r} of word {parts[0]!r} is not a number"
            ) from None
        keys.append(parts[0])
    return keys, vectors


def _is_float(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


def write_glove_format(
    path: str | os.PathLike[str], keys: Sequence[str], vectors: npt.NDArray[np.float32]
) -> None:
    """Write vectors in GloVe's text format (atomically): word2vec's text format without the
    header line, one ``word v1 ... vdim`` line per word (what C ``glove`` writes; gensim reads it
    with ``load_word2vec_format(path, no_header=True)``).

    Example:
        >>> import numpy as np, tempfile, os, pathlib
        >>> p = os.path.join(tempfile.mkdtemp(), "v.glove.txt")
        >>> write_glove_format(p, ["a"], np.array([[0.5, 1.0]], np.float32))
        >>> pathlib.Path(p).read_text()
        'a 0.5 1\\n'
    """
    mat = np.asarray(vectors)
    if mat.ndim != 2 or mat.shape[0] != len(keys):
        raise ConfigError(
            f"vectors of shape {mat.shape} do not match {len(keys)} keys (expected (n, dim))"
        )
    if mat.shape[1] < 1:
        raise ConfigError("vectors have no columns (dim 0); not writable")
    for key in keys:
        if not isinstance(key, str) or not key or any(ch.isspace() for ch in key):
            raise ConfigError(f"word {key!r} is empty or contains whitespace; not writable")
    mat32 = np.asarray(mat, dtype=np.float32)

    with atomic_open(path) as f:
        for key, row in zip(keys, mat32, strict=True):
            line = key + "".join(" " + format_float32(x) for x in row) + "\n"
            f.write(line.encode("utf-8"))


def read_glove_format(
    path: str | os.PathLike[str], errors: UnicodeErrors = "strict"
) -> tuple[list[str], npt.NDArray[np.float32]]:
    """Read GloVe's headerless text format: ``word v1 ... vdim`` per line, ``dim`` from the first
    line, every line the same length.

    Raises:
        SubwordxFileNotFoundError: no such file.
        ModelFormatError: an empty file, a line of another length, a value that is not a number.
    """
    name = os.fspath(path)
    data = _read_bytes(name)
    keys: list[str] = []
    rows: list[list[float]] = []
    dim = -1
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8", errors=errors)
        except UnicodeDecodeError:
            raise _corrupt(name, f"line {number}: the word is not UTF-8") from None
        parts = line.split()
        if dim < 0:
            dim = len(parts) - 1
            if dim < 1:
                raise _corrupt(name, f"line {number}: a word and no values")
        if len(parts) != dim + 1:
            raise _corrupt(
                name, f"line {number}: {len(parts) - 1} values, but the first line has {dim}"
            )
        try:
            rows.append([float(x) for x in parts[1:]])
        except ValueError:
            raise _corrupt(name, f"line {number}: a value is not a number") from None
        keys.append(parts[0])
    if dim < 0:
        raise _corrupt(name, "no vectors in the file")
    return keys, np.array(rows, dtype=np.float32).reshape(len(keys), dim)
