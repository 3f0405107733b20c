"""Word vectors with a vocabulary: lookup, similarity queries, and file formats.

:class:`KeyedVectors` is the result of every embedding trainer in subwordx. It mirrors gensim's
``KeyedVectors`` so that code written for gensim keeps working:

* ``kv["king"]`` is the vector of a word (a read-only view), ``kv[["a", "b"]]`` a matrix;
* ``kv.most_similar(positive=["king", "woman"], negative=["man"])`` solves an analogy with
  *3CosAdd*: the cosine between every vocabulary vector and the mean of the unit vectors of the
  positive words minus those of the negative words; the query words are never returned;
* ``kv.most_similar_cosmul(...)`` uses *3CosMul* (Levy & Goldberg 2014, eq. 4): the product of
  cosines of the positives divided by that of the negatives, each cosine shifted to ``[0, 1]``;
* ``similarity``, ``distance``, ``n_similarity``, ``doesnt_match``, ``similar_by_vector``.

The vectors are stored as given (no copy); unit-normalized vectors are computed once, lazily, when
a similarity query first needs them (:meth:`KeyedVectors.fill_norms`).

Files: :meth:`KeyedVectors.save_word2vec_format` / :meth:`KeyedVectors.load_word2vec_format` read
and write word2vec.c's text and binary formats (see :mod:`subwordx.embeddings.formats`). The native
format, :meth:`KeyedVectors.save` / :meth:`KeyedVectors.load`, is a NumPy ``.npz`` archive holding
the keys, counts, vectors, and whatever else a trainer needs to continue training (output weights
``syn1neg``/``syn1``, the training configuration as JSON). It is read with ``allow_pickle=False``:
loading a file never runs code. Before numpy reads an array, its header is checked against the
size of its member of the archive (a tampered shape cannot ask for terabytes), and every array is
checked for its type and shape: a file that fails is a :class:`~subwordx.errors.ModelFormatError`
naming it. Every save is atomic.

Example:
    >>> import numpy as np
    >>> kv = KeyedVectors(["a", "b", "c"], np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32))
    >>> kv.most_similar("a", topn=1)[0][0]
    'b'
    >>> round(kv.similarity("a", "c"), 6)
    0.0
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from subwordx._atomic import atomic_open
from subwordx._files import read_regular
from subwordx.embeddings.formats import (
    UnicodeErrors,
    read_word2vec_format,
    write_word2vec_format,
)
from subwordx.errors import (
    ConfigError,
    ModelFormatError,
)

__all__ = ["KeyedVectors", "SavedModel"]

FloatArray = npt.NDArray[np.float32]
Key = str | FloatArray

_NATIVE_FORMAT = "subwordx.keyed_vectors"
_NATIVE_VERSION = 1
_RESERVED = {"keys", "counts", "vectors", "config", "format"}


def _unitvec(v: npt.NDArray[Any]) -> FloatArray:
    norm = float(np.linalg.norm(v))
    out = v / norm if norm > 0 else v
    return np.asarray(out, dtype=np.float32)


def _as_list(x: Key | Sequence[Key] | None) -> list[Key]:
    if x is None:
        return []
    if isinstance(x, str | np.ndarray):
        return [x]
    return list(x)


@dataclass
class SavedModel:
    """What :meth:`KeyedVectors.load_full` returns: the vectors plus what the trainer stored.

    Attributes:
        kv: the word vectors.
        extra: further arrays (e.g. ``syn1neg``, ``syn1``), by name.
        config: the training configuration stored with the model (JSON types).
    """

    kv: KeyedVectors
    extra: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


class KeyedVectors:
    """A vocabulary and one vector per word, with gensim-compatible similarity queries.

    Args:
        keys: the words, in row order (usually by descending frequency).
        vectors: float32 matrix of shape ``(len(keys), dim)``; kept as is, without a copy.
        counts: optional int64 word counts, one per key.

    Raises:
        ConfigError: shapes disagree or a key is repeated.

    Example:
        >>> import numpy as np
        >>> kv = KeyedVectors(["x", "y"], np.eye(2, dtype=np.float32))
        >>> len(kv), kv.vector_size, "x" in kv, kv.get_index("y")
        (2, 2, True, 1)
    """

    def __init__(
        self,
        keys: list[str],
        vectors: FloatArray,
        counts: npt.NDArray[np.int64] | None = None,
    ) -> None:
        if not isinstance(vectors, np.ndarray) or vectors.ndim != 2:
            raise ConfigError("vectors must be a 2-D numpy array of shape (n, dim)")
        if vectors.shape[0] != len(keys):
            raise ConfigError(f"{len(keys)} keys but {vectors.shape[0]} vectors")
        if counts is not None and len(counts) != len(keys):
            raise ConfigError(f"{len(keys)} keys but {len(counts)} counts")
        self.index_to_key: list[str] = list(keys)
        self.key_to_index: dict[str, int] = {k: i for i, k in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ConfigError("keys must be unique")
        self.vectors: FloatArray = vectors
        self.counts: npt.NDArray[np.int64] | None = counts
        self.norms: FloatArray | None = None
        self._normed: FloatArray | None = None

    # ----------------------------------------------------------------- lookup

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key: object) -> bool:
        return key in self.key_to_index

    def __repr__(self) -> str:
        return f"KeyedVectors(n={len(self)}, vector_size={self.vector_size})"

    @property
    def vector_size(self) -> int:
        """The dimension of the vectors."""
        return int(self.vectors.shape[1])

    def get_index(self, key: str) -> int:
        """Row of ``key``.

        Raises:
            KeyError: ``key`` is not in the vocabulary.

        Example:
            >>> import numpy as np
            >>> KeyedVectors(["a"], np.ones((1, 2), np.float32)).get_index("a")
            0
        """
        try:
            return self.key_to_index[key]
        except KeyError:
            raise KeyError(f"word {key!r} not in vocabulary") from None

    def get_vector(self, key: str, norm: bool = False) -> FloatArray:
        """The vector of ``key`` (a read-only view), unit-normalized if ``norm``.

        Example:
            >>> import numpy as np
            >>> kv = KeyedVectors(["a"], np.array([[3, 4]], np.float32))
            >>> kv.get_vector("a", norm=True).tolist()
            [0.6000000238418579, 0.800000011920929]
        """
        index = self.get_index(key)
        source = self._unit_vectors() if norm else self.vectors
        result: FloatArray = source[index].view()
        result.setflags(write=False)
        return result

    def __getitem__(self, key: str | Sequence[str]) -> FloatArray:
        if isinstance(key, str):
            return self.get_vector(key)
        return (
            np.vstack([self.get_vector(k) for k in key])
            if len(key)
            else np.empty((0, self.vector_size), np.float32)
        )

    # ------------------------------------------------------------ similarity

    def fill_norms(self, force: bool = False) -> None:
        """Compute the vector norms and the unit-normalized vectors (once; again if ``force``).

        Call with ``force=True`` after changing ``vectors`` in place.
        """
        if self.norms is None or force:
            norms = np.linalg.norm(self.vectors, axis=1).astype(np.float32)
            self.norms = norms
            safe = np.where(norms > 0, norms, np.float32(1))
            self._normed = (self.vectors / safe[:, None]).astype(np.float32)

    def _unit_vectors(self) -> FloatArray:
        self.fill_norms()
        assert self._normed is not None
        return self._normed

    def _query_vector(self, item: Key, norm: bool) -> FloatArray:
        if isinstance(item, np.ndarray):
            vec = np.asarray(item, dtype=np.float32)
            return _unitvec(vec) if norm else vec
        return self.get_vector(item, norm=norm)

    def most_similar(
        self,
        positive: Key | Sequence[Key] | None = None,
        negative: Key | Sequence[Key] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest (cosine) to the mean of the positives minus the negatives.

        As gensim: each query word's unit vector is weighted +1 (positive) or -1 (negative), the
        mean is normalized, and every vocabulary vector (the first ``restrict_vocab`` only, if
        given) is ranked by cosine with it. Query words are excluded from the result.

        Args:
            positive: words (or vectors) that pull towards the result.
            negative: words (or vectors) that push away.
            topn: how many results.
            restrict_vocab: search only the first ``restrict_vocab`` words.

        Returns:
            ``(word, cosine)`` pairs, most similar first.

        Raises:
            KeyError: a query word is not in the vocabulary.
            ConfigError: no query at all.

        Example:
            >>> import numpy as np
            >>> v = np.array([[1, 0], [0, 1], [1, 1], [-1, 0]], np.float32)
            >>> kv = KeyedVectors(["man", "woman", "king", "queen"], v)
            >>> kv.most_similar(positive=["king"], negative=["man"], topn=1)[0][0]
            'woman'
        """
        if topn < 1:
            return []
        pos, neg = _as_list(positive), _as_list(negative)
        if not pos and not neg:
            raise ConfigError("most_similar needs at least one positive or negative word")
        weighted = [self._query_vector(k, True) for k in pos] + [
            -self._query_vector(k, True) for k in neg
        ]
        mean = _unitvec(np.mean(np.vstack(weighted), axis=0))
        exclude = {self.key_to_index[k] for k in pos + neg if isinstance(k, str)}
        return self._top(self._cosines(mean, restrict_vocab), topn, exclude)

    def similar_by_vector(
        self, vector: FloatArray, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest (cosine) to ``vector``.

        Example:
            >>> import numpy as np
            >>> kv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
            >>> kv.similar_by_vector(np.array([0.1, 1.0], np.float32), topn=1)[0][0]
            'b'
        """
        return self.most_similar(
            positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab
        )

    def similar_by_word(
        self, word: str, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest to ``word`` (same as ``most_similar(word)``)."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def _cosines(self, unit_query: FloatArray, restrict_vocab: int | None) -> FloatArray:
        normed = self._unit_vectors()
        if restrict_vocab is not None:
            normed = normed[:restrict_vocab]
        return np.asarray(normed @ unit_query, dtype=np.float32)

    def _top(self, scores: FloatArray, topn: int, exclude: set[int]) -> list[tuple[str, float]]:
        k = min(len(scores), topn + len(exclude))
        if k <= 0:
            return []
        cand = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        # Stable order: by score descending, then by index ascending (frequent words first).
        cand = cand[np.lexsort((cand, -scores[cand]))]
        out = [(self.index_to_key[i], float(scores[i])) for i in cand.tolist() if i not in exclude]
        return out[:topn]

    def most_similar_cosmul(
        self,
        positive: Key | Sequence[Key] | None = None,
        negative: Key | Sequence[Key] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Analogy search with 3CosMul (Levy & Goldberg 2014), as gensim.

        ``score(w) = prod_p (1 + cos(w, p)) / 2 / (prod_n (1 + cos(w, n)) / 2 + 1e-6)``.

        Example:
            >>> import numpy as np
            >>> v = np.array([[1, 0], [0, 1], [1, 1], [-1, 0]], np.float32)
            >>> kv = KeyedVectors(["man", "woman", "king", "queen"], v)
            >>> kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"])[0][0]
            'queen'
        """
        if topn < 1:
            return []
        pos, neg = _as_list(positive), _as_list(negative)
        if not pos:
            raise ConfigError("most_similar_cosmul needs at least one positive word")
        exclude = {self.key_to_index[k] for k in pos + neg if isinstance(k, str)}
        pos_d = [(1 + self._cosines(self._query_vector(k, True), restrict_vocab)) / 2 for k in pos]
        neg_d = [(1 + self._cosines(self._query_vector(k, True), restrict_vocab)) / 2 for k in neg]
        num = np.prod(np.vstack(pos_d), axis=0)
        den = np.prod(np.vstack(neg_d), axis=0) if neg_d else np.ones_like(num)
        scores = np.asarray(num / (den + np.float32(1e-6)), dtype=np.float32)
        return self._top(scores, topn, exclude)

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words.

        Example:
            >>> import numpy as np
            >>> kv = KeyedVectors(["a", "b"], np.array([[1, 0], [1, 1]], np.float32))
            >>> round(kv.similarity("a", "b"), 4)
            0.7071
        """
        return float(np.dot(_unitvec(self.get_vector(w1)), _unitvec(self.get_vector(w2))))

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
        """Cosine between the means of two sets of words (raw vectors, as gensim).

        Raises:
            ConfigError: one of the sets is empty.

        Example:
            >>> import numpy as np
            >>> kv = KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
            >>> round(kv.n_similarity(["a", "b"], ["a"]), 4)
            0.7071
        """
        if not ws1 or not ws2:
            raise ConfigError("n_similarity needs two non-empty lists of words")
        m1 = np.mean(self[list(ws1)], axis=0)
        m2 = np.mean(self[list(ws2)], axis=0)
        return float(np.dot(_unitvec(m1), _unitvec(m2)))

    def doesnt_match(self, words: Iterable[str]) -> str:
        """The word furthest from the mean of the others' unit vectors (as gensim).

        Unknown words are ignored.

        Raises:
            ConfigError: no known word.

        Example:
            >>> import numpy as np
            >>> v = np.array([[1, 0.1], [1, 0], [0.9, 0.2], [0, 1]], np.float32)
            >>> KeyedVectors(["a", "b", "c", "d"], v).doesnt_match(["a", "b", "c", "d"])
            'd'
        """
        used = [w for w in words if w in self]
        if not used:
            raise ConfigError("doesnt_match needs at least one known word")
        vecs = np.vstack([self.get_vector(w, norm=True) for w in used])
        mean = _unitvec(vecs.mean(axis=0))
        dists = vecs @ mean
        return sorted(zip(dists.tolist(), used, strict=True), reverse=True)[-1][1]

    # ---------------------------------------------------------------- files

    def save_word2vec_format(self, path: str | os.PathLike[str], binary: bool = False) -> None:
        """Write the vectors in word2vec.c's text or binary format (atomically).

        Example:
            >>> import numpy as np, tempfile, os
            >>> kv = KeyedVectors(["a"], np.array([[0.25, -1]], np.float32))
            >>> p = os.path.join(tempfile.mkdtemp(), "v.bin")
            >>> kv.save_word2vec_format(p, binary=True)
            >>> KeyedVectors.load_word2vec_format(p)["a"].tolist()
            [0.25, -1.0]
        """
        write_word2vec_format(path, self.index_to_key, self.vectors, binary=binary)

    @classmethod
    def load_word2vec_format(
        cls,
        path: str | os.PathLike[str],
        binary: bool | None = None,
        limit: int | None = None,
        errors: UnicodeErrors = "strict",
    ) -> KeyedVectors:
        """Read a word2vec.c / gensim text or binary file (format auto-detected by default).

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: a corrupt or truncated file.
        """
        keys, vectors = read_word2vec_format(path, binary=binary, limit=limit, errors=errors)
        if len(set(keys)) != len(keys):
            seen: set[str] = set()
            dup = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise ModelFormatError(f"{os.fspath(path)}: word {dup!r} appears twice")
        return cls(keys, vectors)

    def save_glove_format(self, path: str | os.PathLike[str]) -> None:
        """Write the vectors in GloVe's headerless text format (atomically; see
        :func:`subwordx.embeddings.formats.write_glove_format`)."""
        from subwordx.embeddings.formats import write_glove_format

        write_glove_format(path, self.index_to_key, self.vectors)

    @classmethod
    def load_glove_format(
        cls, path: str | os.PathLike[str], errors: UnicodeErrors = "strict"
    ) -> KeyedVectors:
        """Read GloVe's headerless text format (``word v1 ... vdim`` lines).

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: a corrupt file or a repeated word.
        """
        from subwordx.embeddings.formats import read_glove_format

        keys, vectors = read_glove_format(path, errors=errors)
        if len(set(keys)) != len(keys):
            seen: set[str] = set()
            dup = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise ModelFormatError(f"{os.fspath(path)}: word {dup!r} appears twice")
        return cls(keys, vectors)

    def save(
        self,
        path: str | os.PathLike[str],
        extra: dict[str, npt.NDArray[Any]] | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        """Save in the native ``.npz`` format (atomically), with optional training state.

        Args:
            path: destination (written as given; no ``.npz`` is appended).
            extra: further arrays to store, e.g. ``{"syn1neg": ...}``; names must not be one of
                ``keys``, ``counts``, ``vectors``, ``config``, ``format``.
            config: JSON-serializable training configuration.

        Example:
            >>> import numpy as np, tempfile, os
            >>> kv = KeyedVectors(["a"], np.ones((1, 3), np.float32), np.array([7]))
            >>> p = os.path.join(tempfile.mkdtemp(), "m.npz")
            >>> kv.save(p, extra={"syn1neg": np.zeros((1, 3), np.float32)}, config={"sg": True})
            >>> m = KeyedVectors.load_full(p)
            >>> m.kv.index_to_key, m.config, sorted(m.extra)
            (['a'], {'sg': True}, ['syn1neg'])
        """
        arrays: dict[str, npt.NDArray[Any]] = {
            "format": np.array(json.dumps({"format": _NATIVE_FORMAT, "version": _NATIVE_VERSION})),
            "keys": np.array(self.index_to_key, dtype=str),
            "vectors": self.vectors,
            "config": np.array(json.dumps(config or {})),
        }
        if not self.index_to_key:
            arrays["keys"] = np.array([], dtype="<U1")
        if self.counts is not None:
            arrays["counts"] = np.asarray(self.counts, dtype=np.int64)
        for name, arr in (extra or {}).items():
            if name in _RESERVED:
                raise ConfigError(f"extra array name {name!r} is reserved")
            arrays[name] = np.asarray(arr)

        with atomic_open(path) as f:
            np.savez(f, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyedVectors:
        """Load vectors saved with :meth:`save` (the extra arrays are ignored)."""
        return cls.load_full(path).kv

    @classmethod
    def load_full(cls, path: str | os.PathLike[str]) -> SavedModel:
        """Load a native ``.npz`` model with its extra arrays and configuration.

        Raises:
            SubwordxFileNotFoundError: no such file.
            ModelFormatError: not a subwordx native file, or a corrupt one.
        """
        spath = os.fspath(path)
        data = read_regular(spath)
        _check_npz_sizes(data, spath)
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except Exception as exc:  # zipfile/numpy raise many kinds on corrupt input
            raise ModelFormatError(f"{spath}: not a readable .npz archive: {exc}") from exc

        def bad(reason: str) -> ModelFormatError:
            return ModelFormatError(f"{spath}: not a subwordx native model ({reason})")

        for name in ("format", "keys", "vectors", "config"):
            if name not in arrays:
                raise bad(f"the array {name!r} is missing")
        header = _json_member(arrays.pop("format"), "format", spath)
        if not isinstance(header, dict) or header.get("format") != _NATIVE_FORMAT:
            raise bad("wrong format tag")
        version = header.get("version", 0)
        if isinstance(version, bool) or not isinstance(version, int):
            raise bad(f"format version {version!r} is not an integer")
        if version > _NATIVE_VERSION:
            raise ModelFormatError(
                f"{spath}: native format version {version} is newer than supported"
            )
        keys_arr = arrays.pop("keys")
        if keys_arr.ndim != 1 or (keys_arr.size and keys_arr.dtype.kind != "U"):
            raise bad(f"keys must be a 1-D array of strings, not {keys_arr.dtype} {keys_arr.shape}")
        keys = [str(k) for k in keys_arr.tolist()]
        vectors = arrays.pop("vectors")
        if vectors.ndim != 2 or vectors.dtype.kind != "f":
            raise bad(f"vectors must be a 2-D float array, not {vectors.dtype} {vectors.shape}")
        if vectors.shape[0] != len(keys):
            raise ModelFormatError(
                f"{spath}: {len(keys)} keys but vectors of shape {vectors.shape}"
            )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        counts = arrays.pop("counts", None)
        if counts is not None:
            if counts.ndim != 1 or counts.dtype.kind not in "iu":
                raise bad(f"counts must be a 1-D integer array, not {counts.dtype} {counts.shape}")
            if counts.shape != (len(keys),):
                raise ModelFormatError(
                    f"{spath}: {len(keys)} keys but counts of shape {counts.shape}"
                )
            if counts.size and (counts.min() < 0 or counts.max() > np.iinfo(np.int64).max):
                raise bad("counts must be between 0 and 2^63 - 1")
            counts = counts.astype(np.int64)
        config = _json_member(arrays.pop("config"), "config", spath)
        if not isinstance(config, dict):
            raise bad("config is not a JSON object")
        if len(set(keys)) != len(keys):
            raise bad("a key appears twice")
        kv = cls(keys, vectors, counts)
        return SavedModel(kv=kv, extra=arrays, config=config)


def _json_member(arr: npt.NDArray[Any], name: str, path: str) -> Any:
    """A JSON document stored as a 0-d string array (``format``, ``config``)."""
    if arr.ndim != 0 or arr.dtype.kind != "U":
        raise ModelFormatError(
            f"{path}: not a subwordx native model ({name} must be a JSON string, not "
            f"{arr.dtype} {arr.shape})"
        )
    try:
        return json.loads(str(arr))
    except ValueError as exc:
        raise ModelFormatError(
            f"{path}: not a subwordx native model ({name} is not JSON: {exc})"
        ) from None


#: A member may not unpack to more than this many times the archive's size plus 1 MiB: subwordx
#: writes uncompressed archives, so only a compression bomb gets near it.
_MAX_INFLATION = 64


def _check_npz_sizes(data: bytes, path: str) -> None:
    """Checks each array header of an ``.npz`` against its member's size before numpy allocates
    the array it announces (a tampered shape would otherwise ask for any amount of memory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > _MAX_INFLATION * len(data) + (1 << 20):
                raise ModelFormatError(
                    f"{path}: not a subwordx native model (the archive unpacks to {total} bytes "
                    f"from {len(data)})"
                )
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
                    else:
                        raise ModelFormatError(
                            f"{path}: not a subwordx native model (array {info.filename!r} "
                            f"has .npy format version {version})"
                        )
                    need = f.tell() + int(np.prod(shape, dtype=object)) * dtype.itemsize
                if need != info.file_size:
                    raise ModelFormatError(
                        f"{path}: not a subwordx native model (array {info.filename!r} announces "
                        f"shape {shape} of {dtype}, {need} bytes, in a member of "
                        f"{info.file_size} bytes)"
                    )
    except ModelFormatError:
        raise
    except Exception as exc:  # zipfile/numpy raise many kinds on corrupt input
        raise ModelFormatError(f"{path}: not a readable .npz archive: {exc}") from exc
