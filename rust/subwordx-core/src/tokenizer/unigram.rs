//! `SentencePiece`'s pipeline around a Unigram model (`docs/unigram.md` §4): what
//! `train_unigram` builds.
//!
//! Normalizer (none, or NFKC) → `Metaspace` pre-tokenizer (spaces become `▁`, a `▁` is put
//! before the text: `always` per text between added tokens, or `first` only at the start; pieces
//! start at each `▁`, so no piece crosses a space) → Unigram → the `Metaspace` decoder (`▁` back
//! to spaces, the leading one dropped), after `ByteFallback` when the model spells unknown chars
//! as bytes.

use super::{AddedToken, Decoder, Tokenizer, TokenizerParts};
use crate::corpus::WordCounts;
use crate::models::unigram::{self, UnigramModel, UnigramTrainerConfig};
use crate::models::Model;
use crate::normalize::Normalizer;
use crate::pretokenize::{PreTokenizer, PreTokenizerStep, PrependScheme};
use crate::{Progress, Result};

/// `SentencePiece`'s whitespace handling as a pre-tokenizer: `Metaspace` with `▁`, split.
pub fn metaspace_pre_tokenizer(prepend_scheme: PrependScheme) -> Result<PreTokenizer> {
    PreTokenizer::new(vec![PreTokenizerStep::Metaspace {
        replacement: '▁',
        prepend_scheme,
        split: true,
    }])
}

fn metaspace_decoder(prepend_scheme: PrependScheme, byte_fallback: bool) -> Decoder {
    let name = match prepend_scheme {
        PrependScheme::Always => "always",
        PrependScheme::First => "first",
        PrependScheme::Never => "never",
    };
    let meta = Decoder::Metaspace {
        replacement: '▁',
        prepend_scheme: name.to_owned(),
        split: true,
    };
    if byte_fallback {
        Decoder::Sequence(vec![Decoder::ByteFallback, meta])
    } else {
        meta
    }
}

impl Tokenizer {
    /// A Unigram model in `SentencePiece`'s pipeline; the `special_tokens` present in the
    /// vocabulary are added tokens (never split, never produced from text).
    pub fn unigram(
        model: UnigramModel,
        normalizer: Normalizer,
        prepend_scheme: PrependScheme,
        special_tokens: &[String],
    ) -> Result<Self> {
        let mut added_tokens: Vec<AddedToken> = Vec::new();
        for t in special_tokens {
            if let Some(id) = model.token_to_id(t) {
                if !added_tokens.iter().any(|a| a.id == id) {
                    added_tokens.push(AddedToken::special(t.clone(), id));
                }
            }
        }
        let decoder = metaspace_decoder(prepend_scheme, model.byte_fallback());
        Self::from_parts(TokenizerParts {
            normalizer,
            pre_tokenizer: metaspace_pre_tokenizer(prepend_scheme)?,
            model: Model::Unigram(model),
            added_tokens,
            post_processor: None,
            decoder: Some(decoder),
            truncation: None,
            padding: None,
        })
    }

    /// Trains a Unigram tokenizer on word counts made with `normalizer` and
    /// [`metaspace_pre_tokenizer`]`(prepend_scheme)` (`docs/unigram.md` §3).
    pub fn train_unigram(
        counts: &WordCounts,
        config: &UnigramTrainerConfig,
        normalizer: Normalizer,
        prepend_scheme: PrependScheme,
        progress: &Progress,
    ) -> Result<Self> {
        let model = unigram::train(counts, config, progress)?;
        let mut specials = vec![config.unk_token.clone()];
        specials.extend(config.special_tokens.iter().cloned());
        Self::unigram(model, normalizer, prepend_scheme, &specials)
    }
}
