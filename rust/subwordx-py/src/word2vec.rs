//! Bindings of `subwordx_core::embeddings`: vocabulary building, word2vec training and phrases.
//!
//! Every long call runs through [`run_blocking`] (GIL released, progress callback, Ctrl-C).
//! Arrays cross as numpy arrays: inputs are copied while the GIL is held, before the work starts
//! without it (another Python thread could change a numpy buffer under a call that reads it
//! without the GIL: an id checked and then changed would index the matrices out of bounds);
//! outputs are one `memcpy` into a new numpy array (the model keeps its own copy for continued
//! training).
//!
//! A [`Word2VecModel`] is shared between Python threads behind a mutex that is only ever tried,
//! never waited for: a second thread that uses the model while one trains it gets
//! `subwordx.errors.ModelBusyError` instead of PyO3's bare `RuntimeError('Already borrowed')`
//! (waiting would deadlock a training callback that reads the model).

// PyO3 extracts arguments by value; taking them by reference is not an option for #[pyfunction]s.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, TryLockError};

use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use subwordx_core::embeddings::formats::word2vec_bytes;
use subwordx_core::embeddings::{
    read_word2vec, CorpusMode, Phrases, PhrasesConfig, Scoring, Utf8Errors, Vocab, VocabConfig,
    Word2Vec, Word2VecConfig, WordErrors,
};
use subwordx_core::Error;

use crate::blocking::{run_blocking, run_detached};
use crate::errors::{subwordx_error, to_py_err};

fn parse_errors(errors: &str) -> PyResult<Utf8Errors> {
    errors.parse().map_err(to_py_err)
}

fn vocab_config(
    min_count: u64,
    max_vocab_size: Option<usize>,
    max_final_vocab: Option<usize>,
) -> VocabConfig {
    VocabConfig {
        min_count,
        max_vocab_size,
        max_final_vocab,
    }
}

fn vocab_out(py: Python<'_>, v: Vocab) -> (Vec<String>, Bound<'_, PyArray1<u64>>) {
    let counts = PyArray1::from_vec(py, v.counts);
    (v.words, counts)
}

/// Counts the words of text files and returns `(words, counts)` in vocabulary order.
#[pyfunction]
#[pyo3(signature = (paths, min_count=5, max_vocab_size=None, max_final_vocab=None, errors="strict", threads=1, progress=None))]
#[allow(clippy::type_complexity)]
pub fn build_vocab_from_files<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    min_count: u64,
    max_vocab_size: Option<usize>,
    max_final_vocab: Option<usize>,
    errors: &str,
    threads: usize,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<(Vec<String>, Bound<'py, PyArray1<u64>>)> {
    let errors = parse_errors(errors)?;
    let config = vocab_config(min_count, max_vocab_size, max_final_vocab);
    let v = run_blocking(py, progress.as_ref(), |p| {
        Vocab::build_from_files(&paths, &config, errors, threads, p)
    })?;
    Ok(vocab_out(py, v))
}

/// Builds `(words, counts)` in vocabulary order from a `{word: count}` mapping.
#[pyfunction]
#[pyo3(signature = (counts, min_count=5, max_vocab_size=None, max_final_vocab=None))]
#[allow(clippy::type_complexity)]
pub fn build_vocab_from_counts<'py>(
    py: Python<'py>,
    counts: &Bound<'py, PyDict>,
    min_count: u64,
    max_vocab_size: Option<usize>,
    max_final_vocab: Option<usize>,
) -> PyResult<(Vec<String>, Bound<'py, PyArray1<u64>>)> {
    let mut pairs: Vec<(String, u64)> = Vec::with_capacity(counts.len());
    for (k, v) in counts.iter() {
        pairs.push((k.extract()?, v.extract()?));
    }
    let config = vocab_config(min_count, max_vocab_size, max_final_vocab);
    let v = run_detached(py, || Vocab::from_counts(pairs, &config))?;
    Ok(vocab_out(py, v))
}

/// A word2vec model (training updates it in place, behind a mutex; see the module docs).
#[pyclass(module = "subwordx._core", name = "Word2VecModel", frozen)]
pub struct Word2VecModel {
    inner: Mutex<Word2Vec>,
}

impl Word2VecModel {
    fn wrap(inner: Word2Vec) -> Self {
        Self {
            inner: Mutex::new(inner),
        }
    }

    /// The model, or `ModelBusyError` while another thread (or this thread, from a training
    /// callback) is training it.
    fn model(&self) -> PyResult<MutexGuard<'_, Word2Vec>> {
        match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            // A panic while the lock was held was caught and reported; the model is still whole
            // (training always puts its matrices back).
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(subwordx_error(
                "ModelBusyError",
                "this word2vec model is busy: another thread is training it (or this is a \
                 training callback); wait for that train() to return"
                    .into(),
            )),
        }
    }
}

fn w2v_config(
    sg: bool,
    cbow_mean: bool,
    dim: usize,
    window: usize,
    negative: usize,
    hs: bool,
    sample: f64,
    alpha: Option<f64>,
    min_alpha: Option<f64>,
    epochs: u32,
    threads: usize,
    seed: u64,
) -> Word2VecConfig {
    let base = if sg {
        Word2VecConfig::skipgram()
    } else {
        Word2VecConfig::cbow()
    };
    let alpha = alpha.unwrap_or(base.alpha);
    Word2VecConfig {
        sg,
        cbow_mean,
        dim,
        window,
        negative,
        hs,
        sample,
        alpha,
        min_alpha: min_alpha.unwrap_or(0.0001 * alpha),
        epochs,
        threads,
        seed,
    }
}

fn matrix(name: &str, a: Option<&PyReadonlyArray2<'_, f32>>, dim: usize) -> PyResult<Vec<f32>> {
    let Some(a) = a else { return Ok(Vec::new()) };
    let shape = a.shape();
    if shape[0] > 0 && shape[1] != dim {
        return Err(to_py_err(Error::invalid(format!(
            "{name} has {} columns, expected dim={dim}",
            shape[1]
        ))));
    }
    Ok(a.as_array().iter().copied().collect())
}

/// Copies an array under the GIL (see the module docs).
fn copy_vec<T: numpy::Element + Copy>(a: &PyReadonlyArray1<'_, T>) -> Vec<T> {
    match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => a.as_array().iter().copied().collect(),
    }
}

fn to_matrix<'py>(py: Python<'py>, v: &[f32], dim: usize) -> PyResult<Bound<'py, PyArray2<f32>>> {
    PyArray1::from_slice(py, v).reshape([v.len() / dim.max(1), dim])
}

/// Wraps a Python `on_epoch(epoch, loss)` for the core; the first exception cancels the work.
pub(crate) struct EpochCallback {
    pub(crate) callback: Option<Py<PyAny>>,
    pub(crate) error: Option<PyErr>,
}

impl EpochCallback {
    pub(crate) fn call(&mut self, epoch: u32, loss: f64, progress: &subwordx_core::Progress) {
        if let (Some(cb), None) = (&self.callback, &self.error) {
            if let Err(e) = Python::attach(|py| cb.call1(py, (epoch, loss)).map(drop)) {
                self.error = Some(e);
                progress.cancel();
            }
        }
    }
}

#[pymethods]
impl Word2VecModel {
    /// A fresh model over a vocabulary (`words` in vocabulary order, their `counts`).
    #[new]
    #[pyo3(signature = (words, counts, *, sg=true, cbow_mean=true, dim=100, window=5, negative=5, hs=false, sample=1e-3, alpha=None, min_alpha=None, epochs=5, threads=1, seed=1))]
    fn new(
        py: Python<'_>,
        words: Vec<String>,
        counts: Vec<u64>,
        sg: bool,
        cbow_mean: bool,
        dim: usize,
        window: usize,
        negative: usize,
        hs: bool,
        sample: f64,
        alpha: Option<f64>,
        min_alpha: Option<f64>,
        epochs: u32,
        threads: usize,
        seed: u64,
    ) -> PyResult<Self> {
        let config = w2v_config(
            sg, cbow_mean, dim, window, negative, hs, sample, alpha, min_alpha, epochs, threads,
            seed,
        );
        let inner = run_detached(py, || {
            Word2Vec::new(Vocab::from_parts(words, counts)?, config)
        })?;
        Ok(Self::wrap(inner))
    }

    /// A model from existing arrays (continued training). `syn1neg` / `syn1` may be `None`
    /// (zeros when the configuration needs them).
    #[staticmethod]
    #[pyo3(signature = (words, counts, syn0, syn1neg=None, syn1=None, *, sg=true, cbow_mean=true, window=5, negative=5, hs=false, sample=1e-3, alpha=None, min_alpha=None, epochs=5, threads=1, seed=1))]
    fn from_parts(
        py: Python<'_>,
        words: Vec<String>,
        counts: Vec<u64>,
        syn0: PyReadonlyArray2<'_, f32>,
        syn1neg: Option<PyReadonlyArray2<'_, f32>>,
        syn1: Option<PyReadonlyArray2<'_, f32>>,
        sg: bool,
        cbow_mean: bool,
        window: usize,
        negative: usize,
        hs: bool,
        sample: f64,
        alpha: Option<f64>,
        min_alpha: Option<f64>,
        epochs: u32,
        threads: usize,
        seed: u64,
    ) -> PyResult<Self> {
        let dim = syn0.shape()[1];
        let config = w2v_config(
            sg, cbow_mean, dim, window, negative, hs, sample, alpha, min_alpha, epochs, threads,
            seed,
        );
        let s0 = matrix("syn0", Some(&syn0), dim)?;
        let s1n = matrix("syn1neg", syn1neg.as_ref(), dim)?;
        let s1 = matrix("syn1", syn1.as_ref(), dim)?;
        let inner = run_detached(py, || {
            Word2Vec::from_parts(Vocab::from_parts(words, counts)?, config, s0, s1n, s1)
        })?;
        Ok(Self::wrap(inner))
    }

    /// Trains on text files; returns the mean loss of each epoch. `stream`: `None` decides by size,
    /// `True` reads the files again every epoch, `False` holds them in memory as ids.
    #[pyo3(signature = (paths, epochs=None, errors="strict", stream=None, progress=None, on_epoch=None))]
    #[allow(clippy::too_many_arguments)]
    fn train_files(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        epochs: Option<u32>,
        errors: &str,
        stream: Option<bool>,
        progress: Option<Bound<'_, PyAny>>,
        on_epoch: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<f64>> {
        let errors = parse_errors(errors)?;
        let mode = match stream {
            None => CorpusMode::Auto,
            Some(true) => CorpusMode::Stream,
            Some(false) => CorpusMode::InMemory,
        };
        let mut cb = EpochCallback {
            callback: on_epoch.map(Bound::unbind),
            error: None,
        };
        let mut guard = self.model()?;
        let inner = &mut *guard;
        let result = run_blocking(py, progress.as_ref(), |p| {
            inner.train_files(&paths, epochs, errors, mode, p, &mut |e, l| {
                cb.call(e, l, p);
            })
        });
        if let Some(e) = cb.error {
            return Err(e);
        }
        Ok(result?.epoch_losses)
    }

    /// Trains on an in-memory corpus: `ids` (uint32, `0xFFFFFFFF` = skip) and `sentence_starts`
    /// (int64 offsets into `ids`); returns the mean loss of each epoch.
    #[pyo3(signature = (ids, sentence_starts, epochs=None, progress=None, on_epoch=None))]
    fn train_ids(
        &self,
        py: Python<'_>,
        ids: PyReadonlyArray1<'_, u32>,
        sentence_starts: PyReadonlyArray1<'_, i64>,
        epochs: Option<u32>,
        progress: Option<Bound<'_, PyAny>>,
        on_epoch: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<f64>> {
        // Copied while the GIL is held: the core then checks the very ids it trains on.
        let ids = copy_vec(&ids);
        let starts: Vec<usize> = copy_vec(&sentence_starts)
            .into_iter()
            .map(|s| {
                usize::try_from(s)
                    .map_err(|_| to_py_err(Error::invalid("sentence_starts must be non-negative")))
            })
            .collect::<PyResult<_>>()?;
        let mut cb = EpochCallback {
            callback: on_epoch.map(Bound::unbind),
            error: None,
        };
        let mut guard = self.model()?;
        let inner = &mut *guard;
        let result = run_blocking(py, progress.as_ref(), |p| {
            inner.train_ids(&ids, &starts, epochs, p, &mut |e, l| cb.call(e, l, p))
        });
        if let Some(e) = cb.error {
            return Err(e);
        }
        Ok(result?.epoch_losses)
    }

    /// The word vectors, shape `(len(keys), dim)` (a copy).
    #[getter]
    fn vectors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let m = self.model()?;
        to_matrix(py, &m.syn0, m.config.dim)
    }

    /// Negative-sampling output weights `(len(keys), dim)` (empty when `negative == 0`).
    #[getter]
    fn syn1neg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let m = self.model()?;
        to_matrix(py, &m.syn1neg, m.config.dim)
    }

    /// Hierarchical-softmax output weights `(len(keys) - 1, dim)` (empty when `hs` is off).
    #[getter]
    fn syn1<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let m = self.model()?;
        to_matrix(py, &m.syn1, m.config.dim)
    }

    #[getter]
    fn keys(&self) -> PyResult<Vec<String>> {
        Ok(self.model()?.vocab.words.clone())
    }

    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        Ok(PyArray1::from_slice(py, &self.model()?.vocab.counts))
    }

    /// The hyperparameters as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = self.model()?;
        let c = &m.config;
        let d = PyDict::new(py);
        d.set_item("sg", c.sg)?;
        d.set_item("cbow_mean", c.cbow_mean)?;
        d.set_item("dim", c.dim)?;
        d.set_item("window", c.window)?;
        d.set_item("negative", c.negative)?;
        d.set_item("hs", c.hs)?;
        d.set_item("sample", c.sample)?;
        d.set_item("alpha", c.alpha)?;
        d.set_item("min_alpha", c.min_alpha)?;
        d.set_item("epochs", c.epochs)?;
        d.set_item("threads", c.threads)?;
        d.set_item("seed", c.seed)?;
        Ok(d)
    }

    /// Sets the number of training threads for later calls.
    #[setter]
    fn set_threads(&self, threads: usize) -> PyResult<()> {
        let mut m = self.model()?;
        let mut config = m.config.clone();
        config.threads = threads;
        config.validate().map_err(to_py_err)?;
        m.config = config;
        Ok(())
    }

    /// Writes the vectors in word2vec's format (binary or text), atomically.
    #[pyo3(signature = (path, binary=true))]
    fn save_word2vec_format(&self, py: Python<'_>, path: PathBuf, binary: bool) -> PyResult<()> {
        let guard = self.model()?;
        let inner = &*guard;
        run_detached(py, || inner.save_word2vec_format(&path, binary))
    }

    fn __len__(&self) -> PyResult<usize> {
        Ok(self.model()?.vocab.len())
    }
}

/// A learned phrase table.
#[pyclass(module = "subwordx._core", name = "PhrasesModel", frozen)]
pub struct PhrasesModel {
    inner: Phrases,
}

fn phrases_config(
    min_count: u64,
    threshold: Option<f64>,
    scoring: &str,
    delimiter: String,
) -> PyResult<PhrasesConfig> {
    let scoring: Scoring = scoring.parse().map_err(to_py_err)?;
    Ok(PhrasesConfig {
        min_count,
        threshold,
        scoring,
        delimiter,
    })
}

#[pymethods]
impl PhrasesModel {
    /// Learns phrases from text files.
    #[staticmethod]
    #[pyo3(signature = (paths, min_count=5, threshold=None, scoring="default", delimiter="_".to_owned(), errors="strict", threads=1, progress=None))]
    fn learn_files(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        min_count: u64,
        threshold: Option<f64>,
        scoring: &str,
        delimiter: String,
        errors: &str,
        threads: usize,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = phrases_config(min_count, threshold, scoring, delimiter)?;
        let errors = parse_errors(errors)?;
        let inner = run_blocking(py, progress.as_ref(), |p| {
            Phrases::learn_files(&paths, config, errors, threads, p)
        })?;
        Ok(Self { inner })
    }

    /// Learns phrases from sentences (lists of words).
    #[staticmethod]
    #[pyo3(signature = (sentences, min_count=5, threshold=None, scoring="default", delimiter="_".to_owned()))]
    fn learn_sentences(
        py: Python<'_>,
        sentences: Vec<Vec<String>>,
        min_count: u64,
        threshold: Option<f64>,
        scoring: &str,
        delimiter: String,
    ) -> PyResult<Self> {
        let config = phrases_config(min_count, threshold, scoring, delimiter)?;
        let inner = run_detached(py, || {
            Phrases::learn_sentences(
                sentences.iter().map(|s| s.iter().map(String::as_str)),
                config,
            )
        })?;
        Ok(Self { inner })
    }

    /// A phrase table from exported rows `(a, b, score)`.
    #[staticmethod]
    #[pyo3(signature = (rows, min_count=5, threshold=None, scoring="default", delimiter="_".to_owned()))]
    fn from_table(
        rows: Vec<(String, String, f64)>,
        min_count: u64,
        threshold: Option<f64>,
        scoring: &str,
        delimiter: String,
    ) -> PyResult<Self> {
        let config = phrases_config(min_count, threshold, scoring, delimiter)?;
        let inner = Phrases::from_table(rows, config).map_err(to_py_err)?;
        Ok(Self { inner })
    }

    /// Joins the phrases of one sentence.
    fn apply(&self, sentence: Vec<String>) -> Vec<String> {
        self.inner.apply(&sentence)
    }

    /// Applies the phrases to a text file (streaming; `output` written atomically).
    #[pyo3(signature = (input, output, errors="strict", progress=None))]
    fn apply_file(
        &self,
        py: Python<'_>,
        input: PathBuf,
        output: PathBuf,
        errors: &str,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let errors = parse_errors(errors)?;
        let inner = &self.inner;
        run_blocking(py, progress.as_ref(), |p| {
            inner.apply_file(&input, &output, errors, p)
        })
    }

    /// The phrase table: `[(a, b, score)]`, by score descending.
    fn export(&self) -> Vec<(String, String, f64)> {
        self.inner.export()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// Reads a word2vec `.bin` / `.txt` vector file: `(words, vectors)` with vectors a float32 array
/// of shape `(len(words), dim)` (streamed, header checked against the file size, `limit` read).
#[pyfunction]
#[pyo3(signature = (path, binary=None, limit=None, errors="strict", progress=None))]
pub fn read_word2vec_format<'py>(
    py: Python<'py>,
    path: PathBuf,
    binary: Option<bool>,
    limit: Option<usize>,
    errors: &str,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f32>>)> {
    let errors: WordErrors = errors.parse().map_err(to_py_err)?;
    let v = run_blocking(py, progress.as_ref(), |p| {
        read_word2vec(&path, binary, limit, errors, p)
    })?;
    let rows = v.words.len();
    let vectors = PyArray1::from_vec(py, v.vectors).reshape([rows, v.dim])?;
    Ok((v.words, vectors))
}

/// Writes `words` and `vectors` (float32, shape `(len(words), dim)`) in word2vec's format,
/// atomically.
#[pyfunction]
#[pyo3(signature = (path, words, vectors, binary=true))]
pub fn write_word2vec_format(
    py: Python<'_>,
    path: PathBuf,
    words: Vec<String>,
    vectors: PyReadonlyArray2<'_, f32>,
    binary: bool,
) -> PyResult<()> {
    let dim = vectors.shape()[1];
    // Copied under the GIL (see the module docs), then formatted and written without it.
    let values: Vec<f32> = match vectors.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => vectors.as_array().iter().copied().collect(),
    };
    run_detached(py, || {
        let bytes = word2vec_bytes(&words, &values, dim, binary)?;
        subwordx_core::io::write_atomic(&path, &bytes)
    })
}

/// Registers this module's classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_word2vec_format, m)?)?;
    m.add_function(wrap_pyfunction!(write_word2vec_format, m)?)?;
    m.add_function(wrap_pyfunction!(build_vocab_from_files, m)?)?;
    m.add_function(wrap_pyfunction!(build_vocab_from_counts, m)?)?;
    m.add_class::<Word2VecModel>()?;
    m.add_class::<PhrasesModel>()?;
    Ok(())
}
