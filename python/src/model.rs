//! `newsclf.Model`: load, save, predict, probabilities, explain. The GIL is
//! released while texts are segmented, featurized and scored.

use std::path::PathBuf;
use std::sync::Arc;

use newsclf::Model;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};

use crate::dicts;
use crate::errors::to_py;
use crate::texts;
use crate::threads::detached;

/// A trained newsclf model: one classifier per head (label column) over a
/// shared segmentation and TF-IDF pipeline. Thread-safe; picklable (as its
/// model-file bytes).
#[pyclass(name = "Model", module = "newsclf", frozen)]
pub struct PyModel {
    pub(crate) inner: Arc<Model>,
}

impl PyModel {
    pub(crate) fn new(model: Model) -> Self {
        PyModel {
            inner: Arc::new(model),
        }
    }

    /// The index of `head` (a head name; `None` for the first head).
    fn head(&self, head: Option<&str>) -> PyResult<usize> {
        match head {
            None => Ok(0),
            Some(name) => self.inner.head_index(name).map_err(to_py),
        }
    }
}

#[pymethods]
impl PyModel {
    /// Loads a model file (`OSError` if it cannot be read, `ValueError` if it
    /// is not a valid model file).
    #[classmethod]
    fn load(_cls: &Bound<'_, PyType>, py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.detach(|| Model::load(&path)).map_err(to_py)?;
        Ok(Self::new(model))
    }

    /// The default model shipped with newsclf (topic and sentiment).
    #[classmethod]
    fn default(_cls: &Bound<'_, PyType>, py: Python<'_>) -> PyResult<Self> {
        let model = py.detach(Model::embedded_default).map_err(to_py)?;
        Ok(Self::new(model))
    }

    /// A model from the bytes of a model file (as `to_bytes` returns them).
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let data = data.to_vec();
        let model = py
            .detach(|| Model::from_bytes(&data, "<bytes>"))
            .map_err(to_py)?;
        Ok(Self::new(model))
    }

    /// Writes the model file (atomically), readable by `newsclf --model`.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.save(&path)).map_err(to_py)
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = py.detach(|| self.inner.to_bytes());
        PyBytes::new(py, &bytes)
    }

    /// Head names (label columns), in training order.
    #[getter]
    fn heads(&self) -> Vec<String> {
        self.inner.heads().iter().map(|h| h.name.clone()).collect()
    }

    /// The class labels of `head` (default: the first head), in the column
    /// order of `predict_proba`.
    #[pyo3(signature = (head=None))]
    fn classes(&self, head: Option<&str>) -> PyResult<Vec<String>> {
        let h = self.head(head)?;
        Ok(self.inner.heads()[h].labels.clone())
    }

    /// One dict per text, as `newsclf predict --format json` prints it:
    /// `{"id": n, "predictions": {head: {"label", "probability", "top"}}}`,
    /// with the `top_k` most probable labels in `top`. `threads`: worker
    /// threads (default: all cores).
    #[pyo3(signature = (texts, top_k=1, threads=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        top_k: usize,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        if top_k == 0 {
            return Err(PyValueError::new_err("top_k must be at least 1"));
        }
        let texts = texts::extract(texts, "texts")?;
        let model = &*self.inner;
        let predictions = detached(py, threads, || model.predict_batch(&texts))?;
        let out = PyList::empty(py);
        for (i, p) in predictions.iter().enumerate() {
            out.append(dicts::prediction(py, i + 1, p, top_k)?)?;
        }
        Ok(out)
    }

    /// The best label of every head for every text, as columns: `{head:
    /// (labels, probabilities)}`, `labels` a list of str and `probabilities` a
    /// float32 array, both of len(texts): what `predict` gives as
    /// `["predictions"][head]["label"]` and `["probability"]`, without a dict
    /// per text (for tables: pandas, Spark's `mapInPandas`). `threads`:
    /// worker threads (default: all cores).
    #[pyo3(signature = (texts, threads=None))]
    fn predict_labels<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let texts = texts::extract(texts, "texts")?;
        let model = &*self.inner;
        let heads = model.heads();
        let columns = detached(py, threads, || {
            let predictions = model.predict_batch(&texts);
            heads
                .iter()
                .enumerate()
                .map(|(h, head)| {
                    let mut classes = Vec::with_capacity(predictions.len());
                    let mut probabilities = Vec::with_capacity(predictions.len());
                    for p in &predictions {
                        let best = p[h].best();
                        let class = head.labels.iter().position(|l| l == best.label);
                        classes.push(class.unwrap_or(0));
                        probabilities.push(best.probability);
                    }
                    (classes, probabilities)
                })
                .collect::<Vec<_>>()
        })?;
        let out = PyDict::new(py);
        for (head, (classes, probabilities)) in heads.iter().zip(columns) {
            // One str object per class, shared by every text of that class.
            let names: Vec<Bound<'py, PyString>> =
                head.labels.iter().map(|l| PyString::new(py, l)).collect();
            let labels = PyList::new(py, classes.iter().map(|&c| &names[c]))?;
            let column = PyTuple::new(
                py,
                [labels.into_any(), probabilities.into_pyarray(py).into_any()],
            )?;
            out.set_item(&head.name, column)?;
        }
        Ok(out)
    }

    /// Class probabilities of `head` (default: the first head) as a float32
    /// array of shape (len(texts), len(classes(head))).
    #[pyo3(signature = (texts, head=None, threads=None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        head: Option<&str>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let h = self.head(head)?;
        let texts = texts::extract(texts, "texts")?;
        let k = self.inner.heads()[h].labels.len();
        let model = &*self.inner;
        let matrix = detached(py, threads, || model.predict_proba_batch(&texts, h))?;
        let array = Array2::from_shape_vec((texts.len(), k), matrix)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }

    /// Why `text` got its labels, per head: the label, the runner-up and the
    /// `top` terms pushing most toward and against the label (the shape of
    /// `newsclf explain --format json`).
    #[pyo3(signature = (text, top=10))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        top: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let text = texts::text_at(text, || "text".into())?;
        let model = &*self.inner;
        let why = py.detach(|| newsclf::explain(model, &text, top));
        let out = PyList::empty(py);
        for head in &why {
            out.append(dicts::explanation(py, head)?)?;
        }
        Ok(out)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py),)))
    }

    fn __repr__(&self) -> String {
        let heads: Vec<String> = self
            .inner
            .heads()
            .iter()
            .map(|h| format!("{} ({} classes)", h.name, h.labels.len()))
            .collect();
        format!(
            "newsclf.Model(heads: {}; {} features)",
            heads.join(", "),
            self.inner.vectorizer().n_features()
        )
    }
}
