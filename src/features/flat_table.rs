//! A read-only open-addressing hash table from integer keys to small
//! values, built once from a map. Each slot holds its key and its value side
//! by side, so a lookup usually reads one cache line, where a `HashMap` reads
//! a control byte and then the bucket.

use std::collections::HashMap;
use std::hash::BuildHasher;

/// A key of a [`FlatTable`].
pub(super) trait FlatKey: Copy + Eq + Default {
    /// The key as 64 bits, to be mixed into a slot index.
    fn bits(self) -> u64;
}

impl FlatKey for u32 {
    #[inline]
    fn bits(self) -> u64 {
        u64::from(self)
    }
}

impl FlatKey for u64 {
    #[inline]
    fn bits(self) -> u64 {
        self
    }
}

/// A value of a [`FlatTable`], with a reserved "absent" value.
pub(super) trait FlatValue: Copy {
    /// The value of an empty slot and of an absent key.
    const ABSENT: Self;
    /// Whether this is [`FlatValue::ABSENT`].
    fn is_absent(&self) -> bool;
}

/// Keys to values, linear probing, at most half full.
///
/// An empty slot holds `(K::default(), V::ABSENT)`: looking up the default
/// key either finds its own slot first or stops at an empty one with the
/// same answer, "absent", so no separate occupancy flag is needed.
#[derive(Debug, Clone)]
pub(super) struct FlatTable<K, V> {
    slots: Box<[(K, V)]>,
    /// `64 - log2(slots.len())`: the slot index is the top bits of a product.
    shift: u32,
}

impl<K: FlatKey, V: FlatValue> Default for FlatTable<K, V> {
    fn default() -> Self {
        Self::from_map(&HashMap::<K, V>::default())
    }
}

impl<K: FlatKey, V: FlatValue> FlatTable<K, V> {
    /// The table of `map`, which holds no absent value.
    pub(super) fn from_map<S: BuildHasher>(map: &HashMap<K, V, S>) -> Self {
        let len = (map.len() * 2).next_power_of_two().max(2);
        let mut table = FlatTable {
            slots: vec![(K::default(), V::ABSENT); len].into_boxed_slice(),
            shift: 64 - len.trailing_zeros(),
        };
        for (&key, &value) in map {
            debug_assert!(!value.is_absent());
            let mut i = table.home(key);
            while !table.slots[i].1.is_absent() {
                i = (i + 1) & (len - 1);
            }
            table.slots[i] = (key, value);
        }
        table
    }

    /// The slot where the search for `key` starts (Fibonacci hashing).
    #[inline]
    fn home(&self, key: K) -> usize {
        (key.bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The value of `key`, or `V::ABSENT`.
    #[inline]
    pub(super) fn get(&self, key: K) -> V {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return v;
            }
            if v.is_absent() {
                return V::ABSENT;
            }
            i = (i + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashMap;

    const NONE: u32 = u32::MAX;

    impl FlatValue for u32 {
        const ABSENT: u32 = NONE;
        fn is_absent(&self) -> bool {
            *self == NONE
        }
    }

    #[test]
    fn finds_every_key_and_no_other() {
        let map: FxHashMap<u64, u32> = (0..1000u64).map(|k| (k * 7919, k as u32)).collect();
        let table = FlatTable::from_map(&map);
        for (&k, &v) in &map {
            assert_eq!(table.get(k), v);
        }
        assert_eq!(table.get(1), NONE);
        assert_eq!(FlatTable::<u32, u32>::default().get(0), NONE);
        let zero: FxHashMap<u32, u32> = [(0, 5), (1, 6)].into_iter().collect();
        assert_eq!(FlatTable::from_map(&zero).get(0), 5);
    }
}
