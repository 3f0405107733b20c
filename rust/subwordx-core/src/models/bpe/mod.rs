//! Byte-pair encoding (BPE), exactly as `docs/bpe.md` defines it.
//!
//! BPE (Sennrich et al. 2016, after Gage 1994) starts from single symbols (chars, or the 256 bytes
//! in the byte-level variant of GPT-2) and repeatedly merges the most frequent adjacent pair of
//! symbols into a new symbol. The sequence of merges *is* the model: encoding a word replays them,
//! lowest rank first.
//!
//! * [`trainer`]: learns merges from [`crate::corpus::WordCounts`] with the classic incremental
//!   algorithm (pair counts + per-pair word lists + a lazily invalidated max-heap), as in HF
//!   `tokenizers`' `BpeTrainer`, sentencepiece's BPE trainer and rustbpe.
//! * [`model`]: the trained model and the O(n log n) encoder of one piece.
//!
//! ## Decisions where `docs/bpe.md` leaves room
//!
//! * **Stopping on size.** Training stops once the vocabulary has `vocab_size` entries; a merge whose
//!   string already exists adds no entry, so the number of merges may exceed
//!   `vocab_size - initial size`.
//! * **`max_token_length`** counts chars of the merged string *including* a continuing-subword
//!   prefix or end-of-word suffix it carries (what HF `tokenizers` does). Pairs that are too long
//!   are never chosen, but stay in the counts (so they do not change other pairs' counts).
//! * **`limit_alphabet`** ranks chars by the summed counts of the words they occur in, each
//!   occurrence counted (a char twice in a word counts twice). A word whose every char is dropped
//!   disappears.
//! * **Classic encoding of unknown symbols**: a symbol not in the vocabulary becomes `unk_token`
//!   (if set) *before* merging, so it never merges; without `unk_token` it is dropped before
//!   merging, and its neighbours may then merge with each other (as HF `tokenizers` does).

mod backtrack;
pub mod dropout;
mod encoder_choice;
mod long_word;
pub mod model;
mod pair_lookup;
mod piece_cache;
mod prefix_trie;
pub mod trainer;

pub(crate) use model::t_bytes as token_bytes;
pub use model::{BpeModel, BpeSettings};
pub use trainer::{train, BpeTrainerConfig};

/// The GPT-2 `bytes_to_unicode` table (shared with the pre-tokenizers).
pub(crate) fn byte_chars() -> [char; 256] {
    *crate::pretokenize::bytes_to_unicode()
}
