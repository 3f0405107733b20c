//! Which files may be read, byte ranges of them, and how their bytes become text.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The longest stretch of a corpus without a boundary (a `\n` for lines, whitespace for words):
/// 256 MiB. Chunks end at boundaries, so a file without any (or `/dev/zero`) would otherwise grow
/// one buffer without end.
pub const MAX_LINE_BYTES: usize = 256 << 20;

/// What to do with bytes that are not UTF-8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Utf8Errors {
    /// Fail with `Error::InvalidUtf8` naming the file, line and byte.
    #[default]
    Strict,
    /// Replace each bad sequence with U+FFFD, as Python's `errors="replace"`.
    Replace,
}

impl std::str::FromStr for Utf8Errors {
    type Err = Error;
    /// `"strict"` or `"replace"`, the names Python's `errors=` uses.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "strict" => Ok(Self::Strict),
            "replace" => Ok(Self::Replace),
            other => Err(Error::invalid(format!(
                "errors must be \"strict\" or \"replace\", not {other:?}"
            ))),
        }
    }
}

/// The size of `path`, which must be a regular file. A FIFO with no writer blocks `open` forever
/// (beyond the reach of Ctrl-C) and a device such as `/dev/zero` never ends, so both are refused
/// before anything opens them; stream such sources through `texts=` instead.
fn regular_file_len(path: &Path) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let refuse = |kind, what: &str| {
        Err(Error::Io {
            path: path.to_owned(),
            source: std::io::Error::new(kind, what.to_owned()),
        })
    };
    if meta.is_dir() {
        return refuse(
            std::io::ErrorKind::IsADirectory,
            "is a directory, not a regular file",
        );
    }
    if !meta.is_file() {
        return refuse(
            std::io::ErrorKind::InvalidInput,
            "is not a regular file (a FIFO, device or socket); corpora are read from regular \
             files (stream other sources through texts=...)",
        );
    }
    Ok(meta.len())
}

/// Opens `path` for reading, with clear errors for a missing file, a directory, or anything that
/// is not a regular file (see [`regular_file_len`]).
pub fn open_file(path: &Path) -> Result<File> {
    regular_file_len(path)?;
    File::open(path).map_err(|e| Error::io(path, e))
}

/// The whole of the regular file `path` (a model or tokenizer file, read at once; corpora are
/// streamed instead).
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let mut f = open_file(path)?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Total size in bytes of `paths`, checking up front that every one is a readable regular file (a
/// typo in the last path should not cost a pass over the others).
pub fn total_bytes(paths: &[PathBuf]) -> Result<u64> {
    paths.iter().map(|p| regular_file_len(p)).sum()
}

/// Bytes `start..end` of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRange {
    pub path: PathBuf,
    pub start: u64,
    pub end: u64,
}

/// The whole of every file, in order.
pub fn whole_files(paths: &[PathBuf]) -> Result<Vec<FileRange>> {
    paths
        .iter()
        .map(|p| {
            Ok(FileRange {
                path: p.clone(),
                start: 0,
                end: regular_file_len(p)?,
            })
        })
        .collect()
}

/// The sizes of `paths` (regular files).
pub(crate) fn file_lens(paths: &[PathBuf]) -> Result<Vec<u64>> {
    paths.iter().map(|p| regular_file_len(p)).collect()
}

/// Decodes `bytes`, which start at byte `offset` of `path`, per `errors`. Strict mode reports the
/// first bad byte as [`Error::InvalidUtf8`]; replace mode equals Python's `errors="replace"` (each
/// maximal invalid sequence becomes one U+FFFD, as `String::from_utf8_lossy`).
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    errors: Utf8Errors,
    path: &Path,
    offset: u64,
) -> Result<Cow<'a, str>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => match errors {
            Utf8Errors::Strict => Err(invalid_utf8(path, offset + e.valid_up_to() as u64)),
            Utf8Errors::Replace => Ok(String::from_utf8_lossy(bytes)),
        },
    }
}

/// The [`Error::InvalidUtf8`] for the bad byte at file offset `offset` of `path`: its 1-based line
/// and 0-based byte column are found by reading the file again up to it. That costs a pass over
/// the bytes before the error, on the error path only, and keeps the reading loops free of line
/// bookkeeping.
fn invalid_utf8(path: &Path, offset: u64) -> Error {
    let mut line = 1u64;
    let mut line_start = 0u64;
    match open_file(path) {
        Ok(f) => {
            let mut r = BufReader::with_capacity(1 << 16, f.take(offset));
            let mut at = 0u64;
            loop {
                let n = match r.fill_buf() {
                    Ok([]) => break,
                    Ok(b) => {
                        for i in memchr::memchr_iter(b'\n', b) {
                            line += 1;
                            line_start = at + i as u64 + 1;
                        }
                        b.len()
                    }
                    Err(e) => return Error::io(path, e),
                };
                r.consume(n);
                at += n as u64;
            }
        }
        Err(e) => return e,
    }
    Error::InvalidUtf8 {
        path: path.to_owned(),
        line,
        column: offset - line_start,
        offset,
    }
}
