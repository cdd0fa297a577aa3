//! `tune`: a small grid over the main settings of the linear classifier,
//! scored by cross-validation (the corpus is segmented once for the whole
//! grid), and the record of it that the tuned model keeps.

use crate::data::LabeledCorpus;
use crate::error::{Error, Result};
use crate::estimators::ClassifierParams;
use crate::estimators::{LinearParams, Loss};
use crate::model::{Model, TrialRecord, TuningRecord};
use crate::training::{CvReport, Folds, Spread, cross_validate_segmented};
use crate::training::{TrainConfig, TrainReport, Trainer};

/// The values to try for each tuned setting; every combination is tried.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Losses of the linear classifier.
    pub losses: Vec<Loss>,
    /// Inverse regularisation strengths.
    pub cs: Vec<f64>,
    /// Character n-gram ranges (`None`: no character n-grams).
    pub char_ngrams: Vec<Option<(usize, usize)>>,
    /// Minimum document frequencies.
    pub min_dfs: Vec<usize>,
}

impl Default for Grid {
    /// 2 losses (SVM, ridge) × 3 values of C × 2 character ranges × 2 minimum
    /// document frequencies: 24 settings. (The logistic loss needs a larger C
    /// and scored lower on all six public datasets: docs/accuracy.md.)
    fn default() -> Self {
        Grid {
            losses: vec![Loss::SquaredHinge, Loss::Squared],
            cs: vec![0.25, 0.5, 1.0],
            char_ngrams: vec![Some((1, 2)), Some((1, 3))],
            min_dfs: vec![1, 2],
        }
    }
}

impl Grid {
    /// Every combination, applied to `base` (which must use the linear
    /// classifier), in grid order. Checks `base` and every value of the grid
    /// first (with [`TrainConfig::check`]), so that nothing is read or fitted
    /// with a bad setting.
    pub fn configs(&self, base: &TrainConfig) -> Result<Vec<TrainConfig>> {
        let ClassifierParams::Linear(linear) = &base.classifier else {
            return Err(Error::param(
                "tune searches the settings of the linear classifier; drop --model or use --model linear",
            ));
        };
        if self.losses.is_empty()
            || self.cs.is_empty()
            || self.char_ngrams.is_empty()
            || self.min_dfs.is_empty()
        {
            return Err(Error::param("every grid setting needs at least one value"));
        }
        base.check()?;
        // Each grid setting changes one field that is checked on its own, so
        // checking every value once checks every combination.
        let in_grid = |flag: &str, config: TrainConfig| {
            config.check().map(drop).map_err(|e| match e {
                Error::Param(message) => Error::param(format!("in {flag}: {message}")),
                other => other,
            })
        };
        for &c in &self.cs {
            let mut config = base.clone();
            config.classifier = ClassifierParams::Linear(LinearParams::clone(linear).c(c));
            in_grid("--grid-c", config)?;
        }
        for &chars in &self.char_ngrams {
            let mut config = base.clone();
            config.features.char_ngrams = chars;
            in_grid("--grid-char-ngrams", config)?;
        }
        for &min_df in &self.min_dfs {
            let mut config = base.clone();
            config.features.min_df = min_df;
            in_grid("--grid-min-df", config)?;
        }
        let mut out = Vec::new();
        for &loss in &self.losses {
            for &c in &self.cs {
                for &chars in &self.char_ngrams {
                    for &min_df in &self.min_dfs {
                        let mut config = base.clone();
                        config.classifier =
                            ClassifierParams::Linear(LinearParams::clone(linear).loss(loss).c(c));
                        config.features.char_ngrams = chars;
                        config.features.min_df = min_df;
                        out.push(config);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The tuned settings of one grid point, in words.
pub fn describe_config(config: &TrainConfig) -> String {
    let chars = match config.features.char_ngrams {
        Some((lo, hi)) => format!("{lo}-{hi}"),
        None => "none".into(),
    };
    let classifier = match config.classifier.check() {
        Ok(settings) => settings.describe(),
        Err(e) => format!("invalid: {e}"),
    };
    format!(
        "{classifier}, char n-grams {chars}, min-df {}",
        config.features.min_df
    )
}

/// The outcome of [`tune`]: the record and the chosen settings.
#[derive(Debug, Clone)]
pub struct Tuned {
    /// Scores of every grid point.
    pub record: TuningRecord,
    /// The settings of the chosen grid point.
    pub config: TrainConfig,
}

impl Tuned {
    /// Trains the chosen settings on all of `corpus`; the model keeps the
    /// tuning record. `stage` is called as each training stage starts.
    pub fn fit(
        &self,
        corpus: &LabeledCorpus,
        text_col: &str,
        stage: &(dyn Fn(&str) + Sync),
    ) -> Result<(Model, TrainReport)> {
        let (mut model, report) =
            Trainer::new(self.config.clone()).fit_with_progress(corpus, text_col, stage)?;
        model.data.provenance.tuning = Some(self.record.clone());
        Ok((model, report))
    }
}

fn averaged(report: &CvReport, figure: impl Fn(&crate::training::HeadCv) -> Spread) -> Spread {
    let n = report.heads.len().max(1) as f64;
    Spread {
        mean: report.heads.iter().map(|h| figure(h).mean).sum::<f64>() / n,
        std: report.heads.iter().map(|h| figure(h).std).sum::<f64>() / n,
    }
}

/// Cross-validates every grid point on `corpus` and picks the best;
/// `progress` is called with `(trial, trials)` as each grid point starts.
pub fn tune(
    base: &TrainConfig,
    grid: &Grid,
    corpus: &LabeledCorpus,
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Tuned> {
    let configs = grid.configs(base)?;
    let folds = Folds::stratified(corpus, folds, seed)?;
    // Segmentation settings are not tuned: segment once for the whole grid.
    let docs = Trainer::new(base.clone()).segment(corpus);
    let mut trials = Vec::with_capacity(configs.len());
    for (t, config) in configs.iter().enumerate() {
        progress(t, configs.len());
        let report = cross_validate_segmented(
            &Trainer::new(config.clone()),
            corpus,
            &docs,
            &folds,
            &|_| {},
        )?;
        let accuracy = averaged(&report, |h| h.accuracy);
        trials.push(TrialRecord {
            settings: describe_config(config),
            accuracy: accuracy.mean,
            accuracy_std: accuracy.std,
            macro_f1: averaged(&report, |h| h.macro_f1).mean,
            log_loss: averaged(&report, |h| h.log_loss).mean,
        });
    }
    progress(configs.len(), configs.len());
    let chosen = (0..trials.len()).fold(0, |best, t| {
        if trials[t].accuracy > trials[best].accuracy {
            t
        } else {
            best
        }
    });
    Ok(Tuned {
        record: TuningRecord {
            folds: folds.k(),
            seed,
            trials,
            chosen,
        },
        config: configs[chosen].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_combination_in_order() {
        let base = TrainConfig::default();
        let configs = Grid::default().configs(&base).unwrap();
        assert_eq!(configs.len(), 24);
        assert_eq!(
            describe_config(&configs[0]),
            "linear svm C=0.25 tol=0.1, char n-grams 1-2, min-df 1"
        );
        assert_eq!(
            describe_config(&configs[23]),
            "linear ridge C=1 tol=0.1, char n-grams 1-3, min-df 2"
        );
    }

    #[test]
    fn only_the_linear_classifier_is_tuned() {
        let base = TrainConfig {
            classifier: ClassifierParams::NaiveBayes(Default::default()),
            ..TrainConfig::default()
        };
        let err = Grid::default().configs(&base).unwrap_err().to_string();
        assert!(err.contains("--model linear"), "{err}");
        let empty = Grid {
            cs: vec![],
            ..Grid::default()
        };
        assert!(empty.configs(&TrainConfig::default()).is_err());
    }

    #[test]
    fn every_grid_value_is_checked_before_any_work() {
        let err = |grid: Grid| {
            grid.configs(&TrainConfig::default())
                .unwrap_err()
                .to_string()
        };
        let bad_c = Grid {
            cs: vec![1.0, f64::NAN],
            ..Grid::default()
        };
        assert_eq!(
            err(bad_c),
            "invalid setting: in --grid-c: --c must be a positive finite number, got NaN"
        );
        let bad_min_df = Grid {
            min_dfs: vec![0],
            ..Grid::default()
        };
        assert!(err(bad_min_df).contains("in --grid-min-df: --min-df must be at least 1"));
        let bad_chars = Grid {
            char_ngrams: vec![Some((1, 4))],
            ..Grid::default()
        };
        assert!(err(bad_chars).contains("in --grid-char-ngrams: --char-ngrams must be MIN-MAX"));
        let mut base = TrainConfig::default();
        base.features.max_df = 0.0;
        let e = Grid::default().configs(&base).unwrap_err().to_string();
        assert!(e.contains("--max-df must be a fraction"), "{e}");
    }
}
