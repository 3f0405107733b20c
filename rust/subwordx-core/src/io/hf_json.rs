//! Hugging Face `tokenizer.json` (the `tokenizers` serialization), read and written component by
//! component: each component module reads and writes its own JSON (normalizers, pre-tokenizers,
//! post-processors, decoders); this file assembles the document and reads the model.
//!
//! Reading accepts what HF writes for BPE models: merges as `"a b"` strings or `["a", "b"]`
//! pairs; added tokens outside the model vocabulary (ids must stay dense); the BPE options
//! `ignore_merges`, `byte_fallback`, `fuse_unk`, `unk_token`, `continuing_subword_prefix`,
//! `end_of_word_suffix`; truncation and padding. A component or option subwordx does not implement
//! is an [`Error::CorruptModel`] naming it, never a silent approximation. WordPiece models are read
//! with HF's defaults for the fields a file leaves out (`[UNK]`, `##`, 100 chars).

use serde_json::{json, Value};

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::models::unigram::UnigramModel;
use crate::models::wordpiece::{WordPieceModel, WordPieceSettings};
use crate::models::Model;
use crate::normalize::Normalizer;
use crate::pretokenize::PreTokenizer;
use crate::tokenizer::{
    AddedToken, Decoder, Direction, Padding, PostProcessor, Tokenizer, TokenizerParts, Truncation,
    TruncationStrategy,
};
use crate::{Error, Result};

fn truncation_json(t: &Truncation) -> Value {
    json!({
        "direction": match t.direction { Direction::Left => "Left", Direction::Right => "Right" },
        "max_length": t.max_length,
        "strategy": match t.strategy {
            TruncationStrategy::LongestFirst => "LongestFirst",
            TruncationStrategy::OnlyFirst => "OnlyFirst",
            TruncationStrategy::OnlySecond => "OnlySecond",
        },
        "stride": t.stride,
    })
}

fn padding_json(p: &Padding) -> Value {
    json!({
        "strategy": match p.length { None => json!("BatchLongest"), Some(n) => json!({"Fixed": n}) },
        "direction": match p.direction { Direction::Left => "Left", Direction::Right => "Right" },
        "pad_to_multiple_of": p.pad_to_multiple_of,
        "pad_id": p.pad_id,
        "pad_type_id": p.pad_type_id,
        "pad_token": p.pad_token,
    })
}

/// The `tokenizer.json` document of a tokenizer.
pub fn to_value(tok: &Tokenizer) -> Value {
    let vocab: serde_json::Map<String, Value> = tok
        .vocab()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), json!(i)))
        .collect();
    let merges: Vec<Value> = tok
        .merges()
        .into_iter()
        .map(|(l, r)| json!([l, r]))
        .collect();
    let added: Vec<Value> = tok
        .added_tokens()
        .iter()
        .map(|t| {
            json!({"id": t.id, "content": t.content, "single_word": t.single_word,
                   "lstrip": t.lstrip, "rstrip": t.rstrip, "normalized": t.normalized,
                   "special": t.special})
        })
        .collect();
    let model = match tok.model() {
        Model::Bpe(m) => {
            let s = m.settings();
            json!({
                "type": "BPE",
                "dropout": m.dropout(),
                "unk_token": s.unk_token,
                "continuing_subword_prefix": s.continuing_subword_prefix,
                "end_of_word_suffix": s.end_of_word_suffix,
                "fuse_unk": s.fuse_unk,
                "byte_fallback": s.byte_fallback,
                "ignore_merges": s.ignore_merges,
                "vocab": vocab,
                "merges": merges,
            })
        }
        Model::WordPiece(m) => {
            let s = m.settings();
            json!({
                "type": "WordPiece",
                "unk_token": s.unk_token,
                "continuing_subword_prefix": s.continuing_subword_prefix,
                "max_input_chars_per_word": s.max_input_chars_per_word,
                "vocab": vocab,
            })
        }
        Model::Unigram(m) => {
            let pieces: Vec<Value> = m
                .vocab()
                .iter()
                .zip(m.scores())
                .map(|(p, s)| json!([p, s]))
                .collect();
            let mut v = json!({
                "type": "Unigram",
                "unk_id": m.unk_id(),
                "vocab": pieces,
                "byte_fallback": m.byte_fallback(),
            });
            // subwordx's key (HF has no such thing): a SentencePiece model's control, byte and
            // unused pieces, never matched in text. Written only when there are some.
            if !m.reserved().is_empty() {
                v["reserved"] = json!(m.reserved());
            }
            // subwordx's key: the Viterbi sums in single precision (a SentencePiece model).
            if m.float32_sums() {
                v["float32_sums"] = json!(true);
            }
            v
        }
    };
    json!({
        "version": "1.0",
        "truncation": tok.truncation().map(truncation_json),
        "padding": tok.padding().map(padding_json),
        "added_tokens": added,
        "normalizer": tok.normalizer().to_hf_json(),
        "pre_tokenizer": tok.pre_tokenizer().to_hf_json(),
        "post_processor": tok.post_processor().map_or(Value::Null, PostProcessor::to_hf_json),
        "decoder": tok.decoder().map_or(Value::Null, Decoder::to_hf_json),
        "model": model,
    })
}

/// The `tokenizer.json` text of a tokenizer.
pub fn to_string(tok: &Tokenizer) -> String {
    serde_json::to_string_pretty(&to_value(tok)).unwrap_or_default()
}

/// Parses a `tokenizer.json` text; `source` names the file in errors.
pub fn from_str(text: &str, source: &str) -> Result<Tokenizer> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| Error::corrupt(source, format!("not valid JSON: {e}")))?;
    from_value(&doc, source)
}

fn read_direction(v: Option<&Value>, source: &str) -> Result<Direction> {
    match v.and_then(Value::as_str) {
        None | Some("Right") => Ok(Direction::Right),
        Some("Left") => Ok(Direction::Left),
        Some(other) => Err(Error::corrupt(
            source,
            format!("unknown direction {other:?}"),
        )),
    }
}

fn read_count(v: Option<&Value>, what: &str, source: &str) -> Result<usize> {
    v.and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::corrupt(source, format!("{what} is not a count")))
}

pub fn read_truncation(v: &Value, source: &str) -> Result<Option<Truncation>> {
    if v.is_null() {
        return Ok(None);
    }
    let strategy = match v.get("strategy").and_then(Value::as_str) {
        None | Some("LongestFirst") => TruncationStrategy::LongestFirst,
        Some("OnlyFirst") => TruncationStrategy::OnlyFirst,
        Some("OnlySecond") => TruncationStrategy::OnlySecond,
        Some(other) => {
            return Err(Error::corrupt(
                source,
                format!("unknown truncation strategy {other:?}"),
            ))
        }
    };
    Ok(Some(Truncation {
        max_length: read_count(v.get("max_length"), "truncation.max_length", source)?,
        stride: v
            .get("stride")
            .map_or(Ok(0), |s| read_count(Some(s), "truncation.stride", source))?,
        strategy,
        direction: read_direction(v.get("direction"), source)?,
    }))
}

pub fn read_padding(v: &Value, source: &str) -> Result<Option<Padding>> {
    if v.is_null() {
        return Ok(None);
    }
    let length = match v.get("strategy") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "BatchLongest" => None,
        Some(s) => Some(read_count(
            s.get("Fixed"),
            "padding.strategy.Fixed",
            source,
        )?),
    };
    let id = |k: &str| -> Result<u32> {
        v.get(k).map_or(Ok(0), |x| {
            x.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| Error::corrupt(source, format!("padding.{k} is not an id")))
        })
    };
    Ok(Some(Padding {
        length,
        pad_to_multiple_of: match v.get("pad_to_multiple_of") {
            None | Some(Value::Null) => None,
            Some(m) => Some(read_count(Some(m), "padding.pad_to_multiple_of", source)?),
        },
        pad_id: id("pad_id")?,
        pad_type_id: id("pad_type_id")?,
        pad_token: v
            .get("pad_token")
            .and_then(Value::as_str)
            .unwrap_or("[PAD]")
            .to_owned(),
        direction: read_direction(v.get("direction"), source)?,
    }))
}

/// Parses a `tokenizer.json` document.
pub fn from_value(doc: &Value, source: &str) -> Result<Tokenizer> {
    from_value_with(doc, source, false)
}

/// Parses a `tokenizer.json` document; `rank_merges` builds the BPE model from its ranks (the
/// subwordx format's `merges_from_ranks`, for tiktoken vocabularies).
pub(crate) fn from_value_with(doc: &Value, source: &str, rank_merges: bool) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let model = doc
        .get("model")
        .ok_or_else(|| corrupt("no \"model\"".into()))?;
    let mtype = model.get("type").and_then(Value::as_str).unwrap_or("BPE");
    if mtype != "BPE" && mtype != "WordPiece" && mtype != "Unigram" {
        return Err(corrupt(format!("unsupported model type {mtype}")));
    }
    let opt_str = |k: &str| -> Result<Option<String>> {
        match model.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(corrupt(format!("model.{k} is not a string"))),
        }
    };
    let flag = |k: &str| -> Result<bool> {
        match model.get(k) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(corrupt(format!("model.{k} is not a boolean"))),
        }
    };
    let unk_token = opt_str("unk_token")?;
    let prefix = opt_str("continuing_subword_prefix")?;
    let suffix = opt_str("end_of_word_suffix")?;
    // HF's BPE-dropout probability; encoding then draws from the tokenizer's seed stream.
    let dropout = match model.get("dropout") {
        None | Some(Value::Null) => None,
        Some(d) => match d.as_f64() {
            Some(p) if (0.0..=1.0).contains(&p) => Some(p),
            _ => {
                return Err(corrupt(format!(
                    "model.dropout must be a number in [0, 1] or null, got {d}"
                )))
            }
        },
    };

    // Vocabulary: the model's plus added tokens, dense ids.
    // Unigram: `[[piece, score], ...]` in id order; the others: `{token: id}`.
    let empty = serde_json::Map::new();
    let (vocab_obj, unigram_list) = if mtype == "Unigram" {
        let list = model
            .get("vocab")
            .and_then(Value::as_array)
            .ok_or_else(|| corrupt("model.vocab is missing or not a list".into()))?;
        (&empty, list.as_slice())
    } else {
        let obj = model
            .get("vocab")
            .and_then(Value::as_object)
            .ok_or_else(|| corrupt("model.vocab is missing or not an object".into()))?;
        (obj, &[][..])
    };
    let added_list = match doc.get("added_tokens") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(corrupt("added_tokens is not a list".into())),
    };
    // Dense ids cannot exceed the number of entries; checking first bounds the allocation.
    let max_ids = vocab_obj.len() + unigram_list.len() + added_list.len();
    let mut by_id: Vec<Option<String>> = Vec::new();
    let mut put = |token: &str, id: &Value| -> Result<u32> {
        let id = id
            .as_u64()
            .filter(|&i| i < u64::from(u32::MAX))
            .ok_or_else(|| corrupt(format!("token {token:?} has a bad id {id}")))?
            as usize;
        if id >= max_ids {
            return Err(corrupt(format!(
                "token {token:?} has id {id}, beyond the {max_ids} tokens"
            )));
        }
        if by_id.len() <= id {
            by_id.resize(id + 1, None);
        }
        match &by_id[id] {
            Some(prev) if prev != token => Err(corrupt(format!(
                "id {id} is given to both {prev:?} and {token:?}"
            ))),
            _ => {
                by_id[id] = Some(token.to_owned());
                Ok(id as u32)
            }
        }
    };
    for (t, id) in vocab_obj {
        put(t, id)?;
    }
    let mut unigram_scores = Vec::with_capacity(unigram_list.len());
    for (i, entry) in unigram_list.iter().enumerate() {
        let (piece, score) = match entry.as_array().map(Vec::as_slice) {
            Some([Value::String(p), s]) => (p, s.as_f64()),
            _ => {
                return Err(corrupt(format!(
                    "model.vocab[{i}] is not a [piece, score] pair"
                )))
            }
        };
        let score =
            score.ok_or_else(|| corrupt(format!("model.vocab[{i}] has no numeric score")))?;
        put(piece, &json!(i))?;
        unigram_scores.push(score);
    }
    let mut added_tokens = Vec::with_capacity(added_list.len());
    for a in &added_list {
        let content = a
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| corrupt("an added token has no content".into()))?;
        let id = put(content, a.get("id").unwrap_or(&Value::Null))?;
        let opt = |k: &str, default: bool| a.get(k).and_then(Value::as_bool).unwrap_or(default);
        let special = opt("special", false);
        added_tokens.push(AddedToken {
            content: content.to_owned(),
            id,
            special,
            single_word: opt("single_word", false),
            lstrip: opt("lstrip", false),
            rstrip: opt("rstrip", false),
            normalized: opt("normalized", !special),
        });
    }
    let vocab: Vec<String> = by_id
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| corrupt(format!("no token has id {i} (ids must be 0..n)"))))
        .collect::<Result<_>>()?;

    let pre = PreTokenizer::from_hf_json(doc.get("pre_tokenizer").unwrap_or(&Value::Null), source)?;
    let normalizer =
        Normalizer::from_hf_json(doc.get("normalizer").unwrap_or(&Value::Null), source)?;
    let post_processor =
        PostProcessor::from_hf_json(doc.get("post_processor").unwrap_or(&Value::Null), source)?;
    let decoder = Decoder::from_hf_json(doc.get("decoder").unwrap_or(&Value::Null), source)?;
    let truncation = read_truncation(doc.get("truncation").unwrap_or(&Value::Null), source)?;
    let padding = read_padding(doc.get("padding").unwrap_or(&Value::Null), source)?;

    let byte_level = pre.is_byte_level();
    let model = if mtype == "Unigram" {
        let unk_id = match model.get("unk_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|u| u32::try_from(u).ok())
                    .ok_or_else(|| corrupt("model.unk_id is not an id".into()))?,
            ),
        };
        let reserved: Vec<u32> = match model.get("reserved") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_u64()
                        .and_then(|u| u32::try_from(u).ok())
                        .filter(|&u| (u as usize) < vocab.len())
                        .ok_or_else(|| corrupt(format!("model.reserved holds a bad id {v}")))
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(corrupt("model.reserved is not a list".into())),
        };
        // Added tokens beyond the model's pieces score 0 (they are never matched in text).
        let pieces = vocab
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p, unigram_scores.get(i).copied().unwrap_or(0.0)))
            .collect();
        Model::Unigram(
            UnigramModel::new(pieces, unk_id, flag("byte_fallback")?)
                .map_err(|e| match e {
                    Error::CorruptModel { reason, .. } => corrupt(reason),
                    e => e,
                })?
                .with_reserved(&reserved)
                .with_float32_sums(flag("float32_sums")?),
        )
    } else if mtype == "WordPiece" {
        // HF's defaults for fields a file leaves out.
        let max_chars = match model.get("max_input_chars_per_word") {
            None | Some(Value::Null) => 100,
            Some(v) => read_count(Some(v), "model.max_input_chars_per_word", source)?,
        };
        let settings = WordPieceSettings {
            unk_token: unk_token.unwrap_or_else(|| "[UNK]".to_owned()),
            continuing_subword_prefix: match model.get("continuing_subword_prefix") {
                None | Some(Value::Null) => "##".to_owned(),
                Some(_) => prefix.unwrap_or_default(),
            },
            max_input_chars_per_word: max_chars,
        };
        Model::WordPiece(WordPieceModel::from_parts(vocab, settings, source)?)
    } else if rank_merges {
        Model::Bpe(BpeModel::from_ranks(vocab, unk_token, source)?.with_dropout(dropout)?)
    } else {
        let merges = read_merges(model, source)?;
        let settings = BpeSettings {
            byte_level,
            end_of_word_suffix: if byte_level { None } else { suffix },
            continuing_subword_prefix: if byte_level { None } else { prefix },
            unk_token,
            ignore_merges: flag("ignore_merges")?,
            byte_fallback: flag("byte_fallback")?,
            fuse_unk: flag("fuse_unk")?,
            merges_from_ranks: false,
            merges_by_result: false,
        };
        let merge_ids = super::native::merges_to_ids(&vocab, &merges, source)?;
        Model::Bpe(BpeModel::from_parts(vocab, merge_ids, settings, source)?.with_dropout(dropout)?)
    };
    Tokenizer::from_parts(TokenizerParts {
        normalizer,
        pre_tokenizer: pre,
        model,
        added_tokens,
        post_processor,
        decoder,
        truncation,
        padding,
        added_tokens_as_written: false,
    })
    .map_err(|e| match e {
        Error::InvalidArgument(m) => corrupt(m),
        e => e,
    })
}

fn read_merges(model: &Value, source: &str) -> Result<Vec<(String, String)>> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let merges_v = model
        .get("merges")
        .and_then(Value::as_array)
        .ok_or_else(|| corrupt("model.merges is missing or not a list".into()))?;
    let mut merges = Vec::with_capacity(merges_v.len());
    for (rank, m) in merges_v.iter().enumerate() {
        let pair = match m {
            Value::String(s) => {
                let mut it = s.split(' ');
                match (it.next(), it.next(), it.next()) {
                    (Some(l), Some(r), None) => (l.to_owned(), r.to_owned()),
                    _ => {
                        return Err(corrupt(format!(
                            "merge {rank} {s:?} is not two tokens separated by a space"
                        )))
                    }
                }
            }
            Value::Array(a) => match a.as_slice() {
                [Value::String(l), Value::String(r)] => (l.clone(), r.clone()),
                _ => return Err(corrupt(format!("merge {rank} is not a pair of strings"))),
            },
            _ => {
                return Err(corrupt(format!(
                    "merge {rank} is neither a string nor a pair"
                )))
            }
        };
        merges.push(pair);
    }
    Ok(merges)
}
