//! The output layers of `fastText`'s classifier and the numeric tables they use, as
//! `docs/fasttext.md` ("Supervised classification") defines them.
//!
//! * [`Loss`]: softmax over all labels, hierarchical softmax over a Huffman tree of the labels,
//!   negative sampling over labels, one-vs-all (an independent sigmoid per label).
//! * [`Tables`]: `fastText`'s own sigmoid table (512 steps over `[-8, 8]`, not word2vec's 1000 over
//!   `[-6, 6]`) and log table (512 steps over `(0, 1]`). Training's binary logistic steps and
//!   the probabilities that negative sampling and one-vs-all models *predict* both read the
//!   sigmoid table, as `fastText`'s `Loss::sigmoid` does, so our probabilities equal the fasttext
//!   package's; softmax and hierarchical-softmax prediction use the exact functions.
//! * [`std_log`]: `fastText`'s `log(p + 1e-5)`, the score it ranks and reports predictions by.

use crate::error::{Error, Result};

/// Which output layer a classifier trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loss {
    /// Softmax over every label (`fastText`'s default for `supervised`).
    #[default]
    Softmax,
    /// Hierarchical softmax: binary logistic steps along the label's path in a Huffman tree built
    /// over the label counts.
    Hs,
    /// Negative sampling: the label against `neg` labels drawn by count^0.5.
    Ns,
    /// One-vs-all: an independent binary logistic per label, every gold label positive
    /// (multi-label classification).
    Ova,
}

impl Loss {
    /// `fastText`'s `loss_name` code in `.bin` files (hs 1, ns 2, softmax 3, ova 4).
    pub fn code(self) -> i32 {
        match self {
            Loss::Hs => 1,
            Loss::Ns => 2,
            Loss::Softmax => 3,
            Loss::Ova => 4,
        }
    }

    /// The loss of a `.bin` code.
    pub fn from_code(code: i32) -> Result<Self> {
        match code {
            1 => Ok(Loss::Hs),
            2 => Ok(Loss::Ns),
            3 => Ok(Loss::Softmax),
            4 => Ok(Loss::Ova),
            other => Err(Error::invalid(format!(
                "unknown fastText loss code {other}"
            ))),
        }
    }

    /// The name `fastText` uses on its command line.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Softmax => "softmax",
            Loss::Hs => "hs",
            Loss::Ns => "ns",
            Loss::Ova => "ova",
        }
    }
}

impl std::str::FromStr for Loss {
    type Err = Error;
    /// `"softmax"`, `"hs"`, `"ns"` or `"ova"` (`fastText`'s names; `"one-vs-all"` too).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "softmax" => Ok(Loss::Softmax),
            "hs" => Ok(Loss::Hs),
            "ns" => Ok(Loss::Ns),
            "ova" | "one-vs-all" => Ok(Loss::Ova),
            other => Err(Error::invalid(format!(
                "loss must be \"softmax\", \"hs\", \"ns\" or \"ova\", not {other:?}"
            ))),
        }
    }
}

/// Entries of the sigmoid and log tables, less one (`fastText`'s `SIGMOID_TABLE_SIZE` and
/// `LOG_TABLE_SIZE`).
pub const TABLE_SIZE: usize = 512;
/// Half-width of the sigmoid table (`fastText`'s `MAX_SIGMOID`).
pub const MAX_SIGMOID: f32 = 8.0;

/// `fastText`'s sigmoid and log tables (`src/loss.cc`, `Loss::Loss`).
#[derive(Debug, Clone)]
pub struct Tables {
    sigmoid: Vec<f32>,
    log: Vec<f32>,
}

impl Default for Tables {
    fn default() -> Self {
        Self::new()
    }
}

impl Tables {
    /// `sigmoid[i] = 1 / (1 + exp(-x_i))` with `x_i = i * 16 / 512 - 8` (exact in f32), and
    /// `log[i] = ln((i + 1e-5) / 512)`, both for `i` in `0..=512`, evaluated in f64 and stored as
    /// f32 (`fastText` evaluates `exp` in f32 first: the entries agree to an ulp).
    pub fn new() -> Self {
        let sigmoid = (0..=TABLE_SIZE)
            .map(|i| {
                let x = (i as f64) * 2.0 * f64::from(MAX_SIGMOID) / TABLE_SIZE as f64
                    - f64::from(MAX_SIGMOID);
                (1.0 / (1.0 + (-x).exp())) as f32
            })
            .collect();
        let log = (0..=TABLE_SIZE)
            .map(|i| ((i as f64 + 1e-5) / TABLE_SIZE as f64).ln() as f32)
            .collect();
        Self { sigmoid, log }
    }

    /// `fastText`'s `Loss::sigmoid`: 0 below -8, 1 above 8, else
    /// `table[trunc((x + 8) * 512 / 8 / 2)]` (in f32).
    #[inline]
    pub fn sigmoid(&self, x: f32) -> f32 {
        if x < -MAX_SIGMOID {
            0.0
        } else if x > MAX_SIGMOID {
            1.0
        } else {
            // `as usize` saturates (NaN gives 0); the min keeps the index inside the table.
            let i = ((x + MAX_SIGMOID) * TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as usize;
            self.sigmoid[i.min(TABLE_SIZE)]
        }
    }

    /// `fastText`'s `Loss::log` (reported loss only): 0 above 1, else `table[trunc(x * 512)]`.
    #[inline]
    pub fn log(&self, x: f32) -> f32 {
        if x > 1.0 {
            0.0
        } else {
            let i = (x * TABLE_SIZE as f32) as usize;
            self.log[i.min(TABLE_SIZE)]
        }
    }

    /// The raw sigmoid table (for tests and the reference).
    pub fn sigmoid_values(&self) -> &[f32] {
        &self.sigmoid
    }
}

/// `fastText`'s `std_log(p) = ln(p + 1e-5)`: `p` widened to f64, the sum and the log in f64,
/// rounded to f32. Predictions are ranked by it and reported as `exp(std_log(p))`, so a reported
/// probability is `p + 1e-5` (up to rounding), exactly as the fasttext package reports it
/// (`src/loss.cc`, `std_log`; `src/fasttext.cc`, `predictLine`).
#[inline]
pub fn std_log(p: f32) -> f32 {
    (f64::from(p) + 1e-5).ln() as f32
}

#[cfg(test)]
// The saturated values compared are exactly 0 and 1.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for l in [Loss::Softmax, Loss::Hs, Loss::Ns, Loss::Ova] {
            assert_eq!(Loss::from_code(l.code()).unwrap(), l);
            assert_eq!(l.name().parse::<Loss>().unwrap(), l);
        }
        assert!("svm".parse::<Loss>().is_err());
        assert!(Loss::from_code(0).is_err());
    }

    #[test]
    fn tables_match_fasttext() {
        let t = Tables::new();
        assert_eq!(t.sigmoid_values().len(), 513);
        assert!((t.sigmoid(0.0) - 0.5).abs() < 1e-7);
        // x = 0.01 reads entry trunc(8.01 * 32) = 256: sigmoid(0).
        assert_eq!(t.sigmoid(0.01).to_bits(), t.sigmoid(0.0).to_bits());
        assert_eq!(t.sigmoid(-8.5), 0.0);
        assert_eq!(t.sigmoid(8.5), 1.0);
        assert!((t.sigmoid(8.0) - 0.999_665).abs() < 1e-6);
        assert!(t.log(1.0).abs() < 1e-4);
        assert_eq!(t.log(2.0), 0.0);
        assert!((t.log(0.5) - 0.5f32.ln()).abs() < 1e-4);
        assert!((std_log(1.0) - 1e-5).abs() < 1e-9);
        assert!((std_log(0.0) - 1e-5f64.ln() as f32).abs() < 1e-4);
    }
}
