//! The byte-level split patterns of well-known models, by name.
//!
//! Each is recognised by its source text (as a `tokenizer.json` or tiktoken writes it) and runs on
//! an exact hand-written splitter ([`super::fast`]), several times faster than a regex engine.
//!
//! ## Which cl100k pattern
//!
//! Recent tiktoken ships a rewritten cl100k pattern (possessive quantifiers and `\s++$` before
//! `\s*[\r\n]`). It differs from the original (used by HF `tokenizer.json` files of cl100k models)
//! on trailing whitespace that holds a newline: `"a\n  "` is `a`, `\n`, `  ` with the original and
//! `a`, `\n  ` with the new one. Both exist here: [`SplitPattern::Cl100k`] (HF files, training with
//! `pre_tokenizer="cl100k"`) and [`SplitPattern::Cl100kTiktoken`] (tiktoken rank files), each exact
//! for the files that use it.

use serde::{Deserialize, Serialize};

use super::fast;
pub use super::fast::{
    CL100K_PATTERN, CL100K_TIKTOKEN_PATTERN, GPT2_PATTERN, O200K_PATTERN, QWEN_PATTERN,
    R50K_TIKTOKEN_PATTERN,
};

/// GPT-2's pattern as HF's tiktoken converter writes it (`'(?:[sdmt]|ll|ve|re)` for the
/// contractions): the same pieces as [`GPT2_PATTERN`].
pub const GPT2_PATTERN_GROUPED: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// [`CL100K_TIKTOKEN_PATTERN`] as written to `tokenizer.json`: tiktoken's `\p{N}{1,3}+` is
/// possessive, but HF's Oniguruma (Ruby syntax) reads `{1,3}+` as `(?:{1,3})+`. Nothing follows it
/// in its alternative, so plain `{1,3}` means the same to both engines.
pub const CL100K_TIKTOKEN_PATTERN_HF: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// The split regex of a byte-level pre-tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitPattern {
    Gpt2,
    Cl100k,
    O200k,
    /// Qwen2's pattern: cl100k's with one digit per piece (`\p{N}` for `\p{N}{1,3}`).
    Qwen,
    /// tiktoken's current rewrite of cl100k's pattern (see the module docs).
    Cl100kTiktoken,
}

impl SplitPattern {
    /// The pattern's source (with its lookahead) as an HF `tokenizer.json` holds it.
    pub fn pattern(self) -> &'static str {
        match self {
            SplitPattern::Gpt2 => GPT2_PATTERN,
            SplitPattern::Cl100k => CL100K_PATTERN,
            SplitPattern::O200k => O200K_PATTERN,
            SplitPattern::Qwen => QWEN_PATTERN,
            SplitPattern::Cl100kTiktoken => CL100K_TIKTOKEN_PATTERN_HF,
        }
    }

    /// The known pattern whose source is `pattern` (as written in a `tokenizer.json`), if any.
    pub fn recognize(pattern: &str) -> Option<SplitPattern> {
        [
            (GPT2_PATTERN, SplitPattern::Gpt2),
            (GPT2_PATTERN_GROUPED, SplitPattern::Gpt2),
            (R50K_TIKTOKEN_PATTERN, SplitPattern::Gpt2),
            (CL100K_PATTERN, SplitPattern::Cl100k),
            (CL100K_TIKTOKEN_PATTERN, SplitPattern::Cl100kTiktoken),
            (CL100K_TIKTOKEN_PATTERN_HF, SplitPattern::Cl100kTiktoken),
            (O200K_PATTERN, SplitPattern::O200k),
            (QWEN_PATTERN, SplitPattern::Qwen),
        ]
        .into_iter()
        .find_map(|(p, known)| (p == pattern).then_some(known))
    }

    /// The short name (`gpt2`, `cl100k`, `o200k`, `qwen`, `cl100k_tiktoken`).
    pub fn name(self) -> &'static str {
        match self {
            SplitPattern::Gpt2 => "gpt2",
            SplitPattern::Cl100k => "cl100k",
            SplitPattern::O200k => "o200k",
            SplitPattern::Qwen => "qwen",
            SplitPattern::Cl100kTiktoken => "cl100k_tiktoken",
        }
    }

    /// Calls `f(start, end)` for every match of the pattern in `text`, left to right. The matches
    /// tile the text (every char is matched by some alternative).
    #[inline]
    pub fn for_each_match(self, text: &str, f: impl FnMut(usize, usize)) {
        match self {
            SplitPattern::Gpt2 => fast::for_each_gpt2_piece(text, f),
            SplitPattern::Cl100k => fast::for_each_cl100k_piece(text, f),
            SplitPattern::O200k => fast::for_each_o200k_piece(text, f),
            SplitPattern::Qwen => fast::for_each_qwen_piece(text, f),
            SplitPattern::Cl100kTiktoken => fast::for_each_cl100k_tiktoken_piece(text, f),
        }
    }
}
