//! The words segmentation may use: the prebuilt dictionary plus a model's
//! user words, which either add a word or change a dictionary word's
//! frequency, exactly as `jieba_rs::Jieba::add_word` does.

use rustc_hash::FxHashMap;

use super::Dictionary;

/// A word of the word graph: the character after it, its id, its
/// `ln(frequency)`.
#[derive(Clone, Copy)]
pub(crate) struct Edge {
    pub(crate) end: u32,
    pub(crate) word: u32,
    pub(crate) log_freq: f64,
}

/// The prebuilt dictionary with user words merged in. Word ids below
/// `base.len()` are the dictionary's; added words follow.
pub(crate) struct Lexicon {
    base: &'static Dictionary,
    /// Dictionary words whose frequency a user word changed: id → (freq, ln freq).
    changed: FxHashMap<u32, (u64, f64)>,
    /// Trie of the added words: (node, character) → node; node 0 is the root.
    added_children: FxHashMap<(u32, char), u32>,
    /// Node of the added-word trie → the added word ending there.
    added_word_at: Vec<Option<u32>>,
    /// Added word → (freq, ln freq).
    added: Vec<(u64, f64)>,
    total: u64,
    log_total: f64,
}

impl Lexicon {
    /// The prebuilt dictionary alone.
    pub(crate) fn builtin() -> Self {
        let base = Dictionary::builtin();
        Lexicon {
            base,
            changed: FxHashMap::default(),
            added_children: FxHashMap::default(),
            added_word_at: vec![None],
            added: Vec::new(),
            total: base.total(),
            log_total: (base.total() as f64).ln(),
        }
    }

    /// `ln` of the sum of all frequencies.
    #[inline(always)]
    pub(crate) fn log_total(&self) -> f64 {
        self.log_total
    }

    fn freq(&self, id: u32) -> u64 {
        let n = self.base.len() as u32;
        if id >= n {
            self.added[(id - n) as usize].0
        } else {
            self.changed
                .get(&id)
                .map_or_else(|| self.base.freq(id), |&(f, _)| f)
        }
    }

    /// The frequency of `word`, or `default` when it is not a word.
    pub(crate) fn freq_or(&self, word: &str, default: u64) -> u64 {
        self.get(word).map_or(default, |id| self.freq(id))
    }

    fn get(&self, word: &str) -> Option<u32> {
        if let Some(id) = self.base.get(word) {
            return Some(id);
        }
        let mut node = 0;
        for c in word.chars() {
            node = *self.added_children.get(&(node, c))?;
        }
        self.added_word_at[node as usize].map(|k| self.base.len() as u32 + k)
    }

    /// Appends an edge to `edges` for every word that is a prefix of
    /// `chars[start..]`, in increasing `end`.
    #[inline]
    pub(crate) fn prefixes(&self, chars: &[(u32, char)], start: usize, edges: &mut Vec<Edge>) {
        let first = edges.len();
        self.base
            .for_each_prefix(chars, start, |end, word, log_freq| {
                edges.push(Edge {
                    end: end as u32,
                    word,
                    log_freq,
                })
            });
        if self.added.is_empty() && self.changed.is_empty() {
            return;
        }
        for edge in &mut edges[first..] {
            if let Some(&(_, log_freq)) = self.changed.get(&edge.word) {
                edge.log_freq = log_freq;
            }
        }
        let from_base = edges.len();
        let mut node = 0;
        for (i, &(_, c)) in chars.iter().enumerate().skip(start) {
            match self.added_children.get(&(node, c)) {
                Some(&next) => node = next,
                None => break,
            }
            if let Some(k) = self.added_word_at[node as usize] {
                edges.push(Edge {
                    end: (i + 1) as u32,
                    word: self.base.len() as u32 + k,
                    log_freq: self.added[k as usize].1,
                });
            }
        }
        if edges.len() > from_base && from_base > first {
            edges[first..].sort_unstable_by_key(|e| e.end);
        }
    }

    /// Touches what [`Lexicon::prefixes`] will read first for a position
    /// starting with `c`.
    #[inline(always)]
    pub(crate) fn prefetch(&self, c: char) {
        self.base.prefetch(c);
    }

    /// Adds `word` with frequency `freq`, or gives a dictionary word that
    /// frequency; the total changes by the difference, as in jieba.
    pub(crate) fn add_word(&mut self, word: &str, freq: u64) {
        if word.is_empty() {
            return;
        }
        let entry = (freq, (freq as f64).ln());
        match self.get(word) {
            Some(id) => {
                let old = self.freq(id);
                let n = self.base.len() as u32;
                if id >= n {
                    self.added[(id - n) as usize] = entry;
                } else {
                    self.changed.insert(id, entry);
                }
                self.total = self.total + freq - old;
            }
            None => {
                let mut node = 0;
                for c in word.chars() {
                    let next = self.added_word_at.len() as u32;
                    node = *self.added_children.entry((node, c)).or_insert(next);
                    if node == next {
                        self.added_word_at.push(None);
                    }
                }
                self.added_word_at[node as usize] = Some(self.added.len() as u32);
                self.added.push(entry);
                self.total += freq;
            }
        }
        self.log_total = (self.total as f64).ln();
    }
}
