//! The HF `tokenizer.json` shape of normalizers (`normalizers/mod.rs` `NormalizerWrapper` in
//! `tokenizers`): `{"type": "NFC"}`, `{"type": "Sequence", "normalizers": [..]}`, ... and the serde
//! impls of [`Normalizer`] that read and write it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

use super::{Normalizer, NormalizerStep, ReplacePattern, ReplaceRegex};
use crate::{Error, Result};

impl NormalizerStep {
    /// The step as one HF normalizer object.
    pub fn to_hf_json(&self) -> Value {
        match self {
            NormalizerStep::Nfc => json!({"type": "NFC"}),
            NormalizerStep::Nfd => json!({"type": "NFD"}),
            NormalizerStep::Nfkc => json!({"type": "NFKC"}),
            NormalizerStep::Nfkd => json!({"type": "NFKD"}),
            NormalizerStep::Lowercase => json!({"type": "Lowercase"}),
            NormalizerStep::StripAccents => json!({"type": "StripAccents"}),
            NormalizerStep::Strip { left, right } => {
                json!({"type": "Strip", "strip_left": left, "strip_right": right})
            }
            NormalizerStep::Replace { pattern, content } => {
                let pattern = match pattern {
                    ReplacePattern::String(s) => json!({"String": s}),
                    ReplacePattern::Regex(r) => json!({"Regex": r.as_str()}),
                };
                json!({"type": "Replace", "pattern": pattern, "content": content})
            }
            NormalizerStep::Prepend(s) => json!({"type": "Prepend", "prepend": s}),
            NormalizerStep::Precompiled(m) => json!({
                "type": "Precompiled",
                "precompiled_charsmap": crate::io::tiktoken::b64_encode(m.as_bytes()),
            }),
            NormalizerStep::Bert {
                clean_text,
                handle_chinese_chars,
                strip_accents,
                lowercase,
            } => json!({
                "type": "BertNormalizer",
                "clean_text": clean_text,
                "handle_chinese_chars": handle_chinese_chars,
                "strip_accents": strip_accents,
                "lowercase": lowercase,
            }),
        }
    }
}

/// Appends the steps of the HF normalizer `v` to `out`, flattening sequences.
fn read_into(v: &Value, source: &str, out: &mut Vec<NormalizerStep>) -> Result<()> {
    let Some(obj) = v.as_object() else {
        return Err(Error::corrupt(
            source,
            format!("normalizer is not an object: {v}"),
        ));
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("?");
    let bad = |what: &str| Error::corrupt(source, format!("normalizer {kind}: {what}"));
    // Booleans default to the HF constructors' defaults when absent.
    let flag = |key: &str, default: bool| -> Result<bool> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(bad(&format!("{key} is not a boolean: {other}"))),
        }
    };
    let string = |key: &str| -> Result<String> {
        obj.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| bad(&format!("{key} is missing or not a string")))
    };
    let step = match kind {
        "Sequence" => {
            let parts = obj
                .get("normalizers")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("normalizers is missing or not a list"))?;
            for p in parts {
                read_into(p, source, out)?;
            }
            return Ok(());
        }
        "NFC" => NormalizerStep::Nfc,
        "NFD" => NormalizerStep::Nfd,
        "NFKC" => NormalizerStep::Nfkc,
        "NFKD" => NormalizerStep::Nfkd,
        "Lowercase" => NormalizerStep::Lowercase,
        "StripAccents" => NormalizerStep::StripAccents,
        "Strip" => NormalizerStep::Strip {
            left: flag("strip_left", true)?,
            right: flag("strip_right", true)?,
        },
        "Replace" => {
            let p = obj
                .get("pattern")
                .and_then(Value::as_object)
                .ok_or_else(|| bad("pattern is missing"))?;
            let pattern = match (
                p.get("String").and_then(Value::as_str),
                p.get("Regex").and_then(Value::as_str),
            ) {
                (Some(s), None) => ReplacePattern::String(s.to_owned()),
                (None, Some(r)) => {
                    ReplacePattern::Regex(ReplaceRegex::new(r).map_err(|e| bad(&e))?)
                }
                _ => {
                    return Err(bad(
                        "pattern is neither {\"String\": ..} nor {\"Regex\": ..}",
                    ))
                }
            };
            NormalizerStep::Replace {
                pattern,
                content: string("content")?,
            }
        }
        "Prepend" => NormalizerStep::Prepend(string("prepend")?),
        "Precompiled" => {
            // HF writes an empty (or null) charsmap for SentencePiece models without one.
            let b64 = obj
                .get("precompiled_charsmap")
                .and_then(Value::as_str)
                .unwrap_or("");
            if b64.is_empty() {
                return Ok(());
            }
            let bytes = crate::io::tiktoken::b64_decode(b64.as_bytes())
                .ok_or_else(|| bad("precompiled_charsmap is not base64"))?;
            let m = super::Charsmap::from_bytes(&bytes).map_err(|e| bad(&e))?;
            NormalizerStep::Precompiled(std::sync::Arc::new(m))
        }
        "BertNormalizer" | "Bert" => NormalizerStep::Bert {
            clean_text: flag("clean_text", true)?,
            handle_chinese_chars: flag("handle_chinese_chars", true)?,
            strip_accents: match obj.get("strip_accents") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(other) => {
                    return Err(bad(&format!("strip_accents is not a boolean: {other}")))
                }
            },
            lowercase: flag("lowercase", true)?,
        },
        other => {
            return Err(Error::corrupt(
                source,
                format!("unsupported normalizer {other}"),
            ))
        }
    };
    out.push(step);
    Ok(())
}

impl Normalizer {
    /// Reads an HF `tokenizer.json` normalizer (`null` is the identity); `source` names the file in
    /// errors. A normalizer type without a subwordx step (`Nmt`, `Precompiled`, `ByteLevel`, ...)
    /// is an [`Error::CorruptModel`] naming it.
    pub fn from_hf_json(v: &Value, source: &str) -> Result<Self> {
        let mut steps = Vec::new();
        if !v.is_null() {
            read_into(v, source, &mut steps)?;
        }
        Ok(Normalizer { steps })
    }

    /// The HF `tokenizer.json` normalizer: `null` for the identity, the step itself for one step,
    /// a `Sequence` otherwise.
    pub fn to_hf_json(&self) -> Value {
        match self.steps.as_slice() {
            [] => Value::Null,
            [one] => one.to_hf_json(),
            steps => json!({
                "type": "Sequence",
                "normalizers": steps.iter().map(NormalizerStep::to_hf_json).collect::<Vec<_>>(),
            }),
        }
    }
}

impl Serialize for Normalizer {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_hf_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Normalizer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(deserializer)?;
        Normalizer::from_hf_json(&v, "normalizer").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_flattens() {
        let v = json!({"type": "Sequence", "normalizers": [
            {"type": "Sequence", "normalizers": [{"type": "NFKC"}]},
            {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": false,
             "strip_accents": null, "lowercase": true},
            {"type": "Strip", "strip_left": false, "strip_right": true},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u{2581}"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Prepend", "prepend": "\u{2581}"},
            {"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"},
            {"type": "NFC"}, {"type": "NFKD"},
        ]});
        let n = Normalizer::from_hf_json(&v, "t").unwrap();
        assert_eq!(n.steps().len(), 11);
        let again = Normalizer::from_hf_json(&n.to_hf_json(), "t").unwrap();
        assert_eq!(again, n);
        let via_serde: Normalizer =
            serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
        assert_eq!(via_serde, n);
        assert_eq!(Normalizer::default().to_hf_json(), Value::Null);
        let one = Normalizer::new(vec![NormalizerStep::Nfc]);
        assert_eq!(one.to_hf_json(), json!({"type": "NFC"}));
    }

    #[test]
    fn unsupported_types_are_named() {
        let err = Normalizer::from_hf_json(&json!({"type": "Nmt"}), "tok.json").unwrap_err();
        assert!(
            err.to_string().contains("unsupported normalizer Nmt"),
            "{err}"
        );
        let err = Normalizer::from_hf_json(
            &json!({"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": "AAAA"}]}),
            "tok.json",
        )
        .unwrap_err();
        assert!(err.to_string().contains("Precompiled"), "{err}");
        let err = Normalizer::from_hf_json(
            &json!({"type": "Replace", "pattern": {"Regex": "("}, "content": ""}),
            "tok.json",
        )
        .unwrap_err();
        assert!(err.to_string().contains("Replace"), "{err}");
    }
}
