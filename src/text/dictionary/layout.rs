//! The layout of `dictionary.bin`, shared by the writer (`build.rs`, which
//! includes this file) and the reader (`mod.rs`), so that both agree on it.
//! Little-endian throughout: a header (magic, word count, node count, total
//! frequency, hash-table size), the root table, the node records, the hash
//! table of wide nodes' children, and the word frequencies.

/// Marks a `dictionary.bin` of this layout.
pub(crate) const MAGIC: &[u8; 8] = b"NCLFDIC2";
/// Characters below this have a direct transition from the root.
pub(crate) const ROOT_TABLE: usize = 0x1_0000;
/// The word id of a node where no word ends.
pub(crate) const NO_WORD: u32 = u32::MAX;
/// Bytes of one node record: character, word id, first child, child count
/// with the children's filter (four `u32`), and `ln(frequency)` (`f64`).
pub(crate) const RECORD: usize = 24;
/// Nodes with more children than this have them in the hash table too.
pub(crate) const LINEAR_SEARCH: usize = 8;
/// Bits of a hash slot that hold the child's index plus one.
pub(crate) const CHILD_BITS: u32 = 20;

/// The slot where the search for `key` starts, in a table of
/// `1 << (64 - shift)` slots.
#[inline(always)]
pub(crate) fn slot_of(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// The bit that `c` sets in the high half of a record's child-count field
/// when it is one of the node's children.
#[inline(always)]
pub(crate) fn filter_bit(c: char) -> u32 {
    1 << (16 + ((c as u32).wrapping_mul(0x9E37_79B1) >> 28))
}
