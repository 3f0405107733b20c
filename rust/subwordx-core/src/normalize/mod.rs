//! Normalizers: a sequence of Hugging Face `tokenizers` normalizer components, with HF's output
//! text and HF's alignment of that text back to the input.
//!
//! A [`Normalizer`] is a list of [`NormalizerStep`]s applied in order (an HF `Sequence`, flattened;
//! serialized in the `tokenizer.json` shape by [`Normalizer::to_hf_json`] and serde):
//!
//! | step | HF type | what it does |
//! |---|---|---|
//! | `Nfc`, `Nfd`, `Nfkc`, `Nfkd` | `NFC`, ... | Unicode normalization (UAX #15) |
//! | `Lowercase` | `Lowercase` | `char::to_lowercase` char by char: full mappings (`İ` → `i̇`), no context rule, so a final `Σ` becomes `σ` (not `ς` as with `str::to_lowercase` or Python's `str.lower()`) |
//! | `StripAccents` | `StripAccents` | drops every char of general category Mark (Mn, Mc, Me); put `Nfd` first to strip accents from precomposed letters |
//! | `Strip` | `Strip` | trims `char::is_whitespace` chars at either end |
//! | `Replace` | `Replace` | replaces each non-overlapping match of a string or a regex (left to right) by a fixed string (no `$1` expansion, as HF) |
//! | `Prepend` | `Prepend` | puts a string in front of a non-empty text |
//! | `Precompiled` | `Precompiled` | SentencePiece's charsmap: longest-prefix replacement through a double-array trie ([`precompiled`]) |
//! | `Bert` | `BertNormalizer` | clean text (drop NUL, U+FFFD and Cc/Cf/Co controls; whitespace → `' '`), spaces around CJK ideographs, strip accents (NFD, then drop Mn only; defaults to `lowercase`), lowercase |
//!
//! [`Normalizer::from_flags`] builds the older subwordx settings (NFC/NFKC, lowercase, strip
//! accents) as `[NFC|NFKC] [Lowercase] [NFD StripAccents]`, which is also how they were exported to
//! HF; running them as HF components makes subwordx and an exported `tokenizer.json` agree.
//!
//! Two entry points:
//!
//! * [`Normalizer::normalize_str`] for counting: just the text, borrowing the input when no step
//!   changes it, with ASCII fast paths (ASCII is in every normal form and has no marks).
//! * [`Normalizer::normalize`] for encoding with offsets: the text and, for each of its bytes, the
//!   byte range of the input it aligns to ([`Normalized`]).
//!
//! ## Alignment
//!
//! The alignment is HF's `NormalizedString` one, reproduced rule for rule (golden cases from HF
//! in `tests/fixtures/normalize_cases.json`). Each input byte starts aligned to the range of its
//! char. A step rewrites the text as a stream of `(char, change)` over a cursor on the old text
//! (HF's `transform`): `change <= 0` replaces the char under the cursor, taking its range, and skips
//! `-change` more chars (removed); `change > 0` inserts a char that takes the range of the char
//! before the cursor (`(0, 0)` at the very start). So:
//!
//! * NFC `e` + U+0301 → `é` aligned to `e` only (the mark is removed); NFKC `ａ` → `a` aligned to
//!   `ａ`; `ｶ` + `ﾞ` → `ガ` aligned to `ｶ`; NFKC `ﬁ` → `f` (replaces) and `i` (inserted), both
//!   aligned to `ﬁ`. Canonical reordering moves chars but not ranges (the alignment is
//!   positional; `unicode.rs` has the details).
//! * Lowercase: the first char of a char's lowercase replaces it, the rest are inserted: all
//!   take its range (`İ` → `i`, U+0307).
//! * Prepend: the prepended chars take the range of the text's first char (prepending `""`
//!   re-inserts that char at the very start, so it aligns to nothing: an HF quirk, kept).
//! * `StripAccents`, `Strip`, Bert's clean text: kept chars keep their own range (filtering).
//! * Replace: text outside matches keeps its ranges; each char of the replacement takes the range
//!   of the last char of the match (the char before an empty match).
//! * Bert's CJK handling: both added spaces take the range of their ideograph.
//!
//! A token's span `start..end` of normalized bytes maps back with [`Normalized::source_range`]:
//! from the start of byte `start`'s range to the end of byte `end - 1`'s (HF's `convert_offsets`).
//!
//! ## Cost
//!
//! Every step is O(n) (one pass, a few for Bert), including canonical reordering and composition
//! of long runs of combining marks (`unicode.rs`); `Replace` with a regex costs what the regex
//! engine costs. `NFD`/`NFKD` + `StripAccents` run fused in one pass.
//!
//! ## Known differences from HF
//!
//! * Unicode tables: HF normalizes with Unicode 9 tables (`unicode-normalization-alignments`) and
//!   Bert classes with `unicode_categories`; here the `unicode-normalization` and
//!   `unicode-general-category` crates' newer tables. Only chars assigned after Unicode 9 differ.
//! * `Replace` regexes: HF uses Oniguruma; here the `regex` crate, or `fancy-regex` for patterns
//!   it cannot compile (look-around, backreferences). Patterns mean the same in the common subset
//!   (classes, `\s`, alternation, repetition); some Oniguruma syntax fails to load, with an error
//!   naming the normalizer, and a few flags differ in meaning (Oniguruma's `(?m)` is Rust's
//!   `(?s)`).
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

mod align;
mod json;
pub mod precompiled;
mod step;
mod unicode;

pub use align::Normalized;
pub use precompiled::Charsmap;

/// Unicode normalization form of the older subwordx settings ([`Normalizer::from_flags`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnicodeForm {
    Nfc,
    Nfkc,
}

/// One HF normalizer component (module docs). Serialized in the HF `tokenizer.json` shape
/// (`{"type": "NFC"}`, ...) by [`NormalizerStep::to_hf_json`].
#[derive(Clone, Debug, PartialEq)]
pub enum NormalizerStep {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
    /// `char::to_lowercase`, char by char.
    Lowercase,
    /// Drops general category Mark (Mn, Mc, Me).
    StripAccents,
    /// Trims whitespace on the left and/or right.
    Strip {
        left: bool,
        right: bool,
    },
    /// Replaces each match of `pattern` by `content`.
    Replace {
        pattern: ReplacePattern,
        content: String,
    },
    /// Prepends a string to a non-empty text.
    Prepend(String),
    /// SentencePiece's precompiled charsmap (HF `Precompiled`).
    Precompiled(std::sync::Arc<Charsmap>),
    /// HF `BertNormalizer`; `strip_accents: None` strips when `lowercase` is set.
    Bert {
        clean_text: bool,
        handle_chinese_chars: bool,
        strip_accents: Option<bool>,
        lowercase: bool,
    },
}

/// What [`NormalizerStep::Replace`] looks for: HF `{"String": ".."}` or `{"Regex": ".."}`.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplacePattern {
    String(String),
    Regex(ReplaceRegex),
}

impl ReplacePattern {
    /// A regex pattern, compiled (module docs for the dialect).
    pub fn regex(pattern: &str) -> crate::Result<Self> {
        ReplaceRegex::new(pattern)
            .map(ReplacePattern::Regex)
            .map_err(crate::Error::invalid)
    }
}

/// A compiled `Replace` regex with its source. Equal when the sources are.
#[derive(Clone, Debug)]
pub struct ReplaceRegex {
    source: String,
    engine: RegexEngine,
}

#[derive(Clone, Debug)]
enum RegexEngine {
    Plain(regex::Regex),
    /// For patterns `regex` rejects (look-around, backreferences).
    Fancy(fancy_regex::Regex),
}

impl ReplaceRegex {
    /// Compiles `pattern` with `regex`, or `fancy-regex` when `regex` rejects it.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let engine = match regex::Regex::new(pattern) {
            Ok(re) => RegexEngine::Plain(re),
            Err(plain_err) => match fancy_regex::Regex::new(pattern) {
                Ok(re) => RegexEngine::Fancy(re),
                Err(_) => return Err(format!("invalid regex {pattern:?}: {plain_err}")),
            },
        };
        Ok(ReplaceRegex {
            source: pattern.to_owned(),
            engine,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn for_each_match(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match &self.engine {
            RegexEngine::Plain(re) => {
                for m in re.find_iter(text) {
                    f(m.start(), m.end());
                }
            }
            RegexEngine::Fancy(re) => {
                // A match error (backtracking limit) ends the search: the rest stays unchanged.
                for m in re.find_iter(text).map_while(Result::ok) {
                    f(m.start(), m.end());
                }
            }
        }
    }
}

impl PartialEq for ReplaceRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// The normalizer of a tokenizer: steps applied in order. The default changes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Normalizer {
    steps: Vec<NormalizerStep>,
}

/// The normalizer settings of version-1 subwordx files:
/// `{"unicode": "nfc"|"nfkc"|null, "lowercase": bool, "strip_accents": bool}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyNormalizer {
    pub unicode: Option<UnicodeForm>,
    pub lowercase: bool,
    pub strip_accents: bool,
}

impl From<LegacyNormalizer> for Normalizer {
    fn from(l: LegacyNormalizer) -> Self {
        Normalizer::from_flags(l.unicode, l.lowercase, l.strip_accents)
    }
}

impl Normalizer {
    /// The steps, `Sequence`s flattened.
    pub fn new(steps: Vec<NormalizerStep>) -> Self {
        Normalizer { steps }
    }

    pub fn steps(&self) -> &[NormalizerStep] {
        &self.steps
    }

    /// The older subwordx settings: the unicode form, then lowercase, then NFD + `StripAccents`.
    pub fn from_flags(unicode: Option<UnicodeForm>, lowercase: bool, strip_accents: bool) -> Self {
        let mut steps = Vec::new();
        match unicode {
            Some(UnicodeForm::Nfc) => steps.push(NormalizerStep::Nfc),
            Some(UnicodeForm::Nfkc) => steps.push(NormalizerStep::Nfkc),
            None => {}
        }
        if lowercase {
            steps.push(NormalizerStep::Lowercase);
        }
        if strip_accents {
            steps.extend([NormalizerStep::Nfd, NormalizerStep::StripAccents]);
        }
        Normalizer { steps }
    }

    /// The settings [`Normalizer::from_flags`] would build this normalizer from, if any (for
    /// writers of the version-1 subwordx format).
    pub fn to_legacy(&self) -> Option<LegacyNormalizer> {
        let mut rest = self.steps.as_slice();
        let unicode = match rest.first() {
            Some(NormalizerStep::Nfc) => Some(UnicodeForm::Nfc),
            Some(NormalizerStep::Nfkc) => Some(UnicodeForm::Nfkc),
            _ => None,
        };
        if unicode.is_some() {
            rest = &rest[1..];
        }
        let lowercase = rest.first() == Some(&NormalizerStep::Lowercase);
        if lowercase {
            rest = &rest[1..];
        }
        let strip_accents = rest.starts_with(&[NormalizerStep::Nfd, NormalizerStep::StripAccents]);
        if strip_accents {
            rest = &rest[2..];
        }
        rest.is_empty().then_some(LegacyNormalizer {
            unicode,
            lowercase,
            strip_accents,
        })
    }

    /// True when `normalize` returns its input unchanged.
    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }

    /// The normalized text without alignment (for counting). Borrows `text` when no step changes
    /// it.
    pub fn normalize_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut cur = Cow::Borrowed(text);
        if self.steps.is_empty() {
            return cur;
        }
        let mut ascii = text.is_ascii();
        if ascii {
            // The hot path of counting: ASCII is in every normal form and has no marks, so with
            // only such steps, lowercasing is all that can happen.
            let mut lowercase = false;
            let simple = self.steps.iter().all(|s| match s {
                NormalizerStep::Lowercase => {
                    lowercase = true;
                    true
                }
                s => s.is_noop_on_ascii(),
            });
            if simple {
                if lowercase && text.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Cow::Owned(text.to_ascii_lowercase());
                }
                return cur;
            }
        }
        for stage in self.stages(true) {
            let (next, keeps_ascii) = match stage {
                Stage::Step(step) => (step.apply_text(&cur, ascii), step.keeps_ascii()),
                Stage::SpmSpaces => (Some(spm_spaces(&cur)), false),
                Stage::DecomposeStrip(form) => (
                    step::decompose_and_drop_text(&cur, ascii, form, step::is_mark),
                    true,
                ),
            };
            if let Some(next) = next {
                cur = Cow::Owned(next);
                if ascii && !keeps_ascii {
                    ascii = cur.is_ascii();
                }
            }
        }
        cur
    }

    /// The normalized text with its alignment to `text` (for offsets).
    pub fn normalize(&self, text: &str) -> Normalized {
        let mut cur = Normalized::identity(text);
        for stage in self.stages(false) {
            let next = match stage {
                Stage::Step(step) => step.apply_aligned(&cur),
                Stage::SpmSpaces => unreachable!("not fused for aligned normalization"),
                Stage::DecomposeStrip(form) => {
                    step::decompose_and_drop_aligned(&cur, form, step::is_mark)
                }
            };
            if let Some(next) = next {
                cur = next;
            }
        }
        cur
    }

    /// The steps, with `NFD`/`NFKD` + `StripAccents` fused into one pass, and (`fuse_spm`, for
    /// text without alignment) `SentencePiece`'s whitespace steps too ([`spm_spaces`]).
    fn stages(&self, fuse_spm: bool) -> impl Iterator<Item = Stage<'_>> {
        let mut rest = self.steps.as_slice();
        std::iter::from_fn(move || {
            if fuse_spm
                && rest.len() >= SPM_SPACES_STEPS
                && rest[..SPM_SPACES_STEPS] == spm_spaces_steps()[..]
            {
                rest = &rest[SPM_SPACES_STEPS..];
                return Some(Stage::SpmSpaces);
            }
            let (stage, n) = match rest {
                [] => return None,
                [NormalizerStep::Nfd, NormalizerStep::StripAccents, ..] => {
                    (Stage::DecomposeStrip(unicode::Form::Nfd), 2)
                }
                [NormalizerStep::Nfkd, NormalizerStep::StripAccents, ..] => {
                    (Stage::DecomposeStrip(unicode::Form::Nfkd), 2)
                }
                [step, ..] => (Stage::Step(step), 1),
            };
            rest = &rest[n..];
            Some(stage)
        })
    }
}

/// One pass of [`Normalizer::normalize`]: a step, or two steps fused.
enum Stage<'a> {
    Step(&'a NormalizerStep),
    /// NFD or NFKD, then `StripAccents`.
    DecomposeStrip(unicode::Form),
    /// `SentencePiece`'s whitespace handling ([`spm_spaces_steps`]) in one pass.
    SpmSpaces,
}

/// How many steps [`spm_spaces_steps`] has.
const SPM_SPACES_STEPS: usize = 5;

/// `SentencePiece`'s default whitespace handling as the steps
/// `crate::io::sentencepiece::spm_normalizer` writes for it (extra spaces removed, a dummy `▁`
/// prefix, spaces escaped): drop leading spaces, collapse runs of spaces, prepend `▁` (to a
/// non-empty text), spaces to `▁`, drop trailing `▁`s. Every `.model` with the default flags,
/// and every Unigram tokenizer subwordx trains, runs them on every text; run one by one they
/// cost five passes and allocations, which [`spm_spaces`] does in one.
fn spm_spaces_steps() -> &'static [NormalizerStep] {
    static STEPS: std::sync::OnceLock<Vec<NormalizerStep>> = std::sync::OnceLock::new();
    STEPS.get_or_init(|| {
        crate::io::sentencepiece::spm_normalizer(None, true, true, true, false)
            .steps()
            .to_vec()
    })
}

/// [`spm_spaces_steps`] in one pass (the same text: `tests::spm_spaces_equals_its_steps`).
fn spm_spaces(text: &str) -> String {
    let text = text.trim_start_matches(' ');
    if text.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(text.len() + 3);
    out.push('\u{2581}');
    let mut after_space = false;
    for c in text.chars() {
        if c == ' ' {
            if !after_space {
                out.push('\u{2581}');
            }
            after_space = true;
        } else {
            out.push(c);
            after_space = false;
        }
    }
    let kept = out.trim_end_matches('\u{2581}').len();
    out.truncate(kept);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spm_spaces_equals_its_steps() {
        assert_eq!(spm_spaces_steps().len(), SPM_SPACES_STEPS);
        let steps = Normalizer::new(spm_spaces_steps().to_vec());
        for text in [
            "",
            " ",
            "   ",
            "a",
            " a",
            "a ",
            "  a  b   c  ",
            "\u{2581}",
            " \u{2581} ",
            "a\u{2581}  ",
            "tab\there",
            "\u{3000}x y",
            "é  ü",
            "x\u{2581}\u{2581} y",
        ] {
            let slow = steps
                .stages(false)
                .fold(Normalized::identity(text), |cur, st| match st {
                    Stage::Step(s) => s.apply_aligned(&cur).unwrap_or(cur),
                    _ => unreachable!(),
                });
            assert_eq!(steps.normalize_str(text), slow.text, "{text:?}");
            assert_eq!(steps.normalize(text).text, slow.text, "{text:?}");
        }
    }

    fn spans(n: &Normalizer, s: &str) -> Vec<(char, (u32, u32))> {
        let a = n.normalize(s);
        a.text
            .char_indices()
            .map(|(i, c)| (c, a.align[i]))
            .collect()
    }

    #[test]
    fn identity_and_ascii_borrow() {
        let n = Normalizer::default();
        assert!(matches!(n.normalize_str("Héllo"), Cow::Borrowed("Héllo")));
        let n = Normalizer::from_flags(Some(UnicodeForm::Nfkc), true, true);
        assert!(matches!(n.normalize_str("hello world"), Cow::Borrowed(_)));
        assert_eq!(n.normalize_str("Hello"), "hello");
        let nfc = Normalizer::from_flags(Some(UnicodeForm::Nfc), false, false);
        assert!(matches!(nfc.normalize_str("déjà vu"), Cow::Borrowed(_)));
    }

    #[test]
    fn each_step() {
        let one =
            |s: NormalizerStep, t: &str| Normalizer::new(vec![s]).normalize_str(t).into_owned();
        assert_eq!(one(NormalizerStep::Nfc, "e\u{301}"), "é");
        assert_eq!(one(NormalizerStep::Nfkc, "ﬁ①Ａ"), "fi1A");
        assert_eq!(one(NormalizerStep::Nfd, "é"), "e\u{301}");
        assert_eq!(one(NormalizerStep::Lowercase, "ΌΣΟΣ İ"), "όσοσ i\u{307}");
        assert_eq!(one(NormalizerStep::StripAccents, "e\u{301}\u{903}x"), "ex");
        let strip = NormalizerStep::Strip {
            left: true,
            right: false,
        };
        assert_eq!(one(strip, " \u{3000}a b \t"), "a b \t");
        let replace = NormalizerStep::Replace {
            pattern: ReplacePattern::String(" ".into()),
            content: "\u{2581}".into(),
        };
        assert_eq!(one(replace, "a b"), "a\u{2581}b");
        let squeeze = NormalizerStep::Replace {
            pattern: ReplacePattern::regex(r"\s+").unwrap(),
            content: " ".into(),
        };
        assert_eq!(one(squeeze, "a \t\n b"), "a b");
        assert_eq!(
            one(NormalizerStep::Prepend("\u{2581}".into()), "a"),
            "\u{2581}a"
        );
        assert_eq!(one(NormalizerStep::Prepend("\u{2581}".into()), ""), "");
        let bert = NormalizerStep::Bert {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: None,
            lowercase: true,
        };
        assert_eq!(one(bert, "Héllo\u{0}\t中文\u{200b}!"), "hello  中  文 !");
    }

    #[test]
    fn alignment_follows_hf() {
        let nfkc = Normalizer::new(vec![NormalizerStep::Nfkc]);
        // The known case: tokens a and ガ of "aｶﾞ" map to chars [0,1) and [1,2) in HF.
        assert_eq!(spans(&nfkc, "aｶﾞ"), [('a', (0, 1)), ('ガ', (1, 4))]);
        assert_eq!(
            spans(&nfkc, "ﬁx"),
            [('f', (0, 3)), ('i', (0, 3)), ('x', (3, 4))]
        );
        let n = nfkc.normalize("aｶﾞ");
        assert_eq!(n.source_range(1, 4, 7), (1, 4));
        let prepend = Normalizer::new(vec![NormalizerStep::Prepend("\u{2581}".into())]);
        assert_eq!(
            spans(&prepend, "éb"),
            [('\u{2581}', (0, 2)), ('é', (0, 2)), ('b', (2, 3))]
        );
        let replace = Normalizer::new(vec![NormalizerStep::Replace {
            pattern: ReplacePattern::String("ab".into()),
            content: "XY".into(),
        }]);
        assert_eq!(
            spans(&replace, "abc"),
            [('X', (1, 2)), ('Y', (1, 2)), ('c', (2, 3))]
        );
    }

    #[test]
    fn legacy_round_trip() {
        for unicode in [None, Some(UnicodeForm::Nfc), Some(UnicodeForm::Nfkc)] {
            for lowercase in [false, true] {
                for strip_accents in [false, true] {
                    let l = LegacyNormalizer {
                        unicode,
                        lowercase,
                        strip_accents,
                    };
                    assert_eq!(Normalizer::from(l).to_legacy(), Some(l));
                }
            }
        }
        assert_eq!(Normalizer::new(vec![NormalizerStep::Nfd]).to_legacy(), None);
        let l: LegacyNormalizer = serde_json::from_str(
            r#"{"unicode": "nfkc", "lowercase": true, "strip_accents": false}"#,
        )
        .unwrap();
        assert_eq!(l.unicode, Some(UnicodeForm::Nfkc));
    }

    /// The fused NFD/NFKD + `StripAccents` pass gives what the two steps give one after the other.
    #[test]
    fn fused_decompose_strip_equals_two_steps() {
        let inputs = [
            "",
            "abc",
            "Crème Brûlée ǖ ṩ\u{316} हिन्दी ﬁ ｶﾞ 가",
            "e\u{301}\u{903}\u{20dd}",
        ];
        for first in [NormalizerStep::Nfd, NormalizerStep::Nfkd] {
            let steps = [first, NormalizerStep::StripAccents];
            let fused = Normalizer::new(steps.to_vec());
            for s in inputs {
                let mut text = Cow::Borrowed(s);
                let mut aligned = Normalized::identity(s);
                for step in &steps {
                    if let Some(t) = step.apply_text(&text, text.is_ascii()) {
                        text = Cow::Owned(t);
                    }
                    if let Some(a) = step.apply_aligned(&aligned) {
                        aligned = a;
                    }
                }
                assert_eq!(fused.normalize_str(s), text, "{s:?}");
                assert_eq!(fused.normalize(s), aligned, "{s:?}");
            }
        }
    }

    /// `normalize` and `normalize_str` give the same text; alignments are valid, monotone ranges.
    #[test]
    fn aligned_text_equals_plain_text() {
        let inputs = [
            "",
            "abc",
            "  ÉCOLE Straße ﬁ ΌΣΟΣ  ",
            "e\u{301}\u{316}x \u{301}lead",
            "\u{1100}\u{1161}\u{11a8} 한국어",
            "\u{f71}\u{f73}x\u{334}\u{f73}",
            "Å Ω K ǅ ẞ İ",
            "😀 中文 ｶﾞ ﾞ\u{0}\u{fffd}\u{7}\u{200b}\t\r\n",
        ];
        let steps = [
            NormalizerStep::Nfc,
            NormalizerStep::Nfd,
            NormalizerStep::Nfkc,
            NormalizerStep::Nfkd,
            NormalizerStep::Lowercase,
            NormalizerStep::StripAccents,
            NormalizerStep::Strip {
                left: true,
                right: true,
            },
            NormalizerStep::Replace {
                pattern: ReplacePattern::regex(r"\s+").unwrap(),
                content: "\u{2581}".into(),
            },
            NormalizerStep::Prepend("\u{2581}".into()),
            NormalizerStep::Bert {
                clean_text: true,
                handle_chinese_chars: true,
                strip_accents: None,
                lowercase: true,
            },
        ];
        for a in &steps {
            for b in &steps {
                let n = Normalizer::new(vec![a.clone(), b.clone()]);
                for s in inputs {
                    let al = n.normalize(s);
                    assert_eq!(al.text, n.normalize_str(s), "{n:?} {s:?}");
                    assert_eq!(al.align.len(), al.text.len());
                    assert!(al.align.windows(2).all(|w| w[0] <= w[1]), "{n:?} {s:?}");
                    assert!(al.align.iter().all(|&(x, y)| x <= y
                        && s.is_char_boundary(x as usize)
                        && s.is_char_boundary(y as usize)));
                }
            }
        }
    }
}
