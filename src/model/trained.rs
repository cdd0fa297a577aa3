//! A trained model: segmentation settings, the fitted featurizer and one
//! classifier per label column ("head"), and prediction with it.

use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::file_format::{self, Checksum};
use crate::error::{Error, Result};
pub use crate::estimators::Classifier;
use crate::estimators::ClassifierSettings;
use crate::estimators::LinearModel;
use crate::features::SparseRow;
use crate::features::{FeatureConfig, Scratch, Segmented, Vectorizer};
use crate::model::TuningRecord;
use crate::text::NormalizeConfig;
use crate::text::{Segmenter, SegmenterConfig};

/// One label column and its classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// The label column it was trained on.
    pub name: String,
    /// Class names, in the classifier's class order.
    pub labels: Vec<String>,
    /// Rows per class in the training data.
    pub class_counts: Vec<usize>,
    /// The classifier.
    pub classifier: Classifier,
}

impl Head {
    /// The head's linear classifier, for continued training (which works
    /// with linear heads only; another kind is an error naming the head).
    pub fn linear_model(&self) -> Result<&LinearModel> {
        match &self.classifier {
            Classifier::Linear(model) => Ok(model),
            other => Err(Error::param(format!(
                "head '{}' of the model to continue is {}; continued training works \
                 with --model linear only",
                self.name,
                other.kind()
            ))),
        }
    }
}

/// Facts about how a model was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Version of newsclf that trained it.
    pub crate_version: String,
    /// The training file as given on the command line.
    pub data_source: String,
    /// SHA-256 of the training file's bytes.
    pub data_sha256: String,
    /// Rows used for training.
    pub rows: usize,
    /// Rows skipped while reading the training file.
    pub rows_skipped: usize,
    /// The text column.
    pub text_col: String,
    /// The classifier settings.
    pub classifier: ClassifierSettings,
    /// The grid search that chose the settings, for models made by `tune`.
    pub tuning: Option<TuningRecord>,
}

/// Everything the model file stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ModelData {
    pub(crate) provenance: Provenance,
    pub(crate) normalizer: NormalizeConfig,
    pub(crate) segmenter: SegmenterConfig,
    pub(crate) vectorizer: Vectorizer,
    pub(crate) heads: Vec<Head>,
}

impl ModelData {
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        self.segmenter.validate()?;
        if self.heads.is_empty() {
            return Err("the model has no heads".into());
        }
        for head in &self.heads {
            let m = &head.classifier;
            m.validate(self.vectorizer.n_features())
                .map_err(|e| format!("head '{}': {e}", head.name))?;
            if head.labels.len() != m.n_classes() || head.class_counts.len() != m.n_classes() {
                return Err(format!(
                    "head '{}': {} labels for {} classes",
                    head.name,
                    head.labels.len(),
                    m.n_classes()
                ));
            }
        }
        Ok(())
    }
}

/// A trained classifier ready to predict.
///
/// `Model` is `Send + Sync`: one instance can serve many threads at once.
pub struct Model {
    pub(crate) data: ModelData,
    segmenter: Segmenter,
}

/// One label and its probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scored<'m> {
    /// The class name.
    pub label: &'m str,
    /// Its probability.
    pub probability: f32,
}

/// The prediction of one head for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadPrediction<'m> {
    /// The head (label column) name.
    pub head: &'m str,
    /// Every class, most probable first (ties by class order); probabilities sum to 1.
    pub ranked: Vec<Scored<'m>>,
}

impl<'m> HeadPrediction<'m> {
    /// The most probable class.
    pub fn best(&self) -> Scored<'m> {
        self.ranked[0]
    }

    /// The `k` most probable classes.
    pub fn top(&self, k: usize) -> &[Scored<'m>] {
        &self.ranked[..k.min(self.ranked.len())]
    }
}

/// The predictions of every head for one document, in head order; it
/// borrows the label names from the model.
pub type Prediction<'m> = Vec<HeadPrediction<'m>>;

/// Per-thread buffers of [`Model::predict`], reused from one text to the next.
#[derive(Default)]
struct Buffers {
    doc: Segmented,
    scratch: Scratch,
    indices: Vec<u32>,
    values: Vec<f32>,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

/// Name used in messages for the model compiled into the binary.
pub const EMBEDDED_NAME: &str = "<embedded default model>";

static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/default.model");

impl Model {
    pub(crate) fn from_data(data: ModelData) -> Self {
        let segmenter = Segmenter::new(&data.segmenter);
        Model { data, segmenter }
    }

    /// Loads a model file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::from_data(file_format::load(path.as_ref())?))
    }

    /// Loads a model from the bytes of a model file; `source` names it in messages.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Self> {
        Ok(Self::from_data(file_format::decode(
            bytes,
            source,
            Checksum::Verify,
        )?))
    }

    /// The default model shipped in `models/default.model`, compiled into the crate.
    pub fn embedded_default() -> Result<Self> {
        Ok(Self::from_data(file_format::decode(
            DEFAULT_MODEL,
            EMBEDDED_NAME,
            Checksum::Skip,
        )?))
    }

    /// Writes the model file (atomically: a temporary file renamed into place).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        file_format::save(&self.data, path.as_ref())
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        file_format::encode(&self.data)
    }

    /// The heads, in training order.
    pub fn heads(&self) -> &[Head] {
        &self.data.heads
    }

    /// How the model was trained.
    pub fn provenance(&self) -> &Provenance {
        &self.data.provenance
    }

    /// Text normalisation settings.
    pub fn normalize_config(&self) -> &NormalizeConfig {
        &self.data.normalizer
    }

    /// Segmentation settings.
    pub fn segmenter_config(&self) -> &SegmenterConfig {
        &self.data.segmenter
    }

    /// Feature settings.
    pub fn feature_config(&self) -> &FeatureConfig {
        self.data.vectorizer.config()
    }

    /// The fitted featurizer.
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.data.vectorizer
    }

    /// Normalises and segments a text.
    pub fn segment(&self, text: &str) -> Segmented {
        let mut doc = Segmented::default();
        self.segment_into(text, &mut doc);
        doc
    }

    /// Like [`Model::segment`], reusing `doc`'s buffers.
    fn segment_into(&self, text: &str, doc: &mut Segmented) {
        doc.text.clear();
        self.data.normalizer.apply_into(text, &mut doc.text);
        self.segmenter.segment_into(&doc.text, &mut doc.spans);
    }

    /// The TF-IDF features of a text as sorted `(feature, value)` pairs.
    pub fn featurize(&self, text: &str) -> Vec<(u32, f32)> {
        self.data.vectorizer.transform_one(&self.segment(text))
    }

    /// Segments and featurizes `text` into this thread's buffers and calls
    /// `score` with its feature row.
    fn with_row<R>(&self, text: &str, score: impl FnOnce(SparseRow<'_>) -> R) -> R {
        BUFFERS.with(|cell| {
            let mut guard = cell.borrow_mut();
            let b = &mut *guard;
            self.segment_into(text, &mut b.doc);
            self.data.vectorizer.transform_into(&b.doc, &mut b.scratch);
            b.indices.clear();
            b.values.clear();
            for &(j, v) in &b.scratch.row {
                b.indices.push(j);
                b.values.push(v);
            }
            score(SparseRow {
                indices: &b.indices,
                values: &b.values,
            })
        })
    }

    /// Predicts every head for one text.
    pub fn predict(&self, text: &str) -> Prediction<'_> {
        self.with_row(text, |row| self.predict_row(row))
    }

    /// The position of head `name` in [`Model::heads`]; the error lists the
    /// model's heads.
    pub fn head_index(&self, name: &str) -> Result<usize> {
        self.data
            .heads
            .iter()
            .position(|h| h.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.data.heads.iter().map(|h| h.name.as_str()).collect();
                Error::input(format!(
                    "the model has no head '{name}' (heads: {})",
                    names.join(", ")
                ))
            })
    }

    /// The class probabilities of head `heads()[head]` for many texts, in
    /// parallel, as a row-major matrix: row `i` holds `texts[i]`'s
    /// probabilities in the head's class order (`heads()[head].labels`), the
    /// same numbers [`Model::predict`] ranks.
    ///
    /// # Panics
    /// If `head` is not an index into [`Model::heads`] (see [`Model::head_index`]).
    pub fn predict_proba_batch<S: AsRef<str> + Sync>(&self, texts: &[S], head: usize) -> Vec<f32> {
        let classifier = &self.data.heads[head].classifier;
        let k = classifier.n_classes();
        let mut out = vec![0.0f32; texts.len() * k];
        out.par_chunks_mut(k.max(1))
            .zip(texts.par_iter())
            .for_each(|(probs, text)| {
                self.with_row(text.as_ref(), |row| {
                    classifier.predict_proba_row(row, probs)
                })
            });
        out
    }

    /// Predicts many texts in parallel; results are in input order and equal
    /// to calling [`Model::predict`] on each.
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction<'_>> {
        texts.par_iter().map(|t| self.predict(t.as_ref())).collect()
    }

    /// Predicts every head for one featurized row.
    pub fn predict_row(&self, row: SparseRow<'_>) -> Prediction<'_> {
        self.data
            .heads
            .iter()
            .map(|head| {
                let mut probs = vec![0.0f32; head.labels.len()];
                head.classifier.predict_proba_row(row, &mut probs);
                let mut ranked: Vec<Scored<'_>> = head
                    .labels
                    .iter()
                    .zip(probs)
                    .map(|(label, probability)| Scored { label, probability })
                    .collect();
                // Stable: ties keep class order.
                ranked.sort_by(|a, b| b.probability.total_cmp(&a.probability));
                HeadPrediction {
                    head: &head.name,
                    ranked,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_matrix_rows_equal_predictions() {
        let model = Model::embedded_default().unwrap();
        let texts = [
            "国际油价大幅上涨",
            "女排三比零战胜对手",
            "",
            "央行下调存款准备金率",
        ];
        for (h, head) in model.heads().iter().enumerate() {
            let matrix = model.predict_proba_batch(&texts, h);
            let k = head.labels.len();
            assert_eq!(matrix.len(), texts.len() * k);
            for (text, row) in texts.iter().zip(matrix.chunks(k)) {
                let prediction = model.predict(text);
                for scored in &prediction[h].ranked {
                    let j = head.labels.iter().position(|l| l == scored.label).unwrap();
                    assert_eq!(row[j], scored.probability);
                }
            }
        }
        assert_eq!(model.head_index(&model.heads()[1].name).unwrap(), 1);
        let err = model.head_index("nope").unwrap_err().to_string();
        assert!(err.contains("no head 'nope' (heads: "), "{err}");
    }

    #[test]
    fn model_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Model>();
    }
}
