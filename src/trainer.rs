//! Training: segment the corpus, learn the TF-IDF featurizer, fit one
//! classifier per label column, and assemble the [`Model`].

use std::time::{Duration, Instant};

use linfa::ParamGuard;
use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::Array1;
use rayon::prelude::*;

use crate::corpus::LabeledCorpus;
use crate::error::{Error, Result};
use crate::features::{FeatureConfig, Segmented, Vectorizer};
use crate::linear::LinearParams;
use crate::model::{Classifier, Head, Model, ModelData, Provenance};
use crate::normalize::normalize;
use crate::segment::{Segmenter, SegmenterConfig};
use crate::sparse::SparseMatrix;

/// Everything that decides how a model is trained.
#[derive(Debug, Clone, Default)]
pub struct TrainConfig {
    /// Segmentation settings.
    pub segmenter: SegmenterConfig,
    /// Feature settings.
    pub features: FeatureConfig,
    /// Classifier settings.
    pub linear: LinearParams,
}

/// What training did, for the summary printed after `train`.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Time to segment, featurize and fit. (Rows, classes and vocabulary
    /// size are the model's: see [`Model::heads`] and [`Model::vectorizer`].)
    pub timings: Vec<(&'static str, Duration)>,
}

/// Trains models from labeled corpora.
#[derive(Debug, Clone, Default)]
pub struct Trainer {
    config: TrainConfig,
}

impl Trainer {
    /// A trainer with the given settings (checked when training starts).
    pub fn new(config: TrainConfig) -> Self {
        Trainer { config }
    }

    /// Trains one head per label column of `corpus`; `text_col` is recorded in the model.
    pub fn fit(&self, corpus: &LabeledCorpus, text_col: &str) -> Result<(Model, TrainReport)> {
        self.fit_with_progress(corpus, text_col, &|_| {})
    }

    /// Like [`Trainer::fit`], calling `stage` with a short description as each
    /// stage starts (for a progress display).
    pub fn fit_with_progress(
        &self,
        corpus: &LabeledCorpus,
        text_col: &str,
        stage: &(dyn Fn(&str) + Sync),
    ) -> Result<(Model, TrainReport)> {
        let params = self.config.linear.clone().check()?;
        self.config.features.validate()?;
        let mut timings = Vec::new();
        let class_counts: Vec<_> = (0..corpus.heads.len())
            .map(|h| corpus.class_counts(h))
            .collect();
        for (name, counts) in corpus.heads.iter().zip(&class_counts) {
            if counts.len() < 2 {
                let only = counts.keys().next().copied().unwrap_or("");
                return Err(Error::input(format!(
                    "{}: column '{name}' has only one class ('{only}'); a classifier needs at least two",
                    corpus.source
                )));
            }
        }

        let clock = Instant::now();
        stage("segmenting");
        // Loading jieba's dictionary takes a while on one thread: normalise
        // the texts on the others meanwhile.
        let (segmenter, texts) = rayon::join(
            || Segmenter::new(&self.config.segmenter),
            || {
                corpus
                    .texts
                    .par_iter()
                    .map(|t| normalize(t))
                    .collect::<Vec<String>>()
            },
        );
        let docs: Vec<Segmented> = texts
            .into_par_iter()
            .map(|text| {
                let spans = segmenter.segment(&text);
                Segmented { text, spans }
            })
            .collect();
        timings.push(("segment", clock.elapsed()));

        let clock = Instant::now();
        stage("building features");
        let vectorizer = Vectorizer::fit(&self.config.features, &docs)?;
        if vectorizer.n_features() == 0 {
            return Err(Error::input(format!(
                "{}: no term occurs in at least {} documents; lower --min-df or add data",
                corpus.source, self.config.features.min_df
            )));
        }
        let mut x = vectorizer.transform(&docs);
        drop(docs);
        timings.push(("featurize", clock.elapsed()));

        let clock = Instant::now();
        let mut heads = Vec::new();
        for (h, (name, counts)) in corpus.heads.iter().zip(&class_counts).enumerate() {
            stage(&format!("fitting head '{name}'"));
            let labels: Vec<String> = counts.keys().map(|s| s.to_string()).collect();
            let mut rows = Vec::new();
            let mut targets = Vec::new();
            for (i, label) in corpus.labels[h].iter().enumerate() {
                if let Some(label) = label {
                    rows.push(i);
                    targets.push(labels.binary_search(label).expect("label is counted"));
                }
            }
            let targets = Array1::from(targets);
            let model = if rows.len() == x.n_rows() {
                // Lend the whole matrix to the dataset and take it back after fitting.
                let dataset =
                    DatasetBase::new(std::mem::replace(&mut x, SparseMatrix::new(0)), targets);
                let fitted = params.fit(&dataset);
                x = dataset.records;
                fitted?
            } else {
                params.fit(&DatasetBase::new(x.select_rows(&rows), targets))?
            };
            let class_counts: Vec<usize> = counts.values().copied().collect();
            heads.push(Head {
                name: name.clone(),
                labels,
                class_counts,
                classifier: Classifier::Linear(model),
            });
        }
        timings.push(("fit", clock.elapsed()));

        let data = ModelData {
            provenance: Provenance {
                crate_version: env!("CARGO_PKG_VERSION").to_string(),
                data_source: corpus.source.clone(),
                data_sha256: corpus.sha256.clone(),
                rows: corpus.len(),
                rows_skipped: corpus.rejects.rows_dropped(),
                text_col: text_col.to_string(),
                linear: params,
            },
            segmenter: self.config.segmenter.clone(),
            vectorizer,
            heads,
        };
        let report = TrainReport { timings };
        Ok((Model::from_data(data), report))
    }
}
