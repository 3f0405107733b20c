//! The tokenization pipeline, as HF `tokenizers` defines it: added tokens → normalizer →
//! pre-tokenizer → model → post-processor; and back: ids → tokens → decoder → text.
//!
//! Every stage is a component of its own module with its own (HF-shaped) serialization:
//! [`added`], [`crate::normalize`], [`crate::pretokenize`], [`crate::models`],
//! [`post_processor`], [`decoder`]; [`encoding`] holds the result and truncation/padding.
//!
//! A [`Tokenizer`] is immutable after construction and `Send + Sync`: one instance serves any
//! number of threads ([`Tokenizer::encode_batch`] uses rayon) with no lock (the BPE piece cache is
//! thread-local).
//!
//! ## Offsets
//!
//! Offsets are *char* offsets (Python `str` indices) into the original text. A token covers the
//! input chars its bytes came from, widened to whole chars (a byte-level token holding half of an
//! emoji's bytes covers the whole emoji); through a normalizer, each normalized char maps back to
//! the input chars it came from ([`crate::normalize::Normalized::source_range`]). A space added by
//! `ByteLevel(add_prefix_space)` maps to the first char of its text, as in HF. Byte offsets are
//! turned into char offsets with a forward-only cursor: O(n) per text.
//!
//! ## Cost only for what is used
//!
//! [`Tokenizer::encode_ids`] computes ids alone: no offsets, no alignment of the normalizer, no
//! token strings; [`Tokenizer::encode`] with `detailed = false` is the same for the whole pipeline
//! (pairs, post-processor, truncation, padding).

pub mod added;
pub mod bert;
mod decode_table;
pub mod decoder;
pub mod dropout_stream;
pub mod encoding;
pub mod post_processor;
pub mod sampling;
pub mod unigram;

use rayon::prelude::*;

pub use added::{AddedToken, AddedVocabulary, Segment, SpecialPolicy};
pub use decoder::Decoder;
pub use encoding::{Direction, Encoding, Padding, Truncation, TruncationStrategy};
pub use post_processor::{PostProcessor, TemplatePiece};

use crate::corpus::WordCounts;
use crate::models::bpe::{self, BpeModel, BpeTrainerConfig};
use crate::models::unigram::SplitMix64;
use crate::models::Model;
use crate::normalize::Normalizer;
use crate::pretokenize::PreTokenizer;
use crate::{Error, Progress, Result};
use decode_table::DecodeTable;
use dropout_stream::DropoutStream;

/// Everything needed to train a tokenizer.
#[derive(Clone, Debug)]
pub struct TokenizerConfig {
    pub trainer: BpeTrainerConfig,
    pub normalizer: Normalizer,
    pub pre_tokenizer: PreTokenizer,
    /// Classic: token for symbols not in the vocabulary; must be one of the special tokens.
    pub unk_token: Option<String>,
    /// Post-processing template in the short form: `["<s>", "$A", "</s>"]`.
    pub template: Option<Vec<String>>,
}

/// A tokenizer: immutable, `Send + Sync`.
#[allow(clippy::struct_field_names)] // `pre_tokenizer` is the established name (HF, docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Tokenizer {
    normalizer: Normalizer,
    pre_tokenizer: PreTokenizer,
    model: Model,
    added: AddedVocabulary,
    post_processor: Option<PostProcessor>,
    decoder: Option<Decoder>,
    truncation: Option<Truncation>,
    padding: Option<Padding>,
    /// `is_special[id]`: the id is a special added token.
    is_special: Vec<bool>,
    /// The seeds of BPE-dropout's draws, call by call, when the model has a dropout.
    dropout_stream: DropoutStream,
    /// Every id's bytes, for byte-level decoding.
    decode_table: DecodeTable,
}

/// Converts nondecreasing byte offsets of `text` to char offsets, walking forward.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chr: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chr: 0,
        }
    }

    fn char_at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chr = 0;
        }
        let b = self.text.as_bytes();
        let end = byte.min(b.len());
        // Counting non-continuation bytes counts chars.
        self.chr += b[self.byte..end]
            .iter()
            .filter(|&&x| (x as i8) >= -0x40)
            .count();
        self.byte = end;
        self.chr
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Collects the tokens of one text: ids and, when detailed, everything else.
struct Sink<'t> {
    enc: Encoding,
    start: CharCursor<'t>,
    end: CharCursor<'t>,
    word: u32,
    /// Encodes each pre-tokenized piece instead of the model (n-best, sampling).
    hook: Option<PieceHook<'t>>,
}

/// A replacement of the model's encoder of one piece: `(piece, ids, spans)`.
pub(crate) type PieceHook<'t> = Box<dyn FnMut(&str, &mut Vec<u32>, &mut Vec<(usize, usize)>) + 't>;

impl<'t> Sink<'t> {
    fn new(text: &'t str, detailed: bool) -> Self {
        Self {
            enc: Encoding {
                detailed,
                ids: Vec::with_capacity(text.len() / 3),
                ..Encoding::default()
            },
            start: CharCursor::new(text),
            end: CharCursor::new(text),
            word: 0,
            hook: None,
        }
    }

    /// Adds a token covering input bytes `s..e`.
    fn push(&mut self, id: u32, s: usize, e: usize) {
        self.enc.ids.push(id);
        if self.enc.detailed {
            let cs = self.start.char_at(s);
            let ce = self.end.char_at(e).max(cs);
            self.enc.offsets.push((cs, ce));
            self.enc.type_ids.push(0);
            self.enc.special_tokens_mask.push(0);
            self.enc.attention_mask.push(1);
            self.enc.word_ids.push(Some(self.word));
            self.enc.sequence_ids.push(Some(0));
        }
    }
}

pub use crate::parallel::MAX_THREADS;

/// Runs `f` on a pool of `threads` threads (0 = all cores): see [`crate::parallel`].
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    crate::parallel::install(threads, f)
}

/// The parts of a tokenizer, for [`Tokenizer::from_parts`].
#[derive(Clone, Debug)]
pub struct TokenizerParts {
    pub normalizer: Normalizer,
    pub pre_tokenizer: PreTokenizer,
    pub model: Model,
    pub added_tokens: Vec<AddedToken>,
    pub post_processor: Option<PostProcessor>,
    pub decoder: Option<Decoder>,
    pub truncation: Option<Truncation>,
    pub padding: Option<Padding>,
    /// Match the normalized added tokens as written, not as the normalizer writes them
    /// (SentencePiece's user-defined symbols; see [`AddedVocabulary`]).
    pub added_tokens_as_written: bool,
}

impl Tokenizer {
    /// Assembles a tokenizer, checking that the parts agree (added tokens in the vocabulary with
    /// their ids, the byte-level model with a byte-level pre-tokenizer, the post-processor's ids).
    pub fn from_parts(parts: TokenizerParts) -> Result<Self> {
        let TokenizerParts {
            normalizer,
            pre_tokenizer,
            model,
            added_tokens,
            post_processor,
            decoder,
            truncation,
            padding,
            added_tokens_as_written,
        } = parts;
        if model.is_byte_level() != pre_tokenizer.is_byte_level() {
            return Err(Error::invalid(format!(
                "a {} model needs a {} pre-tokenizer",
                if model.is_byte_level() {
                    "byte-level"
                } else {
                    "classic"
                },
                if model.is_byte_level() {
                    "byte-level"
                } else {
                    "non-byte-level"
                },
            )));
        }
        let mut is_special = vec![false; model.vocab_size()];
        for t in &added_tokens {
            match model.id_to_token(t.id) {
                Some(s) if s == t.content => {}
                _ => {
                    return Err(Error::invalid(format!(
                        "added token {:?} does not have id {} in the vocabulary",
                        t.content, t.id
                    )))
                }
            }
            if t.special {
                is_special[t.id as usize] = true;
            }
        }
        if let Some(p) = &post_processor {
            for id in p.special_ids() {
                if model.id_to_token(id).is_none() {
                    return Err(Error::invalid(format!(
                        "the post-processor adds id {id}, which is not in the vocabulary"
                    )));
                }
            }
        }
        let added_ids: Vec<u32> = added_tokens.iter().map(|t| t.id).collect();
        let model = model.with_added_tokens(&added_ids);
        let added = AddedVocabulary::new(
            added_tokens,
            (!added_tokens_as_written).then_some(&normalizer),
        )?;
        Ok(Self {
            normalizer,
            pre_tokenizer,
            model,
            added,
            post_processor,
            decoder,
            truncation,
            padding,
            is_special,
            dropout_stream: DropoutStream::default(),
            decode_table: DecodeTable::default(),
        })
    }

    /// Trains a tokenizer on word counts (made with the same normalizer and pre-tokenizer).
    pub fn train(
        counts: &WordCounts,
        config: &TokenizerConfig,
        progress: &Progress,
    ) -> Result<Self> {
        if config.trainer.byte_level != config.pre_tokenizer.is_byte_level() {
            return Err(Error::invalid(format!(
                "byte_level={} does not fit the pre-tokenizer {}",
                config.trainer.byte_level,
                config.pre_tokenizer.name().unwrap_or("given")
            )));
        }
        if let Some(u) = &config.unk_token {
            if !config.trainer.special_tokens.contains(u) {
                return Err(Error::invalid(format!(
                    "unk_token {u:?} must be one of the special tokens"
                )));
            }
        }
        let model = bpe::train(counts, &config.trainer, progress)?;
        let model = if config.unk_token.is_some() && !model.is_byte_level() {
            model.with_unk_token(config.unk_token.clone())?
        } else {
            model
        };
        Self::new(
            model,
            config.normalizer.clone(),
            config.pre_tokenizer.clone(),
            &config.trainer.special_tokens,
            config.template.as_deref(),
        )
    }

    /// A BPE tokenizer as subwordx trains them: special tokens (in the vocabulary) matched raw,
    /// a template in the short form, and the decoder that undoes the model's symbols (byte-level,
    /// continuing prefix, end-of-word suffix, or plain concatenation).
    pub fn new(
        model: BpeModel,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        special_tokens: &[String],
        template: Option<&[String]>,
    ) -> Result<Self> {
        let s = model.settings().clone();
        let mut added_tokens: Vec<AddedToken> = Vec::new();
        for t in special_tokens {
            let id = model.token_to_id(t).ok_or_else(|| {
                Error::invalid(format!("special token {t:?} is not in the vocabulary"))
            })?;
            if !added_tokens.iter().any(|a| a.id == id) {
                added_tokens.push(AddedToken::special(t.clone(), id));
            }
        }
        let post_processor = match template {
            None => None,
            Some(t) => Some(PostProcessor::from_short_template(t, |x| {
                model.token_to_id(x)
            })?),
        };
        let decoder = if s.byte_level {
            Decoder::ByteLevel
        } else if let Some(p) = &s.continuing_subword_prefix {
            Decoder::WordPiece {
                prefix: p.clone(),
                cleanup: false,
            }
        } else if let Some(sfx) = &s.end_of_word_suffix {
            Decoder::Bpe {
                suffix: sfx.clone(),
            }
        } else {
            Decoder::Fuse
        };
        Self::from_parts(TokenizerParts {
            normalizer,
            pre_tokenizer,
            model: Model::Bpe(model),
            added_tokens,
            post_processor,
            decoder: Some(decoder),
            truncation: None,
            padding: None,
            added_tokens_as_written: false,
        })
    }

    /// The parts, to rebuild a changed tokenizer (e.g. another post-processor).
    pub fn to_parts(&self) -> TokenizerParts {
        TokenizerParts {
            normalizer: self.normalizer.clone(),
            pre_tokenizer: self.pre_tokenizer.clone(),
            model: self.model.clone(),
            added_tokens: self.added.tokens().to_vec(),
            post_processor: self.post_processor.clone(),
            decoder: self.decoder.clone(),
            truncation: self.truncation.clone(),
            padding: self.padding.clone(),
            added_tokens_as_written: self.added_tokens_as_written(),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }
    pub fn pre_tokenizer(&self) -> &PreTokenizer {
        &self.pre_tokenizer
    }
    pub fn added_tokens(&self) -> &[AddedToken] {
        self.added.tokens()
    }
    /// See [`TokenizerParts::added_tokens_as_written`].
    pub fn added_tokens_as_written(&self) -> bool {
        self.added.as_written() && !self.added.is_empty()
    }
    pub fn post_processor(&self) -> Option<&PostProcessor> {
        self.post_processor.as_ref()
    }
    pub fn decoder(&self) -> Option<&Decoder> {
        self.decoder.as_ref()
    }
    pub fn truncation(&self) -> Option<&Truncation> {
        self.truncation.as_ref()
    }
    pub fn padding(&self) -> Option<&Padding> {
        self.padding.as_ref()
    }
    /// The special added tokens, in the order they were added.
    pub fn special_tokens(&self) -> Vec<&str> {
        self.added
            .tokens()
            .iter()
            .filter(|t| t.special)
            .map(|t| t.content.as_str())
            .collect()
    }
    /// The post-processor's single template in the short form (`["<s>", "$A", "</s>"]`).
    pub fn template(&self) -> Option<Vec<String>> {
        self.post_processor
            .as_ref()
            .and_then(PostProcessor::single_template)
    }
    pub fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }
    /// The vocabulary in id order.
    pub fn vocab(&self) -> &[String] {
        self.model.vocab()
    }
    /// The merges as token pairs in rank order (empty for models without merges).
    pub fn merges(&self) -> Vec<(&str, &str)> {
        let Some(m) = self.model.as_bpe() else {
            return Vec::new();
        };
        let v = m.vocab();
        m.merges()
            .iter()
            .map(|&(l, r)| (v[l as usize].as_str(), v[r as usize].as_str()))
            .collect()
    }
    /// The token of `id`: for an added token matched on normalized text, its normalized form
    /// (as HF: `Hello` under a normalizer prepending `▁` is `▁Hello`), else the vocabulary's.
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.added
            .normalized_form(id)
            .or_else(|| self.model.id_to_token(id))
    }
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.model.token_to_id(token)
    }
    pub fn is_special_id(&self, id: u32) -> bool {
        self.is_special.get(id as usize).copied().unwrap_or(false)
    }

    /// The same tokenizer with other truncation and padding settings.
    #[must_use]
    pub fn with_truncation_padding(
        &self,
        truncation: Option<Truncation>,
        padding: Option<Padding>,
    ) -> Self {
        Self {
            truncation,
            padding,
            ..self.clone()
        }
    }

    /// The first special token spelled in `text` that is not among `allowed` ids.
    pub fn find_disallowed_special(&self, text: &str, allowed: &[u32]) -> Option<&str> {
        self.added
            .find_disallowed(text, allowed)
            .map(|t| t.content.as_str())
    }

    /// Encodes `text` (special tokens in it are matched), adding the post-processor's special
    /// tokens when `add_special_tokens`.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Encoding {
        self.encode_with_options(text, add_special_tokens, false)
    }

    /// [`Tokenizer::encode`], with `split_special_tokens` treating special tokens as plain text.
    pub fn encode_with_options(
        &self,
        text: &str,
        add_special_tokens: bool,
        split_special_tokens: bool,
    ) -> Encoding {
        let policy = if split_special_tokens {
            SpecialPolicy::None
        } else {
            SpecialPolicy::All
        };
        // Without truncation settings nothing can fail.
        self.encode_full(text, None, add_special_tokens, policy, true)
            .unwrap_or_default()
    }

    /// The whole pipeline on a text or a pair: ids and (when `detailed`) offsets, type ids,
    /// masks and word ids, truncated and padded as the tokenizer's settings say.
    pub fn encode_full(
        &self,
        text: &str,
        pair: Option<&str>,
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
        detailed: bool,
    ) -> Result<Encoding> {
        let call = self.take_draws(1);
        self.encode_full_at(text, pair, add_special_tokens, policy, detailed, call)
    }

    /// [`Tokenizer::encode_full`] as call number `call` of the dropout stream (`None`: the model
    /// has no dropout).
    fn encode_full_at(
        &self,
        text: &str,
        pair: Option<&str>,
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
        detailed: bool,
        call: Option<u64>,
    ) -> Result<Encoding> {
        let mut rng = call.map(|k| self.draws_of(k));
        let mut a = self.encode_sequence(text, policy, detailed, rng.as_mut());
        let mut b = pair.map(|p| {
            let mut e = self.encode_sequence(p, policy, detailed, rng.as_mut());
            e.set_type_id(1);
            e.set_sequence_id(1);
            e
        });
        if let Some(t) = &self.truncation {
            let added = if add_special_tokens {
                self.post_processor
                    .as_ref()
                    .map_or(0, |p| p.added_tokens(b.is_some()))
            } else {
                0
            };
            let max = t.max_length.saturating_sub(added);
            encoding::truncate_pair(&mut a, b.as_mut(), max, t)?;
        }
        let mut out = self.post_process(a, b, add_special_tokens);
        if let Some(p) = &self.padding {
            let target = p.target(out.len());
            out.pad(target, p);
        }
        Ok(out)
    }

    /// Applies the post-processor (or, without one, joins a pair). Overflowing windows are
    /// processed too; for a pair they are HF's cross product: each window of the first text with
    /// the second text and each of its windows, then the first text with each window of the
    /// second.
    fn post_process(
        &self,
        mut a: Encoding,
        b: Option<Encoding>,
        add_special_tokens: bool,
    ) -> Encoding {
        let a_over = std::mem::take(&mut a.overflowing);
        let Some(mut b) = b else {
            let mut main = self.process_one(a, None, add_special_tokens);
            main.overflowing = a_over
                .into_iter()
                .map(|o| self.process_one(o, None, add_special_tokens))
                .collect();
            return main;
        };
        let b_over = std::mem::take(&mut b.overflowing);
        let mut overflowing = Vec::new();
        for o1 in &a_over {
            for o2 in std::iter::once(&b).chain(&b_over) {
                overflowing.push(self.process_one(
                    o1.clone(),
                    Some(o2.clone()),
                    add_special_tokens,
                ));
            }
        }
        for o2 in &b_over {
            overflowing.push(self.process_one(a.clone(), Some(o2.clone()), add_special_tokens));
        }
        let mut main = self.process_one(a, Some(b), add_special_tokens);
        main.overflowing = overflowing;
        main
    }

    /// The post-processor on one text or pair, without overflowing windows.
    fn process_one(&self, a: Encoding, b: Option<Encoding>, add_special_tokens: bool) -> Encoding {
        let mut parts = vec![a];
        parts.extend(b);
        let tokens_of = |ids: &[u32]| -> Vec<&str> {
            ids.iter()
                .map(|&id| self.id_to_token(id).unwrap_or(""))
                .collect()
        };
        let mut out = match &self.post_processor {
            Some(p) => p.process(parts, add_special_tokens, &tokens_of),
            None => parts,
        };
        let mut merged = out.remove(0);
        for e in &out {
            merged.extend(e);
        }
        merged.overflowing.clear();
        merged
    }

    /// Encodes one text, without post-processing; with BPE-dropout's draws from `rng` when the
    /// model has a dropout.
    fn encode_sequence(
        &self,
        text: &str,
        policy: SpecialPolicy<'_>,
        detailed: bool,
        rng: Option<&mut SplitMix64>,
    ) -> Encoding {
        let hook = rng.and_then(|r| self.dropout_hook(r));
        self.encode_sequence_hooked(text, policy, detailed, hook)
    }

    /// [`Tokenizer::encode_sequence`], each piece encoded by `hook` when given.
    pub(crate) fn encode_sequence_hooked<'t>(
        &self,
        text: &'t str,
        policy: SpecialPolicy<'_>,
        detailed: bool,
        hook: Option<PieceHook<'t>>,
    ) -> Encoding {
        let mut sink = Sink::new(text, detailed);
        sink.hook = hook;
        self.added.split(text, false, policy, |seg| match seg {
            Segment::Token { start, end, id } => {
                sink.push(id, start, end);
                sink.word += 1;
            }
            Segment::Text { start, end } => {
                self.encode_text(text, start, end, policy, &mut sink);
            }
        });
        sink.enc
    }

    /// Normalizes, pre-tokenizes and encodes `text[start..end]` (no raw added token inside).
    fn encode_text(
        &self,
        text: &str,
        start: usize,
        end: usize,
        policy: SpecialPolicy<'_>,
        sink: &mut Sink<'_>,
    ) {
        let seg = &text[start..end];
        if self.normalizer.is_identity() {
            self.encode_pieces(seg, start == 0, sink, &mut |a, b| {
                (start + floor_char(seg, a), start + ceil_char(seg, b))
            });
            return;
        }
        if !sink.enc.detailed {
            let norm = self.normalizer.normalize_str(seg);
            if self.added.has_normalized() {
                let norm = norm.as_ref();
                self.added.split(norm, true, policy, |s| match s {
                    Segment::Token { id, .. } => sink.push(id, 0, 0),
                    Segment::Text { start: a, end: b } => {
                        self.encode_pieces(&norm[a..b], start == 0 && a == 0, sink, &mut |_, _| {
                            (0, 0)
                        });
                    }
                });
            } else {
                self.encode_pieces(&norm, start == 0, sink, &mut |_, _| (0, 0));
            }
            return;
        }
        let norm = self.normalizer.normalize(seg);
        let map = |a: usize, b: usize| {
            let (s, e) = norm.source_range(a, b, seg.len());
            (start + s, start + e)
        };
        if self.added.has_normalized() {
            let ntext = norm.text.as_str();
            let mut parts = Vec::new();
            self.added.split(ntext, true, policy, |s| parts.push(s));
            for s in parts {
                match s {
                    Segment::Token {
                        start: a,
                        end: b,
                        id,
                    } => {
                        let (s, e) = map(a, b);
                        sink.push(id, s, e);
                        sink.word += 1;
                    }
                    Segment::Text { start: a, end: b } => {
                        self.encode_pieces(
                            &ntext[a..b],
                            start == 0 && a == 0,
                            sink,
                            &mut |x, y| map(a + x, a + y),
                        );
                    }
                }
            }
        } else {
            self.encode_pieces(&norm.text, start == 0, sink, &mut |a, b| map(a, b));
        }
    }

    /// Pre-tokenizes `seg` and encodes its pieces; `to_input` maps a byte span of `seg` to the
    /// input's bytes.
    fn encode_pieces(
        &self,
        seg: &str,
        at_start: bool,
        sink: &mut Sink<'_>,
        to_input: &mut dyn FnMut(usize, usize) -> (usize, usize),
    ) {
        if seg.is_empty() {
            return;
        }
        // The first pre-tokenizer step may rewrite the text (a prefix space, Metaspace); spans
        // of the rewritten text map back through its source ranges.
        let rewritten = if self.pre_tokenizer.rewrites() {
            self.pre_tokenizer.rewrite(seg, at_start)
        } else {
            None
        };
        let text = rewritten.as_ref().map_or(seg, |r| r.text.as_str());
        let mut unshift = |a: usize, b: usize| match &rewritten {
            Some(r) if b > a => {
                let (s, e) = r.source_range(a, b);
                to_input(s, e)
            }
            _ => to_input(a, b),
        };
        let mut ids = Vec::new();
        let mut spans = Vec::new();
        let mut hook = sink.hook.take();
        self.pre_tokenizer.for_each_piece(text, |ps, pe| {
            let piece = &text[ps..pe];
            if let Some(h) = hook.as_mut() {
                ids.clear();
                spans.clear();
                h(piece, &mut ids, &mut spans);
                for (&id, &(a, b)) in ids.iter().zip(&spans) {
                    let (s, e) = unshift(ps + a, ps + b);
                    sink.push(id, s, e);
                }
                sink.word += 1;
            } else if sink.enc.detailed {
                ids.clear();
                spans.clear();
                self.model
                    .encode_piece_with_spans(piece, &mut ids, &mut spans);
                for (&id, &(a, b)) in ids.iter().zip(&spans) {
                    let (s, e) = unshift(ps + a, ps + b);
                    sink.push(id, s, e);
                }
                sink.word += 1;
            } else {
                self.model.encode_piece(piece, &mut sink.enc.ids);
            }
        });
        sink.hook = hook;
    }

    /// The ids of `text` only: the fast path (no offsets, no token strings). Truncation errors
    /// (a strategy the text cannot satisfy) leave the ids untruncated; use
    /// [`Tokenizer::encode_ids_with`] to see them.
    pub fn encode_ids(&self, text: &str, add_special_tokens: bool) -> Vec<u32> {
        let call = self.take_draws(1);
        if let Ok(ids) = self.encode_ids_at(text, add_special_tokens, SpecialPolicy::All, call) {
            return ids;
        }
        let mut rng = call.map(|k| self.draws_of(k));
        self.encode_sequence(text, SpecialPolicy::All, false, rng.as_mut())
            .ids
    }

    /// [`Tokenizer::encode_ids`] with a special-token policy.
    pub fn encode_ids_with(
        &self,
        text: &str,
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
    ) -> Result<Vec<u32>> {
        let call = self.take_draws(1);
        self.encode_ids_at(text, add_special_tokens, policy, call)
    }

    /// [`Tokenizer::encode_ids_with`] as call number `call` of the dropout stream.
    fn encode_ids_at(
        &self,
        text: &str,
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
        call: Option<u64>,
    ) -> Result<Vec<u32>> {
        if self.truncation.is_none()
            && self.padding.is_none()
            && (!add_special_tokens || self.post_processor.is_none())
        {
            let mut rng = call.map(|k| self.draws_of(k));
            return Ok(self.encode_sequence(text, policy, false, rng.as_mut()).ids);
        }
        self.encode_full_at(text, None, add_special_tokens, policy, false, call)
            .map(|e| e.ids)
    }

    /// Encodes many texts in parallel on `threads` threads (0 = all cores).
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        self.encode_batch_with_options(texts, add_special_tokens, false, threads)
    }

    /// [`Tokenizer::encode_batch`] with the options of [`Tokenizer::encode_with_options`].
    pub fn encode_batch_with_options<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        split_special_tokens: bool,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        let policy = if split_special_tokens {
            SpecialPolicy::None
        } else {
            SpecialPolicy::All
        };
        self.encode_batch_full(texts, None, add_special_tokens, policy, true, threads)
    }

    /// The whole pipeline on many texts (or pairs, `pairs[i]` with `texts[i]`), batch padding
    /// included (to the longest when the padding has no fixed length).
    pub fn encode_batch_full<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        pairs: Option<&[S]>,
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
        detailed: bool,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        if let Some(p) = pairs {
            if p.len() != texts.len() {
                return Err(Error::invalid(format!(
                    "{} texts but {} pairs",
                    texts.len(),
                    p.len()
                )));
            }
        }
        let unpadded = self.with_truncation_padding(self.truncation.clone(), None);
        let first = self.take_draws(texts.len());
        let mut out: Vec<Encoding> = with_threads(threads, || {
            (0..texts.len())
                .into_par_iter()
                .map(|i| {
                    unpadded.encode_full_at(
                        texts[i].as_ref(),
                        pairs.map(|p| p[i].as_ref()),
                        add_special_tokens,
                        policy,
                        detailed,
                        first.map(|f| f + i as u64),
                    )
                })
                .collect::<Result<Vec<_>>>()
        })??;
        if let Some(p) = &self.padding {
            let longest = out.iter().map(Encoding::len).max().unwrap_or(0);
            let target = p.target(longest);
            for e in &mut out {
                e.pad(target, p);
            }
        }
        Ok(out)
    }

    /// The ids of many texts in parallel.
    pub fn encode_batch_ids<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        threads: usize,
    ) -> Result<Vec<Vec<u32>>> {
        self.encode_batch_ids_with(texts, add_special_tokens, SpecialPolicy::All, threads)
    }

    /// [`Tokenizer::encode_batch_ids`] with a special-token policy.
    pub fn encode_batch_ids_with<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        policy: SpecialPolicy<'_>,
        threads: usize,
    ) -> Result<Vec<Vec<u32>>> {
        if self.padding.is_some() {
            return Ok(self
                .encode_batch_full(texts, None, add_special_tokens, policy, false, threads)?
                .into_iter()
                .map(|e| e.ids)
                .collect());
        }
        let first = self.take_draws(texts.len());
        with_threads(threads, || {
            (0..texts.len())
                .into_par_iter()
                .map(|i| {
                    let call = first.map(|f| f + i as u64);
                    self.encode_ids_at(texts[i].as_ref(), add_special_tokens, policy, call)
                })
                .collect::<Result<Vec<_>>>()
        })?
    }

    /// The tokens of `ids`; an unknown id is an [`Error::InvalidArgument`] naming it.
    pub fn tokens(&self, ids: &[u32]) -> Result<Vec<&str>> {
        ids.iter()
            .map(|&id| {
                self.id_to_token(id)
                    .ok_or_else(|| unknown_id(id, self.vocab_size()))
            })
            .collect()
    }

    /// Appends `id`'s bytes as the byte-level decoder gives them: copied from the table of every
    /// id's bytes (made at the first call), or mapped from its token where there is no table.
    fn push_byte_level(&self, id: u32, out: &mut Vec<u8>) -> Result<()> {
        let unknown = || unknown_id(id, self.vocab_size());
        match self
            .decode_table
            .get(self.vocab_size(), |id| self.id_to_token(id))
        {
            Some(table) => out.extend_from_slice(table.get(id).ok_or_else(unknown)?),
            None => decoder::token_bytes(self.id_to_token(id).ok_or_else(unknown)?, out),
        }
        Ok(())
    }

    /// Decodes ids to bytes: byte-level models give the exact bytes (a token may hold part of a
    /// UTF-8 char); others the UTF-8 of [`Tokenizer::decode`].
    pub fn decode_bytes(&self, ids: &[u32], skip_special_tokens: bool) -> Result<Vec<u8>> {
        if !self.model.is_byte_level() {
            return self
                .decode(ids, skip_special_tokens)
                .map(String::into_bytes);
        }
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            if self.is_special_id(id) {
                // a special token is its text, not byte chars
                let tok = self
                    .id_to_token(id)
                    .ok_or_else(|| unknown_id(id, self.vocab_size()))?;
                if !skip_special_tokens {
                    out.extend_from_slice(tok.as_bytes());
                }
                continue;
            }
            self.push_byte_level(id, &mut out)?;
        }
        Ok(out)
    }

    /// Decodes ids to text through the decoder (without one, tokens joined by spaces, as HF).
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String> {
        if matches!(self.decoder, Some(Decoder::ByteLevel)) {
            // The decoder of every byte-level tokenizer, alone: the bytes `decode_chain` makes,
            // without a string per token.
            let mut bytes = Vec::with_capacity(ids.len() * 4);
            for &id in ids {
                if skip_special_tokens && self.is_special_id(id) {
                    continue;
                }
                self.push_byte_level(id, &mut bytes)?;
            }
            return Ok(String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
        }
        let mut tokens = Vec::with_capacity(ids.len());
        for &id in ids {
            let tok = self
                .id_to_token(id)
                .ok_or_else(|| unknown_id(id, self.vocab_size()))?;
            if skip_special_tokens && self.is_special_id(id) {
                continue;
            }
            tokens.push(tok.to_owned());
        }
        Ok(match &self.decoder {
            Some(d) => d.decode(tokens),
            None => tokens.join(" "),
        })
    }
}

fn unknown_id(id: u32, size: usize) -> Error {
    Error::invalid(format!("unknown token id {id} (vocabulary size {size})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_is_send_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<Tokenizer>();
    }

    #[test]
    fn too_many_threads_is_an_error() {
        assert!(with_threads(MAX_THREADS + 1, || ()).is_err());
        assert!(with_threads(2, || 1).is_ok_and(|x| x == 1));
    }
}
