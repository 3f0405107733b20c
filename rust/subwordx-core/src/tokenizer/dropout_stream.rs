//! Where a BPE-dropout tokenizer's randomness comes from (`docs/tokenizer.md` §4).
//!
//! HF draws BPE-dropout from an unseeded generator on every call, so no two runs agree. Here a
//! tokenizer whose model has a dropout owns a stream of seeds: its encode calls are numbered
//! `k = 0, 1, 2, ...` in the order they are made (a batch of `n` texts takes `n` consecutive
//! numbers, text `i` the `i`-th, whatever the threads), and call `k` encodes exactly as
//! [`Tokenizer::encode_sample`] with `dropout = p` and `seed = seed_of(s, k)`, the `k`-th output of
//! `SplitMix64` started at the stream's seed `s`. A pair's second text continues the first one's
//! draws. So a loaded tokenizer gives the same encodings on every run and on either backend, and
//! [`Tokenizer::with_dropout`] starts the stream again from any seed.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{PieceHook, Tokenizer};
use crate::models::bpe::BpeModel;
use crate::models::unigram::SplitMix64;
use crate::models::Model;
use crate::Result;

/// `SplitMix64`'s increment: its state after `k` outputs is `seed + k·GAMMA`.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The seed of call `k` of a stream started at `seed`: `SplitMix64`'s `k`-th output (from 0).
pub fn seed_of(seed: u64, k: u64) -> u64 {
    SplitMix64::new(seed.wrapping_add(k.wrapping_mul(GAMMA))).next_u64()
}

/// A stream's seed and the number of its next call. A copy continues from where the original
/// is; equality ignores the position (two tokenizers are equal when they encode alike).
#[derive(Debug, Default)]
pub(crate) struct DropoutStream {
    seed: u64,
    next: AtomicU64,
}

impl DropoutStream {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            next: AtomicU64::new(0),
        }
    }
}

impl Clone for DropoutStream {
    fn clone(&self) -> Self {
        Self {
            seed: self.seed,
            next: AtomicU64::new(self.next.load(Ordering::Relaxed)),
        }
    }
}

impl PartialEq for DropoutStream {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Tokenizer {
    /// The same tokenizer encoding with BPE-dropout `p` (`None` or `0`: plain BPE), its stream
    /// of seeds starting at `seed`. Needs a BPE model when `p` is set; `p` must be in `[0, 1]`.
    pub fn with_dropout(&self, p: Option<f64>, seed: u64) -> Result<Self> {
        let model = match (&self.model, p) {
            (Model::Bpe(m), _) => Model::Bpe(m.with_dropout(p)?),
            (other, Some(p)) if p != 0.0 => {
                return Err(crate::Error::invalid(format!(
                    "dropout is for BPE models; this tokenizer's model is {}",
                    other.kind()
                )))
            }
            (other, _) => other.clone(),
        };
        Ok(Self {
            model,
            dropout_stream: DropoutStream::new(seed),
            ..self.clone()
        })
    }

    /// The model's BPE-dropout probability, if it encodes with one.
    pub fn dropout(&self) -> Option<f64> {
        self.model.as_bpe().and_then(BpeModel::dropout)
    }

    /// Takes the numbers of the next `n` calls; `None` when the model has no dropout (and the
    /// stream is left alone).
    pub(crate) fn take_draws(&self, n: usize) -> Option<u64> {
        self.dropout()?;
        Some(
            self.dropout_stream
                .next
                .fetch_add(n as u64, Ordering::Relaxed),
        )
    }

    /// The generator of call `k`.
    pub(crate) fn draws_of(&self, k: u64) -> SplitMix64 {
        SplitMix64::new(seed_of(self.dropout_stream.seed, k))
    }

    /// The hook that encodes each piece with BPE-dropout from `rng`, when the model has one.
    pub(crate) fn dropout_hook<'r>(&'r self, rng: &'r mut SplitMix64) -> Option<PieceHook<'r>> {
        let model = self.model.as_bpe()?;
        let p = model.dropout()?;
        Some(Box::new(
            move |piece: &str, ids: &mut Vec<u32>, spans: &mut Vec<(usize, usize)>| {
                crate::models::bpe::dropout::encode_piece(model, piece, p, rng, ids, spans);
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_of_is_the_kth_output() {
        let mut rng = SplitMix64::new(42);
        for k in 0..5 {
            assert_eq!(seed_of(42, k), rng.next_u64());
        }
    }
}
