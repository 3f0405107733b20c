//! Progress reporting and cancellation shared by every long computation.
//!
//! The core never draws anything: it bumps counters in a [`Progress`] that another thread (the
//! Python binding, the CLI) reads to render a bar, and it polls [`Progress::check`] at safe points
//! so that Ctrl-C stops the work cleanly instead of killing the process.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Counters for one long job. All methods take `&self`: it is shared between worker threads and the
/// thread that displays it.
#[derive(Debug, Default)]
pub struct Progress {
    stage: Mutex<String>,
    info: Mutex<String>,
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

/// A copy of the counters at one moment, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressSnapshot {
    pub stage: String,
    pub info: String,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new stage ("counting", "merging", "epoch 2/5", ...) with `total` units of work
    /// (bytes, merges, words; 0 when unknown) and resets the done counter.
    pub fn start_stage(&self, stage: &str, total: u64) {
        stage.clone_into(
            &mut self
                .stage
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.info
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// Adds `n` units of finished work.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets the finished work to `n` units.
    pub fn set_done(&self, n: u64) {
        self.done.store(n, Ordering::Relaxed);
    }

    /// A free-form line shown beside the bar (e.g. "alpha 0.0213 loss 2.31").
    pub fn set_info(&self, info: String) {
        *self
            .info
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = info;
    }

    /// Asks the job to stop at its next [`Progress::check`].
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Returns [`Error::Interrupted`] once [`Progress::cancel`] was called. Long loops call this
    /// every few milliseconds of work.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        ProgressSnapshot {
            stage: self
                .stage
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            info: self
                .info
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            done: self.done.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_makes_check_fail() {
        let p = Progress::new();
        p.start_stage("counting", 10);
        p.advance(3);
        assert!(p.check().is_ok());
        p.cancel();
        assert!(matches!(p.check(), Err(Error::Interrupted)));
        assert_eq!(p.snapshot().done, 3);
        assert_eq!(p.snapshot().stage, "counting");
    }
}
