//! Phrase detection (word2phrase / gensim `Phrases`): frequent bigrams become single tokens `a_b`.
//!
//! Learning counts unigrams and adjacent bigrams inside sentences (sentences as in
//! [`crate::corpus::words`]: lines, cut at 10,000 words). A bigram `ab` is a phrase when
//! `count(ab) >= min_count` and its score is strictly above `threshold`:
//!
//! * `default` (word2phrase): `(count(ab) - min_count) / (count(a) * count(b)) * train_words`;
//! * `npmi`: `ln(p(ab) / (p(a) p(b))) / -ln(p(ab))`, with `p(x) = count(x) / train_words`;
//!
//! where `train_words` is the number of words read. Scores are computed in f64. Applying scans a
//! sentence left to right: when the current and the next word form a phrase, it emits
//! `a<delimiter>b` and skips both; otherwise it emits the word. Longer phrases come from several
//! passes, each learning on the previous pass's output (e.g. `apply_file` to a temporary file and
//! learn again). Counting is exact (no pruning) and parallel over byte ranges of the files.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::corpus::files::whole_files;
use crate::corpus::words::{read_parallel, read_ranges, WordSink};
use crate::corpus::Utf8Errors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// How bigrams are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// word2phrase's score (default threshold 10).
    #[default]
    Default,
    /// Normalised pointwise mutual information in [-1, 1] (default threshold 0.5).
    Npmi,
}

impl std::str::FromStr for Scoring {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "default" => Ok(Self::Default),
            "npmi" => Ok(Self::Npmi),
            other => Err(Error::invalid(format!(
                "scoring must be \"default\" or \"npmi\", not {other:?}"
            ))),
        }
    }
}

/// Parameters of phrase detection.
#[derive(Debug, Clone, PartialEq)]
pub struct PhrasesConfig {
    pub min_count: u64,
    /// `None`: 10 for `default`, 0.5 for `npmi`.
    pub threshold: Option<f64>,
    pub scoring: Scoring,
    pub delimiter: String,
}

impl Default for PhrasesConfig {
    fn default() -> Self {
        Self {
            min_count: 5,
            threshold: None,
            scoring: Scoring::Default,
            delimiter: "_".into(),
        }
    }
}

impl PhrasesConfig {
    pub fn threshold(&self) -> f64 {
        self.threshold.unwrap_or(match self.scoring {
            Scoring::Default => 10.0,
            Scoring::Npmi => 0.5,
        })
    }

    fn validate(&self) -> Result<()> {
        if self.threshold.is_some_and(f64::is_nan) {
            return Err(Error::invalid("threshold must be a number"));
        }
        if self.delimiter.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "the phrase delimiter must not contain whitespace",
            ));
        }
        Ok(())
    }
}

/// Words numbered in order of first sight, so that bigrams are keyed by two `u32`s.
#[derive(Debug, Default, Clone)]
struct Interner {
    ids: FxHashMap<String, u32>,
    words: Vec<String>,
}

impl Interner {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&i) = self.ids.get(w) {
            return i;
        }
        let i = self.words.len() as u32;
        self.ids.insert(w.to_owned(), i);
        self.words.push(w.to_owned());
        i
    }

    fn get(&self, w: &str) -> Option<u32> {
        self.ids.get(w).copied()
    }

    fn word(&self, i: u32) -> &str {
        &self.words[i as usize]
    }
}

/// Unigram and bigram counts with interned words.
#[derive(Debug, Default)]
struct Counts {
    words: Interner,
    unigrams: Vec<u64>,
    bigrams: FxHashMap<(u32, u32), u64>,
    prev: Option<u32>,
    total: u64,
}

impl Counts {
    fn intern(&mut self, w: &str) -> u32 {
        let i = self.words.intern(w);
        if i as usize == self.unigrams.len() {
            self.unigrams.push(0);
        }
        i
    }

    fn merge(&mut self, other: Counts) {
        let map: Vec<u32> = other.words.words.iter().map(|w| self.intern(w)).collect();
        for (i, &n) in other.unigrams.iter().enumerate() {
            self.unigrams[map[i] as usize] += n;
        }
        for ((a, b), n) in other.bigrams {
            *self
                .bigrams
                .entry((map[a as usize], map[b as usize]))
                .or_insert(0) += n;
        }
        self.total += other.total;
    }
}

impl WordSink for Counts {
    fn word(&mut self, w: &str) -> Result<()> {
        let id = self.intern(w);
        self.unigrams[id as usize] += 1;
        self.total += 1;
        if let Some(p) = self.prev {
            *self.bigrams.entry((p, id)).or_insert(0) += 1;
        }
        self.prev = Some(id);
        Ok(())
    }
    fn end_sentence(&mut self) -> Result<()> {
        self.prev = None;
        Ok(())
    }
}

/// A learned phrase table.
#[derive(Debug, Clone)]
pub struct Phrases {
    pub config: PhrasesConfig,
    /// Words that take part in some phrase.
    words: Interner,
    table: FxHashMap<(u32, u32), f64>,
}

impl Phrases {
    /// Learns from sentences in memory.
    pub fn learn_sentences<'a, I, S>(sentences: I, config: PhrasesConfig) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = &'a str>,
    {
        config.validate()?;
        let mut c = Counts::default();
        for s in sentences {
            for w in s {
                c.word(w)?;
            }
            c.end_sentence()?;
        }
        Self::from_counts(&c, config)
    }

    /// Learns from text files with `threads` threads.
    pub fn learn_files(
        paths: &[PathBuf],
        config: PhrasesConfig,
        errors: Utf8Errors,
        threads: usize,
        progress: &Progress,
    ) -> Result<Self> {
        config.validate()?;
        let counts = read_parallel(
            paths,
            threads,
            errors,
            progress,
            "counting bigrams",
            Counts::default,
        )?;
        let mut all = Counts::default();
        for c in counts {
            all.merge(c);
        }
        Self::from_counts(&all, config)
    }

    fn from_counts(c: &Counts, config: PhrasesConfig) -> Result<Self> {
        if c.total == 0 {
            return Err(Error::EmptyCorpus("the corpus contains no words".into()));
        }
        let threshold = config.threshold();
        let n = c.total as f64;
        let min_count = config.min_count;
        let mut found: Vec<(u32, u32, f64)> = Vec::new();
        for (&(a, b), &ab) in &c.bigrams {
            if ab < min_count {
                continue;
            }
            let (ca, cb, cab) = (
                c.unigrams[a as usize] as f64,
                c.unigrams[b as usize] as f64,
                ab as f64,
            );
            let score = match config.scoring {
                Scoring::Default => (cab - min_count as f64) / (ca * cb) * n,
                Scoring::Npmi => {
                    let pab = cab / n;
                    (pab / ((ca / n) * (cb / n))).ln() / -pab.ln()
                }
            };
            if score > threshold {
                found.push((a, b, score));
            }
        }
        let mut p = Phrases {
            config,
            words: Interner::default(),
            table: FxHashMap::default(),
        };
        for (a, b, s) in found {
            let a = p.words.intern(c.words.word(a));
            let b = p.words.intern(c.words.word(b));
            p.table.insert((a, b), s);
        }
        Ok(p)
    }

    /// A phrase table from exported rows `(a, b, score)`.
    pub fn from_table<I>(rows: I, config: PhrasesConfig) -> Result<Self>
    where
        I: IntoIterator<Item = (String, String, f64)>,
    {
        config.validate()?;
        let mut p = Phrases {
            config,
            words: Interner::default(),
            table: FxHashMap::default(),
        };
        for (a, b, s) in rows {
            if a.is_empty() || b.is_empty() {
                return Err(Error::invalid("phrase words must not be empty"));
            }
            let a = p.words.intern(&a);
            let b = p.words.intern(&b);
            p.table.insert((a, b), s);
        }
        Ok(p)
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The score of the bigram `a b` if it is a phrase.
    pub fn score(&self, a: &str, b: &str) -> Option<f64> {
        let a = self.words.get(a)?;
        let b = self.words.get(b)?;
        self.table.get(&(a, b)).copied()
    }

    /// The phrase table as `(a, b, score)`, by score descending, then `a`, then `b`.
    pub fn export(&self) -> Vec<(String, String, f64)> {
        let mut rows: Vec<(String, String, f64)> = self
            .table
            .iter()
            .map(|(&(a, b), &s)| {
                (
                    self.words.word(a).to_owned(),
                    self.words.word(b).to_owned(),
                    s,
                )
            })
            .collect();
        rows.sort_by(|x, y| {
            y.2.total_cmp(&x.2)
                .then_with(|| x.0.cmp(&y.0))
                .then_with(|| x.1.cmp(&y.1))
        });
        rows
    }

    /// Joins the phrases of one sentence.
    pub fn apply<S: AsRef<str>>(&self, sentence: &[S]) -> Vec<String> {
        let mut out = Vec::with_capacity(sentence.len());
        let mut i = 0;
        while i < sentence.len() {
            let a = sentence[i].as_ref();
            if let Some(b) = sentence.get(i + 1).map(AsRef::as_ref) {
                if self.score(a, b).is_some() {
                    out.push(format!("{a}{}{b}", self.config.delimiter));
                    i += 2;
                    continue;
                }
            }
            out.push(a.to_owned());
            i += 1;
        }
        out
    }

    /// Applies the phrases to a text file, streaming, writing `output` atomically (a temporary file
    /// renamed at the end). Words are written separated by one space, lines by `\n`.
    pub fn apply_file(
        &self,
        input: &Path,
        output: &Path,
        errors: Utf8Errors,
        progress: &Progress,
    ) -> Result<()> {
        let ranges = whole_files(&[input.to_path_buf()])?;
        progress.start_stage("applying phrases", ranges.iter().map(|r| r.end).sum());
        let mut sink = ApplySink {
            phrases: self,
            out: crate::io::AtomicFile::create(output)?,
            pending: None,
            line_started: false,
            path: output,
        };
        read_ranges(&ranges, errors, progress, &mut sink)?;
        sink.out.commit()
    }
}

struct ApplySink<'a, W: Write> {
    phrases: &'a Phrases,
    out: W,
    /// The word read but not yet written (it may start a phrase).
    pending: Option<String>,
    line_started: bool,
    path: &'a Path,
}

impl<W: Write> ApplySink<'_, W> {
    fn emit(&mut self, token: &str) -> Result<()> {
        let r = if self.line_started {
            self.out.write_all(b" ")
        } else {
            Ok(())
        }
        .and_then(|()| self.out.write_all(token.as_bytes()));
        self.line_started = true;
        r.map_err(|e| Error::io(self.path, e))
    }
}

impl<W: Write> WordSink for ApplySink<'_, W> {
    fn word(&mut self, w: &str) -> Result<()> {
        match self.pending.take() {
            Some(a) if self.phrases.score(&a, w).is_some() => {
                let joined = format!("{a}{}{w}", self.phrases.config.delimiter);
                self.emit(&joined)
            }
            Some(a) => {
                self.emit(&a)?;
                self.pending = Some(w.to_owned());
                Ok(())
            }
            None => {
                self.pending = Some(w.to_owned());
                Ok(())
            }
        }
    }
    fn end_sentence(&mut self) -> Result<()> {
        if let Some(a) = self.pending.take() {
            self.emit(&a)?;
        }
        Ok(())
    }
    fn line_break(&mut self) -> Result<()> {
        self.line_started = false;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Vec<&'static str>> {
        let mut s = Vec::new();
        for _ in 0..6 {
            s.push(vec!["new", "york", "is", "big"]);
            s.push(vec!["i", "love", "new", "york"]);
            s.push(vec!["the", "cat", "is", "here"]);
            s.push(vec!["a", "cat", "and", "a", "dog"]);
        }
        s
    }

    #[test]
    fn default_scoring_exact() {
        let cfg = PhrasesConfig {
            min_count: 5,
            threshold: Some(1.0),
            ..PhrasesConfig::default()
        };
        let p = Phrases::learn_sentences(corpus().iter().map(|s| s.iter().copied()), cfg).unwrap();
        // train_words = 6 * 17 = 102. new york: 12 times, new 12, york 12:
        // (12 - 5) / 144 * 102 = 4.958..; "is big" 6: (6-5)/(12*6)*102 = 1.4167.
        // "cat is" 6: cat 12, is 12 -> 1/144*102 = 0.708 (not a phrase).
        let rows = p.export();
        let names: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        assert!(names.contains(&("new", "york")));
        assert!(!names.contains(&("cat", "is")));
        assert!((p.score("new", "york").unwrap() - 7.0 / 144.0 * 102.0).abs() < 1e-12);
        assert_eq!(
            p.apply(&["i", "love", "new", "york", "is", "big"]),
            vec!["i_love", "new_york", "is_big"]
        );
    }

    #[test]
    fn npmi_and_files() {
        let cfg = PhrasesConfig {
            min_count: 5,
            scoring: Scoring::Npmi,
            ..PhrasesConfig::default()
        };
        let p = Phrases::learn_sentences(corpus().iter().map(|s| s.iter().copied()), cfg).unwrap();
        // p(new york) = 12/102, p(new) = p(york) = 12/102: npmi = ln(102/12) / ln(102/12) = 1.
        assert!((p.score("new", "york").unwrap() - 1.0).abs() < 1e-12);

        let dir = std::env::temp_dir().join(format!("subwordx-phrases-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.txt");
        std::fs::write(&input, "we  love new york\nnew\nyork new york\n").unwrap();
        let output = dir.join("out.txt");
        p.apply_file(&input, &output, Utf8Errors::Strict, &Progress::new())
            .unwrap();
        // "love new" is a phrase too (npmi ln(102/12) / ln(102/6) = 0.755 > 0.5), and the scan is
        // greedy from the left, so it wins over "new york" in the first line.
        assert!(p.score("love", "new").is_some());
        assert_eq!(
            std::fs::read_to_string(&output).unwrap(),
            "we love_new york\nnew\nyork new_york\n"
        );
    }
}
