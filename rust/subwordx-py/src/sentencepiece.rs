//! SentencePiece `.model` files below the tokenizer: their typed description, a parse-and-write
//! round trip, and the charsmap builder (the core's `io::sentencepiece`, `normalize::precompiled`).

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::{json, Value};
use subwordx_core::io::sentencepiece::{ModelProto, NormalizerSpec, TrainerSpec};
use subwordx_core::normalize::Charsmap;

use crate::errors::to_py_err;

fn normalizer_json(n: &NormalizerSpec) -> Value {
    json!({
        "name": n.name,
        "precompiled_charsmap_size": n.precompiled_charsmap.as_ref().map_or(0, Vec::len),
        "add_dummy_prefix": n.add_dummy_prefix(),
        "remove_extra_whitespaces": n.remove_extra_whitespaces(),
        "escape_whitespaces": n.escape_whitespaces(),
        "normalization_rule_tsv": n.normalization_rule_tsv,
    })
}

fn trainer_json(t: &TrainerSpec) -> Value {
    json!({
        "model_type": t.model_type().map_or_else(|v| v.to_string(), |m| m.name().to_owned()),
        "vocab_size": t.vocab_size.unwrap_or(8000),
        "byte_fallback": t.byte_fallback(),
        "split_digits": t.split_digits(),
        "split_by_whitespace": t.split_by_whitespace(),
        "treat_whitespace_as_suffix": t.treat_whitespace_as_suffix(),
        "control_symbols": t.control_symbols,
        "user_defined_symbols": t.user_defined_symbols,
        "unk_id": t.unk_id(), "bos_id": t.bos_id(), "eos_id": t.eos_id(), "pad_id": t.pad_id(),
        "unk_piece": t.unk_piece.as_deref().unwrap_or("<unk>"),
        "bos_piece": t.bos_piece.as_deref().unwrap_or("<s>"),
        "eos_piece": t.eos_piece.as_deref().unwrap_or("</s>"),
        "pad_piece": t.pad_piece.as_deref().unwrap_or("<pad>"),
        "other_fields": t.other.iter().map(|f| f.number).collect::<Vec<_>>(),
    })
}

/// The typed description of a `.model` file as JSON: pieces `[piece, score, type]`,
/// `trainer_spec`, `normalizer_spec`, `denormalizer_spec` (settings with proto defaults).
#[pyfunction]
#[pyo3(signature = (data, source="<.model>"))]
pub fn sentencepiece_describe(data: &[u8], source: &str) -> PyResult<String> {
    let m = ModelProto::parse(data, source).map_err(to_py_err)?;
    let doc = json!({
        "pieces": m.pieces.iter().map(|p| json!([p.piece, p.score(), p.kind().name()])).collect::<Vec<_>>(),
        "trainer_spec": trainer_json(&m.trainer()),
        "normalizer_spec": normalizer_json(&m.normalizer()),
        "denormalizer_spec": m.denormalizer_spec.as_ref().map(normalizer_json),
        "has_self_test_data": m.self_test_data.is_some(),
    });
    Ok(doc.to_string())
}

/// Parses a `.model` file and writes it back (unknown fields kept, field-number order).
#[pyfunction]
#[pyo3(signature = (data, source="<.model>"))]
pub fn sentencepiece_rewrite<'py>(
    py: Python<'py>,
    data: &[u8],
    source: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = ModelProto::parse(data, source).map_err(to_py_err)?;
    Ok(PyBytes::new(py, &m.to_bytes()))
}

/// The precompiled charsmap of a `.model` file (empty when it has none).
#[pyfunction]
#[pyo3(signature = (data, source="<.model>"))]
pub fn sentencepiece_charsmap<'py>(
    py: Python<'py>,
    data: &[u8],
    source: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = ModelProto::parse(data, source).map_err(to_py_err)?;
    Ok(PyBytes::new(py, m.normalizer().charsmap().unwrap_or(&[])))
}

/// Compiles a charsmap from `{source: replacement}`; `nfkc=True` (and no rules) gives the
/// per-code-point NFKC charsmap.
#[pyfunction]
#[pyo3(signature = (rules=None, nfkc=false))]
pub fn build_charsmap(
    py: Python<'_>,
    rules: Option<std::collections::BTreeMap<String, String>>,
    nfkc: bool,
) -> PyResult<Bound<'_, PyBytes>> {
    let m = match (rules, nfkc) {
        (None, true) => (*Charsmap::nfkc()).clone(),
        (Some(r), false) => {
            Charsmap::build(&r).map_err(|e| to_py_err(subwordx_core::Error::invalid(e)))?
        }
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "give either rules or nfkc=True",
            ))
        }
    };
    Ok(PyBytes::new(py, m.as_bytes()))
}

/// `text` through a charsmap (SentencePiece's longest-prefix replacement).
#[pyfunction]
pub fn charsmap_normalize(charsmap: &[u8], text: &str) -> PyResult<String> {
    let m =
        Charsmap::from_bytes(charsmap).map_err(|e| to_py_err(subwordx_core::Error::invalid(e)))?;
    Ok(m.normalize_text(text).unwrap_or_else(|| text.to_owned()))
}
