//! Document frequencies counted while fitting, in parallel chunks merged
//! pairwise, and the text of the word n-grams kept.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::features::{FeatureConfig, MAX_NGRAM, Segmented};

use super::ngrams::{char_key, for_each_char_ngram, for_each_word_ngram, word_hash};

/// Document frequency of a term and the last document that counted it.
#[derive(Clone, Copy)]
pub(super) struct DfEntry {
    pub(super) df: u32,
    last: u32,
}

/// Document frequencies while fitting: word n-grams by length, keyed by
/// their words' 64-bit hashes (the text of the few terms kept is recovered
/// afterwards), and character n-grams, keyed exactly.
#[derive(Default)]
pub(super) struct DfTables {
    pub(super) words: [FxHashMap<u128, DfEntry>; MAX_NGRAM],
    pub(super) chars: FxHashMap<u64, DfEntry>,
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
    pub(super) fn add(&mut self, config: &FeatureConfig, doc: &Segmented, id: u32) {
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

    pub(super) fn merge(mut self, other: DfTables) -> DfTables {
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
pub(super) fn word_ngram_texts(
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
