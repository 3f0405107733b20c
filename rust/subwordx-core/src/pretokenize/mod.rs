//! Pre-tokenizers: split a (normalized) text into pieces that the model never crosses.
//!
//! A [`PreTokenizer`] is a sequence of HF `tokenizers` pre-tokenizer components
//! ([`PreTokenizerStep`]); each splits every piece the previous ones made. The components and
//! their JSON are HF's, so a `tokenizer.json` loads as written and saves back unchanged:
//!
//! * `ByteLevel`: GPT-2's split regex (unless `use_regex` is false), and marks the tokenizer as
//!   byte-level: the model then sees each piece as its UTF-8 bytes. `add_prefix_space` puts a space
//!   before a text that does not start with one (the tokenizer does it, see `tokenizer`).
//! * `Split`: a literal or regex pattern with a [`SplitBehavior`] ([`split`]).
//! * `Whitespace` (`\w+|[^\w\s]+`), `WhitespaceSplit` (runs of non-whitespace),
//!   `BertPreTokenizer` (whitespace dropped, each punctuation char alone), `Punctuation`, `Digits`.
//!
//! subwordx's own short names for common pre-tokenizers live in one table, [`NAMED`]: `whitespace`,
//! `bert`, and the byte-level `gpt2`, `cl100k`, `o200k`, `qwen` (and `llama3`, cl100k's pattern).
//!
//! The byte-level split patterns of well-known models run on hand-written splitters
//! ([`patterns`]); every other regex on a general engine.

mod basic;
mod bytes;
pub mod fast;
mod patterns;
mod split;

use serde_json::{json, Value};

pub use bytes::{bytes_to_unicode, unicode_to_byte};
pub use patterns::{
    SplitPattern, CL100K_PATTERN, CL100K_TIKTOKEN_PATTERN, CL100K_TIKTOKEN_PATTERN_HF,
    GPT2_PATTERN, GPT2_PATTERN_GROUPED, O200K_PATTERN, QWEN_PATTERN, R50K_TIKTOKEN_PATTERN,
};
pub use split::{PatternSource, SplitBehavior, SplitRegex};

use crate::{Error, Result};

/// One HF pre-tokenizer component.
#[derive(Clone, Debug, PartialEq)]
pub enum PreTokenizerStep {
    /// Byte-level: the model sees bytes. `use_regex` splits with GPT-2's pattern.
    ByteLevel {
        add_prefix_space: bool,
        use_regex: bool,
        trim_offsets: bool,
    },
    /// A pattern and what to do with its matches.
    Split {
        pattern: SplitRegex,
        behavior: SplitBehavior,
        invert: bool,
    },
    /// HF `Whitespace`: the matches of `\w+|[^\w\s]+`.
    Whitespace,
    /// HF `WhitespaceSplit`: maximal runs of non-whitespace.
    WhitespaceSplit,
    /// HF `BertPreTokenizer`: whitespace splits and is dropped; punctuation chars stand alone.
    Bert,
    /// Each punctuation char is a match.
    Punctuation(SplitBehavior),
    /// Numeric chars: each alone (`individual`) or in runs.
    Digits { individual: bool },
    /// `SentencePiece`'s convention: spaces become `replacement` (`▁`), which is also put before
    /// the text (`prepend_scheme`); with `split`, each piece starts at a `replacement`.
    Metaspace {
        replacement: char,
        prepend_scheme: PrependScheme,
        split: bool,
    },
}

/// When `Metaspace` puts its replacement before a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrependScheme {
    /// Before every text (between added tokens) that does not start with it.
    Always,
    /// Only before the text at the very start of the input.
    First,
    Never,
}

impl PrependScheme {
    fn name(self) -> &'static str {
        match self {
            PrependScheme::Always => "always",
            PrependScheme::First => "first",
            PrependScheme::Never => "never",
        }
    }
}

/// A text rewritten by the first pre-tokenizer step (`ByteLevel`'s prefix space, `Metaspace`),
/// with, for each of its bytes, the byte range of the original text it stands for.
#[derive(Clone, Debug)]
pub struct Rewritten {
    pub text: String,
    pub source: Vec<(u32, u32)>,
}

impl Rewritten {
    /// The original byte range of the rewritten bytes `start..end` (`start < end`).
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        (
            self.source[start].0 as usize,
            self.source[end - 1].1 as usize,
        )
    }
}

impl PreTokenizerStep {
    /// True for steps that never split (`ByteLevel` without its regex).
    fn is_splitter(&self) -> bool {
        !matches!(
            self,
            PreTokenizerStep::ByteLevel {
                use_regex: false,
                ..
            } | PreTokenizerStep::Metaspace { split: false, .. }
        )
    }

    fn for_each_piece(&self, text: &str, f: impl FnMut(usize, usize)) {
        use split::split_with;
        match self {
            PreTokenizerStep::ByteLevel {
                use_regex: true, ..
            } => {
                SplitPattern::Gpt2.for_each_match(text, f);
            }
            PreTokenizerStep::ByteLevel { .. }
            | PreTokenizerStep::Metaspace { split: false, .. } => {
                if !text.is_empty() {
                    let mut f = f;
                    f(0, text.len());
                }
            }
            PreTokenizerStep::Metaspace { replacement, .. } => {
                let r = *replacement;
                split_with(
                    text,
                    |m| {
                        for (i, c) in text.char_indices() {
                            if c == r {
                                m(i, i + c.len_utf8());
                            }
                        }
                    },
                    SplitBehavior::MergedWithNext,
                    false,
                    f,
                );
            }
            PreTokenizerStep::Split {
                pattern,
                behavior,
                invert,
            } => {
                if pattern.tiles() && *behavior == SplitBehavior::Isolated && !invert {
                    pattern.for_each_match(text, f);
                } else {
                    split_with(
                        text,
                        |m| pattern.for_each_match(text, m),
                        *behavior,
                        *invert,
                        f,
                    );
                }
            }
            PreTokenizerStep::Whitespace => basic::for_each_word_or_symbol_run(text, f),
            PreTokenizerStep::WhitespaceSplit => basic::for_each_whitespace_piece(text, f),
            PreTokenizerStep::Bert => basic::for_each_bert_piece(text, f),
            PreTokenizerStep::Punctuation(behavior) => split_with(
                text,
                |m| each_char_where(text, basic::is_bert_punctuation, m),
                *behavior,
                false,
                f,
            ),
            PreTokenizerStep::Digits { individual } => split_with(
                text,
                |m| each_char_where(text, char::is_numeric, m),
                if *individual {
                    SplitBehavior::Isolated
                } else {
                    SplitBehavior::Contiguous
                },
                false,
                f,
            ),
        }
    }

    /// The HF JSON of this step.
    pub fn to_hf_json(&self) -> Value {
        match self {
            PreTokenizerStep::ByteLevel {
                add_prefix_space,
                use_regex,
                trim_offsets,
            } => json!({"type": "ByteLevel", "add_prefix_space": add_prefix_space,
                        "trim_offsets": trim_offsets, "use_regex": use_regex}),
            PreTokenizerStep::Split {
                pattern,
                behavior,
                invert,
            } => {
                json!({"type": "Split", "pattern": pattern.source().to_hf_json(),
                       "behavior": behavior.name(), "invert": invert})
            }
            PreTokenizerStep::Whitespace => json!({"type": "Whitespace"}),
            PreTokenizerStep::WhitespaceSplit => json!({"type": "WhitespaceSplit"}),
            PreTokenizerStep::Bert => json!({"type": "BertPreTokenizer"}),
            PreTokenizerStep::Punctuation(b) => {
                json!({"type": "Punctuation", "behavior": b.name()})
            }
            PreTokenizerStep::Digits { individual } => {
                json!({"type": "Digits", "individual_digits": individual})
            }
            PreTokenizerStep::Metaspace {
                replacement,
                prepend_scheme,
                split,
            } => json!({"type": "Metaspace", "replacement": replacement.to_string(),
                        "prepend_scheme": prepend_scheme.name(), "split": split}),
        }
    }

    fn from_hf_json(v: &Value, out: &mut Vec<PreTokenizerStep>, source: &str) -> Result<()> {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("?");
        let bad = |r: String| Error::corrupt(source, format!("pre_tokenizer {kind}: {r}"));
        let flag = |k: &str, default: bool| -> Result<bool> {
            match v.get(k) {
                None | Some(Value::Null) => Ok(default),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(bad(format!("{k} is not a boolean"))),
            }
        };
        let behavior = |default: SplitBehavior| -> Result<SplitBehavior> {
            match v.get("behavior") {
                None | Some(Value::Null) => Ok(default),
                Some(Value::String(s)) => {
                    SplitBehavior::parse(s).ok_or_else(|| bad(format!("unknown behavior {s:?}")))
                }
                Some(_) => Err(bad("behavior is not a string".into())),
            }
        };
        let step = match kind {
            "Sequence" => {
                let parts = v
                    .get("pretokenizers")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("no \"pretokenizers\" list".into()))?;
                for p in parts {
                    Self::from_hf_json(p, out, source)?;
                }
                return Ok(());
            }
            "ByteLevel" => PreTokenizerStep::ByteLevel {
                add_prefix_space: flag("add_prefix_space", true)?,
                use_regex: flag("use_regex", true)?,
                trim_offsets: flag("trim_offsets", true)?,
            },
            "Split" => {
                let p = v.get("pattern").ok_or_else(|| bad("no pattern".into()))?;
                let source = PatternSource::from_hf_json(p)
                    .ok_or_else(|| bad("pattern is neither {\"String\"} nor {\"Regex\"}".into()))?;
                PreTokenizerStep::Split {
                    pattern: SplitRegex::new(source).map_err(|e| bad(e.to_string()))?,
                    behavior: behavior(SplitBehavior::Isolated)?,
                    invert: flag("invert", false)?,
                }
            }
            "Whitespace" => PreTokenizerStep::Whitespace,
            "WhitespaceSplit" => PreTokenizerStep::WhitespaceSplit,
            "BertPreTokenizer" => PreTokenizerStep::Bert,
            "Punctuation" => PreTokenizerStep::Punctuation(behavior(SplitBehavior::Isolated)?),
            "Digits" => PreTokenizerStep::Digits {
                individual: flag("individual_digits", false)?,
            },
            "Metaspace" => {
                let replacement = match v.get("replacement").and_then(Value::as_str) {
                    None => '\u{2581}',
                    Some(s) => {
                        let mut it = s.chars();
                        match (it.next(), it.next()) {
                            (Some(c), None) => c,
                            _ => return Err(bad("replacement must be one char".into())),
                        }
                    }
                };
                let prepend_scheme = match v.get("prepend_scheme").and_then(Value::as_str) {
                    Some("always") => PrependScheme::Always,
                    Some("first") => PrependScheme::First,
                    Some("never") => PrependScheme::Never,
                    Some(other) => return Err(bad(format!("unknown prepend_scheme {other:?}"))),
                    // Files from before prepend_scheme: add_prefix_space.
                    None if flag("add_prefix_space", true)? => PrependScheme::Always,
                    None => PrependScheme::Never,
                };
                PreTokenizerStep::Metaspace {
                    replacement,
                    prepend_scheme,
                    split: flag("split", true)?,
                }
            }
            other => {
                return Err(Error::corrupt(
                    source,
                    format!("unsupported pre_tokenizer {other}"),
                ))
            }
        };
        out.push(step);
        Ok(())
    }
}

impl PreTokenizerStep {
    /// True for the steps that change the text ([`PreTokenizer::rewrite`]).
    fn rewrites(&self) -> bool {
        matches!(
            self,
            PreTokenizerStep::ByteLevel {
                add_prefix_space: true,
                ..
            } | PreTokenizerStep::Metaspace { .. }
        )
    }
}

/// Reports each char of `text` for which `pred` holds as a one-char match.
fn each_char_where(text: &str, pred: fn(char) -> bool, f: &mut dyn FnMut(usize, usize)) {
    for (i, c) in text.char_indices() {
        if pred(c) {
            f(i, i + c.len_utf8());
        }
    }
}

/// A sequence of pre-tokenizer steps (see the module docs). Immutable and cheap to share.
#[derive(Clone, Debug, PartialEq)]
pub struct PreTokenizer {
    steps: Vec<PreTokenizerStep>,
    /// Indexes of the steps that split, in order.
    splitters: Vec<usize>,
}

/// Builds a pre-tokenizer of [`NAMED`].
pub type MakePreTokenizer = fn() -> PreTokenizer;

/// subwordx's short names for pre-tokenizers: the one table the CLI, the Python API and the file
/// formats share.
pub const NAMED: &[(&str, MakePreTokenizer)] = &[
    ("whitespace", PreTokenizer::whitespace),
    ("bert", PreTokenizer::bert),
    ("gpt2", || PreTokenizer::byte_level(SplitPattern::Gpt2)),
    ("cl100k", || PreTokenizer::byte_level(SplitPattern::Cl100k)),
    ("o200k", || PreTokenizer::byte_level(SplitPattern::O200k)),
    ("qwen", || PreTokenizer::byte_level(SplitPattern::Qwen)),
    ("llama3", || PreTokenizer::byte_level(SplitPattern::Cl100k)),
];

impl PreTokenizer {
    /// A pre-tokenizer of `steps`. `ByteLevel` with `add_prefix_space` must come first (a space
    /// added in the middle of a split would need a text change no later step could see), and no
    /// step after `ByteLevel` may split.
    pub fn new(steps: Vec<PreTokenizerStep>) -> Result<Self> {
        // HF's ByteLevel rewrites the text as byte chars (a space becomes `Ġ`), so steps after it
        // see a different text. No file we know of splits after it; one that does is refused
        // rather than split differently.
        if let Some(first) = steps
            .iter()
            .position(|s| matches!(s, PreTokenizerStep::ByteLevel { .. }))
        {
            if steps[first + 1..].iter().any(PreTokenizerStep::is_splitter) {
                return Err(Error::invalid(
                    "a pre-tokenizer that splits after ByteLevel is not supported",
                ));
            }
        }
        for (i, s) in steps.iter().enumerate() {
            if i > 0 && s.rewrites() {
                return Err(Error::invalid(
                    "ByteLevel with add_prefix_space=true and Metaspace are supported only as the \
                     first pre-tokenizer",
                ));
            }
        }
        let splitters = (0..steps.len())
            .filter(|&i| steps[i].is_splitter())
            .collect();
        Ok(Self { steps, splitters })
    }

    fn of(steps: Vec<PreTokenizerStep>) -> Self {
        Self::new(steps).unwrap_or_else(|_| unreachable!("built-in pre-tokenizers are valid"))
    }

    /// HF `WhitespaceSplit`.
    pub fn whitespace() -> Self {
        Self::of(vec![PreTokenizerStep::WhitespaceSplit])
    }

    /// HF `BertPreTokenizer`.
    pub fn bert() -> Self {
        Self::of(vec![PreTokenizerStep::Bert])
    }

    /// Byte-level with a well-known split pattern: GPT-2's as HF's `ByteLevel` writes it, the
    /// others as `Split(pattern, Isolated)` + `ByteLevel(use_regex=false)`.
    pub fn byte_level(pattern: SplitPattern) -> Self {
        let byte_level = |use_regex| PreTokenizerStep::ByteLevel {
            add_prefix_space: false,
            use_regex,
            trim_offsets: true,
        };
        match pattern {
            SplitPattern::Gpt2 => Self::of(vec![byte_level(true)]),
            p => Self::of(vec![
                PreTokenizerStep::Split {
                    pattern: SplitRegex::known(p),
                    behavior: SplitBehavior::Isolated,
                    invert: false,
                },
                byte_level(false),
            ]),
        }
    }

    /// The pre-tokenizer of a short name of [`NAMED`].
    pub fn named(name: &str) -> Option<Self> {
        NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, make)| make())
    }

    /// The short name of this pre-tokenizer if it is one of [`NAMED`] (the first such name).
    pub fn name(&self) -> Option<&'static str> {
        NAMED
            .iter()
            .find(|(_, make)| make() == *self)
            .map(|(n, _)| *n)
    }

    /// The names of [`NAMED`].
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMED.iter().map(|(n, _)| *n)
    }

    pub fn steps(&self) -> &[PreTokenizerStep] {
        &self.steps
    }

    /// True when a step is `ByteLevel`: the model then works on bytes.
    pub fn is_byte_level(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, PreTokenizerStep::ByteLevel { .. }))
    }

    /// True when the first step is `Metaspace`: words are counted on the rewritten text (spaces
    /// as `▁`, a `▁` first), as encoding sees it.
    pub fn is_metaspace(&self) -> bool {
        matches!(self.steps.first(), Some(PreTokenizerStep::Metaspace { .. }))
    }

    /// True when the first step changes the text (see [`PreTokenizer::rewrite`]).
    pub fn rewrites(&self) -> bool {
        self.steps.first().is_some_and(PreTokenizerStep::rewrites)
    }

    /// The text the splitting steps see, when the first step changes it (as HF does per text
    /// between added tokens): `ByteLevel(add_prefix_space)` puts a space before a text that does
    /// not start with one; `Metaspace` turns spaces into its replacement and puts one before the
    /// text (always, or only for the text at the start of the input: `at_start`). A char put
    /// before the text stands for the text's first char, as in HF. `None`: unchanged.
    pub fn rewrite(&self, text: &str, at_start: bool) -> Option<Rewritten> {
        let (prefix, replace) = match self.steps.first()? {
            PreTokenizerStep::ByteLevel {
                add_prefix_space: true,
                ..
            } => ((!text.starts_with(' ')).then_some(' '), None),
            PreTokenizerStep::Metaspace {
                replacement,
                prepend_scheme,
                ..
            } => {
                let lead = !text.starts_with([' ', *replacement])
                    && match prepend_scheme {
                        PrependScheme::Always => true,
                        PrependScheme::First => at_start,
                        PrependScheme::Never => false,
                    };
                (lead.then_some(*replacement), Some(*replacement))
            }
            _ => return None,
        };
        if prefix.is_none() && (replace.is_none() || !text.contains(' ')) {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 4);
        let mut source = Vec::with_capacity(text.len() + 4);
        let first = text.chars().next().map_or(0, char::len_utf8) as u32;
        let mut put = |out: &mut String, c: char, range: (u32, u32)| {
            out.push(c);
            source.extend(std::iter::repeat_n(range, c.len_utf8()));
        };
        if let Some(p) = prefix {
            put(&mut out, p, (0, first));
        }
        for (i, c) in text.char_indices() {
            let range = (i as u32, (i + c.len_utf8()) as u32);
            match replace {
                Some(r) if c == ' ' => put(&mut out, r, range),
                _ => put(&mut out, c, range),
            }
        }
        Some(Rewritten { text: out, source })
    }

    /// The well-known split pattern of a byte-level pre-tokenizer made of one, if it is.
    pub fn split_pattern(&self) -> Option<SplitPattern> {
        match self.splitters.as_slice() {
            [i] => match &self.steps[*i] {
                PreTokenizerStep::ByteLevel {
                    use_regex: true, ..
                } => Some(SplitPattern::Gpt2),
                PreTokenizerStep::Split {
                    pattern,
                    behavior: SplitBehavior::Isolated,
                    invert: false,
                } => pattern.known_pattern(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The original split regex of a byte-level pre-tokenizer with a well-known pattern.
    pub fn regex_pattern(&self) -> Option<&'static str> {
        self.split_pattern().map(SplitPattern::pattern)
    }

    /// Calls `f(start, end)` with the byte range of each piece of `text`, left to right.
    pub fn for_each_piece(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match self.splitters.as_slice() {
            [] => {
                if !text.is_empty() {
                    f(0, text.len());
                }
            }
            [only] => self.steps[*only].for_each_piece(text, f),
            [first, rest @ ..] => {
                let mut pieces = Vec::new();
                self.steps[*first].for_each_piece(text, |s, e| pieces.push((s, e)));
                for &i in rest {
                    let mut next = Vec::with_capacity(pieces.len());
                    for (s, e) in pieces {
                        self.steps[i].for_each_piece(&text[s..e], |a, b| next.push((s + a, s + b)));
                    }
                    pieces = next;
                }
                for (s, e) in pieces {
                    f(s, e);
                }
            }
        }
    }

    /// The byte ranges of the pieces of `text`.
    pub fn pieces(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.for_each_piece(text, |s, e| out.push((s, e)));
        out
    }

    /// The pieces of `text` as string slices.
    pub fn piece_strs<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.for_each_piece(text, |s, e| out.push(&text[s..e]));
        out
    }

    /// The HF JSON: one step as itself, several as a `Sequence`; no step is `null`.
    pub fn to_hf_json(&self) -> Value {
        match self.steps.as_slice() {
            [] => Value::Null,
            [one] => one.to_hf_json(),
            many => json!({"type": "Sequence",
                           "pretokenizers": many.iter().map(PreTokenizerStep::to_hf_json).collect::<Vec<_>>()}),
        }
    }

    /// Reads HF JSON (`null` is no pre-tokenizer); an unsupported component is an
    /// [`Error::CorruptModel`] naming it.
    pub fn from_hf_json(v: &Value, source: &str) -> Result<Self> {
        let mut steps = Vec::new();
        if !v.is_null() {
            PreTokenizerStep::from_hf_json(v, &mut steps, source)?;
        }
        Self::new(steps).map_err(|e| Error::corrupt(source, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_round_trips() {
        let t = bytes_to_unicode();
        for b in 0..=255u8 {
            assert_eq!(unicode_to_byte(t[b as usize]), Some(b));
        }
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[b'a' as usize], 'a');
        assert_eq!(t[0xad], '\u{143}');
        assert_eq!(unicode_to_byte('\u{144}'), None);
        assert_eq!(unicode_to_byte(' '), None);
        let distinct: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn gpt2_lookahead() {
        let p = PreTokenizer::byte_level(SplitPattern::Gpt2);
        assert_eq!(p.piece_strs("a   b"), ["a", "  ", " b"]);
        assert_eq!(p.piece_strs("a\n\nb"), ["a", "\n", "\n", "b"]);
        assert_eq!(p.piece_strs("a  "), ["a", "  "]);
        assert_eq!(p.piece_strs("I'll 123"), ["I", "'ll", " 123"]);
        assert_eq!(p.piece_strs(""), Vec::<&str>::new());
    }

    #[test]
    fn cl100k_newlines() {
        let p = PreTokenizer::byte_level(SplitPattern::Cl100k);
        assert_eq!(p.piece_strs("a \n\n b"), ["a", " \n\n", " b"]);
        assert_eq!(p.piece_strs("x  \r"), ["x", "  \r"]);
        assert_eq!(p.piece_strs("a\n  "), ["a", "\n", "  "]);
        assert_eq!(p.piece_strs("12345 I'LL"), ["123", "45", " I", "'LL"]);
        let q = PreTokenizer::byte_level(SplitPattern::Qwen);
        assert_eq!(
            q.piece_strs("12345 I'LL"),
            ["1", "2", "3", "4", "5", " I", "'LL"]
        );
    }

    #[test]
    fn bert_and_whitespace() {
        let b = PreTokenizer::bert();
        assert_eq!(
            b.piece_strs("Hello, world!  ¿qué?"),
            ["Hello", ",", "world", "!", "¿", "qué", "?"]
        );
        let w = PreTokenizer::whitespace();
        assert_eq!(w.piece_strs(" a\u{3000}b\tc\u{85}d "), ["a", "b", "c", "d"]);
    }

    #[test]
    fn hf_whitespace_digits_punctuation() {
        let p = PreTokenizer::new(vec![PreTokenizerStep::Whitespace]).unwrap();
        assert_eq!(
            p.piece_strs("Hey man!! ça va? x_1"),
            ["Hey", "man", "!!", "ça", "va", "?", "x_1"]
        );
        let d = PreTokenizer::new(vec![
            PreTokenizerStep::WhitespaceSplit,
            PreTokenizerStep::Digits { individual: true },
        ])
        .unwrap();
        assert_eq!(d.piece_strs("abc123 45"), ["abc", "1", "2", "3", "4", "5"]);
        let c = PreTokenizer::new(vec![PreTokenizerStep::Digits { individual: false }]).unwrap();
        assert_eq!(c.piece_strs("abc123d"), ["abc", "123", "d"]);
        let pu = PreTokenizer::new(vec![PreTokenizerStep::Punctuation(SplitBehavior::Isolated)])
            .unwrap();
        assert_eq!(pu.piece_strs("a,b.."), ["a", ",", "b", ".", "."]);
    }

    #[test]
    fn names_round_trip_through_the_table() {
        for name in PreTokenizer::names() {
            let p = PreTokenizer::named(name).unwrap();
            let back = p.name().unwrap();
            assert_eq!(PreTokenizer::named(back).unwrap(), p);
            let json = p.to_hf_json();
            assert_eq!(PreTokenizer::from_hf_json(&json, "t").unwrap(), p);
        }
        assert!(PreTokenizer::named("nope").is_none());
    }

    #[test]
    fn regex_pattern_is_original() {
        assert!(PreTokenizer::byte_level(SplitPattern::O200k)
            .regex_pattern()
            .is_some_and(|p| p.ends_with(r"|\s+(?!\S)|\s+")));
        assert!(PreTokenizer::bert().regex_pattern().is_none());
    }

    #[test]
    fn unsupported_component_is_named() {
        let e = PreTokenizer::from_hf_json(&json!({"type": "CharDelimiterSplit"}), "f.json")
            .unwrap_err();
        assert!(e.to_string().contains("CharDelimiterSplit"), "{e}");
        let m = json!({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"});
        let p = PreTokenizer::from_hf_json(&m, "f.json").unwrap();
        let r = p.rewrite("a b", true).unwrap();
        assert_eq!(r.text, "▁a▁b");
        assert_eq!(r.source_range(0, 4), (0, 1));
        assert!(p.rewrite("a", false).is_none());
        assert_eq!(p.piece_strs("▁a▁b"), ["▁a", "▁b"]);
    }
}
