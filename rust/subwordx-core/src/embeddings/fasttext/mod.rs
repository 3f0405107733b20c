//! `fastText` (Bojanowski et al. 2017): word vectors from subwords, following `docs/fasttext.md`.
//!
//! * [`ngrams`]: `fastText`'s hashing (FNV-1a with its signed-char quirk) and character n-grams.
//! * [`model`]: skip-gram and CBOW over subword inputs, plugged into the shared Hogwild engine.
//!
//! `fastText`'s `.bin` and `.vec` files are read and written by `subwordx.fasttext` in Python.

pub mod model;
pub mod ngrams;

pub use model::{FastText, FastTextConfig};
pub use ngrams::{hash, push_ngrams, Subwords};
