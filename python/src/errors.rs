//! The library's errors as Python exceptions, carrying its message: files
//! that cannot be read or written are `OSError`, everything else `ValueError`.

use pyo3::PyErr;
use pyo3::exceptions::{PyOSError, PyValueError};

/// The Python exception for a library error.
pub fn to_py(error: newsclf::Error) -> PyErr {
    match error {
        newsclf::Error::Io { .. } => PyOSError::new_err(error.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}
