//! `fastText` (Bojanowski et al. 2017; Joulin et al. 2016), following `docs/fasttext.md`.
//!
//! * [`ngrams`]: `fastText`'s hashing (FNV-1a with its signed-char quirk) and character n-grams.
//! * [`model`]: skip-gram and CBOW over subword inputs, plugged into the shared Hogwild engine.
//! * [`dictionary`]: the classifier's words and labels, and a line's input rows (words, word
//!   n-grams hashed as `fastText` hashes them, character n-grams).
//! * [`loss`]: the classifier's output layers (softmax, hierarchical softmax, negative sampling,
//!   one-vs-all) and `fastText`'s sigmoid and log tables.
//! * [`supervised`]: the classifier and its training on the shared engine.
//! * [`predict`]: prediction (top k, threshold) and evaluation (`fastText`'s `Meter`).
//!
//! `fastText`'s `.bin` and `.vec` files are read and written by `subwordx.fasttext` in Python.

pub mod dictionary;
pub mod loss;
pub mod model;
pub mod ngrams;
pub mod predict;
pub mod supervised;

pub use dictionary::{Dictionary, Features};
pub use loss::Loss;
pub use model::{FastText, FastTextConfig};
pub use ngrams::{hash, push_ngrams, Subwords};
pub use predict::{Meter, Prediction, Predictor};
pub use supervised::{Supervised, SupervisedConfig};
