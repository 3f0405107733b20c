//! # subwordx-core
//!
//! The pure-Rust core of subwordx: subword tokenizers and word embeddings, with no Python in it.
//! The Python package (`subwordx`) is a thin binding over this crate; anything a user can do from
//! Python, a Rust program can do here.
//!
//! How the pieces fit:
//!
//! * [`error`]: the one error enum. Every failure a user can cause is a variant, never a panic.
//! * [`progress`]: counters and cancellation shared by every long job.
//! * [`parallel`]: the thread pools (reused, bounded, rebuilt after a fork).
//! * [`models`]: subword models and their trainers ([`models::bpe`], [`models::wordpiece`]).
//! * [`tokenizer`]: the pipeline: special tokens, normalizer, pre-tokenizer, model, template.
//! * [`io`]: model files: HF `tokenizer.json`, `vocab.json` + `merges.txt`, the subwordx format.
//! * [`embeddings`]: word2vec (skip-gram / CBOW, negative sampling / hierarchical softmax,
//!   Hogwild multi-threaded training) and phrase detection, over a streaming corpus reader.
//! * [`word_counts`]: word counts with the settings they were counted with, exact merging and a
//!   compact binary form, for counting on many machines (`docs/dask.md`).

pub mod corpus;
pub mod embeddings;
pub mod error;
pub mod io;
pub mod models;
pub mod normalize;
pub mod parallel;
pub mod pretokenize;
pub mod progress;
pub mod tokenizer;
pub mod word_counts;

pub use error::{Error, Result};
pub use progress::{Progress, ProgressSnapshot};
