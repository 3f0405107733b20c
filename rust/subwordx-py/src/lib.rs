//! The extension module `subwordx._core`: converts between Python and the core, releases the GIL
//! for every long call ([`blocking`]), and maps core errors to `subwordx.errors` ([`errors`]).
//! No algorithm lives here.
use pyo3::prelude::*;

mod blocking;
mod errors;
mod word2vec;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    word2vec::register(m)?;
    Ok(())
}
