//! Bindings of `subwordx_core::embeddings::{cooccur, glove}`: one call counts and trains.
//!
//! Both calls run through [`run_blocking`] (GIL released, progress callback, Ctrl-C). Results
//! come back as numpy arrays (one copy each).

// PyO3 extracts arguments by value; taking them by reference is not an option for #[pyfunction]s.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use subwordx_core::embeddings::cooccur::{self, CooccurConfig};
use subwordx_core::embeddings::glove::{glove_vocab, Glove, GloveConfig};
use subwordx_core::embeddings::Utf8Errors;

use crate::blocking::run_blocking;
use crate::errors::to_py_err;
use crate::word2vec::EpochCallback;

fn matrix<'py>(py: Python<'py>, v: &[f32], dim: usize) -> PyResult<Bound<'py, PyArray2<f32>>> {
    PyArray1::from_slice(py, v).reshape([v.len() / dim.max(1), dim])
}

fn cooccur_config(
    window: usize,
    symmetric: bool,
    memory: u64,
    threads: usize,
    tmp_dir: Option<PathBuf>,
) -> CooccurConfig {
    CooccurConfig {
        window,
        symmetric,
        memory,
        threads,
        tmp_dir,
    }
}

/// Counts the co-occurrences of text files. Returns a dict: `words`, `counts`, `rows`, `cols`,
/// `x` (sorted by row, col) and `spilled_runs`.
#[pyfunction]
#[pyo3(signature = (paths, *, window=10, symmetric=true, min_count=5, max_vocab=None, memory=cooccur::DEFAULT_MEMORY, threads=1, errors="strict", tmp_dir=None, progress=None))]
pub fn glove_cooccurrences<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    window: usize,
    symmetric: bool,
    min_count: u64,
    max_vocab: Option<usize>,
    memory: u64,
    threads: usize,
    errors: &str,
    tmp_dir: Option<PathBuf>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
    let config = cooccur_config(window, symmetric, memory, threads, tmp_dir);
    config.validate().map_err(to_py_err)?;
    let (vocab, table) = run_blocking(py, progress.as_ref(), |p| {
        let vocab = glove_vocab(&paths, min_count, max_vocab, errors, threads, p)?;
        let table = cooccur::count_files(&paths, &vocab, &config, errors, p)?;
        Ok((vocab, table))
    })?;
    let d = PyDict::new(py);
    let e = &table.entries;
    d.set_item("rows", PyArray1::from_iter(py, e.iter().map(|x| x.row)))?;
    d.set_item("cols", PyArray1::from_iter(py, e.iter().map(|x| x.col)))?;
    d.set_item("x", PyArray1::from_iter(py, e.iter().map(|x| x.x)))?;
    d.set_item("spilled_runs", table.spilled_runs)?;
    d.set_item("counts", PyArray1::from_slice(py, &vocab.counts))?;
    d.set_item("words", vocab.words)?;
    Ok(d)
}

/// Builds the vocabulary, counts co-occurrences and trains `GloVe`. Returns a dict: `words`,
/// `counts`, `word`, `context` (V x dim), `word_bias`, `context_bias`, `losses`, `entries`.
#[pyfunction]
#[pyo3(signature = (paths, *, dim=50, window=10, symmetric=true, epochs=15, x_max=100.0, alpha=0.75, eta=0.05, min_count=5, max_vocab=None, memory=cooccur::DEFAULT_MEMORY, threads=1, seed=1, errors="strict", tmp_dir=None, progress=None, on_epoch=None))]
pub fn train_glove<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    dim: usize,
    window: usize,
    symmetric: bool,
    epochs: u32,
    x_max: f64,
    alpha: f64,
    eta: f64,
    min_count: u64,
    max_vocab: Option<usize>,
    memory: u64,
    threads: usize,
    seed: u64,
    errors: &str,
    tmp_dir: Option<PathBuf>,
    progress: Option<Bound<'py, PyAny>>,
    on_epoch: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
    let counting = cooccur_config(window, symmetric, memory, threads, tmp_dir);
    let config = GloveConfig {
        dim,
        epochs,
        x_max,
        alpha,
        eta,
        threads,
        seed,
    };
    // Settings first: a bad one must not cost a pass over the corpus.
    counting.validate().map_err(to_py_err)?;
    config.validate().map_err(to_py_err)?;
    let mut cb = EpochCallback {
        callback: on_epoch.map(Bound::unbind),
        error: None,
    };
    let result = run_blocking(py, progress.as_ref(), |p| {
        let vocab = glove_vocab(&paths, min_count, max_vocab, errors, threads, p)?;
        Glove::train_files(&paths, vocab, &counting, config, errors, p, &mut |e, l| {
            cb.call(e, l, p);
        })
    });
    if let Some(e) = cb.error {
        return Err(e);
    }
    let m = result?;
    let d = PyDict::new(py);
    d.set_item("word", matrix(py, &m.word, dim)?)?;
    d.set_item("context", matrix(py, &m.context, dim)?)?;
    d.set_item("word_bias", PyArray1::from_slice(py, &m.word_bias))?;
    d.set_item("context_bias", PyArray1::from_slice(py, &m.context_bias))?;
    d.set_item("losses", m.losses)?;
    d.set_item("entries", m.entries)?;
    d.set_item("counts", PyArray1::from_slice(py, &m.vocab.counts))?;
    d.set_item("words", m.vocab.words)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(glove_cooccurrences, m)?)?;
    m.add_function(wrap_pyfunction!(train_glove, m)?)?;
    Ok(())
}
