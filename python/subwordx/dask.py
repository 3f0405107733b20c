"""Counting words, training from counts and encoding on a Dask cluster (``docs/dask.md``).

Needs the ``dask`` extra (``pip install subwordx[dask]``); ``import subwordx`` never imports
Dask, only ``import subwordx.dask`` does. Nothing here assumes a shared filesystem or a single
process: texts come from a Dask collection (``dask.bag.read_text`` reads any filesystem Dask
reads), and what travels between processes (word counts, tokenizers) travels pickled.

In short (the README has a version that runs as written)::

    import dask.bag as db
    from dask.distributed import Client, LocalCluster
    import subwordx, subwordx.dask

    client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    lines = db.read_text(["a.txt", "b.txt"], blocksize="16MiB", linedelimiter="\\n")
    counts = subwordx.dask.count_words(lines, byte_level=True)      # a WordCounts
    tok = subwordx.train_bpe(word_counts=counts, vocab_size=32000)  # on the client
    ids = subwordx.dask.encode(lines, tok)                           # a lazy bag of id lists
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import dask.bag
import numpy as np
import numpy.typing as npt

from subwordx.errors import ConfigError
from subwordx.tokenizer import SpecialSet, Tokenizer, _check_text, _check_threads
from subwordx.word_counts import CountSettings, Model, WordCounts, _check_min_count, _settings

__all__ = ["count_words", "count_words_lazy", "encode"]


# ------------------------------------------------------------------------------------ counting
def count_words(
    bag: dask.bag.Bag,
    *,
    model: Model = "bpe",
    byte_level: bool | None = None,
    pre_tokenizer: str | None = None,
    unicode_normalization: Literal["nfc", "nfkc"] | None = None,
    lowercase: bool | None = None,
    strip_accents: bool | None = None,
    settings: CountSettings | None = None,
    min_count_per_partition: int = 1,
    split_every: int | None = None,
    threads: int = 1,
) -> WordCounts:
    """Counts the words of a bag of texts on the cluster and returns the total.

    Each partition is counted in Rust with the GIL released (its texts are split into lines at
    ``\\n``, normalized and pre-tokenized, exactly as :meth:`WordCounts.from_files` counts a
    file), and the partitions' counts are added up as a tree (``split_every`` at a time, Dask's
    default when None) on the workers: what crosses the network is the counts' compact binary
    form, never the text. Addition is exact and associative, so the result is the same whatever
    the partitioning, tree shape or order, and a task Dask reruns (a worker died) counts the same.

    ``dask.bag.read_text(paths, blocksize=..., linedelimiter="\\n")`` gives exactly the counts of
    ``WordCounts.from_files(paths)``. (Without ``linedelimiter="\\n"`` Dask reads in universal
    newline mode, turning ``\\r\\n`` into ``\\n``; the counts then differ for files with ``\\r``.)

    Args:
        bag: a ``dask.bag.Bag`` of ``str`` (lines, or texts of several lines).
        model, byte_level, pre_tokenizer, unicode_normalization, lowercase, strip_accents,
            settings: the counting settings, as :class:`~subwordx.WordCounts` takes them
            (``model="bpe"``: ``train_bpe``'s, ``"wordpiece"``: ``train_wordpiece``'s).
        min_count_per_partition: drop, in each partition, the words seen fewer times than this
            before adding up. This bounds memory when the vocabulary outgrows it but is
            **approximate**: a word seen a few times in each of many partitions is lost, so the
            result is a lower bound of the true counts. 1 (default): exact.
        split_every: how many counts each step of the tree adds up.
        threads: threads per partition; 1 (default) counts on the Dask worker thread itself,
            so a worker with n threads counts n partitions at once. 0: all cores.

    Raises:
        ConfigError: a setting outside its domain, or a bag item that is not a ``str``.
    """
    binary = _count_binary(
        bag,
        model=model,
        byte_level=byte_level,
        pre_tokenizer=pre_tokenizer,
        unicode_normalization=unicode_normalization,
        lowercase=lowercase,
        strip_accents=strip_accents,
        settings=settings,
        min_count_per_partition=min_count_per_partition,
        split_every=split_every,
        threads=threads,
    )
    # The total travels to the client as bytes and becomes a WordCounts only here.
    return WordCounts.from_bytes(binary.compute())


def count_words_lazy(
    bag: dask.bag.Bag,
    *,
    model: Model = "bpe",
    byte_level: bool | None = None,
    pre_tokenizer: str | None = None,
    unicode_normalization: Literal["nfc", "nfkc"] | None = None,
    lowercase: bool | None = None,
    strip_accents: bool | None = None,
    settings: CountSettings | None = None,
    min_count_per_partition: int = 1,
    split_every: int | None = None,
    threads: int = 1,
) -> dask.bag.Item:
    """:func:`count_words` as a lazy ``dask.bag.Item`` (``.compute()``, ``client.compute``, or
    ``dask.compute`` together with other work)."""
    binary = _count_binary(
        bag,
        model=model,
        byte_level=byte_level,
        pre_tokenizer=pre_tokenizer,
        unicode_normalization=unicode_normalization,
        lowercase=lowercase,
        strip_accents=strip_accents,
        settings=settings,
        min_count_per_partition=min_count_per_partition,
        split_every=split_every,
        threads=threads,
    )
    item: dask.bag.Item = binary.apply(_from_binary)
    return item


def _count_binary(
    bag: dask.bag.Bag,
    *,
    model: Model,
    byte_level: bool | None,
    pre_tokenizer: str | None,
    unicode_normalization: Literal["nfc", "nfkc"] | None,
    lowercase: bool | None,
    strip_accents: bool | None,
    settings: CountSettings | None,
    min_count_per_partition: int,
    split_every: int | None,
    threads: int,
) -> dask.bag.Item:
    """The reduction: an Item whose value is the total in the binary form."""
    if not isinstance(bag, dask.bag.Bag):
        raise ConfigError(f"count_words takes a dask.bag.Bag of str, got {type(bag).__name__}")
    s = _settings(
        settings, model, byte_level, pre_tokenizer, unicode_normalization, lowercase, strip_accents
    )
    min_count = _check_min_count(min_count_per_partition)
    if split_every is not None and (
        isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2
    ):
        raise ConfigError(f"split_every must be an integer >= 2 or None, got {split_every!r}")
    per_partition = functools.partial(
        _count_partition,
        settings_json=s.to_json(),
        threads=_check_threads(threads),
        min_count=min_count,
    )
    aggregate = functools.partial(_add_up, settings_json=s.to_json())
    item: dask.bag.Item = bag.reduction(
        per_partition, aggregate, split_every=split_every, name="subwordx-count-words"
    )
    return item


# The tree adds up counts in their binary form: it is what travels between workers anyway, and
# its words are sorted, so each step is one k-way merge of its parts (no map is built, no word
# allocated) and only the client turns the total into a WordCounts.
def _count_partition(
    texts: Iterable[str], *, settings_json: str, threads: int, min_count: int
) -> bytes:
    return WordCounts._count_partition(texts, settings_json, threads, min_count)


def _add_up(parts: Iterable[bytes], *, settings_json: str) -> bytes:
    items = list(parts)
    if not items:  # a bag without partitions
        return WordCounts.from_dict({}, settings=CountSettings.from_json(settings_json)).to_bytes()
    return WordCounts._merge_binary(items)


def _from_binary(data: bytes) -> WordCounts:
    return WordCounts.from_bytes(data)


# ------------------------------------------------------------------------------------ encoding
def encode(
    collection: Any,
    tokenizer: Tokenizer,
    *,
    add_special_tokens: bool = True,
    split_special_tokens: bool = False,
    allowed_special: SpecialSet | None = None,
    disallowed_special: SpecialSet = (),
    max_length: int | None = None,
    truncation_direction: Literal["right", "left"] = "right",
    as_numpy: bool = False,
    threads: int = 0,
) -> Any:
    """Encodes every text of a Dask Series or Bag: a lazy collection of the same kind and
    partitioning with, per text, its ids (the ids of :meth:`Tokenizer.encode_batch_lists`).

    The tokenizer is shipped once per worker, not once per task: it becomes one task of the graph
    (``dask.delayed``, keyed by a hash of its bytes) that every partition depends on, so Dask
    sends its pickled form (the native JSON) to a worker once and the worker's partitions share
    the object. (Passing the tokenizer itself to ``map_partitions`` would embed it in every task.)

    Args:
        collection: a ``dask.dataframe.Series`` of ``str`` or a ``dask.bag.Bag`` of ``str``. A
            Series gives a Series with the same index and name, of dtype
            ``list<uint32>[pyarrow]`` (each element reads as a ``list`` of ints; the column is
            two Arrow buffers per partition, fast to move and written by ``to_parquet`` as a
            list column), or with ``as_numpy`` of ``object`` dtype holding arrays. A Bag gives a
            Bag of lists (or arrays).
        tokenizer: any :class:`~subwordx.Tokenizer`.
        add_special_tokens, split_special_tokens, allowed_special, disallowed_special: as
            :meth:`Tokenizer.encode` takes them (checked here, before anything runs).
        max_length: truncate each encoding to this many ids (special tokens included);
            ``truncation_direction`` ``"right"`` keeps the start, ``"left"`` the end. None: the
            tokenizer's own truncation. Padding, if the tokenizer has it, pads to the longest
            text of each partition (or to its fixed length).
        as_numpy: ``numpy.uint32`` arrays instead of lists of ints.
        threads: threads per partition: 0 (default) the worker's Rust thread pool (all its
            machine's cores, shared by the worker's Dask threads).

    Raises:
        ConfigError: an option outside its domain; at compute time, a text that is not a
            ``str``.
    """
    if not isinstance(tokenizer, Tokenizer):
        raise ConfigError(f"tokenizer must be a subwordx.Tokenizer, got {type(tokenizer).__name__}")
    _check_threads(threads)
    if max_length is not None:
        tokenizer = tokenizer.with_truncation(max_length, direction=truncation_direction)
    # Refuses unknown special-token names now rather than in every task.
    tokenizer._policy([], split_special_tokens, allowed_special, disallowed_special)
    options = _EncodeOptions(
        add_special_tokens=add_special_tokens,
        split_special_tokens=split_special_tokens,
        allowed_special=allowed_special,
        disallowed_special=disallowed_special,
        as_numpy=as_numpy,
        threads=threads,
    )
    shipped = _ship(tokenizer)
    if isinstance(collection, dask.bag.Bag):
        return collection.map_partitions(_encode_bag_partition, shipped, options)
    import dask.dataframe as dd

    if isinstance(collection, dd.Series):
        import pandas as pd

        dtype = object if as_numpy else _ids_dtype()
        meta = pd.Series(pd.array([], dtype=dtype), name=collection.name)
        return collection.map_partitions(_encode_series_partition, shipped, options, meta=meta)
    raise ConfigError(
        "encode takes a dask.dataframe.Series or a dask.bag.Bag of str, got "
        f"{type(collection).__name__}"
    )


def _ship(tokenizer: Tokenizer) -> Any:
    """The tokenizer as one keyed task of the graph (the module's docstring of :func:`encode`)."""
    from dask.delayed import delayed

    digest = hashlib.sha1(tokenizer.to_bytes()).hexdigest()[:16]
    return delayed(tokenizer, name=f"subwordx-tokenizer-{digest}", pure=True)


class _EncodeOptions:
    """The per-call options of :func:`encode` (a small picklable record)."""

    __slots__ = (
        "add_special_tokens",
        "allowed_special",
        "as_numpy",
        "disallowed_special",
        "split_special_tokens",
        "threads",
    )

    def __init__(
        self,
        *,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: SpecialSet | None,
        disallowed_special: SpecialSet,
        as_numpy: bool,
        threads: int,
    ) -> None:
        self.add_special_tokens = add_special_tokens
        self.split_special_tokens = split_special_tokens
        self.allowed_special = allowed_special
        self.disallowed_special = disallowed_special
        self.as_numpy = as_numpy
        self.threads = threads

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, v)


def _encode_texts(
    texts: Sequence[str], tokenizer: Tokenizer, o: _EncodeOptions
) -> list[list[int]] | list[npt.NDArray[np.uint32]]:
    common: dict[str, Any] = {
        "add_special_tokens": o.add_special_tokens,
        "split_special_tokens": o.split_special_tokens,
        "allowed_special": o.allowed_special,
        "disallowed_special": o.disallowed_special,
        "threads": o.threads,
    }
    if not o.as_numpy:
        return tokenizer.encode_batch_lists(texts, **common)
    flat, starts = tokenizer.encode_batch_ids(texts, **common)
    # Views into one array per partition: no copy per text.
    return _split(flat, starts, True)


class _IdsPartition(list):  # type: ignore[type-arg]
    """A bag partition of ids that pickles as two arrays (all ids, and where each text's start).

    distributed serializes a plain ``list`` of lists item by item, tens of times slower than
    pickling it whole (15,000 short lists: about 2 s instead of 0.06 s); any other type, such as
    this one, is pickled whole, and these two arrays are smaller than pickled ints.
    """

    as_numpy = False

    def __reduce__(self) -> tuple[Any, ...]:
        starts = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in self], out=starts[1:])
        flat = (
            np.concatenate([np.asarray(x, dtype=np.uint32) for x in self])
            if len(self)
            else np.zeros(0, dtype=np.uint32)
        )
        return (_ids_partition, (flat, starts, self.as_numpy))


def _ids_partition(
    flat: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], as_numpy: bool
) -> _IdsPartition:
    out = _IdsPartition(_split(flat, starts, as_numpy))
    out.as_numpy = as_numpy
    return out


def _split(
    flat: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], as_numpy: bool
) -> list[Any]:
    """Text ``i``'s ids are ``flat[starts[i]:starts[i + 1]]``: views, or lists of ints."""
    if as_numpy:
        return [flat[starts[i] : starts[i + 1]] for i in range(len(starts) - 1)]
    every = flat.tolist()
    return [every[starts[i] : starts[i + 1]] for i in range(len(starts) - 1)]


def _encode_bag_partition(
    texts: Iterable[str], tokenizer: Tokenizer, options: _EncodeOptions
) -> _IdsPartition:
    out = _IdsPartition(_encode_texts(list(texts), tokenizer, options))
    out.as_numpy = options.as_numpy
    return out


def _ids_dtype() -> Any:
    """``list<uint32>[pyarrow]``: a column of id lists as two Arrow buffers."""
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(pa.list_(pa.uint32()))


def _encode_series_partition(part: Any, tokenizer: Tokenizer, options: _EncodeOptions) -> Any:
    import pandas as pd

    texts = part.tolist()
    for t in texts:
        _check_text(t)
    if options.as_numpy:
        ids = _encode_texts(texts, tokenizer, options)
        # Filled one by one: numpy would turn equal-length arrays into one 2-D array.
        column = np.empty(len(ids), dtype=object)
        for i, x in enumerate(ids):
            column[i] = x
        return pd.Series(column, index=part.index, name=part.name)
    import pyarrow as pa

    flat, starts = tokenizer.encode_batch_ids(
        texts,
        add_special_tokens=options.add_special_tokens,
        split_special_tokens=options.split_special_tokens,
        allowed_special=options.allowed_special,
        disallowed_special=options.disallowed_special,
        threads=options.threads,
    )
    if len(flat) >= 2**31:
        raise ConfigError(
            f"a partition of {len(texts)} texts gives {len(flat)} ids, more than an Arrow list "
            "column holds (2**31 - 1): repartition into smaller partitions"
        )
    # The ids and where each text's start, as they are: no Python object per text or per id.
    column = pa.ListArray.from_arrays(pa.array(starts.astype(np.int32)), pa.array(flat))
    return pd.Series(pd.arrays.ArrowExtensionArray(column), index=part.index, name=part.name)
