//! Training settings as flat values, one per `train` flag: the command line
//! and the Python binding both describe a training run with a
//! [`TrainSettings`] and turn it into a [`TrainConfig`] here, so the two share
//! one set of defaults and one mapping, and one refusal of a setting that the
//! chosen classifier kind does not use.

use crate::error::{Error, ParamError, Result};
use crate::estimators::ClassifierParams;
use crate::estimators::DenseLogisticParams;
use crate::estimators::NaiveBayesParams;
use crate::estimators::{Classifier, ClassifierSettings};
use crate::estimators::{LinearParams, Loss};
use crate::features::FeatureConfig;
use crate::model::Model;
use crate::text::NormalizeConfig;
use crate::text::{SegmenterConfig, UserWord};
use crate::training::TrainConfig;

/// The classifier kinds, as `--model` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// The sparse one-vs-rest linear model (`linear`).
    Linear,
    /// Multinomial naive Bayes (`nb`).
    NaiveBayes,
    /// linfa-logistic on dense features (`linfa-logistic`).
    LinfaLogistic,
}

impl ModelKind {
    /// The kind named `name` (`linear`, `nb`, `linfa-logistic`).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "linear" => Ok(ModelKind::Linear),
            "nb" => Ok(ModelKind::NaiveBayes),
            "linfa-logistic" => Ok(ModelKind::LinfaLogistic),
            _ => Err(Error::param(format!(
                "unknown model kind '{name}'; use linear, nb or linfa-logistic"
            ))),
        }
    }

    /// The kind's name, as [`ModelKind::from_name`] takes it.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::NaiveBayes => "nb",
            ModelKind::LinfaLogistic => "linfa-logistic",
        }
    }
}

impl Loss {
    /// The loss named `name` (`svm`, `logistic`, `ridge`; see [`Loss::name`]).
    pub fn from_name(name: &str) -> Result<Self> {
        [Loss::SquaredHinge, Loss::Logistic, Loss::Squared]
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| {
                Error::param(format!("unknown loss '{name}'; use svm, logistic or ridge"))
            })
    }
}

/// Every training setting, with the command line's defaults. The settings
/// of one classifier kind (`loss` to `seed`) are `None` unless given: `None`
/// means the chosen kind's own default, and a setting given for a kind that
/// does not use it is refused by [`TrainSettings::config`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    /// Traditional → simplified characters before segmenting.
    pub simplify: bool,
    /// jieba's HMM for words missing from the dictionary.
    pub hmm: bool,
    /// Words added to jieba's dictionary.
    pub user_words: Vec<UserWord>,
    /// Words dropped after segmentation.
    pub stopwords: Vec<String>,
    /// Word n-gram lengths, inclusive.
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths, inclusive; `None` for none.
    pub char_ngrams: Option<(usize, usize)>,
    /// Minimum document frequency of a term.
    pub min_df: usize,
    /// Maximum document frequency of a term, as a fraction of documents.
    pub max_df: f64,
    /// At most this many terms of each kind.
    pub max_features: Option<usize>,
    /// `1 + ln(tf)` instead of raw counts.
    pub sublinear_tf: bool,
    /// Unit length per block (words, characters) of each row.
    pub l2_norm: bool,
    /// The classifier kind.
    pub model: ModelKind,
    /// Loss of the linear model (linear only).
    pub loss: Option<Loss>,
    /// Inverse regularisation strength (linear, linfa-logistic).
    pub c: Option<f64>,
    /// Stopping tolerance of the linear solver (linear only).
    pub tol: Option<f64>,
    /// Passes (linear) or L-BFGS iterations (linfa-logistic).
    pub max_iter: Option<usize>,
    /// Additive smoothing of naive Bayes (nb only).
    pub alpha: Option<f64>,
    /// Memory budget of linfa-logistic's dense matrix, in MB (linfa-logistic only).
    pub max_dense_mb: Option<usize>,
    /// Seed of the linear solver's row order (linear only).
    pub seed: Option<u64>,
}

impl Default for TrainSettings {
    fn default() -> Self {
        let features = FeatureConfig::default();
        let segmenter = SegmenterConfig::default();
        TrainSettings {
            simplify: NormalizeConfig::default().simplify,
            hmm: segmenter.hmm,
            user_words: segmenter.user_words,
            stopwords: segmenter.stopwords,
            word_ngrams: features.word_ngrams,
            char_ngrams: features.char_ngrams,
            min_df: features.min_df,
            max_df: features.max_df,
            max_features: features.max_features,
            sublinear_tf: features.sublinear_tf,
            l2_norm: features.l2_norm,
            model: ModelKind::Linear,
            loss: None,
            c: None,
            tol: None,
            max_iter: None,
            alpha: None,
            max_dense_mb: None,
            seed: None,
        }
    }
}

impl TrainSettings {
    /// The training configuration these settings describe. Refuses a
    /// setting given for a classifier kind that does not use it (an
    /// [`Error::Param`]); the values are checked when training starts, or by
    /// [`TrainConfig::check`].
    ///
    /// ```
    /// use newsclf::training::{ModelKind, TrainSettings};
    /// let settings = TrainSettings { model: ModelKind::NaiveBayes, min_df: 1, ..TrainSettings::default() };
    /// let config = settings.config().unwrap();
    /// assert_eq!(config.features.min_df, 1);
    /// let e = TrainSettings { c: Some(0.5), ..settings }.config().unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "invalid setting: --c applies to --model linear or linfa-logistic, not nb; drop --c"
    /// );
    /// ```
    pub fn config(&self) -> Result<TrainConfig> {
        self.check_kind()?;
        Ok(TrainConfig {
            normalize: NormalizeConfig {
                simplify: self.simplify,
            },
            segmenter: SegmenterConfig {
                hmm: self.hmm,
                user_words: self.user_words.clone(),
                stopwords: self.stopwords.clone(),
            },
            features: FeatureConfig {
                word_ngrams: self.word_ngrams,
                char_ngrams: self.char_ngrams,
                min_df: self.min_df,
                max_df: self.max_df,
                max_features: self.max_features,
                sublinear_tf: self.sublinear_tf,
                l2_norm: self.l2_norm,
            },
            classifier: self.classifier(),
        })
    }

    /// The settings `init` was trained with: its normalisation, segmentation
    /// and feature settings, and no classifier setting (each `None`: `init`'s
    /// own). A front end starts from these to continue training `init`, and
    /// changes only what the user gave.
    pub fn of_model(init: &Model) -> TrainSettings {
        let f = init.feature_config();
        let seg = init.segmenter_config();
        TrainSettings {
            simplify: init.normalize_config().simplify,
            hmm: seg.hmm,
            user_words: seg.user_words.clone(),
            stopwords: seg.stopwords.clone(),
            word_ngrams: f.word_ngrams,
            char_ngrams: f.char_ngrams,
            min_df: f.min_df,
            max_df: f.max_df,
            max_features: f.max_features,
            sublinear_tf: f.sublinear_tf,
            l2_norm: f.l2_norm,
            ..TrainSettings::default()
        }
    }

    /// The configuration that continues training `init` (see
    /// [`crate::train_from`]). The settings that define features
    /// (normalisation, segmentation, n-grams, `min_df`, …) must be `init`'s:
    /// its weights are indexed by its features, so one that differs is
    /// refused, naming it. Only `model` linear continues. The classifier
    /// settings given (`loss`, `C`, `tol`, `max_iter`, `seed`) replace
    /// `init`'s; the others stay `init`'s.
    ///
    /// ```
    /// use newsclf::{CorpusSpec, LabeledCorpus, TrainSettings};
    /// let csv = "text,label\n油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n";
    /// let corpus = LabeledCorpus::from_bytes("d.csv", csv.as_bytes(), &CorpusSpec::default()).unwrap();
    /// let settings = TrainSettings { min_df: 1, ..TrainSettings::default() };
    /// let (model, _) = newsclf::train(&corpus, "text", &settings).unwrap();
    /// let e = TrainSettings { min_df: 3, ..settings }.config_from(&model).unwrap_err();
    /// assert!(e.to_string().starts_with("invalid setting: --min-df differs from the model being continued (3 here, 1 there)"), "{e}");
    /// ```
    pub fn config_from(&self, init: &Model) -> Result<TrainConfig> {
        if self.model != ModelKind::Linear {
            return Err(Error::setting(
                "model",
                format!(
                    "must be linear to continue a model (linear only), not {}: train a {} \
                     model from scratch instead",
                    self.model.name(),
                    self.model.name()
                ),
            ));
        }
        let config = self.config()?;
        check_same_features(&config, init)?;
        let ClassifierSettings::Linear(base) = &init.provenance().classifier else {
            return Err(not_linear(init));
        };
        if init
            .heads()
            .iter()
            .any(|h| !matches!(h.classifier, Classifier::Linear(_)))
        {
            return Err(not_linear(init));
        }
        let mut p = LinearParams::new()
            .loss(self.loss.unwrap_or(base.loss()))
            .c(self.c.unwrap_or(base.c()))
            .tol(self.tol.unwrap_or(base.tol()))
            .max_iter(self.max_iter.unwrap_or(base.max_iter()))
            .seed(self.seed.unwrap_or(base.seed()));
        p = p.bias(base.bias());
        Ok(TrainConfig {
            classifier: ClassifierParams::Linear(p),
            ..config
        })
    }

    /// Refuses the first kind-specific setting that is given but not used by
    /// the chosen kind.
    fn check_kind(&self) -> Result<()> {
        use ModelKind::{Linear, LinfaLogistic, NaiveBayes};
        let settings: [(&'static str, bool, &[ModelKind]); 7] = [
            ("loss", self.loss.is_some(), &[Linear]),
            ("C", self.c.is_some(), &[Linear, LinfaLogistic]),
            ("tol", self.tol.is_some(), &[Linear]),
            (
                "max_iter",
                self.max_iter.is_some(),
                &[Linear, LinfaLogistic],
            ),
            ("alpha", self.alpha.is_some(), &[NaiveBayes]),
            (
                "max_dense_mb",
                self.max_dense_mb.is_some(),
                &[LinfaLogistic],
            ),
            ("seed", self.seed.is_some(), &[Linear]),
        ];
        match settings
            .into_iter()
            .find(|(_, given, kinds)| *given && !kinds.contains(&self.model))
        {
            Some((key, _, kinds)) => Err(Error::Param(ParamError::NotForKind {
                key,
                kind: self.model.name(),
                used_by: kinds.iter().map(|k| k.name()).collect(),
            })),
            None => Ok(()),
        }
    }

    /// The classifier kind and its settings.
    fn classifier(&self) -> ClassifierParams {
        match self.model {
            ModelKind::Linear => {
                let mut p = LinearParams::new();
                if let Some(loss) = self.loss {
                    p = p.loss(loss);
                }
                if let Some(tol) = self.tol {
                    p = p.tol(tol);
                }
                if let Some(seed) = self.seed {
                    p = p.seed(seed);
                }
                if let Some(c) = self.c {
                    p = p.c(c);
                }
                if let Some(n) = self.max_iter {
                    p = p.max_iter(n);
                }
                ClassifierParams::Linear(p)
            }
            ModelKind::NaiveBayes => {
                let mut p = NaiveBayesParams::new();
                if let Some(alpha) = self.alpha {
                    p = p.alpha(alpha);
                }
                ClassifierParams::NaiveBayes(p)
            }
            ModelKind::LinfaLogistic => {
                let mut p = DenseLogisticParams::new();
                if let Some(mb) = self.max_dense_mb {
                    p = p.max_dense_mb(mb);
                }
                if let Some(c) = self.c {
                    p = p.c(c);
                }
                if let Some(n) = self.max_iter {
                    p = p.max_iter(n as u64);
                }
                ClassifierParams::LinfaLogistic(p)
            }
        }
    }
}

/// The message refusing to continue a model that is not `linear`.
fn not_linear(init: &Model) -> Error {
    Error::param(format!(
        "the model to continue is {}, not linear: only linear models continue (linear \
         only); train from scratch instead",
        init.provenance().classifier.kind()
    ))
}

/// Refuses a feature-defining setting of `config` that differs from `init`'s,
/// naming the first one.
pub(crate) fn check_same_features(config: &TrainConfig, init: &Model) -> Result<()> {
    let (f, mf) = (&config.features, init.feature_config());
    let (s, ms) = (&config.segmenter, init.segmenter_config());
    let simplify = (config.normalize.simplify, init.normalize_config().simplify);
    let show = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let on = |key: &str, v: bool| format!("{key} {}", if v { "on" } else { "off" });
    let differing: [(&'static str, bool, String, String); 11] = [
        (
            "word_ngrams",
            f.word_ngrams != mf.word_ngrams,
            show(&f.word_ngrams),
            show(&mf.word_ngrams),
        ),
        (
            "char_ngrams",
            f.char_ngrams != mf.char_ngrams,
            show(&f.char_ngrams),
            show(&mf.char_ngrams),
        ),
        (
            "min_df",
            f.min_df != mf.min_df,
            f.min_df.to_string(),
            mf.min_df.to_string(),
        ),
        (
            "max_df",
            f.max_df != mf.max_df,
            f.max_df.to_string(),
            mf.max_df.to_string(),
        ),
        (
            "max_features",
            f.max_features != mf.max_features,
            show(&f.max_features),
            show(&mf.max_features),
        ),
        (
            "sublinear_tf",
            f.sublinear_tf != mf.sublinear_tf,
            on("sublinear_tf", f.sublinear_tf),
            on("sublinear_tf", mf.sublinear_tf),
        ),
        (
            "l2_norm",
            f.l2_norm != mf.l2_norm,
            on("l2_norm", f.l2_norm),
            on("l2_norm", mf.l2_norm),
        ),
        (
            "simplify",
            simplify.0 != simplify.1,
            on("simplify", simplify.0),
            on("simplify", simplify.1),
        ),
        ("hmm", s.hmm != ms.hmm, on("hmm", s.hmm), on("hmm", ms.hmm)),
        (
            "user_dict",
            s.user_words != ms.user_words,
            format!("{} words", s.user_words.len()),
            format!("{} words", ms.user_words.len()),
        ),
        (
            "stopwords",
            s.stopwords != ms.stopwords,
            format!("{} words", s.stopwords.len()),
            format!("{} words", ms.stopwords.len()),
        ),
    ];
    match differing.into_iter().find(|d| d.1) {
        Some((key, _, given, model)) => Err(Error::setting(
            key,
            format!(
                "differs from the model being continued ({given} here, {model} there): a \
                 continued model keeps the features (vocabulary and IDF) its weights are \
                 indexed by; drop the setting to use the model's, or train from scratch to \
                 change it"
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::ClassifierSettings;

    #[test]
    fn defaults_are_the_library_defaults() {
        let config = TrainSettings::default().config().unwrap();
        assert_eq!(config.features, FeatureConfig::default());
        assert_eq!(config.segmenter, SegmenterConfig::default());
        assert_eq!(config.classifier, ClassifierParams::default());
    }

    #[test]
    fn kind_defaults_apply_unless_overridden() {
        let nb = TrainSettings {
            model: ModelKind::LinfaLogistic,
            ..TrainSettings::default()
        };
        let ClassifierSettings::LinfaLogistic(p) = nb.config().unwrap().classifier.check().unwrap()
        else {
            panic!("expected linfa-logistic");
        };
        assert_eq!(p.c(), 1.0);
        let tuned = TrainSettings {
            c: Some(3.0),
            max_iter: Some(7),
            ..TrainSettings::default()
        };
        let ClassifierSettings::Linear(p) = tuned.config().unwrap().classifier.check().unwrap()
        else {
            panic!("expected linear");
        };
        assert_eq!((p.c(), p.max_iter()), (3.0, 7));
    }

    /// Settings with only the one kind-specific setting `key` given.
    fn with_only(key: &str, model: ModelKind) -> TrainSettings {
        let mut s = TrainSettings {
            model,
            ..TrainSettings::default()
        };
        match key {
            "loss" => s.loss = Some(Loss::Logistic),
            "C" => s.c = Some(0.5),
            "tol" => s.tol = Some(0.1),
            "max_iter" => s.max_iter = Some(5),
            "alpha" => s.alpha = Some(1.0),
            "max_dense_mb" => s.max_dense_mb = Some(10),
            "seed" => s.seed = Some(42),
            other => panic!("no setting {other}"),
        }
        s
    }

    #[test]
    fn settings_of_another_kind_are_refused() {
        use ModelKind::{Linear, LinfaLogistic, NaiveBayes};
        let uses: [(&str, &[ModelKind]); 7] = [
            ("loss", &[Linear]),
            ("C", &[Linear, LinfaLogistic]),
            ("tol", &[Linear]),
            ("max_iter", &[Linear, LinfaLogistic]),
            ("alpha", &[NaiveBayes]),
            ("max_dense_mb", &[LinfaLogistic]),
            ("seed", &[Linear]),
        ];
        for (key, kinds) in uses {
            for kind in [Linear, NaiveBayes, LinfaLogistic] {
                let result = with_only(key, kind).config();
                if kinds.contains(&kind) {
                    assert!(result.is_ok(), "{key} with {kind:?}: {result:?}");
                    continue;
                }
                // Refused even when the value is the kind's default.
                let Err(Error::Param(e)) = result else {
                    panic!("{key} with {kind:?} is not refused");
                };
                assert_eq!(e.key(), Some(key));
                assert_eq!(
                    e,
                    ParamError::NotForKind {
                        key,
                        kind: kind.name(),
                        used_by: kinds.iter().map(|k| k.name()).collect(),
                    }
                );
            }
        }
        let e = with_only("C", NaiveBayes).config().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting: --c applies to --model linear or linfa-logistic, not nb; drop --c"
        );
        let Error::Param(e) = with_only("alpha", Linear).config().unwrap_err() else {
            panic!("expected an invalid setting");
        };
        assert_eq!(
            e.render(crate::error::Spelling::Keyword),
            "alpha= applies to model='nb', not 'linear'; drop alpha= (or pass None)"
        );
    }

    #[test]
    fn given_settings_reach_the_classifier() {
        let linear = TrainSettings {
            loss: Some(Loss::Logistic),
            tol: Some(0.5),
            seed: Some(7),
            ..TrainSettings::default()
        };
        let ClassifierSettings::Linear(p) = linear.config().unwrap().classifier.check().unwrap()
        else {
            panic!("expected linear");
        };
        assert_eq!((p.loss(), p.tol(), p.seed()), (Loss::Logistic, 0.5, 7));
        let nb = TrainSettings {
            model: ModelKind::NaiveBayes,
            alpha: Some(0.1),
            ..TrainSettings::default()
        };
        let ClassifierSettings::NaiveBayes(p) = nb.config().unwrap().classifier.check().unwrap()
        else {
            panic!("expected nb");
        };
        assert_eq!(p.alpha(), 0.1);
        let dense = TrainSettings {
            model: ModelKind::LinfaLogistic,
            max_dense_mb: Some(3),
            ..TrainSettings::default()
        };
        let ClassifierSettings::LinfaLogistic(p) =
            dense.config().unwrap().classifier.check().unwrap()
        else {
            panic!("expected linfa-logistic");
        };
        assert_eq!(p.max_dense_mb(), 3);
    }

    #[test]
    fn names_parse_and_unknown_names_are_refused() {
        assert_eq!(ModelKind::from_name("nb").unwrap(), ModelKind::NaiveBayes);
        assert_eq!(Loss::from_name("ridge").unwrap(), Loss::Squared);
        let err = Loss::from_name("hinge").unwrap_err().to_string();
        assert!(err.contains("use svm, logistic or ridge"), "{err}");
        assert!(ModelKind::from_name("svm").is_err());
    }
}
