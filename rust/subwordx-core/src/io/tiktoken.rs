//! tiktoken's rank files (`cl100k_base.tiktoken`): one `base64(token bytes) rank` per line.
//!
//! A rank file holds no split pattern and no special tokens: they belong to the encoding, which
//! tiktoken names in code. For the known encodings (`gpt2` / `r50k_base`, `p50k_base`, `p50k_edit`,
//! `cl100k_base`, `o200k_base`) they are chosen by the file's name, as tiktoken's
//! `tiktoken_ext/openai_public.py` defines them; for any other file the caller names a pattern.
//!
//! The tokenizer built is a byte-level BPE whose merges are its ranks ([`BpeModel::from_ranks`]),
//! which is tiktoken's algorithm exactly. Special tokens are added tokens; ids tiktoken leaves
//! unused between the ranks and the special tokens are filled with unreachable placeholders
//! (`<unused N>`: a space is never a byte char, so no text encodes to them).

use serde_json::Value;

use crate::models::bpe::{BpeModel, BpeSettings};
use crate::models::Model;
use crate::normalize::Normalizer;
use crate::pretokenize::{bytes_to_unicode, PreTokenizer, SplitPattern};
use crate::tokenizer::{AddedToken, Decoder, Tokenizer, TokenizerParts};
use crate::{Error, Result};

/// A known tiktoken encoding: its split pattern and special tokens.
pub struct KnownEncoding {
    pub name: &'static str,
    pub pattern: SplitPattern,
    pub special_tokens: &'static [(&'static str, u32)],
}

const ENDOFTEXT_50K: &[(&str, u32)] = &[("<|endoftext|>", 50256)];
const P50K_EDIT: &[(&str, u32)] = &[
    ("<|endoftext|>", 50256),
    ("<|fim_prefix|>", 50281),
    ("<|fim_middle|>", 50282),
    ("<|fim_suffix|>", 50283),
];
const CL100K: &[(&str, u32)] = &[
    ("<|endoftext|>", 100_257),
    ("<|fim_prefix|>", 100_258),
    ("<|fim_middle|>", 100_259),
    ("<|fim_suffix|>", 100_260),
    ("<|endofprompt|>", 100_276),
];
const O200K: &[(&str, u32)] = &[("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)];

/// The encodings tiktoken knows, by the names its rank files carry.
pub const KNOWN_ENCODINGS: &[KnownEncoding] = &[
    KnownEncoding {
        name: "gpt2",
        pattern: SplitPattern::Gpt2,
        special_tokens: ENDOFTEXT_50K,
    },
    KnownEncoding {
        name: "r50k_base",
        pattern: SplitPattern::Gpt2,
        special_tokens: ENDOFTEXT_50K,
    },
    KnownEncoding {
        name: "p50k_base",
        pattern: SplitPattern::Gpt2,
        special_tokens: ENDOFTEXT_50K,
    },
    KnownEncoding {
        name: "p50k_edit",
        pattern: SplitPattern::Gpt2,
        special_tokens: P50K_EDIT,
    },
    KnownEncoding {
        name: "cl100k_base",
        pattern: SplitPattern::Cl100kTiktoken,
        special_tokens: CL100K,
    },
    KnownEncoding {
        name: "o200k_base",
        pattern: SplitPattern::O200k,
        special_tokens: O200K,
    },
];

/// The known encoding of a file stem (`cl100k_base`), if any.
pub fn known_encoding(name: &str) -> Option<&'static KnownEncoding> {
    KNOWN_ENCODINGS.iter().find(|k| k.name == name)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn b64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| B64.iter().position(|&x| x == c).map(|v| v as u32);
    let s = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            acc |= u32::from(b) << (16 - 8 * i);
        }
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((acc >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// How the split pattern and special tokens of a rank file are chosen.
#[derive(Clone, Debug, Default)]
pub struct TiktokenOptions {
    /// A known pattern name (`cl100k`, `gpt2`, ...), or a regex. `None`: by the file's name.
    pub pattern: Option<String>,
    /// Special tokens and their ids. `None`: the known encoding's (none for an unknown file).
    pub special_tokens: Option<Vec<(String, u32)>>,
}

/// Parses rank-file bytes. `name` is the encoding name (the file stem) that picks the pattern and
/// special tokens when `options` does not.
pub fn from_bytes(
    bytes: &[u8],
    name: &str,
    options: &TiktokenOptions,
    source: &str,
) -> Result<Tokenizer> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let table = bytes_to_unicode();
    // A line holds at least "x= 0": the count bounds the allocation.
    let lines = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let mut ranked: Vec<Option<String>> = Vec::new();
    let max_tokens = bytes.len() / 4 + 1;
    for (n, line) in lines.enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut parts = line.split(|&b| b == b' ');
        let (Some(tok), Some(rank), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(corrupt(format!(
                "line {}: not \"<base64 token> <rank>\"",
                n + 1
            )));
        };
        let token = b64_decode(tok)
            .ok_or_else(|| corrupt(format!("line {}: the token is not base64", n + 1)))?;
        let rank: usize = std::str::from_utf8(rank)
            .ok()
            .and_then(|r| r.parse().ok())
            .filter(|&r| r < max_tokens)
            .ok_or_else(|| corrupt(format!("line {}: bad rank", n + 1)))?;
        if token.is_empty() {
            return Err(corrupt(format!("line {}: empty token", n + 1)));
        }
        if ranked.len() <= rank {
            ranked.resize(rank + 1, None);
        }
        if ranked[rank].is_some() {
            return Err(corrupt(format!(
                "line {}: rank {rank} appears twice",
                n + 1
            )));
        }
        ranked[rank] = Some(token.iter().map(|&b| table[b as usize]).collect());
    }
    if ranked.is_empty() {
        return Err(corrupt("no tokens".into()));
    }
    let known = known_encoding(name);
    let pattern = match &options.pattern {
        Some(p) => {
            if let Some(pt) = PreTokenizer::named(p) {
                pt
            } else {
                let steps = serde_json::json!({"type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": p}, "behavior": "Isolated", "invert": false},
                    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]});
                PreTokenizer::from_hf_json(&steps, source)?
            }
        }
        None => match known {
            Some(k) => PreTokenizer::byte_level(k.pattern),
            None => {
                return Err(Error::invalid(format!(
                    "{source}: cannot tell the split pattern of a rank file named {name:?}; \
                     name one (pattern=\"cl100k\", \"o200k\", \"gpt2\", ... or a regex)"
                )))
            }
        },
    };
    if !pattern.is_byte_level() {
        return Err(Error::invalid(format!(
            "pattern {:?} is not a byte-level pre-tokenizer",
            options.pattern.as_deref().unwrap_or("")
        )));
    }
    let specials: Vec<(String, u32)> = match &options.special_tokens {
        Some(s) => s.clone(),
        None => known.map_or_else(Vec::new, |k| {
            k.special_tokens
                .iter()
                .map(|&(t, id)| (t.to_owned(), id))
                .collect()
        }),
    };
    let n_ranks = ranked.len();
    let size = specials
        .iter()
        .map(|&(_, id)| id as usize + 1)
        .max()
        .unwrap_or(0)
        .max(n_ranks);
    if size > n_ranks + specials.len() + 1_000_000 {
        return Err(Error::invalid("special token ids far beyond the ranks"));
    }
    ranked.resize(size, None);
    let mut added = Vec::new();
    for (t, id) in &specials {
        let slot = &mut ranked[*id as usize];
        if slot.is_some() {
            return Err(Error::invalid(format!(
                "special token {t:?} has id {id}, which a rank already uses"
            )));
        }
        *slot = Some(t.clone());
        added.push(AddedToken::special(t.clone(), *id));
    }
    let tokens: Vec<String> = ranked
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.unwrap_or_else(|| format!("<unused {i}>")))
        .collect();
    let model = BpeModel::from_ranks(tokens, None, source)?;
    Tokenizer::from_parts(TokenizerParts {
        normalizer: Normalizer::default(),
        pre_tokenizer: pattern,
        model: Model::Bpe(model),
        added_tokens: added,
        post_processor: None,
        decoder: Some(Decoder::ByteLevel),
        truncation: None,
        padding: None,
        added_tokens_as_written: false,
    })
}

/// The rank file of a byte-level BPE tokenizer: every token that stands for bytes, by id (ids
/// are ranks). Added tokens are left out (tiktoken keeps them in code).
pub fn to_string(tok: &Tokenizer) -> Result<String> {
    let Some(bpe) = tok.model().as_bpe() else {
        return Err(Error::invalid(
            "only BPE tokenizers have tiktoken rank files",
        ));
    };
    let settings: &BpeSettings = bpe.settings();
    if !settings.byte_level {
        return Err(Error::invalid(
            "only byte-level BPE tokenizers have tiktoken rank files",
        ));
    }
    if !settings.merges_from_ranks {
        // tiktoken merges by rank: the file is exact only when the merge order is the id order.
        let ordered = bpe.merges().iter().all(|&(l, r)| {
            bpe.merge_of(l, r)
                .is_some_and(|(_, new)| new > l && new > r)
        }) && bpe.merges().windows(2).all(|w| {
            let a = bpe.merge_of(w[0].0, w[0].1).map(|x| x.1);
            let b = bpe.merge_of(w[1].0, w[1].1).map(|x| x.1);
            a < b
        });
        if !ordered {
            return Err(Error::invalid(
                "this tokenizer's merge order is not its id order, so tiktoken (which merges by id) \
                 would encode differently",
            ));
        }
    }
    let added: Vec<u32> = tok.added_tokens().iter().map(|t| t.id).collect();
    let mut out = String::new();
    for (id, t) in tok.vocab().iter().enumerate() {
        if added.contains(&(id as u32)) {
            continue;
        }
        let Some(bytes) = crate::models::bpe::token_bytes(t) else {
            continue;
        };
        out.push_str(&b64_encode(&bytes));
        out.push(' ');
        out.push_str(&id.to_string());
        out.push('\n');
    }
    Ok(out)
}

/// The special tokens of `tok` as `(token, id)`, for callers that keep them beside a rank file.
pub fn special_tokens(tok: &Tokenizer) -> Value {
    let map: serde_json::Map<String, Value> = tok
        .added_tokens()
        .iter()
        .filter(|t| t.special)
        .map(|t| (t.content.clone(), Value::from(t.id)))
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for n in 0..20u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            assert_eq!(b64_decode(b64_encode(&bytes).as_bytes()).unwrap(), bytes);
        }
        assert_eq!(b64_encode(b"hello"), "aGVsbG8=");
        assert!(b64_decode(b"a").is_none());
    }
}
