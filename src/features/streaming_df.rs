//! Document frequencies over a stream of documents, in bounded memory, for
//! training on files larger than memory.
//!
//! A first pass adds every document's distinct terms to a count-min sketch
//! with conservative update ([`TermSketch`]; Cormode & Muthukrishnan 2005,
//! Estan & Varghese 2002): a fixed table whose estimate of a term's document
//! frequency is never below the true one. A second pass counts exactly only
//! the terms the sketch lets through ([`CandidateCounts`]): every term that
//! `min_df` keeps is among them, so the vocabulary and IDF are the exact
//! ones; the sketch only decides how many rare terms are counted for nothing.
//! A text seen before counts once, as in [`Vectorizer::fit`], through a Bloom
//! filter ([`SeenTexts`]): rarely a new text is taken for a repeat.

use std::hash::Hasher;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

use crate::error::Result;
use crate::features::{FeatureConfig, MAX_NGRAM, Segmented, Vectorizer};

use super::ngrams::{
    char_key, decode_char_key, for_each_char_ngram, for_each_word_ngram, word_hash,
};

/// A 64-bit mix (the SplitMix64 finaliser).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The sketch's hash of a word n-gram key (`n` words).
fn word_term_hash(n: usize, key: u128) -> u64 {
    mix((key as u64) ^ mix((key >> 64) as u64 ^ n as u64))
}

/// The sketch's hash of a character n-gram key.
fn char_term_hash(key: u64) -> u64 {
    mix(key ^ 0xC4A5_0000_0000_0000)
}

/// Which texts were seen already: a Bloom filter of fixed size (4 bits per
/// text), so that repeated texts count once in the document frequencies.
pub(crate) struct SeenTexts {
    bits: Vec<u64>,
}

impl SeenTexts {
    /// A filter taking about `bytes` of memory (at least 1 KiB).
    pub(crate) fn with_bytes(bytes: usize) -> Self {
        SeenTexts {
            bits: vec![0; (bytes / 8).max(128)],
        }
    }

    /// Records `text`; whether it is new (false: probably seen before).
    pub(crate) fn insert(&mut self, text: &str) -> bool {
        let mut h = FxHasher::default();
        h.write(text.as_bytes());
        let h1 = mix(h.finish());
        let h2 = mix(h1) | 1;
        let n_bits = self.bits.len() as u64 * 64;
        let mut new = false;
        for k in 0..4u64 {
            let bit = h1.wrapping_add(k.wrapping_mul(h2)) % n_bits;
            let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
            new |= self.bits[word] & mask == 0;
            self.bits[word] |= mask;
        }
        new
    }
}

/// Rows of the sketch.
const DEPTH: usize = 4;
/// The sketch is split into regions, each updated by one task: a term's
/// counters all lie in the region its hash picks, so tasks never share one,
/// and the result does not depend on the number of threads.
const SHARDS: usize = 16;

/// A count-min sketch of document frequencies with conservative update:
/// a term's estimate is at least its true count, and close to it for the
/// frequent terms a vocabulary keeps.
pub(crate) struct TermSketch {
    counters: Vec<u32>,
    shard_width: usize,
}

impl TermSketch {
    /// A sketch taking about `bytes` of memory.
    pub(crate) fn with_bytes(bytes: usize) -> Self {
        let shard_width = (bytes / 4 / DEPTH / SHARDS).max(64);
        TermSketch {
            counters: vec![0; shard_width * DEPTH * SHARDS],
            shard_width,
        }
    }

    fn shard(h: u64) -> usize {
        (h >> 60) as usize % SHARDS
    }

    /// The counter of `h` in row `r` of its shard's region, `width` counters a row.
    fn slot(width: usize, h: u64, r: usize) -> usize {
        r * width + (mix(h.wrapping_add(r as u64 * 0x9E37_79B9_7F4A_7C15)) % width as u64) as usize
    }

    /// Adds one to the count of every term of every document: `docs[d]` is
    /// document `d`'s distinct term hashes ([`document_terms`]).
    pub(crate) fn add(&mut self, docs: &[Vec<u64>]) {
        let width = self.shard_width;
        let slots = |h: u64| -> [usize; DEPTH] { std::array::from_fn(|r| Self::slot(width, h, r)) };
        self.counters
            .par_chunks_mut(DEPTH * width)
            .enumerate()
            .for_each(|(s, counts)| {
                for &h in docs.iter().flatten().filter(|&&h| Self::shard(h) == s) {
                    let at = slots(h);
                    let low = at.iter().map(|&i| counts[i]).min().unwrap_or(0);
                    // Conservative update: raise only the counters at the minimum.
                    for i in at {
                        counts[i] = counts[i].max(low.saturating_add(1));
                    }
                }
            });
    }

    /// The estimated count of the term with hash `h` (never below the true one).
    pub(crate) fn estimate(&self, h: u64) -> u32 {
        let base = Self::shard(h) * DEPTH * self.shard_width;
        (0..DEPTH)
            .map(|r| self.counters[base + Self::slot(self.shard_width, h, r)])
            .min()
            .unwrap_or(0)
    }
}

/// The distinct term hashes of `doc` (as [`TermSketch::add`] takes them).
pub(crate) fn document_terms(config: &FeatureConfig, doc: &Segmented) -> Vec<u64> {
    let mut terms = Vec::new();
    let hashes: Vec<u64> = doc.words().map(word_hash).collect();
    for_each_word_ngram(&hashes, config.word_ngrams, |n, _, key| {
        terms.push(word_term_hash(n, key));
    });
    if let Some(range) = config.char_ngrams {
        for_each_char_ngram(&doc.text, range, |gram| {
            terms.push(char_term_hash(char_key(gram)))
        });
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// A term of one document that the sketch let through.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Candidate {
    /// A word n-gram: its length, its key and where it starts in the document.
    Word(usize, u128, usize),
    Char(u64),
}

/// Exact document frequencies of the terms a [`TermSketch`] lets through,
/// with the text of each word n-gram.
#[derive(Default)]
pub(crate) struct CandidateCounts {
    words: [FxHashMap<u128, (u32, String)>; MAX_NGRAM],
    chars: FxHashMap<u64, u32>,
}

impl CandidateCounts {
    /// Terms counted so far.
    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|t| t.len()).sum::<usize>() + self.chars.len()
    }

    /// Counts the terms of `docs` (distinct documents) whose sketched count
    /// reaches `config.min_df`. Each term found takes 48 bytes until the
    /// documents are counted: pass a few documents at a time.
    pub(crate) fn add(&mut self, config: &FeatureConfig, sketch: &TermSketch, docs: &[Segmented]) {
        let min_df = config.min_df.min(u32::MAX as usize) as u32;
        let found: Vec<Vec<Candidate>> = docs
            .par_iter()
            .map(|doc| {
                let mut found = Vec::new();
                let hashes: Vec<u64> = doc.words().map(word_hash).collect();
                for_each_word_ngram(&hashes, config.word_ngrams, |n, start, key| {
                    if sketch.estimate(word_term_hash(n, key)) >= min_df {
                        found.push(Candidate::Word(n, key, start));
                    }
                });
                if let Some(range) = config.char_ngrams {
                    for_each_char_ngram(&doc.text, range, |gram| {
                        let key = char_key(gram);
                        if sketch.estimate(char_term_hash(key)) >= min_df {
                            found.push(Candidate::Char(key));
                        }
                    });
                }
                // Once per document: the first place of each word n-gram.
                found.sort_unstable();
                found.dedup_by(|b, a| match (*a, *b) {
                    (Candidate::Word(n, k, _), Candidate::Word(m, l, _)) => n == m && k == l,
                    (a, b) => a == b,
                });
                found
            })
            .collect();
        for (doc, found) in docs.iter().zip(found) {
            let mut words: Option<Vec<&str>> = None;
            for c in found {
                match c {
                    Candidate::Word(n, key, start) => {
                        let entry = self.words[n - 1].entry(key).or_insert_with(|| {
                            let words = words.get_or_insert_with(|| doc.words().collect());
                            (0, words[start..start + n].join(" "))
                        });
                        entry.0 += 1;
                    }
                    Candidate::Char(key) => *self.chars.entry(key).or_insert(0) += 1,
                }
            }
        }
    }

    /// The vocabulary and IDF these counts give over `n_documents` distinct
    /// documents (as [`Vectorizer::fit`] would have found them).
    pub(crate) fn into_vectorizer(
        self,
        config: &FeatureConfig,
        n_documents: usize,
    ) -> Result<Vectorizer> {
        let words = self
            .words
            .into_iter()
            .flat_map(|t| t.into_values().map(|(df, text)| (text, df)))
            .collect();
        let chars = self
            .chars
            .into_iter()
            .map(|(k, df)| (decode_char_key(k), df))
            .collect();
        Vectorizer::from_document_frequencies(config, words, chars, n_documents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Segmented {
        let mut spans = Vec::new();
        let mut at = 0u32;
        for w in text.split(' ') {
            spans.push((at, at + w.len() as u32));
            at += w.len() as u32 + 1;
        }
        Segmented {
            text: text.to_string(),
            spans,
        }
    }

    #[test]
    fn streamed_counts_give_the_in_memory_vocabulary() {
        let texts = [
            "油价 上涨 油价",
            "油价 下跌",
            "球队 获胜",
            "球队 获胜",
            "女排 夺冠 获胜",
            "电网 投运",
            "油价 上涨",
        ];
        let docs: Vec<Segmented> = texts.iter().map(|t| doc(t)).collect();
        let config = FeatureConfig::default();
        let expected = Vectorizer::fit(&config, &docs).unwrap();
        // A tiny sketch: many collisions, still never an undercount.
        for bytes in [64, 1 << 20] {
            let mut seen = SeenTexts::with_bytes(1 << 12);
            let distinct: Vec<Segmented> = docs
                .iter()
                .filter(|d| seen.insert(&d.text))
                .cloned()
                .collect();
            assert_eq!(distinct.len(), 6);
            let mut sketch = TermSketch::with_bytes(bytes);
            let terms: Vec<Vec<u64>> = distinct
                .iter()
                .map(|d| document_terms(&config, d))
                .collect();
            sketch.add(&terms);
            let mut counts = CandidateCounts::default();
            counts.add(&config, &sketch, &distinct);
            let v = counts.into_vectorizer(&config, distinct.len()).unwrap();
            assert_eq!(v.words(), expected.words());
            assert_eq!(v.chars(), expected.chars());
            assert_eq!(v.idf(), expected.idf());
            assert_eq!(v.n_documents(), expected.n_documents());
        }
    }

    #[test]
    fn the_sketch_never_undercounts() {
        let mut sketch = TermSketch::with_bytes(64);
        let docs: Vec<Vec<u64>> = (0..500u64)
            .map(|d| (0..=d % 7).map(mix).collect())
            .collect();
        sketch.add(&docs);
        for t in 0..7u64 {
            let truth = docs.iter().filter(|d| d.contains(&mix(t))).count() as u32;
            assert!(sketch.estimate(mix(t)) >= truth);
        }
    }
}
