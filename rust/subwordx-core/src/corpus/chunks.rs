//! Cutting byte ranges of files into chunks that end at a boundary.
//!
//! The reader takes at least `chunk_bytes` from the file, then goes on until the part it just read
//! holds a boundary byte, and hands out everything up to the last boundary; the rest is carried
//! into the next chunk. Each byte is searched for a boundary once (only freshly read parts are
//! searched), so a long stretch without one costs linear time, and memory is bounded by
//! [`MAX_LINE_BYTES`]: a longer stretch is an [`Error::LineTooLong`].

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Take};

use super::files::{open_file, FileRange, MAX_LINE_BYTES};
use crate::{Error, Result};

/// Where a chunk may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Right after a `\n`: chunks hold whole lines (the tokenizer trainers' unit).
    Line,
    /// Right after an ASCII whitespace byte: chunks hold whole words (the embedding models' unit;
    /// a one-line corpus such as text8 still streams).
    Whitespace,
}

impl Boundary {
    /// The position of the last boundary byte in `bytes`.
    fn last_in(self, bytes: &[u8]) -> Option<usize> {
        #[cfg(test)]
        tests::SEARCHED.with(|c| c.set(c.get() + bytes.len()));
        match self {
            Boundary::Line => memchr::memrchr(b'\n', bytes),
            Boundary::Whitespace => bytes.iter().rposition(u8::is_ascii_whitespace),
        }
    }

    /// What the boundary separates, for error messages.
    fn unit(self) -> &'static str {
        match self {
            Boundary::Line => "line",
            Boundary::Whitespace => "word",
        }
    }
}

/// Bytes that end at a boundary (or at the end of their range).
pub struct Chunk {
    /// Index of the chunk's range in the reader's list.
    pub range: usize,
    /// Byte offset of the chunk in its file.
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// Reads `ranges` in order as chunks; an iterator of `Result<Chunk>` that stops after an error.
pub struct ChunkReader<'a> {
    ranges: &'a [FileRange],
    boundary: Boundary,
    chunk_bytes: usize,
    /// The range being read and its open file (limited to the range).
    range: usize,
    reader: Option<Take<File>>,
    /// File offset of the next chunk.
    offset: u64,
    /// Bytes after the last boundary of the previous chunk.
    carry: Vec<u8>,
    failed: bool,
}

impl<'a> ChunkReader<'a> {
    /// A reader of `ranges` handing out chunks that end at `boundary` (or at the end of a range):
    /// everything up to the last boundary in the first `chunk_bytes` or more bytes read.
    pub fn new(ranges: &'a [FileRange], boundary: Boundary, chunk_bytes: usize) -> Self {
        ChunkReader {
            ranges,
            boundary,
            chunk_bytes: chunk_bytes.max(1),
            range: 0,
            reader: None,
            offset: 0,
            carry: Vec::new(),
            failed: false,
        }
    }

    fn read_chunk(&mut self) -> Result<Option<Chunk>> {
        loop {
            let Some(range) = self.ranges.get(self.range) else {
                return Ok(None);
            };
            let path = &range.path;
            if self.reader.is_none() {
                let mut f = open_file(path)?;
                if range.start > 0 {
                    f.seek(SeekFrom::Start(range.start))
                        .map_err(|e| Error::io(path, e))?;
                }
                self.offset = range.start;
                self.carry.clear();
                self.reader = Some(f.take(range.end.saturating_sub(range.start)));
            }
            let Some(reader) = self.reader.as_mut() else {
                continue;
            };
            let mut buf = std::mem::take(&mut self.carry);
            let mut at_end = false;
            // Bytes since the last boundary: the open stretch (the carry holds none).
            let mut open = buf.len();
            loop {
                let want = self.chunk_bytes;
                let before = buf.len();
                let n = reader
                    .by_ref()
                    .take(want as u64)
                    .read_to_end(&mut buf)
                    .map_err(|e| Error::io(path, e))?;
                let last = self.boundary.last_in(&buf[before..]);
                open = match last {
                    Some(i) => buf.len() - (before + i + 1),
                    None => open + n,
                };
                if open > MAX_LINE_BYTES {
                    return Err(Error::LineTooLong {
                        path: path.clone(),
                        offset: self.offset + (buf.len() - open) as u64,
                        limit: MAX_LINE_BYTES,
                        unit: self.boundary.unit(),
                    });
                }
                if n < want {
                    at_end = true;
                    break;
                }
                if buf.len() >= self.chunk_bytes && last.is_some() {
                    break;
                }
            }
            if !at_end {
                self.carry = buf.split_off(buf.len() - open);
            }
            let chunk = Chunk {
                range: self.range,
                offset: self.offset,
                bytes: buf,
            };
            self.offset += chunk.bytes.len() as u64;
            if at_end {
                self.reader = None;
                self.range += 1;
            }
            if !chunk.bytes.is_empty() {
                return Ok(Some(chunk));
            }
        }
    }
}

impl Iterator for ChunkReader<'_> {
    type Item = Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.read_chunk().transpose();
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::files::whole_files;
    use std::path::PathBuf;

    thread_local! {
        /// Bytes searched for a boundary on this thread.
        pub(super) static SEARCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("subwordx-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn chunks(ranges: &[FileRange], boundary: Boundary, size: usize) -> Vec<Vec<u8>> {
        ChunkReader::new(ranges, boundary, size)
            .map(|c| c.unwrap().bytes)
            .collect()
    }

    #[test]
    fn chunks_end_at_boundaries_and_cover_every_byte() {
        let text = b"ab cd\nef\tgh ij\n\nkl mn op";
        let p = tmp("cover.txt", text);
        let ranges = whole_files(&[p]).unwrap();
        for boundary in [Boundary::Line, Boundary::Whitespace] {
            for size in 1..text.len() + 2 {
                let got = chunks(&ranges, boundary, size);
                assert_eq!(got.concat(), text, "{boundary:?} {size}");
                for c in &got[..got.len() - 1] {
                    let last = *c.last().unwrap();
                    match boundary {
                        Boundary::Line => assert_eq!(last, b'\n'),
                        Boundary::Whitespace => assert!(last.is_ascii_whitespace()),
                    }
                }
            }
        }
    }

    #[test]
    fn ranges_are_read_as_given() {
        let p = tmp("ranges.txt", b"0123456789 abc def");
        let ranges = vec![
            FileRange {
                path: p.clone(),
                start: 11,
                end: 14,
            },
            FileRange {
                path: p,
                start: 0,
                end: 4,
            },
        ];
        let got: Vec<(usize, u64, Vec<u8>)> = ChunkReader::new(&ranges, Boundary::Whitespace, 2)
            .map(|c| {
                let c = c.unwrap();
                (c.range, c.offset, c.bytes)
            })
            .collect();
        assert_eq!(
            got,
            vec![(0, 11, b"abc".to_vec()), (1, 0, b"0123".to_vec())]
        );
    }

    /// A whitespace-free stretch used to be searched again from its start every time 1 MiB more
    /// of it was read (quadratic); each byte is now searched once.
    #[test]
    fn a_long_word_is_searched_once() {
        let mut text = vec![b'x'; 12 << 20];
        text.extend_from_slice(b" tail\n");
        let p = tmp("longword.txt", &text);
        SEARCHED.with(|c| c.set(0));
        let got = chunks(&whole_files(&[p]).unwrap(), Boundary::Whitespace, 1 << 20);
        assert_eq!(got.concat(), text);
        let searched = SEARCHED.with(std::cell::Cell::get);
        assert!(
            searched <= text.len(),
            "searched {searched} of {}",
            text.len()
        );
    }

    #[test]
    fn a_stretch_without_boundary_is_an_error_not_an_endless_buffer() {
        let p = tmp("zeros.txt", b"a few words\n");
        // Sparse: then MAX_LINE_BYTES + 1 zero bytes, neither newline nor whitespace.
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(12 + MAX_LINE_BYTES as u64 + 1).unwrap();
        let ranges = whole_files(&[p]).unwrap();
        for (boundary, unit) in [(Boundary::Line, "line"), (Boundary::Whitespace, "word")] {
            let err = ChunkReader::new(&ranges, boundary, 1 << 20)
                .find_map(Result::err)
                .expect("an error");
            match &err {
                Error::LineTooLong {
                    offset,
                    limit,
                    unit: u,
                    ..
                } => assert_eq!((*offset, *limit, *u), (12, MAX_LINE_BYTES, unit)),
                other => panic!("{other:?}"),
            }
            assert!(err.to_string().contains("longer than"), "{err}");
        }
    }
}
