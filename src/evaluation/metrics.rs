//! Evaluation of a model on labeled data: accuracy, macro-F1, per-class
//! precision / recall / F1 / support and the confusion matrix, per head.
//!
//! Labels in the data that the model never saw are kept: they get a row of
//! the confusion matrix (always wrong) and are listed separately.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::data::{CorpusChunks, CorpusSpec, CsvTable, LabeledCorpus, MultiLineRows, Rejects};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::text::TextEncoding;

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
    if model.heads().iter().any(|h| h.name == text_col) {
        return Err(Error::param(format!(
            "--text-col '{text_col}' is the label column of the model's head '{text_col}'; \
             name the column that holds the text with --text-col"
        )));
    }
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

/// Rows predicted together.
const CHUNK: usize = 4096;

/// Running totals of one head, row by row.
struct HeadTally {
    /// The head's index in the model.
    model_head: usize,
    /// The head's index in the data's label columns.
    data_head: usize,
    /// `(truth, predicted)` → rows.
    pairs: BTreeMap<(String, String), u64>,
    neg_log_sum: f64,
    scored: usize,
    /// The most confident mistakes so far (unordered, at most 2 × kept).
    mistakes: Vec<Mistake>,
}

impl HeadTally {
    fn add_chunk(&mut self, chunk: &LabeledCorpus, predictions: &[crate::model::Prediction<'_>]) {
        for (i, p) in predictions.iter().enumerate() {
            let Some(truth) = chunk.labels[self.data_head][i].as_deref() else {
                continue;
            };
            let p = &p[self.model_head];
            let best = p.best();
            *self
                .pairs
                .entry((truth.to_string(), best.label.to_string()))
                .or_insert(0) += 1;
            let truth_p = p.ranked.iter().find(|s| s.label == truth);
            if let Some(s) = truth_p {
                self.neg_log_sum -= f64::from(s.probability).max(MIN_PROBABILITY).ln();
                self.scored += 1;
            }
            if best.label != truth {
                self.mistakes.push(Mistake {
                    line: chunk.lines[i],
                    text: chunk.texts[i].clone(),
                    truth: truth.to_string(),
                    predicted: best.label.to_string(),
                    probability: best.probability,
                    truth_probability: truth_p.map_or(0.0, |s| s.probability),
                });
                if self.mistakes.len() >= 2 * MISTAKES_KEPT {
                    self.keep_most_confident();
                }
            }
        }
    }

    /// Most confident first; ties by file order.
    fn keep_most_confident(&mut self) {
        self.mistakes.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.line.cmp(&b.line))
        });
        self.mistakes.truncate(MISTAKES_KEPT);
    }

    fn finish(mut self, known: &[String]) -> HeadEvaluation {
        self.keep_most_confident();
        let mut evaluation = score_counts(known, &self.pairs);
        evaluation.log_loss = (self.scored > 0).then(|| self.neg_log_sum / self.scored as f64);
        evaluation.mistakes = self.mistakes;
        evaluation
    }
}

/// One tally per model head that the data has a label column for.
fn tallies(model: &Model, data_heads: &[String]) -> Vec<HeadTally> {
    model
        .heads()
        .iter()
        .enumerate()
        .filter_map(|(m, head)| {
            let h = data_heads.iter().position(|name| name == &head.name)?;
            Some(HeadTally {
                model_head: m,
                data_head: h,
                pairs: BTreeMap::new(),
                neg_log_sum: 0.0,
                scored: 0,
                mistakes: Vec::new(),
            })
        })
        .collect()
}

fn finish(model: &Model, tallies: Vec<HeadTally>) -> Vec<(String, HeadEvaluation)> {
    tallies
        .into_iter()
        .map(|t| {
            let head = &model.heads()[t.model_head];
            (head.name.clone(), t.finish(&head.labels))
        })
        .collect()
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
    let mut tallies = tallies(model, &corpus.heads);
    let mut done = 0;
    for start in (0..corpus.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(corpus.len());
        let chunk = LabeledCorpus {
            texts: corpus.texts[start..end].to_vec(),
            lines: corpus.lines[start..end].to_vec(),
            labels: corpus
                .labels
                .iter()
                .map(|l| l[start..end].to_vec())
                .collect(),
            ..LabeledCorpus::clone_header(corpus)
        };
        let predictions = model.predict_batch(&chunk.texts);
        for t in &mut tallies {
            t.add_chunk(&chunk, &predictions);
        }
        done += chunk.len();
        progress(done);
    }
    Evaluation {
        data: corpus.source.clone(),
        rows_read: corpus.rows_read,
        rows_skipped: corpus.rejects.rows_dropped(),
        heads: finish(model, tallies),
    }
}

/// An evaluation of a whole file, read a chunk at a time.
#[derive(Debug, Clone)]
pub struct FileEvaluation {
    /// The figures.
    pub evaluation: Evaluation,
    /// Every row skipped while reading, with its line and reason.
    pub rejects: Rejects,
    /// Rows spanning several lines of the file.
    pub multi_line: MultiLineRows,
    /// Labels of one column that differ only in case (see
    /// [`LabeledCorpus::case_clashes`]).
    pub case_clashes: Vec<String>,
}

/// Evaluates `model` on the labeled CSV at `path`, streaming: rows are read,
/// predicted and counted a chunk at a time, so memory stays bounded whatever
/// the file's size (only the most confident mistakes are kept). With
/// `strict`, the first row that would be skipped is an error.
pub fn evaluate_file(
    model: &Model,
    path: &Path,
    spec: &CorpusSpec,
    strict: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<FileEvaluation> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let source = path.display().to_string();
    let mut chunks = CorpusChunks::new(&source, file, spec)?;
    let mut tallies = tallies(model, &spec.label_cols);
    let mut rejects = Rejects::default();
    let mut multi_line = MultiLineRows::default();
    let mut label_counts: Vec<BTreeMap<String, usize>> =
        vec![BTreeMap::new(); spec.label_cols.len()];
    let (mut rows_read, mut kept) = (0, 0);
    loop {
        let chunk = chunks.next_chunk(CHUNK)?;
        if chunk.rows_read == 0 {
            break;
        }
        if strict {
            chunk.ensure_clean_rows()?;
        }
        rows_read += chunk.rows_read;
        kept += chunk.len();
        for (h, counts) in label_counts.iter_mut().enumerate() {
            for label in chunk.labels[h].iter().flatten() {
                *counts.entry(label.clone()).or_insert(0) += 1;
            }
        }
        let predictions = model.predict_batch(&chunk.texts);
        for t in &mut tallies {
            t.add_chunk(&chunk, &predictions);
        }
        progress(kept);
        rejects.extend(chunk.rejects);
        multi_line.extend(chunk.multi_line);
    }
    let summary = LabeledCorpus {
        rows_read,
        rejects: rejects.clone(),
        // Whether any row was kept is all `check_usable` needs of the texts.
        texts: if kept > 0 {
            vec![String::new()]
        } else {
            Vec::new()
        },
        ..LabeledCorpus::clone_header_of(&source, &spec.label_cols)
    };
    summary.check_usable()?;
    let case_clashes = crate::data::case_clashes(&spec.label_cols, &label_counts);
    if strict && let Some(clash) = case_clashes.first() {
        return Err(Error::input(format!("{source}: {clash} (--strict)")));
    }
    Ok(FileEvaluation {
        evaluation: Evaluation {
            data: source,
            rows_read,
            rows_skipped: rejects.rows_dropped(),
            heads: finish(model, tallies),
        },
        rejects,
        multi_line,
        case_clashes,
    })
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores `(truth, predicted)` pairs against the model's `known` labels.
pub fn score(known: &[String], pairs: &[(&str, &str)]) -> HeadEvaluation {
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for &(t, p) in pairs {
        *counts.entry((t.to_string(), p.to_string())).or_insert(0) += 1;
    }
    score_counts(known, &counts)
}

/// Scores `(truth, predicted)` → rows counts against the model's `known` labels.
pub fn score_counts(known: &[String], counts: &BTreeMap<(String, String), u64>) -> HeadEvaluation {
    let mut labels: Vec<String> = known.to_vec();
    let mut unknown_labels: BTreeMap<String, u64> = BTreeMap::new();
    for ((truth, _), &n) in counts {
        if !known.iter().any(|k| k == truth) {
            *unknown_labels.entry(truth.clone()).or_insert(0) += n;
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
    for ((t, p), &count) in counts {
        matrix[index[t.as_str()]][index[p.as_str()]] += count;
    }
    let total: u64 = counts.values().sum();
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
