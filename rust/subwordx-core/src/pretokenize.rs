//! Pre-tokenizers: split a (normalized) line into pieces that BPE never merges across.
//! (Interface; implementation pending.)
use serde::{Deserialize, Serialize};

/// The split regex of a byte-level pre-tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitPattern {
    Gpt2,
    Cl100k,
    O200k,
}

/// How a line is split into pieces (see docs/bpe.md §1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "pattern")]
pub enum PreTokenizer {
    Whitespace,
    Bert,
    ByteLevel(SplitPattern),
}

impl PreTokenizer {
    pub fn is_byte_level(&self) -> bool {
        matches!(self, PreTokenizer::ByteLevel(_))
    }

    /// Calls `f(start, end)` with the byte range of each piece of `text`, left to right.
    pub fn for_each_piece(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        let _ = self;
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    f(s, i);
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            f(s, text.len());
        }
    }

    /// The byte ranges of the pieces of `text`.
    pub fn pieces(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.for_each_piece(text, |s, e| out.push((s, e)));
        out
    }
}
