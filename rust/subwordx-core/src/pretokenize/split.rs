//! HF `Split`: a pattern (a literal string or a regex) and what to do with its matches.
//!
//! The pattern's matches and the gaps between them tile the text. The behaviour decides which
//! tiles become pieces, as in HF `tokenizers` (`SplitDelimiterBehavior`):
//!
//! * `Isolated`: every match and every gap is a piece.
//! * `Removed`: gaps are pieces, matches are dropped.
//! * `MergedWithPrevious`: a match joins the gap before it.
//! * `MergedWithNext`: a match joins the piece after it.
//! * `Contiguous`: consecutive matches form one piece.
//!
//! `invert` swaps matches and gaps first. Empty pieces are dropped.
//!
//! Regexes run on the `regex` crate (a finite automaton: linear time) when they compile there, and
//! on `fancy-regex` (backtracking, for look-arounds and back-references) otherwise. The byte-level
//! patterns of well-known models are recognised by their source text and run on hand-written
//! splitters ([`SplitPattern`]), several times faster than either engine.

use serde::{Deserialize, Serialize};

use super::patterns::SplitPattern;
use crate::{Error, Result};

/// What a `Split` does with the matches of its pattern (HF's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitBehavior {
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

impl SplitBehavior {
    /// Reads HF's spelling (`"Isolated"`; older files write `"isolated"`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().replace('_', "").as_str() {
            "removed" => SplitBehavior::Removed,
            "isolated" => SplitBehavior::Isolated,
            "mergedwithprevious" => SplitBehavior::MergedWithPrevious,
            "mergedwithnext" => SplitBehavior::MergedWithNext,
            "contiguous" => SplitBehavior::Contiguous,
            _ => return None,
        })
    }

    /// HF's spelling.
    pub fn name(self) -> &'static str {
        match self {
            SplitBehavior::Removed => "Removed",
            SplitBehavior::Isolated => "Isolated",
            SplitBehavior::MergedWithPrevious => "MergedWithPrevious",
            SplitBehavior::MergedWithNext => "MergedWithNext",
            SplitBehavior::Contiguous => "Contiguous",
        }
    }
}

/// How a pattern is written in the file: a literal, or a regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternSource {
    String(String),
    Regex(String),
}

impl PatternSource {
    /// HF's JSON: `{"String": "..."}` or `{"Regex": "..."}`.
    pub fn to_hf_json(&self) -> serde_json::Value {
        match self {
            PatternSource::String(s) => serde_json::json!({ "String": s }),
            PatternSource::Regex(r) => serde_json::json!({ "Regex": r }),
        }
    }

    /// Reads HF's JSON; `None` if it is neither form.
    pub fn from_hf_json(v: &serde_json::Value) -> Option<Self> {
        if let Some(s) = v.get("String").and_then(serde_json::Value::as_str) {
            Some(PatternSource::String(s.to_owned()))
        } else {
            v.get("Regex")
                .and_then(serde_json::Value::as_str)
                .map(|r| PatternSource::Regex(r.to_owned()))
        }
    }
}

#[derive(Clone, Debug)]
enum Engine {
    Known(SplitPattern),
    Literal(String),
    Automaton(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

/// A compiled split pattern.
#[derive(Clone, Debug)]
pub struct SplitRegex {
    source: PatternSource,
    engine: Engine,
}

impl PartialEq for SplitRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl SplitRegex {
    /// Compiles `source`; a regex no engine accepts is an [`Error::InvalidArgument`].
    pub fn new(source: PatternSource) -> Result<Self> {
        let engine = match &source {
            PatternSource::String(s) => Engine::Literal(s.clone()),
            PatternSource::Regex(r) => {
                if let Some(known) = SplitPattern::recognize(r) {
                    Engine::Known(known)
                } else if let Ok(re) = regex::Regex::new(r) {
                    Engine::Automaton(re)
                } else {
                    let re = fancy_regex::Regex::new(r)
                        .map_err(|e| Error::invalid(format!("split regex {r:?}: {e}")))?;
                    Engine::Backtracking(re)
                }
            }
        };
        Ok(Self { source, engine })
    }

    /// A well-known pattern.
    pub fn known(pattern: SplitPattern) -> Self {
        Self {
            source: PatternSource::Regex(pattern.pattern().to_owned()),
            engine: Engine::Known(pattern),
        }
    }

    pub fn source(&self) -> &PatternSource {
        &self.source
    }

    /// The well-known pattern this is, if any.
    pub fn known_pattern(&self) -> Option<SplitPattern> {
        match self.engine {
            Engine::Known(p) => Some(p),
            _ => None,
        }
    }

    /// Calls `f(start, end)` for each match, left to right.
    pub fn for_each_match(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match &self.engine {
            Engine::Known(p) => p.for_each_match(text, f),
            Engine::Literal(s) if s.is_empty() => {}
            Engine::Literal(s) => {
                for (i, _) in text.match_indices(s.as_str()) {
                    f(i, i + s.len());
                }
            }
            Engine::Automaton(re) => {
                for m in re.find_iter(text) {
                    f(m.start(), m.end());
                }
            }
            Engine::Backtracking(re) => {
                // A match that exceeds the backtracking limit ends the matches: the rest of the
                // text is one gap. Only pathological user regexes get there.
                for m in re.find_iter(text).map_while(std::result::Result::ok) {
                    f(m.start(), m.end());
                }
            }
        }
    }

    /// True when the matches are known to tile every text (the well-known patterns), so that an
    /// `Isolated` split is just the matches.
    pub(super) fn tiles(&self) -> bool {
        matches!(self.engine, Engine::Known(_))
    }
}

/// Applies `behavior` (after `invert`) to the matches `for_each_match` reports in `text`, calling
/// `f(start, end)` for each non-empty piece.
pub(super) fn split_with(
    text: &str,
    for_each_match: impl FnOnce(&mut dyn FnMut(usize, usize)),
    behavior: SplitBehavior,
    invert: bool,
    mut f: impl FnMut(usize, usize),
) {
    // Tiles of the text: (start, end, is_match).
    let mut tiles: Vec<(usize, usize, bool)> = Vec::new();
    let mut last = 0;
    for_each_match(&mut |s, e| {
        if s > last {
            tiles.push((last, s, false));
        }
        tiles.push((s, e, true));
        last = e;
    });
    if last < text.len() {
        tiles.push((last, text.len(), false));
    }
    if invert {
        for t in &mut tiles {
            t.2 = !t.2;
        }
    }
    let mut pieces: Vec<(usize, usize, bool)> = Vec::with_capacity(tiles.len());
    match behavior {
        SplitBehavior::Isolated => pieces.extend(tiles.iter().map(|&(s, e, _)| (s, e, false))),
        SplitBehavior::Removed => pieces = tiles,
        SplitBehavior::Contiguous => {
            let mut previous_match = false;
            for (s, e, m) in tiles {
                match pieces.last_mut() {
                    Some(last) if m == previous_match => last.1 = e,
                    _ => pieces.push((s, e, false)),
                }
                previous_match = m;
            }
        }
        SplitBehavior::MergedWithPrevious => {
            let mut previous_match = false;
            for (s, e, m) in tiles {
                match pieces.last_mut() {
                    Some(last) if m && !previous_match => last.1 = e,
                    _ => pieces.push((s, e, false)),
                }
                previous_match = m;
            }
        }
        SplitBehavior::MergedWithNext => {
            let mut previous_match = false;
            for (s, e, m) in tiles.into_iter().rev() {
                match pieces.last_mut() {
                    Some(last) if m && !previous_match => last.0 = s,
                    _ => pieces.push((s, e, false)),
                }
                previous_match = m;
            }
            pieces.reverse();
        }
    }
    for (s, e, removed) in pieces {
        if !removed && e > s {
            f(s, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, pat: &str, b: SplitBehavior, invert: bool) -> Vec<String> {
        let re = SplitRegex::new(PatternSource::String(pat.to_owned())).unwrap();
        let mut out = Vec::new();
        split_with(
            text,
            |f| re.for_each_match(text, f),
            b,
            invert,
            |s, e| out.push(text[s..e].to_owned()),
        );
        out
    }

    /// The examples of HF's `SplitDelimiterBehavior` docs.
    #[test]
    fn behaviors_as_hf() {
        use SplitBehavior::*;
        let t = "the-final--countdown";
        assert_eq!(run(t, "-", Removed, false), ["the", "final", "countdown"]);
        assert_eq!(
            run(t, "-", Isolated, false),
            ["the", "-", "final", "-", "-", "countdown"]
        );
        assert_eq!(
            run(t, "-", MergedWithPrevious, false),
            ["the-", "final-", "-", "countdown"]
        );
        assert_eq!(
            run(t, "-", MergedWithNext, false),
            ["the", "-final", "-", "-countdown"]
        );
        assert_eq!(
            run(t, "-", Contiguous, false),
            ["the", "-", "final", "--", "countdown"]
        );
        assert_eq!(run(t, "-", Removed, true), ["-", "-", "-"]);
    }
}
