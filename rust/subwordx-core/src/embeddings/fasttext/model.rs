//! `fastText`'s unsupervised models: skip-gram and CBOW over subword inputs.
//!
//! The algorithm is `docs/fasttext.md`: word2vec's (`docs/word2vec.md`: the same subsampling,
//! window draws, negative sampling, hierarchical softmax, learning-rate schedule and random
//! generator, draw for draw) with `fastText`'s input layer. A word's input vector is the mean of the
//! rows of its subwords ([`super::ngrams`]: the word's own row and its hashed character n-grams,
//! rows `nwords..nwords + bucket` of the input matrix), and the error of a step is added to every
//! one of those rows, as `fastText`'s `Model::update` does for its unsupervised models:
//!
//! * **skip-gram** (`fastText`'s direction): the centre word's subwords predict each context word;
//! * **CBOW**: the mean over the subwords of all context words predicts the centre word.
//!
//! The inner loop plugs into the shared Hogwild [`engine`] through a [`Trainer`]; the matrices
//! are [`SharedMatrix`]es for the call. With `threads = 1` a run is reproducible and matches the
//! numpy reference (`subwordx.reference.fasttext`) within f32 round-off. Bounds: every size that
//! drives an allocation is checked up front, as word2vec's, and `nwords + bucket` must fit in
//! `fastText`'s `int32` ids.

// Forced inlining: the generic loop must inline into its `#[target_feature]` caller.
#![allow(clippy::inline_always)]
use std::path::PathBuf;

use super::ngrams::Subwords;
use crate::corpus::words::read_parallel;
use crate::corpus::{total_bytes, Utf8Errors};
use crate::embeddings::engine::{
    self, CorpusMode, RunConfig, SentenceStats, Source, TrainStats, Trainer, Worker, MAX_THREADS,
    STREAM_ABOVE_BYTES,
};
use crate::embeddings::huffman::Huffman;
use crate::embeddings::jobs::{Encoder, Part};
use crate::embeddings::sampling::{keep_probability, CumTable, Lcg, SigmoidTable, MAX_EXP};
use crate::embeddings::shared_matrix::{prefetch_row, try_vec, SharedMatrix, SharedRows};
use crate::embeddings::simd::{has_avx2_fma, Kernel, Scalar};
use crate::embeddings::vocab::Vocab;
use crate::embeddings::word2vec::{
    MAX_DIM, MAX_EPOCHS, MAX_MATRIX_VALUES, MAX_NEGATIVE, MAX_WINDOW,
};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Longest n-gram, in characters (`fastText` uses up to 6; the bound keeps the per-word n-gram list
/// short whatever the setting).
pub const MAX_NGRAM: usize = 100;
/// Most rows `fastText`'s `int32` ids can address: `nwords + bucket` must not exceed it.
pub const MAX_ROWS: usize = i32::MAX as usize;

/// Hyperparameters of `fastText`'s unsupervised models.
#[derive(Debug, Clone, PartialEq)]
pub struct FastTextConfig {
    /// Skip-gram (`true`) or CBOW (`false`).
    pub sg: bool,
    pub dim: usize,
    pub window: usize,
    /// Negative samples per target (0 with `hs`).
    pub negative: usize,
    /// Hierarchical softmax instead of negative sampling.
    pub hs: bool,
    /// Subsampling threshold (`fastText`'s `-t`; 0 disables it).
    pub sample: f64,
    pub alpha: f64,
    pub min_alpha: f64,
    pub epochs: u32,
    pub threads: usize,
    pub seed: u64,
    /// Shortest and longest character n-gram (`max_n == 0`: no n-grams, word rows only).
    pub min_n: usize,
    pub max_n: usize,
    /// Hash buckets of the n-grams.
    pub bucket: usize,
    /// Negatives are drawn by `count^ns_exponent`: `fastText` uses 0.5 (its
    /// `initTableNegatives`), word2vec and gensim 0.75.
    pub ns_exponent: f64,
}

impl Default for FastTextConfig {
    /// `fastText`'s defaults: skip-gram, dim 100, window 5, 5 negatives, `-t 1e-4`, lr 0.05
    /// decaying to 0, 5 epochs, n-grams 3..6 in 2,000,000 buckets.
    fn default() -> Self {
        Self {
            sg: true,
            dim: 100,
            window: 5,
            negative: 5,
            hs: false,
            sample: 1e-4,
            alpha: 0.05,
            min_alpha: 0.0,
            epochs: 5,
            threads: 1,
            seed: 1,
            min_n: 3,
            max_n: 6,
            bucket: 2_000_000,
            ns_exponent: 0.5,
        }
    }
}

impl FastTextConfig {
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
        range("window", self.window, 1, MAX_WINDOW)?;
        range("negative", self.negative, 0, MAX_NEGATIVE)?;
        range("threads", self.threads, 1, MAX_THREADS)?;
        range("epochs", self.epochs as usize, 0, MAX_EPOCHS as usize)?;
        range("max_n", self.max_n, 0, MAX_NGRAM)?;
        range("bucket", self.bucket, 0, MAX_ROWS)?;
        if self.max_n > 0 {
            range("min_n", self.min_n, 1, self.max_n)?;
            if self.bucket == 0 {
                return Err(Error::invalid("bucket must be >= 1 when max_n > 0"));
            }
        }
        if self.hs == (self.negative > 0) {
            return Err(Error::invalid(
                "fastText trains one output layer: set negative > 0 (negative sampling) or \
                 hs=true with negative=0 (hierarchical softmax), not both or neither",
            ));
        }
        if !(self.ns_exponent.is_finite() && (-10.0..=10.0).contains(&self.ns_exponent)) {
            return Err(Error::invalid(format!(
                "ns_exponent must be a number in [-10, 10], not {}",
                self.ns_exponent
            )));
        }
        if !(self.sample >= 0.0 && self.sample.is_finite()) {
            return Err(Error::invalid(format!(
                "sample must be >= 0, not {}",
                self.sample
            )));
        }
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid(format!(
                "alpha must be > 0, not {}",
                self.alpha
            )));
        }
        if !(self.min_alpha >= 0.0 && self.min_alpha <= self.alpha) {
            return Err(Error::invalid(format!(
                "min_alpha must be between 0 and alpha={}, not {}",
                self.alpha, self.min_alpha
            )));
        }
        Ok(())
    }

    /// Checks that `words + bucket` rows fit `fastText`'s ids and the matrix bound.
    pub fn validate_size(&self, words: usize) -> Result<()> {
        let rows = words.saturating_add(self.bucket);
        if rows > MAX_ROWS {
            return Err(Error::invalid(format!(
                "{words} words + bucket={} rows exceed fastText's limit of {MAX_ROWS}",
                self.bucket
            )));
        }
        if rows.saturating_mul(self.dim) > MAX_MATRIX_VALUES {
            return Err(Error::invalid(format!(
                "{words} words + bucket={} rows at dim={} need more than {MAX_MATRIX_VALUES} \
                 (2^32) values: use a smaller bucket or dim",
                self.bucket, self.dim
            )));
        }
        Ok(())
    }
}

/// A `fastText` model: vocabulary, configuration, the input matrix `wi`
/// (`(nwords + bucket) x dim`: word rows, then n-gram buckets) and the output matrix `wo`
/// (`nwords x dim`; with hierarchical softmax row `k` is inner node `k`, the last row unused).
#[derive(Debug, Clone)]
pub struct FastText {
    pub vocab: Vocab,
    pub config: FastTextConfig,
    pub wi: Vec<f32>,
    pub wo: Vec<f32>,
}

impl FastText {
    /// A fresh model: `wi` uniform in `[-1/dim, 1/dim)` from the seed (word2vec's draw, over
    /// every row), `wo` zero.
    pub fn new(vocab: Vocab, config: FastTextConfig) -> Result<Self> {
        config.validate()?;
        if vocab.is_empty() {
            return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
        }
        vocab.check_counts()?;
        let v = vocab.len();
        config.validate_size(v)?;
        let dim = config.dim;
        let mut wi = try_vec((v + config.bucket) * dim, 0.0f32, "the input matrix")?;
        let mut rng = Lcg::new(config.seed);
        // As word2vec: the first state from a small seed has zero top bits, skip it.
        rng.advance();
        for x in &mut wi {
            let r = rng.advance();
            *x = ((((r >> 48) as f32) / 65536.0 - 0.5) * 2.0) / dim as f32;
        }
        let wo = try_vec(v * dim, 0.0f32, "the output matrix")?;
        Ok(Self {
            vocab,
            config,
            wi,
            wo,
        })
    }

    /// A model from existing matrices (a loaded model, for continued training).
    pub fn from_parts(
        vocab: Vocab,
        config: FastTextConfig,
        wi: Vec<f32>,
        wo: Vec<f32>,
    ) -> Result<Self> {
        let m = Self {
            vocab,
            config,
            wi,
            wo,
        };
        m.check()?;
        Ok(m)
    }

    /// Everything training relies on (the fields are public).
    fn check(&self) -> Result<()> {
        let c = &self.config;
        c.validate()?;
        self.vocab.check_counts()?;
        let v = self.vocab.len();
        c.validate_size(v)?;
        if self.wi.len() != (v + c.bucket) * c.dim {
            return Err(Error::invalid(format!(
                "the input matrix has {} values, expected ({v} + {}) x {}",
                self.wi.len(),
                c.bucket,
                c.dim
            )));
        }
        if self.wo.len() != v * c.dim {
            return Err(Error::invalid(format!(
                "the output matrix has {} values, expected {v} x {}",
                self.wo.len(),
                c.dim
            )));
        }
        Ok(())
    }

    /// The subwords of the vocabulary words under this configuration.
    pub fn subwords(&self) -> Subwords {
        Subwords::new(
            &self.vocab.words,
            self.config.min_n,
            self.config.max_n,
            self.config.bucket,
        )
    }

    /// Trains on text files (as [`crate::embeddings::Word2Vec::train_files`]).
    pub fn train_files(
        &mut self,
        paths: &[PathBuf],
        epochs: Option<u32>,
        errors: Utf8Errors,
        mode: CorpusMode,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        self.check()?;
        if paths.is_empty() {
            return Err(Error::EmptyCorpus("no input files were given".into()));
        }
        let epochs = epochs.unwrap_or(self.config.epochs);
        if epochs > MAX_EPOCHS {
            return Err(Error::invalid(format!(
                "epochs must be between 0 and {MAX_EPOCHS}, not {epochs}"
            )));
        }
        let bytes = total_bytes(paths)?;
        let stream = match mode {
            CorpusMode::Auto => bytes > STREAM_ABOVE_BYTES,
            CorpusMode::InMemory => false,
            CorpusMode::Stream => true,
        };
        let parts: Vec<Part>;
        let source = if stream {
            if self.vocab.train_words() == 0 {
                return Err(Error::EmptyCorpus(
                    "the corpus contains no word of the vocabulary".into(),
                ));
            }
            Source::Stream {
                vocab: &self.vocab,
                paths,
                errors,
            }
        } else {
            let vocab = &self.vocab;
            let encoders = read_parallel(
                paths,
                self.config.threads,
                errors,
                progress,
                "reading corpus",
                || Encoder {
                    vocab,
                    part: Part::default(),
                },
            )?;
            parts = encoders.into_iter().map(|e| e.part).collect();
            if parts.iter().all(|p| p.ids.is_empty()) {
                return Err(Error::EmptyCorpus(
                    "the corpus contains no word of the vocabulary".into(),
                ));
            }
            Source::Memory(&parts)
        };
        if epochs == 0 {
            return Ok(TrainStats {
                epoch_losses: Vec::new(),
                words: 0,
                effective_words: 0,
                seconds: 0.0,
            });
        }
        train(
            &self.vocab,
            &self.config,
            &mut self.wi,
            &mut self.wo,
            &source,
            epochs,
            progress,
            on_epoch,
        )
    }
}

/// One training call: the matrices move into the padded shared layout and back, whatever
/// happens (an interrupted run keeps its partial training, as word2vec's).
fn train(
    vocab: &Vocab,
    config: &FastTextConfig,
    wi: &mut Vec<f32>,
    wo: &mut Vec<f32>,
    source: &Source<'_>,
    epochs: u32,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(u32, f64),
) -> Result<TrainStats> {
    let train_words = vocab.train_words();
    let keep = vocab
        .counts
        .iter()
        .map(|&c| {
            if config.sample <= 0.0 || c == 0 {
                u32::MAX
            } else {
                let keep = keep_probability(c, config.sample, train_words);
                (keep * 65536.0).floor().min(65536.0) as u32
            }
        })
        .collect();
    let subwords = Subwords::new(&vocab.words, config.min_n, config.max_n, config.bucket);
    let dim = config.dim;
    let mut pi = SharedMatrix::take(wi, dim, "the input matrix")?;
    let mut po = match SharedMatrix::take(wo, dim, "the output matrix") {
        Ok(m) => m,
        Err(e) => {
            *wi = pi.into_vec();
            return Err(e);
        }
    };
    let trainer = FtTrainer {
        config,
        wi: pi.rows(),
        wo: po.rows(),
        kdim: dim.next_multiple_of(8),
        keep,
        subwords,
        cum: if config.negative > 0 {
            CumTable::with_power(&vocab.counts, config.ns_exponent)
        } else {
            CumTable::new(&[1])
        },
        huffman: if config.hs {
            Huffman::new(&vocab.counts)
        } else {
            Huffman::default()
        },
        sigmoid: SigmoidTable::new(),
        use_avx2: has_avx2_fma(),
    };
    let run = RunConfig {
        threads: config.threads,
        epochs,
        train_words,
        alpha: config.alpha,
        min_alpha: config.min_alpha,
        stage: if config.sg {
            "training fastText skip-gram"
        } else {
            "training fastText cbow"
        },
    };
    let result = engine::run(&trainer, source, &run, progress, on_epoch);
    // Every thread has been joined: the matrices are ours again.
    drop(trainer);
    *wi = pi.into_vec();
    *wo = po.into_vec();
    result
}

/// What every thread shares: the matrices (raw views) and the read-only tables.
struct FtTrainer<'a> {
    config: &'a FastTextConfig,
    /// `(nwords + bucket)` rows; every subword id is below that.
    wi: SharedRows,
    /// `nwords` rows.
    wo: SharedRows,
    /// `dim` rounded up to 8 (the padding is zero and stays zero; see word2vec).
    kdim: usize,
    keep: Vec<u32>,
    subwords: Subwords,
    cum: CumTable,
    huffman: Huffman,
    sigmoid: SigmoidTable,
    use_avx2: bool,
}

impl Trainer for FtTrainer<'_> {
    type Worker<'w>
        = FtWorker<'w>
    where
        Self: 'w;

    fn worker(&self, thread: usize) -> Result<FtWorker<'_>> {
        let mut work = try_vec(2 * self.kdim, 0.0f32, "work vectors")?;
        // Derived once: the buffer is reached only through these two pointers from now on.
        let h = work.as_mut_ptr();
        let e = h.wrapping_add(self.kdim);
        Ok(FtWorker {
            m: self,
            sen: Vec::new(),
            inputs: Vec::new(),
            targets: Vec::with_capacity(self.config.negative + 1),
            rng: Lcg::new(self.config.seed.wrapping_add(thread as u64)),
            _work: work,
            h,
            e,
        })
    }
}

/// One thread's state.
struct FtWorker<'a> {
    m: &'a FtTrainer<'a>,
    /// The sentence after subsampling.
    sen: Vec<u32>,
    /// CBOW's input rows (the subwords of every context word).
    inputs: Vec<u32>,
    targets: Vec<u32>,
    rng: Lcg,
    /// Owns `h` and `e` (`kdim` floats each); never touched after the pointers were taken.
    _work: Vec<f32>,
    /// The hidden layer: the mean of the input rows.
    h: *mut f32,
    /// The error accumulated for the input rows.
    e: *mut f32,
}

impl Worker for FtWorker<'_> {
    fn train_sentence(&mut self, sentence: &[u32], alpha: f32) -> SentenceStats {
        #[cfg(target_arch = "x86_64")]
        if self.m.use_avx2 {
            // SAFETY: use_avx2 is true only when the CPU supports AVX2 and FMA.
            return unsafe { sentence_avx2(self, sentence, alpha) };
        }
        train_sentence::<Scalar>(self, sentence, alpha)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sentence_avx2(w: &mut FtWorker<'_>, sentence: &[u32], alpha: f32) -> SentenceStats {
    train_sentence::<crate::embeddings::simd::Avx2>(w, sentence, alpha)
}

/// Subsamples one sentence (word2vec's draw) and trains every position.
#[inline(always)]
fn train_sentence<K: Kernel>(w: &mut FtWorker<'_>, sentence: &[u32], alpha: f32) -> SentenceStats {
    let m = w.m;
    w.sen.clear();
    if m.config.sample > 0.0 {
        for &id in sentence {
            let x = (w.rng.advance() >> 48) as u32;
            if x <= m.keep[id as usize] {
                w.sen.push(id);
            }
        }
    } else {
        w.sen.extend_from_slice(sentence);
    }
    let sen = std::mem::take(&mut w.sen);
    let window = m.config.window as u64;
    let n = sen.len();
    let mut loss = 0.0f64;
    let mut steps = 0u64;
    for i in 0..n {
        let reach = (window - w.rng.advance() % window) as usize;
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n - 1);
        if m.config.sg {
            let input = m.subwords.of(sen[i] as usize);
            for &target in &sen[lo..i] {
                loss += f64::from(step::<K>(w, input, target, alpha));
                steps += 1;
            }
            for &target in &sen[i + 1..=hi] {
                loss += f64::from(step::<K>(w, input, target, alpha));
                steps += 1;
            }
        } else {
            if hi == lo {
                continue;
            }
            let mut inputs = std::mem::take(&mut w.inputs);
            inputs.clear();
            for (j, &c) in sen.iter().enumerate().take(hi + 1).skip(lo) {
                if j != i {
                    inputs.extend_from_slice(m.subwords.of(c as usize));
                }
            }
            loss += f64::from(step::<K>(w, &inputs, sen[i], alpha));
            steps += 1;
            w.inputs = inputs;
        }
    }
    let effective = n as u64;
    w.sen = sen;
    SentenceStats {
        loss,
        steps,
        effective,
    }
}

/// One update: `h` = mean of the `input` rows, the output layer for `target` accumulates the
/// error `e`, and `e` is added to every input row. Returns the step's loss.
#[inline(always)]
fn step<K: Kernel>(w: &mut FtWorker<'_>, input: &[u32], target: u32, alpha: f32) -> f32 {
    let m = w.m;
    let dim = m.kdim;
    let (h, e) = (w.h, w.e);
    let inv = 1.0f32 / input.len() as f32;
    // SAFETY (every block below): h and e point to kdim floats each of this thread's work buffer,
    // reached only through these pointers; every input id is a subword id, below
    // nwords + bucket (the rows of wi; Subwords hashes modulo bucket), and target is a word id
    // below nwords (checked by the engine's sources), so every row touched is inside its matrix
    // and holds at least kdim floats (the stride).
    unsafe {
        std::ptr::write_bytes(h, 0, dim);
        std::ptr::write_bytes(e, 0, dim);
    }
    for &id in input {
        // SAFETY: see above.
        unsafe { K::axpy(1.0, m.wi.row(id as usize), h, dim) };
    }
    for k in 0..dim {
        // SAFETY: see above.
        unsafe { *h.add(k) *= inv };
    }
    // SAFETY: see above.
    let loss = unsafe { output_layer::<K>(m, h, target, e, alpha, &mut w.rng, &mut w.targets) };
    for &id in input {
        // SAFETY: see above.
        unsafe { K::axpy(1.0, e, m.wi.row(id as usize), dim) };
    }
    loss
}

/// The output layer for input `h` and target `target`: hierarchical softmax over the target's
/// Huffman path, or negative sampling (word2vec's, draw for draw). Accumulates the error into `e`.
///
/// # Safety
/// `h` and `e` point to `kdim` floats that nothing else accesses during the call; `target` is
/// below the vocabulary size.
#[inline(always)]
unsafe fn output_layer<K: Kernel>(
    m: &FtTrainer<'_>,
    h: *const f32,
    target: u32,
    e: *mut f32,
    alpha: f32,
    rng: &mut Lcg,
    targets: &mut Vec<u32>,
) -> f32 {
    let dim = m.kdim;
    let sig = &m.sigmoid;
    let mut loss = 0.0f32;
    if m.config.hs {
        let w = target as usize;
        let (lo, hi) = (m.huffman.offsets[w], m.huffman.offsets[w + 1]);
        for d in lo..hi {
            let point = m.huffman.points[d] as usize;
            let code = m.huffman.codes[d];
            let out = m.wo.row(point);
            // SAFETY: point < nwords - 1 < rows of wo; h and e hold kdim floats.
            let f = unsafe { K::dot(h, out, dim) };
            if f <= -MAX_EXP || f >= MAX_EXP {
                continue;
            }
            let g = (1.0 - f32::from(code) - sig.sigma(f)) * alpha;
            loss += sig.neg_log_sigma(if code == 0 { f } else { -f });
            // SAFETY: as above.
            unsafe { K::update(g, h, out, e, dim) };
        }
    } else {
        targets.clear();
        targets.push(target);
        for _ in 0..m.config.negative {
            let t = m.cum.draw(rng);
            if t != target {
                targets.push(t);
            }
        }
        for &t in targets.iter() {
            prefetch_row(m.wo.row(t as usize), dim);
        }
        for (d, &t) in targets.iter().enumerate() {
            let label = if d == 0 { 1.0f32 } else { 0.0 };
            let out = m.wo.row(t as usize);
            // SAFETY: t < nwords (the target by the contract, draws below the table's length);
            // h and e hold kdim floats.
            let f = unsafe { K::dot(h, out, dim) };
            let g = if f > MAX_EXP {
                (label - 1.0) * alpha
            } else if f < -MAX_EXP {
                label * alpha
            } else {
                (label - sig.sigma(f)) * alpha
            };
            loss += sig.neg_log_sigma(if d == 0 { f } else { -f });
            // SAFETY: as above.
            unsafe { K::update(g, h, out, e, dim) };
        }
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(dir: &std::path::Path) -> PathBuf {
        let p = dir.join("c.txt");
        let mut s = String::new();
        for i in 0..400 {
            s.push_str("the cat sat on the mat ");
            s.push_str(["walking", "talking", "walked", "talked"][i % 4]);
            s.push_str(" the dog ran\n");
        }
        std::fs::write(&p, s).unwrap();
        p
    }

    fn config() -> FastTextConfig {
        FastTextConfig {
            dim: 16,
            bucket: 1000,
            epochs: 2,
            sample: 0.0,
            ..FastTextConfig::default()
        }
    }

    fn vocab() -> Vocab {
        let words = ["the", "cat", "sat", "on", "mat", "dog", "ran"];
        let mut pairs: Vec<(String, u64)> = words.iter().map(|w| ((*w).to_owned(), 400)).collect();
        pairs[0].1 = 800;
        for w in ["walking", "talking", "walked", "talked"] {
            pairs.push((w.to_owned(), 100));
        }
        Vocab::from_counts(pairs, &crate::embeddings::VocabConfig::default()).unwrap()
    }

    #[test]
    fn trains_every_kind_reproducibly() {
        let dir = std::env::temp_dir().join(format!("subwordx-ft-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = corpus(&dir);
        for (sg, hs) in [(true, false), (false, false), (true, true), (false, true)] {
            let c = FastTextConfig {
                sg,
                hs,
                negative: if hs { 0 } else { 5 },
                ..config()
            };
            let run = || {
                let mut m = FastText::new(vocab(), c.clone()).unwrap();
                let before = m.wi.clone();
                let s = m
                    .train_files(
                        std::slice::from_ref(&path),
                        None,
                        Utf8Errors::Strict,
                        CorpusMode::Auto,
                        &Progress::new(),
                        &mut |_, _| {},
                    )
                    .unwrap();
                assert_eq!(s.epoch_losses.len(), 2);
                assert!(s.epoch_losses.iter().all(|l| l.is_finite() && *l > 0.0));
                // Word rows and n-gram rows both moved.
                assert_ne!(m.wi[..16], before[..16]);
                let ngram = m.subwords().of(0)[1] as usize;
                assert_ne!(
                    m.wi[ngram * 16..ngram * 16 + 16],
                    before[ngram * 16..ngram * 16 + 16]
                );
                m.wi
            };
            assert_eq!(run(), run(), "sg={sg} hs={hs}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_settings_are_errors() {
        for c in [
            FastTextConfig {
                min_n: 7,
                ..config()
            },
            FastTextConfig {
                bucket: 0,
                ..config()
            },
            FastTextConfig {
                hs: true,
                ..config()
            },
            FastTextConfig {
                negative: 0,
                ..config()
            },
            FastTextConfig {
                max_n: 1000,
                ..config()
            },
            FastTextConfig {
                bucket: MAX_ROWS,
                ..config()
            },
        ] {
            assert!(matches!(
                FastText::new(vocab(), c),
                Err(Error::InvalidArgument(_))
            ));
        }
    }
}
