//! Where the library's work runs: with the GIL released, on the global
//! thread pool or on a pool of the size a call asks for.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// Runs `work` with the GIL released, on `threads` threads (`None`: the
/// global pool, all cores unless `RAYON_NUM_THREADS` says otherwise).
pub fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    match threads {
        None => Ok(py.detach(work)),
        Some(0) => Err(PyValueError::new_err(
            "threads must be at least 1 (or None for all cores)",
        )),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PyOSError::new_err(format!("cannot start {n} threads: {e}")))?;
            Ok(py.detach(|| pool.install(work)))
        }
    }
}
