//! The one way subwordx writes a file: atomically.
//!
//! The bytes go to a temporary file beside the target (`.<name>.<pid>-<n>.tmp`: unique per process
//! and per write, so two writers never share one), are fsynced, and the temporary file is renamed
//! over the target; the directory is then fsynced so the rename itself survives a crash. A reader
//! sees the old file or the new one, never half of one; on failure (or when an [`AtomicFile`] is
//! dropped uncommitted) the temporary file is removed and the old file is untouched.
//!
//! A target that exists and is not a regular file (a device such as `/dev/null`, a FIFO, a
//! socket) is refused: renaming over it would replace `/dev/null` itself when running as root.
//! The new file gets the mode a plain `open` would give (`0666` less the umask).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A file being written atomically: [`Write`] to it, then [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

fn refuse_non_regular(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
        }),
        Ok(m) if !m.is_file() => Err(Error::Io {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "exists and is not a regular file (a device, FIFO or socket): not replaced",
            ),
        }),
        _ => Ok(()),
    }
}

impl AtomicFile {
    /// Starts writing `path` (nothing is visible there until [`AtomicFile::commit`]).
    pub fn create(path: &Path) -> Result<Self> {
        refuse_non_regular(path)?;
        let name = path
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{}: not a file path", path.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(
            ".{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let tmp = path.with_file_name(tmp_name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::io(path, e))?;
        Ok(Self {
            target: path.to_owned(),
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Flushes and fsyncs the temporary file (the part of a commit that can fail before any
    /// rename; [`write_atomic_all`] does it for every file first).
    fn sync(&mut self) -> Result<()> {
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| Error::invalid("atomic file used after commit"))?;
        out.flush().map_err(|e| Error::io(&self.target, e))?;
        out.get_ref()
            .sync_all()
            .map_err(|e| Error::io(&self.target, e))
    }

    fn rename(mut self) -> Result<()> {
        self.out = None;
        refuse_non_regular(&self.target)?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        // The rename is durable once the directory is; failing to sync it loses nothing now.
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.tmp = PathBuf::new();
        Ok(())
    }

    /// Makes the written bytes the content of the target.
    pub fn commit(mut self) -> Result<()> {
        self.sync()?;
        self.rename()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.out.as_mut() {
            Some(o) => o.write(buf),
            None => Err(std::io::Error::other("atomic file used after commit")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.as_mut().map_or(Ok(()), BufWriter::flush)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.out = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.commit()
}

/// Writes several files that belong together (`vocab.json` + `merges.txt`): every one is written
/// and fsynced before the first is renamed, so a failure while writing leaves all the old files,
/// never a new one beside an old other.
pub fn write_atomic_all(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut f = AtomicFile::create(path)?;
        f.write_all(bytes).map_err(|e| Error::io(*path, e))?;
        f.sync()?;
        staged.push(f);
    }
    for f in staged {
        f.rename()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("swx-atomic-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn leftovers(d: &Path) -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tmp"))
            .collect()
    }

    #[test]
    fn writes_replace_and_leave_no_temporary_files() {
        let d = dir("basic");
        let p = d.join("x.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let uncommitted = {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"three").unwrap();
            leftovers(&d).len()
        };
        assert_eq!(uncommitted, 1);
        assert!(leftovers(&d).is_empty());
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn devices_are_not_replaced_and_modes_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let err = write_atomic(Path::new("/dev/null"), b"x").unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let d = dir("mode");
        let p = d.join("m.txt");
        write_atomic(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // 0666 less some umask: at least the owner reads and writes, nobody executes.
        assert_eq!(mode & 0o600, 0o600);
        assert_eq!(mode & 0o111, 0);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_pair_write_leaves_the_old_pair() {
        let d = dir("pair");
        let (a, b) = (d.join("vocab.json"), d.join("merges.txt"));
        write_atomic_all(&[(&a, b"old a"), (&b, b"old b")]).unwrap();
        let missing = d.join("no such dir").join("merges.txt");
        assert!(write_atomic_all(&[(&a, b"new a"), (&missing, b"new b")]).is_err());
        assert_eq!(std::fs::read(&a).unwrap(), b"old a");
        assert!(leftovers(&d).is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
