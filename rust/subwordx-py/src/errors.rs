//! Maps core errors to the Python exception tree in `subwordx/errors.py`.
//!
//! The classes are looked up in that module at raise time, so the Rust and Python backends raise
//! the very same classes (`except subwordx.errors.InvalidUtf8Error` catches both).

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use subwordx_core::Error;

/// Converts a core error into the matching `subwordx.errors` exception.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let message = err.to_string();
    let class_name = match err {
        Error::Interrupted => return Ok(PyKeyboardInterrupt::new_err(message)),
        Error::FileNotFound { .. } => "SubwordxFileNotFoundError",
        Error::Io { .. } => "SubwordxIOError",
        Error::InvalidUtf8 { .. } => "InvalidUtf8Error",
        Error::EmptyCorpus(_) => "EmptyCorpusError",
        Error::LineTooLong { .. } => "CorpusError",
        Error::VocabTooSmall { .. } => "VocabSizeTooSmallError",
        Error::InvalidArgument(_) => "ConfigError",
        Error::CorruptModel { .. } => "ModelFormatError",
        Error::Internal(_) => "InternalError",
    };
    let module = py.import("subwordx.errors")?;
    let class = module.getattr(class_name)?;
    let value = match err {
        Error::InvalidUtf8 {
            path,
            line,
            column,
            offset,
        } => class.call1((message, path.display().to_string(), *line, *column, *offset))?,
        Error::FileNotFound { path } => {
            // FileNotFoundError(errno, strerror, filename) fills `.filename` like open() does.
            class.call1((2, message, path.display().to_string()))?
        }
        Error::Io { path, source } => class.call1((
            source.raw_os_error().unwrap_or(0),
            message,
            path.display().to_string(),
        ))?,
        _ => class.call1((message,))?,
    };
    Ok(PyErr::from_value(value))
}

/// An exception of class `class_name` of `subwordx.errors` built from `message` (for errors the
/// binding itself raises, such as `ModelBusyError`). Falls back to `RuntimeError` should the
/// module not be importable.
pub fn subwordx_error(class_name: &str, message: String) -> PyErr {
    Python::attach(|py| {
        let class = py.import("subwordx.errors")?.getattr(class_name)?;
        Ok::<_, PyErr>(PyErr::from_value(class.call1((message.clone(),))?))
    })
    .unwrap_or_else(|_| PyRuntimeError::new_err(message))
}

/// A panic caught at the boundary: reported as a bug (`subwordx.errors.InternalError`), never as
/// a crash of the interpreter.
pub fn panic_to_py_err(payload: &(dyn std::any::Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    to_py_err(Error::internal(what))
}
