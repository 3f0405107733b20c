"""fastText's ``.bin`` model files, read and written (format version 12, unquantized).

The layout (facebookresearch/fastText ``src/fasttext.cc`` ``saveModel``, ``args.cc``,
``dictionary.cc``, ``densematrix.cc``), little-endian as fastText writes it on x86:

========================  ======================================================================
magic, version            ``int32 793712314``, ``int32 12``
args                      ``int32`` dim, ws, epoch, minCount, neg, wordNgrams, loss (hs=1, ns=2,
                          softmax=3, ova=4), model (cbow=1, sg=2, sup=3), bucket, minn, maxn,
                          lrUpdateRate; ``float64`` t
dictionary                ``int32`` size, nwords, nlabels; ``int64`` ntokens, pruneidx_size (-1:
                          not pruned); then ``size`` entries: the word's UTF-8 bytes, ``\\0``,
                          ``int64`` count, ``int8`` type (0 word, 1 label); then the prune index
input matrix              ``bool`` quantized; ``int64`` rows (nwords + bucket), cols (dim); floats
output matrix             ``bool`` quantized; ``int64`` rows, cols; floats
========================  ======================================================================

A supervised model (``model = 3``) lists its words (type 0) then its labels (type 1); its output
matrix has one row per label. A version 11 supervised model has no character n-grams (fastText
reads its ``maxn`` as 0).

Reading streams the file and checks every count against the bytes left *before* allocating, so a
corrupt header (say 10^12 rows) is a :class:`~subwordx.errors.ModelFormatError`, never a
``MemoryError``. Pruned and quantized models are refused with a clear error; which kind of model
(supervised or not) a caller accepts is the caller's check.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import IO, Union

import numpy as np
import numpy.typing as npt

from subwordx._atomic import atomic_open
from subwordx._files import open_regular
from subwordx.errors import ConfigError, ModelFormatError

PathLike = Union[str, "os.PathLike[str]"]
FloatArray = npt.NDArray[np.float32]

MAGIC = 793712314
VERSION = 12
LOSS_HS, LOSS_NS, LOSS_SOFTMAX, LOSS_OVA = 1, 2, 3, 4
MODEL_CBOW, MODEL_SG, MODEL_SUP = 1, 2, 3
_ARGS = struct.Struct("<12id")
_DICT = struct.Struct("<3i2q")
_ENTRY = struct.Struct("<qb")
_MATRIX = struct.Struct("<?2q")
_INT32_MAX = 2**31 - 1
_CHUNK = 1 << 20


@dataclass
class FastTextBin:
    """Everything a fastText ``.bin`` holds (``labels`` and ``label_counts`` for a supervised
    model, empty otherwise)."""

    dim: int
    ws: int
    epoch: int
    min_count: int
    neg: int
    word_ngrams: int
    loss: int
    model: int
    bucket: int
    minn: int
    maxn: int
    lr_update_rate: int
    t: float
    words: list[str]
    counts: npt.NDArray[np.int64]
    ntokens: int
    wi: FloatArray
    wo: FloatArray
    labels: list[str] = field(default_factory=list)
    label_counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))


def _encode_entry(w: str) -> bytes:
    b = w.encode("utf-8")
    if b"\0" in b or not b or any(c in b for c in (b" ", b"\n", b"\t", b"\r", b"\v", b"\f")):
        raise ConfigError(f"fastText's .bin cannot hold the word {w!r}")
    return b


def write_fasttext_bin(path: PathLike, m: FastTextBin) -> None:
    """Write ``m`` as a fastText ``.bin``, atomically and streaming the matrices.

    Raises:
        ConfigError: a word contains a NUL or whitespace (fastText could not read it back), or a
            shape disagrees with the header fields.
    """
    nwords, nlabels = len(m.words), len(m.labels)
    if (
        m.wi.shape != (nwords + m.bucket, m.dim)
        or m.wo.shape[1:] != (m.dim,)
        or (m.model == MODEL_SUP and m.wo.shape[0] != nlabels)
    ):
        raise ConfigError(
            f"matrix shapes {m.wi.shape} / {m.wo.shape} do not match {nwords} words, "
            f"{nlabels} labels, bucket={m.bucket}, dim={m.dim}"
        )
    encoded = [_encode_entry(w) for w in m.words]
    encoded_labels = [_encode_entry(w) for w in m.labels]
    with atomic_open(path) as f:
        f.write(struct.pack("<2i", MAGIC, VERSION))
        f.write(
            _ARGS.pack(
                m.dim, m.ws, m.epoch, m.min_count, m.neg, m.word_ngrams, m.loss, m.model,
                m.bucket, m.minn, m.maxn, m.lr_update_rate, float(m.t),
            )
        )  # fmt: skip
        f.write(_DICT.pack(nwords + nlabels, nwords, nlabels, m.ntokens, -1))
        for b, c in zip(encoded, m.counts.tolist(), strict=True):
            f.write(b + b"\0" + _ENTRY.pack(int(c), 0))
        for b, c in zip(encoded_labels, m.label_counts.tolist(), strict=True):
            f.write(b + b"\0" + _ENTRY.pack(int(c), 1))
        for matrix in (m.wi, m.wo):
            f.write(_MATRIX.pack(False, matrix.shape[0], matrix.shape[1]))
            data = np.ascontiguousarray(matrix, dtype="<f4")
            step = max(1, _CHUNK // (4 * m.dim))
            for start in range(0, data.shape[0], step):
                f.write(data[start : start + step].tobytes())


class _Reader:
    """A buffered reader that knows how many bytes are left (so counts can be checked)."""

    def __init__(self, f: IO[bytes], size: int, path: str) -> None:
        self.f, self.left, self.path = f, size, path
        self.buf = b""

    def bad(self, reason: str) -> ModelFormatError:
        return ModelFormatError(f"{self.path}: not a valid fastText .bin ({reason})")

    def _fill(self, n: int) -> None:
        while len(self.buf) < n:
            chunk = self.f.read(max(_CHUNK, n - len(self.buf)))
            if not chunk:
                raise self.bad("the file ends early")
            self.buf += chunk

    def take(self, n: int) -> bytes:
        if n > self.left:
            raise self.bad(f"needs {n} more bytes, {self.left} left")
        self._fill(n)
        out, self.buf = self.buf[:n], self.buf[n:]
        self.left -= n
        return out

    def until_nul(self, limit: int) -> bytes:
        start = 0
        while True:
            i = self.buf.find(b"\0", start)
            if i >= 0:
                word = self.take(i + 1)[:-1]
                return word
            if len(self.buf) > limit:
                raise self.bad(f"a word longer than {limit} bytes")
            start = len(self.buf)
            if start >= self.left:
                raise self.bad("the file ends inside a word")
            self._fill(start + 1)

    def matrix(self, rows: int, cols: int) -> FloatArray:
        n = rows * cols * 4
        if rows < 0 or cols < 0 or n > self.left:
            raise self.bad(f"a {rows} x {cols} matrix needs {n} bytes, {self.left} left")
        out = np.empty((rows, cols), dtype="<f4")
        if n == 0:
            return out.astype(np.float32, copy=False)
        view = out.data.cast("B")
        have = min(len(self.buf), n)
        view[:have] = self.buf[:have]
        self.buf = self.buf[have:]
        pos = have
        while pos < n:
            chunk = self.f.read(min(n - pos, 1 << 24))
            if not chunk:
                raise self.bad("the file ends inside a matrix")
            view[pos : pos + len(chunk)] = chunk
            pos += len(chunk)
        self.left -= n
        return out.astype(np.float32, copy=False)


def read_fasttext_bin(path: PathLike) -> FastTextBin:
    """Read a fastText ``.bin`` (unquantized, supervised or not), checking every size first.

    Raises:
        ModelFormatError: not a fastText ``.bin``, corrupt or truncated, or a kind of model this
            reader does not support (pruned, quantized).
        SubwordxFileNotFoundError: no such file.
    """
    name = os.fspath(path)
    with open_regular(name) as f:
        size = os.fstat(f.fileno()).st_size
        r = _Reader(f, size, name)
        magic, version = struct.unpack("<2i", r.take(8))
        if magic != MAGIC:
            raise r.bad("wrong magic number")
        if version not in (11, 12):
            raise r.bad(f"unsupported version {version}")
        (dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn, lr_rate,
         t) = _ARGS.unpack(r.take(_ARGS.size))  # fmt: skip
        if not 1 <= dim <= 10_000:
            raise r.bad(f"dim {dim}")
        if loss not in (1, 2, 3, 4) or model not in (1, 2, 3):
            raise r.bad(f"loss {loss}, model {model}")
        if version == 11 and model == MODEL_SUP:
            # fastText: "old supervised models do not use char ngrams".
            maxn = 0
        if (
            bucket < 0
            or not 0 <= maxn <= 100
            or not 0 <= minn <= 100
            or (maxn > 0 and not 1 <= minn <= maxn)
            or (maxn > 0 and bucket == 0)
        ):
            raise r.bad(f"bucket {bucket}, minn {minn}, maxn {maxn}")
        size_, nwords, nlabels, ntokens, pruneidx_size = _DICT.unpack(r.take(_DICT.size))
        if nwords < 0 or nlabels < 0 or size_ != nwords + nlabels or nwords + bucket > _INT32_MAX:
            raise r.bad(f"dictionary sizes {size_} / {nwords} / {nlabels}")
        if ntokens < 0:
            raise r.bad(f"token count {ntokens}")
        if pruneidx_size > 0:
            raise ModelFormatError(f"{name}: a pruned (quantized) model is not supported")
        if pruneidx_size < -1:
            raise r.bad(f"prune index size {pruneidx_size}")
        # Every entry takes at least 10 bytes (a NUL, a count, a type): check before looping.
        if size_ * (1 + _ENTRY.size) > r.left:
            raise r.bad(f"{size_} words cannot fit in {r.left} bytes")
        entries: list[str] = []
        counts = np.empty(size_, dtype=np.int64)
        for i in range(size_):
            raw = r.until_nul(1 << 20)
            try:
                entries.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                entries.append(raw.decode("utf-8", errors="backslashreplace"))
            count, kind = _ENTRY.unpack(r.take(_ENTRY.size))
            # Words come first (type 0), then labels (type 1).
            if count < 0 or kind != (0 if i < nwords else 1):
                raise r.bad(f"entry {i}: count {count}, type {kind}")
            counts[i] = count
        if len(set(entries)) != len(entries):
            raise r.bad("a word is listed twice")
        words, labels = entries[:nwords], entries[nwords:]
        quant, rows, cols = _MATRIX.unpack(r.take(_MATRIX.size))
        if quant:
            raise ModelFormatError(f"{name}: a quantized model (.ftz) is not supported")
        if rows != nwords + bucket or cols != dim:
            raise r.bad(f"input matrix {rows} x {cols}, expected {nwords + bucket} x {dim}")
        wi = r.matrix(rows, cols)
        quant, rows, cols = _MATRIX.unpack(r.take(_MATRIX.size))
        if quant or cols != dim or rows < 0 or (model == MODEL_SUP and rows != nlabels):
            raise r.bad(f"output matrix {rows} x {cols} (quantized: {quant})")
        wo = r.matrix(rows, cols)
        if r.left or r.buf or f.read(1):
            raise r.bad("bytes after the output matrix")
    return FastTextBin(
        dim=dim, ws=ws, epoch=epoch, min_count=min_count, neg=neg, word_ngrams=word_ngrams,
        loss=loss, model=model, bucket=bucket, minn=minn, maxn=maxn, lr_update_rate=lr_rate, t=t,
        words=words, counts=counts[:nwords], ntokens=ntokens, wi=wi, wo=wo, labels=labels,
        label_counts=counts[nwords:],
    )  # fmt: skip
