//! The well-known byte-level split patterns (GPT-2, cl100k, o200k, Qwen), run without a
//! backtracking engine.
//!
//! Background, from when these were the only byte-level pre-tokenizers:
//!
//! * [`PreTokenizer::Whitespace`]: maximal runs of chars that are not [`char::is_whitespace`]
//!   (HF `WhitespaceSplit`). Note that Python's `str.split()` also splits on U+001C..U+001F, which
//!   are not Unicode `White_Space`; we follow Rust and HF.
//! * [`PreTokenizer::Bert`]: whitespace separates and is dropped; every punctuation char (ASCII
//!   punctuation or general category P*) is a piece of its own (HF `BertPreTokenizer`).
//! * [`PreTokenizer::ByteLevel`]: the split regexes of GPT-2, `cl100k_base` and `o200k_base`; every match
//!   is a piece (tiktoken, HF `ByteLevel(add_prefix_space=False, use_regex=True)` and
//!   `Split(Regex(..), "isolated")`).
//!
//! ## The `\s+(?!\S)` lookahead without a backtracking engine
//!
//! All three byte-level patterns end with `\s+(?!\S)|\s+`: "a run of whitespace, but leave its last
//! char for the next piece when a non-space follows", so that `"a   b"` splits as `a`, `  `, ` b` and
//! the space glues to the word. The `regex` crate (a finite automaton, linear time, fast) has no
//! lookaround; `fancy-regex` has, but backtracks and is several times slower. We compile the pattern
//! with the tail replaced by `\s+` and emulate the lookahead after each match:
//!
//! > a match whose last char is whitespace other than `\r`/`\n`, that is at least two chars long and
//! > is not at the end of the text, gives back its last char, and the next search starts there.
//!
//! Why this is exact. Every char of a line is matched by some alternative, so matches tile the text
//! and both engines try the same alternatives, in the same order, at the same start positions; they
//! can only differ when the whitespace tail is what matched. That tail is reached only when every
//! earlier alternative failed, and then `\s+` is the maximal whitespace run `p..q`. The original
//! `\s+(?!\S)` backtracks from `q`: if `q` is the end of the text or the run is one char long it
//! keeps `p..q` (`\s+` fallback for the latter), otherwise the char at `q` is a non-space and it ends
//! one char earlier, at `q - 1`, where a whitespace char follows — exactly the rule above. The
//! rule must not fire on matches of other alternatives: those end in a letter, digit or symbol,
//! except `\s*[\r\n]+` and `[\r\n]*`-suffixed ones (cl100k, o200k), which end in `\r` or `\n` — hence
//! the exclusion. In GPT-2, whose pattern has no newline alternative, `\n` is plain whitespace and
//! the rule applies to it too. The cargo test `tests/pretokenize_parity.rs` checks this against
//! `fancy-regex` running the original patterns on random strings, and against HF `tokenizers` via
//! the golden cases in `tests/fixtures/pretokenize_cases.json`.
//!
//! ## Which cl100k pattern
//!
//! Recent tiktoken ships a rewritten cl100k pattern (possessive quantifiers and `\s++$` before
//! `\s*[\r\n]`). It differs from the original (used by HF `tokenizer.json` files of cl100k models)
//! on trailing whitespace that holds a newline followed by spaces: `"a\n  "` is `a`, `\n`, `  ` with
//! the original and `a`, `\n  ` with the new one. We implement and export the original, so that a
//! `tokenizer.json` we write behaves the same in HF `tokenizers`. Inside a line read from a file (no
//! `\n`), the two only differ for a `\r` followed by trailing spaces.
//!
//! Cost: one linear scan per line; the whitespace and BERT splitters are hand-written loops.
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The split regex of a byte-level pre-tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitPattern {
    Gpt2,
    Cl100k,
    O200k,
    /// Qwen2's pattern: cl100k's with one digit per piece (`\p{N}` for `\p{N}{1,3}`).
    Qwen,
}

/// GPT-2's pattern, as in HF `ByteLevel` (and equivalent to tiktoken's r50k/p50k pattern).
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// `cl100k_base`'s original pattern (see the module docs for tiktoken's rewritten variant).
pub const CL100K_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// `o200k_base`'s pattern, as in tiktoken.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}",
    r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"|\s*[\r\n]+",
    r"|\s+(?!\S)",
    r"|\s+"
);

/// Qwen2's pattern: cl100k's with `\p{N}` in place of `\p{N}{1,3}`.
pub const QWEN_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// GPT-2's pattern as HF's converters write it (`'(?:[sdmt]|ll|ve|re)` for the contractions):
/// the same language as [`GPT2_PATTERN`].
pub const GPT2_PATTERN_GROUPED: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// The original pattern with its `\s+(?!\S)|\s+` tail replaced by `\s+` (the lookahead is
/// emulated in [`for_each_regex_piece`]).
fn automaton_pattern(original: &str) -> String {
    original.replace(r"|\s+(?!\S)|\s+", r"|\s+")
}

impl SplitPattern {
    /// The original pattern string (with its lookahead), e.g. for an HF `tokenizer.json`.
    pub fn pattern(self) -> &'static str {
        match self {
            SplitPattern::Gpt2 => GPT2_PATTERN,
            SplitPattern::Cl100k => CL100K_PATTERN,
            SplitPattern::O200k => O200K_PATTERN,
            SplitPattern::Qwen => QWEN_PATTERN,
        }
    }

    /// The compiled lookahead-free regex, built once per process.
    fn regex(self) -> &'static Regex {
        static GPT2: OnceLock<Regex> = OnceLock::new();
        static CL100K: OnceLock<Regex> = OnceLock::new();
        static O200K: OnceLock<Regex> = OnceLock::new();
        static QWEN: OnceLock<Regex> = OnceLock::new();
        let cell = match self {
            SplitPattern::Gpt2 => &GPT2,
            SplitPattern::Cl100k => &CL100K,
            SplitPattern::O200k => &O200K,
            SplitPattern::Qwen => &QWEN,
        };
        cell.get_or_init(|| {
            // The patterns are constants checked by the tests; failing here is a bug in this file.
            Regex::new(&automaton_pattern(self.pattern())).expect("built-in split pattern compiles")
        })
    }

    /// True when `\n` and `\r` are matched by their own alternatives (cl100k, o200k) and so must
    /// not trigger the lookahead emulation.
    fn has_newline_alternative(self) -> bool {
        !matches!(self, SplitPattern::Gpt2)
    }

    /// The known pattern whose source is `pattern` (as written in a `tokenizer.json`), if any.
    pub fn recognize(pattern: &str) -> Option<SplitPattern> {
        [
            (GPT2_PATTERN, SplitPattern::Gpt2),
            (GPT2_PATTERN_GROUPED, SplitPattern::Gpt2),
            (CL100K_PATTERN, SplitPattern::Cl100k),
            (O200K_PATTERN, SplitPattern::O200k),
            (QWEN_PATTERN, SplitPattern::Qwen),
        ]
        .into_iter()
        .find_map(|(p, known)| (p == pattern).then_some(known))
    }

    /// The short name (`gpt2`, `cl100k`, `o200k`, `qwen`).
    pub fn name(self) -> &'static str {
        match self {
            SplitPattern::Gpt2 => "gpt2",
            SplitPattern::Cl100k => "cl100k",
            SplitPattern::O200k => "o200k",
            SplitPattern::Qwen => "qwen",
        }
    }

    /// Calls `f(start, end)` for every match of the pattern in `text`, left to right. The matches
    /// tile the text (every char is matched by some alternative).
    pub fn for_each_match(self, text: &str, f: impl FnMut(usize, usize)) {
        match self {
            SplitPattern::Gpt2 if text.is_ascii() => for_each_gpt2_ascii_piece(text.as_bytes(), f),
            _ => for_each_regex_piece(self, text, f),
        }
    }
}


/// The char starting at byte `i` of `text` (`i` must be a char boundary).
pub(super) fn decode_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\u{0}')
}

/// The last char of `text[..end]`.
fn last_char(text: &str, end: usize) -> Option<char> {
    text[..end].chars().next_back()
}

/// The matches of a byte-level split pattern, with the `\s+(?!\S)` lookahead emulated (module docs).
pub(super) fn for_each_regex_piece(pattern: SplitPattern, text: &str, mut f: impl FnMut(usize, usize)) {
    let re = pattern.regex();
    let newline_alt = pattern.has_newline_alternative();
    let mut pos = 0;
    while pos < text.len() {
        let Some(m) = re.find_at(text, pos) else {
            break;
        };
        let (start, mut end) = (m.start(), m.end());
        if end < text.len() {
            if let Some(last) = last_char(text, end) {
                let last_len = last.len_utf8();
                if last.is_whitespace()
                    && !(newline_alt && (last == '\r' || last == '\n'))
                    && end - start > last_len
                {
                    end -= last_len;
                }
            }
        }
        if end == start {
            // Unreachable with the built-in patterns (no empty matches); never loop forever.
            pos = end + decode_at(text, end).len_utf8();
            continue;
        }
        f(start, end);
        pos = end;
    }
}

/// Byte classes of the GPT-2 pattern restricted to ASCII: `\p{L}` is `[A-Za-z]`, `\p{N}` is
/// `[0-9]`, `\s` is `[\t\n\x0B\x0C\r ]`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AsciiClass {
    Letter,
    Digit,
    Space,
    Other,
}

fn ascii_class(b: u8) -> AsciiClass {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => AsciiClass::Letter,
        b'0'..=b'9' => AsciiClass::Digit,
        b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => AsciiClass::Space,
        _ => AsciiClass::Other,
    }
}

/// The GPT-2 split of an ASCII line, hand-written: the same pieces as the regex (checked by the
/// parity tests), several times faster, since most lines of most corpora are ASCII.
pub(super) fn for_each_gpt2_ascii_piece(b: &[u8], mut f: impl FnMut(usize, usize)) {
    let n = b.len();
    let run = |mut j: usize, class: AsciiClass| {
        while j < n && ascii_class(b[j]) == class {
            j += 1;
        }
        j
    };
    let mut i = 0;
    while i < n {
        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive in GPT-2).
        if b[i] == b'\'' && i + 1 < n {
            let len = match (b[i + 1], b.get(i + 2)) {
                (b's' | b't' | b'm' | b'd', _) => 2,
                (b'r' | b'v', Some(b'e')) | (b'l', Some(b'l')) => 3,
                _ => 0,
            };
            if len > 0 {
                f(i, i + len);
                i += len;
                continue;
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
        let body = if b[i] == b' ' && i + 1 < n && ascii_class(b[i + 1]) != AsciiClass::Space {
            i + 1
        } else {
            i
        };
        let class = ascii_class(b[body]);
        let end = if class == AsciiClass::Space {
            // `\s+(?!\S)|\s+`: a run followed by a non-space gives back its last char.
            let q = run(i, AsciiClass::Space);
            if q < n && q - i >= 2 {
                q - 1
            } else {
                q
            }
        } else {
            run(body, class)
        };
        f(i, end);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written ASCII GPT-2 splitter equals the regex on random ASCII strings.
    #[test]
    fn gpt2_ascii_scanner_equals_regex() {
        let alphabet = b" \t\r\n\x0bsStTmMdDrRvVeElL'aZ09!/.,-_";
        let mut x = 5u64;
        for _ in 0..50_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (x >> 60) as usize;
            let s: String = (0..len)
                .map(|k| {
                    let r = x.rotate_left(7 * k as u32 + 3) ^ (x >> 17);
                    char::from(alphabet[(r % alphabet.len() as u64) as usize])
                })
                .collect();
            let mut fast = Vec::new();
            for_each_gpt2_ascii_piece(s.as_bytes(), |a, b| fast.push((a, b)));
            let mut slow = Vec::new();
            for_each_regex_piece(SplitPattern::Gpt2, &s, |a, b| slow.push((a, b)));
            assert_eq!(fast, slow, "{s:?}");
        }
    }
}
