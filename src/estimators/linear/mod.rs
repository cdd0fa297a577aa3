//! A one-vs-rest linear classifier over sparse rows that implements linfa's
//! `Fit` and `PredictInplace` traits.
//!
//! linfa's stock classifiers take dense `ndarray` records only; a dense
//! documents × features TF-IDF matrix does not fit in memory at realistic
//! sizes, so this estimator works on [`SparseMatrix`] rows directly (see
//! `docs/design.md`).

mod block_solver;
mod calibration;
mod hyperparams;
mod solver;

pub use block_solver::RowBlocks;
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

    /// The weights scoring class `class` against the rest, intercept last in
    /// units of the bias feature (as the solver keeps them); for two classes,
    /// class 0's are the one model's, negated.
    fn one_vs_rest(&self, class: usize) -> Vec<solver::Weight> {
        let n_models = self.n_models();
        let (m, sign) = match n_models {
            1 if class == 0 => (0, -1.0),
            1 => (0, 1.0),
            _ => (class, 1.0),
        };
        let mut w: Vec<f32> = (0..self.n_features)
            .map(|j| sign * self.weights[j * n_models + m])
            .collect();
        let bias = self.params.bias;
        w.push(if bias > 0.0 {
            sign * self.intercepts[m] / bias
        } else {
            0.0
        });
        w
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

/// What a training row is known to be: one class, or one of several (a label
/// set such as `positive|neutral`: a bit per class, so at most 64 classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLabel {
    /// Exactly this class.
    Class(usize),
    /// One of the classes whose bits are set; not which.
    OneOf(u64),
}

impl RowLabel {
    /// Whether the row can belong to `class` without being known to.
    fn maybe(self, class: usize) -> bool {
        matches!(self, RowLabel::OneOf(mask) if class < 64 && mask >> class & 1 == 1)
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
        let n_classes = check_targets(x, &dataset.targets, "a classifier")?.len();
        let labels: Vec<RowLabel> = dataset
            .targets
            .iter()
            .map(|&c| RowLabel::Class(c))
            .collect();
        Ok(self.fit_rows(x, &labels, n_classes, None))
    }
}

impl LinearValidParams {
    /// Fits like [`Fit::fit`] where some rows are known only to belong to one
    /// of several classes ([`RowLabel::OneOf`]): such a row is a negative
    /// example of every class it cannot be, takes no part in the binary
    /// problems of the classes it may be, and none in the calibration.
    /// Every class needs at least one row labelled with it alone.
    pub fn fit_with_sets(
        &self,
        x: &SparseMatrix,
        labels: &[RowLabel],
        n_classes: usize,
    ) -> Result<LinearModel, Error> {
        if labels.len() != x.n_rows() {
            return Err(Error::input(format!(
                "{} labels for {} rows",
                labels.len(),
                x.n_rows()
            )));
        }
        let mut seen = vec![false; n_classes];
        for label in labels {
            match *label {
                RowLabel::Class(c) if c < n_classes => seen[c] = true,
                RowLabel::OneOf(mask) if n_classes <= 64 && mask >> n_classes == 0 => {}
                _ => return Err(Error::input(format!("a label outside 0..{n_classes}"))),
            }
        }
        if n_classes < 2 || seen.contains(&false) {
            return Err(Error::input(
                "every class needs at least one row labelled with it alone, and there must be two",
            ));
        }
        Ok(self.fit_rows(x, labels, n_classes, None))
    }

    /// Continues training `init` on new rows (continued training, warm start):
    /// each binary problem minimises `½‖w − w₀‖² + C Σ loss(yᵢ w·xᵢ)` over
    /// these rows, `w₀` being `init`'s weights, and the calibration is refitted
    /// on these rows. `classes[k]` is new class `k`'s index in `init`, `None`
    /// for a class `init` lacks (it starts at zero weights); every class of
    /// `init` must appear once. The rows must have `init`'s features; not every
    /// class needs a row. The intercept feature's value is `init`'s.
    pub fn fit_from(
        &self,
        init: &LinearModel,
        classes: &[Option<usize>],
        x: &SparseMatrix,
        labels: &[RowLabel],
    ) -> Result<LinearModel, Error> {
        let n_classes = classes.len();
        if x.n_cols() != init.n_features {
            return Err(Error::input(format!(
                "the rows have {} features, the model being continued {}",
                x.n_cols(),
                init.n_features
            )));
        }
        if labels.len() != x.n_rows() || labels.is_empty() {
            return Err(Error::input(format!(
                "{} labels for {} rows (at least one is needed)",
                labels.len(),
                x.n_rows()
            )));
        }
        for label in labels {
            let ok = match *label {
                RowLabel::Class(c) => c < n_classes,
                RowLabel::OneOf(mask) => n_classes <= 64 && mask >> n_classes == 0,
            };
            if !ok {
                return Err(Error::input(format!("a label outside 0..{n_classes}")));
            }
        }
        let (params, starts) = self.continued_starts(init, classes)?;
        Ok(params.fit_rows(x, labels, n_classes, Some(&starts)))
    }

    /// The settings and starting weights that continue `init` with classes
    /// `classes` (see [`LinearValidParams::fit_from`]): `init`'s intercept
    /// feature, and per binary model the weights of its class in `init`
    /// (zeros for a new class). Checks that every class of `init` keeps one place.
    fn continued_starts(
        &self,
        init: &LinearModel,
        classes: &[Option<usize>],
    ) -> Result<(LinearValidParams, Vec<Vec<solver::Weight>>), Error> {
        let n_classes = classes.len();
        let mut mapped = vec![0usize; init.n_classes];
        for &c in classes.iter().flatten() {
            if c >= init.n_classes {
                return Err(Error::input(format!(
                    "class {c} of a model with {} classes",
                    init.n_classes
                )));
            }
            mapped[c] += 1;
        }
        if mapped.iter().any(|&n| n != 1) {
            return Err(Error::input(
                "every class of the model being continued must keep one place",
            ));
        }
        let params = LinearValidParams {
            bias: init.params.bias,
            ..self.clone()
        };
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        let starts: Vec<Vec<solver::Weight>> = (0..n_models)
            .map(|m| {
                let class = if n_models == 1 { 1 } else { m };
                classes[class].map_or_else(
                    || vec![0.0; init.n_features + 1],
                    |old| init.one_vs_rest(old),
                )
            })
            .collect();
        Ok((params, starts))
    }

    /// The fit itself, on checked labels; `starts[m]` is binary model `m`'s
    /// starting weights (intercept last, in units of the bias feature).
    fn fit_rows(
        &self,
        x: &SparseMatrix,
        labels: &[RowLabel],
        n_classes: usize,
        starts: Option<&[Vec<solver::Weight>]>,
    ) -> LinearModel {
        let data = Prepared::new(x, self.bias);
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        // The calibration sample: rows of one known class, at an even stride.
        let known: Vec<(usize, usize)> = labels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match *l {
                RowLabel::Class(c) => Some((i, c)),
                RowLabel::OneOf(_) => None,
            })
            .collect();
        let stride = known.len().div_ceil(CALIBRATION_ROWS).max(1);
        let (sample, sample_classes): (Vec<usize>, Vec<usize>) =
            known.iter().step_by(stride).copied().unzip();
        // Per model: weights, passes, and approximate leave-one-out scores of the sample.
        let solved: Vec<(Vec<solver::Weight>, usize, Vec<f64>)> = (0..n_models)
            .into_par_iter()
            .map(|m| {
                let class = if n_models == 1 { 1 } else { m };
                let seed = self.seed.wrapping_add(m as u64);
                // Rows that may be of this class without being known to sit out.
                let taking_part: Option<Vec<usize>> =
                    labels.iter().any(|l| l.maybe(class)).then(|| {
                        (0..labels.len())
                            .filter(|&i| !labels[i].maybe(class))
                            .collect()
                    });
                let own_rows;
                let (data, rows): (&Prepared, Option<&[usize]>) = match &taking_part {
                    Some(rows) => {
                        own_rows = x.select_rows(rows);
                        (&Prepared::new(&own_rows, self.bias), Some(rows.as_slice()))
                    }
                    None => (&data, None),
                };
                let row_of = |j: usize| rows.map_or(j, |r| r[j]);
                let positive: Vec<bool> = (0..data.x.n_rows())
                    .map(|j| labels[row_of(j)] == RowLabel::Class(class))
                    .collect();
                let (w, alpha, passes) =
                    solve_binary(data, &positive, self, seed, starts.map(|s| s[m].as_slice()));
                let loo = sample
                    .iter()
                    .map(|&i| {
                        // Sample rows are of a known class, so every problem has them.
                        let j = rows.map_or(i, |r| r.binary_search(&i).unwrap_or(0));
                        let own = alpha[j] * if positive[j] { 1.0 } else { -1.0 };
                        data.score(&w, j) - LOO_SHARE * own * data.sq_norms[j]
                    })
                    .collect();
                (w, passes, loo)
            })
            .collect();
        self.assemble(x.n_cols(), n_classes, solved, &sample_classes)
    }

    /// The model from each binary model's solution `(weights, passes,
    /// calibration scores)`: `solved[m].2[r]` is model `m`'s approximate
    /// leave-one-out score of calibration row `r`, of class `sample_classes[r]`.
    fn assemble(
        &self,
        n_features: usize,
        n_classes: usize,
        solved: Vec<(Vec<solver::Weight>, usize, Vec<f64>)>,
        sample_classes: &[usize],
    ) -> LinearModel {
        let n_models = solved.len();
        let bias = f64::from(self.bias);
        let mut weights = vec![0.0f32; n_models * n_features];
        let mut intercepts = Vec::with_capacity(n_models);
        let mut passes = Vec::with_capacity(n_models);
        let mut loo_scores = vec![0.0f64; sample_classes.len() * n_models];
        for (m, (w, p, loo)) in solved.into_iter().enumerate() {
            for (j, &v) in w[..n_features].iter().enumerate() {
                weights[j * n_models + m] = v;
            }
            intercepts.push((f64::from(w[n_features]) * bias) as f32);
            passes.push(p as u32);
            for (r, v) in loo.into_iter().enumerate() {
                loo_scores[r * n_models + m] = v;
            }
        }
        let calibration = if n_models == 1 {
            let positive: Vec<bool> = sample_classes.iter().map(|&c| c == 1).collect();
            Calibration::fit_binary(&loo_scores, &positive)
        } else {
            Calibration::fit_softmax(&loo_scores, n_models, sample_classes)
        };
        LinearModel {
            params: self.clone(),
            n_features,
            n_classes,
            weights,
            intercepts,
            calibration,
            passes,
        }
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
    fn a_label_set_row_trains_only_the_classes_it_cannot_be() {
        // Feature 3 occurs only in rows that are "class 1 or 2": it must push
        // away from class 0 and take no weight in the models of 1 and 2.
        let (blobs, y) = three_blobs();
        let mut x = SparseMatrix::new(4);
        for row in blobs.rows() {
            x.push_row(row.indices.iter().copied().zip(row.values.iter().copied()));
        }
        let mut labels: Vec<RowLabel> = y.iter().map(|&c| RowLabel::Class(c)).collect();
        for _ in 0..10 {
            x.push_row([(3u32, 1.0f32)]);
            labels.push(RowLabel::OneOf(0b110));
        }
        let p = LinearParams::new().check().unwrap();
        let model = p.fit_with_sets(&x, &labels, 3).unwrap();
        assert!(model.weight(0, 3) < -0.1, "{}", model.weight(0, 3));
        assert_eq!(model.weight(1, 3), 0.0);
        assert_eq!(model.weight(2, 3), 0.0);
        // Without sets it is the plain fit, to the bit.
        let plain = p.fit(&DatasetBase::new(blobs.clone(), y.clone())).unwrap();
        let labels: Vec<RowLabel> = y.iter().map(|&c| RowLabel::Class(c)).collect();
        assert_eq!(p.fit_with_sets(&blobs, &labels, 3).unwrap(), plain);
        // Every class needs rows of its own.
        let only_sets = vec![RowLabel::OneOf(0b11); blobs.n_rows()];
        assert!(p.fit_with_sets(&blobs, &only_sets, 3).is_err());
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
    fn continued_training_keeps_old_classes_and_learns_a_new_one() {
        let (x, y) = three_blobs();
        // First two classes only (rows of class 2 left out), then all three.
        let rows: Vec<usize> = (0..x.n_rows()).filter(|&i| y[i] < 2).collect();
        let first = DatasetBase::new(x.select_rows(&rows), rows.iter().map(|&i| y[i]).collect());
        let p = LinearParams::new().check().unwrap();
        let old = p.fit(&first).unwrap();
        assert_eq!(old.n_models(), 1);
        let labels: Vec<RowLabel> = y.iter().map(|&c| RowLabel::Class(c)).collect();
        let new = p
            .fit_from(&old, &[Some(0), Some(1), None], &x, &labels)
            .unwrap();
        assert_eq!(new.n_classes(), 3);
        let mut pred = Array1::zeros(x.n_rows());
        new.predict_inplace(&x, &mut pred);
        assert_eq!(pred, y);
        // Only class-1 rows: class 0 is remembered from the old weights.
        let ones: Vec<usize> = (0..x.n_rows()).filter(|&i| y[i] == 1).collect();
        let more = x.select_rows(&ones);
        let again = p
            .fit_from(
                &old,
                &[Some(0), Some(1)],
                &more,
                &vec![RowLabel::Class(1); ones.len()],
            )
            .unwrap();
        let mut pred = Array1::zeros(rows.len());
        again.predict_inplace(&x.select_rows(&rows), &mut pred);
        let right = rows.iter().zip(&pred).filter(|&(&i, &p)| y[i] == p).count();
        assert!(right * 10 >= rows.len() * 9, "{right} of {}", rows.len());
        // Bad mappings are errors, not panics.
        assert!(p.fit_from(&old, &[Some(0), Some(0)], &x, &labels).is_err());
        assert!(
            p.fit_from(&old, &[Some(0), None, None], &x, &labels)
                .is_err()
        );
        assert!(p.fit_from(&old, &[Some(0), Some(1)], &x, &labels).is_err());
        let narrow = SparseMatrix::new(2);
        assert!(p.fit_from(&old, &[Some(0), Some(1)], &narrow, &[]).is_err());
    }

    #[test]
    fn model_is_send_and_sync() {
        fn has_autotraits<T: Send + Sync + Sized + Unpin>() {}
        has_autotraits::<LinearModel>();
        has_autotraits::<LinearParams>();
        has_autotraits::<LinearValidParams>();
    }
}
