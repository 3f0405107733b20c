"""Atomic file writes: the one helper every Python-side writer uses.

With the compiled core, :func:`atomic_write` is the core's writer (``subwordx_core::io::atomic``):
a unique temporary file beside the target, fsynced, renamed over it, the directory fsynced; a
target that exists and is not a regular file (``/dev/null``, a FIFO) is refused, never replaced;
the new file gets the mode ``open`` would give (0666 less the umask). :func:`atomic_open` is the
same for a file written piece by piece, and the fallback when the core is not installed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Union

from subwordx import _backend
from subwordx.errors import SubwordxFileNotFoundError, SubwordxIOError

PathLike = Union[str, "os.PathLike[str]"]
_COUNTER = itertools.count()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse_non_regular(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise SubwordxIOError(21, f"{path}: is a directory", str(path))
    if not stat.S_ISREG(mode):
        raise SubwordxIOError(
            22,
            f"{path}: exists and is not a regular file (a device, FIFO or socket): not replaced",
            str(path),
        )


@contextlib.contextmanager
def atomic_open(path: PathLike) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` when the ``with`` block ends without an exception;
    on an exception the temporary file is removed and ``path`` is untouched."""
    p = Path(path)
    _refuse_non_regular(p)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise SubwordxFileNotFoundError(2, f"{folder}: no such directory", str(folder))
    tmp = folder / f".{p.name}.{os.getpid()}-{next(_COUNTER)}.py.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise SubwordxIOError(e.errno or 0, f"{p}: {e.strerror or e}", str(p)) from e
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _refuse_non_regular(p)
        os.replace(tmp, p)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, SubwordxIOError):
            raise SubwordxIOError(e.errno or 0, f"{p}: {e.strerror or e}", str(p)) from e
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write(path: PathLike, data: str | bytes) -> None:
    """Writes ``data`` (str as UTF-8) to ``path`` atomically."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    core = _backend._core
    if core is not None:
        core.write_atomic(os.fspath(path), payload)
        return
    with atomic_open(path) as f:
        f.write(payload)


__all__ = ["atomic_open", "atomic_write"]
