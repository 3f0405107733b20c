//! The subwordx format (`docs/bpe.md` §6): UTF-8 JSON with every setting, the vocabulary in id
//! order and the merges as `[left, right]` token pairs in rank order. Keys are written in the order
//! the docs give (a struct, not a map, so serde keeps field order).

use serde::{Deserialize, Serialize};

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::normalize::{LegacyNormalizer, Normalizer};
use crate::pretokenize::{PreTokenizer, SplitPattern};
use crate::tokenizer::{TemplatePiece, Tokenizer};
use crate::{Error, Result};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeFile {
    format: String,
    version: u32,
    model: String,
    byte_level: bool,
    normalizer: NativeNormalizer,
    pre_tokenizer: String,
    end_of_word_suffix: Option<String>,
    continuing_subword_prefix: Option<String>,
    unk_token: Option<String>,
    special_tokens: Vec<String>,
    template: Option<Vec<String>>,
    vocab: Vec<String>,
    merges: Vec<(String, String)>,
}

/// The normalizer of a subwordx file: the version-1 settings when they express it, otherwise the
/// HF `tokenizer.json` shape.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum NativeNormalizer {
    Legacy(LegacyNormalizer),
    Steps(Normalizer),
}

impl From<NativeNormalizer> for Normalizer {
    fn from(n: NativeNormalizer) -> Self {
        match n {
            NativeNormalizer::Legacy(l) => l.into(),
            NativeNormalizer::Steps(n) => n,
        }
    }
}

/// The name of a pre-tokenizer in the subwordx format.
pub fn pre_tokenizer_name(p: PreTokenizer) -> &'static str {
    match p {
        PreTokenizer::Whitespace => "whitespace",
        PreTokenizer::Bert => "bert",
        PreTokenizer::ByteLevel(SplitPattern::Gpt2) => "gpt2",
        PreTokenizer::ByteLevel(SplitPattern::Cl100k) => "cl100k",
        PreTokenizer::ByteLevel(SplitPattern::O200k) => "o200k",
    }
}

/// The pre-tokenizer of a name in the subwordx format.
pub fn pre_tokenizer_from_name(name: &str) -> Option<PreTokenizer> {
    Some(match name {
        "whitespace" => PreTokenizer::Whitespace,
        "bert" => PreTokenizer::Bert,
        "gpt2" => PreTokenizer::ByteLevel(SplitPattern::Gpt2),
        "cl100k" => PreTokenizer::ByteLevel(SplitPattern::Cl100k),
        "o200k" => PreTokenizer::ByteLevel(SplitPattern::O200k),
        _ => return None,
    })
}

/// The subwordx format of `tok` as a JSON string.
pub fn to_string(tok: &Tokenizer) -> String {
    let s = tok.model().settings();
    let file = NativeFile {
        format: "subwordx".into(),
        version: 1,
        model: "bpe".into(),
        byte_level: s.byte_level,
        normalizer: match tok.normalizer().to_legacy() {
            Some(l) => NativeNormalizer::Legacy(l),
            None => NativeNormalizer::Steps(tok.normalizer().clone()),
        },
        pre_tokenizer: pre_tokenizer_name(tok.pre_tokenizer()).into(),
        end_of_word_suffix: s.end_of_word_suffix.clone(),
        continuing_subword_prefix: s.continuing_subword_prefix.clone(),
        unk_token: s.unk_token.clone(),
        special_tokens: tok.special_tokens().to_vec(),
        template: tok
            .template()
            .map(|t| t.iter().map(|p| p.as_str().to_owned()).collect()),
        vocab: tok.vocab().to_vec(),
        merges: tok
            .merges()
            .into_iter()
            .map(|(l, r)| (l.to_owned(), r.to_owned()))
            .collect(),
    };
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
    let f: NativeFile = serde_json::from_value(value).map_err(|e| corrupt(format!("{e}")))?;
    if f.format != "subwordx" {
        return Err(corrupt(format!(
            "format is {:?}, not \"subwordx\"",
            f.format
        )));
    }
    if f.version != 1 {
        return Err(corrupt(format!(
            "unsupported version {} (this build reads version 1)",
            f.version
        )));
    }
    if f.model != "bpe" {
        return Err(corrupt(format!("unsupported model type {:?}", f.model)));
    }
    let pre = pre_tokenizer_from_name(&f.pre_tokenizer)
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
    };
    let merges = merges_to_ids(&f.vocab, &f.merges, source)?;
    let model = BpeModel::from_parts(f.vocab, merges, settings, source)?;
    let template = f
        .template
        .map(|t| t.iter().map(|s| TemplatePiece::parse(s)).collect());
    Tokenizer::new(model, f.normalizer.into(), pre, f.special_tokens, template).map_err(|e| match e
    {
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
