//! How training threads get their work: blocks of about [`JOB_WORDS`] words, in corpus order,
//! epoch after epoch.
//!
//! Two sources give the same blocks in the same order:
//!
//! * [`MemoryQueue`]: the corpus is encoded once to word ids (4 bytes per vocabulary word) and cut
//!   into blocks; threads take the next block from a shared counter. Fastest: epochs never touch
//!   the file system or the hash map again.
//! * [`StreamQueue`]: a reader thread reads the files again for every epoch, encodes one block at
//!   a time and hands it over through a bounded channel (a few blocks per training thread), so
//!   memory stays a few megabytes whatever the corpus size, as word2vec.c and gensim's
//!   `corpus_file` mode do. It costs the reader's time: one core reads and hashes while the others
//!   train.
//!
//! With one training thread both give exactly the same sentences in the same blocks, so a streamed
//! run and an in-memory run with the same seed give the same vectors bit for bit
//! (`tests/test_word2vec.py` checks it).

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use super::vocab::Vocab;
use crate::corpus::files::whole_files;
use crate::corpus::words::{read_ranges, WordSink};
use crate::corpus::Utf8Errors;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Words per block: large enough that taking a block costs nothing, small enough that threads stay
/// close to each other in the corpus (gensim batches 10,000 words per job too).
pub const JOB_WORDS: usize = 10_000;

/// Blocks the reader may hold ready per training thread (gensim queues 2 jobs per worker).
const QUEUED_PER_THREAD: usize = 2;

/// Encoded sentences: word ids, and sentences as end offsets into `ids` (empty sentences are not
/// recorded).
#[derive(Debug, Default, Clone)]
pub struct Part {
    pub ids: Vec<u32>,
    pub ends: Vec<usize>,
}

impl Part {
    /// Ends the current sentence (nothing happens when it is empty).
    pub fn end_sentence(&mut self) {
        let n = self.ids.len();
        if self.ends.last().copied().unwrap_or(0) < n {
            self.ends.push(n);
        }
    }
}

/// Encodes words to vocabulary ids, dropping unknown words (the sink of a corpus reader).
pub struct Encoder<'a> {
    pub vocab: &'a Vocab,
    pub part: Part,
}

impl WordSink for Encoder<'_> {
    #[inline]
    fn word(&mut self, word: &str) -> Result<()> {
        if let Some(&id) = self.vocab.index.get(word) {
            let ids = &mut self.part.ids;
            if ids.len() == ids.capacity() {
                // The corpus decides how large this grows: an error, not an abort, when memory
                // runs out (`CorpusMode::Stream` keeps it small).
                ids.try_reserve(ids.len().max(1 << 16)).map_err(|_| {
                    Error::invalid(format!(
                        "not enough memory to hold the corpus as word ids ({} ids read); \
                         train with stream=True (CLI: --stream)",
                        ids.len()
                    ))
                })?;
            }
            ids.push(id);
        }
        Ok(())
    }
    fn end_sentence(&mut self) -> Result<()> {
        self.part.end_sentence();
        Ok(())
    }
}

/// A block of consecutive sentences of one in-memory part.
#[derive(Debug, Clone, Copy)]
struct Job {
    part: usize,
    /// Range of sentence indices (into `Part::ends`).
    first: usize,
    last: usize,
}

/// One unit of work: an epoch, the part holding the sentences, and which of its sentences.
pub type Block<'a> = (u32, Cow<'a, Part>, Range<usize>);

/// Where training threads take their blocks from.
pub enum Queue<'a> {
    Memory(MemoryQueue<'a>),
    Stream(StreamQueue),
}

impl Queue<'_> {
    /// The next block to train, or `None` when the corpus has been walked `epochs` times (or the
    /// queue was closed).
    pub fn take(&self) -> Option<Block<'_>> {
        match self {
            Queue::Memory(q) => q.take(),
            Queue::Stream(q) => q.take(),
        }
    }

    /// Stops handing out blocks (a training thread failed or was interrupted); unblocks a reader
    /// waiting to hand over a block.
    pub fn close(&self) {
        match self {
            Queue::Memory(q) => q.next.store(q.total, Ordering::Relaxed),
            Queue::Stream(q) => {
                if let Ok(mut rx) = q.rx.lock() {
                    *rx = None;
                }
            }
        }
    }
}

/// The blocks of an in-memory corpus, for all epochs: block `j` is block `j % B` of epoch `j / B`
/// (B blocks per epoch). Every epoch thus walks the corpus front to back whatever the thread count
/// (as gensim's job queue does), and with one thread the order is exactly the corpus order.
pub struct MemoryQueue<'a> {
    jobs: Vec<Job>,
    parts: &'a [Part],
    next: AtomicUsize,
    total: usize,
}

impl<'a> MemoryQueue<'a> {
    /// Cuts `parts`, in corpus order, into blocks of about [`JOB_WORDS`] words (whole sentences).
    pub fn new(parts: &'a [Part], epochs: u32) -> Self {
        let mut jobs = Vec::new();
        for (p, part) in parts.iter().enumerate() {
            let mut first = 0;
            let mut begin = 0;
            for (i, &end) in part.ends.iter().enumerate() {
                if end - begin >= JOB_WORDS || i + 1 == part.ends.len() {
                    jobs.push(Job {
                        part: p,
                        first,
                        last: i + 1,
                    });
                    first = i + 1;
                    begin = end;
                }
            }
        }
        let total = jobs.len() * epochs as usize;
        MemoryQueue {
            jobs,
            parts,
            next: AtomicUsize::new(0),
            total,
        }
    }

    /// Blocks per epoch.
    pub fn per_epoch(&self) -> usize {
        self.jobs.len()
    }

    fn take(&self) -> Option<Block<'a>> {
        let j = self.next.fetch_add(1, Ordering::Relaxed);
        if j >= self.total {
            return None;
        }
        let job = self.jobs[j % self.jobs.len()];
        Some((
            (j / self.jobs.len()) as u32,
            Cow::Borrowed(&self.parts[job.part]),
            job.first..job.last,
        ))
    }
}

/// Blocks read from the files for every epoch by [`stream_blocks`], received through a bounded
/// channel.
pub struct StreamQueue {
    rx: Mutex<Option<mpsc::Receiver<(u32, Part)>>>,
}

impl StreamQueue {
    /// The queue and the sender that [`stream_blocks`] fills; `threads` training threads.
    pub fn new(threads: usize) -> (Self, mpsc::SyncSender<(u32, Part)>) {
        let (tx, rx) = mpsc::sync_channel(QUEUED_PER_THREAD * threads.max(1));
        (
            StreamQueue {
                rx: Mutex::new(Some(rx)),
            },
            tx,
        )
    }

    fn take(&self) -> Option<Block<'static>> {
        // Holding the lock while waiting is fine: a thread that cannot get a block has nothing
        // else to do, and the reader never waits on this lock.
        let rx = self.rx.lock().ok()?;
        let (epoch, part) = rx.as_ref()?.recv().ok()?;
        let n = part.ends.len();
        Some((epoch, Cow::Owned(part), 0..n))
    }
}

/// Hands the blocks it encodes to the training threads.
struct BlockSender<'a> {
    encoder: Encoder<'a>,
    epoch: u32,
    tx: &'a mpsc::SyncSender<(u32, Part)>,
    sent: usize,
    should_stop: &'a (dyn Fn() -> Result<()> + Sync),
}

impl BlockSender<'_> {
    fn send(&mut self) -> Result<()> {
        (self.should_stop)()?;
        let part = std::mem::take(&mut self.encoder.part);
        // The receiver is gone only when training stopped early.
        self.tx
            .send((self.epoch, part))
            .map_err(|_| Error::Interrupted)?;
        self.sent += 1;
        Ok(())
    }
}

impl WordSink for BlockSender<'_> {
    #[inline]
    fn word(&mut self, word: &str) -> Result<()> {
        self.encoder.word(word)
    }
    fn end_sentence(&mut self) -> Result<()> {
        self.encoder.end_sentence()?;
        // The cut rule of `MemoryQueue::new`: a block ends with the first sentence that brings it
        // to JOB_WORDS words.
        if self.encoder.part.ids.len() >= JOB_WORDS {
            self.send()?;
        }
        Ok(())
    }
}

/// The reader of a streamed run: reads `paths` `epochs` times, in order, and sends each epoch's
/// blocks. Before the last block of epoch `e` is sent, `blocks_per_epoch[e]` is set to the number
/// of blocks of that epoch (so an epoch is known to be complete when that many were trained).
/// `should_stop` is polled before every block.
pub fn stream_blocks(
    vocab: &Vocab,
    paths: &[PathBuf],
    errors: Utf8Errors,
    epochs: u32,
    tx: &mpsc::SyncSender<(u32, Part)>,
    blocks_per_epoch: &[AtomicUsize],
    should_stop: &(dyn Fn() -> Result<()> + Sync),
) -> Result<()> {
    let ranges = whole_files(paths)?;
    // Progress is counted in trained words by the training threads; the reader's own counter
    // (bytes) is not shown.
    let quiet = Progress::new();
    for epoch in 0..epochs {
        let mut sender = BlockSender {
            encoder: Encoder {
                vocab,
                part: Part::default(),
            },
            epoch,
            tx,
            sent: 0,
            should_stop,
        };
        read_ranges(&ranges, errors, &quiet, &mut sender)?;
        let last = !sender.encoder.part.ids.is_empty();
        blocks_per_epoch[epoch as usize].store(sender.sent + usize::from(last), Ordering::SeqCst);
        if last {
            sender.send()?;
        }
    }
    Ok(())
}
