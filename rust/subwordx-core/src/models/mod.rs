//! Subword models. One folder per model, as in Hugging Face `tokenizers`: the model itself (the
//! vocabulary and how a word is encoded) and its trainer (how the vocabulary is learned from word
//! counts).
//!
//! [`Model`] is what the tokenizer pipeline holds: one interface for every kind (a pre-tokenized
//! piece in, ids and their spans out; id ↔ token; the vocabulary). A new kind is a new folder and a
//! new variant here; the pipeline, the formats' common parts and the binding do not change.

pub mod bpe;

use bpe::BpeModel;

/// A subword model of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Bpe(BpeModel),
}

impl Model {
    /// The kind's name as the native format and `info` write it (`"bpe"`).
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Bpe(_) => "bpe",
        }
    }

    /// The BPE model, if this is one.
    pub fn as_bpe(&self) -> Option<&BpeModel> {
        match self {
            Model::Bpe(m) => Some(m),
        }
    }

    /// True when the model reads pieces as bytes (byte-level BPE).
    pub fn is_byte_level(&self) -> bool {
        match self {
            Model::Bpe(m) => m.is_byte_level(),
        }
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Model::Bpe(m) => m.vocab_size(),
        }
    }

    /// The vocabulary in id order.
    pub fn vocab(&self) -> &[String] {
        match self {
            Model::Bpe(m) => m.vocab(),
        }
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        match self {
            Model::Bpe(m) => m.token_to_id(token),
        }
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        match self {
            Model::Bpe(m) => m.id_to_token(id),
        }
    }

    /// The id of the unknown token, if the model has one.
    pub fn unk_token(&self) -> Option<&str> {
        match self {
            Model::Bpe(m) => m.settings().unk_token.as_deref(),
        }
    }

    /// Appends the ids of one pre-tokenized piece to `out`.
    #[inline]
    pub fn encode_piece(&self, piece: &str, out: &mut Vec<u32>) {
        match self {
            Model::Bpe(m) => m.encode_piece(piece, out),
        }
    }

    /// Appends the ids of one piece and the byte span in the piece that each covers.
    pub fn encode_piece_with_spans(
        &self,
        piece: &str,
        ids: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        match self {
            Model::Bpe(m) => m.encode_piece_with_spans(piece, ids, spans),
        }
    }

    /// The same model, told which ids are added tokens (never produced from text).
    #[must_use]
    pub fn with_added_tokens(self, added: &[u32]) -> Self {
        match self {
            Model::Bpe(m) => Model::Bpe(m.with_added_tokens(added)),
        }
    }
}

impl From<BpeModel> for Model {
    fn from(m: BpeModel) -> Self {
        Model::Bpe(m)
    }
}
