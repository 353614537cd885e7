//! One map's bookkeeping, apart from its bytes: what the helpers need in the context while
//! the bytes are lent to the memory mapping.

use super::array;
use super::errno::EINVAL;
use super::hash::{HashSlots, Slot};
use crate::ebpf::map_def::{MapDef, MapKind};

/// The bookkeeping of one map: its shape, its guest address, and (for a hash) which slot
/// each key occupies. The value bytes are elsewhere ([`super::Map`] at rest, a memory
/// region during a run); this says where in them a key's value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapIndex {
    address: u64,
    kind: MapKind,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    keys: Keys,
}

/// The per-kind part of the bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Keys {
    /// Array kinds: the key is the slot.
    Array,
    /// Hash kinds: the key → slot table.
    Hash(HashSlots),
    /// A kind the helpers do not serve: lookups find nothing, updates and deletes are
    /// `-EINVAL`.
    Unsupported,
    /// The bookkeeping was lent to a [`crate::ebpf::helpers::HelperContext`] and is not
    /// back yet.
    Lent,
}

impl MapIndex {
    /// The bookkeeping of an empty map described by `def`, whose values sit at `address`.
    pub(super) fn new(def: &MapDef, address: u64) -> Self {
        let keys = if def.kind.is_array() {
            Keys::Array
        } else if def.kind.is_hash() {
            Keys::Hash(HashSlots::default())
        } else {
            Keys::Unsupported
        };
        MapIndex {
            address,
            kind: def.kind,
            key_size: def.key_size,
            value_size: def.value_size,
            max_entries: def.max_entries,
            keys,
        }
    }

    /// Takes the bookkeeping out, leaving a marker that it is lent.
    pub(super) fn lend(&mut self) -> MapIndex {
        let keys = std::mem::replace(&mut self.keys, Keys::Lent);
        MapIndex {
            keys,
            ..self.clone()
        }
    }

    /// Whether the bookkeeping is lent out.
    pub(super) fn is_lent(&self) -> bool {
        matches!(self.keys, Keys::Lent)
    }

    /// The map's guest address: its handle, and the address of slot 0's value.
    pub fn address(&self) -> u64 {
        self.address
    }

    /// The map's type.
    pub fn kind(&self) -> MapKind {
        self.kind
    }

    /// Bytes of a key.
    pub fn key_size(&self) -> u32 {
        self.key_size
    }

    /// Bytes of a value.
    pub fn value_size(&self) -> u32 {
        self.value_size
    }

    /// Whether the helpers serve this map's kind (hash, array and their per-cpu forms).
    pub fn is_supported(&self) -> bool {
        matches!(self.keys, Keys::Array | Keys::Hash(_))
    }

    /// Entries present: every index of an array, the keys of a hash.
    pub fn len(&self) -> usize {
        match &self.keys {
            Keys::Array => usize::try_from(self.max_entries).unwrap_or(usize::MAX),
            Keys::Hash(slots) => slots.len(),
            Keys::Unsupported | Keys::Lent => 0,
        }
    }

    /// Whether no entry is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slot holding `key`'s value, if the key is present.
    pub fn lookup(&self, key: &[u8]) -> Option<u32> {
        match &self.keys {
            Keys::Array => array::lookup(key, self.max_entries),
            Keys::Hash(slots) => slots.lookup(key),
            Keys::Unsupported | Keys::Lent => None,
        }
    }

    /// Where an update of `key` with `flags` would write, or the kernel's negative errno;
    /// changes nothing until [`MapIndex::commit`].
    pub fn plan_update(&self, key: &[u8], flags: u64) -> Result<Slot, i64> {
        match &self.keys {
            Keys::Array => array::plan_update(key, flags, self.max_entries).map(|index| Slot {
                index,
                fresh: false,
            }),
            Keys::Hash(slots) => slots.plan_update(key, flags, self.max_entries),
            Keys::Unsupported | Keys::Lent => Err(-EINVAL),
        }
    }

    /// Records a planned update of `key` once its value is written.
    pub fn commit(&mut self, key: &[u8], slot: Slot) {
        if let Keys::Hash(slots) = &mut self.keys {
            slots.commit(key, slot);
        }
    }

    /// Deletes `key`, returning the slot it freed, or the kernel's negative errno (an array
    /// cannot delete: `-EINVAL`; a missing hash key: `-ENOENT`).
    pub fn delete(&mut self, key: &[u8]) -> Result<u32, i64> {
        match &mut self.keys {
            Keys::Hash(slots) => slots.delete(key),
            Keys::Array | Keys::Unsupported | Keys::Lent => Err(-EINVAL),
        }
    }

    /// Byte offset of slot `index`'s value within the map's values.
    pub fn value_offset(&self, index: u32) -> u64 {
        u64::from(index).saturating_mul(u64::from(self.value_size))
    }

    /// Guest address of slot `index`'s value.
    pub fn value_address(&self, index: u32) -> u64 {
        self.address.saturating_add(self.value_offset(index))
    }

    /// Every present key with its slot, in slot order (an array's keys are its indices).
    pub fn entries(&self) -> Vec<(Vec<u8>, u32)> {
        match &self.keys {
            Keys::Array => (0..self.max_entries)
                .map(|index| (index.to_le_bytes().to_vec(), index))
                .collect(),
            Keys::Hash(slots) => slots
                .entries()
                .into_iter()
                .map(|(key, index)| (key.to_vec(), index))
                .collect(),
            Keys::Unsupported | Keys::Lent => Vec::new(),
        }
    }
}
