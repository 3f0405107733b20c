//! `subwordx._core.WordCounts`: word counts with their counting settings (see
//! `subwordx.WordCounts` for the documented API and `subwordx_core::word_counts` for the format).
//!
//! Settings cross as the JSON of `CountSettings::to_json`, which the Python side builds and
//! validates; counting, merging and (de)serialization run with the GIL released.

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::PyBytes;
use subwordx_core::corpus::{CountOptions, Utf8Errors, WordCounts};
use subwordx_core::word_counts::{CountSettings, CountedWords};

use crate::blocking::{run_blocking, run_detached};
use crate::errors::to_py_err;

/// Immutable word counts; every operation returns a new object.
#[pyclass(frozen, name = "WordCounts", module = "subwordx._core")]
pub struct PyWordCounts {
    inner: CountedWords,
}

impl PyWordCounts {
    /// The counts and settings (what the trainers read).
    pub fn inner(&self) -> &CountedWords {
        &self.inner
    }
}

fn settings(json: &str) -> PyResult<CountSettings> {
    CountSettings::from_json(json).map_err(to_py_err)
}

#[pymethods]
impl PyWordCounts {
    /// Counts files, streamed on `threads` threads (0 = all cores).
    #[staticmethod]
    #[pyo3(signature = (paths, settings_json, threads=0, errors="strict", progress=None))]
    fn from_files(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        settings_json: &str,
        threads: usize,
        errors: &str,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let s = settings(settings_json)?;
        let options = CountOptions {
            threads,
            errors: errors.parse::<Utf8Errors>().map_err(to_py_err)?,
        };
        let inner = run_blocking(py, progress.as_ref(), |p| {
            CountedWords::count_files(&paths, s, &options, p)
        })?;
        Ok(Self { inner })
    }

    /// Counts an iterator of string batches (lists of str), each batch counted in parallel.
    #[staticmethod]
    #[pyo3(signature = (batches, settings_json, threads=0))]
    fn from_batches(
        py: Python<'_>,
        batches: &Bound<'_, PyAny>,
        settings_json: &str,
        threads: usize,
    ) -> PyResult<Self> {
        let mut inner = CountedWords::new(settings(settings_json)?);
        let counter = inner.counter().map_err(to_py_err)?;
        for batch in batches.try_iter()? {
            let texts: Vec<PyBackedStr> = batch?.extract()?;
            run_detached(py, || inner.add_texts(&texts, &counter, threads))?;
            py.check_signals()?;
        }
        Ok(Self { inner })
    }

    /// Counts one list of texts (a Dask partition), then drops words seen fewer than
    /// `min_count` times.
    #[staticmethod]
    #[pyo3(signature = (texts, settings_json, threads=1, min_count=1))]
    fn from_texts(
        py: Python<'_>,
        texts: Vec<PyBackedStr>,
        settings_json: &str,
        threads: usize,
        min_count: u64,
    ) -> PyResult<Self> {
        let mut inner = CountedWords::new(settings(settings_json)?);
        run_detached(py, || {
            let counter = inner.counter()?;
            inner.add_texts(&texts, &counter, threads)?;
            inner.prune(min_count);
            Ok(())
        })?;
        Ok(Self { inner })
    }

    /// Counts given as a dict (validated by the caller; zero counts are dropped).
    #[staticmethod]
    fn from_dict(counts: HashMap<String, u64>, settings_json: &str) -> PyResult<Self> {
        let mut wc = WordCounts::new();
        for (w, n) in counts {
            wc.counts.insert(w, n);
        }
        Ok(Self {
            inner: CountedWords::from_counts(settings(settings_json)?, wc),
        })
    }

    #[staticmethod]
    #[pyo3(signature = (data, source="<bytes>"))]
    fn from_bytes(py: Python<'_>, data: &[u8], source: &str) -> PyResult<Self> {
        let inner = run_detached(py, || CountedWords::from_bytes(data, source))?;
        Ok(Self { inner })
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = run_detached(py, || CountedWords::load(&path))?;
        Ok(Self { inner })
    }

    /// The sum of `parts` (at least one), copying only the largest.
    #[staticmethod]
    fn sum(py: Python<'_>, parts: Vec<Bound<'_, PyWordCounts>>) -> PyResult<Self> {
        let refs: Vec<&CountedWords> = parts.iter().map(|p| &p.get().inner).collect();
        let inner = run_detached(py, || CountedWords::sum(&refs))?;
        Ok(Self { inner })
    }

    /// Adds up counts in the binary form into the binary form (a k-way merge, no map).
    #[staticmethod]
    fn merge_binary(py: Python<'_>, parts: Vec<PyBackedBytes>) -> PyResult<Bound<'_, PyBytes>> {
        let merged = run_detached(py, || {
            let refs: Vec<&[u8]> = parts.iter().map(|p| &**p).collect();
            CountedWords::merge_binary(&refs, "<bytes>")
        })?;
        Ok(PyBytes::new(py, &merged))
    }

    fn add(&self, py: Python<'_>, other: &Bound<'_, PyWordCounts>) -> PyResult<Self> {
        let other = &other.get().inner;
        let inner = run_detached(py, || CountedWords::sum(&[&self.inner, other]))?;
        Ok(Self { inner })
    }

    fn pruned(&self, py: Python<'_>, min_count: u64) -> PyResult<Self> {
        let inner = run_detached(py, || {
            let mut c = self.inner.clone();
            c.prune(min_count);
            Ok(c)
        })?;
        Ok(Self { inner })
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = run_detached(py, || Ok(self.inner.to_bytes()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        run_detached(py, || self.inner.save(&path))
    }

    fn settings_json(&self) -> String {
        self.inner.settings().to_json()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn total(&self) -> u128 {
        self.inner.total()
    }

    fn get(&self, word: &str) -> Option<u64> {
        self.inner.get(word)
    }

    #[pyo3(signature = (n=None))]
    fn most_common(&self, n: Option<usize>) -> Vec<(String, u64)> {
        self.inner
            .most_common(n)
            .into_iter()
            .map(|(w, c)| (w.to_owned(), c))
            .collect()
    }

    fn equals(&self, other: &Bound<'_, PyWordCounts>) -> bool {
        self.inner == other.get().inner
    }
}
