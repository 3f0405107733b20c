//! BPE training: learning the merges from word counts (`docs/bpe.md` §2–3).
//!
//! ## Algorithm
//!
//! The classic incremental algorithm (Sennrich's `learn_bpe.py` made incremental, as in HF
//! `tokenizers`' `BpeTrainer`, sentencepiece and rustbpe):
//!
//! 1. Every distinct word becomes an array of symbol ids with its count.
//! 2. Pair counts are computed once, in parallel (rayon), together with, for every pair, the list of
//!    words it occurs in.
//! 3. A max-heap holds `(count, pair)` entries. Counts change as merges happen, and the heap is
//!    *lazily invalidated*: a popped entry is checked against the pair's current count; an entry
//!    with a count above the current one is pushed back with the current count, one below is
//!    garbage (an entry with the exact count was pushed when the count rose). So the top valid entry
//!    is always the true best pair.
//! 4. Merging `(x, y)` visits only the words in the pair's list, rewrites their symbol arrays left to
//!    right, and turns the difference between each word's old and new pairs into count deltas.
//!
//! Cost: one merge costs O(sum of the lengths of the words that hold the pair) plus O(log P) heap
//! work per changed pair, instead of a full recount of the corpus per merge.
//!
//! ## Exactness
//!
//! The heap orders entries by count, then by the left symbol's *string*, then by the right one's
//! (code point order), comparing the strings themselves every time two counts are equal: the
//! tie-break of `docs/bpe.md` §3.4 by construction, with no precomputed rank that could go stale as
//! new symbols appear. Word and pair iteration orders therefore cannot change the result.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::long_word::LongWord;
use super::model::{BpeModel, BpeSettings};
use crate::corpus::WordCounts;
use crate::models::pairs::{count_pairs, merge_word, pack, unpack, Heap};
use crate::{Error, Progress, Result};

/// Settings of BPE training (`docs/bpe.md` §2–3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpeTrainerConfig {
    /// Size of the final vocabulary, special tokens included.
    pub vocab_size: usize,
    /// Pairs seen fewer times than this are never merged (default 2).
    pub min_frequency: u64,
    /// Special tokens: ids 0, 1, ... in this order.
    pub special_tokens: Vec<String>,
    /// Keep only the `k` most frequent chars (classic only).
    pub limit_alphabet: Option<usize>,
    /// Never create a token longer than this many chars.
    pub max_token_length: Option<usize>,
    /// Appended to the last symbol of each word (classic; default `"</w>"`). `Some("")` = `None`.
    pub end_of_word_suffix: Option<String>,
    /// Prepended to every symbol but the first of each word (classic). `Some("")` = `None`.
    pub continuing_subword_prefix: Option<String>,
    /// Byte-level BPE (GPT-2): 256 byte symbols, no prefix, no suffix.
    pub byte_level: bool,
}

impl Default for BpeTrainerConfig {
    fn default() -> Self {
        Self::classic(30_000)
    }
}

impl BpeTrainerConfig {
    /// Classic BPE with the `</w>` end-of-word suffix.
    pub fn classic(vocab_size: usize) -> Self {
        Self {
            vocab_size,
            min_frequency: 2,
            special_tokens: Vec::new(),
            limit_alphabet: None,
            max_token_length: None,
            end_of_word_suffix: Some("</w>".to_owned()),
            continuing_subword_prefix: None,
            byte_level: false,
        }
    }

    /// Byte-level BPE (GPT-2 style).
    pub fn byte_level(vocab_size: usize) -> Self {
        Self {
            end_of_word_suffix: None,
            byte_level: true,
            ..Self::classic(vocab_size)
        }
    }

    /// The settings the trained model encodes with (empty strings read as unset; byte-level
    /// ignores prefix and suffix).
    pub fn settings(&self) -> BpeSettings {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        if self.byte_level {
            BpeSettings {
                byte_level: true,
                ..BpeSettings::default()
            }
        } else {
            BpeSettings {
                byte_level: false,
                end_of_word_suffix: nonempty(&self.end_of_word_suffix),
                continuing_subword_prefix: nonempty(&self.continuing_subword_prefix),
                unk_token: None,
                ..BpeSettings::default()
            }
        }
    }
}

/// Words with more symbols than this are merged in place, touching only the pair's occurrences.
const LONG_WORD: usize = 256;

#[derive(Clone, Copy)]
struct Entry {
    count: i64,
    pair: u64,
}

/// True when `a` should be merged before `b`: higher count, then smaller left string, then smaller
/// right string (`docs/bpe.md` §3.4).
#[inline]
fn better(a: &Entry, b: &Entry, vocab: &[String]) -> bool {
    if a.count != b.count {
        return a.count > b.count;
    }
    let (al, ar) = unpack(a.pair);
    let (bl, br) = unpack(b.pair);
    match vocab[al as usize].cmp(&vocab[bl as usize]) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => vocab[ar as usize] < vocab[br as usize],
    }
}

/// The initial vocabulary and the words as symbol-id arrays.
struct Initial {
    vocab: Vec<String>,
    token_to_id: FxHashMap<String, u32>,
    words: Vec<Vec<u32>>,
    counts: Vec<i64>,
}

fn push_token(vocab: &mut Vec<String>, index: &mut FxHashMap<String, u32>, s: &str) -> u32 {
    if let Some(&id) = index.get(s) {
        return id;
    }
    let id = vocab.len() as u32;
    vocab.push(s.to_owned());
    index.insert(s.to_owned(), id);
    id
}

fn initial(entries: &[(&str, u64)], config: &BpeTrainerConfig, settings: &BpeSettings) -> Initial {
    let mut vocab = Vec::new();
    let mut token_to_id = FxHashMap::default();
    for s in &config.special_tokens {
        push_token(&mut vocab, &mut token_to_id, s);
    }
    if settings.byte_level {
        let table = super::byte_chars();
        let mut sorted: Vec<(char, u8)> = (0..=255u8).map(|b| (table[b as usize], b)).collect();
        sorted.sort_unstable();
        let mut byte_id = [0u32; 256];
        for (c, b) in sorted {
            byte_id[b as usize] =
                push_token(&mut vocab, &mut token_to_id, c.encode_utf8(&mut [0; 4]));
        }
        let words = entries
            .par_iter()
            .map(|(w, _)| w.bytes().map(|b| byte_id[b as usize]).collect())
            .collect();
        let counts = entries.iter().map(|&(_, c)| c as i64).collect();
        return Initial {
            vocab,
            token_to_id,
            words,
            counts,
        };
    }

    // Classic: the alphabet of chars, weighted by word counts.
    let kept: Option<FxHashSet<char>> = config.limit_alphabet.map(|k| {
        let freq = entries
            .par_iter()
            .fold(FxHashMap::<char, u64>::default, |mut m, &(w, c)| {
                for ch in w.chars() {
                    *m.entry(ch).or_insert(0) += c;
                }
                m
            })
            .reduce(FxHashMap::default, |mut a, b| {
                for (ch, c) in b {
                    *a.entry(ch).or_insert(0) += c;
                }
                a
            });
        let mut chars: Vec<(char, u64)> = freq.into_iter().collect();
        // Most frequent first; ties: smaller code point first.
        chars.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        chars.into_iter().take(k).map(|(ch, _)| ch).collect()
    });
    let prefix = settings.continuing_subword_prefix.as_deref().unwrap_or("");
    let suffix = settings.end_of_word_suffix.as_deref().unwrap_or("");
    let symbols_of = |w: &str| -> Vec<String> {
        let chars: Vec<char> = match &kept {
            Some(k) => w.chars().filter(|c| k.contains(c)).collect(),
            None => w.chars().collect(),
        };
        let n = chars.len();
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut s = String::new();
                if i > 0 {
                    s.push_str(prefix);
                }
                s.push(*c);
                if i + 1 == n {
                    s.push_str(suffix);
                }
                s
            })
            .collect()
    };
    let symbol_words: Vec<(Vec<String>, i64)> = entries
        .par_iter()
        .map(|&(w, c)| (symbols_of(w), c as i64))
        .filter(|(s, _)| !s.is_empty())
        .collect();
    let mut alphabet: Vec<&str> = symbol_words
        .iter()
        .flat_map(|(s, _)| s.iter().map(String::as_str))
        .collect::<FxHashSet<&str>>()
        .into_iter()
        .collect();
    alphabet.sort_unstable();
    for s in alphabet {
        push_token(&mut vocab, &mut token_to_id, s);
    }
    let words = symbol_words
        .par_iter()
        .map(|(s, _)| s.iter().map(|x| token_to_id[x.as_str()]).collect())
        .collect();
    let counts = symbol_words.iter().map(|(_, c)| *c).collect();
    Initial {
        vocab,
        token_to_id,
        words,
        counts,
    }
}

/// Learns a BPE model from word counts (`docs/bpe.md` §2–3).
///
/// The parallel parts run on subwordx's pool for all cores (or the caller's pool when called from
/// inside one): never on rayon's global pool, which a forked process cannot use.
pub fn train(
    counts: &WordCounts,
    config: &BpeTrainerConfig,
    progress: &Progress,
) -> Result<BpeModel> {
    crate::parallel::install(0, || train_here(counts, config, progress, LONG_WORD))?
}

fn train_here(
    counts: &WordCounts,
    config: &BpeTrainerConfig,
    progress: &Progress,
    long_word: usize,
) -> Result<BpeModel> {
    if config.vocab_size == 0 {
        return Err(Error::invalid("vocab_size must be at least 1"));
    }
    if config.limit_alphabet == Some(0) && !config.byte_level {
        return Err(Error::invalid("limit_alphabet must be at least 1"));
    }
    if config.max_token_length == Some(0) {
        return Err(Error::invalid("max_token_length must be at least 1"));
    }
    let settings = config.settings();
    let entries: Vec<(&str, u64)> = counts
        .counts
        .iter()
        .filter(|(w, &c)| c > 0 && !w.is_empty())
        .map(|(w, &c)| (w.as_str(), c))
        .collect();
    if entries.is_empty() {
        return Err(Error::EmptyCorpus("no words to learn from".to_owned()));
    }
    // Pair counts are signed 64-bit (a merge subtracts). No pair can occur more often than all
    // symbols together, so bounding that total bounds every count: refused, not wrapped.
    let total: u128 = entries
        .iter()
        .map(|&(w, c)| u128::from(c) * w.len() as u128)
        .sum();
    if total > i64::MAX as u128 {
        return Err(Error::invalid(format!(
            "the word counts are too large: {total} symbols in all, more than the 2^63 - 1 \
             the trainer counts (scale the counts down)"
        )));
    }
    progress.start_stage("counting pairs", 0);
    let Initial {
        mut vocab,
        mut token_to_id,
        mut words,
        counts: word_counts,
    } = initial(&entries, config, &settings);
    drop(entries);
    if config.vocab_size < vocab.len() {
        let n_special = config.special_tokens.len();
        return Err(Error::VocabTooSmall {
            requested: config.vocab_size,
            minimum: vocab.len(),
            reason: format!(
                "{n_special} special tokens and {} alphabet symbols",
                vocab.len().saturating_sub(n_special)
            ),
        });
    }
    // Char length of every token, for max_token_length.
    let mut char_len: Vec<usize> = vocab.iter().map(|s| s.chars().count()).collect();
    let prefix = settings
        .continuing_subword_prefix
        .clone()
        .unwrap_or_default();
    let prefix_chars = prefix.chars().count();

    let mut stats = count_pairs(&words, &word_counts);
    // Words too long to rewrite at every merge are merged in place (see `long_word`).
    let mut long: FxHashMap<u32, LongWord> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.len() > long_word)
        .map(|(i, w)| (i as u32, LongWord::new(w)))
        .collect();
    let mut registered: FxHashSet<u64> = FxHashSet::default();
    let heap_items: Vec<Entry> = stats
        .iter()
        .filter(|(_, s)| s.count > 0)
        .map(|(&pair, s)| Entry {
            count: s.count,
            pair,
        })
        .collect();
    let mut heap = Heap::from_vec(heap_items, &|x: &Entry, y: &Entry| better(x, y, &vocab));

    let target = config.vocab_size;
    progress.start_stage("merging", (target - vocab.len()) as u64);
    let min_freq = config.min_frequency.max(1) as i64;
    let mut merges: Vec<(u32, u32)> = Vec::new();
    let mut delta: FxHashMap<u64, i64> = FxHashMap::default();
    let mut old: Vec<u32> = Vec::new();
    while vocab.len() < target {
        let Some(top) = heap.pop(&|x: &Entry, y: &Entry| better(x, y, &vocab)) else {
            break;
        };
        let current = stats.get(&top.pair).map_or(0, |s| s.count);
        if current <= 0 {
            continue;
        }
        if top.count != current {
            if top.count > current {
                heap.push(
                    Entry {
                        count: current,
                        pair: top.pair,
                    },
                    &|x: &Entry, y: &Entry| better(x, y, &vocab),
                );
            }
            continue;
        }
        let (a, b) = unpack(top.pair);
        let right = &vocab[b as usize];
        let right = if prefix.is_empty() {
            right.as_str()
        } else {
            right.strip_prefix(prefix.as_str()).unwrap_or(right)
        };
        let merged_len = char_len[a as usize] + char_len[b as usize]
            - if prefix.is_empty() || !vocab[b as usize].starts_with(prefix.as_str()) {
                0
            } else {
                prefix_chars
            };
        if config.max_token_length.is_some_and(|m| merged_len > m) {
            continue;
        }
        if current < min_freq {
            break;
        }
        let merged = format!("{}{}", vocab[a as usize], right);
        let new = if let Some(&id) = token_to_id.get(&merged) {
            id
        } else {
            let id = vocab.len() as u32;
            token_to_id.insert(merged.clone(), id);
            vocab.push(merged);
            char_len.push(merged_len);
            progress.advance(1);
            id
        };
        merges.push((a, b));

        let mut where_ = stats.remove(&top.pair).map(|s| s.words).unwrap_or_default();
        where_.dedup();
        where_.sort_unstable();
        where_.dedup();
        delta.clear();
        for &wi in &where_ {
            if let Some(lw) = long.get_mut(&wi) {
                let c = word_counts[wi as usize];
                registered.clear();
                lw.merge(a, b, new, |key, sign| {
                    *delta.entry(key).or_insert(0) += sign * c;
                    let (l, r) = unpack(key);
                    if sign > 0 && (l == new || r == new) && registered.insert(key) {
                        stats.entry(key).or_default().words.push(wi);
                    }
                });
                continue;
            }
            let word = &mut words[wi as usize];
            old.clear();
            old.extend_from_slice(word);
            if merge_word(word, a, b, new) == 0 {
                continue;
            }
            let c = word_counts[wi as usize];
            for p in old.windows(2) {
                *delta.entry(pack(p[0], p[1])).or_insert(0) -= c;
            }
            let mut last_new = u64::MAX;
            for p in word.windows(2) {
                let key = pack(p[0], p[1]);
                *delta.entry(key).or_insert(0) += c;
                if (p[0] == new || p[1] == new) && key != last_new {
                    stats.entry(key).or_default().words.push(wi);
                    last_new = key;
                }
            }
        }
        for (&key, &d) in &delta {
            if d == 0 || key == top.pair {
                continue;
            }
            let st = stats.entry(key).or_default();
            st.count += d;
            if st.count <= 0 {
                stats.remove(&key);
            } else if d > 0 {
                let count = st.count;
                heap.push(Entry { count, pair: key }, &|x: &Entry, y: &Entry| {
                    better(x, y, &vocab)
                });
            }
        }
        if merges.len() % 1000 == 0 {
            progress.check()?;
        }
    }
    progress.check()?;
    BpeModel::from_parts(vocab, merges, settings, "<trainer>")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long words merged in place give exactly the merges of rewriting them whole.
    #[test]
    fn long_words_train_exactly_as_short_ones() {
        let mut state = 99u64;
        let mut rand = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..8 {
            let mut wc = WordCounts::new();
            for _ in 0..=(round % 3) {
                let len = 50 + (rand() % 2000) as usize;
                let word: String = (0..len)
                    .map(|_| char::from(b'a' + (rand() % (2 + round as u64)) as u8))
                    .collect();
                wc.add(&word, 1 + rand() % 3);
            }
            wc.add("ab", 2);
            for config in [
                BpeTrainerConfig::classic(120),
                BpeTrainerConfig::byte_level(400),
            ] {
                let p = Progress::new();
                let whole = train_here(&wc, &config, &p, usize::MAX).unwrap();
                let in_place = train_here(&wc, &config, &p, 0).unwrap();
                assert_eq!(whole.merges(), in_place.merges(), "round {round}");
            }
        }
    }
}
