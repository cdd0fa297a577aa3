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
use crate::estimators::{Classifier, ClassifierSettings, LinearValidParams, Loss, RowLabel};
use crate::features::document_terms;
use crate::features::{CandidateCounts, Scratch, SeenTexts, Segmented, TermSketch, Vectorizer};
use crate::model::{Head, Model, ModelData};
use crate::text::Segmenter;
use crate::training::label_sets::{is_label_set, row_label};
use crate::training::trainer::{check_head_classes, provenance_of};
use crate::training::{TrainConfig, TrainReport, TrainSettings};

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
    /// Terms counted exactly in the second pass (the sketch's candidates).
    pub terms_counted: usize,
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
    let config = settings.config()?;
    let classifier = config.check()?;
    let ClassifierSettings::Linear(params) = &classifier else {
        return Err(Error::param(format!(
            "--memory-limit trains --model linear only, not {}: the other kinds hold their \
             rows in memory; leave out --memory-limit",
            classifier.kind()
        )));
    };
    spec.validate()?;
    let source = path.display().to_string();
    let segmenter = Segmenter::new(&config.segmenter);
    let segment = |texts: Vec<String>| -> Vec<Segmented> {
        texts
            .into_par_iter()
            .map(|text| {
                let spans = segmenter.segment(&text);
                Segmented { text, spans }
            })
            .collect()
    };
    let normalize = |texts: &[String]| -> Vec<String> {
        texts
            .par_iter()
            .map(|t| config.normalize.apply(t))
            .collect()
    };
    // The texts not seen before, segmented (a repeated text counts once in
    // the document frequencies, and is not segmented again).
    let distinct = |seen: &mut SeenTexts, texts: &[String]| -> Vec<Segmented> {
        let mut texts = normalize(texts);
        texts.retain(|t| seen.insert(t));
        segment(texts)
    };
    let features = &config.features;
    let mut timings = Vec::new();

    // Pass 1: rows, classes, and the sketch of every distinct text's terms.
    let clock = Instant::now();
    let mut read = FileRead {
        source: source.clone(),
        rows_read: 0,
        rows_used: 0,
        rejects: Rejects::default(),
        multi_line: MultiLineRows::default(),
        case_clashes: Vec::new(),
    };
    let heads = &spec.label_cols;
    let mut label_counts: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); heads.len()];
    let mut sketch = TermSketch::with_bytes(limit.sketch());
    let mut seen = SeenTexts::with_bytes(limit.seen_texts());
    let mut n_documents = 0usize;
    for_each_chunk(path, spec, limit.chunk_text(), |chunk| {
        if checks.strict {
            chunk.ensure_clean_rows()?;
        }
        read.rows_read += chunk.rows_read;
        read.rows_used += chunk.len();
        for (counts, labels) in label_counts.iter_mut().zip(&chunk.labels) {
            for label in labels.iter().flatten() {
                *counts.entry(label.clone()).or_insert(0) += 1;
            }
        }
        let docs = distinct(&mut seen, &chunk.texts);
        n_documents += docs.len();
        // A few documents at a time: each term takes 8 bytes.
        for part in docs.chunks(1024) {
            let terms: Vec<Vec<u64>> = part
                .par_iter()
                .map(|d| document_terms(features, d))
                .collect();
            sketch.add(&terms);
        }
        read.rejects.extend(chunk.rejects);
        read.multi_line.extend(chunk.multi_line);
        stage(&format!(
            "pass 1 of 3, counting terms: {}",
            rate(read.rows_read, clock)
        ));
        Ok(())
    })?;
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
    read.case_clashes = crate::data::case_clashes(heads, &label_counts);
    if checks.strict
        && let Some(clash) = read.case_clashes.first()
    {
        return Err(Error::input(format!("{source}: {clash} (--strict)")));
    }
    // Per head: the classes (sorted; label sets count in none) and their rows.
    let mut classes: Vec<BTreeMap<&str, usize>> = Vec::new();
    for (name, counts) in heads.iter().zip(&label_counts) {
        let head_classes: BTreeMap<&str, usize> = counts
            .iter()
            .filter(|(l, _)| !is_label_set(l))
            .map(|(l, &n)| (l.as_str(), n))
            .collect();
        let labelled = counts.values().sum();
        check_head_classes(
            &source,
            name,
            &head_classes,
            labelled,
            checks.allow_many_classes,
        )?;
        classes.push(head_classes);
    }
    let names: Vec<Vec<String>> = classes
        .iter()
        .map(|c| c.keys().map(|s| s.to_string()).collect())
        .collect();
    let sha256 = file_sha256(path)?;
    timings.push(("count terms", clock.elapsed()));

    // Pass 2: exact document frequencies of the candidates.
    let clock = Instant::now();
    let mut seen = SeenTexts::with_bytes(limit.seen_texts());
    let mut counts = CandidateCounts::default();
    let mut rows = 0;
    for_each_chunk(path, spec, limit.chunk_text(), |chunk| {
        let docs = distinct(&mut seen, &chunk.texts);
        counts.add(features, &sketch, &docs);
        rows += chunk.rows_read;
        stage(&format!(
            "pass 2 of 3, {} candidate terms: {}",
            counts.len(),
            rate(rows, clock)
        ));
        Ok(())
    })?;
    drop((sketch, seen));
    let terms_counted = counts.len();
    let vectorizer = counts.into_vectorizer(features, n_documents)?;
    if vectorizer.n_features() == 0 {
        return Err(Error::input(format!(
            "{source}: no term occurs in at least {} documents; lower --min-df or add data",
            features.min_df
        )));
    }
    timings.push(("vocabulary", clock.elapsed()));

    // Pass 3: featurized rows to disk.
    let clock = Instant::now();
    let temp = TempDir::new()?;
    let mut writer = RowFileWriter::create(
        &temp.0.join("rows"),
        vectorizer.n_features(),
        heads.len(),
        limit.block(),
    )?;
    let mut known_rows = vec![0usize; heads.len()];
    let mut label_sets: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); heads.len()];
    let places: Vec<String> = heads
        .iter()
        .map(|h| format!("{source}: head '{h}'"))
        .collect();
    let mut rows = 0;
    for_each_chunk(path, spec, limit.chunk_text(), |chunk| {
        let docs = segment(normalize(&chunk.texts));
        let mut codes = vec![0u64; heads.len()];
        // A few documents at a time: rows take 8 bytes a term.
        let featurized = docs
            .chunks(1024)
            .flat_map(|part| featurize(&vectorizer, part));
        for (i, row) in featurized.enumerate() {
            for (h, code) in codes.iter_mut().enumerate() {
                let label = chunk.labels[h][i].as_deref();
                let label = label
                    .map(|l| row_label(l, &names[h], &places[h]))
                    .transpose()?;
                match label {
                    Some(RowLabel::Class(_)) => known_rows[h] += 1,
                    Some(RowLabel::OneOf(_)) => {
                        let text = chunk.labels[h][i].clone().unwrap_or_default();
                        *label_sets[h].entry(text).or_insert(0) += 1;
                    }
                    None => {}
                }
                *code = encode_label(label);
            }
            writer.push(&row, &codes)?;
        }
        rows += chunk.rows_read;
        stage(&format!("pass 3 of 3, featurizing: {}", rate(rows, clock)));
        Ok(())
    })?;
    let row_file = writer.finish()?;
    timings.push(("featurize", clock.elapsed()));

    // Each head, one block at a time.
    let clock = Instant::now();
    let mut fitted = Vec::new();
    for (h, name) in heads.iter().enumerate() {
        fitted.push(fit_head(
            params,
            &row_file,
            &temp.0.join(format!("duals-{h}")),
            (h, name),
            &vectorizer,
            (&names[h], &classes[h]),
            known_rows[h],
            stage,
        )?);
    }
    timings.push(("fit", clock.elapsed()));
    let streamed = Streamed {
        limit,
        terms_counted,
        row_bytes: row_file.bytes(),
        blocks: row_file.n_blocks(),
    };
    drop(row_file);
    drop(temp);
    let TrainConfig {
        normalize,
        segmenter,
        ..
    } = config;
    let data = ModelData {
        provenance: provenance_of(
            &source,
            &sha256,
            read.rows_used,
            read.rejects.rows_dropped(),
            &spec.text_col,
            classifier.clone(),
        ),
        normalizer: normalize,
        segmenter,
        vectorizer,
        heads: fitted,
    };
    let report = TrainReport {
        timings,
        label_sets,
        continued: None,
        streamed: Some(streamed),
    };
    Ok((Model::from_data(data), report, read))
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

/// Fits head `h` (`name`) from the row file, its dual variables in `duals`.
#[allow(clippy::too_many_arguments)]
fn fit_head(
    params: &LinearValidParams,
    rows: &RowFile,
    duals: &Path,
    (h, name): (usize, &String),
    vectorizer: &Vectorizer,
    (names, classes): (&Vec<String>, &BTreeMap<&str, usize>),
    known_rows: usize,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<Head> {
    let n_classes = names.len();
    let n_models = if n_classes == 2 { 1 } else { n_classes };
    let per_row = if params.loss() == Loss::Logistic {
        2
    } else {
        1
    };
    let view = rows.head(h, duals, n_models * per_row)?;
    let max_iter = params.max_iter();
    let progress = |pass: usize| {
        let memory =
            current_memory().map_or(String::new(), |m| format!(", memory {}", megabytes(m)));
        stage(&format!(
            "fitting head '{name}': pass {pass} (at most {max_iter}) over {} blocks{memory}",
            rows.n_blocks()
        ))
    };
    let model = params.fit_blocks(
        &view,
        vectorizer.n_features(),
        n_classes,
        known_rows,
        &progress,
    )?;
    Ok(Head {
        name: name.clone(),
        labels: names.clone(),
        class_counts: classes.values().copied().collect(),
        classifier: Classifier::Linear(model),
    })
}
