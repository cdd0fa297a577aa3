//! The classifier kinds a head can use, behind one interface: settings
//! checked once before any work ([`ClassifierParams`] → [`ClassifierSettings`]),
//! fitting on sparse TF-IDF rows, and class probabilities for one row.

use linfa::ParamGuard;
use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::estimators::{DenseLogisticModel, DenseLogisticParams, DenseLogisticValidParams};
use crate::estimators::{LinearModel, LinearParams, LinearValidParams, RowLabel};
use crate::estimators::{NaiveBayesModel, NaiveBayesParams, NaiveBayesValidParams};
use crate::features::{SparseMatrix, SparseRow};

/// Unchecked classifier settings: which kind, and its hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassifierParams {
    /// The sparse one-vs-rest linear model (SVM or logistic loss).
    Linear(LinearParams),
    /// Multinomial naive Bayes over sparse rows.
    NaiveBayes(NaiveBayesParams),
    /// linfa-logistic's multinomial logistic regression on a dense copy of
    /// the features: small data only.
    LinfaLogistic(DenseLogisticParams),
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams::Linear(LinearParams::default())
    }
}

impl ClassifierParams {
    /// Checks the settings.
    pub fn check(&self) -> Result<ClassifierSettings> {
        Ok(match self {
            ClassifierParams::Linear(p) => ClassifierSettings::Linear(p.clone().check()?),
            ClassifierParams::NaiveBayes(p) => ClassifierSettings::NaiveBayes(p.clone().check()?),
            ClassifierParams::LinfaLogistic(p) => {
                ClassifierSettings::LinfaLogistic(p.clone().check()?)
            }
        })
    }
}

/// Checked classifier settings, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClassifierSettings {
    /// See [`ClassifierParams::Linear`].
    Linear(LinearValidParams),
    /// See [`ClassifierParams::NaiveBayes`].
    NaiveBayes(NaiveBayesValidParams),
    /// See [`ClassifierParams::LinfaLogistic`].
    LinfaLogistic(DenseLogisticValidParams),
}

impl ClassifierSettings {
    /// Fits on `x` with targets `0..n_classes` (every class present).
    pub fn fit(&self, dataset: &DatasetBase<SparseMatrix, Array1<usize>>) -> Result<Classifier> {
        Ok(match self {
            ClassifierSettings::Linear(p) => Classifier::Linear(p.fit(dataset)?),
            ClassifierSettings::NaiveBayes(p) => Classifier::NaiveBayes(p.fit(dataset)?),
            ClassifierSettings::LinfaLogistic(p) => Classifier::LinfaLogistic(p.fit(dataset)?),
        })
    }

    /// Fits on `x` where some rows carry a label set ([`RowLabel::OneOf`]);
    /// only the linear kind can (see [`LinearValidParams::fit_with_sets`]).
    pub fn fit_with_sets(
        &self,
        x: &SparseMatrix,
        labels: &[RowLabel],
        n_classes: usize,
    ) -> Result<Classifier> {
        match self {
            ClassifierSettings::Linear(p) => {
                Ok(Classifier::Linear(p.fit_with_sets(x, labels, n_classes)?))
            }
            _ => Err(Error::input(format!(
                "labels naming several classes (such as 'positive|neutral') train only \
                 --model linear, not {}",
                self.kind()
            ))),
        }
    }

    /// Short name of the classifier kind, as `--model` takes it.
    pub fn kind(&self) -> &'static str {
        match self {
            ClassifierSettings::Linear(_) => "linear",
            ClassifierSettings::NaiveBayes(_) => "nb",
            ClassifierSettings::LinfaLogistic(_) => "linfa-logistic",
        }
    }

    /// A one-line description of the settings, for reports.
    pub fn describe(&self) -> String {
        match self {
            ClassifierSettings::Linear(p) => {
                format!("linear {} C={} tol={}", p.loss().name(), p.c(), p.tol())
            }
            ClassifierSettings::NaiveBayes(p) => format!("nb alpha={}", p.alpha()),
            ClassifierSettings::LinfaLogistic(p) => {
                format!("linfa-logistic C={} max-iter={}", p.c(), p.max_iter())
            }
        }
    }
}

/// The fitted classifier of one head, tagged by kind in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Classifier {
    /// One-vs-rest linear model over sparse TF-IDF rows.
    Linear(LinearModel),
    /// Multinomial naive Bayes.
    NaiveBayes(NaiveBayesModel),
    /// Multinomial logistic regression fitted by linfa-logistic.
    LinfaLogistic(DenseLogisticModel),
}

impl Classifier {
    /// Class probabilities of one row, into `out` (one per class, summing to 1).
    pub fn predict_proba_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        match self {
            Classifier::Linear(m) => m.predict_proba_row(row, out),
            Classifier::NaiveBayes(m) => m.predict_proba_row(row, out),
            Classifier::LinfaLogistic(m) => m.predict_proba_row(row, out),
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        match self {
            Classifier::Linear(m) => m.n_classes(),
            Classifier::NaiveBayes(m) => m.n_classes(),
            Classifier::LinfaLogistic(m) => m.n_classes(),
        }
    }

    /// Short name of the classifier kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Classifier::Linear(m) => m.params().loss().name(),
            Classifier::NaiveBayes(_) => "naive Bayes",
            Classifier::LinfaLogistic(_) => "linfa-logistic",
        }
    }

    /// How the fit went, for the training summary (e.g. solver passes), and
    /// a warning when it did not converge.
    pub fn fit_summary(&self) -> (String, Option<String>) {
        match self {
            Classifier::Linear(m) => {
                let passes = m.passes();
                let lo = passes.iter().min().copied().unwrap_or(0);
                let hi = passes.iter().max().copied().unwrap_or(0);
                let warning = (hi as usize >= m.params().max_iter()).then(|| {
                    format!(
                        "the solver stopped at --max-iter {hi} before converging; \
                         raise --max-iter or lower --c"
                    )
                });
                (format!("{lo}–{hi} passes over the data"), warning)
            }
            Classifier::NaiveBayes(m) => (
                format!(
                    "smoothing alpha {}, one pass over the data",
                    m.params().alpha()
                ),
                None,
            ),
            Classifier::LinfaLogistic(m) => (
                format!("L-BFGS, at most {} iterations", m.params().max_iter()),
                None,
            ),
        }
    }

    /// How much one unit of `feature` moves the score of class `label` above
    /// that of class `other`: the weight difference of a linear model (for two
    /// classes, the one weight vector, signed), the log-probability ratio of
    /// naive Bayes. A document's feature values times these weights are the
    /// terms' contributions to the margin between the two classes.
    pub fn margin_weight(&self, feature: usize, label: usize, other: usize) -> f32 {
        match self {
            Classifier::Linear(m) if m.n_classes() == 2 => {
                let w = m.weight(0, feature);
                if label == 1 { w } else { -w }
            }
            Classifier::Linear(m) => m.weight(label, feature) - m.weight(other, feature),
            Classifier::NaiveBayes(m) => {
                m.feature_log_prob(feature, label) - m.feature_log_prob(feature, other)
            }
            Classifier::LinfaLogistic(m) => m.weight(label, feature) - m.weight(other, feature),
        }
    }

    /// Checks a deserialised classifier against the featurizer's width.
    pub(crate) fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        match self {
            Classifier::Linear(m) => m.validate(n_features),
            Classifier::NaiveBayes(m) => m.validate(n_features),
            Classifier::LinfaLogistic(m) => m.validate(n_features),
        }
    }
}
