//! word2vec training: skip-gram and CBOW, negative sampling and hierarchical softmax, subsampling,
//! linear learning-rate decay, lock-free multi-threaded (Hogwild) SGD.
//!
//! The algorithm is defined in `docs/word2vec.md`; this module follows it literally so that a run
//! with `threads = 1` gives the same vectors as the numpy reference (bit for bit where the float
//! summation order agrees, otherwise within f32 round-off: our `dot` sums in 32 lanes with FMA).
//! Decisions where the text is silent:
//!
//! * **Learning rate refresh.** Each thread keeps the number of vocabulary words it has read since
//!   its last refresh. *Before* each sentence, when that number is `>= 10_000`, it is added to the
//!   shared `done` counter and `alpha` is recomputed from `done`. At the end of an epoch the
//!   remainder is added to `done`, and `alpha` is recomputed at the start of every epoch. So a
//!   sentence is trained with the rate computed from the words before it (word2vec.c checks at the
//!   same point, with `> 10000`).
//! * **Sentences and parts.** A sentence is cut into 10,000-word pieces counting every word read,
//!   out-of-vocabulary words included; then OOV words are removed. Files are read in parallel in
//!   byte ranges (see [`super::text::split_ranges`]), but training does not give each thread its
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
//!
//! * **Defaults** follow the spec: `min_alpha = 0.0001 * alpha` (gensim's default is an absolute
//!   0.0001), seed 1, 5 epochs.
//!
//! Speed: by default a corpus up to [`STREAM_ABOVE_BYTES`] is read once per call and encoded per
//! thread to a `Vec<u32>` of word ids (4 bytes per in-vocabulary word; text8-size corpora take
//! ~20 MB), so epochs never touch the file system or the hash map; a larger one is read again every
//! epoch by a reader thread ([`super::jobs`]), with the same blocks and so the same vectors. The inner loop allocates nothing and is compiled twice, with AVX2+FMA
//! kernels (chosen at run time) and portable ones ([`super::simd`]). During a call the matrices are
//! copied into rows padded to whole, aligned cache lines (no false sharing between threads, no
//! scalar tail in the kernels; the padding stays zero so no value changes), the `k + 1` output rows
//! of a negative-sampling step are drawn first and prefetched together, and negatives are drawn by a
//! bucketed bisection of `cum_table` (same result as the full bisection). Threads update the shared weight
//! matrices without locks (Hogwild, Recht et al. 2011), so runs with `threads > 1` are not
//! bit-reproducible; `threads = 1` is.

// Forced inlining: the generic loop must be inlined into its `#[target_feature]` caller so that
// the AVX2 kernels inline into it (a plain call would lose the feature context).
#![allow(clippy::inline_always)]
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::huffman::Huffman;
use super::jobs::{stream_blocks, Encoder, MemoryQueue, Part, Queue, StreamQueue};
use super::sampling::{keep_probability, CumTable, Lcg, SigmoidTable, MAX_EXP};
use super::simd::{has_avx2_fma, Kernel, Scalar};
use super::text::{read_parallel, total_bytes, Utf8Errors, MAX_SENTENCE_LEN};
use super::vocab::Vocab;
use crate::error::{Error, Result};
use crate::progress::Progress;

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

    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(m));
        if self.dim == 0 {
            return bad("dim must be at least 1".into());
        }
        if self.window == 0 {
            return bad("window must be at least 1".into());
        }
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
        if self.threads == 0 {
            return bad("threads must be at least 1".into());
        }
        if self.dim.checked_mul(1 << 32).is_none() {
            return bad(format!("dim={} is too large", self.dim));
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

/// How a training call on files holds the corpus (see [`super::jobs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CorpusMode {
    /// In memory when the files total at most [`STREAM_ABOVE_BYTES`], else streamed.
    #[default]
    Auto,
    /// Read once and held as word ids (4 bytes per vocabulary word): the fastest.
    InMemory,
    /// Read again for every epoch, one block at a time: memory stays a few megabytes.
    Stream,
}

/// [`CorpusMode::Auto`] streams corpora larger than this: 256 MiB of text, whose ids take about
/// 180 MB for English. Below it the ~7% that streaming costs CBOW on two cores (the reader thread
/// shares them) buys nothing worth having; above it memory matters more.
pub const STREAM_ABOVE_BYTES: u64 = 256 << 20;

/// Where a training call gets its sentences.
enum Source<'a> {
    Memory(&'a [Part]),
    Stream {
        paths: &'a [PathBuf],
        errors: Utf8Errors,
    },
}

/// What one training call did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainStats {
    /// Mean loss of each epoch.
    pub epoch_losses: Vec<f64>,
    /// Vocabulary words read, over all epochs.
    pub words: u64,
    /// Words left after subsampling (trained), over all epochs.
    pub effective_words: u64,
    pub seconds: f64,
}

/// A weight matrix shared by the Hogwild threads.
///
/// # Safety
/// Training threads read and write rows of the same matrices concurrently without
/// synchronisation, as word2vec.c, gensim and fastText do (Hogwild!: with sparse updates, races
/// are rare and only lose or mix single float updates, which SGD tolerates). To keep this as
/// contained as we can, no Rust reference to the matrix exists while the threads run (the owning
/// `Vec` is only borrowed mutably by the training call, which hands out this raw pointer), and
/// every access goes through raw pointers in the kernels, one `f32` at a time or as unaligned SIMD
/// loads/stores within a row, never past `len`. Indices are vocabulary ids checked against the
/// vocabulary size before training. A racing access can observe a stale or torn-in-time value,
/// never memory outside the matrix.
/// A matrix copied for training into rows padded to whole 64-byte cache lines, 64-byte aligned
/// (dim 100: 112 floats = 7 lines). Rows then never share a cache line, which removes false
/// sharing between Hogwild threads and touches 7 lines per row instead of 7 or 8. The padding is
/// never read by the kernels, so results are identical to the unpadded layout.
struct Padded {
    buf: Vec<f32>,
    offset: usize,
    dim: usize,
    stride: usize,
}

impl Padded {
    /// Moves `m` into the padded layout, leaving it empty: the unpadded copy is freed while
    /// training runs, so a model never takes more than about three matrices of memory.
    fn take(m: &mut Vec<f32>, dim: usize) -> Self {
        let m = std::mem::take(m);
        Self::new(&m, dim)
    }

    fn new(m: &[f32], dim: usize) -> Self {
        let stride = dim.div_ceil(16) * 16;
        let rows = m.len() / dim;
        let mut buf = vec![0.0f32; rows * stride + 16];
        let offset = buf.as_ptr().align_offset(64).min(15);
        for (r, row) in m.chunks_exact(dim).enumerate() {
            let at = offset + r * stride;
            buf[at..at + dim].copy_from_slice(row);
        }
        Self {
            buf,
            offset,
            dim,
            stride,
        }
    }

    fn shared(&mut self) -> Shared {
        Shared::new(&mut self.buf[self.offset..])
    }

    /// The matrix in the plain `rows x dim` layout (the padded buffer is freed).
    fn into_vec(self) -> Vec<f32> {
        let rows = (self.buf.len() - 16) / self.stride;
        let mut m = Vec::with_capacity(rows * self.dim);
        for r in 0..rows {
            let at = self.offset + r * self.stride;
            m.extend_from_slice(&self.buf[at..at + self.dim]);
        }
        m
    }
}

/// Hints the CPU to fetch a row (`n` floats) into the cache.
#[inline(always)]
fn prefetch_row(p: *const f32, n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let mut k = 0;
        while k < n {
            // SAFETY: prefetch never faults; the address is inside (or one line past) the row.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(k).cast::<i8>()) };
            k += 16;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, n);
}

#[derive(Clone, Copy)]
struct Shared {
    ptr: *mut f32,
}

// SAFETY: see the type's documentation: concurrent unsynchronised f32 updates are the algorithm.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn new(v: &mut [f32]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
        }
    }
    /// Pointer to row `i` (caller guarantees `i < rows`).
    #[inline(always)]
    fn row(self, i: usize, stride: usize) -> *mut f32 {
        // wrapping_add: computing the pointer is harmless; only in-bounds rows are dereferenced.
        self.ptr.wrapping_add(i * stride)
    }
}

/// Thread-private copies of the hierarchical-softmax rows nearest the Huffman root.
///
/// Every word's path starts at the root, so with plain Hogwild every prediction of every thread
/// writes the same few `syn1` rows, and the cores spend their time passing those cache lines back
/// and forth: measured here, HS training ran no faster on 2 threads than on 1. With more than one
/// thread, each thread therefore trains the [`HOT_ROWS`] most visited inner nodes (the highest
/// point indices: word2vec.c numbers inner nodes in order of creation, root last) in a private
/// copy and adds its accumulated change to the shared rows every [`HOT_SYNC_PREDICTIONS`]
/// predictions,
/// then re-reads them. The other rows stay plain Hogwild. With one thread this is off, so
/// `threads = 1` keeps the exact updates of the spec and of the numpy reference.
struct HotRows {
    /// First hot point (`usize::MAX`: none, the single-thread case).
    start: usize,
    rows: usize,
    stride: usize,
    local: Vec<f32>,
    snapshot: Vec<f32>,
    since_sync: usize,
}

/// Inner nodes kept thread-private (the top of the tree: 255 nodes are its first 8 levels when
/// balanced). 256 rows of dim 100 are 112 KiB per thread, inside L2.
const HOT_ROWS: usize = 256;
/// Predictions (one target word through its Huffman path) between two merges of the private rows
/// into the shared ones: a merge costs about as much as 15 predictions, so this keeps it near 3%
/// while other threads see each thread's updates to the hot rows within a few hundred microseconds.
const HOT_SYNC_PREDICTIONS: usize = 512;

impl HotRows {
    fn new(ctx: &Ctx) -> Self {
        let inner = ctx.huffman_inner_nodes;
        if !ctx.config.hs || ctx.config.threads <= 1 || inner == 0 {
            return Self {
                start: usize::MAX,
                rows: 0,
                stride: ctx.stride,
                local: Vec::new(),
                snapshot: Vec::new(),
                since_sync: 0,
            };
        }
        let rows = HOT_ROWS.min(inner);
        let mut hot = Self {
            start: inner - rows,
            rows,
            stride: ctx.stride,
            local: vec![0.0; rows * ctx.stride],
            snapshot: vec![0.0; rows * ctx.stride],
            since_sync: 0,
        };
        hot.pull(ctx);
        hot
    }

    fn enabled(&self) -> bool {
        self.rows > 0
    }

    /// The row to train for inner node `point`: the private copy when it is hot.
    #[inline(always)]
    fn row(&mut self, ctx: &Ctx, point: usize) -> *mut f32 {
        if point >= self.start {
            // point - start < rows, so the row is inside `local`.
            self.local
                .as_mut_ptr()
                .wrapping_add((point - self.start) * self.stride)
        } else {
            ctx.syn1.row(point, self.stride)
        }
    }

    /// Reads the shared hot rows into the private copy (and remembers them).
    fn pull(&mut self, ctx: &Ctx) {
        for r in 0..self.rows {
            let shared = ctx.syn1.row(self.start + r, self.stride);
            let at = r * self.stride;
            for k in 0..self.stride {
                // SAFETY: a hot point is < V - 1 rows of syn1, each `stride` floats long; Hogwild
                // reads (see `Shared`).
                let v = unsafe { *shared.add(k) };
                self.local[at + k] = v;
                self.snapshot[at + k] = v;
            }
        }
    }

    /// Adds what this thread learned since the last pull to the shared rows, then pulls.
    fn push(&mut self, ctx: &Ctx) {
        for r in 0..self.rows {
            let shared = ctx.syn1.row(self.start + r, self.stride);
            let at = r * self.stride;
            for k in 0..self.stride {
                let delta = self.local[at + k] - self.snapshot[at + k];
                // SAFETY: as in `pull`; a Hogwild read-modify-write of one float.
                unsafe { *shared.add(k) += delta };
            }
        }
        self.pull(ctx);
        self.since_sync = 0;
    }

    /// Counts one prediction and merges every [`HOT_SYNC_PREDICTIONS`].
    #[inline(always)]
    fn tick(&mut self, ctx: &Ctx) {
        if self.enabled() {
            self.since_sync += 1;
            if self.since_sync >= HOT_SYNC_PREDICTIONS {
                self.push(ctx);
            }
        }
    }
}

struct Ctx<'a> {
    config: &'a Word2VecConfig,
    syn0: Shared,
    syn1neg: Shared,
    syn1: Shared,
    /// `x <= keep[w]` keeps word w (subsampling, see the module docs).
    keep: Vec<u32>,
    cum: CumTable,
    huffman: Huffman,
    /// Inner nodes of the Huffman tree (rows of `syn1`): `V - 1` with HS, else 0.
    huffman_inner_nodes: usize,
    sigmoid: SigmoidTable,
    total_words: f64,
    done: AtomicU64,
    effective: AtomicU64,
    stop: AtomicBool,
    progress: &'a Progress,
    use_avx2: bool,
    /// Row stride of the padded matrices.
    stride: usize,
    /// Length the kernels work on: `dim` rounded up to 8. The padding of every row and of the
    /// work vectors is zero and stays zero (updates add `g * 0`), so it changes no value; it only
    /// spares the kernels a scalar tail.
    kdim: usize,
}

impl Ctx<'_> {
    fn alpha(&self) -> f32 {
        let c = self.config;
        let done = self.done.load(Ordering::Relaxed) as f64;
        let a = c.alpha - (c.alpha - c.min_alpha) * done / self.total_words;
        a.max(c.min_alpha) as f32
    }

    fn should_stop(&self) -> Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        self.progress.check()
    }
}

/// What a thread reports after each job.
struct EpochReport {
    epoch: u32,
    loss: f64,
    steps: u64,
}

impl Word2Vec {
    /// A fresh model: `syn0` initialised from the seed as the spec says, output weights at zero.
    pub fn new(vocab: Vocab, config: Word2VecConfig) -> Result<Self> {
        config.validate()?;
        if vocab.is_empty() {
            return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
        }
        let v = vocab.len();
        let dim = config.dim;
        let mut syn0 = vec![0.0f32; v * dim];
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
            vec![0.0; v * dim]
        } else {
            Vec::new()
        };
        let syn1 = if config.hs {
            vec![0.0; v.saturating_sub(1) * dim]
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
        let v = vocab.len();
        let dim = config.dim;
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
        check("syn0", syn0.len(), v)?;
        if config.negative > 0 {
            if syn1neg.is_empty() {
                syn1neg = vec![0.0; v * dim];
            }
            check("syn1neg", syn1neg.len(), v)?;
        }
        if config.hs {
            if syn1.is_empty() {
                syn1 = vec![0.0; v.saturating_sub(1) * dim];
            }
            check("syn1", syn1.len(), v.saturating_sub(1))?;
        }
        Ok(Self {
            vocab,
            config,
            syn0,
            syn1neg,
            syn1,
        })
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
        self.config.validate()?;
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
            return self.train_source(
                &Source::Stream { paths, errors },
                epochs,
                progress,
                on_epoch,
            );
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
        self.train_source(&Source::Memory(&parts), epochs, progress, on_epoch)
    }

    /// Trains on a corpus held in memory as word ids. `sentence_starts` are the offsets in `ids`
    /// where sentences start (sorted; a start of 0 is implied). `u32::MAX` marks a word to skip
    /// (out of vocabulary); any other id must be below the vocabulary size.
    pub fn train_ids(
        &mut self,
        ids: &[u32],
        sentence_starts: &[usize],
        epochs: Option<u32>,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        self.config.validate()?;
        let v = self.vocab.len();
        if let Some(bad) = ids.iter().find(|&&i| i != u32::MAX && i as usize >= v) {
            return Err(Error::invalid(format!(
                "word id {bad} is out of range for a vocabulary of {v} words"
            )));
        }
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
            let mut in_sentence = 0usize;
            for (pos, &id) in ids.iter().enumerate().take(hi).skip(lo) {
                while starts.peek().is_some_and(|&s| s <= pos) {
                    if starts.next() == Some(pos) && pos > lo {
                        part.end_sentence();
                        in_sentence = 0;
                    }
                }
                if id != u32::MAX {
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
        self.train_source(&Source::Memory(&parts), epochs, progress, on_epoch)
    }

    fn train_source(
        &mut self,
        source: &Source,
        epochs: Option<u32>,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<TrainStats> {
        let config = self.config.clone();
        let epochs = epochs.unwrap_or(config.epochs);
        let train_words = self.vocab.train_words();
        let empty = match source {
            Source::Memory(parts) => parts.iter().all(|p| p.ids.is_empty()),
            Source::Stream { .. } => train_words == 0,
        };
        if empty {
            return Err(Error::EmptyCorpus(
                "the corpus contains no word of the vocabulary".into(),
            ));
        }
        let start = Instant::now();
        let mut stats = TrainStats {
            epoch_losses: Vec::new(),
            words: 0,
            effective_words: 0,
            seconds: 0.0,
        };
        if epochs == 0 {
            return Ok(stats);
        }
        let keep = self
            .vocab
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
        let mut p0 = Padded::take(&mut self.syn0, dim);
        let mut p1neg = Padded::take(&mut self.syn1neg, dim);
        let mut p1 = Padded::take(&mut self.syn1, dim);
        let ctx = Ctx {
            config: &config,
            syn0: p0.shared(),
            syn1neg: p1neg.shared(),
            syn1: p1.shared(),
            stride: p0.stride,
            kdim: dim.next_multiple_of(8),
            keep,
            cum: CumTable::new(&self.vocab.counts),
            huffman: if config.hs {
                Huffman::new(&self.vocab.counts)
            } else {
                Huffman::default()
            },
            huffman_inner_nodes: if config.hs {
                self.vocab.len().saturating_sub(1)
            } else {
                0
            },
            sigmoid: SigmoidTable::new(),
            total_words: (f64::from(epochs) * train_words as f64).max(1.0),
            done: AtomicU64::new(0),
            effective: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            progress,
            use_avx2: has_avx2_fma(),
        };
        progress.start_stage(
            if config.sg {
                "training skip-gram"
            } else {
                "training cbow"
            },
            u64::from(epochs)
                * match source {
                    Source::Memory(parts) => parts.iter().map(|p| p.ids.len() as u64).sum(),
                    Source::Stream { .. } => train_words,
                },
        );
        let (tx, rx) = mpsc::channel::<EpochReport>();
        // Every block of an epoch reports once; the epoch is complete when all of them did. A
        // streamed epoch's count is known once the reader has read it (usize::MAX until then).
        let (queue, blocks_tx, blocks_per_epoch) = match source {
            Source::Memory(parts) => {
                let q = MemoryQueue::new(parts, epochs);
                let per_epoch = q.per_epoch();
                (
                    Queue::Memory(q),
                    None,
                    (0..epochs).map(|_| AtomicUsize::new(per_epoch)).collect(),
                )
            }
            Source::Stream { .. } => {
                let (q, blocks_tx) = StreamQueue::new(config.threads);
                (
                    Queue::Stream(q),
                    Some(blocks_tx),
                    (0..epochs)
                        .map(|_| AtomicUsize::new(usize::MAX))
                        .collect::<Vec<_>>(),
                )
            }
        };
        let mut sums = vec![(0.0f64, 0u64, 0usize); epochs as usize];
        let mut next_epoch = 0usize;
        let mut last_loss = f64::NAN;
        let vocab = &self.vocab;
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let ctx = &ctx;
            let queue = &queue;
            let blocks_per_epoch = &blocks_per_epoch;
            let reader = match (source, blocks_tx) {
                (Source::Stream { paths, errors }, Some(blocks_tx)) => Some(s.spawn(move || {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        stream_blocks(
                            vocab,
                            paths,
                            *errors,
                            epochs,
                            &blocks_tx,
                            blocks_per_epoch,
                            &|| ctx.should_stop(),
                        )
                    }))
                    .unwrap_or_else(|_| {
                        Err(Error::invalid(
                            "internal error: the reading thread panicked",
                        ))
                    });
                    if r.is_err() {
                        ctx.stop.store(true, Ordering::Relaxed);
                    }
                    r
                })),
                _ => None,
            };
            let handles: Vec<_> = (0..config.threads.max(1))
                .map(|t| {
                    let tx = tx.clone();
                    s.spawn(move || {
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            run_jobs(ctx, queue, t, &tx)
                        }))
                        .unwrap_or_else(|_| {
                            Err(Error::invalid("internal error: a training thread panicked"))
                        });
                        if r.is_err() {
                            ctx.stop.store(true, Ordering::Relaxed);
                            queue.close();
                        }
                        r
                    })
                })
                .collect();
            drop(tx);
            // This thread reports: epoch losses in order, and a live info line.
            let mut last_tick = Instant::now();
            let mut last_done = 0u64;
            loop {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(rep) => {
                        let e = &mut sums[rep.epoch as usize];
                        e.0 += rep.loss;
                        e.1 += rep.steps;
                        e.2 += 1;
                        while next_epoch < sums.len()
                            && sums[next_epoch].2
                                == blocks_per_epoch[next_epoch].load(Ordering::SeqCst)
                        {
                            let (l, n, _) = sums[next_epoch];
                            last_loss = if n > 0 { l / n as f64 } else { 0.0 };
                            stats.epoch_losses.push(last_loss);
                            on_epoch(next_epoch as u32 + 1, last_loss);
                            next_epoch += 1;
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
                if last_tick.elapsed() >= Duration::from_millis(500) {
                    let done = ctx.done.load(Ordering::Relaxed);
                    let rate = (done - last_done) as f64 / last_tick.elapsed().as_secs_f64();
                    last_done = done;
                    last_tick = Instant::now();
                    progress.set_info(format!(
                        "epoch {}/{epochs} alpha {:.4} loss {last_loss:.3} words/s {:.2}M",
                        (next_epoch + 1).min(epochs as usize),
                        ctx.alpha(),
                        rate / 1e6
                    ));
                }
            }
            reader
                .into_iter()
                .chain(handles)
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::invalid("a training thread panicked")))
                })
                .collect()
        });
        // Partial training (an interrupted run) is kept, as in gensim.
        self.syn0 = p0.into_vec();
        self.syn1neg = p1neg.into_vec();
        self.syn1 = p1.into_vec();
        // A real error (say the reader's I/O error) beats the `Interrupted` it causes in the
        // other threads.
        let mut interrupted = false;
        for r in results {
            match r {
                Ok(()) => {}
                Err(Error::Interrupted) => interrupted = true,
                Err(e) => return Err(e),
            }
        }
        if interrupted {
            return Err(Error::Interrupted);
        }
        stats.words = ctx.done.load(Ordering::Relaxed);
        if stats.words == 0 {
            // Only a streamed corpus gets here empty (a held one is checked up front): files
            // with no word of the vocabulary, say when training further on new text.
            return Err(Error::EmptyCorpus(
                "the corpus contains no word of the vocabulary".into(),
            ));
        }
        stats.effective_words = ctx.effective.load(Ordering::Relaxed);
        stats.seconds = start.elapsed().as_secs_f64();
        progress.set_info(format!(
            "loss {last_loss:.3} words/s {:.2}M",
            stats.words as f64 / stats.seconds.max(1e-9) / 1e6
        ));
        Ok(stats)
    }

    /// Writes the word vectors in word2vec's format (`binary`: little-endian f32; else text with
    /// each float in its shortest form that reads back to the same f32 — word2vec.c's `%lf` keeps
    /// six decimals and loses precision), atomically (a temporary file renamed over `path`).
    pub fn save_word2vec_format(&self, path: &Path, binary: bool) -> Result<()> {
        use std::io::Write;
        let dim = self.config.dim;
        let tmp = path.with_extension("tmp-subwordx");
        let write = || -> std::io::Result<()> {
            let f = std::fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            writeln!(w, "{} {}", self.vocab.len(), dim)?;
            for (i, word) in self.vocab.words.iter().enumerate() {
                w.write_all(word.as_bytes())?;
                w.write_all(b" ")?;
                let row = &self.syn0[i * dim..(i + 1) * dim];
                if binary {
                    for x in row {
                        w.write_all(&x.to_le_bytes())?;
                    }
                } else {
                    for (k, x) in row.iter().enumerate() {
                        if k > 0 {
                            w.write_all(b" ")?;
                        }
                        write!(w, "{x}")?;
                    }
                }
                w.write_all(b"\n")?;
            }
            w.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }
}

fn run_jobs(ctx: &Ctx, queue: &Queue, t: usize, tx: &mpsc::Sender<EpochReport>) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    if ctx.use_avx2 {
        // SAFETY: use_avx2 is true only when the CPU supports AVX2 and FMA.
        return unsafe { run_jobs_avx2(ctx, queue, t, tx) };
    }
    train_jobs::<Scalar>(ctx, queue, t, tx)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_jobs_avx2(
    ctx: &Ctx,
    queue: &Queue,
    t: usize,
    tx: &mpsc::Sender<EpochReport>,
) -> Result<()> {
    train_jobs::<super::simd::Avx2>(ctx, queue, t, tx)
}

/// Words a thread reads between learning-rate refreshes.
const REFRESH_WORDS: u64 = 10_000;

/// One thread's work: jobs from the queue until none is left. Generic over the kernels and inlined
/// into the AVX2-enabled caller so that the kernels inline into the loop.
///
/// The learning rate is refreshed from the shared word count before a sentence once the thread has
/// read [`REFRESH_WORDS`] words since its last refresh, and whenever the thread moves on to a new
/// epoch (docs/word2vec.md; with one thread this is exactly the numpy reference's schedule).
#[inline(always)]
fn train_jobs<K: Kernel>(
    ctx: &Ctx,
    queue: &Queue,
    t: usize,
    tx: &mpsc::Sender<EpochReport>,
) -> Result<()> {
    let c = ctx.config;
    let dim = ctx.kdim;
    let window = c.window as u64;
    let mut rng = Lcg::new(c.seed.wrapping_add(t as u64));
    let mut sen: Vec<u32> = Vec::with_capacity(MAX_SENTENCE_LEN);
    let mut neu1 = vec![0.0f32; dim];
    let mut neu1e = vec![0.0f32; dim];
    let mut targets: Vec<u32> = Vec::with_capacity(c.negative + 1);
    let subsample = c.sample > 0.0;
    let mut hot = HotRows::new(ctx);
    let mut current_epoch = None;
    let mut alpha = 0.0f32;
    let mut pending = 0u64;
    while let Some((epoch, part, sentences)) = queue.take() {
        ctx.should_stop()?;
        if current_epoch != Some(epoch) {
            ctx.done.fetch_add(pending, Ordering::Relaxed);
            ctx.progress.advance(pending);
            pending = 0;
            alpha = ctx.alpha();
            current_epoch = Some(epoch);
        }
        let mut loss = 0.0f64;
        let mut steps = 0u64;
        let mut effective = 0u64;
        let mut begin = if sentences.start == 0 {
            0
        } else {
            part.ends[sentences.start - 1]
        };
        for &end in &part.ends[sentences] {
            let sentence = &part.ids[begin..end];
            begin = end;
            if pending >= REFRESH_WORDS {
                ctx.done.fetch_add(pending, Ordering::Relaxed);
                ctx.progress.advance(pending);
                pending = 0;
                alpha = ctx.alpha();
                ctx.should_stop()?;
            }
            pending += sentence.len() as u64;
            sen.clear();
            if subsample {
                for &w in sentence {
                    let x = (rng.advance() >> 48) as u32;
                    if x <= ctx.keep[w as usize] {
                        sen.push(w);
                    }
                }
            } else {
                sen.extend_from_slice(sentence);
            }
            effective += sen.len() as u64;
            let (l, s) = if c.sg {
                // SAFETY: ids are below the vocabulary size (checked when the part was built),
                // so every row touched is inside its matrix.
                unsafe {
                    train_sentence_sg::<K>(
                        ctx,
                        &sen,
                        &mut rng,
                        alpha,
                        window,
                        &mut neu1e,
                        &mut targets,
                        &mut hot,
                    )
                }
            } else {
                // SAFETY: as above.
                unsafe {
                    train_sentence_cbow::<K>(
                        ctx,
                        &sen,
                        &mut rng,
                        alpha,
                        window,
                        &mut neu1,
                        &mut neu1e,
                        &mut targets,
                        &mut hot,
                    )
                }
            };
            loss += l;
            steps += s;
        }
        ctx.effective.fetch_add(effective, Ordering::Relaxed);
        // The receiver lives until every worker has ended.
        let _ = tx.send(EpochReport { epoch, loss, steps });
    }
    if hot.enabled() {
        hot.push(ctx);
    }
    ctx.done.fetch_add(pending, Ordering::Relaxed);
    ctx.progress.advance(pending);
    Ok(())
}

/// The output layers for input `h`, target `w`: HS nodes first, then negative sampling; the error
/// is accumulated into `e`. Returns the loss of this step.
#[inline(always)]
unsafe fn output_layers<K: Kernel>(
    ctx: &Ctx,
    h: *const f32,
    w: u32,
    e: *mut f32,
    rng: &mut Lcg,
    alpha: f32,
    targets: &mut Vec<u32>,
    hot: &mut HotRows,
) -> f32 {
    let c = ctx.config;
    let dim = ctx.kdim;
    let stride = ctx.stride;
    let sig = &ctx.sigmoid;
    let mut loss = 0.0f32;
    if c.hs {
        let w = w as usize;
        let (lo, hi) = (ctx.huffman.offsets[w], ctx.huffman.offsets[w + 1]);
        for d in lo..hi {
            let point = ctx.huffman.points[d] as usize;
            let code = ctx.huffman.codes[d];
            let out = hot.row(ctx, point);
            // SAFETY: point < V - 1 rows of syn1 (or of the private hot copy); h and e hold dim
            // values.
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
        targets.clear();
        targets.push(w);
        for _ in 0..c.negative {
            let t = ctx.cum.draw(rng);
            if t != w {
                targets.push(t);
            }
        }
        for &t in targets.iter() {
            prefetch_row(ctx.syn1neg.row(t as usize, stride), dim);
        }
        for (d, &target) in targets.iter().enumerate() {
            let label = if d == 0 { 1.0f32 } else { 0.0 };
            let out = ctx.syn1neg.row(target as usize, stride);
            // SAFETY: target < V rows of syn1neg; h and e hold dim values.
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
#[inline(always)]
unsafe fn train_sentence_sg<K: Kernel>(
    ctx: &Ctx,
    sen: &[u32],
    rng: &mut Lcg,
    alpha: f32,
    window: u64,
    neu1e: &mut [f32],
    targets: &mut Vec<u32>,
    hot: &mut HotRows,
) -> (f64, u64) {
    let dim = ctx.kdim;
    let stride = ctx.stride;
    let n = sen.len();
    let mut loss = 0.0f64;
    let mut steps = 0u64;
    let e = neu1e.as_mut_ptr();
    for i in 0..n {
        let w = sen[i];
        let reach = (window - rng.advance() % window) as usize;
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n - 1);
        for (j, &ctx_word) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j == i {
                continue;
            }
            let h = ctx.syn0.row(ctx_word as usize, stride);
            neu1e.fill(0.0);
            // SAFETY: the caller guarantees valid ids; e has dim values.
            unsafe {
                loss += f64::from(output_layers::<K>(ctx, h, w, e, rng, alpha, targets, hot));
                K::axpy(1.0, e, h, dim);
            }
            steps += 1;
            hot.tick(ctx);
        }
    }
    (loss, steps)
}

/// CBOW over one (subsampled) sentence. Returns (loss, steps).
#[inline(always)]
unsafe fn train_sentence_cbow<K: Kernel>(
    ctx: &Ctx,
    sen: &[u32],
    rng: &mut Lcg,
    alpha: f32,
    window: u64,
    neu1: &mut [f32],
    neu1e: &mut [f32],
    targets: &mut Vec<u32>,
    hot: &mut HotRows,
) -> (f64, u64) {
    let dim = ctx.kdim;
    let stride = ctx.stride;
    let n = sen.len();
    let mut loss = 0.0f64;
    let mut steps = 0u64;
    let h = neu1.as_mut_ptr();
    let e = neu1e.as_mut_ptr();
    for i in 0..n {
        let w = sen[i];
        let reach = (window - rng.advance() % window) as usize;
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n - 1);
        let cw = hi - lo; // context words: the range minus position i
        if cw == 0 {
            continue;
        }
        neu1.fill(0.0);
        for (j, &cw_id) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j != i {
                // SAFETY: valid id; neu1 has dim values.
                unsafe { K::axpy(1.0, ctx.syn0.row(cw_id as usize, stride), h, dim) };
            }
        }
        if ctx.config.cbow_mean {
            let inv = cw as f32;
            for x in neu1.iter_mut() {
                *x /= inv;
            }
        }
        neu1e.fill(0.0);
        // SAFETY: valid ids; h and e have dim values.
        unsafe {
            loss += f64::from(output_layers::<K>(ctx, h, w, e, rng, alpha, targets, hot));
        }
        for (j, &cw_id) in sen.iter().enumerate().take(hi + 1).skip(lo) {
            if j != i {
                // SAFETY: as above.
                unsafe { K::axpy(1.0, e, ctx.syn0.row(cw_id as usize, stride), dim) };
            }
        }
        steps += 1;
        hot.tick(ctx);
    }
    (loss, steps)
}
