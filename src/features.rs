//! TF-IDF features over word n-grams and character n-grams.
//!
//! The vocabulary and the inverse document frequencies are learned once, from
//! the training documents, and stored in the model: a document's features never
//! depend on the batch it is transformed with.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::sparse::SparseMatrix;

/// A document after normalisation and segmentation: the normalised text and the
/// byte spans of its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segmented {
    /// The normalised text.
    pub text: String,
    /// Byte spans of the words in `text`.
    pub spans: Vec<(u32, u32)>,
}

impl Segmented {
    /// The words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans
            .iter()
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }
}

/// Feature settings stored in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Word n-gram lengths, inclusive (`(1, 2)`: words and word pairs).
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths, inclusive; `None` disables them.
    pub char_ngrams: Option<(usize, usize)>,
    /// Keep terms found in at least this many training documents.
    pub min_df: usize,
    /// Drop terms found in more than this fraction of training documents.
    pub max_df: f64,
    /// Keep at most this many terms of each kind (the most frequent).
    pub max_features: Option<usize>,
    /// Use `1 + ln(tf)` instead of the raw term count.
    pub sublinear_tf: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_ngrams: (1, 2),
            char_ngrams: Some((1, 3)),
            min_df: 2,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
        }
    }
}

impl FeatureConfig {
    /// Checks the settings once, before any work.
    pub fn validate(&self) -> Result<()> {
        let check = |name: &str, (lo, hi): (usize, usize)| {
            if lo == 0 || lo > hi || hi > 8 {
                Err(Error::param(format!(
                    "{name} n-gram range must satisfy 1 <= min <= max <= 8, got {lo}..{hi}"
                )))
            } else {
                Ok(())
            }
        };
        check("word", self.word_ngrams)?;
        if let Some(range) = self.char_ngrams {
            check("character", range)?;
        }
        if self.min_df == 0 {
            return Err(Error::param("min_df must be at least 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::param(format!(
                "max_df must be a fraction in (0, 1], got {}",
                self.max_df
            )));
        }
        if self.max_features == Some(0) {
            return Err(Error::param("max_features must be at least 1"));
        }
        Ok(())
    }
}

/// Which block of the feature space a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A word or a space-joined word n-gram.
    Word,
    /// A character n-gram.
    Char,
}

/// Calls `visit` with every term occurrence of `doc`, in order.
fn for_each_term(config: &FeatureConfig, doc: &Segmented, mut visit: impl FnMut(TermKind, &str)) {
    let words: Vec<&str> = doc.words().collect();
    let (lo, hi) = config.word_ngrams;
    let mut buf = String::new();
    for n in lo..=hi {
        for window in words.windows(n) {
            if n == 1 {
                visit(TermKind::Word, window[0]);
            } else {
                buf.clear();
                for (k, w) in window.iter().enumerate() {
                    if k > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(w);
                }
                visit(TermKind::Word, &buf);
            }
        }
    }
    if let Some((lo, hi)) = config.char_ngrams {
        let text = doc.text.as_str();
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let n_chars = bounds.len() - 1;
        for start in 0..n_chars {
            let first = text[bounds[start]..].chars().next().unwrap_or(' ');
            if first.is_whitespace() {
                continue;
            }
            for n in lo..=hi {
                let end = start + n;
                if end > n_chars {
                    break;
                }
                let gram = &text[bounds[start]..bounds[end]];
                if gram.chars().any(char::is_whitespace) {
                    break;
                }
                visit(TermKind::Char, gram);
            }
        }
    }
}

/// An ordered list of terms with a lookup table; only the list is stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Vocabulary {
    terms: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl Vocabulary {
    fn from_terms(terms: Vec<String>) -> std::result::Result<Self, String> {
        let mut index = FxHashMap::default();
        index.reserve(terms.len());
        for (i, t) in terms.iter().enumerate() {
            if index.insert(t.clone(), i as u32).is_some() {
                return Err(format!("term `{t}` appears twice in the vocabulary"));
            }
        }
        Ok(Vocabulary { terms, index })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms, in index order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The index of `term`, if known.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }
}

impl Serialize for Vocabulary {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.terms.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Vocabulary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let terms = Vec::<String>::deserialize(d)?;
        Vocabulary::from_terms(terms).map_err(serde::de::Error::custom)
    }
}

/// Fitted TF-IDF featurizer: vocabularies and IDF learned from training data.
///
/// Word features take indices `0..words.len()`, character n-grams follow.
/// Each block is L2-normalised on its own, so that long texts' many character
/// n-grams do not drown their words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vectorizer {
    config: FeatureConfig,
    words: Vocabulary,
    chars: Vocabulary,
    idf: Vec<f32>,
    n_documents: usize,
}

/// Document frequency of a term and the last document that counted it.
type DfTable = FxHashMap<String, (u32, u32)>;

fn count_df(config: &FeatureConfig, docs: &[Segmented], first_id: u32) -> [DfTable; 2] {
    let mut tables = [DfTable::default(), DfTable::default()];
    for (k, doc) in docs.iter().enumerate() {
        let id = first_id + k as u32;
        for_each_term(config, doc, |kind, term| {
            let table = &mut tables[kind as usize];
            match table.get_mut(term) {
                Some((df, last)) => {
                    if *last != id {
                        *df += 1;
                        *last = id;
                    }
                }
                None => {
                    table.insert(term.to_string(), (1, id));
                }
            }
        });
    }
    tables
}

fn merge_df(mut a: [DfTable; 2], b: [DfTable; 2]) -> [DfTable; 2] {
    for (into, from) in a.iter_mut().zip(b) {
        for (term, (df, _)) in from {
            into.entry(term).or_insert((0, 0)).0 += df;
        }
    }
    a
}

impl Vectorizer {
    /// Learns the vocabularies and IDF from `docs`.
    pub fn fit(config: &FeatureConfig, docs: &[Segmented]) -> Result<Self> {
        config.validate()?;
        const CHUNK: usize = 2048;
        let tables = docs
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| count_df(config, chunk, (c * CHUNK) as u32))
            .reduce(|| [DfTable::default(), DfTable::default()], merge_df);
        let n = docs.len();
        let max_df = (config.max_df * n as f64).floor() as u32;
        let [word_df, char_df] = tables;
        let select = |table: DfTable| -> Vec<(String, u32)> {
            let mut kept: Vec<(String, u32)> = table
                .into_iter()
                .map(|(t, (df, _))| (t, df))
                .filter(|&(_, df)| df as usize >= config.min_df && df <= max_df.max(1))
                .collect();
            if let Some(limit) = config.max_features {
                kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                kept.truncate(limit);
            }
            kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            kept
        };
        let words = select(word_df);
        let chars = if config.char_ngrams.is_some() {
            select(char_df)
        } else {
            Vec::new()
        };
        let idf = words
            .iter()
            .chain(&chars)
            .map(|&(_, df)| (((1 + n) as f64 / (1 + df as usize) as f64).ln() + 1.0) as f32)
            .collect();
        let into_vocab = |kept: Vec<(String, u32)>| {
            Vocabulary::from_terms(kept.into_iter().map(|(t, _)| t).collect())
                .expect("terms come from a map and are distinct")
        };
        Ok(Vectorizer {
            config: config.clone(),
            words: into_vocab(words),
            chars: into_vocab(chars),
            idf,
            n_documents: n,
        })
    }

    /// The settings.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Total number of features.
    pub fn n_features(&self) -> usize {
        self.words.len() + self.chars.len()
    }

    /// The word n-gram vocabulary.
    pub fn words(&self) -> &Vocabulary {
        &self.words
    }

    /// The character n-gram vocabulary.
    pub fn chars(&self) -> &Vocabulary {
        &self.chars
    }

    /// Inverse document frequency of every feature.
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// Number of documents the IDF was learned from.
    pub fn n_documents(&self) -> usize {
        self.n_documents
    }

    /// The term behind feature `index` and its kind.
    pub fn term(&self, index: usize) -> Option<(TermKind, &str)> {
        if index < self.words.len() {
            Some((TermKind::Word, &self.words.terms[index]))
        } else {
            self.chars
                .terms
                .get(index - self.words.len())
                .map(|t| (TermKind::Char, t.as_str()))
        }
    }

    /// Checks that a deserialised vectorizer is consistent.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        self.config.validate().map_err(|e| e.to_string())?;
        if self.idf.len() != self.n_features() {
            return Err(format!(
                "{} IDF values for {} features",
                self.idf.len(),
                self.n_features()
            ));
        }
        if self.idf.iter().any(|v| !v.is_finite()) {
            return Err("IDF values are not finite".into());
        }
        Ok(())
    }

    /// The TF-IDF row of one document as sorted `(feature, value)` pairs.
    pub fn transform_one(&self, doc: &Segmented) -> Vec<(u32, f32)> {
        let offset = self.words.len() as u32;
        let mut hits: Vec<u32> = Vec::new();
        for_each_term(&self.config, doc, |kind, term| {
            let found = match kind {
                TermKind::Word => self.words.get(term),
                TermKind::Char => self.chars.get(term).map(|j| j + offset),
            };
            if let Some(j) = found {
                hits.push(j);
            }
        });
        hits.sort_unstable();
        let mut row: Vec<(u32, f32)> = Vec::new();
        for j in hits {
            match row.last_mut() {
                Some((last, tf)) if *last == j => *tf += 1.0,
                _ => row.push((j, 1.0)),
            }
        }
        for (j, v) in row.iter_mut() {
            let tf = if self.config.sublinear_tf {
                1.0 + v.ln()
            } else {
                *v
            };
            *v = tf * self.idf[*j as usize];
        }
        let split = row.partition_point(|&(j, _)| j < offset);
        let (word_part, char_part) = row.split_at_mut(split);
        l2_normalize(word_part);
        l2_normalize(char_part);
        row
    }

    /// The TF-IDF matrix of `docs` (rows in order), computed in parallel.
    pub fn transform(&self, docs: &[Segmented]) -> SparseMatrix {
        let rows: Vec<Vec<(u32, f32)>> = docs.par_iter().map(|d| self.transform_one(d)).collect();
        let mut m = SparseMatrix::new(self.n_features());
        for row in rows {
            m.push_row(row);
        }
        m
    }
}

fn l2_normalize(part: &mut [(u32, f32)]) {
    let norm = part.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        part.iter_mut().for_each(|(_, v)| *v /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments on spaces, for tests independent of jieba.
    fn doc(text: &str) -> Segmented {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            match (c == ' ', start) {
                (true, Some(s)) => {
                    spans.push((s as u32, i as u32));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        Segmented {
            text: text.to_string(),
            spans,
        }
    }

    fn config(char_ngrams: Option<(usize, usize)>, min_df: usize) -> FeatureConfig {
        FeatureConfig {
            char_ngrams,
            min_df,
            ..FeatureConfig::default()
        }
    }

    #[test]
    fn vocabulary_respects_min_df_and_ngrams() {
        let docs = [doc("油价 上涨"), doc("油价 下跌"), doc("球队 获胜")];
        let v = Vectorizer::fit(&config(None, 2), &docs).unwrap();
        assert_eq!(v.words().terms(), &["油价".to_string()]);
        let v = Vectorizer::fit(&config(None, 1), &docs).unwrap();
        assert!(v.words().get("油价 上涨").is_some());
        assert_eq!(v.words().len(), 5 + 3);
        let v = Vectorizer::fit(&config(Some((1, 2)), 1), &docs).unwrap();
        assert!(v.chars().get("油价").is_some());
        assert!(v.chars().get("价 ").is_none());
    }

    #[test]
    fn idf_is_smooth_and_rows_are_normalised_per_block() {
        let docs = [doc("油价 上涨"), doc("油价 下跌")];
        let v = Vectorizer::fit(&config(Some((1, 1)), 1), &docs).unwrap();
        let j = v.words().get("油价").unwrap() as usize;
        assert!((v.idf()[j] - 1.0).abs() < 1e-6);
        let k = v.words().get("上涨").unwrap() as usize;
        assert!((v.idf()[k] - ((3.0f32 / 2.0).ln() + 1.0)).abs() < 1e-6);
        let row = v.transform_one(&docs[0]);
        let offset = v.words().len() as u32;
        let word_norm: f32 = row.iter().filter(|e| e.0 < offset).map(|e| e.1 * e.1).sum();
        let char_norm: f32 = row
            .iter()
            .filter(|e| e.0 >= offset)
            .map(|e| e.1 * e.1)
            .sum();
        assert!((word_norm - 1.0).abs() < 1e-5 && (char_norm - 1.0).abs() < 1e-5);
        assert!(row.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn transform_does_not_depend_on_the_batch() {
        let docs = [doc("油价 上涨 油价"), doc("球队 获胜"), doc("未知 词")];
        let v = Vectorizer::fit(&FeatureConfig::default(), &docs[..2]).unwrap();
        let batch = v.transform(&docs);
        for (i, d) in docs.iter().enumerate() {
            let single = v.transform(std::slice::from_ref(d));
            assert_eq!(batch.row(i).indices, single.row(0).indices);
            assert_eq!(batch.row(i).values, single.row(0).values);
        }
    }

    #[test]
    fn invalid_settings_are_refused() {
        let c = FeatureConfig {
            word_ngrams: (2, 1),
            ..FeatureConfig::default()
        };
        assert!(c.validate().is_err());
        let c = FeatureConfig {
            max_df: 0.0,
            ..FeatureConfig::default()
        };
        assert!(c.validate().is_err());
    }
}
