//! word2vec's vector files, text and binary, read and written by streaming.
//!
//! word2vec.c (Mikolov et al. 2013) introduced two formats that every embedding tool since reads
//! and writes (gensim, `fastText`, `GloVe`'s converters):
//!
//! * **text**: a header line `"<count> <dim>"`, then one line per word: `word v1 v2 ... vdim`.
//!   word2vec.c writes `"%lf "` (six decimals, a trailing space); we write each float in its
//!   shortest form that reads back to the same f32 (plain decimals for magnitudes in
//!   `[1e-5, 1e16)`, else scientific notation, so `1e-30` is not 30 zeros).
//! * **binary**: the same ASCII header, then per word its UTF-8 bytes, one space, `dim`
//!   little-endian f32 (`4 * dim` raw bytes) and `"\n"`. The newline is optional on reading (some
//!   writers omit it; word2vec.c's reader skips whitespace before a word).
//!
//! Reading streams the file through a buffer and never trusts the header: before anything is
//! allocated, the count and dim it announces are checked against the file's size (a binary
//! record takes at least `4 * dim + 2` bytes, a text one more than `dim + 1`), so a header promising
//! `999999999 999999` is an error, not a request for 3.55 PiB. `limit` is honoured while reading:
//! only the first `limit` records are read (and checked). Words and lines have bounded lengths.
//! Everything wrong with a file (truncated, a header that disagrees with the content, a value that
//! is not a number, invalid UTF-8 under `errors = strict`) is an [`Error::CorruptModel`] naming the
//! file and the record or line.
//!
//! Writing builds the file in memory and hands it to [`crate::io::write_atomic`] (a temporary file
//! renamed over the target).

use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use super::shared_matrix::try_vec;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// How bytes that are not UTF-8 in a word are handled (as Python's `bytes.decode(errors=...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WordErrors {
    /// An error naming the record.
    #[default]
    Strict,
    /// Each invalid sequence becomes U+FFFD.
    Replace,
    /// Invalid sequences are dropped.
    Ignore,
}

impl std::str::FromStr for WordErrors {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "strict" => Ok(Self::Strict),
            "replace" => Ok(Self::Replace),
            "ignore" => Ok(Self::Ignore),
            other => Err(Error::invalid(format!(
                "errors must be 'strict', 'replace' or 'ignore', not {other:?}"
            ))),
        }
    }
}

/// Words and their vectors (`words.len() x dim`, row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct WordVectors {
    pub words: Vec<String>,
    pub dim: usize,
    pub vectors: Vec<f32>,
}

/// Largest dim accepted in a file (word vectors have a few hundred to a few thousand).
pub const MAX_FILE_DIM: u64 = 1 << 20;
/// Longest header line accepted (two integers; generous).
const MAX_HEADER: usize = 1024;
/// Longest word of a binary file.
const MAX_WORD: usize = 1 << 20;
/// Longest text line: a word, and up to 64 bytes per value, plus slack.
fn max_text_line(dim: usize) -> usize {
    (1 << 20) + dim.saturating_mul(64)
}

/// How a bounded line read ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// At the delimiter (consumed, not stored).
    Delimiter,
    /// At the end of the file.
    Eof,
    /// `cap` bytes were stored without meeting the delimiter.
    Cap,
}

/// Reads into `out` up to the next `delim`, storing at most `cap` bytes.
fn read_until_capped<R: BufRead>(
    r: &mut R,
    delim: u8,
    cap: usize,
    out: &mut Vec<u8>,
) -> std::io::Result<End> {
    out.clear();
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(End::Eof);
        }
        let room = cap - out.len();
        let window = &buf[..buf.len().min(room + 1)];
        if let Some(i) = memchr::memchr(delim, window) {
            out.extend_from_slice(&window[..i]);
            r.consume(i + 1);
            return Ok(End::Delimiter);
        }
        let take = buf.len().min(room);
        out.extend_from_slice(&buf[..take]);
        r.consume(take);
        if out.len() >= cap {
            return Ok(End::Cap);
        }
    }
}

/// Decodes a word (or a line) according to `errors`; `None` when strict and not UTF-8.
fn decode(raw: &[u8], errors: WordErrors) -> Option<String> {
    match std::str::from_utf8(raw) {
        Ok(s) => Some(s.to_owned()),
        Err(_) => match errors {
            WordErrors::Strict => None,
            WordErrors::Replace => Some(String::from_utf8_lossy(raw).into_owned()),
            WordErrors::Ignore => Some(raw.utf8_chunks().map(|c| c.valid()).collect()),
        },
    }
}

/// A short printable excerpt of raw bytes for messages.
fn excerpt(raw: &[u8]) -> String {
    let cut = &raw[..raw.len().min(60)];
    let s = String::from_utf8_lossy(cut);
    if raw.len() > 60 {
        format!("'{s}...'")
    } else {
        format!("'{s}'")
    }
}

/// Reads a word2vec text or binary vector file (see the module docs).
///
/// `binary: None` detects the format from the first record (text when it is a line of a word and
/// `dim` numbers). `limit` reads only the first `limit` vectors. `progress` counts the vectors
/// read and is polled for cancellation every [`CHECK_EVERY`] of them.
pub fn read_word2vec(
    path: &Path,
    binary: Option<bool>,
    limit: Option<usize>,
    errors: WordErrors,
    progress: &Progress,
) -> Result<WordVectors> {
    let name = path.display().to_string();
    let corrupt = |reason: String| Error::corrupt(name.clone(), reason);
    let io = |e: std::io::Error| Error::io(path, e);
    let file = crate::corpus::open_file(path)?;
    let size = file.metadata().map_err(io)?.len();
    let mut r = BufReader::with_capacity(1 << 20, file);

    // Header.
    let mut line = Vec::new();
    let end = read_until_capped(&mut r, b'\n', MAX_HEADER, &mut line).map_err(io)?;
    if end != End::Delimiter {
        return Err(corrupt(
            "no header line '<count> <dim>' at the start of the file".into(),
        ));
    }
    let header_len = line.len() as u64 + 1;
    let fields: Vec<&[u8]> = line
        .split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty())
        .collect();
    let parse = |f: &[u8]| std::str::from_utf8(f).ok()?.parse::<u64>().ok();
    let (count, dim) = match fields.as_slice() {
        [c, d] => (parse(c), parse(d)),
        _ => (None, None),
    };
    let (Some(count), Some(dim)) = (count, dim) else {
        return Err(corrupt(format!(
            "line 1: header {} is not '<count> <dim>'",
            excerpt(&line)
        )));
    };
    if dim == 0 || dim > MAX_FILE_DIM {
        return Err(corrupt(format!(
            "line 1: invalid header counts {count} {dim} (dim must be between 1 and \
             {MAX_FILE_DIM})"
        )));
    }
    // Format detection: is the first record a text line of a word and dim numbers? The bytes
    // read to decide are put back in front of the rest.
    let text_cap = max_text_line(dim as usize);
    let mut first = Vec::new();
    let mut first_end = End::Eof;
    let binary = match binary {
        Some(b) => b,
        None if count == 0 => false,
        None => {
            first_end = read_until_capped(&mut r, b'\n', text_cap, &mut first).map_err(io)?;
            let is_text = first_end != End::Cap
                && std::str::from_utf8(&first).is_ok_and(|s| {
                    let parts: Vec<&str> = s.split_whitespace().collect();
                    parts.len() as u64 == dim + 1
                        && parts[1..].iter().all(|x| x.parse::<f64>().is_ok())
                });
            !is_text
        }
    };
    if first_end == End::Delimiter {
        first.push(b'\n');
    }
    // Never trust the header: the records it announces must fit in the file.
    let remaining = size.saturating_sub(header_len);
    // count < 2^64 and dim <= 2^20: the products fit in u128. A binary record takes at least
    // 4 * dim + 2 bytes (word, space, floats); for text the bound is looser than a real line
    // (2 * dim + 1 bytes) so that a short line is reported by the line reader, which names it: a
    // word and dim values take at least dim + 1 bytes. Either way what is allocated is at most
    // about 4 times the file's size.
    let need = if binary {
        u128::from(count) * (4 * u128::from(dim) + 2)
    } else {
        u128::from(count) * (u128::from(dim) + 1)
    };
    if need > u128::from(remaining) {
        return Err(corrupt(format!(
            "truncated: the header promises {count} vectors of dim {dim} ({} format: at least \
             {need} bytes), but the file holds {remaining} bytes after the header",
            if binary { "binary" } else { "text" }
        )));
    }
    let n = limit.map_or(count, |l| count.min(l as u64));
    // count * dim <= the file size, so these fit in usize.
    let (n, dim) = (n as usize, dim as usize);
    let mut words: Vec<String> = Vec::new();
    words
        .try_reserve_exact(n)
        .map_err(|_| Error::invalid(format!("{name}: not enough memory for {n} words")))?;
    let mut vectors = try_vec(n * dim, 0.0f32, &format!("{n} vectors of {name}"))?;
    let mut rest = Cursor::new(first).chain(r);
    progress.start_stage("reading vectors", n as u64);
    let mut out = Out {
        words: &mut words,
        vectors: &mut vectors,
        progress,
    };
    if binary {
        read_binary(&mut rest, count, n, dim, errors, &mut out, &name)?;
    } else {
        read_text(&mut rest, count, n, dim, errors, &mut out, &name)?;
    }
    Ok(WordVectors {
        words,
        dim,
        vectors,
    })
}

/// Vectors read between two progress updates (and cancellation checks).
pub const CHECK_EVERY: usize = 4096;

/// Where the record readers put what they read.
struct Out<'a> {
    words: &'a mut Vec<String>,
    vectors: &'a mut [f32],
    progress: &'a Progress,
}

impl Out<'_> {
    /// Record `i` was read.
    fn done(&self, i: usize) -> Result<()> {
        if (i + 1) % CHECK_EVERY == 0 {
            self.progress.advance(CHECK_EVERY as u64);
            self.progress.check()?;
        }
        Ok(())
    }
}

/// Whether everything left is whitespace (the end of a file after its last record).
fn only_whitespace_left<R: BufRead>(r: &mut R) -> std::io::Result<bool> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(true);
        }
        if !buf.iter().all(|b| b.is_ascii_whitespace() || *b == 0x0b) {
            return Ok(false);
        }
        let n = buf.len();
        r.consume(n);
    }
}

fn read_binary<R: BufRead>(
    r: &mut R,
    count: u64,
    n: usize,
    dim: usize,
    errors: WordErrors,
    out: &mut Out<'_>,
    name: &str,
) -> Result<()> {
    let corrupt = |reason: String| Error::corrupt(name, reason);
    let io = |e: std::io::Error| Error::io(name, e);
    let truncated = |i: usize| {
        corrupt(format!(
            "truncated: record {} of {count} ends before its {dim} float32 values (header \
             promises {count} records)",
            i + 1
        ))
    };
    let mut raw = Vec::new();
    let mut values = vec![0u8; 4 * dim];
    for i in 0..n {
        // Skip the separator of the previous record ("\n"; word2vec.c's reader skips any
        // whitespace before a word).
        loop {
            let buf = r.fill_buf().map_err(io)?;
            if buf.is_empty() {
                return Err(truncated(i));
            }
            let skip = buf
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r' | b'\t' | b' '))
                .count();
            let whole = skip == buf.len();
            r.consume(skip);
            if !whole {
                break;
            }
        }
        match read_until_capped(r, b' ', MAX_WORD, &mut raw).map_err(io)? {
            End::Delimiter => {}
            End::Eof => return Err(truncated(i)),
            End::Cap => {
                return Err(corrupt(format!(
                    "record {}: no space after the word within {MAX_WORD} bytes (header count \
                     or dim wrong?)",
                    i + 1
                )))
            }
        }
        if raw.is_empty() || raw.contains(&b'\n') {
            return Err(corrupt(format!(
                "record {}: malformed word {} (header count or dim wrong?)",
                i + 1,
                excerpt(&raw)
            )));
        }
        let word = decode(&raw, errors).ok_or_else(|| {
            corrupt(format!(
                "record {}: word {} is not UTF-8",
                i + 1,
                excerpt(&raw)
            ))
        })?;
        r.read_exact(&mut values).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                truncated(i)
            } else {
                io(e)
            }
        })?;
        for (x, b) in out.vectors[i * dim..(i + 1) * dim]
            .iter_mut()
            .zip(values.chunks_exact(4))
        {
            *x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        out.words.push(word);
        out.done(i)?;
    }
    if n as u64 == count && !only_whitespace_left(r).map_err(io)? {
        return Err(corrupt(format!(
            "more data after the {count} records the header announces (header count or dim \
             wrong?)"
        )));
    }
    Ok(())
}

fn read_text<R: BufRead>(
    r: &mut R,
    count: u64,
    n: usize,
    dim: usize,
    errors: WordErrors,
    out: &mut Out<'_>,
    name: &str,
) -> Result<()> {
    let corrupt = |reason: String| Error::corrupt(name, reason);
    let io = |e: std::io::Error| Error::io(name, e);
    let cap = max_text_line(dim);
    let mut raw = Vec::new();
    for i in 0..n {
        let line_no = i + 2;
        let end = read_until_capped(r, b'\n', cap, &mut raw).map_err(io)?;
        if end == End::Cap {
            return Err(corrupt(format!(
                "line {line_no}: longer than {cap} bytes (header dim wrong?)"
            )));
        }
        if raw.iter().all(u8::is_ascii_whitespace)
            && (end == End::Eof || only_whitespace_left(r).map_err(io)?)
        {
            return Err(corrupt(format!(
                "truncated: header promises {count} vectors, the file holds {i}"
            )));
        }
        let line = decode(&raw, errors)
            .ok_or_else(|| corrupt(format!("line {line_no}: invalid UTF-8")))?;
        let mut parts = line.split_whitespace();
        let found = line.split_whitespace().count();
        if found != dim + 1 {
            return Err(corrupt(format!(
                "line {line_no}: expected a word and {dim} values, found {found} fields"
            )));
        }
        let word = parts.next().unwrap_or_default();
        for (x, v) in out.vectors[i * dim..(i + 1) * dim].iter_mut().zip(parts) {
            // Parsed as f64 and rounded to f32, as Python's float() and numpy do.
            *x = v.parse::<f64>().map_err(|_| {
                corrupt(format!(
                    "line {line_no}: value '{v}' of word '{word}' is not a number"
                ))
            })? as f32;
        }
        out.words.push(word.to_owned());
        out.done(i)?;
    }
    if n as u64 == count && !only_whitespace_left(r).map_err(io)? {
        return Err(corrupt(format!(
            "more data: the file holds more than the {count} vector lines the header promises"
        )));
    }
    Ok(())
}

/// Appends `x` in its shortest form that reads back to the same f32 (see the module docs).
fn push_float(out: &mut Vec<u8>, x: f32) {
    use std::io::Write;
    let a = x.abs();
    // Writing to a Vec cannot fail.
    let _ = if a == 0.0 || !a.is_finite() || (1e-5..1e16).contains(&a) {
        write!(out, "{x}")
    } else {
        write!(out, "{x:e}")
    };
}

/// The bytes of a word2vec file of `words` and `vectors` (`words.len() x dim`).
pub fn word2vec_bytes(
    words: &[String],
    vectors: &[f32],
    dim: usize,
    binary: bool,
) -> Result<Vec<u8>> {
    if dim == 0 || words.len().checked_mul(dim) != Some(vectors.len()) {
        return Err(Error::invalid(format!(
            "{} values do not make {} vectors of dim {dim}",
            vectors.len(),
            words.len()
        )));
    }
    if let Some(w) = words.iter().find(|w| {
        w.is_empty()
            || w.chars()
                .any(|c| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
    }) {
        return Err(Error::invalid(format!(
            "word {w:?} is empty or contains whitespace; not writable"
        )));
    }
    let per_row = if binary { 4 * dim + 2 } else { 12 * dim + 2 };
    let estimate = words
        .iter()
        .map(String::len)
        .sum::<usize>()
        .saturating_add(words.len().saturating_mul(per_row))
        .saturating_add(32);
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve(estimate).map_err(|_| {
        Error::invalid(format!(
            "not enough memory to write {} vectors",
            words.len()
        ))
    })?;
    out.extend_from_slice(format!("{} {dim}\n", words.len()).as_bytes());
    for (word, row) in words.iter().zip(vectors.chunks_exact(dim)) {
        out.extend_from_slice(word.as_bytes());
        if binary {
            out.push(b' ');
            for x in row {
                out.extend_from_slice(&x.to_le_bytes());
            }
        } else {
            for &x in row {
                out.push(b' ');
                push_float(&mut out, x);
            }
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// Writes `words` and `vectors` (`words.len() x dim`) in word2vec's format, atomically.
pub fn write_word2vec(
    path: &Path,
    words: &[String],
    vectors: &[f32],
    dim: usize,
    binary: bool,
) -> Result<()> {
    let bytes = word2vec_bytes(words, vectors, dim, binary)?;
    crate::io::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("subwordx-formats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn read(p: &Path) -> Result<WordVectors> {
        read_word2vec(p, None, None, WordErrors::Strict, &Progress::new())
    }

    fn read_with(
        p: &Path,
        binary: Option<bool>,
        limit: Option<usize>,
        errors: WordErrors,
    ) -> Result<WordVectors> {
        read_word2vec(p, binary, limit, errors, &Progress::new())
    }

    #[test]
    fn round_trips_both_formats() {
        let words: Vec<String> = ["the", "cat", "été"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let vectors = vec![
            0.5,
            -1.25,
            1e-30,
            3.0e20,
            f32::MAX,
            -0.0,
            0.1,
            7.0,
            1.0 / 3.0,
        ];
        for binary in [true, false] {
            let p = tmp(if binary { "v.bin" } else { "v.txt" }, b"");
            write_word2vec(&p, &words, &vectors, 3, binary).unwrap();
            let back = read(&p).unwrap();
            assert_eq!(back.words, words);
            assert_eq!(back.dim, 3);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&back.vectors), bits(&vectors));
            let first = read_with(&p, Some(binary), Some(1), WordErrors::Strict).unwrap();
            assert_eq!(first.words, ["the"]);
            assert_eq!(first.vectors, &vectors[..3]);
            if !binary {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(text.starts_with("3 3\nthe 0.5 -1.25 1e-30\n"), "{text}");
            }
        }
    }

    #[test]
    fn headers_that_lie_are_errors_before_any_allocation() {
        for (name, bytes) in [
            ("huge.bin", &b"999999999 999999\nabc "[..]),
            ("huge.txt", &b"999999999 999999\na 1 2\n"[..]),
            ("max.bin", &b"18446744073709551615 1048576\nx"[..]),
        ] {
            let e = read(&tmp(name, bytes)).unwrap_err();
            assert!(matches!(e, Error::CorruptModel { .. }), "{e}");
            assert!(
                e.to_string().contains("truncated") && e.to_string().contains(name),
                "{e}"
            );
        }
        for bytes in [
            &b"1 2"[..],
            b"x y\n",
            b"1 0\n",
            b"1 2 3\n",
            b"-1 2\n",
            b"",
            b"1 18446744073709551615\n",
        ] {
            let e = read(&tmp("h.txt", bytes)).unwrap_err();
            assert!(e.to_string().contains("header"), "{e}");
        }
    }

    #[test]
    fn invalid_utf8_words() {
        let mut bytes = b"1 1\n".to_vec();
        bytes.extend_from_slice(b"a\xffb ");
        bytes.extend_from_slice(&1.5f32.to_le_bytes());
        let p = tmp("u.bin", &bytes);
        let e = read(&p).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let r = read_with(&p, None, None, WordErrors::Replace).unwrap();
        assert_eq!(r.words, ["a\u{fffd}b"]);
        let r = read_with(&p, None, None, WordErrors::Ignore).unwrap();
        assert_eq!(r.words, ["ab"]);
        let p = tmp("u.txt", b"1 1\na\xffb 1.5\n");
        let e = read_with(&p, Some(false), None, WordErrors::Strict).unwrap_err();
        assert!(e.to_string().contains("line 2: invalid UTF-8"), "{e}");
    }

    #[test]
    fn limit_stops_reading() {
        // Garbage after the first record is never read with limit=1.
        let mut bytes = b"3 1\na ".to_vec();
        bytes.extend_from_slice(&2.0f32.to_le_bytes());
        bytes.extend_from_slice(b"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
        let p = tmp("l.bin", &bytes);
        let r = read_with(&p, Some(true), Some(1), WordErrors::Strict).unwrap();
        assert_eq!((r.words.len(), r.vectors.as_slice()), (1, &[2.0f32][..]));
        assert!(read_with(&p, Some(true), None, WordErrors::Strict).is_err());
    }

    #[test]
    fn not_a_regular_file() {
        let dir = std::env::temp_dir();
        let e = read(&dir).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
