//! WordPiece, exactly as `docs/wordpiece.md` defines it: the model of BERT and its family.
//!
//! * [`model`]: the vocabulary and the greedy longest-match-first encoder of one word, walking
//!   byte tries of the vocabulary (linear in the word, where the textbook loop is quadratic).
//! * [`trainer`]: learns the vocabulary from word counts with the likelihood score
//!   `count(xy) / (count(x) · count(y))`, compared exactly, updated incrementally.
//!
//! HF `tokenizers`' `WordPieceTrainer` is its BPE trainer (it merges the most *frequent* pair);
//! Google's original trainer was never released. This one implements the score WordPiece is
//! defined by (Schuster & Nakajima 2012; the `count(xy)/(count(x)count(y))` form taught by HF's
//! course), with a documented tie-break so that every implementation can agree.

pub mod model;
pub mod trainer;

pub use model::{WordPieceModel, WordPieceSettings};
pub use trainer::{train, WordPieceTrainerConfig, BERT_SPECIAL_TOKENS, DEFAULT_MIN_FREQUENCY};
