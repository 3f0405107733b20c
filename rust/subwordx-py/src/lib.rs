//! The extension module `subwordx._core`: converts between Python and the core, releases the GIL
//! for every long call, and maps core errors to `subwordx.errors`.
use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
