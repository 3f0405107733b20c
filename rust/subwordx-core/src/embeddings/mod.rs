//! Word embeddings: word2vec (skip-gram / CBOW, negative sampling / hierarchical softmax) and
//! phrase detection, following `docs/word2vec.md` exactly.
//!
//! * [`text`]: streaming whitespace-word reader over byte ranges of files (UTF-8 strict or lossy).
//! * [`vocab`]: word counting (parallel), `min_count` / `max_vocab_size` / `max_final_vocab` pruning.
//! * [`sampling`]: word2vec.c's LCG, the sigmoid table, gensim's `cum_table` for negatives.
//! * [`huffman`]: the Huffman tree of hierarchical softmax (word2vec.c's `CreateBinaryTree`).
//! * [`simd`]: `dot` / `axpy` kernels (AVX2+FMA with a scalar fallback).
//! * [`shared_matrix`]: weight matrices shared by Hogwild threads (the unsafe plumbing).
//! * [`engine`]: the shared training engine: job queue, learning-rate schedule, threads, progress,
//!   cancellation; a model plugs its inner loop in as a [`engine::Trainer`].
//! * [`jobs`]: the blocks of word ids the engine hands to its threads (in memory or streamed).
//! * [`word2vec`]: the word2vec model and its inner loops.
//! * [`fasttext`]: fastText's subword model (n-gram hashing, skip-gram / CBOW over subwords).
//! * [`formats`]: word2vec's `.bin` / `.txt` vector files, read and written by streaming.
//! * [`phrases`]: bigram phrase detection (word2phrase / gensim Phrases).
//! * [`cooccur`]: `GloVe`'s co-occurrence counts, parallel, spilling to disk past a memory bound.
//! * [`glove`]: `GloVe` (weighted least squares with `AdaGrad`, Hogwild threads); `docs/glove.md`.

pub mod cooccur;
pub mod engine;
pub mod fasttext;
pub mod formats;
pub mod glove;
pub mod huffman;
pub mod jobs;
pub mod phrases;
pub mod sampling;
pub mod shared_matrix;
pub mod simd;
pub mod vocab;
pub mod word2vec;

pub use crate::corpus::Utf8Errors;
pub use engine::{CorpusMode, TrainStats, MAX_THREADS, STREAM_ABOVE_BYTES};
pub use formats::{read_word2vec, write_word2vec, WordErrors, WordVectors};
pub use glove::{Glove, GloveConfig};
pub use phrases::{Phrases, PhrasesConfig, Scoring};
pub use vocab::{Vocab, VocabConfig};
pub use word2vec::{Word2Vec, Word2VecConfig};
