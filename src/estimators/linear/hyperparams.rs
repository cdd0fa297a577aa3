//! Hyperparameters of the sparse linear classifier, checked once before fitting
//! (linfa's `ParamGuard` pattern).

use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The loss minimised by each one-vs-rest binary problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// L2-regularised logistic regression (probabilities are the model's own).
    Logistic,
    /// L2-regularised squared-hinge linear SVM.
    SquaredHinge,
    /// L2-regularised least squares on ±1 targets (ridge classification).
    Squared,
}

impl Loss {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Logistic => "logistic",
            Loss::SquaredHinge => "svm",
            Loss::Squared => "ridge",
        }
    }
}

/// Validated hyperparameters; build them with [`LinearParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearValidParams {
    pub(crate) loss: Loss,
    pub(crate) c: f64,
    pub(crate) tol: f64,
    pub(crate) max_iter: usize,
    pub(crate) bias: f32,
    pub(crate) seed: u64,
}

impl LinearValidParams {
    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }
    /// Inverse regularisation strength (larger fits the training data more closely).
    pub fn c(&self) -> f64 {
        self.c
    }
    /// Stopping tolerance on the largest projected gradient of the dual problem.
    pub fn tol(&self) -> f64 {
        self.tol
    }
    /// Maximum passes over the data per binary problem.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
    /// Value of the constant feature that carries the intercept (0 disables it).
    pub fn bias(&self) -> f32 {
        self.bias
    }
    /// Seed of the row order shuffling; the same seed gives the same model.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// Unchecked hyperparameters of [`crate::estimators::LinearModel`].
///
/// ```
/// use linfa::ParamGuard;
/// use newsclf::estimators::LinearParams;
/// let params = LinearParams::new().c(4.0).check().unwrap();
/// assert_eq!(params.c(), 4.0);
/// assert!(LinearParams::new().c(-1.0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearParams(LinearValidParams);

impl Default for LinearParams {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearParams {
    /// Defaults: squared-hinge loss (linear SVM), C = 0.25, tolerance 0.1,
    /// at most 200 passes, bias 1, seed 42.
    pub fn new() -> Self {
        LinearParams(LinearValidParams {
            loss: Loss::SquaredHinge,
            c: 0.25,
            tol: 0.1,
            max_iter: 200,
            bias: 1.0,
            seed: 42,
        })
    }
    /// Sets the loss.
    pub fn loss(mut self, loss: Loss) -> Self {
        self.0.loss = loss;
        self
    }
    /// Sets the inverse regularisation strength C (> 0).
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self
    }
    /// Sets the stopping tolerance (> 0).
    pub fn tol(mut self, tol: f64) -> Self {
        self.0.tol = tol;
        self
    }
    /// Sets the maximum number of passes (≥ 1).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.0.max_iter = max_iter;
        self
    }
    /// Sets the intercept feature value (≥ 0; 0 disables the intercept).
    pub fn bias(mut self, bias: f32) -> Self {
        self.0.bias = bias;
        self
    }
    /// Sets the shuffling seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

impl ParamGuard for LinearParams {
    type Checked = LinearValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        let p = &self.0;
        if !(p.c.is_finite() && p.c > 0.0) {
            return Err(Error::setting(
                "C",
                format!("must be a positive finite number, got {}", p.c),
            ));
        }
        if !(p.tol.is_finite() && p.tol > 0.0) {
            return Err(Error::setting(
                "tol",
                format!("must be a positive finite number, got {}", p.tol),
            ));
        }
        if p.max_iter == 0 {
            return Err(Error::setting("max_iter", "must be at least 1"));
        }
        if !(p.bias.is_finite() && p.bias >= 0.0) {
            return Err(Error::param(format!(
                "bias must be a non-negative number, got {}",
                p.bias
            )));
        }
        Ok(p)
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}
