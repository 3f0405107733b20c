"""Reading and writing the word2vec vector formats (text and binary).

word2vec.c (Mikolov et al. 2013) introduced two file formats for word vectors, and every
embedding tool since (gensim, fastText, GloVe's converters) reads and writes them:

* **text**: a header line ``"<count> <dim>"``, then one line per word:
  ``word v1 v2 ... vdim``. word2vec.c writes each value with ``"%lf "`` (six decimals and a trailing
  space); gensim writes ``repr`` of each float. We write ``%.9g``, the shortest ``printf`` format
  that round-trips every float32 exactly.
* **binary**: the same ASCII header ``"<count> <dim>\\n"``, then per word the UTF-8 bytes of the
  word, one space, ``dim`` little-endian float32 values (``4 * dim`` raw bytes), and ``"\\n"``.
  word2vec.c writes exactly this; gensim too. The trailing newline is optional on reading (some
  writers omit it, and older word2vec.c readers skip any leading whitespace of the next word).

Reading a binary file parses the whole file from one ``bytes`` object: per record one ``find`` for
the space after the word and one ``np.frombuffer`` view copied into a preallocated matrix, so a
70,000 x 100 file loads in a fraction of a second.

Corruption is an error, never a silent partial load: a truncated file, a header that promises more
(or fewer) records than the file holds, a line with the wrong number of values, or a value that is
not a number raises :class:`~subwordx.errors.ModelFormatError` naming the line or the word.

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

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from typing import IO, Literal

import numpy as np
import numpy.typing as npt

from subwordx.errors import ModelFormatError, SubwordxFileNotFoundError, SubwordxIOError

__all__ = ["atomic_write", "read_word2vec_format", "write_word2vec_format"]

UnicodeErrors = Literal["strict", "replace", "ignore"]

_F32_LE = np.dtype("<f4")


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Write a file atomically: to a temporary file in the same directory, then ``os.replace``.

    A reader never sees a half-written file, and a failed write leaves any previous file intact
    (the temporary file is removed).

    Args:
        path: destination.
        write: called with a binary file object open for writing.

    Raises:
        SubwordxIOError: the directory is not writable or the write failed.

    Example:
        >>> import tempfile, os, pathlib
        >>> p = os.path.join(tempfile.mkdtemp(), "x.bin")
        >>> atomic_write(p, lambda f: f.write(b"hi") and None)
        >>> pathlib.Path(p).read_bytes()
        b'hi'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=directory)
    except OSError as exc:
        raise SubwordxIOError(f"cannot create a file in {directory!r}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, SubwordxIOError):
            raise SubwordxIOError(f"writing {path!r} failed: {exc}") from exc
        raise


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
    from subwordx.errors import ConfigError

    mat = np.asarray(vectors)
    if mat.ndim != 2 or mat.shape[0] != len(keys):
        raise ConfigError(
            f"vectors of shape {mat.shape} do not match {len(keys)} keys (expected (n, dim))"
        )
    for key in keys:
        if not key or any(ch.isspace() for ch in key):
            raise ConfigError(f"word {key!r} is empty or contains whitespace; not writable")
    mat32 = np.ascontiguousarray(mat, dtype=_F32_LE)
    n, dim = mat32.shape

    def write(f: IO[bytes]) -> None:
        f.write(f"{n} {dim}\n".encode())
        if binary:
            for key, row in zip(keys, mat32, strict=True):
                f.write(key.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            fmt = " ".join(["%.9g"] * dim)
            lines = [
                f"{key} {fmt % tuple(row)}\n" for key, row in zip(keys, mat32.tolist(), strict=True)
            ]
            f.write("".join(lines).encode("utf-8"))

    atomic_write(path, write)


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError as exc:
        raise SubwordxFileNotFoundError(f"no such vector file: {os.fspath(path)!r}") from exc
    except OSError as exc:
        raise SubwordxIOError(f"cannot read {os.fspath(path)!r}: {exc}") from exc


def _parse_header(data: bytes, path: str) -> tuple[int, int, int]:
    """Return (count, dim, offset of the first record)."""
    end = data.find(b"\n")
    if end < 0:
        raise ModelFormatError(f"{path}: no header line '<count> <dim>'")
    parts = data[:end].split()
    try:
        if len(parts) != 2:
            raise ValueError
        count, dim = int(parts[0]), int(parts[1])
    except ValueError:
        raise ModelFormatError(
            f"{path}: line 1: header {data[:end][:80]!r} is not '<count> <dim>'"
        ) from None
    if count < 0 or dim <= 0:
        raise ModelFormatError(f"{path}: line 1: invalid header counts {count} {dim}")
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
        limit: read at most this many vectors (the first ones).
        errors: how to handle words that are not valid UTF-8 (as ``bytes.decode``).

    Returns:
        ``(keys, vectors)`` with ``vectors`` a C-contiguous float32 matrix.

    Raises:
        SubwordxFileNotFoundError: the file does not exist.
        ModelFormatError: the file is truncated, its header disagrees with its content, or a value
            is not a number (the message names the line or word).

    Example:
        >>> import numpy as np, tempfile, os, pathlib
        >>> p = os.path.join(tempfile.mkdtemp(), "v.txt")
        >>> _ = pathlib.Path(p).write_text("2 2\\nx 1 2\\ny 3 4")  # no final newline: fine
        >>> read_word2vec_format(p)[1].tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    spath = os.fspath(path)
    data = _read_bytes(spath)
    count, dim, start = _parse_header(data, spath)
    n = count if limit is None else max(0, min(count, limit))
    if binary is None:
        binary = count > 0 and not _looks_like_text(data, start, dim)
    if binary:
        return _read_binary(data, start, count, n, dim, spath, errors)
    return _read_text(data, start, count, n, dim, spath, errors)


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
            raise ModelFormatError(
                f"{path}: truncated: record {i + 1} of {count} ends before its "
                f"{dim} float32 values (header promises {count} records)"
            )
        raw = data[pos:space]
        try:
            word = raw.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            raise ModelFormatError(f"{path}: record {i + 1}: word {raw!r} is not UTF-8") from exc
        if b"\n" in raw or not raw:
            raise ModelFormatError(
                f"{path}: record {i + 1}: malformed word {raw[:60]!r} (header count or dim wrong?)"
            )
        keys.append(word)
        vectors[i] = np.frombuffer(data, dtype=_F32_LE, count=dim, offset=space + 1)
        pos = space + 1 + nbytes
    if n == count and data[pos:].strip():
        raise ModelFormatError(
            f"{path}: more data after the {count} records the header announces "
            f"(header count or dim wrong?)"
        )
    return keys, vectors


def _read_text(
    data: bytes, pos: int, count: int, n: int, dim: int, path: str, errors: UnicodeErrors
) -> tuple[list[str], npt.NDArray[np.float32]]:
    text = data[pos:].decode("utf-8", errors=errors)
    lines = text.splitlines()
    # Drop blank lines at the very end only (a trailing newline or two).
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < count:
        raise ModelFormatError(
            f"{path}: truncated: header promises {count} vectors, the file holds {len(lines)}"
        )
    if len(lines) > count:
        raise ModelFormatError(
            f"{path}: the file holds {len(lines)} vector lines, the header promises {count}"
        )
    keys: list[str] = []
    vectors = np.empty((n, dim), dtype=np.float32)
    for i in range(n):
        parts = lines[i].split()
        if len(parts) != dim + 1:
            raise ModelFormatError(
                f"{path}: line {i + 2}: expected a word and {dim} values, found {len(parts)} fields"
            )
        try:
            vectors[i] = [float(x) for x in parts[1:]]
        except ValueError:
            bad = next(x for x in parts[1:] if not _is_float(x))
            raise ModelFormatError(
                f"{path}: line {i + 2}: value {bad!r} of word {parts[0]!r} is not a number"
            ) from None
        keys.append(parts[0])
    return keys, vectors


def _is_float(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True
