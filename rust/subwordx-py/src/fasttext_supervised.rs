//! Bindings of `subwordx_core::embeddings::fasttext::{supervised, predict}`: a trained or loaded
//! classifier is an immutable `SupervisedModel`; every long call releases the GIL.

use std::path::PathBuf;
use std::sync::Arc;

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use subwordx_core::embeddings::fasttext::{
    Dictionary, Loss, Prediction, Predictor, Supervised, SupervisedConfig,
};
use subwordx_core::embeddings::{Utf8Errors, Vocab};
use subwordx_core::Error;

use crate::blocking::{run_blocking, run_detached};
use crate::errors::to_py_err;

/// A `fastText` classifier held by the core (immutable: training returns a new one).
#[pyclass(frozen, name = "SupervisedModel", module = "subwordx._core")]
pub struct PySupervised {
    model: Arc<Supervised>,
}

fn copy_matrix(a: &PyReadonlyArray2<'_, f32>) -> Vec<f32> {
    match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => a.as_array().iter().copied().collect(),
    }
}

fn matrix<'py>(py: Python<'py>, data: &[f32], dim: usize) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let rows = data.len() / dim.max(1);
    PyArray1::from_slice(py, data).reshape([rows, dim])
}

impl PySupervised {
    fn predictor(&self) -> PyResult<Predictor<'_>> {
        Predictor::new(&self.model).map_err(to_py_err)
    }
}

#[pymethods]
impl PySupervised {
    /// Trains a classifier on text files; returns `(model, epoch_losses)`.
    #[staticmethod]
    #[pyo3(signature = (paths, *, dim=100, epochs=5, lr=0.1, loss="softmax", neg=5, word_ngrams=1, min_count=1, min_count_label=0, min_n=0, max_n=0, bucket=2_000_000, threads=1, seed=0, label_prefix="__label__", errors="strict", progress=None, on_epoch=None))]
    fn train(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        dim: usize,
        epochs: u32,
        lr: f64,
        loss: &str,
        neg: usize,
        word_ngrams: usize,
        min_count: u64,
        min_count_label: u64,
        min_n: usize,
        max_n: usize,
        bucket: usize,
        threads: usize,
        seed: u64,
        label_prefix: &str,
        errors: &str,
        progress: Option<Bound<'_, PyAny>>,
        on_epoch: Option<Bound<'_, PyAny>>,
    ) -> PyResult<(Self, Vec<f64>)> {
        let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
        let config = SupervisedConfig {
            dim,
            epochs,
            lr,
            loss: loss.parse().map_err(to_py_err)?,
            neg,
            word_ngrams,
            min_count,
            min_count_label,
            min_n,
            max_n,
            bucket,
            threads,
            seed,
            label_prefix: label_prefix.to_owned(),
        };
        let callback = on_epoch.map(Bound::unbind);
        let mut cb_error: Option<PyErr> = None;
        let result = run_blocking(py, progress.as_ref(), |p| {
            Supervised::train_files(&paths, config, errors, p, &mut |e, l| {
                if let (Some(cb), None) = (&callback, &cb_error) {
                    if let Err(err) = Python::attach(|py| cb.call1(py, (e, l)).map(drop)) {
                        cb_error = Some(err);
                        p.cancel();
                    }
                }
            })
        });
        if let Some(e) = cb_error {
            return Err(e);
        }
        let (model, stats) = result?;
        Ok((
            Self {
                model: Arc::new(model),
            },
            stats.epoch_losses,
        ))
    }

    /// A classifier from its parts (a loaded `.bin`): every shape is checked.
    #[staticmethod]
    #[pyo3(signature = (words, word_counts, labels, label_counts, ntokens, wi, wo, *, loss, neg=5, word_ngrams=1, min_n=0, max_n=0, bucket=0, label_prefix="__label__", epochs=5, lr=0.1, min_count=1))]
    fn from_parts(
        py: Python<'_>,
        words: Vec<String>,
        word_counts: Vec<u64>,
        labels: Vec<String>,
        label_counts: Vec<u64>,
        ntokens: u64,
        wi: PyReadonlyArray2<'_, f32>,
        wo: PyReadonlyArray2<'_, f32>,
        loss: &str,
        neg: usize,
        word_ngrams: usize,
        min_n: usize,
        max_n: usize,
        bucket: usize,
        label_prefix: &str,
        epochs: u32,
        lr: f64,
        min_count: u64,
    ) -> PyResult<Self> {
        let dim = wi.shape()[1];
        if wo.shape()[1] != dim {
            return Err(to_py_err(Error::invalid(format!(
                "the output matrix has {} columns, the input matrix {dim}",
                wo.shape()[1]
            ))));
        }
        let config = SupervisedConfig {
            dim,
            epochs,
            lr,
            loss: loss.parse().map_err(to_py_err)?,
            neg: neg.max(1),
            word_ngrams,
            min_count,
            min_count_label: 0,
            min_n,
            max_n,
            bucket,
            threads: 1,
            seed: 0,
            label_prefix: label_prefix.to_owned(),
        };
        let (wi, wo) = (copy_matrix(&wi), copy_matrix(&wo));
        let model = run_detached(py, || {
            let words = Vocab::from_parts(words, word_counts)?;
            let labels = Vocab::from_parts(labels, label_counts)?;
            let dict = Dictionary::new(
                words,
                labels,
                ntokens,
                config.label_prefix.clone(),
                config.features(),
            )?;
            Supervised::from_parts(dict, config, wi, wo)
        })?;
        Ok(Self {
            model: Arc::new(model),
        })
    }

    /// `(words, counts)` in dictionary order (`</s>` included).
    fn words(&self) -> (Vec<String>, Vec<u64>) {
        let v = &self.model.dict.words;
        (v.words.clone(), v.counts.clone())
    }

    /// `(labels, counts)` in dictionary order.
    fn labels(&self) -> (Vec<String>, Vec<u64>) {
        let v = &self.model.dict.labels;
        (v.words.clone(), v.counts.clone())
    }

    /// Tokens of the training corpus.
    #[getter]
    fn ntokens(&self) -> u64 {
        self.model.dict.ntokens
    }

    /// The bucket count in effect (0 when nothing hashes into buckets).
    #[getter]
    fn bucket(&self) -> usize {
        self.model.dict.features.bucket
    }

    #[getter]
    fn dim(&self) -> usize {
        self.model.config.dim
    }

    /// A copy of the input matrix, `(nwords + bucket) x dim`.
    fn input_matrix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        matrix(py, &self.model.wi, self.model.config.dim)
    }

    /// A copy of the output matrix, `nlabels x dim`.
    fn output_matrix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        matrix(py, &self.model.wo, self.model.config.dim)
    }

    /// The k best `(label id, probability)` of each line, best first (a line ending in `\n`
    /// gets `</s>`).
    #[pyo3(signature = (lines, k=1, threshold=0.0, threads=1))]
    fn predict(
        &self,
        py: Python<'_>,
        lines: Vec<String>,
        k: usize,
        threshold: f32,
        threads: usize,
    ) -> PyResult<Vec<Vec<Prediction>>> {
        let p = self.predictor()?;
        run_detached(py, || p.predict_lines(&lines, k, threshold, threads))
    }

    /// The predictions of every line of `paths`, in order.
    #[pyo3(signature = (paths, k=1, threshold=0.0, errors="strict", threads=1, progress=None))]
    fn predict_files(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        k: usize,
        threshold: f32,
        errors: &str,
        threads: usize,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Vec<Prediction>>> {
        let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
        let p = self.predictor()?;
        run_blocking(py, progress.as_ref(), |pr| {
            p.predict_files(&paths, k, threshold, errors, threads, pr)
        })
    }

    /// Evaluates on `paths` or on `lines`: `(examples, gold, predicted, predicted_gold)`, the
    /// last three per label.
    #[pyo3(signature = (paths=None, lines=None, k=1, threshold=0.0, errors="strict", threads=1))]
    #[allow(clippy::type_complexity)]
    fn test(
        &self,
        py: Python<'_>,
        paths: Option<Vec<PathBuf>>,
        lines: Option<Vec<String>>,
        k: usize,
        threshold: f32,
        errors: &str,
        threads: usize,
    ) -> PyResult<(u64, Vec<u64>, Vec<u64>, Vec<u64>)> {
        let errors: Utf8Errors = errors.parse().map_err(to_py_err)?;
        let p = self.predictor()?;
        let meter = run_blocking(py, None, |pr| match (&paths, &lines) {
            (Some(paths), None) => p.test_files(paths, k, threshold, errors, threads, pr),
            (None, Some(lines)) => p.test_lines(lines, k, threshold, threads),
            _ => Err(Error::invalid("give paths or lines")),
        })?;
        Ok((
            meter.examples,
            meter.gold,
            meter.predicted,
            meter.predicted_gold,
        ))
    }

    /// The mean of the input rows of `line` (`</s>` added).
    fn sentence_vector<'py>(
        &self,
        py: Python<'py>,
        line: &str,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let p = self.predictor()?;
        let v = run_detached(py, || Ok(p.sentence_vector(line, true)))?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// `fastText`'s `.bin` loss code of the model.
    #[getter]
    fn loss_code(&self) -> i32 {
        self.model.config.loss.code()
    }

    fn __repr__(&self) -> String {
        let m = &self.model;
        format!(
            "SupervisedModel(words={}, labels={}, dim={}, loss={}, bucket={})",
            m.dict.words.len(),
            m.dict.labels.len(),
            m.config.dim,
            m.config.loss.name(),
            m.dict.features.bucket
        )
    }
}

/// `fastText`'s loss name of a `.bin` loss code.
#[pyfunction]
pub fn fasttext_loss_name(code: i32) -> PyResult<&'static str> {
    Loss::from_code(code).map(Loss::name).map_err(to_py_err)
}

/// Registers this module's class and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySupervised>()?;
    m.add_function(wrap_pyfunction!(fasttext_loss_name, m)?)?;
    Ok(())
}
