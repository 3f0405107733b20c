"""Opening files for reading: the checks every reader of subwordx makes before it opens a path.

Only regular files are read. A FIFO with no writer blocks ``open`` forever (and Ctrl-C with it), a
device such as ``/dev/zero`` never ends: both are refused before anything opens them, with the
same classes and messages as the Rust core (``corpus::files``). Stream such sources through
``texts=`` instead. Writing has its own checks, in :mod:`subwordx._atomic`.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from subwordx.errors import SubwordxFileNotFoundError, SubwordxIOError

PathLike = str | os.PathLike[str]


def open_regular(path: PathLike) -> BinaryIO:
    """``open(path, "rb")`` for a regular file; anything else is a :class:`SubwordxIOError`.

    Raises:
        SubwordxFileNotFoundError: no such file.
        SubwordxIOError: a directory, FIFO, device or socket, or the file cannot be read.
    """
    name = os.fspath(path)
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise SubwordxFileNotFoundError(errno.ENOENT, f"{name}: no such file", name) from None
    except OSError as e:
        raise SubwordxIOError(e.errno or 0, f"{name}: {e.strerror}", name) from None
    if stat.S_ISDIR(mode):
        raise SubwordxIOError(errno.EISDIR, f"{name}: is a directory, not a regular file", name)
    if not stat.S_ISREG(mode):
        raise SubwordxIOError(
            errno.EINVAL,
            f"{name}: is not a regular file (a FIFO, device or socket); corpora are read from "
            "regular files (stream other sources through texts=...)",
            name,
        )
    try:
        return open(name, "rb")
    except OSError as e:
        raise SubwordxIOError(e.errno or 0, f"{name}: {e.strerror}", name) from None


def read_regular(path: PathLike) -> bytes:
    """The whole of the regular file ``path`` (see :func:`open_regular`)."""
    with open_regular(path) as f:
        try:
            return f.read()
        except OSError as e:
            name = os.fspath(path)
            raise SubwordxIOError(e.errno or 0, f"{name}: {e.strerror}", name) from None
