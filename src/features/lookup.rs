//! Hash tables from tokens and n-gram keys to feature indices, derived from
//! the vocabularies whenever a vectorizer is made or loaded (never stored).

use rustc_hash::FxHashMap;

use super::flat_table::FlatTable;
use super::ngrams::{char_key, pair_key, word_hash, word_key};
use crate::features::{MAX_NGRAM, Vocabulary};

/// Marks a token or term that is not in the vocabulary.
pub(super) const NONE: u32 = u32::MAX;

/// Hash tables from tokens and n-gram keys to feature indices, rebuilt from
/// the vocabularies whenever a vectorizer is made or loaded.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookup {
    /// 64-bit hash of every word that occurs in a word feature → token id.
    /// Two words sharing a hash are refused when the table is built; a word
    /// outside the vocabulary matches a vocabulary word's hash with
    /// probability about 2⁻⁴⁷ (for 100,000 words), and saves a string
    /// comparison on every lookup.
    tokens: FlatTable<u64>,
    /// Token id → feature of the word alone, or `NONE`.
    unigram: Vec<u32>,
    /// `pair_key` → feature, for word pairs.
    word_pairs: FlatTable<u64>,
    /// `word_key` → feature, for word triples.
    word_triples: FxHashMap<u128, u32>,
    /// Single characters of the Basic Multilingual Plane → feature, or
    /// `NONE`: a direct table, since they are the most frequent lookups.
    /// Empty when the model has no single-character features.
    bmp_chars: Vec<u32>,
    /// Pairs of BMP characters (`c1 << 16 | c2`) → feature: half the size of
    /// a table of 64-bit keys, so fewer cache misses.
    bmp_pairs: FlatTable<u32>,
    /// `char_key` → feature (offset by the word block), for the rest.
    char_ngrams: FxHashMap<u64, u32>,
}

impl Lookup {
    #[inline]
    pub(super) fn char_feature(&self, gram: &[char]) -> Option<u32> {
        match *gram {
            [c] if (c as usize) < self.bmp_chars.len() => {
                let f = self.bmp_chars[c as usize];
                (f != NONE).then_some(f)
            }
            [a, b] if (a as u32) < 0x10000 && (b as u32) < 0x10000 => {
                let f = self.bmp_pairs.get(((a as u32) << 16) | b as u32);
                (f != NONE).then_some(f)
            }
            _ => self.char_ngrams.get(&char_key(gram)).copied(),
        }
    }

    #[inline]
    pub(super) fn word_ngram(&self, ids: &[u32]) -> u32 {
        match *ids {
            [a] => self.unigram[a as usize],
            [a, b] => self.word_pairs.get(pair_key(a, b)),
            _ => self
                .word_triples
                .get(&word_key(ids))
                .copied()
                .unwrap_or(NONE),
        }
    }

    pub(super) fn build(
        words: &Vocabulary,
        chars: &Vocabulary,
    ) -> std::result::Result<Self, String> {
        let mut lookup = Lookup::default();
        let mut tokens = FxHashMap::default();
        let mut word_pairs = FxHashMap::default();
        let mut bmp_pairs = FxHashMap::default();
        let mut ids_of: FxHashMap<&str, u32> = FxHashMap::default();
        for (f, term) in words.terms().iter().enumerate() {
            let mut ids = [0u32; MAX_NGRAM];
            let mut n = 0;
            for part in term.split(' ') {
                if part.is_empty() || n == MAX_NGRAM {
                    return Err(format!("malformed word n-gram {term:?}"));
                }
                let next = ids_of.len() as u32;
                let id = *ids_of.entry(part).or_insert(next);
                if id == next {
                    if tokens.insert(word_hash(part), id).is_some() {
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
                    word_pairs.insert(pair_key(a, b), f);
                }
                _ => {
                    lookup.word_triples.insert(word_key(&ids[..n]), f);
                }
            }
        }
        let offset = words.len() as u32;
        for (g, term) in chars.terms().iter().enumerate() {
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
                    bmp_pairs.insert(((a as u32) << 16) | b as u32, f);
                }
                _ => {
                    lookup.char_ngrams.insert(char_key(&cs), f);
                }
            }
        }
        lookup.tokens = FlatTable::from_map(&tokens);
        lookup.word_pairs = FlatTable::from_map(&word_pairs);
        lookup.bmp_pairs = FlatTable::from_map(&bmp_pairs);
        Ok(lookup)
    }

    /// The token id of `word`, or `NONE`.
    #[inline]
    pub(super) fn token(&self, word: &str) -> u32 {
        self.tokens.get(word_hash(word))
    }
}
