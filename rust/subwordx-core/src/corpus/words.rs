//! Streaming whitespace-word reader over byte ranges of text files.
//!
//! A corpus is one or more files read as if concatenated; words are separated by whitespace
//! (`char::is_whitespace`), a line (`\n`) is a sentence, and every file end ends a sentence.
//! Sentences longer than [`MAX_SENTENCE_LEN`] words are cut into pieces of that many words (as
//! gensim), so memory per sentence is bounded even for one-line corpora such as text8.
//!
//! For parallel work the corpus is split with [`split_ranges`] into `T` parts of about equal size
//! in bytes; each cut point is moved forward to the next ASCII whitespace byte, so no word is split
//! (an ASCII byte never occurs inside a multi-byte UTF-8 sequence). A part may start or end in the
//! middle of a line; that piece is then a sentence of its own.
//!
//! Reading goes through the corpus's [`ChunkReader`] with whitespace boundaries (chunks of 1 MiB
//! that end after a whitespace byte; a word longer than [`MAX_LINE_BYTES`] is an error) and decodes
//! as every reader does ([`Utf8Errors`]).
//!
//! Differences from Python's `str.split()`: U+001C..U+001F are not whitespace for `char`, and a
//! lone `\r` does not end a line.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::chunks::{Boundary, ChunkReader};
use super::counts::CHUNK_BYTES;
#[cfg(doc)]
use super::files::MAX_LINE_BYTES;
use super::files::{decode, file_lens, open_file, total_bytes, FileRange, Utf8Errors};
use crate::error::{Error, Result};
use crate::parallel::MAX_THREADS;
use crate::progress::Progress;

/// Sentences are cut into pieces of at most this many words.
pub const MAX_SENTENCE_LEN: usize = 10_000;

/// Receives the words of a corpus part in order.
pub trait WordSink {
    /// One word (never empty, never containing whitespace).
    fn word(&mut self, word: &str) -> Result<()>;
    /// The current sentence ends (called also for empty sentences; sinks ignore those).
    fn end_sentence(&mut self) -> Result<()>;
    /// A `\n` was read (called right after the `end_sentence` it causes). Sentences cut at
    /// [`MAX_SENTENCE_LEN`] words or at the end of a range get no line break.
    fn line_break(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Reads `paths` split into `threads` byte ranges (cut at whitespace), one thread per range, each
/// feeding its own sink made by `make_sink`; returns the sinks in corpus order. Progress is the
/// bytes read, under `stage`; `threads` is at most [`MAX_THREADS`] (0 means 1).
/// The one way files are read in parallel here (vocabulary, phrases
/// and training all count or encode through it).
pub fn read_parallel<S, F>(
    paths: &[PathBuf],
    threads: usize,
    errors: Utf8Errors,
    progress: &Progress,
    stage: &str,
    make_sink: F,
) -> Result<Vec<S>>
where
    S: WordSink + Send,
    F: Fn() -> S + Sync,
{
    if paths.is_empty() {
        return Err(Error::EmptyCorpus("no input files were given".into()));
    }
    if threads > MAX_THREADS {
        return Err(Error::invalid(format!(
            "threads must be between 1 and {MAX_THREADS}, not {threads}"
        )));
    }
    progress.start_stage(stage, total_bytes(paths)?);
    let parts = split_ranges(paths, threads.max(1))?;
    let make_sink = &make_sink;
    let results: Vec<Result<S>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|ranges| {
                s.spawn(move || {
                    let mut sink = make_sink();
                    read_ranges(ranges, errors, progress, &mut sink)?;
                    Ok(sink)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::internal("a reading thread panicked")))
            })
            .collect()
    });
    results.into_iter().collect()
}

/// First position `>= pos` in `path` holding an ASCII whitespace byte, or the file length.
fn next_whitespace(path: &Path, pos: u64, len: u64) -> Result<u64> {
    if pos == 0 || pos >= len {
        return Ok(pos.min(len));
    }
    let mut f = open_file(path)?;
    f.seek(SeekFrom::Start(pos))
        .map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = pos;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(len);
        }
        if let Some(i) = buf[..n].iter().position(u8::is_ascii_whitespace) {
            return Ok(at + i as u64);
        }
        at += n as u64;
    }
}

/// Splits the concatenation of `paths` into `parts` contiguous pieces of about equal byte size, each
/// cut moved forward to a whitespace byte. Parts may be empty (tiny corpora).
pub fn split_ranges(paths: &[PathBuf], parts: usize) -> Result<Vec<Vec<FileRange>>> {
    let parts = parts.max(1);
    let lens = file_lens(paths)?;
    let total: u64 = lens.iter().sum();
    // Global cut positions (file index, offset), t = 1..parts.
    let mut cuts: Vec<(usize, u64)> = Vec::with_capacity(parts + 1);
    cuts.push((0, 0));
    for t in 1..parts {
        let target = (total as u128 * t as u128 / parts as u128) as u64;
        let mut acc = 0u64;
        let mut cut = (paths.len(), 0);
        for (i, &len) in lens.iter().enumerate() {
            if target < acc + len {
                cut = (i, next_whitespace(&paths[i], target - acc, len)?);
                break;
            }
            acc += len;
        }
        let prev = *cuts.last().unwrap_or(&(0, 0));
        cuts.push(cut.max(prev));
    }
    cuts.push((paths.len(), 0));
    let mut out = Vec::with_capacity(parts);
    for w in cuts.windows(2) {
        let ((f0, o0), (f1, o1)) = (w[0], w[1]);
        let mut ranges = Vec::new();
        for (f, (path, &len)) in paths.iter().zip(&lens).enumerate() {
            if f < f0 || f > f1 {
                continue;
            }
            let start = if f == f0 { o0 } else { 0 };
            let end = if f == f1 { o1 } else { len };
            if end > start {
                ranges.push(FileRange {
                    path: path.clone(),
                    start,
                    end,
                });
            }
        }
        out.push(ranges);
    }
    Ok(out)
}

/// Feeds the words of `text` (whole lines or a whitespace-cut piece) to `sink`.
fn feed_text(text: &str, sink: &mut dyn WordSink, in_sentence: &mut usize) -> Result<()> {
    let mut lines = text.split('\n');
    let mut first = true;
    for line in &mut lines {
        if !first {
            sink.end_sentence()?;
            sink.line_break()?;
            *in_sentence = 0;
        }
        first = false;
        for w in line.split_whitespace() {
            sink.word(w)?;
            *in_sentence += 1;
            if *in_sentence == MAX_SENTENCE_LEN {
                sink.end_sentence()?;
                *in_sentence = 0;
            }
        }
    }
    Ok(())
}

/// Reads one byte range and feeds its words and sentence ends to `sink`. Advances `progress` by
/// the bytes read and polls it for cancellation after every chunk.
pub fn read_range(
    range: &FileRange,
    errors: Utf8Errors,
    progress: &Progress,
    sink: &mut dyn WordSink,
) -> Result<()> {
    let mut in_sentence = 0usize;
    for chunk in ChunkReader::new(
        std::slice::from_ref(range),
        Boundary::Whitespace,
        CHUNK_BYTES,
    ) {
        progress.check()?;
        let chunk = chunk?;
        let text = decode(&chunk.bytes, errors, &range.path, chunk.offset)?;
        feed_text(&text, sink, &mut in_sentence)?;
        progress.advance(chunk.bytes.len() as u64);
    }
    sink.end_sentence()
}

/// Reads several ranges in order (one corpus part).
pub fn read_ranges(
    ranges: &[FileRange],
    errors: Utf8Errors,
    progress: &Progress,
    sink: &mut dyn WordSink,
) -> Result<()> {
    for r in ranges {
        read_range(r, errors, progress, sink)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::files::whole_files;

    #[derive(Default)]
    struct Collect(Vec<Vec<String>>, Vec<String>);
    impl WordSink for Collect {
        fn word(&mut self, w: &str) -> Result<()> {
            self.1.push(w.to_owned());
            Ok(())
        }
        fn end_sentence(&mut self) -> Result<()> {
            if !self.1.is_empty() {
                self.0.push(std::mem::take(&mut self.1));
            }
            Ok(())
        }
    }

    fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("subwordx-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn words_and_sentences() {
        let p = tmp("a.txt", "a b\u{a0}c\n\n  d\te \nf".as_bytes());
        let mut c = Collect::default();
        read_ranges(
            &whole_files(std::slice::from_ref(&p)).unwrap(),
            Utf8Errors::Strict,
            &Progress::new(),
            &mut c,
        )
        .unwrap();
        assert_eq!(c.0, vec![vec!["a", "b", "c"], vec!["d", "e"], vec!["f"]]);
    }

    #[test]
    fn split_ranges_cover_every_word_once() {
        let text: String = (0..5000).fold(String::new(), |mut s, i| {
            use std::fmt::Write;
            let _ = write!(s, "w{i} ");
            s
        });
        let p = tmp("b.txt", text.as_bytes());
        let q = tmp("c.txt", b"x y z");
        for parts in 1..6 {
            let ranges = split_ranges(&[p.clone(), q.clone()], parts).unwrap();
            assert_eq!(ranges.len(), parts);
            let mut all = Vec::new();
            for r in &ranges {
                let mut c = Collect::default();
                read_ranges(r, Utf8Errors::Strict, &Progress::new(), &mut c).unwrap();
                all.extend(c.0.into_iter().flatten());
            }
            assert_eq!(all.len(), 5003);
            assert_eq!(all[4999], "w4999");
            assert_eq!(all[5002], "z");
        }
    }

    #[test]
    fn invalid_utf8_is_located() {
        let p = tmp("bad.txt", b"ok line\nsecond \xff word\n");
        let mut c = Collect::default();
        let err = read_ranges(
            &whole_files(std::slice::from_ref(&p)).unwrap(),
            Utf8Errors::Strict,
            &Progress::new(),
            &mut c,
        )
        .unwrap_err();
        match err {
            Error::InvalidUtf8 {
                line,
                column,
                offset,
                ..
            } => {
                assert_eq!((line, column, offset), (2, 7, 15));
            }
            other => panic!("{other}"),
        }
        let mut c = Collect::default();
        read_ranges(
            &whole_files(&[p]).unwrap(),
            Utf8Errors::Replace,
            &Progress::new(),
            &mut c,
        )
        .unwrap();
        assert_eq!(c.0[1], vec!["second", "\u{fffd}", "word"]);
    }

    #[test]
    fn long_lines_are_cut() {
        let text: String = (0..25_000).map(|_| "a ").collect();
        let p = tmp("long.txt", text.as_bytes());
        let mut c = Collect::default();
        read_ranges(
            &whole_files(&[p]).unwrap(),
            Utf8Errors::Strict,
            &Progress::new(),
            &mut c,
        )
        .unwrap();
        let lens: Vec<usize> = c.0.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![10_000, 10_000, 5_000]);
    }
}
