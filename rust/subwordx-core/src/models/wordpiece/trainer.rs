//! WordPiece training with the likelihood score (`docs/wordpiece.md` §3).
//!
//! ## Algorithm
//!
//! The BPE trainer's incremental scheme (pair counts, a pair → words index, a lazily invalidated
//! heap), with two differences the score brings:
//!
//! * The heap is ordered by `count(x,y) / (count(x) · count(y))`, compared exactly: the entries
//!   carry the three counts and two entries are compared by cross-multiplying in 256-bit integers.
//! * A merge of `(x, y)` into `z` changes symbol counts as well as pair counts: `count(x)` and
//!   `count(y)` fall, so every pair that contains `x` or `y` scores *higher* than its heap entry
//!   says. A lazy heap can only drop entries that are too high; re-pushing every pair of a
//!   frequent symbol (`##s` is in thousands of pairs) after every merge that touches it costs
//!   millions of pushes. Instead the staleness is *bounded*: counts of symbols other than the new
//!   one only fall, so an entry can under-state its pair's score only by the factor its two
//!   symbols' counts fell since it was pushed. Each symbol is re-pushed in full ("refreshed") only
//!   when its count has fallen by [`REFRESH`] since its last refresh, which bounds that factor by
//!   `REFRESH²` for every newest entry. When the top entry is current (its three counts are the
//!   present ones) every entry within a factor `REFRESH²` below it is taken out, brought up to
//!   date, and the exact best of them all is merged; the others go back.
//! * Entries that are too high (their pair or symbol counts fell, or the new symbol `z` already
//!   existed and rose) are found when they reach the top, brought up to date and pushed back.
//!   Pairs whose count rose all contain `z` and get fresh entries.
//!
//! The order of the words, of the pairs and the number of threads cannot change the result: ties
//! are broken by the counts and then by the symbols' strings, never by ids or positions.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::model::{WordPieceModel, WordPieceSettings};
use crate::corpus::WordCounts;
use crate::models::pairs::{count_pairs, merge_word, pack, unpack, Heap, PairStat};
use crate::{Error, Progress, Result};

/// The default `min_frequency`: see `docs/wordpiece.md` §3 and `benches/RESULTS.md`.
pub const DEFAULT_MIN_FREQUENCY: u64 = 20;

/// A symbol's pairs are re-pushed when its count has fallen below its count at the last refresh
/// divided by this (`17/16`): stale entries then under-state a score by less than `(17/16)²`.
const REFRESH: (u64, u64) = (17, 16);

/// BERT's special tokens, in BERT's order.
pub const BERT_SPECIAL_TOKENS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// Settings of WordPiece training.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordPieceTrainerConfig {
    /// Size of the final vocabulary, special tokens included.
    pub vocab_size: usize,
    /// Pairs seen fewer times than this are never merged.
    pub min_frequency: u64,
    /// Special tokens: ids 0, 1, ... in this order. Must hold the unknown token.
    pub special_tokens: Vec<String>,
    /// Keep only the `k` most frequent chars.
    pub limit_alphabet: Option<usize>,
    /// Never make a piece longer than this many chars (the prefix not counted).
    pub max_piece_length: Option<usize>,
    /// The model settings (prefix, unknown token, longest word read).
    pub model: WordPieceSettings,
}

impl Default for WordPieceTrainerConfig {
    fn default() -> Self {
        Self {
            vocab_size: 30_000,
            min_frequency: DEFAULT_MIN_FREQUENCY,
            special_tokens: BERT_SPECIAL_TOKENS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            limit_alphabet: None,
            max_piece_length: None,
            model: WordPieceSettings::default(),
        }
    }
}

/// `a · b` for a 64-bit `a` and a 128-bit `b`, as a 256-bit `(high, low)` pair.
#[inline]
fn mul_wide(a: u64, b: u128) -> (u128, u128) {
    let a = u128::from(a);
    let lo_part = a * (b & u128::from(u64::MAX));
    let hi_part = a * (b >> 64);
    let (low, carry) = lo_part.overflowing_add(hi_part << 64);
    ((hi_part >> 64) + u128::from(carry), low)
}

/// A heap entry: a pair and the three counts its score was computed from.
#[derive(Clone, Copy, Debug)]
struct Entry {
    pair: u64,
    pair_count: u64,
    left_count: u64,
    right_count: u64,
}

/// True when `a` should be merged before `b` (`docs/wordpiece.md` §3.5): the higher score
/// `pair / (left · right)`, then the higher pair count, then the smaller left string, then the
/// smaller right string.
#[inline]
fn better(a: &Entry, b: &Entry, vocab: &[String]) -> bool {
    // a.pair / (a.l · a.r) > b.pair / (b.l · b.r)  ⇔  a.pair · b.l · b.r > b.pair · a.l · a.r
    let lhs = mul_wide(
        a.pair_count,
        u128::from(b.left_count) * u128::from(b.right_count),
    );
    let rhs = mul_wide(
        b.pair_count,
        u128::from(a.left_count) * u128::from(a.right_count),
    );
    if lhs != rhs {
        return lhs > rhs;
    }
    if a.pair_count != b.pair_count {
        return a.pair_count > b.pair_count;
    }
    let (al, ar) = unpack(a.pair);
    let (bl, br) = unpack(b.pair);
    match vocab[al as usize].cmp(&vocab[bl as usize]) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => vocab[ar as usize] < vocab[br as usize],
    }
}

/// The training state: symbols, words and the counts of both.
struct State<'c> {
    config: &'c WordPieceTrainerConfig,
    vocab: Vec<String>,
    index: FxHashMap<String, u32>,
    /// Chars of each symbol, and without a leading prefix (for `max_piece_length`).
    chars: Vec<usize>,
    body_chars: Vec<usize>,
    symbol_count: Vec<u64>,
    words: Vec<Vec<u32>>,
    word_count: Vec<u64>,
    pairs: FxHashMap<u64, PairStat<u64>>,
    /// The pairs each symbol is part of (possibly stale or repeated; compacted when read).
    symbol_pairs: Vec<Vec<u64>>,
    heap: Heap<Entry>,
    min_frequency: u64,
    /// Each symbol's count when its pairs were last all pushed.
    refreshed_at: Vec<u64>,
}

impl State<'_> {
    fn add_symbol(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.vocab.len() as u32;
        let prefix = self.config.model.continuing_subword_prefix.as_str();
        let body = if prefix.is_empty() {
            s
        } else {
            s.strip_prefix(prefix).unwrap_or(s)
        };
        self.chars.push(s.chars().count());
        self.body_chars.push(body.chars().count());
        self.vocab.push(s.to_owned());
        self.index.insert(s.to_owned(), id);
        self.symbol_count.push(0);
        self.symbol_pairs.push(Vec::new());
        self.refreshed_at.push(0);
        id
    }

    /// The merged piece of `(l, r)`: `l` then `r` without its prefix.
    fn merged(&self, l: u32, r: u32) -> String {
        let prefix = self.config.model.continuing_subword_prefix.as_str();
        let right = &self.vocab[r as usize];
        let right = if prefix.is_empty() {
            right.as_str()
        } else {
            right.strip_prefix(prefix).unwrap_or(right)
        };
        format!("{}{right}", self.vocab[l as usize])
    }

    /// The length of the merged piece as `max_piece_length` counts it: its chars, without the
    /// prefix when the merged string starts with it (decided on the string alone).
    fn merged_length(&self, l: u32, r: u32) -> usize {
        let prefix = self.config.model.continuing_subword_prefix.as_str();
        let full = self.chars[l as usize] + self.body_chars[r as usize];
        let left = self.vocab[l as usize].as_str();
        let starts = !prefix.is_empty()
            && (left.starts_with(prefix)
                // A left piece shorter than the prefix may start it ("#" + "#x" with "##").
                || (left.len() < prefix.len() && self.merged(l, r).starts_with(prefix)));
        if starts {
            full - prefix.chars().count()
        } else {
            full
        }
    }

    /// The current entry of a pair, if it may be merged.
    fn entry(&self, pair: u64) -> Option<Entry> {
        let count = self.pairs.get(&pair)?.count;
        if count < self.min_frequency {
            return None;
        }
        let (l, r) = unpack(pair);
        if let Some(max) = self.config.max_piece_length {
            if self.merged_length(l, r) > max {
                return None;
            }
        }
        Some(Entry {
            pair,
            pair_count: count,
            left_count: self.symbol_count[l as usize],
            right_count: self.symbol_count[r as usize],
        })
    }

    fn is_current(&self, e: &Entry) -> bool {
        let (l, r) = unpack(e.pair);
        self.pairs
            .get(&e.pair)
            .is_some_and(|s| s.count == e.pair_count)
            && self.symbol_count[l as usize] == e.left_count
            && self.symbol_count[r as usize] == e.right_count
    }

    /// The pairs symbol `s` is part of now (dropping those that are gone, and repeats).
    fn pairs_of(&mut self, s: u32) -> Vec<u64> {
        let mut list = std::mem::take(&mut self.symbol_pairs[s as usize]);
        list.retain(|p| self.pairs.contains_key(p));
        list.sort_unstable();
        list.dedup();
        self.symbol_pairs[s as usize].clone_from(&list);
        list
    }

    /// Merges `(a, b)` into `z` everywhere; pushes entries for the pairs whose count rose and
    /// refreshes `a` and `b` when their counts fell past the bound.
    fn merge(&mut self, pair: u64, z: u32, scratch: &mut Scratch) {
        let (a, b) = unpack(pair);
        let mut where_ = self
            .pairs
            .remove(&pair)
            .map(|s| s.words)
            .unwrap_or_default();
        where_.sort_unstable();
        where_.dedup();
        scratch.delta.clear();
        for &wi in &where_ {
            let word = &mut self.words[wi as usize];
            scratch.old.clear();
            scratch.old.extend_from_slice(word);
            let n = merge_word(word, a, b, z);
            if n == 0 {
                continue;
            }
            let c = self.word_count[wi as usize];
            let moved = n.saturating_mul(c);
            // `a == b` takes `2·moved` from the one symbol, as it should.
            self.symbol_count[a as usize] = self.symbol_count[a as usize].saturating_sub(moved);
            self.symbol_count[b as usize] = self.symbol_count[b as usize].saturating_sub(moved);
            self.symbol_count[z as usize] = self.symbol_count[z as usize].saturating_add(moved);
            for p in scratch.old.windows(2) {
                *scratch.delta.entry(pack(p[0], p[1])).or_insert(0) -= i128::from(c);
            }
            let mut last_new = u64::MAX;
            for p in word.windows(2) {
                let key = pack(p[0], p[1]);
                *scratch.delta.entry(key).or_insert(0) += i128::from(c);
                if (p[0] == z || p[1] == z) && key != last_new {
                    self.pairs.entry(key).or_default().words.push(wi);
                    last_new = key;
                }
            }
        }
        scratch.touched.clear();
        let deltas: Vec<(u64, i128)> = scratch.delta.drain().collect();
        for (key, d) in deltas {
            if key == pair || d == 0 {
                continue;
            }
            let st = self.pairs.entry(key).or_default();
            let was = st.count;
            let now = (i128::from(was) + d).clamp(0, i128::from(u64::MAX)) as u64;
            st.count = now;
            if now == 0 {
                self.pairs.remove(&key);
                continue;
            }
            if was == 0 {
                let (l, r) = unpack(key);
                self.symbol_pairs[l as usize].push(key);
                if r != l {
                    self.symbol_pairs[r as usize].push(key);
                }
            }
            scratch.touched.insert(key);
        }
        // Pairs whose count rose (all of them hold z) need fresh entries; the other changes only
        // lower counts, and their entries are brought up to date when they reach the top.
        let mut keys: Vec<u64> = scratch.touched.drain().collect();
        keys.sort_unstable();
        for key in keys {
            let (l, r) = unpack(key);
            if l == z || r == z {
                if let Some(e) = self.entry(key) {
                    self.heap
                        .push(e, &|x: &Entry, y: &Entry| better(x, y, &self.vocab));
                }
            }
        }
        // a and b lost counts: their pairs score higher than their entries say. Refresh a symbol
        // once the loss passes the bound the selection step allows for.
        for sym in [a, b] {
            let now = u128::from(self.symbol_count[sym as usize]);
            let then = u128::from(self.refreshed_at[sym as usize]);
            if now * u128::from(REFRESH.0) < then * u128::from(REFRESH.1) {
                self.refresh(sym);
            }
        }
        // z's count rose: its entries can only over-state now. Its refresh bound starts here.
        let zi = z as usize;
        self.refreshed_at[zi] = self.refreshed_at[zi].max(self.symbol_count[zi]);
    }

    /// Pushes a current entry for every pair of `s`.
    fn refresh(&mut self, s: u32) {
        self.refreshed_at[s as usize] = self.symbol_count[s as usize];
        for key in self.pairs_of(s) {
            if let Some(e) = self.entry(key) {
                self.heap
                    .push(e, &|x: &Entry, y: &Entry| better(x, y, &self.vocab));
            }
        }
    }

    /// The best pair now, exactly (`docs/wordpiece.md` §3.5), or `None` when no pair qualifies.
    fn best(&mut self, candidates: &mut Vec<Entry>) -> Option<Entry> {
        let top = loop {
            let e = self
                .heap
                .pop(&|x: &Entry, y: &Entry| better(x, y, &self.vocab))?;
            if self.is_current(&e) {
                break e;
            }
            // Too high (its counts fell) or too low: bring it up to date.
            if let Some(fresh) = self.entry(e.pair) {
                if !same_counts(&fresh, &e) {
                    self.heap
                        .push(fresh, &|x: &Entry, y: &Entry| better(x, y, &self.vocab));
                }
            }
        };
        // Entries below `top` by less than REFRESH² may be stale and really score higher.
        let bound = score_f64(&top) / (bound_factor() * (1.0 + 1e-9));
        candidates.clear();
        while let Some(next) = self.heap.peek() {
            if score_f64(&next) < bound {
                break;
            }
            self.heap
                .pop(&|x: &Entry, y: &Entry| better(x, y, &self.vocab));
            if self.is_current(&next) {
                candidates.push(next);
            } else if let Some(fresh) = self.entry(next.pair) {
                candidates.push(fresh);
            }
        }
        let mut best = top;
        for c in candidates.iter() {
            if c.pair != best.pair && better(c, &best, &self.vocab) {
                best = *c;
            }
        }
        for c in candidates.iter() {
            if c.pair != best.pair {
                self.heap
                    .push(*c, &|x: &Entry, y: &Entry| better(x, y, &self.vocab));
            }
        }
        if best.pair != top.pair {
            self.heap
                .push(top, &|x: &Entry, y: &Entry| better(x, y, &self.vocab));
        }
        Some(best)
    }
}

fn same_counts(a: &Entry, b: &Entry) -> bool {
    (a.pair_count, a.left_count, a.right_count) == (b.pair_count, b.left_count, b.right_count)
}

/// The score as a float: only to find which entries could be stale near the top (with a margin);
/// the choice itself is made by the exact [`better`].
#[allow(clippy::cast_precision_loss)]
fn score_f64(e: &Entry) -> f64 {
    e.pair_count as f64 / (e.left_count as f64 * e.right_count as f64)
}

#[allow(clippy::cast_precision_loss)]
fn bound_factor() -> f64 {
    let r = REFRESH.0 as f64 / REFRESH.1 as f64;
    r * r
}

#[derive(Default)]
struct Scratch {
    delta: FxHashMap<u64, i128>,
    old: Vec<u32>,
    touched: FxHashSet<u64>,
}

/// The chars kept by `limit_alphabet`: the `k` with the largest summed counts (ties: the smaller
/// code point).
fn kept_chars(entries: &[(&str, u64)], k: usize) -> FxHashSet<char> {
    let freq = entries
        .par_iter()
        .fold(FxHashMap::<char, u64>::default, |mut m, &(w, c)| {
            for ch in w.chars() {
                let e = m.entry(ch).or_insert(0);
                *e = e.saturating_add(c);
            }
            m
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (ch, c) in b {
                let e = a.entry(ch).or_insert(0);
                *e = e.saturating_add(c);
            }
            a
        });
    let mut chars: Vec<(char, u64)> = freq.into_iter().collect();
    chars.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chars.into_iter().take(k).map(|(ch, _)| ch).collect()
}

/// Learns a WordPiece vocabulary from word counts (`docs/wordpiece.md` §3).
///
/// The parallel parts run on subwordx's pool for all cores (or the caller's pool when called from
/// inside one): never on rayon's global pool, which a forked process cannot use.
pub fn train(
    counts: &WordCounts,
    config: &WordPieceTrainerConfig,
    progress: &Progress,
) -> Result<WordPieceModel> {
    crate::parallel::install(0, || train_here(counts, config, progress))?
}

fn train_here(
    counts: &WordCounts,
    config: &WordPieceTrainerConfig,
    progress: &Progress,
) -> Result<WordPieceModel> {
    if config.vocab_size == 0 {
        return Err(Error::invalid("vocab_size must be at least 1"));
    }
    if config.limit_alphabet == Some(0) {
        return Err(Error::invalid("limit_alphabet must be at least 1"));
    }
    if config.max_piece_length == Some(0) {
        return Err(Error::invalid("max_piece_length must be at least 1"));
    }
    if !config.special_tokens.contains(&config.model.unk_token) {
        return Err(Error::invalid(format!(
            "the unknown token {:?} must be one of the special tokens",
            config.model.unk_token
        )));
    }
    let prefix = config.model.continuing_subword_prefix.as_str();
    let mut entries: Vec<(&str, u64)> = counts
        .counts
        .iter()
        .filter(|(w, &c)| c > 0 && !w.is_empty())
        .map(|(w, &c)| (w.as_str(), c))
        .collect();
    if entries.is_empty() {
        return Err(Error::EmptyCorpus("no words to learn from".to_owned()));
    }
    // No count can exceed all symbols together: bounding that total keeps every count in 64 bits.
    let total: u128 = entries
        .iter()
        .map(|&(w, c)| u128::from(c) * w.len() as u128)
        .sum();
    if total > u128::from(u64::MAX) {
        return Err(Error::invalid(format!(
            "the word counts are too large: {total} symbols in all, more than the 2^64 - 1 the \
             trainer counts (scale the counts down)"
        )));
    }
    // Hash-map order is arbitrary; sorting makes word ids (and so everything after) reproducible.
    entries.par_sort_unstable();
    progress.start_stage("counting pairs", 0);

    let kept = config.limit_alphabet.map(|k| kept_chars(&entries, k));
    let symbol_words: Vec<(Vec<String>, u64)> = entries
        .par_iter()
        .map(|&(w, c)| {
            let syms: Vec<String> = w
                .chars()
                .filter(|ch| kept.as_ref().is_none_or(|k| k.contains(ch)))
                .enumerate()
                .map(|(i, ch)| {
                    if i == 0 {
                        ch.to_string()
                    } else {
                        format!("{prefix}{ch}")
                    }
                })
                .collect();
            (syms, c)
        })
        .filter(|(s, _)| !s.is_empty())
        .collect();
    drop(entries);

    let mut state = State {
        config,
        vocab: Vec::new(),
        index: FxHashMap::default(),
        chars: Vec::new(),
        body_chars: Vec::new(),
        symbol_count: Vec::new(),
        words: Vec::new(),
        word_count: Vec::new(),
        pairs: FxHashMap::default(),
        symbol_pairs: Vec::new(),
        heap: Heap::from_vec(Vec::new(), &|_: &Entry, _: &Entry| false),
        min_frequency: config.min_frequency.max(1),
        refreshed_at: Vec::new(),
    };
    for s in &config.special_tokens {
        state.add_symbol(s);
    }
    let n_special = state.vocab.len();
    let mut alphabet: Vec<&str> = symbol_words
        .iter()
        .flat_map(|(s, _)| s.iter().map(String::as_str))
        .collect::<FxHashSet<&str>>()
        .into_iter()
        .collect();
    alphabet.sort_unstable();
    for s in alphabet {
        state.add_symbol(s);
    }
    if config.vocab_size < state.vocab.len() {
        return Err(Error::VocabTooSmall {
            requested: config.vocab_size,
            minimum: state.vocab.len(),
            reason: format!(
                "{n_special} special tokens and {} alphabet symbols",
                state.vocab.len().saturating_sub(n_special)
            ),
        });
    }
    state.words = symbol_words
        .par_iter()
        .map(|(s, _)| s.iter().map(|x| state.index[x.as_str()]).collect())
        .collect();
    state.word_count = symbol_words.iter().map(|(_, c)| *c).collect();
    drop(symbol_words);
    for (w, &c) in state.words.iter().zip(&state.word_count) {
        for &s in w {
            let e = &mut state.symbol_count[s as usize];
            *e = e.saturating_add(c);
        }
    }
    state.refreshed_at.clone_from(&state.symbol_count);
    state.pairs = count_pairs(&state.words, &state.word_count);
    for &key in state.pairs.keys() {
        let (l, r) = unpack(key);
        state.symbol_pairs[l as usize].push(key);
        if r != l {
            state.symbol_pairs[r as usize].push(key);
        }
    }
    let entries: Vec<Entry> = state.pairs.keys().filter_map(|&k| state.entry(k)).collect();
    state.heap = Heap::from_vec(entries, &|x: &Entry, y: &Entry| better(x, y, &state.vocab));

    let target = config.vocab_size;
    progress.start_stage("merging", (target - state.vocab.len()) as u64);
    let mut scratch = Scratch::default();
    let mut candidates = Vec::new();
    let mut steps = 0u64;
    while state.vocab.len() < target {
        let Some(top) = state.best(&mut candidates) else {
            break;
        };
        let (a, b) = unpack(top.pair);
        let merged = state.merged(a, b);
        let z_existed = state.index.contains_key(&merged);
        let z = state.add_symbol(&merged);
        if !z_existed {
            progress.advance(1);
        }
        state.merge(top.pair, z, &mut scratch);
        steps += 1;
        if steps % 256 == 0 {
            progress.check()?;
        }
    }
    progress.check()?;
    WordPieceModel::from_parts(state.vocab, config.model.clone(), "<trainer>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(words: &[(&str, u64)]) -> WordCounts {
        let mut wc = WordCounts::new();
        for &(w, c) in words {
            wc.add(w, c);
        }
        wc
    }

    fn config(vocab_size: usize, min_frequency: u64) -> WordPieceTrainerConfig {
        WordPieceTrainerConfig {
            vocab_size,
            min_frequency,
            special_tokens: vec!["[UNK]".into()],
            ..WordPieceTrainerConfig::default()
        }
    }

    fn new_pieces(m: &WordPieceModel, from: usize) -> Vec<&str> {
        m.vocab()[from..].iter().map(String::as_str).collect()
    }

    #[test]
    fn exact_wide_products() {
        // (2^64 - 1)(2^128 - 1) = (2^64 - 2)·2^128 + (2^128 - 2^64 + 1)
        let max64 = u128::from(u64::MAX);
        assert_eq!(
            mul_wide(u64::MAX, u128::MAX),
            (max64 - 1, u128::MAX - (max64 - 1))
        );
        assert_eq!(mul_wide(6, 7), (0, 42));
        assert_eq!(mul_wide(2, 1u128 << 127), (1, 0));
    }

    #[test]
    fn the_rare_exclusive_pair_wins_over_the_frequent_one() {
        // (q, ##u) always occur together: score 3/(3·3) = 1/3. (t, ##h): 10/(10·20)... the
        // frequent pair scores lower because ##h also follows other symbols.
        let wc = counts(&[("qu", 3), ("th", 10), ("sh", 10)]);
        let m = train(&wc, &config(7, 1), &Progress::new()).unwrap();
        // Alphabet: ##h ##u q s t (code point order) after [UNK].
        assert_eq!(new_pieces(&m, 1), ["##h", "##u", "q", "s", "t", "qu"]);
    }

    #[test]
    fn ties_go_to_the_higher_count_then_to_strings() {
        // (a, ##b): 2/(2·2) = 1/2; (c, ##d): 1/(1·1) = 1; (e, ##f) 1/(1·1) = 1: c before e.
        let wc = counts(&[("ab", 2), ("ef", 1), ("cd", 1)]);
        let m = train(&wc, &config(100, 1), &Progress::new()).unwrap();
        let start = 1 + 6;
        assert_eq!(new_pieces(&m, start), ["cd", "ef", "ab"]);
        // (c, ##b) 2/(2·4) and (a, ##d) 1/(1·4) tie at 1/4: the higher pair count wins, although
        // "a" < "c".
        let wc = counts(&[
            ("cb", 2),
            ("hb", 2),
            ("h", 30),
            ("ad", 1),
            ("gd", 3),
            ("g", 9),
        ]);
        let m = train(&wc, &config(9, 1), &Progress::new()).unwrap();
        assert_eq!(new_pieces(&m, 1 + 6), ["cb", "ad"]);
    }

    #[test]
    fn merged_strings_that_exist_add_no_entry_and_counts_join() {
        // ##a ##a ##a: (##a, ##a) merges left to right into ##aa ##a.
        let wc = counts(&[("baaa", 1), ("b", 100)]);
        let m = train(&wc, &config(100, 1), &Progress::new()).unwrap();
        assert!(m.vocab().contains(&"##aa".to_owned()), "{:?}", m.vocab());
    }

    #[test]
    fn min_frequency_is_a_floor() {
        let wc = counts(&[("qu", 1), ("th", 10), ("to", 10)]);
        let m = train(&wc, &config(100, 2), &Progress::new()).unwrap();
        assert!(!m.vocab().contains(&"qu".to_owned()));
        assert!(m.vocab().contains(&"th".to_owned()));
    }

    #[test]
    fn words_are_visited_in_any_order_to_the_same_result() {
        let mut words = Vec::new();
        for (i, w) in "the quick brown fox jumps over the lazy dog again and again then there"
            .split(' ')
            .enumerate()
        {
            words.push((w, (i as u64 % 4) + 1));
        }
        let wc = counts(&words);
        let a = train(&wc, &config(60, 1), &Progress::new()).unwrap();
        let mut rev = words.clone();
        rev.reverse();
        let b = train(&counts(&rev), &config(60, 1), &Progress::new()).unwrap();
        assert_eq!(a.vocab(), b.vocab());
    }

    #[test]
    fn bad_settings_are_errors() {
        let wc = counts(&[("ab", 1)]);
        let mut c = config(100, 1);
        c.special_tokens = vec![];
        assert!(train(&wc, &c, &Progress::new()).is_err());
        assert!(matches!(
            train(&wc, &config(2, 1), &Progress::new()),
            Err(Error::VocabTooSmall { .. })
        ));
        assert!(matches!(
            train(&WordCounts::new(), &config(10, 1), &Progress::new()),
            Err(Error::EmptyCorpus(_))
        ));
    }
}
