//! Subword models. One folder per model, as in Hugging Face `tokenizers`: the model itself (the
//! vocabulary and how a word is encoded) and its trainer (how the vocabulary is learned from word
//! counts).
//!
//! [`Model`] is what the tokenizer pipeline holds: one interface for every kind (a pre-tokenized
//! piece in, ids and their spans out; id ↔ token; the vocabulary). A new kind is a new folder and a
//! new variant here; the pipeline, the formats' common parts and the binding do not change.

pub mod bpe;
pub(crate) mod pairs;
pub mod unigram;
pub mod wordpiece;

use bpe::BpeModel;
use rustc_hash::FxHashMap;
use unigram::UnigramModel;
use wordpiece::WordPieceModel;

use crate::{Error, Result};

/// A subword model of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Bpe(BpeModel),
    WordPiece(WordPieceModel),
    Unigram(UnigramModel),
}

impl Model {
    /// The kind's name as the native format and `info` write it (`"bpe"`, `"wordpiece"`).
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Bpe(_) => "bpe",
            Model::WordPiece(_) => "wordpiece",
            Model::Unigram(_) => "unigram",
        }
    }

    /// The BPE model, if this is one.
    pub fn as_bpe(&self) -> Option<&BpeModel> {
        match self {
            Model::Bpe(m) => Some(m),
            Model::WordPiece(_) | Model::Unigram(_) => None,
        }
    }

    /// The WordPiece model, if this is one.
    pub fn as_wordpiece(&self) -> Option<&WordPieceModel> {
        match self {
            Model::WordPiece(m) => Some(m),
            Model::Bpe(_) | Model::Unigram(_) => None,
        }
    }

    /// The Unigram model, if this is one.
    pub fn as_unigram(&self) -> Option<&UnigramModel> {
        match self {
            Model::Unigram(m) => Some(m),
            Model::Bpe(_) | Model::WordPiece(_) => None,
        }
    }

    /// True when the model reads pieces as bytes (byte-level BPE).
    pub fn is_byte_level(&self) -> bool {
        match self {
            Model::Bpe(m) => m.is_byte_level(),
            Model::WordPiece(_) | Model::Unigram(_) => false,
        }
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Model::Bpe(m) => m.vocab_size(),
            Model::WordPiece(m) => m.vocab_size(),
            Model::Unigram(m) => m.vocab_size(),
        }
    }

    /// The vocabulary in id order.
    pub fn vocab(&self) -> &[String] {
        match self {
            Model::Bpe(m) => m.vocab(),
            Model::WordPiece(m) => m.vocab(),
            Model::Unigram(m) => m.vocab(),
        }
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        match self {
            Model::Bpe(m) => m.token_to_id(token),
            Model::WordPiece(m) => m.token_to_id(token),
            Model::Unigram(m) => m.token_to_id(token),
        }
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        match self {
            Model::Bpe(m) => m.id_to_token(id),
            Model::WordPiece(m) => m.id_to_token(id),
            Model::Unigram(m) => m.id_to_token(id),
        }
    }

    /// The id of the unknown token, if the model has one.
    pub fn unk_token(&self) -> Option<&str> {
        match self {
            Model::Bpe(m) => m.settings().unk_token.as_deref(),
            Model::WordPiece(m) => Some(&m.settings().unk_token),
            Model::Unigram(m) => m.unk_id().and_then(|u| m.id_to_token(u)),
        }
    }

    /// Appends the ids of one pre-tokenized piece to `out`.
    #[inline]
    pub fn encode_piece(&self, piece: &str, out: &mut Vec<u32>) {
        match self {
            Model::Bpe(m) => m.encode_piece(piece, out),
            Model::WordPiece(m) => m.encode_piece(piece, out),
            Model::Unigram(m) => m.encode_piece(piece, out),
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
            Model::WordPiece(m) => m.encode_piece_with_spans(piece, ids, spans),
            Model::Unigram(m) => m.encode_piece_with_spans(piece, ids, spans),
        }
    }

    /// The same model, told which ids are added tokens (never produced from text).
    #[must_use]
    pub fn with_added_tokens(self, added: &[u32]) -> Self {
        match self {
            Model::Bpe(m) => Model::Bpe(m.with_added_tokens(added)),
            // HF's WordPiece reads added tokens like any other: the added vocabulary has already
            // taken them out of the text unless they were meant to be split.
            Model::WordPiece(m) => Model::WordPiece(m),
            Model::Unigram(m) => Model::Unigram(m.with_added_tokens(added)),
        }
    }
}

impl From<WordPieceModel> for Model {
    fn from(m: WordPieceModel) -> Self {
        Model::WordPiece(m)
    }
}

/// Marks "no id" in id tables.
pub(crate) const NONE: u32 = u32::MAX;

/// The token → id index of a vocabulary given by id, refusing a token listed twice; `what` names
/// the ids in the message (`"ids"`, `"ranks"`).
pub(crate) fn index_tokens(
    vocab: &[String],
    what: &str,
    source_name: &str,
) -> Result<FxHashMap<String, u32>> {
    if vocab.len() >= NONE as usize {
        return Err(Error::corrupt(source_name, "vocabulary too large"));
    }
    let mut token_to_id = FxHashMap::default();
    token_to_id.reserve(vocab.len());
    for (id, t) in vocab.iter().enumerate() {
        if let Some(prev) = token_to_id.insert(t.clone(), id as u32) {
            return Err(Error::corrupt(
                source_name,
                format!("token {t:?} has two {what}, {prev} and {id}"),
            ));
        }
    }
    Ok(token_to_id)
}

impl From<BpeModel> for Model {
    fn from(m: BpeModel) -> Self {
        Model::Bpe(m)
    }
}

impl From<UnigramModel> for Model {
    fn from(m: UnigramModel) -> Self {
        Model::Unigram(m)
    }
}
