//! word2vec: skip-gram and CBOW, negative sampling and hierarchical softmax, subsampling.
//!
//! The algorithm is defined in `docs/word2vec.md`; this module follows it literally so that a run
//! with `threads = 1` gives the same vectors as the numpy reference (bit for bit where the float
//! summation order agrees, otherwise within f32 round-off: our `dot` sums in 32 lanes with FMA).
//! The model's inner loops plug into the shared Hogwild [`super::engine`] (jobs, learning-rate
//! schedule, threads, progress, cancellation) through a [`Trainer`]; the shared weight matrices
//! are [`super::shared_matrix`]'s. Decisions where the text is silent:
//!
//! * **Learning rate refresh**: see [`super::engine`] (before a sentence, every 10,000 words read
//!   by the thread, and at the start of every epoch; word2vec.c checks at the same point).
//! * **Sentences and parts.** A sentence is cut into 10,000-word pieces counting every word read,
//!   out-of-vocabulary words included; then OOV words are removed. Files are read in parallel in
//!   byte ranges (see [`crate::corpus::words::split_ranges`]), but training does not give each thread its
//!   own slice as word2vec.c does: the sentences are cut, in corpus order, into jobs of ~10,000
//!   words that threads take from a shared counter, so every epoch walks the corpus front to back
//!   (on sorted text such as a dictionary, fixed slices cost a point of analogy accuracy).
//! * **Loss.** Reported only: `-ln sigma(±f)` is read from a table on the same grid as the sigmoid
//!   table (f clipped to [-6, 6]), summed over every trained target, and divided by the number of
//!   training steps (skip-gram: (context, word) pairs; CBOW: positions with a context).
//! * **Sigmoid index.** `floor((f + 6) * 83)` in f32 (word2vec.c's and gensim's integer
//!   `1000 / 6 / 2`), clamped to 999.
//! * **Subsampling** compares integers: `keep >= r` with `r = x / 65536`, `x = advance() >> 48`,
//!   is exactly `x <= floor(keep * 65536)`, precomputed per word.
//! * **Defaults** follow the spec: `min_alpha = 0.0001 * alpha` (gensim's default is an absolute
//!   0.0001), seed 1, 5 epochs.
//! * **Limits.** Every size that drives an allocation is bounded up front ([`MAX_DIM`],
//!   [`MAX_WINDOW`], [`MAX_NEGATIVE`], [`MAX_EPOCHS`], [`super::engine::MAX_THREADS`], and
//!   vocabulary x dim at most [`MAX_MATRIX_VALUES`]), and the weight matrices are allocated
//!   fallibly: a request too large is an [`Error::InvalidArgument`], never an abort.
//!
//! Speed: by default a corpus up to [`STREAM_ABOVE_BYTES`] is read once per call and encoded per
//! thread to a `Vec<u32>` of word ids (4 bytes per in-vocabulary word; text8-size corpora take
//! ~20 MB), so epochs never touch the file system or the hash map; a larger one is read again every
//! epoch by a reader thread ([`super::jobs`]), with the same blocks and so the same vectors. The
//! inner loop allocates nothing and is compiled twice, with AVX2+FMA kernels (chosen at run time)
//! and portable ones ([`super::simd`]). The `k + 1` output rows of a negative-sampling step are
//! drawn first and prefetched together, and negatives are drawn by a bucketed bisection of
//! `cum_table` (same result as the full bisection). Threads update the shared weight matrices
//! without locks (Hogwild, Recht et al. 2011), so runs with `threads > 1` are not
//! bit-reproducible; `threads = 1` is.

// Forced inlining: the generic loop must be inlined into its `#[target_feature]` caller so that
// the AVX2 kernels inline into it (a plain call would lose the feature context).
#![allow(clippy::inline_always)]
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::engine::{self, RunConfig, SentenceStats, Source, Trainer, Worker, MAX_THREADS};
pub use super::engine::{CorpusMode, TrainStats, STREAM_ABOVE_BYTES};
use super::huffman::Huffman;
use super::jobs::{Encoder, Part};
use super::sampling::{keep_probability, CumTable, Lcg, SigmoidTable, MAX_EXP};
use super::shared_matrix::{prefetch_row, try_vec, PrivateRows, SharedMatrix, SharedRows};
use super::simd::{has_avx2_fma, Kernel, Scalar};
use super::vocab::Vocab;
use crate::corpus::words::{read_parallel, MAX_SENTENCE_LEN};
use crate::corpus::{total_bytes, Utf8Errors};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Largest vector size (`dim`). word2vec is used with a few hundred; the bound keeps a typo
/// (`dim=10**9`) from asking for gigabytes per word.
pub const MAX_DIM: usize = 10_000;
/// Largest `window`: a sentence has at most [`MAX_SENTENCE_LEN`] words, so a wider window changes
/// nothing.
pub const MAX_WINDOW: usize = MAX_SENTENCE_LEN;
/// Most negative samples per target (word2vec.c suggests 5-20; every sample is a row update).
pub const MAX_NEGATIVE: usize = 1_000;
/// Most epochs of one call (the engine keeps a few counters per epoch).
pub const MAX_EPOCHS: u32 = 100_000;
/// Largest weight matrix, in values: vocabulary size x `dim` at most 2^32 (16 GiB of f32 per
/// matrix; a model holds up to three, plus their padded copies while training).
pub const MAX_MATRIX_VALUES: usize = 1 << 32;

/// Hyperparameters of word2vec.
#[derive(Debug, Clone, PartialEq)]
pub struct Word2VecConfig {
    /// Skip-gram (`true`) or CBOW (`false`).
    pub sg: bool,
    /// CBOW: average the context vectors (`true`) or sum them.
    pub cbow_mean: bool,
    pub dim: usize,
    /// Maximum distance between a word and its context words (the effective window is random).
    pub window: usize,
    /// Negative samples per target (0 disables negative sampling).
    pub negative: usize,
    /// Hierarchical softmax.
    pub hs: bool,
    /// Subsampling threshold (0 disables it).
    pub sample: f64,
    pub alpha: f64,
    pub min_alpha: f64,
    pub epochs: u32,
    pub threads: usize,
    pub seed: u64,
}

impl Default for Word2VecConfig {
    fn default() -> Self {
        Self::skipgram()
    }
}

impl Word2VecConfig {
    /// Skip-gram with negative sampling, alpha 0.025 (the defaults).
    pub fn skipgram() -> Self {
        Self {
            sg: true,
            cbow_mean: true,
            dim: 100,
            window: 5,
            negative: 5,
            hs: false,
            sample: 1e-3,
            alpha: 0.025,
            min_alpha: 0.0001 * 0.025,
            epochs: 5,
            threads: 1,
            seed: 1,
        }
    }

    /// CBOW (mean) with negative sampling, alpha 0.05.
    pub fn cbow() -> Self {
        Self {
            sg: false,
            alpha: 0.05,
            min_alpha: 0.0001 * 0.05,
            ..Self::skipgram()
        }
    }

    /// Checks every parameter against its domain and its documented upper bound.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(m));
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
        if self.negative == 0 && !self.hs {
            return bad("negative=0 needs hs=true: there would be no output layer to train".into());
        }
        if !(self.sample >= 0.0 && self.sample.is_finite()) {
            return bad(format!("sample must be >= 0, not {}", self.sample));
        }
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return bad(format!("alpha must be > 0, not {}", self.alpha));
        }
        if !(self.min_alpha >= 0.0 && self.min_alpha <= self.alpha) {
            return bad(format!(
                "min_alpha must be between 0 and alpha={}, not {}",
                self.alpha, self.min_alpha
            ));
        }
        Ok(())
    }

    /// Checks that a vocabulary of `words` words fits the matrix bound at this `dim`.
    pub fn validate_size(&self, words: usize) -> Result<()> {
        if words.saturating_mul(self.dim) > MAX_MATRIX_VALUES {
            return Err(Error::invalid(format!(
                "a vocabulary of {words} words at dim={} needs matrices of {} values, more than \
                 the limit of {MAX_MATRIX_VALUES} (2^32): use a smaller dim or vocabulary \
                 (max_final_vocab / min_count)",
                self.dim,
                words as u128 * self.dim as u128
            )));
        }
        Ok(())
    }
}

/// A word2vec model: vocabulary, configuration and the three weight matrices (row-major, `V x dim`).
#[derive(Debug, Clone)]
pub struct Word2Vec {
    pub vocab: Vocab,
    pub config: Word2VecConfig,
    /// Input vectors (the word vectors).
    pub syn0: Vec<f32>,
    /// Output weights of negative sampling (empty when `negative == 0`).
    pub syn1neg: Vec<f32>,
    /// Output weights of hierarchical softmax, one row per inner node (empty when `!hs`).
    pub syn1: Vec<f32>,
}

/// Where a training call gets its sentences (the engine's [`Source`] without the vocabulary,
/// which the call borrows from the model).
enum Corpus<'a> {
    Memory(&'a [Part]),
    Stream(&'a [PathBuf], Utf8Errors),
}

impl Word2Vec {
    /// A fresh model: `syn0` initialised from the seed as the spec says, output weights at zero.
    pub fn new(vocab: Vocab, config: Word2VecConfig) -> Result<Self> {
        config.validate()?;
        if vocab.is_empty() {
            return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
        }
        vocab.check_counts()?;
        let v = vocab.len();
        config.validate_size(v)?;
        let dim = config.dim;
        let mut syn0 = try_vec(v * dim, 0.0f32, "the word vectors (syn0)")?;
        let mut rng = Lcg::new(config.seed);
        // From a small seed the first state is below 2^48, so its top bits are zero: skip it.
        rng.advance();
        for x in &mut syn0 {
            let r = rng.advance();
            // Uniform in [-1/dim, 1/dim) as gensim 4 (word2vec.c's range is half as wide and
            // measured worse; docs/word2vec.md).
            *x = ((((r >> 48) as f32) / 65536.0 - 0.5) * 2.0) / dim as f32;
        }
        let syn1neg = if config.negative > 0 {
            try_vec(v * dim, 0.0, "the negative-sampling weights (syn1neg)")?
        } else {
            Vec::new()
        };
        let syn1 = if config.hs {
            try_vec(
                v.saturating_sub(1) * dim,
                0.0,
                "the hierarchical-softmax weights (syn1)",
            )?
        } else {
            Vec::new()
        };
        Ok(Self {
            vocab,
            config,
            syn0,
            syn1neg,
            syn1,
        })
    }

    /// A model from existing arrays (a loaded model, for continued training). An empty `syn1neg`
    /// or `syn1` that the configuration needs is created at zero.
    pub fn from_parts(
        vocab: Vocab,
        config: Word2VecConfig,
        syn0: Vec<f32>,
        mut syn1neg: Vec<f32>,
        mut syn1: Vec<f32>,
    ) -> Result<Self> {
        config.validate()?;
        vocab.check_counts()?;
        let v = vocab.len();
        config.validate_size(v)?;
        let dim = config.dim;
        if config.negative > 0 && syn1neg.is_empty() {
            syn1neg = try_vec(v * dim, 0.0, "the negative-sampling weights (syn1neg)")?;
        }
        if config.hs && syn1.is_empty() {
            syn1 = try_vec(
                v.saturating_sub(1) * dim,
                0.0,
                "the hierarchical-softmax weights (syn1)",
            )?;
        }
        let m = Self {
            vocab,
            config,
            syn0,
            syn1neg,
            syn1,
        };
        m.check_shapes()?;
        Ok(m)
    }

    /// Checks the matrices against the vocabulary and the configuration (the fields are public,
    /// so a training call checks again what the inner loop relies on).
    fn check_shapes(&self) -> Result<()> {
        let v = self.vocab.len();
        let dim = self.config.dim;
        let check = |name: &str, got: usize, rows: usize| -> Result<()> {
            if got == rows * dim {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{name} has {got} values, expected {rows} x {dim} = {}",
                    rows * dim
                )))
            }
        };
        check("syn0", self.syn0.len(), v)?;
        if self.config.negative > 0 {
            check("syn1neg", self.syn1neg.len(), v)?;
        }
        if self.config.hs {
            check("syn1", self.syn1.len(), v.saturating_sub(1))?;
        }
        Ok(())
    }

    /// The vector of `word`.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        let i = self.vocab.get(word)? as usize;
        let d = self.config.dim;
        Some(&self.syn0[i * d..(i + 1) * d])
    }

    /// Trains on text files for `epochs` epochs (the config's when `None`). `mode` says whether
    /// the files are read once and held in memory as word ids or read again for every epoch
    /// ([`CorpusMode`]). `on_epoch(epoch, mean_loss)` is called on this thread after every epoch,
    /// `epoch` counting from 1.
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
        let bytes = total_bytes(paths)?;
        let stream = match mode {
            CorpusMode::Auto => bytes > STREAM_ABOVE_BYTES,
            CorpusMode::InMemory => false,
            CorpusMode::Stream => true,
        };
        if stream {
            return self.train_source(&Corpus::Stream(paths, errors), epochs, progress, on_epoch);
        }
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
        let parts: Vec<Part> = encoders.into_iter().map(|e| e.part).collect();
        self.train_source(&Corpus::Memory(&parts), epochs, progress, on_epoch)
    }

    /// Trains on a corpus held in memory as word ids. `sentence_starts` are the offsets in `ids`
    /// where sentences start (sorted; a start of 0 is implied). `u32::MAX` marks a word to skip
    /// (out of vocabulary); any other id must be below the vocabulary size. Each id is read once,
    /// checked as it is copied (so a buffer that changes under the call cannot slip an unchecked
    /// id into training).
    pub fn train_ids(
        &mut self,
        ids: &[u32],
        sentence_starts: &[usize],
        epochs: Option<u32>,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        self.check()?;
        let v = self.vocab.len();
        if sentence_starts.windows(2).any(|w| w[0] > w[1])
            || sentence_starts.last().is_some_and(|&s| s > ids.len())
        {
            return Err(Error::invalid(
                "sentence_starts must be sorted offsets no larger than the number of ids",
            ));
        }
        let n = ids.len();
        let threads = self.config.threads;
        let mut parts = Vec::with_capacity(threads);
        let mut starts = sentence_starts.iter().copied().peekable();
        for t in 0..threads {
            let (lo, hi) = (n * t / threads, n * (t + 1) / threads);
            let mut part = Part::default();
            part.ids
                .try_reserve_exact(hi - lo)
                .map_err(|_| Error::invalid(format!("not enough memory for {n} word ids")))?;
            let mut in_sentence = 0usize;
            for (pos, &id) in ids.iter().enumerate().take(hi).skip(lo) {
                while starts.peek().is_some_and(|&s| s <= pos) {
                    if starts.next() == Some(pos) && pos > lo {
                        part.end_sentence();
                        in_sentence = 0;
                    }
                }
                if id != u32::MAX {
                    if id as usize >= v {
                        return Err(Error::invalid(format!(
                            "word id {id} is out of range for a vocabulary of {v} words"
                        )));
                    }
                    part.ids.push(id);
                }
                in_sentence += 1;
                if in_sentence == MAX_SENTENCE_LEN {
                    part.end_sentence();
                    in_sentence = 0;
                }
            }
            part.end_sentence();
            parts.push(part);
        }
        self.train_source(&Corpus::Memory(&parts), epochs, progress, on_epoch)
    }

    /// Everything training relies on, checked again because the fields are public.
    fn check(&self) -> Result<()> {
        self.config.validate()?;
        self.vocab.check_counts()?;
        self.config.validate_size(self.vocab.len())?;
        self.check_shapes()
    }

    fn train_source(
        &mut self,
        corpus: &Corpus<'_>,
        epochs: Option<u32>,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        let config = self.config.clone();
        let epochs = epochs.unwrap_or(config.epochs);
        if epochs > MAX_EPOCHS {
            return Err(Error::invalid(format!(
                "epochs must be between 0 and {MAX_EPOCHS}, not {epochs}"
            )));
        }
        let train_words = self.vocab.train_words();
        let empty = match corpus {
            Corpus::Memory(parts) => parts.iter().all(|p| p.ids.is_empty()),
            Corpus::Stream(..) => train_words == 0,
        };
        if empty {
            return Err(Error::EmptyCorpus(
                "the corpus contains no word of the vocabulary".into(),
            ));
        }
        if epochs == 0 {
            return Ok(TrainStats {
                epoch_losses: Vec::new(),
                words: 0,
                effective_words: 0,
                seconds: 0.0,
            });
        }
        let Self {
            vocab,
            syn0,
            syn1neg,
            syn1,
            ..
        } = self;
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
        let dim = config.dim;
        // The matrices move into the padded layout for the call and back afterwards, whatever
        // happens (partial training, an interrupted run, is kept, as in gensim).
        let mut p0 = SharedMatrix::take(syn0, dim, "the word vectors (syn0)")?;
        let mut p1neg = match SharedMatrix::take(syn1neg, dim, "syn1neg") {
            Ok(m) => m,
            Err(e) => {
                *syn0 = p0.into_vec();
                return Err(e);
            }
        };
        let mut p1 = match SharedMatrix::take(syn1, dim, "syn1") {
            Ok(m) => m,
            Err(e) => {
                *syn0 = p0.into_vec();
                *syn1neg = p1neg.into_vec();
                return Err(e);
            }
        };
        let trainer = W2vTrainer {
            config: &config,
            syn0: p0.rows(),
            syn1neg: p1neg.rows(),
            syn1: p1.rows(),
            hot_lock: Mutex::new(()),
            kdim: dim.next_multiple_of(8),
            keep,
            cum: CumTable::new(&vocab.counts),
            huffman: if config.hs {
                Huffman::new(&vocab.counts)
            } else {
                Huffman::default()
            },
            sigmoid: SigmoidTable::new(),
            use_avx2: has_avx2_fma(),
        };
        let source = match *corpus {
            Corpus::Memory(parts) => Source::Memory(parts),
            Corpus::Stream(paths, errors) => Source::Stream {
                vocab,
                paths,
                errors,
            },
        };
        let run = RunConfig {
            threads: config.threads,
            epochs,
            train_words,
            alpha: config.alpha,
            min_alpha: config.min_alpha,
            stage: if config.sg {
                "training skip-gram"
            } else {
                "training cbow"
            },
        };
        let result = engine::run(&trainer, &source, &run, progress, on_epoch);
        // Every thread has been joined: the matrices are ours again.
        drop(trainer);
        *syn0 = p0.into_vec();
        *syn1neg = p1neg.into_vec();
        *syn1 = p1.into_vec();
        result
    }

    /// Writes the word vectors in word2vec's format (`binary`: little-endian f32; else text),
    /// atomically; see [`super::formats::write_word2vec`].
    pub fn save_word2vec_format(&self, path: &Path, binary: bool) -> Result<()> {
        super::formats::write_word2vec(path, &self.vocab.words, &self.syn0, self.config.dim, binary)
    }
}

/// Inner nodes kept thread-private with hierarchical softmax and more than one thread (the top of
/// the tree: 255 nodes are its first 8 levels when balanced). 256 rows of dim 100 are 112 KiB per
/// thread, inside L2. Every word's path starts at the root, so with plain Hogwild every
/// prediction of every thread writes the same few `syn1` rows and the cores spend their time
/// passing those cache lines back and forth (measured here: HS ran no faster on 2 threads than on
/// 1). The hot rows are the highest point indices: word2vec.c numbers inner nodes in order of
/// creation, root last. With one thread this is off, so `threads = 1` keeps the exact updates of
/// the spec and of the numpy reference.
const HOT_ROWS: usize = 256;
/// Predictions (one target word through its Huffman path) between two merges of the private rows
/// into the shared ones: a merge costs about as much as 15 predictions, so this keeps it near 3%
/// while other threads see each thread's updates to the hot rows within a few hundred microseconds.
const HOT_SYNC_PREDICTIONS: usize = 512;

/// What every training thread of one call shares: the matrices (raw views) and the read-only
/// tables.
struct W2vTrainer<'a> {
    config: &'a Word2VecConfig,
    syn0: SharedRows,
    syn1neg: SharedRows,
    syn1: SharedRows,
    /// Taken by the merges of the private hot rows of `syn1`.
    hot_lock: Mutex<()>,
    /// Length the kernels work on: `dim` rounded up to 8. The padding of every row and of the
    /// work vectors is zero and stays zero (updates add `g * 0`), so it changes no value; it only
    /// spares the kernels a scalar tail. At most the rows' stride.
    kdim: usize,
    /// `x <= keep[w]` keeps word w (subsampling, see the module docs).
    keep: Vec<u32>,
    cum: CumTable,
    huffman: Huffman,
    sigmoid: SigmoidTable,
    use_avx2: bool,
}

impl Trainer for W2vTrainer<'_> {
    type Worker<'w>
        = W2vWorker<'w>
    where
        Self: 'w;

    fn worker(&self, thread: usize) -> Result<W2vWorker<'_>> {
        let c = self.config;
        let hot = if c.hs && c.threads > 1 {
            PrivateRows::last_rows(self.syn1, &self.hot_lock, HOT_ROWS, HOT_SYNC_PREDICTIONS)?
        } else {
            PrivateRows::disabled(self.syn1, &self.hot_lock)
        };
        let mut work = try_vec(2 * self.kdim, 0.0f32, "work vectors")?;
        // Derived once: the buffer is reached only through these two pointers from now on.
        let neu1 = work.as_mut_ptr();
        let neu1e = neu1.wrapping_add(self.kdim);
        Ok(W2vWorker {
            m: self,
            sen: Vec::with_capacity(MAX_SENTENCE_LEN),
            state: State {
                rng: Lcg::new(c.seed.wrapping_add(thread as u64)),
                _work: work,
                neu1,
                neu1e,
                targets: Vec::with_capacity(c.negative + 1),
                hot,
            },
        })
    }
}

/// One thread's word2vec state.
struct W2vWorker<'a> {
    m: &'a W2vTrainer<'a>,
    /// The current sentence after subsampling.
    sen: Vec<u32>,
    state: State<'a>,
}

/// The mutable state of the inner loops (apart from the sentence they read).
struct State<'a> {
    rng: Lcg,
    /// Owns `neu1` (`kdim` floats) and `neu1e` (the next `kdim`); never touched after the
    /// pointers were taken.
    _work: Vec<f32>,
    /// CBOW's hidden layer (the context mean).
    neu1: *mut f32,
    /// The error accumulated for the input vectors.
    neu1e: *mut f32,
    targets: Vec<u32>,
    hot: PrivateRows<'a>,
}

impl Worker for W2vWorker<'_> {
    fn train_sentence(&mut self, sentence: &[u32], alpha: f32) -> SentenceStats {
        #[cfg(target_arch = "x86_64")]
        if self.m.use_avx2 {
            // SAFETY: use_avx2 is true only when the CPU supports AVX2 and FMA.
            return unsafe { sentence_avx2(self, sentence, alpha) };
        }
        train_sentence::<Scalar>(self, sentence, alpha)
    }

    fn finish(&mut self) {
        self.state.hot.merge();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sentence_avx2(w: &mut W2vWorker<'_>, sentence: &[u32], alpha: f32) -> SentenceStats {
    train_sentence::<super::simd::Avx2>(w, sentence, alpha)
}

/// Subsamples one sentence and trains it. Generic over the kernels and inlined into the
/// AVX2-enabled caller so that the kernels inline into the loop.
#[inline(always)]
fn train_sentence<K: Kernel>(w: &mut W2vWorker<'_>, sentence: &[u32], alpha: f32) -> SentenceStats {
    let m = w.m;
    let sen = &mut w.sen;
    sen.clear();
    if m.config.sample > 0.0 {
        for &id in sentence {
            let x = (w.state.rng.advance() >> 48) as u32;
            if x <= m.keep[id as usize] {
                sen.push(id);
            }
        }
    } else {
        sen.extend_from_slice(sentence);
    }
    let (loss, steps) = if m.config.sg {
        // SAFETY: every id of the sentence is below the vocabulary size (the engine's sources
        // check it), so every syn0 / syn1neg row touched is inside its matrix; neu1 and neu1e
        // hold kdim floats each.
        unsafe { sentence_sg::<K>(m, sen, alpha, &mut w.state) }
    } else {
        // SAFETY: as above.
        unsafe { sentence_cbow::<K>(m, sen, alpha, &mut w.state) }
    };
    SentenceStats {
        loss,
        steps,
        effective: sen.len() as u64,
    }
}

/// The output layers for input `h`, target `w`: HS nodes first, then negative sampling; the error
/// is accumulated into `e`. Returns the loss of this step.
///
/// # Safety
/// `h` and `e` point to `kdim` floats that nothing else accesses during the call (`h` may be a
/// `syn0` row, written concurrently only by other Hogwild threads); `w` is below the vocabulary
/// size.
#[inline(always)]
unsafe fn output_layers<K: Kernel>(
    m: &W2vTrainer<'_>,
    h: *const f32,
    w: u32,
    e: *mut f32,
    alpha: f32,
    st: &mut State<'_>,
) -> f32 {
    let c = m.config;
    let dim = m.kdim;
    let sig = &m.sigmoid;
    let mut loss = 0.0f32;
    if c.hs {
        let w = w as usize;
        let (lo, hi) = (m.huffman.offsets[w], m.huffman.offsets[w + 1]);
        for d in lo..hi {
            let point = m.huffman.points[d] as usize;
            let code = m.huffman.codes[d];
            let out = st.hot.row(point);
            // SAFETY: point < V - 1, the rows of syn1 (or of the private hot copy), each at
            // least kdim floats; h and e hold kdim floats (the caller's contract).
            let f = unsafe { K::dot(h, out, dim) };
            if f <= -MAX_EXP || f >= MAX_EXP {
                continue;
            }
            let g = (1.0 - f32::from(code) - sig.sigma(f)) * alpha;
            loss += sig.neg_log_sigma(if code == 0 { f } else { -f });
            // SAFETY: as above.
            unsafe { K::update(g, h, out, e, dim) };
        }
    }
    if c.negative > 0 {
        // Draw every target first (the same draws in the same order as drawing one at a time),
        // so that all their rows can be fetched from memory at once.
        st.targets.clear();
        st.targets.push(w);
        for _ in 0..c.negative {
            let t = m.cum.draw(&mut st.rng);
            if t != w {
                st.targets.push(t);
            }
        }
        for &t in &st.targets {
            prefetch_row(m.syn1neg.row(t as usize), dim);
        }
        for (d, &target) in st.targets.iter().enumerate() {
            let label = if d == 0 { 1.0f32 } else { 0.0 };
            let out = m.syn1neg.row(target as usize);
            // SAFETY: target < V (w by the caller's contract; draws are below the table's
            // length, V), a row of syn1neg of at least kdim floats; h and e hold kdim floats.
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

/// Skip-gram over one (subsampled) sentence. Returns (loss, steps).
///
/// # Safety
/// Every id of `sen` is below the vocabulary size; `st.neu1e` points to `kdim` floats.
#[inline(always)]
unsafe fn sentence_sg<K: Kernel>(
    m: &W2vTrainer<'_>,
    sen: &[u32],
    alpha: f32,
    st: &mut State<'_>,
) -> (f64, u64) {
    let dim = m.kdim;
    let window = m.config.window as u64;
    let n = sen.len();
    let mut loss = 0.0f64;
    let mut steps = 0u64;
    let e = st.neu1e;
    for i in 0..n {
        let w = sen[i];
        let reach = (window - st.rng.advance() % window) as usize;
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n - 1);
        for (j, &ctx_word) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j == i {
                continue;
            }
            let h = m.syn0.row(ctx_word as usize);
            // SAFETY: e points to kdim floats of this thread's work buffer, reached only through
            // this pointer; h is row ctx_word < V of syn0, kdim floats long; w < V.
            unsafe {
                std::ptr::write_bytes(e, 0, dim);
                loss += f64::from(output_layers::<K>(m, h, w, e, alpha, st));
                K::axpy(1.0, e, h, dim);
            }
            steps += 1;
            st.hot.tick();
        }
    }
    (loss, steps)
}

/// CBOW over one (subsampled) sentence. Returns (loss, steps).
///
/// # Safety
/// Every id of `sen` is below the vocabulary size; `st.neu1` and `st.neu1e` point to `kdim`
/// floats each.
#[inline(always)]
unsafe fn sentence_cbow<K: Kernel>(
    m: &W2vTrainer<'_>,
    sen: &[u32],
    alpha: f32,
    st: &mut State<'_>,
) -> (f64, u64) {
    let dim = m.kdim;
    let window = m.config.window as u64;
    let n = sen.len();
    let mut loss = 0.0f64;
    let mut steps = 0u64;
    let (h, e) = (st.neu1, st.neu1e);
    for i in 0..n {
        let w = sen[i];
        let reach = (window - st.rng.advance() % window) as usize;
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n - 1);
        let cw = hi - lo; // context words: the range minus position i
        if cw == 0 {
            continue;
        }
        // SAFETY (every block of this loop): h and e point to kdim floats each of this thread's
        // work buffer, reached only through these pointers; context ids and w are below V, so
        // their syn0 rows (kdim floats) are inside the matrix.
        unsafe { std::ptr::write_bytes(h, 0, dim) };
        for (j, &cw_id) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j != i {
                // SAFETY: see above.
                unsafe { K::axpy(1.0, m.syn0.row(cw_id as usize), h, dim) };
            }
        }
        if m.config.cbow_mean {
            let inv = cw as f32;
            for k in 0..dim {
                // SAFETY: see above.
                unsafe { *h.add(k) /= inv };
            }
        }
        // SAFETY: see above.
        unsafe {
            std::ptr::write_bytes(e, 0, dim);
            loss += f64::from(output_layers::<K>(m, h, w, e, alpha, st));
        }
        for (j, &cw_id) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j != i {
                // SAFETY: see above.
                unsafe { K::axpy(1.0, e, m.syn0.row(cw_id as usize), dim) };
            }
        }
        steps += 1;
        st.hot.tick();
    }
    (loss, steps)
}
