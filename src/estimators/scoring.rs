//! Scoring pieces shared by the classifiers: feature-major weight tables,
//! softmax, argmax, and predictions for whole matrices.

use ndarray::{Array1, Array2};

use crate::error::{Error, Result};
use crate::features::{SparseMatrix, SparseRow};

/// Adds `Σ_j v_j · table[j]` to `out`, where `table` is feature-major
/// (`n_features × out.len()`). Features at or past `n_features` are ignored.
#[inline]
pub(crate) fn add_weighted(row: SparseRow<'_>, table: &[f32], n_features: usize, out: &mut [f32]) {
    let k = out.len();
    for (&j, &v) in row.indices.iter().zip(row.values) {
        let j = j as usize;
        if j < n_features {
            for (o, &w) in out.iter_mut().zip(&table[j * k..(j + 1) * k]) {
                *o += w * v;
            }
        }
    }
}

/// In-place softmax, shifted by the maximum so that no `exp` overflows.
pub(crate) fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

/// Index of the largest value; ties go to the lowest index.
pub(crate) fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// `score(row, out)` for every row of `x`: an `n_rows × k` array.
pub(crate) fn score_matrix(
    x: &SparseMatrix,
    k: usize,
    score: impl Fn(SparseRow<'_>, &mut [f32]),
) -> Array2<f32> {
    let mut out = Array2::zeros((x.n_rows(), k));
    for (i, mut line) in out.outer_iter_mut().enumerate() {
        let slice = line
            .as_slice_mut()
            .expect("rows of a standard-layout array");
        score(x.row(i), slice);
    }
    out
}

/// The class of highest `score` for each row of `x`, into `y` (linfa's
/// `PredictInplace`; ties go to the lowest class).
pub(crate) fn predict_classes(
    x: &SparseMatrix,
    y: &mut Array1<usize>,
    k: usize,
    score: impl Fn(SparseRow<'_>, &mut [f32]),
) {
    assert_eq!(x.n_rows(), y.len(), "one target per row");
    let mut scores = vec![0.0f32; k];
    for (i, target) in y.iter_mut().enumerate() {
        score(x.row(i), &mut scores);
        *target = argmax(&scores);
    }
}

/// Checks a classifier's training targets against its rows: one target per
/// row, labelled `0..n_classes`, at least two classes, each with a row.
/// Returns the rows per class; `who` names the classifier in the message.
pub(crate) fn check_targets(x: &SparseMatrix, y: &Array1<usize>, who: &str) -> Result<Vec<usize>> {
    if x.n_rows() != y.len() {
        return Err(linfa::Error::MismatchedShapes(x.n_rows(), y.len()).into());
    }
    let n_classes = y.iter().max().map_or(0, |&m| m + 1);
    let mut rows = vec![0usize; n_classes];
    y.iter().for_each(|&c| rows[c] += 1);
    if n_classes < 2 || rows.contains(&0) {
        return Err(Error::input(format!(
            "{who} needs at least two classes, each with at least one row"
        )));
    }
    Ok(rows)
}
