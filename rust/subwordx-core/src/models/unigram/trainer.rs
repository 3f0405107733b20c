//! Unigram LM training (Kudo 2018) from word counts, as `docs/unigram.md` §3 defines it.
//!
//! 1. **Alphabet.** Chars by frequency (ties: code point), kept until `character_coverage` of all
//!    char occurrences is covered (`SentencePiece`'s rule); rarer chars are unknown.
//! 2. **Seeds.** The suffixes of the distinct words are sorted (compared on their first
//!    `max_piece_length + 1` chars, which is all a piece can use), each weighted by its word's
//!    count. Every LCP interval of that suffix array is a branching substring, with its weighted
//!    frequency the sum of the interval's weights; a whole suffix to its word's end is one too
//!    when it occurs at least [`WORD_END_MIN_FREQ`] times. Substrings of 2..=
//!    `max_piece_length` chars seen at least twice, valid ([`valid_piece`]: `SentencePiece`'s
//!    rules; every char in the alphabet), are ranked by `frequency × length` (ties: the
//!    smaller string) and the best `seed_size − |alphabet|` kept beside the alphabet (chars score
//!    their frequency). Scores become log-probabilities `ln s − ln Σ s`. No substring is ever
//!    enumerated: the suffix array costs `O(N log N)` comparisons of at most 17 chars.
//! 3. **EM.** `num_sub_iterations` rounds of: E step (forward-backward on each distinct word's
//!    lattice, posteriors weighted by the word count; the objective is `−Σ count · ln Z / Σ count`),
//!    M step (pieces with expected count `< 0.5` dropped; score `ψ(c) − ψ(Σ c)`, the digamma
//!    (Bayesian) estimate `SentencePiece` uses).
//! 4. **Pruning**, until the vocabulary is at most `1.1 × vocab_size`: each piece's alternative
//!    is the second-best segmentation of its own string; the loss of removing it is
//!    `F · (ln p(piece) − Σ ln p'(alternative pieces))` with Viterbi frequencies (`SentencePiece`'s
//!    formula). Pieces whose own Viterbi path is not themselves or that no word's Viterbi path
//!    uses go first; single chars always stay; the `max(1.1 × vocab_size, shrinking_factor × size)`
//!    pieces with the largest losses (ties: the earlier piece in the current list) are kept.
//! 5. **Final.** Every alphabet char (missing ones get the lowest score minus `1e-4 · k`), then the
//!    highest-scoring pieces up to `vocab_size` minus the special tokens; ids: special tokens,
//!    then pieces by score (ties: the smaller string).
//!
//! **Determinism.** Words are sorted; the E step runs over fixed blocks of words in parallel,
//! each block summing its words in order into a sparse list, and the blocks are added in block
//! order on one thread; pruning counts are integers. The result is bit-identical for any thread
//! count.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::lattice::Lattice;
use super::model::UnigramModel;
use crate::corpus::WordCounts;
use crate::{Error, Progress, Result};

/// Settings of Unigram training (`SentencePiece`'s defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct UnigramTrainerConfig {
    /// Size of the final vocabulary, special tokens included.
    pub vocab_size: usize,
    /// Special tokens: the first ids, in this order; the unknown token is among them (put first
    /// when missing).
    pub special_tokens: Vec<String>,
    pub unk_token: String,
    /// The most pieces (chars included) the seed vocabulary holds.
    pub seed_size: usize,
    /// The longest piece, in chars.
    pub max_piece_length: usize,
    /// The share of pieces each pruning round keeps.
    pub shrinking_factor: f64,
    /// EM iterations between two prunings.
    pub num_sub_iterations: usize,
    /// The share of char occurrences the alphabet must cover (rarer chars are unknown).
    pub character_coverage: f64,
    /// `SentencePiece`'s `split_by_unicode_script`, with two scripts: letters and marks never
    /// share a piece with other chars (punctuation, symbols, and digits unless
    /// `split_by_number` is off).
    pub split_by_script: bool,
    /// `SentencePiece`'s `split_by_number`: decimal digits (Nd) belong to the common script of
    /// punctuation and symbols; off, they go with any char.
    pub split_by_number: bool,
    /// `SentencePiece`'s `split_digits`: a piece with a decimal digit is that digit alone.
    pub split_digits: bool,
    /// Worker threads (0 = all cores). The result does not depend on it.
    pub threads: usize,
}

impl Default for UnigramTrainerConfig {
    fn default() -> Self {
        Self {
            vocab_size: 8000,
            special_tokens: vec!["<unk>".to_owned()],
            unk_token: "<unk>".to_owned(),
            seed_size: 1_000_000,
            max_piece_length: 16,
            shrinking_factor: 0.75,
            num_sub_iterations: 2,
            character_coverage: 0.9995,
            split_by_script: true,
            split_by_number: true,
            split_digits: false,
            threads: 0,
        }
    }
}

/// Words per block of the E step (fixed, so that sums do not depend on the thread count).
const BLOCK: usize = 1024;
/// Blocks computed in parallel before they are added (bounds memory).
const WAVE: usize = 64;
/// A substring that ends a word (and is no branching node of the words' suffix tree) is a seed
/// from this many occurrences on. `SentencePiece` builds its suffix array over whole lines, where
/// a word's end is followed by a space or by the end of the line: such a substring is a node
/// (a seed) once one occurrence ends a line, which the word counts no longer show; one seen ten
/// times almost always has. Seeding every word end (the threshold 2) keeps more whole words than
/// `SentencePiece` (better on text like the training text, worse on other text); seeding none
/// keeps fewer; ten is within 0.5% of `SentencePiece`, or better, on both (`benches/RESULTS.md`).
const WORD_END_MIN_FREQ: u64 = 10;
/// Pieces with a smaller expected count are dropped by the M step.
const EXPECTED_THRESHOLD: f64 = 0.5;

/// The digamma function ψ(x) for `x > 0`: the recurrence `ψ(x) = ψ(x+1) − 1/x` up to `x ≥ 10`,
/// then the asymptotic series `ln x − 1/2x − Σ B₂ₖ/(2k x²ᵏ)`.
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0
            - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0)))))
}

/// The training corpus: distinct words (sorted) and their counts.
struct Corpus {
    words: Vec<String>,
    counts: Vec<u64>,
    total: u64,
}

/// The script of a char for `split_by_script` (`SentencePiece`'s `IsValidSentencePiece` with
/// two scripts): letters (L*), or the common script of everything else; marks (M*) take the
/// script of the char before them (any script); decimal digits (Nd) are common, or any script
/// when `split_by_number` is off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Letter,
    Common,
    Any,
}

fn is_decimal_digit(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    get_general_category(c) == G::DecimalNumber
}

fn script(c: char, split_by_number: bool) -> Script {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    match get_general_category(c) {
        G::DecimalNumber if !split_by_number => Script::Any,
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark => Script::Any,
        G::UppercaseLetter
        | G::LowercaseLetter
        | G::TitlecaseLetter
        | G::ModifierLetter
        | G::OtherLetter => Script::Letter,
        _ => Script::Common,
    }
}

/// True when `piece` may be a piece (`SentencePiece`'s rules): `▁` only first; with
/// `split_digits` a digit only alone (`▁` counts); with `split_by_script` the chars after the
/// `▁` of one script ([`script`]; `Any` goes with every script).
fn valid_piece(piece: &[char], config: &UnigramTrainerConfig) -> bool {
    if piece.iter().skip(1).any(|&c| c == '▁') {
        return false;
    }
    if config.split_digits && piece.len() > 1 && piece.iter().any(|&c| is_decimal_digit(c)) {
        return false;
    }
    if !config.split_by_script {
        return true;
    }
    let mut seen = Script::Any;
    for &c in piece.iter().skip(usize::from(piece.first() == Some(&'▁'))) {
        match script(c, config.split_by_number) {
            Script::Any => {}
            s if seen == Script::Any => seen = s,
            s if s != seen => return false,
            _ => {}
        }
    }
    true
}

/// The alphabet: `(char, count)` by count (desc), then char; cut at `coverage`.
fn alphabet(corpus: &Corpus, coverage: f64) -> Vec<(char, u64)> {
    let mut freq: FxHashMap<char, u64> = FxHashMap::default();
    for (w, &n) in corpus.words.iter().zip(&corpus.counts) {
        for c in w.chars() {
            *freq.entry(c).or_insert(0) += n;
        }
    }
    let mut chars: Vec<(char, u64)> = freq.into_iter().collect();
    chars.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let all: u64 = chars.iter().map(|c| c.1).sum();
    let mut kept = Vec::new();
    let mut acc = 0u64;
    for (c, n) in chars {
        if !kept.is_empty() && acc as f64 / all as f64 >= coverage {
            break;
        }
        acc += n;
        kept.push((c, n));
    }
    kept
}

/// The seed pieces with their raw scores (chars: frequency; substrings: frequency × length).
fn seed_pieces(
    corpus: &Corpus,
    chars: &[(char, u64)],
    config: &UnigramTrainerConfig,
) -> Vec<(String, f64)> {
    let known: rustc_hash::FxHashSet<char> = chars.iter().map(|c| c.0).collect();
    let depth = config.max_piece_length + 1;
    // Flattened chars of the distinct words; each suffix start with its word's end and count.
    let mut text: Vec<char> = Vec::new();
    let mut suffixes: Vec<(u32, u32, u64)> = Vec::new();
    for (w, &n) in corpus.words.iter().zip(&corpus.counts) {
        let start = text.len();
        text.extend(w.chars());
        let end = text.len() as u32;
        for i in start..text.len() {
            suffixes.push((i as u32, end, n));
        }
    }
    let key = |s: &(u32, u32, u64)| -> &[char] {
        let a = s.0 as usize;
        let b = (s.0 as usize + depth).min(s.1 as usize);
        &text[a..b]
    };
    // Equal keys are interchangeable (only their summed weights matter), so an unstable parallel
    // sort gives the same intervals.
    suffixes.par_sort_unstable_by(|x, y| key(x).cmp(key(y)));
    let n = suffixes.len();
    let mut weight_prefix = Vec::with_capacity(n + 1);
    weight_prefix.push(0u64);
    for s in &suffixes {
        weight_prefix.push(weight_prefix.last().copied().unwrap_or(0) + s.2);
    }
    let lcp = |k: usize| -> usize {
        let a = key(&suffixes[k - 1]);
        let b = key(&suffixes[k]);
        a.iter().zip(b).take_while(|(x, y)| x == y).count()
    };
    let mut found: FxHashMap<Vec<char>, u64> = FxHashMap::default();
    let mut consider = |piece: &[char], freq: u64| {
        if piece.len() < 2
            || piece.len() > config.max_piece_length
            || freq < 2
            || !piece.iter().all(|c| known.contains(c))
            || !valid_piece(piece, config)
        {
            return;
        }
        let e = found.entry(piece.to_vec()).or_insert(0);
        *e = (*e).max(freq);
    };
    // LCP intervals (Abouelhoda, Kurtz & Ohlebusch's bottom-up traversal).
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    // Runs of identical whole suffixes (a word's end).
    let mut run_start = 0usize;
    for i in 1..=n {
        let cur = if i < n { lcp(i) } else { 0 };
        // Whole-suffix runs: suffix i-1 ends its word within the key and equals suffix i.
        let prev_key = key(&suffixes[i - 1]);
        let whole = (suffixes[i - 1].0 as usize + prev_key.len()) == suffixes[i - 1].1 as usize;
        let same_as_next = i < n && cur == prev_key.len() && key(&suffixes[i]).len() == cur;
        if !same_as_next {
            if whole && weight_prefix[i] - weight_prefix[run_start] >= WORD_END_MIN_FREQ {
                consider(prev_key, weight_prefix[i] - weight_prefix[run_start]);
            }
            run_start = i;
        }
        let mut lb = i - 1;
        while let Some(&(l, b)) = stack.last() {
            if cur >= l {
                break;
            }
            stack.pop();
            if l > 0 {
                let piece = &key(&suffixes[b])[..l];
                consider(piece, weight_prefix[i] - weight_prefix[b]);
            }
            lb = b;
        }
        if stack.last().is_none_or(|&(l, _)| cur > l) {
            stack.push((cur, lb));
        }
    }
    let mut cands: Vec<(Vec<char>, u64)> = found.into_iter().collect();
    let score = |c: &(Vec<char>, u64)| u128::from(c.1) * c.0.len() as u128;
    cands.par_sort_unstable_by(|a, b| score(b).cmp(&score(a)).then_with(|| a.0.cmp(&b.0)));
    let mut seeds: Vec<(String, f64)> = chars
        .iter()
        .map(|&(c, n)| (c.to_string(), n as f64))
        .collect();
    let room = config.seed_size.saturating_sub(seeds.len());
    for c in cands.iter().take(room) {
        seeds.push((c.0.iter().collect(), score(c) as f64));
    }
    let sum: f64 = seeds.iter().map(|s| s.1).sum();
    let log_sum = sum.ln();
    for s in &mut seeds {
        s.1 = s.1.ln() - log_sum;
    }
    seeds
}

/// Expected counts of every piece, the objective and the number of Viterbi-free tokens.
fn e_step(model: &UnigramModel, corpus: &Corpus, progress: &Progress) -> Result<(Vec<f64>, f64)> {
    let n_pieces = model.vocab_size();
    let mut expected = vec![0.0f64; n_pieces];
    let mut objective = 0.0f64;
    let blocks = corpus.words.len().div_ceil(BLOCK);
    let mut b0 = 0;
    while b0 < blocks {
        progress.check()?;
        let b1 = (b0 + WAVE).min(blocks);
        let parts: Vec<(Vec<(u32, f64)>, f64)> = (b0..b1)
            .into_par_iter()
            .map(|b| {
                let lo = b * BLOCK;
                let hi = (lo + BLOCK).min(corpus.words.len());
                let mut acc: FxHashMap<u32, f64> = FxHashMap::default();
                let mut order: Vec<u32> = Vec::new();
                let mut obj = 0.0;
                let mut lattice = Lattice::new();
                let mut bounds = Vec::new();
                for w in lo..hi {
                    let word = &corpus.words[w];
                    let count = corpus.counts[w] as f64;
                    bounds.clear();
                    lattice.reset(word.chars().count());
                    model.push_edges(word, 0, &mut lattice, &mut bounds);
                    let z = lattice.forward_backward(|e, p| {
                        if !e.unknown {
                            let slot = acc.entry(e.id).or_insert_with(|| {
                                order.push(e.id);
                                0.0
                            });
                            *slot += count * p;
                        }
                    });
                    obj -= count * z;
                }
                let list = order.iter().map(|id| (*id, acc[id])).collect();
                (list, obj)
            })
            .collect();
        for (list, obj) in parts {
            for (id, v) in list {
                expected[id as usize] += v;
            }
            objective += obj;
        }
        b0 = b1;
    }
    Ok((expected, objective / corpus.total as f64))
}

/// The M step: drops pieces expected fewer than 0.5 times, scores the rest `ψ(c) − ψ(Σ c)`.
fn m_step(pieces: &[(String, f64)], expected: &[f64]) -> Vec<(String, f64)> {
    let kept: Vec<usize> = (0..pieces.len())
        .filter(|&i| expected[i] >= EXPECTED_THRESHOLD)
        .collect();
    let sum: f64 = kept.iter().map(|&i| expected[i]).sum();
    let log_sum = digamma(sum);
    kept.iter()
        .map(|&i| (pieces[i].0.clone(), digamma(expected[i]) - log_sum))
        .collect()
}

/// One pruning round (`docs/unigram.md` §3.4).
fn prune(
    pieces: &[(String, f64)],
    corpus: &Corpus,
    desired: usize,
    shrinking_factor: f64,
    progress: &Progress,
) -> Result<Vec<(String, f64)>> {
    let model = UnigramModel::new(pieces.to_vec(), None, false)?;
    // Each piece: is it its own best segmentation, and its alternative.
    let alternatives: Vec<(bool, bool, Vec<u32>)> = pieces
        .par_iter()
        .map(|(p, _)| {
            let mut lattice = Lattice::new();
            let mut bounds = Vec::new();
            lattice.reset(p.chars().count());
            model.push_edges(p, 0, &mut lattice, &mut bounds);
            let nb = lattice.nbest(2);
            let edges = lattice.edges();
            match nb.len() {
                0 | 1 => (true, false, Vec::new()),
                _ if nb[0].0.len() >= 2 => (false, false, Vec::new()),
                _ => (
                    true,
                    true,
                    nb[1]
                        .0
                        .iter()
                        .map(|&i| {
                            let e = &edges[i as usize];
                            if e.unknown {
                                u32::MAX
                            } else {
                                e.id
                            }
                        })
                        .collect(),
                ),
            }
        })
        .collect();
    progress.check()?;
    // Viterbi frequencies over the corpus (integers: exact in any order).
    let paths: Vec<Vec<u32>> = (0..corpus.words.len())
        .into_par_iter()
        .map(|w| {
            let word = &corpus.words[w];
            let mut lattice = Lattice::new();
            let mut bounds = Vec::new();
            lattice.reset(word.chars().count());
            model.push_edges(word, 0, &mut lattice, &mut bounds);
            let edges = lattice.edges().to_vec();
            lattice.viterbi().map_or_else(Vec::new, |(path, _)| {
                path.iter()
                    .filter(|&&i| !edges[i as usize].unknown)
                    .map(|&i| edges[i as usize].id)
                    .collect()
            })
        })
        .collect();
    progress.check()?;
    let mut freq = vec![0u64; pieces.len()];
    let mut in_words = vec![0u64; pieces.len()];
    for (w, path) in paths.iter().enumerate() {
        let c = corpus.counts[w];
        for &id in path {
            freq[id as usize] += c;
            in_words[id as usize] += c;
        }
    }
    let sum: f64 = freq.iter().map(|&f| f as f64).sum();
    let log_sum = sum.ln();
    let vsum = corpus.total as f64;
    let mut keep: Vec<usize> = Vec::new();
    let mut candidates: Vec<(usize, f64)> = Vec::new();
    for (i, (piece, _)) in pieces.iter().enumerate() {
        let single = piece.chars().count() == 1;
        let (always, has_alt, alt) = &alternatives[i];
        if single {
            keep.push(i);
        } else if freq[i] == 0 || !always {
            // Never on a Viterbi path (or never its own best segmentation): removable.
        } else if !has_alt {
            keep.push(i);
        } else {
            let f = freq[i] as f64;
            let big_f = in_words[i] as f64 / vsum;
            let logprob = f.ln() - log_sum;
            let log_sum_alt = (sum + f * (alt.len() as f64 - 1.0)).ln();
            let logprob_alt: f64 = alt
                .iter()
                .map(|&a| {
                    let fa = if a == u32::MAX {
                        0.0
                    } else {
                        freq[a as usize] as f64
                    };
                    (fa + f).ln() - log_sum_alt
                })
                .sum();
            candidates.push((i, big_f * (logprob - logprob_alt)));
        }
    }
    let target = desired.max((shrinking_factor * pieces.len() as f64) as usize);
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (i, _) in candidates {
        if keep.len() >= target {
            break;
        }
        keep.push(i);
    }
    keep.sort_unstable();
    Ok(keep.iter().map(|&i| pieces[i].clone()).collect())
}

/// Learns a Unigram model from word counts (`docs/unigram.md` §3). Words are taken as
/// pre-tokenized (with `▁` for spaces when the pipeline is `SentencePiece`'s).
pub fn train(
    counts: &WordCounts,
    config: &UnigramTrainerConfig,
    progress: &Progress,
) -> Result<UnigramModel> {
    crate::parallel::install(config.threads, || train_here(counts, config, progress))?
}

fn check_config(config: &UnigramTrainerConfig) -> Result<()> {
    if config.vocab_size == 0 {
        return Err(Error::invalid("vocab_size must be at least 1"));
    }
    if config.max_piece_length == 0 {
        return Err(Error::invalid("max_piece_length must be at least 1"));
    }
    if !(config.shrinking_factor > 0.0 && config.shrinking_factor < 1.0) {
        return Err(Error::invalid(format!(
            "shrinking_factor must be in (0, 1), got {}",
            config.shrinking_factor
        )));
    }
    if config.num_sub_iterations == 0 {
        return Err(Error::invalid("num_sub_iterations must be at least 1"));
    }
    if !(config.character_coverage > 0.0 && config.character_coverage <= 1.0) {
        return Err(Error::invalid(format!(
            "character_coverage must be in (0, 1], got {}",
            config.character_coverage
        )));
    }
    if config.unk_token.is_empty() {
        return Err(Error::invalid("unk_token must not be empty"));
    }
    if config.special_tokens.iter().any(String::is_empty) {
        return Err(Error::invalid("special tokens must not be empty"));
    }
    Ok(())
}

fn train_here(
    counts: &WordCounts,
    config: &UnigramTrainerConfig,
    progress: &Progress,
) -> Result<UnigramModel> {
    check_config(config)?;
    let mut specials: Vec<String> = Vec::new();
    if !config.special_tokens.contains(&config.unk_token) {
        specials.push(config.unk_token.clone());
    }
    for t in &config.special_tokens {
        if !specials.contains(t) {
            specials.push(t.clone());
        }
    }
    let mut words: Vec<(&String, u64)> = counts
        .counts
        .iter()
        .filter(|(w, &n)| n > 0 && !w.is_empty())
        .map(|(w, &n)| (w, n))
        .collect();
    if words.is_empty() {
        return Err(Error::EmptyCorpus("no words to learn from".to_owned()));
    }
    words.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let corpus = Corpus {
        words: words.iter().map(|w| w.0.clone()).collect(),
        counts: words.iter().map(|w| w.1).collect(),
        total: words.iter().map(|w| w.1).sum(),
    };
    drop(words);

    progress.start_stage("unigram: seed pieces", 0);
    let chars = alphabet(&corpus, config.character_coverage);
    let minimum = chars.len() + specials.len();
    if config.vocab_size < minimum {
        return Err(Error::VocabTooSmall {
            requested: config.vocab_size,
            minimum,
            reason: format!(
                "{} chars and {} special tokens",
                chars.len(),
                specials.len()
            ),
        });
    }
    let mut pieces = seed_pieces(&corpus, &chars, config);
    progress.check()?;

    let piece_target = config.vocab_size - specials.len();
    let desired = (piece_target as f64 * 1.1) as usize;
    progress.start_stage("unigram: EM", 0);
    let mut round = 0u64;
    loop {
        for _ in 0..config.num_sub_iterations {
            let model = UnigramModel::new(pieces.clone(), None, false)?;
            let (expected, objective) = e_step(&model, &corpus, progress)?;
            pieces = m_step(&pieces, &expected);
            round += 1;
            progress.set_done(round);
            progress.set_info(format!(
                "round {round}: {} pieces, log-likelihood per word {:.4}",
                pieces.len(),
                -objective
            ));
            if pieces.is_empty() {
                return Err(Error::internal("the M step dropped every piece"));
            }
        }
        if pieces.len() <= desired {
            break;
        }
        let before = pieces.len();
        pieces = prune(&pieces, &corpus, desired, config.shrinking_factor, progress)?;
        if pieces.len() >= before {
            // Nothing removable (only chars left): the final step cuts.
            break;
        }
    }
    finalize(&pieces, &chars, &specials, piece_target)
}

/// The final vocabulary (`docs/unigram.md` §3.5).
fn finalize(
    pieces: &[(String, f64)],
    chars: &[(char, u64)],
    specials: &[String],
    piece_target: usize,
) -> Result<UnigramModel> {
    let index: FxHashMap<&str, f64> = pieces.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    let min_score = pieces.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut chosen: FxHashMap<String, f64> = FxHashMap::default();
    let mut missing = 0u32;
    for (c, _) in chars {
        let s = c.to_string();
        if specials.contains(&s) {
            continue;
        }
        let score = if let Some(&sc) = index.get(s.as_str()) {
            sc
        } else {
            missing += 1;
            min_score - 1e-4 * f64::from(missing)
        };
        chosen.insert(s, score);
    }
    let mut by_score: Vec<&(String, f64)> = pieces.iter().collect();
    by_score.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (p, s) in by_score {
        if chosen.len() >= piece_target {
            break;
        }
        if specials.contains(p) || chosen.contains_key(p) {
            continue;
        }
        chosen.insert(p.clone(), *s);
    }
    let mut out: Vec<(String, f64)> = chosen.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut all: Vec<(String, f64)> = specials.iter().map(|s| (s.clone(), 0.0)).collect();
    all.extend(out);
    UnigramModel::new(all, Some(0), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wc(words: &[(&str, u64)]) -> WordCounts {
        let mut c = WordCounts::new();
        for (w, n) in words {
            c.add(w, *n);
        }
        c
    }

    fn config(vocab_size: usize) -> UnigramTrainerConfig {
        UnigramTrainerConfig {
            vocab_size,
            ..UnigramTrainerConfig::default()
        }
    }

    fn corpus() -> WordCounts {
        wc(&[
            ("▁the", 50),
            ("▁then", 10),
            ("▁there", 12),
            ("▁cat", 8),
            ("▁cats", 4),
            ("▁hat", 6),
            ("▁that", 9),
            ("▁at", 7),
            ("▁2024", 2),
        ])
    }

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-12);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-12);
        assert!((digamma(100.0) - 4.600_161_852_738_087).abs() < 1e-12);
    }

    #[test]
    fn trains_and_keeps_chars() {
        let m = train(&corpus(), &config(18), &Progress::new()).unwrap();
        assert_eq!(m.vocab_size(), 18, "{:?}", m.vocab());
        assert_eq!(m.vocab()[0], "<unk>");
        for c in "▁thencars204".chars() {
            assert!(m.token_to_id(&c.to_string()).is_some(), "{c}");
        }
        assert!(m.token_to_id("▁the").is_some());
        assert!(m.vocab().iter().all(|p| !p.contains("2▁")));
        assert!(m.token_to_id("▁2").is_none() || m.token_to_id("▁20").is_none());
    }

    #[test]
    fn the_thread_count_does_not_matter() {
        let mut c = config(22);
        c.threads = 1;
        let a = train(&corpus(), &c, &Progress::new()).unwrap();
        c.threads = 3;
        let b = train(&corpus(), &c, &Progress::new()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            train(&WordCounts::new(), &config(10), &Progress::new()),
            Err(Error::EmptyCorpus(_))
        ));
        assert!(matches!(
            train(&corpus(), &config(5), &Progress::new()),
            Err(Error::VocabTooSmall { .. })
        ));
        let mut c = config(30);
        c.shrinking_factor = 1.5;
        assert!(train(&corpus(), &c, &Progress::new()).is_err());
    }
}
