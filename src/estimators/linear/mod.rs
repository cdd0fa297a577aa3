//! A one-vs-rest linear classifier over sparse rows that implements linfa's
//! `Fit` and `PredictInplace` traits.
//!
//! linfa's stock classifiers take dense `ndarray` records only; a dense
//! documents × features TF-IDF matrix does not fit in memory at realistic
//! sizes, so this estimator works on [`SparseMatrix`] rows directly (see
//! `docs/design.md`).

mod calibration;
mod hyperparams;
mod solver;

pub use calibration::Calibration;
pub use hyperparams::{LinearParams, LinearValidParams, Loss};

use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::estimators::{add_weighted, check_targets, predict_classes, score_matrix};
use crate::features::{SparseMatrix, SparseRow};
use solver::{Prepared, solve_binary};

/// A fitted linear classifier: one weight vector per class (a single one for
/// two classes), intercepts, a probability calibration, and the settings it
/// was fitted with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    params: LinearValidParams,
    n_features: usize,
    n_classes: usize,
    /// `n_features × n_models`, feature-major, so that one row scores every
    /// class in a single pass; `n_models` is 1 for two classes.
    weights: Vec<f32>,
    /// One intercept per model.
    intercepts: Vec<f32>,
    /// Maps scores to probabilities.
    calibration: Calibration,
    /// Passes over the data made by each binary problem (for the training summary).
    passes: Vec<u32>,
}

/// Rows used to fit the calibration, at most (taken at an even stride).
const CALIBRATION_ROWS: usize = 20_000;

/// Share of a training row's own contribution `αᵢ yᵢ ‖xᵢ‖²` taken out of its
/// score before calibrating. 1 is the usual leave-one-out approximation, but
/// it over-corrects (retraining without the row moves other rows' weights to
/// compensate) and left probabilities under-confident; 0 (plain training
/// scores) did too. With ½ the test-set-optimal temperature was within
/// 0.75–1.5× the fitted one on all six public datasets (docs/design.md).
const LOO_SHARE: f64 = 0.5;

impl LinearModel {
    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The hyperparameters used to fit this model.
    pub fn params(&self) -> &LinearValidParams {
        &self.params
    }

    /// Passes over the data made by each binary problem.
    pub fn passes(&self) -> &[u32] {
        &self.passes
    }

    /// The probability calibration.
    pub fn calibration(&self) -> Calibration {
        self.calibration
    }

    /// Checks that a deserialised model is consistent; `n_features` is what
    /// the featurizer produces.
    pub(crate) fn validate(&self, n_features: usize) -> Result<(), String> {
        if self.n_classes < 2 {
            return Err(format!(
                "{} classes (at least 2 are needed)",
                self.n_classes
            ));
        }
        let n_models = if self.n_classes == 2 {
            1
        } else {
            self.n_classes
        };
        if self.n_features != n_features {
            return Err(format!(
                "classifier expects {} features, featurizer makes {n_features}",
                self.n_features
            ));
        }
        if self.intercepts.len() != n_models
            || self.weights.len() != n_models.saturating_mul(n_features)
        {
            return Err("weight table has the wrong size".into());
        }
        if self
            .weights
            .iter()
            .chain(&self.intercepts)
            .any(|w| !w.is_finite())
        {
            return Err("weights are not finite numbers".into());
        }
        if !self.calibration.is_valid() {
            return Err("calibration is not a positive finite scale".into());
        }
        Ok(())
    }

    fn n_models(&self) -> usize {
        self.intercepts.len()
    }

    /// Weight of `feature` in the binary model `m`.
    pub fn weight(&self, m: usize, feature: usize) -> f32 {
        self.weights[feature * self.n_models() + m]
    }

    /// Raw decision scores of every binary model for one row, into `out`
    /// (length 1 for two classes, `n_classes` otherwise).
    pub fn decision_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        out.copy_from_slice(&self.intercepts);
        add_weighted(row, &self.weights, self.n_features, out);
    }

    /// Class probabilities for one row, written into `out` (length `n_classes`).
    /// They are non-negative and sum to 1.
    pub fn predict_proba_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.n_classes);
        if self.n_models() == 1 {
            let mut score = [0.0f32];
            self.decision_row(row, &mut score);
            let p = self.calibration.binary(score[0]);
            out[0] = 1.0 - p;
            out[1] = p;
        } else {
            self.decision_row(row, out);
            self.calibration.softmax(out);
        }
    }

    /// Class probabilities for every row: `n_rows × n_classes`.
    pub fn predict_proba(&self, x: &SparseMatrix) -> Array2<f32> {
        score_matrix(x, self.n_classes, |row, out| {
            self.predict_proba_row(row, out)
        })
    }
}

impl Fit<SparseMatrix, Array1<usize>, Error> for LinearValidParams {
    type Object = LinearModel;

    /// Fits on rows labelled `0..n_classes`; every class must occur.
    fn fit(
        &self,
        dataset: &DatasetBase<SparseMatrix, Array1<usize>>,
    ) -> Result<LinearModel, Error> {
        let x = &dataset.records;
        let y = &dataset.targets;
        let n_classes = check_targets(x, y, "a classifier")?.len();
        let data = Prepared::new(x, self.bias);
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        let stride = x.n_rows().div_ceil(CALIBRATION_ROWS).max(1);
        let sample: Vec<usize> = (0..x.n_rows()).step_by(stride).collect();
        // Per model: weights, passes, and approximate leave-one-out scores of the sample.
        let solved: Vec<(Vec<solver::Weight>, usize, Vec<f64>)> = (0..n_models)
            .into_par_iter()
            .map(|m| {
                let class = if n_models == 1 { 1 } else { m };
                let positive: Vec<bool> = y.iter().map(|&c| c == class).collect();
                let seed = self.seed.wrapping_add(m as u64);
                let (w, alpha, passes) = solve_binary(&data, &positive, self, seed);
                let loo = sample
                    .iter()
                    .map(|&i| {
                        let own = alpha[i] * if positive[i] { 1.0 } else { -1.0 };
                        data.score(&w, i) - LOO_SHARE * own * data.sq_norms[i]
                    })
                    .collect();
                (w, passes, loo)
            })
            .collect();
        let n_features = x.n_cols();
        let mut weights = vec![0.0f32; n_models * n_features];
        let mut intercepts = Vec::with_capacity(n_models);
        let mut passes = Vec::with_capacity(n_models);
        let mut loo_scores = vec![0.0f64; sample.len() * n_models];
        for (m, (w, p, loo)) in solved.into_iter().enumerate() {
            for (j, &v) in w[..n_features].iter().enumerate() {
                weights[j * n_models + m] = v;
            }
            intercepts.push((f64::from(w[n_features]) * data.bias) as f32);
            passes.push(p as u32);
            for (r, v) in loo.into_iter().enumerate() {
                loo_scores[r * n_models + m] = v;
            }
        }
        let sample_classes: Vec<usize> = sample.iter().map(|&i| y[i]).collect();
        let calibration = if n_models == 1 {
            let positive: Vec<bool> = sample_classes.iter().map(|&c| c == 1).collect();
            Calibration::fit_binary(&loo_scores, &positive)
        } else {
            Calibration::fit_softmax(&loo_scores, n_models, &sample_classes)
        };
        Ok(LinearModel {
            params: self.clone(),
            n_features,
            n_classes,
            weights,
            intercepts,
            calibration,
            passes,
        })
    }
}

impl PredictInplace<SparseMatrix, Array1<usize>> for LinearModel {
    /// The most probable class of each row.
    fn predict_inplace(&self, x: &SparseMatrix, y: &mut Array1<usize>) {
        predict_classes(x, y, self.n_classes, |row, out| {
            self.predict_proba_row(row, out)
        });
    }

    fn default_target(&self, x: &SparseMatrix) -> Array1<usize> {
        Array1::zeros(x.n_rows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::ParamGuard;
    use linfa::traits::Predict;

    fn three_blobs() -> (SparseMatrix, Array1<usize>) {
        let mut x = SparseMatrix::new(3);
        let mut y = Vec::new();
        for k in 0..30 {
            let c = k % 3;
            let noise = (k as f32 * 0.37).sin() * 0.2;
            let mut row = vec![(0u32, 0.1f32), (1, 0.1), (2, 0.1)];
            row[c].1 = 1.0 + noise;
            x.push_row(row);
            y.push(c);
        }
        (x, Array1::from(y))
    }

    #[test]
    fn fits_and_predicts_three_classes_through_linfa_traits() {
        let (x, y) = three_blobs();
        let dataset = DatasetBase::new(x.clone(), y.clone());
        for loss in [Loss::Logistic, Loss::SquaredHinge] {
            let model = LinearParams::new().loss(loss).fit(&dataset).unwrap();
            let pred: Array1<usize> = model.predict(&dataset);
            assert_eq!(pred, y, "{loss:?}");
            let p = model.predict_proba(&x);
            for row in p.outer_iter() {
                assert!((row.sum() - 1.0).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn binary_uses_one_model_and_calibrated_sides() {
        let mut x = SparseMatrix::new(2);
        let mut y = Vec::new();
        for k in 0..10 {
            x.push_row([(k % 2, 1.0)]);
            y.push((k % 2) as usize);
        }
        let dataset = DatasetBase::new(x.clone(), Array1::from(y));
        let model = LinearParams::new().check().unwrap().fit(&dataset).unwrap();
        assert_eq!(model.n_models(), 1);
        let p = model.predict_proba(&x);
        assert!(p[(0, 0)] > 0.5 && p[(1, 1)] > 0.5);
    }

    #[test]
    fn rejects_a_single_class_and_bad_params() {
        let mut x = SparseMatrix::new(1);
        x.push_row([(0, 1.0)]);
        let dataset = DatasetBase::new(x, Array1::from(vec![0usize]));
        assert!(LinearParams::new().fit(&dataset).is_err());
        assert!(LinearParams::new().c(0.0).fit(&dataset).is_err());
    }

    #[test]
    fn model_is_send_and_sync() {
        fn has_autotraits<T: Send + Sync + Sized + Unpin>() {}
        has_autotraits::<LinearModel>();
        has_autotraits::<LinearParams>();
        has_autotraits::<LinearValidParams>();
    }
}
