//! The small numeric tables and the random generator shared by word2vec training.
//!
//! * [`Lcg`]: word2vec.c's linear congruential generator, `next = next * 25214903917 + 11 (mod 2^64)`.
//! * [`SigmoidTable`]: the 1000-entry logistic table of word2vec.c, plus a matching table of
//!   `-ln sigma(x)` used only to *report* the loss without calling `ln` in the inner loop.

// Forced inlining: these run inside the training loop compiled with AVX2 (see simd.rs).
#![allow(clippy::inline_always)]
//! * [`CumTable`]: gensim's cumulative unigram^0.75 table for drawing negatives by bisection.

/// Half-width of the sigmoid table's domain: `|f| >= MAX_EXP` is treated as saturated.
pub const MAX_EXP: f32 = 6.0;
/// Number of entries of the sigmoid table.
pub const EXP_TABLE_SIZE: usize = 1000;
/// Multiplier from `f + MAX_EXP` to a table index: `EXP_TABLE_SIZE / MAX_EXP / 2` computed in
/// integers, as word2vec.c and gensim do (`1000 / 6 / 2 = 83`, so `(-6, 6)` maps onto indices
/// `0..996`; the last few entries are never read). Matching their arithmetic keeps our updates
/// identical to theirs and to the numpy reference (docs/word2vec.md §6). The index is still clamped
/// to the table so that no `f` can read past it.
const EXP_SCALE: f32 = (EXP_TABLE_SIZE / 6 / 2) as f32;

/// word2vec.c's generator: `next = next * 25214903917 + 11 (mod 2^64)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lcg {
    pub state: u64,
}

impl Lcg {
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Advances the generator and returns the new state (word2vec.c uses the new value).
    #[inline(always)]
    pub fn advance(&mut self) -> u64 {
        self.state = self.state.wrapping_mul(25_214_903_917).wrapping_add(11);
        self.state
    }
}

/// Probability-like keep score of subsampling: a word with count `c` is kept iff
/// `keep >= r`, `r` uniform in `[0, 1)` on a 1/65536 grid, where
/// `keep = (sqrt(c / (sample * train_words)) + 1) * (sample * train_words) / c` (f64; word2vec.c's
/// formula, which may exceed 1 for rare words: they are always kept).
pub fn keep_probability(count: u64, sample: f64, train_words: u64) -> f64 {
    let t = sample * train_words as f64;
    let c = count as f64;
    ((c / t).sqrt() + 1.0) * t / c
}

/// The logistic function tabulated on `[-6, 6)`, and `-ln sigma` on the same grid (for the loss).
#[derive(Debug, Clone)]
pub struct SigmoidTable {
    sigma: Box<[f32; EXP_TABLE_SIZE]>,
    neg_log_sigma: Box<[f32; EXP_TABLE_SIZE]>,
}

impl Default for SigmoidTable {
    fn default() -> Self {
        Self::new()
    }
}

impl SigmoidTable {
    /// `table[i] = exp(x_i) / (exp(x_i) + 1)` with `x_i = (i / 1000 * 2 - 1) * 6`, in f64, stored as f32.
    pub fn new() -> Self {
        let mut sigma = Box::new([0.0f32; EXP_TABLE_SIZE]);
        let mut neg_log_sigma = Box::new([0.0f32; EXP_TABLE_SIZE]);
        for i in 0..EXP_TABLE_SIZE {
            let x = (i as f64 / EXP_TABLE_SIZE as f64 * 2.0 - 1.0) * f64::from(MAX_EXP);
            let e = x.exp();
            sigma[i] = (e / (e + 1.0)) as f32;
            // -ln sigma(x) = ln(1 + exp(-x)), evaluated at the same grid point.
            neg_log_sigma[i] = (-x).exp().ln_1p() as f32;
        }
        Self {
            sigma,
            neg_log_sigma,
        }
    }

    /// Table index of `f`; callers guarantee `-6 < f < 6` (or at least `f` finite).
    #[inline(always)]
    fn index(f: f32) -> usize {
        // `as usize` saturates (NaN -> 0); the min keeps f close to 6 inside the table.
        (((f + MAX_EXP) * EXP_SCALE) as usize).min(EXP_TABLE_SIZE - 1)
    }

    /// `sigma(f) = table[floor((f + 6) * 83)]`.
    #[inline(always)]
    pub fn sigma(&self, f: f32) -> f32 {
        self.sigma[Self::index(f)]
    }

    /// `-ln sigma(f)` with `f` clipped to `[-6, 6]`, from the table (used for the reported loss).
    #[inline(always)]
    pub fn neg_log_sigma(&self, f: f32) -> f32 {
        self.neg_log_sigma[Self::index(f.clamp(-MAX_EXP, MAX_EXP))]
    }

    /// The raw table (for tests and the reference comparison).
    pub fn values(&self) -> &[f32] {
        &self.sigma[..]
    }
}

/// Cumulative unigram^0.75 table for negative sampling (gensim's `cum_table`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CumTable {
    table: Vec<u32>,
    /// `starts[b]` = first index with `table[i] >= b << BUCKET_SHIFT`: a draw `x` in bucket `b`
    /// is answered by a bisection of `table[starts[b]..=starts[b + 1]]` only (same result as
    /// bisecting the whole table, with fewer cache misses).
    starts: Vec<u32>,
}

const BUCKET_SHIFT: u32 = 17;

/// `2^31 - 1`, the table's domain.
pub const CUM_DOMAIN: f64 = 2_147_483_647.0;

impl CumTable {
    /// `cum_table[i] = round(cumsum_{j<=i} count_j^0.75 / Z * (2^31 - 1))` in f64.
    ///
    /// Rounding is half-to-even, like Python's `round` and numpy's `rint`.
    pub fn new(counts: &[u64]) -> Self {
        Self::with_power(counts, 0.75)
    }

    /// The table over `count^power` (the classifier's negative sampling draws labels by
    /// count^0.5, as `fastText`'s `NegativeSamplingLoss` weighs them).
    pub fn with_power(counts: &[u64], power: f64) -> Self {
        let powered: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let z: f64 = powered.iter().sum();
        let mut cumulative = 0.0f64;
        let mut table = Vec::with_capacity(counts.len());
        for p in powered {
            cumulative += p;
            let v = if z > 0.0 {
                (cumulative / z * CUM_DOMAIN).round_ties_even()
            } else {
                0.0
            };
            table.push(v as u32);
        }
        let last = u64::from(table.last().copied().unwrap_or(0));
        let buckets = (last >> BUCKET_SHIFT) as usize + 2;
        let starts = (0..buckets)
            .map(|b| {
                let lo = (b as u64) << BUCKET_SHIFT;
                table.partition_point(|&v| u64::from(v) < lo) as u32
            })
            .collect();
        Self { table, starts }
    }

    pub fn values(&self) -> &[u32] {
        &self.table
    }

    /// Draws a word: `bisect_left(cum_table, (advance() >> 16) % cum_table[-1])`.
    #[inline(always)]
    pub fn draw(&self, rng: &mut Lcg) -> u32 {
        let last = u64::from(*self.table.last().unwrap_or(&1)).max(1);
        let x = ((rng.advance() >> 16) % last) as u32;
        let b = (x >> BUCKET_SHIFT) as usize;
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&lo), Some(&hi)) => {
                let (lo, hi) = (lo as usize, (hi as usize + 1).min(self.table.len()));
                (lo + self.table[lo..hi].partition_point(|&v| v < x)) as u32
            }
            _ => self.table.partition_point(|&v| v < x) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcg_sequence_matches_word2vec_c() {
        let mut r = Lcg::new(1);
        assert_eq!(r.advance(), 25_214_903_928);
        assert_eq!(
            r.advance(),
            25_214_903_928u64
                .wrapping_mul(25_214_903_917)
                .wrapping_add(11)
        );
        let mut z = Lcg::new(0);
        assert_eq!(z.advance(), 11);
        assert_eq!(z.advance(), 11 * 25_214_903_917 + 11);
    }

    #[test]
    fn keep_probability_formula() {
        // t = 1e-3 * 1e6 = 1000; c = 4000: (sqrt(4) + 1) * 1000 / 4000 = 0.75.
        assert!((keep_probability(4000, 1e-3, 1_000_000) - 0.75).abs() < 1e-15);
        // c = t: (1 + 1) * 1 = 2 (always kept).
        assert!((keep_probability(1000, 1e-3, 1_000_000) - 2.0).abs() < 1e-15);
    }

    #[test]
    fn sigmoid_table_values() {
        let t = SigmoidTable::new();
        assert_eq!(t.values().len(), 1000);
        // x_0 = -6, x_500 = 0.
        assert!((t.values()[0] - (1.0 / (1.0 + 6f64.exp())) as f32).abs() < 1e-9);
        assert!((t.values()[500] - 0.5).abs() < f32::EPSILON);
        // word2vec.c's integer scale 83 reads entry 6 * 83 = 498 for f = 0 (x_498 = -0.024): a
        // known quirk of its table that gensim shares, kept for identical updates.
        assert_eq!(t.sigma(0.0).to_bits(), t.values()[498].to_bits());
        assert!((t.sigma(0.0) - 0.494).abs() < 1e-3);
        assert!(t.sigma(5.999) > 0.997);
        assert!(t.sigma(-5.999) < 0.003);
        // Monotone.
        assert!(t.values().windows(2).all(|w| w[0] <= w[1]));
        assert!((t.neg_log_sigma(0.0) - std::f32::consts::LN_2).abs() < 0.02);
        assert!((t.neg_log_sigma(100.0) - t.neg_log_sigma(6.0)).abs() < 1e-9);
    }

    /// Inverse of an odd number modulo 2^64 (Newton's iteration).
    fn modinv(a: u64) -> u64 {
        let mut x = a;
        for _ in 0..6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        }
        x
    }

    #[test]
    fn bucketed_draw_equals_full_bisection() {
        let counts: Vec<u64> = (1..3000u64).rev().map(|c| c * c / 7 + 1).collect();
        let t = CumTable::new(&counts);
        let mut a = Lcg::new(42);
        let mut b = Lcg::new(42);
        for _ in 0..200_000 {
            let w = t.draw(&mut a);
            let x = ((b.advance() >> 16) % u64::from(*t.values().last().unwrap())) as u32;
            assert_eq!(w, t.values().partition_point(|&v| v < x) as u32);
        }
    }

    #[test]
    fn cum_table_hand_example() {
        // counts 16, 1, 1: powers 8, 1, 1; Z = 10.
        let t = CumTable::new(&[16, 1, 1]);
        let d = 2_147_483_647.0f64;
        assert_eq!(
            t.values(),
            &[
                (0.8 * d).round_ties_even() as u32,
                (0.9 * d).round_ties_even() as u32,
                2_147_483_647
            ]
        );
        assert_eq!(t.values()[0], 1_717_986_918);
        // Bisection: a draw below the first entry is word 0.
        // Seed 5: the first draw is 5 * 25214903917 + 11 = 126074519596, >> 16 = 1923744
        // (below the modulus), which is below cum_table[0]: word 0.
        let mut r = Lcg::new(5);
        assert_eq!(t.draw(&mut r), 0);
        // A state whose next value >> 16 falls between 0.8 and 0.9 of the domain draws word 1.
        let target = (0.85 * d) as u64;
        let mut r = Lcg::new(0);
        r.state = (target << 16)
            .wrapping_sub(11)
            .wrapping_mul(modinv(25_214_903_917));
        assert_eq!(t.draw(&mut r), 1);
    }
}
