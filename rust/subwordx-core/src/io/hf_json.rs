//! Hugging Face `tokenizer.json` (the `tokenizers` serialization), BPE models only.
//!
//! Writing maps each subwordx setting to its HF component: classic → model `BPE` with
//! `end_of_word_suffix`/`continuing_subword_prefix`/`unk_token`, pre-tokenizer `WhitespaceSplit` or
//! `BertPreTokenizer`, decoder `BPEDecoder` (suffix), `WordPiece` (prefix) or `Fuse`; byte-level
//! gpt2 → `ByteLevel{use_regex: true}` for both; cl100k/o200k → `Sequence[Split{Regex, Isolated},
//! ByteLevel{use_regex: false}]`; the normalizer → its own HF shape
//! ([`Normalizer::to_hf_json`]); special tokens → `added_tokens` with `special: true`; the template →
//! `TemplateProcessing`. `ignore_merges` is false, so HF encodes by merges exactly as we do.
//!
//! Reading accepts files other tools wrote when every component has a subwordx equivalent:
//! merges as `"a b"` strings or `["a", "b"]` pairs; added tokens outside the model vocabulary
//! (ids must stay dense); `BertProcessing`/`RobertaProcessing` become a template. Non-special added
//! tokens are treated as ordinary vocabulary entries (not matched in the input).

use serde_json::{json, Value};

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::normalize::Normalizer;
use crate::pretokenize::{PreTokenizer, SplitPattern};
use crate::tokenizer::{TemplatePiece, Tokenizer};
use crate::{Error, Result};

fn byte_level_json(use_regex: bool) -> Value {
    json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": use_regex})
}

fn pre_tokenizer_json(p: PreTokenizer) -> Value {
    match p {
        PreTokenizer::Whitespace => json!({"type": "WhitespaceSplit"}),
        PreTokenizer::Bert => json!({"type": "BertPreTokenizer"}),
        PreTokenizer::ByteLevel(SplitPattern::Gpt2) => byte_level_json(true),
        PreTokenizer::ByteLevel(pattern) => json!({
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pattern.pattern()}, "behavior": "Isolated", "invert": false},
                byte_level_json(false),
            ]
        }),
    }
}

/// The `tokenizer.json` text of a tokenizer.
pub fn to_string(tok: &Tokenizer) -> String {
    let s = tok.model().settings();
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
        .special_tokens()
        .iter()
        .filter_map(|t| tok.token_to_id(t).map(|id| (id, t)))
        .map(|(id, t)| {
            json!({"id": id, "content": t, "single_word": false, "lstrip": false, "rstrip": false,
                   "normalized": false, "special": true})
        })
        .collect();
    let post = match tok.template() {
        None => Value::Null,
        Some(t) => {
            let single: Vec<Value> = t
                .iter()
                .map(|p| match p {
                    TemplatePiece::Sequence => json!({"Sequence": {"id": "A", "type_id": 0}}),
                    TemplatePiece::Special(s) => json!({"SpecialToken": {"id": s, "type_id": 0}}),
                })
                .collect();
            let mut pair = single.clone();
            pair.push(json!({"Sequence": {"id": "B", "type_id": 1}}));
            let mut specials = serde_json::Map::new();
            for p in t {
                if let TemplatePiece::Special(s) = p {
                    let id = tok.token_to_id(s).unwrap_or(0);
                    specials.insert(s.clone(), json!({"id": s, "ids": [id], "tokens": [s]}));
                }
            }
            json!({"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials})
        }
    };
    let decoder = if s.byte_level {
        byte_level_json(true)
    } else if let Some(p) = &s.continuing_subword_prefix {
        json!({"type": "WordPiece", "prefix": p, "cleanup": false})
    } else if let Some(sfx) = &s.end_of_word_suffix {
        json!({"type": "BPEDecoder", "suffix": sfx})
    } else {
        json!({"type": "Fuse"})
    };
    let doc = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": tok.normalizer().to_hf_json(),
        "pre_tokenizer": pre_tokenizer_json(tok.pre_tokenizer()),
        "post_processor": post,
        "decoder": decoder,
        "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": s.unk_token,
            "continuing_subword_prefix": s.continuing_subword_prefix,
            "end_of_word_suffix": s.end_of_word_suffix,
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": false,
            "vocab": vocab,
            "merges": merges,
        }
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn type_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("?")
}

fn read_pre_tokenizer(v: &Value, source: &str) -> Result<PreTokenizer> {
    let unsupported =
        |what: &str| Error::corrupt(source, format!("unsupported pre_tokenizer {what}"));
    let byte_level_ok = |b: &Value| {
        type_of(b) == "ByteLevel"
            && !b
                .get("add_prefix_space")
                .and_then(Value::as_bool)
                .unwrap_or(false)
    };
    match type_of(v) {
        "WhitespaceSplit" => Ok(PreTokenizer::Whitespace),
        "BertPreTokenizer" => Ok(PreTokenizer::Bert),
        "ByteLevel"
            if byte_level_ok(v) && v.get("use_regex").and_then(Value::as_bool).unwrap_or(true) =>
        {
            Ok(PreTokenizer::ByteLevel(SplitPattern::Gpt2))
        }
        "ByteLevel" => Err(unsupported(
            "ByteLevel with add_prefix_space=true or use_regex=false",
        )),
        "Sequence" => {
            let parts = v.get("pretokenizers").and_then(Value::as_array);
            if let Some([split, bl]) = parts.map(Vec::as_slice) {
                let pat = split.pointer("/pattern/Regex").and_then(Value::as_str);
                if type_of(split) == "Split" && byte_level_ok(bl) {
                    for p in [
                        SplitPattern::Gpt2,
                        SplitPattern::Cl100k,
                        SplitPattern::O200k,
                    ] {
                        if pat == Some(p.pattern()) {
                            return Ok(PreTokenizer::ByteLevel(p));
                        }
                    }
                }
            }
            Err(unsupported(
                "Sequence (only Split with the gpt2/cl100k/o200k regex + ByteLevel)",
            ))
        }
        other => Err(unsupported(other)),
    }
}

fn read_template(v: &Value, source: &str) -> Result<Option<Vec<TemplatePiece>>> {
    let bad = |r: &str| Error::corrupt(source, format!("post_processor: {r}"));
    let token_of =
        |x: &Value| -> Option<String> { x.get(0).and_then(Value::as_str).map(str::to_owned) };
    match type_of(v) {
        "TemplateProcessing" => {
            let single = v
                .get("single")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("no single template"))?;
            let mut out = Vec::new();
            for p in single {
                if let Some(s) = p.pointer("/SpecialToken/id").and_then(Value::as_str) {
                    out.push(TemplatePiece::Special(s.to_owned()));
                } else if p.get("Sequence").is_some() {
                    out.push(TemplatePiece::Sequence);
                } else {
                    return Err(bad("template piece is neither SpecialToken nor Sequence"));
                }
            }
            Ok(Some(out))
        }
        "BertProcessing" | "RobertaProcessing" => {
            let cls = v
                .get("cls")
                .and_then(token_of)
                .ok_or_else(|| bad("no cls"))?;
            let sep = v
                .get("sep")
                .and_then(token_of)
                .ok_or_else(|| bad("no sep"))?;
            Ok(Some(vec![
                TemplatePiece::Special(cls),
                TemplatePiece::Sequence,
                TemplatePiece::Special(sep),
            ]))
        }
        "ByteLevel" => Ok(None),
        other => Err(bad(&format!("unsupported type {other}"))),
    }
}

/// Parses a `tokenizer.json` text; `source` names the file in errors.
pub fn from_str(text: &str, source: &str) -> Result<Tokenizer> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| Error::corrupt(source, format!("not valid JSON: {e}")))?;
    from_value(&doc, source)
}

/// Parses a `tokenizer.json` document.
pub fn from_value(doc: &Value, source: &str) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let model = doc
        .get("model")
        .ok_or_else(|| corrupt("no \"model\"".into()))?;
    let mtype = model.get("type").and_then(Value::as_str).unwrap_or("BPE");
    if mtype != "BPE" {
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
    let unk_token = opt_str("unk_token")?;
    let prefix = opt_str("continuing_subword_prefix")?;
    let suffix = opt_str("end_of_word_suffix")?;
    if model
        .get("dropout")
        .is_some_and(|d| d.as_f64().is_some_and(|d| d > 0.0))
    {
        return Err(corrupt("BPE dropout is not supported".into()));
    }
    if model.get("ignore_merges").and_then(Value::as_bool) == Some(true) {
        return Err(corrupt("ignore_merges=true is not supported".into()));
    }

    // Vocabulary: the model's plus added tokens, dense ids.
    let vocab_obj = model
        .get("vocab")
        .and_then(Value::as_object)
        .ok_or_else(|| corrupt("model.vocab is missing or not an object".into()))?;
    let n_added = doc
        .get("added_tokens")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    // Dense ids cannot exceed the number of entries; checking first bounds the allocation.
    let max_ids = vocab_obj.len() + n_added;
    let mut by_id: Vec<Option<String>> = Vec::new();
    let mut put = |token: &str, id: &Value| -> Result<()> {
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
                Ok(())
            }
        }
    };
    for (t, id) in vocab_obj {
        put(t, id)?;
    }
    let mut special_tokens = Vec::new();
    if let Some(added) = doc.get("added_tokens") {
        let added = added
            .as_array()
            .ok_or_else(|| corrupt("added_tokens is not a list".into()))?;
        for a in added {
            let content = a
                .get("content")
                .and_then(Value::as_str)
                .ok_or_else(|| corrupt("an added token has no content".into()))?;
            put(content, a.get("id").unwrap_or(&Value::Null))?;
            if a.get("special").and_then(Value::as_bool).unwrap_or(false) {
                special_tokens.push(content.to_owned());
            }
        }
    }
    let vocab: Vec<String> = by_id
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| corrupt(format!("no token has id {i} (ids must be 0..n)"))))
        .collect::<Result<_>>()?;

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

    let pre = match doc.get("pre_tokenizer") {
        None | Some(Value::Null) => return Err(corrupt("unsupported pre_tokenizer null".into())),
        Some(p) => read_pre_tokenizer(p, source)?,
    };
    let normalizer = match doc.get("normalizer") {
        Some(n) => Normalizer::from_hf_json(n, source)?,
        None => Normalizer::default(),
    };
    let template = match doc.get("post_processor") {
        None | Some(Value::Null) => None,
        Some(p) => read_template(p, source)?,
    };
    let byte_level = pre.is_byte_level();
    let settings = BpeSettings {
        byte_level,
        end_of_word_suffix: if byte_level { None } else { suffix },
        continuing_subword_prefix: if byte_level { None } else { prefix },
        unk_token,
    };
    let merge_ids = super::native::merges_to_ids(&vocab, &merges, source)?;
    let model = BpeModel::from_parts(vocab, merge_ids, settings, source)?;
    Tokenizer::new(model, normalizer, pre, special_tokens, template).map_err(|e| match e {
        Error::InvalidArgument(m) => corrupt(m),
        e => e,
    })
}
