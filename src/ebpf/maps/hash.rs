//! The bookkeeping of a hash map (`BPF_MAP_TYPE_HASH`, and the per-cpu hash run as one cpu):
//! which slot each key's value occupies.
//!
//! The values sit in `max_entries` fixed slots of the map's guest region; the host keeps
//! only the key → slot table and the slots that are free:
//!
//! ```text
//!   by_key   {"ab" → 0, "cd" → 2}
//!   free     [1]              slots given back by deletes, reused last-in first-out
//!   next     3                slots 3.. were never used
//!   values   | ab's value | (free) | cd's value | (never used) | …    value_size bytes apart
//! ```
//!
//! A key keeps its slot while it exists: an update of an existing key writes in place, and
//! inserting or deleting other keys never moves it, so a pointer a lookup returned stays
//! valid (the kernel's preallocated hash may swap in a fresh element on update; we do not).
//! The kernel's answers (`kernel/bpf/hashtab.c`, `check_flags` then the size check):
//!
//! | update of | `BPF_ANY` | `BPF_NOEXIST` | `BPF_EXIST` |
//! |-----------|-----------|---------------|-------------|
//! | an existing key | in place | `-EEXIST` | in place |
//! | a new key, room left | new slot | new slot | `-ENOENT` |
//! | a new key, map full | `-E2BIG` | `-E2BIG` | `-ENOENT` |
//!
//! Flags above `BPF_EXIST` are `-EINVAL`; deleting a missing key is `-ENOENT`.

use super::errno::{BPF_EXIST, BPF_NOEXIST, E2BIG, EEXIST, EINVAL, ENOENT};
use std::collections::HashMap;

/// Where an update goes: a slot, and whether the key is new to the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The slot's index (its value sits `index × value_size` bytes into the region).
    pub index: u32,
    /// Whether the update inserts the key (else it overwrites the key's value).
    pub fresh: bool,
}

/// The key → slot table of one hash map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct HashSlots {
    by_key: HashMap<Vec<u8>, u32>,
    free: Vec<u32>,
    next: u32,
}

impl HashSlots {
    /// Keys present.
    pub(super) fn len(&self) -> usize {
        self.by_key.len()
    }

    /// The slot of `key`, if present.
    pub(super) fn lookup(&self, key: &[u8]) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// Where an update of `key` would go, or the kernel's negative errno; changes nothing.
    pub(super) fn plan_update(
        &self,
        key: &[u8],
        flags: u64,
        max_entries: u32,
    ) -> Result<Slot, i64> {
        if flags > BPF_EXIST {
            return Err(-EINVAL);
        }
        match (self.lookup(key), flags) {
            (Some(_), BPF_NOEXIST) => Err(-EEXIST),
            (Some(index), _) => Ok(Slot {
                index,
                fresh: false,
            }),
            (None, BPF_EXIST) => Err(-ENOENT),
            (None, _) => {
                let full = u32::try_from(self.len()).map_or(true, |len| len >= max_entries);
                if full {
                    return Err(-E2BIG);
                }
                let index = self.free.last().copied().unwrap_or(self.next);
                Ok(Slot { index, fresh: true })
            }
        }
    }

    /// Records the update [`HashSlots::plan_update`] planned for `key` (after its value was
    /// written).
    pub(super) fn commit(&mut self, key: &[u8], slot: Slot) {
        if !slot.fresh {
            return;
        }
        if self.free.last() == Some(&slot.index) {
            self.free.pop();
        } else {
            // The plan took the first never-used slot; fewer than max_entries (a u32) are.
            self.next = self.next.saturating_add(1);
        }
        self.by_key.insert(key.to_vec(), slot.index);
    }

    /// Removes `key`, returning its slot to the free list; `-ENOENT` if it is missing.
    pub(super) fn delete(&mut self, key: &[u8]) -> Result<u32, i64> {
        let index = self.by_key.remove(key).ok_or(-ENOENT)?;
        self.free.push(index);
        Ok(index)
    }

    /// Every key with its slot, in slot order.
    pub(super) fn entries(&self) -> Vec<(&[u8], u32)> {
        let mut entries: Vec<(&[u8], u32)> = self
            .by_key
            .iter()
            .map(|(key, &index)| (key.as_slice(), index))
            .collect();
        entries.sort_unstable_by_key(|&(_, index)| index);
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(slots: &mut HashSlots, key: &[u8], max: u32) -> Result<u32, i64> {
        let slot = slots.plan_update(key, 0, max)?;
        slots.commit(key, slot);
        Ok(slot.index)
    }

    #[test]
    fn slots_are_reused_and_keys_keep_theirs() {
        let mut slots = HashSlots::default();
        assert_eq!(insert(&mut slots, b"a", 3), Ok(0));
        assert_eq!(insert(&mut slots, b"b", 3), Ok(1));
        assert_eq!(insert(&mut slots, b"c", 3), Ok(2));
        // kernel/bpf/hashtab.c: a new key when full is -E2BIG.
        assert_eq!(insert(&mut slots, b"d", 3), Err(-E2BIG));
        assert_eq!(slots.delete(b"b"), Ok(1));
        assert_eq!(slots.delete(b"b"), Err(-ENOENT));
        assert_eq!(insert(&mut slots, b"d", 3), Ok(1), "the freed slot");
        assert_eq!(
            insert(&mut slots, b"a", 3),
            Ok(0),
            "an existing key stays put"
        );
        assert_eq!(slots.lookup(b"c"), Some(2));
        let keys: Vec<_> = slots
            .entries()
            .into_iter()
            .map(|(k, i)| (k.to_vec(), i))
            .collect();
        assert_eq!(
            keys,
            vec![(b"a".to_vec(), 0), (b"d".to_vec(), 1), (b"c".to_vec(), 2)]
        );
    }

    #[test]
    fn the_kernel_flag_rules() {
        // kernel/bpf/hashtab.c check_flags: NOEXIST on an existing key is -EEXIST, EXIST on
        // a missing key -ENOENT; flags above BPF_EXIST are -EINVAL.
        let mut slots = HashSlots::default();
        assert_eq!(insert(&mut slots, b"k", 1), Ok(0));
        assert_eq!(slots.plan_update(b"k", BPF_NOEXIST, 1), Err(-EEXIST));
        assert_eq!(slots.plan_update(b"x", BPF_EXIST, 1), Err(-ENOENT));
        assert_eq!(slots.plan_update(b"x", BPF_NOEXIST, 1), Err(-E2BIG));
        assert_eq!(slots.plan_update(b"k", 3, 1), Err(-EINVAL));
        assert_eq!(
            slots.plan_update(b"k", BPF_EXIST, 1),
            Ok(Slot {
                index: 0,
                fresh: false
            })
        );
    }
}
