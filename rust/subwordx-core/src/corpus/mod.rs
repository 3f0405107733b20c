//! Corpora: the one way subwordx reads text files.
//!
//! Every model learns from text files far larger than memory, so every model reads them the same
//! way, through the pieces of this module:
//!
//! * [`files`]: which paths may be read (regular files only: a FIFO with no writer blocks
//!   `open` forever, beyond the reach of Ctrl-C, and `/dev/zero` never ends), how bytes become
//!   text ([`Utf8Errors`]: strict, with the file, line and byte of the first bad byte, or Python's
//!   `errors="replace"`), and byte ranges of files ([`FileRange`]).
//! * [`chunks`]: cuts byte ranges into chunks of about a megabyte that end at a boundary: after a
//!   `\n` for the tokenizer trainers (their unit is the line), after any ASCII whitespace byte for
//!   the embedding models (their unit is the word, and a one-line corpus such as text8 must still
//!   stream). A stretch without a boundary longer than [`MAX_LINE_BYTES`] is an error, not a
//!   buffer that grows until the machine dies. Because a boundary byte is ASCII, it never falls
//!   inside a multi-byte UTF-8 sequence, so decoding chunk by chunk equals decoding the whole file.
//! * [`counts`]: word counts for the tokenizer trainers, on all cores, the same whatever the
//!   thread count.
//! * [`words`]: the whitespace-separated words of a corpus, in order, sentence by sentence, split
//!   into byte ranges for parallel readers (word2vec, phrases, and the embedding models after it).

pub mod chunks;
pub mod counts;
pub mod files;
pub mod words;

pub use counts::{
    count_words_in_files, count_words_in_files_chunked, count_words_in_texts, CountOptions,
    WordCounts, CHUNK_BYTES,
};
pub use files::{open_file, read_file, total_bytes, FileRange, Utf8Errors, MAX_LINE_BYTES};
