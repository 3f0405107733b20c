//! The tokenization pipeline (`docs/bpe.md` §4–5): special tokens → normalizer → pre-tokenizer →
//! BPE model → post-processing template; and back: ids → tokens → text.
//!
//! A [`Tokenizer`] is immutable after construction and `Send + Sync`: one instance serves any
//! number of threads ([`Tokenizer::encode_batch`] uses rayon) with no lock (the BPE piece cache is
//! thread-local).
//!
//! Offsets are *char* offsets (Python `str` indices) into the original input. A token covers the
//! input chars its normalized bytes came from, widened to whole chars (a byte-level token holding
//! half of an emoji's bytes covers the whole emoji). Byte offsets are turned into char offsets with
//! a forward-only cursor, since token spans come in text order: O(n) per text, no table.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;

use crate::corpus::WordCounts;
use crate::models::bpe::{self, BpeModel, BpeTrainerConfig};
use crate::normalize::Normalizer;
use crate::pretokenize::{unicode_to_byte, PreTokenizer};
use crate::{Error, Progress, Result};

/// One piece of a post-processing template: the encoded text, or a special token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePiece {
    /// `$A`: the ids of the input.
    Sequence,
    /// A special token (must be in the vocabulary).
    Special(String),
}

impl TemplatePiece {
    /// Parses the string form: `"$A"` is the sequence, anything else a special token.
    pub fn parse(s: &str) -> Self {
        if s == "$A" {
            TemplatePiece::Sequence
        } else {
            TemplatePiece::Special(s.to_owned())
        }
    }

    /// The string form (`"$A"` or the token).
    pub fn as_str(&self) -> &str {
        match self {
            TemplatePiece::Sequence => "$A",
            TemplatePiece::Special(s) => s,
        }
    }
}

/// The result of encoding one text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoding {
    pub ids: Vec<u32>,
    /// `(start, end)` char offsets into the input; `(0, 0)` for added special tokens.
    pub offsets: Vec<(usize, usize)>,
}

impl Encoding {
    /// The tokens of the ids.
    pub fn tokens<'a>(&self, tokenizer: &'a Tokenizer) -> Vec<&'a str> {
        self.ids
            .iter()
            .map(|&id| tokenizer.id_to_token(id).unwrap_or(""))
            .collect()
    }
}

/// Everything needed to train a tokenizer.
#[derive(Clone, Debug)]
pub struct TokenizerConfig {
    pub trainer: BpeTrainerConfig,
    pub normalizer: Normalizer,
    pub pre_tokenizer: PreTokenizer,
    /// Classic: token for symbols not in the vocabulary; must be one of the special tokens.
    pub unk_token: Option<String>,
    pub template: Option<Vec<TemplatePiece>>,
}

/// How ids are turned back into text (derived from the model's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecoderKind {
    /// Tokens' byte chars back to bytes, then UTF-8 (invalid sequences → U+FFFD).
    ByteLevel,
    /// HF `BPEDecoder`: the end-of-word suffix becomes a space.
    Suffix,
    /// HF `WordPiece` decoder: the continuing prefix glues a token to the previous one.
    Prefix,
    /// Plain concatenation (classic with neither suffix nor prefix).
    Concat,
}

/// A trained tokenizer: immutable, `Send + Sync`.
#[allow(clippy::struct_field_names)] // `pre_tokenizer` is the established name (HF, docs).
#[derive(Clone, Debug)]
pub struct Tokenizer {
    normalizer: Normalizer,
    pre_tokenizer: PreTokenizer,
    model: BpeModel,
    special_tokens: Vec<String>,
    /// `is_special[id]`.
    is_special: Vec<bool>,
    /// Finds special tokens in the input: leftmost, longest at one position.
    special_matcher: Option<AhoCorasick>,
    /// Id of each pattern of `special_matcher`.
    special_ids: Vec<u32>,
    template: Option<Vec<TemplatePiece>>,
    /// Template with ids resolved: `None` stands for `$A`.
    template_ids: Vec<Option<u32>>,
}

impl PartialEq for Tokenizer {
    fn eq(&self, other: &Self) -> bool {
        self.normalizer == other.normalizer
            && self.pre_tokenizer == other.pre_tokenizer
            && self.model == other.model
            && self.special_tokens == other.special_tokens
            && self.template == other.template
    }
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

impl Tokenizer {
    /// Assembles a tokenizer, checking that the parts agree (special tokens and template tokens in
    /// the vocabulary, byte-level model with a byte-level pre-tokenizer).
    pub fn new(
        model: BpeModel,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        special_tokens: Vec<String>,
        template: Option<Vec<TemplatePiece>>,
    ) -> Result<Self> {
        if model.is_byte_level() != pre_tokenizer.is_byte_level() {
            return Err(Error::invalid(format!(
                "a {} model needs a {} pre-tokenizer, got {pre_tokenizer:?}",
                if model.is_byte_level() {
                    "byte-level"
                } else {
                    "classic"
                },
                if model.is_byte_level() {
                    "byte-level"
                } else {
                    "whitespace or bert"
                },
            )));
        }
        let mut is_special = vec![false; model.vocab_size()];
        let mut special_ids = Vec::with_capacity(special_tokens.len());
        let mut patterns = Vec::new();
        for s in &special_tokens {
            let id = model.token_to_id(s).ok_or_else(|| {
                Error::invalid(format!("special token {s:?} is not in the vocabulary"))
            })?;
            is_special[id as usize] = true;
            if !s.is_empty() {
                patterns.push(s.as_str());
                special_ids.push(id);
            }
        }
        let special_matcher = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| Error::invalid(format!("special tokens: {e}")))?,
            )
        };
        let mut template_ids = Vec::new();
        if let Some(t) = &template {
            for p in t {
                template_ids.push(match p {
                    TemplatePiece::Sequence => None,
                    TemplatePiece::Special(s) => Some(model.token_to_id(s).ok_or_else(|| {
                        Error::invalid(format!("template token {s:?} is not in the vocabulary"))
                    })?),
                });
            }
            if !t.contains(&TemplatePiece::Sequence) {
                return Err(Error::invalid("the template has no \"$A\""));
            }
        }
        Ok(Self {
            normalizer,
            pre_tokenizer,
            model,
            special_tokens,
            is_special,
            special_matcher,
            special_ids,
            template,
            template_ids,
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
                "byte_level={} does not fit the pre-tokenizer {:?}",
                config.trainer.byte_level, config.pre_tokenizer
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
            config.pre_tokenizer,
            config.trainer.special_tokens.clone(),
            config.template.clone(),
        )
    }

    pub fn model(&self) -> &BpeModel {
        &self.model
    }
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }
    pub fn pre_tokenizer(&self) -> PreTokenizer {
        self.pre_tokenizer
    }
    pub fn special_tokens(&self) -> &[String] {
        &self.special_tokens
    }
    pub fn template(&self) -> Option<&[TemplatePiece]> {
        self.template.as_deref()
    }
    pub fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }
    /// The vocabulary in id order.
    pub fn vocab(&self) -> &[String] {
        self.model.vocab()
    }
    /// The merges as token pairs in rank order.
    pub fn merges(&self) -> Vec<(&str, &str)> {
        let v = self.model.vocab();
        self.model
            .merges()
            .iter()
            .map(|&(l, r)| (v[l as usize].as_str(), v[r as usize].as_str()))
            .collect()
    }
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.model.id_to_token(id)
    }
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.model.token_to_id(token)
    }
    pub fn is_special_id(&self, id: u32) -> bool {
        self.is_special.get(id as usize).copied().unwrap_or(false)
    }

    pub fn decoder_kind(&self) -> DecoderKind {
        let s = self.model.settings();
        if s.byte_level {
            DecoderKind::ByteLevel
        } else if s.continuing_subword_prefix.is_some() {
            DecoderKind::Prefix
        } else if s.end_of_word_suffix.is_some() {
            DecoderKind::Suffix
        } else {
            DecoderKind::Concat
        }
    }

    /// Encodes `text` (special tokens in it are matched, §4.1), adding the template's special tokens
    /// when `add_special_tokens`.
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
        let mut enc = Encoding::default();
        let mut cursor_s = CharCursor::new(text);
        let mut cursor_e = CharCursor::new(text);
        let mut push = |enc: &mut Encoding, id: u32, s: usize, e: usize| {
            enc.ids.push(id);
            let cs = cursor_s.char_at(s);
            let ce = cursor_e.char_at(e);
            enc.offsets.push((cs, ce));
        };
        let mut ids = Vec::new();
        let mut spans = Vec::new();
        self.for_each_segment(text, split_special_tokens, |seg_start, seg_end, special| {
            if let Some(id) = special {
                push(&mut enc, id, seg_start, seg_end);
                return;
            }
            let seg = &text[seg_start..seg_end];
            if self.normalizer.is_identity() {
                self.pre_tokenizer.for_each_piece(seg, |ps, pe| {
                    ids.clear();
                    spans.clear();
                    self.model
                        .encode_piece_with_spans(&seg[ps..pe], &mut ids, &mut spans);
                    for (&id, &(a, b)) in ids.iter().zip(&spans) {
                        let a = floor_char(seg, ps + a);
                        let b = ceil_char(seg, ps + b);
                        push(&mut enc, id, seg_start + a, seg_start + b);
                    }
                });
            } else {
                let norm = self.normalizer.normalize(seg);
                self.pre_tokenizer.for_each_piece(&norm.text, |ps, pe| {
                    ids.clear();
                    spans.clear();
                    self.model
                        .encode_piece_with_spans(&norm.text[ps..pe], &mut ids, &mut spans);
                    for (&id, &(a, b)) in ids.iter().zip(&spans) {
                        let (a, b) = norm.source_range(ps + a, ps + b, seg.len());
                        push(&mut enc, id, seg_start + a, seg_start + b);
                    }
                });
            }
        });
        if add_special_tokens && !self.template_ids.is_empty() {
            let body = std::mem::take(&mut enc);
            for t in &self.template_ids {
                match t {
                    None => {
                        enc.ids.extend_from_slice(&body.ids);
                        enc.offsets.extend_from_slice(&body.offsets);
                    }
                    Some(id) => {
                        enc.ids.push(*id);
                        enc.offsets.push((0, 0));
                    }
                }
            }
        }
        enc
    }

    /// The ids of `text` only (no offsets): the fast path, with the per-thread piece cache.
    pub fn encode_ids(&self, text: &str, add_special_tokens: bool) -> Vec<u32> {
        let mut body = Vec::with_capacity(text.len() / 3);
        self.for_each_segment(text, false, |s, e, special| {
            if let Some(id) = special {
                body.push(id);
                return;
            }
            let seg = &text[s..e];
            let norm = self.normalizer.normalize_str(seg);
            self.pre_tokenizer.for_each_piece(&norm, |ps, pe| {
                self.model.encode_piece(&norm[ps..pe], &mut body);
            });
        });
        if add_special_tokens && !self.template_ids.is_empty() {
            let mut out = Vec::with_capacity(body.len() + self.template_ids.len());
            for t in &self.template_ids {
                match t {
                    None => out.extend_from_slice(&body),
                    Some(id) => out.push(*id),
                }
            }
            return out;
        }
        body
    }

    /// Splits `text` at special tokens: `f(start, end, Some(id))` for a special token,
    /// `f(start, end, None)` for the text between them.
    fn for_each_segment(
        &self,
        text: &str,
        split_special_tokens: bool,
        mut f: impl FnMut(usize, usize, Option<u32>),
    ) {
        let mut last = 0;
        if let (Some(m), false) = (&self.special_matcher, split_special_tokens) {
            for hit in m.find_iter(text) {
                if hit.start() > last {
                    f(last, hit.start(), None);
                }
                f(
                    hit.start(),
                    hit.end(),
                    Some(self.special_ids[hit.pattern().as_usize()]),
                );
                last = hit.end();
            }
        }
        if last < text.len() {
            f(last, text.len(), None);
        }
    }

    /// Encodes many texts in parallel on `threads` threads (0 = all cores).
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        threads: usize,
    ) -> Vec<Encoding> {
        self.encode_batch_with_options(texts, add_special_tokens, false, threads)
    }

    /// [`Tokenizer::encode_batch`] with the options of [`Tokenizer::encode_with_options`].
    pub fn encode_batch_with_options<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        split_special_tokens: bool,
        threads: usize,
    ) -> Vec<Encoding> {
        let run = || {
            texts
                .par_iter()
                .map(|t| {
                    self.encode_with_options(t.as_ref(), add_special_tokens, split_special_tokens)
                })
                .collect()
        };
        with_threads(threads, run)
    }

    pub fn encode_batch_ids<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        threads: usize,
    ) -> Vec<Vec<u32>> {
        let run = || {
            texts
                .par_iter()
                .map(|t| self.encode_ids(t.as_ref(), add_special_tokens))
                .collect()
        };
        with_threads(threads, run)
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

    /// Decodes ids to bytes (byte-level: the exact bytes; classic: the UTF-8 of [`Tokenizer::decode`]).
    pub fn decode_bytes(&self, ids: &[u32], skip_special_tokens: bool) -> Result<Vec<u8>> {
        if self.decoder_kind() != DecoderKind::ByteLevel {
            return self
                .decode(ids, skip_special_tokens)
                .map(String::into_bytes);
        }
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            let tok = self
                .id_to_token(id)
                .ok_or_else(|| unknown_id(id, self.vocab_size()))?;
            if self.is_special_id(id) {
                if !skip_special_tokens {
                    out.extend_from_slice(tok.as_bytes());
                }
                continue;
            }
            for c in tok.chars() {
                match unicode_to_byte(c) {
                    Some(b) => out.push(b),
                    // Not a byte char (a token from a foreign file): keep the char itself.
                    None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                }
            }
        }
        Ok(out)
    }

    /// Decodes ids to text (`docs/bpe.md` §5).
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String> {
        let kind = self.decoder_kind();
        if kind == DecoderKind::ByteLevel {
            let bytes = self.decode_bytes(ids, skip_special_tokens)?;
            return Ok(match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            });
        }
        let settings = self.model.settings();
        let suffix = settings.end_of_word_suffix.as_deref().unwrap_or("");
        let prefix = settings.continuing_subword_prefix.as_deref().unwrap_or("");
        let mut out = String::new();
        let mut first = true;
        for &id in ids {
            let tok = self
                .id_to_token(id)
                .ok_or_else(|| unknown_id(id, self.vocab_size()))?;
            if skip_special_tokens && self.is_special_id(id) {
                continue;
            }
            match kind {
                DecoderKind::Prefix => {
                    let tok = if suffix.is_empty() {
                        tok
                    } else {
                        tok.strip_suffix(suffix).unwrap_or(tok)
                    };
                    if first {
                        out.push_str(tok);
                    } else if let Some(rest) = tok.strip_prefix(prefix) {
                        out.push_str(rest);
                    } else {
                        out.push(' ');
                        out.push_str(tok);
                    }
                }
                DecoderKind::Suffix => match tok.strip_suffix(suffix) {
                    Some(rest) => {
                        out.push_str(rest);
                        out.push(' ');
                    }
                    None => out.push_str(tok),
                },
                _ => out.push_str(tok),
            }
            first = false;
        }
        if kind == DecoderKind::Suffix || kind == DecoderKind::Prefix {
            out.truncate(out.trim_end().len());
        }
        Ok(out)
    }
}

fn unknown_id(id: u32, size: usize) -> Error {
    Error::invalid(format!("unknown token id {id} (vocabulary size {size})"))
}

/// Runs `f` on a pool of `threads` threads, or on rayon's global pool when `threads` is 0.
fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    if threads == 0 {
        return f();
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_is_send_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<Tokenizer>();
    }
}
