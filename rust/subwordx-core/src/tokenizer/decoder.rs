//! Decoders: token strings back to text, HF `tokenizers`' components and semantics.
//!
//! Each decoder maps the list of token strings to a new list (`decode_chain`); the result is
//! joined with nothing. Without a decoder, tokens are joined with spaces (as HF does).

use serde_json::{json, Value};

use crate::pretokenize::{unicode_to_byte, PatternSource};
use crate::{Error, Result};

/// One HF decoder component.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoder {
    /// Byte chars back to bytes, then UTF-8 (invalid sequences → U+FFFD).
    ByteLevel,
    /// The end-of-word suffix becomes a space (none after the last token).
    Bpe {
        suffix: String,
    },
    /// Tokens starting with the prefix glue to the previous one; others get a space before them.
    WordPiece {
        prefix: String,
        cleanup: bool,
    },
    /// The replacement char becomes a space; the first token's leading space goes unless
    /// `prepend_scheme` is `never`.
    Metaspace {
        replacement: char,
        prepend_scheme: String,
        split: bool,
    },
    /// Runs of `<0xNN>` tokens become the text of their bytes (U+FFFD per byte if not UTF-8).
    ByteFallback,
    /// All tokens become one.
    Fuse,
    /// Removes up to `start` leading and `stop` trailing `content` chars from each token.
    Strip {
        content: char,
        start: usize,
        stop: usize,
    },
    /// Replaces a literal or regex in each token.
    Replace {
        pattern: PatternSource,
        content: String,
    },
    Sequence(Vec<Decoder>),
}

/// HF's `cleanup` of `WordPiece` output: spaces before punctuation and in contractions.
fn cleanup(s: &str) -> String {
    s.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
}

fn byte_of_fallback(token: &str) -> Option<u8> {
    let hex = token.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

impl Decoder {
    /// Applies this decoder to the token strings.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Decoder::ByteLevel => {
                let mut bytes = Vec::new();
                for t in &tokens {
                    token_bytes(t, &mut bytes);
                }
                vec![String::from_utf8_lossy(&bytes).into_owned()]
            }
            Decoder::Bpe { suffix } => {
                let n = tokens.len();
                tokens
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| t.replace(suffix.as_str(), if i + 1 == n { "" } else { " " }))
                    .collect()
            }
            Decoder::WordPiece { prefix, cleanup: c } => tokens
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    let t = if i == 0 {
                        t
                    } else if let Some(rest) = t.strip_prefix(prefix.as_str()) {
                        rest.to_owned()
                    } else {
                        format!(" {t}")
                    };
                    if *c {
                        cleanup(&t)
                    } else {
                        t
                    }
                })
                .collect(),
            Decoder::Metaspace {
                replacement,
                prepend_scheme,
                ..
            } => tokens
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    let t: String = t
                        .chars()
                        .map(|c| if c == *replacement { ' ' } else { c })
                        .collect();
                    if i == 0 && prepend_scheme != "never" {
                        t.strip_prefix(' ').map(str::to_owned).unwrap_or(t)
                    } else {
                        t
                    }
                })
                .collect(),
            Decoder::ByteFallback => {
                let mut out = Vec::with_capacity(tokens.len());
                let mut pending: Vec<u8> = Vec::new();
                let flush = |pending: &mut Vec<u8>, out: &mut Vec<String>| {
                    if pending.is_empty() {
                        return;
                    }
                    match String::from_utf8(std::mem::take(pending)) {
                        Ok(s) => out.push(s),
                        Err(e) => {
                            for _ in 0..e.as_bytes().len() {
                                out.push("\u{FFFD}".to_owned());
                            }
                        }
                    }
                };
                for t in tokens {
                    if let Some(b) = byte_of_fallback(&t) {
                        pending.push(b);
                    } else {
                        flush(&mut pending, &mut out);
                        out.push(t);
                    }
                }
                flush(&mut pending, &mut out);
                out
            }
            Decoder::Fuse => vec![tokens.concat()],
            Decoder::Strip {
                content,
                start,
                stop,
            } => tokens
                .into_iter()
                .map(|t| {
                    let chars: Vec<char> = t.chars().collect();
                    let lead = chars
                        .iter()
                        .take(*start)
                        .take_while(|c| **c == *content)
                        .count();
                    let trail = chars[lead..]
                        .iter()
                        .rev()
                        .take(*stop)
                        .take_while(|c| **c == *content)
                        .count();
                    chars[lead..chars.len() - trail].iter().collect()
                })
                .collect(),
            Decoder::Replace { pattern, content } => {
                let re = match pattern {
                    PatternSource::Regex(r) => regex::Regex::new(r).ok(),
                    PatternSource::String(_) => None,
                };
                tokens
                    .into_iter()
                    .map(|t| match (pattern, &re) {
                        (PatternSource::String(s), _) if !s.is_empty() => {
                            t.replace(s.as_str(), content)
                        }
                        (PatternSource::Regex(_), Some(re)) => {
                            re.replace_all(&t, regex::NoExpand(content)).into_owned()
                        }
                        _ => t,
                    })
                    .collect()
            }
            Decoder::Sequence(parts) => parts.iter().fold(tokens, |t, d| d.decode_chain(t)),
        }
    }

    /// Decodes tokens to text.
    pub fn decode(&self, tokens: Vec<String>) -> String {
        self.decode_chain(tokens).concat()
    }

    pub fn to_hf_json(&self) -> Value {
        match self {
            Decoder::ByteLevel => {
                json!({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true})
            }
            Decoder::Bpe { suffix } => json!({"type": "BPEDecoder", "suffix": suffix}),
            Decoder::WordPiece { prefix, cleanup } => {
                json!({"type": "WordPiece", "prefix": prefix, "cleanup": cleanup})
            }
            Decoder::Metaspace {
                replacement,
                prepend_scheme,
                split,
            } => json!({"type": "Metaspace", "replacement": replacement.to_string(),
                        "prepend_scheme": prepend_scheme, "split": split}),
            Decoder::ByteFallback => json!({"type": "ByteFallback"}),
            Decoder::Fuse => json!({"type": "Fuse"}),
            Decoder::Strip {
                content,
                start,
                stop,
            } => {
                json!({"type": "Strip", "content": content.to_string(), "start": start, "stop": stop})
            }
            Decoder::Replace { pattern, content } => {
                json!({"type": "Replace", "pattern": pattern.to_hf_json(), "content": content})
            }
            Decoder::Sequence(parts) => json!({"type": "Sequence",
                "decoders": parts.iter().map(Decoder::to_hf_json).collect::<Vec<_>>()}),
        }
    }

    /// Reads HF JSON (`null` → `None`); an unsupported decoder is an error naming it.
    pub fn from_hf_json(v: &Value, source: &str) -> Result<Option<Decoder>> {
        if v.is_null() {
            return Ok(None);
        }
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("?");
        let bad = |r: &str| Error::corrupt(source, format!("decoder {kind}: {r}"));
        let string = |k: &str, default: &str| -> Result<String> {
            match v.get(k) {
                None | Some(Value::Null) => Ok(default.to_owned()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(bad(&format!("{k} is not a string"))),
            }
        };
        let one_char = |k: &str, default: char| -> Result<char> {
            let s = string(k, &default.to_string())?;
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(bad(&format!("{k} must be one char"))),
            }
        };
        let count = |k: &str| -> Result<usize> {
            v.get(k)
                .map_or(Some(0), Value::as_u64)
                .map(|n| n as usize)
                .ok_or_else(|| bad(&format!("{k} is not a count")))
        };
        Ok(Some(match kind {
            "ByteLevel" => Decoder::ByteLevel,
            "BPEDecoder" => Decoder::Bpe {
                suffix: string("suffix", "</w>")?,
            },
            "WordPiece" => Decoder::WordPiece {
                prefix: string("prefix", "##")?,
                cleanup: v.get("cleanup").and_then(Value::as_bool).unwrap_or(true),
            },
            "Metaspace" => Decoder::Metaspace {
                replacement: one_char("replacement", '▁')?,
                prepend_scheme: match v.get("prepend_scheme").and_then(Value::as_str) {
                    Some(s) => s.to_owned(),
                    None if v.get("add_prefix_space").and_then(Value::as_bool) == Some(false) => {
                        "never".to_owned()
                    }
                    None => "always".to_owned(),
                },
                split: v.get("split").and_then(Value::as_bool).unwrap_or(true),
            },
            "ByteFallback" => Decoder::ByteFallback,
            "Fuse" => Decoder::Fuse,
            "Strip" => Decoder::Strip {
                content: one_char("content", ' ')?,
                start: count("start")?,
                stop: count("stop")?,
            },
            "Replace" => {
                let p = v.get("pattern").ok_or_else(|| bad("no pattern"))?;
                let pattern = PatternSource::from_hf_json(p)
                    .ok_or_else(|| bad("pattern is neither String nor Regex"))?;
                if let PatternSource::Regex(r) = &pattern {
                    regex::Regex::new(r).map_err(|e| bad(&e.to_string()))?;
                }
                Decoder::Replace {
                    pattern,
                    content: string("content", "")?,
                }
            }
            "Sequence" => {
                let parts = v
                    .get("decoders")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("no decoders list"))?;
                let mut out = Vec::new();
                for p in parts {
                    if let Some(d) = Self::from_hf_json(p, source)? {
                        out.push(d);
                    }
                }
                Decoder::Sequence(out)
            }
            other => {
                return Err(Error::corrupt(
                    source,
                    format!("unsupported decoder {other}"),
                ))
            }
        }))
    }
}

/// Appends the bytes a byte-level token stands for; a token with other chars (an added token) is
/// its own UTF-8, as HF's `ByteLevel` decoder does.
pub(crate) fn token_bytes(token: &str, out: &mut Vec<u8>) {
    let start = out.len();
    for c in token.chars() {
        if let Some(b) = unicode_to_byte(c) {
            out.push(b);
        } else {
            out.truncate(start);
            out.extend_from_slice(token.as_bytes());
            return;
        }
    }
}
