//! Word counts: what the tokenizer trainers learn from.
//!
//! Training starts from word counts (docs/bpe.md §1): every line is normalized, pre-tokenized, and
//! each piece's occurrences are summed over the corpus. This module does that over files far larger
//! than memory, on all cores, with the same result whatever the thread count.
//!
//! ## How counting works
//!
//! A [`ChunkReader`] walks the files in order and cuts them into chunks of about [`CHUNK_BYTES`],
//! each ending right after a `\n`, so no line straddles two chunks. Rayon workers of a local pool
//! (`threads`, 0 = all cores) pull chunks from the reader as they become free (`par_bridge`), so
//! at most a few chunks per thread are in memory. A worker decodes its chunk (strict UTF-8 or
//! lossy replacement), splits it into lines at `\n`, normalizes and pre-tokenizes each line, and
//! counts pieces in its own `FxHashMap<String, u64>`: a lookup by `&str` first, so a string is
//! allocated only the first time the worker sees a word. The per-worker maps are merged at the
//! end (smaller into larger). Addition commutes, so the counts do not depend on the number of
//! threads or on scheduling.
//!
//! Cost: one pass over the bytes; memory O(threads × chunk + distinct words × threads).
//!
//! If a corpus holds several bytes that are not UTF-8, which one strict decoding reports may
//! depend on scheduling when `threads > 1`.

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::chunks::{Boundary, Chunk, ChunkReader};
use super::files::{decode, total_bytes, whole_files, Utf8Errors};
use crate::normalize::Normalizer;
use crate::pretokenize::PreTokenizer;
use crate::{Error, Progress, Result};

/// The target size of the chunks files are cut into for parallel counting.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Options for reading and counting a corpus.
#[derive(Clone, Debug, Default)]
pub struct CountOptions {
    /// Worker threads; 0 means all cores.
    pub threads: usize,
    pub errors: Utf8Errors,
}

/// How many times each word (pre-tokenized piece) occurs. 64-bit counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordCounts {
    pub counts: FxHashMap<String, u64>,
}

impl WordCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` occurrences of `word`, allocating only when the word is new.
    pub fn add(&mut self, word: &str, n: u64) {
        if let Some(c) = self.counts.get_mut(word) {
            *c += n;
        } else {
            self.counts.insert(word.to_owned(), n);
        }
    }

    /// Adds every count of `other` (iterating over the smaller of the two maps).
    pub fn merge(&mut self, mut other: WordCounts) {
        if other.counts.len() > self.counts.len() {
            std::mem::swap(self, &mut other);
        }
        self.counts.reserve(other.counts.len() / 4);
        for (w, n) in other.counts {
            *self.counts.entry(w).or_insert(0) += n;
        }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Counts the pieces of every line of `text` (lines split at `\n`).
    pub fn add_text(&mut self, text: &str, normalizer: &Normalizer, pre_tokenizer: &PreTokenizer) {
        for line in text.split('\n') {
            self.add_line(line, normalizer, pre_tokenizer);
        }
    }

    /// Counts the pieces of one line (which should hold no `\n`).
    pub fn add_line(&mut self, line: &str, normalizer: &Normalizer, pre_tokenizer: &PreTokenizer) {
        if line.is_empty() {
            return;
        }
        let line = normalizer.normalize_str(line);
        if pre_tokenizer.is_metaspace() {
            // SentencePiece's pipeline: count the words encoding will see ("▁hello").
            if let Some(r) = pre_tokenizer.rewrite(&line, true) {
                let text = r.text.as_str();
                pre_tokenizer.for_each_piece(text, |s, e| self.add(&text[s..e], 1));
                return;
            }
        }
        pre_tokenizer.for_each_piece(&line, |s, e| self.add(&line[s..e], 1));
    }
}

/// Counts the words of `texts` (each one or more lines), normalized and pre-tokenized, in parallel
/// on `threads` threads (0 = all cores).
pub fn count_words_in_texts<S: AsRef<str> + Sync>(
    texts: &[S],
    normalizer: &Normalizer,
    pre_tokenizer: &PreTokenizer,
    threads: usize,
) -> WordCounts {
    let count = || {
        texts
            .par_iter()
            .fold(WordCounts::new, |mut wc, t| {
                wc.add_text(t.as_ref(), normalizer, pre_tokenizer);
                wc
            })
            .reduce(WordCounts::new, |mut a, b| {
                a.merge(b);
                a
            })
    };
    if let Ok(counts) = crate::parallel::install(threads, count) {
        counts
    } else {
        // No thread could be started: count on this one.
        let mut wc = WordCounts::new();
        for t in texts {
            wc.add_text(t.as_ref(), normalizer, pre_tokenizer);
        }
        wc
    }
}

/// Streams the lines of `paths` and counts their words, on `options.threads` threads.
pub fn count_words_in_files(
    paths: &[PathBuf],
    normalizer: &Normalizer,
    pre_tokenizer: &PreTokenizer,
    options: &CountOptions,
    progress: &Progress,
) -> Result<WordCounts> {
    count_words_in_files_chunked(
        paths,
        normalizer,
        pre_tokenizer,
        options,
        progress,
        CHUNK_BYTES,
    )
}

/// [`count_words_in_files`] with a chosen chunk size (tests use tiny chunks to hit boundaries).
pub fn count_words_in_files_chunked(
    paths: &[PathBuf],
    normalizer: &Normalizer,
    pre_tokenizer: &PreTokenizer,
    options: &CountOptions,
    progress: &Progress,
    chunk_bytes: usize,
) -> Result<WordCounts> {
    if paths.is_empty() {
        return Err(Error::invalid("no input files given"));
    }
    progress.start_stage("counting", total_bytes(paths)?);
    let ranges = whole_files(paths)?;
    let reader = ChunkReader::new(&ranges, Boundary::Line, chunk_bytes);
    let errors = options.errors;
    let process = |mut wc: WordCounts, chunk: Result<Chunk>| -> Result<WordCounts> {
        progress.check()?;
        let chunk = chunk?;
        let path = &ranges[chunk.range].path;
        let text = decode(&chunk.bytes, errors, path, chunk.offset)?;
        wc.add_text(&text, normalizer, pre_tokenizer);
        progress.advance(chunk.bytes.len() as u64);
        Ok(wc)
    };
    let count = || {
        reader
            .par_bridge()
            .try_fold(WordCounts::new, process)
            .try_reduce(WordCounts::new, |mut a, b| {
                a.merge(b);
                Ok(a)
            })
    };
    let counts = crate::parallel::install(options.threads, count)??;
    progress.check()?;
    if counts.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::EmptyCorpus(format!(
            "{}: no words",
            names.join(", ")
        )));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{open_file, MAX_LINE_BYTES};
    use crate::pretokenize::SplitPattern;
    use std::path::Path;

    fn gpt2() -> PreTokenizer {
        PreTokenizer::byte_level(SplitPattern::Gpt2)
    }

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "subwordx-corpus-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).expect("temp dir");
            TempDir(dir)
        }
        fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let p = self.0.join(name);
            std::fs::write(&p, bytes).expect("write");
            p
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The definition, written as plainly as possible.
    fn naive(text: &str, pt: &PreTokenizer) -> FxHashMap<String, u64> {
        let mut m = FxHashMap::default();
        for line in text.split('\n') {
            for (s, e) in pt.pieces(line) {
                *m.entry(line[s..e].to_owned()).or_insert(0) += 1;
            }
        }
        m
    }

    fn random_text(seed: u64, len: usize) -> String {
        let alphabet: Vec<char> = "aab cde  \n\n\r\tXY'sll1234é中😀,.!".chars().collect();
        let mut x = seed;
        (0..len)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                alphabet[(x >> 33) as usize % alphabet.len()]
            })
            .collect()
    }

    fn count(
        paths: &[PathBuf],
        pt: &PreTokenizer,
        threads: usize,
        chunk: usize,
    ) -> Result<WordCounts> {
        count_words_in_files_chunked(
            paths,
            &Normalizer::default(),
            pt,
            &CountOptions {
                threads,
                errors: Utf8Errors::Strict,
            },
            &Progress::new(),
            chunk,
        )
    }

    #[test]
    fn counts_equal_naive_counts_for_any_chunking_and_threads() {
        let dir = TempDir::new("naive");
        let text = random_text(7, 20_000);
        let with_nl = dir.file("a.txt", text.as_bytes());
        let no_trailing = dir.file("b.txt", text.trim_end_matches('\n').as_bytes());
        for pt in [
            gpt2(),
            PreTokenizer::byte_level(SplitPattern::Cl100k),
            PreTokenizer::whitespace(),
            PreTokenizer::bert(),
        ] {
            let expected = naive(&text, &pt);
            for path in [&with_nl, &no_trailing] {
                for chunk in [1, 7, 64, 4096, CHUNK_BYTES] {
                    for threads in [1, 4] {
                        let got =
                            count(std::slice::from_ref(path), &pt, threads, chunk).expect("counts");
                        assert_eq!(
                            got.counts, expected,
                            "{pt:?} chunk {chunk} threads {threads}"
                        );
                    }
                }
            }
        }
        // Two files are one corpus: counts add up.
        let both = count(&[with_nl.clone(), with_nl], &gpt2(), 2, 100).expect("counts");
        let one = naive(&text, &gpt2());
        assert!(both.counts.iter().all(|(w, &n)| n == 2 * one[w]));
        // In-memory texts give the same counts.
        let wc = count_words_in_texts(
            std::slice::from_ref(&text),
            &Normalizer::default(),
            &gpt2(),
            3,
        );
        assert_eq!(wc.counts, naive(&text, &gpt2()));
    }

    #[test]
    fn lines_end_at_newline_and_keep_cr() {
        let dir = TempDir::new("crlf");
        let p = dir.file("a.txt", b"a  b\r\nc\n\nd  ");
        let wc = count(std::slice::from_ref(&p), &gpt2(), 1, 3).expect("counts");
        let mut got: Vec<(String, u64)> = wc.counts.into_iter().collect();
        got.sort();
        let expected = [
            ("\r", 1),
            (" ", 1),
            ("  ", 1),
            (" b", 1),
            ("a", 1),
            ("c", 1),
            ("d", 1),
        ];
        let expected: Vec<(String, u64)> =
            expected.iter().map(|&(w, n)| (w.to_owned(), n)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn invalid_utf8_is_located_in_any_chunk() {
        let dir = TempDir::new("utf8");
        let mut bytes = b"first line\nsecond\nthird ok\n".repeat(50);
        let bad_line_start = bytes.len();
        bytes.extend_from_slice(b"ab\xffcd\nmore\n");
        let p = dir.file("bad.txt", &bytes);
        for (threads, chunk) in [(1, 1), (1, 16), (4, 100), (2, CHUNK_BYTES)] {
            match count(std::slice::from_ref(&p), &gpt2(), threads, chunk) {
                Err(Error::InvalidUtf8 {
                    line,
                    column,
                    offset,
                    path,
                }) => {
                    assert_eq!((line, column, offset), (151, 2, bad_line_start as u64 + 2));
                    assert_eq!(path, p);
                }
                other => panic!("expected InvalidUtf8, got {other:?}"),
            }
        }
        let e = count(std::slice::from_ref(&p), &gpt2(), 2, 64).expect_err("invalid");
        assert!(e.to_string().contains("bad.txt:151"), "{e}");
    }

    #[test]
    fn replace_mode_substitutes_like_python() {
        let dir = TempDir::new("replace");
        let p = dir.file("bad.txt", b"ab\xff\xfecd x\xe4\xb8\n\xe4\xb8\xad");
        let wc = count_words_in_files_chunked(
            std::slice::from_ref(&p),
            &Normalizer::default(),
            &PreTokenizer::whitespace(),
            &CountOptions {
                threads: 2,
                errors: Utf8Errors::Replace,
            },
            &Progress::new(),
            2,
        )
        .expect("counts");
        let mut got: Vec<&str> = wc.counts.keys().map(String::as_str).collect();
        got.sort_unstable();
        // Python: b"ab\xff\xfecd x\xe4\xb8".decode(errors="replace") == "ab\ufffd\ufffdcd x\ufffd"
        assert_eq!(got, ["ab\u{fffd}\u{fffd}cd", "x\u{fffd}", "中"]);
    }

    #[test]
    fn file_errors() {
        let dir = TempDir::new("errors");
        let empty = dir.file("empty.txt", b"");
        let blank = dir.file("blank.txt", b"  \n\t\n");
        assert!(
            matches!(count(std::slice::from_ref(&empty), &gpt2(), 1, 10), Err(Error::EmptyCorpus(m)) if m.contains("empty.txt"))
        );
        assert!(matches!(
            count(&[blank], &PreTokenizer::whitespace(), 1, 10),
            Err(Error::EmptyCorpus(_))
        ));
        assert!(matches!(
            count(&[], &gpt2(), 1, 10),
            Err(Error::InvalidArgument(_))
        ));
        let missing = dir.0.join("missing.txt");
        assert!(
            matches!(count(std::slice::from_ref(&missing), &gpt2(), 1, 10), Err(Error::FileNotFound { path }) if path == missing)
        );
        let e = count(std::slice::from_ref(&dir.0), &gpt2(), 1, 10).expect_err("directory");
        assert!(e.to_string().contains("is a directory"), "{e}");
    }

    #[test]
    fn cancellation_stops_counting() {
        let dir = TempDir::new("cancel");
        let p = dir.file("a.txt", random_text(1, 10_000).as_bytes());
        let progress = Progress::new();
        progress.cancel();
        let r = count_words_in_files_chunked(
            &[p],
            &Normalizer::default(),
            &gpt2(),
            &CountOptions::default(),
            &progress,
            100,
        );
        assert!(matches!(r, Err(Error::Interrupted)));
    }

    #[test]
    fn progress_counts_every_byte() {
        let dir = TempDir::new("progress");
        let text = random_text(3, 5_000);
        let p = dir.file("a.txt", text.as_bytes());
        let progress = Progress::new();
        count_words_in_files_chunked(
            &[p],
            &Normalizer::default(),
            &gpt2(),
            &CountOptions::default(),
            &progress,
            64,
        )
        .expect("counts");
        let snap = progress.snapshot();
        assert_eq!(
            (snap.stage.as_str(), snap.done, snap.total),
            ("counting", text.len() as u64, text.len() as u64)
        );
    }

    #[test]
    fn a_line_without_end_is_an_error_not_an_endless_buffer() {
        let dir = TempDir::new("long-line");
        let p = dir.file("zeros.txt", b"a few words\n");
        // A sparse file: 1 line, then MAX_LINE_BYTES + 1 zero bytes without a line break.
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(12 + MAX_LINE_BYTES as u64 + 1).unwrap();
        match count(std::slice::from_ref(&p), &gpt2(), 1, 1 << 20) {
            Err(Error::LineTooLong {
                offset,
                limit,
                unit,
                ..
            }) => {
                assert_eq!((offset, limit, unit), (12, MAX_LINE_BYTES, "line"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg(unix)]
    fn devices_and_fifos_are_refused_up_front() {
        let err = open_file(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let dir = TempDir::new("fifo");
        let fifo = dir.0.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening it would block forever: it must be refused before that.
            let err = open_file(&fifo).unwrap_err().to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
    }
}
