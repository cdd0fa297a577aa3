//! Training from Python: texts, one label list per head, and the settings of
//! `newsclf train` as keyword values. The scikit-learn estimator
//! (`newsclf.Classifier`) is built on this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use newsclf::LabeledCorpus;
use newsclf::Loss;
use newsclf::Trainer;
use newsclf::{CorpusSpec, FileChecks, MemoryLimit, TextEncoding};
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

/// A row of a CSV file the library skipped: its line, the reason, and
/// whether the whole row was dropped.
type SkippedLine = (u64, String, bool);

/// Trains a model: `labels[h][i]` is text `i`'s label for head `heads[h]`
/// (`None` or empty: missing). Returns the model and the rows skipped, as
/// `newsclf train` reports them (empty texts, missing labels). With `init`,
/// continues training that model instead (`newsclf train --init`): its
/// vocabulary and IDF stay, and the settings must keep its features.
#[pyfunction]
#[pyo3(signature = (texts, labels, heads, settings=None, source="<python>", threads=None, init=None))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: Vec<Vec<Option<String>>>,
    heads: Vec<String>,
    settings: Option<&Bound<'_, PyDict>>,
    source: &str,
    threads: Option<usize>,
    init: Option<PyRef<'_, PyModel>>,
) -> PyResult<(PyModel, Vec<Skipped>)> {
    // The settings come first: one of another classifier kind is refused
    // before the texts are read.
    let settings = settings_from(settings)?;
    let init = init.map(|m| Arc::clone(&m.inner));
    let config = match &init {
        Some(model) => settings.config_from(model),
        None => settings.config(),
    }
    .map_err(to_py)?;
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
        let trainer = Trainer::new(config);
        let (model, _report) = match &init {
            Some(init) => trainer.fit_from(init, &corpus, "text", &|_| {})?,
            None => trainer.fit(&corpus, "text")?,
        };
        Ok::<_, newsclf::Error>((model, skipped))
    })?
    .map_err(to_py)?;
    Ok((PyModel::new(model), skipped))
}

/// Trains a model on a labeled CSV file in bounded memory, as `newsclf
/// train --data PATH --memory-limit SIZE` does (with `init`, continues that
/// model, as `--init`): the rows are streamed, never all held. Returns the
/// model and the rows skipped as `(line, reason, whole row dropped)`.
#[pyfunction]
#[pyo3(signature = (path, memory_limit, text_col="text", label_cols=None, settings=None, threads=None, init=None))]
#[allow(clippy::too_many_arguments)]
pub fn train_csv(
    py: Python<'_>,
    path: PathBuf,
    memory_limit: &str,
    text_col: &str,
    label_cols: Option<Vec<String>>,
    settings: Option<&Bound<'_, PyDict>>,
    threads: Option<usize>,
    init: Option<PyRef<'_, PyModel>>,
) -> PyResult<(PyModel, Vec<SkippedLine>)> {
    let settings = settings_from(settings)?;
    let limit: MemoryLimit = memory_limit.parse().map_err(to_py)?;
    let spec = CorpusSpec {
        text_col: text_col.to_string(),
        label_cols: label_cols.unwrap_or_else(|| vec!["label".into()]),
        encoding: TextEncoding::Utf8,
    };
    let init = init.map(|m| Arc::clone(&m.inner));
    let checks = FileChecks::default();
    let (model, read) = detached(py, threads, || {
        let (model, _report, read) = match &init {
            Some(init) => newsclf::train_file_streaming_from(
                init,
                &path,
                &spec,
                &settings,
                limit,
                checks,
                &|_| {},
            )?,
            None => newsclf::train_file_streaming(&path, &spec, &settings, limit, checks, &|_| {})?,
        };
        Ok::<_, newsclf::Error>((model, read))
    })?
    .map_err(to_py)?;
    let skipped = read
        .rejects
        .entries()
        .iter()
        .map(|r| (r.line, r.reason.to_string(), r.row_dropped))
        .collect();
    Ok((PyModel::new(model), skipped))
}

/// The settings named in `dict` (the keyword arguments of
/// `newsclf.Classifier`; no dict: none); the others keep the defaults of `newsclf train`.
/// `None` for a classifier kind's setting (`loss`, `C`, `tol`, `max_iter`,
/// `alpha`, `max_dense_mb`, `seed`) means the chosen kind's default; one given
/// for a kind that does not use it is refused when training starts.
fn settings_from(dict: Option<&Bound<'_, PyDict>>) -> PyResult<TrainSettings> {
    let mut s = TrainSettings::default();
    for (key, value) in dict.into_iter().flat_map(|d| d.iter()) {
        let key: String = key.extract()?;
        let (key, value) = (key.as_str(), &value);
        match key {
            "simplify" => s.simplify = extract(key, value)?,
            "hmm" => s.hmm = extract(key, value)?,
            "user_dict" => s.user_words = converted(key, value, file_list(read_user_dict))?,
            "stopwords" => s.stopwords = converted(key, value, file_list(read_stopwords))?,
            "word_ngrams" => s.word_ngrams = extract(key, value)?,
            "char_ngrams" => s.char_ngrams = extract(key, value)?,
            "min_df" => s.min_df = extract(key, value)?,
            "max_df" => s.max_df = extract(key, value)?,
            "max_features" => s.max_features = extract(key, value)?,
            "sublinear_tf" => s.sublinear_tf = extract(key, value)?,
            "l2_norm" => s.l2_norm = extract(key, value)?,
            "model" => s.model = converted(key, value, |n: String| ModelKind::from_name(&n))?,
            "loss" => {
                s.loss = converted(key, value, |n: Option<String>| {
                    n.as_deref().map(Loss::from_name).transpose()
                })?
            }
            "C" => s.c = extract(key, value)?,
            "tol" => s.tol = extract(key, value)?,
            "max_iter" => s.max_iter = extract(key, value)?,
            "alpha" => s.alpha = extract(key, value)?,
            "max_dense_mb" => s.max_dense_mb = extract(key, value)?,
            "seed" => s.seed = extract(key, value)?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unknown training setting '{other}'"
                )));
            }
        }
    }
    Ok(s)
}

/// The setting `key`'s `value` as a `T`; another type is refused, naming the
/// setting.
fn extract<'py, T>(key: &str, value: &Bound<'py, PyAny>) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    value
        .extract()
        .map_err(|e| PyValueError::new_err(format!("setting '{key}': {e}")))
}

/// The setting `key`'s `value` extracted as an `N`, then turned by the
/// library's `convert` into the setting (a name parsed, a file read).
fn converted<'py, N, T>(
    key: &str,
    value: &Bound<'py, PyAny>,
    convert: impl FnOnce(N) -> newsclf::Result<T>,
) -> PyResult<T>
where
    N: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    convert(extract(key, value)?).map_err(to_py)
}

/// Reads a word list with `read` from a path (`None`: an empty list).
fn file_list<T>(
    read: fn(&Path) -> newsclf::Result<Vec<T>>,
) -> impl FnOnce(Option<PathBuf>) -> newsclf::Result<Vec<T>> {
    move |path| path.map_or_else(|| Ok(Vec::new()), |p| read(&p))
}
