//! Model files: reading and writing tokenizers (`docs/bpe.md` §6).
//!
//! * [`native`]: the subwordx format, one JSON file with every setting (also [`Tokenizer::to_bytes`]
//!   / [`Tokenizer::from_bytes`] for pickling).
//! * [`hf_json`]: Hugging Face `tokenizer.json`, which `tokenizers.Tokenizer.from_file` loads with
//!   the same ids and tokens.
//! * [`vocab_merges`]: the GPT-2 `vocab.json` + `merges.txt` pair.
//! * [`vocab_txt`]: BERT's `vocab.txt` (WordPiece).
//! * [`tiktoken`]: tiktoken's `.tiktoken` rank files.
//! * [`sentencepiece`]: SentencePiece's `.model` files (a protobuf, read by [`protobuf`]).
//!
//! Writers are atomic ([`atomic`]): a unique temporary file beside the target, fsynced, renamed
//! over it, so a crash never leaves a half-written model; on failure the temporary file is removed.
//! Readers never panic: a truncated, corrupt or self-contradicting file is an
//! [`Error::CorruptModel`] saying what is wrong.

pub mod atomic;
pub mod hf_json;
pub mod native;
pub mod protobuf;
pub mod sentencepiece;
pub mod tiktoken;
pub mod vocab_merges;
pub mod vocab_txt;

use std::path::Path;

pub use atomic::{write_atomic, write_atomic_all, AtomicFile};

use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// A `.tiktoken` file, or a file whose first line is `<base64> <number>`.
fn looks_like_tiktoken(path: &Path, bytes: &[u8]) -> bool {
    if path.extension().is_some_and(|e| e == "tiktoken") {
        return true;
    }
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut parts = first.split(|&b| b == b' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(t), Some(r), None) => {
            !t.is_empty()
                && t.iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
                && !r.is_empty()
                && r.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

pub(crate) use crate::corpus::read_file as read;

impl Tokenizer {
    /// Loads a tokenizer, detecting the format by content: the subwordx format, an HF
    /// `tokenizer.json`, or a `vocab.json` with `merges.txt` beside it. A directory is searched for
    /// `tokenizer.json`, then `vocab.json`, then `vocab.txt`. A `vocab.txt` (BERT's WordPiece
    /// vocabulary) is read by [`vocab_txt`].
    pub fn load(path: impl AsRef<Path>) -> Result<Tokenizer> {
        let path = path.as_ref();
        if path.is_dir() {
            for name in ["tokenizer.json", "vocab.json", "vocab.txt"] {
                let p = path.join(name);
                if p.is_file() {
                    return Self::load(&p);
                }
            }
            return Err(Error::invalid(format!(
                "{}: no tokenizer.json, vocab.json or vocab.txt in this directory",
                path.display()
            )));
        }
        let bytes = read(path)?;
        let source = path.display().to_string();
        if sentencepiece::looks_like_model(path, &bytes) {
            return sentencepiece::tokenizer_from_bytes(&bytes, &source);
        }
        if looks_like_tiktoken(path, &bytes) {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            return tiktoken::from_bytes(
                &bytes,
                &name,
                &tiktoken::TiktokenOptions::default(),
                &source,
            );
        }
        if vocab_txt::looks_like_vocab_txt(path, &bytes) {
            return vocab_txt::read_file(path, None);
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::corrupt(&source, format!("not valid JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) == Some("subwordx") {
            return native::from_value(value, &source);
        }
        if value.get("model").is_some() {
            return hf_json::from_value(&value, &source);
        }
        if value.is_object() {
            let merges = path.with_file_name("merges.txt");
            if merges.is_file() {
                return vocab_merges::read_files(path, &merges, None);
            }
            return Err(Error::corrupt(
                &source,
                "looks like a vocab.json but there is no merges.txt beside it",
            ));
        }
        Err(Error::corrupt(
            &source,
            "not a tokenizer file (no \"format\" or \"model\" key)",
        ))
    }

    /// Saves the rank file of a byte-level BPE tokenizer (tiktoken's `.tiktoken`).
    pub fn save_tiktoken(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), tiktoken::to_string(self)?.as_bytes())
    }

    /// Saves a SentencePiece `.model` (a SentencePiece-shaped pipeline: [`sentencepiece`]).
    pub fn save_sentencepiece(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &sentencepiece::to_bytes(self)?)
    }

    /// Saves in the subwordx format.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bytes())
    }

    /// Saves as an HF `tokenizer.json`.
    pub fn save_hf(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), hf_json::to_string(self).as_bytes())
    }

    /// Saves a WordPiece vocabulary as BERT's `vocab.txt` (the pipeline's settings are lost).
    pub fn save_vocab_txt(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), vocab_txt::to_string(self)?.as_bytes())
    }

    /// Saves as `vocab.json` + `merges.txt` (settings other than vocabulary and merges are lost).
    pub fn save_vocab_merges(
        &self,
        vocab_path: impl AsRef<Path>,
        merges_path: impl AsRef<Path>,
    ) -> Result<()> {
        let (v, m) = vocab_merges::to_strings(self)?;
        write_atomic_all(&[
            (vocab_path.as_ref(), v.as_bytes()),
            (merges_path.as_ref(), m.as_bytes()),
        ])
    }

    /// The subwordx format as bytes (for pickling).
    pub fn to_bytes(&self) -> Vec<u8> {
        native::to_string(self).into_bytes()
    }

    /// Reads the subwordx format from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tokenizer> {
        native::from_slice(bytes, "<bytes>")
    }
}
