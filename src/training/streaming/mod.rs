//! Training on a CSV file of any size in bounded memory (`train
//! --memory-limit`). Three passes read the file a chunk at a time:
//!
//! 1. rows are checked as in memory (rejects, classes, the file's SHA-256)
//!    and every distinct text's terms go into a count-min sketch;
//! 2. the terms the sketch lets through are counted exactly: the vocabulary
//!    and IDF are those of training in memory;
//! 3. rows are featurized into blocks on disk ([`row_file`]).
//!
//! Then each head is fitted by block minimisation
//! ([`LinearValidParams::fit_blocks`]), one block in memory at a time.
//! Memory is the limit (shared out by [`MemoryLimit`]) plus the tokenizer
//! and the model being built (vocabulary, lookup tables and weights).

mod budget;
mod row_file;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::data::{CorpusChunks, CorpusSpec, LabeledCorpus, MultiLineRows, Rejects};
use crate::error::{Error, Result};
use crate::estimators::{Classifier, ClassifierSettings, Loss, RowLabel};
use crate::features::document_terms;
use crate::features::{CandidateCounts, Scratch, SeenTexts, Segmented, TermSketch, Vectorizer};
use crate::model::{Head, Model, ModelData};
use crate::text::Segmenter;
use crate::training::label_sets::{is_label_set, row_label};
use crate::training::trainer::{
    ContinuedHead, check_head_classes, check_many_classes, provenance_of,
};
use crate::training::{Continued, TrainConfig, TrainReport, TrainSettings};

pub use budget::{
    MIN_LIMIT, MemoryLimit, MemoryPlan, available_memory, current_memory, in_memory_estimate,
    megabytes, memory_plan, peak_memory,
};
use row_file::{RowFile, RowFileWriter, encode_label};

/// What streaming training did, for the training summary.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// The memory limit.
    pub limit: MemoryLimit,
    /// Passes over the file: 3, or 2 when continuing a model (its vocabulary is kept).
    pub passes: usize,
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
    /// Labels differing only in case (see [`LabeledCorpus::case_clashes`]).
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

/// A directory of temporary files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!("newsclf-train-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Rows/s and memory, for progress messages.
fn rate(rows: usize, clock: Instant) -> String {
    let per_s = rows as f64 / clock.elapsed().as_secs_f64().max(1e-3);
    let memory = current_memory().map_or(String::new(), |m| format!(", memory {}", megabytes(m)));
    format!("{rows} rows, {per_s:.0} rows/s{memory}")
}

/// Reads `path` a chunk of rows at a time (about `text_bytes` of text each),
/// calling `each` with every chunk, in file order.
fn for_each_chunk(
    path: &Path,
    spec: &CorpusSpec,
    text_bytes: usize,
    mut each: impl FnMut(LabeledCorpus) -> Result<()>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let source = path.display().to_string();
    let mut chunks = CorpusChunks::new(&source, std::io::BufReader::new(file), spec)?;
    let mut rows = 256usize;
    loop {
        let chunk = chunks.next_chunk(rows)?;
        if chunk.rows_read == 0 {
            return Ok(());
        }
        let bytes: usize = chunk.texts.iter().map(String::len).sum();
        let per_row = (bytes / chunk.rows_read.max(1)).max(16);
        rows = (text_bytes / per_row).clamp(64, 8192);
        each(chunk)?;
    }
}

/// SHA-256 of the file, in hex, read in pieces.
fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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

/// Reads the training file a chunk at a time and turns texts into
/// segmented documents, as training in memory does.
struct Reader<'a> {
    path: &'a Path,
    spec: &'a CorpusSpec,
    limit: MemoryLimit,
    config: &'a TrainConfig,
    segmenter: Segmenter,
}

impl Reader<'_> {
    fn source(&self) -> String {
        self.path.display().to_string()
    }

    fn chunks(&self, each: impl FnMut(LabeledCorpus) -> Result<()>) -> Result<()> {
        for_each_chunk(self.path, self.spec, self.limit.chunk_text(), each)
    }

    fn normalize(&self, texts: &[String]) -> Vec<String> {
        texts
            .par_iter()
            .map(|t| self.config.normalize.apply(t))
            .collect()
    }

    fn segment(&self, texts: Vec<String>) -> Vec<Segmented> {
        texts
            .into_par_iter()
            .map(|text| {
                let spans = self.segmenter.segment(&text);
                Segmented { text, spans }
            })
            .collect()
    }

    /// The texts not seen before, segmented (a repeated text counts once in
    /// the document frequencies, and is not segmented again).
    fn distinct(&self, seen: &mut SeenTexts, texts: &[String]) -> Vec<Segmented> {
        let mut texts = self.normalize(texts);
        texts.retain(|t| seen.insert(t));
        self.segment(texts)
    }
}

/// What the first pass learns of the file besides its rows' terms.
struct FirstPass {
    read: FileRead,
    /// Per head, rows per label as written (label sets included).
    label_counts: Vec<BTreeMap<String, usize>>,
    /// Distinct texts.
    n_documents: usize,
}

/// Pass 1: every row checked and counted as in memory, and, with a sketch,
/// every distinct text's terms added to it.
fn first_pass(
    reader: &Reader<'_>,
    mut sketch: Option<&mut TermSketch>,
    checks: FileChecks,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<FirstPass> {
    let clock = Instant::now();
    let source = reader.source();
    let heads = &reader.spec.label_cols;
    let mut pass = FirstPass {
        read: FileRead {
            source: source.clone(),
            rows_read: 0,
            rows_used: 0,
            rejects: Rejects::default(),
            multi_line: MultiLineRows::default(),
            case_clashes: Vec::new(),
        },
        label_counts: vec![BTreeMap::new(); heads.len()],
        n_documents: 0,
    };
    let mut seen = SeenTexts::with_bytes(reader.limit.seen_texts());
    let features = &reader.config.features;
    reader.chunks(|chunk| {
        if checks.strict {
            chunk.ensure_clean_rows()?;
        }
        let read = &mut pass.read;
        read.rows_read += chunk.rows_read;
        read.rows_used += chunk.len();
        for (counts, labels) in pass.label_counts.iter_mut().zip(&chunk.labels) {
            for label in labels.iter().flatten() {
                *counts.entry(label.clone()).or_insert(0) += 1;
            }
        }
        if let Some(sketch) = sketch.as_deref_mut() {
            let docs = reader.distinct(&mut seen, &chunk.texts);
            pass.n_documents += docs.len();
            // A few documents at a time: each term takes 8 bytes.
            for part in docs.chunks(1024) {
                let terms: Vec<Vec<u64>> = part
                    .par_iter()
                    .map(|d| document_terms(features, d))
                    .collect();
                sketch.add(&terms);
            }
        }
        read.rejects.extend(chunk.rejects);
        read.multi_line.extend(chunk.multi_line);
        stage(&format!("reading rows: {}", rate(read.rows_read, clock)));
        Ok(())
    })?;
    let read = &mut pass.read;
    let summary = LabeledCorpus {
        rows_read: read.rows_read,
        rejects: read.rejects.clone(),
        texts: if read.rows_used > 0 {
            vec![String::new()]
        } else {
            Vec::new()
        },
        ..LabeledCorpus::clone_header_of(&source, heads)
    };
    summary.check_usable()?;
    read.case_clashes = crate::data::case_clashes(heads, &pass.label_counts);
    if checks.strict
        && let Some(clash) = read.case_clashes.first()
    {
        return Err(Error::input(format!("{source}: {clash} (--strict)")));
    }
    Ok(pass)
}

/// Pass 2: the exact document frequencies of the terms `sketch` lets
/// through, and the featurizer they give; with the number of terms counted.
fn vocabulary_pass(
    reader: &Reader<'_>,
    sketch: &TermSketch,
    n_documents: usize,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<(Vectorizer, usize)> {
    let clock = Instant::now();
    let features = &reader.config.features;
    let mut seen = SeenTexts::with_bytes(reader.limit.seen_texts());
    let mut counts = CandidateCounts::default();
    let mut rows = 0;
    reader.chunks(|chunk| {
        let docs = reader.distinct(&mut seen, &chunk.texts);
        counts.add(features, sketch, &docs);
        rows += chunk.rows_read;
        stage(&format!(
            "counting terms, {} so far: {}",
            counts.len(),
            rate(rows, clock)
        ));
        Ok(())
    })?;
    let terms_counted = counts.len();
    let vectorizer = counts.into_vectorizer(features, n_documents)?;
    if vectorizer.n_features() == 0 {
        return Err(Error::input(format!(
            "{}: no term occurs in at least {} documents; lower --min-df or add data",
            reader.source(),
            features.min_df
        )));
    }
    Ok((vectorizer, terms_counted))
}

/// What the featurizing pass wrote, and counted on the way.
struct RowsWritten {
    rows: RowFile,
    /// Per head, the rows labelled with one class.
    known_rows: Vec<usize>,
    /// Per head, the rows labelled with each label set.
    label_sets: Vec<BTreeMap<String, usize>>,
    /// Words of the rows, and those outside the vocabulary.
    words: (usize, usize),
}

/// Pass 3: every row featurized by `vectorizer` into blocks at `path`, its
/// labels as `names[h]` (head `h`'s classes) index them.
fn rows_pass(
    reader: &Reader<'_>,
    vectorizer: &Vectorizer,
    names: &[Vec<String>],
    path: &Path,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<RowsWritten> {
    let clock = Instant::now();
    let heads = &reader.spec.label_cols;
    let source = reader.source();
    let mut writer = RowFileWriter::create(
        path,
        vectorizer.n_features(),
        heads.len(),
        reader.limit.block(),
    )?;
    let mut known_rows = vec![0usize; heads.len()];
    let mut label_sets: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); heads.len()];
    let mut words = (0, 0);
    let places: Vec<String> = heads
        .iter()
        .map(|h| format!("{source}: head '{h}'"))
        .collect();
    let mut rows = 0;
    reader.chunks(|chunk| {
        let docs = reader.segment(reader.normalize(&chunk.texts));
        let (n, unknown) = vectorizer.count_unknown_words(&docs);
        words = (words.0 + n, words.1 + unknown);
        let mut codes = vec![0u64; heads.len()];
        // A few documents at a time: rows take 8 bytes a term.
        let featurized = docs
            .chunks(1024)
            .flat_map(|part| featurize(vectorizer, part));
        for (i, row) in featurized.enumerate() {
            for (h, code) in codes.iter_mut().enumerate() {
                let text = chunk.labels[h][i].as_deref();
                let label = text
                    .map(|l| row_label(l, &names[h], &places[h]))
                    .transpose()?;
                match label {
                    Some(RowLabel::Class(_)) => known_rows[h] += 1,
                    Some(RowLabel::OneOf(_)) => {
                        *label_sets[h]
                            .entry(text.unwrap_or_default().to_string())
                            .or_insert(0) += 1;
                    }
                    None => {}
                }
                *code = encode_label(label);
            }
            writer.push(&row, &codes)?;
        }
        rows += chunk.rows_read;
        stage(&format!("featurizing rows to disk: {}", rate(rows, clock)));
        Ok(())
    })?;
    Ok(RowsWritten {
        rows: writer.finish()?,
        known_rows,
        label_sets,
        words,
    })
}

/// How one label column of the file is trained.
enum HeadPlan<'m> {
    /// A head of its own, from scratch.
    New,
    /// Continues head `old` of the model being continued.
    Continue(&'m Head, ContinuedHead),
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
    let mut sketch = init
        .is_none()
        .then(|| TermSketch::with_bytes(limit.sketch()));
    let first = first_pass(&reader, sketch.as_mut(), checks, &|s| {
        stage(&format!("pass 1 of {passes}, {s}"))
    })?;
    // Per head: how it trains, its classes (sorted; label sets count in
    // none) and their rows.
    let mut plans = Vec::new();
    let mut names = Vec::new();
    let mut classes: Vec<BTreeMap<&str, usize>> = Vec::new();
    for (name, counts) in heads.iter().zip(&first.label_counts) {
        let head_classes: BTreeMap<&str, usize> = counts
            .iter()
            .filter(|(l, _)| !is_label_set(l))
            .map(|(l, &n)| (l.as_str(), n))
            .collect();
        let labelled = counts.values().sum();
        let old = init.and_then(|m| m.heads().iter().find(|h| h.name == *name));
        match old {
            Some(old) => {
                old.linear_model()?;
                check_many_classes(
                    &source,
                    name,
                    head_classes.len(),
                    labelled,
                    checks.allow_many_classes,
                )?;
                let plan = ContinuedHead::new(old, &head_classes);
                names.push(plan.names.clone());
                plans.push(HeadPlan::Continue(old, plan));
            }
            None => {
                check_head_classes(
                    &source,
                    name,
                    &head_classes,
                    labelled,
                    checks.allow_many_classes,
                )?;
                names.push(head_classes.keys().map(|s| s.to_string()).collect());
                plans.push(HeadPlan::New);
            }
        }
        classes.push(head_classes);
    }
    let sha256 = file_sha256(path)?;
    timings.push((
        if init.is_some() {
            "read"
        } else {
            "count terms"
        },
        clock.elapsed(),
    ));

    let clock = Instant::now();
    let (vectorizer, terms_counted) = match (init, sketch) {
        (Some(model), _) => (model.vectorizer().clone(), None),
        (None, Some(sketch)) => {
            let (v, n) = vocabulary_pass(&reader, &sketch, first.n_documents, &|s| {
                stage(&format!("pass 2 of 3, {s}"))
            })?;
            timings.push(("vocabulary", clock.elapsed()));
            (v, Some(n))
        }
        (None, None) => unreachable!("a sketch is made when there is no model to continue"),
    };

    let clock = Instant::now();
    let temp = TempDir::new()?;
    let written = rows_pass(&reader, &vectorizer, &names, &temp.0.join("rows"), &|s| {
        stage(&format!("pass {passes} of {passes}, {s}"))
    })?;
    timings.push(("featurize", clock.elapsed()));

    // Each head, one block at a time.
    let clock = Instant::now();
    let mut continued = init.map(|_| Continued {
        words: written.words.0,
        unknown_words: written.words.1,
        ..Continued::default()
    });
    let mut fitted: Vec<Option<Head>> = Vec::new();
    for (h, (name, plan)) in heads.iter().zip(plans).enumerate() {
        let n_classes = names[h].len();
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        let per_row = if params.loss() == Loss::Logistic {
            2
        } else {
            1
        };
        let view = written
            .rows
            .head(h, &temp.0.join(format!("duals-{h}")), n_models * per_row)?;
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
        fitted.push(match plan {
            HeadPlan::New => {
                let model = params.fit_blocks(
                    &view,
                    vectorizer.n_features(),
                    n_classes,
                    known,
                    &progress,
                )?;
                Some(Head {
                    name: name.clone(),
                    labels: names[h].clone(),
                    class_counts: classes[h].values().copied().collect(),
                    classifier: Classifier::Linear(model),
                })
            }
            // A column without a label for the head: it stays as it was.
            HeadPlan::Continue(_, _)
                if known + written.label_sets[h].values().sum::<usize>() == 0 =>
            {
                None
            }
            HeadPlan::Continue(old, plan) => {
                let model = params.fit_blocks_from(
                    old.linear_model()?,
                    &plan.classes,
                    &view,
                    known,
                    &progress,
                )?;
                let continued = continued.get_or_insert_with(Continued::default);
                Some(plan.into_head(old, model, continued))
            }
        });
    }
    timings.push(("fit", clock.elapsed()));
    let streamed = Streamed {
        limit,
        passes,
        terms_counted,
        row_bytes: written.rows.bytes(),
        blocks: written.rows.n_blocks(),
    };
    let mut label_sets = written.label_sets;
    drop(written.rows);
    drop(temp);
    // The heads in the order training in memory gives them: the model's
    // (continued or kept), then the new ones.
    let mut model_heads = Vec::new();
    let mut model_label_sets = Vec::new();
    if let (Some(model), Some(continued)) = (init, continued.as_mut()) {
        for old in model.heads() {
            match heads.iter().position(|c| *c == old.name) {
                Some(h) if fitted[h].is_some() => {
                    model_heads.push(fitted[h].take().unwrap_or_else(|| old.clone()));
                    model_label_sets.push(std::mem::take(&mut label_sets[h]));
                }
                _ => {
                    continued.kept_heads.push(old.name.clone());
                    model_heads.push(old.clone());
                    model_label_sets.push(BTreeMap::new());
                }
            }
        }
        for (h, head) in fitted.iter_mut().enumerate() {
            if let Some(head) = head.take() {
                continued.new_heads.push(head.name.clone());
                model_heads.push(head);
                model_label_sets.push(std::mem::take(&mut label_sets[h]));
            }
        }
    } else {
        model_heads = fitted.into_iter().flatten().collect();
        model_label_sets = label_sets;
    }
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
            &sha256,
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
        label_sets: model_label_sets,
        continued,
        streamed: Some(streamed),
    };
    Ok((Model::from_data(data), report, first.read))
}

/// The TF-IDF rows of `docs`, in parallel.
fn featurize(vectorizer: &Vectorizer, docs: &[Segmented]) -> Vec<Vec<(u32, f32)>> {
    docs.par_iter()
        .map_init(Scratch::default, |scratch, doc| {
            vectorizer.transform_into(doc, scratch);
            scratch.row.clone()
        })
        .collect()
}
