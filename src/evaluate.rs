//! Evaluation of a model on labeled data: accuracy, macro-F1, per-class
//! precision / recall / F1 / support and the confusion matrix, per head.
//!
//! Labels in the data that the model never saw are kept: they get a row of
//! the confusion matrix (always wrong) and are listed separately.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{CorpusSpec, CsvTable, LabeledCorpus};
use crate::encoding::TextEncoding;
use crate::error::{Error, Result};
use crate::model::Model;

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Of the rows predicted as this class, the fraction that are (0 when none).
    pub precision: f64,
    /// Of the rows of this class, the fraction predicted as it (0 when none).
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Rows of this class in the data.
    pub support: u64,
}

/// A confusion matrix: `matrix[true][predicted]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionMatrix {
    /// Row and column labels: the model's classes, then unknown labels.
    pub labels: Vec<String>,
    /// Counts, rows are the true labels, columns the predictions.
    pub matrix: Vec<Vec<u64>>,
}

/// The evaluation of one head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadEvaluation {
    /// Rows with a label for this head.
    pub rows: u64,
    /// Fraction of rows predicted correctly.
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1 over every label that occurs in
    /// the data or the predictions.
    pub macro_f1: f64,
    /// Per-class figures, by label.
    pub per_class: BTreeMap<String, ClassMetrics>,
    /// The confusion matrix.
    pub confusion_matrix: ConfusionMatrix,
    /// Labels in the data the model never saw, with their row counts.
    pub unknown_labels: BTreeMap<String, u64>,
    /// Mean negative log-probability of the true label, over rows whose label
    /// the model knows (probabilities clipped at 1e-15); `None` without such rows.
    pub log_loss: Option<f64>,
    /// The most confident wrong predictions, most confident first (at most
    /// [`MISTAKES_KEPT`]).
    pub mistakes: Vec<Mistake>,
}

/// A row the model got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mistake {
    /// Line of the data file where the row starts.
    pub line: u64,
    /// The text.
    pub text: String,
    /// The true label.
    pub truth: String,
    /// The predicted label.
    pub predicted: String,
    /// Probability of the predicted label.
    pub probability: f32,
    /// Probability the model gave the true label (0 for a label it never saw).
    pub truth_probability: f32,
}

/// Mistakes kept per head.
pub const MISTAKES_KEPT: usize = 20;

/// Probabilities below this count as this in the log loss.
const MIN_PROBABILITY: f64 = 1e-15;

/// The evaluation of every head found in the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The data file.
    pub data: String,
    /// Data rows read.
    pub rows_read: usize,
    /// Rows skipped while reading (see the reader's report).
    pub rows_skipped: usize,
    /// Per head (label column), in model order; serialised as a JSON object.
    #[serde(serialize_with = "ordered_map")]
    pub heads: Vec<(String, HeadEvaluation)>,
}

impl Evaluation {
    /// The evaluation of head `name`, if it was evaluated.
    pub fn head(&self, name: &str) -> Option<&HeadEvaluation> {
        self.heads.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }
}

/// Serialises `(key, value)` pairs as a map, keeping their order.
pub fn ordered_map<S: serde::Serializer, V: Serialize>(
    pairs: &[(String, V)],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// The columns of `path` to evaluate `model` on: its text column and every
/// head whose label column the file has.
pub fn evaluation_spec(
    model: &Model,
    path: &Path,
    text_col: &str,
    encoding: TextEncoding,
) -> Result<CorpusSpec> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let table = CsvTable::with_encoding(&path.display().to_string(), file, encoding)?;
    let label_cols: Vec<String> = model
        .heads()
        .iter()
        .map(|h| h.name.clone())
        .filter(|name| table.header().contains(name))
        .collect();
    if label_cols.is_empty() {
        let heads: Vec<&str> = model.heads().iter().map(|h| h.name.as_str()).collect();
        return Err(Error::input(format!(
            "{}:1: none of the model's label columns ({}) is in the header (columns: {}); \
             rename the label column to match",
            path.display(),
            heads.join(", "),
            table.header().join(", ")
        )));
    }
    table.column(text_col, "--text-col")?;
    Ok(CorpusSpec {
        text_col: text_col.to_string(),
        label_cols,
        encoding,
    })
}

/// Evaluates `model` on every head of `corpus` whose name the model has.
pub fn evaluate(model: &Model, corpus: &LabeledCorpus) -> Evaluation {
    evaluate_with_progress(model, corpus, &|_| {})
}

/// Like [`evaluate`], calling `progress` with the number of rows predicted
/// so far (for a progress display).
pub fn evaluate_with_progress(
    model: &Model,
    corpus: &LabeledCorpus,
    progress: &(dyn Fn(usize) + Sync),
) -> Evaluation {
    const PART: usize = 4096;
    let mut predictions = Vec::with_capacity(corpus.len());
    for part in corpus.texts.chunks(PART) {
        predictions.extend(model.predict_batch(part));
        progress(predictions.len());
    }
    let mut heads = Vec::new();
    for (m, head) in model.heads().iter().enumerate() {
        let Some(h) = corpus.heads.iter().position(|name| name == &head.name) else {
            continue;
        };
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut neg_log_sum = 0.0f64;
        let mut scored = 0usize;
        let mut mistakes = Vec::new();
        for (i, (truth, p)) in corpus.labels[h].iter().zip(&predictions).enumerate() {
            let Some(truth) = truth.as_deref() else {
                continue;
            };
            let best = p[m].best();
            pairs.push((truth, best.label));
            let truth_p = p[m].ranked.iter().find(|s| s.label == truth);
            if let Some(s) = truth_p {
                neg_log_sum -= f64::from(s.probability).max(MIN_PROBABILITY).ln();
                scored += 1;
            }
            if best.label != truth {
                mistakes.push((i, best.probability, truth_p.map_or(0.0, |s| s.probability)));
            }
        }
        let mut evaluation = score(&head.labels, &pairs);
        evaluation.log_loss = (scored > 0).then(|| neg_log_sum / scored as f64);
        // Most confident first; ties by file order.
        mistakes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        evaluation.mistakes = mistakes
            .into_iter()
            .take(MISTAKES_KEPT)
            .map(|(i, probability, truth_probability)| Mistake {
                line: corpus.lines[i],
                text: corpus.texts[i].clone(),
                truth: corpus.labels[h][i].clone().unwrap_or_default(),
                predicted: predictions[i][m].best().label.to_string(),
                probability,
                truth_probability,
            })
            .collect();
        heads.push((head.name.clone(), evaluation));
    }
    Evaluation {
        data: corpus.source.clone(),
        rows_read: corpus.rows_read,
        rows_skipped: corpus.rejects.rows_dropped(),
        heads,
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores `(truth, predicted)` pairs against the model's `known` labels.
pub fn score(known: &[String], pairs: &[(&str, &str)]) -> HeadEvaluation {
    let mut labels: Vec<String> = known.to_vec();
    let mut unknown_labels: BTreeMap<String, u64> = BTreeMap::new();
    for &(truth, _) in pairs {
        if !known.iter().any(|k| k == truth) {
            *unknown_labels.entry(truth.to_string()).or_insert(0) += 1;
        }
    }
    labels.extend(unknown_labels.keys().cloned());
    let index: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let n = labels.len();
    let mut matrix = vec![vec![0u64; n]; n];
    let counted: Vec<(usize, usize)> = pairs
        .par_iter()
        .map(|&(t, p)| (index[t], index[p]))
        .collect();
    for (t, p) in counted {
        matrix[t][p] += 1;
    }
    let total = pairs.len() as u64;
    let correct: u64 = (0..n).map(|i| matrix[i][i]).sum();
    let mut per_class = BTreeMap::new();
    let mut f1_sum = 0.0;
    let mut f1_count = 0;
    for (i, label) in labels.iter().enumerate() {
        let support: u64 = matrix[i].iter().sum();
        let predicted: u64 = matrix.iter().map(|row| row[i]).sum();
        let tp = matrix[i][i];
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        if support > 0 || predicted > 0 {
            f1_sum += f1;
            f1_count += 1;
        }
        per_class.insert(
            label.clone(),
            ClassMetrics {
                precision,
                recall,
                f1,
                support,
            },
        );
    }
    HeadEvaluation {
        rows: total,
        accuracy: ratio(correct, total),
        macro_f1: if f1_count == 0 {
            0.0
        } else {
            f1_sum / f1_count as f64
        },
        per_class,
        confusion_matrix: ConfusionMatrix { labels, matrix },
        unknown_labels,
        log_loss: None,
        mistakes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::ToConfusionMatrix;
    use ndarray::Array1;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn figures_match_hand_counts_and_linfa() {
        let known = labels(&["a", "b", "c"]);
        let pairs = [
            ("a", "a"),
            ("a", "b"),
            ("b", "b"),
            ("b", "b"),
            ("c", "a"),
            ("c", "c"),
        ];
        let e = score(&known, &pairs);
        assert_eq!(e.rows, 6);
        assert!((e.accuracy - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(
            e.confusion_matrix.matrix,
            vec![vec![1, 1, 0], vec![0, 2, 0], vec![1, 0, 1]]
        );
        let a = &e.per_class["a"];
        assert!((a.precision - 0.5).abs() < 1e-12 && (a.recall - 0.5).abs() < 1e-12);
        let b = &e.per_class["b"];
        assert!((b.precision - 2.0 / 3.0).abs() < 1e-12 && b.recall == 1.0);
        let f1 = |p: f64, r: f64| 2.0 * p * r / (p + r);
        let expected = (0.5 + f1(2.0 / 3.0, 1.0) + f1(1.0, 0.5)) / 3.0;
        assert!((e.macro_f1 - expected).abs() < 1e-12);
        // linfa's confusion matrix agrees on accuracy.
        let idx = |l: &str| known.iter().position(|k| k == l).unwrap();
        let truth = Array1::from(pairs.iter().map(|p| idx(p.0)).collect::<Vec<_>>());
        let pred = Array1::from(pairs.iter().map(|p| idx(p.1)).collect::<Vec<_>>());
        let cm = pred.confusion_matrix(&truth).unwrap();
        assert!((f64::from(cm.accuracy()) - e.accuracy).abs() < 1e-6);
    }

    #[test]
    fn unknown_labels_are_reported_and_count_as_errors() {
        let e = score(
            &labels(&["a", "b"]),
            &[("a", "a"), ("zzz", "b"), ("zzz", "a")],
        );
        assert_eq!(e.unknown_labels["zzz"], 2);
        assert_eq!(e.confusion_matrix.labels, labels(&["a", "b", "zzz"]));
        assert!((e.accuracy - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(e.per_class["zzz"].recall, 0.0);
    }
}
