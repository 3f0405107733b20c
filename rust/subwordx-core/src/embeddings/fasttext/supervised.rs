//! `fastText`'s supervised classifier (Joulin et al. 2016, *Bag of Tricks for Efficient Text
//! Classification*), trained on the shared Hogwild engine; `docs/fasttext.md`, "Supervised
//! classification", is the algorithm to the random draw.
//!
//! An example is a line: its input rows ([`super::dictionary`]: words, word n-grams, character
//! n-grams) and its labels. The hidden vector `h` is the mean of the input rows; a linear layer
//! `wo` (one row per label) scores the labels through one of four [`Loss`]es; the gradient of
//! `h`, divided by the number of input rows (`fastText` normalises it for supervised models), is
//! added to every input row. The learning rate falls linearly from `lr` to 0 over
//! `epochs * ntokens` tokens (every token of the corpus, labels and `</s>` included, as `fastText`
//! counts them). Lines without a known label, or without an input row, train nothing but still
//! count towards the schedule.
//!
//! Threads take blocks of examples from the engine's queue and update both matrices without locks
//! (Hogwild, as `fastText`), each keeping private copies of the label rows of `wo` that every
//! example writes, merged every 64 examples ([`HOT_LABEL_ROWS`]); `threads = 1` trains the shared
//! rows directly, walks the examples in corpus order every epoch and is
//! reproducible, matching the numpy reference (`subwordx.reference.fasttext_supervised`) within
//! float32 round-off. The random draws (which label of a multi-label line, which negatives) come
//! from word2vec's generator seeded `seed + thread`, not `fastText`'s `minstd_rand`, so a model is
//! equally trained, not bit-identical to the fasttext package's.
//!
//! Memory: the corpus is held encoded (4 bytes per input row and label, 8 per line); the input
//! matrix is `(nwords + bucket) x dim` floats, padded to cache lines while training.

// Forced inlining: the generic loop must inline into its `#[target_feature]` caller.
#![allow(clippy::inline_always)]
use std::path::PathBuf;
use std::sync::Mutex;

use super::dictionary::{count_files, split_example, Dictionary, Features};
use super::loss::{Loss, Tables};
use crate::corpus::Utf8Errors;
use crate::embeddings::engine::{
    self, RunConfig, SentenceStats, Source, TrainStats, Trainer, Worker, MAX_THREADS,
};
use crate::embeddings::huffman::Huffman;
use crate::embeddings::jobs::Part;
use crate::embeddings::sampling::{CumTable, Lcg};
use crate::embeddings::shared_matrix::{
    prefetch_row, try_vec, PrivateRows, SharedMatrix, SharedRows,
};
use crate::embeddings::simd::{has_avx2_fma, Kernel, Scalar};
use crate::embeddings::word2vec::{MAX_DIM, MAX_EPOCHS, MAX_MATRIX_VALUES, MAX_NEGATIVE};
use crate::error::{Error, Result};
use crate::progress::Progress;

use super::model::{MAX_NGRAM, MAX_ROWS};

/// Longest word n-gram a model may use.
pub const MAX_WORD_NGRAMS: usize = 100;
/// Draws allowed to find one negative label different from the target before giving up on it
/// (only a label of vanishing count^0.5 share could need more).
const NEGATIVE_TRIES: usize = 64;
/// Rows of `wo` each thread keeps a private copy of when training on several threads: all of
/// them for up to 256 labels (softmax and one-vs-all write every label row on every example, so
/// with plain Hogwild two cores would pass those cache lines back and forth all the time), else
/// the last 256 (hierarchical softmax's top inner nodes, on every path). 256 rows of dim 100 are
/// 112 KiB, inside L2. With one thread this is off: `threads = 1` keeps the exact updates of the
/// spec and of the numpy reference.
const HOT_LABEL_ROWS: usize = 256;
/// Examples between two merges of the private rows into the shared ones (a merge of 12 labels
/// costs about one example; other threads see the updates within a fraction of a millisecond).
const HOT_SYNC_EXAMPLES: usize = 64;

/// Hyperparameters of a classifier. The defaults are `fastText`'s `supervised` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisedConfig {
    pub dim: usize,
    pub epochs: u32,
    /// Initial learning rate (decays linearly to 0).
    pub lr: f64,
    pub loss: Loss,
    /// Negative labels per example (`Loss::Ns`).
    pub neg: usize,
    /// Longest word n-gram (1: words only).
    pub word_ngrams: usize,
    pub min_count: u64,
    pub min_count_label: u64,
    pub min_n: usize,
    pub max_n: usize,
    /// Hash buckets of word and character n-grams; see [`SupervisedConfig::effective_bucket`].
    pub bucket: usize,
    pub threads: usize,
    pub seed: u64,
    pub label_prefix: String,
}

impl Default for SupervisedConfig {
    /// `fastText`'s: dim 100, 5 epochs, lr 0.1, softmax, 5 negatives, word n-grams 1, min count
    /// 1, no character n-grams, 2,000,000 buckets (0 in effect, see `effective_bucket`).
    fn default() -> Self {
        Self {
            dim: 100,
            epochs: 5,
            lr: 0.1,
            loss: Loss::Softmax,
            neg: 5,
            word_ngrams: 1,
            min_count: 1,
            min_count_label: 0,
            min_n: 0,
            max_n: 0,
            bucket: 2_000_000,
            threads: 1,
            seed: 0,
            label_prefix: "__label__".to_owned(),
        }
    }
}

impl SupervisedConfig {
    /// The bucket count a model gets: 0 when nothing hashes into buckets (`word_ngrams <= 1` and
    /// `max_n == 0`), as `fastText`'s argument parsing and the fasttext package's
    /// `_build_args` set it (so the saved `.bin` files agree), else `bucket`.
    pub fn effective_bucket(&self) -> usize {
        if self.word_ngrams <= 1 && self.max_n == 0 {
            0
        } else {
            self.bucket
        }
    }

    /// The features a line is encoded with.
    pub fn features(&self) -> Features {
        Features {
            word_ngrams: self.word_ngrams,
            min_n: self.min_n,
            max_n: self.max_n,
            bucket: self.effective_bucket(),
        }
    }

    /// Checks every parameter against its domain and bound.
    pub fn validate(&self) -> Result<()> {
        let range = |name: &str, v: usize, lo: usize, hi: usize| -> Result<()> {
            if v < lo || v > hi {
                return Err(Error::invalid(format!(
                    "{name} must be between {lo} and {hi}, not {v}"
                )));
            }
            Ok(())
        };
        range("dim", self.dim, 1, MAX_DIM)?;
        range("epochs", self.epochs as usize, 0, MAX_EPOCHS as usize)?;
        range("neg", self.neg, 0, MAX_NEGATIVE)?;
        range("word_ngrams", self.word_ngrams, 1, MAX_WORD_NGRAMS)?;
        range("threads", self.threads, 1, MAX_THREADS)?;
        range("max_n", self.max_n, 0, MAX_NGRAM)?;
        range("bucket", self.bucket, 0, MAX_ROWS)?;
        if self.max_n > 0 {
            range("min_n", self.min_n, 1, self.max_n)?;
        }
        if self.effective_bucket() == 0 && (self.max_n > 0 || self.word_ngrams > 1) {
            return Err(Error::invalid(
                "bucket must be >= 1 with word_ngrams > 1 or max_n > 0 (the n-grams hash into it)",
            ));
        }
        if self.loss == Loss::Ns && self.neg == 0 {
            return Err(Error::invalid("loss=ns needs neg >= 1"));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(Error::invalid(format!(
                "lr must be a finite number > 0, not {}",
                self.lr
            )));
        }
        if self.label_prefix.is_empty() || self.label_prefix.contains(char::is_whitespace) {
            return Err(Error::invalid(format!(
                "label_prefix must be a non-empty token without whitespace, not {:?}",
                self.label_prefix
            )));
        }
        Ok(())
    }
}

/// A trained (or loaded) classifier: its dictionary, configuration, the input matrix `wi`
/// (`(nwords + bucket) x dim`) and the output matrix `wo` (`nlabels x dim`; with hierarchical
/// softmax row `k` is inner node `k` of the label tree, the last row unused).
#[derive(Debug, Clone)]
pub struct Supervised {
    pub dict: Dictionary,
    pub config: SupervisedConfig,
    pub wi: Vec<f32>,
    pub wo: Vec<f32>,
}

impl Supervised {
    /// A fresh model over `dict`: `wi` uniform in `[-1/dim, 1/dim)` from the seed (word2vec's
    /// draw over every row, as the unsupervised models), `wo` zero.
    pub fn new(dict: Dictionary, config: SupervisedConfig) -> Result<Self> {
        config.validate()?;
        let dim = config.dim;
        let rows = dict.input_rows();
        check_size(rows, dict.labels.len(), dim)?;
        let mut wi = try_vec(rows * dim, 0.0f32, "the input matrix")?;
        let mut rng = Lcg::new(config.seed);
        // As word2vec: the first state from a small seed has zero top bits, skip it.
        rng.advance();
        for x in &mut wi {
            let r = rng.advance();
            *x = ((((r >> 48) as f32) / 65536.0 - 0.5) * 2.0) / dim as f32;
        }
        let wo = try_vec(dict.labels.len() * dim, 0.0f32, "the output matrix")?;
        Ok(Self {
            dict,
            config,
            wi,
            wo,
        })
    }

    /// A model from existing matrices (a loaded `.bin`); checks every shape.
    pub fn from_parts(
        dict: Dictionary,
        config: SupervisedConfig,
        wi: Vec<f32>,
        wo: Vec<f32>,
    ) -> Result<Self> {
        let m = Self {
            dict,
            config,
            wi,
            wo,
        };
        m.check()?;
        Ok(m)
    }

    /// Everything training and prediction rely on (the fields are public).
    pub fn check(&self) -> Result<()> {
        let c = &self.config;
        c.validate()?;
        if self.dict.features != c.features() {
            return Err(Error::invalid(
                "the dictionary's features disagree with the configuration",
            ));
        }
        if self.dict.labels.is_empty() {
            return Err(Error::EmptyCorpus("the model has no labels".into()));
        }
        let rows = self.dict.input_rows();
        check_size(rows, self.dict.labels.len(), c.dim)?;
        if self.wi.len() != rows * c.dim {
            return Err(Error::invalid(format!(
                "the input matrix has {} values, expected {rows} x {}",
                self.wi.len(),
                c.dim
            )));
        }
        if self.wo.len() != self.dict.labels.len() * c.dim {
            return Err(Error::invalid(format!(
                "the output matrix has {} values, expected {} x {}",
                self.wo.len(),
                self.dict.labels.len(),
                c.dim
            )));
        }
        Ok(())
    }

    /// Counts `paths`, builds the dictionary, reads the examples and trains a new model.
    pub fn train_files(
        paths: &[PathBuf],
        config: SupervisedConfig,
        errors: Utf8Errors,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<(Self, TrainStats)> {
        config.validate()?;
        let (words, labels, ntokens) = count_files(
            paths,
            &config.label_prefix,
            config.min_count,
            config.min_count_label,
            errors,
            config.threads,
            progress,
        )?;
        let dict = Dictionary::new(
            words,
            labels,
            ntokens,
            config.label_prefix.clone(),
            config.features(),
        )?;
        let mut model = Self::new(dict, config)?;
        let parts = model
            .dict
            .read_examples(paths, errors, model.config.threads, progress)?;
        let stats = model.train_examples(&parts, progress, on_epoch)?;
        Ok((model, stats))
    }

    /// Trains on encoded examples ([`Dictionary::read_examples`]) for `config.epochs` epochs.
    pub fn train_examples(
        &mut self,
        parts: &[Part],
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        self.check()?;
        let trainable = parts.iter().any(|p| {
            let mut begin = 0;
            p.ends.iter().any(|&end| {
                let (_, labels, inputs) = split_example(&p.ids[begin..end]);
                begin = end;
                !labels.is_empty() && !inputs.is_empty()
            })
        });
        if !trainable {
            return Err(Error::EmptyCorpus(
                "no line has both a known label and a word to learn from".into(),
            ));
        }
        if self.config.epochs == 0 {
            return Ok(TrainStats {
                epoch_losses: Vec::new(),
                words: 0,
                effective_words: 0,
                seconds: 0.0,
            });
        }
        let ntokens: u64 = parts
            .iter()
            .map(|p| {
                let mut begin = 0;
                p.ends
                    .iter()
                    .map(|&end| {
                        let n = u64::from(p.ids[begin]);
                        begin = end;
                        n
                    })
                    .sum::<u64>()
            })
            .sum();
        train(self, &Source::Memory(parts), ntokens, progress, on_epoch)
    }
}

/// Checks that a model of this size can be addressed and allocated.
fn check_size(rows: usize, labels: usize, dim: usize) -> Result<()> {
    if rows > MAX_ROWS {
        return Err(Error::invalid(format!(
            "{rows} input rows exceed fastText's limit of {MAX_ROWS}"
        )));
    }
    if rows.max(labels).saturating_mul(dim) > MAX_MATRIX_VALUES {
        return Err(Error::invalid(format!(
            "{rows} input rows at dim={dim} need more than {MAX_MATRIX_VALUES} (2^32) values: \
             use a smaller bucket or dim"
        )));
    }
    Ok(())
}

/// One training call: the matrices move into the padded shared layout and back, whatever
/// happens (an interrupted run keeps its partial training).
fn train(
    model: &mut Supervised,
    source: &Source<'_>,
    ntokens: u64,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(u32, f64),
) -> Result<TrainStats> {
    let config = &model.config;
    let dim = config.dim;
    let label_counts = &model.dict.labels.counts;
    let mut pi = SharedMatrix::take(&mut model.wi, dim, "the input matrix")?;
    let mut po = match SharedMatrix::take(&mut model.wo, dim, "the output matrix") {
        Ok(m) => m,
        Err(e) => {
            model.wi = pi.into_vec();
            return Err(e);
        }
    };
    let trainer = SupTrainer {
        config,
        wi: pi.rows(),
        wo: po.rows(),
        nlabels: label_counts.len(),
        kdim: dim.next_multiple_of(8),
        negatives: if config.loss == Loss::Ns {
            CumTable::with_power(label_counts, 0.5)
        } else {
            CumTable::new(&[1])
        },
        huffman: if config.loss == Loss::Hs {
            Huffman::new(label_counts)
        } else {
            Huffman::default()
        },
        tables: Tables::new(),
        use_avx2: has_avx2_fma(),
        wo_lock: Mutex::new(()),
    };
    let run = RunConfig {
        threads: config.threads,
        epochs: config.epochs,
        train_words: ntokens,
        alpha: config.lr,
        min_alpha: 0.0,
        stage: "training fastText classifier",
    };
    let result = engine::run(&trainer, source, &run, progress, on_epoch);
    // Every thread has been joined: the matrices are ours again.
    drop(trainer);
    model.wi = pi.into_vec();
    model.wo = po.into_vec();
    result
}

/// What every thread shares: the matrices (raw views) and the read-only tables.
struct SupTrainer<'a> {
    config: &'a SupervisedConfig,
    /// `nwords + bucket` rows; every input id is below that (the dictionary's encoding).
    wi: SharedRows,
    /// `nlabels` rows.
    wo: SharedRows,
    nlabels: usize,
    /// `dim` rounded up to 8 (the padding is zero and stays zero).
    kdim: usize,
    negatives: CumTable,
    huffman: Huffman,
    tables: Tables,
    use_avx2: bool,
    /// Taken by the merges of the private rows of `wo`.
    wo_lock: Mutex<()>,
}

impl Trainer for SupTrainer<'_> {
    type Worker<'w>
        = SupWorker<'w>
    where
        Self: 'w;

    fn worker(&self, thread: usize) -> Result<SupWorker<'_>> {
        let hot = if self.config.threads > 1 {
            PrivateRows::last_rows(self.wo, &self.wo_lock, HOT_LABEL_ROWS, HOT_SYNC_EXAMPLES)?
        } else {
            PrivateRows::disabled(self.wo, &self.wo_lock)
        };
        let mut work = try_vec(2 * self.kdim, 0.0f32, "work vectors")?;
        // Derived once: the buffer is reached only through these two pointers from now on.
        let h = work.as_mut_ptr();
        let g = h.wrapping_add(self.kdim);
        Ok(SupWorker {
            m: self,
            hot,
            rng: Lcg::new(self.config.seed.wrapping_add(thread as u64)),
            output: vec![0.0; self.nlabels],
            _work: work,
            h,
            g,
        })
    }

    /// An example counts its tokens (its first entry), as `fastText`'s schedule does.
    fn words(&self, example: &[u32]) -> u64 {
        u64::from(example[0])
    }
}

/// One thread's state.
struct SupWorker<'a> {
    m: &'a SupTrainer<'a>,
    /// The rows of `wo` this thread trains (private copies of the hot ones, see
    /// [`HOT_LABEL_ROWS`]).
    hot: PrivateRows<'a>,
    rng: Lcg,
    /// Softmax's scores, one per label.
    output: Vec<f32>,
    /// Owns `h` and `g` (`kdim` floats each); never touched after the pointers were taken.
    _work: Vec<f32>,
    /// The hidden layer: the mean of the input rows.
    h: *mut f32,
    /// The gradient for the input rows.
    g: *mut f32,
}

impl Worker for SupWorker<'_> {
    fn train_sentence(&mut self, example: &[u32], alpha: f32) -> SentenceStats {
        #[cfg(target_arch = "x86_64")]
        if self.m.use_avx2 {
            // SAFETY: use_avx2 is true only when the CPU supports AVX2 and FMA.
            return unsafe { example_avx2(self, example, alpha) };
        }
        train_example::<Scalar>(self, example, alpha)
    }

    fn finish(&mut self) {
        self.hot.merge();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn example_avx2(w: &mut SupWorker<'_>, example: &[u32], alpha: f32) -> SentenceStats {
    train_example::<crate::embeddings::simd::Avx2>(w, example, alpha)
}

/// One example: `h` = mean of the input rows; the loss accumulates the gradient `g` and updates
/// `wo`; `g / |inputs|` is added to every input row.
#[inline(always)]
fn train_example<K: Kernel>(w: &mut SupWorker<'_>, example: &[u32], alpha: f32) -> SentenceStats {
    let m = w.m;
    let (ntokens, labels, inputs) = split_example(example);
    let mut stats = SentenceStats {
        loss: 0.0,
        steps: 0,
        effective: ntokens,
    };
    if labels.is_empty() || inputs.is_empty() {
        return stats;
    }
    let dim = m.kdim;
    let (h, g) = (w.h, w.g);
    // fastText's `Vector::mul(1.0 / size)`: the reciprocal in f64, applied in f32.
    let inv = (1.0f64 / inputs.len() as f64) as f32;
    // SAFETY (every block below): h and g point to kdim floats each of this thread's work buffer,
    // reached only through these pointers; every input id is below nwords + bucket (the rows of
    // wi: the dictionary hashes modulo bucket) and every label id below nlabels (the rows of wo),
    // so every row touched is inside its matrix and holds at least kdim floats (the stride).
    unsafe {
        std::ptr::write_bytes(h, 0, dim);
        std::ptr::write_bytes(g, 0, dim);
    }
    // The input rows are scattered over a matrix far larger than the caches: ask for all of them
    // first, so their cache misses overlap.
    for &id in inputs {
        prefetch_row(m.wi.row(id as usize), dim);
    }
    for &id in inputs {
        // SAFETY: see above.
        unsafe { K::axpy(1.0, m.wi.row(id as usize), h, dim) };
    }
    for k in 0..dim {
        // SAFETY: see above.
        unsafe { *h.add(k) *= inv };
    }
    let loss = if m.config.loss == Loss::Ova {
        let mut loss = 0.0f32;
        for t in 0..m.nlabels {
            let gold = labels.contains(&(t as u32));
            // SAFETY: see above (t < nlabels).
            loss += unsafe { binary_logistic::<K>(m, &w.hot, h, g, t, gold, alpha) };
        }
        loss
    } else {
        let target = if labels.len() == 1 {
            labels[0]
        } else {
            labels[((w.rng.advance() >> 16) % labels.len() as u64) as usize]
        };
        // SAFETY: see above.
        unsafe { single_target::<K>(w, h, g, target as usize, alpha) }
    };
    for k in 0..dim {
        // SAFETY: see above.
        unsafe { *g.add(k) *= inv };
    }
    for &id in inputs {
        // SAFETY: see above.
        unsafe { K::axpy(1.0, g, m.wi.row(id as usize), dim) };
    }
    w.hot.tick();
    stats.loss = f64::from(loss);
    stats.steps = 1;
    stats
}

/// `fastText`'s `BinaryLogisticLoss::binaryLogistic`: `s = sigmoid(wo[t] . h)` (the table),
/// `a = alpha * (gold - s)`, `g += a * wo[t]`, `wo[t] += a * h`. Returns `-log(s)` or
/// `-log(1 - s)` (the log table).
///
/// # Safety
/// `h` and `g` point to `kdim` floats nothing else accesses; `t < nlabels`.
#[inline(always)]
unsafe fn binary_logistic<K: Kernel>(
    m: &SupTrainer<'_>,
    rows: &PrivateRows<'_>,
    h: *const f32,
    g: *mut f32,
    t: usize,
    gold: bool,
    alpha: f32,
) -> f32 {
    let out = rows.row(t);
    // SAFETY: the caller's contract; t < nlabels = rows of wo (private or shared).
    let s = m.tables.sigmoid(unsafe { K::dot(h, out, m.kdim) });
    let a = alpha * (f32::from(u8::from(gold)) - s);
    // SAFETY: as above.
    unsafe { K::update(a, h, out, g, m.kdim) };
    if gold {
        -m.tables.log(s)
    } else {
        -m.tables.log(1.0 - s)
    }
}

/// The losses with one target label per step: softmax, hierarchical softmax, negative sampling.
///
/// # Safety
/// As [`binary_logistic`]; `target < nlabels`.
#[inline(always)]
unsafe fn single_target<K: Kernel>(
    w: &mut SupWorker<'_>,
    h: *const f32,
    g: *mut f32,
    target: usize,
    alpha: f32,
) -> f32 {
    let m = w.m;
    match m.config.loss {
        Loss::Softmax => {
            // Scores, then the softmax with the maximum subtracted (exp in f64, sums in f32).
            let mut max = f32::NEG_INFINITY;
            for (t, o) in w.output.iter_mut().enumerate() {
                // SAFETY: t < nlabels; the caller's contract for h.
                *o = unsafe { K::dot(h, w.hot.row(t), m.kdim) };
                max = max.max(*o);
            }
            let mut z = 0.0f32;
            for o in &mut w.output {
                *o = f64::from(*o - max).exp() as f32;
                z += *o;
            }
            for o in &mut w.output {
                *o /= z;
            }
            for (t, &p) in w.output.iter().enumerate() {
                let gold = if t == target { 1.0f32 } else { 0.0 };
                let a = alpha * (gold - p);
                // SAFETY: as above.
                unsafe { K::update(a, h, w.hot.row(t), g, m.kdim) };
            }
            -m.tables.log(w.output[target])
        }
        Loss::Hs => {
            let mut loss = 0.0f32;
            let (lo, hi) = (m.huffman.offsets[target], m.huffman.offsets[target + 1]);
            for d in lo..hi {
                let point = m.huffman.points[d] as usize;
                // fastText's convention: the step towards child 1 is the positive class.
                let gold = m.huffman.codes[d] == 1;
                // SAFETY: point < nlabels - 1 (an inner node of the label tree).
                loss += unsafe { binary_logistic::<K>(m, &w.hot, h, g, point, gold, alpha) };
            }
            loss
        }
        Loss::Ns => {
            // SAFETY: as above.
            let mut loss = unsafe { binary_logistic::<K>(m, &w.hot, h, g, target, true, alpha) };
            if m.nlabels > 1 {
                for _ in 0..m.config.neg {
                    let mut negative = None;
                    for _ in 0..NEGATIVE_TRIES {
                        let t = m.negatives.draw(&mut w.rng) as usize;
                        if t != target {
                            negative = Some(t);
                            break;
                        }
                    }
                    if let Some(t) = negative {
                        // SAFETY: draws are below the table's length, nlabels.
                        loss += unsafe { binary_logistic::<K>(m, &w.hot, h, g, t, false, alpha) };
                    }
                }
            }
            loss
        }
        // One-vs-all is handled by the caller (every label is a target).
        Loss::Ova => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(dir: &std::path::Path) -> PathBuf {
        let p = dir.join("c.txt");
        let mut s = String::new();
        for i in 0..300 {
            match i % 3 {
                0 => s.push_str("__label__a the cat sat on the mat\n"),
                1 => s.push_str("dogs bark at __label__b night loudly\n"),
                _ => s.push_str("__label__a __label__c cats and mats and sat\n"),
            }
        }
        s.push_str("a line without any label\n");
        std::fs::write(&p, s).unwrap();
        p
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("subwordx-sup-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn every_loss_trains_reproducibly() {
        let d = dir("losses");
        let path = corpus(&d);
        for loss in [Loss::Softmax, Loss::Hs, Loss::Ns, Loss::Ova] {
            for word_ngrams in [1, 2] {
                let config = SupervisedConfig {
                    dim: 10,
                    epochs: 3,
                    loss,
                    word_ngrams,
                    bucket: 1000,
                    ..SupervisedConfig::default()
                };
                let run = || {
                    Supervised::train_files(
                        std::slice::from_ref(&path),
                        config.clone(),
                        Utf8Errors::Strict,
                        &Progress::new(),
                        &mut |_, _| {},
                    )
                    .unwrap()
                };
                let (a, stats) = run();
                let (b, _) = run();
                assert_eq!(a.wi, b.wi, "{loss:?}");
                assert_eq!(a.wo, b.wo, "{loss:?}");
                assert_eq!(stats.epoch_losses.len(), 3);
                assert!(stats.epoch_losses.iter().all(|l| l.is_finite()), "{loss:?}");
                assert_eq!(
                    a.dict.labels.words,
                    ["__label__a", "__label__b", "__label__c"]
                );
                assert_eq!(a.wi.len(), a.dict.input_rows() * 10);
                if word_ngrams == 1 {
                    assert_eq!(a.dict.features.bucket, 0);
                }
                // Every token, </s> included: 8, 7 and 8 per labelled line, 6 in the last.
                assert_eq!(a.dict.ntokens, 100 * 8 + 100 * 7 + 100 * 8 + 6);
            }
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn bad_settings_are_errors() {
        let ok = SupervisedConfig::default();
        assert!(ok.validate().is_ok());
        for c in [
            SupervisedConfig {
                dim: 0,
                ..ok.clone()
            },
            SupervisedConfig {
                lr: -0.1,
                ..ok.clone()
            },
            SupervisedConfig {
                lr: f64::NAN,
                ..ok.clone()
            },
            SupervisedConfig {
                word_ngrams: 0,
                ..ok.clone()
            },
            SupervisedConfig {
                word_ngrams: 2,
                bucket: 0,
                ..ok.clone()
            },
            SupervisedConfig {
                max_n: 3,
                min_n: 4,
                ..ok.clone()
            },
            SupervisedConfig {
                loss: Loss::Ns,
                neg: 0,
                ..ok.clone()
            },
            SupervisedConfig {
                label_prefix: String::new(),
                ..ok.clone()
            },
        ] {
            assert!(
                matches!(c.validate(), Err(Error::InvalidArgument(_))),
                "{c:?}"
            );
        }
    }

    #[test]
    fn a_corpus_without_labels_is_empty() {
        let d = dir("empty");
        let p = d.join("n.txt");
        std::fs::write(&p, "no labels here\nnor here\n").unwrap();
        let e = Supervised::train_files(
            &[p],
            SupervisedConfig::default(),
            Utf8Errors::Strict,
            &Progress::new(),
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(matches!(e, Error::EmptyCorpus(_)), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
