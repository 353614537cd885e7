//! Hash and array maps: state a program keeps across runs, which the embedder can read.
//!
//! # Bytes and bookkeeping apart
//!
//! A map is two things. Its **values** are guest memory: `max_entries` slots of
//! `value_size` bytes at the map's slot in the address space ([`layout::map_address`]), so a
//! program writes through the pointer a lookup returned and the bytes stay there for the
//! next run. Its **bookkeeping** ([`MapIndex`]) is host state: its shape and, for a hash,
//! which slot each key occupies. At rest a [`Map`] holds both. For a run they part:
//!
//! ```text
//!               Maps::lend(&mut context)                 Maps::reclaim(&mut context)
//!   Maps ─────────────────────────────────────────► run ───────────────────────────► Maps
//!    ├ values  ──► writable MemoryRegion at map_address(i) ─► the guest, and the helpers
//!    │                                                       through MemoryMapping::write_bytes
//!    └ index   ──► HelperContext (moved, not copied)       ─► the helpers, through the context
//! ```
//!
//! The helpers run while the values are lent to the mapping, so they reach the bytes the
//! way the guest does (an unreadable key is the mapping's access fault) and the bookkeeping
//! through the context. [`Maps::with_lent`] does both moves around a closure, so the
//! bookkeeping cannot stay behind in the context; [`Maps::lend`] and [`Maps::reclaim`] are
//! the two halves for a caller that needs them apart. Between them the maps answer as if
//! empty (their bookkeeping is away); the borrow of the values keeps the embedder out
//! meanwhile anyway.
//!
//! # Limits
//!
//! Sizes are checked before anything is allocated: a hash or array with a zero key size,
//! value size or capacity, an array whose key is not a `u32`, a hash key above
//! [`MAX_HASH_KEY_SIZE`] (the kernel's limit: keys are built on the 512-byte stack), more
//! than [`layout::MAX_MAPS`] maps, or more than [`MAX_TOTAL_MAP_BYTES`] of values and hash
//! key tables together are each a [`MapError`]; so is memory the host cannot give. Maps of other
//! kinds load with no storage, and the helpers refuse them (`-EINVAL`).
//!
//! Per-cpu maps run as one cpu: a value is `value_size` bytes, as for their plain kinds.
//!
//! # The embedder's view
//!
//! ```
//! use sbvm::ebpf::map_def::{MapDef, MapKind};
//! use sbvm::ebpf::maps::{errno, Maps};
//!
//! let def = MapDef { name: "hits".into(), kind: MapKind::Hash, key_size: 4, value_size: 8,
//!                    max_entries: 2, flags: 0 };
//! let mut maps = Maps::new(&[def]).unwrap();
//! let hits = maps.get_mut("hits").unwrap();
//! hits.update(&7u32.to_le_bytes(), &1u64.to_le_bytes(), errno::BPF_NOEXIST).unwrap();
//! assert_eq!(hits.update(&7u32.to_le_bytes(), &2u64.to_le_bytes(), errno::BPF_NOEXIST),
//!            Err(-errno::EEXIST));
//! assert_eq!(hits.lookup(&7u32.to_le_bytes()), Some(&1u64.to_le_bytes()[..]));
//! assert_eq!(hits.entries(), vec![(7u32.to_le_bytes().to_vec(), 1u64.to_le_bytes().to_vec())]);
//! ```

#![deny(clippy::arithmetic_side_effects)]

mod array;
mod hash;
mod index;
mod limits;

pub use hash::Slot;
pub use index::MapIndex;
pub use limits::{MapError, HASH_ENTRY_OVERHEAD, MAX_HASH_KEY_SIZE, MAX_TOTAL_MAP_BYTES};

use limits::storage;

use crate::ebpf::layout;
use crate::ebpf::map_def::MapDef;
use crate::memory::MemoryRegion;

/// The kernel's errno values and update flags the map operations answer with
/// (`include/uapi/asm-generic/errno-base.h`, `include/uapi/linux/bpf.h`). Operations return
/// them negated, as the kernel's helpers do.
pub mod errno {
    /// No such entry.
    pub const ENOENT: i64 = 2;
    /// Argument list too long: an index past the array, a full hash.
    pub const E2BIG: i64 = 7;
    /// The entry exists.
    pub const EEXIST: i64 = 17;
    /// Invalid argument.
    pub const EINVAL: i64 = 22;
    /// `BPF_ANY`: create or update.
    pub const BPF_ANY: u64 = 0;
    /// `BPF_NOEXIST`: create only.
    pub const BPF_NOEXIST: u64 = 1;
    /// `BPF_EXIST`: update only.
    pub const BPF_EXIST: u64 = 2;
}

/// One map: its definition, its values and its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    def: MapDef,
    values: Vec<u8>,
    index: MapIndex,
}

impl Map {
    /// What the object declared.
    pub fn def(&self) -> &MapDef {
        &self.def
    }

    /// The map's guest address: the handle a program passes to the helpers.
    pub fn address(&self) -> u64 {
        self.index.address()
    }

    /// The bookkeeping (while lent, it answers as an empty map).
    pub fn index(&self) -> &MapIndex {
        &self.index
    }

    /// All value bytes, slot after slot (empty for a kind without storage).
    pub fn values(&self) -> &[u8] {
        &self.values
    }

    /// The value of `key`, if present (an array: every index below `max_entries`).
    pub fn lookup(&self, key: &[u8]) -> Option<&[u8]> {
        let slot = self.index.lookup(key)?;
        self.values.get(self.value_range(slot)?)
    }

    /// Sets `key`'s value with `flags` (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`) as the
    /// `map_update_elem` helper does; a key or value of the wrong length is `-EINVAL`; else
    /// the kernel's negative errno (module [`errno`]).
    pub fn update(&mut self, key: &[u8], value: &[u8], flags: u64) -> Result<(), i64> {
        if !self.sized(key, self.index.key_size()) || !self.sized(value, self.index.value_size()) {
            return Err(-errno::EINVAL);
        }
        let slot = self.index.plan_update(key, flags)?;
        let range = self.value_range(slot.index).ok_or(-errno::EINVAL)?;
        let target = self.values.get_mut(range).ok_or(-errno::EINVAL)?;
        target.copy_from_slice(value);
        self.index.commit(key, slot);
        Ok(())
    }

    /// Deletes `key` as the `map_delete_elem` helper does: `-ENOENT` for a missing hash key,
    /// `-EINVAL` for an array.
    pub fn delete(&mut self, key: &[u8]) -> Result<(), i64> {
        self.index.delete(key).map(|_| ())
    }

    /// Every entry, key and value, in slot order: each index of an array (as a little-endian
    /// `u32`), each key of a hash.
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.index
            .entries()
            .into_iter()
            .filter_map(|(key, slot)| {
                let value = self.values.get(self.value_range(slot)?)?;
                Some((key, value.to_vec()))
            })
            .collect()
    }

    fn sized(&self, bytes: &[u8], size: u32) -> bool {
        u32::try_from(bytes.len()) == Ok(size)
    }

    /// The host byte range of slot `slot`'s value.
    fn value_range(&self, slot: u32) -> Option<std::ops::Range<usize>> {
        let start = usize::try_from(self.index.value_offset(slot)).ok()?;
        let end = start.checked_add(usize::try_from(self.index.value_size()).ok()?)?;
        Some(start..end)
    }
}

/// The maps of a loaded program, map `i` at [`layout::map_address`]`(i)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maps {
    maps: Vec<Map>,
}

/// A run's context that holds the maps' bookkeeping while their bytes are lent to the run
/// (the helpers' context does: [`crate::ebpf::helpers::HelperContext`]).
pub trait HoldsMaps {
    /// Where the lent bookkeeping goes, one [`MapIndex`] per map in order.
    fn lent_maps(&mut self) -> &mut Vec<MapIndex>;
}

impl Maps {
    /// Empty maps for `defs`, in order; every size is checked before anything is allocated.
    pub fn new(defs: &[MapDef]) -> Result<Maps, MapError> {
        if defs.len() > layout::MAX_MAPS {
            return Err(MapError::TooManyMaps { count: defs.len() });
        }
        let mut total: u64 = 0;
        let mut sizes = Vec::with_capacity(defs.len());
        for (index, def) in defs.iter().enumerate() {
            let (values, keys) = storage(index, def)?;
            if values > layout::SPAN {
                return Err(MapError::ValuesTooLarge {
                    index,
                    name: def.name.clone(),
                    bytes: values,
                });
            }
            total = total.saturating_add(values).saturating_add(keys);
            if total > MAX_TOTAL_MAP_BYTES {
                return Err(MapError::TooLarge {
                    index,
                    name: def.name.clone(),
                    total,
                });
            }
            sizes.push(values);
        }
        let mut maps = Vec::with_capacity(defs.len());
        for ((index, def), bytes) in defs.iter().enumerate().zip(sizes) {
            let out_of_memory = || MapError::OutOfMemory {
                name: def.name.clone(),
                bytes,
            };
            let len = usize::try_from(bytes).map_err(|_| out_of_memory())?;
            let values = crate::env::zeroed("map", len).map_err(|_| out_of_memory())?;
            // `index < MAX_MAPS` was checked above, so every map has a slot.
            let address = layout::map_address(index).unwrap_or(layout::MAPS_START);
            maps.push(Map {
                def: def.clone(),
                values,
                index: MapIndex::new(def, address),
            });
        }
        Ok(Maps { maps })
    }

    /// Number of maps.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// Whether there are no maps.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Every map, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &Map> {
        self.maps.iter()
    }

    /// The map named `name`.
    pub fn get(&self, name: &str) -> Option<&Map> {
        self.maps.iter().find(|map| map.def.name == name)
    }

    /// The map named `name`, to change.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Map> {
        self.maps.iter_mut().find(|map| map.def.name == name)
    }

    /// The map whose handle (guest address) is `address`.
    pub fn by_address(&self, address: u64) -> Option<&Map> {
        self.maps
            .get(layout::map_index(address)?)
            .filter(|map| map.address() == address)
    }

    /// One writable region per map with storage, at the map's address, lending its values
    /// for a run (the bookkeeping stays: see [`Maps::lend`] for both).
    pub fn regions(&mut self) -> Vec<MemoryRegion<'_>> {
        self.maps
            .iter_mut()
            .filter(|map| !map.values.is_empty())
            .map(|map| {
                let address = map.index.address();
                MemoryRegion::writable(&mut map.values, address)
            })
            .collect()
    }

    /// Lends the maps to a run: the bookkeeping moves into `context`, the values come back
    /// as regions ([`Maps::regions`]). Call [`Maps::reclaim`] with the same context after
    /// the run. A context serves one set of maps at a time: bookkeeping it still holds from
    /// another set's `lend` is replaced, and that set's maps stay empty until rebuilt (which
    /// [`Maps::with_lent`] rules out).
    pub fn lend(&mut self, context: &mut impl HoldsMaps) -> Vec<MemoryRegion<'_>> {
        *context.lent_maps() = self.maps.iter_mut().map(|map| map.index.lend()).collect();
        self.regions()
    }

    /// Takes back the bookkeeping [`Maps::lend`] gave `context`, each to the map at its
    /// address; the context is left with none.
    pub fn reclaim(&mut self, context: &mut impl HoldsMaps) {
        for index in std::mem::take(context.lent_maps()) {
            let address = index.address();
            let home = layout::map_index(address).and_then(|position| self.maps.get_mut(position));
            if let Some(map) = home {
                if map.index.address() == address && map.index.is_lent() {
                    map.index = index;
                }
            }
        }
    }

    /// Runs `run` with the maps lent to `context` ([`Maps::lend`]) and takes them back after
    /// ([`Maps::reclaim`]), whatever `run` returns.
    ///
    /// The maps' regions live only as long as the call; regions that live longer (the
    /// program's, a stack) join them in a new list, which takes the shorter lifetime:
    ///
    /// ```
    /// # use sbvm::ebpf::{helpers::HelperContext, map_def::{MapDef, MapKind}, maps::Maps};
    /// # use sbvm::memory::{MemoryMapping, MemoryRegion};
    /// # let def = MapDef { name: "counts".into(), kind: MapKind::Array, key_size: 4,
    /// #     value_size: 8, max_entries: 1, flags: 0 };
    /// let mut maps = Maps::new(&[def]).unwrap();
    /// let mut context = HelperContext::new();
    /// let stack = vec![0u8; 4096];
    /// let seen = maps.with_lent(&mut context, |lent, context| {
    ///     let mut regions = vec![MemoryRegion::read_only(&stack, 0x2_0000_0000)];
    ///     regions.extend(lent);
    ///     // … build the MemoryMapping and the Vm with `context`, run, return the result.
    ///     regions.len()
    /// });
    /// assert_eq!(seen, 2);
    /// ```
    pub fn with_lent<C: HoldsMaps, R>(
        &mut self,
        context: &mut C,
        run: impl FnOnce(Vec<MemoryRegion<'_>>, &mut C) -> R,
    ) -> R {
        let regions = self.lend(context);
        let result = run(regions, context);
        self.reclaim(context);
        result
    }
}
