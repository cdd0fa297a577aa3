//! TF-IDF features over word n-grams and character n-grams.
//!
//! The vocabulary and the inverse document frequencies are learned once, from
//! the training documents, and stored in the model: a document's features never
//! depend on the batch it is transformed with.

use rayon::prelude::*;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::SparseMatrix;

/// A document after normalisation and segmentation: the normalised text and the
/// byte spans of its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Scale the word block and the character block of each row to unit
    /// Euclidean length (each on its own).
    pub l2_norm: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_ngrams: (1, 2),
            char_ngrams: Some((1, 2)),
            min_df: 2,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
            l2_norm: true,
        }
    }
}

impl FeatureConfig {
    /// The settings in one line, for reports.
    ///
    /// ```
    /// let line = newsclf::features::FeatureConfig::default().describe();
    /// assert!(line.starts_with("word n-grams 1-2, character n-grams 1-2, min-df 2"));
    /// ```
    pub fn describe(&self) -> String {
        let range = |r: Option<(usize, usize)>| match r {
            Some((lo, hi)) if lo == hi => lo.to_string(),
            Some((lo, hi)) => format!("{lo}-{hi}"),
            None => "none".into(),
        };
        format!(
            "word n-grams {}, character n-grams {}, min-df {}, max-df {}, max-features {}, {} TF, {}",
            range(Some(self.word_ngrams)),
            range(self.char_ngrams),
            self.min_df,
            self.max_df,
            self.max_features.map_or("none".into(), |n| n.to_string()),
            if self.sublinear_tf {
                "sublinear"
            } else {
                "raw"
            },
            if self.l2_norm {
                "L2 per block"
            } else {
                "not normalised"
            }
        )
    }

    /// Checks the settings once, before any work.
    pub fn validate(&self) -> Result<()> {
        let check = |key: &'static str, (lo, hi): (usize, usize)| {
            if lo == 0 || lo > hi || hi > MAX_NGRAM {
                Err(Error::setting(
                    key,
                    format!("must be MIN-MAX with 1 <= MIN <= MAX <= {MAX_NGRAM}, got {lo}-{hi}"),
                ))
            } else {
                Ok(())
            }
        };
        check("word_ngrams", self.word_ngrams)?;
        if let Some(range) = self.char_ngrams {
            check("char_ngrams", range)?;
        }
        if self.min_df == 0 {
            return Err(Error::setting("min_df", "must be at least 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::setting(
                "max_df",
                format!("must be a fraction in (0, 1], got {}", self.max_df),
            ));
        }
        if self.max_features == Some(0) {
            return Err(Error::setting("max_features", "must be at least 1"));
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

/// The longest word or character n-gram supported.
pub const MAX_NGRAM: usize = 3;

/// Marks a token or term that is not in the vocabulary.
const NONE: u32 = u32::MAX;

/// Lookup key of a word n-gram from its token ids (`id + 1`, so that n-grams
/// of different lengths never share a key).
fn word_key(ids: &[u32]) -> u128 {
    ids.iter()
        .fold(0u128, |k, &t| (k << 32) | (u128::from(t) + 1))
}

/// Lookup key of a character n-gram (at most 3 characters of 21 bits; no
/// character is NUL, since whitespace and control characters never occur in one).
fn char_key(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |k, &c| (k << 21) | c as u64)
}

/// Calls `visit` with the character n-grams of `text` (lengths `lo..=hi`),
/// ending at each position in turn; n-grams never span whitespace.
#[inline]
fn for_each_char_ngram(text: &str, (lo, hi): (usize, usize), mut visit: impl FnMut(&[char])) {
    let mut recent = ['\0'; MAX_NGRAM];
    let mut run = 0usize;
    for c in text.chars() {
        if c.is_whitespace() {
            run = 0;
            continue;
        }
        recent.rotate_left(1);
        recent[MAX_NGRAM - 1] = c;
        run += 1;
        for n in lo..=hi.min(run) {
            visit(&recent[MAX_NGRAM - n..]);
        }
    }
}

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

/// Hash tables from tokens and n-gram keys to feature indices, rebuilt from
/// the vocabularies whenever a vectorizer is made or loaded.
#[derive(Debug, Clone, Default)]
struct Lookup {
    /// 64-bit hash of every word that occurs in a word feature → token id.
    /// Two words sharing a hash are refused when the table is built; a word
    /// outside the vocabulary matches a vocabulary word's hash with
    /// probability about 2⁻⁴⁷ (for 100,000 words), and saves a string
    /// comparison on every lookup.
    tokens: FxHashMap<u64, u32>,
    /// Token id → feature of the word alone, or `NONE`.
    unigram: Vec<u32>,
    /// `pair_key` → feature, for word pairs.
    word_pairs: FxHashMap<u64, u32>,
    /// `word_key` → feature, for word triples.
    word_triples: FxHashMap<u128, u32>,
    /// Single characters of the Basic Multilingual Plane → feature, or
    /// `NONE`: a direct table, since they are the most frequent lookups.
    /// Empty when the model has no single-character features.
    bmp_chars: Vec<u32>,
    /// Pairs of BMP characters (`c1 << 16 | c2`) → feature: half the size of
    /// a table of 64-bit keys, so fewer cache misses.
    bmp_pairs: FxHashMap<u32, u32>,
    /// `char_key` → feature (offset by the word block), for the rest.
    char_ngrams: FxHashMap<u64, u32>,
}

/// Lookup key of a word pair from its token ids.
fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Lookup {
    #[inline]
    fn char_feature(&self, gram: &[char]) -> Option<u32> {
        match *gram {
            [c] if (c as usize) < self.bmp_chars.len() => {
                let f = self.bmp_chars[c as usize];
                (f != NONE).then_some(f)
            }
            [a, b] if (a as u32) < 0x10000 && (b as u32) < 0x10000 => self
                .bmp_pairs
                .get(&(((a as u32) << 16) | b as u32))
                .copied(),
            _ => self.char_ngrams.get(&char_key(gram)).copied(),
        }
    }

    #[inline]
    fn word_ngram(&self, ids: &[u32]) -> u32 {
        match *ids {
            [a] => self.unigram[a as usize],
            [a, b] => self
                .word_pairs
                .get(&pair_key(a, b))
                .copied()
                .unwrap_or(NONE),
            _ => self
                .word_triples
                .get(&word_key(ids))
                .copied()
                .unwrap_or(NONE),
        }
    }

    fn build(words: &Vocabulary, chars: &Vocabulary) -> std::result::Result<Self, String> {
        let mut lookup = Lookup::default();
        let mut ids_of: FxHashMap<&str, u32> = FxHashMap::default();
        for (f, term) in words.terms.iter().enumerate() {
            let mut ids = [0u32; MAX_NGRAM];
            let mut n = 0;
            for part in term.split(' ') {
                if part.is_empty() || n == MAX_NGRAM {
                    return Err(format!("malformed word n-gram {term:?}"));
                }
                let next = ids_of.len() as u32;
                let id = *ids_of.entry(part).or_insert(next);
                if id == next {
                    if lookup.tokens.insert(word_hash(part), id).is_some() {
                        return Err(format!("two words share the hash of {part:?}"));
                    }
                    lookup.unigram.push(NONE);
                }
                ids[n] = id;
                n += 1;
            }
            let f = f as u32;
            match ids[..n] {
                [a] => lookup.unigram[a as usize] = f,
                [a, b] => {
                    lookup.word_pairs.insert(pair_key(a, b), f);
                }
                _ => {
                    lookup.word_triples.insert(word_key(&ids[..n]), f);
                }
            }
        }
        let offset = words.len() as u32;
        for (g, term) in chars.terms.iter().enumerate() {
            let cs: Vec<char> = term.chars().collect();
            if cs.is_empty() || cs.len() > MAX_NGRAM || cs.iter().any(|c| c.is_whitespace()) {
                return Err(format!("malformed character n-gram {term:?}"));
            }
            let f = offset + g as u32;
            match cs[..] {
                [c] if (c as usize) < 0x10000 => {
                    if lookup.bmp_chars.is_empty() {
                        lookup.bmp_chars = vec![NONE; 0x10000];
                    }
                    lookup.bmp_chars[c as usize] = f;
                }
                [a, b] if (a as u32) < 0x10000 && (b as u32) < 0x10000 => {
                    lookup.bmp_pairs.insert(((a as u32) << 16) | b as u32, f);
                }
                _ => {
                    lookup.char_ngrams.insert(char_key(&cs), f);
                }
            }
        }
        Ok(lookup)
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
        let lookup = Lookup::build(&p.words, &p.chars)?;
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

/// Document frequency of a term and the last document that counted it.
#[derive(Clone, Copy)]
struct DfEntry {
    df: u32,
    last: u32,
}

/// Document frequencies while fitting: word n-grams by length, keyed by
/// their words' 64-bit hashes (the text of the few terms kept is recovered
/// afterwards), and character n-grams, keyed exactly.
#[derive(Default)]
struct DfTables {
    words: [FxHashMap<u128, DfEntry>; MAX_NGRAM],
    chars: FxHashMap<u64, DfEntry>,
}

fn word_hash(word: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(word.as_bytes());
    h.finish()
}

/// Calls `visit(n, start, key)` for every word n-gram of `hashes` (the
/// document's word hashes) with a length in `lo..=hi`.
fn for_each_word_ngram(
    hashes: &[u64],
    (lo, hi): (usize, usize),
    mut visit: impl FnMut(usize, usize, u128),
) {
    for n in lo..=hi {
        for (start, h) in hashes.windows(n).enumerate() {
            let key = match n {
                1 => u128::from(h[0]),
                2 => (u128::from(h[0]) << 64) | u128::from(h[1]),
                _ => (u128::from(h[0].rotate_left(17) ^ h[1]) << 64) | u128::from(h[2]),
            };
            visit(n, start, key);
        }
    }
}

fn count<K: std::hash::Hash + Eq>(table: &mut FxHashMap<K, DfEntry>, key: K, doc: u32) {
    let e = table.entry(key).or_insert(DfEntry {
        df: 0,
        last: u32::MAX,
    });
    if e.last != doc {
        e.df += 1;
        e.last = doc;
    }
}

impl DfTables {
    fn add(&mut self, config: &FeatureConfig, doc: &Segmented, id: u32) {
        let hashes: Vec<u64> = doc.words().map(word_hash).collect();
        let words = &mut self.words;
        for_each_word_ngram(&hashes, config.word_ngrams, |n, _, key| {
            count(&mut words[n - 1], key, id);
        });
        if let Some(range) = config.char_ngrams {
            let chars = &mut self.chars;
            for_each_char_ngram(&doc.text, range, |gram| count(chars, char_key(gram), id));
        }
    }

    fn merge(mut self, other: DfTables) -> DfTables {
        fn merge_into<K: std::hash::Hash + Eq>(
            into: &mut FxHashMap<K, DfEntry>,
            from: FxHashMap<K, DfEntry>,
        ) {
            for (key, e) in from {
                into.entry(key).and_modify(|x| x.df += e.df).or_insert(e);
            }
        }
        for (into, from) in self.words.iter_mut().zip(other.words) {
            // Merge the smaller table into the larger one.
            if into.len() < from.len() {
                let small = std::mem::replace(into, from);
                merge_into(into, small);
            } else {
                merge_into(into, from);
            }
        }
        if self.chars.len() < other.chars.len() {
            let small = std::mem::replace(&mut self.chars, other.chars);
            merge_into(&mut self.chars, small);
        } else {
            merge_into(&mut self.chars, other.chars);
        }
        self
    }
}

/// The text of every kept word n-gram, found by a second pass over the documents.
fn word_ngram_texts(
    config: &FeatureConfig,
    docs: &[Segmented],
    kept: &[FxHashMap<u128, u32>; MAX_NGRAM],
) -> Vec<(String, u32)> {
    let chunk = docs.len().div_ceil(rayon::current_num_threads()).max(1);
    let found = docs
        .par_chunks(chunk)
        .map(|part| {
            let mut found: [FxHashMap<u128, String>; MAX_NGRAM] = Default::default();
            for doc in part {
                let words: Vec<&str> = doc.words().collect();
                let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
                for_each_word_ngram(&hashes, config.word_ngrams, |n, start, key| {
                    if kept[n - 1].contains_key(&key) && !found[n - 1].contains_key(&key) {
                        found[n - 1].insert(key, words[start..start + n].join(" "));
                    }
                });
            }
            found
        })
        .reduce(Default::default, |mut a, b| {
            for (into, from) in a.iter_mut().zip(b) {
                for (key, text) in from {
                    into.entry(key).or_insert(text);
                }
            }
            a
        });
    found
        .into_iter()
        .zip(kept)
        .flat_map(|(texts, dfs)| texts.into_iter().map(|(key, text)| (text, dfs[&key])))
        .collect()
}

fn decode_char_key(mut key: u64) -> String {
    let mut cs = Vec::with_capacity(MAX_NGRAM);
    while key != 0 {
        cs.push(char::from_u32((key & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}'));
        key >>= 21;
    }
    cs.iter().rev().collect()
}

impl Vectorizer {
    /// Learns the vocabularies and IDF from `docs`.
    pub fn fit(config: &FeatureConfig, docs: &[Segmented]) -> Result<Self> {
        config.validate()?;
        // One chunk per thread: each chunk's table holds most of the distinct
        // terms, so more chunks cost memory and merging time.
        let chunk = docs.len().div_ceil(rayon::current_num_threads()).max(1024);
        let tables = docs
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
        let n = docs.len();
        let max_df = ((config.max_df * n as f64).floor() as u32).max(1);
        let keep = |df: u32| df as usize >= config.min_df && df <= max_df;
        let select = |mut kept: Vec<(String, u32)>| -> Vec<(String, u32)> {
            if let Some(limit) = config.max_features {
                kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                kept.truncate(limit);
            }
            kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            kept
        };
        let DfTables { words, chars } = tables;
        let kept_words = words.map(|table| {
            table
                .into_iter()
                .filter(|(_, e)| keep(e.df))
                .map(|(k, e)| (k, e.df))
                .collect::<FxHashMap<u128, u32>>()
        });
        let words = select(word_ngram_texts(config, docs, &kept_words));
        let chars = select(
            chars
                .into_iter()
                .filter(|(_, e)| keep(e.df))
                .map(|(k, e)| (decode_char_key(k), e.df))
                .collect(),
        );
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
        ids.extend(
            doc.words()
                .map(|w| lookup.tokens.get(&word_hash(w)).copied().unwrap_or(NONE)),
        );
        let (lo, hi) = self.config.word_ngrams;
        for n in lo..=hi {
            for window in ids.windows(n) {
                if window.contains(&NONE) {
                    continue;
                }
                let f = lookup.word_ngram(window);
                if f != NONE {
                    hits.push(f);
                }
            }
        }
        if let Some(range) = self.config.char_ngrams {
            for_each_char_ngram(&doc.text, range, |gram| {
                if let Some(f) = lookup.char_feature(gram) {
                    hits.push(f);
                }
            });
        }
        hits.sort_unstable();
        for &j in hits.iter() {
            match row.last_mut() {
                Some((last, tf)) if *last == j => *tf += 1.0,
                _ => row.push((j, 1.0)),
            }
        }
        for (j, v) in row.iter_mut() {
            // Most terms occur once: 1 + ln 1 = 1 needs no logarithm.
            let tf = if self.config.sublinear_tf && *v > 1.0 {
                1.0 + v.ln()
            } else {
                *v
            };
            *v = tf * self.idf[*j as usize];
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
    hits: Vec<u32>,
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
