//! TF-IDF features over word n-grams and character n-grams.
//!
//! The vocabulary and the inverse document frequencies are learned once, from
//! the training documents, and stored in the model: a document's features never
//! depend on the batch it is transformed with.

use rayon::prelude::*;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::SparseMatrix;
use crate::features::{FeatureConfig, Segmented, TermKind};

use super::document_frequency::{DfTables, word_ngram_texts};
use super::flat_table::FlatValue;
use super::lookup::{Hit, Lookup, NONE};
use super::ngrams::{decode_char_key, for_each_char_ngram};

/// A sorted list of distinct terms.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Vocabulary {
    terms: Vec<String>,
}

impl Vocabulary {
    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms, in index order (sorted).
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The index of `term`, if known.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.terms
            .binary_search_by(|t| t.as_str().cmp(term))
            .ok()
            .map(|i| i as u32)
    }
}

/// The stored parts of a [`Vectorizer`]; the lookup tables are derived.
#[derive(Deserialize)]
struct VectorizerParts {
    config: FeatureConfig,
    words: Vocabulary,
    chars: Vocabulary,
    idf: Vec<f32>,
    n_documents: usize,
}

impl TryFrom<VectorizerParts> for Vectorizer {
    type Error = String;

    fn try_from(p: VectorizerParts) -> std::result::Result<Self, String> {
        p.config.validate().map_err(|e| e.to_string())?;
        for vocab in [&p.words, &p.chars] {
            if vocab.terms.windows(2).any(|w| w[0] >= w[1]) {
                return Err("vocabulary is not sorted and distinct".into());
            }
        }
        if p.idf.len() != p.words.len() + p.chars.len() {
            return Err(format!(
                "{} IDF values for {} features",
                p.idf.len(),
                p.words.len() + p.chars.len()
            ));
        }
        if p.idf.iter().any(|v| !v.is_finite()) {
            return Err("IDF values are not finite".into());
        }
        let lookup = Lookup::build(&p.words, &p.chars, &p.idf)?;
        Ok(Vectorizer {
            config: p.config,
            words: p.words,
            chars: p.chars,
            idf: p.idf,
            n_documents: p.n_documents,
            lookup,
        })
    }
}

/// Fitted TF-IDF featurizer: vocabularies and IDF learned from training data.
///
/// Word features take indices `0..words.len()`, character n-grams follow.
/// Each block is L2-normalised on its own, so that long texts' many character
/// n-grams do not drown their words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "VectorizerParts")]
pub struct Vectorizer {
    config: FeatureConfig,
    words: Vocabulary,
    chars: Vocabulary,
    idf: Vec<f32>,
    n_documents: usize,
    #[serde(skip)]
    lookup: Lookup,
}

impl Vectorizer {
    /// Learns the vocabularies and IDF from `docs`.
    pub fn fit(config: &FeatureConfig, docs: &[Segmented]) -> Result<Self> {
        config.validate()?;
        // A text that occurs several times (a recipe's repeated rows, duplicate
        // rows) is one document: copies weight a class, they do not make its
        // terms more frequent.
        let mut seen = FxHashSet::default();
        let distinct: Vec<&Segmented> = docs.iter().filter(|d| seen.insert(&d.text)).collect();
        drop(seen);
        // One chunk per thread: each chunk's table holds most of the distinct
        // terms, so more chunks cost memory and merging time.
        let chunk = distinct
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(1024);
        let tables = distinct
            .par_chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let mut t = DfTables::default();
                for (k, doc) in part.iter().enumerate() {
                    t.add(config, doc, (c * chunk + k) as u32);
                }
                t
            })
            .reduce(DfTables::default, DfTables::merge);
        let n = distinct.len();
        let max_df = ((config.max_df * n as f64).floor() as u32).max(1);
        let keep = |df: u32| df as usize >= config.min_df && df <= max_df;
        let DfTables { words, chars } = tables;
        let kept_words = words.map(|table| {
            table
                .into_iter()
                .filter(|(_, e)| keep(e.df))
                .map(|(k, e)| (k, e.df))
                .collect::<FxHashMap<u128, u32>>()
        });
        let words = word_ngram_texts(config, docs, &kept_words);
        let chars = chars
            .into_iter()
            .filter(|(_, e)| keep(e.df))
            .map(|(k, e)| (decode_char_key(k), e.df))
            .collect();
        Self::from_document_frequencies(config, words, chars, n)
    }

    /// The featurizer of terms with known document frequencies over
    /// `n_documents` documents: `min_df`, `max_df` and `max_features` choose
    /// the terms of `words` and `chars` (`(term, df)` pairs, each term once)
    /// as [`Vectorizer::fit`] does, and the IDF follows.
    pub(crate) fn from_document_frequencies(
        config: &FeatureConfig,
        words: Vec<(String, u32)>,
        chars: Vec<(String, u32)>,
        n_documents: usize,
    ) -> Result<Self> {
        config.validate()?;
        let n = n_documents;
        let max_df = ((config.max_df * n as f64).floor() as u32).max(1);
        let keep = |df: u32| df as usize >= config.min_df && df <= max_df;
        let select = |mut kept: Vec<(String, u32)>| -> Vec<(String, u32)> {
            kept.retain(|&(_, df)| keep(df));
            if let Some(limit) = config.max_features {
                kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                kept.truncate(limit);
            }
            kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            kept
        };
        let words = select(words);
        let chars = select(chars);
        let idf = words
            .iter()
            .chain(&chars)
            .map(|&(_, df)| (((1 + n) as f64 / (1 + df as usize) as f64).ln() + 1.0) as f32)
            .collect();
        let vocabulary = |kept: Vec<(String, u32)>| Vocabulary {
            terms: kept.into_iter().map(|(t, _)| t).collect(),
        };
        VectorizerParts {
            config: config.clone(),
            words: vocabulary(words),
            chars: vocabulary(chars),
            idf,
            n_documents: n,
        }
        .try_into()
        .map_err(|e: String| Error::input(format!("cannot build the vocabulary: {e}")))
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

    /// Words of `docs` (as segmented) and how many of them are unknown: not a
    /// word feature (with word n-grams from 2 up, in no word feature). Words
    /// new since the vocabulary was learned carry no weight.
    pub fn count_unknown_words(&self, docs: &[Segmented]) -> (usize, usize) {
        let unigrams = self.config.word_ngrams.0 == 1;
        docs.par_iter()
            .map(|doc| {
                let mut counts = (0, 0);
                for word in doc.words() {
                    let token = self.lookup.token(word);
                    let known = if unigrams {
                        !token.unigram.is_absent()
                    } else {
                        !token.is_absent()
                    };
                    counts.0 += 1;
                    counts.1 += usize::from(!known);
                }
                counts
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    /// The TF-IDF row of one document as sorted `(feature, value)` pairs.
    pub fn transform_one(&self, doc: &Segmented) -> Vec<(u32, f32)> {
        let mut scratch = Scratch::default();
        self.transform_into(doc, &mut scratch);
        scratch.row
    }

    /// Computes the row of `doc` into `scratch.row`, reusing its buffers.
    pub(crate) fn transform_into(&self, doc: &Segmented, scratch: &mut Scratch) {
        let lookup = &self.lookup;
        let Scratch { ids, hits, row } = scratch;
        ids.clear();
        hits.clear();
        row.clear();
        let (lo, hi) = self.config.word_ngrams;
        for word in doc.words() {
            let token = lookup.token(word);
            ids.push(token.id);
            if lo == 1 && !token.unigram.is_absent() {
                hits.push(token.unigram.packed());
            }
        }
        for n in lo.max(2)..=hi {
            for window in ids.windows(n) {
                if window.contains(&NONE) {
                    continue;
                }
                let hit = lookup.word_ngram(window);
                if !hit.is_absent() {
                    hits.push(hit.packed());
                }
            }
        }
        let n_word_hits = hits.len();
        if let Some(range) = self.config.char_ngrams {
            for_each_char_ngram(&doc.text, range, |gram| {
                let hit = lookup.char_feature(gram);
                if !hit.is_absent() {
                    hits.push(hit.packed());
                }
            });
        }
        // Every word feature precedes every character feature: two short
        // sorts do less work than one long one.
        let (word_hits, char_hits) = hits.split_at_mut(n_word_hits);
        word_hits.sort_unstable();
        char_hits.sort_unstable();
        // Equal features pack equally, so each run is one feature; its
        // length, a small integer, is exactly the count summed before.
        for run in hits.chunk_by(|a, b| a == b) {
            let (j, idf) = Hit::unpack(run[0]);
            let count = run.len() as f32;
            // Most terms occur once: 1 + ln 1 = 1 needs no logarithm.
            let tf = if self.config.sublinear_tf && count > 1.0 {
                1.0 + count.ln()
            } else {
                count
            };
            row.push((j, tf * idf));
        }
        let offset = self.words.len() as u32;
        let split = row.partition_point(|&(j, _)| j < offset);
        let (word_part, char_part) = row.split_at_mut(split);
        if self.config.l2_norm {
            l2_normalize(word_part);
            l2_normalize(char_part);
        }
    }

    /// The TF-IDF matrix of `docs` (rows in order), computed in parallel.
    pub fn transform(&self, docs: &[Segmented]) -> SparseMatrix {
        const PART: usize = 1024;
        let mut m = SparseMatrix::new(self.n_features());
        // Groups of parts bound the memory held twice while parts are appended.
        for group in docs.chunks(PART * 4 * rayon::current_num_threads()) {
            let parts: Vec<SparseMatrix> = group
                .par_chunks(PART)
                .map_init(Scratch::default, |scratch, part| {
                    let mut pm = SparseMatrix::new(self.n_features());
                    for doc in part {
                        self.transform_into(doc, scratch);
                        pm.push_row(scratch.row.iter().copied());
                    }
                    pm
                })
                .collect();
            for pm in &parts {
                m.append(pm);
            }
        }
        m
    }
}

/// Buffers reused from one document to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    ids: Vec<u32>,
    /// [`Hit::packed`] values, one per n-gram found.
    hits: Vec<u64>,
    /// The last row computed, as sorted `(feature, value)` pairs.
    pub(crate) row: Vec<(u32, f32)>,
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
    use crate::features::ngrams::{char_key, word_key};

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
    fn damaged_vocabularies_are_refused_when_loaded() {
        let parts = |words: &[&str], chars: &[&str]| VectorizerParts {
            config: FeatureConfig::default(),
            words: Vocabulary {
                terms: words.iter().map(|s| s.to_string()).collect(),
            },
            chars: Vocabulary {
                terms: chars.iter().map(|s| s.to_string()).collect(),
            },
            idf: vec![1.0; words.len() + chars.len()],
            n_documents: 1,
        };
        assert!(Vectorizer::try_from(parts(&["a", "a b"], &["x"])).is_ok());
        let err = |p| Vectorizer::try_from(p).unwrap_err();
        assert!(err(parts(&["b", "a"], &[])).contains("sorted"));
        assert!(err(parts(&["a", "a"], &[])).contains("sorted"));
        assert!(err(parts(&["a  b"], &[])).contains("malformed word"));
        assert!(err(parts(&["a b c d"], &[])).contains("malformed word"));
        assert!(err(parts(&[], &["abcd"])).contains("malformed character"));
        assert!(err(parts(&[], &["a b"])).contains("malformed character"));
        let mut p = parts(&["a"], &[]);
        p.idf.push(1.0);
        assert!(err(p).contains("IDF"));
    }

    #[test]
    fn ngram_keys_of_different_lengths_differ() {
        assert_ne!(word_key(&[0, 1]), word_key(&[0, 0, 1]));
        assert_ne!(word_key(&[1]), word_key(&[0, 1]));
        assert_ne!(char_key(&['a']), char_key(&['\u{1}', 'a']));
        assert_eq!(decode_char_key(char_key(&['油', '价', '涨'])), "油价涨");
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
