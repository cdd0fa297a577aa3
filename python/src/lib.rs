//! The Python module `newsclf._newsclf`: a thin layer over the newsclf
//! library (the same one the CLI uses). The pure-Python part of the package
//! (`python/newsclf/`) adds the scikit-learn estimator.

mod dicts;
mod errors;
mod model;
mod texts;
mod threads;
mod train;

use pyo3::prelude::*;
use pyo3::types::PyList;

/// Splits a newspaper page (markdown-style `#` headings) into its articles:
/// one dict per article with `title`, `text` (what is classified),
/// `paragraphs`, `subheadings`, `notes` (captions, jump lines) and `line`.
#[pyfunction]
fn split_page<'py>(py: Python<'py>, markdown: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let page = texts::text_at(markdown, || "markdown".into())?;
    let page = py.detach(|| newsclf::split_page(&page));
    let out = PyList::empty(py);
    for section in &page.sections {
        out.append(dicts::section(py, section)?)?;
    }
    Ok(out)
}

#[pymodule]
fn _newsclf(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::PyModel>()?;
    m.add_function(wrap_pyfunction!(split_page, m)?)?;
    m.add_function(wrap_pyfunction!(train::train, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_csv, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
