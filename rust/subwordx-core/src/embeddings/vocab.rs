//! The word vocabulary of embedding models: counting, pruning, ordering.
//!
//! Order: count descending, ties by the word ascending (code point order, i.e. byte order of the
//! UTF-8). Words with `count >= min_count` are kept; `max_final_vocab = N` raises the effective
//! `min_count` like gensim (`count of the (N+1)-th word + 1`, which may leave fewer than `N` words).
//! `max_vocab_size = M` bounds memory while counting with word2vec.c's `ReduceVocab`: whenever a
//! counter holds more than `M` distinct words, words with count `<= r` are dropped and `r` grows by
//! one (starting at 1). With several threads each thread's counter is reduced on its own and the
//! merged table once more, so the counts are approximate (as in word2vec.c and gensim).
//!
//! Counting is parallel over byte ranges of the files (one hash map per thread, merged at the end).

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use crate::corpus::words::{read_parallel, WordSink};
use crate::corpus::Utf8Errors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// How a vocabulary is pruned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabConfig {
    /// Words seen fewer times are dropped (default 5).
    pub min_count: u64,
    /// Bound on distinct words held while counting (`ReduceVocab`); `None` for no bound.
    pub max_vocab_size: Option<usize>,
    /// Keep at most this many words (raising `min_count` as gensim does).
    pub max_final_vocab: Option<usize>,
}

impl Default for VocabConfig {
    fn default() -> Self {
        Self {
            min_count: 5,
            max_vocab_size: None,
            max_final_vocab: None,
        }
    }
}

impl VocabConfig {
    pub fn validate(&self) -> Result<()> {
        if self.max_vocab_size == Some(0) {
            return Err(Error::invalid("max_vocab_size must be at least 1"));
        }
        if self.max_final_vocab == Some(0) {
            return Err(Error::invalid("max_final_vocab must be at least 1"));
        }
        Ok(())
    }
}

/// Words in vocabulary order with their counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocab {
    pub words: Vec<String>,
    pub counts: Vec<u64>,
    pub index: FxHashMap<String, u32>,
}

/// A word counter with word2vec.c's `ReduceVocab` bound.
#[derive(Debug, Default)]
struct Counter {
    counts: FxHashMap<String, u64>,
    max_size: Option<usize>,
    reduce: u64,
    total: u64,
}

impl Counter {
    fn new(max_size: Option<usize>) -> Self {
        Self {
            max_size,
            reduce: 1,
            ..Self::default()
        }
    }

    #[inline]
    fn add(&mut self, w: &str, n: u64) {
        // Saturating: counts given by a caller (`from_counts`) may be anything up to 2^64 - 1.
        self.total = self.total.saturating_add(n);
        if let Some(c) = self.counts.get_mut(w) {
            *c = c.saturating_add(n);
        } else {
            self.counts.insert(w.to_owned(), n);
            self.prune();
        }
    }

    fn prune(&mut self) {
        if let Some(m) = self.max_size {
            while self.counts.len() > m {
                let r = self.reduce;
                self.counts.retain(|_, c| *c > r);
                self.reduce += 1;
            }
        }
    }
}

impl WordSink for Counter {
    fn word(&mut self, word: &str) -> Result<()> {
        self.add(word, 1);
        Ok(())
    }
    fn end_sentence(&mut self) -> Result<()> {
        Ok(())
    }
}

impl Vocab {
    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of `word`, if it is in the vocabulary.
    pub fn get(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// Sum of the counts (word2vec's `train_words`), saturating at `u64::MAX` (a vocabulary
    /// that passed [`Vocab::check_counts`] never gets there).
    pub fn train_words(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    /// Checks what training relies on, for a vocabulary that came from outside (a loaded model):
    /// as many counts as words, every count at least 1, in vocabulary order (non-increasing),
    /// and a total that fits in 64 bits. Out of order or zero counts would make the Huffman tree
    /// of hierarchical softmax as deep as the vocabulary is large (memory quadratic in V); a
    /// total past 2^64 would wrap the learning-rate schedule.
    pub fn check_counts(&self) -> Result<()> {
        if self.counts.len() != self.words.len() {
            return Err(Error::invalid(format!(
                "{} words but {} counts",
                self.words.len(),
                self.counts.len()
            )));
        }
        if let Some(i) = self.counts.iter().position(|&c| c == 0) {
            return Err(Error::invalid(format!(
                "word {:?} has count 0; every vocabulary word needs a count of at least 1",
                self.words[i]
            )));
        }
        if let Some(i) = self.counts.windows(2).position(|w| w[0] < w[1]) {
            return Err(Error::invalid(format!(
                "counts are not in vocabulary order (count descending): word {:?} ({}) comes \
                 before word {:?} ({})",
                self.words[i],
                self.counts[i],
                self.words[i + 1],
                self.counts[i + 1]
            )));
        }
        if self
            .counts
            .iter()
            .try_fold(0u64, |a, &c| a.checked_add(c))
            .is_none()
        {
            return Err(Error::invalid(
                "the counts add up to more than 2^64 - 1 (the total number of words)",
            ));
        }
        Ok(())
    }

    /// Builds a vocabulary from `(word, count)` pairs (repeated words are summed).
    pub fn from_counts<I, S>(counts: I, config: &VocabConfig) -> Result<Self>
    where
        I: IntoIterator<Item = (S, u64)>,
        S: AsRef<str>,
    {
        config.validate()?;
        let mut c = Counter::new(config.max_vocab_size);
        for (w, n) in counts {
            let w = w.as_ref();
            if w.is_empty() || w.contains(char::is_whitespace) {
                return Err(Error::invalid(format!(
                    "vocabulary word {w:?} is empty or contains whitespace"
                )));
            }
            c.add(w, n);
        }
        Self::finish(c, config)
    }

    /// Builds a vocabulary from sentences held in memory.
    pub fn from_sentences<'a, I, S>(sentences: I, config: &VocabConfig) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = &'a str>,
    {
        config.validate()?;
        let mut c = Counter::new(config.max_vocab_size);
        for s in sentences {
            for w in s {
                c.add(w, 1);
            }
        }
        Self::finish(c, config)
    }

    /// Counts the words of `paths` with `threads` threads (over byte ranges) and builds the vocabulary.
    pub fn build_from_files(
        paths: &[PathBuf],
        config: &VocabConfig,
        errors: Utf8Errors,
        threads: usize,
        progress: &Progress,
    ) -> Result<Self> {
        config.validate()?;
        let counters = read_parallel(paths, threads, errors, progress, "counting words", || {
            Counter::new(config.max_vocab_size)
        })?;
        let mut merged = Counter::new(config.max_vocab_size);
        for c in counters {
            // Keep the larger map as the base to move fewer strings.
            if c.counts.len() > merged.counts.len() {
                let small = std::mem::replace(&mut merged, c);
                merged.max_size = config.max_vocab_size;
                for (w, n) in small.counts {
                    *merged.counts.entry(w).or_insert(0) += n;
                }
                merged.total += small.total;
                merged.reduce = merged.reduce.max(small.reduce);
            } else {
                merged.total += c.total;
                merged.reduce = merged.reduce.max(c.reduce);
                for (w, n) in c.counts {
                    *merged.counts.entry(w).or_insert(0) += n;
                }
            }
            merged.prune();
        }
        Self::finish(merged, config)
    }

    fn finish(c: Counter, config: &VocabConfig) -> Result<Self> {
        if c.total == 0 {
            return Err(Error::EmptyCorpus("the corpus contains no words".into()));
        }
        let mut items: Vec<(String, u64)> = c
            .counts
            .into_iter()
            .filter(|&(_, n)| n >= config.min_count)
            .collect();
        if items.is_empty() {
            return Err(Error::EmptyCorpus(format!(
                "no word occurs at least min_count={} times",
                config.min_count
            )));
        }
        items.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(n) = config.max_final_vocab {
            if items.len() > n {
                // gensim: the smallest min_count leaving at most n words.
                let effective = items[n].1 + 1;
                items.retain(|&(_, c)| c >= effective);
                if items.is_empty() {
                    return Err(Error::EmptyCorpus(format!(
                        "max_final_vocab={n} raised min_count to {effective}, which no word reaches"
                    )));
                }
            }
        }
        let mut v = Vocab {
            words: Vec::with_capacity(items.len()),
            counts: Vec::with_capacity(items.len()),
            index: FxHashMap::default(),
        };
        v.index.reserve(items.len());
        for (i, (w, n)) in items.into_iter().enumerate() {
            v.index.insert(w.clone(), i as u32);
            v.words.push(w);
            v.counts.push(n);
        }
        Ok(v)
    }

    /// A vocabulary from words already in order (a loaded model); checks the order invariants
    /// loosely (no duplicates, equal lengths).
    pub fn from_parts(words: Vec<String>, counts: Vec<u64>) -> Result<Self> {
        if words.len() != counts.len() {
            return Err(Error::invalid(format!(
                "{} words but {} counts",
                words.len(),
                counts.len()
            )));
        }
        if words.is_empty() {
            return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
        }
        if words.len() > u32::MAX as usize - 1 {
            return Err(Error::invalid("vocabulary larger than 2^32 - 2 words"));
        }
        let mut index = FxHashMap::default();
        index.reserve(words.len());
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i as u32).is_some() {
                return Err(Error::invalid(format!("word {w:?} appears twice")));
            }
        }
        Ok(Self {
            words,
            counts,
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_min_count() {
        let v = Vocab::from_counts(
            [("b", 3), ("a", 3), ("c", 9), ("d", 1)],
            &VocabConfig {
                min_count: 2,
                ..VocabConfig::default()
            },
        )
        .unwrap();
        assert_eq!(v.words, ["c", "a", "b"]);
        assert_eq!(v.counts, [9, 3, 3]);
        assert_eq!(v.train_words(), 15);
        assert_eq!(v.get("a"), Some(1));
    }

    #[test]
    fn max_final_vocab_like_gensim() {
        let cfg = VocabConfig {
            min_count: 1,
            max_final_vocab: Some(2),
            ..VocabConfig::default()
        };
        let v = Vocab::from_counts([("a", 5), ("b", 4), ("c", 4), ("d", 1)], &cfg).unwrap();
        // The 3rd word has count 4, so min_count becomes 5: only "a" remains.
        assert_eq!(v.words, ["a"]);
    }

    #[test]
    fn empty_errors_say_why() {
        let e = Vocab::from_counts([("a", 1)], &VocabConfig::default()).unwrap_err();
        assert!(e.to_string().contains("min_count=5"), "{e}");
        let e =
            Vocab::from_counts(Vec::<(String, u64)>::new(), &VocabConfig::default()).unwrap_err();
        assert!(matches!(e, Error::EmptyCorpus(_)));
    }

    #[test]
    fn reduce_vocab_bounds_size() {
        let mut c = Counter::new(Some(3));
        for w in ["a", "a", "b", "c", "d", "e"] {
            c.add(w, 1);
        }
        assert!(c.counts.len() <= 3);
        assert_eq!(c.counts.get("a"), Some(&2));
    }
}
