//! `GloVe`'s co-occurrence counts, on all cores, in bounded memory (docs/glove.md §2).
//!
//! **What is counted.** The corpus is read as word2vec reads it ([`crate::corpus::words`]: whitespace
//! words; a line is a sentence). Words outside the vocabulary are dropped *before* windows are
//! formed, and a line break (or the end of a file) resets the window, exactly as the C reference's
//! `cooccur` does (`get_word` returns the newline as a document end; OOV words never enter its
//! history). Unlike word2vec, the 10,000-word cut of very long lines does not reset the window: a
//! text8-style corpus (one line) gets the same counts as `cooccur`. For every vocabulary word `b`
//! and every earlier word `a` of the same line at most `window` vocabulary words before it
//! (distance `d = 1..=window`), `X[a][b] += 1/d`; with `symmetric` also `X[b][a] += 1/d`.
//!
//! **Exact sums.** The weights are added as integers: with `S = lcm(1..=window)` (when that is at
//! most 2^32; else `S = 2^32`) a weight is `S / d` (rounded to the nearest integer in the second
//! case), summed in `u64` (saturating). Integer addition is associative, so the table does not
//! depend on the order of the additions: one thread, many threads, in memory or spilled and
//! merged, and the numpy reference all give bit-identical values `x = (sum as f64 / S) as f32`.
//! (C `cooccur` adds doubles in corpus order, so its last bits depend on the order.)
//!
//! **Parallel.** The files are cut into one byte range per thread ([`crate::corpus::words::split_ranges`]);
//! each thread counts the pairs inside its range into its own hash table. A range may start in the
//! middle of a line: each thread also keeps the first `window` vocabulary words it read before its
//! first line break (its *head*) and the last `window` it read after its last one (its *tail*),
//! and the pairs that straddle a cut are added afterwards from the tails and heads, so the table
//! is exactly that of one sequential pass.
//!
//! **Bounded memory.** `memory` bytes are shared by the threads' tables (16 bytes per bucket of
//! the hash table, at most 3/4 full, plus the dense block of the most frequent words' pairs). A
//! table that would grow past its share is *spilled*: its entries are sorted by `(row, column)`
//! in place and written to a file in a private temporary folder, and the table starts again
//! empty. At the end the remaining tables
//! become sorted runs too, and all runs (in memory and on disk) are merged in one k-way merge
//! (several rounds when there are more than [`MERGE_FANIN`] files), adding equal keys. The result
//! is the same as without spilling (the test `spilled_equals_in_memory`). The folder is removed
//! when counting ends, whatever the outcome (success, error, Ctrl-C, panic): it is owned by a
//! guard whose `Drop` deletes it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use super::shared_matrix::try_vec;
use super::vocab::Vocab;
use crate::corpus::words::{read_range, split_ranges, WordSink};
use crate::corpus::{total_bytes, FileRange, Utf8Errors};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Largest `window` (words to each side).
pub const MAX_WINDOW: usize = 10_000;
/// Smallest `memory` a thread's table may have (bytes): below it nothing useful fits.
pub const MIN_MEMORY_PER_THREAD: u64 = 64 << 10;
/// Default `memory`: 512 MiB for the counting tables of all threads together (gcide's 18 M
/// cells spill a few runs at this size, which costs a second or two and keeps the peak well below
/// C `GloVe`'s).
pub const DEFAULT_MEMORY: u64 = 512 << 20;
/// Most runs merged at once (open files); more are merged in rounds.
pub const MERGE_FANIN: usize = 64;
/// Bytes of one entry of a spill file: the key (`row << 32 | column`) and the sum, little-endian.
const RECORD: usize = 16;
/// The pairs of the most frequent words are counted in a dense `D x D` array per thread, with
/// `D` at most this (8 MiB of sums; at most half a thread's `memory`): on English text about half
/// of all additions land there, at one array index instead of a hash lookup.
const DENSE_WORDS: usize = 1024;

/// One cell of the co-occurrence matrix: `x` is `X[row][col]` (word ids in vocabulary order).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Entry {
    pub row: u32,
    pub col: u32,
    pub x: f32,
}

/// How co-occurrences are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooccurConfig {
    /// Context words on each side (left only when not `symmetric`).
    pub window: usize,
    pub symmetric: bool,
    /// Bytes the counting tables of all threads may take together (see the module docs).
    pub memory: u64,
    pub threads: usize,
    /// Where the spill folder is made (`None`: the system's temporary folder).
    pub tmp_dir: Option<PathBuf>,
}

impl Default for CooccurConfig {
    fn default() -> Self {
        Self {
            window: 10,
            symmetric: true,
            memory: DEFAULT_MEMORY,
            threads: 1,
            tmp_dir: None,
        }
    }
}

impl CooccurConfig {
    pub fn validate(&self) -> Result<()> {
        if self.window == 0 || self.window > MAX_WINDOW {
            return Err(Error::invalid(format!(
                "window must be between 1 and {MAX_WINDOW}, not {}",
                self.window
            )));
        }
        if self.threads == 0 || self.threads > super::engine::MAX_THREADS {
            return Err(Error::invalid(format!(
                "threads must be between 1 and {}, not {}",
                super::engine::MAX_THREADS,
                self.threads
            )));
        }
        let least = MIN_MEMORY_PER_THREAD * self.threads as u64;
        if self.memory < least {
            return Err(Error::invalid(format!(
                "memory must be at least {least} bytes ({} KiB per thread x {} threads) to hold \
                 any co-occurrences, not {}",
                MIN_MEMORY_PER_THREAD >> 10,
                self.threads,
                self.memory
            )));
        }
        Ok(())
    }
}

/// The fixed-point scale and the weight of each distance (`weights[d - 1]` for distance `d`).
pub fn weights(window: usize) -> (u64, Vec<u64>) {
    let mut scale: u64 = 1;
    let mut exact = true;
    for d in 1..=window as u64 {
        let g = gcd(scale, d);
        match (scale / g).checked_mul(d) {
            Some(l) if l <= 1 << 32 => scale = l,
            _ => {
                exact = false;
                break;
            }
        }
    }
    if !exact {
        scale = 1 << 32;
    }
    let w = (1..=window as u64)
        .map(|d| {
            if exact {
                scale / d
            } else {
                (scale + d / 2) / d
            }
        })
        .collect();
    (scale, w)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The value of a summed cell.
#[inline]
fn value(sum: u64, scale: u64) -> f32 {
    (sum as f64 / scale as f64) as f32
}

#[inline]
fn key(row: u32, col: u32) -> u64 {
    (u64::from(row) << 32) | u64::from(col)
}

/// A hash table of `(key, sum)` pairs: open addressing, linear probing, a power-of-two number of
/// buckets at most 3/4 full, multiplicative (Fibonacci) hashing of the whole key. Written here
/// rather than taken from `std` for two things counting needs: the bucket of a key can be
/// prefetched before it is probed (a word's additions are hashed first, their buckets fetched
/// together, then added), and a spill sorts the entries in place inside the table's own buffer.
struct Table {
    /// `EMPTY` keys mark free buckets (no key reaches it: ids are below 2^32 - 1).
    slots: Vec<(u64, u64)>,
    shift: u32,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

impl Table {
    fn new(buckets: usize) -> Result<Self> {
        let buckets = buckets.next_power_of_two().max(16);
        Ok(Self {
            slots: try_vec(buckets, (EMPTY, 0u64), "the co-occurrence table")?,
            shift: 64 - buckets.trailing_zeros(),
            len: 0,
        })
    }

    fn bytes(&self) -> u64 {
        (self.slots.len() * RECORD) as u64
    }

    #[inline]
    fn home(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn prefetch(&self, k: u64) {
        let p = self.slots.as_ptr().wrapping_add(self.home(k));
        super::shared_matrix::prefetch_row(p.cast::<f32>(), 1);
    }

    /// Adds `w` to `k`'s sum. `false` when `k` is new and the table is full (nothing added).
    #[inline]
    fn add(&mut self, k: u64, w: u64) -> bool {
        let mask = self.slots.len() - 1;
        let full = (self.len + 1) * 4 > self.slots.len() * 3;
        let mut i = self.home(k);
        loop {
            let slot = &mut self.slots[i];
            if slot.0 == k {
                slot.1 = slot.1.saturating_add(w);
                return true;
            }
            if slot.0 == EMPTY {
                if full {
                    return false;
                }
                *slot = (k, w);
                self.len += 1;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the buckets.
    fn grow(&mut self) -> Result<()> {
        let mut bigger = Table::new(self.slots.len() * 2)?;
        for &(k, v) in &self.slots {
            if k != EMPTY {
                bigger.add(k, v);
            }
        }
        *self = bigger;
        Ok(())
    }

    /// Moves the entries to the front of the buffer, sorted by key; returns them.
    fn sort_in_place(&mut self) -> &[(u64, u64)] {
        let mut n = 0;
        for i in 0..self.slots.len() {
            if self.slots[i].0 != EMPTY {
                self.slots.swap(n, i);
                n += 1;
            }
        }
        let entries = &mut self.slots[..n];
        entries.sort_unstable_by_key(|e| e.0);
        entries
    }

    fn clear(&mut self) {
        self.slots.fill((EMPTY, 0));
        self.len = 0;
    }

    /// The entries sorted by key, in the table's own buffer.
    fn into_sorted(mut self) -> Vec<(u64, u64)> {
        let n = self.sort_in_place().len();
        self.slots.truncate(n);
        self.slots
    }
}

/// The private folder of spill files, deleted (with its files) when dropped.
struct SpillDir {
    path: PathBuf,
    files: AtomicU64,
}

impl SpillDir {
    fn new(base: Option<&Path>) -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = base.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let path = base.join(format!(
            "subwordx-glove-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Self {
            path,
            files: AtomicU64::new(0),
        })
    }

    fn new_file(&self) -> PathBuf {
        let n = self.files.fetch_add(1, Ordering::Relaxed);
        self.path.join(format!("run-{n:06}.bin"))
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A sorted run of `(key, sum)`: held in memory or written to a spill file.
enum Run {
    Memory(Vec<(u64, u64)>),
    File(PathBuf),
}

/// Writes a sorted run to a new file of `dir`.
fn write_run(dir: &SpillDir, entries: impl Iterator<Item = (u64, u64)>) -> Result<PathBuf> {
    let path = dir.new_file();
    let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut w = BufWriter::with_capacity(1 << 16, f);
    for (k, v) in entries {
        let mut rec = [0u8; RECORD];
        rec[..8].copy_from_slice(&k.to_le_bytes());
        rec[8..].copy_from_slice(&v.to_le_bytes());
        w.write_all(&rec).map_err(|e| Error::io(&path, e))?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Reads a run front to back.
enum RunReader {
    Memory(std::vec::IntoIter<(u64, u64)>),
    File(BufReader<File>, PathBuf),
}

impl RunReader {
    fn open(run: Run) -> Result<Self> {
        Ok(match run {
            Run::Memory(v) => RunReader::Memory(v.into_iter()),
            Run::File(p) => {
                let f = File::open(&p).map_err(|e| Error::io(&p, e))?;
                RunReader::File(BufReader::with_capacity(1 << 16, f), p)
            }
        })
    }

    fn next(&mut self) -> Result<Option<(u64, u64)>> {
        match self {
            RunReader::Memory(it) => Ok(it.next()),
            RunReader::File(r, p) => {
                let mut rec = [0u8; RECORD];
                match r.read_exact(&mut rec) {
                    Ok(()) => {
                        let k = u64::from_le_bytes(rec[..8].try_into().unwrap_or([0; 8]));
                        let v = u64::from_le_bytes(rec[8..].try_into().unwrap_or([0; 8]));
                        Ok(Some((k, v)))
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                    Err(e) => Err(Error::io(p.as_path(), e)),
                }
            }
        }
    }
}

/// Merges sorted runs, adding the sums of equal keys, and hands every merged cell to `out` in
/// key order. `progress` is polled every 64 Ki cells.
fn merge_runs(
    runs: Vec<Run>,
    progress: &Progress,
    out: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let mut readers = runs
        .into_iter()
        .map(RunReader::open)
        .collect::<Result<Vec<_>>>()?;
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some((k, v)) = r.next()? {
            heap.push(Reverse((k, i, v)));
        }
    }
    let mut current: Option<(u64, u64)> = None;
    let mut n = 0u64;
    while let Some(Reverse((k, i, v))) = heap.pop() {
        current = match current {
            Some((ck, cv)) if ck == k => Some((ck, cv.saturating_add(v))),
            Some((ck, cv)) => {
                out(ck, cv)?;
                n += 1;
                if n % (1 << 16) == 0 {
                    progress.check()?;
                }
                Some((k, v))
            }
            None => Some((k, v)),
        };
        if let Some((k2, v2)) = readers[i].next()? {
            heap.push(Reverse((k2, i, v2)));
        }
    }
    if let Some((ck, cv)) = current {
        out(ck, cv)?;
    }
    Ok(())
}

/// One thread's counter: its hash table, the spills it made, and the head and tail of its range.
struct Counter<'a> {
    vocab: &'a Vocab,
    weights: &'a [u64],
    symmetric: bool,
    table: Table,
    /// The additions of the current word (keys and weights), hashed and prefetched together.
    batch: Vec<(u64, u64)>,
    /// Sums of the pairs of ids below `dense_words`, row-major.
    dense: Vec<u64>,
    dense_words: usize,
    /// Bytes the table may take, spill scratch included.
    budget: u64,
    dir: &'a SpillDir,
    spills: Vec<PathBuf>,
    /// The last (up to) `window` vocabulary ids since the last line break, oldest first.
    history: Vec<u32>,
    /// Where the next id goes in `history` once it is full (a ring).
    ring: usize,
    /// The first (up to) `window` ids read before this part's first line break.
    head: Vec<u32>,
    saw_break: bool,
}

impl<'a> Counter<'a> {
    fn new(
        vocab: &'a Vocab,
        weights: &'a [u64],
        symmetric: bool,
        budget: u64,
        dir: &'a SpillDir,
    ) -> Result<Self> {
        // Half the budget at most: sqrt(budget / 2 / 8) words.
        let fit = ((budget / 16) as f64).sqrt() as usize;
        let dense_words = DENSE_WORDS.min(vocab.len()).min(fit);
        let dense_bytes = (dense_words * dense_words * 8) as u64;
        let rest = budget - dense_bytes;
        // The largest power of two of buckets that fits, at most 4096 to start with.
        let start = ((rest / RECORD as u64).max(16) as usize + 1).next_power_of_two() / 2;
        Ok(Self {
            vocab,
            weights,
            symmetric,
            table: Table::new(start.min(4096))?,
            batch: Vec::with_capacity(2 * weights.len()),
            dense: try_vec(
                dense_words * dense_words,
                0u64,
                "the dense co-occurrence block",
            )?,
            dense_words,
            budget: budget - dense_bytes,
            dir,
            spills: Vec::new(),
            history: Vec::with_capacity(weights.len()),
            ring: 0,
            head: Vec::new(),
            saw_break: false,
        })
    }

    /// Adds one pair: to the dense block, or to the batch of the current word.
    #[inline]
    fn add(&mut self, row: u32, col: u32, w: u64) {
        let d = self.dense_words;
        if (row as usize) < d && (col as usize) < d {
            let cell = &mut self.dense[row as usize * d + col as usize];
            *cell = cell.saturating_add(w);
        } else {
            let k = key(row, col);
            self.table.prefetch(k);
            self.batch.push((k, w));
        }
    }

    /// Adds the batch to the table, growing it while it fits in the budget, else spilling it.
    fn flush(&mut self) -> Result<()> {
        let mut batch = std::mem::take(&mut self.batch);
        for &(k, w) in &batch {
            while !self.table.add(k, w) {
                if self.table.bytes() * 2 <= self.budget {
                    self.table.grow()?;
                } else {
                    self.spill()?;
                }
            }
        }
        batch.clear();
        self.batch = batch;
        Ok(())
    }

    /// Writes the table, sorted, to a spill file and empties it (keeping its buffer).
    fn spill(&mut self) -> Result<()> {
        if self.table.len == 0 {
            return Ok(());
        }
        let run = self.table.sort_in_place();
        self.spills.push(write_run(self.dir, run.iter().copied())?);
        self.table.clear();
        Ok(())
    }

    fn push_history(&mut self, id: u32) {
        let w = self.weights.len();
        if self.history.len() < w {
            self.history.push(id);
        } else {
            self.history[self.ring] = id;
            self.ring = (self.ring + 1) % w;
        }
    }

    /// The history, oldest first.
    fn history_in_order(&self) -> Vec<u32> {
        let mut h = self.history[self.ring..].to_vec();
        h.extend_from_slice(&self.history[..self.ring]);
        h
    }

    fn count_word(&mut self, id: u32) -> Result<()> {
        let n = self.history.len();
        let w = self.weights.len();
        // The newest history entry sits just before `ring` (or at the end while filling up).
        for d in 1..=n {
            let at = if n < w {
                n - d
            } else {
                (self.ring + w - d) % w
            };
            let ctx = self.history[at];
            let weight = self.weights[d - 1];
            self.add(ctx, id, weight);
            if self.symmetric {
                self.add(id, ctx, weight);
            }
        }
        self.flush()?;
        self.push_history(id);
        if !self.saw_break && self.head.len() < w {
            self.head.push(id);
        }
        Ok(())
    }

    fn line_break(&mut self) {
        self.history.clear();
        self.ring = 0;
        self.saw_break = true;
    }
}

impl WordSink for Counter<'_> {
    #[inline]
    fn word(&mut self, word: &str) -> Result<()> {
        if let Some(id) = self.vocab.get(word) {
            self.count_word(id)?;
        }
        Ok(())
    }
    fn end_sentence(&mut self) -> Result<()> {
        Ok(())
    }
    fn line_break(&mut self) -> Result<()> {
        Counter::line_break(self);
        Ok(())
    }
}

/// What a thread hands back: its table (or nothing when all spilled), spill files, head, tail.
struct PartResult {
    table: Option<Table>,
    /// The non-zero cells of the dense block, in key order.
    dense: Vec<(u64, u64)>,
    spills: Vec<PathBuf>,
    head: Vec<u32>,
    tail: Vec<u32>,
    saw_break: bool,
}

/// The co-occurrence table of a corpus.
#[derive(Debug, Clone, Default)]
pub struct Cooccurrences {
    /// Sorted by `(row, col)`; every `x > 0`.
    pub entries: Vec<Entry>,
    /// Spill files written while counting (0 when the tables fit in `memory`).
    pub spilled_runs: usize,
}

/// Counts the co-occurrences of `paths` over `vocab` (see the module docs).
pub fn count_files(
    paths: &[PathBuf],
    vocab: &Vocab,
    config: &CooccurConfig,
    errors: Utf8Errors,
    progress: &Progress,
) -> Result<Cooccurrences> {
    let (entries, spilled_runs) = count_files_into(
        paths,
        vocab,
        config,
        errors,
        progress,
        std::mem::size_of::<Entry>() as u64,
        &mut |row, col, x| Entry { row, col, x },
    )?;
    Ok(Cooccurrences {
        entries,
        spilled_runs,
    })
}

/// [`count_files`], handing each merged cell `(row, col, x)` to `make` in `(row, col)` order and
/// collecting what it returns (`bytes_per_item` each: the size of the output, so that the tables
/// and the output together stay within `memory` where they can): a trainer builds its own
/// records without a second copy of the table. Also returns the number of spill files.
pub fn count_files_into<T>(
    paths: &[PathBuf],
    vocab: &Vocab,
    config: &CooccurConfig,
    errors: Utf8Errors,
    progress: &Progress,
    bytes_per_item: u64,
    make: &mut dyn FnMut(u32, u32, f32) -> T,
) -> Result<(Vec<T>, usize)> {
    config.validate()?;
    if paths.is_empty() {
        return Err(Error::EmptyCorpus("no input files were given".into()));
    }
    if vocab.is_empty() {
        return Err(Error::EmptyCorpus("the vocabulary has no words".into()));
    }
    let (scale, weights) = weights(config.window);
    let dir = SpillDir::new(config.tmp_dir.as_deref())?;
    progress.start_stage("counting co-occurrences", total_bytes(paths)?);
    let parts = split_ranges(paths, config.threads)?;
    let lens: Vec<(PathBuf, u64)> = paths
        .iter()
        .map(|p| {
            Ok((
                p.clone(),
                std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len(),
            ))
        })
        .collect::<Result<_>>()?;
    let budget = config.memory / config.threads as u64;
    let results: Vec<Result<PartResult>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|ranges| {
                let (weights, dir, lens) = (&weights, &dir, &lens);
                s.spawn(move || {
                    let mut c = Counter::new(vocab, weights, config.symmetric, budget, dir)?;
                    for r in ranges {
                        read_range(r, errors, progress, &mut c)?;
                        if ends_file(r, lens) {
                            c.line_break();
                        }
                    }
                    if !c.spills.is_empty() {
                        // Once a thread spilled, its rest goes to disk too: the merge then holds
                        // no table in memory.
                        c.spill()?;
                    }
                    let tail = c.history_in_order();
                    let Counter {
                        table,
                        dense,
                        dense_words: d,
                        spills,
                        head,
                        saw_break,
                        ..
                    } = c;
                    let dense = dense
                        .iter()
                        .enumerate()
                        .filter(|&(_, &v)| v > 0)
                        .map(|(at, &v)| (key((at / d) as u32, (at % d) as u32), v))
                        .collect();
                    Ok(PartResult {
                        dense,
                        table: (table.len > 0).then_some(table),
                        spills,
                        head,
                        tail,
                        saw_break,
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::internal("a co-occurrence counting thread panicked"))
                })
            })
            .collect()
    });
    let mut parts_out = Vec::with_capacity(results.len());
    for r in results {
        parts_out.push(r?);
    }
    // The pairs that straddle the cuts between consecutive parts.
    let mut straddling: FxHashMap<u64, u64> = FxHashMap::default();
    let mut left: Vec<u32> = Vec::new();
    let w = weights.len();
    for (t, part) in parts_out.iter().enumerate() {
        if t > 0 {
            for (p, &b) in part.head.iter().enumerate() {
                for (q, &a) in left.iter().rev().enumerate() {
                    let d = p + 1 + q;
                    if d > w {
                        break;
                    }
                    let weight = weights[d - 1];
                    let e = straddling.entry(key(a, b)).or_insert(0);
                    *e = e.saturating_add(weight);
                    if config.symmetric {
                        let e = straddling.entry(key(b, a)).or_insert(0);
                        *e = e.saturating_add(weight);
                    }
                }
            }
        }
        if part.saw_break {
            left.clone_from(&part.tail);
        } else {
            left.extend_from_slice(&part.tail);
            let cut = left.len().saturating_sub(w);
            left.drain(..cut);
        }
    }
    let mut spilled_runs: usize = parts_out.iter().map(|p| p.spills.len()).sum();
    // Tables still in memory are merged from there, unless they and the output would not fit
    // in `memory` together: then they go to disk first, and the merge holds only the output.
    let held: u64 = parts_out
        .iter()
        .filter_map(|p| p.table.as_ref())
        .map(|t| t.bytes() + t.len as u64 * bytes_per_item)
        .sum();
    let to_disk = held > config.memory;
    let mut runs: Vec<Run> = Vec::new();
    for part in parts_out {
        runs.extend(part.spills.into_iter().map(Run::File));
        runs.push(Run::Memory(part.dense));
        if let Some(mut table) = part.table {
            if to_disk {
                progress.check()?;
                let sorted = table.sort_in_place();
                runs.push(Run::File(write_run(&dir, sorted.iter().copied())?));
                spilled_runs += 1;
            } else {
                runs.push(Run::Memory(table.into_sorted()));
            }
        }
    }
    runs.push(Run::Memory(sorted(straddling)?));
    // Merge in rounds while there are more files than can be open at once.
    loop {
        let files = runs.iter().filter(|r| matches!(r, Run::File(_))).count();
        if files <= MERGE_FANIN {
            break;
        }
        let mut batch = Vec::with_capacity(MERGE_FANIN);
        let mut rest = Vec::with_capacity(runs.len());
        for r in runs {
            if batch.len() < MERGE_FANIN && matches!(r, Run::File(_)) {
                batch.push(r);
            } else {
                rest.push(r);
            }
        }
        let mut merged = Vec::new();
        let path = dir.new_file();
        {
            let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
            let mut out = BufWriter::with_capacity(1 << 16, f);
            merge_runs(batch, progress, &mut |k, v| {
                let mut rec = [0u8; RECORD];
                rec[..8].copy_from_slice(&k.to_le_bytes());
                rec[8..].copy_from_slice(&v.to_le_bytes());
                out.write_all(&rec).map_err(|e| Error::io(&path, e))
            })?;
            out.flush().map_err(|e| Error::io(&path, e))?;
            merged.push(Run::File(path.clone()));
        }
        rest.extend(merged);
        runs = rest;
    }
    progress.start_stage("merging co-occurrences", 0);
    let mut entries: Vec<T> = Vec::new();
    merge_runs(runs, progress, &mut |k, v| {
        if entries.len() == entries.capacity() {
            // Grow by half, not double: less slack on a table of tens of millions.
            entries
                .try_reserve_exact((entries.len() / 2).max(1 << 16))
                .map_err(|_| {
                    Error::invalid(format!(
                        "not enough memory for the co-occurrence table ({} entries of {} bytes)",
                        entries.len(),
                        bytes_per_item
                    ))
                })?;
        }
        entries.push(make((k >> 32) as u32, k as u32, value(v, scale)));
        Ok(())
    })?;
    entries.shrink_to_fit();
    drop(dir);
    if entries.is_empty() {
        return Err(Error::EmptyCorpus(
            "no two vocabulary words occur within the window of each other".into(),
        ));
    }
    Ok((entries, spilled_runs))
}

/// Does `r` reach the end of its file?
fn ends_file(r: &FileRange, lens: &[(PathBuf, u64)]) -> bool {
    lens.iter().any(|(p, len)| *p == r.path && *len == r.end)
}

/// A table's entries sorted by key (the table is freed as it is drained).
fn sorted(table: FxHashMap<u64, u64>) -> Result<Vec<(u64, u64)>> {
    let mut v: Vec<(u64, u64)> = Vec::new();
    v.try_reserve_exact(table.len()).map_err(|_| {
        Error::invalid(format!(
            "not enough memory to sort {} co-occurrences; give a smaller memory setting so that \
             counting spills to disk",
            table.len()
        ))
    })?;
    v.extend(table);
    v.sort_unstable_by_key(|e| e.0);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::vocab::VocabConfig;

    fn tmp_file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("subwordx-cooccur-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn vocab(paths: &[PathBuf]) -> Vocab {
        Vocab::build_from_files(
            paths,
            &VocabConfig {
                min_count: 1,
                ..VocabConfig::default()
            },
            Utf8Errors::Strict,
            1,
            &Progress::new(),
        )
        .unwrap()
    }

    fn table(c: &Cooccurrences, v: &Vocab) -> Vec<(String, String, f32)> {
        c.entries
            .iter()
            .map(|e| {
                (
                    v.words[e.row as usize].clone(),
                    v.words[e.col as usize].clone(),
                    e.x,
                )
            })
            .collect()
    }

    #[test]
    fn weights_are_exact_up_to_22() {
        let (s, w) = weights(10);
        assert_eq!(s, 2520);
        assert_eq!(w[..4], [2520, 1260, 840, 630]);
        let (s, _) = weights(22);
        assert_eq!(s, 232_792_560);
        let (s, w) = weights(23);
        assert_eq!(s, 1 << 32);
        assert_eq!(w[2], ((1u64 << 32) + 1) / 3);
    }

    #[test]
    fn symmetric_and_left_only_weights() {
        // OOV words are dropped before windows are formed; a line break resets the window.
        let p = tmp_file("w.txt", "a b c\nb a\n");
        let v = vocab(std::slice::from_ref(&p));
        let mut cfg = CooccurConfig {
            window: 2,
            ..CooccurConfig::default()
        };
        let c = count_files(
            std::slice::from_ref(&p),
            &v,
            &cfg,
            Utf8Errors::Strict,
            &Progress::new(),
        )
        .unwrap();
        let mut t = table(&c, &v);
        t.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        let s = |a: &str, b: &str, x: f32| (a.to_owned(), b.to_owned(), x);
        assert_eq!(
            t,
            vec![
                s("a", "b", 2.0),
                s("a", "c", 0.5),
                s("b", "a", 2.0),
                s("b", "c", 1.0),
                s("c", "a", 0.5),
                s("c", "b", 1.0)
            ]
        );
        cfg.symmetric = false;
        let c = count_files(&[p], &v, &cfg, Utf8Errors::Strict, &Progress::new()).unwrap();
        let mut t = table(&c, &v);
        t.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        // Row = the left (context) word, column = the word after it.
        assert_eq!(
            t,
            vec![
                s("a", "b", 1.0),
                s("a", "c", 0.5),
                s("b", "a", 1.0),
                s("b", "c", 1.0)
            ]
        );
    }

    fn corpus() -> String {
        use std::fmt::Write;
        let mut text = String::new();
        let mut x: u64 = 7;
        for line in 0..300 {
            for _ in 0..(line % 37) * 3 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let w = (x >> 33) % 200;
                // Zipf-ish: small ids much more often.
                let w = w * w / 200;
                let _ = write!(text, "w{w} ");
            }
            text.push('\n');
        }
        text
    }

    #[test]
    fn threads_and_spills_equal_one_pass_in_memory() {
        let p = tmp_file("z.txt", &corpus());
        let q = tmp_file("z2.txt", "w1 w2 w3");
        let paths = vec![p, q];
        let v = vocab(&paths);
        let base = CooccurConfig {
            window: 5,
            ..CooccurConfig::default()
        };
        let one = count_files(&paths, &v, &base, Utf8Errors::Strict, &Progress::new()).unwrap();
        assert_eq!(one.spilled_runs, 0);
        for threads in [2, 3, 7] {
            for memory in [DEFAULT_MEMORY, MIN_MEMORY_PER_THREAD * threads as u64] {
                let cfg = CooccurConfig {
                    memory,
                    threads,
                    ..base.clone()
                };
                let c =
                    count_files(&paths, &v, &cfg, Utf8Errors::Strict, &Progress::new()).unwrap();
                assert_eq!(c.entries, one.entries, "threads {threads} memory {memory}");
                if memory < DEFAULT_MEMORY {
                    assert!(c.spilled_runs > 0, "expected spills at memory {memory}");
                }
            }
        }
    }

    #[test]
    fn spill_folder_is_removed_on_success_and_on_cancel() {
        let base = std::env::temp_dir().join(format!("subwordx-spill-base-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        let p = tmp_file("s.txt", &corpus());
        let v = vocab(std::slice::from_ref(&p));
        let cfg = CooccurConfig {
            window: 5,
            memory: MIN_MEMORY_PER_THREAD,
            tmp_dir: Some(base.clone()),
            ..CooccurConfig::default()
        };
        let c = count_files(
            std::slice::from_ref(&p),
            &v,
            &cfg,
            Utf8Errors::Strict,
            &Progress::new(),
        )
        .unwrap();
        assert!(c.spilled_runs > 0);
        assert_eq!(std::fs::read_dir(&base).unwrap().count(), 0);
        let progress = Progress::new();
        progress.cancel();
        let e = count_files(&[p], &v, &cfg, Utf8Errors::Strict, &progress).unwrap_err();
        assert!(matches!(e, Error::Interrupted), "{e}");
        assert_eq!(std::fs::read_dir(&base).unwrap().count(), 0);
    }

    #[test]
    fn many_spill_files_merge_in_rounds() {
        // More runs than MERGE_FANIN.
        let text = (0..40_000).fold(String::new(), |mut s, i| {
            use std::fmt::Write;
            let _ = write!(s, "x{} ", (i * 7919) % 5000);
            s
        });
        let p = tmp_file("many.txt", &text);
        let v = vocab(std::slice::from_ref(&p));
        let base = CooccurConfig {
            window: 3,
            ..CooccurConfig::default()
        };
        let one = count_files(
            std::slice::from_ref(&p),
            &v,
            &base,
            Utf8Errors::Strict,
            &Progress::new(),
        )
        .unwrap();
        let small = CooccurConfig {
            memory: MIN_MEMORY_PER_THREAD,
            ..base
        };
        let c = count_files(&[p], &v, &small, Utf8Errors::Strict, &Progress::new()).unwrap();
        assert!(c.spilled_runs > MERGE_FANIN, "{}", c.spilled_runs);
        assert_eq!(c.entries, one.entries);
    }

    #[test]
    fn impossible_settings_are_errors() {
        let mut c = CooccurConfig {
            window: 0,
            ..CooccurConfig::default()
        };
        assert!(c.validate().unwrap_err().to_string().contains("window"));
        c.window = MAX_WINDOW + 1;
        assert!(c.validate().is_err());
        c.window = 5;
        c.memory = 1000;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("memory must be at least 65536"), "{e}");
    }
}
