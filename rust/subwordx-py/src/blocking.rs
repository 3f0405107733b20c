//! Runs long core work with the GIL released, a live progress callback, and Ctrl-C.
//!
//! Every long call of the binding goes through [`run_blocking`]: the work runs on a scoped worker
//! thread while the calling thread waits without the GIL, waking every 100 ms to check for signals
//! (Ctrl-C sets the core's cancel flag; the core stops at its next check and we raise
//! `KeyboardInterrupt`) and to hand a progress snapshot to an optional Python callable
//! `progress(stage, done, total, info)`. (polars' `enter_polars` plays the same role.)

use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;
use subwordx_core::{Progress, Result};

use crate::errors::{panic_to_py_err, to_py_err};

const POLL: Duration = Duration::from_millis(100);

/// Runs `work` off the GIL; see the module docs.
pub fn run_blocking<T, F>(
    py: Python<'_>,
    callback: Option<&Bound<'_, PyAny>>,
    work: F,
) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Progress) -> Result<T> + Send,
{
    let progress = Progress::new();
    let mut interrupted: Option<PyErr> = None;
    let outcome = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        // `detach` needs a `Sync` closure; the lock is only ever taken by this thread.
        let rx = std::sync::Mutex::new(rx);
        let progress_ref = &progress;
        scope.spawn(move || {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(progress_ref)));
            // The receiver outlives the scope's threads, so this cannot fail.
            let _ = tx.send(result);
        });
        loop {
            match py.detach(|| {
                rx.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .recv_timeout(POLL)
            }) {
                Ok(result) => break result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if interrupted.is_none() {
                        if let Err(e) = py.check_signals() {
                            progress.cancel();
                            interrupted = Some(e);
                        }
                    }
                    if let Some(cb) = callback {
                        let s = progress.snapshot();
                        if let Err(e) = cb.call1((s.stage, s.done, s.total, s.info)) {
                            progress.cancel();
                            interrupted.get_or_insert(e);
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    unreachable!("the worker sends before it ends")
                }
            }
        }
    });
    if let Some(cb) = callback {
        let s = progress.snapshot();
        if interrupted.is_none() {
            cb.call1((s.stage, s.done, s.total, s.info))?;
        }
    }
    match outcome {
        Ok(Ok(value)) => match interrupted {
            // The work finished before it saw the cancel flag: still honour the Ctrl-C.
            Some(e) => Err(e),
            None => Ok(value),
        },
        Ok(Err(subwordx_core::Error::Interrupted)) => {
            Err(interrupted.unwrap_or_else(|| to_py_err(subwordx_core::Error::Interrupted)))
        }
        Ok(Err(e)) => Err(interrupted.unwrap_or_else(|| to_py_err(e))),
        Err(payload) => Err(panic_to_py_err(payload.as_ref())),
    }
}

/// Runs short core work off the GIL, mapping errors and catching panics (no thread, no progress).
pub fn run_detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T> + Send,
{
    match py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py_err(e)),
        Err(payload) => Err(panic_to_py_err(payload.as_ref())),
    }
}
