//! Keys and enumeration of word and character n-grams, shared by counting
//! (fit) and lookup (transform) so that both see the same n-grams.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use crate::features::MAX_NGRAM;

/// Lookup key of a word n-gram from its token ids (`id + 1`, so that n-grams
/// of different lengths never share a key).
pub(super) fn word_key(ids: &[u32]) -> u128 {
    ids.iter()
        .fold(0u128, |k, &t| (k << 32) | (u128::from(t) + 1))
}

/// Lookup key of a character n-gram (at most 3 characters of 21 bits; no
/// character is NUL, since whitespace and control characters never occur in one).
pub(super) fn char_key(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |k, &c| (k << 21) | c as u64)
}

/// Calls `visit` with the character n-grams of `text` (lengths `lo..=hi`),
/// ending at each position in turn; n-grams never span whitespace.
#[inline]
pub(super) fn for_each_char_ngram(
    text: &str,
    (lo, hi): (usize, usize),
    mut visit: impl FnMut(&[char]),
) {
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

/// Lookup key of a word pair from its token ids.
pub(super) fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// 64-bit hash of a word, the key of word n-gram counting.
pub(super) fn word_hash(word: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(word.as_bytes());
    h.finish()
}

/// Calls `visit(n, start, key)` for every word n-gram of `hashes` (the
/// document's word hashes) with a length in `lo..=hi`.
pub(super) fn for_each_word_ngram(
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

/// The characters of a [`char_key`].
pub(super) fn decode_char_key(mut key: u64) -> String {
    let mut cs = Vec::with_capacity(MAX_NGRAM);
    while key != 0 {
        cs.push(char::from_u32((key & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}'));
        key >>= 21;
    }
    cs.iter().rev().collect()
}
