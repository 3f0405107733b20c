//! Unigram LM (Kudo 2018), exactly as `docs/unigram.md` defines it: the model of T5, ALBERT,
//! `XLNet`, `mBART` and most `SentencePiece` tokenizers.
//!
//! * [`lattice`]: the segmentation lattice of a text, shared by encoder and trainer: Viterbi,
//!   forward-backward, exact n-best (A*) and sampling (forward filtering, backward sampling).
//! * [`model`]: the pieces and their scores, a byte trie, the encoder of one piece (unknown chars
//!   fused or spelled as `<0xXX>` bytes).
//! * [`trainer`]: seed pieces from a suffix array of the distinct words, EM with the digamma
//!   M step, pruning by likelihood loss (`SentencePiece`'s algorithm), deterministic for any
//!   thread count.

pub mod lattice;
pub mod model;
pub mod trainer;

pub use lattice::{Lattice, SplitMix64};
pub use model::{UnigramModel, UNK_PENALTY};
pub use trainer::{train, UnigramTrainerConfig};
