//! BERT's `vocab.txt`: one token per line, the line number is the id (`docs/wordpiece.md` §5).
//!
//! The file holds no settings. It is read as BERT's pipeline ([`Tokenizer::bert`]) with `[UNK]`,
//! `##` and 100 chars per word; `lowercase` comes from the caller, else from a
//! `tokenizer_config.json` beside the file (`do_lower_case`, as `transformers` writes it), else it
//! is guessed: cased when some token other than a `[...]` special token holds an uppercase letter.

use std::path::Path;

use crate::models::wordpiece::{WordPieceModel, WordPieceSettings, BERT_SPECIAL_TOKENS};
use crate::pretokenize::PreTokenizer;
use crate::tokenizer::bert::bert_normalizer;
use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// The `vocab.txt` text of a WordPiece tokenizer.
pub fn to_string(tok: &Tokenizer) -> Result<String> {
    if tok.model().as_wordpiece().is_none() {
        return Err(Error::invalid(format!(
            "vocab.txt holds a WordPiece vocabulary; this tokenizer's model is {}",
            tok.model().kind()
        )));
    }
    let mut out = String::new();
    for (id, t) in tok.vocab().iter().enumerate() {
        if t.contains(['\n', '\r']) {
            return Err(Error::invalid(format!(
                "token {id} {t:?} holds a line break, which vocab.txt cannot represent"
            )));
        }
        out.push_str(t);
        out.push('\n');
    }
    Ok(out)
}

/// True when the vocabulary looks cased: a token that is not `[...]` holds a char that lowercasing
/// changes (not merely an uppercase letter: uncased BERT keeps `ℝ`, which has no lowercase).
fn looks_cased(vocab: &[String]) -> bool {
    vocab.iter().any(|t| {
        let special = t.starts_with('[') && t.ends_with(']');
        !special && t.chars().any(|c| c.to_lowercase().ne(std::iter::once(c)))
    })
}

/// Parses a `vocab.txt` text. `lowercase` `None` guesses from the vocabulary.
pub fn from_str(text: &str, lowercase: Option<bool>, source: &str) -> Result<Tokenizer> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // As HF reads it: lines end at `\n`, trailing whitespace (`\r` included) is not part of the
    // token. A token on two lines is refused by the model (HF keeps the last id and leaves a hole).
    let text = text.strip_suffix('\n').unwrap_or(text);
    let vocab: Vec<String> = text.split('\n').map(|l| l.trim_end().to_owned()).collect();
    if text.is_empty() {
        return Err(Error::corrupt(source, "vocab.txt is empty"));
    }
    let lowercase = lowercase.unwrap_or_else(|| !looks_cased(&vocab));
    let model = WordPieceModel::from_parts(vocab, WordPieceSettings::default(), source)?;
    let specials: Vec<String> = BERT_SPECIAL_TOKENS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    Tokenizer::bert(
        model,
        bert_normalizer(lowercase, None),
        PreTokenizer::bert(),
        &specials,
        true,
    )
    .map_err(|e| match e {
        Error::InvalidArgument(m) => Error::corrupt(source, m),
        e => e,
    })
}

/// `do_lower_case` from a `tokenizer_config.json` beside `path`, if there is one that says.
fn lowercase_beside(path: &Path) -> Option<bool> {
    let config = path.with_file_name("tokenizer_config.json");
    let text = std::fs::read_to_string(config).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("do_lower_case")?.as_bool()
}

/// Reads a `vocab.txt` file (see the module docs for `lowercase`).
pub fn read_file(path: &Path, lowercase: Option<bool>) -> Result<Tokenizer> {
    let bytes = super::read(path)?;
    let source = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::corrupt(
            &source,
            format!("not UTF-8 text (byte {})", e.valid_up_to()),
        )
    })?;
    from_str(text, lowercase.or_else(|| lowercase_beside(path)), &source)
}

/// True when `bytes` look like a `vocab.txt`: UTF-8 lines, one of them `[UNK]`, no JSON.
pub(crate) fn looks_like_vocab_txt(path: &Path, bytes: &[u8]) -> bool {
    if path.extension().is_some_and(|e| e == "txt") {
        return true;
    }
    let head = &bytes[..bytes.len().min(1 << 16)];
    !head.starts_with(b"{")
        && head
            .split(|&b| b == b'\n')
            .any(|l| l == b"[UNK]" || l == b"[UNK]\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_guessing() {
        let text = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##s\nworld\n";
        let tok = from_str(text, None, "v.txt").unwrap();
        assert_eq!(to_string(&tok).unwrap(), text);
        assert_eq!(tok.encode_ids("Hello worlds", true), [2, 5, 7, 6, 3]);
        let cased = from_str("[UNK]\nHello\n", None, "v.txt").unwrap();
        assert_eq!(cased.encode_ids("Hello hello", false), [1, 0]);
    }

    #[test]
    fn a_vocabulary_without_unk_is_refused() {
        let err = from_str("a\nb\n", None, "v.txt").unwrap_err().to_string();
        assert!(err.contains("v.txt") && err.contains("[UNK]"), "{err}");
        assert!(from_str("", None, "v.txt").is_err());
        assert!(from_str("[UNK]\na\na\n", None, "v.txt").is_err());
        let t = from_str("[UNK]\r\na \nℝ\n", None, "v.txt").unwrap();
        assert_eq!(t.vocab(), ["[UNK]", "a", "ℝ"]);
        assert_eq!(
            t.encode_ids("A", false),
            [1],
            "ℝ has no lowercase: still uncased"
        );
    }
}
