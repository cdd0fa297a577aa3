//! k-fold cross-validation of a training configuration: stratified folds,
//! the corpus segmented once, and for each fold a featurizer and classifiers
//! fitted on the other folds only (no vocabulary or IDF leaks from the held-out
//! fold).

use rayon::prelude::*;
use serde::Serialize;

use crate::data::LabeledCorpus;
use crate::error::{Error, Result};
use crate::evaluation::score;
use crate::features::SparseRow;
use crate::features::{Scratch, Segmented};
use crate::rng::SplitMix64;
use crate::training::{Trainer, check_classes, corpus_labels, is_label_set};

/// The scores of one head on one held-out fold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FoldScore {
    /// Fraction of held-out rows predicted correctly.
    pub accuracy: f64,
    /// Macro-averaged F1 over the held-out rows.
    pub macro_f1: f64,
    /// Mean negative log-probability of the true label (labels the fold's
    /// model never saw are left out).
    pub log_loss: f64,
}

/// Mean and sample standard deviation of a figure over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Mean over the folds.
    pub mean: f64,
    /// Sample standard deviation over the folds (0 for one fold).
    pub std: f64,
}

impl Spread {
    fn of(values: impl Iterator<Item = f64> + Clone) -> Spread {
        let n = values.clone().count();
        if n == 0 {
            return Spread {
                mean: 0.0,
                std: 0.0,
            };
        }
        let mean = values.clone().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Spread {
            mean,
            std: var.sqrt(),
        }
    }
}

/// The cross-validation of one head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadCv {
    /// The label column.
    pub name: String,
    /// One score per fold, in fold order.
    pub folds: Vec<FoldScore>,
    /// Accuracy over the folds.
    pub accuracy: Spread,
    /// Macro-F1 over the folds.
    pub macro_f1: Spread,
    /// Log loss over the folds.
    pub log_loss: Spread,
}

/// The result of [`cross_validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvReport {
    /// The data file.
    pub data: String,
    /// Rows used.
    pub rows: usize,
    /// Number of folds.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Per head, in label-column order.
    pub heads: Vec<HeadCv>,
}

/// Assignment of rows to folds, stratified by the first head's label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folds {
    fold_of: Vec<usize>,
    k: usize,
    seed: u64,
}

impl Folds {
    /// Splits `corpus` into `k` folds: within each class of the first head
    /// (rows without that label form their own group), rows are shuffled with
    /// `seed` and dealt to the folds in turn, continuing from one class to the
    /// next, so fold sizes differ by at most one and class shares match.
    pub fn stratified(corpus: &LabeledCorpus, k: usize, seed: u64) -> Result<Folds> {
        Self::check(k)?;
        if corpus.len() < k {
            return Err(Error::input(format!(
                "{}: {} rows cannot be split into {k} folds; use fewer --folds",
                corpus.source,
                corpus.len()
            )));
        }
        let first = corpus.labels.first();
        let mut order: Vec<usize> = (0..corpus.len()).collect();
        SplitMix64::new(seed).shuffle(&mut order);
        let key = |i: usize| first.and_then(|labels| labels[i].as_deref());
        // Stable sort: each class keeps its shuffled order.
        order.sort_by(|&a, &b| key(a).cmp(&key(b)));
        let mut fold_of = vec![0; corpus.len()];
        for (position, &row) in order.iter().enumerate() {
            fold_of[row] = position % k;
        }
        Ok(Folds { fold_of, k, seed })
    }

    /// Checks a number of folds before any data is read: at least 2.
    pub fn check(k: usize) -> Result<()> {
        if k < 2 {
            return Err(Error::setting(
                "folds",
                format!("must be at least 2, got {k}"),
            ));
        }
        Ok(())
    }

    /// Number of folds.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The fold of each row.
    pub fn fold_of(&self) -> &[usize] {
        &self.fold_of
    }
}

/// Cross-validates `trainer`'s settings on `corpus` with `folds` stratified
/// folds. `progress` is called with a short description as each fold starts.
pub fn cross_validate(
    trainer: &Trainer,
    corpus: &LabeledCorpus,
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CvReport> {
    trainer.check()?;
    let folds = Folds::stratified(corpus, folds, seed)?;
    progress("segmenting");
    let docs = trainer.segment(corpus);
    cross_validate_segmented(trainer, corpus, &docs, &folds, progress)
}

/// Like [`cross_validate`], on documents already segmented with the trainer's
/// segmentation settings (so that a grid of feature and classifier settings
/// segments only once) and with a given fold assignment.
pub fn cross_validate_segmented(
    trainer: &Trainer,
    corpus: &LabeledCorpus,
    docs: &[Segmented],
    folds: &Folds,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CvReport> {
    let settings = trainer.check()?;
    let labels = corpus_labels(corpus);
    check_classes(&corpus.source, &corpus.heads, &labels)?;
    let mut per_head: Vec<Vec<FoldScore>> = vec![Vec::new(); corpus.heads.len()];
    for fold in 0..folds.k {
        progress(&format!("fold {}/{}", fold + 1, folds.k));
        let train_rows: Vec<usize> = (0..docs.len())
            .filter(|&i| folds.fold_of[i] != fold)
            .collect();
        let test_rows: Vec<usize> = (0..docs.len())
            .filter(|&i| folds.fold_of[i] == fold)
            .collect();
        let train_docs: Vec<Segmented> = train_rows.iter().map(|&i| docs[i].clone()).collect();
        let train_labels: Vec<Vec<Option<&str>>> = labels
            .iter()
            .map(|head| train_rows.iter().map(|&i| head[i]).collect())
            .collect();
        let source = format!("{} (fold {} of {})", corpus.source, fold + 1, folds.k);
        let fitted = trainer.fit_documents(
            &settings,
            &source,
            train_docs,
            &corpus.heads,
            &train_labels,
            &|_| {},
            &mut Vec::new(),
        )?;
        // Every head's class probabilities for every held-out row.
        let probabilities: Vec<Vec<Vec<f32>>> = test_rows
            .par_iter()
            .map_init(Scratch::default, |scratch, &i| {
                fitted.vectorizer.transform_into(&docs[i], scratch);
                let (indices, values): (Vec<u32>, Vec<f32>) = scratch.row.iter().copied().unzip();
                let row = SparseRow {
                    indices: &indices,
                    values: &values,
                };
                fitted
                    .heads
                    .iter()
                    .map(|head| {
                        let mut p = vec![0.0; head.labels.len()];
                        head.classifier.predict_proba_row(row, &mut p);
                        p
                    })
                    .collect()
            })
            .collect();
        for (h, head) in fitted.heads.iter().enumerate() {
            let mut pairs = Vec::new();
            let mut neg_log = 0.0f64;
            let mut scored = 0usize;
            for (&i, probs) in test_rows.iter().zip(&probabilities) {
                // A label set says only which classes a row is not: not scored.
                let Some(truth) = labels[h][i].filter(|l| !is_label_set(l)) else {
                    continue;
                };
                let p = &probs[h];
                let best = (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b });
                pairs.push((truth, head.labels[best].as_str()));
                if let Some(c) = head.labels.iter().position(|l| l == truth) {
                    neg_log -= f64::from(p[c]).max(1e-15).ln();
                    scored += 1;
                }
            }
            let e = score(&head.labels, &pairs);
            per_head[h].push(FoldScore {
                accuracy: e.accuracy,
                macro_f1: e.macro_f1,
                log_loss: if scored > 0 {
                    neg_log / scored as f64
                } else {
                    0.0
                },
            });
        }
    }
    let heads = corpus
        .heads
        .iter()
        .zip(per_head)
        .map(|(name, folds)| HeadCv {
            name: name.clone(),
            accuracy: Spread::of(folds.iter().map(|f| f.accuracy)),
            macro_f1: Spread::of(folds.iter().map(|f| f.macro_f1)),
            log_loss: Spread::of(folds.iter().map(|f| f.log_loss)),
            folds,
        })
        .collect();
    Ok(CvReport {
        data: corpus.source.clone(),
        rows: corpus.len(),
        folds: folds.k,
        seed: folds.seed,
        heads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CorpusSpec;

    fn corpus(labels: &[&str]) -> LabeledCorpus {
        let mut csv = String::from("text,label\n");
        for (i, l) in labels.iter().enumerate() {
            csv.push_str(&format!("文本{i},{l}\n"));
        }
        LabeledCorpus::from_bytes("t.csv", csv.as_bytes(), &CorpusSpec::default()).unwrap()
    }

    #[test]
    fn folds_are_balanced_per_class_and_depend_on_the_seed() {
        let labels: Vec<&str> = (0..103)
            .map(|i| if i % 3 == 0 { "a" } else { "b" })
            .collect();
        let c = corpus(&labels);
        let folds = Folds::stratified(&c, 4, 1).unwrap();
        let mut sizes = [0usize; 4];
        let mut per_class = [[0usize; 4]; 2];
        for (i, &f) in folds.fold_of().iter().enumerate() {
            sizes[f] += 1;
            per_class[usize::from(labels[i] == "b")][f] += 1;
        }
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        for counts in per_class {
            assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1);
        }
        assert_eq!(folds, Folds::stratified(&c, 4, 1).unwrap());
        assert_ne!(folds, Folds::stratified(&c, 4, 2).unwrap());
    }

    #[test]
    fn spread_is_mean_and_sample_std() {
        let s = Spread::of([1.0, 2.0, 3.0].into_iter());
        assert_eq!(s.mean, 2.0);
        assert!((s.std - 1.0).abs() < 1e-12);
        assert_eq!(Spread::of([5.0].into_iter()).std, 0.0);
    }
}
