//! The extension module `subwordx._core`: converts between Python and the core, releases the GIL
//! for every long call ([`blocking`]), and maps core errors to `subwordx.errors` ([`errors`]).
//! No algorithm lives here.
// PyO3 extracts arguments by value (`Vec<T>`, owned errors): taking them by reference is not an
// option for #[pyfunction]s and #[pymethods].
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

mod blocking;
mod errors;
mod tokenizer;
mod word2vec;
mod word_counts;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tokenizer::PyTokenizer>()?;
    m.add_function(wrap_pyfunction!(tokenizer::train_files, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_texts, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_counts, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::train_word_counts, m)?)?;
    m.add_class::<word_counts::PyWordCounts>()?;
    word2vec::register(m)?;
    Ok(())
}
