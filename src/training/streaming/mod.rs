//! Training on a CSV file of any size in bounded memory (`train
//! --memory-limit`). Three passes read the file a chunk at a time:
//!
//! 1. rows are checked as in memory (rejects, classes, the file's SHA-256)
//!    and every distinct text's terms go into a count-min sketch;
//! 2. the terms the sketch lets through are counted exactly: the vocabulary
//!    and IDF are those of training in memory;
//! 3. rows are featurized into blocks on disk (`row_file.rs`).
//!
//! Then each head is fitted by block minimisation
//! ([`crate::estimators::LinearValidParams::fit_blocks`]), one block in memory at a time.
//! Memory is the limit (shared out by [`MemoryLimit`]) plus the tokenizer
//! and the model being built (vocabulary, lookup tables and weights).

mod budget;
mod passes;
mod row_file;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::data::{CorpusSpec, MultiLineRows, Rejects};
use crate::error::{Error, Result};
use crate::estimators::{Classifier, ClassifierSettings};
use crate::features::{TermSketch, Vectorizer};
use crate::model::{Head, Model, ModelData};
use crate::text::Segmenter;
use crate::training::label_sets::is_label_set;
use crate::training::trainer::{
    ContinuedHead, check_head_classes, check_many_classes, provenance_of,
};
use crate::training::{Continued, TrainReport, TrainSettings};

pub use budget::{
    MIN_LIMIT, MemoryLimit, MemoryPlan, available_memory, current_memory, in_memory_estimate,
    megabytes, memory_plan, peak_memory,
};
use passes::{Reader, first_pass, rows_pass, vocabulary_pass};

/// What streaming training did, for the training summary.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// The memory limit.
    pub limit: MemoryLimit,
    /// Terms counted exactly in the second pass (the sketch's candidates);
    /// `None` when continuing a model.
    pub terms_counted: Option<usize>,
    /// Bytes of featurized rows written to disk.
    pub row_bytes: u64,
    /// Blocks they were written in.
    pub blocks: usize,
}

/// What reading the file found: rows read and kept, and what was skipped.
#[derive(Debug, Clone)]
pub struct FileRead {
    /// The file, as messages name it.
    pub source: String,
    /// Rows read (kept and skipped).
    pub rows_read: usize,
    /// Rows kept.
    pub rows_used: usize,
    /// Rows and labels skipped, with reasons.
    pub rejects: Rejects,
    /// Rows spanning several lines.
    pub multi_line: MultiLineRows,
    /// Labels differing only in case (see [`crate::LabeledCorpus::case_clashes`]).
    pub case_clashes: Vec<String>,
}

/// How a file is read: `--strict`, and `--allow-many-classes`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileChecks {
    /// Stop at the first row that would be skipped, or labels differing in case.
    pub strict: bool,
    /// Allow more than one class per two labelled rows.
    pub allow_many_classes: bool,
}

impl Streamed {
    /// Passes over the file: 3, or 2 when a model was continued (its vocabulary kept).
    pub fn passes_over_file(&self) -> usize {
        if self.terms_counted.is_some() { 3 } else { 2 }
    }
}

/// Trains a model on the CSV at `path` (columns of `spec`) in bounded memory,
/// as [`crate::train`] trains one in memory: the same checks of rows and
/// labels, the same vocabulary and IDF, the same problems solved one block
/// at a time (see the module's documentation). `--model linear` only: the
/// other kinds hold their rows in memory. `stage` is called with progress
/// messages (rows, rows/s, memory).
pub fn train_file_streaming(
    path: &Path,
    spec: &CorpusSpec,
    settings: &TrainSettings,
    limit: MemoryLimit,
    checks: FileChecks,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<(Model, TrainReport, FileRead)> {
    stream(None, path, spec, settings, limit, checks, stage)
}

/// Continues training `init` on the CSV at `path` in bounded memory, as
/// [`crate::train_from`] continues it on rows in memory: `init`'s
/// vocabulary and IDF stay fixed (so the file is read twice, not three
/// times), its heads whose column `spec` names continue from their weights,
/// the others are kept, and a column `init` has no head for trains a new head.
pub fn train_file_streaming_from(
    init: &Model,
    path: &Path,
    spec: &CorpusSpec,
    settings: &TrainSettings,
    limit: MemoryLimit,
    checks: FileChecks,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<(Model, TrainReport, FileRead)> {
    stream(Some(init), path, spec, settings, limit, checks, stage)
}

/// How one label column of the file is trained.
enum HeadPlan<'m> {
    /// A head of its own, from scratch, with these rows per class.
    New(BTreeMap<String, usize>),
    /// Continues head `old` of the model being continued.
    Continue(&'m Head, ContinuedHead),
}

/// How each label column of `heads` trains (its rows per label counted by
/// the first pass, as written), and its classes, checked as in memory.
fn plan_heads<'m>(
    init: Option<&'m Model>,
    source: &str,
    heads: &[String],
    label_counts: &[BTreeMap<String, usize>],
    checks: FileChecks,
) -> Result<Vec<(HeadPlan<'m>, Vec<String>)>> {
    let mut plans = Vec::new();
    for (name, counts) in heads.iter().zip(label_counts) {
        // Label sets count in no class.
        let classes: BTreeMap<&str, usize> = counts
            .iter()
            .filter(|(l, _)| !is_label_set(l))
            .map(|(l, &n)| (l.as_str(), n))
            .collect();
        let labelled = counts.values().sum();
        let many = checks.allow_many_classes;
        match init.and_then(|m| m.heads().iter().find(|h| h.name == *name)) {
            Some(old) => {
                old.linear_model()?;
                // One class is enough: the model has the others.
                check_many_classes(source, name, classes.len(), labelled, many)?;
                let plan = ContinuedHead::new(old, &classes);
                let names = plan.names.clone();
                plans.push((HeadPlan::Continue(old, plan), names));
            }
            None => {
                check_head_classes(source, name, &classes, labelled, many)?;
                let names = classes.keys().map(|s| s.to_string()).collect();
                let counts = classes.iter().map(|(l, &n)| (l.to_string(), n)).collect();
                plans.push((HeadPlan::New(counts), names));
            }
        }
    }
    Ok(plans)
}

/// Where the vocabulary comes from.
enum Vocabulary<'m> {
    /// The model being continued: its vocabulary and IDF stay.
    Kept(&'m Vectorizer),
    /// Counted from the file, the first pass having sketched it.
    Counted(TermSketch),
}

#[allow(clippy::too_many_arguments)]
fn stream(
    init: Option<&Model>,
    path: &Path,
    spec: &CorpusSpec,
    settings: &TrainSettings,
    limit: MemoryLimit,
    checks: FileChecks,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<(Model, TrainReport, FileRead)> {
    let config = match init {
        Some(model) => settings.config_from(model)?,
        None => settings.config()?,
    };
    let classifier = config.check()?;
    let ClassifierSettings::Linear(params) = &classifier else {
        return Err(Error::param(format!(
            "--memory-limit trains --model linear only, not {}: the other kinds hold their \
             rows in memory; leave out --memory-limit",
            classifier.kind()
        )));
    };
    spec.validate()?;
    let reader = Reader {
        path,
        spec,
        limit,
        config: &config,
        segmenter: Segmenter::new(&config.segmenter),
    };
    let source = reader.source();
    let heads = &spec.label_cols;
    let passes = if init.is_some() { 2 } else { 3 };
    let mut timings = Vec::new();

    let clock = Instant::now();
    let mut vocabulary = match init {
        Some(model) => Vocabulary::Kept(model.vectorizer()),
        None => Vocabulary::Counted(TermSketch::with_bytes(limit.sketch())),
    };
    let sketch = match &mut vocabulary {
        Vocabulary::Counted(sketch) => Some(sketch),
        Vocabulary::Kept(_) => None,
    };
    let first = first_pass(&reader, sketch, checks, &|s| {
        stage(&format!("pass 1 of {passes}, {s}"))
    })?;
    let (plans, names): (Vec<HeadPlan>, Vec<Vec<String>>) =
        plan_heads(init, &source, heads, &first.label_counts, checks)?
            .into_iter()
            .unzip();
    let step = if init.is_some() {
        "read"
    } else {
        "count terms"
    };
    timings.push((step, clock.elapsed()));

    let clock = Instant::now();
    let (vectorizer, terms_counted) = match vocabulary {
        Vocabulary::Kept(v) => (v.clone(), None),
        Vocabulary::Counted(sketch) => {
            let (v, n) = vocabulary_pass(&reader, &sketch, first.n_documents, &|s| {
                stage(&format!("pass 2 of 3, {s}"))
            })?;
            timings.push(("vocabulary", clock.elapsed()));
            (v, Some(n))
        }
    };

    let clock = Instant::now();
    // In $TMPDIR, removed when dropped.
    let temp = tempfile::Builder::new()
        .prefix("newsclf-train-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let written = rows_pass(
        &reader,
        &vectorizer,
        &names,
        &temp.path().join("rows"),
        init.is_some(),
        &|s| stage(&format!("pass {passes} of {passes}, {s}")),
    )?;
    timings.push(("featurize", clock.elapsed()));

    // Each head, one block at a time.
    let clock = Instant::now();
    // What continuing did (reported only when a model was continued).
    let mut continued = Continued {
        words: written.words.0,
        unknown_words: written.words.1,
        ..Continued::default()
    };
    let mut fitted: Vec<Option<Head>> = Vec::new();
    for (h, (name, plan)) in heads.iter().zip(plans).enumerate() {
        let n_classes = names[h].len();
        let duals = temp.path().join(format!("duals-{h}"));
        let view = written
            .rows
            .head(h, &duals, params.duals_per_row(n_classes))?;
        let blocks = written.rows.n_blocks();
        let max_iter = params.max_iter();
        let progress = |pass: usize| {
            let memory =
                current_memory().map_or(String::new(), |m| format!(", memory {}", megabytes(m)));
            stage(&format!(
                "fitting head '{name}': pass {pass} (at most {max_iter}) over {blocks} blocks{memory}"
            ))
        };
        let known = written.known_rows[h];
        let labelled = known + written.label_sets[h].values().sum::<usize>();
        fitted.push(match plan {
            HeadPlan::New(counts) => {
                let n_features = vectorizer.n_features();
                let model = params.fit_blocks(&view, n_features, n_classes, known, &progress)?;
                Some(Head {
                    name: name.clone(),
                    labels: names[h].clone(),
                    class_counts: counts.into_values().collect(),
                    classifier: Classifier::Linear(model),
                })
            }
            // A column without a label for the head: it stays as it was.
            HeadPlan::Continue(..) if labelled == 0 => None,
            HeadPlan::Continue(old, plan) => {
                let old_model = old.linear_model()?;
                let model =
                    params.fit_blocks_from(old_model, &plan.classes, &view, known, &progress)?;
                Some(plan.into_head(old, model, &mut continued))
            }
        });
    }
    timings.push(("fit", clock.elapsed()));
    let streamed = Streamed {
        limit,
        terms_counted,
        row_bytes: written.rows.bytes(),
        blocks: written.rows.n_blocks(),
    };
    let label_sets = written.label_sets;
    drop(written.rows);
    drop(temp);
    let (model_heads, label_sets) = match init {
        Some(model) => arrange_heads(model, heads, fitted, label_sets, &mut continued),
        None => (fitted.into_iter().flatten().collect(), label_sets),
    };
    let (normalizer, segmenter) = match init {
        Some(model) => (
            model.normalize_config().clone(),
            model.segmenter_config().clone(),
        ),
        None => (config.normalize.clone(), config.segmenter.clone()),
    };
    let data = ModelData {
        provenance: provenance_of(
            &source,
            &first.sha256,
            first.read.rows_used,
            first.read.rejects.rows_dropped(),
            &spec.text_col,
            classifier.clone(),
        ),
        normalizer,
        segmenter,
        vectorizer,
        heads: model_heads,
    };
    let report = TrainReport {
        timings,
        label_sets,
        continued: init.map(|_| continued),
        streamed: Some(streamed),
    };
    Ok((Model::from_data(data), report, first.read))
}

/// The heads of a continued model, in the order training in memory gives
/// them: `init`'s (continued, or kept when the file has no labels for them),
/// then the new ones; with their label-set counts. `fitted[h]` is column
/// `heads[h]`'s head (`None`: kept).
fn arrange_heads(
    init: &Model,
    heads: &[String],
    mut fitted: Vec<Option<Head>>,
    mut label_sets: Vec<BTreeMap<String, usize>>,
    continued: &mut Continued,
) -> (Vec<Head>, Vec<BTreeMap<String, usize>>) {
    let mut out = (Vec::new(), Vec::new());
    for old in init.heads() {
        let h = heads.iter().position(|c| *c == old.name);
        match h.and_then(|h| Some((h, fitted[h].take()?))) {
            Some((h, head)) => {
                out.0.push(head);
                out.1.push(std::mem::take(&mut label_sets[h]));
            }
            None => {
                continued.kept_heads.push(old.name.clone());
                out.0.push(old.clone());
                out.1.push(BTreeMap::new());
            }
        }
    }
    for (h, head) in fitted.into_iter().enumerate() {
        if let Some(head) = head {
            continued.new_heads.push(head.name.clone());
            out.0.push(head);
            out.1.push(std::mem::take(&mut label_sets[h]));
        }
    }
    out
}
