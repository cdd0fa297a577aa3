//! Stage 4, estimators: classifiers over sparse rows behind linfa's traits
//! (`Fit`, `PredictInplace`), because stock linfa estimators are dense-only.
//! [`linear`] (SVM, logistic and ridge losses, calibrated), [`NaiveBayesModel`]
//! and [`DenseLogisticModel`] (linfa-logistic, for comparison); the
//! [`Classifier`] enum is what a model stores. Each kind validates its
//! hyper-parameters once (`*Params` → `*ValidParams`).

mod classifier;
mod dense_logistic;
pub mod linear;
mod naive_bayes;
pub(crate) mod scoring;

pub use classifier::{Classifier, ClassifierParams, ClassifierSettings};
pub use dense_logistic::{DenseLogisticModel, DenseLogisticParams, DenseLogisticValidParams};
pub use linear::{LinearModel, LinearParams, LinearValidParams, Loss, RowBlocks, RowLabel};
pub use naive_bayes::{NaiveBayesModel, NaiveBayesParams, NaiveBayesValidParams};
pub(crate) use scoring::{add_weighted, check_targets, predict_classes, score_matrix, softmax};
