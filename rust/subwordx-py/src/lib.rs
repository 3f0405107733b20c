//! The extension module `subwordx._core`: converts between Python and the core, releases the GIL
//! for every long call ([`blocking`]), and maps core errors to `subwordx.errors` ([`errors`]).
//! No algorithm lives here.
// PyO3 extracts arguments by value (`Vec<T>`, owned errors): taking them by reference is not an
// option for #[pyfunction]s and #[pymethods].
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

mod blocking;
mod errors;
mod fasttext;
mod fasttext_supervised;
mod glove;
mod id_lists;
mod sentencepiece;
mod tokenizer;
mod word2vec;
mod word_counts;

/// Writes a file atomically (`subwordx_core::io::atomic`): the one helper every writer uses.
#[pyfunction]
fn write_atomic(py: Python<'_>, path: std::path::PathBuf, data: &[u8]) -> PyResult<()> {
    blocking::run_detached(py, || subwordx_core::io::write_atomic(&path, data))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tokenizer::PyTokenizer>()?;
    m.add_function(wrap_pyfunction!(tokenizer::train_files, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_texts, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_counts, m)?)?;
    m.add_function(wrap_pyfunction!(write_atomic, m)?)?;
    m.add_function(wrap_pyfunction!(id_lists::are_plain_ids, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_word_counts, m)?)?;
    m.add_class::<word_counts::PyWordCounts>()?;
    m.add_function(wrap_pyfunction!(sentencepiece::sentencepiece_describe, m)?)?;
    m.add_function(wrap_pyfunction!(sentencepiece::sentencepiece_rewrite, m)?)?;
    m.add_function(wrap_pyfunction!(sentencepiece::sentencepiece_charsmap, m)?)?;
    m.add_function(wrap_pyfunction!(sentencepiece::build_charsmap, m)?)?;
    m.add_function(wrap_pyfunction!(sentencepiece::charsmap_normalize, m)?)?;
    word2vec::register(m)?;
    glove::register(m)?;
    fasttext::register(m)?;
    fasttext_supervised::register(m)?;
    Ok(())
}
