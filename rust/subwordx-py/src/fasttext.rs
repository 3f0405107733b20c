//! Bindings of `subwordx_core::embeddings::fasttext`: training (a stateless call: matrices in,
//! matrices out, moved into numpy without a copy) and subword lookups.

use std::path::PathBuf;

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use subwordx_core::embeddings::fasttext::{push_ngrams, FastText, FastTextConfig};
use subwordx_core::embeddings::{CorpusMode, Utf8Errors, Vocab};
use subwordx_core::Error;

use crate::blocking::{run_blocking, run_detached};
use crate::errors::to_py_err;

fn copy_matrix(a: &PyReadonlyArray2<'_, f32>) -> Vec<f32> {
    match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => a.as_array().iter().copied().collect(),
    }
}

/// Trains a `fastText` model on text files; returns `(wi, wo, epoch_losses)`. `wi` / `wo` continue
/// training from existing matrices (copied under the GIL), else the model starts fresh.
#[pyfunction]
#[pyo3(signature = (paths, words, counts, wi=None, wo=None, *, sg=true, dim=100, window=5, negative=5, hs=false, sample=1e-4, alpha=0.05, min_alpha=0.0, epochs=5, threads=1, seed=1, min_n=3, max_n=6, bucket=2_000_000, ns_exponent=0.5, errors="strict", stream=None, progress=None, on_epoch=None))]
#[allow(clippy::type_complexity)]
pub fn fasttext_train<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    words: Vec<String>,
    counts: Vec<u64>,
    wi: Option<PyReadonlyArray2<'py, f32>>,
    wo: Option<PyReadonlyArray2<'py, f32>>,
    sg: bool,
    dim: usize,
    window: usize,
    negative: usize,
    hs: bool,
    sample: f64,
    alpha: f64,
    min_alpha: f64,
    epochs: u32,
    threads: usize,
    seed: u64,
    min_n: usize,
    max_n: usize,
    bucket: usize,
    ns_exponent: f64,
    errors: &str,
    stream: Option<bool>,
    progress: Option<Bound<'py, PyAny>>,
    on_epoch: Option<Bound<'py, PyAny>>,
) -> PyResult<(
    Bound<'py, PyArray2<f32>>,
    Bound<'py, PyArray2<f32>>,
    Vec<f64>,
)> {
    let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
    let config = FastTextConfig {
        sg,
        dim,
        window,
        negative,
        hs,
        sample,
        alpha,
        min_alpha,
        epochs,
        threads,
        seed,
        min_n,
        max_n,
        bucket,
        ns_exponent,
    };
    let mode = match stream {
        None => CorpusMode::Auto,
        Some(true) => CorpusMode::Stream,
        Some(false) => CorpusMode::InMemory,
    };
    let given = match (&wi, &wo) {
        (Some(a), Some(b)) => {
            if a.shape()[1] != dim || b.shape()[1] != dim {
                return Err(to_py_err(Error::invalid(format!(
                    "the matrices must have dim={dim} columns"
                ))));
            }
            Some((copy_matrix(a), copy_matrix(b)))
        }
        (None, None) => None,
        _ => return Err(to_py_err(Error::invalid("give both wi and wo, or neither"))),
    };
    let callback = on_epoch.map(Bound::unbind);
    let mut cb_error: Option<PyErr> = None;
    let result = run_blocking(py, progress.as_ref(), |p| {
        let vocab = Vocab::from_parts(words, counts)?;
        let mut model = match given {
            Some((wi, wo)) => FastText::from_parts(vocab, config, wi, wo)?,
            None => FastText::new(vocab, config)?,
        };
        let stats = model.train_files(&paths, None, errors, mode, p, &mut |e, l| {
            if let (Some(cb), None) = (&callback, &cb_error) {
                if let Err(err) = Python::attach(|py| cb.call1(py, (e, l)).map(drop)) {
                    cb_error = Some(err);
                    p.cancel();
                }
            }
        })?;
        Ok((model.wi, model.wo, stats.epoch_losses))
    });
    if let Some(e) = cb_error {
        return Err(e);
    }
    let (wi, wo, losses) = result?;
    let rows_i = wi.len() / dim.max(1);
    let rows_o = wo.len() / dim.max(1);
    Ok((
        PyArray1::from_vec(py, wi).reshape([rows_i, dim])?,
        PyArray1::from_vec(py, wo).reshape([rows_o, dim])?,
        losses,
    ))
}

/// The n-gram row ids of each word (`fastText`'s `computeSubwords`, without the word's own id):
/// `(ids, offsets)`, word `k`'s ids being `ids[offsets[k]:offsets[k + 1]]`.
#[pyfunction]
#[pyo3(signature = (words, nwords, min_n, max_n, bucket))]
#[allow(clippy::type_complexity)]
pub fn fasttext_ngram_ids(
    py: Python<'_>,
    words: Vec<String>,
    nwords: usize,
    min_n: usize,
    max_n: usize,
    bucket: usize,
) -> PyResult<(Bound<'_, PyArray1<u32>>, Bound<'_, PyArray1<u64>>)> {
    if nwords.saturating_add(bucket) > i32::MAX as usize {
        return Err(to_py_err(Error::invalid(
            "nwords + bucket exceed fastText's int32 ids",
        )));
    }
    let (ids, offsets) = run_detached(py, || {
        let mut ids = Vec::new();
        let mut offsets = Vec::with_capacity(words.len() + 1);
        offsets.push(0u64);
        for w in &words {
            push_ngrams(w, nwords, min_n, max_n, bucket, &mut ids);
            offsets.push(ids.len() as u64);
        }
        Ok((ids, offsets))
    })?;
    Ok((PyArray1::from_vec(py, ids), PyArray1::from_vec(py, offsets)))
}

/// The `fastText` hash (FNV-1a over bytes as signed chars) of `data`.
#[pyfunction]
pub fn fasttext_hash(data: &[u8]) -> u32 {
    subwordx_core::embeddings::fasttext::hash(data)
}

/// Registers this module's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fasttext_train, m)?)?;
    m.add_function(wrap_pyfunction!(fasttext_ngram_ids, m)?)?;
    m.add_function(wrap_pyfunction!(fasttext_hash, m)?)?;
    Ok(())
}
