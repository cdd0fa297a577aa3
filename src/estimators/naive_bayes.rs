//! Multinomial naive Bayes over sparse rows, behind linfa's `Fit` and
//! `PredictInplace` traits.
//!
//! Not linfa-bayes 0.8.1's `MultinomialNb`: it takes dense `ndarray` records only (thucnews_titles'
//! default train matrix is 29 GB as dense f64: 33,590 rows × 108,974 features), and its `fit_with` `dbg!`s every
//! class histogram. The model is the same: linfa-bayes' and sklearn's `MultinomialNB` formula.

use linfa::ParamGuard;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::estimators::{add_weighted, check_targets, predict_classes, score_matrix, softmax};
use crate::features::{SparseMatrix, SparseRow};

/// Validated hyperparameters; build them with [`NaiveBayesParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesValidParams {
    alpha: f64,
}

impl NaiveBayesValidParams {
    /// Additive (Laplace/Lidstone) smoothing added to every feature count.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
}

/// Unchecked hyperparameters of [`NaiveBayesModel`].
///
/// ```
/// use linfa::ParamGuard;
/// use newsclf::estimators::NaiveBayesParams;
/// assert_eq!(NaiveBayesParams::new().check().unwrap().alpha(), 1.0);
/// assert!(NaiveBayesParams::new().alpha(0.0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NaiveBayesParams(NaiveBayesValidParams);

impl Default for NaiveBayesParams {
    fn default() -> Self {
        Self::new()
    }
}

impl NaiveBayesParams {
    /// Defaults: alpha = 1 (as linfa-bayes and sklearn).
    pub fn new() -> Self {
        NaiveBayesParams(NaiveBayesValidParams { alpha: 1.0 })
    }
    /// Sets the smoothing alpha (finite, > 0).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }
}

impl ParamGuard for NaiveBayesParams {
    type Checked = NaiveBayesValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        let alpha = self.0.alpha;
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(Error::setting(
                "alpha",
                format!("(naive Bayes smoothing) must be a positive finite number, got {alpha}"),
            ));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted multinomial naive Bayes classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesModel {
    params: NaiveBayesValidParams,
    n_features: usize,
    n_classes: usize,
    /// `ln(class rows / all rows)`, one per class.
    log_prior: Vec<f32>,
    /// `n_features × n_classes`, feature-major:
    /// `ln((count_fc + alpha) / (Σ_f count_fc + alpha · n_features))`.
    feature_log_prob: Vec<f32>,
}

impl NaiveBayesModel {
    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The hyperparameters used to fit this model.
    pub fn params(&self) -> &NaiveBayesValidParams {
        &self.params
    }

    /// Log prior of each class (its share of the training rows).
    pub fn log_prior(&self) -> &[f32] {
        &self.log_prior
    }

    /// Smoothed log probability of `feature` in `class`.
    ///
    /// # Panics
    /// If `feature >= n_features()` or `class >= n_classes()`.
    pub fn feature_log_prob(&self, feature: usize, class: usize) -> f32 {
        assert!(class < self.n_classes, "class {class} out of range");
        self.feature_log_prob[feature * self.n_classes + class]
    }

    /// Checks that a deserialised model is consistent; `n_features` is what
    /// the featurizer produces.
    pub fn validate(&self, n_features: usize) -> Result<(), String> {
        if self.n_classes < 2 {
            return Err(format!(
                "{} classes (at least 2 are needed)",
                self.n_classes
            ));
        }
        if self.n_features != n_features {
            return Err(format!(
                "classifier expects {} features, featurizer makes {n_features}",
                self.n_features
            ));
        }
        if self.log_prior.len() != self.n_classes
            || Some(self.feature_log_prob.len()) != n_features.checked_mul(self.n_classes)
        {
            return Err("probability table has the wrong size".into());
        }
        if self
            .log_prior
            .iter()
            .chain(&self.feature_log_prob)
            .any(|p| !(p.is_finite() && *p <= 0.0))
        {
            return Err("log probabilities are not finite non-positive numbers".into());
        }
        if !(self.params.alpha.is_finite() && self.params.alpha > 0.0) {
            return Err("smoothing alpha is not a positive finite number".into());
        }
        Ok(())
    }

    /// Joint log likelihood `ln P(class) + Σ_f x_f ln P(f | class)` of every
    /// class for one row, into `out` (length `n_classes`). Features at or past
    /// `n_features` are ignored.
    pub fn decision_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        out.copy_from_slice(&self.log_prior);
        add_weighted(row, &self.feature_log_prob, self.n_features, out);
    }

    /// Class probabilities for one row (the softmax of [`Self::decision_row`]),
    /// written into `out` (length `n_classes`). They are non-negative and sum to 1.
    pub fn predict_proba_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.n_classes);
        self.decision_row(row, out);
        softmax(out);
    }

    /// Class probabilities for every row: `n_rows × n_classes`.
    pub fn predict_proba(&self, x: &SparseMatrix) -> Array2<f32> {
        score_matrix(x, self.n_classes, |row, out| {
            self.predict_proba_row(row, out)
        })
    }
}

impl Fit<SparseMatrix, Array1<usize>, Error> for NaiveBayesValidParams {
    type Object = NaiveBayesModel;

    /// Fits on rows labelled `0..n_classes` with non-negative feature values
    /// (counts or TF-IDF weights); every class must occur. Time is O(nnz).
    fn fit(
        &self,
        dataset: &DatasetBase<SparseMatrix, Array1<usize>>,
    ) -> Result<NaiveBayesModel, Error> {
        let x = &dataset.records;
        let y = &dataset.targets;
        let class_rows = check_targets(x, y, "naive Bayes")?;
        let n_classes = class_rows.len();
        let n_features = x.n_cols();
        let mut counts = vec![0.0f64; n_features * n_classes];
        for (i, (row, &c)) in x.rows().zip(y).enumerate() {
            for (&j, &v) in row.indices.iter().zip(row.values) {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::input(format!(
                        "naive Bayes needs non-negative feature values; row {i} has {v}"
                    )));
                }
                let j = j as usize;
                if j < n_features {
                    counts[j * n_classes + c] += f64::from(v);
                }
            }
        }
        let mut class_totals = vec![0.0f64; n_classes];
        for line in counts.chunks_exact(n_classes) {
            for (t, &v) in class_totals.iter_mut().zip(line) {
                *t += v;
            }
        }
        let alpha = self.alpha;
        let log_denominators: Vec<f64> = class_totals
            .iter()
            .map(|&t| (t + alpha * n_features as f64).ln())
            .collect();
        let feature_log_prob = counts
            .chunks_exact(n_classes)
            .flat_map(|line| {
                line.iter()
                    .zip(&log_denominators)
                    .map(|(&v, &d)| ((v + alpha).ln() - d) as f32)
            })
            .collect();
        let n_rows = y.len() as f64;
        let log_prior = class_rows
            .iter()
            .map(|&r| (r as f64 / n_rows).ln() as f32)
            .collect();
        Ok(NaiveBayesModel {
            params: self.clone(),
            n_features,
            n_classes,
            log_prior,
            feature_log_prob,
        })
    }
}

impl PredictInplace<SparseMatrix, Array1<usize>> for NaiveBayesModel {
    /// The class of largest joint log likelihood of each row (ties: the lowest class).
    fn predict_inplace(&self, x: &SparseMatrix, y: &mut Array1<usize>) {
        predict_classes(x, y, self.n_classes, |row, out| self.decision_row(row, out));
    }

    fn default_target(&self, x: &SparseMatrix) -> Array1<usize> {
        Array1::zeros(x.n_rows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::scoring::argmax;
    use linfa::traits::Predict;
    use linfa_bayes::{MultinomialNb, NaiveBayes};
    use ndarray::{Array2, array};

    /// linfa's `Predict` on a dataset of `x` (it is implemented for `&DatasetBase`).
    fn predict(model: &NaiveBayesModel, x: &SparseMatrix) -> Array1<usize> {
        model.predict(&DatasetBase::new(x.clone(), ()))
    }

    fn to_sparse(x: &Array2<f64>) -> SparseMatrix {
        let mut m = SparseMatrix::new(x.ncols());
        for row in x.outer_iter() {
            m.push_row(
                row.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(j, &v)| (j as u32, v as f32)),
            );
        }
        m
    }

    fn jll(model: &NaiveBayesModel, x: &SparseMatrix) -> Array2<f32> {
        let mut out = Array2::zeros((x.n_rows(), model.n_classes()));
        for (i, mut line) in out.outer_iter_mut().enumerate() {
            model.decision_row(x.row(i), line.as_slice_mut().unwrap());
        }
        out
    }

    #[test]
    fn matches_linfa_bayes_and_sklearn_on_their_example() {
        let xd = array![[1., 0.], [2., 0.], [3., 0.], [0., 1.], [0., 2.], [0., 3.]];
        let y = array![0usize, 0, 0, 1, 1, 1];
        let x = to_sparse(&xd);
        let dataset = DatasetBase::new(x.clone(), y.clone());
        let model = NaiveBayesParams::new().fit(&dataset).unwrap();
        assert_eq!(predict(&model, &x), y);
        // Class 0 from linfa-bayes' test (computed there with sklearn); class 1
        // is its mirror image, as linfa-bayes computes it below.
        let class0 = [
            -0.82667857,
            -0.96020997,
            -1.09374136,
            -2.77258872,
            -4.85203026,
            -6.93147181,
        ];
        let class1 = [
            -2.77258872,
            -4.85203026,
            -6.93147181,
            -0.82667857,
            -0.96020997,
            -1.09374136,
        ];
        let ours = jll(&model, &x);
        let stock = MultinomialNb::params()
            .fit(&DatasetBase::new(xd.clone(), y))
            .unwrap();
        let theirs = stock.joint_log_likelihood(xd.view());
        for i in 0..6 {
            assert!((ours[(i, 0)] as f64 - class0[i]).abs() < 1e-5, "row {i}");
            assert!((ours[(i, 1)] as f64 - class1[i]).abs() < 1e-5, "row {i}");
            assert!((theirs[&0][i] - class0[i]).abs() < 1e-6);
            assert!((theirs[&1][i] - class1[i]).abs() < 1e-6);
        }
        assert!((model.log_prior()[0] - 0.5f32.ln()).abs() < 1e-7);
        assert!((model.feature_log_prob(0, 0) - (7.0f32 / 8.0).ln()).abs() < 1e-7);
        assert!((model.feature_log_prob(1, 0) - (1.0f32 / 8.0).ln()).abs() < 1e-7);
    }

    /// A deterministic xorshift generator of numbers in [0, 1).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// 60 rows × 12 features, 3 classes, about half the entries zero; each
    /// class leans on its own third of the features, with noise.
    fn random_dataset() -> (Array2<f64>, Array1<usize>) {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (rows, cols) = (60, 12);
        let mut x = Array2::zeros((rows, cols));
        let mut y = Array1::zeros(rows);
        for i in 0..rows {
            let c = i % 3;
            y[i] = c;
            for j in 0..cols {
                let own = j / 4 == c;
                if rng.next() < if own { 0.8 } else { 0.35 } {
                    // Short, TF-IDF-like values (f32-exact, so both sides see the same data).
                    x[(i, j)] = (rng.next() * 2.0 + if own { 0.5 } else { 0.0 }) as f32 as f64;
                }
            }
        }
        (x, y)
    }

    #[test]
    fn cross_checks_against_linfa_bayes_multinomial_nb() {
        let (xd, y) = random_dataset();
        let x = to_sparse(&xd);
        for alpha in [1.0, 0.3] {
            let model = NaiveBayesParams::new()
                .alpha(alpha)
                .fit(&DatasetBase::new(x.clone(), y.clone()))
                .unwrap();
            let stock = MultinomialNb::params()
                .alpha(alpha)
                .fit(&DatasetBase::new(xd.clone(), y.clone()))
                .unwrap();
            let ours_pred = predict(&model, &x);
            let stock_pred: Array1<usize> = stock.predict(&xd);
            assert_eq!(ours_pred, stock_pred, "alpha {alpha}");
            // Not a trivial model: it gets most, but not necessarily all, rows right.
            let right = ours_pred.iter().zip(&y).filter(|(a, b)| a == b).count();
            assert!(right >= 45, "{right} of 60 right");

            let ours = jll(&model, &x);
            let theirs = stock.joint_log_likelihood(xd.view());
            for c in 0..3 {
                for i in 0..60 {
                    let (a, b) = (ours[(i, c)] as f64, theirs[&c][i]);
                    assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
                }
            }
            let (proba, classes) = NaiveBayes::predict_proba(&stock, xd.view());
            assert_eq!(classes, vec![&0, &1, &2]);
            let ours = model.predict_proba(&x);
            for (a, b) in ours.iter().zip(proba.iter()) {
                assert!((*a as f64 - b).abs() < 1e-5, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn probabilities_are_a_stable_softmax() {
        let (xd, y) = random_dataset();
        // Scale the rows up so that joint log likelihoods are far below exp's range.
        let x = to_sparse(&(xd * 200.0));
        let model = NaiveBayesParams::new()
            .fit(&DatasetBase::new(x.clone(), y))
            .unwrap();
        let mut scores = [0.0f32; 3];
        let mut p = [0.0f32; 3];
        for i in 0..x.n_rows() {
            model.decision_row(x.row(i), &mut scores);
            assert!(scores.iter().all(|s| *s < -100.0));
            model.predict_proba_row(x.row(i), &mut p);
            assert!(p.iter().all(|v| v.is_finite() && *v >= 0.0));
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            assert_eq!(argmax(&p), argmax(&scores));
        }
    }

    #[test]
    fn ignores_unknown_features_and_breaks_ties_low() {
        let mut x = SparseMatrix::new(2);
        x.push_row([(0, 1.0)]);
        x.push_row([(1, 1.0)]);
        let model = NaiveBayesParams::new()
            .fit(&DatasetBase::new(x, array![0, 1]))
            .unwrap();
        let mut empty = SparseMatrix::new(9);
        empty.push_row([(5, 3.0), (8, 1.0)]);
        let mut a = [0.0f32; 2];
        model.decision_row(empty.row(0), &mut a);
        assert!(a.iter().all(|s| (s - 0.5f32.ln()).abs() < 1e-6));
        assert_eq!(a[0], a[1]);
        assert_eq!(predict(&model, &empty), array![0]);
    }

    #[test]
    fn rejects_bad_params_and_data() {
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = NaiveBayesParams::new().alpha(alpha).check().unwrap_err();
            assert!(matches!(err, Error::Param(_)), "{err}");
            assert!(err.to_string().contains("positive finite"), "{err}");
        }
        let mut x = SparseMatrix::new(2);
        x.push_row([(0, 1.0)]);
        x.push_row([(1, 1.0)]);
        let fit = |x: &SparseMatrix, y: Array1<usize>| {
            NaiveBayesParams::new().fit(&DatasetBase::new(x.clone(), y))
        };
        assert!(matches!(
            fit(&x, array![0]),
            Err(Error::Linfa(linfa::Error::MismatchedShapes(2, 1)))
        ));
        assert!(matches!(fit(&x, array![0, 0]), Err(Error::Input(_))));
        assert!(matches!(fit(&x, array![0, 2]), Err(Error::Input(_))));
        let mut negative = x.clone();
        negative.push_row([(0, -1.0)]);
        let err = fit(&negative, array![0, 1, 1]).unwrap_err();
        assert!(err.to_string().contains("row 2"), "{err}");
    }

    #[test]
    fn validate_rejects_inconsistent_models() {
        let (xd, y) = random_dataset();
        let model = NaiveBayesParams::new()
            .fit(&DatasetBase::new(to_sparse(&xd), y))
            .unwrap();
        assert_eq!(model.validate(12), Ok(()));
        assert!(model.validate(13).is_err());
        let broken = |f: &dyn Fn(&mut NaiveBayesModel)| {
            let mut m = model.clone();
            f(&mut m);
            m.validate(m.n_features).unwrap_err()
        };
        broken(&|m| m.n_classes = 1);
        broken(&|m| m.n_classes = usize::MAX);
        broken(&|m| m.n_features = usize::MAX);
        broken(&|m| {
            m.n_features = usize::MAX / 2;
            m.n_classes = 3;
        });
        broken(&|m| {
            m.log_prior.pop();
        });
        broken(&|m| {
            m.feature_log_prob.pop();
        });
        broken(&|m| m.feature_log_prob[7] = f32::NAN);
        broken(&|m| m.log_prior[0] = f32::NEG_INFINITY);
        broken(&|m| m.feature_log_prob[0] = 0.5);
        broken(&|m| m.params.alpha = 0.0);
        // A serde round trip keeps a valid model valid.
        let json = serde_json::to_string(&model).unwrap();
        let back: NaiveBayesModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.validate(12), Ok(()));
    }

    #[test]
    fn model_is_send_and_sync() {
        fn has_autotraits<T: Send + Sync + Sized + Unpin>() {}
        has_autotraits::<NaiveBayesModel>();
        has_autotraits::<NaiveBayesParams>();
        has_autotraits::<NaiveBayesValidParams>();
    }
}
