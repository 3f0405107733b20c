//! The subwordx format (`docs/bpe.md` §6).
//!
//! Version 2 (written now): `{"format": "subwordx", "version": 2, "model": KIND, ...,
//! "tokenizer": DOC}` where `DOC` is the tokenizer's HF `tokenizer.json` document (each component
//! in HF's shape) and the keys beside it hold what HF cannot say: `merges_from_ranks` (a tiktoken
//! vocabulary, whose merges are its ranks: the document then carries no merges) and
//! `merges_by_result` (a SentencePiece BPE model: merges making the same token share a rank) and
//! `added_tokens_as_written` (SentencePiece's user-defined symbols, matched as written in the
//! normalized text where HF would match their normalized form).
//!
//! Version 1 (still read): a flat object with the BPE settings, the vocabulary in id order and the
//! merges as `[left, right]` token pairs in rank order.

use serde::{Deserialize, Serialize};

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::normalize::LegacyNormalizer;
use crate::pretokenize::PreTokenizer;
use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// Version 1 of the format.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeFileV1 {
    format: String,
    version: u32,
    model: String,
    byte_level: bool,
    normalizer: LegacyNormalizer,
    pre_tokenizer: String,
    end_of_word_suffix: Option<String>,
    continuing_subword_prefix: Option<String>,
    unk_token: Option<String>,
    special_tokens: Vec<String>,
    template: Option<Vec<String>>,
    vocab: Vec<String>,
    merges: Vec<(String, String)>,
}

/// The subwordx format of `tok` as a JSON string.
pub fn to_string(tok: &Tokenizer) -> String {
    let mut doc = super::hf_json::to_value(tok);
    let from_ranks = tok
        .model()
        .as_bpe()
        .is_some_and(|m| m.settings().merges_from_ranks);
    if from_ranks {
        if let Some(m) = doc.pointer_mut("/model/merges") {
            *m = serde_json::Value::Array(Vec::new());
        }
    }
    let file = serde_json::json!({
        "format": "subwordx",
        "version": 2,
        "model": tok.model().kind(),
        "merges_from_ranks": from_ranks,
        "tokenizer": doc,
    });
    let mut file = file;
    if tok
        .model()
        .as_bpe()
        .is_some_and(|m| m.settings().merges_by_result)
    {
        file["merges_by_result"] = serde_json::Value::Bool(true);
    }
    if tok.added_tokens_as_written() {
        file["added_tokens_as_written"] = serde_json::Value::Bool(true);
    }
    // Serializing plain strings, bools and numbers cannot fail.
    serde_json::to_string(&file).unwrap_or_default()
}

/// Parses the subwordx format; `source` names the file in errors.
pub fn from_slice(bytes: &[u8], source: &str) -> Result<Tokenizer> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::corrupt(source, format!("not valid JSON: {e}")))?;
    from_value(value, source)
}

pub(crate) fn from_value(value: serde_json::Value, source: &str) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    if value.get("format").and_then(|f| f.as_str()) != Some("subwordx") {
        return Err(corrupt("format is not \"subwordx\"".into()));
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(1) => from_value_v1(value, source),
        Some(2) => {
            let kind = value.get("model").and_then(|m| m.as_str()).unwrap_or("?");
            if kind != "bpe" && kind != "wordpiece" && kind != "unigram" {
                return Err(corrupt(format!("unsupported model type {kind:?}")));
            }
            let from_ranks = value
                .get("merges_from_ranks")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            let doc = value
                .get("tokenizer")
                .ok_or_else(|| corrupt("no \"tokenizer\" document".into()))?;
            let tok = super::hf_json::from_value_with(doc, source, from_ranks)?;
            if tok.model().kind() != kind {
                return Err(corrupt(format!(
                    "the file says model {kind:?} but its document holds a {} model",
                    tok.model().kind()
                )));
            }
            let flag =
                |key: &str| value.get(key).and_then(serde_json::Value::as_bool) == Some(true);
            let tok = if flag("merges_by_result") {
                super::sentencepiece::with_merges_by_result(&tok, source)?
            } else {
                tok
            };
            if flag("added_tokens_as_written") {
                let mut parts = tok.to_parts();
                parts.added_tokens_as_written = true;
                return Tokenizer::from_parts(parts).map_err(|e| match e {
                    Error::InvalidArgument(r) => corrupt(r),
                    e => e,
                });
            }
            Ok(tok)
        }
        Some(v) => Err(corrupt(format!(
            "unsupported version {v} (this build reads versions 1 and 2)"
        ))),
        None => Err(corrupt("no version".into())),
    }
}

fn from_value_v1(value: serde_json::Value, source: &str) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let f: NativeFileV1 = serde_json::from_value(value).map_err(|e| corrupt(format!("{e}")))?;
    if f.model != "bpe" {
        return Err(corrupt(format!("unsupported model type {:?}", f.model)));
    }
    let pre = PreTokenizer::named(&f.pre_tokenizer)
        .ok_or_else(|| corrupt(format!("unknown pre_tokenizer {:?}", f.pre_tokenizer)))?;
    if pre.is_byte_level() != f.byte_level {
        return Err(corrupt(format!(
            "byte_level is {} but the pre_tokenizer is {:?}",
            f.byte_level, f.pre_tokenizer
        )));
    }
    let settings = BpeSettings {
        byte_level: f.byte_level,
        end_of_word_suffix: f.end_of_word_suffix,
        continuing_subword_prefix: f.continuing_subword_prefix,
        unk_token: f.unk_token,
        ..BpeSettings::default()
    };
    let merges = merges_to_ids(&f.vocab, &f.merges, source)?;
    let model = BpeModel::from_parts(f.vocab, merges, settings, source)?;
    Tokenizer::new(
        model,
        f.normalizer.into(),
        pre,
        &f.special_tokens,
        f.template.as_deref(),
    )
    .map_err(|e| match e {
        Error::InvalidArgument(m) => corrupt(m),
        e => e,
    })
}

/// Resolves merges given as token strings to ids.
pub(crate) fn merges_to_ids(
    vocab: &[String],
    merges: &[(String, String)],
    source: &str,
) -> Result<Vec<(u32, u32)>> {
    let index: rustc_hash::FxHashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    merges
        .iter()
        .enumerate()
        .map(|(rank, (l, r))| {
            let id = |t: &str| {
                index.get(t).copied().ok_or_else(|| {
                    Error::corrupt(
                        source,
                        format!(
                            "merge {rank} refers to token {t:?}, which is not in the vocabulary"
                        ),
                    )
                })
            };
            Ok((id(l)?, id(r)?))
        })
        .collect()
}
