//! The library's errors as Python exceptions, carrying its message: files
//! that cannot be read or written are `OSError`, everything else `ValueError`.
//! An invalid setting names settings as the keyword arguments of
//! `newsclf.Classifier` (`min_df=`), not as the command line's flags.

use newsclf::Spelling;
use pyo3::PyErr;
use pyo3::exceptions::{PyOSError, PyValueError};

/// The Python exception for a library error.
pub fn to_py(error: newsclf::Error) -> PyErr {
    match error {
        newsclf::Error::Io { .. } => PyOSError::new_err(error.to_string()),
        newsclf::Error::Param(e) => {
            PyValueError::new_err(format!("invalid setting: {}", e.render(Spelling::Keyword)))
        }
        other => PyValueError::new_err(other.to_string()),
    }
}
