//! Library results as Python dicts and lists, in the shapes of the CLI's JSON
//! output (`predict --format json`, `explain --format json`).

use newsclf::Section;
use newsclf::{Contribution, HeadExplanation};
use newsclf::{Prediction, Scored};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A probability as the CLI's JSON shows it: the double nearest the shortest
/// decimal form of the `f32`, so that `json.loads` of the CLI's output and
/// these dicts hold equal numbers.
pub fn json_number(p: f32) -> f64 {
    p.to_string().parse().unwrap_or(f64::from(p))
}

/// `{"label": ..., "probability": ...}`.
fn scored<'py>(py: Python<'py>, s: &Scored<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "label"), s.label)?;
    d.set_item(intern!(py, "probability"), json_number(s.probability))?;
    Ok(d)
}

/// One line of `predict --format json`: `{"id": id, "predictions": {head:
/// {"label", "probability", "top": [...]}}}` with `top_k` entries in `top`.
pub fn prediction<'py>(
    py: Python<'py>,
    id: usize,
    prediction: &Prediction<'_>,
    top_k: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let heads = PyDict::new(py);
    for p in prediction {
        let head = scored(py, &p.best())?;
        let top = PyList::empty(py);
        for s in p.top(top_k) {
            top.append(scored(py, s)?)?;
        }
        head.set_item(intern!(py, "top"), top)?;
        heads.set_item(p.head, head)?;
    }
    let d = PyDict::new(py);
    d.set_item(intern!(py, "id"), id)?;
    d.set_item(intern!(py, "predictions"), heads)?;
    Ok(d)
}

fn contributions<'py>(py: Python<'py>, list: &[Contribution]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for c in list {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "term"), &c.term)?;
        d.set_item(intern!(py, "kind"), c.kind)?;
        d.set_item(intern!(py, "value"), json_number(c.value))?;
        d.set_item(intern!(py, "contribution"), json_number(c.contribution))?;
        out.append(d)?;
    }
    Ok(out)
}

/// One head of `explain --format json`.
pub fn explanation<'py>(py: Python<'py>, e: &HeadExplanation<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "head"), e.head)?;
    d.set_item(intern!(py, "label"), scored(py, &e.label)?)?;
    d.set_item(intern!(py, "runner_up"), scored(py, &e.runner_up)?)?;
    d.set_item(intern!(py, "toward"), contributions(py, &e.toward)?)?;
    d.set_item(intern!(py, "against"), contributions(py, &e.against)?)?;
    Ok(d)
}

/// One article of a page: title, text (what is classified), paragraphs,
/// sub-headings, notes and the line of its heading.
pub fn section<'py>(py: Python<'py>, s: &Section) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "title"), &s.title)?;
    d.set_item(intern!(py, "text"), s.text())?;
    d.set_item(intern!(py, "paragraphs"), &s.paragraphs)?;
    d.set_item(intern!(py, "subheadings"), &s.subheadings)?;
    d.set_item(intern!(py, "notes"), &s.notes)?;
    d.set_item(intern!(py, "line"), s.line)?;
    Ok(d)
}
