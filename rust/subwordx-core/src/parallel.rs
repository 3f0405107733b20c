//! Thread pools: the one place subwordx starts rayon workers.
//!
//! * **Reused.** One pool per thread count, built on first use and kept, so a binding that feeds
//!   many small batches does not spawn threads per batch.
//! * **Bounded.** At most [`MAX_THREADS`] per call: more is a mistake (a million threads is minutes
//!   of load average 300), not a speed-up. A pool that cannot start is an error, not a panic.
//! * **Fork-safe.** A process forked after a pool started (Python's `multiprocessing` on Linux,
//!   Dask, Spark) inherits the pool's bookkeeping but none of its threads: work sent to it waits
//!   forever. The pools are therefore owned by a process id; a child that finds its parent's pid
//!   builds fresh pools (and leaks the dead ones: dropping them would talk to threads that do not
//!   exist). rayon's *global* pool has no such guard, so subwordx never uses it: every parallel
//!   section runs inside [`install`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::{Error, Result};

/// The most threads one call may ask for.
pub const MAX_THREADS: usize = 1024;

struct Pools {
    pid: u32,
    by_threads: HashMap<usize, Arc<rayon::ThreadPool>>,
}

/// The number of cores (`threads = 0`).
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The pool of `threads` workers (0 = all cores) of this process.
pub fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    if threads > MAX_THREADS {
        return Err(Error::invalid(format!(
            "threads={threads} is more than the {MAX_THREADS} one call may use (0 = all cores)"
        )));
    }
    let threads = if threads == 0 { all_cores() } else { threads };
    let pid = std::process::id();
    let mut pools = POOLS
        .get_or_init(|| {
            Mutex::new(Pools {
                pid,
                by_threads: HashMap::new(),
            })
        })
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if pools.pid != pid {
        // Forked: the parent's pools have no threads here.
        let dead = std::mem::take(&mut pools.by_threads);
        std::mem::forget(dead);
        pools.pid = pid;
    }
    if let Some(p) = pools.by_threads.get(&threads) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("subwordx-{i}"))
        .build()
        .map_err(|e| Error::invalid(format!("could not start {threads} threads: {e}")))?;
    let p = Arc::new(p);
    pools.by_threads.insert(threads, Arc::clone(&p));
    Ok(p)
}

/// Runs `f` on the pool of `threads` workers (0 = all cores). Already on a worker of a pool and
/// asking for all cores, `f` runs where it is (a nested section shares its caller's pool).
pub fn install<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    if threads == 0 && rayon::current_thread_index().is_some() {
        return Ok(f());
    }
    Ok(pool(threads)?.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn pools_are_bounded_and_reused() {
        assert!(install(MAX_THREADS + 1, || ()).is_err());
        assert_eq!(install(2, rayon::current_num_threads).unwrap(), 2);
        assert!(Arc::ptr_eq(&pool(3).unwrap(), &pool(3).unwrap()));
        let sum: u64 = install(0, || (0..1000u64).into_par_iter().sum()).unwrap();
        assert_eq!(sum, 499_500);
    }
}
