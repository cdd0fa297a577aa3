//! The passes over the training file: rows checked and the terms sketched
//! (1), the candidates counted exactly (2), rows featurized to disk (3).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::row_file::{RowFile, RowFileWriter, encode_label};
use super::{FileChecks, FileRead, MemoryLimit, current_memory, megabytes};
use crate::data::{CorpusChunks, CorpusSpec, LabeledCorpus, MultiLineRows, Rejects};
use crate::error::{Error, Result};
use crate::estimators::RowLabel;
use crate::features::document_terms;
use crate::features::{CandidateCounts, Scratch, SeenTexts, Segmented, TermSketch, Vectorizer};
use crate::text::Segmenter;
use crate::training::TrainConfig;
use crate::training::label_sets::row_label;

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
    hasher: Option<&mut Sha256>,
    mut each: impl FnMut(LabeledCorpus) -> Result<()>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let source = path.display().to_string();
    let reader = Hashing {
        inner: std::io::BufReader::new(file),
        hasher,
    };
    let mut chunks = CorpusChunks::new(&source, reader, spec)?;
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

/// A reader that adds every byte read to `hasher`, if any (the file's
/// SHA-256, taken in the first pass rather than by reading the file again).
struct Hashing<'h, R> {
    inner: R,
    hasher: Option<&'h mut Sha256>,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = self.hasher.as_deref_mut() {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Reads the training file a chunk at a time and turns texts into
/// segmented documents, as training in memory does.
pub(super) struct Reader<'a> {
    pub(super) path: &'a Path,
    pub(super) spec: &'a CorpusSpec,
    pub(super) limit: MemoryLimit,
    pub(super) config: &'a TrainConfig,
    pub(super) segmenter: Segmenter,
}

impl Reader<'_> {
    pub(super) fn source(&self) -> String {
        self.path.display().to_string()
    }

    fn chunks(&self, each: impl FnMut(LabeledCorpus) -> Result<()>) -> Result<()> {
        for_each_chunk(self.path, self.spec, self.limit.chunk_text(), None, each)
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
pub(super) struct FirstPass {
    pub(super) read: FileRead,
    /// Per head, rows per label as written (label sets included).
    pub(super) label_counts: Vec<BTreeMap<String, usize>>,
    /// Distinct texts.
    pub(super) n_documents: usize,
    /// SHA-256 of the file's bytes, in hex.
    pub(super) sha256: String,
}

/// Pass 1: every row checked and counted as in memory, and, with a sketch,
/// every distinct text's terms added to it.
pub(super) fn first_pass(
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
        sha256: String::new(),
    };
    let mut hasher = Sha256::new();
    let mut seen = sketch
        .is_some()
        .then(|| SeenTexts::with_bytes(reader.limit.seen_texts()));
    let features = &reader.config.features;
    let text_bytes = reader.limit.chunk_text();
    for_each_chunk(
        reader.path,
        reader.spec,
        text_bytes,
        Some(&mut hasher),
        |chunk| {
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
            if let (Some(sketch), Some(seen)) = (sketch.as_deref_mut(), seen.as_mut()) {
                let docs = reader.distinct(seen, &chunk.texts);
                pass.n_documents += docs.len();
                for part in parts(&docs, reader.limit.part_text()) {
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
        },
    )?;
    pass.sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
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
pub(super) fn vocabulary_pass(
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
        for part in parts(&docs, reader.limit.part_text()) {
            counts.add(features, sketch, part);
        }
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
pub(super) struct RowsWritten {
    pub(super) rows: RowFile,
    /// Per head, the rows labelled with one class.
    pub(super) known_rows: Vec<usize>,
    /// Per head, the rows labelled with each label set.
    pub(super) label_sets: Vec<BTreeMap<String, usize>>,
    /// Words of the rows, and those outside the vocabulary (counted when
    /// continuing a model).
    pub(super) words: (usize, usize),
}

/// Pass 3: every row featurized by `vectorizer` into blocks at `path`, its
/// labels as `names[h]` (head `h`'s classes) index them; with
/// `count_unknown`, the words outside the vocabulary counted.
pub(super) fn rows_pass(
    reader: &Reader<'_>,
    vectorizer: &Vectorizer,
    names: &[Vec<String>],
    path: &Path,
    count_unknown: bool,
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
        if count_unknown {
            let (n, unknown) = vectorizer.count_unknown_words(&docs);
            words = (words.0 + n, words.1 + unknown);
        }
        let mut codes = vec![0u64; heads.len()];
        let featurized =
            parts(&docs, reader.limit.part_text()).flat_map(|part| featurize(vectorizer, part));
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

/// `docs` in runs of consecutive documents of about `bytes` of text each
/// (at least one document a run): what is computed per term of a run (8 to
/// 48 bytes a term, about one term a byte of Chinese text) stays bounded
/// whether the documents are titles or long articles.
fn parts(docs: &[Segmented], bytes: usize) -> impl Iterator<Item = &[Segmented]> {
    let mut rest = docs;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut size = 0;
        let n = rest
            .iter()
            .take_while(|d| {
                size += d.text.len();
                size <= bytes
            })
            .count()
            .max(1);
        let (part, tail) = rest.split_at(n);
        rest = tail;
        Some(part)
    })
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
