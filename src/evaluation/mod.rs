//! Stage 6, evaluation: a model scored against labels ([`evaluate`],
//! [`evaluate_file`] streaming; accuracy, macro-F1, log loss, confusion
//! matrix, most confident mistakes) and one prediction explained term by term
//! ([`explain`]).

mod explain;
mod metrics;

pub use explain::{Contribution, HeadExplanation, explain};
pub use metrics::{
    ClassMetrics, ConfusionMatrix, Evaluation, FileEvaluation, HeadEvaluation, MISTAKES_KEPT,
    Mistake, evaluate, evaluate_file, evaluate_with_progress, evaluation_spec, ordered_map, score,
    score_counts,
};
