//! Builds the segmenter's dictionary once, at compile time: jieba's word list
//! (`src/text/dictionary/words.txt`) becomes a trie laid out as flat
//! little-endian arrays (`$OUT_DIR/dictionary.bin`) that the binary embeds and
//! reads in place, so that no run of newsclf parses the dictionary or builds a
//! trie. The layout is read by `src/text/dictionary/mod.rs`; both sides must
//! agree on it.
//!
//! Nodes are numbered breadth first, so a node's children are consecutive
//! records, sorted by character.

use std::collections::HashMap;
use std::path::Path;

const WORDS: &str = "src/text/dictionary/words.txt";
#[path = "src/text/dictionary/layout.rs"]
mod layout;

use layout::{CHILD_BITS, LINEAR_SEARCH, MAGIC, NO_WORD, RECORD, ROOT_TABLE, filter_bit, slot_of};

fn main() {
    println!("cargo:rerun-if-changed={WORDS}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/text/dictionary/layout.rs");
    let text = std::fs::read_to_string(WORDS).unwrap_or_else(|e| panic!("{WORDS}: {e}"));

    let mut words: Vec<(&str, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut parts = line.split(' ');
        let (Some(word), Some(freq), None) = (parts.next(), parts.next(), parts.next()) else {
            panic!("{WORDS}:{}: expected `word frequency`", i + 1);
        };
        let freq: u32 = freq
            .parse()
            .unwrap_or_else(|e| panic!("{WORDS}:{}: frequency: {e}", i + 1));
        words.push((word, freq));
    }

    // A trie with nodes in insertion order: (parent, char) → child.
    let mut child_of: HashMap<(u32, char), u32> = HashMap::new();
    let mut node_char: Vec<char> = vec!['\0'];
    let mut node_word: Vec<u32> = vec![NO_WORD];
    let mut children: Vec<Vec<u32>> = vec![Vec::new()];
    for (id, &(word, _)) in words.iter().enumerate() {
        let mut node = 0u32;
        for c in word.chars() {
            node = *child_of.entry((node, c)).or_insert_with(|| {
                let new = node_char.len() as u32;
                node_char.push(c);
                node_word.push(NO_WORD);
                children.push(Vec::new());
                children[node as usize].push(new);
                new
            });
        }
        assert!(
            node_word[node as usize] == NO_WORD,
            "{WORDS}: {word} occurs twice"
        );
        node_word[node as usize] = id as u32;
    }

    // Breadth-first renumbering, children sorted by character.
    let n = node_char.len();
    let mut order: Vec<u32> = vec![0];
    let mut new_id = vec![0u32; n];
    let mut first_child = Vec::with_capacity(n + 1);
    let mut i = 0;
    while i < order.len() {
        let old = order[i] as usize;
        let mut kids = std::mem::take(&mut children[old]);
        kids.sort_by_key(|&k| node_char[k as usize]);
        first_child.push(order.len() as u32);
        for k in kids {
            new_id[k as usize] = order.len() as u32;
            order.push(k);
        }
        i += 1;
    }
    first_child.push(order.len() as u32);
    assert_eq!(order.len(), n);

    // Each node is one 24-byte record: its character, the word ending there,
    // where its children start, their count with a filter of their
    // characters (see `filter_bit`), and the word's `ln(frequency)`.
    let mut records = Vec::with_capacity(n);
    for (k, &old) in order.iter().enumerate() {
        let (lo, hi) = (first_child[k], first_child[k + 1]);
        let count = hi - lo;
        assert!(count < 1 << 16, "a node with {count} children");
        let filter = (lo..hi).fold(0u32, |f, c| {
            f | filter_bit(node_char[order[c as usize] as usize])
        });
        let word = node_word[old as usize];
        let log_freq = words
            .get(word as usize)
            .map_or(0.0, |&(_, f)| f64::from(f).ln());
        records.push((
            [node_char[old as usize] as u32, word, lo, count | filter],
            log_freq,
        ));
    }
    let mut root = vec![([0u32; 4], 0.0); ROOT_TABLE];
    for k in first_child[0]..first_child[1] {
        let c = node_char[order[k as usize] as usize] as usize;
        assert!(c < ROOT_TABLE, "a word starts outside the BMP");
        root[c] = records[k as usize];
    }

    // The children of nodes with many are also found through one hash table
    // of `(first child, character)`, one probe instead of a bisection.
    assert!(n < (1 << CHILD_BITS) - 1, "{n} nodes");
    assert!(
        node_char.iter().all(|&c| (c as u32) < 0x1_0000),
        "a word has a character outside the BMP"
    );
    let wide: usize = (1..n)
        .map(|k| (first_child[k + 1] - first_child[k]) as usize)
        .filter(|&count| count > LINEAR_SEARCH)
        .sum();
    let slots = (wide * 2).next_power_of_two();
    let mut table = vec![0u64; slots];
    for k in 1..n {
        let (lo, hi) = (first_child[k], first_child[k + 1]);
        if ((hi - lo) as usize) <= LINEAR_SEARCH {
            continue;
        }
        for child in lo..hi {
            let key = (u64::from(lo) << 16) | node_char[order[child as usize] as usize] as u64;
            let mut i = slot_of(key, 64 - slots.trailing_zeros());
            while table[i] != 0 {
                i = (i + 1) & (slots - 1);
            }
            table[i] = (key << CHILD_BITS) | u64::from(child + 1);
        }
    }

    let total: u64 = words.iter().map(|&(_, f)| u64::from(f)).sum();
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(words.len() as u32).to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&(slots as u32).to_le_bytes());
    assert_eq!(4 * 4 + 8, RECORD, "a record is four u32 and an f64");
    for (fields, log_freq) in root.iter().chain(&records) {
        for v in fields {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&log_freq.to_bits().to_le_bytes());
    }
    for slot in &table {
        out.extend_from_slice(&slot.to_le_bytes());
    }
    for &(_, f) in &words {
        out.extend_from_slice(&f.to_le_bytes());
    }

    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let path = Path::new(&out_dir).join("dictionary.bin");
    std::fs::write(&path, &out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
