//! `SentencePiece`'s pipeline around a Unigram model (`docs/unigram.md` §4): what
//! `train_unigram` builds. Two shapes, chosen by the prepend scheme:
//!
//! - `always` (the default) is `SentencePiece`'s own pipeline, the one a `.model` file describes
//!   ([`crate::io::sentencepiece`]): its normalizer (a charsmap, none or NFKC; extra spaces
//!   removed; a dummy `▁` prefix; spaces escaped to `▁`), one Viterbi over the whole normalized
//!   text with scores stored and summed in single precision, and its decoder. Such a tokenizer
//!   saves as a `.model` that `SentencePiece` encodes exactly as subwordx does. Words are counted
//!   for training after that normalizer, cut before each `▁`, so no piece crosses a space.
//! - `first` is HF's `Metaspace` pipeline (a `▁` only before the start of the input, not after
//!   each added token): normalizer (none, or NFKC) → `Metaspace` pre-tokenizer → Unigram → the
//!   `Metaspace` decoder. `SentencePiece` has no such option, so it saves as tokenizer.json only.

use super::{AddedToken, Decoder, Tokenizer, TokenizerParts};
use crate::corpus::WordCounts;
use crate::io::sentencepiece::{spm_decoder, UNK_SURFACE};
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

/// How the words of a corpus are cut for training, after the normalizer of the pipeline
/// (module docs): before each `▁` of `SentencePiece`'s normalized text (`always`), or by the
/// `Metaspace` pre-tokenizer (`first`).
pub fn counting_pre_tokenizer(prepend_scheme: PrependScheme) -> Result<PreTokenizer> {
    if prepend_scheme == PrependScheme::Always {
        Ok(crate::io::sentencepiece::metaspace_split())
    } else {
        metaspace_pre_tokenizer(prepend_scheme)
    }
}

/// The normalizer of the pipeline (module docs): `SentencePiece`'s with a charsmap (none, or
/// NFKC) for `always`, Unicode NFKC or nothing for `first`.
pub fn unigram_normalizer(prepend_scheme: PrependScheme, nfkc: bool) -> Normalizer {
    if prepend_scheme == PrependScheme::Always {
        crate::io::sentencepiece::default_normalizer(nfkc)
    } else {
        Normalizer::from_flags(
            nfkc.then_some(crate::normalize::UnicodeForm::Nfkc),
            false,
            false,
        )
    }
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
    /// A Unigram model in `SentencePiece`'s pipeline (module docs) with the normalizer
    /// [`unigram_normalizer`]`(prepend_scheme, nfkc)`; the `special_tokens` present in the
    /// vocabulary are added tokens (never split, never produced from text).
    pub fn unigram(
        model: UnigramModel,
        nfkc: bool,
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
        let (model, pre_tokenizer, decoder) = if prepend_scheme == PrependScheme::Always {
            // SentencePiece stores `float` scores: round them now, so that this tokenizer and
            // its `.model` are the same model.
            let pieces = model
                .vocab()
                .iter()
                .zip(model.scores())
                .map(|(p, &s)| (p.clone(), f64::from(s as f32)))
                .collect();
            let unk = model.unk_id().map(|u| model.vocab()[u as usize].clone());
            let model = UnigramModel::new(pieces, model.unk_id(), model.byte_fallback())?
                .with_float32_sums(true);
            let unk = unk.unwrap_or_default();
            let decoder = spm_decoder(true, false, &unk, UNK_SURFACE);
            (model, PreTokenizer::new(Vec::new())?, decoder)
        } else {
            let decoder = metaspace_decoder(prepend_scheme, model.byte_fallback());
            (model, metaspace_pre_tokenizer(prepend_scheme)?, decoder)
        };
        Self::from_parts(TokenizerParts {
            normalizer: unigram_normalizer(prepend_scheme, nfkc),
            pre_tokenizer,
            model: Model::Unigram(model),
            added_tokens,
            post_processor: None,
            decoder: Some(decoder),
            truncation: None,
            padding: None,
            added_tokens_as_written: false,
        })
    }

    /// Trains a Unigram tokenizer on word counts made with
    /// [`unigram_normalizer`]`(prepend_scheme, nfkc)` and
    /// [`counting_pre_tokenizer`]`(prepend_scheme)` (`docs/unigram.md` §3).
    pub fn train_unigram(
        counts: &WordCounts,
        config: &UnigramTrainerConfig,
        nfkc: bool,
        prepend_scheme: PrependScheme,
        progress: &Progress,
    ) -> Result<Self> {
        let model = unigram::train(counts, config, progress)?;
        let mut specials = vec![config.unk_token.clone()];
        specials.extend(config.special_tokens.iter().cloned());
        Self::unigram(model, nfkc, prepend_scheme, &specials)
    }
}
