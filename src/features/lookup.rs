//! Hash tables from tokens and n-gram keys to feature indices, derived from
//! the vocabularies whenever a vectorizer is made or loaded (never stored).

use rustc_hash::FxHashMap;

use super::flat_table::{FlatTable, FlatValue};
use super::ngrams::{char_key, pair_key, word_hash, word_key};
use crate::features::{MAX_NGRAM, Vocabulary};

/// Marks a token or term that is not in the vocabulary.
pub(super) const NONE: u32 = u32::MAX;

/// A feature and its inverse document frequency, kept together so that the
/// lookup that finds the feature also brings its IDF into the cache.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Hit {
    pub(super) feature: u32,
    pub(super) idf: f32,
}

impl Hit {
    /// Packs the hit into one integer that sorts by feature (one feature has
    /// one IDF, so equal features pack equally).
    #[inline]
    pub(super) fn packed(self) -> u64 {
        (u64::from(self.feature) << 32) | u64::from(self.idf.to_bits())
    }

    /// The feature and IDF of a [`Hit::packed`] value.
    #[inline]
    pub(super) fn unpack(packed: u64) -> (u32, f32) {
        ((packed >> 32) as u32, f32::from_bits(packed as u32))
    }
}

impl FlatValue for Hit {
    const ABSENT: Hit = Hit {
        feature: NONE,
        idf: 0.0,
    };

    #[inline]
    fn is_absent(&self) -> bool {
        self.feature == NONE
    }
}

/// A word of the vocabulary: its token id (for n-gram keys) and its own
/// feature, if it is one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) id: u32,
    pub(super) unigram: Hit,
}

impl FlatValue for Token {
    const ABSENT: Token = Token {
        id: NONE,
        unigram: Hit::ABSENT,
    };

    #[inline]
    fn is_absent(&self) -> bool {
        self.id == NONE
    }
}

/// Hash tables from tokens and n-gram keys to feature indices, rebuilt from
/// the vocabularies whenever a vectorizer is made or loaded.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookup {
    /// 64-bit hash of every word that occurs in a word feature → token.
    /// Two words sharing a hash are refused when the table is built; a word
    /// outside the vocabulary matches a vocabulary word's hash with
    /// probability about 2⁻⁴⁷ (for 100,000 words), and saves a string
    /// comparison on every lookup.
    tokens: FlatTable<u64, Token>,
    /// `pair_key` → feature, for word pairs.
    word_pairs: FlatTable<u64, Hit>,
    /// `word_key` → feature, for word triples.
    word_triples: FxHashMap<u128, Hit>,
    /// Single characters of the Basic Multilingual Plane → feature, or
    /// `NONE`: a direct table, since they are the most frequent lookups.
    /// Empty when the model has no single-character features.
    bmp_chars: Vec<Hit>,
    /// Pairs of BMP characters (`c1 << 16 | c2`) → feature: half the size of
    /// a table of 64-bit keys, so fewer cache misses.
    bmp_pairs: FlatTable<u32, Hit>,
    /// `char_key` → feature (offset by the word block), for the rest.
    char_ngrams: FxHashMap<u64, Hit>,
}

impl Lookup {
    /// The feature of a character n-gram, or `Hit::ABSENT`.
    #[inline]
    pub(super) fn char_feature(&self, gram: &[char]) -> Hit {
        match *gram {
            [c] if (c as usize) < self.bmp_chars.len() => self.bmp_chars[c as usize],
            [a, b] if (a as u32) < 0x10000 && (b as u32) < 0x10000 => {
                self.bmp_pairs.get(((a as u32) << 16) | b as u32)
            }
            _ => self
                .char_ngrams
                .get(&char_key(gram))
                .copied()
                .unwrap_or(Hit::ABSENT),
        }
    }

    /// The feature of a word n-gram of two or more token ids, or
    /// `Hit::ABSENT`; single words come with their [`Token`].
    #[inline]
    pub(super) fn word_ngram(&self, ids: &[u32]) -> Hit {
        match *ids {
            [a, b] => self.word_pairs.get(pair_key(a, b)),
            _ => self
                .word_triples
                .get(&word_key(ids))
                .copied()
                .unwrap_or(Hit::ABSENT),
        }
    }

    /// The tables of `words` and `chars` (features in that order), with
    /// `idf[feature]` beside each feature.
    pub(super) fn build(
        words: &Vocabulary,
        chars: &Vocabulary,
        idf: &[f32],
    ) -> std::result::Result<Self, String> {
        let hit = |feature: u32| Hit {
            feature,
            idf: idf[feature as usize],
        };
        let mut lookup = Lookup::default();
        let mut unigram = Vec::new();
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
                    unigram.push(Hit::ABSENT);
                }
                ids[n] = id;
                n += 1;
            }
            let f = f as u32;
            match ids[..n] {
                [a] => unigram[a as usize] = hit(f),
                [a, b] => {
                    word_pairs.insert(pair_key(a, b), hit(f));
                }
                _ => {
                    lookup.word_triples.insert(word_key(&ids[..n]), hit(f));
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
                        lookup.bmp_chars = vec![Hit::ABSENT; 0x10000];
                    }
                    lookup.bmp_chars[c as usize] = hit(f);
                }
                [a, b] if (a as u32) < 0x10000 && (b as u32) < 0x10000 => {
                    bmp_pairs.insert(((a as u32) << 16) | b as u32, hit(f));
                }
                _ => {
                    lookup.char_ngrams.insert(char_key(&cs), hit(f));
                }
            }
        }
        let tokens: FxHashMap<u64, Token> = tokens
            .into_iter()
            .map(|(hash, id)| {
                let unigram = unigram[id as usize];
                (hash, Token { id, unigram })
            })
            .collect();
        lookup.tokens = FlatTable::from_map(&tokens);
        lookup.word_pairs = FlatTable::from_map(&word_pairs);
        lookup.bmp_pairs = FlatTable::from_map(&bmp_pairs);
        Ok(lookup)
    }

    /// The token of `word`, or `Token::ABSENT`.
    #[inline]
    pub(super) fn token(&self, word: &str) -> Token {
        self.tokens.get(word_hash(word))
    }
}
