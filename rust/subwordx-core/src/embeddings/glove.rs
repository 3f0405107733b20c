//! `GloVe` (Pennington, Socher and Manning 2014): weighted least squares on global co-occurrence
//! counts, trained with `AdaGrad` by Hogwild threads. `docs/glove.md` defines every step to the
//! random draw; the numpy reference (`subwordx.reference.glove`) follows it line by line, and
//! with `threads = 1` this module gives the same vectors within f32 round-off.
//!
//! Pipeline, one call instead of the C reference's four programs (`vocab_count`, `cooccur`,
//! `shuffle`, `glove`):
//!
//! 1. **Vocabulary** ([`glove_vocab`]): word counts on all cores ([`super::vocab`]), words with
//!    `count >= min_count`, then the `max_vocab` most frequent (ties by the word, ascending; C
//!    `vocab_count` breaks them pseudo-randomly).
//! 2. **Co-occurrences** ([`super::cooccur`]): counted on all cores in bounded memory, spilling
//!    sorted runs to a temporary folder and merging them.
//! 3. **Initialisation**: every parameter of `W`, `b`, `W~`, `b~` uniform in `[-0.5/dim, 0.5/dim)`
//!    from word2vec's LCG ([`super::sampling::Lcg`]) in C `glove`'s order (word rows with their
//!    bias, then context rows with theirs); every squared-gradient sum starts at 1.
//! 4. **Shuffle**: the table, sorted by `(row, col)`, is shuffled once (Fisher-Yates, same
//!    generator), as C `shuffle` does once before training.
//! 5. **Training**: `epochs` passes over the shuffled table. Threads take blocks of
//!    [`JOB_ENTRIES`] entries in table order from a shared counter (with one thread the order is
//!    the table's, epoch after epoch) and update the shared parameters without locks (Hogwild, as
//!    C `glove`'s threads do). For an entry `(i, j, x)`, in f32:
//!    `diff = w_i . w~_j + b_i + b~_j - ln x`, `fdiff = f(x) diff` with
//!    `f(x) = (x / x_max)^alpha` below `x_max`, else 1; cost `+= 0.5 fdiff diff`; per component
//!    `t1 = clip(fdiff w~_j[k]) eta`, `t2 = clip(fdiff w_i[k]) eta` (clip to [-100, 100]),
//!    `w_i[k] -= t1 / sqrt(G_i[k])`, `w~_j[k] -= t2 / sqrt(G~_j[k])` (skipped for the entry if any
//!    of these steps is not finite), `G_i[k] += t1^2`, `G~_j[k] += t2^2`; biases
//!    `b_i -= fdiff / sqrt(Gb_i)`, `b~_j -= fdiff / sqrt(Gb~_j)`, then `Gb += fdiff^2`. The bias
//!    step has no `eta`: that is what C `glove.c` does (`W[vector_size + l1] -= check_nan(fdiff /
//!    sqrt(gradsq[vector_size + l1]))`), and we follow it.
//!    `ln x` and `f(x)` are computed once per entry before training (in f64, stored as f32).
//! 6. **Output**: `W + W~` (C's `-model 2`, the default), `W`, or both side by side.
//!
//! The cost of an epoch (the mean of `0.5 f(x) diff^2` over the entries, as C prints it) is
//! reported through the progress line and `on_epoch`. Ctrl-C (progress cancellation) is polled
//! between blocks and ends the call with [`Error::Interrupted`].
//!
//! Memory while training: 16 bytes per table entry (`row`, `col`, `ln x`, `f(x)`) plus four
//! `V x dim` matrices; the counting tables are freed before training starts.

// Forced inlining: the entry update must inline into its `#[target_feature]` caller.
#![allow(clippy::inline_always)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::cooccur::{self, CooccurConfig, Entry};
use super::engine::MAX_THREADS;
use super::sampling::Lcg;
use super::shared_matrix::{prefetch_row, try_vec, SharedMatrix, SharedRows};
use super::simd::{has_avx2_fma, Kernel, Scalar};
use super::vocab::{Vocab, VocabConfig};
use crate::corpus::Utf8Errors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Largest vector size.
pub const MAX_DIM: usize = 10_000;
/// Most epochs of one call.
pub const MAX_EPOCHS: u32 = 100_000;
/// Largest matrix (vocabulary x dim), in values (as word2vec).
pub const MAX_MATRIX_VALUES: usize = 1 << 32;
/// Table entries per block handed to a thread.
pub const JOB_ENTRIES: usize = 4096;
/// How many entries ahead the training loop prefetches rows.
const PREFETCH_AHEAD: usize = 4;
/// Gradient components are clipped to `[-GRAD_CLIP, GRAD_CLIP]` (C `glove`'s `-grad-clip`).
pub const GRAD_CLIP: f32 = 100.0;

/// Which vectors a trained model gives as its word vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// `W + W~` (C `glove -model 2`).
    #[default]
    Sum,
    /// `W` alone (`-model 1`).
    Word,
    /// `[W | W~]`, `2 dim` columns (`-model 3`).
    Both,
}

impl std::str::FromStr for Output {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sum" => Ok(Self::Sum),
            "word" => Ok(Self::Word),
            "both" => Ok(Self::Both),
            other => Err(Error::invalid(format!(
                "output must be 'sum', 'word' or 'both', not {other:?}"
            ))),
        }
    }
}

/// Hyperparameters of `GloVe`.
#[derive(Debug, Clone, PartialEq)]
pub struct GloveConfig {
    pub dim: usize,
    pub epochs: u32,
    pub x_max: f64,
    pub alpha: f64,
    /// `AdaGrad`'s initial learning rate (C `glove -eta`, 0.05).
    pub eta: f64,
    pub threads: usize,
    pub seed: u64,
}

impl Default for GloveConfig {
    fn default() -> Self {
        Self {
            dim: 50,
            epochs: 15,
            x_max: 100.0,
            alpha: 0.75,
            eta: 0.05,
            threads: 1,
            seed: 1,
        }
    }
}

impl GloveConfig {
    pub fn validate(&self) -> Result<()> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(Error::invalid(format!(
                "dim must be between 1 and {MAX_DIM}, not {}",
                self.dim
            )));
        }
        if self.epochs > MAX_EPOCHS {
            return Err(Error::invalid(format!(
                "epochs must be between 0 and {MAX_EPOCHS}, not {}",
                self.epochs
            )));
        }
        if self.threads == 0 || self.threads > MAX_THREADS {
            return Err(Error::invalid(format!(
                "threads must be between 1 and {MAX_THREADS}, not {}",
                self.threads
            )));
        }
        if !(self.x_max > 0.0 && self.x_max.is_finite()) {
            return Err(Error::invalid(format!(
                "x_max must be a finite number > 0, not {}",
                self.x_max
            )));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid(format!(
                "alpha must be a finite number >= 0, not {}",
                self.alpha
            )));
        }
        if !(self.eta > 0.0 && self.eta.is_finite()) {
            return Err(Error::invalid(format!(
                "learning_rate (eta) must be a finite number > 0, not {}",
                self.eta
            )));
        }
        Ok(())
    }
}

/// The vocabulary of a `GloVe` run: `min_count`, then the `max_vocab` most frequent words.
pub fn glove_vocab(
    paths: &[PathBuf],
    min_count: u64,
    max_vocab: Option<usize>,
    errors: Utf8Errors,
    threads: usize,
    progress: &Progress,
) -> Result<Vocab> {
    if max_vocab == Some(0) {
        return Err(Error::invalid("max_vocab must be at least 1"));
    }
    let config = VocabConfig {
        min_count,
        max_vocab_size: None,
        max_final_vocab: None,
    };
    let mut v = Vocab::build_from_files(paths, &config, errors, threads, progress)?;
    if let Some(n) = max_vocab {
        if v.len() > n {
            v.words.truncate(n);
            v.counts.truncate(n);
            v = Vocab::from_parts(v.words, v.counts)?;
        }
    }
    Ok(v)
}

/// A trained `GloVe` model: parameters row-major `V x dim`, biases `V`.
#[derive(Debug, Clone)]
pub struct Glove {
    pub vocab: Vocab,
    pub config: GloveConfig,
    /// Word vectors `W`.
    pub word: Vec<f32>,
    /// Context vectors `W~`.
    pub context: Vec<f32>,
    pub word_bias: Vec<f32>,
    pub context_bias: Vec<f32>,
    /// Mean cost of each epoch trained.
    pub losses: Vec<f64>,
    /// Co-occurrence entries trained on.
    pub entries: usize,
}

/// One entry as training reads it.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Prepared {
    row: u32,
    col: u32,
    log_x: f32,
    f_x: f32,
}

/// The generator's next uniform number in `[0, 1)` (24 bits: exact in f32 and f64).
#[inline]
pub fn uniform(rng: &mut Lcg) -> f64 {
    (rng.advance() >> 40) as f64 / f64::from(1u32 << 24)
}

/// A uniform integer in `0..=k` from the generator's top 53 bits.
#[inline]
pub fn below(rng: &mut Lcg, k: usize) -> usize {
    (((rng.advance() >> 11) as u128 * (k as u128 + 1)) >> 53) as usize
}

/// `(W, b, W~, b~)` initialised from `seed` (see the module docs).
#[allow(clippy::type_complexity)]
pub fn init_parameters(
    v: usize,
    dim: usize,
    rng: &mut Lcg,
) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>)> {
    let mut out = Vec::with_capacity(4);
    for side in 0..2 {
        let mut m = try_vec(
            v * dim,
            0.0f32,
            if side == 0 {
                "the word vectors"
            } else {
                "the context vectors"
            },
        )?;
        let mut b = try_vec(v, 0.0f32, "the biases")?;
        for i in 0..v {
            for x in &mut m[i * dim..(i + 1) * dim] {
                *x = ((uniform(rng) - 0.5) / dim as f64) as f32;
            }
            b[i] = ((uniform(rng) - 0.5) / dim as f64) as f32;
        }
        out.push(m);
        out.push(b);
    }
    let cb = out.pop().unwrap_or_default();
    let c = out.pop().unwrap_or_default();
    let wb = out.pop().unwrap_or_default();
    let w = out.pop().unwrap_or_default();
    Ok((w, wb, c, cb))
}

/// Shuffles `entries` in place (Fisher-Yates from the end: position `k` swaps with `below(k)`).
pub fn shuffle<T>(entries: &mut [T], rng: &mut Lcg) {
    for k in (1..entries.len()).rev() {
        let j = below(rng, k);
        entries.swap(k, j);
    }
}

/// The training record of a cell: `ln x` and `f(x)` computed once, in f64, stored as f32.
fn prepare(row: u32, col: u32, x: f32, x_max: f64, alpha: f64) -> Prepared {
    Prepared {
        row,
        col,
        log_x: f64::from(x).ln() as f32,
        f_x: weight(x, x_max, alpha),
    }
}

/// `f(x)`.
pub fn weight(x: f32, x_max: f64, alpha: f64) -> f32 {
    let x = f64::from(x);
    if x < x_max {
        (x / x_max).powf(alpha) as f32
    } else {
        1.0
    }
}

impl Glove {
    /// Counts, initialises and trains (see the module docs). `on_epoch(epoch, cost)` runs on
    /// this thread after every epoch, `epoch` counting from 1.
    pub fn train_files(
        paths: &[PathBuf],
        vocab: Vocab,
        cooccur_config: &CooccurConfig,
        config: GloveConfig,
        errors: Utf8Errors,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<Self> {
        config.validate()?;
        cooccur_config.validate()?;
        if vocab.len().saturating_mul(config.dim) > MAX_MATRIX_VALUES {
            return Err(Error::invalid(format!(
                "a vocabulary of {} words at dim={} needs matrices of more than {MAX_MATRIX_VALUES} \
                 values (2^32): use a smaller dim or vocabulary (min_count / max_vocab)",
                vocab.len(),
                config.dim
            )));
        }
        // The merge builds the training records directly: no second copy of the table.
        let (x_max, alpha) = (config.x_max, config.alpha);
        let (prepared, _) = cooccur::count_files_into(
            paths,
            &vocab,
            cooccur_config,
            errors,
            progress,
            std::mem::size_of::<Prepared>() as u64,
            &mut |row, col, x| prepare(row, col, x, x_max, alpha),
        )?;
        Self::train_prepared_table(vocab, prepared, config, progress, on_epoch)
    }

    /// Initialises and trains on a co-occurrence table (sorted by `(row, col)`, ids below the
    /// vocabulary size, `x > 0`; checked).
    pub fn train_entries(
        vocab: Vocab,
        entries: Vec<Entry>,
        config: GloveConfig,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<Self> {
        config.validate()?;
        let v = vocab.len();
        if v == 0 {
            return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
        }
        if entries.is_empty() {
            return Err(Error::EmptyCorpus(
                "the co-occurrence table is empty".into(),
            ));
        }
        let mut prepared = try_vec(
            entries.len(),
            prepare(0, 0, 1.0, config.x_max, config.alpha),
            "the co-occurrence table",
        )?;
        for (p, e) in prepared.iter_mut().zip(&entries) {
            if e.row as usize >= v || e.col as usize >= v || !(e.x > 0.0 && e.x.is_finite()) {
                return Err(Error::invalid(format!(
                    "co-occurrence entry ({}, {}, {}) is outside the vocabulary of {v} words or \
                     not a positive count",
                    e.row, e.col, e.x
                )));
            }
            *p = prepare(e.row, e.col, e.x, config.x_max, config.alpha);
        }
        drop(entries);
        Self::train_prepared_table(vocab, prepared, config, progress, on_epoch)
    }

    /// Initialises, shuffles and trains (ids already checked against the vocabulary).
    fn train_prepared_table(
        vocab: Vocab,
        mut prepared: Vec<Prepared>,
        config: GloveConfig,
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<Self> {
        let v = vocab.len();
        let dim = config.dim;
        let mut rng = Lcg::new(config.seed);
        let (word, word_bias, context, context_bias) = init_parameters(v, dim, &mut rng)?;
        shuffle(&mut prepared, &mut rng);
        let mut model = Self {
            vocab,
            config,
            word,
            context,
            word_bias,
            context_bias,
            losses: Vec::new(),
            entries: prepared.len(),
        };
        model.train_prepared(&prepared, progress, on_epoch)?;
        Ok(model)
    }

    fn train_prepared(
        &mut self,
        table: &[Prepared],
        progress: &Progress,
        on_epoch: &mut dyn FnMut(u32, f64),
    ) -> Result<()> {
        let c = self.config.clone();
        let dim = c.dim;
        let v = self.vocab.len();
        let mut w = SharedMatrix::take(&mut self.word, dim, "the word vectors")?;
        let mut wc = SharedMatrix::take(&mut self.context, dim, "the context vectors")?;
        // The squared gradients get `kdim` columns of ones: the AVX2 loop runs over `kdim`
        // components, and on the padding (W, W~ zero) it computes 0 / sqrt(1) = 0, changing
        // nothing, where a zero sum would give 0 / 0 = NaN.
        let kdim = dim.next_multiple_of(8);
        let ones = try_vec(v * kdim, 1.0f32, "the squared gradients")?;
        let mut gw = SharedMatrix::new(&ones, kdim, "the squared gradients")?;
        let mut gc = SharedMatrix::new(&ones, kdim, "the squared gradients")?;
        drop(ones);
        // Biases with their squared gradients: [b, G] per word.
        let bias_rows = |b: &[f32]| -> Vec<f32> { b.iter().flat_map(|&x| [x, 1.0]).collect() };
        let mut bw = SharedMatrix::new(&bias_rows(&self.word_bias), 2, "the biases")?;
        let mut bc = SharedMatrix::new(&bias_rows(&self.context_bias), 2, "the biases")?;
        let trainer = Trainer {
            table,
            dim,
            kdim,
            eta: c.eta as f32,
            w: w.rows(),
            wc: wc.rows(),
            gw: gw.rows(),
            gc: gc.rows(),
            bw: bw.rows(),
            bc: bc.rows(),
            use_avx2: has_avx2_fma(),
        };
        let result = run(&trainer, c.threads, c.epochs, progress, &mut |e, cost| {
            self.losses.push(cost);
            on_epoch(e, cost);
        });
        // Every thread has been joined (`run` returns after the scope): the matrices are ours.
        self.word = w.into_vec();
        self.context = wc.into_vec();
        let unpack =
            |m: SharedMatrix| -> Vec<f32> { m.into_vec().chunks_exact(2).map(|r| r[0]).collect() };
        self.word_bias = unpack(bw);
        self.context_bias = unpack(bc);
        drop((gw, gc));
        result
    }

    /// The output vectors (`V x dim`, or `V x 2 dim` for [`Output::Both`]).
    pub fn vectors(&self, output: Output) -> Vec<f32> {
        let d = self.config.dim;
        match output {
            Output::Word => self.word.clone(),
            Output::Sum => self
                .word
                .iter()
                .zip(&self.context)
                .map(|(a, b)| a + b)
                .collect(),
            Output::Both => {
                let mut out = Vec::with_capacity(self.word.len() * 2);
                for (a, b) in self.word.chunks_exact(d).zip(self.context.chunks_exact(d)) {
                    out.extend_from_slice(a);
                    out.extend_from_slice(b);
                }
                out
            }
        }
    }
}

/// What every training thread shares.
struct Trainer<'a> {
    table: &'a [Prepared],
    dim: usize,
    /// `dim` rounded up to 8 (the dot product's length; the padding is zero).
    kdim: usize,
    eta: f32,
    w: SharedRows,
    wc: SharedRows,
    gw: SharedRows,
    gc: SharedRows,
    bw: SharedRows,
    bc: SharedRows,
    use_avx2: bool,
}

/// Trains one block; returns its summed cost.
fn train_block(t: &Trainer<'_>, block: &[Prepared], upd: &mut [f32]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if t.use_avx2 {
        // SAFETY: use_avx2 is true only when the CPU supports AVX2 and FMA.
        return unsafe { block_avx2(t, block, upd) };
    }
    block_generic::<Scalar>(t, block, upd)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2(t: &Trainer<'_>, block: &[Prepared], upd: &mut [f32]) -> f64 {
    block_generic::<super::simd::Avx2>(t, block, upd)
}

/// The update of docs/glove.md §5 for every entry of `block`. `upd` holds `2 dim` floats.
#[inline(always)]
fn block_generic<K: Kernel>(t: &Trainer<'_>, block: &[Prepared], upd: &mut [f32]) -> f64 {
    let dim = t.dim;
    let eta = t.eta;
    let mut cost = 0.0f64;
    let (u1, u2) = upd.split_at_mut(upd.len() / 2);
    for (n, e) in block.iter().enumerate() {
        // The rows of an entry a few ahead are fetched while this one is computed: the table is
        // shuffled, so every row is a cache miss otherwise (the parameters of a 50k-word
        // vocabulary take 40 MB).
        if let Some(ahead) = block.get(n + PREFETCH_AHEAD) {
            let (a, b) = (ahead.row as usize, ahead.col as usize);
            prefetch_row(t.w.row(a), t.kdim);
            prefetch_row(t.wc.row(b), t.kdim);
            prefetch_row(t.gw.row(a), t.kdim);
            prefetch_row(t.gc.row(b), t.kdim);
            prefetch_row(t.bw.row(a), 2);
            prefetch_row(t.bc.row(b), 2);
        }
        let (i, j) = (e.row as usize, e.col as usize);
        let (wi, cj) = (t.w.row(i), t.wc.row(j));
        let (gi, gj) = (t.gw.row(i), t.gc.row(j));
        let (bi, bj) = (t.bw.row(i), t.bc.row(j));
        // SAFETY: i, j < V (checked when the table was prepared), so every row is inside its
        // matrix (SharedRows invariants); `kdim` and `dim` floats are within a row's stride; the
        // bias rows hold [b, G] (2 floats). Rows are accessed through raw pointers only; other
        // threads may write the same rows concurrently (Hogwild, see shared_matrix).
        unsafe {
            let diff = K::dot(wi, cj, t.kdim) + *bi + *bj - e.log_x;
            let fdiff = e.f_x * diff;
            if !diff.is_finite() || !fdiff.is_finite() {
                continue;
            }
            cost += f64::from(0.5 * fdiff * diff);
            #[cfg(target_arch = "x86_64")]
            if t.use_avx2 {
                // SAFETY: as above; u1 and u2 hold kdim floats each.
                avx2::vectors(wi, cj, gi, gj, fdiff, eta, t.kdim, u1, u2);
            } else {
                scalar_vectors(wi, cj, gi, gj, fdiff, eta, dim, u1, u2);
            }
            #[cfg(not(target_arch = "x86_64"))]
            scalar_vectors(wi, cj, gi, gj, fdiff, eta, dim, u1, u2);
            let step_i = fdiff / (*bi.add(1)).sqrt();
            let step_j = fdiff / (*bj.add(1)).sqrt();
            if step_i.is_finite() {
                *bi -= step_i;
            }
            if step_j.is_finite() {
                *bj -= step_j;
            }
            let f2 = fdiff * fdiff;
            *bi.add(1) += f2;
            *bj.add(1) += f2;
        }
    }
    cost
}

/// The vector part of the update (docs/glove.md §5), one component at a time.
///
/// # Safety
/// `wi`, `cj`, `gi`, `gj` valid for `dim` reads and writes (rows of the shared matrices, which
/// other threads may write concurrently); `u1`, `u2` at least `dim` long.
#[inline(always)]
unsafe fn scalar_vectors(
    wi: *mut f32,
    cj: *mut f32,
    gi: *mut f32,
    gj: *mut f32,
    fdiff: f32,
    eta: f32,
    dim: usize,
    u1: &mut [f32],
    u2: &mut [f32],
) {
    let mut finite = true;
    for k in 0..dim {
        // SAFETY: k < dim (the caller's contract).
        unsafe {
            let t1 = (fdiff * *cj.add(k)).clamp(-GRAD_CLIP, GRAD_CLIP) * eta;
            let t2 = (fdiff * *wi.add(k)).clamp(-GRAD_CLIP, GRAD_CLIP) * eta;
            let a = t1 / (*gi.add(k)).sqrt();
            let b = t2 / (*gj.add(k)).sqrt();
            u1[k] = a;
            u2[k] = b;
            finite &= a.is_finite() & b.is_finite();
            *gi.add(k) += t1 * t1;
            *gj.add(k) += t2 * t2;
        }
    }
    if finite {
        for k in 0..dim {
            // SAFETY: as above.
            unsafe {
                *wi.add(k) -= u1[k];
                *cj.add(k) -= u2[k];
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        _mm256_add_ps, _mm256_cmp_ps, _mm256_div_ps, _mm256_loadu_ps, _mm256_max_ps, _mm256_min_ps,
        _mm256_movemask_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_sqrt_ps,
        _mm256_storeu_ps, _mm256_sub_ps, _CMP_EQ_OQ,
    };

    /// [`super::scalar_vectors`] eight components at a time over `kdim` (a multiple of 8) with
    /// the same float32 operations in the same order (no FMA): the same results.
    ///
    /// # Safety
    /// As `scalar_vectors` with `kdim` for `dim`; only called on CPUs with AVX2 and FMA. The
    /// padding components are 0 in `wi` and `cj` and 1 in `gi` and `gj`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn vectors(
        wi: *mut f32,
        cj: *mut f32,
        gi: *mut f32,
        gj: *mut f32,
        fdiff: f32,
        eta: f32,
        kdim: usize,
        u1: &mut [f32],
        u2: &mut [f32],
    ) {
        debug_assert!(u1.len() >= kdim && u2.len() >= kdim && kdim % 8 == 0);
        let (p1, p2) = (u1.as_mut_ptr(), u2.as_mut_ptr());
        // SAFETY: every access is below kdim floats from a pointer valid for kdim (the
        // caller's contract; u1, u2 are at least kdim long).
        unsafe {
            let f = _mm256_set1_ps(fdiff);
            let e = _mm256_set1_ps(eta);
            let lo = _mm256_set1_ps(-super::GRAD_CLIP);
            let hi = _mm256_set1_ps(super::GRAD_CLIP);
            let zero = _mm256_setzero_ps();
            // x * 0 is 0 for finite x and NaN for inf or NaN: one sum tells whether all were.
            let mut check = _mm256_setzero_ps();
            let mut k = 0;
            while k < kdim {
                let c = _mm256_loadu_ps(cj.add(k));
                let w = _mm256_loadu_ps(wi.add(k));
                let t1 =
                    _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(f, c), lo), hi), e);
                let t2 =
                    _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(f, w), lo), hi), e);
                let g1 = _mm256_loadu_ps(gi.add(k));
                let g2 = _mm256_loadu_ps(gj.add(k));
                let a = _mm256_div_ps(t1, _mm256_sqrt_ps(g1));
                let b = _mm256_div_ps(t2, _mm256_sqrt_ps(g2));
                _mm256_storeu_ps(p1.add(k), a);
                _mm256_storeu_ps(p2.add(k), b);
                check = _mm256_add_ps(
                    check,
                    _mm256_add_ps(_mm256_mul_ps(a, zero), _mm256_mul_ps(b, zero)),
                );
                _mm256_storeu_ps(gi.add(k), _mm256_add_ps(g1, _mm256_mul_ps(t1, t1)));
                _mm256_storeu_ps(gj.add(k), _mm256_add_ps(g2, _mm256_mul_ps(t2, t2)));
                k += 8;
            }
            if _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_EQ_OQ>(check, zero)) != 0xFF {
                return;
            }
            let mut k = 0;
            while k < kdim {
                _mm256_storeu_ps(
                    wi.add(k),
                    _mm256_sub_ps(_mm256_loadu_ps(wi.add(k)), _mm256_loadu_ps(p1.add(k))),
                );
                _mm256_storeu_ps(
                    cj.add(k),
                    _mm256_sub_ps(_mm256_loadu_ps(cj.add(k)), _mm256_loadu_ps(p2.add(k))),
                );
                k += 8;
            }
        }
    }
}

/// The threads: blocks of the table in order from a shared counter, `epochs` times; reports
/// `on_epoch(epoch, mean cost)` in order, polls cancellation between blocks.
fn run(
    t: &Trainer<'_>,
    threads: usize,
    epochs: u32,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(u32, f64),
) -> Result<()> {
    let n = t.table.len();
    let per_epoch = n.div_ceil(JOB_ENTRIES);
    let total = per_epoch * epochs as usize;
    progress.start_stage("training glove", (n as u64) * u64::from(epochs));
    if total == 0 {
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, f64)>();
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.clamp(1, MAX_THREADS))
            .map(|_| {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                std::thread::Builder::new()
                    .name("subwordx-glove".into())
                    .spawn_scoped(s, move || {
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            let mut upd = try_vec(2 * t.kdim, 0.0f32, "work vectors")?;
                            loop {
                                if stop.load(Ordering::Relaxed) {
                                    return Err(Error::Interrupted);
                                }
                                progress.check()?;
                                let job = next.fetch_add(1, Ordering::Relaxed);
                                if job >= total {
                                    return Ok(());
                                }
                                let b = job % per_epoch;
                                let block =
                                    &t.table[b * JOB_ENTRIES..((b + 1) * JOB_ENTRIES).min(n)];
                                let cost = train_block(t, block, &mut upd);
                                progress.advance(block.len() as u64);
                                let _ = tx.send((job / per_epoch, cost));
                            }
                        }))
                        .unwrap_or_else(|_| {
                            Err(Error::internal("a glove training thread panicked"))
                        });
                        if r.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        r
                    })
                    .map_err(|e| Error::internal(format!("cannot start a thread: {e}")))
            })
            .collect();
        drop(tx);
        let mut sums = vec![(0.0f64, 0usize); epochs as usize];
        let mut next_epoch = 0usize;
        let mut last = f64::NAN;
        let mut tick = Instant::now();
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok((e, cost)) => {
                    sums[e].0 += cost;
                    sums[e].1 += 1;
                    while next_epoch < sums.len() && sums[next_epoch].1 == per_epoch {
                        last = sums[next_epoch].0 / n as f64;
                        next_epoch += 1;
                        on_epoch(next_epoch as u32, last);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if tick.elapsed() >= Duration::from_millis(500) {
                tick = Instant::now();
                progress.set_info(format!(
                    "epoch {}/{epochs} cost {last:.4}",
                    (next_epoch + 1).min(epochs as usize)
                ));
            }
        }
        progress.set_info(format!("cost {last:.4}"));
        handles
            .into_iter()
            .map(|h| {
                h?.join()
                    .unwrap_or_else(|_| Err(Error::internal("a glove training thread panicked")))
            })
            .collect()
    });
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> (Vocab, Vec<Entry>) {
        let words: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let v = Vocab::from_parts(words, vec![4, 3, 2, 1]).unwrap();
        let mut entries = Vec::new();
        for i in 0..4u32 {
            for j in 0..4u32 {
                if i != j {
                    entries.push(Entry {
                        row: i,
                        col: j,
                        x: 1.0 + (i * 4 + j) as f32,
                    });
                }
            }
        }
        (v, entries)
    }

    #[test]
    fn cost_falls_and_one_thread_is_reproducible() {
        let (v, e) = tiny();
        let config = GloveConfig {
            dim: 5,
            epochs: 50,
            x_max: 10.0,
            ..GloveConfig::default()
        };
        let a = Glove::train_entries(
            v.clone(),
            e.clone(),
            config.clone(),
            &Progress::new(),
            &mut |_, _| {},
        )
        .unwrap();
        let b = Glove::train_entries(v, e, config, &Progress::new(), &mut |_, _| {}).unwrap();
        assert_eq!(a.word, b.word);
        assert_eq!(a.losses.len(), 50);
        assert!(a.losses[49] < a.losses[0] * 0.5, "{:?}", a.losses);
        assert_eq!(a.vectors(Output::Sum).len(), 4 * 5);
        assert_eq!(a.vectors(Output::Both).len(), 4 * 10);
    }

    #[test]
    fn shuffle_and_init_follow_the_spec() {
        let mut rng = Lcg::new(1);
        let mut x: Vec<u32> = (0..10).collect();
        shuffle(&mut x, &mut rng);
        let mut sorted = x.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_ne!(x, sorted);
        let (w, b, _, _) = init_parameters(3, 4, &mut Lcg::new(5)).unwrap();
        assert!(w.iter().chain(&b).all(|&x| (-0.125..0.125).contains(&x)));
    }

    #[test]
    fn bad_settings_are_errors() {
        for c in [
            GloveConfig {
                dim: 0,
                ..GloveConfig::default()
            },
            GloveConfig {
                x_max: 0.0,
                ..GloveConfig::default()
            },
            GloveConfig {
                x_max: f64::NAN,
                ..GloveConfig::default()
            },
            GloveConfig {
                alpha: -1.0,
                ..GloveConfig::default()
            },
            GloveConfig {
                eta: 0.0,
                ..GloveConfig::default()
            },
            GloveConfig {
                threads: 0,
                ..GloveConfig::default()
            },
            GloveConfig {
                dim: MAX_DIM + 1,
                ..GloveConfig::default()
            },
        ] {
            assert!(
                matches!(c.validate(), Err(Error::InvalidArgument(_))),
                "{c:?}"
            );
        }
    }

    #[test]
    fn cancellation_stops_cleanly() {
        let (v, e) = tiny();
        let p = Progress::new();
        p.cancel();
        let r = Glove::train_entries(v, e, GloveConfig::default(), &p, &mut |_, _| {});
        assert!(matches!(r, Err(Error::Interrupted)));
    }
}
