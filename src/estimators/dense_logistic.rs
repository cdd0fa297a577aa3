//! Multinomial logistic regression fitted by linfa-logistic's
//! `MultiLogisticRegression` (L-BFGS) on a dense copy of the sparse features.
//!
//! For small data only: the dense `f64` matrix takes rows × features × 8 bytes,
//! so fitting refuses anything over [`DenseLogisticValidParams::max_dense_mb`].
//! The fitted weights are copied into a sparse-friendly, feature-major table.
//! linfa-logistic does not report its iteration count or whether L-BFGS
//! converged (it returns the best parameters found), so neither is stored.

use linfa::ParamGuard;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::estimators::{add_weighted, check_targets, predict_classes, score_matrix, softmax};
use crate::features::{SparseMatrix, SparseRow};

/// Bytes in the MB of [`DenseLogisticValidParams::max_dense_mb`].
const MB: u128 = 1 << 20;

/// Validated hyperparameters; build them with [`DenseLogisticParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseLogisticValidParams {
    c: f64,
    max_iter: u64,
    max_dense_mb: usize,
}

impl DenseLogisticValidParams {
    /// Inverse regularisation strength (larger fits the training data more closely).
    pub fn c(&self) -> f64 {
        self.c
    }
    /// linfa-logistic's L2 strength `alpha = 1 / c`. Its loss is the *sum* of the
    /// rows' cross-entropies plus `alpha / 2 · ‖W‖²` (intercepts not penalised),
    /// which is sklearn's `C · Σ loss + ½‖W‖²` divided by `C`: `c` is sklearn's `C`.
    pub fn alpha(&self) -> f64 {
        1.0 / self.c
    }
    /// Maximum L-BFGS iterations.
    pub fn max_iter(&self) -> u64 {
        self.max_iter
    }
    /// Largest dense `f64` feature matrix fitting may build, in MB (2²⁰ bytes).
    pub fn max_dense_mb(&self) -> usize {
        self.max_dense_mb
    }
}

/// Unchecked hyperparameters of [`DenseLogisticModel`].
///
/// ```
/// use linfa::ParamGuard;
/// use newsclf::estimators::DenseLogisticParams;
/// let params = DenseLogisticParams::new().c(4.0).check().unwrap();
/// assert_eq!(params.alpha(), 0.25);
/// assert!(DenseLogisticParams::new().max_iter(0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLogisticParams(DenseLogisticValidParams);

impl Default for DenseLogisticParams {
    fn default() -> Self {
        Self::new()
    }
}

impl DenseLogisticParams {
    /// Defaults: C = 1 (linfa-logistic's default alpha = 1), at most 100
    /// iterations (linfa-logistic's default), a 1024 MB dense budget.
    pub fn new() -> Self {
        DenseLogisticParams(DenseLogisticValidParams {
            c: 1.0,
            max_iter: 100,
            max_dense_mb: 1024,
        })
    }
    /// Sets the inverse regularisation strength C (finite, > 0).
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self
    }
    /// Sets the maximum number of L-BFGS iterations (≥ 1).
    pub fn max_iter(mut self, max_iter: u64) -> Self {
        self.0.max_iter = max_iter;
        self
    }
    /// Sets the dense matrix budget in MB (≥ 1).
    pub fn max_dense_mb(mut self, max_dense_mb: usize) -> Self {
        self.0.max_dense_mb = max_dense_mb;
        self
    }
}

impl ParamGuard for DenseLogisticParams {
    type Checked = DenseLogisticValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        let p = &self.0;
        // 1 / c must be finite too, so very small c is refused.
        if !(p.c.is_finite() && p.c > 0.0) {
            return Err(Error::setting(
                "C",
                format!("must be a positive finite number, got {}", p.c),
            ));
        }
        if !(1.0 / p.c).is_finite() {
            return Err(Error::setting(
                "C",
                format!(
                    "is too small for linfa-logistic (1/C overflows), got {:e}",
                    p.c
                ),
            ));
        }
        if p.max_iter == 0 {
            return Err(Error::setting("max_iter", "must be at least 1"));
        }
        if p.max_dense_mb == 0 {
            return Err(Error::setting(
                "max_dense_mb",
                "(the dense matrix budget) must be at least 1",
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted multinomial logistic regression: one weight vector and intercept
/// per class (two for two classes: linfa-logistic's softmax is not reduced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseLogisticModel {
    params: DenseLogisticValidParams,
    n_features: usize,
    n_classes: usize,
    /// `n_features × n_classes`, feature-major.
    weights: Vec<f32>,
    /// One intercept per class.
    intercepts: Vec<f32>,
}

impl DenseLogisticModel {
    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The hyperparameters used to fit this model.
    pub fn params(&self) -> &DenseLogisticValidParams {
        &self.params
    }

    /// Weight of `feature` for `class`.
    ///
    /// # Panics
    /// If `class >= n_classes()` or `feature >= n_features()`.
    pub fn weight(&self, class: usize, feature: usize) -> f32 {
        assert!(class < self.n_classes, "class {class} out of range");
        self.weights[feature * self.n_classes + class]
    }

    /// Intercept of every class.
    pub fn intercepts(&self) -> &[f32] {
        &self.intercepts
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
        if self.intercepts.len() != self.n_classes
            || Some(self.weights.len()) != n_features.checked_mul(self.n_classes)
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
        Ok(())
    }

    /// Class scores `intercept + w · x` for one row, into `out` (length
    /// `n_classes`). Features at or past `n_features` are ignored.
    pub fn decision_row(&self, row: SparseRow<'_>, out: &mut [f32]) {
        out.copy_from_slice(&self.intercepts);
        add_weighted(row, &self.weights, self.n_features, out);
    }

    /// Class probabilities for one row (softmax of [`Self::decision_row`]),
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

/// Refuses a dense `rows × features` f64 matrix over `limit_mb`, before allocating it.
fn check_dense_budget(rows: usize, features: usize, limit_mb: usize) -> Result<(), Error> {
    let bytes = (rows as u128)
        .saturating_mul(features as u128)
        .saturating_mul(8);
    if bytes > (limit_mb as u128).saturating_mul(MB) {
        return Err(Error::input(format!(
            "linfa-logistic needs a dense {rows} × {features} matrix ({} MB), over its \
             {limit_mb} MB budget; use the default `--model linear`, or shrink the features \
             with --max-features",
            bytes.div_ceil(MB)
        )));
    }
    Ok(())
}

/// The dense copy of `x` (features at or past `n_cols` dropped).
fn densify(x: &SparseMatrix) -> Array2<f64> {
    let mut dense = Array2::zeros((x.n_rows(), x.n_cols()));
    for (row, mut line) in x.rows().zip(dense.outer_iter_mut()) {
        for (&j, &v) in row.indices.iter().zip(row.values) {
            if let Some(cell) = line.get_mut(j as usize) {
                *cell = f64::from(v);
            }
        }
    }
    dense
}

impl DenseLogisticValidParams {
    /// linfa-logistic's estimator with these settings.
    fn linfa_params(&self) -> MultiLogisticRegression<f64> {
        MultiLogisticRegression::default()
            .alpha(self.alpha())
            .max_iterations(self.max_iter)
    }
}

/// Copies linfa-logistic's fitted `params()` (features × classes) and
/// `intercept()` into a model, checking that its classes are `0..n_classes`.
fn from_linfa(
    params: &DenseLogisticValidParams,
    fitted: &MultiFittedLogisticRegression<f64, usize>,
    n_classes: usize,
) -> Result<DenseLogisticModel, Error> {
    let w = fitted.params();
    let b = fitted.intercept();
    if !fitted.classes().iter().copied().eq(0..n_classes)
        || w.ncols() != n_classes
        || b.len() != n_classes
    {
        return Err(Error::input(format!(
            "linfa-logistic returned classes {:?} and {} weight columns, expected 0..{n_classes}",
            fitted.classes(),
            w.ncols()
        )));
    }
    // `iter` walks in logical row-major order: feature by feature.
    let weights: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let intercepts: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    if weights.iter().chain(&intercepts).any(|v| !v.is_finite()) {
        return Err(Error::input(
            "linfa-logistic's weights are not finite; try a smaller C",
        ));
    }
    Ok(DenseLogisticModel {
        params: params.clone(),
        n_features: w.nrows(),
        n_classes,
        weights,
        intercepts,
    })
}

impl Fit<SparseMatrix, Array1<usize>, Error> for DenseLogisticValidParams {
    type Object = DenseLogisticModel;

    /// Fits on rows labelled `0..n_classes`; every class must occur. Refuses
    /// (without allocating) when the dense matrix would exceed the budget.
    fn fit(
        &self,
        dataset: &DatasetBase<SparseMatrix, Array1<usize>>,
    ) -> Result<DenseLogisticModel, Error> {
        let x = &dataset.records;
        let y = &dataset.targets;
        let n_classes = check_targets(x, y, "logistic regression")?.len();
        check_dense_budget(x.n_rows(), x.n_cols(), self.max_dense_mb)?;
        let dense = densify(x);
        let fitted = self
            .linfa_params()
            .fit(&DatasetBase::new(dense, y.clone()))
            .map_err(|e| Error::input(format!("linfa-logistic could not fit: {e}")))?;
        from_linfa(self, &fitted, n_classes)
    }
}

impl PredictInplace<SparseMatrix, Array1<usize>> for DenseLogisticModel {
    /// The highest-scoring class of each row (ties: the lowest class).
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
    use linfa::traits::Predict;
    use ndarray::array;
    use std::time::Instant;

    /// linfa's `Predict` on a dataset of `x` (it is implemented for `&DatasetBase`).
    fn predict(model: &DenseLogisticModel, x: &SparseMatrix) -> Array1<usize> {
        model.predict(&DatasetBase::new(x.clone(), ()))
    }

    /// 40 rows × 6 features, 4 classes: class c has features 2c and 2c + 1
    /// (mod 6) strong, plus a weak shared feature; deterministic noise.
    fn separable() -> (SparseMatrix, Array1<usize>) {
        let mut x = SparseMatrix::new(6);
        let mut y = Vec::new();
        for k in 0..40u32 {
            let c = k % 4;
            let noise = (k as f32 * 0.73).sin() * 0.15;
            let (a, b) = ((2 * c) % 6, (2 * c + 1) % 6);
            let mut row = vec![(a, 1.0 + noise), (b, 0.8 - noise)];
            if c == 3 {
                // Class 3 shares features 0 and 1 with class 0; feature 5 tells them apart.
                row = vec![(0, 0.5 + noise), (1, 0.5), (5, 1.0)];
            }
            row.sort_by_key(|e| e.0);
            x.push_row(row);
            y.push(c as usize);
        }
        (x, Array1::from(y))
    }

    #[test]
    fn fits_separable_data_and_matches_linfa_probabilities() {
        let (x, y) = separable();
        let dataset = DatasetBase::new(x.clone(), y.clone());
        let params = DenseLogisticParams::new().c(10.0).check().unwrap();
        let start = Instant::now();
        let model = params.fit(&dataset).unwrap();
        eprintln!("fit 40 × 6, 4 classes: {:?}", start.elapsed());
        assert_eq!((model.n_features(), model.n_classes()), (6, 4));
        assert_eq!(predict(&model, &x), y);
        assert_eq!(model.validate(6), Ok(()));

        // linfa-logistic itself, same data and settings (L-BFGS is deterministic).
        let dense = densify(&x);
        let stock = params
            .linfa_params()
            .fit(&DatasetBase::new(dense.clone(), y.clone()))
            .unwrap();
        assert_eq!(stock.classes(), &[0, 1, 2, 3]);
        assert_eq!(
            model.weight(2, 4) as f64,
            stock.params()[(4, 2)] as f32 as f64
        );
        let theirs = stock.predict_probabilities(&dense);
        let ours = model.predict_proba(&x);
        for (a, b) in ours.iter().zip(theirs.iter()) {
            assert!((*a as f64 - b).abs() < 1e-5, "{a} vs {b}");
        }
        for row in ours.outer_iter() {
            assert!((row.sum() - 1.0).abs() < 1e-5);
            assert!(row.iter().all(|p| *p >= 0.0));
        }
        let stock_pred: Array1<usize> = stock.predict(&dense);
        assert_eq!(stock_pred, y);
    }

    #[test]
    fn two_classes_keep_two_softmax_columns() {
        let mut x = SparseMatrix::new(2);
        let mut y = Vec::new();
        for k in 0..10u32 {
            x.push_row([(k % 2, 1.0)]);
            y.push((k % 2) as usize);
        }
        let y = Array1::from(y);
        let model = DenseLogisticParams::new()
            .fit(&DatasetBase::new(x.clone(), y.clone()))
            .unwrap();
        assert_eq!(model.intercepts().len(), 2);
        assert_eq!(predict(&model, &x), y);
        let p = model.predict_proba(&x);
        assert!(p[(0, 0)] > 0.5 && p[(1, 1)] > 0.5);
    }

    #[test]
    fn refuses_a_dense_matrix_over_budget_before_allocating() {
        // 200 × 1000 × 8 bytes = 1.53 MB > 1 MB.
        let mut x = SparseMatrix::new(1000);
        for k in 0..200u32 {
            x.push_row([(k, 1.0)]);
        }
        let y = Array1::from_iter((0..200).map(|k| k % 2));
        let params = DenseLogisticParams::new().max_dense_mb(1);
        let err = params.fit(&DatasetBase::new(x, y)).unwrap_err();
        assert!(matches!(err, Error::Input(_)));
        assert_eq!(
            err.to_string(),
            "linfa-logistic needs a dense 200 × 1000 matrix (2 MB), over its 1 MB budget; \
             use the default `--model linear`, or shrink the features with --max-features"
        );
        // Sizes whose product overflows usize are refused too (nothing is allocated).
        let err = check_dense_budget(usize::MAX, usize::MAX, usize::MAX).unwrap_err();
        assert!(err.to_string().contains("MB budget"), "{err}");
        let mut huge = SparseMatrix::new(usize::MAX / 4);
        huge.push_row([]);
        huge.push_row([]);
        let err = DenseLogisticParams::new()
            .fit(&DatasetBase::new(huge, array![0, 1]))
            .unwrap_err();
        assert!(err.to_string().contains("over its 1024 MB budget"), "{err}");
        assert!(check_dense_budget(128, 1024, 1).is_ok());
        assert!(check_dense_budget(129, 1024, 1).is_err());
    }

    #[test]
    fn rejects_bad_params_and_data() {
        for c in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320] {
            let err = DenseLogisticParams::new().c(c).check().unwrap_err();
            assert!(matches!(err, Error::Param(_)), "{err}");
        }
        assert!(DenseLogisticParams::new().max_iter(0).check().is_err());
        assert!(DenseLogisticParams::new().max_dense_mb(0).check().is_err());
        let p = DenseLogisticParams::new().check().unwrap();
        assert_eq!(
            (p.c(), p.alpha(), p.max_iter(), p.max_dense_mb()),
            (1.0, 1.0, 100, 1024)
        );

        let (x, _) = separable();
        let fit =
            |y: Array1<usize>| DenseLogisticParams::new().fit(&DatasetBase::new(x.clone(), y));
        assert!(matches!(
            fit(Array1::zeros(3)),
            Err(Error::Linfa(linfa::Error::MismatchedShapes(40, 3)))
        ));
        assert!(matches!(fit(Array1::zeros(40)), Err(Error::Input(_))));
        assert!(matches!(
            fit(Array1::from_iter((0..40).map(|k| 2 * (k % 2)))),
            Err(Error::Input(_))
        ));
        let mut nan = SparseMatrix::new(1);
        nan.push_row([(0, f32::NAN)]);
        nan.push_row([(0, 1.0)]);
        let err = DenseLogisticParams::new()
            .fit(&DatasetBase::new(nan, array![0, 1]))
            .unwrap_err();
        assert!(
            err.to_string().contains("linfa-logistic could not fit"),
            "{err}"
        );
    }

    #[test]
    fn validate_rejects_inconsistent_models() {
        let (x, y) = separable();
        let model = DenseLogisticParams::new()
            .fit(&DatasetBase::new(x, y))
            .unwrap();
        assert_eq!(model.validate(6), Ok(()));
        assert!(model.validate(7).is_err());
        let broken = |f: &dyn Fn(&mut DenseLogisticModel)| {
            let mut m = model.clone();
            f(&mut m);
            m.validate(m.n_features).unwrap_err()
        };
        broken(&|m| m.n_classes = 1);
        broken(&|m| m.n_classes = usize::MAX);
        broken(&|m| m.n_features = usize::MAX);
        broken(&|m| {
            m.n_features = usize::MAX / 2;
            m.n_classes = 4;
        });
        broken(&|m| {
            m.weights.pop();
        });
        broken(&|m| {
            m.intercepts.pop();
        });
        broken(&|m| m.weights[3] = f32::INFINITY);
        broken(&|m| m.intercepts[0] = f32::NAN);
        let json = serde_json::to_string(&model).unwrap();
        let back: DenseLogisticModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.validate(6), Ok(()));
    }

    #[test]
    fn model_is_send_and_sync() {
        fn has_autotraits<T: Send + Sync + Sized + Unpin>() {}
        has_autotraits::<DenseLogisticModel>();
        has_autotraits::<DenseLogisticParams>();
        has_autotraits::<DenseLogisticValidParams>();
    }
}
