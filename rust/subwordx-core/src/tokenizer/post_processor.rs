//! Post-processors: what is added around encoded texts (HF `tokenizers`' components).
//!
//! * `TemplateProcessing`: single and pair templates of sequences and special tokens, each with a
//!   type id. Type ids follow the template even when special tokens are not added.
//! * `BertProcessing`: `[CLS] A [SEP]` and `B [SEP]` with type id 1 for the second text.
//! * `RobertaProcessing`: `<s> A </s>` and `</s> B </s>`, every type id 0; trims offsets as
//!   `ByteLevel` does when `trim_offsets`.
//! * `ByteLevel`: offsets only: with `trim_offsets`, a token's offsets leave out the spaces
//!   (`Ġ`) it starts or ends with.
//! * `Sequence`: each in turn.

use serde_json::{json, Value};

use super::encoding::Encoding;
use crate::{Error, Result};

/// Which text a template's sequence piece stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seq {
    A,
    B,
}

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePiece {
    Sequence { seq: Seq, type_id: u32 },
    Special { token: String, type_id: u32 },
}

/// A special token of a template: its ids and tokens (usually one of each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSpecial {
    pub name: String,
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
}

/// One HF post-processor component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostProcessor {
    Template {
        single: Vec<TemplatePiece>,
        pair: Vec<TemplatePiece>,
        specials: Vec<TemplateSpecial>,
    },
    Bert {
        sep: (String, u32),
        cls: (String, u32),
    },
    Roberta {
        sep: (String, u32),
        cls: (String, u32),
        trim_offsets: bool,
        add_prefix_space: bool,
    },
    ByteLevel {
        trim_offsets: bool,
        add_prefix_space: bool,
    },
    Sequence(Vec<PostProcessor>),
}

/// `Ġ`, the byte char of a space.
const SPACE_CHAR: char = '\u{120}';

/// HF's `process_offsets`: offsets that leave out leading/trailing spaces of each token.
fn trim_offsets(enc: &mut Encoding, tokens: &[&str], add_prefix_space: bool) {
    if !enc.is_detailed() {
        return;
    }
    let is_space = |c: &char| *c == SPACE_CHAR || c.is_whitespace();
    for (i, (tok, off)) in tokens.iter().zip(enc.offsets.iter_mut()).enumerate() {
        let mut leading = tok.chars().take_while(is_space).count();
        let trailing = tok.chars().rev().take_while(is_space).count();
        if leading > 0 {
            let is_first = i == 0 || off.0 == 0;
            if is_first && add_prefix_space && leading == 1 {
                leading = 0;
            }
            off.0 = (off.0 + leading).min(off.1);
        }
        if trailing > 0 && off.1 >= trailing {
            off.1 = (off.1 - trailing).max(off.0);
        }
    }
}

fn special(id: u32, type_id: u32, detailed: bool) -> Encoding {
    if !detailed {
        return Encoding {
            ids: vec![id],
            ..Encoding::default()
        };
    }
    Encoding {
        detailed: true,
        ids: vec![id],
        type_ids: vec![type_id],
        offsets: vec![(0, 0)],
        special_tokens_mask: vec![1],
        attention_mask: vec![1],
        word_ids: vec![None],
        sequence_ids: vec![None],
        overflowing: Vec::new(),
    }
}

impl PostProcessor {
    /// How many tokens it adds to one text (`pair == false`) or a pair.
    pub fn added_tokens(&self, pair: bool) -> usize {
        match self {
            PostProcessor::Template {
                single,
                pair: p,
                specials,
            } => {
                let t = if pair { p } else { single };
                t.iter()
                    .map(|piece| match piece {
                        TemplatePiece::Special { token, .. } => specials
                            .iter()
                            .find(|s| &s.name == token)
                            .map_or(0, |s| s.ids.len()),
                        TemplatePiece::Sequence { .. } => 0,
                    })
                    .sum()
            }
            PostProcessor::Bert { .. } => 2 + usize::from(pair),
            PostProcessor::Roberta { .. } => 2 + 2 * usize::from(pair),
            PostProcessor::ByteLevel { .. } => 0,
            PostProcessor::Sequence(parts) => parts.iter().map(|p| p.added_tokens(pair)).sum(),
        }
    }

    /// Processes the encodings of one text or a pair into one. `tokens_of` gives the token strings
    /// of an encoding (for offset trimming).
    pub fn process<'a>(
        &self,
        encodings: Vec<Encoding>,
        add_special_tokens: bool,
        tokens_of: &dyn Fn(&[u32]) -> Vec<&'a str>,
    ) -> Vec<Encoding> {
        let detailed = encodings.first().is_some_and(Encoding::is_detailed);
        match self {
            PostProcessor::Sequence(parts) => parts.iter().fold(encodings, |e, p| {
                p.process(e, add_special_tokens, tokens_of)
            }),
            PostProcessor::ByteLevel {
                trim_offsets: trim,
                add_prefix_space,
            } => {
                let mut encodings = encodings;
                if *trim {
                    for e in &mut encodings {
                        trim_all(e, tokens_of, *add_prefix_space);
                    }
                }
                encodings
            }
            PostProcessor::Template {
                single,
                pair,
                specials,
            } => {
                let template = if encodings.len() == 2 { pair } else { single };
                let mut out = Encoding {
                    detailed,
                    ..Encoding::default()
                };
                let mut parts = encodings;
                for piece in template {
                    match piece {
                        TemplatePiece::Sequence { seq, type_id } => {
                            let i = usize::from(*seq == Seq::B);
                            if let Some(e) = parts.get_mut(i) {
                                e.set_type_id(*type_id);
                                e.set_sequence_id(i as u32);
                                out.extend(e);
                            }
                        }
                        TemplatePiece::Special { token, type_id } => {
                            if !add_special_tokens {
                                continue;
                            }
                            if let Some(s) = specials.iter().find(|s| &s.name == token) {
                                for &id in &s.ids {
                                    out.extend(&special(id, *type_id, detailed));
                                }
                            }
                        }
                    }
                }
                vec![out]
            }
            PostProcessor::Bert { sep, cls } => {
                let mut parts = encodings;
                for (i, e) in parts.iter_mut().enumerate() {
                    e.set_type_id(i as u32);
                    e.set_sequence_id(i as u32);
                }
                if !add_special_tokens {
                    return parts;
                }
                let mut out = special(cls.1, 0, detailed);
                for (i, e) in parts.iter().enumerate() {
                    out.extend(e);
                    out.extend(&special(sep.1, i as u32, detailed));
                }
                vec![out]
            }
            PostProcessor::Roberta {
                sep,
                cls,
                trim_offsets: trim,
                add_prefix_space,
            } => {
                let mut parts = encodings;
                for (i, e) in parts.iter_mut().enumerate() {
                    if *trim {
                        trim_all(e, tokens_of, *add_prefix_space);
                    }
                    e.set_type_id(0);
                    e.set_sequence_id(i as u32);
                }
                if !add_special_tokens {
                    return parts;
                }
                let mut out = special(cls.1, 0, detailed);
                for (i, e) in parts.iter().enumerate() {
                    if i > 0 {
                        out.extend(&special(sep.1, 0, detailed));
                    }
                    out.extend(e);
                    out.extend(&special(sep.1, 0, detailed));
                }
                vec![out]
            }
        }
    }

    /// The single template as subwordx's short form (`["<s>", "$A", "</s>"]`), when this is a
    /// template that has one.
    pub fn single_template(&self) -> Option<Vec<String>> {
        match self {
            PostProcessor::Template { single, .. } => Some(
                single
                    .iter()
                    .map(|p| match p {
                        TemplatePiece::Sequence { seq: Seq::A, .. } => "$A".to_owned(),
                        TemplatePiece::Sequence { seq: Seq::B, .. } => "$B".to_owned(),
                        TemplatePiece::Special { token, .. } => token.clone(),
                    })
                    .collect(),
            ),
            PostProcessor::Bert { sep, cls } | PostProcessor::Roberta { sep, cls, .. } => {
                Some(vec![cls.0.clone(), "$A".to_owned(), sep.0.clone()])
            }
            PostProcessor::Sequence(parts) => parts.iter().find_map(PostProcessor::single_template),
            PostProcessor::ByteLevel { .. } => None,
        }
    }

    /// A template from subwordx's short form: `"$A"` is the text, anything else a special token
    /// (its id from `id_of`); the pair template appends `$B` with type id 1.
    pub fn from_short_template(
        pieces: &[String],
        id_of: impl Fn(&str) -> Option<u32>,
    ) -> Result<Self> {
        let mut single = Vec::new();
        let mut specials: Vec<TemplateSpecial> = Vec::new();
        for p in pieces {
            if p == "$A" {
                single.push(TemplatePiece::Sequence {
                    seq: Seq::A,
                    type_id: 0,
                });
            } else {
                let id = id_of(p).ok_or_else(|| {
                    Error::invalid(format!("template token {p:?} is not in the vocabulary"))
                })?;
                if !specials.iter().any(|s| &s.name == p) {
                    specials.push(TemplateSpecial {
                        name: p.clone(),
                        ids: vec![id],
                        tokens: vec![p.clone()],
                    });
                }
                single.push(TemplatePiece::Special {
                    token: p.clone(),
                    type_id: 0,
                });
            }
        }
        if !single
            .iter()
            .any(|p| matches!(p, TemplatePiece::Sequence { .. }))
        {
            return Err(Error::invalid("the template has no \"$A\""));
        }
        specials.sort_by(|a, b| a.name.cmp(&b.name));
        let mut pair = single.clone();
        pair.push(TemplatePiece::Sequence {
            seq: Seq::B,
            type_id: 1,
        });
        Ok(PostProcessor::Template {
            single,
            pair,
            specials,
        })
    }

    pub fn to_hf_json(&self) -> Value {
        let piece_json = |p: &TemplatePiece| match p {
            TemplatePiece::Sequence { seq, type_id } => json!({"Sequence": {
                "id": if *seq == Seq::A { "A" } else { "B" }, "type_id": type_id}}),
            TemplatePiece::Special { token, type_id } => {
                json!({"SpecialToken": {"id": token, "type_id": type_id}})
            }
        };
        match self {
            PostProcessor::Template {
                single,
                pair,
                specials,
            } => {
                let mut sp = serde_json::Map::new();
                for s in specials {
                    sp.insert(
                        s.name.clone(),
                        json!({"id": s.name, "ids": s.ids, "tokens": s.tokens}),
                    );
                }
                json!({"type": "TemplateProcessing",
                       "single": single.iter().map(piece_json).collect::<Vec<_>>(),
                       "pair": pair.iter().map(piece_json).collect::<Vec<_>>(),
                       "special_tokens": sp})
            }
            PostProcessor::Bert { sep, cls } => {
                json!({"type": "BertProcessing", "sep": [sep.0, sep.1], "cls": [cls.0, cls.1]})
            }
            PostProcessor::Roberta {
                sep,
                cls,
                trim_offsets,
                add_prefix_space,
            } => json!({"type": "RobertaProcessing", "sep": [sep.0, sep.1], "cls": [cls.0, cls.1],
                        "trim_offsets": trim_offsets, "add_prefix_space": add_prefix_space}),
            PostProcessor::ByteLevel {
                trim_offsets,
                add_prefix_space,
            } => json!({"type": "ByteLevel", "add_prefix_space": add_prefix_space,
                        "trim_offsets": trim_offsets, "use_regex": true}),
            PostProcessor::Sequence(parts) => json!({"type": "Sequence",
                "processors": parts.iter().map(PostProcessor::to_hf_json).collect::<Vec<_>>()}),
        }
    }

    /// Reads HF JSON (`null` → `None`). Token ids come from the file's own fields.
    pub fn from_hf_json(v: &Value, source: &str) -> Result<Option<Self>> {
        if v.is_null() {
            return Ok(None);
        }
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("?");
        let bad = |r: &str| Error::corrupt(source, format!("post_processor {kind}: {r}"));
        let flag = |k: &str, default: bool| v.get(k).and_then(Value::as_bool).unwrap_or(default);
        let token_pair = |k: &str| -> Result<(String, u32)> {
            let p = v
                .get(k)
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&format!("no {k}")))?;
            match p.as_slice() {
                [Value::String(t), id] => Ok((
                    t.clone(),
                    id.as_u64()
                        .and_then(|i| u32::try_from(i).ok())
                        .ok_or_else(|| bad(&format!("{k} id is not a u32")))?,
                )),
                _ => Err(bad(&format!("{k} is not [token, id]"))),
            }
        };
        Ok(Some(match kind {
            "TemplateProcessing" => {
                let pieces = |k: &str| -> Result<Vec<TemplatePiece>> {
                    let list = v
                        .get(k)
                        .and_then(Value::as_array)
                        .ok_or_else(|| bad(&format!("no {k} template")))?;
                    list.iter()
                        .map(|p| {
                            let type_id = |x: &Value| {
                                x.get("type_id")
                                    .and_then(Value::as_u64)
                                    .map_or(0, |t| t as u32)
                            };
                            if let Some(s) = p.get("SpecialToken") {
                                let token = s
                                    .get("id")
                                    .and_then(Value::as_str)
                                    .ok_or_else(|| bad("SpecialToken without id"))?;
                                Ok(TemplatePiece::Special {
                                    token: token.to_owned(),
                                    type_id: type_id(s),
                                })
                            } else if let Some(s) = p.get("Sequence") {
                                let seq = match s.get("id").and_then(Value::as_str) {
                                    Some("A") => Seq::A,
                                    Some("B") => Seq::B,
                                    _ => return Err(bad("Sequence id is not A or B")),
                                };
                                Ok(TemplatePiece::Sequence {
                                    seq,
                                    type_id: type_id(s),
                                })
                            } else {
                                Err(bad("a piece is neither SpecialToken nor Sequence"))
                            }
                        })
                        .collect()
                };
                let single = pieces("single")?;
                let pair = pieces("pair")?;
                let mut specials = Vec::new();
                if let Some(map) = v.get("special_tokens").and_then(Value::as_object) {
                    for (name, s) in map {
                        let ids = s
                            .get("ids")
                            .and_then(Value::as_array)
                            .ok_or_else(|| bad(&format!("special token {name:?} has no ids")))?
                            .iter()
                            .map(|i| i.as_u64().and_then(|i| u32::try_from(i).ok()))
                            .collect::<Option<Vec<u32>>>()
                            .ok_or_else(|| bad(&format!("special token {name:?}: bad id")))?;
                        let tokens = s
                            .get("tokens")
                            .and_then(Value::as_array)
                            .map(|t| {
                                t.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        specials.push(TemplateSpecial {
                            name: name.clone(),
                            ids,
                            tokens,
                        });
                    }
                }
                specials.sort_by(|a, b| a.name.cmp(&b.name));
                for p in single.iter().chain(&pair) {
                    if let TemplatePiece::Special { token, .. } = p {
                        if !specials.iter().any(|s| &s.name == token) {
                            return Err(bad(&format!(
                                "template token {token:?} is not in special_tokens"
                            )));
                        }
                    }
                }
                PostProcessor::Template {
                    single,
                    pair,
                    specials,
                }
            }
            "BertProcessing" => PostProcessor::Bert {
                sep: token_pair("sep")?,
                cls: token_pair("cls")?,
            },
            "RobertaProcessing" => PostProcessor::Roberta {
                sep: token_pair("sep")?,
                cls: token_pair("cls")?,
                trim_offsets: flag("trim_offsets", true),
                add_prefix_space: flag("add_prefix_space", true),
            },
            "ByteLevel" => PostProcessor::ByteLevel {
                trim_offsets: flag("trim_offsets", true),
                add_prefix_space: flag("add_prefix_space", true),
            },
            "Sequence" => {
                let parts = v
                    .get("processors")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("no processors list"))?;
                let mut out = Vec::new();
                for p in parts {
                    if let Some(pp) = Self::from_hf_json(p, source)? {
                        out.push(pp);
                    }
                }
                PostProcessor::Sequence(out)
            }
            other => {
                return Err(Error::corrupt(
                    source,
                    format!("unsupported post_processor {other}"),
                ))
            }
        }))
    }

    /// The ids of every special token the processor may add.
    pub fn special_ids(&self) -> Vec<u32> {
        match self {
            PostProcessor::Template { specials, .. } => specials
                .iter()
                .flat_map(|s| s.ids.iter().copied())
                .collect(),
            PostProcessor::Bert { sep, cls } | PostProcessor::Roberta { sep, cls, .. } => {
                vec![cls.1, sep.1]
            }
            PostProcessor::ByteLevel { .. } => Vec::new(),
            PostProcessor::Sequence(parts) => {
                parts.iter().flat_map(PostProcessor::special_ids).collect()
            }
        }
    }
}

fn trim_all<'a>(
    e: &mut Encoding,
    tokens_of: &dyn Fn(&[u32]) -> Vec<&'a str>,
    add_prefix_space: bool,
) {
    let ids = e.ids.clone();
    let toks = tokens_of(&ids);
    trim_offsets(e, &toks, add_prefix_space);
    for o in &mut e.overflowing {
        trim_all(o, tokens_of, add_prefix_space);
    }
}
