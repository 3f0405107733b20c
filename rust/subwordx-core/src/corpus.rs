//! Corpora: streaming lines from files and counting words in parallel.
//! (Interface; implementation pending.)
use std::path::PathBuf;

use rustc_hash::FxHashMap;

use crate::normalize::Normalizer;
use crate::pretokenize::PreTokenizer;
use crate::{Progress, Result};

/// What to do with bytes that are not UTF-8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Utf8Errors {
    /// Fail with `Error::InvalidUtf8` naming the file, line and byte.
    #[default]
    Strict,
    /// Replace each bad sequence with U+FFFD, as Python's `errors="replace"`.
    Replace,
}

/// Options for reading and counting a corpus.
#[derive(Clone, Debug, Default)]
pub struct CountOptions {
    /// Worker threads; 0 means all cores.
    pub threads: usize,
    pub errors: Utf8Errors,
}

/// How many times each word (pre-tokenized piece) occurs. 64-bit counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordCounts {
    pub counts: FxHashMap<String, u64>,
}

impl WordCounts {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, word: &str, n: u64) {
        if let Some(c) = self.counts.get_mut(word) {
            *c += n;
        } else {
            self.counts.insert(word.to_owned(), n);
        }
    }
    /// Adds every count of `other`.
    pub fn merge(&mut self, other: WordCounts) {
        for (w, n) in other.counts {
            *self.counts.entry(w).or_insert(0) += n;
        }
    }
    pub fn len(&self) -> usize {
        self.counts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// Counts the words of `texts` (each one or more lines), normalized and pre-tokenized, in parallel.
pub fn count_words_in_texts(
    texts: &[String],
    normalizer: &Normalizer,
    pre_tokenizer: &PreTokenizer,
    threads: usize,
) -> WordCounts {
    let _ = threads;
    let mut wc = WordCounts::new();
    for t in texts {
        for line in t.split('\n') {
            let line = normalizer.normalize_str(line);
            pre_tokenizer.for_each_piece(&line, |s, e| wc.add(&line[s..e], 1));
        }
    }
    wc
}

/// Streams the lines of `paths` and counts their words, on `options.threads` threads.
pub fn count_words_in_files(
    paths: &[PathBuf],
    normalizer: &Normalizer,
    pre_tokenizer: &PreTokenizer,
    options: &CountOptions,
    progress: &Progress,
) -> Result<WordCounts> {
    let _ = (options, progress);
    let mut texts = Vec::new();
    for p in paths {
        texts.push(std::fs::read_to_string(p).map_err(|e| crate::Error::io(p, e))?);
    }
    Ok(count_words_in_texts(&texts, normalizer, pre_tokenizer, 0))
}
