//! Subword models. One folder per model, as in Hugging Face `tokenizers`: the model itself (the
//! vocabulary and how a word is encoded) and its trainer (how the vocabulary is learned from word
//! counts).

pub mod bpe;
