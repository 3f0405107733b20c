//! BERT's pipeline around a WordPiece model (`docs/wordpiece.md` §4): what `train_wordpiece`
//! builds and what a bare `vocab.txt` means.
//!
//! `BertNormalizer` (clean text, spaces around CJK ideographs, strip accents when lowercasing,
//! lowercase) → `BertPreTokenizer` (whitespace and each punctuation char) → WordPiece →
//! `BertProcessing` (`[CLS] A [SEP]`, `[CLS] A [SEP] B [SEP]`) → the `WordPiece` decoder.

use super::{AddedToken, Decoder, PostProcessor, Tokenizer, TokenizerParts};
use crate::corpus::WordCounts;
use crate::models::wordpiece::{self, WordPieceModel, WordPieceTrainerConfig};
use crate::models::Model;
use crate::normalize::{Normalizer, NormalizerStep};
use crate::pretokenize::PreTokenizer;
use crate::{Progress, Result};

/// BERT's normalizer: `strip_accents` `None` follows `lowercase` (BERT uncased strips them).
pub fn bert_normalizer(lowercase: bool, strip_accents: Option<bool>) -> Normalizer {
    Normalizer::new(vec![NormalizerStep::Bert {
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents,
        lowercase,
    }])
}

impl Tokenizer {
    /// A WordPiece model in BERT's pipeline. The special tokens present in the vocabulary
    /// (`special_tokens`, e.g. `[PAD] [UNK] [CLS] [SEP] [MASK]`) are added tokens, never split;
    /// with `post_processor`, `[CLS]`/`[SEP]` are added around every encoding when both exist.
    pub fn bert(
        model: WordPieceModel,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        special_tokens: &[String],
        post_processor: bool,
    ) -> Result<Self> {
        let mut added_tokens: Vec<AddedToken> = Vec::new();
        for t in special_tokens {
            if let Some(id) = model.token_to_id(t) {
                if !added_tokens.iter().any(|a| a.id == id) {
                    added_tokens.push(AddedToken::special(t.clone(), id));
                }
            }
        }
        let post = match (model.token_to_id("[CLS]"), model.token_to_id("[SEP]")) {
            (Some(cls), Some(sep)) if post_processor => Some(PostProcessor::Bert {
                sep: ("[SEP]".to_owned(), sep),
                cls: ("[CLS]".to_owned(), cls),
            }),
            _ => None,
        };
        let decoder = Decoder::WordPiece {
            prefix: model.settings().continuing_subword_prefix.clone(),
            cleanup: true,
        };
        Self::from_parts(TokenizerParts {
            normalizer,
            pre_tokenizer,
            model: Model::WordPiece(model),
            added_tokens,
            post_processor: post,
            decoder: Some(decoder),
            truncation: None,
            padding: None,
            added_tokens_as_written: false,
        })
    }

    /// Trains a WordPiece tokenizer on word counts made with `normalizer` and `pre_tokenizer`
    /// (`docs/wordpiece.md` §3), in BERT's pipeline.
    pub fn train_wordpiece(
        counts: &WordCounts,
        config: &WordPieceTrainerConfig,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        post_processor: bool,
        progress: &Progress,
    ) -> Result<Self> {
        if pre_tokenizer.is_byte_level() {
            return Err(crate::Error::invalid(
                "WordPiece reads chars: give it a non-byte-level pre-tokenizer (bert, whitespace)",
            ));
        }
        let model = wordpiece::train(counts, config, progress)?;
        Self::bert(
            model,
            normalizer,
            pre_tokenizer,
            &config.special_tokens,
            post_processor,
        )
    }
}
