//! Lists of ids for Python, made of a tokenizer's own ints.
//!
//! A Python list of ids holds one int object per id, and every int from 256 up (nearly every id
//! of a large vocabulary) is an allocation: on Japanese text with `o200k_base` making them cost
//! about as much as encoding. Ints are immutable, so one object per id can be shared by every
//! list a tokenizer returns: the ints of its vocabulary are made once, at the first list, and
//! a list is then references to them (`benches/RESULTS.md`, "Lists of ids").

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyList, PyTuple};

/// Vocabularies larger than this get no shared ints: the table (about 40 bytes an id, 10 MB for
/// a vocabulary of 256k) would cost more memory than the lists it speeds up are likely to.
const MAX_SHARED: usize = 1 << 20;

/// The shared ints of one tokenizer's ids.
pub(crate) struct IdInts {
    /// Ids below this have a shared int.
    size: usize,
    ints: PyOnceLock<Box<[Py<PyAny>]>>,
}

impl IdInts {
    pub(crate) fn new(vocab_size: usize) -> Self {
        Self {
            size: if vocab_size <= MAX_SHARED {
                vocab_size
            } else {
                0
            },
            ints: PyOnceLock::new(),
        }
    }

    fn shared(&self, py: Python<'_>) -> PyResult<&[Py<PyAny>]> {
        let ints = self.ints.get_or_try_init(py, || {
            (0..self.size as u32)
                .map(|id| Ok(id.into_pyobject(py)?.into_any().unbind()))
                .collect::<PyResult<Box<[_]>>>()
        })?;
        Ok(ints)
    }

    /// A new list of `ids`.
    pub(crate) fn list<'py>(&self, py: Python<'py>, ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
        let ints = self.shared(py)?;
        PyList::new(
            py,
            ids.iter().map(|&id| {
                if let Some(int) = ints.get(id as usize) {
                    int.bind(py).clone()
                } else {
                    let Ok(int) = id.into_pyobject(py);
                    int.into_any()
                }
            }),
        )
    }

    /// A new list of lists, one per `batch` entry.
    pub(crate) fn lists<'py>(
        &self,
        py: Python<'py>,
        batch: &[Vec<u32>],
    ) -> PyResult<Bound<'py, PyList>> {
        let lists = batch
            .iter()
            .map(|ids| self.list(py, ids))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, lists)
    }
}

/// Whether `ids` is a list or tuple of plain ints (not bools, not int subclasses), each an id
/// (`0 ..= u32::MAX`): then it goes to the core as it is, checked here in one pass without a
/// Python call per id; anything else takes the Python checks, which name what is wrong.
#[pyfunction]
pub(crate) fn are_plain_ids(ids: &Bound<'_, PyAny>) -> bool {
    let plain = |item: Bound<'_, PyAny>| {
        item.is_exact_instance_of::<PyInt>() && item.extract::<u32>().is_ok()
    };
    if let Ok(list) = ids.cast_exact::<PyList>() {
        list.iter().all(plain)
    } else if let Ok(tuple) = ids.cast_exact::<PyTuple>() {
        tuple.iter().all(plain)
    } else {
        false
    }
}
