//! GPT-2's `vocab.json` (token → id) + `merges.txt` (`#version: 0.2`, then `left right` per line,
//! in rank order), the layout of HF `BPE.from_file`.
//!
//! The pair holds no settings. When reading without explicit settings they are guessed: byte-level
//! GPT-2 when the vocabulary holds all 256 byte symbols and no token ends with `</w>`, else classic
//! BPE with the `bert` pre-tokenizer (subwordx's default), the `</w>` suffix if some token ends with
//! it, and `<unk>` as unknown (and special) token if the vocabulary has it. The Python reference
//! guesses the same way.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::normalize::Normalizer;
use crate::pretokenize::{bytes_to_unicode, PreTokenizer, SplitPattern};
use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// The `vocab.json` and `merges.txt` texts of a tokenizer.
pub fn to_strings(tok: &Tokenizer) -> Result<(String, String)> {
    let vocab: serde_json::Map<String, serde_json::Value> = tok
        .vocab()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), serde_json::json!(i)))
        .collect();
    let mut merges = String::from("#version: 0.2\n");
    for (l, r) in tok.merges() {
        if l.contains([' ', '\n', '\r']) || r.contains([' ', '\n', '\r']) {
            return Err(Error::invalid(format!(
                "merge ({l:?}, {r:?}) holds whitespace, which merges.txt cannot represent"
            )));
        }
        merges.push_str(l);
        merges.push(' ');
        merges.push_str(r);
        merges.push('\n');
    }
    Ok((serde_json::to_string(&vocab).unwrap_or_default(), merges))
}

/// Parses the two texts. `settings` = `None` guesses them (see the module docs).
pub fn from_strs(
    vocab_json: &str,
    merges_txt: &str,
    settings: Option<(BpeSettings, PreTokenizer)>,
    source: &str,
) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let map: FxHashMap<String, serde_json::Value> =
        serde_json::from_str(vocab_json).map_err(|e| corrupt(format!("vocab.json: {e}")))?;
    let mut by_id: Vec<Option<String>> = vec![None; map.len()];
    for (t, id) in &map {
        let i = id
            .as_u64()
            .ok_or_else(|| corrupt(format!("vocab.json: token {t:?} has a bad id {id}")))?
            as usize;
        let slot = by_id.get_mut(i).ok_or_else(|| {
            corrupt(format!(
                "vocab.json: id {i} is out of range 0..{}",
                map.len()
            ))
        })?;
        if let Some(prev) = slot {
            return Err(corrupt(format!(
                "vocab.json: id {i} is given to both {prev:?} and {t:?}"
            )));
        }
        *slot = Some(t.clone());
    }
    let vocab: Vec<String> = by_id
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| corrupt(format!("vocab.json: no token has id {i}"))))
        .collect::<Result<_>>()?;
    let mut merges = Vec::new();
    for (n, line) in merges_txt.lines().enumerate() {
        if (n == 0 && line.starts_with("#version")) || line.is_empty() {
            continue;
        }
        let mut it = line.split(' ');
        match (it.next(), it.next(), it.next()) {
            (Some(l), Some(r), None) if !l.is_empty() && !r.is_empty() => {
                merges.push((l.to_owned(), r.to_owned()));
            }
            _ => {
                return Err(corrupt(format!(
                    "merges.txt line {}: {line:?} is not `left right`",
                    n + 1
                )))
            }
        }
    }
    let settings_given = settings.is_some();
    let (settings, pre) = settings.unwrap_or_else(|| {
        let table = bytes_to_unicode();
        let byte_level = table
            .iter()
            .all(|c| map.contains_key(c.to_string().as_str()))
            && !map.keys().any(|t| t.ends_with("</w>"));
        if byte_level {
            (
                BpeSettings {
                    byte_level: true,
                    ..BpeSettings::default()
                },
                PreTokenizer::byte_level(SplitPattern::Gpt2),
            )
        } else {
            let suffix = vocab
                .iter()
                .any(|t| t.ends_with("</w>"))
                .then(|| "</w>".to_owned());
            (
                BpeSettings {
                    end_of_word_suffix: suffix,
                    ..BpeSettings::default()
                },
                PreTokenizer::bert(),
            )
        }
    });
    let guessed_unk = !settings_given && !settings.byte_level && vocab.iter().any(|t| t == "<unk>");
    let settings = if guessed_unk {
        BpeSettings {
            unk_token: Some("<unk>".to_owned()),
            ..settings
        }
    } else {
        settings
    };
    let specials = if guessed_unk {
        vec!["<unk>".to_owned()]
    } else {
        Vec::new()
    };
    let merge_ids = super::native::merges_to_ids(&vocab, &merges, source)?;
    let model = BpeModel::from_parts(vocab, merge_ids, settings, source)?;
    Tokenizer::new(model, Normalizer::default(), pre, &specials, None).map_err(|e| match e {
        Error::InvalidArgument(m) => corrupt(m),
        e => e,
    })
}

/// Reads `vocab.json` and `merges.txt` files.
pub fn read_files(
    vocab_path: &Path,
    merges_path: &Path,
    settings: Option<(BpeSettings, PreTokenizer)>,
) -> Result<Tokenizer> {
    let v = super::read(vocab_path)?;
    let m = super::read(merges_path)?;
    let source = vocab_path.display().to_string();
    let v = std::str::from_utf8(&v)
        .map_err(|e| Error::corrupt(&source, format!("vocab.json is not UTF-8: {e}")))?;
    let m = std::str::from_utf8(&m).map_err(|e| {
        Error::corrupt(merges_path.display().to_string(), format!("not UTF-8: {e}"))
    })?;
    from_strs(v, m, settings, &source)
}
