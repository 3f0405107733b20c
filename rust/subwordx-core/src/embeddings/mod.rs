//! Word embeddings: word2vec (skip-gram / CBOW, negative sampling / hierarchical softmax) and
//! phrase detection, following `docs/word2vec.md` exactly.
//!
//! * [`text`]: streaming whitespace-word reader over byte ranges of files (UTF-8 strict or lossy).
//! * [`vocab`]: word counting (parallel), `min_count` / `max_vocab_size` / `max_final_vocab` pruning.
//! * [`sampling`]: word2vec.c's LCG, the sigmoid table, gensim's `cum_table` for negatives.
//! * [`huffman`]: the Huffman tree of hierarchical softmax (word2vec.c's `CreateBinaryTree`).
//! * [`simd`]: `dot` / `axpy` kernels (AVX2+FMA with a scalar fallback).
//! * [`word2vec`]: the model and its Hogwild training loop.
//! * [`phrases`]: bigram phrase detection (word2phrase / gensim Phrases).

pub mod huffman;
pub mod jobs;
pub mod phrases;
pub mod sampling;
pub mod simd;
pub mod text;
pub mod vocab;
pub mod word2vec;

pub use phrases::{Phrases, PhrasesConfig, Scoring};
pub use text::Utf8Errors;
pub use vocab::{Vocab, VocabConfig};
pub use word2vec::{CorpusMode, TrainStats, Word2Vec, Word2VecConfig, STREAM_ABOVE_BYTES};
