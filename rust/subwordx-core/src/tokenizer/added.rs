//! The added vocabulary: special and added tokens, found in the input before anything else runs.
//!
//! As in HF `tokenizers`, tokens with `normalized: false` (the default for special tokens) are
//! matched on the raw input, and tokens with `normalized: true` on the normalized text of what lies
//! between the first kind, as the tokenizer's normalizer writes them (HF's rule: with a
//! lowercasing normalizer `Hello` matches `HELLO`; with one that prepends `▁`, `Hello` is matched
//! as `▁Hello`, so only where the normalized text has `▁Hello`). SentencePiece's user-defined
//! symbols are the exception: SentencePiece matches them as written in the normalized text, so
//! their vocabulary is built without a normalizer. Matching is leftmost-longest (the longest token wins at a position).
//! A match is refused when `single_word` is set and a word char touches it; `lstrip` / `rstrip`
//! widen it over the whitespace on its left / right.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::normalize::Normalizer;
use crate::{Error, Result};

/// One added token, with HF's options.
// Each flag is an independent HF option of the same name.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedToken {
    pub content: String,
    pub id: u32,
    /// A control token: skipped by `decode(skip_special_tokens)`, masked by the special-tokens
    /// mask when a post-processor adds it, refused by tiktoken-style `disallowed_special`.
    pub special: bool,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    /// Matched on normalized text (true) or on the raw input (false).
    pub normalized: bool,
}

impl AddedToken {
    /// A special token as subwordx trains them: raw-matched, no stripping.
    pub fn special(content: impl Into<String>, id: u32) -> Self {
        Self {
            content: content.into(),
            id,
            special: true,
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
        }
    }
}

#[derive(Clone, Debug)]
struct Matcher {
    automaton: AhoCorasick,
    /// Index into `tokens` of each pattern.
    token_of: Vec<usize>,
}

/// The added tokens of a tokenizer and the two matchers over them.
#[derive(Clone, Debug, Default)]
pub struct AddedVocabulary {
    tokens: Vec<AddedToken>,
    /// Per token, its normalized form where it is matched on normalized text and the
    /// normalizer changes it (HF also gives this form for the id: `id_to_token`, decoding).
    forms: HashMap<u32, String>,
    /// Built without a normalizer: normalized tokens are matched as written (SentencePiece).
    as_written: bool,
    raw: Option<Matcher>,
    normalized: Option<Matcher>,
}

impl PartialEq for AddedVocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
    }
}

/// Which special tokens the input may contain as such (tiktoken's `allowed_special`).
#[derive(Clone, Copy, Debug)]
pub enum SpecialPolicy<'a> {
    /// Every added token is matched (HF's behaviour).
    All,
    /// Special tokens are plain text (HF `split_special_tokens`, tiktoken `encode_ordinary`);
    /// non-special added tokens are still matched.
    None,
    /// Only the special tokens whose ids are listed are matched, the others are plain text.
    Only(&'a [u32]),
}

/// One piece of an input split at added tokens: a token, or text between tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    Token { start: usize, end: usize, id: u32 },
    Text { start: usize, end: usize },
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl AddedVocabulary {
    /// The added vocabulary of `tokens`; those with `normalized: true` are matched as
    /// `normalizer` writes them, or as written when it is `None` (SentencePiece).
    pub fn new(tokens: Vec<AddedToken>, normalizer: Option<&Normalizer>) -> Result<Self> {
        let forms: Vec<Option<String>> = tokens
            .iter()
            .map(|t| match normalizer {
                Some(n) if t.normalized => {
                    let form = n.normalize_str(&t.content);
                    (form != t.content).then(|| form.into_owned())
                }
                _ => None,
            })
            .collect();
        let build = |normalized: bool| -> Result<Option<Matcher>> {
            let mut patterns = Vec::new();
            let mut token_of = Vec::new();
            for (i, t) in tokens.iter().enumerate() {
                let pattern = forms[i].as_deref().unwrap_or(&t.content);
                if t.normalized == normalized && !pattern.is_empty() {
                    patterns.push(pattern);
                    token_of.push(i);
                }
            }
            if patterns.is_empty() {
                return Ok(None);
            }
            let automaton = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .map_err(|e| Error::invalid(format!("added tokens: {e}")))?;
            Ok(Some(Matcher {
                automaton,
                token_of,
            }))
        };
        Ok(Self {
            raw: build(false)?,
            normalized: build(true)?,
            forms: tokens
                .iter()
                .zip(forms)
                .filter_map(|(t, f)| Some((t.id, f?)))
                .collect(),
            tokens,
            as_written: normalizer.is_none(),
        })
    }

    /// Whether normalized tokens are matched as written rather than normalized (SentencePiece's
    /// user-defined symbols).
    pub fn as_written(&self) -> bool {
        self.as_written
    }

    /// The normalized form of the added token `id`, where it differs from its content.
    pub fn normalized_form(&self, id: u32) -> Option<&str> {
        if self.forms.is_empty() {
            return None;
        }
        self.forms.get(&id).map(String::as_str)
    }

    pub fn tokens(&self) -> &[AddedToken] {
        &self.tokens
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// True when some tokens are matched on normalized text.
    pub fn has_normalized(&self) -> bool {
        self.normalized.is_some()
    }

    /// The added token with id `id`.
    pub fn get(&self, id: u32) -> Option<&AddedToken> {
        self.tokens.iter().find(|t| t.id == id)
    }

    /// Splits `text` at the tokens matched on raw (`normalized == false`) or normalized text,
    /// calling `f` for each segment in order.
    pub fn split(
        &self,
        text: &str,
        normalized: bool,
        policy: SpecialPolicy<'_>,
        mut f: impl FnMut(Segment),
    ) {
        let matcher = if normalized {
            &self.normalized
        } else {
            &self.raw
        };
        let mut last = 0;
        if let Some(m) = matcher {
            for hit in m.automaton.find_iter(text) {
                let token = &self.tokens[m.token_of[hit.pattern().as_usize()]];
                let allowed = !token.special
                    || match policy {
                        SpecialPolicy::All => true,
                        SpecialPolicy::None => false,
                        SpecialPolicy::Only(ids) => ids.contains(&token.id),
                    };
                let (mut start, mut end) = (hit.start(), hit.end());
                if !allowed || start < last {
                    continue;
                }
                if token.single_word {
                    let before = text[..start].chars().next_back().is_some_and(is_word_char);
                    let after = text[end..].chars().next().is_some_and(is_word_char);
                    if before || after {
                        continue;
                    }
                }
                if token.lstrip {
                    let trimmed = text[last..start].trim_end_matches(char::is_whitespace);
                    start = last + trimmed.len();
                }
                if token.rstrip {
                    let rest = &text[end..];
                    end += rest.len() - rest.trim_start_matches(char::is_whitespace).len();
                }
                if start > last {
                    f(Segment::Text {
                        start: last,
                        end: start,
                    });
                }
                f(Segment::Token {
                    start,
                    end,
                    id: token.id,
                });
                last = end;
            }
        }
        if last < text.len() {
            f(Segment::Text {
                start: last,
                end: text.len(),
            });
        }
    }

    /// The first special token spelled in `text` that `allowed` does not list (tiktoken's
    /// `disallowed_special` check).
    pub fn find_disallowed(&self, text: &str, allowed: &[u32]) -> Option<&AddedToken> {
        self.tokens.iter().find(|t| {
            t.special
                && !t.content.is_empty()
                && !allowed.contains(&t.id)
                && text.contains(&t.content)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::NormalizerStep;

    fn token(content: &str, id: u32) -> AddedToken {
        AddedToken {
            content: content.into(),
            id,
            special: false,
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: true,
        }
    }

    fn matches(v: &AddedVocabulary, text: &str) -> Vec<(usize, usize, u32)> {
        let mut out = Vec::new();
        v.split(text, true, SpecialPolicy::All, |s| {
            if let Segment::Token { start, end, id } = s {
                out.push((start, end, id));
            }
        });
        out
    }

    #[test]
    fn normalized_tokens_are_matched_as_the_normalizer_writes_them() {
        // HF's rule: "Hello" under a lowercaser is looked for as "hello".
        let lower = Normalizer::new(vec![NormalizerStep::Lowercase]);
        let v = AddedVocabulary::new(vec![token("Hello", 7)], Some(&lower)).unwrap();
        assert_eq!(matches(&v, "say hello"), vec![(4, 9, 7)]);
        assert_eq!(v.normalized_form(7), Some("hello"));
        assert!(!v.as_written());
        // Under a normalizer that prepends "▁", the form is "▁Hello": found only after a "▁".
        let prepend = Normalizer::new(vec![NormalizerStep::Prepend("▁".into())]);
        let v = AddedVocabulary::new(vec![token("Hello", 7)], Some(&prepend)).unwrap();
        assert_eq!(matches(&v, "▁Hello▁xHello"), vec![(0, 8, 7)]);
        // SentencePiece's user-defined symbols: as written, wherever they are.
        let v = AddedVocabulary::new(vec![token("Hello", 7)], None).unwrap();
        assert_eq!(matches(&v, "▁Hello▁xHello"), vec![(3, 8, 7), (12, 17, 7)]);
        assert_eq!(v.normalized_form(7), None);
        assert!(v.as_written());
    }
}
