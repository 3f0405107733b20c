//! Weight matrices shared by Hogwild training threads, and all the unsafe plumbing around them.
//!
//! Embedding trainers (word2vec today; `fastText` and `GloVe` are meant to plug into the same
//! [`super::engine`]) update shared weight matrices from several threads without locks, as
//! word2vec.c, gensim and `fastText` do (Hogwild!, Recht et al. 2011: with sparse updates races are
//! rare and only lose or mix single float updates, which SGD tolerates). This module is the one
//! place that makes that sound enough to live with:
//!
//! * [`SharedMatrix`] owns a matrix during a training call, copied into rows padded to whole,
//!   64-byte aligned cache lines (no false sharing between threads, no scalar tail in the kernels;
//!   the padding stays zero, so no value changes).
//! * [`SharedRows`] is the raw view the threads use. No Rust reference to the buffer exists while
//!   threads run: the owning `SharedMatrix` is not touched until every thread has been joined, and
//!   every access goes through raw pointers in the kernels, within one row, never past the buffer.
//!   A racing access can observe a stale value, never memory outside the matrix.
//! * [`PrivateRows`] keeps a thread-private copy of a few rows that every thread would otherwise
//!   write all the time, and merges its changes into the shared rows under a lock.
//! * [`try_vec`] allocates a buffer whose size comes from the input without aborting the process
//!   when memory runs out.

// Forced inlining: row lookups run inside the training loop compiled with AVX2 (see simd.rs).
#![allow(clippy::inline_always)]

use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};

/// A vector of `n` copies of `value`, or an error (not an abort) when the memory cannot be had.
/// `what` names the buffer in the message.
pub fn try_vec<T: Clone>(n: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::invalid(format!(
            "not enough memory for {what}: {n} values of {} bytes ({:.1} GiB)",
            std::mem::size_of::<T>(),
            n as f64 * std::mem::size_of::<T>() as f64 / f64::from(1u32 << 30)
        ))
    })?;
    v.resize(n, value);
    Ok(v)
}

/// Floats per 64-byte cache line.
const LINE: usize = 16;

/// A matrix copied for training into rows padded to whole 64-byte cache lines, 64-byte aligned
/// (dim 100: 112 floats = 7 lines). Rows then never share a cache line, which removes false
/// sharing between Hogwild threads and touches 7 lines per row instead of 7 or 8. The padding is
/// zero and stays zero (the kernels add `g * 0` to it at most), so results are identical to the
/// unpadded layout.
pub struct SharedMatrix {
    buf: Vec<f32>,
    /// Index of row 0 in `buf` (what aligns it to 64 bytes).
    offset: usize,
    dim: usize,
    stride: usize,
    rows: usize,
}

impl SharedMatrix {
    /// Moves `m` (`rows x dim`, row-major) into the padded layout, leaving `m` empty. The rows
    /// are spread out inside `m`'s own buffer, grown in place (the last row first, so none is
    /// overwritten before it moves): no second copy of the matrix ever exists, which for
    /// `fastText`'s 2M-bucket input matrix is the difference between 0.9 and 1.7 GB. On an
    /// allocation failure `m` is left as it was.
    pub fn take(m: &mut Vec<f32>, dim: usize, what: &str) -> Result<Self> {
        let dim = dim.max(1);
        let stride = dim.div_ceil(LINE) * LINE;
        let rows = m.len() / dim;
        let len = rows
            .checked_mul(stride)
            .and_then(|n| n.checked_add(LINE))
            .ok_or_else(|| Error::invalid(format!("{what} is too large")))?;
        let extra = len.saturating_sub(m.len());
        if m.try_reserve_exact(extra).is_err() {
            // The message of a failed allocation, as `try_vec` words it.
            return Err(try_vec(len, 0.0f32, what)
                .err()
                .unwrap_or_else(|| Error::invalid(format!("not enough memory for {what}"))));
        }
        let mut buf = std::mem::take(m);
        buf.truncate(rows * dim);
        buf.resize(len, 0.0);
        let offset = buf.as_ptr().align_offset(64).min(LINE - 1);
        // Row r moves from r * dim up to offset + r * stride; the rows below it have not moved
        // and end at r * dim at most, so the move never reaches them.
        for r in (0..rows).rev() {
            buf.copy_within(r * dim..(r + 1) * dim, offset + r * stride);
        }
        // Whatever the moves left outside the rows is padding: zero it.
        buf[..offset].fill(0.0);
        for r in 0..rows {
            let end = offset + r * stride + dim;
            buf[end..offset + (r + 1) * stride].fill(0.0);
        }
        buf[offset + rows * stride..].fill(0.0);
        Ok(Self {
            buf,
            offset,
            dim,
            stride,
            rows,
        })
    }

    /// A padded copy of `m` (`rows x dim`, row-major).
    pub fn new(m: &[f32], dim: usize, what: &str) -> Result<Self> {
        let dim = dim.max(1);
        let stride = dim.div_ceil(LINE) * LINE;
        let rows = m.len() / dim;
        let len = rows
            .checked_mul(stride)
            .and_then(|n| n.checked_add(LINE))
            .ok_or_else(|| Error::invalid(format!("{what} is too large")))?;
        let mut buf = try_vec(len, 0.0f32, what)?;
        let offset = buf.as_ptr().align_offset(64).min(LINE - 1);
        for (r, row) in m.chunks_exact(dim).enumerate() {
            let at = offset + r * stride;
            buf[at..at + dim].copy_from_slice(row);
        }
        Ok(Self {
            buf,
            offset,
            dim,
            stride,
            rows,
        })
    }

    /// Floats from one row to the next (a multiple of 16, at least `dim`).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The raw view handed to the training threads. The caller must not use `self` again (read
    /// it, move it, drop it) until every thread holding the view has ended.
    pub fn rows(&mut self) -> SharedRows {
        // `as_mut_ptr` on the Vec does not create a reference to the buffer; `wrapping_add`
        // stays inside it (offset < 16 <= len).
        SharedRows {
            ptr: self.buf.as_mut_ptr().wrapping_add(self.offset),
            stride: self.stride,
            rows: self.rows,
        }
    }

    /// The matrix in the plain `rows x dim` layout, compacted in place (no second buffer).
    pub fn into_vec(self) -> Vec<f32> {
        let Self {
            mut buf,
            offset,
            dim,
            stride,
            rows,
        } = self;
        // Row r moves from offset + r * stride down to r * dim (never forward: dim <= stride),
        // so walking the rows in order never overwrites a row not yet moved.
        for r in 0..rows {
            let from = offset + r * stride;
            buf.copy_within(from..from + dim, r * dim);
        }
        buf.truncate(rows * dim);
        buf.shrink_to_fit();
        buf
    }
}

/// The raw view of a [`SharedMatrix`] that training threads share.
///
/// # Safety
/// Holding a `SharedRows` is safe; dereferencing what [`SharedRows::row`] returns is the unsafe
/// part, and is sound under these invariants, which every user states at its `unsafe` block:
/// * the row index is below `rows` (vocabulary ids and tree points are checked against the
///   matrix sizes before training starts);
/// * at most `stride` floats are accessed from the start of a row, through raw pointers only;
/// * the owning [`SharedMatrix`] outlives every thread that uses the view and is not accessed
///   while they run (the engine joins all threads before it takes the matrices back).
///
/// Concurrent unsynchronised reads and writes of single `f32`s by several threads are the
/// Hogwild algorithm; they are confined to these matrices.
#[derive(Clone, Copy)]
pub struct SharedRows {
    ptr: *mut f32,
    stride: usize,
    rows: usize,
}

// SAFETY: see the type's documentation: the pointer is only dereferenced under its invariants,
// and concurrent f32 updates through it are the algorithm.
unsafe impl Send for SharedRows {}
// SAFETY: as above.
unsafe impl Sync for SharedRows {}

impl SharedRows {
    /// Pointer to row `i`. Computing it is harmless; the caller guarantees `i < rows` before
    /// dereferencing it.
    #[inline(always)]
    pub fn row(self, i: usize) -> *mut f32 {
        debug_assert!(i < self.rows, "row {i} of {}", self.rows);
        self.ptr.wrapping_add(i * self.stride)
    }

    /// Number of rows.
    pub fn len(self) -> usize {
        self.rows
    }

    pub fn is_empty(self) -> bool {
        self.rows == 0
    }

    /// Floats from one row to the next.
    pub fn stride(self) -> usize {
        self.stride
    }
}

/// Hints the CPU to fetch a row (`n` floats) into the cache.
#[inline(always)]
pub fn prefetch_row(p: *const f32, n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let mut k = 0;
        while k < n {
            // SAFETY: prefetch never faults, whatever the address; it stays inside (or one line
            // past) the row.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(k).cast::<i8>()) };
            k += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, n);
}

/// A thread-private copy of rows `start..start + rows` of a shared matrix, merged into it every
/// `every` steps (see [`PrivateRows::tick`]).
///
/// Some rows are written by every step of every thread (the inner nodes next to the root of
/// hierarchical softmax's Huffman tree: every path goes through them). With plain Hogwild the
/// cores then spend their time passing those cache lines back and forth. Each thread instead
/// trains its own copy and, every `every` steps, adds what it learned since the last merge
/// (`local - snapshot`) to the shared rows and reads them back. The merge holds `lock` (one per
/// shared matrix, taken once every few hundred steps), so no thread's change is lost, and the
/// shared hot rows are written by merges only. [`PrivateRows::merge`] must also run when a
/// thread stops early, or its last changes are lost (the engine's `Worker::finish` does it).
pub struct PrivateRows<'a> {
    shared: SharedRows,
    lock: &'a Mutex<()>,
    /// First private row (`usize::MAX`: none, the disabled case).
    start: usize,
    rows: usize,
    stride: usize,
    /// Owns the private rows; accessed only through `local` (derived once, so the pointers
    /// handed out by `row` are never invalidated by a reference to the buffer).
    _local_buf: Vec<f32>,
    local: *mut f32,
    /// The shared rows as last read (private: accessed through slices only, no raw pointer).
    snapshot: Vec<f32>,
    since_sync: usize,
    every: usize,
}

impl<'a> PrivateRows<'a> {
    /// No private rows: [`PrivateRows::row`] always answers the shared row.
    pub fn disabled(shared: SharedRows, lock: &'a Mutex<()>) -> Self {
        Self {
            shared,
            lock,
            start: usize::MAX,
            rows: 0,
            stride: shared.stride(),
            _local_buf: Vec::new(),
            local: std::ptr::null_mut(),
            snapshot: Vec::new(),
            since_sync: 0,
            every: usize::MAX,
        }
    }

    /// Private copies of the last `rows` rows of `shared` (the hot ones), merged every `every`
    /// ticks under `lock`.
    pub fn last_rows(
        shared: SharedRows,
        lock: &'a Mutex<()>,
        rows: usize,
        every: usize,
    ) -> Result<Self> {
        let rows = rows.min(shared.len());
        if rows == 0 {
            return Ok(Self::disabled(shared, lock));
        }
        let stride = shared.stride();
        let mut local_buf = try_vec(rows * stride, 0.0f32, "private matrix rows")?;
        let local = local_buf.as_mut_ptr();
        let mut hot = Self {
            shared,
            lock,
            start: shared.len() - rows,
            rows,
            stride,
            _local_buf: local_buf,
            local,
            snapshot: try_vec(rows * stride, 0.0f32, "private matrix rows")?,
            since_sync: 0,
            every: every.max(1),
        };
        let _guard = hot.lock.lock().unwrap_or_else(PoisonError::into_inner);
        hot.pull();
        Ok(hot)
    }

    pub fn enabled(&self) -> bool {
        self.rows > 0
    }

    /// The row to train for row `i` of the shared matrix: the private copy when it is hot.
    /// Dereferencing needs `i < shared.len()` (as for [`SharedRows::row`]).
    #[inline(always)]
    pub fn row(&self, i: usize) -> *mut f32 {
        if i >= self.start {
            // i - start < rows, so the row is inside the private buffer.
            self.local.wrapping_add((i - self.start) * self.stride)
        } else {
            self.shared.row(i)
        }
    }

    /// Reads the shared hot rows into the private copy and the snapshot. The caller holds the
    /// lock.
    fn pull(&mut self) {
        for r in 0..self.rows {
            let shared = self.shared.row(self.start + r);
            let at = r * self.stride;
            for k in 0..self.stride {
                // SAFETY: start + r < shared.len() and k < stride: inside the shared matrix
                // (SharedRows invariants); at + k < rows * stride: inside the private buffer,
                // reached only through `local`. Other threads write these shared rows only in
                // `merge`, under the lock we hold.
                unsafe {
                    let v = *shared.add(k);
                    *self.local.add(at + k) = v;
                    self.snapshot[at + k] = v;
                }
            }
        }
    }

    /// Adds what this thread learned since the last merge to the shared rows, then reads them
    /// back (under the lock: concurrent merges would lose each other's changes).
    pub fn merge(&mut self) {
        if !self.enabled() {
            return;
        }
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        for r in 0..self.rows {
            let shared = self.shared.row(self.start + r);
            let at = r * self.stride;
            for k in 0..self.stride {
                // SAFETY: as in `pull`.
                unsafe {
                    let delta = *self.local.add(at + k) - self.snapshot[at + k];
                    *shared.add(k) += delta;
                }
            }
        }
        self.pull();
        self.since_sync = 0;
    }

    /// Counts one step and merges every `every` steps.
    #[inline(always)]
    pub fn tick(&mut self) {
        if self.enabled() {
            self.since_sync += 1;
            if self.since_sync >= self.every {
                self.merge();
            }
        }
    }
}

#[cfg(test)]
// The values compared are sums of small integers, exact in f32.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn padding_round_trips() {
        let m: Vec<f32> = (0..3 * 20).map(|x| x as f32).collect();
        let mut owned = m.clone();
        let mut s = SharedMatrix::take(&mut owned, 20, "m").unwrap();
        assert!(owned.is_empty());
        assert_eq!(s.stride(), 32);
        let rows = s.rows();
        assert_eq!(rows.row(1) as usize % 64, 0);
        // SAFETY: row 2 of 3, 20 < stride floats.
        assert_eq!(unsafe { *rows.row(2).add(19) }, 59.0);
        assert_eq!(s.into_vec(), m);
        let empty = SharedMatrix::new(&[], 7, "m").unwrap();
        assert!(empty.into_vec().is_empty());
    }

    #[test]
    fn allocation_failure_is_an_error() {
        let e = try_vec(usize::MAX / 8, 0.0f32, "the test matrix").unwrap_err();
        assert!(
            e.to_string()
                .contains("not enough memory for the test matrix"),
            "{e}"
        );
    }

    /// Concurrent merges used a non-atomic `+=` without a lock, so threads lost each other's
    /// changes. Every thread adds 1.0 to every hot value `steps` times; nothing may be lost.
    #[test]
    fn concurrent_merges_lose_nothing() {
        let (rows, dim, threads, merges) = (4usize, 16usize, 4usize, 2000usize);
        let mut m = SharedMatrix::new(&vec![0.0; rows * dim], dim, "m").unwrap();
        let view = m.rows();
        let lock = Mutex::new(());
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut p = PrivateRows::last_rows(view, &lock, 2, 1).unwrap();
                    for _ in 0..merges {
                        for r in 2..rows {
                            let row = p.row(r);
                            for k in 0..dim {
                                // SAFETY: r < rows, k < dim <= stride.
                                unsafe { *row.add(k) += 1.0 };
                            }
                        }
                        p.tick();
                    }
                    // The thread stops between two merges: finish must still merge.
                    let row = p.row(3);
                    // SAFETY: as above.
                    unsafe { *row += 1.0 };
                    p.merge();
                });
            }
        });
        let out = m.into_vec();
        let full = (threads * merges) as f32;
        assert!(out[..2 * dim].iter().all(|&x| x == 0.0));
        assert!(out[2 * dim..3 * dim].iter().all(|&x| x == full), "{out:?}");
        assert_eq!(out[3 * dim], full + threads as f32);
    }
}
