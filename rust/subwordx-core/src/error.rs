//! The one error type of the core.
//!
//! Every fallible function returns [`Result`]. Messages are lowercase and carry the context a user
//! needs to fix the problem (the file, the line, the byte, the value that was wrong). The Python
//! binding maps each variant to one class of `subwordx.errors`, so both backends raise the same
//! exceptions.

use std::path::PathBuf;

/// Everything that can go wrong in subwordx.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that was asked for does not exist.
    #[error("{}: no such file", path.display())]
    FileNotFound { path: PathBuf },

    /// Any other I/O failure, with the file it happened on.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Bytes that are not UTF-8 in a corpus read strictly.
    ///
    /// `line` is 1-based; `column` is the 0-based byte offset of the first bad byte inside the line;
    /// `offset` is its byte offset in the file.
    #[error(
        "{}:{line}: invalid UTF-8 at byte {column} of line {line} (file offset {offset}); \
         pass errors=\"replace\" (CLI: --errors replace) to substitute U+FFFD",
        path.display()
    )]
    InvalidUtf8 {
        path: PathBuf,
        line: u64,
        column: u64,
        offset: u64,
    },

    /// A line (or, for the word readers, a word) longer than [`crate::corpus::MAX_LINE_BYTES`]: a
    /// file without line breaks or whitespace would otherwise grow one buffer until the machine
    /// runs out of memory.
    #[error(
        "{}: the {unit} that starts at byte {offset} is longer than {limit} bytes (the most one \
         {unit} may hold); is this a text file?",
        path.display()
    )]
    LineTooLong {
        path: PathBuf,
        offset: u64,
        limit: usize,
        /// `"line"` or `"word"`.
        unit: &'static str,
    },

    /// The corpus held no word to learn from.
    #[error("empty corpus: {0}")]
    EmptyCorpus(String),

    /// A vocabulary size below what the model needs (its alphabet plus special tokens).
    #[error("vocabulary size {requested} is too small: {reason} (at least {minimum} needed)")]
    VocabTooSmall {
        requested: usize,
        minimum: usize,
        reason: String,
    },

    /// A parameter outside its domain.
    #[error("{0}")]
    InvalidArgument(String),

    /// A model file that cannot be parsed, is truncated, or contradicts itself.
    #[error("{source_name}: corrupt or unsupported model file: {reason}")]
    CorruptModel { source_name: String, reason: String },

    /// The caller asked the work to stop (Ctrl-C in Python).
    #[error("interrupted")]
    Interrupted,

    /// A bug or a failure of the machinery rather than of the input (a worker thread that
    /// panicked, a thread that could not be started): reported, never a crash.
    #[error("internal error in subwordx (please report it): {0}")]
    Internal(String),
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`, mapping "not found" to [`Error::FileNotFound`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound { path }
        } else {
            Error::Io { path, source }
        }
    }

    /// A corrupt model read from `source_name` (a path, or `"<bytes>"`).
    pub fn corrupt(source_name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::CorruptModel {
            source_name: source_name.into(),
            reason: reason.into(),
        }
    }

    /// An internal failure (see [`Error::Internal`]).
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// A parameter outside its domain.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(message.into())
    }
}
