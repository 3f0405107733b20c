"""Type stubs of the compiled core (rust/subwordx-py). The public API wraps these; see
:mod:`subwordx.tokenizer`, :mod:`subwordx.word2vec` and :mod:`subwordx.phrases`."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

_Progress = Callable[[str, int, int, str], None] | None
_OnEpoch = Callable[[int, float], None] | None
_Ids = npt.NDArray[np.uint32]
_Offsets = npt.NDArray[np.int64]

# ids, type ids, offsets, special-tokens mask, attention mask, word ids and sequence ids (-1 for
# none), overflowing encodings of the same shape.
_Detailed = tuple[
    _Ids, _Ids, _Offsets, _Ids, _Ids, npt.NDArray[np.int64], npt.NDArray[np.int64], list[Any]
]

class Tokenizer:
    def encode(
        self,
        text: str,
        pair: str | None = None,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
    ) -> _Detailed: ...
    def encode_nbest(
        self, text: str, n: int, add_special_tokens: bool = True
    ) -> list[tuple[_Detailed, float]]: ...
    def encode_sample(
        self,
        text: str,
        alpha: float,
        nbest_size: int,
        dropout: float | None,
        seed: int,
        add_special_tokens: bool = True,
    ) -> _Detailed: ...
    def encode_ids(
        self,
        text: str,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
    ) -> _Ids: ...
    def encode_ids_list(
        self,
        text: str,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
    ) -> list[int]: ...
    def encode_batch(
        self,
        texts: list[str],
        pairs: list[str] | None = None,
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
        threads: int = 0,
    ) -> list[_Detailed]: ...
    def encode_batch_ids(
        self,
        texts: list[str],
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
        threads: int = 0,
    ) -> list[list[int]]: ...
    def encode_batch_flat(
        self,
        texts: list[str],
        add_special_tokens: bool = True,
        split_special_tokens: bool = False,
        allowed_special: list[int] | None = None,
        threads: int = 0,
    ) -> tuple[_Ids, npt.NDArray[np.int64]]: ...
    def find_disallowed_special(self, text: str, allowed: list[int]) -> str | None: ...
    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str: ...
    def decode_bytes(self, ids: list[int], skip_special_tokens: bool = True) -> bytes: ...
    def vocab_size(self) -> int: ...
    def get_vocab(self) -> dict[str, int]: ...
    def merges(self) -> list[tuple[str, str]]: ...
    def model_kind(self) -> str: ...
    def added_tokens(self) -> list[tuple[str, int, bool]]: ...
    def stripping_added_ids(self) -> list[tuple[int, bool]]: ...
    def token_to_id(self, token: str) -> int | None: ...
    def id_to_token(self, id: int) -> str | None: ...
    def to_native_json(self) -> str: ...
    def to_hf_json(self) -> str: ...
    def to_vocab_merges(self) -> tuple[str, str]: ...
    def to_tiktoken(self) -> str: ...
    def to_sentencepiece(self) -> bytes: ...
    def normalize_str(self, text: str) -> str: ...
    @staticmethod
    def from_sentencepiece(data: bytes, source: str = "<.model>") -> Tokenizer: ...
    def to_vocab_txt(self) -> str: ...
    def with_truncation_padding(
        self, truncation: str | None = None, padding: str | None = None
    ) -> Tokenizer: ...
    def with_dropout(self, p: float | None, seed: int = 0) -> Tokenizer: ...
    def dropout(self) -> float | None: ...
    @staticmethod
    def from_native_json(data: str) -> Tokenizer: ...
    @staticmethod
    def from_hf_json(data: str, source: str = "<tokenizer.json>") -> Tokenizer: ...
    @staticmethod
    def from_vocab_merges(vocab_json: str, merges_txt: str) -> Tokenizer: ...
    @staticmethod
    def from_vocab_txt(
        data: str, lowercase: bool | None = None, source: str = "<vocab.txt>"
    ) -> Tokenizer: ...
    @staticmethod
    def from_tiktoken(
        data: bytes,
        name: str,
        source: str,
        pattern: str | None = None,
        special_tokens: list[tuple[str, int]] | None = None,
    ) -> Tokenizer: ...

def train_files(
    paths: list[str],
    settings: Mapping[str, Any],
    threads: int = 0,
    errors: str = "strict",
    progress: _Progress = None,
) -> Tokenizer: ...
def train_texts(
    batches: Iterable[list[str]],
    settings: Mapping[str, Any],
    threads: int = 0,
    progress: _Progress = None,
) -> Tokenizer: ...
def train_counts(
    counts: Mapping[str, int], settings: Mapping[str, Any], progress: _Progress = None
) -> Tokenizer: ...
def train_word_counts(
    counts: WordCounts, settings: Mapping[str, Any], progress: _Progress = None
) -> Tokenizer: ...

class WordCounts:
    @staticmethod
    def from_files(
        paths: list[str],
        settings_json: str,
        threads: int = 0,
        errors: str = "strict",
        progress: _Progress = None,
    ) -> WordCounts: ...
    @staticmethod
    def from_batches(
        batches: Iterable[list[str]], settings_json: str, threads: int = 0
    ) -> WordCounts: ...
    @staticmethod
    def from_texts(
        texts: list[str], settings_json: str, threads: int = 1, min_count: int = 1
    ) -> WordCounts: ...
    @staticmethod
    def from_dict(counts: Mapping[str, int], settings_json: str) -> WordCounts: ...
    @staticmethod
    def from_bytes(data: bytes, source: str = "<bytes>") -> WordCounts: ...
    @staticmethod
    def load(path: str) -> WordCounts: ...
    @staticmethod
    def sum(parts: list[WordCounts]) -> WordCounts: ...
    @staticmethod
    def merge_binary(parts: list[bytes]) -> bytes: ...
    def add(self, other: WordCounts) -> WordCounts: ...
    def pruned(self, min_count: int) -> WordCounts: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: str) -> None: ...
    def settings_json(self) -> str: ...
    def __len__(self) -> int: ...
    def total(self) -> int: ...
    def get(self, word: str) -> int | None: ...
    def most_common(self, n: int | None = None) -> list[tuple[str, int]]: ...
    def equals(self, other: WordCounts) -> bool: ...

def build_vocab_from_files(
    paths: list[str],
    min_count: int = 5,
    max_vocab_size: int | None = None,
    max_final_vocab: int | None = None,
    errors: str = "strict",
    threads: int = 1,
    progress: _Progress = None,
) -> tuple[list[str], npt.NDArray[np.uint64]]: ...
def build_vocab_from_counts(
    counts: Mapping[str, int],
    min_count: int = 5,
    max_vocab_size: int | None = None,
    max_final_vocab: int | None = None,
) -> tuple[list[str], npt.NDArray[np.uint64]]: ...
def read_word2vec_format(
    path: str,
    binary: bool | None = None,
    limit: int | None = None,
    errors: str = "strict",
    progress: _Progress = None,
) -> tuple[list[str], npt.NDArray[np.float32]]: ...
def write_word2vec_format(
    path: str, words: list[str], vectors: npt.NDArray[np.float32], binary: bool = True
) -> None: ...

class Word2VecModel:
    def __init__(
        self,
        words: list[str],
        counts: list[int],
        *,
        sg: bool = True,
        cbow_mean: bool = True,
        dim: int = 100,
        window: int = 5,
        negative: int = 5,
        hs: bool = False,
        sample: float = 1e-3,
        alpha: float | None = None,
        min_alpha: float | None = None,
        epochs: int = 5,
        threads: int = 1,
        seed: int = 1,
    ) -> None: ...
    @staticmethod
    def from_parts(
        words: list[str],
        counts: list[int],
        syn0: npt.NDArray[np.float32],
        syn1neg: npt.NDArray[np.float32] | None = None,
        syn1: npt.NDArray[np.float32] | None = None,
        *,
        sg: bool = True,
        cbow_mean: bool = True,
        window: int = 5,
        negative: int = 5,
        hs: bool = False,
        sample: float = 1e-3,
        alpha: float | None = None,
        min_alpha: float | None = None,
        epochs: int = 5,
        threads: int = 1,
        seed: int = 1,
    ) -> Word2VecModel: ...
    def train_files(
        self,
        paths: list[str],
        epochs: int | None = None,
        errors: str = "strict",
        stream: bool | None = None,
        progress: _Progress = None,
        on_epoch: _OnEpoch = None,
    ) -> list[float]: ...
    def train_ids(
        self,
        ids: npt.NDArray[np.uint32],
        sentence_starts: npt.NDArray[np.int64],
        epochs: int | None = None,
        progress: _Progress = None,
        on_epoch: _OnEpoch = None,
    ) -> list[float]: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...
    @property
    def syn1neg(self) -> npt.NDArray[np.float32]: ...
    @property
    def syn1(self) -> npt.NDArray[np.float32]: ...
    @property
    def keys(self) -> list[str]: ...
    @property
    def counts(self) -> npt.NDArray[np.uint64]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    def save_word2vec_format(self, path: str, binary: bool = True) -> None: ...
    def __len__(self) -> int: ...

class PhrasesModel:
    @staticmethod
    def learn_files(
        paths: list[str],
        min_count: int = 5,
        threshold: float | None = None,
        scoring: str = "default",
        delimiter: str = "_",
        errors: str = "strict",
        threads: int = 1,
        progress: _Progress = None,
    ) -> PhrasesModel: ...
    @staticmethod
    def learn_sentences(
        sentences: list[list[str]],
        min_count: int = 5,
        threshold: float | None = None,
        scoring: str = "default",
        delimiter: str = "_",
    ) -> PhrasesModel: ...
    @staticmethod
    def from_table(
        rows: list[tuple[str, str, float]],
        min_count: int = 5,
        threshold: float | None = None,
        scoring: str = "default",
        delimiter: str = "_",
    ) -> PhrasesModel: ...
    def apply(self, sentence: list[str]) -> list[str]: ...
    def apply_file(
        self, input: str, output: str, errors: str = "strict", progress: _Progress = None
    ) -> None: ...
    def export(self) -> list[tuple[str, str, float]]: ...
    def __len__(self) -> int: ...

def write_atomic(path: str, data: bytes) -> None: ...
def are_plain_ids(ids: object) -> bool: ...
def sentencepiece_describe(data: bytes, source: str = "<.model>") -> str: ...
def sentencepiece_rewrite(data: bytes, source: str = "<.model>") -> bytes: ...
def sentencepiece_charsmap(data: bytes, source: str = "<.model>") -> bytes: ...
def build_charsmap(rules: dict[str, str] | None = None, nfkc: bool = False) -> bytes: ...
def charsmap_normalize(charsmap: bytes, text: str) -> str: ...
def glove_cooccurrences(
    paths: list[str],
    *,
    window: int = 10,
    symmetric: bool = True,
    min_count: int = 5,
    max_vocab: int | None = None,
    memory: int = 536870912,
    threads: int = 1,
    errors: str = "strict",
    tmp_dir: str | None = None,
    progress: Callable[[str, int, int, str], None] | None = None,
) -> dict[str, Any]: ...
def train_glove(
    paths: list[str],
    *,
    dim: int = 50,
    window: int = 10,
    symmetric: bool = True,
    epochs: int = 15,
    x_max: float = 100.0,
    alpha: float = 0.75,
    eta: float = 0.05,
    min_count: int = 5,
    max_vocab: int | None = None,
    memory: int = 536870912,
    threads: int = 1,
    seed: int = 1,
    errors: str = "strict",
    tmp_dir: str | None = None,
    progress: Callable[[str, int, int, str], None] | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> dict[str, Any]: ...

# fastText (rust/subwordx-py/src/fasttext.rs)
def fasttext_train(
    paths: list[str],
    words: list[str],
    counts: list[int],
    wi: npt.NDArray[np.float32] | None = None,
    wo: npt.NDArray[np.float32] | None = None,
    *,
    sg: bool = True,
    dim: int = 100,
    window: int = 5,
    negative: int = 5,
    hs: bool = False,
    sample: float = 1e-4,
    alpha: float = 0.05,
    min_alpha: float = 0.0,
    epochs: int = 5,
    threads: int = 1,
    seed: int = 1,
    min_n: int = 3,
    max_n: int = 6,
    bucket: int = 2_000_000,
    ns_exponent: float = 0.5,
    errors: str = "strict",
    stream: bool | None = None,
    progress: _Progress = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], list[float]]: ...
def fasttext_ngram_ids(
    words: list[str], nwords: int, min_n: int, max_n: int, bucket: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]: ...
def fasttext_hash(data: bytes) -> int: ...

# fastText's classifier (rust/subwordx-py/src/fasttext_supervised.rs)
class SupervisedModel:
    @staticmethod
    def train(
        paths: list[str],
        *,
        dim: int = 100,
        epochs: int = 5,
        lr: float = 0.1,
        loss: str = "softmax",
        neg: int = 5,
        word_ngrams: int = 1,
        min_count: int = 1,
        min_count_label: int = 0,
        min_n: int = 0,
        max_n: int = 0,
        bucket: int = 2000000,
        threads: int = 1,
        seed: int = 0,
        label_prefix: str = "__label__",
        errors: str = "strict",
        progress: Callable[[str, int, int, str], None] | None = None,
        on_epoch: Callable[[int, float], None] | None = None,
    ) -> tuple[SupervisedModel, list[float]]: ...
    @staticmethod
    def from_parts(
        words: list[str],
        word_counts: list[int],
        labels: list[str],
        label_counts: list[int],
        ntokens: int,
        wi: npt.NDArray[np.float32],
        wo: npt.NDArray[np.float32],
        *,
        loss: str,
        neg: int = 5,
        word_ngrams: int = 1,
        min_n: int = 0,
        max_n: int = 0,
        bucket: int = 0,
        label_prefix: str = "__label__",
        epochs: int = 5,
        lr: float = 0.1,
        min_count: int = 1,
    ) -> SupervisedModel: ...
    def words(self) -> tuple[list[str], list[int]]: ...
    def labels(self) -> tuple[list[str], list[int]]: ...
    @property
    def ntokens(self) -> int: ...
    @property
    def bucket(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def loss_code(self) -> int: ...
    def input_matrix(self) -> npt.NDArray[np.float32]: ...
    def output_matrix(self) -> npt.NDArray[np.float32]: ...
    def predict(
        self, lines: list[str], k: int = 1, threshold: float = 0.0, threads: int = 1
    ) -> list[list[tuple[int, float]]]: ...
    def predict_files(
        self,
        paths: list[str],
        k: int = 1,
        threshold: float = 0.0,
        errors: str = "strict",
        threads: int = 1,
        progress: Callable[[str, int, int, str], None] | None = None,
    ) -> list[list[tuple[int, float]]]: ...
    def test(
        self,
        paths: list[str] | None = None,
        lines: list[str] | None = None,
        k: int = 1,
        threshold: float = 0.0,
        errors: str = "strict",
        threads: int = 1,
    ) -> tuple[int, list[int], list[int], list[int]]: ...
    def sentence_vector(self, line: str) -> npt.NDArray[np.float32]: ...

def fasttext_loss_name(code: int) -> str: ...
