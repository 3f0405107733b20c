//! The Hogwild training engine shared by the embedding models.
//!
//! A model (word2vec today; `fastText` and `GloVe` are meant to plug in the same way) supplies its
//! inner loop as a [`Trainer`]: one [`Worker`] per thread that trains one sentence of word ids at
//! a given learning rate. The engine does everything else, the same way for every model:
//!
//! * **Jobs.** The corpus comes from a [`Source`]: encoded word ids held in memory, or files read
//!   again for every epoch by a reader thread. Either way it is cut, in corpus order, into blocks
//!   of about 10,000 words that threads take from a shared queue ([`super::jobs`]), so every epoch
//!   walks the corpus front to back whatever the thread count, and with one thread the order is
//!   simply the corpus, epoch after epoch.
//! * **Learning rate.** `alpha_now = alpha - (alpha - min_alpha) * done / total`, never below
//!   `min_alpha`, where `done` counts the words read by all threads. A thread adds the words it
//!   has read to `done` and recomputes its rate before a sentence once it has read
//!   [`REFRESH_WORDS`] words since its last refresh, and whenever it moves to a job of a new epoch
//!   (docs/word2vec.md; with one thread this is exactly the numpy reference's schedule).
//! * **Threads.** Scoped threads (joined before the call returns, so the shared matrices they
//!   write outlive them); a panic in one becomes an [`Error::Internal`] and stops the others.
//! * **Progress and cancellation.** Words trained are reported to [`Progress`]; the calling thread
//!   prints an info line twice a second and calls `on_epoch(epoch, mean_loss)` as epochs complete.
//!   Threads poll for cancellation (Ctrl-C) between sentences every [`REFRESH_WORDS`] words.
//!   On every exit, the normal one included, a worker's [`Worker::finish`] runs so that no
//!   thread-private state is lost.
//!
//! The shared weight matrices and their unsafe plumbing live in [`super::shared_matrix`]; the
//! engine never touches them, it only runs the workers that do.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::jobs::{stream_blocks, MemoryQueue, Part, Queue, StreamQueue};
use super::vocab::Vocab;
use crate::corpus::Utf8Errors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Most training threads a call may ask for: the limit every parallel call of subwordx has.
pub use crate::parallel::MAX_THREADS;

/// Words a thread reads between learning-rate refreshes (and cancellation checks).
pub const REFRESH_WORDS: u64 = 10_000;

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
pub enum Source<'a> {
    /// Sentences encoded to word ids, one part per reading thread, in corpus order.
    Memory(&'a [Part]),
    /// Files read again for every epoch and encoded with `vocab` by a reader thread.
    Stream {
        vocab: &'a Vocab,
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

/// What a worker did with one sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SentenceStats {
    /// Loss summed over the training steps (reported, not used for training).
    pub loss: f64,
    /// Training steps (the denominator of the mean loss).
    pub steps: u64,
    /// Words left after subsampling.
    pub effective: u64,
}

/// A model's per-thread inner loop.
pub trait Worker {
    /// Trains one sentence (word ids below the vocabulary size, checked by the engine's sources)
    /// at learning rate `alpha`.
    fn train_sentence(&mut self, sentence: &[u32], alpha: f32) -> SentenceStats;

    /// Called once when the thread stops, whatever the reason (the end of the corpus, an error,
    /// cancellation): hands thread-private state (such as private copies of hot rows) back to the
    /// shared matrices.
    fn finish(&mut self) {}
}

/// A model the engine can train: it makes one [`Worker`] per thread.
pub trait Trainer: Sync {
    type Worker<'w>: Worker
    where
        Self: 'w;

    /// The worker of thread `thread` (`0..threads`), made on that thread.
    fn worker(&self, thread: usize) -> Result<Self::Worker<'_>>;

    /// How many words `sentence` counts for in the learning-rate schedule and the progress
    /// (default: its length). The classifier stores an example's token count in its first entry.
    fn words(&self, sentence: &[u32]) -> u64 {
        sentence.len() as u64
    }
}

/// The settings of one engine run.
#[derive(Debug, Clone)]
pub struct RunConfig<'a> {
    pub threads: usize,
    pub epochs: u32,
    /// Vocabulary words in one epoch (sum of the counts): the schedule runs over
    /// `epochs * train_words` words.
    pub train_words: u64,
    pub alpha: f64,
    pub min_alpha: f64,
    /// The progress stage, e.g. `"training skip-gram"`.
    pub stage: &'a str,
}

/// The state every thread of a run shares (besides the model's matrices).
struct Shared<'a> {
    config: &'a RunConfig<'a>,
    /// Words to read over the whole run (at least 1).
    total_words: f64,
    done: AtomicU64,
    effective: AtomicU64,
    stop: AtomicBool,
    progress: &'a Progress,
}

impl Shared<'_> {
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

    /// Adds a thread's words since its last refresh to the shared count.
    fn add_done(&self, pending: &mut u64) {
        self.done.fetch_add(*pending, Ordering::Relaxed);
        self.progress.advance(*pending);
        *pending = 0;
    }
}

/// What a thread reports after each job.
struct JobReport {
    epoch: u32,
    loss: f64,
    steps: u64,
}

/// Starts a scoped thread; a thread the system cannot start is an [`Error::Internal`], not a
/// panic.
fn spawn<'scope, 'env, F>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    name: &str,
    f: F,
) -> Result<std::thread::ScopedJoinHandle<'scope, Result<()>>>
where
    F: FnOnce() -> Result<()> + Send + 'scope,
{
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn_scoped(s, f)
        .map_err(|e| Error::internal(format!("cannot start a thread: {e}")))
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Trains `trainer` on `source` for `config.epochs` epochs; see the module docs.
/// `on_epoch(epoch, mean_loss)` runs on the calling thread, `epoch` counting from 1.
pub fn run<T: Trainer>(
    trainer: &T,
    source: &Source<'_>,
    config: &RunConfig<'_>,
    progress: &Progress,
    on_epoch: &mut dyn FnMut(u32, f64),
) -> Result<TrainStats> {
    let start = Instant::now();
    let epochs = config.epochs;
    let threads = config.threads.clamp(1, MAX_THREADS);
    let mut stats = TrainStats {
        epoch_losses: Vec::new(),
        words: 0,
        effective_words: 0,
        seconds: 0.0,
    };
    if epochs == 0 {
        return Ok(stats);
    }
    let shared = Shared {
        config,
        total_words: (f64::from(epochs) * config.train_words as f64).max(1.0),
        done: AtomicU64::new(0),
        effective: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        progress,
    };
    progress.start_stage(
        config.stage,
        u64::from(epochs)
            * match source {
                Source::Memory(parts) => parts.iter().map(|p| part_words(trainer, p)).sum(),
                Source::Stream { .. } => config.train_words,
            },
    );
    let (tx, rx) = mpsc::channel::<JobReport>();
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
            let (q, blocks_tx) = StreamQueue::new(threads);
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
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let shared = &shared;
        let queue = &queue;
        let blocks_per_epoch = &blocks_per_epoch;
        let reader = match (source, blocks_tx) {
            (
                Source::Stream {
                    vocab,
                    paths,
                    errors,
                },
                Some(blocks_tx),
            ) => Some(spawn(s, "subwordx-reader", move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    stream_blocks(
                        vocab,
                        paths,
                        *errors,
                        epochs,
                        &blocks_tx,
                        blocks_per_epoch,
                        &|| shared.should_stop(),
                    )
                }))
                .unwrap_or_else(|p| {
                    Err(Error::internal(format!(
                        "the reading thread panicked: {}",
                        panic_message(p.as_ref())
                    )))
                });
                if r.is_err() {
                    shared.stop.store(true, Ordering::Relaxed);
                }
                r
            })),
            _ => None,
        };
        let reader = match reader {
            Some(Err(e)) => {
                // Nothing will feed the queue: the training threads must not wait for it.
                shared.stop.store(true, Ordering::Relaxed);
                queue.close();
                Some(Err(e))
            }
            other => other,
        };
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let tx = tx.clone();
                spawn(s, "subwordx-train", move || {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut worker = trainer.worker(t)?;
                        run_thread(trainer, &mut worker, shared, queue, &tx)
                    }))
                    .unwrap_or_else(|p| {
                        Err(Error::internal(format!(
                            "a training thread panicked: {}",
                            panic_message(p.as_ref())
                        )))
                    });
                    if r.is_err() {
                        shared.stop.store(true, Ordering::Relaxed);
                        queue.close();
                    }
                    r
                })
                .inspect_err(|_| {
                    shared.stop.store(true, Ordering::Relaxed);
                    queue.close();
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
                        && sums[next_epoch].2 == blocks_per_epoch[next_epoch].load(Ordering::SeqCst)
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
                let done = shared.done.load(Ordering::Relaxed);
                let rate = (done - last_done) as f64 / last_tick.elapsed().as_secs_f64();
                last_done = done;
                last_tick = Instant::now();
                progress.set_info(format!(
                    "epoch {}/{epochs} alpha {:.4} loss {last_loss:.3} words/s {:.2}M",
                    (next_epoch + 1).min(epochs as usize),
                    shared.alpha(),
                    rate / 1e6
                ));
            }
        }
        reader
            .into_iter()
            .chain(handles)
            .map(|h| {
                h?.join().unwrap_or_else(|p| {
                    Err(Error::internal(format!(
                        "a training thread panicked: {}",
                        panic_message(p.as_ref())
                    )))
                })
            })
            .collect()
    });
    // A real error (say the reader's I/O error) beats the `Interrupted` it causes in the other
    // threads.
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
    stats.words = shared.done.load(Ordering::Relaxed);
    if stats.words == 0 {
        // Only a streamed corpus gets here empty (a held one is checked up front): files with no
        // word of the vocabulary, say when training further on new text.
        return Err(Error::EmptyCorpus(
            "the corpus contains no word of the vocabulary".into(),
        ));
    }
    stats.effective_words = shared.effective.load(Ordering::Relaxed);
    stats.seconds = start.elapsed().as_secs_f64();
    progress.set_info(format!(
        "loss {last_loss:.3} words/s {:.2}M",
        stats.words as f64 / stats.seconds.max(1e-9) / 1e6
    ));
    Ok(stats)
}

/// One thread's work: jobs from the queue until none is left, then [`Worker::finish`] (also
/// when it stops early).
fn run_thread<T: Trainer, W: Worker>(
    trainer: &T,
    worker: &mut W,
    shared: &Shared<'_>,
    queue: &Queue<'_>,
    tx: &mpsc::Sender<JobReport>,
) -> Result<()> {
    let mut pending = 0u64;
    let result = train_jobs(trainer, worker, shared, queue, tx, &mut pending);
    worker.finish();
    shared.add_done(&mut pending);
    result
}

/// The words of a held part, as the trainer counts them.
fn part_words<T: Trainer>(trainer: &T, part: &Part) -> u64 {
    let mut begin = 0;
    part.ends
        .iter()
        .map(|&end| {
            let n = trainer.words(&part.ids[begin..end]);
            begin = end;
            n
        })
        .sum()
}

fn train_jobs<T: Trainer, W: Worker>(
    trainer: &T,
    worker: &mut W,
    shared: &Shared<'_>,
    queue: &Queue<'_>,
    tx: &mpsc::Sender<JobReport>,
    pending: &mut u64,
) -> Result<()> {
    let mut current_epoch = None;
    let mut alpha = 0.0f32;
    while let Some((epoch, part, sentences)) = queue.take() {
        shared.should_stop()?;
        if current_epoch != Some(epoch) {
            shared.add_done(pending);
            alpha = shared.alpha();
            current_epoch = Some(epoch);
        }
        let mut job = SentenceStats::default();
        let mut begin = if sentences.start == 0 {
            0
        } else {
            part.ends[sentences.start - 1]
        };
        for &end in &part.ends[sentences] {
            let sentence = &part.ids[begin..end];
            begin = end;
            if *pending >= REFRESH_WORDS {
                shared.add_done(pending);
                alpha = shared.alpha();
                shared.should_stop()?;
            }
            *pending += trainer.words(sentence);
            let s = worker.train_sentence(sentence, alpha);
            job.loss += s.loss;
            job.steps += s.steps;
            job.effective += s.effective;
        }
        shared.effective.fetch_add(job.effective, Ordering::Relaxed);
        // The receiver lives until every worker has ended.
        let _ = tx.send(JobReport {
            epoch,
            loss: job.loss,
            steps: job.steps,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Counts sentences; panics on the sentence `panic_at` (when set); counts `finish` calls.
    struct Counting {
        sentences: AtomicUsize,
        finished: AtomicUsize,
        panic_at: Option<usize>,
    }

    struct CountingWorker<'a>(&'a Counting);

    impl Worker for CountingWorker<'_> {
        fn train_sentence(&mut self, sentence: &[u32], _alpha: f32) -> SentenceStats {
            let n = self.0.sentences.fetch_add(1, Ordering::SeqCst);
            assert!(Some(n) != self.0.panic_at, "boom at sentence {n}");
            SentenceStats {
                loss: 1.0,
                steps: 1,
                effective: sentence.len() as u64,
            }
        }
        fn finish(&mut self) {
            self.0.finished.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl Trainer for Counting {
        type Worker<'w> = CountingWorker<'w>;
        fn worker(&self, _thread: usize) -> Result<CountingWorker<'_>> {
            Ok(CountingWorker(self))
        }
    }

    fn parts() -> Vec<Part> {
        let mut p = Part::default();
        for i in 0..30_000u32 {
            p.ids.push(i % 7);
            if i % 10 == 9 {
                p.end_sentence();
            }
        }
        vec![p]
    }

    fn config(threads: usize) -> RunConfig<'static> {
        RunConfig {
            threads,
            epochs: 2,
            train_words: 30_000,
            alpha: 0.025,
            min_alpha: 0.0001,
            stage: "test",
        }
    }

    #[test]
    fn runs_every_sentence_and_finishes_every_worker() {
        let t = Counting {
            sentences: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            panic_at: None,
        };
        let parts = parts();
        let mut epochs = Vec::new();
        let stats = run(
            &t,
            &Source::Memory(&parts),
            &config(3),
            &Progress::new(),
            &mut |e, l| epochs.push((e, l)),
        )
        .unwrap();
        assert_eq!(t.sentences.load(Ordering::SeqCst), 6_000);
        assert_eq!(t.finished.load(Ordering::SeqCst), 3);
        assert_eq!(epochs, [(1, 1.0), (2, 1.0)]);
        assert_eq!((stats.words, stats.effective_words), (60_000, 60_000));
    }

    /// A panicking worker is an `Error::Internal` (a `subwordx.errors.InternalError` in Python),
    /// the other threads stop, and every worker still finishes.
    #[test]
    fn a_panicking_worker_is_an_internal_error() {
        let t = Counting {
            sentences: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            panic_at: Some(100),
        };
        let parts = parts();
        let e = run(
            &t,
            &Source::Memory(&parts),
            &config(2),
            &Progress::new(),
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Internal(m) if m.contains("boom at sentence 100")),
            "{e}"
        );
        // The panicking worker unwinds past its finish; the other one finishes.
        assert_eq!(t.finished.load(Ordering::SeqCst), 1);
        assert!(t.sentences.load(Ordering::SeqCst) < 6_000);
    }

    #[test]
    fn cancellation_still_finishes_workers() {
        let t = Counting {
            sentences: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            panic_at: None,
        };
        let parts = parts();
        let progress = Progress::new();
        progress.cancel();
        let e = run(
            &t,
            &Source::Memory(&parts),
            &config(2),
            &progress,
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(matches!(e, Error::Interrupted));
        assert_eq!(t.finished.load(Ordering::SeqCst), 2);
    }
}
