//! Training from Python: texts, one label list per head, and the settings of
//! `newsclf train` as keyword values. The scikit-learn estimator
//! (`newsclf.Classifier`) is built on this.

use std::path::PathBuf;

use newsclf::LabeledCorpus;
use newsclf::Loss;
use newsclf::Trainer;
use newsclf::{ModelKind, TrainSettings};
use newsclf::{read_stopwords, read_user_dict};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;
use crate::model::PyModel;
use crate::texts;
use crate::threads::detached;

/// A row the library skipped: its 0-based position, the reason, and whether
/// the whole row was dropped (`False`: only one head's label was missing).
type Skipped = (usize, String, bool);

/// Trains a model: `labels[h][i]` is text `i`'s label for head `heads[h]`
/// (`None` or empty: missing). Returns the model and the rows skipped, as
/// `newsclf train` reports them (empty texts, missing labels).
#[pyfunction]
#[pyo3(signature = (texts, labels, heads, settings=None, source="<python>", threads=None))]
pub fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: Vec<Vec<Option<String>>>,
    heads: Vec<String>,
    settings: Option<&Bound<'_, PyDict>>,
    source: &str,
    threads: Option<usize>,
) -> PyResult<(PyModel, Vec<Skipped>)> {
    let texts = texts::extract(texts, "X")?;
    if labels.len() != heads.len() {
        return Err(PyValueError::new_err(format!(
            "{} label columns for {} head names",
            labels.len(),
            heads.len()
        )));
    }
    for (name, column) in heads.iter().zip(&labels) {
        if column.len() != texts.len() {
            return Err(PyValueError::new_err(format!(
                "head '{name}' has {} labels for {} texts",
                column.len(),
                texts.len()
            )));
        }
    }
    let settings = match settings {
        Some(dict) => settings_from(dict)?,
        None => TrainSettings::default(),
    };
    let rows = texts.into_iter().enumerate().map(|(i, text)| {
        let mut row = Vec::with_capacity(labels.len() + 1);
        row.push(text);
        row.extend(
            labels
                .iter()
                .map(|column| column[i].clone().unwrap_or_default()),
        );
        row
    });
    let (model, skipped) = detached(py, threads, || {
        let corpus = LabeledCorpus::from_rows(source, &heads, rows)?;
        let skipped: Vec<Skipped> = corpus
            .rejects
            .entries()
            .iter()
            .map(|r| (r.line as usize - 1, r.reason.to_string(), r.row_dropped))
            .collect();
        let (model, _report) = Trainer::new(settings.config()).fit(&corpus, "text")?;
        Ok::<_, newsclf::Error>((model, skipped))
    })?
    .map_err(to_py)?;
    Ok((PyModel::new(model), skipped))
}

/// The settings named in `dict` (the keyword arguments of
/// `newsclf.Classifier`); the others keep the defaults of `newsclf train`.
fn settings_from(dict: &Bound<'_, PyDict>) -> PyResult<TrainSettings> {
    let mut s = TrainSettings::default();
    for (key, value) in dict.iter() {
        let key: String = key.extract()?;
        let bad = |e: PyErr| PyValueError::new_err(format!("setting '{key}': {e}"));
        match key.as_str() {
            "simplify" => s.simplify = value.extract().map_err(bad)?,
            "hmm" => s.hmm = value.extract().map_err(bad)?,
            "user_dict" => {
                let path: Option<PathBuf> = value.extract().map_err(bad)?;
                s.user_words = match path {
                    Some(p) => read_user_dict(&p).map_err(to_py)?,
                    None => Vec::new(),
                };
            }
            "stopwords" => {
                let path: Option<PathBuf> = value.extract().map_err(bad)?;
                s.stopwords = match path {
                    Some(p) => read_stopwords(&p).map_err(to_py)?,
                    None => Vec::new(),
                };
            }
            "word_ngrams" => s.word_ngrams = value.extract().map_err(bad)?,
            "char_ngrams" => s.char_ngrams = value.extract().map_err(bad)?,
            "min_df" => s.min_df = value.extract().map_err(bad)?,
            "max_df" => s.max_df = value.extract().map_err(bad)?,
            "max_features" => s.max_features = value.extract().map_err(bad)?,
            "sublinear_tf" => s.sublinear_tf = value.extract().map_err(bad)?,
            "l2_norm" => s.l2_norm = value.extract().map_err(bad)?,
            "model" => {
                let name: String = value.extract().map_err(bad)?;
                s.model = ModelKind::from_name(&name).map_err(to_py)?;
            }
            "loss" => {
                let name: String = value.extract().map_err(bad)?;
                s.loss = Loss::from_name(&name).map_err(to_py)?;
            }
            "C" => s.c = value.extract().map_err(bad)?,
            "tol" => s.tol = value.extract().map_err(bad)?,
            "max_iter" => s.max_iter = value.extract().map_err(bad)?,
            "alpha" => s.alpha = value.extract().map_err(bad)?,
            "max_dense_mb" => s.max_dense_mb = value.extract().map_err(bad)?,
            "seed" => s.seed = value.extract().map_err(bad)?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unknown training setting '{other}'"
                )));
            }
        }
    }
    Ok(s)
}
