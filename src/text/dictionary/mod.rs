//! jieba's dictionary, prebuilt: `build.rs` turns `words.txt` (jieba's word
//! list with its frequencies) into a trie of flat arrays that the binary
//! embeds. Reading it costs a few slice operations, not a parse, so a cold
//! `predict` pays nothing for the dictionary. [`Lexicon`] adds a model's user
//! words on top.

mod layout;
mod lexicon;

pub(crate) use lexicon::{Edge, Lexicon};

use std::sync::LazyLock;

use layout::{CHILD_BITS, LINEAR_SEARCH, MAGIC, NO_WORD, RECORD, ROOT_TABLE, filter_bit, slot_of};

static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/dictionary.bin"));

/// A trie node as `build.rs` lays it out: its character, the word ending
/// there (`NO_WORD` for none), the index of its first child, its number
/// of children with, in the high 16 bits, a filter of their characters, and
/// the word's `ln(frequency)`.
#[derive(Clone, Copy)]
struct Node {
    label: u32,
    word: u32,
    first: u32,
    meta: u32,
    log_freq: f64,
}

impl Node {
    #[inline(always)]
    fn read(bytes: &[u8; RECORD]) -> Node {
        let field =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let mut log_freq = [0u8; 8];
        log_freq.copy_from_slice(&bytes[16..]);
        Node {
            label: field(0),
            word: field(4),
            first: field(8),
            meta: field(12),
            log_freq: f64::from_le_bytes(log_freq),
        }
    }

    /// Whether `c` may be a child: false means it surely is not.
    #[inline(always)]
    fn may_have(self, c: char) -> bool {
        self.meta & filter_bit(c) != 0
    }

    #[inline(always)]
    fn children(self) -> std::ops::Range<usize> {
        let first = self.first as usize;
        first..first + (self.meta & 0xFFFF) as usize
    }
}

/// The prebuilt trie, as views into the embedded bytes (see `build.rs`).
pub(crate) struct Dictionary {
    /// BMP character → the root's child on it (a record whose `label` is 0
    /// when there is none).
    root: &'static [[u8; RECORD]],
    /// The nodes, breadth first, each node's children consecutive and sorted.
    nodes: &'static [[u8; RECORD]],
    /// `(first child, character) << CHILD_BITS | child + 1` of the children
    /// of wide nodes, open addressing; 0 marks an empty slot.
    wide: &'static [[u8; 8]],
    /// `64 - log2(wide.len())`.
    wide_shift: u32,
    /// Word id → its frequency.
    freq: &'static [[u8; 4]],
    /// Sum of all frequencies.
    total: u64,
}

/// Splits `n` values of `W` bytes off the front of `bytes`.
fn take<const W: usize>(bytes: &mut &'static [u8], n: usize) -> &'static [[u8; W]] {
    let (head, rest) = bytes.split_at(n * W);
    *bytes = rest;
    head.as_chunks::<W>().0
}

impl Dictionary {
    /// The dictionary built into the binary.
    pub(crate) fn builtin() -> &'static Dictionary {
        static DICT: LazyLock<Dictionary> = LazyLock::new(|| Dictionary::read(BYTES));
        &DICT
    }

    fn read(mut bytes: &'static [u8]) -> Dictionary {
        // The bytes come from build.rs in the same build: a mismatch is a
        // build bug, never input.
        assert_eq!(
            &bytes[..8],
            MAGIC,
            "dictionary.bin is not from this build.rs"
        );
        let n_words = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let n_nodes = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let total = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
        let slots = u32::from_le_bytes(bytes[24..28].try_into().unwrap()) as usize;
        assert!(slots.is_power_of_two(), "dictionary.bin: bad table size");
        bytes = &bytes[28..];
        let dict = Dictionary {
            root: take(&mut bytes, ROOT_TABLE),
            nodes: take(&mut bytes, n_nodes),
            wide: take(&mut bytes, slots),
            wide_shift: 64 - slots.trailing_zeros(),
            freq: take(&mut bytes, n_words),
            total,
        };
        assert!(bytes.is_empty(), "dictionary.bin has trailing bytes");
        dict
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.freq.len()
    }

    /// Sum of the words' frequencies.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Frequency of word `id`.
    #[inline]
    pub(crate) fn freq(&self, id: u32) -> u64 {
        u64::from(u32::from_le_bytes(self.freq[id as usize]))
    }

    /// The root's child on `c` (every word starts in the BMP).
    #[inline(always)]
    fn first_step(&self, c: char) -> Option<Node> {
        let node = Node::read(self.root.get(c as usize)?);
        (node.label != 0).then_some(node)
    }

    /// The child of `node` on `c`.
    #[inline(always)]
    fn step(&self, node: Node, c: char) -> Option<Node> {
        if !node.may_have(c) {
            return None;
        }
        let kids = &self.nodes[node.children()];
        if kids.len() <= LINEAR_SEARCH {
            return kids.iter().map(Node::read).find(|k| k.label == c as u32);
        }
        if c as u32 >= 0x1_0000 {
            return None;
        }
        let key = (u64::from(node.first) << 16) | c as u64;
        let mask = self.wide.len() - 1;
        let mut i = slot_of(key, self.wide_shift);
        loop {
            let slot = u64::from_le_bytes(self.wide[i]);
            if slot == 0 {
                return None;
            }
            if slot >> CHILD_BITS == key {
                let child = (slot & ((1 << CHILD_BITS) - 1)) as usize - 1;
                return Some(Node::read(&self.nodes[child]));
            }
            i = (i + 1) & mask;
        }
    }

    /// Touches what a walk from a position starting with `c` will read
    /// first, so that it is in cache when the walk gets there.
    #[inline(always)]
    pub(crate) fn prefetch(&self, c: char) {
        if let Some(node) = self.first_step(c)
            && let Some(kid) = self.nodes.get(node.first as usize)
        {
            std::hint::black_box(kid[0]);
        }
    }

    /// Calls `emit(end, id, ln freq)` for every word that is a prefix of
    /// `chars[start..]`, shortest first (`end` is the index after its last
    /// character).
    #[inline]
    pub(crate) fn for_each_prefix(
        &self,
        chars: &[(u32, char)],
        start: usize,
        mut emit: impl FnMut(usize, u32, f64),
    ) {
        let Some(mut node) = self.first_step(chars[start].1) else {
            return;
        };
        let mut end = start + 1;
        loop {
            if node.word != NO_WORD {
                emit(end, node.word, node.log_freq);
            }
            let Some(&(_, c)) = chars.get(end) else {
                return;
            };
            match self.step(node, c) {
                Some(next) => node = next,
                None => return,
            }
            end += 1;
        }
    }

    /// The id of `word`, if it is in the dictionary.
    pub(crate) fn get(&self, word: &str) -> Option<u32> {
        let mut chars = word.chars();
        let mut node = self.first_step(chars.next()?)?;
        for c in chars {
            node = self.step(node, c)?;
        }
        (node.word != NO_WORD).then_some(node.word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_jiebas_word_list() {
        let dict = Dictionary::builtin();
        let list = include_str!("words.txt");
        assert_eq!(dict.len(), list.lines().count());
        let mut total = 0;
        for (id, line) in list.lines().enumerate() {
            let (word, freq) = line.split_once(' ').unwrap();
            assert_eq!(dict.get(word), Some(id as u32), "{word}");
            assert_eq!(dict.freq(id as u32), freq.parse::<u64>().unwrap());
            total += dict.freq(id as u32);
        }
        assert_eq!(dict.total(), total);
        assert_eq!(dict.get("不是一个词语的东西"), None);
        assert_eq!(dict.get(""), None);
    }

    #[test]
    fn enumerates_the_words_starting_at_a_position() {
        let dict = Dictionary::builtin();
        let text = "中华人民共和国";
        let chars: Vec<(u32, char)> = text.char_indices().map(|(i, c)| (i as u32, c)).collect();
        let mut ends = Vec::new();
        dict.for_each_prefix(&chars, 0, |end, _, _| ends.push(end));
        assert!(ends.contains(&2) && ends.contains(&7), "{ends:?}");
        assert!(ends.windows(2).all(|w| w[0] < w[1]));
    }
}
