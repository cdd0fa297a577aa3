//! Texts from Python: any iterable of `str` (list, tuple, NumPy string array,
//! pandas Series). Anything else is a `TypeError` naming its position.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The texts of `texts`, an iterable of `str`; `what` names it in messages.
pub fn extract(texts: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a sequence of str (list, tuple, NumPy array, pandas Series), \
             not one str: wrap it in a list"
        )));
    }
    let items = texts.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a sequence of str (list, tuple, NumPy array, pandas Series), not {}",
            type_name(texts)
        ))
    })?;
    let mut out = Vec::with_capacity(texts.len().unwrap_or(0));
    for (i, item) in items.enumerate() {
        let item = item?;
        out.push(text_at(&item, || format!("{what}[{i}]"))?);
    }
    Ok(out)
}

/// One text; `what` names it (and its position) in messages.
pub fn text_at(item: &Bound<'_, PyAny>, what: impl Fn() -> String) -> PyResult<String> {
    let Ok(s) = item.cast::<PyString>() else {
        let what = what();
        let found = if item.is_none() {
            "None".to_string()
        } else {
            let repr = item
                .repr()
                .map(|r| r.to_string())
                .unwrap_or_else(|_| "?".into());
            let short: String = repr.chars().take(40).collect();
            format!("{} ({short})", type_name(item))
        };
        return Err(PyTypeError::new_err(format!(
            "{what} is {found}, not a str; every text must be a str"
        )));
    };
    s.to_cow().map(|c| c.into_owned()).map_err(|_| {
        let what = what();
        PyValueError::new_err(format!(
            "{what} is not valid Unicode (it holds a lone surrogate); \
             decode the source with errors='replace'"
        ))
    })
}

/// The Python type name of `value`.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}
