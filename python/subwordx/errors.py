"""The one exception tree of subwordx.

Every error subwordx raises on purpose is a :class:`SubwordxError`. Each class also derives from the
built-in exception a caller would naturally catch (``ValueError`` for bad input, ``OSError`` for
files), so ``except ValueError`` keeps working. The Rust core's errors are mapped to these classes
by the binding, so the Rust and Python backends raise the same exceptions.

.. code-block:: text

    SubwordxError
    ├── ConfigError (ValueError)            a parameter outside its domain
    │   ├── VocabSizeTooSmallError          vocab_size below alphabet + special tokens
    │   ├── DisallowedSpecialTokenError     a text spells a disallowed special token
    │   └── CountSettingsMismatchError      adding word counts counted differently
    ├── CorpusError (ValueError)            the training text is unusable
    │   ├── InvalidUtf8Error                bytes that are not UTF-8 (file, line, byte)
    │   └── EmptyCorpusError                no words at all
    ├── ModelFormatError (ValueError)       a model file that is corrupt, truncated or unsupported
    ├── UnknownTokenError (KeyError)        a token id or token bytes outside the vocabulary
    ├── UnknownModelError (KeyError)        a model name with no known tiktoken encoding
    ├── SubwordxFileNotFoundError (FileNotFoundError)
    ├── SubwordxIOError (OSError)           any other I/O failure, with the path
    ├── ModelBusyError (RuntimeError)       a word2vec model used while another thread trains it
    └── InternalError (RuntimeError)        a bug in subwordx (a worker thread panicked, ...)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorpusError",
    "CountSettingsMismatchError",
    "DisallowedSpecialTokenError",
    "EmptyCorpusError",
    "InternalError",
    "InvalidUtf8Error",
    "ModelBusyError",
    "ModelFormatError",
    "SubwordxError",
    "SubwordxFileNotFoundError",
    "SubwordxIOError",
    "UnknownModelError",
    "UnknownTokenError",
    "VocabSizeTooSmallError",
]


class SubwordxError(Exception):
    """Base class of every error subwordx raises on purpose."""


class ConfigError(SubwordxError, ValueError):
    """A parameter outside its domain (a negative size, an unknown option, ...)."""


class DisallowedSpecialTokenError(ConfigError):
    """The text spells a special token that the call disallowed (tiktoken's rule)."""


class CountSettingsMismatchError(ConfigError):
    """Adding word counts made with different normalizer or pre-tokenizer settings."""


class VocabSizeTooSmallError(ConfigError):
    """The requested vocabulary cannot even hold the alphabet and the special tokens."""


class CorpusError(SubwordxError, ValueError):
    """The training corpus cannot be used."""


class InvalidUtf8Error(CorpusError):
    """A corpus file holds bytes that are not UTF-8.

    Attributes:
        path: the file.
        line: 1-based line number.
        column: 0-based byte offset of the first bad byte within the line.
        offset: byte offset of the first bad byte within the file.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.offset = offset


class EmptyCorpusError(CorpusError):
    """The corpus holds no word to learn from."""


class ModelFormatError(SubwordxError, ValueError):
    """A model file (or bytes) that is corrupt, truncated, or of an unsupported kind."""


class UnknownTokenError(SubwordxError, KeyError):
    """A token id, or the bytes of a token, that the vocabulary does not have.

    A ``KeyError``, as tiktoken raises for ``decode_single_token_bytes(id)`` or
    ``encode_single_token(b"...")`` (``subwordx.tiktoken``).
    """


class UnknownModelError(SubwordxError, KeyError):
    """A model name that no known tiktoken encoding belongs to (a ``KeyError``, as in tiktoken's
    ``encoding_for_model``)."""


class SubwordxFileNotFoundError(SubwordxError, FileNotFoundError):
    """A file that was asked for does not exist."""


class SubwordxIOError(SubwordxError, OSError):
    """Reading or writing a file failed."""


class ModelBusyError(SubwordxError, RuntimeError):
    """A word2vec model was used (trained, read, saved) while another thread is training it.

    Training releases the GIL and updates the model in place; wait for that ``train`` call to
    return (or give each thread its own model).
    """


class InternalError(SubwordxError, RuntimeError):
    """A bug in subwordx rather than a problem with the input (a worker thread panicked, ...).

    The message says what failed; please report it.
    """
