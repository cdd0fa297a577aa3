//! What a grid search leaves in the model it chose: plain data, written by
//! [`tune`](crate::training::tune) and stored by the model file, so that the
//! model needs nothing from training to read it back.

use serde::{Deserialize, Serialize};

/// One grid point and its cross-validated scores (averaged over heads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    /// The settings, in words.
    pub settings: String,
    /// Mean accuracy over the folds (averaged over heads).
    pub accuracy: f64,
    /// Its standard deviation over the folds (averaged over heads).
    pub accuracy_std: f64,
    /// Mean macro-F1 over the folds (averaged over heads).
    pub macro_f1: f64,
    /// Mean log loss over the folds (averaged over heads).
    pub log_loss: f64,
}

/// What `tune` did, stored in the tuned model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuningRecord {
    /// Folds of the cross-validation.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Every grid point, in grid order.
    pub trials: Vec<TrialRecord>,
    /// Index of the chosen trial: the highest mean accuracy, the earlier in
    /// grid order on a tie.
    pub chosen: usize,
}
