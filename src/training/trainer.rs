//! Training: segment the corpus, learn the TF-IDF featurizer, fit one
//! classifier per label column, and assemble the [`Model`].

use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use linfa::dataset::DatasetBase;
use ndarray::Array1;
use rayon::prelude::*;

use crate::data::LabeledCorpus;
use crate::error::{Error, Result};
use crate::estimators::{Classifier, ClassifierParams, ClassifierSettings};
use crate::estimators::{LinearModel, RowLabel};
use crate::features::SparseMatrix;
use crate::features::{FeatureConfig, Segmented, Vectorizer};
use crate::model::{Head, Model, ModelData, Provenance};
use crate::text::NormalizeConfig;
use crate::text::{Segmenter, SegmenterConfig};
use crate::training::TrainSettings;
use crate::training::label_sets::{is_label_set, row_label};
use crate::training::settings::check_same_features;
use crate::training::streaming::Streamed;

/// Everything that decides how a model is trained.
#[derive(Debug, Clone, Default)]
pub struct TrainConfig {
    /// Text normalisation settings.
    pub normalize: NormalizeConfig,
    /// Segmentation settings.
    pub segmenter: SegmenterConfig,
    /// Feature settings.
    pub features: FeatureConfig,
    /// Classifier kind and settings.
    pub classifier: ClassifierParams,
}

/// What training did, for the summary printed after `train`.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Time to segment, featurize and fit. (Rows, classes and vocabulary
    /// size are the model's: see [`Model::heads`] and [`Model::vectorizer`].)
    pub timings: Vec<(&'static str, Duration)>,
    /// Per head, the rows labelled with a label set (`positive|neutral`, see
    /// [`is_label_set`]) by set; they count in no class of the head.
    pub label_sets: Vec<BTreeMap<String, usize>>,
    /// What continued training ([`Trainer::fit_from`]) did; `None` for a
    /// model trained from scratch.
    pub continued: Option<Continued>,
    /// What streaming training ([`crate::train_file_streaming`]) did; `None`
    /// for training in memory.
    pub streamed: Option<Streamed>,
}

/// What continuing to train a model did, for the training summary.
#[derive(Debug, Clone, Default)]
pub struct Continued {
    /// Words of the new rows (as segmented).
    pub words: usize,
    /// Of those, the words outside the model's fixed vocabulary: they carry
    /// no weight (retrain from scratch when this grows).
    pub unknown_words: usize,
    /// Heads of the model whose label column the new rows lack: kept as they were.
    pub kept_heads: Vec<String>,
    /// Per head that continued, the classes new to it (they start at zero weights).
    pub new_classes: Vec<(String, Vec<String>)>,
    /// Label columns the model had no head for: new heads, trained on the
    /// new rows alone (over the model's features).
    pub new_heads: Vec<String>,
}

impl TrainConfig {
    /// Checks every setting, before any data is read: the segmentation and
    /// feature settings, and the classifier's hyperparameters through their
    /// linfa `ParamGuard` (the one check of each; fitting runs the same one).
    /// Messages name the command-line flag of the setting.
    ///
    /// ```
    /// use newsclf::TrainConfig;
    /// let mut config = TrainConfig::default();
    /// assert!(config.check().is_ok());
    /// config.features.max_df = 2.0;
    /// let e = config.check().unwrap_err().to_string();
    /// assert_eq!(e, "invalid setting: --max-df must be a fraction in (0, 1], got 2");
    /// ```
    pub fn check(&self) -> Result<ClassifierSettings> {
        self.segmenter.validate().map_err(Error::param)?;
        self.features.validate()?;
        self.classifier.check()
    }
}

/// Trains models from labeled corpora.
#[derive(Debug, Clone, Default)]
pub struct Trainer {
    config: TrainConfig,
}

impl Trainer {
    /// A trainer with the given settings (checked when training starts).
    pub fn new(config: TrainConfig) -> Self {
        Trainer { config }
    }

    /// Trains one head per label column of `corpus`; `text_col` is recorded in the model.
    pub fn fit(&self, corpus: &LabeledCorpus, text_col: &str) -> Result<(Model, TrainReport)> {
        self.fit_with_progress(corpus, text_col, &|_| {})
    }

    /// Like [`Trainer::fit`], calling `stage` with a short description as each
    /// stage starts (for a progress display).
    pub fn fit_with_progress(
        &self,
        corpus: &LabeledCorpus,
        text_col: &str,
        stage: &(dyn Fn(&str) + Sync),
    ) -> Result<(Model, TrainReport)> {
        let settings = self.check()?;
        let labels = corpus_labels(corpus);
        check_classes(&corpus.source, &corpus.heads, &labels)?;
        let mut timings = Vec::new();

        let clock = Instant::now();
        stage("segmenting");
        let docs = self.segment(corpus);
        timings.push(("segment", clock.elapsed()));

        let fitted = self.fit_documents(
            &settings,
            &corpus.source,
            docs,
            &corpus.heads,
            &labels,
            stage,
            &mut timings,
        )?;
        let data = ModelData {
            provenance: provenance(corpus, text_col, settings),
            normalizer: self.config.normalize.clone(),
            segmenter: self.config.segmenter.clone(),
            vectorizer: fitted.vectorizer,
            heads: fitted.heads,
        };
        let label_sets = labels.iter().map(|head| label_set_counts(head)).collect();
        let report = TrainReport {
            timings,
            label_sets,
            continued: None,
            streamed: None,
        };
        Ok((Model::from_data(data), report))
    }

    /// Continues training `init` on the rows of `corpus` (continued training;
    /// [`crate::train_from`] builds the trainer from flat settings). The
    /// vocabulary and IDF of `init` stay fixed: its weights are indexed by
    /// them, and a fixed feature space keeps old and new rows comparable;
    /// words new in `corpus` are not learned (the report counts them).
    ///
    /// Each head of `init` whose label column `corpus` has continues from its
    /// weights (see [`crate::estimators::LinearValidParams::fit_from`]); a
    /// class new to it starts at zero weights; a head whose column is missing
    /// stays as it was; a column `init` has no head for trains a new head.
    /// The trainer's settings must be linear, with `init`'s features (see
    /// [`TrainSettings::config_from`]).
    pub fn fit_from(
        &self,
        init: &Model,
        corpus: &LabeledCorpus,
        text_col: &str,
        stage: &(dyn Fn(&str) + Sync),
    ) -> Result<(Model, TrainReport)> {
        let settings = self.check()?;
        let ClassifierSettings::Linear(params) = &settings else {
            return Err(Error::param(format!(
                "continued training works with --model linear only, not {}",
                settings.kind()
            )));
        };
        check_same_features(&self.config, init)?;
        let labels = corpus_labels(corpus);
        let mut timings = Vec::new();
        let clock = Instant::now();
        stage("segmenting");
        let docs = self.segment(corpus);
        timings.push(("segment", clock.elapsed()));

        let clock = Instant::now();
        stage("building features");
        let vectorizer = init.vectorizer();
        let (words, unknown_words) = vectorizer.count_unknown_words(&docs);
        let mut x = vectorizer.transform(&docs);
        drop(docs);
        timings.push(("featurize", clock.elapsed()));

        let clock = Instant::now();
        let source = &corpus.source;
        let mut continued = Continued {
            words,
            unknown_words,
            ..Continued::default()
        };
        let mut heads = Vec::new();
        let mut label_sets = Vec::new();
        for old in init.heads() {
            let Some(h) = corpus.heads.iter().position(|c| *c == old.name) else {
                continued.kept_heads.push(old.name.clone());
                heads.push(old.clone());
                label_sets.push(BTreeMap::new());
                continue;
            };
            stage(&format!("continuing head '{}'", old.name));
            let old_model = old.linear_model()?;
            let counts = count_classes(&labels[h]);
            let plan = ContinuedHead::new(old, &counts);
            let (rows, row_labels) = head_rows(
                &labels[h],
                &plan.names,
                &format!("{source}: head '{}'", old.name),
            )?;
            if rows.is_empty() {
                continued.kept_heads.push(old.name.clone());
                heads.push(old.clone());
                label_sets.push(BTreeMap::new());
                continue;
            }
            let subset = (rows.len() < x.n_rows()).then(|| x.select_rows(&rows));
            let fitted = params.fit_from(
                old_model,
                &plan.classes,
                subset.as_ref().unwrap_or(&x),
                &row_labels,
            )?;
            heads.push(plan.into_head(old, fitted, &mut continued));
            label_sets.push(label_set_counts(&labels[h]));
        }
        for (h, name) in corpus.heads.iter().enumerate() {
            if init.heads().iter().any(|old| old.name == *name) {
                continue;
            }
            stage(&format!("fitting head '{name}'"));
            check_classes(
                source,
                std::slice::from_ref(name),
                std::slice::from_ref(&labels[h]),
            )?;
            heads.push(fit_head(&settings, source, name, &labels[h], &mut x)?);
            continued.new_heads.push(name.clone());
            label_sets.push(label_set_counts(&labels[h]));
        }
        timings.push(("fit", clock.elapsed()));
        let data = ModelData {
            provenance: provenance(corpus, text_col, settings.clone()),
            normalizer: init.normalize_config().clone(),
            segmenter: init.segmenter_config().clone(),
            vectorizer: vectorizer.clone(),
            heads,
        };
        let report = TrainReport {
            timings,
            label_sets,
            continued: Some(continued),
            streamed: None,
        };
        Ok((Model::from_data(data), report))
    }

    /// Checks every setting (see [`TrainConfig::check`]).
    pub(crate) fn check(&self) -> Result<ClassifierSettings> {
        self.config.check()
    }

    /// Normalises and segments every text of `corpus`, in parallel.
    pub(crate) fn segment(&self, corpus: &LabeledCorpus) -> Vec<Segmented> {
        let segmenter = Segmenter::new(&self.config.segmenter);
        corpus
            .texts
            .par_iter()
            .map(|t| {
                let text = self.config.normalize.apply(t);
                let spans = segmenter.segment(&text);
                Segmented { text, spans }
            })
            .collect()
    }

    /// Learns the featurizer from `docs` and fits one classifier per head;
    /// `labels[h][i]` is document `i`'s label for head `heads[h]`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fit_documents(
        &self,
        settings: &ClassifierSettings,
        source: &str,
        docs: Vec<Segmented>,
        heads: &[String],
        labels: &[Vec<Option<&str>>],
        stage: &(dyn Fn(&str) + Sync),
        timings: &mut Vec<(&'static str, Duration)>,
    ) -> Result<Fitted> {
        let clock = Instant::now();
        stage("building features");
        let vectorizer = Vectorizer::fit(&self.config.features, &docs)?;
        if vectorizer.n_features() == 0 {
            return Err(Error::input(format!(
                "{source}: no term occurs in at least {} documents; lower --min-df or add data",
                self.config.features.min_df
            )));
        }
        let mut x = vectorizer.transform(&docs);
        drop(docs);
        timings.push(("featurize", clock.elapsed()));

        let clock = Instant::now();
        let mut fitted_heads = Vec::new();
        for (name, head_labels) in heads.iter().zip(labels) {
            stage(&format!("fitting head '{name}'"));
            fitted_heads.push(fit_head(settings, source, name, head_labels, &mut x)?);
        }
        timings.push(("fit", clock.elapsed()));
        Ok(Fitted {
            vectorizer,
            heads: fitted_heads,
        })
    }
}

/// How a head of the model being continued takes new rows: its classes
/// (the old ones and those new in the rows, sorted as a head trained from
/// scratch has them), where each was in the old head, and the rows of each.
pub(crate) struct ContinuedHead {
    pub(crate) names: Vec<String>,
    /// `classes[k]`: class `k`'s index in the old head, `None` for a new class.
    pub(crate) classes: Vec<Option<usize>>,
    class_counts: Vec<usize>,
    added: Vec<String>,
}

impl ContinuedHead {
    /// The plan for `old` given the new rows' `counts` per class (label sets left out).
    pub(crate) fn new(old: &Head, counts: &BTreeMap<&str, usize>) -> Self {
        let added: Vec<String> = counts
            .keys()
            .filter(|l| !old.labels.iter().any(|o| o == *l))
            .map(|l| l.to_string())
            .collect();
        let mut names: Vec<String> = old.labels.iter().chain(&added).cloned().collect();
        names.sort_unstable();
        let classes: Vec<Option<usize>> = names
            .iter()
            .map(|n| old.labels.iter().position(|o| o == n))
            .collect();
        let class_counts = names
            .iter()
            .zip(&classes)
            .map(|(name, old_class)| {
                old_class.map_or(0, |c| old.class_counts[c])
                    + counts.get(name.as_str()).copied().unwrap_or(0)
            })
            .collect();
        ContinuedHead {
            names,
            classes,
            class_counts,
            added,
        }
    }

    /// The continued head, with `fitted` as its classifier; its new classes go to `continued`.
    pub(crate) fn into_head(
        self,
        old: &Head,
        fitted: LinearModel,
        continued: &mut Continued,
    ) -> Head {
        if !self.added.is_empty() {
            continued.new_classes.push((old.name.clone(), self.added));
        }
        Head {
            name: old.name.clone(),
            labels: self.names,
            class_counts: self.class_counts,
            classifier: Classifier::Linear(fitted),
        }
    }
}

/// Fits a new head `name` on the rows of `x` that `head_labels` labels
/// (`head_labels[i]` is row `i`'s label); `x` is lent to the classifier
/// when every row has a label, and is the same matrix afterwards.
fn fit_head(
    settings: &ClassifierSettings,
    source: &str,
    name: &str,
    head_labels: &[Option<&str>],
    x: &mut SparseMatrix,
) -> Result<Head> {
    let counts = count_classes(head_labels);
    let names: Vec<String> = counts.keys().map(|s| s.to_string()).collect();
    let (rows, row_labels) = head_rows(head_labels, &names, &format!("{source}: head '{name}'"))?;
    let classifier = if row_labels.iter().any(|l| matches!(l, RowLabel::OneOf(_))) {
        let subset = (rows.len() < x.n_rows()).then(|| x.select_rows(&rows));
        settings.fit_with_sets(subset.as_ref().unwrap_or(x), &row_labels, names.len())?
    } else {
        let targets: Array1<usize> = row_labels
            .iter()
            .map(|l| match *l {
                RowLabel::Class(c) => c,
                RowLabel::OneOf(_) => 0,
            })
            .collect();
        if rows.len() == x.n_rows() {
            // Lend the whole matrix to the dataset and take it back after fitting.
            let dataset = DatasetBase::new(std::mem::replace(x, SparseMatrix::new(0)), targets);
            let fitted = settings.fit(&dataset);
            *x = dataset.records;
            fitted?
        } else {
            settings.fit(&DatasetBase::new(x.select_rows(&rows), targets))?
        }
    };
    Ok(Head {
        name: name.to_string(),
        labels: names,
        class_counts: counts.values().copied().collect(),
        classifier,
    })
}

/// Where a model trained on `corpus` with `classifier` comes from.
fn provenance(
    corpus: &LabeledCorpus,
    text_col: &str,
    classifier: ClassifierSettings,
) -> Provenance {
    provenance_of(
        &corpus.source,
        &corpus.sha256,
        corpus.len(),
        corpus.rejects.rows_dropped(),
        text_col,
        classifier,
    )
}

/// Where a model comes from: `rows` used of `source` (SHA-256 `sha256`),
/// `rows_skipped` skipped, texts in `text_col`, fitted with `classifier`.
pub(crate) fn provenance_of(
    source: &str,
    sha256: &str,
    rows: usize,
    rows_skipped: usize,
    text_col: &str,
    classifier: ClassifierSettings,
) -> Provenance {
    Provenance {
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        data_source: source.to_string(),
        data_sha256: sha256.to_string(),
        rows,
        rows_skipped,
        text_col: text_col.to_string(),
        classifier,
        tuning: None,
    }
}

/// The rows of one head that have a label, and their labels as `names` index them.
fn head_rows(
    labels: &[Option<&str>],
    names: &[String],
    place: &str,
) -> Result<(Vec<usize>, Vec<RowLabel>)> {
    let mut rows = Vec::new();
    let mut row_labels = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        if let Some(label) = label {
            rows.push(i);
            row_labels.push(row_label(label, names, place)?);
        }
    }
    Ok((rows, row_labels))
}

/// Rows labelled with each label set (see [`is_label_set`]).
fn label_set_counts(labels: &[Option<&str>]) -> BTreeMap<String, usize> {
    let mut sets = BTreeMap::new();
    for l in labels.iter().flatten().filter(|l| is_label_set(l)) {
        *sets.entry(l.to_string()).or_insert(0) += 1;
    }
    sets
}

/// A featurizer and its fitted heads, before they become a [`Model`].
pub(crate) struct Fitted {
    pub(crate) vectorizer: Vectorizer,
    pub(crate) heads: Vec<Head>,
}

/// `labels[h][i]` of `corpus` as string slices.
pub(crate) fn corpus_labels(corpus: &LabeledCorpus) -> Vec<Vec<Option<&str>>> {
    corpus
        .labels
        .iter()
        .map(|head| head.iter().map(|l| l.as_deref()).collect())
        .collect()
}

/// Rows per label, sorted by label; a label set ([`is_label_set`]) counts in
/// no class.
pub(crate) fn count_classes<'a>(labels: &[Option<&'a str>]) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for label in labels.iter().flatten().filter(|l| !is_label_set(l)) {
        *counts.entry(*label).or_insert(0) += 1;
    }
    counts
}

/// Trains a model on `corpus` (its texts in `text_col`) with `settings`, as
/// `newsclf train` does: the settings are checked first, then every head is
/// fitted.
///
/// ```
/// use newsclf::{CorpusSpec, LabeledCorpus, TrainSettings};
/// let csv = "text,label\n油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n";
/// let corpus = LabeledCorpus::from_bytes("demo.csv", csv.as_bytes(), &CorpusSpec::default()).unwrap();
/// let settings = TrainSettings { min_df: 1, ..TrainSettings::default() };
/// let (model, report) = newsclf::train(&corpus, "text", &settings).unwrap();
/// assert_eq!(model.heads()[0].labels, ["energy", "sports"]);
/// # let _ = report;
/// ```
pub fn train(
    corpus: &LabeledCorpus,
    text_col: &str,
    settings: &TrainSettings,
) -> Result<(Model, TrainReport)> {
    Trainer::new(settings.config()?).fit(corpus, text_col)
}

/// Continues training `init` on `corpus` with `settings`, as `newsclf train
/// --init` does: the settings are checked against `init` first
/// ([`TrainSettings::config_from`]: only classifier settings may differ),
/// then every head whose label column `corpus` has continues
/// ([`Trainer::fit_from`]).
///
/// ```
/// use newsclf::{CorpusSpec, LabeledCorpus, TrainSettings};
/// let spec = CorpusSpec::default();
/// let a = "text,label\n油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n";
/// let b = "text,label\n油价下跌,energy\n女排获胜,sports\n油价球队,culture\n";
/// let a = LabeledCorpus::from_bytes("a.csv", a.as_bytes(), &spec).unwrap();
/// let b = LabeledCorpus::from_bytes("b.csv", b.as_bytes(), &spec).unwrap();
/// let settings = TrainSettings { min_df: 1, ..TrainSettings::default() };
/// let (old, _) = newsclf::train(&a, "text", &settings).unwrap();
/// let (new, report) = newsclf::train_from(&old, &b, "text", &settings).unwrap();
/// assert_eq!(new.heads()[0].labels, ["culture", "energy", "sports"]);
/// assert_eq!(new.vectorizer().n_features(), old.vectorizer().n_features());
/// let continued = report.continued.unwrap();
/// assert!(continued.unknown_words > 0 && continued.unknown_words < continued.words);
/// ```
pub fn train_from(
    init: &Model,
    corpus: &LabeledCorpus,
    text_col: &str,
    settings: &TrainSettings,
) -> Result<(Model, TrainReport)> {
    Trainer::new(settings.config_from(init)?).fit_from(init, corpus, text_col, &|_| {})
}

/// Checks the label columns of a corpus just read, before any work: every
/// head needs at least two classes and, unless `allow_many_classes`, at most
/// one class per two rows with a label. A column with nearly one value per
/// row (the text itself, an id, a date) is not a label column: training on it
/// would take long and make a huge model that predicts nothing useful.
/// (Training itself checks only the first rule.)
///
/// ```
/// use newsclf::data::{CorpusSpec, LabeledCorpus};
/// let csv = "text,label\n油价上涨,a\n电网投运,b\n球队获胜,c\n";
/// let corpus = LabeledCorpus::from_bytes("d.csv", csv.as_bytes(), &CorpusSpec::default()).unwrap();
/// let e = newsclf::training::check_labels(&corpus, false).unwrap_err().to_string();
/// assert!(e.starts_with("d.csv: column 'label' has 3 classes in 3 rows"), "{e}");
/// assert!(newsclf::training::check_labels(&corpus, true).is_ok());
/// ```
pub fn check_labels(corpus: &LabeledCorpus, allow_many_classes: bool) -> Result<()> {
    let labels = corpus_labels(corpus);
    for (name, head_labels) in corpus.heads.iter().zip(&labels) {
        let rows = head_labels.iter().flatten().count();
        let classes = count_classes(head_labels);
        check_head_classes(&corpus.source, name, &classes, rows, allow_many_classes)?;
    }
    Ok(())
}

/// Checks the label columns of rows that continue training a model
/// (`train --init`): as [`check_labels`], except that a column of one class
/// is allowed, since the model has the others.
pub fn check_new_labels(corpus: &LabeledCorpus, allow_many_classes: bool) -> Result<()> {
    let labels = corpus_labels(corpus);
    for (name, head_labels) in corpus.heads.iter().zip(&labels) {
        let rows = head_labels.iter().flatten().count();
        let classes = count_classes(head_labels);
        check_many_classes(
            &corpus.source,
            name,
            classes.len(),
            rows,
            allow_many_classes,
        )?;
    }
    Ok(())
}

/// Refuses a head with fewer than two classes.
pub(crate) fn check_classes(
    source: &str,
    heads: &[String],
    labels: &[Vec<Option<&str>>],
) -> Result<()> {
    for (name, head_labels) in heads.iter().zip(labels) {
        check_two_classes(source, name, &count_classes(head_labels))?;
    }
    Ok(())
}

/// Checks head `name`'s classes (`classes`: rows per class, label sets
/// left out) over its `rows` labelled rows: at least two classes and, unless
/// `allow_many_classes`, at most one per two rows (see [`check_labels`]).
pub(crate) fn check_head_classes(
    source: &str,
    name: &str,
    classes: &BTreeMap<&str, usize>,
    rows: usize,
    allow_many_classes: bool,
) -> Result<()> {
    check_two_classes(source, name, classes)?;
    check_many_classes(source, name, classes.len(), rows, allow_many_classes)
}

/// Refuses head `name` with fewer than two classes (`classes`: rows per class).
fn check_two_classes(source: &str, name: &str, classes: &BTreeMap<&str, usize>) -> Result<()> {
    if classes.len() < 2 {
        let only = classes.keys().next().copied().unwrap_or("");
        return Err(Error::input(format!(
            "{source}: column '{name}' has only one class ('{only}'); a classifier needs at least two"
        )));
    }
    Ok(())
}

/// Unless `allow_many_classes`, refuses more than one class per two rows.
pub(crate) fn check_many_classes(
    source: &str,
    name: &str,
    classes: usize,
    rows: usize,
    allow_many_classes: bool,
) -> Result<()> {
    if !allow_many_classes && classes * 2 > rows {
        return Err(Error::input(format!(
            "{source}: column '{name}' has {classes} classes in {rows} rows, more than one \
             class per two rows: it does not look like a label column; pass the column \
             that holds the labels to --label-col, or add --allow-many-classes if these \
             are the classes you mean"
        )));
    }
    Ok(())
}
