"""Finding, fetching and checking tiktoken rank files (``tiktoken.load``'s API and cache).

A rank file (``cl100k_base.tiktoken``) holds one ``base64(token bytes) rank`` line per token. The
encodings of :mod:`subwordx.tiktoken` find theirs, in this order (:func:`rank_file_bytes`):

1. ``$SUBWORDX_TIKTOKEN_DIR/<file name>`` (e.g. ``cl100k_base.tiktoken``), if that variable is set
   and the file is there;
2. tiktoken's cache: the folder ``$TIKTOKEN_CACHE_DIR``, else ``$DATA_GYM_CACHE_DIR``, else
   ``<temp dir>/data-gym-cache``, where the file is named by the SHA-1 of its URL (so a cache that
   tiktoken filled serves subwordx, and the other way round); an empty ``TIKTOKEN_CACHE_DIR``
   turns the cache off, as in tiktoken;
3. the public URL tiktoken downloads it from, stored into the cache atomically.

Every file is checked against the SHA-256 tiktoken expects for it, wherever it comes from. Without
the file and without a network, the error names the file and where to put it.

Nothing here imports tiktoken, ``requests`` or ``blobfile``: downloads use ``urllib``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from subwordx._atomic import atomic_write
from subwordx.errors import (
    ConfigError,
    ModelFormatError,
    SubwordxFileNotFoundError,
    SubwordxIOError,
)

__all__ = [
    "cache_path",
    "check_hash",
    "dump_tiktoken_bpe",
    "load_tiktoken_bpe",
    "rank_file_bytes",
    "read_file",
    "read_file_cached",
]

#: The environment variable naming a folder of rank files (``<name>.tiktoken``).
DIR_VARIABLE = "SUBWORDX_TIKTOKEN_DIR"

#: Seconds a download may stall before it fails.
DOWNLOAD_TIMEOUT = 60.0


def check_hash(data: bytes, expected_hash: str) -> bool:
    """True when the SHA-256 of ``data`` (hex) is ``expected_hash``."""
    return hashlib.sha256(data).hexdigest() == expected_hash


def read_file(blobpath: str) -> bytes:
    """The bytes of a local path or an ``http(s)://`` URL (other URLs go through ``blobfile``,
    as in tiktoken, if it is installed).

    Raises:
        SubwordxFileNotFoundError: no such local file.
        SubwordxIOError: the download or the read failed.
    """
    if "://" not in blobpath:
        path = Path(blobpath)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise SubwordxFileNotFoundError(2, f"{path}: no such file", str(path)) from None
        except OSError as e:
            raise SubwordxIOError(e.errno or 0, f"{path}: {e.strerror or e}", str(path)) from None
    if blobpath.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(blobpath, timeout=DOWNLOAD_TIMEOUT) as response:
                data: bytes = response.read()
                return data
        except (OSError, ValueError) as e:  # URLError and timeouts are OSErrors
            reason = getattr(e, "reason", None) or e
            raise SubwordxIOError(0, f"downloading {blobpath} failed: {reason}", blobpath) from e
    try:
        blobfile = importlib.import_module("blobfile")
    except ImportError:
        raise ConfigError(
            f"{blobpath}: reading this kind of URL needs blobfile (pip install blobfile)"
        ) from None
    blob: bytes = blobfile.read_bytes(blobpath)
    return blob


def _cache_dir() -> tuple[str, bool]:
    """tiktoken's cache folder ("" when caching is off) and whether the user chose it."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            return os.environ[variable], True
    return os.path.join(tempfile.gettempdir(), "data-gym-cache"), False


def cache_path(blobpath: str) -> Path | None:
    """Where tiktoken's cache keeps the file of ``blobpath`` (None: caching is off)."""
    folder, _ = _cache_dir()
    if folder == "":
        return None
    return Path(folder) / hashlib.sha1(blobpath.encode()).hexdigest()


def read_file_cached(blobpath: str, expected_hash: str | None = None) -> bytes:
    """The bytes of ``blobpath`` through tiktoken's cache: a cached copy whose hash matches, or a
    fresh download that is checked, then cached (written atomically).

    Raises:
        ModelFormatError: the downloaded bytes do not have ``expected_hash``.
        SubwordxIOError: the download failed.
    """
    folder, chosen = _cache_dir()
    path = cache_path(blobpath)
    if path is None:
        data = read_file(blobpath)
        _check_download(data, blobpath, expected_hash)
        return data
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        if data and (expected_hash is None or check_hash(data, expected_hash)):
            return data
        # A cached copy that does not match is dropped and fetched again, as tiktoken does.
        with contextlib.suppress(OSError):
            path.unlink()
    data = read_file(blobpath)
    _check_download(data, blobpath, expected_hash)
    try:
        os.makedirs(folder, exist_ok=True)
        atomic_write(path, data)
    except OSError:
        # A cache the user did not choose may be unwritable (a shared temp dir): go on without.
        if chosen:
            raise
    return data


def _check_download(data: bytes, blobpath: str, expected_hash: str | None) -> None:
    if expected_hash and not check_hash(data, expected_hash):
        raise ModelFormatError(
            f"{blobpath}: the downloaded data has sha256 {hashlib.sha256(data).hexdigest()}, "
            f"not the expected {expected_hash} (a corrupted download? try again)"
        )


def rank_file_bytes(file_name: str, url: str, expected_hash: str) -> bytes:
    """The bytes of a known rank file, from ``$SUBWORDX_TIKTOKEN_DIR``, tiktoken's cache or its
    URL, in that order (see the module docs), checked against ``expected_hash``.

    Raises:
        ModelFormatError: the file in ``$SUBWORDX_TIKTOKEN_DIR`` (or the download) is not the
            one tiktoken expects.
        SubwordxFileNotFoundError: the file is nowhere and cannot be downloaded; the message
            says which file to put where.
    """
    folder = os.environ.get(DIR_VARIABLE, "")
    if folder:
        path = Path(folder) / file_name
        if path.is_file():
            data = read_file(str(path))
            if not check_hash(data, expected_hash):
                raise ModelFormatError(
                    f"{path}: sha256 {hashlib.sha256(data).hexdigest()} is not the "
                    f"{expected_hash} tiktoken expects for {file_name} (a different or damaged "
                    f"file; the original is at {url})"
                )
            return data
    try:
        return read_file_cached(url, expected_hash)
    except SubwordxIOError as e:
        cached = cache_path(url)
        places = [f"{DIR_VARIABLE}=/some/folder with the file as /some/folder/{file_name}"]
        if folder:
            places[0] = f"{Path(folder) / file_name} ({DIR_VARIABLE} is {folder!r})"
        if cached is not None:
            places.append(f"{cached} (tiktoken's cache, where tiktoken would put it too)")
        raise SubwordxFileNotFoundError(
            2,
            f"the rank file {file_name} (sha256 {expected_hash}) is not here and could not be "
            f"downloaded ({e.strerror}); download it from {url} and put it at "
            + " or at ".join(places),
            file_name,
        ) from None


def load_tiktoken_bpe(tiktoken_bpe_file: str, expected_hash: str | None = None) -> dict[bytes, int]:
    """The ranks of a rank file (a path or a URL, read through the cache): ``{token bytes: rank}``.

    Raises:
        ModelFormatError: a line that is not ``base64 rank``, or a hash mismatch.
    """
    return parse_ranks(read_file_cached(tiktoken_bpe_file, expected_hash), tiktoken_bpe_file)


def parse_ranks(data: bytes, source: str = "<rank file>") -> dict[bytes, int]:
    """``{token bytes: rank}`` of rank-file bytes."""
    ranks: dict[bytes, int] = {}
    b64decode = base64.b64decode
    for line in data.splitlines():
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[b64decode(token)] = int(rank)
        except ValueError:  # a wrong field count, bad base64 (binascii.Error) or a bad rank
            raise ModelFormatError(f"{source}: line {line[:80]!r} is not 'base64 rank'") from None
    return ranks


def dump_ranks(bpe_ranks: Mapping[bytes, int], *, sort: bool = False) -> bytes:
    """The rank-file bytes of ``{token bytes: rank}`` (lines in rank order if ``sort``)."""
    b64encode = base64.b64encode
    try:
        items = sorted(bpe_ranks.items(), key=lambda item: item[1]) if sort else bpe_ranks.items()
        return b"".join(b64encode(token) + b" %d\n" % rank for token, rank in items)
    except TypeError:
        raise ConfigError("mergeable_ranks must map token bytes to int ranks") from None


def dump_tiktoken_bpe(bpe_ranks: Mapping[bytes, int], tiktoken_bpe_file: str) -> None:
    """Writes ``bpe_ranks`` as a rank file (atomically; a local path)."""
    atomic_write(tiktoken_bpe_file, dump_ranks(bpe_ranks, sort=True))
