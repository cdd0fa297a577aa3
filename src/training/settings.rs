//! Training settings as flat values, one per `train` flag: the command line
//! and the Python binding both describe a training run with a
//! [`TrainSettings`] and turn it into a [`TrainConfig`] here, so the two share
//! one set of defaults and one mapping.

use crate::error::{Error, Result};
use crate::estimators::ClassifierParams;
use crate::estimators::DenseLogisticParams;
use crate::estimators::NaiveBayesParams;
use crate::estimators::{LinearParams, Loss};
use crate::features::FeatureConfig;
use crate::text::NormalizeConfig;
use crate::text::{SegmenterConfig, UserWord};
use crate::training::TrainConfig;

/// The classifier kinds, as `--model` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// The sparse one-vs-rest linear model (`linear`).
    Linear,
    /// Multinomial naive Bayes (`nb`).
    NaiveBayes,
    /// linfa-logistic on dense features (`linfa-logistic`).
    LinfaLogistic,
}

impl ModelKind {
    /// The kind named `name` (`linear`, `nb`, `linfa-logistic`).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "linear" => Ok(ModelKind::Linear),
            "nb" => Ok(ModelKind::NaiveBayes),
            "linfa-logistic" => Ok(ModelKind::LinfaLogistic),
            _ => Err(Error::param(format!(
                "unknown model kind '{name}'; use linear, nb or linfa-logistic"
            ))),
        }
    }
}

impl Loss {
    /// The loss named `name` (`svm`, `logistic`, `ridge`; see [`Loss::name`]).
    pub fn from_name(name: &str) -> Result<Self> {
        [Loss::SquaredHinge, Loss::Logistic, Loss::Squared]
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| {
                Error::param(format!("unknown loss '{name}'; use svm, logistic or ridge"))
            })
    }
}

/// Every training setting, with the command line's defaults. `None` in
/// `c` and `max_iter` means the chosen kind's own default.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    /// Traditional → simplified characters before segmenting.
    pub simplify: bool,
    /// jieba's HMM for words missing from the dictionary.
    pub hmm: bool,
    /// Words added to jieba's dictionary.
    pub user_words: Vec<UserWord>,
    /// Words dropped after segmentation.
    pub stopwords: Vec<String>,
    /// Word n-gram lengths, inclusive.
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths, inclusive; `None` for none.
    pub char_ngrams: Option<(usize, usize)>,
    /// Minimum document frequency of a term.
    pub min_df: usize,
    /// Maximum document frequency of a term, as a fraction of documents.
    pub max_df: f64,
    /// At most this many terms of each kind.
    pub max_features: Option<usize>,
    /// `1 + ln(tf)` instead of raw counts.
    pub sublinear_tf: bool,
    /// Unit length per block (words, characters) of each row.
    pub l2_norm: bool,
    /// The classifier kind.
    pub model: ModelKind,
    /// Loss of the linear model.
    pub loss: Loss,
    /// Inverse regularisation strength (linear, linfa-logistic).
    pub c: Option<f64>,
    /// Stopping tolerance of the linear solver.
    pub tol: f64,
    /// Passes (linear) or L-BFGS iterations (linfa-logistic).
    pub max_iter: Option<usize>,
    /// Additive smoothing of naive Bayes.
    pub alpha: f64,
    /// Memory budget of linfa-logistic's dense matrix, in MB.
    pub max_dense_mb: usize,
    /// Seed of the linear solver's row order.
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        use linfa::ParamGuard;
        let features = FeatureConfig::default();
        let segmenter = SegmenterConfig::default();
        let (tol, seed) = LinearParams::new()
            .check_ref()
            .map_or((0.1, 42), |p| (p.tol(), p.seed()));
        let alpha = NaiveBayesParams::new()
            .check_ref()
            .map_or(1.0, |p| p.alpha());
        let max_dense_mb = DenseLogisticParams::new()
            .check_ref()
            .map_or(1024, |p| p.max_dense_mb());
        TrainSettings {
            simplify: NormalizeConfig::default().simplify,
            hmm: segmenter.hmm,
            user_words: segmenter.user_words,
            stopwords: segmenter.stopwords,
            word_ngrams: features.word_ngrams,
            char_ngrams: features.char_ngrams,
            min_df: features.min_df,
            max_df: features.max_df,
            max_features: features.max_features,
            sublinear_tf: features.sublinear_tf,
            l2_norm: features.l2_norm,
            model: ModelKind::Linear,
            loss: Loss::SquaredHinge,
            c: None,
            tol,
            max_iter: None,
            alpha,
            max_dense_mb,
            seed,
        }
    }
}

impl TrainSettings {
    /// The training configuration these settings describe (checked when
    /// training starts).
    ///
    /// ```
    /// use newsclf::training::{ModelKind, TrainSettings};
    /// let settings = TrainSettings { model: ModelKind::NaiveBayes, min_df: 1, ..TrainSettings::default() };
    /// let config = settings.config();
    /// assert_eq!(config.features.min_df, 1);
    /// ```
    pub fn config(&self) -> TrainConfig {
        TrainConfig {
            normalize: NormalizeConfig {
                simplify: self.simplify,
            },
            segmenter: SegmenterConfig {
                hmm: self.hmm,
                user_words: self.user_words.clone(),
                stopwords: self.stopwords.clone(),
            },
            features: FeatureConfig {
                word_ngrams: self.word_ngrams,
                char_ngrams: self.char_ngrams,
                min_df: self.min_df,
                max_df: self.max_df,
                max_features: self.max_features,
                sublinear_tf: self.sublinear_tf,
                l2_norm: self.l2_norm,
            },
            classifier: self.classifier(),
        }
    }

    /// The classifier kind and its settings.
    fn classifier(&self) -> ClassifierParams {
        match self.model {
            ModelKind::Linear => {
                let mut p = LinearParams::new()
                    .loss(self.loss)
                    .tol(self.tol)
                    .seed(self.seed);
                if let Some(c) = self.c {
                    p = p.c(c);
                }
                if let Some(n) = self.max_iter {
                    p = p.max_iter(n);
                }
                ClassifierParams::Linear(p)
            }
            ModelKind::NaiveBayes => {
                ClassifierParams::NaiveBayes(NaiveBayesParams::new().alpha(self.alpha))
            }
            ModelKind::LinfaLogistic => {
                let mut p = DenseLogisticParams::new().max_dense_mb(self.max_dense_mb);
                if let Some(c) = self.c {
                    p = p.c(c);
                }
                if let Some(n) = self.max_iter {
                    p = p.max_iter(n as u64);
                }
                ClassifierParams::LinfaLogistic(p)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::ClassifierSettings;

    #[test]
    fn defaults_are_the_library_defaults() {
        let config = TrainSettings::default().config();
        assert_eq!(config.features, FeatureConfig::default());
        assert_eq!(config.segmenter, SegmenterConfig::default());
        assert_eq!(config.classifier, ClassifierParams::default());
    }

    #[test]
    fn kind_defaults_apply_unless_overridden() {
        let nb = TrainSettings {
            model: ModelKind::LinfaLogistic,
            ..TrainSettings::default()
        };
        let ClassifierSettings::LinfaLogistic(p) = nb.config().classifier.check().unwrap() else {
            panic!("expected linfa-logistic");
        };
        assert_eq!(p.c(), 1.0);
        let tuned = TrainSettings {
            c: Some(3.0),
            max_iter: Some(7),
            ..TrainSettings::default()
        };
        let ClassifierSettings::Linear(p) = tuned.config().classifier.check().unwrap() else {
            panic!("expected linear");
        };
        assert_eq!((p.c(), p.max_iter()), (3.0, 7));
    }

    #[test]
    fn names_parse_and_unknown_names_are_refused() {
        assert_eq!(ModelKind::from_name("nb").unwrap(), ModelKind::NaiveBayes);
        assert_eq!(Loss::from_name("ridge").unwrap(), Loss::Squared);
        let err = Loss::from_name("hinge").unwrap_err().to_string();
        assert!(err.contains("use svm, logistic or ridge"), "{err}");
        assert!(ModelKind::from_name("svm").is_err());
    }
}
